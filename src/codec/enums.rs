//! IANA registries used by TLS 1.2, as enums with an `Unknown` fallback so a
//! value we do not implement still decodes (and re-encodes) exactly.

use core::fmt;

use super::{Codec, Reader, Writer};
use crate::error::Error;

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $repr:ident ($read:ident, $put:ident, $what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, $text:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not implement, kept as received.
            Unknown($repr),
        }

        impl $name {
            /// The wire value.
            pub const fn to_wire(self) -> $repr {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(v) => v,
                }
            }

            /// Looks up a wire value; unimplemented values become `Unknown`.
            pub const fn from_wire(v: $repr) -> Self {
                match v {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }

            /// The registry name (for suites, the IANA name), if known.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($text), )*
                    Self::Unknown(_) => None,
                }
            }

            /// Looks a value up by its registry name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $text => Some(Self::$variant), )*
                    _ => None,
                }
            }

            /// Every value this crate names.
            #[cfg(test)]
            #[allow(dead_code)] // not every registry is enumerated by a test
            pub(crate) const KNOWN: &'static [Self] = &[ $( Self::$variant, )* ];
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self::from_wire(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.to_wire()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let more = super::registry::more_name(stringify!($name), u16::from(self.to_wire()));
                match (self.name(), more) {
                    (Some(n), _) => f.write_str(n),
                    (None, Some((n, why))) => write!(f, "{n} ({why})"),
                    (None, None) => write!(f, "{}(0x{:x})", stringify!($name), self.to_wire()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self, f)
            }
        }

        impl<'a> Codec<'a> for $name {
            fn encode(&self, out: &mut impl Writer) {
                out.$put(self.to_wire());
            }
            fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
                r.$read($what).map(Self::from_wire)
            }
        }
    };
}

wire_enum! {
    /// TLS protocol versions (RFC 5246 §6.2.1, Appendix E).
    pub enum ProtocolVersion: u16 (u16, put_u16, "protocol version") {
        /// SSL 3.0: never negotiated.
        Ssl3 = 0x0300, "SSLv3",
        /// TLS 1.0: never negotiated.
        Tls10 = 0x0301, "TLSv1.0",
        /// TLS 1.1: never negotiated.
        Tls11 = 0x0302, "TLSv1.1",
        /// TLS 1.2: the only version this crate speaks.
        Tls12 = 0x0303, "TLSv1.2",
        /// TLS 1.3: recognised so a client offering it lands on 1.2.
        Tls13 = 0x0304, "TLSv1.3",
    }
}

wire_enum! {
    /// Record content types (RFC 5246 §6.2.1).
    pub enum ContentType: u8 (u8, put_u8, "content type") {
        /// change_cipher_spec(20)
        ChangeCipherSpec = 20, "change_cipher_spec",
        /// alert(21)
        Alert = 21, "alert",
        /// handshake(22)
        Handshake = 22, "handshake",
        /// application_data(23)
        ApplicationData = 23, "application_data",
        /// heartbeat(24), RFC 6520: refused.
        Heartbeat = 24, "heartbeat",
    }
}

wire_enum! {
    /// Handshake message types (RFC 5246 §7.4, RFC 5077 §3.3, RFC 6066 §8).
    pub enum HandshakeType: u8 (u8, put_u8, "handshake type") {
        /// hello_request(0)
        HelloRequest = 0, "HelloRequest",
        /// client_hello(1)
        ClientHello = 1, "ClientHello",
        /// server_hello(2)
        ServerHello = 2, "ServerHello",
        /// new_session_ticket(4)
        NewSessionTicket = 4, "NewSessionTicket",
        /// certificate(11)
        Certificate = 11, "Certificate",
        /// server_key_exchange(12)
        ServerKeyExchange = 12, "ServerKeyExchange",
        /// certificate_request(13)
        CertificateRequest = 13, "CertificateRequest",
        /// server_hello_done(14)
        ServerHelloDone = 14, "ServerHelloDone",
        /// certificate_verify(15)
        CertificateVerify = 15, "CertificateVerify",
        /// client_key_exchange(16)
        ClientKeyExchange = 16, "ClientKeyExchange",
        /// finished(20)
        Finished = 20, "Finished",
        /// certificate_status(22), RFC 6066 §8
        CertificateStatus = 22, "CertificateStatus",
    }
}

