//! Test-only helpers and fixtures for the crypto module.
//!
//! The keys and certificates under `testdata/` were generated once with the
//! OpenSSL 3.0 command line (throw-away keys, self-signed, 100-year validity):
//!
//! ```text
//! openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem
//! openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem
//! openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem
//! openssl genpkey -algorithm ED25519 -out ed25519.pem
//! openssl pkcs8 -topk8 -nocrypt -in $k.pem -outform DER -out $k.pkcs8.der
//! openssl req -x509 -key $k.pem -subj "/CN=$k.test" -days 36500 -outform DER -out $k.cert.der
//! openssl rsa -in rsa.pem -traditional -outform DER -out rsa.pkcs1.der
//! openssl ec -in p256.pem -outform DER -out p256.sec1.der
//! openssl ec -in p384.pem -outform DER -out p384.sec1.der
//! ```
//!
//! plus two ECDSA signatures whose hash does not match the curve's usual
//! one, over `client_random + server_random + ServerECDHParams` (no newline):
//!
//! ```text
//! openssl dgst -sha256 -sign p384.pem -out p384_sha256.sig msg
//! openssl dgst -sha384 -sign p256.pem -out p256_sha384.sig msg
//! ```
//!
//! The PKCS#1 and SEC1 files hold the same keys as the PKCS#8 ones, so a
//! signature made with either verifies under the same certificate.

use alloc::vec::Vec;

pub(crate) const RSA_PKCS8: &[u8] = include_bytes!("testdata/rsa.pkcs8.der");
pub(crate) const RSA_PKCS1: &[u8] = include_bytes!("testdata/rsa.pkcs1.der");
pub(crate) const RSA_CERT: &[u8] = include_bytes!("testdata/rsa.cert.der");
pub(crate) const P256_PKCS8: &[u8] = include_bytes!("testdata/p256.pkcs8.der");
pub(crate) const P256_SEC1: &[u8] = include_bytes!("testdata/p256.sec1.der");
pub(crate) const P256_CERT: &[u8] = include_bytes!("testdata/p256.cert.der");
pub(crate) const P384_PKCS8: &[u8] = include_bytes!("testdata/p384.pkcs8.der");
pub(crate) const P384_SEC1: &[u8] = include_bytes!("testdata/p384.sec1.der");
pub(crate) const P384_CERT: &[u8] = include_bytes!("testdata/p384.cert.der");
/// PKCS#8 v1 (no public key), as OpenSSL writes Ed25519 keys.
pub(crate) const ED25519_PKCS8: &[u8] = include_bytes!("testdata/ed25519.pkcs8.der");
pub(crate) const ED25519_CERT: &[u8] = include_bytes!("testdata/ed25519.cert.der");

pub(crate) const P384_SHA256_SIG: &[u8] = include_bytes!("testdata/p384_sha256.sig");
pub(crate) const P256_SHA384_SIG: &[u8] = include_bytes!("testdata/p256_sha384.sig");

/// Decodes a hex string, ignoring ASCII whitespace. Panics on bad input
/// (test fixtures only).
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => panic!("bad hex digit {b:?}"),
        })
        .collect();
    assert!(digits.len() % 2 == 0, "odd-length hex");
    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

/// `start..end` as bytes: the patterned inputs the OpenSSL cross-check
/// vectors were computed from.
pub(crate) fn seq(start: u8, end: u8) -> Vec<u8> {
    (start..end).collect()
}
