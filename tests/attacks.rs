//! Attack regression tests: each test replays the wire behaviour of a
//! published attack against TLS 1.2 implementations (crafted bytes through
//! the public API only) and checks the exact error, the alert the peer is
//! sent, and, where it matters, that no application data is delivered.
//!
//! Attacks that need the crate's internals (re-sealing records under real
//! keys, signing a crafted ServerKeyExchange, setting sequence numbers,
//! minting tickets for sessions without the extended master secret) live in
//! `src/conn/attack_tests.rs`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::wire::*;
use common::*;
use tls12::pki_types::{ServerName, UnixTime};
use tls12::{
    AlertDescription as A, CipherSuite, ClientAuth, ClientConfig, ClientConnection, Connection,
    Error, Event, NamedGroup, ProtocolVersion, ServerConfig, ServerConnection, Ticketer,
};

// ---------------------------------------------------------------------------
// Crafting helpers.
// ---------------------------------------------------------------------------

/// server_name extension body for `name` (RFC 6066 §3).
fn sni(name: &[u8]) -> Vec<u8> {
    let mut b = ((name.len() + 3) as u16).to_be_bytes().to_vec();
    b.push(0);
    b.extend_from_slice(&(name.len() as u16).to_be_bytes());
    b.extend_from_slice(name);
    b
}

/// A ServerHello taken apart, to be changed and put back together.
#[derive(Clone)]
struct ServerHello {
    version: u16,
    random: Vec<u8>,
    session_id: Vec<u8>,
    suite: u16,
    compression: u8,
    exts: Vec<(u16, Vec<u8>)>,
}

impl ServerHello {
    fn parse(msg: &[u8]) -> Self {
        assert_eq!(msg[0], 2, "ServerHello");
        let b = &msg[4..];
        let sid_len = b[34] as usize;
        let mut at = 35 + sid_len;
        let suite = u16::from_be_bytes([b[at], b[at + 1]]);
        let compression = b[at + 2];
        at += 3;
        let ext_len = u16::from_be_bytes([b[at], b[at + 1]]) as usize;
        at += 2;
        assert_eq!(at + ext_len, b.len());
        let mut exts = Vec::new();
        while at < b.len() {
            let t = u16::from_be_bytes([b[at], b[at + 1]]);
            let l = u16::from_be_bytes([b[at + 2], b[at + 3]]) as usize;
            exts.push((t, b[at + 4..at + 4 + l].to_vec()));
            at += 4 + l;
        }
        Self {
            version: u16::from_be_bytes([b[0], b[1]]),
            random: b[2..34].to_vec(),
            session_id: b[35..35 + sid_len].to_vec(),
            suite,
            compression,
            exts,
        }
    }

    fn ext_types(&self) -> Vec<u16> {
        self.exts.iter().map(|(t, _)| *t).collect()
    }

    fn without(mut self, typ: u16) -> Self {
        self.exts.retain(|(t, _)| *t != typ);
        self
    }

    fn with(mut self, typ: u16, body: &[u8]) -> Self {
        self.exts.push((typ, body.to_vec()));
        self
    }

    fn encode(&self) -> Vec<u8> {
        let mut b = self.version.to_be_bytes().to_vec();
        b.extend_from_slice(&self.random);
        b.push(self.session_id.len() as u8);
        b.extend_from_slice(&self.session_id);
        b.extend_from_slice(&self.suite.to_be_bytes());
        b.push(self.compression);
        b.extend_from_slice(&encode_extensions(&self.exts));
        handshake_msg(2, &b)
    }

    fn record(&self) -> Vec<u8> {
        hs_record(&self.encode())
    }
}

/// A client that sent its ClientHello and a server that answered it; the
/// server's first flight split into handshake messages.
fn flight_with(
    cc: ClientConfig,
    sc: ServerConfig,
) -> (ClientConnection, ServerConnection, Vec<Vec<u8>>) {
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    let msgs = split_messages(&take_output(&mut s));
    (c, s, msgs)
}

fn flight() -> (ClientConnection, ServerConnection, Vec<Vec<u8>>) {
    let (c, s, msgs) = flight_with(client_config(), server_config("server-p256"));
    assert_eq!(
        msgs.iter().map(|m| m[0]).collect::<Vec<_>>(),
        [2, 11, 12, 14]
    );
    (c, s, msgs)
}

/// Feeds the client messages of the server's flight, which must be accepted.
fn feed(c: &mut Connection, msgs: &[Vec<u8>]) {
    for m in msgs {
        c.receive(&hs_record(m)).unwrap();
    }
}

/// Asserts that `err` is unexpected_message with these names, and that the
/// alert is queued in the clear.
fn assert_unexpected_plain(
    conn: &Connection,
    err: Error,
    got: &'static str,
    expected: &'static str,
) {
    assert_eq!(err, Error::UnexpectedMessage { got, expected });
    assert_eq!(plaintext_alert(conn), Some(A::UnexpectedMessage));
    // The connection is dead: it repeats the error for anything more.
    assert_eq!(conn.error(), Some(&err));
}

fn established_pair_with(
    cc: ClientConfig,
    sc: ServerConfig,
) -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    events(&mut c);
    events(&mut s);
    (c, s)
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

// ---------------------------------------------------------------------------
// SKIP-TLS / SMACK (Beurdouche et al., "A Messy State of the Union: Taming
// the Composite State Machines of TLS", IEEE S&P 2015).
// ---------------------------------------------------------------------------

/// SKIP-TLS, server side of the attack (Beurdouche et al., IEEE S&P 2015,
/// "skip ServerKeyExchange", the ECDHE variant of the EXPORT/FREAK state
/// confusion): ServerHelloDone arrives straight after Certificate. Proves the
/// client never falls back to a key exchange without the server's signed
/// ephemeral key: unexpected_message, sent in the clear, and no
/// ClientKeyExchange is produced.
#[test]
fn skip_tls_server_omits_server_key_exchange() {
    let (mut c, _s, msgs) = flight();
    feed(&mut c, &msgs[..2]);
    let err = c.receive(&hs_record(&msgs[3])).unwrap_err();
    assert_unexpected_plain(&c, err, "ServerHelloDone", "ServerKeyExchange");
    // Only the alert went out: no ClientKeyExchange, ChangeCipherSpec or Finished.
    assert_eq!(c.pending_output(), [21, 3, 3, 0, 2, 2, 10]);
}

/// SKIP-TLS (Beurdouche et al., IEEE S&P 2015): the server skips Certificate
/// and ServerKeyExchange (the "anonymous" path). Proves an unauthenticated
/// server cannot get a key exchange out of the client.
#[test]
fn skip_tls_server_omits_certificate_and_key_exchange() {
    let (mut c, _s, msgs) = flight();
    feed(&mut c, &msgs[..1]);
    let err = c.receive(&hs_record(&msgs[3])).unwrap_err();
    assert_unexpected_plain(&c, err, "ServerHelloDone", "Certificate");
    let (mut c, _s, msgs) = flight();
    feed(&mut c, &msgs[..1]);
    let err = c.receive(&hs_record(&msgs[2])).unwrap_err();
    assert_unexpected_plain(&c, err, "ServerKeyExchange", "Certificate");
}

