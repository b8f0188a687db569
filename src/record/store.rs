//! The storage behind the connection's record buffers (input, plaintext,
//! output): a growable heap vector, or an area of fixed size the caller
//! lent ([`crate::Areas`]), which never grows: appending past its end is an
//! error rather than an allocation.

#![cfg_attr(not(feature = "alloc"), allow(irrefutable_let_patterns))]

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use zeroize::Zeroize;

use crate::codec::Writer;
use crate::error::Error;

/// Bytes appended at the back, on the heap or in a lent area.
pub(crate) enum Store {
    #[cfg(feature = "alloc")]
    Heap(Vec<u8>),
    /// `dropped`: a [`Writer`] write did not fit (see [`Store::written_whole`]).
    Lent {
        area: &'static mut [u8],
        len: usize,
        dropped: bool,
    },
}

/// Sizes only: a store holds records and plaintext.
impl core::fmt::Debug for Store {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("lent", &self.is_lent())
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}

/// An empty heap store; without `alloc`, an empty lent area, which holds
/// nothing (every write to it fails).
impl Default for Store {
    fn default() -> Self {
        #[cfg(feature = "alloc")]
        return Self::Heap(Vec::new());
        #[cfg(not(feature = "alloc"))]
        Self::Lent {
            area: &mut [],
            len: 0,
            dropped: false,
        }
    }
}

impl Drop for Store {
    /// A lent area goes back to the caller's memory, which outlives us: it
    /// held records and plaintext, so it is cleared rather than left as is.
    fn drop(&mut self) {
        if let Self::Lent { area, .. } = self {
            area.zeroize();
        }
    }
}

/// Where records and plaintext are appended: a [`Store`], or a plain vector
/// (tests, the fuzzing harness).
pub(crate) trait Sink {
    /// Bytes held.
    fn filled(&self) -> usize;
    /// Appends `bytes`; fails, appending nothing, if a lent area lacks room.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// Appends `n` zero bytes, as [`put`](Self::put).
    fn put_zeros(&mut self, n: usize) -> Result<(), Error>;
    /// Drops everything from `len` on.
    fn cut(&mut self, len: usize);
    /// The bytes held, to write in place.
    fn held_mut(&mut self) -> &mut [u8];
    /// Makes room for `n` more bytes in one step where growing is possible.
    fn plan(&mut self, n: usize);
}

#[cfg(feature = "alloc")]
impl Sink for Vec<u8> {
    fn filled(&self) -> usize {
        self.len()
    }
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.extend_from_slice(bytes);
        Ok(())
    }
    fn put_zeros(&mut self, n: usize) -> Result<(), Error> {
        self.resize(self.len().saturating_add(n), 0);
        Ok(())
    }
    fn cut(&mut self, len: usize) {
        self.truncate(len);
    }
    fn held_mut(&mut self) -> &mut [u8] {
        self
    }
    fn plan(&mut self, n: usize) {
        self.reserve(n);
    }
}

impl Store {
    /// An empty store on `area`, which the caller lent.
    pub(crate) fn lent(area: &'static mut [u8]) -> Self {
        Self::Lent {
            area,
            len: 0,
            dropped: false,
        }
    }

    pub(crate) fn is_lent(&self) -> bool {
        matches!(self, Self::Lent { .. })
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => v,
            Self::Lent { area, len, .. } => area.get(..*len).unwrap_or_default(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => v.len(),
            Self::Lent { len, .. } => *len,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many bytes fit without growing: a lent area's size, or the
    /// vector's allocation.
    pub(crate) fn capacity(&self) -> usize {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => v.capacity(),
            Self::Lent { area, .. } => area.len(),
        }
    }

    /// How many bytes may ever be held: unbounded on the heap.
    pub(crate) fn limit(&self) -> usize {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(_) => usize::MAX,
            Self::Lent { area, .. } => area.len(),
        }
    }

    pub(crate) fn clear(&mut self) {
        self.cut(0);
        if let Self::Lent { dropped, .. } = self {
            *dropped = false;
        }
    }

