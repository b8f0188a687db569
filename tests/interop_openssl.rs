//! Interop with OpenSSL's `openssl` command (`s_server` and `s_client`) over
//! loopback TCP: every suite both ways, groups, TLS 1.3-capable clients, bulk
//! data, ALPN, and failures as the other side sees them.
//!
//! Every child process is owned by a [`Proc`], which kills it when dropped,
//! and every wait has a deadline, so a misbehaving peer fails a test instead
//! of hanging it.

mod common;

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{certs, client_config, fixture_path, key, name};
use tls12::pki_types::UnixTime;
use tls12::{
    AlertDescription, CertificateError, CipherSuite, ClientConfig, ClientConnection, Connection,
    Error, HandshakeInfo, NamedGroup, ProtocolVersion, ServerConfig, ServerConnection, Stream,
};

/// How long anything may take before the test gives up. Generous for a loaded
/// machine; a passing test normally takes a fraction of a second.
const DEADLINE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// `openssl`, or a clear failure when it is missing.
fn openssl() -> Command {
    static VERSION: OnceLock<Result<String, String>> = OnceLock::new();
    let version = VERSION.get_or_init(|| {
        match Command::new("openssl")
            .arg("version")
            .stdin(Stdio::null())
            .output()
        {
            Ok(out) if out.status.success() => {
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
            Ok(out) => Err(format!("`openssl version` failed: {:?}", out.status)),
            Err(e) => Err(format!("cannot run `openssl`: {e}")),
        }
    });
    if let Err(e) = version {
        panic!(
            "these interop tests need OpenSSL's `openssl` command on PATH \
             (CI installs it; e.g. `apt-get install openssl`): {e}"
        );
    }
    Command::new("openssl")
}

/// A child process with its stdout and stderr collected by threads; killed
/// (and reaped) on drop.
struct Proc {
    what: String,
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

fn collect(mut from: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => into.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}

impl Proc {
    fn spawn(mut cmd: Command) -> Self {
        let what = format!("{cmd:?}");
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(child.stdout.take().unwrap(), stdout.clone()),
            collect(child.stderr.take().unwrap(), stderr.clone()),
        ];
        Self {
            what,
            child,
            stdout,
            stderr,
            readers,
        }
    }

    /// Writes `data` to the child's stdin from a thread (so a child that
    /// reads slowly or dies cannot block the test), then closes stdin.
    fn feed_stdin(&mut self, data: Vec<u8>) {
        let mut stdin = self.child.stdin.take().expect("stdin already closed");
        thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }

    fn stdout(&self) -> Vec<u8> {
        self.stdout.lock().unwrap().clone()
    }

    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout()).into_owned()
    }

    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Everything it printed (stdout, then stderr), to assert on.
    fn text(&self) -> String {
        format!("{}\n{}", self.stdout_text(), self.stderr_text())
    }

    /// Everything it printed, for assertion messages (stdout shortened).
    fn log(&self) -> String {
        let out = self.stdout_text();
        let out = if out.len() > 8000 {
            format!("{}…[{} bytes]", prefix(&out, 8000), out.len())
        } else {
            out
        };
        format!(
            "{}\n--- stdout ---\n{out}\n--- stderr ---\n{}",
            self.what,
            self.stderr_text()
        )
    }

    /// Waits for the child to exit (killing it at the deadline) and for all
    /// of its output.
    fn wait_exit(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.join_readers();
                return status;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                let _ = self.child.wait();
                self.join_readers();
                panic!("did not exit within {DEADLINE:?}\n{}", self.log());
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    fn join_readers(&mut self) {
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char
/// boundary (`str::floor_char_boundary` is unstable).
fn prefix(s: &str, max: usize) -> &str {
    let mut at = max.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    &s[..at]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------
// openssl s_server, and our client against it
// ---------------------------------------------------------------------------

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `openssl s_server` for one connection (`-naccept 1`) on a free loopback
/// port, serving `identity` (leaf + intermediate), with `args` added.
///
/// s_server prints `ACCEPT` once it is listening; we wait for that rather than
/// probing with a connection, which would use up `-naccept 1` and put a failed
/// handshake in its log. If another process took the port between our probe
/// bind and s_server's, s_server exits and we try another port.
fn s_server(identity: &str, args: &[&str]) -> (Proc, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut cmd = openssl();
        cmd.arg("s_server")
            .args(["-accept", &format!("127.0.0.1:{port}"), "-naccept", "1"])
            .args(["-cert", &fixture_path(&format!("{identity}.pem"))])
            .args(["-key", &fixture_path(&format!("{identity}.key"))])
            .args(["-cert_chain", &fixture_path("inter.pem")])
            .args(args);
        let mut proc = Proc::spawn(cmd);
        let start = Instant::now();
        loop {
            if contains(&proc.stdout(), b"ACCEPT") {
                return (proc, port);
            }
            if let Ok(Some(_)) = proc.child.try_wait() {
                proc.join_readers();
                let log = proc.log();
                if log.contains("in use") || log.contains("bind") {
                    break; // lost the port race: next port
                }
                panic!("s_server exited before listening\n{log}");
            }
            if start.elapsed() > DEADLINE {
                panic!("s_server did not start listening\n{}", proc.log());
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
    panic!("could not start s_server on a free port");
}

fn connect(port: u16) -> TcpStream {
    let start = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(sock) => {
                sock.set_read_timeout(Some(DEADLINE)).unwrap();
                sock.set_write_timeout(Some(DEADLINE)).unwrap();
                sock.set_nodelay(true).unwrap();
                return sock;
            }
            Err(e) if start.elapsed() > DEADLINE => panic!("connect to port {port}: {e}"),
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// The tls12 error behind an I/O error from [`Stream`], or the connection's.
fn tls_error(conn: &Connection, e: &io::Error) -> Error {
    if let Some(err) = conn.error() {
        return err.clone();
    }
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(err) => err.clone(),
        None => panic!("I/O error that is not a TLS error: {e}"),
    }
}

/// Our client's handshake with `port`, then `exchange` over the stream; the
/// handshake error (typed) if it fails.
fn our_client<T>(
    port: u16,
    config: ClientConfig,
    server_name: &str,
    exchange: impl FnOnce(&mut Stream<'_, TcpStream>) -> T,
) -> Result<(HandshakeInfo, T), Error> {
    let mut sock = connect(port);
    let mut conn =
        ClientConnection::new(Arc::new(config), name(server_name), UnixTime::now()).unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    if let Err(e) = tls.complete_handshake() {
        drop(tls);
        return Err(tls_error(&conn, &e));
    }
    let info = tls.connection().handshake_info().unwrap().clone();
    let out = exchange(&mut tls);
    tls.close().unwrap();
    drop(tls);
    Ok((info, out))
}

/// Reads from `tls` until `want` bytes arrived in total.
fn read_exactly(tls: &mut Stream<'_, TcpStream>, want: usize) -> Vec<u8> {
    let mut got = vec![0u8; want];
    tls.read_exact(&mut got).unwrap_or_else(|e| {
        panic!("reading {want} bytes: {e}");
    });
    got
}

/// Sends one line to `s_server -rev` and returns its answer (the line
/// reversed, with a newline).
fn rev_line(tls: &mut Stream<'_, TcpStream>, line: &str) -> String {
    tls.write_all(format!("{line}\n").as_bytes()).unwrap();
    String::from_utf8(read_exactly(tls, line.len() + 1)).unwrap()
}

fn reversed(line: &str) -> String {
    line.chars().rev().collect()
}

fn suite_by_openssl_name(openssl: &str) -> (CipherSuite, &'static str) {
    match openssl {
        "ECDHE-ECDSA-AES128-GCM-SHA256" => (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "server-p256",
        ),
        "ECDHE-ECDSA-AES256-GCM-SHA384" => (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            "server-p256",
        ),
        "ECDHE-ECDSA-CHACHA20-POLY1305" => (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            "server-p256",
        ),
        "ECDHE-RSA-AES128-GCM-SHA256" => (
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-rsa2048",
        ),
        "ECDHE-RSA-AES256-GCM-SHA384" => (
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            "server-rsa2048",
        ),
        "ECDHE-RSA-CHACHA20-POLY1305" => (
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            "server-rsa2048",
        ),
        other => panic!("unknown suite {other}"),
    }
}

/// Our client (offering everything) against `s_server -tls1_2 -cipher
/// <suite> -rev`, plus `extra` s_server arguments: checks what was negotiated
/// and a line both ways.
fn our_client_vs_s_server(openssl_suite: &str, extra: &[&str]) -> HandshakeInfo {
    let (suite, identity) = suite_by_openssl_name(openssl_suite);
    let mut args = vec!["-tls1_2", "-cipher", openssl_suite, "-rev"];
    args.extend_from_slice(extra);
    let (mut server, port) = s_server(identity, &args);

    let line = format!("hello from tls12 over {openssl_suite}");
    let (info, answers) = our_client(port, client_config(), "localhost", |tls| {
        [rev_line(tls, &line), rev_line(tls, "second line")]
    })
    .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));

    assert_eq!(answers[0], format!("{}\n", reversed(&line)));
    assert_eq!(answers[1], "enil dnoces\n");
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(info.cipher_suite, suite);
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert_eq!(info.peer_certificates.len(), 2, "leaf + intermediate");
    assert_eq!(info.alpn_protocol, None);

    // s_server saw the same connection and, after our close_notify, ended.
    assert!(server.wait_exit().success(), "{}", server.log());
    let log = server.text();
    assert!(log.contains("Protocol version: TLSv1.2"), "{log}");
    assert!(
        log.contains(&format!("Ciphersuite: {openssl_suite}")),
        "{log}"
    );
    assert!(log.contains("CONNECTION CLOSED"), "{log}");
    info
}

fn our_client_suite(openssl_suite: &str) {
    let info = our_client_vs_s_server(openssl_suite, &[]);
    // OpenSSL's default group preference puts x25519 first.
    assert_eq!(info.group, Some(NamedGroup::X25519));
}

#[test]
fn our_client_to_s_server_ecdhe_ecdsa_aes128_gcm_sha256() {
    our_client_suite("ECDHE-ECDSA-AES128-GCM-SHA256");
}

#[test]
fn our_client_to_s_server_ecdhe_ecdsa_aes256_gcm_sha384() {
    our_client_suite("ECDHE-ECDSA-AES256-GCM-SHA384");
}

#[test]
fn our_client_to_s_server_ecdhe_ecdsa_chacha20_poly1305() {
    our_client_suite("ECDHE-ECDSA-CHACHA20-POLY1305");
}

#[test]
fn our_client_to_s_server_ecdhe_rsa_aes128_gcm_sha256() {
    our_client_suite("ECDHE-RSA-AES128-GCM-SHA256");
}

#[test]
fn our_client_to_s_server_ecdhe_rsa_aes256_gcm_sha384() {
    our_client_suite("ECDHE-RSA-AES256-GCM-SHA384");
}

#[test]
fn our_client_to_s_server_ecdhe_rsa_chacha20_poly1305() {
    our_client_suite("ECDHE-RSA-CHACHA20-POLY1305");
}

#[test]
fn our_client_to_s_server_group_p256() {
    let info = our_client_vs_s_server("ECDHE-ECDSA-AES128-GCM-SHA256", &["-groups", "P-256"]);
    assert_eq!(info.group, Some(NamedGroup::Secp256r1));
}

#[test]
fn our_client_to_s_server_group_p384() {
    let info = our_client_vs_s_server("ECDHE-RSA-AES256-GCM-SHA384", &["-groups", "P-384"]);
    assert_eq!(info.group, Some(NamedGroup::Secp384r1));
}

// ---------------------------------------------------------------------------
// Our echo server, and openssl s_client against it
// ---------------------------------------------------------------------------

/// What our server thread saw.
#[derive(Debug)]
struct ServerRun {
    info: Option<HandshakeInfo>,
    /// The handshake's error, typed.
    error: Option<Error>,
    /// The bytes it read (and echoed).
    echoed: Vec<u8>,
}

struct OurServer {
    port: u16,
    result: mpsc::Receiver<ServerRun>,
}

impl OurServer {
    fn join(self) -> ServerRun {
        self.result
            .recv_timeout(DEADLINE + Duration::from_secs(5))
            .expect("our server thread panicked (see its message above) or did not finish in time")
    }
}

fn server_config(identity: &str) -> ServerConfig {
    ServerConfig::new(
        certs(&format!("{identity}.chain.pem")),
        key(&format!("{identity}.key")),
    )
    .unwrap()
}

/// Runs our server for one connection in a thread: it completes the
/// handshake, reads until `expect` bytes have arrived, writes them all back,
/// sends close_notify and waits for the peer to go away.
///
/// Reading everything before echoing keeps bulk transfers deadlock-free:
/// s_client (single-threaded, blocking socket) may be stuck writing to us
/// while we would be stuck writing to it.
fn our_server(config: ServerConfig, expect: usize) -> OurServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, result) = mpsc::channel();
    thread::spawn(move || {
        // Accept with a deadline: a client that never comes must not leave
        // this thread blocked forever.
        listener.set_nonblocking(true).unwrap();
        let start = Instant::now();
        let mut sock = loop {
            match listener.accept() {
                Ok((sock, _)) => break sock,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if start.elapsed() > DEADLINE {
                        return; // the test's recv_timeout reports it
                    }
                    thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        sock.set_nonblocking(false).unwrap();
        sock.set_read_timeout(Some(DEADLINE)).unwrap();
        sock.set_write_timeout(Some(DEADLINE)).unwrap();
        sock.set_nodelay(true).unwrap();
        let mut conn = ServerConnection::new(Arc::new(config), UnixTime::now()).unwrap();
        let mut tls = Stream::new(&mut conn, &mut sock);
        let mut run = ServerRun {
            info: None,
            error: None,
            echoed: Vec::new(),
        };
        if let Err(e) = tls.complete_handshake() {
            drop(tls);
            run.error = Some(tls_error(&conn, &e));
            let _ = tx.send(run);
            return;
        }
        run.info = tls.connection().handshake_info().cloned();
        let mut buf = vec![0u8; 64 * 1024];
        while run.echoed.len() < expect {
            match tls.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => run.echoed.extend_from_slice(&buf[..n]),
                Err(e) => panic!("our server reading: {e}"),
            }
        }
        tls.write_all(&run.echoed).unwrap();
        tls.close().unwrap();
        // Wait for the peer's close_notify or EOF, so it reads everything
        // before the socket goes away.
        while let Ok(n) = tls.read(&mut buf) {
            if n == 0 {
                break;
            }
        }
        let _ = tx.send(run);
    });
    OurServer { port, result }
}

/// `openssl s_client` connecting to our server on `port`, trusting ca.pem and
/// checking the name `localhost`, with `args` added.
fn s_client(port: u16, args: &[&str]) -> Proc {
    let mut cmd = openssl();
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-CAfile", &fixture_path("ca.pem")])
        .args(args);
    Proc::spawn(cmd)
}

/// s_client (with `-ign_eof`, so it keeps reading after its stdin ends)
/// sends a line to our echo server, which echoes it and closes; returns
/// s_client's stdout and our server's view.
fn s_client_echo(server: ServerConfig, args: &[&str]) -> (String, ServerRun) {
    let line = b"ping from openssl s_client\n".to_vec();
    let ours = our_server(server, line.len());
    let mut client = s_client(ours.port, args);
    client.feed_stdin(line.clone());
    let status = client.wait_exit();
    let run = ours.join();
    let out = client.stdout_text();
    assert!(status.success(), "{}\nour server: {run:?}", client.log());
    assert_eq!(run.error, None);
    assert_eq!(run.echoed, line);
    // The echo arrives after the session summary.
    let summary_end = out.find("Extended master secret").expect("no summary");
    assert!(
        out[summary_end..].contains("ping from openssl s_client\n"),
        "{}",
        client.log()
    );
    assert!(out.contains("Verification: OK"), "{}", client.log());
    assert!(
        out.contains("Verify return code: 0 (ok)"),
        "{}",
        client.log()
    );
    assert!(
        out.contains("Extended master secret: yes"),
        "{}",
        client.log()
    );
    (out, run)
}

fn s_client_suite(openssl_suite: &str) {
    let (suite, identity) = suite_by_openssl_name(openssl_suite);
    let (out, run) = s_client_echo(
        server_config(identity),
        &["-tls1_2", "-cipher", openssl_suite, "-ign_eof"],
    );
    assert!(out.contains("Protocol  : TLSv1.2"), "{out}");
    assert!(
        out.contains(&format!("Cipher    : {openssl_suite}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("New, TLSv1.2, Cipher is {openssl_suite}")),
        "{out}"
    );
    let info = run.info.unwrap();
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(info.cipher_suite, suite);
    assert_eq!(info.group, Some(NamedGroup::X25519));
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert_eq!(info.server_name.as_deref(), Some("localhost"));
    assert!(info.peer_certificates.is_empty(), "no client certificate");
}

#[test]
fn s_client_to_our_server_ecdhe_ecdsa_aes128_gcm_sha256() {
    s_client_suite("ECDHE-ECDSA-AES128-GCM-SHA256");
}

#[test]
fn s_client_to_our_server_ecdhe_ecdsa_aes256_gcm_sha384() {
    s_client_suite("ECDHE-ECDSA-AES256-GCM-SHA384");
}

#[test]
fn s_client_to_our_server_ecdhe_ecdsa_chacha20_poly1305() {
    s_client_suite("ECDHE-ECDSA-CHACHA20-POLY1305");
}

#[test]
fn s_client_to_our_server_ecdhe_rsa_aes128_gcm_sha256() {
    s_client_suite("ECDHE-RSA-AES128-GCM-SHA256");
}

#[test]
fn s_client_to_our_server_ecdhe_rsa_aes256_gcm_sha384() {
    s_client_suite("ECDHE-RSA-AES256-GCM-SHA384");
}

#[test]
fn s_client_to_our_server_ecdhe_rsa_chacha20_poly1305() {
    s_client_suite("ECDHE-RSA-CHACHA20-POLY1305");
}

#[test]
fn default_s_client_offering_tls13_lands_on_tls12() {
    // No -tls1_2: OpenSSL 3 offers TLS 1.3 (supported_versions, key_share)
    // and TLS 1.2. It also checks the RFC 8446 §4.1.3 downgrade sentinel, so
    // this fails if our server wrongly claims to know TLS 1.3.
    let (out, run) = s_client_echo(server_config("server-p256"), &["-ign_eof"]);
    assert!(out.contains("Protocol  : TLSv1.2"), "{out}");
    assert!(
        out.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-"),
        "{out}"
    );
    let info = run.info.unwrap();
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert!(info.extended_master_secret);
}

// ---------------------------------------------------------------------------
// 1 MiB each way
// ---------------------------------------------------------------------------

/// Deterministic pseudo-random bytes (xorshift64*).
fn pseudo_random(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

const MIB: usize = 1 << 20;

#[test]
fn bulk_1mib_binary_s_client_to_our_echo_server() {
    // s_client -quiet prints only the data it receives, so its stdout must be
    // exactly the 1 MiB it sent (binary, every byte value).
    let data = pseudo_random(MIB, 0x5eed_1234_abcd_0001);
    let ours = our_server(server_config("server-rsa2048"), data.len());
    let mut client = s_client(
        ours.port,
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "-quiet",
        ],
    );
    client.feed_stdin(data.clone());
    let status = client.wait_exit();
    let run = ours.join();
    assert!(status.success(), "{}", client.log());
    assert_eq!(run.error, None);
    assert_eq!(run.echoed.len(), MIB);
    assert!(run.echoed == data, "our server received corrupted data");
    let got = client.stdout();
    assert_eq!(got.len(), MIB, "{}", client.stderr_text());
    assert!(got == data, "s_client received corrupted data");
    assert_eq!(
        run.info.unwrap().cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    );
}

#[test]
fn bulk_1mib_text_our_client_to_s_server_rev() {
    // s_server has no binary echo mode: -rev is line-based text (it reverses
    // each line), so we send 1 MiB as 16384 lines of 63 printable characters
    // + '\n' and expect each reversed. We write 16 KiB, then read its 16 KiB
    // of answers, so neither side can block the other on a full socket.
    const LINE: usize = 64;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut data: Vec<u8> = pseudo_random(MIB, 0x0ddb_a11c_afe0_0002)
        .into_iter()
        .map(|b| alphabet[(b & 63) as usize])
        .collect();
    for line in data.chunks_mut(LINE) {
        line[LINE - 1] = b'\n';
    }
    let mut expected = Vec::with_capacity(MIB);
    for line in data.chunks(LINE) {
        expected.extend(line[..LINE - 1].iter().rev());
        expected.push(b'\n');
    }

    let (mut server, port) = s_server(
        "server-p256",
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            "-rev",
        ],
    );
    let (info, got) = our_client(port, client_config(), "localhost", |tls| {
        let mut got = Vec::with_capacity(MIB);
        for chunk in data.chunks(16 * 1024) {
            tls.write_all(chunk).unwrap();
            got.extend(read_exactly(tls, chunk.len()));
        }
        got
    })
    .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert_eq!(got.len(), MIB);
    assert!(got == expected, "reversed lines differ");
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
    );
    assert!(server.wait_exit().success(), "{}", server.log());
}

// ---------------------------------------------------------------------------
// ALPN
// ---------------------------------------------------------------------------

#[test]
fn alpn_s_client_h2_to_our_server() {
    let mut config = server_config("server-p256");
    config.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let (out, run) = s_client_echo(config, &["-tls1_2", "-alpn", "h2", "-ign_eof"]);
    assert!(out.contains("ALPN protocol: h2"), "{out}");
    assert_eq!(run.info.unwrap().alpn_protocol.as_deref(), Some(&b"h2"[..]));
}

#[test]
fn alpn_our_client_to_s_server_http11() {
    let (mut server, port) = s_server("server-p256", &["-tls1_2", "-alpn", "http/1.1", "-rev"]);
    let mut config = client_config();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let (info, answer) = our_client(port, config, "localhost", |tls| rev_line(tls, "alpn"))
        .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert_eq!(answer, "npla\n");
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert!(server.wait_exit().success(), "{}", server.log());
    let log = server.text();
    assert!(
        log.contains("ALPN protocols advertised by the client: h2, http/1.1"),
        "{log}"
    );
}

// ---------------------------------------------------------------------------
// Failures, as the peer sees them
// ---------------------------------------------------------------------------

#[test]
fn s_client_tls11_refused_by_our_server() {
    // OpenSSL 3 disables TLS 1.1 at the default security level;
    // SECLEVEL=0 lets s_client really offer it.
    let ours = our_server(server_config("server-p256"), 1);
    let mut client = s_client(
        ours.port,
        &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-ign_eof"],
    );
    client.feed_stdin(Vec::new());
    let status = client.wait_exit();
    let run = ours.join();
    assert!(!status.success(), "{}", client.log());
    assert!(
        client.text().contains("tlsv1 alert protocol version"),
        "{}",
        client.log()
    );
    assert!(
        client.text().contains("SSL alert number 70"),
        "{}",
        client.log()
    );
    assert_eq!(
        run.error,
        Some(Error::UnsupportedVersion {
            peer: ProtocolVersion::Tls11
        })
    );
    assert!(run.info.is_none());
}

#[test]
fn our_client_against_tls11_only_s_server() {
    // Our ClientHello says TLS 1.2 and offers only AEAD suites, which exist
    // only in TLS 1.2. A TLS 1.1-only OpenSSL server first picks TLS 1.1 (the
    // highest version both speak, RFC 5246 Appendix E.1), then finds none of
    // our suites usable at that version and aborts with handshake_failure
    // ("no shared cipher") before any ServerHello. So the peer never gets to
    // name TLS 1.1 in a ServerHello (which we would answer with
    // UnsupportedVersion + protocol_version), nor does it send a
    // protocol_version alert: our client's precise error is the alert it
    // received.
    let (mut server, port) = s_server(
        "server-p256",
        &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-rev"],
    );
    let err =
        our_client(port, client_config(), "localhost", |_| ()).expect_err("handshake must fail");
    server.wait_exit();
    let log = server.text();
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HandshakeFailure),
        "{log}"
    );
    assert!(log.contains("no shared cipher"), "{log}");
    assert!(!log.contains("CONNECTION ESTABLISHED"), "{log}");
}

#[test]
fn our_client_rejects_wrong_name_and_s_server_sees_bad_certificate() {
    let (mut server, port) = s_server("server-p256", &["-tls1_2", "-rev"]);
    let err = our_client(port, client_config(), "wrong.example", |_| ())
        .expect_err("handshake must fail");
    assert_eq!(
        err,
        Error::Certificate(CertificateError::NotValidForName {
            expected: "wrong.example".into()
        })
    );
    assert_eq!(err.alert(), Some(AlertDescription::BadCertificate));
    server.wait_exit();
    let log = server.text();
    assert!(log.contains("sslv3 alert bad certificate"), "{log}");
    assert!(log.contains("SSL alert number 42"), "{log}");
    assert!(!log.contains("CONNECTION ESTABLISHED"), "{log}");
}
