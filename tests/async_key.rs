//! `--async-key` on `examples/server` and `examples/client` over TCP
//! (issue 14): the private key lives in a thread standing in for an HSM,
//! the handshake pauses for its signature and resumes when it answers
//! (`Connection::operation` / `complete_operation`), and real peers see an
//! ordinary handshake: `openssl s_client` against the server with an ECDSA
//! and an RSA key, the client with a certificate against
//! `openssl s_server -Verify 1`.
//!
//! The examples print `async-key: signing with SCHEME (N bytes), answered
//! after MS ms` for each signature: seeing it, with the HSM's delay, is how
//! these tests know the handshake paused rather than signing directly.

mod common;

use std::process::Command;

use common::fixture_path;
use common::peer::{example, listening_port, openssl_s_server, s_server_identity, Proc};

/// The HSM's delay in the examples (`examples/async_key/mod.rs`).
const HSM_DELAY_MS: u128 = 20;

/// The `async-key:` lines in `log` that report a signature, as (scheme,
/// milliseconds until the answer).
fn signatures(log: &str) -> Vec<(String, u128)> {
    log.lines()
        .filter_map(|line| line.strip_prefix("async-key: signing with "))
        .map(|rest| {
            let scheme = rest.split_whitespace().next().unwrap_or("").to_string();
            let ms = rest
                .split("answered after ")
                .nth(1)
                .and_then(|t| t.split_whitespace().next())
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| panic!("no time in {line:?}", line = rest));
            (scheme, ms)
        })
        .collect()
}

/// Asserts that `log` shows exactly one signature, made with `scheme` and
/// answered no sooner than the HSM's delay: the handshake waited for it.
fn assert_paused_once(log: &str, scheme: &str, context: &str) {
    let signed = signatures(log);
    assert_eq!(signed.len(), 1, "one signature expected\n{context}");
    assert_eq!(signed[0].0, scheme, "{context}");
    assert!(signed[0].1 >= HSM_DELAY_MS, "answered too soon\n{context}");
}

// ---------------------------------------------------------------------------
// openssl s_client against examples/server --async-key
// ---------------------------------------------------------------------------

/// Starts `examples/server --async-key` with the fixture `identity` on a
/// free port.
fn start_async_server(identity: &str) -> (Proc, u16) {
    let mut cmd = Command::new(example("server"));
    cmd.args(["--listen", "127.0.0.1:0"])
        .args(["--cert", &fixture_path(&format!("{identity}.chain.pem"))])
        .args(["--key", &fixture_path(&format!("{identity}.key"))])
        .arg("--async-key")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut server = Proc::spawn_without_stdin(cmd);
    let port = listening_port(&mut server, "server --async-key");
    (server, port)
}

/// `openssl s_client` with `args` against 127.0.0.1:`port`, verifying the
/// server for localhost against the fixture CA; returns it once it has
/// exited (stdin at end of file: it closes after the handshake).
fn s_client(port: u16, args: &[&str]) -> Proc {
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-CAfile", &fixture_path("ca.pem")])
        .args(["-servername", "localhost", "-tls1_2"])
        .args(args);
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    client
}

/// s_client against `server --async-key` with `identity`: the handshake
/// completes, verified, and the server paused once for a `scheme`
/// signature.
fn s_client_to_async_server(identity: &str, cipher_prefix: &str, scheme: &str) {
    let (mut server, port) = start_async_server(identity);
    let client = s_client(port, &[]);
    let context = format!("{}\n{}", client.log(), server.log());
    let out = client.stdout_text();
    assert!(out.contains("Verify return code: 0 (ok)"), "{context}");
    assert!(
        out.contains(&format!("Cipher is {cipher_prefix}")),
        "{context}"
    );
    // The server logs the handshake after its last flight; wait for it.
    assert!(server.wait_for_text("negotiated"), "{context}");
    let log = server.stderr_text();
    let context = format!("{}\n{}", client.log(), server.log());
    assert!(log.contains(&format!("sig=Some({scheme})")), "{context}");
    assert!(!log.contains("handshake failed"), "{context}");
    assert_paused_once(&log, scheme, &context);
}

#[test]
fn s_client_to_server_async_key_p256() {
    s_client_to_async_server("server-p256", "ECDHE-ECDSA-", "ecdsa_secp256r1_sha256");
}

#[test]
fn s_client_to_server_async_key_rsa2048() {
    s_client_to_async_server("server-rsa2048", "ECDHE-RSA-", "rsa_pss_rsae_sha256");
}

