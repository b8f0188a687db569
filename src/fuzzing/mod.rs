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
use alloc::vec::Vec;

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
    client.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    client.random = Arc::new(FixedRandom(0x11)).into();
    let mut server = testing::server_config("server-p256");
    server.alpn_protocols = vec![b"http/1.1".to_vec()].into();
    server.random = Arc::new(FixedRandom(0x22)).into();
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
    /// Pre-shared keys (RFC 4279) only: the client offers every suite of
    /// [`crate::PSK_SUITES`] (ECDHE_PSK first) with the right key for
    /// [`PSK_IDENTITY`]; the server, without a certificate, prefers plain
    /// PSK and sends the identity hint [`PSK_HINT`], so that the client's
    /// `ExpectPskServerKeyExchange` reads a ServerKeyExchange (RFC 4279
    /// §2). The client's identity is for that hint only: a hint mutated or
    /// dropped (the ServerKeyExchange is a record of its own) ends the
    /// handshake with handshake_failure. ECDHE_PSK has variants of its own,
    /// since no single op takes every plain suite out of the ClientHello.
    Psk,
    /// As [`Variant::Psk`], the server preferring ECDHE_PSK (RFC 5489 §2:
    /// its ServerKeyExchange carries the hint and an unsigned ECDH share),
    /// and the client also presenting its identity for any other hint, so
    /// that a mutated hint goes on to the Finished check.
    EcdhePsk,
    /// As [`Variant::Psk`], the client's key for its identity wrong: the
    /// handshake must fail at the client's Finished (RFC 4279 §2).
    PskWrongKey,
    /// As [`Variant::Psk`], the client's identity unknown to the server,
    /// which must fail exactly as for a wrong key (RFC 4279 §2).
    PskUnknownIdentity,
    /// [`Variant::PskWrongKey`] with the server preferring ECDHE_PSK.
    EcdhePskWrongKey,
    /// [`Variant::PskUnknownIdentity`] with the server preferring
    /// ECDHE_PSK.
    EcdhePskUnknownIdentity,
    /// [`configs`] with the client asking for OCSP stapling and the server
    /// stapling [`OCSP_RESPONSE`] (RFC 6066 §8): the client reads a
    /// CertificateStatus in `ExpectCertificateStatus`.
    Stapling,
    /// [`Variant::RsaKeyTransport`] with stapling as in
    /// [`Variant::Stapling`]: the client reads the CertificateStatus in
    /// `ExpectKeyTransportStatus`, and the server pauses for its
    /// decryption.
    RsaStapling,
    /// A device's configuration on both sides: buffers allocated when the
    /// connection is made ([`crate::IdleBuffers::Preallocated`]) under small
    /// caps, 512-byte records (max_fragment_length, RFC 6066 §4), and a
    /// client that keeps no chain, so that it checks the server's chain
    /// where it lies and keeps the leaf in room reserved for it.
    Preallocated,
}

impl Variant {
    /// Every variant, in the order of their numbers.
    pub const ALL: [Self; 14] = [
        Self::Plain,
        Self::ServerKey,
        Self::ClientKey,
        Self::Everything,
        Self::RsaKeyTransport,
        Self::Psk,
        Self::EcdhePsk,
        Self::PskWrongKey,
        Self::PskUnknownIdentity,
        Self::EcdhePskWrongKey,
        Self::EcdhePskUnknownIdentity,
        Self::Stapling,
        Self::RsaStapling,
        Self::Preallocated,
    ];

    /// The variant a live input's first byte picks: its bits 2 to 7 as a
    /// number, modulo the number of variants (the low two bits keep their
    /// meaning, whether the first flight injects a record). Later variants
    /// are appended, so that a committed seed keeps its meaning (the seeds
    /// of a variant start with its [`bits`](Self::bits)); a first byte past
    /// the last variant's bits picks another variant whenever one is added.
    pub fn of(first: u8) -> Self {
        Self::ALL[usize::from(first >> 2) % Self::ALL.len()]
    }

    /// The bits of a first byte that pick this variant.
    pub fn bits(self) -> u8 {
        (Self::ALL.iter().position(|v| *v == self).unwrap_or(0) as u8) << 2
    }

    /// Whether a full handshake pauses for the caller at all.
    pub fn pauses(self) -> bool {
        matches!(
            self,
            Self::ServerKey
                | Self::ClientKey
                | Self::Everything
                | Self::RsaKeyTransport
                | Self::RsaStapling
        )
    }

