//! Crafted-byte scenarios: messages out of order in every unencrypted state,
//! version negotiation, renegotiation refusal and malformed records, each
//! checked for the error and the alert the peer is sent.

mod common;

use common::wire::*;
use common::*;
use tls12::{AlertDescription as A, Error, Event};

fn synthetic_messages() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("HelloRequest-like unknown type 99", handshake_msg(99, &[])),
        ("ServerHelloDone", handshake_msg(14, &[])),
        ("Finished", handshake_msg(20, &[0; 12])),
        ("ClientKeyExchange", handshake_msg(16, &[1, 4])),
        ("NewSessionTicket", handshake_msg(4, &[0, 0, 0, 1, 0, 0])),
        ("CertificateVerify", handshake_msg(15, &[4, 3, 0, 0])),
        (
            "CertificateRequest",
            handshake_msg(13, &[1, 64, 0, 2, 4, 3, 0, 0]),
        ),
        ("Certificate", handshake_msg(11, &[0, 0, 0])),
    ]
}

/// The client that sent a ClientHello, and the server's first flight split
/// into messages [ServerHello, Certificate, ServerKeyExchange, ServerHelloDone].
fn client_and_server_flight() -> (
    tls12::ClientConnection,
    tls12::ServerConnection,
    Vec<Vec<u8>>,
) {
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    let flight = s.pending_output().to_vec();
    s.consume_output(flight.len());
    let msgs = split_messages(&flight);
    assert_eq!(
        msgs.iter().map(|m| m[0]).collect::<Vec<_>>(),
        [2, 11, 12, 14]
    );
    (c, s, msgs)
}

#[test]
fn client_rejects_every_out_of_order_message_before_encryption() {
    let names = [
        "ServerHello",
        "Certificate",
        "ServerKeyExchange",
        "ServerHelloDone",
    ];
    for state in 0..4 {
        let (_, _, sample) = client_and_server_flight();
        let mut candidates: Vec<(String, Vec<u8>)> = sample
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != state)
            .map(|(i, m)| (names[i].to_string(), m.clone()))
            .collect();
        candidates.extend(
            synthetic_messages()
                .into_iter()
                .map(|(n, m)| (n.to_string(), m)),
        );
        for (what, msg) in candidates {
            // The expected type is not out of order, and CertificateRequest is
            // legal while waiting for ServerHelloDone.
            if msg[0] == [2, 11, 12, 14][state] || (state == 3 && msg[0] == 13) {
                continue;
            }
            let (mut c, _s, flight) = client_and_server_flight();
            for m in &flight[..state] {
                c.receive(&hs_record(m)).unwrap();
            }
            let err = c.receive(&hs_record(&msg)).unwrap_err();
            assert!(
                matches!(err, Error::UnexpectedMessage { .. }),
                "state {state} ({}), {what}: {err:?}",
                names[state]
            );
            assert_eq!(
                plaintext_alert(&c),
                Some(A::UnexpectedMessage),
                "state {state}, {what}"
            );
        }
        // ChangeCipherSpec and application data are out of order here too.
        for rec in [record(20, 0x0303, &[1]), record(23, 0x0303, b"data")] {
            let (mut c, _s, flight) = client_and_server_flight();
            for m in &flight[..state] {
                c.receive(&hs_record(m)).unwrap();
            }
            let err = c.receive(&rec).unwrap_err();
            assert!(
                matches!(err, Error::UnexpectedMessage { .. }),
                "state {state}: {err:?}"
            );
        }
    }
}

#[test]
fn client_rejects_plaintext_handshake_before_server_change_cipher_spec() {
    let (mut c, mut s, flight) = client_and_server_flight();
    for m in &flight {
        c.receive(&hs_record(m)).unwrap();
    }
    // The client has sent its Finished and now waits for ChangeCipherSpec.
    let err = c
        .receive(&hs_record(&handshake_msg(20, &[0; 12])))
        .unwrap_err();
    assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
    // Its (encrypted) alert reaches the server as unexpected_message.
    assert_eq!(
        transfer(&mut c, &mut s),
        Err(Error::AlertReceived(A::UnexpectedMessage))
    );
}

