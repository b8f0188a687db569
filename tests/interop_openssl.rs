//! Interop with OpenSSL's `openssl` command (`s_server` and `s_client`) over
//! loopback TCP: every suite both ways, groups, TLS 1.3-capable clients, bulk
//! data, ALPN, and failures as the other side sees them.
//!
//! Every child process is owned by a [`Proc`], which kills it when dropped,
//! and every wait has a deadline, so a misbehaving peer fails a test instead
//! of hanging it.

mod common;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use common::peer::{
    accept_before_deadline, connect, contains, listen, our_client_session, our_server_thread,
    pseudo_random, read_exactly, start_listening, tls_error, Listening, OurServer, Proc, DEADLINE,
    MIB,
};
use common::{certs, client_config, fixture_path, name, server_config};
use tls12::pki_types::UnixTime;
use tls12::{
    AlertDescription, CertificateError, CipherSuite, ClientConfig, ClientConnection, Error,
    HandshakeInfo, NamedGroup, ProtocolVersion, ServerConfig, SignatureScheme, Stream,
};

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// `openssl`, or a clear failure when it is missing.
fn openssl() -> Command {
    static VERSION: OnceLock<Result<String, String>> = OnceLock::new();
    let version = VERSION.get_or_init(|| {
        match Command::new("openssl")
            .arg("version")
            .stdin(Stdio::null())
            .output()
        {
            Ok(out) if out.status.success() => {
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
            Ok(out) => Err(format!("`openssl version` failed: {:?}", out.status)),
            Err(e) => Err(format!("cannot run `openssl`: {e}")),
        }
    });
    if let Err(e) = version {
        panic!(
            "these interop tests need OpenSSL's `openssl` command on PATH \
             (CI installs it; e.g. `apt-get install openssl`): {e}"
        );
    }
    Command::new("openssl")
}

// ---------------------------------------------------------------------------
// openssl s_server, and our client against it
// ---------------------------------------------------------------------------

/// `openssl s_server` for one connection (`-naccept 1`) on a free loopback
/// port, serving `identity` (leaf + intermediate), with `args` added.
///
/// s_server prints `ACCEPT` once it is listening; we wait for that rather than
/// probing with a connection, which would use up `-naccept 1` and put a failed
/// handshake in its log. If another process took the port between our probe
/// bind and s_server's, s_server exits and we try another port.
fn s_server(identity: &str, args: &[&str]) -> (Proc, u16) {
    s_server_chain(identity, "inter.pem", args)
}

/// [`s_server`] with another chain file (the certificates sent after the
/// leaf).
///
/// With `-quiet`, s_server prints nothing at all (not even `ACCEPT`), so we
/// wait for its listening socket to appear in `/proc/net/tcp` instead.
fn s_server_chain(identity: &str, chain: &str, args: &[&str]) -> (Proc, u16) {
    let quiet = args.contains(&"-quiet");
    start_listening(
        "s_server",
        |port| {
            let mut cmd = openssl();
            cmd.arg("s_server")
                .args(["-accept", &format!("127.0.0.1:{port}"), "-naccept", "1"])
                .args(["-cert", &fixture_path(&format!("{identity}.pem"))])
                .args(["-key", &fixture_path(&format!("{identity}.key"))])
                .args(["-cert_chain", &fixture_path(chain)])
                .args(args);
            Proc::spawn(cmd)
        },
        |proc, port| {
            let ready = if quiet {
                listening(port)
            } else {
                contains(&proc.stdout(), b"ACCEPT")
            };
            if ready {
                Listening::Yes
            } else {
                Listening::NotYet
            }
        },
        |log| log.contains("in use") || log.contains("bind"),
    )
}

/// Whether a socket listens on 127.0.0.1:`port` (Linux: `/proc/net/tcp`,
/// state 0A is LISTEN).
fn listening(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp")
        .expect("-quiet s_server tests need /proc/net/tcp (Linux) to see it listen");
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A")
    })
}

