//! The public sans-IO connection types.
//!
//! A [`Connection`] never touches a socket: the caller moves bytes.
//!
//! * TLS bytes in: [`Connection::receive`] copies what it can use and says
//!   how many bytes it consumed; [`Connection::receive_in_place`] decrypts a
//!   record inside the caller's own buffer instead, with no copy.
//! * TLS bytes out: [`Connection::pending_output`] is what to send;
//!   [`Connection::consume_output`] says how much was sent.
//! * Plaintext: [`Connection::send`] to write, [`Connection::read`] (or
//!   [`Connection::plaintext`] + [`Connection::consume_plaintext`]) to read.
//! * [`Connection::next_event`] reports handshake completion, data arrival,
//!   the peer's close_notify and warning alerts.

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
use core::ops::{Deref, DerefMut, Range};

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::codec::alert::AlertMessage;
use crate::codec::enums::{AlertDescription, AlertLevel, ContentType, HandshakeType};
use crate::codec::handshake::decode_handshake;
use crate::codec::{Codec, Reader};
use crate::config::{ClientConfig, ServerConfig};
use crate::crypto::exporter::ExporterSecret;
use crate::diagnosis::{Diagnosis, Offered};
use crate::error::Error;
use crate::handshake::client::{self, ClientContext};
use crate::handshake::server::{self, ServerContext};
use crate::handshake::table::{Action, ClientStage, Kind, ServerStage};
use crate::handshake::{
    HandshakeBuffers, Message, Next, OpRequest, Role, SecretPolicy, Secrets, Transition,
};
use crate::keyop::{Answer, Operation, OperationId, OperationKind};
use crate::record::joiner::HandshakeJoiner;
use crate::record::layer::PendingKeys;
use crate::record::store::{Sink, Store};
use crate::record::{RecordHeader, HEADER_LEN, MAX_PLAINTEXT, MAX_PLAINTEXT_U16};
use crate::shared::{Boxed, HeapOnly, Shared};

mod areas;
#[cfg(test)]
mod attack_tests;
pub(crate) mod common;
mod events;
mod slot;
#[cfg(test)]
mod state_table;
#[cfg(test)]
mod tests;

pub use crate::info::{Event, HandshakeInfo};
pub use areas::{AreaSizes, Areas};
use common::Common;
pub use slot::HandshakeSlot;
use slot::{Lent, Lodge};

/// The result of [`Connection::receive_in_place`].
#[derive(Debug)]
pub struct InPlace<'b> {
    /// Bytes of the caller's buffer used up: one whole record, or 0 when the
    /// buffer does not yet hold a whole record.
    pub consumed: usize,
    /// Application data decrypted inside the caller's buffer (empty if the
    /// record carried something else).
    pub application_data: &'b mut [u8],
}

/// The side-specific state machine and its context.
enum Side {
    Client {
        ctx: ClientContext,
        machine: Machine<client::State>,
    },
    Server {
        ctx: ServerContext,
        machine: Machine<server::State>,
    },
}

/// What every call on a connection whose memory was given back returns
/// (a static: saying so allocates nothing).
static GIVEN_BACK: Error = Error::Misuse("connection used after take_areas");

/// What exporting before the handshake completes returns.
const EXPORT_TOO_EARLY: Error = Error::Misuse(
    "export_keying_material before the handshake completed (RFC 5705 §4: the exporter is \
     defined only for an established session)",
);

/// Where a side's handshake is; the one record of whether the connection is
/// established or dead.
///
/// The states carry the transcript, key schedule and negotiated values, so
/// they live in one box (or the caller's slot) for the length of the
/// handshake and are dropped when it ends: an established connection does
/// not carry their space. At most one allocation per handshake; every
/// transition reuses the box (it is empty only while a transition runs).
enum Machine<S> {
    /// Without `alloc`, never: every connection has a slot.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    Handshaking(HeapOnly<Running<S>>),
    /// The same in the slot the caller lent ([`HandshakeSlot`]).
    HandshakingIn(Lent),
    /// With the master secret kept for exporters, when the configuration
    /// enables them (RFC 5705).
    Established(Option<Boxed<ExporterSecret>>),
    /// The same in the caller's slot.
    EstablishedIn(Lent),
    /// The error that killed the connection; every later call returns it.
    /// Boxed: the failure path may allocate, and the running connection
    /// does not carry an error's space.
    Failed(Boxed<Failure>),
    /// Its lent memory given back ([`Connection::take_areas`]): every later
    /// call fails with [`GIVEN_BACK`], and nothing is allocated to say so.
    GivenBack,
}

/// What killed a connection, and in which state, for
/// [`Connection::diagnosis`].
struct Failure {
    error: Error,
    client_stage: Option<ClientStage>,
    server_stage: Option<ServerStage>,
    /// The caller's slot, empty, to give back.
    slot: Option<&'static mut HandshakeSlot>,
}

/// A handshake in progress: its state (taken out only while a transition
/// runs) and the pending keys, which stay put while the state moves.
pub(crate) struct Running<S> {
    state: Option<S>,
    pending: PendingKeys,
    /// The exporter's copy of the master secret, once derived (only when
    /// the configuration enables exporters).
    exporter: Option<ExporterSecret>,
    /// The state a failed transition was given (the state itself is gone),
    /// for [`Connection::diagnosis`].
    failed_in: Option<(Option<ClientStage>, Option<ServerStage>)>,
    /// Its encoding space, and room for what it keeps.
    buffers: HandshakeBuffers,
}

impl<S> Running<S> {
    fn new(state: S, pending: PendingKeys, buffers: HandshakeBuffers) -> Self {
        Self {
            state: Some(state),
            pending,
            exporter: None,
            failed_in: None,
            buffers,
        }
    }
}

/// What [`Connection::preallocate`] sizes buffers for, from the
/// configuration.
struct Preallocation {
    /// The longest record plaintext expected from the peer.
    record_in: usize,
    /// The handshake message cap for what the peer sends.
    largest_message_in: usize,
    /// The longest handshake message we write.
    largest_message_out: usize,
    /// The bytes of our longest flight, records included.
    flight_out: usize,
    /// The record plaintext we write.
    record_out: usize,
    /// Room for the peer's leaf certificate, kept alone by a side that
    /// keeps no chain (0 if it keeps the chain or asks for none).
    leaf: usize,
    /// Room for a PSK identity behind its length (0 without PSKs).
    psk_identity: usize,
    /// Room for the messages a CertificateVerify signs (0 if none may be
    /// made or checked).
    transcript: usize,
    /// Room for an ALPN protocol behind its length (0 without ALPN).
    alpn: usize,
}

/// Room for the peer's leaf certificate kept alone (`Io::keep_leaf`): an
/// ECDSA leaf is well under 1 KiB, an RSA-4096 one with a few names under
/// 2 KiB. A longer one is allocated, or refused on a lent area.
const LEAF_RESERVE: usize = 4096;

/// Room for an AEAD's explicit nonce and tag (24 bytes at most) and a
/// record header, rounded up.
const RECORD_SLACK: usize = 64;

/// Room for the handshake messages a server writes besides its
/// Certificate, and the slack a CertificateVerify's transcript keeps for
/// the hellos and key exchanges: a server's first flight less its
/// Certificate is under 1 KiB (RFC 5246 §7.4: ServerHello, a key exchange
/// signed with at most a 4096-bit key, CertificateRequest,
/// ServerHelloDone), doubled for CertificateRequests that name CAs.
const SMALL_MESSAGES: usize = 2048;

/// The messages a server writes besides its Certificate and its
/// CertificateRequest: ServerHello, a key exchange signed with at most a
/// 4096-bit key (about 620 bytes), ServerHelloDone; then NewSessionTicket
/// and Finished (a ticket that carries the client's chain is longer, and
/// allocated).
const SERVER_SMALL_MESSAGES: usize = 1024;

/// The length of the server's CertificateRequest (RFC 5246 §7.4.4), 0 if
/// it asks for no certificate: its header, two certificate types, the
/// signature schemes, and each trust anchor's subject as a DER Name (a
/// SEQUENCE header of at most 4 bytes) with its 2-byte length.
fn certificate_request_len(config: &ServerConfig) -> usize {
    config.client_auth.roots().map_or(0, |roots| {
        4 + 3
            + 2
            + 2 * config.signature_schemes.len()
            + 2
            + roots.subjects().map(|s| 2 + 4 + s.len()).sum::<usize>()
    })
}

/// The longest NewSessionTicket a server writes (RFC 5077 §3.3) when a
/// ticket may carry the client's certificate chain (the server keeps the
/// chains of clients it asks for certificates): the message and ticket
/// headers, our key name, nonce and tag, and the session's encoding with a
/// full server name and a chain as long as the client's Certificate
/// message may be; 0 otherwise (a ticket without a chain is under 1 KiB,
/// which [`SERVER_SMALL_MESSAGES`] holds). A ticket longer than the room
/// there is is sent empty, which RFC 5077 §3.3 allows.
fn ticket_len(config: &ServerConfig) -> usize {
    #[cfg(feature = "std")]
    if config.ticketer.is_some()
        && config.client_auth.roots().is_some()
        && config.keeps_peer_certificates()
    {
        return TICKET_OVERHEAD
            .saturating_add(config.limits.max_handshake_message_len)
            .min(4 + 4 + 2 + 0xffff);
    }
    let _ = config;
    0
}

/// A NewSessionTicket's bytes besides the chain it carries: 10 of message
/// and ticket headers, 44 of key name, nonce and tag, and a session
/// encoding's fixed fields with a full server name and PSK identity
/// (`Session::encode`), rounded up.
#[cfg(feature = "std")]
const TICKET_OVERHEAD: usize = 1024;

/// The same for a client, less its PSK identity: a ClientHello with the
/// default lists is under 300 bytes; a ClientKeyExchange (an RSA-4096
/// encrypted premaster is 514 bytes) or a CertificateVerify (an RSA-4096
/// signature, 520) fits in 1 KiB. A larger ClientHello (many suites, a
/// session ticket) is written when the connection is made, so the room
/// grows then, not later.
const CLIENT_SMALL_MESSAGES: usize = 1024;

