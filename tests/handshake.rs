//! In-memory handshakes between our own client and server: every suite,
//! group and certificate type, data both ways, closure, ALPN/SNI, byte-wise
//! delivery, the in-place path, and certificate failures with their alerts.

mod common;

use common::*;
use tls12::{
    AlertDescription, CertificateError, CipherSuite, Error, Event, NamedGroup, ProtocolVersion,
};

const ECDSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
];
const RSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];
const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
];

#[test]
fn every_suite_group_and_certificate_type() {
    let mut count = 0;
    for identity in SERVER_KEYS {
        let suites = if identity.contains("rsa") {
            RSA_SUITES
        } else {
            ECDSA_SUITES
        };
        for suite in suites {
            for group in GROUPS {
                let mut cc = client_config();
                cc.cipher_suites = vec![suite].into();
                cc.groups = vec![group].into();
                // RFC 8422 §5.3: an ECDSA certificate's curve must be among
                // the client's groups; the server's list pins the ECDHE group.
                let curve = match *identity {
                    "server-p256" => Some(NamedGroup::Secp256r1),
                    "server-p384" => Some(NamedGroup::Secp384r1),
                    _ => None,
                };
                if let Some(curve) = curve.filter(|c| *c != group) {
                    cc.groups.to_mut().push(curve);
                }
                let mut sc = server_config(identity);
                sc.groups = vec![group].into();
                let (mut c, mut s) = pair_with(cc, sc, "localhost");
                handshake(&mut c, &mut s)
                    .unwrap_or_else(|e| panic!("{identity} {suite:?} {group:?}: {e:?}"));
                for info in [c.handshake_info().unwrap(), s.handshake_info().unwrap()] {
                    assert_eq!(info.cipher_suite, suite);
                    assert_eq!(info.group, Some(group));
                    assert_eq!(info.version, ProtocolVersion::Tls12);
                    assert!(info.extended_master_secret);
                    assert!(info.secure_renegotiation);
                    assert!(!info.resumed);
                }
                assert_eq!(c.handshake_info().unwrap().peer_certificates.len(), 2);
                assert_eq!(events(&mut c), [Event::HandshakeComplete]);
                assert_eq!(events(&mut s), [Event::HandshakeComplete]);
                assert_eq!(send_and_receive(&mut c, &mut s, b"ping"), b"ping");
                assert_eq!(send_and_receive(&mut s, &mut c, b"pong"), b"pong");
                count += 1;
            }
        }
    }
    assert_eq!(count, 36);
}

#[test]
fn signature_scheme_follows_the_key() {
    use tls12::SignatureScheme as S;
    for (identity, scheme) in [
        ("server-p256", S::EcdsaSecp256r1Sha256),
        ("server-p384", S::EcdsaSecp384r1Sha384),
        ("server-ed25519", S::Ed25519),
        ("server-rsa2048", S::RsaPssRsaeSha256),
    ] {
        let (mut c, mut s) = pair(identity);
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(
            c.handshake_info().unwrap().signature_scheme,
            Some(scheme),
            "{identity}"
        );
    }
    // A client that accepts only PKCS#1 gets PKCS#1.
    let mut cc = client_config();
    cc.signature_schemes = vec![S::RsaPkcs1Sha384].into();
    let (mut c, mut s) = pair_with(cc, server_config("server-rsa2048"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        c.handshake_info().unwrap().signature_scheme,
        Some(S::RsaPkcs1Sha384)
    );
}

#[test]
fn application_data_sizes_both_ways() {
    for suite in [ECDSA_SUITES[0], ECDSA_SUITES[2]] {
        let mut cc = client_config();
        cc.cipher_suites = vec![suite].into();
        let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
        handshake(&mut c, &mut s).unwrap();
        for len in [1usize, 100, 16383, 16384, 16385, 100_000, 1 << 20] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            assert_eq!(
                send_and_receive(&mut c, &mut s, &data),
                data,
                "client->server {len}"
            );
            assert_eq!(
                send_and_receive(&mut s, &mut c, &data),
                data,
                "server->client {len}"
            );
        }
    }
}

#[test]
fn data_written_before_the_handshake_is_sent_after_it() {
    let (mut c, mut s) = pair("server-p256");
    assert_eq!(c.send(b"early").unwrap(), 5);
    handshake(&mut c, &mut s).unwrap();
    transfer(&mut c, &mut s).unwrap();
    assert_eq!(drain_plaintext(&mut s), b"early");
}

