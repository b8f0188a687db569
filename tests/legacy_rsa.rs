//! RSA key transport (TLS_RSA_WITH_AES_*_GCM_*), the legacy opt-in: never
//! offered or accepted by default, the client's encryption to the server
//! certificate's key, the server's decryption by the caller, and RFC 5246
//! §7.4.7.1's countermeasure: whatever the decryption gives, the server goes
//! on with a random premaster and the peer sees only its Finished fail, the
//! same way in every case.
//!
//! The caller's decryption here is the `rsa` crate's, a stand-in for an HSM
//! (its decryption is not constant-time; the library never uses it).

mod common;

use std::sync::Arc;

use common::*;
use rsa::pkcs8::DecodePrivateKey;
use tls12::{
    AlertDescription, Answer, CipherSuite, ClientAuth, ClientConfig, Connection, Error, Event,
    KeyExchange, KeyType, OperationKind, ServerConfig, LEGACY_RSA_KEY_TRANSPORT_SUITES,
};

const IDENTITY: &str = "server-rsa2048-kx";

/// The server's RSA key, held by "the caller".
fn private_key(identity: &str) -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::from_pkcs8_der(key(&format!("{identity}.key")).secret_der())
        .expect("the fixture's RSA key")
}

/// A client that offers only the RSA key transport suites.
fn rsa_client() -> ClientConfig {
    let mut config = client_config();
    config.legacy_rsa_key_transport = true;
    config.cipher_suites = LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec().into();
    config
}

/// A server whose RSA key the caller holds, accepting every suite with the
/// RSA key transport ones allowed (after the ECDHE ones).
fn rsa_server(identity: &str) -> ServerConfig {
    let (chain, _) = identity_chain(identity);
    let mut config = ServerConfig::with_caller_key(chain, KeyType::Rsa).unwrap();
    config.legacy_rsa_key_transport = true;
    config.cipher_suites.extend(LEGACY_RSA_KEY_TRANSPORT_SUITES);
    config
}

fn identity_chain(identity: &str) -> (Vec<tls12::pki_types::CertificateDer<'static>>, ()) {
    (certs(&format!("{identity}.chain.pem")), ())
}

/// What the caller answers a decryption with.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Decryption {
    /// The decryption, done right.
    Right,
    /// The decryption failed (bad padding): `Answer::Failed`.
    Failed,
    /// A plaintext one byte short.
    WrongLength,
}

fn answer(key: &rsa::RsaPrivateKey, ciphertext: &[u8], how: Decryption) -> Answer {
    let plain = key.decrypt(rsa::Pkcs1v15Encrypt, ciphertext);
    match (how, plain) {
        (Decryption::Failed, _) | (_, Err(_)) => Answer::Failed,
        (Decryption::Right, Ok(p)) => Answer::Decrypted(p.into()),
        (Decryption::WrongLength, Ok(mut p)) => {
            p.pop();
            Answer::Decrypted(p.into())
        }
    }
}

/// Answers the server's pending decryption, if any; whether there was one.
fn answer_decryption(s: &mut Connection, key: &rsa::RsaPrivateKey, how: Decryption) -> bool {
    let Some((id, ciphertext)) = s.operation().map(|op| {
        assert_eq!(op.kind(), OperationKind::Decrypt);
        (op.id(), op.message().to_vec())
    }) else {
        return false;
    };
    s.complete_operation(id, answer(key, &ciphertext, how))
        .expect("a decryption answer is always taken");
    true
}

/// Runs a handshake, the caller answering the server's decryption.
fn handshake_rsa(
    c: &mut Connection,
    s: &mut Connection,
    key: &rsa::RsaPrivateKey,
) -> Result<usize, (Side, Error)> {
    let mut decryptions = 0;
    for _ in 0..20 {
        if !c.is_handshaking() && !s.is_handshaking() {
            return Ok(decryptions);
        }
        transfer(c, s).map_err(|e| (Side::Server, e))?;
        if answer_decryption(s, key, Decryption::Right) {
            decryptions += 1;
        }
        transfer(s, c).map_err(|e| (Side::Client, e))?;
    }
    panic!("handshake did not finish");
}

fn pair_rsa(
    client: ClientConfig,
    server: ServerConfig,
) -> (tls12::ClientConnection, tls12::ServerConnection) {
    pair_with(client, server, "localhost")
}

