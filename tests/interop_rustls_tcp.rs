//! Interop with rustls 0.23 (ring provider, TLS 1.2 only) over loopback TCP:
//! rustls's `StreamOwned` on a std `TcpStream` in one thread, our
//! `Stream` in the test thread. Every suite in both roles, every group,
//! ECDSA and RSA certificates, ALPN and SNI, 1 byte and 16 MiB each way, and
//! close_notify both ways.
//!
//! Every socket has read and write timeouts and every wait a deadline, so a
//! misbehaving peer fails a test instead of hanging it.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use common::peer::{
    accept_before_deadline, listen, pseudo_random, timeouts, tls_error, DEADLINE, MIB,
};
use common::{certs, client_config, key, name, server_config};
use rustls::crypto::ring as rring;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::SupportedCipherSuite;
use tls12::pki_types::UnixTime;
use tls12::{
    CipherSuite, ClientConfig, ClientConnection, Connection, HandshakeInfo, NamedGroup,
    ProtocolVersion, ServerConfig, ServerConnection, Stream,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Accepts the peer's connection (with a deadline); the socket has
/// timeouts.
fn accept(listener: &TcpListener) -> TcpStream {
    accept_before_deadline(listener).unwrap_or_else(|| panic!("no connection within {DEADLINE:?}"))
}

/// Connects once (the listener is already bound); the socket has timeouts.
fn connect(port: u16) -> TcpStream {
    let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    timeouts(&sock);
    sock
}

/// The same conversation for both sides, whatever the library: 1 byte from
/// the client, 1 back, `big` from the client, `big` back. One side writes
/// while the other reads, so neither can block the other on a full socket.
/// Returns what this side read: the byte, then the bulk.
fn converse(s: &mut impl ReadWrite, is_client: bool, one: u8, big: &[u8]) -> (u8, Vec<u8>) {
    let mut byte = [0u8; 1];
    let mut bulk = vec![0u8; big.len()];
    if is_client {
        s.write_all(&[one]).unwrap();
        s.read_exact(&mut byte).expect("reading 1 byte");
        s.write_all(big).unwrap();
        s.read_exact(&mut bulk).expect("reading the bulk");
    } else {
        s.read_exact(&mut byte).expect("reading 1 byte");
        s.write_all(&[one]).unwrap();
        s.read_exact(&mut bulk).expect("reading the bulk");
        s.write_all(big).unwrap();
    }
    s.flush().unwrap();
    (byte[0], bulk)
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

// ---------------------------------------------------------------------------
// rustls configuration (real time: the fixtures are valid from 2026-11-22)
// ---------------------------------------------------------------------------

/// The ring provider restricted to `suites` and `groups` (empty = all of
/// rustls's TLS 1.2 suites / all its groups).
fn provider(
    suites: &[SupportedCipherSuite],
    groups: &[&'static dyn SupportedKxGroup],
) -> Arc<CryptoProvider> {
    let base = rring::default_provider();
    let cipher_suites = if suites.is_empty() {
        base.cipher_suites
            .iter()
            .copied()
            .filter(|s| s.tls13().is_none())
            .collect()
    } else {
        suites.to_vec()
    };
    let kx_groups = if groups.is_empty() {
        base.kx_groups.clone()
    } else {
        groups.to_vec()
    };
    Arc::new(CryptoProvider {
        cipher_suites,
        kx_groups,
        ..base
    })
}

fn rustls_client_config(
    suites: &[SupportedCipherSuite],
    groups: &[&'static dyn SupportedKxGroup],
) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for c in certs("ca.pem") {
        roots.add(c).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(provider(suites, groups))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

fn rustls_server_config(
    identity: &str,
    suites: &[SupportedCipherSuite],
    groups: &[&'static dyn SupportedKxGroup],
) -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_provider(provider(suites, groups))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            certs(&format!("{identity}.chain.pem")),
            key(&format!("{identity}.key")),
        )
        .unwrap()
}

// ---------------------------------------------------------------------------
// One connection, rustls in a thread and ours in the test thread
// ---------------------------------------------------------------------------

/// What the rustls side saw.
#[derive(Debug)]
struct RustlsRun {
    suite: u16,
    group: Option<u16>,
    alpn: Option<Vec<u8>>,
    /// The SNI rustls's server received (None on a rustls client).
    sni: Option<String>,
    byte: u8,
    bulk: Vec<u8>,
    /// rustls's read after the conversation returned Ok(0): our close_notify.
    read_after: Result<usize, String>,
}

/// What our side saw.
#[derive(Debug)]
struct OursRun {
    info: HandshakeInfo,
    byte: u8,
    bulk: Vec<u8>,
    /// Our read after the conversation: Ok(0) for rustls's close_notify.
    read_after: Result<usize, String>,
    peer_closed: bool,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Closer {
    Ours,
    Rustls,
}

/// The rustls half: converse, then close in turn. Run in a thread.
fn rustls_side<C, S>(
    mut tls: rustls::StreamOwned<C, TcpStream>,
    is_client: bool,
    big: Vec<u8>,
    closer: Closer,
    sni: impl FnOnce(&C) -> Option<String>,
) -> RustlsRun
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    let (byte, bulk) = converse(&mut tls, is_client, 0xa5, &big);
    let mut buf = [0u8; 16];
    let read_after = if closer == Closer::Rustls {
        tls.conn.send_close_notify();
        tls.flush().unwrap();
        tls.read(&mut buf).map_err(|e| e.to_string())
    } else {
        let r = tls.read(&mut buf).map_err(|e| e.to_string());
        // rustls does not answer close_notify by itself.
        tls.conn.send_close_notify();
        tls.flush().unwrap();
        r
    };
    RustlsRun {
        suite: u16::from(tls.conn.negotiated_cipher_suite().unwrap().suite()),
        group: tls
            .conn
            .negotiated_key_exchange_group()
            .map(|g| u16::from(g.name())),
        alpn: tls.conn.alpn_protocol().map(<[u8]>::to_vec),
        sni: sni(&tls.conn),
        byte,
        bulk,
        read_after,
    }
}

/// Our half: handshake, converse, close in turn.
fn ours_side(
    conn: &mut Connection,
    sock: &mut TcpStream,
    is_client: bool,
    big: &[u8],
    closer: Closer,
) -> OursRun {
    let mut tls = Stream::new(conn, sock);
    if let Err(e) = tls.complete_handshake() {
        drop(tls);
        panic!("our handshake failed: {:?}", tls_error(conn, &e));
    }
    let info = tls.connection().handshake_info().cloned().unwrap();
    let (byte, bulk) = converse(&mut tls, is_client, 0x5a, big);
    let mut buf = [0u8; 16];
    let read_after = if closer == Closer::Ours {
        tls.close().unwrap();
        tls.read(&mut buf).map_err(|e| e.to_string())
    } else {
        // Stream answers the peer's close_notify with ours.
        tls.read(&mut buf).map_err(|e| e.to_string())
    };
    let peer_closed = tls.connection().peer_closed();
    OursRun {
        info,
        byte,
        bulk,
        read_after,
        peer_closed,
    }
}

fn join(rx: mpsc::Receiver<RustlsRun>) -> RustlsRun {
    rx.recv_timeout(DEADLINE + Duration::from_secs(5))
        .expect("the rustls thread panicked (see its message above) or did not finish in time")
}

/// A rustls client (`rc`) connecting to our server (`sc`) as `server_name`.
fn rustls_client_run(
    rc: rustls::ClientConfig,
    sc: ServerConfig,
    server_name: &str,
    big: usize,
    closer: Closer,
) -> (RustlsRun, OursRun) {
    let data = pseudo_random(big, 0xc11e_0000 + big as u64);
    let (listener, port) = listen();
    let (tx, rx) = mpsc::channel();
    let sname = name(server_name);
    let theirs = data.clone();
    thread::spawn(move || {
        let conn = rustls::ClientConnection::new(Arc::new(rc), sname).unwrap();
        let tls = rustls::StreamOwned::new(conn, connect(port));
        let _ = tx.send(rustls_side(tls, true, theirs, closer, |_| None));
    });
    let mut sock = accept(&listener);
    let mut conn = ServerConnection::new(Arc::new(sc), tls12::pki_types::UnixTime::now()).unwrap();
    let ours = ours_side(&mut conn, &mut sock, false, &data, closer);
    let theirs = join(rx);
    check_both(&theirs, &ours, &data);
    (theirs, ours)
}

/// Our client (`cc`) connecting as `server_name` to a rustls server (`rs`).
fn rustls_server_run(
    cc: ClientConfig,
    rs: rustls::ServerConfig,
    server_name: &str,
    big: usize,
    closer: Closer,
) -> (RustlsRun, OursRun) {
    let data = pseudo_random(big, 0x5e4e_0000 + big as u64);
    let (listener, port) = listen();
    let (tx, rx) = mpsc::channel();
    let theirs = data.clone();
    thread::spawn(move || {
        let conn = rustls::ServerConnection::new(Arc::new(rs)).unwrap();
        let tls = rustls::StreamOwned::new(conn, accept(&listener));
        let _ = tx.send(rustls_side(tls, false, theirs, closer, |c| {
            c.server_name().map(str::to_owned)
        }));
    });
    let mut sock = connect(port);
    let mut conn = ClientConnection::new(Arc::new(cc), name(server_name), UnixTime::now()).unwrap();
    let ours = ours_side(&mut conn, &mut sock, true, &data, closer);
    let theirs = join(rx);
    check_both(&theirs, &ours, &data);
    (theirs, ours)
}

/// Both sides agree on what was negotiated, every byte arrived, and each saw
/// the other's close_notify.
fn check_both(theirs: &RustlsRun, ours: &OursRun, data: &[u8]) {
    assert_eq!(ours.info.version, ProtocolVersion::Tls12);
    assert_eq!(theirs.suite, ours.info.cipher_suite.to_wire());
    assert_eq!(theirs.group, ours.info.group.map(NamedGroup::to_wire));
    assert_eq!(theirs.alpn.as_deref(), ours.info.alpn_protocol.as_deref());
    assert!(ours.info.extended_master_secret);
    assert!(ours.info.secure_renegotiation);
    assert_eq!(theirs.byte, 0x5a);
    assert_eq!(ours.byte, 0xa5);
    assert_eq!(theirs.bulk.len(), data.len());
    assert!(theirs.bulk == data, "rustls received corrupted data");
    assert_eq!(ours.bulk.len(), data.len());
    assert!(ours.bulk == data, "we received corrupted data");
    assert_eq!(
        theirs.read_after,
        Ok(0),
        "rustls's read after our close_notify"
    );
    assert_eq!(
        ours.read_after,
        Ok(0),
        "our read after rustls's close_notify"
    );
    assert!(ours.peer_closed, "we did not see rustls's close_notify");
}

// ---------------------------------------------------------------------------
// Every suite, both roles: 1 byte and 16 MiB each way
// ---------------------------------------------------------------------------

fn identity_for(suite: CipherSuite) -> &'static str {
    if suite.name().unwrap().contains("ECDSA") {
        "server-p256"
    } else {
        "server-rsa2048"
    }
}

fn rustls_client_suite(suite: CipherSuite, rsuite: SupportedCipherSuite, closer: Closer) {
    let (_, ours) = rustls_client_run(
        rustls_client_config(&[rsuite], &[]),
        server_config(identity_for(suite)),
        "localhost",
        16 * MIB,
        closer,
    );
    assert_eq!(ours.info.cipher_suite, suite);
    assert_eq!(ours.info.server_name.as_deref(), Some("localhost"));
    // rustls offers x25519 first.
    assert_eq!(ours.info.group, Some(NamedGroup::X25519));
    assert!(
        ours.info.peer_certificates.is_empty(),
        "no client certificate"
    );
}

fn rustls_server_suite(suite: CipherSuite, rsuite: SupportedCipherSuite, closer: Closer) {
    let (theirs, ours) = rustls_server_run(
        client_config(),
        rustls_server_config(identity_for(suite), &[rsuite], &[]),
        "localhost",
        16 * MIB,
        closer,
    );
    assert_eq!(ours.info.cipher_suite, suite);
    assert_eq!(theirs.sni.as_deref(), Some("localhost"));
    assert_eq!(ours.info.group, Some(NamedGroup::X25519));
    assert_eq!(ours.info.peer_certificates.len(), 2, "leaf + intermediate");
}

table_tests! {
    rustls_client_suite;
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_client_ecdhe_ecdsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Closer::Ours);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_client_ecdhe_ecdsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, Closer::Rustls);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_client_ecdhe_ecdsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, Closer::Ours);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_client_ecdhe_rsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, Closer::Rustls);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_client_ecdhe_rsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, Closer::Ours);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_client_ecdhe_rsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, Closer::Rustls);
}

