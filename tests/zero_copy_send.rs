//! Zero-copy send: the caller writes plaintext where the record will lie,
//! the connection seals it there, and the peer reads exactly what was
//! written, in order with the buffered `send`. Two places: the caller's own
//! buffer (`Connection::seal_in_place`), or the connection's output queue,
//! heap or lent area (`Connection::send_with`).

mod common;

use common::*;
use tls12::{CipherSuite, Connection, Error, MaxFragmentLength};

const P: usize = Connection::SEAL_PREFIX;
const S: usize = Connection::SEAL_SUFFIX;

/// Seals `data` in records of at most `chunk` bytes through `seal_in_place`
/// and returns the records, concatenated as they would go on the wire.
fn seal_all(conn: &mut Connection, data: &[u8], chunk: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    let mut buf = vec![0u8; P + chunk + S];
    for piece in data.chunks(chunk) {
        buf[P..P + piece.len()].copy_from_slice(piece);
        let record = conn.seal_in_place(&mut buf, piece.len()).unwrap();
        wire.extend_from_slice(record);
    }
    wire
}

fn receive_all(conn: &mut Connection, mut wire: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    while !wire.is_empty() {
        let n = conn.receive(wire).unwrap();
        wire = &wire[n..];
        got.extend(drain_plaintext(conn));
    }
    got
}

fn established_with(suite: CipherSuite) -> (tls12::ClientConnection, tls12::ServerConnection) {
    let mut cc = client_config();
    cc.cipher_suites = vec![suite].into();
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    events(&mut c);
    events(&mut s);
    (c, s)
}

#[test]
fn records_sealed_in_place_reach_the_peer_for_every_aead() {
    let data = pseudo(100_000);
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let (mut c, mut s) = established_with(suite);
        for chunk in [1, 1000, 16 * 1024] {
            let wire = seal_all(&mut c, &data, chunk);
            let records = split_records(&wire);
            assert_eq!(records.len(), data.len().div_ceil(chunk), "{suite:?}");
            assert!(
                records.iter().all(|r| r[0] == 23),
                "application data records"
            );
            assert_eq!(receive_all(&mut s, &wire), data, "{suite:?} chunk {chunk}");
            // And the other way.
            let wire = seal_all(&mut s, &data, chunk);
            assert_eq!(receive_all(&mut c, &wire), data, "{suite:?} chunk {chunk}");
        }
    }
}

