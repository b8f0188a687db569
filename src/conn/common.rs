//! State shared by both sides: record protection, output and plaintext
//! buffers, and the event queue. The handshake state machines drive it.

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::codec::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::config::Limits;
use crate::crypto::rand::RandomSource;
use crate::error::Error;
use crate::record::cipher::{RecordOpener, RecordSealer};
use crate::record::{self, HEADER_LEN};

use super::events::EventQueue;
use super::{Event, HandshakeInfo};

/// First capacity of the output queue.
const OUT_INITIAL: usize = 2048;

/// Which end of the connection we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

/// A byte queue with a read cursor: appended at the back, drained from the
/// front, its allocation reused (no allocation per record in steady state).
#[derive(Debug, Default)]
pub(crate) struct ByteQueue {
    buf: Vec<u8>,
    start: usize,
}

impl ByteQueue {
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops `n` bytes from the front (clamped to what is there).
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.buf.len());
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > self.buf.len() / 2 && self.start >= 4096 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// Frees the allocation if nothing is queued.
    pub(crate) fn release_if_empty(&mut self) {
        if self.is_empty() {
            *self = Self::default();
        }
    }

    /// The backing vector, for appending.
    pub(crate) fn tail(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
}

/// What the record layer and the state machines share.
pub(crate) struct Common {
    pub(crate) role: Role,
    pub(crate) limits: Limits,
    pub(crate) max_fragment_len: usize,
    pub(crate) random: Arc<dyn RandomSource>,
    /// Record version we write: TLS 1.0 for the very first ClientHello (RFC
    /// 5246 Appendix E.1 lets clients pick any 3.x there, and some old
    /// servers refuse a 3.3 record), TLS 1.2 afterwards.
    pub(crate) record_version: ProtocolVersion,
    /// Once a version is agreed every record must carry it (RFC 5246 §6.2.1).
    pub(crate) version_agreed: bool,
    pub(crate) sealer: Option<RecordSealer>,
    pub(crate) opener: Option<RecordOpener>,
    pub(crate) out: ByteQueue,
    pub(crate) plaintext: ByteQueue,
    /// Application data the caller wrote before the handshake finished.
    pub(crate) early_data: Vec<u8>,
    pub(crate) events: EventQueue,
    pub(crate) info: Option<HandshakeInfo>,
    pub(crate) established: bool,
    pub(crate) error: Option<Error>,
    pub(crate) sent_close_notify: bool,
    pub(crate) received_close_notify: bool,
    pub(crate) warnings_in_a_row: usize,
    /// Encoding space for outgoing handshake messages, reused by
    /// `handshake::emit` and released once the handshake is over.
    pub(crate) hs_buf: Vec<u8>,
    /// Set when the handshake completes: the next time the output queue
    /// empties, its handshake-sized allocation is released, so an idle
    /// connection holds no output buffer.
    pub(crate) release_out_when_empty: bool,
}

impl Common {
    pub(crate) fn new(
        role: Role,
        limits: Limits,
        max_fragment_len: usize,
        random: Arc<dyn RandomSource>,
    ) -> Self {
        Self {
            role,
            limits,
            max_fragment_len,
            random,
            record_version: match role {
                Role::Client => ProtocolVersion::Tls10,
                Role::Server => ProtocolVersion::Tls12,
            },
            version_agreed: false,
            sealer: None,
            opener: None,
            out: ByteQueue::default(),
            plaintext: ByteQueue::default(),
            early_data: Vec::new(),
            events: EventQueue::new(),
            info: None,
            established: false,
            error: None,
            sent_close_notify: false,
            received_close_notify: false,
            warnings_in_a_row: 0,
            hs_buf: Vec::new(),
            release_out_when_empty: false,
        }
    }

    /// Fixes the record version at TLS 1.2 (after ServerHello).
    pub(crate) fn agree_version(&mut self) {
        self.record_version = ProtocolVersion::Tls12;
        self.version_agreed = true;
    }

