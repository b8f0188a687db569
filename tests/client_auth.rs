//! Mutual authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8): every client key
//! type, optional and required policies, certificate selection by CA names
//! and schemes, and each failure with the alert the peer receives.

mod common;

use std::sync::Arc;

use common::*;
use tls12::{AlertDescription as A, CertificateError, ClientAuth, Error, SignatureScheme};

fn client_with(identities: &[&str]) -> tls12::ClientConfig {
    let mut cc = client_config();
    for id in identities {
        cc.add_client_certificate(certs(&format!("{id}.chain.pem")), key(&format!("{id}.key")))
            .unwrap();
    }
    cc
}

fn server_requiring(
    identity: &str,
    policy: fn(tls12::RootCertStore) -> ClientAuth,
) -> tls12::ServerConfig {
    let mut sc = server_config(identity);
    sc.client_auth = policy(roots());
    sc
}

#[test]
fn mutual_tls_with_every_client_key_type() {
    for server in ["server-p256", "server-rsa2048"] {
        for client in CLIENT_KEYS {
            let (mut c, mut s) = pair_with(
                client_with(&[client]),
                server_requiring(server, ClientAuth::Required),
                "localhost",
            );
            handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{server} / {client}: {e:?}"));
            let presented = s.handshake_info().unwrap().peer_certificates.clone();
            assert_eq!(presented, certs(&format!("{client}.chain.pem")), "{client}");
            assert_eq!(
                send_and_receive(&mut c, &mut s, b"authenticated"),
                b"authenticated"
            );
        }
    }
}

#[test]
fn optional_policy_serves_a_client_without_a_certificate() {
    let (mut c, mut s) = pair_with(
        client_config(),
        server_requiring("server-p256", ClientAuth::Optional),
        "localhost",
    );
    handshake(&mut c, &mut s).unwrap();
    assert!(s.handshake_info().unwrap().peer_certificates.is_empty());
    // And one with a certificate is verified and recorded.
    let (mut c, mut s) = pair_with(
        client_with(&["client-p256"]),
        server_requiring("server-p256", ClientAuth::Optional),
        "localhost",
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.handshake_info().unwrap().peer_certificates.len(), 2);
}

#[test]
fn required_policy_refuses_a_client_without_a_certificate() {
    let (mut c, mut s) = pair_with(
        client_config(),
        server_requiring("server-p256", ClientAuth::Required),
        "localhost",
    );
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(err, (Side::Server, Error::HandshakeFailure(_))),
        "{err:?}"
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::HandshakeFailure))
    );
}

#[test]
fn no_certificate_request_means_no_certificate_sent() {
    let (mut c, mut s) = pair_with(
        client_with(&["client-p256"]),
        server_config("server-p256"),
        "localhost",
    );
    handshake(&mut c, &mut s).unwrap();
    assert!(s.handshake_info().unwrap().peer_certificates.is_empty());
}

#[test]
fn tampered_client_certificate_is_bad_certificate_and_unnamed_chains_are_not_sent() {
    // A chain from the CA the server names, with one bit of the leaf's
    // signature flipped.
    let mut bad_chain = certs("other-client-p256.chain.pem");
    let mut leaf = bad_chain[0].to_vec();
    let at = leaf.len() - 10;
    leaf[at] ^= 0x01; // inside the signature
    bad_chain[0] = leaf.into();
    let mut cc = client_config();
    cc.add_client_certificate(bad_chain, key("other-client-p256.key"))
        .unwrap();
    let mut sc = server_config("server-p256");
    sc.client_auth = ClientAuth::Required(roots_from("other-ca.pem"));
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(
            err,
            (
                Side::Server,
                Error::Certificate(CertificateError::BadSignature)
            )
        ),
        "{err:?}"
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::BadCertificate))
    );

    // A chain issued by a CA the server does not trust at all.
    let mut sc = server_config("server-p256");
    sc.client_auth = ClientAuth::Required(roots());
    let mut cc = client_config();
    cc.add_client_certificate(
        certs("other-client-p256.chain.pem"),
        key("other-client-p256.key"),
    )
    .unwrap();
    // The client sees that its only identity was not issued by a named CA and
    // sends none, so the required policy fails with handshake_failure.
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(err, (Side::Server, Error::HandshakeFailure(_))),
        "{err:?}"
    );
}

