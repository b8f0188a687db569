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

use super::tests::{every_message, handshake_msg, split_records, take_output};
use super::*;
use crate::config::ClientAuth;
use crate::testing;

/// A pair; `mutual` makes the server require a client certificate and the
/// client hold one.
fn pair(mutual: bool) -> (ClientConnection, ServerConnection) {
    let mut cc = testing::client_config();
    let mut sc = testing::server_config("server-p256");
    if mutual {
        let (chain, key) = testing::identity("client-p256");
        cc.add_client_certificate(chain, key).unwrap();
        sc.client_auth = ClientAuth::Required(testing::roots());
    }
    testing::pair_with(cc, sc, "localhost")
}

/// A pair whose paused side signs with a caller-held key: the client's
/// client-p256 key (`client_paused`) or the server's server-p256 key.
fn caller_key_pair(client_paused: bool) -> (ClientConnection, ServerConnection) {
    use crate::KeyType;
    let mut cc = testing::client_config();
    let mut sc = testing::server_config("server-p256");
    if client_paused {
        let (chain, _) = testing::identity("client-p256");
        cc.add_client_certificate_with_caller_key(chain, KeyType::EcdsaP256)
            .unwrap();
        sc.client_auth = ClientAuth::Required(testing::roots());
    } else {
        let (chain, _) = testing::identity("server-p256");
        sc = crate::ServerConfig::with_caller_key(chain, KeyType::EcdsaP256).unwrap();
    }
    testing::pair_with(cc, sc, "localhost")
}

/// A pair agreeing on RSA key transport, the server's RSA key held by the
/// caller, which decrypts; with `stapling`, the client asks for an OCSP
/// response and the server staples one.
fn rsa_key_transport_pair(stapling: bool) -> (ClientConnection, ServerConnection) {
    let mut cc = testing::client_config();
    cc.legacy_rsa_key_transport = true;
    cc.cipher_suites = crate::LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec().into();
    let (chain, _) = testing::identity("server-rsa2048-kx");
    let mut sc = crate::ServerConfig::with_caller_key(chain, crate::KeyType::Rsa).unwrap();
    sc.legacy_rsa_key_transport = true;
    sc.cipher_suites = crate::LEGACY_RSA_KEY_TRANSPORT_SUITES.to_vec().into();
    if stapling {
        cc.request_ocsp = true;
        let staple = crate::OcspStaple::new(vec![0x30, 0x03, 0x0a, 0x01, 0x00]);
        sc.set_ocsp_staple(0, Arc::new(staple)).unwrap();
    }
    testing::pair_with(cc, sc, "localhost")
}

/// A pair agreeing on plain PSK, the server sending an identity hint.
fn psk_pair() -> (ClientConnection, ServerConnection) {
    use crate::psk::{Psk, PskMap};
    let key = Psk::new(&[7; 32]).unwrap();
    let mut cc = testing::client_config();
    cc.cipher_suites = vec![crate::CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256].into();
    cc.add_psk(b"device", key.clone()).unwrap();
    let mut keys = PskMap::new();
    keys.insert(b"device", key).unwrap();
    let mut sc = crate::ServerConfig::with_psk(Arc::new(keys));
    sc.psk_identity_hint = Some(b"hint".to_vec().into());
    testing::pair_with(cc, sc, "localhost")
}

/// A pair whose server staples an OCSP response for a client that asks.
fn stapling_pair() -> (ClientConnection, ServerConnection) {
    let mut cc = testing::client_config();
    cc.request_ocsp = true;
    let mut sc = testing::server_config("server-p256");
    let staple = crate::OcspStaple::new(vec![0x30, 0x03, 0x0a, 0x01, 0x00]);
    sc.set_ocsp_staple(0, Arc::new(staple)).unwrap();
    testing::pair_with(cc, sc, "localhost")
}

/// A verifier that always asks the caller.
#[derive(Debug)]
struct AskCaller;

impl crate::keyop::PeerVerifier for AskCaller {
    fn verify(&self, _: &crate::keyop::PeerChain<'_>) -> crate::keyop::Verdict {
        crate::keyop::Verdict::AskCaller
    }
}

