//! Session resumption: by session ID (RFC 5246 §7.3) and by RFC 5077 ticket,
//! key rotation, lifetimes, cache capacity, and every mismatch falling back
//! to a full handshake.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tls12::pki_types::UnixTime;
use tls12::{
    CipherSuite, ClientConfig, ClientConnection, ServerConfig, ServerConnection, SessionCache,
    Ticketer,
};

const T0: u64 = NOW_SECS;

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// One connection at time `t`; returns whether it resumed (both sides agree).
fn connect(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>, name_: &str, t: u64) -> bool {
    let mut c = ClientConnection::new(cc.clone(), name(name_), at(t)).unwrap();
    let mut s = ServerConnection::new(sc.clone(), at(t)).unwrap();
    handshake(&mut c, &mut s).unwrap();
    let (ci, si) = (
        c.handshake_info().unwrap().clone(),
        s.handshake_info().unwrap().clone(),
    );
    assert_eq!(ci.resumed, si.resumed);
    assert_eq!(ci.cipher_suite, si.cipher_suite);
    assert_eq!(send_and_receive(&mut c, &mut s, b"ping"), b"ping");
    assert_eq!(send_and_receive(&mut s, &mut c, b"pong"), b"pong");
    if ci.resumed {
        // The server's chain is remembered with the session, and the group
        // of its full handshake (none is agreed in a resumption), on both
        // sides.
        assert_eq!(ci.peer_certificates, certs("server-p256.chain.pem"));
        assert!(ci.group.is_some());
        assert_eq!(ci.group, si.group);
    }
    ci.resumed
}

fn ids_only() -> ServerConfig {
    let mut sc = server_config("server-p256");
    sc.ticketer = None;
    sc
}

fn tickets_only(ticketer: Ticketer) -> ServerConfig {
    let mut sc = server_config("server-p256");
    sc.session_cache = None;
    sc.ticketer = Some(Arc::new(ticketer));
    sc
}

#[test]
fn resumes_by_session_id() {
    let cc = Arc::new(client_config());
    let sc = Arc::new(ids_only());
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(connect(&cc, &sc, "localhost", T0 + 1));
    assert!(connect(&cc, &sc, "localhost", T0 + 2));
}

#[test]
fn resumes_by_ticket() {
    let cc = Arc::new(client_config());
    let sc = Arc::new(tickets_only(Ticketer::new(
        Duration::from_secs(3600),
        Duration::from_secs(7200),
    )));
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(connect(&cc, &sc, "localhost", T0 + 1));
    // Each resumption brings a fresh ticket, which works again.
    assert!(connect(&cc, &sc, "localhost", T0 + 2));
}

#[test]
fn resumes_with_default_configs() {
    let cc = Arc::new(client_config());
    let sc = Arc::new(server_config("server-p256"));
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(connect(&cc, &sc, "localhost", T0 + 1));
}

#[test]
fn no_resumption_without_client_cache_or_server_state() {
    let mut cc = client_config();
    cc.session_cache = None;
    let (cc, sc) = (Arc::new(cc), Arc::new(server_config("server-p256")));
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(!connect(&cc, &sc, "localhost", T0 + 1));

    let mut sc = server_config("server-p256");
    sc.session_cache = None;
    sc.ticketer = None;
    let (cc, sc) = (Arc::new(client_config()), Arc::new(sc));
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(!connect(&cc, &sc, "localhost", T0 + 1));
}

#[test]
fn ticket_keys_rotate_and_old_tickets_expire_after_one_period() {
    let sc = Arc::new(tickets_only(Ticketer::new(
        Duration::from_secs(100),
        Duration::from_secs(10_000),
    )));
    // Clients A and D get tickets under key 1 (made at T0).
    let (a, d) = (Arc::new(client_config()), Arc::new(client_config()));
    assert!(!connect(&a, &sc, "localhost", T0));
    assert!(!connect(&d, &sc, "localhost", T0 + 10));
    // Client B's full handshake after the period rotates to key 2.
    let b = Arc::new(client_config());
    assert!(!connect(&b, &sc, "localhost", T0 + 150));
    // A's key-1 ticket is still accepted for one more period.
    assert!(connect(&a, &sc, "localhost", T0 + 170));
    // B's key-2 ticket is fine.
    assert!(connect(&b, &sc, "localhost", T0 + 240));
    // D's key-1 ticket is refused once key 1 is two periods old: a full
    // handshake, not an error.
    assert!(!connect(&d, &sc, "localhost", T0 + 260));
    // A slightly earlier time on another connection does not rotate keys
    // again: B's (renewed) ticket still opens.
    assert!(connect(&b, &sc, "localhost", T0 + 255));
}

