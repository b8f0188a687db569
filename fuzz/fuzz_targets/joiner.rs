//! See `tls12::fuzzing::joiner`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::joiner(data);
});