/// SKIP-TLS (Beurdouche et al., IEEE S&P 2015), "skip ChangeCipherSpec": the
/// server's Finished arrives (in the clear) where its ChangeCipherSpec should
/// be, both when a ticket was promised (the client waits for
/// NewSessionTicket) and after the ticket. Proves the client never accepts a
/// Finished that was not protected under the new keys: unexpected_message,
/// which reaches the server encrypted.
#[test]
fn skip_tls_server_omits_change_cipher_spec() {
    let finished = hs_record(&handshake_msg(20, &[0; 12]));
    // Waiting for the promised NewSessionTicket.
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    transfer(&mut c, &mut s).unwrap();
    let records = split_records(&take_output(&mut s));
    assert_eq!(
        records.iter().map(|r| r[0]).collect::<Vec<_>>(),
        [22, 20, 22]
    );
    let err = c.receive(&finished).unwrap_err();
    assert_eq!(
        err,
        Error::UnexpectedMessage {
            got: "Finished",
            expected: "NewSessionTicket"
        }
    );
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(A::UnexpectedMessage))
    );
    // After the ticket: the plaintext Finished instead of ChangeCipherSpec.
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    transfer(&mut c, &mut s).unwrap();
    let records = split_records(&take_output(&mut s));
    c.receive(&records[0]).unwrap();
    let err = c.receive(&finished).unwrap_err();
    assert_eq!(
        err,
        Error::UnexpectedMessage {
            got: "Finished",
            expected: "ChangeCipherSpec"
        }
    );
    assert!(c.handshake_info().is_none());
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(A::UnexpectedMessage))
    );
    // Without tickets the client goes straight to waiting for ChangeCipherSpec.
    let mut cc = client_config();
    cc.enable_tickets = false;
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    transfer(&mut c, &mut s).unwrap();
    let records = split_records(&take_output(&mut s));
    assert_eq!(records.iter().map(|r| r[0]).collect::<Vec<_>>(), [20, 22]);
    let err = c.receive(&finished).unwrap_err();
    assert_eq!(
        err,
        Error::UnexpectedMessage {
            got: "Finished",
            expected: "ChangeCipherSpec"
        }
    );
}

/// SKIP-TLS (Beurdouche et al., IEEE S&P 2015), client side: the client
/// skips ChangeCipherSpec and sends its Finished (in the clear) right after
/// ClientKeyExchange. Proves the server requires the change of keys:
/// unexpected_message in the clear.
#[test]
fn skip_tls_client_omits_change_cipher_spec() {
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let records = split_records(&take_output(&mut c));
    assert_eq!(
        records.iter().map(|r| r[0]).collect::<Vec<_>>(),
        [22, 20, 22]
    );
    s.receive(&records[0]).unwrap();
    let err = s
        .receive(&hs_record(&handshake_msg(20, &[0; 12])))
        .unwrap_err();
    assert_unexpected_plain(&s, err, "Finished", "ChangeCipherSpec");
}

/// SKIP-TLS / "early application data" (Beurdouche et al., IEEE S&P 2015):
/// the client sends application data before ChangeCipherSpec and Finished,
/// in the clear. Proves the server never delivers data from an
/// unauthenticated peer: unexpected_message, nothing readable, no event.
#[test]
fn skip_tls_client_sends_application_data_before_finished() {
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let records = split_records(&take_output(&mut c));
    s.receive(&records[0]).unwrap();
    let err = s.receive(&record(23, 0x0303, b"GET /admin")).unwrap_err();
    assert_unexpected_plain(&s, err, "application data", "ChangeCipherSpec");
    assert!(s.plaintext().is_empty());
    assert!(!events(&mut s).contains(&Event::ApplicationData));
    // Before ClientKeyExchange too.
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    let err = s.receive(&record(23, 0x0303, b"GET /admin")).unwrap_err();
    assert_unexpected_plain(&s, err, "application data", "ClientKeyExchange");
    assert!(s.plaintext().is_empty());
}

/// SKIP-TLS (Beurdouche et al., IEEE S&P 2015): a server skipping the whole
/// handshake and sending application data right after ServerHello (or
/// before it). Proves the client delivers nothing.
#[test]
fn skip_tls_server_sends_application_data_during_the_handshake() {
    for state in 0..4 {
        let (mut c, _s, msgs) = flight();
        feed(&mut c, &msgs[..state]);
        let err = c.receive(&record(23, 0x0303, b"HTTP/1.1 200")).unwrap_err();
        let expected = [
            "ServerHello",
            "Certificate",
            "ServerKeyExchange",
            "CertificateRequest or ServerHelloDone",
        ][state];
        assert_unexpected_plain(&c, err, "application data", expected);
        assert!(c.plaintext().is_empty());
        assert!(events(&mut c).is_empty());
    }
}

// ---------------------------------------------------------------------------
// Early ChangeCipherSpec (CVE-2014-0224).
// ---------------------------------------------------------------------------

/// CVE-2014-0224 (OpenSSL early CCS injection, Kikuchi 2014): a
/// ChangeCipherSpec injected before the master secret exists makes a
/// vulnerable peer derive keys from an empty master secret. Proves that the
/// client refuses it in every state before it has keys (and in the middle of
/// a fragmented handshake message), with and without a CertificateRequest:
/// unexpected_message in the clear.
#[test]
fn early_ccs_client_every_pre_key_state() {
    let names = [
        "ServerHello",
        "Certificate",
        "ServerKeyExchange",
        "CertificateRequest or ServerHelloDone",
    ];
    for state in 0..4 {
        let (mut c, _s, msgs) = flight();
        feed(&mut c, &msgs[..state]);
        let err = c.receive(&ccs_record()).unwrap_err();
        assert_unexpected_plain(&c, err.clone(), "ChangeCipherSpec", names[state]);
        // Not even the legitimate next message is processed afterwards: the
        // dead connection repeats its error.
        assert_eq!(c.receive(&hs_record(&msgs[state])), Err(err));
        assert!(!c.is_handshaking());
    }
    // After a CertificateRequest, still waiting for ServerHelloDone.
    let mut sc = server_config("server-p256");
    sc.client_auth = ClientAuth::Required(roots());
    let (mut c, _s, msgs) = flight_with(client_config(), sc);
    assert_eq!(
        msgs.iter().map(|m| m[0]).collect::<Vec<_>>(),
        [2, 11, 12, 13, 14]
    );
    feed(&mut c, &msgs[..4]);
    let err = c.receive(&ccs_record()).unwrap_err();
    assert_unexpected_plain(&c, err, "ChangeCipherSpec", "ServerHelloDone");
    // In the middle of a handshake message split across records.
    let (mut c, _s, msgs) = flight();
    c.receive(&hs_record(&msgs[0][..10])).unwrap();
    let err = c.receive(&ccs_record()).unwrap_err();
    assert_unexpected_plain(
        &c,
        err,
        "ChangeCipherSpec inside a handshake message",
        "the rest of the handshake message",
    );
    // After the client's Finished, while the promised ticket is due, CCS
    // would skip NewSessionTicket.
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    assert_eq!(
        c.receive(&ccs_record()),
        Err(Error::UnexpectedMessage {
            got: "ChangeCipherSpec",
            expected: "NewSessionTicket"
        })
    );
}

/// CVE-2014-0224, server side: ChangeCipherSpec before ClientHello, before
/// ClientKeyExchange, and (with client authentication) before Certificate
/// and before CertificateVerify. Proves the server never switches keys
/// before the key exchange (and, with client auth, before the client proved
/// its key): unexpected_message in the clear.
#[test]
fn early_ccs_server_every_pre_key_state() {
    let (_, mut s) = pair("server-p256");
    let err = s.receive(&ccs_record()).unwrap_err();
    assert_unexpected_plain(&s, err, "ChangeCipherSpec", "ClientHello");

    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    let err = s.receive(&ccs_record()).unwrap_err();
    assert_unexpected_plain(&s, err, "ChangeCipherSpec", "ClientKeyExchange");

    // Client authentication: before Certificate, before ClientKeyExchange
    // (after Certificate) and before CertificateVerify.
    let mut cc = client_config();
    cc.add_client_certificate(certs("client-p256.chain.pem"), key("client-p256.key"))
        .unwrap();
    let mut sc = server_config("server-p256");
    sc.client_auth = ClientAuth::Required(roots());
    for (delivered, expected) in [
        (0, "Certificate"),
        (1, "ClientKeyExchange"),
        (2, "CertificateVerify"),
    ] {
        let (mut c, mut s) = pair_with(cc.clone(), sc.clone(), "localhost");
        transfer(&mut c, &mut s).unwrap();
        transfer(&mut s, &mut c).unwrap();
        let records = split_records(&take_output(&mut c));
        assert_eq!(
            records.iter().map(|r| r[5]).collect::<Vec<_>>()[..3],
            [11, 16, 15],
            "Certificate, ClientKeyExchange, CertificateVerify"
        );
        for r in &records[..delivered] {
            s.receive(r).unwrap();
        }
        let err = s.receive(&ccs_record()).unwrap_err();
        assert_unexpected_plain(&s, err, "ChangeCipherSpec", expected);
    }
}

