//! See `tls12::fuzzing::record_header`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::record_header(data);
});
