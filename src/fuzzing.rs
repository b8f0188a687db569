//! Entry points for fuzzers; not a stable API.
//!
//! Compiled only with the `fuzzing` feature and hidden from the docs. Each
//! function takes arbitrary bytes and must never panic, except through its
//! own `assert!`s, which are the fuzzer's oracle:
//!
//! * the codec entry points check that anything that decodes re-encodes to
//!   exactly the bytes it was decoded from;
//! * [`joiner`] checks that handshake reassembly neither loses nor invents
//!   bytes;
//! * [`drive`] (behind [`client`] and [`server`]) checks the documented
//!   contracts of [`Connection::receive`].
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

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::codec::alert::AlertMessage;
use crate::codec::enums::{ContentType, HandshakeType};
use crate::codec::extensions::{ClientExtension, ServerExtension};
use crate::codec::handshake::{
    decode_ecdh_public, decode_handshake, encode_ecdh_public, encode_handshake,
    EcdheServerKeyExchange, HandshakeMessage,
};
use crate::codec::{Codec, Reader};
use crate::record::cipher::RecordTwin;
use crate::record::joiner::HandshakeJoiner;
use crate::record::{RecordHeader, HEADER_LEN, MAX_CIPHERTEXT};
use crate::{
    ClientConfig, ClientConnection, Connection, Error, RandomSource, RootCertStore, ServerConfig,
    ServerConnection,
};

/// The largest body a 3-byte handshake length can frame.
const MAX_U24: usize = 0xff_ffff;

/// `data[0]` is the handshake type, the rest the body. A message that
/// decodes must re-encode (header included) to `data[0] || len || body`.
/// ServerKeyExchange and ClientKeyExchange bodies are further decoded as
/// their ECDHE forms, with the same oracle.
pub fn handshake_message(data: &[u8]) {
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    if body.len() > MAX_U24 {
        return;
    }
    let typ = HandshakeType::from_wire(typ);
    let Ok(msg) = decode_handshake(typ, body) else {
        return;
    };
    let mut expected = Vec::with_capacity(4 + body.len());
    expected.push(typ.to_wire());
    expected.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    expected.extend_from_slice(body);
    let mut again = Vec::new();
    encode_handshake(&msg, &mut again);
    assert_eq!(again, expected, "handshake {typ:?} did not round-trip");

    match msg {
        HandshakeMessage::ServerKeyExchange(b) => server_key_exchange(b),
        HandshakeMessage::ClientKeyExchange(b) => client_key_exchange(b),
        _ => {}
    }
}

/// An ECDHE ClientKeyExchange body (RFC 8422 §5.7).
fn client_key_exchange(body: &[u8]) {
    let Ok(point) = decode_ecdh_public(body) else {
        return;
    };
    let mut again = Vec::new();
    encode_ecdh_public(point, &mut again);
    assert_eq!(again, body, "ClientKeyExchange did not round-trip");
}

/// A sequence of client hello extensions (type, length, body)*. Decoding
/// stops at the first error; everything decoded before it must re-encode to
/// the bytes it came from.
pub fn client_extension(data: &[u8]) {
    extensions::<ClientExtension<'_>>(data, "client extension");
}

/// As [`client_extension`], for the extensions a server sends.
pub fn server_extension(data: &[u8]) {
    extensions::<ServerExtension<'_>>(data, "server extension");
}

fn extensions<'a, T: Codec<'a> + core::fmt::Debug>(data: &'a [u8], what: &str) {
    let mut r = Reader::new(data);
    while !r.is_empty() {
        let before = data.len() - r.left();
        let Ok(ext) = T::decode(&mut r) else {
            return;
        };
        let after = data.len() - r.left();
        let mut again = Vec::new();
        ext.encode(&mut again);
        assert_eq!(
            again,
            &data[before..after],
            "{what} {ext:?} did not round-trip"
        );
    }
}

/// A two-byte alert (RFC 5246 §7.2).
pub fn alert(data: &[u8]) {
    let Ok(a) = AlertMessage::decode_exact(data, "alert") else {
        return;
    };
    assert_eq!(encoded(&a), data, "alert {a:?} did not round-trip");
}

/// An ECDHE ServerKeyExchange body (RFC 8422 §5.4). Besides the round
/// trip, `params_raw` (what the signature covers) must be exactly the
/// encoding of `params`.
pub fn server_key_exchange(data: &[u8]) {
    let Ok(ske) = EcdheServerKeyExchange::decode(data) else {
        return;
    };
    let mut again = Vec::new();
    // As `EcdheServerKeyExchange::encode` (test-only): params, then the
    // signature.
    ske.params.encode(&mut again);
    ske.signed.encode(&mut again);
    assert_eq!(again, data, "ServerKeyExchange did not round-trip");
    assert_eq!(
        encoded(&ske.params),
        ske.params_raw,
        "ServerKeyExchange params_raw is not the params' encoding"
    );
    assert!(data.starts_with(ske.params_raw));
}

/// The encoding of `v` (the crate's own `Codec::encoded` is test-only).
fn encoded<'a, T: Codec<'a>>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode(&mut out);
    out
}

