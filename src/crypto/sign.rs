//! Our own private key, used to sign ServerKeyExchange (RFC 5246 §7.4.3,
//! RFC 8422 §5.4) and CertificateVerify (RFC 5246 §7.4.8).

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::fmt;

use ring::rand::SecureRandom;
#[cfg(feature = "alloc")]
use ring::signature::RsaKeyPair;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair};
use rustls_pki_types::PrivateKeyDer;
#[cfg(feature = "alloc")]
use zeroize::Zeroizing;

use super::suites::AuthAlgorithm;
use crate::codec::enums::{NamedGroup, SignatureScheme};
use crate::codec::list::List;
use crate::error::Error;
use crate::keyop::KeyType;

/// A private key able to sign TLS 1.2 handshake messages.
///
/// Signing is one self-contained step, [`SigningKey::sign`], taking the
/// scheme and the whole message to sign, so an external signer (HSM, remote
/// key service) can later stand in for it with the same shape.
pub(crate) struct SigningKey {
    inner: Inner,
    /// The same ECDSA key, for signatures with the hash that does not match
    /// its curve: ring signs P-256 only with SHA-256 and P-384 only with
    /// SHA-384, while a TLS 1.2 ECDSA scheme names only the hash (RFC 5246
    /// §7.4.1.4.1), so a client may offer only the other one.
    #[cfg(feature = "ecdsa-any-hash")]
    other_hash: Option<other_hash::Signer>,
}

enum Inner {
    EcdsaP256(EcdsaKeyPair),
    EcdsaP384(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    /// ring's RSA needs a heap.
    #[cfg(feature = "alloc")]
    Rsa(RsaKeyPair),
    /// Held by the caller, who makes each signature when asked.
    Caller(KeyType),
}

const P256_SCHEMES: &[SignatureScheme] = &[SignatureScheme::EcdsaSecp256r1Sha256];
const P384_SCHEMES: &[SignatureScheme] = &[SignatureScheme::EcdsaSecp384r1Sha384];
/// The curve's own hash first: the other is a fallback for peers that offer
/// nothing else, not a preference.
#[cfg(feature = "ecdsa-any-hash")]
const P256_ANY_HASH_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
];
#[cfg(feature = "ecdsa-any-hash")]
const P384_ANY_HASH_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::EcdsaSecp256r1Sha256,
];
const ED25519_SCHEMES: &[SignatureScheme] = &[SignatureScheme::Ed25519];
/// PSS before PKCS#1 v1.5: PSS has a security proof and is what TLS 1.3
/// requires, while PKCS#1 v1.5 stays for older peers (RFC 8446 §4.2.3 allows
/// `rsa_pss_rsae_*` in TLS 1.2).
const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

/// A caller-held ECDSA key can sign any hash (RFC 5246 §7.4.1.4.1 names
/// only the hash), its curve's own first.
const CALLER_P256_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
];
const CALLER_P384_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::EcdsaSecp256r1Sha256,
];

// DER pieces for wrapping a SEC1 ECPrivateKey (RFC 5915) in a PKCS#8
// PrivateKeyInfo (RFC 5208 §5), since ring only parses the latter.
/// OBJECT IDENTIFIER 1.2.840.10045.2.1 (id-ecPublicKey, RFC 5480 §2.1.1).
#[cfg(feature = "alloc")]
const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// OBJECT IDENTIFIER 1.2.840.10045.3.1.7 (secp256r1, RFC 5480 §2.1.1.1).
#[cfg(feature = "alloc")]
const OID_SECP256R1: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// OBJECT IDENTIFIER 1.3.132.0.34 (secp384r1, RFC 5480 §2.1.1.1).
#[cfg(feature = "alloc")]
const OID_SECP384R1: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

/// Appends a DER TLV with definite length (X.690 §8.1.3).
#[cfg(feature = "alloc")]
fn der_tlv(out: &mut Vec<u8>, tag: u8, content: &[&[u8]]) -> Result<(), Error> {
    let len: usize = content.iter().map(|c| c.len()).sum();
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xffff {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        return Err(Error::Config(
            "SEC1 private key is implausibly large".into(),
        ));
    }
    for c in content {
        out.extend_from_slice(c);
    }
    Ok(())
}

