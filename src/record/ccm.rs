//! AES-128-CCM and AES-128-CCM-8 for TLS 1.2 records (RFC 6655 §3), from
//! RustCrypto's `ccm` and `aes` crates because ring has no CCM.
//!
//! Only the AEAD itself lives here; the nonce (`salt || explicit nonce`, as
//! for GCM) and the additional data are built by `record::cipher`, the same
//! way for every algorithm. RFC 6655 §3 fixes the CCM parameters: a 12-byte
//! nonce (so a 3-byte length field, RFC 5116 §5.3) and a 16- or 8-byte tag.
//!
//! Keys: `aes` with its `zeroize` feature wipes the expanded key schedule
//! when the cipher is dropped, and `Ccm` holds nothing but that cipher.

use ccm::aead::AeadInPlace;
use ccm::consts::{U12, U16, U8};
use ccm::{Ccm, KeyInit};

use crate::crypto::suites::AeadAlgorithm;
use crate::error::Error;

/// AES-128 for encryption only: CCM never runs the block cipher backwards
/// (RFC 3610 §2), so the decryption key schedule would be dead weight.
type Aes128 = aes::Aes128Enc;

/// A CCM record key, for one tag length.
pub(super) enum CcmKey {
    /// AES_128_CCM: 16-byte tag.
    Tag16(Ccm<Aes128, U16, U12>),
    /// AES_128_CCM_8: 8-byte tag.
    Tag8(Ccm<Aes128, U8, U12>),
}

/// The tag of one record, as long as the algorithm's.
pub(super) struct Tag {
    bytes: [u8; 16],
    len: usize,
}

impl AsRef<[u8]> for Tag {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl CcmKey {
    /// `None` if `aead` is not a CCM algorithm; an internal error if the key
    /// has the wrong length (the caller checked it already).
    pub(super) fn new(aead: AeadAlgorithm, key: &[u8]) -> Option<Result<Self, Error>> {
        let wrong = |_| Error::Internal("record key has the wrong length");
        match aead {
            AeadAlgorithm::Aes128Ccm => {
                Some(Ccm::new_from_slice(key).map(Self::Tag16).map_err(wrong))
            }
            AeadAlgorithm::Aes128Ccm8 => {
                Some(Ccm::new_from_slice(key).map(Self::Tag8).map_err(wrong))
            }
            _ => None,
        }
    }

    /// Encrypts `in_out` in place and returns the tag.
    pub(super) fn seal(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8]) -> Result<Tag, ()> {
        let nonce = (*nonce).into();
        let mut tag = Tag {
            bytes: [0; 16],
            len: 0,
        };
        let computed = match self {
            Self::Tag16(k) => k
                .encrypt_in_place_detached(&nonce, aad, in_out)
                .map(|t| copy_tag(&mut tag, &t)),
            Self::Tag8(k) => k
                .encrypt_in_place_detached(&nonce, aad, in_out)
                .map(|t| copy_tag(&mut tag, &t)),
        };
        computed.map_err(|_| ())?;
        Ok(tag)
    }

    /// Checks `tag` over `aad` and the ciphertext `in_out`, and decrypts
    /// `in_out` in place if it is authentic. A tag of the wrong length fails
    /// like a wrong tag (it cannot be authentic), and so does anything the
    /// crate refuses. On failure the crate has zeroed `in_out`.
    pub(super) fn open(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), ()> {
        let nonce = (*nonce).into();
        // `GenericArray::from_slice` panics on a length mismatch: convert
        // through fixed arrays, which fail instead.
        match self {
            Self::Tag16(k) => {
                let tag: [u8; 16] = tag.try_into().map_err(|_| ())?;
                k.decrypt_in_place_detached(&nonce, aad, in_out, &tag.into())
            }
            Self::Tag8(k) => {
                let tag: [u8; 8] = tag.try_into().map_err(|_| ())?;
                k.decrypt_in_place_detached(&nonce, aad, in_out, &tag.into())
            }
        }
        .map_err(|_| ())
    }
}

