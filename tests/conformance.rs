//! What real clients and scanners send, and what the RFCs let them send:
//! server_name forms (RFC 6066 §3), ECDSA signatures whose hash does not
//! match the curve (RFC 5246 §7.4.1.4.1), the largest legal ClientHello
//! (RFC 5246 §7.4.1.2), tickets kept across resumptions (RFC 5077 §3.3), and
//! type-before-body checking, in memory and over loopback TCP against
//! `examples/server` and OpenSSL.

mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::peer::{
    connect, gnutls_serv_echo, openssl_s_server, our_client_session, our_server_thread,
    s_server_identity, tls_error, Proc,
};
use common::*;
use tls12::{Error, ServerConfig, ServerConnection, Ticketer};

// ---------------------------------------------------------------------------
// Crafted ClientHellos
// ---------------------------------------------------------------------------

/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.
const ECDSA_AES128: u16 = 0xc02b;

/// The extensions a default server with `server-p256` needs: supported_groups
/// (x25519, secp256r1), signature_algorithms (ecdsa_secp256r1_sha256),
/// extended_master_secret, renegotiation_info.
fn base_extensions() -> Vec<(u16, Vec<u8>)> {
    vec![
        (10, vec![0, 4, 0, 0x1d, 0, 0x17]),
        (13, vec![0, 2, 4, 3]),
        (23, vec![]),
        (0xff01, vec![0]),
    ]
}

fn extension_block(exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut block = Vec::new();
    for (typ, body) in exts {
        block.extend_from_slice(&typ.to_be_bytes());
        block.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        block.extend_from_slice(body);
    }
    block
}

/// A ClientHello message (RFC 5246 §7.4.1.2) with `exts`.
fn client_hello(exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let block = extension_block(exts);
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.push(0);
    body.extend_from_slice(&[0, 2]);
    body.extend_from_slice(&ECDSA_AES128.to_be_bytes());
    body.extend_from_slice(&[1, 0]);
    body.extend_from_slice(&u16::try_from(block.len()).unwrap().to_be_bytes());
    body.extend_from_slice(&block);
    handshake_msg(1, &body)
}

/// `msg` in handshake records of at most 2^14 bytes (RFC 5246 §6.2.1).
fn in_records(msg: &[u8]) -> Vec<u8> {
    msg.chunks(1 << 14)
        .flat_map(|c| record(22, 0x0301, c))
        .collect()
}

/// A padding extension (type 21, RFC 7685) that brings the extension block
/// of `exts` to exactly `total` bytes.
fn pad_to(mut exts: Vec<(u16, Vec<u8>)>, total: usize) -> Vec<(u16, Vec<u8>)> {
    let used = extension_block(&exts).len();
    exts.push((21, vec![0; total - used - 4]));
    assert_eq!(extension_block(&exts).len(), total);
    exts
}

/// A server_name extension body: a list of `(name_type, name)` entries.
fn server_names(entries: &[(u8, &[u8])]) -> Vec<u8> {
    let mut list = Vec::new();
    for (typ, name) in entries {
        list.push(*typ);
        list.extend_from_slice(&u16::try_from(name.len()).unwrap().to_be_bytes());
        list.extend_from_slice(name);
    }
    let mut body = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
    body.extend_from_slice(&list);
    body
}

/// A default `server-p256` server's answer to `wire`, in memory.
fn answer(wire: &[u8]) -> (ServerConnection, Result<usize, Error>, Vec<u8>) {
    let mut s = ServerConnection::new(Arc::new(server_config("server-p256")), now()).unwrap();
    let result = s.receive(wire);
    let out = take_output(&mut s);
    (s, result, out)
}

