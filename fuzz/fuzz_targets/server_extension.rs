//! See `tls12::fuzzing::server_extension`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::server_extension(data);
});
