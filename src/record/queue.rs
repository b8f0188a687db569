//! A byte queue with a read cursor: appended at the back, drained from the
//! front, its allocation reused (no allocation per record in steady state).
//! The output queue and the plaintext queue are both one of these.

use alloc::vec::Vec;

#[derive(Debug, Default)]
pub(crate) struct ByteQueue {
    buf: Vec<u8>,
    start: usize,
}

impl ByteQueue {
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops `n` bytes from the front (clamped to what is there).
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.buf.len());
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > self.buf.len() / 2 && self.start >= 4096 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// Frees the allocation if nothing is queued.
    pub(crate) fn release_if_empty(&mut self) {
        if self.is_empty() {
            *self = Self::default();
        }
    }

    /// The backing vector, for appending.
    pub(crate) fn tail(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
}
