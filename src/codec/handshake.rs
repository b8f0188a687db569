//! Handshake messages (RFC 5246 §7.4). Messages borrow opaque fields from the
//! reassembled handshake buffer; the state machines copy what they keep.

use alloc::vec::Vec;

use super::enums::{
    CipherSuite, ClientCertificateType, Compression, EcCurveType, HandshakeType, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use super::extensions::{ClientExtension, ServerExtension};

/// `Random` (RFC 5246 §7.4.1.2): 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Random(pub [u8; 32]);

/// `SessionID session_id<0..32>` (RFC 5246 §7.4.1.2).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SessionId {
    len: u8,
    bytes: [u8; 32],
}

impl SessionId {
    pub(crate) const EMPTY: Self = Self { len: 0, bytes: [0; 32] };

    /// `None` if longer than 32 bytes (RFC 5246 §7.4.1.2).
    pub(crate) fn new(id: &[u8]) -> Option<Self> {
        let mut bytes = [0u8; 32];
        bytes.get_mut(..id.len())?.copy_from_slice(id);
        Some(Self { len: id.len() as u8, bytes })
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len).min(32)]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl core::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SessionId(")?;
        for b in self.as_slice() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// RFC 5246 §7.4.1.2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientHello<'a> {
    pub client_version: ProtocolVersion,
    pub random: Random,
    pub session_id: SessionId,
    pub cipher_suites: Vec<CipherSuite>,
    pub compression_methods: Vec<Compression>,
    /// Empty when the extensions block is absent entirely.
    pub extensions: Vec<ClientExtension<'a>>,
}

/// RFC 5246 §7.4.1.3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerHello<'a> {
    pub server_version: ProtocolVersion,
    pub random: Random,
    pub session_id: SessionId,
    pub cipher_suite: CipherSuite,
    pub compression_method: Compression,
    pub extensions: Vec<ServerExtension<'a>>,
}

/// RFC 5246 §7.4.2 / §7.4.6: `ASN.1Cert certificate_list<0..2^24-1>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateMsg<'a> {
    pub chain: Vec<&'a [u8]>,
}

/// `digitally-signed struct` in TLS 1.2 (RFC 5246 §4.7): the scheme is the
/// SignatureAndHashAlgorithm pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DigitallySigned<'a> {
    pub scheme: SignatureScheme,
    pub signature: &'a [u8],
}

/// `ServerECDHParams` (RFC 8422 §5.4), only the named_curve form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EcdheParams<'a> {
    pub curve_type: EcCurveType,
    pub group: NamedGroup,
    /// `opaque point <1..2^8-1>`.
    pub public: &'a [u8],
}

/// ServerKeyExchange for the ECDHE key exchanges (RFC 8422 §5.4):
/// `params` then `signed_params`. `params_raw` is the exact encoding of
/// `params`, which is what the signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EcdheServerKeyExchange<'a> {
    pub params: EcdheParams<'a>,
    pub params_raw: &'a [u8],
    pub signed: DigitallySigned<'a>,
}

/// RFC 5246 §7.4.4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateRequest<'a> {
    pub certificate_types: Vec<ClientCertificateType>,
    pub signature_schemes: Vec<SignatureScheme>,
    /// DER `DistinguishedName`s.
    pub ca_names: Vec<&'a [u8]>,
}

/// RFC 5077 §3.3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewSessionTicket<'a> {
    pub lifetime_hint: u32,
    pub ticket: &'a [u8],
}

/// A decoded handshake message.
///
/// ServerKeyExchange and ClientKeyExchange bodies depend on the negotiated key
/// exchange (RFC 5246 §7.4.3, §7.4.7), so they are kept raw here and decoded by
/// the state machine with [`EcdheServerKeyExchange`] or [`decode_ecdh_public`];
/// PSK and RSA key exchange add their own decoders without touching this enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HandshakeMessage<'a> {
    HelloRequest,
    ClientHello(ClientHello<'a>),
    ServerHello(ServerHello<'a>),
    NewSessionTicket(NewSessionTicket<'a>),
    Certificate(CertificateMsg<'a>),
    ServerKeyExchange(&'a [u8]),
    CertificateRequest(CertificateRequest<'a>),
    ServerHelloDone,
    CertificateVerify(DigitallySigned<'a>),
    ClientKeyExchange(&'a [u8]),
    Finished(&'a [u8]),
    /// A type we do not implement (including CertificateStatus for now); the
    /// state machines answer it with unexpected_message.
    Unknown(HandshakeType, &'a [u8]),
}
