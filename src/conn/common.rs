//! What a connection holds besides its state machine: the record layer,
//! the plaintext queue, the event queue and the counters the record loop
//! keeps. The state machines see none of it but the record layer and the
//! randomness, through [`Io`].

use crate::codec::enums::{AlertDescription, AlertLevel, ContentType};
use crate::config::Limits;
use crate::crypto::rand::RandomSource;
use crate::error::Error;
use crate::handshake::{HandshakeBuffers, Io, Role, Secrets};
use crate::info::{Event, HandshakeInfo};
use crate::keyop::{OperationId, OperationKind};
use crate::record::layer::{PendingKeys, RecordLayer};
use crate::record::queue::ByteQueue;
use crate::record::store::Store;

use super::events::EventQueue;

/// The caps the record loop enforces, copied from the configuration's
/// [`Limits`]; the handshake's own caps (message size, chain length) stay
/// with the configuration, which the state machines read. Kept apart so
/// that an idle connection does not carry the handshake's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoopLimits {
    pub(crate) max_buffered_plaintext: usize,
    pub(crate) max_buffered_output: usize,
    /// Bytes held unread while paused for the caller
    /// (`Limits::max_handshake_message_len`).
    pub(crate) max_held_input: usize,
    pub(crate) max_warnings_in_a_row: usize,
    pub(crate) idle_buffers: crate::IdleBuffers,
}

impl From<&Limits> for LoopLimits {
    fn from(l: &Limits) -> Self {
        Self {
            max_buffered_plaintext: l.max_buffered_plaintext,
            max_buffered_output: l.max_buffered_output,
            max_held_input: l.max_handshake_message_len,
            max_warnings_in_a_row: l.max_warnings_in_a_row,
            idle_buffers: l.idle_buffers,
        }
    }
}

/// The areas a connection keeps beside the record layer's: its input
/// store, the reassembly and encoding areas, and the handshake slot.
pub(crate) struct LentRest {
    pub(crate) input: Store,
    pub(crate) reassembly: &'static mut [u8],
    pub(crate) encoding: Store,
    pub(crate) leaf: Store,
    pub(crate) name: Store,
    pub(crate) psk_identity: Store,
    pub(crate) transcript: Store,
    pub(crate) alpn: Store,
    pub(crate) slot: &'static mut crate::HandshakeSlot,
}

pub(crate) struct Common {
    pub(crate) role: Role,
    pub(crate) limits: LoopLimits,
    pub(crate) record: RecordLayer,
    pub(crate) plaintext: ByteQueue,
    /// Application data the caller wrote before the handshake finished.
    pub(crate) early_data: crate::shared::HeapBytes,
    pub(crate) events: EventQueue,
    pub(crate) info: Option<HandshakeInfo>,
    pub(crate) sent_close_notify: bool,
    pub(crate) received_close_notify: bool,
    /// Whether the handshake buffers have been released (see
    /// `Connection::release_idle_buffers`); kept beside the other flags,
    /// where it costs no space.
    pub(crate) released: bool,
    /// Whether the partial-record buffer holds the header of a record
    /// handed to the handshake as it arrives (`Connection::streams`), its
    /// length counting the bytes still to come.
    pub(crate) streaming: bool,
    pub(crate) warnings_in_a_row: usize,
    /// The operation the caller has been asked for and not yet answered.
    pub(crate) pending_op: Option<OperationId>,
    next_op: Option<u32>,
}

impl Common {
    pub(crate) fn new(role: Role, limits: &Limits, max_fragment_len: usize) -> Self {
        // RFC 5246 Appendix E.1: a client's first ClientHello record may
        // carry {3, 1}, which old servers that refuse {3, 3} accept.
        let first_version = match role {
            Role::Client => crate::codec::enums::ProtocolVersion::Tls10,
            Role::Server => crate::codec::enums::ProtocolVersion::Tls12,
        };
        Self {
            role,
            limits: LoopLimits::from(limits),
            record: RecordLayer::new(first_version, max_fragment_len),
            plaintext: ByteQueue::default(),
            early_data: crate::shared::HeapBytes::default(),
            events: EventQueue::new(),
            info: None,
            sent_close_notify: false,
            received_close_notify: false,
            released: false,
            streaming: false,
            warnings_in_a_row: 0,
            pending_op: None,
            next_op: None,
        }
    }

    /// Puts the plaintext queue and the output on the caller's areas;
    /// returns the rest, for the connection.
    pub(crate) fn lend(&mut self, areas: crate::conn::Areas) -> LentRest {
        self.plaintext = ByteQueue::lent(areas.plaintext);
        self.record.lend_output(areas.output);
        LentRest {
            input: Store::lent(areas.input),
            reassembly: areas.handshake_in,
            encoding: Store::lent(areas.handshake_out),
            leaf: Store::lent(areas.peer_leaf),
            name: Store::lent(areas.server_name),
            psk_identity: Store::lent(areas.psk_identity),
            transcript: Store::lent(areas.transcript),
            alpn: Store::lent(areas.alpn),
            slot: areas.slot,
        }
    }

    /// Asks the caller for `kind`: a fresh id, reported by an event.
    pub(crate) fn begin_operation(
        &mut self,
        kind: OperationKind,
        random: &dyn RandomSource,
    ) -> Result<(), Error> {
        // Ids start at a random point, so that an answer given to the wrong
        // connection is refused as unknown rather than taken (no global
        // counter: it would need 64-bit atomics, which small targets lack).
        let next = match self.next_op {
            Some(n) => n,
            None => {
                let mut seed = [0u8; 4];
                random.fill(&mut seed)?;
                u32::from_be_bytes(seed)
            }
        };
        self.next_op = Some(next.wrapping_add(1));
        let id = OperationId(next);
        self.pending_op = Some(id);
        self.push_event(Event::Operation { id, kind });
        Ok(())
    }

    /// What the state machine may touch for one transition.
    pub(crate) fn io<'a>(
        &'a mut self,
        pending: &'a mut PendingKeys,
        secrets: Secrets<'a>,
        buffers: &'a mut HandshakeBuffers,
        random: &'a dyn RandomSource,
    ) -> Io<'a> {
        Io {
            record: &mut self.record,
            pending,
            random,
            secrets,
            buffers,
        }
    }

    /// Queues one encoded handshake message, as the state machines do
    /// (tests inject messages with it).
    #[cfg(test)]
    pub(crate) fn send_handshake(&mut self, msg: &[u8]) -> Result<(), Error> {
        self.record.write_records(ContentType::Handshake, msg)
    }

    /// Queues an alert for the peer.
    pub(crate) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        self.record.send_alert(level, description);
    }

    pub(crate) fn push_event(&mut self, ev: Event) {
        self.events.push(ev);
    }

    /// Seals as much of `data` as the output cap allows; returns how much.
    pub(crate) fn send_application_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.record
            .write_application_data(data, self.limits.max_buffered_output)
    }

    /// Marks the handshake finished: reports it, frees what only the
    /// handshake needed, and sends the data the caller wrote meanwhile.
    pub(crate) fn complete(&mut self, mut info: HandshakeInfo) -> Result<(), Error> {
        (info.max_fragment_out, info.max_fragment_in) = self.record.fragment_limits();
        self.info = Some(info);
        self.record.handshake_done();
        self.push_event(Event::HandshakeComplete);
        if self.early_data.is_empty() {
            return Ok(());
        }
        let early = self.early_data.take();
        // The early buffer is capped so that it always fits in the output.
        self.record
            .write_records(ContentType::ApplicationData, early.as_slice())
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
}
