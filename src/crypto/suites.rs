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
    /// AES-128-CCM with a 16-byte tag (RFC 6655 §3), from RustCrypto: ring
    /// has no CCM.
    #[cfg(feature = "aes-ccm")]
    Aes128Ccm,
    /// AES-128-CCM with an 8-byte tag (RFC 6655 §3).
    #[cfg(feature = "aes-ccm")]
    Aes128Ccm8,
}

impl AeadAlgorithm {
    /// ring's algorithm, or `None` for the CCM modes ring lacks.
    pub(crate) fn ring(self) -> Option<&'static ring::aead::Algorithm> {
        match self {
            Self::Aes128Gcm => Some(&ring::aead::AES_128_GCM),
            Self::Aes256Gcm => Some(&ring::aead::AES_256_GCM),
            Self::ChaCha20Poly1305 => Some(&ring::aead::CHACHA20_POLY1305),
            #[cfg(feature = "aes-ccm")]
            Self::Aes128Ccm | Self::Aes128Ccm8 => None,
        }
    }

    pub(crate) fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
            #[cfg(feature = "aes-ccm")]
            Self::Aes128Ccm | Self::Aes128Ccm8 => 16,
        }
    }

    /// `fixed_iv_length`: RFC 5288 §3 and RFC 6655 §3 (4-byte salt) and
    /// RFC 7905 §2 (12 bytes).
    pub(crate) fn fixed_iv_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 4,
            Self::ChaCha20Poly1305 => 12,
            #[cfg(feature = "aes-ccm")]
            Self::Aes128Ccm | Self::Aes128Ccm8 => 4,
        }
    }

    /// `record_iv_length`: the explicit nonce carried in each GCM or CCM
    /// record (RFC 5288 §3, RFC 6655 §3); ChaCha20-Poly1305 carries none
    /// (RFC 7905 §2).
    pub(crate) fn explicit_nonce_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 8,
            Self::ChaCha20Poly1305 => 0,
            #[cfg(feature = "aes-ccm")]
            Self::Aes128Ccm | Self::Aes128Ccm8 => 8,
        }
    }

    /// The authentication tag's length: 16 bytes, except CCM_8's 8 (RFC 6655
    /// §3).
    pub(crate) fn tag_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm | Self::ChaCha20Poly1305 => 16,
            #[cfg(feature = "aes-ccm")]
            Self::Aes128Ccm => 16,
            #[cfg(feature = "aes-ccm")]
            Self::Aes128Ccm8 => 8,
        }
    }

    /// Bytes a record grows by when sealed.
    pub(crate) fn overhead(self) -> usize {
        self.explicit_nonce_len() + self.tag_len()
    }
}

/// How the server authenticates its key exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthAlgorithm {
    /// ECDSA (and, per RFC 8422 §5.4, EdDSA) certificates.
    Ecdsa,
    Rsa,
    /// No certificate: knowing the pre-shared key is the authentication
    /// (RFC 4279 §2).
    Psk,
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
            // Nothing is signed: the key itself authenticates.
            Self::Psk => false,
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
    /// A pre-shared key alone (RFC 4279 §2): no forward secrecy either, but
    /// no public-key operation at all.
    Psk,
    /// Ephemeral ECDH authenticated by a pre-shared key (RFC 5489 §2).
    EcdhePsk,
}

impl KeyExchangeAlgorithm {
    /// Whether a pre-shared key takes part (RFC 4279, RFC 5489).
    pub(crate) fn uses_psk(self) -> bool {
        matches!(self, Self::Psk | Self::EcdhePsk)
    }
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

/// The suites offered and accepted by default, in our default preference
/// order: AES-GCM first (hardware-accelerated almost everywhere), ECDSA
/// before RSA.
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
];

/// The suites a default configuration lists, in preference order: those
/// of [`ALL_SUITES`] (a unit test holds the two together).
pub(crate) static DEFAULT_SUITES: [CipherSuite; 6] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

/// The pre-shared key suites (RFC 5487, RFC 5489, RFC 7905, RFC 8442), in
/// our preference order (ECDHE first, for forward secrecy): used only when
/// a configuration lists them and has keys for them.
pub(crate) static PSK_SUITES: &[SuiteParams] = &[
    suite!(
        TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
        EcdhePsk,
        Psk,
        Sha256,
        Aes128Gcm
    ),
    suite!(
        TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384,
        EcdhePsk,
        Psk,
        Sha384,
        Aes256Gcm
    ),
    suite!(
        TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        EcdhePsk,
        Psk,
        Sha256,
        ChaCha20Poly1305
    ),
    suite!(TLS_PSK_WITH_AES_128_GCM_SHA256, Psk, Psk, Sha256, Aes128Gcm),
    suite!(TLS_PSK_WITH_AES_256_GCM_SHA384, Psk, Psk, Sha384, Aes256Gcm),
    suite!(
        TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
        Psk,
        Psk,
        Sha256,
        ChaCha20Poly1305
    ),
];