impl Preallocation {
    /// Sizes for a side whose own chains are `chains`, receiving records of
    /// `record_in` bytes and handshake messages of `message_in` bytes, and
    /// writing records of `record_out` bytes.
    fn new<'c>(
        chains: impl Iterator<Item = &'c [CertificateDer<'static>]>,
        record_in: usize,
        message_in: usize,
        record_out: usize,
        small: usize,
    ) -> Self {
        // RFC 5246 §7.4.2: a 3-byte list length, each certificate with its
        // own 3-byte length, after the 4-byte message header.
        let certificate_msg = chains
            .map(|chain| 7 + chain.iter().map(|c| 3 + c.as_ref().len()).sum::<usize>())
            .max()
            .unwrap_or(0);
        let largest_message_out = certificate_msg.max(small);
        let flight = certificate_msg + small;
        let records = flight.div_ceil(record_out.max(1));
        Self {
            record_in,
            largest_message_in: message_in,
            largest_message_out,
            flight_out: flight + records * (HEADER_LEN + RECORD_SLACK),
            record_out,
            leaf: 0,
            psk_identity: 0,
            transcript: 0,
            alpn: 0,
        }
    }

    /// With room for an ALPN protocol, if the configuration offers or
    /// accepts any.
    fn keeping_alpn(mut self, protocols: &[crate::shared::List<u8>]) -> Self {
        self.alpn = if protocols.is_empty() {
            0
        } else {
            HandshakeBuffers::ALPN
        };
        self
    }

    /// With room for the messages a CertificateVerify signs, if `signs`.
    fn keeping_transcript(mut self, signs: bool) -> Self {
        self.transcript = if signs { self.transcript() } else { 0 };
        self
    }

    /// With room to write a message of `len` bytes, outside the first
    /// flight, in one flight of its own.
    fn writing(mut self, len: usize) -> Self {
        self.largest_message_out = self.largest_message_out.max(len);
        let records = len.div_ceil(self.record_out.max(1));
        self.flight_out = self
            .flight_out
            .max(len + records * (HEADER_LEN + RECORD_SLACK));
        self
    }

    /// With `len` bytes of room for a PSK identity and its length.
    fn keeping_psk_identity(mut self, len: usize) -> Self {
        self.psk_identity = len;
        self
    }

    /// With room for a leaf that comes in a message of at most `message_in`
    /// bytes, if `kept_alone`.
    fn keeping_leaf(mut self, kept_alone: bool, message_in: usize) -> Self {
        self.leaf = if kept_alone {
            message_in.min(LEAF_RESERVE)
        } else {
            0
        };
        self
    }

    fn for_client(config: &ClientConfig) -> Self {
        // RFC 6066 §4 and RFC 8449 §4: what we ask for bounds what the
        // server sends once it agrees; with both asked, either may be the
        // one it agrees to.
        let asked = [
            config.max_fragment_length.map(|m| usize::from(m.length())),
            config.record_size_limit.map(usize::from),
        ];
        let record_in = asked.into_iter().flatten().max().unwrap_or(MAX_PLAINTEXT);
        Self::new(
            config.client_identities.iter().map(|i| &i.chain[..]),
            record_in,
            config.limits.max_handshake_message_len,
            config.max_fragment_len,
            // RFC 4279 §2: the ClientKeyExchange carries the identity.
            CLIENT_SMALL_MESSAGES
                + config
                    .psk_identities
                    .iter()
                    .map(|p| p.identity.len())
                    .max()
                    .unwrap_or(0),
        )
        // Nobody else sees the chain: the server's leaf is kept alone.
        .keeping_leaf(
            !config.keeps_peer_certificates() && config.verifier.is_none(),
            config.limits.max_handshake_message_len,
        )
        .keeping_psk_identity(
            config
                .psk_identities
                .iter()
                .map(|p| 2 + p.identity.len())
                .max()
                .unwrap_or(0),
        )
        .keeping_transcript(!config.client_identities.is_empty())
        .keeping_alpn(&config.alpn_protocols)
    }

    fn for_server(config: &ServerConfig) -> Self {
        // A client that asks for smaller records gets them (RFC 6066 §4,
        // RFC 8449 §4, `accept_record_limits`), but one that does not may
        // send 2^14 bytes a record.
        let record_in = usize::from(config.record_size_limit.min(MAX_PLAINTEXT_U16));
        let limits = &config.limits;
        Self::new(
            config.identities().map(|i| &i.chain[..]),
            record_in,
            limits
                .max_handshake_message_len
                .max(limits.max_client_hello_len),
            config.max_fragment_len,
            SERVER_SMALL_MESSAGES + certificate_request_len(config),
        )
        // The client's leaf, kept alone as on a client that keeps no chain.
        .keeping_leaf(
            config.client_auth.roots().is_some()
                && !config.keeps_peer_certificates()
                && config.client_verifier.is_none(),
            limits.max_handshake_message_len,
        )
        // RFC 4279 §5.3: identities of up to 128 bytes must be accepted.
        .keeping_psk_identity(if config.psk_store.is_some() {
            HandshakeBuffers::PSK_IDENTITY
        } else {
            0
        })
        .keeping_transcript(config.client_auth.roots().is_some())
        .keeping_alpn(&config.alpn_protocols)
        .writing(ticket_len(config))
    }

    /// The handshake messages a CertificateVerify signs (RFC 5246 §7.4.8):
    /// the peer's Certificate or its chain (the longest message it may
    /// send), ours, and the hellos, key exchanges, CertificateRequest and
    /// ServerHelloDone, which fit in [`SMALL_MESSAGES`] unless a
    /// CertificateRequest names many CAs.
    fn transcript(&self) -> usize {
        self.largest_message_in
            .saturating_add(self.largest_message_out)
            .saturating_add(SMALL_MESSAGES)
    }

    /// Reassembly: one incomplete message (header and body) and the rest
    /// of the record that brought it.
    fn reassembly(&self) -> usize {
        self.largest_message_in.saturating_add(4 + self.record())
    }

    /// A record as it arrives: header, explicit nonce, plaintext, tag.
    fn record(&self) -> usize {
        HEADER_LEN + self.record_in + RECORD_SLACK
    }

    /// The record buffers' sizes: what each one's own code keeps it to (see
    /// `receive_inner`, `process_copied` and
    /// `RecordLayer::write_application_data`).
    fn area_sizes(&self, limits: &crate::Limits) -> AreaSizes {
        AreaSizes {
            input: self.record(),
            // The queue stops taking records at its cap, so it holds at
            // most the cap plus the last record.
            plaintext: limits.max_buffered_plaintext.saturating_add(self.record()),
            // The output cap holds application data; a handshake flight is
            // written whole even when longer.
            output: limits
                .max_buffered_output
                .max(self.flight_out)
                .saturating_add(RECORD_SLACK),
            handshake_in: self.reassembly(),
            handshake_out: self.largest_message_out,
            peer_leaf: self.leaf,
            server_name: HandshakeBuffers::NAME,
            psk_identity: self.psk_identity,
            transcript: self.transcript,
            alpn: self.alpn,
        }
    }
}

/// Gives the joiner and the handshake's encoding the areas the caller lent
/// for them; returns the input store and the slot, for the connection.
fn lend_rest(
    lent: Option<common::LentRest>,
    joiner: &mut HandshakeJoiner,
    buffers: &mut HandshakeBuffers,
) -> (Option<Store>, Option<&'static mut HandshakeSlot>) {
    match lent {
        Some(rest) => {
            joiner.lend(rest.reassembly);
            buffers.encode = rest.encoding;
            buffers.leaf = rest.leaf;
            buffers.name = rest.name;
            buffers.psk_identity = rest.psk_identity;
            buffers.transcript = rest.transcript;
            buffers.alpn = rest.alpn;
            (Some(rest.input), Some(rest.slot))
        }
        None => (None, None),
    }
}

impl<S: Lodge> Machine<S> {
    /// A handshake starting in `running`, in the caller's slot if lent.
    fn start(running: Running<S>, slot: Option<&'static mut HandshakeSlot>) -> Self {
        match slot {
            Some(slot) => Machine::HandshakingIn(Lent::running(slot, running)),
            #[cfg(feature = "alloc")]
            None => Machine::Handshaking(Box::new(running)),
            // Without `alloc` every connection has a slot (`Areas::slot`).
            #[cfg(not(feature = "alloc"))]
            None => {
                drop(running);
                Machine::Failed(Boxed::new(Failure {
                    error: Error::Internal("no handshake slot"),
                    client_stage: None,
                    server_stage: None,
                    slot: None,
                }))
            }
        }
    }

    /// Runs one transition of the handshake.
    fn advance<C: SecretPolicy>(
        &mut self,
        ctx: &C,
        common: &mut Common,
        handler: Transition<S, C>,
        msg: Message<'_>,
    ) -> Result<(), Error> {
        let Some(running) = self.running_mut() else {
            return Err(Error::Internal("no handshake is running"));
        };
        let Running {
            state,
            pending,
            exporter,
            buffers,
            ..
        } = running;
        let current = state.take().ok_or(Error::Internal("state already taken"))?;
        let secrets = Secrets {
            key_log: ctx.key_log(),
            exporter: ctx.keeps_exporter().then_some(exporter),
        };
        let io = &mut common.io(pending, secrets, buffers, ctx.random());
        match handler(current, ctx, io, msg)? {
            Next::State(next) => *state = Some(next),
            Next::Done(info) => {
                let exporter = exporter.take();
                *self = match core::mem::replace(self, Machine::Established(None)) {
                    Machine::HandshakingIn(mut lent) => {
                        lent.establish(exporter);
                        Machine::EstablishedIn(lent)
                    }
                    _ => Machine::Established(exporter.map(Boxed::new)),
                };
                common.complete(info)?;
            }
        }
        Ok(())
    }

    /// Whether a handshake is running (boxed or in the caller's slot).
    fn is_running(&self) -> bool {
        matches!(self, Machine::Handshaking(_) | Machine::HandshakingIn(_))
    }

