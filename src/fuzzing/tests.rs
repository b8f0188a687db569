//! The seed corpus, and tests of the entry points on real bytes.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::live::tests::live_seeds;
use super::live::{run_mutated_handshake, Handshake, Reply};
use super::*;
use crate::codec::enums::HandshakeType;
use crate::codec::extensions::{ClientExtension, ServerExtension};
use crate::codec::handshake::{decode_handshake, EcdheServerKeyExchange};
use crate::codec::Codec;
use crate::error::CertificateError;
use crate::record::HEADER_LEN;
use crate::testing::{split_records, take_output};
use crate::AlertDescription;

/// The handshake messages (header included) in the plaintext handshake
/// records of `wire`, stopping at the first ChangeCipherSpec (what follows
/// it is sealed).
fn messages(wire: &[u8]) -> Vec<Vec<u8>> {
    let mut hs = Vec::new();
    for r in split_records(wire) {
        match r[0] {
            22 => hs.extend_from_slice(&r[HEADER_LEN..]),
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
    let hello = take_output(&mut c);
    assert_eq!(s.receive(&hello), Ok(hello.len()));
    let flight = take_output(&mut s);
    assert_eq!(c.receive(&flight), Ok(flight.len()));
    let second = take_output(&mut c);
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
    // max_fragment_length (RFC 6066 §4) and record_size_limit (RFC 8449
    // §4), which the harness's configurations do not send.
    for (target, name, frame) in [
        ("client_extension", "ext_0001", vec![0, 1, 0, 1, 1]),
        ("client_extension", "ext_001c", vec![0, 28, 0, 2, 2, 0]),
        ("server_extension", "ext_0001", vec![0, 1, 0, 1, 4]),
        ("server_extension", "ext_001c", vec![0, 28, 0, 2, 0x40, 0]),
    ] {
        out.push((target, name.into(), frame));
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
    for (name, data) in live_seeds().into_iter().chain(paused_seeds()) {
        out.push(("mutated_handshake", name.clone(), data.clone()));
        out.push(("replay", name, data));
    }
    out
}

fn run(target: &str, data: &[u8]) {
    let (cc, sc) = configs();
    match target {
        // `replay` takes the same inputs; its oracle holds only where
        // ring's generator is fixed too (`--cfg fuzzing`, as CI also runs
        // these tests).
        "replay" if cfg!(fuzzing) => replay(&cc, &sc, data),
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
fn drive_takes_every_chunking() {
    // The first byte sets the chunk size: 16 bytes up to 4,080. Every
    // chunking of a real flight must be taken whole, records split across
    // calls included (a connection that took nothing from a partial record
    // would stall, which `drive` reports).
    let (cc, sc) = configs();
    let (hello, flight, second) = real_flights();
    for chunk in [1u8, 2, 3, 17, 255] {
        let mut input = vec![chunk];
        input.extend_from_slice(&flight);
        client(&cc, &input);
        let mut input = vec![chunk];
        input.extend_from_slice(&hello);
        input.extend_from_slice(&second);
        server(&sc, &input);
    }
}

#[test]
fn client_gets_past_the_signature_check() {
    // With fixed randomness the captured server flight verifies, so the
    // client answers with its second flight: fuzzing starts deep.
    let (cc, _) = configs();
    let (_, flight, _) = real_flights();
    let mut c = client_connection(&cc);
    take_output(&mut c);
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

// ---------------------------------------------------------------------------
// The paused variants: the harness as the caller
// ---------------------------------------------------------------------------

/// Both handshakes of the live targets on `variant`, the rest of the input
/// `rest` (the first byte picks the variant and injects nothing).
fn paused(variant: Variant, rest: &[u8]) -> [Handshake; 2] {
    let (cc, sc) = configs();
    let mut data = vec![variant.bits()];
    data.extend_from_slice(rest);
    run_mutated_handshake(&cc, &sc, &data).0
}

/// `reply` (after `wait` flights) followed by `then`, written at `pos` of
/// an otherwise all-zero input (after the variant byte).
fn reply_at(pos: usize, reply: &Reply, wait: u8, then: &[u8]) -> Vec<u8> {
    let mut data = vec![0u8; 64];
    let mut r = Vec::new();
    reply.encode(wait, &mut r);
    r.extend_from_slice(then);
    data[pos..pos + r.len()].copy_from_slice(&r);
    data
}

/// The first handshake of the first input `reply_at(pos, ..)` for which
/// `want(client, server)` holds, with that input (trailing zeros cut).
fn first_reply(
    variant: Variant,
    reply: &Reply,
    wait: u8,
    then: &[u8],
    want: impl Fn(&Connection, &Connection) -> bool,
) -> (Handshake, Vec<u8>) {
    for pos in 0..40 {
        let rest = reply_at(pos, reply, wait, then);
        let [first, _] = paused(variant, &rest);
        if want(&first.client, &first.server) {
            let mut data = vec![variant.bits()];
            data.extend_from_slice(&rest);
            while data.last() == Some(&0) {
                data.pop();
            }
            return (first, data);
        }
    }
    panic!("{variant:?}: no position of {reply:?} (wait {wait}) gives the wanted outcome");
}

fn err(conn: &Connection) -> Option<&Error> {
    conn.error()
}

fn bad_signature() -> Error {
    Error::OperationFailed("the caller's signature does not verify with our certificate")
}

fn could_not() -> Error {
    Error::OperationFailed("the caller could not answer")
}

fn alert_received(d: AlertDescription) -> Error {
    Error::AlertReceived(d)
}

#[test]
fn paused_variants_complete_unmutated_through_their_operations() {
    for (variant, ops) in [
        (Variant::ServerKey, 1),
        (Variant::ClientKey, 1),
        (Variant::Everything, 4),
    ] {
        let [first, second] = paused(variant, &[]);
        for h in [&first, &second] {
            let (c, s) = (&h.client, &h.server);
            assert!(
                super::live::both_done(c, s),
                "{variant:?} unfinished: client {:?}, server {:?}",
                c.error(),
                s.error()
            );
            assert!(h.data_crossed, "{variant:?}");
        }
        assert_eq!(first.operations, ops, "{variant:?}: Event::Operation seen");
        // The second resumes by ticket: no signature, no chain.
        assert!(second.client.handshake_info().unwrap().resumed);
        assert_eq!(second.operations, 0);
        if matches!(variant, Variant::ClientKey | Variant::Everything) {
            let info = first.server.handshake_info().unwrap();
            assert_eq!(info.peer_certificates.len(), 2, "the client's chain");
        }
    }
    // The plain variant does not pause.
    assert_eq!(paused(Variant::Plain, &[])[0].operations, 0);
}

#[test]
fn long_waits_and_misuse_before_the_right_answer_still_complete() {
    // Every position, waits of 1 to 3 flights and each kind of misuse
    // followed by the right answer: whenever the records went through
    // untouched, the harness's own oracle requires the handshake to finish
    // (it panics otherwise); the runs where the byte was the reply finish.
    let misuses = [
        Reply::UnknownId { delta: 0 },
        Reply::UnknownId { delta: 0xff },
        Reply::UnknownId { delta: 0x80 },
        Reply::WrongKind,
        Reply::Refuse,
        Reply::Duplicate,
        Reply::Right,
    ];
    for variant in [Variant::ServerKey, Variant::ClientKey, Variant::Everything] {
        for reply in &misuses {
            for wait in 0..4 {
                let mut finished = 0;
                for pos in 0..40 {
                    let [first, _] = paused(variant, &reply_at(pos, reply, wait, &[]));
                    finished += usize::from(first.data_crossed);
                }
                assert!(finished > 0, "{variant:?} {reply:?} {wait}");
            }
        }
    }
}

#[test]
fn wrong_answers_fail_the_paused_side_and_the_peer_gets_its_alert() {
    // A corrupted ServerKeyExchange signature.
    let (h, _) = first_reply(
        Variant::ServerKey,
        &Reply::Corrupt { at: 9 },
        0,
        &[],
        |_, s| s.error() == Some(&bad_signature()),
    );
    assert_eq!(
        err(&h.client),
        Some(&alert_received(AlertDescription::InternalError))
    );
    // Answer::Failed for the client's CertificateVerify, after two flights.
    let (h, _) = first_reply(Variant::ClientKey, &Reply::Failed, 2, &[], |c, _| {
        c.error() == Some(&could_not())
    });
    assert_eq!(
        err(&h.server),
        Some(&alert_received(AlertDescription::InternalError))
    );
    // The client refuses the server's chain.
    let refused = Error::Certificate(CertificateError::Other("refused by the fuzzer".into()));
    let (h, _) = first_reply(Variant::Everything, &Reply::Refuse, 0, &[], |c, _| {
        c.error() == Some(&refused)
    });
    assert_eq!(
        err(&h.server),
        Some(&alert_received(AlertDescription::CertificateUnknown))
    );
    // The server refuses the client's chain (Corrupt on a verdict).
    let expired = Error::Certificate(CertificateError::Expired);
    let (h, _) = first_reply(
        Variant::Everything,
        &Reply::Corrupt { at: 0 },
        1,
        &[],
        |_, s| s.error() == Some(&expired),
    );
    assert_eq!(
        err(&h.client),
        Some(&alert_received(AlertDescription::CertificateExpired))
    );
    // Misuse, then a failure: the misuse changed nothing (the harness
    // checks) and the next reply was read for the same operation.
    for misuse in [
        Reply::UnknownId { delta: 3 },
        Reply::WrongKind,
        Reply::Refuse,
    ] {
        let (h, _) = first_reply(Variant::ServerKey, &misuse, 0, &[2], |_, s| {
            s.error() == Some(&could_not())
        });
        assert_eq!(
            err(&h.client),
            Some(&alert_received(AlertDescription::InternalError))
        );
    }
    // A duplicate answer to the client's verdict: refused; the signature
    // the client then pauses for reads the next reply.
    let (h, _) = first_reply(Variant::Everything, &Reply::Duplicate, 0, &[2], |c, _| {
        c.error() == Some(&could_not())
    });
    assert!(h.operations >= 3, "server key, client chain, client key");
    // No answer: the side stays paused, holding what comes.
    let (h, _) = first_reply(Variant::ServerKey, &Reply::Never, 0, &[], |_, s| {
        s.operation().is_some()
    });
    assert!(h.server.error().is_none() && h.server.is_handshaking());
    assert!(h.client.error().is_none() && h.client.is_handshaking());
}

#[test]
fn the_variant_and_reply_bytes_are_stable() {
    // The committed corpora depend on these meanings; the plain variant's
    // seeds start with 0.
    assert_eq!(Variant::of(0), Variant::Plain);
    assert_eq!(Variant::of(3), Variant::Plain);
    assert_eq!(Variant::of(4), Variant::ServerKey);
    assert_eq!(Variant::of(8 | 3), Variant::ClientKey);
    assert_eq!(Variant::of(12), Variant::Everything);
    assert_eq!(Variant::of(16), Variant::Plain);
    for v in Variant::ALL {
        assert_eq!(Variant::of(v.bits()), v);
    }
    let replies = [
        Reply::Right,
        Reply::Corrupt { at: 77 },
        Reply::Failed,
        Reply::Refuse,
        Reply::UnknownId { delta: 200 },
        Reply::WrongKind,
        Reply::Duplicate,
        Reply::Never,
    ];
    for (code, reply) in replies.iter().enumerate() {
        for wait in 0..4 {
            let mut out = Vec::new();
            reply.encode(wait, &mut out);
            assert_eq!(usize::from(out[0]), code + 8 * usize::from(wait));
        }
    }
}

/// Seeds for the live targets on the paused variants: each answer kind on
/// the operation it applies to.
fn paused_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("server_key_right".into(), vec![Variant::ServerKey.bits()]),
        ("client_key_right".into(), vec![Variant::ClientKey.bits()]),
        ("everything_right".into(), vec![Variant::Everything.bits()]),
    ];
    let refused = Error::Certificate(CertificateError::Other("refused by the fuzzer".into()));
    out.push((
        "server_key_corrupt_signature".into(),
        first_reply(
            Variant::ServerKey,
            &Reply::Corrupt { at: 9 },
            0,
            &[],
            |_, s| s.error() == Some(&bad_signature()),
        )
        .1,
    ));
    out.push((
        "client_key_failed_after_two_flights".into(),
        first_reply(Variant::ClientKey, &Reply::Failed, 2, &[], |c, _| {
            c.error() == Some(&could_not())
        })
        .1,
    ));
    out.push((
        "everything_client_refuses_chain".into(),
        first_reply(Variant::Everything, &Reply::Refuse, 0, &[], |c, _| {
            c.error() == Some(&refused)
        })
        .1,
    ));
    out.push((
        "server_key_unknown_id_then_failed".into(),
        first_reply(
            Variant::ServerKey,
            &Reply::UnknownId { delta: 1 },
            1,
            &[2],
            |_, s| s.error() == Some(&could_not()),
        )
        .1,
    ));
    out.push((
        "everything_duplicate_verdict".into(),
        first_reply(Variant::Everything, &Reply::Duplicate, 0, &[2], |c, _| {
            c.error() == Some(&could_not())
        })
        .1,
    ));
    out
}
