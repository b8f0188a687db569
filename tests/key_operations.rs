//! The caller performs the private-key operations: a connection whose key
//! is held elsewhere (an HSM, a remote service, another thread) pauses for
//! each signature, keeps taking the peer's bytes, and resumes when the
//! answer comes, however many turns of the loop later.

mod common;

use common::*;
use tls12::{
    AlertDescription, Answer, Connection, Error, Event, KeyType, OperationKind, ServerConfig,
    SignatureScheme,
};

/// What the caller's key answers with, made by a software key standing in
/// for the HSM.
struct Hsm {
    key: String,
}

impl Hsm {
    fn new(key_file: &str) -> Self {
        Self {
            key: key_file.into(),
        }
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Vec<u8> {
        sign_with(&key(&self.key), scheme, message)
    }
}

/// A signature as the scheme says (RFC 5246 §7.4.1.4.1), with ring.
fn sign_with(
    key: &tls12::pki_types::PrivateKeyDer<'_>,
    scheme: SignatureScheme,
    message: &[u8],
) -> Vec<u8> {
    use ring::signature as sig;
    let rng = ring::rand::SystemRandom::new();
    let der = key.secret_der();
    match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => {
            sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
                .unwrap()
                .sign(&rng, message)
                .unwrap()
                .as_ref()
                .to_vec()
        }
        SignatureScheme::EcdsaSecp384r1Sha384 => {
            sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_ASN1_SIGNING, der, &rng)
                .unwrap()
                .sign(&rng, message)
                .unwrap()
                .as_ref()
                .to_vec()
        }
        SignatureScheme::RsaPssRsaeSha256 => {
            let kp = sig::RsaKeyPair::from_pkcs8(der).unwrap();
            let mut out = vec![0; kp.public().modulus_len()];
            kp.sign(&sig::RSA_PSS_SHA256, &rng, message, &mut out)
                .unwrap();
            out
        }
        other => panic!("the test HSM does not sign {other:?}"),
    }
}

fn caller_key_server(identity: &str, kind: KeyType) -> ServerConfig {
    let (chain, _) = tls12::testing::identity(identity);
    ServerConfig::with_caller_key(chain, kind).unwrap()
}

/// The pending operation's id and what it asks, from the event queue.
fn operation_event(conn: &mut Connection) -> Option<(tls12::OperationId, OperationKind)> {
    events(conn).into_iter().find_map(|e| match e {
        Event::Operation { id, kind } => Some((id, kind)),
        _ => None,
    })
}

/// Answers `conn`'s pending operation with `hsm`.
fn answer(conn: &mut Connection, hsm: &Hsm) {
    let op = conn.operation().expect("an operation is pending");
    let (id, scheme, message) = (op.id(), op.scheme().unwrap(), op.message().to_vec());
    conn.complete_operation(id, Answer::Signature(hsm.sign(scheme, &message).into()))
        .unwrap();
}

/// A warning alert record (user_canceled), which a peer may send at any
/// time and the paused side must hold, not lose.
fn warning() -> Vec<u8> {
    record(21, 0x0303, &[1, 90])
}

#[test]
fn a_server_with_a_caller_held_key_pauses_and_resumes_after_several_turns() {
    for (identity, kind, scheme) in [
        (
            "server-p256",
            KeyType::EcdsaP256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ),
        (
            "server-rsa2048",
            KeyType::Rsa,
            SignatureScheme::RsaPssRsaeSha256,
        ),
    ] {
        let (mut c, mut s) = pair_with(
            client_config(),
            caller_key_server(identity, kind),
            "localhost",
        );
        let hsm = Hsm::new(&format!("{identity}.key"));
        transfer(&mut c, &mut s).unwrap();
        // Paused: ServerHello and Certificate are flushable already.
        assert_eq!(
            operation_event(&mut s),
            Some((s.operation().unwrap().id(), OperationKind::Sign(scheme)))
        );
        let flushed = split_messages(&take_output(&mut s));
        assert_eq!(flushed.iter().map(|m| m[0]).collect::<Vec<_>>(), [2, 11]);
        c.receive(&hs_record_pair(&flushed)).unwrap();
        // Several turns with peer bytes in between: held, not lost.
        for _ in 0..3 {
            assert_eq!(s.receive(&warning()), Ok(7));
            assert!(s.operation().is_some());
            assert!(s.pending_output().is_empty());
        }
        answer(&mut s, &hsm);
        assert!(s.operation().is_none());
        // The held warnings were read once the handshake went on.
        let warned = events(&mut s)
            .into_iter()
            .filter(|e| *e == Event::WarningAlert(AlertDescription::UserCanceled))
            .count();
        assert_eq!(warned, 3);
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(c.handshake_info().unwrap().signature_scheme, Some(scheme));
        assert_eq!(send_and_receive(&mut c, &mut s, b"ping"), b"ping");
        assert_eq!(send_and_receive(&mut s, &mut c, b"pong"), b"pong");
    }
}

