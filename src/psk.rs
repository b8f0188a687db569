//! Pre-shared keys (RFC 4279, RFC 5489): the keys, and the server's store
//! that finds one by the identity a client names.
//!
//! A client lists its identities with
//! [`ClientConfig::add_psk`](crate::ClientConfig::add_psk); a server looks
//! them up in a [`PskStore`] ([`ServerConfig::with_psk`](crate::ServerConfig::with_psk)
//! or [`ServerConfig::psk_store`](crate::ServerConfig::psk_store)), for
//! which [`PskMap`] is the in-memory one. The PSK suites
//! ([`PSK_SUITES`](crate::PSK_SUITES)) are offered and accepted only when
//! they are listed and keys are configured.
//!
//! ```
//! use std::sync::Arc;
//! use tls12::psk::{Psk, PskMap};
//! use tls12::{ClientConfig, RootCertStore, ServerConfig};
//!
//! let key = Psk::new(&[0x11; 32]).unwrap();
//! let mut keys = PskMap::new();
//! keys.insert(b"sensor-17", key.clone()).unwrap();
//! let server = ServerConfig::with_psk(Arc::new(keys));
//!
//! let mut client = ClientConfig::new(RootCertStore::empty());
//! client.cipher_suites = tls12::PSK_SUITES.as_slice().into();
//! client.add_psk(b"sensor-17", key).unwrap();
//! # let _ = (server, client);
//! ```

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroize;

use crate::error::Error;

/// The longest key accepted: RFC 4279 §5.3 asks implementations to support
/// keys of up to 64 bytes.
pub const MAX_PSK_LEN: usize = 64;

/// The longest identity accepted: `psk_identity<0..2^16-1>` (RFC 4279 §2).
pub const MAX_PSK_IDENTITY_LEN: usize = 0xffff;

/// A pre-shared key of 1 to [`MAX_PSK_LEN`] bytes, zeroized on drop and
/// never printed.
#[derive(Clone)]
pub struct Psk {
    bytes: [u8; MAX_PSK_LEN],
    len: u8,
}

impl Psk {
    /// `key`, which must be 1 to 64 bytes long.
    pub fn new(key: &[u8]) -> Result<Self, Error> {
        let mut bytes = [0u8; MAX_PSK_LEN];
        let len = u8::try_from(key.len())
            .ok()
            .filter(|n| (1..=MAX_PSK_LEN).contains(&usize::from(*n)))
            .ok_or_else(|| Error::Config("a pre-shared key must be 1 to 64 bytes".into()))?;
        bytes
            .get_mut(..key.len())
            .ok_or_else(|| Error::Config("a pre-shared key must be 1 to 64 bytes".into()))?
            .copy_from_slice(key);
        Ok(Self { bytes, len })
    }

    /// A random key of 32 bytes: what a server uses for an identity it does
    /// not know, so that the handshake goes on and fails only at Finished,
    /// as with a wrong key (RFC 4279 §2).
    pub(crate) fn random(random: &dyn crate::crypto::rand::RandomSource) -> Result<Self, Error> {
        let mut bytes = [0u8; MAX_PSK_LEN];
        random.fill(bytes.get_mut(..32).unwrap_or_default())?;
        Ok(Self { bytes, len: 32 })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl Drop for Psk {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psk({} bytes)", self.len)
    }
}

/// Where a server finds the key for the identity a client names in its
/// ClientKeyExchange (RFC 4279 §2).
///
/// The lookup should take the same time whatever the identity, so that a
/// client cannot tell from the timing which identities exist: by default
/// an unknown identity is answered as a wrong key would be (the handshake
/// fails at Finished with `decrypt_error`), and a lookup whose timing
/// depends on the identity would undo that. [`PskMap`] compares in
/// constant time.
pub trait PskStore: Send + Sync + fmt::Debug {
    /// The key for `identity`, or `None`.
    fn key(&self, identity: &[u8]) -> Option<Psk>;
}

crate::shared::shared_dyn!(PskStore);

/// Keys in memory, looked up in constant time: every lookup compares the
/// identity with every entry, byte for byte, and selects the key with a
/// mask, so its time depends on the store and not on which identity was
/// asked for. Meant for the tens to thousands of identities a device fleet
/// or a private link has; a larger store belongs in a database behind your
/// own [`PskStore`]. It needs the `alloc` feature: without it, a
/// [`PskStore`] of your own holds the keys (as `no_alloc/` shows).
#[derive(Clone, Default)]
#[cfg(feature = "alloc")]
pub struct PskMap {
    entries: Vec<(Vec<u8>, Psk)>,
}

#[cfg(feature = "alloc")]
impl PskMap {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the key for `identity` (1 to 65,535 bytes).
    pub fn insert(&mut self, identity: &[u8], key: Psk) -> Result<(), Error> {
        check_identity(identity)?;
        match self.entries.iter_mut().find(|(id, _)| id == identity) {
            Some(entry) => entry.1 = key,
            None => self.entries.push((identity.to_vec(), key)),
        }
        Ok(())
    }