wire_enum! {
    /// Alert levels (RFC 5246 §7.2).
    pub enum AlertLevel: u8 (u8, put_u8, "alert level") {
        /// warning(1)
        Warning = 1, "warning",
        /// fatal(2)
        Fatal = 2, "fatal",
    }
}

wire_enum! {
    /// Alert descriptions (RFC 5246 §7.2, RFC 5746, RFC 7301, RFC 6066).
    pub enum AlertDescription: u8 (u8, put_u8, "alert description") {
        /// close_notify(0)
        CloseNotify = 0, "close_notify",
        /// unexpected_message(10)
        UnexpectedMessage = 10, "unexpected_message",
        /// bad_record_mac(20)
        BadRecordMac = 20, "bad_record_mac",
        /// decryption_failed_RESERVED(21)
        DecryptionFailed = 21, "decryption_failed",
        /// record_overflow(22)
        RecordOverflow = 22, "record_overflow",
        /// decompression_failure(30)
        DecompressionFailure = 30, "decompression_failure",
        /// handshake_failure(40)
        HandshakeFailure = 40, "handshake_failure",
        /// no_certificate_RESERVED(41)
        NoCertificate = 41, "no_certificate",
        /// bad_certificate(42)
        BadCertificate = 42, "bad_certificate",
        /// unsupported_certificate(43)
        UnsupportedCertificate = 43, "unsupported_certificate",
        /// certificate_revoked(44)
        CertificateRevoked = 44, "certificate_revoked",
        /// certificate_expired(45)
        CertificateExpired = 45, "certificate_expired",
        /// certificate_unknown(46)
        CertificateUnknown = 46, "certificate_unknown",
        /// illegal_parameter(47)
        IllegalParameter = 47, "illegal_parameter",
        /// unknown_ca(48)
        UnknownCa = 48, "unknown_ca",
        /// access_denied(49)
        AccessDenied = 49, "access_denied",
        /// decode_error(50)
        DecodeError = 50, "decode_error",
        /// decrypt_error(51)
        DecryptError = 51, "decrypt_error",
        /// export_restriction_RESERVED(60)
        ExportRestriction = 60, "export_restriction",
        /// protocol_version(70)
        ProtocolVersion = 70, "protocol_version",
        /// insufficient_security(71)
        InsufficientSecurity = 71, "insufficient_security",
        /// internal_error(80)
        InternalError = 80, "internal_error",
        /// inappropriate_fallback(86), RFC 7507
        InappropriateFallback = 86, "inappropriate_fallback",
        /// user_canceled(90)
        UserCanceled = 90, "user_canceled",
        /// no_renegotiation(100)
        NoRenegotiation = 100, "no_renegotiation",
        /// unsupported_extension(110)
        UnsupportedExtension = 110, "unsupported_extension",
        /// unrecognized_name(112), RFC 6066
        UnrecognizedName = 112, "unrecognized_name",
        /// unknown_psk_identity(115), RFC 4279 §2
        UnknownPskIdentity = 115, "unknown_psk_identity",
        /// no_application_protocol(120), RFC 7301
        NoApplicationProtocol = 120, "no_application_protocol",
    }
}

