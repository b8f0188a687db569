//! The live-handshake targets ([`mutated_handshake`], [`replay`]): a real
//! client and server whose records are mutated in flight, and who may pause
//! for the caller (the harness) to sign, to judge the peer's chain or to
//! decrypt the client's premaster secret.
//!
//! # Input format
//!
//! The input is read a byte at a time, as the handshake needs it; past its
//! end every byte reads as 0 (deliver unchanged, answer rightly at once).
//! The first byte's bits 2 to 7, modulo the number of variants, pick the
//! configurations ([`Variant::of`]: plain, the server's key held by the
//! caller, the client's key held by the caller with client certificates
//! required, all of that and verifiers that ask the caller, RSA key
//! transport with the server's RSA key held by the caller, pre-shared keys
//! with plain PSK or ECDHE_PSK preferred and the right key, a wrong key or
//! an unknown identity, or OCSP stapling with ECDHE or with RSA key
//! transport); the byte is then
//! read again as the first flight's injection byte (step 1). Each flight
//! (everything one side has queued when the other has finished reading) is
//! carried in five steps:
//!
//! 0. A pending operation whose answer is due is answered (see below).
//! 1. One byte says whether to [`Inject`] a record through the sender's own
//!    record layer before the flight is cut into records.
//! 2. The flight is cut into records; those at its end that open under the
//!    sender's write keys are its sealed records.
//! 3. For each record in order, one byte and its operands give an [`Op`],
//!    what happens to that record on the way (an op that does not apply to
//!    the record, such as a swap at the end of the flight, delivers it).
//! 4. The receiver reads the result in one piece. If it pauses for an
//!    operation ([`crate::Event::Operation`]), a [`Reply`] is read: how the
//!    harness answers, and after how many flights (0: at once). An answer
//!    that must be refused as misuse is followed by another [`Reply`], and
//!    an answer that resumes the handshake may pause it again.
//!
//! Each call runs two handshakes with fresh session stores, so the second
//! may resume the first by ticket (RFC 5077); the input carries on from one
//! to the other.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use super::{
    caller_key_fixture, client_connection, drain_inbound, server_connection, variant_configs,
    Variant, RSA_KX_IDENTITY,
};
use crate::codec::enums::ContentType;
use crate::crypto::rsa_kx::PREMASTER_LEN;
use crate::crypto::sign::SigningKey;
use crate::error::CertificateError;
use crate::keyop::{Answer, OperationId, OperationKind};
use crate::record::cipher::RecordTwin;
use crate::testing::{self, take_output, Side};
use crate::{
    AlertDescription, ClientConfig, ClientConnection, Connection, Error, Event, ServerConfig,
    ServerConnection,
};

/// The input, read a byte at a time; 0 once it runs out.
pub(crate) struct Input<'a> {
    bytes: core::slice::Iter<'a, u8>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { bytes: data.iter() }
    }

    fn byte(&mut self) -> u8 {
        self.bytes.next().copied().unwrap_or(0)
    }

    /// The next byte, left to be read (0 past the end).
    fn peek(&self) -> u8 {
        self.bytes.as_slice().first().copied().unwrap_or(0)
    }

    /// Up to `n` bytes (fewer if the input runs out).
    fn bytes(&mut self, n: u8) -> Vec<u8> {
        self.bytes.by_ref().take(usize::from(n)).copied().collect()
    }

    /// How many bytes are left.
    #[cfg(test)]
    pub(crate) fn left(&self) -> usize {
        self.bytes.len()
    }
}

/// Content types 20 to 24 (`20 + b % 5`): the four of RFC 5246 and
/// heartbeat (RFC 6520).
fn content_type(b: u8) -> ContentType {
    ContentType::from_wire(20 + b % 5)
}

/// A record the sender writes through its own record layer at the start of
/// a flight, so that it reaches the peer authentic (sealed, once the
/// sender's writes are protected).
///
/// Encoding: a flight's first byte `3 (mod 4)`, then `typ(1)` (content type
/// `20 + typ % 5`), `len(1)` and `len` bytes of content. Any other first
/// byte injects nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inject {
    /// The record's content type.
    pub typ: ContentType,
    /// Its content.
    pub data: Vec<u8>,
}

impl Inject {
    fn decode(input: &mut Input<'_>) -> Option<Self> {
        if input.byte() % 4 != 3 {
            return None;
        }
        let typ = content_type(input.byte());
        let len = input.byte();
        Some(Self {
            typ,
            data: input.bytes(len),
        })
    }

    /// The bytes that decode to `inject` (`None`: no injection).
    #[cfg(test)]
    pub(crate) fn encode(inject: Option<&Self>, out: &mut Vec<u8>) {
        let Some(i) = inject else {
            out.push(0);
            return;
        };
        out.extend_from_slice(&[3, i.typ.to_wire() - 20, i.data.len() as u8]);
        out.extend_from_slice(&i.data);
    }
}

/// What happens to one record of a flight. Encoding: a code byte, whose
/// value mod 10 names the op, then the op's operands. Offsets and lengths
/// are taken modulo what the record has, so every byte means something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Codes 0 and 2, and any code whose op does not apply to the record:
    /// deliver it unchanged.
    Deliver,
    /// Code 1, on a sealed record: open it with the sender's keys, change
    /// its plaintext and seal it again under the same sequence number, so
    /// that the change gets past the AEAD check (RFC 5246 §6.2.3.3) to the
    /// Finished check and the code behind it.
    Reseal(Change),
    /// Code 3.
    Drop,
    /// Code 4: deliver it twice.
    Duplicate,
    /// Code 5, when another record follows: deliver that one first (its own
    /// op comes next, applied to this record).
    Swap,
    /// Code 6, then `at`: flip bit `bit` (the code mod 8, so 0, 2, 4 or 6)
    /// of byte `at` (mod the record's length), header included.
    FlipBit { bit: u8, at: u8 },
    /// Code 7, then `keep`: deliver only the first `keep` (mod the record's
    /// length) bytes.
    Truncate { keep: u8 },
    /// Code 8, on a record with a payload, then `at`: two records of its
    /// type, the payload split at `at` (mod the payload's length + 1).
    /// Splitting and merging plaintext handshake records moves message
    /// boundaries across records (RFC 5246 §6.2.1).
    Split { at: u8 },
    /// Code 9, when the next record has the same type: one record with both
    /// payloads (the next record's op is not read).
    Merge,
}

/// What [`Op::Reseal`] does to a sealed record's plaintext. Encoding: a
/// byte `how`, whose value mod 4 names the change, then its operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// 0, then `at`: flip bit `bit` (`how / 4 % 8`) of byte `at` (mod the
    /// plaintext's length).
    FlipBit { bit: u8, at: u8 },
    /// 1, then `keep`: keep the first `keep` (mod the length + 1) bytes.
    Truncate { keep: u8 },
    /// 2, then `typ`: content type `20 + typ % 5` instead.
    Retype(ContentType),
    /// 3, then `len(1)` and `len` bytes to append.
    Append(Vec<u8>),
}

/// How the harness answers an operation a side paused for. Encoding: a
/// byte `r`, whose value mod 8 names the reply and whose bits 3 and 4 the
/// wait (`r / 8 % 4`: how many flights later the answer comes, 0 for at
/// once), then the reply's operand if it has one.
///
/// For a decryption ([`OperationKind::Decrypt`]) no answer may fail the
/// connection (RFC 5246 §7.4.7.1: a server that shows whether the
/// premaster secret decrypted is a Bleichenbacher oracle): a wrong
/// plaintext, or [`Answer::Failed`], is taken like the right one, and only
/// the client's Finished fails, with bad_record_mac, because the keys
/// differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 0: the right answer: a signature by the certificate's key (from the
    /// fixtures), the verdict that the chain is fine, or the RSAES-PKCS1-v1_5
    /// decryption of the ciphertext with the fixture key ([`Answer::Failed`]
    /// when it does not decrypt, as a real caller would say). It must never
    /// fail the connection by itself.
    Right,
    /// 1, then `at`: a signature with bit `at % 8` of byte `at` (mod its
    /// length) flipped, which must fail with [`Error::OperationFailed`]; for
    /// a verdict, a refusal ([`CertificateError::Expired`]); for a
    /// decryption, the plaintext with that bit flipped, which the server
    /// takes without a sign, to fail at the client's Finished (a flip in the
    /// two version bytes changes nothing: the server puts the ClientHello's
    /// version there, RFC 5246 §7.4.7.1).
    Corrupt { at: u8 },
    /// 2: [`Answer::Failed`]: [`Error::OperationFailed`]; for a decryption,
    /// taken without a sign, to fail at the client's Finished.
    Failed,
    /// 3: the verdict that the chain is refused
    /// ([`CertificateError::Other`]): [`Error::Certificate`]. For a
    /// signature or a decryption the answer does not fit: misuse, as for
    /// [`Reply::WrongKind`].
    Refuse,
    /// 4, then `delta`: the right answer under another id (the pending id
    /// plus `delta` as a signed byte, 1 for 0): [`Error::Misuse`], which
    /// changes nothing; another [`Reply`] follows.
    UnknownId { delta: u8 },
    /// 5: a verdict for a signature, a signature for a verdict or a
    /// decryption: misuse; another [`Reply`] follows.
    WrongKind,
    /// 6: the right answer, then [`Answer::Failed`] under the same id,
    /// which must be misuse and change nothing.
    Duplicate,
    /// 7: no answer at all: the side stays paused.
    Never,
}