/// Our client's handshake with `port`, then `exchange` over the stream; the
/// handshake error (typed) if it fails.
fn our_client<T>(
    port: u16,
    config: ClientConfig,
    server_name: &str,
    exchange: impl FnOnce(&mut Stream<'_, TcpStream>) -> T,
) -> Result<(HandshakeInfo, T), Error> {
    our_client_at(port, config, server_name, UnixTime::now(), exchange)
}

/// [`our_client`] checking the server's certificate at time `now`.
fn our_client_at<T>(
    port: u16,
    config: ClientConfig,
    server_name: &str,
    now: UnixTime,
    exchange: impl FnOnce(&mut Stream<'_, TcpStream>) -> T,
) -> Result<(HandshakeInfo, T), Error> {
    our_client_session(port, config, server_name, now, |tls| {
        let out = exchange(tls);
        tls.close().unwrap();
        out
    })
}

/// Sends one line to `s_server -rev` and returns its answer (the line
/// reversed, with a newline).
fn rev_line(tls: &mut Stream<'_, TcpStream>, line: &str) -> String {
    tls.write_all(format!("{line}\n").as_bytes()).unwrap();
    String::from_utf8(read_exactly(tls, line.len() + 1)).unwrap()
}

fn reversed(line: &str) -> String {
    line.chars().rev().collect()
}

fn suite_by_openssl_name(openssl: &str) -> (CipherSuite, &'static str) {
    match openssl {
        "ECDHE-ECDSA-AES128-GCM-SHA256" => (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "server-p256",
        ),
        "ECDHE-ECDSA-AES256-GCM-SHA384" => (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            "server-p256",
        ),
        "ECDHE-ECDSA-CHACHA20-POLY1305" => (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            "server-p256",
        ),
        "ECDHE-RSA-AES128-GCM-SHA256" => (
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-rsa2048",
        ),
        "ECDHE-RSA-AES256-GCM-SHA384" => (
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            "server-rsa2048",
        ),
        "ECDHE-RSA-CHACHA20-POLY1305" => (
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            "server-rsa2048",
        ),
        other => panic!("unknown suite {other}"),
    }
}

/// Our client (offering everything) against `s_server -tls1_2 -cipher
/// <suite> -rev`, plus `extra` s_server arguments: checks what was negotiated
/// and a line both ways.
fn our_client_vs_s_server(openssl_suite: &str, extra: &[&str]) -> HandshakeInfo {
    let (_, identity) = suite_by_openssl_name(openssl_suite);
    our_client_vs_s_server_as(identity, openssl_suite, extra)
}

/// [`our_client_vs_s_server`] with s_server serving `identity`.
fn our_client_vs_s_server_as(identity: &str, openssl_suite: &str, extra: &[&str]) -> HandshakeInfo {
    let (suite, _) = suite_by_openssl_name(openssl_suite);
    let mut args = vec!["-tls1_2", "-cipher", openssl_suite, "-rev"];
    args.extend_from_slice(extra);
    let (mut server, port) = s_server(identity, &args);

    let line = format!("hello from tls12 over {openssl_suite}");
    let (info, answers) = our_client(port, client_config(), "localhost", |tls| {
        [rev_line(tls, &line), rev_line(tls, "second line")]
    })
    .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));

    assert_eq!(answers[0], format!("{}\n", reversed(&line)));
    assert_eq!(answers[1], "enil dnoces\n");
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(info.cipher_suite, suite);
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert_eq!(info.peer_certificates.len(), 2, "leaf + intermediate");
    assert_eq!(info.alpn_protocol, None);

    // s_server saw the same connection and, after our close_notify, ended.
    assert!(server.wait_exit().success(), "{}", server.log());
    let log = server.text();
    assert!(log.contains("Protocol version: TLSv1.2"), "{log}");
    assert!(
        log.contains(&format!("Ciphersuite: {openssl_suite}")),
        "{log}"
    );
    assert!(log.contains("CONNECTION CLOSED"), "{log}");
    info
}

fn our_client_suite(openssl_suite: &str) {
    let info = our_client_vs_s_server(openssl_suite, &[]);
    // OpenSSL's default group preference puts x25519 first.
    assert_eq!(info.group, Some(NamedGroup::X25519));
}

table_tests! {
    our_client_suite;
    our_client_to_s_server_ecdhe_ecdsa_aes128_gcm_sha256: ("ECDHE-ECDSA-AES128-GCM-SHA256");
    our_client_to_s_server_ecdhe_ecdsa_aes256_gcm_sha384: ("ECDHE-ECDSA-AES256-GCM-SHA384");
    our_client_to_s_server_ecdhe_ecdsa_chacha20_poly1305: ("ECDHE-ECDSA-CHACHA20-POLY1305");
    our_client_to_s_server_ecdhe_rsa_aes128_gcm_sha256: ("ECDHE-RSA-AES128-GCM-SHA256");
    our_client_to_s_server_ecdhe_rsa_aes256_gcm_sha384: ("ECDHE-RSA-AES256-GCM-SHA384");
    our_client_to_s_server_ecdhe_rsa_chacha20_poly1305: ("ECDHE-RSA-CHACHA20-POLY1305");
}

#[test]
fn our_client_to_s_server_group_p256() {
    let info = our_client_vs_s_server("ECDHE-ECDSA-AES128-GCM-SHA256", &["-groups", "P-256"]);
    assert_eq!(info.group, Some(NamedGroup::Secp256r1));
}

#[test]
fn our_client_to_s_server_group_p384() {
    let info = our_client_vs_s_server("ECDHE-RSA-AES256-GCM-SHA384", &["-groups", "P-384"]);
    assert_eq!(info.group, Some(NamedGroup::Secp384r1));
}

// ---------------------------------------------------------------------------
// Our echo server, and openssl s_client against it
// ---------------------------------------------------------------------------

/// What our server thread saw.
#[derive(Debug)]
struct ServerRun {
    info: Option<HandshakeInfo>,
    /// The handshake's error, typed.
    error: Option<Error>,
    /// The bytes it read (and, in [`Then::Echo`], echoed).
    echoed: Vec<u8>,
    /// The error that ended reading after the handshake, typed.
    read_error: Option<Error>,
    /// Whether the peer's close_notify arrived.
    peer_closed: bool,
}

/// What our server does once the handshake is complete.
#[derive(Debug, Clone, Copy)]
enum Then {
    /// Reads this many bytes, writes them all back, sends close_notify first
    /// and then waits for the peer's.
    Echo(usize),
    /// Reads until the peer's close_notify (answered automatically) or EOF.
    ReadUntilPeerCloses,
}

/// Our echo server: see [`our_server_then`] with [`Then::Echo`].
fn our_server(config: ServerConfig, expect: usize) -> OurServer<ServerRun> {
    our_server_then(config, Then::Echo(expect))
}