/// The messages of a flight in one plaintext handshake record.
fn hs_record_pair(msgs: &[Vec<u8>]) -> Vec<u8> {
    hs_record(&msgs.concat())
}

#[test]
fn a_client_with_a_caller_held_key_signs_certificate_verify_through_the_caller() {
    let mut cc = client_config();
    let (chain, _) = tls12::testing::identity("client-p384");
    cc.add_client_certificate_with_caller_key(chain, KeyType::EcdsaP384)
        .unwrap();
    let mut sc = server_config("server-p256");
    sc.client_auth = tls12::ClientAuth::Required(roots());
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let (id, kind) = operation_event(&mut c).expect("paused for CertificateVerify");
    assert_eq!(
        kind,
        OperationKind::Sign(SignatureScheme::EcdsaSecp384r1Sha384)
    );
    // What it signs is every handshake message so far (RFC 5246 §7.4.8):
    // it starts with the ClientHello.
    assert_eq!(c.operation().unwrap().message()[0], 1);
    // Certificate and ClientKeyExchange can go out already.
    let early = split_messages(&take_output(&mut c));
    assert_eq!(early.iter().map(|m| m[0]).collect::<Vec<_>>(), [11, 16]);
    s.receive(&hs_record_pair(&early)).unwrap();
    assert_eq!(c.receive(&warning()), Ok(7));
    let op = c.operation().unwrap();
    let signature = Hsm::new("client-p384.key").sign(op.scheme().unwrap(), op.message());
    c.complete_operation(id, Answer::Signature(signature.into()))
        .unwrap();
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.handshake_info().unwrap().peer_certificates.len(), 2);
    assert_eq!(
        send_and_receive(&mut c, &mut s, b"signed by the HSM"),
        b"signed by the HSM"
    );
}

#[test]
fn unknown_and_repeated_answers_are_misuse_and_change_nothing() {
    let (mut c, mut s) = pair_with(
        client_config(),
        caller_key_server("server-p256", KeyType::EcdsaP256),
        "localhost",
    );
    transfer(&mut c, &mut s).unwrap();
    let (id, _) = operation_event(&mut s).unwrap();
    let other = {
        // An id of another connection's operation.
        let (mut c2, mut s2) = pair_with(
            client_config(),
            caller_key_server("server-p256", KeyType::EcdsaP256),
            "localhost",
        );
        transfer(&mut c2, &mut s2).unwrap();
        transfer(&mut c2, &mut s2).unwrap();
        let first = s2.operation().unwrap().id();
        answer(&mut s2, &Hsm::new("server-p256.key"));
        first
    };
    let misuse = Err(Error::Misuse("no pending operation has this id"));
    assert_ne!(other, id, "ids are unique across connections");
    assert_eq!(s.complete_operation(other, Answer::Failed), misuse);
    assert!(s.operation().is_some(), "still paused");
    answer(&mut s, &Hsm::new("server-p256.key"));
    // Answered: the same id again is refused, and the handshake goes on.
    assert_eq!(s.complete_operation(id, Answer::Failed), misuse);
    assert!(s.error().is_none());
    handshake(&mut c, &mut s).unwrap();
}

