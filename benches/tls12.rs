//! Baseline benchmarks of tls12 alone: a full handshake and bulk transfer,
//! in memory. The side-by-side comparison with rustls is issue 6's work.
//!
//! ```text
//! cargo bench --bench tls12
//! ```

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use std::sync::Arc;

use tls12::{CipherSuite, ClientConnection, ServerConnection};

fn full_handshake(c: &mut Criterion) {
    for identity in ["server-p256", "server-rsa2048"] {
        // Configurations are built once and shared, as in a real server.
        let client = Arc::new(client_config());
        let server = Arc::new(server_config(identity));
        c.bench_function(&format!("full handshake {identity} x25519"), |b| {
            b.iter(|| {
                let mut cl =
                    ClientConnection::new(client.clone(), name("localhost"), now()).unwrap();
                let mut sv = ServerConnection::new(server.clone(), now()).unwrap();
                handshake(&mut cl, &mut sv).unwrap();
            })
        });
    }
}

fn bulk(c: &mut Criterion) {
    const LEN: usize = 1 << 20;
    let data = vec![0x5a; LEN];
    let mut group = c.benchmark_group("bulk 1 MiB in 16 KiB records");
    group.throughput(Throughput::Bytes(LEN as u64));
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        group.bench_function(format!("{suite:?}"), |b| {
            b.iter_batched(
                || {
                    let mut cc = client_config();
                    cc.cipher_suites = vec![suite];
                    let (mut cl, mut sv) = pair_with(cc, server_config("server-p256"), "localhost");
                    handshake(&mut cl, &mut sv).unwrap();
                    (cl, sv)
                },
                |(mut cl, mut sv)| {
                    let got = send_and_receive(&mut cl, &mut sv, &data);
                    assert_eq!(got.len(), LEN);
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, full_handshake, bulk);
criterion_main!(benches);
