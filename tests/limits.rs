//! Every cap in `Limits`: what the peer gets when it is exceeded, and that
//! the memory the connection holds stays within it.

mod common;

use common::*;
use tls12::{AlertDescription as A, Error, Event};

fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

#[test]
fn handshake_message_size_cap_refuses_before_buffering() {
    let mut sc = server_config("server-p256");
    sc.limits.max_handshake_message_len = 4096;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    // A ClientHello header declaring 5000 bytes: refused on the header alone.
    let err = s.receive(&record(22, &[1, 0, 0x13, 0x88])).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "handshake message size",
            limit: 4096
        }
    );
    assert_eq!(err.alert(), Some(A::DecodeError));
    // Exactly at the cap is fine (it fails later, as a malformed hello).
    let mut sc = server_config("server-p256");
    sc.limits.max_handshake_message_len = 4096;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    let mut body = vec![1, 0, 0x10, 0x00];
    body.extend(vec![0u8; 4096 - 1]);
    assert!(
        s.receive(&record(22, &body)).is_ok(),
        "incomplete: waits for the last byte"
    );
}

#[test]
fn certificate_chain_length_cap_is_bad_certificate() {
    let mut cc = client_config();
    cc.limits.max_certificate_chain_len = 1;
    // The server sends leaf + intermediate: two certificates.
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        (
            Side::Client,
            Error::Certificate(tls12::CertificateError::TooLarge)
        )
    );
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(A::BadCertificate))
    );
}

#[test]
fn certificate_chain_bytes_are_capped_by_the_message_cap() {
    // The Certificate message carries the chain, so its size cap bounds the
    // chain's bytes: a server chain over the cap is refused on its header.
    let mut cc = client_config();
    cc.limits.max_handshake_message_len = 1024;
    let (mut c, mut s) = pair_with(cc, server_config("server-rsa2048"), "localhost");
    let err = handshake(&mut c, &mut s).unwrap_err();
    assert!(
        matches!(
            err,
            (Side::Client, Error::LimitExceeded { limit: 1024, .. })
        ),
        "{err:?}"
    );
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(A::DecodeError))
    );
}

#[test]
fn plaintext_buffer_cap_holds_back_input_and_memory() {
    let mut sc = server_config("server-p256");
    sc.limits.max_buffered_plaintext = 32 * 1024;
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    let mut sent = 0;
    while sent < 1 << 20 {
        sent += c.send(&vec![7u8; (1 << 20) - sent]).unwrap();
        let wire = c.pending_output().to_vec();
        c.consume_output(wire.len());
        let mut offered = &wire[..];
        while !offered.is_empty() {
            let used = s.receive(offered).unwrap();
            // Never more than the cap plus one record is held.
            assert!(
                s.plaintext().len() <= 32 * 1024 + 16 * 1024,
                "{}",
                s.plaintext().len()
            );
            if used == 0 {
                drain_plaintext(&mut s);
            }
            offered = &offered[used..];
        }
    }
}

#[test]
fn output_buffer_cap_limits_what_send_accepts() {
    let mut cc = client_config();
    cc.limits.max_buffered_output = 40 * 1024;
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    let big = vec![1u8; 1 << 20];
    let accepted = c.send(&big).unwrap();
    assert!(accepted > 0 && accepted < big.len());
    assert!(
        c.pending_output().len() <= 40 * 1024,
        "{}",
        c.pending_output().len()
    );
    // Nothing more until the caller sends what is queued.
    assert_eq!(c.send(&big).unwrap(), 0);
    transfer(&mut c, &mut s).unwrap();
    assert!(c.send(&big).unwrap() > 0);

    // Before the handshake, early data is held under the same cap.
    let mut cc = client_config();
    cc.limits.max_buffered_output = 40 * 1024;
    let (mut c, _) = pair_with(cc, server_config("server-p256"), "localhost");
    let early = c.send(&big).unwrap();
    assert!(early < 40 * 1024, "{early}");
}

#[test]
fn warning_alerts_in_a_row_are_capped() {
    let mut sc = server_config("server-p256");
    sc.limits.max_warnings_in_a_row = 3;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    for _ in 0..3 {
        s.receive(&record(21, &[1, 90])).unwrap();
    }
    let err = s.receive(&record(21, &[1, 90])).unwrap_err();
    assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
    assert_eq!(err.alert(), Some(A::UnexpectedMessage));
    // Three warning events were queued, and no more: the queue is bounded.
    let events: Vec<_> = std::iter::from_fn(|| s.next_event()).collect();
    assert_eq!(events, vec![Event::WarningAlert(A::UserCanceled); 3]);
}

#[test]
fn data_events_do_not_pile_up() {
    let (mut c, mut s) = pair("server-p256");
    handshake(&mut c, &mut s).unwrap();
    while s.next_event().is_some() {}
    for _ in 0..1000 {
        c.send(b"tick").unwrap();
        transfer(&mut c, &mut s).unwrap();
    }
    // A thousand records, one pending notification.
    assert_eq!(s.next_event(), Some(Event::ApplicationData));
    assert_eq!(s.next_event(), None);
    assert_eq!(s.plaintext().len(), 4000);
}
