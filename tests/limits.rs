//! Every cap in `Limits`: what the peer gets when it is exceeded, and that
//! the memory the connection holds stays within it.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use tls12::{AlertDescription as A, Error, Event};

// ---------------------------------------------------------------------------
// Bytes held: a global allocator that tracks, per thread, the bytes
// allocated and not yet freed, so a test can see what a connection keeps
// (capacity, not just length). Each test allocates and frees on its own
// thread, so the tests can run in parallel.

struct Tracking;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn add(bytes: i64) {
    // `try_with`: allocations during thread teardown are not tracked.
    let _ = LIVE.try_with(|c| c.set(c.get() + bytes));
}

fn size(bytes: usize) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(size(layout.size()));
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(size(layout.size()));
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-size(layout.size()));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(size(new_size) - size(layout.size()));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// Runs `f` and adds to `held` the bytes it left allocated (negative if it
/// freed more than it allocated).
fn tracked<R>(held: &mut i64, f: impl FnOnce() -> R) -> R {
    let before = LIVE.with(Cell::get);
    let r = f();
    *held += LIVE.with(Cell::get) - before;
    r
}

/// A TLS 1.2 record of type `typ` holding `body`.
fn tls12_record(typ: u8, body: &[u8]) -> Vec<u8> {
    record(typ, 0x0303, body)
}

#[test]
fn handshake_message_size_cap_refuses_before_buffering() {
    // A client capped at 4096: a ServerHello header declaring 5000 bytes is
    // refused on the header alone.
    let mut cc = client_config();
    cc.limits.max_handshake_message_len = 4096;
    let (mut c, _) = pair_with(cc, server_config("server-p256"), "localhost");
    let err = c
        .receive(&tls12_record(22, &[2, 0, 0x13, 0x88]))
        .unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "handshake message size",
            limit: 4096
        }
    );
    assert_eq!(err.alert(), Some(A::DecodeError));
    // A server's ClientHello has its own cap, by default the largest its
    // grammar allows, so the general cap does not refuse it.
    let mut sc = server_config("server-p256");
    sc.limits.max_handshake_message_len = 4096;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    assert!(
        s.receive(&tls12_record(22, &[1, 0, 0x13, 0x88])).is_ok(),
        "incomplete: waits for the body"
    );
    // Capped at 4096 itself: refused on the header alone.
    let mut sc = server_config("server-p256");
    sc.limits.max_client_hello_len = 4096;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    let err = s
        .receive(&tls12_record(22, &[1, 0, 0x13, 0x88]))
        .unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "handshake message size",
            limit: 4096
        }
    );
    // Exactly at the cap is fine (it fails later, as a malformed hello).
    let mut sc = server_config("server-p256");
    sc.limits.max_client_hello_len = 4096;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    let mut body = vec![1, 0, 0x10, 0x00];
    body.extend(vec![0u8; 4096 - 1]);
    assert!(
        s.receive(&tls12_record(22, &body)).is_ok(),
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
    const CAP: usize = 32 * 1024;
    const RECORD: usize = 16 * 1024;
    let mut sc = server_config("server-p256");
    sc.limits.max_buffered_plaintext = CAP;
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    handshake(&mut c, &mut s).unwrap();
    // What the server's receive and consume calls leave allocated, from
    // here on: its plaintext buffer's capacity and anything else it keeps.
    let (mut held, mut most_held) = (0i64, 0i64);
    let mut sent = 0;
    while sent < 1 << 20 {
        sent += c.send(&vec![7u8; (1 << 20) - sent]).unwrap();
        let wire = c.pending_output().to_vec();
        c.consume_output(wire.len());
        let mut offered = &wire[..];
        while !offered.is_empty() {
            let used = tracked(&mut held, || s.receive(offered)).unwrap();
            most_held = most_held.max(held);
            // Limits::max_buffered_plaintext: never more than the cap plus
            // one record is buffered...
            assert!(
                s.plaintext().len() <= CAP + RECORD,
                "{}",
                s.plaintext().len()
            );
            if used == 0 {
                assert!(s.plaintext().len() >= CAP, "stopped below the cap");
                let n = s.plaintext().len();
                tracked(&mut held, || s.consume_plaintext(n));
            }
            offered = &offered[used..];
        }
    }
    // ...and the memory behind it stays within the same bound: a megabyte
    // went through, at most the cap plus one record was ever allocated.
    assert!(
        most_held > 0,
        "nothing tracked: is the allocator installed?"
    );
    assert!(
        most_held <= size(CAP + RECORD),
        "the server held {most_held} bytes for a {CAP}-byte cap"
    );
}