#[test]
fn unknown_issuer_sent_anyway_is_unknown_ca() {
    // rustls as the client presents whatever it is given, names or not.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut rroots = rustls::RootCertStore::empty();
    for c in certs("ca.pem") {
        rroots.add(c).unwrap();
    }
    let rc = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(rroots)
        .with_client_auth_cert(
            certs("other-client-p256.chain.pem"),
            key("other-client-p256.key"),
        )
        .unwrap();
    let mut rc =
        rustls::ClientConnection::new(Arc::new(rc), "localhost".try_into().unwrap()).unwrap();
    let mut s = tls12::ServerConnection::new(
        Arc::new(server_requiring("server-p256", ClientAuth::Required)),
        now(),
    )
    .unwrap();
    let mut err = None;
    for _ in 0..10 {
        let mut out = Vec::new();
        rc.write_tls(&mut out).unwrap();
        if let Err(e) = s.receive(&out) {
            err = Some(e);
            break;
        }
        let back = s.pending_output().to_vec();
        s.consume_output(back.len());
        rc.read_tls(&mut &back[..]).unwrap();
        if rc.process_new_packets().is_err() {
            break;
        }
    }
    assert_eq!(
        err,
        Some(Error::Certificate(CertificateError::UnknownIssuer))
    );
    let alert = s.pending_output().to_vec();
    rc.read_tls(&mut &alert[..]).unwrap();
    assert_eq!(
        rc.process_new_packets().unwrap_err(),
        rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA)
    );
}

#[test]
fn certificate_verify_from_the_wrong_key_is_decrypt_error() {
    // The chain is client-p256's, the key client-p384's: the signature cannot
    // verify under the certificate's key.
    let mut cc = client_config();
    cc.add_client_certificate(certs("client-p256.chain.pem"), key("client-p384.key"))
        .unwrap();
    let (mut c, mut s) = pair_with(
        cc,
        server_requiring("server-p256", ClientAuth::Required),
        "localhost",
    );
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (Side::Server, Error::BadSignature("CertificateVerify"))
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::DecryptError))
    );
}

#[test]
fn identity_is_chosen_by_ca_names() {
    // First identity is from other-ca, which the server does not name.
    let cc = client_with(&["other-client-p256", "client-ed25519"]);
    let (mut c, mut s) = pair_with(
        cc,
        server_requiring("server-p256", ClientAuth::Required),
        "localhost",
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        s.handshake_info().unwrap().peer_certificates,
        certs("client-ed25519.chain.pem")
    );
    // The client says it presented its second chain, signed with Ed25519,
    // and the server agrees on the scheme.
    let (ci, si) = (c.handshake_info().unwrap(), s.handshake_info().unwrap());
    assert_eq!(ci.chain_index, Some(1));
    assert_eq!(ci.client_signature_scheme, Some(SignatureScheme::Ed25519));
    assert_eq!(si.client_signature_scheme, Some(SignatureScheme::Ed25519));
    assert_eq!(si.chain_index, Some(0));
}

#[test]
fn a_client_may_present_its_certificate_whatever_cas_the_server_names() {
    // The server names only the test CA; the client's only chain is from
    // another. By default the client sends no certificate (RFC 5246
    // §7.4.6) and the optional policy lets it in without one; with
    // match_certificate_authorities = false it presents the chain anyway,
    // and the server, which does not trust it, refuses it.
    let server = || {
        let mut sc = server_config("server-p256");
        sc.client_auth = ClientAuth::Optional(roots());
        sc
    };
    let mut cc = client_with(&["other-client-p256"]);
    let (mut c, mut s) = pair_with(cc.clone(), server(), "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert!(s.handshake_info().unwrap().peer_certificates.is_empty());
    assert_eq!(c.handshake_info().unwrap().chain_index, None);

    cc.match_certificate_authorities = false;
    let (mut c, mut s) = pair_with(cc, server(), "localhost");
    assert_eq!(
        handshake(&mut c, &mut s),
        Err((
            Side::Server,
            Error::Certificate(CertificateError::UnknownIssuer)
        ))
    );
}

#[test]
fn identity_is_chosen_by_signature_scheme() {
    let cc = client_with(&["client-p256", "client-rsa2048"]);
    let mut sc = server_requiring("server-p256", ClientAuth::Required);
    sc.signature_schemes = vec![SignatureScheme::RsaPssRsaeSha256].into();
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        s.handshake_info().unwrap().peer_certificates,
        certs("client-rsa2048.chain.pem")
    );
    let (ci, si) = (c.handshake_info().unwrap(), s.handshake_info().unwrap());
    assert_eq!(ci.chain_index, Some(1));
    for info in [ci, si] {
        assert_eq!(
            info.client_signature_scheme,
            Some(SignatureScheme::RsaPssRsaeSha256)
        );
    }
}

#[test]
fn no_client_certificate_means_no_chain_index_or_client_scheme() {
    // Asked, with nothing that fits: an empty Certificate, no
    // CertificateVerify (RFC 5246 §7.4.6).
    let cc = client_with(&["other-client-p256"]);
    let (mut c, mut s) = pair_with(
        cc,
        server_requiring("server-p256", ClientAuth::Optional),
        "localhost",
    );
    handshake(&mut c, &mut s).unwrap();
    for info in [c.handshake_info().unwrap(), s.handshake_info().unwrap()] {
        assert_eq!(info.client_signature_scheme, None);
    }
    assert_eq!(c.handshake_info().unwrap().chain_index, None);
}

