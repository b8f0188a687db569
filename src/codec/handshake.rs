//! Handshake messages (RFC 5246 §7.4). Messages borrow opaque fields from the
//! reassembled handshake buffer; the state machines copy what they keep.

use super::enums::{
    CipherSuite, ClientCertificateType, Compression, EcCurveType, EcPointFormat, ExtensionType,
    HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use super::extensions::{ClientExtension, ProtocolName, ServerExtension};
use super::list::{check_no_duplicates, List};
use super::{Codec, Reader, Writer};
use crate::error::Error;
use rustls_pki_types::CertificateDer;

/// `Random` (RFC 5246 §7.4.1.2): 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Random(pub [u8; 32]);

/// `SessionID session_id<0..32>` (RFC 5246 §7.4.1.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct SessionId {
    len: u8,
    bytes: [u8; 32],
}

impl SessionId {
    pub(crate) const EMPTY: Self = Self {
        len: 0,
        bytes: [0; 32],
    };

    /// `None` if longer than 32 bytes (RFC 5246 §7.4.1.2).
    pub(crate) fn new(id: &[u8]) -> Option<Self> {
        let mut bytes = [0u8; 32];
        bytes.get_mut(..id.len())?.copy_from_slice(id);
        Some(Self {
            len: id.len() as u8,
            bytes,
        })
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
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
    /// Borrowed from the configuration when we send it.
    pub cipher_suites: List<'a, CipherSuite>,
    pub compression_methods: List<'a, Compression>,
    /// Empty when the extensions block is absent entirely.
    pub extensions: List<'a, ClientExtension<'a>>,
    /// Whether the extensions block (its length field) was present, so an
    /// empty-but-present block re-encodes exactly. Encoding writes the block
    /// if this is set or `extensions` is non-empty.
    pub extensions_present: bool,
}

/// RFC 5246 §7.4.1.3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerHello<'a> {
    pub server_version: ProtocolVersion,
    pub random: Random,
    pub session_id: SessionId,
    pub cipher_suite: CipherSuite,
    pub compression_method: Compression,
    pub extensions: List<'a, ServerExtension<'a>>,
    /// As [`ClientHello::extensions_present`].
    pub extensions_present: bool,
}

/// RFC 5246 §7.4.2 / §7.4.6: `ASN.1Cert certificate_list<0..2^24-1>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateMsg<'a> {
    /// Borrowed from the configuration when we send it, from the message
    /// when received.
    pub chain: List<'a, CertificateDer<'a>>,
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
    pub certificate_types: List<'a, ClientCertificateType>,
    pub signature_schemes: List<'a, SignatureScheme>,
    pub ca_names: List<'a, DistinguishedName<'a>>,
}

/// `opaque DistinguishedName<1..2^16-1>` (RFC 5246 §7.4.4): a DER `Name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DistinguishedName<'a>(pub &'a [u8]);

impl<'a> Codec<'a> for DistinguishedName<'a> {
    fn encode(&self, out: &mut impl Writer) {
        out.with_len(2, |out| out.put(self.0));
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let name = r.vec_u16("distinguished name")?;
        if name.is_empty() {
            return Err(Error::Decode("distinguished name"));
        }
        Ok(Self(name))
    }
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
    /// A type without a variant here: the state machines answer it with
    /// unexpected_message, except CertificateStatus, which the client's
    /// table accepts where stapling was announced and decodes with
    /// [`CertificateStatus`].
    Unknown(HandshakeType, &'a [u8]),
}

impl<'a> Codec<'a> for Random {
    fn encode(&self, out: &mut impl Writer) {
        out.put(&self.0);
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let b = r.take(32, "random")?;
        let arr = <[u8; 32]>::try_from(b).map_err(|_| Error::Decode("random"))?;
        Ok(Self(arr))
    }
}

impl<'a> Codec<'a> for SessionId {
    fn encode(&self, out: &mut impl Writer) {
        out.with_len(1, |out| out.put(self.as_slice()));
    }

    /// RFC 5246 §7.4.1.2: `opaque SessionID<0..32>`; longer is malformed.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let id = r.vec_u8("session id")?;
        Self::new(id).ok_or(Error::Decode("session id"))
    }
}

/// Decodes the optional extensions block that ends both hellos (RFC 5246
/// §7.4.1.2: the client MAY append extensions; their presence is detected by
/// bytes following compression_methods). Returns `(extensions, present)`.
/// Consumes the rest of `r`, which must span exactly the hello.
fn decode_extensions_block<'a, T: Codec<'a> + Clone>(
    r: &mut Reader<'a>,
    typ_of: impl Fn(&T) -> u16,
) -> Result<(List<'a, T>, bool), Error> {
    if r.is_empty() {
        return Ok((List::borrowed(&[]), false));
    }
    let exts: List<'a, T> = List::decode(r, 2, "extensions")?;
    r.expect_empty("hello message")?;
    // RFC 5246 §7.4.1.4: at most one extension of each type.
    check_no_duplicates(exts.iter().map(|e| typ_of(&e)))?;
    Ok((exts, true))
}

/// The first extension of type `typ` in `list`. A received list is scanned
/// frame by frame (`type(2) || opaque data<0..2^16-1>`, RFC 5246 §7.4.1.4)
/// and only the match is decoded.
fn find_ext<'a, T: Codec<'a> + Clone>(
    list: &List<'a, T>,
    typ: ExtensionType,
    typ_of: impl Fn(&T) -> ExtensionType,
) -> Option<T> {
    match list {
        List::Items(items) => items.iter().find(|e| typ_of(e) == typ).cloned(),
        #[cfg(feature = "alloc")]
        List::Owned(items) => items.iter().find(|e| typ_of(e) == typ).cloned(),
        List::Wire(bytes) => {
            let mut r = Reader::new(bytes);
            while !r.is_empty() {
                let mut frame = r.clone();
                let t = r.u16("extension type").ok()?;
                r.vec_u16("extension data").ok()?;
                if t == typ.to_wire() {
                    return T::decode(&mut frame).ok();
                }
            }
            None
        }
    }
}

