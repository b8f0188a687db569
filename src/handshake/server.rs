//! The server's handshake (RFC 5246 §7.3).
//!
//! Full handshake:
//!
//! ```text
//!                    <--  ClientHello
//! ServerHello, Certificate, ServerKeyExchange,
//! [CertificateRequest], ServerHelloDone -->
//!                    <--  [Certificate], ClientKeyExchange,
//!                         [CertificateVerify], ChangeCipherSpec, Finished
//! [NewSessionTicket], ChangeCipherSpec, Finished -->
//! ```
//!
//! Abbreviated handshake (session ID or RFC 5077 ticket):
//!
//! ```text
//!                    <--  ClientHello
//! ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished -->
//!                    <--  ChangeCipherSpec, Finished
//! ```

#[cfg(feature = "std")]
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, UnixTime};

use super::table::ServerStage;
use super::{
    ask_verifier, copy_chain, emit, emit_with, lossy, peer_leaf, verify_leaf_signature,
    with_borrowed_chain, Io, Message, Negotiated, Next, OpRequest, Premaster, Role, SignedParams,
    Transition,
};
use crate::codec::enums::{
    CipherSuite, ClientCertificateType, Compression, EcPointFormat, HandshakeType,
    MaxFragmentLength, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::codec::extensions::ServerExtension;
use crate::codec::handshake::CertificateStatus;
use crate::codec::handshake::{
    decode_ecdh_public, decode_encrypted_premaster, decode_psk_client_key_exchange,
    encode_ecdhe_params, encode_psk_server_key_exchange, CertificateMsg, ClientHello,
    DigitallySigned, HandshakeMessage, NewSessionTicket, Random, ServerHello, SessionId,
};
use crate::codec::list::{List, ListBuf};
use crate::codec::{Codec, Writer};
use crate::config::{ClientAuth, Identity, ServerConfig};
use crate::crypto::keys::{FinishedLabel, MasterSecret};
use crate::crypto::kx::KeyShare;
use crate::crypto::rsa_kx;
use crate::crypto::signature::webpki_algorithms;
use crate::crypto::suites::{self, KeyExchangeAlgorithm, SuiteParams};
use crate::crypto::transcript::Transcript;
use crate::error::Error;
use crate::keyop::Choice;
use crate::record::layer::RecordLimits;
use crate::session::Session;
use crate::shared::{List as SharedList, Text};
use crate::verify::verify_client_chain;

/// What the server knows for the whole connection.
pub(crate) struct ServerContext {
    pub(crate) config: crate::shared::Shared<ServerConfig>,
    pub(crate) now: UnixTime,
}

/// The server's handshake states, each with the data its next step needs.
/// Which input each accepts is [`ServerStage::on`]; once the handshake is
/// complete the connection holds no state machine at all.
// Named for what each waits for, as in the table and RFC 5246 §7.3.
#[allow(clippy::enum_variant_names)]
pub(crate) enum State {
    ExpectClientHello,
    AwaitCertificate(AwaitCertificate),
    AwaitSignature(AwaitSignature),
    ExpectCertificate(ExpectCertificate),
    /// The client's chain is in; the caller's verdict on it is awaited.
    AwaitVerdict(ExpectClientKeyExchange),
    ExpectClientKeyExchange(ExpectClientKeyExchange),
    AwaitDecryption(AwaitDecryption),
    ExpectCertificateVerify(ExpectCertificateVerify),
    ExpectChangeCipherSpec(ExpectChangeCipherSpec),
    ExpectFinished(ExpectFinished),
}

/// A state method named by the server's table: it takes the state the
/// table row is for and the message, decodes the message's body and returns
/// the next state.
pub(crate) type Handler = Transition<State, ServerContext>;

/// The state a handler was given is not the one its table row names.
fn mismatch() -> Error {
    Error::Internal("server state and transition table disagree")
}

/// A ClientHello is in; the caller is choosing the certificate chain.
pub(crate) struct AwaitCertificate {
    /// The ClientHello as received (header included), decoded again once
    /// the choice is made: the paused path's one copy.
    raw: SharedList<u8>,
    summary: HelloSummary,
}

/// What the client offered, owned, for a [`crate::keyop::CertificateChooser`].
pub(crate) struct HelloSummary {
    server_name: Option<Text>,
    cipher_suites: SharedList<CipherSuite>,
    signature_schemes: SharedList<SignatureScheme>,
    groups: SharedList<NamedGroup>,
}

impl HelloSummary {
    fn new(ch: &ClientHello<'_>, server_name: Option<&str>) -> Self {
        Self {
            server_name: server_name.map(Text::copied),
            cipher_suites: SharedList::collected(ch.cipher_suites.iter()),
            signature_schemes: ch
                .signature_algorithms()
                .map(|l| SharedList::collected(l.iter()))
                .unwrap_or_default(),
            groups: ch
                .supported_groups()
                .map(|l| SharedList::collected(l.iter()))
                .unwrap_or_default(),
        }
    }

    fn info(&self) -> crate::keyop::ClientHelloInfo<'_> {
        crate::keyop::ClientHelloInfo {
            server_name: self.server_name.as_deref(),
            cipher_suites: &self.cipher_suites,
            signature_schemes: &self.signature_schemes,
            groups: &self.groups,
        }
    }
}

/// ServerHello and Certificate are sent; the caller is making the
/// ServerKeyExchange signature.
pub(crate) struct AwaitSignature {
    neg: Negotiated,
    transcript: Transcript,
    /// Ours; what is signed (both randoms and its ECDH params, RFC 8422
    /// §5.4) waits in the handshake's encoding buffer.
    key_share: KeyShare,
    scheme: SignatureScheme,
    /// The chain served, whose key signs, to check the answer with.
    chain: crate::shared::List<CertificateDer<'static>>,
}

/// The client's Certificate, after we sent CertificateRequest.
pub(crate) struct ExpectCertificate {
    neg: Negotiated,
    transcript: Transcript,
    kx: OurKeyExchange,
}

pub(crate) struct ExpectClientKeyExchange {
    neg: Negotiated,
    transcript: Transcript,
    kx: OurKeyExchange,
}

/// What our side of the key exchange needs to read the client's
/// ClientKeyExchange.
pub(crate) enum OurKeyExchange {
    /// Our ephemeral ECDH key (RFC 8422 §5.10).
    Ecdhe(KeyShare),
    /// RSA key transport (RFC 5246 §7.4.7.1): the caller decrypts; the
    /// version the ClientHello offered goes in front of the premaster.
    Rsa { client_version: [u8; 2] },
    /// A pre-shared key, named by the client (RFC 4279 §2).
    Psk,
    /// Our ephemeral ECDH key and a pre-shared key (RFC 5489 §2).
    EcdhePsk(KeyShare),
}

/// The client's encrypted premaster secret is in; the caller is decrypting
/// it with the certificate's RSA key.
pub(crate) struct AwaitDecryption {
    neg: Negotiated,
    transcript: Transcript,
    client_version: [u8; 2],
    encrypted: SharedList<u8>,
    /// Drawn before the caller is asked, and used in its place when what it
    /// decrypts is not a premaster secret (RFC 5246 §7.4.7.1).
    fallback: zeroize::Zeroizing<[u8; rsa_kx::PREMASTER_LEN - 2]>,
}

/// The keys are pending in the record layer from ClientKeyExchange on; the
/// master secret stays for the Finished messages.
pub(crate) struct ExpectCertificateVerify {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
}

pub(crate) struct ExpectChangeCipherSpec {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
    /// Our CCS and Finished are still to send after the client's Finished
    /// (full handshake); false when we already sent them (abbreviated).
    reply_due: bool,
}

pub(crate) struct ExpectFinished {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
    reply_due: bool,
}