#[test]
fn a_signature_that_does_not_verify_fails_with_internal_error_for_the_peer() {
    const DOES_NOT_VERIFY: &str = "the caller's signature does not verify with our certificate";
    for (bad, why) in [
        (Vec::new(), DOES_NOT_VERIFY),
        // The wrong numbers.
        (
            vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
            DOES_NOT_VERIFY,
        ),
        (vec![0; 512], DOES_NOT_VERIFY),
        // Longer than any signature: refused before the check.
        (vec![0; 600], "the caller's answer is longer than 512 bytes"),
    ] {
        let (mut c, mut s) = pair_with(
            client_config(),
            caller_key_server("server-p256", KeyType::EcdsaP256),
            "localhost",
        );
        transfer(&mut c, &mut s).unwrap();
        let id = s.operation().unwrap().id();
        let err = s
            .complete_operation(id, Answer::Signature(bad.into()))
            .unwrap_err();
        assert_eq!(err, Error::OperationFailed(why));
        assert_eq!(s.error(), Some(&err));
        // ServerHello and Certificate, then the alert.
        assert_eq!(
            transfer(&mut s, &mut c),
            Err(Error::AlertReceived(AlertDescription::InternalError))
        );
    }
    // A signature by another key (the client's), right length and form.
    let (mut c, mut s) = pair_with(
        client_config(),
        caller_key_server("server-p256", KeyType::EcdsaP256),
        "localhost",
    );
    transfer(&mut c, &mut s).unwrap();
    let op = s.operation().unwrap();
    let (id, scheme, message) = (op.id(), op.scheme().unwrap(), op.message().to_vec());
    let wrong_key = Hsm::new("client-p256.key").sign(scheme, &message);
    assert!(matches!(
        s.complete_operation(id, Answer::Signature(wrong_key.into())),
        Err(Error::OperationFailed(_))
    ));
}

#[test]
fn a_failure_the_caller_reports_sends_internal_error() {
    let mut cc = client_config();
    let (chain, _) = tls12::testing::identity("client-p256");
    cc.add_client_certificate_with_caller_key(chain, KeyType::EcdsaP256)
        .unwrap();
    let mut sc = server_config("server-p256");
    sc.client_auth = tls12::ClientAuth::Required(roots());
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let id = c.operation().unwrap().id();
    assert_eq!(
        c.complete_operation(id, Answer::Failed),
        Err(Error::OperationFailed("the caller could not answer"))
    );
    // Certificate and ClientKeyExchange went out before the pause; then
    // the alert.
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(AlertDescription::InternalError))
    );
    // Dead: every later call says so.
    assert_eq!(
        c.complete_operation(id, Answer::Failed),
        Err(Error::OperationFailed("the caller could not answer"))
    );
}

#[test]
fn a_paused_connection_may_be_dropped() {
    let (mut c, mut s) = pair_with(
        client_config(),
        caller_key_server("server-p256", KeyType::EcdsaP256),
        "localhost",
    );
    transfer(&mut c, &mut s).unwrap();
    assert!(s.operation().is_some());
    drop(s);
    drop(c);
}

#[test]
fn held_bytes_are_capped_by_the_handshake_message_cap() {
    let mut sc = caller_key_server("server-p256", KeyType::EcdsaP256);
    sc.limits.max_handshake_message_len = 1024;
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    let flood: Vec<u8> = std::iter::repeat_n(warning(), 300).flatten().collect();
    // Back-pressure once 1 KiB is held: the rest is not taken.
    assert_eq!(s.receive(&flood), Ok(1024));
    assert_eq!(s.receive(&flood), Ok(0));
    assert!(s.error().is_none());
}

#[test]
fn receive_in_place_refuses_while_paused() {
    let (mut c, mut s) = pair_with(
        client_config(),
        caller_key_server("server-p256", KeyType::EcdsaP256),
        "localhost",
    );
    transfer(&mut c, &mut s).unwrap();
    let mut buf = warning();
    assert!(matches!(
        s.receive_in_place(&mut buf),
        Err(Error::Misuse(_))
    ));
    assert!(s.error().is_none());
}

// ---------------------------------------------------------------------------
// Several chains: the server picks one per ClientHello
// ---------------------------------------------------------------------------

/// An ECDSA chain first, an RSA chain beside it.
fn ecdsa_and_rsa() -> ServerConfig {
    let mut sc = server_config("server-p256");
    let (chain, key) = tls12::testing::identity("server-rsa2048");
    sc.add_certificate(chain, key).unwrap();
    sc
}

