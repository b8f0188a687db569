//! Property tests for the message codec: structured values round-trip through
//! their encoding, decodable bytes re-encode exactly, and no input panics.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::alert::AlertMessage;
use super::enums::{AlertDescription, AlertLevel};
use super::enums::{
    CipherSuite, ClientCertificateType, Compression, EcCurveType, EcPointFormat, ExtensionType,
    HandshakeType, MaxFragmentLength, NamedGroup, ProtocolVersion, SignatureScheme,
};
use super::extensions::{ClientExtension, ProtocolName, ServerExtension, ServerNameList};
use super::handshake::{
    decode_ecdh_public, decode_encrypted_premaster, decode_handshake, encode_encrypted_premaster,
    encode_handshake, handshake_type, CertificateMsg, CertificateRequest, ClientHello,
    DigitallySigned, DistinguishedName, EcdheParams, EcdheServerKeyExchange, HandshakeMessage,
    NewSessionTicket, Random, ServerHello, SessionId,
};
use super::Codec;
use rustls_pki_types::CertificateDer;

/// Owned bytes leaked to `'static` so generated values can borrow them as
/// decoded messages do. Test-only; the sizes are small.
fn bytes(len: core::ops::Range<usize>) -> impl Strategy<Value = &'static [u8]> {
    prop::collection::vec(any::<u8>(), len).prop_map(|v| &*Box::leak(v.into_boxed_slice()))
}

fn list<T: core::fmt::Debug>(
    s: impl Strategy<Value = T>,
    len: core::ops::Range<usize>,
) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(s, len)
}

fn group() -> impl Strategy<Value = NamedGroup> {
    any::<u16>().prop_map(NamedGroup::from_wire)
}
fn scheme() -> impl Strategy<Value = SignatureScheme> {
    any::<u16>().prop_map(SignatureScheme::from_wire)
}
fn version() -> impl Strategy<Value = ProtocolVersion> {
    any::<u16>().prop_map(ProtocolVersion::from_wire)
}
fn point_format() -> impl Strategy<Value = EcPointFormat> {
    any::<u8>().prop_map(EcPointFormat::from_wire)
}
fn suite() -> impl Strategy<Value = CipherSuite> {
    any::<u16>().prop_map(CipherSuite::from_wire)
}
fn compression() -> impl Strategy<Value = Compression> {
    any::<u8>().prop_map(Compression::from_wire)
}
fn random() -> impl Strategy<Value = Random> {
    any::<[u8; 32]>().prop_map(Random)
}
fn session_id() -> impl Strategy<Value = SessionId> {
    prop::collection::vec(any::<u8>(), 0..=32).prop_map(|v| SessionId::new(&v).unwrap())
}

/// Extension types with a typed client variant; `Unknown` must avoid them.
const CLIENT_TYPED: [u16; 11] = [0, 1, 10, 11, 13, 16, 23, 28, 0xff01, 35, 43];
/// Extension types with a typed server variant.
const SERVER_TYPED: [u16; 8] = [0, 1, 11, 16, 23, 28, 0xff01, 35];

/// RFC 6066 §4's four lengths.
fn max_fragment_length() -> impl Strategy<Value = MaxFragmentLength> {
    prop::sample::select(vec![
        MaxFragmentLength::L512,
        MaxFragmentLength::L1024,
        MaxFragmentLength::L2048,
        MaxFragmentLength::L4096,
    ])
}

