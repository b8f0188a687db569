//! Operations the caller performs for the connection: signatures (and, for
//! RSA key transport, decryptions) made with a private key the library
//! never sees (an HSM, a TPM, a cloud KMS, a secure element, a key on
//! another thread), verdicts on the peer's certificate chain from a
//! [`PeerVerifier`] that asks the caller, and a server's choice of
//! certificate chain from a [`CertificateChooser`].
//!
//! A connection configured with a caller-held key pauses where it needs a
//! signature (and one with such a verifier where it needs the verdict): it
//! queues [`Event::Operation`](crate::Event::Operation),
//! exposes the request through
//! [`Connection::operation`](crate::Connection::operation), keeps taking
//! input (held, not processed, within
//! [`Limits::max_handshake_message_len`](crate::Limits::max_handshake_message_len))
//! and keeps its queued output flushable, and resumes when the answer comes
//! through [`Connection::complete_operation`](crate::Connection::complete_operation).
//! The library starts no thread and never blocks: the answer may come after
//! any number of turns of the caller's loop.
//!
//! What it costs: nothing on the synchronous path (keys the library holds,
//! no verifier, no chooser). A pause costs one allocation (the server's
//! signed params, or the stored ClientHello for a choice of certificate),
//! the bytes the peer sends meanwhile (held, capped), and for a caller-held
//! key one verification of the answer with our own certificate before it is
//! sent, so that a wrong key, scheme or length fails here and not at the
//! peer.
//!
//! ```
//! use tls12::{Answer, Connection, Event};
//!
//! /// One turn of a loop for a connection whose key is held elsewhere:
//! /// `sign` stands for the HSM (its answer may come much later).
//! fn turn(conn: &mut Connection, sign: impl Fn(tls12::SignatureScheme, &[u8]) -> Vec<u8>) {
//!     while let Some(event) = conn.next_event() {
//!         if let Event::Operation { id, .. } = event {
//!             let op = conn.operation().expect("the operation just reported");
//!             if let Some(scheme) = op.scheme() {
//!                 let signature = sign(scheme, op.message());
//!                 conn.complete_operation(id, Answer::Signature(signature.into())).unwrap();
//!             }
//!         }
//!     }
//! }
//! ```

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::codec::enums::{CipherSuite, NamedGroup, SignatureScheme};
use crate::error::CertificateError;

/// The kind of a private key held by the caller, which decides the
/// signature schemes the connection may ask it for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDSA on P-256 (secp256r1). It is asked for SHA-256 signatures, and
    /// for SHA-384 ones when the peer offers only those (RFC 5246
    /// §7.4.1.4.1).
    EcdsaP256,
    /// ECDSA on P-384 (secp384r1): SHA-384, or SHA-256 when the peer offers
    /// only that.
    EcdsaP384,
    /// Ed25519 (RFC 8422 §5.1.3): the whole message is signed, with no
    /// separate hash.
    Ed25519,
    /// RSA: RSASSA-PSS (rsaEncryption key) or PKCS#1 v1.5, with SHA-256,
    /// SHA-384 or SHA-512, PSS preferred.
    Rsa,
}

/// Names one operation of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperationId(pub(crate) u32);

/// What a paused connection waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OperationKind {
    /// A signature with this scheme over [`Operation::message`]: the
    /// server's ServerKeyExchange params (RFC 8422 §5.4: both randoms and
    /// the ECDH params) or the client's CertificateVerify (RFC 5246 §7.4.8:
    /// every handshake message so far). Sign the message as the scheme says
    /// (hash it with the scheme's hash, except for Ed25519); ECDSA
    /// signatures are DER `Ecdsa-Sig-Value`s, RSA ones the modulus length.
    Sign(SignatureScheme),
    /// A verdict on the peer's chain ([`Operation::chain`]), from a
    /// [`PeerVerifier`] that answered [`Verdict::AskCaller`]: answer with
    /// [`Answer::Verdict`].
    VerifyChain,
    /// An RSA key transport server's decryption (RFC 5246 §7.4.7.1) of
    /// the client's encrypted premaster secret, [`Operation::message`]:
    /// RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) with the certificate's
    /// RSA private key. Answer with [`Answer::Decrypted`], or
    /// [`Answer::Failed`] when the decryption fails.
    ///
    /// Whatever comes back, the handshake goes on: a failure, a plaintext
    /// that is not 48 bytes or one with the wrong version is replaced by a
    /// random premaster secret in constant time, and the peer only sees its
    /// Finished fail, as with any wrong key. The decryption itself must not
    /// leak through its timing or its errors (Bleichenbacher, ROBOT,
    /// Marvin): an HSM or a constant-time implementation.
    Decrypt,
    /// The server's choice of certificate chain for a ClientHello
    /// ([`Operation::client_hello`]), from a [`CertificateChooser`] that
    /// answered [`Choice::AskCaller`]: answer with [`Answer::Certificate`].
    ChooseCertificate,
}