impl<'a> Codec<'a> for ClientHello<'a> {
    fn encode(&self, out: &mut impl Writer) {
        self.client_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        self.cipher_suites.encode(2, out);
        self.compression_methods.encode(1, out);
        if self.extensions_present || !self.extensions.is_empty() {
            self.extensions.encode(2, out);
        }
    }

    /// Consumes all of `r`: the extensions block is detected by the presence
    /// of bytes after compression_methods, so `r` must span exactly the body.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let client_version = ProtocolVersion::decode(r)?;
        let random = Random::decode(r)?;
        let session_id = SessionId::decode(r)?;
        // RFC 5246 §7.4.1.2: `CipherSuite cipher_suites<2..2^16-2>`.
        let cipher_suites = List::decode_nonempty(r, 2, "cipher suites")?;
        // RFC 5246 §7.4.1.2: `CompressionMethod compression_methods<1..2^8-1>`.
        let compression_methods = List::decode_nonempty(r, 1, "compression methods")?;
        let (extensions, extensions_present) =
            decode_extensions_block(r, |e: &ClientExtension<'_>| e.typ().to_wire())?;
        Ok(Self {
            client_version,
            random,
            session_id,
            cipher_suites,
            compression_methods,
            extensions,
            extensions_present,
        })
    }
}

impl<'a> ClientHello<'a> {
    /// The extension of type `typ`, if offered.
    pub(crate) fn find_ext(&self, typ: ExtensionType) -> Option<ClientExtension<'a>> {
        find_ext(&self.extensions, typ, ClientExtension::typ)
    }

    /// The host_name from server_name (RFC 6066 §3), if offered.
    pub(crate) fn server_name(&self) -> Option<&'a [u8]> {
        match self.find_ext(ExtensionType::ServerName)? {
            ClientExtension::ServerName(list) => list.host_name(),
            _ => None,
        }
    }

    /// The supported_groups list (RFC 8422 §5.1.1), if offered.
    pub(crate) fn supported_groups(&self) -> Option<List<'a, NamedGroup>> {
        match self.find_ext(ExtensionType::SupportedGroups)? {
            ClientExtension::SupportedGroups(v) => Some(v),
            _ => None,
        }
    }

    /// The ec_point_formats list (RFC 8422 §5.1.2), if offered.
    pub(crate) fn ec_point_formats(&self) -> Option<List<'a, EcPointFormat>> {
        match self.find_ext(ExtensionType::EcPointFormats)? {
            ClientExtension::EcPointFormats(v) => Some(v),
            _ => None,
        }
    }

    /// The signature_algorithms list (RFC 5246 §7.4.1.4.1), if offered.
    pub(crate) fn signature_algorithms(&self) -> Option<List<'a, SignatureScheme>> {
        match self.find_ext(ExtensionType::SignatureAlgorithms)? {
            ClientExtension::SignatureAlgorithms(v) => Some(v),
            _ => None,
        }
    }

    /// The ALPN protocol names (RFC 7301 §3.1), if offered.
    pub(crate) fn alpn(&self) -> Option<List<'a, ProtocolName<'a>>> {
        match self.find_ext(ExtensionType::Alpn)? {
            ClientExtension::Alpn(v) => Some(v),
            _ => None,
        }
    }

    /// The length max_fragment_length asks for (RFC 6066 §4), if sent.
    pub(crate) fn max_fragment_length(&self) -> Option<super::enums::MaxFragmentLength> {
        match self.find_ext(ExtensionType::MaxFragmentLength)? {
            ClientExtension::MaxFragmentLength(len) => Some(len),
            _ => None,
        }
    }

    /// The client's record_size_limit (RFC 8449 §4), if sent.
    pub(crate) fn record_size_limit(&self) -> Option<u16> {
        match self.find_ext(ExtensionType::RecordSizeLimit)? {
            ClientExtension::RecordSizeLimit(limit) => Some(limit),
            _ => None,
        }
    }

    /// Whether extended_master_secret (RFC 7627) was offered.
    pub(crate) fn has_ems(&self) -> bool {
        self.find_ext(ExtensionType::ExtendedMasterSecret).is_some()
    }

    /// The renegotiated_connection from renegotiation_info (RFC 5746), if sent.
    pub(crate) fn renegotiation_info(&self) -> Option<&'a [u8]> {
        match self.find_ext(ExtensionType::RenegotiationInfo)? {
            ClientExtension::RenegotiationInfo(v) => Some(v),
            _ => None,
        }
    }

    /// The supported_versions list (RFC 8446 §4.2.1), if sent.
    pub(crate) fn supported_versions(&self) -> Option<List<'a, ProtocolVersion>> {
        match self.find_ext(ExtensionType::SupportedVersions)? {
            ClientExtension::SupportedVersions(v) => Some(v),
            _ => None,
        }
    }

    /// The session_ticket extension body (RFC 5077 §3.2), possibly empty.
    pub(crate) fn session_ticket(&self) -> Option<&'a [u8]> {
        match self.find_ext(ExtensionType::SessionTicket)? {
            ClientExtension::SessionTicket(t) => Some(t),
            _ => None,
        }
    }

    /// Whether status_request asks for an OCSP response (RFC 6066 §8).
    #[cfg_attr(not(feature = "std"), allow(dead_code))] // stapling needs std
    pub(crate) fn requests_ocsp(&self) -> bool {
        matches!(
            self.find_ext(ExtensionType::StatusRequest),
            Some(ClientExtension::StatusRequest(body))
                if body.first() == Some(&crate::codec::extensions::STATUS_TYPE_OCSP)
        )
    }

    /// Whether `suite` (including a signalling value) is in cipher_suites.
    pub(crate) fn offers_suite(&self, suite: CipherSuite) -> bool {
        self.cipher_suites.contains(&suite)
    }
}

impl<'a> Codec<'a> for ServerHello<'a> {
    fn encode(&self, out: &mut impl Writer) {
        self.server_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        self.cipher_suite.encode(out);
        self.compression_method.encode(out);
        if self.extensions_present || !self.extensions.is_empty() {
            self.extensions.encode(2, out);
        }
    }

    /// Consumes all of `r`, as [`ClientHello`]'s decode does.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let server_version = ProtocolVersion::decode(r)?;
        let random = Random::decode(r)?;
        let session_id = SessionId::decode(r)?;
        let cipher_suite = CipherSuite::decode(r)?;
        let compression_method = Compression::decode(r)?;
        let (extensions, extensions_present) =
            decode_extensions_block(r, |e: &ServerExtension<'_>| e.typ().to_wire())?;
        Ok(Self {
            server_version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
            extensions_present,
        })
    }
}