/// Runs our server for one connection in a thread: it completes the
/// handshake, then does what `then` says.
///
/// Reading everything before echoing keeps bulk transfers deadlock-free:
/// s_client (single-threaded, blocking socket) may be stuck writing to us
/// while we would be stuck writing to it.
fn our_server_then(config: ServerConfig, then: Then) -> OurServer<ServerRun> {
    our_server_thread(config, move |tls| {
        let mut run = ServerRun {
            info: None,
            error: None,
            echoed: Vec::new(),
            read_error: None,
            peer_closed: false,
        };
        if let Err(e) = tls.complete_handshake() {
            run.error = Some(tls_error(tls.connection(), &e));
            return run;
        }
        run.info = tls.connection().handshake_info().cloned();
        let mut buf = vec![0u8; 64 * 1024];
        let expect = match then {
            Then::Echo(n) => n,
            Then::ReadUntilPeerCloses => usize::MAX,
        };
        while run.echoed.len() < expect {
            match tls.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => run.echoed.extend_from_slice(&buf[..n]),
                Err(e) => {
                    run.read_error = Some(tls_error(tls.connection(), &e));
                    break;
                }
            }
        }
        if let (Then::Echo(_), None) = (then, &run.read_error) {
            tls.write_all(&run.echoed).unwrap();
            tls.close().unwrap();
            // Wait for the peer's close_notify or EOF, so it reads everything
            // before the socket goes away.
            while let Ok(n) = tls.read(&mut buf) {
                if n == 0 {
                    break;
                }
            }
        }
        run.peer_closed = tls.connection().peer_closed();
        run
    })
}

/// `openssl s_client` connecting to our server on `port`, trusting ca.pem and
/// checking the name `localhost`, with `args` added.
fn s_client(port: u16, args: &[&str]) -> Proc {
    let mut cmd = openssl();
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-CAfile", &fixture_path("ca.pem")])
        .args(args);
    Proc::spawn(cmd)
}

/// s_client (with `-ign_eof`, so it keeps reading after its stdin ends)
/// sends a line to our echo server, which echoes it and closes; returns
/// s_client's stdout and our server's view.
fn s_client_echo(server: ServerConfig, args: &[&str]) -> (String, ServerRun) {
    let line = b"ping from openssl s_client\n".to_vec();
    let ours = our_server(server, line.len());
    let mut client = s_client(ours.port, args);
    client.feed_stdin(line.clone());
    let status = client.wait_exit();
    let run = ours.join();
    let out = client.stdout_text();
    assert!(status.success(), "{}\nour server: {run:?}", client.log());
    assert_eq!(run.error, None);
    assert_eq!(run.read_error, None);
    assert_eq!(run.echoed, line);
    // Our server closed first; s_client printed "closed" on our
    // close_notify and answered with its own.
    assert!(out.contains("\nclosed\n"), "{}", client.log());
    assert!(run.peer_closed, "no close_notify from s_client");
    // The echo arrives after the session summary.
    let summary_end = out.find("Extended master secret").expect("no summary");
    assert!(
        out[summary_end..].contains("ping from openssl s_client\n"),
        "{}",
        client.log()
    );
    assert!(out.contains("Verification: OK"), "{}", client.log());
    assert!(
        out.contains("Verify return code: 0 (ok)"),
        "{}",
        client.log()
    );
    assert!(
        out.contains("Extended master secret: yes"),
        "{}",
        client.log()
    );
    (out, run)
}

