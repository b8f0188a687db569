//! A blocking TLS 1.2 server on std::net, one thread per connection.
//!
//! ```text
//! cargo run --example server -- --listen 127.0.0.1:8443 \
//!     --cert tests/fixtures/server-p256.chain.pem --key tests/fixtures/server-p256.key \
//!     [--suites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,...] [--alpn h2,http/1.1] \
//!     [--http | --echo] [--max-connections N] \
//!     [--client-ca CA.pem --client-auth optional|required] [--no-session-cache] [--no-tickets] \
//!     [--no-require-ems] [--async-key [--legacy-rsa-key-transport]] [--export LABEL:LEN] \
//!     [--ocsp RESPONSE.der] [--psk IDENTITY:HEXKEY ... [--psk-hint HINT]]
//! cargo run --example server -- --listen 127.0.0.1:8443 --psk sensor-17:00112233445566778899aabbccddeeff
//! ```
//!
//! `--help` lists every flag.
//!
//! Sessions resume by session ID and by ticket unless turned off.
//!
//! `--http` answers every HTTP/1.x request with a page showing what was
//! negotiated (like `openssl s_server -www`); a request's header lines may
//! end in CRLF or, as RFC 9112 §2.2 lets a recipient accept, a bare LF.
//! `--echo` (the default) echoes bytes back. One failing connection never
//! stops the server.
//!
//! With `SSLKEYLOGFILE` set, every handshake's master secret is appended
//! to that file in the NSS key log format (for Wireshark). `--export
//! LABEL:LEN` prints LEN bytes of RFC 5705 keying material for LABEL (no
//! context) for each connection, in hex on a line starting `exporter:`.
//! `--ocsp RESPONSE.der` staples that DER OCSP response with the first
//! chain for clients that ask (RFC 6066 §8).
//!
//! A client's max_fragment_length (RFC 6066 §4) or record_size_limit (RFC
//! 8449) is honoured: the `negotiated` line on stderr ends with the
//! largest record plaintext sent and accepted (`records_out=`,
//! `records_in=`).
//!
//! `--lent-areas` runs each connection's buffers and handshake state on
//! memory lent to it (`tls12::Areas` with a `tls12::HandshakeSlot`), from
//! arenas made once and given back by each connection for the next, as a
//! device lends statics; stderr gets a `lent areas:` line with the sizes.
//! The reassembly area holds the longest ClientHello the RFCs allow
//! (`Limits::max_client_hello_len`), about 128 KiB.
//!
//! `--async-key` keeps the private key in a thread standing in for an HSM
//! (`examples/async_key/`): each handshake pauses for its ServerKeyExchange
//! signature and resumes when the HSM answers.
//!
//! `--psk IDENTITY:HEXKEY` (repeatable) accepts those pre-shared keys with
//! the PSK suites, after the certificate ones; without `--cert` the server
//! has no certificate and speaks only PSK.
//!
//! `--legacy-rsa-key-transport` also accepts the RSA key transport suites
//! (TLS_RSA_WITH_AES_128_GCM_SHA256 and _256_GCM_SHA384), for old clients
//! that offer nothing else: no forward secrecy, and the HSM thread decrypts
//! each premaster secret (it needs `--async-key` and an RSA key whose
//! certificate allows key encipherment). The library goes on with a random
//! premaster whatever the decryption gives (RFC 5246 §7.4.7.1).

mod async_key;
mod psk_arg;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use clap::Parser;
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use tls12::{
    AreaSizes, Areas, CipherSuite, ClientAuth, HandshakeInfo, HandshakeSlot, RootCertStore,
    ServerConfig, ServerConnection, Stream,
};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Echo,
    Http,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum ClientAuthPolicy {
    /// Ask for a client certificate; a client may send none.
    Optional,
    /// Refuse a client that sends no certificate.
    Required,
}

