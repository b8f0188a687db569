//! Connections that allocate nothing once made: under
//! `IdleBuffers::Preallocated`, every buffer is allocated when the
//! connection is constructed, at the size its cap allows, and a full
//! handshake and data both ways then run without a single allocation, as a
//! device with a fixed heap needs.
//!
//! Run in the library's `no_std` build (`alloc` only) as well as the
//! default one:
//!
//! ```sh
//! cargo test --no-default-features --test no_alloc -- --nocapture
//! ```
//!
//! The counting `#[global_allocator]` (`tests/counting/`) charges every
//! allocation made inside a call on either connection, once both exist, to
//! that side; the test fails on any. What a handshake keeps (the server
//! name, a PSK identity, the server's leaf certificate until its key has
//! signed the ServerKeyExchange) goes into room reserved at construction.
//!
//! On memory the caller lends (`tls12::Areas`, with a `HandshakeSlot`),
//! the record buffers, the handshake's message buffers, what it keeps and
//! its state come from the caller, not the heap, and a connection then
//! allocates nothing from its construction on
//! (`on_lent_memory_nothing_is_allocated_from_construction_on`).
//!
//! The build without `alloc` itself is `no_alloc/`: a program with
//! neither `std` nor a heap (its global allocator refuses every request)
//! that runs ECDHE-ECDSA with x25519 and P-256, mutual TLS, the client's
//! or the server's key held by the caller, PSK and ECDHE_PSK, with data
//! both ways, on two static arenas.
//! `a_program_without_std_or_heap_runs_every_handshake` builds and runs it.

mod counting;

use std::sync::Arc;

use counting::{as_side, held_by, take_counts, CLIENT, SERVER};

use tls12::psk::{Psk, PskMap};
use tls12::testing::{client_config, lend, now, server_config};
use tls12::{
    AreaSizes, CipherSuite, ClientConfig, ClientConnection, Connection, IdleBuffers,
    MaxFragmentLength, NamedGroup, RootCertStore, ServerConfig, ServerConnection,
};

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// The caps of a device speaking 512-byte records: the smallest that carry
/// the fixtures' handshakes (the server's Certificate message, an ECDSA
/// chain of two, is about 1.1 KB; a ClientHello about 250 bytes) and one
/// record of data each way. `max_buffered_output` must hold a record with
/// its header, nonce and tag (`Limits::max_buffered_output`); flights are
/// written whole all the same.
fn device_limits(limits: &mut tls12::Limits, client_hello: bool) {
    limits.idle_buffers = IdleBuffers::Preallocated;
    limits.max_handshake_message_len = 2048;
    if client_hello {
        limits.max_client_hello_len = 1024;
    }
    limits.max_buffered_plaintext = 512;
    limits.max_buffered_output = 512 + 29;
}

fn device_client(mut config: ClientConfig) -> ClientConfig {
    device_limits(&mut config.limits, false);
    config.max_fragment_len = 512;
    config.max_fragment_length = Some(MaxFragmentLength::L512);
    // Nothing the handshake would keep beyond its keys.
    config.keep_peer_certificates = false;
    config.enable_tickets = false;
    // Session caches exist with `std` only.
    #[cfg(feature = "std")]
    {
        config.session_cache = None;
    }
    config
}

fn device_server(mut config: ServerConfig) -> ServerConfig {
    device_limits(&mut config.limits, true);
    config.max_fragment_len = 512;
    config.record_size_limit = 512;
    #[cfg(feature = "std")]
    {
        config.session_cache = None;
        config.ticketer = None;
    }
    config
}

const KEY: [u8; 32] = [0x5a; 32];

fn psk_client(suite: CipherSuite) -> ClientConfig {
    let mut config = ClientConfig::new(RootCertStore::empty());
    config.cipher_suites = vec![suite].into();
    config
        .add_psk(b"sensor-17", Psk::new(&KEY).unwrap())
        .unwrap();
    device_client(config)
}

