//! RSA key transport against real peers over loopback TCP, through the
//! examples' `--legacy-rsa-key-transport`: OpenSSL and GnuTLS both ways,
//! the refusal without the switch, and sslyze's ROBOT check (a
//! Bleichenbacher oracle scan) against the example server, whose HSM thread
//! decrypts each premaster secret.

mod common;

use std::process::Command;

use common::fixture_path;
use common::peer::{
    example, listening_port, openssl_s_server, s_server_identity, start_listening, Listening, Proc,
};

const IDENTITY: &str = "server-rsa2048-kx";

/// `examples/server --async-key --legacy-rsa-key-transport` with `extra`
/// flags, on a free port.
fn start_server(extra: &[&str]) -> (Proc, u16) {
    let mut cmd = Command::new(example("server"));
    cmd.args(["--listen", "127.0.0.1:0"])
        .args(["--cert", &fixture_path(&format!("{IDENTITY}.chain.pem"))])
        .args(["--key", &fixture_path(&format!("{IDENTITY}.key"))])
        .args(["--async-key", "--legacy-rsa-key-transport"])
        .args(extra);
    let mut server = Proc::spawn_without_stdin(cmd);
    let port = listening_port(&mut server, "server --legacy-rsa-key-transport");
    (server, port)
}

/// The server's stderr once it has logged `count` handshakes, ended or
/// failed.
fn server_log(server: &mut Proc, count: usize) -> String {
    server.wait_until(|log| {
        log.matches("negotiated").count() + log.matches("handshake failed").count() >= count
    });
    server.stderr_text()
}

/// The example client with `args`, run to its exit.
fn our_client(port: u16, args: &[&str]) -> (Option<i32>, Proc) {
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args(["--server-name", "localhost"])
        .args(["--ca", &fixture_path("ca.pem")])
        .args(["--send", "GET / HTTP/1.0\r\n\r\n"])
        .args(args);
    let mut client = Proc::spawn_without_stdin(cmd);
    let status = client.wait_exit();
    (status.code(), client)
}

// ---------------------------------------------------------------------------
// OpenSSL
// ---------------------------------------------------------------------------

fn s_client_to_our_server(cipher: &str, ours: &str) {
    let (mut server, port) = start_server(&[]);
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-CAfile", &fixture_path("ca.pem")])
        .args(["-servername", "localhost", "-tls1_2", "-cipher", cipher]);
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    let log = server_log(&mut server, 1);
    let context = format!("{}\n{}", client.log(), server.log());
    let out = client.stdout_text();
    assert!(out.contains(&format!("Cipher is {cipher}")), "{context}");
    assert!(out.contains("Verify return code: 0 (ok)"), "{context}");
    assert!(log.contains(&format!("{ours} kx=RSA")), "{context}");
    // The HSM thread decrypted the premaster: the handshake paused for it.
    assert_eq!(
        log.matches("async-key: decrypting the premaster secret (256 bytes), answered")
            .count(),
        1,
        "{context}"
    );
}

#[test]
fn s_client_to_server_legacy_rsa_aes128_gcm_sha256() {
    s_client_to_our_server("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256");
}

#[test]
fn s_client_to_server_legacy_rsa_aes256_gcm_sha384() {
    s_client_to_our_server("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384");
}

/// `openssl s_server -www` that speaks only `cipher`, for one connection.
fn s_server(cipher: &str) -> (Proc, u16) {
    openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, IDENTITY);
        cmd.args(["-tls1_2", "-cipher", cipher, "-www"]);
    })
}

fn client_to_s_server(cipher: &str, ours: &str) {
    let (mut server, port) = s_server(cipher);
    let (code, client) = our_client(port, &["--legacy-rsa-key-transport"]);
    server.wait_exit();
    let context = format!("{}\n{}", client.log(), server.log());
    assert_eq!(code, Some(0), "{context}");
    let out = client.stdout_text();
    assert!(out.contains(&format!("cipher:     {ours}")), "{context}");
    assert!(out.contains("kx:         RSA"), "{context}");
    // s_server's -www page names the suite it used.
    assert!(out.contains(&format!("Cipher is {cipher}")), "{context}");
}

#[test]
fn client_legacy_rsa_to_s_server_aes128_gcm_sha256() {
    client_to_s_server("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256");
}

#[test]
fn client_legacy_rsa_to_s_server_aes256_gcm_sha384() {
    client_to_s_server("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384");
}

