//! Interop with Python 3's stdlib `ssl` module (OpenSSL underneath) over
//! loopback TCP, with inline scripts run by `python3 -c`: a TLS 1.3-offering
//! Python client against our echo server, a Python server against our
//! client, and failures as Python reports them.
//!
//! Every child process is owned by a [`Proc`], which kills it when dropped,
//! and every wait has a deadline, so a misbehaving peer fails a test instead
//! of hanging it.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use common::peer::{
    our_client_session, our_server_thread, pseudo_random, tls_error, OurServer, Proc, DEADLINE, MIB,
};
use common::{client_config, fixture_path, hex, server_config};
use tls12::pki_types::UnixTime;
use tls12::{
    AlertDescription, CertificateError, CipherSuite, ClientConfig, Error, HandshakeInfo,
    NamedGroup, ProtocolVersion, ServerConfig, SignatureScheme, Stream,
};

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// `python3 -c <script> <args>`, or a clear failure when python3 is missing.
fn python(script: &str, args: &[&str]) -> Command {
    static VERSION: OnceLock<Result<String, String>> = OnceLock::new();
    let version = VERSION.get_or_init(|| {
        match Command::new("python3")
            .args([
                "-c",
                "import ssl, sys; print(sys.version.split()[0], ssl.OPENSSL_VERSION)",
            ])
            .stdin(Stdio::null())
            .output()
        {
            Ok(out) if out.status.success() => {
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
            Ok(out) => Err(format!(
                "`python3 -c 'import ssl'` failed: {:?} {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )),
            Err(e) => Err(format!("cannot run `python3`: {e}")),
        }
    });
    if let Err(e) = version {
        panic!(
            "these interop tests need `python3` (3.7+, with the ssl module) on PATH \
             (CI installs it; e.g. `apt-get install python3`): {e}"
        );
    }
    let mut cmd = Command::new("python3");
    // -u: unbuffered, so `port=` lines arrive at once.
    cmd.arg("-u").arg("-c").arg(script).args(args);
    cmd
}

/// Starts a [`python`] command with stdin at end of file. The script
/// itself is long; the process is named by its arguments.
fn spawn_python(cmd: Command) -> Proc {
    let what = format!("python3 {:?}", cmd.get_args().skip(3).collect::<Vec<_>>());
    Proc::start(cmd, what, Stdio::null())
}

/// The `key=value` lines `proc` printed on stdout.
fn report(proc: &Proc) -> Report {
    Report::parse(&proc.stdout_text(), proc.log())
}

/// Waits until `proc` printed a `key=value` line with this key; its value.
fn wait_for(proc: &mut Proc, key: &str) -> String {
    let start = Instant::now();
    loop {
        if let Some(v) = report(proc).get(key) {
            return v;
        }
        if proc.exited() {
            panic!("exited before printing {key}=\n{}", proc.log());
        }
        if start.elapsed() > DEADLINE {
            panic!("did not print {key}= within {DEADLINE:?}\n{}", proc.log());
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// The `key=value` lines a script printed.
struct Report {
    values: HashMap<String, String>,
    log: String,
}

impl Report {
    fn parse(stdout: &str, log: String) -> Self {
        let values = stdout
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Self { values, log }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }

    /// The value, or a failure showing everything the script printed.
    fn val(&self, key: &str) -> &str {
        self.values
            .get(key)
            .unwrap_or_else(|| panic!("python printed no {key}=\n{}", self.log))
    }
}

// ---------------------------------------------------------------------------
// Our echo server, and a Python client against it
// ---------------------------------------------------------------------------

/// What our server thread saw.
#[derive(Debug)]
struct ServerRun {
    info: Option<HandshakeInfo>,
    /// The handshake's error, typed.
    error: Option<Error>,
    /// How many bytes it echoed, and their SHA-256.
    echoed_len: usize,
    echoed_sha256: String,
    /// Whether the peer's close_notify ended the echo loop.
    peer_closed: bool,
    /// Whether our server sent close_notify first (after `close_after`
    /// bytes) and then read the peer's answer.
    we_closed_first: bool,
}

/// Our echo server for one connection, in a thread: it completes the
/// handshake, echoes each chunk as it arrives until the peer's close_notify
/// (answered with ours by [`Stream`]), and reports what it saw.
fn our_echo_server(config: ServerConfig) -> OurServer<ServerRun> {
    our_echo_server_closing(config, None)
}

/// [`our_echo_server`], but with `close_after` it sends close_notify first
/// once it has echoed that many bytes, then reads until the peer's answer.
fn our_echo_server_closing(
    config: ServerConfig,
    close_after: Option<usize>,
) -> OurServer<ServerRun> {
    our_server_thread(config, move |tls| {
        let mut run = ServerRun {
            info: None,
            error: None,
            echoed_len: 0,
            echoed_sha256: String::new(),
            peer_closed: false,
            we_closed_first: false,
        };
        if let Err(e) = tls.complete_handshake() {
            run.error = Some(tls_error(tls.connection(), &e));
            return run;
        }
        run.info = tls.connection().handshake_info().cloned();
        let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if Some(run.echoed_len) == close_after && !run.we_closed_first {
                tls.close().unwrap();
                run.we_closed_first = true;
            }
            match tls.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    assert!(!run.we_closed_first, "data after our close_notify");
                    hash.update(&buf[..n]);
                    run.echoed_len += n;
                    tls.write_all(&buf[..n]).unwrap();
                }
                Err(e) => panic!("our server reading: {e}"),
            }
        }
        run.peer_closed = tls.connection().peer_closed();
        run.echoed_sha256 = hex(hash.finish().as_ref());
        run
    })
}

/// Python client: connects to 127.0.0.1:PORT with SNI HOST (also the name it
/// verifies), trusting CA; MODE `tls11` limits it to TLS 1.1; offers ALPN
/// (comma-separated, may be empty); CIPHERS (if not empty) is its only
/// OpenSSL cipher string, with TLS 1.2 as its maximum; CURVE (if not empty)
/// goes to set_ecdh_curve(), which with OpenSSL 3 sets the groups a client
/// offers too (SSL_CTX_set1_groups). Then it echoes a 1-byte and a BIG-byte
/// message through the server in 64 KiB steps (so neither side can block the
/// other on a full socket). CLOSER `python`: it closes with unwrap(), which
/// sends close_notify and waits for ours; `ours`: it waits for our
/// close_notify (recv() returns b'' only for a real one, since
/// suppress_ragged_eofs=False), then answers it with unwrap().
const PY_CLIENT: &str = r#"
import hashlib, random, socket, ssl, sys
port, ca, mode, alpn, big = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ciphers, curve, closer, host = sys.argv[6], sys.argv[7], sys.argv[8], sys.argv[9]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
if mode == 'tls11':
    ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
    ctx.minimum_version = ssl.TLSVersion.TLSv1_1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
if ciphers:
    ctx.set_ciphers(ciphers)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
if curve:
    ctx.set_ecdh_curve(curve)
if alpn:
    ctx.set_alpn_protocols(alpn.split(','))
print('maximum_version=' + ctx.maximum_version.name)
raw = socket.create_connection(('127.0.0.1', port), timeout=20)
raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
try:
    s = ctx.wrap_socket(raw, server_hostname=host, suppress_ragged_eofs=False)
except ssl.SSLError as e:
    print('error_class=' + type(e).__name__)
    print('error_reason=' + str(e.reason))
    print('error=' + str(e))
    sys.exit(3)
print('version=' + s.version())
print('cipher=' + s.cipher()[0])
print('cipher_version=' + s.cipher()[1])
print('alpn=' + str(s.selected_alpn_protocol()))
def echo(data):
    got = bytearray()
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        s.sendall(chunk)
        want = len(got) + len(chunk)
        while len(got) < want:
            b = s.recv(want - len(got))
            if not b:
                raise Exception('EOF in the middle of the echo')
            got += b
    return bytes(got)
one = b'\x2a'
print('one_echoed=' + str(echo(one) == one))
data = random.Random(1).randbytes(big)
print('big_sent_len=%d' % len(data))
print('big_sent_sha256=' + hashlib.sha256(data).hexdigest())
print('all_sent_sha256=' + hashlib.sha256(one + data).hexdigest())
back = echo(data)
print('big_got_len=%d' % len(back))
print('big_got_sha256=' + hashlib.sha256(back).hexdigest())
if closer == 'ours':
    rest = s.recv(1)
    print('after_echo=' + repr(rest))
s.unwrap()
print('unwrapped=ok')
raw.close()
"#;

fn python_client(port: u16, mode: &str, alpn: &str, big: usize) -> Proc {
    python_client_with(port, mode, alpn, big, &PyClient::default())
}

/// The Python client's other options (see [`PY_CLIENT`]).
struct PyClient {
    ciphers: &'static str,
    curve: &'static str,
    /// `python` or `ours`.
    closer: &'static str,
    host: &'static str,
}

impl Default for PyClient {
    fn default() -> Self {
        Self {
            ciphers: "",
            curve: "",
            closer: "python",
            host: "localhost",
        }
    }
}

fn python_client_with(port: u16, mode: &str, alpn: &str, big: usize, o: &PyClient) -> Proc {
    spawn_python(python(
        PY_CLIENT,
        &[
            &port.to_string(),
            &fixture_path("ca.pem"),
            mode,
            alpn,
            &big.to_string(),
            o.ciphers,
            o.curve,
            o.closer,
            o.host,
        ],
    ))
}

/// A default Python client (offering TLS 1.3 and 1.2) against our echo
/// server: lands on TLS 1.2, 1 byte and `big` bytes echoed, clean close.
fn python_client_echo(identity: &str, big: usize) -> (Report, HandshakeInfo) {
    python_client_echo_with(identity, big, &PyClient::default())
}

/// [`python_client_echo`] with the client's options `o`: with
/// `o.closer == "ours"` our server sends close_notify first, once everything
/// is echoed, and Python answers it.
fn python_client_echo_with(identity: &str, big: usize, o: &PyClient) -> (Report, HandshakeInfo) {
    let mut config = server_config(identity);
    config.alpn_protocols = vec![b"http/1.1".to_vec()].into();
    let we_close = o.closer == "ours";
    let ours = our_echo_server_closing(config, we_close.then_some(1 + big));
    let mut client = python_client_with(ours.port, "default", "h2,http/1.1", big, o);
    let status = client.wait_exit();
    let run = ours.join();
    let r = report(&client);
    assert!(status.success(), "{}\nour server: {run:?}", client.log());
    assert_eq!(run.error, None);

    if o.ciphers.is_empty() {
        // Python's default maximum offers TLS 1.3; it landed on 1.2.
        assert_eq!(r.val("maximum_version"), "MAXIMUM_SUPPORTED");
    } else {
        assert_eq!(r.val("maximum_version"), "TLSv1_2");
        assert_eq!(r.val("cipher"), o.ciphers);
    }
    assert_eq!(r.val("version"), "TLSv1.2");
    assert_eq!(r.val("cipher_version"), "TLSv1.2");
    assert_eq!(r.val("alpn"), "http/1.1");
    assert_eq!(r.val("one_echoed"), "True");
    assert_eq!(r.val("big_sent_len"), big.to_string());
    assert_eq!(r.val("big_got_len"), big.to_string());
    assert_eq!(r.val("big_got_sha256"), r.val("big_sent_sha256"));
    // Python's unwrap() returned only after our close_notify arrived.
    assert_eq!(r.val("unwrapped"), "ok");

    let info = run.info.clone().unwrap();
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(
        info.cipher_suite.name(),
        Some(iana_name(r.val("cipher"))),
        "python says {}",
        r.val("cipher")
    );
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(info.server_name.as_deref(), Some(o.host));
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert!(info.peer_certificates.is_empty(), "no client certificate");
    assert_eq!(run.echoed_len, 1 + big);
    assert_eq!(run.we_closed_first, we_close);
    if we_close {
        // recv() returned b'' for our close_notify (not a ragged EOF).
        assert_eq!(r.val("after_echo"), "b''", "{}", client.log());
    }
    // Everything our server read and echoed: the byte, then the bulk.
    assert_eq!(run.echoed_sha256, r.val("all_sent_sha256"));
    assert!(
        run.peer_closed,
        "our server did not see python's close_notify"
    );
    assert_eq!(r.val("big_sent_sha256").len(), 64);
    (r, info)
}

/// The IANA name of an OpenSSL suite name.
fn iana_name(openssl: &str) -> &'static str {
    match openssl {
        "ECDHE-ECDSA-AES128-GCM-SHA256" => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384" => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305" => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256" => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384" => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305" => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        other => panic!("unexpected OpenSSL suite name {other}"),
    }
}

// interop-matrix: 1 byte, ALPN, SNI, close_notify
#[test]
fn python_client_tls13_capable_lands_on_tls12_ecdsa_16mib_echo() {
    let (r, info) = python_client_echo("server-p256", 16 * MIB);
    // OpenSSL's client preference puts AES-256-GCM first; our server follows
    // its own order (AES-128-GCM first) among what the client offers.
    assert_eq!(r.val("cipher"), "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
}

// interop-matrix: ALPN, SNI, close_notify
#[test]
fn python_client_tls13_capable_lands_on_tls12_rsa_1byte_echo() {
    let (r, info) = python_client_echo("server-rsa2048", 0);
    assert_eq!(r.val("cipher"), "ECDHE-RSA-AES128-GCM-SHA256");
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

#[test]
fn python_client_tls11_only_gets_protocol_version_alert() {
    let ours = our_echo_server(server_config("server-p256"));
    let mut client = python_client(ours.port, "tls11", "", 0);
    let status = client.wait_exit();
    let run = ours.join();
    let r = report(&client);
    assert_eq!(status.code(), Some(3), "{}", client.log());
    assert_eq!(r.val("maximum_version"), "TLSv1_1");
    assert_eq!(r.val("error_class"), "SSLError");
    assert_eq!(r.val("error_reason"), "TLSV1_ALERT_PROTOCOL_VERSION");
    assert!(
        r.val("error")
            .starts_with("[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version"),
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
fn python_client_alpn_without_overlap_gets_no_application_protocol() {
    let mut config = server_config("server-p256");
    config.alpn_protocols = vec![b"h2".to_vec()].into();
    let ours = our_echo_server(config);
    let mut client = python_client(ours.port, "default", "http/1.1", 0);
    let status = client.wait_exit();
    let run = ours.join();
    let r = report(&client);
    assert_eq!(status.code(), Some(3), "{}", client.log());
    assert_eq!(r.val("error_class"), "SSLError");
    // Python 3.11's table of OpenSSL reason codes has no mnemonic for alert
    // 120, so `reason` is None and the text carries OpenSSL's reason string.
    assert_eq!(r.val("error_reason"), "None", "{}", client.log());
    assert!(
        r.val("error")
            .starts_with("[SSL] tlsv1 alert no application protocol (_ssl.c:"),
        "{}",
        client.log()
    );
    assert_eq!(
        run.error,
        Some(Error::NoApplicationProtocol {
            offered: vec!["http/1.1".into()].into(),
            supported: vec!["h2".into()].into(),
        })
    );
    assert_eq!(
        run.error.unwrap().alert(),
        Some(AlertDescription::NoApplicationProtocol)
    );
}

// ---------------------------------------------------------------------------
// A Python server, and our client against it
// ---------------------------------------------------------------------------

/// Python server: serves CHAIN/KEY on a free loopback port (printed as
/// `port=`), MAXV `1.2` caps it at TLS 1.2 (else its default, TLS 1.3),
/// ALPN (comma-separated, may be empty), records SNI; echoes exactly N bytes,
/// then CLOSE `python` closes first with unwrap() (sends close_notify, waits
/// for ours), `ours` waits for our close_notify (recv() returns b'' only for
/// a real close_notify, since suppress_ragged_eofs=False) and then unwraps.
/// CIPHERS (if not empty) is its only OpenSSL cipher string; CURVE (if not
/// empty) the one group it accepts, by set_ecdh_curve().
const PY_SERVER: &str = r#"
import socket, ssl, sys
chain, key, maxv, alpn, n, close = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
ciphers, curve = sys.argv[7], sys.argv[8]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(chain, key)
if maxv == '1.2':
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
if ciphers:
    ctx.set_ciphers(ciphers)
if curve:
    ctx.set_ecdh_curve(curve)
if alpn:
    ctx.set_alpn_protocols(alpn.split(','))
sni = []
ctx.sni_callback = lambda sock, name, c: sni.append(name)
ls = socket.socket()
ls.bind(('127.0.0.1', 0))
ls.listen(1)
ls.settimeout(20)
print('port=%d' % ls.getsockname()[1])
raw, _ = ls.accept()
raw.settimeout(20)
# Without it, Nagle's algorithm and delayed ACKs stall each echoed chunk's
# last segment (about 40 ms a chunk: 16 MiB would take over 10 s).
raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
try:
    s = ctx.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
except ssl.SSLError as e:
    print('error_class=' + type(e).__name__)
    print('error_reason=' + str(e.reason))
    print('error=' + str(e))
    sys.exit(3)
print('version=' + s.version())
print('cipher=' + s.cipher()[0])
print('alpn=' + str(s.selected_alpn_protocol()))
print('sni=' + ','.join(str(x) for x in sni))
done = 0
while done < n:
    b = s.recv(min(65536, n - done))
    if not b:
        raise Exception('EOF in the middle of the echo')
    s.sendall(b)
    done += len(b)
print('echoed=%d' % done)
if close == 'python':
    s.unwrap()
    print('unwrapped=ok')
else:
    rest = s.recv(1)
    print('after_echo=' + repr(rest))
    s.unwrap()
    print('unwrapped=ok')
raw.close()
"#;

fn python_server(identity: &str, maxv: &str, alpn: &str, n: usize, close: &str) -> (Proc, u16) {
    python_server_with(identity, maxv, alpn, n, close, "", "")
}

fn python_server_with(
    identity: &str,
    maxv: &str,
    alpn: &str,
    n: usize,
    close: &str,
    ciphers: &str,
    curve: &str,
) -> (Proc, u16) {
    let mut server = spawn_python(python(
        PY_SERVER,
        &[
            &fixture_path(&format!("{identity}.chain.pem")),
            &fixture_path(&format!("{identity}.key")),
            maxv,
            alpn,
            &n.to_string(),
            close,
            ciphers,
            curve,
        ],
    ));
    let port = wait_for(&mut server, "port").parse().unwrap();
    (server, port)
}

/// Our client's handshake with `port`, then `exchange` over the stream; the
/// handshake error (typed) if it fails.
fn our_client<T>(
    port: u16,
    config: ClientConfig,
    server_name: &str,
    exchange: impl FnOnce(&mut Stream<'_, TcpStream>) -> T,
) -> Result<(HandshakeInfo, T), Error> {
    our_client_session(port, config, server_name, UnixTime::now(), exchange)
}

/// Writes `data` in 64 KiB steps, reading each step's echo before the next.
fn echo_through(tls: &mut Stream<'_, TcpStream>, data: &[u8]) -> Vec<u8> {
    let mut got = Vec::with_capacity(data.len());
    for chunk in data.chunks(64 * 1024) {
        tls.write_all(chunk).unwrap();
        let at = got.len();
        got.resize(at + chunk.len(), 0);
        tls.read_exact(&mut got[at..])
            .unwrap_or_else(|e| panic!("reading the echo: {e}"));
    }
    got
}

/// Our client against a Python server: what was negotiated, data both ways,
/// close_notify both ways (`python_closes_first` picks who starts).
fn our_client_vs_python(identity: &str, maxv: &str, python_closes_first: bool) -> HandshakeInfo {
    our_client_vs_python_with(&PyServer {
        identity,
        maxv,
        python_closes_first,
        len: MIB + 1,
        ciphers: "",
        curve: "",
    })
}

/// A Python server's options (see [`PY_SERVER`]) and how much our client
/// echoes through it.
struct PyServer<'a> {
    identity: &'a str,
    maxv: &'a str,
    python_closes_first: bool,
    len: usize,
    ciphers: &'a str,
    curve: &'a str,
}

fn our_client_vs_python_with(o: &PyServer<'_>) -> HandshakeInfo {
    let python_closes_first = o.python_closes_first;
    let data = pseudo_random(o.len, 0x5eed_0000_0000_0042 + o.len as u64);
    let close = if python_closes_first {
        "python"
    } else {
        "ours"
    };
    let (mut server, port) = python_server_with(
        o.identity,
        o.maxv,
        "http/1.1,h2",
        data.len(),
        close,
        o.ciphers,
        o.curve,
    );
    let mut config = client_config();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let (info, (got, peer_closed, eof)) = our_client(port, config, "testserver.com", |tls| {
        let got = echo_through(tls, &data);
        if !python_closes_first {
            tls.close().unwrap();
        }
        // Python's close_notify (first, or in answer to ours) ends the stream.
        let mut buf = [0u8; 16];
        let eof = tls.read(&mut buf).map_err(|e| e.to_string());
        (got, tls.connection().peer_closed(), eof)
    })
    .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));
    let status = server.wait_exit();
    let r = report(&server);
    assert!(status.success(), "{}", server.log());

    assert!(got == data, "the echo differs from what we sent");
    assert_eq!(eof, Ok(0), "our read after the echo");
    assert!(peer_closed, "we did not see python's close_notify");
    assert_eq!(r.val("echoed"), data.len().to_string());
    assert_eq!(r.val("unwrapped"), "ok");
    if !python_closes_first {
        // recv() returned b'' for our close_notify (not a ragged EOF).
        assert_eq!(r.val("after_echo"), "b''");
    }

    assert_eq!(r.val("version"), "TLSv1.2");
    assert_eq!(r.val("alpn"), "http/1.1");
    assert_eq!(r.val("sni"), "testserver.com");
    if !o.ciphers.is_empty() {
        assert_eq!(r.val("cipher"), o.ciphers);
    }
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_eq!(info.cipher_suite.name(), Some(iana_name(r.val("cipher"))));
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert_eq!(info.peer_certificates.len(), 2, "leaf + intermediate");
    info
}

// interop-matrix: ALPN, SNI
#[test]
fn python_server_default_max_ecdsa_python_closes_first() {
    let info = our_client_vs_python("server-p256", "default", true);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    );
}

// interop-matrix: ALPN, SNI
#[test]
fn python_server_tls12_max_rsa_we_close_first() {
    let info = our_client_vs_python("server-rsa2048", "1.2", false);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    );
}

#[test]
fn python_server_sees_bad_certificate_when_our_client_uses_wrong_name() {
    let (mut server, port) = python_server("server-p256", "default", "", 0, "ours");
    let err = our_client(port, client_config(), "wrong.example", |_| ())
        .expect_err("handshake must fail");
    assert_eq!(
        err,
        Error::Certificate(CertificateError::NotValidForName {
            expected: "wrong.example".into()
        })
    );
    assert_eq!(err.alert(), Some(AlertDescription::BadCertificate));
    let status = server.wait_exit();
    let r = report(&server);
    assert_eq!(status.code(), Some(3), "{}", server.log());
    assert_eq!(r.val("error_class"), "SSLError");
    assert_eq!(r.val("error_reason"), "SSLV3_ALERT_BAD_CERTIFICATE");
    assert!(
        r.val("error")
            .starts_with("[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate"),
        "{}",
        server.log()
    );
    assert!(r.get("version").is_none(), "{}", server.log());
}

// ---------------------------------------------------------------------------
// Python client: every suite, every group, SNI, 1 byte and 16 MiB each way,
// our close_notify first
// ---------------------------------------------------------------------------

/// A Python client restricted to one suite (and TLS 1.2) against our echo
/// server: 1 byte echoed, ALPN, SNI, Python's close_notify answered.
fn python_client_suite(openssl: &'static str, suite: CipherSuite, identity: &str) {
    let (r, info) = python_client_echo_with(
        identity,
        0,
        &PyClient {
            ciphers: openssl,
            ..PyClient::default()
        },
    );
    assert_eq!(r.val("cipher"), openssl);
    assert_eq!(info.cipher_suite, suite);
}

table_tests! {
    python_client_suite;
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_client_ecdhe_ecdsa_aes128_gcm_sha256: ("ECDHE-ECDSA-AES128-GCM-SHA256", CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-p256");
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_client_ecdhe_ecdsa_aes256_gcm_sha384: ("ECDHE-ECDSA-AES256-GCM-SHA384", CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "server-p256");
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_client_ecdhe_ecdsa_chacha20_poly1305: ("ECDHE-ECDSA-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "server-p256");
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_client_ecdhe_rsa_aes128_gcm_sha256: ("ECDHE-RSA-AES128-GCM-SHA256", CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa2048");
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_client_ecdhe_rsa_aes256_gcm_sha384: ("ECDHE-RSA-AES256-GCM-SHA384", CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "server-rsa2048");
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_client_ecdhe_rsa_chacha20_poly1305: ("ECDHE-RSA-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "server-rsa2048");
}

/// A Python client offering only `curve` (set_ecdh_curve on a client
/// context: SSL_CTX_set1_groups with OpenSSL 3) against our server serving
/// `identity`: the group our server chose.
fn python_client_group(curve: &'static str, identity: &str) -> HandshakeInfo {
    let (_, info) = python_client_echo_with(
        identity,
        0,
        &PyClient {
            curve,
            ..PyClient::default()
        },
    );
    info
}

// interop-matrix: Ed25519 / P-384 cert, 1 byte, ALPN, SNI, close_notify
#[test]
fn python_client_group_x25519() {
    // Only x25519 in supported_groups: no ECDSA certificate qualifies
    // (RFC 8422 §5.3), so Ed25519.
    let info = python_client_group("X25519", "server-ed25519");
    assert_eq!(info.group, Some(NamedGroup::X25519));
    assert_eq!(info.signature_scheme, Some(SignatureScheme::Ed25519));
}

// interop-matrix: ECDSA cert, 1 byte, ALPN, SNI, close_notify
#[test]
fn python_client_group_secp256r1() {
    let info = python_client_group("prime256v1", "server-p256");
    assert_eq!(info.group, Some(NamedGroup::Secp256r1));
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
}

// interop-matrix: RSA cert, 1 byte, ALPN, SNI, close_notify
#[test]
fn python_client_group_secp384r1() {
    let info = python_client_group("secp384r1", "server-rsa2048");
    assert_eq!(info.group, Some(NamedGroup::Secp384r1));
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

// interop-matrix: Ed25519 / P-384 cert, 1 byte, ALPN, close_notify
#[test]
fn python_client_sni_testserver_com_with_p384_certificate() {
    let (r, info) = python_client_echo_with(
        "server-p384",
        0,
        &PyClient {
            host: "testserver.com",
            ..PyClient::default()
        },
    );
    assert_eq!(info.server_name.as_deref(), Some("testserver.com"));
    assert_eq!(r.val("cipher"), "ECDHE-ECDSA-AES128-GCM-SHA256");
}

// interop-matrix: ALPN, SNI
#[test]
fn python_client_1_byte_and_16mib_each_way_our_server_closes_first() {
    let (r, info) = python_client_echo_with(
        "server-rsa2048",
        16 * MIB,
        &PyClient {
            closer: "ours",
            ..PyClient::default()
        },
    );
    assert_eq!(r.val("big_got_len"), (16 * MIB).to_string());
    assert_eq!(info.version, ProtocolVersion::Tls12);
}

// ---------------------------------------------------------------------------
// Python server: every suite, every group, 1 byte and 16 MiB each way
// ---------------------------------------------------------------------------

fn python_server_suite(
    openssl: &str,
    suite: CipherSuite,
    identity: &str,
    python_closes_first: bool,
) {
    let info = our_client_vs_python_with(&PyServer {
        identity,
        maxv: "1.2",
        python_closes_first,
        len: 1,
        ciphers: openssl,
        curve: "",
    });
    assert_eq!(info.cipher_suite, suite);
}

// The last argument: whether Python sends close_notify first (half the
// suites each way, so both orders are covered).
table_tests! {
    python_server_suite;
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_server_ecdhe_ecdsa_aes128_gcm_sha256: ("ECDHE-ECDSA-AES128-GCM-SHA256", CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-p256", true);
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_server_ecdhe_ecdsa_aes256_gcm_sha384: ("ECDHE-ECDSA-AES256-GCM-SHA384", CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "server-p256", false);
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_server_ecdhe_ecdsa_chacha20_poly1305: ("ECDHE-ECDSA-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "server-p256", true);
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_server_ecdhe_rsa_aes128_gcm_sha256: ("ECDHE-RSA-AES128-GCM-SHA256", CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa2048", false);
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_server_ecdhe_rsa_aes256_gcm_sha384: ("ECDHE-RSA-AES256-GCM-SHA384", CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "server-rsa2048", true);
    // interop-matrix: 1 byte, ALPN, SNI, close_notify
    python_server_ecdhe_rsa_chacha20_poly1305: ("ECDHE-RSA-CHACHA20-POLY1305", CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "server-rsa2048", false);
}

/// A Python server accepting only `curve` (set_ecdh_curve), our client
/// offering every group.
fn python_server_group(curve: &str, identity: &str) -> HandshakeInfo {
    our_client_vs_python_with(&PyServer {
        identity,
        maxv: "default",
        python_closes_first: true,
        len: 1,
        ciphers: "",
        curve,
    })
}

// interop-matrix: Ed25519 / P-384 cert, 1 byte, ALPN, SNI, close_notify
#[test]
fn python_server_group_x25519() {
    let info = python_server_group("X25519", "server-ed25519");
    assert_eq!(info.group, Some(NamedGroup::X25519));
    assert_eq!(info.signature_scheme, Some(SignatureScheme::Ed25519));
}

// interop-matrix: RSA cert, 1 byte, ALPN, SNI, close_notify
#[test]
fn python_server_group_secp256r1() {
    let info = python_server_group("prime256v1", "server-rsa2048");
    assert_eq!(info.group, Some(NamedGroup::Secp256r1));
}

// interop-matrix: Ed25519 / P-384 cert, 1 byte, ALPN, SNI, close_notify
#[test]
fn python_server_group_secp384r1() {
    let info = python_server_group("secp384r1", "server-p384");
    assert_eq!(info.group, Some(NamedGroup::Secp384r1));
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    );
}

// interop-matrix: ECDSA cert, ALPN, SNI
#[test]
fn python_server_1_byte_each_way_python_closes_first() {
    let info = our_client_vs_python_with(&PyServer {
        identity: "server-p256",
        maxv: "1.2",
        python_closes_first: true,
        len: 1,
        ciphers: "",
        curve: "",
    });
    assert_eq!(info.version, ProtocolVersion::Tls12);
}

// interop-matrix: RSA cert, ALPN, SNI
#[test]
fn python_server_16mib_each_way_we_close_first() {
    let info = our_client_vs_python_with(&PyServer {
        identity: "server-rsa2048",
        maxv: "default",
        python_closes_first: false,
        len: 16 * MIB,
        ciphers: "",
        curve: "",
    });
    assert_eq!(info.version, ProtocolVersion::Tls12);
}