fn psk_server() -> ServerConfig {
    let mut keys = PskMap::new();
    keys.insert(b"sensor-17", Psk::new(&KEY).unwrap()).unwrap();
    let mut config = ServerConfig::with_psk(Arc::new(keys));
    config.cipher_suites = tls12::PSK_SUITES.to_vec().into();
    device_server(config)
}

/// A client preferring `group` for ECDHE: P-256 is offered either way, as
/// the curve of the server's certificate (RFC 8422 §5.1).
fn ecdsa_configs(group: NamedGroup) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let mut client = device_client(client_config());
    client.groups = vec![group, NamedGroup::Secp256r1].into();
    client.groups.to_mut().dedup();
    client.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256].into();
    let server = device_server(server_config("server-p256"));
    (Arc::new(client), Arc::new(server))
}

/// A pair on shared configurations, which outlive it.
fn connect(
    (client, server): &(Arc<ClientConfig>, Arc<ServerConfig>),
) -> (ClientConnection, ServerConnection) {
    let c = ClientConnection::new(
        client.clone(),
        tls12::pki_types::ServerName::try_from("localhost").unwrap(),
        now(),
    )
    .unwrap();
    let s = ServerConnection::new(server.clone(), now()).unwrap();
    (c, s)
}

/// As [`connect`], with the record buffers on areas the test lends, of
/// the sizes the configurations need.
fn connect_on_areas(
    (client, server): &(Arc<ClientConfig>, Arc<ServerConfig>),
) -> (ClientConnection, ServerConnection) {
    let c = ClientConnection::with_areas(
        client.clone(),
        tls12::pki_types::ServerName::try_from("localhost").unwrap(),
        now(),
        lend(AreaSizes::for_client(client)),
    )
    .unwrap();
    let s =
        ServerConnection::with_areas(server.clone(), now(), lend(AreaSizes::for_server(server)))
            .unwrap();
    (c, s)
}

/// One end: its connection and whom its allocations count against.
struct End<'a> {
    conn: &'a mut Connection,
    who: usize,
}

/// Memory the test lends to move bytes between the two connections,
/// allocated before anything is counted.
struct Wire {
    bytes: Vec<u8>,
    sink: Vec<u8>,
    seal: Vec<u8>,
    /// Application data read through the buffered API so far.
    read: usize,
}

impl Wire {
    fn new() -> Self {
        Self {
            bytes: vec![0; 700],
            sink: vec![0; 300],
            seal: vec![0; Connection::SEAL_PREFIX + 512 + Connection::SEAL_SUFFIX],
            read: 0,
        }
    }

    /// Moves everything `from` has queued to `to`.
    fn pass(&mut self, from: &mut End<'_>, to: &mut End<'_>) {
        while self.pass_one(from, to) > 0 {}
    }

    /// Moves one piece of what `from` has queued to `to`, of the wire
    /// buffer's size at most (700 bytes: records arrive split, as from a
    /// socket, and the output is taken in part); returns its length.
    fn pass_one(&mut self, from: &mut End<'_>, to: &mut End<'_>) -> usize {
        let n = as_side(from.who, || {
            let out = from.conn.pending_output();
            let n = out.len().min(self.bytes.len());
            self.bytes[..n].copy_from_slice(&out[..n]);
            from.conn.consume_output(n);
            n
        });
        let mut at = 0;
        while at < n {
            let used = as_side(to.who, || to.conn.receive(&self.bytes[at..n])).expect("receive");
            if used == 0 {
                // Back-pressure: the plaintext queue is at its cap. One
                // read (of 300 bytes: the queue is left part-read).
                assert!(self.drain(to) > 0, "receive made no progress");
            }
            at += used;
        }
        n
    }

    /// The handshake, flights both ways until neither side is handshaking.
    fn handshake(&mut self, c: &mut End<'_>, s: &mut End<'_>) {
        for _ in 0..8 {
            self.pass(c, s);
            self.pass(s, c);
            if !c.conn.is_handshaking() && !s.conn.is_handshaking() {
                return;
            }
        }
        panic!("handshake did not complete");
    }

