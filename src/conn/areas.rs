//! Memory the caller lends a connection for its buffers and its
//! handshake's state.

use crate::config::{ClientConfig, ServerConfig};
use crate::error::Error;
use crate::HandshakeSlot;

/// Memory a caller lends a connection, in place of the heap
/// ([`ClientConnection::with_areas`], [`ServerConnection::with_areas`]):
/// its three record buffers, its two handshake message buffers, room for
/// what a handshake keeps, and a [`HandshakeSlot`] for its handshake's
/// state. [`Areas::split`] cuts the areas from one arena.
///
/// On a device these are statics (for instance from
/// `static_cell::StaticCell`), or RAM that a network interface's DMA reads
/// [`Connection::pending_output`] from and writes received records to.
/// Each area is a hard cap: it never grows, and nothing else is allocated
/// for what it holds.
///
/// * `input`: a record that arrives split across
///   [`Connection::receive`] calls, held until it is whole and decrypted
///   there if it is not application data. Records that arrive whole are
///   read where they lie in the caller's bytes, so the area is used only
///   for split ones. A split record longer than the area fails with
///   [`Error::LimitExceeded`] (`"input area"`).
/// * `plaintext`: decrypted application data until it is read. When the
///   next record would not fit, `receive` stops consuming input, as at
///   [`Limits::max_buffered_plaintext`](crate::Limits::max_buffered_plaintext)
///   (back-pressure: read, then offer the rest again); a record longer than
///   the whole area fails with `"plaintext area"`.
/// * `output`: records written for the peer until
///   [`Connection::consume_output`]. It must hold one record of
///   `max_fragment_len` bytes with its header, nonce and tag (the
///   connection is refused with [`Error::Config`] otherwise).
///   [`Connection::send`] takes only what fits; a handshake flight that
///   does not fit fails with `"output area"`, and an alert that does not
///   fit is dropped.
/// * `handshake_in`: the peer's handshake messages while they are
///   reassembled from records (RFC 5246 §6.2.1), and the complete messages
///   of one record until they are handled. A message that cannot fit fails
///   with `"handshake_in area"` (and `decode_error` for the peer).
/// * `handshake_out`: each of our handshake messages while it is encoded,
///   before it is written as records into `output`; the longest is our
///   Certificate. One that does not fit fails with `"handshake_out area"`
///   (`internal_error`: the shortfall is ours).
/// * `peer_leaf`: the peer's leaf certificate, when the configuration keeps
///   no chain: checked where it arrived, only the leaf is kept, for the
///   message its key signs or encrypts for. A longer leaf fails with
///   `"peer_leaf area"`. Empty when the configuration keeps the chain.
/// * `server_name`: the server name of the handshake (the one the client
///   sends), which the connection reports in
///   [`HandshakeInfo::server_name`](crate::HandshakeInfo::server_name) for
///   as long as it lives.
/// * `psk_identity`: the PSK identity of the handshake, which the
///   connection reports in
///   [`HandshakeInfo::psk_identity`](crate::HandshakeInfo::psk_identity).
/// * `transcript`: the handshake messages a CertificateVerify signs (RFC
///   5246 §7.4.8), for mutual TLS: ring signs and verifies whole messages.
///   Messages too long for it fail with `"transcript area"` when the
///   signature is made or checked.
/// * `alpn`: the ALPN protocol agreed, which the connection reports in
///   [`HandshakeInfo::alpn_protocol`](crate::HandshakeInfo::alpn_protocol).
/// * `slot`: the handshake's state while it runs, then the exporter's
///   secret if the configuration keeps one.
///
/// [`AreaSizes::for_client`] and [`AreaSizes::for_server`] give sizes with
/// which none of these errors happens with a peer that keeps to the record
/// size the configuration asks for. The areas are cleared and can be taken
/// back with [`Connection::take_areas`] (for the next connection), and are
/// cleared when the connection is dropped; so is the slot.
///
/// Combined with [`IdleBuffers::Preallocated`](crate::IdleBuffers::Preallocated),
/// a connection allocates nothing at all, from its construction to
/// [`Connection::take_areas`], mutual TLS, PSK, exporters and ALPN included
/// (`tests/no_alloc.rs`), when it keeps no chain (`keep_peer_certificates`
/// false: a kept chain is on the heap), keeps no sessions (no session cache
/// or tickets) and asks for no OCSP response (it is boxed). The connection
/// itself can live in a static too. A ticket too long for these areas is
/// not offered, or is sent empty (RFC 5077 §3.3): a full handshake instead
/// of a resumption.
///
/// [`ClientConnection::with_areas`]: crate::ClientConnection::with_areas
/// [`ServerConnection::with_areas`]: crate::ServerConnection::with_areas
/// [`Connection::pending_output`]: crate::Connection::pending_output
/// [`Connection::receive`]: crate::Connection::receive
/// [`Connection::consume_output`]: crate::Connection::consume_output
/// [`Connection::send`]: crate::Connection::send
/// [`Connection::take_areas`]: crate::Connection::take_areas
///
/// ```
/// use std::sync::Arc;
/// use tls12::{
///     AreaSizes, Areas, ClientConfig, ClientConnection, HandshakeSlot, MaxFragmentLength,
///     RootCertStore,
/// };
/// use tls12::pki_types::{ServerName, UnixTime};
///
/// let mut config = ClientConfig::new(RootCertStore::empty());
/// config.max_fragment_len = 512;
/// config.max_fragment_length = Some(MaxFragmentLength::L512);
/// config.limits.max_buffered_plaintext = 512;
/// config.limits.max_buffered_output = 512 + 29;
/// let sizes = AreaSizes::for_client(&config);
/// // A device would lend statics; leaked boxes stand in for them here.
/// let arena: &'static mut [u8] = Box::leak(vec![0; sizes.total()].into_boxed_slice());
/// let slot = Box::leak(Box::new(HandshakeSlot::new()));
/// let areas = Areas::split(arena, sizes, slot)?;
///
/// let name = ServerName::try_from("example.com").unwrap();
/// let mut conn = ClientConnection::with_areas(Arc::new(config), name, UnixTime::now(), areas)?;
/// assert!(!conn.pending_output().is_empty()); // the ClientHello, in the output area
/// let areas = conn.take_areas().expect("lent");  // back, cleared, for the next connection
/// assert_eq!(areas.output.len(), sizes.output);
/// assert!(!areas.slot.in_use());
/// # Ok::<(), tls12::Error>(())
/// ```
pub struct Areas {
    /// Split records from the peer.
    pub input: &'static mut [u8],
    /// Decrypted application data not yet read.
    pub plaintext: &'static mut [u8],
    /// Records for the peer not yet sent.
    pub output: &'static mut [u8],
    /// The peer's handshake messages, reassembled.
    pub handshake_in: &'static mut [u8],
    /// Our handshake messages, encoded.
    pub handshake_out: &'static mut [u8],
    /// The peer's leaf certificate, kept alone.
    pub peer_leaf: &'static mut [u8],
    /// The server name, as the handshake reports it.
    pub server_name: &'static mut [u8],
    /// The PSK identity, as the handshake reports it.
    pub psk_identity: &'static mut [u8],
    /// The handshake messages a CertificateVerify signs.
    pub transcript: &'static mut [u8],
    /// The ALPN protocol, as the handshake reports it.
    pub alpn: &'static mut [u8],
    /// Room for the handshake's state, and then for the exporter's secret.
    pub slot: &'static mut HandshakeSlot,
}