// ---------------------------------------------------------------------------
// FREAK (CVE-2015-0204) and Logjam (CVE-2015-4000) style downgrades.
// ---------------------------------------------------------------------------

/// FREAK (CVE-2015-0204; Beurdouche et al. 2015) and Logjam (CVE-2015-4000;
/// Adrian et al., CCS 2015): a man in the middle makes the server's
/// ServerHello pick an export, plain-RSA, DHE, anonymous, CBC, NULL,
/// signalling or TLS 1.3 suite the client never offered. Proves the client
/// checks the choice against its own list: illegal_parameter in the clear.
#[test]
fn freak_logjam_server_chooses_a_suite_never_offered() {
    for suite in [
        0x0003u16, // TLS_RSA_EXPORT_WITH_RC4_40_MD5
        0x0008,    // TLS_RSA_EXPORT_WITH_DES40_CBC_SHA
        0x0014,    // TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA
        0x0062,    // TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA
        0x002f,    // TLS_RSA_WITH_AES_128_CBC_SHA
        0x009c,    // TLS_RSA_WITH_AES_128_GCM_SHA256
        0x0033,    // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
        0x009e,    // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
        0x0034,    // TLS_DH_anon_WITH_AES_128_CBC_SHA
        0xc018,    // TLS_ECDH_anon_WITH_AES_128_CBC_SHA
        0xc013,    // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
        0x0000,    // TLS_NULL_WITH_NULL_NULL
        0x00ff,    // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
        0x5600,    // TLS_FALLBACK_SCSV
        0x1301,    // TLS_AES_128_GCM_SHA256 (TLS 1.3)
    ] {
        let (mut c, _s, msgs) = flight();
        let mut sh = ServerHello::parse(&msgs[0]);
        sh.suite = suite;
        let err = c.receive(&sh.record()).unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter("server chose a cipher suite we did not offer"),
            "{suite:#06x}"
        );
        assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
    }
    // A suite we implement but this client was configured not to offer.
    let mut cc = client_config();
    cc.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256].into();
    let (mut c, _s, msgs) = flight_with(cc, server_config("server-p256"));
    let mut sh = ServerHello::parse(&msgs[0]);
    assert_eq!(sh.suite, 0xcca9);
    sh.suite = ECDSA_AES128;
    assert_eq!(
        c.receive(&sh.record()),
        Err(Error::IllegalParameter(
            "server chose a cipher suite we did not offer"
        ))
    );
}

/// Rewrites the ServerKeyExchange params (curve_type, group, point) and
/// keeps the original signature bytes after them.
fn ske_with_params(ske: &[u8], params: &[u8]) -> Vec<u8> {
    let point_len = ske[4 + 3] as usize;
    let signed = &ske[4 + 4 + point_len..];
    let mut body = params.to_vec();
    body.extend_from_slice(signed);
    handshake_msg(12, &body)
}

/// Logjam (CVE-2015-4000) / explicit-curve attacks (e.g. CVE-2020-0601
/// "CurveBall"; RFC 8422 §5.4 deprecates explicit curves): a
/// ServerKeyExchange with explicit_prime or explicit_char2 curve parameters,
/// or a named group the client never offered (secp521r1, x448, the
/// finite-field ffdhe2048, or P-256 when only x25519 was offered). Proves
/// the client only ever computes on a group it chose to offer:
/// illegal_parameter in the clear, before any signature check.
#[test]
fn logjam_server_key_exchange_with_explicit_curve_or_group_not_offered() {
    for curve_type in [1u8, 2] {
        let (mut c, _s, msgs) = flight();
        feed(&mut c, &msgs[..2]);
        // explicit_prime: prime p, curve a/b, base point, order, cofactor.
        let params = [curve_type, 1, 0xff, 1, 1, 1, 1, 1, 4, 1, 1, 0xff];
        let err = c
            .receive(&hs_record(&ske_with_params(&msgs[2], &params)))
            .unwrap_err();
        assert_eq!(err, Error::IllegalParameter("explicit curve"));
        assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
    }
    for (group, offered) in [
        (NamedGroup::Secp521r1, None),
        (NamedGroup::X448, None),
        (NamedGroup::Ffdhe2048, None),
        (NamedGroup::Unknown(0x0101), None), // ffdhe3072
        (NamedGroup::Secp256r1, Some(vec![NamedGroup::X25519])),
        (NamedGroup::X25519, Some(vec![NamedGroup::Secp384r1])),
    ] {
        let mut cc = client_config();
        if let Some(groups) = offered {
            cc.groups = groups.into();
        }
        // An RSA certificate, so that any client group list is acceptable to
        // the server (RFC 8422 §5.3 ties ECDSA certificates to the client's
        // curves).
        let (mut c, _s, msgs) = flight_with(cc, server_config("server-rsa2048"));
        feed(&mut c, &msgs[..2]);
        let ske = &msgs[2];
        let point_len = ske[7] as usize;
        let mut params = vec![3];
        params.extend_from_slice(&group.to_wire().to_be_bytes());
        params.extend_from_slice(&ske[7..8 + point_len]);
        let err = c
            .receive(&hs_record(&ske_with_params(ske, &params)))
            .unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter("server chose a group we did not offer"),
            "{group:?}"
        );
        assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
    }
}

/// FREAK / Logjam from the server's side: a ClientHello offering only
/// export, plain-RSA, DHE, anonymous and CBC suites. Proves the server
/// refuses to downgrade rather than picking something weak:
/// handshake_failure, with the error naming both lists.
#[test]
fn freak_logjam_client_offers_only_weak_suites() {
    let weak = [
        0x0003u16, 0x0008, 0x0014, 0x002f, 0x009c, 0x009e, 0x0034, 0xc018, 0xc013,
    ];
    for (identity, supported) in [
        (
            "server-p256",
            vec![
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            ],
        ),
        (
            "server-rsa2048",
            vec![
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ],
        ),
    ] {
        let (_, mut s) = pair(identity);
        let mut exts = client_hello_extensions();
        exts[1] = (13, vec![0, 4, 4, 3, 8, 4]);
        let err = s
            .receive(&client_hello(0x0303, &weak, &[0], &exts))
            .unwrap_err();
        assert_eq!(
            err,
            Error::NoCommonCipherSuite {
                offered: weak.iter().map(|s| CipherSuite::from_wire(*s)).collect(),
                supported: supported.into(),
            },
            "{identity}"
        );
        assert_eq!(plaintext_alert(&s), Some(A::HandshakeFailure));
        // The message names both lists, for the operator.
        let text = err.to_string();
        assert!(
            text.contains("TLS_RSA_EXPORT_WITH_RC4_40_MD5 (refused: export)")
                && text.contains("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")
                && text.contains("we support [TLS_ECDHE_"),
            "{text}"
        );
    }
    // An RSA-only client against an ECDSA server: the server's key decides
    // which suites are usable, and it does not fall back to a mismatch.
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&client_hello(
            0x0303,
            &[0xc02f, 0xc030],
            &[0],
            &client_hello_extensions(),
        ))
        .unwrap_err();
    assert!(
        matches!(&err, Error::NoCommonCipherSuite { offered, .. } if offered.len() == 2),
        "{err:?}"
    );
    assert_eq!(plaintext_alert(&s), Some(A::HandshakeFailure));
}

// ---------------------------------------------------------------------------
// Triple handshake (Bhargavan et al., "Triple Handshakes and Cookie Cutters",
// IEEE S&P 2014; RFC 7627).
// ---------------------------------------------------------------------------

