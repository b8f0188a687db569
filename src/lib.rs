//! # tls12: a strict, sans-IO TLS 1.2 client and server
//!
//! `tls12` speaks TLS 1.2 (RFC 5246) and nothing else, with only ECDHE key
//! exchange and AEAD record protection, and it never does I/O: you move the
//! bytes, from whatever event loop you have (blocking sockets, mio, tokio,
//! rings of DMA buffers). It reads no clock (you pass the time) and starts no
//! threads. Cryptography is `ring`'s; certificates are checked by
//! `rustls-webpki`.
//!
//! ## Driving a connection
//!
//! Both [`ClientConnection`] and [`ServerConnection`] dereference to
//! [`Connection`], which has the whole byte-moving API:
//!
//! ```
//! use tls12::{Connection, Event};
//!
//! /// One turn of a loop: feed what arrived, collect what to send, read data.
//! fn turn(conn: &mut Connection, arrived: &[u8], to_peer: &mut Vec<u8>) -> Result<Vec<u8>, tls12::Error> {
//!     let mut offered = arrived;
//!     while !offered.is_empty() {
//!         let used = conn.receive(offered)?;       // may stop early: back-pressure
//!         offered = &offered[used..];
//!         if used == 0 { break; }                   // plaintext buffer full: read first
//!     }
//!     to_peer.extend_from_slice(conn.pending_output());
//!     let n = conn.pending_output().len();
//!     conn.consume_output(n);                       // say how much was sent
//!     let mut data = Vec::new();
//!     while let Some(event) = conn.next_event() {
//!         match event {
//!             Event::HandshakeComplete => println!("{:?}", conn.handshake_info()),
//!             Event::ApplicationData => {
//!                 data.extend_from_slice(conn.plaintext());
//!                 let n = conn.plaintext().len();
//!                 conn.consume_plaintext(n);
//!             }
//!             Event::PeerClosed => println!("peer closed"),
//!             _ => {}
//!         }
//!     }
//!     Ok(data)
//! }
//! ```
//!
//! [`Connection::receive_in_place`] is the zero-copy alternative to
//! `receive`: it decrypts application data inside your own buffer.
//!
//! ## Memory
//!
//! Every buffer a peer can fill has a cap ([`Limits`]). Buffers come from
//! the heap and are freed when idle, or kept ([`IdleBuffers`]), or made
//! once when the connection is (`IdleBuffers::Preallocated`, for devices
//! that must not allocate once running); or all of it is memory the
//! caller lends ([`Areas`], [`HandshakeSlot`],
//! [`ClientConnection::with_areas`]), and a connection allocates nothing
//! at all.
//!
//! Without the `alloc` feature (on by default, with `std`) the crate has no
//! heap at all: configurations hold `'static` data ([`List`], [`Shared`]),
//! connections run on [`Areas`], and what needs a heap (RSA, sessions,
//! OCSP, kept chains, verifiers and choosers that keep a copy of what they
//! ask the caller) is refused by the configuration. The repository's `no_alloc/` program runs
//! handshakes that way.
//!
//! ## Errors
//!
//! Every failure caused by the peer is an [`Error`] whose
//! [`alert`](Error::alert) has already been queued in
//! [`Connection::pending_output`]; flush it and close the transport. The
//! connection then refuses further use. [`Connection::diagnosis`] explains
//! a failure for a person: the handshake state it stopped in, the peer's
//! alert and, when a server refuses our ClientHello, what we offered.
//!
//! ## Looking inside
//!
//! A [`KeyLog`] in the configuration receives each handshake's master
//! secret in the NSS key log format ([`KeyLogFile::from_env`] honours
//! `SSLKEYLOGFILE`); `enable_exporters` keeps what RFC 5705 exporters need
//! ([`Connection::export_keying_material`]); a server staples OCSP
//! responses ([`OcspStaple`]) and a client can ask for them.
//!
//! ## What is refused
//!
//! SSL 3.0, TLS 1.0 and 1.1; compression; RSA key exchange (no forward
//! secrecy; an opt-in for legacy peers may come later); finite-field DHE
//! (Logjam-style weak groups) and anonymous suites (no authentication); CBC
//! suites; renegotiation (answered with a `no_renegotiation` warning);
//! heartbeats. The extended master secret (RFC 7627) is required by default.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub(crate) mod codec;
pub(crate) mod config;
pub(crate) mod conn;
pub(crate) mod crypto;
pub(crate) mod diagnosis;
pub(crate) mod error;
pub(crate) mod handshake;
pub(crate) mod info;
pub(crate) mod keylog;
pub mod keyop;
pub mod psk;
pub(crate) mod record;
pub(crate) mod session;
pub(crate) mod shared;
#[cfg(feature = "std")]
mod staple;
#[cfg(feature = "std")]
mod stream;
pub(crate) mod verify;

pub use codec::enums::{
    AlertDescription, AlertLevel, CipherSuite, MaxFragmentLength, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
pub use config::{ClientAuth, ClientConfig, IdleBuffers, Limits, ServerConfig};
pub use conn::{
    AreaSizes, Areas, ClientConnection, Connection, Event, HandshakeInfo, HandshakeSlot, InPlace,
    ServerConnection,
};
pub use crypto::rand::{RandomSource, SystemRandom};
pub use diagnosis::{Diagnosis, Offered};
pub use error::{CertificateError, Error};
pub use info::{AlpnProtocol, HostName, KeyExchange, PskIdentity};
#[cfg(feature = "std")]
pub use keylog::KeyLogFile;
pub use keylog::{KeyLog, KeyLogEntry};
pub use keyop::{Answer, KeyType, Operation, OperationId, OperationKind};
#[cfg(feature = "std")]
pub use session::{ClientSessionCache, SessionCache, Ticketer};
pub use shared::{List, Shared, Text};
#[cfg(feature = "std")]
pub use staple::OcspStaple;
#[cfg(feature = "std")]
pub use stream::Stream;
pub use verify::RootCertStore;

/// The pre-shared key suites implemented without optional features (RFC
/// 5487, RFC 5489, RFC 7905, RFC 8442), ECDHE_PSK first: offered or
/// accepted only when listed in a configuration that has keys
/// ([`ClientConfig::add_psk`], [`ServerConfig::with_psk`]). The AES-CCM PSK
/// suites of RFC 6655 (`TLS_PSK_WITH_AES_128_CCM`, `..._CCM_8`) need the
/// `aes-ccm` feature and are listed by name.
pub const PSK_SUITES: [CipherSuite; 6] = [
    CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
];

/// The RSA key transport suites (RFC 5288 §3), AEAD only: offered or
/// accepted only with `legacy_rsa_key_transport` on the configuration
/// ([`ClientConfig::legacy_rsa_key_transport`],
/// [`ServerConfig::legacy_rsa_key_transport`], which say what they risk).
pub const LEGACY_RSA_KEY_TRANSPORT_SUITES: [CipherSuite; 2] = [
    CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
];

/// The certificate, key, name and time types used in this crate's API.
pub use rustls_pki_types as pki_types;

/// The README's examples, compiled as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