fn s_client_suite(openssl_suite: &str) {
    let (suite, identity) = suite_by_openssl_name(openssl_suite);
    let (out, run) = s_client_echo(
        server_config(identity),
        &["-tls1_2", "-cipher", openssl_suite, "-ign_eof"],
    );
    assert!(out.contains("Protocol  : TLSv1.2"), "{out}");
    assert!(
        out.contains(&format!("Cipher    : {openssl_suite}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("New, TLSv1.2, Cipher is {openssl_suite}")),
        "{out}"
    );
    let info = run.info.unwrap();
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(info.cipher_suite, suite);
    assert_eq!(info.group, Some(NamedGroup::X25519));
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert_eq!(info.server_name.as_deref(), Some("localhost"));
    assert!(info.peer_certificates.is_empty(), "no client certificate");
}

table_tests! {
    s_client_suite;
    s_client_to_our_server_ecdhe_ecdsa_aes128_gcm_sha256: ("ECDHE-ECDSA-AES128-GCM-SHA256");
    s_client_to_our_server_ecdhe_ecdsa_aes256_gcm_sha384: ("ECDHE-ECDSA-AES256-GCM-SHA384");
    s_client_to_our_server_ecdhe_ecdsa_chacha20_poly1305: ("ECDHE-ECDSA-CHACHA20-POLY1305");
    s_client_to_our_server_ecdhe_rsa_aes128_gcm_sha256: ("ECDHE-RSA-AES128-GCM-SHA256");
    s_client_to_our_server_ecdhe_rsa_aes256_gcm_sha384: ("ECDHE-RSA-AES256-GCM-SHA384");
    s_client_to_our_server_ecdhe_rsa_chacha20_poly1305: ("ECDHE-RSA-CHACHA20-POLY1305");
}

#[test]
fn default_s_client_offering_tls13_lands_on_tls12() {
    // No -tls1_2: OpenSSL 3 offers TLS 1.3 (supported_versions, key_share)
    // and TLS 1.2. It also checks the RFC 8446 §4.1.3 downgrade sentinel, so
    // this fails if our server wrongly claims to know TLS 1.3.
    let (out, run) = s_client_echo(server_config("server-p256"), &["-ign_eof"]);
    assert!(out.contains("Protocol  : TLSv1.2"), "{out}");
    assert!(
        out.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-"),
        "{out}"
    );
    let info = run.info.unwrap();
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert!(info.extended_master_secret);
}

// ---------------------------------------------------------------------------
// Groups, certificates and SNI
// ---------------------------------------------------------------------------

/// s_client offering only `openssl_group` to our server (which supports all
/// three): checks the group both sides report.
///
/// The server key is RSA: with an ECDSA key, the client's groups would also
/// constrain the certificate's curve (RFC 8422 §4, §5.3), which is
/// [`s_client_x25519_only_and_our_p256_ecdsa_server_gets_handshake_failure`]'s
/// subject.
fn s_client_group(openssl_group: &str, ours: NamedGroup, temp_key: &str) {
    let (out, run) = s_client_echo(
        server_config("server-rsa2048"),
        &["-tls1_2", "-groups", openssl_group, "-ign_eof"],
    );
    assert!(
        out.contains(&format!("Server Temp Key: {temp_key}")),
        "{out}"
    );
    assert_eq!(run.info.unwrap().group, Some(ours));
}

table_tests! {
    s_client_group;
    s_client_to_our_server_group_x25519: ("X25519", NamedGroup::X25519, "X25519, 253 bits");
    s_client_to_our_server_group_p256: ("P-256", NamedGroup::Secp256r1, "ECDH, prime256v1, 256 bits");
    s_client_to_our_server_group_p384: ("P-384", NamedGroup::Secp384r1, "ECDH, secp384r1, 384 bits");
}

#[test]
fn our_client_to_s_server_group_x25519() {
    let info = our_client_vs_s_server("ECDHE-RSA-CHACHA20-POLY1305", &["-groups", "X25519"]);
    assert_eq!(info.group, Some(NamedGroup::X25519));
}

/// s_client against our server serving `identity`: s_client verified the
/// chain (asserted by [`s_client_echo`]) and saw the leaf's name.
fn s_client_certificate(identity: &str, scheme: SignatureScheme) {
    let (out, run) = s_client_echo(server_config(identity), &["-tls1_2", "-ign_eof"]);
    assert!(out.contains(&format!("CN = {identity}")), "{out}");
    let info = run.info.unwrap();
    assert_eq!(info.signature_scheme, Some(scheme));
    assert!(
        out.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-"),
        "{out}"
    );
}

table_tests! {
    s_client_certificate;
    s_client_to_our_server_ecdsa_p384_certificate: ("server-p384", SignatureScheme::EcdsaSecp384r1Sha384);
    s_client_to_our_server_ed25519_certificate: ("server-ed25519", SignatureScheme::Ed25519);
}

#[test]
fn our_client_to_s_server_ecdsa_p384_certificate() {
    let info = our_client_vs_s_server_as("server-p384", "ECDHE-ECDSA-AES256-GCM-SHA384", &[]);
    // TLS 1.2 does not tie the hash to the curve: OpenSSL signs with the
    // first ECDSA scheme we offer.
    assert!(
        matches!(
            info.signature_scheme,
            Some(SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSecp384r1Sha384)
        ),
        "{info:?}"
    );
    assert_eq!(info.peer_certificates[0], certs("server-p384.pem")[0]);
}

#[test]
fn our_client_to_s_server_ed25519_certificate() {
    let info = our_client_vs_s_server_as("server-ed25519", "ECDHE-ECDSA-AES128-GCM-SHA256", &[]);
    assert_eq!(info.signature_scheme, Some(SignatureScheme::Ed25519));
    assert_eq!(info.peer_certificates[0], certs("server-ed25519.pem")[0]);
}

#[test]
fn s_client_sni_testserver_com_reaches_our_server() {
    // The later -servername and -verify_hostname replace s_client()'s.
    let (_, run) = s_client_echo(
        server_config("server-p256"),
        &[
            "-tls1_2",
            "-servername",
            "testserver.com",
            "-verify_hostname",
            "testserver.com",
            "-ign_eof",
        ],
    );
    assert_eq!(
        run.info.unwrap().server_name.as_deref(),
        Some("testserver.com")
    );
}

#[test]
fn our_client_sni_selects_s_server_second_certificate() {
    // s_server switches to its second certificate (RSA) only for the name
    // testserver.com, sent as SNI; for any other name it would keep the
    // ECDSA one, and -servername_fatal makes a mismatch fatal. -cert2 takes
    // no chain, so our client also trusts the intermediate directly.
    let (mut server, port) = s_server(
        "server-p256",
        &[
            "-tls1_2",
            "-rev",
            "-servername",
            "testserver.com",
            "-servername_fatal",
            "-cert2",
            &fixture_path("server-rsa2048.pem"),
            "-key2",
            &fixture_path("server-rsa2048.key"),
        ],
    );
    let mut roots = common::roots();
    roots.add(&certs("inter.pem")[0]).unwrap();
    let (info, answer) = our_client(port, ClientConfig::new(roots), "testserver.com", |tls| {
        rev_line(tls, "sni")
    })
    .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert_eq!(answer, "ins\n");
    assert_eq!(info.peer_certificates[0], certs("server-rsa2048.pem")[0]);
    assert_eq!(
        info.signature_scheme
            .map(|s| s.to_string().starts_with("rsa")),
        Some(true),
        "{info:?}"
    );
    assert!(server.wait_exit().success(), "{}", server.log());
    let log = server.text();
    assert!(
        log.contains("Hostname in TLS extension: \"testserver.com\""),
        "{log}"
    );
    assert!(log.contains("Switching server context."), "{log}");
}

// ---------------------------------------------------------------------------
// 1 byte and 16 MiB each way
// ---------------------------------------------------------------------------

/// s_client -quiet sends `data` (binary: every byte value) from its stdin to
/// our echo server; -quiet prints only the data it receives, so its stdout
/// must be exactly `data`. Our server closes first, s_client answers.
fn s_client_each_way(data: &[u8]) {
    let ours = our_server(server_config("server-rsa2048"), data.len());
    let mut client = s_client(
        ours.port,
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "-quiet",
        ],
    );
    client.feed_stdin(data.to_vec());
    let status = client.wait_exit();
    let run = ours.join();
    assert!(status.success(), "{}", client.log());
    assert_eq!(run.error, None);
    assert_eq!(run.read_error, None);
    assert_eq!(run.echoed.len(), data.len());
    assert!(run.echoed == data, "our server received corrupted data");
    let got = client.stdout();
    assert_eq!(got.len(), data.len(), "{}", client.stderr_text());
    assert!(got == data, "s_client received corrupted data");
    assert!(run.peer_closed, "s_client did not answer our close_notify");
    assert_eq!(
        run.info.unwrap().cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    );
}

table_tests! {
    s_client_each_way;
    s_client_to_our_echo_server_1_byte_each_way: (&[0xa5]);
    s_client_to_our_echo_server_16mib_each_way: (&pseudo_random(16 * MIB, 0x5eed_1234_abcd_0001));
}

/// Our client, driven straight through the sans-IO API over a non-blocking
/// socket, sends `data` while it receives `want` bytes, both at once; once
/// both are done it sends close_notify and waits for the peer's. Returns
/// what arrived, or the first error.
fn our_client_both_ways(
    port: u16,
    data: &[u8],
    want: usize,
) -> Result<(HandshakeInfo, Vec<u8>), Error> {
    let mut sock = connect(port);
    sock.set_nonblocking(true).unwrap();
    let mut conn = ClientConnection::new(
        Arc::new(client_config()),
        name("localhost"),
        UnixTime::now(),
    )
    .unwrap();
    let (mut sent, mut closed) = (0, false);
    let mut got = Vec::with_capacity(want);
    let mut buf = vec![0u8; 64 * 1024];
    let start = Instant::now();
    while !conn.peer_closed() || conn.wants_write() {
        assert!(
            start.elapsed() < DEADLINE,
            "stalled: sent {sent} of {}, received {} of {want}",
            data.len(),
            got.len()
        );
        let mut progress = false;
        if sent < data.len() {
            let n = conn.send(&data[sent..])?;
            sent += n;
            progress |= n > 0;
        }
        while conn.wants_write() {
            match sock.write(conn.pending_output()) {
                Ok(n) => {
                    conn.consume_output(n);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("writing to the socket: {e}"),
            }
        }
        match sock.read(&mut buf) {
            Ok(0) => {
                conn.eof()?;
                break;
            }
            Ok(n) => {
                progress = true;
                let mut offered = &buf[..n];
                while !offered.is_empty() && !conn.peer_closed() {
                    let used = conn.receive(offered)?;
                    offered = &offered[used..];
                    got.extend_from_slice(conn.plaintext());
                    let len = conn.plaintext().len();
                    conn.consume_plaintext(len);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("reading from the socket: {e}"),
        }
        if !closed && sent == data.len() && got.len() >= want && !conn.is_handshaking() {
            conn.close();
            closed = true;
            progress = true;
        }
        if !progress {
            thread::sleep(Duration::from_millis(1));
        }
    }
    assert!(closed, "the peer closed first");
    Ok((conn.handshake_info().unwrap().clone(), got))
}

/// Our client against `s_server -quiet`, binary data both ways at once.
///
/// s_server's -rev and -www modes are text-only, but its default mode is a
/// binary pipe: what it receives goes to stdout, its stdin goes to the peer,
/// and -quiet leaves nothing else on stdout. Its stdin must stay open: at
/// EOF s_server drops the connection without close_notify. It is
/// single-threaded with blocking writes, so our client reads and writes at
/// the same time ([`our_client_both_ways`]). Our close_notify goes first;
/// s_server answers it (we wait for that) and exits cleanly.
fn our_client_each_way_with_s_server(ours: &[u8], theirs: &[u8]) {
    let (mut server, port) = s_server(
        "server-p256",
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "-quiet",
        ],
    );
    server.feed_stdin_keep_open(theirs.to_vec());
    let (info, got) = our_client_both_ways(port, ours, theirs.len())
        .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert_eq!(got.len(), theirs.len());
    assert!(got == theirs, "we received corrupted data");
    assert!(server.wait_exit().success(), "{}", server.log());
    let received = server.stdout();
    assert_eq!(received.len(), ours.len(), "{}", server.stderr_text());
    assert!(received == ours, "s_server received corrupted data");
    // An EOF without close_notify would be "unexpected eof while reading".
    assert_eq!(server.stderr_text(), "", "{}", server.log());
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
}

table_tests! {
    our_client_each_way_with_s_server;
    our_client_to_s_server_1_byte_each_way: (&[0x00], &[0xff]);
    our_client_to_s_server_16mib_each_way: (&pseudo_random(16 * MIB, 0x0ddb_a11c_afe0_0002), &pseudo_random(16 * MIB, 0x0ddb_a11c_afe0_0003));
}

// ---------------------------------------------------------------------------
// close_notify, both ways
// ---------------------------------------------------------------------------

#[test]
fn our_server_closes_first_and_s_client_answers_close_notify() {
    // -msg shows the alerts s_client receives (<<<) and sends (>>>).
    let (out, run) = s_client_echo(
        server_config("server-p256"),
        &["-tls1_2", "-ign_eof", "-msg"],
    );
    let ours = out
        .find("<<< TLS 1.2, Alert [length 0002], warning close_notify")
        .expect(&out);
    let theirs = out
        .find(">>> TLS 1.2, Alert [length 0002], warning close_notify")
        .expect(&out);
    assert!(ours < theirs, "{out}");
    assert!(run.peer_closed);
}

#[test]
fn s_client_closes_first_and_our_server_answers_close_notify() {
    // Without -ign_eof, s_client sends close_notify at the end of its stdin.
    let line = b"closing after this line\n".to_vec();
    let ours = our_server_then(server_config("server-p256"), Then::ReadUntilPeerCloses);
    let mut client = s_client(ours.port, &["-tls1_2", "-msg"]);
    client.feed_stdin(line.clone());
    let status = client.wait_exit();
    let run = ours.join();
    assert!(status.success(), "{}", client.log());
    assert_eq!(run.error, None);
    assert_eq!(run.read_error, None, "{}", client.log());
    assert_eq!(run.echoed, line);
    assert!(run.peer_closed, "{}", client.log());
    assert!(client.stderr_text().contains("DONE"), "{}", client.log());
    let out = client.stdout_text();
    assert!(
        out.contains(">>> TLS 1.2, Alert [length 0002], warning close_notify"),
        "{out}"
    );
}

#[test]
fn our_client_closes_first_and_s_server_answers_close_notify() {
    let (mut server, port) = s_server("server-p256", &["-tls1_2", "-rev", "-msg"]);
    let mut sock = connect(port);
    let mut conn = ClientConnection::new(
        Arc::new(client_config()),
        name("localhost"),
        UnixTime::now(),
    )
    .unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    assert_eq!(rev_line(&mut tls, "bye"), "eyb\n");
    tls.close().unwrap();
    // s_server's answer: read returns 0 only after a close_notify (an EOF
    // without one is an error).
    let mut buf = [0u8; 16];
    let n = tls
        .read(&mut buf)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(n, 0);
    assert!(tls.connection().peer_closed());
    assert!(server.wait_exit().success(), "{}", server.log());
    let log = server.text();
    let ours = log
        .find("<<< TLS 1.2, Alert [length 0002], warning close_notify")
        .expect(&log);
    let theirs = log
        .find(">>> TLS 1.2, Alert [length 0002], warning close_notify")
        .expect(&log);
    assert!(ours < theirs, "{log}");
}

#[test]
fn s_server_closes_first_and_our_client_answers_close_notify() {
    // s_server -rev closes (with close_notify) when it reads the line CLOSE.
    let (mut server, port) = s_server("server-p256", &["-tls1_2", "-rev", "-msg"]);
    let mut sock = connect(port);
    let mut conn = ClientConnection::new(
        Arc::new(client_config()),
        name("localhost"),
        UnixTime::now(),
    )
    .unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    assert_eq!(rev_line(&mut tls, "hello"), "olleh\n");
    tls.write_all(b"CLOSE\n").unwrap();
    let mut buf = [0u8; 16];
    let n = tls
        .read(&mut buf)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(n, 0, "a close_notify, not data");
    assert!(tls.connection().peer_closed());
    // Our answer was queued and sent by the read that saw theirs.
    assert!(!tls.connection().wants_write());
    assert!(tls.connection().error().is_none());
    drop(tls);
    assert!(server.wait_exit().success(), "{}", server.log());
    let log = server.text();
    assert!(
        log.contains(">>> TLS 1.2, Alert [length 0002], warning close_notify"),
        "{log}"
    );
}

// ---------------------------------------------------------------------------
// ALPN
// ---------------------------------------------------------------------------

#[test]
fn alpn_s_client_h2_to_our_server() {
    let mut config = server_config("server-p256");
    config.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()].into();
    let (out, run) = s_client_echo(config, &["-tls1_2", "-alpn", "h2", "-ign_eof"]);
    assert!(out.contains("ALPN protocol: h2"), "{out}");
    assert_eq!(run.info.unwrap().alpn_protocol.as_deref(), Some(&b"h2"[..]));
}

#[test]
fn alpn_our_client_to_s_server_http11() {
    let (mut server, port) = s_server("server-p256", &["-tls1_2", "-alpn", "http/1.1", "-rev"]);
    let mut config = client_config();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let (info, answer) = our_client(port, config, "localhost", |tls| rev_line(tls, "alpn"))
        .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert_eq!(answer, "npla\n");
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert!(server.wait_exit().success(), "{}", server.log());
    let log = server.text();
    assert!(
        log.contains("ALPN protocols advertised by the client: h2, http/1.1"),
        "{log}"
    );
}

// ---------------------------------------------------------------------------
// Failures, as the peer sees them
// ---------------------------------------------------------------------------

#[test]
fn s_client_tls11_refused_by_our_server() {
    // OpenSSL 3 disables TLS 1.1 at the default security level;
    // SECLEVEL=0 lets s_client really offer it.
    let ours = our_server(server_config("server-p256"), 1);
    let mut client = s_client(
        ours.port,
        &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-ign_eof"],
    );
    client.feed_stdin(Vec::new());
    let status = client.wait_exit();
    let run = ours.join();
    assert!(!status.success(), "{}", client.log());
    assert!(
        client.text().contains("tlsv1 alert protocol version"),
        "{}",
        client.log()
    );
    assert!(
        client.text().contains("SSL alert number 70"),
        "{}",
        client.log()
    );
    assert_eq!(
        run.error,
        Some(Error::UnsupportedVersion {
            peer: ProtocolVersion::Tls11
        })
    );
    assert!(run.info.is_none());
}

#[test]
fn our_client_and_s_server_limited_to_tls_1_1_have_no_shared_cipher() {
    // Our ClientHello says TLS 1.2 and offers only AEAD suites, which exist
    // only in TLS 1.2. A TLS 1.1-only OpenSSL server first picks TLS 1.1 (the
    // highest version both speak, RFC 5246 Appendix E.1), then finds none of
    // our suites usable at that version and aborts with handshake_failure
    // ("no shared cipher") before any ServerHello. So no real peer ever
    // names TLS 1.1 in a ServerHello to our client (GnuTLS, asked for TLS
    // 1.1 only, refuses the same way), and this shows a refusal for want of
    // a common suite, not our version check. Our client's answer to a TLS
    // 1.1 ServerHello (UnsupportedVersion + protocol_version) is shown on
    // crafted ServerHellos: `version_rollback_server_hello` in
    // tests/attacks.rs.
    let (mut server, port) = s_server(
        "server-p256",
        &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-rev"],
    );
    let err =
        our_client(port, client_config(), "localhost", |_| ()).expect_err("handshake must fail");
    server.wait_exit();
    let log = server.text();
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HandshakeFailure),
        "{log}"
    );
    assert!(log.contains("no shared cipher"), "{log}");
    assert!(!log.contains("CONNECTION ESTABLISHED"), "{log}");
}