fn tickets_only() -> ServerConfig {
    let mut sc = server_config("server-p256");
    sc.session_cache = None;
    sc.ticketer = Some(Arc::new(Ticketer::new(
        Duration::from_secs(3600),
        Duration::from_secs(3600),
    )));
    sc
}

/// A ClientHello presenting `ticket`, with or without extended_master_secret
/// (after tests/resumption.rs).
fn hello_with_ticket(ticket: &[u8], ems: bool) -> Vec<u8> {
    let mut exts = vec![
        (0, sni(b"localhost")),
        (10, vec![0, 4, 0, 0x1d, 0, 0x17]),
        (13, vec![0, 2, 4, 3]),
    ];
    if ems {
        exts.push((23, vec![]));
    }
    exts.push((35, ticket.to_vec()));
    let mut body = vec![3, 3];
    body.extend_from_slice(&[9; 32]);
    body.push(32);
    body.extend_from_slice(&[0x42; 32]);
    body.extend_from_slice(&[0, 2, 0xc0, 0x2b, 1, 0]);
    body.extend_from_slice(&encode_extensions(&exts));
    hs_record(&handshake_msg(1, &body))
}

/// The ticket a server issues after a full handshake (its NewSessionTicket
/// travels in the clear).
fn issued_ticket(sc: &Arc<ServerConfig>) -> Vec<u8> {
    let mut c = ClientConnection::new(Arc::new(client_config()), name("localhost"), now()).unwrap();
    let mut s = ServerConnection::new(sc.clone(), now()).unwrap();
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    transfer(&mut c, &mut s).unwrap();
    let msg = &s.pending_output()[5..];
    assert_eq!(msg[0], 4, "NewSessionTicket first");
    let len = u16::from_be_bytes([msg[8], msg[9]]) as usize;
    msg[10..10 + len].to_vec()
}

/// Triple handshake (Bhargavan et al., IEEE S&P 2014), RFC 7627 §5.3: a
/// session made with the extended master secret, offered again in a
/// ClientHello without it (as a man in the middle replaying the session into
/// another connection would). Proves the server aborts with
/// handshake_failure instead of resuming, even when it does not require the
/// extension for full handshakes; with the extension the same ticket
/// resumes (the control).
#[test]
fn triple_handshake_ems_session_resumed_without_ems_aborts() {
    let mut sc = tickets_only();
    sc.require_extended_master_secret = false;
    let sc = Arc::new(sc);
    let ticket = issued_ticket(&sc);

    let mut s = ServerConnection::new(sc.clone(), now()).unwrap();
    s.receive(&hello_with_ticket(&ticket, true)).unwrap();
    let records = split_records(&take_output(&mut s));
    assert_eq!(
        records.iter().map(|r| r[0]).collect::<Vec<_>>(),
        [22, 20, 22],
        "abbreviated: ServerHello, CCS, Finished (the ticket is kept, RFC 5077 §3.3)"
    );
    let sh = ServerHello::parse(&split_messages(&records[0])[0]);
    assert_eq!(sh.session_id, [0x42; 32], "resumed: our ID echoed");
    assert!(sh.ext_types().contains(&23));

    let mut s = ServerConnection::new(sc, now()).unwrap();
    let err = s.receive(&hello_with_ticket(&ticket, false)).unwrap_err();
    assert_eq!(
        err,
        Error::HandshakeFailure(
            "resumption of an extended-master-secret session without the extension (RFC 7627 \
             §5.3)"
        )
    );
    assert_eq!(plaintext_alert(&s), Some(A::HandshakeFailure));
    assert_eq!(split_records(s.pending_output()).len(), 1, "only the alert");
}

/// Triple handshake (Bhargavan et al., IEEE S&P 2014), RFC 7627 §5.3, client
/// side: the client offers its (extended-master-secret) session and the
/// ServerHello resumes it without the extension. Proves the client refuses:
/// handshake_failure, both when it requires the extension for every
/// handshake (refused at once) and when it does not (refused by the
/// resumption rule).
#[test]
fn triple_handshake_server_resumes_without_ems_is_refused() {
    for require in [true, false] {
        let mut cc = client_config();
        cc.require_extended_master_secret = require;
        let cc = Arc::new(cc);
        let sc = Arc::new(server_config("server-p256"));
        let mut c = ClientConnection::new(cc.clone(), name("localhost"), now()).unwrap();
        let mut s = ServerConnection::new(sc.clone(), now()).unwrap();
        handshake(&mut c, &mut s).unwrap();

        let mut c = ClientConnection::new(cc, name("localhost"), at(1_893_456_100)).unwrap();
        let mut s = ServerConnection::new(sc, at(1_893_456_100)).unwrap();
        transfer(&mut c, &mut s).unwrap();
        let msgs = split_messages(&split_records(&take_output(&mut s))[0]);
        let sh = ServerHello::parse(&msgs[0]);
        assert!(!sh.session_id.is_empty(), "the server resumed");
        let stripped = sh.without(23);
        let err = c.receive(&stripped.record()).unwrap_err();
        let expected = if require {
            "server did not negotiate the extended master secret (RFC 7627), which this \
             configuration requires"
        } else {
            "server resumed a session without the extended master secret (RFC 7627 §5.3)"
        };
        assert_eq!(err, Error::HandshakeFailure(expected), "require={require}");
        assert_eq!(plaintext_alert(&c), Some(A::HandshakeFailure));
    }
}

// ---------------------------------------------------------------------------
// Renegotiation injection (CVE-2009-3555; RFC 5746).
// ---------------------------------------------------------------------------

/// CVE-2009-3555 (Ray and Dispensa 2009, the renegotiation prefix
/// injection), RFC 5746 §3.4/§3.6: a non-empty renegotiation_info in an
/// initial ClientHello (a renegotiation spliced into what the server sees
/// as a fresh connection). Proves the server aborts with handshake_failure.
#[test]
fn renegotiation_info_not_empty_in_initial_client_hello() {
    for ri in [vec![12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], vec![1, 0]] {
        let mut exts = client_hello_extensions();
        exts[3] = (0xff01, ri);
        let (_, mut s) = pair("server-p256");
        let err = s
            .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
            .unwrap_err();
        assert_eq!(
            err,
            Error::HandshakeFailure("renegotiation_info is not empty on the initial handshake")
        );
        assert_eq!(plaintext_alert(&s), Some(A::HandshakeFailure));
    }
}

/// CVE-2009-3555, RFC 5746 §3.4: a ServerHello whose renegotiation_info is
/// not empty on the initial handshake (carrying some earlier connection's
/// verify_data). Proves the client aborts with handshake_failure.
#[test]
fn renegotiation_info_not_empty_in_initial_server_hello() {
    let (mut c, _s, msgs) = flight();
    let sh = ServerHello::parse(&msgs[0]);
    assert!(sh.exts.contains(&(0xff01, vec![0])));
    let mut ri = vec![24];
    ri.extend_from_slice(&[0xab; 24]);
    let forged = sh.without(0xff01).with(0xff01, &ri);
    let err = c.receive(&forged.record()).unwrap_err();
    assert_eq!(
        err,
        Error::HandshakeFailure("renegotiation_info is not empty on the initial handshake")
    );
    assert_eq!(plaintext_alert(&c), Some(A::HandshakeFailure));
}

// Renegotiation attempts after the handshake need records under the real
// keys: see src/conn/attack_tests.rs.

// ---------------------------------------------------------------------------
// Version rollback.
// ---------------------------------------------------------------------------

