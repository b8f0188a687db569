//! Hello extensions (RFC 5246 §7.4.1.4 and the RFCs that define each one).
//!
//! Lists keep the peer's order and unknown extensions keep their bytes, so a
//! decoded hello re-encodes to exactly the bytes received.

use alloc::vec::Vec;

use super::enums::{EcPointFormat, NamedGroup, ProtocolVersion, SignatureScheme};

/// Extensions a client may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClientExtension<'a> {
    /// RFC 6066 §3: exactly one host_name entry.
    ServerName(&'a [u8]),
    SupportedGroups(Vec<NamedGroup>),
    EcPointFormats(Vec<EcPointFormat>),
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// RFC 7301 §3.1: non-empty list of non-empty names.
    Alpn(Vec<&'a [u8]>),
    /// RFC 7627 §5.1: empty body.
    ExtendedMasterSecret,
    /// RFC 5746 §3.2: `renegotiated_connection<0..255>`.
    RenegotiationInfo(&'a [u8]),
    /// RFC 5077 §3.2: the ticket, possibly empty.
    SessionTicket(&'a [u8]),
    /// RFC 8446 §4.2.1.
    SupportedVersions(Vec<ProtocolVersion>),
    Unknown { typ: u16, body: &'a [u8] },
}

/// Extensions a server may send in ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerExtension<'a> {
    /// RFC 6066 §3: empty, acknowledging the client's server_name.
    ServerNameAck,
    EcPointFormats(Vec<EcPointFormat>),
    /// RFC 7301 §3.1: exactly one protocol name.
    Alpn(&'a [u8]),
    ExtendedMasterSecret,
    RenegotiationInfo(&'a [u8]),
    /// RFC 5077 §3.2: empty, promising a NewSessionTicket.
    SessionTicketAck,
    Unknown { typ: u16, body: &'a [u8] },
}
