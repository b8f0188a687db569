//! The running hash of handshake messages (RFC 5246 §7.4.9
//! `handshake_messages`, also the RFC 7627 §3 session hash).

use alloc::vec::Vec;
use core::fmt;

use ring::digest;

use super::suites::HashAlgorithm;
use crate::error::Error;

/// Handshake transcript.
///
/// The hash is fixed by the cipher suite, which is only known once
/// ServerHello has been seen, so messages are buffered until
/// [`Transcript::start_hash`]. After that the buffer is dropped unless
/// [`Transcript::keep_buffer`]`(true)` was called: CertificateVerify
/// (RFC 5246 §7.4.8) signs all handshake messages so far, and `ring` signs
/// whole messages rather than pre-computed digests, so the signer needs the
/// raw bytes.
pub(crate) struct Transcript {
    /// Every message so far; `None` once dropped after `start_hash`.
    buffer: Option<Vec<u8>>,
    hash: Option<(HashAlgorithm, digest::Context)>,
    keep: bool,
    /// `start_hash` was called again with another hash after the buffer was
    /// gone, so no correct digest can be produced any more.
    broken: bool,
}

impl Transcript {
    pub(crate) fn new() -> Self {
        Self {
            buffer: Some(Vec::new()),
            hash: None,
            keep: false,
            broken: false,
        }
    }

    /// A transcript that keeps every message in `buffer` (cleared first),
    /// for CertificateVerify: see [`Self::keep_buffer`].
    pub(crate) fn keeping(mut buffer: Vec<u8>) -> Self {
        buffer.clear();
        Self {
            buffer: Some(buffer),
            hash: None,
            keep: true,
            broken: false,
        }
    }

    /// Adds a whole handshake message, 4-byte header included (RFC 5246
    /// §7.4.9 hashes the messages as they appear on the wire, headers and
    /// all, excluding HelloRequest and record headers).
    pub(crate) fn add(&mut self, msg: &[u8]) {
        if let Some((_, ctx)) = &mut self.hash {
            ctx.update(msg);
        }
        if let Some(buf) = &mut self.buffer {
            buf.extend_from_slice(msg);
        }
    }

    /// Starts hashing with the negotiated suite's hash, feeding it every
    /// message seen so far.
    ///
    /// Calling it again with the same hash does nothing. Calling it with a
    /// different hash restarts from the buffer if it was kept; if the buffer
    /// is gone the transcript is unusable and [`Self::current_hash`] fails.
    pub(crate) fn start_hash(&mut self, hash: HashAlgorithm) {
        match &self.hash {
            Some((h, _)) if *h == hash => return,
            Some(_) if self.buffer.is_none() => {
                self.broken = true;
                return;
            }
            _ => {}
        }
        let mut ctx = digest::Context::new(hash.ring());
        if let Some(buf) = &self.buffer {
            ctx.update(buf);
        }
        self.hash = Some((hash, ctx));
        if !self.keep {
            self.buffer = None;
        }
    }

    /// Whether to keep the raw messages after the hash has started. Turning
    /// it off drops the buffer once hashing has begun; turning it on after
    /// the buffer was dropped cannot bring it back ([`Self::buffer`] then
    /// stays `None`), so call it before `start_hash`.
    pub(crate) fn keep_buffer(&mut self, keep: bool) {
        self.keep = keep;
        if !keep && self.hash.is_some() {
            self.buffer = None;
        }
    }

    /// Every handshake message so far, if still buffered.
    pub(crate) fn buffer(&self) -> Option<&[u8]> {
        self.buffer.as_deref()
    }

    /// The hash of every message so far; the transcript carries on.
    pub(crate) fn current_hash(&self) -> Result<digest::Digest, Error> {
        if self.broken {
            return Err(Error::Internal(
                "transcript hash changed after its buffer was dropped",
            ));
        }
        match &self.hash {
            Some((_, ctx)) => Ok(ctx.clone().finish()),
            None => Err(Error::Internal("transcript hash not started")),
        }
    }

    pub(crate) fn hash_algorithm(&self) -> Option<HashAlgorithm> {
        self.hash.as_ref().map(|(h, _)| *h)
    }
}

/// Where an emitted handshake message is recorded: the [`Transcript`], or
/// the client's [`HelloTranscript`] before ServerHello.
pub(crate) trait TranscriptSink {
    fn add(&mut self, msg: &[u8]);
}

impl TranscriptSink for Transcript {
    fn add(&mut self, msg: &[u8]) {
        Transcript::add(self, msg);
    }
}

/// The client's transcript until ServerHello names the suite, and so the
/// hash (RFC 5246 §7.4.9: the PRF hash). ClientHello goes into a running
/// SHA-256 and a running SHA-384 instead of a buffer, and
/// [`Self::into_transcript`] keeps the one the suite uses. It is a type of
/// its own so that only the first client state carries two hash contexts.
pub(crate) struct HelloTranscript {
    sha256: digest::Context,
    sha384: digest::Context,
    /// The raw messages, when CertificateVerify may need them.
    buffer: Option<Vec<u8>>,
}

