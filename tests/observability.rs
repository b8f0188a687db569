//! Looking inside a session on purpose: the NSS key log (both sides, full
//! and resumed handshakes) and RFC 5705 exporters (both sides agree, with
//! and without context, resumed sessions, refusals), in memory and against
//! rustls. The OpenSSL and tshark checks are in tests/observability_tools.rs.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use rustls::pki_types::UnixTime as RustlsTime;
use tls12::{
    ClientConfig, ClientConnection, Connection, Error, KeyLog, KeyLogEntry, ServerConfig,
    ServerConnection,
};

/// A key log that keeps its lines.
#[derive(Debug, Default)]
struct Lines(Mutex<Vec<String>>);

impl KeyLog for Lines {
    fn log(&self, entry: &KeyLogEntry<'_>) {
        self.0.lock().unwrap().push(entry.to_string());
    }
}

impl Lines {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

/// ClientHello.random of the first ClientHello in `wire`, in hex.
fn client_random(wire: &[u8]) -> String {
    let records = split_records(wire);
    let hello = &handshake_messages(&records)[0];
    // type(1) length(3) version(2) random(32)
    hex(&hello[6..38])
}

fn connect(
    cc: &Arc<ClientConfig>,
    sc: &Arc<ServerConfig>,
) -> (ClientConnection, ServerConnection, String) {
    let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
    let hello = c.pending_output().to_vec();
    handshake(&mut c, &mut s).unwrap();
    (c, s, client_random(&hello))
}

#[test]
fn key_log_gets_one_line_per_handshake_on_each_side_full_and_resumed() {
    let client_log = Arc::new(Lines::default());
    let server_log = Arc::new(Lines::default());
    let mut cc = client_config();
    cc.key_log = Some(client_log.clone().into());
    let mut sc = server_config("server-p256");
    sc.key_log = Some(server_log.clone().into());
    let (cc, sc) = (Arc::new(cc), Arc::new(sc));

    let (c, _s, random) = connect(&cc, &sc);
    assert!(!c.handshake_info().unwrap().resumed);
    let full_c = client_log.take();
    let full_s = server_log.take();
    assert_eq!(full_c.len(), 1, "{full_c:?}");
    assert_eq!(full_c, full_s, "both sides log the same line");
    let fields: Vec<&str> = full_c[0].split(' ').collect();
    assert_eq!(fields.len(), 3);
    assert_eq!(fields[0], "CLIENT_RANDOM");
    assert_eq!(fields[1], random, "named by this ClientHello's random");
    assert_eq!(fields[2].len(), 96, "48-byte master secret in hex");

    let (c, _s, random2) = connect(&cc, &sc);
    assert!(c.handshake_info().unwrap().resumed);
    let res_c = client_log.take();
    let res_s = server_log.take();
    assert_eq!(res_c.len(), 1, "{res_c:?}");
    assert_eq!(res_c, res_s);
    let fields2: Vec<&str> = res_c[0].split(' ').collect();
    assert_eq!(fields2[1], random2);
    assert_ne!(random, random2);
    assert_eq!(
        fields2[2], fields[2],
        "a resumed session keeps its master secret"
    );
}

#[test]
fn nothing_is_logged_without_a_key_log() {
    // The default configurations have none: the client's and the server's.
    assert!(client_config().key_log.is_none());
    assert!(server_config("server-p256").key_log.is_none());
    assert!(!client_config().enable_exporters);
    assert!(!server_config("server-p256").enable_exporters);
}

fn exporting_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let mut cc = client_config();
    cc.enable_exporters = true;
    let mut sc = server_config("server-p256");
    sc.enable_exporters = true;
    (Arc::new(cc), Arc::new(sc))
}

fn export(conn: &Connection, label: &[u8], context: Option<&[u8]>, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    conn.export_keying_material(label, context, &mut out)
        .unwrap();
    out
}