/// Lengths only: the areas may hold records and plaintext.
impl core::fmt::Debug for Areas {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Areas")
            .field("sizes", &self.sizes())
            .field("slot", &self.slot)
            .finish()
    }
}

impl Areas {
    /// The sizes of these areas: what [`Areas::split`] was given, or what
    /// [`Connection::take_areas`](crate::Connection::take_areas) gives back.
    pub fn sizes(&self) -> AreaSizes {
        let [input, plaintext, output, handshake_in, handshake_out, peer_leaf, server_name, psk_identity, transcript, alpn] =
            self.bytes().map(<[u8]>::len);
        AreaSizes {
            input,
            plaintext,
            output,
            handshake_in,
            handshake_out,
            peer_leaf,
            server_name,
            psk_identity,
            transcript,
            alpn,
        }
    }

    /// Every area, in the order [`Areas::split`] lays them out.
    pub(crate) fn bytes(&self) -> [&[u8]; 10] {
        [
            self.input,
            self.plaintext,
            self.output,
            self.handshake_in,
            self.handshake_out,
            self.peer_leaf,
            self.server_name,
            self.psk_identity,
            self.transcript,
            self.alpn,
        ]
    }

    /// Splits one arena into the areas of `sizes`, in the order input,
    /// plaintext, output, handshake_in, handshake_out, peer_leaf,
    /// server_name, psk_identity, transcript, alpn, beside `slot`. Fails if the arena is shorter than
    /// [`AreaSizes::total`]; any rest of it is left unused.
    pub fn split(
        arena: &'static mut [u8],
        sizes: AreaSizes,
        slot: &'static mut HandshakeSlot,
    ) -> Result<Self, Error> {
        if arena.len() < sizes.total() {
            return Err(Error::Config(crate::shared::text!(
                "an arena of {} bytes is shorter than the {} the areas need",
                arena.len(),
                sizes.total()
            )));
        }
        let (input, rest) = arena.split_at_mut(sizes.input);
        let (plaintext, rest) = rest.split_at_mut(sizes.plaintext);
        let (output, rest) = rest.split_at_mut(sizes.output);
        let (handshake_in, rest) = rest.split_at_mut(sizes.handshake_in);
        let (handshake_out, rest) = rest.split_at_mut(sizes.handshake_out);
        let (peer_leaf, rest) = rest.split_at_mut(sizes.peer_leaf);
        let (server_name, rest) = rest.split_at_mut(sizes.server_name);
        let (psk_identity, rest) = rest.split_at_mut(sizes.psk_identity);
        let (transcript, rest) = rest.split_at_mut(sizes.transcript);
        let (alpn, _) = rest.split_at_mut(sizes.alpn);
        Ok(Self {
            input,
            plaintext,
            output,
            handshake_in,
            handshake_out,
            peer_leaf,
            server_name,
            psk_identity,
            transcript,
            alpn,
            slot,
        })
    }
}

