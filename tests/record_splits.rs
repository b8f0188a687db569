//! Property tests for the record layer: whatever way the byte stream is cut
//! into `receive` calls (records split anywhere, several records per call),
//! the handshake completes and the data arrives exactly once, in order.

mod common;

use common::wire::{record, split_records};
use common::*;
use proptest::prelude::*;
use tls12::Connection;

/// Moves everything queued on `from` into `to`, in pieces whose sizes are
/// taken in turn from `cuts` (cycled).
fn deliver_cut(
    from: &mut Connection,
    to: &mut Connection,
    cuts: &[usize],
    turn: &mut usize,
) -> Vec<u8> {
    let data = from.pending_output().to_vec();
    from.consume_output(data.len());
    let mut rest = &data[..];
    let mut got = Vec::new();
    while !rest.is_empty() {
        let n = cuts[*turn % cuts.len()].clamp(1, rest.len());
        *turn += 1;
        let mut piece = &rest[..n];
        while !piece.is_empty() {
            let used = to.receive(piece).unwrap();
            piece = &piece[used..];
            got.extend(drain_plaintext(to));
        }
        rest = &rest[n..];
    }
    got.extend(drain_plaintext(to));
    got
}

/// Moves everything queued on `from` into `to` after re-framing its
/// plaintext handshake records: their messages are joined and cut into new
/// records at the sizes in `cuts` (cycled), so one record may hold several
/// messages, the end of one and the start of the next, or a small piece of
/// one (RFC 5246 §6.2.1). Other records pass unchanged.
fn deliver_reframed(from: &mut Connection, to: &mut Connection, cuts: &[usize], turn: &mut usize) {
    let wire = from.pending_output().to_vec();
    from.consume_output(wire.len());
    let mut out = Vec::new();
    let mut handshake = Vec::new();
    let flush = |handshake: &mut Vec<u8>, out: &mut Vec<u8>, turn: &mut usize| {
        let mut rest = &handshake[..];
        while !rest.is_empty() {
            let n = cuts[*turn % cuts.len()].clamp(1, rest.len().min(16_384));
            *turn += 1;
            out.extend(record(22, 0x0303, &rest[..n]));
            rest = &rest[n..];
        }
        handshake.clear();
    };
    let mut keys_changed = false;
    for r in split_records(&wire) {
        if r[0] == 22 && !keys_changed {
            handshake.extend_from_slice(&r[5..]);
        } else {
            flush(&mut handshake, &mut out, turn);
            keys_changed |= r[0] == 20;
            out.extend(r);
        }
    }
    flush(&mut handshake, &mut out, turn);
    let mut rest = &out[..];
    while !rest.is_empty() {
        let used = to.receive(rest).unwrap();
        rest = &rest[used..];
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn handshake_messages_in_any_record_framing(
        cuts in prop::collection::vec(1usize..3_000, 1..8),
        identity in prop::sample::select(vec!["server-p256", "server-rsa2048"]),
    ) {
        let (mut c, mut s) = pair(identity);
        let mut turn = 0;
        for _ in 0..4 {
            deliver_reframed(&mut c, &mut s, &cuts, &mut turn);
            deliver_reframed(&mut s, &mut c, &cuts, &mut turn);
        }
        prop_assert!(!c.is_handshaking() && !s.is_handshaking());
        prop_assert_eq!(send_and_receive(&mut c, &mut s, b"framed"), b"framed");
    }

    #[test]
    fn any_split_of_the_stream_gives_the_same_result(
        cuts in prop::collection::vec(1usize..40_000, 1..12),
        identity in prop::sample::select(vec!["server-p256", "server-rsa2048"]),
        len in 0usize..70_000,
    ) {
        let (mut c, mut s) = pair(identity);
        let mut turn = 0;
        let data: Vec<u8> = (0..len).map(|i| (i * 13 + len) as u8).collect();
        // Application data written before the handshake rides behind it.
        prop_assert_eq!(c.send(&data).unwrap(), len);
        let mut at_server = Vec::new();
        for _ in 0..4 {
            at_server.extend(deliver_cut(&mut c, &mut s, &cuts, &mut turn));
            deliver_cut(&mut s, &mut c, &cuts, &mut turn);
        }
        prop_assert!(!c.is_handshaking() && !s.is_handshaking());
        prop_assert_eq!(&at_server, &data);
        // And back, after the handshake, with the same cuts.
        let mut sent = 0;
        let mut at_client = Vec::new();
        while sent < len {
            sent += s.send(&data[sent..]).unwrap();
            at_client.extend(deliver_cut(&mut s, &mut c, &cuts, &mut turn));
        }
        prop_assert_eq!(&at_client, &data);
    }

    #[test]
    fn in_place_receive_agrees_with_buffered_receive(
        sizes in prop::collection::vec(0usize..20_000, 1..6),
    ) {
        let (mut c, mut s) = pair("server-p256");
        handshake(&mut c, &mut s).unwrap();
        let mut expected = Vec::new();
        for (i, n) in sizes.iter().enumerate() {
            let chunk = vec![i as u8; *n];
            c.send(&chunk).unwrap();
            expected.extend(chunk);
        }
        let mut wire = c.pending_output().to_vec();
        c.consume_output(wire.len());
        let mut got = Vec::new();
        let mut at = 0;
        while at < wire.len() {
            let r = s.receive_in_place(&mut wire[at..]).unwrap();
            prop_assert!(r.consumed > 0);
            got.extend_from_slice(r.application_data);
            at += r.consumed;
        }
        prop_assert_eq!(got, expected);
    }
}
