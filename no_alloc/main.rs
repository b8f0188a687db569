//! tls12 in a program with neither `std` nor a heap. tls12 is built
//! without its `alloc` feature, so it has no `extern crate alloc` and
//! cannot allocate. The program's global allocator refuses every request:
//! the first allocation anywhere (tls12, ring, webpki, pki-types, zeroize)
//! ends the program with a message and a failing status.
//!
//! It needs a global allocator at all only because ring 0.17 (0.17.14, the
//! newest) compiles its test utilities into every build: `src/lib.rs:105`
//! `mod testutil;` and `src/testutil.rs:120` `extern crate alloc;`, with no
//! feature gate. Any crate graph holding `alloc` must name an allocator,
//! or rustc stops with "no global memory allocator found but one is
//! required". A device using tls12 without a heap writes the same refusing
//! allocator; nothing calls it.
//!
//! A client and a server, on memory lent from two static arenas, run seven
//! handshakes one after the other on the same memory (each connection gives
//! its areas and slot back, and the next one borrows them again):
//! ECDHE-ECDSA with x25519 and with P-256; the same with a client
//! certificate; with the client's key, then the server's, in a "secure
//! element" (the connection pauses and the program signs, as `keyop`
//! describes); plain
//! PSK and ECDHE_PSK (the server's keys in the library's table for
//! `'static` arrays). Each moves application data both ways with 512-byte
//! records, and the ECDHE-ECDSA ones export keying material (RFC 5705)
//! from the slot. Around them, it shows what this build refuses (a second
//! client certificate; a server with a verifier) and how a
//! message reads without the values it would name. The exit status is 0
//! when all of it worked; `tests/no_alloc.rs` runs this program and checks
//! its report.
//!
//! The program talks to the operating system through three C functions
//! (`write`, `exit`, `abort`); on a device they would be its console and
//! reset. The statics handed out as `&'static mut` are what a device's
//! runtime gives (cortex-m's `singleton!`, the `static_cell` crate); here
//! [`Lend`] does it.

#![no_std]
#![no_main]

use core::cell::UnsafeCell;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;

use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use tls12::keyop::{PeerChain, PeerVerifier, Verdict};
use tls12::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, TrustAnchor, UnixTime,
};
use tls12::psk::Psk;
use tls12::{
    Answer, AreaSizes, Areas, CipherSuite, ClientAuth, ClientConfig, ClientConnection, Connection,
    Error, Event, HandshakeSlot, IdleBuffers, KeyType, Limits, MaxFragmentLength, NamedGroup,
    RootCertStore, ServerConfig, ServerConnection, Shared, SignatureScheme,
};

#[link(name = "c")]
extern "C" {
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    fn abort() -> !;
}

/// The time the fixtures are valid at (tls12's `testing::NOW_SECS`).
const NOW_SECS: u64 = 1_893_456_000;

macro_rules! der {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".der"))
    };
}

static CA: CertificateDer<'static> = CertificateDer::from_slice(der!("ca"));
static SERVER_CHAIN: [CertificateDer<'static>; 2] = [
    CertificateDer::from_slice(der!("server-p256.0")),
    CertificateDer::from_slice(der!("server-p256.1")),
];
static SERVER_KEY: &[u8] = der!("server-p256.key");
static CLIENT_CHAIN: [CertificateDer<'static>; 2] = [
    CertificateDer::from_slice(der!("client-p256.0")),
    CertificateDer::from_slice(der!("client-p256.1")),
];
static CLIENT_KEY: &[u8] = der!("client-p256.key");

/// The suites and groups each configuration lists, as constants: a list
/// borrowed for `'static` is what a configuration holds without a heap.
static ECDSA_SUITE: [CipherSuite; 1] = [CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];
static X25519_FIRST: [NamedGroup; 2] = [NamedGroup::X25519, NamedGroup::Secp256r1];
static P256_ONLY: [NamedGroup; 1] = [NamedGroup::Secp256r1];
static PSK_SUITE: [CipherSuite; 1] = [CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256];
static ECDHE_PSK_SUITE: [CipherSuite; 1] = [CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256];
static SERVER_PSK_SUITES: [CipherSuite; 2] = [
    CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
];