wire_enum! {
    /// Cipher suites (IANA TLS Cipher Suites registry). The ECDHE AEAD
    /// suites are implemented (the CCM ones with the `aes-ccm` feature),
    /// and the RSA key transport AEAD suites as a legacy opt-in; the rest
    /// are named so errors can say what a peer offered.
    #[allow(non_camel_case_types)]
    pub enum CipherSuite: u16 (u16, put_u16, "cipher suite") {
        /// RFC 5289
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        /// RFC 5289
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        /// RFC 7905
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        /// RFC 5289
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        /// RFC 5289
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        /// RFC 7905
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        /// RFC 7251: AES-128-CCM with a 16-byte tag, SHA-256 PRF. Needs the
        /// `aes-ccm` cargo feature and is used only when listed in a
        /// configuration's `cipher_suites`.
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM = 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
        /// RFC 7251: AES-128-CCM with an 8-byte tag, SHA-256 PRF. Needs the
        /// `aes-ccm` cargo feature and is used only when listed in a
        /// configuration's `cipher_suites`.
        ///
        /// The 64-bit tag is weaker than every other suite's 128 bits: each
        /// forged record has a 2^-64 chance of being accepted, and forgery
        /// attempts add up over all connections under attack (RFC 6655 §6;
        /// RFC 6655 and RFC 7251 mean CCM_8 for constrained networks where
        /// every byte counts). A failed attempt closes the connection here,
        /// so each costs the attacker a new handshake, but prefer
        /// [`TLS_ECDHE_ECDSA_WITH_AES_128_CCM`](Self::TLS_ECDHE_ECDSA_WITH_AES_128_CCM)
        /// unless the peer offers nothing else.
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        /// RFC 6655 (with the `aes-ccm` feature): pre-shared key, AES-CCM.
        TLS_PSK_WITH_AES_128_CCM = 0xc0a4, "TLS_PSK_WITH_AES_128_CCM",
        /// RFC 6655 (with the `aes-ccm` feature): pre-shared key,
        /// AES-CCM-8, RFC 7925's mandatory suite for constrained devices.
        /// Its 64-bit tag is weaker than the others' 128 bits (see
        /// [`TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8`](Self::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8)).
        TLS_PSK_WITH_AES_128_CCM_8 = 0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8",
        /// RFC 5487: pre-shared key, AES-128-GCM.
        TLS_PSK_WITH_AES_128_GCM_SHA256 = 0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256",
        /// RFC 5487: pre-shared key, AES-256-GCM.
        TLS_PSK_WITH_AES_256_GCM_SHA384 = 0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384",
        /// RFC 7905: pre-shared key, ChaCha20-Poly1305.
        TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
        /// RFC 7905: ECDHE and a pre-shared key, ChaCha20-Poly1305.
        TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        /// RFC 8442: ECDHE and a pre-shared key, AES-128-GCM.
        TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 = 0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
        /// RFC 8442: ECDHE and a pre-shared key, AES-256-GCM.
        TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384 = 0xd002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384",
        /// RFC 5746 signalling value, never negotiated.
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        /// RFC 7507 signalling value, never negotiated.
        TLS_FALLBACK_SCSV = 0x5600, "TLS_FALLBACK_SCSV",
        /// RFC 5288. RSA key transport: no forward secrecy; only with
        /// `legacy_rsa_key_transport`.
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256",
        /// RFC 5288. RSA key transport: no forward secrecy; only with
        /// `legacy_rsa_key_transport`.
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384",
        /// Finite-field DHE: refused (Logjam; RFC 10015).
        TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        /// Finite-field DHE: refused (Logjam; RFC 10015).
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        /// CBC mode: refused (Lucky13-class padding oracles).
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        /// CBC mode: refused (Lucky13-class padding oracles).
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        /// TLS 1.3 suite: never negotiated here.
        TLS13_AES_128_GCM_SHA256 = 0x1301, "TLS_AES_128_GCM_SHA256",
        /// TLS 1.3 suite: never negotiated here.
        TLS13_AES_256_GCM_SHA384 = 0x1302, "TLS_AES_256_GCM_SHA384",
        /// TLS 1.3 suite: never negotiated here.
        TLS13_CHACHA20_POLY1305_SHA256 = 0x1303, "TLS_CHACHA20_POLY1305_SHA256",
    }
}

wire_enum! {
    /// Named groups for ECDHE (RFC 8422 §5.1.1, RFC 7919).
    pub enum NamedGroup: u16 (u16, put_u16, "named group") {
        /// secp256r1 (NIST P-256)
        Secp256r1 = 0x0017, "secp256r1",
        /// secp384r1 (NIST P-384)
        Secp384r1 = 0x0018, "secp384r1",
        /// secp521r1: not implemented by ring's ECDH.
        Secp521r1 = 0x0019, "secp521r1",
        /// x25519 (RFC 8422 §5.1.1)
        X25519 = 0x001d, "x25519",
        /// x448: not implemented.
        X448 = 0x001e, "x448",
        /// ffdhe2048 (RFC 7919): finite-field DHE is refused.
        Ffdhe2048 = 0x0100, "ffdhe2048",
    }
}