    fn state(&self) -> Option<&S> {
        match self {
            Machine::Handshaking(running) => running.state.as_ref(),
            Machine::HandshakingIn(lent) => lent.get::<S>()?.state.as_ref(),
            _ => None,
        }
    }

    fn running(&self) -> Option<&Running<S>> {
        match self {
            Machine::Handshaking(running) => Some(running),
            Machine::HandshakingIn(lent) => lent.get(),
            _ => None,
        }
    }

    fn running_mut(&mut self) -> Option<&mut Running<S>> {
        match self {
            Machine::Handshaking(running) => Some(running),
            Machine::HandshakingIn(lent) => lent.get_mut(),
            _ => None,
        }
    }

    /// The caller's slot, if one was lent, as this machine is replaced:
    /// what it holds is dropped (secrets with it).
    fn into_slot(self) -> Option<&'static mut HandshakeSlot> {
        match self {
            Machine::HandshakingIn(mut lent) | Machine::EstablishedIn(mut lent) => lent.give_up(),
            Machine::Failed(failure) => crate::shared::unboxed(failure).slot,
            Machine::Handshaking(_) => None,
            Machine::Established(_) | Machine::GivenBack => None,
        }
    }

    /// Gives the lent memory back: a failed machine keeps its failure (for
    /// [`Connection::diagnosis`]), any other becomes `GivenBack`; the slot,
    /// emptied, if one was lent.
    fn give_back(&mut self) -> Option<&'static mut HandshakeSlot> {
        if let Machine::Failed(failure) = self {
            return failure.slot.take();
        }
        core::mem::replace(self, Machine::GivenBack).into_slot()
    }

    /// RFC 5705 keying material, once established.
    fn export(&self, label: &[u8], context: Option<&[u8]>, out: &mut [u8]) -> Result<(), Error> {
        match self {
            Machine::Established(Some(secret)) => secret.export(label, context, out),
            Machine::EstablishedIn(lent) => match lent.slot().and_then(HandshakeSlot::exporter) {
                Some(secret) => secret.export(label, context, out),
                None => Err(Error::Misuse(
                    "export_keying_material needs enable_exporters in the configuration",
                )),
            },
            Machine::Established(None) => Err(Error::Misuse(
                "export_keying_material needs enable_exporters in the configuration",
            )),
            Machine::Handshaking(_) => Err(EXPORT_TOO_EARLY),
            Machine::HandshakingIn(..) => Err(EXPORT_TOO_EARLY),
            Machine::Failed(_) | Machine::GivenBack => Err(Error::Misuse(
                "export_keying_material on a failed connection",
            )),
        }
    }
}

/// A state method of either side, as the tables name them.
#[derive(Clone, Copy)]
enum Handler {
    Client(client::Handler),
    Server(server::Handler),
}

impl Side {
    fn machine_error(&self) -> Option<&Error> {
        match self {
            Side::Client {
                machine: Machine::Failed(f),
                ..
            }
            | Side::Server {
                machine: Machine::Failed(f),
                ..
            } => Some(&f.error),
            Side::Client {
                machine: Machine::GivenBack,
                ..
            }
            | Side::Server {
                machine: Machine::GivenBack,
                ..
            } => Some(&GIVEN_BACK),
            _ => None,
        }
    }

    fn is_established(&self) -> bool {
        matches!(
            self,
            Side::Client {
                machine: Machine::Established(_) | Machine::EstablishedIn(_),
                ..
            } | Side::Server {
                machine: Machine::Established(_) | Machine::EstablishedIn(_),
                ..
            }
        )
    }

    fn client_stage(&self) -> Option<ClientStage> {
        match self {
            Side::Client { machine, .. } => match machine {
                Machine::Established(_) | Machine::EstablishedIn(_) => {
                    Some(ClientStage::Established)
                }
                _ => machine.state().map(client::State::stage),
            },
            Side::Server { .. } => None,
        }
    }

    fn server_stage(&self) -> Option<ServerStage> {
        match self {
            Side::Server { machine, .. } => match machine {
                Machine::Established(_) | Machine::EstablishedIn(_) => {
                    Some(ServerStage::Established)
                }
                _ => machine.state().map(server::State::stage),
            },
            Side::Client { .. } => None,
        }
    }

    /// The error for a record that failed to open, as the current state
    /// names it (`server::State::unopenable_record`).
    fn record_error(&self, e: Error) -> Error {
        match (e, self) {
            (Error::BadRecordMac, Side::Server { machine, .. }) => machine
                .state()
                .map_or(Error::BadRecordMac, server::State::unopenable_record),
            (e, _) => e,
        }
    }

    /// The table's action for `kind` in the current state.
    fn action(&self, kind: Kind) -> Action<Handler> {
        if let Some(stage) = self.client_stage() {
            stage.on(kind).map(Handler::Client)
        } else if let Some(stage) = self.server_stage() {
            stage.on(kind).map(Handler::Server)
        } else {
            // Failed: nothing is accepted (the connection refuses use
            // before any input gets here).
            Action::Unexpected
        }
    }

    /// What the current state waits for, from the table.
    fn expecting(&self) -> &'static str {
        if let Some(stage) = self.client_stage() {
            stage.expecting()
        } else if let Some(stage) = self.server_stage() {
            stage.expecting()
        } else {
            "nothing (connection failed)"
        }
    }

    /// The error for an input the table refuses.
    fn unexpected(&self, kind: Kind) -> Error {
        Error::UnexpectedMessage {
            got: kind.name(),
            expected: self.expecting(),
        }
    }

    /// Runs the state method `handler` names.
    fn run(
        &mut self,
        common: &mut Common,
        handler: Handler,
        msg: Message<'_>,
    ) -> Result<(), Error> {
        let before = (self.client_stage(), self.server_stage());
        let result = match (&mut *self, handler) {
            (Side::Client { ctx, machine }, Handler::Client(h)) => {
                machine.advance(ctx, common, h, msg)
            }
            (Side::Server { ctx, machine }, Handler::Server(h)) => {
                machine.advance(ctx, common, h, msg)
            }
            _ => return Err(Error::Internal("handler of the other side")),
        };
        if result.is_err() {
            match self {
                Side::Client { machine, .. } => {
                    if let Some(r) = machine.running_mut() {
                        r.failed_in = Some(before);
                    }
                }
                Side::Server { machine, .. } => {
                    if let Some(r) = machine.running_mut() {
                        r.failed_in = Some(before);
                    }
                }
            }
        }
        result?;
        // A state that waits for the caller: tell it.
        if let Some(kind) = self.operation().map(|request| request.kind) {
            let random = match &*self {
                Side::Client { ctx, .. } => ctx.random(),
                Side::Server { ctx, .. } => ctx.random(),
            };
            common.begin_operation(kind, random)?;
        }
        Ok(())
    }

    /// What a paused state asks the caller for, and the bytes or the chain
    /// it concerns.
    fn operation(&self) -> Option<OpRequest<'_>> {
        match self {
            Side::Client { machine, .. } => {
                let running = machine.running()?;
                let kept = running.buffers.transcript.as_slice();
                running.state.as_ref()?.operation(kept)
            }
            Side::Server { machine, .. } => {
                let running = machine.running()?;
                let encoded = running.buffers.encode.as_slice();
                running.state.as_ref()?.operation(encoded)
            }
        }
    }

    /// Whether the current state holds the peer's bytes unread (it waits
    /// for the caller), as the table says.
    fn holds_input(&self) -> bool {
        if let Some(stage) = self.client_stage() {
            stage.holds_input()
        } else if let Some(stage) = self.server_stage() {
            stage.holds_input()
        } else {
            false
        }
    }

    fn set_failed(&mut self, error: Error) {
        let recorded = match self {
            Side::Client { machine, .. } => machine.running_mut().and_then(|r| r.failed_in),
            Side::Server { machine, .. } => machine.running_mut().and_then(|r| r.failed_in),
        };
        let (client_stage, server_stage) =
            recorded.unwrap_or_else(|| (self.client_stage(), self.server_stage()));
        let failure = Boxed::new(Failure {
            error,
            client_stage,
            server_stage,
            slot: None,
        });
        let slot = match self {
            Side::Client { machine, .. } => {
                core::mem::replace(machine, Machine::Failed(failure)).into_slot()
            }
            Side::Server { machine, .. } => {
                core::mem::replace(machine, Machine::Failed(failure)).into_slot()
            }
        };
        if let Side::Client {
            machine: Machine::Failed(f),
            ..
        }
        | Side::Server {
            machine: Machine::Failed(f),
            ..
        } = self
        {
            f.slot = slot;
        }
    }

    /// The failure explained ([`Diagnosis`]), if the connection failed.
    fn diagnosis(&self) -> Option<Diagnosis> {
        let (failure, client) = match self {
            Side::Client {
                machine: Machine::Failed(f),
                ctx,
            } => (f, Some(&ctx.config)),
            Side::Server {
                machine: Machine::Failed(f),
                ..
            } => (f, None),
            _ => return None,
        };
        let (stage, waiting_for) = match (failure.client_stage, failure.server_stage) {
            (Some(s), _) => (s.name(), s.expecting()),
            (None, Some(s)) => (s.name(), s.expecting()),
            (None, None) => ("unknown", "nothing"),
        };
        let received_alert = match failure.error {
            Error::AlertReceived(a) => Some(a),
            _ => None,
        };
        // RFC 5246 §7.4.1.3: an alert instead of ServerHello refuses our
        // hello; what we offered is then the question.
        let offered = client
            .filter(|_| {
                received_alert.is_some()
                    && failure.client_stage == Some(ClientStage::ExpectServerHello)
            })
            .map(|config| Offered {
                version: crate::ProtocolVersion::Tls12,
                cipher_suites: config.cipher_suites.clone(),
                groups: config.groups.clone(),
                signature_schemes: config.signature_schemes.clone(),
                alpn_protocols: config.alpn_protocols.clone(),
                extended_master_secret_required: config.require_extended_master_secret,
            });
        Some(Diagnosis {
            is_client: client.is_some(),
            stage,
            waiting_for,
            error: failure.error.clone(),
            received_alert,
            offered,
            client_certificate_configured: client
                .is_some_and(|config| !config.client_identities.is_empty()),
            psk_configured: client.is_some_and(|config| !config.psk_identities.is_empty()),
        })
    }
}