/// Without the switch the client offers only ECDHE, the server refuses, and
/// the message names the switch that would have allowed the server's suite.
#[test]
fn client_without_the_switch_is_refused_and_told_which_switch() {
    let (mut server, port) = s_server("AES128-GCM-SHA256");
    let (code, client) = our_client(port, &[]);
    server.wait_exit();
    let context = format!("{}\n{}", client.log(), server.log());
    assert_eq!(code, Some(1), "{context}");
    let err = client.stderr_text();
    assert!(err.contains("handshake_failure"), "{context}");
    assert!(err.contains("--legacy-rsa-key-transport"), "{context}");
}

// ---------------------------------------------------------------------------
// GnuTLS
// ---------------------------------------------------------------------------

const GNUTLS_RSA: &str =
    "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM";

#[test]
fn gnutls_cli_to_server_legacy_rsa() {
    let (mut server, port) = start_server(&[]);
    let mut cmd = Command::new("gnutls-cli");
    cmd.args(["--port", &port.to_string()])
        .args(["--x509cafile", &fixture_path("ca.pem")])
        .args(["--priority", GNUTLS_RSA])
        .args([
            "--sni-hostname",
            "localhost",
            "--verify-hostname",
            "localhost",
        ])
        .arg("127.0.0.1");
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    let log = server_log(&mut server, 1);
    let context = format!("{}\n{}", client.log(), server.log());
    assert!(
        client.text().contains("(TLS1.2-X.509)-(RSA)-(AES-128-GCM)"),
        "{context}"
    );
    assert!(log.contains("kx=RSA"), "{context}");
    assert!(log.contains("async-key: decrypting"), "{context}");
}

#[test]
fn client_legacy_rsa_to_gnutls_serv() {
    let (server, port) = start_listening(
        "gnutls-serv",
        |port| {
            let mut cmd = Command::new("gnutls-serv");
            cmd.args(["--port", &port.to_string()])
                .args([
                    "--x509certfile",
                    &fixture_path(&format!("{IDENTITY}.chain.pem")),
                ])
                .args(["--x509keyfile", &fixture_path(&format!("{IDENTITY}.key"))])
                .args(["--priority", GNUTLS_RSA, "--http"]);
            Proc::spawn(cmd)
        },
        |_, port| {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                Listening::Yes
            } else {
                Listening::NotYet
            }
        },
        |log| log.contains("in use") || log.contains("bind"),
    );
    let (code, client) = our_client(port, &["--legacy-rsa-key-transport"]);
    let context = format!("{}\n{}", client.log(), server.log());
    assert_eq!(code, Some(0), "{context}");
    let out = client.stdout_text();
    assert!(out.contains("kx:         RSA"), "{context}");
    assert!(out.contains("cipher:     TLS_RSA_WITH_AES_"), "{context}");
}

// ---------------------------------------------------------------------------
// sslyze's ROBOT check
// ---------------------------------------------------------------------------

/// sslyze sends ClientKeyExchanges with well-formed and malformed PKCS#1
/// paddings, wrong lengths and wrong versions, and compares the server's
/// answers: any difference is an oracle. Its scanner offers no extended
/// master secret, so the server allows that (`--no-require-ems`), as a
/// server for legacy clients would.
#[test]
fn sslyze_robot_finds_no_oracle() {
    let probe = Command::new("python3")
        .args(["-c", "import sslyze"])
        .status()
        .expect("python3");
    assert!(
        probe.success(),
        "this test needs sslyze (`pip install sslyze`; .ci/run installs it)"
    );
    let (mut server, port) = start_server(&["--no-require-ems"]);
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "sslyze", "--robot", &format!("127.0.0.1:{port}")]);
    let mut scan = Proc::spawn_without_stdin(cmd);
    scan.wait_exit();
    let out = scan.stdout_text();
    // The server logs each connection as it ends.
    server.wait_until(|log| log.matches("(bad_record_mac)").count() >= 5);
    let log = server.stderr_text();
    let context = format!("{}\n{}", scan.log(), server.log());
    assert!(out.contains("OK - Not vulnerable."), "{context}");
    // Not the vacuous "RSA cipher suites not supported": the scan's
    // ciphertexts reached the HSM thread, and each bad one failed the same
    // way, at Finished.
    assert!(!out.contains("not supported"), "{context}");
    let decrypted = log.matches("async-key: decrypting").count();
    assert!(decrypted >= 5, "{decrypted} decryptions\n{context}");
    for line in log.lines().filter(|l| l.contains("handshake failed")) {
        if line.contains("TLSv1.3") {
            continue; // sslyze's first probe offers only TLS 1.3
        }
        assert!(line.contains("(bad_record_mac)"), "{line}\n{context}");
    }
}
