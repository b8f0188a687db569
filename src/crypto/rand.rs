//! Where protocol randomness comes from.
//!
//! Client/server randoms, session IDs and ticket material are drawn from the
//! [`RandomSource`] in the configuration, so tests and fuzzers can make them
//! deterministic. Ephemeral ECDHE keys, ECDSA nonces and RSA-PSS salts are
//! generated inside `ring`, whose `SecureRandom` trait is sealed: those come
//! from the operating system through `ring::rand::SystemRandom` ([`ring_rng`]),
//! except in binaries built by cargo-fuzz.

use core::fmt;

use crate::error::Error;

/// A source of cryptographically secure random bytes.
///
/// Implementations must be safe to share between threads: one configuration
/// serves many connections.
///
/// ```
/// use tls12::{RandomSource, SystemRandom};
/// let mut buf = [0u8; 32];
/// SystemRandom::new().fill(&mut buf).unwrap();
/// ```
pub trait RandomSource: Send + Sync + fmt::Debug {
    /// Fills `dest` entirely with random bytes, or fails.
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error>;
}

crate::shared::shared_dyn!(RandomSource);

/// The operating system's generator, through `ring`. The default.
#[derive(Debug, Clone)]
pub struct SystemRandom(());

impl SystemRandom {
    /// A handle on the system generator (`const`, for a `static`).
    pub const fn new() -> Self {
        Self(())
    }
}

impl Default for SystemRandom {
    fn default() -> Self {
        Self::new()
    }
}

impl RandomSource for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error> {
        use ring::rand::SecureRandom;
        // ring's handle holds nothing: making one per call costs nothing.
        ring::rand::SystemRandom::new()
            .fill(dest)
            .map_err(|_| Error::Internal("system random generator failed"))
    }
}

/// The generator `ring` draws ephemeral ECDHE keys, ECDSA nonces and RSA-PSS
/// salts from: the operating system's.
#[cfg(not(fuzzing))]
pub(crate) fn ring_rng() -> ring::rand::SystemRandom {
    ring::rand::SystemRandom::new()
}

/// In binaries built by cargo-fuzz (which passes `--cfg fuzzing`; no normal
/// build, and not the `fuzzing` feature, sets it), a fixed generator, so that
/// a fuzz input replays the same handshake byte for byte and a finding
/// reproduces. Fixed keys are worthless for security, which is why only the
/// fuzzer's own binaries get them. It is ring's only generator besides the
/// system's (its `SecureRandom` trait is sealed).
#[cfg(fuzzing)]
#[allow(deprecated)]
pub(crate) fn ring_rng() -> ring::test::rand::FixedByteRandom {
    ring::test::rand::FixedByteRandom { byte: 0x42 }
}
