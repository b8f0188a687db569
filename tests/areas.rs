//! Connections on memory the caller lends (`tls12::Areas`): input,
//! plaintext and output areas of fixed size, which never grow. Data is
//! delivered exactly once and in order however the areas are filled; an
//! area too small for what must be written whole fails with
//! `Error::LimitExceeded` naming it; the areas come back cleared.

mod common;

use std::sync::Arc;

use common::*;
use tls12::{
    AreaSizes, Areas, CipherSuite, ClientConfig, ClientConnection, Connection, Error,
    HandshakeSlot, MaxFragmentLength, ServerConfig, ServerConnection,
};

/// 512-byte records both ways (RFC 6066 §4) and caps for a device.
fn small_client() -> ClientConfig {
    let mut c = client_config();
    c.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256].into();
    c.max_fragment_len = 512;
    c.max_fragment_length = Some(MaxFragmentLength::L512);
    c.limits.max_buffered_plaintext = 1024;
    c.limits.max_buffered_output = 512 + 2048;
    c
}

fn small_server() -> ServerConfig {
    let mut s = server_config("server-p256");
    s.max_fragment_len = 512;
    s.limits.max_buffered_plaintext = 1024;
    s.limits.max_buffered_output = 512 + 2048;
    s
}

/// A pair on lent areas of the sizes the configurations need, or of
/// `resize`d ones.
fn pair_on_areas(
    client: ClientConfig,
    server: ServerConfig,
    resize: impl Fn(&mut AreaSizes, Side),
) -> (ClientConnection, ServerConnection) {
    try_pair_on_areas(client, server, resize).unwrap()
}

/// As [`pair_on_areas`]; `Err` if the client cannot write its ClientHello
/// into its areas.
fn try_pair_on_areas(
    client: ClientConfig,
    server: ServerConfig,
    resize: impl Fn(&mut AreaSizes, Side),
) -> Result<(ClientConnection, ServerConnection), Error> {
    let mut cs = AreaSizes::for_client(&client);
    let mut ss = AreaSizes::for_server(&server);
    resize(&mut cs, Side::Client);
    resize(&mut ss, Side::Server);
    let c = ClientConnection::with_areas(Arc::new(client), name("localhost"), now(), lend(cs))?;
    let s = ServerConnection::with_areas(Arc::new(server), now(), lend(ss)).unwrap();
    Ok((c, s))
}

/// Sends `data` from `a` to `b`, `chunk` bytes of the wire at a time,
/// reading whenever `b` pushes back; returns what `b` read.
fn carry(a: &mut Connection, b: &mut Connection, data: &[u8], chunk: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut rest = data;
    loop {
        let n = a.send(rest).unwrap();
        rest = &rest[n..];
        let wire = take_output(a);
        if wire.is_empty() {
            assert!(rest.is_empty(), "send made no progress");
            return got;
        }
        let mut offered = &wire[..];
        while !offered.is_empty() {
            let piece = &offered[..offered.len().min(chunk)];
            let used = b.receive(piece).unwrap();
            if used < piece.len() {
                assert!(
                    !b.plaintext().is_empty(),
                    "pushed back with nothing to read"
                );
            }
            offered = &offered[used..];
            got.extend(drain_plaintext(b));
        }
    }
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_pair_on_lent_areas_carries_data_both_ways_however_it_arrives() {
    // 1 and 7 bytes at a time: every record arrives split; 600: records
    // whole and split; everything at once: whole records only.
    for chunk in [1, 7, 600, usize::MAX] {
        let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |_, _| {});
        for _ in 0..10 {
            transfer_chunked(&mut c, &mut s, chunk).unwrap();
            transfer_chunked(&mut s, &mut c, chunk).unwrap();
        }
        assert!(!c.is_handshaking() && !s.is_handshaking(), "{chunk}");
        let info = c.handshake_info().unwrap();
        assert_eq!((info.max_fragment_in, info.max_fragment_out), (512, 512));
        let sent = data(20_000);
        assert_eq!(carry(&mut c, &mut s, &sent, chunk), sent, "{chunk}");
        assert_eq!(carry(&mut s, &mut c, &sent, chunk), sent, "{chunk}");
    }
}