#[test]
fn a_server_with_ecdsa_and_rsa_chains_serves_what_the_client_can_use() {
    use tls12::CipherSuite as C;
    for (suites, schemes, want_suite, want_scheme) in [
        (
            vec![C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
            vec![SignatureScheme::RsaPssRsaeSha256],
            C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::RsaPssRsaeSha256,
        ),
        (
            vec![C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
            vec![SignatureScheme::EcdsaSecp256r1Sha256],
            C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ),
        // Both suites, but only RSA signatures: the RSA chain.
        (
            vec![
                C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            ],
            vec![SignatureScheme::RsaPkcs1Sha256],
            C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::RsaPkcs1Sha256,
        ),
    ] {
        let mut cc = client_config();
        cc.cipher_suites = suites.into();
        cc.signature_schemes = schemes.into();
        let (mut c, mut s) = pair_with(cc, ecdsa_and_rsa(), "localhost");
        handshake(&mut c, &mut s).unwrap();
        let info = c.handshake_info().unwrap();
        assert_eq!(info.cipher_suite, want_suite);
        assert_eq!(info.signature_scheme, Some(want_scheme));
        // The server says which chain it served: 0 the ECDSA, 1 the RSA.
        let served = s.handshake_info().unwrap().chain_index;
        let rsa = want_suite == C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        assert_eq!(served, Some(usize::from(rsa)));
        // The client presented none.
        assert_eq!(info.chain_index, None);
    }
    // Nothing either chain can serve: the first chain's refusal.
    let mut cc = client_config();
    cc.signature_schemes = vec![SignatureScheme::Ed25519].into();
    let (mut c, mut s) = pair_with(cc, ecdsa_and_rsa(), "localhost");
    assert!(matches!(
        handshake(&mut c, &mut s),
        Err((Side::Server, Error::NoCommonSignatureScheme { .. }))
    ));
}

#[test]
fn a_server_picks_the_chain_that_covers_the_name_asked_for() {
    // other-server-p256 (from another CA) covers only "localhost" and comes
    // first; server-p256 also covers "testserver.com".
    let mut sc = server_config("other-server-p256");
    let (chain, key) = tls12::testing::identity("server-p256");
    sc.add_certificate(chain, key).unwrap();
    let sc = std::sync::Arc::new(sc);
    let cc = std::sync::Arc::new(client_config());
    let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "testserver.com");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        s.handshake_info().unwrap().server_name.as_deref(),
        Some("testserver.com")
    );
    assert_eq!(s.handshake_info().unwrap().chain_index, Some(1));
    // "localhost": both cover it, so the first is served, which this
    // client does not trust: the choice really was by name.
    let (mut c, mut s) = pair_from(cc, sc, "localhost");
    assert!(matches!(
        handshake(&mut c, &mut s),
        Err((
            Side::Client,
            Error::Certificate(tls12::CertificateError::UnknownIssuer)
        ))
    ));
}

/// `openssl s_client -sigalgs sigalgs` against our server with both chains:
/// the scheme it saw.
fn s_client_against_both_chains(sigalgs: &str) -> (String, Option<SignatureScheme>) {
    use common::peer::{our_server_thread, tls_error, Proc};
    let ours = our_server_thread(ecdsa_and_rsa(), |tls| match tls.complete_handshake() {
        Ok(()) => {
            let info = tls.connection().handshake_info().cloned().unwrap();
            let _ = tls.close();
            Ok(info)
        }
        Err(e) => Err(tls_error(tls.connection(), &e)),
    });
    let mut cmd = std::process::Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{}", ours.port)])
        .args(["-CAfile", &fixture_path("ca.pem"), "-tls1_2"])
        .args(["-servername", "localhost", "-sigalgs", sigalgs]);
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    let info = ours
        .join()
        .unwrap_or_else(|e| panic!("{e}\n{}", client.log()));
    (client.log(), info.signature_scheme)
}

#[test]
fn s_client_gets_the_rsa_or_the_ecdsa_chain_by_its_signature_algorithms() {
    let (log, scheme) = s_client_against_both_chains("RSA-PSS+SHA256");
    assert_eq!(scheme, Some(SignatureScheme::RsaPssRsaeSha256));
    assert!(log.contains("CN = server-rsa2048"), "{log}");
    assert!(log.contains("Verify return code: 0 (ok)"), "{log}");
    let (log, scheme) = s_client_against_both_chains("ECDSA+SHA256");
    assert_eq!(scheme, Some(SignatureScheme::EcdsaSecp256r1Sha256));
    assert!(log.contains("CN = server-p256"), "{log}");
    assert!(log.contains("Verify return code: 0 (ok)"), "{log}");
}

// ---------------------------------------------------------------------------
// The caller's verdict on the peer's chain
// ---------------------------------------------------------------------------

use tls12::keyop::{PeerChain, PeerVerifier, Verdict};

/// A verifier with a fixed verdict, counting its calls.
#[derive(Debug)]
struct Fixed(Verdict, std::sync::atomic::AtomicUsize);