impl Reply {
    /// Reads a reply and its wait.
    fn decode(input: &mut Input<'_>) -> (Self, u8) {
        let r = input.byte();
        let wait = r / 8 % 4;
        let reply = match r % 8 {
            0 => Self::Right,
            1 => Self::Corrupt { at: input.byte() },
            2 => Self::Failed,
            3 => Self::Refuse,
            4 => Self::UnknownId {
                delta: input.byte(),
            },
            5 => Self::WrongKind,
            6 => Self::Duplicate,
            _ => Self::Never,
        };
        (reply, wait)
    }

    /// The bytes that decode to this reply after `wait` flights (0 to 3).
    #[cfg(test)]
    pub(crate) fn encode(&self, wait: u8, out: &mut Vec<u8>) {
        let w = (wait % 4) * 8;
        match self {
            Self::Right => out.push(w),
            Self::Corrupt { at } => out.extend_from_slice(&[w + 1, *at]),
            Self::Failed => out.push(w + 2),
            Self::Refuse => out.push(w + 3),
            Self::UnknownId { delta } => out.extend_from_slice(&[w + 4, *delta]),
            Self::WrongKind => out.push(w + 5),
            Self::Duplicate => out.push(w + 6),
            Self::Never => out.push(w + 7),
        }
    }
}

/// What the ops that depend on it need to know about a record.
#[derive(Debug, Clone, Copy)]
struct Fit {
    /// It opens under the sender's keys.
    sealed: bool,
    /// Another record follows it in the flight.
    has_next: bool,
    /// It is longer than a record header.
    has_payload: bool,
    /// The next record has the same content type.
    merges: bool,
}

impl Fit {
    fn of(records: &[FlightRecord], i: usize) -> Self {
        let r = &records[i].bytes;
        let next = records.get(i + 1).map(|n| &n.bytes);
        Self {
            sealed: records[i].seq.is_some(),
            has_next: next.is_some(),
            has_payload: r.len() > 5,
            merges: next.is_some_and(|n| r.len() >= 5 && n.len() >= 5 && r[0] == n[0]),
        }
    }
}

impl Op {
    /// Reads the op for a record that `fit` describes. An op that does not
    /// apply reads no operands, so that the bytes after it keep their
    /// meaning.
    fn decode(input: &mut Input<'_>, fit: Fit) -> Self {
        let code = input.byte();
        match code % 10 {
            1 if fit.sealed => Self::Reseal(Change::decode(input)),
            3 => Self::Drop,
            4 => Self::Duplicate,
            5 if fit.has_next => Self::Swap,
            6 => Self::FlipBit {
                bit: code % 8,
                at: input.byte(),
            },
            7 => Self::Truncate { keep: input.byte() },
            8 if fit.has_payload => Self::Split { at: input.byte() },
            9 if fit.merges => Self::Merge,
            _ => Self::Deliver,
        }
    }

    /// The bytes that decode to this op (on a record it applies to).
    #[cfg(test)]
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Deliver => out.push(0),
            Self::Reseal(change) => {
                out.push(1);
                change.encode(out);
            }
            Self::Drop => out.push(3),
            Self::Duplicate => out.push(4),
            Self::Swap => out.push(5),
            Self::FlipBit { bit, at } => {
                // The smallest code that is 6 mod 10 and `bit` mod 8.
                let code = (0u8..25)
                    .map(|k| 6 + 10 * k)
                    .find(|c| c % 8 == *bit)
                    .expect("raw bit flips reach the even bits only");
                out.extend_from_slice(&[code, *at]);
            }
            Self::Truncate { keep } => out.extend_from_slice(&[7, *keep]),
            Self::Split { at } => out.extend_from_slice(&[8, *at]),
            Self::Merge => out.push(9),
        }
    }
}

impl Change {
    fn decode(input: &mut Input<'_>) -> Self {
        let how = input.byte();
        match how % 4 {
            0 => Self::FlipBit {
                bit: how / 4 % 8,
                at: input.byte(),
            },
            1 => Self::Truncate { keep: input.byte() },
            2 => Self::Retype(content_type(input.byte())),
            _ => {
                let len = input.byte();
                Self::Append(input.bytes(len))
            }
        }
    }

    #[cfg(test)]
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::FlipBit { bit, at } => out.extend_from_slice(&[bit * 4, *at]),
            Self::Truncate { keep } => out.extend_from_slice(&[1, *keep]),
            Self::Retype(typ) => out.extend_from_slice(&[2, typ.to_wire() - 20]),
            Self::Append(data) => {
                out.extend_from_slice(&[3, data.len() as u8]);
                out.extend_from_slice(data);
            }
        }
    }

    /// Applies the change to `plain`, a record of type `typ`; returns the
    /// type to seal it as and whether a bit was flipped.
    fn apply(&self, typ: ContentType, plain: &mut Vec<u8>) -> (ContentType, bool) {
        match self {
            Self::FlipBit { bit, at } => {
                let at = usize::from(*at) % plain.len().max(1);
                match plain.get_mut(at) {
                    Some(b) => {
                        *b ^= 1 << bit;
                        (typ, true)
                    }
                    None => (typ, false),
                }
            }
            Self::Truncate { keep } => {
                plain.truncate(usize::from(*keep) % (plain.len() + 1));
                (typ, false)
            }
            Self::Retype(new) => (*new, false),
            Self::Append(data) => {
                plain.extend_from_slice(data);
                (typ, false)
            }
        }
    }
}

/// `client` and `server` with fresh session stores: a client cache and a
/// server ticketer (RFC 5077), so that a second handshake resumes the first.
pub(crate) fn resuming_configs(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    #[cfg_attr(not(feature = "std"), allow(unused_mut))]
    let mut client = (**client).clone();
    #[cfg_attr(not(feature = "std"), allow(unused_mut))]
    let mut server = (**server).clone();
    #[cfg(feature = "std")]
    {
        client.session_cache = Some(Arc::new(crate::session::ClientSessionCache::new(4)));
        server.session_cache = None;
        server.ticketer = Some(Arc::new(crate::session::Ticketer::new(
            core::time::Duration::from_secs(3600),
            core::time::Duration::from_secs(3600),
        )));
    }
    (Arc::new(client), Arc::new(server))
}

/// One handshake of [`mutated_handshake`], as it ended.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "the fuzz targets need only the assertions")
)]
pub(crate) struct Handshake {
    pub(crate) client: ClientConnection,
    pub(crate) server: ServerConnection,
    /// Whether application data was seen to arrive intact both ways (see
    /// [`exchange`]).
    pub(crate) data_crossed: bool,
    /// How many operations the two sides paused for.
    pub(crate) operations: usize,
}

/// The body of [`mutated_handshake`]: both handshakes, and every byte
/// delivered.
pub(crate) fn run_mutated_handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    data: &[u8],
) -> ([Handshake; 2], Vec<u8>) {
    let mut input = Input::new(data);
    let variant = Variant::of(input.peek());
    let (client, server) = variant_configs(client, server, variant);
    let (client, server) = resuming_configs(&client, &server);
    let mut wire = Vec::new();
    let first = one_mutated_handshake(&client, &server, variant, &mut input, &mut wire);
    let second = one_mutated_handshake(&client, &server, variant, &mut input, &mut wire);
    ([first, second], wire)
}

/// A live handshake between a client and a server whose records are
/// mutated in flight as `data` says (see the [module](self) documentation
/// for the format, [`Inject`] and [`Op`] for what can be done to a flight).
///
/// The oracle: nothing panics, an error is recorded and stays; a Finished
/// that reached its peer with a bit flipped never completes a handshake
/// (RFC 5246 §7.4.9), nor does a decryption answered wrongly (RFC 5246
/// §7.4.7.1), which must fail only at the client's Finished, nor a client
/// pre-shared key that the server does not have (a wrong key or an unknown
/// identity, RFC 4279 §2), which with untouched records must fail at the
/// client's Finished with [`Error::PskMismatch`] and decrypt_error either
/// way; a completed handshake reports the PSK identity on both sides and
/// the configured OCSP staple on the client (see [`check_agreement`]); and when both
/// sides finish the handshake without an error, application data crosses
/// intact both ways, unless what the harness did explains why not: the
/// receiver got close_notify, holds part of a record the harness cut short,
/// or lost a sealed record (then the data must fail its MAC). A mutation of
/// the plaintext handshake that both sides silently accept and that still
/// changes what they agreed on would fail the Finished check or the data
/// check.
pub fn mutated_handshake(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>, data: &[u8]) {
    let (handshakes, _) = run_mutated_handshake(client, server, data);
    recycle_all(handshakes);
}