#[test]
fn the_areas_come_back_cleared_and_the_connection_refuses_use() {
    // Keeping no chain: the server's leaf is kept in `peer_leaf`; and the
    // ALPN protocol in `alpn`.
    let mut client = small_client();
    client.keep_peer_certificates = false;
    client.alpn_protocols = vec![b"coap".to_vec()].into();
    let mut server = small_server();
    server.alpn_protocols = vec![b"coap".to_vec()].into();
    let sizes = AreaSizes::for_client(&client);
    assert!(sizes.peer_leaf > 0 && sizes.alpn > 0, "{sizes:?}");
    let (mut c, mut s) = pair_on_areas(client, server, |_, _| {});
    handshake(&mut c, &mut s).unwrap();
    // Something in every area: unread plaintext, unsent output, and half a
    // record.
    s.send(b"unread").unwrap();
    transfer(&mut s, &mut c).unwrap();
    s.send(b"split").unwrap();
    let wire = take_output(&mut s);
    c.receive(&wire[..10]).unwrap();
    c.send(b"unsent").unwrap();
    assert!(!c.plaintext().is_empty() && !c.pending_output().is_empty());
    // The name and the protocol both report lie in their `server_name` and
    // `alpn` areas.
    for conn in [&*c, &*s] {
        let info = conn.handshake_info().unwrap();
        assert_eq!(info.server_name.as_deref(), Some("localhost"));
        assert_eq!(info.alpn_protocol.as_deref(), Some(&b"coap"[..]));
    }
    let server_areas = s.take_areas().expect("lent");
    assert!(cleared(&server_areas), "an area came back uncleared");
    assert!(server_areas.server_name.len() == sizes.server_name && !server_areas.alpn.is_empty());

    let areas = c.take_areas().expect("lent");
    assert_eq!(areas.sizes(), sizes);
    assert!(cleared(&areas), "an area came back uncleared");
    assert!(!areas.slot.in_use(), "the handshake slot comes back, empty");
    assert!(matches!(c.send(b"more"), Err(Error::Misuse(_))));
    assert!(matches!(c.receive(&wire[10..]), Err(Error::Misuse(_))));
    assert!(c.pending_output().is_empty() && c.plaintext().is_empty());
    assert!(c.take_areas().is_none(), "given back once");

    // Lent again, to the next connection.
    let mut c2 =
        ClientConnection::with_areas(Arc::new(small_client()), name("localhost"), now(), areas)
            .unwrap();
    let mut s2 = ServerConnection::new(Arc::new(small_server()), now()).unwrap();
    handshake(&mut c2, &mut s2).unwrap();
    assert_eq!(carry(&mut s2, &mut c2, b"again", 100), b"again");
    assert!(s2.into_areas().is_none(), "on the heap");
}

#[test]
fn a_full_plaintext_area_pushes_back_and_loses_nothing() {
    // Room for one 512-byte record and a little more: the second record
    // waits until the first is read.
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |sizes, side| {
        if side == Side::Client {
            sizes.plaintext = 700;
        }
    });
    handshake(&mut c, &mut s).unwrap();
    let sent = data(5_000);
    let mut rest = &sent[..];
    let mut wire = Vec::new();
    while !rest.is_empty() {
        let n = s.send(rest).unwrap();
        rest = &rest[n..];
        wire.extend(take_output(&mut s));
    }
    let mut offered = &wire[..];
    let mut got = Vec::new();
    let mut pushed_back = 0;
    while !offered.is_empty() {
        let used = c.receive(offered).unwrap();
        if used < offered.len() {
            pushed_back += 1;
            assert!(!c.plaintext().is_empty(), "stopped with nothing to read");
        }
        offered = &offered[used..];
        got.extend(drain_plaintext(&mut c));
    }
    assert!(pushed_back >= 5, "{pushed_back}");
    assert_eq!(got, sent);
}

#[test]
fn send_takes_what_the_output_area_holds() {
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |sizes, side| {
        if side == Side::Client {
            // The handshake's flights fit; then about two records.
            sizes.output = 1200;
        }
    });
    handshake(&mut c, &mut s).unwrap();
    let sent = data(3_000);
    let n = c.send(&sent).unwrap();
    assert!((512..=1024).contains(&n), "{n}");
    assert!(c.pending_output().len() <= 1200);
    assert_eq!(c.send(&sent[n..]), Ok(0), "full");
    transfer(&mut c, &mut s).unwrap();
    let mut got = drain_plaintext(&mut s);
    let more = c.send(&sent[n..]).unwrap();
    assert!(more > 0);
    transfer(&mut c, &mut s).unwrap();
    got.extend(drain_plaintext(&mut s));
    assert_eq!(got, &sent[..n + more]);
}

