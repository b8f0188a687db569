//! Hello extensions (RFC 5246 §7.4.1.4 and the RFCs that define each one).
//!
//! Lists keep the peer's order and unknown extensions keep their bytes, so a
//! decoded hello re-encodes to exactly the bytes received.

use super::enums::{
    EcPointFormat, ExtensionType, MaxFragmentLength, NamedGroup, ProtocolVersion, SignatureScheme,
};
use super::list::List;
use super::{Codec, Reader, Writer};
use crate::error::Error;

/// Extensions a client may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClientExtension<'a> {
    /// RFC 6066 §3: a list of names, at most one of each type.
    ServerName(ServerNameList<'a>),
    SupportedGroups(List<'a, NamedGroup>),
    EcPointFormats(List<'a, EcPointFormat>),
    SignatureAlgorithms(List<'a, SignatureScheme>),
    /// RFC 7301 §3.1: non-empty list of non-empty names.
    Alpn(List<'a, ProtocolName<'a>>),
    /// The same, our offer as the configuration holds it: encoded from
    /// there without building a list (never decoded).
    AlpnOffer(&'a [crate::shared::List<u8>]),
    /// RFC 7627 §5.1: empty body.
    ExtendedMasterSecret,
    /// RFC 5746 §3.2: `renegotiated_connection<0..255>`.
    RenegotiationInfo(&'a [u8]),
    /// RFC 5077 §3.2: the ticket, possibly empty.
    SessionTicket(&'a [u8]),
    /// RFC 8446 §4.2.1.
    SupportedVersions(List<'a, ProtocolVersion>),
    /// RFC 6066 §8: `CertificateStatusRequest`, kept whole (checked on
    /// decode when its type is ocsp).
    StatusRequest(&'a [u8]),
    /// RFC 6066 §4: one byte, a code of 1 to 4.
    MaxFragmentLength(MaxFragmentLength),
    /// RFC 8449 §4: `uint16 RecordSizeLimit`, at least 64.
    RecordSizeLimit(u16),
    Unknown {
        typ: u16,
        body: &'a [u8],
    },
}

/// Extensions a server may send in ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerExtension<'a> {
    /// RFC 6066 §3: empty, acknowledging the client's server_name.
    ServerNameAck,
    EcPointFormats(List<'a, EcPointFormat>),
    /// RFC 7301 §3.1: exactly one protocol name.
    Alpn(&'a [u8]),
    ExtendedMasterSecret,
    RenegotiationInfo(&'a [u8]),
    /// RFC 5077 §3.2: empty, promising a NewSessionTicket.
    SessionTicketAck,
    /// RFC 6066 §8: empty, announcing a CertificateStatus message.
    StatusRequestAck,
    /// RFC 6066 §4: the client's code, echoed.
    MaxFragmentLength(MaxFragmentLength),
    /// RFC 8449 §4: the server's own limit, at least 64.
    RecordSizeLimit(u16),
    Unknown {
        typ: u16,
        body: &'a [u8],
    },
}

/// `NameType host_name(0)` (RFC 6066 §3).
const HOST_NAME: u8 = 0;

/// The server_name extension's list (RFC 6066 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerNameList<'a> {
    /// One host_name, as our client sends it.
    HostName(&'a [u8]),
    /// A list as received: its entries, kept whole so that it re-encodes to
    /// the same bytes, and the host_name among them, if any.
    Received {
        entries: &'a [u8],
        host_name: Option<&'a [u8]>,
    },
}

impl<'a> ServerNameList<'a> {
    /// The host_name entry, if the list has one.
    pub(crate) fn host_name(&self) -> Option<&'a [u8]> {
        match *self {
            Self::HostName(name) => Some(name),
            Self::Received { host_name, .. } => host_name,
        }
    }
}

/// RFC 6066 §3: `ServerName server_name_list<1..2^16-1>`, each entry
/// `NameType name_type; select (name_type) { case host_name: HostName; }`
/// with `opaque HostName<1..2^16-1>`.
///
/// Only host_name is defined, but §3 requires the data of every future name
/// type to begin with a 16-bit length, so an entry of a type we do not know
/// is skipped, not refused. The list "MUST NOT contain more than one name of
/// the same name_type": a second host_name is illegal_parameter.
fn decode_server_name<'a>(r: &mut Reader<'a>) -> Result<ServerNameList<'a>, Error> {
    const WHAT: &str = "server_name extension";
    let entries = r.vec_u16(WHAT)?;
    if entries.is_empty() {
        return Err(Error::Decode(WHAT));
    }
    let mut list = Reader::new(entries);
    let mut host_name = None;
    while !list.is_empty() {
        let typ = list.u8(WHAT)?;
        let name = list.vec_u16(WHAT)?;
        if typ != HOST_NAME {
            continue;
        }
        if name.is_empty() {
            return Err(Error::Decode(WHAT));
        }
        if host_name.replace(name).is_some() {
            return Err(Error::IllegalParameter(
                "server_name lists two host_name entries (RFC 6066 §3)",
            ));
        }
    }
    Ok(ServerNameList::Received { entries, host_name })
}

fn encode_server_name(list: &ServerNameList<'_>, out: &mut impl Writer) {
    out.with_len(2, |out| match list {
        ServerNameList::HostName(name) => {
            out.put_u8(HOST_NAME);
            out.with_len(2, |out| out.put(name));
        }
        ServerNameList::Received { entries, .. } => out.put(entries),
    });
}

/// RFC 7301 §3.1: `opaque ProtocolName<1..2^8-1>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProtocolName<'a>(pub &'a [u8]);

const ALPN: &str = "application_layer_protocol_negotiation extension";

impl<'a> Codec<'a> for ProtocolName<'a> {
    fn encode(&self, out: &mut impl Writer) {
        out.with_len(1, |out| out.put(self.0));
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let name = r.vec_u8(ALPN)?;
        if name.is_empty() {
            return Err(Error::Decode(ALPN));
        }
        Ok(Self(name))
    }
}

/// RFC 7301 §3.1: `ProtocolName protocol_name_list<2..2^16-1>`.
fn decode_alpn<'a>(r: &mut Reader<'a>) -> Result<List<'a, ProtocolName<'a>>, Error> {
    List::decode_nonempty(r, 2, ALPN)
}

/// Reads the `ExtensionType extension_type; opaque extension_data<0..2^16-1>`
/// frame (RFC 5246 §7.4.1.4).
fn read_frame<'a>(r: &mut Reader<'a>) -> Result<(u16, &'a [u8]), Error> {
    let typ = r.u16("extension type")?;
    let body = r.vec_u16("extension data")?;
    Ok((typ, body))
}

fn write_frame<W: Writer>(typ: ExtensionType, out: &mut W, f: impl FnOnce(&mut W)) {
    out.put_u16(typ.to_wire());
    out.with_len(2, f);
}

/// `CertificateStatusType` ocsp(1) (RFC 6066 §8).
pub(crate) const STATUS_TYPE_OCSP: u8 = 1;

/// The body our client sends: an OCSP request naming no responders and no
/// request extensions (RFC 6066 §8: the responder is then known by prior
/// arrangement).
pub(crate) const OCSP_STATUS_REQUEST: [u8; 5] = [STATUS_TYPE_OCSP, 0, 0, 0, 0];

/// RFC 6066 §8: `struct { CertificateStatusType status_type; select
/// (status_type) { case ocsp: OCSPStatusRequest; } request; }` with
/// `OCSPStatusRequest { ResponderID responder_id_list<0..2^16-1>;
/// Extensions request_extensions; }`, `opaque ResponderID<1..2^16-1>` and
/// `opaque Extensions<0..2^16-1>`. A status type we do not know is kept
/// unread (a server ignores it).
fn check_status_request(body: &[u8]) -> Result<(), Error> {
    const WHAT: &str = "status_request extension";
    let mut r = Reader::new(body);
    if r.u8(WHAT)? != STATUS_TYPE_OCSP {
        return Ok(());
    }
    let mut ids = Reader::new(r.vec_u16(WHAT)?);
    while !ids.is_empty() {
        if ids.vec_u16(WHAT)?.is_empty() {
            return Err(Error::Decode(WHAT));
        }
    }
    r.vec_u16(WHAT)?;
    r.expect_empty(WHAT)
}

/// RFC 6066 §4: `enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) }
/// MaxFragmentLength`; "a value other than the allowed values" is
/// illegal_parameter.
fn decode_max_fragment_length(r: &mut Reader<'_>) -> Result<MaxFragmentLength, Error> {
    MaxFragmentLength::from_code(r.u8("max_fragment_length extension")?).ok_or(
        Error::IllegalParameter("max_fragment_length is not 1 to 4 (RFC 6066 §4)"),
    )
}

/// RFC 8449 §4: `uint16 RecordSizeLimit`; "Endpoints MUST NOT send a
/// "record_size_limit" extension with a value smaller than 64. An endpoint
/// MUST treat receipt of a smaller value as a fatal error and generate an
/// "illegal_parameter" alert." A value above 2^14 is kept: a server must
/// not refuse it (the caller clamps it).
fn decode_record_size_limit(r: &mut Reader<'_>) -> Result<u16, Error> {
    let limit = r.u16("record_size_limit extension")?;
    if limit < 64 {
        return Err(Error::IllegalParameter(
            "record_size_limit below 64 (RFC 8449 §4)",
        ));
    }
    Ok(limit)
}

/// Fails with decode_error unless the extension body is empty.
fn expect_empty_body(body: &[u8], what: &'static str) -> Result<(), Error> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(Error::Decode(what))
    }
}

impl ClientExtension<'_> {
    /// The extension's type code.
    pub(crate) fn typ(&self) -> ExtensionType {
        match self {
            Self::ServerName(_) => ExtensionType::ServerName,
            Self::SupportedGroups(_) => ExtensionType::SupportedGroups,
            Self::EcPointFormats(_) => ExtensionType::EcPointFormats,
            Self::SignatureAlgorithms(_) => ExtensionType::SignatureAlgorithms,
            Self::Alpn(_) | Self::AlpnOffer(_) => ExtensionType::Alpn,
            Self::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            Self::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            Self::SessionTicket(_) => ExtensionType::SessionTicket,
            Self::SupportedVersions(_) => ExtensionType::SupportedVersions,
            Self::StatusRequest(_) => ExtensionType::StatusRequest,
            Self::MaxFragmentLength(_) => ExtensionType::MaxFragmentLength,
            Self::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            Self::Unknown { typ, .. } => ExtensionType::from_wire(*typ),
        }
    }
}

impl<'a> Codec<'a> for ClientExtension<'a> {
    fn encode(&self, out: &mut impl Writer) {
        let typ = self.typ();
        write_frame(typ, out, |out| match self {
            Self::ServerName(name) => encode_server_name(name, out),
            Self::SupportedGroups(v) => v.encode(2, out),
            Self::EcPointFormats(v) => v.encode(1, out),
            Self::SignatureAlgorithms(v) => v.encode(2, out),
            Self::Alpn(names) => names.encode(2, out),
            Self::AlpnOffer(names) => out.with_len(2, |out| {
                for name in names.iter() {
                    ProtocolName(name).encode(out);
                }
            }),
            Self::ExtendedMasterSecret => {}
            Self::RenegotiationInfo(v) => out.with_len(1, |out| out.put(v)),
            Self::SessionTicket(t) => out.put(t),
            Self::SupportedVersions(v) => v.encode(1, out),
            Self::StatusRequest(body) => out.put(body),
            Self::MaxFragmentLength(len) => out.put_u8(len.code()),
            Self::RecordSizeLimit(limit) => out.put_u16(*limit),
            Self::Unknown { body, .. } => out.put(body),
        });
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let (typ, body) = read_frame(r)?;
        let mut b = Reader::new(body);
        let ext =
            match ExtensionType::from_wire(typ) {
                ExtensionType::ServerName => Self::ServerName(decode_server_name(&mut b)?),
                // RFC 8422 §5.1.1: `NamedCurve named_curve_list<2..2^16-1>`.
                ExtensionType::SupportedGroups => Self::SupportedGroups(List::decode_nonempty(
                    &mut b,
                    2,
                    "supported_groups extension",
                )?),
                // RFC 8422 §5.1.2: `ECPointFormat ec_point_format_list<1..2^8-1>`.
                ExtensionType::EcPointFormats => Self::EcPointFormats(List::decode_nonempty(
                    &mut b,
                    1,
                    "ec_point_formats extension",
                )?),
                // RFC 5246 §7.4.1.4.1:
                // `SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>`.
                ExtensionType::SignatureAlgorithms => Self::SignatureAlgorithms(
                    List::decode_nonempty(&mut b, 2, "signature_algorithms extension")?,
                ),
                ExtensionType::Alpn => Self::Alpn(decode_alpn(&mut b)?),
                // RFC 7627 §5.1: "extension_data" is empty.
                ExtensionType::ExtendedMasterSecret => {
                    expect_empty_body(body, "extended_master_secret extension")?;
                    Self::ExtendedMasterSecret
                }
                // RFC 5746 §3.2: `opaque renegotiated_connection<0..255>`.
                ExtensionType::RenegotiationInfo => {
                    Self::RenegotiationInfo(b.vec_u8("renegotiation_info extension")?)
                }
                // RFC 5077 §3.2: the body is the ticket itself, not length-prefixed.
                ExtensionType::SessionTicket => {
                    Self::SessionTicket(b.take(b.left(), "session_ticket extension")?)
                }
                // RFC 8446 §4.2.1: `ProtocolVersion versions<2..254>` in ClientHello.
                ExtensionType::SupportedVersions => Self::SupportedVersions(List::decode_nonempty(
                    &mut b,
                    1,
                    "supported_versions extension",
                )?),
                ExtensionType::StatusRequest => {
                    let all = b.take(b.left(), "status_request extension")?;
                    check_status_request(all)?;
                    Self::StatusRequest(all)
                }
                ExtensionType::MaxFragmentLength => {
                    Self::MaxFragmentLength(decode_max_fragment_length(&mut b)?)
                }
                ExtensionType::RecordSizeLimit => {
                    Self::RecordSizeLimit(decode_record_size_limit(&mut b)?)
                }
                _ => {
                    // Kept as received; the state machine decides.
                    Self::Unknown {
                        typ,
                        body: b.take(b.left(), "extension data")?,
                    }
                }
            };
        b.expect_empty("extension data")?;
        Ok(ext)
    }
}

impl ServerExtension<'_> {
    /// The extension's type code.
    pub(crate) fn typ(&self) -> ExtensionType {
        match self {
            Self::ServerNameAck => ExtensionType::ServerName,
            Self::EcPointFormats(_) => ExtensionType::EcPointFormats,
            Self::Alpn(_) => ExtensionType::Alpn,
            Self::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            Self::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            Self::SessionTicketAck => ExtensionType::SessionTicket,
            Self::StatusRequestAck => ExtensionType::StatusRequest,
            Self::MaxFragmentLength(_) => ExtensionType::MaxFragmentLength,
            Self::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            Self::Unknown { typ, .. } => ExtensionType::from_wire(*typ),
        }
    }
}