/// A pending operation, borrowed from its connection.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    pub(crate) id: OperationId,
    pub(crate) kind: OperationKind,
    pub(crate) message: &'a [u8],
    pub(crate) chain: &'a [CertificateDer<'static>],
    pub(crate) hello: Option<ClientHelloInfo<'a>>,
}

impl<'a> Operation<'a> {
    /// Its id, for [`Connection::complete_operation`](crate::Connection::complete_operation).
    pub fn id(&self) -> OperationId {
        self.id
    }

    /// What is asked.
    pub fn kind(&self) -> OperationKind {
        self.kind
    }

    /// The scheme to sign with (`None` for a verdict).
    pub fn scheme(&self) -> Option<SignatureScheme> {
        match self.kind {
            OperationKind::Sign(scheme) => Some(scheme),
            OperationKind::VerifyChain
            | OperationKind::ChooseCertificate
            | OperationKind::Decrypt => None,
        }
    }

    /// The bytes to sign, or to decrypt (empty for a verdict or a choice).
    pub fn message(&self) -> &'a [u8] {
        self.message
    }

    /// The peer's chain, leaf first, for a verdict (empty otherwise).
    pub fn chain(&self) -> &'a [CertificateDer<'static>] {
        self.chain
    }

    /// What the client offered, for a choice of certificate.
    pub fn client_hello(&self) -> Option<&ClientHelloInfo<'a>> {
        self.hello.as_ref()
    }
}

/// The caller's answer to an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// The signature.
    Signature(Output),
    /// The verdict on the peer's chain: a refusal fails the handshake with
    /// the error's alert (certificate_unknown for
    /// [`CertificateError::Other`]).
    Verdict(Result<(), CertificateError>),
    /// The certificate chain to serve: 0 for the one the configuration was
    /// made with, 1 for the first added with
    /// [`ServerConfig::add_certificate`](crate::ServerConfig::add_certificate),
    /// and so on. An index with no chain fails the connection with
    /// internal_error.
    Certificate(usize),
    /// The plaintext of an [`OperationKind::Decrypt`]: for a TLS client
    /// that behaves, the 48-byte premaster secret. The library zeroizes it
    /// once used.
    Decrypted(Output),
    /// The key (or the verifier) could not do it: the handshake fails with
    /// internal_error sent to the peer. For an [`OperationKind::Decrypt`],
    /// it goes on instead with a random premaster secret (RFC 5246
    /// §7.4.7.1), to fail at the client's Finished like any other bad
    /// decryption.
    Failed,
}

/// The bytes an operation produced: a signature or a decrypted premaster
/// secret, held inline (no allocation) and zeroized on drop. It converts
/// from a slice, an array or (with `alloc`) a `Vec`; more than
/// [`Output::MAX_LEN`] bytes, which no signature we ask for reaches, fails
/// the connection with internal_error when answered.
#[derive(Clone)]
pub struct Output {
    bytes: [u8; Output::MAX_LEN],
    /// `None`: the answer was longer than `MAX_LEN`.
    len: Option<u16>,
}

impl Output {
    /// The longest answer: an RSA-4096 signature.
    pub const MAX_LEN: usize = 512;

    /// No bytes.
    pub const fn empty() -> Self {
        Self {
            bytes: [0; Self::MAX_LEN],
            len: Some(0),
        }
    }

    /// The bytes, or `None` if more than [`Self::MAX_LEN`] were given.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.bytes.get(..usize::from(self.len?))
    }
}

impl From<&[u8]> for Output {
    fn from(given: &[u8]) -> Self {
        let mut out = Self::empty();
        match (out.bytes.get_mut(..given.len()), u16::try_from(given.len())) {
            (Some(dest), Ok(len)) => {
                dest.copy_from_slice(given);
                out.len = Some(len);
            }
            _ => out.len = None,
        }
        out
    }
}

impl<const N: usize> From<[u8; N]> for Output {
    fn from(given: [u8; N]) -> Self {
        Self::from(&given[..])
    }
}

