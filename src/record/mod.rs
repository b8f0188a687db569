//! The record layer (RFC 5246 §6).
//!
//! This module frames records ([`RecordHeader`], [`write_plain`]); `cipher`
//! protects them with an AEAD (RFC 5246 §6.2.3.3), with ring's or, for
//! AES-CCM, `ccm`'s (the `aes-ccm` feature), and `joiner` reassembles
//! handshake messages that records fragment or coalesce (RFC 5246 §6.2.1).

use crate::codec::enums::{ContentType, ProtocolVersion};
use crate::error::Error;

#[cfg(feature = "aes-ccm")]
mod ccm;
pub(crate) mod cipher;
pub(crate) mod joiner;
pub(crate) mod layer;
pub(crate) mod queue;
pub(crate) mod store;

/// type(1) || version(2) || length(2) (RFC 5246 §6.2.1).
pub(crate) const HEADER_LEN: usize = 5;

/// "The length (in bytes) of the following TLSPlaintext.fragment. The length
/// MUST NOT exceed 2^14." (RFC 5246 §6.2.1)
pub(crate) const MAX_PLAINTEXT: usize = 1 << 14;

/// [`MAX_PLAINTEXT`] as the 16-bit value the negotiated limits are kept in.
pub(crate) const MAX_PLAINTEXT_U16: u16 = 1 << 14;

/// "The length MUST NOT exceed 2^14 + 2048." (RFC 5246 §6.2.3)
pub(crate) const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + 2048;

/// A decoded record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    pub typ: ContentType,
    pub version: ProtocolVersion,
    pub len: usize,
}

impl RecordHeader {
    /// Decodes the header at the start of `buf`.
    ///
    /// `Ok(None)` means fewer than [`HEADER_LEN`] bytes are available yet. A
    /// zero-length record is accepted here; whether it is legal depends on the
    /// content type (RFC 5246 §6.2.1), which the caller decides.
    pub(crate) fn parse(buf: &[u8]) -> Result<Option<RecordHeader>, Error> {
        let Some(&[typ, major, minor, len_hi, len_lo]) = buf.get(..HEADER_LEN) else {
            return Ok(None);
        };
        // RFC 5246 §6: "If a TLS implementation receives an unexpected record
        // type, it MUST send an unexpected_message alert." Only the four
        // RFC 5246 types are understood (heartbeat, RFC 6520, is refused).
        let typ = match ContentType::from_wire(typ) {
            t @ (ContentType::ChangeCipherSpec
            | ContentType::Alert
            | ContentType::Handshake
            | ContentType::ApplicationData) => t,
            _ => {
                return Err(Error::UnexpectedMessage {
                    got: "record of unknown content type",
                    expected: "a TLS record",
                })
            }
        };
        // Every SSL 3 / TLS 1.x record carries major version 3 (RFC 5246
        // Appendix E.1); the exact minor version is checked by the handshake
        // once it is known, since an initial ClientHello record may carry
        // {3, 0} or {3, 1}.
        if major != 3 {
            return Err(Error::Decode("record version"));
        }
        let version = ProtocolVersion::from_wire(u16::from_be_bytes([major, minor]));
        let len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
        // RFC 5246 §6.2.3 caps every record at 2^14 + 2048 bytes and §7.2.2
        // requires record_overflow beyond that. Checking here, before the
        // body arrives, bounds what a peer can make us buffer.
        if len > MAX_CIPHERTEXT {
            return Err(Error::RecordOverflow {
                len,
                limit: MAX_CIPHERTEXT,
            });
        }
        Ok(Some(RecordHeader { typ, version, len }))
    }

    /// Encodes a header. `len` must fit in 16 bits; our own callers never
    /// exceed [`MAX_CIPHERTEXT`], and a larger value saturates rather than
    /// wrapping into a short (and so misframed) length.
    pub(crate) fn encode(typ: ContentType, version: ProtocolVersion, len: usize) -> [u8; 5] {
        let [v0, v1] = version.to_wire().to_be_bytes();
        let [l0, l1] = u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes();
        [typ.to_wire(), v0, v1, l0, l1]
    }
}