    /// How many identities it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for PskMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PskMap({} identities)", self.entries.len())
    }
}

#[cfg(feature = "alloc")]
impl PskStore for PskMap {
    fn key(&self, identity: &[u8]) -> Option<Psk> {
        find(
            self.entries.iter().map(|(id, key)| (id.as_slice(), key)),
            identity,
        )
    }
}

/// Keys in a table of the caller's, for a server without a heap: the
/// identities borrowed for `'static`, the keys made once (a static cell,
/// as a device's runtime gives), looked up in constant time as
/// [`PskMap`] does.
///
/// ```
/// use tls12::psk::{Psk, PskStore};
///
/// let table = [(&b"sensor-17"[..], Psk::new(&[0x5a; 32]).unwrap())];
/// assert!(table.key(b"sensor-17").is_some());
/// assert!(table.key(b"sensor-18").is_none());
/// // ServerConfig::with_psk(table_in_a_static) for a `&'static` table.
/// ```
impl<const N: usize> PskStore for [(&'static [u8], Psk); N] {
    fn key(&self, identity: &[u8]) -> Option<Psk> {
        find(self.iter().map(|(id, key)| (*id, key)), identity)
    }
}

/// The key for `identity` among `entries`, in constant time: every entry is
/// compared byte for byte, and the key selected with a mask, so the time
/// depends on the entries and not on which identity was asked for.
fn find<'a>(entries: impl Iterator<Item = (&'a [u8], &'a Psk)>, identity: &[u8]) -> Option<Psk> {
    let mut found = 0u8;
    let mut bytes = [0u8; MAX_PSK_LEN];
    let mut len = 0u8;
    for (id, key) in entries {
        // 0xff when `id` equals `identity`, else 0, without a branch on
        // the bytes: differences in length and content are folded in.
        let mut diff = (id.len() ^ identity.len()) as u64;
        for (i, b) in id.iter().enumerate() {
            diff |= u64::from(b ^ identity.get(i).copied().unwrap_or(0));
        }
        let nonzero = (diff | diff.wrapping_neg()) >> 63;
        let hit = core::hint::black_box((nonzero as u8).wrapping_sub(1));
        for (out, k) in bytes.iter_mut().zip(&key.bytes) {
            *out |= k & hit;
        }
        len |= key.len & hit;
        found |= hit;
    }
    let key = Psk { bytes, len };
    (found != 0).then_some(key)
}

/// An identity a configuration may hold: 1 to 65,535 bytes (RFC 4279 §2's
/// `psk_identity<0..2^16-1>`; an empty one names nobody).
pub(crate) fn check_identity(identity: &[u8]) -> Result<(), Error> {
    if identity.is_empty() || identity.len() > MAX_PSK_IDENTITY_LEN {
        return Err(Error::Config(
            "a PSK identity must be 1 to 65,535 bytes".into(),
        ));
    }
    Ok(())
}

