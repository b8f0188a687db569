//! Interop with `curl` (built on OpenSSL) over loopback TCP: curl fetches
//! pages from a minimal HTTP/1.1 server running in a thread of the test
//! (tls12::ServerConnection + tls12::Stream), which answers each `GET` with a
//! page listing what was negotiated. Every suite, ALPN, a 16 MiB download,
//! and an unknown-CA failure as both sides see it.
//!
//! Every child process is owned by a [`Proc`], which kills it when dropped,
//! and every wait has a deadline, so a misbehaving peer fails a test instead
//! of hanging it.

mod common;

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;

use common::peer::{our_server_thread, pseudo_random, tls_error, OurServer, Proc, MIB};
use common::{fixture_path, server_config};
use tls12::{
    AlertDescription, CipherSuite, Error, HandshakeInfo, NamedGroup, ProtocolVersion, ServerConfig,
    SignatureScheme,
};

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// `curl`, or a clear failure when it is missing.
fn curl() -> Command {
    static VERSION: OnceLock<Result<String, String>> = OnceLock::new();
    let version = VERSION.get_or_init(|| {
        match Command::new("curl")
            .arg("--version")
            .stdin(Stdio::null())
            .output()
        {
            Ok(out) if out.status.success() => {
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
            Ok(out) => Err(format!("`curl --version` failed: {:?}", out.status)),
            Err(e) => Err(format!("cannot run `curl`: {e}")),
        }
    });
    match version {
        Err(e) => panic!(
            "these interop tests need `curl` on PATH \
             (CI installs it; e.g. `apt-get install curl`): {e}"
        ),
        Ok(v) => assert!(
            v.contains("OpenSSL/"),
            "these tests expect curl built on OpenSSL (its suite names and messages): {v}"
        ),
    }
    let mut cmd = Command::new("curl");
    // -v: the TLS details on stderr; -sS: no progress meter, but errors.
    cmd.args(["-v", "-sS", "--max-time", "20"]);
    cmd
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether the last request line is a `POST`.
fn line_is_post(requests: &[String]) -> bool {
    requests.last().is_some_and(|l| l.starts_with("POST "))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------
// Our HTTP/1.1 server, in a thread
// ---------------------------------------------------------------------------

/// What our server thread saw on its one connection.
#[derive(Debug)]
struct ServerRun {
    info: Option<HandshakeInfo>,
    /// The handshake's error, typed.
    error: Option<Error>,
    /// The request lines it answered.
    requests: Vec<String>,
    /// How the connection ended after the last request: `Ok(())` for the
    /// peer's close_notify, else the error reading (typed).
    end: Option<Result<(), Error>>,
    /// Whether our server sent close_notify first (after answering a
    /// request with `Connection: close`).
    we_closed_first: bool,
    /// The request bodies it read (`POST`), in order.
    bodies: Vec<Vec<u8>>,
}

/// The page for `GET /` (and anything but `/big`): what was negotiated.
fn page(info: &HandshakeInfo, request_line: &str) -> Vec<u8> {
    format!(
        "<html><body><h1>tls12</h1><pre>\nrequest:    {}\nprotocol:   {:?}\ncipher:     {:?}\n\
         group:      {:?}\nsignature:  {:?}\nalpn:       {:?}\nsni:        {:?}\n\
         extended master secret: {}\n</pre></body></html>\n",
        request_line.replace('<', "&lt;"),
        info.version,
        info.cipher_suite,
        info.group,
        info.signature_scheme,
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy),
        info.server_name,
        info.extended_master_secret
    )
    .into_bytes()
}

/// 16 MiB served at `/big`.
fn big_body() -> Vec<u8> {
    pseudo_random(16 * MIB, 0x0b16_b0d1_0000_0016)
}

/// Our HTTP/1.1 server for one connection, in a thread: it completes the
/// handshake, answers every request (keep-alive) until the peer goes away,
/// and reports what it saw. `GET /big`: 16 MiB; `POST /echo`: the request's
/// body (`Content-Length` bytes); anything else: the page. A request with
/// `Connection: close` is answered without `Content-Length` (the body ends
/// with the connection), then our server sends close_notify first and reads
/// until the peer's.
fn our_http_server(config: ServerConfig) -> OurServer<ServerRun> {
    our_server_thread(config, move |tls| {
        let mut run = ServerRun {
            info: None,
            error: None,
            requests: Vec::new(),
            end: None,
            we_closed_first: false,
            bodies: Vec::new(),
        };
        if let Err(e) = tls.complete_handshake() {
            run.error = Some(tls_error(tls.connection(), &e));
            return run;
        }
        let info = tls.connection().handshake_info().cloned().unwrap();
        run.info = Some(info.clone());
        let mut request = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match tls.read(&mut buf) {
                Ok(0) => {
                    run.end = Some(Ok(()));
                    break;
                }
                Ok(n) => n,
                Err(e) => {
                    run.end = Some(Err(tls_error(tls.connection(), &e)));
                    break;
                }
            };
            request.extend_from_slice(&buf[..n]);
            while let Some(end) = find(&request, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&request[..end]).to_string();
                let line = head.lines().next().unwrap_or("").to_string();
                let header = |name: &str| {
                    head.lines().skip(1).find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.trim()
                            .eq_ignore_ascii_case(name)
                            .then(|| v.trim().to_string())
                    })
                };
                let body_len: usize = header("content-length").map_or(0, |v| v.parse().unwrap());
                // The whole body first (curl sends it before reading).
                while request.len() < end + 4 + body_len {
                    match tls.read(&mut buf) {
                        Ok(0) => panic!("end of stream in a request body"),
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                        Err(e) => panic!("reading a request body: {e}"),
                    }
                }
                let request_body = request[end + 4..end + 4 + body_len].to_vec();
                request.drain(..end + 4 + body_len);
                let close = header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
                let (body, content_type) = if line.starts_with("GET /big ") {
                    (big_body(), "application/octet-stream")
                } else if line.starts_with("POST /echo ") {
                    (request_body.clone(), "application/octet-stream")
                } else {
                    (page(&info, &line), "text/html")
                };
                let length = if close {
                    "Connection: close\r\n".to_string()
                } else {
                    format!("Content-Length: {}\r\n", body.len())
                };
                let header =
                    format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{length}\r\n");
                tls.write_all(header.as_bytes()).unwrap();
                tls.write_all(&body).unwrap();
                run.requests.push(line);
                if line_is_post(&run.requests) {
                    run.bodies.push(request_body);
                }
                if close {
                    tls.close().unwrap();
                    run.we_closed_first = true;
                }
            }
        }
        run
    })
}

