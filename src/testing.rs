//! The one test harness: the fixture PKI, the fixed time, a connected
//! client/server pair that steps and drives both sides, and raw record and
//! handshake-message builders.
//!
//! Compiled for the crate's own tests, for `tests/` and `benches/` (through
//! the `testing` feature, which the crate's dev-dependency on itself turns
//! on) and for the fuzzing harness. Not part of the supported API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test harness: a broken fixture or a stuck pair is a test failure"
)]

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::{
    AlertDescription, ClientConfig, ClientConnection, Connection, Error, Event, RootCertStore,
    ServerConfig, ServerConnection,
};

/// 2030-01-01T00:00:00Z, in seconds: inside every fixture's validity except
/// `server-expired`'s.
pub const NOW_SECS: u64 = 1_893_456_000;

/// The fixed time every test runs at ([`NOW_SECS`]).
pub fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW_SECS))
}

/// `now()` plus `secs`.
pub fn now_plus(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW_SECS + secs))
}

/// The PEM files of `tests/fixtures/`, compiled in so that no test depends
/// on the working directory.
const FIXTURES: &[(&str, &[u8])] = &[
    ("ca.pem", include_bytes!("../tests/fixtures/ca.pem")),
    (
        "other-ca.pem",
        include_bytes!("../tests/fixtures/other-ca.pem"),
    ),
    ("inter.pem", include_bytes!("../tests/fixtures/inter.pem")),
    (
        "server-rsa2048-kx-only.chain.pem",
        include_bytes!("../tests/fixtures/server-rsa2048-kx-only.chain.pem"),
    ),
    (
        "server-rsa2048-kx-only.key",
        include_bytes!("../tests/fixtures/server-rsa2048-kx-only.key"),
    ),
    (
        "server-rsa2048-kx.chain.pem",
        include_bytes!("../tests/fixtures/server-rsa2048-kx.chain.pem"),
    ),
    (
        "server-rsa2048-kx.pem",
        include_bytes!("../tests/fixtures/server-rsa2048-kx.pem"),
    ),
    (
        "server-rsa2048-kx.key",
        include_bytes!("../tests/fixtures/server-rsa2048-kx.key"),
    ),
    (
        "server-p256.chain.pem",
        include_bytes!("../tests/fixtures/server-p256.chain.pem"),
    ),
    (
        "server-p256.pem",
        include_bytes!("../tests/fixtures/server-p256.pem"),
    ),
    (
        "server-p256.key",
        include_bytes!("../tests/fixtures/server-p256.key"),
    ),
    (
        "server-p256.sec1.key",
        include_bytes!("../tests/fixtures/server-p256.sec1.key"),
    ),
    (
        "server-p384.chain.pem",
        include_bytes!("../tests/fixtures/server-p384.chain.pem"),
    ),
    (
        "server-p384.pem",
        include_bytes!("../tests/fixtures/server-p384.pem"),
    ),
    (
        "server-p384.key",
        include_bytes!("../tests/fixtures/server-p384.key"),
    ),
    (
        "server-ed25519.chain.pem",
        include_bytes!("../tests/fixtures/server-ed25519.chain.pem"),
    ),
    (
        "server-ed25519.pem",
        include_bytes!("../tests/fixtures/server-ed25519.pem"),
    ),
    (
        "server-ed25519.key",
        include_bytes!("../tests/fixtures/server-ed25519.key"),
    ),
    (
        "server-rsa2048.chain.pem",
        include_bytes!("../tests/fixtures/server-rsa2048.chain.pem"),
    ),
    (
        "server-rsa2048.pem",
        include_bytes!("../tests/fixtures/server-rsa2048.pem"),
    ),
    (
        "server-rsa2048.key",
        include_bytes!("../tests/fixtures/server-rsa2048.key"),
    ),
    (
        "server-rsa2048.pkcs1.key",
        include_bytes!("../tests/fixtures/server-rsa2048.pkcs1.key"),
    ),
    (
        "server-expired.chain.pem",
        include_bytes!("../tests/fixtures/server-expired.chain.pem"),
    ),
    (
        "server-expired.key",
        include_bytes!("../tests/fixtures/server-expired.key"),
    ),
    (
        "other-server-p256.chain.pem",
        include_bytes!("../tests/fixtures/other-server-p256.chain.pem"),
    ),
    (
        "other-server-p256.key",
        include_bytes!("../tests/fixtures/other-server-p256.key"),
    ),
    (
        "client-p256.chain.pem",
        include_bytes!("../tests/fixtures/client-p256.chain.pem"),
    ),
    (
        "client-p256.key",
        include_bytes!("../tests/fixtures/client-p256.key"),
    ),
    (
        "client-p384.chain.pem",
        include_bytes!("../tests/fixtures/client-p384.chain.pem"),
    ),
    (
        "client-p384.key",
        include_bytes!("../tests/fixtures/client-p384.key"),
    ),
    (
        "client-ed25519.chain.pem",
        include_bytes!("../tests/fixtures/client-ed25519.chain.pem"),
    ),
    (
        "client-ed25519.key",
        include_bytes!("../tests/fixtures/client-ed25519.key"),
    ),
    (
        "client-rsa2048.chain.pem",
        include_bytes!("../tests/fixtures/client-rsa2048.chain.pem"),
    ),
    (
        "client-rsa2048.key",
        include_bytes!("../tests/fixtures/client-rsa2048.key"),
    ),
    (
        "other-client-p256.chain.pem",
        include_bytes!("../tests/fixtures/other-client-p256.chain.pem"),
    ),
    (
        "other-client-p256.key",
        include_bytes!("../tests/fixtures/other-client-p256.key"),
    ),
];

