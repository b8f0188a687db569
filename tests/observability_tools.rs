//! The key log and exporters checked against the tools people use them
//! with: OpenSSL writes the same key log line and exports the same keying
//! material for the same session (with our example server and client), and
//! tshark decrypts a capture of a session with our key log alone.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::peer::*;
use common::*;
use tls12::{KeyLog, KeyLogEntry};

/// The `CLIENT_RANDOM` lines of the key log at `path`, sorted (OpenSSL adds
/// a comment line; both write lowercase hex).
fn key_log_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("CLIENT_RANDOM "))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

/// Removes the file on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(what: &str) -> Self {
        let path = temp_log_path(what);
        let _ = std::fs::remove_file(&path);
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `examples/server` with `SSLKEYLOGFILE=key_log` and `args`.
fn our_server(key_log: &Path, args: &[&str]) -> (Proc, u16) {
    let mut cmd = Command::new(example("server"));
    cmd.args(["--listen", "127.0.0.1:0"])
        .args(["--cert", "tests/fixtures/server-p256.chain.pem"])
        .args(["--key", "tests/fixtures/server-p256.key"])
        .args(args)
        .env("SSLKEYLOGFILE", key_log)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut server = Proc::spawn_without_stdin(cmd);
    let port = listening_port(&mut server, "examples/server");
    (server, port)
}

fn s_client(port: u16, args: &[&str]) -> Proc {
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-CAfile", &fixture_path("ca.pem")])
        .args(args);
    Proc::spawn(cmd)
}

#[test]
fn openssl_s_client_logs_the_same_keys_as_our_server_full_and_resumed() {
    let ours = TempFile::new("keylog-our-server");
    let theirs = TempFile::new("keylog-s_client");
    // s_client -reconnect: one full handshake and five resumed ones.
    let (mut server, port) = our_server(&ours.0, &["--max-connections", "6"]);
    let mut client = s_client(
        port,
        &["-reconnect", "-keylogfile", theirs.0.to_str().unwrap()],
    );
    client.feed_stdin(b"ping\n".to_vec());
    assert!(client.wait_exit().success(), "{}", client.log());
    server.wait_exit();
    let (ours, theirs) = (key_log_lines(&ours.0), key_log_lines(&theirs.0));
    assert_eq!(ours.len(), 6, "{}\n{}", server.log(), client.log());
    assert_eq!(ours, theirs);
    let masters: std::collections::BTreeSet<_> =
        ours.iter().map(|l| l.rsplit(' ').next().unwrap()).collect();
    assert_eq!(masters.len(), 1, "five resumptions of one session");
}

#[test]
fn openssl_s_server_logs_the_same_keys_as_our_client_full_and_resumed() {
    let ours = TempFile::new("keylog-our-client");
    let theirs = TempFile::new("keylog-s_server");
    let theirs_path = theirs.0.to_str().unwrap().to_owned();
    let (mut server, port) = openssl_s_server(|cmd| {
        cmd.args(["-naccept", "2"]);
        s_server_identity(cmd, "server-p256");
        cmd.args(["-www", "-keylogfile", &theirs_path]);
    });
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args([
            "--server-name",
            "localhost",
            "--ca",
            "tests/fixtures/ca.pem",
        ])
        .args(["--reconnect", "1"])
        .env("SSLKEYLOGFILE", &ours.0)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut client = Proc::spawn_without_stdin(cmd);
    assert!(client.wait_exit().success(), "{}", client.log());
    assert!(
        client.stdout_text().contains("resumed:    true"),
        "{}",
        client.log()
    );
    server.wait_exit();
    let (ours, theirs) = (key_log_lines(&ours.0), key_log_lines(&theirs.0));
    assert_eq!(ours.len(), 2, "{}\n{}", client.log(), server.log());
    assert_eq!(ours, theirs);
}

#[test]
fn openssl_s_client_exports_the_same_keying_material_as_our_server() {
    let key_log = TempFile::new("keylog-export");
    let (mut server, port) = our_server(
        &key_log.0,
        &[
            "--export",
            "EXPERIMENTAL-tls12-test:48",
            "--max-connections",
            "1",
        ],
    );
    let mut client = s_client(
        port,
        &[
            "-keymatexport",
            "EXPERIMENTAL-tls12-test",
            "-keymatexportlen",
            "48",
        ],
    );
    client.feed_stdin(b"ping\n".to_vec());
    assert!(client.wait_exit().success(), "{}", client.log());
    server.wait_exit();
    let ours = server
        .stdout_text()
        .lines()
        .find_map(|l| l.strip_prefix("exporter: EXPERIMENTAL-tls12-test "))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no exporter line\n{}", server.log()));
    let out = client.stdout_text();
    let theirs = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Keying material: "))
        .unwrap_or_else(|| panic!("s_client exported nothing\n{}", client.log()));
    assert_eq!(ours.len(), 96);
    assert_eq!(ours, theirs.to_ascii_lowercase());
}