#[test]
fn server_certificate_is_not_accepted_as_a_client_certificate() {
    let cc = client_with(&["server-p256"]);
    let (mut c, mut s) = pair_with(
        cc,
        server_requiring("server-p256", ClientAuth::Required),
        "localhost",
    );
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (
            Side::Server,
            Error::Certificate(CertificateError::InvalidPurpose)
        )
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::CertificateUnknown))
    );
}

#[test]
fn client_certificate_chain_length_cap_is_bad_certificate() {
    // client-p256 sends leaf + intermediate: one over a cap of one.
    let mut sc = server_requiring("server-p256", ClientAuth::Required);
    sc.limits.max_certificate_chain_len = 1;
    let (mut c, mut s) = pair_with(client_with(&["client-p256"]), sc, "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (Side::Server, Error::Certificate(CertificateError::TooLarge))
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::BadCertificate))
    );
}

#[test]
fn certificate_verify_with_a_scheme_not_offered_is_illegal_parameter() {
    // RFC 5246 §7.4.8: the client must sign with a scheme from the
    // CertificateRequest. Its CertificateVerify relabelled
    // rsa_pkcs1_sha1 (0x0201), which we never list, is refused before the
    // signature is looked at.
    let (mut c, mut s) = pair_with(
        client_with(&["client-p256"]),
        server_requiring("server-p256", ClientAuth::Required),
        "localhost",
    );
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let records = split_records(&take_output(&mut c));
    let first_ccs = records.iter().position(|r| r[0] == 20).unwrap();
    let mut msgs = handshake_messages(&records[..first_ccs]);
    let cv = msgs
        .iter_mut()
        .find(|m| m[0] == 15)
        .expect("CertificateVerify");
    assert_eq!(cv[4..6], [4, 3], "ecdsa_secp256r1_sha256");
    cv[4..6].copy_from_slice(&[2, 1]);
    let err = s.receive(&hs_record(&msgs.concat())).unwrap_err();
    assert_eq!(
        err,
        Error::IllegalParameter("CertificateVerify signed with a scheme we did not request")
    );
    assert_eq!(plaintext_alert(&s), Some(A::IllegalParameter));
}

#[test]
fn identity_is_chosen_by_certificate_type() {
    // RFC 5246 §7.4.4: certificate_types lists the key types the server
    // accepts. A CertificateRequest relabelled to ask for dss_sign (2) and
    // rsa_sign (1) only gets an empty Certificate from a client whose only
    // identity is an ECDSA key, though the schemes would fit.
    let (mut c, mut s) = pair_with(
        client_with(&["client-p256"]),
        server_requiring("server-p256", ClientAuth::Required),
        "localhost",
    );
    transfer(&mut c, &mut s).unwrap();
    let mut flight = split_messages(&take_output(&mut s));
    let request = flight.iter_mut().find(|m| m[0] == 13).unwrap();
    assert_eq!(request[4..7], [2, 64, 1], "ecdsa_sign, rsa_sign");
    request[5] = 2;
    c.receive(&hs_record(&flight.concat())).unwrap();
    let records = split_records(&take_output(&mut c));
    let first_ccs = records.iter().position(|r| r[0] == 20).unwrap();
    let msgs = handshake_messages(&records[..first_ccs]);
    assert_eq!(msgs[0], [11, 0, 0, 3, 0, 0, 0], "an empty Certificate");
    assert!(msgs.iter().all(|m| m[0] != 15), "no CertificateVerify");
}

