//! State-machine tests that need to inject messages under real record keys,
//! which only the crate itself can do: every out-of-order message in the
//! encrypted states, and renegotiation refusal.

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::codec::enums::ProtocolVersion;
pub(super) use crate::testing::{handshake_msg, split_records, take_output};

fn pair() -> (ClientConnection, ServerConnection) {
    crate::testing::pair("server-p256")
}

pub(super) fn deliver(from: &mut Connection, to: &mut Connection) -> Result<(), Error> {
    let out = take_output(from);
    to.receive(&out).map(|_| ())
}

/// Well-formed handshake messages of every type a peer could send, taken
/// from a real handshake where the type needs real contents.
pub(super) fn every_message() -> Vec<(&'static str, Vec<u8>)> {
    let (mut c, mut s) = pair();
    let hello = take_output(&mut c);
    s.receive(&hello).unwrap();
    let flight = take_output(&mut s);
    let mut msgs = vec![("ClientHello", hello[5..].to_vec())];
    let flight_payload: Vec<u8> = split_records(&flight)
        .iter()
        .flat_map(|r| r[5..].to_vec())
        .collect();
    let mut i = 0;
    for name in [
        "ServerHello",
        "Certificate",
        "ServerKeyExchange",
        "ServerHelloDone",
    ] {
        let len = u32::from_be_bytes([
            0,
            flight_payload[i + 1],
            flight_payload[i + 2],
            flight_payload[i + 3],
        ]) as usize;
        msgs.push((name, flight_payload[i..i + 4 + len].to_vec()));
        i += 4 + len;
    }
    msgs.extend([
        ("HelloRequest", handshake_msg(0, &[])),
        ("NewSessionTicket", handshake_msg(4, &[0, 0, 0, 1, 0, 0])),
        (
            "CertificateRequest",
            handshake_msg(13, &[1, 64, 0, 2, 4, 3, 0, 0]),
        ),
        ("CertificateVerify", handshake_msg(15, &[4, 3, 0, 0])),
        ("ClientKeyExchange", handshake_msg(16, &[1, 4])),
        ("Finished", handshake_msg(20, &[0; 12])),
        ("unknown type 99", handshake_msg(99, &[])),
    ]);
    msgs
}

fn assert_unexpected(result: Result<(), Error>, what: &str) {
    assert!(
        matches!(result, Err(Error::UnexpectedMessage { .. })),
        "{what}: {result:?}"
    );
}

/// Runs a handshake up to the point where the server has sent
/// NewSessionTicket, CCS and Finished, and hands the client all but the
/// Finished. Returns the server's Finished record.
fn up_to_server_finished() -> (ClientConnection, ServerConnection, Vec<u8>) {
    let (mut c, mut s) = pair();
    deliver(&mut c, &mut s).unwrap();
    deliver(&mut s, &mut c).unwrap();
    deliver(&mut c, &mut s).unwrap();
    let mut records = split_records(&take_output(&mut s));
    assert_eq!(records.len(), 3, "server NewSessionTicket, CCS, Finished");
    assert_eq!(records[0][5], 4, "NewSessionTicket");
    let finished = records.pop().unwrap();
    for r in &records {
        c.receive(r).unwrap();
    }
    (c, s, finished)
}

#[test]
fn client_waiting_for_a_promised_ticket_rejects_everything_else() {
    for (what, msg) in every_message() {
        if what == "NewSessionTicket" || what == "HelloRequest" {
            continue;
        }
        let (mut c, mut s) = pair();
        deliver(&mut c, &mut s).unwrap();
        deliver(&mut s, &mut c).unwrap();
        deliver(&mut c, &mut s).unwrap();
        take_output(&mut s);
        let mut rec = vec![22, 3, 3];
        rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        rec.extend_from_slice(&msg);
        assert_unexpected(c.receive(&rec).map(|_| ()), what);
    }
    // Skipping the promised ticket straight to ChangeCipherSpec.
    let (mut c, mut s) = pair();
    deliver(&mut c, &mut s).unwrap();
    deliver(&mut s, &mut c).unwrap();
    deliver(&mut c, &mut s).unwrap();
    let records = split_records(&take_output(&mut s));
    assert_unexpected(
        c.receive(&records[1]).map(|_| ()),
        "CCS instead of NewSessionTicket",
    );
}

