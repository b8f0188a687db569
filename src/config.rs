//! Client and server configuration, built once and shared (in an `Arc`)
//! across every connection.

#[cfg(feature = "std")]
use alloc::sync::Arc;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::codec::enums::{CipherSuite, NamedGroup, SignatureScheme};
use crate::crypto::kx::SUPPORTED_GROUPS;
use crate::crypto::rand::{RandomSource, SystemRandom};
use crate::crypto::sign::SigningKey;
use crate::crypto::signature::VERIFY_SCHEMES;
use crate::crypto::suites::{self, KeyExchangeAlgorithm};
use crate::error::Error;
pub use crate::record::layer::IdleBuffers;
use crate::record::MAX_PLAINTEXT;
use crate::shared::{Entries, List, Shared};

/// Without `alloc`, caller-held keys pause for the caller (what they sign
/// is in the handshake's own buffers), but verifiers and choosers do not:
/// their pauses keep a copy of what they ask about (the peer's chain, the
/// ClientHello).
const NEEDS_ALLOC_TO_PAUSE: &str = "verifiers and certificate choosers need the alloc feature: \
                                    the pause keeps a copy of what it asks the caller about";

/// What [`Entries`] says when a build without `alloc` has no room.
const ONE_CLIENT_CERTIFICATE: &str =
    "without the alloc feature, a client has at most one certificate";
const ONE_PSK: &str = "without the alloc feature, a client has at most one pre-shared key";

/// A key type, or "of another kind", for a configuration error.
struct KindName(Option<crate::KeyType>);

impl core::fmt::Display for KindName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(kind) => write!(f, "{kind:?}"),
            None => f.write_str("of another kind"),
        }
    }
}
use crate::verify::RootCertStore;

/// The default randomness: the operating system's, shared by every
/// configuration.
static SYSTEM_RANDOM: SystemRandom = SystemRandom::new();

/// Caps on everything a peer can make a connection hold.
///
/// Each cap is enforced with an error and the alert named on the field; none
/// of them can be grown by the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest handshake message accepted, in bytes (default 64 KiB). A
    /// message whose declared length is larger fails with `decode_error`
    /// ([`Error::LimitExceeded`](crate::Error::LimitExceeded)) as soon as its
    /// 4-byte header arrives, before its body is buffered. It also bounds the
    /// bytes of a peer's certificate chain (which travels in one Certificate
    /// message) and the handshake data buffered at any time (one incomplete
    /// message plus the rest of the current record).
    /// A ClientHello has its own cap, `max_client_hello_len`.
    pub max_handshake_message_len: usize,
    /// Largest ClientHello a server accepts, in bytes (default 131,396: the
    /// largest RFC 5246 §7.4.1.2's grammar allows, with a full cipher suite
    /// list and a full extension block, so that no legal hello is refused).
    /// Over it: `decode_error`, as for `max_handshake_message_len`. A lower
    /// value saves memory on a server that may refuse legal hellos.
    pub max_client_hello_len: usize,
    /// Most certificates accepted in a peer's chain (default 10); more fail
    /// with `bad_certificate`.
    pub max_certificate_chain_len: usize,
    /// Received application data held until the caller reads it (default
    /// 64 KiB). Once reached, `receive` stops consuming input (back-pressure,
    /// not an error), so at most this plus one record (16 KiB) is held.
    pub max_buffered_plaintext: usize,
    /// Unsent TLS output held for the caller (default 96 KiB), at least
    /// one record: `max_fragment_len` + 29 (its header, explicit nonce and
    /// tag). When full, `send` accepts fewer bytes than offered. A
    /// handshake flight is written whole even when longer.
    pub max_buffered_output: usize,
    /// Warning alerts or empty records accepted in a row (default 8); one more
    /// fails with `unexpected_message`, so a flood cannot keep a connection
    /// busy forever.
    pub max_warnings_in_a_row: usize,
    /// What an established connection does with a buffer the caller has
    /// emptied (default [`IdleBuffers::Release`]).
    pub idle_buffers: IdleBuffers,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_handshake_message_len: 64 * 1024,
            max_client_hello_len: crate::record::joiner::CLIENT_HELLO_MAX_LEN,
            max_certificate_chain_len: 10,
            max_buffered_plaintext: 64 * 1024,
            max_buffered_output: 96 * 1024,
            max_warnings_in_a_row: 8,
            idle_buffers: IdleBuffers::Release,
        }
    }
}

/// The most our AEAD records add to their plaintext: a header (5), an
/// explicit nonce (8 for AES-GCM and AES-CCM) and a tag (16).
const RECORD_EXPANSION: usize =
    crate::record::layer::SEAL_PREFIX + crate::record::layer::SEAL_SUFFIX;

/// Settings common to both sides.
fn check_common(
    suites_: &[CipherSuite],
    legacy_rsa_key_transport: bool,
    groups: &[NamedGroup],
    schemes: &[SignatureScheme],
    alpn: &[List<u8>],
    limits: &Limits,
    max_fragment_len: usize,
) -> Result<(), Error> {
    if suites_.is_empty() {
        return Err(Error::Config("no cipher suites configured".into()));
    }
    for s in suites_ {
        let Some(params) = suites::lookup(*s) else {
            return Err(Error::Config(match suites::missing_feature(*s) {
                Some(feature) => {
                    crate::shared::text!("cipher suite {s:?} needs the `{feature}` cargo feature")
                }
                None => crate::shared::text!("cipher suite {s:?} is not implemented"),
            }));
        };
        if params.kx == KeyExchangeAlgorithm::Rsa && !legacy_rsa_key_transport {
            return Err(Error::Config(crate::shared::text!(
                "cipher suite {s:?} is RSA key transport, which has no forward secrecy (RFC 9325 \
                 §4.1): it needs legacy_rsa_key_transport = true"
            )));
        }
    }
    if groups.is_empty() {
        return Err(Error::Config("no key exchange groups configured".into()));
    }
    for g in groups {
        if !SUPPORTED_GROUPS.contains(g) {
            return Err(Error::Config(crate::shared::text!(
                "group {g:?} is not implemented"
            )));
        }
    }
    if schemes.is_empty() {
        return Err(Error::Config("no signature schemes configured".into()));
    }
    for s in schemes {
        if !VERIFY_SCHEMES.contains(s) {
            return Err(Error::Config(crate::shared::text!(
                "signature scheme {s:?} is not implemented"
            )));
        }
    }
    // RFC 7301 §3.1: ProtocolName<1..2^8-1>, ProtocolNameList<2..2^16-1>.
    let total: usize = alpn.iter().map(|p| p.len() + 1).sum();
    if alpn.iter().any(|p| p.is_empty() || p.len() > 255) || total > 0xffff {
        return Err(Error::Config(
            "ALPN protocol names must be 1 to 255 bytes".into(),
        ));
    }
    if !(64..=MAX_PLAINTEXT).contains(&max_fragment_len) {
        return Err(Error::Config(crate::shared::text!(
            "max_fragment_len must be between 64 and {MAX_PLAINTEXT}"
        )));
    }
    if limits.max_handshake_message_len < 1024 || limits.max_handshake_message_len > 0xff_ffff {
        return Err(Error::Config(
            "max_handshake_message_len must be 1 KiB to 16 MiB".into(),
        ));
    }
    if limits.max_client_hello_len < 1024 || limits.max_client_hello_len > 0xff_ffff {
        return Err(Error::Config(
            "max_client_hello_len must be 1 KiB to 16 MiB".into(),
        ));
    }
    if limits.max_certificate_chain_len == 0 {
        return Err(Error::Config(
            "max_certificate_chain_len must be at least 1".into(),
        ));
    }
    // One record of our largest fragment with the most our AEADs add (a
    // 5-byte header, an explicit nonce of up to 8 bytes, a 16-byte tag; RFC
    // 5246 §6.2.3 would allow 2048 for ciphers we do not have): `send` can
    // always make progress. A small max_fragment_len (for peers asked for
    // small records) allows a small output buffer.
    if limits.max_buffered_output < max_fragment_len + RECORD_EXPANSION {
        return Err(Error::Config(
            "max_buffered_output must hold at least one record (max_fragment_len + 29 bytes)"
                .into(),
        ));
    }
    Ok(())
}

/// RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension
/// with a value smaller than 64", nor, in TLS 1.2, above 2^14.
fn check_record_size_limit(limit: Option<u16>) -> Result<(), Error> {
    match limit {
        Some(l) if !(64..=crate::record::MAX_PLAINTEXT_U16).contains(&l) => {
            Err(Error::Config(crate::shared::text!(
                "record_size_limit must be between 64 and {MAX_PLAINTEXT} (RFC 8449 §4)"
            )))
        }
        _ => Ok(()),
    }
}

/// Whether a server asks clients for certificates (RFC 5246 §7.4.4).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// No CertificateRequest is sent.
    #[default]
    None,
    /// Ask; a client that sends no certificate is still served. One that
    /// sends a chain not issued by these roots is refused.
    Optional(RootCertStore),
    /// Ask, and refuse a client without a valid certificate
    /// (`handshake_failure` if it sends none).
    Required(RootCertStore),
}

impl ClientAuth {
    pub(crate) fn roots(&self) -> Option<&RootCertStore> {
        match self {
            Self::None => None,
            Self::Optional(r) | Self::Required(r) => Some(r),
        }
    }
}

/// How a client connects: trust anchors and what it offers.
///
/// ```
/// use std::sync::Arc;
/// use tls12::{ClientConfig, RootCertStore};
///
/// let mut config = ClientConfig::new(RootCertStore::empty());
/// config.alpn_protocols = vec![b"http/1.1".to_vec()].into();
/// let config = Arc::new(config);
/// # let _ = config;
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "alloc", derive(Clone))]
#[non_exhaustive]
pub struct ClientConfig {
    /// Trust anchors for the server's certificate chain.
    pub roots: RootCertStore,
    /// Suites offered, in preference order (default: the six GCM and
    /// ChaCha20 suites; the AES-CCM ones, with the `aes-ccm` feature, only
    /// when listed here). The RSA key transport suites may be listed only
    /// with [`legacy_rsa_key_transport`](Self::legacy_rsa_key_transport).
    pub cipher_suites: List<CipherSuite>,
    /// Allows the RSA key transport suites
    /// ([`LEGACY_RSA_KEY_TRANSPORT_SUITES`](crate::LEGACY_RSA_KEY_TRANSPORT_SUITES))
    /// in `cipher_suites`, for old servers that offer nothing else
    /// (baseboard management controllers, appliances, industrial gear).
    /// Default `false`, and listing one of those suites without it is a
    /// configuration error. Needs the cargo feature
    /// `legacy-rsa-key-transport` (the RSA encryption comes from the `rsa`
    /// crate; ring has none).
    ///
    /// The risk: the premaster secret is encrypted to the server's
    /// long-term key, so whoever gets that key later (a stolen backup, a
    /// compromised appliance) decrypts every recorded session: there is no
    /// forward secrecy. Servers doing the decryption have a long history of
    /// Bleichenbacher oracles (ROBOT 2017, Marvin 2023). RFC 9325 §4.1 says
    /// these suites SHOULD NOT be negotiated and RFC 10015 (2026) MUST NOT.
    /// List them after the ECDHE suites, so that they are used only with
    /// servers that accept nothing else.
    ///
    /// ```
    /// use tls12::{ClientConfig, RootCertStore, LEGACY_RSA_KEY_TRANSPORT_SUITES};
    ///
    /// let mut config = ClientConfig::new(RootCertStore::empty());
    /// config.legacy_rsa_key_transport = true;
    /// config.cipher_suites.extend(LEGACY_RSA_KEY_TRANSPORT_SUITES);
    /// # let _ = config;
    /// ```
    pub legacy_rsa_key_transport: bool,
    /// ECDHE groups offered, in preference order (default x25519, P-256, P-384).
    pub groups: List<NamedGroup>,
    /// Signature schemes accepted from the server, in preference order.
    pub signature_schemes: List<SignatureScheme>,
    /// ALPN protocols offered (RFC 7301), in preference order; empty = no ALPN.
    pub alpn_protocols: List<List<u8>>,
    /// Refuse servers that do not negotiate the extended master secret
    /// (RFC 7627). Default `true`: without it, a man in the middle can
    /// synchronise two sessions' keys (the triple handshake attack).
    pub require_extended_master_secret: bool,
    /// Send server_name (RFC 6066) when connecting to a DNS name. Default `true`.
    pub enable_sni: bool,
    /// Largest plaintext fragment we put in one record (default 2^14). A
    /// limit agreed in the hellos (max_fragment_length, record_size_limit)
    /// lowers it for that connection, never raises it.
    pub max_fragment_len: usize,
    /// Caps on what the server can make us hold.
    pub limits: Limits,
    /// Source of protocol randomness (default: [`SystemRandom`]).
    pub random: Shared<dyn RandomSource>,
    /// Certificates we can present when a server asks (RFC 5246 §7.4.6);
    /// see [`ClientConfig::add_client_certificate`].
    pub(crate) client_identities: Entries<Identity>,
    /// Sessions kept for resumption, per server name (default: 256 servers).
    /// `None` turns resumption off.
    #[cfg(feature = "std")]
    pub session_cache: Option<Arc<crate::session::ClientSessionCache>>,
    /// Ask for, and present, RFC 5077 session tickets (default `true`).
    pub enable_tickets: bool,
    /// Keep the server's certificate chain after the handshake, for
    /// [`HandshakeInfo::peer_certificates`](crate::HandshakeInfo) (default
    /// `true`). The chain is verified either way. With `false` the list is
    /// empty and the connection, and any session stored for resumption, do not
    /// hold it: about 1 KB less per idle connection with a typical ECDSA
    /// chain, for clients that keep many connections open and never look at
    /// the certificates.
    ///
    /// Without the `alloc` feature no chain is kept, whatever this says.
    pub keep_peer_certificates: bool,
    /// Present a client certificate only if an issuer in its chain is among
    /// the certificate authorities the server's CertificateRequest names,
    /// when it names any (RFC 5246 §7.4.6 SHOULD; default `true`). With
    /// `false`, the first certificate whose key type and signature schemes
    /// fit is presented whatever the names, as OpenSSL's and BoringSSL's
    /// clients do: for servers that name CAs their clients' chains do not
    /// mention (a cross-signed root, say), at the cost of showing the
    /// certificate, and so the client's identity, to servers that will not
    /// accept it.
    pub match_certificate_authorities: bool,
    /// Checks the server's chain beyond webpki (pinning, private rules),
    /// at once or by asking the caller ([`crate::keyop::PeerVerifier`]).
    /// Default: none.
    ///
    /// Needs the `alloc` feature (refused without it: a pause keeps a copy
    /// of the chain).
    pub verifier: Option<Shared<dyn crate::keyop::PeerVerifier>>,
    /// Skips webpki's check of the server's chain, leaving the decision to
    /// `verifier` alone (which must be set). Dangerous: a verifier that
    /// accepts too much lets any man in the middle in.
    pub dangerous_skip_webpki: bool,
    /// Ask the server to staple an OCSP response (RFC 6066 §8 status_request;
    /// default `false`). What it staples is in
    /// [`HandshakeInfo::ocsp_response`](crate::HandshakeInfo::ocsp_response),
    /// unverified: checking it is the caller's business.
    ///
    /// Needs the `alloc` feature (refused without it).
    pub request_ocsp: bool,
    /// Receives every handshake's master secret in the NSS key log format,
    /// for Wireshark (default: none; see [`crate::KeyLogFile::from_env`]).
    pub key_log: Option<Shared<dyn crate::keylog::KeyLog>>,
    /// Keep the master secret after the handshake (zeroized on drop) for
    /// [`Connection::export_keying_material`](crate::Connection::export_keying_material)
    /// (RFC 5705). Default `false`: an idle connection holds no master
    /// secret.
    pub enable_exporters: bool,
    /// Ask the server for records of at most this length, both ways, with
    /// max_fragment_length (RFC 6066 §4). Default `None`. When
    /// [`record_size_limit`](Self::record_size_limit) is also set, a server
    /// that supports record_size_limit uses it and ignores this (RFC 8449
    /// §5); an older one may answer this instead.
    ///
    /// ```
    /// use tls12::{ClientConfig, MaxFragmentLength, RootCertStore};
    ///
    /// let mut config = ClientConfig::new(RootCertStore::empty());
    /// config.max_fragment_length = Some(MaxFragmentLength::L512);
    /// ```
    pub max_fragment_length: Option<crate::MaxFragmentLength>,
    /// Send record_size_limit (RFC 8449 §4) with this value, 64 to 2^14:
    /// the largest plaintext the server may put in a protected record to us.
    /// The server answers with its own limit, which our records then
    /// respect. Default `None`.
    ///
    /// ```
    /// use tls12::{ClientConfig, RootCertStore};
    ///
    /// let mut config = ClientConfig::new(RootCertStore::empty());
    /// config.record_size_limit = Some(1024);
    /// ```
    pub record_size_limit: Option<u16>,
    /// Pre-shared keys we can present for the PSK suites
    /// ([`ClientConfig::add_psk`]).
    pub(crate) psk_identities: Entries<crate::psk::PskIdentity>,
}

