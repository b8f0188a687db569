//! Interop with rustls 0.23 (ring provider, TLS 1.2 only), entirely in
//! memory: every suite in both roles, every group, ALPN and SNI, Ed25519 and
//! P-384 certificates, extended master secret, close_notify both ways, and
//! failures as each side sees them.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::ops::DerefMut;
use std::sync::Arc;

use common::*;
use rustls::crypto::ring as rring;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::UnixTime;
use rustls::SupportedCipherSuite;
use tls12::{
    CertificateError, CipherSuite, ClientConfig, ClientConnection, Connection, Error, Event,
    NamedGroup, ServerConfig, ServerConnection, SignatureScheme,
};

// ---------------------------------------------------------------------------
// rustls configuration

/// rustls checks certificates at the same fixed time as our side.
#[derive(Debug)]
struct FixedTime;

impl rustls::time_provider::TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(now())
    }
}

/// The ring provider restricted to `suites` and `groups` (empty = all of
/// rustls's TLS 1.2 suites / all its groups).
fn provider(
    suites: &[SupportedCipherSuite],
    groups: &[&'static dyn SupportedKxGroup],
) -> Arc<CryptoProvider> {
    let base = rring::default_provider();
    let cipher_suites = if suites.is_empty() {
        base.cipher_suites
            .iter()
            .copied()
            .filter(|s| s.tls13().is_none())
            .collect()
    } else {
        suites.to_vec()
    };
    let kx_groups = if groups.is_empty() {
        base.kx_groups.clone()
    } else {
        groups.to_vec()
    };
    Arc::new(CryptoProvider {
        cipher_suites,
        kx_groups,
        ..base
    })
}

fn rustls_client_config(
    suites: &[SupportedCipherSuite],
    groups: &[&'static dyn SupportedKxGroup],
) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for c in certs("ca.pem") {
        roots.add(c).unwrap();
    }
    rustls::ClientConfig::builder_with_details(provider(suites, groups), Arc::new(FixedTime))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

fn rustls_server_config(
    identity: &str,
    suites: &[SupportedCipherSuite],
    groups: &[&'static dyn SupportedKxGroup],
) -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_details(provider(suites, groups), Arc::new(FixedTime))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            certs(&format!("{identity}.chain.pem")),
            key(&format!("{identity}.key")),
        )
        .unwrap()
}

// ---------------------------------------------------------------------------
// The pump: a rustls connection and one of ours, joined in memory.

/// Upper bound on pump rounds before a test is declared stuck.
const MAX_ROUNDS: usize = 1000;

struct Pump<O> {
    rustls: rustls::Connection,
    ours: O,
    /// TLS bytes from our side that rustls has not taken yet.
    to_rustls: Vec<u8>,
    /// Plaintext each side has read.
    rustls_got: Vec<u8>,
    ours_got: Vec<u8>,
    /// Every event our side reported, in order.
    ours_events: Vec<Event>,
    /// The first error each side reported.
    rustls_error: Option<rustls::Error>,
    ours_error: Option<Error>,
    /// rustls's reader returned Ok(0): clean close observed.
    rustls_read_eof: bool,
    /// rustls's IoState said peer_has_closed.
    rustls_io_peer_closed: bool,
}

impl<O: DerefMut<Target = Connection>> Pump<O> {
    fn new(rustls: rustls::Connection, ours: O) -> Self {
        Self {
            rustls,
            ours,
            to_rustls: Vec::new(),
            rustls_got: Vec::new(),
            ours_got: Vec::new(),
            ours_events: Vec::new(),
            rustls_error: None,
            ours_error: None,
            rustls_read_eof: false,
            rustls_io_peer_closed: false,
        }
    }

    /// Reads all plaintext and events our side holds; returns bytes read.
    fn drain_ours(&mut self) -> usize {
        let data = self.ours.plaintext().to_vec();
        self.ours.consume_plaintext(data.len());
        self.ours_got.extend_from_slice(&data);
        while let Some(e) = self.ours.next_event() {
            self.ours_events.push(e);
        }
        data.len()
    }

    /// Reads all plaintext rustls holds; returns bytes read.
    fn drain_rustls(&mut self) -> usize {
        let mut buf = [0u8; 16 * 1024];
        let mut total = 0;
        loop {
            match self.rustls.reader().read(&mut buf) {
                Ok(0) => {
                    self.rustls_read_eof = true;
                    break;
                }
                Ok(n) => {
                    self.rustls_got.extend_from_slice(&buf[..n]);
                    total += n;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => panic!("rustls reader: {e}"),
            }
        }
        total
    }

    /// One round: rustls's output to ours, then ours to rustls. Returns how
    /// many TLS bytes moved.
    fn step(&mut self) -> usize {
        let mut moved = 0;

        // rustls -> ours
        let mut wire = Vec::new();
        while self.rustls.wants_write() {
            self.rustls.write_tls(&mut wire).unwrap();
        }
        moved += wire.len();
        if self.ours_error.is_none() {
            let mut offered = &wire[..];
            while !offered.is_empty() {
                match self.ours.receive(offered) {
                    Ok(0) => {
                        // Plaintext cap reached: read, then offer the rest.
                        assert!(self.drain_ours() > 0, "our receive made no progress");
                    }
                    Ok(n) => offered = &offered[n..],
                    Err(e) => {
                        self.ours_error = Some(e);
                        break;
                    }
                }
            }
        }
        self.drain_ours();

        // ours -> rustls
        let out = self.ours.pending_output().to_vec();
        self.ours.consume_output(out.len());
        moved += out.len();
        self.to_rustls.extend_from_slice(&out);
        while !self.to_rustls.is_empty() && self.rustls_error.is_none() {
            let n = match self.rustls.read_tls(&mut &self.to_rustls[..]) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Other => {
                    // "received plaintext buffer full": read, then retry.
                    assert!(self.drain_rustls() > 0, "rustls read_tls: {e}");
                    continue;
                }
                Err(e) => panic!("rustls read_tls: {e}"),
            };
            if n == 0 {
                // rustls has seen close_notify and takes nothing more.
                break;
            }
            self.to_rustls.drain(..n);
            match self.rustls.process_new_packets() {
                Ok(io) => {
                    if io.peer_has_closed() {
                        self.rustls_io_peer_closed = true;
                    }
                }
                Err(e) => self.rustls_error = Some(e),
            }
            if self.rustls_error.is_none() {
                self.drain_rustls();
            }
        }
        moved
    }

    /// Pumps until nothing moves (both done, or an error has been delivered
    /// as far as it goes).
    fn run(&mut self) {
        for _ in 0..MAX_ROUNDS {
            if self.step() == 0 {
                return;
            }
        }
        panic!("pump did not settle in {MAX_ROUNDS} rounds");
    }

    fn assert_no_errors(&self) {
        assert_eq!(self.ours_error, None, "our side failed");
        assert_eq!(self.rustls_error, None, "rustls failed");
    }

    fn handshake(&mut self) {
        self.run();
        self.assert_no_errors();
        assert!(!self.rustls.is_handshaking(), "rustls still handshaking");
        assert!(!self.ours.is_handshaking(), "our side still handshaking");
        assert_eq!(self.ours_events, [Event::HandshakeComplete]);
        self.ours_events.clear();
    }

    /// rustls writes `data`; returns what our side read.
    fn rustls_sends(&mut self, data: &[u8]) -> Vec<u8> {
        self.ours_got.clear();
        let mut rest = data;
        for _ in 0..MAX_ROUNDS {
            if rest.is_empty() {
                break;
            }
            let n = self.rustls.writer().write(rest).unwrap();
            rest = &rest[n..];
            self.run();
        }
        assert!(rest.is_empty(), "rustls could not send everything");
        self.run();
        self.assert_no_errors();
        std::mem::take(&mut self.ours_got)
    }

    /// Our side sends `data`; returns what rustls read.
    fn ours_sends(&mut self, data: &[u8]) -> Vec<u8> {
        self.rustls_got.clear();
        let mut rest = data;
        for _ in 0..MAX_ROUNDS {
            if rest.is_empty() {
                break;
            }
            let n = self.ours.send(rest).unwrap();
            rest = &rest[n..];
            self.run();
        }
        assert!(rest.is_empty(), "our side could not send everything");
        self.run();
        self.assert_no_errors();
        std::mem::take(&mut self.rustls_got)
    }

    /// Small and 1 MiB messages each way.
    fn exchange_data(&mut self, big: bool) {
        assert_eq!(
            self.rustls_sends(b"hello from rustls"),
            b"hello from rustls"
        );
        assert_eq!(self.ours_sends(b"hello from tls12"), b"hello from tls12");
        assert!(self.ours_events.contains(&Event::ApplicationData));
        if big {
            let data: Vec<u8> = (0..1usize << 20).map(|i| (i * 31 + 7) as u8).collect();
            assert!(self.rustls_sends(&data) == data, "1 MiB rustls -> tls12");
            assert!(self.ours_sends(&data) == data, "1 MiB tls12 -> rustls");
        }
    }

    /// Our close_notify reaches rustls, then rustls's reaches us.
    fn close_ours_first(&mut self) {
        self.ours_events.clear();
        self.ours.close();
        self.run();
        self.assert_no_errors();
        assert!(
            self.rustls_io_peer_closed,
            "rustls IoState: peer_has_closed"
        );
        assert!(self.rustls_read_eof, "rustls read did not return Ok(0)");
        // rustls does not answer close_notify on its own.
        assert!(!self.ours.peer_closed());
        assert!(!self.ours_events.contains(&Event::PeerClosed));

        self.rustls.send_close_notify();
        self.run();
        self.assert_no_errors();
        assert_eq!(self.ours_events, [Event::PeerClosed]);
        assert!(self.ours.peer_closed());
        assert_eq!(self.ours.eof(), Ok(()));
    }

    /// rustls's close_notify reaches us; ours (sent in reply) reaches rustls.
    fn close_rustls_first(&mut self) {
        self.ours_events.clear();
        self.rustls.send_close_notify();
        self.run();
        self.assert_no_errors();
        assert_eq!(self.ours_events, [Event::PeerClosed]);
        assert!(self.ours.peer_closed());
        assert_eq!(self.ours.eof(), Ok(()));
        assert!(
            self.rustls_io_peer_closed,
            "rustls IoState: peer_has_closed"
        );
        assert!(self.rustls_read_eof, "rustls read did not return Ok(0)");
    }

    fn assert_suite(&self, suite: CipherSuite) {
        let ours = self.ours.handshake_info().unwrap().cipher_suite;
        let theirs = self.rustls.negotiated_cipher_suite().unwrap().suite();
        assert_eq!(ours, suite);
        assert_eq!(u16::from(theirs), suite.to_wire(), "rustls: {theirs:?}");
    }

    fn assert_group(&self, group: NamedGroup) {
        assert_eq!(self.ours.handshake_info().unwrap().group, Some(group));
        let theirs = self.rustls.negotiated_key_exchange_group().unwrap().name();
        assert_eq!(u16::from(theirs), group.to_wire(), "rustls: {theirs:?}");
    }
}

/// rustls client, our server.
fn with_rustls_client(
    rc: rustls::ClientConfig,
    sc: ServerConfig,
    server_name: &str,
) -> Pump<ServerConnection> {
    let r = rustls::ClientConnection::new(Arc::new(rc), name(server_name)).unwrap();
    let ours = ServerConnection::new(Arc::new(sc), common::now()).unwrap();
    Pump::new(rustls::Connection::Client(r), ours)
}

/// Our client, rustls server.
fn with_rustls_server(
    cc: ClientConfig,
    rs: rustls::ServerConfig,
    server_name: &str,
) -> Pump<ClientConnection> {
    let ours = ClientConnection::new(Arc::new(cc), name(server_name), now()).unwrap();
    let r = rustls::ServerConnection::new(Arc::new(rs)).unwrap();
    Pump::new(rustls::Connection::Server(r), ours)
}

fn rustls_server_name(p: &Pump<ClientConnection>) -> Option<String> {
    match &p.rustls {
        rustls::Connection::Server(s) => s.server_name().map(str::to_owned),
        rustls::Connection::Client(_) => None,
    }
}

// ---------------------------------------------------------------------------
// 1 & 2: every suite, both roles

/// rustls client restricted to one suite, our server with every suite. Two
/// connections: one with 1 MiB each way where we close first, one where
/// rustls closes first.
fn rustls_client_suite(suite: CipherSuite, rsuite: SupportedCipherSuite, identity: &str) {
    for ours_closes_first in [true, false] {
        let mut p = with_rustls_client(
            rustls_client_config(&[rsuite], &[]),
            server_config(identity),
            "localhost",
        );
        p.handshake();
        p.assert_suite(suite);
        p.exchange_data(ours_closes_first);
        if ours_closes_first {
            p.close_ours_first();
        } else {
            p.close_rustls_first();
        }
    }
}

/// Our client with every suite, rustls server restricted to one.
fn rustls_server_suite(suite: CipherSuite, rsuite: SupportedCipherSuite, identity: &str) {
    for ours_closes_first in [true, false] {
        let mut p = with_rustls_server(
            client_config(),
            rustls_server_config(identity, &[rsuite], &[]),
            "localhost",
        );
        p.handshake();
        p.assert_suite(suite);
        p.exchange_data(ours_closes_first);
        if ours_closes_first {
            p.close_ours_first();
        } else {
            p.close_rustls_first();
        }
    }
}

table_tests! {
    rustls_client_suite;
    rustls_client_ecdhe_ecdsa_aes128_gcm: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-p256");
    rustls_client_ecdhe_ecdsa_aes256_gcm: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "server-p256");
    rustls_client_ecdhe_ecdsa_chacha20: (CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "server-p256");
    rustls_client_ecdhe_rsa_aes128_gcm: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa2048");
    rustls_client_ecdhe_rsa_aes256_gcm: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "server-rsa2048");
    rustls_client_ecdhe_rsa_chacha20: (CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "server-rsa2048");
}