impl Fixed {
    fn new(verdict: Verdict) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self(verdict, std::sync::atomic::AtomicUsize::new(0)))
    }
}

impl PeerVerifier for Fixed {
    fn verify(&self, peer: &PeerChain<'_>) -> Verdict {
        assert!(!peer.chain.is_empty());
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.clone()
    }
}

/// Accepts exactly one leaf.
#[derive(Debug)]
struct Pinned(Vec<u8>);

impl PeerVerifier for Pinned {
    fn verify(&self, peer: &PeerChain<'_>) -> Verdict {
        match peer.chain.first() {
            Some(leaf) if leaf.as_ref() == self.0.as_slice() => Verdict::Accept,
            _ => Verdict::Reject(tls12::CertificateError::Other("not the pinned leaf".into())),
        }
    }
}

#[test]
fn a_client_pauses_for_the_callers_verdict_and_holds_the_rest_of_the_flight() {
    let mut cc = client_config();
    cc.verifier = Some(Fixed::new(Verdict::AskCaller).into());
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    transfer(&mut c, &mut s).unwrap();
    // The server's whole flight in one piece: the client stops after the
    // Certificate and holds ServerKeyExchange and ServerHelloDone.
    transfer(&mut s, &mut c).unwrap();
    let (id, kind) = operation_event(&mut c).expect("paused for the verdict");
    assert_eq!(kind, OperationKind::VerifyChain);
    let op = c.operation().unwrap();
    assert_eq!(op.chain().len(), 2, "leaf and intermediate");
    assert!(op.message().is_empty() && op.scheme().is_none());
    assert!(c.pending_output().is_empty(), "nothing sent while paused");
    // A signature is not an answer to a verdict: refused, still paused.
    assert_eq!(
        c.complete_operation(id, Answer::Signature(vec![1].into())),
        Err(Error::Misuse(
            "the answer does not fit the pending operation"
        ))
    );
    assert!(c.operation().is_some());
    c.complete_operation(id, Answer::Verdict(Ok(()))).unwrap();
    // The held messages were read: the client's flight is out.
    assert!(!c.pending_output().is_empty());
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(send_and_receive(&mut c, &mut s, b"trusted"), b"trusted");
}

/// The same pause with the server's flight in one record, arriving a byte
/// at a time: the record is handed to the handshake as it comes, the
/// client stops inside it after the Certificate, holds the bytes that
/// follow, and once answered reads them as the rest of that record.
#[test]
fn a_pause_inside_a_record_arriving_a_byte_at_a_time_resumes_with_its_rest() {
    let mut cc = client_config();
    cc.verifier = Some(Fixed::new(Verdict::AskCaller).into());
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    transfer(&mut c, &mut s).unwrap();
    let messages = handshake_messages(&split_records(&take_output(&mut s)));
    let record = hs_record(&messages.concat());
    for byte in record.chunks(1) {
        assert_eq!(c.receive(byte), Ok(1));
    }
    let (id, kind) = operation_event(&mut c).expect("paused for the verdict");
    assert_eq!(kind, OperationKind::VerifyChain);
    assert!(c.pending_output().is_empty(), "nothing sent while paused");
    c.complete_operation(id, Answer::Verdict(Ok(()))).unwrap();
    assert!(
        !c.pending_output().is_empty(),
        "the rest read, the flight out"
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(send_and_receive(&mut c, &mut s, b"trusted"), b"trusted");

    // Bytes after the flight's end inside that record are still refused
    // once the pause is over (RFC 5246 §7.3).
    let mut cc = client_config();
    cc.verifier = Some(Fixed::new(Verdict::AskCaller).into());
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    transfer(&mut c, &mut s).unwrap();
    let messages = handshake_messages(&split_records(&take_output(&mut s)));
    let mut body = messages.concat();
    body.extend_from_slice(&[4, 0, 0]); // a NewSessionTicket begins
    for byte in hs_record(&body).chunks(1) {
        c.receive(byte).unwrap();
    }
    let (id, _) = operation_event(&mut c).expect("paused for the verdict");
    let err = c
        .complete_operation(id, Answer::Verdict(Ok(())))
        .unwrap_err();
    assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
}

#[test]
fn the_callers_refusal_sends_its_alert() {
    let mut cc = client_config();
    cc.verifier = Some(Fixed::new(Verdict::AskCaller).into());
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let id = c.operation().unwrap().id();
    let refusal = tls12::CertificateError::Other("revoked, says the caller".into());
    assert_eq!(
        c.complete_operation(id, Answer::Verdict(Err(refusal.clone()))),
        Err(Error::Certificate(refusal))
    );
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(AlertDescription::CertificateUnknown))
    );
}

