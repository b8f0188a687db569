//! The event-loop examples under load: the mio server (examples/mio_server/)
//! run in-process against 200 concurrent clients, and the tokio adapter
//! (examples/tokio_adapter/) as client and as server.

mod common;

#[path = "../examples/mio_server/server.rs"]
#[allow(dead_code)]
mod mio_server;
#[path = "../examples/tokio_adapter/mod.rs"]
#[allow(dead_code)]
mod tokio_adapter;

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::now;
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use tls12::{
    CertificateError, ClientConfig, ClientConnection, Error, Event, ServerConfig, ServerConnection,
    Stream,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use mio_server::{Mode, Server, Stats, Stopper};
use tokio_adapter::TlsStream;

// ---------------------------------------------------------------- fixtures

fn server_config() -> Arc<ServerConfig> {
    Arc::new(common::server_config("server-p256"))
}

fn client_config_with(ca: &str) -> Arc<ClientConfig> {
    Arc::new(ClientConfig::new(common::roots_from(ca)))
}

fn client_config() -> Arc<ClientConfig> {
    client_config_with("ca.pem")
}

fn client(config: &Arc<ClientConfig>) -> ClientConnection {
    ClientConnection::new(config.clone(), common::name("localhost"), now()).unwrap()
}

/// SplitMix64: deterministic, seeded per connection.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-ish in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len + 8);
        while v.len() < len {
            v.extend_from_slice(&self.next().to_le_bytes());
        }
        v.truncate(len);
        v
    }
}

// ------------------------------------------------- the mio server, in-process

/// The mio server on a thread; stopped and joined on drop (or by `stop`).
struct RunningServer {
    addr: SocketAddr,
    stopper: Stopper,
    thread: Option<JoinHandle<io::Result<Stats>>>,
}

impl RunningServer {
    fn start(mode: Mode) -> Self {
        let mut server =
            Server::bind("127.0.0.1:0".parse().unwrap(), server_config(), mode).unwrap();
        let addr = server.local_addr().unwrap();
        let stopper = server.stopper();
        let thread = std::thread::spawn(move || server.run());
        Self {
            addr,
            stopper,
            thread: Some(thread),
        }
    }