// ---------------------------------------------------------------------------
// tshark decrypts a capture with our key log.

/// A key log that keeps its lines.
#[derive(Debug, Default)]
struct Lines(Mutex<Vec<String>>);

impl KeyLog for Lines {
    fn log(&self, entry: &KeyLogEntry<'_>) {
        self.0.lock().unwrap().push(entry.to_string());
    }
}

/// A classic pcap file of one TCP connection between 10.0.0.1:50000
/// (client) and 10.0.0.2:4433 (server), over Ethernet. Checksums are left
/// zero (tshark does not check them by default).
struct Pcap {
    bytes: Vec<u8>,
    seq: [u32; 2],
    time: u32,
}

const CLIENT: usize = 0;
const SERVER: usize = 1;

impl Pcap {
    fn new() -> Self {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // magic
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&[0; 8]); // zone, sigfigs
        bytes.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
        bytes.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
        let mut pcap = Self {
            bytes,
            seq: [1000, 5000],
            time: 0,
        };
        // The TCP handshake, so that the dissector sees the stream start.
        pcap.segment(CLIENT, 0x02, &[]); // SYN
        pcap.seq[CLIENT] += 1;
        pcap.segment(SERVER, 0x12, &[]); // SYN, ACK
        pcap.seq[SERVER] += 1;
        pcap.segment(CLIENT, 0x10, &[]); // ACK
        pcap
    }

    fn data(&mut self, from: usize, payload: &[u8]) {
        for chunk in payload.chunks(1400) {
            self.segment(from, 0x18, chunk); // PSH, ACK
            self.seq[from] += chunk.len() as u32;
        }
    }

    fn segment(&mut self, from: usize, flags: u8, payload: &[u8]) {
        let to = 1 - from;
        let ports = [50000u16, 4433];
        let mut frame = Vec::new();
        frame.extend_from_slice(&[2, 0, 0, 0, 0, 2 - to as u8]); // destination MAC
        frame.extend_from_slice(&[2, 0, 0, 0, 0, 2 - from as u8]); // source MAC
        frame.extend_from_slice(&[0x08, 0x00]); // IPv4
        let total = 20 + 20 + payload.len();
        frame.extend_from_slice(&[0x45, 0]);
        frame.extend_from_slice(&(total as u16).to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]); // id, DF, ttl, TCP, checksum
        frame.extend_from_slice(&[10, 0, 0, 1 + from as u8]);
        frame.extend_from_slice(&[10, 0, 0, 1 + to as u8]);
        frame.extend_from_slice(&ports[from].to_be_bytes());
        frame.extend_from_slice(&ports[to].to_be_bytes());
        frame.extend_from_slice(&self.seq[from].to_be_bytes());
        let ack = if flags == 0x02 { 0 } else { self.seq[to] };
        frame.extend_from_slice(&ack.to_be_bytes());
        frame.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        frame.extend_from_slice(payload);
        self.time += 1;
        self.bytes.extend_from_slice(&self.time.to_le_bytes());
        self.bytes.extend_from_slice(&0u32.to_le_bytes());
        self.bytes
            .extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(&frame);
    }
}