/// A pair whose client (`client_paused`) or server waits for the caller's
/// verdict on the peer's chain.
fn verdict_pair(client_paused: bool) -> (ClientConnection, ServerConnection) {
    let mut cc = testing::client_config();
    let mut sc = testing::server_config("server-p256");
    if client_paused {
        cc.verifier = Some(Arc::new(AskCaller).into());
    } else {
        let (chain, key) = testing::identity("client-p256");
        cc.add_client_certificate(chain, key).unwrap();
        sc.client_auth = ClientAuth::Required(testing::roots());
        sc.client_verifier = Some(Arc::new(AskCaller).into());
    }
    testing::pair_with(cc, sc, "localhost")
}

/// A chooser that always asks the caller.
#[derive(Debug)]
struct ChooseByCaller;

impl crate::keyop::CertificateChooser for ChooseByCaller {
    fn choose(&self, _: &crate::keyop::ClientHelloInfo<'_>) -> crate::keyop::Choice {
        crate::keyop::Choice::AskCaller
    }
}

/// What the caller's key signs for the pending operation of `conn`.
fn caller_signature(conn: &Connection, client: bool) -> Vec<u8> {
    let op = conn.operation().expect("paused");
    let key = testing::key(if client {
        "client-p256.key"
    } else {
        "server-p256.key"
    });
    let key = crate::crypto::sign::SigningKey::from_der(&key).unwrap();
    key.sign(op.scheme().unwrap(), op.message())
        .unwrap()
        .as_ref()
        .to_vec()
}

/// The inputs of the table: every kind the tables distinguish, and a
/// handshake type no RFC defines.
fn inputs() -> Vec<Kind> {
    let mut v = Kind::ALL.to_vec();
    v.push(Kind::Handshake(HandshakeType::Unknown(99)));
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
    /// The peer's close_notify before the handshake finished: the
    /// connection ends with nothing agreed.
    ClosedEarly,
    /// Paused for the caller: the bytes are taken and held, unread.
    Held,
    /// An answer with no operation pending: the caller's mistake
    /// (`Error::Misuse`), which changes nothing.
    Misuse,
}

/// What the table says should happen.
fn outcome_of<H>(action: Action<H>, input: Kind) -> Outcome {
    match action {
        // The caller's answer never reaches the table unless an operation is
        // pending: the API refuses it first.
        Action::Unexpected if input == Kind::Answer => Outcome::Misuse,
        Action::Hold => Outcome::Held,
        Action::Unexpected => Outcome::Unexpected,
        Action::PeerFatal => Outcome::PeerAlert,
        Action::ClosedDuringHandshake => Outcome::ClosedEarly,
        Action::Handle(_)
        | Action::Deliver
        | Action::Ignore
        | Action::RefuseRenegotiation
        | Action::Warning
        | Action::Close => Outcome::Accepted,
    }
}

/// A connection in some state, and how to put bytes in front of it.
struct Setup {
    conn: Connection,
    /// The peer, whose record protection seals injected records once the
    /// connection under test reads protected records.
    peer: Connection,
    protected: bool,
    /// The message the state expects, taken from the real peer.
    expected: Option<(Kind, Vec<u8>)>,
    /// Another genuine message the state accepts, for a row that handles two.
    expected_too: Option<(Kind, Vec<u8>)>,
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
    testing::record(typ, 0x0303, body)
}

fn hs(m: &[u8]) -> (Kind, Vec<u8>) {
    (Kind::Handshake(HandshakeType::from_wire(m[0])), m.to_vec())
}

