//! The record layer's connection state (RFC 5246 §6.1): the record version,
//! the current and pending read and write states, and the queue of records
//! written for the peer.
//!
//! The handshake derives keys into the *pending* states ([`PendingKeys`]); a
//! ChangeCipherSpec makes them current, on the write side when we send one
//! and on the read side when the peer's arrives (RFC 5246 §7.1). The
//! pending states exist only during the handshake, in the box that holds the
//! handshake (so an idle connection does not carry their space), beside the
//! handshake's state rather than in it (so transitions do not move them).

use core::ops::Range;

use crate::codec::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::error::Error;

use super::cipher::{RecordOpener, RecordSealer};
use super::queue::ByteQueue;
use super::store::Sink;
use super::{write_plain, RecordHeader, HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT_U16};

/// First capacity of the output queue.
const OUT_INITIAL: usize = 2048;

/// What an established connection does with its output, plaintext and
/// partial-record buffers once the caller has emptied them.
///
/// Each buffer grows to a record's size (up to 16 KiB plus the AEAD's
/// overhead, less with a negotiated max_fragment_length or
/// record_size_limit) while data flows. Whether it is kept for the next
/// record or freed trades idle memory against allocations:
///
/// | policy | idle heap after traffic | allocations per burst |
/// |---|---|---|
/// | `Release` | under 2 KB, as after the handshake | one per buffer refilled |
/// | `Keep` | about 35 KB after 16 KiB records | none |
/// | `Preallocated` | every buffer at its cap, from construction on | none, handshake included |
///
/// The in-place paths ([`Connection::receive_in_place`],
/// [`Connection::seal_in_place`]) use the caller's memory and allocate
/// nothing per record under either policy; so do connections whose record
/// buffers the caller lends ([`Areas`](crate::Areas)), which are never
/// freed or grown.
///
/// [`Connection::receive_in_place`]: crate::Connection::receive_in_place
/// [`Connection::seal_in_place`]: crate::Connection::seal_in_place
///
/// ```
/// let mut limits = tls12::Limits::default();
/// // A proxy moving bulk data through few connections keeps its buffers.
/// limits.idle_buffers = tls12::IdleBuffers::Keep;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdleBuffers {
    /// Free a buffer when it empties, so that a connection holding many
    /// idle peers holds little more than its keys (the default).
    #[default]
    Release,
    /// Keep a buffer at its working size, so that steady-state traffic
    /// through the buffered API costs no allocation.
    Keep,
    /// Allocate every buffer once, when the connection is made, at the size
    /// the [`Limits`](crate::Limits) and the record size the configuration
    /// asks for allow, and keep it: for devices that must not allocate once
    /// running (a fixed heap that cannot fragment or run out mid-connection).
    /// A full handshake and traffic both ways then allocate nothing
    /// (`tests/no_alloc.rs`, certificates and PSK, in the `no_std` build).
    ///
    /// Sizes come from the caps, so set them for the device first: the
    /// handshake message caps (`max_handshake_message_len`, and
    /// `max_client_hello_len` on a server), `max_buffered_plaintext`,
    /// `max_buffered_output`, and the record size (`max_fragment_len`, and
    /// `ClientConfig::max_fragment_length` or `record_size_limit`, or
    /// `ServerConfig::record_size_limit`). With 512-byte records and a
    /// 2 KiB message cap a connection takes about 16 KB when made; under
    /// the default caps a server connection would take about 370 KB.
    ///
    /// ```
    /// use tls12::{IdleBuffers, MaxFragmentLength, RootCertStore};
    /// let mut config = tls12::ClientConfig::new(RootCertStore::empty());
    /// config.limits.idle_buffers = IdleBuffers::Preallocated;
    /// config.limits.max_handshake_message_len = 2048;
    /// config.limits.max_buffered_plaintext = 512;
    /// config.limits.max_buffered_output = 512 + 29;
    /// config.max_fragment_len = 512;
    /// config.max_fragment_length = Some(MaxFragmentLength::L512);
    /// config.keep_peer_certificates = false;
    /// ```
    ///
    /// Room is also reserved for what a handshake keeps: the server name, a
    /// PSK identity of up to 128 bytes, and on a client that keeps no chain
    /// (`keep_peer_certificates = false`, no `verifier`) the server's leaf
    /// certificate, up to 4 KiB. Allocations still happen for what is not
    /// reserved: a peer's records longer than the size asked for (RFC 6066
    /// and RFC 8449 let a peer ignore the request), a longer identity or
    /// leaf, a chain kept for `HandshakeInfo::peer_certificates` or a
    /// verifier, a client's certificate chain on a server, ALPN, OCSP,
    /// exporters, session caches and tickets, data sent before the
    /// handshake completes, and a handshake message of ours over 2 KiB that
    /// is not our own Certificate.
    ///
    /// The three record buffers (input, plaintext, output) can be the
    /// caller's memory instead ([`Areas`](crate::Areas)): then only the
    /// handshake's own buffers are allocated when the connection is made.
    Preallocated,
}

