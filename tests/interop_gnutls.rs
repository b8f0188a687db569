//! Interop with GnuTLS's `gnutls-cli` and `gnutls-serv` (Debian's gnutls-bin)
//! over loopback TCP: TLS 1.2 with GnuTLS's default priority and a TLS
//! 1.2-only one, every suite both ways, groups, certificate types, ALPN, SNI,
//! 1 byte and bulk data with close_notify both ways, and failures as GnuTLS
//! reports them.
//!
//! Test names: `gnutls_client_*` is gnutls-cli against our server,
//! `gnutls_server_*` is our client against gnutls-serv.
//!
//! Every child process is owned by a [`Proc`], which kills it when dropped,
//! and every wait has a deadline, so a misbehaving peer fails a test instead
//! of hanging it.

mod common;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use common::peer::{
    connect, gnutls_serv_echo, our_client_session, our_server_thread, pseudo_random, read_exactly,
    temp_log_path, tls_error, OurServer, Proc, DEADLINE, MIB,
};
use common::{certs, client_config, fixture_path, name, server_config};
use tls12::pki_types::UnixTime;
use tls12::{
    AlertDescription, CertificateError, CipherSuite, ClientConfig, ClientConnection, Error,
    HandshakeInfo, NamedGroup, ProtocolVersion, ServerConfig, SignatureScheme, Stream,
};

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// Checks once that `gnutls-cli` and `gnutls-serv` are on PATH, with a clear
/// failure when they are not.
fn check_gnutls() {
    static VERSION: OnceLock<Result<String, String>> = OnceLock::new();
    let version = VERSION.get_or_init(|| {
        for tool in ["gnutls-cli", "gnutls-serv"] {
            match Command::new(tool)
                .arg("--version")
                .stdin(Stdio::null())
                .output()
            {
                Ok(out) if out.status.success() => {}
                Ok(out) => return Err(format!("`{tool} --version` failed: {:?}", out.status)),
                Err(e) => return Err(format!("cannot run `{tool}`: {e}")),
            }
        }
        Ok(String::new())
    });
    if let Err(e) = version {
        panic!(
            "these interop tests need GnuTLS's `gnutls-cli` and `gnutls-serv` on PATH \
             (CI installs them; e.g. `apt-get install gnutls-bin`): {e}"
        );
    }
}

/// FNV-1a, 64 bits: a cheap digest to show in messages about bulk data.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Asserts that `got` is exactly `want`: same length, same digest, same bytes.
fn assert_same_bytes(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    assert_eq!(fnv1a(got), fnv1a(want), "{what}: digest");
    assert!(got == want, "{what}: bytes differ");
}

/// GnuTLS's names for our six suites, and a server identity that fits each.
struct Suite {
    ours: CipherSuite,
    /// GnuTLS key exchange name (`-KX-ALL:+<kx>`).
    kx: &'static str,
    /// GnuTLS cipher name (`-CIPHER-ALL:+<cipher>`).
    cipher: &'static str,
    identity: &'static str,
}

const SUITES: &[Suite] = &[
    Suite {
        ours: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        kx: "ECDHE-ECDSA",
        cipher: "AES-128-GCM",
        identity: "server-p256",
    },
    Suite {
        ours: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        kx: "ECDHE-ECDSA",
        cipher: "AES-256-GCM",
        identity: "server-p256",
    },
    Suite {
        ours: CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        kx: "ECDHE-ECDSA",
        cipher: "CHACHA20-POLY1305",
        identity: "server-p256",
    },
    Suite {
        ours: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        kx: "ECDHE-RSA",
        cipher: "AES-128-GCM",
        identity: "server-rsa2048",
    },
    Suite {
        ours: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        kx: "ECDHE-RSA",
        cipher: "AES-256-GCM",
        identity: "server-rsa2048",
    },
    Suite {
        ours: CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        kx: "ECDHE-RSA",
        cipher: "CHACHA20-POLY1305",
        identity: "server-rsa2048",
    },
];