impl Areas {
    /// Refuses an output area that cannot hold one record of
    /// `max_fragment_len` bytes with its header and the longest AEAD
    /// expansion: `send` could never make progress.
    pub(crate) fn check(self, max_fragment_len: usize) -> Result<Self, Error> {
        let record = max_fragment_len
            .saturating_add(crate::record::layer::SEAL_PREFIX)
            .saturating_add(crate::record::layer::SEAL_SUFFIX);
        if self.output.len() < record {
            return Err(Error::Config(crate::shared::text!(
                "an output area of {} bytes cannot hold one record of max_fragment_len {} \
                 ({record} bytes with header, nonce and tag)",
                self.output.len(),
                max_fragment_len
            )));
        }
        Ok(self)
    }
}

/// The sizes of the [`Areas`] a configuration needs. Displayed as
/// `input 581 B, plaintext 1093 B, ...`, in the order [`Areas::split`]
/// lays the areas out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaSizes {
    /// One record of the size the configuration expects from the peer,
    /// with its header, explicit nonce and tag.
    pub input: usize,
    /// [`Limits::max_buffered_plaintext`](crate::Limits::max_buffered_plaintext)
    /// and one more record.
    pub plaintext: usize,
    /// [`Limits::max_buffered_output`](crate::Limits::max_buffered_output),
    /// or our longest handshake flight if longer.
    pub output: usize,
    /// The longest handshake message the configuration accepts from the
    /// peer (`Limits::max_handshake_message_len`, and
    /// `max_client_hello_len` on a server) with its header, and one more
    /// record. The defaults accept every message the RFCs allow (64 KiB,
    /// and a 128 KiB ClientHello); a device that knows its peers' chains
    /// lowers them.
    pub handshake_in: usize,
    /// Our longest handshake message.
    pub handshake_out: usize,
    /// The peer's leaf certificate, up to 4 KiB, when the configuration
    /// checks the chain and keeps only the leaf (`keep_peer_certificates`
    /// false and no verifier; a server also asks for client certificates);
    /// 0 otherwise.
    pub peer_leaf: usize,
    /// A host name of up to 253 bytes (RFC 1035 §2.3.4) behind its 2-byte
    /// length: 255.
    pub server_name: usize,
    /// A PSK identity behind its 2-byte length: on a client, its longest
    /// configured identity; on a server with a PSK store, 128 bytes, the
    /// length RFC 4279 §5.3 requires every server to accept (a longer
    /// identity fails with `"psk_identity area"`); 0 without PSKs.
    pub psk_identity: usize,
    /// The handshake messages a CertificateVerify signs, when the
    /// configuration may make one (a client with a certificate) or check
    /// one (a server that asks for certificates): the longest Certificate
    /// the peer may send, ours, and 2 KiB for the rest; 0 otherwise.
    pub transcript: usize,
    /// An ALPN protocol name of up to 255 bytes (RFC 7301 §3.1) behind its
    /// 2-byte length, when the configuration has ALPN protocols; 0
    /// otherwise.
    pub alpn: usize,
}