#[test]
fn a_flight_too_long_for_the_output_area_fails_naming_it() {
    // The server's first flight (its Certificate alone is about 1 KB) does
    // not fit in 600 bytes: nothing is written, and the error says why.
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |sizes, side| {
        if side == Side::Server {
            sizes.output = 600;
        }
    });
    let err = transfer(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "output area",
            limit: 600
        }
    );
    assert_eq!(s.error(), Some(&err));
    // The peer did nothing wrong: internal_error, which does fit.
    assert_eq!(
        plaintext_alert(&s),
        Some(tls12::AlertDescription::InternalError)
    );
}

/// The handshake's state lives in the caller's slot while it runs, and
/// nothing of it (its secrets) stays there after: not when it completes,
/// not when the connection is given up or dropped half way.
#[test]
fn the_handshake_slot_is_emptied_however_the_connection_ends() {
    // Given back half way, after the ClientHello.
    let (mut c, _s) = pair_on_areas(small_client(), small_server(), |_, _| {});
    let areas = c.take_areas().unwrap();
    assert!(!areas.slot.in_use());
    // Failed: the areas and the emptied slot still come back.
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |_, _| {});
    transfer(&mut c, &mut s).unwrap();
    assert!(c.receive(&[22, 3, 3, 0, 4, 99, 0, 0, 0]).is_err());
    let areas = c.take_areas().unwrap();
    assert!(!areas.slot.in_use());
    // Dropped half way, and dropped established with the exporter's
    // secret in the slot: the slot, which outlives the connection, is
    // emptied. A raw pointer is the only way to look at it afterwards.
    for established in [false, true] {
        let raw: *mut HandshakeSlot = Box::into_raw(Box::new(HandshakeSlot::new()));
        // SAFETY: `raw` comes from a leaked box, and this is the only
        // reference made from it while the connection lives.
        let slot: &'static mut HandshakeSlot = unsafe { &mut *raw };
        let mut client = small_client();
        client.enable_exporters = true;
        let areas = lend(AreaSizes::for_client(&client));
        let areas = Areas { slot, ..areas };
        let mut c = ClientConnection::with_areas(Arc::new(client), name("localhost"), now(), areas)
            .unwrap();
        if established {
            let mut s = ServerConnection::new(Arc::new(small_server()), now()).unwrap();
            handshake(&mut c, &mut s).unwrap();
            let mut key = [0; 16];
            c.export_keying_material(b"EXPORTER-test", None, &mut key)
                .unwrap();
        }
        drop(c);
        // SAFETY: the connection, which held the only other reference, is
        // gone.
        assert!(
            !unsafe { &*raw }.in_use(),
            "something was left in the slot (established: {established})"
        );
    }
}

/// Exporters on lent memory: the exporter's secret stays in the slot once
/// the handshake is over, and both sides derive the same keying material.
#[test]
fn exporters_work_from_the_slot() {
    let mut client = small_client();
    client.enable_exporters = true;
    let mut server = small_server();
    server.enable_exporters = true;
    let (mut c, mut s) = pair_on_areas(client, server, |_, _| {});
    handshake(&mut c, &mut s).unwrap();
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    c.export_keying_material(b"EXPORTER-test", Some(b"ctx"), &mut a)
        .unwrap();
    s.export_keying_material(b"EXPORTER-test", Some(b"ctx"), &mut b)
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, [0; 32]);
    let areas = c.take_areas().unwrap();
    assert!(!areas.slot.in_use(), "the secret is dropped with the areas");
    // Without exporters the slot is empty once established, and exporting
    // is refused as on the heap.
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |_, _| {});
    handshake(&mut c, &mut s).unwrap();
    assert!(matches!(
        c.export_keying_material(b"EXPORTER-test", None, &mut a),
        Err(Error::Misuse(_))
    ));
}

