//! The state-machine table: for every state of both sides, every handshake
//! message type, ChangeCipherSpec, application data and both alert levels,
//! the exact outcome. Nothing is accepted in a state where RFC 5246 §7.3
//! (and RFC 5077 §3.3 for NewSessionTicket) does not allow it; a refused
//! input is unexpected_message and a dead connection.
//!
//! Run with `--nocapture` to print the table.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use super::tests::{every_message, handshake_msg, split_records, take_output};
use super::*;
use crate::config::{ClientAuth, ClientConfig, ServerConfig};
use crate::verify::RootCertStore;

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_893_456_000))
}

fn roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(include_bytes!("../../tests/fixtures/ca.pem")) {
        roots.add(&c.unwrap()).unwrap();
    }
    roots
}

fn chain(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A pair; `mutual` makes the server require a client certificate and the
/// client hold one.
fn pair(mutual: bool) -> (ClientConnection, ServerConnection) {
    let mut cc = ClientConfig::new(roots());
    let mut sc = ServerConfig::new(
        chain(include_bytes!("../../tests/fixtures/server-p256.chain.pem")),
        PrivateKeyDer::from_pem_slice(include_bytes!("../../tests/fixtures/server-p256.key"))
            .unwrap(),
    )
    .unwrap();
    if mutual {
        cc.add_client_certificate(
            chain(include_bytes!("../../tests/fixtures/client-p256.chain.pem")),
            PrivateKeyDer::from_pem_slice(include_bytes!("../../tests/fixtures/client-p256.key"))
                .unwrap(),
        )
        .unwrap();
        sc.client_auth = ClientAuth::Required(roots());
    }
    let name = ServerName::try_from("localhost".to_string()).unwrap();
    (
        ClientConnection::new(Arc::new(cc), name, now()).unwrap(),
        ServerConnection::new(Arc::new(sc), now()).unwrap(),
    )
}

/// The inputs of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum In {
    Handshake(u8),
    ChangeCipherSpec,
    ApplicationData,
    WarningAlert,
    FatalAlert,
}

const HANDSHAKE_TYPES: [u8; 13] = [0, 1, 2, 4, 11, 12, 13, 14, 15, 16, 20, 22, 99];

fn inputs() -> Vec<In> {
    let mut v: Vec<In> = HANDSHAKE_TYPES.iter().map(|t| In::Handshake(*t)).collect();
    v.extend([
        In::ChangeCipherSpec,
        In::ApplicationData,
        In::WarningAlert,
        In::FatalAlert,
    ]);
    v
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Processed: the state moves on, or the input is legitimately ignored
    /// or answered with a warning.
    Accepted,
    /// unexpected_message queued for the peer, the connection dead.
    Unexpected,
    /// The peer's fatal alert ends the connection; nothing is sent back.
    PeerAlert,
}

/// A connection in some state, and how to put bytes in front of it.
struct Setup {
    conn: Connection,
    /// The peer, whose record protection seals injected records once the
    /// connection under test reads protected records.
    peer: Connection,
    protected: bool,
    /// The message the state expects, taken from the real peer.
    expected: Option<(In, Vec<u8>)>,
}

impl Setup {
    fn inject(&mut self, typ: ContentType, body: &[u8]) -> Result<usize, Error> {
        if self.protected {
            self.peer.common.record.write_records(typ, body).unwrap();
            let wire = take_output(&mut self.peer);
            self.conn.receive(&wire)
        } else {
            let mut rec = vec![typ.to_wire(), 3, 3];
            rec.extend_from_slice(&(body.len() as u16).to_be_bytes());
            rec.extend_from_slice(body);
            self.conn.receive(&rec)
        }
    }
}

fn plaintext_handshake_messages(records: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let payload: Vec<u8> = records
        .iter()
        .filter(|r| r[0] == 22)
        .flat_map(|r| r[5..].to_vec())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= payload.len() {
        let len = u32::from_be_bytes([0, payload[i + 1], payload[i + 2], payload[i + 3]]) as usize;
        out.push(payload[i..i + 4 + len].to_vec());
        i += 4 + len;
    }
    out
}

