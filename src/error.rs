//! Errors, and the RFC 5246 §7.2 alert each one sends to the peer.

use core::fmt;

use crate::codec::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::shared::{List, Text};

/// Why a connection failed, or why an API call was refused.
///
/// Messages and lists are [`Text`] and [`List`]: without the `alloc`
/// feature, a message is its fixed wording without the values and the
/// peer's offered lists are empty (there is no heap to copy them to).
///
/// Every error caused by the peer maps to the alert we sent it
/// ([`Error::alert`]); once a connection has returned such an error it is
/// dead and every later call returns the same error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that do not decode as the named structure.
    #[error("peer sent a malformed {0}")]
    Decode(&'static str),
    /// The peer sent a well-formed value that is not allowed here.
    #[error("peer sent an illegal parameter: {0}")]
    IllegalParameter(&'static str),
    /// The peer sent a message that is not allowed in the current state.
    #[error("unexpected {got} while expecting {expected}")]
    UnexpectedMessage {
        /// What arrived.
        got: &'static str,
        /// What the state machine was waiting for.
        expected: &'static str,
    },
    /// The peer's best version is below TLS 1.2 (or it chose one we do not speak).
    #[error("protocol version {peer:?} refused: only TLS 1.2 is supported")]
    UnsupportedVersion {
        /// The version the peer offered or chose.
        peer: ProtocolVersion,
    },
    /// A client offered a version below TLS 1.2 with TLS_FALLBACK_SCSV:
    /// it supports more and retried lower, which RFC 7507 §3 answers with
    /// inappropriate_fallback (a downgrade by an attacker, or a client
    /// working around a failure it should report).
    #[error("client fell back to {peer:?} (TLS_FALLBACK_SCSV) though we speak TLS 1.2")]
    InappropriateFallback {
        /// The version the client offered.
        peer: ProtocolVersion,
    },
    /// No cipher suite both sides accept.
    #[error("no cipher suite in common: peer offered {offered:?}, we support {supported:?}")]
    NoCommonCipherSuite {
        /// The peer's list.
        offered: List<CipherSuite>,
        /// Ours (those usable with our certificate, on a server).
        supported: List<CipherSuite>,
    },
    /// No ECDHE group both sides accept.
    #[error("no key exchange group in common: peer offered {offered:?}, we support {supported:?}")]
    NoCommonGroup {
        /// The peer's list.
        offered: List<NamedGroup>,
        /// Ours.
        supported: List<NamedGroup>,
    },
    /// No signature scheme both sides accept for our key.
    #[error("no signature scheme in common: peer offered {offered:?}, we support {supported:?}")]
    NoCommonSignatureScheme {
        /// The peer's list.
        offered: List<SignatureScheme>,
        /// Ours.
        supported: List<SignatureScheme>,
    },
    /// ALPN was offered by both sides with no protocol in common (RFC 7301 §3.2).
    #[error(
        "no application protocol in common: peer offered {offered:?}, we support {supported:?}"
    )]
    NoApplicationProtocol {
        /// The peer's protocols, lossily as text.
        offered: List<Text>,
        /// Ours.
        supported: List<Text>,
    },
    /// The peer did not negotiate something our configuration requires.
    #[error("handshake failure: {0}")]
    HandshakeFailure(&'static str),
    /// The peer's certificate chain was rejected.
    #[error("peer certificate rejected: {0}")]
    Certificate(#[from] CertificateError),
    /// A ServerKeyExchange or CertificateVerify signature did not verify.
    #[error("peer's {0} signature is invalid")]
    BadSignature(&'static str),
    /// The peer's Finished did not match the transcript (RFC 5246 §7.4.9).
    #[error("peer's Finished verify_data does not match the handshake")]
    BadFinished,
    /// A record failed AEAD authentication (RFC 5246 §6.2.3.3).
    #[error("record failed authentication (bad_record_mac)")]
    BadRecordMac,

    /// The client's Finished did not open under the keys of a PSK key
    /// exchange: its pre-shared key is not the one we used, because it is
    /// wrong or because its identity is unknown to us (the two are
    /// answered alike, RFC 4279 §2).
    #[error(
        "the client's Finished did not open: its pre-shared key is not ours (a wrong key, or an \
         identity we do not know)"
    )]
    PskMismatch,

    /// The client named a PSK identity the server does not know, and the
    /// server is configured to say so (RFC 4279 §2).
    #[error("the client's PSK identity is unknown")]
    UnknownPskIdentity,
    /// A record exceeded the RFC 5246 §6.2 size limits.
    #[error("record too large: {len} bytes exceeds {limit}")]
    RecordOverflow {
        /// The length the peer declared or produced.
        len: usize,
        /// The limit that applied.
        limit: usize,
    },
    /// The peer sent an extension we never offered or do not allow here.
    #[error("peer sent unsupported extension {0}")]
    UnsupportedExtension(u16),
    /// A configured cap on what the peer may make us hold was exceeded.
    #[error("peer exceeded the {what} limit of {limit}")]
    LimitExceeded {
        /// Which limit.
        what: &'static str,
        /// Its configured value.
        limit: usize,
    },
    /// The peer sent a fatal alert (or an alert that is always fatal).
    #[error("peer sent fatal alert {0}")]
    AlertReceived(AlertDescription),
    /// The peer sent close_notify before the handshake completed.
    #[error("peer closed the connection (close_notify) during the handshake")]
    PeerClosedDuringHandshake,
    /// The peer closed the transport without close_notify (possible truncation).
    #[error("peer closed the connection without close_notify")]
    UnexpectedEof,
    /// Write sequence number would wrap (RFC 5246 §6.1): the connection must end.
    #[error("record sequence number exhausted")]
    SequenceExhausted,
    /// An API call that is not valid in the connection's current state.
    #[error("invalid use of the connection: {0}")]
    Misuse(&'static str),
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(Text),
    /// A local failure (randomness, key generation, signing).
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// An operation the caller performs for the connection failed, or its
    /// answer was unusable (a signature that does not verify with our
    /// certificate); internal_error is sent to the peer.
    #[error("caller-performed operation failed: {0}")]
    OperationFailed(&'static str),
}

impl Error {
    /// The alert this error sends to the peer, if any.
    ///
    /// `None` for errors that are not the peer's business (misuse, config) or
    /// that were caused by the peer's own fatal alert.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Self::Decode(_) => A::DecodeError,
            Self::IllegalParameter(_) => A::IllegalParameter,
            Self::UnexpectedMessage { .. } => A::UnexpectedMessage,
            Self::UnsupportedVersion { .. } => A::ProtocolVersion,
            Self::InappropriateFallback { .. } => A::InappropriateFallback,
            Self::NoCommonCipherSuite { .. }
            | Self::NoCommonGroup { .. }
            | Self::NoCommonSignatureScheme { .. }
            | Self::HandshakeFailure(_) => A::HandshakeFailure,
            Self::NoApplicationProtocol { .. } => A::NoApplicationProtocol,
            Self::Certificate(e) => e.alert(),
            Self::BadSignature(_) | Self::BadFinished | Self::PskMismatch => A::DecryptError,
            Self::UnknownPskIdentity => A::UnknownPskIdentity,
            Self::BadRecordMac => A::BadRecordMac,
            Self::RecordOverflow { .. } => A::RecordOverflow,
            Self::UnsupportedExtension(_) => A::UnsupportedExtension,
            // Our own flight or message too long for an area the caller
            // lent: nothing the peer sent was wrong.
            Self::LimitExceeded {
                what: "output area" | "handshake_out area",
                ..
            } => A::InternalError,
            // RFC 5246 has no "excessive" alert; the peer's message was out of
            // the range we accept, which is the sense of decode_error.
            Self::LimitExceeded { .. } => A::DecodeError,
            Self::SequenceExhausted | Self::Internal(_) | Self::OperationFailed(_) => {
                A::InternalError
            }
            Self::AlertReceived(_)
            | Self::PeerClosedDuringHandshake
            | Self::UnexpectedEof
            | Self::Misuse(_)
            | Self::Config(_) => return None,
        })
    }
}