fn suite(ours: CipherSuite) -> &'static Suite {
    SUITES.iter().find(|s| s.ours == ours).unwrap()
}

const TLS12_ONLY: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

/// A TLS 1.2-only priority string allowing just `s`.
fn suite_priority(s: &Suite) -> String {
    format!("{TLS12_ONLY}:-CIPHER-ALL:+{}:-KX-ALL:+{}", s.cipher, s.kx)
}

/// A TLS 1.2-only priority string allowing just one group (`X25519`,
/// `SECP256R1`, `SECP384R1`).
fn group_priority(group: &str) -> String {
    format!("{TLS12_ONLY}:-GROUP-ALL:+GROUP-{group}")
}

// ---------------------------------------------------------------------------
// gnutls-serv, and our client against it
// ---------------------------------------------------------------------------

/// `gnutls-serv --echo` on a free port, serving `identity` (leaf +
/// intermediate), with `args` added.
///
/// gnutls-serv waits until it says it listens (`gnutls_serv_echo`) rather
/// than being probed with a connection, which would put a failed handshake
/// in its log.
fn gnutls_serv(identity: &str, args: &[&str]) -> (Proc, u16) {
    check_gnutls();
    gnutls_serv_echo(identity, |cmd| {
        cmd.args(args);
    })
}

/// Our client's handshake with `port`, then `exchange` over the stream, then
/// our close_notify and (checked) the peer's close_notify in reply; the
/// handshake error (typed) if it fails.
fn our_client<T>(
    port: u16,
    config: ClientConfig,
    server_name: &str,
    exchange: impl FnOnce(&mut Stream<'_, TcpStream>) -> T,
) -> Result<(HandshakeInfo, T), Error> {
    our_client_session(port, config, server_name, UnixTime::now(), |tls| {
        let out = exchange(tls);
        tls.close().unwrap();
        // gnutls-serv answers our close_notify with its own; `read` returns 0
        // only after it arrived (end of file without it is an error).
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest)
            .unwrap_or_else(|e| panic!("waiting for gnutls-serv's close_notify: {e}"));
        assert!(rest.is_empty(), "data after our close_notify: {rest:?}");
        assert!(
            tls.connection().peer_closed(),
            "no close_notify from gnutls-serv"
        );
        out
    })
}

/// Sends text to `gnutls-serv --echo` and returns its answer, which must be
/// as long. (The echo server is text-oriented: it treats what it reads as a C
/// string, so binary data with NUL bytes does not come back.)
fn echo(tls: &mut Stream<'_, TcpStream>, text: &[u8]) -> Vec<u8> {
    tls.write_all(text).unwrap();
    read_exactly(tls, text.len())
}

/// What gnutls-serv printed for the first connection: the session summary
/// it prints once the handshake is done.
fn serv_summary(server: &mut Proc) -> String {
    assert!(
        server.wait_for_text("- Options:"),
        "gnutls-serv printed no session summary\n{}",
        server.log()
    );
    server.text()
}

/// Our client (offering everything) against gnutls-serv with `args`: checks
/// what was negotiated and a line both ways, and returns our view and
/// gnutls-serv's output.
fn our_client_vs_serv(
    identity: &str,
    args: &[&str],
    config: ClientConfig,
) -> (HandshakeInfo, String) {
    let (mut server, port) = gnutls_serv(identity, args);
    let line = b"hello from tls12 to gnutls-serv\n";
    let (info, answers) = our_client(port, config, "localhost", |tls| {
        [echo(tls, line), echo(tls, b"second line\n")]
    })
    .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));
    assert_eq!(answers[0], line);
    assert_eq!(answers[1], b"second line\n");
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert_eq!(info.peer_certificates.len(), 2, "leaf + intermediate");

    let log = serv_summary(&mut server);
    assert!(log.contains("- Version: TLS1.2"), "{}", server.log());
    assert!(log.contains("(TLS1.2-X.509)"), "{}", server.log());
    assert!(
        log.contains("- Given server name[1]: localhost"),
        "{}",
        server.log()
    );
    assert!(
        log.contains("- Options: extended master secret, safe renegotiation"),
        "{}",
        server.log()
    );
    assert!(
        server.wait_for_text("received cmd: second line"),
        "{}",
        server.log()
    );
    (info, server.text())
}