// The client reads ServerHello extensions in one pass (to refuse unsolicited
// ones); these accessors serve the codec's own tests.
#[cfg(test)]
impl<'a> ServerHello<'a> {
    /// The extension of type `typ`, if present.
    pub(crate) fn find_ext(&self, typ: ExtensionType) -> Option<ServerExtension<'a>> {
        find_ext(&self.extensions, typ, ServerExtension::typ)
    }

    /// The selected ALPN protocol (RFC 7301 §3.1), if any.
    pub(crate) fn alpn(&self) -> Option<&'a [u8]> {
        match self.find_ext(ExtensionType::Alpn)? {
            ServerExtension::Alpn(p) => Some(p),
            _ => None,
        }
    }

    /// The ec_point_formats list (RFC 8422 §5.1.2), if sent.
    pub(crate) fn ec_point_formats(&self) -> Option<List<'a, EcPointFormat>> {
        match self.find_ext(ExtensionType::EcPointFormats)? {
            ServerExtension::EcPointFormats(v) => Some(v),
            _ => None,
        }
    }

    /// Whether extended_master_secret (RFC 7627) was accepted.
    pub(crate) fn has_ems(&self) -> bool {
        self.find_ext(ExtensionType::ExtendedMasterSecret).is_some()
    }

    /// The renegotiation_info body (RFC 5746 §3.4), if sent.
    pub(crate) fn renegotiation_info(&self) -> Option<&'a [u8]> {
        match self.find_ext(ExtensionType::RenegotiationInfo)? {
            ServerExtension::RenegotiationInfo(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the server acknowledged server_name (RFC 6066 §3).
    pub(crate) fn server_name_ack(&self) -> bool {
        self.find_ext(ExtensionType::ServerName).is_some()
    }

    /// Whether the server promised a NewSessionTicket (RFC 5077 §3.2).
    pub(crate) fn session_ticket_ack(&self) -> bool {
        self.find_ext(ExtensionType::SessionTicket).is_some()
    }
}

impl<'a> Codec<'a> for CertificateMsg<'a> {
    fn encode(&self, out: &mut impl Writer) {
        self.chain.encode(3, out);
    }

    /// RFC 5246 §7.4.2: `opaque ASN.1Cert<1..2^24-1>;
    /// ASN.1Cert certificate_list<0..2^24-1>`.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            chain: List::decode(r, 3, "certificate list")?,
        })
    }
}

/// RFC 5246 §7.4.2: `opaque ASN.1Cert<1..2^24-1>`, one DER certificate,
/// borrowed from the message.
impl<'a> Codec<'a> for CertificateDer<'a> {
    fn encode(&self, out: &mut impl Writer) {
        out.with_len(3, |out| out.put(self));
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let cert = r.vec_u24("certificate")?;
        if cert.is_empty() {
            return Err(Error::Decode("certificate"));
        }
        Ok(Self::from(cert))
    }
}

impl<'a> Codec<'a> for DigitallySigned<'a> {
    fn encode(&self, out: &mut impl Writer) {
        self.scheme.encode(out);
        out.with_len(2, |out| out.put(self.signature));
    }

    /// RFC 5246 §4.7: `SignatureAndHashAlgorithm algorithm;
    /// opaque signature<0..2^16-1>`.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let scheme = SignatureScheme::decode(r)?;
        let signature = r.vec_u16("signature")?;
        Ok(Self { scheme, signature })
    }
}

impl<'a> Codec<'a> for EcdheParams<'a> {
    fn encode(&self, out: &mut impl Writer) {
        self.curve_type.encode(out);
        self.group.encode(out);
        out.with_len(1, |out| out.put(self.public));
    }

    /// RFC 8422 §5.4: `ECParameters curve_params; ECPoint public;`.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let curve_type = EcCurveType::decode(r)?;
        // RFC 8422 §5.4: explicit_prime and explicit_char2 are deprecated;
        // only named_curve is accepted.
        if curve_type != EcCurveType::NamedCurve {
            return Err(Error::IllegalParameter("explicit curve"));
        }
        let group = NamedGroup::decode(r)?;
        let public = decode_point(r)?;
        Ok(Self {
            curve_type,
            group,
            public,
        })
    }
}

/// RFC 8422 §5.4: `opaque point <1..2^8-1>`.
fn decode_point<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], Error> {
    let point = r.vec_u8("ec point")?;
    if point.is_empty() {
        return Err(Error::Decode("ec point"));
    }
    Ok(point)
}

impl<'a> EcdheServerKeyExchange<'a> {
    /// Decodes an ECDHE ServerKeyExchange body (RFC 8422 §5.4), which must be
    /// consumed exactly. `params_raw` borrows the exact params bytes.
    pub(crate) fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let params = EcdheParams::decode(&mut r)?;
        let consumed = body.len().saturating_sub(r.left());
        let params_raw = body
            .get(..consumed)
            .ok_or(Error::Decode("ServerKeyExchange"))?;
        let signed = DigitallySigned::decode(&mut r)?;
        r.expect_empty("ServerKeyExchange")?;
        Ok(Self {
            params,
            params_raw,
            signed,
        })
    }

    #[cfg(test)]
    /// Encodes the body: `params` (from the structured field, which must
    /// agree with `params_raw`) then `signed_params`.
    pub(crate) fn encode(&self, out: &mut impl Writer) {
        self.params.encode(out);
        self.signed.encode(out);
    }
}

/// Writes `ServerECDHParams` for a named curve (RFC 8422 §5.4): the bytes a
/// server signs and sends.
pub(crate) fn encode_ecdhe_params(group: NamedGroup, public: &[u8], out: &mut impl Writer) {
    EcCurveType::NamedCurve.encode(out);
    group.encode(out);
    out.with_len(1, |out| out.put(public));
}

/// Decodes an ECDHE ClientKeyExchange body (RFC 8422 §5.7:
/// `opaque point <1..2^8-1>`), which must be consumed exactly.
pub(crate) fn decode_ecdh_public(body: &[u8]) -> Result<&[u8], Error> {
    let mut r = Reader::new(body);
    let point = decode_point(&mut r)?;
    r.expect_empty("ClientKeyExchange")?;
    Ok(point)
}

/// Encodes an ECDHE ClientKeyExchange body (RFC 8422 §5.7).
pub(crate) fn encode_ecdh_public(public: &[u8], out: &mut impl Writer) {
    out.with_len(1, |out| out.put(public));
}