/// The server identities in `tests/fixtures/`, one per kind of key.
pub const SERVER_KEYS: &[&str] = &[
    "server-p256",
    "server-p384",
    "server-ed25519",
    "server-rsa2048",
];

/// The client identities in `tests/fixtures/`, one per kind of key.
pub const CLIENT_KEYS: &[&str] = &[
    "client-p256",
    "client-p384",
    "client-ed25519",
    "client-rsa2048",
];

/// The bytes of fixture `name` (a file name in `tests/fixtures/`).
pub fn fixture(name: &str) -> &'static [u8] {
    FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

/// The certificates in PEM fixture `name`.
pub fn certs(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(fixture(name))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// The private key in PEM fixture `name`.
pub fn key(name: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_slice(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// A chain and key: `identity` is a fixture stem such as `server-p256`.
pub fn identity(identity: &str) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    (
        certs(&alloc::format!("{identity}.chain.pem")),
        key(&alloc::format!("{identity}.key")),
    )
}

/// Trust anchors from PEM fixture `name`.
pub fn roots_from(name: &str) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for c in certs(name) {
        roots.add(&c).unwrap();
    }
    roots
}

/// The test CA that issued every fixture but the `other-*` ones.
pub fn roots() -> RootCertStore {
    roots_from("ca.pem")
}

/// A server configuration with fixture identity `identity`.
pub fn server_config(identity: &str) -> ServerConfig {
    let (chain, key) = self::identity(identity);
    ServerConfig::new(chain, key).unwrap()
}

/// A client configuration trusting the test CA.
pub fn client_config() -> ClientConfig {
    ClientConfig::new(roots())
}

/// `n` as a server name.
pub fn name(n: &str) -> ServerName<'static> {
    ServerName::try_from(n.to_string()).unwrap()
}

/// A client for `server_name` and a server, both at [`now`], not yet
/// connected.
pub fn pair_with(
    client: ClientConfig,
    server: ServerConfig,
    server_name: &str,
) -> (ClientConnection, ServerConnection) {
    pair_from(Arc::new(client), Arc::new(server), server_name)
}

/// As [`pair_with`], sharing configurations already built.
pub fn pair_from(
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    server_name: &str,
) -> (ClientConnection, ServerConnection) {
    let c = ClientConnection::new(client, name(server_name), now()).unwrap();
    let s = ServerConnection::new(server, now()).unwrap();
    (c, s)
}