/// gnutls-serv's name for our suite's cipher and key exchange, as it prints
/// them, checked against `log`.
fn assert_serv_suite(log: &str, ours: CipherSuite) {
    let s = suite(ours);
    assert!(log.contains(&format!("- Cipher: {}\n", s.cipher)), "{log}");
    assert!(
        log.contains(&format!("- Key Exchange: {}\n", s.kx)),
        "{log}"
    );
    assert!(log.contains("- MAC: AEAD"), "{log}");
}

fn serv_suite(ours: CipherSuite) {
    let s = suite(ours);
    let priority = suite_priority(s);
    let (info, log) = our_client_vs_serv(s.identity, &["--priority", &priority], client_config());
    assert_eq!(info.cipher_suite, ours);
    assert_serv_suite(&log, ours);
}

#[test]
fn gnutls_server_default_priority_lands_on_tls12() {
    // gnutls-serv's default priority (NORMAL) enables TLS 1.3 too; our
    // ClientHello offers only TLS 1.2.
    let (info, log) = our_client_vs_serv("server-p256", &[], client_config());
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert!(!log.contains("TLS1.3"), "{log}");
    assert_serv_suite(&log, info.cipher_suite);
}

#[test]
fn gnutls_server_tls12_priority() {
    let (info, log) = our_client_vs_serv(
        "server-rsa2048",
        &["--priority", TLS12_ONLY],
        client_config(),
    );
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert_serv_suite(&log, info.cipher_suite);
}

table_tests! {
    serv_suite;
    gnutls_server_ecdhe_ecdsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    gnutls_server_ecdhe_ecdsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    gnutls_server_ecdhe_ecdsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    gnutls_server_ecdhe_rsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    gnutls_server_ecdhe_rsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
    gnutls_server_ecdhe_rsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);
}

fn serv_group(identity: &str, gnutls_group: &str, ours: NamedGroup) {
    let priority = group_priority(gnutls_group);
    let (info, log) = our_client_vs_serv(identity, &["--priority", &priority], client_config());
    assert_eq!(info.group, Some(ours));
    assert!(
        log.contains(&format!("- Using curve: {gnutls_group}\n")),
        "{log}"
    );
    assert!(log.contains(&format!("(ECDHE-{gnutls_group})")), "{log}");
}

table_tests! {
    serv_group;
    gnutls_server_group_x25519: ("server-p256", "X25519", NamedGroup::X25519);
    gnutls_server_group_secp256r1: ("server-rsa2048", "SECP256R1", NamedGroup::Secp256r1);
    gnutls_server_group_secp384r1: ("server-p384", "SECP384R1", NamedGroup::Secp384r1);
}

#[test]
fn gnutls_server_ecdsa_p384_certificate() {
    let (info, log) =
        our_client_vs_serv("server-p384", &["--priority", TLS12_ONLY], client_config());
    assert_eq!(suite(info.cipher_suite).kx, "ECDHE-ECDSA");
    assert!(
        matches!(
            info.signature_scheme,
            Some(SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSecp384r1Sha384)
        ),
        "{info:?}"
    );
    assert_eq!(info.peer_certificates[0], certs("server-p384.pem")[0]);
    assert!(log.contains("- Server Signature: ECDSA-"), "{log}");
}

#[test]
fn gnutls_server_rsa_certificate() {
    let (info, log) = our_client_vs_serv(
        "server-rsa2048",
        &["--priority", TLS12_ONLY],
        client_config(),
    );
    assert_eq!(suite(info.cipher_suite).kx, "ECDHE-RSA");
    assert!(log.contains("- Server Signature: RSA-"), "{log}");
}