#[test]
fn the_record_lies_around_the_plaintext() {
    let (mut c, _s) = established_with(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    let mut buf = vec![0u8; P + 100 + S];
    let ptr = buf.as_ptr() as usize;
    let record = c.seal_in_place(&mut buf, 100).unwrap();
    // Header, 8-byte explicit nonce, ciphertext, 16-byte tag: the whole
    // buffer, no copy elsewhere.
    assert_eq!(record.as_ptr() as usize, ptr);
    assert_eq!(record.len(), 5 + 8 + 100 + 16);
    assert_eq!(&record[..5], &[23, 3, 3, 0, 124]);

    let (mut c, _s) = established_with(CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    let mut buf = vec![0u8; P + 100 + S];
    let ptr = buf.as_ptr() as usize;
    let record = c.seal_in_place(&mut buf, 100).unwrap();
    // No explicit nonce (RFC 7905 §2): the record starts 8 bytes in.
    assert_eq!(record.as_ptr() as usize, ptr + 8);
    assert_eq!(record.len(), 5 + 100 + 16);
}

#[test]
fn buffered_send_and_sealing_in_place_keep_their_order() {
    let (mut c, mut s) = established("server-p256");
    let mut wire = Vec::new();
    assert_eq!(c.send(b"one ").unwrap(), 4);
    // Refused while `pending_output` holds a record with an earlier
    // sequence number; nothing changes.
    let mut buf = vec![0u8; P + 4 + S];
    buf[P..P + 4].copy_from_slice(b"two ");
    assert!(matches!(
        c.seal_in_place(&mut buf, 4),
        Err(Error::Misuse(_))
    ));
    wire.extend(take_output(&mut c));
    wire.extend_from_slice(c.seal_in_place(&mut buf, 4).unwrap());
    c.send(b"three").unwrap();
    wire.extend(take_output(&mut c));
    assert_eq!(receive_all(&mut s, &wire), b"one two three");
}

#[test]
fn misuse_is_refused_and_changes_nothing() {
    // Before the handshake.
    let (mut c, _s) = pair("server-p256");
    let mut buf = vec![0u8; P + 10 + S];
    assert!(matches!(
        c.seal_in_place(&mut buf, 10),
        Err(Error::Misuse(_))
    ));

    let (mut c, mut s) = established("server-p256");
    // A buffer without room for the tag, or for the header before.
    let mut short = vec![0u8; P + 10 + S - 1];
    assert!(matches!(
        c.seal_in_place(&mut short, 10),
        Err(Error::Misuse(_))
    ));
    let mut tiny = vec![0u8; 4];
    assert!(matches!(c.seal_in_place(&mut tiny, 0), Ok(r) if r.is_empty()));
    // More than one record carries.
    let mut big = vec![0u8; P + 16 * 1024 + 1 + S];
    assert!(matches!(
        c.seal_in_place(&mut big, 16 * 1024 + 1),
        Err(Error::Misuse(_))
    ));
    assert!(c.error().is_none());
    // The connection still works, from sequence number where it was.
    let wire = seal_all(&mut c, b"still fine", 64);
    assert_eq!(receive_all(&mut s, &wire), b"still fine");
    // After close_notify.
    c.close();
    assert!(matches!(
        c.seal_in_place(&mut buf, 10),
        Err(Error::Misuse(_))
    ));
}

#[test]
fn a_negotiated_record_size_binds_sealing_in_place() {
    let mut cc = client_config();
    cc.max_fragment_length = Some(MaxFragmentLength::L512);
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.handshake_info().unwrap().max_fragment_out, 512);
    for conn in [&mut *c, &mut *s] {
        let mut buf = vec![0u8; P + 513 + S];
        assert!(matches!(
            conn.seal_in_place(&mut buf, 513),
            Err(Error::Misuse(_))
        ));
        assert_eq!(
            conn.seal_in_place(&mut buf, 512).unwrap().len(),
            5 + 8 + 512 + 16
        );
    }
}

#[test]
fn a_dead_connection_refuses_with_its_error() {
    let (mut c, _s) = established("server-p256");
    // A record the client cannot authenticate kills it.
    let bad = record(23, 0x0303, &[0u8; 40]);
    let err = c.receive(&bad).unwrap_err();
    let mut buf = vec![0u8; P + 10 + S];
    assert_eq!(c.seal_in_place(&mut buf, 10).unwrap_err(), err);
}

fn pseudo(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Moves `from`'s queued output to `to` through a caller buffer of `cap`
/// bytes, one record at a time with `receive_in_place`, as a device with
/// one small receive buffer would.
fn deliver_in_place(from: &mut Connection, to: &mut Connection, buf: &mut [u8]) {
    let wire = take_output(from);
    for record in split_records(&wire) {
        assert!(record.len() <= buf.len(), "a {}-byte record", record.len());
        buf[..record.len()].copy_from_slice(&record);
        let got = to.receive_in_place(&mut buf[..record.len()]).unwrap();
        assert_eq!(got.consumed, record.len());
    }
}

#[test]
fn with_512_byte_records_a_541_byte_buffer_carries_everything() {
    // RFC 6066 §4: once max_fragment_length 512 is agreed, no record on
    // either side carries more than 512 bytes of plaintext, and an AEAD
    // record adds a 5-byte header, 8 bytes of explicit nonce and a 16-byte
    // tag: 541 bytes hold any record, handshake or data.
    const BUF: usize = 5 + 512 + 8 + 16;
    let mut cc = client_config();
    cc.max_fragment_length = Some(MaxFragmentLength::L512);
    cc.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256].into();
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    let mut rx = [0u8; BUF];
    for _ in 0..6 {
        if !c.is_handshaking() && !s.is_handshaking() {
            break;
        }
        deliver_in_place(&mut c, &mut s, &mut rx);
        deliver_in_place(&mut s, &mut c, &mut rx);
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
    // Data both ways: sealed in one 541-byte buffer, opened in another.
    let data = pseudo(6000);
    let mut tx = [0u8; BUF];
    let mut one_way = |a: &mut Connection, b: &mut Connection| {
        let mut got = Vec::new();
        for piece in data.chunks(512) {
            tx[P..P + piece.len()].copy_from_slice(piece);
            let record = a.seal_in_place(&mut tx, piece.len()).unwrap();
            assert!(record.len() <= BUF);
            let n = record.len();
            rx[..n].copy_from_slice(record);
            let opened = b.receive_in_place(&mut rx[..n]).unwrap();
            got.extend_from_slice(opened.application_data);
        }
        assert_eq!(got, data);
    };
    one_way(&mut c, &mut s);
    one_way(&mut s, &mut c);
}

/// Sends `data` through `send_with`, `chunk` bytes asked for at a time,
/// sending the output whenever it is full; returns the wire.
fn send_all_with(conn: &mut Connection, data: &[u8], chunk: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = conn
            .send_with(chunk, |room| {
                let n = room.len().min(rest.len());
                room[..n].copy_from_slice(&rest[..n]);
                n
            })
            .unwrap();
        rest = &rest[n..];
        if n == 0 {
            wire.extend(take_output(conn));
        }
    }
    wire.extend(take_output(conn));
    wire
}

#[test]
fn send_with_reaches_the_peer_for_every_aead_in_order_with_send() {
    let data = pseudo(60_000);
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let (mut c, mut s) = established_with(suite);
        for chunk in [1, 1000, 16 * 1024, 100_000] {
            let wire = send_all_with(&mut c, &data, chunk);
            let records = split_records(&wire);
            assert_eq!(
                records.len(),
                data.len().div_ceil(chunk.min(16 * 1024)),
                "{suite:?} {chunk}: one record per call"
            );
            assert_eq!(receive_all(&mut s, &wire), data, "{suite:?} chunk {chunk}");
        }
        // Interleaved with the buffered send, in order.
        c.send(b"one ").unwrap();
        c.send_with(4, |room| {
            room.copy_from_slice(b"two ");
            4
        })
        .unwrap();
        c.send(b"three").unwrap();
        assert_eq!(receive_all(&mut s, &take_output(&mut c)), b"one two three");
    }
}