/// A blocking TLS 1.2 server on std::net, one thread per connection.
///
/// Sessions resume by session ID and by ticket unless turned off. One
/// failing connection never stops the server.
///
/// With SSLKEYLOGFILE set, every handshake's master secret is appended to
/// that file in the NSS key log format, for Wireshark.
#[derive(Parser)]
#[command(name = "server", args_override_self = true)]
struct Args {
    /// Address to listen on, e.g. 127.0.0.1:8443 (port 0 picks a free port, printed as "listening on ADDR")
    #[arg(long, value_name = "ADDR")]
    listen: String,
    /// PEM file with the server's certificate chain, leaf first; give --cert and --key more than once to serve several chains (e.g. ECDSA and RSA, or several names), chosen per client by name, suites, signature schemes and groups
    #[arg(long, value_name = "CHAIN.pem", action = clap::ArgAction::Append, required_unless_present = "psk")]
    cert: Vec<String>,
    /// PEM file with the private key of the --cert at the same position (PKCS#8, PKCS#1 or SEC1)
    #[arg(long, value_name = "KEY.pem", action = clap::ArgAction::Append, required_unless_present = "psk")]
    key: Vec<String>,
    /// Accept the pre-shared key HEXKEY (1 to 64 bytes in hex) for IDENTITY, with the PSK suites (after the certificate ones when --cert is given, alone otherwise); repeat for more identities. A client's unknown identity fails at its Finished, like a wrong key
    #[arg(long, value_name = "IDENTITY:HEXKEY", action = clap::ArgAction::Append, value_parser = psk_arg::parse)]
    psk: Vec<(Vec<u8>, Vec<u8>)>,
    /// The PSK identity hint to send in ServerKeyExchange (RFC 4279 §2); needs --psk
    #[arg(long, value_name = "HINT", requires = "psk")]
    psk_hint: Option<String>,
    /// Cipher suites to allow, comma-separated IANA names, in order of preference (the AES_128_CCM ones need the aes-ccm cargo feature)
    #[arg(long, value_name = "A,B")]
    suites: Option<String>,
    /// ALPN protocols to accept, comma-separated, in order of preference
    #[arg(long, value_name = "P1,P2")]
    alpn: Option<String>,
    /// Answer every HTTP/1.x request with a page showing what was negotiated (header lines may end in CRLF or bare LF)
    #[arg(long, overrides_with = "echo")]
    http: bool,
    /// Echo received bytes back (the default)
    #[arg(long, overrides_with = "http")]
    echo: bool,
    /// Exit after accepting N connections (once the last one is served)
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// PEM file with the CAs that client certificates must chain to; asks clients for a certificate
    #[arg(long, value_name = "CA.pem")]
    client_ca: Option<String>,
    /// Whether a client certificate is required or optional (default: required); needs --client-ca
    #[arg(
        long,
        value_enum,
        value_name = "optional|required",
        requires = "client_ca"
    )]
    client_auth: Option<ClientAuthPolicy>,
    /// Turn off resumption by session ID (no server session cache)
    #[arg(long)]
    no_session_cache: bool,
    /// Turn off resumption by session ticket (RFC 5077)
    #[arg(long)]
    no_tickets: bool,
    /// Accept clients without the extended master secret (RFC 7627); weakens the handshake against the triple-handshake attack: for testers and legacy peers only
    #[arg(long)]
    no_require_ems: bool,
    /// Keep the private key in a thread standing in for an HSM, which answers each signature request after 20 ms; the handshake pauses for it and resumes (Connection::complete_operation), and stderr gets one "async-key:" line per signature. ECDSA keys sign only with their curve's own hash (ring): a client offering only the other one gets internal_error. Needs a PKCS#8 key (or PKCS#1 for RSA)
    #[arg(long)]
    async_key: bool,
    /// Also accept the RSA key transport suites (after the ECDHE ones, unless --suites says otherwise), for old clients that offer nothing else. No forward secrecy; RFC 9325 §4.1 says SHOULD NOT. The HSM thread of --async-key decrypts each premaster secret, with an RSA key
    #[arg(long, requires = "async_key")]
    legacy_rsa_key_transport: bool,
    /// Print LEN bytes of RFC 5705 keying material exported with LABEL (no context) for each connection, in hex on a stdout line starting "exporter:" (like openssl s_client -keymatexport LABEL -keymatexportlen LEN)
    #[arg(long, value_name = "LABEL:LEN", value_parser = parse_export)]
    export: Option<(String, usize)>,
    /// DER OCSP response to staple with the first --cert for clients that ask with status_request (RFC 6066 §8), as `openssl s_server -status_file` does; sent as it is, so keep it fresh
    #[arg(long, value_name = "RESPONSE.der")]
    ocsp: Option<String>,
    /// Run each connection's buffers and handshake state on memory lent to it (tls12::Areas, tls12::HandshakeSlot), as a device lends statics: arenas made once, given back by each connection for the next, with caps of 16 KiB of buffered plaintext and one record of output; stderr gets a "lent areas:" line with the sizes
    #[arg(long)]
    lent_areas: bool,
}