#[test]
fn close_notify_both_ways() {
    let (mut c, mut s) = pair("server-p256");
    handshake(&mut c, &mut s).unwrap();
    events(&mut c);
    events(&mut s);
    c.send(b"last words").unwrap();
    c.close();
    assert_eq!(c.send(b"more"), Err(Error::Misuse("send after close")));
    transfer(&mut c, &mut s).unwrap();
    assert_eq!(drain_plaintext(&mut s), b"last words");
    assert_eq!(events(&mut s), [Event::ApplicationData, Event::PeerClosed]);
    assert!(s.peer_closed());
    s.eof().unwrap();
    // The server answered with its own close_notify.
    transfer(&mut s, &mut c).unwrap();
    assert_eq!(events(&mut c), [Event::PeerClosed]);
    c.eof().unwrap();
}

#[test]
fn eof_without_close_notify_is_reported() {
    let (mut c, mut s) = pair("server-p256");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.eof(), Err(Error::UnexpectedEof));
}

#[test]
fn alpn_and_sni() {
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()].into();
    let (mut c, mut s) = pair_with(cc, sc, "testserver.com");
    handshake(&mut c, &mut s).unwrap();
    // The server's preference decides.
    assert_eq!(
        s.handshake_info().unwrap().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    assert_eq!(
        c.handshake_info().unwrap().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    assert_eq!(
        s.handshake_info().unwrap().server_name.as_deref(),
        Some("testserver.com")
    );
}

#[test]
fn alpn_without_overlap_is_no_application_protocol() {
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"h2".to_vec()].into();
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"http/1.1".to_vec()].into();
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(err, (Side::Server, Error::NoApplicationProtocol { .. })),
        "{err:?}"
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(
            AlertDescription::NoApplicationProtocol
        ))
    );
}

#[test]
fn ip_address_server_name_verifies_without_sni() {
    let (mut c, mut s) = pair_with(client_config(), server_config("server-p256"), "127.0.0.1");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.handshake_info().unwrap().server_name, None);
}

#[test]
fn handshake_delivered_one_byte_at_a_time() {
    for identity in ["server-p256", "server-rsa2048"] {
        let (mut c, mut s) = pair(identity);
        for _ in 0..10 {
            transfer_chunked(&mut c, &mut s, 1).unwrap();
            transfer_chunked(&mut s, &mut c, 1).unwrap();
        }
        assert!(!c.is_handshaking() && !s.is_handshaking());
        c.send(b"bytewise").unwrap();
        transfer_chunked(&mut c, &mut s, 1).unwrap();
        assert_eq!(drain_plaintext(&mut s), b"bytewise");
    }
}

#[test]
fn small_fragments_split_handshake_messages_across_records() {
    let mut sc = server_config("server-rsa2048");
    sc.max_fragment_len = 64;
    let mut cc = client_config();
    cc.max_fragment_len = 64;
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(send_and_receive(&mut c, &mut s, &[9; 1000]), [9; 1000]);
}

#[test]
fn receive_in_place_decrypts_inside_the_callers_buffer() {
    let (mut c, mut s) = pair("server-p256");
    handshake(&mut c, &mut s).unwrap();
    let data: Vec<u8> = (0..40_000u32).map(|i| i as u8).collect();
    c.send(&data).unwrap();
    let mut wire = c.pending_output().to_vec();
    c.consume_output(wire.len());
    let mut got = Vec::new();
    let mut at = 0;
    while at < wire.len() {
        // Offer a truncated buffer first: nothing is consumed.
        let partial = s.receive_in_place(&mut wire[at..at + 3]).unwrap();
        assert_eq!(partial.consumed, 0);
        let r = s.receive_in_place(&mut wire[at..]).unwrap();
        assert!(r.consumed > 0);
        got.extend_from_slice(r.application_data);
        at += r.consumed;
    }
    assert_eq!(got, data);
    assert!(s.plaintext().is_empty());
}

#[test]
fn plaintext_cap_applies_back_pressure() {
    let mut sc = server_config("server-p256");
    sc.limits.max_buffered_plaintext = 20_000;
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    c.send(&[1; 60_000]).unwrap();
    let wire = c.pending_output().to_vec();
    let used = s.receive(&wire).unwrap();
    assert!(used < wire.len(), "stopped consuming at the cap");
    assert!(s.plaintext().len() <= 20_000 + 16_384);
    let mut total = drain_plaintext(&mut s).len();
    let mut offered = &wire[used..];
    while !offered.is_empty() {
        let n = s.receive(offered).unwrap();
        offered = &offered[n..];
        total += drain_plaintext(&mut s).len();
    }
    assert_eq!(total, 60_000);
}

#[test]
fn wrong_server_name_is_bad_certificate() {
    let (mut c, mut s) = pair_with(
        client_config(),
        server_config("server-p256"),
        "wrong.example",
    );
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(&err, (Side::Client, Error::Certificate(CertificateError::NotValidForName { expected })) if expected == "wrong.example"),
        "{err:?}"
    );
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