impl State {
    /// What this state asks the caller for, if it is paused: `encoded`,
    /// the handshake's encoding buffer, holds what a ServerKeyExchange
    /// signs while the caller signs it.
    pub(crate) fn operation<'a>(&'a self, encoded: &'a [u8]) -> Option<OpRequest<'a>> {
        use crate::keyop::OperationKind;
        match self {
            Self::AwaitSignature(s) => Some(OpRequest {
                kind: OperationKind::Sign(s.scheme),
                message: encoded,
                chain: &[],
                hello: None,
            }),
            Self::AwaitVerdict(s) => Some(OpRequest {
                kind: OperationKind::VerifyChain,
                message: &[],
                chain: &s.neg.peer_certificates,
                hello: None,
            }),
            Self::AwaitCertificate(s) => Some(OpRequest {
                kind: OperationKind::ChooseCertificate,
                message: &[],
                chain: &[],
                hello: Some(s.summary.info()),
            }),
            Self::AwaitDecryption(s) => Some(OpRequest {
                kind: OperationKind::Decrypt,
                message: &s.encrypted,
                chain: &[],
                hello: None,
            }),
            _ => None,
        }
    }

    /// The error for a record that does not open under the client's keys:
    /// bad_record_mac (RFC 5246 §7.2.2), except for the first one after a
    /// PSK key exchange, the client's Finished, where it means that the
    /// client's key is not the one we used: RFC 4279 §2 answers a wrong key
    /// (and, by default, an unknown identity, which must look the same)
    /// with decrypt_error.
    pub(crate) fn unopenable_record(&self) -> Error {
        match self {
            Self::ExpectFinished(s) if s.neg.suite.kx.uses_psk() => Error::PskMismatch,
            _ => Error::BadRecordMac,
        }
    }

    /// This state's row in the server's table.
    pub(crate) fn stage(&self) -> ServerStage {
        match self {
            Self::ExpectClientHello => ServerStage::ExpectClientHello,
            Self::AwaitCertificate(_) => ServerStage::AwaitCertificate,
            Self::AwaitSignature(_) => ServerStage::AwaitSignature,
            Self::AwaitVerdict(_) => ServerStage::AwaitVerdict,
            Self::ExpectCertificate(_) => ServerStage::ExpectCertificate,
            Self::ExpectClientKeyExchange(_) => ServerStage::ExpectClientKeyExchange,
            Self::AwaitDecryption(_) => ServerStage::AwaitDecryption,
            Self::ExpectCertificateVerify(_) => ServerStage::ExpectCertificateVerify,
            Self::ExpectChangeCipherSpec(_) => ServerStage::ExpectChangeCipherSpec,
            Self::ExpectFinished(_) => ServerStage::ExpectFinished,
        }
    }
}

// The state methods the server's table names, in handshake order. Each
// decodes the body of the one message type its row accepts.

pub(crate) fn client_hello(
    state: State,
    ctx: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectClientHello = state else {
        return Err(mismatch());
    };
    first_flight(ctx, io, msg.decode("ClientHello")?, msg.raw).map(Next::State)
}

pub(crate) fn chosen_certificate(
    state: State,
    ctx: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::AwaitCertificate(s) = state else {
        return Err(mismatch());
    };
    // The caller's index travels as four big-endian bytes.
    let index = match msg.body {
        &[a, b, c, d] => u32::from_be_bytes([a, b, c, d]) as usize,
        _ => return Err(Error::Internal("certificate index")),
    };
    if ctx.config.identity_at(index).is_none() {
        return Err(Error::OperationFailed(
            "the caller chose a certificate chain that is not configured",
        ));
    }
    let body = s.raw.get(4..).unwrap_or_default();
    let ch = ClientHello::decode_exact(body, "ClientHello")?;
    let d = decide(&ctx.config, &ch)?;
    full_handshake(ctx, io, &ch, &s.raw, d, Some(index)).map(Next::State)
}

pub(crate) fn signature(
    state: State,
    ctx: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::AwaitSignature(mut s) = state else {
        return Err(mismatch());
    };
    let config = &ctx.config;
    // Checked with our own certificate before it goes out: a wrong key, a
    // wrong scheme or a damaged signature fails here, not at the peer.
    verify_leaf_signature(
        s.chain.first().map(|c| c.as_ref()),
        s.scheme,
        io.buffers.encode.as_slice(),
        msg.body,
        "ServerKeyExchange",
    )
    .map_err(|_| {
        Error::OperationFailed("the caller's signature does not verify with our certificate")
    })?;
    let scheme = s.scheme;
    let key_share = &s.key_share;
    emit_with(
        io,
        &mut s.transcript,
        HandshakeType::ServerKeyExchange,
        |out| {
            encode_ecdhe_params(key_share.group(), key_share.public_bytes(), out);
            DigitallySigned {
                scheme,
                signature: msg.body,
            }
            .encode(out);
            Ok(())
        },
    )?;
    end_first_flight(
        config,
        io,
        s.neg,
        s.transcript,
        OurKeyExchange::Ecdhe(s.key_share),
    )
    .map(Next::State)
}

pub(crate) fn certificate(
    state: State,
    ctx: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectCertificate(s) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg.decode("Certificate")?, msg.raw)
        .map(Next::State)
}

pub(crate) fn verdict(
    state: State,
    _: &ServerContext,
    _: &mut Io<'_>,
    _: Message<'_>,
) -> Result<Next<State>, Error> {
    // Only an accepting verdict gets here; a refusal fails the connection.
    let State::AwaitVerdict(s) = state else {
        return Err(mismatch());
    };
    Ok(Next::State(State::ExpectClientKeyExchange(s)))
}

pub(crate) fn client_key_exchange(
    state: State,
    ctx: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectClientKeyExchange(s) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg.body, msg.raw).map(Next::State)
}

pub(crate) fn decryption(
    state: State,
    _: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::AwaitDecryption(s) = state else {
        return Err(mismatch());
    };
    // RFC 5246 §7.4.7.1: whatever the caller decrypted (nothing, when it
    // failed), in constant time, and never an error before Finished.
    let chosen = rsa_kx::choose_premaster(s.client_version, msg.body, &s.fallback);
    let premaster = Premaster::new(&*chosen)?;
    keys_agreed(io, s.neg, s.transcript, &premaster).map(Next::State)
}

pub(crate) fn certificate_verify(
    state: State,
    ctx: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectCertificateVerify(s) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg.decode("CertificateVerify")?, msg.raw)
        .map(Next::State)
}

pub(crate) fn change_cipher_spec(
    state: State,
    _: &ServerContext,
    io: &mut Io<'_>,
    _: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectChangeCipherSpec(s) = state else {
        return Err(mismatch());
    };
    io.activate_read()?;
    Ok(Next::State(State::ExpectFinished(ExpectFinished {
        neg: s.neg,
        transcript: s.transcript,
        master: s.master,
        reply_due: s.reply_due,
    })))
}

pub(crate) fn finished(
    state: State,
    ctx: &ServerContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectFinished(s) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg).map(Next::Done)
}

/// Version negotiation (RFC 5246 Appendix E.1; RFC 8446 §4.2.1 for clients
/// that list versions in supported_versions).
fn check_version(ch: &ClientHello<'_>) -> Result<(), Error> {
    match ch.supported_versions() {
        Some(list) if list.contains(&ProtocolVersion::Tls12) => Ok(()),
        Some(list) => Err(Error::UnsupportedVersion {
            peer: list
                .iter()
                .max_by_key(|v| v.to_wire())
                .unwrap_or(ch.client_version),
        }),
        None if ch.client_version.to_wire() >= ProtocolVersion::Tls12.to_wire() => Ok(()),
        // RFC 7507 §3: a client signalling a fallback below our highest
        // version gets inappropriate_fallback. (protocol_version would also
        // be allowed, the version being one we refuse, but the client
        // could not then tell a downgrade from an old server.)
        None if ch.offers_suite(CipherSuite::TLS_FALLBACK_SCSV) => {
            Err(Error::InappropriateFallback {
                peer: ch.client_version,
            })
        }
        None => Err(Error::UnsupportedVersion {
            peer: ch.client_version,
        }),
    }
}