#[test]
fn our_client_rejects_wrong_name_and_s_server_sees_bad_certificate() {
    let (mut server, port) = s_server("server-p256", &["-tls1_2", "-rev"]);
    let err = our_client(port, client_config(), "wrong.example", |_| ())
        .expect_err("handshake must fail");
    assert_eq!(
        err,
        Error::Certificate(CertificateError::NotValidForName {
            expected: "wrong.example".into()
        })
    );
    assert_eq!(err.alert(), Some(AlertDescription::BadCertificate));
    server.wait_exit();
    let log = server.text();
    assert!(log.contains("sslv3 alert bad certificate"), "{log}");
    assert!(log.contains("SSL alert number 42"), "{log}");
    assert!(!log.contains("CONNECTION ESTABLISHED"), "{log}");
}

#[test]
fn our_client_rejects_unknown_ca_and_s_server_sees_unknown_ca() {
    // other-server-p256 chains to other-ca, which our client does not trust.
    let (mut server, port) =
        s_server_chain("other-server-p256", "other-ca.pem", &["-tls1_2", "-rev"]);
    let err =
        our_client(port, client_config(), "localhost", |_| ()).expect_err("handshake must fail");
    assert_eq!(err, Error::Certificate(CertificateError::UnknownIssuer));
    assert_eq!(err.alert(), Some(AlertDescription::UnknownCa));
    server.wait_exit();
    let log = server.text();
    assert!(log.contains("alert unknown ca"), "{log}");
    assert!(log.contains("SSL alert number 48"), "{log}");
    assert!(!log.contains("CONNECTION ESTABLISHED"), "{log}");
}

