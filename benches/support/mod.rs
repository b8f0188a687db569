//! Shared set-up for the comparison benchmarks: equivalent tls12 and rustls
//! configurations on the same fixture certificates, and in-memory pumps that
//! move bytes between two connections without allocating.
//!
//! Equivalence (both libraries):
//! * TLS 1.2 only; one cipher suite and the groups x25519, P-256 offered and
//!   accepted (x25519 negotiated; P-256 also listed, as RFC 8422 §5.3
//!   requires for a P-256 certificate); extended master secret required.
//! * Full handshakes: the client does not offer resumption, the server keeps a
//!   session-ID cache (so it pays for storing the session) and issues no
//!   tickets.
//! * Resumed by session ID: client session cache on, no tickets; server
//!   session-ID cache on, no ticketer.
//! * Resumed by ticket: client session cache and tickets on; server ticketer
//!   on, no session-ID cache.
//! * rustls uses the `ring` provider restricted to the same suite and group;
//!   certificates are checked at the same fixed time.
#![allow(dead_code)]

use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::ring as rring;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::UnixTime;
use tls12::testing::{certs, client_config, key, name, now, server_config};
use tls12::{CipherSuite, ClientConnection, Connection, NamedGroup, ServerConnection};

/// What a handshake benchmark measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Full handshake, ECDHE-ECDSA P-256 certificate, x25519, AES-128-GCM.
    FullEcdsa,
    /// Full handshake, ECDHE-RSA RSA-2048 certificate, x25519, AES-128-GCM.
    FullRsa,
    /// Abbreviated handshake resuming by session ID (P-256 server).
    ResumeId,
    /// Abbreviated handshake resuming by RFC 5077 ticket (P-256 server).
    ResumeTicket,
    /// Full handshake with a 32-byte pre-shared key alone,
    /// TLS_PSK_WITH_AES_128_GCM_SHA256 (rustls has no TLS 1.2 PSK).
    FullPsk,
    /// Full handshake with ECDHE (x25519) and a pre-shared key,
    /// TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 (rustls has none).
    FullEcdhePsk,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::FullEcdsa,
        Kind::FullRsa,
        Kind::ResumeId,
        Kind::ResumeTicket,
    ];

    /// The kinds only tls12 can do: no comparison.
    pub const TLS12_ONLY: [Kind; 2] = [Kind::FullPsk, Kind::FullEcdhePsk];

    pub fn label(self) -> &'static str {
        match self {
            Kind::FullEcdsa => "full-ecdsa-p256",
            Kind::FullRsa => "full-rsa2048",
            Kind::ResumeId => "resume-session-id",
            Kind::ResumeTicket => "resume-ticket",
            Kind::FullPsk => "full-psk",
            Kind::FullEcdhePsk => "full-ecdhe-psk",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .chain(Kind::TLS12_ONLY)
            .find(|k| k.label() == s)
    }

    pub fn psk(self) -> bool {
        matches!(self, Kind::FullPsk | Kind::FullEcdhePsk)
    }

    pub fn resumed(self) -> bool {
        matches!(self, Kind::ResumeId | Kind::ResumeTicket)
    }

    fn identity(self) -> &'static str {
        match self {
            Kind::FullRsa => "server-rsa2048",
            _ => "server-p256",
        }
    }

    fn tls12_suite(self) -> CipherSuite {
        match self {
            Kind::FullRsa => CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            Kind::FullPsk => CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
            Kind::FullEcdhePsk => CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
            _ => CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        }
    }

    fn rustls_suite(self) -> rustls::SupportedCipherSuite {
        assert!(!self.psk(), "rustls has no TLS 1.2 PSK");
        match self {
            Kind::FullRsa => rring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            _ => rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        }
    }
}

/// The bulk-transfer AEADs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aead {
    Aes128Gcm,
    Chacha20Poly1305,
}

impl Aead {
    pub const ALL: [Aead; 2] = [Aead::Aes128Gcm, Aead::Chacha20Poly1305];

