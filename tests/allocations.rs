//! Allocation counts and heap held: at most 16 allocations per side per
//! full handshake; none per record in steady state on the in-place paths,
//! and on the buffered ones under `IdleBuffers::Keep`; at most 2 KB held by
//! an idle connection whatever it has carried, under the default
//! `IdleBuffers::Release`. Counts are deterministic, so unlike timings they
//! can be asserted. `benches/memory.rs` compares them with rustls; this
//! guards them against regressions.
//!
//! Each test counts only its own thread's allocations, so the tests can run
//! in parallel.

mod common;
mod counting;

use std::sync::Arc;

use common::*;
use counting::{allocs, held_by};
use tls12::{
    ClientConfig, ClientConnection, Connection, IdleBuffers, ServerConfig, ServerConnection,
};

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

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

/// Configurations shared by the connections built on them: held by the
/// test, so that dropping a connection frees only what it owns.
type Configs = (Arc<ClientConfig>, Arc<ServerConfig>);

fn configs(policy: IdleBuffers, keep_chain: bool) -> Configs {
    let mut cc = client_config();
    cc.keep_peer_certificates = keep_chain;
    cc.limits.idle_buffers = policy;
    let mut sc = server_config("server-p256");
    sc.limits.idle_buffers = policy;
    (Arc::new(cc), Arc::new(sc))
}

/// A pair on `configs`, with the handshake done and its events taken.
fn established_on(configs: &Configs) -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = pair_from(configs.0.clone(), configs.1.clone(), "localhost");
    handshake(&mut c, &mut s).unwrap();
    while c.next_event().is_some() || s.next_event().is_some() {}
    (c, s)
}

fn established_pair(policy: IdleBuffers, keep_chain: bool) -> (ClientConnection, ServerConnection) {
    established_on(&configs(policy, keep_chain))
}

/// One 16 KiB record from `c` to `s` through the buffered API (`send`,
/// `pending_output`, `receive`, `read`).
fn buffered_round(c: &mut Connection, s: &mut Connection, record: &[u8], buf: &mut [u8]) {
    assert_eq!(c.send(record).unwrap(), record.len());
    // Not `transfer`, which copies the records first.
    pass(c, &mut 0, s, &mut 0);
    let mut got = 0;
    while got < record.len() {
        got += s.read(&mut buf[got..]);
    }
    assert_eq!(s.next_event(), Some(tls12::Event::ApplicationData));
}

/// Allocations per 100 records (50 each way) once buffers are warm.
fn steady_state_allocations(
    c: &mut Connection,
    s: &mut Connection,
    round: impl Fn(&mut Connection, &mut Connection),
) -> u64 {
    for _ in 0..2 {
        round(c, s);
        round(s, c);
    }
    let before = allocs();
    for _ in 0..50 {
        round(c, s);
        round(s, c);
    }
    allocs() - before
}

#[test]
fn buffered_records_allocate_nothing_when_buffers_are_kept() {
    let (mut c, mut s) = established_pair(IdleBuffers::Keep, true);
    let record = vec![0x5a; 16 * 1024];
    let buf = std::cell::RefCell::new(vec![0; 16 * 1024]);
    let n = steady_state_allocations(&mut c, &mut s, |a, b| {
        buffered_round(a, b, &record, &mut buf.borrow_mut())
    });
    assert_eq!(n, 0, "allocations per 100 records");
}

#[test]
fn buffered_records_allocate_once_per_buffer_refilled_when_released() {
    // The default: the output queue and the plaintext queue are freed when
    // emptied, so each record sent and read costs one allocation each (the
    // price of the idle figure below; the in-place paths avoid it).
    let (mut c, mut s) = established_pair(IdleBuffers::Release, true);
    let record = vec![0x5a; 16 * 1024];
    let buf = std::cell::RefCell::new(vec![0; 16 * 1024]);
    let n = steady_state_allocations(&mut c, &mut s, |a, b| {
        buffered_round(a, b, &record, &mut buf.borrow_mut())
    });
    assert_eq!(n, 200, "allocations per 100 records");
}

