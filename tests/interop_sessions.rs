//! Session resumption and client certificates against real peers over
//! loopback TCP, with real time: OpenSSL's `openssl s_client` / `s_server`,
//! GnuTLS's `gnutls-cli` / `gnutls-serv`, and rustls 0.23, in both roles.
//!
//! Every child process is owned by a [`Proc`], which kills it when dropped,
//! every socket has timeouts and every wait a deadline, so a misbehaving peer
//! fails a test instead of hanging it.

mod common;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use common::peer::{
    accept_before_deadline, connect, gnutls_serv_echo, listen, openssl_s_server, s_server_identity,
    Proc, DEADLINE,
};
use common::{certs, client_config, fixture_path, key, name, roots, server_config};
use tls12::pki_types::UnixTime;
use tls12::{
    AlertDescription, ClientAuth, ClientConfig, ClientConnection, Connection, Error, HandshakeInfo,
    ProtocolVersion, ServerConfig, ServerConnection, SessionCache, Stream,
};

const TLS12_ONLY: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

/// A unique path in the temporary directory, removed when dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(what: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        Self(std::env::temp_dir().join(format!(
            "tls12-interop-sessions-{}-{}-{what}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        )))
    }

    fn as_str(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Lines of `text` starting with `start`.
fn count_lines(text: &str, start: &str) -> usize {
    text.lines().filter(|l| l.starts_with(start)).count()
}

/// The tls12 error behind an I/O error from [`Stream`], or the connection's.
fn tls_error(conn: &Connection, e: &io::Error) -> Error {
    if let Some(err) = conn.error() {
        return err.clone();
    }
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(err) => err.clone(),
        None => Error::Internal("an I/O error that is not a TLS error"),
    }
}

fn server_requiring_client_certs(identity: &str) -> ServerConfig {
    let mut config = server_config(identity);
    config.client_auth = ClientAuth::Required(roots());
    config
}

/// Our client configuration presenting `identity` (leaf + intermediate).
fn client_with(identity: &str) -> ClientConfig {
    let mut config = client_config();
    config
        .add_client_certificate(
            certs(&format!("{identity}.chain.pem")),
            key(&format!("{identity}.key")),
        )
        .unwrap();
    config
}

// ---------------------------------------------------------------------------
// Our server: several connections in a row, in a thread
// ---------------------------------------------------------------------------

/// What our server saw on one connection.
#[derive(Debug)]
struct ServerRun {
    info: Option<HandshakeInfo>,
    /// The handshake error, typed.
    error: Option<Error>,
    /// What it read (and echoed) after the handshake.
    received: Vec<u8>,
    /// An error after the handshake (e.g. end of file without close_notify).
    late_error: Option<Error>,
}

struct OurServer {
    port: u16,
    results: mpsc::Receiver<ServerRun>,
    expected: usize,
}

impl OurServer {
    /// One [`ServerRun`] per expected connection, in order.
    fn join(self) -> Vec<ServerRun> {
        let mut runs = Vec::new();
        for i in 0..self.expected {
            match self.results.recv_timeout(DEADLINE + Duration::from_secs(5)) {
                Ok(run) => runs.push(run),
                Err(_) => panic!(
                    "our server got {i} of {} connections (or its thread panicked: see above); \
                     so far: {runs:#?}",
                    self.expected
                ),
            }
        }
        runs
    }
}

/// Runs our server in a thread for `conns` connections, one after the other,
/// all with the same `config`. Each: the handshake, then an echo of whatever
/// arrives until the peer closes (its close_notify is answered with ours) or
/// goes away.
fn our_server(config: ServerConfig, conns: usize) -> OurServer {
    our_server_shared(Arc::new(config), conns)
}