/// The RSA key transport suites (RFC 5288): used only when a configuration
/// lists them and says `legacy_rsa_key_transport`.
pub(crate) static LEGACY_SUITES: &[SuiteParams] = &[
    suite!(TLS_RSA_WITH_AES_128_GCM_SHA256, Rsa, Rsa, Sha256, Aes128Gcm),
    suite!(TLS_RSA_WITH_AES_256_GCM_SHA384, Rsa, Rsa, Sha384, Aes256Gcm),
];

/// Implemented suites that are used only when a configuration lists them:
/// the AES-CCM suites of RFC 7251 (SHA-256 PRF, §2), for peers that
/// implement nothing else; everyone else is better served by AES-GCM.
#[cfg(feature = "aes-ccm")]
pub(crate) static OPT_IN_SUITES: &[SuiteParams] = &[
    suite!(TLS_ECDHE_ECDSA_WITH_AES_128_CCM, Ecdsa, Sha256, Aes128Ccm),
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
        Ecdsa,
        Sha256,
        Aes128Ccm8
    ),
    // RFC 6655 §3: the PSK CCM suites, SHA-256 PRF.
    suite!(TLS_PSK_WITH_AES_128_CCM, Psk, Psk, Sha256, Aes128Ccm),
    suite!(TLS_PSK_WITH_AES_128_CCM_8, Psk, Psk, Sha256, Aes128Ccm8),
];
/// Implemented suites that are used only when a configuration lists them
/// (none without the `aes-ccm` feature).
#[cfg(not(feature = "aes-ccm"))]
pub(crate) static OPT_IN_SUITES: &[SuiteParams] = &[];

/// The parameters of an implemented suite.
pub(crate) fn lookup(suite: CipherSuite) -> Option<&'static SuiteParams> {
    ALL_SUITES
        .iter()
        .chain(OPT_IN_SUITES)
        .chain(LEGACY_SUITES)
        .chain(PSK_SUITES)
        .find(|s| s.suite == suite)
}

/// The cargo feature that would implement `suite`, if this build lacks it,
/// so that a configuration error can say what to turn on.
pub(crate) fn missing_feature(suite: CipherSuite) -> Option<&'static str> {
    match suite {
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM
        | CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
        | CipherSuite::TLS_PSK_WITH_AES_128_CCM
        | CipherSuite::TLS_PSK_WITH_AES_128_CCM_8
            if !cfg!(feature = "aes-ccm") =>
        {
            Some("aes-ccm")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_list_is_all_suites_in_order() {
        assert!(DEFAULT_SUITES
            .iter()
            .eq(ALL_SUITES.iter().map(|s| &s.suite)));
    }

    #[test]
    fn ccm_suites_are_opt_in_and_need_the_feature() {
        for suite in [
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
        ] {
            assert!(ALL_SUITES.iter().all(|s| s.suite != suite));
            assert_eq!(lookup(suite).is_some(), cfg!(feature = "aes-ccm"));
            assert_eq!(
                missing_feature(suite),
                (!cfg!(feature = "aes-ccm")).then_some("aes-ccm")
            );
        }
        // The PSK CCM suites need the feature too.
        for suite in [
            CipherSuite::TLS_PSK_WITH_AES_128_CCM,
            CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
        ] {
            assert_eq!(lookup(suite).is_some(), cfg!(feature = "aes-ccm"));
            assert_eq!(
                missing_feature(suite),
                (!cfg!(feature = "aes-ccm")).then_some("aes-ccm")
            );
        }
    }

    /// RFC 7251 §2: ECDSA authentication, the SHA-256 PRF, AES-128 with a
    /// 16- or 8-byte tag (RFC 6655 §3).
    #[cfg(feature = "aes-ccm")]
    #[test]
    fn ccm_suite_parameters() {
        let ccm = lookup(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM).unwrap();
        let ccm8 = lookup(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8).unwrap();
        for (s, aead, tag) in [
            (ccm, AeadAlgorithm::Aes128Ccm, 16),
            (ccm8, AeadAlgorithm::Aes128Ccm8, 8),
        ] {
            assert_eq!(s.kx, KeyExchangeAlgorithm::Ecdhe);
            assert_eq!(s.auth, AuthAlgorithm::Ecdsa);
            assert_eq!(s.hash, HashAlgorithm::Sha256);
            assert_eq!(s.aead, aead);
            assert_eq!(aead.key_len(), 16);
            assert_eq!(aead.fixed_iv_len(), 4);
            assert_eq!(aead.explicit_nonce_len(), 8);
            assert_eq!(aead.tag_len(), tag);
            assert_eq!(aead.overhead(), 8 + tag);
            assert!(aead.ring().is_none());
        }
    }
}
