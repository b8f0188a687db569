//! What a connection reports to its caller: the events it queues and the
//! parameters the handshake agreed. A leaf: the handshake fills these in, the
//! connection hands them out.

use alloc::string::String;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;

use crate::codec::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};

/// Something that happened on a connection, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The handshake finished; see [`Connection::handshake_info`](crate::Connection::handshake_info).
    HandshakeComplete,
    /// Application data is waiting to be read. Reported once until it is
    /// polled, however many records arrive meanwhile.
    ApplicationData,
    /// The peer sent close_notify: no more data will arrive. Our own
    /// close_notify has been queued in reply (RFC 5246 §7.2.1).
    PeerClosed,
    /// The peer sent a warning alert other than close_notify. At most
    /// eight events wait to be polled; when the queue is full the oldest
    /// warning is dropped, so a peer cannot grow it (and the connection is
    /// cut off after `Limits::max_warnings_in_a_row` warnings in a row).
    WarningAlert(AlertDescription),
    /// The handshake waits for the caller to perform an operation (a
    /// signature with a caller-held key): see
    /// [`Connection::operation`](crate::Connection::operation) and
    /// [`Connection::complete_operation`](crate::Connection::complete_operation).
    Operation {
        /// Names the operation in the answer.
        id: crate::keyop::OperationId,
        /// What is asked.
        kind: crate::keyop::OperationKind,
    },
}

/// How the premaster secret was agreed (the first half of a suite's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyExchange {
    /// Ephemeral elliptic-curve Diffie-Hellman, signed by the server
    /// (RFC 8422): forward secret.
    Ecdhe,
    /// RSA key transport (RFC 5246 §7.4.7.1), a legacy opt-in: the client
    /// encrypted the premaster secret to the server certificate's key; not
    /// forward secret.
    Rsa,
    /// A pre-shared key alone (RFC 4279): not forward secret.
    Psk,
    /// Ephemeral ECDH authenticated by a pre-shared key (RFC 5489): forward
    /// secret.
    EcdhePsk,
}

impl KeyExchange {
    /// The name used in cipher suite names: `ECDHE`, `RSA`, `PSK` or
    /// `ECDHE_PSK`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ecdhe => "ECDHE",
            Self::Rsa => "RSA",
            Self::Psk => "PSK",
            Self::EcdhePsk => "ECDHE_PSK",
        }
    }
}

/// What was negotiated, available once the handshake completes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandshakeInfo {
    /// Always TLS 1.2.
    pub version: ProtocolVersion,
    /// The negotiated suite.
    pub cipher_suite: CipherSuite,
    /// How the premaster secret was agreed.
    pub key_exchange: KeyExchange,
    /// The ECDHE group (`None` for RSA key transport and plain PSK). A
    /// resumed session reports the one of its full handshake.
    pub group: Option<NamedGroup>,
    /// The scheme that signed the server's key exchange (`None` for RSA
    /// key transport and PSK, where nothing is signed). A resumed session
    /// reports the one of its full handshake.
    pub signature_scheme: Option<SignatureScheme>,
    /// The ALPN protocol, if one was agreed.
    pub alpn_protocol: Option<Vec<u8>>,
    /// The server name: the one the client sent (SNI).
    pub server_name: Option<String>,
    /// The peer's certificate chain, leaf first (empty if it sent none, or
    /// on a client whose `ClientConfig::keep_peer_certificates` is false).
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// Whether the extended master secret (RFC 7627) is in use.
    pub extended_master_secret: bool,
    /// Whether the peer signalled RFC 5746 secure renegotiation.
    pub secure_renegotiation: bool,
    /// Whether this was an abbreviated (resumed) handshake.
    pub resumed: bool,
    /// On a client that set `ClientConfig::request_ocsp`: the DER OCSP
    /// response the server stapled in CertificateStatus (RFC 6066 §8), as
    /// received. It is not verified: checking its signature, its freshness
    /// and that it covers the leaf is the caller's business. `None` when
    /// none was stapled, and on servers. A resumed handshake (which sends
    /// no Certificate) reports the response of its full handshake, as it
    /// reports its certificates.
    pub ocsp_response: Option<alloc::boxed::Box<[u8]>>,
    /// The pre-shared key identity the client presented, for the PSK
    /// suites (on a server, who connected; `None` otherwise). A resumed
    /// session reports the identity of its full handshake.
    pub psk_identity: Option<Vec<u8>>,
    /// Which of our own certificate chains we presented in this handshake:
    /// on a server, 0 for the chain given to `ServerConfig::new` (or
    /// `with_caller_key`) and then each `add_certificate*` in order, whether
    /// the built-in choice or a `CertificateChooser` picked it; on a client,
    /// the index among its `add_client_certificate*` calls. `None` when we
    /// sent no certificate in this handshake (PSK, resumption, a client not
    /// asked for one or with none that fits).
    pub chain_index: Option<usize>,
    /// The scheme of the client's CertificateVerify (RFC 5246 §7.4.8), on
    /// both sides, when the client proved its certificate; `None` otherwise.
    /// A resumed session reports the one of its full handshake, as it
    /// reports the client's certificates.
    pub client_signature_scheme: Option<SignatureScheme>,
    /// The largest plaintext we put in one record: 2^14, or less as
    /// configured or as max_fragment_length (RFC 6066 §4) or the peer's
    /// record_size_limit (RFC 8449 §4) agreed in this handshake.
    pub max_fragment_out: u16,
    /// The largest plaintext we accept in one record: 2^14, or the
    /// max_fragment_length or our record_size_limit agreed in this
    /// handshake (record_size_limit binds protected records only, RFC 8449
    /// §4).
    pub max_fragment_in: u16,
}