/// An identity a client may present, with its key: used when the server's
/// identity hint is `hint` (any hint, or none, for `None`).
#[derive(Debug)]
#[cfg_attr(feature = "alloc", derive(Clone))]
pub(crate) struct PskIdentity {
    pub(crate) hint: Option<IdentityBytes>,
    pub(crate) identity: IdentityBytes,
    pub(crate) key: Psk,
}

/// An identity or hint a client configuration holds: on the heap with
/// `alloc`; without it, inline, up to the 128 bytes RFC 4279 §5.3 asks
/// every implementation to support.
#[derive(Debug)]
#[cfg_attr(feature = "alloc", derive(Clone))]
pub(crate) struct IdentityBytes(
    #[cfg(feature = "alloc")] Vec<u8>,
    #[cfg(not(feature = "alloc"))] ([u8; INLINE_IDENTITY_LEN], u8),
);

/// RFC 4279 §5.3: "support arbitrary PSK identities up to 128 octets".
#[cfg(not(feature = "alloc"))]
const INLINE_IDENTITY_LEN: usize = 128;

impl IdentityBytes {
    pub(crate) fn new(bytes: &[u8]) -> Result<Self, Error> {
        #[cfg(feature = "alloc")]
        return Ok(Self(bytes.to_vec()));
        #[cfg(not(feature = "alloc"))]
        {
            let mut inline = [0u8; INLINE_IDENTITY_LEN];
            let len = u8::try_from(bytes.len())
                .ok()
                .and_then(|n| Some((inline.get_mut(..bytes.len())?, n)));
            let Some((dest, len)) = len else {
                return Err(Error::Config(
                    "without the alloc feature, a PSK identity or hint is at most 128 bytes".into(),
                ));
            };
            dest.copy_from_slice(bytes);
            Ok(Self((inline, len)))
        }
    }
}

impl core::ops::Deref for IdentityBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        #[cfg(feature = "alloc")]
        return &self.0;
        #[cfg(not(feature = "alloc"))]
        self.0 .0.get(..usize::from(self.0 .1)).unwrap_or_default()
    }
}

/// The identity a client presents: the first configured for the server's
/// `hint`, else the first configured for any hint (RFC 4279 §5.2 leaves
/// what a hint means to the application).
pub(crate) fn choose_identity<'a>(
    identities: &'a [PskIdentity],
    hint: Option<&[u8]>,
) -> Option<&'a PskIdentity> {
    hint.and_then(|h| identities.iter().find(|id| id.hint.as_deref() == Some(h)))
        .or_else(|| identities.iter().find(|id| id.hint.is_none()))
}

/// The longest PSK premaster secret: both parts at their longest (the
/// zeros of plain PSK are as long as the key; an ECDH secret is at most 48
/// bytes, for P-384).
pub(crate) const MAX_PREMASTER_LEN: usize = 2 + MAX_PSK_LEN + 2 + MAX_PSK_LEN;

