//! Where protocol randomness comes from.
//!
//! Client/server randoms, session IDs and ticket material are drawn from the
//! [`RandomSource`] in the configuration, so tests and fuzzers can make them
//! deterministic. Ephemeral ECDHE keys, ECDSA nonces and RSA-PSS salts are
//! generated inside `ring`, whose `SecureRandom` trait is sealed: those always
//! come from the operating system through `ring::rand::SystemRandom`.

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

/// The operating system's generator, through `ring`. The default.
#[derive(Debug, Clone)]
pub struct SystemRandom(ring::rand::SystemRandom);

impl SystemRandom {
    /// A handle on the system generator.
    pub fn new() -> Self {
        Self(ring::rand::SystemRandom::new())
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
        self.0
            .fill(dest)
            .map_err(|_| Error::Internal("system random generator failed"))
    }
}
