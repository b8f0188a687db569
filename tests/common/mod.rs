//! Shared test helpers: the fixture PKI and an in-memory connection pair.
#![allow(dead_code)]

pub mod peer;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::{
    ClientConfig, ClientConnection, Connection, Error, Event, RootCertStore, ServerConfig,
    ServerConnection,
};

/// 2030-01-01T00:00:00Z: inside every fixture's validity except `server-expired`.
pub fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_893_456_000))
}

pub fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn certs(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(fixture_path(name))
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

pub fn key(name: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_file(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

pub fn roots_from(name: &str) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for c in certs(name) {
        roots.add(&c).unwrap();
    }
    roots
}

pub fn roots() -> RootCertStore {
    roots_from("ca.pem")
}

/// The server identities in tests/fixtures.
pub const SERVER_KEYS: &[&str] = &[
    "server-p256",
    "server-p384",
    "server-ed25519",
    "server-rsa2048",
];

pub fn server_config(identity: &str) -> ServerConfig {
    ServerConfig::new(
        certs(&format!("{identity}.chain.pem")),
        key(&format!("{identity}.key")),
    )
    .unwrap()
}

pub fn client_config() -> ClientConfig {
    ClientConfig::new(roots())
}

pub fn name(n: &str) -> ServerName<'static> {
    ServerName::try_from(n.to_string()).unwrap()
}

pub fn pair_with(
    client: ClientConfig,
    server: ServerConfig,
    server_name: &str,
) -> (ClientConnection, ServerConnection) {
    let c = ClientConnection::new(Arc::new(client), name(server_name), now()).unwrap();
    let s = ServerConnection::new(Arc::new(server), now()).unwrap();
    (c, s)
}

pub fn pair(identity: &str) -> (ClientConnection, ServerConnection) {
    pair_with(client_config(), server_config(identity), "localhost")
}

/// Moves everything `from` has queued into `to`, `chunk` bytes at a time.
/// Returns how many bytes moved, or the receiver's error.
pub fn transfer_chunked(
    from: &mut Connection,
    to: &mut Connection,
    chunk: usize,
) -> Result<usize, Error> {
    let data = from.pending_output().to_vec();
    from.consume_output(data.len());
    let mut offered = &data[..];
    while !offered.is_empty() {
        let n = offered.len().min(chunk);
        let used = to.receive(&offered[..n])?;
        if used == 0 {
            // Plaintext cap reached: the test reads it all, then goes on.
            drain_plaintext(to);
            continue;
        }
        offered = &offered[used..];
    }
    Ok(data.len())
}

pub fn transfer(from: &mut Connection, to: &mut Connection) -> Result<usize, Error> {
    transfer_chunked(from, to, usize::MAX)
}

pub fn drain_plaintext(conn: &mut Connection) -> Vec<u8> {
    let out = conn.plaintext().to_vec();
    conn.consume_plaintext(out.len());
    out
}

/// Runs the handshake to completion (or to the first error, which is
/// returned with the side it happened on).
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// The events queued on `conn`.
pub fn events(conn: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| conn.next_event()).collect()
}

/// Sends `data` from `a` to `b` through the record layer and returns what `b`
/// read.
pub fn send_and_receive(a: &mut Connection, b: &mut Connection, data: &[u8]) -> Vec<u8> {
    let mut got = Vec::with_capacity(data.len());
    let mut rest = data;
    while !rest.is_empty() {
        let n = a.send(rest).unwrap();
        rest = &rest[n..];
        let out = a.pending_output().to_vec();
        a.consume_output(out.len());
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