const IDENTITY: &[u8] = b"sensor-17";
const KEY: [u8; 32] = [0x5a; 32];

/// The arenas: room for the largest areas any of the five needs.
const ARENA: usize = 16 * 1024;
static CLIENT_ARENA: Lend<[u8; ARENA]> = Lend::new([0; ARENA]);
static SERVER_ARENA: Lend<[u8; ARENA]> = Lend::new([0; ARENA]);
static CLIENT_SLOT: Lend<HandshakeSlot> = Lend::new(HandshakeSlot::new());
static SERVER_SLOT: Lend<HandshakeSlot> = Lend::new(HandshakeSlot::new());
static ANCHORS: Lend<Option<[TrustAnchor<'static>; 1]>> = Lend::new(None);
/// The server's pre-shared keys: a table of the library's `PskStore` for
/// `'static` arrays (constant-time lookup), made at run time.
static PSK_TABLE: Lend<Option<PskTable>> = Lend::new(None);
type PskTable = [(&'static [u8], Psk); 1];
/// The keys "secure elements" hold, the client's and the server's: the
/// program signs with them when a connection asks (`KeyType::EcdsaP256` in
/// the configuration).
static SECURE_ELEMENTS: Lend<Option<Elements>> = Lend::new(None);
/// A server with a verifier, which this build refuses.
static REFUSED: Lend<Option<ServerConfig>> = Lend::new(None);

/// The client's secure element, then the server's.
struct Elements {
    client: EcdsaKeyPair,
    server: EcdsaKeyPair,
}

/// A verifier that accepts every chain webpki accepted.
#[derive(Debug)]
struct AcceptAll;

impl PeerVerifier for AcceptAll {
    fn verify(&self, _: &PeerChain<'_>) -> Verdict {
        Verdict::Accept
    }
}

static ACCEPT_ALL: AcceptAll = AcceptAll;

/// The configurations, made at run time (keys are parsed), kept for the
/// whole program.
static CONFIGS: Lend<Option<[(ClientConfig, ServerConfig); CASES]>> = Lend::new(None);

const CASES: usize = 7;

/// A static handed out once as `&'static mut`.
struct Lend<T>(UnsafeCell<T>, AtomicBool);

// SAFETY: the flag lets exactly one caller at the value.
unsafe impl<T> Sync for Lend<T> {}

impl<T> Lend<T> {
    const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value), AtomicBool::new(false))
    }

    // The flag makes this the one `&mut` to the value, as a static cell does.
    #[allow(clippy::mut_from_ref)]
    fn take(&'static self) -> &'static mut T {
        if self.1.swap(true, Ordering::AcqRel) {
            fail(format_args!("a static lent twice"));
        }
        // SAFETY: the flag above lets this run once, so this is the only
        // reference ever made to the value.
        unsafe { &mut *self.0.get() }
    }
}

/// Standard output, through the C library.
struct Out;

impl Write for Out {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let mut rest = s.as_bytes();
        while !rest.is_empty() {
            // SAFETY: the pointer and length come from a live slice.
            let n = unsafe { write(1, rest.as_ptr(), rest.len()) };
            if n <= 0 {
                return Err(core::fmt::Error);
            }
            rest = rest.get(n as usize..).unwrap_or_default();
        }
        Ok(())
    }
}

macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(Out, $($arg)*);
    }};
}

fn fail(why: core::fmt::Arguments<'_>) -> ! {
    say!("FAILED: {why}");
    // SAFETY: ends the process; nothing is left to clean up.
    unsafe { abort() }
}

/// The allocator ring's `extern crate alloc` requires: it refuses every
/// request with a null pointer, which `alloc` turns into "memory allocation
/// of N bytes failed" and a panic, so the program fails. (Printing from
/// here would not be seen reliably: the compiler may assume an allocator
/// has no other effects.)
struct Refuse;