fn choose_group(
    config: &ServerConfig,
    offered: Option<&List<'_, NamedGroup>>,
) -> Result<NamedGroup, Error> {
    match offered {
        Some(list) => config
            .groups
            .iter()
            .copied()
            .find(|g| list.contains(g))
            .ok_or_else(|| Error::NoCommonGroup {
                offered: crate::shared::List::collected(list.iter()),
                supported: config.groups.clone(),
            }),
        // RFC 8422 §4: a client that omits supported_groups leaves the choice
        // to us; P-256 is the one group every ECC implementation has.
        None => config
            .groups
            .iter()
            .copied()
            .find(|g| *g == NamedGroup::Secp256r1)
            .or_else(|| config.groups.first().copied())
            .ok_or(Error::Internal("no groups configured")),
    }
}

fn choose_scheme(
    id: &Identity,
    offered: Option<&List<'_, SignatureScheme>>,
) -> Result<SignatureScheme, Error> {
    // RFC 5246 §7.4.1.4.1: without signature_algorithms the client accepts
    // only SHA-1 signatures, which we never make.
    let none = List::default();
    let offered = offered.unwrap_or(&none);
    id.choose_scheme(offered)
        .ok_or_else(|| Error::NoCommonSignatureScheme {
            offered: crate::shared::List::collected(offered.iter()),
            supported: id.schemes_list(),
        })
}

/// What a chain can serve a client: the suite, and for ECDHE the group and
/// the scheme that signs the key exchange (RSA key transport needs
/// neither, RFC 5246 §7.4.3).
type Fit = (
    &'static SuiteParams,
    Option<NamedGroup>,
    Option<SignatureScheme>,
);

/// The most preferred of our suites that `id` can serve, the client offers,
/// and the handshake can complete with. RFC 8422 §4: an ECC suite "must be
/// negotiated only if the server can successfully complete the handshake
/// while using the curves and point formats supported by the client", so an
/// ECDHE suite without a common group (or, its signature, a common scheme
/// and our certificate's curve) gives way to the next one, RSA key
/// transport say. When no offered suite can complete, the error is the
/// refusal of the most preferred one (curve, group, then scheme), and with
/// none offered at all, no common cipher suite.
fn fit(config: &ServerConfig, id: &Identity, ch: &ClientHello<'_>) -> Result<Fit, Error> {
    let groups = ch.supported_groups();
    let schemes = ch.signature_algorithms();
    let usable = || {
        config
            .cipher_suites
            .iter()
            .filter_map(|s| suites::lookup(*s))
            .filter(|s| id.serves(s))
    };
    let mut first_refusal = None;
    for suite in usable().filter(|s| ch.cipher_suites.contains(&s.suite)) {
        match complete(config, id, suite, groups.as_ref(), schemes.as_ref()) {
            Ok(fit) => return Ok(fit),
            Err(e) => {
                first_refusal.get_or_insert(e);
            }
        }
    }
    Err(first_refusal.unwrap_or_else(|| Error::NoCommonCipherSuite {
        offered: crate::shared::List::collected(ch.cipher_suites.iter()),
        supported: crate::shared::List::collected(usable().map(|s| s.suite)),
    }))
}

/// What `suite` needs besides itself, or why the handshake cannot complete
/// with it.
fn complete(
    config: &ServerConfig,
    id: &Identity,
    suite: &'static SuiteParams,
    groups: Option<&List<'_, NamedGroup>>,
    schemes: Option<&List<'_, SignatureScheme>>,
) -> Result<Fit, Error> {
    match suite.kx {
        // Chains serve no PSK suite (`Identity::serves`).
        KeyExchangeAlgorithm::Rsa | KeyExchangeAlgorithm::Psk | KeyExchangeAlgorithm::EcdhePsk => {
            Ok((suite, None, None))
        }
        KeyExchangeAlgorithm::Ecdhe => {
            // RFC 8422 §5.1: an ECDSA certificate must be on a curve the
            // client supports.
            if let (Some(curve), Some(groups)) = (id.key.curve(), groups) {
                if !groups.contains(&curve) {
                    return Err(Error::HandshakeFailure(
                        "the client's supported_groups do not include the curve of our ECDSA \
                         certificate (RFC 8422 §5.1)",
                    ));
                }
            }
            let group = choose_group(config, groups)?;
            let scheme = choose_scheme(id, schemes)?;
            Ok((suite, Some(group), Some(scheme)))
        }
    }
}

/// The chain to serve, with what it allows ([`Fit`]): the first configured
/// chain (those covering the client's server name first, when there are
/// several) that can serve something the client offers. When none can, the
/// first chain's refusal is the error.
fn choose_identity<'c>(
    config: &'c ServerConfig,
    ch: &ClientHello<'_>,
    server_name: Option<&str>,
    forced: Option<usize>,
) -> Result<(&'c Identity, Fit), Error> {
    if let Some(index) = forced {
        // Chosen by the caller: that chain or nothing.
        let id = config.identity_at(index).ok_or(Error::OperationFailed(
            "the certificate chooser chose a chain that is not configured",
        ))?;
        return Ok((id, fit(config, id, ch)?));
    }
    if !config.more_identities.is_empty() {
        let covers = |id: &Identity| server_name.is_some_and(|name| id.covers(name));
        let named = config.identities().filter(|id| covers(id));
        let others = config.identities().filter(|id| !covers(id));
        for id in named.chain(others) {
            if let Ok(found) = fit(config, id, ch) {
                return Ok((id, found));
            }
        }
    }
    // One chain, or none fits: the first chain's refusals, in order.
    let id = config
        .identity
        .as_ref()
        .ok_or(Error::Internal("no certificate chain to choose"))?;
    Ok((id, fit(config, id, ch)?))
}

/// What a full handshake is served with.
enum Served<'c> {
    /// A certificate chain, and what it allows.
    Certificate(&'c Identity, Fit),
    /// A PSK suite, with the group for ECDHE_PSK.
    Psk(&'static SuiteParams, Option<NamedGroup>),
}

/// The server's most preferred suite the client offers, among those of its
/// certificate chains and its PSK suites; a choice forced by the caller is
/// a chain's.
fn choose_service<'c>(
    config: &'c ServerConfig,
    ch: &ClientHello<'_>,
    server_name: Option<&str>,
    forced: Option<usize>,
) -> Result<Served<'c>, Error> {
    let psk = match forced {
        None => choose_psk_suite(config, ch),
        Some(_) => None,
    };
    if forced.is_none() && config.identities().next().is_none() {
        return match psk {
            Some((suite, group)) => Ok(Served::Psk(suite, group)),
            None => Err(Error::NoCommonCipherSuite {
                offered: crate::shared::List::collected(ch.cipher_suites.iter()),
                supported: config.cipher_suites.clone(),
            }),
        };
    }
    let rank = |suite: &SuiteParams| config.cipher_suites.iter().position(|s| *s == suite.suite);
    match (choose_identity(config, ch, server_name, forced), psk) {
        (Ok((_, fit)), Some((suite, group))) if rank(suite) < rank(fit.0) => {
            Ok(Served::Psk(suite, group))
        }
        (Ok((id, fit)), _) => Ok(Served::Certificate(id, fit)),
        (Err(_), Some((suite, group))) => Ok(Served::Psk(suite, group)),
        (Err(e), None) => Err(e),
    }
}