/// curl fetching `path` from our server on `port` as `https://localhost:PORT`
/// (resolved to 127.0.0.1), with `args` added. The exit status and curl.
fn fetch(port: u16, path: &str, args: &[&str]) -> (ExitStatus, Proc) {
    let mut cmd = curl();
    cmd.args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .args(args)
        .arg(format!("https://localhost:{port}{path}"));
    let mut proc = Proc::spawn_without_stdin(cmd);
    let status = proc.wait_exit();
    (status, proc)
}

fn with_ca(args: &[&str]) -> Vec<String> {
    let mut all = vec!["--cacert".to_string(), fixture_path("ca.pem")];
    all.extend(args.iter().map(|a| a.to_string()));
    all
}

/// curl trusting ca.pem, with `args`, fetches `/` from our server (ALPN
/// http/1.1 only) serving `identity`: checks the page, what curl and our
/// server saw, and the clean end. Returns curl's log and our server's view.
fn curl_page(identity: &str, args: &[&str]) -> (String, HandshakeInfo) {
    let mut config = server_config(identity);
    config.alpn_protocols = vec![b"http/1.1".to_vec()].into();
    let ours = our_http_server(config);
    let args = with_ca(args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, client) = fetch(ours.port, "/", &args);
    let run = ours.join();
    let log = client.log();
    assert!(status.success(), "{log}\nour server: {run:?}");
    assert_eq!(run.error, None);
    let info = run.info.clone().unwrap();

    let stderr = client.stderr_text();
    let body = client.stdout_text();
    assert!(stderr.contains("< HTTP/1.1 200 OK"), "{log}");
    assert!(stderr.contains("ALPN: offers http/1.1"), "{log}");
    assert!(stderr.contains("ALPN: server accepted http/1.1"), "{log}");
    assert!(stderr.contains("SSL certificate verify ok."), "{log}");
    assert!(stderr.contains("subject: O=tls12 tests; CN="), "{log}");
    let using = format!(
        "SSL connection using TLSv1.2 / {}",
        openssl_name(info.cipher_suite)
    );
    assert!(stderr.contains(&using), "{using}\n{log}");

    assert!(body.contains("request:    GET / HTTP/1.1\n"), "{log}");
    assert!(body.contains("protocol:   TLSv1.2\n"), "{log}");
    assert!(
        body.contains(&format!("cipher:     {:?}\n", info.cipher_suite)),
        "{log}"
    );
    assert!(body.contains("alpn:       Some(\"http/1.1\")\n"), "{log}");
    assert!(body.contains("sni:        Some(\"localhost\")\n"), "{log}");
    assert!(body.contains("extended master secret: true\n"), "{log}");
    assert!(body.ends_with("</pre></body></html>\n"), "{log}");

    assert_eq!(run.requests, ["GET / HTTP/1.1"]);
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(info.server_name.as_deref(), Some("localhost"));
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert_eq!(run.end, Some(Ok(())), "curl's close_notify\n{log}");
    (stderr, info)
}

