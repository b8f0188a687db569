//! Pre-shared keys (RFC 4279, RFC 5489, RFC 5487, RFC 7905, RFC 8442, and
//! RFC 6655's CCM suites with the `aes-ccm` feature), in memory: every
//! suite, identity hints, wrong keys and unknown identities (alike by
//! default), the switch that reveals unknown identities, servers with and
//! without certificates, resumption, ALPN and SNI.

mod common;

use std::sync::Arc;

use common::*;
use tls12::psk::{Psk, PskMap};
use tls12::{
    AlertDescription, CipherSuite, ClientConfig, ClientConnection, Error, KeyExchange,
    RootCertStore, ServerConfig, ServerConnection, PSK_SUITES,
};

const KEY: [u8; 32] = [0x5a; 32];

fn key(bytes: &[u8]) -> Psk {
    Psk::new(bytes).unwrap()
}

/// A store with `sensor-17` (KEY) and `gateway` (16 bytes).
fn store() -> PskMap {
    let mut keys = PskMap::new();
    keys.insert(b"sensor-17", key(&KEY)).unwrap();
    keys.insert(b"gateway", key(&[0x77; 16])).unwrap();
    keys
}

fn psk_server() -> ServerConfig {
    ServerConfig::with_psk(Arc::new(store()))
}

/// A client with no trust anchors that offers only the PSK suites.
fn psk_client(identity: &[u8], k: &[u8]) -> ClientConfig {
    let mut config = ClientConfig::new(RootCertStore::empty());
    config.cipher_suites = PSK_SUITES.to_vec().into();
    config.add_psk(identity, key(k)).unwrap();
    config
}

/// Every PSK suite this build implements.
fn all_psk_suites() -> Vec<CipherSuite> {
    let mut suites = PSK_SUITES.to_vec();
    if cfg!(feature = "aes-ccm") {
        suites.push(CipherSuite::TLS_PSK_WITH_AES_128_CCM);
        suites.push(CipherSuite::TLS_PSK_WITH_AES_128_CCM_8);
    }
    suites
}

#[test]
fn every_psk_suite_completes_without_certificates() {
    for suite in all_psk_suites() {
        let mut client = psk_client(b"sensor-17", &KEY);
        client.cipher_suites = vec![suite].into();
        let mut server = psk_server();
        server.cipher_suites = all_psk_suites().into();
        let (mut c, mut s) = pair_with(client, server, "localhost");
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{suite:?}: {e:?}"));
        let psk_kx = if format!("{suite:?}").contains("ECDHE") {
            KeyExchange::EcdhePsk
        } else {
            KeyExchange::Psk
        };
        for info in [c.handshake_info().unwrap(), s.handshake_info().unwrap()] {
            assert_eq!(info.cipher_suite, suite);
            assert_eq!(info.key_exchange, psk_kx, "{suite:?}");
            assert_eq!(info.psk_identity.as_deref(), Some(&b"sensor-17"[..]));
            assert!(info.peer_certificates.is_empty());
            assert_eq!(info.signature_scheme, None);
            assert_eq!(info.group.is_some(), psk_kx == KeyExchange::EcdhePsk);
            assert!(info.extended_master_secret);
        }
        assert_eq!(send_and_receive(&mut c, &mut s, b"ping"), b"ping");
        assert_eq!(send_and_receive(&mut s, &mut c, b"pong"), b"pong");
    }
}

#[test]
fn the_second_identity_works_too() {
    let (mut c, mut s) = pair_with(
        psk_client(b"gateway", &[0x77; 16]),
        psk_server(),
        "localhost",
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        s.handshake_info().unwrap().psk_identity.as_deref(),
        Some(&b"gateway"[..])
    );
}

/// RFC 4279 §5.2: the server's hint picks among the client's identities;
/// without a ServerKeyExchange (plain PSK, no hint) the client uses the one
/// configured for any hint.
#[test]
fn the_identity_hint_chooses_the_identity() {
    for (hint, want) in [
        (Some(&b"gw-2"[..]), &b"gateway"[..]),
        (Some(b"elsewhere"), b"sensor-17"),
        (None, b"sensor-17"),
    ] {
        for suite in [
            CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
        ] {
            let mut client = ClientConfig::new(RootCertStore::empty());
            client.cipher_suites = vec![suite].into();
            client
                .add_psk_for_hint(b"gw-2", b"gateway", key(&[0x77; 16]))
                .unwrap();
            client.add_psk(b"sensor-17", key(&KEY)).unwrap();
            let mut server = psk_server();
            server.psk_identity_hint = hint.map(<[u8]>::to_vec).map(Into::into);
            let (mut c, mut s) = pair_with(client, server, "localhost");
            handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{hint:?} {suite:?}: {e:?}"));
            assert_eq!(
                s.handshake_info().unwrap().psk_identity.as_deref(),
                Some(want),
                "{hint:?} {suite:?}"
            );
        }
    }
}