#[test]
fn expired_sessions_are_not_resumed() {
    let mut sc = ids_only();
    sc.session_cache = Some(Arc::new(SessionCache::new(10, Duration::from_secs(60))));
    let (cc, sc) = (Arc::new(client_config()), Arc::new(sc));
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(connect(&cc, &sc, "localhost", T0 + 59));
    assert!(
        !connect(&cc, &sc, "localhost", T0 + 200),
        "past the server's lifetime"
    );

    let sc = Arc::new(tickets_only(Ticketer::new(
        Duration::from_secs(3600),
        Duration::from_secs(60),
    )));
    let cc = Arc::new(client_config());
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(
        !connect(&cc, &sc, "localhost", T0 + 61),
        "ticket past its lifetime"
    );
}

#[test]
fn session_cache_evicts_at_capacity() {
    let mut sc = ids_only();
    sc.session_cache = Some(Arc::new(SessionCache::new(1, Duration::from_secs(3600))));
    let sc = Arc::new(sc);
    let (a, b) = (Arc::new(client_config()), Arc::new(client_config()));
    assert!(!connect(&a, &sc, "localhost", T0));
    assert!(!connect(&b, &sc, "localhost", T0 + 1)); // evicts A's session
    assert!(!connect(&a, &sc, "localhost", T0 + 2));
    // A's new session evicted B's in turn.
    assert!(!connect(&b, &sc, "localhost", T0 + 3));
    assert!(connect(&b, &sc, "localhost", T0 + 4));
}

#[test]
fn mismatched_suite_falls_back_to_a_full_handshake() {
    let first = Arc::new(client_config());
    let sc = Arc::new(server_config("server-p256"));
    assert!(!connect(&first, &sc, "localhost", T0));
    // The same session cache, but a configuration without the session's suite.
    let mut other = (*first).clone();
    other.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256].into();
    assert!(!connect(&Arc::new(other), &sc, "localhost", T0 + 1));

    // The server no longer allowing the suite: likewise.
    let cc = Arc::new(client_config());
    let sc1 = server_config("server-p256");
    let mut sc2 = sc1.clone(); // shares the cache and the ticket keys
    sc2.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384].into();
    let (sc1, sc2) = (Arc::new(sc1), Arc::new(sc2));
    assert!(!connect(&cc, &sc1, "localhost", T0));
    assert!(!connect(&cc, &sc2, "localhost", T0 + 1));
}

#[test]
fn sessions_are_per_server_name() {
    let cc = Arc::new(client_config());
    let sc = Arc::new(server_config("server-p256"));
    assert!(!connect(&cc, &sc, "localhost", T0));
    assert!(!connect(&cc, &sc, "testserver.com", T0 + 1));
    assert!(connect(&cc, &sc, "localhost", T0 + 2));
    assert!(connect(&cc, &sc, "testserver.com", T0 + 3));
}

#[test]
fn unknown_ticket_keys_fall_back_to_a_full_handshake() {
    let cc = Arc::new(client_config());
    let hour = Duration::from_secs(3600);
    let sc1 = Arc::new(tickets_only(Ticketer::new(hour, hour)));
    let sc2 = Arc::new(tickets_only(Ticketer::new(hour, hour)));
    assert!(!connect(&cc, &sc1, "localhost", T0));
    // Another server (other ticket keys) cannot open the ticket.
    assert!(!connect(&cc, &sc2, "localhost", T0 + 1));
    // The new ticket from sc2 works there.
    assert!(connect(&cc, &sc2, "localhost", T0 + 2));
}

#[test]
fn alpn_is_negotiated_afresh_on_resumption() {
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"h2".to_vec()].into();
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let sc = Arc::new(sc);
    let cc1 = Arc::new(cc.clone());
    assert!(!connect(&cc1, &sc, "localhost", T0));
    let mut cc2 = cc;
    cc2.alpn_protocols = vec![b"http/1.1".to_vec()].into();
    let cc2 = Arc::new(cc2);
    let mut c = ClientConnection::new(cc2, name("localhost"), at(T0 + 1)).unwrap();
    let mut s = ServerConnection::new(sc, at(T0 + 1)).unwrap();
    handshake(&mut c, &mut s).unwrap();
    let info = c.handshake_info().unwrap();
    assert!(info.resumed);
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
}

