//! The mutated handshake of `mutated_handshake`, run twice on the same input:
//! every byte on the wire must be the same both times, so findings replay. See
//! `tls12::fuzzing::replay`.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use tls12::{ClientConfig, ServerConfig};

static CONFIGS: LazyLock<(Arc<ClientConfig>, Arc<ServerConfig>)> =
    LazyLock::new(tls12::fuzzing::configs);

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::replay(&CONFIGS.0, &CONFIGS.1, data);
});