table_tests! {
    rustls_server_suite;
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_server_ecdhe_ecdsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Closer::Rustls);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_server_ecdhe_ecdsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, Closer::Ours);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_server_ecdhe_ecdsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, Closer::Rustls);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_server_ecdhe_rsa_aes128_gcm_sha256: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, Closer::Ours);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_server_ecdhe_rsa_aes256_gcm_sha384: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, Closer::Rustls);
    // interop-matrix: 1 byte, 16 MiB, close_notify, SNI, groups=x25519
    rustls_server_ecdhe_rsa_chacha20_poly1305: (CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, Closer::Ours);
}

// ---------------------------------------------------------------------------
// Groups, both roles (1 byte and 1 MiB each way)
// ---------------------------------------------------------------------------

fn rustls_client_group(group: NamedGroup, rgroup: &'static dyn SupportedKxGroup) {
    let (_, ours) = rustls_client_run(
        // rustls lists only `rgroup` in supported_groups, so the
        // certificate must not be tied to a curve (RFC 8422 §5.3): Ed25519.
        rustls_client_config(&[], &[rgroup]),
        server_config("server-ed25519"),
        "localhost",
        MIB,
        Closer::Ours,
    );
    assert_eq!(ours.info.group, Some(group));
}

fn rustls_server_group(group: NamedGroup, rgroup: &'static dyn SupportedKxGroup) {
    let (_, ours) = rustls_server_run(
        client_config(),
        rustls_server_config("server-rsa2048", &[], &[rgroup]),
        "localhost",
        MIB,
        Closer::Rustls,
    );
    assert_eq!(ours.info.group, Some(group));
}

