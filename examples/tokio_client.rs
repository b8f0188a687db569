//! A TLS 1.2 client on tokio, through the adapter in
//! `examples/tokio_adapter/mod.rs`.
//!
//! ```text
//! cargo run --example tokio_client -- --connect 127.0.0.1:8443 --server-name localhost \
//!     --ca tests/fixtures/ca.pem [--suites A,B] [--alpn P1,P2] [--send TEXT]
//! ```
//!
//! `--help` lists every flag.
//!
//! Prints what was negotiated, sends TEXT (default: an HTTP/1.1 GET), then
//! prints what the server answered until it closes (or, for an echo server,
//! until the text came back).

#[allow(dead_code)]
mod tokio_adapter;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, ServerName, UnixTime};
use tls12::{CipherSuite, ClientConfig, ClientConnection, RootCertStore};
use tokio_adapter::TlsStream;

/// A TLS 1.2 client on tokio, through the adapter in
/// `examples/tokio_adapter/mod.rs`.
///
/// Prints what was negotiated, sends TEXT (default: an HTTP/1.1 GET), then
/// prints what the server answered until it closes (or, for an echo server,
/// until the text came back).
#[derive(Parser)]
#[command(name = "tokio_client", args_override_self = true)]
struct Args {
    /// Address to connect to, e.g. 127.0.0.1:8443
    #[arg(long, value_name = "ADDR")]
    connect: String,
    /// Name to send in SNI and to verify the server's certificate for (a DNS name or IP address)
    #[arg(long, value_name = "NAME")]
    server_name: String,
    /// PEM file with the CAs the server's certificate must chain to
    #[arg(long, value_name = "CA.pem")]
    ca: String,
    /// Cipher suites to offer, comma-separated IANA names, in order of preference (the AES_128_CCM ones need the aes-ccm cargo feature)
    #[arg(long, value_name = "A,B")]
    suites: Option<String>,
    /// ALPN protocols to offer, comma-separated, in order of preference
    #[arg(long, value_name = "P1,P2")]
    alpn: Option<String>,
    /// Text to send once connected (default: an HTTP/1.1 GET for / with Connection: close)
    #[arg(long, value_name = "TEXT")]
    send: Option<String>,
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Args {
        connect,
        server_name,
        ca,
        suites,
        alpn,
        send,
    } = Args::parse();

    let mut roots = RootCertStore::empty();
    for cert in
        CertificateDer::pem_file_iter(&ca).unwrap_or_else(|e| fail(&format!("reading {ca}: {e}")))
    {
        let cert = cert.unwrap_or_else(|e| fail(&format!("reading {ca}: {e}")));
        roots.add(&cert).unwrap_or_else(|e| fail(&e.to_string()));
    }
    let mut config = ClientConfig::new(roots);
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
    let name = ServerName::try_from(server_name.clone())
        .unwrap_or_else(|e| fail(&format!("{server_name}: {e}")));
    let conn = ClientConnection::new(Arc::new(config), name, UnixTime::now())
        .unwrap_or_else(|e| fail(&e.to_string()));
    let sock = TcpStream::connect(&connect)
        .await
        .unwrap_or_else(|e| fail(&format!("connect {connect}: {e}")));
    let _ = sock.set_nodelay(true);
    let mut tls = TlsStream::new(conn, sock);

    let limit = Duration::from_secs(30);
    match timeout(limit, tls.handshake()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let alert = tls.connection().error().and_then(|e| e.alert());
            fail(&format!("handshake failed: {e} (alert sent: {alert:?})"));
        }
        Err(_) => fail("handshake timed out"),
    }
    let info = tls
        .connection()
        .handshake_info()
        .cloned()
        .expect("handshake complete");
    println!("protocol:   {:?}", info.version);
    println!("cipher:     {:?}", info.cipher_suite);
    println!("group:      {:?}", info.group);
    println!("signature:  {:?}", info.signature_scheme);
    println!(
        "alpn:       {:?}",
        info.alpn_protocol.as_deref().map(String::from_utf8_lossy)
    );
    println!("ems:        {}", info.extended_master_secret);
    println!(
        "peer chain: {} certificate(s)",
        info.peer_certificates.len()
    );

    let text = send.unwrap_or_else(|| {
        format!("GET / HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n")
    });
    if let Err(e) = tls.write_all(text.as_bytes()).await {
        fail(&format!("send: {e}"));
    }
    if let Err(e) = tls.flush().await {
        fail(&format!("send: {e}"));
    }
    println!("--- server answered:");
    let mut buf = vec![0u8; 16384];
    let mut stdout = std::io::stdout();
    let mut answer = Vec::new();
    loop {
        match timeout(limit, tls.read(&mut buf)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                stdout.write_all(&buf[..n]).ok();
                stdout.flush().ok();
                answer.extend_from_slice(&buf[..n]);
                // An echo server never closes: stop once our text came back.
                if answer.ends_with(text.as_bytes()) {
                    break;
                }
            }
            Ok(Err(e)) => fail(&format!("receive: {e}")),
            Err(_) => break,
        }
    }
    println!();
    let _ = timeout(Duration::from_secs(5), tls.shutdown()).await;
}