#[test]
fn exporters_agree_on_both_sides_with_and_without_context_and_after_resumption() {
    let (cc, sc) = exporting_configs();
    let (c, s, _) = connect(&cc, &sc);
    let plain = export(&c, b"EXPORTER-test", None, 64);
    assert_eq!(plain, export(&s, b"EXPORTER-test", None, 64));
    let ctx = export(&c, b"EXPORTER-test", Some(b"context"), 64);
    assert_eq!(ctx, export(&s, b"EXPORTER-test", Some(b"context"), 64));
    let empty = export(&c, b"EXPORTER-test", Some(b""), 64);
    assert_eq!(empty, export(&s, b"EXPORTER-test", Some(b""), 64));
    let other = export(&c, b"EXPORTER-other", None, 64);
    assert!(plain != ctx && plain != empty && ctx != empty && plain != other);
    assert_eq!(export(&c, b"EXPORTER-test", None, 16), plain[..16]);

    let (c2, s2, _) = connect(&cc, &sc);
    assert!(c2.handshake_info().unwrap().resumed);
    let resumed = export(&c2, b"EXPORTER-test", None, 64);
    assert_eq!(resumed, export(&s2, b"EXPORTER-test", None, 64));
    assert_ne!(resumed, plain, "new randoms, new material");
}

#[test]
fn exporters_are_refused_before_the_handshake_without_the_switch_and_for_reserved_labels() {
    let (cc, sc) = exporting_configs();
    let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
    let mut out = [0u8; 32];
    let early = c.export_keying_material(b"EXPORTER-test", None, &mut out);
    assert!(
        matches!(&early, Err(Error::Misuse(m)) if m.contains("before the handshake")),
        "{early:?}"
    );
    // The server has keys (and the master secret) before it has the
    // client's Finished: still refused until the handshake completes.
    transfer(&mut c, &mut s).unwrap();
    transfer(&mut s, &mut c).unwrap();
    transfer(&mut c, &mut s).unwrap();
    assert!(c.is_handshaking());
    assert!(c
        .export_keying_material(b"EXPORTER-test", None, &mut out)
        .is_err());
    handshake(&mut c, &mut s).unwrap();

    for label in [
        &b"client finished"[..],
        b"server finished",
        b"master secret",
        b"key expansion",
        b"extended master secret",
    ] {
        let refused = c.export_keying_material(label, None, &mut out);
        assert!(
            matches!(&refused, Err(Error::Misuse(m)) if m.contains("reserved")),
            "{refused:?}"
        );
        assert!(s
            .export_keying_material(label, Some(b"x"), &mut out)
            .is_err());
    }
    // A refusal is an answer, not the end of the connection.
    assert_eq!(send_and_receive(&mut c, &mut s, b"still up"), b"still up");

    let (mut c, mut s) = pair("server-p256");
    handshake(&mut c, &mut s).unwrap();
    let off = c.export_keying_material(b"EXPORTER-test", None, &mut out);
    assert!(
        matches!(&off, Err(Error::Misuse(m)) if m.contains("enable_exporters")),
        "{off:?}"
    );
    assert!(s
        .export_keying_material(b"EXPORTER-test", None, &mut out)
        .is_err());
}

// ---------------------------------------------------------------------------
// rustls computes the same material for the same session.

#[derive(Debug)]
struct FixedTime;

impl rustls::time_provider::TimeProvider for FixedTime {
    fn current_time(&self) -> Option<RustlsTime> {
        Some(now())
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Moves bytes between our connection and rustls's until neither has more.
fn pump(ours: &mut Connection, theirs: &mut rustls::Connection) {
    for _ in 0..100 {
        let mut moved = 0;
        let mut wire = Vec::new();
        while theirs.wants_write() {
            theirs.write_tls(&mut wire).unwrap();
        }
        moved += wire.len();
        let mut offered = &wire[..];
        while !offered.is_empty() {
            let n = ours.receive(offered).unwrap();
            offered = &offered[n..];
        }
        let out = take_output(ours);
        moved += out.len();
        let mut rest = &out[..];
        while !rest.is_empty() {
            let n = theirs.read_tls(&mut rest).unwrap();
            assert!(n > 0);
            theirs.process_new_packets().unwrap();
        }
        if moved == 0 {
            return;
        }
    }
    panic!("pump did not settle");
}

fn same_as_rustls(ours: &Connection, theirs: &rustls::Connection) {
    for (label, context, len) in [
        (&b"EXPORTER-test"[..], None, 20),
        (b"EXPORTER-test", Some(&b"some context"[..]), 100),
        (b"EXPORTER-test", Some(&b""[..]), 32),
    ] {
        let mut want = vec![0u8; len];
        theirs
            .export_keying_material(&mut want, label, context)
            .unwrap();
        assert_eq!(
            export(ours, label, context, len),
            want,
            "label {label:?} context {context:?}"
        );
    }
}

fn rustls_server_config() -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs("server-p256.chain.pem"), key("server-p256.key"))
        .unwrap()
}