/// A received server_name list (RFC 6066 §3): entries of any type, at most
/// one of them host_name, as a decoder returns them.
fn server_names() -> impl Strategy<Value = ServerNameList<'static>> {
    (
        list((1u8..=255, bytes(0..8)), 0..3),
        prop::option::of(bytes(1..20)),
        any::<usize>(),
    )
        .prop_filter_map("a non-empty list", |(others, host, at)| {
            let mut entries: Vec<(u8, &[u8])> = others;
            if let Some(h) = host {
                let at = at % (entries.len() + 1);
                entries.insert(at, (0, h));
            }
            if entries.is_empty() {
                return None;
            }
            let mut raw = Vec::new();
            for (typ, name) in &entries {
                raw.push(*typ);
                raw.extend_from_slice(&u16::try_from(name.len()).unwrap().to_be_bytes());
                raw.extend_from_slice(name);
            }
            Some(ServerNameList::Received {
                entries: Box::leak(raw.into_boxed_slice()),
                host_name: host,
            })
        })
}

fn client_ext() -> impl Strategy<Value = ClientExtension<'static>> {
    prop_oneof![
        server_names().prop_map(ClientExtension::ServerName),
        list(group(), 1..8).prop_map(|v| ClientExtension::SupportedGroups(v.into())),
        list(point_format(), 1..4).prop_map(|v| ClientExtension::EcPointFormats(v.into())),
        list(scheme(), 1..8).prop_map(|v| ClientExtension::SignatureAlgorithms(v.into())),
        list(bytes(1..12), 1..4)
            .prop_map(|v| { ClientExtension::Alpn(v.into_iter().map(ProtocolName).collect()) }),
        Just(ClientExtension::ExtendedMasterSecret),
        bytes(0..40).prop_map(ClientExtension::RenegotiationInfo),
        bytes(0..40).prop_map(ClientExtension::SessionTicket),
        list(version(), 1..5).prop_map(|v| ClientExtension::SupportedVersions(v.into())),
        max_fragment_length().prop_map(ClientExtension::MaxFragmentLength),
        (64u16..).prop_map(ClientExtension::RecordSizeLimit),
        (
            any::<u16>().prop_filter("typed", |t| !CLIENT_TYPED.contains(t)),
            bytes(0..20)
        )
            .prop_map(|(typ, body)| ClientExtension::Unknown { typ, body }),
    ]
}

fn server_ext() -> impl Strategy<Value = ServerExtension<'static>> {
    prop_oneof![
        Just(ServerExtension::ServerNameAck),
        list(point_format(), 1..4).prop_map(|v| ServerExtension::EcPointFormats(v.into())),
        bytes(1..12).prop_map(ServerExtension::Alpn),
        Just(ServerExtension::ExtendedMasterSecret),
        bytes(0..40).prop_map(ServerExtension::RenegotiationInfo),
        Just(ServerExtension::SessionTicketAck),
        max_fragment_length().prop_map(ServerExtension::MaxFragmentLength),
        (64u16..).prop_map(ServerExtension::RecordSizeLimit),
        (
            any::<u16>().prop_filter("typed", |t| !SERVER_TYPED.contains(t)),
            bytes(0..20)
        )
            .prop_map(|(typ, body)| ServerExtension::Unknown { typ, body }),
    ]
}

/// Keeps the first extension of each type (RFC 5246 §7.4.1.4 forbids repeats).
fn dedup<T>(v: Vec<T>, typ: impl Fn(&T) -> ExtensionType) -> Vec<T> {
    let mut seen = Vec::new();
    v.into_iter()
        .filter(|e| {
            let t = typ(e);
            let fresh = !seen.contains(&t);
            seen.push(t);
            fresh
        })
        .collect()
}

fn client_hello() -> impl Strategy<Value = ClientHello<'static>> {
    (
        version(),
        random(),
        session_id(),
        list(suite(), 1..20),
        list(compression(), 1..3),
        list(client_ext(), 0..12),
        any::<bool>(),
    )
        .prop_map(|(v, random, session_id, suites, comp, exts, present)| {
            let extensions = dedup(exts, ClientExtension::typ);
            ClientHello {
                client_version: v,
                random,
                session_id,
                cipher_suites: suites.into(),
                compression_methods: comp.into(),
                extensions_present: present || !extensions.is_empty(),
                extensions: extensions.into(),
            }
        })
}