impl<'a> Codec<'a> for ServerExtension<'a> {
    fn encode(&self, out: &mut impl Writer) {
        let typ = self.typ();
        write_frame(typ, out, |out| match self {
            Self::ServerNameAck
            | Self::ExtendedMasterSecret
            | Self::SessionTicketAck
            | Self::StatusRequestAck => {}
            Self::EcPointFormats(v) => v.encode(1, out),
            Self::Alpn(name) => List::borrowed(&[ProtocolName(name)]).encode(2, out),
            Self::RenegotiationInfo(v) => out.with_len(1, |out| out.put(v)),
            Self::MaxFragmentLength(len) => out.put_u8(len.code()),
            Self::RecordSizeLimit(limit) => out.put_u16(*limit),
            Self::Unknown { body, .. } => out.put(body),
        });
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let (typ, body) = read_frame(r)?;
        let mut b = Reader::new(body);
        let ext = match ExtensionType::from_wire(typ) {
            // RFC 6066 §3: the server's "extension_data" field SHALL be empty.
            ExtensionType::ServerName => {
                expect_empty_body(body, "server_name extension")?;
                Self::ServerNameAck
            }
            ExtensionType::EcPointFormats => Self::EcPointFormats(List::decode_nonempty(
                &mut b,
                1,
                "ec_point_formats extension",
            )?),
            // RFC 7301 §3.1: the server's list MUST contain exactly one name.
            ExtensionType::Alpn => {
                let names = decode_alpn(&mut b)?;
                let mut names = names.iter();
                match (names.next(), names.next()) {
                    (Some(ProtocolName(name)), None) => Self::Alpn(name),
                    _ => {
                        return Err(Error::Decode(
                            "application_layer_protocol_negotiation extension",
                        ))
                    }
                }
            }
            ExtensionType::ExtendedMasterSecret => {
                expect_empty_body(body, "extended_master_secret extension")?;
                Self::ExtendedMasterSecret
            }
            ExtensionType::RenegotiationInfo => {
                Self::RenegotiationInfo(b.vec_u8("renegotiation_info extension")?)
            }
            // RFC 5077 §3.2: the server's SessionTicket extension is empty.
            ExtensionType::SessionTicket => {
                expect_empty_body(body, "session_ticket extension")?;
                Self::SessionTicketAck
            }
            // RFC 6066 §8: the server's "extension_data" SHALL be empty.
            ExtensionType::StatusRequest => {
                expect_empty_body(body, "status_request extension")?;
                Self::StatusRequestAck
            }
            ExtensionType::MaxFragmentLength => {
                Self::MaxFragmentLength(decode_max_fragment_length(&mut b)?)
            }
            ExtensionType::RecordSizeLimit => {
                Self::RecordSizeLimit(decode_record_size_limit(&mut b)?)
            }
            _ => {
                // Kept as received; the state machine decides.
                Self::Unknown {
                    typ,
                    body: b.take(b.left(), "extension data")?,
                }
            }
        };
        b.expect_empty("extension data")?;
        Ok(ext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Frames `body` as an extension of type `typ`.
    fn ext(typ: u16, body: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.put_u16(typ);
        v.with_len(2, |v| v.put(body));
        v
    }

    fn client(typ: u16, body: &[u8]) -> Result<ClientExtension<'static>, Error> {
        let wire = alloc::boxed::Box::leak(ext(typ, body).into_boxed_slice());
        ClientExtension::decode_exact(wire, "extension")
    }

    fn server(typ: u16, body: &[u8]) -> Result<ServerExtension<'static>, Error> {
        let wire = alloc::boxed::Box::leak(ext(typ, body).into_boxed_slice());
        ServerExtension::decode_exact(wire, "extension")
    }

    fn is_decode<T>(r: Result<T, Error>) -> bool {
        matches!(r, Err(Error::Decode(_)))
    }

    #[test]
    fn server_name_rules() {
        let host = |r: Result<ClientExtension<'static>, Error>| match r {
            Ok(ClientExtension::ServerName(list)) => list.host_name(),
            other => panic!("{other:?}"),
        };
        assert_eq!(host(client(0, &[0, 4, 0, 0, 1, b'a'])), Some(&b"a"[..]));
        // RFC 6066 §3: an entry of a type we do not know is skipped, before
        // or after the host_name; a list of unknown types only has none.
        assert_eq!(
            host(client(0, &[0, 8, 7, 0, 1, b'x', 0, 0, 1, b'a'])),
            Some(&b"a"[..])
        );
        assert_eq!(
            host(client(0, &[0, 8, 0, 0, 1, b'a', 9, 0, 1, b'y'])),
            Some(&b"a"[..])
        );
        assert_eq!(host(client(0, &[0, 4, 1, 0, 1, b'a'])), None);
        // A received list re-encodes to the same bytes.
        let ext = client(0, &[0, 8, 7, 0, 1, b'x', 0, 0, 1, b'a']).unwrap();
        let mut out = Vec::new();
        ext.encode(&mut out);
        assert_eq!(out, [0, 0, 0, 10, 0, 8, 7, 0, 1, b'x', 0, 0, 1, b'a']);
        // Two host_names: illegal_parameter.
        assert_eq!(
            client(0, &[0, 8, 0, 0, 1, b'a', 0, 0, 1, b'b']),
            Err(Error::IllegalParameter(
                "server_name lists two host_name entries (RFC 6066 §3)"
            ))
        );
        // Empty list, empty host name, truncated entry, trailing bytes.
        assert!(is_decode(client(0, &[0, 0])));
        assert!(is_decode(client(0, &[0, 3, 0, 0, 0])));
        assert!(is_decode(client(0, &[0, 3, 7, 0, 1])));
        assert!(is_decode(client(0, &[0, 4, 0, 0, 1, b'a', 0])));
        assert!(is_decode(client(0, &[])));
        // ServerNameAck is empty (RFC 6066 §3).
        assert_eq!(server(0, &[]), Ok(ServerExtension::ServerNameAck));
        assert!(is_decode(server(0, &[0, 0])));
    }

    #[test]
    fn list_minimums() {
        assert!(is_decode(client(10, &[0, 0])));
        assert!(is_decode(client(10, &[0, 3, 0, 0x17, 0])));
        assert!(is_decode(client(11, &[0])));
        assert!(is_decode(server(11, &[0])));
        assert!(is_decode(client(13, &[0, 0])));
        assert!(is_decode(client(13, &[0, 1, 4])));
        assert!(is_decode(client(43, &[0])));
        assert!(is_decode(client(43, &[1, 3])));
        assert_eq!(
            client(43, &[2, 3, 3]),
            Ok(ClientExtension::SupportedVersions(List::borrowed(&[
                ProtocolVersion::Tls12
            ])))
        );
        assert_eq!(
            client(10, &[0, 2, 0, 0x1d]),
            Ok(ClientExtension::SupportedGroups(List::borrowed(&[
                NamedGroup::X25519
            ])))
        );
    }

    #[test]
    fn alpn_rules() {
        assert_eq!(
            client(16, &[0, 6, 2, b'h', b'2', 2, b'h', b'3']),
            Ok(ClientExtension::Alpn(List::borrowed(&[
                ProtocolName(b"h2"),
                ProtocolName(b"h3")
            ])))
        );
        assert!(is_decode(client(16, &[0, 0])));
        assert!(is_decode(client(16, &[0, 1, 0])));
        assert!(is_decode(client(16, &[0, 4, 2, b'h', b'2', 0])));
        assert!(is_decode(client(16, &[0, 3, 3, b'h', b'2'])));
        assert_eq!(
            server(16, &[0, 3, 2, b'h', b'2']),
            Ok(ServerExtension::Alpn(b"h2"))
        );
        // RFC 7301 §3.1: exactly one name in ServerHello.
        assert!(is_decode(server(16, &[0, 6, 2, b'h', b'2', 2, b'h', b'3'])));
        assert!(is_decode(server(16, &[0, 0])));
    }

    #[test]
    fn empty_and_raw_bodies() {
        assert_eq!(client(23, &[]), Ok(ClientExtension::ExtendedMasterSecret));
        assert!(is_decode(client(23, &[0])));
        assert_eq!(server(23, &[]), Ok(ServerExtension::ExtendedMasterSecret));
        assert!(is_decode(server(23, &[0])));
        assert_eq!(
            client(35, &[1, 2, 3]),
            Ok(ClientExtension::SessionTicket(&[1, 2, 3]))
        );
        assert_eq!(client(35, &[]), Ok(ClientExtension::SessionTicket(&[])));
        assert_eq!(server(35, &[]), Ok(ServerExtension::SessionTicketAck));
        assert!(is_decode(server(35, &[1])));
        assert_eq!(
            client(0xff01, &[0]),
            Ok(ClientExtension::RenegotiationInfo(&[]))
        );
        assert_eq!(
            server(0xff01, &[2, 7, 8]),
            Ok(ServerExtension::RenegotiationInfo(&[7, 8]))
        );
        assert!(is_decode(client(0xff01, &[])));
        assert!(is_decode(client(0xff01, &[0, 0])));
        assert!(is_decode(server(0xff01, &[2, 7])));
        assert_eq!(
            client(51, &[9, 9]),
            Ok(ClientExtension::Unknown {
                typ: 51,
                body: &[9, 9]
            })
        );
        // supported_groups is not a server extension in TLS 1.2: kept raw.
        assert_eq!(
            server(10, &[9]),
            Ok(ServerExtension::Unknown {
                typ: 10,
                body: &[9]
            })
        );
    }

    #[test]
    fn truncated_frame() {
        let wire = ext(23, &[]);
        for cut in 0..wire.len() {
            assert!(is_decode(ClientExtension::decode_exact(
                &wire[..cut],
                "extension"
            )));
        }
    }

    /// RFC 6066 §8: status_request, as a client sends it and as a server
    /// acknowledges it.
    #[test]
    fn status_request_rules() {
        // Ours: ocsp, no responder IDs, no request extensions.
        assert_eq!(
            client(5, &OCSP_STATUS_REQUEST),
            Ok(ClientExtension::StatusRequest(&OCSP_STATUS_REQUEST[..]))
        );
        // Responder IDs and extensions are read through and kept.
        let with_ids = [1, 0, 5, 0, 3, 9, 9, 9, 0, 2, 7, 7];
        assert_eq!(
            client(5, &with_ids),
            Ok(ClientExtension::StatusRequest(&with_ids[..]))
        );
        // `opaque ResponderID<1..2^16-1>`: an empty one is malformed.
        assert!(is_decode(client(5, &[1, 0, 2, 0, 0, 0, 0])));
        // Lengths past the end, a missing extensions field, trailing bytes.
        assert!(is_decode(client(5, &[1, 0, 9, 0, 0])));
        assert!(is_decode(client(5, &[1, 0, 0])));
        assert!(is_decode(client(5, &[1, 0, 0, 0, 0, 0])));
        assert!(is_decode(client(5, &[])));
        // Another status type is kept unread (a server ignores it).
        assert_eq!(
            client(5, &[2, 0xff]),
            Ok(ClientExtension::StatusRequest(&[2, 0xff][..]))
        );
        // The server's acknowledgement is empty.
        assert_eq!(server(5, &[]), Ok(ServerExtension::StatusRequestAck));
        assert!(is_decode(server(5, &[0])));
        // Both re-encode to the bytes received.
        let mut out = Vec::new();
        ClientExtension::StatusRequest(&with_ids).encode(&mut out);
        assert_eq!(out, ext(5, &with_ids));
        out.clear();
        ServerExtension::StatusRequestAck.encode(&mut out);
        assert_eq!(out, ext(5, &[]));
    }

    /// RFC 6066 §4 and RFC 8449 §4 in both hellos: the four codes and
    /// limits from 64 decode and re-encode; other codes and limits below 64
    /// are illegal_parameter; a wrong length is decode_error.
    #[test]
    fn record_limit_rules() {
        for (code, len) in [(1u8, 512u16), (2, 1024), (3, 2048), (4, 4096)] {
            let mfl = MaxFragmentLength::from_code(code).unwrap();
            assert_eq!(mfl.length(), len);
            assert_eq!(
                client(1, &[code]),
                Ok(ClientExtension::MaxFragmentLength(mfl))
            );
            assert_eq!(
                server(1, &[code]),
                Ok(ServerExtension::MaxFragmentLength(mfl))
            );
            let mut out = Vec::new();
            ClientExtension::MaxFragmentLength(mfl).encode(&mut out);
            assert_eq!(out, ext(1, &[code]));
        }
        for code in [0u8, 5, 255] {
            assert!(matches!(
                client(1, &[code]),
                Err(Error::IllegalParameter(_))
            ));
            assert!(matches!(
                server(1, &[code]),
                Err(Error::IllegalParameter(_))
            ));
        }
        assert!(is_decode(client(1, &[])));
        assert!(is_decode(client(1, &[1, 1])));
        assert!(is_decode(server(1, &[])));

        for limit in [64u16, 512, 16384, 16385, u16::MAX] {
            let body = limit.to_be_bytes();
            assert_eq!(
                client(28, &body),
                Ok(ClientExtension::RecordSizeLimit(limit))
            );
            assert_eq!(
                server(28, &body),
                Ok(ServerExtension::RecordSizeLimit(limit))
            );
            let mut out = Vec::new();
            ServerExtension::RecordSizeLimit(limit).encode(&mut out);
            assert_eq!(out, ext(28, &body));
        }
        for limit in [0u16, 1, 63] {
            let body = limit.to_be_bytes();
            assert!(matches!(client(28, &body), Err(Error::IllegalParameter(_))));
            assert!(matches!(server(28, &body), Err(Error::IllegalParameter(_))));
        }
        assert!(is_decode(client(28, &[1])));
        assert!(is_decode(client(28, &[1, 0, 0])));
        assert!(is_decode(server(28, &[])));
    }
}