    /// Whether only the pre-shared key suites are configured.
    pub fn uses_psk(self) -> bool {
        self.psk_client().is_some()
    }

    /// Whether the server prefers ECDHE_PSK to plain PSK.
    pub fn prefers_ecdhe_psk(self) -> bool {
        matches!(
            self,
            Self::EcdhePsk | Self::EcdhePskWrongKey | Self::EcdhePskUnknownIdentity
        )
    }

    /// Whether the client's pre-shared key is not one the server has (a
    /// wrong key or an unknown identity): no handshake may complete.
    pub fn psk_mismatch(self) -> bool {
        matches!(self.psk_client(), Some((identity, key)) if identity != PSK_IDENTITY || key != PSK_KEY)
    }

    /// The identity and key the client presents in the PSK variants.
    fn psk_client(self) -> Option<(&'static [u8], &'static [u8])> {
        match self {
            Self::Psk | Self::EcdhePsk => Some((PSK_IDENTITY, PSK_KEY)),
            Self::PskWrongKey | Self::EcdhePskWrongKey => Some((PSK_IDENTITY, PSK_WRONG_KEY)),
            Self::PskUnknownIdentity | Self::EcdhePskUnknownIdentity => {
                Some((PSK_UNKNOWN_IDENTITY, PSK_KEY))
            }
            _ => None,
        }
    }

    /// The OCSP response the client must report after a full handshake
    /// ([`crate::HandshakeInfo::ocsp_response`]), if the server staples
    /// one.
    pub fn staple(self) -> Option<&'static [u8]> {
        (cfg!(feature = "std") && matches!(self, Self::Stapling | Self::RsaStapling))
            .then_some(OCSP_RESPONSE)
    }
}

/// The identity the server knows in the PSK [`Variant`]s.
pub const PSK_IDENTITY: &[u8] = b"fuzz-client";
/// Its key.
pub const PSK_KEY: &[u8] = &[0x5a; 32];
/// The key the client holds for [`PSK_IDENTITY`] in
/// [`Variant::PskWrongKey`] and [`Variant::EcdhePskWrongKey`].
pub const PSK_WRONG_KEY: &[u8] = &[0xa5; 32];
/// The identity the server does not know, presented with [`PSK_KEY`] in
/// [`Variant::PskUnknownIdentity`] and [`Variant::EcdhePskUnknownIdentity`].
pub const PSK_UNKNOWN_IDENTITY: &[u8] = b"fuzz-stranger";
/// The server's identity hint (RFC 4279 §5.2) in the PSK variants.
pub const PSK_HINT: &[u8] = b"fuzz-gateway";
/// What the server staples in [`Variant::Stapling`] and
/// [`Variant::RsaStapling`]: a DER OCSPResponse (RFC 6960 §4.2.1) whose
/// responseStatus is tryLater(3) and which has no responseBytes. The client
/// does not check it (verifying a staple is the caller's business), so any
/// bytes would do; these are at least well-formed.
pub const OCSP_RESPONSE: &[u8] = &[0x30, 0x03, 0x0a, 0x01, 0x03];

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
        client.verifier = Some(Arc::new(AskCaller).into());
        server.client_verifier = Some(Arc::new(AskCaller).into());
    }
    if matches!(variant, Variant::RsaKeyTransport | Variant::RsaStapling) {
        // Only the RSA suites, so that the client's ECDHE preference cannot
        // take the handshake elsewhere.
        client.legacy_rsa_key_transport = true;
        client.cipher_suites = crate::LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec().into();
        let chain = testing::certs(&alloc::format!("{RSA_KX_IDENTITY}.chain.pem"));
        server.identity = ServerConfig::with_caller_key(chain, KeyType::Rsa)
            .expect("caller-held RSA server key")
            .identity;
        server.legacy_rsa_key_transport = true;
        server.cipher_suites = crate::LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec().into();
    }
    if let Some((identity, key)) = variant.psk_client() {
        // Only the PSK suites on both sides (RFC 4279: never offered or
        // accepted unless configured), the client offering both key
        // exchanges so that the server's preference decides.
        client.cipher_suites = crate::PSK_SUITES.to_vec().into();
        let key = crate::psk::Psk::new(key).expect("PSK");
        client
            .add_psk_for_hint(PSK_HINT, identity, key.clone())
            .expect("client PSK");
        if variant.prefers_ecdhe_psk() {
            // The same identity for any other hint, so that a mutated hint
            // takes the handshake on to the Finished check; with plain PSK
            // the client has none, and a mutated or missing hint ends it
            // at once with handshake_failure.
            client.add_psk(identity, key).expect("client PSK");
        }
        let mut keys = crate::psk::PskMap::new();
        keys.insert(PSK_IDENTITY, crate::psk::Psk::new(PSK_KEY).expect("PSK"))
            .expect("server PSK");
        let (ecdhe, plain): (Vec<_>, Vec<_>) = crate::PSK_SUITES.iter().partition(|s| {
            crate::crypto::suites::lookup(**s)
                .is_some_and(|p| p.kx == crate::crypto::suites::KeyExchangeAlgorithm::EcdhePsk)
        });
        server.cipher_suites = if variant.prefers_ecdhe_psk() {
            [ecdhe, plain].concat().into()
        } else {
            [plain, ecdhe].concat().into()
        };
        // No certificate: nothing but the key authenticates (RFC 4279 §2).
        server.identity = None;
        server.psk_store = Some(Arc::new(keys).into());
        server.psk_identity_hint = Some(PSK_HINT.to_vec().into());
    }
    if variant == Variant::Preallocated {
        for limits in [&mut client.limits, &mut server.limits] {
            limits.idle_buffers = crate::IdleBuffers::Preallocated;
            limits.max_handshake_message_len = 4096;
            limits.max_client_hello_len = 4096;
            limits.max_buffered_plaintext = 4096;
            limits.max_buffered_output = 4096;
        }
        client.max_fragment_len = 512;
        client.max_fragment_length = Some(crate::MaxFragmentLength::L512);
        client.keep_peer_certificates = false;
        server.max_fragment_len = 512;
    }
    #[cfg(feature = "std")]
    if let Some(response) = variant.staple() {
        client.request_ocsp = true;
        let staple = crate::staple::OcspStaple::new(response.to_vec());
        server
            .set_ocsp_staple(0, Arc::new(staple))
            .expect("a chain to staple to");
    }
    (Arc::new(client), Arc::new(server))
}