/// A certificate chain and the key for its leaf.
#[derive(Debug)]
#[cfg_attr(feature = "alloc", derive(Clone))]
pub(crate) struct Identity {
    pub(crate) chain: List<CertificateDer<'static>>,
    /// Shared by the configuration's clones; inline without `alloc`, where
    /// configurations are not cloned.
    #[cfg(feature = "alloc")]
    pub(crate) key: alloc::sync::Arc<SigningKey>,
    #[cfg(not(feature = "alloc"))]
    pub(crate) key: SigningKey,
    /// The OCSP response a server staples with this chain (RFC 6066 §8).
    #[cfg(feature = "std")]
    pub(crate) ocsp: Option<Arc<crate::staple::OcspStaple>>,
    /// The schemes this key may sign with, in our order of preference
    /// (`None`: every scheme the key can make, in the key's order).
    pub(crate) signing_schemes: Option<List<SignatureScheme>>,
}

impl Identity {
    /// Our most preferred scheme among those the peer offered in
    /// signature_algorithms (RFC 5246 §7.4.1.4.1), from the configured
    /// preferences when there are some.
    pub(crate) fn choose_scheme(
        &self,
        offered: &crate::codec::list::List<'_, SignatureScheme>,
    ) -> Option<SignatureScheme> {
        match &self.signing_schemes {
            Some(prefs) => prefs.iter().copied().find(|s| offered.contains(s)),
            None => self.key.choose_scheme(offered),
        }
    }

    /// The schemes this chain's key signs with, in our order, for an
    /// error's report.
    pub(crate) fn schemes_list(&self) -> List<SignatureScheme> {
        match &self.signing_schemes {
            Some(prefs) => prefs.clone(),
            None => List::from_static(self.key.schemes()),
        }
    }

    /// Restricts and orders the schemes the key signs with. Every scheme
    /// must be one the key can make, and at least one is needed.
    fn set_signing_schemes(&mut self, schemes: List<SignatureScheme>) -> Result<(), Error> {
        if schemes.is_empty() {
            return Err(Error::Config("no signing schemes given".into()));
        }
        if let Some(s) = schemes.iter().find(|s| !self.key.schemes().contains(s)) {
            return Err(Error::Config(crate::shared::text!(
                "this certificate's key cannot sign with {s:?} (it signs with {:?})",
                self.key.schemes()
            )));
        }
        self.signing_schemes = Some(schemes);
        Ok(())
    }
    /// Whether the leaf's names cover `name` (RFC 6125 via webpki).
    pub(crate) fn covers(&self, name: &str) -> bool {
        let (Some(leaf), Ok(name)) = (
            self.chain.first(),
            rustls_pki_types::ServerName::try_from(name),
        ) else {
            return false;
        };
        webpki::EndEntityCert::try_from(leaf)
            .is_ok_and(|ee| ee.verify_is_valid_for_subject_name(&name).is_ok())
    }

