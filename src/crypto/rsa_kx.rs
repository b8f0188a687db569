//! RSA key transport's premaster secret (RFC 5246 §7.4.7.1): the client's
//! encryption, and the server's constant-time choice between what the
//! caller decrypted and a random stand-in.
//!
//! The server never decrypts here: its RSA private key is the caller's
//! ([`crate::keyop::OperationKind::Decrypt`]).

use zeroize::Zeroizing;

use crate::error::Error;

/// `PreMasterSecret`: `client_version(2) || random(46)` (RFC 5246
/// §7.4.7.1).
pub(crate) const PREMASTER_LEN: usize = 48;

/// The smallest RSA modulus we encrypt to, in bytes (2048 bits): NIST SP
/// 800-131A disallows smaller keys for key transport since 2014, and a
/// premaster encrypted to one could be recovered by whoever factors it.
#[cfg_attr(not(feature = "legacy-rsa-key-transport"), allow(dead_code))]
pub(crate) const MIN_MODULUS_LEN: usize = 256;

/// The premaster secret the server continues with: `client_version` (the
/// version the ClientHello offered, not the negotiated one) followed by
/// bytes 2..48 of `decrypted` when it is exactly 48 bytes long, else
/// `fallback`.
///
/// RFC 5246 §7.4.7.1: a server that reveals whether the plaintext was
/// well-formed is a Bleichenbacher oracle, so the choice is made without a
/// branch on it, and a wrong version inside a well-formed plaintext is not
/// checked but overwritten, which makes the premaster (and so the client's
/// Finished) wrong in the same way. What differs between the cases is never
/// visible before the client's Finished fails to verify.
pub(crate) fn choose_premaster(
    client_version: [u8; 2],
    decrypted: &[u8],
    fallback: &[u8; PREMASTER_LEN - 2],
) -> Zeroizing<[u8; PREMASTER_LEN]> {
    // 0xff when the length is right, 0x00 otherwise, without a branch.
    let diff = (decrypted.len() ^ PREMASTER_LEN) as u64;
    let nonzero = (diff | diff.wrapping_neg()) >> 63;
    let keep = core::hint::black_box((nonzero as u8).wrapping_sub(1));
    let mut out = Zeroizing::new([0u8; PREMASTER_LEN]);
    let (version, rest) = out.split_at_mut(2);
    version.copy_from_slice(&client_version);
    for (i, (o, f)) in rest.iter_mut().zip(fallback).enumerate() {
        // Reads the same positions whatever the length: a shorter answer
        // reads zeros, which `keep` discards anyway.
        let d = decrypted.get(i + 2).copied().unwrap_or(0);
        *o = (d & keep) | (f & !keep);
    }
    out
}

/// RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1) of `premaster` to the RSA
/// key in `spki` (a DER SubjectPublicKeyInfo), with padding from `random`.
#[cfg(feature = "legacy-rsa-key-transport")]
pub(crate) fn encrypt_premaster(
    spki: &[u8],
    premaster: &[u8],
    random: &dyn crate::crypto::rand::RandomSource,
) -> Result<alloc::vec::Vec<u8>, Error> {
    use crate::error::CertificateError;
    use rsa::pkcs8::DecodePublicKey;

    let key = rsa::RsaPublicKey::from_public_key_der(spki)
        .map_err(|_| Error::Certificate(CertificateError::BadEncoding))?;
    encrypt_to(&key, premaster, random)
}

/// As [`encrypt_premaster`], to a parsed key.
#[cfg(feature = "legacy-rsa-key-transport")]
fn encrypt_to(
    key: &rsa::RsaPublicKey,
    premaster: &[u8],
    random: &dyn crate::crypto::rand::RandomSource,
) -> Result<alloc::vec::Vec<u8>, Error> {
    use rsa::traits::PublicKeyParts;
    if key.size() < MIN_MODULUS_LEN {
        return Err(Error::HandshakeFailure(
            "the server's RSA key is shorter than 2048 bits: too weak to encrypt the premaster \
             secret to",
        ));
    }
    let mut rng = Rng {
        source: random,
        failed: false,
    };
    let encrypted = key
        .encrypt(&mut rng, rsa::Pkcs1v15Encrypt, premaster)
        .map_err(|_| Error::Internal("RSA encryption of the premaster secret failed"))?;
    if rng.failed {
        return Err(Error::Internal("the random source failed"));
    }
    Ok(encrypted)
}

