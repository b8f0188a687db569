//! What a connection reports to its caller: the events it queues and the
//! parameters the handshake agreed. A leaf: the handshake fills these in, the
//! connection hands them out.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;

use crate::codec::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::shared::List;

/// Something that happened on a connection, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The handshake finished; see [`Connection::handshake_info`](crate::Connection::handshake_info).
    HandshakeComplete,
    /// Application data is waiting to be read. Reported once until it is
    /// polled, however many records arrive meanwhile.
    ApplicationData,
    /// The peer sent close_notify: no more data will arrive. Our own
    /// close_notify has been queued in reply (RFC 5246 §7.2.1).
    PeerClosed,
    /// The peer sent a warning alert other than close_notify. At most
    /// eight events wait to be polled; when the queue is full the oldest
    /// warning is dropped, so a peer cannot grow it (and the connection is
    /// cut off after `Limits::max_warnings_in_a_row` warnings in a row).
    WarningAlert(AlertDescription),
    /// The handshake waits for the caller to perform an operation (a
    /// signature with a caller-held key): see
    /// [`Connection::operation`](crate::Connection::operation) and
    /// [`Connection::complete_operation`](crate::Connection::complete_operation).
    Operation {
        /// Names the operation in the answer.
        id: crate::keyop::OperationId,
        /// What is asked.
        kind: crate::keyop::OperationKind,
    },
}

/// How the premaster secret was agreed (the first half of a suite's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyExchange {
    /// Ephemeral elliptic-curve Diffie-Hellman, signed by the server
    /// (RFC 8422): forward secret.
    Ecdhe,
    /// RSA key transport (RFC 5246 §7.4.7.1), a legacy opt-in: the client
    /// encrypted the premaster secret to the server certificate's key; not
    /// forward secret.
    Rsa,
    /// A pre-shared key alone (RFC 4279): not forward secret.
    Psk,
    /// Ephemeral ECDH authenticated by a pre-shared key (RFC 5489): forward
    /// secret.
    EcdhePsk,
}

impl KeyExchange {
    /// The name used in cipher suite names: `ECDHE`, `RSA`, `PSK` or
    /// `ECDHE_PSK`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ecdhe => "ECDHE",
            Self::Rsa => "RSA",
            Self::Psk => "PSK",
            Self::EcdhePsk => "ECDHE_PSK",
        }
    }
}

/// What was negotiated, available once the handshake completes.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "alloc", derive(Clone))]
#[non_exhaustive]
pub struct HandshakeInfo {
    /// Always TLS 1.2.
    pub version: ProtocolVersion,
    /// The negotiated suite.
    pub cipher_suite: CipherSuite,
    /// How the premaster secret was agreed.
    pub key_exchange: KeyExchange,
    /// The ECDHE group (`None` for RSA key transport and plain PSK). A
    /// resumed session reports the one of its full handshake.
    pub group: Option<NamedGroup>,
    /// The scheme that signed the server's key exchange (`None` for RSA
    /// key transport and PSK, where nothing is signed). A resumed session
    /// reports the one of its full handshake.
    pub signature_scheme: Option<SignatureScheme>,
    /// The ALPN protocol, if one was agreed (RFC 7301).
    pub alpn_protocol: Option<AlpnProtocol>,
    /// The server name: the one the client sent (SNI).
    pub server_name: Option<HostName>,
    /// The peer's certificate chain, leaf first (empty if it sent none, or
    /// on a client whose `ClientConfig::keep_peer_certificates` is false;
    /// always empty without the `alloc` feature, where a chain is never
    /// kept).
    pub peer_certificates: List<CertificateDer<'static>>,
    /// Whether the extended master secret (RFC 7627) is in use.
    pub extended_master_secret: bool,
    /// Whether the peer signalled RFC 5746 secure renegotiation.
    pub secure_renegotiation: bool,
    /// Whether this was an abbreviated (resumed) handshake.
    pub resumed: bool,
    /// On a client that set `ClientConfig::request_ocsp`: the DER OCSP
    /// response the server stapled in CertificateStatus (RFC 6066 §8), as
    /// received. It is not verified: checking its signature, its freshness
    /// and that it covers the leaf is the caller's business. `None` when
    /// none was stapled, and on servers. A resumed handshake (which sends
    /// no Certificate) reports the response of its full handshake, as it
    /// reports its certificates. Always `None` without the `alloc`
    /// feature, which cannot ask for one.
    pub ocsp_response: Option<List<u8>>,
    /// The pre-shared key identity the client presented, for the PSK
    /// suites (on a server, who connected; `None` otherwise). A resumed
    /// session reports the identity of its full handshake.
    pub psk_identity: Option<PskIdentity>,
    /// Which of our own certificate chains we presented in this handshake:
    /// on a server, 0 for the chain given to `ServerConfig::new` (or
    /// `with_caller_key`) and then each `add_certificate*` in order, whether
    /// the built-in choice or a `CertificateChooser` picked it; on a client,
    /// the index among its `add_client_certificate*` calls. `None` when we
    /// sent no certificate in this handshake (PSK, resumption, a client not
    /// asked for one or with none that fits).
    pub chain_index: Option<usize>,
    /// The scheme of the client's CertificateVerify (RFC 5246 §7.4.8), on
    /// both sides, when the client proved its certificate; `None` otherwise.
    /// A resumed session reports the one of its full handshake, as it
    /// reports the client's certificates.
    pub client_signature_scheme: Option<SignatureScheme>,
    /// The largest plaintext we put in one record: 2^14, or less as
    /// configured or as max_fragment_length (RFC 6066 §4) or the peer's
    /// record_size_limit (RFC 8449 §4) agreed in this handshake.
    pub max_fragment_out: u16,
    /// The largest plaintext we accept in one record: 2^14, or the
    /// max_fragment_length or our record_size_limit agreed in this
    /// handshake (record_size_limit binds protected records only, RFC 8449
    /// §4).
    pub max_fragment_in: u16,
}