fn copy_tag(tag: &mut Tag, computed: &[u8]) {
    for (t, c) in tag.bytes.iter_mut().zip(computed) {
        *t = *c;
    }
    tag.len = computed.len().min(16);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn hex(s: &str) -> Vec<u8> {
        let s: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        s.chunks(2)
            .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    fn check(aead: AeadAlgorithm, key: &str, nonce: &str, aad: &str, pt: &str, ct_tag: &str) {
        let key = CcmKey::new(aead, &hex(key)).unwrap().unwrap();
        let nonce: [u8; 12] = hex(nonce).try_into().unwrap();
        let (aad, pt, ct_tag) = (hex(aad), hex(pt), hex(ct_tag));
        let mut buf = pt.clone();
        let tag = key.seal(&nonce, &aad, &mut buf).unwrap();
        buf.extend_from_slice(tag.as_ref());
        assert_eq!(buf, ct_tag, "{aead:?}");
        let (ct, tag) = ct_tag.split_at(pt.len());
        let mut buf = ct.to_vec();
        key.open(&nonce, &aad, &mut buf, tag).unwrap();
        assert_eq!(buf, pt);
    }

    /// NIST SP 800-38C Appendix C, Example 3: AES-128, a 12-byte nonce and
    /// an 8-byte tag (Tlen = 64, Nlen = 96): CCM_8's parameters.
    #[test]
    fn sp800_38c_example_3_is_ccm_8() {
        check(
            AeadAlgorithm::Aes128Ccm8,
            "404142434445464748494a4b4c4d4e4f",
            "101112131415161718191a1b",
            "000102030405060708090a0b0c0d0e0f10111213",
            "202122232425262728292a2b2c2d2e2f3031323334353637",
            "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5 484392fbc1b09951",
        );
    }

    /// NIST CAVP CCM test vectors (ccmtestvectors.zip), VNT128.rsp,
    /// `[Alen = 32, Plen = 24, Nlen = 12, Tlen = 16]`, Count = 50: AES-128,
    /// a 12-byte nonce and a 16-byte tag, CCM's parameters.
    #[test]
    fn cavp_vnt128_count_50_is_ccm() {
        check(
            AeadAlgorithm::Aes128Ccm,
            "005e8f4d8e0cbf4e1ceeb5d87a275848",
            "0ec3ac452b547b9062aac8fa",
            "2f1821aa57e5278ffd33c17d46615b77363149dbc98470413f6543a6b749f2ca",
            "b6f345204526439daf84998f380dcfb4b4167c959c04ff65",
            "9575e16f35da3c88a19c26a7b762044f4d7bbbafeff05d75 4829e2a7752fa3a14890972884b511d8",
        );
    }

    #[test]
    fn tags_of_the_wrong_length_fail_without_panicking() {
        for (aead, good) in [
            (AeadAlgorithm::Aes128Ccm, 16),
            (AeadAlgorithm::Aes128Ccm8, 8),
        ] {
            let key = CcmKey::new(aead, &[7; 16]).unwrap().unwrap();
            let nonce = [1; 12];
            let mut buf = b"some plaintext".to_vec();
            let tag = key.seal(&nonce, b"aad", &mut buf).unwrap();
            assert_eq!(tag.as_ref().len(), good);
            let ct = buf.clone();
            for len in [0, 4, 8, 12, 16, 17] {
                if len == good {
                    continue;
                }
                let mut t = tag.as_ref().to_vec();
                t.resize(len, 0);
                let mut b = ct.clone();
                assert_eq!(
                    key.open(&nonce, b"aad", &mut b, &t),
                    Err(()),
                    "{aead:?} {len}"
                );
            }
            let mut b = ct.clone();
            key.open(&nonce, b"aad", &mut b, tag.as_ref()).unwrap();
            assert_eq!(b, b"some plaintext");
        }
    }

    /// The key schedule is wiped on drop: `aes` is built with `zeroize`
    /// (this does not compile without it).
    #[test]
    fn key_schedule_is_zeroized_on_drop() {
        fn zeroized_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroized_on_drop::<Aes128>();
    }

    #[test]
    fn not_ccm_and_wrong_key_lengths() {
        assert!(CcmKey::new(AeadAlgorithm::Aes128Gcm, &[0; 16]).is_none());
        for aead in [AeadAlgorithm::Aes128Ccm, AeadAlgorithm::Aes128Ccm8] {
            for len in [0, 15, 17, 32] {
                assert!(matches!(
                    CcmKey::new(aead, &alloc::vec![0; len]),
                    Some(Err(Error::Internal(_)))
                ));
            }
        }
    }
}
