//! A blocking TLS 1.2 client on std::net.
//!
//! ```text
//! cargo run --example client -- --connect 127.0.0.1:8443 --server-name localhost \
//!     --ca tests/fixtures/ca.pem [--suites A,B] [--alpn P1,P2] [--send TEXT] \
//!     [--cert CHAIN.pem --key KEY.pem [--async-key]] [--reconnect N] [--no-require-ems] [--ocsp] \
//!     [--legacy-rsa-key-transport] [--psk IDENTITY:HEXKEY ...] \
//!     [--max-fragment-length 512|1024|2048|4096] [--record-size-limit N] [--lent-areas]
//! cargo run --example client -- --connect 127.0.0.1:8443 --server-name localhost \
//!     --psk sensor-17:00112233445566778899aabbccddeeff
//! ```
//!
//! `--help` lists every flag.
//!
//! Prints what was negotiated, sends TEXT (default: an HTTP/1.1 GET), then
//! prints what the server answered until it closes. `--reconnect N` makes N
//! more connections with the same configuration, each printing whether it
//! resumed the session.
//!
//! With `SSLKEYLOGFILE` set, every handshake's master secret is appended
//! to that file in the NSS key log format (for Wireshark).
//!
//! `--async-key` keeps the client certificate's private key in a thread
//! standing in for an HSM (`examples/async_key/`): a handshake that sends the
//! certificate pauses for its CertificateVerify signature and resumes when
//! the HSM answers.
//!
//! `--psk IDENTITY:HEXKEY` (repeatable) offers the PSK suites first, with
//! those keys; `--ca` is then optional (without it only PSK is offered).
//!
//! `--max-fragment-length N` asks the server for records of at most N bytes
//! both ways (RFC 6066 §4); `--record-size-limit N` (64 to 16384) tells it
//! the largest record plaintext we take (RFC 8449), and the server's answer
//! caps ours. With both, a server that knows record_size_limit uses it (RFC
//! 8449 §5). The `records:` line says what was agreed.
//!
//! `--lent-areas` runs the connection's buffers and handshake state on
//! memory the program lends it (`tls12::Areas`, `tls12::HandshakeSlot`), as
//! a device lends statics: one arena of the size `AreaSizes::for_client`
//! gives, with caps for one record of the size asked for and a 16 KiB
//! handshake message cap, and one slot, taken back after each connection
//! and lent to the next. stderr gets a `lent areas:` line with the sizes.
//!
//! `--legacy-rsa-key-transport` also offers the RSA key transport suites
//! (TLS_RSA_WITH_AES_128_GCM_SHA256 and _256_GCM_SHA384), after the ECDHE
//! ones, for old servers that speak nothing else: no forward secrecy. The
//! `kx:` line says which key exchange was used.

mod async_key;
mod psk_arg;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::{
    AreaSizes, Areas, CipherSuite, ClientConfig, ClientConnection, HandshakeSlot, RootCertStore,
    Stream,
};