    /// Whether this chain and key can serve `suite`: the suite's
    /// authentication is the key's, and for RSA key transport the caller
    /// holds the key, since the library has no RSA decryption.
    pub(crate) fn serves(&self, suite: &suites::SuiteParams) -> bool {
        suite.auth == self.key.auth()
            && (suite.kx != KeyExchangeAlgorithm::Rsa || self.key.is_held_by_caller())
    }

    fn new(chain: List<CertificateDer<'static>>, key: PrivateKeyDer<'_>) -> Result<Self, Error> {
        Self::with_key(chain, SigningKey::from_der(&key)?)
    }

    /// A caller-held key: its kind must be the leaf's (a mismatch would
    /// only show at handshake time, as a signature that does not verify).
    fn with_caller_key(
        chain: List<CertificateDer<'static>>,
        kind: crate::KeyType,
    ) -> Result<Self, Error> {
        let leaf = chain
            .first()
            .ok_or_else(|| Error::Config("the certificate chain is empty".into()))?;
        match crate::verify::certificate_key_type(leaf.as_ref()) {
            Some(found) if found == kind => {}
            found => {
                return Err(Error::Config(crate::shared::text!(
                    "the caller-held key is {kind:?} but the certificate's key is {}",
                    KindName(found)
                )))
            }
        }
        Self::with_key(chain, SigningKey::held_by_caller(kind))
    }

    fn with_key(chain: List<CertificateDer<'static>>, key: SigningKey) -> Result<Self, Error> {
        if chain.is_empty() {
            return Err(Error::Config("the certificate chain is empty".into()));
        }
        let total: usize = chain.iter().map(|c| c.len() + 3).sum();
        if total > 0xff_ffff || chain.iter().any(|c| c.is_empty()) {
            return Err(Error::Config("the certificate chain is too large".into()));
        }
        Ok(Self {
            chain,
            #[cfg(feature = "alloc")]
            key: alloc::sync::Arc::new(key),
            #[cfg(not(feature = "alloc"))]
            key,
            #[cfg(feature = "std")]
            ocsp: None,
            signing_schemes: None,
        })
    }
}

impl ClientConfig {
    /// A strict default configuration trusting `roots`.
    pub fn new(roots: RootCertStore) -> Self {
        Self {
            roots,
            cipher_suites: List::from_static(&suites::DEFAULT_SUITES),
            legacy_rsa_key_transport: false,
            groups: List::from_static(SUPPORTED_GROUPS),
            signature_schemes: List::from_static(VERIFY_SCHEMES),
            alpn_protocols: List::empty(),
            require_extended_master_secret: true,
            enable_sni: true,
            max_fragment_len: MAX_PLAINTEXT,
            limits: Limits::default(),
            random: Shared::from_static(&SYSTEM_RANDOM),
            client_identities: Entries::new(),
            #[cfg(feature = "std")]
            session_cache: Some(Arc::new(crate::session::ClientSessionCache::new(256))),
            enable_tickets: true,
            keep_peer_certificates: true,
            match_certificate_authorities: true,
            verifier: None,
            dangerous_skip_webpki: false,
            request_ocsp: false,
            key_log: None,
            enable_exporters: false,
            max_fragment_length: None,
            record_size_limit: None,
            psk_identities: Entries::new(),
        }
    }

    /// Adds a certificate chain (leaf first) and its key for client
    /// authentication. When a server sends CertificateRequest, the first
    /// identity whose key type and signature schemes the server accepts, and
    /// whose chain was issued by one of the CAs it names (or any, if it names
    /// none), is sent; if none fits, an empty Certificate is sent (RFC 5246
    /// §7.4.6) and the server decides.
    ///
    /// Without the `alloc` feature a client has one certificate; a second
    /// is a configuration error.
    pub fn add_client_certificate(
        &mut self,
        chain: impl Into<List<CertificateDer<'static>>>,
        key: PrivateKeyDer<'_>,
    ) -> Result<(), Error> {
        self.client_identities
            .push(Identity::new(chain.into(), key)?, ONE_CLIENT_CERTIFICATE)
    }

    /// As [`add_client_certificate`](Self::add_client_certificate), with the
    /// private key held by the caller (an HSM, a remote key service): when
    /// a server asks for this certificate, the connection pauses for its
    /// CertificateVerify signature ([`crate::keyop`]).
    ///
    /// This works without the `alloc` feature too (a secure element on a
    /// device without a heap): what is signed is the transcript the client
    /// keeps anyway, in its lent `transcript` area.
    pub fn add_client_certificate_with_caller_key(
        &mut self,
        chain: impl Into<List<CertificateDer<'static>>>,
        key: crate::KeyType,
    ) -> Result<(), Error> {
        self.client_identities.push(
            Identity::with_caller_key(chain.into(), key)?,
            ONE_CLIENT_CERTIFICATE,
        )
    }

    /// Restricts the schemes client certificate `index` (in the order they
    /// were added, from 0) signs its CertificateVerify with, in our order of
    /// preference, as [`ServerConfig::set_signing_schemes`] does for a
    /// server.
    pub fn set_client_signing_schemes(
        &mut self,
        index: usize,
        schemes: impl Into<List<SignatureScheme>>,
    ) -> Result<(), Error> {
        self.client_identities
            .get_mut(index)
            .ok_or_else(|| Error::Config(crate::shared::text!("no client certificate {index}")))?
            .set_signing_schemes(schemes.into())
    }

    /// Presents `identity` with `key` for the pre-shared key suites (RFC
    /// 4279), which must be listed in `cipher_suites`
    /// ([`PSK_SUITES`](crate::PSK_SUITES)). With several identities, the
    /// first one added for the server's identity hint is used
    /// ([`add_psk_for_hint`](Self::add_psk_for_hint)), else the first added
    /// here.
    ///
    /// Without the `alloc` feature a client has one pre-shared key, with an
    /// identity of at most 128 bytes (RFC 4279 §5.3's minimum).
    ///
    /// ```
    /// use tls12::psk::Psk;
    /// use tls12::{ClientConfig, RootCertStore};
    ///
    /// let mut config = ClientConfig::new(RootCertStore::empty());
    /// config.cipher_suites = tls12::PSK_SUITES.as_slice().into();
    /// config.add_psk(b"sensor-17", Psk::new(&[0x11; 32]).unwrap()).unwrap();
    /// ```
    pub fn add_psk(&mut self, identity: &[u8], key: crate::psk::Psk) -> Result<(), Error> {
        crate::psk::check_identity(identity)?;
        self.psk_identities.push(
            crate::psk::PskIdentity {
                hint: None,
                identity: crate::psk::IdentityBytes::new(identity)?,
                key,
            },
            ONE_PSK,
        )
    }