    /// `total` bytes from `from` to `to` through the buffered API, read as
    /// they arrive.
    fn buffered(&mut self, from: &mut End<'_>, to: &mut End<'_>, total: usize) {
        let data = [0x42u8; 700];
        let mut sent = 0;
        while sent < total {
            // Sent while earlier output is still partly queued.
            let chunk = &data[..(total - sent).min(data.len())];
            sent += as_side(from.who, || from.conn.send(chunk)).expect("send");
            self.pass_one(from, to);
        }
        self.pass(from, to);
        while self.drain(to) > 0 {}
        assert_eq!(std::mem::take(&mut self.read), total);
    }

    /// `total` bytes from `from` to `to` written straight into `from`'s
    /// output with `send_with`, read as they arrive.
    fn written_in_output(&mut self, from: &mut End<'_>, to: &mut End<'_>, total: usize) {
        let mut sent = 0;
        while sent < total {
            let want = (total - sent).min(700);
            sent += as_side(from.who, || {
                from.conn.send_with(want, |room| {
                    room.fill(0x42);
                    room.len()
                })
            })
            .expect("send_with");
            self.pass_one(from, to);
        }
        self.pass(from, to);
        while self.drain(to) > 0 {}
        assert_eq!(std::mem::take(&mut self.read), total);
    }

    /// Reads what `to` holds into the sink; returns how much.
    fn drain(&mut self, to: &mut End<'_>) -> usize {
        let got = as_side(to.who, || to.conn.read(&mut self.sink));
        assert!(self.sink[..got].iter().all(|&b| b == 0x42));
        self.read += got;
        got
    }

    /// `total` bytes from `from` to `to` through the in-place API: sealed in
    /// the lent buffer and opened where they lie.
    fn in_place(&mut self, from: &mut End<'_>, to: &mut End<'_>, total: usize) {
        let mut read = 0;
        while read < total {
            let len = 512.min(total - read);
            let buf = &mut self.seal[..];
            buf[Connection::SEAL_PREFIX..Connection::SEAL_PREFIX + len].fill(0x24);
            let base = buf.as_ptr() as usize;
            let (at, record_len) = as_side(from.who, || {
                from.conn
                    .seal_in_place(buf, len)
                    .map(|r| (r.as_ptr() as usize, r.len()))
            })
            .expect("seal");
            // The record starts where the suite's explicit nonce lets it
            // (none for ChaCha20-Poly1305).
            let start = at - base;
            let opened = as_side(to.who, || {
                to.conn
                    .receive_in_place(&mut buf[start..start + record_len])
            })
            .expect("open");
            assert_eq!(opened.consumed, record_len);
            let plain = opened.application_data;
            assert_eq!(plain.len(), len);
            assert!(plain.iter().all(|&b| b == 0x24));
            read += len;
        }
    }
}

/// A handshake, then 6,000 bytes each way through the buffered API, 6,000
/// each way in place, and 6,000 each way written straight into the output
/// (`send_with`): the allocations each side made in the handshake (none may
/// be made in the traffic).
fn run(c: &mut Connection, s: &mut Connection) -> (u64, u64) {
    let mut wire = Wire::new();
    let mut c = End {
        conn: c,
        who: CLIENT,
    };
    let mut s = End {
        conn: s,
        who: SERVER,
    };
    take_counts();
    wire.handshake(&mut c, &mut s);
    let handshake = take_counts();
    wire.buffered(&mut c, &mut s, 6000);
    wire.buffered(&mut s, &mut c, 6000);
    wire.in_place(&mut c, &mut s, 6000);
    wire.in_place(&mut s, &mut c, 6000);
    wire.written_in_output(&mut c, &mut s, 6000);
    wire.written_in_output(&mut s, &mut c, 6000);
    assert_eq!(
        take_counts(),
        (0, 0),
        "allocations while data flowed (client, server)"
    );
    handshake
}

