//! A client (trusting tests/fixtures/ca.pem, connecting to "localhost" at a
//! fixed time) fed arbitrary bytes as if from the server: `data[0]` sets the
//! chunk size, the rest is the byte stream. See `tls12::fuzzing::drive`.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use tls12::{ClientConfig, ServerConfig};

static CONFIGS: LazyLock<(Arc<ClientConfig>, Arc<ServerConfig>)> =
    LazyLock::new(tls12::fuzzing::configs);

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::client(&CONFIGS.0, data);
});
