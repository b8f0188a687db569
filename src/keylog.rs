//! The key log: each handshake's master secret handed to the caller on
//! purpose, in the NSS key log format that Wireshark, tshark and OpenSSL's
//! `-keylogfile` read, so that a captured session can be decrypted.
//!
//! Nothing is logged unless a [`KeyLog`] is set in the configuration
//! (`ClientConfig::key_log`, `ServerConfig::key_log`). With `std`,
//! [`KeyLogFile::from_env`] gives the usual opt-in: a log appended to the
//! file named by `SSLKEYLOGFILE`, when that variable is set.
//!
//! A key log defeats the connection's secrecy for whoever reads it: keep it
//! for debugging.

use core::fmt;

/// Receives the master secret of every handshake (full and resumed, on
/// either side) once it is known.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use tls12::{KeyLog, KeyLogEntry};
///
/// /// Keeps the lines in memory.
/// #[derive(Debug, Default)]
/// struct Lines(Mutex<Vec<String>>);
///
/// impl KeyLog for Lines {
///     fn log(&self, entry: &KeyLogEntry<'_>) {
///         self.0.lock().unwrap().push(entry.to_string());
///     }
/// }
///
/// # fn demo(config: &mut tls12::ClientConfig) {
/// config.key_log = Some(Arc::new(Lines::default()).into());
/// # }
/// ```
pub trait KeyLog: fmt::Debug + Send + Sync {
    /// Called once per handshake with its master secret. It runs inside the
    /// handshake: it should be quick and must not fail the connection (it
    /// cannot).
    fn log(&self, entry: &KeyLogEntry<'_>);
}

crate::shared::shared_dyn!(KeyLog);

/// One key log entry: a session's client random and master secret. Its
/// `Display` is the NSS key log line (without the line end):
/// `CLIENT_RANDOM <64 hex digits> <96 hex digits>`. Its `Debug` shows no
/// secret.
#[derive(Clone, Copy)]
pub struct KeyLogEntry<'a> {
    client_random: &'a [u8; 32],
    master_secret: &'a [u8; 48],
}

impl<'a> KeyLogEntry<'a> {
    pub(crate) fn new(client_random: &'a [u8; 32], master_secret: &'a [u8; 48]) -> Self {
        Self {
            client_random,
            master_secret,
        }
    }

    /// The NSS label for a TLS 1.2 master secret, `CLIENT_RANDOM`.
    pub fn label(&self) -> &'static str {
        "CLIENT_RANDOM"
    }

    /// ClientHello.random, which names the session in the log.
    pub fn client_random(&self) -> &'a [u8; 32] {
        self.client_random
    }

    /// The 48-byte master secret (RFC 5246 §8.1).
    pub fn master_secret(&self) -> &'a [u8; 48] {
        self.master_secret
    }
}

impl fmt::Display for KeyLogEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())?;
        f.write_str(" ")?;
        hex(f, self.client_random)?;
        f.write_str(" ")?;
        hex(f, self.master_secret)
    }
}

impl fmt::Debug for KeyLogEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyLogEntry")
            .field("client_random", self.client_random)
            .finish_non_exhaustive()
    }
}

fn hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// A key log appended to a file, one line per handshake, shared by every
/// connection of every configuration that holds it.
///
/// ```no_run
/// # fn demo(client: &mut tls12::ClientConfig, server: &mut tls12::ServerConfig) {
/// // `None` unless SSLKEYLOGFILE names a file we can open.
/// client.key_log = tls12::KeyLogFile::from_env();
/// server.key_log = tls12::KeyLogFile::from_env(); // the same file, opened once
/// # }
/// ```
#[cfg(feature = "std")]
pub struct KeyLogFile {
    path: std::path::PathBuf,
    file: std::sync::Mutex<std::fs::File>,
}

#[cfg(feature = "std")]
impl KeyLogFile {
    /// Opens `path` for appending (creating it if needed).
    pub fn open(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)?;
        Ok(Self {
            path,
            file: std::sync::Mutex::new(file),
        })
    }

    /// The key log named by the `SSLKEYLOGFILE` environment variable, or
    /// `None` when it is unset, empty, or names a file that cannot be
    /// opened (reported once on stderr). The file is opened on the first
    /// call; every later call returns the same log.
    pub fn from_env() -> Option<crate::Shared<dyn KeyLog>> {
        static LOG: std::sync::OnceLock<Option<KeyLogFile>> = std::sync::OnceLock::new();
        let log = LOG.get_or_init(|| {
            let path = std::env::var_os("SSLKEYLOGFILE").filter(|p| !p.is_empty())?;
            match Self::open(&path) {
                Ok(log) => Some(log),
                Err(e) => {
                    std::eprintln!("tls12: cannot open SSLKEYLOGFILE {path:?}: {e}");
                    None
                }
            }
        });
        log.as_ref().map(crate::Shared::from)
    }
}

#[cfg(feature = "std")]
impl fmt::Debug for KeyLogFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyLogFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "std")]
impl KeyLog for KeyLogFile {
    fn log(&self, entry: &KeyLogEntry<'_>) {
        use std::io::Write;
        // One write per line, so that lines from concurrent connections (or
        // processes appending to the same file) never interleave.
        let mut line = zeroize::Zeroizing::new(alloc::string::String::with_capacity(180));
        if fmt::Write::write_fmt(&mut *line, format_args!("{entry}\n")).is_err() {
            return;
        }
        // A poisoned lock only means another thread panicked mid-write; the
        // file is still usable. A failed write loses one line, which must
        // not fail the connection.
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = file.write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn the_line_is_nss_format() {
        let random = [0xab; 32];
        let mut master = [0u8; 48];
        master[0] = 1;
        master[47] = 0xff;
        let entry = KeyLogEntry::new(&random, &master);
        let line = format!("{entry}");
        assert_eq!(
            line,
            format!("CLIENT_RANDOM {} 01{}ff", "ab".repeat(32), "00".repeat(46))
        );
        assert!(!format!("{entry:?}").contains("00000000"));
    }

    #[cfg(feature = "std")]
    #[test]
    fn the_file_gets_whole_lines_appended() {
        let path = std::env::temp_dir().join(format!("tls12-keylog-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let log = KeyLogFile::open(&path).unwrap();
        let master = [7u8; 48];
        log.log(&KeyLogEntry::new(&[1; 32], &master));
        log.log(&KeyLogEntry::new(&[2; 32], &master));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let lines: alloc::vec::Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("CLIENT_RANDOM 0101"));
        assert!(lines[1].starts_with("CLIENT_RANDOM 0202"));
        assert!(text.ends_with('\n'));
    }
}