#[test]
fn ecdhe_ecdsa_with_x25519_and_p256_allocates_nothing() {
    for group in [NamedGroup::X25519, NamedGroup::Secp256r1] {
        let (mut c, mut s) = connect(&ecdsa_configs(group));
        let (client, server) = run(&mut c, &mut s);
        assert_eq!(c.handshake_info().unwrap().group, Some(group));
        assert_eq!(
            (client, server),
            (0, 0),
            "{group:?}: allocations (client, server)"
        );
    }
}

#[test]
fn psk_and_ecdhe_psk_allocate_nothing() {
    for suite in [
        CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let (mut c, mut s) = connect(&(Arc::new(psk_client(suite)), Arc::new(psk_server())));
        assert_eq!(
            run(&mut c, &mut s),
            (0, 0),
            "{suite:?}: allocations (client, server)"
        );
        let identity = s.handshake_info().unwrap().psk_identity.as_deref();
        assert_eq!(identity, Some(&b"sensor-17"[..]));
        assert_eq!(c.handshake_info().unwrap().cipher_suite, suite);
    }
}

/// Sizes for default 16 KiB records: a record each way, and handshake
/// messages of up to 16 KiB.
fn default_record_limits(limits: &mut tls12::Limits, client_hello: bool) {
    limits.idle_buffers = IdleBuffers::Preallocated;
    limits.max_handshake_message_len = 16 * 1024;
    if client_hello {
        limits.max_client_hello_len = 16 * 1024;
    }
    limits.max_buffered_plaintext = 16 * 1024;
    limits.max_buffered_output = 16 * 1024 + 29;
}

/// The memory a preallocated connection takes when made, all of it: the
/// figure to size a device's heap by. Printed with `--nocapture`.
#[test]
fn memory_taken_at_construction() {
    let small = {
        let configs = ecdsa_configs(NamedGroup::X25519);
        let (c, s) = connect(&configs);
        (held_by(c), held_by(s))
    };
    let default = {
        let mut client = client_config();
        default_record_limits(&mut client.limits, false);
        client.keep_peer_certificates = false;
        let mut server = server_config("server-p256");
        default_record_limits(&mut server.limits, true);
        let configs = (Arc::new(client), Arc::new(server));
        let (c, s) = connect(&configs);
        (held_by(c), held_by(s))
    };
    println!(
        "preallocated, max_fragment_length 512: client {} B, server {} B",
        small.0, small.1
    );
    println!(
        "preallocated, 16 KiB records: client {} B, server {} B",
        default.0, default.1
    );
    // 512-byte records: a few record sizes, the 2 KiB handshake message cap
    // and the output cap, the handshake's states (freed when it ends) and
    // the connection itself; 16 KiB records: the same in 16 KiB.
    assert!(small.0 <= 16 * 1024 && small.1 <= 16 * 1024, "{small:?}");
    assert!(
        default.0 <= 128 * 1024 && default.1 <= 128 * 1024,
        "{default:?}"
    );
    assert!(
        default.0 > 4 * small.0,
        "records sized from the request: {small:?} {default:?}"
    );
}

/// The smallest caps the configuration accepts carry a whole handshake and
/// data both ways with 512-byte records, still without an allocation: 1 KiB
/// for each handshake message cap (the floor `Limits` allows; the fixtures'
/// Certificate message is 1,012 bytes), one byte of buffered plaintext (a
/// record at a time), and output for one record (541 bytes). Printed with
/// `--nocapture`: the memory such connections take when made.
#[test]
fn the_smallest_caps_for_512_byte_records() {
    let smallest = |limits: &mut tls12::Limits| {
        limits.max_handshake_message_len = 1024;
        limits.max_client_hello_len = 1024;
        limits.max_buffered_plaintext = 1;
        limits.max_buffered_output = 512 + 29;
    };
    let (client, server) = ecdsa_configs(NamedGroup::X25519);
    let (mut client, mut server) = ((*client).clone(), (*server).clone());
    smallest(&mut client.limits);
    smallest(&mut server.limits);
    let configs = (Arc::new(client), Arc::new(server));
    let (mut c, mut s) = connect(&configs);
    assert_eq!(run(&mut c, &mut s), (0, 0), "allocations (client, server)");
    let (c, s) = connect(&configs);
    let (c, s) = (held_by(c), held_by(s));
    println!("preallocated, smallest caps, max_fragment_length 512: client {c} B, server {s} B");
    assert!(c <= 14 * 1024 && s <= 14 * 1024, "{c} {s}");
}

