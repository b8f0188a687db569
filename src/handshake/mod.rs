//! The handshake state machines, one explicit state enum per side
//! ([`client::State`], [`server::State`]). Each state holds exactly what the
//! next step needs; a transition consumes the state and returns the next, so
//! a message can only be processed by the state that expects it.
//!
//! Which input each state accepts, and which method handles it, is decided
//! in one place: [`table`]. The connection layer classifies an input, looks
//! it up there, and only then decodes (or decrypts) its body.

#[cfg(feature = "alloc")]
use alloc::string::String;
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;
use zeroize::Zeroize;

use crate::codec::enums::{
    ContentType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::codec::handshake::{encode_handshake, HandshakeMessage, SessionId};
use crate::codec::list::List;
use crate::codec::{Codec, Writer};
use crate::crypto::exporter::ExporterSecret;
use crate::crypto::keys::{FinishedLabel, MasterSecret};
use crate::crypto::rand::RandomSource;
use crate::crypto::signature::verify_signature;
use crate::crypto::suites::SuiteParams;
use crate::crypto::transcript::{Transcript, TranscriptSink};
use crate::error::{CertificateError, Error};
use crate::info::HandshakeInfo;
use crate::record::cipher::{RecordOpener, RecordSealer};
use crate::record::layer::{PendingKeys, RecordLayer};
use crate::record::store::{Sink, Store};
use crate::session::Session;

pub(crate) mod client;
pub(crate) mod server;
pub(crate) mod table;

/// Which end of the connection we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

/// What a state machine may do to its connection, and nothing more: write
/// handshake messages and ChangeCipherSpec, install keys in the record
/// layer, and draw randomness.
pub(crate) struct Io<'a> {
    pub(crate) record: &'a mut RecordLayer,
    /// The pending read and write states, kept with the handshake.
    pub(crate) pending: &'a mut PendingKeys,
    pub(crate) random: &'a dyn RandomSource,
    /// Where the master secret may go besides the key block.
    pub(crate) secrets: Secrets<'a>,
    /// The handshake's own buffers.
    pub(crate) buffers: &'a mut HandshakeBuffers,
}

/// The handshake's own buffers, kept with its state (and freed with it):
/// encoding space for outgoing messages, held for the whole handshake (a
/// fresh `Vec` per message would allocate, and regrow, each time), and the
/// room for the variable-length values a handshake keeps, which a
/// [`crate::IdleBuffers::Preallocated`] connection reserves when it is made
/// so that keeping them allocates nothing (empty, no allocation,
/// otherwise). The encoding space and the leaf's room may be areas the
/// caller lent.
#[derive(Default)]
pub(crate) struct HandshakeBuffers {
    pub(crate) encode: Store,
    /// For the server name, behind its 2-byte length (`info::HostName`): a
    /// DNS name is at most 253 bytes of text (RFC 1035 §2.3.4). Empty: no
    /// name.
    pub(crate) name: Store,
    /// For the PSK identity, behind its 2-byte length
    /// (`info::PskIdentity`): RFC 4279 §5.3 requires identities of up to
    /// 128 bytes to be supported; a longer one is allocated. Empty: none.
    pub(crate) psk_identity: Store,
    /// For the ALPN protocol agreed, behind its 2-byte length
    /// (`info::AlpnProtocol`). Empty: none.
    pub(crate) alpn: Store,
    /// The peer's leaf certificate, kept alone by a side that keeps no
    /// chain, for the message its key signs or encrypts for (see
    /// [`Io::keep_leaf`]).
    pub(crate) leaf: Store,
    /// The handshake messages a CertificateVerify signs (RFC 5246 §7.4.8),
    /// when one may be made or checked: ring signs and verifies whole
    /// messages, not a digest, so a transcript made with
    /// `Transcript::keeping` writes them here until then.
    pub(crate) transcript: Store,
}

impl HandshakeBuffers {
    /// The longest host name in text, behind its length.
    pub(crate) const NAME: usize = 2 + 253;
    /// The identity length every implementation supports, behind its
    /// length.
    pub(crate) const PSK_IDENTITY: usize = 2 + 128;
    /// The longest ALPN protocol name (RFC 7301 §3.1), behind its length.
    pub(crate) const ALPN: usize = 2 + 255;