fn our_server_shared(config: Arc<ServerConfig>, conns: usize) -> OurServer {
    let (listener, port) = listen();
    let (tx, results) = mpsc::channel();
    thread::spawn(move || {
        for _ in 0..conns {
            // A client that never comes ends the thread; the test's
            // recv_timeout reports it.
            let Some(mut sock) = accept_before_deadline(&listener) else {
                return;
            };
            let mut conn = ServerConnection::new(config.clone(), UnixTime::now()).unwrap();
            let mut tls = Stream::new(&mut conn, &mut sock);
            let mut run = ServerRun {
                info: None,
                error: None,
                received: Vec::new(),
                late_error: None,
            };
            match tls.complete_handshake() {
                Err(e) => run.error = Some(tls_error(tls.connection(), &e)),
                Ok(()) => {
                    run.info = tls.connection().handshake_info().cloned();
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        match tls.read(&mut buf) {
                            Ok(0) => break,
                            Ok(n) => {
                                run.received.extend_from_slice(&buf[..n]);
                                if let Err(e) = tls.write_all(&buf[..n]) {
                                    run.late_error = Some(tls_error(tls.connection(), &e));
                                    break;
                                }
                            }
                            Err(e) => {
                                run.late_error = Some(tls_error(tls.connection(), &e));
                                break;
                            }
                        }
                    }
                }
            }
            if tx.send(run).is_err() {
                return;
            }
        }
    });
    OurServer {
        port,
        results,
        expected: conns,
    }
}