/// Areas of `sizes` and a handshake slot, leaked for the test's life: the
/// stand-in for a device's statics. The arena is filled with 0xa5, so that
/// a test sees what the connection clears.
pub fn lend(sizes: crate::AreaSizes) -> crate::Areas {
    let arena: &'static mut [u8] =
        alloc::boxed::Box::leak(alloc::vec![0xa5; sizes.total()].into_boxed_slice());
    let slot = alloc::boxed::Box::leak(alloc::boxed::Box::new(crate::HandshakeSlot::new()));
    crate::Areas::split(arena, sizes, slot).unwrap()
}

/// Whether every area of `areas` holds only zeros, as a connection gives
/// them back.
pub fn cleared(areas: &crate::Areas) -> bool {
    areas
        .bytes()
        .iter()
        .all(|area| area.iter().all(|&b| b == 0))
}

/// The default pair: a client for `localhost` and a server with fixture
/// identity `identity`.
pub fn pair(identity: &str) -> (ClientConnection, ServerConnection) {
    pair_with(client_config(), server_config(identity), "localhost")
}

/// Which end of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// Everything `conn` has queued for the peer, taken.
pub fn take_output(conn: &mut Connection) -> Vec<u8> {
    let out = conn.pending_output().to_vec();
    conn.consume_output(out.len());
    out
}

/// Received application data not yet read, taken.
pub fn drain_plaintext(conn: &mut Connection) -> Vec<u8> {
    let out = conn.plaintext().to_vec();
    conn.consume_plaintext(out.len());
    out
}

/// The events queued on `conn`, taken.
pub fn events(conn: &mut Connection) -> Vec<Event> {
    core::iter::from_fn(|| conn.next_event()).collect()
}

/// Moves everything `from` has queued into `to`, `chunk` bytes at a time,
/// reading plaintext whenever `to`'s buffer is full. Returns how many bytes
/// moved, or the receiver's error.
pub fn transfer_chunked(
    from: &mut Connection,
    to: &mut Connection,
    chunk: usize,
) -> Result<usize, Error> {
    let data = take_output(from);
    let mut offered = &data[..];
    while !offered.is_empty() {
        let n = offered.len().min(chunk.max(1));
        let used = to.receive(&offered[..n])?;
        if used == 0 {
            if to.peer_closed() {
                break;
            }
            drain_plaintext(to);
            continue;
        }
        offered = &offered[used..];
    }
    Ok(data.len())
}

/// Moves everything `from` has queued into `to` in one piece.
pub fn transfer(from: &mut Connection, to: &mut Connection) -> Result<usize, Error> {
    transfer_chunked(from, to, usize::MAX)
}

/// Runs the handshake to completion, or to the first error, returned with
/// the side it happened on. Panics if it neither finishes nor fails.
pub fn handshake(c: &mut Connection, s: &mut Connection) -> Result<(), (Side, Error)> {
    for _ in 0..20 {
        if !c.is_handshaking() && !s.is_handshaking() {
            return Ok(());
        }
        transfer(c, s).map_err(|e| (Side::Server, e))?;
        transfer(s, c).map_err(|e| (Side::Client, e))?;
    }
    panic!("handshake did not finish");
}

/// A default pair ([`pair`]) with its handshake done and events drained.
pub fn established(identity: &str) -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = pair(identity);
    handshake(&mut c, &mut s).unwrap();
    events(&mut c);
    events(&mut s);
    (c, s)
}

/// Sends `data` from `a` to `b` through both record layers and returns what
/// `b` read.
pub fn send_and_receive(a: &mut Connection, b: &mut Connection, data: &[u8]) -> Vec<u8> {
    let mut got = Vec::with_capacity(data.len());
    let mut rest = data;
    while !rest.is_empty() {
        let n = a.send(rest).unwrap();
        rest = &rest[n..];
        let out = take_output(a);
        let mut offered = &out[..];
        while !offered.is_empty() {
            let used = b.receive(offered).unwrap();
            offered = &offered[used..];
            got.extend(drain_plaintext(b));
        }
    }
    got.extend(drain_plaintext(b));
    got
}

