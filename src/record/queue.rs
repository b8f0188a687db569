//! A byte queue with a read cursor: appended at the back, drained from the
//! front, its allocation reused (no allocation per record in steady state).
//! The output queue and the plaintext queue are both one of these, on the
//! heap or on an area the caller lent.

use super::store::Store;

#[derive(Debug, Default)]
pub(crate) struct ByteQueue {
    buf: Store,
    start: usize,
}

impl ByteQueue {
    /// A queue on an area the caller lent.
    pub(crate) fn lent(area: &'static mut [u8]) -> Self {
        Self {
            buf: Store::lent(area),
            start: 0,
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.as_slice().get(self.start..).unwrap_or_default()
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
            self.buf.drain_front(self.start);
            self.start = 0;
        }
    }

    /// Before appending `n` bytes: moves the queued bytes to the front if
    /// that lets them fit in the allocation, rather than growing it (a
    /// preallocated queue the caller drains only in part must not grow).
    pub(crate) fn make_room(&mut self, n: usize) {
        if self.start > 0 && self.buf.len().saturating_add(n) > self.buf.capacity() {
            self.buf.drain_front(self.start);
            self.start = 0;
        }
    }

    /// Makes room for `n` bytes in all, at construction.
    pub(crate) fn reserve_exact(&mut self, n: usize) {
        self.buf.reserve_exact(n);
    }

    /// Frees the allocation if nothing is queued (a lent area is kept).
    pub(crate) fn release_if_empty(&mut self) {
        if self.is_empty() {
            self.buf.release();
            self.start = 0;
        }
    }

    /// Bytes that can be appended without growing: what a lent area has
    /// left once the queue is moved to its front (unbounded on the heap).
    pub(crate) fn room(&self) -> usize {
        self.buf.limit().saturating_sub(self.len())
    }

    /// Whether the queue is on a lent area.
    pub(crate) fn is_lent(&self) -> bool {
        self.buf.is_lent()
    }

    /// The lent area, cleared, if the queue is on one.
    pub(crate) fn take_area(&mut self) -> Option<&'static mut [u8]> {
        self.start = 0;
        self.buf.take_area()
    }

    /// Bytes queued plus those that can be appended (unbounded on the
    /// heap): a lent area's size.
    pub(crate) fn limit(&self) -> usize {
        self.len().saturating_add(self.room())
    }

    /// The backing store, for appending.
    pub(crate) fn tail(&mut self) -> &mut Store {
        &mut self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::super::store::Sink;
    use super::*;

    /// A reserved queue (`IdleBuffers::Preallocated`) drained only in part
    /// moves what is left to the front rather than grow.
    #[test]
    fn make_room_compacts_instead_of_growing() {
        let mut q = ByteQueue::default();
        q.reserve_exact(100);
        let capacity = q.buf.capacity();
        q.tail().put(&[1; 80]).unwrap();
        q.consume(60);
        q.make_room(70);
        q.tail().put(&[2; 70]).unwrap();
        assert_eq!(q.buf.capacity(), capacity, "the queue grew");
        assert_eq!(q.len(), 90);
        assert_eq!(&q.bytes()[..20], &[1; 20]);
        assert_eq!(&q.bytes()[20..], &[2; 70]);
        // Room enough already: nothing moves.
        q.consume(10);
        q.make_room(5);
        assert_eq!(q.start, 10);
    }
}
