//! A live client–server handshake whose records are dropped, duplicated,
//! swapped, bit-flipped, truncated, split, merged, opened, changed and
//! sealed again, or joined by injected records, as the input says; in the
//! configurations that leave keys and verdicts to the caller, the input also
//! says how and when the paused sides are answered. See
//! `tls12::fuzzing::live` for the input format.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use tls12::{ClientConfig, ServerConfig};

static CONFIGS: LazyLock<(Arc<ClientConfig>, Arc<ServerConfig>)> =
    LazyLock::new(tls12::fuzzing::configs);

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::mutated_handshake(&CONFIGS.0, &CONFIGS.1, data);
});
