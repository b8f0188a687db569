//! Length-prefixed vectors (RFC 5246 §4.3) that decode without allocating.
//!
//! A [`List`] we send holds our items, usually borrowed from the
//! configuration. A [`List`] we receive holds the peer's bytes: `decode`
//! checks every item once, and reading decodes them again one by one. Items
//! are small (two-byte codes, or slices into the message), so decoding on the
//! fly costs a few instructions, while a `Vec` per list would cost an
//! allocation per list per handshake (a handshake is meant to cost at most
//! 16 allocations per side, `tests/allocations.rs`).

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::fmt;

use super::{Codec, Reader, Writer};
use crate::error::Error;

/// `T items<lo..hi>` with a length prefix of `len_bytes` (1, 2 or 3) bytes.
///
/// Not a `Cow`: `Cow<'a, [T]>` is invariant in `T`, which would tie the
/// lifetimes of extensions that borrow from a message.
#[derive(Clone)]
pub(crate) enum List<'a, T> {
    /// Items to encode (ours), usually borrowed from the configuration.
    Items(&'a [T]),
    /// Items built for one message (tests, or ALPN names from the config).
    #[cfg(feature = "alloc")]
    Owned(Vec<T>),
    /// A received vector's contents, without the length prefix. Every item
    /// in it decoded when the list was decoded.
    Wire(&'a [u8]),
}

impl<'a, T: Codec<'a> + Clone> List<'a, T> {
    /// A list borrowing `items`.
    pub(crate) const fn borrowed(items: &'a [T]) -> Self {
        Self::Items(items)
    }

    /// Reads a `len_bytes`-prefixed vector and checks that it is a sequence
    /// of well-formed `T`s.
    pub(crate) fn decode(
        r: &mut Reader<'a>,
        len_bytes: usize,
        what: &'static str,
    ) -> Result<Self, Error> {
        let body = match len_bytes {
            1 => r.vec_u8(what)?,
            2 => r.vec_u16(what)?,
            _ => r.vec_u24(what)?,
        };
        let mut items = Reader::new(body);
        while !items.is_empty() {
            T::decode(&mut items)?;
        }
        Ok(Self::Wire(body))
    }

    /// As [`Self::decode`], for a vector whose lower bound is one item.
    pub(crate) fn decode_nonempty(
        r: &mut Reader<'a>,
        len_bytes: usize,
        what: &'static str,
    ) -> Result<Self, Error> {
        let list = Self::decode(r, len_bytes, what)?;
        if list.is_empty() {
            return Err(Error::Decode(what));
        }
        Ok(list)
    }

    /// Writes the length prefix and every item. A received list is written
    /// item by item too, not copied, so that a decode/encode round trip
    /// checks the encoders.
    pub(crate) fn encode(&self, len_bytes: usize, out: &mut impl Writer) {
        out.with_len(len_bytes, |out| match self {
            // By reference: cloning an owned item could allocate.
            Self::Items(items) => items.iter().for_each(|item| item.encode(out)),
            #[cfg(feature = "alloc")]
            Self::Owned(items) => items.iter().for_each(|item| item.encode(out)),
            Self::Wire(_) => self.iter().for_each(|item| item.encode(out)),
        });
    }

    /// The items in order.
    pub(crate) fn iter(&self) -> Iter<'_, 'a, T> {
        match self {
            Self::Items(items) => Iter::Items(items.iter()),
            #[cfg(feature = "alloc")]
            Self::Owned(items) => Iter::Items(items.iter()),
            Self::Wire(bytes) => Iter::Wire(Reader::new(bytes)),
        }
    }

    /// How many items (counted by decoding, for a received list).
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Items(items) => items.len(),
            #[cfg(feature = "alloc")]
            Self::Owned(items) => items.len(),
            Self::Wire(_) => self.iter().count(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Self::Items(items) => items.is_empty(),
            #[cfg(feature = "alloc")]
            Self::Owned(items) => items.is_empty(),
            Self::Wire(bytes) => bytes.is_empty(),
        }
    }

    pub(crate) fn contains(&self, item: &T) -> bool
    where
        T: PartialEq,
    {
        self.iter().any(|x| x == *item)
    }
}

#[cfg(feature = "alloc")]
impl<T> From<Vec<T>> for List<'_, T> {
    fn from(items: Vec<T>) -> Self {
        Self::Owned(items)
    }
}

#[cfg(feature = "alloc")]
impl<T> FromIterator<T> for List<'_, T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Self::Owned(items.into_iter().collect())
    }
}

impl<T> Default for List<'_, T> {
    fn default() -> Self {
        Self::Items(&[])
    }
}

/// Iterator over a [`List`].
#[derive(Clone)]
pub(crate) enum Iter<'l, 'a, T> {
    Items(core::slice::Iter<'l, T>),
    Wire(Reader<'a>),
}

impl<'a, T: Codec<'a> + Clone> Iterator for Iter<'_, 'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match self {
            Self::Items(items) => items.next().cloned(),
            // Every item decoded when the list was decoded, so this cannot
            // fail; if it somehow did, the list ends there.
            Self::Wire(r) if r.is_empty() => None,
            Self::Wire(r) => T::decode(r).ok(),
        }
    }
}

