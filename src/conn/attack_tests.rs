//! Attack regression tests that need the crate's internals: records sealed
//! under the real keys (SKIP-TLS, renegotiation, Finished forgery), a
//! ServerKeyExchange signed with the server's real key around an invalid
//! point, sequence numbers at the RFC 5246 §6.1 limit, and sessions without
//! the extended master secret (triple handshake). The crafted-byte attacks
//! are in tests/attacks.rs.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use super::tests::deliver;
use super::*;
use crate::codec::enums::ProtocolVersion;
use crate::codec::enums::{CipherSuite, NamedGroup, SignatureScheme};
use crate::crypto::keys::MasterSecret;
use crate::crypto::kx::KeyShare;
use crate::session::{ClientSession, Session};
use crate::testing::{
    client_config, handshake_msg, hs_record, now, pair_with, split_records, take_output,
    NOW_SECS as NOW,
};

fn server_config() -> crate::ServerConfig {
    crate::testing::server_config("server-p256")
}

fn pair() -> (ClientConnection, ServerConnection) {
    pair_with(client_config(), server_config(), "localhost")
}

fn events(conn: &mut Connection) -> Vec<Event> {
    core::iter::from_fn(|| conn.next_event()).collect()
}

fn established() -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = pair();
    for _ in 0..3 {
        deliver(&mut c, &mut s).unwrap();
        deliver(&mut s, &mut c).unwrap();
    }
    assert!(c.is_established() && s.is_established());
    events(&mut c);
    events(&mut s);
    (c, s)
}

/// A full handshake up to the server's last flight [NewSessionTicket, CCS,
/// Finished], of which the client has been given `given` records; returns
/// the flight.
fn up_to_server_flight(given: usize) -> (ClientConnection, ServerConnection, Vec<Vec<u8>>) {
    let (mut c, mut s) = pair();
    deliver(&mut c, &mut s).unwrap();
    deliver(&mut s, &mut c).unwrap();
    deliver(&mut c, &mut s).unwrap();
    let records = split_records(&take_output(&mut s));
    assert_eq!(
        records.iter().map(|r| r[0]).collect::<Vec<_>>(),
        [22, 20, 22],
        "NewSessionTicket, CCS, Finished"
    );
    for r in &records[..given] {
        c.receive(r).unwrap();
    }
    (c, s, records)
}

/// A full handshake up to the client's [ClientKeyExchange, CCS, Finished],
/// of which the server has been given `given` records.
fn up_to_client_flight(given: usize) -> (ClientConnection, ServerConnection, Vec<Vec<u8>>) {
    let (mut c, mut s) = pair();
    deliver(&mut c, &mut s).unwrap();
    deliver(&mut s, &mut c).unwrap();
    let records = split_records(&take_output(&mut c));
    assert_eq!(
        records.iter().map(|r| r[0]).collect::<Vec<_>>(),
        [22, 20, 22],
        "ClientKeyExchange, CCS, Finished"
    );
    for r in &records[..given] {
        s.receive(r).unwrap();
    }
    (c, s, records)
}

/// An AES-GCM explicit nonce (the sequence number we seal at) that, to a
/// peer taking the protected record for plaintext, reads as a Finished
/// header whose 36-byte body spans the rest of a record protecting a
/// 16-byte Finished (4 more nonce bytes, 16 of ciphertext, 16 of tag).
///
/// With the sequence number a real peer uses (0), what the receiver parses
/// depends on the random-looking ciphertext (the eight zero nonce bytes are
/// two HelloRequests, then a header with a random length, which usually
/// trips the handshake message size cap first), so the tests pin the parse.
const NONCE_LOOKS_LIKE_FINISHED: u64 = 0x1400_0024_0000_0000;

// ---------------------------------------------------------------------------
// SKIP-TLS / SMACK (Beurdouche et al., IEEE S&P 2015).
// ---------------------------------------------------------------------------