/// The extension types of the ServerHello at the start of `out`.
fn server_hello_extensions(out: &[u8]) -> Vec<u16> {
    let records = split_records(out);
    let sh = &handshake_messages(&records)[0];
    assert_eq!(sh[0], 2, "ServerHello first");
    // type(1) len(3) version(2) random(32) session_id(1+n) suite(2) comp(1)
    let sid = usize::from(sh[4 + 34]);
    let mut at = 4 + 35 + sid + 3;
    let end = at + 2 + usize::from(u16::from_be_bytes([sh[at], sh[at + 1]]));
    at += 2;
    let mut types = Vec::new();
    while at < end {
        types.push(u16::from_be_bytes([sh[at], sh[at + 1]]));
        at += 4 + usize::from(u16::from_be_bytes([sh[at + 2], sh[at + 3]]));
    }
    types
}

// ---------------------------------------------------------------------------
// server_name (RFC 6066 §3)
// ---------------------------------------------------------------------------

fn with_sni(entries: &[(u8, &[u8])]) -> Vec<u8> {
    let mut exts = base_extensions();
    exts.push((0, server_names(entries)));
    in_records(&client_hello(&exts))
}

#[test]
fn a_server_name_of_an_unknown_type_is_skipped() {
    // Before and after the host_name: the name is used and acknowledged.
    for entries in [
        &[(7u8, &b"opaque"[..]), (0, b"localhost")][..],
        &[(0, &b"localhost"[..]), (200, b"x")][..],
    ] {
        let (s, result, out) = answer(&with_sni(entries));
        assert!(result.is_ok(), "{result:?}");
        assert!(s.is_handshaking());
        assert!(
            server_hello_extensions(&out).contains(&0),
            "SNI acknowledged"
        );
    }
    // Only unknown types: as if no name was sent.
    let (_, result, out) = answer(&with_sni(&[(7, b"opaque")]));
    assert!(result.is_ok(), "{result:?}");
    assert!(!server_hello_extensions(&out).contains(&0));
}

#[test]
fn two_host_names_are_illegal_parameter() {
    let (s, result, out) = answer(&with_sni(&[(0, b"localhost"), (0, b"example.com")]));
    assert_eq!(
        result,
        Err(Error::IllegalParameter(
            "server_name lists two host_name entries (RFC 6066 §3)"
        ))
    );
    assert_eq!(out, record(21, 0x0303, &[2, 47]));
    assert!(s.error().is_some());
}

#[test]
fn an_ip_literal_server_name_is_ignored() {
    for ip in [&b"127.0.0.1"[..], b"::1", b"[2001:db8::1]"] {
        let (s, result, out) = answer(&with_sni(&[(0, ip)]));
        assert!(
            result.is_ok(),
            "{}: {result:?}",
            String::from_utf8_lossy(ip)
        );
        assert!(s.is_handshaking());
        assert!(
            !server_hello_extensions(&out).contains(&0),
            "not acknowledged"
        );
    }
    // Neither a DNS name nor an address: refused.
    let (_, result, out) = answer(&with_sni(&[(0, b"not a name!")]));
    assert!(
        matches!(result, Err(Error::IllegalParameter(_))),
        "{result:?}"
    );
    assert_eq!(out, record(21, 0x0303, &[2, 47]));
}

// ---------------------------------------------------------------------------
// The largest legal ClientHello (RFC 5246 §7.4.1.2)
// ---------------------------------------------------------------------------

#[test]
fn a_client_hello_with_a_full_extension_block_is_accepted() {
    let hello = client_hello(&pad_to(base_extensions(), 0xffff));
    assert!(hello.len() > 64 * 1024, "over the general message cap");
    let (s, result, out) = answer(&in_records(&hello));
    assert!(result.is_ok(), "{result:?}");
    assert!(s.is_handshaking());
    assert_eq!(handshake_messages(&split_records(&out))[0][0], 2);
}