/// Version rollback (Wagner and Schneier, "Analysis of the SSL 3.0
/// protocol", 1996; POODLE's fallback, CVE-2014-3566; RFC 8996): a
/// ServerHello choosing SSL 3.0, TLS 1.0 or 1.1 (or TLS 1.3, which cannot
/// be chosen in a TLS 1.2 ServerHello). Proves the client refuses with
/// protocol_version.
#[test]
fn version_rollback_server_hello() {
    for (wire, version) in [
        (0x0300u16, ProtocolVersion::Ssl3),
        (0x0301, ProtocolVersion::Tls10),
        (0x0302, ProtocolVersion::Tls11),
        (0x0304, ProtocolVersion::Tls13),
    ] {
        let (mut c, _s, msgs) = flight();
        let mut sh = ServerHello::parse(&msgs[0]);
        sh.version = wire;
        let err = c.receive(&sh.record()).unwrap_err();
        assert_eq!(err, Error::UnsupportedVersion { peer: version });
        assert_eq!(plaintext_alert(&c), Some(A::ProtocolVersion));
    }
}

/// Version rollback, server side (RFC 8996): a ClientHello whose best
/// version is TLS 1.1 or lower, in client_version or in supported_versions.
/// Proves the server answers protocol_version and never a ServerHello.
#[test]
fn version_rollback_client_hello() {
    for (wire, version) in [
        (0x0300u16, ProtocolVersion::Ssl3),
        (0x0301, ProtocolVersion::Tls10),
        (0x0302, ProtocolVersion::Tls11),
    ] {
        let (_, mut s) = pair("server-p256");
        let err = s
            .receive(&client_hello(
                wire,
                &[ECDSA_AES128],
                &[0],
                &client_hello_extensions(),
            ))
            .unwrap_err();
        assert_eq!(err, Error::UnsupportedVersion { peer: version });
        assert_eq!(s.pending_output(), [21, 3, 3, 0, 2, 2, 70]);
    }
    let mut exts = client_hello_extensions();
    exts.push((43, vec![4, 3, 2, 3, 1]));
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
        .unwrap_err();
    assert_eq!(
        err,
        Error::UnsupportedVersion {
            peer: ProtocolVersion::Tls11
        }
    );
    assert_eq!(plaintext_alert(&s), Some(A::ProtocolVersion));
}

/// Version rollback at the record layer (RFC 5246 §6.2.1, Appendix E.1):
/// after ServerHello fixed TLS 1.2, a record carrying {3,1}, {3,2} or {3,0}.
/// Proves every record after negotiation must carry the agreed version, in
/// the clear handshake (both roles) and for protected application data:
/// protocol_version.
#[test]
fn version_rollback_record_layer_after_negotiation() {
    for (wire, version) in [
        (0x0301u16, ProtocolVersion::Tls10),
        (0x0302, ProtocolVersion::Tls11),
        (0x0300, ProtocolVersion::Ssl3),
    ] {
        // Client: Certificate in a TLS 1.0 record after ServerHello.
        let (mut c, _s, msgs) = flight();
        feed(&mut c, &msgs[..1]);
        let err = c.receive(&record(22, wire, &msgs[1])).unwrap_err();
        assert_eq!(err, Error::UnsupportedVersion { peer: version });
        assert_eq!(plaintext_alert(&c), Some(A::ProtocolVersion));

        // Server: ClientKeyExchange in a TLS 1.0 record after its ServerHello.
        let (mut c, mut s) = pair("server-p256");
        transfer(&mut c, &mut s).unwrap();
        transfer(&mut s, &mut c).unwrap();
        let mut cke = split_records(&take_output(&mut c)).remove(0);
        cke[1..3].copy_from_slice(&wire.to_be_bytes());
        let err = s.receive(&cke).unwrap_err();
        assert_eq!(err, Error::UnsupportedVersion { peer: version });
        assert_eq!(plaintext_alert(&s), Some(A::ProtocolVersion));

        // Established: an application data record relabelled {3,1}.
        let (mut c, mut s) = established_pair_with(client_config(), server_config("server-p256"));
        c.send(b"data").unwrap();
        let mut rec = take_output(&mut c);
        rec[1..3].copy_from_slice(&wire.to_be_bytes());
        assert_eq!(
            s.receive(&rec),
            Err(Error::UnsupportedVersion { peer: version })
        );
        assert!(s.plaintext().is_empty());
        assert_eq!(
            transfer(&mut s, &mut c),
            Err(Error::AlertReceived(A::ProtocolVersion))
        );
    }
}

// ---------------------------------------------------------------------------
// Invalid curve points (Jager, Schwenk and Somorovsky, "Practical Invalid
// Curve Attacks on TLS-ECDH", ESORICS 2015).
// ---------------------------------------------------------------------------

/// The server's flight for a client offering only `group`, and the client's
/// ClientKeyExchange (a plaintext record) with the server waiting for it.
fn server_waiting_for_cke(group: NamedGroup) -> (ServerConnection, Vec<u8>) {
    let mut cc = client_config();
    cc.groups = vec![group].into();
    // RSA: any client group list is acceptable (RFC 8422 §5.3).
    let (mut c, mut s) = pair_with(cc, server_config("server-rsa2048"), "localhost");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let cke = split_records(&take_output(&mut c)).remove(0);
    assert_eq!(cke[5], 16, "ClientKeyExchange");
    (s, cke[5..].to_vec())
}

fn cke_record(point: &[u8]) -> Vec<u8> {
    let mut body = vec![point.len() as u8];
    body.extend_from_slice(point);
    hs_record(&handshake_msg(16, &body))
}

/// Invalid curve attack (Jager et al., ESORICS 2015) against the server's
/// ephemeral P-256 / P-384 key: a ClientKeyExchange carrying a point off the
/// curve, the point at infinity, coordinates >= p, a compressed or hybrid
/// encoding, or the wrong length. Proves the server never computes a
/// premaster secret from such a point: illegal_parameter in the clear (a
/// point of length zero is malformed: decode_error).
#[test]
fn invalid_curve_points_in_client_key_exchange() {
    for group in [NamedGroup::Secp256r1, NamedGroup::Secp384r1] {
        let (_, cke) = server_waiting_for_cke(group);
        let good = cke[5..].to_vec();
        let n = good.len();
        assert_eq!(
            n,
            if group == NamedGroup::Secp256r1 {
                65
            } else {
                97
            }
        );
        let mut off_curve = good.clone();
        off_curve[n - 1] ^= 1;
        let mut x_only_changed = good.clone();
        x_only_changed[1] ^= 0x80;
        let mut infinity = vec![0u8; n];
        infinity[0] = 4;
        let mut huge = vec![0xffu8; n];
        huge[0] = 4;
        let mut compressed = good[..1 + (n - 1) / 2].to_vec();
        compressed[0] = 2 | (good[n - 1] & 1);
        let mut hybrid = good.clone();
        hybrid[0] = 6 | (good[n - 1] & 1);
        let mut longer = good.clone();
        longer.push(0);
        let mut other_size = vec![4u8];
        other_size.extend_from_slice(&good[1..n - 16]);
        for (what, point) in [
            ("off curve", off_curve),
            ("x perturbed", x_only_changed),
            ("infinity (zero coordinates)", infinity),
            ("coordinates >= p", huge),
            ("compressed", compressed),
            ("hybrid", hybrid),
            ("one byte long", longer),
            ("wrong length", other_size),
            ("the single-byte infinity encoding", vec![0]),
        ] {
            let (mut s, _) = server_waiting_for_cke(group);
            let err = s.receive(&cke_record(&point)).unwrap_err();
            assert_eq!(
                err,
                Error::IllegalParameter("ECDHE public key"),
                "{group:?}: {what}"
            );
            assert_eq!(plaintext_alert(&s), Some(A::IllegalParameter));
        }
        let (mut s, _) = server_waiting_for_cke(group);
        assert_eq!(s.receive(&cke_record(&[])), Err(Error::Decode("ec point")));
        assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
    }
}