/// SKIP-TLS, "skip ChangeCipherSpec" (Beurdouche et al., "A Messy State of
/// the Union", IEEE S&P 2015): the server's genuine encrypted Finished
/// arrives where its ChangeCipherSpec should be. Sealed at an explicit nonce
/// that parses as a Finished header, so the client sees a well-formed
/// (unprotected-looking) Finished. Proves the client never reads the
/// Finished without the change of keys: unexpected_message, which reaches
/// the server, and no HandshakeComplete.
#[test]
fn skip_tls_server_omits_ccs_encrypted_finished_arrives() {
    let (mut c, mut s, _) = up_to_server_flight(1);
    s.common
        .record
        .write_state_mut()
        .unwrap()
        .set_sequence(NONCE_LOOKS_LIKE_FINISHED);
    s.common
        .send_handshake(&handshake_msg(20, &[0; 12]))
        .unwrap();
    let rec = take_output(&mut s);
    assert_eq!(&rec[..9], &[22, 3, 3, 0, 40, 0x14, 0, 0, 0x24]);
    assert_eq!(
        c.receive(&rec),
        Err(Error::UnexpectedMessage {
            got: "Finished",
            expected: "ChangeCipherSpec"
        })
    );
    assert!(!events(&mut c).contains(&Event::HandshakeComplete));
    assert_eq!(
        deliver(&mut c, &mut s),
        Err(Error::AlertReceived(AlertDescription::UnexpectedMessage))
    );
}

/// SKIP-TLS (Beurdouche et al., IEEE S&P 2015), client side: the client's
/// encrypted Finished sent without ChangeCipherSpec, sealed to parse as a
/// Finished. Proves the server requires the change of keys:
/// unexpected_message, handshake not complete. The client's real record
/// (sequence 0) is refused too, with unexpected_message (its zero nonce
/// reads as a HelloRequest) or decode_error (a random length over the cap
/// in the ciphertext), never accepted.
#[test]
fn skip_tls_client_omits_ccs_encrypted_finished_arrives() {
    let (_c, mut s, records) = up_to_client_flight(1);
    let err = s.receive(&records[2]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnexpectedMessage {
                got: "HelloRequest",
                expected: "ChangeCipherSpec"
            } | Error::LimitExceeded { .. }
        ),
        "{err:?}"
    );
    assert!(s.handshake_info().is_none());
    assert!(!events(&mut s).contains(&Event::HandshakeComplete));

    let (mut c, mut s, _) = up_to_client_flight(1);
    c.common
        .record
        .write_state_mut()
        .unwrap()
        .set_sequence(NONCE_LOOKS_LIKE_FINISHED);
    c.common
        .send_handshake(&handshake_msg(20, &[0; 12]))
        .unwrap();
    assert_eq!(
        deliver(&mut c, &mut s),
        Err(Error::UnexpectedMessage {
            got: "Finished",
            expected: "ChangeCipherSpec"
        })
    );
    assert!(s.handshake_info().is_none());
}

/// SKIP-TLS, "skip Finished" (Beurdouche et al., IEEE S&P 2015; the
/// CVE-2015-0205/-0206-class bugs where data flows before the peer is
/// authenticated): the server sends ChangeCipherSpec and then application
/// data under the real keys instead of Finished. Proves nothing is
/// delivered: unexpected_message, no data, no events, and the alert reaches
/// the server.
#[test]
fn skip_tls_server_omits_finished_application_data_arrives() {
    let (mut c, mut s, _) = up_to_server_flight(2);
    s.common.record.write_state_mut().unwrap().set_sequence(0);
    s.common
        .record
        .write_records(
            ContentType::ApplicationData,
            b"HTTP/1.1 200 OK\r\n\r\nsecret",
        )
        .unwrap();
    assert_eq!(
        deliver(&mut s, &mut c),
        Err(Error::UnexpectedMessage {
            got: "application data",
            expected: "Finished"
        })
    );
    assert!(c.plaintext().is_empty());
    assert_eq!(events(&mut c), []);
    assert!(c.handshake_info().is_none());
    assert_eq!(
        deliver(&mut c, &mut s),
        Err(Error::AlertReceived(AlertDescription::UnexpectedMessage))
    );
}

