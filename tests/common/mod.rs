//! Shared test helpers: `tls12::testing` (the fixture PKI, the fixed time,
//! connected pairs, record builders) plus what only tests on a real machine
//! need (fixture paths for external tools, child processes).
#![allow(dead_code)]

pub mod peer;
pub mod wire;

pub use tls12::testing::*;

/// The path of fixture `name`, for external tools that read files.
pub fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}