#[test]
fn handshake_messages_too_long_for_their_areas_fail_naming_them() {
    // Our own Certificate (about 1 KB) does not fit in 600 bytes of
    // encoding space: internal_error, the peer did nothing wrong.
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |sizes, side| {
        if side == Side::Server {
            sizes.handshake_out = 600;
        }
    });
    let err = transfer(&mut c, &mut s).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "handshake_out area",
            limit: 600
        }
    );
    assert_eq!(
        plaintext_alert(&s),
        Some(tls12::AlertDescription::InternalError)
    );
    // The server's Certificate does not fit in 600 bytes of reassembly: a
    // message longer than the client takes, decode_error.
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |sizes, side| {
        if side == Side::Client {
            sizes.handshake_in = 600;
        }
    });
    transfer(&mut c, &mut s).unwrap();
    let err = transfer(&mut s, &mut c).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "handshake_in area",
            limit: 600
        }
    );
    assert_eq!(
        plaintext_alert(&c),
        Some(tls12::AlertDescription::DecodeError)
    );
    // A client that keeps only the server's leaf, with 100 bytes for it:
    // the leaf (about 500 bytes) does not fit, decode_error.
    let mut client = small_client();
    client.keep_peer_certificates = false;
    let (mut c, mut s) = pair_on_areas(client, small_server(), |sizes, side| {
        if side == Side::Client {
            sizes.peer_leaf = 100;
        }
    });
    transfer(&mut c, &mut s).unwrap();
    let err = transfer(&mut s, &mut c).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "peer_leaf area",
            limit: 100
        }
    );
    assert_eq!(
        plaintext_alert(&c),
        Some(tls12::AlertDescription::DecodeError)
    );
    // Mutual TLS with 100 bytes for the messages the client's
    // CertificateVerify signs: refused when it is to be signed.
    let mut client = small_client();
    client
        .add_client_certificate(certs("client-p256.chain.pem"), key("client-p256.key"))
        .unwrap();
    let mut server = small_server();
    server.client_auth = tls12::ClientAuth::Required(roots());
    let (mut c, mut s) = pair_on_areas(client.clone(), server.clone(), |sizes, side| {
        if side == Side::Client {
            assert!(sizes.transcript > 2048, "{sizes:?}");
            sizes.transcript = 100;
        }
    });
    transfer(&mut c, &mut s).unwrap();
    let err = transfer(&mut s, &mut c).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "transcript area",
            limit: 100
        }
    );
    // With the sizes `AreaSizes` gives, mutual TLS completes.
    let (mut c, mut s) = pair_on_areas(client.clone(), server.clone(), |_, _| {});
    handshake(&mut c, &mut s).unwrap();
    assert!(c
        .handshake_info()
        .unwrap()
        .client_signature_scheme
        .is_some());
    // A server that keeps clients' chains puts them in its tickets, and
    // `AreaSizes` leaves room for that; with only the room its first
    // flight needs, the ticket does not fit and is sent empty (RFC 5077
    // §3.3), and the handshake completes all the same. The client, which
    // keeps the (long) ticket the connection above brought, does not offer
    // it: its ClientHello would not fit in its `handshake_out`, so it asks
    // for a full handshake instead.
    let first_flight_only = {
        let mut server = server.clone();
        server.keep_peer_certificates = false;
        AreaSizes::for_server(&server).handshake_out
    };
    assert!(first_flight_only < AreaSizes::for_server(&server).handshake_out);
    let (mut c, mut s) = pair_on_areas(client, server, |sizes, side| {
        if side == Side::Server {
            sizes.handshake_out = first_flight_only;
        }
    });
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.handshake_info().unwrap().peer_certificates.len(), 2);
    assert!(!c.handshake_info().unwrap().resumed);
    // And so do the other handshakes.
    for keep in [true, false] {
        let mut client = small_client();
        client.keep_peer_certificates = keep;
        let (mut c, mut s) = pair_on_areas(client, small_server(), |_, _| {});
        handshake(&mut c, &mut s).unwrap();
    }
}

#[test]
fn a_split_record_longer_than_the_input_area_fails_naming_it() {
    // The client lends input for 512-byte records but asks for none: the
    // server's 16 KiB records, once protected, do not fit when split.
    let mut client = small_client();
    client.max_fragment_length = None;
    let mut server = small_server();
    server.max_fragment_len = 16384;
    server.limits.max_buffered_output = 16384 + 2048;
    let (mut c, mut s) = pair_on_areas(client, server, |sizes, side| {
        if side == Side::Client {
            sizes.input = 600;
            sizes.plaintext = 20_000;
        }
    });
    handshake(&mut c, &mut s).unwrap();
    s.send(&data(4_000)).unwrap();
    let err = transfer_chunked(&mut s, &mut c, 1000).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "input area",
            limit: 600
        }
    );
    // A record longer than the client takes: decode_error, sealed (an alert
    // record, type 21, is what the client now has to send).
    assert_eq!(err.alert(), Some(tls12::AlertDescription::DecodeError));
    assert_eq!(c.pending_output().first(), Some(&21));
    // Whole records need no input area: read where they lie.
    let (mut c, mut s) = pair_on_areas(
        {
            let mut client = small_client();
            client.max_fragment_length = None;
            client
        },
        {
            let mut server = small_server();
            server.max_fragment_len = 16384;
            server.limits.max_buffered_output = 16384 + 2048;
            server
        },
        |sizes, side| {
            if side == Side::Client {
                sizes.input = 600;
                sizes.plaintext = 20_000;
            }
        },
    );
    handshake(&mut c, &mut s).unwrap();
    let sent = data(4_000);
    assert_eq!(carry(&mut s, &mut c, &sent, usize::MAX), sent);
}