/// A client connecting to "localhost" at the fixed time
/// ([`testing::now`]); its ClientHello is already in `pending_output`. A
/// device's configuration ([`Variant::Preallocated`]) runs on lent areas
/// ([`crate::Areas`]).
pub fn client_connection(config: &Arc<ClientConfig>) -> ClientConnection {
    let name = testing::name("localhost");
    if config.limits.idle_buffers == crate::IdleBuffers::Preallocated {
        let areas = areas_for(crate::AreaSizes::for_client(config));
        ClientConnection::with_areas(config.clone(), name, testing::now(), areas)
    } else {
        ClientConnection::new(config.clone(), name, testing::now())
    }
    .expect("client connection")
}

/// A server connection at the fixed time, waiting for a ClientHello; on
/// lent areas as [`client_connection`] says.
pub fn server_connection(config: &Arc<ServerConfig>) -> ServerConnection {
    if config.limits.idle_buffers == crate::IdleBuffers::Preallocated {
        let areas = areas_for(crate::AreaSizes::for_server(config));
        ServerConnection::with_areas(config.clone(), testing::now(), areas)
    } else {
        ServerConnection::new(config.clone(), testing::now())
    }
    .expect("server connection")
}

/// Areas given back by connections done with ([`recycle`]), for the next:
/// a fuzzing process must not leak an arena per input, and what it keeps
/// here stays reachable (LeakSanitizer counts a lost `&'static mut`, or one
/// in a thread-local destroyed at exit, as a leak).
#[cfg(feature = "std")]
pub(crate) static AREAS: std::sync::Mutex<Vec<crate::Areas>> = std::sync::Mutex::new(Vec::new());

/// Areas of `sizes`: given back ones if there are, else new.
fn areas_for(sizes: crate::AreaSizes) -> crate::Areas {
    #[cfg(feature = "std")]
    {
        let fits = |a: &crate::Areas| a.sizes() == sizes;
        let kept = AREAS.lock().ok().and_then(|mut pool| {
            let at = pool.iter().position(fits)?;
            Some(pool.swap_remove(at))
        });
        if let Some(areas) = kept {
            return areas;
        }
    }
    testing::lend(sizes)
}

/// Takes `conn`'s lent areas, if any, back for the next connection.
pub(crate) fn recycle(conn: &mut crate::Connection) {
    if let Some(areas) = conn.take_areas() {
        #[cfg(feature = "std")]
        if let Ok(mut pool) = AREAS.lock() {
            pool.push(areas);
        }
        #[cfg(not(feature = "std"))]
        drop(areas);
    }
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
