//! See `tls12::fuzzing::alert`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::alert(data);
});