/// `resumed` of each connection that completed its handshake (panics on a
/// handshake error).
fn resumed_flags(runs: &[ServerRun]) -> Vec<bool> {
    runs.iter()
        .map(|r| {
            assert_eq!(r.error, None, "{runs:#?}");
            let info = r.info.as_ref().unwrap();
            assert_eq!(info.version, ProtocolVersion::Tls12);
            info.resumed
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Our client, one connection
// ---------------------------------------------------------------------------

/// Our client's handshake with `port` (checking the name `localhost`), then
/// `exchange` over the stream, then close_notify and whatever the peer still
/// sends (errors there ignored: peers differ in how they end); the handshake
/// error (typed) if it fails.
fn our_client<T>(
    port: u16,
    config: &Arc<ClientConfig>,
    exchange: impl FnOnce(&mut Stream<'_, TcpStream>) -> T,
) -> Result<(HandshakeInfo, T), Error> {
    let mut sock = connect(port);
    let mut conn =
        ClientConnection::new(config.clone(), name("localhost"), UnixTime::now()).unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    if let Err(e) = tls.complete_handshake() {
        drop(tls);
        return Err(tls_error(&conn, &e));
    }
    let info = tls.connection().handshake_info().unwrap().clone();
    let out = exchange(&mut tls);
    let _ = tls.close();
    let mut rest = Vec::new();
    let _ = tls.read_to_end(&mut rest);
    Ok((info, out))
}

/// Reads until end of file, close_notify or an error; returns the text.
fn read_all_lenient(tls: &mut Stream<'_, TcpStream>) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = tls.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Sends `text` and reads exactly as many bytes back (an echo).
fn echo(tls: &mut Stream<'_, TcpStream>, text: &[u8]) -> Vec<u8> {
    tls.write_all(text).unwrap();
    let mut got = vec![0u8; text.len()];
    tls.read_exact(&mut got)
        .unwrap_or_else(|e| panic!("reading the echo: {e}"));
    got
}

// ---------------------------------------------------------------------------
// OpenSSL
// ---------------------------------------------------------------------------

/// `openssl s_client -tls1_2` connecting to our server on `port`, trusting
/// ca.pem and checking the name `localhost`, with `args` added. Its stdin is
/// closed at once, so it ends after its handshake(s).
fn s_client(port: u16, args: &[&str]) -> Proc {
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-CAfile", &fixture_path("ca.pem"), "-tls1_2"])
        .args(args);
    let mut proc = Proc::spawn(cmd);
    proc.close_stdin();
    proc
}

/// `openssl s_server -tls1_2 -www` on a free loopback port, serving
/// server-p256 (leaf + intermediate) to any number of connections, with
/// `args` added. `-www` answers `GET /` with a page saying `New,` or
/// `Reused,` (its own view of the session) and the client's certificate.
fn s_server(args: &[&str]) -> (Proc, u16) {
    openssl_s_server(|cmd| {
        s_server_identity(cmd, "server-p256");
        cmd.args(["-tls1_2", "-www"]);
        cmd.args(args);
    })
}

/// Our client fetches s_server's `-www` page; returns our view and the page.
fn fetch_www(port: u16, config: &Arc<ClientConfig>) -> Result<(HandshakeInfo, String), Error> {
    our_client(port, config, |tls| {
        tls.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        read_all_lenient(tls)
    })
}

/// `s_client -reconnect` (1 full handshake, then 5 reconnections offering
/// the session) against our server: returns s_client's stdout and our
/// server's six runs.
fn s_client_reconnect(config: ServerConfig, full_handshakes: usize) -> (String, Vec<ServerRun>) {
    let ours = our_server(config, 6);
    let mut client = s_client(ours.port, &["-reconnect"]);
    let status = client.wait_exit();
    let runs = ours.join();
    assert!(status.success(), "{}", client.log());
    let out = client.stdout_text();
    assert_eq!(
        count_lines(&out, "New, ") + count_lines(&out, "Reused, "),
        6,
        "{}",
        client.log()
    );
    // s_client's verify callback ran (depths 2, 1, 0) for each full
    // handshake only; a resumed session keeps the earlier result.
    assert_eq!(
        client.text().matches("verify return:1").count(),
        3 * full_handshakes,
        "{}",
        client.log()
    );
    assert_eq!(
        count_lines(&out, "    Verify return code: 0 (ok)"),
        6,
        "{}",
        client.log()
    );
    (out, runs)
}

/// The `Session-ID:` values s_client printed, in order.
fn session_ids(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.trim().strip_prefix("Session-ID:"))
        .map(|id| id.trim().to_string())
        .collect()
}

#[test]
fn openssl_reconnect_resumes_with_defaults() {
    let (out, runs) = s_client_reconnect(server_config("server-p256"), 1);
    assert_eq!(count_lines(&out, "New, TLSv1.2, Cipher is "), 1, "{out}");
    assert_eq!(count_lines(&out, "Reused, TLSv1.2, Cipher is "), 5, "{out}");
    assert!(
        out.contains("TLS session ticket lifetime hint: 43200"),
        "{out}"
    );
    assert_eq!(resumed_flags(&runs), [false, true, true, true, true, true]);
    // A resumed session runs no new key exchange: it reports the group of
    // its full handshake.
    let first_group = runs[0].info.as_ref().unwrap().group;
    assert!(first_group.is_some());
    for run in &runs[1..] {
        let info = run.info.as_ref().unwrap();
        assert_eq!(info.group, first_group, "{info:?}");
        assert!(info.extended_master_secret);
        assert_eq!(info.server_name.as_deref(), Some("localhost"));
    }
}

#[test]
fn openssl_reconnect_resumes_by_session_id_without_tickets() {
    let mut config = server_config("server-p256");
    config.ticketer = None;
    let cache = Arc::new(SessionCache::new(16, Duration::from_secs(3600)));
    config.session_cache = Some(cache.clone());
    let (out, runs) = s_client_reconnect(config, 1);
    assert_eq!(count_lines(&out, "New, TLSv1.2, Cipher is "), 1, "{out}");
    assert_eq!(count_lines(&out, "Reused, TLSv1.2, Cipher is "), 5, "{out}");
    assert!(
        !out.contains("TLS session ticket"),
        "no ticket issued\n{out}"
    );
    // The same session ID, from our server, every time.
    let ids = session_ids(&out);
    assert_eq!(ids.len(), 6, "{out}");
    assert_eq!(ids[0].len(), 64, "a 32-byte session ID\n{out}");
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(cache.len(), 1);
    assert_eq!(resumed_flags(&runs), [false, true, true, true, true, true]);
}

#[test]
fn openssl_reconnect_resumes_by_ticket_without_session_cache() {
    let mut config = server_config("server-p256");
    config.session_cache = None;
    let (out, runs) = s_client_reconnect(config, 1);
    assert_eq!(count_lines(&out, "New, TLSv1.2, Cipher is "), 1, "{out}");
    assert_eq!(count_lines(&out, "Reused, TLSv1.2, Cipher is "), 5, "{out}");
    assert_eq!(
        count_lines(&out, "    TLS session ticket lifetime hint: 43200"),
        6,
        "a (fresh) ticket on every connection\n{out}"
    );
    assert_eq!(resumed_flags(&runs), [false, true, true, true, true, true]);
}

#[test]
fn openssl_reconnect_never_resumes_without_cache_or_tickets() {
    let mut config = server_config("server-p256");
    config.session_cache = None;
    config.ticketer = None;
    let (out, runs) = s_client_reconnect(config, 6);
    assert_eq!(count_lines(&out, "New, TLSv1.2, Cipher is "), 6, "{out}");
    assert_eq!(count_lines(&out, "Reused, "), 0, "{out}");
    assert!(!out.contains("TLS session ticket"), "{out}");
    assert_eq!(resumed_flags(&runs), [false; 6]);
    for run in &runs {
        assert!(
            run.info.as_ref().unwrap().group.is_some(),
            "a full handshake"
        );
    }
}

/// `s_client -sess_out`, then a second `s_client -sess_in` with the saved
/// session, both with `extra`: returns both outputs and our server's view.
fn openssl_sess_out_then_in(extra: &[&str]) -> (String, String, Vec<ServerRun>) {
    let file = TempPath::new("session.pem");
    let ours = our_server(server_config("server-p256"), 2);
    let mut args = vec!["-sess_out", file.as_str()];
    args.extend_from_slice(extra);
    let mut first = s_client(ours.port, &args);
    assert!(first.wait_exit().success(), "{}", first.log());
    let saved = std::fs::read_to_string(&file.0).unwrap_or_default();
    assert!(
        saved.contains("-----BEGIN SSL SESSION PARAMETERS-----"),
        "{saved}\n{}",
        first.log()
    );
    let mut args = vec!["-sess_in", file.as_str()];
    args.extend_from_slice(extra);
    let mut second = s_client(ours.port, &args);
    assert!(second.wait_exit().success(), "{}", second.log());
    let runs = ours.join();
    (first.stdout_text(), second.stdout_text(), runs)
}

#[test]
fn openssl_sess_out_sess_in_resumes() {
    let (first, second, runs) = openssl_sess_out_then_in(&[]);
    assert_eq!(
        count_lines(&first, "New, TLSv1.2, Cipher is "),
        1,
        "{first}"
    );
    assert_eq!(
        count_lines(&second, "Reused, TLSv1.2, Cipher is "),
        1,
        "{second}"
    );
    assert_eq!(resumed_flags(&runs), [false, true]);
}

#[test]
fn openssl_sess_out_sess_in_no_ticket_resumes_by_session_id() {
    let (first, second, runs) = openssl_sess_out_then_in(&["-no_ticket"]);
    assert_eq!(
        count_lines(&first, "New, TLSv1.2, Cipher is "),
        1,
        "{first}"
    );
    assert!(!first.contains("TLS session ticket"), "{first}");
    assert_eq!(
        count_lines(&second, "Reused, TLSv1.2, Cipher is "),
        1,
        "{second}"
    );
    let (a, b) = (session_ids(&first), session_ids(&second));
    assert_eq!(a.len(), 1, "{first}");
    assert_eq!(a, b, "resumed by the session ID our server issued");
    assert_eq!(a[0].len(), 64, "{first}");
    assert_eq!(resumed_flags(&runs), [false, true]);
}

/// Our client (one configuration, shared) fetches s_server's page twice.
fn our_client_resumes_with_s_server(s_server_args: &[&str]) -> [String; 2] {
    let (server, port) = s_server(s_server_args);
    let config = Arc::new(client_config());
    let (first, page1) =
        fetch_www(port, &config).unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    let (second, page2) =
        fetch_www(port, &config).unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert!(!first.resumed);
    assert!(second.resumed, "{}", server.log());
    assert_eq!(second.cipher_suite, first.cipher_suite);
    // No new key exchange: the group of the full handshake.
    assert!(first.group.is_some());
    assert_eq!(second.group, first.group);
    assert!(second.extended_master_secret);
    // The server's chain is remembered with the session.
    assert_eq!(second.peer_certificates, first.peer_certificates);
    assert_eq!(first.peer_certificates.len(), 2);
    // s_server's own view, in its -www page.
    assert!(page1.contains("New, TLSv1.2, Cipher is "), "{page1}");
    assert!(page2.contains("Reused, TLSv1.2, Cipher is "), "{page2}");
    [page1, page2]
}

#[test]
fn our_client_resumes_with_openssl_s_server_ticket() {
    let [page1, page2] = our_client_resumes_with_s_server(&[]);
    // s_server kept the session only in the ticket it gave us: its session
    // cache stayed empty, yet the second connection was resumed.
    for page in [&page1, &page2] {
        assert!(page.contains("   0 items in the session cache"), "{page}");
    }
}

#[test]
fn our_client_resumes_with_openssl_s_server_no_ticket() {
    let [page1, page2] = our_client_resumes_with_s_server(&["-no_ticket"]);
    assert!(page2.contains("   1 session cache hits"), "{page2}");
    assert!(!page1.contains("TLS session ticket"), "{page1}");
    let (a, b) = (session_ids(&page1), session_ids(&page2));
    assert_eq!(a.len(), 1, "{page1}");
    assert_eq!(a, b, "resumed by session ID");
}

// --- client certificates, OpenSSL -------------------------------------------

/// s_client presenting `identity` (leaf, with the intermediate as the extra
/// chain) to our server requiring client certificates.
fn s_client_with_cert(identity: &str) {
    let ours = our_server(server_requiring_client_certs("server-p256"), 1);
    let mut client = s_client(
        ours.port,
        &[
            "-cert",
            &fixture_path(&format!("{identity}.pem")),
            "-key",
            &fixture_path(&format!("{identity}.key")),
            "-cert_chain",
            &fixture_path("inter.pem"),
        ],
    );
    let status = client.wait_exit();
    let runs = ours.join();
    assert!(status.success(), "{}\n{runs:#?}", client.log());
    let out = client.stdout_text();
    assert!(out.contains("New, TLSv1.2, Cipher is "), "{}", client.log());
    // Our CertificateRequest named the root, as s_client reports.
    assert!(
        out.contains("Acceptable client certificate CA names"),
        "{}",
        client.log()
    );
    assert_eq!(runs[0].error, None, "{}", client.log());
    let info = runs[0].info.as_ref().unwrap();
    assert_eq!(
        info.peer_certificates,
        certs(&format!("{identity}.chain.pem")),
        "the client's leaf and intermediate"
    );
}

table_tests! {
    s_client_with_cert;
    openssl_client_cert_p256_to_our_server: ("client-p256");
    openssl_client_cert_rsa2048_to_our_server: ("client-rsa2048");
}

#[test]
fn openssl_client_without_cert_refused_by_our_server() {
    let ours = our_server(server_requiring_client_certs("server-p256"), 1);
    let mut client = s_client(ours.port, &[]);
    let status = client.wait_exit();
    let runs = ours.join();
    assert!(!status.success(), "{}", client.log());
    let text = client.text();
    assert!(text.contains("alert handshake failure"), "{}", client.log());
    assert!(text.contains("SSL alert number 40"), "{}", client.log());
    assert!(
        matches!(runs[0].error, Some(Error::HandshakeFailure(_))),
        "{runs:#?}"
    );
    assert!(runs[0].info.is_none());
}

/// Our client presenting `identity` to `s_server -Verify 1 -CAfile ca.pem
/// -verify_return_error`.
fn our_client_cert_to_s_server(identity: &str) {
    let (mut server, port) = s_server(&[
        "-Verify",
        "1",
        "-CAfile",
        &fixture_path("ca.pem"),
        "-verify_return_error",
    ]);
    let config = Arc::new(client_with(identity));
    let (info, page) =
        fetch_www(port, &config).unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert!(!info.resumed);
    // The page shows the certificate s_server received from us.
    assert!(page.contains("Client certificate"), "{page}");
    assert!(
        page.contains(&format!("Subject: O=tls12 tests, CN={identity}")),
        "{page}"
    );
    // Its verify callback walked our chain to ca.pem: root, intermediate,
    // our leaf.
    assert!(
        server.wait_until(|text| text.matches("verify return:1").count() >= 3),
        "{}",
        server.log()
    );
    let log = server.text();
    assert!(
        log.contains(&format!("depth=0 O = tls12 tests, CN = {identity}\n")),
        "{log}"
    );
    assert_eq!(log.matches("verify return:1").count(), 3, "{log}");
    assert!(!log.contains("verify error"), "{log}");
}

table_tests! {
    our_client_cert_to_s_server;
    our_client_cert_p256_to_openssl_s_server: ("client-p256");
    our_client_cert_p384_to_openssl_s_server: ("client-p384");
    our_client_cert_ed25519_to_openssl_s_server: ("client-ed25519");
    our_client_cert_rsa2048_to_openssl_s_server: ("client-rsa2048");
}

#[test]
fn our_client_without_cert_refused_by_openssl_s_server() {
    let (mut server, port) = s_server(&[
        "-Verify",
        "1",
        "-CAfile",
        &fixture_path("ca.pem"),
        "-verify_return_error",
    ]);
    let err = fetch_www(port, &Arc::new(client_config())).expect_err("must be refused");
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HandshakeFailure),
        "{}",
        server.log()
    );
    assert!(
        server.wait_for_text("peer did not return a certificate"),
        "{}",
        server.log()
    );
}

// ---------------------------------------------------------------------------
// GnuTLS
// ---------------------------------------------------------------------------

/// `gnutls-cli` connecting to our server on 127.0.0.1:`port`, checking the
/// name `localhost` against ca.pem, with `args` added; stdin closed at once.
fn gnutls_cli(port: u16, args: &[&str]) -> Proc {
    let mut cmd = Command::new("gnutls-cli");
    cmd.args(["--port", &port.to_string()])
        .args(["--x509cafile", &fixture_path("ca.pem")])
        .args([
            "--sni-hostname",
            "localhost",
            "--verify-hostname",
            "localhost",
        ])
        .args(args)
        .arg("127.0.0.1");
    let mut proc = Proc::spawn(cmd);
    proc.close_stdin();
    proc
}

/// `gnutls-serv --echo` on a free port, serving server-p256, with `args`.
/// `stdbuf` makes its output line-buffered, so we see it as it happens.
fn gnutls_serv(args: &[&str]) -> (Proc, u16) {
    gnutls_serv_echo("server-p256", |cmd| {
        cmd.args(args);
    })
}

/// `gnutls-cli --resume` (a full handshake, then a second connection
/// offering the session) against our server with `config`: returns
/// gnutls-cli's output after it checked the resumption, and the Session ID
/// lines it printed.
fn gnutls_cli_resume(config: ServerConfig, args: &[&str]) -> (String, Vec<String>) {
    let ours = our_server(config, 2);
    let mut all = vec!["--resume"];
    all.extend_from_slice(args);
    let mut cli = gnutls_cli(ours.port, &all);
    let status = cli.wait_exit();
    let runs = ours.join();
    assert!(status.success(), "{}\n{runs:#?}", cli.log());
    let text = cli.text();
    assert!(text.contains("- Handshake was completed"), "{}", cli.log());
    assert!(
        text.contains("- Resume Handshake was completed"),
        "{}",
        cli.log()
    );
    assert!(
        text.contains("*** This is a resumed session"),
        "{}",
        cli.log()
    );
    assert!(
        !text.contains("*** Previous session was NOT resumed"),
        "{}",
        cli.log()
    );
    assert_eq!(resumed_flags(&runs), [false, true]);
    let ids = text
        .lines()
        .filter(|l| l.starts_with("- Session ID: "))
        .map(str::to_string)
        .collect();
    (text, ids)
}

#[test]
fn gnutls_cli_resume_to_our_server() {
    // gnutls-cli's default priority offers TLS 1.3 too; we land on 1.2.
    gnutls_cli_resume(server_config("server-p256"), &[]);
}

#[test]
fn gnutls_cli_resume_by_session_id_to_our_server() {
    let mut config = server_config("server-p256");
    config.ticketer = None;
    let (_, ids) = gnutls_cli_resume(config, &["--priority", TLS12_ONLY]);
    // Both connections carry the session ID our server issued.
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(ids[0], ids[1]);
}

#[test]
fn gnutls_cli_resume_by_ticket_to_our_server() {
    let mut config = server_config("server-p256");
    config.session_cache = None;
    gnutls_cli_resume(config, &["--priority", TLS12_ONLY]);
}

/// Our client (one configuration) echoes a line through gnutls-serv twice.
fn resume_twice_with_gnutls_serv(args: &[&str]) -> Proc {
    let (server, port) = gnutls_serv(args);
    let config = Arc::new(client_config());
    let mut infos = Vec::new();
    for line in [&b"first connection\n"[..], b"second connection\n"] {
        let (info, got) = our_client(port, &config, |tls| echo(tls, line))
            .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
        assert_eq!(got, line);
        infos.push(info);
    }
    assert!(!infos[0].resumed);
    assert!(infos[1].resumed, "{}", server.log());
    assert_eq!(infos[1].cipher_suite, infos[0].cipher_suite);
    assert_eq!(infos[1].peer_certificates, infos[0].peer_certificates);
    server
}

/// gnutls-serv's own view: the first connection was new, the second resumed.
fn assert_serv_saw_one_resumption(server: &mut Proc) {
    // Each connection's summary ends with its `- Options:` line.
    assert!(
        server.wait_until(|text| text.matches("- Options:").count() >= 2),
        "{}",
        server.log()
    );
    let out = server.stdout_text();
    let accepted: Vec<usize> = out
        .match_indices("* Accepted connection from")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(accepted.len(), 2, "{}", server.log());
    let resumed: Vec<usize> = out
        .match_indices("*** This is a resumed session")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(resumed.len(), 1, "{}", server.log());
    assert!(resumed[0] > accepted[1], "{}", server.log());
}

#[test]
fn our_client_resumes_with_gnutls_serv() {
    let mut server = resume_twice_with_gnutls_serv(&["--priority", TLS12_ONLY]);
    assert!(
        server.wait_for_text("received cmd: second connection"),
        "{}",
        server.log()
    );
    assert_serv_saw_one_resumption(&mut server);
}

#[test]
fn our_client_resumes_with_gnutls_serv_no_ticket() {
    let mut server = resume_twice_with_gnutls_serv(&["--priority", TLS12_ONLY, "--noticket"]);
    assert!(
        server.wait_for_text("received cmd: second connection"),
        "{}",
        server.log()
    );
    assert_serv_saw_one_resumption(&mut server);
}

#[test]
fn gnutls_cli_client_cert_to_our_server() {
    let ours = our_server(server_requiring_client_certs("server-p256"), 1);
    let mut cli = gnutls_cli(
        ours.port,
        &[
            "--x509certfile",
            &fixture_path("client-p256.chain.pem"),
            "--x509keyfile",
            &fixture_path("client-p256.key"),
        ],
    );
    let status = cli.wait_exit();
    let runs = ours.join();
    assert!(status.success(), "{}\n{runs:#?}", cli.log());
    assert!(
        cli.text().contains("- Handshake was completed"),
        "{}",
        cli.log()
    );
    assert_eq!(runs[0].error, None, "{}", cli.log());
    assert_eq!(
        runs[0].info.as_ref().unwrap().peer_certificates,
        certs("client-p256.chain.pem")
    );
}

#[test]
fn gnutls_cli_without_cert_refused_by_our_server() {
    let ours = our_server(server_requiring_client_certs("server-p256"), 1);
    let mut cli = gnutls_cli(ours.port, &[]);
    let status = cli.wait_exit();
    let runs = ours.join();
    assert!(!status.success(), "{}", cli.log());
    assert!(
        cli.text()
            .contains("*** Received alert [40]: Handshake failed"),
        "{}",
        cli.log()
    );
    assert!(
        matches!(runs[0].error, Some(Error::HandshakeFailure(_))),
        "{runs:#?}"
    );
}

// ---------------------------------------------------------------------------
// rustls
// ---------------------------------------------------------------------------

fn rustls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn rustls_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for c in certs("ca.pem") {
        roots.add(c).unwrap();
    }
    roots
}

fn rustls_client_builder(
) -> rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert> {
    rustls::ClientConfig::builder_with_provider(rustls_provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(rustls_roots())
}

fn rustls_server_config() -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_provider(rustls_provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs("server-p256.chain.pem"), key("server-p256.key"))
        .unwrap()
}

/// A rustls client (`config`, shared by every connection) connects to our
/// server `conns` times, one after the other, echoing a line each time;
/// returns how rustls saw each handshake and our server's runs.
fn rustls_client_to_our_server(
    config: rustls::ClientConfig,
    server: ServerConfig,
    conns: usize,
) -> (Vec<Option<rustls::HandshakeKind>>, Vec<ServerRun>) {
    let ours = our_server(server, conns);
    let port = ours.port;
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let config = Arc::new(config);
        let mut kinds = Vec::new();
        for _ in 0..conns {
            let conn = rustls::ClientConnection::new(config.clone(), name("localhost")).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, connect(port));
            tls.write_all(b"ping\n").unwrap();
            let mut got = [0u8; 5];
            tls.read_exact(&mut got).unwrap();
            assert_eq!(&got, b"ping\n");
            kinds.push(tls.conn.handshake_kind());
            tls.conn.send_close_notify();
            tls.flush().unwrap();
            let mut rest = Vec::new();
            let _ = tls.read_to_end(&mut rest);
        }
        let _ = tx.send(kinds);
    });
    let runs = ours.join();
    let kinds = rx
        .recv_timeout(DEADLINE)
        .expect("the rustls thread panicked (see above) or did not finish");
    for run in &runs {
        assert_eq!(run.received, b"ping\n", "{runs:#?}");
        assert_eq!(run.late_error, None, "{runs:#?}");
    }
    (kinds, runs)
}