impl<'a, T: Codec<'a> + Clone + PartialEq> PartialEq for List<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<'a, T: Codec<'a> + Clone + Eq> Eq for List<'a, T> {}

impl<'a, T: Codec<'a> + Clone + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Up to `N` items built on the stack for one message we send (the
/// extensions of a hello), lent to a [`List`] with [`Self::as_list`].
pub(crate) struct ListBuf<T, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Clone, const N: usize> ListBuf<T, N> {
    /// An empty buffer; `filler` only occupies the unused slots.
    pub(crate) fn new(filler: T) -> Self {
        Self {
            items: core::array::from_fn(|_| filler.clone()),
            len: 0,
        }
    }

    /// Appends `item`; more than `N` is our own bug, reported as such.
    pub(crate) fn push(&mut self, item: T) -> Result<(), Error> {
        let slot = self
            .items
            .get_mut(self.len)
            .ok_or(Error::Internal("ListBuf capacity"))?;
        *slot = item;
        self.len += 1;
        Ok(())
    }

    pub(crate) fn as_list(&self) -> List<'_, T> {
        List::Items(self.items.get(..self.len).unwrap_or_default())
    }
}

/// Fails with decode_error if two of `types` are equal: RFC 5246 §7.4.1.4
/// "There MUST NOT be more than one extension of the same type.", so such
/// an extension block does not decode (RFC 5246 §7.2.2), the alert
/// BoringSSL's and our peers' tests expect.
///
/// Hellos carry a dozen or so extensions, compared pairwise on the stack;
/// a hostile list longer than that is sorted on the heap, which keeps the
/// check O(n log n).
pub(crate) fn check_no_duplicates(types: impl Iterator<Item = u16> + Clone) -> Result<(), Error> {
    const INLINE: usize = 32;
    let duplicate = Error::Decode("extension block (a type repeated)");
    let mut seen = [0u16; INLINE];
    for (n, t) in types.clone().enumerate() {
        let (earlier, rest) = seen.split_at_mut(n.min(INLINE));
        let Some(slot) = rest.first_mut() else {
            #[cfg(feature = "alloc")]
            {
                let mut all: Vec<u16> = types.collect();
                all.sort_unstable();
                if all.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
                    return Err(duplicate);
                }
                return Ok(());
            }
            // Without a heap, pairwise: quadratic in the count, which the
            // message's cap bounds (4 bytes an extension; a device's cap
            // is a few KiB).
            #[cfg(not(feature = "alloc"))]
            {
                for (i, t) in types.clone().enumerate() {
                    if types.clone().take(i).any(|u| u == t) {
                        return Err(duplicate);
                    }
                }
                return Ok(());
            }
        };
        if earlier.contains(&t) {
            return Err(duplicate);
        }
        *slot = t;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::NamedGroup;

    #[test]
    fn decoded_list_reads_like_the_sent_one() {
        let sent = List::borrowed(&[NamedGroup::X25519, NamedGroup::Secp256r1]);
        let mut bytes = Vec::new();
        sent.encode(2, &mut bytes);
        assert_eq!(bytes, [0, 4, 0, 29, 0, 23]);
        let mut r = Reader::new(&bytes);
        let got = List::<NamedGroup>::decode(&mut r, 2, "groups").unwrap();
        assert!(matches!(got, List::Wire(_)));
        assert_eq!(got, sent);
        assert!(got.contains(&NamedGroup::Secp256r1));
        assert!(!got.contains(&NamedGroup::Secp384r1));
    }

    #[test]
    fn malformed_items_fail_at_decode() {
        // Three bytes cannot hold two-byte items.
        let mut r = Reader::new(&[0, 3, 0, 29, 0]);
        assert_eq!(
            List::<NamedGroup>::decode(&mut r, 2, "groups").unwrap_err(),
            Error::Decode("named group")
        );
        let mut r = Reader::new(&[0, 0]);
        assert!(List::<NamedGroup>::decode_nonempty(&mut r, 2, "groups").is_err());
    }

    #[test]
    fn duplicates_are_found_inline_and_beyond() {
        assert!(check_no_duplicates([1u16, 2, 3].into_iter()).is_ok());
        assert!(check_no_duplicates([1u16, 2, 1].into_iter()).is_err());
        let many: Vec<u16> = (0..1000).collect();
        assert!(check_no_duplicates(many.iter().copied()).is_ok());
        let mut dup = many.clone();
        dup.push(999);
        assert!(check_no_duplicates(dup.iter().copied()).is_err());
        // A duplicate among the first 32 and one found only by sorting.
        dup.insert(5, 5);
        assert!(check_no_duplicates(dup.iter().copied()).is_err());
    }
}