fn openssl_name(suite: CipherSuite) -> &'static str {
    match suite {
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => {
            "ECDHE-ECDSA-CHACHA20-POLY1305"
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        other => panic!("unexpected suite {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn curl_client_default_offers_tls13_lands_on_tls12_with_alpn_http11() {
    // No version options: curl (OpenSSL 3) offers TLS 1.3 and 1.2.
    let (_, info) = curl_page("server-p256", &["--http1.1"]);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(info.group, Some(NamedGroup::X25519));
}

#[test]
fn curl_client_tls12_only_gets_page() {
    let (_, info) = curl_page(
        "server-rsa2048",
        &["--http1.1", "--tlsv1.2", "--tls-max", "1.2"],
    );
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

fn curl_suite(openssl: &str, suite: CipherSuite, identity: &str) {
    let (_, info) = curl_page(
        identity,
        &[
            "--http1.1",
            "--tlsv1.2",
            "--tls-max",
            "1.2",
            "--ciphers",
            openssl,
        ],
    );
    assert_eq!(info.cipher_suite, suite);
    assert_eq!(openssl_name(suite), openssl);
}

table_tests! {
    curl_suite;
    curl_client_ecdhe_ecdsa_aes128_gcm_sha256: ("ECDHE-ECDSA-AES128-GCM-SHA256", CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-p256");
    curl_client_ecdhe_ecdsa_aes256_gcm_sha384: ("ECDHE-ECDSA-AES256-GCM-SHA384", CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "server-p256");
    curl_client_ecdhe_ecdsa_chacha20_poly1305: ("ECDHE-ECDSA-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "server-p256");
    curl_client_ecdhe_rsa_aes128_gcm_sha256: ("ECDHE-RSA-AES128-GCM-SHA256", CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa2048");
    curl_client_ecdhe_rsa_aes256_gcm_sha384: ("ECDHE-RSA-AES256-GCM-SHA384", CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "server-rsa2048");
    curl_client_ecdhe_rsa_chacha20_poly1305: ("ECDHE-RSA-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "server-rsa2048");
}

#[test]
fn curl_client_downloads_16mib() {
    let expected = big_body();
    let ours = our_http_server(server_config("server-p256"));
    let out = format!(
        "{}/interop_curl_16mib_{}.bin",
        env!("CARGO_TARGET_TMPDIR"),
        std::process::id()
    );
    let _ = std::fs::remove_file(&out);
    let args = with_ca(&["--http1.1", "-o", &out]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, client) = fetch(ours.port, "/big", &args);
    let run = ours.join();
    assert!(status.success(), "{}\nour server: {run:?}", client.log());
    let got = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert_eq!(got.len(), 16 * MIB);
    assert_eq!(sha256_hex(&got), sha256_hex(&expected));
    assert!(
        client
            .stderr_text()
            .contains(&format!("< Content-Length: {}", 16 * MIB)),
        "{}",
        client.log()
    );
    assert_eq!(run.requests, ["GET /big HTTP/1.1"]);
    assert_eq!(run.end, Some(Ok(())));
}

#[test]
fn curl_client_unknown_ca_exits_60_and_we_get_unknown_ca() {
    // Without --cacert curl trusts only the system roots, which do not
    // include our test CA.
    let ours = our_http_server(server_config("server-p256"));
    let (status, client) = fetch(ours.port, "/", &["--http1.1"]);
    let run = ours.join();
    let log = client.log();
    assert_eq!(status.code(), Some(60), "{log}");
    assert!(
        client
            .stderr_text()
            .contains("curl: (60) SSL certificate problem: unable to get local issuer certificate"),
        "{log}"
    );
    assert_eq!(
        run.error,
        Some(Error::AlertReceived(AlertDescription::UnknownCa)),
        "{log}"
    );
    assert!(run.info.is_none());
}

// ---------------------------------------------------------------------------
// Groups (--curves), 1 byte and 16 MiB each way, close_notify from our side
// ---------------------------------------------------------------------------

/// curl offering only `curve` (`--curves`, OpenSSL's group names) against
/// our server serving `identity`.
fn curl_group(curve: &str, identity: &str, group: NamedGroup) -> HandshakeInfo {
    let (_, info) = curl_page(
        identity,
        &[
            "--http1.1",
            "--tlsv1.2",
            "--tls-max",
            "1.2",
            "--curves",
            curve,
        ],
    );
    assert_eq!(info.group, Some(group));
    info
}

// interop-matrix: RSA cert, ALPN, SNI
#[test]
fn curl_client_group_x25519() {
    // Only x25519 in supported_groups: no ECDSA certificate qualifies
    // (RFC 8422 §5.3), so RSA.
    let info = curl_group("X25519", "server-rsa2048", NamedGroup::X25519);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

// interop-matrix: ECDSA cert, ALPN, SNI
#[test]
fn curl_client_group_secp256r1() {
    let info = curl_group("P-256", "server-p256", NamedGroup::Secp256r1);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
}

// interop-matrix: Ed25519 / P-384 cert, ALPN, SNI
#[test]
fn curl_client_group_secp384r1() {
    let info = curl_group("P-384", "server-ed25519", NamedGroup::Secp384r1);
    assert_eq!(info.signature_scheme, Some(SignatureScheme::Ed25519));
}

/// curl (trusting ca.pem, TLS 1.2 only) sends `args` to our server serving
/// `identity` at `path`: its exit status, curl, and our server's view.
fn curl_run(identity: &str, path: &str, args: &[&str]) -> (ExitStatus, Proc, ServerRun) {
    let ours = our_http_server(server_config(identity));
    let mut all = with_ca(&["--http1.1", "--tlsv1.2", "--tls-max", "1.2"]);
    all.extend(args.iter().map(|a| a.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let (status, client) = fetch(ours.port, path, &all);
    let run = ours.join();
    assert!(status.success(), "{}\nour server: {run:?}", client.log());
    assert_eq!(run.error, None);
    let info = run.info.as_ref().unwrap();
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(info.server_name.as_deref(), Some("localhost"));
    (status, client, run)
}

// interop-matrix: ECDSA cert, SNI
#[test]
fn curl_client_1_byte_each_way() {
    let (_, client, run) = curl_run(
        "server-p256",
        "/echo",
        &[
            "--data-binary",
            "x",
            "-H",
            "Content-Type: application/octet-stream",
        ],
    );
    assert_eq!(run.requests, ["POST /echo HTTP/1.1"]);
    assert_eq!(run.bodies, [b"x".to_vec()]);
    assert_eq!(client.stdout_text(), "x", "{}", client.log());
    assert!(
        client.stderr_text().contains("< Content-Length: 1"),
        "{}",
        client.log()
    );
    assert_eq!(run.end, Some(Ok(())), "curl's close_notify");
}

// interop-matrix: RSA cert, SNI
#[test]
fn curl_client_16mib_each_way() {
    let data = pseudo_random(16 * MIB, 0x0c01_0000_0016_0016);
    let dir = env!("CARGO_TARGET_TMPDIR");
    let (upload, out) = (
        format!("{dir}/interop_curl_up_{}.bin", std::process::id()),
        format!("{dir}/interop_curl_down_{}.bin", std::process::id()),
    );
    std::fs::write(&upload, &data).unwrap();
    let _ = std::fs::remove_file(&out);
    let (_, client, run) = curl_run(
        "server-rsa2048",
        "/echo",
        &[
            "--data-binary",
            &format!("@{upload}"),
            "-H",
            "Content-Type: application/octet-stream",
            // No `Expect: 100-continue` (and its one-second wait).
            "-H",
            "Expect:",
            "-o",
            &out,
        ],
    );
    let got = std::fs::read(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&upload);
    let _ = std::fs::remove_file(&out);
    assert_eq!(run.requests, ["POST /echo HTTP/1.1"]);
    assert_eq!(run.bodies.len(), 1);
    assert_eq!(run.bodies[0].len(), 16 * MIB);
    assert_eq!(sha256_hex(&run.bodies[0]), sha256_hex(&data));
    assert_eq!(got.len(), 16 * MIB, "{}", client.log());
    assert_eq!(sha256_hex(&got), sha256_hex(&data));
    assert_eq!(run.end, Some(Ok(())), "curl's close_notify");
}

// interop-matrix: ECDSA cert, SNI
#[test]
fn curl_client_our_server_closes_first_and_curl_answers_close_notify() {
    // `Connection: close`: our answer has no Content-Length, so its body
    // ends with our close_notify. curl's OpenSSL 3 reports an end of file
    // without close_notify as an error ("unexpected eof while reading",
    // exit 56), so curl's success and the whole page prove ours arrived.
    let (_, client, run) = curl_run("server-p256", "/", &["-H", "Connection: close"]);
    let log = client.log();
    let body = client.stdout_text();
    assert!(body.contains("request:    GET / HTTP/1.1\n"), "{log}");
    assert!(body.ends_with("</pre></body></html>\n"), "{log}");
    assert!(run.we_closed_first);
    let stderr = client.stderr_text();
    assert!(
        stderr.contains("TLSv1.2 (IN), TLS alert, close notify (256)"),
        "{log}"
    );
    // curl answered: our read after our close_notify ended with curl's.
    assert_eq!(run.end, Some(Ok(())), "curl's close_notify\n{log}");
}