/// SKIP-TLS (Beurdouche et al., IEEE S&P 2015), client side: the client
/// sends ChangeCipherSpec and then application data under the real keys
/// instead of Finished. Proves the server delivers nothing before the
/// client's Finished: unexpected_message, no data, no events.
#[test]
fn skip_tls_client_sends_application_data_instead_of_finished() {
    let (mut c, mut s, _) = up_to_client_flight(2);
    c.common.record.write_state_mut().unwrap().set_sequence(0);
    c.common
        .record
        .write_records(ContentType::ApplicationData, b"GET /admin HTTP/1.1")
        .unwrap();
    assert_eq!(
        deliver(&mut c, &mut s),
        Err(Error::UnexpectedMessage {
            got: "application data",
            expected: "Finished"
        })
    );
    assert!(s.plaintext().is_empty());
    assert_eq!(events(&mut s), []);
    assert_eq!(
        deliver(&mut s, &mut c),
        Err(Error::AlertReceived(AlertDescription::UnexpectedMessage))
    );
}

// ---------------------------------------------------------------------------
// Renegotiation injection (CVE-2009-3555; RFC 5746).
// ---------------------------------------------------------------------------

/// CVE-2009-3555 (Ray and Dispensa 2009): the attacker's prefix is followed
/// by a renegotiating ClientHello on the established connection. Here a
/// ClientHello (with an RFC 5746 renegotiation_info, then a plain one)
/// arrives between two application records. Proves the server refuses with
/// a no_renegotiation warning, keeps the original session (no second
/// HandshakeComplete, same parameters) and delivers the data stream intact.
#[test]
fn renegotiation_client_hello_after_handshake_is_refused_with_a_warning() {
    let (mut c, mut s) = established();
    let info = s.handshake_info().cloned();
    let (mut attacker, _) = pair();
    let hello = take_output(&mut attacker);
    c.send(b"GET /a HTTP/1.1\r\n").unwrap();
    c.common.send_handshake(&hello[5..]).unwrap();
    c.send(b"Host: x\r\n\r\n").unwrap();
    deliver(&mut c, &mut s).unwrap();
    assert_eq!(s.plaintext(), b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(events(&mut s), [Event::ApplicationData]);
    assert_eq!(s.handshake_info().cloned(), info);
    // The refusal is a warning alert, protected, and the only output.
    let out = take_output(&mut s);
    assert_eq!(split_records(&out).len(), 1);
    c.receive(&out).unwrap();
    assert_eq!(
        events(&mut c),
        [Event::WarningAlert(AlertDescription::NoRenegotiation)]
    );
    s.send(b"HTTP/1.1 200 OK").unwrap();
    deliver(&mut s, &mut c).unwrap();
    assert_eq!(c.plaintext(), b"HTTP/1.1 200 OK");
}

/// CVE-2009-3555 / RFC 5746: the server (or an attacker holding its keys'
/// record stream position) sends HelloRequest after the handshake. Proves
/// the client answers a no_renegotiation warning and its data stream is
/// unaffected; and that a ServerHello pushed after the handshake (an
/// attempt to complete a renegotiation the client never started) is
/// unexpected_message.
#[test]
fn renegotiation_hello_request_after_handshake_is_refused_with_a_warning() {
    let (mut c, mut s) = established();
    s.send(b"part one, ").unwrap();
    s.common.send_handshake(&handshake_msg(0, &[])).unwrap();
    s.send(b"part two").unwrap();
    deliver(&mut s, &mut c).unwrap();
    assert_eq!(c.plaintext(), b"part one, part two");
    assert!(!events(&mut c).contains(&Event::HandshakeComplete));
    deliver(&mut c, &mut s).unwrap();
    assert_eq!(
        events(&mut s),
        [Event::WarningAlert(AlertDescription::NoRenegotiation)]
    );

    // An unsolicited ServerHello after the handshake.
    let (mut c, mut s) = established();
    let (mut c2, mut s2) = pair();
    deliver(&mut c2, &mut s2).unwrap();
    let flight = split_records(&take_output(&mut s2));
    s.common.send_handshake(&flight[0][5..]).unwrap();
    assert_eq!(
        deliver(&mut s, &mut c),
        Err(Error::UnexpectedMessage {
            got: "ServerHello",
            expected: "application data"
        })
    );
}

// ---------------------------------------------------------------------------
// Finished forgery.
// ---------------------------------------------------------------------------

/// Opens a copy of `record` with `conn`'s opener, then rewinds it.
fn peek_plaintext(conn: &mut Connection, record: &[u8], seq: u64) -> Vec<u8> {
    let mut copy = record.to_vec();
    let opener = conn.common.record.opener().unwrap();
    let range = opener
        .open_in_place(
            ContentType::Handshake,
            ProtocolVersion::Tls12,
            &mut copy[5..],
        )
        .unwrap();
    opener.set_sequence(seq);
    copy[5..][range].to_vec()
}

/// Finished forgery (RFC 5246 §7.4.9; the check whose absence SKIP-TLS and
/// the triple handshake exploit): the server's Finished, correctly sealed
/// under the record keys, with one bit of verify_data flipped. Proves the
/// client checks verify_data: decrypt_error, no HandshakeComplete.
#[test]
fn server_finished_one_bit_off_is_decrypt_error() {
    for bit in [0usize, 9, 64, 95] {
        let (mut c, mut s, records) = up_to_server_flight(2);
        let mut finished = peek_plaintext(&mut c, &records[2], 0);
        assert_eq!(finished[..4], [20, 0, 0, 12]);
        finished[4 + bit / 8] ^= 1 << (bit % 8);
        s.common.record.write_state_mut().unwrap().set_sequence(0);
        s.common.send_handshake(&finished).unwrap();
        assert_eq!(
            deliver(&mut s, &mut c),
            Err(Error::BadFinished),
            "bit {bit}"
        );
        assert!(!events(&mut c).contains(&Event::HandshakeComplete));
        assert_eq!(
            deliver(&mut c, &mut s),
            Err(Error::AlertReceived(AlertDescription::DecryptError))
        );
    }
}

/// Finished forgery, server side (RFC 5246 §7.4.9): the client's Finished
/// with one bit flipped, correctly sealed. Proves decrypt_error, and that
/// the server sends neither its ticket nor its Finished.
#[test]
fn client_finished_one_bit_off_is_decrypt_error() {
    for bit in [3usize, 40, 88] {
        let (mut c, mut s, records) = up_to_client_flight(2);
        let mut finished = peek_plaintext(&mut s, &records[2], 0);
        finished[4 + bit / 8] ^= 1 << (bit % 8);
        c.common.record.write_state_mut().unwrap().set_sequence(0);
        c.common.send_handshake(&finished).unwrap();
        assert_eq!(
            deliver(&mut c, &mut s),
            Err(Error::BadFinished),
            "bit {bit}"
        );
        let out = split_records(s.pending_output());
        assert_eq!(out.len(), 1, "only the alert: no ticket, CCS or Finished");
        assert_eq!(
            deliver(&mut s, &mut c),
            Err(Error::AlertReceived(AlertDescription::DecryptError))
        );
    }
}

// ---------------------------------------------------------------------------
// Invalid curve points in a (validly signed) ServerKeyExchange.
// ---------------------------------------------------------------------------

/// A client that has the server's ServerHello and Certificate, and a
/// function producing a ServerKeyExchange record for any group and point,
/// signed with the server's real key over the real randoms.
fn client_before_ske(
    groups: Vec<NamedGroup>,
) -> (ClientConnection, impl Fn(NamedGroup, &[u8]) -> Vec<u8>) {
    let mut cc = client_config();
    cc.groups = groups.into();
    let sc = server_config();
    let key = sc.identity.as_ref().expect("a chain").key.clone();
    let (mut c, mut s) = pair_with(cc, sc, "localhost");
    let hello = take_output(&mut c);
    s.receive(&hello).unwrap();
    let flight = split_records(&take_output(&mut s));
    assert_eq!(
        flight.iter().map(|r| r[5]).collect::<Vec<_>>(),
        [2, 11, 12, 14]
    );
    let client_random = hello[5 + 4 + 2..][..32].to_vec();
    let server_random = flight[0][5 + 4 + 2..][..32].to_vec();
    c.receive(&flight[0]).unwrap();
    c.receive(&flight[1]).unwrap();
    let make = move |group: NamedGroup, point: &[u8]| {
        let mut params = vec![3];
        params.extend_from_slice(&group.to_wire().to_be_bytes());
        params.push(point.len() as u8);
        params.extend_from_slice(point);
        let mut signed = client_random.clone();
        signed.extend_from_slice(&server_random);
        signed.extend_from_slice(&params);
        let scheme = SignatureScheme::EcdsaSecp256r1Sha256;
        let sig = key.sign(scheme, &signed).unwrap();
        let mut body = params;
        body.extend_from_slice(&scheme.to_wire().to_be_bytes());
        body.extend_from_slice(&(sig.len() as u16).to_be_bytes());
        body.extend_from_slice(&sig);
        hs_record(&handshake_msg(12, &body))
    };
    (c, make)
}

/// Invalid curve attack (Jager, Schwenk and Somorovsky, "Practical Invalid
/// Curve Attacks on TLS-ECDH", ESORICS 2015) against the client: a server
/// (which owns a valid certificate) signs a ServerKeyExchange around a P-256
/// point off the curve, the point at infinity, a compressed or hybrid point,
/// or a point of the wrong length. Proves the client refuses the point
/// after the signature verifies: illegal_parameter, and no
/// ClientKeyExchange. A freshly generated valid point, signed the same way,
/// is accepted (the control).
#[test]
fn invalid_curve_points_in_signed_server_key_exchange() {
    let good = KeyShare::generate(NamedGroup::Secp256r1).unwrap();
    let good = good.public_bytes().to_vec();
    let (mut c, make) = client_before_ske(vec![NamedGroup::Secp256r1]);
    c.receive(&make(NamedGroup::Secp256r1, &good)).unwrap();

    let mut off_curve = good.clone();
    off_curve[64] ^= 1;
    let mut infinity = [0u8; 65];
    infinity[0] = 4;
    let mut compressed = good[..33].to_vec();
    compressed[0] = 2 | (good[64] & 1);
    let mut hybrid = good.clone();
    hybrid[0] = 6 | (good[64] & 1);
    let mut long = good.clone();
    long.push(1);
    let p384 = KeyShare::generate(NamedGroup::Secp384r1).unwrap();
    for (what, point) in [
        ("off curve", off_curve),
        ("infinity", infinity.to_vec()),
        ("compressed", compressed),
        ("hybrid", hybrid),
        ("too long", long),
        ("a P-384 point", p384.public_bytes().to_vec()),
        ("one byte", vec![0]),
    ] {
        let (mut c, make) = client_before_ske(vec![NamedGroup::Secp256r1]);
        assert_eq!(
            c.receive(&make(NamedGroup::Secp256r1, &point)),
            Err(Error::IllegalParameter("ECDHE public key")),
            "{what}"
        );
        assert_eq!(take_output(&mut c), [21, 3, 3, 0, 2, 2, 47], "{what}");
    }
}

/// Curve25519 points of small order (RFC 7748 §6.1), with the ignored top
/// bit clear and set.
fn x25519_low_order_points() -> Vec<[u8; 32]> {
    let mut one = [0u8; 32];
    one[0] = 1;
    let order8_a = [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ];
    let order8_b = [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ];
    let near_p = |low: u8| {
        let mut v = [0xffu8; 32];
        v[0] = low;
        v[31] = 0x7f;
        v
    };
    let mut points = Vec::new();
    for pt in [
        [0u8; 32],
        one,
        order8_a,
        order8_b,
        near_p(0xec),
        near_p(0xed),
        near_p(0xee),
    ] {
        points.push(pt);
        let mut top = pt;
        top[31] |= 0x80;
        points.push(top);
    }
    points
}

/// The X25519 all-zero shared secret (RFC 7748 §6.1, RFC 8422 §5.11): a
/// server signs a ServerKeyExchange carrying the all-zero public key or any
/// other small-order point, which would give an attacker-known premaster
/// secret. Proves the client refuses every one: illegal_parameter, never a
/// key (no ClientKeyExchange, no ChangeCipherSpec).
#[test]
fn x25519_low_order_points_in_signed_server_key_exchange() {
    for point in x25519_low_order_points() {
        let (mut c, make) = client_before_ske(vec![NamedGroup::X25519, NamedGroup::Secp256r1]);
        assert_eq!(
            c.receive(&make(NamedGroup::X25519, &point)),
            Err(Error::IllegalParameter("ECDHE public key")),
            "{point:02x?}"
        );
        assert!(c.common.record.write_state().is_none());
        assert_eq!(take_output(&mut c), [21, 3, 3, 0, 2, 2, 47]);
    }
    // The control: a real X25519 public key, signed the same way, is fine.
    let share = KeyShare::generate(NamedGroup::X25519).unwrap();
    let (mut c, make) = client_before_ske(vec![NamedGroup::X25519, NamedGroup::Secp256r1]);
    c.receive(&make(NamedGroup::X25519, share.public_bytes()))
        .unwrap();
}

// ---------------------------------------------------------------------------
// Sequence-number exhaustion (RFC 5246 §6.1).
// ---------------------------------------------------------------------------

/// RFC 5246 §6.1: "Sequence numbers ... may not exceed 2^64-1" and must not
/// wrap (a wrapped GCM/ChaCha nonce repeats under the same key, which
/// breaks both confidentiality and integrity). With the write sequence at
/// 2^64-2, two records go out and the third send fails with
/// SequenceExhausted; the connection is dead and nothing more is written
/// (not even the internal_error alert, which cannot be sealed either).
#[test]
fn sequence_exhaustion_on_write_fails_rather_than_wrapping() {
    let (mut c, mut s) = established();
    c.common
        .record
        .write_state_mut()
        .unwrap()
        .set_sequence(u64::MAX - 1);
    s.common.record.opener().unwrap().set_sequence(u64::MAX - 1);
    assert_eq!(c.send(b"second to last, "), Ok(16));
    assert_eq!(c.send(b"last"), Ok(4));
    deliver(&mut c, &mut s).unwrap();
    assert_eq!(s.plaintext(), b"second to last, last");
    assert_eq!(c.send(b"wrapped"), Err(Error::SequenceExhausted));
    assert!(
        c.pending_output().is_empty(),
        "nothing sealed at a reused nonce"
    );
    assert_eq!(c.error(), Some(&Error::SequenceExhausted));
    assert_eq!(c.send(b"again"), Err(Error::SequenceExhausted));
    assert!(c.pending_output().is_empty());

    // Straight at u64::MAX: exactly one record may still be written.
    let (mut c, _s) = established();
    c.common
        .record
        .write_state_mut()
        .unwrap()
        .set_sequence(u64::MAX);
    assert_eq!(c.send(b"x"), Ok(1));
    assert_eq!(split_records(&take_output(&mut c)).len(), 1);
    assert_eq!(c.send(b"y"), Err(Error::SequenceExhausted));
    assert!(c.pending_output().is_empty());
}

/// RFC 5246 §6.1, receiving side: after the record with sequence number
/// 2^64-1 the read sequence is exhausted. A record sealed at sequence 0
/// (what a wrapping peer would send, and which would authenticate if our
/// counter wrapped too) is refused with SequenceExhausted, not accepted and
/// not bad_record_mac; nothing more is delivered and the peer is sent
/// internal_error.
#[test]
fn sequence_exhaustion_on_read_fails_rather_than_wrapping() {
    let (mut c, mut s) = established();
    c.common
        .record
        .write_state_mut()
        .unwrap()
        .set_sequence(u64::MAX);
    s.common.record.opener().unwrap().set_sequence(u64::MAX);
    c.send(b"last").unwrap();
    deliver(&mut c, &mut s).unwrap();
    assert_eq!(s.plaintext(), b"last");
    s.consume_plaintext(4);
    events(&mut s);
    c.common.record.write_state_mut().unwrap().set_sequence(0);
    c.send(b"wrapped").unwrap();
    assert_eq!(deliver(&mut c, &mut s), Err(Error::SequenceExhausted));
    assert!(s.plaintext().is_empty());
    assert_eq!(events(&mut s), []);
    assert_eq!(
        deliver(&mut s, &mut c),
        Err(Error::AlertReceived(AlertDescription::InternalError))
    );
}

// ---------------------------------------------------------------------------
// Triple handshake (Bhargavan et al., IEEE S&P 2014; RFC 7627).
// ---------------------------------------------------------------------------

fn session(ems: bool) -> Session {
    Session {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        extended_master_secret: ems,
        master_secret: MasterSecret::from_bytes([0x5a; 48]),
        created: NOW,
        server_name: Some("localhost".into()),
        peer_certificates: Vec::new().into(),
        psk_identity: None,
        signature_scheme: None,
        ocsp_response: None,
        group: None,
        client_scheme: None,
    }
}

/// A ClientHello with session ID `[0x42; 32]`, optionally a ticket, and
/// optionally extended_master_secret (as tests/resumption.rs builds it).
fn hello_resuming(ticket: Option<&[u8]>, ems: bool) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[9; 32]);
    body.push(32);
    body.extend_from_slice(&[0x42; 32]);
    body.extend_from_slice(&[0, 2, 0xc0, 0x2b, 1, 0]);
    let mut exts = Vec::new();
    let mut push = |t: u16, b: &[u8]| {
        exts.extend_from_slice(&t.to_be_bytes());
        exts.extend_from_slice(&(b.len() as u16).to_be_bytes());
        exts.extend_from_slice(b);
    };
    let mut sni = vec![0, 12, 0, 0, 9];
    sni.extend_from_slice(b"localhost");
    push(0, &sni);
    push(10, &[0, 4, 0, 0x1d, 0, 0x17]);
    push(13, &[0, 2, 4, 3]);
    if ems {
        push(23, &[]);
    }
    if let Some(t) = ticket {
        push(35, t);
    }
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    hs_record(&handshake_msg(1, &body))
}

