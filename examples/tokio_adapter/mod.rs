//! A tokio adapter for tls12: [`TlsStream`] wraps a connection (client or
//! server) and any `AsyncRead + AsyncWrite` transport, and is itself
//! `AsyncRead + AsyncWrite`.
//!
//! Used by `examples/tokio_client.rs` and, via `#[path]`, by
//! `tests/event_loops.rs`. The library itself never depends on tokio: this is
//! the whole glue, about as much as any event loop needs.

use std::future::poll_fn;
use std::io;
use std::ops::DerefMut;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use tls12::{Connection, Error};

/// One read from the transport: a full TLS record with its header.
const READ_CHUNK: usize = 5 + 16 * 1024 + 256;

fn to_io(e: Error) -> io::Error {
    match e {
        Error::UnexpectedEof => io::Error::new(io::ErrorKind::UnexpectedEof, e),
        e => io::Error::new(io::ErrorKind::InvalidData, e),
    }
}

/// A TLS stream over an async transport.
///
/// `C` is a `ClientConnection` or a `ServerConnection` (anything that
/// dereferences mutably to [`Connection`]); `IO` is typically
/// `tokio::net::TcpStream`.
///
/// * Reading returns buffered plaintext first; otherwise it sends what the
///   connection has queued, reads from the transport and feeds `receive`.
///   End of file is `Ok(0)` after the peer's close_notify, and an
///   `UnexpectedEof` error without it (possible truncation).
/// * Writing drives the handshake first, then encrypts with `send` and tries
///   to flush; when the connection's output is at its cap it waits for the
///   transport.
/// * Shutdown sends close_notify, flushes, then shuts the transport down.
///
/// Connection events are drained as they come (the adapter reports data by
/// reading it); [`connection`](Self::connection) gives access to
/// `handshake_info` and the rest.
pub struct TlsStream<C, IO> {
    conn: C,
    io: IO,
    /// TLS bytes read from the transport and not yet consumed by `receive`.
    inbuf: Vec<u8>,
    /// Where transport reads land.
    rbuf: Box<[u8]>,
    /// The transport reached end of file.
    eof: bool,
}

impl<C, IO> TlsStream<C, IO>
where
    C: DerefMut<Target = Connection> + Unpin,
    IO: AsyncRead + AsyncWrite + Unpin,
{
    /// Wraps a fresh connection and its transport.
    pub fn new(conn: C, io: IO) -> Self {
        Self {
            conn,
            io,
            inbuf: Vec::new(),
            rbuf: vec![0u8; READ_CHUNK].into_boxed_slice(),
            eof: false,
        }
    }

    /// The TLS connection: `handshake_info`, `peer_closed`, `error`...
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The TLS connection, mutably.
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The transport.
    pub fn get_ref(&self) -> &IO {
        &self.io
    }

    /// Gives back the connection and the transport.
    pub fn into_inner(self) -> (C, IO) {
        (self.conn, self.io)
    }

    /// Runs the handshake to completion. On failure the alert (if any) has
    /// been sent, as far as the transport would take it.
    pub async fn handshake(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_handshake(cx)).await
    }

    /// Drives the handshake; `Ready(Ok)` once it is complete.
    pub fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if let Some(e) = self.conn.error() {
                let e = e.clone();
                let _ = self.poll_flush_tls(cx);
                return Poll::Ready(Err(to_io(e)));
            }
            // Our flight goes out before we wait for theirs.
            ready!(self.poll_flush_tls(cx))?;
            if !self.conn.is_handshaking() {
                return Poll::Ready(Ok(()));
            }
            if !self.inbuf.is_empty() && self.feed(cx)? > 0 {
                continue;
            }
            if self.eof {
                let e = self.conn.eof().err().unwrap_or(Error::UnexpectedEof);
                return Poll::Ready(Err(to_io(e)));
            }
            if ready!(self.poll_read_tls(cx))? == 0 {
                self.eof = true;
            }
        }
    }

    /// Writes pending TLS output until none is left or the transport would
    /// block.
    fn poll_flush_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.conn.wants_write() {
            match ready!(Pin::new(&mut self.io).poll_write(cx, self.conn.pending_output())) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => self.conn.consume_output(n),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Reads once from the transport into `inbuf`; `Ready(Ok(0))` is end of
    /// file.
    fn poll_read_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(&mut self.rbuf);
        ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
        let n = buf.filled().len();
        self.inbuf.extend_from_slice(buf.filled());
        Poll::Ready(Ok(n))
    }

    /// Offers `inbuf` to the connection; returns how much it consumed. On a
    /// TLS error, tries to send the alert before returning the error.
    fn feed(&mut self, cx: &mut Context<'_>) -> io::Result<usize> {
        let result = self.conn.receive(&self.inbuf);
        while self.conn.next_event().is_some() {}
        match result {
            Ok(used) => {
                self.inbuf.drain(..used);
                if self.conn.peer_closed() {
                    // Nothing after close_notify counts.
                    self.inbuf.clear();
                }
                Ok(used)
            }
            Err(e) => {
                self.inbuf.clear();
                // Best effort: the alert goes out if the transport takes it now.
                let _ = self.poll_flush_tls(cx);
                Err(to_io(e))
            }
        }
    }
}

impl<C, IO> AsyncRead for TlsStream<C, IO>
where
    C: DerefMut<Target = Connection> + Unpin,
    IO: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            if !this.conn.plaintext().is_empty() {
                let n = this.conn.read(buf.initialize_unfilled());
                buf.advance(n);
                return Poll::Ready(Ok(()));
            }
            if this.conn.peer_closed() {
                // End of stream, once our close_notify reply is out.
                ready!(this.poll_flush_tls(cx))?;
                return Poll::Ready(Ok(()));
            }
            if !this.inbuf.is_empty() && this.feed(cx)? > 0 {
                continue;
            }
            // Handshake replies and alerts; a full transport must not stop
            // us from reading (the peer may be waiting for us to read).
            if let Poll::Ready(Err(e)) = this.poll_flush_tls(cx) {
                return Poll::Ready(Err(e));
            }
            if this.eof {
                // RFC 5246 §7.2.1: end of file without close_notify.
                let e = this.conn.eof().err().unwrap_or(Error::UnexpectedEof);
                return Poll::Ready(Err(to_io(e)));
            }
            if ready!(this.poll_read_tls(cx))? == 0 {
                this.eof = true;
            }
        }
    }
}

impl<C, IO> AsyncWrite for TlsStream<C, IO>
where
    C: DerefMut<Target = Connection> + Unpin,
    IO: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if this.conn.is_handshaking() {
            ready!(this.poll_handshake(cx))?;
        }
        loop {
            let n = this.conn.send(data).map_err(to_io)?;
            if n > 0 {
                // Start sending; the rest goes on the next write or flush.
                if let Poll::Ready(Err(e)) = this.poll_flush_tls(cx) {
                    return Poll::Ready(Err(e));
                }
                return Poll::Ready(Ok(n));
            }
            if !this.conn.wants_write() {
                // Nothing queued yet nothing accepted: cannot happen with
                // sane limits, but never spin.
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            // Output at its cap: wait until the transport takes some.
            ready!(this.poll_flush_tls(cx))?;
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_flush_tls(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // Idempotent: queues close_notify once.
        this.conn.close();
        ready!(this.poll_flush_tls(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
