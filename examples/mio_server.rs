//! A single-threaded, non-blocking TLS 1.2 server on mio: one event loop
//! serves every connection at once.
//!
//! ```text
//! cargo run --example mio_server -- --listen 127.0.0.1:8443 \
//!     --cert tests/fixtures/server-p256.chain.pem --key tests/fixtures/server-p256.key \
//!     [--echo | --http]
//! ```
//!
//! `--help` lists every flag.
//!
//! `--echo` (the default) sends every byte back; `--http` answers each
//! HTTP/1.x request with a small page showing what was negotiated. The event
//! loop lives in `examples/mio_server/server.rs`, which `tests/event_loops.rs`
//! also runs in-process. A failing connection is logged and dropped; the
//! server goes on.

#[path = "mio_server/server.rs"]
#[allow(dead_code)]
mod server;

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use server::{Mode, Server};
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer};
use tls12::ServerConfig;

/// A single-threaded, non-blocking TLS 1.2 server on mio: one event loop
/// serves every connection at once.
#[derive(Parser)]
#[command(name = "mio_server", args_override_self = true)]
struct Args {
    /// Address to listen on, IP:PORT, e.g. 127.0.0.1:8443 (port 0 picks a free port, printed as "listening on ADDR")
    #[arg(long, value_name = "ADDR")]
    listen: String,
    /// PEM file with the server's certificate chain, leaf first
    #[arg(long, value_name = "CHAIN.pem")]
    cert: String,
    /// PEM file with the server's private key (PKCS#8, PKCS#1 or SEC1)
    #[arg(long, value_name = "KEY.pem")]
    key: String,
    /// Answer every HTTP/1.x request with a page showing what was negotiated (header lines may end in CRLF or bare LF)
    #[arg(long, overrides_with = "echo")]
    http: bool,
    /// Echo received bytes back (the default)
    #[arg(long, overrides_with = "http")]
    echo: bool,
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1)
}

fn main() {
    let Args {
        listen,
        cert,
        key,
        http,
        echo: _,
    } = Args::parse();
    let mode = if http { Mode::Http } else { Mode::Echo };
    let addr: SocketAddr = listen
        .parse()
        .unwrap_or_else(|e| fail(&format!("--listen {listen}: {e} (want IP:PORT)")));

    let chain = CertificateDer::pem_file_iter(&cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .unwrap_or_else(|e| fail(&format!("reading {cert}: {e}")));
    let key =
        PrivateKeyDer::from_pem_file(&key).unwrap_or_else(|e| fail(&format!("reading {key}: {e}")));
    let config = ServerConfig::new(chain, key).unwrap_or_else(|e| fail(&e.to_string()));

    let mut server = Server::bind(addr, Arc::new(config), mode)
        .unwrap_or_else(|e| fail(&format!("listen on {listen}: {e}")))
        .verbose(true);
    println!(
        "listening on {} ({mode:?})",
        server.local_addr().unwrap_or(addr)
    );
    if let Err(e) = server.run() {
        fail(&format!("event loop: {e}"));
    }
}