table_tests! {
    rustls_server_suite;
    rustls_server_ecdhe_ecdsa_aes128_gcm: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-p256");
    rustls_server_ecdhe_ecdsa_aes256_gcm: (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "server-p256");
    rustls_server_ecdhe_ecdsa_chacha20: (CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "server-p256");
    rustls_server_ecdhe_rsa_aes128_gcm: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa2048");
    rustls_server_ecdhe_rsa_aes256_gcm: (CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "server-rsa2048");
    rustls_server_ecdhe_rsa_chacha20: (CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, rring::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "server-rsa2048");
}

// ---------------------------------------------------------------------------
// 3: groups, both roles

fn rustls_client_group(group: NamedGroup, rgroup: &'static dyn SupportedKxGroup) {
    let mut p = with_rustls_client(
        // rustls lists only `rgroup` in supported_groups, so the
        // certificate must not be tied to a curve (RFC 8422 §5.3): Ed25519.
        rustls_client_config(&[], &[rgroup]),
        server_config("server-ed25519"),
        "localhost",
    );
    p.handshake();
    p.assert_group(group);
    p.exchange_data(false);
    p.close_rustls_first();
}

fn rustls_server_group(group: NamedGroup, rgroup: &'static dyn SupportedKxGroup) {
    let mut p = with_rustls_server(
        client_config(),
        rustls_server_config("server-p256", &[], &[rgroup]),
        "localhost",
    );
    p.handshake();
    p.assert_group(group);
    p.exchange_data(false);
    p.close_ours_first();
}