    /// Preallocated: `encode` bytes of encoding space, room for a server
    /// name, for a PSK identity if `psk`, for a leaf certificate of `leaf`
    /// bytes, for `transcript` bytes of handshake messages and for an ALPN
    /// protocol if `alpn`, each if not 0; none of them on the heap if the
    /// caller `lends` them.
    pub(crate) fn reserved(
        encode: usize,
        psk: bool,
        leaf: usize,
        transcript: usize,
        alpn: bool,
        lends: bool,
    ) -> Self {
        let mut buffers = Self::default();
        if !lends {
            buffers.transcript.reserve_exact(transcript);
            buffers.encode.reserve_exact(encode);
            buffers.name.reserve_exact(Self::NAME);
            buffers.leaf.reserve_exact(leaf);
        }
        if psk && !lends {
            buffers.psk_identity.reserve_exact(Self::PSK_IDENTITY);
        }
        if alpn && !lends {
            buffers.alpn.reserve_exact(Self::ALPN);
        }
        buffers
    }

    /// See [`Io::keep_name`].
    pub(crate) fn keep_name(&mut self, name: &str) -> Result<(), Error> {
        keep_prefixed(&mut self.name, name.as_bytes(), "server_name area")
    }

    /// The server name kept, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        core::str::from_utf8(prefixed(&self.name)?).ok()
    }

    /// The server name kept, for the [`crate::HandshakeInfo`], with its
    /// room (a lent area goes with it, to be given back from there).
    pub(crate) fn take_name(&mut self) -> Option<crate::info::HostName> {
        self.name()?;
        Some(crate::info::HostName::from_kept(kept(&mut self.name)))
    }

    /// See [`Io::keep_alpn`].
    pub(crate) fn keep_alpn(&mut self, protocol: &[u8]) -> Result<(), Error> {
        keep_prefixed(&mut self.alpn, protocol, "alpn area")
    }

    /// The ALPN protocol agreed, for the [`crate::HandshakeInfo`], with its
    /// room (as [`Self::take_name`]).
    pub(crate) fn take_alpn(&mut self) -> Option<crate::info::AlpnProtocol> {
        prefixed(&self.alpn)?;
        Some(crate::info::AlpnProtocol::from_kept(kept(&mut self.alpn)))
    }

    /// See [`Io::keep_psk_identity`].
    pub(crate) fn keep_psk_identity(&mut self, identity: &[u8]) -> Result<(), Error> {
        keep_prefixed(&mut self.psk_identity, identity, "psk_identity area")
    }

    /// The PSK identity kept, if any.
    pub(crate) fn psk_identity(&self) -> Option<&[u8]> {
        prefixed(&self.psk_identity)
    }

    /// The PSK identity kept, for the [`crate::HandshakeInfo`], with its
    /// room (as [`Self::take_name`]).
    pub(crate) fn take_psk_identity(&mut self) -> Option<crate::info::PskIdentity> {
        self.psk_identity()?;
        Some(crate::info::PskIdentity::from_kept(kept(
            &mut self.psk_identity,
        )))
    }
}

/// What `store` holds, with its room, for a [`crate::HandshakeInfo`]: a
/// lent area as it is (given back from there), or the heap vector.
fn kept(store: &mut Store) -> crate::info::Kept {
    match store.take_as_is() {
        Some(area) => crate::info::Kept::Lent(area),
        #[cfg(feature = "alloc")]
        None => crate::info::Kept::Heap(store.take_heap()),
        // Without `alloc` every store is lent.
        #[cfg(not(feature = "alloc"))]
        None => crate::info::Kept::Lent(&mut []),
    }
}