#[test]
fn client_certificates_are_remembered_by_the_server() {
    let mut cc = client_config();
    cc.add_client_certificate(certs("client-p256.chain.pem"), key("client-p256.key"))
        .unwrap();
    let mut sc = server_config("server-p256");
    sc.client_auth = tls12::ClientAuth::Required(roots());
    let (cc, sc) = (Arc::new(cc), Arc::new(sc));
    for (t, resumed) in [(T0, false), (T0 + 1, true)] {
        let mut c = ClientConnection::new(cc.clone(), name("localhost"), at(t)).unwrap();
        let mut s = ServerConnection::new(sc.clone(), at(t)).unwrap();
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(s.handshake_info().unwrap().resumed, resumed);
        assert_eq!(
            s.handshake_info().unwrap().peer_certificates,
            certs("client-p256.chain.pem")
        );
    }
}

#[test]
fn resumed_handshake_delivered_byte_by_byte() {
    let cc = Arc::new(client_config());
    let sc = Arc::new(server_config("server-p256"));
    assert!(!connect(&cc, &sc, "localhost", T0));
    let mut c = ClientConnection::new(cc, name("localhost"), at(T0 + 1)).unwrap();
    let mut s = ServerConnection::new(sc, at(T0 + 1)).unwrap();
    for _ in 0..4 {
        transfer_chunked(&mut c, &mut s, 1).unwrap();
        transfer_chunked(&mut s, &mut c, 1).unwrap();
    }
    assert!(c.handshake_info().unwrap().resumed);
    assert!(!s.is_handshaking());
}

/// A ClientHello presenting `ticket`, with or without extended_master_secret.
fn hello_with_ticket(ticket: &[u8], ems: bool) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[9; 32]); // random
    body.push(32);
    body.extend_from_slice(&[0x42; 32]); // session ID (RFC 5077 §3.4)
    body.extend_from_slice(&[0, 2, 0xc0, 0x2b]); // ECDHE-ECDSA-AES128-GCM
    body.extend_from_slice(&[1, 0]);
    let mut exts = Vec::new();
    let mut push = |t: u16, b: &[u8]| {
        exts.extend_from_slice(&t.to_be_bytes());
        exts.extend_from_slice(&(b.len() as u16).to_be_bytes());
        exts.extend_from_slice(b);
    };
    push(
        0,
        &[
            0, 12, 0, 0, 9, b'l', b'o', b'c', b'a', b'l', b'h', b'o', b's', b't',
        ],
    );
    push(10, &[0, 4, 0, 0x1d, 0, 0x17]);
    push(13, &[0, 2, 4, 3]);
    if ems {
        push(23, &[]);
    }
    push(35, ticket);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut msg = vec![1];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    let mut rec = vec![22, 3, 3];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    rec
}

/// Runs a full handshake and returns the ticket the server issued, read from
/// its (unencrypted) NewSessionTicket.
fn issued_ticket(sc: &Arc<ServerConfig>) -> Vec<u8> {
    let mut c =
        ClientConnection::new(Arc::new(client_config()), name("localhost"), at(T0)).unwrap();
    let mut s = ServerConnection::new(sc.clone(), at(T0)).unwrap();
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    transfer(&mut c, &mut s).unwrap();
    let flight = s.pending_output().to_vec();
    assert_eq!(&flight[..1], &[22]);
    let msg = &flight[5..];
    assert_eq!(msg[0], 4, "NewSessionTicket first");
    let len = u16::from_be_bytes([msg[8], msg[9]]) as usize;
    msg[10..10 + len].to_vec()
}

#[test]
fn ems_session_offered_without_ems_aborts_rfc7627() {
    let mut sc = tickets_only(Ticketer::new(
        Duration::from_secs(3600),
        Duration::from_secs(3600),
    ));
    sc.require_extended_master_secret = false;
    let sc = Arc::new(sc);
    let ticket = issued_ticket(&sc);

    // With the extension the ticket is accepted: ServerHello echoes our ID.
    let mut s = ServerConnection::new(sc.clone(), at(T0 + 1)).unwrap();
    s.receive(&hello_with_ticket(&ticket, true)).unwrap();
    let out = s.pending_output();
    assert_eq!(out[5], 2, "ServerHello");
    assert_eq!(
        &out[5 + 4 + 2 + 32..][..33],
        &[&[32u8][..], &[0x42; 32]].concat()[..]
    );

    // RFC 7627 §5.3: the same session offered without it aborts.
    let mut s = ServerConnection::new(sc, at(T0 + 1)).unwrap();
    let err = s.receive(&hello_with_ticket(&ticket, false)).unwrap_err();
    assert!(matches!(err, tls12::Error::HandshakeFailure(_)), "{err:?}");
    assert_eq!(err.alert(), Some(tls12::AlertDescription::HandshakeFailure));
}