table_tests! {
    rustls_client_group;
    rustls_client_group_x25519: (NamedGroup::X25519, rring::kx_group::X25519);
    rustls_client_group_secp256r1: (NamedGroup::Secp256r1, rring::kx_group::SECP256R1);
    rustls_client_group_secp384r1: (NamedGroup::Secp384r1, rring::kx_group::SECP384R1);
}

table_tests! {
    rustls_server_group;
    rustls_server_group_x25519: (NamedGroup::X25519, rring::kx_group::X25519);
    rustls_server_group_secp256r1: (NamedGroup::Secp256r1, rring::kx_group::SECP256R1);
    rustls_server_group_secp384r1: (NamedGroup::Secp384r1, rring::kx_group::SECP384R1);
}

// ---------------------------------------------------------------------------
// 4: ALPN and SNI

#[test]
fn rustls_client_alpn_our_server_preference_wins() {
    let mut rc = rustls_client_config(&[], &[]);
    rc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()].into();
    let mut p = with_rustls_client(rc, sc, "localhost");
    p.handshake();
    assert_eq!(
        p.ours.handshake_info().unwrap().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    assert_eq!(p.rustls.alpn_protocol(), Some(&b"http/1.1"[..]));
    p.exchange_data(false);
}

#[test]
fn rustls_server_alpn_its_preference_wins() {
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let mut rs = rustls_server_config("server-p256", &[], &[]);
    rs.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let mut p = with_rustls_server(cc, rs, "localhost");
    p.handshake();
    assert_eq!(p.rustls.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(
        p.ours.handshake_info().unwrap().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    p.exchange_data(false);
}

#[test]
fn rustls_client_alpn_without_overlap_is_refused() {
    let mut rc = rustls_client_config(&[], &[]);
    rc.alpn_protocols = vec![b"h2".to_vec()];
    let mut sc = server_config("server-p256");
    sc.alpn_protocols = vec![b"http/1.1".to_vec()].into();
    let mut p = with_rustls_client(rc, sc, "localhost");
    p.run();
    assert!(
        matches!(p.ours_error, Some(Error::NoApplicationProtocol { .. })),
        "{:?}",
        p.ours_error
    );
    assert_eq!(
        p.rustls_error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::NoApplicationProtocol
        ))
    );
}