#[test]
fn a_client_hello_with_the_longest_signature_algorithms_list_is_accepted() {
    // The block holds supported_groups, extended_master_secret and the
    // list: 65,535 - 10 - 4 - 4 (its header) - 2 (its length) bytes, even.
    let room = 0xffff - 10 - 4 - 4 - 2;
    let mut list = Vec::new();
    while list.len() + 2 <= room {
        list.extend_from_slice(&[0xfe, 0xfe]); // unknown schemes
    }
    let n = list.len();
    list[n - 2..].copy_from_slice(&[4, 3]); // ecdsa_secp256r1_sha256 last
    let mut body = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
    body.extend_from_slice(&list);
    let exts = vec![(10, vec![0, 4, 0, 0x1d, 0, 0x17]), (23, vec![]), (13, body)];
    let (s, result, out) = answer(&in_records(&client_hello(&exts)));
    assert!(result.is_ok(), "{result:?}");
    assert!(s.is_handshaking());
    assert_eq!(handshake_messages(&split_records(&out))[0][0], 2);
}

#[test]
fn a_client_hello_over_its_configured_cap_is_decode_error() {
    let mut config = server_config("server-p256");
    config.limits.max_client_hello_len = 4096;
    let hello = client_hello(&pad_to(base_extensions(), 5000));
    let mut s = ServerConnection::new(Arc::new(config), now()).unwrap();
    assert_eq!(
        s.receive(&in_records(&hello)),
        Err(Error::LimitExceeded {
            what: "handshake message size",
            limit: 4096
        })
    );
    assert_eq!(take_output(&mut s), record(21, 0x0303, &[2, 50]));
}

// ---------------------------------------------------------------------------
// Tickets kept across resumptions (RFC 5077 §3.3)
// ---------------------------------------------------------------------------

/// A full handshake at `now()` with tickets, then resumptions at each
/// offset from it; returns, per resumption, whether it resumed and whether
/// the server sent a NewSessionTicket.
fn resumptions(ticketer: Ticketer, offsets: &[u64]) -> Vec<(bool, bool)> {
    let mut sc = server_config("server-p256");
    sc.session_cache = None;
    sc.ticketer = Some(Arc::new(ticketer));
    let sc = Arc::new(sc);
    let cc = Arc::new(client_config());
    let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
    handshake(&mut c, &mut s).unwrap();
    let mut seen = Vec::new();
    for offset in offsets {
        let at = now_plus(*offset);
        let mut c = tls12::ClientConnection::new(cc.clone(), name("localhost"), at).unwrap();
        let mut s = ServerConnection::new(sc.clone(), at).unwrap();
        transfer(&mut c, &mut s).unwrap();
        let flight = take_output(&mut s);
        // The abbreviated flight: ServerHello, [NewSessionTicket], then
        // ChangeCipherSpec and the protected Finished.
        let records = split_records(&flight);
        let plain: Vec<Vec<u8>> = records.iter().take_while(|r| r[0] == 22).cloned().collect();
        let types: Vec<u8> = handshake_messages(&plain).iter().map(|m| m[0]).collect();
        assert_eq!(types[0], 2);
        c.receive(&flight).unwrap();
        transfer(&mut c, &mut s).unwrap();
        assert!(!c.is_handshaking() && !s.is_handshaking());
        let resumed = c.handshake_info().unwrap().resumed;
        seen.push((resumed, types.contains(&4)));
    }
    seen
}

#[test]
fn a_resumption_by_ticket_keeps_its_ticket() {
    let ticketer = Ticketer::new(Duration::from_secs(3600), Duration::from_secs(7200));
    assert_eq!(
        resumptions(ticketer, &[10, 20, 30]),
        [(true, false), (true, false), (true, false)]
    );
}

#[test]
fn a_ticket_under_a_rotated_key_is_renewed_once() {
    // Keys rotate every 100 s: at +150 the ticket's key is due, so the
    // ticket is replaced; the new one is kept at +160.
    let ticketer = Ticketer::new(Duration::from_secs(100), Duration::from_secs(7200));
    assert_eq!(
        resumptions(ticketer, &[50, 150, 160]),
        [(true, false), (true, true), (true, false)]
    );
}

