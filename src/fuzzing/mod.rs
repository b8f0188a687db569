//! Entry points for fuzzers; not a stable API.
//!
//! Compiled only with the `fuzzing` feature and hidden from the docs. Each
//! function takes arbitrary bytes and must never panic, except through its
//! own `assert!`s, which are the fuzzer's oracle:
//!
//! * the codec entry points ([`codec`]) check that anything that decodes
//!   re-encodes to exactly the bytes it was decoded from, and [`joiner`]
//!   that handshake reassembly neither loses nor invents bytes;
//! * [`drive`] (behind [`client`] and [`server`]) checks the documented
//!   contracts of [`Connection::receive`];
//! * [`mutated_handshake`] and [`replay`] ([`live`]) run real handshakes
//!   whose records the input mutates in flight.
//!
//! The targets that use these live in `fuzz/` (cargo-fuzz layout).
//!
//! This is harness code, not library code: its panics are the oracle, and
//! its indexing is over buffers it built itself from a connection's own
//! output, so the lints that keep `src/` panic-free are relaxed here.
#![allow(
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used
)]

pub mod codec;
pub mod live;
#[cfg(test)]
mod tests;

pub use codec::{
    alert, client_extension, handshake_message, joiner, record_header, server_extension,
    server_key_exchange,
};
pub use live::{mutated_handshake, replay};

use alloc::sync::Arc;
use alloc::vec;

use crate::keyop::{PeerChain, PeerVerifier, Verdict};
use crate::testing;
use crate::{
    ClientAuth, ClientConfig, ClientConnection, Connection, Error, KeyType, RandomSource,
    ServerConfig, ServerConnection,
};

/// Deterministic "randomness", so that a fuzzing run (and a captured seed
/// corpus) is reproducible. ECDHE keys come from `ring`'s generator, which
/// only cargo-fuzz builds (`--cfg fuzzing`) fix as well (`crypto::rand`).
#[derive(Debug)]
struct FixedRandom(u8);

impl RandomSource for FixedRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error> {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(31).wrapping_add(self.0);
        }
        Ok(())
    }
}

/// The configurations every connection target uses: a client trusting the
/// test CA (`tests/fixtures/ca.pem`) and a server with the P-256 identity
/// (`server-p256`), each with its own deterministic protocol randomness.
pub fn configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let mut client = testing::client_config();
    client.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    client.random = Arc::new(FixedRandom(0x11));
    let mut server = testing::server_config("server-p256");
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    server.random = Arc::new(FixedRandom(0x22));
    (Arc::new(client), Arc::new(server))
}

/// Which operations the live targets leave to the caller (the harness):
/// a live input's first byte picks one ([`Variant::of`], see [`live`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// [`configs`] as they are: no operation for the caller.
    Plain,
    /// The server's key (`server-p256`) is held by the caller: the server
    /// pauses for its ServerKeyExchange signature.
    ServerKey,
    /// The server requires a client certificate, and the client's key
    /// (`client-p256`) is held by the caller: the client pauses for its
    /// CertificateVerify signature.
    ClientKey,
    /// Both keys held by the caller, client certificates required, and on
    /// both sides a [`PeerVerifier`] that asks the caller: the client pauses
    /// for its verdict on the server's chain and for its signature, the
    /// server for its signature and its verdict on the client's chain.
    Everything,
    /// RSA key transport (RFC 5246 §7.4.7.1) on both sides, with only the
    /// two RSA suites ([`crate::LEGACY_RSA_KEY_TRANSPORT_SUITES`]), and the
    /// server's RSA key (`server-rsa2048-kx`, whose certificate allows
    /// keyEncipherment) held by the caller: the server pauses to have the
    /// client's encrypted premaster secret decrypted.
    RsaKeyTransport,
}

impl Variant {
    /// Every variant, in the order of their numbers.
    pub const ALL: [Self; 5] = [
        Self::Plain,
        Self::ServerKey,
        Self::ClientKey,
        Self::Everything,
        Self::RsaKeyTransport,
    ];

    /// The variant a live input's first byte picks: its bits 2 to 7 as a
    /// number, modulo the number of variants (the low two bits keep their
    /// meaning, whether the first flight injects a record). Later variants
    /// are appended, so that the committed seeds (first bytes below 0x10)
    /// keep their meaning.
    pub fn of(first: u8) -> Self {
        Self::ALL[usize::from(first >> 2) % Self::ALL.len()]
    }

    /// The bits of a first byte that pick this variant.
    pub fn bits(self) -> u8 {
        (Self::ALL.iter().position(|v| *v == self).unwrap_or(0) as u8) << 2
    }

    /// Whether a full handshake pauses for the caller at all.
    pub fn pauses(self) -> bool {
        self != Self::Plain
    }
}

/// A verifier that leaves every verdict to the caller.
#[derive(Debug)]
struct AskCaller;

impl PeerVerifier for AskCaller {
    fn verify(&self, _: &PeerChain<'_>) -> Verdict {
        Verdict::AskCaller
    }
}

/// The fixture whose private key the caller holds for `side`'s
/// certificate in the paused [`Variant`]s that sign.
pub(crate) fn caller_key_fixture(side: testing::Side) -> &'static str {
    match side {
        testing::Side::Client => "client-p256.key",
        testing::Side::Server => "server-p256.key",
    }
}