wire_enum! {
    /// Signature schemes (RFC 8446 §4.2.3 code points, which for TLS 1.2 are
    /// the SignatureAndHashAlgorithm pairs of RFC 5246 §7.4.1.4.1).
    pub enum SignatureScheme: u16 (u16, put_u16, "signature scheme") {
        /// ecdsa_secp256r1_sha256 (in TLS 1.2: ECDSA with SHA-256)
        EcdsaSecp256r1Sha256 = 0x0403, "ecdsa_secp256r1_sha256",
        /// ecdsa_secp384r1_sha384 (in TLS 1.2: ECDSA with SHA-384)
        EcdsaSecp384r1Sha384 = 0x0503, "ecdsa_secp384r1_sha384",
        /// ecdsa_secp521r1_sha512: not implemented.
        EcdsaSecp521r1Sha512 = 0x0603, "ecdsa_secp521r1_sha512",
        /// ed25519 (RFC 8422 §5.1.3)
        Ed25519 = 0x0807, "ed25519",
        /// rsa_pss_rsae_sha256
        RsaPssRsaeSha256 = 0x0804, "rsa_pss_rsae_sha256",
        /// rsa_pss_rsae_sha384
        RsaPssRsaeSha384 = 0x0805, "rsa_pss_rsae_sha384",
        /// rsa_pss_rsae_sha512
        RsaPssRsaeSha512 = 0x0806, "rsa_pss_rsae_sha512",
        /// rsa_pkcs1_sha256
        RsaPkcs1Sha256 = 0x0401, "rsa_pkcs1_sha256",
        /// rsa_pkcs1_sha384
        RsaPkcs1Sha384 = 0x0501, "rsa_pkcs1_sha384",
        /// rsa_pkcs1_sha512
        RsaPkcs1Sha512 = 0x0601, "rsa_pkcs1_sha512",
        /// rsa_pkcs1_sha1: refused (SHA-1).
        RsaPkcs1Sha1 = 0x0201, "rsa_pkcs1_sha1",
        /// ecdsa_sha1: refused (SHA-1).
        EcdsaSha1 = 0x0203, "ecdsa_sha1",
    }
}

wire_enum! {
    /// TLS extension types (IANA ExtensionType registry).
    pub enum ExtensionType: u16 (u16, put_u16, "extension type") {
        /// server_name(0), RFC 6066
        ServerName = 0, "server_name",
        /// max_fragment_length(1), RFC 6066
        MaxFragmentLength = 1, "max_fragment_length",
        /// status_request(5), RFC 6066
        StatusRequest = 5, "status_request",
        /// supported_groups(10), RFC 8422 / RFC 7919
        SupportedGroups = 10, "supported_groups",
        /// ec_point_formats(11), RFC 8422
        EcPointFormats = 11, "ec_point_formats",
        /// signature_algorithms(13), RFC 5246
        SignatureAlgorithms = 13, "signature_algorithms",
        /// heartbeat(15), RFC 6520
        Heartbeat = 15, "heartbeat",
        /// application_layer_protocol_negotiation(16), RFC 7301
        Alpn = 16, "application_layer_protocol_negotiation",
        /// encrypt_then_mac(22), RFC 7366 (irrelevant for AEAD suites)
        EncryptThenMac = 22, "encrypt_then_mac",
        /// extended_master_secret(23), RFC 7627
        ExtendedMasterSecret = 23, "extended_master_secret",
        /// record_size_limit(28), RFC 8449
        RecordSizeLimit = 28, "record_size_limit",
        /// session_ticket(35), RFC 5077
        SessionTicket = 35, "session_ticket",
        /// supported_versions(43), RFC 8446
        SupportedVersions = 43, "supported_versions",
        /// key_share(51), RFC 8446
        KeyShare = 51, "key_share",
        /// renegotiation_info(0xff01), RFC 5746
        RenegotiationInfo = 0xff01, "renegotiation_info",
    }
}

wire_enum! {
    /// Compression methods (RFC 5246 §6.2.2). Only `null` is ever used.
    pub enum Compression: u8 (u8, put_u8, "compression method") {
        /// null(0)
        Null = 0, "null",
        /// DEFLATE(1), RFC 3749: refused (CRIME).
        Deflate = 1, "deflate",
    }
}