/// What the server showed when a handshake failed.
fn failure(client: ClientConfig, server: ServerConfig) -> (Error, Option<AlertDescription>, Error) {
    let (mut c, mut s) = pair_with(client, server, "localhost");
    let (side, err) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Server, "{err:?}");
    let alert = plaintext_alert(&s);
    // The alert reaches the client.
    let client_err = c.receive(&take_output(&mut s)).unwrap_err();
    assert!(drain_plaintext(&mut c).is_empty(), "nothing delivered");
    (err, alert, client_err)
}

/// RFC 4279 §2: a wrong key fails at the client's Finished with
/// decrypt_error, and an unknown identity fails exactly the same way, so
/// that a client cannot tell which identities exist.
#[test]
fn a_wrong_key_and_an_unknown_identity_fail_alike_at_finished() {
    for suite in [
        CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let mut wrong_key = psk_client(b"sensor-17", &[0x5b; 32]);
        wrong_key.cipher_suites = vec![suite].into();
        let mut unknown = psk_client(b"sensor-18", &KEY);
        unknown.cipher_suites = vec![suite].into();
        let a = failure(wrong_key, psk_server());
        let b = failure(unknown, psk_server());
        assert_eq!(a.0, Error::PskMismatch, "{suite:?}");
        assert_eq!(a.1, Some(AlertDescription::DecryptError));
        assert_eq!(a.2, Error::AlertReceived(AlertDescription::DecryptError));
        assert_eq!(
            a, b,
            "{suite:?}: an unknown identity must look like a wrong key"
        );
    }
}

/// The client's diagnosis of a decrypt_error in a PSK handshake names the
/// key or identity, not certificates.
#[test]
fn the_clients_diagnosis_of_a_wrong_key_names_the_key() {
    let (mut c, mut s) = pair_with(
        psk_client(b"sensor-17", &[1; 32]),
        psk_server(),
        "localhost",
    );
    let _ = handshake(&mut c, &mut s);
    let _ = c.receive(&take_output(&mut s));
    let why = c.diagnosis().expect("failed").to_string();
    assert!(why.contains("pre-shared key"), "{why}");
    assert!(!why.contains("certificate"), "{why}");
}

#[test]
fn the_switch_reveals_unknown_identities_at_once() {
    let mut server = psk_server();
    server.reveal_unknown_psk_identity = true;
    let (err, alert, client_err) = failure(psk_client(b"sensor-18", &KEY), server);
    assert_eq!(err, Error::UnknownPskIdentity);
    assert_eq!(alert, Some(AlertDescription::UnknownPskIdentity));
    assert_eq!(
        client_err,
        Error::AlertReceived(AlertDescription::UnknownPskIdentity)
    );
    // A known identity still works with the switch on.
    let mut server = psk_server();
    server.reveal_unknown_psk_identity = true;
    let (mut c, mut s) = pair_with(psk_client(b"sensor-17", &KEY), server, "localhost");
    handshake(&mut c, &mut s).unwrap();
}

/// A very long identity is just another unknown one (RFC 4279 §5.3 asks
/// for 128 bytes), and one whose ClientKeyExchange exceeds the default 64
/// KiB handshake message cap is refused with decode_error before its body
/// is buffered.
#[test]
fn long_identities_are_unknown_ones_until_the_message_cap() {
    let long = vec![b'x'; 65_000];
    let (err, alert, _) = failure(psk_client(&long, &KEY), psk_server());
    assert_eq!(err, Error::PskMismatch);
    assert_eq!(alert, Some(AlertDescription::DecryptError));
    let too_long = vec![b'x'; 65_535];
    let (err, alert, _) = failure(psk_client(&too_long, &KEY), psk_server());
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err:?}");
    assert_eq!(alert, Some(AlertDescription::DecodeError));
}

/// A ClientKeyExchange whose identity runs past its end is decode_error.
#[test]
fn a_truncated_identity_is_decode_error() {
    let (mut c, mut s) = pair_with(psk_client(b"sensor-17", &KEY), psk_server(), "localhost");
    s.receive(&take_output(&mut c)).unwrap();
    c.receive(&take_output(&mut s)).unwrap();
    drop(take_output(&mut c));
    // identity<0..2^16-1> claiming 200 bytes, carrying 3.
    let cke = hs_record(&handshake_msg(16, &[0, 200, b'a', b'b', b'c']));
    let err = s.receive(&cke).unwrap_err();
    assert_eq!(err, Error::Decode("ClientKeyExchange"));
    assert_eq!(plaintext_alert(&s), Some(AlertDescription::DecodeError));
}

#[test]
fn psk_offered_to_a_server_without_psk_is_no_common_suite() {
    let (err, alert, _) = failure(psk_client(b"sensor-17", &KEY), server_config("server-p256"));
    assert!(matches!(err, Error::NoCommonCipherSuite { .. }), "{err:?}");
    assert_eq!(alert, Some(AlertDescription::HandshakeFailure));
}