/// Gives the lent areas of both handshakes' connections back.
fn recycle_all(handshakes: [Handshake; 2]) {
    for mut h in handshakes {
        super::recycle(&mut h.client);
        super::recycle(&mut h.server);
    }
}

/// Runs [`mutated_handshake`] twice on the same input and checks that every
/// byte that crossed the wire was the same: a fuzz finding must replay. In
/// cargo-fuzz builds ring's generator is fixed too (`crypto::rand`), so any
/// difference is nondeterminism in tls12 itself (iteration over a hash map,
/// an unseeded generator, a clock).
pub fn replay(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>, data: &[u8]) {
    let (handshakes, first) = run_mutated_handshake(client, server, data);
    recycle_all(handshakes);
    let (handshakes, second) = run_mutated_handshake(client, server, data);
    recycle_all(handshakes);
    assert!(first == second, "the same input gave different wire bytes");
}

/// What the harness did to a handshake that the oracle must allow for.
#[derive(Debug, Default)]
pub(crate) struct Tampering {
    /// A Finished with a bit flipped (and sealed again) was delivered.
    flipped_finished: bool,
    /// A sealed record never reached the client (index 0) or the server
    /// (1): dropped, or cut to nothing. The receiver's read sequence number
    /// then lags the sender's write sequence number (RFC 5246 §6.1), so the
    /// sender's next record must fail its MAC there.
    lost_sealed: [bool; 2],
    /// Some record was changed, dropped, added or moved.
    tampered: bool,
    /// The operations the sides paused for, and the harness's answers.
    pub(crate) caller: Caller,
}

impl Tampering {
    fn lost_sealed_to(&mut self, side: Side) -> &mut bool {
        match side {
            Side::Client => &mut self.lost_sealed[0],
            Side::Server => &mut self.lost_sealed[1],
        }
    }
}

/// One handshake of [`mutated_handshake`] on `client` and `server`, which
/// `variant` made: six flights each way, then the oracle.
pub(crate) fn one_mutated_handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    variant: Variant,
    input: &mut Input<'_>,
    wire: &mut Vec<u8>,
) -> Handshake {
    let mut c = client_connection(client);
    let mut s = server_connection(server);
    let mut t = Tampering::default();
    for _ in 0..6 {
        pump(&mut c, &mut s, Side::Server, input, wire, &mut t);
        pump(&mut s, &mut c, Side::Client, input, wire, &mut t);
    }
    if !t.tampered {
        // Every record went through as it was: only the answers (and how
        // long they took) decide. Let answers held back and the flights
        // behind them finish, reading no more input, then: right answers
        // (misuse in between changes nothing) complete the handshake, and
        // a side that a wrong answer failed told its peer with its alert,
        // unless the peer is paused (holding it) or failed the same way.
        let mut rest = Input::new(&[]);
        for _ in 0..8 {
            if both_done(&c, &s) || (c.error().is_some() && s.error().is_some()) {
                break;
            }
            pump(&mut c, &mut s, Side::Server, &mut rest, wire, &mut t);
            pump(&mut s, &mut c, Side::Client, &mut rest, wire, &mut t);
        }
        if !t.caller.wrong && !variant.psk_mismatch() {
            assert!(
                both_done(&c, &s),
                "right answers and untouched records, yet unfinished: client {:?} {:?}, \
                 server {:?} {:?}",
                c.is_handshaking(),
                c.error(),
                s.is_handshaking(),
                s.error()
            );
        }
        for (side, peer) in [(Side::Client, &*s), (Side::Server, &*c)] {
            if let Some((alert, _)) = t.caller.failed[index(side)] {
                assert!(
                    peer.error() == Some(&Error::AlertReceived(alert))
                        || peer.operation().is_some()
                        || t.caller.failed[index(other(side))].is_some(),
                    "the peer of a side failed by a wrong answer did not get its alert: {:?}",
                    peer.error()
                );
            }
        }
    }
    if t.caller.wrong_premaster {
        // The server went on with a premaster secret that is not the
        // client's, so their keys and Finished messages differ (RFC 5246
        // §7.4.7.1, §7.4.9): neither side may complete.
        for (name, conn) in [("client", &*c), ("server", &*s)] {
            assert!(
                conn.error().is_some() || conn.is_handshaking(),
                "the {name} completed a handshake after a wrong decryption"
            );
        }
        if !t.tampered {
            // Nothing else went wrong: the server's failure is the client's
            // Finished, which does not open under the server's keys, and
            // the client gets its alert.
            assert_eq!(
                s.error(),
                Some(&Error::BadRecordMac),
                "a wrong decryption failed otherwise than at the client's Finished"
            );
            assert_eq!(
                c.error(),
                Some(&Error::AlertReceived(AlertDescription::BadRecordMac)),
                "the client did not get bad_record_mac after a wrong decryption"
            );
        }
    }
    if variant.psk_mismatch() {
        // The client's key is not the server's for that identity, or the
        // server has none (and then uses a random key, RFC 4279 §2), so
        // their premaster secrets differ (RFC 4279 §2, RFC 5489 §2) and
        // neither side may complete.
        for (name, conn) in [("client", &*c), ("server", &*s)] {
            assert!(
                conn.error().is_some() || conn.is_handshaking(),
                "the {name} completed a handshake with a pre-shared key the server does not have"
            );
        }
        if !t.tampered {
            // Nothing else went wrong: a wrong key and an unknown identity
            // both fail at the client's Finished, with decrypt_error (RFC
            // 4279 §2: an unknown identity must not be told apart).
            assert_eq!(
                s.error(),
                Some(&Error::PskMismatch),
                "a pre-shared key mismatch failed otherwise than at the client's Finished"
            );
            assert_eq!(
                c.error(),
                Some(&Error::AlertReceived(AlertDescription::DecryptError)),
                "the client did not get decrypt_error for a pre-shared key mismatch"
            );
        }
    }
    let mut data_crossed = false;
    if both_done(&c, &s) {
        check_agreement(&c, &s, variant);
        assert!(
            !t.flipped_finished,
            "a Finished with a flipped bit completed the handshake"
        );
        let to_server = exchange(&mut c, &mut s, *t.lost_sealed_to(Side::Server));
        let to_client = exchange(&mut s, &mut c, *t.lost_sealed_to(Side::Client));
        data_crossed = to_server && to_client;
    }
    Handshake {
        client: c,
        server: s,
        data_crossed,
        operations: t.caller.seen,
    }
}

/// What both sides of a completed handshake must report in `variant`: the
/// client's PSK identity on both sides (a resumed session keeps its full
/// handshake's), and the configured OCSP response on the client after a
/// full handshake (none on a resumed one: no Certificate, no
/// CertificateStatus, RFC 6066 §8). Both are in the transcript that the
/// Finished messages cover (RFC 5246 §7.4.9), so a completed handshake,
/// mutated or not, must report them.
fn check_agreement(c: &Connection, s: &Connection, variant: Variant) {
    let (Some(ci), Some(si)) = (c.handshake_info(), s.handshake_info()) else {
        panic!("a completed handshake without HandshakeInfo");
    };
    let identity = variant.uses_psk().then_some(super::PSK_IDENTITY);
    assert_eq!(
        ci.psk_identity.as_deref(),
        identity,
        "the client's PSK identity"
    );
    assert_eq!(
        si.psk_identity.as_deref(),
        identity,
        "the server's PSK identity"
    );
    if variant.uses_psk() {
        assert!(
            ci.cipher_suite == si.cipher_suite && crate::PSK_SUITES.contains(&ci.cipher_suite),
            "a PSK variant completed with {:?} / {:?}",
            ci.cipher_suite,
            si.cipher_suite
        );
    }
    // A resumed session reports the response of its full handshake.
    let staple = variant.staple();
    assert_eq!(
        ci.ocsp_response.as_deref(),
        staple,
        "the client's OCSP response (resumed: {})",
        ci.resumed
    );
    assert_eq!(si.ocsp_response, None, "a server reported an OCSP response");
    if variant == Variant::Preallocated {
        // max_fragment_length is in the hellos the Finished messages cover,
        // so a completed handshake agreed it (RFC 6066 §4); the client
        // keeps no chain (it kept the leaf only until ServerKeyExchange).
        for info in [ci, si] {
            assert_eq!(
                (info.max_fragment_out, info.max_fragment_in),
                (512, 512),
                "the device variant's records"
            );
        }
        assert!(ci.peer_certificates.is_empty(), "a chain kept");
    }
}