/// A blocking TLS 1.2 client on std::net.
///
/// Prints what was negotiated, sends TEXT (default: an HTTP/1.1 GET), then
/// prints what the server answered until it closes.
///
/// With SSLKEYLOGFILE set, every handshake's master secret is appended to
/// that file in the NSS key log format, for Wireshark.
#[derive(Parser)]
#[command(name = "client", args_override_self = true)]
struct Args {
    /// Address to connect to, e.g. 127.0.0.1:8443
    #[arg(long, value_name = "ADDR")]
    connect: String,
    /// Name to send in SNI and to verify the server's certificate for (a DNS name or IP address)
    #[arg(long, value_name = "NAME")]
    server_name: String,
    /// PEM file with the CAs the server's certificate must chain to (optional with --psk: without it only the PSK suites are offered)
    #[arg(long, value_name = "CA.pem", required_unless_present = "psk")]
    ca: Option<String>,
    /// Present the pre-shared key HEXKEY (1 to 64 bytes in hex) as IDENTITY, offering the PSK suites (before the certificate ones when --ca is given); repeat for more identities, the first being used
    #[arg(long, value_name = "IDENTITY:HEXKEY", action = clap::ArgAction::Append, value_parser = psk_arg::parse)]
    psk: Vec<(Vec<u8>, Vec<u8>)>,
    /// Cipher suites to offer, comma-separated IANA names, in order of preference (the AES_128_CCM ones need the aes-ccm cargo feature)
    #[arg(long, value_name = "A,B")]
    suites: Option<String>,
    /// ALPN protocols to offer, comma-separated, in order of preference
    #[arg(long, value_name = "P1,P2")]
    alpn: Option<String>,
    /// Text to send once connected (default: an HTTP/1.1 GET for / with Connection: close)
    #[arg(long, value_name = "TEXT")]
    send: Option<String>,
    /// PEM file with a client certificate chain, sent when the server asks and it fits; needs --key
    #[arg(long, value_name = "CHAIN.pem", requires = "key")]
    cert: Option<String>,
    /// PEM file with the client certificate's private key; needs --cert
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    key: Option<String>,
    /// Make N more connections with the same configuration, each printing whether it resumed
    #[arg(long, value_name = "N", default_value_t = 0)]
    reconnect: usize,
    /// Accept servers without the extended master secret (RFC 7627); weakens the handshake against the triple-handshake attack: for testers and legacy peers only
    #[arg(long)]
    no_require_ems: bool,
    /// Keep the --key in a thread standing in for an HSM, which answers each signature request after 20 ms; the handshake pauses for it and resumes (Connection::complete_operation), and stderr gets one "async-key:" line per signature. ECDSA keys sign only with their curve's own hash (ring): a server offering only the other one gets internal_error. Needs a PKCS#8 key (or PKCS#1 for RSA)
    #[arg(long, requires = "key")]
    async_key: bool,
    /// Also offer the RSA key transport suites (after the ECDHE ones, unless --suites says otherwise), for old servers that offer nothing else (BMCs, appliances). No forward secrecy: whoever gets the server's key later decrypts the session; RFC 9325 §4.1 says SHOULD NOT
    #[arg(long)]
    legacy_rsa_key_transport: bool,
    /// Ask the server to staple an OCSP response (RFC 6066 status_request) and print what came, in hex on a line starting "ocsp:" (not verified: checking it is the caller's business)
    #[arg(long)]
    ocsp: bool,
    /// Ask for records of at most N bytes both ways (RFC 6066 max_fragment_length): 512, 1024, 2048 or 4096
    #[arg(long, value_name = "N", value_parser = parse_max_fragment_length)]
    max_fragment_length: Option<tls12::MaxFragmentLength>,
    /// Send record_size_limit N (RFC 8449, 64 to 16384): the largest record plaintext the server may send us; its own answer caps our records. Preferred over --max-fragment-length by servers that know both
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(64..=16384))]
    record_size_limit: Option<u16>,
    /// Run the buffers and handshake state on memory lent by the program (tls12::Areas, tls12::HandshakeSlot), as a device lends statics: caps of one record of the size asked for (--max-fragment-length or --record-size-limit, else 16384) and a 16 KiB handshake message cap, and one arena and slot reused by every connection; stderr gets a "lent areas:" line with the sizes
    #[arg(long)]
    lent_areas: bool,
}

/// `--max-fragment-length`: one of RFC 6066 §4's four lengths.
fn parse_max_fragment_length(s: &str) -> Result<tls12::MaxFragmentLength, String> {
    s.parse::<u16>()
        .ok()
        .and_then(tls12::MaxFragmentLength::from_length)
        .ok_or_else(|| format!("{s} is not 512, 1024, 2048 or 4096"))
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1)
}

