//! The queue behind [`Connection::next_event`](super::Connection::next_event):
//! fixed-size and inline, so that it neither allocates nor grows however
//! long the caller leaves it unpolled.
//!
//! It stays bounded because of what can be in it: `HandshakeComplete` and
//! `PeerClosed` happen once, one `ApplicationData` notice stands for all
//! data not yet polled, and only warning alerts can repeat. A peer may send
//! warnings without end as long as other records come between them (the
//! in-a-row cap, `Limits::max_warnings_in_a_row`, only stops unbroken runs),
//! so when the queue is full the oldest warning notice gives way.

use super::Event;

/// Room for the three one-off events and at least five warnings.
pub(crate) const CAPACITY: usize = 8;

#[derive(Debug)]
pub(crate) struct EventQueue {
    /// `slots[head..head + len]` (wrapping) hold the events, oldest first.
    slots: [Option<Event>; CAPACITY],
    head: usize,
    len: usize,
}

impl EventQueue {
    pub(crate) const fn new() -> Self {
        Self {
            slots: [const { None }; CAPACITY],
            head: 0,
            len: 0,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn slot(&self, i: usize) -> Option<&Event> {
        self.slots.get((self.head + i) % CAPACITY)?.as_ref()
    }

    pub(crate) fn push(&mut self, ev: Event) {
        // One pending data notice covers every record received since: the
        // caller reads all buffered plaintext when it acts on it.
        if ev == Event::ApplicationData
            && (0..self.len).any(|i| self.slot(i) == Some(&Event::ApplicationData))
        {
            return;
        }
        if self.len == CAPACITY {
            // Only warnings repeat, so a full queue holds at least five; the
            // oldest is dropped to make room.
            let Some(oldest) =
                (0..self.len).find(|&i| matches!(self.slot(i), Some(Event::WarningAlert(_))))
            else {
                return;
            };
            self.remove(oldest);
        }
        if let Some(slot) = self.slots.get_mut((self.head + self.len) % CAPACITY) {
            *slot = Some(ev);
            self.len += 1;
        }
    }

    pub(crate) fn pop(&mut self) -> Option<Event> {
        if self.len == 0 {
            return None;
        }
        let ev = self.slots.get_mut(self.head)?.take();
        self.head = (self.head + 1) % CAPACITY;
        self.len -= 1;
        ev
    }

    /// Removes the `i`th event, closing the gap.
    fn remove(&mut self, i: usize) {
        for j in i..self.len.saturating_sub(1) {
            let next = self
                .slots
                .get_mut((self.head + j + 1) % CAPACITY)
                .and_then(Option::take);
            if let Some(slot) = self.slots.get_mut((self.head + j) % CAPACITY) {
                *slot = next;
            }
        }
        if let Some(last) = self
            .slots
            .get_mut((self.head + self.len.saturating_sub(1)) % CAPACITY)
        {
            *last = None;
        }
        self.len = self.len.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::AlertDescription as A;
    use alloc::vec::Vec;

    fn drain(q: &mut EventQueue) -> Vec<Event> {
        core::iter::from_fn(|| q.pop()).collect()
    }

    #[test]
    fn fifo_with_one_data_notice() {
        let mut q = EventQueue::new();
        q.push(Event::HandshakeComplete);
        q.push(Event::ApplicationData);
        q.push(Event::WarningAlert(A::UserCanceled));
        q.push(Event::ApplicationData);
        q.push(Event::PeerClosed);
        assert_eq!(
            drain(&mut q),
            [
                Event::HandshakeComplete,
                Event::ApplicationData,
                Event::WarningAlert(A::UserCanceled),
                Event::PeerClosed
            ]
        );
        // Once polled, the next arrival is reported again.
        q.push(Event::ApplicationData);
        assert_eq!(q.pop(), Some(Event::ApplicationData));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn endless_warnings_keep_the_newest_and_the_one_off_events() {
        let mut q = EventQueue::new();
        q.push(Event::HandshakeComplete);
        for i in 0..1000u16 {
            q.push(Event::ApplicationData);
            let d = if i % 2 == 0 {
                A::UserCanceled
            } else {
                A::NoRenegotiation
            };
            q.push(Event::WarningAlert(d));
            assert!(q.len() <= CAPACITY);
        }
        q.push(Event::PeerClosed);
        let events = drain(&mut q);
        assert_eq!(events.len(), CAPACITY);
        assert_eq!(events[0], Event::HandshakeComplete);
        assert_eq!(events[1], Event::ApplicationData);
        assert_eq!(events[CAPACITY - 1], Event::PeerClosed);
        // The five newest warnings, in order.
        assert_eq!(
            events[CAPACITY - 2],
            Event::WarningAlert(A::NoRenegotiation)
        );
        assert_eq!(events[CAPACITY - 3], Event::WarningAlert(A::UserCanceled));
    }

    #[test]
    fn wraps_around() {
        let mut q = EventQueue::new();
        for round in 0..20 {
            for _ in 0..(round % CAPACITY) + 1 {
                q.push(Event::WarningAlert(A::UserCanceled));
            }
            q.push(Event::PeerClosed);
            let events = drain(&mut q);
            assert_eq!(events.last(), Some(&Event::PeerClosed));
            assert!(events.len() <= CAPACITY);
        }
    }
}
