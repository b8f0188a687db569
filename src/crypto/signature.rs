//! Verifying the peer's ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4)
//! and CertificateVerify (RFC 5246 §7.4.8) signatures, and the algorithms
//! accepted inside certificate chains.

use rustls_pki_types::SignatureVerificationAlgorithm;
use webpki::ring as alg;

use crate::codec::enums::SignatureScheme;
use crate::error::Error;

/// What we offer in signature_algorithms (RFC 5246 §7.4.1.4.1), in
/// preference order. SHA-1 schemes are left out on purpose (RFC 9155).
/// Without `alloc` there is no RSA (ring's needs a heap).
#[cfg(not(feature = "alloc"))]
pub(crate) const VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::Ed25519,
];

/// What we offer in signature_algorithms (RFC 5246 §7.4.1.4.1), in
/// preference order. SHA-1 schemes are left out on purpose (RFC 9155).
#[cfg(feature = "alloc")]
pub(crate) const VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::Ed25519,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

type Alg = &'static dyn SignatureVerificationAlgorithm;

/// The webpki algorithms that may verify a handshake signature made with
/// `scheme`. In TLS 1.2 an ECDSA SignatureAndHashAlgorithm names only the
/// hash (RFC 5246 §7.4.1.4.1; the curve binding is TLS 1.3's), so either
/// curve may have produced it.
fn algorithms_for(scheme: SignatureScheme) -> Option<&'static [Alg]> {
    static ECDSA_SHA256: &[Alg] = &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256];
    static ECDSA_SHA384: &[Alg] = &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384];
    static ED25519: &[Alg] = &[alg::ED25519];
    use SignatureScheme as S;
    Some(match scheme {
        S::EcdsaSecp256r1Sha256 => ECDSA_SHA256,
        S::EcdsaSecp384r1Sha384 => ECDSA_SHA384,
        S::Ed25519 => ED25519,
        #[cfg(feature = "alloc")]
        rsa => return rsa_algorithms_for(rsa),
        #[cfg(not(feature = "alloc"))]
        _ => return None,
    })
}

/// The RSA part of [`algorithms_for`] (webpki's RSA needs ring's, which
/// needs a heap).
#[cfg(feature = "alloc")]
fn rsa_algorithms_for(scheme: SignatureScheme) -> Option<&'static [Alg]> {
    static PSS_SHA256: &[Alg] = &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY];
    static PSS_SHA384: &[Alg] = &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY];
    static PSS_SHA512: &[Alg] = &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY];
    static PKCS1_SHA256: &[Alg] = &[alg::RSA_PKCS1_2048_8192_SHA256];
    static PKCS1_SHA384: &[Alg] = &[alg::RSA_PKCS1_2048_8192_SHA384];
    static PKCS1_SHA512: &[Alg] = &[alg::RSA_PKCS1_2048_8192_SHA512];
    use SignatureScheme as S;
    Some(match scheme {
        // rsa_pss_rsae: PSS with an ordinary rsaEncryption key, which is
        // webpki's "legacy key" flavour (RFC 8446 §4.2.3).
        S::RsaPssRsaeSha256 => PSS_SHA256,
        S::RsaPssRsaeSha384 => PSS_SHA384,
        S::RsaPssRsaeSha512 => PSS_SHA512,
        S::RsaPkcs1Sha256 => PKCS1_SHA256,
        S::RsaPkcs1Sha384 => PKCS1_SHA384,
        S::RsaPkcs1Sha512 => PKCS1_SHA512,
        _ => return None,
    })
}

/// Verifies `signature` over `message` with the end-entity certificate's
/// public key. `what` names the message for the error ("ServerKeyExchange",
/// "CertificateVerify").
///
/// A scheme we did not offer is an illegal_parameter (RFC 5246 §7.4.1.4.1:
/// the peer must use one of ours); a signature that does not verify is a
/// decrypt_error (RFC 5246 §7.2.2), reported as [`Error::BadSignature`].
/// Whether the scheme suits the negotiated suite is the caller's check
/// ([`super::suites::AuthAlgorithm::allows`]).
pub(crate) fn verify_signature(
    cert: &webpki::EndEntityCert<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
    what: &'static str,
) -> Result<(), Error> {
    if !VERIFY_SCHEMES.contains(&scheme) {
        return Err(Error::IllegalParameter("signature scheme"));
    }
    let algs = algorithms_for(scheme).ok_or(Error::IllegalParameter("signature scheme"))?;
    // webpki compares the algorithm's key type (including the curve) with
    // the certificate's before any signature arithmetic, so trying the
    // second ECDSA curve is cheap.
    if algs
        .iter()
        .any(|a| cert.verify_signature(*a, message, signature).is_ok())
    {
        Ok(())
    } else {
        Err(Error::BadSignature(what))
    }
}

