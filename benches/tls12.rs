//! Wall-clock comparison of tls12 and rustls 0.23 (ring provider, TLS 1.2
//! only), in memory, on the same fixture certificates. See PERFORMANCE.md.
//!
//! * `handshake-<kind>/{tls12,rustls}`: one complete handshake, client and
//!   server both, from creating the connections to both being established.
//! * `send-<aead>/{tls12,rustls,ring-seal}`: 64 MiB encrypted in 16 KiB
//!   records (one cached 16 KiB buffer, 4096 times) into the library's
//!   output, handed to the transport.
//! * `receive-<aead>/{tls12,tls12-in-place,rustls,ring-open}`: a pre-recorded
//!   stream of 64 MiB in 16 KiB records decrypted by a fresh receiver.
//!
//! ```text
//! cargo bench --bench tls12                                   # everything
//! cargo bench --bench tls12 -- --warm-up-time 1 --measurement-time 2 handshake
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};

mod support;
use support::*;
use tls12::Connection;

fn handshakes(c: &mut Criterion) {
    for kind in Kind::ALL {
        let ours = tls12_configs(kind);
        let theirs = rustls_configs(kind);
        let mut group = c.benchmark_group(format!("handshake-{}", kind.label()));
        group.bench_function("tls12", |b| {
            b.iter(|| {
                let pair = tls12_connect(&ours, &mut no_hook);
                assert_eq!(pair.0.handshake_info().unwrap().resumed, kind.resumed());
                black_box(pair)
            })
        });
        let mut wire = Vec::with_capacity(1 << 16);
        group.bench_function("rustls", |b| {
            b.iter(|| black_box(rustls_connect(&theirs, &mut wire, &mut no_hook)))
        });
        group.finish();
    }
}

fn bulk_group<'a>(
    c: &'a mut Criterion,
    name: String,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(BULK as u64));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group
}

fn send(c: &mut Criterion) {
    // One 16 KiB record of plaintext sent 4096 times: like ring-seal's
    // buffer, it stays in cache, so only the libraries' work differs.
    let record = vec![0x5a; RECORD];
    let send_all = |f: &mut dyn FnMut(&[u8])| {
        for _ in 0..BULK / RECORD {
            f(&record);
        }
    };
    for aead in Aead::ALL {
        let mut group = bulk_group(c, format!("send-{}", aead.label()));
        let (mut cl, _sv) = tls12_established(aead);
        group.bench_function("tls12", |b| {
            b.iter(|| send_all(&mut |r| tls12_send(&mut cl, r)))
        });
        let (mut cl, _sv) = rustls_established(aead);
        group.bench_function("rustls", |b| {
            b.iter(|| send_all(&mut |r| rustls_send(&mut cl, r)))
        });
        // Zero-copy send: each record sealed where its plaintext lies, in
        // the caller's buffer, as ring-seal does below.
        let (mut cl, _sv) = tls12_established(aead);
        let mut buf = vec![0x5a; Connection::SEAL_PREFIX + RECORD + Connection::SEAL_SUFFIX];
        group.bench_function("tls12-seal-in-place", |b| {
            b.iter(|| {
                for _ in 0..BULK / RECORD {
                    let record = cl.seal_in_place(&mut buf, RECORD).unwrap();
                    black_box(record);
                }
            })
        });
        let mut raw = RawAead::new(aead);
        let mut record = vec![0x5a; RECORD];
        group.bench_function("ring-seal", |b| {
            b.iter(|| {
                for _ in 0..BULK / RECORD {
                    let tag = raw.seal(&mut record);
                    black_box(&tag);
                }
            })
        });
        group.finish();
    }
}

fn receive(c: &mut Criterion) {
    let data = vec![0x5a; BULK];
    for aead in Aead::ALL {
        let mut group = bulk_group(c, format!("receive-{}", aead.label()));
        // A fresh receiver (sequence number 0) and the stream its peer sent.
        let tls12_input = || {
            let (mut cl, sv) = tls12_established(aead);
            let stream = tls12_record(&mut cl, &data);
            (sv, stream)
        };
        group.bench_function("tls12", |b| {
            b.iter_batched(
                tls12_input,
                |(mut sv, stream)| {
                    assert_eq!(tls12_receive(&mut sv, &stream), BULK);
                    (sv, stream)
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("tls12-in-place", |b| {
            b.iter_batched(
                tls12_input,
                |(mut sv, mut stream)| {
                    assert_eq!(tls12_receive_in_place(&mut sv, &mut stream), BULK);
                    (sv, stream)
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("rustls", |b| {
            b.iter_batched(
                || {
                    let (mut cl, sv) = rustls_established(aead);
                    let stream = rustls_record(&mut cl, &data);
                    (sv, stream)
                },
                |(mut sv, stream)| {
                    assert_eq!(rustls_receive(&mut sv, &stream), BULK);
                    (sv, stream)
                },
                BatchSize::PerIteration,
            )
        });
        // ring alone: open 4096 sealed 16 KiB records in place.
        let mut raw = RawAead::new(aead);
        let mut sealed = Vec::with_capacity(BULK + BULK / RECORD * 16);
        let mut record = vec![0x5a; RECORD];
        for _ in 0..BULK / RECORD {
            record.fill(0x5a);
            let tag = raw.seal(&mut record);
            sealed.extend_from_slice(&record);
            sealed.extend_from_slice(tag.as_ref());
        }
        group.bench_function("ring-open", |b| {
            b.iter_batched(
                || sealed.clone(),
                |mut stream| {
                    for (seq, rec) in stream.chunks_mut(RECORD + 16).enumerate() {
                        raw.open(seq as u64, rec);
                    }
                    stream
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = handshakes, send, receive
}
criterion_main!(benches);
