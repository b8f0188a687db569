//! The seed corpus, and tests of the entry points on real bytes.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::live::tests::live_seeds;
use super::*;
use crate::codec::enums::HandshakeType;
use crate::codec::extensions::{ClientExtension, ServerExtension};
use crate::codec::handshake::{decode_handshake, EcdheServerKeyExchange};
use crate::codec::Codec;
use crate::record::HEADER_LEN;
use crate::testing::{split_records, take_output};

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