/// Appends `data` to `out` as unprotected records of at most `max_fragment`
/// bytes each (the null cipher in force before the first ChangeCipherSpec,
/// RFC 5246 §6.1, §6.2.1).
///
/// `max_fragment` is clamped to `1..=MAX_PLAINTEXT`: RFC 5246 §6.2.1 forbids
/// larger fragments. Empty `data` writes nothing: zero-length handshake and
/// alert records are forbidden (RFC 5246 §6.2.1), and a caller wanting a
/// zero-length application_data record must ask for it explicitly.
pub(crate) fn write_plain<O: store::Sink>(
    typ: ContentType,
    version: ProtocolVersion,
    data: &[u8],
    max_fragment: usize,
    out: &mut O,
) -> Result<(), Error> {
    let max_fragment = max_fragment.clamp(1, MAX_PLAINTEXT);
    let records = data.len().div_ceil(max_fragment);
    out.plan(data.len() + records * HEADER_LEN);
    for chunk in data.chunks(max_fragment) {
        out.put(&RecordHeader::encode(typ, version, chunk.len()))?;
        out.put(chunk)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn header_needs_five_bytes() {
        assert_eq!(RecordHeader::parse(&[]), Ok(None));
        assert_eq!(RecordHeader::parse(&[22, 3, 3, 0]), Ok(None));
    }

    #[test]
    fn header_round_trips() {
        let enc = RecordHeader::encode(ContentType::Handshake, ProtocolVersion::Tls12, 0x1234);
        assert_eq!(enc, [22, 3, 3, 0x12, 0x34]);
        let mut buf = enc.to_vec();
        buf.extend_from_slice(b"trailing bytes are not the header's business");
        assert_eq!(
            RecordHeader::parse(&buf),
            Ok(Some(RecordHeader {
                typ: ContentType::Handshake,
                version: ProtocolVersion::Tls12,
                len: 0x1234
            }))
        );
    }

    #[test]
    fn header_accepts_all_four_types_and_any_minor_version() {
        for t in 20..=23u8 {
            let h = RecordHeader::parse(&[t, 3, 1, 0, 0]).unwrap().unwrap();
            assert_eq!(h.typ.to_wire(), t);
            assert_eq!(h.version, ProtocolVersion::Tls10);
            assert_eq!(h.len, 0);
        }
    }

    #[test]
    fn header_rejects_unknown_type() {
        for t in [0u8, 19, 24, 25, 0x80, 0xff] {
            assert_eq!(
                RecordHeader::parse(&[t, 3, 3, 0, 1]),
                Err(Error::UnexpectedMessage {
                    got: "record of unknown content type",
                    expected: "a TLS record",
                })
            );
        }
    }

    #[test]
    fn header_rejects_bad_major_version() {
        for major in [0u8, 2, 4, 0x16, 0xff] {
            assert_eq!(
                RecordHeader::parse(&[22, major, 3, 0, 1]),
                Err(Error::Decode("record version"))
            );
        }
    }

    #[test]
    fn header_length_limit() {
        let at = MAX_CIPHERTEXT.to_be_bytes();
        let at = [22, 3, 3, at[at.len() - 2], at[at.len() - 1]];
        assert_eq!(
            RecordHeader::parse(&at).unwrap().unwrap().len,
            MAX_CIPHERTEXT
        );
        let over = (MAX_CIPHERTEXT + 1).to_be_bytes();
        let over = [23, 3, 3, over[over.len() - 2], over[over.len() - 1]];
        assert_eq!(
            RecordHeader::parse(&over),
            Err(Error::RecordOverflow {
                len: MAX_CIPHERTEXT + 1,
                limit: MAX_CIPHERTEXT
            })
        );
        assert!(RecordHeader::parse(&[23, 3, 3, 0xff, 0xff]).is_err());
    }

    fn split_records(mut buf: &[u8]) -> Vec<(RecordHeader, &[u8])> {
        let mut out = Vec::new();
        while !buf.is_empty() {
            let h = RecordHeader::parse(buf).unwrap().unwrap();
            out.push((h, &buf[HEADER_LEN..HEADER_LEN + h.len]));
            buf = &buf[HEADER_LEN + h.len..];
        }
        out
    }

    #[test]
    fn write_plain_fragments() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut out = vec![0xaa];
        write_plain(
            ContentType::Handshake,
            ProtocolVersion::Tls12,
            &data,
            300,
            &mut out,
        )
        .unwrap();
        assert_eq!(out[0], 0xaa, "appends, does not overwrite");
        let recs = split_records(&out[1..]);
        assert_eq!(
            recs.iter().map(|(h, _)| h.len).collect::<Vec<_>>(),
            [300, 300, 300, 100]
        );
        assert!(recs
            .iter()
            .all(|(h, _)| h.typ == ContentType::Handshake && h.version == ProtocolVersion::Tls12));
        let joined: Vec<u8> = recs.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        assert_eq!(joined, data);
    }

    #[test]
    fn write_plain_edge_cases() {
        let mut out = Vec::new();
        write_plain(
            ContentType::Alert,
            ProtocolVersion::Tls12,
            &[],
            100,
            &mut out,
        )
        .unwrap();
        assert!(out.is_empty());

        // Oversized max_fragment is clamped to 2^14; zero is clamped to 1.
        let big = vec![7u8; MAX_PLAINTEXT + 1];
        write_plain(
            ContentType::ApplicationData,
            ProtocolVersion::Tls12,
            &big,
            usize::MAX,
            &mut out,
        )
        .unwrap();
        let lens: Vec<usize> = split_records(&out).iter().map(|(h, _)| h.len).collect();
        assert_eq!(lens, [MAX_PLAINTEXT, 1]);

        out.clear();
        write_plain(
            ContentType::ApplicationData,
            ProtocolVersion::Tls12,
            &[1, 2],
            0,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [23, 3, 3, 0, 1, 1, 23, 3, 3, 0, 1, 2]);
    }
}