/// A record header (RFC 5246 §6.2.1) at the front of `data`.
pub fn record_header(data: &[u8]) {
    match RecordHeader::parse(data) {
        Ok(None) => assert!(data.len() < HEADER_LEN, "complete header not parsed"),
        Ok(Some(h)) => {
            assert!(h.len <= MAX_CIPHERTEXT, "oversized record accepted");
            assert_eq!(
                RecordHeader::encode(h.typ, h.version, h.len)[..],
                data[..HEADER_LEN],
                "record header {h:?} did not round-trip"
            );
        }
        Err(_) => assert!(data.len() >= HEADER_LEN, "error on a partial header"),
    }
}

/// Handshake reassembly. `data[0]` sets the message size cap (`* 64`); the
/// rest is a sequence of `len(1) || fragment`, each pushed as one record
/// (a short last fragment is pushed as it is). After every push, complete
/// messages are drained. Until the joiner reports an error, the messages it
/// returned followed by what it still buffers must be exactly the bytes
/// pushed.
pub fn joiner(data: &[u8]) {
    let Some((&cap, mut rest)) = data.split_first() else {
        return;
    };
    let max = usize::from(cap) * 64;
    let mut j = HandshakeJoiner::new(max);
    let mut pushed = Vec::new();
    let mut drained = Vec::new();
    while let Some((&n, tail)) = rest.split_first() {
        let n = usize::from(n).min(tail.len());
        let (fragment, tail) = tail.split_at(n);
        rest = tail;
        match j.push(fragment) {
            Ok(()) => pushed.extend_from_slice(fragment),
            Err(Error::Internal(what)) => panic!("joiner internal error: {what}"),
            Err(_) => return,
        }
        loop {
            match j.next() {
                Ok(Some((typ, body, raw))) => {
                    assert!(body.len() <= max, "message over the cap returned");
                    assert_eq!(raw.len(), 4 + body.len());
                    assert_eq!(raw[0], typ.to_wire());
                    let declared = u32::from_be_bytes([0, raw[1], raw[2], raw[3]]) as usize;
                    assert_eq!(declared, body.len());
                    assert_eq!(&raw[4..], body);
                    drained.extend_from_slice(raw);
                    j.consume();
                }
                Ok(None) => break,
                Err(Error::Internal(what)) => panic!("joiner internal error: {what}"),
                Err(_) => return,
            }
        }
        // What was drained is a prefix of what was pushed, and what is left
        // is at most one incomplete message within the cap.
        assert!(drained.len() <= pushed.len(), "joiner invented bytes");
        assert_eq!(
            drained[..],
            pushed[..drained.len()],
            "joiner reordered bytes"
        );
        let left = &pushed[drained.len()..];
        assert_eq!(j.is_empty(), left.is_empty(), "joiner lost bytes");
        if let [_, a, b, c, body @ ..] = left {
            let declared = u32::from_be_bytes([0, *a, *b, *c]) as usize;
            assert!(declared <= max, "message over the cap buffered");
            assert!(body.len() < declared, "complete message not returned");
        }
    }
}

/// Deterministic "randomness", so that a fuzzing run (and a captured seed
/// corpus) is reproducible. ECDHE keys still come from `ring`'s system
/// generator.
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

/// 2030-01-01T00:00:00Z: inside the validity of the test fixtures.
fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_893_456_000))
}

/// A client configuration trusting the certificates in `ca_pem`, with
/// deterministic protocol randomness. Panics on bad PEM (a fixture problem,
/// not an input).
pub fn client_config(ca_pem: &[u8]) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(&cert.expect("CA PEM")).expect("CA certificate");
    }
    let mut config = ClientConfig::new(roots);
    config.alpn_protocols = alloc::vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.random = Arc::new(FixedRandom(0x11));
    Arc::new(config)
}

/// A server configuration for the chain and key in PEM, with deterministic
/// protocol randomness. Panics on bad PEM (a fixture problem, not an input).
pub fn server_config(chain_pem: &[u8], key_pem: &[u8]) -> Arc<ServerConfig> {
    let chain = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .expect("chain PEM");
    let key = PrivateKeyDer::from_pem_slice(key_pem).expect("key PEM");
    let mut config = ServerConfig::new(chain, key).expect("server config");
    config.alpn_protocols = alloc::vec![b"http/1.1".to_vec()];
    config.random = Arc::new(FixedRandom(0x22));
    Arc::new(config)
}

/// A client connecting to "localhost" at a fixed time; its ClientHello is
/// already in `pending_output`.
pub fn client_connection(config: &Arc<ClientConfig>) -> ClientConnection {
    let name = ServerName::try_from("localhost").expect("server name");
    ClientConnection::new(config.clone(), name, now()).expect("client connection")
}