fn client_in(stage: ClientStage) -> Setup {
    use ClientStage as S;
    if matches!(stage, S::AwaitSignature | S::AwaitVerdict) {
        let (mut c, mut s) = if stage == S::AwaitSignature {
            caller_key_pair(true)
        } else {
            verdict_pair(true)
        };
        s.receive(&take_output(&mut c)).unwrap();
        c.receive(&take_output(&mut s)).unwrap();
        assert!(c.operation().is_some(), "paused for the caller");
        return Setup {
            conn: c.0,
            peer: s.0,
            protected: false,
            expected: None,
            expected_too: None,
        };
    }
    if stage == S::ExpectCertificateStatus {
        // ServerHello, Certificate, CertificateStatus, ServerKeyExchange, ...
        let (mut c, mut s) = stapling_pair();
        s.receive(&take_output(&mut c)).unwrap();
        let flight = plaintext_handshake_messages(&split_records(&take_output(&mut s)));
        for m in &flight[..2] {
            c.receive(&record(22, m)).unwrap();
        }
        return Setup {
            conn: c.0,
            peer: s.0,
            protected: false,
            expected: Some(hs(&flight[2])),
            // The status is optional even when announced (RFC 6066 §8).
            expected_too: Some(hs(&flight[3])),
        };
    }
    if stage == S::ExpectPskServerKeyExchange {
        // ServerHello, ServerKeyExchange (the hint), ServerHelloDone.
        let (mut c, mut s) = psk_pair();
        s.receive(&take_output(&mut c)).unwrap();
        let flight = plaintext_handshake_messages(&split_records(&take_output(&mut s)));
        assert_eq!(flight.len(), 3, "no Certificate");
        c.receive(&record(22, &flight[0])).unwrap();
        return Setup {
            conn: c.0,
            peer: s.0,
            protected: false,
            expected: Some(hs(&flight[1])),
            // Without a hint there is no ServerKeyExchange (RFC 4279 §2).
            expected_too: Some(hs(&flight[2])),
        };
    }
    if stage == S::ExpectKeyTransportStatus {
        // ServerHello, Certificate, CertificateStatus, ServerHelloDone: RSA
        // key transport has no ServerKeyExchange.
        let (mut c, mut s) = rsa_key_transport_pair(true);
        s.receive(&take_output(&mut c)).unwrap();
        let flight = plaintext_handshake_messages(&split_records(&take_output(&mut s)));
        assert_eq!(flight.len(), 4, "no ServerKeyExchange");
        for m in &flight[..2] {
            c.receive(&record(22, m)).unwrap();
        }
        return Setup {
            conn: c.0,
            peer: s.0,
            protected: false,
            expected: Some(hs(&flight[2])),
            // The status is optional even when announced (RFC 6066 §8).
            expected_too: Some(hs(&flight[3])),
        };
    }
    let mutual = stage == S::ExpectServerHelloDone;
    let (mut c, mut s) = pair(mutual);
    s.receive(&take_output(&mut c)).unwrap();
    let flight = plaintext_handshake_messages(&split_records(&take_output(&mut s)));
    let (fed, expected) = match stage {
        S::ExpectServerHello => (0, Some(hs(&flight[0]))),
        S::ExpectCertificate => (1, Some(hs(&flight[1]))),
        S::ExpectServerKeyExchange => (2, Some(hs(&flight[2]))),
        S::ExpectCertificateRequest => (3, Some(hs(&flight[3]))),
        S::ExpectServerHelloDone => (4, Some(hs(&flight[4]))),
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
            expected_too: None,
        };
    }
    // The client has sent its Finished; the server answers with
    // NewSessionTicket, ChangeCipherSpec and Finished.
    s.receive(&take_output(&mut c)).unwrap();
    let answer = split_records(&take_output(&mut s));
    assert_eq!(answer.len(), 3);
    match stage {
        S::ExpectNewSessionTicket => {
            let nst = plaintext_handshake_messages(&answer[..1]).remove(0);
            Setup {
                conn: c.0,
                peer: s.0,
                protected: false,
                expected: Some(hs(&nst)),
                expected_too: None,
            }
        }
        S::ExpectChangeCipherSpec => {
            feed(&mut c, &answer[..1]);
            Setup {
                conn: c.0,
                peer: s.0,
                protected: false,
                expected: Some((Kind::ChangeCipherSpec, vec![1])),
                expected_too: None,
            }
        }
        S::ExpectFinished => {
            feed(&mut c, &answer[..2]);
            // Re-seal from the start so the client's opener accepts injected
            // records; the expected input is the real Finished record.
            s.common.record.write_state_mut().unwrap().set_sequence(0);
            Setup {
                conn: c.0,
                peer: s.0,
                protected: true,
                expected: None,
                expected_too: None,
            }
        }
        _ => {
            feed(&mut c, &answer);
            while c.next_event().is_some() {}
            Setup {
                conn: c.0,
                peer: s.0,
                protected: true,
                expected: Some((Kind::ApplicationData, b"x".to_vec())),
                expected_too: None,
            }
        }
    }
}