#[test]
fn rustls_client_resumes_with_our_server() {
    let config = rustls_client_builder().with_no_client_auth();
    let (kinds, runs) = rustls_client_to_our_server(config, server_config("server-p256"), 2);
    assert_eq!(resumed_flags(&runs), [false, true]);
    assert_eq!(
        kinds,
        [
            Some(rustls::HandshakeKind::Full),
            Some(rustls::HandshakeKind::Resumed)
        ]
    );
}

#[test]
fn rustls_client_cert_to_our_server() {
    let config = rustls_client_builder()
        .with_client_auth_cert(certs("client-p256.chain.pem"), key("client-p256.key"))
        .unwrap();
    let (kinds, runs) =
        rustls_client_to_our_server(config, server_requiring_client_certs("server-p256"), 1);
    assert_eq!(kinds, [Some(rustls::HandshakeKind::Full)]);
    assert_eq!(runs[0].error, None);
    assert_eq!(
        runs[0].info.as_ref().unwrap().peer_certificates,
        certs("client-p256.chain.pem")
    );
}

/// Our client (one configuration) connects to a rustls server (`config`)
/// twice, echoing a line each time; returns our view and rustls's.
fn our_client_to_rustls_server(
    config: rustls::ServerConfig,
) -> (Vec<HandshakeInfo>, Vec<Option<rustls::HandshakeKind>>) {
    let (listener, port) = listen();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let config = Arc::new(config);
        let mut kinds = Vec::new();
        for _ in 0..2 {
            let Some(sock) = accept_before_deadline(&listener) else {
                return;
            };
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, sock);
            let mut line = [0u8; 5];
            tls.read_exact(&mut line).unwrap();
            tls.write_all(&line).unwrap();
            kinds.push(tls.conn.handshake_kind());
            let mut rest = Vec::new();
            let _ = tls.read_to_end(&mut rest);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
        let _ = tx.send(kinds);
    });
    let config = Arc::new(client_config());
    let mut infos = Vec::new();
    for _ in 0..2 {
        let (info, got) = our_client(port, &config, |tls| echo(tls, b"ping\n")).unwrap();
        assert_eq!(got, b"ping\n");
        infos.push(info);
    }
    let kinds = rx
        .recv_timeout(DEADLINE)
        .expect("the rustls thread panicked (see above) or did not finish");
    (infos, kinds)
}

#[test]
fn our_client_resumes_with_rustls_server_session_storage() {
    // rustls's default ServerConfig keeps sessions in memory and issues no
    // tickets: resumption by session ID.
    let config = rustls_server_config();
    assert!(!config.ticketer.enabled());
    let (infos, kinds) = our_client_to_rustls_server(config);
    assert!(!infos[0].resumed);
    assert!(infos[1].resumed);
    assert_eq!(
        kinds,
        [
            Some(rustls::HandshakeKind::Full),
            Some(rustls::HandshakeKind::Resumed)
        ]
    );
}

#[test]
fn our_client_resumes_with_rustls_server_ticketer() {
    let mut config = rustls_server_config();
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    config.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let (infos, kinds) = our_client_to_rustls_server(config);
    assert!(!infos[0].resumed);
    assert!(infos[1].resumed);
    assert_eq!(
        kinds,
        [
            Some(rustls::HandshakeKind::Full),
            Some(rustls::HandshakeKind::Resumed)
        ]
    );
}