#[test]
fn both_suites_complete_and_carry_data_both_ways() {
    let key = private_key(IDENTITY);
    for suite in LEGACY_RSA_KEY_TRANSPORT_SUITES {
        let mut client = rsa_client();
        client.cipher_suites = vec![suite].into();
        let (mut c, mut s) = pair_rsa(client, rsa_server(IDENTITY));
        assert_eq!(handshake_rsa(&mut c, &mut s, &key), Ok(1), "{suite:?}");
        for info in [c.handshake_info().unwrap(), s.handshake_info().unwrap()] {
            assert_eq!(info.cipher_suite, suite);
            assert_eq!(info.key_exchange, KeyExchange::Rsa);
            assert_eq!(info.group, None, "no ECDHE group");
            assert_eq!(info.signature_scheme, None, "nothing signed");
            assert!(info.extended_master_secret);
        }
        assert_eq!(send_and_receive(&mut c, &mut s, b"ping"), b"ping");
        assert_eq!(send_and_receive(&mut s, &mut c, b"pong"), b"pong");
    }
}

#[test]
fn a_server_allowing_both_prefers_ecdhe_for_a_client_offering_both() {
    let mut client = rsa_client();
    client.cipher_suites = vec![
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ]
    .into();
    let (mut c, mut s) = pair_rsa(client, rsa_server(IDENTITY));
    // ECDHE with a caller-held key: the caller signs; no decryption.
    let mut signed = false;
    for _ in 0..10 {
        if !c.is_handshaking() && !s.is_handshaking() {
            break;
        }
        transfer(&mut c, &mut s).unwrap();
        if let Some((id, scheme, message)) = s
            .operation()
            .map(|op| (op.id(), op.scheme(), op.message().to_vec()))
        {
            let scheme = scheme.expect("a signature, not a decryption");
            let kp = ring::signature::RsaKeyPair::from_pkcs8(
                key_der(&format!("{IDENTITY}.key")).as_slice(),
            )
            .unwrap();
            assert_eq!(scheme, tls12::SignatureScheme::RsaPssRsaeSha256);
            let rng = ring::rand::SystemRandom::new();
            let mut sig = vec![0; kp.public().modulus_len()];
            kp.sign(&ring::signature::RSA_PSS_SHA256, &rng, &message, &mut sig)
                .unwrap();
            s.complete_operation(id, Answer::Signature(sig.into()))
                .unwrap();
            signed = true;
        }
        transfer(&mut s, &mut c).unwrap();
    }
    assert!(signed);
    let info = c.handshake_info().unwrap();
    assert_eq!(info.key_exchange, KeyExchange::Ecdhe);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

#[test]
fn an_ecdhe_suite_without_a_common_group_gives_way_to_rsa_key_transport() {
    // RFC 8422 §4: an ECC suite is negotiated only if the handshake can
    // complete with the client's curves. The server prefers ECDHE_RSA, the
    // client offers it too, but they share no group: RSA key transport,
    // which the client also offers, is chosen instead of failing.
    let mut client = rsa_client();
    client.cipher_suites = vec![
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    ]
    .into();
    client.groups = vec![tls12::NamedGroup::Secp384r1].into();
    let mut server = rsa_server(IDENTITY);
    server.groups = vec![tls12::NamedGroup::X25519].into();
    let (mut c, mut s) = pair_rsa(client.clone(), server.clone());
    assert_eq!(handshake_rsa(&mut c, &mut s, &private_key(IDENTITY)), Ok(1));
    let info = s.handshake_info().unwrap();
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(info.group, None);
    // Without the RSA key transport suite offered, the ECDHE suite's
    // refusal stands.
    client.cipher_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256].into();
    let (mut c, mut s) = pair_rsa(client, server);
    assert!(matches!(
        handshake_rsa(&mut c, &mut s, &private_key(IDENTITY)),
        Err((Side::Server, Error::NoCommonGroup { .. }))
    ));
}

fn key_der(name: &str) -> Vec<u8> {
    key(name).secret_der().to_vec()
}

#[test]
fn sessions_resume_by_ticket_and_by_id() {
    let key = private_key(IDENTITY);
    let server = Arc::new(rsa_server(IDENTITY));
    for tickets in [true, false] {
        let mut client = rsa_client();
        client.enable_tickets = tickets;
        client.session_cache = Some(Arc::new(tls12::ClientSessionCache::new(4)));
        let client = Arc::new(client);
        let (mut c, mut s) = pair_from(client.clone(), server.clone(), "localhost");
        assert_eq!(handshake_rsa(&mut c, &mut s, &key), Ok(1));
        let (mut c2, mut s2) = pair_from(client.clone(), server.clone(), "localhost");
        assert_eq!(
            handshake_rsa(&mut c2, &mut s2, &key),
            Ok(0),
            "a resumed session needs no decryption (tickets: {tickets})"
        );
        let info = c2.handshake_info().unwrap();
        assert!(info.resumed, "tickets: {tickets}");
        assert_eq!(info.key_exchange, KeyExchange::Rsa);
        assert_eq!(send_and_receive(&mut c2, &mut s2, b"again"), b"again");
    }
}