/// The premaster secret of a PSK key exchange (RFC 4279 §2), written to
/// `out`, whose length it returns: `other_secret` and the key, each with a
/// two-byte length, where `other_secret` is N zero bytes for plain PSK (N
/// the key's length) and the ECDH shared secret for ECDHE_PSK (RFC 5489
/// §2).
pub(crate) fn premaster(
    other_secret: Option<&[u8]>,
    key: &Psk,
    out: &mut [u8; MAX_PREMASTER_LEN],
) -> Result<usize, Error> {
    let psk = key.as_bytes();
    let zeros = [0u8; MAX_PSK_LEN];
    let other = match other_secret {
        Some(secret) => secret,
        None => zeros.get(..psk.len()).unwrap_or_default(),
    };
    let mut at = 0;
    for part in [other, psk] {
        let len = u16::try_from(part.len()).map_err(|_| Error::Internal("PSK premaster"))?;
        for bytes in [&len.to_be_bytes()[..], part] {
            out.get_mut(at..at + bytes.len())
                .ok_or(Error::Internal("PSK premaster too long"))?
                .copy_from_slice(bytes);
            at += bytes.len();
        }
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn keys_are_one_to_sixty_four_bytes() {
        assert!(Psk::new(&[]).is_err());
        assert!(Psk::new(&[1; 65]).is_err());
        assert_eq!(Psk::new(&[7; 64]).unwrap().as_bytes(), &[7; 64][..]);
        assert_eq!(Psk::new(&[7]).unwrap().as_bytes(), &[7][..]);
        assert_eq!(
            alloc::format!("{:?}", Psk::new(&[7; 3]).unwrap()),
            "Psk(3 bytes)"
        );
    }

    #[test]
    fn the_map_finds_exactly_the_identity() {
        let mut map = PskMap::new();
        map.insert(b"alpha", Psk::new(&[1; 16]).unwrap()).unwrap();
        map.insert(b"alphabet", Psk::new(&[2; 32]).unwrap())
            .unwrap();
        map.insert(b"beta", Psk::new(&[3; 8]).unwrap()).unwrap();
        assert_eq!(map.key(b"alpha").unwrap().as_bytes(), &[1; 16][..]);
        assert_eq!(map.key(b"alphabet").unwrap().as_bytes(), &[2; 32][..]);
        assert_eq!(map.key(b"beta").unwrap().as_bytes(), &[3; 8][..]);
        // Prefixes, extensions and near misses are not the identity.
        for unknown in [&b"alph"[..], b"alphab", b"alpha\0", b"betA", b"", b"gamma"] {
            assert!(map.key(unknown).is_none(), "{unknown:?}");
        }
        // Replacing keeps one entry.
        map.insert(b"beta", Psk::new(&[4; 8]).unwrap()).unwrap();
        assert_eq!(map.len(), 3);
        assert_eq!(map.key(b"beta").unwrap().as_bytes(), &[4; 8][..]);
        assert!(map.insert(b"", Psk::new(&[1]).unwrap()).is_err());
        assert!(map
            .insert(&vec![b'x'; 65_536], Psk::new(&[1]).unwrap())
            .is_err());
    }

    /// RFC 4279 §2: an N-byte key gives `N || 0^N || N || key`.
    #[test]
    fn premaster_layouts() {
        let key = Psk::new(&[0xaa, 0xbb, 0xcc]).unwrap();
        let mut out = [0u8; MAX_PREMASTER_LEN];
        let n = premaster(None, &key, &mut out).unwrap();
        assert_eq!(&out[..n], &[0, 3, 0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc][..]);
        // RFC 5489 §2: the ECDH secret in place of the zeros.
        let n = premaster(Some(&[9, 9]), &key, &mut out).unwrap();
        assert_eq!(&out[..n], &[0, 2, 9, 9, 0, 3, 0xaa, 0xbb, 0xcc][..]);
        // The longest: a 64-byte key, plain.
        let n = premaster(None, &Psk::new(&[1; 64]).unwrap(), &mut out).unwrap();
        assert_eq!(n, MAX_PREMASTER_LEN);
    }

    #[test]
    fn the_hint_picks_the_identity() {
        let id = |hint: Option<&[u8]>, name: &[u8]| PskIdentity {
            hint: hint.map(|h| IdentityBytes::new(h).unwrap()),
            identity: IdentityBytes::new(name).unwrap(),
            key: Psk::new(&[1]).unwrap(),
        };
        let ids = [
            id(Some(b"gw-2"), b"two"),
            id(None, b"any"),
            id(Some(b"gw-3"), b"three"),
        ];
        let pick = |hint: Option<&[u8]>| choose_identity(&ids, hint).map(|i| i.identity.to_vec());
        assert_eq!(pick(Some(b"gw-3")), Some(b"three".to_vec()));
        assert_eq!(pick(Some(b"gw-2")), Some(b"two".to_vec()));
        assert_eq!(pick(Some(b"other")), Some(b"any".to_vec()));
        assert_eq!(pick(None), Some(b"any".to_vec()));
        assert!(choose_identity(&ids[..1], None).is_none());
    }
}