table_tests! {
    rustls_client_group;
    // interop-matrix: Ed25519 / P-384 cert, 1 byte, close_notify
    rustls_client_group_x25519: (NamedGroup::X25519, rring::kx_group::X25519);
    // interop-matrix: Ed25519 / P-384 cert, 1 byte, close_notify
    rustls_client_group_secp256r1: (NamedGroup::Secp256r1, rring::kx_group::SECP256R1);
    // interop-matrix: Ed25519 / P-384 cert, 1 byte, close_notify
    rustls_client_group_secp384r1: (NamedGroup::Secp384r1, rring::kx_group::SECP384R1);
}

table_tests! {
    rustls_server_group;
    // interop-matrix: RSA cert, 1 byte, close_notify
    rustls_server_group_x25519: (NamedGroup::X25519, rring::kx_group::X25519);
    // interop-matrix: RSA cert, 1 byte, close_notify
    rustls_server_group_secp256r1: (NamedGroup::Secp256r1, rring::kx_group::SECP256R1);
    // interop-matrix: RSA cert, 1 byte, close_notify
    rustls_server_group_secp384r1: (NamedGroup::Secp384r1, rring::kx_group::SECP384R1);
}

// ---------------------------------------------------------------------------
// ALPN and SNI, both roles
// ---------------------------------------------------------------------------

// interop-matrix: RSA cert, 1 byte, close_notify
#[test]
fn rustls_client_alpn_and_sni_reach_our_server() {
    let mut rc = rustls_client_config(&[], &[]);
    rc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut sc = server_config("server-rsa2048");
    sc.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()].into();
    let (theirs, ours) = rustls_client_run(rc, sc, "testserver.com", 1, Closer::Rustls);
    // Our server's preference decides.
    assert_eq!(ours.info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(theirs.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(ours.info.server_name.as_deref(), Some("testserver.com"));
}

// interop-matrix: ECDSA cert, 1 byte, close_notify
#[test]
fn rustls_server_alpn_and_sni_from_our_client() {
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let mut rs = rustls_server_config("server-p256", &[], &[]);
    rs.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let (theirs, ours) = rustls_server_run(cc, rs, "testserver.com", 1, Closer::Ours);
    // rustls's server preference decides.
    assert_eq!(theirs.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(ours.info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(theirs.sni.as_deref(), Some("testserver.com"));
}