    /// Whether everything written through [`Writer`] since the last
    /// [`clear`](Self::clear) fitted: a lent area drops what does not, and
    /// the message it was writing is then refused with `what` named.
    pub(crate) fn written_whole(&self, what: &'static str) -> Result<(), Error> {
        match self {
            Self::Lent {
                area,
                dropped: true,
                ..
            } => Err(Error::LimitExceeded {
                what,
                limit: area.len(),
            }),
            _ => Ok(()),
        }
    }

    /// Drops the first `n` bytes, moving the rest to the front.
    pub(crate) fn drain_front(&mut self, n: usize) {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => {
                v.drain(..n.min(v.len()));
            }
            Self::Lent { area, len, .. } => {
                let n = n.min(*len);
                area.copy_within(n..*len, 0);
                *len -= n;
            }
        }
    }

    /// Makes the allocation hold at least `n` bytes in all, exactly (heap
    /// only: a lent area has the size it has).
    #[cfg_attr(not(feature = "alloc"), allow(unused_variables))]
    pub(crate) fn reserve_exact(&mut self, n: usize) {
        #[cfg(feature = "alloc")]
        if let Self::Heap(v) = self {
            v.reserve_exact(n.saturating_sub(v.len()));
        }
    }

    /// Empty and, on the heap, without an allocation; a lent area is kept.
    pub(crate) fn release(&mut self) {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => *v = Vec::new(),
            Self::Lent { .. } => self.clear(),
        }
    }

    /// A lent area as it is, for a value that moves on with its bytes
    /// (`info::HostName`), leaving an empty heap store; `None` on the heap.
    pub(crate) fn take_as_is(&mut self) -> Option<&'static mut [u8]> {
        let Self::Lent { area, .. } = self else {
            return None;
        };
        let area = core::mem::take(area);
        *self = Self::default();
        Some(area)
    }

    /// The heap vector, leaving an empty one (empty for a lent area).
    #[cfg(feature = "alloc")]
    pub(crate) fn take_heap(&mut self) -> Vec<u8> {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => core::mem::take(v),
            Self::Lent { .. } => Vec::new(),
        }
    }

    /// Gives a lent area back, cleared, leaving an empty heap store.
    pub(crate) fn take_area(&mut self) -> Option<&'static mut [u8]> {
        let Self::Lent { area, .. } = self else {
            return None;
        };
        let area = core::mem::take(area);
        area.zeroize();
        *self = Self::default();
        Some(area)
    }

    /// Makes the next `n` bytes part of what is held, to be written in
    /// place: a lent area's bytes as they are (they are the caller's, and
    /// hold nothing but earlier output), zeros on the heap. Fails, changing
    /// nothing, if a lent area lacks room.
    pub(crate) fn extend_for_writing(&mut self, n: usize) -> Result<(), Error> {
        let full = self.full();
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => {
                v.resize(v.len().saturating_add(n), 0);
                Ok(())
            }
            Self::Lent { area, len, .. } => {
                let end = len.saturating_add(n);
                if end > area.len() {
                    return Err(full);
                }
                *len = end;
                Ok(())
            }
        }
    }

    fn full(&self) -> Error {
        match self {
            Self::Lent { area, .. } => Error::LimitExceeded {
                what: "lent area",
                limit: area.len(),
            },
            #[cfg(feature = "alloc")]
            Self::Heap(_) => Error::Internal("heap store full"),
        }
    }
}

impl Sink for Store {
    fn filled(&self) -> usize {
        self.len()
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let full = self.full();
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => {
                v.extend_from_slice(bytes);
                Ok(())
            }
            Self::Lent { area, len, .. } => {
                let end = len.saturating_add(bytes.len());
                let dst = area.get_mut(*len..end).ok_or(full)?;
                dst.copy_from_slice(bytes);
                *len = end;
                Ok(())
            }
        }
    }

    fn put_zeros(&mut self, n: usize) -> Result<(), Error> {
        let full = self.full();
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => {
                v.resize(v.len().saturating_add(n), 0);
                Ok(())
            }
            Self::Lent { area, len, .. } => {
                let end = len.saturating_add(n);
                area.get_mut(*len..end).ok_or(full)?.fill(0);
                *len = end;
                Ok(())
            }
        }
    }

    fn cut(&mut self, new_len: usize) {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => v.truncate(new_len),
            Self::Lent { len, .. } => *len = new_len.min(*len),
        }
    }

    fn held_mut(&mut self) -> &mut [u8] {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => v,
            Self::Lent { area, len, .. } => area.get_mut(..*len).unwrap_or_default(),
        }
    }

    #[cfg_attr(not(feature = "alloc"), allow(unused_variables))]
    fn plan(&mut self, n: usize) {
        #[cfg(feature = "alloc")]
        if let Self::Heap(v) = self {
            v.reserve(n);
        }
    }
}