#[test]
fn output_buffer_cap_limits_what_send_accepts() {
    let mut cc = client_config();
    cc.limits.max_buffered_output = 40 * 1024;
    let (mut c, mut s) = pair_with(cc, server_config("server-p256"), "localhost");
    handshake(&mut c, &mut s).unwrap();
    let big = vec![1u8; 1 << 20];
    // What the send calls leave allocated: the output queue and anything
    // else the client keeps.
    let mut held = 0i64;
    let accepted = tracked(&mut held, || c.send(&big)).unwrap();
    assert!(accepted > 0 && accepted < big.len());
    assert!(
        c.pending_output().len() <= 40 * 1024,
        "{}",
        c.pending_output().len()
    );
    // Nothing more until the caller sends what is queued.
    assert_eq!(tracked(&mut held, || c.send(&big)).unwrap(), 0);
    assert!(
        held <= size(40 * 1024),
        "the client holds {held} bytes for a 40 KiB output cap"
    );
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
        s.receive(&tls12_record(21, &[1, 90])).unwrap();
    }
    let err = s.receive(&tls12_record(21, &[1, 90])).unwrap_err();
    assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
    assert_eq!(err.alert(), Some(A::UnexpectedMessage));
    // The three accepted warnings were reported, the refused one not.
    let events: Vec<_> = std::iter::from_fn(|| s.next_event()).collect();
    assert_eq!(events, vec![Event::WarningAlert(A::UserCanceled); 3]);
}

#[test]
fn warning_events_are_bounded_by_the_event_queue() {
    // With the in-a-row cap above the queue's eight entries, more warnings
    // arrive than the queue holds: the oldest give way (Event::WarningAlert),
    // so however many come, eight are kept, and they are the newest.
    let mut sc = server_config("server-p256");
    sc.limits.max_warnings_in_a_row = 1000;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    // user_canceled (90) for the first 92, then no_renegotiation (100) as a
    // marker for the last eight.
    for i in 0..100 {
        let description = if i < 92 { 90 } else { 100 };
        s.receive(&tls12_record(21, &[1, description])).unwrap();
    }
    let events: Vec<_> = std::iter::from_fn(|| s.next_event()).collect();
    assert_eq!(events, vec![Event::WarningAlert(A::NoRenegotiation); 8]);
    // Overflowing left the queue sound: the next warning is reported alone.
    s.receive(&tls12_record(21, &[1, 90])).unwrap();
    assert_eq!(s.next_event(), Some(Event::WarningAlert(A::UserCanceled)));
    assert_eq!(s.next_event(), None);
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

#[test]
fn warnings_in_a_row_count_only_unbroken_runs() {
    // A handshake message between warnings ends the run: two warnings, the
    // ClientHello, two more are fine under a cap of two; a third in a row is
    // not.
    let mut sc = server_config("server-p256");
    sc.limits.max_warnings_in_a_row = 2;
    let (mut c, mut s) = pair_with(client_config(), sc, "localhost");
    let warning = tls12_record(21, &[1, 90]);
    for _ in 0..2 {
        s.receive(&warning).unwrap();
    }
    transfer(&mut c, &mut s).unwrap();
    for _ in 0..2 {
        s.receive(&warning).unwrap();
    }
    let err = s.receive(&warning).unwrap_err();
    assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
}