#[test]
fn client_certificates_and_alpn_work_as_with_ecdhe() {
    let key = private_key(IDENTITY);
    let mut server = rsa_server(IDENTITY);
    server.client_auth = ClientAuth::Required(roots());
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let mut client = rsa_client();
    let (chain, client_key) = identity("client-p256");
    client.add_client_certificate(chain, client_key).unwrap();
    client.alpn_protocols = vec![b"http/1.1".to_vec()].into();
    let (mut c, mut s) = pair_rsa(client, server);
    assert_eq!(handshake_rsa(&mut c, &mut s, &key), Ok(1));
    let info = s.handshake_info().unwrap();
    assert_eq!(info.key_exchange, KeyExchange::Rsa);
    assert_eq!(info.peer_certificates.len(), 2, "the client's chain");
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(send_and_receive(&mut c, &mut s, b"hi"), b"hi");
}

// ---------------------------------------------------------------------------
// RFC 5246 §7.4.7.1: the countermeasure
// ---------------------------------------------------------------------------

/// The client's second flight, split into its records.
struct Flight {
    /// Handshake records up to and including ClientKeyExchange.
    key_exchange: Vec<u8>,
    ccs: Vec<u8>,
    finished: Vec<u8>,
}

fn split_flight(wire: &[u8]) -> Flight {
    let records = split_records(wire);
    assert_eq!(records.len(), 3, "ClientKeyExchange, CCS, Finished");
    Flight {
        key_exchange: records[0].clone(),
        ccs: records[1].clone(),
        finished: records[2].clone(),
    }
}

/// Replaces the ciphertext in a ClientKeyExchange record (the only message
/// in it) with `f(ciphertext)`.
fn rewrite_ciphertext(record: &[u8], f: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    // header(5), type(1) length(3), then the ciphertext's length(2).
    assert_eq!(record[5], 16, "ClientKeyExchange");
    let ciphertext = &record[5 + 4 + 2..];
    let new = f(ciphertext);
    let mut body = Vec::new();
    body.extend_from_slice(&(new.len() as u16).to_be_bytes());
    body.extend_from_slice(&new);
    hs_record(&handshake_msg(16, &body))
}

/// What the server showed: its output after each of the client's records,
/// and how it failed.
#[derive(Debug, PartialEq)]
struct Seen {
    after_key_exchange: Vec<u8>,
    after_answer: Vec<u8>,
    after_ccs: Vec<u8>,
    error: Option<Error>,
    alert: Option<AlertDescription>,
    /// Everything it queued after Finished.
    final_output: Vec<u8>,
}

/// A handshake whose ClientKeyExchange is rewritten by `tamper` and whose
/// decryption the caller answers `how`: what the server shows at each step.
fn run_case(tamper: impl Fn(&[u8]) -> Vec<u8>, how: Decryption) -> Seen {
    let key = private_key(IDENTITY);
    let (mut c, mut s) = pair_rsa(rsa_client(), rsa_server(IDENTITY));
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let flight = split_flight(&take_output(&mut c));
    let key_exchange = rewrite_ciphertext(&flight.key_exchange, tamper);
    assert_eq!(s.receive(&key_exchange).unwrap(), key_exchange.len());
    let after_key_exchange = take_output(&mut s);
    assert!(
        answer_decryption(&mut s, &key, how),
        "paused for decryption"
    );
    let after_answer = take_output(&mut s);
    s.receive(&flight.ccs).unwrap();
    let after_ccs = take_output(&mut s);
    let error = s.receive(&flight.finished).err();
    let alert = plaintext_alert(&s);
    let final_output = take_output(&mut s);
    Seen {
        after_key_exchange,
        after_answer,
        after_ccs,
        error,
        alert,
        final_output,
    }
}

/// Rewrites a ClientKeyExchange's ciphertext.
type Tamper<'a> = &'a dyn Fn(&[u8]) -> Vec<u8>;

