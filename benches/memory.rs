//! Heap use and allocation counts of tls12 and rustls 0.23, measured with a
//! counting global allocator. Every allocation is attributed to whoever runs
//! at the time: the client, the server, or the harness (set-up, moving bytes).
//!
//! ```text
//! cargo bench --bench memory
//! ```
//!
//! Prints one `FIGURE|name|tls12|rustls|unit` line per figure (parsed by
//! `scripts/perf.sh`), after a human-readable table.
//!
//! * heap held: bytes freed when the connection (boxed, so its own struct
//!   counts) is dropped, i.e. everything it owns; caches and configurations
//!   are shared and not counted.
//! * peak heap: the highest live heap of one side during a handshake,
//!   relative to before it started.
//! * allocations: calls to `alloc`/`alloc_zeroed`/`realloc`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering::Relaxed};

mod support;
use support::*;
use tls12::testing::{name, now};
use tls12::{ClientConnection, ServerConnection};

struct Counting;

const BUCKETS: usize = 3;
static BUCKET: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: [AtomicU64; BUCKETS] = [const { AtomicU64::new(0) }; BUCKETS];
static LIVE: [AtomicI64; BUCKETS] = [const { AtomicI64::new(0) }; BUCKETS];
static PEAK: [AtomicI64; BUCKETS] = [const { AtomicI64::new(0) }; BUCKETS];
static TOTAL_LIVE: AtomicI64 = AtomicI64::new(0);

fn grow(by: i64) {
    let b = BUCKET.load(Relaxed);
    let live = LIVE[b].fetch_add(by, Relaxed) + by;
    PEAK[b].fetch_max(live, Relaxed);
    TOTAL_LIVE.fetch_add(by, Relaxed);
}