// SAFETY: it never hands out memory, so it cannot hand out bad memory.
unsafe impl core::alloc::GlobalAlloc for Refuse {
    unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 {
        core::ptr::null_mut()
    }

    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}

#[global_allocator]
static NO_HEAP: Refuse = Refuse;

/// The precompiled `alloc` crate names the unwinder's personality routine.
/// With `panic = "abort"` nothing unwinds, so nothing calls it.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    fail(format_args!("panic: {info}"))
}

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW_SECS))
}

/// A device's caps: 512-byte records, 2 KiB handshake messages, one record
/// of data buffered each way.
fn device_limits(limits: &mut Limits) {
    limits.idle_buffers = IdleBuffers::Preallocated;
    limits.max_handshake_message_len = 2048;
    limits.max_client_hello_len = 1024;
    limits.max_buffered_plaintext = 512;
    limits.max_buffered_output = 512 + Connection::SEAL_PREFIX + Connection::SEAL_SUFFIX;
}

fn device_client(mut config: ClientConfig) -> ClientConfig {
    device_limits(&mut config.limits);
    config.max_fragment_len = 512;
    config.max_fragment_length = Some(MaxFragmentLength::L512);
    config.enable_tickets = false;
    config
}

fn device_server(mut config: ServerConfig) -> ServerConfig {
    device_limits(&mut config.limits);
    config.max_fragment_len = 512;
    config.record_size_limit = 512;
    config
}

fn pkcs8(der: &'static [u8]) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der))
}

/// Who holds the keys of a case.
#[derive(Clone, Copy, PartialEq)]
enum Keys {
    /// The server's key is its configuration's; no client certificate.
    Own,
    /// A client certificate too, its key the configuration's.
    OwnMutual,
    /// A client certificate whose key the caller holds (a secure element):
    /// the client pauses for its CertificateVerify signature.
    CallerClient,
    /// The server's key held by the caller: the server pauses for its
    /// ServerKeyExchange signature.
    CallerServer,
}

/// The pairs of configurations, one per case.
fn configs(
    roots: &RootCertStore,
    psks: &'static PskTable,
) -> Result<[(ClientConfig, ServerConfig); CASES], Error> {
    let ecdsa = |groups: &'static [NamedGroup], keys: Keys| -> Result<_, Error> {
        let mut client = device_client(ClientConfig::new(roots.clone()));
        client.cipher_suites = ECDSA_SUITE.as_slice().into();
        client.groups = groups.into();
        client.enable_exporters = true;
        let mut server = device_server(if keys == Keys::CallerServer {
            ServerConfig::with_caller_key(&SERVER_CHAIN, KeyType::EcdsaP256)?
        } else {
            ServerConfig::new(&SERVER_CHAIN, pkcs8(SERVER_KEY))?
        });
        server.enable_exporters = true;
        match keys {
            Keys::Own | Keys::CallerServer => {}
            Keys::OwnMutual => client.add_client_certificate(&CLIENT_CHAIN, pkcs8(CLIENT_KEY))?,
            Keys::CallerClient => {
                client.add_client_certificate_with_caller_key(&CLIENT_CHAIN, KeyType::EcdsaP256)?
            }
        }
        if matches!(keys, Keys::OwnMutual | Keys::CallerClient) {
            server.client_auth = ClientAuth::Required(roots.clone());
        }
        Ok((client, server))
    };
    let psk = |suite: &'static [CipherSuite]| -> Result<_, Error> {
        let mut client = device_client(ClientConfig::new(RootCertStore::empty()));
        client.cipher_suites = suite.into();
        client.add_psk(IDENTITY, Psk::new(&KEY)?)?;
        let mut server = device_server(ServerConfig::with_psk(psks));
        server.cipher_suites = SERVER_PSK_SUITES.as_slice().into();
        Ok((client, server))
    };
    Ok([
        ecdsa(&X25519_FIRST, Keys::Own)?,
        ecdsa(&P256_ONLY, Keys::Own)?,
        ecdsa(&X25519_FIRST, Keys::OwnMutual)?,
        ecdsa(&X25519_FIRST, Keys::CallerClient)?,
        ecdsa(&X25519_FIRST, Keys::CallerServer)?,
        psk(&PSK_SUITE)?,
        psk(&ECDHE_PSK_SUITE)?,
    ])
}

