//! The reusable core of `examples/mio_server.rs`: a single-threaded,
//! non-blocking TLS 1.2 server on mio serving many connections at once.
//!
//! Also compiled into `tests/event_loops.rs` (via `#[path]`), which runs the
//! same server in-process.
//!
//! Per connection the bytes flow through bounded buffers, so a slow or stuck
//! peer costs a bounded amount of memory and never blocks the others:
//!
//! ```text
//! socket -> inbuf (TLS bytes) -> receive() -> plaintext (library cap)
//!        -> unsent (plaintext to echo) -> send() -> pending_output (library cap) -> socket
//! ```
//!
//! When a stage is full the one before it stops: `send` accepting fewer bytes
//! leaves the rest in `unsent`, a full `unsent` leaves plaintext in the
//! connection, a full plaintext buffer makes `receive` consume less, and a
//! full `inbuf` stops reading from the socket.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use tls12::{Event, HandshakeInfo, ServerConfig, ServerConnection};

/// What the server does with the plaintext it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Send every byte back.
    Echo,
    /// Answer each HTTP/1.x request with a page showing what was negotiated.
    Http,
}

/// Counters, returned by [`Server::run`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted.
    pub accepted: usize,
    /// Connections whose handshake completed.
    pub handshakes: usize,
    /// Connections that ended with the peer's close_notify.
    pub clean_closes: usize,
    /// Connections that ended with an error (TLS or transport).
    pub failures: usize,
    /// Times `send` accepted less than offered (output at its cap).
    pub partial_sends: usize,
    /// Times `receive` stopped early (plaintext at its cap).
    pub receive_stalls: usize,
}

/// Stops a running [`Server`] from another thread.
#[derive(Clone)]
pub struct Stopper {
    flag: Arc<AtomicBool>,
    when_idle: Arc<AtomicBool>,
    waker: Arc<Waker>,
}

impl Stopper {
    /// Asks the server loop to return; it does so promptly, dropping any
    /// connections.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
    }

    /// Asks the server loop to return once no connection is left (it still
    /// accepts new ones meanwhile).
    pub fn stop_when_idle(&self) {
        self.when_idle.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
    }
}

const WAKER: Token = Token(0);
const LISTENER: Token = Token(1);
const FIRST_CONN: usize = 2;

/// TLS bytes read from the socket and not yet consumed by `receive`.
const INBUF_CAP: usize = 32 * 1024;
/// Echo plaintext taken from the connection but not yet accepted by `send`.
const UNSENT_CAP: usize = 64 * 1024;
/// Largest HTTP request head accepted.
const MAX_REQUEST: usize = 16 * 1024;
/// How long a closing connection may take to flush its last bytes.
const LINGER: Duration = Duration::from_secs(5);