#[test]
fn a_ticket_past_the_configured_share_of_its_lifetime_is_renewed() {
    let ticketer =
        Ticketer::new(Duration::from_secs(3600), Duration::from_secs(1000)).renew_after_percent(50);
    assert_eq!(
        resumptions(ticketer, &[100, 600]),
        [(true, false), (true, true)]
    );
}

// ---------------------------------------------------------------------------
// Over TCP: examples/server
// ---------------------------------------------------------------------------

/// `examples/server` with the `server-p256` identity and `args`.
fn start_example_server(args: &[&str]) -> (Proc, u16) {
    let cert = fixture_path("server-p256.chain.pem");
    let key = fixture_path("server-p256.key");
    let mut all = vec!["--cert", &cert, "--key", &key];
    all.extend_from_slice(args);
    common::peer::example_server(&all)
}

/// Sends `first` as the connection's first bytes and returns everything the
/// server sends back in the next seconds (or until it closes).
fn answer_over_tcp(port: u16, first: &[u8]) -> Vec<u8> {
    let mut sock = connect(port);
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    sock.write_all(first).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = sock.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if got.len() >= 5 && got[0] == 22 {
            // A server flight: the ServerHello is all the test needs.
            break;
        }
    }
    got
}

#[test]
fn example_server_checks_a_message_type_before_its_body() {
    let (mut server, port) = start_example_server(&[]);
    // fatal(2) unexpected_message(10), in the clear.
    let unexpected = record(21, 0x0303, &[2, 10]);
    // A NewSessionTicket, a Finished, a ServerHello and an unknown type, each
    // with a body that decodes as nothing.
    for typ in [4u8, 20, 2, 99] {
        let msg = handshake_msg(typ, &[0xff, 0x00, 0xff]);
        let got = answer_over_tcp(port, &record(22, 0x0301, &msg));
        assert_eq!(got, unexpected, "type {typ}: {}", server.log());
    }
    // The same garbage as a ClientHello, which the state does accept, is a
    // decode error (fatal(2) decode_error(50)): the check above is about
    // the type, not the body.
    let got = answer_over_tcp(
        port,
        &record(22, 0x0301, &handshake_msg(1, &[0xff, 0, 0xff])),
    );
    assert_eq!(got, record(21, 0x0303, &[2, 50]), "{}", server.log());
    assert!(
        !server.exited(),
        "one bad connection never stops the server"
    );
}

#[test]
fn example_server_takes_what_scanners_send() {
    let (mut server, port) = start_example_server(&[]);
    let server_hello_first = |got: &[u8]| {
        let records = split_records(&got[..5 + usize::from(u16::from_be_bytes([got[3], got[4]]))]);
        records[0][0] == 22 && records[0][5] == 2
    };
    // The largest legal ClientHello.
    let got = answer_over_tcp(
        port,
        &in_records(&client_hello(&pad_to(base_extensions(), 0xffff))),
    );
    assert!(server_hello_first(&got), "{got:?}\n{}", server.log());
    // A server_name entry of an unknown type, and an IP literal.
    let got = answer_over_tcp(port, &with_sni(&[(9, b"x"), (0, b"localhost")]));
    assert!(server_hello_first(&got), "{got:?}\n{}", server.log());
    let got = answer_over_tcp(port, &with_sni(&[(0, b"127.0.0.1")]));
    assert!(server_hello_first(&got), "{got:?}\n{}", server.log());
    // Two host_names: illegal_parameter.
    let got = answer_over_tcp(port, &with_sni(&[(0, b"localhost"), (0, b"a.example")]));
    assert_eq!(got, record(21, 0x0303, &[2, 47]), "{}", server.log());
    assert!(!server.exited());
}

// ---------------------------------------------------------------------------
// Over TCP: OpenSSL
// ---------------------------------------------------------------------------

fn openssl() -> Command {
    Command::new("openssl")
}