#[cfg(feature = "alloc")]
impl From<alloc::vec::Vec<u8>> for Output {
    fn from(given: alloc::vec::Vec<u8>) -> Self {
        let given = zeroize::Zeroizing::new(given);
        Self::from(&given[..])
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes);
    }
}

/// Its length only: a decrypted premaster secret is not for logs.
impl core::fmt::Debug for Output {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.len {
            Some(len) => write!(f, "Output({len} bytes)"),
            None => f.write_str("Output(too long)"),
        }
    }
}

impl PartialEq for Output {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Output {}

/// Checks a peer's certificate chain beyond webpki: pinning, a private
/// PKI's rules, a revocation service. Set on
/// [`ClientConfig::verifier`](crate::ClientConfig::verifier) or
/// [`ServerConfig::client_verifier`](crate::ServerConfig::client_verifier).
///
/// It runs after webpki has accepted the chain against the configured roots
/// (unless the configuration says `dangerous_skip_webpki`), so it can only
/// add refusals. It may decide at once, or ask the caller: the connection
/// then pauses with [`OperationKind::VerifyChain`] until
/// [`Answer::Verdict`] comes.
///
/// ```
/// use tls12::keyop::{PeerChain, PeerVerifier, Verdict};
/// use tls12::CertificateError;
///
/// /// Accepts only a leaf with exactly these DER bytes.
/// #[derive(Debug)]
/// struct Pinned(Vec<u8>);
///
/// impl PeerVerifier for Pinned {
///     fn verify(&self, peer: &PeerChain<'_>) -> Verdict {
///         match peer.chain.first() {
///             Some(leaf) if leaf.as_ref() == self.0.as_slice() => Verdict::Accept,
///             _ => Verdict::Reject(CertificateError::Other("not the pinned certificate".into())),
///         }
///     }
/// }
/// ```
pub trait PeerVerifier: Send + Sync + core::fmt::Debug {
    /// The verdict on `peer`, or [`Verdict::AskCaller`].
    fn verify(&self, peer: &PeerChain<'_>) -> Verdict;
}

crate::shared::shared_dyn!(PeerVerifier);
crate::shared::shared_dyn!(CertificateChooser);

/// What a [`PeerVerifier`] is shown.
#[derive(Debug)]
#[non_exhaustive]
pub struct PeerChain<'a> {
    /// The chain as the peer sent it, leaf first.
    pub chain: &'a [CertificateDer<'static>],
    /// On a client, the name the server was checked for; on a server, `None`.
    pub server_name: Option<&'a ServerName<'static>>,
    /// The time the connection was given.
    pub now: UnixTime,
    /// Whether webpki checked the chain (false only with
    /// `dangerous_skip_webpki`).
    pub webpki_checked: bool,
}

/// A [`PeerVerifier`]'s decision.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The chain is fine.
    Accept,
    /// The chain is refused; the handshake fails with the error's alert.
    Reject(CertificateError),
    /// The caller decides: the connection pauses for
    /// [`Answer::Verdict`].
    AskCaller,
}

/// What a client offered, as a server chooses its certificate chain.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ClientHelloInfo<'a> {
    /// The DNS name in server_name, if any (RFC 6066 §3).
    pub server_name: Option<&'a str>,
    /// The cipher suites, in the client's order.
    pub cipher_suites: &'a [CipherSuite],
    /// signature_algorithms (RFC 5246 §7.4.1.4.1), in the client's order.
    pub signature_schemes: &'a [SignatureScheme],
    /// supported_groups (RFC 8422 §5.1.1), in the client's order.
    pub groups: &'a [NamedGroup],
}

/// Chooses a server's certificate chain for each ClientHello, like
/// BoringSSL's certificate callback: set on
/// [`ServerConfig::certificate_chooser`](crate::ServerConfig::certificate_chooser).
/// It may decide at once, leave it to the built-in choice, or ask the
/// caller: the connection then pauses with
/// [`OperationKind::ChooseCertificate`] until [`Answer::Certificate`] comes.
pub trait CertificateChooser: Send + Sync + core::fmt::Debug {
    /// The choice for `hello`.
    fn choose(&self, hello: &ClientHelloInfo<'_>) -> Choice;
}

/// A [`CertificateChooser`]'s decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Choice {
    /// The built-in choice by name, suites, schemes and groups.
    BuiltIn,
    /// This chain (as in [`Answer::Certificate`]).
    Use(usize),
    /// No chain for this client: handshake_failure.
    Refuse,
    /// The caller decides.
    AskCaller,
}