#[test]
fn server_rejects_out_of_order_messages() {
    // Before ClientHello.
    for (what, msg) in synthetic_messages() {
        let (_, mut s) = pair("server-p256");
        let err = s.receive(&hs_record(&msg)).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedMessage { .. }),
            "{what}: {err:?}"
        );
        assert_eq!(plaintext_alert(&s), Some(A::UnexpectedMessage), "{what}");
    }
    for rec in [record(20, 0x0303, &[1]), record(23, 0x0303, b"data")] {
        let (_, mut s) = pair("server-p256");
        assert!(matches!(
            s.receive(&rec),
            Err(Error::UnexpectedMessage { .. })
        ));
    }
    // After ClientHello, waiting for ClientKeyExchange.
    let hello = {
        let (mut c2, _) = pair("server-p256");
        let out = c2.pending_output().to_vec();
        c2.consume_output(out.len());
        split_messages(&out).remove(0)
    };
    for (what, msg) in synthetic_messages()
        .into_iter()
        .filter(|(_, m)| m[0] != 16)
        .chain([("ClientHello again", hello.clone())])
    {
        let (mut c, mut s) = pair("server-p256");
        transfer(&mut c, &mut s).unwrap();
        let err = s.receive(&hs_record(&msg)).unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedMessage { .. }),
            "{what}: {err:?}"
        );
    }
}

#[test]
fn crafted_client_hello_is_accepted() {
    let (_, mut s) = pair("server-p256");
    s.receive(&client_hello(
        0x0303,
        &[ECDSA_AES128],
        &[0],
        &client_hello_extensions(),
    ))
    .unwrap();
    let msgs = split_messages(s.pending_output());
    assert_eq!(
        msgs.iter().map(|m| m[0]).collect::<Vec<_>>(),
        [2, 11, 12, 14]
    );
}

#[test]
fn tls13_capable_client_lands_on_tls12() {
    // Higher legacy version.
    let (_, mut s) = pair("server-p256");
    s.receive(&client_hello(
        0x0304,
        &[ECDSA_AES128],
        &[0],
        &client_hello_extensions(),
    ))
    .unwrap();
    let sh = &split_messages(s.pending_output())[0];
    assert_eq!(&sh[4..6], &[3, 3]);
    // supported_versions listing 1.3 and 1.2.
    let mut exts = client_hello_extensions();
    exts.push((43, vec![4, 3, 4, 3, 3]));
    let (_, mut s) = pair("server-p256");
    s.receive(&client_hello(0x0303, &[0x1301, ECDSA_AES128], &[0], &exts))
        .unwrap();
    let sh = &split_messages(s.pending_output())[0];
    assert_eq!(&sh[4..6], &[3, 3]);
}

#[test]
fn old_versions_get_protocol_version() {
    for version in [0x0300u16, 0x0301, 0x0302] {
        let (_, mut s) = pair("server-p256");
        let err = s
            .receive(&client_hello(
                version,
                &[ECDSA_AES128],
                &[0],
                &client_hello_extensions(),
            ))
            .unwrap_err();
        assert!(matches!(err, Error::UnsupportedVersion { .. }), "{err:?}");
        assert_eq!(plaintext_alert(&s), Some(A::ProtocolVersion));
    }
    // supported_versions that leaves out 1.2.
    let mut exts = client_hello_extensions();
    exts.push((43, vec![2, 3, 4]));
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
        .unwrap_err();
    assert!(matches!(err, Error::UnsupportedVersion { .. }), "{err:?}");
}

/// The server's first flight from a server with fixture `identity`, to a
/// client offering `suites`.
fn flight_from(identity: &str, suites: Vec<tls12::CipherSuite>) -> Vec<Vec<u8>> {
    let mut cc = client_config();
    cc.cipher_suites = suites.into();
    let (mut c, mut s) = pair_with(cc, server_config(identity), "localhost");
    transfer(&mut c, &mut s).unwrap();
    split_messages(&take_output(&mut s))
}

#[test]
fn a_certificate_whose_key_does_not_fit_the_suite_is_refused_on_arrival() {
    use tls12::CipherSuite as C;
    // RFC 5246 §7.4.2: an ECDHE_ECDSA ServerHello followed by an RSA
    // certificate, and an ECDHE_RSA one followed by an ECDSA or Ed25519
    // certificate: refused at Certificate, before any signature is checked.
    let cases = [
        (
            "server-p256",
            C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "server-rsa2048",
        ),
        (
            "server-rsa2048",
            C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-p256",
        ),
        (
            "server-rsa2048",
            C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-ed25519",
        ),
    ];
    for (hello_from, suite, cert_from) in cases {
        let mut cc = client_config();
        cc.cipher_suites = vec![
            C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ]
        .into();
        let (mut c, mut s) = pair_with(cc, server_config(hello_from), "localhost");
        transfer(&mut c, &mut s).unwrap();
        let hello = split_messages(&take_output(&mut s));
        let other = flight_from(cert_from, vec![suite_for(cert_from)]);
        assert_eq!(hello[0][0], 2);
        c.receive(&hs_record(&hello[0])).unwrap();
        assert_eq!(c.handshake_info(), None);
        let err = c.receive(&hs_record(&other[1])).unwrap_err();
        assert_eq!(
            err,
            Error::Certificate(tls12::CertificateError::WrongKeyType),
            "{suite:?} with {cert_from}"
        );
        assert_eq!(plaintext_alert(&c), Some(A::UnsupportedCertificate));
    }
}

