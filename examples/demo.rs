//! The main demo: a real TLS 1.2 handshake over loopback TCP between this
//! crate's server and client, for each kind of server key, with data echoed
//! both ways and what was negotiated printed.
//!
//! ```text
//! cargo run --example demo
//! ```

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use clap::Parser;
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection, Stream,
};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The main demo: a real TLS 1.2 handshake over loopback TCP between this
/// crate's server and client, for each kind of server key, with data echoed
/// both ways and what was negotiated printed. Takes no arguments.
#[derive(Parser)]
#[command(name = "demo")]
struct Args {}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    Args::parse();
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(fixture("ca.pem"))? {
        roots.add(&cert?)?;
    }
    let mut client_config = ClientConfig::new(roots);
    client_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
    let client_config = Arc::new(client_config);

    for identity in [
        "server-p256",
        "server-p384",
        "server-ed25519",
        "server-rsa2048",
    ] {
        let chain = CertificateDer::pem_file_iter(fixture(&format!("{identity}.chain.pem")))?
            .collect::<Result<Vec<_>, _>>()?;
        let key = PrivateKeyDer::from_pem_file(fixture(&format!("{identity}.key")))?;
        let mut server_config = ServerConfig::new(chain, key)?;
        server_config.alpn_protocols = vec![b"http/1.1".to_vec()].into();
        let server_config = Arc::new(server_config);

        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let server = std::thread::spawn(move || -> Result<(), String> {
            let (mut sock, _) = listener.accept().map_err(|e| e.to_string())?;
            let mut conn =
                ServerConnection::new(server_config, UnixTime::now()).map_err(|e| e.to_string())?;
            let mut tls = Stream::new(&mut conn, &mut sock);
            let mut buf = [0u8; 1024];
            let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
            let mut reply = b"echo: ".to_vec();
            reply.extend_from_slice(&buf[..n]);
            tls.write_all(&reply).map_err(|e| e.to_string())?;
            tls.close().map_err(|e| e.to_string())
        });

        let mut sock = TcpStream::connect(addr)?;
        let mut conn = ClientConnection::new(
            client_config.clone(),
            ServerName::try_from("localhost")?,
            UnixTime::now(),
        )?;
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake()?;
        let info = tls
            .connection()
            .handshake_info()
            .cloned()
            .ok_or("no handshake info")?;
        println!("== {identity} over TCP {addr}");
        println!(
            "   protocol {:?}, suite {:?}",
            info.version, info.cipher_suite
        );
        println!(
            "   group {:?}, signature {:?}, ALPN {:?}, extended master secret {}",
            info.group.ok_or("no group")?,
            info.signature_scheme.ok_or("no scheme")?,
            String::from_utf8_lossy(info.alpn_protocol.as_deref().unwrap_or_default()),
            info.extended_master_secret
        );
        tls.write_all(b"hello over TLS 1.2")?;
        let mut answer = Vec::new();
        tls.read_to_end(&mut answer)?;
        println!(
            "   sent \"hello over TLS 1.2\", server answered {:?}, then close_notify",
            String::from_utf8_lossy(&answer)
        );
        server.join().map_err(|_| "server thread panicked")??;
    }
    Ok(())
}