/// The pending read and write states (RFC 5246 §6.1): keys derived and not
/// yet made current by a ChangeCipherSpec.
#[derive(Default)]
pub(crate) struct PendingKeys {
    write: Option<RecordSealer>,
    read: Option<RecordOpener>,
}

impl PendingKeys {
    /// Keys the handshake derived.
    pub(crate) fn set(&mut self, write: RecordSealer, read: RecordOpener) {
        self.write = Some(write);
        self.read = Some(read);
    }
}

/// Record sizes agreed in the hellos.
///
/// * max_fragment_length (RFC 6066 §4): one length for both directions,
///   for every record after the hellos, handshake records included
///   ("the client and server MUST immediately begin fragmenting messages
///   (including handshake messages)").
/// * record_size_limit (RFC 8449 §4): each side's value caps what the other
///   sends it, counting plaintext only ("In TLS 1.2 and earlier, the limit
///   covers all input to compression and encryption"; the AEAD's explicit
///   nonce and tag come on top). It binds protected records alone
///   ("Unprotected messages are not subject to this limit"), so the peer's
///   unprotected records are held only to 2^14; ours are split at the
///   limit from the hellos on all the same, which §4 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordLimits {
    /// The largest plaintext we put in one record.
    pub(crate) send: u16,
    /// The largest plaintext we accept in one record.
    pub(crate) receive: u16,
    /// Whether `receive` also binds unprotected records (max_fragment_length)
    /// or only protected ones (record_size_limit).
    pub(crate) receive_unprotected: bool,
}

pub(crate) struct RecordLayer {
    /// The largest plaintext we put in one record: the configuration's,
    /// lowered by a negotiated limit ([`RecordLimits::send`]).
    max_fragment_len: u16,
    /// The largest plaintext we accept in one record: 2^14 (RFC 5246
    /// §6.2.1) until a smaller limit is negotiated.
    max_receive: u16,
    /// Whether `max_receive` binds unprotected records too.
    receive_unprotected: bool,
    /// Record version we write: TLS 1.0 for a client's very first
    /// ClientHello (RFC 5246 Appendix E.1 lets clients pick any 3.x there,
    /// and some old servers refuse a 3.3 record), TLS 1.2 afterwards.
    version: ProtocolVersion,
    /// Once a version is agreed every record must carry it (RFC 5246 §6.2.1).
    version_agreed: bool,
    write: Option<RecordSealer>,
    read: Option<RecordOpener>,
    out: ByteQueue,
    /// Set when the handshake completes: the next time the output queue
    /// empties, its handshake-sized allocation is released, so an idle
    /// connection holds no output buffer.
    release_out_when_empty: bool,
}

/// Bytes before the plaintext in a buffer given to
/// [`RecordLayer::seal_in_place`]: the record header and the longest explicit
/// nonce (8 bytes for AES-GCM, RFC 5288 §3, and AES-CCM, RFC 6655 §3).
pub(crate) const SEAL_PREFIX: usize = HEADER_LEN + 8;
/// Bytes after the plaintext: room for the longest tag (16 bytes).
pub(crate) const SEAL_SUFFIX: usize = 16;

impl RecordLayer {
    /// `first_version` is the version of the records we write until one is
    /// agreed.
    pub(crate) fn new(first_version: ProtocolVersion, max_fragment_len: usize) -> Self {
        Self {
            max_fragment_len: u16::try_from(max_fragment_len)
                .unwrap_or(MAX_PLAINTEXT_U16)
                .clamp(1, MAX_PLAINTEXT_U16),
            max_receive: MAX_PLAINTEXT_U16,
            receive_unprotected: false,
            version: first_version,
            version_agreed: false,
            write: None,
            read: None,
            out: ByteQueue::default(),
            release_out_when_empty: false,
        }
    }