#[test]
fn rustls_server_alpn_without_overlap_is_refused() {
    let mut cc = client_config();
    cc.alpn_protocols = vec![b"h2".to_vec()].into();
    let mut rs = rustls_server_config("server-p256", &[], &[]);
    rs.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut p = with_rustls_server(cc, rs, "localhost");
    p.run();
    assert_eq!(p.rustls_error, Some(rustls::Error::NoApplicationProtocol));
    assert_eq!(
        p.ours_error,
        Some(Error::AlertReceived(
            tls12::AlertDescription::NoApplicationProtocol
        ))
    );
}

#[test]
fn rustls_client_sni_reaches_our_server() {
    let mut p = with_rustls_client(
        rustls_client_config(&[], &[]),
        server_config("server-p256"),
        "testserver.com",
    );
    p.handshake();
    assert_eq!(
        p.ours.handshake_info().unwrap().server_name.as_deref(),
        Some("testserver.com")
    );
    p.exchange_data(false);
}

#[test]
fn our_client_sni_reaches_rustls_server() {
    let mut p = with_rustls_server(
        client_config(),
        rustls_server_config("server-p256", &[], &[]),
        "testserver.com",
    );
    p.handshake();
    assert_eq!(rustls_server_name(&p).as_deref(), Some("testserver.com"));
    p.exchange_data(false);
}