fn server_hello() -> impl Strategy<Value = ServerHello<'static>> {
    (
        version(),
        random(),
        session_id(),
        suite(),
        compression(),
        list(server_ext(), 0..8),
        any::<bool>(),
    )
        .prop_map(|(v, random, session_id, suite, comp, exts, present)| {
            let extensions = dedup(exts, ServerExtension::typ);
            ServerHello {
                server_version: v,
                random,
                session_id,
                cipher_suite: suite,
                compression_method: comp,
                extensions_present: present || !extensions.is_empty(),
                extensions: extensions.into(),
            }
        })
}

fn digitally_signed() -> impl Strategy<Value = DigitallySigned<'static>> {
    (scheme(), bytes(0..80)).prop_map(|(scheme, signature)| DigitallySigned { scheme, signature })
}

/// Types that `decode_handshake` keeps as `Unknown`.
fn unknown_type() -> impl Strategy<Value = HandshakeType> {
    any::<u8>()
        .prop_map(HandshakeType::from_wire)
        .prop_filter("typed", |t| {
            matches!(
                t,
                HandshakeType::CertificateStatus | HandshakeType::Unknown(_)
            )
        })
}

fn handshake() -> impl Strategy<Value = HandshakeMessage<'static>> {
    prop_oneof![
        Just(HandshakeMessage::HelloRequest),
        client_hello().prop_map(HandshakeMessage::ClientHello),
        server_hello().prop_map(HandshakeMessage::ServerHello),
        (any::<u32>(), bytes(0..60)).prop_map(|(lifetime_hint, ticket)| {
            HandshakeMessage::NewSessionTicket(NewSessionTicket {
                lifetime_hint,
                ticket,
            })
        }),
        list(bytes(1..60), 0..5).prop_map(|chain| {
            HandshakeMessage::Certificate(CertificateMsg {
                chain: chain.into_iter().map(CertificateDer::from).collect(),
            })
        }),
        bytes(0..60).prop_map(HandshakeMessage::ServerKeyExchange),
        (
            list(any::<u8>().prop_map(ClientCertificateType::from_wire), 1..4),
            list(scheme(), 1..8),
            list(bytes(1..30), 0..4)
        )
            .prop_map(|(certificate_types, signature_schemes, ca_names)| {
                HandshakeMessage::CertificateRequest(CertificateRequest {
                    certificate_types: certificate_types.into(),
                    signature_schemes: signature_schemes.into(),
                    ca_names: ca_names.into_iter().map(DistinguishedName).collect(),
                })
            }),
        Just(HandshakeMessage::ServerHelloDone),
        digitally_signed().prop_map(HandshakeMessage::CertificateVerify),
        bytes(0..60).prop_map(HandshakeMessage::ClientKeyExchange),
        bytes(0..20).prop_map(HandshakeMessage::Finished),
        (unknown_type(), bytes(0..30)).prop_map(|(t, b)| HandshakeMessage::Unknown(t, b)),
    ]
}

fn split(msg: &[u8]) -> (HandshakeType, &[u8]) {
    assert!(msg.len() >= 4);
    let len = u32::from_be_bytes([0, msg[1], msg[2], msg[3]]) as usize;
    assert_eq!(len, msg.len() - 4, "header length");
    (HandshakeType::from_wire(msg[0]), &msg[4..])
}

/// Every handshake type, plus a few unassigned ones.
fn any_type() -> impl Strategy<Value = HandshakeType> {
    prop_oneof![
        prop::sample::select(HandshakeType::KNOWN.to_vec()),
        any::<u8>().prop_map(HandshakeType::from_wire),
    ]
}