fn parse_export(arg: &str) -> Result<(String, usize), String> {
    let (label, len) = arg
        .rsplit_once(':')
        .ok_or("expected LABEL:LEN, e.g. EXPORTER-test:32")?;
    let len = len.parse().map_err(|e| format!("LEN in LABEL:LEN: {e}"))?;
    Ok((label.to_string(), len))
}

fn main() {
    let Args {
        listen,
        cert,
        key,
        suites,
        alpn,
        http,
        echo: _,
        max_connections,
        client_ca,
        client_auth,
        no_session_cache,
        no_tickets,
        no_require_ems,
        async_key,
        legacy_rsa_key_transport,
        export,
        ocsp,
        psk,
        psk_hint,
        lent_areas,
    } = Args::parse();
    let mode = if http { Mode::Http } else { Mode::Echo };

    if cert.len() != key.len() {
        fail("give one --key for each --cert, in the same order");
    }
    if async_key && cert.len() > 1 {
        fail("--async-key holds one key: give one --cert and one --key");
    }
    let read_chain = |file: &str| {
        CertificateDer::pem_file_iter(file)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .unwrap_or_else(|e| fail(&format!("reading {file}: {e}")))
    };
    let read_key = |file: &str| {
        PrivateKeyDer::from_pem_file(file).unwrap_or_else(|e| fail(&format!("reading {file}: {e}")))
    };
    let mut keys = tls12::psk::PskMap::new();
    for (identity, key) in &psk {
        keys.insert(identity, psk_arg::key(key))
            .unwrap_or_else(|e| fail(&e.to_string()));
    }
    let keys = Arc::new(keys);
    // With --async-key the key goes to the HSM thread, and the config knows
    // only its kind.
    let hsm = async_key.then(|| {
        let key = key
            .first()
            .unwrap_or_else(|| fail("--async-key needs --cert and --key"));
        async_key::Hsm::start(key).unwrap_or_else(|e| fail(&e))
    });
    let mut config = match (cert.first(), &hsm) {
        // Pre-shared keys alone: no certificate.
        (None, _) => ServerConfig::with_psk(keys.clone()),
        (Some(chain), Some(hsm)) => {
            ServerConfig::with_caller_key(read_chain(chain), hsm.key_type())
                .unwrap_or_else(|e| fail(&e.to_string()))
        }
        (Some(chain), None) => ServerConfig::new(read_chain(chain), read_key(&key[0]))
            .unwrap_or_else(|e| fail(&e.to_string())),
    };
    if !psk.is_empty() && !cert.is_empty() {
        config.psk_store = Some(keys.into());
        config.cipher_suites.extend(tls12::PSK_SUITES);
    }
    config.psk_identity_hint = psk_hint.map(String::into_bytes).map(Into::into);
    for (cert, key) in cert.iter().zip(&key).skip(1) {
        config
            .add_certificate(read_chain(cert), read_key(key))
            .unwrap_or_else(|e| fail(&e.to_string()));
    }
    if legacy_rsa_key_transport {
        config.legacy_rsa_key_transport = true;
        config
            .cipher_suites
            .extend(tls12::LEGACY_RSA_KEY_TRANSPORT_SUITES);
    }
    if let Some(list) = suites {
        config.cipher_suites = parse_suites(&list).into();
    }
    if let Some(list) = alpn {
        config.alpn_protocols = list.split(',').map(|p| p.as_bytes().to_vec()).collect();
    }
    if let Some(ca) = client_ca {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&ca)
            .unwrap_or_else(|e| fail(&format!("reading {ca}: {e}")))
        {
            let cert = cert.unwrap_or_else(|e| fail(&format!("reading {ca}: {e}")));
            roots.add(&cert).unwrap_or_else(|e| fail(&e.to_string()));
        }
        config.client_auth = match client_auth {
            Some(ClientAuthPolicy::Required) | None => ClientAuth::Required(roots),
            Some(ClientAuthPolicy::Optional) => ClientAuth::Optional(roots),
        };
    }
    if no_session_cache {
        config.session_cache = None;
    }
    if no_tickets {
        config.ticketer = None;
    }
    if no_require_ems {
        config.require_extended_master_secret = false;
    }
    if let Some(file) = ocsp {
        let response =
            std::fs::read(&file).unwrap_or_else(|e| fail(&format!("reading {file}: {e}")));
        if response.is_empty() {
            fail(&format!("{file} is empty"));
        }
        config
            .set_ocsp_staple(0, Arc::new(tls12::OcspStaple::new(response)))
            .unwrap_or_else(|e| fail(&e.to_string()));
    }
    // SSLKEYLOGFILE: the usual opt-in to a key log for Wireshark.
    config.key_log = tls12::KeyLogFile::from_env();
    config.enable_exporters = export.is_some();
    if lent_areas {
        config.limits.max_buffered_plaintext = 16 * 1024;
        config.limits.max_buffered_output = config.max_fragment_len + 29;
    }
    let config = Arc::new(config);
    let areas = lent_areas.then(|| {
        let sizes = AreaSizes::for_server(&config);
        eprintln!(
            "lent areas: {sizes}, slot {} B",
            std::mem::size_of::<HandshakeSlot>()
        );
        Arc::new(Pool {
            sizes,
            free: Mutex::new(Vec::new()),
        })
    });
    // The configuration is checked when a connection is made: make one now,
    // so that a bad one (such as a CCM suite in a build without `aes-ccm`)
    // stops the server before it listens.
    if let Err(e) = ServerConnection::new(config.clone(), UnixTime::now()) {
        fail(&e.to_string());
    }
    let export = Arc::new(export);

    let listener =
        TcpListener::bind(&listen).unwrap_or_else(|e| fail(&format!("listen on {listen}: {e}")));
    println!("listening on {}", listener.local_addr().unwrap());
    let mut served = 0usize;
    for sock in listener.incoming() {
        let Ok(sock) = sock else { continue };
        let config = config.clone();
        let hsm = hsm.clone();
        let export = export.clone();
        let areas = areas.clone();
        let handle = std::thread::spawn(move || {
            let peer = sock.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            let made = match &areas {
                Some(pool) => ServerConnection::with_areas(config, UnixTime::now(), pool.take()),
                None => ServerConnection::new(config, UnixTime::now()),
            };
            let mut conn = match made {
                Ok(conn) => conn,
                Err(e) => return eprintln!("{peer}: {e}"),
            };
            if let Err(e) = serve(
                &mut conn,
                sock,
                mode,
                hsm.as_ref(),
                export.as_ref().as_ref(),
            ) {
                eprintln!("{peer}: {e}");
            }
            if let (Some(pool), Some(lent)) = (&areas, conn.into_areas()) {
                pool.give_back(lent);
            }
        });
        served += 1;
        if max_connections.is_some_and(|m| served >= m) {
            let _ = handle.join();
            break;
        }
    }
}

