//! Shared harness for the interop tests over loopback TCP: child processes
//! that are killed (and reaped) when dropped, waits with deadlines, free
//! ports, sockets with timeouts, and our server for one connection in a
//! thread.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tls12::pki_types::UnixTime;

use super::name;
use tls12::{
    ClientConfig, ClientConnection, Connection, Error, HandshakeInfo, ServerConfig,
    ServerConnection, Stream,
};

/// How long anything may take before the test gives up. Generous for a loaded
/// machine; a passing test normally takes a fraction of a second.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub const MIB: usize = 1 << 20;

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// A child process with its stdout and stderr collected by threads; killed
/// (and reaped) on drop.
pub struct Proc {
    what: String,
    pub child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    /// Dropping it lets a [`Proc::feed_stdin_keep_open`] thread close stdin.
    stdin_hold: Option<mpsc::Sender<()>>,
    /// A file the child writes its messages to ([`Proc::with_logfile`]).
    logfile: Option<PathBuf>,
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
    /// Starts `cmd` with its stdin a pipe (kept open until
    /// [`Proc::close_stdin`], a `feed_stdin*` call, or drop) and its output
    /// collected.
    pub fn spawn(cmd: Command) -> Self {
        let what = format!("{cmd:?}");
        Self::start(cmd, what, Stdio::piped())
    }

    /// [`Proc::spawn`] with stdin at end of file from the start.
    pub fn spawn_without_stdin(cmd: Command) -> Self {
        let what = format!("{cmd:?}");
        Self::start(cmd, what, Stdio::null())
    }