/// What the configuration does with a handshake's master secret besides
/// deriving keys from it: the key log, and the copy kept for exporters.
#[derive(Default)]
pub(crate) struct Secrets<'a> {
    pub(crate) key_log: Option<&'a dyn crate::keylog::KeyLog>,
    /// `Some` when exporters are enabled: where the exporter's copy of the
    /// master secret goes, with the handshake's state (the established
    /// connection boxes it, or keeps it in the caller's slot, and holds
    /// nothing at all when exporters are off).
    pub(crate) exporter: Option<&'a mut Option<ExporterSecret>>,
}

impl Secrets<'_> {
    /// The master secret is known: log it and keep what exporters need.
    fn derived(&mut self, neg: &Negotiated, master: &MasterSecret) {
        if let Some(log) = self.key_log {
            log.log(&crate::keylog::KeyLogEntry::new(
                &neg.client_random,
                master.as_bytes(),
            ));
        }
        if let Some(slot) = self.exporter.as_deref_mut() {
            *slot = Some(ExporterSecret::new(
                neg.suite.hash,
                master,
                &neg.client_random,
                &neg.server_random,
            ));
        }
    }
}

/// A side's context, as far as secrets go: the configuration's key log,
/// whether it keeps the master secret for exporters, and its randomness.
pub(crate) trait SecretPolicy {
    fn key_log(&self) -> Option<&dyn crate::keylog::KeyLog>;
    fn keeps_exporter(&self) -> bool;
    fn random(&self) -> &dyn crate::RandomSource;
}

impl SecretPolicy for client::ClientContext {
    fn key_log(&self) -> Option<&dyn crate::keylog::KeyLog> {
        self.config.key_log.as_deref()
    }
    fn keeps_exporter(&self) -> bool {
        self.config.enable_exporters
    }
    fn random(&self) -> &dyn crate::RandomSource {
        &*self.config.random
    }
}

impl SecretPolicy for server::ServerContext {
    fn key_log(&self) -> Option<&dyn crate::keylog::KeyLog> {
        self.config.key_log.as_deref()
    }
    fn keeps_exporter(&self) -> bool {
        self.config.enable_exporters
    }
    fn random(&self) -> &dyn crate::RandomSource {
        &*self.config.random
    }
}

impl Io<'_> {
    /// The peer's ChangeCipherSpec: the pending read state becomes current.
    pub(crate) fn activate_read(&mut self) -> Result<(), Error> {
        self.record.activate_read(self.pending)
    }

    /// Draws protocol randomness from the configured source.
    pub(crate) fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
        self.random.fill(dest)
    }

    /// Keeps `name`, the server name of this handshake, in the room
    /// reserved or lent for it (else allocated). A lent area too short
    /// fails with `"server_name area"`.
    pub(crate) fn keep_name(&mut self, name: &str) -> Result<(), Error> {
        self.buffers.keep_name(name)
    }

    /// Keeps `protocol`, the ALPN protocol agreed, in the room reserved or
    /// lent for it (else allocated). A lent area too short fails with
    /// `"alpn area"`.
    pub(crate) fn keep_alpn(&mut self, protocol: &[u8]) -> Result<(), Error> {
        self.buffers.keep_alpn(protocol)
    }

    /// Keeps `identity`, the PSK identity of this handshake, in the room
    /// reserved or lent for it (else allocated). A lent area too short
    /// fails with `"psk_identity area"`.
    pub(crate) fn keep_psk_identity(&mut self, identity: &[u8]) -> Result<(), Error> {
        self.buffers.keep_psk_identity(identity)
    }

    /// Keeps the peer's `leaf` alone, its chain checked and not kept:
    /// written into the room reserved or lent for it (else allocated). A
    /// lent area too short for it fails with `"peer_leaf area"`.
    pub(crate) fn keep_leaf(&mut self, leaf: &[u8]) -> Result<(), Error> {
        let kept = &mut self.buffers.leaf;
        kept.clear();
        let limit = kept.limit();
        Sink::put(kept, leaf).map_err(|_| Error::LimitExceeded {
            what: "peer_leaf area",
            limit,
        })
    }

    /// Sizes the encoding buffer for a flight whose largest message is
    /// `largest` bytes and the output for `flight` bytes in all, so that
    /// neither regrows while the flight is written (a server's first flight
    /// with an RSA chain outgrows the defaults).
    pub(crate) fn reserve_flight(&mut self, largest: usize, flight: usize) {
        self.buffers.encode.plan(largest);
        self.record.reserve_flight(flight);
    }
}