#[test]
fn a_verifier_that_decides_at_once_does_not_pause() {
    let accept = Fixed::new(Verdict::Accept);
    let mut cc = client_config();
    cc.verifier = Some(accept.clone().into());
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(accept.1.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert!(!events(&mut c)
        .iter()
        .any(|e| matches!(e, Event::Operation { .. })));

    let mut cc = client_config();
    cc.verifier = Some(Fixed::new(Verdict::Reject(tls12::CertificateError::Expired)).into());
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    assert_eq!(
        handshake(&mut c, &mut s),
        Err((
            Side::Client,
            Error::Certificate(tls12::CertificateError::Expired)
        ))
    );
}

#[test]
fn a_verifier_chooses_the_alert_of_its_refusal() {
    use tls12::CertificateError as C;
    for (alert, sent) in [
        // A valid certificate that policy refuses (RFC 5246 §7.2.2).
        (
            AlertDescription::AccessDenied,
            AlertDescription::AccessDenied,
        ),
        // After a revocation check.
        (
            AlertDescription::CertificateRevoked,
            AlertDescription::CertificateRevoked,
        ),
        (
            AlertDescription::HandshakeFailure,
            AlertDescription::HandshakeFailure,
        ),
        // Not an alert that ends a handshake: certificate_unknown instead.
        (
            AlertDescription::CloseNotify,
            AlertDescription::CertificateUnknown,
        ),
    ] {
        let refusal = C::Refused {
            alert,
            reason: "policy".into(),
        };
        // A server refusing a client's chain.
        let mut sc = server_config("server-p256");
        sc.client_auth = tls12::ClientAuth::Required(roots());
        sc.client_verifier = Some(Fixed::new(Verdict::Reject(refusal.clone())).into());
        let mut cc = client_config();
        cc.add_client_certificate(certs("client-p256.chain.pem"), key("client-p256.key"))
            .unwrap();
        let (mut c, mut s) = pair_with(cc, sc, "localhost");
        assert_eq!(
            handshake(&mut c, &mut s),
            Err((Side::Server, Error::Certificate(refusal.clone())))
        );
        assert_eq!(
            transfer(&mut s, &mut c),
            Err(Error::AlertReceived(sent)),
            "{alert:?}"
        );
    }
}

#[test]
fn a_verifier_only_adds_checks_unless_webpki_is_dangerously_skipped() {
    // other-server-p256 is from a CA this client does not trust.
    let (chain, _) = tls12::testing::identity("other-server-p256");
    let pin = || Some(std::sync::Arc::new(Pinned(chain[0].as_ref().to_vec())).into());
    let mut cc = client_config();
    cc.verifier = pin();
    let (mut c, mut s) = pair_with(cc, server_config("other-server-p256"), "localhost");
    assert_eq!(
        handshake(&mut c, &mut s),
        Err((
            Side::Client,
            Error::Certificate(tls12::CertificateError::UnknownIssuer)
        ))
    );
    let mut cc = client_config();
    cc.verifier = pin();
    cc.dangerous_skip_webpki = true;
    let (mut c, mut s) = pair_with(cc, server_config("other-server-p256"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    // The pin still refuses another leaf.
    let mut cc = client_config();
    cc.verifier = pin();
    cc.dangerous_skip_webpki = true;
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    assert!(matches!(
        handshake(&mut c, &mut s),
        Err((
            Side::Client,
            Error::Certificate(tls12::CertificateError::Other(_))
        ))
    ));
    // Skipping webpki with no verifier at all is refused.
    let mut cc = client_config();
    cc.dangerous_skip_webpki = true;
    assert!(matches!(
        tls12::ClientConnection::new(std::sync::Arc::new(cc), name("localhost"), now()),
        Err(Error::Config(_))
    ));
}

#[test]
fn a_server_pauses_for_the_callers_verdict_on_a_client_chain() {
    let mut cc = client_config();
    let (chain, key) = tls12::testing::identity("client-p256");
    cc.add_client_certificate(chain, key).unwrap();
    let mut sc = server_config("server-p256");
    sc.client_auth = tls12::ClientAuth::Required(roots());
    sc.client_verifier = Some(Fixed::new(Verdict::AskCaller).into());
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    // Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished: the
    // server pauses after the first and holds the rest.
    transfer(&mut c, &mut s).unwrap();
    let (id, kind) = operation_event(&mut s).expect("paused for the verdict");
    assert_eq!(kind, OperationKind::VerifyChain);
    assert!(s.is_handshaking());
    s.complete_operation(id, Answer::Verdict(Ok(()))).unwrap();
    assert!(
        !s.is_handshaking(),
        "the held flight completed the handshake"
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.handshake_info().unwrap().peer_certificates.len(), 2);
}

// ---------------------------------------------------------------------------
// The server's choice of certificate by a chooser, at once or by the caller
// ---------------------------------------------------------------------------

use tls12::keyop::{CertificateChooser, Choice, ClientHelloInfo};

#[derive(Debug)]
struct Chooser(Choice);

impl CertificateChooser for Chooser {
    fn choose(&self, hello: &ClientHelloInfo<'_>) -> Choice {
        assert!(!hello.cipher_suites.is_empty());
        self.0
    }
}

#[test]
fn a_chooser_picks_the_chain_at_once_or_asks_the_caller() {
    // Use(1): the RSA chain, though the ECDSA one comes first.
    let mut sc = ecdsa_and_rsa();
    sc.certificate_chooser = Some(std::sync::Arc::new(Chooser(Choice::Use(1))).into());
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert!(matches!(
        c.handshake_info().unwrap().signature_scheme,
        Some(SignatureScheme::RsaPssRsaeSha256)
    ));
    // Refuse: handshake_failure.
    let mut sc = ecdsa_and_rsa();
    sc.certificate_chooser = Some(std::sync::Arc::new(Chooser(Choice::Refuse)).into());
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    assert!(matches!(
        handshake(&mut c, &mut s),
        Err((Side::Server, Error::HandshakeFailure(_)))
    ));
    // AskCaller: paused with what the client offered; answered later.
    let mut sc = ecdsa_and_rsa();
    sc.certificate_chooser = Some(std::sync::Arc::new(Chooser(Choice::AskCaller)).into());
    let (mut c, mut s) = pair_with(client_config(), sc, "testserver.com");
    transfer(&mut c, &mut s).unwrap();
    let (id, kind) = operation_event(&mut s).expect("paused for the choice");
    assert_eq!(kind, OperationKind::ChooseCertificate);
    let op = s.operation().unwrap();
    let hello = op.client_hello().unwrap();
    assert_eq!(hello.server_name, Some("testserver.com"));
    assert!(hello
        .signature_schemes
        .contains(&SignatureScheme::RsaPssRsaeSha256));
    assert!(
        s.pending_output().is_empty(),
        "nothing sent before the choice"
    );
    // A chain that does not exist fails the connection.
    let (mut c2, mut s2) = {
        let mut sc = ecdsa_and_rsa();
        sc.certificate_chooser = Some(std::sync::Arc::new(Chooser(Choice::AskCaller)).into());
        pair_with(client_config(), sc, "localhost")
    };
    transfer(&mut c2, &mut s2).unwrap();
    let id2 = s2.operation().unwrap().id();
    assert!(matches!(
        s2.complete_operation(id2, Answer::Certificate(7)),
        Err(Error::OperationFailed(_))
    ));
    assert_eq!(
        transfer(&mut s2, &mut c2),
        Err(Error::AlertReceived(AlertDescription::InternalError))
    );
    // The real answer: the RSA chain.
    s.complete_operation(id, Answer::Certificate(1)).unwrap();
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        c.handshake_info().unwrap().signature_scheme,
        Some(SignatureScheme::RsaPssRsaeSha256)
    );
    assert_eq!(s.handshake_info().unwrap().chain_index, Some(1));
}

// ---------------------------------------------------------------------------
// Over TCP: several chains on examples/server, and a choice by SNI made by
// the caller on another thread
// ---------------------------------------------------------------------------

/// `openssl s_client` with `args` against `port`; its log.
fn s_client_log(port: u16, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-CAfile", &fixture_path("ca.pem"), "-tls1_2"])
        .args(args);
    let mut client = common::peer::Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    client.log()
}

#[test]
fn example_server_with_two_chains_serves_each_by_signature_algorithms() {
    let (p256, p256_key) = (
        fixture_path("server-p256.chain.pem"),
        fixture_path("server-p256.key"),
    );
    let (rsa, rsa_key) = (
        fixture_path("server-rsa2048.chain.pem"),
        fixture_path("server-rsa2048.key"),
    );
    let (mut server, port) = common::peer::example_server(&[
        "--cert", &p256, "--key", &p256_key, "--cert", &rsa, "--key", &rsa_key,
    ]);
    for (sigalgs, leaf) in [
        ("RSA-PSS+SHA256", "server-rsa2048"),
        ("ECDSA+SHA256", "server-p256"),
    ] {
        let log = s_client_log(port, &["-servername", "localhost", "-sigalgs", sigalgs]);
        assert!(
            log.contains(&format!("CN = {leaf}")),
            "{sigalgs}: {log}\n{}",
            server.log()
        );
        assert!(log.contains("Verify return code: 0 (ok)"), "{log}");
    }
    assert!(!server.exited());
}

/// Our server over TCP whose certificate choice is made by the caller on
/// another thread, by the name the client asked for: chain 1 (server-p256)
/// for "testserver.com", chain 0 (other-server-p256, another CA) otherwise.
fn serve_choosing_by_name_on_a_thread(listener: std::net::TcpListener) -> Result<(), Error> {
    use std::io::{Read, Write};
    let mut sc = server_config("other-server-p256");
    let (chain, key) = tls12::testing::identity("server-p256");
    sc.add_certificate(chain, key).unwrap();
    sc.certificate_chooser = Some(std::sync::Arc::new(Chooser(Choice::AskCaller)).into());
    let (mut sock, _) = listener.accept().unwrap();
    common::peer::timeouts(&sock);
    let mut conn =
        tls12::ServerConnection::new(std::sync::Arc::new(sc), tls12::pki_types::UnixTime::now())?;
    let mut buf = [0u8; 16 * 1024];
    while conn.is_handshaking() {
        let n = sock.read(&mut buf).map_err(|_| Error::UnexpectedEof)?;
        if n == 0 {
            return Err(Error::UnexpectedEof);
        }
        let result = conn.receive(&buf[..n]);
        sock.write_all(conn.pending_output()).unwrap();
        let out = conn.pending_output().len();
        conn.consume_output(out);
        result?;
        while let Some(event) = conn.next_event() {
            if let Event::Operation { id, .. } = event {
                let name = conn.operation().and_then(|op| {
                    op.client_hello()
                        .and_then(|h| h.server_name.map(String::from))
                });
                // The decision comes from another thread, a little later.
                let choice = std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    usize::from(name.as_deref() == Some("testserver.com"))
                })
                .join()
                .unwrap();
                let result = conn.complete_operation(id, Answer::Certificate(choice));
                sock.write_all(conn.pending_output()).unwrap();
                let out = conn.pending_output().len();
                conn.consume_output(out);
                result?;
            }
        }
    }
    conn.close();
    let _ = sock.write_all(conn.pending_output());
    Ok(())
}