fn main() {
    let Args {
        connect,
        server_name,
        ca,
        suites,
        alpn,
        send,
        cert,
        key,
        reconnect,
        no_require_ems,
        async_key,
        legacy_rsa_key_transport,
        ocsp,
        psk,
        max_fragment_length,
        record_size_limit,
        lent_areas,
    } = Args::parse();

    let mut roots = RootCertStore::empty();
    if let Some(ca) = &ca {
        for cert in CertificateDer::pem_file_iter(ca)
            .unwrap_or_else(|e| fail(&format!("reading {ca}: {e}")))
        {
            let cert = cert.unwrap_or_else(|e| fail(&format!("reading {ca}: {e}")));
            roots.add(&cert).unwrap_or_else(|e| fail(&e.to_string()));
        }
    }
    let mut config = ClientConfig::new(roots);
    if !psk.is_empty() {
        // Asked for by name: the PSK suites first, alone without --ca.
        let mut suites = tls12::PSK_SUITES.to_vec();
        if ca.is_some() {
            suites.extend(config.cipher_suites.iter().copied());
        }
        config.cipher_suites = suites.into();
        for (identity, key) in &psk {
            config
                .add_psk(identity, psk_arg::key(key))
                .unwrap_or_else(|e| fail(&e.to_string()));
        }
    }
    if legacy_rsa_key_transport {
        config.legacy_rsa_key_transport = true;
        config
            .cipher_suites
            .extend(tls12::LEGACY_RSA_KEY_TRANSPORT_SUITES);
    }
    if let Some(list) = suites {
        config.cipher_suites = list
            .split(',')
            .map(|n| {
                CipherSuite::from_name(n.trim())
                    .unwrap_or_else(|| fail(&format!("unknown suite {n}")))
            })
            .collect();
    }
    if let Some(list) = alpn {
        config.alpn_protocols = list.split(',').map(|p| p.as_bytes().to_vec()).collect();
    }
    // clap refuses --cert without --key and the other way round, and
    // --async-key without them.
    let mut hsm = None;
    if let (Some(cert), Some(key)) = (cert, key) {
        let chain = CertificateDer::pem_file_iter(&cert)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .unwrap_or_else(|e| fail(&format!("reading {cert}: {e}")));
        if async_key {
            // The key goes to the HSM thread; the config knows only its kind.
            let started = async_key::Hsm::start(&key).unwrap_or_else(|e| fail(&e));
            config
                .add_client_certificate_with_caller_key(chain, started.key_type())
                .unwrap_or_else(|e| fail(&e.to_string()));
            hsm = Some(started);
        } else {
            let key = PrivateKeyDer::from_pem_file(&key)
                .unwrap_or_else(|e| fail(&format!("reading {key}: {e}")));
            config
                .add_client_certificate(chain, key)
                .unwrap_or_else(|e| fail(&e.to_string()));
        }
    }
    if no_require_ems {
        config.require_extended_master_secret = false;
    }
    config.request_ocsp = ocsp;
    config.max_fragment_length = max_fragment_length;
    config.record_size_limit = record_size_limit;
    // SSLKEYLOGFILE: the usual opt-in to a key log for Wireshark.
    config.key_log = tls12::KeyLogFile::from_env();
    let mut areas = lent_areas.then(|| lend_areas(&mut config));
    let config = Arc::new(config);
    let name = ServerName::try_from(server_name.clone())
        .unwrap_or_else(|e| fail(&format!("{server_name}: {e}")));
    let text = send.unwrap_or_else(|| {
        format!("GET / HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n")
    });

    for n in 0..=reconnect {
        if n > 0 {
            println!("--- reconnection {n} of {reconnect}");
        }
        areas = run(&config, &name, &connect, &text, hsm.as_ref(), areas);
    }
}

/// `--lent-areas`: caps for one record of the size asked for, one arena
/// for the five areas and a slot for the handshake's state, lent for the
/// life of the program.
fn lend_areas(config: &mut ClientConfig) -> Areas {
    let record = config
        .max_fragment_length
        .map(|m| usize::from(m.length()))
        .or(config.record_size_limit.map(usize::from))
        .unwrap_or(16384);
    config.limits.max_buffered_plaintext = record;
    config.limits.max_buffered_output = config.max_fragment_len.min(record) + 29;
    config.max_fragment_len = config.max_fragment_len.min(record);
    // A device's cap on the server's messages (its Certificate is the
    // longest): a chain of a few certificates, not the 64 KiB default,
    // which `handshake_in` would have to hold.
    config.limits.max_handshake_message_len = config.limits.max_handshake_message_len.min(16384);
    let sizes = AreaSizes::for_client(config);
    eprintln!(
        "lent areas: {sizes}, slot {} B",
        std::mem::size_of::<HandshakeSlot>()
    );
    // A device's statics; leaked boxes stand in for them here.
    let arena: &'static mut [u8] = Box::leak(vec![0; sizes.total()].into_boxed_slice());
    let slot = Box::leak(Box::new(HandshakeSlot::new()));
    Areas::split(arena, sizes, slot).unwrap_or_else(|e| fail(&e.to_string()))
}

