//! Ephemeral elliptic-curve Diffie-Hellman (RFC 8422 §5.10, §5.11) via
//! `ring::agreement`.

use core::fmt;

use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};

use crate::codec::enums::NamedGroup;
use crate::error::Error;

/// The groups we implement, in our preference order: X25519 first (fast,
/// no point validation pitfalls, RFC 8422 §5.1.1), then the NIST curves.
pub(crate) const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
];

fn ring_algorithm(group: NamedGroup) -> Option<&'static agreement::Algorithm> {
    match group {
        NamedGroup::X25519 => Some(&agreement::X25519),
        NamedGroup::Secp256r1 => Some(&agreement::ECDH_P256),
        NamedGroup::Secp384r1 => Some(&agreement::ECDH_P384),
        _ => None,
    }
}

/// Our ephemeral key pair for one handshake. The private key lives inside
/// `ring` (which wipes it) and is consumed by [`KeyShare::agree`], so it can
/// be used for exactly one agreement.
pub(crate) struct KeyShare {
    group: NamedGroup,
    private: EphemeralPrivateKey,
    public: agreement::PublicKey,
}

impl KeyShare {
    /// Generates a fresh key pair on `group`.
    pub(crate) fn generate(group: NamedGroup) -> Result<Self, Error> {
        let alg = ring_algorithm(group).ok_or(Error::Internal("unsupported ECDHE group"))?;
        let rng = crate::crypto::rand::ring_rng();
        let private = EphemeralPrivateKey::generate(alg, &rng)
            .map_err(|_| Error::Internal("ECDHE key generation failed"))?;
        let public = private
            .compute_public_key()
            .map_err(|_| Error::Internal("ECDHE public key computation failed"))?;
        Ok(Self {
            group,
            private,
            public,
        })
    }

    /// The group this share is on.
    pub(crate) fn group(&self) -> NamedGroup {
        self.group
    }

    /// Our public value as sent in ServerKeyExchange / ClientKeyExchange:
    /// the 32-byte u-coordinate for X25519 (RFC 8422 §5.4.1, RFC 7748 §5),
    /// the uncompressed point `04 || x || y` for the NIST curves (RFC 8422
    /// §5.4.1 with the uncompressed format mandated by §5.1.2).
    pub(crate) fn public_bytes(&self) -> &[u8] {
        self.public.as_ref()
    }

    /// A copy of our public value that outlives [`Self::agree`] (it is
    /// held inline, so copying it does not allocate).
    pub(crate) fn public_key(&self) -> agreement::PublicKey {
        self.public.clone()
    }