#[test]
fn gnutls_server_ed25519_certificate() {
    let (info, log) = our_client_vs_serv(
        "server-ed25519",
        &["--priority", TLS12_ONLY],
        client_config(),
    );
    assert_eq!(info.signature_scheme, Some(SignatureScheme::Ed25519));
    assert_eq!(suite(info.cipher_suite).kx, "ECDHE-ECDSA");
    assert!(log.contains("- Server Signature: EdDSA-Ed25519"), "{log}");
}

#[test]
fn gnutls_server_alpn_http11() {
    let mut config = client_config();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let (info, log) = our_client_vs_serv(
        "server-p256",
        &["--priority", TLS12_ONLY, "--alpn", "http/1.1"],
        config,
    );
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert!(log.contains("- Application protocol: http/1.1"), "{log}");
}

#[test]
fn gnutls_server_sni() {
    // gnutls-serv prints the name our client sent.
    let (mut server, port) = gnutls_serv("server-p256", &["--priority", TLS12_ONLY]);
    our_client(port, client_config(), "testserver.com", |tls| {
        echo(tls, b"sni\n")
    })
    .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    let log = serv_summary(&mut server);
    assert!(
        log.contains("- Given server name[1]: testserver.com"),
        "{log}"
    );
}

/// `total` bytes of printable text in lines of 64 (63 characters and '\n').
fn text_lines(total: usize, seed: u64) -> Vec<u8> {
    const LINE: usize = 64;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut data: Vec<u8> = pseudo_random(total, seed)
        .into_iter()
        .map(|b| alphabet[(b & 63) as usize])
        .collect();
    for line in data.chunks_mut(LINE) {
        let last = line.len() - 1;
        line[last] = b'\n';
    }
    data
}

// interop-matrix: close_notify
#[test]
fn gnutls_server_1_byte_each_way() {
    let (mut server, port) = gnutls_serv("server-p256", &["--priority", TLS12_ONLY]);
    let (_, got) = our_client(port, client_config(), "localhost", |tls| echo(tls, b"\n"))
        .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert_eq!(got, b"\n");
    serv_summary(&mut server);
}

// interop-matrix: close_notify
#[test]
fn gnutls_server_16mib_each_way() {
    // gnutls-serv --echo is text-oriented (see `echo`), so the data is 16 MiB
    // of printable lines. We write 8 KiB, then read its 8 KiB of echo, so
    // neither side can block the other on a full socket.
    let data = text_lines(16 * MIB, 0x5eed_0000_0000_0016);
    let (server, port) = gnutls_serv(
        "server-rsa2048",
        &[
            "--priority",
            &suite_priority(suite(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)),
        ],
    );
    let (info, got) = our_client(port, client_config(), "localhost", |tls| {
        let mut got = Vec::with_capacity(data.len());
        for chunk in data.chunks(8 * 1024) {
            got.extend(echo(tls, chunk));
        }
        got
    })
    .unwrap_or_else(|e| panic!("{e:?}\n{}", server.log()));
    assert_same_bytes("echoed by gnutls-serv", &got, &data);
    assert_eq!(
        info.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

// ---------------------------------------------------------------------------
// Failures with gnutls-serv, as it sees them
// ---------------------------------------------------------------------------

#[test]
fn gnutls_server_no_common_suite() {
    // gnutls-serv allows only CBC suites, which our client never offers.
    let (mut server, port) = gnutls_serv(
        "server-p256",
        &[
            "--priority",
            &format!("{TLS12_ONLY}:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1:+SHA256"),
        ],
    );
    let err =
        our_client(port, client_config(), "localhost", |_| ()).expect_err("handshake must fail");
    assert!(
        server.wait_for_text("Error in handshake: No supported cipher suites have been found."),
        "{}",
        server.log()
    );
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HandshakeFailure),
        "{}",
        server.log()
    );
    assert!(!server.text().contains("- Options:"), "{}", server.log());
}