wire_enum! {
    /// EC point formats (RFC 8422 §5.1.2).
    pub enum EcPointFormat: u8 (u8, put_u8, "ec point format") {
        /// uncompressed(0): the only format allowed by RFC 8422.
        Uncompressed = 0, "uncompressed",
        /// ansiX962_compressed_prime(1): deprecated.
        Ansix962CompressedPrime = 1, "ansiX962_compressed_prime",
    }
}

wire_enum! {
    /// ECCurveType in ServerECDHParams (RFC 8422 §5.4).
    pub enum EcCurveType: u8 (u8, put_u8, "ec curve type") {
        /// explicit_prime(1): refused.
        ExplicitPrime = 1, "explicit_prime",
        /// explicit_char2(2): refused.
        ExplicitChar2 = 2, "explicit_char2",
        /// named_curve(3): the only type used.
        NamedCurve = 3, "named_curve",
    }
}

wire_enum! {
    /// ClientCertificateType in CertificateRequest (RFC 5246 §7.4.4, RFC 8422).
    pub enum ClientCertificateType: u8 (u8, put_u8, "client certificate type") {
        /// rsa_sign(1)
        RsaSign = 1, "rsa_sign",
        /// ecdsa_sign(64)
        EcdsaSign = 64, "ecdsa_sign",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_value_round_trips() {
        for s in CipherSuite::KNOWN {
            assert_eq!(CipherSuite::from_wire(s.to_wire()), *s);
            assert_eq!(CipherSuite::from_name(s.name().unwrap()), Some(*s));
        }
        for g in NamedGroup::KNOWN {
            assert_eq!(NamedGroup::from_wire(g.to_wire()), *g);
        }
        for a in AlertDescription::KNOWN {
            assert_eq!(AlertDescription::from_wire(a.to_wire()), *a);
        }
    }

    #[test]
    fn unknown_values_are_preserved() {
        let s = CipherSuite::from_wire(0x1234);
        assert_eq!(s, CipherSuite::Unknown(0x1234));
        assert_eq!(s.encoded(), [0x12, 0x34]);
        assert_eq!(alloc::format!("{s:?}"), "CipherSuite(0x1234)");
    }
}

/// The record lengths a client can ask for with max_fragment_length
/// (RFC 6066 §4: `enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) }
/// MaxFragmentLength`).
///
/// ```
/// use tls12::MaxFragmentLength;
///
/// assert_eq!(MaxFragmentLength::L512.length(), 512);
/// assert_eq!(MaxFragmentLength::from_length(4096), Some(MaxFragmentLength::L4096));
/// assert_eq!(MaxFragmentLength::from_length(1000), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaxFragmentLength {
    /// 2^9 = 512 bytes (code 1).
    L512,
    /// 2^10 = 1024 bytes (code 2).
    L1024,
    /// 2^11 = 2048 bytes (code 3).
    L2048,
    /// 2^12 = 4096 bytes (code 4).
    L4096,
}

impl MaxFragmentLength {
    /// The length in bytes.
    pub const fn length(self) -> u16 {
        match self {
            Self::L512 => 512,
            Self::L1024 => 1024,
            Self::L2048 => 2048,
            Self::L4096 => 4096,
        }
    }

    /// The length of `len` bytes, if it is one of the four RFC 6066 allows.
    pub const fn from_length(len: u16) -> Option<Self> {
        match len {
            512 => Some(Self::L512),
            1024 => Some(Self::L1024),
            2048 => Some(Self::L2048),
            4096 => Some(Self::L4096),
            _ => None,
        }
    }

    /// The code sent on the wire (1 to 4).
    pub(crate) const fn code(self) -> u8 {
        match self {
            Self::L512 => 1,
            Self::L1024 => 2,
            Self::L2048 => 3,
            Self::L4096 => 4,
        }
    }

    /// The length a wire code names; `None` for codes RFC 6066 §4 does not
    /// define.
    pub(crate) const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::L512),
            2 => Some(Self::L1024),
            3 => Some(Self::L2048),
            4 => Some(Self::L4096),
            _ => None,
        }
    }
}