/// Server-preference choice among the PSK suites the client offers, if the
/// server has keys: for ECDHE_PSK, with a group in common.
fn choose_psk_suite(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
) -> Option<(&'static SuiteParams, Option<NamedGroup>)> {
    config.psk_store.as_ref()?;
    let groups = ch.supported_groups();
    config
        .cipher_suites
        .iter()
        .filter_map(|s| suites::lookup(*s))
        .filter(|s| s.kx.uses_psk() && ch.offers_suite(s.suite))
        .find_map(|s| match s.kx {
            KeyExchangeAlgorithm::EcdhePsk => choose_group(config, groups.as_ref())
                .ok()
                .map(|g| (s, Some(g))),
            _ => Some((s, None)),
        })
}

/// What the ClientHello settled besides the key exchange; the server name
/// as it lies in the ClientHello, kept (`Io::keep_name`) once the
/// handshake it starts is decided.
struct HelloDecisions<'a> {
    secure_renegotiation: bool,
    ems: bool,
    server_name: Option<&'a str>,
    /// One of the configuration's protocols.
    alpn: Option<&'a [u8]>,
    point_formats_offered: bool,
    #[cfg_attr(not(feature = "std"), allow(dead_code))] // resumption needs std
    ticket_offered: bool,
    /// The record sizes agreed, and the extension that answers the client.
    record_limit: Option<(RecordLimits, LimitAnswer)>,
}

/// How the ServerHello answers a record size request.
#[derive(Debug, Clone, Copy)]
enum LimitAnswer {
    /// RFC 6066 §4: the client's value, echoed.
    MaxFragmentLength(MaxFragmentLength),
    /// RFC 8449 §4: our own limit.
    RecordSizeLimit(u16),
}

/// The record sizes a ClientHello asks for, as this server honours them
/// (per handshake, resumed or not: RFC 6066 §4 applies a negotiated length
/// to a resumed session only if negotiated again).
fn decide_record_limit(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
) -> Option<(RecordLimits, LimitAnswer)> {
    if !config.accept_record_limits {
        return None;
    }
    // RFC 8449 §5: "A server that supports the record_size_limit extension
    // MUST ignore a max_fragment_length that appears in a ClientHello if
    // both extensions appear."
    if let Some(theirs) = ch.record_size_limit() {
        // RFC 8449 §4: a value above 2^14 is not refused by a server ("A
        // server MUST NOT enforce this restriction"); TLS 1.2 records are
        // at most 2^14 anyway.
        let ours = config.record_size_limit;
        // RFC 8449 §4: in TLS 1.3 the value also counts the inner content
        // type ("The value includes the content type and padding added in
        // TLS 1.3"), in TLS 1.2 only the plaintext. A client that offers
        // TLS 1.3 too writes its value before knowing which version will be
        // spoken, and may mean it in TLS 1.3's terms (GnuTLS sends 513 for
        // 512 and then holds TLS 1.2 records to 512): our records stay one
        // byte under it, which satisfies either reading.
        let offers_tls13 = ch
            .supported_versions()
            .is_some_and(|v| v.contains(&ProtocolVersion::Tls13));
        let theirs = if offers_tls13 {
            theirs.saturating_sub(1)
        } else {
            theirs
        };
        return Some((
            RecordLimits {
                send: theirs.min(crate::record::MAX_PLAINTEXT_U16),
                receive: ours,
                receive_unprotected: false,
            },
            LimitAnswer::RecordSizeLimit(ours),
        ));
    }
    let len = ch.max_fragment_length()?;
    Some((
        RecordLimits {
            send: len.length(),
            receive: len.length(),
            receive_unprotected: true,
        },
        LimitAnswer::MaxFragmentLength(len),
    ))
}

