//! Runs N in-memory handshakes of one library, for counting instructions with
//! callgrind (see `scripts/perf.sh`):
//!
//! ```text
//! cargo bench --bench instructions --no-run
//! valgrind --tool=callgrind target/release/deps/instructions-* tls12 full-ecdsa-p256 20
//! ```
//!
//! Arguments: `tls12|rustls`, a handshake kind (`full-ecdsa-p256`,
//! `full-rsa2048`, `resume-session-id`, `resume-ticket`, and for tls12 alone
//! `full-psk`, `full-ecdhe-psk`) and N. Set-up
//! (configurations, two priming handshakes) is the same for every N, so the
//! per-handshake count is `(Ir(N) - Ir(0)) / N`.
//!
//! With `send` first, it seals N 16 KiB records of application data on an
//! established connection instead: `send
//! tls12|tls12-seal-in-place|tls12-send-with|rustls|ring-seal
//! aes128gcm|chacha20poly1305 N` (buffered `send` and output taken, the
//! zero-copy `seal_in_place`, `send_with` into a lent output area and
//! output taken, rustls's writer and `write_tls`, ring's own seal of the
//! same buffer), for a per-record count no noisy machine can blur. Run by `cargo bench` with no such arguments, it does nothing.

use std::hint::black_box;

mod support;
use support::*;
use tls12::testing::{name, now};
use tls12::{ClientConnection, ServerConnection};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [send, who, aead, n] = &args[..] {
        if send == "send" {
            return send_records(who, aead, n.parse().expect("a number of records"));
        }
    }
    let [lib, kind, n] = match &args[..] {
        [a, b, c] => [a.as_str(), b.as_str(), c.as_str()],
        _ => {
            eprintln!("usage: instructions tls12|rustls <kind> <handshakes>");
            return;
        }
    };
    let kind = Kind::parse(kind).unwrap_or_else(|| panic!("unknown kind {kind}"));
    let n: usize = n.parse().expect("a number of handshakes");
    match lib {
        "tls12" => {
            let configs = tls12_configs(kind);
            for _ in 0..n {
                black_box(tls12_connect(&configs, &mut no_hook));
            }
        }
        "rustls" => {
            let configs = rustls_configs(kind);
            let mut wire = Vec::with_capacity(1 << 16);
            for _ in 0..n {
                black_box(rustls_connect(&configs, &mut wire, &mut no_hook));
            }
        }
        other => panic!("unknown library {other}"),
    }
}

/// Seals `n` records of 16 KiB with `who`'s send path.
fn send_records(who: &str, aead: &str, n: usize) {
    let aead = Aead::ALL
        .into_iter()
        .find(|a| a.label() == aead)
        .unwrap_or_else(|| panic!("unknown AEAD {aead}"));
    let record = vec![0x5a; RECORD];
    match who {
        "tls12" => {
            let (mut cl, _sv) = tls12_established(aead);
            for _ in 0..n {
                tls12_send(&mut cl, &record);
            }
        }
        "tls12-seal-in-place" => {
            let (mut cl, _sv) = tls12_established(aead);
            let mut buf =
                vec![
                    0x5a;
                    tls12::Connection::SEAL_PREFIX + RECORD + tls12::Connection::SEAL_SUFFIX
                ];
            for _ in 0..n {
                black_box(cl.seal_in_place(&mut buf, RECORD).unwrap());
            }
        }
        "tls12-send-with" => {
            // The client's records written in its lent output area, where
            // they are sealed (the room is used as it is, as ring seals the
            // buffer as it is), and the output taken.
            let configs = tls12_bulk_configs(aead, |_, _| {});
            let areas = tls12::testing::lend(tls12::AreaSizes::for_client(&configs.client));
            let mut cl = Box::new(
                ClientConnection::with_areas(
                    configs.client.clone(),
                    name("localhost"),
                    now(),
                    areas,
                )
                .unwrap(),
            );
            let mut sv = Box::new(ServerConnection::new(configs.server.clone(), now()).unwrap());
            tls12_handshake(&mut cl, &mut sv, &mut no_hook);
            for _ in 0..n {
                let sent = cl.send_with(RECORD, |room| room.len()).unwrap();
                assert_eq!(sent, RECORD);
                let out = cl.pending_output().len();
                black_box(cl.pending_output());
                cl.consume_output(out);
            }
        }
        "rustls" => {
            let (mut cl, _sv) = rustls_established(aead);
            for _ in 0..n {
                rustls_send(&mut cl, &record);
            }
        }
        "ring-seal" => {
            let mut raw = RawAead::new(aead);
            let mut buf = record.clone();
            for _ in 0..n {
                let tag = raw.seal(&mut buf);
                black_box(&tag);
            }
        }
        other => panic!("unknown sender {other}"),
    }
}
