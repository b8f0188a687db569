//! Allocation counts: at most 16 per side per full handshake and
//! none per record in steady state. Counts are deterministic, so unlike
//! timings they can be asserted. `benches/memory.rs` compares them with
//! rustls; this guards them against regressions.
//!
//! Each test counts only its own thread's allocations, so the tests can run
//! in parallel.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use tls12::{Connection, ServerConfig};

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: allocations during thread teardown are not counted.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

/// Runs `f`, adding the allocations it made to `tally`.
fn counted<R>(tally: &mut u64, f: impl FnOnce() -> R) -> R {
    let before = allocs();
    let r = f();
    *tally += allocs() - before;
    r
}

/// Moves `from`'s output into `to`, charging each side for its own calls.
fn pass(from: &mut Connection, from_tally: &mut u64, to: &mut Connection, to_tally: &mut u64) {
    let total = from.pending_output().len();
    let mut off = 0;
    while off < total {
        let wire = &from.pending_output()[off..];
        off += counted(to_tally, || to.receive(wire)).unwrap();
    }
    counted(from_tally, || from.consume_output(total));
}

/// A full handshake with fresh connections (created inside the count) on
/// the given configurations; returns (client, server) allocations.
fn full_handshake(identity: &str, server: ServerConfig) -> (u64, u64) {
    // As in the benchmark: the client offers no resumption, so the
    // handshake is full every time; the server keeps its session cache.
    let mut cc = client_config();
    cc.session_cache = None;
    cc.enable_tickets = false;
    let cc = std::sync::Arc::new(cc);
    let sc = std::sync::Arc::new(server);
    let (mut ct, mut st) = (0, 0);
    for round in 0..3 {
        (ct, st) = (0, 0);
        let mut c = counted(&mut ct, || {
            Box::new(tls12::ClientConnection::new(cc.clone(), name("localhost"), now()).unwrap())
        });
        let mut s = counted(&mut st, || {
            Box::new(tls12::ServerConnection::new(sc.clone(), now()).unwrap())
        });
        while c.is_handshaking() || s.is_handshaking() {
            pass(&mut c, &mut ct, &mut s, &mut st);
            pass(&mut s, &mut st, &mut c, &mut ct);
        }
        assert!(
            !c.handshake_info().unwrap().resumed,
            "{identity} round {round}"
        );
        counted(&mut ct, || drop(c));
        counted(&mut st, || drop(s));
    }
    (ct, st)
}

#[test]
fn full_ecdsa_handshake_allocates_at_most_16_times_per_side() {
    let (client, server) = full_handshake("server-p256", server_config("server-p256"));
    eprintln!("ECDSA: client {client}, server {server}");
    assert!(client <= 16, "client: {client} allocations");
    assert!(server <= 16, "server: {server} allocations");
}

#[test]
fn full_rsa_handshake_allocates_at_most_16_times_per_side() {
    // About ten of the server's are ring's own, for the RSA private-key
    // operation (PERFORMANCE.md).
    let (client, server) = full_handshake("server-rsa2048", server_config("server-rsa2048"));
    eprintln!("RSA: client {client}, server {server}");
    assert!(client <= 16, "client: {client} allocations");
    assert!(server <= 16, "server: {server} allocations");
}

#[test]
fn records_in_steady_state_allocate_nothing() {
    let (mut c, mut s) = pair("server-p256");
    handshake(&mut c, &mut s).unwrap();
    while c.next_event().is_some() || s.next_event().is_some() {}
    let record = vec![0x5a; 16 * 1024];
    let mut buf = vec![0; 16 * 1024];
    let round = |c: &mut Connection, s: &mut Connection, buf: &mut [u8]| {
        assert_eq!(c.send(&record).unwrap(), record.len());
        // Not `transfer`, which copies the records first.
        pass(c, &mut 0, s, &mut 0);
        let mut got = 0;
        while got < record.len() {
            got += s.read(&mut buf[got..]);
        }
        assert_eq!(s.next_event(), Some(tls12::Event::ApplicationData));
    };
    // Warm up: buffers reach their working size.
    for _ in 0..2 {
        round(&mut c, &mut s, &mut buf);
        round(&mut s, &mut c, &mut buf);
    }
    let before = allocs();
    for _ in 0..50 {
        round(&mut c, &mut s, &mut buf);
        round(&mut s, &mut c, &mut buf);
    }
    assert_eq!(allocs() - before, 0, "allocations per 100 records");
}