/// The fixture stem of the server's identity in
/// [`Variant::RsaKeyTransport`]; the caller holds its key and decrypts with
/// it.
pub(crate) const RSA_KX_IDENTITY: &str = "server-rsa2048-kx";

/// `client` and `server` (as [`configs`] makes them) changed as `variant`
/// says.
pub fn variant_configs(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    variant: Variant,
) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    if variant == Variant::Plain {
        return (client.clone(), server.clone());
    }
    let mut client = (**client).clone();
    let mut server = (**server).clone();
    if matches!(variant, Variant::ServerKey | Variant::Everything) {
        let chain = testing::certs("server-p256.chain.pem");
        server.identity = ServerConfig::with_caller_key(chain, KeyType::EcdsaP256)
            .expect("caller-held server key")
            .identity;
    }
    if matches!(variant, Variant::ClientKey | Variant::Everything) {
        let chain = testing::certs("client-p256.chain.pem");
        client
            .add_client_certificate_with_caller_key(chain, KeyType::EcdsaP256)
            .expect("caller-held client key");
        server.client_auth = ClientAuth::Required(testing::roots());
    }
    if variant == Variant::Everything {
        client.verifier = Some(Arc::new(AskCaller));
        server.client_verifier = Some(Arc::new(AskCaller));
    }
    if variant == Variant::RsaKeyTransport {
        // Only the RSA suites, so that the client's ECDHE preference cannot
        // take the handshake elsewhere.
        client.legacy_rsa_key_transport = true;
        client.cipher_suites = crate::LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec();
        let chain = testing::certs(&alloc::format!("{RSA_KX_IDENTITY}.chain.pem"));
        server.identity = ServerConfig::with_caller_key(chain, KeyType::Rsa)
            .expect("caller-held RSA server key")
            .identity;
        server.legacy_rsa_key_transport = true;
        server.cipher_suites = crate::LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec();
    }
    (Arc::new(client), Arc::new(server))
}

/// A client connecting to "localhost" at the fixed time
/// ([`testing::now`]); its ClientHello is already in `pending_output`.
pub fn client_connection(config: &Arc<ClientConfig>) -> ClientConnection {
    ClientConnection::new(config.clone(), testing::name("localhost"), testing::now())
        .expect("client connection")
}

/// A server connection at the fixed time, waiting for a ClientHello.
pub fn server_connection(config: &Arc<ServerConfig>) -> ServerConnection {
    ServerConnection::new(config.clone(), testing::now()).expect("server connection")
}

/// Feeds `input` to a fresh client as bytes from the server (see [`drive`]).
pub fn client(config: &Arc<ClientConfig>, input: &[u8]) {
    let mut conn = client_connection(config);
    drive(&mut conn, input);
}

/// Feeds `input` to a fresh server as bytes from the client (see [`drive`]).
pub fn server(config: &Arc<ServerConfig>, input: &[u8]) {
    let mut conn = server_connection(config);
    drive(&mut conn, input);
}

/// Feeds `input[1..]` to `conn` as bytes from the peer, in chunks of
/// `input[0] * 16` bytes (0: all at once), draining output, events and
/// plaintext as it goes, as an application would. Checks the contracts of
/// [`Connection::receive`]: it never claims more than it was offered; it
/// takes fewer only when the plaintext buffer is full or the peer has sent
/// close_notify; and after an error the connection stays dead with that
/// same error.
pub fn drive(conn: &mut Connection, input: &[u8]) {
    let Some((&chunk, mut rest)) = input.split_first() else {
        return;
    };
    let chunk = match chunk {
        0 => usize::MAX,
        n => usize::from(n) * 16,
    };
    let mut sent_data = false;
    while !rest.is_empty() {
        let offered = &rest[..rest.len().min(chunk)];
        match conn.receive(offered) {
            Ok(used) => {
                assert!(used <= offered.len(), "receive used more than offered");
                rest = &rest[used..];
                let read = drain(conn);
                if used < offered.len() {
                    if conn.peer_closed() {
                        // Nothing after close_notify is read (RFC 5246
                        // §7.2.1).
                        break;
                    }
                    // Otherwise only a full plaintext buffer holds input
                    // back, and reading it made room: a stall is a bug.
                    assert!(
                        read > 0,
                        "receive took {used} of {} bytes with no plaintext to read \
                         and no close_notify",
                        offered.len()
                    );
                }
                if !sent_data && !conn.is_handshaking() && conn.error().is_none() {
                    sent_data = true;
                    let _ = conn.send(b"ping");
                    drain(conn);
                }
            }
            Err(e) => {
                assert_eq!(conn.error(), Some(&e), "error not recorded");
                assert_eq!(
                    conn.receive(b"\x16"),
                    Err(e.clone()),
                    "dead connection revived"
                );
                assert!(!conn.is_handshaking());
                drain(conn);
                return;
            }
        }
    }
    let _ = conn.eof();
    conn.close();
    drain(conn);
}

/// Empties output, events and plaintext; returns how much plaintext was read.
fn drain(conn: &mut Connection) -> usize {
    testing::take_output(conn);
    drain_inbound(conn)
}

/// Empties events and plaintext, as an application would, but leaves the
/// output queued; returns how much plaintext was read.
fn drain_inbound(conn: &mut Connection) -> usize {
    while conn.next_event().is_some() {}
    let _ = conn.handshake_info();
    testing::drain_plaintext(conn).len()
}
