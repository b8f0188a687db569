//! tls12: a strict, sans-IO TLS 1.2 client and server.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub(crate) mod codec;
pub(crate) mod config;
pub(crate) mod conn;
pub(crate) mod crypto;
pub(crate) mod error;
pub(crate) mod handshake;
pub(crate) mod record;
pub(crate) mod verify;

pub use codec::enums::{
    AlertDescription, AlertLevel, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
pub use error::{CertificateError, Error};