#[test]
fn send_with_writes_in_the_lent_output_area_and_sends_what_was_written() {
    let mut cc = client_config();
    cc.max_fragment_len = 512;
    cc.max_fragment_length = Some(MaxFragmentLength::L512);
    cc.limits.max_buffered_output = 512 + 2048;
    let sizes = tls12::AreaSizes::for_client(&cc);
    let areas = lend(sizes);
    let (lo, hi) = (
        areas.output.as_ptr() as usize,
        areas.output.as_ptr() as usize + areas.output.len(),
    );
    let mut c = tls12::ClientConnection::with_areas(
        std::sync::Arc::new(cc),
        name("localhost"),
        now(),
        areas,
    )
    .unwrap();
    let mut s =
        tls12::ServerConnection::new(std::sync::Arc::new(server_config("server-p256")), now())
            .unwrap();
    handshake(&mut c, &mut s).unwrap();
    let mut at = 0;
    // Room for one agreed record at most, inside the area; only what the
    // writer says it wrote is sent.
    let sent = c
        .send_with(2000, |room| {
            at = room.as_ptr() as usize;
            assert_eq!(room.len(), 512);
            room[..3].copy_from_slice(b"abc");
            3
        })
        .unwrap();
    assert_eq!(sent, 3);
    assert!((lo..hi).contains(&at), "not written in the output area");
    // Nothing written, nothing sent.
    assert_eq!(c.send_with(10, |_| 0), Ok(0));
    assert_eq!(receive_all(&mut s, &take_output(&mut c)), b"abc");
    // Full: 0 until the output is sent.
    let mut n = 0;
    while c.send_with(512, |room| room.len()).unwrap() > 0 {
        n += 1;
    }
    assert!(n >= 4 && c.pending_output().len() <= sizes.output, "{n}");
    transfer(&mut c, &mut s).unwrap();
    assert_eq!(drain_plaintext(&mut s).len(), n * 512);
    assert_eq!(c.send_with(1, |room| room.len()), Ok(1));
}

#[test]
fn send_with_is_misuse_before_the_handshake_and_after_close() {
    let (mut c, mut s) = pair("server-p256");
    assert!(matches!(c.send_with(1, |_| 1), Err(Error::Misuse(_))));
    handshake(&mut c, &mut s).unwrap();
    c.close();
    assert!(matches!(c.send_with(1, |_| 1), Err(Error::Misuse(_))));
}