fn suite_for(identity: &str) -> tls12::CipherSuite {
    if identity.contains("rsa") {
        tls12::CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    } else {
        tls12::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    }
}

/// Offers `record` to `conn` whole (`chunk` = None) or `chunk` bytes at a
/// time: an unprotected handshake record that arrives in pieces is handed
/// to the handshake piece by piece, and must be judged as if whole.
fn offer(conn: &mut tls12::Connection, record: &[u8], chunk: Option<usize>) -> Result<(), Error> {
    for piece in record.chunks(chunk.unwrap_or(record.len())) {
        assert_eq!(conn.receive(piece)?, piece.len());
    }
    Ok(())
}

#[test]
fn handshake_data_after_the_end_of_a_flight_in_its_record_is_unexpected_message() {
    // RFC 5246 §7.3: after its ClientHello the client waits for our flight,
    // and after ServerHelloDone the server waits for the client's; the
    // start of another message in the same record (BoGo's
    // PartialClientKeyExchangeWithClientHello and
    // PartialNewSessionTicketWithServerHelloDone) is refused at once,
    // whether the record arrives whole or a byte at a time (then the bytes
    // still to come say that the record goes on).
    for chunk in [None, Some(1), Some(7)] {
        let (mut c, mut s) = pair("server-p256");
        let hello = split_messages(&take_output(&mut c)).remove(0);
        let mut record = hello.clone();
        record.extend_from_slice(&[16, 0, 0]); // a ClientKeyExchange begins
        let err = offer(&mut s, &hs_record(&record), chunk).unwrap_err();
        assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
        assert_eq!(plaintext_alert(&s), Some(A::UnexpectedMessage));

        let (mut c, _s, flight) = client_and_server_flight();
        let mut record: Vec<u8> = flight.concat();
        record.extend_from_slice(&[4, 0, 0]); // a NewSessionTicket begins
        let err = offer(&mut c, &hs_record(&record), chunk).unwrap_err();
        assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
        assert_eq!(plaintext_alert(&c), Some(A::UnexpectedMessage));

        // The same flights without the extra bytes are accepted.
        let (mut c, mut s) = pair("server-p256");
        let hello = split_messages(&take_output(&mut c)).remove(0);
        offer(&mut s, &hs_record(&hello), chunk).unwrap();
        let (mut c, _s, flight) = client_and_server_flight();
        offer(&mut c, &hs_record(&flight.concat()), chunk).unwrap();
        assert!(
            !c.pending_output().is_empty(),
            "{chunk:?}: the client's flight"
        );
    }
}

#[test]
fn a_fallback_below_tls12_gets_inappropriate_fallback() {
    // RFC 7507 §3: TLS_FALLBACK_SCSV (0x5600) with a version below ours.
    for version in [0x0301u16, 0x0302] {
        let (_, mut s) = pair("server-p256");
        let err = s
            .receive(&client_hello(
                version,
                &[ECDSA_AES128, 0x5600],
                &[0],
                &client_hello_extensions(),
            ))
            .unwrap_err();
        assert!(
            matches!(err, Error::InappropriateFallback { .. }),
            "{err:?}"
        );
        assert_eq!(plaintext_alert(&s), Some(A::InappropriateFallback));
    }
    // At TLS 1.2 the signal changes nothing: we have nothing higher.
    let (_, mut s) = pair("server-p256");
    s.receive(&client_hello(
        0x0303,
        &[ECDSA_AES128, 0x5600],
        &[0],
        &client_hello_extensions(),
    ))
    .unwrap();
}

#[test]
fn server_hello_with_old_version_gets_protocol_version() {
    let (mut c, _s, flight) = client_and_server_flight();
    let mut sh = flight[0].clone();
    sh[5] = 2; // TLS 1.1
    let err = c.receive(&hs_record(&sh)).unwrap_err();
    assert!(matches!(err, Error::UnsupportedVersion { .. }), "{err:?}");
    assert_eq!(plaintext_alert(&c), Some(A::ProtocolVersion));
}