#[test]
fn a_server_choosing_its_certificate_by_sni_on_another_thread_over_tcp() {
    for (name, leaf, verified) in [
        ("testserver.com", "CN = server-p256", true),
        ("localhost", "CN = other-server-p256", false),
    ] {
        let (listener, port) = common::peer::listen();
        let server = std::thread::spawn(move || serve_choosing_by_name_on_a_thread(listener));
        let log = s_client_log(port, &["-servername", name]);
        assert!(log.contains(leaf), "{name}: {log}");
        // server-p256 chains to the CA s_client trusts; the other does not.
        assert_eq!(
            log.contains("Verify return code: 0 (ok)"),
            verified,
            "{log}"
        );
        let _ = server.join().unwrap();
    }
}

#[test]
fn a_caller_held_key_of_another_kind_than_the_certificate_is_refused_at_start_up() {
    let (chain, _) = tls12::testing::identity("server-p256");
    assert_eq!(
        ServerConfig::with_caller_key(chain.clone(), KeyType::Rsa).unwrap_err(),
        Error::Config("the caller-held key is Rsa but the certificate's key is EcdsaP256".into())
    );
    assert!(ServerConfig::with_caller_key(chain, KeyType::EcdsaP384).is_err());
    let mut cc = client_config();
    let (chain, _) = tls12::testing::identity("client-rsa2048");
    assert!(cc
        .add_client_certificate_with_caller_key(chain.clone(), KeyType::Ed25519)
        .is_err());
    assert!(cc
        .add_client_certificate_with_caller_key(chain, KeyType::Rsa)
        .is_ok());
}
