//! Handshake message reassembly (RFC 5246 §6.2.1).
//!
//! "Client message boundaries are not preserved in the record layer (i.e.,
//! multiple client messages of the same ContentType MAY be coalesced into a
//! single TLSPlaintext record, or a single message MAY be fragmented across
//! several records)." This buffer turns handshake record fragments back into
//! whole messages: `msg_type(1) || length(3) || body` (RFC 5246 §7.4).

use super::store::{Sink, Store};
use crate::codec::enums::HandshakeType;
use crate::error::Error;

/// msg_type(1) || uint24 length (RFC 5246 §7.4).
const MSG_HEADER_LEN: usize = 4;

/// First capacity of the reassembly buffer.
const JOINER_INITIAL: usize = 2048;

/// Reassembles handshake messages from record fragments.
///
/// Use: `push` one record's fragment, then call `next`/`consume` until
/// `next` returns `Ok(None)`, then push the next record.
#[derive(Debug)]
pub(crate) struct HandshakeJoiner {
    /// `buf[start..]` holds the bytes not yet consumed.
    buf: Store,
    start: usize,
    max_message_len: usize,
    /// The cap for a ClientHello, which may be larger: its grammar allows
    /// [`CLIENT_HELLO_MAX_LEN`] bytes and a server must accept all of them.
    max_client_hello_len: usize,
}

/// The largest ClientHello body its grammar allows (RFC 5246 §7.4.1.2):
/// `client_version`, `random`, `session_id<0..32>`,
/// `cipher_suites<2..2^16-2>`, `compression_methods<1..2^8-1>` and
/// `extensions<0..2^16-1>`, each with its length prefix.
pub(crate) const CLIENT_HELLO_MAX_LEN: usize =
    2 + 32 + (1 + 32) + (2 + 0xfffe) + (1 + 0xff) + (2 + 0xffff);

/// What the header at the front of `bytes` says, if all four bytes are there.
fn peek_header(bytes: &[u8]) -> Option<(u8, usize)> {
    match bytes.get(..MSG_HEADER_LEN)? {
        &[typ, a, b, c] => Some((
            typ,
            usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c),
        )),
        _ => None,
    }
}

impl HandshakeJoiner {
    /// A joiner that refuses any message whose body exceeds
    /// `max_message_len` bytes.
    pub(crate) fn new(max_message_len: usize) -> Self {
        Self {
            buf: Store::default(),
            start: 0,
            max_message_len,
            max_client_hello_len: max_message_len,
        }
    }

    /// Lets a ClientHello have up to `len` bytes (a server's joiner).
    pub(crate) fn with_client_hello_cap(mut self, len: usize) -> Self {
        self.max_client_hello_len = len;
        self
    }

    /// Checks a declared length against the cap for its type.
    fn check_len(&self, typ: u8, len: usize) -> Result<(), Error> {
        let limit = if typ == HandshakeType::ClientHello.to_wire() {
            self.max_client_hello_len
        } else {
            self.max_message_len
        };
        if len > limit {
            return Err(Error::LimitExceeded {
                what: "handshake message size",
                limit,
            });
        }
        Ok(())
    }

    fn pending(&self) -> &[u8] {
        self.buf.as_slice().get(self.start..).unwrap_or_default()
    }