#[test]
fn compression_without_null_is_refused() {
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&client_hello(
            0x0303,
            &[ECDSA_AES128],
            &[1],
            &client_hello_extensions(),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::IllegalParameter(_)), "{err:?}");
    assert_eq!(plaintext_alert(&s), Some(A::IllegalParameter));
}

#[test]
fn duplicate_extension_is_refused() {
    let mut exts = client_hello_extensions();
    exts.push((23, vec![]));
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
        .unwrap_err();
    // RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the
    // same type"; such an extension block does not decode (decode_error,
    // as BoGo's DuplicateExtension tests expect).
    assert_eq!(err, Error::Decode("extension block (a type repeated)"));
    assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
}

#[test]
fn client_without_extended_master_secret_is_refused_by_default() {
    let exts: Vec<_> = client_hello_extensions()
        .into_iter()
        .filter(|(t, _)| *t != 23)
        .collect();
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
        .unwrap_err();
    assert!(matches!(err, Error::HandshakeFailure(_)), "{err:?}");
    assert_eq!(plaintext_alert(&s), Some(A::HandshakeFailure));
    // With the requirement off, the handshake goes ahead without it.
    let mut sc = server_config("server-p256");
    sc.require_extended_master_secret = false;
    let (_, mut s) = pair_with(client_config(), sc, "localhost");
    s.receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
        .unwrap();
}

#[test]
fn server_without_extended_master_secret_is_refused_by_default() {
    let (mut c, _s, flight) = client_and_server_flight();
    // Strip the extended_master_secret extension (00 17 00 00) from ServerHello.
    let sh = &flight[0];
    let pos = sh
        .windows(4)
        .position(|w| w == [0, 23, 0, 0])
        .expect("EMS in ServerHello");
    let mut stripped = sh[..pos].to_vec();
    stripped.extend_from_slice(&sh[pos + 4..]);
    let body_len = stripped.len() - 4;
    stripped[1..4].copy_from_slice(&(body_len as u32).to_be_bytes()[1..]);
    let ext_len_at = 4 + 2 + 32 + 1 + sh[4 + 34] as usize + 3;
    let ext_len = u16::from_be_bytes([stripped[ext_len_at], stripped[ext_len_at + 1]]) - 4;
    stripped[ext_len_at..ext_len_at + 2].copy_from_slice(&ext_len.to_be_bytes());
    let err = c.receive(&hs_record(&stripped)).unwrap_err();
    assert!(matches!(err, Error::HandshakeFailure(_)), "{err:?}");
    assert_eq!(plaintext_alert(&c), Some(A::HandshakeFailure));
}

#[test]
fn garbage_after_the_handshake_is_bad_record_mac_and_not_delivered() {
    let (mut c, mut s) = pair("server-p256");
    handshake(&mut c, &mut s).unwrap();
    events(&mut s);
    c.send(b"secret").unwrap();
    let mut wire = c.pending_output().to_vec();
    c.consume_output(wire.len());
    let last = wire.len() - 1;
    wire[last] ^= 1;
    assert_eq!(s.receive(&wire), Err(Error::BadRecordMac));
    assert!(s.plaintext().is_empty());
    assert_eq!(events(&mut s), []);
    assert_eq!(
        transfer(&mut s, &mut c),
        Err(Error::AlertReceived(A::BadRecordMac))
    );
}