impl HelloTranscript {
    /// Keeps the raw messages in `buffer` (cleared first) if given.
    pub(crate) fn new(buffer: Option<Vec<u8>>) -> Self {
        Self {
            sha256: digest::Context::new(HashAlgorithm::Sha256.ring()),
            sha384: digest::Context::new(HashAlgorithm::Sha384.ring()),
            buffer: buffer.map(|mut b| {
                b.clear();
                b
            }),
        }
    }

    /// The transcript for the rest of the handshake, hashing with `hash`.
    pub(crate) fn into_transcript(self, hash: HashAlgorithm) -> Transcript {
        let ctx = match hash {
            HashAlgorithm::Sha256 => self.sha256,
            HashAlgorithm::Sha384 => self.sha384,
        };
        Transcript {
            keep: self.buffer.is_some(),
            buffer: self.buffer,
            hash: Some((hash, ctx)),
            broken: false,
        }
    }
}

impl TranscriptSink for HelloTranscript {
    fn add(&mut self, msg: &[u8]) {
        self.sha256.update(msg);
        self.sha384.update(msg);
        if let Some(buf) = &mut self.buffer {
            buf.extend_from_slice(msg);
        }
    }
}

impl Default for Transcript {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcript")
            .field("hash", &self.hash_algorithm())
            .field("buffered", &self.buffer.as_ref().map(Vec::len))
            .field("keep", &self.keep)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(h: HashAlgorithm, data: &[u8]) -> Vec<u8> {
        digest::digest(h.ring(), data).as_ref().to_vec()
    }

    #[test]
    fn buffers_until_hash_known() {
        let mut t = Transcript::new();
        assert!(t.current_hash().is_err());
        assert_eq!(t.hash_algorithm(), None);
        t.add(b"\x01\x00\x00\x01a");
        t.add(b"\x02\x00\x00\x01b");
        assert_eq!(t.buffer(), Some(&b"\x01\x00\x00\x01a\x02\x00\x00\x01b"[..]));
        t.start_hash(HashAlgorithm::Sha384);
        assert_eq!(t.hash_algorithm(), Some(HashAlgorithm::Sha384));
        assert_eq!(t.buffer(), None);
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha384, b"\x01\x00\x00\x01a\x02\x00\x00\x01b")[..]
        );
        t.add(b"c");
        // current_hash does not consume: ask twice.
        let want = sha(
            HashAlgorithm::Sha384,
            b"\x01\x00\x00\x01a\x02\x00\x00\x01bc",
        );
        assert_eq!(t.current_hash().unwrap().as_ref(), &want[..]);
        assert_eq!(t.current_hash().unwrap().as_ref(), &want[..]);
        // Same hash again is a no-op.
        t.start_hash(HashAlgorithm::Sha384);
        assert_eq!(t.current_hash().unwrap().as_ref(), &want[..]);
    }

    #[test]
    fn keep_buffer_for_certificate_verify() {
        let mut t = Transcript::new();
        t.keep_buffer(true);
        t.add(b"hello");
        t.start_hash(HashAlgorithm::Sha256);
        t.add(b" world");
        assert_eq!(t.buffer(), Some(&b"hello world"[..]));
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha256, b"hello world")[..]
        );
        // A kept buffer allows a restart with another hash.
        t.start_hash(HashAlgorithm::Sha384);
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha384, b"hello world")[..]
        );
        t.keep_buffer(false);
        assert_eq!(t.buffer(), None);
        t.add(b"!");
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha384, b"hello world!")[..]
        );
    }

    #[test]
    fn hello_transcript_hands_on_either_hash() {
        for h in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            for keep in [false, true] {
                let mut hello = HelloTranscript::new(keep.then(|| b"stale".to_vec()));
                TranscriptSink::add(&mut hello, b"client hello");
                let mut t = hello.into_transcript(h);
                assert_eq!(t.hash_algorithm(), Some(h));
                t.add(b"server hello");
                assert_eq!(
                    t.current_hash().unwrap().as_ref(),
                    &sha(h, b"client helloserver hello")[..]
                );
                let kept = keep.then_some(&b"client helloserver hello"[..]);
                assert_eq!(t.buffer(), kept);
            }
        }
    }

    /// A transcript on reserved room starts empty and keeps its messages
    /// past `start_hash`, in that room.
    #[test]
    fn keeping_uses_the_room_given() {
        let mut room = Vec::with_capacity(64);
        room.extend_from_slice(b"stale");
        let at = room.as_ptr();
        let mut t = Transcript::keeping(room);
        t.add(b"client hello");
        t.start_hash(HashAlgorithm::Sha256);
        t.add(b"server hello");
        assert_eq!(t.buffer(), Some(&b"client helloserver hello"[..]));
        assert_eq!(t.buffer().unwrap().as_ptr(), at, "moved out of its room");
    }

    #[test]
    fn changing_hash_without_buffer_fails() {
        let mut t = Transcript::new();
        t.add(b"x");
        t.start_hash(HashAlgorithm::Sha256);
        t.start_hash(HashAlgorithm::Sha384);
        assert!(matches!(t.current_hash(), Err(Error::Internal(_))));
    }

    #[test]
    fn empty_transcript() {
        let mut t = Transcript::new();
        t.start_hash(HashAlgorithm::Sha256);
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha256, b"")[..]
        );
    }
}