#[test]
fn unknown_ca_is_unknown_ca() {
    let cc = tls12::ClientConfig::new(roots_from("other-ca.pem"));
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (
            Side::Client,
            Error::Certificate(CertificateError::UnknownIssuer)
        )
    );
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(AlertDescription::UnknownCa))
    );
}

#[test]
fn expired_certificate_is_certificate_expired() {
    let (mut c, mut s) = pair_with(
        client_config(),
        server_config("server-expired"),
        "localhost",
    );
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (Side::Client, Error::Certificate(CertificateError::Expired))
    );
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(AlertDescription::CertificateExpired))
    );
}

#[test]
fn no_common_suite_names_both_lists() {
    let mut cc = client_config();
    cc.cipher_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256].into();
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    let (side, err) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Server);
    let text = err.to_string();
    assert!(text.contains("no cipher suite in common"), "{text}");
    assert!(
        text.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{text}"
    );
    assert!(
        text.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        "{text}"
    );
    assert_eq!(err.alert(), Some(AlertDescription::HandshakeFailure));
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
}

#[test]
fn no_common_group_is_handshake_failure() {
    let mut cc = client_config();
    cc.groups = vec![NamedGroup::Secp384r1].into();
    let mut sc = server_config("server-rsa2048");
    sc.groups = vec![NamedGroup::X25519].into();
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(err, (Side::Server, Error::NoCommonGroup { .. })),
        "{err:?}"
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
}

#[test]
fn extended_master_secret_can_be_made_optional() {
    // Both sides always offer EMS; with it turned off on both, the handshake
    // still uses it. The requirement matters against peers without it, which
    // tests/protocol.rs exercises with crafted hellos.
    let mut cc = client_config();
    cc.require_extended_master_secret = false;
    let mut sc = server_config("server-p256");
    sc.require_extended_master_secret = false;
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert!(c.handshake_info().unwrap().extended_master_secret);
}

#[test]
fn a_dead_connection_repeats_its_error() {
    let (mut c, mut s) = pair_with(
        client_config(),
        server_config("server-p256"),
        "wrong.example",
    );
    let first = handshake(&mut c, &mut s).unwrap_err().1;
    assert_eq!(c.receive(b"anything"), Err(first.clone()));
    assert_eq!(c.send(b"anything"), Err(first.clone()));
    assert_eq!(c.error(), Some(&first));
}