#[test]
fn garbage_ticket_falls_back_to_a_full_handshake() {
    let sc = Arc::new(tickets_only(Ticketer::new(
        Duration::from_secs(3600),
        Duration::from_secs(3600),
    )));
    let mut ticket = issued_ticket(&sc);
    let last = ticket.len() - 1;
    ticket[last] ^= 1;
    for t in [&ticket[..], &ticket[..20], &[0u8; 3][..], &[0xff; 300][..]] {
        let mut s = ServerConnection::new(sc.clone(), at(T0 + 1)).unwrap();
        s.receive(&hello_with_ticket(t, true)).unwrap();
        let out = s.pending_output();
        // A full handshake: ServerHello with a fresh (empty) ID, then Certificate.
        assert_eq!(out[5], 2);
        assert_eq!(out[5 + 4 + 2 + 32], 0, "no session ID echoed");
    }
}

#[test]
fn a_client_that_keeps_no_peer_certificates_still_verifies_and_resumes() {
    let mut lean = client_config();
    lean.keep_peer_certificates = false;
    let cc = Arc::new(lean);
    let sc = Arc::new(ids_only());
    for (t, resumed) in [(T0, false), (T0 + 1, true)] {
        let mut c = ClientConnection::new(cc.clone(), name("localhost"), at(t)).unwrap();
        let mut s = ServerConnection::new(sc.clone(), at(t)).unwrap();
        handshake(&mut c, &mut s).unwrap();
        let info = c.handshake_info().unwrap();
        assert_eq!(info.resumed, resumed);
        assert!(info.peer_certificates.is_empty(), "chain kept");
    }
    // The chain is still verified: a server the roots do not vouch for fails.
    let mut c = ClientConnection::new(cc.clone(), name("localhost"), at(T0)).unwrap();
    let mut s =
        ServerConnection::new(Arc::new(server_config("other-server-p256")), at(T0)).unwrap();
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(err.0, Side::Client, "{err:?}");
    // And by default the chain is kept.
    let cc = Arc::new(client_config());
    let mut c = ClientConnection::new(cc, name("localhost"), at(T0)).unwrap();
    let mut s = ServerConnection::new(sc, at(T0)).unwrap();
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        c.handshake_info().unwrap().peer_certificates,
        certs("server-p256.chain.pem")
    );
}