#[test]
fn client_waiting_for_encrypted_finished_rejects_everything_else() {
    for (what, msg) in every_message() {
        // HelloRequest is ignored during a handshake (RFC 5246 §7.4.1.1).
        if what == "HelloRequest" || what == "Finished" {
            continue;
        }
        let (mut c, mut s, _) = up_to_server_finished();
        // Re-seal under the server's keys at the sequence number the client
        // expects for its first protected record.
        s.common.record.write_state_mut().unwrap().set_sequence(0);
        s.common.send_handshake(&msg).unwrap();
        assert_unexpected(deliver(&mut s, &mut c), what);
        // The alert is protected and reaches the server intact.
        assert_eq!(
            deliver(&mut c, &mut s),
            Err(Error::AlertReceived(AlertDescription::UnexpectedMessage)),
            "{what}"
        );
    }
    // A second ChangeCipherSpec, and application data, are out of order too.
    for typ in [ContentType::ChangeCipherSpec, ContentType::ApplicationData] {
        let (mut c, mut s, _) = up_to_server_finished();
        s.common.record.write_state_mut().unwrap().set_sequence(0);
        let body: &[u8] = if typ == ContentType::ChangeCipherSpec {
            &[1]
        } else {
            b"data"
        };
        s.common.record.write_records(typ, body).unwrap();
        assert_unexpected(deliver(&mut s, &mut c), "CCS/data before Finished");
    }
}

#[test]
fn server_waiting_for_encrypted_finished_rejects_everything_else() {
    for (what, msg) in every_message() {
        if what == "Finished" {
            continue;
        }
        let (mut c, mut s) = pair();
        deliver(&mut c, &mut s).unwrap();
        deliver(&mut s, &mut c).unwrap();
        let records = split_records(&take_output(&mut c));
        assert_eq!(records.len(), 3, "CKE, CCS, Finished");
        s.receive(&records[0]).unwrap();
        s.receive(&records[1]).unwrap();
        c.common.record.write_state_mut().unwrap().set_sequence(0);
        c.common.send_handshake(&msg).unwrap();
        assert_unexpected(deliver(&mut c, &mut s), what);
    }
}

fn established() -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = pair();
    for _ in 0..3 {
        deliver(&mut c, &mut s).unwrap();
        deliver(&mut s, &mut c).unwrap();
    }
    assert!(c.is_established() && s.is_established());
    while c.next_event().is_some() {}
    while s.next_event().is_some() {}
    (c, s)
}

#[test]
fn established_connections_reject_handshake_messages_and_ccs() {
    for (what, msg) in every_message() {
        // These two are renegotiation requests, refused with a warning below.
        if what != "HelloRequest" {
            let (mut c, mut s) = established();
            s.common.send_handshake(&msg).unwrap();
            assert_unexpected(deliver(&mut s, &mut c), what);
        }
        if what != "ClientHello" {
            let (mut c, mut s) = established();
            c.common.send_handshake(&msg).unwrap();
            assert_unexpected(deliver(&mut c, &mut s), what);
        }
    }
    let (mut c, mut s) = established();
    s.common
        .record
        .write_records(ContentType::ChangeCipherSpec, &[1])
        .unwrap();
    assert_unexpected(deliver(&mut s, &mut c), "CCS after the handshake");
}

#[test]
fn client_refuses_hello_request_with_a_warning_and_carries_on() {
    let (mut c, mut s) = established();
    s.common.send_handshake(&handshake_msg(0, &[])).unwrap();
    deliver(&mut s, &mut c).unwrap();
    deliver(&mut c, &mut s).unwrap();
    assert_eq!(
        s.next_event(),
        Some(Event::WarningAlert(AlertDescription::NoRenegotiation))
    );
    c.send(b"still here").unwrap();
    deliver(&mut c, &mut s).unwrap();
    assert_eq!(s.plaintext(), b"still here");
}

#[test]
fn server_refuses_renegotiating_client_hello_with_a_warning_and_carries_on() {
    let (mut c, mut s) = established();
    let (mut fresh, _) = pair();
    let hello = take_output(&mut fresh);
    c.common.send_handshake(&hello[5..]).unwrap();
    deliver(&mut c, &mut s).unwrap();
    deliver(&mut s, &mut c).unwrap();
    assert_eq!(
        c.next_event(),
        Some(Event::WarningAlert(AlertDescription::NoRenegotiation))
    );
    s.send(b"still here").unwrap();
    deliver(&mut s, &mut c).unwrap();
    assert_eq!(c.plaintext(), b"still here");
}

#[test]
fn finished_one_bit_off_is_decrypt_error() {
    for bit in [0usize, 7, 50, 95] {
        let (mut c, mut s) = pair();
        deliver(&mut c, &mut s).unwrap();
        deliver(&mut s, &mut c).unwrap();
        let records = split_records(&take_output(&mut c));
        s.receive(&records[0]).unwrap();
        s.receive(&records[1]).unwrap();
        // Learn the client's real Finished by opening a copy of its record with
        // the server's keys, then rewind the server's sequence number.
        let mut copy = records[2].clone();
        let opener = s.common.record.opener().unwrap();
        let range = opener
            .open_in_place(
                ContentType::Handshake,
                ProtocolVersion::Tls12,
                &mut copy[5..],
            )
            .unwrap();
        opener.set_sequence(0);
        let mut finished = copy[5..][range].to_vec();
        assert_eq!(finished.len(), 16);
        finished[4 + bit / 8] ^= 1 << (bit % 8);
        // Seal the altered message properly, so that the record authenticates
        // and only the Finished check (RFC 5246 §7.4.9) can reject it.
        c.common.record.write_state_mut().unwrap().set_sequence(0);
        c.common.send_handshake(&finished).unwrap();
        assert_eq!(
            deliver(&mut c, &mut s),
            Err(Error::BadFinished),
            "bit {bit}"
        );
        assert_eq!(
            deliver(&mut s, &mut c),
            Err(Error::AlertReceived(AlertDescription::DecryptError))
        );
    }
}