    /// Waits (bounded) until every connection is finished on the server's
    /// side too, then stops the server and returns its counters.
    fn stop_when_idle(mut self) -> Stats {
        self.stopper.stop_when_idle();
        let thread = self.thread.take().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !thread.is_finished() {
            assert!(Instant::now() < deadline, "server never went idle");
            std::thread::sleep(Duration::from_millis(10));
        }
        thread.join().expect("server thread panicked").unwrap()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stopper.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Stops the server once it has finished with every connection (a moment
/// after the clients did) and checks how many it accepted.
fn stop_when(server: RunningServer, expected_conns: usize) -> Stats {
    let stats = server.stop_when_idle();
    assert_eq!(stats.accepted, expected_conns, "{stats:?}");
    stats
}

// ------------------------------------------------ 200 clients on one mio loop

const CONNECTIONS: usize = 200;
const MAX_PAYLOAD: usize = 256 * 1024;
/// Every LAZY_EVERY-th client is lazy and sends 6 to 8 MiB: loopback
/// sockets buffer about 4 MiB each way before pushing back.
const LAZY_EVERY: usize = 40;
const LAZY_MIN: Duration = Duration::from_millis(300);
const LAZY_MAX: Duration = Duration::from_secs(5);
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// One client of the load test, driven by the test's own mio loop.
struct LoadClient {
    sock: TcpStream,
    tls: ClientConnection,
    rng: Rng,
    /// What this client sends, and expects back byte for byte.
    data: Vec<u8>,
    /// Plaintext accepted by `send`.
    sent: usize,
    /// Plaintext echoed back and checked.
    received: usize,
    inbuf: Vec<u8>,
    /// After the handshake, sends but reads nothing until its writes have
    /// been blocked for a while (the server stopped reading) or all is sent:
    /// makes the server hit every cap and exercise its back-pressure.
    lazy: bool,
    /// When the handshake completed, for a lazy client.
    lazy_since: Option<Instant>,
    /// Since when our writes would block.
    blocked_since: Option<Instant>,
    can_read: bool,
    can_write: bool,
    eof: bool,
    close_sent: bool,
    peer_closed: bool,
    writable_registered: bool,
}

impl LoadClient {
    /// A lazy client starts reading after LAZY_MIN once the server has
    /// clearly stopped taking its data or it sent everything, and after
    /// LAZY_MAX anyway.
    fn lazy_over(&self, now: Instant) -> bool {
        let Some(since) = self.lazy_since else {
            return false;
        };
        let stalled = self
            .blocked_since
            .is_some_and(|t| now - t >= Duration::from_millis(100));
        let all_sent = self.sent == self.data.len() && !self.tls.wants_write();
        (now - since >= LAZY_MIN && (stalled || all_sent)) || now - since >= LAZY_MAX
    }

    fn done(&self) -> bool {
        self.peer_closed && self.eof && !self.tls.wants_write()
    }

    fn drive(&mut self, id: usize) -> Result<(), String> {
        loop {
            let mut progress = false;

            // Plaintext in, random offer sizes; `send` may accept fewer.
            if self.sent < self.data.len() && !self.close_sent {
                let offer = self
                    .rng
                    .range(1, 48 * 1024)
                    .min(self.data.len() - self.sent);
                let n = self
                    .tls
                    .send(&self.data[self.sent..self.sent + offer])
                    .map_err(|e| format!("send: {e}"))?;
                self.sent += n;
                progress |= n > 0;
            }

            // TLS out, in random-sized writes (the server sees partial records).
            while self.can_write && self.tls.wants_write() {
                let out = self.tls.pending_output();
                let k = self.rng.range(1, 24 * 1024).min(out.len());
                match self.sock.write(&out[..k]) {
                    Ok(0) => return Err("write returned 0".into()),
                    Ok(n) => {
                        self.tls.consume_output(n);
                        self.blocked_since = None;
                        progress = true;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.can_write = false;
                        self.blocked_since.get_or_insert_with(Instant::now);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(format!("write: {e}")),
                }
            }

            if self.lazy && !self.tls.is_handshaking() && self.lazy_since.is_none() {
                self.lazy_since = Some(Instant::now());
            }
            let lazy = self.lazy && self.lazy_since.is_some();

            // TLS in, in random-sized reads, until the socket would block.
            while self.can_read && !self.eof && !lazy {
                let mut buf = vec![0u8; self.rng.range(1, 24 * 1024)];
                match self.sock.read(&mut buf) {
                    Ok(0) => {
                        self.eof = true;
                        progress = true;
                    }
                    Ok(n) => {
                        self.inbuf.extend_from_slice(&buf[..n]);
                        progress = true;
                        self.feed(id)?;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.can_read = false,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(format!("read: {e}")),
                }
            }
            self.feed(id)?;

            // Everything came back: close, then expect the server's close_notify.
            if self.received == self.data.len() && !self.close_sent {
                self.tls.close();
                self.close_sent = true;
                progress = true;
            }
            if self.eof && !self.peer_closed {
                return Err(format!(
                    "end of file before close_notify ({} of {} bytes back): {:?}",
                    self.received,
                    self.data.len(),
                    self.tls.eof()
                ));
            }
            if !progress {
                return Ok(());
            }
        }
    }

    /// Feeds `inbuf`, then reads the plaintext in random-sized pieces and
    /// checks it against what was sent.
    fn feed(&mut self, id: usize) -> Result<(), String> {
        loop {
            let used = if self.inbuf.is_empty() || self.tls.peer_closed() {
                0
            } else {
                let used = self
                    .tls
                    .receive(&self.inbuf)
                    .map_err(|e| format!("receive: {e}"))?;
                self.inbuf.drain(..used);
                used
            };
            while let Some(ev) = self.tls.next_event() {
                if ev == Event::PeerClosed {
                    if self.received != self.data.len() {
                        return Err(format!(
                            "server closed early: {} of {} bytes back",
                            self.received,
                            self.data.len()
                        ));
                    }
                    self.peer_closed = true;
                }
            }
            let mut drained = 0;
            while !self.tls.plaintext().is_empty() {
                let mut buf = vec![0u8; self.rng.range(1, 20 * 1024)];
                let n = self.tls.read(&mut buf);
                let want = self.data.get(self.received..self.received + n);
                if want != Some(&buf[..n]) {
                    return Err(format!(
                        "connection {id}: echoed bytes differ at offset {}",
                        self.received
                    ));
                }
                self.received += n;
                drained += n;
            }
            if used == 0 && drained == 0 {
                return Ok(());
            }
        }
    }
}

#[test]
fn mio_server_echoes_200_concurrent_connections() {
    let started = Instant::now();
    let server = RunningServer::start(Mode::Echo);
    let config = client_config();

    let mut poll = Poll::new().unwrap();
    let mut clients = HashMap::new();
    let mut total = 0usize;
    for id in 0..CONNECTIONS {
        let mut rng = Rng(0x5eed_0000 + id as u64);
        let lazy = id % LAZY_EVERY == 0;
        let len = if lazy {
            rng.range(6 << 20, 8 << 20)
        } else {
            rng.range(1, MAX_PAYLOAD)
        };
        total += len;
        let data = rng.bytes(len);
        let std_sock = std::net::TcpStream::connect(server.addr).unwrap();
        std_sock.set_nonblocking(true).unwrap();
        std_sock.set_nodelay(true).unwrap();
        let mut sock = TcpStream::from_std(std_sock);
        poll.registry()
            .register(&mut sock, Token(id), Interest::READABLE)
            .unwrap();
        clients.insert(
            id,
            LoadClient {
                sock,
                tls: client(&config),
                rng,
                data,
                sent: 0,
                received: 0,
                inbuf: Vec::new(),
                lazy,
                lazy_since: None,
                blocked_since: None,
                can_read: true,
                can_write: true,
                eof: false,
                close_sent: false,
                peer_closed: false,
                writable_registered: false,
            },
        );
    }

    // Kick every client once (ClientHello and the first data), then react.
    let ids: Vec<usize> = clients.keys().copied().collect();
    let mut to_drive = ids;
    let mut events = Events::with_capacity(1024);
    let mut finished = 0;
    loop {
        for id in to_drive.drain(..) {
            let Some(c) = clients.get_mut(&id) else {
                continue;
            };
            if let Err(e) = c.drive(id) {
                panic!("client {id}: {e}");
            }
            if c.done() {
                assert_eq!(c.received, c.data.len());
                assert_eq!(c.tls.eof(), Ok(()), "client {id}: EOF after close_notify");
                let mut c = clients.remove(&id).unwrap();
                poll.registry().deregister(&mut c.sock).unwrap();
                finished += 1;
                continue;
            }
            let want_write = c.tls.wants_write();
            if want_write != c.writable_registered {
                let interest = if want_write {
                    Interest::READABLE | Interest::WRITABLE
                } else {
                    Interest::READABLE
                };
                poll.registry()
                    .reregister(&mut c.sock, Token(id), interest)
                    .unwrap();
                c.writable_registered = want_write;
            }
        }
        if clients.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < TIME_LIMIT,
            "timed out: {finished} of {CONNECTIONS} connections finished"
        );
        poll.poll(&mut events, Some(Duration::from_millis(50)))
            .unwrap();
        let now = Instant::now();
        for (id, c) in clients.iter_mut() {
            if c.lazy && c.lazy_over(now) {
                c.lazy = false;
                to_drive.push(*id);
            }
        }
        for ev in events.iter() {
            let id = ev.token().0;
            if let Some(c) = clients.get_mut(&id) {
                if ev.is_readable() || ev.is_read_closed() {
                    c.can_read = true;
                }
                if ev.is_writable() || ev.is_write_closed() {
                    c.can_write = true;
                }
                to_drive.push(id);
            }
        }
    }
    assert_eq!(finished, CONNECTIONS);

    let stats = stop_when(server, CONNECTIONS);
    assert_eq!(stats.handshakes, CONNECTIONS, "{stats:?}");
    assert_eq!(stats.clean_closes, CONNECTIONS, "{stats:?}");
    assert_eq!(stats.failures, 0, "{stats:?}");
    // The lazy clients made the server keep unsent plaintext and stop
    // consuming input.
    assert!(stats.partial_sends > 0, "{stats:?}");
    assert!(stats.receive_stalls > 0, "{stats:?}");
    eprintln!(
        "{CONNECTIONS} connections, {:.1} MiB echoed, in {:?}: {stats:?}",
        total as f64 / (1024.0 * 1024.0),
        started.elapsed()
    );
}

// ------------------------------------- failures do not stop the mio server

#[test]
fn mio_server_survives_failing_connections_and_serves_http() {
    let server = RunningServer::start(Mode::Http);

    // 1. Not TLS at all: the server answers with a fatal alert record.
    let mut raw = std::net::TcpStream::connect(server.addr).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = raw.read_to_end(&mut answer);
    assert_eq!(answer.first(), Some(&21), "an alert record: {answer:?}");
    drop(raw);

    // 2. Connect and go away.
    drop(std::net::TcpStream::connect(server.addr).unwrap());

    // 3. A client that does not trust the server's CA.
    let mut sock = std::net::TcpStream::connect(server.addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut conn = client(&client_config_with("other-ca.pem"));
    let mut tls = Stream::new(&mut conn, &mut sock);
    assert!(tls.complete_handshake().is_err());
    assert_eq!(
        conn.error(),
        Some(&Error::Certificate(CertificateError::UnknownIssuer))
    );
    drop(sock);

    // 4. Then a good HTTP client, with the server still serving.
    let mut sock = std::net::TcpStream::connect(server.addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut conn = client(&client_config());
    let mut tls = Stream::new(&mut conn, &mut sock);
    tls.write_all(b"GET /first HTTP/1.1\r\nHost: localhost\r\n\r\nGET /second HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut page = Vec::new();
    tls.read_to_end(&mut page).unwrap();
    let page = String::from_utf8(page).unwrap();
    assert_eq!(page.matches("HTTP/1.1 200 OK").count(), 2, "{page}");
    assert!(page.contains("GET /first HTTP/1.1"), "{page}");
    assert!(page.contains("GET /second HTTP/1.1"), "{page}");
    assert!(page.contains("extended master secret: true"), "{page}");
    assert!(conn.peer_closed());

    let stats = stop_when(server, 4);
    assert_eq!(stats.failures, 3, "{stats:?}");
    assert_eq!(stats.handshakes, 1, "{stats:?}");
}

// ---------------------------------------------------------- the tokio adapter

/// Sends `data` through `tls` in random-sized writes while reading the echo
/// back in random-sized reads; then closes and expects the peer's
/// close_notify (a clean `Ok(0)`).
async fn echo_through<C>(mut tls: TlsStream<C, tokio::net::TcpStream>, seed: u64)
where
    C: std::ops::DerefMut<Target = tls12::Connection> + Unpin,
{
    let mut rng = Rng(seed);
    let len = rng.range(1, 300 * 1024);
    let data = rng.bytes(len);
    let mut wrng = Rng(seed ^ 0xffff);
    let mut rrng = Rng(seed ^ 0xaaaa);

    tls.handshake().await.unwrap();
    assert!(tls.connection().handshake_info().is_some());
    let (mut reader, mut writer) = tokio::io::split(tls);
    let write = async {
        let mut at = 0;
        while at < data.len() {
            let n = wrng.range(1, 40 * 1024).min(data.len() - at);
            writer.write_all(&data[at..at + n]).await.unwrap();
            at += n;
        }
        writer.flush().await.unwrap();
    };
    let read = async {
        let mut got = 0;
        let mut buf = vec![0u8; 32 * 1024];
        while got < data.len() {
            let k = rrng.range(1, buf.len());
            let n = reader.read(&mut buf[..k]).await.unwrap();
            assert!(n > 0, "end of stream after {got} of {} bytes", data.len());
            assert_eq!(&buf[..n], &data[got..got + n], "at offset {got}");
            got += n;
        }
    };
    tokio::join!(write, read);
    let mut tls = reader.unsplit(writer);
    tls.shutdown().await.unwrap();
    let mut rest = [0u8; 16];
    assert_eq!(tls.read(&mut rest).await.unwrap(), 0, "clean end of stream");
    assert!(tls.connection().peer_closed());
}

#[tokio::test]
async fn tokio_clients_against_mio_server() {
    let server = RunningServer::start(Mode::Echo);
    let config = client_config();
    let clients = (0..20u64).map(|i| {
        let conn = client(&config);
        let addr = server.addr;
        async move {
            let sock = tokio::net::TcpStream::connect(addr).await.unwrap();
            echo_through(TlsStream::new(conn, sock), 0x70c1_0000 + i).await;
        }
    });
    let all = async {
        for task in clients.map(tokio::spawn).collect::<Vec<_>>() {
            task.await.unwrap();
        }
    };
    tokio::time::timeout(TIME_LIMIT, all)
        .await
        .expect("tokio clients timed out");
    let stats = stop_when(server, 20);
    assert_eq!(stats.clean_closes, 20, "{stats:?}");
    assert_eq!(stats.failures, 0, "{stats:?}");
}

#[tokio::test]
async fn tokio_client_against_tokio_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sconfig = server_config();
    const CLIENTS: u64 = 10;
    let server = tokio::spawn(async move {
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let (sock, _) = listener.accept().await.unwrap();
            let conn =
                ServerConnection::new(sconfig.clone(), tls12::pki_types::UnixTime::now()).unwrap();
            tasks.push(tokio::spawn(async move {
                let mut tls = TlsStream::new(conn, sock);
                tls.handshake().await.unwrap();
                // Echo until the client's close_notify, then answer it.
                let mut buf = vec![0u8; 20 * 1024];
                let mut total = 0;
                loop {
                    let n = tls.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    tls.write_all(&buf[..n]).await.unwrap();
                    total += n;
                }
                tls.shutdown().await.unwrap();
                total
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        total
    });
    let config = client_config();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let conn = client(&config);
            tokio::spawn(async move {
                let sock = tokio::net::TcpStream::connect(addr).await.unwrap();
                echo_through(TlsStream::new(conn, sock), 0x70c2_0000 + i).await;
            })
        })
        .collect();
    let all = async {
        for c in clients {
            c.await.unwrap();
        }
        server.await.unwrap()
    };
    let echoed = tokio::time::timeout(TIME_LIMIT, all)
        .await
        .expect("timed out");
    assert!(echoed > 0);
}

#[tokio::test]
async fn tokio_client_reports_bad_certificate() {
    let server = RunningServer::start(Mode::Echo);
    let sock = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut tls = TlsStream::new(client(&client_config_with("other-ca.pem")), sock);
    let err = tokio::time::timeout(TIME_LIMIT, tls.handshake())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{err}");
    assert_eq!(
        tls.connection().error(),
        Some(&Error::Certificate(CertificateError::UnknownIssuer))
    );
    drop(tls);
    let stats = stop_when(server, 1);
    assert_eq!(stats.failures, 1, "{stats:?}");
}