/// The configuration error `config` gets when a client connection is made
/// with it.
fn client_config_error(config: tls12::ClientConfig) -> String {
    match tls12::ClientConnection::new(std::sync::Arc::new(config), name("localhost"), now()) {
        Err(Error::Config(why)) => why.to_string(),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

/// The configuration error `config` gets when a server connection is made
/// with it.
fn server_config_error(config: tls12::ServerConfig) -> String {
    match tls12::ServerConnection::new(std::sync::Arc::new(config), now()) {
        Err(Error::Config(why)) => why.to_string(),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn invalid_configurations_are_refused() {
    type Change = fn(&mut tls12::ClientConfig);
    let cases: &[(Change, &str)] = &[
        (
            |c| c.cipher_suites.to_mut().clear(),
            "no cipher suites configured",
        ),
        (
            |c| c.cipher_suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256].into(),
            "is not implemented",
        ),
        (
            |c| c.cipher_suites = vec![CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256].into(),
            "needs legacy_rsa_key_transport = true",
        ),
        (
            |c| c.groups.to_mut().clear(),
            "no key exchange groups configured",
        ),
        (
            |c| c.groups = vec![NamedGroup::Secp521r1].into(),
            "group secp521r1 is not implemented",
        ),
        (
            |c| c.signature_schemes.to_mut().clear(),
            "no signature schemes configured",
        ),
        (
            |c| c.signature_schemes = vec![tls12::SignatureScheme::Unknown(0x0201)].into(),
            "is not implemented",
        ),
        (
            |c| c.alpn_protocols = vec![Vec::new()].into(),
            "ALPN protocol names must be 1 to 255 bytes",
        ),
        (
            |c| c.alpn_protocols = vec![vec![b'x'; 256]].into(),
            "ALPN protocol names must be 1 to 255 bytes",
        ),
        (
            |c| c.alpn_protocols = vec![vec![b'x'; 255]; 258].into(),
            "ALPN protocol names must be 1 to 255 bytes",
        ),
        (
            |c| c.max_fragment_len = 63,
            "max_fragment_len must be between 64",
        ),
        (
            |c| c.max_fragment_len = (1 << 14) + 1,
            "max_fragment_len must be between 64",
        ),
        (
            |c| c.limits.max_handshake_message_len = 1023,
            "max_handshake_message_len must be 1 KiB to 16 MiB",
        ),
        (
            |c| c.limits.max_handshake_message_len = 1 << 24,
            "max_handshake_message_len must be 1 KiB to 16 MiB",
        ),
        (
            |c| c.limits.max_certificate_chain_len = 0,
            "max_certificate_chain_len must be at least 1",
        ),
        (
            |c| c.limits.max_buffered_output = (1 << 14) + 28,
            "max_buffered_output must hold at least one record",
        ),
        (
            |c| {
                c.max_fragment_len = 512;
                c.limits.max_buffered_output = 512 + 28;
            },
            "max_buffered_output must hold at least one record",
        ),
    ];
    for (change, why) in cases {
        let mut cc = client_config();
        change(&mut cc);
        let got = client_config_error(cc);
        assert!(got.contains(why), "{got:?} does not say {why:?}");
    }
    // The bounds themselves are accepted.
    let mut cc = client_config();
    cc.alpn_protocols = vec![vec![b'x'; 255]].into();
    cc.max_fragment_len = 64;
    cc.limits.max_handshake_message_len = 1024;
    cc.limits.max_certificate_chain_len = 1;
    cc.limits.max_buffered_output = 64 + 29;
    tls12::ClientConnection::new(std::sync::Arc::new(cc), name("localhost"), now()).unwrap();
    // With small records, a small output buffer.
    let mut cc = client_config();
    cc.max_fragment_len = 512;
    cc.limits.max_buffered_output = 512 + 29;
    tls12::ClientConnection::new(std::sync::Arc::new(cc), name("localhost"), now()).unwrap();

    // A server's suites must suit its key; its chain must not be empty.
    let mut sc = server_config("server-p256");
    sc.cipher_suites = RSA_SUITES.to_vec().into();
    let got = server_config_error(sc);
    assert!(
        got.contains("none of the configured cipher suites can be used with a"),
        "{got}"
    );
    let err = tls12::ServerConfig::new(Vec::new(), key("server-p256.key")).unwrap_err();
    assert_eq!(err, Error::Config("the certificate chain is empty".into()));
}

/// RFC 5246 §7.4.1.2: a ClientHello's extensions fit in 2^16 - 1 bytes, so
/// validation refuses an ALPN list that would not leave room for the rest
/// (with the longest host name), and the longest list it accepts makes a
/// hello that a server decodes.
#[test]
fn every_alpn_list_that_validates_makes_a_decodable_client_hello() {
    let build = |last: usize| {
        let mut names = vec![vec![b'x'; 255]; 254];
        names.push(vec![b'y'; last]);
        let mut cc = client_config();
        cc.alpn_protocols = names.into();
        tls12::ClientConnection::new(std::sync::Arc::new(cc), name("localhost"), now())
    };
    // The longest last name that still validates.
    let longest = (1..=255).rev().find(|n| build(*n).is_ok()).unwrap();
    assert!(longest < 255, "the list must hit the limit");
    assert!(matches!(build(longest + 1), Err(Error::Config(_))));
    let mut c = build(longest).unwrap();
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"h2".to_vec()].into();
    let mut s = tls12::ServerConnection::new(std::sync::Arc::new(sc), now()).unwrap();
    // Decodes (and fails for want of a common protocol, not on the bytes).
    assert_eq!(
        transfer(&mut c, &mut s).map_err(|e| e.alert()),
        Err(Some(tls12::AlertDescription::NoApplicationProtocol))
    );
}

#[test]
fn ecdsa_certificate_must_be_on_a_curve_the_client_lists() {
    // RFC 8422 §5.3: with only a P-256 ECDSA certificate, a client listing
    // x25519 alone cannot be served an ECDSA suite.
    let mut cc = client_config();
    cc.groups = vec![NamedGroup::X25519].into();
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(err, (Side::Server, Error::HandshakeFailure(_))),
        "{err:?}"
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
    // Listing the certificate's curve as well is enough; x25519 is still
    // the key exchange.
    let mut cc = client_config();
    cc.groups = vec![NamedGroup::X25519, NamedGroup::Secp256r1].into();
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.handshake_info().unwrap().group, Some(NamedGroup::X25519));
    // Ed25519 and RSA certificates are not tied to a curve.
    for identity in ["server-ed25519", "server-rsa2048"] {
        let mut cc = client_config();
        cc.groups = vec![NamedGroup::X25519].into();
        let (mut c, mut s) = pair_with(cc, server_config(identity), "localhost");
        handshake(&mut c, &mut s).unwrap();
    }
}