/// One connection; returns the lent areas, if any, for the next.
fn run(
    config: &Arc<ClientConfig>,
    name: &ServerName<'static>,
    addr: &str,
    text: &str,
    hsm: Option<&async_key::Hsm>,
    areas: Option<Areas>,
) -> Option<Areas> {
    let made = match areas {
        Some(areas) => {
            ClientConnection::with_areas(config.clone(), name.clone(), UnixTime::now(), areas)
        }
        None => ClientConnection::new(config.clone(), name.clone(), UnixTime::now()),
    };
    let mut conn = made.unwrap_or_else(|e| fail(&e.to_string()));
    let mut sock =
        TcpStream::connect(addr).unwrap_or_else(|e| fail(&format!("connect {addr}: {e}")));
    sock.set_read_timeout(Some(Duration::from_secs(30))).ok();
    // `Stream` cannot answer the connection's signature requests: with an
    // HSM, the handshake is driven by hand (async_key::complete_handshake).
    let handshake = match hsm {
        Some(hsm) => async_key::complete_handshake(&mut conn, &mut sock, hsm),
        None => Stream::new(&mut conn, &mut sock).complete_handshake(),
    };
    if let Err(e) = handshake {
        let alert = conn.error().and_then(|e| e.alert());
        let refused = matches!(
            conn.error(),
            Some(tls12::Error::AlertReceived(
                tls12::AlertDescription::HandshakeFailure
            ))
        );
        let hint = if refused && !config.legacy_rsa_key_transport {
            "\nhint: if it is an old server that speaks only RSA key transport (TLS_RSA_WITH_*), \
             --legacy-rsa-key-transport allows those suites (no forward secrecy)"
        } else {
            ""
        };
        // The diagnosis says where it stopped and what we offered.
        let why = conn
            .diagnosis()
            .map_or_else(|| e.to_string(), |d| d.to_string());
        fail(&format!(
            "handshake failed: {why} (alert sent: {alert:?}){hint}"
        ));
    }
    let mut tls = Stream::new(&mut conn, &mut sock);
    let info = tls
        .connection()
        .handshake_info()
        .cloned()
        .expect("handshake complete");
    println!("protocol:   {:?}", info.version);
    println!("cipher:     {:?}", info.cipher_suite);
    println!("kx:         {}", info.key_exchange.name());
    if let Some(identity) = &info.psk_identity {
        println!("psk:        {}", String::from_utf8_lossy(identity));
    }
    println!("group:      {:?}", info.group);
    println!("signature:  {:?}", info.signature_scheme);
    println!(
        "alpn:       {:?}",
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy)
    );
    println!("ems:        {}", info.extended_master_secret);
    println!("resumed:    {}", info.resumed);
    println!(
        "records:    out {} in {}",
        info.max_fragment_out, info.max_fragment_in
    );
    println!(
        "peer chain: {} certificate(s)",
        info.peer_certificates.len()
    );
    if config.request_ocsp {
        match &info.ocsp_response {
            Some(response) => {
                let hex: String = response.iter().map(|b| format!("{b:02x}")).collect();
                println!("ocsp:       {} bytes {hex}", response.len());
            }
            None if info.resumed => println!("ocsp:       none (resumed: no certificate sent)"),
            None => println!("ocsp:       none stapled"),
        }
    }

    tls.write_all(text.as_bytes())
        .unwrap_or_else(|e| fail(&format!("send: {e}")));
    println!("--- server answered:");
    let mut buf = [0u8; 16384];
    let mut stdout = std::io::stdout();
    let mut answer = Vec::new();
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                stdout.write_all(&buf[..n]).ok();
                stdout.flush().ok();
                answer.extend_from_slice(&buf[..n]);
                // An echo server never closes: stop once our text came back.
                if answer.ends_with(text.as_bytes()) {
                    break;
                }
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                break
            }
            Err(e) => fail(&format!("receive: {e}")),
        }
    }
    println!();
    tls.close().ok();
    // Back, cleared, for the next connection.
    conn.into_areas()
}