/// Whether `c` and `s` both finished the handshake without an error.
pub(crate) fn both_done(c: &Connection, s: &Connection) -> bool {
    c.error().is_none() && s.error().is_none() && !c.is_handshaking() && !s.is_handshaking()
}

/// `to` failed with `e` on bytes the harness delivered: the error must be
/// recorded and stay (see [`crate::Connection::receive`]).
fn check_sticky(to: &mut Connection, e: Error) {
    assert_eq!(to.error(), Some(&e), "error not recorded");
    assert_eq!(to.receive(b"\x16"), Err(e), "dead connection revived");
}

/// After a handshake both sides finished without an error, sends a message
/// from `a` to `b` and checks that it arrives unchanged; returns whether it
/// did. Only what the harness did may excuse it from arriving:
///
/// * `b` received close_notify (then nothing after it is read, RFC 5246
///   §7.2.1), or `a` did (then `a` has answered with its own and may send
///   no more);
/// * `b` holds part of a record the harness cut short: the message
///   continues that record, as it would on a TCP stream;
/// * `lost`: a sealed record from `a` never reached `b`, so the message
///   must fail its MAC (the sequence number is in the MAC's input, RFC 5246
///   §6.2.3.3);
/// * `a`'s answer to the last flight (a refused renegotiation, say), which
///   goes first, kills `b` (too many warnings, say): that reply was part of
///   the mutated handshake, where errors are allowed.
fn exchange(a: &mut Connection, b: &mut Connection, lost: bool) -> bool {
    if a.error().is_some() || b.error().is_some() {
        return false;
    }
    let reply = take_output(a);
    if let Err(e) = b.receive(&reply) {
        check_sticky(b, e);
        return false;
    }
    drain_inbound(b);
    let msg = b"after a mutated handshake";
    match a.send(msg) {
        Ok(n) => assert_eq!(n, msg.len(), "send took part of a short message"),
        Err(e) => {
            assert!(a.peer_closed(), "send failed on a live connection: {e:?}");
            return false;
        }
    }
    let wire = take_output(a);
    if b.peer_closed() {
        assert_eq!(b.receive(&wire), Ok(0), "data read after close_notify");
        assert!(b.plaintext().is_empty(), "data read after close_notify");
        return false;
    }
    if b.fuzzing_partial_record() != 0 {
        if let Err(e) = b.receive(&wire) {
            check_sticky(b, e);
        }
        return false;
    }
    let got = b.receive(&wire);
    if lost {
        assert_eq!(
            got,
            Err(Error::BadRecordMac),
            "a record went missing unnoticed"
        );
        return false;
    }
    assert_eq!(got, Ok(wire.len()), "data refused after the handshake");
    assert_eq!(b.plaintext(), &msg[..], "data changed in flight");
    b.consume_plaintext(msg.len());
    // The zero-copy send continues the same stream, in order.
    const P: usize = Connection::SEAL_PREFIX;
    let mut buf = [0u8; P + 32 + Connection::SEAL_SUFFIX];
    buf[P..P + msg.len()].copy_from_slice(msg);
    let record = match a.seal_in_place(&mut buf, msg.len()) {
        Ok(record) => record.to_vec(),
        Err(e) => panic!("seal_in_place failed where send worked: {e:?}"),
    };
    assert_eq!(
        b.receive(&record),
        Ok(record.len()),
        "sealed-in-place data refused"
    );
    assert_eq!(
        b.plaintext(),
        &msg[..],
        "sealed-in-place data changed in flight"
    );
    b.consume_plaintext(msg.len());
    true
}

/// Appends a record with `header`'s type and version around `payload`.
fn reframe(header: &[u8], payload: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&header[..3]);
    out.extend_from_slice(&(payload.len().min(0xffff) as u16).to_be_bytes());
    out.extend_from_slice(&payload[..payload.len().min(0xffff)]);
}

/// One record of a flight in [`pump`].
struct FlightRecord {
    bytes: Vec<u8>,
    /// The sequence number it opens under, if the sender sealed it and the
    /// harness can open it again (see [`Op::Reseal`]).
    seq: Option<u64>,
    /// Whether the sender sealed it, using up a sequence number: true also
    /// for an injected record that cannot be opened again (a heartbeat,
    /// which the record layer's header parser refuses).
    sealed: bool,
    /// Whether the sender's state machine wrote it (not an injected record).
    own: bool,
}

/// Carries `from`'s output to `to` (the `side` end), record by record,
/// mutated as `input` says (see the [module](self) documentation).
/// Everything delivered is also appended to `log`; what the oracle must
/// allow for is noted in `t`.
pub(crate) fn pump(
    from: &mut Connection,
    to: &mut Connection,
    side: Side,
    input: &mut Input<'_>,
    log: &mut Vec<u8>,
    t: &mut Tampering,
) {
    let caller = &mut t.caller;
    caller.tick(from, other(side), input);
    caller.tick(to, side, input);
    let own_len = from.pending_output().len();
    if let Some((_, flushed)) = &mut caller.failed[index(other(side))] {
        // A wrong answer queued one alert; after that, nothing.
        assert!(
            !*flushed || own_len == 0,
            "a connection failed by a wrong answer sent more"
        );
        *flushed = true;
    }
    if let Some(inject) = Inject::decode(input) {
        t.tampered = true;
        // Refused only once the sequence numbers run out.
        let _ = from.fuzzing_write_records(inject.typ, &inject.data);
    }
    let wire = take_output(from);
    let mut records: Vec<FlightRecord> = Vec::new();
    let mut rest = &wire[..];
    while !rest.is_empty() {
        let len = rest.get(3..5).map_or(rest.len(), |l| {
            usize::from(u16::from_be_bytes([l[0], l[1]])) + 5
        });
        let (record, tail) = rest.split_at(len.min(rest.len()));
        records.push(FlightRecord {
            bytes: record.to_vec(),
            seq: None,
            sealed: false,
            own: wire.len() - rest.len() < own_len,
        });
        rest = tail;
    }
    // The sealed records are the last ones of the flight, numbered up to
    // the sender's next sequence number (RFC 5246 §6.1). Injected records
    // come last and are all sealed once the sender has write keys, even
    // those that cannot be opened again; of the sender's own records, the
    // first that does not open under its number is plaintext, like those
    // before it.
    let twin = from.fuzzing_write_twin();
    if let Some((Some(next), twin)) = &twin {
        let mut seq = *next;
        for r in records.iter_mut().rev() {
            let Some(prev) = seq.checked_sub(1) else {
                break;
            };
            if twin.open(prev, &r.bytes).is_some() {
                r.seq = Some(prev);
            } else if r.own {
                break;
            }
            r.sealed = true;
            seq = prev;
        }
    }
    let receiver_handshaking = to.is_handshaking();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < records.len() {
        let op = Op::decode(input, Fit::of(&records, i));
        t.tampered |= op != Op::Deliver;
        let r = &records[i];
        match op {
            Op::Deliver => out.extend_from_slice(&r.bytes),
            Op::Reseal(change) => match (&twin, r.seq) {
                (Some((_, twin)), Some(seq)) => {
                    // A bit flipped in a handshake record the sender's state
                    // machine sealed while the receiver was still
                    // handshaking: its Finished.
                    let finished = r.own && receiver_handshaking;
                    let flipped = reseal(twin, seq, &r.bytes, &change, &mut out);
                    t.flipped_finished |= finished && flipped == Some(ContentType::Handshake);
                }
                _ => out.extend_from_slice(&r.bytes),
            },
            Op::Drop => *t.lost_sealed_to(side) |= r.sealed,
            Op::Duplicate => {
                out.extend_from_slice(&r.bytes);
                out.extend_from_slice(&r.bytes);
            }
            Op::Swap => {
                records.swap(i, i + 1);
                out.extend_from_slice(&records[i].bytes);
            }
            Op::FlipBit { bit, at } => {
                let mut r = r.bytes.clone();
                let at = usize::from(at) % r.len().max(1);
                if let Some(b) = r.get_mut(at) {
                    *b ^= 1 << bit;
                }
                out.extend_from_slice(&r);
            }
            Op::Truncate { keep } => {
                let keep = usize::from(keep) % r.bytes.len().max(1);
                *t.lost_sealed_to(side) |= keep == 0 && r.sealed;
                out.extend_from_slice(&r.bytes[..keep]);
            }
            Op::Split { at } => {
                let (header, payload) = r.bytes.split_at(5);
                let at = usize::from(at) % (payload.len() + 1);
                for part in [&payload[..at], &payload[at..]] {
                    reframe(header, part, &mut out);
                }
            }
            Op::Merge => {
                let mut payload = r.bytes[5..].to_vec();
                payload.extend_from_slice(&records[i + 1].bytes[5..]);
                reframe(&records[i].bytes[..5], &payload, &mut out);
                i += 1;
            }
        }
        i += 1;
    }
    log.extend_from_slice(&out);
    if let Err(e) = to.receive(&out) {
        check_sticky(to, e);
    }
    // Not `drain`: `to`'s reply is the next flight, which the next `pump`
    // carries back. An operation it pauses for is answered.
    t.caller.collect(to, side, input);
}

