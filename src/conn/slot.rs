//! Where a running handshake lives: a box made when the connection is, or
//! a slot the caller lent ([`HandshakeSlot`]), so that a connection on lent
//! memory needs no heap for it.

use alloc::boxed::Box;

use super::Running;
use crate::handshake::{client, server};

/// Room for one handshake's state (its transcript, key schedule, pending
/// keys and negotiated values, about 2 KB), lent to a connection with
/// [`Areas::slot`](crate::Areas::slot) so that it is not boxed on the heap.
///
/// A device declares one per connection it runs at a time, as a static
/// (for instance with `static_cell::StaticCell`); `new` is `const`. The
/// state is dropped, and its secrets zeroized, when the handshake ends, and
/// the slot comes back empty with the areas
/// ([`Connection::take_areas`](crate::Connection::take_areas)) for the next
/// connection.
///
/// ```
/// use tls12::HandshakeSlot;
///
/// // On a device: `static SLOT: StaticCell<HandshakeSlot> = StaticCell::new();`
/// let slot: &'static mut HandshakeSlot = Box::leak(Box::new(HandshakeSlot::new()));
/// assert!(!slot.in_use());
/// ```
pub struct HandshakeSlot(Lodger);

/// What a slot holds.
pub(super) enum Lodger {
    Empty,
    Client(Running<client::State>),
    Server(Running<server::State>),
}

impl HandshakeSlot {
    /// An empty slot.
    pub const fn new() -> Self {
        Self(Lodger::Empty)
    }

    /// Whether a handshake's state is in it (a connection holds it).
    pub fn in_use(&self) -> bool {
        !matches!(self.0, Lodger::Empty)
    }
}

impl Default for HandshakeSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether it is in use, nothing of the state: it holds secrets.
impl core::fmt::Debug for HandshakeSlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HandshakeSlot")
            .field("in_use", &self.in_use())
            .finish()
    }
}

/// A side's state type, which a slot can hold.
pub(super) trait Lodge: Sized {
    fn lodger(running: Running<Self>) -> Lodger;
    fn get(lodger: &Lodger) -> Option<&Running<Self>>;
    fn get_mut(lodger: &mut Lodger) -> Option<&mut Running<Self>>;
}

impl Lodge for client::State {
    fn lodger(running: Running<Self>) -> Lodger {
        Lodger::Client(running)
    }
    fn get(lodger: &Lodger) -> Option<&Running<Self>> {
        match lodger {
            Lodger::Client(r) => Some(r),
            _ => None,
        }
    }
    fn get_mut(lodger: &mut Lodger) -> Option<&mut Running<Self>> {
        match lodger {
            Lodger::Client(r) => Some(r),
            _ => None,
        }
    }
}

impl Lodge for server::State {
    fn lodger(running: Running<Self>) -> Lodger {
        Lodger::Server(running)
    }
    fn get(lodger: &Lodger) -> Option<&Running<Self>> {
        match lodger {
            Lodger::Server(r) => Some(r),
            _ => None,
        }
    }
    fn get_mut(lodger: &mut Lodger) -> Option<&mut Running<Self>> {
        match lodger {
            Lodger::Server(r) => Some(r),
            _ => None,
        }
    }
}

/// A running handshake, boxed or in a lent slot (`None` only once the
/// slot has been given back).
pub(super) enum Lodged<S> {
    Boxed(Box<Running<S>>),
    Lent(Option<&'static mut HandshakeSlot>),
}

/// The caller's slot outlives the connection: a handshake dropped while it
/// runs leaves nothing of its state (its secrets) there.
impl<S> Drop for Lodged<S> {
    fn drop(&mut self) {
        if let Self::Lent(Some(slot)) = self {
            slot.0 = Lodger::Empty;
        }
    }
}

impl<S: Lodge> Lodged<S> {
    /// `running` in `slot` if one was lent (whatever it held is dropped),
    /// else in a box.
    pub(super) fn new(running: Running<S>, slot: Option<&'static mut HandshakeSlot>) -> Self {
        match slot {
            Some(slot) => {
                slot.0 = S::lodger(running);
                Self::Lent(Some(slot))
            }
            None => Self::Boxed(Box::new(running)),
        }
    }

    pub(super) fn get(&self) -> Option<&Running<S>> {
        match self {
            Self::Boxed(r) => Some(r),
            Self::Lent(slot) => S::get(&slot.as_deref()?.0),
        }
    }

    pub(super) fn get_mut(&mut self) -> Option<&mut Running<S>> {
        match self {
            Self::Boxed(r) => Some(r),
            Self::Lent(slot) => S::get_mut(&mut slot.as_deref_mut()?.0),
        }
    }

    /// The handshake is over: its state is dropped (and its secrets with
    /// it); a lent slot comes back, empty.
    pub(super) fn end(&mut self) -> Option<&'static mut HandshakeSlot> {
        match self {
            Self::Boxed(_) => None,
            Self::Lent(slot) => {
                let slot = slot.take()?;
                slot.0 = Lodger::Empty;
                Some(slot)
            }
        }
    }
}