#[test]
fn malformed_records() {
    // Unknown content type (RFC 5246 §6: unexpected_message).
    let (_, mut s) = pair("server-p256");
    assert_eq!(
        s.receive(&record(99, 0x0303, &[1])),
        Err(Error::UnexpectedMessage {
            got: "record of unknown content type",
            expected: "a TLS record"
        })
    );
    assert_eq!(plaintext_alert(&s), Some(A::UnexpectedMessage));
    // Plaintext record over 2^14 (RFC 5246 §6.2.1).
    let (_, mut s) = pair("server-p256");
    let big = vec![0u8; (1 << 14) + 1];
    assert_eq!(
        s.receive(&record(22, 0x0303, &big)),
        Err(Error::RecordOverflow {
            len: (1 << 14) + 1,
            limit: 1 << 14
        })
    );
    assert_eq!(plaintext_alert(&s), Some(A::RecordOverflow));
    // Ciphertext length over 2^14 + 2048 is refused from the header alone
    // (RFC 5246 §6.2.3).
    let (_, mut s) = pair("server-p256");
    assert_eq!(
        s.receive(&[22, 3, 3, 0x48, 0x01]),
        Err(Error::RecordOverflow {
            len: 0x4801,
            limit: (1 << 14) + 2048
        })
    );
    assert_eq!(plaintext_alert(&s), Some(A::RecordOverflow));
    // Zero-length handshake record (RFC 5246 §6.2.1).
    let (_, mut s) = pair("server-p256");
    assert_eq!(
        s.receive(&record(22, 0x0303, &[])),
        Err(Error::Decode("empty handshake record"))
    );
    assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
    // Alert records: empty, odd-sized (an alert split across records), or
    // with a level that is neither warning nor fatal (RFC 5246 §7.2).
    for body in [&[][..], &[1, 90, 1], &[1]] {
        let (_, mut s) = pair("server-p256");
        assert_eq!(
            s.receive(&record(21, 0x0303, body)),
            Err(Error::Decode("alert")),
            "{body:?}"
        );
        assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
    }
    let (_, mut s) = pair("server-p256");
    assert_eq!(
        s.receive(&record(21, 0x0303, &[3, 90])),
        Err(Error::Decode("alert level"))
    );
    assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
    // ChangeCipherSpec is the single byte 1 (RFC 5246 §7.1), checked where
    // a ChangeCipherSpec is expected: after the client's key exchange.
    for body in [&[2][..], &[1, 1], &[]] {
        let (mut c, mut s) = pair("server-p256");
        transfer(&mut c, &mut s).unwrap();
        transfer(&mut s, &mut c).unwrap();
        let flight = split_records(&take_output(&mut c));
        assert_eq!(flight[1][0], 20, "ClientKeyExchange, then CCS");
        s.receive(&flight[0]).unwrap();
        assert_eq!(
            s.receive(&record(20, 0x0303, body)),
            Err(Error::Decode("ChangeCipherSpec")),
            "{body:?}"
        );
        assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
    }
    // Where none is expected, the type alone is refused (RFC 5246 §7.2.2),
    // whatever the body.
    let (_, mut s) = pair("server-p256");
    assert_eq!(
        s.receive(&record(20, 0x0303, &[2])),
        Err(Error::UnexpectedMessage {
            got: "ChangeCipherSpec",
            expected: "ClientHello"
        })
    );
    assert_eq!(plaintext_alert(&s), Some(A::UnexpectedMessage));
    // A ClientHello that declares more than its cap (by default the
    // largest its grammar allows, 131,396 bytes).
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&record(22, 0x0303, &[1, 0x10, 0, 0]))
        .unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "handshake message size",
            limit: 131_396
        }
    );
    assert_eq!(plaintext_alert(&s), Some(A::DecodeError));
}

#[test]
fn fatal_alert_from_peer_kills_the_connection() {
    let (_, mut s) = pair("server-p256");
    assert_eq!(
        s.receive(&record(21, 0x0303, &[2, 40])),
        Err(Error::AlertReceived(A::HandshakeFailure))
    );
    // No alert is sent back for a received fatal alert.
    assert_eq!(plaintext_alert(&s), None);
    // Dead: every later call repeats the error.
    assert_eq!(
        s.receive(&[]),
        Err(Error::AlertReceived(A::HandshakeFailure))
    );
}

#[test]
fn warning_flood_is_cut_off() {
    let (_, mut s) = pair("server-p256");
    let warning = record(21, 0x0303, &[1, 90]);
    for _ in 0..8 {
        s.receive(&warning).unwrap();
    }
    assert!(matches!(
        s.receive(&warning),
        Err(Error::UnexpectedMessage { .. })
    ));
    let evs = events(&mut s);
    assert_eq!(evs.len(), 8);
    assert!(evs
        .iter()
        .all(|e| *e == Event::WarningAlert(A::UserCanceled)));
}

#[test]
fn close_notify_during_the_handshake_ends_it() {
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    let err = c.receive(&record(21, 0x0303, &[1, 0])).unwrap_err();
    assert_eq!(err, Error::PeerClosedDuringHandshake);
    assert!(!c.is_handshaking());
    assert_eq!(
        plaintext_alert(&c),
        None,
        "nothing is sent back to a peer that left"
    );
}