/// The index of `side` in per-side arrays.
fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

/// The other side.
fn other(side: Side) -> Side {
    match side {
        Side::Client => Side::Server,
        Side::Server => Side::Client,
    }
}

/// An operation whose answer the harness holds back for a few flights.
#[derive(Debug)]
struct Parked {
    id: OperationId,
    reply: Reply,
    wait: u8,
}

/// The harness in the caller's role: the operations it was asked for, and
/// what it answered.
#[derive(Debug, Default)]
pub(crate) struct Caller {
    /// An answer due in a few flights, per side.
    parked: [Option<Parked>; 2],
    /// A side that a wrong answer failed: the alert it queued, and whether
    /// that has gone out since (after which the side must send nothing of
    /// its own).
    failed: [Option<(AlertDescription, bool)>; 2],
    /// Whether some operation was answered wrongly, or not at all.
    wrong: bool,
    /// Whether the server was given a decryption that is not the client's
    /// premaster secret (see [`Caller::decrypted`]): the handshake must
    /// then never complete.
    wrong_premaster: bool,
    /// How many operations were reported.
    pub(crate) seen: usize,
}

/// What a misuse must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    output: Vec<u8>,
    operation: Option<(OperationId, OperationKind)>,
    handshaking: bool,
    error: Option<Error>,
}

impl Snapshot {
    fn of(conn: &Connection) -> Self {
        Self {
            output: conn.pending_output().to_vec(),
            operation: conn.operation().map(|op| (op.id(), op.kind())),
            handshaking: conn.is_handshaking(),
            error: conn.error().cloned(),
        }
    }
}

/// The right answer to `conn`'s pending operation, if the harness can make
/// it: a signature by the fixture key of `side`'s certificate with the
/// scheme asked for (under `--cfg fuzzing` ECDSA's nonces come from the
/// fixed generator, so the signature is a function of the input), an
/// acceptance, or the RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) of the
/// client's ciphertext with the `server-rsa2048-kx` key (deterministic: no
/// blinding without a generator, and PKCS#1 v1.5 decryption draws nothing
/// else; `None` when it does not decrypt).
fn right_answer(conn: &Connection, side: Side) -> Option<Answer> {
    let op = conn.operation()?;
    match op.kind() {
        OperationKind::VerifyChain => Some(Answer::Verdict(Ok(()))),
        OperationKind::ChooseCertificate => Some(Answer::Certificate(0)),
        OperationKind::Decrypt => decrypt(op.message()).map(|p| Answer::Decrypted(p.into())),
        OperationKind::Sign(scheme) => {
            let key = SigningKey::from_der(&testing::key(caller_key_fixture(side))).ok()?;
            let signature = key.sign(scheme, op.message()).ok()?;
            Some(Answer::Signature(signature.to_vec().into()))
        }
    }
}

/// RSAES-PKCS1-v1_5 decryption of `ciphertext` with the `server-rsa2048-kx`
/// key (`None` when it does not decrypt).
fn decrypt(ciphertext: &[u8]) -> Option<Vec<u8>> {
    #[cfg(feature = "std")]
    {
        // The client's randomness is fixed (`FixedRandom`), so nearly every
        // run sends the same ciphertext, and under AddressSanitizer one
        // RSA-2048 private-key operation costs more than the rest of a run:
        // the last result is kept. It is a function of the ciphertext, so
        // runs stay a function of their input.
        type Last = Option<(Vec<u8>, Option<Vec<u8>>)>;
        static LAST: std::sync::Mutex<Last> = std::sync::Mutex::new(None);
        if let Ok(mut last) = LAST.lock() {
            if let Some((seen, plaintext)) = &*last {
                if seen == ciphertext {
                    return plaintext.clone();
                }
            }
            let plaintext = decrypt_now(ciphertext);
            *last = Some((ciphertext.to_vec(), plaintext.clone()));
            return plaintext;
        }
    }
    decrypt_now(ciphertext)
}

fn decrypt_now(ciphertext: &[u8]) -> Option<Vec<u8>> {
    use rsa::pkcs8::DecodePrivateKey;
    let der = testing::key(&alloc::format!("{RSA_KX_IDENTITY}.key"));
    let key = rsa::RsaPrivateKey::from_pkcs8_der(der.secret_der()).ok()?;
    key.decrypt(rsa::Pkcs1v15Encrypt, ciphertext).ok()
}

impl Caller {
    /// Takes the events `conn` (the `side` end) queued, and its plaintext;
    /// an operation it reports is answered as the next [`Reply`] says.
    fn collect(&mut self, conn: &mut Connection, side: Side, input: &mut Input<'_>) {
        let mut reported = Vec::new();
        while let Some(event) = conn.next_event() {
            if let Event::Operation { id, kind } = event {
                reported.push((id, kind));
            }
        }
        let _ = conn.handshake_info();
        testing::drain_plaintext(conn);
        assert!(reported.len() <= 1, "two operations at once: {reported:?}");
        let Some((id, kind)) = reported.pop() else {
            return;
        };
        self.seen += 1;
        assert!(
            self.parked[index(side)].is_none(),
            "an operation reported while another is pending"
        );
        if conn.error().is_none() {
            assert_eq!(
                conn.operation().map(|op| (op.id(), op.kind())),
                Some((id, kind)),
                "the operation reported is not the pending one"
            );
        }
        let (reply, wait) = Reply::decode(input);
        self.schedule(conn, side, id, reply, wait, input);
    }

    fn schedule(
        &mut self,
        conn: &mut Connection,
        side: Side,
        id: OperationId,
        reply: Reply,
        wait: u8,
        input: &mut Input<'_>,
    ) {
        if reply == Reply::Never {
            self.wrong = true;
        } else if wait == 0 {
            self.answer(conn, side, id, reply, input);
        } else {
            self.parked[index(side)] = Some(Parked { id, reply, wait });
        }
    }

    /// A flight goes by: answers `conn`'s operation if it is due.
    fn tick(&mut self, conn: &mut Connection, side: Side, input: &mut Input<'_>) {
        let slot = &mut self.parked[index(side)];
        let Some(parked) = slot else {
            return;
        };
        parked.wait -= 1;
        if parked.wait == 0 {
            let Some(Parked { id, reply, .. }) = slot.take() else {
                return;
            };
            self.answer(conn, side, id, reply, input);
        }
    }

    /// Answers operation `id` of `conn` as `reply` says, and checks the
    /// outcome.
    fn answer(
        &mut self,
        conn: &mut Connection,
        side: Side,
        id: OperationId,
        reply: Reply,
        input: &mut Input<'_>,
    ) {
        if let Some(e) = conn.error().cloned() {
            // Dead meanwhile (only a mutated flight can do that).
            assert_eq!(
                conn.complete_operation(id, Answer::Failed),
                Err(e),
                "a dead connection took an answer"
            );
            return;
        }
        let kind = conn.operation().map(|op| (op.id(), op.kind()));
        let Some((pending, kind)) = kind else {
            panic!("a paused connection resumed by itself");
        };
        assert_eq!(pending, id, "the pending operation changed by itself");
        let right = right_answer(conn, side);
        let before = Snapshot::of(conn);
        let sign = matches!(kind, OperationKind::Sign(_));
        let bad_signature = || {
            Error::OperationFailed("the caller's signature does not verify with our certificate")
        };
        let failed = || Error::OperationFailed("the caller could not answer");
        if kind == OperationKind::Decrypt {
            if let Some((answer, wrong)) = decryption_answer(&reply, right.clone()) {
                self.decrypted(conn, id, answer, wrong, &before);
                if reply == Reply::Duplicate {
                    self.repeat(conn, id);
                }
                self.collect(conn, side, input);
                return;
            }
            // Otherwise misuse, or no answer: as for the other kinds.
        }
        let decrypt = kind == OperationKind::Decrypt;
        match (reply, right) {
            // A key that cannot make the scheme asked for (a mutated hello
            // can ask a P-256 key for SHA-384): the caller says so.
            (Reply::Right | Reply::Duplicate, None) => {
                self.fail(conn, side, id, Answer::Failed, failed(), &before);
            }
            (Reply::Right, Some(answer)) => {
                self.right(conn, id, answer);
                self.collect(conn, side, input);
            }
            (Reply::Duplicate, Some(answer)) => {
                self.right(conn, id, answer);
                self.repeat(conn, id);
                self.collect(conn, side, input);
            }
            (Reply::Corrupt { at }, right) if sign => {
                let mut signature = match right {
                    Some(Answer::Signature(s)) => s.as_bytes().unwrap_or_default().to_vec(),
                    _ => vec![0x30, 0],
                };
                let len = signature.len();
                if let Some(b) = signature.get_mut(usize::from(at) % len.max(1)) {
                    *b ^= 1 << (at % 8);
                }
                self.fail(
                    conn,
                    side,
                    id,
                    Answer::Signature(signature.into()),
                    bad_signature(),
                    &before,
                );
            }
            (Reply::Corrupt { .. }, _) => {
                let refusal = CertificateError::Expired;
                self.fail(
                    conn,
                    side,
                    id,
                    Answer::Verdict(Err(refusal.clone())),
                    Error::Certificate(refusal),
                    &before,
                );
            }
            (Reply::Failed, _) => self.fail(conn, side, id, Answer::Failed, failed(), &before),
            (Reply::Refuse, _) if !sign && !decrypt => {
                let refusal = CertificateError::Other("refused by the fuzzer".into());
                self.fail(
                    conn,
                    side,
                    id,
                    Answer::Verdict(Err(refusal.clone())),
                    Error::Certificate(refusal),
                    &before,
                );
            }
            (misuse @ (Reply::Refuse | Reply::WrongKind | Reply::UnknownId { .. }), _) => {
                let (to, answer) = match misuse {
                    Reply::UnknownId { delta } => {
                        let delta = if delta == 0 {
                            1
                        } else {
                            i64::from(delta as i8)
                        };
                        let answer = right_answer(conn, side).unwrap_or(Answer::Failed);
                        (OperationId(id.0.wrapping_add_signed(delta as i32)), answer)
                    }
                    Reply::Refuse => (id, Answer::Verdict(Err(CertificateError::Expired))),
                    _ if sign => (id, Answer::Verdict(Ok(()))),
                    _ => (id, Answer::Signature(vec![0x30, 0].into())),
                };
                let got = conn.complete_operation(to, answer);
                assert!(
                    matches!(got, Err(Error::Misuse(_))),
                    "{misuse:?} was not refused as misuse: {got:?}"
                );
                assert_eq!(Snapshot::of(conn), before, "{misuse:?} changed something");
                let (next, wait) = Reply::decode(input);
                self.schedule(conn, side, id, next, wait, input);
            }
            (Reply::Never, _) => self.wrong = true,
        }
    }