#[test]
fn exported_material_equals_rustls_as_client_and_as_server_full_and_resumed() {
    // Our client, rustls server (rustls keeps sessions: the second is resumed).
    let rsc = Arc::new(rustls_server_config());
    let mut cc = client_config();
    cc.enable_exporters = true;
    let cc = Arc::new(cc);
    for round in 0..2 {
        let mut ours = ClientConnection::new(cc.clone(), name("localhost"), now()).unwrap();
        let mut theirs =
            rustls::Connection::Server(rustls::ServerConnection::new(rsc.clone()).unwrap());
        pump(&mut ours, &mut theirs);
        assert!(!ours.is_handshaking() && !theirs.is_handshaking());
        assert_eq!(ours.handshake_info().unwrap().resumed, round == 1);
        same_as_rustls(&ours, &theirs);
    }

    // rustls client, our server.
    let mut roots = rustls::RootCertStore::empty();
    for c in certs("ca.pem") {
        roots.add(c).unwrap();
    }
    let rcc = Arc::new(
        rustls::ClientConfig::builder_with_details(provider(), Arc::new(FixedTime))
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let (_, sc) = exporting_configs();
    for round in 0..2 {
        let mut ours = ServerConnection::new(sc.clone(), now()).unwrap();
        let mut theirs = rustls::Connection::Client(
            rustls::ClientConnection::new(rcc.clone(), name("localhost")).unwrap(),
        );
        pump(&mut ours, &mut theirs);
        assert!(!ours.is_handshaking() && !theirs.is_handshaking());
        assert_eq!(ours.handshake_info().unwrap().resumed, round == 1);
        same_as_rustls(&ours, &theirs);
    }
}

// ---------------------------------------------------------------------------
// OCSP stapling (RFC 6066 §8), in memory.

/// Not a real OCSP response: the server sends whatever bytes it is given,
/// and the client hands them over unverified.
const RESPONSE: &[u8] = &[0x30, 0x03, 0x0a, 0x01, 0x00];

fn stapling(
    request: bool,
    staple: &Arc<tls12::OcspStaple>,
) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let mut cc = client_config();
    cc.request_ocsp = request;
    let mut sc = server_config("server-p256");
    sc.set_ocsp_staple(0, staple.clone()).unwrap();
    (Arc::new(cc), Arc::new(sc))
}

/// The types of the handshake messages in `wire`'s plaintext records.
fn message_types(wire: &[u8]) -> Vec<u8> {
    let records: Vec<_> = split_records(wire)
        .into_iter()
        .filter(|r| r[0] == 22)
        .collect();
    handshake_messages(&records).iter().map(|m| m[0]).collect()
}

#[test]
fn a_stapled_response_reaches_the_client_and_can_be_replaced_at_run_time() {
    let staple = Arc::new(tls12::OcspStaple::new(RESPONSE.to_vec()));
    let (cc, sc) = stapling(true, &staple);
    let (mut c, mut s) = pair_from(cc.clone(), sc.clone(), "localhost");
    transfer(&mut c, &mut s).unwrap();
    let flight = take_output(&mut s);
    // ServerHello, Certificate, CertificateStatus(22), ServerKeyExchange, ServerHelloDone.
    assert_eq!(message_types(&flight), [2, 11, 22, 12, 14]);
    c.receive(&flight).unwrap();
    handshake(&mut c, &mut s).unwrap();
    let info = c.handshake_info().unwrap();
    assert_eq!(info.ocsp_response.as_deref(), Some(RESPONSE));
    assert!(!info.resumed);

    // Resumed: no Certificate and no status on the wire; the session
    // reports the response of its full handshake, as it does its
    // certificates (BoGo's OCSPStapling-Client tests resume too).
    let (c, _s, _) = connect(&cc, &sc);
    assert!(c.handshake_info().unwrap().resumed);
    assert_eq!(
        c.handshake_info().unwrap().ocsp_response.as_deref(),
        Some(RESPONSE)
    );

    // Renewed in place: the next full handshake staples the new response.
    staple.set(vec![0x30, 0x00]);
    let fresh = Arc::new(client_config_requesting_ocsp());
    let (c, _s, _) = connect(&fresh, &sc);
    assert_eq!(
        c.handshake_info().unwrap().ocsp_response.as_deref(),
        Some(&[0x30, 0x00][..])
    );
    // Withdrawn: nothing is announced or sent.
    staple.set(Vec::new());
    let (mut c, mut s) = pair_from(fresh.clone(), sc.clone(), "localhost");
    transfer(&mut c, &mut s).unwrap();
    let flight = take_output(&mut s);
    assert_eq!(message_types(&flight), [2, 11, 12, 14]);
    c.receive(&flight).unwrap();
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.handshake_info().unwrap().ocsp_response, None);
}