    pub fn label(self) -> &'static str {
        match self {
            Aead::Aes128Gcm => "aes128gcm",
            Aead::Chacha20Poly1305 => "chacha20poly1305",
        }
    }

    pub fn tls12_suite(self) -> CipherSuite {
        match self {
            Aead::Aes128Gcm => CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            Aead::Chacha20Poly1305 => CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        }
    }

    pub fn rustls_suite(self) -> rustls::SupportedCipherSuite {
        match self {
            Aead::Aes128Gcm => rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            Aead::Chacha20Poly1305 => {
                rring::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
            }
        }
    }

    pub fn ring(self) -> &'static ring::aead::Algorithm {
        match self {
            Aead::Aes128Gcm => &ring::aead::AES_128_GCM,
            Aead::Chacha20Poly1305 => &ring::aead::CHACHA20_POLY1305,
        }
    }
}

/// Groups offered and accepted, in preference order: x25519 is negotiated;
/// P-256 is listed because a server may only use a P-256 ECDSA certificate
/// with a client that lists P-256 (RFC 8422 §5.3).
const GROUPS: [NamedGroup; 2] = [NamedGroup::X25519, NamedGroup::Secp256r1];

/// Who is running, for attributing allocations (see `benches/memory.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Harness,
    Client,
    Server,
}

/// A hook told who is about to run; the timing benchmarks pass a no-op.
pub type Hook<'a> = &'a mut dyn FnMut(Who);

pub fn no_hook(_: Who) {}

// ---------------------------------------------------------------------------
// tls12

pub struct Tls12Configs {
    pub client: Arc<tls12::ClientConfig>,
    pub server: Arc<tls12::ServerConfig>,
}

fn tls12_client(suite: CipherSuite) -> tls12::ClientConfig {
    let mut cc = client_config();
    cc.cipher_suites = vec![suite].into();
    cc.groups = GROUPS.to_vec().into();
    cc.require_extended_master_secret = true;
    cc
}

fn tls12_server(identity: &str, suite: CipherSuite) -> tls12::ServerConfig {
    let mut sc = server_config(identity);
    sc.cipher_suites = vec![suite].into();
    sc.groups = GROUPS.to_vec().into();
    sc.require_extended_master_secret = true;
    sc
}

/// tls12 configurations for `kind`. For resumption kinds, one full handshake
/// has already been run so that the next one resumes.
pub fn tls12_configs(kind: Kind) -> Tls12Configs {
    let suite = kind.tls12_suite();
    let mut cc = tls12_client(suite);
    let mut sc = tls12_server(kind.identity(), suite);
    if kind.psk() {
        let key = tls12::psk::Psk::new(&[0x42; 32]).unwrap();
        let mut keys = tls12::psk::PskMap::new();
        keys.insert(b"bench-device", key.clone()).unwrap();
        cc = tls12::ClientConfig::new(tls12::RootCertStore::empty());
        cc.cipher_suites = vec![suite].into();
        cc.groups = GROUPS.to_vec().into();
        cc.add_psk(b"bench-device", key).unwrap();
        sc = tls12::ServerConfig::with_psk(Arc::new(keys));
        sc.cipher_suites = vec![suite].into();
        sc.groups = GROUPS.to_vec().into();
    }
    match kind {
        Kind::FullEcdsa | Kind::FullRsa | Kind::FullPsk | Kind::FullEcdhePsk => {
            cc.session_cache = None;
            cc.enable_tickets = false;
            sc.ticketer = None;
        }
        Kind::ResumeId => {
            cc.enable_tickets = false;
            sc.ticketer = None;
        }
        Kind::ResumeTicket => {
            sc.session_cache = None;
            sc.ticketer = Some(Arc::new(tls12::Ticketer::new(
                Duration::from_secs(6 * 3600),
                Duration::from_secs(12 * 3600),
            )));
        }
    }
    let configs = Tls12Configs {
        client: Arc::new(cc),
        server: Arc::new(sc),
    };
    // Prime (and check) the configuration.
    for round in 0..2 {
        let (c, s) = tls12_connect(&configs, &mut no_hook);
        let info = c.handshake_info().unwrap();
        assert_eq!(info.cipher_suite, suite);
        assert!(info.extended_master_secret);
        let expect_resumed = kind.resumed() && round == 1;
        assert_eq!(info.resumed, expect_resumed, "tls12 {kind:?}");
        assert_eq!(s.handshake_info().unwrap().resumed, expect_resumed);
        if !kind.resumed() && kind != Kind::FullPsk {
            assert_eq!(info.group, Some(NamedGroup::X25519));
        }
    }
    configs
}