/// What Bleichenbacher-style attackers (ROBOT) send: ciphertexts they made,
/// some well-formed and some not, each followed by ChangeCipherSpec and
/// the client's Finished, which can only verify with the client's own
/// premaster. The server must answer every one the same way, and nothing
/// before Finished.
#[test]
fn every_bad_premaster_fails_the_same_way_and_only_at_finished() {
    let key = private_key(IDENTITY);
    let public = rsa::RsaPublicKey::from(&key);
    let encrypt = |m: &[u8]| {
        public
            .encrypt(&mut rand_core(), rsa::Pkcs1v15Encrypt, m)
            .unwrap()
    };
    let same = |c: &[u8]| c.to_vec();
    // A block with the wrong type byte (02 expected), encrypted raw: the
    // caller's PKCS#1 decryption rejects its padding.
    let bad_padding = |_: &[u8]| {
        let mut em = vec![0xab; 256];
        em[0] = 0;
        em[1] = 1;
        em[256 - 49] = 0;
        let m = rsa::BigUint::from_bytes_be(&em);
        rsa::hazmat::rsa_encrypt(&public, &m).unwrap().to_bytes_be()
    };
    let wrong_length = |_: &[u8]| encrypt(&[3; 47]);
    let mut wrong_version = [0x5a; 48];
    wrong_version[..2].copy_from_slice(&[3, 1]);
    let wrong_version = |_: &[u8]| encrypt(&wrong_version);
    let mut well_formed = [0x5a; 48];
    well_formed[..2].copy_from_slice(&[3, 3]);
    let well_formed = |_: &[u8]| encrypt(&well_formed);
    let tampered = |c: &[u8]| {
        let mut c = c.to_vec();
        c[100] ^= 1;
        c
    };
    let empty = |_: &[u8]| Vec::new();
    let cases: [(&str, Tamper<'_>, Decryption); 8] = [
        ("wrong padding", &bad_padding, Decryption::Right),
        ("wrong length", &wrong_length, Decryption::Right),
        ("wrong version", &wrong_version, Decryption::Right),
        (
            "well-formed, not the client's",
            &well_formed,
            Decryption::Right,
        ),
        ("tampered ciphertext", &tampered, Decryption::Right),
        ("empty ciphertext", &empty, Decryption::Right),
        ("the caller's decryption failed", &same, Decryption::Failed),
        (
            "the caller's answer is short",
            &same,
            Decryption::WrongLength,
        ),
    ];
    let mut outputs = Vec::new();
    for (name, tamper, how) in cases {
        let seen = run_case(tamper, how);
        assert!(seen.after_key_exchange.is_empty(), "{name}");
        assert!(
            seen.after_answer.is_empty(),
            "{name}: nothing before Finished"
        );
        assert!(seen.after_ccs.is_empty(), "{name}: nothing before Finished");
        assert_eq!(seen.error, Some(Error::BadRecordMac), "{name}");
        assert_eq!(seen.alert, Some(AlertDescription::BadRecordMac), "{name}");
        outputs.push(seen.final_output);
    }
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "the same bytes every time: {outputs:?}"
    );
    // The control: the client's own ciphertext, decrypted right, completes.
    // (Rewriting the ciphertext changes the extended master secret's
    // session hash, so the replaced version inside a premaster, which RFC
    // 5246 §7.4.7.1 overwrites rather than compares, is shown by the unit
    // tests of `crypto::rsa_kx` instead.)
    let control = run_case(same, Decryption::Right);
    assert_eq!(control.error, None);
    assert_eq!(control.alert, None);
}