    /// Appends the fragment of one handshake record.
    ///
    /// Fails on a zero-length fragment (RFC 5246 §6.2.1: "Implementations
    /// MUST NOT send zero-length fragments of Handshake ... content types")
    /// and, as soon as its header is in, on a message whose declared length
    /// exceeds the cap, so a peer cannot make us buffer more than
    /// `max_message_len + 4` bytes of one message.
    ///
    /// Every complete message from the previous push must have been consumed
    /// first (an internal error otherwise): this keeps the buffer at one
    /// incomplete message plus the complete ones of a single record.
    pub(crate) fn push(&mut self, fragment: &[u8]) -> Result<(), Error> {
        if fragment.is_empty() {
            return Err(Error::Decode("empty handshake record"));
        }
        if let Some((typ, len)) = peek_header(self.pending()) {
            self.check_len(typ, len)?;
            if self.pending().len() >= MSG_HEADER_LEN + len {
                return Err(Error::Internal(
                    "handshake record pushed before earlier messages were consumed",
                ));
            }
        }
        self.compact(fragment.len());
        if self.buf.capacity() == 0 {
            // One allocation instead of regrowing from empty: sized for the
            // message this fragment begins when its header says how long it
            // is (a chain split over 512-byte records, RFC 6066 §4, needs
            // its own length and no more), up to 2 KiB, which most handshake
            // messages fit in; a longer one grows the buffer as it arrives.
            let message = peek_header(fragment).map_or(JOINER_INITIAL, |(_, len)| {
                MSG_HEADER_LEN.saturating_add(len)
            });
            self.buf
                .plan(fragment.len().max(message.min(JOINER_INITIAL)));
        }
        // A lent area holds the longest message the caps allow when sized
        // by `AreaSizes`; a smaller one refuses what does not fit.
        self.buf.put(fragment).map_err(|_| Error::LimitExceeded {
            what: "handshake_in area",
            limit: self.buf.limit(),
        })?;

        // Check the declared length of every message whose header is now
        // complete: complete messages and the (at most one) trailing
        // incomplete one.
        let mut rest = self.pending();
        while let Some((typ, len)) = peek_header(rest) {
            self.check_len(typ, len)?;
            match rest.get(MSG_HEADER_LEN + len..) {
                Some(after) => rest = after,
                None => break,
            }
        }
        Ok(())
    }

    /// The first complete message: its type, its body, and the whole encoded
    /// message (header included, for the transcript hash, RFC 5246 §7.4.9).
    /// `Ok(None)` if more fragments are needed.
    #[allow(clippy::type_complexity)] // the signature the connection code expects
    pub(crate) fn next(&self) -> Result<Option<(HandshakeType, &[u8], &[u8])>, Error> {
        let pending = self.pending();
        let Some((typ, len)) = peek_header(pending) else {
            return Ok(None);
        };
        self.check_len(typ, len)?;
        let Some(raw) = pending.get(..MSG_HEADER_LEN + len) else {
            return Ok(None);
        };
        let body = raw.get(MSG_HEADER_LEN..).unwrap_or_default();
        Ok(Some((HandshakeType::from_wire(typ), body, raw)))
    }