fn decide<'a>(config: &'a ServerConfig, ch: &ClientHello<'a>) -> Result<HelloDecisions<'a>, Error> {
    check_version(ch)?;
    // RFC 5246 §7.4.1.2: null compression must be offered; we use nothing
    // else (CRIME).
    if !ch.compression_methods.contains(&Compression::Null) {
        return Err(Error::IllegalParameter(
            "ClientHello does not offer null compression",
        ));
    }
    // RFC 5746 §3.6: the SCSV or an empty renegotiation_info signals support;
    // a non-empty one on an initial handshake is an attack or a bug.
    let mut secure_renegotiation = ch.offers_suite(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    if let Some(ri) = ch.renegotiation_info() {
        if !ri.is_empty() {
            return Err(Error::HandshakeFailure(
                "renegotiation_info is not empty on the initial handshake",
            ));
        }
        secure_renegotiation = true;
    }
    let ems = ch.has_ems();
    if config.require_extended_master_secret && !ems {
        return Err(Error::HandshakeFailure(
            "client did not offer the extended master secret (RFC 7627), which this server \
             requires",
        ));
    }
    let server_name = match ch.server_name() {
        Some(name) => host_name(name)?,
        None => None,
    };
    let point_formats = ch.ec_point_formats();
    // RFC 8422 §5.1.2: uncompressed must be supported by every client.
    if point_formats
        .as_ref()
        .is_some_and(|f| !f.contains(&EcPointFormat::Uncompressed))
    {
        return Err(Error::IllegalParameter(
            "ec_point_formats does not include uncompressed",
        ));
    }
    // RFC 7301 §3.2: negotiated on every handshake, resumed or not; our
    // preference among the client's; no overlap is no_application_protocol.
    let alpn = match ch.alpn() {
        Some(offered) if !config.alpn_protocols.is_empty() => {
            let chosen = config
                .alpn_protocols
                .iter()
                .find(|ours| offered.iter().any(|p| p.0 == ours.as_slice()))
                .ok_or_else(|| Error::NoApplicationProtocol {
                    offered: lossy(offered.iter().map(|p| p.0)),
                    supported: lossy(config.alpn_protocols.iter()),
                })?;
            Some(chosen.as_slice())
        }
        _ => None,
    };
    Ok(HelloDecisions {
        secure_renegotiation,
        ems,
        server_name,
        alpn,
        point_formats_offered: point_formats.is_some(),
        ticket_offered: ch.session_ticket().is_some(),
        record_limit: decide_record_limit(config, ch),
    })
}

/// The name a client asked for in server_name's host_name (RFC 6066 §3),
/// or `None` when it sent an IP address there: the RFC forbids literal
/// addresses in HostName, but scanners, `openssl s_client -servername
/// 127.0.0.1` and some embedded clients send them, and ignoring the name is
/// what a server that does not recognise a name may do. Anything else that
/// is not a DNS name is illegal_parameter.
fn host_name(name: &[u8]) -> Result<Option<&str>, Error> {
    let text = core::str::from_utf8(name).ok();
    if let Some(text) = text {
        let bare = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        if bare.parse::<core::net::IpAddr>().is_ok() {
            return Ok(None);
        }
        if rustls_pki_types::DnsName::try_from(text).is_ok() {
            return Ok(Some(text));
        }
    }
    Err(Error::IllegalParameter(
        "server_name is neither a DNS name nor an IP address",
    ))
}

/// A random session ID (RFC 5246 §7.4.1.3) when a session cache will keep
/// the session, else empty: an ID nobody can resume with would mislead the
/// client.
fn new_session_id(config: &ServerConfig, io: &Io<'_>) -> Result<SessionId, Error> {
    #[cfg(feature = "std")]
    if config.session_cache.is_some() {
        let mut id = [0u8; 32];
        io.fill_random(&mut id)?;
        return Ok(SessionId::new(&id).unwrap_or_default());
    }
    let _ = (config, io);
    Ok(SessionId::EMPTY)
}

/// Whether we can issue a ticket on this connection.
fn can_issue_ticket(config: &ServerConfig, d: &HelloDecisions<'_>) -> bool {
    #[cfg(feature = "std")]
    {
        d.ticket_offered && config.ticketer.is_some()
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = (config, d);
        false
    }
}

/// Finds a session the client offered (ticket first, then session ID) that
/// may be resumed. RFC 7627 §5.3 makes one case fatal: the original session
/// used the extended master secret and this ClientHello does not offer it.
fn find_session(
    ctx: &ServerContext,
    ch: &ClientHello<'_>,
    d: &HelloDecisions<'_>,
) -> Result<Option<Found>, Error> {
    #[cfg(feature = "std")]
    {
        let config = &ctx.config;
        let now = ctx.now.as_secs();
        let from_ticket = || {
            let ticket = ch.session_ticket().filter(|t| !t.is_empty())?;
            let ticketer = config.ticketer.as_ref()?;
            // RFC 5077 §3.4: a ticket that fails to open or parse means a
            // full handshake, never an error.
            let opened = ticketer.open(ticket, now)?;
            let session = Session::decode(&opened.plaintext)
                .ok()
                .filter(|s| s.alive(now, ticketer.lifetime_secs()))?;
            let renew_ticket = ticketer.should_renew(&opened, session.created, now);
            Some(Found {
                session,
                renew_ticket,
            })
        };
        let from_cache = || {
            if ch.session_id.is_empty() {
                return None;
            }
            let session = config
                .session_cache
                .as_ref()?
                .get(ch.session_id.as_slice(), now)?;
            // Resumed by ID: a client that asks for a ticket has none yet.
            Some(Found {
                session,
                renew_ticket: true,
            })
        };
        let Some(found) = from_ticket().or_else(from_cache) else {
            return Ok(None);
        };
        let session = &found.session;
        if session.extended_master_secret && !d.ems {
            return Err(Error::HandshakeFailure(
                "resumption of an extended-master-secret session without the extension (RFC \
                 7627 §5.3)",
            ));
        }
        // RFC 7627 §5.3: never resume a session without the extended master
        // secret (the triple handshake); RFC 6066 §3: only for the same name;
        // RFC 5246 §7.4.1.2: only with the session's suite, which the client
        // must offer and we must still allow for our key.
        let suite_ok = ch.offers_suite(session.suite)
            && config.cipher_suites.contains(&session.suite)
            && suites::lookup(session.suite).is_some_and(|s| {
                config.identities().any(|id| id.serves(s))
                    || (s.kx.uses_psk() && config.psk_store.is_some())
            });
        let usable = session.extended_master_secret
            && session.server_name.as_deref() == d.server_name
            && suite_ok;
        Ok(usable.then_some(found))
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = (ctx, ch, d);
        Ok(None)
    }
}

/// A session the client offered that may be resumed.
struct Found {
    session: Session,
    /// Whether to send a new ticket (RFC 5077 §3.3): always after a
    /// resumption by ID, and after one by ticket only when the ticket's key
    /// or age calls for it ([`crate::Ticketer`]).
    renew_ticket: bool,
}

fn server_extensions<'a>(
    d: &'a HelloDecisions<'_>,
    ticket: bool,
    ack_name: bool,
) -> Result<ListBuf<ServerExtension<'a>, 8>, Error> {
    let mut extensions = ListBuf::new(ServerExtension::ServerNameAck);
    match d.record_limit {
        Some((_, LimitAnswer::MaxFragmentLength(len))) => {
            extensions.push(ServerExtension::MaxFragmentLength(len))?;
        }
        Some((_, LimitAnswer::RecordSizeLimit(limit))) => {
            extensions.push(ServerExtension::RecordSizeLimit(limit))?;
        }
        None => {}
    }
    if d.secure_renegotiation {
        extensions.push(ServerExtension::RenegotiationInfo(&[]))?;
    }
    if d.ems {
        extensions.push(ServerExtension::ExtendedMasterSecret)?;
    }
    if let Some(p) = d.alpn {
        extensions.push(ServerExtension::Alpn(p))?;
    }
    if d.point_formats_offered {
        extensions.push(ServerExtension::EcPointFormats(List::borrowed(&[
            EcPointFormat::Uncompressed,
        ])))?;
    }
    if ack_name {
        // RFC 6066 §3: acknowledge that the name was used (full handshakes
        // only; a resumed session keeps its original name).
        extensions.push(ServerExtension::ServerNameAck)?;
    }
    if ticket {
        // RFC 5077 §3.2: promises a NewSessionTicket.
        extensions.push(ServerExtension::SessionTicketAck)?;
    }
    Ok(extensions)
}

/// Seals `session` into a NewSessionTicket and sends it (RFC 5077 §3.3).
fn send_ticket(
    ctx: &ServerContext,
    io: &mut Io<'_>,
    transcript: &mut Transcript,
    session: &Session,
) -> Result<(), Error> {
    #[cfg(feature = "std")]
    if let Some(ticketer) = &ctx.config.ticketer {
        let mut plain = zeroize::Zeroizing::new(Vec::new());
        session.encode(&mut *plain);
        // A ticket that cannot be made (huge client chain), or that does
        // not fit where messages are encoded (an area the caller lent,
        // `AreaSizes` leaves room for one), is sent empty: RFC 5077 §3.3
        // allows that, and the client keeps no ticket.
        let room = io.buffers.encode.limit().saturating_sub(4 + 4 + 2);
        let ticket = match ticketer.seal(&plain, ctx.now.as_secs(), io.random) {
            Ok(t) if t.len() <= 0xffff && t.len() <= room => t,
            _ => Vec::new(),
        };
        let lifetime_hint = u32::try_from(ticketer.lifetime_secs()).unwrap_or(u32::MAX);
        let msg = NewSessionTicket {
            lifetime_hint,
            ticket: &ticket,
        };
        return emit(io, transcript, &HandshakeMessage::NewSessionTicket(msg));
    }
    let _ = (ctx, session);
    emit(
        io,
        transcript,
        &HandshakeMessage::NewSessionTicket(NewSessionTicket {
            lifetime_hint: 0,
            ticket: &[],
        }),
    )
}

/// A stapled OCSP response, shared with its configuration (stapling needs
/// `std`; without a heap there is none).
#[cfg(feature = "alloc")]
type Staple = alloc::sync::Arc<[u8]>;
#[cfg(not(feature = "alloc"))]
type Staple = crate::shared::HeapOnly<[u8]>;

/// The OCSP response to staple with `identity` (RFC 6066 §8), when the
/// client asked for one and one is configured (full handshakes only: a
/// resumed one sends no Certificate).
fn ocsp_staple(identity: &Identity, ch: &ClientHello<'_>) -> Option<Staple> {
    #[cfg(feature = "std")]
    if ch.requests_ocsp() {
        return identity.ocsp.as_ref()?.get();
    }
    let _ = (identity, ch);
    None
}

/// Answers a ClientHello: the full handshake's first flight, or the
/// abbreviated handshake's when a session is resumed.
fn first_flight(
    ctx: &ServerContext,
    io: &mut Io<'_>,
    ch: ClientHello<'_>,
    raw: &[u8],
) -> Result<State, Error> {
    let config = &ctx.config;
    let d = decide(config, &ch)?;
    if let Some(found) = find_session(ctx, &ch, &d)? {
        return resume(ctx, io, &ch, raw, d, found);
    }
    let forced = match &config.certificate_chooser {
        None => None,
        Some(chooser) => {
            let summary = HelloSummary::new(&ch, d.server_name);
            match chooser.choose(&summary.info()) {
                Choice::BuiltIn => None,
                Choice::Use(index) => Some(index),
                Choice::Refuse => {
                    return Err(Error::HandshakeFailure(
                        "the server's certificate chooser has no chain for this client",
                    ))
                }
                Choice::AskCaller => {
                    return Ok(State::AwaitCertificate(AwaitCertificate {
                        raw: SharedList::heap_copy(raw)?,
                        summary,
                    }))
                }
            }
        }
    };
    full_handshake(ctx, io, &ch, raw, d, forced)
}