/// `PrivateKeyInfo { version 0, AlgorithmIdentifier { id-ecPublicKey,
/// curve }, OCTET STRING { sec1 } }`. The result holds the private key, so
/// it is wiped on drop.
#[cfg(feature = "alloc")]
fn sec1_to_pkcs8(sec1: &[u8], curve_oid: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    const VERSION_0: &[u8] = &[0x02, 0x01, 0x00];
    let mut alg_id = Vec::new();
    der_tlv(&mut alg_id, 0x30, &[OID_EC_PUBLIC_KEY, curve_oid])?;
    let mut octets = Zeroizing::new(Vec::new());
    der_tlv(&mut octets, 0x04, &[sec1])?;
    let mut out = Zeroizing::new(Vec::with_capacity(octets.len() + alg_id.len() + 8));
    der_tlv(&mut out, 0x30, &[VERSION_0, &alg_id, &octets])?;
    Ok(out)
}

impl SigningKey {
    /// Loads a private key: PKCS#8 (RSA, ECDSA P-256/P-384, Ed25519 v1 or
    /// v2), PKCS#1 RSA, or SEC1 EC (P-256/P-384; `ring` requires the
    /// optional public key to be present).
    pub(crate) fn from_der(key: &PrivateKeyDer<'_>) -> Result<Self, Error> {
        let rng = crate::crypto::rand::ring_rng();
        // The PKCS#8 form of an EC key, for the second signer.
        #[cfg(feature = "ecdsa-any-hash")]
        let mut ec_pkcs8: Option<Zeroizing<Vec<u8>>> = None;
        let inner = match key {
            PrivateKeyDer::Pkcs8(k) => {
                #[cfg(feature = "ecdsa-any-hash")]
                {
                    ec_pkcs8 = Some(Zeroizing::new(k.secret_pkcs8_der().to_vec()));
                }
                Self::from_pkcs8(k.secret_pkcs8_der(), &rng)?
            }
            #[cfg(feature = "alloc")]
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der())
                .map(Inner::Rsa)
                .map_err(|e| {
                Error::Config(crate::shared::text!("PKCS#1 RSA private key rejected: {e}"))
            })?,
            #[cfg(feature = "alloc")]
            PrivateKeyDer::Sec1(k) => {
                let sec1 = k.secret_sec1_der();
                // The curve is named inside the SEC1 structure; ring checks it
                // against the algorithm identifier, so trying both is safe.
                let p256 = sec1_to_pkcs8(sec1, OID_SECP256R1)?;
                let p384 = sec1_to_pkcs8(sec1, OID_SECP384R1)?;
                if let Ok(kp) = EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    &p256,
                    &rng,
                ) {
                    #[cfg(feature = "ecdsa-any-hash")]
                    {
                        ec_pkcs8 = Some(p256);
                    }
                    Inner::EcdsaP256(kp)
                } else {
                    #[cfg(feature = "ecdsa-any-hash")]
                    {
                        ec_pkcs8 = Some(p384.clone());
                    }
                    EcdsaKeyPair::from_pkcs8(
                        &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                        &p384,
                        &rng,
                    )
                    .map(Inner::EcdsaP384)
                    .map_err(|e| {
                        Error::Config(crate::shared::text!(
                            "SEC1 EC private key is not a valid P-256 or P-384 key \
                                 with its public key included: {e}"
                        ))
                    })?
                }
            }
            #[cfg(not(feature = "alloc"))]
            PrivateKeyDer::Pkcs1(_) | PrivateKeyDer::Sec1(_) => {
                return Err(Error::Config(
                    "without the alloc feature, keys are PKCS#8 (RSA needs a heap; SEC1 \
                     keys are converted on it)"
                        .into(),
                ))
            }
            _ => return Err(Error::Config("unsupported private key encoding".into())),
        };
        #[cfg(feature = "ecdsa-any-hash")]
        let other_hash = match (&inner, ec_pkcs8) {
            (Inner::EcdsaP256(_), Some(der)) => Some(other_hash::Signer::p256(&der)?),
            (Inner::EcdsaP384(_), Some(der)) => Some(other_hash::Signer::p384(&der)?),
            _ => None,
        };
        Ok(Self {
            inner,
            #[cfg(feature = "ecdsa-any-hash")]
            other_hash,
        })
    }

    /// A key the caller holds and signs with when the connection asks.
    pub(crate) fn held_by_caller(kind: KeyType) -> Self {
        Self {
            inner: Inner::Caller(kind),
            #[cfg(feature = "ecdsa-any-hash")]
            other_hash: None,
        }
    }

    /// Whether the caller makes this key's signatures.
    pub(crate) fn is_held_by_caller(&self) -> bool {
        matches!(self.inner, Inner::Caller(_))
    }

    fn from_pkcs8(der: &[u8], rng: &dyn SecureRandom) -> Result<Inner, Error> {
        if let Ok(kp) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der, rng)
        {
            return Ok(Inner::EcdsaP256(kp));
        }
        if let Ok(kp) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, der, rng)
        {
            return Ok(Inner::EcdsaP384(kp));
        }
        // OpenSSL writes PKCS#8 v1 Ed25519 keys (no public key), which only
        // the "maybe unchecked" parser accepts; v2 keys are still checked.
        if let Ok(kp) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            return Ok(Inner::Ed25519(kp));
        }
        #[cfg(feature = "alloc")]
        return RsaKeyPair::from_pkcs8(der).map(Inner::Rsa).map_err(|e| {
            Error::Config(crate::shared::text!(
                "PKCS#8 private key is not a usable ECDSA P-256/P-384, Ed25519 or RSA key \
                 (as RSA: {e})"
            ))
        });
        #[cfg(not(feature = "alloc"))]
        Err(Error::Config(
            "PKCS#8 private key is not a usable ECDSA P-256/P-384 or Ed25519 key (RSA needs \
             the alloc feature)"
                .into(),
        ))
    }

    /// Which suites this key can authenticate. Ed25519 certificates go with
    /// the ECDHE_ECDSA suites (RFC 8422 §5.4).
    pub(crate) fn auth(&self) -> AuthAlgorithm {
        match self.inner {
            Inner::EcdsaP256(_)
            | Inner::EcdsaP384(_)
            | Inner::Ed25519(_)
            | Inner::Caller(KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::Ed25519) => {
                AuthAlgorithm::Ecdsa
            }
            #[cfg(feature = "alloc")]
            Inner::Rsa(_) => AuthAlgorithm::Rsa,
            Inner::Caller(KeyType::Rsa) => AuthAlgorithm::Rsa,
        }
    }

    /// The named curve of an ECDSA key. RFC 8422 §5.1 (as RFC 4492 §5.3
    /// before it) lets a TLS 1.2 server use an ECDSA certificate only on a
    /// curve the client listed in supported_groups. Ed25519 is negotiated by
    /// signature_algorithms alone.
    pub(crate) fn curve(&self) -> Option<NamedGroup> {
        match self.inner {
            Inner::EcdsaP256(_) | Inner::Caller(KeyType::EcdsaP256) => Some(NamedGroup::Secp256r1),
            Inner::EcdsaP384(_) | Inner::Caller(KeyType::EcdsaP384) => Some(NamedGroup::Secp384r1),
            Inner::Ed25519(_) | Inner::Caller(_) => None,
            #[cfg(feature = "alloc")]
            Inner::Rsa(_) => None,
        }
    }

    /// The schemes this key can produce, in our preference order.
    pub(crate) fn schemes(&self) -> &'static [SignatureScheme] {
        #[cfg(feature = "ecdsa-any-hash")]
        if self.other_hash.is_some() {
            match self.inner {
                Inner::EcdsaP256(_) => return P256_ANY_HASH_SCHEMES,
                Inner::EcdsaP384(_) => return P384_ANY_HASH_SCHEMES,
                Inner::Ed25519(_) | Inner::Caller(_) => {}
                #[cfg(feature = "alloc")]
                Inner::Rsa(_) => {}
            }
        }
        match self.inner {
            Inner::EcdsaP256(_) => P256_SCHEMES,
            Inner::EcdsaP384(_) => P384_SCHEMES,
            Inner::Ed25519(_) | Inner::Caller(KeyType::Ed25519) => ED25519_SCHEMES,
            #[cfg(feature = "alloc")]
            Inner::Rsa(_) => RSA_SCHEMES,
            Inner::Caller(KeyType::Rsa) => RSA_SCHEMES,
            Inner::Caller(KeyType::EcdsaP256) => CALLER_P256_SCHEMES,
            Inner::Caller(KeyType::EcdsaP384) => CALLER_P384_SCHEMES,
        }
    }

    /// Our most preferred scheme among those the peer offered in
    /// signature_algorithms (RFC 5246 §7.4.1.4.1).
    pub(crate) fn choose_scheme(
        &self,
        offered: &List<'_, SignatureScheme>,
    ) -> Option<SignatureScheme> {
        self.schemes().iter().copied().find(|s| offered.contains(s))
    }

    /// Signs `message` (the whole to-be-signed data: for ServerKeyExchange
    /// the randoms and params, for CertificateVerify every handshake message
    /// so far) with `scheme`, which must be one of [`Self::schemes`].
    ///
    /// ECDSA signatures are ASN.1 DER `Ecdsa-Sig-Value` (RFC 8422 §5.4),
    /// Ed25519 the raw 64 bytes (RFC 8032 §5.1.6).
    pub(crate) fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
    ) -> Result<SignatureBuf, Error> {
        if !self.schemes().contains(&scheme) {
            return Err(Error::Internal("signature scheme not usable with our key"));
        }
        let rng = crate::crypto::rand::ring_rng();
        #[cfg(feature = "ecdsa-any-hash")]
        if let Some(other) = &self.other_hash {
            if let Some(sig) = other.sign(scheme, message)? {
                return SignatureBuf::copy(&sig);
            }
        }
        match &self.inner {
            Inner::EcdsaP256(kp) | Inner::EcdsaP384(kp) => kp
                .sign(&rng, message)
                .map_err(|_| Error::Internal("ECDSA signing failed"))
                .and_then(|sig| SignatureBuf::copy(sig.as_ref())),
            Inner::Ed25519(kp) => SignatureBuf::copy(kp.sign(message).as_ref()),
            #[cfg(feature = "alloc")]
            Inner::Rsa(kp) => {
                let padding: &'static dyn signature::RsaEncoding = match scheme {
                    SignatureScheme::RsaPssRsaeSha256 => &signature::RSA_PSS_SHA256,
                    SignatureScheme::RsaPssRsaeSha384 => &signature::RSA_PSS_SHA384,
                    SignatureScheme::RsaPssRsaeSha512 => &signature::RSA_PSS_SHA512,
                    SignatureScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                    SignatureScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
                    SignatureScheme::RsaPkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
                    _ => return Err(Error::Internal("signature scheme not usable with our key")),
                };
                let mut sig = SignatureBuf::zeroed(kp.public().modulus_len())?;
                kp.sign(padding, &rng, message, sig.as_mut())
                    .map_err(|_| Error::Internal("RSA signing failed"))?;
                Ok(sig)
            }
            Inner::Caller(_) => Err(Error::Internal(
                "a caller-held key signs through Connection::complete_operation",
            )),
        }
    }
}