impl AreaSizes {
    /// The sizes added up.
    pub fn total(&self) -> usize {
        self.named()
            .iter()
            .fold(0, |total, (_, n)| total.saturating_add(*n))
    }

    /// Each size with its area's name, in the order [`Areas::split`] lays
    /// the areas out.
    fn named(&self) -> [(&'static str, usize); 10] {
        [
            ("input", self.input),
            ("plaintext", self.plaintext),
            ("output", self.output),
            ("handshake_in", self.handshake_in),
            ("handshake_out", self.handshake_out),
            ("peer_leaf", self.peer_leaf),
            ("server_name", self.server_name),
            ("psk_identity", self.psk_identity),
            ("transcript", self.transcript),
            ("alpn", self.alpn),
        ]
    }

    /// Sizes for a client with `config`, receiving records of the size it
    /// asks for (`max_fragment_length` or `record_size_limit`; 2^14 bytes if
    /// neither) and sending records of `max_fragment_len` bytes. A server
    /// may ignore the request (RFC 6066 §4, RFC 8449 §5): its longer
    /// protected records then fail with [`Error::LimitExceeded`] naming the
    /// area too small.
    pub fn for_client(config: &ClientConfig) -> Self {
        super::Preallocation::for_client(config).area_sizes(&config.limits)
    }

    /// Sizes for a server with `config`. A client that asks for no smaller
    /// records may send 2^14 bytes a record, so `input` and `plaintext`
    /// hold records of 2^14 bytes unless `ServerConfig::record_size_limit`
    /// is lower; that limit binds only clients that offer record_size_limit
    /// themselves (RFC 8449 §4), and another client's longer protected
    /// records fail with [`Error::LimitExceeded`] naming the area too small.
    pub fn for_server(config: &ServerConfig) -> Self {
        super::Preallocation::for_server(config).area_sizes(&config.limits)
    }
}

impl core::fmt::Display for AreaSizes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, (name, n)) in self.named().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name} {n} B")?;
        }
        Ok(())
    }
}