#[test]
fn our_client_rejects_expired_certificate_and_s_server_sees_certificate_expired() {
    // server-expired was valid for one day from 2026-11-22; we check it at
    // 2030-01-01 (common::now()).
    let (mut server, port) = s_server("server-expired", &["-tls1_2", "-rev"]);
    let err = our_client_at(port, client_config(), "localhost", common::now(), |_| ())
        .expect_err("handshake must fail");
    assert_eq!(err, Error::Certificate(CertificateError::Expired));
    assert_eq!(err.alert(), Some(AlertDescription::CertificateExpired));
    server.wait_exit();
    let log = server.text();
    assert!(log.contains("alert certificate expired"), "{log}");
    assert!(log.contains("SSL alert number 45"), "{log}");
    assert!(!log.contains("CONNECTION ESTABLISHED"), "{log}");
}

/// Runs s_client (`args`, TLS 1.2) against our server and expects the
/// handshake to fail: returns s_client's output and our server's error.
fn s_client_refused(config: ServerConfig, args: &[&str]) -> (String, Error) {
    let ours = our_server(config, 1);
    let mut all = vec!["-tls1_2", "-ign_eof"];
    all.extend_from_slice(args);
    let mut client = s_client(ours.port, &all);
    client.feed_stdin(Vec::new());
    let status = client.wait_exit();
    let run = ours.join();
    assert!(!status.success(), "{}", client.log());
    assert!(run.info.is_none(), "{run:?}");
    let err = run.error.expect("our server must fail the handshake");
    (client.text(), err)
}