#[test]
fn unknown_extensions_are_ignored() {
    let mut exts = client_hello_extensions();
    exts.push((0x1234, vec![1, 2, 3]));
    exts.push((0xfafa, vec![])); // a GREASE value (RFC 8701)
    let (_, mut s) = pair("server-p256");
    s.receive(&client_hello(0x0303, &[0x0a0a, ECDSA_AES128], &[0], &exts))
        .unwrap();
    assert_eq!(split_messages(s.pending_output()).len(), 4);
}

#[test]
fn tampered_server_key_exchange_signature_is_decrypt_error() {
    let (mut c, _s, flight) = client_and_server_flight();
    let mut ske = flight[2].clone();
    let last = ske.len() - 1;
    ske[last] ^= 0x80;
    c.receive(&hs_record(&flight[0])).unwrap();
    c.receive(&hs_record(&flight[1])).unwrap();
    let err = c.receive(&hs_record(&ske)).unwrap_err();
    assert_eq!(err, Error::BadSignature("ServerKeyExchange"));
    assert_eq!(plaintext_alert(&c), Some(A::DecryptError));
}

#[test]
fn server_key_exchange_with_a_group_not_offered_is_illegal_parameter() {
    let mut cc = client_config();
    cc.groups = vec![tls12::NamedGroup::X25519].into();
    let (mut c, mut s) = pair_with(cc, server_config("server-ed25519"), "localhost");
    transfer(&mut c, &mut s).unwrap();
    let flight = split_messages(s.pending_output());
    let mut ske = flight[2].clone();
    ske[5..7].copy_from_slice(&[0x00, 0x17]); // secp256r1, which we did not offer
    for m in &flight[..2] {
        c.receive(&hs_record(m)).unwrap();
    }
    let err = c.receive(&hs_record(&ske)).unwrap_err();
    assert!(matches!(err, Error::IllegalParameter(_)), "{err:?}");
    assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
}

#[test]
fn server_choosing_a_suite_not_offered_is_illegal_parameter() {
    let (mut c, _s, flight) = client_and_server_flight();
    let mut sh = flight[0].clone();
    // cipher_suite follows version(2), random(32), session_id<0..32>.
    let at = 4 + 2 + 32 + 1 + sh[4 + 34] as usize;
    sh[at..at + 2].copy_from_slice(&0x009cu16.to_be_bytes()); // TLS_RSA_WITH_AES_128_GCM_SHA256
    let err = c.receive(&hs_record(&sh)).unwrap_err();
    assert!(matches!(err, Error::IllegalParameter(_)), "{err:?}");
    assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
}

#[test]
fn unsolicited_server_extension_is_unsupported_extension() {
    let (mut c, _s, flight) = client_and_server_flight();
    let mut sh = flight[0].clone();
    // Append status_request (5), which the client never offered.
    sh.extend_from_slice(&[0, 5, 0, 0]);
    let body_len = sh.len() - 4;
    sh[1..4].copy_from_slice(&(body_len as u32).to_be_bytes()[1..]);
    let ext_len_at = 4 + 2 + 32 + 1 + sh[4 + 34] as usize + 3;
    let ext_len = u16::from_be_bytes([sh[ext_len_at], sh[ext_len_at + 1]]) + 4;
    sh[ext_len_at..ext_len_at + 2].copy_from_slice(&ext_len.to_be_bytes());
    let err = c.receive(&hs_record(&sh)).unwrap_err();
    assert_eq!(err, Error::UnsupportedExtension(5));
    assert_eq!(plaintext_alert(&c), Some(A::UnsupportedExtension));
}

// ---------------------------------------------------------------------------
// ec_point_formats, an empty server chain
// ---------------------------------------------------------------------------

/// RFC 8422 §5.1.2 / §5.2: uncompressed points are the one format every
/// implementation must support, so a hello whose ec_point_formats leaves it
/// out is illegal_parameter, from either side.
#[test]
fn point_formats_without_uncompressed_are_illegal_parameter() {
    // Server side: a ClientHello listing only ansiX962_compressed_prime (1).
    let mut exts = client_hello_extensions();
    exts.push((11, vec![1, 1]));
    let (_, mut s) = pair("server-p256");
    let err = s
        .receive(&client_hello(0x0303, &[ECDSA_AES128], &[0], &exts))
        .unwrap_err();
    assert_eq!(
        err,
        Error::IllegalParameter("ec_point_formats does not include uncompressed")
    );
    assert_eq!(plaintext_alert(&s), Some(A::IllegalParameter));

    // Client side: the server's ec_point_formats (00 0b 00 02 01 00) turned
    // into the same list.
    let (mut c, _s, flight) = client_and_server_flight();
    let sh = &flight[0];
    let at = sh
        .windows(6)
        .position(|w| w == [0, 11, 0, 2, 1, 0])
        .expect("ec_point_formats in ServerHello");
    let mut forged = sh.clone();
    forged[at + 5] = 1;
    let err = c.receive(&hs_record(&forged)).unwrap_err();
    assert_eq!(
        err,
        Error::IllegalParameter("ec_point_formats does not include uncompressed")
    );
    assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
}