/// Curve25519 points of small order (RFC 7748 §6.1; the list in Bernstein's
/// "Curve25519: new Diffie-Hellman speed records" notes and libsodium's
/// blocklist), with and without the (ignored) top bit set. Each makes the
/// X25519 shared secret all zeros.
pub fn x25519_low_order_points() -> Vec<[u8; 32]> {
    let zero = [0u8; 32];
    let mut one = [0u8; 32];
    one[0] = 1;
    let order8_a = [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ];
    let order8_b = [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ];
    let p_plus = |low: u8| {
        let mut v = [0xffu8; 32];
        v[0] = low;
        v[31] = 0x7f;
        v
    };
    let (p_minus_1, p, p_plus_1) = (p_plus(0xec), p_plus(0xed), p_plus(0xee));
    let mut points = Vec::new();
    for pt in [zero, one, order8_a, order8_b, p_minus_1, p, p_plus_1] {
        points.push(pt);
        let mut top = pt;
        top[31] |= 0x80;
        points.push(top);
    }
    points
}

/// Small-subgroup / zero-shared-secret attack on X25519 (RFC 7748 §6.1,
/// RFC 8422 §5.11; cf. the "Curve25519 contributory behaviour" issue): a
/// ClientKeyExchange with the all-zero public key and every other
/// small-order point. Proves the server never derives keys from an all-zero
/// (attacker-known) premaster secret: illegal_parameter. The refusal is
/// ring's (`ring_rejects_x25519_low_order_points` in src/crypto/kx.rs pins
/// it); the crate adds no check of its own. A 31- or 33-byte value is
/// illegal_parameter too.
#[test]
fn x25519_low_order_points_in_client_key_exchange() {
    let points = x25519_low_order_points();
    assert_eq!(points.len(), 14);
    for point in &points {
        let (mut s, _) = server_waiting_for_cke(NamedGroup::X25519);
        let err = s.receive(&cke_record(point)).unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter("ECDHE public key"),
            "{point:02x?}"
        );
        assert_eq!(plaintext_alert(&s), Some(A::IllegalParameter));
        assert_eq!(split_records(s.pending_output()).len(), 1, "only the alert");
    }
    for len in [31usize, 33] {
        let (mut s, cke) = server_waiting_for_cke(NamedGroup::X25519);
        let mut point = cke[5..].to_vec();
        point.resize(len, 9);
        assert_eq!(
            s.receive(&cke_record(&point)),
            Err(Error::IllegalParameter("ECDHE public key"))
        );
    }
}

// ---------------------------------------------------------------------------
// Signature scheme downgrade in ServerKeyExchange.
// ---------------------------------------------------------------------------

/// Rewrites the signature scheme of a ServerKeyExchange.
fn ske_with_scheme(ske: &[u8], scheme: u16) -> Vec<u8> {
    let mut m = ske.to_vec();
    let at = 4 + 4 + ske[7] as usize;
    m[at..at + 2].copy_from_slice(&scheme.to_be_bytes());
    m
}

/// SLOTH-style signature downgrade (Bhargavan and Leurent, "Transcript
/// Collision Attacks", NDSS 2016; RFC 5246 §7.4.1.4.1): a ServerKeyExchange
/// whose signature claims rsa_pkcs1_sha1, ecdsa_sha1, an MD5 scheme, a
/// scheme we did not list, or a scheme of the wrong key type for the suite
/// (RSA on an ECDSA suite and ECDSA on an RSA suite). Proves the client
/// checks the scheme before verifying anything: illegal_parameter.
#[test]
fn server_key_exchange_signed_with_a_scheme_not_offered() {
    for scheme in [
        0x0201u16, // rsa_pkcs1_sha1
        0x0203,    // ecdsa_sha1
        0x0101,    // rsa_pkcs1_md5
        0x0603,    // ecdsa_secp521r1_sha512: not offered
        0x0804,    // rsa_pss_rsae_sha256 on an ECDSA suite
        0x0401,    // rsa_pkcs1_sha256 on an ECDSA suite
        0x0809,    // rsa_pss_pss_sha256
    ] {
        let (mut c, _s, msgs) = flight();
        feed(&mut c, &msgs[..2]);
        let err = c
            .receive(&hs_record(&ske_with_scheme(&msgs[2], scheme)))
            .unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter(
                "ServerKeyExchange signed with a scheme we did not offer for this suite"
            ),
            "{scheme:#06x}"
        );
        assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
    }
    // ECDSA and Ed25519 schemes on an ECDHE_RSA suite.
    for scheme in [0x0403u16, 0x0503, 0x0807] {
        let (mut c, _s, msgs) = flight_with(client_config(), server_config("server-rsa2048"));
        feed(&mut c, &msgs[..2]);
        let err = c
            .receive(&hs_record(&ske_with_scheme(&msgs[2], scheme)))
            .unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter(
                "ServerKeyExchange signed with a scheme we did not offer for this suite"
            ),
            "{scheme:#06x}"
        );
    }
    // A scheme we support but this client was configured not to list.
    let mut cc = client_config();
    cc.signature_schemes = vec![tls12::SignatureScheme::RsaPssRsaeSha256].into();
    cc.signature_schemes
        .to_mut()
        .push(tls12::SignatureScheme::Ed25519);
    let (mut c, _s, msgs) = flight_with(cc, server_config("server-rsa2048"));
    feed(&mut c, &msgs[..2]);
    let err = c
        .receive(&hs_record(&ske_with_scheme(&msgs[2], 0x0401)))
        .unwrap_err();
    assert!(matches!(err, Error::IllegalParameter(_)), "{err:?}");
}

// ---------------------------------------------------------------------------
// Unsolicited and duplicated extensions.
// ---------------------------------------------------------------------------

/// Unsolicited extensions (RFC 5246 §7.4.1.4; the extension-confusion bugs
/// catalogued by Beurdouche et al. 2015): a ServerHello carrying
/// status_request, heartbeat, supported_versions, an unknown type, ALPN when
/// the client offered none, session_ticket when it asked for none, or a
/// server_name acknowledgement when it sent no SNI. Proves the client
/// answers unsupported_extension naming the type.
#[test]
fn unsolicited_server_hello_extensions() {
    for (typ, body) in [
        (5u16, vec![]),
        (15, vec![1]),
        (43, vec![3, 4]),
        (0x1234, vec![]),
        (16, vec![0, 3, 2, b'h', b'2']),
    ] {
        let (mut c, _s, msgs) = flight();
        let sh = ServerHello::parse(&msgs[0]).with(typ, &body);
        let err = c.receive(&sh.record()).unwrap_err();
        assert_eq!(err, Error::UnsupportedExtension(typ));
        assert_eq!(plaintext_alert(&c), Some(A::UnsupportedExtension));
    }
    // session_ticket without our asking.
    let mut cc = client_config();
    cc.enable_tickets = false;
    let (mut c, _s, msgs) = flight_with(cc, server_config("server-p256"));
    let sh = ServerHello::parse(&msgs[0]);
    assert!(!sh.ext_types().contains(&35));
    let err = c.receive(&sh.with(35, &[]).record()).unwrap_err();
    assert_eq!(err, Error::UnsupportedExtension(35));
    // server_name acknowledged when connecting by IP address (no SNI sent).
    let mut c = ClientConnection::new(
        Arc::new(client_config()),
        ServerName::try_from("127.0.0.1").unwrap(),
        now(),
    )
    .unwrap();
    let mut s = ServerConnection::new(Arc::new(server_config("server-p256")), now()).unwrap();
    transfer(&mut c, &mut s).unwrap();
    let msgs = split_messages(&take_output(&mut s));
    let sh = ServerHello::parse(&msgs[0]);
    assert!(!sh.ext_types().contains(&0));
    let err = c.receive(&sh.with(0, &[]).record()).unwrap_err();
    assert_eq!(err, Error::UnsupportedExtension(0));
    assert_eq!(plaintext_alert(&c), Some(A::UnsupportedExtension));
}