/// The longest signature we make: RSA with a 4096-bit modulus (ring signs
/// with RSA keys of 2048 to 4096 bits).
const MAX_SIGNATURE_LEN: usize = 512;

/// A signature, on the stack: a handshake makes one, and it is copied into
/// the message at once.
#[derive(Clone)]
pub(crate) struct SignatureBuf {
    bytes: [u8; MAX_SIGNATURE_LEN],
    len: usize,
}

impl SignatureBuf {
    fn zeroed(len: usize) -> Result<Self, Error> {
        if len > MAX_SIGNATURE_LEN {
            return Err(Error::Internal("signature longer than 512 bytes"));
        }
        Ok(Self {
            bytes: [0; MAX_SIGNATURE_LEN],
            len,
        })
    }

    fn copy(sig: &[u8]) -> Result<Self, Error> {
        let mut buf = Self::zeroed(sig.len())?;
        buf.as_mut().copy_from_slice(sig);
        Ok(buf)
    }

    fn as_mut(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or_default()
    }
}

impl fmt::Debug for SignatureBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignatureBuf({} bytes)", self.len)
    }
}

impl PartialEq for SignatureBuf {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl core::ops::Deref for SignatureBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.inner {
            Inner::EcdsaP256(_) => "ECDSA P-256",
            Inner::EcdsaP384(_) => "ECDSA P-384",
            Inner::Ed25519(_) => "Ed25519",
            #[cfg(feature = "alloc")]
            Inner::Rsa(_) => "RSA",
            Inner::Caller(KeyType::EcdsaP256) => "caller-held ECDSA P-256",
            Inner::Caller(KeyType::EcdsaP384) => "caller-held ECDSA P-384",
            Inner::Caller(KeyType::Ed25519) => "caller-held Ed25519",
            Inner::Caller(KeyType::Rsa) => "caller-held RSA",
        };
        f.debug_struct("SigningKey")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}