/// Hands everything `from` has queued to `to`, without copying it first.
pub fn tls12_move(
    from: &mut Connection,
    from_who: Who,
    to: &mut Connection,
    to_who: Who,
    hook: Hook<'_>,
) -> usize {
    let total = from.pending_output().len();
    let mut off = 0;
    hook(to_who);
    while off < total {
        let used = to.receive(&from.pending_output()[off..]).unwrap();
        assert!(used > 0, "tls12 receive made no progress");
        off += used;
    }
    hook(from_who);
    from.consume_output(total);
    hook(Who::Harness);
    total
}

/// Runs a tls12 handshake between fresh connections (boxed, so that the
/// connection structs themselves count as heap in the memory benchmark).
pub fn tls12_connect(
    configs: &Tls12Configs,
    hook: Hook<'_>,
) -> (Box<ClientConnection>, Box<ServerConnection>) {
    hook(Who::Client);
    let mut c =
        Box::new(ClientConnection::new(configs.client.clone(), name("localhost"), now()).unwrap());
    hook(Who::Server);
    let mut s = Box::new(ServerConnection::new(configs.server.clone(), now()).unwrap());
    hook(Who::Harness);
    tls12_handshake(&mut c, &mut s, hook);
    (c, s)
}

pub fn tls12_handshake(c: &mut ClientConnection, s: &mut ServerConnection, hook: Hook<'_>) {
    let (c, s): (&mut Connection, &mut Connection) = (c, s);
    for _ in 0..10 {
        if !c.is_handshaking() && !s.is_handshaking() && !c.wants_write() && !s.wants_write() {
            // Drain events so they do not accumulate.
            hook(Who::Client);
            while c.next_event().is_some() {}
            hook(Who::Server);
            while s.next_event().is_some() {}
            hook(Who::Harness);
            return;
        }
        tls12_move(c, Who::Client, s, Who::Server, hook);
        tls12_move(s, Who::Server, c, Who::Client, hook);
    }
    panic!("tls12 handshake did not finish");
}

/// An established tls12 pair using `aead` (P-256 server).
pub fn tls12_established(aead: Aead) -> (Box<ClientConnection>, Box<ServerConnection>) {
    tls12_established_on(&tls12_bulk_configs(aead, |_, _| {}))
}

/// The configurations of [`tls12_established`], adjusted by `adjust`.
pub fn tls12_bulk_configs(
    aead: Aead,
    adjust: impl FnOnce(&mut tls12::ClientConfig, &mut tls12::ServerConfig),
) -> Tls12Configs {
    let suite = aead.tls12_suite();
    let mut cc = tls12_client(suite);
    cc.session_cache = None;
    let mut sc = tls12_server("server-p256", suite);
    adjust(&mut cc, &mut sc);
    Tls12Configs {
        client: Arc::new(cc),
        server: Arc::new(sc),
    }
}

/// An established tls12 pair on `configs` (from [`tls12_bulk_configs`]),
/// which the caller keeps: dropping the pair then frees only what the
/// connections own.
pub fn tls12_established_on(
    configs: &Tls12Configs,
) -> (Box<ClientConnection>, Box<ServerConnection>) {
    let (c, s) = tls12_connect(configs, &mut no_hook);
    assert_eq!(
        Some(c.handshake_info().unwrap().cipher_suite),
        configs.client.cipher_suites.first().copied()
    );
    (c, s)
}

// ---------------------------------------------------------------------------
// rustls

/// rustls checks certificates at the same fixed time as tls12.
#[derive(Debug)]
struct FixedTime;

impl rustls::time_provider::TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(now())
    }
}