fn feed(conn: &mut Connection, records: &[Vec<u8>]) {
    for r in records {
        conn.receive(r).unwrap();
    }
}

fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut rec = vec![typ, 3, 3];
    rec.extend_from_slice(&(body.len() as u16).to_be_bytes());
    rec.extend_from_slice(body);
    rec
}

const CLIENT_STATES: [&str; 9] = [
    "ExpectServerHello",
    "ExpectCertificate",
    "ExpectServerKeyExchange",
    "ExpectServerHelloDone",
    "ExpectServerHelloDone (after CertificateRequest)",
    "ExpectNewSessionTicket",
    "ExpectChangeCipherSpec",
    "ExpectFinished",
    "Established",
];

fn client_in(state: &str) -> Setup {
    let mutual = state.contains("after CertificateRequest");
    let (mut c, mut s) = pair(mutual);
    s.receive(&take_output(&mut c)).unwrap();
    let flight = plaintext_handshake_messages(&split_records(&take_output(&mut s)));
    let hs = |m: &Vec<u8>| (In::Handshake(m[0]), m.clone());
    let (fed, expected): (usize, Option<(In, Vec<u8>)>) = match state {
        "ExpectServerHello" => (0, Some(hs(&flight[0]))),
        "ExpectCertificate" => (1, Some(hs(&flight[1]))),
        "ExpectServerKeyExchange" => (2, Some(hs(&flight[2]))),
        "ExpectServerHelloDone" => (3, Some(hs(&flight[3]))),
        _ if mutual => (4, Some(hs(&flight[4]))),
        _ => (flight.len(), None),
    };
    for m in &flight[..fed] {
        c.receive(&record(22, m)).unwrap();
    }
    if expected.is_some() {
        return Setup {
            conn: c.0,
            peer: s.0,
            protected: false,
            expected,
        };
    }
    // The client has sent its Finished; the server answers with
    // NewSessionTicket, ChangeCipherSpec and Finished.
    s.receive(&take_output(&mut c)).unwrap();
    let answer = split_records(&take_output(&mut s));
    assert_eq!(answer.len(), 3);
    match state {
        "ExpectNewSessionTicket" => {
            let nst = plaintext_handshake_messages(&answer[..1]).remove(0);
            Setup {
                conn: c.0,
                peer: s.0,
                protected: false,
                expected: Some((In::Handshake(4), nst)),
            }
        }
        "ExpectChangeCipherSpec" => {
            feed(&mut c, &answer[..1]);
            Setup {
                conn: c.0,
                peer: s.0,
                protected: false,
                expected: Some((In::ChangeCipherSpec, vec![1])),
            }
        }
        "ExpectFinished" => {
            feed(&mut c, &answer[..2]);
            // Re-seal from the start so the client's opener accepts injected
            // records; the expected input is the real Finished record.
            s.common.record.write_state_mut().unwrap().set_sequence(0);
            Setup {
                conn: c.0,
                peer: s.0,
                protected: true,
                expected: None,
            }
        }
        _ => {
            feed(&mut c, &answer);
            while c.next_event().is_some() {}
            Setup {
                conn: c.0,
                peer: s.0,
                protected: true,
                expected: Some((In::ApplicationData, b"x".to_vec())),
            }
        }
    }
}

const SERVER_STATES: [&str; 7] = [
    "ExpectClientHello",
    "ExpectCertificate",
    "ExpectClientKeyExchange",
    "ExpectCertificateVerify",
    "ExpectChangeCipherSpec",
    "ExpectFinished",
    "Established",
];

