//! Pre-shared keys against real peers over loopback TCP: every PSK suite
//! OpenSSL has (`s_server -nocert -psk`, `s_client -psk`) and GnuTLS has
//! (`gnutls-serv --pskpasswd`, `gnutls-cli --pskusername --pskkey`), both
//! ways, with data both ways; the CCM ones with the `aes-ccm` feature; the
//! examples' `--psk` flags; and a wrong key as OpenSSL sees it. The
//! ECDHE_PSK AES-GCM suites of RFC 8442, which no installed peer has, run
//! in memory (tests/psk.rs).

#[macro_use]
mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::sync::Arc;

use common::fixture_path;
use common::peer::{
    contains, example, listening_port, openssl_s_server, our_client_session, our_server_thread,
    read_exactly, start_listening, Listening, Proc,
};
use tls12::pki_types::UnixTime;
use tls12::psk::{Psk, PskMap};
use tls12::{CipherSuite, ClientConfig, KeyExchange, RootCertStore, ServerConfig};

const IDENTITY: &str = "sensor-17";
const KEY_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn key_bytes() -> Vec<u8> {
    (0..KEY_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&KEY_HEX[i..i + 2], 16).unwrap())
        .collect()
}

fn client_for(suite: CipherSuite) -> ClientConfig {
    let mut config = ClientConfig::new(RootCertStore::empty());
    config.cipher_suites = vec![suite].into();
    config
        .add_psk(IDENTITY.as_bytes(), Psk::new(&key_bytes()).unwrap())
        .unwrap();
    config
}

fn server_for(suite: CipherSuite) -> ServerConfig {
    let mut keys = PskMap::new();
    keys.insert(IDENTITY.as_bytes(), Psk::new(&key_bytes()).unwrap())
        .unwrap();
    let mut config = ServerConfig::with_psk(Arc::new(keys));
    config.cipher_suites = vec![suite].into();
    config
}

fn assert_psk(info: &tls12::HandshakeInfo, suite: CipherSuite) {
    assert_eq!(info.cipher_suite, suite);
    assert!(matches!(
        info.key_exchange,
        KeyExchange::Psk | KeyExchange::EcdhePsk
    ));
    assert_eq!(info.psk_identity.as_deref(), Some(IDENTITY.as_bytes()));
    assert!(info.peer_certificates.is_empty());
}

/// Some text, `n` bytes, in lines.
fn text(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| {
            if i % 64 == 63 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// OpenSSL
// ---------------------------------------------------------------------------

/// `openssl s_server -nocert -psk ... -rev` speaking only `cipher`, for one
/// connection.
fn s_server(cipher: &str) -> (Proc, u16) {
    openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        cmd.args(["-nocert", "-psk", KEY_HEX, "-psk_identity", IDENTITY]);
        cmd.args(["-tls1_2", "-cipher", cipher, "-rev"]);
    })
}

/// Our client against s_server: a line and a 10,000-byte one, each answered
/// reversed.
fn our_client_to_s_server(cipher: &str, suite: CipherSuite) {
    let (mut server, port) = s_server(cipher);
    let lines = [format!("hello over {cipher}"), "x".repeat(10_000)];
    let (info, answers) = our_client_session(
        port,
        client_for(suite),
        "localhost",
        UnixTime::now(),
        |tls| {
            let answers: Vec<String> = lines
                .iter()
                .map(|line| {
                    tls.write_all(format!("{line}\n").as_bytes()).unwrap();
                    String::from_utf8(read_exactly(tls, line.len() + 1)).unwrap()
                })
                .collect();
            tls.close().unwrap();
            answers
        },
    )
    .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));
    for (line, answer) in lines.iter().zip(&answers) {
        let reversed: String = line.chars().rev().collect();
        assert_eq!(*answer, format!("{reversed}\n"));
    }
    assert_psk(&info, suite);
    assert!(server.wait_exit().success(), "{}", server.log());
    assert!(
        server.text().contains(&format!("Ciphersuite: {cipher}")),
        "{}",
        server.log()
    );
}

/// `openssl s_client -psk` sends 64 KiB to our echo server and gets it back.
fn s_client_to_our_server(cipher: &str, suite: CipherSuite) {
    let data = text(64 * 1024);
    let len = data.len();
    let ours = our_server_thread(server_for(suite), move |tls| {
        let mut got = vec![0u8; len];
        tls.read_exact(&mut got).unwrap();
        tls.write_all(&got).unwrap();
        tls.flush().unwrap();
        tls.connection().handshake_info().cloned()
    });
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{}", ours.port)])
        .args(["-psk", KEY_HEX, "-psk_identity", IDENTITY])
        .args(["-tls1_2", "-cipher", cipher, "-ign_eof"]);
    let mut client = Proc::spawn(cmd);
    client.feed_stdin(data.clone());
    client.wait_until(|out| out.len() > len);
    let info = ours.join().expect("handshake info");
    client.close_stdin();
    client.wait_exit();
    let log = client.log();
    assert!(
        contains(&client.stdout(), &data),
        "our echo is missing\n{log}"
    );
    assert!(
        client
            .stdout_text()
            .contains(&format!("New, TLSv1.2, Cipher is {cipher}")),
        "{log}"
    );
    assert_psk(&info, suite);
}

