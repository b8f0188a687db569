//! Smaller records, negotiated: max_fragment_length (RFC 6066 §4) and
//! record_size_limit (RFC 8449), in memory. Every record on the wire is
//! parsed and held to the agreed limit; the checks on the peer's answers and
//! records have a test each.

mod common;

use std::sync::Arc;

use common::*;
use tls12::{
    AlertDescription, CipherSuite, ClientConfig, ClientConnection, Connection, Error,
    MaxFragmentLength, ServerConfig, ServerConnection,
};

/// AES-128-GCM: an explicit nonce of 8 and a tag of 16 (RFC 5288 §3).
const GCM_OVERHEAD: usize = 24;

const ALL_MFL: [MaxFragmentLength; 4] = [
    MaxFragmentLength::L512,
    MaxFragmentLength::L1024,
    MaxFragmentLength::L2048,
    MaxFragmentLength::L4096,
];

fn client(mfl: Option<MaxFragmentLength>, rsl: Option<u16>) -> ClientConfig {
    let mut c = client_config();
    c.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256].into();
    c.max_fragment_length = mfl;
    c.record_size_limit = rsl;
    c
}

fn server() -> ServerConfig {
    server_config("server-p256")
}

/// A record as seen on the wire: its type, whether it was protected, and
/// the plaintext it carries (the fragment less the AEAD's expansion).
#[derive(Debug, Clone, Copy)]
struct Seen {
    typ: u8,
    protected: bool,
    plaintext: usize,
}

/// Records `wire` holds; `protected` says whether the sender's
/// ChangeCipherSpec came earlier (tracked across calls).
fn parse(wire: &[u8], protected: &mut bool) -> Vec<Seen> {
    let mut seen = Vec::new();
    for r in split_records(wire) {
        let len = r.len() - 5;
        seen.push(Seen {
            typ: r[0],
            protected: *protected,
            plaintext: if *protected { len - GCM_OVERHEAD } else { len },
        });
        if r[0] == 20 {
            *protected = true;
        }
    }
    seen
}

/// Everything each side sent in a handshake and in `data` moved each way.
struct Wire {
    client: Vec<Seen>,
    server: Vec<Seen>,
}

/// Runs the handshake and moves `data` both ways, parsing every record.
fn run(c: &mut Connection, s: &mut Connection, data: &[u8]) -> Wire {
    let mut wire = Wire {
        client: Vec::new(),
        server: Vec::new(),
    };
    let (mut cp, mut sp) = (false, false);
    for _ in 0..20 {
        if !c.is_handshaking() && !s.is_handshaking() {
            break;
        }
        let out = take_output(c);
        wire.client.extend(parse(&out, &mut cp));
        feed(s, &out).unwrap();
        let out = take_output(s);
        wire.server.extend(parse(&out, &mut sp));
        feed(c, &out).unwrap();
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
    move_data(c, s, data, &mut wire.client, &mut cp);
    move_data(s, c, data, &mut wire.server, &mut sp);
    wire
}

/// Sends `data` from `from` to `to`, parsing its records.
fn move_data(
    from: &mut Connection,
    to: &mut Connection,
    data: &[u8],
    seen: &mut Vec<Seen>,
    protected: &mut bool,
) {
    let mut got = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = from.send(rest).unwrap();
        rest = &rest[n..];
        let out = take_output(from);
        seen.extend(parse(&out, protected));
        feed(to, &out).unwrap();
        got.extend(drain_plaintext(to));
    }
    got.extend(drain_plaintext(to));
    assert_eq!(got, data);
}

fn feed(to: &mut Connection, wire: &[u8]) -> Result<(), Error> {
    let mut rest = wire;
    while !rest.is_empty() {
        let n = to.receive(rest)?;
        rest = &rest[n..];
        if n == 0 {
            drain_plaintext(to);
        }
    }
    Ok(())
}

fn largest(seen: &[Seen]) -> usize {
    seen.iter().map(|r| r.plaintext).max().unwrap()
}

/// Every record after the first (the one carrying the hello) is within
/// `limit`.
fn assert_within(seen: &[Seen], limit: usize, what: &str) {
    for (i, r) in seen.iter().enumerate().skip(1) {
        assert!(
            r.plaintext <= limit,
            "{what}: record {i} ({r:?}) exceeds {limit}"
        );
    }
}

fn pair_of(c: ClientConfig, s: ServerConfig) -> (ClientConnection, ServerConnection) {
    pair_with(c, s, "localhost")
}

const DATA_LEN: usize = 20_000;