#[test]
fn gnutls_server_sees_bad_certificate_for_wrong_name() {
    let (mut server, port) = gnutls_serv("server-p256", &["--priority", TLS12_ONLY]);
    let err = our_client(port, client_config(), "wrong.example", |_| ())
        .expect_err("handshake must fail");
    assert_eq!(
        err,
        Error::Certificate(CertificateError::NotValidForName {
            expected: "wrong.example".into()
        })
    );
    assert_eq!(err.alert(), Some(AlertDescription::BadCertificate));
    assert!(
        server.wait_for_text("Received alert '42': Certificate is bad"),
        "{}",
        server.log()
    );
    assert!(!server.text().contains("- Options:"), "{}", server.log());
}

#[test]
fn gnutls_server_sees_bad_record_mac_for_corrupted_record() {
    let (mut server, port) = gnutls_serv("server-p256", &["--priority", TLS12_ONLY]);
    let mut sock = connect(port);
    let mut conn = ClientConnection::new(
        Arc::new(client_config()),
        name("localhost"),
        UnixTime::now(),
    )
    .unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    tls.complete_handshake()
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(echo(&mut tls, b"intact\n"), b"intact\n");
    drop(tls);

    // One application data record, with a byte of its ciphertext flipped.
    assert_eq!(conn.send(b"corrupted\n").unwrap(), 10);
    let mut record = conn.pending_output().to_vec();
    conn.consume_output(record.len());
    assert_eq!(record[0], 23, "an application_data record");
    assert_eq!(
        record.len(),
        5 + usize::from(u16::from_be_bytes([record[3], record[4]]))
    );
    let at = record.len() - 12; // inside the ciphertext, before the tag
    record[at] ^= 0x01;
    sock.write_all(&record).unwrap();

    // gnutls-serv fails to decrypt it and answers with a bad_record_mac
    // alert, which our client receives.
    assert!(
        server.wait_for_text("Error: Decryption has failed."),
        "{}",
        server.log()
    );
    let mut buf = [0u8; 64];
    let mut tls = Stream::new(&mut conn, &mut sock);
    let e = tls
        .read(&mut buf)
        .expect_err("gnutls-serv must not answer a corrupted record with data");
    drop(tls);
    assert_eq!(
        tls_error(&conn, &e),
        Error::AlertReceived(AlertDescription::BadRecordMac),
        "{}",
        server.log()
    );
}

// ---------------------------------------------------------------------------
// Our server, and gnutls-cli against it
// ---------------------------------------------------------------------------

/// What our server thread saw.
#[derive(Debug)]
struct ServerRun {
    info: Option<HandshakeInfo>,
    /// The first error, typed (handshake or later).
    error: Option<Error>,
    /// The application data it read.
    received: Vec<u8>,
    /// Whether the peer's close_notify arrived (ours is sent in reply).
    peer_closed: bool,
}

/// What our server sends once it has read what it expects.
enum Reply {
    /// What it read.
    Echo,
    /// These bytes.
    Bytes(Vec<u8>),
}

/// Runs our server for one connection in a thread: it completes the
/// handshake, reads until `expect` bytes have arrived, sends `reply`, then
/// reads until the peer's close_notify (answered with ours) or end of file.
///
/// Reading everything before replying keeps bulk transfers deadlock-free:
/// gnutls-cli (single-threaded, blocking socket) may be stuck writing to us
/// while we would be stuck writing to it.
fn our_server(config: ServerConfig, expect: usize, reply: Reply) -> OurServer<ServerRun> {
    our_server_thread(config, move |tls| {
        let mut run = ServerRun {
            info: None,
            error: None,
            received: Vec::new(),
            peer_closed: false,
        };
        let outcome = (|| -> io::Result<()> {
            tls.complete_handshake()?;
            run.info = tls.connection().handshake_info().cloned();
            let mut buf = vec![0u8; 64 * 1024];
            while run.received.len() < expect {
                match tls.read(&mut buf)? {
                    0 => break,
                    n => run.received.extend_from_slice(&buf[..n]),
                }
            }
            if !tls.connection().peer_closed() {
                match &reply {
                    Reply::Echo => tls.write_all(&run.received)?,
                    Reply::Bytes(b) => tls.write_all(b)?,
                }
            }
            loop {
                match tls.read(&mut buf)? {
                    0 => return Ok(()),
                    n => run.received.extend_from_slice(&buf[..n]),
                }
            }
        })();
        if let Err(e) = outcome {
            run.error = Some(tls_error(tls.connection(), &e));
        }
        run.peer_closed = tls.connection().peer_closed();
        run
    })
}