/// Whether the server's answer to a ClientHello resumed: the ServerHello
/// echoes session ID `[0x42; 32]` and the next message is not Certificate.
fn server_resumed(s: &mut ServerConnection) -> bool {
    let out = take_output(s);
    let records = split_records(&out);
    assert_eq!(records[0][5], 2, "ServerHello");
    let sh = &records[0][5 + 4..];
    let echoed = sh[34] == 32 && sh[35..67] == [0x42; 32];
    let full = records[1][5] == 11;
    assert_ne!(echoed, full, "echoed ID exactly when abbreviated");
    echoed
}

/// Triple handshake (Bhargavan, Delignat-Lavaud, Fournet, Pironti and Strub,
/// "Triple Handshakes and Cookie Cutters", IEEE S&P 2014), RFC 7627 §5.3:
/// a session whose master secret was made without the extended master
/// secret (so a man in the middle may share it with another connection) is
/// offered by ticket and by session ID. Proves the server never resumes it
/// and falls back to a full handshake, whether or not the new ClientHello
/// offers the extension; the same sessions with the extension do resume
/// (the control).
#[test]
fn triple_handshake_server_never_resumes_a_session_without_ems() {
    for by_ticket in [true, false] {
        for (session_ems, hello_ems, require) in [
            (false, true, true),
            (false, true, false),
            (false, false, false),
            (true, true, true),
        ] {
            let mut sc = server_config();
            sc.require_extended_master_secret = require;
            let sc = Arc::new(sc);
            let mut plain = Vec::new();
            session(session_ems).encode(&mut plain);
            let ticket = if by_ticket {
                let ticketer = sc.ticketer.as_ref().unwrap();
                Some(ticketer.seal(&plain, NOW, sc.random.as_ref()).unwrap())
            } else {
                let cache = sc.session_cache.as_ref().unwrap();
                cache.put(&[0x42; 32], session(session_ems));
                None
            };
            let mut s = ServerConnection::new(sc.clone(), now()).unwrap();
            s.receive(&hello_resuming(ticket.as_deref(), hello_ems))
                .unwrap();
            assert_eq!(
                server_resumed(&mut s),
                session_ems,
                "ticket={by_ticket} session_ems={session_ems} hello_ems={hello_ems}"
            );
        }
    }
}

