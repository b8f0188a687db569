//! Failures a person can act on: each common refusal, from our own peers in
//! memory (with the structured fields) and from OpenSSL's s_server against
//! our example client (with the text it prints).

mod common;

use std::process::Command;

use common::peer::*;
use common::*;
use tls12::{AlertDescription, CipherSuite, Error};

// ---------------------------------------------------------------------------
// In memory: the structured fields.

#[test]
fn a_refused_hello_names_the_stage_and_what_we_offered() {
    let mut cc = client_config();
    cc.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256].into();
    let (mut c, mut s) = pair_with(cc.clone(), server_config("server-rsa2048"), "localhost");
    assert_eq!(c.diagnosis(), None, "alive: nothing to explain");
    let (side, _) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Server);
    transfer(&mut s, &mut c).unwrap_err();

    let why = c.diagnosis().unwrap();
    assert!(why.is_client);
    assert_eq!(why.stage, "ExpectServerHello");
    assert_eq!(why.waiting_for, "ServerHello");
    assert_eq!(
        why.error,
        Error::AlertReceived(AlertDescription::HandshakeFailure)
    );
    assert_eq!(why.received_alert, Some(AlertDescription::HandshakeFailure));
    let offered = why.offered.as_ref().unwrap();
    assert_eq!(offered.cipher_suites, cc.cipher_suites);
    assert_eq!(offered.groups, cc.groups);
    assert_eq!(offered.signature_schemes, cc.signature_schemes);
    let text = why.to_string();
    assert!(
        text.starts_with(
            "the server refused our ClientHello with handshake_failure; we offered TLS 1.2 with \
             suites [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], groups [x25519, secp256r1, \
             secp384r1], signature schemes [ecdsa_secp256r1_sha256"
        ) && text.contains("the server likely supports none of them"),
        "{text}"
    );

    // The server's side of the same failure: its stage and its own error.
    let why = s.diagnosis().unwrap();
    assert!(!why.is_client);
    assert_eq!(why.stage, "ExpectClientHello");
    assert!(matches!(why.error, Error::NoCommonCipherSuite { .. }));
    assert_eq!(why.offered, None);
    assert!(
        why.to_string().contains("no cipher suite in common"),
        "{why}"
    );
}

#[test]
fn a_certificate_failure_names_the_stage_and_what_to_fix() {
    let mut cc = client_config();
    cc.roots = roots_from("other-ca.pem");
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    let (side, _) = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(side, Side::Client);
    let why = c.diagnosis().unwrap();
    assert_eq!(why.stage, "ExpectCertificate");
    assert_eq!(why.offered, None, "our hello was accepted");
    let text = why.to_string();
    assert!(
        text.contains("client handshake failed in ExpectCertificate (waiting for Certificate)")
            && text.contains("add the CA that issued it"),
        "{text}"
    );
    // The server hears unknown_ca and says what that means for it.
    let _ = transfer(&mut c, &mut s);
    let why = s.diagnosis().unwrap();
    assert_eq!(why.received_alert, Some(AlertDescription::UnknownCa));
    assert!(why.to_string().contains("does not trust the CA"), "{why}");
}

#[test]
fn a_missing_client_certificate_is_named() {
    let mut sc = server_config("server-p256");
    sc.client_auth = tls12::ClientAuth::Required(roots());
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    handshake(&mut c, &mut s).unwrap_err();
    let _ = transfer(&mut s, &mut c);
    let why = c.diagnosis().unwrap();
    assert!(!why.client_certificate_configured);
    assert!(
        why.to_string()
            .contains("configure one (none is configured)"),
        "{why}"
    );
}

// ---------------------------------------------------------------------------
// OpenSSL's refusals, as our example client reports them.

/// `openssl s_server` for one connection serving `identity` with `args`,
/// and our example client against it with `client_args`; returns what the
/// client printed on stderr (it must fail).
fn refused_by_s_server(identity: &str, args: &[&str], client_args: &[&str]) -> String {
    let (mut server, port) = openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, identity);
        cmd.args(["-www"]);
        cmd.args(args);
    });
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args([
            "--server-name",
            "localhost",
            "--ca",
            "tests/fixtures/ca.pem",
        ])
        .args(client_args)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut client = Proc::spawn_without_stdin(cmd);
    let status = client.wait_exit();
    let _ = server.child.kill();
    assert!(!status.success(), "{}\n{}", client.log(), server.log());
    let err = client.stderr_text();
    assert!(err.contains("handshake failed: "), "{}", client.log());
    err
}

fn assert_says(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "missing {part:?} in:\n{text}");
    }
}

#[test]
fn no_common_version_with_openssl() {
    let err = refused_by_s_server("server-p256", &["-tls1_3"], &[]);
    assert_says(
        &err,
        &[
            "the server refused our ClientHello with protocol_version",
            "we offered TLS 1.2 with suites [",
            "the server does not speak TLS 1.2",
        ],
    );
}

#[test]
fn no_common_suite_with_openssl() {
    let err = refused_by_s_server(
        "server-p256",
        &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"],
        &[],
    );
    assert_says(
        &err,
        &[
            "the server refused our ClientHello with handshake_failure",
            "suites [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "likely supports none of them",
        ],
    );
}

#[test]
fn no_common_group_with_openssl() {
    let err = refused_by_s_server("server-p256", &["-tls1_2", "-groups", "X448"], &[]);
    assert_says(
        &err,
        &[
            "the server refused our ClientHello with handshake_failure",
            "groups [x25519, secp256r1, secp384r1]",
            "likely supports none of them",
        ],
    );
}

#[test]
fn no_common_signature_scheme_with_openssl() {
    let err = refused_by_s_server(
        "server-p256",
        &["-tls1_2", "-sigalgs", "ECDSA+SHA512"],
        &["--suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
    );
    assert_says(
        &err,
        &[
            "the server refused our ClientHello with handshake_failure",
            "signature schemes [ecdsa_secp256r1_sha256",
            "likely supports none of them",
        ],
    );
}

#[test]
fn unknown_ca_with_openssl() {
    let err = refused_by_s_server("server-p256", &[], &["--ca", "tests/fixtures/other-ca.pem"]);
    assert_says(
        &err,
        &[
            "client handshake failed in ExpectCertificate",
            "issued by an unknown certificate authority",
            "add the CA that issued it",
        ],
    );
}

#[test]
fn expired_certificate_with_openssl() {
    let err = refused_by_s_server("server-expired", &[], &[]);
    assert_says(
        &err,
        &[
            "client handshake failed in ExpectCertificate",
            "certificate has expired",
            "renew it",
        ],
    );
}

#[test]
fn wrong_name_with_openssl() {
    let err = refused_by_s_server("server-p256", &[], &["--server-name", "wrong.example"]);
    assert_says(
        &err,
        &[
            "certificate is not valid for name \"wrong.example\"",
            "check the server name (SNI)",
        ],
    );
}

#[test]
fn client_certificate_required_by_openssl() {
    let err = refused_by_s_server(
        "server-p256",
        &["-Verify", "1", "-CAfile", &fixture_path("ca.pem")],
        &[],
    );
    assert_says(
        &err,
        &[
            "client handshake failed in",
            "if it requires a client certificate, configure one (none is configured)",
        ],
    );
}