/// `gnutls-cli` connecting to 127.0.0.1:`port` (so it cannot reach another
/// listener on ::1), sending SNI `localhost` and checking that name against
/// ca.pem, with `args` added (later options win).
fn gnutls_cli(port: u16, args: &[&str]) -> Proc {
    check_gnutls();
    let logfile = temp_log_path("interop-gnutls");
    let mut cmd = Command::new("gnutls-cli");
    cmd.args(["--port", &port.to_string()])
        .args(["--x509cafile", &fixture_path("ca.pem")])
        .arg("--logfile")
        .arg(&logfile)
        .args([
            "--sni-hostname",
            "localhost",
            "--verify-hostname",
            "localhost",
        ])
        .args(args)
        .arg("127.0.0.1");
    Proc::spawn(cmd).with_logfile(logfile)
}

/// gnutls-cli sends `data` to our server, which answers with `reply` once it
/// has all of it. Once gnutls-cli has printed the whole answer, its stdin is
/// closed: it sends close_notify, which our server answers with its own, and
/// gnutls-cli exits. Returns gnutls-cli (exited), its stdout and our view.
fn cli_session(
    config: ServerConfig,
    args: &[&str],
    data: Vec<u8>,
    reply: Reply,
) -> (Proc, Vec<u8>, ServerRun) {
    let answer_len = match &reply {
        Reply::Echo => data.len(),
        Reply::Bytes(b) => b.len(),
    };
    let ours = our_server(config, data.len(), reply);
    let mut cli = gnutls_cli(ours.port, args);
    let stdin = cli.feed_stdin_handing_back(data);
    let start = Instant::now();
    while cli.stdout_len() < answer_len {
        if start.elapsed() > DEADLINE || cli.child.try_wait().unwrap().is_some() {
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    drop(stdin.recv_timeout(Duration::from_secs(1)));
    let status = cli.wait_exit();
    let run = ours.join();
    assert!(status.success(), "{}\nour server: {run:?}", cli.log());
    assert_eq!(run.error, None, "{}", cli.log());
    assert!(
        run.peer_closed,
        "no close_notify from gnutls-cli\n{}",
        cli.log()
    );
    let text = cli.text();
    // gnutls-cli received our close_notify (end of file without it reads
    // "*** Server has terminated the connection abnormally").
    assert!(
        text.contains("- Peer has closed the GnuTLS connection"),
        "{}",
        cli.log()
    );
    assert!(
        text.contains("- Status: The certificate is trusted."),
        "{}",
        cli.log()
    );
    assert!(text.contains("- Handshake was completed"), "{}", cli.log());
    let out = cli.stdout();
    (cli, out, run)
}

/// A line both ways; checks what both sides agree on and returns gnutls-cli's
/// messages and our view.
fn cli_echo(config: ServerConfig, args: &[&str]) -> (String, HandshakeInfo) {
    let line = b"ping from gnutls-cli\n".to_vec();
    let (cli, out, run) = cli_session(config, args, line.clone(), Reply::Echo);
    assert_eq!(run.received, line);
    assert_eq!(out, line, "{}", cli.log());
    let info = run.info.unwrap();
    assert_eq!(info.version, ProtocolVersion::Tls12);
    assert!(info.extended_master_secret);
    assert!(info.secure_renegotiation);
    assert!(info.peer_certificates.is_empty(), "no client certificate");
    assert_eq!(info.server_name.as_deref(), Some("localhost"));
    let text = cli.text();
    assert!(
        text.contains("- Description: (TLS1.2-X.509)-"),
        "{}",
        cli.log()
    );
    assert!(
        text.contains("- Options: extended master secret, safe renegotiation"),
        "{}",
        cli.log()
    );
    (text, info)
}

/// The `- Description:` line's suite part that gnutls-cli prints for `ours`
/// (signature algorithm aside).
fn assert_cli_suite(text: &str, ours: CipherSuite) {
    let s = suite(ours);
    let sig = if s.kx == "ECDHE-RSA" {
        ")-(RSA-"
    } else {
        ")-(ECDSA-"
    };
    let line = text
        .lines()
        .find(|l| l.starts_with("- Description: "))
        .unwrap_or_else(|| panic!("no description\n{text}"));
    assert!(line.contains(sig), "{line}");
    assert!(line.ends_with(&format!(")-({})", s.cipher)), "{line}");
}

fn cli_suite(ours: CipherSuite) {
    let s = suite(ours);
    let (text, info) = cli_echo(
        server_config(s.identity),
        &["--priority", &suite_priority(s)],
    );
    assert_eq!(info.cipher_suite, ours);
    assert_cli_suite(&text, ours);
}

#[test]
fn gnutls_client_default_priority_lands_on_tls12() {
    // gnutls-cli's default priority offers TLS 1.3 (supported_versions) and
    // checks the RFC 8446 downgrade sentinel in our ServerHello random.
    let (text, info) = cli_echo(server_config("server-p256"), &[]);
    assert_cli_suite(&text, info.cipher_suite);
}

#[test]
fn gnutls_client_tls12_priority() {
    let (text, info) = cli_echo(server_config("server-rsa2048"), &["--priority", TLS12_ONLY]);
    assert_cli_suite(&text, info.cipher_suite);
}

table_tests! {
    cli_suite;
    gnutls_client_ecdhe_ecdsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    gnutls_client_ecdhe_ecdsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    gnutls_client_ecdhe_ecdsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    gnutls_client_ecdhe_rsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    gnutls_client_ecdhe_rsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
    gnutls_client_ecdhe_rsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);
}

fn cli_group(identity: &str, gnutls_group: &str, ours: NamedGroup) {
    let (text, info) = cli_echo(
        server_config(identity),
        &["--priority", &group_priority(gnutls_group)],
    );
    assert_eq!(info.group, Some(ours));
    assert!(
        text.contains(&format!(")-(ECDHE-{gnutls_group})-(")),
        "{text}"
    );
}

#[test]
fn gnutls_client_group_x25519() {
    // GnuTLS lists only x25519, so the certificate must not be tied to a
    // curve (RFC 8422 §5.3): Ed25519.
    cli_group("server-ed25519", "X25519", NamedGroup::X25519);
}

table_tests! {
    cli_group;
    gnutls_client_group_secp256r1: ("server-rsa2048", "SECP256R1", NamedGroup::Secp256r1);
    gnutls_client_group_secp384r1: ("server-p384", "SECP384R1", NamedGroup::Secp384r1);
}

#[test]
fn gnutls_client_ecdsa_p384_certificate() {
    let (text, info) = cli_echo(server_config("server-p384"), &["--priority", TLS12_ONLY]);
    assert_eq!(suite(info.cipher_suite).kx, "ECDHE-ECDSA");
    assert!(text.contains("EC/ECDSA key 384 bits"), "{text}");
}

#[test]
fn gnutls_client_rsa_certificate() {
    let (text, info) = cli_echo(server_config("server-rsa2048"), &["--priority", TLS12_ONLY]);
    assert_eq!(suite(info.cipher_suite).kx, "ECDHE-RSA");
    assert!(text.contains("RSA key 2048 bits"), "{text}");
}

#[test]
fn gnutls_client_ed25519_certificate() {
    let (text, info) = cli_echo(server_config("server-ed25519"), &["--priority", TLS12_ONLY]);
    assert_eq!(info.signature_scheme, Some(SignatureScheme::Ed25519));
    assert!(text.contains(")-(EdDSA-Ed25519)-("), "{text}");
}

#[test]
fn gnutls_client_alpn_h2() {
    let mut config = server_config("server-p256");
    config.alpn_protocols = vec![b"h2".to_vec()].into();
    let (text, info) = cli_echo(config, &["--alpn", "http/1.1", "--alpn", "h2"]);
    assert_eq!(info.alpn_protocol.as_deref(), Some(&b"h2"[..]));
    assert!(text.contains("- Application protocol: h2"), "{text}");
}

#[test]
fn gnutls_client_sni() {
    // A name other than the default, so it is certainly the one gnutls-cli
    // sent: our server reports it.
    let (cli, _, run) = cli_session(
        server_config("server-p256"),
        &[
            "--sni-hostname",
            "testserver.com",
            "--verify-hostname",
            "testserver.com",
        ],
        b"sni\n".to_vec(),
        Reply::Echo,
    );
    assert_eq!(
        run.info.unwrap().server_name.as_deref(),
        Some("testserver.com"),
        "{}",
        cli.log()
    );
}

// interop-matrix: close_notify
#[test]
fn gnutls_client_1_byte_each_way() {
    let (cli, out, run) = cli_session(
        server_config("server-p256"),
        &["--priority", TLS12_ONLY],
        vec![0xa5],
        Reply::Bytes(vec![0x00]),
    );
    assert_eq!(run.received, [0xa5]);
    assert_eq!(out, [0x00], "{}", cli.log());
}

// interop-matrix: close_notify
#[test]
fn gnutls_client_16mib_to_us_1mib_back() {
    // 16 MiB of binary data from gnutls-cli to us. The answer is 1 MiB:
    // gnutls-cli writes what it receives to stdout one byte per write(2)
    // (about 0.8 MB/s), so 16 MiB back would take over 20 s. The 16 MiB
    // GnuTLS -> tls12 direction is covered by gnutls_server_16mib_each_way.
    let data = pseudo_random(16 * MIB, 0x5eed_0000_0001_0016);
    let answer = pseudo_random(MIB, 0x5eed_0000_0002_0001);
    let (cli, out, run) = cli_session(
        server_config("server-rsa2048"),
        &["--priority", TLS12_ONLY],
        data.clone(),
        Reply::Bytes(answer.clone()),
    );
    assert_same_bytes("received by our server", &run.received, &data);
    assert_same_bytes("received by gnutls-cli", &out, &answer);
    drop(cli);
}

// ---------------------------------------------------------------------------
// Failures with gnutls-cli, as it sees them
// ---------------------------------------------------------------------------

/// gnutls-cli against our server when the handshake must fail: returns
/// gnutls-cli's messages and our server's error.
fn cli_refused(config: ServerConfig, args: &[&str]) -> (String, Error) {
    let ours = our_server(config, 1, Reply::Echo);
    let mut cli = gnutls_cli(ours.port, args);
    let _stdin = cli.feed_stdin_handing_back(b"x".to_vec());
    let status = cli.wait_exit();
    let run = ours.join();
    assert!(!status.success(), "{}", cli.log());
    assert!(run.info.is_none(), "{run:?}");
    let text = cli.text();
    assert!(
        text.contains("*** Fatal error: A TLS fatal alert has been received."),
        "{}",
        cli.log()
    );
    assert!(!text.contains("- Handshake was completed"), "{}", cli.log());
    (text, run.error.expect("our server must fail"))
}

#[test]
fn gnutls_client_tls11_gets_protocol_version_alert() {
    let (text, err) = cli_refused(
        server_config("server-p256"),
        &["--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.1"],
    );
    assert!(
        text.contains("*** Received alert [70]: Error in protocol version"),
        "{text}"
    );
    assert_eq!(
        err,
        Error::UnsupportedVersion {
            peer: ProtocolVersion::Tls11
        }
    );
}

#[test]
fn gnutls_client_alpn_mismatch_gets_no_application_protocol() {
    let mut config = server_config("server-p256");
    config.alpn_protocols = vec![b"h2".to_vec()].into();
    let (text, err) = cli_refused(config, &["--alpn", "http/1.1"]);
    assert!(
        text.contains(
            "*** Received alert [120]: No supported application protocol could be negotiated"
        ),
        "{text}"
    );
    assert_eq!(err.alert(), Some(AlertDescription::NoApplicationProtocol));
}