/// The `rsa` crate's generator, for the attacker's encryptions.
fn rand_core() -> impl rsa::rand_core::CryptoRngCore {
    struct Ring(ring::rand::SystemRandom);
    impl rsa::rand_core::RngCore for Ring {
        fn next_u32(&mut self) -> u32 {
            let mut b = [0; 4];
            self.fill_bytes(&mut b);
            u32::from_le_bytes(b)
        }
        fn next_u64(&mut self) -> u64 {
            let mut b = [0; 8];
            self.fill_bytes(&mut b);
            u64::from_le_bytes(b)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            ring::rand::SecureRandom::fill(&self.0, dest).unwrap();
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }
    impl rsa::rand_core::CryptoRng for Ring {}
    Ring(ring::rand::SystemRandom::new())
}

// ---------------------------------------------------------------------------
// Never by accident
// ---------------------------------------------------------------------------

#[test]
fn listing_the_suites_without_the_switch_is_a_configuration_error() {
    let mut client = client_config();
    client
        .cipher_suites
        .to_mut()
        .push(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256);
    let err = tls12::ClientConnection::new(Arc::new(client), name("localhost"), now())
        .expect_err("refused");
    assert!(
        err.to_string().contains("legacy_rsa_key_transport"),
        "names the switch: {err}"
    );

    let mut server = rsa_server(IDENTITY);
    server.legacy_rsa_key_transport = false;
    let err = tls12::ServerConnection::new(Arc::new(server), now()).expect_err("refused");
    assert!(
        err.to_string().contains("legacy_rsa_key_transport"),
        "{err}"
    );
}

#[test]
fn a_server_whose_rsa_key_the_library_holds_cannot_serve_them() {
    let mut server = server_config("server-rsa2048-kx");
    server.legacy_rsa_key_transport = true;
    server.cipher_suites = LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec().into();
    let err = tls12::ServerConnection::new(Arc::new(server), now()).expect_err("refused");
    assert!(err.to_string().contains("caller holds"), "{err}");
}

#[test]
fn default_configurations_neither_offer_nor_accept_them() {
    let client = client_config();
    assert!(!client
        .cipher_suites
        .iter()
        .any(|s| LEGACY_RSA_KEY_TRANSPORT_SUITES.contains(s)));
    let server = server_config("server-rsa2048-kx");
    assert!(!server
        .cipher_suites
        .iter()
        .any(|s| LEGACY_RSA_KEY_TRANSPORT_SUITES.contains(s)));
    // A legacy client meets a default server: no suite in common.
    let (mut c, mut s) = pair_rsa(rsa_client(), server);
    let (side, err) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Server);
    assert!(matches!(err, Error::NoCommonCipherSuite { .. }), "{err}");
    assert_eq!(
        c.next_event(),
        None,
        "the client only sees the alert: {:?}",
        events(&mut c)
    );
}

#[test]
fn the_client_refuses_a_certificate_that_does_not_allow_key_encipherment() {
    // server-rsa2048's key usage is digitalSignature alone (RFC 5246 §7.4.2).
    let (mut c, mut s) = pair_rsa(rsa_client(), rsa_server("server-rsa2048"));
    let key = private_key("server-rsa2048");
    let (side, err) = handshake_rsa(&mut c, &mut s, &key).unwrap_err();
    assert_eq!(side, Side::Client);
    assert_eq!(
        err,
        Error::Certificate(tls12::CertificateError::InvalidPurpose),
        "{err}"
    );
}

#[test]
fn a_server_key_exchange_is_unexpected_with_rsa_key_transport() {
    // An ECDHE server's first flight, relabelled as an RSA suite: the
    // client takes ServerHello and Certificate, then must refuse the
    // ServerKeyExchange (RFC 5246 §7.4.3: not sent for RSA).
    let (mut c, mut s) = pair_rsa(rsa_client(), server_config("server-rsa2048-kx"));
    let _ = &mut s;
    let hello = take_output(&mut c);
    let mut server = server_config("server-rsa2048-kx");
    server.cipher_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256].into();
    let mut s = tls12::ServerConnection::new(Arc::new(server), now()).unwrap();
    // Offer the ECDHE suite to that server by editing nothing but the
    // client's suite list in its hello would break the transcript; the
    // client fails before Finished anyway, at the first message it refuses.
    let hello = hello
        .windows(2)
        .position(|w| w == [0x00, 0x9c])
        .map(|at| {
            let mut h = hello.clone();
            h[at + 1] = 0x2f;
            h[at] = 0xc0;
            h
        })
        .unwrap();
    s.receive(&hello).unwrap();
    let mut flight = take_output(&mut s);
    // ServerHello's suite back to the one the client offered.
    let at = flight.windows(2).position(|w| w == [0xc0, 0x2f]).unwrap();
    flight[at] = 0x00;
    flight[at + 1] = 0x9c;
    let err = c.receive(&flight).unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedMessage { got, .. } if got == "ServerKeyExchange"),
        "{err:?}"
    );
    assert_eq!(
        plaintext_alert(&c),
        Some(AlertDescription::UnexpectedMessage)
    );
    let _ = Event::HandshakeComplete;
}

/// A certificate for key transport alone (keyEncipherment, no
/// digitalSignature) serves the RSA suites, which sign nothing (RFC 5246
/// §7.4.2).
#[test]
fn a_key_transport_only_certificate_serves_the_rsa_suites() {
    let identity = "server-rsa2048-kx-only";
    let key = private_key(identity);
    let (mut c, mut s) = pair_rsa(rsa_client(), rsa_server(identity));
    assert_eq!(handshake_rsa(&mut c, &mut s, &key), Ok(1));
    assert_eq!(send_and_receive(&mut c, &mut s, b"ok"), b"ok");
}
