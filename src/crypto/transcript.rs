//! The running hash of handshake messages (RFC 5246 §7.4.9
//! `handshake_messages`, also the RFC 7627 §3 session hash).

// The handshake layer that calls into this module is written in parallel.

use alloc::vec::Vec;
use core::fmt;

use ring::digest;

use super::suites::HashAlgorithm;
use crate::error::Error;

/// Handshake transcript.
///
/// The hash is fixed by the cipher suite, which is only known once
/// ServerHello has been seen, so until [`Transcript::start_hash`] every
/// message goes into a running hash for each hash a suite can use; the one
/// the suite names carries on, and nothing has to be buffered.
///
/// The raw messages are kept only if [`Transcript::keep_buffer`]`(true)`
/// was called before the first message: CertificateVerify (RFC 5246
/// §7.4.8) signs all handshake messages so far, and `ring` signs whole
/// messages rather than pre-computed digests, so the signer needs the raw
/// bytes.
pub(crate) struct Transcript {
    /// Every message so far, when kept.
    buffer: Option<Vec<u8>>,
    /// Before the hash is chosen: SHA-256 and SHA-384 of everything so far.
    candidates: Option<[digest::Context; 2]>,
    hash: Option<(HashAlgorithm, digest::Context)>,
    keep: bool,
    /// Whether any message was added.
    started: bool,
    /// `start_hash` was called again with another hash after the buffer was
    /// gone, so no correct digest can be produced any more.
    broken: bool,
}

impl Transcript {
    pub(crate) fn new() -> Self {
        Self {
            buffer: None,
            candidates: Some([
                digest::Context::new(HashAlgorithm::Sha256.ring()),
                digest::Context::new(HashAlgorithm::Sha384.ring()),
            ]),
            hash: None,
            keep: false,
            started: false,
            broken: false,
        }
    }

    /// Adds a whole handshake message, 4-byte header included (RFC 5246
    /// §7.4.9 hashes the messages as they appear on the wire, headers and
    /// all, excluding HelloRequest and record headers).
    pub(crate) fn add(&mut self, msg: &[u8]) {
        self.started = true;
        if let Some(candidates) = &mut self.candidates {
            candidates.iter_mut().for_each(|c| c.update(msg));
        }
        if let Some((_, ctx)) = &mut self.hash {
            ctx.update(msg);
        }
        if let Some(buf) = &mut self.buffer {
            buf.extend_from_slice(msg);
        }
    }

    /// Fixes the hash to the negotiated suite's.
    ///
    /// Calling it again with the same hash does nothing. Calling it with a
    /// different hash restarts from the buffer if it was kept; if there is
    /// no buffer the transcript is unusable and [`Self::current_hash`] fails.
    pub(crate) fn start_hash(&mut self, hash: HashAlgorithm) {
        match (&self.hash, self.candidates.take()) {
            (Some((h, _)), _) if *h == hash => {}
            (None, Some([sha256, sha384])) => {
                let ctx = match hash {
                    HashAlgorithm::Sha256 => sha256,
                    HashAlgorithm::Sha384 => sha384,
                };
                self.hash = Some((hash, ctx));
            }
            _ => match &self.buffer {
                Some(buf) => {
                    let mut ctx = digest::Context::new(hash.ring());
                    ctx.update(buf);
                    self.hash = Some((hash, ctx));
                }
                None => self.broken = true,
            },
        }
    }

    /// Whether to keep the raw messages. Turning it on works only before
    /// the first message ([`Self::buffer`] stays `None` otherwise); turning
    /// it off drops them.
    pub(crate) fn keep_buffer(&mut self, keep: bool) {
        self.keep = keep;
        if !keep {
            self.buffer = None;
        } else if !self.started && self.buffer.is_none() {
            self.buffer = Some(Vec::new());
        }
    }

    /// Every handshake message so far, if kept.
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
        // Nothing is buffered: both candidate hashes run instead.
        assert_eq!(t.buffer(), None);
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
    fn either_candidate_hash_can_be_chosen() {
        for h in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            let mut t = Transcript::new();
            t.add(b"client hello");
            t.start_hash(h);
            t.add(b"server hello");
            assert_eq!(
                t.current_hash().unwrap().as_ref(),
                &sha(h, b"client helloserver hello")[..]
            );
        }
    }

    #[test]
    fn keeping_the_buffer_late_keeps_nothing() {
        let mut t = Transcript::new();
        t.add(b"x");
        t.keep_buffer(true);
        assert_eq!(t.buffer(), None);
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