/// Both sides export the same keying material (RFC 5705), each charged
/// for what it allocates.
fn exports_agree(c: &Connection, s: &Connection) {
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    as_side(CLIENT, || {
        c.export_keying_material(b"EXPORTER-x", None, &mut a)
    })
    .unwrap();
    as_side(SERVER, || {
        s.export_keying_material(b"EXPORTER-x", None, &mut b)
    })
    .unwrap();
    assert_eq!(a, b);
}

/// On lent areas, the same handshakes and traffic allocate nothing either,
/// exporters included (their secret stays in the slot), and the heap a
/// connection takes when made shrinks by the areas' size and its boxed
/// state: the buffers and the state are the caller's. Printed with
/// `--nocapture`.
#[test]
fn on_lent_areas_nothing_is_allocated_and_the_heap_shrinks_by_the_areas() {
    let ecdsa = ecdsa_configs(NamedGroup::X25519);
    let psk = (
        Arc::new(psk_client(
            CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        )),
        Arc::new(psk_server()),
    );
    let exporting = {
        let (mut client, mut server) = ((*ecdsa.0).clone(), (*ecdsa.1).clone());
        client.enable_exporters = true;
        server.enable_exporters = true;
        (Arc::new(client), Arc::new(server))
    };
    for configs in [&ecdsa, &psk, &exporting] {
        let (mut c, mut s) = connect_on_areas(configs);
        assert_eq!(run(&mut c, &mut s), (0, 0), "allocations (client, server)");
        if configs.0.enable_exporters {
            exports_agree(&c, &s);
            assert_eq!(take_counts(), (0, 0), "exporting allocated");
        }
        let areas = c.take_areas().expect("lent");
        assert!(areas.plaintext.iter().all(|&b| b == 0), "cleared");
    }
    let heap = {
        let (c, s) = connect(&ecdsa);
        (held_by(c), held_by(s))
    };
    let lent = {
        let (c, s) = connect_on_areas(&ecdsa);
        (held_by(c), held_by(s))
    };
    let sizes = (
        AreaSizes::for_client(&ecdsa.0),
        AreaSizes::for_server(&ecdsa.1),
    );
    println!(
        "handshake slot: {} B",
        std::mem::size_of::<tls12::HandshakeSlot>()
    );
    println!(
        "lent areas, max_fragment_length 512: client {} B lent ({:?}) + {} B heap, server {} B lent ({:?}) + {} B heap",
        sizes.0.total(),
        sizes.0,
        lent.0,
        sizes.1.total(),
        sizes.1,
        lent.1
    );
    // The preallocated heap buffers are exactly the areas' sizes, and the
    // boxed handshake state is in the slot (which holds either side's).
    let slot = std::mem::size_of::<tls12::HandshakeSlot>() as i64;
    for (heap, lent, total, side) in [
        (heap.0, lent.0, sizes.0.total(), "client"),
        (heap.1, lent.1, sizes.1.total(), "server"),
    ] {
        let state = heap - lent - total as i64;
        assert!(
            (1024..=slot).contains(&state),
            "{side}: {state} B of state off the heap, slot {slot} B"
        );
    }
}