/// Refuses handshake bytes after a message that ends the peer's flight, in
/// the same record (`more`): the table says which messages do
/// ([`crate::handshake::table::ends_peer_flight`]).
fn nothing_after_flight(us: Role, typ: HandshakeType, more: bool) -> Result<(), Error> {
    if more && crate::handshake::table::ends_peer_flight(us, typ) {
        return Err(Error::UnexpectedMessage {
            got: "handshake data after the end of the peer's flight, in the same record",
            expected: "the end of that record",
        });
    }
    Ok(())
}

/// A TLS 1.2 connection, client or server, driven by the caller.
///
/// [`ClientConnection`] and [`ServerConnection`] dereference to this type;
/// code that moves bytes can take `&mut Connection` and serve both.
pub struct Connection {
    side: Side,
    common: Common,
    joiner: HandshakeJoiner,
    /// A partial record carried over between `receive` calls; also where a
    /// protected record other than application data is decrypted when it
    /// arrives whole (the buffer is empty then).
    incoming: Store,
    /// The peer's bytes received while paused for the caller, read once it
    /// answers.
    held: crate::shared::HeapBytes,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.common.role)
            .field("established", &self.side.is_established())
            .field("error", &self.side.machine_error())
            .finish_non_exhaustive()
    }
}

impl Connection {
    fn new(side: Side, common: Common, joiner: HandshakeJoiner, input: Option<Store>) -> Self {
        Self {
            side,
            common,
            joiner,
            incoming: input.unwrap_or_default(),
            held: crate::shared::HeapBytes::default(),
        }
    }

    /// Under [`IdleBuffers::Preallocated`](crate::IdleBuffers::Preallocated):
    /// allocates every buffer at the largest size its cap lets it reach, so
    /// that nothing regrows later (each bound is the one the buffer's own
    /// code keeps to: see `receive_inner`, `process_copied`,
    /// `HandshakeJoiner::push` and `RecordLayer::write_application_data`).
    /// Lent areas ([`Areas`]) stay as they are.
    fn preallocate(&mut self, sizes: &Preallocation) {
        let areas = sizes.area_sizes(&crate::Limits {
            max_buffered_plaintext: self.common.limits.max_buffered_plaintext,
            max_buffered_output: self.common.limits.max_buffered_output,
            ..crate::Limits::default()
        });
        self.incoming.reserve_exact(areas.input);
        self.common.plaintext.reserve_exact(areas.plaintext);
        self.joiner.reserve_exact(areas.handshake_in);
        self.common.record.reserve_output(areas.output);
    }

    /// Gives back the memory lent with [`ClientConnection::with_areas`] or
    /// [`ServerConnection::with_areas`], cleared, for another connection;
    /// `None` if the connection runs on heap buffers. The connection is
    /// unusable afterwards: every call fails with [`Error::Misuse`].
    pub fn take_areas(&mut self) -> Option<Areas> {
        if !self.incoming.is_lent() {
            return None;
        }
        // The slot, emptied, with the handshake's areas taken out of its
        // state into it.
        let slot = match &mut self.side {
            Side::Client { machine, .. } => machine.give_back(),
            Side::Server { machine, .. } => machine.give_back(),
        };
        let input = self.incoming.take_area();
        let plaintext = self.common.plaintext.take_area();
        let output = self.common.record.take_output_area();
        let handshake_in = self.joiner.take_area();
        let slot = slot?;
        let [handshake_out, peer_leaf, name, identity, transcript, alpn] = slot.take_spares();
        // The server name's and the PSK identity's areas went with them to
        // the handshake's report, if there were any.
        let info = self.common.info.as_mut();
        let (reported_name, reported_identity, reported_alpn) = match info {
            Some(info) => (
                info.server_name.take().and_then(|mut n| n.take_area()),
                info.psk_identity.take().and_then(|mut i| i.take_area()),
                info.alpn_protocol.take().and_then(|mut p| p.take_area()),
            ),
            None => (None, None, None),
        };
        Some(Areas {
            input: input?,
            plaintext: plaintext?,
            output: output?,
            handshake_in: handshake_in?,
            handshake_out: handshake_out?,
            peer_leaf: peer_leaf?,
            server_name: reported_name.or(name)?,
            psk_identity: reported_identity.or(identity)?,
            transcript: transcript?,
            alpn: reported_alpn.or(alpn)?,
            slot,
        })
    }

