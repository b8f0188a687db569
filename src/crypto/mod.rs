//! Cryptography, all of it delegated to `ring`: the PRF and key schedule,
//! ECDHE, signatures, the transcript hash and the suite table.

pub(crate) mod suites;