/// A server connection waiting for a ClientHello.
pub fn server_connection(config: &Arc<ServerConfig>) -> ServerConnection {
    ServerConnection::new(config.clone(), now()).expect("server connection")
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
/// [`Connection::receive`]: it never claims more than it was offered, and
/// after an error the connection stays dead with that same error.
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
                if used == 0 && read == 0 {
                    // Closed by the peer (or stuck): nothing more to do.
                    break;
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
    let out = conn.pending_output().len();
    conn.consume_output(out);
    drain_inbound(conn)
}

/// Empties events and plaintext, as an application would, but leaves the
/// output queued; returns how much plaintext was read.
fn drain_inbound(conn: &mut Connection) -> usize {
    while conn.next_event().is_some() {}
    let _ = conn.handshake_info();
    let read = conn.plaintext().len();
    conn.consume_plaintext(read);
    read
}

/// The client and server configurations of the live-handshake targets
/// ([`mutated_handshake`], [`replay`]): the test PKI's CA and P-256 server.
pub fn live_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    (
        client_config(include_bytes!("../tests/fixtures/ca.pem")),
        server_config(
            include_bytes!("../tests/fixtures/server-p256.chain.pem"),
            include_bytes!("../tests/fixtures/server-p256.key"),
        ),
    )
}

/// `client` and `server` with fresh session stores: a client cache and a
/// server ticketer (RFC 5077), so that a second handshake resumes the first.
fn resuming_configs(
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
            Duration::from_secs(3600),
            Duration::from_secs(3600),
        )));
    }
    (Arc::new(client), Arc::new(server))
}

/// The body of [`mutated_handshake`]; returns every byte delivered.
fn run_mutated_handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    data: &[u8],
) -> Vec<u8> {
    let (client, server) = resuming_configs(client, server);
    let mut ops = data.iter().copied();
    let mut wire = Vec::new();
    for _ in 0..2 {
        one_mutated_handshake(&client, &server, &mut ops, &mut wire);
    }
    wire
}

/// A live handshake between a client and a server whose records are
/// mutated in flight. Each flight starts with one byte of `data`: 3 (mod 4)
/// makes the sender also send a record of a type and content taken from
/// `data`, through its own record layer (so sealed, and authentic, once its
/// writes are protected). Then each byte decides the fate of the next
/// record: deliver it, drop it, send it twice, swap it with the next one,
/// flip one of its bits, cut it short, split it in two records, merge it
/// with the next record of the same type (splitting and merging plaintext
/// handshake records moves message boundaries across records, RFC 5246
/// §6.2.1), or, for a sealed record, open it with the sender's keys, change
/// its plaintext (flip a bit, cut it, change its content type, append
/// bytes) and seal it again under the same sequence number, so that the
/// change gets past the AEAD check (RFC 5246 §6.2.3.3) to the Finished check
/// and the post-handshake code behind it.
///
/// The oracle: nothing panics, an error is recorded and stays; a Finished
/// that reached its peer with a bit flipped never completes a handshake
/// (RFC 5246 §7.4.9); and when both sides finish the handshake without an
/// error, application data crosses intact both ways. A mutation of the
/// plaintext handshake that both sides silently accept and that still
/// changes what they agreed on would fail the Finished check or the data
/// check.
///
/// Each call gets fresh session stores and runs two handshakes, so the
/// second may resume the first (by ticket) and runs do not depend on earlier
/// inputs.
pub fn mutated_handshake(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>, data: &[u8]) {
    run_mutated_handshake(client, server, data);
}

/// Runs [`mutated_handshake`] twice on the same input and checks that every
/// byte that crossed the wire was the same: a fuzz finding must replay. In
/// cargo-fuzz builds ring's generator is fixed too (`crypto::rand`), so any
/// difference is nondeterminism in tls12 itself (iteration over a hash map,
/// an unseeded generator, a clock).
pub fn replay(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>, data: &[u8]) {
    let first = run_mutated_handshake(client, server, data);
    let second = run_mutated_handshake(client, server, data);
    assert!(first == second, "the same input gave different wire bytes");
}

/// One handshake of [`mutated_handshake`]; returns both ends.
fn one_mutated_handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    ops: &mut impl Iterator<Item = u8>,
    wire: &mut Vec<u8>,
) -> (ClientConnection, ServerConnection) {
    let mut c = client_connection(client);
    let mut s = server_connection(server);
    let mut flipped_finished = false;
    for _ in 0..6 {
        pump(&mut c, &mut s, ops, wire, &mut flipped_finished);
        pump(&mut s, &mut c, ops, wire, &mut flipped_finished);
    }
    if c.error().is_none() && s.error().is_none() && !c.is_handshaking() && !s.is_handshaking() {
        assert!(
            !flipped_finished,
            "a Finished with a flipped bit completed the handshake"
        );
        exchange(&mut c, &mut s);
        exchange(&mut s, &mut c);
    }
    (c, s)
}

/// Sends a message from `a` to `b` and checks it arrives unchanged, unless
/// `b` holds part of a record (one the harness cut short): the message then
/// continues that record, as it would on a TCP stream, and is rightly not
/// delivered as data of its own.
fn exchange(a: &mut Connection, b: &mut Connection) {
    let msg = b"after a mutated handshake";
    if a.send(msg).is_err() {
        return; // closed by a delivered close_notify
    }
    let wire = a.pending_output().to_vec();
    a.consume_output(wire.len());
    let in_step = b.fuzzing_partial_record() == 0;
    if b.receive(&wire).is_ok() && !b.peer_closed() && in_step {
        assert_eq!(b.plaintext(), &msg[..], "data changed in flight");
        b.consume_plaintext(msg.len());
    }
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
    /// Its sequence number, if the sender sealed it.
    seq: Option<u64>,
    /// Whether the sender's state machine wrote it (not an injected record).
    own: bool,
}