/// Signature algorithms accepted inside certificate chains: the same
/// families as [`VERIFY_SCHEMES`] (no SHA-1, RSA keys of 2048 to 8192 bits),
/// with every ECDSA curve/hash pairing that CAs use.
pub(crate) fn webpki_algorithms() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    /// ECDSA and EdDSA, then `$rsa` (with `alloc`; ring's RSA needs a heap).
    macro_rules! algs {
        ($($rsa:expr),*) => {
            &[
                alg::ECDSA_P256_SHA256,
                alg::ECDSA_P256_SHA384,
                alg::ECDSA_P384_SHA256,
                alg::ECDSA_P384_SHA384,
                alg::ED25519,
                $($rsa,)*
            ]
        };
    }
    #[cfg(not(feature = "alloc"))]
    static ALGS: &[Alg] = algs!();
    #[cfg(feature = "alloc")]
    static ALGS: &[Alg] = algs!(
        alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        alg::RSA_PKCS1_2048_8192_SHA256,
        alg::RSA_PKCS1_2048_8192_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA512
    );
    ALGS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sign::SigningKey;
    use crate::crypto::testutil::*;
    use rustls_pki_types::{
        CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
    };

    const MSG: &[u8] = b"client_random + server_random + ServerECDHParams";

    fn check_key(key: PrivateKeyDer<'static>, cert_der: &'static [u8]) {
        let key = SigningKey::from_der(&key).unwrap();
        let cert_der = CertificateDer::from(cert_der);
        let cert = webpki::EndEntityCert::try_from(&cert_der).unwrap();
        for &scheme in key.schemes() {
            assert!(VERIFY_SCHEMES.contains(&scheme));
            let sig = key.sign(scheme, MSG).unwrap();
            verify_signature(&cert, scheme, MSG, &sig, "test")
                .unwrap_or_else(|e| panic!("{key:?} {scheme:?}: {e}"));

            // Tampered message and signature fail.
            assert_eq!(
                verify_signature(&cert, scheme, b"other", &sig, "test"),
                Err(Error::BadSignature("test"))
            );
            let mut bad = sig.to_vec();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert_eq!(
                verify_signature(&cert, scheme, MSG, &bad, "test"),
                Err(Error::BadSignature("test"))
            );
            assert_eq!(
                verify_signature(&cert, scheme, MSG, &[], "test"),
                Err(Error::BadSignature("test"))
            );
        }
    }

    #[test]
    fn rsa_pkcs8() {
        check_key(PrivatePkcs8KeyDer::from(RSA_PKCS8).into(), RSA_CERT);
    }

    #[test]
    fn rsa_pkcs1() {
        check_key(PrivatePkcs1KeyDer::from(RSA_PKCS1).into(), RSA_CERT);
    }

    #[test]
    fn p256_pkcs8_and_sec1() {
        check_key(PrivatePkcs8KeyDer::from(P256_PKCS8).into(), P256_CERT);
        check_key(PrivateSec1KeyDer::from(P256_SEC1).into(), P256_CERT);
    }

    #[test]
    fn p384_pkcs8_and_sec1() {
        check_key(PrivatePkcs8KeyDer::from(P384_PKCS8).into(), P384_CERT);
        check_key(PrivateSec1KeyDer::from(P384_SEC1).into(), P384_CERT);
    }

    #[test]
    fn ed25519() {
        check_key(PrivatePkcs8KeyDer::from(ED25519_PKCS8).into(), ED25519_CERT);
    }

    #[test]
    fn ecdsa_hash_not_bound_to_curve() {
        // ring cannot sign P-384 with SHA-256 (or P-256 with SHA-384), so
        // these signatures over MSG were made with
        //   openssl dgst -sha256 -sign p384.pem   (resp. -sha384, p256.pem)
        // In TLS 1.2 0x0403 means only "sha256 + ecdsa", whatever the curve.
        for (sig, cert, scheme) in [
            (
                P384_SHA256_SIG,
                P384_CERT,
                SignatureScheme::EcdsaSecp256r1Sha256,
            ),
            (
                P256_SHA384_SIG,
                P256_CERT,
                SignatureScheme::EcdsaSecp384r1Sha384,
            ),
        ] {
            let cert_der = CertificateDer::from(cert);
            let cert = webpki::EndEntityCert::try_from(&cert_der).unwrap();
            verify_signature(&cert, scheme, MSG, sig, "test").unwrap();
        }
    }

    #[test]
    fn wrong_key_type_and_unoffered_scheme() {
        let p256 = SigningKey::from_der(&PrivatePkcs8KeyDer::from(P256_PKCS8).into()).unwrap();
        let sig = p256
            .sign(SignatureScheme::EcdsaSecp256r1Sha256, MSG)
            .unwrap();
        let rsa_der = CertificateDer::from(RSA_CERT);
        let rsa_cert = webpki::EndEntityCert::try_from(&rsa_der).unwrap();
        assert_eq!(
            verify_signature(
                &rsa_cert,
                SignatureScheme::EcdsaSecp256r1Sha256,
                MSG,
                &sig,
                "skx"
            ),
            Err(Error::BadSignature("skx"))
        );
        let p256_der = CertificateDer::from(P256_CERT);
        let p256_cert = webpki::EndEntityCert::try_from(&p256_der).unwrap();
        for scheme in [
            SignatureScheme::RsaPkcs1Sha1,
            SignatureScheme::EcdsaSha1,
            SignatureScheme::EcdsaSecp521r1Sha512,
            SignatureScheme::Unknown(0x0403 ^ 0xff00),
        ] {
            assert_eq!(
                verify_signature(&p256_cert, scheme, MSG, &sig, "skx"),
                Err(Error::IllegalParameter("signature scheme"))
            );
        }
        // Right key type, wrong family (RSA scheme on an ECDSA cert).
        assert_eq!(
            verify_signature(
                &p256_cert,
                SignatureScheme::RsaPssRsaeSha256,
                MSG,
                &sig,
                "skx"
            ),
            Err(Error::BadSignature("skx"))
        );
    }

    #[test]
    fn every_offered_scheme_is_mapped() {
        for s in VERIFY_SCHEMES {
            assert!(algorithms_for(*s).is_some(), "{s:?}");
        }
        assert_eq!(webpki_algorithms().len(), 11);
    }
}