/// Bytes a handshake kept for its [`HandshakeInfo`], behind a 2-byte
/// big-endian length: on the heap, or in an area the caller lent
/// ([`Areas`](crate::Areas)), which holds them for as long as the
/// connection reports them and is cleared when given back or dropped.
pub(crate) enum Kept {
    #[cfg(feature = "alloc")]
    Heap(Vec<u8>),
    Lent(&'static mut [u8]),
}

#[cfg_attr(not(feature = "alloc"), allow(irrefutable_let_patterns))]
impl Kept {
    fn prefixed(&self) -> &[u8] {
        match self {
            #[cfg(feature = "alloc")]
            Self::Heap(v) => v,
            Self::Lent(area) => area,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        let prefixed = self.prefixed();
        match prefixed {
            [a, b, rest @ ..] => rest
                .get(..usize::from(u16::from_be_bytes([*a, *b])))
                .unwrap_or_default(),
            _ => &[],
        }
    }

    /// A copy on the heap, length and bytes only (not the rest of an area).
    #[cfg(feature = "alloc")]
    fn to_heap(&self) -> Self {
        let len = 2 + self.as_bytes().len();
        Self::Heap(self.prefixed().get(..len).unwrap_or_default().to_vec())
    }

    /// A lent area back, cleared; the value is empty afterwards.
    fn take_area(&mut self) -> Option<&'static mut [u8]> {
        let Self::Lent(area) = self else {
            return None;
        };
        let area = core::mem::take(area);
        zeroize::Zeroize::zeroize(&mut *area);
        *self = Self::Lent(&mut []);
        Some(area)
    }
}

#[cfg_attr(not(feature = "alloc"), allow(irrefutable_let_patterns))]
impl Drop for Kept {
    fn drop(&mut self) {
        if let Self::Lent(area) = self {
            zeroize::Zeroize::zeroize(&mut **area);
        }
    }
}

/// A host name a handshake kept (the server name a client sent, RFC 6066
/// §3), as text: `&*name` or [`as_str`](Self::as_str). On a connection on
/// lent memory it lies in the caller's `Areas::server_name`; a clone is on
/// the heap.
///
/// ```
/// # fn show(info: &tls12::HandshakeInfo) {
/// if let Some(name) = &info.server_name {
///     println!("the client asked for {name}");
///     assert_eq!(info.server_name.as_deref(), Some(name.as_str()));
/// }
/// # }
/// ```
pub struct HostName(Kept);

impl HostName {
    /// From kept bytes: a 2-byte length, then UTF-8 text (a DNS name).
    pub(crate) fn from_kept(kept: Kept) -> Self {
        Self(kept)
    }

    #[cfg(test)]
    fn from_area(area: &'static mut [u8]) -> Self {
        Self(Kept::Lent(area))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        // Only text that was checked to be a DNS name is kept.
        core::str::from_utf8(self.0.as_bytes()).unwrap_or_default()
    }

    /// The lent area it lies in, given back cleared.
    pub(crate) fn take_area(&mut self) -> Option<&'static mut [u8]> {
        self.0.take_area()
    }
}