/// A premaster secret encrypted to the server's key: as long as its
/// modulus.
#[cfg(feature = "alloc")]
pub(crate) type Encrypted = alloc::vec::Vec<u8>;

/// Without `alloc` there is no RSA encryption, and so none is ever made.
#[cfg(not(feature = "alloc"))]
pub(crate) type Encrypted = [u8; 0];

/// Without the cargo feature there is no RSA encryption; the client's
/// configuration refuses RSA suites in such a build, so this is never
/// reached.
#[cfg(not(feature = "legacy-rsa-key-transport"))]
pub(crate) fn encrypt_premaster(
    _spki: &[u8],
    _premaster: &[u8],
    _random: &dyn crate::crypto::rand::RandomSource,
) -> Result<Encrypted, Error> {
    Err(Error::Internal(
        "RSA encryption needs the cargo feature legacy-rsa-key-transport",
    ))
}

/// Our [`RandomSource`](crate::crypto::rand::RandomSource) as the `rsa`
/// crate's generator. A failure cannot be returned through `fill_bytes`;
/// it is remembered and turns the encryption into an error.
#[cfg(feature = "legacy-rsa-key-transport")]
struct Rng<'a> {
    source: &'a dyn crate::crypto::rand::RandomSource,
    failed: bool,
}

#[cfg(feature = "legacy-rsa-key-transport")]
impl rsa::rand_core::RngCore for Rng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if self.source.fill(dest).is_err() {
            self.failed = true;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[cfg(feature = "legacy-rsa-key-transport")]
impl rsa::rand_core::CryptoRng for Rng<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    const VERSION: [u8; 2] = [3, 3];
    const FALLBACK: [u8; 46] = [0xee; 46];

    fn good() -> [u8; 48] {
        let mut m = [0x11; 48];
        m[..2].copy_from_slice(&VERSION);
        m
    }

    #[test]
    fn a_well_formed_plaintext_is_the_premaster() {
        assert_eq!(*choose_premaster(VERSION, &good(), &FALLBACK), good());
    }

    #[test]
    fn any_other_length_gives_the_fallback() {
        let mut expected = [0xee; 48];
        expected[..2].copy_from_slice(&VERSION);
        for len in [0, 1, 2, 47, 49, 64, 256] {
            let m = alloc::vec![0x11; len];
            assert_eq!(*choose_premaster(VERSION, &m, &FALLBACK), expected, "{len}");
        }
    }

    /// RFC 5246 §7.4.7.1: the version inside the plaintext is replaced by
    /// the ClientHello's, never compared (a comparison would be an oracle).
    #[test]
    fn a_wrong_version_is_overwritten_not_checked() {
        let mut m = good();
        m[..2].copy_from_slice(&[3, 1]);
        assert_eq!(*choose_premaster(VERSION, &m, &FALLBACK), good());
        let mut offered = good();
        offered[..2].copy_from_slice(&[3, 4]);
        assert_eq!(*choose_premaster([3, 4], &good(), &FALLBACK), offered);
    }

    #[cfg(feature = "legacy-rsa-key-transport")]
    #[test]
    fn encryption_round_trips_with_the_certificate_key() {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let key = rsa::RsaPrivateKey::from_pkcs1_der(include_bytes!("testdata/rsa.pkcs1.der"))
            .expect("test key");
        let public = rsa::RsaPublicKey::from(&key);
        let random = crate::crypto::rand::SystemRandom::new();
        let a = encrypt_to(&public, &good(), &random).expect("encrypts");
        let b = encrypt_to(&public, &good(), &random).expect("encrypts");
        assert_eq!(a.len(), 256);
        assert_ne!(a, b, "random padding");
        let plain = key.decrypt(rsa::Pkcs1v15Encrypt, &a).expect("decrypts");
        assert_eq!(plain, good());
    }

    /// A key under 2048 bits is refused before anything is encrypted to it.
    #[cfg(feature = "legacy-rsa-key-transport")]
    #[test]
    fn short_keys_are_refused() {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let key = rsa::RsaPrivateKey::from_pkcs1_der(include_bytes!("testdata/rsa1024.pkcs1.der"))
            .expect("test key");
        let random = crate::crypto::rand::SystemRandom::new();
        assert!(matches!(
            encrypt_to(&rsa::RsaPublicKey::from(&key), &good(), &random),
            Err(Error::HandshakeFailure(_))
        ));
    }
}