// ---------------------------------------------------------------------------
// 5: Ed25519 and P-384 server certificates

fn rustls_client_cert(
    identity: &str,
    suite: CipherSuite,
    rsuite: SupportedCipherSuite,
    scheme: SignatureScheme,
) {
    let mut p = with_rustls_client(
        rustls_client_config(&[rsuite], &[]),
        server_config(identity),
        "localhost",
    );
    p.handshake();
    p.assert_suite(suite);
    assert_eq!(
        p.ours.handshake_info().unwrap().signature_scheme,
        Some(scheme)
    );
    p.exchange_data(false);
    p.close_rustls_first();
}

fn rustls_server_cert(
    identity: &str,
    suite: CipherSuite,
    rsuite: SupportedCipherSuite,
    scheme: SignatureScheme,
) {
    let mut p = with_rustls_server(
        client_config(),
        rustls_server_config(identity, &[rsuite], &[]),
        "localhost",
    );
    p.handshake();
    p.assert_suite(suite);
    let info = p.ours.handshake_info().unwrap();
    assert_eq!(info.signature_scheme, Some(scheme));
    assert_eq!(
        info.peer_certificates,
        certs(&format!("{identity}.chain.pem"))
    );
    p.exchange_data(false);
    p.close_ours_first();
}

#[test]
fn rustls_client_ed25519_server_cert() {
    rustls_client_cert(
        "server-ed25519",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        SignatureScheme::Ed25519,
    );
}