/// Decodes a PSK ServerKeyExchange body (RFC 4279 §2:
/// `psk_identity_hint<0..2^16-1>`; RFC 5489 §2 adds the ECDH params for
/// ECDHE_PSK, unsigned), which must be consumed exactly.
pub(crate) fn decode_psk_server_key_exchange(
    body: &[u8],
    ecdhe: bool,
) -> Result<(&[u8], Option<EcdheParams<'_>>), Error> {
    let mut r = Reader::new(body);
    let hint = r.vec_u16("ServerKeyExchange")?;
    let params = if ecdhe {
        Some(EcdheParams::decode(&mut r)?)
    } else {
        None
    };
    r.expect_empty("ServerKeyExchange")?;
    Ok((hint, params))
}

/// Encodes a PSK ServerKeyExchange body: the hint, then for ECDHE_PSK the
/// ECDH params (RFC 4279 §2, RFC 5489 §2).
pub(crate) fn encode_psk_server_key_exchange(
    hint: &[u8],
    params: Option<(NamedGroup, &[u8])>,
    out: &mut impl Writer,
) {
    out.with_len(2, |out| out.put(hint));
    if let Some((group, public)) = params {
        encode_ecdhe_params(group, public, out);
    }
}

/// Decodes a PSK ClientKeyExchange body (RFC 4279 §2:
/// `psk_identity<0..2^16-1>`; RFC 5489 §2 adds the client's ECDH public
/// key for ECDHE_PSK), which must be consumed exactly.
pub(crate) fn decode_psk_client_key_exchange(
    body: &[u8],
    ecdhe: bool,
) -> Result<(&[u8], Option<&[u8]>), Error> {
    let mut r = Reader::new(body);
    let identity = r.vec_u16("ClientKeyExchange")?;
    let public = if ecdhe {
        Some(decode_point(&mut r)?)
    } else {
        None
    };
    r.expect_empty("ClientKeyExchange")?;
    Ok((identity, public))
}

/// Encodes a PSK ClientKeyExchange body (RFC 4279 §2, RFC 5489 §2).
pub(crate) fn encode_psk_client_key_exchange(
    identity: &[u8],
    public: Option<&[u8]>,
    out: &mut impl Writer,
) {
    out.with_len(2, |out| out.put(identity));
    if let Some(public) = public {
        out.with_len(1, |out| out.put(public));
    }
}

/// Decodes an RSA ClientKeyExchange body: `public-key-encrypted
/// PreMasterSecret`, which TLS 1.2 prefixes with a two-byte length (RFC
/// 5246 §7.4.7.1). An empty ciphertext is well-formed here; what it
/// decrypts to is the decryption's business.
pub(crate) fn decode_encrypted_premaster(body: &[u8]) -> Result<&[u8], Error> {
    let mut r = Reader::new(body);
    let encrypted = r.vec_u16("ClientKeyExchange")?;
    r.expect_empty("ClientKeyExchange")?;
    Ok(encrypted)
}

/// Encodes an RSA ClientKeyExchange body (RFC 5246 §7.4.7.1).
pub(crate) fn encode_encrypted_premaster(encrypted: &[u8], out: &mut impl Writer) {
    out.with_len(2, |out| out.put(encrypted));
}

impl<'a> Codec<'a> for CertificateRequest<'a> {
    fn encode(&self, out: &mut impl Writer) {
        self.certificate_types.encode(1, out);
        self.signature_schemes.encode(2, out);
        self.ca_names.encode(2, out);
    }

    /// RFC 5246 §7.4.4.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            // `ClientCertificateType certificate_types<1..2^8-1>`.
            certificate_types: List::decode_nonempty(r, 1, "certificate types")?,
            // `SignatureAndHashAlgorithm
            // supported_signature_algorithms<2..2^16-2>`.
            signature_schemes: List::decode_nonempty(r, 2, "supported signature algorithms")?,
            // `DistinguishedName certificate_authorities<0..2^16-1>`.
            ca_names: List::decode(r, 2, "certificate authorities")?,
        })
    }
}

impl<'a> Codec<'a> for NewSessionTicket<'a> {
    fn encode(&self, out: &mut impl Writer) {
        out.put_u32(self.lifetime_hint);
        out.with_len(2, |out| out.put(self.ticket));
    }

    /// RFC 5077 §3.3: `uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>`.
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let lifetime_hint = r.u32("ticket lifetime hint")?;
        let ticket = r.vec_u16("ticket")?;
        Ok(Self {
            lifetime_hint,
            ticket,
        })
    }
}

impl HandshakeMessage<'_> {
    /// The message's name.
    #[cfg(test)]
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::HelloRequest => "HelloRequest",
            Self::ClientHello(_) => "ClientHello",
            Self::ServerHello(_) => "ServerHello",
            Self::NewSessionTicket(_) => "NewSessionTicket",
            Self::Certificate(_) => "Certificate",
            Self::ServerKeyExchange(_) => "ServerKeyExchange",
            Self::CertificateRequest(_) => "CertificateRequest",
            Self::ServerHelloDone => "ServerHelloDone",
            Self::CertificateVerify(_) => "CertificateVerify",
            Self::ClientKeyExchange(_) => "ClientKeyExchange",
            Self::Finished(_) => "Finished",
            Self::Unknown(typ, _) => typ.name().unwrap_or("unknown handshake message"),
        }
    }
}

/// The handshake type byte for `msg`.
pub(crate) fn handshake_type(msg: &HandshakeMessage<'_>) -> HandshakeType {
    use HandshakeMessage as M;
    match msg {
        M::HelloRequest => HandshakeType::HelloRequest,
        M::ClientHello(_) => HandshakeType::ClientHello,
        M::ServerHello(_) => HandshakeType::ServerHello,
        M::NewSessionTicket(_) => HandshakeType::NewSessionTicket,
        M::Certificate(_) => HandshakeType::Certificate,
        M::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
        M::CertificateRequest(_) => HandshakeType::CertificateRequest,
        M::ServerHelloDone => HandshakeType::ServerHelloDone,
        M::CertificateVerify(_) => HandshakeType::CertificateVerify,
        M::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
        M::Finished(_) => HandshakeType::Finished,
        M::Unknown(typ, _) => *typ,
    }
}