/// s_client with `args` against our server (default `server-p256` config
/// changed by `configure`); returns s_client's output and the server's view.
fn s_client_to_our_server(
    configure: impl FnOnce(&mut ServerConfig),
    args: &[&str],
) -> (String, Result<tls12::HandshakeInfo, Error>) {
    let mut config = server_config("server-p256");
    configure(&mut config);
    let ours = our_server_thread(config, |tls| match tls.complete_handshake() {
        Ok(()) => {
            let info = tls.connection().handshake_info().cloned().unwrap();
            let _ = tls.close();
            Ok(info)
        }
        Err(e) => Err(tls_error(tls.connection(), &e)),
    });
    let mut cmd = openssl();
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{}", ours.port)])
        .args(["-CAfile", &fixture_path("ca.pem"), "-tls1_2"])
        .args(args);
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    (client.log(), ours.join())
}

#[test]
fn s_client_with_an_ip_address_as_server_name_connects_without_sni() {
    let (log, info) = s_client_to_our_server(|_| {}, &["-servername", "127.0.0.1"]);
    let info = info.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(info.server_name, None, "the IP literal is not a name");
    assert!(log.contains("Verify return code: 0 (ok)"), "{log}");
    // A DNS name is still taken and reported.
    let (log, info) = s_client_to_our_server(|_| {}, &["-servername", "localhost"]);
    assert_eq!(
        info.unwrap_or_else(|e| panic!("{e}\n{log}"))
            .server_name
            .as_deref(),
        Some("localhost")
    );
}

#[test]
fn our_server_verifies_a_p384_client_signature_made_with_sha256() {
    // RFC 5246 §7.4.1.4.1: in TLS 1.2, ecdsa_secp256r1_sha256 names the hash
    // only; a P-384 key may sign with it.
    let (log, info) = s_client_to_our_server(
        |c| c.client_auth = tls12::ClientAuth::Required(roots()),
        &[
            "-cert",
            &fixture_path("client-p384.pem"),
            "-key",
            &fixture_path("client-p384.key"),
            "-cert_chain",
            &fixture_path("inter.pem"),
            "-client_sigalgs",
            "ECDSA+SHA256",
        ],
    );
    let info = info.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(
        info.peer_certificates.len(),
        2,
        "leaf and intermediate\n{log}"
    );
}

/// openssl s_server with `identity` and `-sigalgs sigalgs`, for one
/// connection.
fn s_server(identity: &str, sigalgs: &str) -> (Proc, u16) {
    openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, identity);
        cmd.args(["-tls1_2", "-sigalgs", sigalgs]);
    })
}

#[test]
fn our_client_verifies_server_signatures_whose_hash_does_not_match_the_curve() {
    for (identity, sigalgs, scheme) in [
        (
            "server-p256",
            "ECDSA+SHA384",
            tls12::SignatureScheme::EcdsaSecp384r1Sha384,
        ),
        (
            "server-p384",
            "ECDSA+SHA256",
            tls12::SignatureScheme::EcdsaSecp256r1Sha256,
        ),
    ] {
        let (server, port) = s_server(identity, sigalgs);
        let result = our_client_session(port, client_config(), "localhost", now(), |_| ());
        let (info, ()) = result.unwrap_or_else(|e| panic!("{identity}: {e}\n{}", server.log()));
        assert_eq!(info.signature_scheme, Some(scheme), "{identity}");
        drop(server); // s_server has served its one connection
    }
}

// ---------------------------------------------------------------------------
// Signing with the hash that does not match the curve (RFC 5246 §7.4.1.4.1)
// ---------------------------------------------------------------------------

/// s_client offering only `sigalgs` against our server with `identity`.
fn s_client_sigalgs(identity: &str, sigalgs: &str) -> Result<tls12::HandshakeInfo, Error> {
    let config = server_config(identity);
    let ours = our_server_thread(config, |tls| match tls.complete_handshake() {
        Ok(()) => {
            let info = tls.connection().handshake_info().cloned().unwrap();
            let _ = tls.close();
            Ok(info)
        }
        Err(e) => Err(tls_error(tls.connection(), &e)),
    });
    let mut cmd = openssl();
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{}", ours.port)])
        .args(["-CAfile", &fixture_path("ca.pem"), "-tls1_2"])
        .args(["-servername", "localhost", "-sigalgs", sigalgs]);
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    ours.join()
}