/// ECDSA with the hash that does not match the key's curve (P-256 with
/// SHA-384, P-384 with SHA-256), which ring cannot sign: RustCrypto's
/// `p256` and `p384` sign the digest ring computes (FIPS 186-4 §6.4
/// truncates or pads it to the curve's order), with RFC 6979 nonces.
#[cfg(feature = "ecdsa-any-hash")]
mod other_hash {
    use alloc::vec::Vec;

    use p256::ecdsa::signature::hazmat::PrehashSigner;
    use p256::pkcs8::DecodePrivateKey;
    use ring::digest;

    use crate::codec::enums::SignatureScheme;
    use crate::error::Error;

    pub(super) enum Signer {
        /// Signs ecdsa_secp384r1_sha384 (SHA-384) with a P-256 key.
        P256(p256::ecdsa::SigningKey),
        /// Signs ecdsa_secp256r1_sha256 (SHA-256) with a P-384 key.
        P384(p384::ecdsa::SigningKey),
    }

    impl Signer {
        pub(super) fn p256(pkcs8: &[u8]) -> Result<Self, Error> {
            p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8)
                .map(Self::P256)
                .map_err(|e| {
                    Error::Config(crate::shared::text!(
                        "P-256 key for SHA-384 signatures: {e}"
                    ))
                })
        }