/// The client's P-256 certificate, asked for and required; the server
/// keeps no chain, so it checks the client's where it lies and keeps the
/// leaf until its CertificateVerify.
fn mutual_tls_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let (client, server) = ecdsa_configs(NamedGroup::X25519);
    let (mut client, mut server) = ((*client).clone(), (*server).clone());
    client
        .add_client_certificate(
            tls12::testing::certs("client-p256.chain.pem"),
            tls12::testing::key("client-p256.key"),
        )
        .unwrap();
    server.client_auth = tls12::ClientAuth::Required(tls12::testing::roots());
    server.keep_peer_certificates = false;
    (Arc::new(client), Arc::new(server))
}

/// Mutual TLS on a device: the messages a CertificateVerify signs go into
/// room reserved when the connection is made, the server writes its
/// CertificateRequest where it goes, the client decides its answer as the
/// request arrives, and a server that keeps no chain checks the client's
/// where it lies.
#[test]
fn mutual_tls_allocates_nothing() {
    let configs = mutual_tls_configs();
    let (mut c, mut s) = connect(&configs);
    assert_eq!(run(&mut c, &mut s), (0, 0), "allocations (client, server)");
    assert!(c
        .handshake_info()
        .unwrap()
        .client_signature_scheme
        .is_some());
}

/// On lent memory (`Areas` with a `HandshakeSlot`) a connection allocates
/// nothing at all, from its construction to its last record: ECDHE-ECDSA
/// with x25519 and with P-256, mutual TLS, PSK and ECDHE_PSK, exporters and
/// ALPN. Only the configurations, made once and shared, and the
/// test's stand-ins for a device's statics, made before anything is
/// counted, come from the heap.
#[test]
fn on_lent_memory_nothing_is_allocated_from_construction_on() {
    let exporting = |(client, server): (Arc<ClientConfig>, Arc<ServerConfig>)| {
        let (mut client, mut server) = ((*client).clone(), (*server).clone());
        client.enable_exporters = true;
        server.enable_exporters = true;
        (Arc::new(client), Arc::new(server))
    };
    let all = [
        ("ECDHE-ECDSA x25519", ecdsa_configs(NamedGroup::X25519)),
        ("ECDHE-ECDSA P-256", ecdsa_configs(NamedGroup::Secp256r1)),
        (
            "PSK",
            (
                Arc::new(psk_client(CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256)),
                Arc::new(psk_server()),
            ),
        ),
        (
            "ECDHE_PSK",
            (
                Arc::new(psk_client(
                    CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
                )),
                Arc::new(psk_server()),
            ),
        ),
        ("exporters", exporting(ecdsa_configs(NamedGroup::X25519))),
        ("mutual TLS", mutual_tls_configs()),
        ("ALPN", {
            let (client, server) = ecdsa_configs(NamedGroup::X25519);
            let (mut client, mut server) = ((*client).clone(), (*server).clone());
            client.alpn_protocols = vec![b"mqtt".to_vec()].into();
            server.alpn_protocols = vec![b"x-amzn-mqtt-ca".to_vec(), b"mqtt".to_vec()].into();
            (Arc::new(client), Arc::new(server))
        }),
    ];
    for (label, (client, server)) in &all {
        let (ca, sa) = (
            lend(AreaSizes::for_client(client)),
            lend(AreaSizes::for_server(server)),
        );
        let name = tls12::pki_types::ServerName::try_from("localhost").unwrap();
        take_counts();
        let mut c = as_side(CLIENT, || {
            ClientConnection::with_areas(client.clone(), name, now(), ca).unwrap()
        });
        let mut s = as_side(SERVER, || {
            ServerConnection::with_areas(server.clone(), now(), sa).unwrap()
        });
        assert_eq!(take_counts(), (0, 0), "{label}: allocations when made");
        assert_eq!(run(&mut c, &mut s), (0, 0), "{label}: in the handshake");
        let info = c.handshake_info().unwrap();
        assert_eq!(info.server_name.as_deref(), Some("localhost"), "{label}");
        if client.enable_exporters {
            exports_agree(&c, &s);
        }
        if *label == "ALPN" {
            let protocol = &c.handshake_info().unwrap().alpn_protocol;
            assert_eq!(protocol.as_deref(), Some(&b"mqtt"[..]));
        }
        if label.contains("PSK") {
            let identity = &s.handshake_info().unwrap().psk_identity;
            assert_eq!(identity.as_deref(), Some(&b"sensor-17"[..]), "{label}");
        }
        // Given back, and nothing to free.
        let (ca, sa) = as_side(CLIENT, || (c.take_areas(), s.take_areas()));
        assert!(ca.is_some() && sa.is_some());
        assert_eq!(take_counts(), (0, 0), "{label}: allocations after");
    }
}