/// With the `ecdsa-any-hash` feature, a P-256 server signs with SHA-384 and
/// a P-384 server with SHA-256 when that is all the client offers.
#[cfg(feature = "ecdsa-any-hash")]
#[test]
fn our_server_signs_with_the_only_hash_the_client_offers() {
    use tls12::SignatureScheme as S;
    for (identity, sigalgs, scheme) in [
        ("server-p256", "ECDSA+SHA384", S::EcdsaSecp384r1Sha384),
        ("server-p384", "ECDSA+SHA256", S::EcdsaSecp256r1Sha256),
        // Offered both: the curve's own hash.
        (
            "server-p256",
            "ECDSA+SHA384:ECDSA+SHA256",
            S::EcdsaSecp256r1Sha256,
        ),
    ] {
        let info = s_client_sigalgs(identity, sigalgs).unwrap();
        assert_eq!(info.signature_scheme, Some(scheme), "{identity} {sigalgs}");
    }
}

/// Without it, ring can sign only with the curve's own hash: a client that
/// offers only the other gets handshake_failure, naming the schemes.
#[cfg(not(feature = "ecdsa-any-hash"))]
#[test]
fn without_ecdsa_any_hash_the_other_hash_alone_is_no_common_scheme() {
    let err = s_client_sigalgs("server-p256", "ECDSA+SHA384").unwrap_err();
    assert!(
        matches!(err, Error::NoCommonSignatureScheme { .. }),
        "{err:?}"
    );
}

/// With the feature, our client signs CertificateVerify with the hash the
/// server asked for, whatever its key's curve.
#[cfg(feature = "ecdsa-any-hash")]
#[test]
fn our_client_signs_certificate_verify_with_the_requested_hash() {
    let (mut server, port) = openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, "server-p256");
        cmd.args(["-CAfile", &fixture_path("ca.pem"), "-Verify", "2"]);
        cmd.args(["-tls1_2", "-client_sigalgs", "ECDSA+SHA384"]);
    });
    let mut config = client_config();
    let (chain, key) = identity("client-p256");
    config.add_client_certificate(chain, key).unwrap();
    let result = our_client_session(port, config, "localhost", now(), |tls| {
        // s_server reports the client's signature after a round trip.
        let _ = tls.write_all(b"hello\n");
        let _ = tls.flush();
    });
    assert!(result.is_ok(), "{result:?}\n{}", server.log());
    let _ = server.wait_exit();
    assert!(
        server.log().contains("Peer signing digest: SHA384"),
        "{}",
        server.log()
    );
}

/// gnutls-serv with `identity`, signing only with `sign` (a GnuTLS priority
/// name such as `SIGN-ECDSA-SHA384`).
fn gnutls_serv(identity: &str, sign: &str) -> (Proc, u16) {
    let priority = format!("NORMAL:-VERS-ALL:+VERS-TLS1.2:-SIGN-ALL:+{sign}");
    gnutls_serv_echo(identity, |cmd| {
        cmd.args(["--priority", &priority]);
    })
}

#[test]
fn our_client_verifies_gnutls_signatures_whose_hash_does_not_match_the_curve() {
    use tls12::SignatureScheme as S;
    for (identity, sign, scheme) in [
        ("server-p256", "SIGN-ECDSA-SHA384", S::EcdsaSecp384r1Sha384),
        ("server-p384", "SIGN-ECDSA-SHA256", S::EcdsaSecp256r1Sha256),
    ] {
        let (server, port) = gnutls_serv(identity, sign);
        let result = our_client_session(port, client_config(), "localhost", now(), |tls| {
            let _ = tls.close();
        });
        let (info, ()) = result.unwrap_or_else(|e| panic!("{identity}: {e}\n{}", server.log()));
        assert_eq!(info.signature_scheme, Some(scheme), "{identity}");
        drop(server); // gnutls-serv serves until killed
    }
}