#[test]
fn s_client_no_common_group_gets_handshake_failure() {
    let mut config = server_config("server-rsa2048");
    config.groups = vec![NamedGroup::X25519].into();
    let (log, err) = s_client_refused(config, &["-groups", "P-384"]);
    assert!(matches!(err, Error::NoCommonGroup { .. }), "{err:?}");
    assert!(log.contains("alert handshake failure"), "{log}");
    assert!(log.contains("SSL alert number 40"), "{log}");
}

#[test]
fn s_client_no_common_suite_gets_handshake_failure() {
    // CBC suites only, which we never accept.
    let (log, err) = s_client_refused(
        server_config("server-p256"),
        &[
            "-cipher",
            "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA",
        ],
    );
    assert!(matches!(err, Error::NoCommonCipherSuite { .. }), "{err:?}");
    assert!(log.contains("alert handshake failure"), "{log}");
    assert!(log.contains("SSL alert number 40"), "{log}");
}

#[test]
fn s_client_x25519_only_and_our_p256_ecdsa_server_have_no_common_suite() {
    // s_client offers only x25519, so a P-256 ECDSA key is not acceptable to
    // it: RFC 8422 §4 says a server MUST NOT negotiate an ECC suite unless it
    // can respect the client's curves, and §5.3 that the certificate's key
    // MUST respect them. With no RSA key, no suite we could use is
    // acceptable to the client, and the answer is handshake_failure; a
    // server that sent the P-256 certificate anyway would see s_client abort
    // with "wrong curve".
    let (log, err) = s_client_refused(server_config("server-p256"), &["-groups", "X25519"]);
    assert!(
        matches!(&err, Error::HandshakeFailure(why) if why.contains("curve of our ECDSA certificate")),
        "{err:?}"
    );
    assert_eq!(err.alert(), Some(AlertDescription::HandshakeFailure));
    assert!(log.contains("alert handshake failure"), "{log}");
    assert!(!log.contains("wrong curve"), "{log}");
}