/// Triple handshake (Bhargavan et al., IEEE S&P 2014), RFC 7627 §5.3, client
/// side: a cached session without the extended master secret is never
/// offered (empty session ID, empty session_ticket extension), while the
/// same session with it is (the control).
#[test]
fn triple_handshake_client_never_offers_a_session_without_ems() {
    for ems in [false, true] {
        let cc = client_config();
        let cache = cc.session_cache.clone().unwrap();
        cache.put(
            "localhost",
            ClientSession {
                session: session(ems),
                session_id: vec![7; 32].into(),
                ticket: Some(vec![0xee; 100].into()),
                lifetime_hint: 3600,
            },
        );
        let (mut c, _) = pair_with(cc, server_config(), "localhost");
        let hello = take_output(&mut c);
        let body = &hello[5 + 4..];
        let sid_len = body[34] as usize;
        assert_eq!(sid_len == 32, ems, "session ID offered iff EMS");
        let has_ticket = hello.windows(6).any(|w| w == [0, 35, 0, 100, 0xee, 0xee]);
        assert_eq!(has_ticket, ems, "ticket offered iff EMS");
    }
}

/// Needs the harness's copy of the record keys to re-seal a peer's record.
#[cfg(feature = "fuzzing")]
mod fuzzing {
    use super::*;