    /// Answers operation `id` again after it was answered: misuse, which
    /// must change nothing.
    fn repeat(&mut self, conn: &mut Connection, id: OperationId) {
        if conn.error().is_some() {
            return;
        }
        let after = Snapshot::of(conn);
        assert!(
            matches!(
                conn.complete_operation(id, Answer::Failed),
                Err(Error::Misuse(_))
            ),
            "an answered operation took another answer"
        );
        assert_eq!(
            Snapshot::of(conn),
            after,
            "a repeated answer changed something"
        );
    }

    /// Answers a decryption with `answer`; `wrong`: it does not give the
    /// server the client's premaster secret. RFC 5246 §7.4.7.1 has the
    /// server take any answer alike, so that nothing it does reveals whether
    /// the ciphertext was well-formed (a Bleichenbacher oracle): the answer
    /// neither fails the connection nor queues anything, and the server
    /// waits for the client's Finished. What it held while paused is then
    /// read, and may fail it (the client's Finished, under keys that differ,
    /// fails its MAC), but a wrong premaster can never complete the
    /// handshake: [`one_mutated_handshake`] checks that at the end.
    fn decrypted(
        &mut self,
        conn: &mut Connection,
        id: OperationId,
        answer: Answer,
        wrong: bool,
        before: &Snapshot,
    ) {
        if wrong {
            self.wrong = true;
            self.wrong_premaster = true;
        }
        let held = conn.fuzzing_holds_input();
        let got = conn.complete_operation(id, answer);
        assert!(
            conn.operation().is_none(),
            "still paused after a decryption was answered"
        );
        match got {
            Ok(()) => assert!(conn.error().is_none(), "error recorded but not returned"),
            Err(e) => {
                assert!(
                    held,
                    "a decryption's answer failed the connection by itself: {e:?}"
                );
                assert!(
                    !matches!(
                        e,
                        Error::OperationFailed(_) | Error::Misuse(_) | Error::Internal(_)
                    ),
                    "a decryption's answer was refused: {e:?}"
                );
                assert_eq!(conn.error(), Some(&e), "error not recorded");
            }
        }
        if !held {
            assert_eq!(
                conn.pending_output(),
                &before.output[..],
                "a decryption's answer queued something by itself"
            );
            assert!(
                conn.is_handshaking(),
                "a decryption's answer ended the handshake by itself"
            );
        }
        if wrong {
            assert!(
                conn.error().is_some() || conn.is_handshaking(),
                "a wrong decryption completed the server's handshake"
            );
        }
    }

    /// Gives the right answer: it may fail the connection only through
    /// what the connection held while paused, never by itself.
    fn right(&mut self, conn: &mut Connection, id: OperationId, answer: Answer) {
        if let Err(e) = conn.complete_operation(id, answer) {
            assert!(
                !matches!(e, Error::OperationFailed(_) | Error::Misuse(_)),
                "the right answer was refused: {e:?}"
            );
            assert_eq!(conn.error(), Some(&e), "error not recorded");
        }
    }

    /// Gives a wrong answer, which must fail the connection with `expected`
    /// and queue exactly one fatal alert after what was queued before.
    fn fail(
        &mut self,
        conn: &mut Connection,
        side: Side,
        id: OperationId,
        answer: Answer,
        expected: Error,
        before: &Snapshot,
    ) {
        self.wrong = true;
        let got = conn.complete_operation(id, answer);
        assert_eq!(got, Err(expected.clone()), "a wrong answer");
        assert_eq!(conn.error(), Some(&expected), "error not recorded");
        assert!(conn.operation().is_none(), "still paused after failing");
        assert!(!conn.is_handshaking());
        let alert = expected.alert().expect("a failed operation has an alert");
        let out = conn.pending_output();
        assert!(
            out.starts_with(&before.output),
            "output lost when the answer failed"
        );
        let added = &out[before.output.len()..];
        assert!(
            added.len() == 7 && added[0] == 21 && added[3..6] == [0, 2, 2],
            "not one plaintext fatal alert after a wrong answer: {added:?}"
        );
        assert_eq!(added[6], alert.to_wire(), "the wrong alert");
        self.failed[index(side)] = Some((alert, false));
        assert!(
            matches!(
                conn.complete_operation(id, Answer::Failed),
                Err(e) if e == expected
            ),
            "a failed connection took an answer"
        );
    }
}

/// The answer `reply` gives to a decryption whose right answer is `right`
/// (see [`right_answer`]), and whether it is wrong: whether the premaster
/// secret the server makes of it (RFC 5246 §7.4.7.1: the ClientHello's
/// version, then bytes 2..48 of a 48-byte plaintext, else random bytes)
/// differs from the client's. `None` for the replies that do not answer it
/// (misuse, or no answer).
fn decryption_answer(reply: &Reply, right: Option<Answer>) -> Option<(Answer, bool)> {
    let right = match right {
        Some(Answer::Decrypted(plaintext)) => plaintext.as_bytes().map(<[u8]>::to_vec),
        _ => None,
    };
    match (reply, right) {
        // A plaintext of any other length is not a premaster secret (a
        // mutated ciphertext that still decrypts): the server replaces it.
        (Reply::Right | Reply::Duplicate, Some(plaintext)) => {
            let wrong = plaintext.len() != PREMASTER_LEN;
            Some((Answer::Decrypted(plaintext.into()), wrong))
        }
        // It does not decrypt: the caller says so.
        (Reply::Right | Reply::Duplicate, None) => Some((Answer::Failed, true)),
        (Reply::Corrupt { at }, right) => {
            let (mut plaintext, known) = match right {
                Some(p) => (p, true),
                None => (vec![0; PREMASTER_LEN], false),
            };
            let len = plaintext.len();
            let i = usize::from(*at) % len.max(1);
            if let Some(b) = plaintext.get_mut(i) {
                *b ^= 1 << (at % 8);
            }
            // The two version bytes are overwritten by the ClientHello's.
            let wrong = !known || len != PREMASTER_LEN || i >= 2;
            Some((Answer::Decrypted(plaintext.into()), wrong))
        }
        (Reply::Failed, _) => Some((Answer::Failed, true)),
        _ => None,
    }
}