/// Encoding into a store: the heap grows; a lent area that lacks room
/// keeps what it has and marks the write as dropped (`written_whole`), so
/// encoders stay infallible and the message is refused once written.
impl Writer for Store {
    fn put(&mut self, bytes: &[u8]) {
        if matches!(self, Self::Lent { dropped: true, .. }) {
            return;
        }
        if Sink::put(self, bytes).is_err() {
            if let Self::Lent { dropped, .. } = self {
                *dropped = true;
            }
        }
    }
    fn written(&self) -> usize {
        self.len()
    }
    fn patch(&mut self, at: usize, bytes: &[u8]) {
        if let Some(dst) = self.held_mut().get_mut(at..at.saturating_add(bytes.len())) {
            dst.copy_from_slice(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::vec;

    fn area(n: usize) -> &'static mut [u8] {
        Box::leak(vec![0xAA; n].into_boxed_slice())
    }

    /// A lent area takes what fits and refuses, whole, what does not.
    #[test]
    fn a_lent_area_never_grows() {
        let mut s = Store::lent(area(8));
        Sink::put(&mut s, b"abcde").unwrap();
        assert_eq!(
            Sink::put(&mut s, b"wxyz"),
            Err(Error::LimitExceeded {
                what: "lent area",
                limit: 8
            })
        );
        assert_eq!(s.as_slice(), b"abcde");
        s.put_zeros(3).unwrap();
        assert_eq!(s.as_slice(), b"abcde\0\0\0");
        assert!(s.put_zeros(1).is_err());
        s.drain_front(2);
        assert_eq!(s.as_slice(), b"cde\0\0\0");
        s.release();
        assert!(s.is_empty() && s.is_lent() && s.capacity() == 8);
    }

    /// Encoding into a lent area: what does not fit is dropped, and so is
    /// everything after it, until `clear`; `written_whole` says so.
    #[test]
    fn encoding_past_a_lent_area_is_reported() {
        let mut s = Store::lent(area(6));
        s.with_len(2, |s| Writer::put(s, b"abc"));
        assert_eq!(s.as_slice(), b"\0\x03abc");
        assert_eq!(s.written_whole("area"), Ok(()));
        Writer::put(&mut s, b"de");
        Writer::put(&mut s, b"f");
        assert_eq!(s.as_slice(), b"\0\x03abc");
        assert_eq!(
            s.written_whole("area"),
            Err(Error::LimitExceeded {
                what: "area",
                limit: 6
            })
        );
        s.clear();
        assert_eq!(s.written_whole("area"), Ok(()));
        // The heap only grows.
        let mut h = Store::default();
        Writer::put(&mut h, &[7; 100]);
        assert_eq!((h.len(), h.written_whole("heap")), (100, Ok(())));
    }

    /// Debug shows sizes, never contents.
    #[test]
    fn debug_shows_no_bytes() {
        let mut s = Store::lent(area(4));
        Sink::put(&mut s, b"key!").unwrap();
        let shown = alloc::format!("{s:?}");
        assert!(
            shown.contains("len: 4") && !shown.contains("107"),
            "{shown}"
        );
    }

    /// The area goes back cleared: it held records and plaintext.
    #[test]
    fn a_lent_area_returns_cleared() {
        let mut s = Store::lent(area(4));
        Sink::put(&mut s, b"key!").unwrap();
        let back = s.take_area().unwrap();
        assert_eq!(back, &[0u8; 4]);
        assert!(!s.is_lent());
        assert!(Store::default().take_area().is_none());
    }
}