/// Duplicate extensions (RFC 5246 §7.4.1.4: "There MUST NOT be more than one
/// extension of the same type"), which let two parsers disagree about which
/// copy counts: in the ServerHello and in the ClientHello, for known and
/// unknown types. Proves illegal_parameter on both sides.
#[test]
fn duplicated_extensions_in_either_hello() {
    for (typ, body) in [(23u16, vec![]), (0xff01, vec![0]), (11, vec![1, 0])] {
        let (mut c, _s, msgs) = flight();
        let sh = ServerHello::parse(&msgs[0]);
        let sh = if sh.ext_types().contains(&typ) {
            sh.with(typ, &body)
        } else {
            sh.with(typ, &body).with(typ, &body)
        };
        let err = c.receive(&sh.record()).unwrap_err();
        assert_eq!(
            err,
            Error::Decode("extension block (a type repeated)"),
            "{typ}"
        );
        assert_eq!(plaintext_alert(&c), Some(A::DecodeError));
    }
    for (typ, body) in [
        (23u16, vec![]),
        (10, vec![0, 2, 0, 0x17]),
        (0, sni(b"localhost")),
        (0x1234, vec![1]),
    ] {
        let mut exts = client_hello_extensions();
        exts.push((typ, body.clone()));
        if !client_hello_extensions().iter().any(|(t, _)| *t == typ) {
            exts.push((typ, body));
        }
        let (_, mut s) = pair("server-p256");
        let err = s
            .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
            .unwrap_err();
        assert_eq!(
            err,
            Error::Decode("extension block (a type repeated)"),
            "{typ}"
        );
        assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
    }
}

// ---------------------------------------------------------------------------
// Compression (CRIME).
// ---------------------------------------------------------------------------

/// CRIME (Rizzo and Duong, ekoparty 2012; CVE-2012-4929): compression
/// before encryption leaks secrets through record lengths. A ClientHello
/// offering only DEFLATE (or LZS) is refused with illegal_parameter; one
/// offering DEFLATE and null gets null. A ServerHello choosing DEFLATE is
/// illegal_parameter at the client.
#[test]
fn crime_compression() {
    for methods in [vec![1u8], vec![64], vec![1, 64]] {
        let (_, mut s) = pair("server-p256");
        let err = s
            .receive(&client_hello(
                0x0303,
                &[ECDSA_AES128],
                &methods,
                &client_hello_extensions(),
            ))
            .unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter("ClientHello does not offer null compression")
        );
        assert_eq!(plaintext_alert(&s), Some(A::IllegalParameter));
    }
    let (_, mut s) = pair("server-p256");
    s.receive(&client_hello(
        0x0303,
        &[ECDSA_AES128],
        &[1, 0],
        &client_hello_extensions(),
    ))
    .unwrap();
    let msgs = split_messages(&take_output(&mut s));
    assert_eq!(ServerHello::parse(&msgs[0]).compression, 0);

    for method in [1u8, 64] {
        let (mut c, _s, msgs) = flight();
        let mut sh = ServerHello::parse(&msgs[0]);
        sh.compression = method;
        let err = c.receive(&sh.record()).unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter("server chose a compression method we did not offer")
        );
        assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
    }
}

// ---------------------------------------------------------------------------
// Heartbleed (CVE-2014-0160).
// ---------------------------------------------------------------------------

/// A heartbeat_request (RFC 6520) claiming a 16 KiB payload but carrying one
/// byte: the Heartbleed probe.
fn heartbleed_record() -> Vec<u8> {
    record(24, 0x0303, &[1, 0x40, 0x00, b'x'])
}

/// Heartbleed (CVE-2014-0160): heartbeat records (content type 24), with a
/// payload length larger than the record, before and after the handshake,
/// to both roles. Proves heartbeats are not a record type here:
/// unexpected_message, and the only thing sent back is the alert (no echoed
/// memory).
#[test]
fn heartbleed_heartbeat_records_are_unexpected() {
    let unknown = Error::UnexpectedMessage {
        got: "record of unknown content type",
        expected: "a TLS record",
    };
    // Before the handshake, to the server and to the client.
    let (mut c, mut s) = pair("server-p256");
    assert_eq!(s.receive(&heartbleed_record()), Err(unknown.clone()));
    assert_eq!(s.pending_output(), [21, 3, 3, 0, 2, 2, 10]);
    take_output(&mut c);
    assert_eq!(c.receive(&heartbleed_record()), Err(unknown.clone()));
    // (The record version is {3,1} before the client has seen ServerHello.)
    assert_eq!(c.pending_output(), [21, 3, 1, 0, 2, 2, 10]);

    // After the handshake: refused from the header, alert sent encrypted.
    let (mut c, mut s) = established_pair_with(client_config(), server_config("server-p256"));
    assert_eq!(s.receive(&heartbleed_record()), Err(unknown.clone()));
    assert_eq!(split_records(s.pending_output()).len(), 1, "only the alert");
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::UnexpectedMessage))
    );
    let (mut c, mut s) = established_pair_with(client_config(), server_config("server-p256"));
    assert_eq!(c.receive(&heartbleed_record()), Err(unknown));
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(A::UnexpectedMessage))
    );
}

/// Heartbleed (CVE-2014-0160), negotiation: a ClientHello offering the
/// heartbeat extension (RFC 6520, type 15, peer_allowed_to_send). Proves it
/// is ignored and never echoed: the ServerHello carries no extension 15,
/// and the real client never offers it.
#[test]
fn heartbleed_heartbeat_extension_is_never_negotiated() {
    for mode in [1u8, 2] {
        let mut exts = client_hello_extensions();
        exts.push((15, vec![mode]));
        let (_, mut s) = pair("server-p256");
        s.receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
            .unwrap();
        let msgs = split_messages(&take_output(&mut s));
        assert_eq!(msgs.len(), 4);
        let sh = ServerHello::parse(&msgs[0]);
        assert!(!sh.ext_types().contains(&15), "{:?}", sh.ext_types());
    }
    // Our client's hello carries no heartbeat extension.
    let (mut c, _) = pair("server-p256");
    let hello = take_output(&mut c);
    let body = &hello[5 + 4..];
    let sid = body[34] as usize;
    let mut at = 35 + sid;
    at += 2 + u16::from_be_bytes([body[at], body[at + 1]]) as usize;
    at += 1 + body[at] as usize;
    at += 2;
    let mut types = Vec::new();
    while at < body.len() {
        types.push(u16::from_be_bytes([body[at], body[at + 1]]));
        at += 4 + u16::from_be_bytes([body[at + 2], body[at + 3]]) as usize;
    }
    assert!(types.contains(&23) && !types.contains(&15), "{types:?}");
}

// ---------------------------------------------------------------------------
// Record MAC forgery.
// ---------------------------------------------------------------------------

const AEAD_SUITES: [(CipherSuite, bool); 3] = [
    (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true),
    (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        false,
    ),
];

/// A change to one protected record.
type Tamper = Box<dyn Fn(&mut Vec<u8>)>;

fn established_with_suite(suite: CipherSuite) -> (ClientConnection, ServerConnection) {
    let mut cc = client_config();
    cc.cipher_suites = vec![suite].into();
    let (c, s) = established_pair_with(cc, server_config("server-p256"));
    assert_eq!(c.handshake_info().unwrap().cipher_suite, suite);
    (c, s)
}

