//! The running hash of handshake messages (RFC 5246 §7.4.9
//! `handshake_messages`, also the RFC 7627 §3 session hash).

use core::fmt;

use ring::digest;

use super::suites::HashAlgorithm;
use crate::codec::Writer;
use crate::error::Error;

/// Handshake transcript.
///
/// The hash is fixed by the cipher suite: [`Transcript::start_hash`] names
/// it before the first message, or, for a transcript that keeps its
/// messages, at any time (the kept ones are hashed then). A transcript made with
/// [`Transcript::keeping`] also writes every message to the kept buffer its
/// caller passes in (the handshake's own, which may be an area the caller
/// of the library lent), until [`Transcript::stop_keeping`]:
/// CertificateVerify (RFC 5246 §7.4.8) signs all handshake messages so far,
/// and `ring` signs whole messages rather than pre-computed digests, so the
/// signer needs the raw bytes.
pub(crate) struct Transcript {
    hash: Option<(HashAlgorithm, digest::Context)>,
    /// Whether every message also goes to the kept buffer.
    keep: bool,
    /// A message went by with no hash and not kept, or `start_hash` was
    /// called again with another hash after the messages were gone: no
    /// correct digest can be produced any more.
    broken: bool,
}

impl Transcript {
    pub(crate) fn new() -> Self {
        Self {
            hash: None,
            keep: false,
            broken: false,
        }
    }

    /// A transcript that also writes every message to the kept buffer
    /// passed to [`Self::add`], which must start empty.
    pub(crate) fn keeping() -> Self {
        Self {
            hash: None,
            keep: true,
            broken: false,
        }
    }

    /// Adds a whole handshake message, 4-byte header included (RFC 5246
    /// §7.4.9 hashes the messages as they appear on the wire, headers and
    /// all, excluding HelloRequest and record headers), and writes it to
    /// `kept` if this transcript keeps its messages.
    pub(crate) fn add(&mut self, msg: &[u8], kept: &mut impl Writer) {
        if let Some((_, ctx)) = &mut self.hash {
            ctx.update(msg);
        }
        if self.keep {
            kept.put(msg);
        } else if self.hash.is_none() {
            self.broken = true;
        }
    }

    /// Starts hashing with the negotiated suite's hash, feeding it every
    /// message seen so far (`kept`, the kept buffer, if this transcript
    /// keeps its messages).
    ///
    /// Calling it again with the same hash does nothing. Calling it with a
    /// different hash restarts from the messages if they were kept; if they
    /// are gone the transcript is unusable and [`Self::current_hash`]
    /// fails.
    pub(crate) fn start_hash(&mut self, hash: HashAlgorithm, kept: &[u8]) {
        let seen = self.keep.then_some(kept);
        match &self.hash {
            Some((h, _)) if *h == hash => return,
            Some(_) if seen.is_none() => {
                self.broken = true;
                return;
            }
            _ => {}
        }
        let mut ctx = digest::Context::new(hash.ring());
        if let Some(seen) = seen {
            ctx.update(seen);
        }
        self.hash = Some((hash, ctx));
    }

    /// No more messages are kept (the CertificateVerify is done); the
    /// caller may clear the kept buffer.
    pub(crate) fn stop_keeping(&mut self) {
        self.keep = false;
    }