/// A server with a certificate and keys serves each client what it offers,
/// in the server's order when the client offers both.
#[test]
fn a_server_offers_certificates_and_psk_at_once() {
    let mut server = server_config("server-p256");
    server.psk_store = Some(Arc::new(store()).into());
    server.cipher_suites.extend(PSK_SUITES);
    let server = Arc::new(server);
    let run = |client: ClientConfig| {
        let (mut c, mut s) = pair_from(Arc::new(client), server.clone(), "localhost");
        handshake(&mut c, &mut s).unwrap();
        c.handshake_info().unwrap().key_exchange
    };
    assert_eq!(run(client_config()), KeyExchange::Ecdhe);
    assert_eq!(run(psk_client(b"sensor-17", &KEY)), KeyExchange::EcdhePsk);
    let mut both = client_config();
    both.cipher_suites.extend(PSK_SUITES);
    both.add_psk(b"sensor-17", key(&KEY)).unwrap();
    assert_eq!(
        run(both),
        KeyExchange::Ecdhe,
        "the server's order: ECDHE first"
    );
}

#[test]
fn psk_sessions_resume_by_ticket_and_by_id() {
    let server = Arc::new(psk_server());
    for tickets in [true, false] {
        let mut client = psk_client(b"gateway", &[0x77; 16]);
        client.enable_tickets = tickets;
        client.session_cache = Some(Arc::new(tls12::ClientSessionCache::new(4)));
        let client = Arc::new(client);
        for round in 0..2 {
            let (mut c, mut s) = pair_from(client.clone(), server.clone(), "localhost");
            handshake(&mut c, &mut s).unwrap();
            for info in [c.handshake_info().unwrap(), s.handshake_info().unwrap()] {
                assert_eq!(info.resumed, round == 1, "tickets {tickets}");
                assert_eq!(info.psk_identity.as_deref(), Some(&b"gateway"[..]));
            }
            assert_eq!(send_and_receive(&mut c, &mut s, b"hi"), b"hi");
        }
    }
}

#[test]
fn alpn_and_sni_work_with_psk() {
    let mut server = psk_server();
    server.alpn_protocols = vec![b"coap".to_vec()].into();
    let mut client = psk_client(b"sensor-17", &KEY);
    client.alpn_protocols = vec![b"coap".to_vec(), b"h2".to_vec()].into();
    let (mut c, mut s) = pair_with(client, server, "gw.example");
    handshake(&mut c, &mut s).unwrap();
    let info = s.handshake_info().unwrap();
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"coap"[..]));
    assert_eq!(info.server_name.as_deref(), Some("gw.example"));
}

#[test]
fn psk_suites_and_keys_come_together() {
    let new_client = |config: ClientConfig| {
        ClientConnection::new(Arc::new(config), name("localhost"), now())
            .expect_err("refused")
            .to_string()
    };
    // Suites without keys, keys without suites.
    let mut suites_only = ClientConfig::new(RootCertStore::empty());
    suites_only.cipher_suites = PSK_SUITES.to_vec().into();
    assert!(new_client(suites_only).contains("no pre-shared key"));
    let mut keys_only = client_config();
    keys_only.add_psk(b"a", key(&KEY)).unwrap();
    assert!(new_client(keys_only).contains("no PSK suite"));

    let new_server = |config: ServerConfig| {
        ServerConnection::new(Arc::new(config), now())
            .expect_err("refused")
            .to_string()
    };
    let mut suites_only = server_config("server-p256");
    suites_only.cipher_suites.extend(PSK_SUITES);
    assert!(new_server(suites_only).contains("no pre-shared key"));
    let mut keys_only = server_config("server-p256");
    keys_only.psk_store = Some(Arc::new(store()).into());
    assert!(new_server(keys_only).contains("no PSK suite"));
    // Defaults list no PSK suite.
    assert!(!client_config()
        .cipher_suites
        .iter()
        .any(|s| PSK_SUITES.contains(s)));
    // Keys and identities are bounded.
    assert!(Psk::new(&[1; 65]).is_err());
    let mut c = client_config();
    assert!(c.add_psk(b"", key(&KEY)).is_err());
}

/// A client that only has identities for other hints cannot answer.
#[test]
fn no_identity_for_the_hint_is_a_handshake_failure_on_the_client() {
    let mut client = ClientConfig::new(RootCertStore::empty());
    client.cipher_suites = PSK_SUITES.to_vec().into();
    client.add_psk_for_hint(b"gw-9", b"x", key(&KEY)).unwrap();
    let mut server = psk_server();
    server.psk_identity_hint = Some(b"gw-1".to_vec().into());
    let (mut c, mut s) = pair_with(client, server, "localhost");
    let (side, err) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Client);
    assert!(matches!(err, Error::HandshakeFailure(_)), "{err:?}");
}