    /// Fixes the record version at TLS 1.2 (after ServerHello).
    pub(crate) fn agree_version(&mut self) {
        self.version = ProtocolVersion::Tls12;
        self.version_agreed = true;
    }

    /// RFC 5246 §6.2.1: once agreed, every record carries the version.
    pub(crate) fn check_version(&self, hdr: RecordHeader) -> Result<(), Error> {
        if self.version_agreed && hdr.version != ProtocolVersion::Tls12 {
            return Err(Error::UnsupportedVersion { peer: hdr.version });
        }
        Ok(())
    }

    /// Applies the record sizes agreed in the hellos to every record from
    /// now on. A limit only ever lowers our configured fragment length.
    pub(crate) fn set_limits(&mut self, limits: RecordLimits) {
        self.max_fragment_len = self
            .max_fragment_len
            .min(limits.send)
            .clamp(1, MAX_PLAINTEXT_U16);
        self.max_receive = limits.receive.clamp(1, MAX_PLAINTEXT_U16);
        self.receive_unprotected = limits.receive_unprotected;
        if let Some(opener) = &mut self.read {
            opener.set_max_plaintext(self.max_receive);
        }
    }

    /// The largest plaintext we put in one record.
    pub(crate) fn max_fragment_len(&self) -> usize {
        usize::from(self.max_fragment_len)
    }

    /// The largest plaintext we put in, and accept in, one record.
    pub(crate) fn fragment_limits(&self) -> (u16, u16) {
        (self.max_fragment_len, self.max_receive)
    }

    /// The largest record fragment (what follows the header) we accept next,
    /// known from its header before its body arrives, so that what a peer
    /// can make us buffer is sized from the negotiated limit: the plaintext
    /// cap plus the AEAD's fixed expansion when protected; the cap itself
    /// for unprotected records under max_fragment_length; 2^14 + 2048 (RFC
    /// 5246 §6.2.3) otherwise.
    pub(crate) fn max_fragment_in(&self) -> usize {
        match &self.read {
            Some(opener) => opener.max_plaintext() + opener.overhead(),
            None if self.receive_unprotected => usize::from(self.max_receive),
            None => MAX_CIPHERTEXT,
        }
    }

    /// RFC 5246 §6.2.1: an unprotected record is at most 2^14 bytes; after
    /// a max_fragment_length agreement, at most that length (RFC 6066 §4).
    pub(crate) fn check_unprotected_len(&self, len: usize) -> Result<(), Error> {
        let limit = if self.receive_unprotected {
            usize::from(self.max_receive)
        } else {
            super::MAX_PLAINTEXT
        };
        if len > limit {
            return Err(Error::RecordOverflow { len, limit });
        }
        Ok(())
    }

    /// The peer's ChangeCipherSpec: its records are protected from now on
    /// (RFC 5246 §7.1), held to the plaintext cap in force.
    pub(crate) fn activate_read(&mut self, pending: &mut PendingKeys) -> Result<(), Error> {
        let mut opener = pending
            .read
            .take()
            .ok_or(Error::Internal("no pending read keys"))?;
        opener.set_max_plaintext(self.max_receive);
        self.read = Some(opener);
        Ok(())
    }

    /// Queues our ChangeCipherSpec (RFC 5246 §7.1) and protects our records
    /// from then on.
    pub(crate) fn send_ccs_and_activate_write(
        &mut self,
        pending: &mut PendingKeys,
    ) -> Result<(), Error> {
        let sealer = pending
            .write
            .take()
            .ok_or(Error::Internal("no pending write keys"))?;
        self.write_records(ContentType::ChangeCipherSpec, &[1])?;
        self.write = Some(sealer);
        Ok(())
    }

    /// The current read state, once the peer's records are protected.
    pub(crate) fn opener(&mut self) -> Option<&mut RecordOpener> {
        self.read.as_mut()
    }

    /// The explicit nonce length of protected records, or `None` while they
    /// are not protected.
    pub(crate) fn explicit_nonce_len(&self) -> Option<usize> {
        self.read.as_ref().map(RecordOpener::explicit_nonce_len)
    }