/// Content types 20 to 24: the four of RFC 5246 and heartbeat (RFC 6520).
fn content_type(op: u8) -> ContentType {
    ContentType::from_wire(20 + op % 5)
}

/// Moves `from`'s output to `to`, record by record, mutated as `ops` says
/// (see [`mutated_handshake`]). Everything delivered is also appended to
/// `log`. Sets `flipped_finished` when a bit of a sealed handshake record
/// the sender wrote during `to`'s handshake (its Finished) is flipped.
fn pump(
    from: &mut Connection,
    to: &mut Connection,
    ops: &mut impl Iterator<Item = u8>,
    log: &mut Vec<u8>,
    flipped_finished: &mut bool,
) {
    let own_len = from.pending_output().len();
    if ops.next().unwrap_or(0) % 4 == 3 {
        let typ = content_type(ops.next().unwrap_or(0));
        let len = usize::from(ops.next().unwrap_or(0));
        let data: Vec<u8> = ops.by_ref().take(len).collect();
        // Refused only once the sequence numbers run out.
        let _ = from.fuzzing_write_records(typ, &data);
    }
    let wire = from.pending_output().to_vec();
    from.consume_output(wire.len());
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
            own: wire.len() - rest.len() < own_len,
        });
        rest = tail;
    }
    // The sealed records are the last ones of the flight, numbered up to
    // the sender's next sequence number (RFC 5246 §6.1); the first that
    // does not open under its number is plaintext, like those before it.
    let twin = from.fuzzing_write_twin();
    if let Some((Some(next), twin)) = &twin {
        let mut seq = *next;
        for r in records.iter_mut().rev() {
            let Some(prev) = seq.checked_sub(1) else {
                break;
            };
            if twin.open(prev, &r.bytes).is_none() {
                break;
            }
            r.seq = Some(prev);
            seq = prev;
        }
    }
    let receiver_handshaking = to.is_handshaking();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < records.len() {
        let op = ops.next().unwrap_or(0);
        match op % 10 {
            1 => match (&twin, records[i].seq) {
                (Some((_, twin)), Some(seq)) => {
                    let r = &records[i];
                    let flag = r.own && receiver_handshaking;
                    reseal(twin, seq, &r.bytes, ops, flag, flipped_finished, &mut out);
                }
                _ => out.extend_from_slice(&records[i].bytes),
            },
            3 => {} // dropped
            4 => {
                out.extend_from_slice(&records[i].bytes);
                out.extend_from_slice(&records[i].bytes);
            }
            5 if i + 1 < records.len() => {
                records.swap(i, i + 1);
                out.extend_from_slice(&records[i].bytes);
            }
            6 => {
                let mut r = records[i].bytes.clone();
                let at = usize::from(ops.next().unwrap_or(0)) % r.len().max(1);
                if let Some(b) = r.get_mut(at) {
                    *b ^= 1 << (op % 8);
                }
                out.extend_from_slice(&r);
            }
            7 => {
                let r = &records[i].bytes;
                let keep = usize::from(ops.next().unwrap_or(0)) % r.len().max(1);
                out.extend_from_slice(&r[..keep]);
            }
            8 if records[i].bytes.len() > 5 => {
                let (header, payload) = records[i].bytes.split_at(5);
                let at = usize::from(ops.next().unwrap_or(0)) % (payload.len() + 1);
                for part in [&payload[..at], &payload[at..]] {
                    reframe(header, part, &mut out);
                }
            }
            9 if i + 1 < records.len()
                && records[i].bytes.len() >= 5
                && records[i + 1].bytes.len() >= 5
                && records[i].bytes[0] == records[i + 1].bytes[0] =>
            {
                let mut payload = records[i].bytes[5..].to_vec();
                payload.extend_from_slice(&records[i + 1].bytes[5..]);
                reframe(&records[i].bytes[..5], &payload, &mut out);
                i += 1;
            }
            _ => out.extend_from_slice(&records[i].bytes),
        }
        i += 1;
    }
    log.extend_from_slice(&out);
    if let Err(e) = to.receive(&out) {
        assert_eq!(to.error(), Some(&e), "error not recorded");
        assert_eq!(to.receive(b"\x16"), Err(e), "dead connection revived");
    }
    // Not `drain`: `to`'s reply is the next flight, which the next `pump`
    // carries back.
    drain_inbound(to);
}