    /// Hands the connection TLS bytes received from the peer.
    ///
    /// Returns how many were consumed. Fewer than offered means the
    /// buffered plaintext is at its cap
    /// ([`crate::Limits::max_buffered_plaintext`]): read some, then offer the
    /// rest again; or the peer has sent close_notify
    /// ([`peer_closed`](Self::peer_closed)): nothing after it is read; or the
    /// connection waits for the caller ([`operation`](Self::operation)) and
    /// holds as much as [`crate::Limits::max_handshake_message_len`] unread:
    /// answer, then offer the rest. Processes every complete record, running
    /// the handshake and queueing any reply in
    /// [`pending_output`](Self::pending_output).
    ///
    /// On error the connection is dead: the alert for the peer (if any) is in
    /// `pending_output`, and every later call returns the same error.
    pub fn receive(&mut self, input: &[u8]) -> Result<usize, Error> {
        self.check_usable()?;
        let result = self.receive_inner(input);
        self.release_idle_buffers();
        match result {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Once the handshake is over, frees the buffers only it needed (or
    /// needed at handshake size), so an idle connection holds little more
    /// than its record keys; under [`IdleBuffers::Release`] (the default)
    /// it goes on freeing those that empty after each later record. They
    /// are allocated again if a later record needs them (an alert, a
    /// refused renegotiation, a split record).
    ///
    /// [`IdleBuffers::Release`]: crate::IdleBuffers::Release
    fn release_idle_buffers(&mut self) {
        if !self.side.is_established() {
            return;
        }
        let idle = self.common.limits.idle_buffers;
        if idle == crate::IdleBuffers::Preallocated {
            return;
        }
        let release = idle == crate::IdleBuffers::Release;
        if self.common.released && !release {
            return;
        }
        self.common.released = true;
        self.joiner.release_if_empty();
        if self.incoming.is_empty() {
            self.incoming.release();
        }
        if release {
            self.common.plaintext.release_if_empty();
        }
        self.common
            .record
            .release_output_if_due(self.common.limits.idle_buffers);
    }

    fn receive_inner(&mut self, mut input: &[u8]) -> Result<usize, Error> {
        let mut consumed = 0;
        loop {
            if self.side.holds_input() {
                // Paused for the caller: keep what arrives, unread, up to
                // the handshake message cap (then back-pressure).
                let room = self
                    .common
                    .limits
                    .max_held_input
                    .saturating_sub(self.held.len());
                let take = room.min(input.len());
                consumed += self.held.append(input.get(..take).unwrap_or_default());
                break;
            }
            if self.common.plaintext.len() >= self.common.limits.max_buffered_plaintext
                || self.common.received_close_notify
            {
                break;
            }
            if self.incoming.is_empty() {
                // Fast path: whole records straight from the caller's slice.
                if let Some(hdr) = self.parse_header(input)? {
                    if !self.plaintext_has_room(hdr)? {
                        break;
                    }
                    let total = HEADER_LEN + hdr.len;
                    if let Some(payload) = input.get(HEADER_LEN..total) {
                        self.process_copied(hdr, payload)?;
                        input = input.get(total..).unwrap_or_default();
                        consumed += total;
                        continue;
                    }
                }
            }
            // Slow path: accumulate a partial record.
            if input.is_empty() {
                break;
            }
            if self.common.streaming {
                // The header counts the bytes still to come; the record was
                // judged by the limits in force when it began.
                let hdr = RecordHeader::parse(self.incoming.as_slice())?
                    .ok_or(Error::Internal("streamed record header"))?;
                let take = hdr.len.min(input.len());
                let piece = input.get(..take).unwrap_or_default();
                input = input.get(take..).unwrap_or_default();
                consumed += take;
                self.stream_handshake(hdr, piece)?;
                continue;
            }
            let need = match self.parse_header(self.incoming.as_slice())? {
                None => HEADER_LEN - self.incoming.len(),
                Some(hdr) if self.streams(hdr) => {
                    // What whole records get checked for, once.
                    self.check_record(hdr)?;
                    self.common.record.check_unprotected_len(hdr.len)?;
                    self.common.streaming = true;
                    continue;
                }
                Some(hdr) => {
                    if !self.plaintext_has_room(hdr)? {
                        break;
                    }
                    HEADER_LEN + hdr.len - self.incoming.len()
                }
            };
            let take = need.min(input.len());
            self.incoming
                .put(input.get(..take).unwrap_or_default())
                .map_err(|_| Error::LimitExceeded {
                    what: "input area",
                    limit: self.incoming.capacity(),
                })?;
            input = input.get(take..).unwrap_or_default();
            consumed += take;
            if let Some(hdr) = RecordHeader::parse(self.incoming.as_slice())? {
                if self.incoming.len() == HEADER_LEN + hdr.len {
                    let mut record = core::mem::take(&mut self.incoming);
                    let result = self.process_held(hdr, &mut record);
                    record.clear();
                    self.incoming = record;
                    result?;
                }
            }
        }
        Ok(consumed)
    }

    /// Whether the record `hdr` announces is handed over as its bytes
    /// arrive rather than held until whole (`Common::streaming` then): a
    /// non-empty handshake record
    /// before the peer's keys are in force. RFC 5246 §6.1's null cipher
    /// gives its boundaries no meaning but the end of a flight (checked
    /// from the bytes still to come), and the joiner reassembles what
    /// they split (§6.2.1). So an unprotected record, which RFC 8449 §4
    /// lets be 2^14 bytes whatever limit was agreed, needs no room in the
    /// partial-record buffer, which holds only its header meanwhile.
    fn streams(&self, hdr: RecordHeader) -> bool {
        hdr.typ == ContentType::Handshake
            && hdr.len > 0
            && self.common.record.explicit_nonce_len().is_none()
    }

    /// Hands `piece`, the next bytes of the streamed record whose header
    /// (its length rewritten to the bytes still to come) the partial-record
    /// buffer holds, to the handshake.
    fn stream_handshake(&mut self, hdr: RecordHeader, piece: &[u8]) -> Result<(), Error> {
        let left = hdr.len - piece.len();
        // The header now counts what is still to come.
        let [_, _, _, hi, lo] = self.incoming.held_mut() else {
            return Err(Error::Internal("streamed record header"));
        };
        [*hi, *lo] = u16::try_from(left)
            .map_err(|_| Error::Internal("streamed record length"))?
            .to_be_bytes();
        if left == 0 {
            self.incoming.clear();
            self.common.streaming = false;
        }
        if piece.is_empty() {
            return Ok(());
        }
        self.dispatch_handshake(piece, left > 0)
    }

    /// Whether the plaintext queue can take the application data of the
    /// record `hdr` announces. Always, on the heap (its cap is checked
    /// before each record). On a lent area, a record that does not fit
    /// behind unread data waits for the caller to read (back-pressure);
    /// one that would not fit in the empty area is an error.
    fn plaintext_has_room(&mut self, hdr: RecordHeader) -> Result<bool, Error> {
        let queue = &mut self.common.plaintext;
        if hdr.typ != ContentType::ApplicationData || !queue.is_lent() {
            return Ok(true);
        }
        queue.make_room(hdr.len);
        if hdr.len <= queue.room() {
            return Ok(true);
        }
        if queue.is_empty() {
            return Err(Error::LimitExceeded {
                what: "plaintext area",
                limit: queue.room(),
            });
        }
        Ok(false)
    }

    /// Decodes the record header at the start of `buf`, refusing with
    /// record_overflow a record longer than the limits in force allow
    /// (RFC 5246 §6.2.3; RFC 6066 §4 and RFC 8449 §4 once a smaller limit
    /// is agreed) before its body arrives, so that the partial-record buffer
    /// is sized from the negotiated limit.
    fn parse_header(&self, buf: &[u8]) -> Result<Option<RecordHeader>, Error> {
        let Some(hdr) = RecordHeader::parse(buf)? else {
            return Ok(None);
        };
        let limit = self.common.record.max_fragment_in();
        if hdr.len > limit {
            return Err(Error::RecordOverflow {
                len: hdr.len,
                limit,
            });
        }
        Ok(Some(hdr))
    }

    /// Processes one record whose payload the caller still owns.
    ///
    /// Before keys are installed the record is dispatched straight from the
    /// caller's bytes (RFC 5246 §6.1: the null cipher changes nothing).
    /// Protected records are copied once, without their explicit nonce, to
    /// where their plaintext belongs (application data at the end of the
    /// plaintext queue, anything else in scratch space), and decrypted there:
    /// the plaintext then starts where the copy did, so nothing is moved
    /// afterwards.
    fn process_copied(&mut self, hdr: RecordHeader, payload: &[u8]) -> Result<(), Error> {
        self.check_record(hdr)?;
        let Some(nonce_len) = self.common.record.explicit_nonce_len() else {
            self.common.record.check_unprotected_len(payload.len())?;
            if self.dispatch(hdr.typ, payload)? {
                // Unreachable in practice (the table refuses application
                // data until the handshake, which installs keys, completes);
                // kept correct rather than assumed.
                self.common.plaintext.tail().put(payload)?;
                if !payload.is_empty() {
                    self.common.push_event(Event::ApplicationData);
                }
            }
            return Ok(());
        };
        // A fragment shorter than the explicit nonce leaves `explicit` short,
        // which the opener reports as bad_record_mac.
        let split = nonce_len.min(payload.len());
        let (explicit, body) = payload.split_at(split);
        let app = hdr.typ == ContentType::ApplicationData;
        if !app && body.len() <= SMALL_RECORD {
            // Finished, alerts and HelloRequest after the keys change are a
            // few dozen bytes: decrypted on the stack, they cost no
            // allocation.
            let mut small = [0u8; SMALL_RECORD];
            let in_out = small
                .get_mut(..body.len())
                .ok_or(Error::Internal("small record length"))?;
            in_out.copy_from_slice(body);
            return self.open_and_dispatch(hdr, explicit, in_out, 0).map(|_| ());
        }
        let mut buf = if app {
            self.common.plaintext.make_room(body.len());
            core::mem::take(self.common.plaintext.tail())
        } else {
            // The partial-record buffer is empty on this path.
            let mut scratch = core::mem::take(&mut self.incoming);
            scratch.clear();
            scratch
        };
        let at = buf.len();
        let result = buf
            .put(body)
            .and_then(|()| self.open_and_dispatch(hdr, explicit, buf.held_mut(), at));
        match result {
            Ok(n) => buf.cut(at + n),
            Err(_) => buf.cut(at),
        }
        let delivered = matches!(result, Ok(n) if n > 0);
        if app {
            *self.common.plaintext.tail() = buf;
            if delivered {
                self.common.push_event(Event::ApplicationData);
            }
        } else {
            buf.clear();
            self.incoming = buf;
        }
        result.map(|_| ())
    }

    /// Processes the whole record held in `record` (header included), which
    /// arrived split: application data is copied to the plaintext queue and
    /// decrypted there, as when it arrives whole; anything else protected
    /// is decrypted where it lies.
    fn process_held(&mut self, hdr: RecordHeader, record: &mut Store) -> Result<(), Error> {
        let payload = record.held_mut().get_mut(HEADER_LEN..).unwrap_or_default();
        if hdr.typ == ContentType::ApplicationData
            || self.common.record.explicit_nonce_len().is_none()
        {
            return self.process_copied(hdr, payload);
        }
        self.process_in_place(hdr, payload).map(|_| ())
    }

    /// Decrypts the record copied to `buf[at..]` and dispatches it. Returns
    /// the length of application data now at `buf[at..]` (0 for other types).
    fn open_and_dispatch(
        &mut self,
        hdr: RecordHeader,
        explicit: &[u8],
        buf: &mut [u8],
        at: usize,
    ) -> Result<usize, Error> {
        let in_out = buf.get_mut(at..).unwrap_or_default();
        let opened = match self.common.record.opener() {
            Some(opener) => opener.open_detached(hdr.typ, hdr.version, explicit, in_out),
            None => return Err(Error::Internal("record keys vanished")),
        };
        let n = opened.map_err(|e| self.side.record_error(e))?;
        let plaintext = in_out.get(..n).unwrap_or_default();
        Ok(if self.dispatch(hdr.typ, plaintext)? {
            n
        } else {
            0
        })
    }

    /// What can be checked from a record's header alone, before its body is
    /// decrypted: the version (RFC 5246 §6.2.1), and whether the current
    /// state accepts application data or ChangeCipherSpec at all (a record
    /// of a type the state refuses is unexpected_message whatever it holds).
    fn check_record(&self, hdr: RecordHeader) -> Result<(), Error> {
        self.common.record.check_version(hdr)?;
        let kind = match hdr.typ {
            ContentType::ApplicationData => Kind::ApplicationData,
            // RFC 5246 §7.1 / §7.4: a handshake message must not straddle
            // the change of keys, whatever state we are in.
            ContentType::ChangeCipherSpec if !self.joiner.is_empty() => {
                return Err(Error::UnexpectedMessage {
                    got: "ChangeCipherSpec inside a handshake message",
                    expected: "the rest of the handshake message",
                })
            }
            ContentType::ChangeCipherSpec => Kind::ChangeCipherSpec,
            // Handshake and alert records: the table is consulted per
            // message and per alert, once decrypted.
            _ => return Ok(()),
        };
        match self.side.action(kind) {
            Action::Unexpected => Err(self.side.unexpected(kind)),
            _ => Ok(()),
        }
    }

    /// Decrypts and dispatches one record in place. Returns the range of
    /// application data within `payload`, if the record carried some.
    fn process_in_place(
        &mut self,
        hdr: RecordHeader,
        payload: &mut [u8],
    ) -> Result<Option<Range<usize>>, Error> {
        self.check_record(hdr)?;
        let range = match self.common.record.opener() {
            Some(opener) => opener
                .open_in_place(hdr.typ, hdr.version, payload)
                .map_err(|e| self.side.record_error(e))?,
            None => {
                self.common.record.check_unprotected_len(payload.len())?;
                0..payload.len()
            }
        };
        let plaintext = payload.get(range.clone()).unwrap_or_default();
        Ok(self.dispatch(hdr.typ, plaintext)?.then_some(range))
    }

    /// Acts on one record's plaintext. Returns whether it is application
    /// data for the caller. Framing happens here; every decision about
    /// what is allowed is the table's (`crate::handshake::table`).
    fn dispatch(&mut self, typ: ContentType, plaintext: &[u8]) -> Result<bool, Error> {
        match typ {
            ContentType::ApplicationData => match self.side.action(Kind::ApplicationData) {
                Action::Deliver => {
                    if plaintext.is_empty() {
                        // RFC 5246 §6.2.1 allows empty application records,
                        // but an endless run of them is a denial of service.
                        self.common.count_warning()?;
                    } else {
                        self.common.warnings_in_a_row = 0;
                    }
                    Ok(true)
                }
                _ => Err(self.side.unexpected(Kind::ApplicationData)),
            },
            ContentType::Handshake => {
                self.dispatch_handshake(plaintext, false)?;
                Ok(false)
            }
            ContentType::ChangeCipherSpec => {
                let handler = match self.side.action(Kind::ChangeCipherSpec) {
                    Action::Handle(h) => h,
                    _ => return Err(self.side.unexpected(Kind::ChangeCipherSpec)),
                };
                // RFC 5246 §7.1: a single byte of value 1. (Whether a
                // handshake message is half-buffered was checked from the
                // header.)
                if plaintext != [1] {
                    return Err(Error::Decode("ChangeCipherSpec"));
                }
                self.common.warnings_in_a_row = 0;
                self.side.run(&mut self.common, handler, Message::CCS)?;
                Ok(false)
            }
            ContentType::Alert => {
                self.process_alerts(plaintext)?;
                Ok(false)
            }
            _ => Err(Error::UnexpectedMessage {
                got: "record of unknown type",
                expected: "a TLS record",
            }),
        }
    }

    /// Handles a handshake record's bytes: whole messages where they lie,
    /// the rest through the joiner. `to_come` says that more of the same
    /// record is still to arrive (a streamed record).
    fn dispatch_handshake(&mut self, plaintext: &[u8], to_come: bool) -> Result<(), Error> {
        let mut rest = plaintext;
        if self.joiner.is_empty() {
            while let Some((typ, body, raw, after)) = self.joiner.split_whole(rest)? {
                nothing_after_flight(self.common.role, typ, to_come || !after.is_empty())?;
                handle_message(&mut self.side, &mut self.common, typ, body, raw)?;
                rest = after;
                if self.side.holds_input() {
                    // Paused: what follows in the record waits in the
                    // joiner for the caller's answer.
                    break;
                }
            }
            if rest.is_empty() && !plaintext.is_empty() {
                return Ok(());
            }
        }
        // A partial message (or an empty record, which `push` refuses):
        // buffer it until the rest arrives.
        self.joiner.push(rest)?;
        self.drain_handshake(to_come)
    }

    fn process_alerts(&mut self, plaintext: &[u8]) -> Result<(), Error> {
        // RFC 5246 §6.2.1: no empty alert fragments; we also refuse an alert
        // split across records, which no implementation sends.
        if plaintext.is_empty() || plaintext.len() % 2 != 0 {
            return Err(Error::Decode("alert"));
        }
        let mut r = Reader::new(plaintext);
        while !r.is_empty() {
            let alert = AlertMessage::decode(&mut r)?;
            let kind = match (alert.level, alert.description) {
                (_, AlertDescription::CloseNotify) => Kind::CloseNotify,
                (AlertLevel::Warning, _) => Kind::WarningAlert,
                (AlertLevel::Fatal, _) => Kind::FatalAlert,
                (AlertLevel::Unknown(_), _) => return Err(Error::Decode("alert level")),
            };
            match self.side.action(kind) {
                Action::Close => {
                    // RFC 5246 §7.2.1: answer with our own close_notify.
                    self.common.received_close_notify = true;
                    self.common.push_event(Event::PeerClosed);
                    self.close();
                    return Ok(());
                }
                Action::ClosedDuringHandshake => return Err(Error::PeerClosedDuringHandshake),
                Action::Warning => {
                    self.common.count_warning()?;
                    self.common
                        .push_event(Event::WarningAlert(alert.description));
                }
                Action::PeerFatal => return Err(Error::AlertReceived(alert.description)),
                _ => return Err(self.side.unexpected(kind)),
            }
        }
        Ok(())
    }

    /// Hands every complete buffered handshake message to the state
    /// machine; `to_come` as for [`Self::dispatch_handshake`].
    fn drain_handshake(&mut self, to_come: bool) -> Result<(), Error> {
        loop {
            if self.side.holds_input() {
                return Ok(());
            }
            let Self {
                side,
                common,
                joiner,
                ..
            } = self;
            let Some((typ, body, raw)) = joiner.next()? else {
                return Ok(());
            };
            nothing_after_flight(
                common.role,
                typ,
                to_come || joiner.buffered_len() > raw.len(),
            )?;
            handle_message(side, common, typ, body, raw)?;
            joiner.consume();
        }
    }

    /// Records a fatal error: queue its alert, kill the state machine.
    fn fail(&mut self, e: Error) -> Error {
        if self.side.machine_error().is_none() {
            if let Some(alert) = e.alert() {
                self.common.send_alert(AlertLevel::Fatal, alert);
            }
            self.side.set_failed(e.clone());
        }
        e
    }

    fn check_usable(&self) -> Result<(), Error> {
        match self.side.machine_error() {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Decrypts one record inside `buf`, which holds TLS bytes from the peer.
    ///
    /// The zero-copy path: application data is decrypted in place and
    /// returned as a slice of `buf`. Handshake and alert records are
    /// processed as by [`receive`](Self::receive). Call it repeatedly,
    /// dropping `consumed` bytes from the front of your buffer each time
    /// (after you are done with `application_data`); `consumed == 0` means
    /// `buf` does not yet hold a whole record.
    ///
    /// Do not mix with [`receive`](Self::receive) while that holds a
    /// partial record or unread plaintext: this returns [`Error::Misuse`]
    /// then, so that data is always delivered in order.
    pub fn receive_in_place<'b>(&mut self, buf: &'b mut [u8]) -> Result<InPlace<'b>, Error> {
        self.check_usable()?;
        if !self.incoming.is_empty() {
            return Err(Error::Misuse(
                "receive_in_place while receive holds a partial record",
            ));
        }
        if !self.common.plaintext.is_empty() {
            return Err(Error::Misuse(
                "receive_in_place while plaintext from receive is unread",
            ));
        }
        if self.side.holds_input() {
            // Only `receive` holds bytes for later.
            return Err(Error::Misuse(
                "receive_in_place while an operation for the caller is pending",
            ));
        }
        let hdr = match self.parse_header(buf) {
            Ok(Some(hdr)) if buf.len() >= HEADER_LEN + hdr.len => hdr,
            Ok(_) => {
                return Ok(InPlace {
                    consumed: 0,
                    application_data: &mut [],
                })
            }
            Err(e) => return Err(self.fail(e)),
        };
        let total = HEADER_LEN + hdr.len;
        let (record, _) = buf.split_at_mut(total);
        let payload = record.get_mut(HEADER_LEN..).unwrap_or_default();
        let result = self.process_in_place(hdr, payload);
        self.release_idle_buffers();
        match result {
            Ok(Some(range)) => {
                let data = payload.get_mut(range).unwrap_or_default();
                Ok(InPlace {
                    consumed: total,
                    application_data: data,
                })
            }
            Ok(None) => Ok(InPlace {
                consumed: total,
                application_data: &mut [],
            }),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// The operation the connection waits for the caller to perform, if
    /// any (see [`crate::keyop`]): reported by [`Event::Operation`].
    pub fn operation(&self) -> Option<Operation<'_>> {
        let id = self.common.pending_op?;
        let request = self.side.operation()?;
        Some(Operation {
            id,
            kind: request.kind,
            message: request.message,
            chain: request.chain,
            hello: request.hello,
        })
    }

    /// Answers the operation `id` and resumes the handshake, reading what
    /// the peer sent meanwhile.
    ///
    /// An `id` that is not the pending operation's (answered already, or
    /// never asked), or an answer of another kind, is [`Error::Misuse`] and
    /// changes nothing. A signature that does not verify with our
    /// certificate (wrong key, scheme or length), or [`Answer::Failed`],
    /// fails the connection with [`Error::OperationFailed`] and
    /// internal_error for the peer, except for a decryption
    /// ([`OperationKind::Decrypt`]): whatever it answers, the handshake goes
    /// on (RFC 5246 §7.4.7.1) and a wrong premaster shows only at Finished.
    pub fn complete_operation(&mut self, id: OperationId, answer: Answer) -> Result<(), Error> {
        self.check_usable()?;
        if self.common.pending_op != Some(id) {
            return Err(Error::Misuse("no pending operation has this id"));
        }
        let kind = self
            .side
            .operation()
            .map(|r| r.kind)
            .ok_or(Error::Internal("an operation id with no paused state"))?;
        let fits = matches!(
            (kind, &answer),
            (OperationKind::Sign(_), Answer::Signature(_))
                | (OperationKind::VerifyChain, Answer::Verdict(_))
                | (OperationKind::ChooseCertificate, Answer::Certificate(_))
                | (OperationKind::Decrypt, Answer::Decrypted(_))
                | (_, Answer::Failed)
        );
        if !fits {
            return Err(Error::Misuse(
                "the answer does not fit the pending operation",
            ));
        }
        self.common.pending_op = None;
        let result = self.resume(kind, answer);
        self.release_idle_buffers();
        result.map_err(|e| self.fail(e))
    }

    fn resume(&mut self, kind: OperationKind, answer: Answer) -> Result<(), Error> {
        // The answer travels to the state method as a message body; a
        // decrypted premaster is zeroized once used.
        let body = match answer {
            Answer::Signature(signature) => signature,
            Answer::Decrypted(plaintext) => plaintext,
            // RFC 5246 §7.4.7.1: a failed decryption is not an error the
            // peer may see; the state method's random premaster takes its
            // place, as for any plaintext that is not 48 bytes.
            Answer::Failed if kind == OperationKind::Decrypt => crate::keyop::Output::empty(),
            Answer::Verdict(Ok(())) => crate::keyop::Output::empty(),
            // To the state method as four big-endian bytes.
            Answer::Certificate(index) => u32::try_from(index)
                .map_err(|_| {
                    Error::OperationFailed(
                        "the caller chose a certificate chain that is not configured",
                    )
                })?
                .to_be_bytes()
                .into(),
            Answer::Verdict(Err(refused)) => return Err(Error::Certificate(refused)),
            Answer::Failed => return Err(Error::OperationFailed("the caller could not answer")),
        };
        let body = body.as_bytes().ok_or(Error::OperationFailed(
            "the caller's answer is longer than 512 bytes",
        ))?;
        let handler = match self.side.action(Kind::Answer) {
            Action::Handle(h) => h,
            _ => return Err(Error::Internal("an answer with no operation pending")),
        };
        let msg = Message { body, raw: &[] };
        self.side.run(&mut self.common, handler, msg)?;
        // What arrived while paused: the rest of a record, then whole bytes.
        let to_come = self.common.streaming;
        self.drain_handshake(to_come)?;
        let held = self.held.take();
        let used = self.receive_inner(held.as_slice())?;
        if let Some(rest) = held.as_slice().get(used..) {
            if !rest.is_empty() {
                // Paused again, or the plaintext buffer is full: keep the
                // rest for later.
                self.held.prepend(rest);
            }
        }
        Ok(())
    }

    /// TLS bytes waiting to be sent to the peer.
    pub fn pending_output(&self) -> &[u8] {
        self.common.record.output()
    }

    /// Says that the first `n` bytes of [`pending_output`](Self::pending_output)
    /// were sent.
    pub fn consume_output(&mut self, n: usize) {
        self.common
            .record
            .consume_output(n, self.common.limits.idle_buffers);
    }

    /// Whether there is output to send.
    pub fn wants_write(&self) -> bool {
        !self.common.record.output().is_empty()
    }

    /// Encrypts application data for the peer; returns how many bytes were
    /// accepted, which is fewer than offered when the unsent output is at its
    /// cap ([`crate::Limits::max_buffered_output`]): send, then offer the
    /// rest. Before the handshake completes, data is held (up to the same
    /// cap) and sent as soon as it does.
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.check_usable()?;
        if self.common.sent_close_notify {
            return Err(Error::Misuse("send after close"));
        }
        if !self.side.is_established() {
            let room = self
                .common
                .limits
                .max_buffered_output
                .saturating_sub(self.common.early_data.len() + self.common.record.output_len());
            let n = room.min(data.len());
            return Ok(self
                .common
                .early_data
                .append(data.get(..n).unwrap_or_default()));
        }
        match self.common.send_application_data(data) {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Zero-copy send into the output: `write` gets the place in the output
    /// queue (a lent output area, [`crate::Areas`], or the heap buffer)
    /// where up to `len` bytes of plaintext will be sealed as one record,
    /// fills it, and returns how many bytes it wrote; those are sealed where
    /// they lie and queued in [`pending_output`](Self::pending_output) in
    /// order with everything else. Nothing is copied; on a lent area
    /// nothing is allocated either.
    ///
    /// Returns how many bytes were sent: at most one record's
    /// ([`HandshakeInfo::max_fragment_out`], so the room may be shorter than
    /// `len`), and 0 when the output is full
    /// ([`Limits::max_buffered_output`](crate::Limits::max_buffered_output),
    /// or the lent area): send what is pending, then call again. Only once
    /// the handshake is complete ([`Error::Misuse`] before).
    ///
    /// ```
    /// # fn demo(conn: &mut tls12::Connection, reading: &mut [u8]) -> Result<(), tls12::Error> {
    /// // A sensor reading encoded straight into the record's place.
    /// let sent = conn.send_with(reading.len(), |room| {
    ///     let n = room.len().min(reading.len());
    ///     room[..n].copy_from_slice(&reading[..n]); // or encode in place
    ///     n
    /// })?;
    /// # let _ = sent; Ok(()) }
    /// ```
    pub fn send_with(
        &mut self,
        len: usize,
        write: impl FnOnce(&mut [u8]) -> usize,
    ) -> Result<usize, Error> {
        self.check_usable()?;
        if self.common.sent_close_notify {
            return Err(Error::Misuse("send after close"));
        }
        if !self.side.is_established() {
            return Err(Error::Misuse("send_with before the handshake completes"));
        }
        let cap = self.common.limits.max_buffered_output;
        match self.common.record.send_with(len, cap, write) {
            Ok(n) => Ok(n),
            Err(e @ Error::Misuse(_)) => Err(e),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Bytes a buffer given to [`seal_in_place`](Self::seal_in_place) needs
    /// before the plaintext: the record header (5) and the longest explicit
    /// nonce (8, AES-GCM and AES-CCM).
    pub const SEAL_PREFIX: usize = crate::record::layer::SEAL_PREFIX;
    /// Bytes a buffer given to [`seal_in_place`](Self::seal_in_place) needs
    /// after the plaintext: the longest AEAD tag.
    pub const SEAL_SUFFIX: usize = crate::record::layer::SEAL_SUFFIX;

    /// Zero-copy send: seals one record of application data inside the
    /// caller's buffer, where the caller wrote the plaintext, and returns the
    /// record to send, a slice of that buffer. Nothing is copied and nothing
    /// is allocated; the connection's output queue is not used.
    ///
    /// The plaintext is `buf[SEAL_PREFIX..SEAL_PREFIX + len]`; `buf` must
    /// reach at least `SEAL_SUFFIX` bytes beyond it. The header and explicit
    /// nonce are written just before the plaintext and the tag just after
    /// it, so the record starts at `buf[0]` (AES-GCM, AES-CCM) or `buf[8]`
    /// (ChaCha20-Poly1305, which has no explicit nonce). `len` is at most one
    /// record's plaintext: [`HandshakeInfo::max_fragment_out`], 16,384 unless
    /// a smaller record size was negotiated. `len == 0` returns an empty
    /// record (nothing to send).
    ///
    /// Records carry sequence numbers the peer checks in order, so send the
    /// returned record before [`pending_output`](Self::pending_output)
    /// grows again, and call this only when `pending_output` is empty (it
    /// returns [`Error::Misuse`] otherwise, and before the handshake
    /// completes, after [`close`](Self::close), or for a `len` or `buf`
    /// out of range; misuse changes nothing).
    ///
    /// ```
    /// # fn demo(conn: &mut tls12::Connection) -> Result<(), tls12::Error> {
    /// use tls12::Connection;
    /// let mut buf = [0u8; Connection::SEAL_PREFIX + 1024 + Connection::SEAL_SUFFIX];
    /// let message = b"GET / HTTP/1.1\r\n\r\n";
    /// // Produce the plaintext where the record will be sealed...
    /// buf[Connection::SEAL_PREFIX..][..message.len()].copy_from_slice(message);
    /// // ...seal it there, and hand the record to the transport.
    /// let record: &[u8] = conn.seal_in_place(&mut buf, message.len())?;
    /// # let _ = record;
    /// # Ok(())
    /// # }
    /// ```
    pub fn seal_in_place<'b>(&mut self, buf: &'b mut [u8], len: usize) -> Result<&'b [u8], Error> {
        self.check_usable()?;
        if self.common.sent_close_notify {
            return Err(Error::Misuse("send after close"));
        }
        if !self.side.is_established() {
            return Err(Error::Misuse(
                "seal_in_place before the handshake completes",
            ));
        }
        match self.common.record.seal_in_place(buf, len) {
            Ok(range) => Ok(buf.get(range).unwrap_or_default()),
            Err(e @ Error::Misuse(_)) => Err(e),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Received application data not yet read.
    pub fn plaintext(&self) -> &[u8] {
        self.common.plaintext.bytes()
    }

    /// Drops the first `n` bytes of [`plaintext`](Self::plaintext).
    pub fn consume_plaintext(&mut self, n: usize) {
        self.common.plaintext.consume(n);
        self.release_plaintext_if_idle();
    }

    /// Under [`IdleBuffers::Release`](crate::IdleBuffers::Release), frees
    /// the plaintext queue once the caller has read it all.
    fn release_plaintext_if_idle(&mut self) {
        if self.common.limits.idle_buffers == crate::IdleBuffers::Release
            && self.side.is_established()
        {
            self.common.plaintext.release_if_empty();
        }
    }

    /// Copies received application data into `out`; returns how many bytes.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        let src = self.common.plaintext.bytes();
        let n = src.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.common.plaintext.consume(n);
        self.release_plaintext_if_idle();
        n
    }

    /// The next event, oldest first.
    pub fn next_event(&mut self) -> Option<Event> {
        self.common.events.pop()
    }

    /// Queues close_notify (RFC 5246 §7.2.1). Nothing may be sent after it.
    pub fn close(&mut self) {
        if !self.common.sent_close_notify && self.side.machine_error().is_none() {
            self.common.sent_close_notify = true;
            self.common
                .send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
    }

    /// Whether the handshake is still running.
    pub fn is_handshaking(&self) -> bool {
        match &self.side {
            Side::Client { machine, .. } => machine.is_running(),
            Side::Server { machine, .. } => machine.is_running(),
        }
    }

    /// What was negotiated, once the handshake is complete.
    pub fn handshake_info(&self) -> Option<&HandshakeInfo> {
        self.common.info.as_ref()
    }

    /// Fills `out` with keying material exported from the session (RFC
    /// 5705): both ends of a connection get the same bytes for the same
    /// `label`, `context` and length, and nobody else can compute them.
    /// `context: None` and `Some(b"")` give different output, as the RFC
    /// defines.
    ///
    /// Needs `enable_exporters` in the configuration, which keeps the
    /// master secret (zeroized on drop) for the connection's lifetime. Refused
    /// with [`Error::Misuse`] before the handshake completes, without
    /// `enable_exporters`, for the labels the key schedule itself uses
    /// (`"client finished"`, `"server finished"`, `"master secret"`, `"key
    /// expansion"`, `"extended master secret"`; RFC 5705 §4) and for a
    /// context over 65,535 bytes. A refusal does not end the connection.
    ///
    /// ```
    /// # fn demo(conn: &tls12::Connection) -> Result<(), tls12::Error> {
    /// let mut binding = [0u8; 32];
    /// conn.export_keying_material(b"EXPORTER-my-protocol", None, &mut binding)?;
    /// # Ok(()) }
    /// ```
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        match &self.side {
            Side::Client { machine, .. } => machine.export(label, context, out),
            Side::Server { machine, .. } => machine.export(label, context, out),
        }
    }

    /// Whether the peer has sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.common.received_close_notify
    }

    /// The error that killed this connection, if one did.
    pub fn error(&self) -> Option<&Error> {
        self.side.machine_error()
    }

    /// Why this connection failed, explained for a person and in
    /// structured fields ([`Diagnosis`]): the state it stopped in and, when
    /// a server refused our ClientHello, what we offered. `None` while the
    /// connection is alive.
    pub fn diagnosis(&self) -> Option<Diagnosis> {
        self.side.diagnosis()
    }

    /// Tells the connection the transport reached end of file. If the peer
    /// had not sent close_notify, returns [`Error::UnexpectedEof`]: data may
    /// have been truncated by an attacker (RFC 5246 §7.2.1).
    pub fn eof(&mut self) -> Result<(), Error> {
        self.check_usable()?;
        if self.common.received_close_notify {
            Ok(())
        } else {
            Err(self.fail(Error::UnexpectedEof))
        }
    }
}

#[cfg(test)]
impl Connection {
    /// Whether the handshake completed and the connection is alive.
    pub(crate) fn is_established(&self) -> bool {
        self.side.is_established()
    }
}

/// Hooks for the fuzzing harness (`crate::fuzzing`), which plays a peer that
/// speaks through a real connection's own record layer.
#[cfg(feature = "fuzzing")]
impl Connection {
    /// Queues `data` as records of type `typ` after whatever is pending, as
    /// this connection's record layer would write them (sealed once its
    /// writes are protected), so that they reach the peer authentic.
    pub(crate) fn fuzzing_write_records(
        &mut self,
        typ: ContentType,
        data: &[u8],
    ) -> Result<(), Error> {
        self.common.record.write_records(typ, data)
    }

    /// Bytes of a record received only in part, waiting for the rest (what
    /// the peer sends next continues that record).
    pub(crate) fn fuzzing_partial_record(&self) -> usize {
        self.incoming.len()
    }

    /// Whether input is waiting behind a paused state: bytes held unread, a
    /// record received in part, or handshake messages already joined. An
    /// answer goes on to read them, so an error from
    /// [`complete_operation`](Self::complete_operation) may be theirs
    /// rather than the answer's.
    pub(crate) fn fuzzing_holds_input(&self) -> bool {
        !self.held.is_empty() || !self.incoming.is_empty() || !self.joiner.is_empty()
    }

    /// Once this connection's writes are protected: the sequence number of
    /// its next record and a copy of its write keys.
    pub(crate) fn fuzzing_write_twin(
        &self,
    ) -> Option<(Option<u64>, crate::record::cipher::RecordTwin)> {
        self.common
            .record
            .write_state()
            .map(crate::record::cipher::RecordSealer::fuzzing_twin)
    }
}

/// Protected non-application records up to this size (ciphertext without
/// the explicit nonce) are decrypted in a stack buffer.
const SMALL_RECORD: usize = 128;

/// Looks a whole handshake message's type up in the table, and only then
/// decodes its body: the state method decodes what it accepts; a message the
/// table refuses is unexpected_message whatever its body (RFC 5246 §7.2.2).
fn handle_message(
    side: &mut Side,
    common: &mut Common,
    typ: HandshakeType,
    body: &[u8],
    raw: &[u8],
) -> Result<(), Error> {
    let kind = Kind::Handshake(typ);
    match side.action(kind) {
        Action::Handle(handler) => {
            common.warnings_in_a_row = 0;
            side.run(common, handler, Message { body, raw })
        }
        Action::Ignore => {
            decode_handshake(typ, body)?;
            Ok(())
        }
        Action::RefuseRenegotiation => {
            decode_handshake(typ, body)?;
            // Each refusal counts as a warning, so a flood of requests
            // cannot grow our output without bound.
            common.count_warning()?;
            common.send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
            Ok(())
        }
        _ => Err(side.unexpected(kind)),
    }
}

/// A client connection.
///
/// ```no_run
/// use std::sync::Arc;
/// use rustls_pki_types::{ServerName, UnixTime};
/// use tls12::{ClientConfig, ClientConnection, RootCertStore};
///
/// let config = Arc::new(ClientConfig::new(RootCertStore::empty()));
/// let name = ServerName::try_from("example.com").unwrap();
/// let mut conn = ClientConnection::new(config, name, UnixTime::now()).unwrap();
/// // The ClientHello is ready to send:
/// assert!(!conn.pending_output().is_empty());
/// ```
#[derive(Debug)]
pub struct ClientConnection(Connection);

impl ClientConnection {
    /// Starts a handshake with `server_name` (a DNS name, sent as SNI, or an
    /// IP address); `now` is the time used to check the server's certificate.
    /// Its buffers come from the heap, so it needs the `alloc` feature;
    /// without it, [`with_areas`](Self::with_areas).
    #[cfg(feature = "alloc")]
    pub fn new(
        config: impl Into<Shared<ClientConfig>>,
        server_name: ServerName<'static>,
        now: UnixTime,
    ) -> Result<Self, Error> {
        Self::build(config.into(), server_name, now, None)
    }

    /// As [`new`](Self::new), with the record buffers on memory the caller
    /// lends ([`Areas`], sized by [`AreaSizes::for_client`]).
    pub fn with_areas(
        config: impl Into<Shared<ClientConfig>>,
        server_name: ServerName<'static>,
        now: UnixTime,
        areas: Areas,
    ) -> Result<Self, Error> {
        Self::build(config.into(), server_name, now, Some(areas))
    }

    fn build(
        config: Shared<ClientConfig>,
        server_name: ServerName<'static>,
        now: UnixTime,
        areas: Option<Areas>,
    ) -> Result<Self, Error> {
        config.validate()?;
        let mut common = Common::new(Role::Client, &config.limits, config.max_fragment_len);
        let mut joiner = HandshakeJoiner::new(config.limits.max_handshake_message_len);
        let lent = match areas {
            Some(areas) => Some(common.lend(areas.check(config.max_fragment_len)?)),
            None => None,
        };
        let preallocated = config.limits.idle_buffers == crate::IdleBuffers::Preallocated;
        let sizes = preallocated.then(|| Preallocation::for_client(&config));
        let mut buffers = match &sizes {
            Some(sizes) => HandshakeBuffers::reserved(
                sizes.largest_message_out,
                !config.psk_identities.is_empty(),
                sizes.leaf,
                sizes.transcript,
                sizes.alpn > 0,
                lent.is_some(),
            ),
            None => HandshakeBuffers::default(),
        };
        let (input, slot) = lend_rest(lent, &mut joiner, &mut buffers);
        if let Some(sizes) = &sizes {
            // Before the ClientHello is written into it.
            common
                .record
                .reserve_output(sizes.area_sizes(&config.limits).output);
        }
        let ctx = ClientContext {
            config,
            server_name,
            now,
        };
        let mut pending = PendingKeys::default();
        let state = client::start(
            &ctx,
            &mut common.io(
                &mut pending,
                Secrets::default(),
                &mut buffers,
                &*ctx.config.random,
            ),
        )?;
        let mut conn = Connection::new(
            Side::Client {
                ctx,
                machine: Machine::start(Running::new(state, pending, buffers), slot),
            },
            common,
            joiner,
            input,
        );
        if let Some(sizes) = sizes {
            conn.preallocate(&sizes);
        }
        Ok(Self(conn))
    }

    /// Gives back the memory lent with [`with_areas`](Self::with_areas),
    /// cleared: see [`Connection::take_areas`].
    pub fn into_areas(mut self) -> Option<Areas> {
        self.0.take_areas()
    }
}

impl Deref for ClientConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl DerefMut for ClientConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

/// A server connection.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use tls12::{ServerConfig, ServerConnection};
/// # use tls12::pki_types::UnixTime;
/// # fn demo(config: Arc<ServerConfig>, bytes_from_client: &[u8]) -> Result<(), tls12::Error> {
/// let mut conn = ServerConnection::new(config, UnixTime::now())?;
/// conn.receive(bytes_from_client)?;
/// let reply = conn.pending_output().to_vec();
/// conn.consume_output(reply.len());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ServerConnection(Connection);

impl ServerConnection {
    /// A connection waiting for a ClientHello; `now` is the time used to
    /// check client certificates and the lifetime of resumed sessions. Its
    /// buffers come from the heap, so it needs the `alloc` feature; without
    /// it, [`with_areas`](Self::with_areas).
    #[cfg(feature = "alloc")]
    pub fn new(config: impl Into<Shared<ServerConfig>>, now: UnixTime) -> Result<Self, Error> {
        Self::build(config.into(), now, None)
    }

    /// As [`new`](Self::new), with the record buffers on memory the caller
    /// lends ([`Areas`], sized by [`AreaSizes::for_server`]).
    pub fn with_areas(
        config: impl Into<Shared<ServerConfig>>,
        now: UnixTime,
        areas: Areas,
    ) -> Result<Self, Error> {
        Self::build(config.into(), now, Some(areas))
    }

    fn build(
        config: Shared<ServerConfig>,
        now: UnixTime,
        areas: Option<Areas>,
    ) -> Result<Self, Error> {
        config.validate()?;
        let mut common = Common::new(Role::Server, &config.limits, config.max_fragment_len);
        let limits = &config.limits;
        let mut joiner = HandshakeJoiner::new(limits.max_handshake_message_len)
            .with_client_hello_cap(limits.max_client_hello_len);
        let lent = match areas {
            Some(areas) => Some(common.lend(areas.check(config.max_fragment_len)?)),
            None => None,
        };
        let preallocated = limits.idle_buffers == crate::IdleBuffers::Preallocated;
        let sizes = preallocated.then(|| Preallocation::for_server(&config));
        let mut buffers = match &sizes {
            Some(sizes) => HandshakeBuffers::reserved(
                sizes.largest_message_out,
                config.psk_store.is_some(),
                sizes.leaf,
                sizes.transcript,
                sizes.alpn > 0,
                lent.is_some(),
            ),
            None => HandshakeBuffers::default(),
        };
        let (input, slot) = lend_rest(lent, &mut joiner, &mut buffers);
        let ctx = ServerContext { config, now };
        let mut conn = Connection::new(
            Side::Server {
                ctx,
                machine: Machine::start(
                    Running::new(
                        server::State::ExpectClientHello,
                        PendingKeys::default(),
                        buffers,
                    ),
                    slot,
                ),
            },
            common,
            joiner,
            input,
        );
        if let Some(sizes) = sizes {
            conn.preallocate(&sizes);
        }
        Ok(Self(conn))
    }

    /// Gives back the memory lent with [`with_areas`](Self::with_areas),
    /// cleared: see [`Connection::take_areas`].
    pub fn into_areas(mut self) -> Option<Areas> {
        self.0.take_areas()
    }
}

impl Deref for ServerConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl DerefMut for ServerConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}