#[test]
fn rustls_client_p384_server_cert() {
    rustls_client_cert(
        "server-p384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        SignatureScheme::EcdsaSecp384r1Sha384,
    );
}

#[test]
fn rustls_server_ed25519_cert() {
    rustls_server_cert(
        "server-ed25519",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        SignatureScheme::Ed25519,
    );
}

#[test]
fn rustls_server_p384_cert() {
    rustls_server_cert(
        "server-p384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        SignatureScheme::EcdsaSecp384r1Sha384,
    );
}

// ---------------------------------------------------------------------------
// 6: extended master secret

#[test]
fn ems_negotiated_with_rustls_client() {
    let mut rc = rustls_client_config(&[], &[]);
    rc.require_ems = true;
    // Not required on our side, so EMS here means it was negotiated.
    let mut sc = server_config("server-p256");
    sc.require_extended_master_secret = false;
    let mut p = with_rustls_client(rc, sc, "localhost");
    p.handshake();
    assert!(p.ours.handshake_info().unwrap().extended_master_secret);
    p.exchange_data(false);
}

#[test]
fn ems_negotiated_with_rustls_server() {
    let mut cc = client_config();
    cc.require_extended_master_secret = false;
    let mut p = with_rustls_server(
        cc,
        rustls_server_config("server-p256", &[], &[]),
        "localhost",
    );
    p.handshake();
    assert!(p.ours.handshake_info().unwrap().extended_master_secret);
    p.exchange_data(false);
}

// ---------------------------------------------------------------------------
// 7: failures as rustls sees them

#[test]
fn rustls_client_with_no_common_suite_gets_handshake_failure() {
    let mut sc = server_config("server-p256");
    sc.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256].into();
    let rc = rustls_client_config(
        &[rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384],
        &[],
    );
    let mut p = with_rustls_client(rc, sc, "localhost");
    p.run();
    match &p.ours_error {
        Some(Error::NoCommonCipherSuite { offered, supported }) => {
            assert!(
                offered.contains(&CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
                "{offered:?}"
            );
            assert!(
                !offered.contains(&CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
                "{offered:?}"
            );
            assert_eq!(
                supported,
                &[CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
            );
        }
        other => panic!("our server: {other:?}"),
    }
    let err = p.rustls_error.clone().expect("rustls saw no error");
    assert_eq!(
        err,
        rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure)
    );
    assert!(err.to_string().contains("HandshakeFailure"), "{err}");
    assert!(p.ours.handshake_info().is_none());
}

#[test]
fn our_client_rejects_rustls_server_from_unknown_ca() {
    let cc = ClientConfig::new(roots_from("other-ca.pem"));
    let mut p = with_rustls_server(
        cc,
        rustls_server_config("server-p256", &[], &[]),
        "localhost",
    );
    p.run();
    assert_eq!(
        p.ours_error,
        Some(Error::Certificate(CertificateError::UnknownIssuer))
    );
    assert_eq!(
        p.rustls_error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::UnknownCA
        ))
    );
    assert!(p.ours.handshake_info().is_none());
    assert!(p.rustls.is_handshaking());
}