        pub(super) fn p384(pkcs8: &[u8]) -> Result<Self, Error> {
            p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8)
                .map(Self::P384)
                .map_err(|e| {
                    Error::Config(crate::shared::text!(
                        "P-384 key for SHA-256 signatures: {e}"
                    ))
                })
        }

        /// The DER signature over `message` if `scheme` is the hash this
        /// signer is for; `None` for the curve's own hash (ring signs that).
        pub(super) fn sign(
            &self,
            scheme: SignatureScheme,
            message: &[u8],
        ) -> Result<Option<Vec<u8>>, Error> {
            let failed = |_| Error::Internal("ECDSA signing failed");
            Ok(Some(match (self, scheme) {
                (Self::P256(key), SignatureScheme::EcdsaSecp384r1Sha384) => {
                    let digest = digest::digest(&digest::SHA384, message);
                    let sig: p256::ecdsa::Signature =
                        key.sign_prehash(digest.as_ref()).map_err(failed)?;
                    sig.to_der().as_bytes().to_vec()
                }
                (Self::P384(key), SignatureScheme::EcdsaSecp256r1Sha256) => {
                    let digest = digest::digest(&digest::SHA256, message);
                    let sig: p384::ecdsa::Signature =
                        key.sign_prehash(digest.as_ref()).map_err(failed)?;
                    sig.to_der().as_bytes().to_vec()
                }
                _ => return Ok(None),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::testutil::*;
    use rustls_pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};

    fn pkcs8(der: &[u8]) -> SigningKey {
        SigningKey::from_der(&PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            der.to_vec(),
        )))
        .unwrap()
    }

    #[test]
    fn loads_every_encoding() {
        let cases: [(PrivateKeyDer<'static>, AuthAlgorithm, SignatureScheme); 7] = [
            (
                PrivatePkcs8KeyDer::from(RSA_PKCS8).into(),
                AuthAlgorithm::Rsa,
                SignatureScheme::RsaPssRsaeSha256,
            ),
            (
                PrivatePkcs1KeyDer::from(RSA_PKCS1).into(),
                AuthAlgorithm::Rsa,
                SignatureScheme::RsaPssRsaeSha256,
            ),
            (
                PrivatePkcs8KeyDer::from(P256_PKCS8).into(),
                AuthAlgorithm::Ecdsa,
                SignatureScheme::EcdsaSecp256r1Sha256,
            ),
            (
                PrivateSec1KeyDer::from(P256_SEC1).into(),
                AuthAlgorithm::Ecdsa,
                SignatureScheme::EcdsaSecp256r1Sha256,
            ),
            (
                PrivatePkcs8KeyDer::from(P384_PKCS8).into(),
                AuthAlgorithm::Ecdsa,
                SignatureScheme::EcdsaSecp384r1Sha384,
            ),
            (
                PrivateSec1KeyDer::from(P384_SEC1).into(),
                AuthAlgorithm::Ecdsa,
                SignatureScheme::EcdsaSecp384r1Sha384,
            ),
            (
                PrivatePkcs8KeyDer::from(ED25519_PKCS8).into(),
                AuthAlgorithm::Ecdsa,
                SignatureScheme::Ed25519,
            ),
        ];
        for (der, auth, first) in cases {
            let key = SigningKey::from_der(&der).unwrap();
            assert_eq!(key.auth(), auth);
            assert_eq!(key.schemes()[0], first);
            for s in key.schemes() {
                assert!(key.auth().allows(*s));
                assert!(!key.sign(*s, b"message").unwrap().is_empty());
            }
        }
    }

    #[test]
    fn ed25519_pkcs8_v2() {
        let rng = crate::crypto::rand::ring_rng();
        let v2 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let key = pkcs8(v2.as_ref());
        assert_eq!(key.schemes(), &[SignatureScheme::Ed25519]);
        // Ed25519 is deterministic (RFC 8032 §5.1.6).
        assert_eq!(
            key.sign(SignatureScheme::Ed25519, b"m").unwrap(),
            key.sign(SignatureScheme::Ed25519, b"m").unwrap()
        );
    }

    #[test]
    fn bad_keys_are_config_errors() {
        let bad: [PrivateKeyDer<'static>; 5] = [
            PrivatePkcs8KeyDer::from(&b"\x30\x03\x02\x01\x00"[..]).into(),
            PrivatePkcs8KeyDer::from(P256_SEC1).into(),
            PrivatePkcs1KeyDer::from(P256_PKCS8).into(),
            PrivateSec1KeyDer::from(RSA_PKCS1).into(),
            PrivateSec1KeyDer::from(&[][..]).into(),
        ];
        for der in bad {
            let err = SigningKey::from_der(&der).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err:?}");
        }
    }

    #[test]
    fn sec1_wrapping_der() {
        // `openssl pkcs8 -topk8` drops the inner [0] parameters, so the
        // bytes differ from ours; check the outer structure instead.
        let wrapped = sec1_to_pkcs8(P256_SEC1, OID_SECP256R1).unwrap();
        assert_eq!(&wrapped[..2], &[0x30, 0x81]);
        assert_eq!(wrapped[2] as usize, wrapped.len() - 3);
        assert!(wrapped.ends_with(P256_SEC1));
        let short = sec1_to_pkcs8(&[0xaa; 3], OID_SECP384R1).unwrap();
        let mut expected = alloc::vec![0x30, 0x1a, 0x02, 0x01, 0x00, 0x30, 0x10];
        expected.extend_from_slice(OID_EC_PUBLIC_KEY);
        expected.extend_from_slice(OID_SECP384R1);
        expected.extend_from_slice(&[0x04, 0x03, 0xaa, 0xaa, 0xaa]);
        assert_eq!(&short[..], &expected[..]);
    }

    #[test]
    fn choose_scheme_prefers_ours() {
        let rsa = pkcs8(RSA_PKCS8);
        use SignatureScheme as S;
        assert_eq!(
            rsa.choose_scheme(&List::borrowed(&[
                S::RsaPkcs1Sha512,
                S::RsaPssRsaeSha384,
                S::EcdsaSecp256r1Sha256
            ])),
            Some(S::RsaPssRsaeSha384)
        );
        assert_eq!(
            rsa.choose_scheme(&List::borrowed(&[S::RsaPkcs1Sha1, S::Ed25519])),
            None
        );
        assert_eq!(rsa.choose_scheme(&List::borrowed(&[])), None);
        // The curve's own hash when offered; the other only with the
        // ecdsa-any-hash feature (ring cannot sign it).
        let p384 = pkcs8(P384_PKCS8);
        assert_eq!(
            p384.choose_scheme(&List::borrowed(&[
                S::EcdsaSecp256r1Sha256,
                S::EcdsaSecp384r1Sha384
            ])),
            Some(S::EcdsaSecp384r1Sha384)
        );
        let other_only = p384.choose_scheme(&List::borrowed(&[S::EcdsaSecp256r1Sha256]));
        if cfg!(feature = "ecdsa-any-hash") {
            assert_eq!(other_only, Some(S::EcdsaSecp256r1Sha256));
        } else {
            assert_eq!(other_only, None);
        }
    }

    /// Without the feature, ring's one hash per curve is all there is.
    #[cfg(not(feature = "ecdsa-any-hash"))]
    #[test]
    fn without_ecdsa_any_hash_the_other_hash_is_refused() {
        assert!(matches!(
            pkcs8(P256_PKCS8).sign(SignatureScheme::EcdsaSecp384r1Sha384, b"m"),
            Err(Error::Internal(_))
        ));
        assert!(matches!(
            pkcs8(P384_PKCS8).sign(SignatureScheme::EcdsaSecp256r1Sha256, b"m"),
            Err(Error::Internal(_))
        ));
    }

    /// P-256 with SHA-384 and P-384 with SHA-256 verify with the matching
    /// verification algorithms, for PKCS#8 and SEC1 keys alike.
    #[cfg(feature = "ecdsa-any-hash")]
    #[test]
    fn ecdsa_any_hash_signs_with_the_other_hash() {
        use ring::signature::{
            KeyPair, UnparsedPublicKey, ECDSA_P256_SHA384_ASN1, ECDSA_P384_SHA256_ASN1,
        };
        let msg = b"client_random + server_random + params";
        let cases: [(
            SigningKey,
            SignatureScheme,
            &ring::signature::EcdsaVerificationAlgorithm,
        ); 3] = [
            (
                pkcs8(P256_PKCS8),
                SignatureScheme::EcdsaSecp384r1Sha384,
                &ECDSA_P256_SHA384_ASN1,
            ),
            (
                SigningKey::from_der(&PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(P256_SEC1)))
                    .unwrap(),
                SignatureScheme::EcdsaSecp384r1Sha384,
                &ECDSA_P256_SHA384_ASN1,
            ),
            (
                pkcs8(P384_PKCS8),
                SignatureScheme::EcdsaSecp256r1Sha256,
                &ECDSA_P384_SHA256_ASN1,
            ),
        ];
        for (key, scheme, verify) in cases {
            let public = match &key.inner {
                Inner::EcdsaP256(kp) | Inner::EcdsaP384(kp) => kp.public_key().as_ref().to_vec(),
                _ => unreachable!(),
            };
            let sig = key.sign(scheme, msg).unwrap();
            UnparsedPublicKey::new(verify, &public)
                .verify(msg, sig.as_ref())
                .expect("verifies with the other hash");
            assert!(UnparsedPublicKey::new(verify, &public)
                .verify(b"another message", sig.as_ref())
                .is_err());
        }
    }

    #[test]
    fn wrong_scheme_is_internal_error() {
        let p256 = pkcs8(P256_PKCS8);
        assert!(matches!(
            p256.sign(SignatureScheme::Ed25519, b"m"),
            Err(Error::Internal(_))
        ));
        let rsa = pkcs8(RSA_PKCS8);
        assert!(matches!(
            rsa.sign(SignatureScheme::RsaPkcs1Sha1, b"m"),
            Err(Error::Internal(_))
        ));
        assert!(matches!(
            rsa.sign(SignatureScheme::Ed25519, b"m"),
            Err(Error::Internal(_))
        ));
    }

    #[test]
    fn debug_shows_kind_only() {
        let text = alloc::format!("{:?}", pkcs8(P256_PKCS8));
        assert_eq!(text, "SigningKey { kind: \"ECDSA P-256\", .. }");
    }
}
