//! A blocking `std::io` adapter (feature `std`): a [`Connection`] plus any
//! `Read + Write` transport, itself `Read + Write`.
//!
//! The protocol core never needs it; it exists for the common case of a
//! blocking socket.

use std::io::{self, Read, Write};
use std::vec::Vec;

use crate::conn::{Connection, Event};
use crate::error::Error;
use crate::record::{HEADER_LEN, MAX_CIPHERTEXT};

/// A TLS stream over a blocking transport.
///
/// ```no_run
/// use std::io::{Read, Write};
/// use std::net::TcpStream;
/// use std::sync::Arc;
/// use tls12::pki_types::{ServerName, UnixTime};
/// use tls12::{ClientConfig, ClientConnection, RootCertStore, Stream};
///
/// let config = Arc::new(ClientConfig::new(RootCertStore::empty()));
/// let name = ServerName::try_from("example.com").unwrap();
/// let mut conn = ClientConnection::new(config, name, UnixTime::now()).unwrap();
/// let mut sock = TcpStream::connect("example.com:443").unwrap();
/// let mut tls = Stream::new(&mut conn, &mut sock);
/// tls.write_all(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n").unwrap();
/// let mut page = Vec::new();
/// tls.read_to_end(&mut page).unwrap();
/// ```
pub struct Stream<'a, T: Read + Write> {
    conn: &'a mut Connection,
    sock: &'a mut T,
    /// Bytes read from the transport that the connection has not consumed.
    pending: Vec<u8>,
}

fn to_io(e: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl<'a, T: Read + Write> Stream<'a, T> {
    /// Wraps a connection and its transport.
    pub fn new(conn: &'a mut Connection, sock: &'a mut T) -> Self {
        Self {
            conn,
            sock,
            pending: Vec::new(),
        }
    }

    /// The connection, for handshake details and events.
    pub fn connection(&mut self) -> &mut Connection {
        self.conn
    }

    /// Writes all pending TLS output to the transport.
    pub fn flush_tls(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            let n = self.sock.write(self.conn.pending_output())?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.conn.consume_output(n);
        }
        self.sock.flush()
    }

    /// Reads once from the transport and processes what arrived. Returns
    /// `false` at end of file.
    fn read_tls(&mut self) -> io::Result<bool> {
        if self.pending.is_empty() {
            let mut buf = [0u8; HEADER_LEN + MAX_CIPHERTEXT];
            let n = self.sock.read(&mut buf)?;
            if n == 0 {
                return Ok(false);
            }
            self.pending
                .extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        let result = self.conn.receive(&self.pending);
        // Send whatever the connection queued, an alert included.
        let flushed = self.flush_tls();
        let used = result.map_err(to_io)?;
        self.pending.drain(..used);
        flushed?;
        Ok(true)
    }

    /// Drives the handshake to completion.
    pub fn complete_handshake(&mut self) -> io::Result<()> {
        self.flush_tls()?;
        while self.conn.is_handshaking() {
            if !self.read_tls()? {
                return Err(to_io(Error::UnexpectedEof));
            }
        }
        if let Some(e) = self.conn.error() {
            return Err(to_io(e.clone()));
        }
        self.flush_tls()
    }

    /// Sends close_notify.
    pub fn close(&mut self) -> io::Result<()> {
        self.conn.close();
        self.flush_tls()
    }
}

impl<T: Read + Write> Read for Stream<'_, T> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.conn.plaintext().is_empty() || out.is_empty() {
                return Ok(self.conn.read(out));
            }
            if self.conn.peer_closed() {
                return Ok(0);
            }
            if !self.read_tls()? {
                // RFC 5246 §7.2.1: EOF without close_notify may be truncation.
                self.conn.eof().map_err(to_io)?;
                return Ok(0);
            }
            // Drop data-arrival notifications: the caller reads plaintext.
            while let Some(ev) = self.conn.next_event() {
                if let Event::PeerClosed = ev {
                    self.flush_tls()?;
                }
            }
        }
    }
}

impl<T: Read + Write> Write for Stream<'_, T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.conn.is_handshaking() {
            self.complete_handshake()?;
        }
        if self.conn.peer_closed() {
            // RFC 5246 §7.2.1: TLS 1.2 has no half-close; our close_notify
            // already answered the peer's.
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the peer sent close_notify",
            ));
        }
        let n = self.conn.send(data).map_err(to_io)?;
        self.flush_tls()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}
