//! The typed message codec: a bounds-checked reader, length-prefixed writers,
//! the IANA registries as enums, and every handshake message and extension as
//! a type with `decode` and `encode`.
//!
//! Decoding never panics: every read is bounds-checked and every failure is an
//! [`Error`] that carries the RFC 5246 alert to send.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use crate::error::Error;

pub(crate) mod alert;
pub(crate) mod enums;
pub(crate) mod extensions;
pub(crate) mod handshake;
pub(crate) mod list;
#[cfg(test)]
mod proptests;
pub(crate) mod registry;

/// A cursor over peer-controlled bytes. Every accessor is bounds-checked.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(crate) fn left(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.left() == 0
    }

    /// Takes exactly `n` bytes, or fails with decode_error naming `what`.
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        // The error is built only on failure: `Error` has drop glue, so an
        // eager `ok_or(Error::..)` costs a construction and a drop on every
        // successful read, hundreds per handshake.
        let Some((end, out)) = self
            .pos
            .checked_add(n)
            .and_then(|end| Some((end, self.buf.get(self.pos..end)?)))
        else {
            return Err(Error::Decode(what));
        };
        self.pos = end;
        Ok(out)
    }

    /// Takes exactly `N` bytes as an array.
    pub(crate) fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Error> {
        match self.take(N, what)?.try_into() {
            Ok(array) => Ok(array),
            Err(_) => Err(Error::Decode(what)),
        }
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        let [b] = self.array(what)?;
        Ok(b)
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u24(&mut self, what: &'static str) -> Result<u32, Error> {
        let [a, b, c] = self.array(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// A vector with a one-byte length prefix (`opaque x<0..2^8-1>`).
    pub(crate) fn vec_u8(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let n = self.u8(what)? as usize;
        self.take(n, what)
    }

    /// A vector with a two-byte length prefix (`opaque x<0..2^16-1>`).
    pub(crate) fn vec_u16(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let n = self.u16(what)? as usize;
        self.take(n, what)
    }

    /// A vector with a three-byte length prefix (`opaque x<0..2^24-1>`).
    pub(crate) fn vec_u24(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let n = self.u24(what)? as usize;
        self.take(n, what)
    }

    /// Sub-reader over a three-byte-length-prefixed vector.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // chains are read in place
    pub(crate) fn sub_u24(&mut self, what: &'static str) -> Result<Reader<'a>, Error> {
        self.vec_u24(what).map(Reader::new)
    }

    /// Fails with decode_error if any bytes remain: RFC 5246 §7.4 messages
    /// have an exact length, and trailing bytes mean a malformed message.
    pub(crate) fn expect_empty(&self, what: &'static str) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Decode(what))
        }
    }
}

/// Where encoders write: a `Vec<u8>`, or a buffer of fixed size
/// (`record::store::Store` on an area the caller lent), which drops what
/// does not fit and remembers that it did, to be checked once the message
/// is written.
pub(crate) trait Writer {
    fn put_u8(&mut self, v: u8) {
        self.put(&[v]);
    }
    fn put_u16(&mut self, v: u16) {
        self.put(&v.to_be_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.put(&v.to_be_bytes());
    }
    fn put(&mut self, bytes: &[u8]);
    /// How many bytes have been written (those that fit).
    fn written(&self) -> usize;
    /// Overwrites bytes already written at `at` (a length prefix).
    fn patch(&mut self, at: usize, bytes: &[u8]);
    /// Writes a length-prefixed block: `len_bytes` (1, 2 or 3) of big-endian
    /// length, then whatever `f` writes. The length is patched in afterwards.
    fn with_len(&mut self, len_bytes: usize, f: impl FnOnce(&mut Self))
    where
        Self: Sized,
    {
        let at = self.written();
        self.put([0; 3].get(..len_bytes).unwrap_or(&[0; 3]));
        f(self);
        // Our own encoder only: lengths come from our configuration and from
        // values we validated on decode; config validation keeps them within
        // the prefix width. Saturate rather than wrap if that is ever violated.
        let n = self.written().saturating_sub(at + len_bytes);
        let max = (1usize << (8 * len_bytes)) - 1;
        let n = n.min(max) as u32;
        let be = n.to_be_bytes();
        if let Some(src) = be.get(4usize.saturating_sub(len_bytes)..) {
            self.patch(at, src);
        }
    }
}

#[cfg(feature = "alloc")]
impl Writer for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn written(&self) -> usize {
        self.len()
    }
    fn patch(&mut self, at: usize, bytes: &[u8]) {
        if let Some(dst) = self.get_mut(at..at.saturating_add(bytes.len())) {
            dst.copy_from_slice(bytes);
        }
    }
}

/// A wire type with an exact encoding.
pub(crate) trait Codec<'a>: Sized {
    fn encode(&self, out: &mut impl Writer);
    fn decode(r: &mut Reader<'a>) -> Result<Self, Error>;

    /// Decodes a value that must occupy all of `bytes`.
    fn decode_exact(bytes: &'a [u8], what: &'static str) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let v = Self::decode(&mut r)?;
        r.expect_empty(what)?;
        Ok(v)
    }

    #[cfg(test)]
    fn encoded(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_is_bounds_checked() {
        let mut r = Reader::new(&[1, 0, 2, 9]);
        assert_eq!(r.u8("a").unwrap(), 1);
        assert_eq!(r.u16("b").unwrap(), 2);
        assert!(r.u16("c").is_err());
        // A failed read consumes nothing.
        assert_eq!(r.u8("d").unwrap(), 9);
        assert!(r.u8("e").is_err());
        assert!(r.take(usize::MAX, "f").is_err());
    }

    #[test]
    fn length_prefixes_round_trip() {
        let mut v = Vec::new();
        v.with_len(3, |v| v.with_len(2, |v| v.put(&[7; 300])));
        let mut r = Reader::new(&v);
        let mut inner = r.sub_u24("outer").unwrap();
        assert_eq!(inner.vec_u16("inner").unwrap(), &[7; 300][..]);
        assert!(inner.is_empty() && r.is_empty());
    }

    #[test]
    fn truncated_vector_is_decode_error() {
        let mut r = Reader::new(&[0, 5, 1, 2]);
        assert_eq!(r.vec_u16("x"), Err(Error::Decode("x")));
    }
}