    /// Every handshake message so far, if still at hand: `kept` if this
    /// transcript keeps its messages.
    pub(crate) fn buffer<'a>(&'a self, kept: &'a [u8]) -> Option<&'a [u8]> {
        self.keep.then_some(kept)
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
/// the client's [`HelloTranscript`] before ServerHello; and the kept
/// buffer, if the messages are kept.
pub(crate) trait TranscriptSink {
    fn add<W: Writer>(&mut self, msg: &[u8], kept: &mut W);
}

impl TranscriptSink for Transcript {
    fn add<W: Writer>(&mut self, msg: &[u8], kept: &mut W) {
        Transcript::add(self, msg, kept);
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
    /// Whether the raw messages are kept, when CertificateVerify may need
    /// them.
    keep: bool,
}

impl HelloTranscript {
    /// Writing every message to the kept buffer too if `keep`.
    pub(crate) fn new(keep: bool) -> Self {
        Self {
            sha256: digest::Context::new(HashAlgorithm::Sha256.ring()),
            sha384: digest::Context::new(HashAlgorithm::Sha384.ring()),
            keep,
        }
    }

    /// The transcript for the rest of the handshake, hashing with `hash`.
    pub(crate) fn into_transcript(self, hash: HashAlgorithm) -> Transcript {
        let ctx = match hash {
            HashAlgorithm::Sha256 => self.sha256,
            HashAlgorithm::Sha384 => self.sha384,
        };
        Transcript {
            hash: Some((hash, ctx)),
            keep: self.keep,
            broken: false,
        }
    }
}

impl TranscriptSink for HelloTranscript {
    fn add<W: Writer>(&mut self, msg: &[u8], kept: &mut W) {
        self.sha256.update(msg);
        self.sha384.update(msg);
        if self.keep {
            kept.put(msg);
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
            .field("keep", &self.keep)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn sha(h: HashAlgorithm, data: &[u8]) -> Vec<u8> {
        digest::digest(h.ring(), data).as_ref().to_vec()
    }

    #[test]
    fn hashes_from_the_start() {
        let mut none = Vec::new();
        let mut t = Transcript::new();
        assert!(t.current_hash().is_err());
        assert_eq!(t.hash_algorithm(), None);
        t.start_hash(HashAlgorithm::Sha384, &[]);
        t.add(b"\x01\x00\x00\x01a", &mut none);
        t.add(b"\x02\x00\x00\x01b", &mut none);
        assert_eq!(t.hash_algorithm(), Some(HashAlgorithm::Sha384));
        assert_eq!(t.buffer(&[]), None);
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha384, b"\x01\x00\x00\x01a\x02\x00\x00\x01b")[..]
        );
        t.add(b"c", &mut none);
        // current_hash does not consume: ask twice.
        let want = sha(
            HashAlgorithm::Sha384,
            b"\x01\x00\x00\x01a\x02\x00\x00\x01bc",
        );
        assert_eq!(t.current_hash().unwrap().as_ref(), &want[..]);
        assert_eq!(t.current_hash().unwrap().as_ref(), &want[..]);
        // Same hash again is a no-op.
        t.start_hash(HashAlgorithm::Sha384, &[]);
        assert_eq!(t.current_hash().unwrap().as_ref(), &want[..]);
        assert!(none.is_empty(), "nothing kept");
    }

    #[test]
    fn kept_for_certificate_verify() {
        let mut kept = Vec::new();
        let mut t = Transcript::keeping();
        t.add(b"hello", &mut kept);
        t.start_hash(HashAlgorithm::Sha256, &kept);
        t.add(b" world", &mut kept);
        assert_eq!(t.buffer(&kept), Some(&b"hello world"[..]));
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha256, b"hello world")[..]
        );
        // Kept messages allow a restart with another hash.
        t.start_hash(HashAlgorithm::Sha384, &kept);
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha384, b"hello world")[..]
        );
        t.stop_keeping();
        assert_eq!(t.buffer(&kept), None);
        t.add(b"!", &mut kept);
        assert_eq!(kept, b"hello world", "no longer kept");
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha384, b"hello world!")[..]
        );
    }

    #[test]
    fn hello_transcript_hands_on_either_hash() {
        for h in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            for keep in [false, true] {
                let mut kept = Vec::new();
                let mut hello = HelloTranscript::new(keep);
                TranscriptSink::add(&mut hello, b"client hello", &mut kept);
                let mut t = hello.into_transcript(h);
                assert_eq!(t.hash_algorithm(), Some(h));
                t.add(b"server hello", &mut kept);
                assert_eq!(
                    t.current_hash().unwrap().as_ref(),
                    &sha(h, b"client helloserver hello")[..]
                );
                let want = keep.then_some(&b"client helloserver hello"[..]);
                assert_eq!(t.buffer(&kept), want);
            }
        }
    }

    /// A message before the hash, not kept, is lost: the digest would be
    /// wrong, so there is none.
    #[test]
    fn a_message_before_the_hash_breaks_a_transcript_that_keeps_nothing() {
        let mut none = Vec::new();
        let mut t = Transcript::new();
        t.add(b"x", &mut none);
        t.start_hash(HashAlgorithm::Sha256, &[]);
        assert!(matches!(t.current_hash(), Err(Error::Internal(_))));
    }

    #[test]
    fn changing_hash_without_buffer_fails() {
        let mut none = Vec::new();
        let mut t = Transcript::new();
        t.start_hash(HashAlgorithm::Sha256, &[]);
        t.add(b"x", &mut none);
        assert!(t.current_hash().is_ok());
        t.start_hash(HashAlgorithm::Sha384, &[]);
        assert!(matches!(t.current_hash(), Err(Error::Internal(_))));
    }

    #[test]
    fn empty_transcript() {
        let mut t = Transcript::new();
        t.start_hash(HashAlgorithm::Sha256, &[]);
        assert_eq!(
            t.current_hash().unwrap().as_ref(),
            &sha(HashAlgorithm::Sha256, b"")[..]
        );
    }
}