fn count() {
    ALLOCS[BUCKET.load(Relaxed)].fetch_add(1, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        grow(layout.size() as i64);
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        grow(layout.size() as i64);
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        grow(-(layout.size() as i64));
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        grow(new_size as i64 - layout.size() as i64);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn idx(who: Who) -> usize {
    match who {
        Who::Harness => 0,
        Who::Client => 1,
        Who::Server => 2,
    }
}

fn set(who: Who) {
    BUCKET.store(idx(who), Relaxed);
}

#[derive(Debug, Clone, Copy, Default)]
struct Snapshot {
    allocs: [u64; BUCKETS],
    live: [i64; BUCKETS],
}

fn snapshot() -> Snapshot {
    let mut s = Snapshot::default();
    for b in 0..BUCKETS {
        s.allocs[b] = ALLOCS[b].load(Relaxed);
        s.live[b] = LIVE[b].load(Relaxed);
    }
    s
}

fn reset_peaks() {
    for b in 0..BUCKETS {
        PEAK[b].store(LIVE[b].load(Relaxed), Relaxed);
    }
}

/// Bytes freed by dropping `x`.
fn held_by<T>(x: T) -> i64 {
    let before = TOTAL_LIVE.load(Relaxed);
    drop(x);
    before - TOTAL_LIVE.load(Relaxed)
}

/// What one handshake cost each side.
#[derive(Debug, Default, Clone, Copy)]
struct HandshakeCost {
    client_allocs: u64,
    server_allocs: u64,
    client_peak: i64,
    server_peak: i64,
}

fn measure_handshake(run: impl FnOnce(Hook<'_>)) -> HandshakeCost {
    reset_peaks();
    let before = snapshot();
    let mut hook = |w: Who| set(w);
    run(&mut hook);
    set(Who::Harness);
    let after = snapshot();
    let (c, s) = (idx(Who::Client), idx(Who::Server));
    HandshakeCost {
        client_allocs: after.allocs[c] - before.allocs[c],
        server_allocs: after.allocs[s] - before.allocs[s],
        client_peak: PEAK[c].load(Relaxed) - before.live[c],
        server_peak: PEAK[s].load(Relaxed) - before.live[s],
    }
}

fn tls12_handshake_cost(kind: Kind) -> HandshakeCost {
    let configs = tls12_configs(kind);
    // The median of a few runs (session caches and tickets settle after one).
    median_cost((0..5).map(|_| {
        measure_handshake(|hook| {
            let pair = tls12_connect(&configs, hook);
            set(Who::Harness);
            drop(pair);
        })
    }))
}

fn rustls_handshake_cost(kind: Kind) -> HandshakeCost {
    let configs = rustls_configs(kind);
    let mut wire = Vec::with_capacity(1 << 16);
    median_cost((0..5).map(|_| {
        measure_handshake(|hook| {
            let pair = rustls_connect(&configs, &mut wire, hook);
            set(Who::Harness);
            drop(pair);
        })
    }))
}

fn median_cost(runs: impl Iterator<Item = HandshakeCost>) -> HandshakeCost {
    let runs: Vec<_> = runs.collect();
    fn med<T: Ord + Copy>(mut v: Vec<T>) -> T {
        v.sort();
        v[v.len() / 2]
    }
    HandshakeCost {
        client_allocs: med(runs.iter().map(|r| r.client_allocs).collect()),
        server_allocs: med(runs.iter().map(|r| r.server_allocs).collect()),
        client_peak: med(runs.iter().map(|r| r.client_peak).collect()),
        server_peak: med(runs.iter().map(|r| r.server_peak).collect()),
    }
}

/// Moves `data` from one tls12 connection to the other, record by record,
/// the receiver reading everything.
fn tls12_exchange(from: &mut tls12::Connection, to: &mut tls12::Connection, data: &[u8]) {
    for chunk in data.chunks(RECORD) {
        from.send(chunk).unwrap();
        tls12_move(from, Who::Harness, to, Who::Harness, &mut no_hook);
        let n = to.plaintext().len();
        to.consume_plaintext(n);
        while to.next_event().is_some() {}
    }
}

fn rustls_exchange(from: &mut rustls::Connection, to: &mut rustls::Connection, data: &[u8]) {
    use std::io::{Read, Write};
    let mut wire = Vec::new();
    let mut buf = vec![0u8; RECORD];
    for chunk in data.chunks(RECORD) {
        from.writer().write_all(chunk).unwrap();
        rustls_move(
            from,
            Who::Harness,
            to,
            Who::Harness,
            &mut wire,
            &mut no_hook,
        );
        while let Ok(n) = to.reader().read(&mut buf) {
            if n == 0 {
                break;
            }
        }
    }
}

struct Figure {
    name: String,
    tls12: f64,
    rustls: f64,
    unit: &'static str,
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter we ignore.
    let mut figures = Vec::new();
    let mut fig = |name: &str, tls12: f64, rustls: f64, unit: &'static str| {
        figures.push(Figure {
            name: name.to_string(),
            tls12,
            rustls,
            unit,
        })
    };

    // --- Heap held by an established idle connection.
    {
        let configs = tls12_configs(Kind::FullEcdsa);
        let (c, s) = tls12_connect(&configs, &mut no_hook);
        let (t_c, t_s) = (held_by(c), held_by(s));
        let configs = rustls_configs(Kind::FullEcdsa);
        let mut wire = Vec::new();
        let (c, s) = rustls_connect(&configs, &mut wire, &mut no_hook);
        let (r_c, r_s) = (held_by(c), held_by(s));
        fig(
            "idle heap, client, after handshake",
            t_c as f64,
            r_c as f64,
            "bytes",
        );
        fig(
            "idle heap, server, after handshake",
            t_s as f64,
            r_s as f64,
            "bytes",
        );
        // The same client, told not to keep the server's chain (rustls has no
        // such switch, so its figure is the default one).
        let configs = tls12_configs(Kind::FullEcdsa);
        let mut lean = (*configs.client).clone();
        lean.keep_peer_certificates = false;
        let lean = Tls12Configs {
            client: std::sync::Arc::new(lean),
            server: configs.server.clone(),
        };
        let (c, _s) = tls12_connect(&lean, &mut no_hook);
        fig(
            "idle heap, client, keep_peer_certificates = false",
            held_by(c) as f64,
            r_c as f64,
            "bytes",
        );

        // After 1 MiB each way. The configurations are kept, as above, so
        // that only what the connections own counts.
        let data = vec![0x33u8; 1 << 20];
        let configs = tls12_bulk_configs(Aead::Aes128Gcm, |_, _| {});
        let (mut c, mut s) = tls12_established_on(&configs);
        tls12_exchange(&mut c, &mut s, &data);
        tls12_exchange(&mut s, &mut c, &data);
        let (t_c, t_s) = (held_by(c), held_by(s));
        let rustls_bulk = rustls_bulk_configs(Aead::Aes128Gcm);
        let (mut c, mut s) = rustls_established_on(&rustls_bulk);
        rustls_exchange(&mut c, &mut s, &data);
        rustls_exchange(&mut s, &mut c, &data);
        let (r_c, r_s) = (held_by(c), held_by(s));
        fig(
            "idle heap, client, after 1 MiB each way",
            t_c as f64,
            r_c as f64,
            "bytes",
        );
        fig(
            "idle heap, server, after 1 MiB each way",
            t_s as f64,
            r_s as f64,
            "bytes",
        );
        let lean = |c: &mut tls12::ClientConfig, _: &mut tls12::ServerConfig| {
            c.keep_peer_certificates = false;
        };
        let lean = tls12_bulk_configs(Aead::Aes128Gcm, lean);
        let (mut c, mut s) = tls12_established_on(&lean);
        tls12_exchange(&mut c, &mut s, &data);
        tls12_exchange(&mut s, &mut c, &data);
        fig(
            "idle heap, client, after 1 MiB each way, keep_peer_certificates = false",
            held_by(c) as f64,
            r_c as f64,
            "bytes",
        );
        // Buffers kept at their working size (`IdleBuffers::Keep`).
        let keep = |c: &mut tls12::ClientConfig, s: &mut tls12::ServerConfig| {
            c.keep_peer_certificates = false;
            c.limits.idle_buffers = tls12::IdleBuffers::Keep;
            s.limits.idle_buffers = tls12::IdleBuffers::Keep;
        };
        let keep = tls12_bulk_configs(Aead::Aes128Gcm, keep);
        let (mut c, mut s) = tls12_established_on(&keep);
        tls12_exchange(&mut c, &mut s, &data);
        tls12_exchange(&mut s, &mut c, &data);
        let (t_c, t_s) = (held_by(c), held_by(s));
        fig(
            "idle heap, client, after 1 MiB each way, IdleBuffers::Keep",
            t_c as f64,
            r_c as f64,
            "bytes",
        );
        fig(
            "idle heap, server, after 1 MiB each way, IdleBuffers::Keep",
            t_s as f64,
            r_s as f64,
            "bytes",
        );
    }

    // The connection structs themselves (included in the heap held above).
    fig(
        "size_of client connection struct",
        std::mem::size_of::<tls12::ClientConnection>() as f64,
        std::mem::size_of::<rustls::Connection>() as f64,
        "bytes",
    );
    fig(
        "size_of server connection struct",
        std::mem::size_of::<tls12::ServerConnection>() as f64,
        std::mem::size_of::<rustls::Connection>() as f64,
        "bytes",
    );

    // --- Handshakes: allocations and peak heap per side.
    for kind in Kind::ALL {
        let t = tls12_handshake_cost(kind);
        let r = rustls_handshake_cost(kind);
        let l = kind.label();
        fig(
            &format!("allocations, client, {l}"),
            t.client_allocs as f64,
            r.client_allocs as f64,
            "allocs",
        );
        fig(
            &format!("allocations, server, {l}"),
            t.server_allocs as f64,
            r.server_allocs as f64,
            "allocs",
        );
        fig(
            &format!("peak heap, client, {l}"),
            t.client_peak as f64,
            r.client_peak as f64,
            "bytes",
        );
        fig(
            &format!("peak heap, server, {l}"),
            t.server_peak as f64,
            r.server_peak as f64,
            "bytes",
        );
    }

    // --- Handshakes only tls12 has (rustls has no TLS 1.2 PSK): NaN, shown
    // as n/a.
    for kind in Kind::TLS12_ONLY {
        let t = tls12_handshake_cost(kind);
        let l = kind.label();
        for (what, value) in [
            (format!("allocations, client, {l}"), t.client_allocs as f64),
            (format!("allocations, server, {l}"), t.server_allocs as f64),
            (format!("peak heap, client, {l}"), t.client_peak as f64),
            (format!("peak heap, server, {l}"), t.server_peak as f64),
        ] {
            let unit = if what.starts_with("alloc") {
                "allocs"
            } else {
                "bytes"
            };
            fig(&what, value, f64::NAN, unit);
        }
    }

    // --- Peak heap of a handshake with 512-byte records (RFC 6066 §4),
    // for devices that ask for small records.
    {
        let mut configs = tls12_configs(Kind::FullEcdsa);
        let mut cc = (*configs.client).clone();
        cc.max_fragment_length = Some(tls12::MaxFragmentLength::L512);
        configs.client = std::sync::Arc::new(cc);
        let t = median_cost((0..5).map(|_| {
            measure_handshake(|hook| {
                let pair = tls12_connect(&configs, hook);
                assert_eq!(pair.0.handshake_info().unwrap().max_fragment_in, 512);
                set(Who::Harness);
                drop(pair);
            })
        }));
        let label = "full-ecdsa-p256, max_fragment_length 512";
        fig(
            &format!("peak heap, client, {label}"),
            t.client_peak as f64,
            f64::NAN,
            "bytes",
        );
        fig(
            &format!("peak heap, server, {label}"),
            t.server_peak as f64,
            f64::NAN,
            "bytes",
        );
    }

    // --- A device's connections under IdleBuffers::Preallocated: the heap
    // taken when made (everything the connection will use), and the
    // allocations of a full handshake after that (none: tests/no_alloc.rs).
    {
        let device = |records: Option<tls12::MaxFragmentLength>| {
            let configs = tls12_configs(Kind::FullEcdsa);
            let mut cc = (*configs.client).clone();
            let mut sc = (*configs.server).clone();
            let record = records.map_or(16 * 1024, |m| usize::from(m.length()));
            // The caps of tests/no_alloc.rs.
            let (message, hello) = if records.is_some() {
                (2048, 1024)
            } else {
                (16 * 1024, 16 * 1024)
            };
            for limits in [&mut cc.limits, &mut sc.limits] {
                limits.idle_buffers = tls12::IdleBuffers::Preallocated;
                limits.max_handshake_message_len = message;
                limits.max_client_hello_len = hello;
                limits.max_buffered_plaintext = record;
                limits.max_buffered_output = record + 29;
            }
            cc.max_fragment_len = record;
            cc.max_fragment_length = records;
            cc.keep_peer_certificates = false;
            cc.session_cache = None;
            cc.enable_tickets = false;
            sc.max_fragment_len = record;
            // What the server expects to receive, and tells a client that
            // offers record_size_limit (RFC 8449 §4).
            sc.record_size_limit = record as u16;
            sc.session_cache = None;
            sc.ticketer = None;
            Tls12Configs {
                client: std::sync::Arc::new(cc),
                server: std::sync::Arc::new(sc),
            }
        };
        for (label, records) in [
            (
                "max_fragment_length 512",
                Some(tls12::MaxFragmentLength::L512),
            ),
            ("16 KiB records", None),
        ] {
            let configs = device(records);
            let c = Box::new(
                ClientConnection::new(configs.client.clone(), name("localhost"), now()).unwrap(),
            );
            let s = Box::new(ServerConnection::new(configs.server.clone(), now()).unwrap());
            fig(
                &format!("heap taken when made, IdleBuffers::Preallocated, client, {label}"),
                held_by(c) as f64,
                f64::NAN,
                "bytes",
            );
            fig(
                &format!("heap taken when made, IdleBuffers::Preallocated, server, {label}"),
                held_by(s) as f64,
                f64::NAN,
                "bytes",
            );
        }
        // The same connections on memory the caller lends (tls12::Areas
        // and a tls12::HandshakeSlot): the areas' and the slot's bytes, and
        // the heap the rest takes.
        for (label, records) in [
            (
                "max_fragment_length 512",
                Some(tls12::MaxFragmentLength::L512),
            ),
            ("16 KiB records", None),
        ] {
            let configs = device(records);
            let sizes = (
                tls12::AreaSizes::for_client(&configs.client),
                tls12::AreaSizes::for_server(&configs.server),
            );
            let (ca, sa) = (tls12::testing::lend(sizes.0), tls12::testing::lend(sizes.1));
            let c = Box::new(
                ClientConnection::with_areas(configs.client.clone(), name("localhost"), now(), ca)
                    .unwrap(),
            );
            let s =
                Box::new(ServerConnection::with_areas(configs.server.clone(), now(), sa).unwrap());
            for (side, total, heap) in [
                ("client", sizes.0.total(), held_by(c)),
                ("server", sizes.1.total(), held_by(s)),
            ] {
                let total = total + std::mem::size_of::<tls12::HandshakeSlot>();
                fig(
                    &format!("caller memory lent (Areas, HandshakeSlot), {side}, {label}"),
                    total as f64,
                    f64::NAN,
                    "bytes",
                );
                fig(
                    &format!("heap taken when made on lent areas, IdleBuffers::Preallocated, {side}, {label}"),
                    heap as f64,
                    f64::NAN,
                    "bytes",
                );
            }
        }
        let configs = device(Some(tls12::MaxFragmentLength::L512));
        let mut c =
            ClientConnection::new(configs.client.clone(), name("localhost"), now()).unwrap();
        let mut s = ServerConnection::new(configs.server.clone(), now()).unwrap();
        let t = measure_handshake(|hook| tls12_handshake(&mut c, &mut s, hook));
        assert_eq!(c.handshake_info().unwrap().max_fragment_in, 512);
        let mut allocs = |label: &str, t: &HandshakeCost| {
            for (side, n) in [("client", t.client_allocs), ("server", t.server_allocs)] {
                fig(
                    &format!("allocations, {side}, {label}"),
                    n as f64,
                    f64::NAN,
                    "allocs",
                );
            }
        };
        allocs(
            "full-ecdsa-p256 after construction, IdleBuffers::Preallocated",
            &t,
        );
        // Mutual TLS on the same device caps, the server keeping no chain.
        set(Who::Harness);
        let configs = device(Some(tls12::MaxFragmentLength::L512));
        let mut cc = (*configs.client).clone();
        cc.add_client_certificate(
            tls12::testing::certs("client-p256.chain.pem"),
            tls12::testing::key("client-p256.key"),
        )
        .unwrap();
        let mut sc = (*configs.server).clone();
        sc.client_auth = tls12::ClientAuth::Required(tls12::testing::roots());
        sc.keep_peer_certificates = false;
        let (cc, sc) = (std::sync::Arc::new(cc), std::sync::Arc::new(sc));
        let mut c = ClientConnection::new(cc, name("localhost"), now()).unwrap();
        let mut s = ServerConnection::new(sc, now()).unwrap();
        let t = measure_handshake(|hook| tls12_handshake(&mut c, &mut s, hook));
        assert!(c
            .handshake_info()
            .unwrap()
            .client_signature_scheme
            .is_some());
        allocs(
            "full-ecdsa-p256 mutual TLS after construction, IdleBuffers::Preallocated",
            &t,
        );
        set(Who::Harness);
    }

    // --- Steady-state records: allocations per 16 KiB record.
    const WARM: usize = 16;
    const COUNTED: usize = 256;
    let data = vec![0x77u8; (WARM + COUNTED) * RECORD];
    let (warm, counted) = data.split_at(WARM * RECORD);
    let per_record = |who: Who, f: &mut dyn FnMut()| {
        let before = snapshot();
        set(who);
        f();
        set(Who::Harness);
        (snapshot().allocs[idx(who)] - before.allocs[idx(who)]) as f64 / COUNTED as f64
    };
    for aead in Aead::ALL {
        let l = aead.label();
        // Send.
        let (mut c, _s) = tls12_established(aead);
        tls12_send(&mut c, warm);
        let t = per_record(Who::Client, &mut || tls12_send(&mut c, counted));
        let (mut c, _s) = rustls_established(aead);
        rustls_send(&mut c, warm);
        let r = per_record(Who::Client, &mut || rustls_send(&mut c, counted));
        fig(&format!("allocations per record sent, {l}"), t, r, "allocs");
        let keep = |c: &mut tls12::ClientConfig, s: &mut tls12::ServerConfig| {
            c.limits.idle_buffers = tls12::IdleBuffers::Keep;
            s.limits.idle_buffers = tls12::IdleBuffers::Keep;
        };
        let (mut c, _s) = tls12_established_on(&tls12_bulk_configs(aead, keep));
        tls12_send(&mut c, warm);
        let t_keep = per_record(Who::Client, &mut || tls12_send(&mut c, counted));
        fig(
            &format!("allocations per record sent, {l}, IdleBuffers::Keep"),
            t_keep,
            r,
            "allocs",
        );
        let (mut c, _s) = tls12_established(aead);
        let mut buf =
            vec![0u8; tls12::Connection::SEAL_PREFIX + RECORD + tls12::Connection::SEAL_SUFFIX];
        let mut seal_all = |records: usize| {
            for _ in 0..records {
                std::hint::black_box(c.seal_in_place(&mut buf, RECORD).unwrap());
            }
        };
        seal_all(WARM);
        let t_zero = per_record(Who::Client, &mut || seal_all(COUNTED));
        fig(
            &format!("allocations per record sealed in place, {l}"),
            t_zero,
            r,
            "allocs",
        );

        // Receive (buffered) and receive_in_place.
        let (mut c, mut s) = tls12_established(aead);
        let stream = tls12_record(&mut c, &data);
        let (warm_s, counted_s) = stream.split_at(stream.len() / (WARM + COUNTED) * WARM);
        tls12_receive(&mut s, warm_s);
        let t = per_record(Who::Server, &mut || {
            tls12_receive(&mut s, counted_s);
        });
        let (mut c, mut s) = tls12_established_on(&tls12_bulk_configs(aead, keep));
        let stream = tls12_record(&mut c, &data);
        let (warm_s, counted_s) = stream.split_at(stream.len() / (WARM + COUNTED) * WARM);
        tls12_receive(&mut s, warm_s);
        let t_keep = per_record(Who::Server, &mut || {
            tls12_receive(&mut s, counted_s);
        });
        let (mut c, mut s) = tls12_established(aead);
        let mut stream = tls12_record(&mut c, &data);
        let split = stream.len() / (WARM + COUNTED) * WARM;
        let (warm_s, counted_s) = stream.split_at_mut(split);
        tls12_receive_in_place(&mut s, warm_s);
        let t_in_place = per_record(Who::Server, &mut || {
            tls12_receive_in_place(&mut s, counted_s);
        });
        let (mut c, mut s) = rustls_established(aead);
        let stream = rustls_record(&mut c, &data);
        let (warm_s, counted_s) = stream.split_at(stream.len() / (WARM + COUNTED) * WARM);
        rustls_receive(&mut s, warm_s);
        let r = per_record(Who::Server, &mut || {
            rustls_receive(&mut s, counted_s);
        });
        fig(
            &format!("allocations per record received, {l}"),
            t,
            r,
            "allocs",
        );
        fig(
            &format!("allocations per record received, {l}, IdleBuffers::Keep"),
            t_keep,
            r,
            "allocs",
        );
        fig(
            &format!("allocations per record received in place, {l}"),
            t_in_place,
            r,
            "allocs",
        );
    }

    println!(
        "{:<52} {:>12} {:>12} {:>8}",
        "figure", "tls12", "rustls", "ratio"
    );
    for f in &figures {
        let ratio = if f.rustls == 0.0 {
            f64::NAN
        } else {
            f.tls12 / f.rustls
        };
        println!(
            "{:<52} {:>12} {:>12} {:>8.3}  {}",
            f.name,
            fmt(f.tls12),
            fmt(f.rustls),
            ratio,
            f.unit
        );
    }
    for f in &figures {
        println!("FIGURE|{}|{}|{}|{}", f.name, f.tls12, f.rustls, f.unit);
    }
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