fn data() -> Vec<u8> {
    (0..DATA_LEN).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Without a limit, the server's flight and the data use records far over
/// 4096 bytes: the limits below are not met by chance.
#[test]
fn without_a_limit_records_are_large() {
    let (mut c, mut s) = pair_of(client(None, None), server());
    let wire = run(&mut c, &mut s, &data());
    assert_eq!(largest(&wire.client), 16_384);
    assert_eq!(largest(&wire.server), 16_384);
    let info = c.handshake_info().unwrap();
    assert_eq!(
        (info.max_fragment_out, info.max_fragment_in),
        (16_384, 16_384)
    );
}

/// RFC 6066 §4: each length holds both ways, for the server's handshake
/// records after ServerHello (its Certificate is fragmented) and for data.
#[test]
fn max_fragment_length_each_value_both_ways() {
    for mfl in ALL_MFL {
        let limit = usize::from(mfl.length());
        let (mut c, mut s) = pair_of(client(Some(mfl), None), server());
        let wire = run(&mut c, &mut s, &data());
        assert_within(&wire.client, limit, "client");
        assert_within(&wire.server, limit, "server");
        assert_eq!(largest(&wire.client), limit, "{mfl:?}");
        assert_eq!(largest(&wire.server), limit, "{mfl:?}");
        for conn in [&*c, &*s] {
            let info = conn.handshake_info().unwrap();
            assert_eq!(
                (info.max_fragment_out, info.max_fragment_in),
                (mfl.length(), mfl.length())
            );
        }
        if limit == 512 {
            // The Certificate (about 900 bytes) was split: more than one
            // unprotected handshake record after the ServerHello.
            let plain = wire
                .server
                .iter()
                .filter(|r| r.typ == 22 && !r.protected)
                .count();
            assert!(plain >= 3, "{:?}", wire.server);
        }
    }
}

/// RFC 8449 §4: each side's value caps what the other sends it, counting
/// plaintext only (the AEAD's 24 bytes come on top).
#[test]
fn record_size_limit_values_both_ways() {
    for (ours, theirs) in [
        (64u16, 16_384u16),
        (100, 512),
        (512, 64),
        (1000, 4097),
        (4096, 1500),
        (16_384, 2048),
    ] {
        let mut sc = server();
        sc.record_size_limit = theirs;
        let (mut c, mut s) = pair_of(client(None, Some(ours)), sc);
        let wire = run(&mut c, &mut s, &data());
        let protected =
            |seen: &[Seen]| -> Vec<Seen> { seen.iter().copied().filter(|r| r.protected).collect() };
        assert_within(&protected(&wire.server), usize::from(ours), "server");
        assert_within(&protected(&wire.client), usize::from(theirs), "client");
        let ci = c.handshake_info().unwrap();
        assert_eq!((ci.max_fragment_out, ci.max_fragment_in), (theirs, ours));
        let si = s.handshake_info().unwrap();
        assert_eq!((si.max_fragment_out, si.max_fragment_in), (ours, theirs));
        assert_eq!(largest(&protected(&wire.server)), usize::from(ours));
        assert_eq!(largest(&protected(&wire.client)), usize::from(theirs));
    }
}

/// RFC 8449 §5: offered both, a server that supports record_size_limit
/// answers it and ignores max_fragment_length.
#[test]
fn record_size_limit_is_preferred_over_max_fragment_length() {
    let (mut c, mut s) = pair_of(client(Some(MaxFragmentLength::L512), Some(1024)), server());
    let hello = take_output(&mut c);
    s.receive(&hello).unwrap();
    let flight = take_output(&mut s);
    let exts = server_hello_extensions(&split_records(&flight)[0]);
    assert!(exts
        .iter()
        .any(|(t, b)| *t == 28 && b == &16_384u16.to_be_bytes()));
    assert!(!exts.iter().any(|(t, _)| *t == 1));
    c.receive(&flight).unwrap();
    handshake(&mut c, &mut s).unwrap();
    let mut cp = true;
    let n = s.send(&data()).unwrap();
    assert_eq!(n, DATA_LEN);
    let seen = parse(&take_output(&mut s), &mut cp);
    assert_eq!(largest(&seen), 1024);
}

/// The server's switch: with `accept_record_limits = false` neither
/// extension is answered and records stay at up to 2^14.
#[test]
fn a_server_can_refuse() {
    for (mfl, rsl) in [
        (Some(MaxFragmentLength::L512), None),
        (None, Some(512)),
        (Some(MaxFragmentLength::L512), Some(512)),
    ] {
        let mut sc = server();
        sc.accept_record_limits = false;
        let (mut c, mut s) = pair_of(client(mfl, rsl), sc);
        let hello = take_output(&mut c);
        s.receive(&hello).unwrap();
        let flight = take_output(&mut s);
        let exts = server_hello_extensions(&split_records(&flight)[0]);
        assert!(!exts.iter().any(|(t, _)| *t == 1 || *t == 28), "{exts:?}");
        c.receive(&flight).unwrap();
        handshake(&mut c, &mut s).unwrap();
        let mut p = true;
        s.send(&data()).unwrap();
        assert_eq!(largest(&parse(&take_output(&mut s), &mut p)), 16_384);
        c.send(&data()).unwrap();
        assert_eq!(largest(&parse(&take_output(&mut c), &mut p)), 16_384);
    }
}

/// RFC 6066 §4: a negotiated length applies to a resumed session only if
/// negotiated again; each handshake follows its own hellos.
#[test]
fn resumption_negotiates_afresh() {
    let sc = Arc::new(server());
    let with = client(Some(MaxFragmentLength::L1024), None);
    let mut without = with.clone();
    without.max_fragment_length = None;
    let (with, without) = (Arc::new(with), Arc::new(without));
    // Full handshake with the limit, then resumptions with and without.
    for (cc, limit, resumed) in [
        (&with, 1024, false),
        (&without, 16_384, true),
        (&with, 1024, true),
    ] {
        let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
        let wire = run(&mut c, &mut s, &data());
        assert_eq!(c.handshake_info().unwrap().resumed, resumed);
        assert_eq!(largest(&wire.server), limit);
        assert_eq!(largest(&wire.client), limit);
    }
}

/// The extensions of the ServerHello alone in `record`.
fn server_hello_extensions(record: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let msg = &record[5..];
    assert_eq!(msg[0], 2, "a ServerHello");
    let len = u32::from_be_bytes([0, msg[1], msg[2], msg[3]]) as usize;
    assert_eq!(msg.len(), 4 + len, "the ServerHello alone in its record");
    // version(2) random(32) session_id<..> suite(2) compression(1)
    let mut at = 4 + 2 + 32;
    at += 1 + usize::from(msg[at]);
    at += 3;
    let end = at + 2 + usize::from(u16::from_be_bytes([msg[at], msg[at + 1]]));
    at += 2;
    let mut exts = Vec::new();
    while at < end {
        let t = u16::from_be_bytes([msg[at], msg[at + 1]]);
        let l = usize::from(u16::from_be_bytes([msg[at + 2], msg[at + 3]]));
        exts.push((t, msg[at + 4..at + 4 + l].to_vec()));
        at += 4 + l;
    }
    exts
}

/// The ServerHello alone in `record`, its extensions replaced by `exts`.
fn with_server_extensions(record: &[u8], exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let msg = &record[5..];
    let mut at = 4 + 2 + 32;
    at += 1 + usize::from(msg[at]);
    at += 3;
    let mut body = msg[4..at].to_vec();
    body.extend_from_slice(&encode_extensions(exts));
    hs_record(&handshake_msg(2, &body))
}

/// The client's answer to the server's first flight with its ServerHello's
/// extensions passed through `edit`.
fn client_sees(
    mfl: Option<MaxFragmentLength>,
    rsl: Option<u16>,
    edit: impl FnOnce(&mut Vec<(u16, Vec<u8>)>),
) -> (ClientConnection, Result<(), Error>) {
    let (mut c, mut s) = pair_of(client(mfl, rsl), server());
    s.receive(&take_output(&mut c)).unwrap();
    let records = split_records(&take_output(&mut s));
    let mut exts = server_hello_extensions(&records[0]);
    edit(&mut exts);
    let mut wire = with_server_extensions(&records[0], &exts);
    for r in &records[1..] {
        wire.extend_from_slice(r);
    }
    let result = feed(&mut c, &wire);
    (c, result)
}

fn assert_refused(
    (c, result): (ClientConnection, Result<(), Error>),
    alert: AlertDescription,
    what: &str,
) {
    let e = result.expect_err(what);
    assert_eq!(e.alert(), Some(alert), "{what}: {e:?}");
    assert_eq!(plaintext_alert(&c), Some(alert), "{what}");
}

/// The client's checks on the server's answer: RFC 6066 §4 (a different
/// length is illegal_parameter), RFC 5246 §7.4.1.4 (an extension we did not
/// send is unsupported_extension), RFC 8449 §4 (below 64 or, in TLS 1.2,
/// above 2^14 is illegal_parameter) and §5 (both answered).
#[test]
fn the_client_checks_the_answer() {
    // Unedited, each handshake goes through.
    for (mfl, rsl) in [(Some(MaxFragmentLength::L512), None), (None, Some(512))] {
        let (c, result) = client_sees(mfl, rsl, |_| {});
        result.unwrap();
        assert!(c.error().is_none());
    }
    let mfl = Some(MaxFragmentLength::L512);
    assert_refused(
        client_sees(mfl, None, |e| {
            e.iter_mut().find(|(t, _)| *t == 1).unwrap().1 = vec![2];
        }),
        AlertDescription::IllegalParameter,
        "a different max_fragment_length",
    );
    assert_refused(
        client_sees(None, None, |e| e.push((1, vec![1]))),
        AlertDescription::UnsupportedExtension,
        "an unsolicited max_fragment_length",
    );
    assert_refused(
        client_sees(mfl, None, |e| e.push((28, vec![2, 0]))),
        AlertDescription::UnsupportedExtension,
        "an unsolicited record_size_limit",
    );
    assert_refused(
        client_sees(None, Some(512), |e| {
            e.iter_mut().find(|(t, _)| *t == 28).unwrap().1 = vec![0, 63];
        }),
        AlertDescription::IllegalParameter,
        "record_size_limit 63",
    );
    assert_refused(
        client_sees(None, Some(512), |e| {
            e.iter_mut().find(|(t, _)| *t == 28).unwrap().1 = vec![0x40, 1];
        }),
        AlertDescription::IllegalParameter,
        "record_size_limit 2^14 + 1",
    );
    assert_refused(
        client_sees(mfl, Some(512), |e| e.push((1, vec![1]))),
        AlertDescription::IllegalParameter,
        "both answered",
    );
    assert_refused(
        client_sees(mfl, None, |e| {
            e.iter_mut().find(|(t, _)| *t == 1).unwrap().1 = vec![9];
        }),
        AlertDescription::IllegalParameter,
        "code 9",
    );
}

/// RFC 6066 §4: a request for a value other than 1 to 4 is
/// illegal_parameter; RFC 8449 §4: a limit below 64 too; a limit above
/// 2^14 is not refused by a server, and its records stay within 2^14.
#[test]
fn the_server_checks_the_request() {
    for (ext, alert) in [
        ((1u16, vec![0u8]), Some(AlertDescription::IllegalParameter)),
        ((1, vec![5]), Some(AlertDescription::IllegalParameter)),
        ((28, vec![0, 63]), Some(AlertDescription::IllegalParameter)),
        ((28, vec![0xff, 0xff]), None),
        ((1, vec![1]), None),
    ] {
        let mut exts = client_hello_extensions();
        exts.push(ext.clone());
        let hello = client_hello(0x0303, &[ECDSA_AES128], &[0], &exts);
        let mut s = ServerConnection::new(Arc::new(server()), now()).unwrap();
        let result = s.receive(&hello);
        match alert {
            Some(alert) => {
                assert_eq!(result.unwrap_err().alert(), Some(alert), "{ext:?}");
                assert_eq!(plaintext_alert(&s), Some(alert));
            }
            None => {
                result.unwrap();
                let records = split_records(&take_output(&mut s));
                let exts = server_hello_extensions(&records[0]);
                let answer = exts.iter().find(|(t, _)| *t == ext.0).unwrap();
                if ext.0 == 1 {
                    assert_eq!(answer.1, [1]);
                    assert!(records[1..].iter().all(|r| r.len() - 5 <= 512));
                } else {
                    assert_eq!(answer.1, 16_384u16.to_be_bytes());
                }
            }
        }
    }
}

/// RFC 8449 §4 counts the content type in TLS 1.3's limit, not in TLS
/// 1.2's: from a client that also offers TLS 1.3 (as GnuTLS does, sending
/// 513 for 512), the server's records stay one byte under the value;
/// from a TLS 1.2-only client, at it.
#[test]
fn a_limit_from_a_client_offering_tls13_is_read_one_byte_lower() {
    for (versions, want) in [(vec![2u8, 3, 3], 513usize), (vec![4, 3, 4, 3, 3], 512)] {
        let mut exts = client_hello_extensions();
        exts.push((28, 513u16.to_be_bytes().to_vec()));
        exts.push((43, versions.clone()));
        let hello = client_hello(0x0303, &[ECDSA_AES128], &[0], &exts);
        let mut s = ServerConnection::new(Arc::new(server()), now()).unwrap();
        s.receive(&hello).unwrap();
        let records = split_records(&take_output(&mut s));
        let largest = records[1..].iter().map(|r| r.len() - 5).max().unwrap();
        assert_eq!(largest, want, "{versions:?}");
    }
}

/// An established pair that agreed on max_fragment_length 512.
fn small_pair() -> (ClientConnection, ServerConnection) {
    let (mut c, mut s) = pair_of(client(Some(MaxFragmentLength::L512), None), server());
    handshake(&mut c, &mut s).unwrap();
    (c, s)
}

/// RFC 6066 §4 (and RFC 5246 §7.2.2): an unprotected record after the
/// hellos over the agreed length is record_overflow, refused from its
/// header before the body arrives.
#[test]
fn an_oversized_unprotected_record_is_record_overflow() {
    for len in [513usize, 600, 16_384] {
        let (mut c, mut s) = pair_of(client(Some(MaxFragmentLength::L512), None), server());
        s.receive(&take_output(&mut c)).unwrap();
        let records = split_records(&take_output(&mut s));
        c.receive(&records[0]).unwrap();
        // The header alone is enough.
        let over = record(22, 0x0303, &vec![0u8; len]);
        let e = c.receive(&over[..5]).unwrap_err();
        assert_eq!(e, Error::RecordOverflow { len, limit: 512 });
        assert_eq!(plaintext_alert(&c), Some(AlertDescription::RecordOverflow));
    }
    // A record at the limit is read (and refused only for what it holds).
    let (mut c, mut s) = pair_of(client(Some(MaxFragmentLength::L512), None), server());
    s.receive(&take_output(&mut c)).unwrap();
    let records = split_records(&take_output(&mut s));
    c.receive(&records[0]).unwrap();
    let at = record(22, 0x0303, &[0u8; 512]);
    assert_eq!(c.receive(&at[..5]).unwrap(), 5);
}

/// Protected records over the limit we advertised are record_overflow
/// (RFC 6066 §4 / RFC 8449 §4), through `receive` and `receive_in_place`,
/// decided from the header: the record cannot hold less plaintext than
/// its length less the AEAD's 24 bytes.
#[test]
fn an_oversized_protected_record_is_record_overflow() {
    for in_place in [false, true] {
        let (_, mut s) = small_pair();
        let mut over = record(23, 0x0303, &[0u8; 512 + GCM_OVERHEAD + 1]);
        let e = if in_place {
            s.receive_in_place(&mut over).unwrap_err()
        } else {
            s.receive(&over[..5]).unwrap_err()
        };
        assert_eq!(
            e,
            Error::RecordOverflow {
                len: 512 + GCM_OVERHEAD + 1,
                limit: 512 + GCM_OVERHEAD
            }
        );
        assert!(!s.pending_output().is_empty());
    }
    // record_size_limit: the server's own limit binds the client's
    // protected records, not its unprotected ones.
    let mut sc = server();
    sc.record_size_limit = 256;
    let (mut c, mut s) = pair_of(client(None, Some(16_384)), sc);
    handshake(&mut c, &mut s).unwrap();
    let over = record(23, 0x0303, &[0u8; 256 + GCM_OVERHEAD + 1]);
    assert_eq!(
        s.receive(&over[..5]).unwrap_err(),
        Error::RecordOverflow {
            len: 256 + GCM_OVERHEAD + 1,
            limit: 256 + GCM_OVERHEAD
        }
    );
}

/// RFC 8449 §4: "Unprotected messages are not subject to this limit": a
/// client that advertised 64 still takes the server's larger unprotected
/// records (here the server's flight after its ServerHello, rejoined into
/// one record of about 1,000 bytes).
#[test]
fn record_size_limit_leaves_unprotected_records_alone() {
    let (mut c, mut s) = pair_of(client(None, Some(64)), server());
    s.receive(&take_output(&mut c)).unwrap();
    let records = split_records(&take_output(&mut s));
    // The server honoured 64 for its own records...
    assert!(records[1..].iter().all(|r| r.len() - 5 <= 64));
    // ...and the client takes them rejoined into larger ones too.
    let payload: Vec<u8> = records[1..].iter().flat_map(|r| r[5..].to_vec()).collect();
    let mut wire = records[0].clone();
    wire.extend_from_slice(&record(22, 0x0303, &payload));
    feed(&mut c, &wire).unwrap();
    assert!(c.error().is_none());
}

/// A configuration out of RFC 8449 §4's range is refused up front.
#[test]
fn record_size_limit_configuration_range() {
    for bad in [0u16, 63, 16_385] {
        let cc = client(None, Some(bad));
        assert!(matches!(
            ClientConnection::new(Arc::new(cc), name("localhost"), now()),
            Err(Error::Config(_))
        ));
        let mut sc = server();
        sc.record_size_limit = bad;
        assert!(matches!(
            ServerConnection::new(Arc::new(sc), now()),
            Err(Error::Config(_))
        ));
    }
}
