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

/// One `#[test]` per row, each calling the function named first with the
/// row's arguments: for the interop tests that differ only in a suite, a
/// group, a key or a size. A row may carry attributes (`#[ignore]`) and, on
/// the lines above it, `// interop-matrix:` annotations;
/// tests/interop_matrix.rs reads row names as it reads `fn` names.
///
/// ```ignore
/// table_tests! {
///     our_client_suite;
///     our_client_to_s_server_ecdhe_rsa_aes128_gcm_sha256: ("ECDHE-RSA-AES128-GCM-SHA256");
/// }
/// ```
#[macro_export]
macro_rules! table_tests {
    ($run:path; $( $(#[$meta:meta])* $name:ident: ($($arg:expr),* $(,)?); )*) => {
        $(
            $(#[$meta])*
            #[test]
            fn $name() {
                $run($($arg),*)
            }
        )*
    };
}