    /// The current write state, once our records are protected.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn write_state(&self) -> Option<&RecordSealer> {
        self.write.as_ref()
    }

    /// As [`write_state`](Self::write_state), to rewind its sequence number.
    #[cfg(test)]
    pub(crate) fn write_state_mut(&mut self) -> Option<&mut RecordSealer> {
        self.write.as_mut()
    }

    /// Seals exactly one record of `data`, even an empty one (tests craft
    /// records no peer of ours would send).
    #[cfg(test)]
    pub(crate) fn seal_one(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        let version = self.version;
        match &mut self.write {
            Some(sealer) => sealer.seal(typ, version, data, self.out.tail()),
            None => Err(Error::Internal("no write keys")),
        }
    }

    /// Writes `data` of type `typ` as records, protected once a write state
    /// is current, fragmented at `max_fragment_len`.
    pub(crate) fn write_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        let version = self.version;
        let overhead = HEADER_LEN + self.write.as_ref().map_or(0, RecordSealer::overhead);
        let records = data
            .len()
            .div_ceil(usize::from(self.max_fragment_len))
            .max(1);
        let total = data.len() + records * overhead;
        self.out.make_room(total);
        if total > self.out.room() {
            // A lent output area too small for what must be written whole
            // (a flight, an alert): nothing is written.
            return Err(Error::LimitExceeded {
                what: "output area",
                limit: self.out.len().saturating_add(self.out.room()),
            });
        }
        let out = self.out.tail();
        if out.capacity() == 0 {
            // One allocation for a whole flight (a server's first flight
            // with an ECDSA chain is about 1.3 KB) instead of regrowing per
            // record; exact for a larger write, so that it is not doubled.
            out.plan(OUT_INITIAL.max(total));
        }
        match &mut self.write {
            None => write_plain(typ, version, data, self.max_fragment_len(), self.out.tail()),
            Some(sealer) => {
                for chunk in data.chunks(usize::from(self.max_fragment_len)) {
                    sealer.seal(typ, version, chunk, self.out.tail())?;
                }
                Ok(())
            }
        }
    }

    /// Writes records into `area`, which the caller lent, rather than into
    /// a heap buffer.
    pub(crate) fn lend_output(&mut self, area: &'static mut [u8]) {
        self.out = ByteQueue::lent(area);
    }

    /// The lent output area, cleared, if there is one.
    pub(crate) fn take_output_area(&mut self) -> Option<&'static mut [u8]> {
        self.out.take_area()
    }

    /// Reserves `n` bytes of output, at construction.
    pub(crate) fn reserve_output(&mut self, n: usize) {
        self.out.reserve_exact(n);
    }

    /// Sizes the output for a flight of `flight` bytes, so that it does not
    /// regrow while the flight is written.
    pub(crate) fn reserve_flight(&mut self, flight: usize) {
        let out = self.out.tail();
        if out.capacity() == 0 {
            let records = flight.div_ceil(usize::from(self.max_fragment_len)).max(1);
            out.plan(OUT_INITIAL.max(flight + records * HEADER_LEN));
        }
    }

    /// Queues an alert. Failure to protect it (sequence exhaustion) is
    /// ignored: an alert is best effort on a connection that is ending.
    pub(crate) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        // RFC 5246 §7.2: level(1) || description(1).
        let body = [level.to_wire(), description.to_wire()];
        let _ = self.write_records(ContentType::Alert, &body);
    }

    /// Seals as much of `data` as fits under `cap` bytes of queued output;
    /// returns how much.
    pub(crate) fn write_application_data(
        &mut self,
        data: &[u8],
        cap: usize,
    ) -> Result<usize, Error> {
        let overhead = HEADER_LEN + self.write.as_ref().map_or(0, RecordSealer::overhead);
        // A lent output area caps the queue too.
        let cap = cap.min(self.out.len().saturating_add(self.out.room()));
        let mut sent = 0;
        for chunk in data.chunks(self.max_fragment_len()) {
            if self.out.len() + chunk.len() + overhead > cap {
                break;
            }
            self.write_records(ContentType::ApplicationData, chunk)?;
            sent += chunk.len();
        }
        Ok(sent)
    }

    /// Records written for the peer, not yet sent.
    pub(crate) fn output(&self) -> &[u8] {
        self.out.bytes()
    }

    /// Bytes of output queued.
    pub(crate) fn output_len(&self) -> usize {
        self.out.len()
    }

    /// Says that `n` bytes of output were sent.
    pub(crate) fn consume_output(&mut self, n: usize, idle: IdleBuffers) {
        self.out.consume(n);
        self.release_output_if_due(idle);
    }

    /// The handshake is over: its flight-sized output allocation goes the
    /// next time the queue empties.
    pub(crate) fn handshake_done(&mut self) {
        self.release_out_when_empty = true;
    }

    /// Frees the output queue's handshake-sized allocation the first time
    /// it empties after the handshake, and then every time it empties under
    /// [`IdleBuffers::Release`] (under `Keep`, steady-state sending reuses
    /// its buffer).
    pub(crate) fn release_output_if_due(&mut self, idle: IdleBuffers) {
        if idle == IdleBuffers::Preallocated {
            return;
        }
        if self.release_out_when_empty && self.out.is_empty() {
            self.release_out_when_empty = idle == IdleBuffers::Release;
            self.out.release_if_empty();
        }
    }

    /// Zero-copy send into the output: room for up to `len` bytes of
    /// plaintext (at most one record's) is made at the end of the output
    /// queue, where the record will lie; `write` fills it and says how much
    /// it wrote, and that much is sealed where it lies, between the header
    /// and explicit nonce written before it and the tag written after it.
    /// Returns how many bytes were sent: 0 if `write` wrote nothing, or if
    /// the record would take the queue past `cap` bytes or past a lent
    /// area (back-pressure, as for `write_application_data`).
    pub(crate) fn send_with(
        &mut self,
        len: usize,
        cap: usize,
        write: impl FnOnce(&mut [u8]) -> usize,
    ) -> Result<usize, Error> {
        let version = self.version;
        let max = self.max_fragment_len();
        let Some(sealer) = &mut self.write else {
            return Err(Error::Misuse("send_with before the handshake completes"));
        };
        let n = len.min(max);
        let prefix = HEADER_LEN + sealer.explicit_nonce_len();
        let total = n + HEADER_LEN + sealer.overhead();
        self.out.make_room(total);
        if n == 0 || self.out.len() + total > cap.min(self.out.limit()) {
            return Ok(0);
        }
        let start = self.out.len();
        let out = self.out.tail();
        out.extend_for_writing(total)?;
        let written = match out.held_mut().get_mut(start + prefix..start + prefix + n) {
            Some(room) => write(room).min(n),
            None => 0,
        };
        let end = start + total - (n - written);
        if written > 0 {
            let sealed = match out.held_mut().get_mut(start..end) {
                Some(record) => sealer.seal_in_place(ContentType::ApplicationData, version, record),
                None => Err(Error::Internal("send_with record")),
            };
            if let Err(e) = sealed {
                out.cut(start);
                return Err(e);
            }
        }
        out.cut(if written > 0 { end } else { start });
        Ok(written)
    }

    /// Seals the application data at `buf[SEAL_PREFIX..SEAL_PREFIX + len]`
    /// where it lies, writing the header and explicit nonce before it and
    /// the tag after it; returns where the record now lies in `buf`.
    ///
    /// Records must reach the peer in sequence-number order (RFC 5246
    /// §6.2.3.3: the sequence number is authenticated), so this refuses
    /// while records are queued in the output, which the caller sends
    /// first. Errors before anything is sealed are misuse and leave the
    /// connection as it was.
    pub(crate) fn seal_in_place(
        &mut self,
        buf: &mut [u8],
        len: usize,
    ) -> Result<Range<usize>, Error> {
        if !self.out.is_empty() {
            return Err(Error::Misuse(
                "seal_in_place while pending_output holds records: send those first",
            ));
        }
        if len > self.max_fragment_len() {
            return Err(Error::Misuse(
                "seal_in_place: more plaintext than one record carries \
                 (HandshakeInfo::max_fragment_out)",
            ));
        }
        let version = self.version;
        let Some(sealer) = &mut self.write else {
            return Err(Error::Misuse(
                "seal_in_place before the handshake completes",
            ));
        };
        let start = SEAL_PREFIX - HEADER_LEN - sealer.explicit_nonce_len();
        let end = SEAL_PREFIX + len + (sealer.overhead() - sealer.explicit_nonce_len());
        if len == 0 {
            // Nothing to send: no empty record (RFC 5246 §6.2.1 allows one,
            // but it carries nothing and peers count them as a nuisance).
            return Ok(0..0);
        }
        let Some(record) = buf.get_mut(start..end) else {
            return Err(Error::Misuse(
                "seal_in_place: buffer shorter than SEAL_PREFIX + len + SEAL_SUFFIX",
            ));
        };
        sealer.seal_in_place(ContentType::ApplicationData, version, record)?;
        Ok(start..end)
    }
}