    /// Writes `data` of type `typ` as records, protected once a sealer is
    /// installed, fragmented at `max_fragment_len`.
    pub(crate) fn write_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        let version = self.record_version;
        let out = self.out.tail();
        if out.capacity() == 0 {
            // One allocation for a whole flight (a server's first flight
            // with an ECDSA chain is about 1.3 KB) instead of regrowing per
            // record; exact for a larger write, so that it is not doubled.
            let overhead = HEADER_LEN + self.sealer.as_ref().map_or(0, RecordSealer::overhead);
            let records = data.len().div_ceil(self.max_fragment_len.max(1)).max(1);
            out.reserve(OUT_INITIAL.max(data.len() + records * overhead));
        }
        match &mut self.sealer {
            None => {
                record::write_plain(typ, version, data, self.max_fragment_len, self.out.tail());
                Ok(())
            }
            Some(sealer) => {
                for chunk in data.chunks(self.max_fragment_len) {
                    sealer.seal(typ, version, chunk, self.out.tail())?;
                }
                Ok(())
            }
        }
    }

    /// Sizes the encoding buffer for a flight whose largest message is
    /// `largest` bytes and the output for `flight` bytes in all, so that
    /// neither regrows while the flight is written (a server's first flight
    /// with an RSA chain outgrows the defaults).
    pub(crate) fn reserve_flight(&mut self, largest: usize, flight: usize) {
        self.hs_buf.reserve(largest);
        let out = self.out.tail();
        if out.capacity() == 0 {
            let records = flight.div_ceil(self.max_fragment_len.max(1)).max(1);
            out.reserve(OUT_INITIAL.max(flight + records * HEADER_LEN));
        }
    }

    /// Queues one handshake message (already encoded with its header).
    pub(crate) fn send_handshake(&mut self, msg: &[u8]) -> Result<(), Error> {
        self.write_records(ContentType::Handshake, msg)
    }

    /// Queues ChangeCipherSpec (RFC 5246 §7.1) and switches our writes to
    /// `sealer`.
    pub(crate) fn send_ccs_and_switch(&mut self, sealer: RecordSealer) -> Result<(), Error> {
        self.write_records(ContentType::ChangeCipherSpec, &[1])?;
        self.sealer = Some(sealer);
        Ok(())
    }

    /// Queues an alert. Failure to protect it (sequence exhaustion) is
    /// ignored: an alert is best effort on a connection that is ending.
    pub(crate) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        // RFC 5246 §7.2: level(1) || description(1).
        let body = [level.to_wire(), description.to_wire()];
        let _ = self.write_records(ContentType::Alert, &body);
    }

    pub(crate) fn push_event(&mut self, ev: Event) {
        self.events.push(ev);
    }

    /// Seals as much of `data` as the output cap allows; returns how much.
    pub(crate) fn send_application_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        let overhead = HEADER_LEN + self.sealer.as_ref().map_or(0, RecordSealer::overhead);
        let mut sent = 0;
        for chunk in data.chunks(self.max_fragment_len) {
            if self.out.len() + chunk.len() + overhead > self.limits.max_buffered_output {
                break;
            }
            self.write_records(ContentType::ApplicationData, chunk)?;
            sent += chunk.len();
        }
        Ok(sent)
    }

    /// Flushes application data written before the handshake completed.
    pub(crate) fn flush_early_data(&mut self) -> Result<(), Error> {
        let early = core::mem::take(&mut self.early_data);
        // The early buffer is capped so that it always fits in the output.
        for chunk in early.chunks(self.max_fragment_len) {
            self.write_records(ContentType::ApplicationData, chunk)?;
        }
        Ok(())
    }

    /// Marks the handshake finished.
    pub(crate) fn complete(&mut self, info: HandshakeInfo) -> Result<(), Error> {
        self.info = Some(info);
        self.established = true;
        self.hs_buf = Vec::new();
        self.release_out_when_empty = true;
        self.push_event(Event::HandshakeComplete);
        self.flush_early_data()
    }

    /// Counts one warning alert, empty record or refused renegotiation; more
    /// than `max_warnings_in_a_row` without progress ends the connection.
    pub(crate) fn count_warning(&mut self) -> Result<(), Error> {
        self.warnings_in_a_row += 1;
        if self.warnings_in_a_row > self.limits.max_warnings_in_a_row {
            return Err(Error::UnexpectedMessage {
                got: "too many warning alerts, empty records or renegotiation attempts in a row",
                expected: "progress",
            });
        }
        Ok(())
    }

    /// Draws protocol randomness from the configured source.
    pub(crate) fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
        self.random.fill(dest)
    }
}