fn client_config_requesting_ocsp() -> ClientConfig {
    let mut cc = client_config();
    cc.request_ocsp = true;
    cc.session_cache = None;
    cc
}

#[test]
fn nothing_is_stapled_for_a_client_that_did_not_ask() {
    let staple = Arc::new(tls12::OcspStaple::new(RESPONSE.to_vec()));
    let (cc, sc) = stapling(false, &staple);
    let (mut c, mut s) = pair_from(cc, sc, "localhost");
    transfer(&mut c, &mut s).unwrap();
    assert_eq!(message_types(&take_output(&mut s)), [2, 11, 12, 14]);
}

/// Runs a stapling handshake with the server's first flight passed through
/// `edit` (plaintext records, handshake messages re-framed); returns the
/// client's error.
fn client_error_with_flight(request: bool, edit: impl Fn(&mut Vec<Vec<u8>>)) -> Error {
    let staple = Arc::new(tls12::OcspStaple::new(RESPONSE.to_vec()));
    let (cc, sc) = stapling(true, &staple);
    let mut cc = (*cc).clone();
    cc.request_ocsp = request;
    let (mut c, mut s) = pair_from(Arc::new(cc), sc, "localhost");
    // The server sees a client that asked, whatever the client's config now says.
    let hello = if request {
        take_output(&mut c)
    } else {
        let (mut asking, _) = pair_from(
            Arc::new(client_config_requesting_ocsp()),
            Arc::new(server_config("server-p256")),
            "localhost",
        );
        let _ = take_output(&mut c);
        take_output(&mut asking)
    };
    s.receive(&hello).unwrap();
    let records: Vec<_> = split_records(&take_output(&mut s))
        .into_iter()
        .filter(|r| r[0] == 22)
        .collect();
    let mut msgs = handshake_messages(&records);
    edit(&mut msgs);
    let wire: Vec<u8> = msgs.iter().flat_map(|m| hs_record(m)).collect();
    c.receive(&wire).unwrap_err()
}

#[test]
fn a_malformed_certificate_status_is_decode_error() {
    for (what, body) in [
        ("status type 2", vec![2, 0, 0, 1, 0x30]),
        ("empty response", vec![1, 0, 0, 0]),
        ("length past the end", vec![1, 0, 0, 9, 0x30]),
        ("trailing byte", vec![1, 0, 0, 1, 0x30, 0]),
        ("empty body", vec![]),
    ] {
        let e = client_error_with_flight(true, |msgs| {
            msgs[2] = handshake_msg(22, &body);
        });
        assert!(matches!(e, Error::Decode(_)), "{what}: {e:?}");
        assert_eq!(e.alert(), Some(tls12::AlertDescription::DecodeError));
    }
}

#[test]
fn a_status_the_client_did_not_ask_for_is_refused() {
    // The server acknowledges status_request to a client that did not send
    // it: RFC 5246 §7.4.1.4, unsupported_extension.
    let e = client_error_with_flight(false, |_| {});
    assert!(matches!(e, Error::UnsupportedExtension(5)), "{e:?}");
    // And a CertificateStatus where none was announced is unexpected.
    let e = client_error_with_flight(true, |msgs| {
        // Move CertificateStatus after ServerKeyExchange.
        msgs.swap(2, 3);
    });
    assert!(matches!(e, Error::UnexpectedMessage { .. }), "{e:?}");
}

#[test]
fn only_an_ocsp_status_request_gets_a_staple() {
    let staple = Arc::new(tls12::OcspStaple::new(RESPONSE.to_vec()));
    let (_, sc) = stapling(true, &staple);
    for (body, stapled) in [
        (vec![1, 0, 0, 0, 0], true),
        // A status type other than ocsp(1) (RFC 6066 §8 defines only ocsp).
        (vec![2, 0, 0, 0, 0], false),
    ] {
        let mut exts = client_hello_extensions();
        exts.push((5, body));
        let mut s = ServerConnection::new(sc.clone(), now()).unwrap();
        s.receive(&client_hello(0x0303, &[0xc02b], &[0], &exts))
            .unwrap();
        let types = message_types(&take_output(&mut s));
        assert_eq!(types.contains(&22), stapled, "{types:?}");
    }
}