/// A chain's signing schemes can be restricted and ordered, on both sides:
/// the first of ours the peer also offers is used (RFC 5246 §7.4.1.4.1),
/// and a scheme the key cannot make is a configuration error.
#[test]
fn signing_schemes_can_be_restricted_per_chain() {
    use tls12::SignatureScheme as S;
    // Server: an RSA key limited to PSS with SHA-384.
    let mut sc = server_config("server-rsa2048");
    sc.set_signing_schemes(0, vec![S::RsaPssRsaeSha384])
        .unwrap();
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        c.handshake_info().unwrap().signature_scheme,
        Some(S::RsaPssRsaeSha384)
    );
    // ... and a client that does not offer it gets no common scheme.
    let mut sc = server_config("server-rsa2048");
    sc.set_signing_schemes(0, vec![S::RsaPssRsaeSha384])
        .unwrap();
    let mut cc = client_config();
    cc.signature_schemes = vec![S::RsaPssRsaeSha256, S::RsaPkcs1Sha256].into();
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let (side, err) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Server);
    assert!(
        matches!(err, Error::NoCommonSignatureScheme { .. }),
        "{err:?}"
    );

    // A scheme the key cannot make, an empty list, a missing chain.
    let mut sc = server_config("server-rsa2048");
    assert!(sc.set_signing_schemes(0, vec![S::Ed25519]).is_err());
    assert!(sc.set_signing_schemes(0, vec![]).is_err());
    assert!(sc.set_signing_schemes(1, vec![S::RsaPkcs1Sha256]).is_err());

    // Client: its CertificateVerify uses the restricted scheme.
    let mut sc = server_config("server-p256");
    sc.client_auth = ClientAuth::Required(roots());
    let mut cc = client_config();
    let (chain, key) = identity("client-rsa2048");
    cc.add_client_certificate(chain, key).unwrap();
    cc.set_client_signing_schemes(0, vec![S::RsaPkcs1Sha512])
        .unwrap();
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    let flight = take_output(&mut c);
    let records = split_records(&flight);
    // The plaintext records, before ChangeCipherSpec.
    let ccs = records.iter().position(|r| r[0] == 20).unwrap();
    let cv = handshake_messages(&records[..ccs])
        .into_iter()
        .find(|m| m[0] == 15)
        .expect("CertificateVerify");
    assert_eq!(&cv[4..6], &[0x06, 0x01], "rsa_pkcs1_sha512");
    s.receive(&flight).unwrap();
    transfer(&mut s, &mut c).unwrap();
    assert!(c.handshake_info().is_some());
    // No client certificate 0 to restrict.
    assert!(client_config()
        .set_client_signing_schemes(0, vec![S::RsaPkcs1Sha256])
        .is_err());
}

#[test]
fn a_resumed_session_reports_the_client_signature_scheme_of_its_full_handshake() {
    let mut cc = client_with(&["client-p256"]);
    cc.session_cache = Some(Arc::new(tls12::ClientSessionCache::new(4)));
    let cc = Arc::new(cc);
    let sc = Arc::new(server_requiring("server-p256", ClientAuth::Required));
    for round in 0..2 {
        let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
        handshake(&mut c, &mut s).unwrap();
        for info in [c.handshake_info().unwrap(), s.handshake_info().unwrap()] {
            assert_eq!(info.resumed, round == 1);
            assert_eq!(
                info.client_signature_scheme,
                Some(SignatureScheme::EcdsaSecp256r1Sha256),
                "round {round}"
            );
        }
        // Which chain the client presented: in the full handshake only.
        assert_eq!(
            c.handshake_info().unwrap().chain_index,
            (round == 0).then_some(0)
        );
    }
}

/// `ServerConfig::keep_peer_certificates = false`: the client's chain is
/// checked where it lies and only its leaf is kept, for the
/// CertificateVerify. It is refused as before when bad, its leaf's key
/// must still have signed, and neither the connection nor a resumed
/// session reports it.
#[test]
fn a_server_keeping_no_chain_still_checks_it_and_reports_none() {
    let keeping_none = |policy: fn(tls12::RootCertStore) -> ClientAuth| {
        let mut sc = server_requiring("server-p256", policy);
        sc.keep_peer_certificates = false;
        sc
    };
    // Accepted, and not reported, in the full and the resumed handshake.
    let mut cc = client_with(&["client-p256"]);
    cc.session_cache = Some(Arc::new(tls12::ClientSessionCache::new(4)));
    let (cc, sc) = (Arc::new(cc), Arc::new(keeping_none(ClientAuth::Required)));
    for round in 0..2 {
        let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
        handshake(&mut c, &mut s).unwrap();
        let info = s.handshake_info().unwrap();
        assert_eq!(info.resumed, round == 1);
        assert!(info.peer_certificates.is_empty(), "round {round}");
        assert_eq!(
            info.client_signature_scheme,
            Some(SignatureScheme::EcdsaSecp256r1Sha256)
        );
        assert_eq!(send_and_receive(&mut c, &mut s, b"in"), b"in");
    }

    // A chain the roots do not vouch for: unknown_ca, as when kept.
    let mut sc = keeping_none(ClientAuth::Required);
    sc.client_auth = ClientAuth::Required(roots());
    let mut cc = client_with(&["other-client-p256"]);
    cc.match_certificate_authorities = false;
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (
            Side::Server,
            Error::Certificate(CertificateError::UnknownIssuer)
        )
    );
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::UnknownCa))
    );

    // The leaf kept is the one whose key must sign the CertificateVerify.
    let mut cc = client_config();
    cc.add_client_certificate(certs("client-p256.chain.pem"), key("client-p384.key"))
        .unwrap();
    let (mut c, mut s) = pair_with(cc, keeping_none(ClientAuth::Required), "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (Side::Server, Error::BadSignature("CertificateVerify"))
    );
}