    /// As [`add_psk`](Self::add_psk), for a server whose ServerKeyExchange
    /// carries identity hint `hint` (RFC 4279 §5.2: what a hint means is
    /// the application's business, such as which gateway a device talks
    /// to).
    ///
    /// Without the `alloc` feature, as [`add_psk`](Self::add_psk): one.
    pub fn add_psk_for_hint(
        &mut self,
        hint: &[u8],
        identity: &[u8],
        key: crate::psk::Psk,
    ) -> Result<(), Error> {
        crate::psk::check_identity(identity)?;
        self.psk_identities.push(
            crate::psk::PskIdentity {
                hint: Some(crate::psk::IdentityBytes::new(hint)?),
                identity: crate::psk::IdentityBytes::new(identity)?,
                key,
            },
            ONE_PSK,
        )
    }

    /// Whether the server's chain is kept: as configured, with `alloc`;
    /// never without (there is no heap to copy it to).
    pub(crate) fn keeps_peer_certificates(&self) -> bool {
        self.keep_peer_certificates && cfg!(feature = "alloc")
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        check_psk(
            &self.cipher_suites,
            !self.psk_identities.is_empty(),
            "ClientConfig::add_psk",
        )?;
        check_common(
            &self.cipher_suites,
            self.legacy_rsa_key_transport,
            &self.groups,
            &self.signature_schemes,
            &self.alpn_protocols,
            &self.limits,
            self.max_fragment_len,
        )?;
        let lists_rsa_key_transport = self
            .cipher_suites
            .iter()
            .filter_map(|s| suites::lookup(*s))
            .any(|s| s.kx == KeyExchangeAlgorithm::Rsa);
        if let Some(e) = rsa_encryption_missing(
            lists_rsa_key_transport,
            cfg!(feature = "legacy-rsa-key-transport"),
        ) {
            return Err(e);
        }
        check_record_size_limit(self.record_size_limit)?;
        if cfg!(not(feature = "alloc")) {
            if self.verifier.is_some() {
                return Err(Error::Config(NEEDS_ALLOC_TO_PAUSE.into()));
            }
            if self.request_ocsp {
                return Err(Error::Config(
                    "request_ocsp needs the alloc feature: the response is kept on the heap".into(),
                ));
            }
        }
        if self.dangerous_skip_webpki && self.verifier.is_none() {
            return Err(Error::Config(
                "dangerous_skip_webpki needs a verifier: nothing would check the server".into(),
            ));
        }
        // RFC 5246 §7.4.1.2: `Extension extensions<0..2^16-1>`. With the
        // longest host name (253 bytes), what we send must still fit.
        if self.hello_extensions_len(MAX_HOST_NAME_LEN) > MAX_EXTENSIONS_LEN {
            return Err(Error::Config(
                "the ClientHello's extensions would exceed 65,535 bytes (RFC 5246 §7.4.1.2): \
                 fewer or shorter alpn_protocols, signature_schemes or groups"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The length of our ClientHello's extension block, with a host name of
    /// `sni_len` bytes in server_name (0: none) and without a ticket in
    /// session_ticket (whose bytes come on top).
    pub(crate) fn hello_extensions_len(&self, sni_len: usize) -> usize {
        // type(2) length(2) body.
        let ext = |body: usize| 4 + body;
        let mut n = 0;
        if sni_len > 0 {
            // server_name_list<..>: name_type(1) HostName<..>
            n += ext(2 + 1 + 2 + sni_len);
        }
        n += ext(2 + 2 * self.groups.len());
        n += ext(1 + 1); // ec_point_formats: uncompressed
        n += ext(2 + 2 * self.signature_schemes.len());
        if !self.alpn_protocols.is_empty() {
            n += ext(2 + self
                .alpn_protocols
                .iter()
                .map(|p| 1 + p.len())
                .sum::<usize>());
        }
        n += ext(0); // extended_master_secret
        n += ext(1); // renegotiation_info, empty
        n += ext(0); // session_ticket, without its ticket
        if self.request_ocsp {
            n += ext(crate::codec::extensions::OCSP_STATUS_REQUEST.len());
        }
        if self.max_fragment_length.is_some() {
            n += ext(1);
        }
        if self.record_size_limit.is_some() {
            n += ext(2);
        }
        n
    }
}

/// PSK suites need keys, and keys need PSK suites (RFC 4279: they are never
/// offered or accepted unless configured).
fn check_psk(suites_: &[CipherSuite], has_keys: bool, keys: &str) -> Result<(), Error> {
    let listed = suites_
        .iter()
        .filter_map(|s| suites::lookup(*s))
        .any(|s| s.kx.uses_psk());
    match (listed, has_keys) {
        (true, false) => Err(Error::Config(crate::shared::text!(
            "PSK suites are listed, but no pre-shared key is configured ({keys})"
        ))),
        (false, true) => Err(Error::Config(crate::shared::text!(
            "pre-shared keys are configured ({keys}), but no PSK suite is listed in \
             cipher_suites (see tls12::PSK_SUITES)"
        ))),
        _ => Ok(()),
    }
}

/// A client listing RSA key transport suites needs RSA encryption, which
/// only the cargo feature `legacy-rsa-key-transport` brings (ring has none).
fn rsa_encryption_missing(lists_rsa_key_transport: bool, compiled_in: bool) -> Option<Error> {
    (lists_rsa_key_transport && !compiled_in).then(|| {
        Error::Config(
            "RSA key transport suites are listed, but this build has no RSA encryption: enable \
             the cargo feature legacy-rsa-key-transport"
                .into(),
        )
    })
}

/// RFC 1035 §2.3.4, as a host name is written in server_name: 253 bytes.
const MAX_HOST_NAME_LEN: usize = 253;

/// RFC 5246 §7.4.1.2: `Extension extensions<0..2^16-1>`.
pub(crate) const MAX_EXTENSIONS_LEN: usize = 0xffff;

/// How a server answers: its certificate and key, and what it accepts.
///
/// ```no_run
/// use std::sync::Arc;
/// use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
/// use tls12::ServerConfig;
///
/// let chain = CertificateDer::pem_file_iter("chain.pem").unwrap()
///     .collect::<Result<Vec<_>, _>>().unwrap();
/// let key = PrivateKeyDer::from_pem_file("key.pem").unwrap();
/// let config = Arc::new(ServerConfig::new(chain, key).unwrap());
/// # let _ = config;
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "alloc", derive(Clone))]
#[non_exhaustive]
pub struct ServerConfig {
    /// The first chain: served when no other fits better.
    pub(crate) identity: Option<Identity>,
    /// More chains ([`ServerConfig::add_certificate`]), chosen per
    /// ClientHello by name, suites, signature schemes and groups.
    pub(crate) more_identities: Entries<Identity>,
    /// Whether clients are asked for certificates (default: not asked).
    pub client_auth: ClientAuth,
    /// Checks client chains beyond webpki, at once or by asking the caller
    /// ([`crate::keyop::PeerVerifier`]). Default: none.
    ///
    /// Needs the `alloc` feature (refused without it: a pause keeps a copy
    /// of the chain).
    pub client_verifier: Option<Shared<dyn crate::keyop::PeerVerifier>>,
    /// Skips webpki's check of client chains, leaving the decision to
    /// `client_verifier` alone (which must be set); the roots in
    /// `client_auth` still name the acceptable CAs. Dangerous: a verifier
    /// that accepts too much lets anyone in.
    pub dangerous_skip_webpki_for_clients: bool,
    /// Keep the client's certificate chain after the handshake, for
    /// [`HandshakeInfo::peer_certificates`](crate::HandshakeInfo) and the
    /// sessions that resume it (default `true`). The chain is verified
    /// either way. With `false` and no `client_verifier`, the chain is
    /// checked where it lies in the message and only the leaf is kept, until
    /// its key has signed the CertificateVerify: no copy, and under
    /// [`IdleBuffers::Preallocated`](crate::IdleBuffers::Preallocated) no
    /// allocation; the list is then empty, and resumed sessions report none.
    ///
    /// Without the `alloc` feature no chain is kept, whatever this says.
    pub keep_peer_certificates: bool,
    /// Chooses the certificate chain per ClientHello, at once or by asking
    /// the caller ([`crate::keyop::CertificateChooser`]). Default: none,
    /// the built-in choice (see [`ServerConfig::add_certificate`]).
    ///
    /// Needs the `alloc` feature (refused without it: a pause keeps a copy
    /// of the ClientHello).
    pub certificate_chooser: Option<Shared<dyn crate::keyop::CertificateChooser>>,
    /// Suites accepted, in the server's preference order, which decides
    /// (default: the six GCM and ChaCha20 suites, the AES-CCM ones only when
    /// listed; those not matching the key type are skipped). The RSA key
    /// transport suites may be listed only with
    /// [`legacy_rsa_key_transport`](Self::legacy_rsa_key_transport).
    pub cipher_suites: List<CipherSuite>,
    /// Accepts the RSA key transport suites
    /// ([`LEGACY_RSA_KEY_TRANSPORT_SUITES`](crate::LEGACY_RSA_KEY_TRANSPORT_SUITES))
    /// listed in `cipher_suites`, for old clients that offer nothing else.
    /// Default `false`, and listing one of those suites without it is a
    /// configuration error.
    ///
    /// The library performs no RSA private-key decryption: it asks the
    /// caller, as an [`OperationKind::Decrypt`](crate::keyop::OperationKind::Decrypt),
    /// so the certificate's key must be held by the caller
    /// ([`ServerConfig::with_caller_key`] with [`KeyType::Rsa`](crate::KeyType::Rsa)).
    /// Whatever the decryption gives (a failure, a wrong length, a wrong
    /// version), the handshake goes on with a random premaster secret,
    /// chosen in constant time (RFC 5246 §7.4.7.1), so that the peer sees
    /// the same failed Finished in every case. The decryption itself must
    /// not leak through its timing (Marvin): use an HSM or an
    /// implementation known to be constant-time.
    ///
    /// The risk: no forward secrecy (whoever gets the key later decrypts
    /// every recorded session), and a decryption oracle if the caller's
    /// decryption leaks. RFC 9325 §4.1 says these suites SHOULD NOT be
    /// negotiated and RFC 10015 (2026) MUST NOT. Prefer the ECDHE suites:
    /// list these last.
    pub legacy_rsa_key_transport: bool,
    /// ECDHE groups accepted, in preference order.
    pub groups: List<NamedGroup>,
    /// Signature schemes accepted from clients (for client certificates).
    pub signature_schemes: List<SignatureScheme>,
    /// ALPN protocols served, in preference order; empty = ALPN ignored. A
    /// client that offers ALPN with no overlap gets `no_application_protocol`.
    pub alpn_protocols: List<List<u8>>,
    /// Refuse clients that do not offer the extended master secret (RFC 7627).
    /// Default `true`.
    pub require_extended_master_secret: bool,
    /// Largest plaintext fragment we put in one record (default 2^14). A
    /// limit agreed in the hellos (max_fragment_length, record_size_limit)
    /// lowers it for that connection, never raises it.
    pub max_fragment_len: usize,
    /// Caps on what a client can make us hold.
    pub limits: Limits,
    /// Source of protocol randomness (default: [`SystemRandom`]).
    pub random: Shared<dyn RandomSource>,
    /// Session-ID cache for resumption (default: 4096 sessions, 2 hours).
    /// `None`: no session IDs are issued.
    #[cfg(feature = "std")]
    pub session_cache: Option<Arc<crate::session::SessionCache>>,
    /// Ticket keys for RFC 5077 resumption (default: rotated every 6 hours,
    /// sessions resumable for 12). `None`: no tickets are issued or accepted.
    #[cfg(feature = "std")]
    pub ticketer: Option<Arc<crate::session::Ticketer>>,
    /// Receives every handshake's master secret in the NSS key log format,
    /// for Wireshark (default: none; see [`crate::KeyLogFile::from_env`]).
    pub key_log: Option<Shared<dyn crate::keylog::KeyLog>>,
    /// Keep the master secret after the handshake (zeroized on drop) for
    /// [`Connection::export_keying_material`](crate::Connection::export_keying_material)
    /// (RFC 5705). Default `false`: an idle connection holds no master
    /// secret.
    pub enable_exporters: bool,
    /// The keys for the pre-shared key suites, by identity (RFC 4279;
    /// default none: PSK suites cannot be listed). See [`crate::psk`].
    pub psk_store: Option<Shared<dyn crate::psk::PskStore>>,
    /// The identity hint sent in ServerKeyExchange (RFC 4279 §2), which
    /// helps a client choose among its identities (default none: a plain
    /// PSK handshake then sends no ServerKeyExchange).
    pub psk_identity_hint: Option<List<u8>>,
    /// Answer a PSK identity that is not in the store with
    /// `unknown_psk_identity` at once (RFC 4279 §2). Default `false`: the
    /// handshake goes on with a random key and fails at the client's
    /// Finished with `decrypt_error`, exactly as with a wrong key, so that
    /// a client cannot learn which identities exist. Turn it on only where
    /// identities are not secret and the clearer error helps.
    pub reveal_unknown_psk_identity: bool,
    /// Honour a client's max_fragment_length (RFC 6066 §4) or
    /// record_size_limit (RFC 8449) request. Default `true`; `false` ignores
    /// both extensions, and records stay at up to 2^14 bytes.
    ///
    /// ```
    /// # fn f(mut config: tls12::ServerConfig) {
    /// config.accept_record_limits = false;
    /// # }
    /// ```
    pub accept_record_limits: bool,
    /// The limit this server announces in record_size_limit (RFC 8449 §4)
    /// when a client sends one: the largest plaintext it accepts in a
    /// protected record, 64 to 2^14 (the default).
    ///
    /// ```
    /// # fn f(mut config: tls12::ServerConfig) {
    /// config.record_size_limit = 2048;
    /// # }
    /// ```
    pub record_size_limit: u16,
}

impl ServerConfig {
    /// A strict default configuration serving `cert_chain` (leaf first) with
    /// `key` (PKCS#8, PKCS#1 RSA or SEC1 EC; RSA, ECDSA P-256/P-384, Ed25519).
    pub fn new(
        cert_chain: impl Into<List<CertificateDer<'static>>>,
        key: PrivateKeyDer<'_>,
    ) -> Result<Self, Error> {
        Ok(Self::with_identity(Some(Identity::new(
            cert_chain.into(),
            key,
        )?)))
    }

    /// As [`new`](Self::new), with the private key held by the caller (an
    /// HSM, a remote key service): every full handshake pauses for its
    /// ServerKeyExchange signature ([`crate::keyop`]).
    ///
    /// This works without the `alloc` feature too: what is signed waits in
    /// the handshake's encoding buffer (the lent `handshake_out` area).
    ///
    /// ```
    /// use tls12::{KeyType, ServerConfig};
    /// # fn demo(chain: Vec<tls12::pki_types::CertificateDer<'static>>) -> Result<(), tls12::Error> {
    /// let config = ServerConfig::with_caller_key(chain, KeyType::EcdsaP256)?;
    /// # let _ = config; Ok(()) }
    /// ```
    pub fn with_caller_key(
        cert_chain: impl Into<List<CertificateDer<'static>>>,
        key: crate::KeyType,
    ) -> Result<Self, Error> {
        Ok(Self::with_identity(Some(Identity::with_caller_key(
            cert_chain.into(),
            key,
        )?)))
    }

    /// Serves another certificate chain and key beside the first (an RSA
    /// chain beside an ECDSA one, or chains for other names). For each
    /// ClientHello the server takes, in the order they were configured, the
    /// first chain whose leaf covers the name the client asked for (when
    /// several chains are configured and the client sent one) and that can
    /// serve a suite, signature scheme and (for ECDSA) curve the client
    /// offers; failing all, the first chain's refusal is the error.
    ///
    /// Without the `alloc` feature a server has two chains at most.
    pub fn add_certificate(
        &mut self,
        cert_chain: impl Into<List<CertificateDer<'static>>>,
        key: PrivateKeyDer<'_>,
    ) -> Result<(), Error> {
        self.push_identity(Identity::new(cert_chain.into(), key)?)
    }

    /// As [`add_certificate`](Self::add_certificate), with the private key
    /// held by the caller ([`crate::keyop`]), as
    /// [`with_caller_key`](Self::with_caller_key).
    pub fn add_certificate_with_caller_key(
        &mut self,
        cert_chain: impl Into<List<CertificateDer<'static>>>,
        key: crate::KeyType,
    ) -> Result<(), Error> {
        self.push_identity(Identity::with_caller_key(cert_chain.into(), key)?)
    }

    /// Staples `staple`'s OCSP response (RFC 6066 §8) with chain
    /// `chain_index` (0: the one given to [`new`](Self::new), then those
    /// added, in order) for clients that ask with status_request. The
    /// caller keeps the `Arc` to replace the response at run time.
    #[cfg(feature = "std")]
    pub fn set_ocsp_staple(
        &mut self,
        chain_index: usize,
        staple: Arc<crate::staple::OcspStaple>,
    ) -> Result<(), Error> {
        let identity = match chain_index.checked_sub(1) {
            None => self.identity.as_mut(),
            Some(i) => self.more_identities.get_mut(i),
        }
        .ok_or_else(|| Error::Config(crate::shared::text!("no certificate chain {chain_index}")))?;
        identity.ocsp = Some(staple);
        Ok(())
    }

    /// Restricts the schemes chain `chain_index` (0: the first, as for
    /// [`set_ocsp_staple`](Self::set_ocsp_staple)) signs its
    /// ServerKeyExchange with, in our order of preference: the first one the
    /// client also offers is used. Each must be one the chain's key can make
    /// (for example only RSA-PSS for an RSA key).
    ///
    /// ```
    /// # fn demo(mut config: tls12::ServerConfig) -> Result<(), tls12::Error> {
    /// use tls12::SignatureScheme;
    /// config.set_signing_schemes(0, vec![SignatureScheme::RsaPssRsaeSha384])?;
    /// # Ok(()) }
    /// ```
    pub fn set_signing_schemes(
        &mut self,
        chain_index: usize,
        schemes: impl Into<List<SignatureScheme>>,
    ) -> Result<(), Error> {
        let identity = match chain_index.checked_sub(1) {
            None => self.identity.as_mut(),
            Some(i) => self.more_identities.get_mut(i),
        }
        .ok_or_else(|| Error::Config(crate::shared::text!("no certificate chain {chain_index}")))?;
        identity.set_signing_schemes(schemes.into())
    }

    /// A PSK server's first chain is the first one added.
    fn push_identity(&mut self, identity: Identity) -> Result<(), Error> {
        if self.identity.is_none() {
            self.identity = Some(identity);
            Ok(())
        } else {
            self.more_identities.push(
                identity,
                "without the alloc feature, a server has at most two certificate chains",
            )
        }
    }

    /// Every chain, the first one first.
    pub(crate) fn identities(&self) -> impl Iterator<Item = &Identity> {
        self.identity.iter().chain(self.more_identities.iter())
    }

    /// Chain `index` (0: the first).
    pub(crate) fn identity_at(&self, index: usize) -> Option<&Identity> {
        match index.checked_sub(1) {
            None => self.identity.as_ref(),
            Some(i) => self.more_identities.get(i),
        }
    }

    /// A server with no certificate that accepts only the pre-shared key
    /// suites ([`PSK_SUITES`](crate::PSK_SUITES)) with the keys in `store`
    /// ([`crate::psk`]). Certificate chains may still be added
    /// ([`add_certificate`](Self::add_certificate)) with suites for them.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tls12::psk::{Psk, PskMap};
    /// use tls12::ServerConfig;
    ///
    /// let mut keys = PskMap::new();
    /// keys.insert(b"device-1", Psk::new(&[0x42; 32]).unwrap()).unwrap();
    /// let config = ServerConfig::with_psk(Arc::new(keys));
    /// # let _ = config;
    /// ```
    pub fn with_psk(store: impl Into<Shared<dyn crate::psk::PskStore>>) -> Self {
        let mut config = Self::with_identity(None);
        config.cipher_suites = List::from_static(&crate::PSK_SUITES);
        config.psk_store = Some(store.into());
        config
    }

    fn with_identity(identity: Option<Identity>) -> Self {
        Self {
            identity,
            more_identities: Entries::new(),
            client_auth: ClientAuth::None,
            client_verifier: None,
            dangerous_skip_webpki_for_clients: false,
            keep_peer_certificates: true,
            certificate_chooser: None,
            cipher_suites: List::from_static(&suites::DEFAULT_SUITES),
            legacy_rsa_key_transport: false,
            groups: List::from_static(SUPPORTED_GROUPS),
            signature_schemes: List::from_static(VERIFY_SCHEMES),
            alpn_protocols: List::empty(),
            require_extended_master_secret: true,
            max_fragment_len: MAX_PLAINTEXT,
            limits: Limits::default(),
            random: Shared::from_static(&SYSTEM_RANDOM),
            #[cfg(feature = "std")]
            session_cache: Some(Arc::new(crate::session::SessionCache::new(
                4096,
                std::time::Duration::from_secs(2 * 3600),
            ))),
            #[cfg(feature = "std")]
            ticketer: Some(Arc::new(crate::session::Ticketer::new(
                std::time::Duration::from_secs(6 * 3600),
                std::time::Duration::from_secs(12 * 3600),
            ))),
            key_log: None,
            enable_exporters: false,
            psk_store: None,
            psk_identity_hint: None,
            reveal_unknown_psk_identity: false,
            accept_record_limits: true,
            record_size_limit: crate::record::MAX_PLAINTEXT_U16,
        }
    }

    /// Whether a client's chain is kept: as configured, with `alloc`;
    /// never without (there is no heap to copy it to).
    pub(crate) fn keeps_peer_certificates(&self) -> bool {
        self.keep_peer_certificates && cfg!(feature = "alloc")
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        check_psk(&self.cipher_suites, self.psk_store.is_some(), "psk_store")?;
        if self.identity.is_none() && self.more_identities.is_empty() && self.psk_store.is_none() {
            return Err(Error::Config(
                "no certificate chain and no psk_store: nothing to serve".into(),
            ));
        }
        if self
            .psk_identity_hint
            .as_ref()
            .is_some_and(|h| h.len() > crate::psk::MAX_PSK_IDENTITY_LEN)
        {
            return Err(Error::Config(
                "psk_identity_hint must be at most 65,535 bytes".into(),
            ));
        }
        check_common(
            &self.cipher_suites,
            self.legacy_rsa_key_transport,
            &self.groups,
            &self.signature_schemes,
            &self.alpn_protocols,
            &self.limits,
            self.max_fragment_len,
        )?;
        check_record_size_limit(Some(self.record_size_limit))?;
        if cfg!(not(feature = "alloc"))
            && (self.client_verifier.is_some() || self.certificate_chooser.is_some())
        {
            return Err(Error::Config(NEEDS_ALLOC_TO_PAUSE.into()));
        }
        if self.dangerous_skip_webpki_for_clients && self.client_verifier.is_none() {
            return Err(Error::Config(
                "dangerous_skip_webpki_for_clients needs a client_verifier: nothing would check \
                 clients"
                    .into(),
            ));
        }
        for identity in self.identities() {
            let auth = identity.key.auth();
            if !self
                .cipher_suites
                .iter()
                .filter_map(|s| suites::lookup(*s))
                .any(|s| identity.serves(s))
            {
                return Err(Error::Config(crate::shared::text!(
                    "none of the configured cipher suites can be used with a {auth:?} key{}",
                    if auth == suites::AuthAlgorithm::Rsa {
                        " (RSA key transport needs a key the caller holds: the library does not \
                         decrypt with RSA private keys)"
                    } else {
                        ""
                    }
                )));
            }
        }
        let rsa_listed = self
            .cipher_suites
            .iter()
            .filter_map(|s| suites::lookup(*s))
            .find(|s| s.kx == KeyExchangeAlgorithm::Rsa);
        if let Some(rsa) = rsa_listed {
            if !self.identities().any(|id| id.serves(rsa)) {
                return Err(Error::Config(crate::shared::text!(
                    "{:?} is listed, but no certificate can serve it: RSA key transport needs an \
                     RSA certificate whose key the caller holds (ServerConfig::with_caller_key \
                     with KeyType::Rsa), since the library does not decrypt with RSA private keys",
                    rsa.suite
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    /// A client build without RSA encryption refuses RSA suites at
    /// configuration time, naming the feature; a build with it, or a
    /// configuration without them, is fine.
    #[test]
    fn rsa_suites_need_the_cargo_feature_on_a_client() {
        let refused = rsa_encryption_missing(true, false).expect("refused");
        assert!(
            refused.to_string().contains("legacy-rsa-key-transport"),
            "{refused}"
        );
        assert!(rsa_encryption_missing(true, true).is_none());
        assert!(rsa_encryption_missing(false, false).is_none());
    }

    /// The default suite lists never hold the RSA key transport suites, and
    /// the legacy switch is off.
    #[test]
    fn defaults_leave_rsa_key_transport_out() {
        let client = ClientConfig::new(RootCertStore::empty());
        assert!(!client.legacy_rsa_key_transport);
        for suite in &client.cipher_suites {
            assert_ne!(
                suites::lookup(*suite).map(|s| s.kx),
                Some(KeyExchangeAlgorithm::Rsa),
                "{suite:?}"
            );
        }
        assert_eq!(client.cipher_suites.len(), suites::ALL_SUITES.len());
    }
}
