//! A server (tests/fixtures/server-p256) fed arbitrary bytes as if from the
//! client: `data[0]` sets the chunk size, the rest is the byte stream. See
//! `tls12::fuzzing::drive`.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use tls12::{ClientConfig, ServerConfig};

static CONFIGS: LazyLock<(Arc<ClientConfig>, Arc<ServerConfig>)> =
    LazyLock::new(tls12::fuzzing::configs);

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::server(&CONFIGS.1, data);
});