    /// Starts `cmd`, named `what` in messages, with `stdin`.
    pub fn start(mut cmd: Command, what: String, stdin: Stdio) -> Self {
        cmd.stdin(stdin)
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
            stdin_hold: None,
            logfile: None,
        }
    }

    /// Names the file the child writes its messages to (such as
    /// gnutls-cli's `--logfile`, which keeps stdout for application data):
    /// [`Proc::text`] and [`Proc::log`] include it, and it is removed on
    /// drop.
    pub fn with_logfile(mut self, path: PathBuf) -> Self {
        self.logfile = Some(path);
        self
    }

    /// What the child wrote to its log file so far (empty without one).
    pub fn logfile_text(&self) -> String {
        self.logfile
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    }

    /// The child sees end of file on stdin.
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// Writes `data` to the child's stdin from a thread (so a child that
    /// reads slowly or dies cannot block the test), then closes stdin.
    pub fn feed_stdin(&mut self, data: Vec<u8>) {
        let mut stdin = self.child.stdin.take().expect("stdin already closed");
        thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }

    /// Like [`feed_stdin`](Self::feed_stdin), but stdin stays open until the
    /// `Proc` is dropped: `s_server` ends the connection, without
    /// close_notify, when its stdin ends.
    pub fn feed_stdin_keep_open(&mut self, data: Vec<u8>) {
        let mut stdin = self.child.stdin.take().expect("stdin already closed");
        let (hold, released) = mpsc::channel::<()>();
        self.stdin_hold = Some(hold);
        thread::spawn(move || {
            if stdin.write_all(&data).is_ok() {
                let _ = released.recv(); // returns once the sender is dropped
            }
        });
    }

    /// Like [`feed_stdin`](Self::feed_stdin), but the stdin handle comes
    /// back through the returned channel once everything is written: the
    /// child sees end of file only when the test drops it.
    pub fn feed_stdin_handing_back(&mut self, data: Vec<u8>) -> mpsc::Receiver<ChildStdin> {
        let mut stdin = self.child.stdin.take().expect("stdin already taken");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            if stdin.write_all(&data).is_ok() {
                let _ = tx.send(stdin);
            }
        });
        rx
    }

    pub fn stdout_len(&self) -> usize {
        self.stdout.lock().unwrap().len()
    }

    pub fn stdout(&self) -> Vec<u8> {
        self.stdout.lock().unwrap().clone()
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Everything it printed (stdout, then stderr, then its log file if
    /// it has one), to assert on.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.stdout_text(),
            self.stderr_text(),
            self.logfile_text()
        )
    }

    /// Everything it printed, for assertion messages (shortened).
    pub fn log(&self) -> String {
        let mut log = format!(
            "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            shorten(&self.stdout_text()),
            shorten(&self.stderr_text())
        );
        if self.logfile.is_some() {
            log.push_str("\n--- log file ---\n");
            log.push_str(&shorten(&self.logfile_text()));
        }
        log
    }

    /// Whether the child has exited; once it has, all of its output is in.
    pub fn exited(&mut self) -> bool {
        if let Ok(Some(_)) = self.child.try_wait() {
            self.join_readers();
            return true;
        }
        false
    }

    /// Waits until what the child printed contains `needle` (true), or the
    /// child exits without printing it, or the deadline passes (false).
    pub fn wait_for_text(&mut self, needle: &str) -> bool {
        self.wait_until(|text| text.contains(needle))
    }

    /// Waits until what the child printed (stdout, then stderr) satisfies
    /// `done` (true), or the child exits without it, or the deadline passes
    /// (false). Output arrives through pipes read by threads, so a line
    /// seen on one stream says nothing of how far the other has been read.
    pub fn wait_until(&mut self, done: impl Fn(&str) -> bool) -> bool {
        let start = Instant::now();
        loop {
            if done(&self.text()) {
                return true;
            }
            if self.exited() {
                return done(&self.text());
            }
            if start.elapsed() > DEADLINE {
                return false;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for the child to exit (killing it at the deadline) and for all
    /// of its output.
    pub fn wait_exit(&mut self) -> ExitStatus {
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

    pub fn join_readers(&mut self) {
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stdin_hold = None;
        if let Some(path) = &self.logfile {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A path in the temporary directory no other test (or test process) uses,
/// for a child's log file: `tls12-{what}-{pid}-{n}.log`.
pub fn temp_log_path(what: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "tls12-{what}-{}-{}.log",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char
/// boundary (`str::floor_char_boundary` is unstable).
pub fn prefix(s: &str, max: usize) -> &str {
    let mut at = max.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    &s[..at]
}

/// `s` cut to 8000 bytes (on a char boundary) with its length noted.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 8000;
    if s.len() <= MAX {
        return s.to_string();
    }
    format!("{}…[{} bytes]", prefix(s, MAX), s.len())
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What a server child starting on a port shows so far.
pub enum Listening {
    /// It listens.
    Yes,
    /// Not yet.
    NotYet,
    /// Another process took the port first: try another.
    PortTaken,
}

/// Starts a server child (`start(port)`) on a free loopback port and waits
/// until `state` says it listens, rather than probing with a connection
/// (which would put a failed handshake in its log). If another process took
/// the port between our probe bind and the child's (`state` says so, or the
/// child exited with `port_taken(log)`), the child is killed and another
/// port tried. `what` names the child in failures.
pub fn start_listening(
    what: &str,
    mut start: impl FnMut(u16) -> Proc,
    mut state: impl FnMut(&Proc, u16) -> Listening,
    port_taken: impl Fn(&str) -> bool,
) -> (Proc, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut proc = start(port);
        let started = Instant::now();
        loop {
            match state(&proc, port) {
                Listening::Yes => return (proc, port),
                Listening::PortTaken => break, // lost the port race: next port
                Listening::NotYet => {}
            }
            if proc.exited() {
                let log = proc.log();
                if port_taken(&log) {
                    break; // lost the port race: next port
                }
                panic!("{what} exited before listening\n{log}");
            }
            if started.elapsed() > DEADLINE {
                panic!("{what} did not start listening\n{}", proc.log());
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
    panic!("could not start {what} on a free port");
}

/// `openssl s_server` on a free loopback port, with the arguments (and
/// environment) `configure` adds after `-accept`; it listens once it prints
/// ACCEPT, and a port another process took makes it exit with a bind error.
pub fn openssl_s_server(configure: impl Fn(&mut Command)) -> (Proc, u16) {
    start_listening(
        "s_server",
        |port| {
            let mut cmd = Command::new("openssl");
            cmd.arg("s_server")
                .args(["-accept", &format!("127.0.0.1:{port}")]);
            configure(&mut cmd);
            Proc::spawn(cmd)
        },
        |proc, _| {
            if contains(&proc.stdout(), b"ACCEPT") {
                Listening::Yes
            } else {
                Listening::NotYet
            }
        },
        |log| log.contains("in use") || log.contains("bind"),
    )
}

/// s_server's arguments for fixture `identity`: its certificate, its key
/// and the intermediate that issued it.
pub fn s_server_identity(cmd: &mut Command, identity: &str) {
    cmd.args(["-cert", &super::fixture_path(&format!("{identity}.pem"))])
        .args(["-key", &super::fixture_path(&format!("{identity}.key"))])
        .args(["-cert_chain", &super::fixture_path("inter.pem")]);
}

/// `gnutls-serv --echo` on a free port serving fixture `identity` (its
/// chain and key), with the arguments `configure` adds. `stdbuf` makes its
/// output line-buffered, so we see it as it happens, not when it is killed.
pub fn gnutls_serv_echo(identity: &str, configure: impl Fn(&mut Command)) -> (Proc, u16) {
    start_listening(
        "gnutls-serv",
        |port| {
            let mut cmd = Command::new("stdbuf");
            cmd.args(["-oL", "-eL", "gnutls-serv", "--echo"])
                .args(["--port", &port.to_string()])
                .args([
                    "--x509certfile",
                    &super::fixture_path(&format!("{identity}.chain.pem")),
                ])
                .args([
                    "--x509keyfile",
                    &super::fixture_path(&format!("{identity}.key")),
                ]);
            configure(&mut cmd);
            Proc::spawn(cmd)
        },
        gnutls_serv_listening,
        |_| false,
    )
}

/// What gnutls-serv's stderr says: listening once it printed
/// `listening on IPv4 0.0.0.0 port N...done`; a failed IPv4 bind means it
/// goes on with IPv6 only, so another port is tried.
pub fn gnutls_serv_listening(proc: &Proc, port: u16) -> Listening {
    let err = proc.stderr_text();
    if err.contains(&format!("listening on IPv4 0.0.0.0 port {port}...done")) {
        Listening::Yes
    } else if err.contains("IPv4") && err.contains("failed") {
        Listening::PortTaken
    } else {
        Listening::NotYet
    }
}

// ---------------------------------------------------------------------------
// Sockets
// ---------------------------------------------------------------------------

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A loopback listener on a free port, and the port.
pub fn listen() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// Read and write timeouts at the deadline, and no Nagle delay.
pub fn timeouts(sock: &TcpStream) {
    sock.set_read_timeout(Some(DEADLINE)).unwrap();
    sock.set_write_timeout(Some(DEADLINE)).unwrap();
    sock.set_nodelay(true).unwrap();
}

/// Connects to 127.0.0.1:`port`, retrying until the deadline; the socket
/// has timeouts.
pub fn connect(port: u16) -> TcpStream {
    let start = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(sock) => {
                timeouts(&sock);
                return sock;
            }
            Err(e) if start.elapsed() > DEADLINE => panic!("connect to port {port}: {e}"),
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Accepts one connection, or gives up at the deadline: a client that never
/// comes must not leave a thread blocked forever. The socket has timeouts.
pub fn accept_before_deadline(listener: &TcpListener) -> Option<TcpStream> {
    listener.set_nonblocking(true).unwrap();
    let start = Instant::now();
    loop {
        match listener.accept() {
            Ok((sock, _)) => {
                sock.set_nonblocking(false).unwrap();
                timeouts(&sock);
                return Some(sock);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if start.elapsed() > DEADLINE {
                    return None;
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// The tls12 error behind an I/O error from [`Stream`], or the connection's.
pub fn tls_error(conn: &Connection, e: &io::Error) -> Error {
    if let Some(err) = conn.error() {
        return err.clone();
    }
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(err) => err.clone(),
        None => panic!("I/O error that is not a TLS error: {e}"),
    }
}

/// Reads from `tls` until `want` bytes arrived in total.
pub fn read_exactly(tls: &mut Stream<'_, TcpStream>, want: usize) -> Vec<u8> {
    let mut got = vec![0u8; want];
    tls.read_exact(&mut got).unwrap_or_else(|e| {
        panic!("reading {want} bytes: {e}");
    });
    got
}

/// Deterministic pseudo-random bytes (xorshift64*).
pub fn pseudo_random(len: usize, mut seed: u64) -> Vec<u8> {
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

// ---------------------------------------------------------------------------
// Our server for one connection, in a thread
// ---------------------------------------------------------------------------

/// Our server thread: its port, and what it reports once done.
pub struct OurServer<R> {
    pub port: u16,
    result: mpsc::Receiver<R>,
}

impl<R> OurServer<R> {
    pub fn join(self) -> R {
        self.result
            .recv_timeout(DEADLINE + Duration::from_secs(5))
            .expect("our server thread panicked (see its message above) or did not finish in time")
    }
}

/// Runs our server (`config`, real time) for one connection in a thread:
/// accepts with a deadline (a client that never comes ends the thread; the
/// test's [`OurServer::join`] reports it), then hands `serve` a [`Stream`]
/// on the socket, which has timeouts; what `serve` returns is the report.
pub fn our_server_thread<R: Send + 'static>(
    config: ServerConfig,
    serve: impl FnOnce(&mut Stream<'_, TcpStream>) -> R + Send + 'static,
) -> OurServer<R> {
    let (listener, port) = listen();
    let (tx, result) = mpsc::channel();
    thread::spawn(move || {
        let Some(mut sock) = accept_before_deadline(&listener) else {
            return;
        };
        let mut conn = ServerConnection::new(Arc::new(config), UnixTime::now()).unwrap();
        let mut tls = Stream::new(&mut conn, &mut sock);
        let _ = tx.send(serve(&mut tls));
    });
    OurServer { port, result }
}

// ---------------------------------------------------------------------------
// Our client
// ---------------------------------------------------------------------------

/// Our client connects to `port`, completes the handshake (checking the
/// server's certificate for `server_name` at time `now`), then runs
/// `session` over the stream; the handshake error (typed) if it fails.
pub fn our_client_session<T>(
    port: u16,
    config: ClientConfig,
    server_name: &str,
    now: UnixTime,
    session: impl FnOnce(&mut Stream<'_, TcpStream>) -> T,
) -> Result<(HandshakeInfo, T), Error> {
    let mut sock = connect(port);
    let mut conn = ClientConnection::new(Arc::new(config), name(server_name), now).unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    if let Err(e) = tls.complete_handshake() {
        return Err(tls_error(tls.connection(), &e));
    }
    let info = tls.connection().handshake_info().unwrap().clone();
    let out = session(&mut tls);
    Ok((info, out))
}

// ---------------------------------------------------------------------------
// examples/server
// ---------------------------------------------------------------------------

/// The examples a test may run.
pub const EXAMPLES: [&str; 5] = ["server", "client", "mio_server", "tokio_client", "demo"];

/// The path of example `name`, built on first use (all of them in one cargo
/// run; a no-op when `cargo test` already built them).
pub fn example(name: &str) -> PathBuf {
    static BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let mut build = Command::new(env!("CARGO"));
        // The variables cargo sets for a test (CARGO_MANIFEST_DIR among them)
        // would look like a changed environment to the dependencies' build
        // scripts and rebuild them.
        for (var, _) in std::env::vars_os() {
            let var = var.to_string_lossy().into_owned();
            if var.starts_with("CARGO_") && var != "CARGO_HOME" && var != "CARGO_TARGET_DIR" {
                build.env_remove(var);
            }
        }
        build.args(["build", "--quiet"]);
        for example in EXAMPLES {
            build.args(["--example", example]);
        }
        let status = build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo build --example ...");
        assert!(status.success(), "building the examples failed");
    });
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("debug/examples")
        .join(name)
}

/// Waits for a server example's "listening on ADDR" line; its port.
pub fn listening_port(server: &mut Proc, what: &str) -> u16 {
    assert!(
        server.wait_for_text("listening on"),
        "{what} did not start: {}",
        server.log()
    );
    let text = server.stdout_text();
    text.split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {text:?}"))
}

/// `examples/server` on a free port with `args`, run from the crate's root;
/// returns it and its port.
pub fn example_server(args: &[&str]) -> (Proc, u16) {
    let mut cmd = Command::new(example("server"));
    cmd.args(["--listen", "127.0.0.1:0"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut server = Proc::spawn_without_stdin(cmd);
    let port = listening_port(&mut server, "examples/server");
    (server, port)
}