/// The largest of each area over all the configurations.
fn largest(mut sizes: impl Iterator<Item = AreaSizes>) -> AreaSizes {
    let Some(mut max) = sizes.next() else {
        fail(format_args!("no configurations"))
    };
    for s in sizes {
        max.input = max.input.max(s.input);
        max.plaintext = max.plaintext.max(s.plaintext);
        max.output = max.output.max(s.output);
        max.handshake_in = max.handshake_in.max(s.handshake_in);
        max.handshake_out = max.handshake_out.max(s.handshake_out);
        max.peer_leaf = max.peer_leaf.max(s.peer_leaf);
        max.server_name = max.server_name.max(s.server_name);
        max.psk_identity = max.psk_identity.max(s.psk_identity);
        max.transcript = max.transcript.max(s.transcript);
        max.alpn = max.alpn.max(s.alpn);
    }
    max
}

/// What one end received.
struct Received {
    bytes: [u8; 2048],
    len: usize,
    /// The peer's close_notify came.
    closed: bool,
}

impl Received {
    const fn new() -> Self {
        Self {
            bytes: [0; 2048],
            len: 0,
            closed: false,
        }
    }

    /// Reads everything `conn` has for the application.
    fn read(&mut self, conn: &mut Connection) {
        while let Some(event) = conn.next_event() {
            match event {
                Event::PeerClosed => self.closed = true,
                // Operations are answered by `sign_for`, which asks the
                // connection itself.
                Event::ApplicationData | Event::HandshakeComplete | Event::Operation { .. } => {}
                other => say!("  event {other:?}"),
            }
        }
        let data = conn.plaintext();
        let n = data.len().min(self.bytes.len() - self.len);
        if let (Some(to), Some(from)) = (self.bytes.get_mut(self.len..self.len + n), data.get(..n))
        {
            to.copy_from_slice(from);
        }
        self.len += n;
        conn.consume_plaintext(n);
    }

    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// Moves all `from` has queued to `to`, 700 bytes at a time (as a socket
/// would split it), reading `to`'s data when its plaintext area is full.
fn pass(from: &mut Connection, to: &mut Connection, got: &mut Received) -> Result<(), Error> {
    let mut wire = [0u8; 700];
    loop {
        let out = from.pending_output();
        let n = out.len().min(wire.len());
        if n == 0 {
            return Ok(());
        }
        wire[..n].copy_from_slice(&out[..n]);
        from.consume_output(n);
        let mut at = 0;
        while at < n {
            let used = to.receive(&wire[at..n])?;
            if used == 0 {
                got.read(to);
            }
            at += used;
        }
        got.read(to);
    }
}

/// Sends all of `data` from `from` to `to`, a record's worth at a time.
fn send_all(
    data: &[u8],
    from: &mut Connection,
    to: &mut Connection,
    got: &mut Received,
) -> Result<(), Error> {
    let mut rest = data;
    while !rest.is_empty() {
        let n = from.send(rest)?;
        rest = rest.get(n..).unwrap_or_default();
        pass(from, to, got)?;
    }
    Ok(())
}

/// One handshake and 1,200 bytes each way; returns the areas.
fn run(
    name: &str,
    (client, server): &'static (ClientConfig, ServerConfig),
    (client_areas, server_areas): (Areas, Areas),
    elements: &Elements,
) -> Result<(Areas, Areas), Error> {
    let host = ServerName::try_from("localhost").map_err(|_| Error::Misuse("host name"))?;
    let mut c = ClientConnection::with_areas(client, host, now(), client_areas)?;
    let mut s = ServerConnection::with_areas(server, now(), server_areas)?;
    let (mut at_client, mut at_server) = (Received::new(), Received::new());
    let (mut client_signed, mut server_signed) = (0, 0);
    while c.is_handshaking() || s.is_handshaking() {
        pass(&mut c, &mut s, &mut at_server)?;
        server_signed += sign_for(&mut s, &elements.server)?;
        pass(&mut s, &mut c, &mut at_client)?;
        client_signed += sign_for(&mut c, &elements.client)?;
        if c.error().is_some() || s.error().is_some() {
            break;
        }
    }
    for (side, conn) in [("client", &*c), ("server", &*s)] {
        if let Some(e) = conn.error() {
            fail(format_args!("{name}: the {side} failed: {e}"));
        }
    }
    let mut message = [0u8; 1200];
    for (i, b) in message.iter_mut().enumerate() {
        *b = i as u8;
    }
    send_all(&message, &mut c, &mut s, &mut at_server)?;
    send_all(&message, &mut s, &mut c, &mut at_client)?;
    if at_server.as_slice() != message || at_client.as_slice() != message {
        fail(format_args!(
            "{name}: data arrived wrong ({} and {} bytes)",
            at_server.len, at_client.len
        ));
    }
    let info = c
        .handshake_info()
        .ok_or(Error::Misuse("no handshake info"))?;
    let (suite, group) = (info.cipher_suite, info.group);
    let mut exported = "";
    let by_caller = match (client_signed, server_signed) {
        (0, 0) => "",
        (_, 0) => ", CertificateVerify signed by the caller",
        (0, _) => ", ServerKeyExchange signed by the caller",
        _ => fail(format_args!("{name}: both sides paused")),
    };
    if client.enable_exporters {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        c.export_keying_material(b"EXPERIMENTAL tls12 no_alloc", None, &mut a)?;
        s.export_keying_material(b"EXPERIMENTAL tls12 no_alloc", None, &mut b)?;
        if a != b {
            fail(format_args!("{name}: the exporters disagree"));
        }
        exported = ", 32 bytes exported alike";
    }
    c.close();
    pass(&mut c, &mut s, &mut at_server)?;
    if !at_server.closed {
        fail(format_args!("{name}: the server saw no close_notify"));
    }
    say!(
        "ok {name}: {suite:?}, {group:?}, 1200 bytes each way{exported}{by_caller} (areas needed: \
         client {} B, server {} B)",
        AreaSizes::for_client(client).total(),
        AreaSizes::for_server(server).total()
    );
    let client_areas = c.take_areas().ok_or(Error::Misuse("client areas"))?;
    let server_areas = s.take_areas().ok_or(Error::Misuse("server areas"))?;
    Ok((client_areas, server_areas))
}

/// Answers what `conn` asks the caller, as a secure element would: the
/// client's CertificateVerify signature over the transcript (RFC 5246
/// §7.4.8), or the server's ServerKeyExchange signature over both randoms
/// and its ECDH parameters (RFC 8422 §5.4). Returns how many it answered.
fn sign_for(conn: &mut Connection, element: &EcdsaKeyPair) -> Result<usize, Error> {
    let Some(op) = conn.operation() else {
        return Ok(0);
    };
    let (id, scheme) = (op.id(), op.scheme());
    if scheme != Some(SignatureScheme::EcdsaSecp256r1Sha256) {
        fail(format_args!("asked for {:?}", op.kind()));
    }
    let signature = element
        .sign(&ring::rand::SystemRandom::new(), op.message())
        .map_err(|_| Error::OperationFailed("the secure element"))?;
    conn.complete_operation(id, Answer::Signature(signature.as_ref().into()))?;
    Ok(1)
}

/// What a build without `alloc` refuses when configured, and how its
/// messages read.
fn refusals() {
    static ONE_SCHEME: [SignatureScheme; 1] = [SignatureScheme::EcdsaSecp256r1Sha256];
    let mut probe = ClientConfig::new(RootCertStore::empty());
    let second = probe
        .add_client_certificate(&CLIENT_CHAIN, pkcs8(CLIENT_KEY))
        .and_then(|()| probe.add_client_certificate(&CLIENT_CHAIN, pkcs8(CLIENT_KEY)));
    let missing = probe.set_client_signing_schemes(7, &ONE_SCHEME);
    for refused in [second, missing] {
        match refused {
            Err(e) => say!("refused: {e}"),
            Ok(()) => fail(format_args!("accepted what needs a heap")),
        }
    }
}

/// A verifier that may pause keeps a copy of the peer's chain, which needs
/// a heap: refused when the connection is made.
fn refused_server(areas: Areas) -> Result<(), Error> {
    let mut config = device_server(ServerConfig::new(&SERVER_CHAIN, pkcs8(SERVER_KEY))?);
    config.client_verifier = Some(Shared::from(&ACCEPT_ALL));
    let config: &'static ServerConfig = REFUSED.take().insert(config);
    match ServerConnection::with_areas(config, now(), areas) {
        Err(e) => say!("refused: {e}"),
        Ok(_) => fail(format_args!("a server with a verifier was made")),
    }
    Ok(())
}

fn main_result() -> Result<(), Error> {
    let anchor =
        webpki::anchor_from_trusted_cert(&CA).map_err(|_| Error::Misuse("the CA certificate"))?;
    let anchors: &'static [TrustAnchor<'static>] = ANCHORS.take().insert([anchor]);
    let roots = RootCertStore::from_anchors(anchors);
    let psks: &'static PskTable = PSK_TABLE.take().insert([(IDENTITY, Psk::new(&KEY)?)]);
    let element = |der: &[u8]| {
        EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            der,
            &ring::rand::SystemRandom::new(),
        )
        .map_err(|_| Error::Misuse("a secure element's key"))
    };
    let elements: &'static Elements = SECURE_ELEMENTS.take().insert(Elements {
        client: element(CLIENT_KEY)?,
        server: element(SERVER_KEY)?,
    });
    let configs: &'static [(ClientConfig, ServerConfig); CASES] =
        CONFIGS.take().insert(configs(&roots, psks)?);
    let client_sizes = largest(configs.iter().map(|(c, _)| AreaSizes::for_client(c)));
    let server_sizes = largest(configs.iter().map(|(_, s)| AreaSizes::for_server(s)));
    say!(
        "client areas: {} B ({client_sizes}), slot {} B",
        client_sizes.total(),
        core::mem::size_of::<HandshakeSlot>()
    );
    say!(
        "server areas: {} B ({server_sizes}), slot {} B",
        server_sizes.total(),
        core::mem::size_of::<HandshakeSlot>()
    );
    say!(
        "connection struct: {} B",
        core::mem::size_of::<ClientConnection>()
    );
    refusals();
    let mut areas = (
        Areas::split(CLIENT_ARENA.take(), client_sizes, CLIENT_SLOT.take())?,
        Areas::split(SERVER_ARENA.take(), server_sizes, SERVER_SLOT.take())?,
    );
    let names = [
        "ECDHE-ECDSA x25519",
        "ECDHE-ECDSA P-256",
        "ECDHE-ECDSA x25519, client certificate",
        "ECDHE-ECDSA x25519, client certificate in a secure element",
        "ECDHE-ECDSA x25519, server key in a secure element",
        "PSK",
        "ECDHE_PSK",
    ];
    for (name, pair) in names.iter().zip(configs) {
        areas = run(name, pair, areas, elements)?;
    }
    refused_server(areas.1)?;
    say!("all handshakes and data without an allocator");
    Ok(())
}

/// With any argument, the program allocates once, to show the allocator
/// refusing (`tests/no_alloc.rs` checks that it fails then).
#[no_mangle]
extern "C" fn main(argc: i32, _argv: *const *const u8) -> i32 {
    if argc > 1 {
        extern crate alloc;
        let refused = alloc::boxed::Box::new(1u8);
        say!("allocated {refused}: the allocator did not refuse");
        return 2;
    }
    match main_result() {
        Ok(()) => 0,
        Err(e) => fail(format_args!("{e}")),
    }
}
