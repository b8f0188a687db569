//! Cryptography, delegated to `ring` (and, behind opt-in cargo features,
//! RustCrypto crates for what ring lacks): the PRF and key schedule, ECDHE,
//! RSA key transport's premaster secret, signatures, the transcript hash
//! and the suite table.

pub(crate) mod exporter;
pub(crate) mod keys;
pub(crate) mod kx;
pub(crate) mod prf;
pub(crate) mod rand;
pub(crate) mod rsa_kx;
pub(crate) mod sign;
pub(crate) mod signature;
pub(crate) mod suites;
pub(crate) mod transcript;

#[cfg(test)]
pub(crate) mod testutil;

/// Compares two byte strings without a data-dependent early exit, so that
/// comparing a peer's Finished `verify_data` (RFC 5246 §7.4.9) or any other
/// MAC-like value does not leak how many leading bytes matched.
///
/// Lengths are public in every use (they are fixed by the protocol), so a
/// length mismatch returns `false` at once.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // `black_box` keeps the optimiser from turning the fold back into an
    // early-exit comparison.
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"xbc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
