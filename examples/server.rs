//! A blocking TLS 1.2 server on std::net, one thread per connection.
//!
//! ```text
//! cargo run --example server -- --listen 127.0.0.1:8443 \
//!     --cert tests/fixtures/server-p256.chain.pem --key tests/fixtures/server-p256.key \
//!     [--suites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,...] [--alpn h2,http/1.1] \
//!     [--http | --echo] [--max-connections N] \
//!     [--client-ca CA.pem --client-auth optional|required] [--no-session-cache] [--no-tickets]
//! ```
//!
//! Sessions resume by session ID and by ticket unless turned off.
//!
//! `--http` answers every HTTP/1.x request with a page showing what was
//! negotiated (like `openssl s_server -www`); `--echo` (the default) echoes
//! bytes back. One failing connection never stops the server.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use tls12::{
    CipherSuite, ClientAuth, HandshakeInfo, RootCertStore, ServerConfig, ServerConnection, Stream,
};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Echo,
    Http,
}

fn usage() -> ! {
    eprintln!(
        "usage: server --listen ADDR --cert CHAIN.pem --key KEY.pem [--suites A,B] \
         [--alpn P1,P2] [--http | --echo] [--max-connections N] \
         [--client-ca CA.pem --client-auth optional|required] [--no-session-cache] [--no-tickets]"
    );
    std::process::exit(2)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut cert, mut key, mut suites, mut alpn) = (None, None, None, None, None);
    let mut mode = Mode::Echo;
    let mut max_connections: Option<usize> = None;
    let (mut client_ca, mut client_auth) = (None, None);
    let (mut session_cache, mut tickets) = (true, true);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--listen" => listen = Some(value()),
            "--cert" => cert = Some(value()),
            "--key" => key = Some(value()),
            "--suites" => suites = Some(value()),
            "--alpn" => alpn = Some(value()),
            "--max-connections" => max_connections = value().parse().ok(),
            "--client-ca" => client_ca = Some(value()),
            "--client-auth" => client_auth = Some(value()),
            "--no-session-cache" => session_cache = false,
            "--no-tickets" => tickets = false,
            "--http" => mode = Mode::Http,
            "--echo" => mode = Mode::Echo,
            _ => usage(),
        }
    }
    let (Some(listen), Some(cert), Some(key)) = (listen, cert, key) else {
        usage()
    };

    let chain = CertificateDer::pem_file_iter(&cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .unwrap_or_else(|e| fail(&format!("reading {cert}: {e}")));
    let key =
        PrivateKeyDer::from_pem_file(&key).unwrap_or_else(|e| fail(&format!("reading {key}: {e}")));
    let mut config = ServerConfig::new(chain, key).unwrap_or_else(|e| fail(&e.to_string()));
    if let Some(list) = suites {
        config.cipher_suites = parse_suites(&list);
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
        config.client_auth = match client_auth.as_deref() {
            Some("required") | None => ClientAuth::Required(roots),
            Some("optional") => ClientAuth::Optional(roots),
            Some(other) => fail(&format!(
                "--client-auth must be optional or required, not {other}"
            )),
        };
    } else if client_auth.is_some() {
        fail("--client-auth needs --client-ca");
    }
    if !session_cache {
        config.session_cache = None;
    }
    if !tickets {
        config.ticketer = None;
    }
    let config = Arc::new(config);

    let listener =
        TcpListener::bind(&listen).unwrap_or_else(|e| fail(&format!("listen on {listen}: {e}")));
    println!("listening on {}", listener.local_addr().unwrap());
    let mut served = 0usize;
    for sock in listener.incoming() {
        let Ok(sock) = sock else { continue };
        let config = config.clone();
        let handle = std::thread::spawn(move || {
            let peer = sock.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            if let Err(e) = serve(config, sock, mode) {
                eprintln!("{peer}: {e}");
            }
        });
        served += 1;
        if max_connections.is_some_and(|m| served >= m) {
            let _ = handle.join();
            break;
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

fn serve(config: Arc<ServerConfig>, mut sock: TcpStream, mode: Mode) -> Result<(), String> {
    let mut conn = ServerConnection::new(config, UnixTime::now()).map_err(|e| e.to_string())?;
    let mut tls = Stream::new(&mut conn, &mut sock);
    if let Err(e) = tls.complete_handshake() {
        let alert = tls.connection().error().and_then(|e| e.alert());
        return Err(format!("handshake failed: {e} (alert sent: {alert:?})"));
    }
    let info = tls
        .connection()
        .handshake_info()
        .cloned()
        .ok_or("no handshake info")?;
    eprintln!("negotiated {}", describe(&info));
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
                // Answer every complete request (blank line seen).
                while let Some(end) = find(&request, b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&request[..end]).to_string();
                    request.drain(..end + 4);
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn describe(info: &HandshakeInfo) -> String {
    format!(
        "{:?} {:?} group={:?} sig={:?} alpn={:?} sni={:?} ems={} resumed={} client_certs={}",
        info.version,
        info.cipher_suite,
        info.group,
        info.signature_scheme,
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy),
        info.server_name,
        info.extended_master_secret,
        info.resumed,
        info.peer_certificates.len()
    )
}

fn page(info: &HandshakeInfo, request_line: &str) -> String {
    format!(
        "<html><body><h1>tls12</h1><pre>\nrequest:    {}\nprotocol:   {:?}\ncipher:     {:?}\ngroup:      {:?}\nsignature:  {:?}\nalpn:       {:?}\nsni:        {:?}\nextended master secret: {}\nresumed:    {}\nclient certificates: {}\n</pre></body></html>\n",
        request_line.replace('<', "&lt;"),
        info.version,
        info.cipher_suite,
        info.group,
        info.signature_scheme,
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy),
        info.server_name,
        info.extended_master_secret,
        info.resumed,
        info.peer_certificates.len()
    )
}