/// With the feature, gnutls-cli allowing only the other hash gets a
/// signature it verifies.
#[cfg(feature = "ecdsa-any-hash")]
#[test]
fn gnutls_cli_verifies_our_signatures_with_the_other_hash() {
    use tls12::SignatureScheme as S;
    for (identity, sign, scheme) in [
        ("server-p256", "SIGN-ECDSA-SHA384", S::EcdsaSecp384r1Sha384),
        ("server-p384", "SIGN-ECDSA-SHA256", S::EcdsaSecp256r1Sha256),
    ] {
        let ours = our_server_thread(server_config(identity), |tls| {
            tls.complete_handshake()
                .map(|()| tls.connection().handshake_info().cloned().unwrap())
                .map_err(|e| tls_error(tls.connection(), &e))
        });
        let mut cmd = Command::new("gnutls-cli");
        cmd.args(["--port", &ours.port.to_string(), "127.0.0.1"])
            .args([
                "--sni-hostname",
                "localhost",
                "--verify-hostname",
                "localhost",
            ])
            .args(["--x509cafile", &fixture_path("ca.pem")])
            .args([
                "--priority",
                &format!("NORMAL:-VERS-ALL:+VERS-TLS1.2:-SIGN-ALL:+{sign}"),
            ]);
        let mut cli = Proc::spawn(cmd);
        let info = ours.join();
        cli.close_stdin();
        let _ = cli.wait_exit();
        let info = info.unwrap_or_else(|e| panic!("{identity}: {e}\n{}", cli.log()));
        assert!(
            cli.log().contains("Handshake was completed"),
            "{identity}: {}",
            cli.log()
        );
        assert_eq!(info.signature_scheme, Some(scheme), "{identity}");
    }
}

/// RFC 5246 §7.4.2: a server certificate whose key usage lacks
/// digitalSignature may not sign an ECDHE key exchange; the client refuses
/// it (BoGo's RSAKeyUsage-Client-WantSignature-GotEncipherment). The same
/// certificate serves RSA key transport, which needs keyEncipherment.
#[test]
fn a_certificate_without_digital_signature_cannot_sign_the_key_exchange() {
    let (mut c, mut s) = pair("server-rsa2048-kx-only");
    let (side, err) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Client);
    assert_eq!(
        err,
        tls12::Error::Certificate(tls12::CertificateError::InvalidPurpose)
    );
    assert_eq!(
        plaintext_alert(&c),
        Some(tls12::AlertDescription::CertificateUnknown)
    );
}

/// RFC 5246 §7.4.1.4: a server may echo any extension the client offered.
/// supported_groups means nothing in a TLS 1.2 ServerHello (RFC 8422 §5.2),
/// but a server that sends it is not refused (BoGo's
/// SupportedCurves-ServerHello-TLS12).
#[test]
fn supported_groups_in_a_server_hello_is_ignored() {
    let (mut c, mut s) = pair("server-p256");
    s.receive(&take_output(&mut c)).unwrap();
    let flight = take_output(&mut s);
    let records = split_records(&flight);
    let hello = &handshake_messages(&records)[0];
    // ServerHello: type(1) len(3) version(2) random(32) session_id<..>
    // suite(2) compression(1) extensions<..>.
    let sid_len = usize::from(hello[4 + 2 + 32]);
    let ext_at = 4 + 2 + 32 + 1 + sid_len + 2 + 1;
    let mut body = hello[4..ext_at].to_vec();
    let mut exts = hello[ext_at + 2..].to_vec();
    exts.extend_from_slice(&[0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let record = hs_record(&handshake_msg(2, &body));
    c.receive(&record)
        .expect("supported_groups in ServerHello is not an error");
    assert!(c.error().is_none());
}