fn server_in(stage: ServerStage) -> Setup {
    use ServerStage as S;
    if stage == S::AwaitCertificate {
        let mut sc = testing::server_config("server-p256");
        sc.certificate_chooser = Some(Arc::new(ChooseByCaller).into());
        let (mut c, mut s) = testing::pair_with(testing::client_config(), sc, "localhost");
        s.receive(&take_output(&mut c)).unwrap();
        assert!(s.operation().is_some(), "paused for the choice");
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: None,
            expected_too: None,
        };
    }
    if stage == S::AwaitVerdict {
        let (mut c, mut s) = verdict_pair(false);
        s.receive(&take_output(&mut c)).unwrap();
        c.receive(&take_output(&mut s)).unwrap();
        s.receive(&take_output(&mut c)).unwrap();
        assert!(s.operation().is_some(), "paused for the verdict");
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: None,
            expected_too: None,
        };
    }
    if stage == S::AwaitDecryption {
        let (mut c, mut s) = rsa_key_transport_pair(false);
        s.receive(&take_output(&mut c)).unwrap();
        c.receive(&take_output(&mut s)).unwrap();
        let records = split_records(&take_output(&mut c));
        // ClientKeyExchange alone: the paused server then holds whatever
        // the test injects.
        s.receive(&records[0]).unwrap();
        assert!(s.operation().is_some(), "paused for the decryption");
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: None,
            expected_too: None,
        };
    }
    if stage == S::AwaitSignature {
        let (mut c, mut s) = caller_key_pair(false);
        s.receive(&take_output(&mut c)).unwrap();
        assert!(s.operation().is_some(), "paused for the signature");
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: None,
            expected_too: None,
        };
    }
    let mutual = matches!(stage, S::ExpectCertificate | S::ExpectCertificateVerify);
    let (mut c, mut s) = pair(mutual);
    let hello = take_output(&mut c);
    if stage == S::ExpectClientHello {
        let ch = plaintext_handshake_messages(&split_records(&hello)).remove(0);
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: Some(hs(&ch)),
            expected_too: None,
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
    let (fed_msgs, next) = match stage {
        S::ExpectCertificate | S::ExpectClientKeyExchange => (0, Some(0)),
        S::ExpectCertificateVerify => (2, Some(2)),
        _ => (msgs.len(), None),
    };
    for m in &msgs[..fed_msgs] {
        s.receive(&record(22, m)).unwrap();
    }
    if let Some(i) = next {
        return Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: Some(hs(&msgs[i])),
            expected_too: None,
        };
    }
    // All plaintext handshake messages are in; CCS and the protected
    // Finished follow.
    match stage {
        S::ExpectChangeCipherSpec => Setup {
            conn: s.0,
            peer: c.0,
            protected: false,
            expected: Some((Kind::ChangeCipherSpec, vec![1])),
            expected_too: None,
        },
        S::ExpectFinished => {
            feed(&mut s, &records[ccs_at..ccs_at + 1]);
            c.common.record.write_state_mut().unwrap().set_sequence(0);
            Setup {
                conn: s.0,
                peer: c.0,
                protected: true,
                expected: None,
                expected_too: None,
            }
        }
        _ => {
            feed(&mut s, &records[ccs_at..]);
            while s.next_event().is_some() {}
            Setup {
                conn: s.0,
                peer: c.0,
                protected: true,
                expected: Some((Kind::ApplicationData, b"x".to_vec())),
                expected_too: None,
            }
        }
    }
}