/// The full handshake's first flight, with the chain `forced` (an index,
/// as in [`crate::Answer::Certificate`]) or the built-in choice.
fn full_handshake(
    ctx: &ServerContext,
    io: &mut Io<'_>,
    ch: &ClientHello<'_>,
    raw: &[u8],
    d: HelloDecisions<'_>,
    forced: Option<usize>,
) -> Result<State, Error> {
    let config = &ctx.config;
    let (identity, (suite, group, scheme)) =
        match choose_service(config, ch, d.server_name, forced)? {
            Served::Certificate(identity, fit) => (identity, fit),
            Served::Psk(suite, group) => {
                return psk_first_flight(ctx, io, ch, raw, d, suite, group)
            }
        };
    let issue_ticket = can_issue_ticket(config, &d);

    let mut server_random = [0u8; 32];
    io.fill_random(&mut server_random)?;
    // A fresh session ID when there is a cache to find it in again.
    let session_id = new_session_id(config, io)?;

    // ring signs and verifies whole messages, so CertificateVerify needs
    // every handshake message, not just their hash.
    let mut transcript = if config.client_auth.roots().is_some() {
        Transcript::keeping()
    } else {
        Transcript::new()
    };
    // The suite is known: hash with its hash alone from the start.
    transcript.start_hash(suite.hash, io.buffers.transcript.as_slice());
    transcript.add(raw, &mut io.buffers.transcript);

    // The Certificate is the flight's largest message; the rest (hello,
    // key exchange with a signature of at most 512 bytes, request, done)
    // fits in 1 KiB unless a CertificateRequest names many CAs.
    let chain_len: usize = identity.chain.iter().map(|c| 3 + c.len()).sum();
    io.reserve_flight(7 + chain_len, 7 + chain_len + 1024);
    let mut extensions = server_extensions(&d, issue_ticket, d.server_name.is_some())?;
    let staple = ocsp_staple(identity, ch);
    if staple.is_some() {
        // RFC 6066 §8: announces the CertificateStatus message.
        extensions.push(ServerExtension::StatusRequestAck)?;
    }
    send_server_hello(
        io,
        &mut transcript,
        server_random,
        session_id,
        suite,
        &extensions,
        d.record_limit.map(|(limits, _)| limits),
    )?;

    let chain = List::borrowed(&identity.chain);
    emit(
        io,
        &mut transcript,
        &HandshakeMessage::Certificate(CertificateMsg { chain }),
    )?;
    if let Some(response) = &staple {
        // RFC 6066 §8: immediately after Certificate.
        emit_with(
            io,
            &mut transcript,
            HandshakeType::CertificateStatus,
            |out| {
                CertificateStatus {
                    ocsp_response: response,
                }
                .encode(out);
                Ok(())
            },
        )?;
    }

    if let Some(name) = d.server_name {
        io.keep_name(name)?;
    }
    if let Some(protocol) = d.alpn {
        io.keep_alpn(protocol)?;
    }
    let neg = Negotiated {
        suite,
        client_random: ch.random.0,
        server_random,
        extended_master_secret: d.ems,
        secure_renegotiation: d.secure_renegotiation,
        group,
        scheme,
        peer_certificates: SharedList::empty(),
        session_id,
        ticket_promised: issue_ticket,
        resumed: false,
        stapling: false,
        ocsp_response: None,
        chain_index: config
            .identities()
            .position(|i| core::ptr::eq(i, identity))
            .and_then(|i| u32::try_from(i).ok()),
        client_scheme: None,
    };
    let (Some(group), Some(scheme)) = (group, scheme) else {
        // RSA key transport: no ServerKeyExchange (RFC 5246 §7.4.3). The
        // premaster carries the version the client offered (§7.4.7.1).
        let client_version = ch.client_version.to_wire().to_be_bytes();
        return end_first_flight(
            config,
            io,
            neg,
            transcript,
            OurKeyExchange::Rsa { client_version },
        );
    };
    let key_share = KeyShare::generate(group)?;
    if identity.key.is_held_by_caller() {
        // The caller signs: pause with what it signs (RFC 8422 §5.4: both
        // randoms and the params), written where our messages are encoded,
        // which nothing uses until the answer comes (no copy of its own, so
        // no allocation, and room the caller may have lent).
        let signed = &mut io.buffers.encode;
        signed.clear();
        Writer::put(signed, &neg.client_random);
        Writer::put(signed, &neg.server_random);
        encode_ecdhe_params(group, key_share.public_bytes(), signed);
        signed.written_whole("handshake_out area")?;
        return Ok(State::AwaitSignature(AwaitSignature {
            neg,
            transcript,
            key_share,
            scheme,
            chain: identity.chain.clone(),
        }));
    }
    // RFC 8422 §5.4: ServerECDHParams signed with both randoms, the params
    // encoded once, in the message itself.
    emit_with(
        io,
        &mut transcript,
        HandshakeType::ServerKeyExchange,
        |out| {
            let start = out.len();
            encode_ecdhe_params(group, key_share.public_bytes(), out);
            let params = out.as_slice().get(start..).unwrap_or_default();
            let signed = SignedParams::new(&ch.random.0, &server_random, params)?;
            let signature = identity.key.sign(scheme, &signed)?;
            DigitallySigned {
                scheme,
                signature: &signature,
            }
            .encode(out);
            Ok(())
        },
    )?;
    end_first_flight(
        config,
        io,
        neg,
        transcript,
        OurKeyExchange::Ecdhe(key_share),
    )
}

/// The first flight of a PSK suite (RFC 4279 §2, RFC 5489 §2): ServerHello,
/// a ServerKeyExchange (always for ECDHE_PSK; for plain PSK only to carry
/// an identity hint), ServerHelloDone. No Certificate, no
/// CertificateRequest: the key authenticates both sides.
fn psk_first_flight(
    ctx: &ServerContext,
    io: &mut Io<'_>,
    ch: &ClientHello<'_>,
    raw: &[u8],
    d: HelloDecisions<'_>,
    suite: &'static SuiteParams,
    group: Option<NamedGroup>,
) -> Result<State, Error> {
    let config = &ctx.config;
    let issue_ticket = can_issue_ticket(config, &d);
    let mut server_random = [0u8; 32];
    io.fill_random(&mut server_random)?;
    let session_id = new_session_id(config, io)?;
    let mut transcript = Transcript::new();
    transcript.start_hash(suite.hash, io.buffers.transcript.as_slice());
    transcript.add(raw, &mut io.buffers.transcript);
    let extensions = server_extensions(&d, issue_ticket, d.server_name.is_some())?;
    send_server_hello(
        io,
        &mut transcript,
        server_random,
        session_id,
        suite,
        &extensions,
        d.record_limit.map(|(limits, _)| limits),
    )?;
    let hint = config.psk_identity_hint.as_deref();
    let kx = match group {
        Some(group) => {
            let key_share = KeyShare::generate(group)?;
            let public = key_share.public_bytes();
            emit_with(
                io,
                &mut transcript,
                HandshakeType::ServerKeyExchange,
                |out| {
                    encode_psk_server_key_exchange(
                        hint.unwrap_or_default(),
                        Some((group, public)),
                        out,
                    );
                    Ok(())
                },
            )?;
            OurKeyExchange::EcdhePsk(key_share)
        }
        None => {
            if let Some(hint) = hint {
                emit_with(
                    io,
                    &mut transcript,
                    HandshakeType::ServerKeyExchange,
                    |out| {
                        encode_psk_server_key_exchange(hint, None, out);
                        Ok(())
                    },
                )?;
            }
            OurKeyExchange::Psk
        }
    };
    emit(io, &mut transcript, &HandshakeMessage::ServerHelloDone)?;
    if let Some(name) = d.server_name {
        io.keep_name(name)?;
    }
    if let Some(protocol) = d.alpn {
        io.keep_alpn(protocol)?;
    }
    let neg = Negotiated {
        suite,
        client_random: ch.random.0,
        server_random,
        extended_master_secret: d.ems,
        secure_renegotiation: d.secure_renegotiation,
        group,
        scheme: None,
        peer_certificates: SharedList::empty(),
        session_id,
        ticket_promised: issue_ticket,
        resumed: false,
        stapling: false,
        ocsp_response: None,
        chain_index: None,
        client_scheme: None,
    };
    Ok(State::ExpectClientKeyExchange(ExpectClientKeyExchange {
        neg,
        transcript,
        kx,
    }))
}