    /// Computes the shared secret with `peer_public` and passes it (the
    /// premaster secret, RFC 8422 §5.10) to `kdf`. The shared secret is
    /// wiped by `ring` once `kdf` returns.
    ///
    /// `ring` validates the peer's value: it must have the exact length for
    /// the group, NIST points must be uncompressed and on the curve, and an
    /// X25519 computation yielding the all-zero secret (a small-order peer
    /// point) is refused before `kdf` sees it. RFC 8422 §5.11 and RFC 7748
    /// §6.1 require refusing such points; ring enforces that, and
    /// `ring_rejects_x25519_low_order_points` below pins it, so an upgrade
    /// of ring that dropped the check fails the tests. A check of our own
    /// after ring's could never be reached, so no test could show it works.
    pub(crate) fn agree<R>(
        self,
        peer_public: &[u8],
        kdf: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, Error> {
        let alg = ring_algorithm(self.group).ok_or(Error::Internal("unsupported ECDHE group"))?;
        let peer = UnparsedPublicKey::new(alg, peer_public);
        agreement::agree_ephemeral(self.private, &peer, kdf)
            .map_err(|_| Error::IllegalParameter("ECDHE public key"))
    }
}

impl fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyShare")
            .field("group", &self.group)
            .field("public_len", &self.public.as_ref().len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn agree_pair(group: NamedGroup) -> (Vec<u8>, Vec<u8>) {
        let a = KeyShare::generate(group).unwrap();
        let b = KeyShare::generate(group).unwrap();
        assert_eq!(a.group(), group);
        let a_pub = a.public_bytes().to_vec();
        let b_pub = b.public_bytes().to_vec();
        let s1 = a.agree(&b_pub, |s| s.to_vec()).unwrap();
        let s2 = b.agree(&a_pub, |s| s.to_vec()).unwrap();
        (s1, s2)
    }

    #[test]
    fn agreement_each_group() {
        for (group, pub_len, secret_len) in [
            (NamedGroup::X25519, 32, 32),
            (NamedGroup::Secp256r1, 65, 32),
            (NamedGroup::Secp384r1, 97, 48),
        ] {
            let share = KeyShare::generate(group).unwrap();
            assert_eq!(share.public_bytes().len(), pub_len, "{group:?}");
            if group != NamedGroup::X25519 {
                assert_eq!(share.public_bytes()[0], 0x04);
            }
            let (s1, s2) = agree_pair(group);
            assert_eq!(s1, s2, "{group:?}");
            assert_eq!(s1.len(), secret_len);
        }
    }

    #[test]
    fn supported_groups_generate() {
        for g in SUPPORTED_GROUPS {
            KeyShare::generate(*g).unwrap();
        }
    }

    #[test]
    fn unsupported_group_is_internal_error() {
        for g in [
            NamedGroup::Secp521r1,
            NamedGroup::X448,
            NamedGroup::Ffdhe2048,
            NamedGroup::Unknown(7),
        ] {
            assert!(
                matches!(KeyShare::generate(g), Err(Error::Internal(_))),
                "{g:?}"
            );
        }
    }

    fn rejects(group: NamedGroup, peer: &[u8]) {
        let share = KeyShare::generate(group).unwrap();
        let mut called = false;
        let r = share.agree(peer, |_| called = true);
        assert_eq!(
            r,
            Err(Error::IllegalParameter("ECDHE public key")),
            "{group:?} {peer:x?}"
        );
        assert!(!called);
    }

    #[test]
    fn garbage_points_rejected() {
        for g in SUPPORTED_GROUPS {
            rejects(*g, &[]);
            rejects(*g, &[0x04]);
            rejects(*g, &[0x42; 7]);
            rejects(*g, &[0x04; 200]);
        }
        // Wrong length for the group: a valid P-256 point offered on P-384
        // and an X25519 value one byte short / long.
        let p256 = KeyShare::generate(NamedGroup::Secp256r1).unwrap();
        rejects(NamedGroup::Secp384r1, p256.public_bytes());
        let x = KeyShare::generate(NamedGroup::X25519).unwrap();
        rejects(NamedGroup::X25519, &x.public_bytes()[..31]);
        let mut long = x.public_bytes().to_vec();
        long.push(0);
        rejects(NamedGroup::X25519, &long);
    }

    /// Pins ring's behaviour, which `agree` relies on (the crate has no
    /// check of its own): RFC 7748 §6.1 / RFC 8422 §5.11, an X25519 result
    /// of all zeros is refused before the key derivation runs.
    #[test]
    fn ring_rejects_x25519_low_order_points() {
        // u = 0 and u = 1 are of small order (RFC 7748 §6.1: the result is
        // all zeros), as is p-1 and the order-8 point from the curve's
        // small subgroup.
        let mut one = [0u8; 32];
        one[0] = 1;
        let mut p_minus_1 = [0xff; 32];
        p_minus_1[0] = 0xec;
        p_minus_1[31] = 0x7f;
        let order8 = [
            0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
            0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
            0x5f, 0x49, 0xb8, 0x00,
        ];
        for p in [[0u8; 32], one, p_minus_1, order8] {
            rejects(NamedGroup::X25519, &p);
        }
    }

    #[test]
    fn p256_bad_points_rejected() {
        let good = KeyShare::generate(NamedGroup::Secp256r1).unwrap();
        let good = good.public_bytes().to_vec();

        // Compressed / hybrid / bogus prefixes with the right length.
        for prefix in [0x00, 0x02, 0x03, 0x05, 0x06, 0x07] {
            let mut p = good.clone();
            p[0] = prefix;
            rejects(NamedGroup::Secp256r1, &p);
        }
        // A compressed encoding (33 bytes) is refused: RFC 8422 §5.1.2
        // leaves only the uncompressed format.
        let mut compressed = good[..33].to_vec();
        compressed[0] = 0x02 | (good[64] & 1);
        rejects(NamedGroup::Secp256r1, &compressed);
        // Off the curve: perturb y.
        let mut off = good.clone();
        off[64] ^= 1;
        rejects(NamedGroup::Secp256r1, &off);
        // The point at infinity / all-zero coordinates.
        let mut zero = [0u8; 65];
        zero[0] = 0x04;
        rejects(NamedGroup::Secp256r1, &zero);
        // Coordinates >= p.
        let mut big = [0xffu8; 65];
        big[0] = 0x04;
        rejects(NamedGroup::Secp256r1, &big);
    }

    #[test]
    fn p384_off_curve_rejected() {
        let good = KeyShare::generate(NamedGroup::Secp384r1).unwrap();
        let mut off = good.public_bytes().to_vec();
        off[96] ^= 1;
        rejects(NamedGroup::Secp384r1, &off);
    }

    #[test]
    fn debug_shows_no_secret() {
        let share = KeyShare::generate(NamedGroup::X25519).unwrap();
        let text = alloc::format!("{share:?}");
        assert!(text.contains("x25519"), "{text}");
    }
}