/// `--lent-areas`: arenas for connections' record buffers, made once each
/// (a device's statics; leaked boxes here) and given back after use.
struct Pool {
    sizes: AreaSizes,
    free: Mutex<Vec<Areas>>,
}

impl Pool {
    fn take(&self) -> Areas {
        let kept = self.free.lock().ok().and_then(|mut free| free.pop());
        kept.unwrap_or_else(|| {
            let arena: &'static mut [u8] =
                Box::leak(vec![0; self.sizes.total()].into_boxed_slice());
            let slot = Box::leak(Box::new(HandshakeSlot::new()));
            Areas::split(arena, self.sizes, slot).unwrap_or_else(|e| fail(&e.to_string()))
        })
    }

    fn give_back(&self, areas: Areas) {
        if let Ok(mut free) = self.free.lock() {
            free.push(areas);
        }
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1)
}

fn parse_suites(list: &str) -> Vec<CipherSuite> {
    list.split(',')
        .map(|name| {
            CipherSuite::from_name(name.trim())
                .unwrap_or_else(|| fail(&format!("unknown suite {name}")))
        })
        .collect()
}

/// The longest request header `--http` buffers (RFC 9110 §15.5.20 gives
/// 431 for more).
const MAX_REQUEST_HEAD: usize = 16 * 1024;

