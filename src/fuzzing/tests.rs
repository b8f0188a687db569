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
        (Variant::RsaKeyTransport, 1),
        (Variant::RsaStapling, 1),
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
        let suite = first.client.handshake_info().unwrap().cipher_suite;
        assert_eq!(
            crate::LEGACY_RSA_KEY_TRANSPORT_SUITES.contains(&suite),
            matches!(variant, Variant::RsaKeyTransport | Variant::RsaStapling),
            "{variant:?}: {suite:?}"
        );
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
    for variant in [
        Variant::ServerKey,
        Variant::ClientKey,
        Variant::Everything,
        Variant::RsaKeyTransport,
    ] {
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

/// The outcome of a wrong decryption with untouched records (RFC 5246
/// §7.4.7.1): the answer went through, and the client's Finished failed its
/// MAC under the server's keys.
fn failed_at_the_clients_finished(c: &Connection, s: &Connection) -> bool {
    s.error() == Some(&Error::BadRecordMac)
        && c.error() == Some(&alert_received(AlertDescription::BadRecordMac))
}

/// Where, after the variant byte, the reply to the server's decryption is
/// read when no record is touched: the one position at which
/// [`Reply::Failed`] (code 2, which as an op delivers and as an injection
/// byte injects nothing) changes the outcome. Tests of a reply that must
/// complete the handshake use it, so that they cannot pass on a position
/// where the reply is never read.
fn decryption_reply_pos(variant: Variant) -> usize {
    (0..40)
        .find(|&pos| {
            let [first, _] = paused(variant, &reply_at(pos, &Reply::Failed, 0, &[]));
            first.server.error() == Some(&Error::BadRecordMac)
        })
        .expect("no position is the decryption's reply")
}

/// The first handshake of the RSA key transport variant with `reply` (after
/// `wait` flights, then `then`) as the answer to the server's decryption,
/// and the input (trailing zeros cut).
fn decryption_reply(reply: &Reply, wait: u8, then: &[u8]) -> (Handshake, Vec<u8>) {
    decryption_reply_in(Variant::RsaKeyTransport, reply, wait, then)
}

/// As [`decryption_reply`], on `variant` (one of the RSA key transport
/// variants).
fn decryption_reply_in(
    variant: Variant,
    reply: &Reply,
    wait: u8,
    then: &[u8],
) -> (Handshake, Vec<u8>) {
    let rest = reply_at(decryption_reply_pos(variant), reply, wait, then);
    let [first, _] = paused(variant, &rest);
    let mut data = vec![variant.bits()];
    data.extend_from_slice(&rest);
    while data.last() == Some(&0) {
        data.pop();
    }
    (first, data)
}

#[test]
fn wrong_decryptions_fail_only_at_the_clients_finished() {
    // Answer::Failed, at once or after 1 to 3 flights, and a plaintext with
    // a bit flipped in its random part: the answer is taken without a sign
    // (the harness checks: no error by itself, nothing queued, no longer
    // paused), and the handshake fails at the client's Finished with
    // bad_record_mac on the server (the harness checks that too, since the
    // records went through untouched).
    for wait in 0..4 {
        let (h, _) = decryption_reply(&Reply::Failed, wait, &[]);
        assert!(
            failed_at_the_clients_finished(&h.client, &h.server),
            "wait {wait}: client {:?}, server {:?}",
            h.client.error(),
            h.server.error()
        );
        assert_eq!(h.operations, 1, "wait {wait}");
    }
    for at in [2, 9, 47, 0x88] {
        for wait in 0..4 {
            let (h, _) = decryption_reply(&Reply::Corrupt { at }, wait, &[]);
            assert!(
                failed_at_the_clients_finished(&h.client, &h.server),
                "byte {at}, wait {wait}"
            );
        }
    }
}

#[test]
fn a_flipped_version_byte_is_no_wrong_decryption() {
    // RFC 5246 §7.4.7.1: the server puts the ClientHello's version in front
    // of the premaster secret whatever the plaintext says, so a flip in its
    // first two bytes (48 is byte 0 again, 0x61 byte 1) leaves the
    // premaster right, and the handshake completes (the harness requires
    // it too, since the records went through untouched).
    for at in [0, 1, 0x30, 0x61] {
        let (h, _) = decryption_reply(&Reply::Corrupt { at }, 0, &[]);
        assert!(
            super::live::both_done(&h.client, &h.server),
            "byte {at}: client {:?}, server {:?}",
            h.client.error(),
            h.server.error()
        );
        assert!(h.data_crossed, "{at}");
    }
}

#[test]
fn a_decryption_answered_with_nothing_held_is_silent() {
    // The client's ChangeCipherSpec and Finished dropped: the paused server
    // holds nothing, so the answer alone must leave it quiet and waiting
    // (the harness checks that no error and no output come of it), right or
    // wrong.
    let client_flight = [0, 3, 3];
    for reply in [Reply::Failed, Reply::Corrupt { at: 5 }, Reply::Right] {
        let mut seen = false;
        for pos in 0..40 {
            let mut rest = vec![0u8; 64];
            let mut r = client_flight.to_vec();
            reply.encode(0, &mut r);
            rest[pos..pos + r.len()].copy_from_slice(&r);
            let [first, _] = paused(Variant::RsaKeyTransport, &rest);
            let s = &first.server;
            seen |= first.operations == 1
                && s.error().is_none()
                && s.is_handshaking()
                && s.operation().is_none()
                && first.client.error().is_none();
        }
        assert!(seen, "{reply:?}: no position left the server waiting");
    }
}

#[test]
fn misuse_of_a_decryption_changes_nothing() {
    // A verdict (Refuse), a signature (WrongKind) or an unknown id for the
    // decryption: misuse, which the harness checks changed nothing; the
    // next reply is then taken as the decryption's.
    for misuse in [
        Reply::Refuse,
        Reply::WrongKind,
        Reply::UnknownId { delta: 0 },
        Reply::UnknownId { delta: 0xff },
    ] {
        let (h, _) = decryption_reply(&misuse, 0, &[2]);
        assert!(
            failed_at_the_clients_finished(&h.client, &h.server),
            "{misuse:?} then Failed"
        );
        let (h, _) = decryption_reply(&misuse, 2, &[0]);
        assert!(
            super::live::both_done(&h.client, &h.server),
            "{misuse:?} then Right"
        );
    }
    // The right answer twice: the second is misuse, and the first completes.
    for wait in 0..4 {
        let (h, _) = decryption_reply(&Reply::Duplicate, wait, &[]);
        assert!(h.data_crossed, "wait {wait}");
    }
    // No answer: the server stays paused, and the client waits.
    let (h, _) = decryption_reply(&Reply::Never, 0, &[]);
    assert!(h.server.operation().is_some() && h.server.error().is_none());
    assert!(h.client.is_handshaking() && h.client.error().is_none());
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
    assert_eq!(Variant::of(16 | 3), Variant::RsaKeyTransport);
    assert_eq!(Variant::of(20), Variant::Psk);
    assert_eq!(Variant::of(24 | 1), Variant::EcdhePsk);
    assert_eq!(Variant::of(28), Variant::PskWrongKey);
    assert_eq!(Variant::of(32), Variant::PskUnknownIdentity);
    assert_eq!(Variant::of(36), Variant::EcdhePskWrongKey);
    assert_eq!(Variant::of(40), Variant::EcdhePskUnknownIdentity);
    assert_eq!(Variant::of(44 | 2), Variant::Stapling);
    assert_eq!(Variant::of(48), Variant::RsaStapling);
    assert_eq!(Variant::of(52), Variant::Preallocated);
    assert_eq!(Variant::of(56), Variant::Plain);
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
    out.push(("rsa_kx_right".into(), vec![Variant::RsaKeyTransport.bits()]));
    for (name, reply, wait, then) in [
        ("rsa_kx_failed", Reply::Failed, 0, &[][..]),
        (
            "rsa_kx_corrupt_premaster_after_a_flight",
            Reply::Corrupt { at: 9 },
            1,
            &[],
        ),
        ("rsa_kx_corrupt_version", Reply::Corrupt { at: 1 }, 0, &[]),
        ("rsa_kx_wrong_kind_then_failed", Reply::WrongKind, 0, &[2]),
        ("rsa_kx_duplicate", Reply::Duplicate, 2, &[]),
    ] {
        out.push((name.into(), decryption_reply(&reply, wait, then).1));
    }
    for (name, variant) in [
        ("psk_right", Variant::Psk),
        ("ecdhe_psk_right", Variant::EcdhePsk),
        ("psk_wrong_key", Variant::PskWrongKey),
        ("psk_unknown_identity", Variant::PskUnknownIdentity),
        ("ecdhe_psk_wrong_key", Variant::EcdhePskWrongKey),
        (
            "ecdhe_psk_unknown_identity",
            Variant::EcdhePskUnknownIdentity,
        ),
        ("stapling_right", Variant::Stapling),
        ("rsa_stapling_right", Variant::RsaStapling),
        ("preallocated_right", Variant::Preallocated),
    ] {
        out.push((name.into(), vec![variant.bits()]));
    }
    out.push((
        "rsa_stapling_failed".into(),
        decryption_reply_in(Variant::RsaStapling, &Reply::Failed, 0, &[]).1,
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

// ---------------------------------------------------------------------------
// Pre-shared keys and OCSP stapling
// ---------------------------------------------------------------------------

/// A handshake on `variant`'s configurations carried by hand, flight by
/// flight, until neither side has anything to send: what the server sent,
/// and both ends.
fn by_hand(variant: Variant) -> (Vec<u8>, ClientConnection, ServerConnection) {
    let (cc, sc) = configs();
    let (cc, sc) = variant_configs(&cc, &sc, variant);
    let mut c = client_connection(&cc);
    let mut s = server_connection(&sc);
    let mut from_server = Vec::new();
    for _ in 0..6 {
        let out = take_output(&mut c);
        let _ = s.receive(&out);
        let out = take_output(&mut s);
        from_server.extend_from_slice(&out);
        let _ = c.receive(&out);
    }
    (from_server, c, s)
}

/// The handshake message types in the plaintext part of `wire`.
fn message_types(wire: &[u8]) -> Vec<u8> {
    messages(wire).iter().map(|m| m[0]).collect()
}

#[test]
fn psk_variants_complete_with_the_servers_preferred_key_exchange() {
    use crate::crypto::suites::{lookup, KeyExchangeAlgorithm};
    for (variant, kx) in [
        (Variant::Psk, KeyExchangeAlgorithm::Psk),
        (Variant::EcdhePsk, KeyExchangeAlgorithm::EcdhePsk),
    ] {
        // Untouched, both handshakes complete, the second by ticket, and
        // both sides report the identity (the harness checks that too).
        let [first, second] = paused(variant, &[]);
        for h in [&first, &second] {
            assert!(
                super::live::both_done(&h.client, &h.server),
                "{variant:?}: client {:?}, server {:?}",
                h.client.error(),
                h.server.error()
            );
            assert!(h.data_crossed, "{variant:?}");
            for conn in [&*h.client, &*h.server] {
                let info = conn.handshake_info().unwrap();
                assert_eq!(info.psk_identity.as_deref(), Some(PSK_IDENTITY));
                assert_eq!(lookup(info.cipher_suite).unwrap().kx, kx, "{variant:?}");
            }
        }
        assert_eq!(
            first.operations, 0,
            "{variant:?}: nothing to ask the caller"
        );
        assert!(second.client.handshake_info().unwrap().resumed);
        // The server, without a certificate, sends its hint in a
        // ServerKeyExchange: the client's ExpectPskServerKeyExchange (plain
        // PSK) or ExpectServerKeyExchange (ECDHE_PSK) reads it.
        let (wire, c, s) = by_hand(variant);
        assert!(super::live::both_done(&c, &s), "{variant:?}");
        assert_eq!(message_types(&wire), [2, 12, 14, 4], "{variant:?}");
    }
}

#[test]
fn psk_mismatches_fail_at_the_clients_finished_alike() {
    // RFC 4279 §2: a wrong key fails at the client's Finished with
    // decrypt_error, and an unknown identity must look the same. The
    // harness checks this outcome on every untouched run; here, for both
    // key exchanges and both handshakes (the first leaves no ticket, so
    // the second is a full handshake too).
    for variant in [
        Variant::PskWrongKey,
        Variant::PskUnknownIdentity,
        Variant::EcdhePskWrongKey,
        Variant::EcdhePskUnknownIdentity,
    ] {
        for h in paused(variant, &[]) {
            assert_eq!(h.server.error(), Some(&Error::PskMismatch), "{variant:?}");
            assert_eq!(
                h.client.error(),
                Some(&alert_received(AlertDescription::DecryptError)),
                "{variant:?}"
            );
            assert!(h.client.handshake_info().is_none(), "{variant:?}");
        }
    }
    // Alike on the wire too: for plain PSK (no ephemeral key, and the
    // server's randomness fixed) the server sends the same bytes whether
    // the key is wrong or the identity unknown; with ECDHE_PSK the
    // ephemeral share differs outside cargo-fuzz builds, but the alert is
    // the same.
    let (wrong_key, _, ws) = by_hand(Variant::PskWrongKey);
    let (unknown, _, us) = by_hand(Variant::PskUnknownIdentity);
    assert_eq!(ws.error(), us.error());
    assert_eq!(wrong_key, unknown, "an unknown identity told apart");
    let alert = [21, 3, 3, 0, 2, 2, AlertDescription::DecryptError.to_wire()];
    assert!(wrong_key.ends_with(&alert));
    let (wrong_key, _, _) = by_hand(Variant::EcdhePskWrongKey);
    let (unknown, _, _) = by_hand(Variant::EcdhePskUnknownIdentity);
    assert!(wrong_key.ends_with(&alert) && unknown.ends_with(&alert));
    assert_eq!(wrong_key.len(), unknown.len());
}

#[test]
fn psk_mismatch_oracle_tolerates_mutations_but_never_completion() {
    // Every op at every early position on the mismatch variants: the
    // harness's oracle (never complete; untouched: PskMismatch and
    // decrypt_error) must hold, and no run completes.
    for variant in [Variant::PskUnknownIdentity, Variant::EcdhePskWrongKey] {
        for code in 0u8..10 {
            for pos in 0..12 {
                let mut rest = vec![0u8; 24];
                rest[pos] = code;
                rest[pos + 1] = 37;
                for h in paused(variant, &rest) {
                    assert!(!h.data_crossed, "{variant:?} {code} {pos}");
                }
            }
        }
    }
}

/// The device variant completes unmutated, resumption included, on 512-byte
/// records and lent areas, its client keeping no chain (it checked the
/// server's where it lay); a mutated run reaches the same paths. The
/// areas are given back for the next run, which takes them.
#[test]
fn preallocated_variant_completes_on_small_records() {
    let [mut first, second] = paused(Variant::Preallocated, &[]);

    for h in [&first, &second] {
        assert!(
            super::live::both_done(&h.client, &h.server),
            "unfinished: client {:?}, server {:?}",
            h.client.error(),
            h.server.error()
        );
        assert!(h.data_crossed);
        let info = h.client.handshake_info().unwrap();
        assert_eq!((info.max_fragment_out, info.max_fragment_in), (512, 512));
        assert!(info.peer_certificates.is_empty());
    }
    assert!(second.client.handshake_info().unwrap().resumed);
    let (cc, sc) = configs();
    let (cc, sc) = super::variant_configs(&cc, &sc, Variant::Preallocated);
    let sizes = [
        crate::AreaSizes::for_client(&cc),
        crate::AreaSizes::for_server(&sc),
    ];
    assert_eq!(
        sizes[0].input,
        5 + 512 + 64,
        "the client's, for 512-byte records"
    );
    for (conn, sizes) in [&mut *first.client, &mut *first.server]
        .into_iter()
        .zip(sizes)
    {
        let areas = conn.take_areas().expect("on lent areas");
        assert_eq!(areas.output.len(), sizes.output);
    }
    // Given-back areas are handed out again (of sizes no other test asks
    // for, so that tests running at once do not take them).
    let sizes = crate::AreaSizes {
        input: 7,
        plaintext: 11,
        output: 13,
        handshake_in: 17,
        handshake_out: 19,
        peer_leaf: 23,
        server_name: 29,
        psk_identity: 31,
        transcript: 37,
        alpn: 41,
    };
    let areas = crate::testing::lend(sizes);
    let at = areas.output.as_ptr();
    super::AREAS.lock().unwrap().push(areas);
    assert_eq!(super::areas_for(sizes).output.as_ptr(), at);
}

#[test]
fn stapling_variants_deliver_the_staple() {
    for (variant, status_state) in [
        // CertificateStatus read in ExpectCertificateStatus (ECDHE), ...
        (Variant::Stapling, [2, 11, 22, 12, 14]),
        // ... and in ExpectKeyTransportStatus (RSA key transport).
        (Variant::RsaStapling, [2, 11, 22, 14, 0]),
    ] {
        let [first, second] = paused(variant, &[]);
        for h in [&first, &second] {
            assert!(h.data_crossed, "{variant:?}");
        }
        let info = first.client.handshake_info().unwrap();
        assert_eq!(
            info.ocsp_response.as_deref(),
            Some(OCSP_RESPONSE),
            "{variant:?}"
        );
        let info = second.client.handshake_info().unwrap();
        // Resumed: no status on the wire, the full handshake's response
        // reported.
        assert!(info.resumed, "{variant:?}");
        assert_eq!(
            info.ocsp_response.as_deref(),
            Some(OCSP_RESPONSE),
            "{variant:?}"
        );
        // The server's first flight carries the CertificateStatus between
        // its Certificate and the rest.
        let (cc, sc) = configs();
        let (cc, sc) = variant_configs(&cc, &sc, variant);
        let mut c = client_connection(&cc);
        let mut s = server_connection(&sc);
        let hello = take_output(&mut c);
        if variant.pauses() {
            // RSA key transport pauses only for the client's premaster
            // secret, after this flight.
            assert!(s.operation().is_none());
        }
        s.receive(&hello).unwrap();
        let types = message_types(&take_output(&mut s));
        let want: Vec<u8> = status_state.into_iter().filter(|t| *t != 0).collect();
        assert_eq!(types, want, "{variant:?}");
    }
    // A wrong decryption with stapling fails at the client's Finished, as
    // without.
    let (h, _) = decryption_reply_in(Variant::RsaStapling, &Reply::Failed, 0, &[]);
    assert!(failed_at_the_clients_finished(&h.client, &h.server));
}

#[test]
fn a_dropped_or_changed_hint_is_handled() {
    // The server's first flight is one record per message (ServerHello,
    // ServerKeyExchange, ServerHelloDone), so one op drops the
    // ServerKeyExchange and the plain PSK client's
    // ExpectPskServerKeyExchange reads ServerHelloDone at once, as from a
    // server without a hint (RFC 4279 §2). Its only identity is for the
    // hint, so it gives up with handshake_failure.
    let [first, _] = paused(Variant::Psk, &[0, 0, 0, 3, 0]);
    assert_eq!(
        first.client.error(),
        Some(&Error::HandshakeFailure(
            "none of our PSK identities is for the server's identity hint"
        ))
    );
    assert_eq!(
        first.server.error(),
        Some(&alert_received(AlertDescription::HandshakeFailure))
    );
    // The ECDHE_PSK client also has the identity for any hint: a hint with
    // a bit flipped ('f' to 'g', byte 11 of the record) takes it on, and
    // the transcripts differ, so the server cannot open the client's
    // Finished.
    let [first, _] = paused(Variant::EcdhePsk, &[0, 0, 0, 16, 11, 0]);
    assert_eq!(first.server.error(), Some(&Error::PskMismatch));
    assert_eq!(
        first.client.error(),
        Some(&alert_received(AlertDescription::DecryptError))
    );
}