/// Why a peer's certificate chain was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The peer sent an empty chain where one is required.
    NoCertificate,
    /// The chain does not lead to a configured trust anchor.
    UnknownIssuer,
    /// The certificate's validity period ended before the supplied time.
    Expired,
    /// The certificate's validity period starts after the supplied time.
    NotValidYet,
    /// The certificate is not valid for the expected server name.
    NotValidForName {
        /// The name we expected.
        expected: Text,
    },
    /// The certificate cannot be parsed.
    BadEncoding,
    /// A signature in the chain is invalid.
    BadSignature,
    /// The certificate is not valid for this purpose (EKU).
    InvalidPurpose,
    /// The certificate key does not fit the negotiated cipher suite.
    WrongKeyType,
    /// The chain is longer or larger than the configured limit.
    TooLarge,
    /// Another rejection reported by the path builder.
    Other(Text),
    /// A caller's verifier ([`crate::keyop::PeerVerifier`]) refused the
    /// chain with the alert of its choice (RFC 5246 §7.2.2): say
    /// `certificate_revoked` after a revocation check, or `access_denied`
    /// for a valid certificate that policy refuses. An alert that cannot end
    /// a handshake (close_notify, user_canceled, no_renegotiation) is sent
    /// as certificate_unknown.
    Refused {
        /// The alert sent to the peer.
        alert: AlertDescription,
        /// Why, for our side's logs (not sent).
        reason: Text,
    },
}

impl CertificateError {
    /// The alert RFC 5246 §7.2.2 calls for.
    pub fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            Self::UnknownIssuer => A::UnknownCa,
            Self::Expired | Self::NotValidYet => A::CertificateExpired,
            Self::WrongKeyType => A::UnsupportedCertificate,
            Self::InvalidPurpose | Self::Other(_) => A::CertificateUnknown,
            Self::Refused { alert, .. } => match alert {
                A::CloseNotify | A::UserCanceled | A::NoRenegotiation => A::CertificateUnknown,
                other => *other,
            },
            Self::NoCertificate
            | Self::NotValidForName { .. }
            | Self::BadEncoding
            | Self::BadSignature
            | Self::TooLarge => A::BadCertificate,
        }
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCertificate => f.write_str("no certificate was presented"),
            Self::UnknownIssuer => f.write_str("issued by an unknown certificate authority"),
            Self::Expired => f.write_str("certificate has expired"),
            Self::NotValidYet => f.write_str("certificate is not valid yet"),
            Self::NotValidForName { expected } => {
                write!(f, "certificate is not valid for name {expected:?}")
            }
            Self::BadEncoding => f.write_str("certificate is malformed"),
            Self::BadSignature => f.write_str("a signature in the chain is invalid"),
            Self::InvalidPurpose => f.write_str("certificate is not valid for this purpose"),
            Self::WrongKeyType => f.write_str("certificate key does not match the cipher suite"),
            Self::TooLarge => f.write_str("certificate chain exceeds the configured limit"),
            Self::Other(s) => f.write_str(s),
            Self::Refused { alert, reason } => {
                write!(f, "refused by the verifier with {alert:?}: {reason}")
            }
        }
    }
}

impl core::error::Error for CertificateError {}