/// RFC 5246 §7.4.2: every suite we offer authenticates the server, so a
/// Certificate message with an empty chain is refused (bad_certificate)
/// before any verification.
#[test]
fn empty_server_certificate_chain_is_no_certificate() {
    let (mut c, _s, flight) = client_and_server_flight();
    c.receive(&hs_record(&flight[0])).unwrap();
    let err = c
        .receive(&hs_record(&handshake_msg(11, &[0, 0, 0])))
        .unwrap_err();
    assert_eq!(
        err,
        Error::Certificate(tls12::CertificateError::NoCertificate)
    );
    assert_eq!(plaintext_alert(&c), Some(A::BadCertificate));
}

// ---------------------------------------------------------------------------
// Resumption rules the honest peer never tests
// ---------------------------------------------------------------------------

/// The session ID of a handshake message holding a hello (ClientHello or
/// ServerHello: both start with version, random, session_id).
fn hello_session_id(msg: &[u8]) -> Vec<u8> {
    let len = usize::from(msg[4 + 34]);
    msg[4 + 35..4 + 35 + len].to_vec()
}

/// `hello` (a ClientHello message with an empty session ID) carrying
/// `session_id` instead.
fn with_session_id(hello: &[u8], session_id: &[u8]) -> Vec<u8> {
    assert_eq!(hello[0], 1, "ClientHello");
    assert_eq!(hello[4 + 34], 0, "no session ID yet");
    let mut body = hello[4..4 + 34].to_vec();
    body.push(u8::try_from(session_id.len()).unwrap());
    body.extend_from_slice(session_id);
    body.extend_from_slice(&hello[4 + 35..]);
    handshake_msg(1, &body)
}

/// The handshake messages in `wire` before the first ChangeCipherSpec (after
/// it they are encrypted).
fn clear_messages(wire: &[u8]) -> Vec<Vec<u8>> {
    let records: Vec<_> = split_records(wire)
        .into_iter()
        .take_while(|r| r[0] != 20)
        .collect();
    handshake_messages(&records)
}

/// A full handshake between a default client (for `localhost`) and `sc`;
/// returns the session ID the server issued.
fn first_session(sc: &std::sync::Arc<tls12::ServerConfig>) -> Vec<u8> {
    let (mut c, mut s) = pair_from(
        std::sync::Arc::new(client_config()),
        sc.clone(),
        "localhost",
    );
    transfer(&mut c, &mut s).unwrap();
    let id = hello_session_id(&clear_messages(s.pending_output())[0]);
    handshake(&mut c, &mut s).unwrap();
    assert!(!id.is_empty(), "the server issued a session ID");
    id
}

/// The server's answer to `cc`'s ClientHello (for `server_name`) with
/// `session_id` spliced in: the handshake messages of its first flight.
fn server_answer(
    cc: tls12::ClientConfig,
    sc: &std::sync::Arc<tls12::ServerConfig>,
    server_name: &str,
    session_id: &[u8],
) -> Vec<Vec<u8>> {
    let (mut c, mut s) = pair_from(std::sync::Arc::new(cc), sc.clone(), server_name);
    let hello = split_messages(&take_output(&mut c)).remove(0);
    s.receive(&hs_record(&with_session_id(&hello, session_id)))
        .unwrap();
    clear_messages(&take_output(&mut s))
}

/// RFC 6066 §3 (a session is resumed only for the name it was made for) and
/// RFC 5246 §7.4.1.2 (only with its cipher suite, which the client must
/// offer): a ClientHello offering a session for another name, or without
/// the session's suite, gets a full handshake (a new session ID and the
/// server's Certificate), never the old session.
#[test]
fn server_resumes_only_for_the_same_name_and_an_offered_suite() {
    let mut sc = server_config("server-p256");
    sc.ticketer = None;
    let sc = std::sync::Arc::new(sc);
    let id = first_session(&sc);

    // The same client configuration resumes: the splice itself works.
    let msgs = server_answer(client_config(), &sc, "localhost", &id);
    assert_eq!(hello_session_id(&msgs[0]), id, "resumed");

    // Another name (server-p256 covers testserver.com too).
    let msgs = server_answer(client_config(), &sc, "testserver.com", &id);
    assert_ne!(hello_session_id(&msgs[0]), id);
    assert_eq!(msgs[1][0], 11, "a full handshake: Certificate follows");

    // The session's suite (AES-128-GCM, the server's first) not offered.
    let mut cc = client_config();
    cc.cipher_suites = vec![tls12::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384].into();
    let msgs = server_answer(cc, &sc, "localhost", &id);
    assert_ne!(hello_session_id(&msgs[0]), id);
    assert_eq!(msgs[1][0], 11, "a full handshake: Certificate follows");
}