/// RFC 6066 §8: `struct { CertificateStatusType status_type; select
/// (status_type) { case ocsp: OCSPResponse response; } } CertificateStatus`
/// with `opaque OCSPResponse<1..2^24-1>`: the DER OCSP response. Only ocsp
/// is defined (and the only type we ask for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CertificateStatus<'a> {
    pub(crate) ocsp_response: &'a [u8],
}

impl<'a> Codec<'a> for CertificateStatus<'a> {
    fn encode(&self, out: &mut impl Writer) {
        out.put_u8(crate::codec::extensions::STATUS_TYPE_OCSP);
        out.with_len(3, |out| out.put(self.ocsp_response));
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        const WHAT: &str = "CertificateStatus";
        if r.u8(WHAT)? != crate::codec::extensions::STATUS_TYPE_OCSP {
            return Err(Error::Decode(WHAT));
        }
        let ocsp_response = r.vec_u24(WHAT)?;
        if ocsp_response.is_empty() {
            return Err(Error::Decode(WHAT));
        }
        Ok(Self { ocsp_response })
    }
}

/// Decodes a handshake message body (without the 4-byte header, RFC 5246
/// §7.4), which must be consumed exactly.
pub(crate) fn decode_handshake<'a>(
    typ: HandshakeType,
    body: &'a [u8],
) -> Result<HandshakeMessage<'a>, Error> {
    use HandshakeMessage as M;
    Ok(match typ {
        // RFC 5246 §7.4.1.1 and §7.4.5: `struct { }`.
        HandshakeType::HelloRequest => {
            Reader::new(body).expect_empty("HelloRequest")?;
            M::HelloRequest
        }
        HandshakeType::ServerHelloDone => {
            Reader::new(body).expect_empty("ServerHelloDone")?;
            M::ServerHelloDone
        }
        HandshakeType::ClientHello => {
            M::ClientHello(ClientHello::decode_exact(body, "ClientHello")?)
        }
        HandshakeType::ServerHello => {
            M::ServerHello(ServerHello::decode_exact(body, "ServerHello")?)
        }
        HandshakeType::NewSessionTicket => {
            M::NewSessionTicket(NewSessionTicket::decode_exact(body, "NewSessionTicket")?)
        }
        HandshakeType::Certificate => {
            M::Certificate(CertificateMsg::decode_exact(body, "Certificate")?)
        }
        HandshakeType::CertificateRequest => M::CertificateRequest(
            CertificateRequest::decode_exact(body, "CertificateRequest")?,
        ),
        HandshakeType::CertificateVerify => {
            M::CertificateVerify(DigitallySigned::decode_exact(body, "CertificateVerify")?)
        }
        // Key-exchange dependent or opaque: the state machine decodes these.
        HandshakeType::ServerKeyExchange => M::ServerKeyExchange(body),
        HandshakeType::ClientKeyExchange => M::ClientKeyExchange(body),
        HandshakeType::Finished => M::Finished(body),
        _ => M::Unknown(typ, body),
    })
}

