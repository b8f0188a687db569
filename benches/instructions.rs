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
//! per-handshake count is `(Ir(N) - Ir(0)) / N`. Run by `cargo bench` with
//! no such arguments, it does nothing.

use std::hint::black_box;

mod support;
use support::*;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
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