/// Opens the sealed `record` (sequence number `seq`) with the sender's
/// keys, changes its plaintext as `ops` says and appends it to `out` sealed
/// again under the same number. `flag`: a bit flipped in a handshake record
/// here is a flipped Finished (see [`pump`]).
fn reseal(
    twin: &RecordTwin,
    seq: u64,
    record: &[u8],
    ops: &mut impl Iterator<Item = u8>,
    flag: bool,
    flipped_finished: &mut bool,
    out: &mut Vec<u8>,
) {
    let Some((typ, version, mut plain)) = twin.open(seq, record) else {
        out.extend_from_slice(record);
        return;
    };
    let how = ops.next().unwrap_or(0);
    let mut new_typ = typ;
    match how % 4 {
        0 => {
            let at = usize::from(ops.next().unwrap_or(0)) % plain.len().max(1);
            if let Some(b) = plain.get_mut(at) {
                *b ^= 1 << (how / 4 % 8);
                if flag && typ == ContentType::Handshake {
                    *flipped_finished = true;
                }
            }
        }
        1 => {
            let keep = usize::from(ops.next().unwrap_or(0)) % (plain.len() + 1);
            plain.truncate(keep);
        }
        2 => new_typ = content_type(ops.next().unwrap_or(0)),
        _ => {
            let n = usize::from(ops.next().unwrap_or(0));
            plain.extend(ops.by_ref().take(n));
        }
    }
    match twin.seal(seq, new_typ, version, &plain) {
        Some(sealed) => out.extend_from_slice(&sealed),
        None => out.extend_from_slice(record),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use std::string::String;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
        (
            client_config(&fixture("ca.pem")),
            server_config(
                &fixture("server-p256.chain.pem"),
                &fixture("server-p256.key"),
            ),
        )
    }

    /// The payloads of the records in `wire`, with their content types.
    fn records(mut wire: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        while !wire.is_empty() {
            let h = RecordHeader::parse(wire).unwrap().unwrap();
            out.push((wire[0], wire[HEADER_LEN..HEADER_LEN + h.len].to_vec()));
            wire = &wire[HEADER_LEN + h.len..];
        }
        out
    }

    /// The handshake messages (header included) in the plaintext handshake
    /// records of `wire`, stopping at the first ChangeCipherSpec.
    fn messages(wire: &[u8]) -> Vec<Vec<u8>> {
        let mut hs = Vec::new();
        for (typ, payload) in records(wire) {
            match typ {
                22 => hs.extend_from_slice(&payload),
                20 => break,
                _ => {}
            }
        }
        let mut out = Vec::new();
        let mut rest = &hs[..];
        while rest.len() >= 4 {
            let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
            out.push(rest[..4 + len].to_vec());
            rest = &rest[4 + len..];
        }
        out
    }

    /// A real exchange between our own client and server: the ClientHello
    /// flight, the server's first flight, the client's second flight.
    fn real_flights() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let (cc, sc) = configs();
        let mut c = client_connection(&cc);
        let mut s = server_connection(&sc);
        let hello = c.pending_output().to_vec();
        c.consume_output(hello.len());
        assert_eq!(s.receive(&hello), Ok(hello.len()));
        let flight = s.pending_output().to_vec();
        s.consume_output(flight.len());
        assert_eq!(c.receive(&flight), Ok(flight.len()));
        let second = c.pending_output().to_vec();
        c.consume_output(second.len());
        assert_eq!(s.receive(&second), Ok(second.len()));
        (hello, flight, second)
    }

    /// `typ || body` as handshake_message expects, from an encoded message.
    fn typ_body(msg: &[u8]) -> Vec<u8> {
        let mut v = vec![msg[0]];
        v.extend_from_slice(&msg[4..]);
        v
    }

    fn ext_frames(block: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut rest = block;
        while rest.len() >= 4 {
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
            out.push(rest[..4 + len].to_vec());
            rest = &rest[4 + len..];
        }
        out
    }

    /// The extensions block of an encoded hello (header included).
    fn hello_extensions(msg: &[u8]) -> Vec<u8> {
        let body = &msg[4..];
        // version(2) random(32) session_id
        let mut at = 2 + 32;
        at += 1 + usize::from(body[at]);
        if msg[0] == 1 {
            at += 2 + usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
            at += 1 + usize::from(body[at]);
        } else {
            at += 3;
        }
        body[at + 2..].to_vec()
    }

    fn joiner_input(msgs: &[Vec<u8>], frag: usize) -> Vec<u8> {
        let all: Vec<u8> = msgs.concat();
        let mut v = vec![0xff];
        for c in all.chunks(frag) {
            v.push(c.len() as u8);
            v.extend_from_slice(c);
        }
        v
    }

    /// Seed inputs for each target, from real bytes.
    fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
        let (hello, flight, second) = real_flights();
        let ch = messages(&hello).remove(0);
        let server_msgs = messages(&flight);
        let cke = messages(&second).remove(0);
        let sh = &server_msgs[0];
        let ske = server_msgs
            .iter()
            .find(|m| m[0] == 12)
            .expect("ServerKeyExchange");

        let mut out = vec![];
        for m in [&ch, &cke].into_iter().chain(&server_msgs) {
            let name = match m[0] {
                1 => "client_hello",
                2 => "server_hello",
                11 => "certificate",
                12 => "server_key_exchange",
                14 => "server_hello_done",
                16 => "client_key_exchange",
                _ => "other",
            };
            out.push(("handshake_message", name.into(), typ_body(m)));
        }
        out.push(("client_extension", "all".into(), hello_extensions(&ch)));
        for e in ext_frames(&hello_extensions(&ch)) {
            let name = std::format!("ext_{:04x}", u16::from_be_bytes([e[0], e[1]]));
            out.push(("client_extension", name, e));
        }
        out.push(("server_extension", "all".into(), hello_extensions(sh)));
        for e in ext_frames(&hello_extensions(sh)) {
            let name = std::format!("ext_{:04x}", u16::from_be_bytes([e[0], e[1]]));
            out.push(("server_extension", name, e));
        }
        out.push(("alert", "fatal_decode_error".into(), vec![2, 50]));
        out.push(("alert", "close_notify".into(), vec![1, 0]));
        out.push(("server_key_exchange", "p256".into(), ske[4..].to_vec()));
        out.push((
            "record_header",
            "client_hello".into(),
            hello[..HEADER_LEN].to_vec(),
        ));
        out.push(("record_header", "ccs".into(), vec![20, 3, 3, 0, 1]));
        out.push((
            "joiner",
            "server_flight_100".into(),
            joiner_input(&server_msgs, 100),
        ));
        out.push((
            "joiner",
            "server_flight_255".into(),
            joiner_input(&server_msgs, 255),
        ));
        let mut client_in = vec![0];
        client_in.extend_from_slice(&flight);
        out.push(("client", "server_flight".into(), client_in));
        let mut server_in = vec![0];
        server_in.extend_from_slice(&hello);
        out.push(("server", "client_hello".into(), server_in.clone()));
        server_in.extend_from_slice(&second);
        out.push(("server", "client_flights".into(), server_in));
        for (name, data) in live_seeds() {
            out.push(("mutated_handshake", name.clone(), data.clone()));
            out.push(("replay", name, data));
        }
        out
    }

    /// The first input of the form `ops_at(pos, ops)` after which
    /// `want(client, server)` holds, trailing zeros (the default op) cut.
    fn first_input(ops: &[u8], want: impl Fn(&Connection, &Connection) -> bool) -> Vec<u8> {
        let mut data = (0..40)
            .map(|pos| ops_at(pos, ops))
            .find(|data| {
                let (c, s) = one(data);
                want(&c, &s)
            })
            .expect("no position gives the wanted outcome");
        while data.last() == Some(&0) {
            data.pop();
        }
        data
    }

    /// Seeds for the live-handshake targets: each reaches a different sealed
    /// record and changes it (see `mutated_handshake`).
    fn live_seeds() -> Vec<(String, Vec<u8>)> {
        let bad_finished = |conn: &Connection| conn.error() == Some(&Error::BadFinished);
        let refused_after = |conn: &Connection| {
            conn.handshake_info().is_some()
                && matches!(conn.error(), Some(Error::UnexpectedMessage { .. }))
        };
        vec![
            ("no_mutation".into(), vec![0]),
            (
                "server_finished_flipped".into(),
                first_input(&[1, 0, 12], |c, _| bad_finished(c)),
            ),
            (
                "client_finished_flipped".into(),
                first_input(&[1, 0, 12], |_, s| bad_finished(s)),
            ),
            (
                "client_finished_as_alert".into(),
                first_input(&[1, 2, 1], |_, s| s.error().is_some()),
            ),
            (
                "sealed_ccs_after_handshake".into(),
                first_input(&[3, 0, 1, 1], |c, s| refused_after(c) || refused_after(s)),
            ),
            ("sealed_hello_request_after_handshake".into(), {
                // The server's flight after the first empty client flight
                // once the handshake is over.
                let mut data = vec![0; ops_until_done() + 1];
                data.extend_from_slice(&[3, 2, 4, 0, 0, 0, 0]);
                let (c, s) = one(&data);
                // RFC 5246 §7.4.1.1: the client may ignore it (we refuse
                // renegotiation with a warning), and the connection lives.
                assert!(both_done(&c, &s), "{:?} {:?}", c.error(), s.error());
                data
            }),
        ]
    }

    /// How many op bytes an unmutated handshake uses up to the flight that
    /// completes it.
    fn ops_until_done() -> usize {
        let (cc, sc) = live_configs();
        let zeros = [0u8; 64];
        let mut ops = zeros.iter().copied();
        let mut c = client_connection(&cc);
        let mut s = server_connection(&sc);
        let mut flipped = false;
        for _ in 0..6 {
            if both_done(&c, &s) {
                break;
            }
            pump(&mut c, &mut s, &mut ops, &mut Vec::new(), &mut flipped);
            pump(&mut s, &mut c, &mut ops, &mut Vec::new(), &mut flipped);
        }
        assert!(both_done(&c, &s));
        zeros.len() - ops.len()
    }

    fn run(target: &str, data: &[u8]) {
        let (cc, sc) = configs();
        match target {
            // `replay` takes the same inputs; its oracle holds only where
            // ring's generator is fixed too (`--cfg fuzzing`).
            "mutated_handshake" | "replay" => mutated_handshake(&cc, &sc, data),
            "handshake_message" => handshake_message(data),
            "client_extension" => client_extension(data),
            "server_extension" => server_extension(data),
            "alert" => alert(data),
            "server_key_exchange" => server_key_exchange(data),
            "record_header" => record_header(data),
            "joiner" => joiner(data),
            "client" => client(&cc, data),
            "server" => server(&sc, data),
            _ => unreachable!("{target}"),
        }
    }

    #[test]
    fn real_messages_round_trip() {
        let (hello, flight, second) = real_flights();
        let mut all = messages(&hello);
        all.extend(messages(&flight));
        all.extend(messages(&second));
        assert_eq!(all.len(), 6, "CH, SH, Certificate, SKE, SHD, CKE");
        for m in &all {
            let tb = typ_body(m);
            // The oracle must hold (no panic) and the message must decode.
            handshake_message(&tb);
            assert!(decode_handshake(HandshakeType::from_wire(m[0]), &m[4..]).is_ok());
        }
        let ch = &all[0];
        assert!(!ext_frames(&hello_extensions(ch)).is_empty());
        for e in ext_frames(&hello_extensions(ch)) {
            assert!(ClientExtension::decode_exact(&e, "x").is_ok());
            client_extension(&e);
        }
        for e in ext_frames(&hello_extensions(&all[1])) {
            assert!(ServerExtension::decode_exact(&e, "x").is_ok());
            server_extension(&e);
        }
        let ske = all.iter().find(|m| m[0] == 12).unwrap();
        assert!(EcdheServerKeyExchange::decode(&ske[4..]).is_ok());
        server_key_exchange(&ske[4..]);
    }

    #[test]
    fn corpus_inputs_do_not_panic() {
        for (target, _, data) in corpus() {
            run(target, &data);
            // Every truncation too.
            for cut in 0..data.len().min(64) {
                run(target, &data[..cut]);
            }
        }
    }

    #[test]
    fn codec_oracles_on_small_inputs() {
        for data in [
            &[][..],
            &[0],
            &[0, 0],
            &[14],
            &[0, 0, 0, 0],
            &[0x00, 0x17, 0x00, 0x00],
            &[0xff, 0x01, 0x00, 0x01, 0x00],
            &[0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00],
            &[3, 0, 0x17, 1, 4, 4, 3, 0, 0],
            &[22, 3, 3, 0x48, 0x01],
            &[22, 3, 3, 0x48, 0x00],
            &[24, 3, 3, 0, 0],
            &[2, 50],
            &[2, 50, 0],
            &[255, 255],
        ] {
            handshake_message(data);
            client_extension(data);
            server_extension(data);
            alert(data);
            server_key_exchange(data);
            record_header(data);
            joiner(data);
        }
    }

    #[test]
    fn joiner_reassembles() {
        // Two messages across three fragments, cap 64 bytes.
        let data = [1, 3, 20, 0, 0, 2, 1, 2, 14, 0, 0];
        joiner(&data);
        let mut v = vec![1u8];
        v.extend_from_slice(&[6, 20, 0, 0, 2, 1, 2]);
        v.extend_from_slice(&[4, 14, 0, 0, 0]);
        joiner(&v);
    }

    #[test]
    fn client_gets_past_the_signature_check() {
        // With fixed randomness the captured server flight verifies, so the
        // client answers with its second flight: fuzzing starts deep.
        let (cc, _) = configs();
        let (_, flight, _) = real_flights();
        let mut c = client_connection(&cc);
        let n = c.pending_output().len();
        c.consume_output(n);
        assert_eq!(c.receive(&flight), Ok(flight.len()));
        assert!(!c.pending_output().is_empty());
        assert!(c.error().is_none());
    }

    /// Writes the seed corpus: run with
    /// `TLS12_FUZZ_CORPUS=fuzz/corpus cargo test --features fuzzing --lib
    /// fuzzing::tests::write_corpus -- --ignored`.
    #[test]
    #[ignore]
    fn write_corpus() {
        let Some(dir) = std::env::var_os("TLS12_FUZZ_CORPUS") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        for (target, name, data) in corpus() {
            let d = dir.join(target);
            std::fs::create_dir_all(&d).unwrap();
            let mut file = name;
            file.push_str(".bin");
            std::fs::write(d.join(file), data).unwrap();
        }
    }

    /// In cargo-fuzz builds the whole handshake is a function of the input:
    /// two runs produce the same bytes, so a finding replays. Run with
    /// `RUSTFLAGS="--cfg fuzzing" cargo test --features fuzzing --lib replay`
    /// (the `replay` fuzz target checks the same on every input it tries).
    #[cfg(fuzzing)]
    #[test]
    fn fuzz_builds_replay_handshakes_exactly() {
        let cc = client_config(include_bytes!("../tests/fixtures/ca.pem"));
        let sc = server_config(
            include_bytes!("../tests/fixtures/server-p256.chain.pem"),
            include_bytes!("../tests/fixtures/server-p256.key"),
        );
        let flights = || {
            let mut c = client_connection(&cc);
            let mut s = server_connection(&sc);
            let hello = c.pending_output().to_vec();
            s.receive(&hello).unwrap();
            let first = s.pending_output().to_vec();
            c.receive(&first).unwrap();
            (first, c.pending_output().to_vec())
        };
        // The server's flight holds its ECDHE key and ECDSA signature, the
        // client's its ECDHE key and encrypted Finished.
        assert_eq!(flights(), flights());
        // And whole mutated handshakes, resumption included.
        for data in [&[][..], &[0, 0, 4, 0, 8, 77, 9, 0, 6, 13][..]] {
            replay(&cc, &sc, data);
        }
    }

    /// Runs one handshake of `mutated_handshake` with `data` as its ops.
    fn one(data: &[u8]) -> (ClientConnection, ServerConnection) {
        let (cc, sc) = live_configs();
        let mut ops = data.iter().copied();
        one_mutated_handshake(&cc, &sc, &mut ops, &mut Vec::new())
    }

    /// `data` with `ops` written at `pos` over a run of deliveries.
    fn ops_at(pos: usize, ops: &[u8]) -> Vec<u8> {
        let mut data = vec![0u8; 64];
        data[pos..pos + ops.len()].copy_from_slice(ops);
        data
    }

    /// Whether `c` and `s` both finished the handshake without an error.
    fn both_done(c: &Connection, s: &Connection) -> bool {
        c.error().is_none() && s.error().is_none() && !c.is_handshaking() && !s.is_handshaking()
    }

    #[test]
    fn data_after_a_record_cut_short_continues_that_record() {
        // The receiver waits for the rest of a cut record, so the next
        // message is not data of its own: not a loss (the first finding of
        // the fixed mutated_handshake was this false alarm).
        let (mut c, mut s) = one(&[]);
        assert!(both_done(&c, &s));
        c.send(b"cut").unwrap();
        let wire = c.pending_output().to_vec();
        c.consume_output(wire.len());
        assert_eq!(s.receive(&wire[..10]), Ok(10));
        assert_eq!(s.fuzzing_partial_record(), 10);
        exchange(&mut c, &mut s);
        assert!(s.plaintext().is_empty());
    }

    #[test]
    fn unmutated_handshakes_complete_and_the_second_resumes() {
        // Without this the target would fuzz only the first flight: every
        // mutation must start from a handshake that gets to the end.
        let (cc, sc) = live_configs();
        let (cc, sc) = resuming_configs(&cc, &sc);
        let mut ops = core::iter::empty();
        let mut wire = Vec::new();
        let (c, s) = one_mutated_handshake(&cc, &sc, &mut ops, &mut wire);
        assert!(both_done(&c, &s), "{:?} {:?}", c.error(), s.error());
        assert!(!c.handshake_info().unwrap().resumed);
        let (c, s) = one_mutated_handshake(&cc, &sc, &mut ops, &mut wire);
        assert!(both_done(&c, &s), "{:?} {:?}", c.error(), s.error());
        assert!(c.handshake_info().unwrap().resumed);
        assert!(s.handshake_info().unwrap().resumed);
    }

    #[test]
    fn resealed_finished_with_a_flipped_bit_is_refused() {
        // Op 1 on a sealed record, then "flip bit 0" at byte 12 (inside
        // verify_data). Tried at every position, it must hit both Finished
        // messages, and each must fail the Finished check (RFC 5246 §7.4.9),
        // not the record MAC: the change was sealed again.
        let (mut client_saw, mut server_saw) = (false, false);
        for pos in 0..40 {
            let (c, s) = one(&ops_at(pos, &[1, 0, 12]));
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
        for how in [&[1u8, 1, 3][..], &[1, 2, 3], &[1, 3, 2, 0xab, 0xcd]] {
            for pos in 0..40 {
                let (c, s) = one(&ops_at(pos, how));
                assert_ne!(c.error(), Some(&Error::BadRecordMac), "{how:?} at {pos}");
                assert_ne!(s.error(), Some(&Error::BadRecordMac), "{how:?} at {pos}");
            }
        }
    }

    #[test]
    fn injected_records_arrive_sealed_after_the_handshake() {
        // Inject (3) a ChangeCipherSpec (20 + 0) of one byte (1). After the
        // handshake the sender seals it, so the peer opens it and refuses it
        // as unexpected_message (RFC 5246 §7.1: one CCS per handshake)
        // instead of failing its MAC.
        let mut sealed_ccs_refused = false;
        for pos in 0..40 {
            let (c, s) = one(&ops_at(pos, &[3, 0, 1, 1]));
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
        let cc = client_config(include_bytes!("../tests/fixtures/ca.pem"));
        let sc = server_config(
            include_bytes!("../tests/fixtures/server-p256.chain.pem"),
            include_bytes!("../tests/fixtures/server-p256.key"),
        );
        // No mutation: the handshake completes and data crosses.
        mutated_handshake(&cc, &sc, &[]);
        // Every operation on every record position.
        for op in 0u8..10 {
            for pos in 0..12 {
                let mut data = vec![0u8; 24];
                data[pos] = op;
                data[pos + 1] = 37;
                mutated_handshake(&cc, &sc, &data);
            }
        }
    }
}
