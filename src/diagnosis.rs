//! Why a handshake failed, in terms a person can act on: where it stopped,
//! what went wrong, what we offered when the peer refused our hello, and
//! what to check. Built on demand from a failed connection
//! ([`Connection::diagnosis`](crate::Connection::diagnosis)); the
//! [`Error`] itself stays the typed value to match on.

use core::fmt;

use crate::codec::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::error::{CertificateError, Error};
use crate::shared::List;

/// A failed connection, explained.
///
/// Its `Display` is one paragraph for a log or a terminal, e.g. "the server
/// refused our ClientHello with handshake_failure; we offered TLS 1.2 with
/// suites [...], groups [...], signature schemes [...]; the server likely
/// supports none of them". The fields carry the same facts for programs.
///
/// ```
/// # fn demo(conn: &tls12::Connection) {
/// if let Some(why) = conn.diagnosis() {
///     eprintln!("handshake failed: {why}");
///     if let Some(offered) = &why.offered {
///         eprintln!("we offered {} suites", offered.cipher_suites.len());
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnosis {
    /// Whether we are the client.
    pub is_client: bool,
    /// The handshake state the connection was in when it failed, as the
    /// state tables name it (`"ExpectServerHello"`, ...; `"Established"`
    /// after the handshake).
    pub stage: &'static str,
    /// What that state was waiting for (`"ServerHello"`, ...).
    pub waiting_for: &'static str,
    /// The error the connection failed with.
    pub error: Error,
    /// The peer's fatal alert, when that is what ended it.
    pub received_alert: Option<AlertDescription>,
    /// What our ClientHello offered, when the server refused it (a client
    /// that failed while waiting for ServerHello).
    pub offered: Option<Offered>,
    /// Whether we had a client certificate to send (client only).
    pub client_certificate_configured: bool,
    /// Whether we had pre-shared keys to present (client only).
    pub psk_configured: bool,
}

/// What a client's ClientHello offered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Offered {
    /// Always TLS 1.2.
    pub version: ProtocolVersion,
    /// Suites, in our order of preference.
    pub cipher_suites: List<CipherSuite>,
    /// ECDHE groups.
    pub groups: List<NamedGroup>,
    /// Signature schemes we accept from the server.
    pub signature_schemes: List<SignatureScheme>,
    /// ALPN protocols (empty: none offered).
    pub alpn_protocols: List<List<u8>>,
    /// Whether we refuse servers without the extended master secret.
    pub extended_master_secret_required: bool,
}

impl fmt::Display for Offered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TLS 1.2 with suites {:?}, groups {:?}, signature schemes {:?}",
            self.cipher_suites, self.groups, self.signature_schemes
        )?;
        if !self.alpn_protocols.is_empty() {
            f.write_str(", ALPN [")?;
            for (i, p) in self.alpn_protocols.iter().enumerate() {
                let comma = if i == 0 { "" } else { ", " };
                write!(f, "{comma}\"{}\"", p.escape_ascii())?;
            }
            f.write_str("]")?;
        }
        if self.extended_master_secret_required {
            f.write_str(", extended master secret required")?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AlertDescription as A;
        if let (Some(offered), Some(alert)) = (&self.offered, self.received_alert) {
            // RFC 5246 §7.4.1.3: the server answers a hello it cannot
            // serve with an alert instead of ServerHello.
            write!(
                f,
                "the server refused our ClientHello with {alert}; we offered {offered}; "
            )?;
            return f.write_str(match alert {
                A::ProtocolVersion => {
                    "the server does not speak TLS 1.2 (it may speak only TLS 1.3, or only older \
                     versions)"
                }
                A::NoApplicationProtocol => "the server serves none of our ALPN protocols",
                A::UnrecognizedName => "the server does not serve the name we asked for (SNI)",
                A::HandshakeFailure | A::InsufficientSecurity | A::IllegalParameter => {
                    "the server likely supports none of them (or requires something we did not \
                     offer, such as the extended master secret)"
                }
                _ => "check the server's configuration and logs",
            });
        }
        write!(
            f,
            "{} handshake failed in {} (waiting for {}): {}",
            if self.is_client { "client" } else { "server" },
            self.stage,
            self.waiting_for,
            self.error
        )?;
        let hint = match (&self.error, self.received_alert) {
            (Error::Certificate(CertificateError::UnknownIssuer), _) => Some(
                "the peer's chain does not lead to a CA we trust: add the CA that issued it to \
                 the roots (or have the peer send its intermediate certificates)",
            ),
            (Error::Certificate(CertificateError::Expired), _) => Some(
                "the peer's certificate has expired: renew it (or check the time given to the \
                 connection)",
            ),
            (Error::Certificate(CertificateError::NotValidYet), _) => {
                Some("the peer's certificate is not valid yet: check the clocks")
            }
            (Error::Certificate(CertificateError::NotValidForName { .. }), _) => Some(
                "the certificate does not name the server we asked for: check the server name \
                 (SNI) we connect with, or the names in its certificate",
            ),
            (Error::UnsupportedVersion { .. }, _) => Some("this library speaks TLS 1.2 only"),
            (Error::InappropriateFallback { .. }, _) => Some(
                "the client retried with an older version after a failure, or an attacker \
                 made it (RFC 7507)",
            ),
            (_, Some(A::UnknownCa | A::BadCertificate | A::CertificateUnknown)) => Some(
                "the peer refused our certificate chain: it does not trust the CA that issued it, \
                 or we did not send the intermediates",
            ),
            (_, Some(A::CertificateExpired)) => Some("the peer says our certificate has expired"),
            (_, Some(A::HandshakeFailure | A::AccessDenied))
                if self.is_client && !self.client_certificate_configured =>
            {
                Some(
                    "the server refused our key exchange: if it requires a client certificate, \
                     configure one (none is configured)",
                )
            }
            (_, Some(A::DecryptError)) if self.is_client && self.psk_configured => Some(
                "with a PSK suite this means the server does not have our pre-shared key for the \
                 identity we sent: a wrong key, or an identity it does not know (RFC 4279 §2 \
                 answers both alike)",
            ),
            (_, Some(A::UnknownPskIdentity)) => {
                Some("the server does not know the PSK identity we sent")
            }
            (_, Some(A::DecryptError)) => Some(
                "the peer could not verify a signature or our Finished: a key that does not \
                 match its certificate, or a bug",
            ),
            _ => None,
        };
        if let Some(hint) = hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}
