//! See `tls12::fuzzing::server_key_exchange`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::server_key_exchange(data);
});