proptest! {
    #[test]
    fn handshake_round_trips(msg in handshake()) {
        let mut wire = Vec::new();
        encode_handshake(&msg, &mut wire);
        let (typ, body) = split(&wire);
        prop_assert_eq!(typ, handshake_type(&msg));
        let back = decode_handshake(typ, body).unwrap();
        prop_assert_eq!(&back, &msg);
    }

    /// Flipping one byte of a valid encoding: if the result still decodes, it
    /// re-encodes to exactly the same bytes.
    #[test]
    fn decodable_bytes_reencode_exactly(msg in handshake(), at in any::<usize>(), x in 1..=255u8) {
        let mut wire = Vec::new();
        encode_handshake(&msg, &mut wire);
        let (typ, body) = split(&wire);
        let mut body = body.to_vec();
        if !body.is_empty() {
            let i = at % body.len();
            body[i] ^= x;
        }
        if let Ok(m) = decode_handshake(typ, &body) {
            let mut again = Vec::new();
            encode_handshake(&m, &mut again);
            prop_assert_eq!(&again[4..], &body[..]);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(typ in any_type(), body in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(m) = decode_handshake(typ, &body) {
            let mut again = Vec::new();
            encode_handshake(&m, &mut again);
            prop_assert_eq!(&again[4..], &body[..]);
        }
        if let Ok(ske) = EcdheServerKeyExchange::decode(&body) {
            let mut again = Vec::new();
            ske.encode(&mut again);
            prop_assert_eq!(&again, &body);
        }
        if let Ok(p) = decode_ecdh_public(&body) {
            prop_assert_eq!(p.len() + 1, body.len());
        }
        if let Ok(c) = decode_encrypted_premaster(&body) {
            let mut again = Vec::new();
            encode_encrypted_premaster(c, &mut again);
            prop_assert_eq!(&again, &body);
        }
        let _ = AlertMessage::decode_exact(&body, "alert");
        let _ = ClientExtension::decode_exact(&body, "ext");
        let _ = ServerExtension::decode_exact(&body, "ext");
    }

    /// Extension bodies: arbitrary type and body, through the frame.
    #[test]
    fn arbitrary_extensions_reencode_exactly(typ in prop_oneof![
            prop::sample::select(CLIENT_TYPED.to_vec()), any::<u16>()],
        body in prop::collection::vec(any::<u8>(), 0..40)) {
        let mut wire = Vec::new();
        wire.extend_from_slice(&typ.to_be_bytes());
        wire.extend_from_slice(&(body.len() as u16).to_be_bytes());
        wire.extend_from_slice(&body);
        if let Ok(e) = ClientExtension::decode_exact(&wire, "ext") {
            prop_assert_eq!(e.encoded(), wire.clone());
        }
        if let Ok(e) = ServerExtension::decode_exact(&wire, "ext") {
            prop_assert_eq!(e.encoded(), wire);
        }
    }

    #[test]
    fn extensions_round_trip(c in client_ext(), s in server_ext()) {
        let cw = c.encoded();
        prop_assert_eq!(ClientExtension::decode_exact(&cw, "ext").unwrap(), c);
        let sw = s.encoded();
        prop_assert_eq!(ServerExtension::decode_exact(&sw, "ext").unwrap(), s);
    }

    #[test]
    fn server_key_exchange_round_trips(
        group in group(), public in bytes(1..100), signed in digitally_signed()
    ) {
        let mut params_raw = Vec::new();
        super::handshake::encode_ecdhe_params(group, public, &mut params_raw);
        let ske = EcdheServerKeyExchange {
            params: EcdheParams { curve_type: EcCurveType::NamedCurve, group, public },
            params_raw: &params_raw,
            signed,
        };
        let mut wire = Vec::new();
        ske.encode(&mut wire);
        prop_assert_eq!(EcdheServerKeyExchange::decode(&wire).unwrap(), ske);
    }

    #[test]
    fn alert_round_trips(level in any::<u8>(), desc in any::<u8>()) {
        let a = AlertMessage {
            level: AlertLevel::from_wire(level),
            description: AlertDescription::from_wire(desc),
        };
        prop_assert_eq!(AlertMessage::decode_exact(&a.encoded(), "alert").unwrap(), a);
    }
}