/// The server: a listener, its connections and the poll that drives them.
pub struct Server {
    poll: Poll,
    listener: TcpListener,
    config: Arc<ServerConfig>,
    mode: Mode,
    verbose: bool,
    conns: HashMap<Token, Conn>,
    next_token: usize,
    stop: Arc<AtomicBool>,
    stop_when_idle: Arc<AtomicBool>,
    waker: Arc<Waker>,
    scratch: Vec<u8>,
    stats: Stats,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port; see [`local_addr`](Self::local_addr)).
    pub fn bind(addr: SocketAddr, config: Arc<ServerConfig>, mode: Mode) -> io::Result<Self> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let mut listener = TcpListener::bind(addr)?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        Ok(Self {
            poll,
            listener,
            config,
            mode,
            verbose: false,
            conns: HashMap::new(),
            next_token: FIRST_CONN,
            stop: Arc::new(AtomicBool::new(false)),
            stop_when_idle: Arc::new(AtomicBool::new(false)),
            waker,
            scratch: vec![0u8; 32 * 1024],
            stats: Stats::default(),
        })
    }

    /// Logs each connection's outcome to stderr.
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that makes [`run`](Self::run) return.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            flag: self.stop.clone(),
            when_idle: self.stop_when_idle.clone(),
            waker: self.waker.clone(),
        }
    }

    /// Serves until stopped. Only a failure of the poll itself ends it with
    /// an error; a failing connection is logged and dropped.
    pub fn run(&mut self) -> io::Result<Stats> {
        let mut events = Events::with_capacity(1024);
        loop {
            if self.stop.load(Ordering::SeqCst)
                || (self.stop_when_idle.load(Ordering::SeqCst) && self.conns.is_empty())
            {
                return Ok(self.stats);
            }
            match self.poll.poll(&mut events, Some(Duration::from_secs(1))) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                match event.token() {
                    WAKER => {}
                    LISTENER => self.accept(),
                    token => {
                        if let Some(conn) = self.conns.get_mut(&token) {
                            if event.is_readable() || event.is_read_closed() {
                                conn.can_read = true;
                            }
                            if event.is_writable() || event.is_write_closed() {
                                conn.can_write = true;
                            }
                        }
                        self.drive(token);
                    }
                }
            }
            self.reap_lingering();
        }
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((mut sock, peer)) => {
                    let tls = match ServerConnection::new(
                        self.config.clone(),
                        tls12::pki_types::UnixTime::now(),
                    ) {
                        Ok(tls) => tls,
                        Err(e) => {
                            self.log(peer, &format!("cannot start: {e}"));
                            continue;
                        }
                    };
                    let _ = sock.set_nodelay(true);
                    let token = Token(self.next_token);
                    self.next_token += 1;
                    if let Err(e) =
                        self.poll
                            .registry()
                            .register(&mut sock, token, Interest::READABLE)
                    {
                        self.log(peer, &format!("register: {e}"));
                        continue;
                    }
                    self.stats.accepted += 1;
                    self.conns
                        .insert(token, Conn::new(sock, peer, tls, self.verbose));
                    // Edge-triggered: whatever already arrived is read now.
                    self.drive(token);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // E.g. out of file descriptors: keep serving the others.
                    eprintln!("accept: {e}");
                    return;
                }
            }
        }
    }

    /// Moves bytes on one connection as far as they go, then drops it if it
    /// is finished.
    fn drive(&mut self, token: Token) {
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        let outcome = conn.drive(self.mode, &mut self.scratch, &mut self.stats);
        let done = match outcome {
            Ok(()) => conn.finished(),
            Err(e) => {
                conn.fail(e);
                conn.finished()
            }
        };
        if done {
            let conn = self.conns.remove(&token).expect("present");
            self.finish(conn);
        } else if let Err(e) = conn.update_interest(self.poll.registry(), token) {
            conn.fail(format!("register: {e}"));
            let conn = self.conns.remove(&token).expect("present");
            self.finish(conn);
        }
    }

    fn finish(&mut self, mut conn: Conn) {
        let _ = self.poll.registry().deregister(&mut conn.sock);
        let _ = conn.sock.shutdown(Shutdown::Write);
        if conn.tls.handshake_info().is_some() {
            self.stats.handshakes += 1;
        }
        match &conn.failure {
            Some(why) => {
                self.stats.failures += 1;
                self.log(conn.peer, why);
            }
            None => {
                if conn.tls.peer_closed() {
                    self.stats.clean_closes += 1;
                }
                self.log(conn.peer, "closed");
            }
        }
    }

    /// Drops closing connections that could not flush in time.
    fn reap_lingering(&mut self) {
        let now = Instant::now();
        let expired: Vec<Token> = self
            .conns
            .iter()
            .filter(|(_, c)| c.closing_since.is_some_and(|t| now - t > LINGER))
            .map(|(t, _)| *t)
            .collect();
        for token in expired {
            let mut conn = self.conns.remove(&token).expect("present");
            if conn.failure.is_none() {
                conn.failure = Some("peer did not take our last bytes in time".into());
            }
            self.finish(conn);
        }
    }

    fn log(&self, peer: SocketAddr, what: &str) {
        if self.verbose {
            eprintln!("{peer}: {what}");
        }
    }
}

/// One client.
struct Conn {
    sock: TcpStream,
    peer: SocketAddr,
    tls: ServerConnection,
    /// TLS bytes read and not yet consumed by `receive`.
    inbuf: Vec<u8>,
    /// Plaintext waiting for `send` to accept it (echo replies, HTTP answers).
    unsent: Vec<u8>,
    /// HTTP mode: the request bytes not yet answered.
    request: Vec<u8>,
    /// HTTP mode: close once `unsent` has gone out.
    close_after_unsent: bool,
    /// The last readiness seen says the socket may have more to read (mio is
    /// edge-triggered: we must read until WouldBlock before waiting again).
    can_read: bool,
    can_write: bool,
    /// The peer's end of file was seen.
    read_eof: bool,
    /// No more reading or sending: flush what is queued, then drop.
    closing_since: Option<Instant>,
    /// Why the connection failed, if it did.
    failure: Option<String>,
    /// Interest currently registered.
    writable_registered: bool,
    verbose: bool,
}

impl Conn {
    fn new(sock: TcpStream, peer: SocketAddr, tls: ServerConnection, verbose: bool) -> Self {
        Self {
            sock,
            peer,
            tls,
            inbuf: Vec::with_capacity(INBUF_CAP),
            unsent: Vec::new(),
            request: Vec::new(),
            close_after_unsent: false,
            can_read: true,
            can_write: true,
            read_eof: false,
            closing_since: None,
            failure: None,
            writable_registered: false,
            verbose,
        }
    }