fn server_in(state: &str) -> Setup {
    let mutual = matches!(state, "ExpectCertificate" | "ExpectCertificateVerify");
    let (mut c, mut s) = pair(mutual);
    let hello = take_output(&mut c);
    if state == "ExpectClientHello" {
        let ch = plaintext_handshake_messages(&split_records(&hello)).remove(0);
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: Some((In::Handshake(1), ch)),
        };
    }
    s.receive(&hello).unwrap();
    c.receive(&take_output(&mut s)).unwrap();
    let records = split_records(&take_output(&mut c));
    // Everything before ChangeCipherSpec is plaintext; the Finished after it
    // is protected.
    let ccs_at = records.iter().position(|r| r[0] == 20).unwrap();
    let msgs = plaintext_handshake_messages(&records[..ccs_at]);
    // Client flight: [Certificate, CKE, CertificateVerify] or [CKE], then CCS, Finished.
    let (fed_msgs, next) = match state {
        "ExpectCertificate" => (0, Some(0)),
        "ExpectClientKeyExchange" => (0, Some(0)),
        "ExpectCertificateVerify" => (2, Some(2)),
        _ => (msgs.len(), None),
    };
    for m in &msgs[..fed_msgs] {
        s.receive(&record(22, m)).unwrap();
    }
    if let Some(i) = next {
        let m = msgs[i].clone();
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: Some((In::Handshake(m[0]), m)),
        };
    }
    // All plaintext handshake messages are in; CCS and the protected
    // Finished follow.
    match state {
        "ExpectChangeCipherSpec" => Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: Some((In::ChangeCipherSpec, vec![1])),
        },
        "ExpectFinished" => {
            feed(&mut s, &records[ccs_at..ccs_at + 1]);
            c.common.record.write_state_mut().unwrap().set_sequence(0);
            Setup {
                conn: s.0,
                peer: c.0,
                protected: true,
                expected: None,
            }
        }
        _ => {
            feed(&mut s, &records[ccs_at..]);
            while s.next_event().is_some() {}
            Setup {
                conn: s.0,
                peer: c.0,
                protected: true,
                expected: Some((In::ApplicationData, b"x".to_vec())),
            }
        }
    }
}

/// What RFC 5246 allows, state by state.
fn expected_outcome(client: bool, state: &str, input: In) -> Outcome {
    match input {
        In::WarningAlert => return Outcome::Accepted,
        In::FatalAlert => return Outcome::PeerAlert,
        _ => {}
    }
    let established = state == "Established";
    let allowed = match (client, input) {
        // RFC 5246 §7.4.1.1: HelloRequest is ignored while negotiating and
        // refused with a warning afterwards; the server never accepts one.
        (true, In::Handshake(0)) => true,
        // RFC 5246 §7.4.1.2 / §7.2.2: a renegotiating ClientHello is refused
        // with a warning.
        (false, In::Handshake(1)) => established || state == "ExpectClientHello",
        (_, In::ApplicationData) => established,
        (true, In::Handshake(t)) => matches!(
            (state, t),
            ("ExpectServerHello", 2)
                | ("ExpectCertificate", 11)
                | ("ExpectServerKeyExchange", 12)
                | ("ExpectServerHelloDone", 13 | 14)
                | ("ExpectServerHelloDone (after CertificateRequest)", 14)
                | ("ExpectNewSessionTicket", 4)
                | ("ExpectFinished", 20)
        ),
        (false, In::Handshake(t)) => matches!(
            (state, t),
            ("ExpectClientHello", 1)
                | ("ExpectCertificate", 11)
                | ("ExpectClientKeyExchange", 16)
                | ("ExpectCertificateVerify", 15)
                | ("ExpectFinished", 20)
        ),
        (_, In::ChangeCipherSpec) => state == "ExpectChangeCipherSpec",
        _ => false,
    };
    if allowed {
        Outcome::Accepted
    } else {
        Outcome::Unexpected
    }
}