impl core::fmt::Debug for RecordLayer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordLayer")
            .field("version", &self.version)
            .field("read_protected", &self.read.is_some())
            .field("write_protected", &self.write.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::suites::AeadAlgorithm;
    use crate::record::MAX_PLAINTEXT;
    use alloc::vec::Vec;

    const MFL_512: RecordLimits = RecordLimits {
        send: 512,
        receive: 512,
        receive_unprotected: true,
    };
    const RSL: RecordLimits = RecordLimits {
        send: 1000,
        receive: 300,
        receive_unprotected: false,
    };

    /// Keys for both directions of one AES-128-GCM connection state.
    fn keys() -> PendingKeys {
        let (key, iv) = ([7u8; 16], [9u8; 4]);
        let mut pending = PendingKeys::default();
        pending.set(
            RecordSealer::new(AeadAlgorithm::Aes128Gcm, &key, &iv).unwrap(),
            RecordOpener::new(AeadAlgorithm::Aes128Gcm, &key, &iv).unwrap(),
        );
        pending
    }

    fn lens(layer: &RecordLayer) -> Vec<usize> {
        let mut out = layer.output();
        let mut lens = Vec::new();
        while let Ok(Some(h)) = RecordHeader::parse(out) {
            lens.push(h.len);
            out = out.get(HEADER_LEN + h.len..).unwrap_or_default();
        }
        lens
    }

    /// RFC 6066 §4: after max_fragment_length, unprotected records over
    /// the length are record_overflow, and records are written at it; a
    /// limit never raises the configured fragment length.
    #[test]
    fn max_fragment_length_binds_unprotected_records() {
        let mut layer = RecordLayer::new(ProtocolVersion::Tls12, MAX_PLAINTEXT);
        assert_eq!(layer.check_unprotected_len(MAX_PLAINTEXT), Ok(()));
        assert_eq!(layer.max_fragment_in(), super::MAX_CIPHERTEXT);
        layer.set_limits(MFL_512);
        assert_eq!(layer.check_unprotected_len(512), Ok(()));
        assert_eq!(
            layer.check_unprotected_len(513),
            Err(Error::RecordOverflow {
                len: 513,
                limit: 512
            })
        );
        assert_eq!(layer.max_fragment_in(), 512);
        layer
            .write_records(ContentType::Handshake, &[1u8; 1200])
            .unwrap();
        assert_eq!(lens(&layer), [512, 512, 176]);

        let mut small = RecordLayer::new(ProtocolVersion::Tls12, 100);
        small.set_limits(MFL_512);
        assert_eq!(small.fragment_limits(), (100, 512));
    }

    /// RFC 8449 §4: record_size_limit binds protected records only; the
    /// opener activated afterwards takes the cap, and the largest record
    /// accepted from its header is the cap plus the AEAD's 24 bytes.
    #[test]
    fn record_size_limit_binds_protected_records() {
        let mut layer = RecordLayer::new(ProtocolVersion::Tls12, MAX_PLAINTEXT);
        layer.set_limits(RSL);
        assert_eq!(layer.check_unprotected_len(MAX_PLAINTEXT), Ok(()));
        assert_eq!(layer.max_fragment_in(), super::MAX_CIPHERTEXT);
        let mut pending = keys();
        layer.activate_read(&mut pending).unwrap();
        assert_eq!(layer.opener().unwrap().max_plaintext(), 300);
        assert_eq!(layer.max_fragment_in(), 300 + 24);
        layer.send_ccs_and_activate_write(&mut pending).unwrap();
        layer.consume_output(layer.output_len(), IdleBuffers::Release);
        layer
            .write_records(ContentType::ApplicationData, &[1u8; 2500])
            .unwrap();
        assert_eq!(lens(&layer), [1024, 1024, 524]);
    }
}