    fn closing(&self) -> bool {
        self.closing_since.is_some()
    }

    fn start_closing(&mut self) {
        if self.closing_since.is_none() {
            self.closing_since = Some(Instant::now());
        }
    }

    /// Records a failure: stop everything but flushing what is queued (the
    /// alert, if the library queued one).
    fn fail(&mut self, why: String) {
        if self.failure.is_none() {
            self.failure = Some(why);
        }
        self.start_closing();
    }

    /// Done: closing and nothing left to write, or the transport is gone.
    fn finished(&self) -> bool {
        self.closing() && (!self.tls.wants_write() || self.failure_is_transport())
    }

    fn failure_is_transport(&self) -> bool {
        self.failure
            .as_deref()
            .is_some_and(|f| f.starts_with("transport"))
    }

    /// Runs every stage until none makes progress.
    fn drive(&mut self, mode: Mode, scratch: &mut [u8], stats: &mut Stats) -> Result<(), String> {
        loop {
            let mut progress = false;
            if !self.closing() {
                progress |= self.read_socket(scratch)?;
                progress |= self.feed(stats)?;
                self.handle_events();
                progress |= self.application(mode, stats)?;
            }
            progress |= self.write_socket()?;
            if !self.closing() && self.read_eof && (self.inbuf.is_empty() || self.tls.peer_closed())
            {
                // End of file: fine after close_notify, truncation otherwise.
                if !self.tls.peer_closed() {
                    let e = self.tls.eof().err().map(|e| e.to_string());
                    return Err(format!(
                        "end of file without close_notify: {}",
                        e.unwrap_or_default()
                    ));
                }
                self.start_closing();
                progress = true;
            }
            if !progress {
                return Ok(());
            }
        }
    }