fn rustls_provider(suite: rustls::SupportedCipherSuite) -> Arc<CryptoProvider> {
    let base = rring::default_provider();
    Arc::new(CryptoProvider {
        cipher_suites: vec![suite],
        kx_groups: vec![rring::kx_group::X25519, rring::kx_group::SECP256R1],
        ..base
    })
}

fn rustls_client(suite: rustls::SupportedCipherSuite) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for c in certs("ca.pem") {
        roots.add(c).unwrap();
    }
    let mut cc =
        rustls::ClientConfig::builder_with_details(rustls_provider(suite), Arc::new(FixedTime))
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    cc.require_ems = true;
    cc
}

fn rustls_server(identity: &str, suite: rustls::SupportedCipherSuite) -> rustls::ServerConfig {
    let mut sc =
        rustls::ServerConfig::builder_with_details(rustls_provider(suite), Arc::new(FixedTime))
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                certs(&format!("{identity}.chain.pem")),
                key(&format!("{identity}.key")),
            )
            .unwrap();
    sc.require_ems = true;
    sc
}

pub struct RustlsConfigs {
    pub client: Arc<rustls::ClientConfig>,
    pub server: Arc<rustls::ServerConfig>,
}

/// rustls configurations for `kind`, primed like [`tls12_configs`].
pub fn rustls_configs(kind: Kind) -> RustlsConfigs {
    let suite = kind.rustls_suite();
    let mut cc = rustls_client(suite);
    let mut sc = rustls_server(kind.identity(), suite);
    match kind {
        Kind::FullEcdsa | Kind::FullRsa => {
            cc.resumption = rustls::client::Resumption::disabled();
            // Default server: an in-memory session-ID cache, no tickets.
        }
        Kind::ResumeId => {
            cc.resumption = rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly);
        }
        Kind::ResumeTicket => {
            cc.resumption = rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOrTickets);
            sc.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
            sc.ticketer = rring::Ticketer::new().unwrap();
        }
        Kind::FullPsk | Kind::FullEcdhePsk => unreachable!("rustls has no TLS 1.2 PSK"),
    }
    let configs = RustlsConfigs {
        client: Arc::new(cc),
        server: Arc::new(sc),
    };
    let mut wire = Vec::with_capacity(1 << 16);
    for round in 0..2 {
        let (c, s) = rustls_connect(&configs, &mut wire, &mut no_hook);
        assert_eq!(
            c.negotiated_cipher_suite().map(|s| s.suite()),
            Some(suite.suite())
        );
        assert_eq!(c.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_2));
        if !kind.resumed() {
            assert_eq!(
                c.negotiated_key_exchange_group().map(|g| g.name()),
                Some(rustls::NamedGroup::X25519)
            );
        }
        let expect = if kind.resumed() && round == 1 {
            rustls::HandshakeKind::Resumed
        } else {
            rustls::HandshakeKind::Full
        };
        assert_eq!(c.handshake_kind(), Some(expect), "rustls {kind:?}");
        assert_eq!(s.handshake_kind(), Some(expect), "rustls {kind:?}");
    }
    configs
}

/// Moves everything `from` wants to write into `to`, through `wire` (a
/// reused buffer: rustls's API copies out with `write_tls`).
pub fn rustls_move(
    from: &mut rustls::Connection,
    from_who: Who,
    to: &mut rustls::Connection,
    to_who: Who,
    wire: &mut Vec<u8>,
    hook: Hook<'_>,
) -> usize {
    wire.clear();
    hook(from_who);
    while from.wants_write() {
        from.write_tls(wire).unwrap();
    }
    hook(to_who);
    let mut off = 0;
    while off < wire.len() {
        let n = to.read_tls(&mut &wire[off..]).unwrap();
        assert!(n > 0, "rustls read_tls made no progress");
        off += n;
        to.process_new_packets().unwrap();
    }
    hook(Who::Harness);
    wire.len()
}

