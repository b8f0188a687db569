//! OCSP stapling (RFC 6066 §8): the response a server sends with one of its
//! certificate chains, replaceable while connections use it.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use std::sync::{PoisonError, RwLock};

/// The DER OCSP response a server staples for one certificate chain, when
/// the client asks with status_request (RFC 6066 §8).
///
/// Held in an `Arc` by the configuration and by the caller, who replaces
/// the response when it renews it (before the old one's `nextUpdate`):
/// every handshake after [`set`](Self::set) staples the new one, without
/// rebuilding the configuration. The server sends the bytes as they are;
/// getting a fresh, valid response from the CA's responder is the caller's
/// business.
///
/// ```no_run
/// use std::sync::Arc;
/// use tls12::{OcspStaple, ServerConfig};
/// # fn demo(mut config: ServerConfig, response: Vec<u8>, renewed: Vec<u8>) -> Result<(), tls12::Error> {
/// let staple = Arc::new(OcspStaple::new(response));
/// config.set_ocsp_staple(0, staple.clone())?; // for the first chain
/// let config = Arc::new(config);
/// // ... later, from any thread:
/// staple.set(renewed);
/// # Ok(()) }
/// ```
pub struct OcspStaple {
    current: RwLock<Option<Arc<[u8]>>>,
}

impl OcspStaple {
    /// A staple holding `response` (DER OCSPResponse); empty means none.
    pub fn new(response: Vec<u8>) -> Self {
        Self {
            current: RwLock::new(Self::wrap(response)),
        }
    }

    fn wrap(response: Vec<u8>) -> Option<Arc<[u8]>> {
        (!response.is_empty()).then(|| response.into())
    }

    /// Replaces the response (empty: staple nothing from now on).
    pub fn set(&self, response: Vec<u8>) {
        let new = Self::wrap(response);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = new;
    }

    /// The response stapled now, if any.
    pub fn get(&self) -> Option<Arc<[u8]>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl fmt::Debug for OcspStaple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspStaple")
            .field("len", &self.get().map(|r| r.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staple_is_replaced_in_place() {
        let staple = OcspStaple::new(alloc::vec![1, 2, 3]);
        assert_eq!(staple.get().as_deref(), Some(&[1u8, 2, 3][..]));
        staple.set(alloc::vec![4]);
        assert_eq!(staple.get().as_deref(), Some(&[4u8][..]));
        staple.set(Vec::new());
        assert_eq!(staple.get(), None);
        assert_eq!(OcspStaple::new(Vec::new()).get(), None);
    }
}