#[test]
fn unprotected_handshake_records_pass_a_small_input_area_in_pieces() {
    // The server's first flight as one unprotected record of about 1.1 KB
    // (RFC 8449 §4 lets it be 2^14 bytes whatever limit was agreed),
    // delivered a byte at a time to a client whose input area holds 64
    // bytes: it is handed to the handshake as it arrives. The Finished
    // records, protected, are 45 bytes.
    let (mut c, mut s) = pair_on_areas(small_client(), small_server(), |sizes, side| {
        if side == Side::Client {
            sizes.input = 64;
        }
    });
    transfer(&mut c, &mut s).unwrap();
    // The server's flight, its messages in one record.
    let messages = handshake_messages(&split_records(&take_output(&mut s)));
    let record = hs_record(&messages.concat());
    assert!(record.len() > 1_000, "{}", record.len());
    for byte in record.chunks(1) {
        assert_eq!(c.receive(byte), Ok(1));
    }
    assert!(!c.pending_output().is_empty(), "the client's flight");
    for _ in 0..4 {
        transfer_chunked(&mut c, &mut s, 1).unwrap();
        transfer_chunked(&mut s, &mut c, 1).unwrap();
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
}

#[test]
fn an_output_area_shorter_than_one_record_is_refused() {
    // 512-byte records: 5 + 8 + 512 + 16 = 541 bytes at least.
    let sizes = |output| AreaSizes {
        input: 600,
        plaintext: 600,
        output,
        ..AreaSizes::for_client(&small_client())
    };
    let config = Arc::new(small_client());
    let err =
        ClientConnection::with_areas(config.clone(), name("localhost"), now(), lend(sizes(540)))
            .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    ClientConnection::with_areas(config, name("localhost"), now(), lend(sizes(541))).unwrap();
}

#[test]
fn an_arena_shorter_than_the_sizes_is_refused() {
    let sizes = AreaSizes::for_client(&small_client());
    let short: &'static mut [u8] = Box::leak(vec![0; sizes.total() - 1].into_boxed_slice());
    let slot = || Box::leak(Box::new(HandshakeSlot::new()));
    assert!(matches!(
        Areas::split(short, sizes, slot()),
        Err(Error::Config(_))
    ));
    let exact: &'static mut [u8] = Box::leak(vec![0; sizes.total()].into_boxed_slice());
    let areas = Areas::split(exact, sizes, slot()).unwrap();
    assert_eq!(areas.sizes(), sizes);
    assert_eq!(areas.sizes().total(), sizes.total());
}

#[test]
fn the_sizes_follow_the_records_asked_for() {
    // 512-byte records: under 6 KB in all with these caps; without a
    // request, the client must take 2^14-byte records.
    let config = small_client();
    let small = AreaSizes::for_client(&config);
    assert!(
        small.input + small.plaintext + small.output < 6 * 1024,
        "{small:?}"
    );
    // The longest message the caps accept from the server, with its
    // header, and room for our ClientHello.
    assert!(small.handshake_in > config.limits.max_handshake_message_len + 4);
    assert!(small.handshake_out >= 1024, "{small:?}");
    let mut default = small_client();
    default.max_fragment_length = None;
    let default = AreaSizes::for_client(&default);
    assert!(
        default.input > 16 * 1024 && default.plaintext > 16 * 1024,
        "{default:?}"
    );
    let server = AreaSizes::for_server(&small_server());
    assert!(server.input > 16 * 1024, "a client may not ask: {server:?}");
    let mut limited = small_server();
    limited.record_size_limit = 512;
    assert!(AreaSizes::for_server(&limited).input < 1024);
}

/// One side's delivery of `from`'s output to `to`, `cuts` bytes at a time
/// (cycled), reading as `to` pushes back. `Err` is the receiver's error.
fn deliver(
    from: &mut Connection,
    to: &mut Connection,
    cuts: &[usize],
    turn: &mut usize,
    got: &mut Vec<u8>,
) -> Result<(), Error> {
    let wire = take_output(from);
    let mut rest = &wire[..];
    while !rest.is_empty() {
        let n = cuts[*turn % cuts.len()].clamp(1, rest.len());
        *turn += 1;
        let mut piece = &rest[..n];
        while !piece.is_empty() {
            let used = to.receive(piece)?;
            if used == 0 {
                assert!(
                    !to.plaintext().is_empty(),
                    "pushed back with nothing to read"
                );
            }
            piece = &piece[used..];
            got.extend(drain_plaintext(to));
        }
        rest = &rest[n..];
    }
    Ok(())
}

/// An error an area's size explains, naming that area.
fn an_area_error(e: &Error) -> bool {
    matches!(e, Error::LimitExceeded { what, .. }
        if ["input area", "plaintext area", "output area", "handshake_in area",
            "handshake_out area", "peer_leaf area", "server_name area",
            "psk_identity area", "transcript area", "alpn area"].contains(what))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever the areas' sizes and however the bytes are cut, data sent
    /// with `send` or written in place with `send_with` arrives exactly
    /// once and in order, or the connection fails with an error naming the
    /// area too small; never anything else.
    #[test]
    fn any_areas_any_cuts_deliver_in_order_or_name_the_area(
        input in 16usize..1200,
        plaintext in 1usize..2500,
        output in 541usize..4000,
        handshake_in in 16usize..3000,
        handshake_out in 16usize..1500,
        peer_leaf in 0usize..1200,
        server_name in 0usize..300,
        cuts in proptest::collection::vec(1usize..800, 1..8),
        lens in proptest::collection::vec(0usize..1500, 1..8),
        in_place in proptest::bool::ANY,
        keep_chain in proptest::bool::ANY,
    ) {
        let mut client = small_client();
        client.keep_peer_certificates = keep_chain;
        let pair = try_pair_on_areas(client, small_server(), |sizes, side| {
            if side == Side::Client {
                *sizes = AreaSizes {
                    input,
                    plaintext,
                    output,
                    handshake_in,
                    handshake_out,
                    peer_leaf,
                    server_name,
                    psk_identity: 0,
                    transcript: 0,
                    alpn: 0,
                };
            }
        });
        // A ClientHello too long for `handshake_out`, at once.
        let (mut c, mut s) = match pair {
            Ok(pair) => pair,
            Err(e) => {
                proptest::prop_assert!(an_area_error(&e), "{e:?}");
                return Ok(());
            }
        };
        let mut turn = 0;
        let mut sink = Vec::new();
        let mut failed = None;
        for _ in 0..6 {
            if let Err(e) = deliver(&mut c, &mut s, &cuts, &mut turn, &mut sink)
                .and_then(|()| deliver(&mut s, &mut c, &cuts, &mut turn, &mut sink))
            {
                failed = Some(e);
                break;
            }
        }
        if let Some(e) = failed.or_else(|| c.error().cloned()) {
            proptest::prop_assert!(an_area_error(&e), "{e:?}");
            return Ok(());
        }
        proptest::prop_assert!(!c.is_handshaking() && !s.is_handshaking());
        // Data both ways, in messages of `lens` bytes.
        let mut sent = Vec::new();
        let mut got = Vec::new();
        for (i, len) in lens.iter().enumerate() {
            let msg = data(*len + i);
            sent.extend_from_slice(&msg);
            let mut rest = &msg[..];
            while !rest.is_empty() {
                let n = if in_place {
                    c.send_with(rest.len(), |room| {
                        let n = room.len().min(rest.len());
                        room[..n].copy_from_slice(&rest[..n]);
                        n
                    })
                } else {
                    c.send(rest)
                };
                let n = match n {
                    Ok(n) => n,
                    Err(e) => {
                        proptest::prop_assert!(an_area_error(&e), "{e:?}");
                        return Ok(());
                    }
                };
                rest = &rest[n..];
                if n == 0 {
                    deliver(&mut c, &mut s, &cuts, &mut turn, &mut got).unwrap();
                }
            }
            // And back, through the client's input and plaintext areas.
            s.send(&msg).unwrap();
            if let Err(e) = deliver(&mut s, &mut c, &cuts, &mut turn, &mut sink) {
                proptest::prop_assert!(an_area_error(&e), "{e:?}");
                return Ok(());
            }
        }
        deliver(&mut c, &mut s, &cuts, &mut turn, &mut got).unwrap();
        proptest::prop_assert_eq!(&got, &sent);
        proptest::prop_assert_eq!(&sink, &sent);
    }
}