#[test]
fn our_client_no_common_group_gets_handshake_failure() {
    let (mut server, port) = s_server("server-rsa2048", &["-tls1_2", "-groups", "P-384", "-rev"]);
    let mut config = client_config();
    config.groups = vec![NamedGroup::X25519].into();
    let err = our_client(port, config, "localhost", |_| ()).expect_err("handshake must fail");
    server.wait_exit();
    let log = server.text();
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HandshakeFailure),
        "{log}"
    );
    assert!(log.contains("no shared cipher"), "{log}");
    assert!(!log.contains("CONNECTION ESTABLISHED"), "{log}");
}

#[test]
fn our_client_no_common_suite_gets_handshake_failure() {
    let (mut server, port) = s_server(
        "server-p256",
        &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256", "-rev"],
    );
    let err =
        our_client(port, client_config(), "localhost", |_| ()).expect_err("handshake must fail");
    server.wait_exit();
    let log = server.text();
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HandshakeFailure),
        "{log}"
    );
    assert!(log.contains("no shared cipher"), "{log}");
}

#[test]
fn s_client_alpn_mismatch_gets_no_application_protocol() {
    let mut config = server_config("server-p256");
    config.alpn_protocols = vec![b"h2".to_vec()].into();
    let (log, err) = s_client_refused(config, &["-alpn", "http/1.1"]);
    assert!(
        matches!(err, Error::NoApplicationProtocol { .. }),
        "{err:?}"
    );
    assert!(log.contains("alert no application protocol"), "{log}");
    assert!(log.contains("SSL alert number 120"), "{log}");
}

// ---------------------------------------------------------------------------
// Garbage after the handshake
// ---------------------------------------------------------------------------

/// A TCP proxy for one connection to `upstream`: it forwards whole records
/// and flips one bit in the middle of the first application_data record
/// going from the client (`from_client`) or from the server. Returns its
/// port.
fn corrupting_proxy(upstream: u16, from_client: bool) -> u16 {
    let (listener, port) = listen();
    thread::spawn(move || {
        let Some(down) = accept_before_deadline(&listener) else {
            return;
        };
        let up = connect(upstream);
        let (down2, up2) = (down.try_clone().unwrap(), up.try_clone().unwrap());
        thread::spawn(move || forward_records(up2, down2, !from_client));
        forward_records(down, up, from_client);
    });
    port
}

fn forward_records(mut from: TcpStream, mut to: TcpStream, mut flip: bool) {
    let mut header = [0u8; 5];
    while from.read_exact(&mut header).is_ok() {
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let mut record = header.to_vec();
        record.resize(5 + len, 0);
        if from.read_exact(&mut record[5..]).is_err() {
            break;
        }
        if flip && header[0] == 23 && len > 0 {
            record[5 + len / 2] ^= 0x80;
            flip = false;
        }
        if to.write_all(&record).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

#[test]
fn s_client_corrupted_record_gets_bad_record_mac_and_nothing_delivered() {
    let ours = our_server(server_config("server-p256"), 1);
    let proxy = corrupting_proxy(ours.port, true);
    let mut client = s_client(proxy, &["-tls1_2", "-ign_eof"]);
    client.feed_stdin(b"attack at dawn\n".to_vec());
    let status = client.wait_exit();
    let run = ours.join();
    assert!(!status.success(), "{}", client.log());
    assert_eq!(run.error, None, "the handshake itself was intact");
    assert_eq!(
        run.read_error,
        Some(Error::BadRecordMac),
        "{}",
        client.log()
    );
    assert!(run.echoed.is_empty(), "delivered: {:?}", run.echoed);
    let log = client.text();
    assert!(log.contains("alert bad record mac"), "{log}");
    assert!(log.contains("SSL alert number 20"), "{log}");
}

#[test]
fn our_client_rejects_corrupted_s_server_record_with_bad_record_mac() {
    // -msg: s_server -rev prints no error for an alert it receives.
    let (mut server, port) = s_server("server-p256", &["-tls1_2", "-rev", "-msg"]);
    let proxy = corrupting_proxy(port, false);
    let mut sock = connect(proxy);
    let mut conn = ClientConnection::new(
        Arc::new(client_config()),
        name("localhost"),
        UnixTime::now(),
    )
    .unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    tls.write_all(b"attack at dawn\n").unwrap();
    let mut buf = [0u8; 64];
    let e = tls
        .read(&mut buf)
        .expect_err("the corrupted answer must not be read");
    drop(tls);
    assert_eq!(
        tls_error(&conn, &e),
        Error::BadRecordMac,
        "{}",
        server.log()
    );
    assert!(
        conn.plaintext().is_empty(),
        "delivered: {:?}",
        conn.plaintext()
    );
    server.wait_exit();
    let log = server.text();
    assert!(
        log.contains("<<< TLS 1.2, Alert [length 0002], fatal bad_record_mac"),
        "{log}"
    );
}