/// RFC 5246 §7.4.1.3: a server that resumes must keep the session's cipher
/// suite. A ServerHello that echoes our session ID with another suite (one
/// we offered) is illegal_parameter.
#[test]
fn client_refuses_a_resumption_with_another_suite() {
    let cc = std::sync::Arc::new(client_config());
    let sc = std::sync::Arc::new(server_config("server-p256"));
    let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
    handshake(&mut c, &mut s).unwrap();

    let (mut c, mut s) = pair_from(cc, sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    let mut sh = clear_messages(&take_output(&mut s)).remove(0);
    let sid_len = usize::from(sh[4 + 34]);
    assert!(sid_len > 0, "the server resumed");
    let at = 4 + 35 + sid_len;
    assert_eq!(sh[at..at + 2], [0xc0, 0x2b], "ECDHE_ECDSA_AES_128_GCM");
    sh[at + 1] = 0x2c; // ECDHE_ECDSA_AES_256_GCM, which we offered
    let err = c.receive(&hs_record(&sh)).unwrap_err();
    assert_eq!(
        err,
        Error::IllegalParameter("server resumed a session with a different cipher suite")
    );
    assert_eq!(plaintext_alert(&c), Some(A::IllegalParameter));
}

/// RFC 5246 §7.4.1.1: a HelloRequest while a handshake is under way is
/// ignored (no alert, no renegotiation warning) and is not part of the
/// transcript, so the handshake still completes.
#[test]
fn hello_request_during_the_handshake_is_ignored() {
    let (mut c, mut s) = pair("server-p256");
    transfer(&mut c, &mut s).unwrap();
    c.receive(&hs_record(&handshake_msg(0, &[]))).unwrap();
    assert!(c.pending_output().is_empty(), "nothing sent in answer");
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(events(&mut c), [Event::HandshakeComplete]);
}

/// The extensions of a ServerHello message, in order: (type, body length).
fn server_hello_extensions(sh: &[u8]) -> Vec<(u16, usize)> {
    assert_eq!(sh[0], 2, "ServerHello");
    let b = &sh[4..];
    let mut at = 35 + usize::from(b[34]) + 3;
    let end = at + 2 + usize::from(u16::from_be_bytes([b[at], b[at + 1]]));
    at += 2;
    let mut exts = Vec::new();
    while at < end {
        let len = usize::from(u16::from_be_bytes([b[at + 2], b[at + 3]]));
        exts.push((u16::from_be_bytes([b[at], b[at + 1]]), len));
        at += 4 + len;
    }
    assert_eq!(at, end);
    exts
}

/// RFC 6066 §3: a server that used the client's server_name answers with an
/// empty server_name extension, on full handshakes only (a resumed session
/// keeps the name it was made for); a client that sent no name (an IP
/// address) gets none.
#[test]
fn server_acknowledges_the_server_name_on_full_handshakes() {
    let cc = std::sync::Arc::new(client_config());
    let sc = std::sync::Arc::new(server_config("server-p256"));
    let mut server_hellos = Vec::new();
    for resumed in [false, true] {
        let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
        transfer(&mut c, &mut s).unwrap();
        server_hellos.push(clear_messages(s.pending_output()).remove(0));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(s.handshake_info().unwrap().resumed, resumed);
    }
    let sni = |sh: &[u8]| {
        server_hello_extensions(sh)
            .into_iter()
            .find(|(t, _)| *t == 0)
    };
    assert_eq!(sni(&server_hellos[0]), Some((0, 0)), "an empty server_name");
    assert_eq!(sni(&server_hellos[1]), None, "not on resumption");

    let (mut c, mut s) = pair_from(cc, sc, "127.0.0.1");
    transfer(&mut c, &mut s).unwrap();
    let sh = clear_messages(s.pending_output()).remove(0);
    assert_eq!(sni(&sh), None, "no name, no acknowledgement");
}