/// The rest of the first flight after ServerKeyExchange: CertificateRequest
/// if clients are asked for certificates, then ServerHelloDone.
fn end_first_flight(
    config: &ServerConfig,
    io: &mut Io<'_>,
    neg: Negotiated,
    mut transcript: Transcript,
    kx: OurKeyExchange,
) -> Result<State, Error> {
    let client_auth = config.client_auth.roots().is_some();
    if let Some(roots) = config.client_auth.roots() {
        // RFC 5246 §7.4.4, written where it goes rather than built first.
        emit_with(
            io,
            &mut transcript,
            HandshakeType::CertificateRequest,
            |out| {
                // RFC 8422 §5.5: ecdsa_sign covers EdDSA too.
                List::borrowed(&[
                    ClientCertificateType::EcdsaSign,
                    ClientCertificateType::RsaSign,
                ])
                .encode(1, out);
                List::borrowed(&config.signature_schemes).encode(2, out);
                // Each anchor's subject is the content of its DER Name.
                out.with_len(2, |out| {
                    for subject in roots.subjects() {
                        out.with_len(2, |out| crate::verify::put_der(0x30, subject, out));
                    }
                });
                Ok(())
            },
        )?;
    }
    emit(io, &mut transcript, &HandshakeMessage::ServerHelloDone)?;
    Ok(if client_auth {
        State::ExpectCertificate(ExpectCertificate {
            neg,
            transcript,
            kx,
        })
    } else {
        State::ExpectClientKeyExchange(ExpectClientKeyExchange {
            neg,
            transcript,
            kx,
        })
    })
}

/// The abbreviated handshake (RFC 5246 §7.3; RFC 5077 §3.1 for tickets).
fn resume(
    ctx: &ServerContext,
    io: &mut Io<'_>,
    ch: &ClientHello<'_>,
    raw: &[u8],
    d: HelloDecisions<'_>,
    found: Found,
) -> Result<State, Error> {
    let session = found.session;
    let suite = suites::lookup(session.suite).ok_or(Error::Internal("resumed suite"))?;
    let issue_ticket = found.renew_ticket && can_issue_ticket(&ctx.config, &d);
    let mut server_random = [0u8; 32];
    io.fill_random(&mut server_random)?;
    // RFC 5246 §7.4.1.3 and RFC 5077 §3.4: echo the client's session ID.
    let session_id = ch.session_id;

    let mut transcript = Transcript::new();
    transcript.start_hash(suite.hash, io.buffers.transcript.as_slice());
    transcript.add(raw, &mut io.buffers.transcript);
    let extensions = server_extensions(&d, issue_ticket, false)?;
    send_server_hello(
        io,
        &mut transcript,
        server_random,
        session_id,
        suite,
        &extensions,
        d.record_limit.map(|(limits, _)| limits),
    )?;

    if let Some(identity) = &session.psk_identity {
        io.keep_psk_identity(identity)?;
    }
    if let Some(name) = d.server_name {
        io.keep_name(name)?;
    }
    if let Some(protocol) = d.alpn {
        io.keep_alpn(protocol)?;
    }
    let neg = Negotiated {
        suite,
        client_random: ch.random.0,
        server_random,
        extended_master_secret: session.extended_master_secret,
        secure_renegotiation: d.secure_renegotiation,
        group: session.group,
        scheme: session.signature_scheme,
        peer_certificates: session.peer_certificates.clone(),
        session_id,
        ticket_promised: issue_ticket,
        resumed: true,
        stapling: false,
        ocsp_response: None,
        chain_index: None,
        client_scheme: session.client_scheme,
    };
    if issue_ticket {
        // A fresh ticket under the current key; the session keeps its
        // original creation time, so resumption never extends its life.
        send_ticket(ctx, io, &mut transcript, &session)?;
    }
    let master = MasterSecret::from_bytes(*session.master_secret.as_bytes());
    neg.install_keys(io, &master, Role::Server)?;
    neg.send_ccs_and_finished(io, &master, FinishedLabel::Server, &mut transcript)?;
    Ok(State::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
        neg,
        transcript,
        master,
        reply_due: false,
    }))
}

/// ServerHello (RFC 5246 §7.4.1.3), for both handshakes. The version is
/// agreed from here on (RFC 5246 §6.2.1).
fn send_server_hello(
    io: &mut Io<'_>,
    transcript: &mut Transcript,
    server_random: [u8; 32],
    session_id: SessionId,
    suite: &SuiteParams,
    extensions: &ListBuf<ServerExtension<'_>, 8>,
    record_limit: Option<RecordLimits>,
) -> Result<(), Error> {
    io.record.agree_version();
    let hello = ServerHello {
        server_version: ProtocolVersion::Tls12,
        random: Random(server_random),
        session_id,
        cipher_suite: suite.suite,
        compression_method: Compression::Null,
        extensions: extensions.as_list(),
        extensions_present: true,
    };
    emit(io, transcript, &HandshakeMessage::ServerHello(hello))?;
    // RFC 6066 §4: "the client and server MUST immediately begin
    // fragmenting messages (including handshake messages)"; the rest of
    // this flight already goes out in records of the agreed size.
    if let Some(limits) = record_limit {
        io.record.set_limits(limits);
    }
    Ok(())
}

impl ExpectCertificate {
    fn handle(
        mut self,
        ctx: &ServerContext,
        io: &mut Io<'_>,
        msg: CertificateMsg<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let config = &ctx.config;
        let mut go_on = true;
        let roots = config
            .client_auth
            .roots()
            .ok_or(Error::Internal("client certificate without client auth"))?;
        let webpki = !config.dangerous_skip_webpki_for_clients;
        let max_len = config.limits.max_certificate_chain_len;
        let keep = config.keeps_peer_certificates();
        let in_place = !keep && config.client_verifier.is_none();
        if msg.chain.is_empty() {
            // RFC 5246 §7.4.6: without a certificate the server may go on or
            // answer handshake_failure.
            if matches!(config.client_auth, ClientAuth::Required(_)) {
                return Err(Error::HandshakeFailure(
                    "a client certificate is required and the client sent none",
                ));
            }
        } else if let Some(checked) = in_place
            .then(|| {
                // Nobody sees the chain after this message: check it where
                // it lies and keep only the leaf, whose key signs the
                // CertificateVerify (RFC 5246 §7.4.8).
                with_borrowed_chain(&msg.chain, max_len, |chain| {
                    if webpki {
                        verify_client_chain(roots, chain, ctx.now, webpki_algorithms())?;
                    }
                    Ok(())
                })
            })
            .flatten()
        {
            checked?;
            let leaf = msg.chain.iter().next().ok_or(Error::Internal("no leaf"))?;
            io.keep_leaf(leaf.as_ref())?;
        } else {
            let chain = copy_chain(&msg.chain, max_len)?;
            if webpki {
                verify_client_chain(roots, &chain, ctx.now, webpki_algorithms())?;
            }
            go_on = ask_verifier(
                config.client_verifier.as_ref(),
                &chain,
                None,
                ctx.now,
                webpki,
            )?;
            self.neg.peer_certificates = chain;
        }
        self.transcript.add(raw, &mut io.buffers.transcript);
        let next = ExpectClientKeyExchange {
            neg: self.neg,
            transcript: self.transcript,
            kx: self.kx,
        };
        Ok(if go_on {
            State::ExpectClientKeyExchange(next)
        } else {
            State::AwaitVerdict(next)
        })
    }
}