/// A well-formed body for `input` (the real one when the state expects it).
fn body(
    setup: &Setup,
    input: Kind,
    synthetic: &[(&'static str, Vec<u8>)],
) -> (ContentType, Vec<u8>) {
    for (want, real) in setup.expected.iter().chain(&setup.expected_too) {
        if *want == input {
            let typ = match input {
                Kind::ChangeCipherSpec => ContentType::ChangeCipherSpec,
                Kind::ApplicationData => ContentType::ApplicationData,
                _ => ContentType::Handshake,
            };
            return (typ, real.clone());
        }
    }
    match input {
        Kind::Handshake(HandshakeType::CertificateStatus) => {
            (ContentType::Handshake, handshake_msg(22, &[1, 0, 0, 0]))
        }
        Kind::Handshake(t) => {
            let m = synthetic
                .iter()
                .find(|(_, m)| m[0] == t.to_wire())
                .map(|(_, m)| m.clone());
            (
                ContentType::Handshake,
                m.unwrap_or_else(|| handshake_msg(t.to_wire(), &[])),
            )
        }
        Kind::ChangeCipherSpec => (ContentType::ChangeCipherSpec, vec![1]),
        Kind::ApplicationData => (ContentType::ApplicationData, b"data".to_vec()),
        Kind::WarningAlert => (ContentType::Alert, vec![1, 90]),
        Kind::CloseNotify => (ContentType::Alert, vec![1, 0]),
        Kind::FatalAlert => (ContentType::Alert, vec![2, 40]),
        // Not wire bytes: `observe` answers through the API.
        Kind::Answer => (ContentType::Handshake, Vec::new()),
    }
}

/// Answers the pending operation (or a made-up one) with the real key.
fn observe_answer(setup: &mut Setup, client: bool) -> Outcome {
    let pending = setup.conn.operation().map(|op| op.id());
    let Some(id) = pending else {
        let made_up = crate::keyop::OperationId(99);
        assert_eq!(
            setup
                .conn
                .complete_operation(made_up, crate::Answer::Signature(vec![1].into())),
            Err(Error::Misuse("no pending operation has this id"))
        );
        assert!(setup.conn.error().is_none(), "nothing changed");
        return Outcome::Misuse;
    };
    let answer = match setup.conn.operation().unwrap().kind() {
        crate::OperationKind::Sign(_) => {
            crate::Answer::Signature(caller_signature(&setup.conn, client).into())
        }
        crate::OperationKind::VerifyChain => crate::Answer::Verdict(Ok(())),
        crate::OperationKind::ChooseCertificate => crate::Answer::Certificate(0),
        // The library has no RSA decryption to answer with; a failed one
        // is answered like any other (RFC 5246 §7.4.7.1): the handshake
        // goes on.
        crate::OperationKind::Decrypt => crate::Answer::Failed,
    };
    setup.conn.complete_operation(id, answer).unwrap();
    assert!(setup.conn.operation().is_none());
    Outcome::Accepted
}

fn observe(setup: &mut Setup, typ: ContentType, body: &[u8]) -> Outcome {
    let queued = setup.conn.pending_output().len();
    let paused = setup.conn.operation().is_some();
    match setup.inject(typ, body) {
        Ok(n) if paused => {
            assert!(n > 0 && setup.conn.error().is_none());
            assert!(setup.conn.operation().is_some(), "still paused");
            assert_eq!(setup.conn.pending_output().len(), queued, "nothing read");
            Outcome::Held
        }
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
        Err(Error::PeerClosedDuringHandshake) => Outcome::ClosedEarly,
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

fn label(input: Kind) -> String {
    match input {
        Kind::Handshake(HandshakeType::Unknown(t)) => alloc::format!("unknown({t})"),
        other => other.name().to_string(),
    }
}

fn action_name<H>(action: Action<H>) -> &'static str {
    match action {
        Action::Handle(_) => "handle",
        Action::Deliver => "deliver",
        Action::Ignore => "ignore",
        Action::RefuseRenegotiation => "refuse (warning)",
        Action::Warning => "warning",
        Action::Close => "close",
        Action::ClosedDuringHandshake => "closed early",
        Action::PeerFatal => "peer fatal",
        Action::Unexpected => "unexpected",
        Action::Hold => "hold",
    }
}

/// Puts a connection in `stage`, of the client's table or the server's.
#[derive(Debug, Clone, Copy)]
enum Stage {
    Client(ClientStage),
    Server(ServerStage),
}

impl Stage {
    fn all() -> Vec<Stage> {
        let mut v: Vec<Stage> = ClientStage::ALL.iter().map(|s| Stage::Client(*s)).collect();
        v.extend(ServerStage::ALL.iter().map(|s| Stage::Server(*s)));
        v
    }

    fn setup(self) -> Setup {
        match self {
            Stage::Client(s) => client_in(s),
            Stage::Server(s) => server_in(s),
        }
    }

    fn on(self, input: Kind) -> Action<()> {
        match self {
            Stage::Client(s) => s.on(input).map(|_| ()),
            Stage::Server(s) => s.on(input).map(|_| ()),
        }
    }

    fn is_finished_wait(self) -> bool {
        matches!(
            self,
            Stage::Client(ClientStage::ExpectFinished) | Stage::Server(ServerStage::ExpectFinished)
        )
    }

    fn name(self) -> String {
        match self {
            Stage::Client(s) => alloc::format!("client {s:?}"),
            Stage::Server(s) => alloc::format!("server {s:?}"),
        }
    }
}

#[test]
fn every_state_and_every_input_has_the_outcome_its_table_row_says() {
    let synthetic = every_message();
    let mut cases = 0;
    for stage in Stage::all() {
        for input in inputs() {
            let got =
                if stage.is_finished_wait() && input == Kind::Handshake(HandshakeType::Finished) {
                    // The one Finished that can be accepted is the peer's
                    // genuine one.
                    real_finished(matches!(stage, Stage::Client(_)))
                } else if input == Kind::Answer {
                    observe_answer(&mut stage.setup(), matches!(stage, Stage::Client(_)))
                } else {
                    let mut setup = stage.setup();
                    let (typ, bytes) = body(&setup, input, &synthetic);
                    observe(&mut setup, typ, &bytes)
                };
            let want = outcome_of(stage.on(input), input);
            assert_eq!(got, want, "{} <- {}", stage.name(), label(input));
            cases += 1;
        }
    }
    assert_eq!(cases, (14 + 11) * 19);
}

/// Type before body: in every state, a handshake message of a type the
/// table refuses is unexpected_message even when its body is malformed.
#[test]
fn a_refused_message_type_with_a_malformed_body_is_unexpected_message() {
    let mut checked = 0;
    for stage in Stage::all() {
        for input in inputs() {
            let Kind::Handshake(t) = input else { continue };
            if !matches!(stage.on(input), Action::Unexpected) {
                continue;
            }
            let mut setup = stage.setup();
            // One byte: no handshake body of any type is that, so decoding
            // it first would give decode_error.
            let msg = handshake_msg(t.to_wire(), &[0xff]);
            let got = observe(&mut setup, ContentType::Handshake, &msg);
            assert_eq!(
                got,
                Outcome::Unexpected,
                "{} <- {}",
                stage.name(),
                label(input)
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

/// The tables rendered as text, one line per state.
fn render() -> String {
    let mut out = String::from("| state |");
    for input in Kind::ALL {
        out.push_str(&alloc::format!(" {} |", label(input)));
    }
    out.push_str("\n|---|");
    for _ in Kind::ALL {
        out.push_str(":-:|");
    }
    out.push('\n');
    for stage in Stage::all() {
        out.push_str(&alloc::format!("| {} |", stage.name()));
        for input in Kind::ALL {
            out.push_str(&alloc::format!(" {} |", action_name(stage.on(input))));
        }
        out.push('\n');
    }
    out
}

/// ARCHITECTURE.md shows the tables as the code has them: a change to a
/// table row fails this test until the document (and so the review) shows
/// it. `UPDATE_STATE_TABLE=1 cargo test --lib state_table` rewrites it.
#[test]
fn architecture_md_shows_the_tables_as_they_are() {
    const START: &str = "<!-- state-table:start -->\n";
    const END: &str = "<!-- state-table:end -->";
    let doc = include_str!("../../ARCHITECTURE.md");
    let (Some(a), Some(b)) = (doc.find(START), doc.find(END)) else {
        panic!("ARCHITECTURE.md lacks the state-table markers");
    };
    let table = render();
    let shown = &doc[a + START.len()..b];
    if shown != table {
        #[cfg(feature = "std")]
        if std::env::var_os("UPDATE_STATE_TABLE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ARCHITECTURE.md");
            let updated = alloc::format!("{}{START}{table}{}", &doc[..a], &doc[b..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        panic!(
            "ARCHITECTURE.md's state table is out of date; run \
             UPDATE_STATE_TABLE=1 cargo test --lib state_table. It should read:\n{table}"
        );
    }
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
