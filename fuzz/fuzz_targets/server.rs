//! A server (tests/fixtures/server-p256) fed arbitrary bytes as if from the
//! client: `data[0]` sets the chunk size, the rest is the byte stream. See
//! `tls12::fuzzing::drive`.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use tls12::ServerConfig;

static CONFIG: LazyLock<Arc<ServerConfig>> = LazyLock::new(|| {
    tls12::fuzzing::server_config(
        include_bytes!("../../tests/fixtures/server-p256.chain.pem"),
        include_bytes!("../../tests/fixtures/server-p256.key"),
    )
});

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::server(&CONFIG, data);
});