/// Appends `msg` with its 4-byte header (`HandshakeType msg_type;
/// uint24 length;`, RFC 5246 §7.4).
pub(crate) fn encode_handshake(msg: &HandshakeMessage<'_>, out: &mut impl Writer) {
    use HandshakeMessage as M;
    handshake_type(msg).encode(out);
    out.with_len(3, |out| match msg {
        M::HelloRequest | M::ServerHelloDone => {}
        M::ClientHello(m) => m.encode(out),
        M::ServerHello(m) => m.encode(out),
        M::NewSessionTicket(m) => m.encode(out),
        M::Certificate(m) => m.encode(out),
        M::CertificateRequest(m) => m.encode(out),
        M::CertificateVerify(m) => m.encode(out),
        M::ServerKeyExchange(b) | M::ClientKeyExchange(b) | M::Finished(b) | M::Unknown(_, b) => {
            out.put(b)
        }
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Parses hex, ignoring whitespace.
    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| (b as char).to_digit(16).expect("hex digit") as u8)
            .collect();
        assert!(digits.len() % 2 == 0, "odd hex length");
        digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
    }

    /// A hand-assembled ClientHello handshake message (header included).
    pub(crate) fn client_hello_bytes() -> Vec<u8> {
        hex("
            01 0000b0
            0303
            000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
            20 e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
            0008 c02b c02f cca9 00ff
            01 00
            005f
              0000 0010 000e 00 000b 6578616d706c652e636f6d
              000a 0008 0006 001d 0017 0018
              000b 0002 01 00
              000d 0008 0006 0403 0804 0401
              0010 000e 000c 02 6832 08 687474702f312e31
              0017 0000
              ff01 0001 00
              0023 0000
              002b 0005 04 0304 0303
              0a0a 0001 00
        ")
    }

    /// A hand-assembled ServerHello handshake message (header included).
    pub(crate) fn server_hello_bytes() -> Vec<u8> {
        hex("
            02 000048
            0303
            a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
            00
            c02f
            00
            0020
              0000 0000
              ff01 0001 00
              0017 0000
              000b 0002 01 00
              0010 0005 0003 02 6832
              0023 0000
        ")
    }

    /// A hand-assembled ECDHE ServerKeyExchange body (x25519, ed25519).
    pub(crate) fn ske_body() -> Vec<u8> {
        let mut v = hex("03 001d 20");
        v.extend_from_slice(&[0x42; 32]);
        v.extend_from_slice(&hex("0807 0040"));
        v.extend_from_slice(&[0x5a; 64]);
        v
    }

    fn split(msg: &[u8]) -> (HandshakeType, &[u8]) {
        let len = u32::from_be_bytes([0, msg[1], msg[2], msg[3]]) as usize;
        assert_eq!(len, msg.len() - 4, "header length");
        (HandshakeType::from_wire(msg[0]), &msg[4..])
    }

    fn is_decode<T: core::fmt::Debug>(r: Result<T, Error>) -> bool {
        matches!(r, Err(Error::Decode(_)))
    }

    #[test]
    fn decodes_hand_assembled_client_hello() {
        let bytes = client_hello_bytes();
        let (typ, body) = split(&bytes);
        let HandshakeMessage::ClientHello(ch) = decode_handshake(typ, body).unwrap() else {
            panic!("not a ClientHello")
        };
        assert_eq!(ch.client_version, ProtocolVersion::Tls12);
        assert_eq!(ch.random.0[31], 0x1f);
        assert_eq!(ch.session_id.as_slice().len(), 32);
        assert_eq!(
            ch.cipher_suites,
            List::borrowed(&[
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
            ])
        );
        assert!(ch.offers_suite(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));
        assert_eq!(ch.compression_methods, List::borrowed(&[Compression::Null]));
        assert!(ch.extensions_present);
        assert_eq!(ch.extensions.len(), 10);
        assert_eq!(ch.server_name(), Some(&b"example.com"[..]));
        assert_eq!(
            ch.supported_groups(),
            Some(List::borrowed(&[
                NamedGroup::X25519,
                NamedGroup::Secp256r1,
                NamedGroup::Secp384r1
            ]))
        );
        assert_eq!(
            ch.ec_point_formats(),
            Some(List::borrowed(&[EcPointFormat::Uncompressed]))
        );
        assert_eq!(
            ch.signature_algorithms(),
            Some(List::borrowed(&[
                SignatureScheme::EcdsaSecp256r1Sha256,
                SignatureScheme::RsaPssRsaeSha256,
                SignatureScheme::RsaPkcs1Sha256
            ]))
        );
        assert_eq!(
            ch.alpn(),
            Some(List::borrowed(&[
                ProtocolName(b"h2"),
                ProtocolName(b"http/1.1")
            ]))
        );
        assert!(ch.has_ems());
        assert_eq!(ch.renegotiation_info(), Some(&[][..]));
        assert_eq!(ch.session_ticket(), Some(&[][..]));
        assert_eq!(
            ch.supported_versions(),
            Some(List::borrowed(&[
                ProtocolVersion::Tls13,
                ProtocolVersion::Tls12
            ]))
        );
        assert_eq!(
            ch.find_ext(ExtensionType::from_wire(0x0a0a)),
            Some(ClientExtension::Unknown {
                typ: 0x0a0a,
                body: &[0]
            })
        );
        assert_eq!(ch.find_ext(ExtensionType::KeyShare), None);

        let mut again = Vec::new();
        encode_handshake(&HandshakeMessage::ClientHello(ch), &mut again);
        assert_eq!(again, bytes);
    }

    #[test]
    fn decodes_hand_assembled_server_hello() {
        let bytes = server_hello_bytes();
        let (typ, body) = split(&bytes);
        let HandshakeMessage::ServerHello(sh) = decode_handshake(typ, body).unwrap() else {
            panic!("not a ServerHello")
        };
        assert_eq!(sh.server_version, ProtocolVersion::Tls12);
        assert!(sh.session_id.is_empty());
        assert_eq!(
            sh.cipher_suite,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        );
        assert_eq!(sh.compression_method, Compression::Null);
        assert!(sh.server_name_ack());
        assert_eq!(sh.renegotiation_info(), Some(&[][..]));
        assert!(sh.has_ems());
        assert_eq!(
            sh.ec_point_formats(),
            Some(List::borrowed(&[EcPointFormat::Uncompressed]))
        );
        assert_eq!(sh.alpn(), Some(&b"h2"[..]));
        assert!(sh.session_ticket_ack());
        let mut again = Vec::new();
        encode_handshake(&HandshakeMessage::ServerHello(sh), &mut again);
        assert_eq!(again, bytes);
    }

    #[test]
    fn hello_extensions_block_absent_or_empty_round_trips() {
        let full = client_hello_bytes();
        // Cut just before the extensions block: 4 header + 2 + 32 + 33 + 10 + 2.
        let base = &full[4..4 + 79];
        let absent = ClientHello::decode_exact(base, "ch").unwrap();
        assert!(!absent.extensions_present && absent.extensions.is_empty());
        assert_eq!(absent.encoded(), base);

        let mut empty_block = base.to_vec();
        empty_block.extend_from_slice(&[0, 0]);
        let empty = ClientHello::decode_exact(&empty_block, "ch").unwrap();
        assert!(empty.extensions_present && empty.extensions.is_empty());
        assert_eq!(empty.encoded(), empty_block);

        let sh = server_hello_bytes();
        let base = &sh[4..4 + 38];
        let absent = ServerHello::decode_exact(base, "sh").unwrap();
        assert!(!absent.extensions_present);
        assert_eq!(absent.encoded(), base);
        let mut empty_block = base.to_vec();
        empty_block.extend_from_slice(&[0, 0]);
        let empty = ServerHello::decode_exact(&empty_block, "sh").unwrap();
        assert!(empty.extensions_present && empty.extensions.is_empty());
        assert_eq!(empty.encoded(), empty_block);
    }

    fn sample_messages() -> Vec<Vec<u8>> {
        let mut out = vec![client_hello_bytes(), server_hello_bytes()];
        let ske = ske_body();
        let cert_a = [0x30u8, 0x03, 1, 2, 3];
        let cert_b = [0x30u8, 0x01, 9];
        let msgs = [
            HandshakeMessage::Certificate(CertificateMsg {
                chain: List::from(vec![
                    CertificateDer::from(&cert_a[..]),
                    CertificateDer::from(&cert_b[..]),
                ]),
            }),
            HandshakeMessage::CertificateRequest(CertificateRequest {
                certificate_types: List::from(vec![
                    ClientCertificateType::EcdsaSign,
                    ClientCertificateType::RsaSign,
                ]),
                signature_schemes: List::from(vec![
                    SignatureScheme::EcdsaSecp256r1Sha256,
                    SignatureScheme::Ed25519,
                ]),
                ca_names: List::from(vec![DistinguishedName(&cert_b), DistinguishedName(&cert_a)]),
            }),
            HandshakeMessage::NewSessionTicket(NewSessionTicket {
                lifetime_hint: 7200,
                ticket: &cert_a,
            }),
            HandshakeMessage::CertificateVerify(DigitallySigned {
                scheme: SignatureScheme::Ed25519,
                signature: &[7; 64],
            }),
        ];
        for m in &msgs {
            let mut v = Vec::new();
            encode_handshake(m, &mut v);
            out.push(v);
        }
        let mut v = vec![12, 0, 0, ske.len() as u8];
        v.extend_from_slice(&ske);
        out.push(v);
        out
    }

    #[test]
    fn sample_messages_round_trip() {
        for bytes in sample_messages() {
            let (typ, body) = split(&bytes);
            let msg = decode_handshake(typ, body).unwrap();
            assert_eq!(handshake_type(&msg), typ);
            assert_eq!(msg.name(), typ.name().unwrap());
            let mut again = Vec::new();
            encode_handshake(&msg, &mut again);
            assert_eq!(again, bytes);
        }
    }

    #[test]
    fn every_truncation_is_decode_error() {
        for bytes in sample_messages() {
            let (typ, body) = split(&bytes);
            for cut in 0..body.len() {
                let short = &body[..cut];
                let hello = matches!(typ, HandshakeType::ClientHello | HandshakeType::ServerHello);
                // A hello cut exactly before its extensions block is a valid
                // hello without extensions (RFC 5246 §7.4.1.2).
                let boundary = match typ {
                    HandshakeType::ClientHello => 79,
                    HandshakeType::ServerHello => 38,
                    _ => usize::MAX,
                };
                if hello && cut == boundary {
                    let m = decode_handshake(typ, short).unwrap();
                    assert_ne!(m, decode_handshake(typ, body).unwrap());
                    continue;
                }
                match typ {
                    HandshakeType::ServerKeyExchange => {
                        assert!(
                            is_decode(EcdheServerKeyExchange::decode(short)),
                            "cut {cut}"
                        )
                    }
                    _ => assert!(is_decode(decode_handshake(typ, short)), "{typ:?} cut {cut}"),
                }
            }
        }
    }

    #[test]
    fn trailing_bytes_are_decode_error() {
        for bytes in sample_messages() {
            let (typ, body) = split(&bytes);
            let mut long = body.to_vec();
            long.push(0);
            match typ {
                HandshakeType::ServerKeyExchange => {
                    assert!(is_decode(EcdheServerKeyExchange::decode(&long)))
                }
                _ => assert!(is_decode(decode_handshake(typ, &long)), "{typ:?}"),
            }
        }
        assert!(is_decode(decode_handshake(
            HandshakeType::HelloRequest,
            &[0]
        )));
        assert!(is_decode(decode_handshake(
            HandshakeType::ServerHelloDone,
            &[0]
        )));
        assert!(is_decode(decode_ecdh_public(&[1, 4, 0])));
    }

    #[test]
    fn empty_bodies() {
        assert_eq!(
            decode_handshake(HandshakeType::HelloRequest, &[]),
            Ok(HandshakeMessage::HelloRequest)
        );
        assert_eq!(
            decode_handshake(HandshakeType::ServerHelloDone, &[]),
            Ok(HandshakeMessage::ServerHelloDone)
        );
        let mut v = Vec::new();
        encode_handshake(&HandshakeMessage::ServerHelloDone, &mut v);
        assert_eq!(v, [14, 0, 0, 0]);
        assert_eq!(
            decode_handshake(HandshakeType::Certificate, &[0, 0, 0]),
            Ok(HandshakeMessage::Certificate(CertificateMsg {
                chain: List::default()
            }))
        );
        // An empty certificate inside the list is malformed.
        assert!(is_decode(decode_handshake(
            HandshakeType::Certificate,
            &[0, 0, 3, 0, 0, 0]
        )));
    }

    #[test]
    fn raw_and_unknown_types() {
        let body = [1u8, 2, 3];
        assert_eq!(
            decode_handshake(HandshakeType::Finished, &body),
            Ok(HandshakeMessage::Finished(&body))
        );
        assert_eq!(
            decode_handshake(HandshakeType::ClientKeyExchange, &body),
            Ok(HandshakeMessage::ClientKeyExchange(&body))
        );
        let status = decode_handshake(HandshakeType::CertificateStatus, &body).unwrap();
        assert_eq!(
            status,
            HandshakeMessage::Unknown(HandshakeType::CertificateStatus, &body)
        );
        assert_eq!(status.name(), "CertificateStatus");
        let odd = decode_handshake(HandshakeType::from_wire(99), &body).unwrap();
        assert_eq!(odd.name(), "unknown handshake message");
        let mut v = Vec::new();
        encode_handshake(&odd, &mut v);
        assert_eq!(v, [99, 0, 0, 3, 1, 2, 3]);
    }

    #[test]
    fn duplicate_extension_is_illegal_parameter() {
        let mut bytes = client_hello_bytes();
        // Append a second extended_master_secret and fix both lengths.
        bytes.extend_from_slice(&[0x00, 0x17, 0x00, 0x00]);
        bytes[3] += 4;
        let ext_len_at = 4 + 79;
        bytes[ext_len_at + 1] += 4;
        let (typ, body) = split(&bytes);
        assert_eq!(
            decode_handshake(typ, body),
            Err(Error::Decode("extension block (a type repeated)"))
        );

        let mut sh = server_hello_bytes();
        sh.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]);
        sh[3] += 4;
        sh[4 + 38 + 1] += 4;
        let (typ, body) = split(&sh);
        assert_eq!(
            decode_handshake(typ, body),
            Err(Error::Decode("extension block (a type repeated)"))
        );
    }

    #[test]
    fn hello_field_bounds() {
        let full = client_hello_bytes();
        let body = &full[4..];
        // Session id longer than 32.
        let mut b = body.to_vec();
        b[34] = 33;
        assert!(is_decode(ClientHello::decode_exact(&b, "ch")));
        // Empty cipher_suites.
        let mut b = body[..67].to_vec();
        b.extend_from_slice(&[0, 0, 1, 0]);
        assert!(is_decode(ClientHello::decode_exact(&b, "ch")));
        // Odd-length cipher_suites.
        let mut b = body[..67].to_vec();
        b.extend_from_slice(&[0, 3, 0xc0, 0x2b, 0, 1, 0]);
        assert!(is_decode(ClientHello::decode_exact(&b, "ch")));
        // Empty compression_methods.
        let mut b = body[..77].to_vec();
        b.push(0);
        assert!(is_decode(ClientHello::decode_exact(&b, "ch")));
    }

    #[test]
    fn server_key_exchange() {
        let body = ske_body();
        let ske = EcdheServerKeyExchange::decode(&body).unwrap();
        assert_eq!(ske.params.curve_type, EcCurveType::NamedCurve);
        assert_eq!(ske.params.group, NamedGroup::X25519);
        assert_eq!(ske.params.public, &[0x42; 32][..]);
        assert_eq!(ske.params_raw, &body[..36]);
        assert_eq!(ske.signed.scheme, SignatureScheme::Ed25519);
        assert_eq!(ske.signed.signature, &[0x5a; 64][..]);
        let mut again = Vec::new();
        ske.encode(&mut again);
        assert_eq!(again, body);

        let mut params = Vec::new();
        encode_ecdhe_params(NamedGroup::X25519, &[0x42; 32], &mut params);
        assert_eq!(params, ske.params_raw);

        for explicit in [1u8, 2, 0, 255] {
            let mut b = body.clone();
            b[0] = explicit;
            assert_eq!(
                EcdheServerKeyExchange::decode(&b),
                Err(Error::IllegalParameter("explicit curve"))
            );
        }
        // Empty point.
        assert!(is_decode(EcdheServerKeyExchange::decode(&hex(
            "03 0017 00 0403 0000"
        ))));
    }

    #[test]
    fn client_key_exchange_point() {
        let mut v = Vec::new();
        encode_ecdh_public(&[4, 1, 2], &mut v);
        assert_eq!(v, [3, 4, 1, 2]);
        assert_eq!(decode_ecdh_public(&v), Ok(&[4u8, 1, 2][..]));
        assert!(is_decode(decode_ecdh_public(&[0])));
        assert!(is_decode(decode_ecdh_public(&[])));
        assert!(is_decode(decode_ecdh_public(&[3, 4, 1])));
    }

    /// RFC 4279 §2 and RFC 5489 §2: the identity hint and identity with
    /// two-byte lengths, the ECDHE_PSK additions after them.
    #[test]
    fn psk_key_exchanges() {
        let mut v = Vec::new();
        encode_psk_server_key_exchange(b"hint", None, &mut v);
        assert_eq!(v, [0, 4, b'h', b'i', b'n', b't']);
        assert_eq!(
            decode_psk_server_key_exchange(&v, false),
            Ok((&b"hint"[..], None))
        );
        assert!(is_decode(decode_psk_server_key_exchange(&v, true)));
        v.clear();
        encode_psk_server_key_exchange(b"", Some((NamedGroup::X25519, &[4, 5])), &mut v);
        assert_eq!(v, [0, 0, 3, 0, 0x1d, 2, 4, 5]);
        let (hint, params) = decode_psk_server_key_exchange(&v, true).unwrap();
        assert_eq!(hint, b"");
        let params = params.unwrap();
        assert_eq!(
            (params.group, params.public),
            (NamedGroup::X25519, &[4u8, 5][..])
        );
        assert!(is_decode(decode_psk_server_key_exchange(&v, false)));
        assert!(is_decode(decode_psk_server_key_exchange(&[0, 5, 1], false)));

        v.clear();
        encode_psk_client_key_exchange(b"id", Some(&[7, 8, 9]), &mut v);
        assert_eq!(v, [0, 2, b'i', b'd', 3, 7, 8, 9]);
        assert_eq!(
            decode_psk_client_key_exchange(&v, true),
            Ok((&b"id"[..], Some(&[7u8, 8, 9][..])))
        );
        assert!(is_decode(decode_psk_client_key_exchange(&v, false)));
        assert!(is_decode(decode_psk_client_key_exchange(
            &[0, 2, b'i', b'd', 0],
            true
        )));
        assert_eq!(
            decode_psk_client_key_exchange(&[0, 2, b'i', b'd'], false),
            Ok((&b"id"[..], None))
        );
        assert!(is_decode(decode_psk_client_key_exchange(
            &[0, 9, b'i'],
            false
        )));
    }

    /// RFC 5246 §7.4.7.1: the ciphertext with its two-byte length, and
    /// nothing after it.
    #[test]
    fn client_key_exchange_encrypted_premaster() {
        let mut v = Vec::new();
        encode_encrypted_premaster(&[9; 256], &mut v);
        assert_eq!(&v[..2], &[1, 0]);
        assert_eq!(decode_encrypted_premaster(&v), Ok(&[9u8; 256][..]));
        assert_eq!(decode_encrypted_premaster(&[0, 0]), Ok(&[][..]));
        assert!(is_decode(decode_encrypted_premaster(&[])));
        assert!(is_decode(decode_encrypted_premaster(&[0])));
        assert!(is_decode(decode_encrypted_premaster(&[0, 2, 1])));
        assert!(is_decode(decode_encrypted_premaster(&[0, 1, 1, 1])));
    }

    #[test]
    fn certificate_request_bounds() {
        // Empty certificate_types.
        assert!(is_decode(CertificateRequest::decode_exact(
            &hex("00 0002 0403 0000"),
            "cr"
        )));
        // Empty signature algorithms.
        assert!(is_decode(CertificateRequest::decode_exact(
            &hex("01 40 0000 0000"),
            "cr"
        )));
        // Empty distinguished name.
        assert!(is_decode(CertificateRequest::decode_exact(
            &hex("01 40 0002 0403 0002 0000"),
            "cr"
        )));
        let bytes = hex("01 40 0002 0403 0000");
        let ok = CertificateRequest::decode_exact(&bytes, "cr").unwrap();
        assert!(ok.ca_names.is_empty());
    }

    /// A real ClientHello produced by rustls (a dev-dependency used only as a
    /// test peer) decodes and re-encodes byte for byte.
    #[test]
    fn decodes_rustls_client_hello() {
        use std::sync::Arc;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        for versions in [&[&rustls::version::TLS12][..], rustls::DEFAULT_VERSIONS] {
            let config = rustls::ClientConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(versions)
                .unwrap()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            let name = rustls::pki_types::ServerName::try_from("example.com").unwrap();
            let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
            let mut wire = Vec::new();
            conn.write_tls(&mut wire).unwrap();
            // Record header: type 22, version, length.
            assert_eq!(wire[0], 22);
            let record = &wire[5..];
            let (typ, body) = split(record);
            let msg = decode_handshake(typ, body).unwrap();
            let HandshakeMessage::ClientHello(ch) = &msg else {
                panic!("not a ClientHello")
            };
            assert_eq!(ch.server_name(), Some(&b"example.com"[..]));
            assert!(ch.supported_groups().is_some());
            assert!(ch.signature_algorithms().is_some());
            assert!(ch.has_ems());
            let mut again = Vec::new();
            encode_handshake(&msg, &mut again);
            assert_eq!(again, record);
        }
    }
}