fn serve(
    conn: &mut ServerConnection,
    mut sock: TcpStream,
    mode: Mode,
    hsm: Option<&async_key::Hsm>,
    export: Option<&(String, usize)>,
) -> Result<(), String> {
    // `Stream` cannot answer the connection's signature requests: with an
    // HSM, the handshake is driven by hand (async_key::complete_handshake).
    let handshake = match hsm {
        Some(hsm) => async_key::complete_handshake(conn, &mut sock, hsm),
        None => Stream::new(conn, &mut sock).complete_handshake(),
    };
    if let Err(e) = handshake {
        let alert = conn.error().and_then(|e| e.alert());
        let why = conn
            .diagnosis()
            .map_or_else(|| e.to_string(), |d| d.to_string());
        return Err(format!("handshake failed: {why} (alert sent: {alert:?})"));
    }
    let mut tls = Stream::new(conn, &mut sock);
    let info = tls
        .connection()
        .handshake_info()
        .cloned()
        .ok_or("no handshake info")?;
    eprintln!("negotiated {}", describe(&info));
    if let Some((label, len)) = export {
        let mut material = vec![0u8; *len];
        tls.connection()
            .export_keying_material(label.as_bytes(), None, &mut material)
            .map_err(|e| e.to_string())?;
        let hex: String = material.iter().map(|b| format!("{b:02x}")).collect();
        println!("exporter: {label} {hex}");
    }
    match mode {
        Mode::Echo => {
            let mut buf = [0u8; 16384];
            loop {
                let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                match tls.write_all(&buf[..n]) {
                    // The peer closed right after sending: nothing to echo to.
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                    other => other.map_err(|e| e.to_string())?,
                }
            }
        }
        Mode::Http => {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                if header_end(&request).is_none() && request.len() > MAX_REQUEST_HEAD {
                    // A peer may not make us buffer a header without end.
                    let refusal = "HTTP/1.1 431 Request Header Fields Too Large\r\n\
                                   Content-Length: 0\r\nConnection: close\r\n\r\n";
                    tls.write_all(refusal.as_bytes())
                        .map_err(|e| e.to_string())?;
                    tls.close().map_err(|e| e.to_string())?;
                    return Err(format!("request header over {MAX_REQUEST_HEAD} bytes"));
                }
                // Answer every complete request (blank line seen).
                while let Some((head_len, used)) = header_end(&request) {
                    let head = String::from_utf8_lossy(&request[..head_len]).to_string();
                    request.drain(..used);
                    let close = head.to_ascii_lowercase().contains("connection: close")
                        || head.lines().next().is_some_and(|l| l.ends_with("HTTP/1.0"));
                    let body = page(&info, head.lines().next().unwrap_or(""));
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n{}\r\n{}",
                        body.len(),
                        if close { "Connection: close\r\n" } else { "" },
                        body
                    );
                    tls.write_all(response.as_bytes())
                        .map_err(|e| e.to_string())?;
                    if close {
                        tls.close().map_err(|e| e.to_string())?;
                        return Ok(());
                    }
                }
            }
        }
    }
    tls.close().map_err(|e| e.to_string())
}

/// Where a request header ends, if `buf` holds all of it: the length of its
/// lines (the last one's line end included) and the length up to and
/// including the blank line that ends it. A line ends in CRLF or, as
/// RFC 9112 §2.2 lets a recipient accept, a bare LF (`str::lines` reads
/// both), so the blank line is found as an LF followed by LF or CRLF.
fn header_end(buf: &[u8]) -> Option<(usize, usize)> {
    buf.iter().enumerate().find_map(|(i, &b)| {
        if b != b'\n' {
            return None;
        }
        match &buf[i + 1..] {
            [b'\n', ..] => Some((i + 1, i + 2)),
            [b'\r', b'\n', ..] => Some((i + 1, i + 3)),
            _ => None,
        }
    })
}

fn describe(info: &HandshakeInfo) -> String {
    format!(
        "{:?} {:?} kx={} group={:?} sig={:?} alpn={:?} sni={:?} ems={} resumed={} client_certs={} records_out={} records_in={}{}",
        info.version,
        info.cipher_suite,
        info.key_exchange.name(),
        info.group,
        info.signature_scheme,
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy),
        info.server_name,
        info.extended_master_secret,
        info.resumed,
        info.peer_certificates.len(),
        info.max_fragment_out,
        info.max_fragment_in,
        info.psk_identity.as_deref().map_or(String::new(), |id| format!(
            " psk_identity={:?}",
            String::from_utf8_lossy(id)
        ))
    )
}

fn page(info: &HandshakeInfo, request_line: &str) -> String {
    format!(
        "<html><body><h1>tls12</h1><pre>\nrequest:    {}\nprotocol:   {:?}\ncipher:     {:?}\nkey exchange: {}\ngroup:      {:?}\nsignature:  {:?}\nalpn:       {:?}\nsni:        {:?}\nextended master secret: {}\nresumed:    {}\nclient certificates: {}\n</pre></body></html>\n",
        request_line.replace('<', "&lt;"),
        info.version,
        info.cipher_suite,
        info.key_exchange.name(),
        info.group,
        info.signature_scheme,
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy),
        info.server_name,
        info.extended_master_secret,
        info.resumed,
        info.peer_certificates.len()
    )
}
