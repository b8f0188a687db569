//! The caller's slot for what a connection on lent memory would otherwise
//! box: the running handshake, and once it is over the exporter's secret.

use super::Running;
use crate::crypto::exporter::ExporterSecret;
use crate::handshake::{client, server};

/// Room for one handshake's state (its transcript, key schedule, pending
/// keys and negotiated values, about 2 KB), lent to a connection with its
/// [`Areas`](crate::Areas) so that nothing of it is boxed on the heap.
/// Once the handshake is over it holds the exporter's copy of the master
/// secret, if the configuration enables exporters, and nothing otherwise.
///
/// A device declares one per connection it runs at a time, as a static
/// (for instance with `static_cell::StaticCell`); `new` is `const`. What it
/// holds is dropped, and its secrets zeroized, when the connection fails,
/// is dropped or gives its areas back
/// ([`Connection::take_areas`](crate::Connection::take_areas)), and the
/// slot comes back empty for the next connection.
///
/// ```
/// use tls12::HandshakeSlot;
///
/// // On a device: `static SLOT: StaticCell<HandshakeSlot> = StaticCell::new();`
/// let slot: &'static mut HandshakeSlot = Box::leak(Box::new(HandshakeSlot::new()));
/// assert!(!slot.in_use());
/// ```
pub struct HandshakeSlot {
    lodger: Lodger,
    /// The encoding, leaf, server name, PSK identity, transcript and ALPN
    /// areas (`Areas::handshake_out`, `peer_leaf`, `server_name`,
    /// `psk_identity`, `transcript`, `alpn`) once the handshake that used
    /// them is over, to be given back (the name's, the identity's and the
    /// protocol's only if the handshake did not pass them on to its
    /// report).
    spare: [Option<&'static mut [u8]>; 6],
}

/// What a slot holds.
pub(super) enum Lodger {
    Empty,
    Client(Running<client::State>),
    Server(Running<server::State>),
    Exporter(ExporterSecret),
}

impl HandshakeSlot {
    /// An empty slot.
    pub const fn new() -> Self {
        Self {
            lodger: Lodger::Empty,
            spare: [None, None, None, None, None, None],
        }
    }

    /// Whether it holds a connection's handshake state or exporter secret.
    pub fn in_use(&self) -> bool {
        !matches!(self.lodger, Lodger::Empty)
    }

    /// The exporter's secret, once an established connection keeps it here.
    pub(super) fn exporter(&self) -> Option<&ExporterSecret> {
        match &self.lodger {
            Lodger::Exporter(secret) => Some(secret),
            _ => None,
        }
    }

    /// The encoding, leaf, name, identity, transcript and ALPN areas, given
    /// back once the handshake is over.
    pub(super) fn take_spares(&mut self) -> [Option<&'static mut [u8]>; 6] {
        self.spare.each_mut().map(Option::take)
    }

    /// The handshake is over: its state is dropped (its secrets with it)
    /// after its lent areas are taken out, cleared, to be given back.
    fn end_handshake(&mut self) {
        let buffers = match &mut self.lodger {
            Lodger::Client(r) => Some(&mut r.buffers),
            Lodger::Server(r) => Some(&mut r.buffers),
            Lodger::Empty | Lodger::Exporter(_) => None,
        };
        if let Some(buffers) = buffers {
            for (spare, store) in self.spare.iter_mut().zip([
                &mut buffers.encode,
                &mut buffers.leaf,
                &mut buffers.name,
                &mut buffers.psk_identity,
                &mut buffers.transcript,
                &mut buffers.alpn,
            ]) {
                if let Some(area) = store.take_area() {
                    *spare = Some(area);
                }
            }
        }
        self.lodger = Lodger::Empty;
    }
}

impl Default for HandshakeSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether it is in use, nothing of what it holds: secrets.
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

/// The caller's slot while a connection holds it (`None` once given up).
/// The slot outlives the connection: when this is dropped, nothing of what
/// it held (secrets) stays there.
pub(super) struct Lent(Option<&'static mut HandshakeSlot>);

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(slot) = self.0.as_deref_mut() {
            slot.lodger = Lodger::Empty;
        }
    }
}

impl Lent {
    /// `running` in `slot` (whatever it held is dropped).
    pub(super) fn running<S: Lodge>(slot: &'static mut HandshakeSlot, running: Running<S>) -> Self {
        slot.lodger = S::lodger(running);
        Self(Some(slot))
    }

    pub(super) fn slot(&self) -> Option<&HandshakeSlot> {
        self.0.as_deref()
    }

    pub(super) fn get<S: Lodge>(&self) -> Option<&Running<S>> {
        S::get(&self.0.as_deref()?.lodger)
    }

    pub(super) fn get_mut<S: Lodge>(&mut self) -> Option<&mut Running<S>> {
        S::get_mut(&mut self.0.as_deref_mut()?.lodger)
    }

    /// The handshake completed: its state gives way to the exporter's
    /// secret, if there is one.
    pub(super) fn establish(&mut self, exporter: Option<ExporterSecret>) {
        if let Some(slot) = self.0.as_deref_mut() {
            slot.end_handshake();
            if let Some(secret) = exporter {
                slot.lodger = Lodger::Exporter(secret);
            }
        }
    }

    /// The slot back from a connection that is done with it, emptied.
    pub(super) fn give_up(&mut self) -> Option<&'static mut HandshakeSlot> {
        let slot = self.0.take()?;
        slot.end_handshake();
        Some(slot)
    }
}