/// A record: `typ`, `version` (e.g. `0x0303`), a length and `body`.
pub fn record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// A handshake message: `typ`, a 24-bit length and `body` (RFC 5246 §7.4).
pub fn handshake_msg(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![typ];
    m.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

/// A TLS 1.2 plaintext handshake record holding `msg`.
pub fn hs_record(msg: &[u8]) -> Vec<u8> {
    record(22, 0x0303, msg)
}

/// A TLS 1.2 plaintext ChangeCipherSpec record.
pub fn ccs_record() -> Vec<u8> {
    record(20, 0x0303, &[1])
}

/// Splits a byte stream of whole records into records (header included).
pub fn split_records(wire: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 5 <= wire.len() {
        let len = usize::from(u16::from_be_bytes([wire[at + 3], wire[at + 4]]));
        out.push(wire[at..at + 5 + len].to_vec());
        at += 5 + len;
    }
    assert_eq!(at, wire.len(), "whole records only");
    out
}

/// The whole handshake messages in the plaintext handshake records of
/// `records` (other records are skipped).
pub fn handshake_messages(records: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let payload: Vec<u8> = records
        .iter()
        .filter(|r| r[0] == 22)
        .flat_map(|r| r[5..].to_vec())
        .collect();
    let mut msgs = Vec::new();
    let mut i = 0;
    while i + 4 <= payload.len() {
        let len = u32::from_be_bytes([0, payload[i + 1], payload[i + 2], payload[i + 3]]) as usize;
        msgs.push(payload[i..i + 4 + len].to_vec());
        i += 4 + len;
    }
    msgs
}

/// Splits a byte stream of plaintext handshake records into whole handshake
/// messages.
pub fn split_messages(wire: &[u8]) -> Vec<Vec<u8>> {
    let records = split_records(wire);
    assert!(
        records.iter().all(|r| r[0] == 22),
        "only plaintext handshake records expected"
    );
    handshake_messages(&records)
}

/// The description of the last plaintext alert queued on `conn`.
pub fn plaintext_alert(conn: &Connection) -> Option<AlertDescription> {
    let mut last = None;
    for r in split_records(conn.pending_output()) {
        if r[0] == 21 && r.len() == 7 {
            last = Some(AlertDescription::from(r[6]));
        }
    }
    last
}

/// Hex, for test failure messages.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
}

/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on the wire, for crafted hellos.
pub const ECDSA_AES128: u16 = 0xc02b;

/// An extensions block (RFC 5246 §7.4.1.4): a 16-bit length, then each
/// `(type, body)` in order.
pub fn encode_extensions(exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut ext_bytes = Vec::new();
    for (t, b) in exts {
        ext_bytes.extend_from_slice(&t.to_be_bytes());
        ext_bytes.extend_from_slice(&u16::try_from(b.len()).unwrap().to_be_bytes());
        ext_bytes.extend_from_slice(b);
    }
    let mut out = u16::try_from(ext_bytes.len())
        .unwrap()
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(&ext_bytes);
    out
}

/// A crafted ClientHello in a TLS 1.2 handshake record: `version`, a fixed
/// random, an empty session ID, `suites`, `compression` methods and `exts`
/// (RFC 5246 §7.4.1.2).
pub fn client_hello(
    version: u16,
    suites: &[u16],
    compression: &[u8],
    exts: &[(u16, Vec<u8>)],
) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[7; 32]);
    body.push(0);
    body.extend_from_slice(&u16::try_from(suites.len() * 2).unwrap().to_be_bytes());
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.push(u8::try_from(compression.len()).unwrap());
    body.extend_from_slice(compression);
    body.extend_from_slice(&encode_extensions(exts));
    hs_record(&handshake_msg(1, &body))
}

/// The extensions of a crafted ClientHello that a default server with
/// `server-p256` accepts: supported_groups x25519 and secp256r1 (the
/// certificate's curve, RFC 8422 §5.3), signature_algorithms
/// ecdsa_secp256r1_sha256, extended_master_secret, an empty
/// renegotiation_info.
pub fn client_hello_extensions() -> Vec<(u16, Vec<u8>)> {
    vec![
        (10, vec![0, 4, 0, 0x1d, 0, 0x17]),
        (13, vec![0, 2, 4, 3]),
        (23, vec![]),
        (0xff01, vec![0]),
    ]
}