/// A whole handshake message as it arrived: its body, and its raw bytes
/// (header included) for the transcript. Empty for ChangeCipherSpec.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Message<'a> {
    pub(crate) body: &'a [u8],
    pub(crate) raw: &'a [u8],
}

impl<'a> Message<'a> {
    /// ChangeCipherSpec carries no handshake bytes.
    pub(crate) const CCS: Message<'static> = Message {
        body: &[],
        raw: &[],
    };

    /// Decodes the body as a `T`, which must take all of it.
    pub(crate) fn decode<T: Codec<'a>>(&self, what: &'static str) -> Result<T, Error> {
        T::decode_exact(self.body, what)
    }
}

/// What a paused state asks the caller for ([`crate::keyop`]).
pub(crate) struct OpRequest<'a> {
    pub(crate) kind: crate::keyop::OperationKind,
    /// The bytes to sign (empty for a verdict).
    pub(crate) message: &'a [u8],
    /// The peer's chain (empty for a signature).
    pub(crate) chain: &'a [CertificateDer<'static>],
    /// What the client offered, for a choice of certificate.
    pub(crate) hello: Option<crate::keyop::ClientHelloInfo<'a>>,
}

/// Runs `verifier` on the peer's chain: `Ok(true)` to go on, `Ok(false)`
/// to pause for the caller's verdict, or the refusal.
pub(crate) fn ask_verifier(
    verifier: Option<&crate::shared::Shared<dyn crate::keyop::PeerVerifier>>,
    chain: &[CertificateDer<'static>],
    server_name: Option<&rustls_pki_types::ServerName<'static>>,
    now: rustls_pki_types::UnixTime,
    webpki_checked: bool,
) -> Result<bool, Error> {
    use crate::keyop::{PeerChain, Verdict};
    let Some(verifier) = verifier else {
        return Ok(true);
    };
    match verifier.verify(&PeerChain {
        chain,
        server_name,
        now,
        webpki_checked,
    }) {
        Verdict::Accept => Ok(true),
        Verdict::Reject(refused) => Err(Error::Certificate(refused)),
        Verdict::AskCaller => Ok(false),
    }
}

/// A state method: it takes the state its table row is for, the side's
/// context and the message, and returns where the handshake goes next.
pub(crate) type Transition<S, C> = fn(S, &C, &mut Io<'_>, Message<'_>) -> Result<Next<S>, Error>;

/// Where a transition leads.
pub(crate) enum Next<S> {
    /// Another handshake state.
    State(S),
    /// The handshake is complete; this is what was agreed.
    Done(HandshakeInfo),
}

/// The premaster secret: the raw ECDHE shared secret (RFC 8422 §5.10), the
/// 48 bytes of RSA key transport (RFC 5246 §7.4.7.1) or a PSK premaster
/// (RFC 4279 §2), up to 132 bytes; kept inline, so that agreeing one
/// allocates nothing, and zeroized on drop.
pub(crate) struct Premaster {
    buf: [u8; crate::psk::MAX_PREMASTER_LEN],
    len: u8,
}

impl Premaster {
    pub(crate) fn new(secret: &[u8]) -> Result<Self, Error> {
        let mut buf = [0u8; crate::psk::MAX_PREMASTER_LEN];
        buf.get_mut(..secret.len())
            .ok_or(Error::Internal("premaster length"))?
            .copy_from_slice(secret);
        Ok(Self {
            buf,
            len: u8::try_from(secret.len()).map_err(|_| Error::Internal("premaster length"))?,
        })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl Drop for Premaster {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// Everything agreed so far, carried from state to state.
pub(crate) struct Negotiated {
    pub(crate) suite: &'static SuiteParams,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    pub(crate) extended_master_secret: bool,
    pub(crate) secure_renegotiation: bool,
    pub(crate) group: Option<NamedGroup>,
    pub(crate) scheme: Option<SignatureScheme>,
    pub(crate) peer_certificates: crate::shared::List<CertificateDer<'static>>,
    /// The session ID in ServerHello (empty: not resumable by ID).
    pub(crate) session_id: SessionId,
    /// A NewSessionTicket will be sent (server) or is expected (client).
    pub(crate) ticket_promised: bool,
    /// This is an abbreviated handshake.
    pub(crate) resumed: bool,
    /// The client asked for OCSP stapling and the server acknowledged it
    /// (RFC 6066 §8): a CertificateStatus may follow Certificate.
    pub(crate) stapling: bool,
    /// The stapled OCSP response, as received (client).
    pub(crate) ocsp_response: Option<crate::shared::List<u8>>,
    /// Which of our chains we presented in this handshake (32 bits, so
    /// that the states stay small to move; a configuration cannot hold
    /// 2^32 chains).
    pub(crate) chain_index: Option<u32>,
    /// The scheme of the client's CertificateVerify in this handshake.
    pub(crate) client_scheme: Option<SignatureScheme>,
}

impl Negotiated {
    /// What the handshake agreed, with the server name kept in `buffers`.
    pub(crate) fn into_info(self, buffers: &mut HandshakeBuffers) -> HandshakeInfo {
        HandshakeInfo {
            version: ProtocolVersion::Tls12,
            cipher_suite: self.suite.suite,
            key_exchange: match self.suite.kx {
                crate::crypto::suites::KeyExchangeAlgorithm::Ecdhe => {
                    crate::info::KeyExchange::Ecdhe
                }
                crate::crypto::suites::KeyExchangeAlgorithm::Rsa => crate::info::KeyExchange::Rsa,
                crate::crypto::suites::KeyExchangeAlgorithm::Psk => crate::info::KeyExchange::Psk,
                crate::crypto::suites::KeyExchangeAlgorithm::EcdhePsk => {
                    crate::info::KeyExchange::EcdhePsk
                }
            },
            group: self.group,
            signature_scheme: self.scheme,
            alpn_protocol: buffers.take_alpn(),
            server_name: buffers.take_name(),
            peer_certificates: self.peer_certificates,
            extended_master_secret: self.extended_master_secret,
            secure_renegotiation: self.secure_renegotiation,
            resumed: self.resumed,
            ocsp_response: self.ocsp_response,
            psk_identity: buffers.take_psk_identity(),
            chain_index: self.chain_index.map(|i| i as usize),
            client_signature_scheme: self.client_scheme,
            // Filled in from the record layer when the handshake completes.
            max_fragment_out: crate::record::MAX_PLAINTEXT_U16,
            max_fragment_in: crate::record::MAX_PLAINTEXT_U16,
        }
    }

    /// RFC 5246 §8.1, or RFC 7627 §4 when the extended master secret was
    /// negotiated (its session hash covers the transcript through
    /// ClientKeyExchange, which the caller has already added).
    pub(crate) fn master_secret(
        &self,
        premaster: &Premaster,
        transcript: &Transcript,
    ) -> Result<MasterSecret, Error> {
        let hash = self.suite.hash;
        if self.extended_master_secret {
            let session_hash = transcript.current_hash()?;
            Ok(MasterSecret::extended(
                hash,
                premaster.as_bytes(),
                session_hash.as_ref(),
            ))
        } else {
            Ok(MasterSecret::new(
                hash,
                premaster.as_bytes(),
                &self.client_random,
                &self.server_random,
            ))
        }
    }

    /// Derives the key block (RFC 5246 §6.3) into the record layer's
    /// pending states: our write keys and the peer's, made current by the
    /// ChangeCipherSpec each side sends.
    pub(crate) fn install_keys(
        &self,
        io: &mut Io<'_>,
        master: &MasterSecret,
        role: Role,
    ) -> Result<(), Error> {
        let (sealer, opener) = self.record_keys(master, role)?;
        io.pending.set(sealer, opener);
        // Every handshake, full or resumed, installs keys exactly once.
        io.secrets.derived(self, master);
        Ok(())
    }

    fn record_keys(
        &self,
        master: &MasterSecret,
        role: Role,
    ) -> Result<(RecordSealer, RecordOpener), Error> {
        let kb = master.key_block(self.suite, &self.client_random, &self.server_random);
        let aead = self.suite.aead;
        let client_sealer = || RecordSealer::new(aead, kb.client_key(), kb.client_iv());
        let server_sealer = || RecordSealer::new(aead, kb.server_key(), kb.server_iv());
        Ok(match role {
            Role::Client => (
                client_sealer()?,
                RecordOpener::new(aead, kb.server_key(), kb.server_iv())?,
            ),
            Role::Server => (
                server_sealer()?,
                RecordOpener::new(aead, kb.client_key(), kb.client_iv())?,
            ),
        })
    }

    /// What resumption needs to remember of this session.
    pub(crate) fn session(
        &self,
        master: &MasterSecret,
        created: u64,
        buffers: &HandshakeBuffers,
    ) -> Session {
        Session {
            suite: self.suite.suite,
            extended_master_secret: self.extended_master_secret,
            master_secret: MasterSecret::from_bytes(*master.as_bytes()),
            created,
            server_name: buffers.name().map(crate::shared::Text::copied),
            peer_certificates: self.peer_certificates.clone(),
            psk_identity: buffers
                .psk_identity()
                .map(|id| crate::shared::List::collected(id.iter().copied())),
            signature_scheme: self.scheme,
            ocsp_response: self.ocsp_response.clone(),
            group: self.group,
            client_scheme: self.client_scheme,
        }
    }

    /// verify_data over the transcript so far (RFC 5246 §7.4.9).
    fn verify_data(
        &self,
        master: &MasterSecret,
        label: FinishedLabel,
        transcript: &Transcript,
    ) -> Result<[u8; 12], Error> {
        let hash = transcript.current_hash()?;
        Ok(master.verify_data(self.suite.hash, label, hash.as_ref()))
    }

    /// Sends our ChangeCipherSpec, switching our writes to the pending keys,
    /// then our Finished (RFC 5246 §7.1, §7.4.9).
    pub(crate) fn send_ccs_and_finished(
        &self,
        io: &mut Io<'_>,
        master: &MasterSecret,
        ours: FinishedLabel,
        transcript: &mut Transcript,
    ) -> Result<(), Error> {
        io.record.send_ccs_and_activate_write(io.pending)?;
        let vd = self.verify_data(master, ours, transcript)?;
        emit(io, transcript, &HandshakeMessage::Finished(&vd))
    }

    /// Checks the peer's Finished (RFC 5246 §7.4.9) against the transcript
    /// before it, in constant time, then adds it to the transcript.
    pub(crate) fn check_peer_finished(
        &self,
        master: &MasterSecret,
        theirs: FinishedLabel,
        transcript: &mut Transcript,
        kept: &mut Store,
        msg: Message<'_>,
    ) -> Result<(), Error> {
        let expected = self.verify_data(master, theirs, transcript)?;
        if !crate::crypto::constant_time_eq(&expected, msg.body) {
            return Err(Error::BadFinished);
        }
        transcript.add(msg.raw, kept);
        Ok(())
    }
}

/// The longest chain [`with_borrowed_chain`] checks without copying.
const BORROWED_CHAIN: usize = 16;

/// Runs `f` on `chain` as a slice of certificates borrowed from the message
/// (no copy), after its length is checked against the configured cap;
/// `None` when it is longer than [`BORROWED_CHAIN`], for the caller to copy
/// it instead.
pub(crate) fn with_borrowed_chain<T>(
    chain: &List<'_, CertificateDer<'_>>,
    max_len: usize,
    f: impl FnOnce(&[CertificateDer<'_>]) -> Result<T, Error>,
) -> Option<Result<T, Error>> {
    let count = chain.len();
    if count > max_len {
        return Some(Err(CertificateError::TooLarge.into()));
    }
    if count > BORROWED_CHAIN {
        return None;
    }
    let mut certs: [CertificateDer<'_>; BORROWED_CHAIN] =
        core::array::from_fn(|_| CertificateDer::from(&[][..]));
    for (slot, cert) in certs.iter_mut().zip(chain.iter()) {
        *slot = cert;
    }
    Some(f(certs.get(..count).unwrap_or_default()))
}

/// A received chain, copied into an exactly sized vector after its length
/// is checked against the configured cap.
#[cfg(feature = "alloc")]
pub(crate) fn copy_chain(
    chain: &List<'_, CertificateDer<'_>>,
    max_len: usize,
) -> Result<crate::shared::List<CertificateDer<'static>>, Error> {
    let count = chain.len();
    if count > max_len {
        return Err(CertificateError::TooLarge.into());
    }
    let mut copy = Vec::with_capacity(count);
    copy.extend(chain.iter().map(|c| c.into_owned()));
    Ok(copy.into())
}

/// Without a heap a chain is never copied: it is checked where it lies
/// ([`with_borrowed_chain`], up to [`BORROWED_CHAIN`] certificates), no
/// verifier may need it kept (configurations refuse one), and a longer
/// chain is refused.
#[cfg(not(feature = "alloc"))]
pub(crate) fn copy_chain(
    chain: &List<'_, CertificateDer<'_>>,
    max_len: usize,
) -> Result<crate::shared::List<CertificateDer<'static>>, Error> {
    let _ = (chain, max_len);
    Err(CertificateError::TooLarge.into())
}

/// Checks a signature made with the key of `chain`'s leaf (ServerKeyExchange
/// or CertificateVerify); `what` names the message for the error.
pub(crate) fn verify_leaf_signature(
    leaf: Option<&[u8]>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
    what: &'static str,
) -> Result<(), Error> {
    let leaf = CertificateDer::from(leaf.ok_or(Error::Internal("no peer certificate stored"))?);
    let ee = webpki::EndEntityCert::try_from(&leaf)
        .map_err(|_| Error::Certificate(CertificateError::BadEncoding))?;
    // RFC 5246 §7.4.2 (ServerKeyExchange) and §7.4.6 (CertificateVerify):
    // a key usage extension must allow digitalSignature.
    match crate::verify::allows_digital_signature(leaf.as_ref()) {
        Some(true) => {}
        Some(false) => return Err(Error::Certificate(CertificateError::InvalidPurpose)),
        None => return Err(Error::Certificate(CertificateError::BadEncoding)),
    }
    verify_signature(&ee, scheme, message, signature, what)
}

/// Keeps `value` behind its 2-byte length in `store` (empty: nothing
/// kept); a lent area too short fails naming it, `what`.
fn keep_prefixed(store: &mut Store, value: &[u8], what: &'static str) -> Result<(), Error> {
    store.clear();
    // On the heap, one allocation of the length it needs.
    store.plan(2 + value.len());
    let limit = store.limit();
    let len = u16::try_from(value.len()).map_err(|_| Error::Internal("kept value too long"))?;
    Sink::put(store, &len.to_be_bytes())
        .and_then(|()| Sink::put(store, value))
        .map_err(|_| Error::LimitExceeded { what, limit })
}

/// What [`keep_prefixed`] kept, if anything.
fn prefixed(store: &Store) -> Option<&[u8]> {
    match store.as_slice() {
        [a, b, rest @ ..] => rest.get(..usize::from(u16::from_be_bytes([*a, *b]))),
        _ => None,
    }
}

/// The peer's leaf certificate: the first of the chain kept, or the leaf
/// kept alone (`Io::keep_leaf`); `None` if the peer sent none.
pub(crate) fn peer_leaf<'a>(
    chain: &'a [CertificateDer<'static>],
    buffers: &'a HandshakeBuffers,
) -> Option<&'a [u8]> {
    match chain.first() {
        Some(leaf) => Some(leaf.as_ref()),
        None => Some(buffers.leaf.as_slice()).filter(|kept| !kept.is_empty()),
    }
}

/// Encodes `msg`, adds it to the transcript and queues it for sending.
pub(crate) fn emit(
    io: &mut Io<'_>,
    transcript: &mut impl TranscriptSink,
    msg: &HandshakeMessage<'_>,
) -> Result<(), Error> {
    emit_encoded(io, transcript, |bytes| {
        encode_handshake(msg, bytes);
        Ok(())
    })
}

/// As [`emit`], for a message of type `typ` whose body `body` writes in
/// place: a ServerKeyExchange signs its params where they were encoded, a
/// ClientKeyExchange needs no copy of our public key.
pub(crate) fn emit_with(
    io: &mut Io<'_>,
    transcript: &mut impl TranscriptSink,
    typ: HandshakeType,
    body: impl FnOnce(&mut Store) -> Result<(), Error>,
) -> Result<(), Error> {
    emit_encoded(io, transcript, |bytes| {
        typ.encode(bytes);
        let mut result = Ok(());
        bytes.with_len(3, |bytes| result = body(bytes));
        result
    })
}

fn emit_encoded(
    io: &mut Io<'_>,
    transcript: &mut impl TranscriptSink,
    encode: impl FnOnce(&mut Store) -> Result<(), Error>,
) -> Result<(), Error> {
    // 1 KiB holds most messages, an ECDSA Certificate included.
    let buffers = &mut *io.buffers;
    let bytes = &mut buffers.encode;
    bytes.clear();
    if bytes.capacity() == 0 {
        bytes.plan(HS_BUF_INITIAL);
    }
    encode(bytes)?;
    // Our own message too long for a lent handshake area.
    bytes.written_whole("handshake_out area")?;
    transcript.add(bytes.as_slice(), &mut buffers.transcript);
    io.record
        .write_records(ContentType::Handshake, bytes.as_slice())
}

/// What a ServerKeyExchange signature covers (RFC 8422 §5.4):
/// `ClientHello.random + ServerHello.random + ServerECDHParams`, built on
/// the stack. The params are at most 4 + 255 bytes (`opaque point
/// <1..2^8-1>`).
pub(crate) struct SignedParams {
    buf: [u8; 64 + 4 + 255],
    len: usize,
}

impl SignedParams {
    pub(crate) fn new(
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        params: &[u8],
    ) -> Result<Self, Error> {
        let mut buf = [0u8; 64 + 4 + 255];
        let len = 64 + params.len();
        let too_long = || Error::Internal("ServerECDHParams too long");
        let (randoms, rest) = buf.split_at_mut(64);
        let (c, s) = randoms.split_at_mut(32);
        c.copy_from_slice(client_random);
        s.copy_from_slice(server_random);
        rest.get_mut(..params.len())
            .ok_or_else(too_long)?
            .copy_from_slice(params);
        Ok(Self { buf, len })
    }
}

impl core::ops::Deref for SignedParams {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// First capacity of the handshake encoding buffer.
const HS_BUF_INITIAL: usize = 1024;

/// Text for ALPN names in error messages.
pub(crate) fn lossy(
    names: impl IntoIterator<Item = impl AsRef<[u8]>>,
) -> crate::shared::List<crate::shared::Text> {
    crate::shared::List::collected(names.into_iter().map(|n| {
        #[cfg(feature = "alloc")]
        let text = crate::shared::Text::from(String::from_utf8_lossy(n.as_ref()).into_owned());
        #[cfg(not(feature = "alloc"))]
        let text = {
            let _ = n;
            crate::shared::Text::from("")
        };
        text
    }))
}

#[cfg(test)]
mod tests {
    /// Every transition moves the state out of its box and back, so its size
    /// is copied a few times per message. Keys live in the record layer, not
    /// here: a state that held the two AEAD key schedules again would be
    /// over 1.8 KB. The largest client states carry a premaster inline (132
    /// bytes for PSK, RFC 4279 §2), which costs a move less than a box
    /// costs an allocation.
    #[test]
    fn states_stay_small_to_move() {
        let client = core::mem::size_of::<super::client::State>();
        let server = core::mem::size_of::<super::server::State>();
        assert!(
            client <= 752 && server <= 704,
            "client {client}, server {server}"
        );
    }
}