#[test]
fn a_session_is_not_resumed_with_a_key_its_suite_cannot_use() {
    // RFC 5246 §7.4.1.2: the session's suite must still be usable. A server
    // that now has an RSA key (sharing the session cache and ticket keys)
    // cannot resume an ECDHE_ECDSA session, though the client offers that
    // suite: a full handshake with an RSA suite instead.
    let cc = Arc::new(client_config());
    let ecdsa = server_config("server-p256");
    let mut rsa = server_config("server-rsa2048");
    rsa.session_cache = ecdsa.session_cache.clone();
    rsa.ticketer = ecdsa.ticketer.clone();
    let (ecdsa, rsa) = (Arc::new(ecdsa), Arc::new(rsa));
    assert!(!connect(&cc, &ecdsa, "localhost", T0));
    assert!(connect(&cc, &ecdsa, "localhost", T0 + 1), "resumes as is");
    let mut c = ClientConnection::new(cc, name("localhost"), at(T0 + 2)).unwrap();
    let mut s = ServerConnection::new(rsa, at(T0 + 2)).unwrap();
    handshake(&mut c, &mut s).unwrap();
    let info = s.handshake_info().unwrap();
    assert!(!info.resumed);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

#[test]
fn a_ticket_too_large_for_its_message_is_sent_empty() {
    // A ticket holds the session, client chain included; past 64 KiB it no
    // longer fits NewSessionTicket's 16-bit length. RFC 5077 §3.3 lets the
    // server send an empty ticket instead: the handshake completes and the
    // next connection is a full handshake.
    let mut chain = certs("client-p256.chain.pem");
    let ca = certs("ca.pem").remove(0);
    while chain.iter().map(|c| c.len()).sum::<usize>() <= 0xffff {
        chain.push(ca.clone());
    }
    let mut cc = client_config();
    cc.add_client_certificate(chain.clone(), key("client-p256.key"))
        .unwrap();
    let mut sc = tickets_only(Ticketer::new(
        Duration::from_secs(3600),
        Duration::from_secs(3600),
    ));
    sc.client_auth = tls12::ClientAuth::Required(roots());
    sc.limits.max_certificate_chain_len = chain.len();
    sc.limits.max_handshake_message_len = 1 << 20;
    let (cc, sc) = (Arc::new(cc), Arc::new(sc));
    for t in [T0, T0 + 1] {
        let mut c = ClientConnection::new(cc.clone(), name("localhost"), at(t)).unwrap();
        let mut s = ServerConnection::new(sc.clone(), at(t)).unwrap();
        handshake(&mut c, &mut s).unwrap();
        let info = s.handshake_info().unwrap();
        assert!(!info.resumed, "at {t}: no ticket to resume with");
        assert_eq!(info.peer_certificates, chain);
    }
}

/// The extension `typ` of the ClientHello at the start of `wire`, if sent.
fn client_hello_extension(wire: &[u8], typ: u16) -> Option<Vec<u8>> {
    let hello = split_messages(&split_records(wire)[0]).remove(0);
    assert_eq!(hello[0], 1, "ClientHello");
    let b = &hello[4..];
    let mut at = 34;
    at += 1 + usize::from(b[at]); // session_id
    at += 2 + usize::from(u16::from_be_bytes([b[at], b[at + 1]])); // suites
    at += 1 + usize::from(b[at]); // compression methods
    at += 2; // extensions length
    while at < b.len() {
        let t = u16::from_be_bytes([b[at], b[at + 1]]);
        let len = usize::from(u16::from_be_bytes([b[at + 2], b[at + 3]]));
        if t == typ {
            return Some(b[at + 4..at + 4 + len].to_vec());
        }
        at += 4 + len;
    }
    None
}

#[test]
fn a_renewed_ticket_does_not_renew_the_session_on_the_client() {
    // Tickets live 100 s and are renewed past half of that. A resumption at
    // T0 + 90 brings a new ticket, but the session still dates from T0 (as
    // it does for the server): at T0 + 110 the client offers no ticket (an
    // empty session_ticket extension, RFC 5077 §3.1) and the handshake is a
    // full one.
    let sc = Arc::new(tickets_only(
        Ticketer::new(Duration::from_secs(3600), Duration::from_secs(100)).renew_after_percent(50),
    ));
    let cc = Arc::new(client_config());
    assert!(!connect(&cc, &sc, "localhost", T0));

    let mut c = ClientConnection::new(cc.clone(), name("localhost"), at(T0 + 90)).unwrap();
    let mut s = ServerConnection::new(sc.clone(), at(T0 + 90)).unwrap();
    assert!(!client_hello_extension(c.pending_output(), 35)
        .unwrap()
        .is_empty());
    transfer(&mut c, &mut s).unwrap();
    let flight: Vec<_> = split_records(s.pending_output())
        .into_iter()
        .take_while(|r| r[0] != 20)
        .collect();
    let renewed = handshake_messages(&flight).iter().any(|m| m[0] == 4);
    assert!(renewed, "a NewSessionTicket with the resumption");
    handshake(&mut c, &mut s).unwrap();
    assert!(c.handshake_info().unwrap().resumed);

    let c = ClientConnection::new(cc.clone(), name("localhost"), at(T0 + 110)).unwrap();
    assert_eq!(
        client_hello_extension(c.pending_output(), 35),
        Some(Vec::new()),
        "the session is past its lifetime: no ticket offered"
    );
    assert!(!connect(&cc, &sc, "localhost", T0 + 111));
}

/// A resumed session reports the signature scheme of its full handshake's
/// ServerKeyExchange, as it reports the certificates (no ServerKeyExchange
/// is sent on resumption; BoGo's Client-Verify tests resume).
#[test]
fn a_resumed_session_reports_its_full_handshakes_signature_scheme_and_group() {
    let mut client = client_config();
    client.session_cache = Some(Arc::new(tls12::ClientSessionCache::new(4)));
    let client = Arc::new(client);
    let server = Arc::new(server_config("server-p256"));
    let mut schemes = Vec::new();
    let mut groups = Vec::new();
    for round in 0..2 {
        let (mut c, mut s) = pair_from(client.clone(), server.clone(), "localhost");
        handshake(&mut c, &mut s).unwrap();
        for info in [c.handshake_info().unwrap(), s.handshake_info().unwrap()] {
            assert_eq!(info.resumed, round == 1);
            schemes.push(info.signature_scheme);
            groups.push(info.group);
        }
        // The chain served is reported for the full handshake only: a
        // resumption sends no Certificate.
        let served = s.handshake_info().unwrap().chain_index;
        assert_eq!(served, (round == 0).then_some(0));
    }
    assert!(schemes[0].is_some());
    assert!(schemes.iter().all(|s| *s == schemes[0]), "{schemes:?}");
    // Likewise the ECDHE group.
    assert!(groups[0].is_some());
    assert!(groups.iter().all(|g| *g == groups[0]), "{groups:?}");
}