    /// The peer's Finished record re-sealed with one more byte after the
    /// message (BoGo's TrailingDataWithFinished).
    fn with_trailing_byte(from: &Connection, finished: &[u8]) -> Vec<u8> {
        let (_, twin) = from.fuzzing_write_twin().expect("keys");
        let (typ, version, mut plain) = twin.open(0, finished).expect("opens");
        plain.push(0);
        twin.seal(0, typ, version, &plain).expect("seals")
    }

    const AFTER_FINISHED: Error = Error::UnexpectedMessage {
        got: "handshake data after the end of the peer's flight, in the same record",
        expected: "the end of that record",
    };

    /// RFC 5246 §7.4.9: Finished ends the handshake; a byte after it in its
    /// record begins nothing that may follow. Both sides, as their peers'
    /// Finished arrives.
    #[test]
    fn a_byte_after_the_peers_finished_in_its_record_is_unexpected_message() {
        let (mut c, s, records) = up_to_server_flight(2);
        let record = with_trailing_byte(&s, &records[2]);
        assert_eq!(c.receive(&record), Err(AFTER_FINISHED));
        assert_eq!(
            crate::testing::plaintext_alert(&c).or_else(|| {
                // The alert is sealed once our keys are on: it is there.
                (!c.pending_output().is_empty()).then_some(AlertDescription::UnexpectedMessage)
            }),
            Some(AlertDescription::UnexpectedMessage)
        );
        assert!(!events(&mut c).contains(&Event::HandshakeComplete));

        let (c, mut s, records) = up_to_client_flight(2);
        let record = with_trailing_byte(&c, &records[2]);
        assert_eq!(s.receive(&record), Err(AFTER_FINISHED));
        assert!(!events(&mut s).contains(&Event::HandshakeComplete));
    }
}