/// A client that offers only the hash ring cannot sign with for this curve
/// (P-256 with SHA-384): the HSM answers Failed, and the paused handshake
/// ends with internal_error rather than hanging or signing otherwise.
#[test]
fn s_client_offering_only_the_other_hash_gets_internal_error_from_the_async_key() {
    let (mut server, port) = start_async_server("server-p256");
    let client = s_client(port, &["-sigalgs", "ECDSA+SHA384"]);
    assert!(server.wait_for_text("handshake failed"), "{}", server.log());
    let context = format!("{}\n{}", client.log(), server.log());
    assert!(client.text().contains("internal error"), "{context}");
    assert!(
        server
            .stderr_text()
            .contains("async-key: cannot sign with ecdsa_secp384r1_sha384"),
        "{context}"
    );
    assert!(signatures(&server.stderr_text()).is_empty(), "{context}");
}

// ---------------------------------------------------------------------------
// examples/client --async-key against openssl s_server -Verify 1
// ---------------------------------------------------------------------------

/// `openssl s_server -www -Verify 1` (a client certificate required,
/// verified against the fixture CA) with the P-256 server identity, for one
/// connection.
fn s_server_verify() -> (Proc, u16) {
    openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, "server-p256");
        cmd.args(["-Verify", "1", "-CAfile", &fixture_path("ca.pem")]);
        cmd.args(["-tls1_2", "-www"]);
    })
}

#[test]
fn client_async_key_with_cert_to_s_server_verify() {
    let (mut server, port) = s_server_verify();
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args(["--server-name", "localhost"])
        .args(["--ca", "tests/fixtures/ca.pem"])
        .args(["--cert", "tests/fixtures/client-p256.chain.pem"])
        .args(["--key", "tests/fixtures/client-p256.key"])
        .arg("--async-key")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut client = Proc::spawn_without_stdin(cmd);
    let status = client.wait_exit();
    server.wait_exit(); // -naccept 1: it exits once it has served us
    let context = format!("{}\n{}", client.log(), server.log());
    assert_eq!(status.code(), Some(0), "{context}");
    // s_server verified our chain (leaf and intermediate) ...
    let log = server.text();
    assert!(
        log.contains("depth=0 O = tls12 tests, CN = client-p256"),
        "{context}"
    );
    assert!(!log.contains("verify error"), "{context}");
    // ... and its -www page, our client's stdout, names what it got.
    let out = client.stdout_text();
    assert!(out.contains("HTTP/1.0 200 ok"), "{context}");
    assert!(out.contains("Client certificate"), "{context}");
    assert!(out.contains("CN=client-p256"), "{context}");
    // The CertificateVerify signature came from the HSM, after a pause.
    assert_paused_once(&client.stderr_text(), "ecdsa_secp256r1_sha256", &context);
}

// ---------------------------------------------------------------------------
// The flag itself
// ---------------------------------------------------------------------------

/// Runs example `name` with `args` to its exit; returns its exit code and
/// output.
fn run(name: &str, args: &[&str]) -> (Option<i32>, Proc) {
    let mut cmd = Command::new(example(name));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut proc = Proc::spawn_without_stdin(cmd);
    let status = proc.wait_exit();
    (status.code(), proc)
}

#[test]
fn async_key_is_in_the_help_and_refused_without_a_key_it_can_hold() {
    for name in ["server", "client"] {
        let (code, proc) = run(name, &["--help"]);
        assert_eq!(code, Some(0), "{}", proc.log());
        let help = proc.stdout_text();
        assert!(help.contains("--async-key"), "{name}: {help}");
        // What ring cannot sign is said where the flag is offered.
        assert!(help.contains("curve's own hash"), "{name}: {help}");
    }
    // The client's flag needs a key: a usage error.
    let (code, proc) = run(
        "client",
        &[
            "--connect",
            "127.0.0.1:1",
            "--server-name",
            "localhost",
            "--ca",
            "tests/fixtures/ca.pem",
            "--async-key",
        ],
    );
    assert_eq!(code, Some(2), "{}", proc.log());
    // A SEC1 key, which ring cannot load: refused at start, with the fix.
    let (code, proc) = run(
        "server",
        &[
            "--listen",
            "127.0.0.1:0",
            "--cert",
            "tests/fixtures/server-p256.chain.pem",
            "--key",
            "tests/fixtures/server-p256.sec1.key",
            "--async-key",
        ],
    );
    assert_eq!(code, Some(1), "{}", proc.log());
    assert!(
        proc.stderr_text().contains("needs a PKCS#8 key"),
        "{}",
        proc.log()
    );
}