/// A well-formed body for `input` (the real one when the state expects it).
fn body(setup: &Setup, input: In, synthetic: &[(&'static str, Vec<u8>)]) -> (ContentType, Vec<u8>) {
    if let Some((want, real)) = &setup.expected {
        if *want == input {
            let typ = match input {
                In::ChangeCipherSpec => ContentType::ChangeCipherSpec,
                In::ApplicationData => ContentType::ApplicationData,
                _ => ContentType::Handshake,
            };
            return (typ, real.clone());
        }
    }
    match input {
        In::Handshake(22) => (ContentType::Handshake, handshake_msg(22, &[1, 0, 0, 0])),
        In::Handshake(t) => {
            let m = synthetic
                .iter()
                .find(|(_, m)| m[0] == t)
                .map(|(_, m)| m.clone());
            (
                ContentType::Handshake,
                m.unwrap_or_else(|| handshake_msg(t, &[])),
            )
        }
        In::ChangeCipherSpec => (ContentType::ChangeCipherSpec, vec![1]),
        In::ApplicationData => (ContentType::ApplicationData, b"data".to_vec()),
        In::WarningAlert => (ContentType::Alert, vec![1, 90]),
        In::FatalAlert => (ContentType::Alert, vec![2, 40]),
    }
}

fn observe(setup: &mut Setup, typ: ContentType, body: &[u8]) -> Outcome {
    let queued = setup.conn.pending_output().len();
    match setup.inject(typ, body) {
        Ok(_) => {
            assert!(setup.conn.error().is_none());
            Outcome::Accepted
        }
        Err(Error::AlertReceived(AlertDescription::HandshakeFailure)) => {
            assert_eq!(
                setup.conn.pending_output().len(),
                queued,
                "nothing is sent back"
            );
            Outcome::PeerAlert
        }
        Err(e @ Error::UnexpectedMessage { .. }) => {
            assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage));
            assert!(
                setup.conn.pending_output().len() > queued,
                "the alert is queued"
            );
            // Dead: the same error forever.
            assert_eq!(setup.conn.receive(&[22, 3, 3, 0, 1, 0]), Err(e));
            Outcome::Unexpected
        }
        Err(other) => panic!("unexpected kind of failure: {other:?}"),
    }
}

fn label(input: In) -> String {
    match input {
        In::Handshake(t) => HandshakeType::from_wire(t)
            .name()
            .unwrap_or("unknown(99)")
            .to_string(),
        other => alloc::format!("{other:?}"),
    }
}

#[test]
fn every_state_and_every_input_has_its_exact_outcome() {
    let synthetic = every_message();
    let mut table = String::new();
    for (client, states) in [(true, &CLIENT_STATES[..]), (false, &SERVER_STATES[..])] {
        for state in states {
            let mut row = alloc::format!("{} {state}:", if client { "client" } else { "server" });
            for input in inputs() {
                let got = if *state == "ExpectFinished" && input == In::Handshake(20) {
                    // The one Finished that can be accepted is the peer's
                    // genuine one.
                    real_finished(client)
                } else {
                    let mut setup = if client {
                        client_in(state)
                    } else {
                        server_in(state)
                    };
                    let (typ, bytes) = body(&setup, input, &synthetic);
                    observe(&mut setup, typ, &bytes)
                };
                let want = expected_outcome(client, state, input);
                assert_eq!(
                    got,
                    want,
                    "{} {state} <- {}",
                    if client { "client" } else { "server" },
                    label(input)
                );
                row.push_str(&alloc::format!(
                    " {}={}",
                    label(input),
                    match got {
                        Outcome::Accepted => "ok",
                        Outcome::Unexpected => "unexpected_message",
                        Outcome::PeerAlert => "peer-alert",
                    }
                ));
            }
            table.push_str(&row);
            table.push('\n');
        }
    }
    #[cfg(feature = "std")]
    std::println!("{table}");
}

/// Delivers the peer's genuine Finished (the last record of its flight) to a
/// connection in ExpectFinished.
fn real_finished(client: bool) -> Outcome {
    let (mut c, mut s) = pair(false);
    s.receive(&take_output(&mut c)).unwrap();
    c.receive(&take_output(&mut s)).unwrap();
    let client_flight = split_records(&take_output(&mut c));
    if client {
        s.receive(&client_flight.concat()).unwrap();
        let answer = split_records(&take_output(&mut s));
        feed(&mut c, &answer[..2]);
        match c.receive(&answer[2]) {
            Ok(_) => Outcome::Accepted,
            Err(_) => Outcome::Unexpected,
        }
    } else {
        let n = client_flight.len();
        feed(&mut s, &client_flight[..n - 1]);
        match s.receive(&client_flight[n - 1]) {
            Ok(_) => Outcome::Accepted,
            Err(_) => Outcome::Unexpected,
        }
    }
}
