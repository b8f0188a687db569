//! The cipher suite table: what each implemented suite means.

// The record and handshake layers that use most of this table are written in
// parallel; until they land, parts of it have no caller.

use crate::codec::enums::{CipherSuite, SignatureScheme};

/// Hash used by the PRF, the transcript and Finished (RFC 5246 §5, §7.4.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashAlgorithm {
    Sha256,
    Sha384,
}

impl HashAlgorithm {
    pub(crate) fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
        }
    }

    pub(crate) fn hmac(self) -> ring::hmac::Algorithm {
        match self {
            Self::Sha256 => ring::hmac::HMAC_SHA256,
            Self::Sha384 => ring::hmac::HMAC_SHA384,
        }
    }

    pub(crate) fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
        }
    }
}

/// The record protection algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AeadAlgorithm {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    pub(crate) fn ring(self) -> &'static ring::aead::Algorithm {
        match self {
            Self::Aes128Gcm => &ring::aead::AES_128_GCM,
            Self::Aes256Gcm => &ring::aead::AES_256_GCM,
            Self::ChaCha20Poly1305 => &ring::aead::CHACHA20_POLY1305,
        }
    }

    pub(crate) fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
        }
    }

    /// `fixed_iv_length`: RFC 5288 §3 (4-byte salt) and RFC 7905 §2 (12 bytes).
    pub(crate) fn fixed_iv_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 4,
            Self::ChaCha20Poly1305 => 12,
        }
    }

    /// `record_iv_length`: the explicit nonce carried in each GCM record
    /// (RFC 5288 §3); ChaCha20-Poly1305 carries none (RFC 7905 §2).
    pub(crate) fn explicit_nonce_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 8,
            Self::ChaCha20Poly1305 => 0,
        }
    }

    pub(crate) const TAG_LEN: usize = 16;

    /// Bytes a record grows by when sealed.
    pub(crate) fn overhead(self) -> usize {
        self.explicit_nonce_len() + Self::TAG_LEN
    }
}

/// How the server authenticates its key exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthAlgorithm {
    /// ECDSA (and, per RFC 8422 §5.4, EdDSA) certificates.
    Ecdsa,
    Rsa,
}

impl AuthAlgorithm {
    /// Whether `scheme` may sign a key exchange authenticated this way.
    pub(crate) fn allows(self, scheme: SignatureScheme) -> bool {
        use SignatureScheme as S;
        match self {
            Self::Ecdsa => matches!(
                scheme,
                S::EcdsaSecp256r1Sha256 | S::EcdsaSecp384r1Sha384 | S::Ed25519
            ),
            Self::Rsa => matches!(
                scheme,
                S::RsaPssRsaeSha256
                    | S::RsaPssRsaeSha384
                    | S::RsaPssRsaeSha512
                    | S::RsaPkcs1Sha256
                    | S::RsaPkcs1Sha384
                    | S::RsaPkcs1Sha512
            ),
        }
    }
}

/// The key exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyExchangeAlgorithm {
    /// Ephemeral ECDH, signed by the server (RFC 8422).
    Ecdhe,
    /// RSA key transport (RFC 5246 §7.4.7.1): the client encrypts the
    /// premaster secret to the server certificate's key. No forward
    /// secrecy; a legacy opt-in (`legacy_rsa_key_transport`).
    Rsa,
}

/// One implemented suite.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SuiteParams {
    pub suite: CipherSuite,
    pub kx: KeyExchangeAlgorithm,
    pub auth: AuthAlgorithm,
    pub hash: HashAlgorithm,
    pub aead: AeadAlgorithm,
}

macro_rules! suite {
    ($suite:ident, $auth:ident, $hash:ident, $aead:ident) => {
        suite!($suite, Ecdhe, $auth, $hash, $aead)
    };
    ($suite:ident, $kx:ident, $auth:ident, $hash:ident, $aead:ident) => {
        SuiteParams {
            suite: CipherSuite::$suite,
            kx: KeyExchangeAlgorithm::$kx,
            auth: AuthAlgorithm::$auth,
            hash: HashAlgorithm::$hash,
            aead: AeadAlgorithm::$aead,
        }
    };
}

/// Every implemented suite, in our default preference order: AES-GCM first
/// (hardware-accelerated almost everywhere), ECDSA before RSA, and the
/// legacy RSA key transport suites last (never offered or accepted by
/// default: [`is_default`]).
pub(crate) static ALL_SUITES: &[SuiteParams] = &[
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Ecdsa,
        Sha256,
        Aes128Gcm
    ),
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        Ecdsa,
        Sha384,
        Aes256Gcm
    ),
    suite!(
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        Ecdsa,
        Sha256,
        ChaCha20Poly1305
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        Rsa,
        Sha256,
        Aes128Gcm
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        Rsa,
        Sha384,
        Aes256Gcm
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        Rsa,
        Sha256,
        ChaCha20Poly1305
    ),
    suite!(TLS_RSA_WITH_AES_128_GCM_SHA256, Rsa, Rsa, Sha256, Aes128Gcm),
    suite!(TLS_RSA_WITH_AES_256_GCM_SHA384, Rsa, Rsa, Sha384, Aes256Gcm),
];

/// Whether a default configuration lists `suite`: every implemented suite
/// but the legacy ones, which need a named opt-in.
pub(crate) fn is_default(suite: &SuiteParams) -> bool {
    suite.kx != KeyExchangeAlgorithm::Rsa
}

/// The suites a default configuration lists, in preference order.
pub(crate) fn default_suites() -> impl Iterator<Item = CipherSuite> {
    ALL_SUITES.iter().filter(|s| is_default(s)).map(|s| s.suite)
}

/// The parameters of an implemented suite.
pub(crate) fn lookup(suite: CipherSuite) -> Option<&'static SuiteParams> {
    ALL_SUITES.iter().find(|s| s.suite == suite)
}