/// Opens the sealed `record` (sequence number `seq`) with the sender's
/// keys, applies `change` to its plaintext and appends it to `out` sealed
/// again under the same number. Returns the record's original type if a
/// bit of it was flipped.
fn reseal(
    twin: &RecordTwin,
    seq: u64,
    record: &[u8],
    change: &Change,
    out: &mut Vec<u8>,
) -> Option<ContentType> {
    let Some((typ, version, mut plain)) = twin.open(seq, record) else {
        out.extend_from_slice(record);
        return None;
    };
    let (new_typ, flipped) = change.apply(typ, &mut plain);
    match twin.seal(seq, new_typ, version, &plain) {
        Some(sealed) => out.extend_from_slice(&sealed),
        None => out.extend_from_slice(record),
    }
    flipped.then_some(typ)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fuzzing::configs;
    use alloc::string::String;
    use alloc::vec;

    /// The bytes that decode to `ops`, one after the other.
    fn bytes(ops: &[Op]) -> Vec<u8> {
        let mut out = Vec::new();
        for op in ops {
            op.encode(&mut out);
        }
        out
    }

    /// Runs one handshake of `mutated_handshake` (no session stores) with
    /// `data` as its input.
    pub(crate) fn one(data: &[u8]) -> Handshake {
        let (cc, sc) = configs();
        one_mutated_handshake(
            &cc,
            &sc,
            Variant::Plain,
            &mut Input::new(data),
            &mut Vec::new(),
        )
    }

    /// `data` with `ops` written at `pos` over a run of deliveries.
    fn ops_at(pos: usize, ops: &[u8]) -> Vec<u8> {
        let mut data = vec![0u8; 64];
        data[pos..pos + ops.len()].copy_from_slice(ops);
        data
    }

    /// The first input of the form `ops_at(pos, ops)` after which
    /// `want(client, server)` holds, trailing zeros (deliver) cut.
    fn first_input(ops: &[u8], want: impl Fn(&Connection, &Connection) -> bool) -> Vec<u8> {
        let mut data = (0..40)
            .map(|pos| ops_at(pos, ops))
            .find(|data| {
                let h = one(data);
                want(&h.client, &h.server)
            })
            .expect("no position gives the wanted outcome");
        while data.last() == Some(&0) {
            data.pop();
        }
        data
    }

    /// How many input bytes an unmutated handshake uses up to the flight
    /// that completes it.
    fn bytes_until_done() -> usize {
        let (cc, sc) = configs();
        let zeros = [0u8; 64];
        let mut input = Input::new(&zeros);
        let mut c = client_connection(&cc);
        let mut s = server_connection(&sc);
        let mut t = Tampering::default();
        for _ in 0..6 {
            if both_done(&c, &s) {
                break;
            }
            pump(
                &mut c,
                &mut s,
                Side::Server,
                &mut input,
                &mut Vec::new(),
                &mut t,
            );
            pump(
                &mut s,
                &mut c,
                Side::Client,
                &mut input,
                &mut Vec::new(),
                &mut t,
            );
        }
        assert!(both_done(&c, &s));
        zeros.len() - input.left()
    }

    fn reseal_flip(at: u8) -> Op {
        Op::Reseal(Change::FlipBit { bit: 0, at })
    }

    fn inject(typ: ContentType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let inject = Inject {
            typ,
            data: data.to_vec(),
        };
        Inject::encode(Some(&inject), &mut out);
        out
    }

    /// Seeds for the live-handshake targets: each reaches a different sealed
    /// record and changes it.
    pub(crate) fn live_seeds() -> Vec<(String, Vec<u8>)> {
        let bad_finished = |conn: &Connection| conn.error() == Some(&Error::BadFinished);
        let refused_after = |conn: &Connection| {
            conn.handshake_info().is_some()
                && matches!(conn.error(), Some(Error::UnexpectedMessage { .. }))
        };
        let flip = bytes(&[reseal_flip(12)]);
        vec![
            ("no_mutation".into(), vec![0]),
            (
                "server_finished_flipped".into(),
                first_input(&flip, |c, _| bad_finished(c)),
            ),
            (
                "client_finished_flipped".into(),
                first_input(&flip, |_, s| bad_finished(s)),
            ),
            (
                "client_finished_as_alert".into(),
                first_input(
                    &bytes(&[Op::Reseal(Change::Retype(ContentType::Alert))]),
                    |_, s| s.error().is_some(),
                ),
            ),
            (
                "sealed_ccs_after_handshake".into(),
                first_input(&inject(ContentType::ChangeCipherSpec, &[1]), |c, s| {
                    refused_after(c) || refused_after(s)
                }),
            ),
            ("sealed_hello_request_after_handshake".into(), {
                // The client's flight after the handshake is empty; the
                // server's carries a sealed HelloRequest (RFC 5246
                // §7.4.1.1).
                let mut data = vec![0; bytes_until_done() + 1];
                data.extend_from_slice(&inject(ContentType::Handshake, &[0, 0, 0, 0]));
                let h = one(&data);
                // The client may ignore it (we refuse renegotiation with a
                // warning), and the connection lives.
                let (c, s) = (&h.client, &h.server);
                assert!(
                    both_done(c, s),
                    "handshake unfinished: client {:?} {:?}, server {:?} {:?}",
                    c.is_handshaking(),
                    c.error(),
                    s.is_handshaking(),
                    s.error()
                );
                assert!(h.data_crossed);
                data
            }),
        ]
    }

    #[test]
    fn the_input_format_is_stable() {
        // The committed corpora in fuzz/corpus depend on these meanings.
        let all = Fit {
            sealed: true,
            has_next: true,
            has_payload: true,
            merges: true,
        };
        let none = Fit {
            sealed: false,
            has_next: false,
            has_payload: false,
            merges: false,
        };
        let decode = |data: &[u8], fit| {
            let mut input = Input::new(data);
            let op = Op::decode(&mut input, fit);
            (op, data.len() - input.left())
        };
        assert_eq!(decode(&[1, 0, 12], all), (reseal_flip(12), 3));
        assert_eq!(
            decode(&[1, 4 * 5, 12], all),
            (Op::Reseal(Change::FlipBit { bit: 5, at: 12 }), 3)
        );
        assert_eq!(
            decode(&[11, 1, 3], all),
            (Op::Reseal(Change::Truncate { keep: 3 }), 3)
        );
        assert_eq!(
            decode(&[1, 2, 3], all),
            (Op::Reseal(Change::Retype(ContentType::ApplicationData)), 3)
        );
        assert_eq!(
            decode(&[1, 3, 2, 0xab, 0xcd, 7], all),
            (Op::Reseal(Change::Append(vec![0xab, 0xcd])), 5)
        );
        assert_eq!(decode(&[2], all), (Op::Deliver, 1));
        assert_eq!(decode(&[13], all), (Op::Drop, 1));
        assert_eq!(decode(&[4], all), (Op::Duplicate, 1));
        assert_eq!(decode(&[5], all), (Op::Swap, 1));
        assert_eq!(decode(&[6, 9], all), (Op::FlipBit { bit: 6, at: 9 }, 2));
        assert_eq!(decode(&[16, 9], all), (Op::FlipBit { bit: 0, at: 9 }, 2));
        assert_eq!(decode(&[7, 9], all), (Op::Truncate { keep: 9 }, 2));
        assert_eq!(decode(&[8, 9], all), (Op::Split { at: 9 }, 2));
        assert_eq!(decode(&[9], all), (Op::Merge, 1));
        // An op that does not apply delivers, and reads no operands.
        for code in [1, 5, 8, 9] {
            assert_eq!(decode(&[code, 1, 1], none), (Op::Deliver, 1), "{code}");
        }
        // Past the end, the input reads as zeros: deliver.
        assert_eq!(decode(&[], all), (Op::Deliver, 0));
        // Injection: 3 (mod 4), type, length, content.
        let mut input = Input::new(&[7, 2, 2, 0xaa, 0xbb, 0xcc]);
        assert_eq!(
            Inject::decode(&mut input),
            Some(Inject {
                typ: ContentType::Handshake,
                data: vec![0xaa, 0xbb]
            })
        );
        assert_eq!(input.left(), 1);
        let mut input = Input::new(&[2, 2, 2]);
        assert_eq!(Inject::decode(&mut input), None);
        assert_eq!(input.left(), 2);
    }

    #[test]
    fn ops_encode_to_what_decodes_to_them() {
        let fit = Fit {
            sealed: true,
            has_next: true,
            has_payload: true,
            merges: true,
        };
        let mut ops = vec![
            Op::Deliver,
            Op::Drop,
            Op::Duplicate,
            Op::Swap,
            Op::Truncate { keep: 200 },
            Op::Split { at: 3 },
            Op::Merge,
            Op::Reseal(Change::Truncate { keep: 1 }),
            Op::Reseal(Change::Append(vec![1, 2, 3])),
        ];
        for bit in 0..8 {
            ops.push(Op::Reseal(Change::FlipBit { bit, at: 77 }));
            if bit % 2 == 0 {
                ops.push(Op::FlipBit { bit, at: 77 });
            }
        }
        for b in 0..5 {
            ops.push(Op::Reseal(Change::Retype(content_type(b))));
        }
        let data = bytes(&ops);
        let mut input = Input::new(&data);
        for op in ops {
            assert_eq!(Op::decode(&mut input, fit), op);
        }
        assert_eq!(input.left(), 0);
    }

    #[test]
    fn data_after_a_record_cut_short_continues_that_record() {
        // The receiver waits for the rest of a cut record, so the next
        // message is not data of its own: not a loss.
        let Handshake {
            client: mut c,
            server: mut s,
            ..
        } = one(&[]);
        assert!(both_done(&c, &s));
        c.send(b"cut").unwrap();
        let wire = take_output(&mut c);
        assert_eq!(s.receive(&wire[..10]), Ok(10));
        assert_eq!(s.fuzzing_partial_record(), 10);
        assert!(!exchange(&mut c, &mut s, false));
        assert!(s.plaintext().is_empty());
    }

    #[test]
    fn a_lost_sealed_record_fails_the_next_mac() {
        // Directly: the client seals a record that never arrives.
        let Handshake {
            client: mut c,
            server: mut s,
            ..
        } = one(&[]);
        c.fuzzing_write_records(ContentType::ApplicationData, b"lost")
            .unwrap();
        take_output(&mut c);
        assert!(!exchange(&mut c, &mut s, true));
        assert_eq!(s.error(), Some(&Error::BadRecordMac));

        // Through the harness: once the handshake is done, the client
        // injects a sealed record and the input drops it.
        let mut data = vec![0; bytes_until_done()];
        data.extend_from_slice(&inject(ContentType::ApplicationData, b"x"));
        data.extend_from_slice(&bytes(&[Op::Drop]));
        let h = one(&data);
        assert_eq!(h.server.error(), Some(&Error::BadRecordMac));
        assert!(h.client.error().is_none());
        assert!(!h.data_crossed);
    }

    #[test]
    fn a_lost_heartbeat_is_a_lost_sealed_record() {
        // A heartbeat injected after the handshake is sealed, so it uses up
        // a sequence number, but the harness cannot open it again (the
        // header parser refuses the type). Cut to nothing, it is lost all
        // the same: the next record fails its MAC, and that is no finding.
        let mut data = vec![0; bytes_until_done()];
        data.extend_from_slice(&inject(ContentType::Heartbeat, &[0xda]));
        data.extend_from_slice(&bytes(&[Op::Truncate { keep: 0 }]));
        let h = one(&data);
        assert_eq!(h.server.error(), Some(&Error::BadRecordMac));
        assert!(!h.data_crossed);
        // The fuzzer's input: two merges in the server's first flight, then
        // the same cut, its first byte 0x00 so that it runs on the plain
        // configurations whatever the number of variants.
        let (cc, sc) = configs();
        mutated_handshake(
            &cc,
            &sc,
            &[
                0x00, 0x00, 0x40, 0x09, 0x3b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x3b, 0x01, 0xda, 0x07,
            ],
        );
    }

    #[test]
    fn unmutated_handshakes_complete_and_the_second_resumes() {
        // Without this the target would fuzz only the first flight: every
        // mutation must start from a handshake that gets to the end.
        let (cc, sc) = configs();
        let ([first, second], _) = run_mutated_handshake(&cc, &sc, &[]);
        for h in [&first, &second] {
            let (c, s) = (&h.client, &h.server);
            assert!(
                both_done(c, s),
                "handshake unfinished: client {:?} {:?}, server {:?} {:?}",
                c.is_handshaking(),
                c.error(),
                s.is_handshaking(),
                s.error()
            );
            assert!(h.data_crossed);
        }
        assert!(!first.client.handshake_info().unwrap().resumed);
        assert!(second.client.handshake_info().unwrap().resumed);
        assert!(second.server.handshake_info().unwrap().resumed);
    }

    #[test]
    fn resealed_finished_with_a_flipped_bit_is_refused() {
        // Bit 0 of byte 12 of a sealed record's plaintext: inside a
        // Finished's verify_data. Tried at every position, it must hit both
        // Finished messages, and each must fail the Finished check (RFC 5246
        // §7.4.9), not the record MAC: the change was sealed again.
        let (mut client_saw, mut server_saw) = (false, false);
        for pos in 0..40 {
            let h = one(&ops_at(pos, &bytes(&[reseal_flip(12)])));
            let (c, s) = (&h.client, &h.server);
            assert_ne!(c.error(), Some(&Error::BadRecordMac));
            assert_ne!(s.error(), Some(&Error::BadRecordMac));
            client_saw |= c.error() == Some(&Error::BadFinished);
            server_saw |= s.error() == Some(&Error::BadFinished);
        }
        assert!(client_saw, "no run flipped the server's Finished");
        assert!(server_saw, "no run flipped the client's Finished");
    }

    #[test]
    fn resealed_changes_reach_behind_the_record_mac() {
        // The other plaintext changes: cut short, content type changed,
        // bytes appended. None may surface as bad_record_mac.
        for change in [
            Change::Truncate { keep: 3 },
            Change::Retype(ContentType::ApplicationData),
            Change::Append(vec![0xab, 0xcd]),
        ] {
            let how = bytes(&[Op::Reseal(change)]);
            for pos in 0..40 {
                let h = one(&ops_at(pos, &how));
                let (c, s) = (&h.client, &h.server);
                assert_ne!(c.error(), Some(&Error::BadRecordMac), "{how:?} at {pos}");
                assert_ne!(s.error(), Some(&Error::BadRecordMac), "{how:?} at {pos}");
            }
        }
    }

    #[test]
    fn injected_records_arrive_sealed_after_the_handshake() {
        // A one-byte ChangeCipherSpec injected after the handshake is sealed
        // by the sender, so the peer opens it and refuses it as
        // unexpected_message (RFC 5246 §7.1: one CCS per handshake) instead
        // of failing its MAC.
        let mut sealed_ccs_refused = false;
        for pos in 0..40 {
            let h = one(&ops_at(pos, &inject(ContentType::ChangeCipherSpec, &[1])));
            let (c, s) = (&h.client, &h.server);
            for (ended, err) in [
                (c.handshake_info().is_some(), c.error()),
                (s.handshake_info().is_some(), s.error()),
            ] {
                assert_ne!(err, Some(&Error::BadRecordMac));
                sealed_ccs_refused |= ended && matches!(err, Some(Error::UnexpectedMessage { .. }));
            }
        }
        assert!(sealed_ccs_refused);
    }

    #[test]
    fn mutated_handshake_oracle_holds() {
        let (cc, sc) = configs();
        // No mutation: both handshakes complete, the second resumes, and
        // data crosses both ways after each.
        let (handshakes, _) = run_mutated_handshake(&cc, &sc, &[]);
        for h in &handshakes {
            let (c, s) = (&h.client, &h.server);
            assert!(
                both_done(c, s),
                "handshake unfinished: client {:?} {:?}, server {:?} {:?}",
                c.is_handshaking(),
                c.error(),
                s.is_handshaking(),
                s.error()
            );
            assert!(h.data_crossed, "no data crossed an unmutated handshake");
        }
        assert!(handshakes[1].client.handshake_info().unwrap().resumed);
        // Every op code on every record position, with an operand.
        for code in 0u8..10 {
            for pos in 0..12 {
                let mut data = vec![0u8; 24];
                data[pos] = code;
                data[pos + 1] = 37;
                mutated_handshake(&cc, &sc, &data);
            }
        }
    }

    /// In cargo-fuzz builds the whole handshake is a function of the input:
    /// two runs produce the same bytes, so a finding replays. CI runs it
    /// with `RUSTFLAGS="--cfg fuzzing" cargo test --features fuzzing --lib
    /// replay` (the `replay` fuzz target checks the same on every input it
    /// tries).
    #[cfg(fuzzing)]
    #[test]
    fn fuzz_builds_replay_handshakes_exactly() {
        let (cc, sc) = configs();
        let flights = || {
            let mut c = client_connection(&cc);
            let mut s = server_connection(&sc);
            let hello = take_output(&mut c);
            s.receive(&hello).unwrap();
            let first = take_output(&mut s);
            c.receive(&first).unwrap();
            (first, take_output(&mut c))
        };
        // The server's flight holds its ECDHE key and ECDSA signature, the
        // client's its ECDHE key and encrypted Finished.
        assert!(
            flights() == flights(),
            "the same handshake gave different flights"
        );
        // And whole mutated handshakes, resumption included.
        for data in [&[][..], &[0, 0, 4, 0, 8, 77, 9, 0, 6, 13][..]] {
            replay(&cc, &sc, data);
        }
        // ECDHE_PSK's unsigned shares, the random key for an unknown
        // identity (RFC 4279 §2), the staple with both key exchanges, and a
        // device's preallocated buffers and 512-byte records.
        for variant in [
            Variant::EcdhePsk,
            Variant::PskUnknownIdentity,
            Variant::EcdhePskUnknownIdentity,
            Variant::Stapling,
            Variant::RsaStapling,
            Variant::Preallocated,
        ] {
            replay(&cc, &sc, &[variant.bits()]);
        }
    }
}