/// Record forgery (RFC 5246 §6.2.3.3; the integrity every padding-oracle
/// and bit-flipping attack on record protection needs to break): for every
/// AEAD (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305) and both directions,
/// one bit flipped in the tag, the ciphertext, the GCM explicit nonce, or
/// the (authenticated) content type; and a record truncated below the tag.
/// Proves bad_record_mac, nothing delivered, no event, and the alert reaches
/// the sender.
#[test]
fn record_mac_one_bit_off_every_aead_both_directions() {
    for (suite, gcm) in AEAD_SUITES {
        let explicit = if gcm { 8 } else { 0 };
        for client_sends in [true, false] {
            let mut spots: Vec<(&str, Tamper)> = vec![
                (
                    "tag",
                    Box::new(|r: &mut Vec<u8>| {
                        let n = r.len();
                        r[n - 1] ^= 0x01;
                    }),
                ),
                (
                    "ciphertext",
                    Box::new(move |r: &mut Vec<u8>| r[5 + explicit] ^= 0x80),
                ),
                ("content type", Box::new(|r: &mut Vec<u8>| r[0] = 22)),
                (
                    "truncated",
                    Box::new(move |r: &mut Vec<u8>| {
                        r.truncate(5 + explicit + 15);
                        let len = (r.len() - 5) as u16;
                        r[3..5].copy_from_slice(&len.to_be_bytes());
                    }),
                ),
            ];
            if gcm {
                spots.push((
                    "explicit nonce",
                    Box::new(|r: &mut Vec<u8>| r[5 + 7] ^= 0x01),
                ));
            }
            for (what, tamper) in spots {
                let (mut c, mut s) = established_with_suite(suite);
                let (from, to): (&mut Connection, &mut Connection) = if client_sends {
                    (&mut c, &mut s)
                } else {
                    (&mut s, &mut c)
                };
                from.send(b"transfer $1000 to alice").unwrap();
                let mut rec = take_output(from);
                assert_eq!(split_records(&rec).len(), 1);
                tamper(&mut rec);
                assert_eq!(
                    to.receive(&rec),
                    Err(Error::BadRecordMac),
                    "{suite:?} {what} client_sends={client_sends}"
                );
                assert!(to.plaintext().is_empty());
                assert_eq!(events(to), []);
                assert_eq!(
                    transfer(to, from),
                    Err(Error::AlertReceived(A::BadRecordMac))
                );
            }
        }
    }
}

/// Record forgery in the handshake (RFC 5246 §6.2.3.3): the first protected
/// record, the client's Finished, with one bit flipped, for every AEAD.
/// Proves the server does not complete: bad_record_mac.
#[test]
fn encrypted_finished_record_one_bit_off_is_bad_record_mac() {
    for (suite, _) in AEAD_SUITES {
        let mut cc = client_config();
        cc.cipher_suites = vec![suite].into();
        let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
        transfer(&mut c, &mut s).unwrap();
        transfer(&mut s, &mut c).unwrap();
        let mut records = split_records(&take_output(&mut c));
        s.receive(&records[0]).unwrap();
        s.receive(&records[1]).unwrap();
        let fin = &mut records[2];
        let n = fin.len();
        fin[n - 3] ^= 0x04;
        assert_eq!(s.receive(fin), Err(Error::BadRecordMac), "{suite:?}");
        assert!(s.handshake_info().is_none());
        assert!(!events(&mut s).contains(&Event::HandshakeComplete));
    }
}

// ---------------------------------------------------------------------------
// ALPACA (Brinkmann et al., "ALPACA: Application Layer Protocol Confusion -
// Analyzing and Mitigating Cracks in TLS Authentication", USENIX Security
// 2021).
// ---------------------------------------------------------------------------

/// ALPACA (Brinkmann et al., USENIX Security 2021), the ALPN countermeasure:
/// a server configured with ALPN, reached by a client (redirected by a man
/// in the middle) that offers only other protocols. Proves the server
/// refuses with no_application_protocol (RFC 7301 §3.2) instead of serving
/// the wrong protocol, naming both lists; and the client, if a server
/// selects a protocol it did not offer, refuses with illegal_parameter.
#[test]
fn alpaca_alpn_mismatch_is_fatal() {
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"ftp".to_vec(), b"imap".to_vec()].into();
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let err = transfer(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        Error::NoApplicationProtocol {
            offered: vec!["ftp".into(), "imap".into()].into(),
            supported: vec!["h2".into(), "http/1.1".into()].into(),
        }
    );
    assert_eq!(s.pending_output(), [21, 3, 3, 0, 2, 2, 120]);
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::NoApplicationProtocol))
    );

    // The client side: a selection it did not offer.
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"h2".to_vec()].into();
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"h2".to_vec()].into();
    let (mut c, _s, msgs) = flight_with(cc, sc);
    let sh = ServerHello::parse(&msgs[0]);
    assert!(sh.exts.contains(&(16, vec![0, 3, 2, b'h', b'2'])));
    let forged = sh.without(16).with(16, &[0, 5, 4, b'i', b'm', b'a', b'p']);
    let err = c.receive(&forged.record()).unwrap_err();
    assert_eq!(
        err,
        Error::IllegalParameter("server selected an ALPN protocol we did not offer")
    );
    assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
}

/// ALPACA (Brinkmann et al., USENIX Security 2021), the name countermeasure:
/// our server serves one certificate whatever the SNI, so what stops a
/// cross-host redirect is the client: it verifies the certificate for the
/// name it wanted. Proves a client connecting to another name fails with
/// bad_certificate; that the server accepts any well-formed SNI (it
/// answers a ClientHello naming a host its certificate does not cover with
/// its flight); and that it reports the name the client sent
/// (`HandshakeInfo::server_name`), leaving the virtual-host decision to the
/// application.
#[test]
fn alpaca_client_verifies_the_name_and_server_reports_sni() {
    let (mut c, mut s) = pair_with(
        client_config(),
        server_config("server-p256"),
        "mail.example.org",
    );
    transfer(&mut c, &mut s).unwrap();
    let err = transfer(&mut s, &mut c).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Certificate(tls12::CertificateError::NotValidForName { expected })
                if expected.contains("mail.example.org")
        ),
        "{err:?}"
    );
    assert_eq!(plaintext_alert(&c), Some(A::BadCertificate));

    // The server: any valid name is accepted and reported as sent.
    let (_, mut s) = pair("server-p256");
    let mut exts = client_hello_extensions();
    exts.push((0, sni(b"mail.example.org")));
    s.receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
        .unwrap();
    assert_eq!(split_messages(&take_output(&mut s)).len(), 4);

    // The report, from a completed handshake: server-p256 also covers
    // testserver.com, so a client asking for that name finishes, and the
    // server says which name it was asked for (not its certificate's first).
    let (mut c, mut s) = pair_with(
        client_config(),
        server_config("server-p256"),
        "testserver.com",
    );
    handshake(&mut c, &mut s).unwrap();
    let info = s.handshake_info().unwrap();
    assert_eq!(info.server_name.as_deref(), Some("testserver.com"));
}

/// ALPACA (Brinkmann et al., USENIX Security 2021) / SNI confusion (RFC 6066
/// §3: HostName is an ASCII DNS name, "Literal IPv4 and IPv6 addresses are
/// not permitted"): a ClientHello whose server_name holds a NUL byte (the
/// "null-prefix" certificate confusion, Marlinspike 2009), an IP literal,
/// an empty label, bytes that are not UTF-8, or spaces. Proves the server
/// refuses with illegal_parameter, as server.rs's `decide` does (DNS-name
/// syntax via rustls-pki-types).
#[test]
fn alpaca_invalid_sni_is_illegal_parameter() {
    for name in [
        &b"localhost\0.evil.example"[..],
        b"\0localhost",
        b"127.0.0.1\0",
        b"a..b",
        b"local host",
        b"\xff\xfe.example",
        b"-leading-hyphen.example",
    ] {
        let mut exts = client_hello_extensions();
        exts.push((0, sni(name)));
        let (_, mut s) = pair("server-p256");
        let err = s
            .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
            .unwrap_err();
        assert_eq!(
            err,
            Error::IllegalParameter("server_name is neither a DNS name nor an IP address"),
            "{:?}",
            String::from_utf8_lossy(name)
        );
        assert_eq!(plaintext_alert(&s), Some(A::IllegalParameter));
    }
    // An IP literal (forbidden in HostName by RFC 6066 §3, but sent by
    // scanners) is never taken as a name: ignored, as if no SNI was sent.
    for ip in [&b"127.0.0.1"[..], b"::1", b"[::1]"] {
        let mut exts = client_hello_extensions();
        exts.push((0, sni(ip)));
        let (_, mut s) = pair("server-p256");
        s.receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
            .unwrap();
        assert!(s.is_handshaking());
    }
}