    /// Splits the first message off `bytes` if all of it is there:
    /// `(type, body, raw, rest)`. While nothing is buffered, a record's
    /// whole messages are handled where they lie and only a trailing partial
    /// one is pushed (RFC 5246 §6.2.1 lets a record hold several messages,
    /// and most records hold whole ones). The size cap applies as in
    /// [`Self::push`].
    #[allow(clippy::type_complexity)] // four views of one slice
    pub(crate) fn split_whole<'b>(
        &self,
        bytes: &'b [u8],
    ) -> Result<Option<(HandshakeType, &'b [u8], &'b [u8], &'b [u8])>, Error> {
        let Some((typ, len)) = peek_header(bytes) else {
            return Ok(None);
        };
        self.check_len(typ, len)?;
        let total = MSG_HEADER_LEN + len;
        match (bytes.get(..total), bytes.get(total..)) {
            (Some(raw), Some(rest)) => {
                let body = raw.get(MSG_HEADER_LEN..).unwrap_or_default();
                Ok(Some((HandshakeType::from_wire(typ), body, raw, rest)))
            }
            _ => Ok(None),
        }
    }

    /// Drops the message `next` returned. Does nothing if there is no
    /// complete message.
    pub(crate) fn consume(&mut self) {
        let Some((_, len)) = peek_header(self.pending()) else {
            return;
        };
        let total = MSG_HEADER_LEN + len;
        if self.pending().len() < total {
            return;
        }
        self.start += total;
        if self.start == self.buf.len() {
            // Nothing left: reset in O(1), keeping the allocation.
            self.buf.clear();
            self.start = 0;
        }
    }

    /// Frees the buffer if nothing is buffered (once the handshake is over,
    /// an idle connection need not hold reassembly space).
    /// Reserves room for `n` bytes, at construction.
    pub(crate) fn reserve_exact(&mut self, n: usize) {
        self.buf.reserve_exact(n);
    }

    /// Reassembles in `area`, which the caller lent, instead of the heap.
    pub(crate) fn lend(&mut self, area: &'static mut [u8]) {
        self.buf = Store::lent(area);
        self.start = 0;
    }

    /// Gives a lent area back, cleared.
    pub(crate) fn take_area(&mut self) -> Option<&'static mut [u8]> {
        self.start = 0;
        self.buf.take_area()
    }

    pub(crate) fn release_if_empty(&mut self) {
        if self.is_empty() {
            self.buf.release();
            self.start = 0;
        }
    }

    /// Whether no bytes at all are buffered. RFC 5246 §7.1 requires
    /// ChangeCipherSpec to fall between handshake messages, so the caller
    /// checks this when one arrives.
    pub(crate) fn is_empty(&self) -> bool {
        self.pending().is_empty()
    }

    /// How many unconsumed bytes are buffered.
    pub(crate) fn buffered_len(&self) -> usize {
        self.pending().len()
    }

    /// Moves the unconsumed bytes to the front once the consumed prefix is at
    /// least as long as they are, so each byte is moved at most once per
    /// time its length was consumed: amortised O(1) per byte, and no
    /// allocation once the buffer has reached its working size.
    /// Moves the unconsumed bytes to the front when they are no longer than
    /// the consumed ones (an amortised copy), or when `incoming` more would
    /// otherwise grow the allocation (a preallocated joiner must not grow).
    fn compact(&mut self, incoming: usize) {
        let grows = self.buf.len().saturating_add(incoming) > self.buf.capacity();
        if self.start > 0 && (grows || self.start >= self.buf.len() - self.start) {
            self.buf.drain_front(self.start);
            self.start = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    fn msg(typ: u8, body: &[u8]) -> Vec<u8> {
        let len = body.len() as u32;
        let mut m = vec![typ];
        m.extend_from_slice(&len.to_be_bytes()[1..]);
        m.extend_from_slice(body);
        m
    }

    /// Drains every complete message as (type, body, raw).
    fn drain(j: &mut HandshakeJoiner) -> Vec<(HandshakeType, Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        while let Some((t, body, raw)) = j.next().unwrap() {
            out.push((t, body.to_vec(), raw.to_vec()));
            j.consume();
        }
        out
    }

    /// A reserved joiner (`IdleBuffers::Preallocated`) moves what it holds
    /// to the front rather than grow, even when the consumed bytes are
    /// fewer than those still pending.
    #[test]
    fn a_reserved_joiner_compacts_instead_of_growing() {
        let mut j = HandshakeJoiner::new(1000);
        j.reserve_exact(700);
        let capacity = j.buf.capacity();
        let small = msg(2, &[1; 146]);
        let big = msg(11, &[7; 596]);
        // A record with a small message and the start of a big one.
        let mut first = small.clone();
        first.extend_from_slice(&big[..250]);
        j.push(&first).unwrap();
        assert_eq!(drain(&mut j).len(), 1);
        // 150 bytes consumed and 250 pending: 350 more fit in 700 only once
        // the pending bytes move to the front.
        j.push(&big[250..]).unwrap();
        let got = drain(&mut j);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, big);
        assert_eq!(j.buf.capacity(), capacity, "the joiner grew");
    }

    #[test]
    fn one_message_per_record() {
        let mut j = HandshakeJoiner::new(1000);
        assert!(j.is_empty());
        assert_eq!(j.next(), Ok(None));
        for (t, body) in [(1u8, &b"client hello"[..]), (14, b""), (20, &[9; 12])] {
            let m = msg(t, body);
            j.push(&m).unwrap();
            assert_eq!(j.buffered_len(), m.len());
            let got = drain(&mut j);
            assert_eq!(got, [(HandshakeType::from_wire(t), body.to_vec(), m)]);
            assert!(j.is_empty());
        }
    }

    #[test]
    fn several_messages_in_one_record() {
        let msgs = [
            msg(2, b"server hello"),
            msg(11, &[1; 300]),
            msg(12, b"ske"),
            msg(14, b""),
        ];
        let record: Vec<u8> = msgs.concat();
        let mut j = HandshakeJoiner::new(1000);
        j.push(&record).unwrap();
        let got = drain(&mut j);
        let raws: Vec<Vec<u8>> = got.iter().map(|g| g.2.clone()).collect();
        assert_eq!(raws, msgs);
        assert_eq!(got[0].0, HandshakeType::ServerHello);
        assert_eq!(got[3].0, HandshakeType::ServerHelloDone);
        assert!(got[3].1.is_empty());
        assert!(j.is_empty());
    }

    #[test]
    fn message_split_into_one_byte_fragments() {
        let m = msg(11, &(0..=255u8).collect::<Vec<_>>());
        let mut j = HandshakeJoiner::new(256);
        for (i, b) in m.iter().enumerate() {
            assert_eq!(j.next(), Ok(None), "complete too early at {i}");
            assert!(!j.is_empty() || i == 0);
            j.push(&[*b]).unwrap();
            assert_eq!(j.buffered_len(), i + 1);
        }
        let got = drain(&mut j);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, m);
        assert!(j.is_empty());
    }

    #[test]
    fn messages_straddling_records() {
        // Three messages cut at arbitrary points across records.
        let msgs = [msg(1, &[1; 50]), msg(2, &[2; 7]), msg(3, &[3; 90])];
        let all = msgs.concat();
        let mut j = HandshakeJoiner::new(100);
        let mut got = Vec::new();
        for piece in [&all[..2], &all[2..60], &all[60..61], &all[61..]] {
            j.push(piece).unwrap();
            got.extend(drain(&mut j).into_iter().map(|g| g.2));
        }
        assert_eq!(got, msgs);
        assert!(j.is_empty());
    }

    #[test]
    fn a_client_hello_may_have_its_own_cap() {
        let big = vec![0u8; 5000];
        let mut server = HandshakeJoiner::new(1024).with_client_hello_cap(CLIENT_HELLO_MAX_LEN);
        assert!(server.push(&msg(1, &big)).is_ok());
        assert!(
            matches!(server.next(), Ok(Some((HandshakeType::ClientHello, b, _))) if b.len() == 5000)
        );
        // Other types keep the general cap; so does a ClientHello beyond its
        // grammar's maximum.
        let mut server = HandshakeJoiner::new(1024).with_client_hello_cap(CLIENT_HELLO_MAX_LEN);
        assert!(server.push(&msg(11, &big)).is_err());
        let mut server = HandshakeJoiner::new(1024).with_client_hello_cap(CLIENT_HELLO_MAX_LEN);
        let header = [1, 0x02, 0x01, 0x45]; // 131,397 bytes declared
        assert_eq!(
            server.push(&header),
            Err(Error::LimitExceeded {
                what: "handshake message size",
                limit: CLIENT_HELLO_MAX_LEN
            })
        );
        let mut client = HandshakeJoiner::new(1024);
        assert!(client.push(&msg(1, &big)).is_err());
    }

    #[test]
    fn cap_is_enforced_from_the_header() {
        let mut j = HandshakeJoiner::new(10);
        // Exactly at the cap is fine.
        j.push(&msg(1, &[0; 10])).unwrap();
        assert_eq!(drain(&mut j).len(), 1);
        let limit: Result<(), Error> = Err(Error::LimitExceeded {
            what: "handshake message size",
            limit: 10,
        });
        // Over the cap: rejected as soon as the header is in, before the body.
        let mut j = HandshakeJoiner::new(10);
        assert_eq!(j.push(&[11, 0, 0]), Ok(()));
        assert_eq!(j.push(&[11]), limit.clone());
        // A header that is too large behind a good message in one record.
        let mut j = HandshakeJoiner::new(10);
        let mut rec = msg(1, b"ok");
        rec.extend_from_slice(&[11, 0xff, 0xff, 0xff]);
        assert_eq!(j.push(&rec), limit.clone());
        // next() also refuses an oversized message at the front.
        let mut j = HandshakeJoiner::new(10);
        let _ = j.push(&[11, 0, 1, 0]);
        assert_eq!(j.next().map(|_| ()), limit);
    }

    #[test]
    fn zero_length_fragment_is_rejected() {
        let mut j = HandshakeJoiner::new(10);
        assert_eq!(j.push(&[]), Err(Error::Decode("empty handshake record")));
        j.push(&[1, 0]).unwrap();
        assert_eq!(j.push(&[]), Err(Error::Decode("empty handshake record")));
        assert_eq!(j.buffered_len(), 2);
    }

    #[test]
    fn push_before_drain_is_refused() {
        let mut j = HandshakeJoiner::new(10);
        j.push(&msg(1, b"a")).unwrap();
        assert!(matches!(j.push(&msg(2, b"b")), Err(Error::Internal(_))));
        assert_eq!(drain(&mut j).len(), 1);
        j.push(&msg(2, b"b")).unwrap();
    }

    #[test]
    fn consume_without_complete_message_is_a_no_op() {
        let mut j = HandshakeJoiner::new(10);
        j.consume();
        j.push(&[1, 0, 0, 2, 9]).unwrap();
        j.consume();
        assert_eq!(j.buffered_len(), 5);
        j.push(&[8]).unwrap();
        assert_eq!(j.next().unwrap().unwrap().1, &[9, 8]);
    }

    #[test]
    fn many_messages_with_compaction() {
        // 2000 messages of varying size, delivered in records of varying size
        // that cut messages anywhere; check order, content and that the
        // buffer stays bounded.
        let msgs: Vec<Vec<u8>> = (0..2000u32)
            .map(|i| {
                let len = (i * 37 % 200) as usize;
                msg((i % 256) as u8, &vec![(i % 251) as u8; len])
            })
            .collect();
        let stream = msgs.concat();
        let mut j = HandshakeJoiner::new(200);
        let mut got = Vec::new();
        let mut pos = 0;
        let mut step = 1;
        let mut max_cap = 0;
        while pos < stream.len() {
            let end = (pos + step).min(stream.len());
            j.push(&stream[pos..end]).unwrap();
            pos = end;
            step = step * 7 % 500 + 1;
            got.extend(drain(&mut j).into_iter().map(|(t, body, raw)| {
                assert_eq!(raw[0], t.to_wire());
                assert_eq!(&raw[4..], &body[..]);
                raw
            }));
            max_cap = max_cap.max(j.buf.capacity());
        }
        assert!(j.is_empty());
        assert_eq!(got, msgs);
        // One record (< 500 bytes) plus one partial message (< 204 bytes),
        // with Vec's doubling: well under 2 KiB.
        assert!(max_cap <= 2048, "buffer grew to {max_cap}");
    }

    #[test]
    fn a_split_message_is_buffered_in_its_own_length() {
        // A 1,000-byte certificate message over 512-byte records: the
        // buffer is sized for the message, not for 2 KiB.
        let m = msg(11, &[7u8; 996]);
        let mut j = HandshakeJoiner::new(1 << 16);
        j.push(&m[..512]).unwrap();
        assert_eq!(j.buf.capacity(), 1000);
        j.push(&m[512..]).unwrap();
        assert_eq!(drain(&mut j).len(), 1);
        assert_eq!(j.buf.capacity(), 1000);
        // A header that does not say: the default first capacity.
        let mut j = HandshakeJoiner::new(1 << 16);
        j.push(&m[..3]).unwrap();
        assert_eq!(j.buf.capacity(), JOINER_INITIAL);
    }
}