table_tests! {
    our_client_to_s_server;
    our_client_to_s_server_psk_aes128_gcm_sha256: ("PSK-AES128-GCM-SHA256", CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256);
    our_client_to_s_server_psk_aes256_gcm_sha384: ("PSK-AES256-GCM-SHA384", CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384);
    our_client_to_s_server_psk_chacha20_poly1305: ("PSK-CHACHA20-POLY1305", CipherSuite::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256);
    our_client_to_s_server_ecdhe_psk_chacha20_poly1305: ("ECDHE-PSK-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256);
}

table_tests! {
    s_client_to_our_server;
    s_client_to_our_server_psk_aes128_gcm_sha256: ("PSK-AES128-GCM-SHA256", CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256);
    s_client_to_our_server_psk_aes256_gcm_sha384: ("PSK-AES256-GCM-SHA384", CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384);
    s_client_to_our_server_psk_chacha20_poly1305: ("PSK-CHACHA20-POLY1305", CipherSuite::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256);
    s_client_to_our_server_ecdhe_psk_chacha20_poly1305: ("ECDHE-PSK-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256);
}

#[cfg(feature = "aes-ccm")]
table_tests! {
    our_client_to_s_server;
    our_client_to_s_server_psk_aes128_ccm: ("PSK-AES128-CCM", CipherSuite::TLS_PSK_WITH_AES_128_CCM);
    our_client_to_s_server_psk_aes128_ccm8: ("PSK-AES128-CCM8", CipherSuite::TLS_PSK_WITH_AES_128_CCM_8);
}

#[cfg(feature = "aes-ccm")]
table_tests! {
    s_client_to_our_server;
    s_client_to_our_server_psk_aes128_ccm: ("PSK-AES128-CCM", CipherSuite::TLS_PSK_WITH_AES_128_CCM);
    s_client_to_our_server_psk_aes128_ccm8: ("PSK-AES128-CCM8", CipherSuite::TLS_PSK_WITH_AES_128_CCM_8);
}

/// s_client with the right identity and a wrong key: our server answers
/// decrypt_error at the client's Finished (RFC 4279 §2), and s_client says
/// so.
#[test]
fn s_client_with_a_wrong_key_gets_decrypt_error() {
    let ours = our_server_thread(
        server_for(CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256),
        |tls| {
            let e = tls.complete_handshake().unwrap_err();
            (e.to_string(), tls.connection().error().cloned())
        },
    );
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{}", ours.port)])
        .args([
            "-psk",
            "ffeeddccbbaa99887766554433221100",
            "-psk_identity",
            IDENTITY,
        ])
        .args(["-tls1_2", "-cipher", "PSK-AES128-GCM-SHA256"]);
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    let (_, error) = ours.join();
    assert_eq!(error, Some(tls12::Error::PskMismatch));
    assert!(client.text().contains("decrypt error"), "{}", client.log());
}

// ---------------------------------------------------------------------------
// GnuTLS
// ---------------------------------------------------------------------------

fn gnutls_priority(cipher: &str) -> String {
    format!("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+{cipher}")
}

/// `gnutls-serv --echo --pskpasswd` speaking only `cipher`.
fn gnutls_serv(cipher: &str) -> (Proc, u16) {
    let passwd = common::peer::temp_log_path("psk-passwd");
    std::fs::write(&passwd, format!("{IDENTITY}:{KEY_HEX}\n")).unwrap();
    start_listening(
        "gnutls-serv",
        |port| {
            let mut cmd = Command::new("gnutls-serv");
            cmd.args(["--port", &port.to_string(), "--echo"])
                .arg("--pskpasswd")
                .arg(&passwd)
                .args(["--priority", &gnutls_priority(cipher)]);
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
    )
}

fn our_client_to_gnutls_serv(cipher: &str, suite: CipherSuite) {
    let (server, port) = gnutls_serv(cipher);
    let line = format!("hello over {cipher}\n");
    let (info, echoed) = our_client_session(
        port,
        client_for(suite),
        "localhost",
        UnixTime::now(),
        |tls| {
            tls.write_all(line.as_bytes()).unwrap();
            let echoed = read_exactly(tls, line.len());
            let _ = tls.close();
            echoed
        },
    )
    .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));
    assert_eq!(echoed, line.as_bytes());
    assert_psk(&info, suite);
}

fn gnutls_cli_to_our_server(cipher: &str, suite: CipherSuite) {
    let line = b"hello from gnutls-cli\n".to_vec();
    let len = line.len();
    let ours = our_server_thread(server_for(suite), move |tls| {
        let mut got = vec![0u8; len];
        tls.read_exact(&mut got).unwrap();
        tls.write_all(&got).unwrap();
        tls.flush().unwrap();
        tls.connection().handshake_info().cloned()
    });
    let mut cmd = Command::new("gnutls-cli");
    cmd.args(["--port", &ours.port.to_string()])
        .args(["--pskusername", IDENTITY, "--pskkey", KEY_HEX])
        .args(["--priority", &gnutls_priority(cipher)])
        .arg("127.0.0.1");
    let mut client = Proc::spawn(cmd);
    client.feed_stdin_keep_open(line.clone());
    let info = ours.join().expect("handshake info");
    client.wait_until(|out| out.contains("hello from gnutls-cli"));
    client.close_stdin();
    client.wait_exit();
    assert!(
        client.text().contains("(TLS1.2-X.509)-(PSK)-("),
        "{}",
        client.log()
    );
    assert!(contains(&client.stdout(), &line), "{}", client.log());
    assert_psk(&info, suite);
}

table_tests! {
    our_client_to_gnutls_serv;
    our_client_to_gnutls_serv_psk_aes_128_gcm: ("AES-128-GCM", CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256);
    our_client_to_gnutls_serv_psk_aes_256_gcm: ("AES-256-GCM", CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384);
}

table_tests! {
    gnutls_cli_to_our_server;
    gnutls_cli_to_our_server_psk_aes_128_gcm: ("AES-128-GCM", CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256);
    gnutls_cli_to_our_server_psk_aes_256_gcm: ("AES-256-GCM", CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384);
}

#[cfg(feature = "aes-ccm")]
table_tests! {
    our_client_to_gnutls_serv;
    our_client_to_gnutls_serv_psk_aes_128_ccm: ("AES-128-CCM", CipherSuite::TLS_PSK_WITH_AES_128_CCM);
    our_client_to_gnutls_serv_psk_aes_128_ccm_8: ("AES-128-CCM-8", CipherSuite::TLS_PSK_WITH_AES_128_CCM_8);
}

#[cfg(feature = "aes-ccm")]
table_tests! {
    gnutls_cli_to_our_server;
    gnutls_cli_to_our_server_psk_aes_128_ccm: ("AES-128-CCM", CipherSuite::TLS_PSK_WITH_AES_128_CCM);
    gnutls_cli_to_our_server_psk_aes_128_ccm_8: ("AES-128-CCM-8", CipherSuite::TLS_PSK_WITH_AES_128_CCM_8);
}

// ---------------------------------------------------------------------------
// The examples' --psk
// ---------------------------------------------------------------------------

/// `examples/server --psk` with no certificate, against `s_client -psk`.
#[test]
fn s_client_to_example_server_with_psk_and_no_certificate() {
    let mut cmd = Command::new(example("server"));
    cmd.args(["--listen", "127.0.0.1:0", "--http"])
        .args(["--psk", &format!("{IDENTITY}:{KEY_HEX}")])
        .args(["--psk", "other:0102030405060708"]);
    let mut server = Proc::spawn_without_stdin(cmd);
    let port = listening_port(&mut server, "server --psk");
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args([
            "-psk",
            KEY_HEX,
            "-psk_identity",
            IDENTITY,
            "-tls1_2",
            "-ign_eof",
        ]);
    let mut client = Proc::spawn(cmd);
    client.feed_stdin(b"GET / HTTP/1.0\r\n\r\n".to_vec());
    client.wait_exit();
    server.wait_for_text("negotiated");
    let context = format!("{}\n{}", client.log(), server.log());
    let out = client.stdout_text();
    assert!(
        out.contains("Cipher is ECDHE-PSK-CHACHA20-POLY1305"),
        "{context}"
    );
    assert!(out.contains("HTTP/1.1 200 OK"), "{context}");
    assert!(
        server
            .stderr_text()
            .contains("kx=ECDHE_PSK group=Some(x25519) sig=None"),
        "{context}"
    );
    assert!(
        server.stderr_text().contains("psk_identity=\"sensor-17\""),
        "{context}"
    );
}

/// `examples/client --psk` with no `--ca`, against `s_server -nocert -psk`.
#[test]
fn example_client_with_psk_and_no_ca_to_s_server() {
    let (mut server, port) = openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        cmd.args(["-nocert", "-psk", KEY_HEX, "-psk_identity", IDENTITY]);
        cmd.args(["-tls1_2", "-www"]);
    });
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args(["--server-name", "localhost"])
        .args(["--psk", &format!("{IDENTITY}:{KEY_HEX}")])
        .args(["--send", "GET / HTTP/1.0\r\n\r\n"]);
    let mut client = Proc::spawn_without_stdin(cmd);
    let status = client.wait_exit();
    server.wait_exit();
    let context = format!("{}\n{}", client.log(), server.log());
    assert_eq!(status.code(), Some(0), "{context}");
    let out = client.stdout_text();
    assert!(out.contains("kx:         ECDHE_PSK"), "{context}");
    assert!(out.contains("psk:        sensor-17"), "{context}");
    assert!(out.contains("HTTP/1.0 200 ok"), "{context}");
    let _ = fixture_path("ca.pem");
}