/// The `no_alloc/` program: tls12 without `std` and without `alloc`, in a
/// program whose allocator refuses everything (ring 0.17 links the `alloc`
/// crate whatever its features, so a global allocator must exist; see the
/// program's header). Every handshake, the data both ways, the exporters
/// and close_notify must work, on the same two arenas in turn; and the
/// program must fail when it does allocate, or a passing run would prove
/// nothing.
#[test]
fn a_program_without_std_or_heap_runs_every_handshake() {
    use std::process::Command;
    let root = env!("CARGO_MANIFEST_DIR");
    let target = format!("{root}/target/no_alloc");
    let built = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(format!("{root}/no_alloc/Cargo.toml"))
        .args(["--target-dir", &target])
        .status()
        .expect("cargo");
    assert!(built.success(), "building no_alloc/");
    let program = format!("{target}/debug/no_alloc");

    let run = Command::new(&program).output().expect("no_alloc");
    let report = String::from_utf8_lossy(&run.stdout);
    println!("{report}");
    assert!(run.status.success(), "{report}");
    // Each case, with the areas it needed after it.
    for case in [
        "ok ECDHE-ECDSA x25519: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Some(x25519), 1200 bytes \
         each way, 32 bytes exported alike (areas needed: ",
        "ok ECDHE-ECDSA P-256: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Some(secp256r1), 1200 \
         bytes each way, 32 bytes exported alike (areas needed: ",
        "ok ECDHE-ECDSA x25519, client certificate: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
         Some(x25519), 1200 bytes each way, 32 bytes exported alike (areas needed: ",
        "ok ECDHE-ECDSA x25519, client certificate in a secure element: \
         TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Some(x25519), 1200 bytes each way, 32 bytes \
         exported alike, CertificateVerify signed by the caller (areas needed: ",
        "ok ECDHE-ECDSA x25519, server key in a secure element: \
         TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Some(x25519), 1200 bytes each way, 32 bytes \
         exported alike, ServerKeyExchange signed by the caller (areas needed: ",
        "ok PSK: TLS_PSK_WITH_AES_128_GCM_SHA256, None, 1200 bytes each way (areas needed: ",
        "ok ECDHE_PSK: TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, Some(x25519), 1200 bytes each way \
         (areas needed: ",
    ] {
        assert!(
            report.lines().any(|l| l.starts_with(case)),
            "missing {case:?} in\n{report}"
        );
    }
    // What needs a heap is refused, and a message's values show as `…`.
    for line in [
        "refused: invalid configuration: without the alloc feature, a client has at most one \
         certificate",
        "refused: invalid configuration: no client certificate …",
        "refused: invalid configuration: verifiers and certificate choosers need the alloc \
         feature: the pause keeps a copy of what it asks the caller about",
        "all handshakes and data without an allocator",
    ] {
        assert!(
            report.lines().any(|l| l == line),
            "missing {line:?} in\n{report}"
        );
    }
    assert!(report.contains("connection struct: "), "{report}");

    let refused = Command::new(&program)
        .arg("--allocate")
        .output()
        .expect("no_alloc --allocate");
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(
        !refused.status.success(),
        "an allocation went through: {said}"
    );
    assert!(
        said.contains("memory allocation of 1 bytes failed"),
        "{said}"
    );
}