pub fn rustls_handshake(
    c: &mut rustls::Connection,
    s: &mut rustls::Connection,
    wire: &mut Vec<u8>,
    hook: Hook<'_>,
) {
    for _ in 0..10 {
        if !c.is_handshaking() && !s.is_handshaking() && !c.wants_write() && !s.wants_write() {
            return;
        }
        rustls_move(c, Who::Client, s, Who::Server, wire, hook);
        rustls_move(s, Who::Server, c, Who::Client, wire, hook);
    }
    panic!("rustls handshake did not finish");
}

pub fn rustls_connect(
    configs: &RustlsConfigs,
    wire: &mut Vec<u8>,
    hook: Hook<'_>,
) -> (Box<rustls::Connection>, Box<rustls::Connection>) {
    hook(Who::Client);
    let mut c = Box::new(rustls::Connection::Client(
        rustls::ClientConnection::new(
            configs.client.clone(),
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
        )
        .unwrap(),
    ));
    hook(Who::Server);
    let mut s = Box::new(rustls::Connection::Server(
        rustls::ServerConnection::new(configs.server.clone()).unwrap(),
    ));
    hook(Who::Harness);
    rustls_handshake(&mut c, &mut s, wire, hook);
    (c, s)
}

/// An established rustls pair using `aead` (P-256 server).
pub fn rustls_established(aead: Aead) -> (Box<rustls::Connection>, Box<rustls::Connection>) {
    rustls_established_on(&rustls_bulk_configs(aead))
}

/// The configurations of [`rustls_established`].
pub fn rustls_bulk_configs(aead: Aead) -> RustlsConfigs {
    let suite = aead.rustls_suite();
    let mut cc = rustls_client(suite);
    cc.resumption = rustls::client::Resumption::disabled();
    RustlsConfigs {
        client: Arc::new(cc),
        server: Arc::new(rustls_server("server-p256", suite)),
    }
}

/// An established rustls pair on `configs`, which the caller keeps.
pub fn rustls_established_on(
    configs: &RustlsConfigs,
) -> (Box<rustls::Connection>, Box<rustls::Connection>) {
    let mut wire = Vec::new();
    let (c, s) = rustls_connect(configs, &mut wire, &mut no_hook);
    assert_eq!(
        c.negotiated_cipher_suite().map(|s| s.suite()),
        configs
            .client
            .crypto_provider()
            .cipher_suites
            .first()
            .map(|s| s.suite())
    );
    (c, s)
}

// ---------------------------------------------------------------------------
// Bulk transfer building blocks, shared by the timing and memory benchmarks.

/// Record payload size: a full TLS record.
pub const RECORD: usize = 16 * 1024;

/// tls12: encrypts `data` (a multiple of [`RECORD`]) record by record and
/// hands each record to the transport (here: drops it, as a socket write
/// would take it).
pub fn tls12_send(conn: &mut Connection, data: &[u8]) {
    for chunk in data.chunks(RECORD) {
        let n = conn.send(chunk).unwrap();
        assert_eq!(n, chunk.len());
        let out = conn.pending_output().len();
        conn.consume_output(out);
    }
}

/// tls12: encrypts `data` and keeps the records, for the receive benchmarks.
pub fn tls12_record(conn: &mut Connection, data: &[u8]) -> Vec<u8> {
    let mut stream = Vec::with_capacity(data.len() + data.len() / RECORD * 64);
    for chunk in data.chunks(RECORD) {
        conn.send(chunk).unwrap();
        stream.extend_from_slice(conn.pending_output());
        let out = conn.pending_output().len();
        conn.consume_output(out);
    }
    stream
}

/// tls12 buffered receive: copies each record in, decrypts it in the
/// plaintext queue, and the application reads it where it lies
/// (`plaintext` + `consume_plaintext`). Returns the plaintext length.
pub fn tls12_receive(conn: &mut Connection, mut stream: &[u8]) -> usize {
    let mut got = 0;
    while !stream.is_empty() {
        let used = conn.receive(stream).unwrap();
        stream = &stream[used..];
        let pt = conn.plaintext();
        got += pt.len();
        std::hint::black_box(pt);
        let n = pt.len();
        conn.consume_plaintext(n);
    }
    while conn.next_event().is_some() {}
    got
}