fn tshark_found() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The HTTP request URIs tshark finds in `pcap`, decrypting with `key_log`.
fn tshark_http_uris(pcap: &Path, key_log: Option<&Path>) -> String {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n")
        .arg("-r")
        .arg(pcap)
        .args(["-d", "tcp.port==4433,tls"])
        .args([
            "-Y",
            "http.request",
            "-T",
            "fields",
            "-e",
            "http.request.uri",
        ]);
    if let Some(key_log) = key_log {
        cmd.arg("-o")
            .arg(format!("tls.keylog_file:{}", key_log.display()));
    }
    let out = cmd.output().expect("running tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn tshark_decrypts_a_capture_with_our_key_log() {
    if !tshark_found() {
        eprintln!(
            "SKIPPED tshark_decrypts_a_capture_with_our_key_log: tshark not found on PATH \
             (.ci/run installs it: apt-get install tshark)"
        );
        return;
    }
    let log = Arc::new(Lines::default());
    let mut cc = client_config();
    cc.key_log = Some(log.clone().into());
    let sc = server_config("server-p256");
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let mut pcap = Pcap::new();
    let step =
        |pcap: &mut Pcap, c: &mut tls12::ClientConnection, s: &mut tls12::ServerConnection| {
            let to_server = take_output(c);
            pcap.data(CLIENT, &to_server);
            s.receive(&to_server).unwrap();
            let to_client = take_output(s);
            pcap.data(SERVER, &to_client);
            c.receive(&to_client).unwrap();
        };
    while c.is_handshaking() || s.is_handshaking() {
        step(&mut pcap, &mut c, &mut s);
    }
    c.send(b"GET /the-secret-page HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    step(&mut pcap, &mut c, &mut s);
    assert!(drain_plaintext(&mut s).starts_with(b"GET /the-secret-page"));
    s.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        .unwrap();
    step(&mut pcap, &mut c, &mut s);

    let capture = TempFile::new("capture-pcap");
    std::fs::write(&capture.0, &pcap.bytes).unwrap();
    let key_log = TempFile::new("keylog-tshark");
    let lines = log.0.lock().unwrap().join("\n") + "\n";
    std::fs::write(&key_log.0, lines).unwrap();

    // Without the key log the request stays encrypted; with it, it shows.
    assert_eq!(tshark_http_uris(&capture.0, None).trim(), "");
    assert_eq!(
        tshark_http_uris(&capture.0, Some(&key_log.0)).trim(),
        "/the-secret-page"
    );
}

// ---------------------------------------------------------------------------
// OCSP stapling against OpenSSL.

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl_in(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A DER OCSP response for server-p256's leaf, signed by its issuer (the
/// fixture intermediate) with `openssl ocsp` as a one-shot responder. Its
/// index of issued certificates is empty, so the certificate's status is
/// "unknown"; the response itself is a successful one.
fn ocsp_response() -> (TempDir, PathBuf) {
    let dir = TempDir(temp_log_path("ocsp-dir"));
    std::fs::create_dir_all(&dir.0).unwrap();
    std::fs::write(dir.0.join("index.txt"), b"").unwrap();
    let inter = fixture_path("inter.pem");
    openssl_in(
        &dir.0,
        &[
            "ocsp",
            "-issuer",
            &inter,
            "-cert",
            &fixture_path("server-p256.pem"),
            "-no_nonce",
            "-reqout",
            "req.der",
        ],
    );
    openssl_in(
        &dir.0,
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            &inter,
            "-rkey",
            &fixture_path("inter.key"),
            "-CA",
            &inter,
            "-reqin",
            "req.der",
            "-respout",
            "resp.der",
            "-ndays",
            "1",
        ],
    );
    let path = dir.0.join("resp.der");
    (dir, path)
}

#[test]
fn openssl_s_client_status_shows_our_stapled_response_as_successful() {
    let (_dir, response) = ocsp_response();
    let key_log = TempFile::new("keylog-ocsp");
    let (mut server, port) = our_server(
        &key_log.0,
        &[
            "--ocsp",
            response.to_str().unwrap(),
            "--max-connections",
            "1",
        ],
    );
    let mut client = s_client(port, &["-status"]);
    client.feed_stdin(b"ping\n".to_vec());
    assert!(client.wait_exit().success(), "{}", client.log());
    server.wait_exit();
    let out = client.stdout_text();
    assert!(
        out.contains("OCSP response: \n==") || out.contains("OCSP Response Data:"),
        "{}",
        client.log()
    );
    assert!(
        out.contains("OCSP Response Status: successful (0x0)"),
        "{}",
        client.log()
    );
    assert!(
        out.contains("Responder Id: O = tls12 tests, CN = tls12 test intermediate CA"),
        "{}",
        client.log()
    );
}

#[test]
fn openssl_s_client_status_gets_no_response_from_our_server_without_one() {
    let key_log = TempFile::new("keylog-no-ocsp");
    let (mut server, port) = our_server(&key_log.0, &["--max-connections", "1"]);
    let mut client = s_client(port, &["-status"]);
    client.feed_stdin(b"ping\n".to_vec());
    assert!(client.wait_exit().success(), "{}", client.log());
    server.wait_exit();
    assert!(
        client
            .stdout_text()
            .contains("OCSP response: no response sent"),
        "{}",
        client.log()
    );
}

#[test]
fn our_client_shows_what_openssl_s_server_staples() {
    let (_dir, response) = ocsp_response();
    let response_path = response.to_str().unwrap().to_owned();
    let (mut server, port) = openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, "server-p256");
        cmd.args(["-www", "-status_file", &response_path]);
    });
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args([
            "--server-name",
            "localhost",
            "--ca",
            "tests/fixtures/ca.pem",
        ])
        .arg("--ocsp")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut client = Proc::spawn_without_stdin(cmd);
    assert!(client.wait_exit().success(), "{}", client.log());
    server.wait_exit();
    let der = std::fs::read(&response).unwrap();
    let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
    let want = format!("ocsp:       {} bytes {hex}", der.len());
    assert!(
        client.stdout_text().lines().any(|l| l == want),
        "{}",
        client.log()
    );
}