#[test]
fn a_flood_of_empty_application_records_is_cut_off() {
    let (mut c, mut s) = established();
    let limit = s.common.limits.max_warnings_in_a_row;
    let empty_record = |c: &mut ClientConnection| {
        c.common
            .record
            .seal_one(ContentType::ApplicationData, &[])
            .unwrap();
    };
    // RFC 5246 §6.2.1 allows empty records, and data resets the count...
    for _ in 0..limit {
        empty_record(&mut c);
    }
    c.send(b"x").unwrap();
    for _ in 0..limit {
        empty_record(&mut c);
    }
    deliver(&mut c, &mut s).unwrap();
    assert_eq!(s.plaintext(), b"x");
    // ...but one more in a row than the cap ends the connection.
    empty_record(&mut c);
    assert_unexpected(deliver(&mut c, &mut s), "empty record flood");
    assert_eq!(
        deliver(&mut s, &mut c),
        Err(Error::AlertReceived(AlertDescription::UnexpectedMessage))
    );
}

#[test]
fn in_place_receive_refuses_to_overtake_buffered_plaintext() {
    let (mut c, mut s) = established();
    c.send(b"first").unwrap();
    deliver(&mut c, &mut s).unwrap();
    c.send(b"second").unwrap();
    let mut wire = take_output(&mut c);
    assert!(matches!(
        s.receive_in_place(&mut wire),
        Err(Error::Misuse(_))
    ));
    // A misuse does not kill the connection: read, then go on.
    assert_eq!(s.plaintext(), b"first");
    s.consume_plaintext(5);
    let r = s.receive_in_place(&mut wire).unwrap();
    assert_eq!(r.application_data, b"second");
}

#[test]
fn a_flood_of_renegotiation_requests_is_cut_off() {
    // Each refused request queues a warning for the peer; without a bound a
    // peer could grow our output forever (RFC 5246 §7.2.2 refusals).
    let (mut c, mut s) = established();
    let limit = c.common.limits.max_warnings_in_a_row;
    for _ in 0..limit {
        s.common.send_handshake(&handshake_msg(0, &[])).unwrap();
    }
    deliver(&mut s, &mut c).unwrap();
    // Application data resets the count...
    s.send(b"x").unwrap();
    for _ in 0..limit {
        s.common.send_handshake(&handshake_msg(0, &[])).unwrap();
    }
    deliver(&mut s, &mut c).unwrap();
    assert_eq!(c.plaintext(), b"x");
    // ...but one refusal more than the cap in a row ends the connection.
    s.common.send_handshake(&handshake_msg(0, &[])).unwrap();
    assert_unexpected(deliver(&mut s, &mut c), "renegotiation flood");
}

#[test]
fn warnings_between_data_records_do_not_grow_the_event_queue() {
    // max_warnings_in_a_row only stops unbroken runs: a warning before every
    // data record never trips it, and a caller that only reads data never
    // polls events. The queue must stay bounded and the data intact.
    let (mut c, mut s) = established();
    for i in 0..1000u32 {
        s.common
            .send_alert(AlertLevel::Warning, AlertDescription::UserCanceled);
        s.send(&i.to_be_bytes()).unwrap();
        deliver(&mut s, &mut c).unwrap();
        assert!(c.common.events.len() <= 8);
    }
    let data = c.plaintext().to_vec();
    assert_eq!(data.len(), 4000);
    assert_eq!(&data[3996..], &999u32.to_be_bytes());
    let events: Vec<_> = core::iter::from_fn(|| c.next_event()).collect();
    assert_eq!(events[0], Event::ApplicationData);
    // The data notice and the seven newest warnings.
    assert_eq!(events.len(), 8, "{events:?}");
}

/// An idle connection's heap is this struct plus its keys' inline space and
/// little else (PERFORMANCE.md's idle-heap rows): what only the handshake
/// needs (its state, the pending keys, the encoding buffer) lives in a box
/// freed when it ends, or in the caller's slot, and an error is boxed. With the keys and the
/// peer's chain not kept, the whole must stay under the 2 KB an idle
/// connection may hold (`tests/allocations.rs`).
#[test]
fn the_connection_struct_stays_small() {
    let size = core::mem::size_of::<Connection>();
    assert!(size <= 1_792, "Connection is {size} bytes");
}
