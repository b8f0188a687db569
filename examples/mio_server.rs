//! A single-threaded, non-blocking TLS 1.2 server on mio: one event loop
//! serves every connection at once.
//!
//! ```text
//! cargo run --example mio_server -- --listen 127.0.0.1:8443 \
//!     --cert tests/fixtures/server-p256.chain.pem --key tests/fixtures/server-p256.key \
//!     [--echo | --http]
//! ```
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

use server::{Mode, Server};
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer};
use tls12::ServerConfig;

fn usage() -> ! {
    eprintln!("usage: mio_server --listen ADDR --cert CHAIN.pem --key KEY.pem [--echo | --http]");
    std::process::exit(2)
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut cert, mut key) = (None, None, None);
    let mut mode = Mode::Echo;
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--listen" => listen = Some(value()),
            "--cert" => cert = Some(value()),
            "--key" => key = Some(value()),
            "--http" => mode = Mode::Http,
            "--echo" => mode = Mode::Echo,
            _ => usage(),
        }
    }
    let (Some(listen), Some(cert), Some(key)) = (listen, cert, key) else {
        usage()
    };
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