/// tls12 zero-copy receive: decrypts each record inside the caller's buffer.
pub fn tls12_receive_in_place(conn: &mut Connection, mut stream: &mut [u8]) -> usize {
    let mut got = 0;
    while !stream.is_empty() {
        let r = conn.receive_in_place(stream).unwrap();
        assert!(r.consumed > 0);
        got += r.application_data.len();
        std::hint::black_box(&*r.application_data);
        let used = r.consumed;
        stream = &mut stream[used..];
    }
    got
}

/// rustls: `writer().write` (encrypts into rustls's send queue), then
/// `write_tls` to a sink (the transport takes it without a copy).
pub fn rustls_send(conn: &mut rustls::Connection, data: &[u8]) {
    use std::io::Write;
    let mut sink = std::io::sink();
    for chunk in data.chunks(RECORD) {
        conn.writer().write_all(chunk).unwrap();
        while conn.wants_write() {
            conn.write_tls(&mut sink).unwrap();
        }
    }
}

pub fn rustls_record(conn: &mut rustls::Connection, data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut stream = Vec::with_capacity(data.len() + data.len() / RECORD * 64);
    for chunk in data.chunks(RECORD) {
        conn.writer().write_all(chunk).unwrap();
        while conn.wants_write() {
            conn.write_tls(&mut stream).unwrap();
        }
    }
    stream
}

/// rustls: `read_tls` (copies into its deframer buffer), then
/// `process_new_packets` (decrypts), then the application reads the plaintext
/// where it lies (`reader().fill_buf` + `consume`).
pub fn rustls_receive(conn: &mut rustls::Connection, mut stream: &[u8]) -> usize {
    let mut got = 0;
    while !stream.is_empty() {
        let used = conn.read_tls(&mut stream).unwrap();
        assert!(used > 0);
        conn.process_new_packets().unwrap();
        let mut reader = conn.reader();
        loop {
            let buf = match reader.fill_buf() {
                Ok(b) if !b.is_empty() => b,
                _ => break,
            };
            let n = buf.len();
            std::hint::black_box(buf);
            got += n;
            reader.consume(n);
        }
    }
    got
}

/// ring alone: seals and opens records of `len` bytes with the same AAD and
/// nonce layout as TLS 1.2 (the reference rate for the bulk targets).
pub struct RawAead {
    key: ring::aead::LessSafeKey,
    seq: u64,
}

impl RawAead {
    pub fn new(aead: Aead) -> Self {
        let key_bytes = [0x42u8; 32];
        let unbound =
            ring::aead::UnboundKey::new(aead.ring(), &key_bytes[..aead.ring().key_len()]).unwrap();
        Self {
            key: ring::aead::LessSafeKey::new(unbound),
            seq: 0,
        }
    }

    fn nonce_aad(&mut self, len: usize) -> (ring::aead::Nonce, [u8; 13]) {
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&self.seq.to_be_bytes());
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.seq.to_be_bytes());
        aad[8] = 23;
        aad[9] = 3;
        aad[10] = 3;
        aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
        self.seq += 1;
        (ring::aead::Nonce::assume_unique_for_key(nonce), aad)
    }

    /// Seals `buf` in place; returns the tag.
    pub fn seal(&mut self, buf: &mut [u8]) -> ring::aead::Tag {
        let (nonce, aad) = self.nonce_aad(buf.len());
        self.key
            .seal_in_place_separate_tag(nonce, ring::aead::Aad::from(aad), buf)
            .unwrap()
    }

    /// Opens `buf` (ciphertext followed by the tag) in place with sequence
    /// number `seq`.
    pub fn open(&mut self, seq: u64, buf: &mut [u8]) {
        let saved = self.seq;
        self.seq = seq;
        let (nonce, aad) = self.nonce_aad(buf.len() - 16);
        self.seq = saved;
        self.key
            .open_in_place(nonce, ring::aead::Aad::from(aad), buf)
            .unwrap();
    }
}

/// 64 MiB of application data.
pub const BULK: usize = 64 << 20;