impl core::ops::Deref for HostName {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for HostName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl core::fmt::Debug for HostName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl core::fmt::Display for HostName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A copy on the heap.
#[cfg(feature = "alloc")]
impl Clone for HostName {
    fn clone(&self) -> Self {
        Self(self.0.to_heap())
    }
}

impl PartialEq for HostName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for HostName {}

impl PartialEq<str> for HostName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for HostName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A pre-shared key identity a handshake kept (RFC 4279 §5.3), as bytes:
/// `&*identity` or [`as_bytes`](Self::as_bytes). On a connection on lent
/// memory it lies in the caller's `Areas::psk_identity`; a clone is on the
/// heap.
pub struct PskIdentity(Kept);

impl PskIdentity {
    /// From bytes the handshake kept: a 2-byte length, then the identity.
    #[cfg(test)]
    pub(crate) fn from_heap(prefixed: Vec<u8>) -> Self {
        Self(Kept::Heap(prefixed))
    }

    /// From kept bytes: a 2-byte length, then the identity.
    pub(crate) fn from_kept(kept: Kept) -> Self {
        Self(kept)
    }

    /// The identity.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The lent area it lies in, given back cleared.
    pub(crate) fn take_area(&mut self) -> Option<&'static mut [u8]> {
        self.0.take_area()
    }
}

impl core::ops::Deref for PskIdentity {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for PskIdentity {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// As a byte string (identities are usually text).
impl core::fmt::Debug for PskIdentity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "\"{}\"", self.as_bytes().escape_ascii())
    }
}

/// A copy on the heap.
#[cfg(feature = "alloc")]
impl Clone for PskIdentity {
    fn clone(&self) -> Self {
        Self(self.0.to_heap())
    }
}

impl PartialEq for PskIdentity {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PskIdentity {}

impl PartialEq<[u8]> for PskIdentity {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

/// The ALPN protocol a handshake agreed (RFC 7301), as bytes: `&*protocol`
/// or [`as_bytes`](Self::as_bytes). On a connection on lent memory it lies
/// in the caller's `Areas::alpn`; a clone is on the heap.
pub struct AlpnProtocol(Kept);

impl AlpnProtocol {
    /// From kept bytes: a 2-byte length, then the protocol name.
    pub(crate) fn from_kept(kept: Kept) -> Self {
        Self(kept)
    }

    /// The protocol name.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The lent area it lies in, given back cleared.
    pub(crate) fn take_area(&mut self) -> Option<&'static mut [u8]> {
        self.0.take_area()
    }
}

impl core::ops::Deref for AlpnProtocol {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for AlpnProtocol {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// As a byte string (protocol names are usually text: `"h2"`).
impl core::fmt::Debug for AlpnProtocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "\"{}\"", self.as_bytes().escape_ascii())
    }
}

/// A copy on the heap.
#[cfg(feature = "alloc")]
impl Clone for AlpnProtocol {
    fn clone(&self) -> Self {
        Self(self.0.to_heap())
    }
}

impl PartialEq for AlpnProtocol {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for AlpnProtocol {}

impl PartialEq<[u8]> for AlpnProtocol {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::format;
    use alloc::vec;

    /// Kept values read their length, not the rest of a lent area; a
    /// clone is on the heap and equal; giving the area back clears it.
    #[test]
    fn kept_values_in_an_area() {
        let area: &'static mut [u8] = Box::leak(vec![0xee; 20].into_boxed_slice());
        area[..2].copy_from_slice(&9u16.to_be_bytes());
        area[2..11].copy_from_slice(b"localhost");
        let mut name = HostName::from_area(area);
        assert_eq!(name.as_str(), "localhost");
        assert_eq!(format!("{name:?} {name}"), "\"localhost\" localhost");
        let copy = name.clone();
        assert_eq!(copy, name);
        assert_eq!(copy.0.prefixed().len(), 11, "the copy holds the name only");
        let back = name.take_area().unwrap();
        assert!(back.iter().all(|&b| b == 0) && back.len() == 20);
        assert_eq!(name.as_str(), "");
        assert!(
            copy.clone().take_area().is_none(),
            "a heap copy lends nothing"
        );
        let id = PskIdentity::from_heap(vec![0, 3, b'i', b'd', 0]);
        assert_eq!(id.as_bytes(), b"id\0");
        assert_eq!(format!("{id:?}"), "\"id\\x00\"");
        // A prefix longer than what follows reads as empty, never panics.
        assert_eq!(PskIdentity::from_heap(vec![0, 9, 1]).as_bytes(), b"");
        assert_eq!(PskIdentity::from_heap(vec![0]).as_bytes(), b"");
    }
}