    /// Reads until WouldBlock, end of file or a full `inbuf`.
    fn read_socket(&mut self, scratch: &mut [u8]) -> Result<bool, String> {
        let mut progress = false;
        while self.can_read && !self.read_eof && self.inbuf.len() < INBUF_CAP {
            let room = (INBUF_CAP - self.inbuf.len()).min(scratch.len());
            match self.sock.read(&mut scratch[..room]) {
                Ok(0) => {
                    self.read_eof = true;
                    progress = true;
                }
                Ok(n) => {
                    self.inbuf.extend_from_slice(&scratch[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.can_read = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.read_eof = true;
                    return Err(format!("transport: read: {e}"));
                }
            }
        }
        Ok(progress)
    }

    /// Offers `inbuf` to the connection.
    fn feed(&mut self, stats: &mut Stats) -> Result<bool, String> {
        if self.inbuf.is_empty() || self.tls.peer_closed() {
            return Ok(false);
        }
        match self.tls.receive(&self.inbuf) {
            Ok(used) => {
                self.inbuf.drain(..used);
                if self.tls.peer_closed() {
                    // Nothing after close_notify counts.
                    self.inbuf.clear();
                } else if !self.inbuf.is_empty() {
                    // Back-pressure: offered again once plaintext is taken.
                    stats.receive_stalls += 1;
                }
                Ok(used > 0)
            }
            Err(e) => {
                self.inbuf.clear();
                Err(format!("TLS error: {e} (alert sent: {:?})", e.alert()))
            }
        }
    }

    fn handle_events(&mut self) {
        while let Some(event) = self.tls.next_event() {
            match event {
                Event::PeerClosed => {
                    // The library queued our close_notify in reply; pending
                    // writes are discarded (RFC 5246 §7.2.1).
                    self.unsent.clear();
                    self.start_closing();
                }
                Event::HandshakeComplete if self.verbose => {
                    if let Some(info) = self.tls.handshake_info() {
                        eprintln!("{}: negotiated {}", self.peer, describe(info));
                    }
                }
                Event::WarningAlert(alert) if self.verbose => {
                    eprintln!("{}: warning alert {alert:?}", self.peer);
                }
                _ => {}
            }
        }
    }

    /// Moves plaintext from the connection back into it (echo) or answers
    /// requests (HTTP), respecting every cap.
    fn application(&mut self, mode: Mode, stats: &mut Stats) -> Result<bool, String> {
        let mut progress = false;
        loop {
            let mut step = false;
            if !self.unsent.is_empty() && !self.closing() {
                let n = self
                    .tls
                    .send(&self.unsent)
                    .map_err(|e| format!("TLS error: send: {e}"))?;
                if n < self.unsent.len() {
                    // The rest stays in `unsent` until output drains.
                    stats.partial_sends += 1;
                }
                self.unsent.drain(..n);
                step |= n > 0;
            }
            if self.unsent.is_empty() && self.close_after_unsent && !self.closing() {
                self.tls.close();
                self.start_closing();
                return Ok(true);
            }
            let available = self.tls.plaintext().len();
            if available > 0 && !self.close_after_unsent {
                match mode {
                    Mode::Echo => {
                        let n = available.min(UNSENT_CAP.saturating_sub(self.unsent.len()));
                        if n > 0 {
                            self.unsent.extend_from_slice(&self.tls.plaintext()[..n]);
                            self.tls.consume_plaintext(n);
                            step = true;
                        }
                    }
                    Mode::Http if self.unsent.len() < UNSENT_CAP => {
                        self.request.extend_from_slice(self.tls.plaintext());
                        self.tls.consume_plaintext(available);
                        self.answer_requests()?;
                        step = true;
                    }
                    Mode::Http => {}
                }
            }
            if !step {
                return Ok(progress);
            }
            progress = true;
        }
    }

    /// HTTP mode: answers every complete request head in `request`.
    fn answer_requests(&mut self) -> Result<(), String> {
        while let Some((head_len, used)) = header_end(&self.request) {
            let head = String::from_utf8_lossy(&self.request[..head_len]).into_owned();
            self.request.drain(..used);
            let first = head.lines().next().unwrap_or("");
            let close = head.to_ascii_lowercase().contains("connection: close")
                || first.ends_with("HTTP/1.0");
            let body = match self.tls.handshake_info() {
                Some(info) => page(info, first),
                None => String::from("no handshake\n"),
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n{}\r\n{}",
                body.len(),
                if close { "Connection: close\r\n" } else { "" },
                body
            );
            self.unsent.extend_from_slice(response.as_bytes());
            if close {
                self.close_after_unsent = true;
                self.request.clear();
                return Ok(());
            }
        }
        if self.request.len() > MAX_REQUEST {
            return Err("HTTP request head too large".into());
        }
        Ok(())
    }

    /// Writes pending output until it is gone or the socket would block.
    fn write_socket(&mut self) -> Result<bool, String> {
        let mut progress = false;
        while self.can_write && self.tls.wants_write() {
            match self.sock.write(self.tls.pending_output()) {
                Ok(0) => return Err("transport: write returned 0".into()),
                Ok(n) => {
                    self.tls.consume_output(n);
                    progress = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.can_write = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.can_write = false;
                    return Err(format!("transport: write: {e}"));
                }
            }
        }
        Ok(progress)
    }

    /// READABLE always (unless closing); WRITABLE only while output waits.
    fn update_interest(&mut self, registry: &Registry, token: Token) -> io::Result<()> {
        let want_write = self.tls.wants_write();
        if want_write != self.writable_registered {
            let interest = if want_write {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            registry.reregister(&mut self.sock, token, interest)?;
            self.writable_registered = want_write;
        }
        Ok(())
    }
}

/// Where a request header ends, if `buf` holds all of it: the length of its
/// lines (the last one's line end included) and the length up to and
/// including the blank line that ends it. A line ends in CRLF or, as
/// RFC 9112 §2.2 lets a recipient accept, a bare LF (`str::lines` reads
/// both), so the blank line is found as an LF followed by LF or CRLF.
fn header_end(buf: &[u8]) -> Option<(usize, usize)> {
    buf.iter().enumerate().find_map(|(i, &b)| {
        if b != b'\n' {
            return None;
        }
        match &buf[i + 1..] {
            [b'\n', ..] => Some((i + 1, i + 2)),
            [b'\r', b'\n', ..] => Some((i + 1, i + 3)),
            _ => None,
        }
    })
}

/// One line describing what was negotiated.
pub fn describe(info: &HandshakeInfo) -> String {
    format!(
        "{:?} {:?} group={:?} sig={:?} alpn={:?} sni={:?} ems={}",
        info.version,
        info.cipher_suite,
        info.group,
        info.signature_scheme,
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy),
        info.server_name,
        info.extended_master_secret
    )
}

fn page(info: &HandshakeInfo, request_line: &str) -> String {
    format!(
        "<html><body><h1>tls12 (mio)</h1><pre>\nrequest:    {}\nprotocol:   {:?}\ncipher:     {:?}\ngroup:      {:?}\nsignature:  {:?}\nalpn:       {:?}\nsni:        {:?}\nextended master secret: {}\n</pre></body></html>\n",
        request_line.replace('&', "&amp;").replace('<', "&lt;"),
        info.version,
        info.cipher_suite,
        info.group,
        info.signature_scheme,
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy),
        info.server_name,
        info.extended_master_secret
    )
}