#[test]
fn in_place_records_allocate_nothing_by_default() {
    // `seal_in_place` into the caller's buffer, `receive_in_place` from it.
    let (mut c, mut s) = established_pair(IdleBuffers::default(), true);
    let len = 16 * 1024;
    let prefix = Connection::SEAL_PREFIX;
    let buf = std::cell::RefCell::new(vec![0x5a; prefix + len + Connection::SEAL_SUFFIX]);
    let n = steady_state_allocations(&mut c, &mut s, |a, b| {
        let mut buf = buf.borrow_mut();
        buf[prefix..prefix + len].fill(0x5a);
        let base = buf.as_ptr() as usize;
        let range = {
            let record = a.seal_in_place(&mut buf, len).unwrap();
            let start = record.as_ptr() as usize - base;
            start..start + record.len()
        };
        let got = b.receive_in_place(&mut buf[range.clone()]).unwrap();
        assert_eq!(got.consumed, range.len());
        assert_eq!(got.application_data.len(), len);
        assert!(got.application_data.iter().all(|&x| x == 0x5a));
    });
    assert_eq!(n, 0, "allocations per 100 records");
}

/// Moves `data` from `a` to `b` through the buffered API, in 16 KiB writes.
fn move_through(a: &mut Connection, b: &mut Connection, data: &[u8]) {
    let mut buf = vec![0; 16 * 1024];
    for chunk in data.chunks(16 * 1024) {
        buffered_round(a, b, chunk, &mut buf[..chunk.len()]);
    }
}

#[test]
fn an_idle_connection_holds_at_most_2_kb_whatever_it_carried() {
    let data = vec![0x33u8; 1 << 20];
    let cfg = configs(IdleBuffers::Release, false);
    let (mut c, mut s) = established_on(&cfg);
    let (c_fresh, s_fresh) = {
        let (c0, s0) = established_on(&cfg);
        (held_by(c0), held_by(s0))
    };
    move_through(&mut c, &mut s, &data);
    move_through(&mut s, &mut c, &data);
    let (c_held, s_held) = (held_by(c), held_by(s));
    eprintln!("idle heap after 1 MiB each way: client {c_held} B (fresh {c_fresh} B), server {s_held} B (fresh {s_fresh} B)");
    assert!(c_held <= 2048, "client holds {c_held} bytes");
    assert!(s_held <= 2048, "server holds {s_held} bytes");
    // Back to what the connection held right after its handshake.
    assert_eq!(c_held, c_fresh);
    assert_eq!(s_held, s_fresh);

    // Under `Keep`, the buffers stay at their working size.
    let cfg = configs(IdleBuffers::Keep, false);
    let (mut c, mut s) = established_on(&cfg);
    move_through(&mut c, &mut s, &data);
    move_through(&mut s, &mut c, &data);
    let (c_held, s_held) = (held_by(c), held_by(s));
    eprintln!("with IdleBuffers::Keep: client {c_held} B, server {s_held} B");
    assert!(c_held > 32 * 1024 && s_held > 32 * 1024);
}

#[test]
fn a_partial_record_buffer_is_returned_once_the_record_completes() {
    let cfg = configs(IdleBuffers::Release, false);
    let (mut c, mut s) = established_on(&cfg);
    let fresh = {
        let (_c0, s0) = established_on(&cfg);
        held_by(s0)
    };
    c.send(&vec![7u8; 16 * 1024]).unwrap();
    let wire = take_output(&mut c);
    // The record arrives in two pieces: the first is held in the
    // partial-record buffer.
    let half = wire.len() / 2;
    assert_eq!(s.receive(&wire[..half]).unwrap(), half);
    assert_eq!(s.receive(&wire[half..]).unwrap(), wire.len() - half);
    assert_eq!(drain_plaintext(&mut s).len(), 16 * 1024);
    assert_eq!(held_by(s), fresh);
}