impl ExpectClientKeyExchange {
    fn handle(
        mut self,
        ctx: &ServerContext,
        io: &mut Io<'_>,
        body: &[u8],
        raw: &[u8],
    ) -> Result<State, Error> {
        match self.kx {
            OurKeyExchange::Psk => {
                let (identity, _) = decode_psk_client_key_exchange(body, false)?;
                let key = psk_for(ctx, io, identity)?;
                let mut buf = zeroize::Zeroizing::new([0u8; crate::psk::MAX_PREMASTER_LEN]);
                let n = crate::psk::premaster(None, &key, &mut buf)?;
                let premaster = Premaster::new(buf.get(..n).unwrap_or_default())?;
                io.keep_psk_identity(identity)?;
                self.transcript.add(raw, &mut io.buffers.transcript);
                keys_agreed(io, self.neg, self.transcript, &premaster)
            }
            OurKeyExchange::EcdhePsk(key_share) => {
                let (identity, public) = decode_psk_client_key_exchange(body, true)?;
                let public = public.ok_or(Error::Decode("ClientKeyExchange"))?;
                let key = psk_for(ctx, io, identity)?;
                let mut buf = zeroize::Zeroizing::new([0u8; crate::psk::MAX_PREMASTER_LEN]);
                let n = key_share
                    .agree(public, |z| crate::psk::premaster(Some(z), &key, &mut buf))??;
                let premaster = Premaster::new(buf.get(..n).unwrap_or_default())?;
                io.keep_psk_identity(identity)?;
                self.transcript.add(raw, &mut io.buffers.transcript);
                keys_agreed(io, self.neg, self.transcript, &premaster)
            }
            OurKeyExchange::Ecdhe(key_share) => {
                let public = decode_ecdh_public(body)?;
                let premaster = key_share.agree(public, Premaster::new)??;
                self.transcript.add(raw, &mut io.buffers.transcript);
                keys_agreed(io, self.neg, self.transcript, &premaster)
            }
            OurKeyExchange::Rsa { client_version } => {
                let encrypted = decode_encrypted_premaster(body)?;
                let mut fallback = zeroize::Zeroizing::new([0u8; rsa_kx::PREMASTER_LEN - 2]);
                io.fill_random(&mut *fallback)?;
                self.transcript.add(raw, &mut io.buffers.transcript);
                Ok(State::AwaitDecryption(AwaitDecryption {
                    neg: self.neg,
                    transcript: self.transcript,
                    client_version,
                    encrypted: SharedList::heap_copy(encrypted)?,
                    fallback,
                }))
            }
        }
    }
}

/// The key for the identity a client named (RFC 4279 §2). An identity the
/// store does not know gets a random key drawn beforehand, so that the
/// handshake goes on and fails at the client's Finished exactly as with a
/// wrong key, unless the configuration reveals unknown identities
/// (`unknown_psk_identity`).
fn psk_for(ctx: &ServerContext, io: &Io<'_>, identity: &[u8]) -> Result<crate::psk::Psk, Error> {
    let config = &ctx.config;
    let store = config
        .psk_store
        .as_ref()
        .ok_or(Error::Internal("a PSK suite without a store"))?;
    // Drawn whether it is needed or not: no timing difference.
    let stand_in = crate::psk::Psk::random(io.random)?;
    match store.key(identity) {
        Some(key) => Ok(key),
        None if config.reveal_unknown_psk_identity => Err(Error::UnknownPskIdentity),
        None => Ok(stand_in),
    }
}

/// The premaster secret is agreed and ClientKeyExchange is in the
/// transcript: the keys are derived and wait for the client's
/// ChangeCipherSpec.
fn keys_agreed(
    io: &mut Io<'_>,
    neg: Negotiated,
    mut transcript: Transcript,
    premaster: &Premaster,
) -> Result<State, Error> {
    let master = neg.master_secret(premaster, &transcript)?;
    neg.install_keys(io, &master, Role::Server)?;
    // RFC 5246 §7.4.8: a client that sent a certificate proves it owns
    // the key with CertificateVerify.
    if peer_leaf(&neg.peer_certificates, io.buffers).is_none() {
        // No CertificateVerify comes: nothing more to keep.
        transcript.stop_keeping();
        io.buffers.transcript.release();
        Ok(State::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
            neg,
            transcript,
            master,
            reply_due: true,
        }))
    } else {
        Ok(State::ExpectCertificateVerify(ExpectCertificateVerify {
            neg,
            transcript,
            master,
        }))
    }
}

impl ExpectCertificateVerify {
    fn handle(
        mut self,
        ctx: &ServerContext,
        io: &mut Io<'_>,
        cv: DigitallySigned<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        // RFC 5246 §7.4.8: the scheme must be one our CertificateRequest
        // listed; the signature covers every handshake message so far.
        if !ctx.config.signature_schemes.contains(&cv.scheme) {
            return Err(Error::IllegalParameter(
                "CertificateVerify signed with a scheme we did not request",
            ));
        }
        io.buffers.transcript.written_whole("transcript area")?;
        let signed = self
            .transcript
            .buffer(io.buffers.transcript.as_slice())
            .ok_or(Error::Internal("handshake messages not kept"))?;
        verify_leaf_signature(
            peer_leaf(&self.neg.peer_certificates, io.buffers),
            cv.scheme,
            signed,
            cv.signature,
            "CertificateVerify",
        )?;
        self.neg.client_scheme = Some(cv.scheme);
        self.transcript.add(raw, &mut io.buffers.transcript);
        self.transcript.stop_keeping();
        io.buffers.transcript.release();
        Ok(State::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
            neg: self.neg,
            transcript: self.transcript,
            master: self.master,
            reply_due: true,
        }))
    }
}

impl ExpectFinished {
    fn handle(
        mut self,
        ctx: &ServerContext,
        io: &mut Io<'_>,
        msg: Message<'_>,
    ) -> Result<crate::info::HandshakeInfo, Error> {
        self.neg.check_peer_finished(
            &self.master,
            FinishedLabel::Client,
            &mut self.transcript,
            &mut io.buffers.transcript,
            msg,
        )?;
        if !ctx.config.keeps_peer_certificates() {
            // Verified and used; not kept (nor stored with the session).
            self.neg.peer_certificates = SharedList::empty();
        }
        if self.reply_due {
            // Full handshake: the session is now proven; remember it, if a
            // ticket or the cache will keep it.
            let cached = !self.neg.session_id.is_empty();
            if self.neg.ticket_promised || cached {
                let session = self
                    .neg
                    .session(&self.master, ctx.now.as_secs(), io.buffers);
                if self.neg.ticket_promised {
                    send_ticket(ctx, io, &mut self.transcript, &session)?;
                }
                #[cfg(feature = "std")]
                if let Some(cache) = &ctx.config.session_cache {
                    if cached {
                        cache.put(self.neg.session_id.as_slice(), session);
                    }
                }
            }
            self.neg.send_ccs_and_finished(
                io,
                &self.master,
                FinishedLabel::Server,
                &mut self.transcript,
            )?;
        }
        Ok(self.neg.into_info(io.buffers))
    }
}
