//! The client's handshake (RFC 5246 §7.3).
//!
//! Full handshake:
//!
//! ```text
//! ClientHello        -->
//!                    <--  ServerHello, Certificate, ServerKeyExchange,
//!                         [CertificateRequest], ServerHelloDone
//! [Certificate], ClientKeyExchange, [CertificateVerify],
//! ChangeCipherSpec, Finished -->
//!                    <--  [NewSessionTicket], ChangeCipherSpec, Finished
//! ```
//!
//! Abbreviated handshake, when the server resumes the session we offered:
//!
//! ```text
//! ClientHello        -->
//!                    <--  ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished
//! ChangeCipherSpec, Finished -->
//! ```

use crate::shared::{List as SharedList, Shared};
#[cfg(feature = "std")]
use alloc::borrow::Cow;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::table::ClientStage;
use super::{
    ask_verifier, copy_chain, emit, emit_with, peer_leaf, verify_leaf_signature,
    with_borrowed_chain, HandshakeBuffers, Io, Message, Negotiated, Next, OpRequest, Premaster,
    Role, SignedParams, Transition,
};
use crate::codec::enums::{
    ClientCertificateType, Compression, EcPointFormat, HandshakeType, MaxFragmentLength,
    ProtocolVersion, SignatureScheme,
};
use crate::codec::extensions::{ClientExtension, ServerExtension, ServerNameList};
use crate::codec::handshake::{
    decode_psk_server_key_exchange, encode_ecdh_public, encode_encrypted_premaster,
    encode_psk_client_key_exchange, CertificateMsg, ClientHello, DigitallySigned,
    EcdheServerKeyExchange, HandshakeMessage, Random, ServerHello, SessionId,
};
use crate::codec::handshake::{CertificateRequest, NewSessionTicket};
use crate::codec::list::{List, ListBuf};
use crate::config::{ClientConfig, Identity};
use crate::crypto::keys::{FinishedLabel, MasterSecret};
use crate::crypto::kx::KeyShare;
use crate::crypto::rsa_kx;
use crate::crypto::signature::webpki_algorithms;
use crate::crypto::suites::{self, AuthAlgorithm, KeyExchangeAlgorithm};
use crate::crypto::transcript::{HelloTranscript, Transcript};
use crate::error::{CertificateError, Error};
use crate::record::layer::RecordLimits;
use crate::session::ClientSession;
use crate::verify::{certificate_issuer, certificate_key_type, verify_server_chain};
use ring::agreement;

/// How long a client offers a session for, at most (RFC 5246 §F.1.4
/// suggests an upper limit of 24 hours for session IDs).
#[cfg_attr(not(feature = "std"), allow(dead_code))] // resumption needs std
const CLIENT_SESSION_LIFETIME_SECS: u64 = 24 * 3600;

/// What the client knows for the whole connection.
pub(crate) struct ClientContext {
    pub(crate) config: Shared<ClientConfig>,
    pub(crate) server_name: ServerName<'static>,
    pub(crate) now: UnixTime,
}

impl ClientContext {
    fn sni(&self) -> Option<&str> {
        // RFC 6066 §3: literal IP addresses are not permitted in HostName.
        match &self.server_name {
            ServerName::DnsName(name) if self.config.enable_sni => Some(name.as_ref()),
            _ => None,
        }
    }

    /// The key under which sessions with this server are stored.
    #[cfg(feature = "std")]
    fn session_key(&self) -> Cow<'_, str> {
        match &self.server_name {
            ServerName::DnsName(name) => Cow::Borrowed(name.as_ref()),
            ServerName::IpAddress(ip) => Cow::Owned(alloc::format!("{:?}", ip)),
            _ => Cow::Borrowed(""),
        }
    }

    /// A stored session for this server that may still be offered.
    fn cached_session(&self) -> Option<Shared<ClientSession>> {
        #[cfg(feature = "std")]
        {
            let cs = self
                .config
                .session_cache
                .as_ref()?
                .get(&self.session_key())?;
            let lifetime = match (&cs.ticket, cs.lifetime_hint) {
                (Some(_), hint) if hint > 0 => u64::from(hint).min(CLIENT_SESSION_LIFETIME_SECS),
                _ => CLIENT_SESSION_LIFETIME_SECS,
            };
            // RFC 7627 §5.3: only sessions with the extended master secret
            // are worth offering; the server would refuse the others.
            let usable = cs.session.alive(self.now.as_secs(), lifetime)
                && cs.session.extended_master_secret
                && self.config.cipher_suites.contains(&cs.session.suite)
                && (cs.ticket.is_some() || !cs.session_id.is_empty());
            usable.then_some(cs.into())
        }
        #[cfg(not(feature = "std"))]
        {
            None
        }
    }

    fn store_session(&self, session: Option<ClientSession>) {
        #[cfg(feature = "std")]
        if let Some(cache) = &self.config.session_cache {
            match session {
                Some(s) => cache.put(&self.session_key(), s),
                None => cache.remove(&self.session_key()),
            }
        }
        #[cfg(not(feature = "std"))]
        let _ = session;
    }

    /// Whether a session cache is configured.
    fn caches_sessions(&self) -> bool {
        #[cfg(feature = "std")]
        {
            self.config.session_cache.is_some()
        }
        #[cfg(not(feature = "std"))]
        {
            false
        }
    }

    fn tickets_enabled(&self) -> bool {
        #[cfg(feature = "std")]
        {
            self.config.enable_tickets && self.config.session_cache.is_some()
        }
        #[cfg(not(feature = "std"))]
        {
            false
        }
    }
}

/// The client's handshake states, each with the data its next step needs.
/// Which input each accepts is [`ClientStage::on`]; once the handshake is
/// complete the connection holds no state machine at all.
// Variants differ in size (the hello transcript runs two hashes); the
// connection boxes the state once per handshake, so the enum stays unboxed.
#[allow(clippy::large_enum_variant)]
// Named for what each waits for, as in the table and RFC 5246 §7.3.
#[allow(clippy::enum_variant_names)]
pub(crate) enum State {
    ExpectServerHello(ExpectServerHello),
    ExpectCertificate(ExpectCertificate),
    ExpectServerKeyExchange(ExpectServerKeyExchange),
    /// A plain PSK suite: ServerKeyExchange (a hint) or ServerHelloDone.
    ExpectPskServerKeyExchange(ExpectServerKeyExchange),
    /// `requested` is `None`: a CertificateRequest may still come.
    ExpectCertificateRequest(ExpectServerHelloDone),
    /// `requested` is set.
    ExpectServerHelloDone(ExpectServerHelloDone),
    AwaitSignature(AwaitSignature),
    /// The chain is in; the caller's verdict on it is awaited.
    AwaitVerdict(ExpectServerKeyExchange),
    /// The server acknowledged status_request: CertificateStatus may come
    /// before ServerKeyExchange (RFC 6066 §8).
    ExpectCertificateStatus(ExpectServerKeyExchange),
    /// As `ExpectCertificateStatus`, with RSA key transport: the premaster
    /// is already encrypted, and no ServerKeyExchange comes.
    ExpectKeyTransportStatus(ExpectServerHelloDone),
    ExpectNewSessionTicket(ExpectNewSessionTicket),
    ExpectChangeCipherSpec(ExpectChangeCipherSpec),
    ExpectFinished(ExpectFinished),
}

/// A state method named by the client's table: it takes the state the
/// table row is for and the message, decodes the message's body and returns
/// the next state.
pub(crate) type Handler = Transition<State, ClientContext>;

/// The state a handler was given is not the one its table row names.
fn mismatch() -> Error {
    Error::Internal("client state and transition table disagree")
}

pub(crate) struct ExpectServerHello {
    transcript: HelloTranscript,
    client_random: [u8; 32],
    /// The session offered for resumption, and the ID we sent with it.
    offered: Option<(Shared<ClientSession>, SessionId)>,
    ticket_extension_sent: bool,
}

pub(crate) struct ExpectCertificate {
    neg: Negotiated,
    transcript: Transcript,
}

pub(crate) struct ExpectServerKeyExchange {
    neg: Negotiated,
    transcript: Transcript,
}

/// What we answer a CertificateRequest with (RFC 5246 §7.4.4), decided
/// when it arrives, so that nothing of it need be kept: the identity (its
/// index in `client_identities`) and the scheme its key signs with, or
/// none (an empty Certificate, RFC 5246 §7.4.6).
pub(crate) struct Requested {
    chosen: Option<(usize, SignatureScheme)>,
}

pub(crate) struct ExpectServerHelloDone {
    neg: Negotiated,
    transcript: Transcript,
    /// What our ClientKeyExchange will carry.
    kx: OurKeyExchange,
    premaster: Premaster,
    requested: Option<Requested>,
}

/// The body of our ClientKeyExchange, made as soon as the server's key
/// exchange (or, for RSA, its certificate) is in.
pub(crate) enum OurKeyExchange {
    /// Our ECDH public key (RFC 8422 §5.7).
    Ecdhe(agreement::PublicKey),
    /// The premaster secret encrypted to the server's RSA key (RFC 5246
    /// §7.4.7.1).
    Rsa(rsa_kx::Encrypted),
    /// Our pre-shared key's identity, which `Negotiated::psk_identity`
    /// holds (RFC 4279 §2).
    Psk,
    /// That identity and our ECDH public key (RFC 5489 §2).
    EcdhePsk(agreement::PublicKey),
}

/// Certificate and ClientKeyExchange are sent; the caller is making the
/// CertificateVerify signature over every handshake message so far.
pub(crate) struct AwaitSignature {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
    scheme: SignatureScheme,
    /// The chain whose key signs, to check the answer with.
    chain: SharedList<CertificateDer<'static>>,
}

/// What is left to do once the server's Finished checks out. The keys are
/// already pending in the record layer.
pub(crate) struct Pending {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
    /// Our CCS and Finished are still to send (abbreviated handshake).
    reply_due: bool,
    /// A ticket from NewSessionTicket, with its lifetime hint.
    ticket: Option<(SharedList<u8>, u32)>,
}

pub(crate) struct ExpectNewSessionTicket(Pending);
pub(crate) struct ExpectChangeCipherSpec(Pending);
pub(crate) struct ExpectFinished(Pending);

/// Sends the ClientHello and returns the first state.
pub(crate) fn start(ctx: &ClientContext, io: &mut Io<'_>) -> Result<State, Error> {
    let config = &ctx.config;
    let mut client_random = [0u8; 32];
    io.fill_random(&mut client_random)?;

    // A ticket too long for the extension block beside everything else we
    // send (RFC 5246 §7.4.1.2), or for the room where the hello is encoded
    // (an area the caller lent), is not offered: a full handshake instead.
    let sni_len = ctx.sni().map_or(0, str::len);
    let extensions_len = config.hello_extensions_len(sni_len);
    // The message header, version, random, a 32-byte session ID, the
    // suites, null compression and the extensions' length.
    let hello_len = 4 + 2 + 32 + 33 + (2 + 2 * config.cipher_suites.len()) + 2 + 2;
    let room = crate::config::MAX_EXTENSIONS_LEN
        .saturating_sub(extensions_len)
        .min(
            io.buffers
                .encode
                .limit()
                .saturating_sub(hello_len + extensions_len),
        );
    let offered = ctx
        .cached_session()
        .filter(|cs| cs.ticket.as_ref().map_or(true, |t| t.len() <= room));
    let session_id = match &offered {
        // RFC 5077 §3.4: with a ticket, a fresh random ID lets us tell from
        // the ServerHello whether the ticket was accepted.
        Some(cs) if cs.ticket.is_some() => {
            let mut id = [0u8; 32];
            io.fill_random(&mut id)?;
            SessionId::new(&id).unwrap_or_default()
        }
        Some(cs) => SessionId::new(&cs.session_id).unwrap_or_default(),
        None => SessionId::EMPTY,
    };

    let mut extensions = ListBuf::<_, 11>::new(ClientExtension::ExtendedMasterSecret);
    if let Some(name) = ctx.sni() {
        // Kept now, for the handshake's report: an area too short for it
        // fails here, before anything is sent.
        io.keep_name(name)?;
        extensions.push(ClientExtension::ServerName(ServerNameList::HostName(
            name.as_bytes(),
        )))?;
    }
    // The lists are borrowed from the configuration: nothing is copied to
    // build the hello.
    extensions.push(ClientExtension::SupportedGroups(List::borrowed(
        &config.groups,
    )))?;
    // RFC 8422 §5.1.2: uncompressed is the only format we accept.
    extensions.push(ClientExtension::EcPointFormats(List::borrowed(&[
        EcPointFormat::Uncompressed,
    ])))?;
    extensions.push(ClientExtension::SignatureAlgorithms(List::borrowed(
        &config.signature_schemes,
    )))?;
    if !config.alpn_protocols.is_empty() {
        extensions.push(ClientExtension::AlpnOffer(&config.alpn_protocols))?;
    }
    // RFC 7627 §5.1: always offered, required or not.
    extensions.push(ClientExtension::ExtendedMasterSecret)?;
    // RFC 5746 §3.4: the empty extension signals secure renegotiation support.
    extensions.push(ClientExtension::RenegotiationInfo(&[]))?;
    let ticket_extension_sent = ctx.tickets_enabled();
    if ticket_extension_sent {
        // RFC 5077 §3.2: empty asks for a ticket; non-empty presents one.
        let ticket = offered
            .as_ref()
            .and_then(|cs| cs.ticket.as_deref())
            .unwrap_or_default();
        extensions.push(ClientExtension::SessionTicket(ticket))?;
    }
    if config.request_ocsp {
        extensions.push(ClientExtension::StatusRequest(
            &crate::codec::extensions::OCSP_STATUS_REQUEST,
        ))?;
    }
    if let Some(len) = config.max_fragment_length {
        extensions.push(ClientExtension::MaxFragmentLength(len))?;
    }
    if let Some(limit) = config.record_size_limit {
        extensions.push(ClientExtension::RecordSizeLimit(limit))?;
    }

    let hello = ClientHello {
        client_version: ProtocolVersion::Tls12,
        random: Random(client_random),
        session_id,
        cipher_suites: List::borrowed(&config.cipher_suites),
        compression_methods: List::borrowed(&[Compression::Null]),
        extensions: extensions.as_list(),
        extensions_present: true,
    };
    // ring signs whole messages, so CertificateVerify needs them all.
    let mut transcript = HelloTranscript::new(!config.client_identities.is_empty());
    emit(io, &mut transcript, &HandshakeMessage::ClientHello(hello))?;
    Ok(State::ExpectServerHello(ExpectServerHello {
        transcript,
        client_random,
        offered: offered.map(|cs| (cs, session_id)),
        ticket_extension_sent,
    }))
}

impl State {
    /// What this state asks the caller for, if it is paused; `kept`, the
    /// messages kept for a CertificateVerify.
    pub(crate) fn operation<'a>(&'a self, kept: &'a [u8]) -> Option<OpRequest<'a>> {
        use crate::keyop::OperationKind;
        match self {
            Self::AwaitSignature(s) => Some(OpRequest {
                kind: OperationKind::Sign(s.scheme),
                message: s.transcript.buffer(kept).unwrap_or_default(),
                chain: &[],
                hello: None,
            }),
            Self::AwaitVerdict(s) => Some(OpRequest {
                kind: OperationKind::VerifyChain,
                message: &[],
                chain: &s.neg.peer_certificates,
                hello: None,
            }),
            _ => None,
        }
    }

    /// This state's row in the client's table.
    pub(crate) fn stage(&self) -> ClientStage {
        match self {
            Self::ExpectServerHello(_) => ClientStage::ExpectServerHello,
            Self::ExpectCertificate(_) => ClientStage::ExpectCertificate,
            Self::ExpectServerKeyExchange(_) => ClientStage::ExpectServerKeyExchange,
            Self::ExpectPskServerKeyExchange(_) => ClientStage::ExpectPskServerKeyExchange,
            Self::ExpectCertificateRequest(_) => ClientStage::ExpectCertificateRequest,
            Self::ExpectServerHelloDone(_) => ClientStage::ExpectServerHelloDone,
            Self::AwaitSignature(_) => ClientStage::AwaitSignature,
            Self::AwaitVerdict(_) => ClientStage::AwaitVerdict,
            Self::ExpectCertificateStatus(_) => ClientStage::ExpectCertificateStatus,
            Self::ExpectKeyTransportStatus(_) => ClientStage::ExpectKeyTransportStatus,
            Self::ExpectNewSessionTicket(_) => ClientStage::ExpectNewSessionTicket,
            Self::ExpectChangeCipherSpec(_) => ClientStage::ExpectChangeCipherSpec,
            Self::ExpectFinished(_) => ClientStage::ExpectFinished,
        }
    }
}

// The state methods the client's table names, in handshake order. Each
// decodes the body of the one message type its row accepts.

pub(crate) fn server_hello(
    state: State,
    ctx: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectServerHello(s) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg.decode("ServerHello")?, msg.raw)
        .map(Next::State)
}

pub(crate) fn certificate(
    state: State,
    ctx: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectCertificate(s) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg.decode("Certificate")?, msg.raw)
        .map(Next::State)
}

pub(crate) fn server_key_exchange(
    state: State,
    ctx: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let (State::ExpectServerKeyExchange(s) | State::ExpectCertificateStatus(s)) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg.body, msg.raw).map(Next::State)
}

/// RFC 4279 §2: a plain PSK server's ServerKeyExchange carries only its
/// identity hint.
pub(crate) fn psk_server_key_exchange(
    state: State,
    ctx: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectPskServerKeyExchange(mut s) = state else {
        return Err(mismatch());
    };
    let (hint, _) = decode_psk_server_key_exchange(msg.body, false)?;
    s.transcript.add(msg.raw, &mut io.buffers.transcript);
    s.psk_key_exchange(ctx, io, Some(hint), None)
        .map(|next| Next::State(State::ExpectServerHelloDone(next)))
}

/// RFC 6066 §8: the stapled OCSP response, kept as received for
/// `HandshakeInfo::ocsp_response` (verifying it is the caller's business).
pub(crate) fn certificate_status(
    state: State,
    _: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let status: crate::codec::handshake::CertificateStatus<'_> = msg.decode("CertificateStatus")?;
    let response = Some(crate::shared::List::collected(
        status.ocsp_response.iter().copied(),
    ));
    match state {
        State::ExpectCertificateStatus(mut s) => {
            s.neg.ocsp_response = response;
            s.transcript.add(msg.raw, &mut io.buffers.transcript);
            Ok(Next::State(State::ExpectServerKeyExchange(s)))
        }
        State::ExpectKeyTransportStatus(mut s) => {
            s.neg.ocsp_response = response;
            s.transcript.add(msg.raw, &mut io.buffers.transcript);
            Ok(Next::State(State::ExpectCertificateRequest(s)))
        }
        _ => Err(mismatch()),
    }
}

pub(crate) fn certificate_request(
    state: State,
    ctx: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let (State::ExpectCertificateRequest(mut s) | State::ExpectKeyTransportStatus(mut s)) = state
    else {
        return Err(mismatch());
    };
    let req: CertificateRequest<'_> = msg.decode("CertificateRequest")?;
    s.requested = Some(Requested {
        chosen: choose_identity(
            &ctx.config.client_identities,
            &req,
            ctx.config.match_certificate_authorities,
        ),
    });
    s.transcript.add(msg.raw, &mut io.buffers.transcript);
    Ok(Next::State(State::ExpectServerHelloDone(s)))
}

pub(crate) fn server_hello_done(
    state: State,
    ctx: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let s = match state {
        State::ExpectCertificateRequest(s)
        | State::ExpectServerHelloDone(s)
        | State::ExpectKeyTransportStatus(s) => s,
        // RFC 4279 §2: no ServerKeyExchange, so no hint.
        State::ExpectPskServerKeyExchange(s) => s.psk_key_exchange(ctx, io, None, None)?,
        _ => return Err(mismatch()),
    };
    crate::codec::Reader::new(msg.body).expect_empty("ServerHelloDone")?;
    s.handle(ctx, io, msg.raw).map(Next::State)
}

pub(crate) fn signature(
    state: State,
    _: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::AwaitSignature(mut s) = state else {
        return Err(mismatch());
    };
    let signed = s
        .transcript
        .buffer(io.buffers.transcript.as_slice())
        .ok_or(Error::Internal("handshake messages not kept"))?;
    // Checked with our own certificate before it goes out: a wrong key, a
    // wrong scheme or a damaged signature fails here, not at the peer.
    verify_leaf_signature(
        s.chain.first().map(|c| c.as_ref()),
        s.scheme,
        signed,
        msg.body,
        "CertificateVerify",
    )
    .map_err(|_| {
        Error::OperationFailed("the caller's signature does not verify with our certificate")
    })?;
    let cv = DigitallySigned {
        scheme: s.scheme,
        signature: msg.body,
    };
    emit(
        io,
        &mut s.transcript,
        &HandshakeMessage::CertificateVerify(cv),
    )?;
    end_flight(io, s.neg, s.transcript, s.master).map(Next::State)
}

pub(crate) fn verdict(
    state: State,
    _: &ClientContext,
    io: &mut Io<'_>,
    _: Message<'_>,
) -> Result<Next<State>, Error> {
    // Only an accepting verdict gets here; a refusal fails the connection.
    let State::AwaitVerdict(s) = state else {
        return Err(mismatch());
    };
    s.chain_accepted(io).map(Next::State)
}

pub(crate) fn new_session_ticket(
    state: State,
    _: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectNewSessionTicket(ExpectNewSessionTicket(mut p)) = state else {
        return Err(mismatch());
    };
    let t: NewSessionTicket<'_> = msg.decode("NewSessionTicket")?;
    // RFC 5077 §3.3: an empty ticket means the server will not issue one
    // after all.
    if !t.ticket.is_empty() {
        p.ticket = Some((
            SharedList::collected(t.ticket.iter().copied()),
            t.lifetime_hint,
        ));
    }
    p.transcript.add(msg.raw, &mut io.buffers.transcript);
    Ok(Next::State(State::ExpectChangeCipherSpec(
        ExpectChangeCipherSpec(p),
    )))
}

pub(crate) fn change_cipher_spec(
    state: State,
    _: &ClientContext,
    io: &mut Io<'_>,
    _: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectChangeCipherSpec(ExpectChangeCipherSpec(p)) = state else {
        return Err(mismatch());
    };
    io.activate_read()?;
    Ok(Next::State(State::ExpectFinished(ExpectFinished(p))))
}

pub(crate) fn finished(
    state: State,
    ctx: &ClientContext,
    io: &mut Io<'_>,
    msg: Message<'_>,
) -> Result<Next<State>, Error> {
    let State::ExpectFinished(s) = state else {
        return Err(mismatch());
    };
    s.handle(ctx, io, msg).map(Next::Done)
}

/// After our Finished or the server's ServerHello, wait for the ticket if one
/// was promised, else for ChangeCipherSpec.
fn next_after_keys(p: Pending) -> State {
    if p.neg.ticket_promised {
        State::ExpectNewSessionTicket(ExpectNewSessionTicket(p))
    } else {
        State::ExpectChangeCipherSpec(ExpectChangeCipherSpec(p))
    }
}

impl ExpectServerHello {
    fn handle(
        self,
        ctx: &ClientContext,
        io: &mut Io<'_>,
        sh: ServerHello<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let config = &ctx.config;
        // RFC 5246 §7.4.1.3: the server answers with the version it chose;
        // we offered only 1.2, so anything else is a refusal to speak it.
        if sh.server_version != ProtocolVersion::Tls12 {
            return Err(Error::UnsupportedVersion {
                peer: sh.server_version,
            });
        }
        let suite = config
            .cipher_suites
            .contains(&sh.cipher_suite)
            .then(|| suites::lookup(sh.cipher_suite))
            .flatten()
            .ok_or(Error::IllegalParameter(
                "server chose a cipher suite we did not offer",
            ))?;
        if sh.compression_method != Compression::Null {
            return Err(Error::IllegalParameter(
                "server chose a compression method we did not offer",
            ));
        }

        let mut neg = Negotiated {
            suite,
            client_random: self.client_random,
            server_random: sh.random.0,
            extended_master_secret: false,
            secure_renegotiation: false,
            group: None,
            scheme: None,
            peer_certificates: SharedList::empty(),
            session_id: sh.session_id,
            ticket_promised: false,
            resumed: false,
            stapling: false,
            ocsp_response: None,
            chain_index: None,
            client_scheme: None,
        };
        let mut mfl_answer = None;
        let mut rsl_answer = None;
        // RFC 5246 §7.4.1.4: a server may only send extensions the client
        // offered; anything else is unsupported_extension.
        for ext in sh.extensions.iter() {
            match ext {
                ServerExtension::ServerNameAck if ctx.sni().is_some() => {}
                ServerExtension::EcPointFormats(formats) => {
                    // RFC 8422 §5.2: the server's list must allow uncompressed.
                    if !formats.contains(&EcPointFormat::Uncompressed) {
                        return Err(Error::IllegalParameter(
                            "ec_point_formats does not include uncompressed",
                        ));
                    }
                }
                ServerExtension::Alpn(proto) if !config.alpn_protocols.is_empty() => {
                    // RFC 7301 §3.2: the selection must be one we offered.
                    if !config.alpn_protocols.iter().any(|p| p == proto) {
                        return Err(Error::IllegalParameter(
                            "server selected an ALPN protocol we did not offer",
                        ));
                    }
                    io.keep_alpn(proto)?;
                }
                ServerExtension::ExtendedMasterSecret => neg.extended_master_secret = true,
                ServerExtension::RenegotiationInfo(data) => {
                    // RFC 5746 §3.4: on an initial handshake it must be empty.
                    if !data.is_empty() {
                        return Err(Error::HandshakeFailure(
                            "renegotiation_info is not empty on the initial handshake",
                        ));
                    }
                    neg.secure_renegotiation = true;
                }
                ServerExtension::SessionTicketAck if self.ticket_extension_sent => {
                    neg.ticket_promised = true;
                }
                ServerExtension::StatusRequestAck if config.request_ocsp => neg.stapling = true,
                // RFC 5246 §7.4.1.4 lets a server send any extension we
                // offered; supported_groups means nothing in a TLS 1.2
                // ServerHello (RFC 8422 §5.2 sends none), so it is ignored.
                ServerExtension::Unknown { typ, .. }
                    if typ == crate::codec::enums::ExtensionType::SupportedGroups.to_wire() => {}
                ServerExtension::MaxFragmentLength(len) if config.max_fragment_length.is_some() => {
                    mfl_answer = Some(len);
                }
                ServerExtension::RecordSizeLimit(limit) if config.record_size_limit.is_some() => {
                    rsl_answer = Some(limit);
                }
                other => return Err(Error::UnsupportedExtension(other.typ().to_wire())),
            }
        }
        if config.require_extended_master_secret && !neg.extended_master_secret {
            return Err(Error::HandshakeFailure(
                "server did not negotiate the extended master secret (RFC 7627), which this \
                 configuration requires",
            ));
        }

        io.record.agree_version();
        if let Some(limits) = record_limits(config, mfl_answer, rsl_answer)? {
            io.record.set_limits(limits);
        }
        let mut transcript = self.transcript.into_transcript(suite.hash);
        transcript.add(raw, &mut io.buffers.transcript);

        // RFC 5246 §7.4.1.3 / RFC 5077 §3.4: the server resumes by echoing
        // the session ID we sent with the session.
        if let Some((cs, offered_id)) = self.offered {
            if !sh.session_id.is_empty() && sh.session_id == offered_id {
                return resumed(io, neg, transcript, cs);
            }
            // Not resumed: the old session is of no further use.
            ctx.store_session(None);
        }
        Ok(match suite.kx {
            // RFC 4279 §2: no Certificate; a ServerKeyExchange only if the
            // server has a hint.
            KeyExchangeAlgorithm::Psk => {
                State::ExpectPskServerKeyExchange(ExpectServerKeyExchange { neg, transcript })
            }
            // RFC 5489 §2: no Certificate; an unsigned ServerKeyExchange.
            KeyExchangeAlgorithm::EcdhePsk => {
                State::ExpectServerKeyExchange(ExpectServerKeyExchange { neg, transcript })
            }
            KeyExchangeAlgorithm::Ecdhe | KeyExchangeAlgorithm::Rsa => {
                State::ExpectCertificate(ExpectCertificate { neg, transcript })
            }
        })
    }
}

/// The record sizes the ServerHello agrees to, checked against what we
/// asked for; negotiated afresh on every handshake, resumed or not (RFC
/// 6066 §4).
fn record_limits(
    config: &crate::ClientConfig,
    mfl: Option<MaxFragmentLength>,
    rsl: Option<u16>,
) -> Result<Option<RecordLimits>, Error> {
    match (mfl, rsl, config.record_size_limit) {
        (None, None, _) => Ok(None),
        // RFC 8449 §5: "A server that supports the record_size_limit
        // extension MUST ignore a max_fragment_length that appears in a
        // ClientHello if both extensions appear."
        (Some(_), Some(_), _) => Err(Error::IllegalParameter(
            "server answered both max_fragment_length and record_size_limit (RFC 8449 §5)",
        )),
        (Some(len), None, _) => {
            // RFC 6066 §4: "if a client receives a maximum fragment length
            // negotiation response that differs from the length it
            // requested, it MUST also abort the handshake with an
            // "illegal_parameter" alert."
            if config.max_fragment_length != Some(len) {
                return Err(Error::IllegalParameter(
                    "server answered a different max_fragment_length (RFC 6066 §4)",
                ));
            }
            Ok(Some(RecordLimits {
                send: len.length(),
                receive: len.length(),
                receive_unprotected: true,
            }))
        }
        (None, Some(theirs), Some(ours)) => {
            // RFC 8449 §4: "A client MAY abort the handshake with an
            // "illegal_parameter" alert if the record_size_limit extension
            // includes a value greater than the maximum record size
            // permitted by the negotiated protocol version" (2^14 in TLS 1.2).
            if usize::from(theirs) > crate::record::MAX_PLAINTEXT {
                return Err(Error::IllegalParameter(
                    "server's record_size_limit exceeds 2^14 (RFC 8449 §4)",
                ));
            }
            Ok(Some(RecordLimits {
                send: theirs,
                receive: ours,
                receive_unprotected: false,
            }))
        }
        (None, Some(_), None) => Err(Error::Internal("record_size_limit we did not send")),
    }
}

/// The server accepted our session: keys come from its master secret.
fn resumed(
    io: &mut Io<'_>,
    mut neg: Negotiated,
    transcript: Transcript,
    cs: Shared<ClientSession>,
) -> Result<State, Error> {
    if neg.suite.suite != cs.session.suite {
        return Err(Error::IllegalParameter(
            "server resumed a session with a different cipher suite",
        ));
    }
    // RFC 7627 §5.3: a resumed extended-master-secret session must keep it.
    if cs.session.extended_master_secret && !neg.extended_master_secret {
        return Err(Error::HandshakeFailure(
            "server resumed a session without the extended master secret (RFC 7627 §5.3)",
        ));
    }
    neg.resumed = true;
    neg.peer_certificates = cs.session.peer_certificates.clone();
    neg.scheme = cs.session.signature_scheme;
    neg.group = cs.session.group;
    neg.client_scheme = cs.session.client_scheme;
    neg.ocsp_response = cs.session.ocsp_response.clone();
    if let Some(identity) = &cs.session.psk_identity {
        io.keep_psk_identity(identity)?;
    }
    let master = MasterSecret::from_bytes(*cs.session.master_secret.as_bytes());
    neg.install_keys(io, &master, Role::Client)?;
    Ok(next_after_keys(Pending {
        neg,
        transcript,
        master,
        reply_due: true,
        ticket: None,
    }))
}

impl ExpectCertificate {
    fn handle(
        mut self,
        ctx: &ClientContext,
        io: &mut Io<'_>,
        msg: CertificateMsg<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        // RFC 5246 §7.4.2: every suite we offer requires a server certificate.
        if msg.chain.is_empty() {
            return Err(CertificateError::NoCertificate.into());
        }
        // RFC 5246 §7.4.2: the certificate's key "MUST be appropriate for
        // the selected cipher suite's key exchange algorithm". A key of the
        // other family is refused here rather than at ServerKeyExchange
        // (where its signature could not verify) or at ClientKeyExchange.
        // Keys of a kind we do not know are left to verification.
        if let Some(leaf) = msg.chain.iter().next() {
            use crate::KeyType as K;
            let misfit = matches!(
                (self.neg.suite.auth, certificate_key_type(leaf.as_ref())),
                (AuthAlgorithm::Ecdsa, Some(K::Rsa))
                    | (
                        AuthAlgorithm::Rsa,
                        Some(K::EcdsaP256 | K::EcdsaP384 | K::Ed25519)
                    )
            );
            if misfit {
                return Err(CertificateError::WrongKeyType.into());
            }
        }
        let config = &ctx.config;
        let max_len = config.limits.max_certificate_chain_len;
        let keep = config.keeps_peer_certificates();
        if !keep && config.verifier.is_none() {
            // Nobody sees the chain after this message: check it where it
            // lies and keep only the leaf, whose key signs the
            // ServerKeyExchange (RFC 5246 §7.4.3) or encrypts the premaster
            // (§7.4.7.1).
            let checked = with_borrowed_chain(&msg.chain, max_len, |chain| {
                if !config.dangerous_skip_webpki {
                    verify_server_chain(
                        &config.roots,
                        chain,
                        &ctx.server_name,
                        ctx.now,
                        webpki_algorithms(),
                    )?;
                }
                Ok(())
            });
            if let Some(checked) = checked {
                checked?;
                let leaf = msg.chain.iter().next().ok_or(Error::Internal("no leaf"))?;
                self.transcript.add(raw, &mut io.buffers.transcript);
                io.keep_leaf(leaf.as_ref())?;
                let next = ExpectServerKeyExchange {
                    neg: self.neg,
                    transcript: self.transcript,
                };
                return next.chain_accepted(io);
            }
        }
        // Kept for `HandshakeInfo::peer_certificates`.
        let chain = copy_chain(&msg.chain, max_len)?;
        if !config.dangerous_skip_webpki {
            verify_server_chain(
                &config.roots,
                &chain,
                &ctx.server_name,
                ctx.now,
                webpki_algorithms(),
            )?;
        }
        let go_on = ask_verifier(
            config.verifier.as_ref(),
            &chain,
            Some(&ctx.server_name),
            ctx.now,
            !config.dangerous_skip_webpki,
        )?;
        self.transcript.add(raw, &mut io.buffers.transcript);
        self.neg.peer_certificates = chain;
        let next = ExpectServerKeyExchange {
            neg: self.neg,
            transcript: self.transcript,
        };
        if go_on {
            next.chain_accepted(io)
        } else {
            Ok(State::AwaitVerdict(next))
        }
    }
}

impl ExpectServerKeyExchange {
    /// The server's chain is verified: for ECDHE its key exchange comes
    /// next; for RSA key transport there is none (RFC 5246 §7.4.3), and the
    /// premaster secret is encrypted to the certificate's key now. Either
    /// way, CertificateStatus may come first if the server promised it (RFC
    /// 6066 §8).
    fn chain_accepted(self, io: &mut Io<'_>) -> Result<State, Error> {
        let stapling = self.neg.stapling;
        match self.neg.suite.kx {
            KeyExchangeAlgorithm::Psk | KeyExchangeAlgorithm::EcdhePsk => {
                Err(Error::Internal("a chain for a PSK suite"))
            }
            KeyExchangeAlgorithm::Ecdhe if stapling => Ok(State::ExpectCertificateStatus(self)),
            KeyExchangeAlgorithm::Ecdhe => Ok(State::ExpectServerKeyExchange(self)),
            KeyExchangeAlgorithm::Rsa => {
                let leaf = peer_leaf(&self.neg.peer_certificates, io.buffers)
                    .ok_or(Error::Internal("no server certificate"))?;
                let (encrypted, premaster) = rsa_key_transport(io.random, leaf)?;
                let next = ExpectServerHelloDone {
                    neg: self.neg,
                    transcript: self.transcript,
                    kx: OurKeyExchange::Rsa(encrypted),
                    premaster,
                    requested: None,
                };
                Ok(if stapling {
                    State::ExpectKeyTransportStatus(next)
                } else {
                    State::ExpectCertificateRequest(next)
                })
            }
        }
    }

    /// A PSK suite's key exchange (RFC 4279 §2, RFC 5489 §2): the
    /// identity for the server's `hint` and, for ECDHE_PSK, our share of
    /// the server's `params`, make the premaster secret. The server's
    /// ServerHelloDone comes next (no CertificateRequest with PSK).
    fn psk_key_exchange(
        mut self,
        ctx: &ClientContext,
        io: &mut Io<'_>,
        hint: Option<&[u8]>,
        params: Option<crate::codec::handshake::EcdheParams<'_>>,
    ) -> Result<ExpectServerHelloDone, Error> {
        let config = &ctx.config;
        let chosen = crate::psk::choose_identity(&config.psk_identities, hint).ok_or(
            Error::HandshakeFailure("none of our PSK identities is for the server's identity hint"),
        )?;
        let mut buf = zeroize::Zeroizing::new([0u8; crate::psk::MAX_PREMASTER_LEN]);
        let identity = &chosen.identity[..];
        let kx = match params {
            None => {
                let n = crate::psk::premaster(None, &chosen.key, &mut buf)?;
                let premaster = Premaster::new(buf.get(..n).unwrap_or_default())?;
                (OurKeyExchange::Psk, premaster)
            }
            Some(params) => {
                if !config.groups.contains(&params.group) {
                    return Err(Error::IllegalParameter(
                        "server chose a group we did not offer",
                    ));
                }
                let share = KeyShare::generate(params.group)?;
                let public = share.public_key();
                let n = share.agree(params.public, |z| {
                    crate::psk::premaster(Some(z), &chosen.key, &mut buf)
                })??;
                self.neg.group = Some(params.group);
                let premaster = Premaster::new(buf.get(..n).unwrap_or_default())?;
                (OurKeyExchange::EcdhePsk(public), premaster)
            }
        };
        io.keep_psk_identity(identity)?;
        Ok(ExpectServerHelloDone {
            neg: self.neg,
            transcript: self.transcript,
            kx: kx.0,
            premaster: kx.1,
            requested: None,
        })
    }

    fn handle(
        mut self,
        ctx: &ClientContext,
        io: &mut Io<'_>,
        body: &[u8],
        raw: &[u8],
    ) -> Result<State, Error> {
        let config = &ctx.config;
        if self.neg.suite.kx == KeyExchangeAlgorithm::EcdhePsk {
            let (hint, params) = decode_psk_server_key_exchange(body, true)?;
            self.transcript.add(raw, &mut io.buffers.transcript);
            return self
                .psk_key_exchange(ctx, io, Some(hint), params)
                .map(State::ExpectServerHelloDone);
        }
        let ske = EcdheServerKeyExchange::decode(body)?;
        let group = ske.params.group;
        if !config.groups.contains(&group) {
            return Err(Error::IllegalParameter(
                "server chose a group we did not offer",
            ));
        }
        let scheme = ske.signed.scheme;
        // RFC 5246 §7.4.3: the signature must use a scheme we listed in
        // signature_algorithms, and one that fits the suite's authentication.
        if !config.signature_schemes.contains(&scheme) || !self.neg.suite.auth.allows(scheme) {
            return Err(Error::IllegalParameter(
                "ServerKeyExchange signed with a scheme we did not offer for this suite",
            ));
        }
        // RFC 8422 §5.4: the signature covers both randoms and the params.
        let signed = SignedParams::new(
            &self.neg.client_random,
            &self.neg.server_random,
            ske.params_raw,
        )?;
        verify_leaf_signature(
            peer_leaf(&self.neg.peer_certificates, io.buffers),
            scheme,
            &signed,
            ske.signed.signature,
            "ServerKeyExchange",
        )?;

        let share = KeyShare::generate(group)?;
        let kx = OurKeyExchange::Ecdhe(share.public_key());
        let premaster = share.agree(ske.params.public, Premaster::new)??;
        self.transcript.add(raw, &mut io.buffers.transcript);
        self.neg.group = Some(group);
        self.neg.scheme = Some(scheme);
        Ok(State::ExpectCertificateRequest(ExpectServerHelloDone {
            neg: self.neg,
            transcript: self.transcript,
            kx,
            premaster,
            requested: None,
        }))
    }
}

/// RSA key transport (RFC 5246 §7.4.7.1): a fresh premaster secret, our
/// offered version and 46 random bytes, and its encryption to the server's
/// RSA key, which RFC 5246 §7.4.2 requires to allow key encipherment.
fn rsa_key_transport(
    random: &dyn crate::RandomSource,
    leaf: &[u8],
) -> Result<(rsa_kx::Encrypted, Premaster), Error> {
    if crate::verify::certificate_key_type(leaf) != Some(crate::KeyType::Rsa) {
        return Err(CertificateError::WrongKeyType.into());
    }
    if crate::verify::allows_key_encipherment(leaf) != Some(true) {
        return Err(CertificateError::InvalidPurpose.into());
    }
    let spki = crate::verify::certificate_spki(leaf)
        .ok_or(Error::Certificate(CertificateError::BadEncoding))?;
    let mut secret = zeroize::Zeroizing::new([0u8; rsa_kx::PREMASTER_LEN]);
    // The version we offered, which the server checks (RFC 5246 §7.4.7.1).
    let (version, rest) = secret.split_at_mut(2);
    version.copy_from_slice(&ProtocolVersion::Tls12.to_wire().to_be_bytes());
    random.fill(rest)?;
    let premaster = Premaster::new(&*secret)?;
    let encrypted = rsa_kx::encrypt_premaster(spki, premaster.as_bytes(), random)?;
    Ok((encrypted, premaster))
}

/// The identity to present for a CertificateRequest, with its scheme: the
/// key type must be one the server accepts (RFC 8422 §5.5: ecdsa_sign for
/// ECDSA and EdDSA), a scheme must be in common, and the chain must come
/// from one of the CAs it named, if it named any.
fn choose_identity(
    identities: &[Identity],
    req: &CertificateRequest<'_>,
    match_names: bool,
) -> Option<(usize, SignatureScheme)> {
    identities.iter().enumerate().find_map(|(index, id)| {
        let wanted = match id.key.auth() {
            AuthAlgorithm::Ecdsa => ClientCertificateType::EcdsaSign,
            AuthAlgorithm::Rsa => ClientCertificateType::RsaSign,
            // Keys are ECDSA, EdDSA or RSA; none authenticates by PSK.
            AuthAlgorithm::Psk => return None,
        };
        if !req.certificate_types.contains(&wanted) {
            return None;
        }
        let scheme = id.choose_scheme(&req.signature_schemes)?;
        let issued_by_named_ca = !match_names
            || req.ca_names.is_empty()
            || id.chain.iter().any(|c| {
                certificate_issuer(c.as_ref())
                    .is_some_and(|issuer| req.ca_names.iter().any(|n| n.0 == issuer))
            });
        issued_by_named_ca.then_some((index, scheme))
    })
}

impl ExpectServerHelloDone {
    fn handle(mut self, ctx: &ClientContext, io: &mut Io<'_>, raw: &[u8]) -> Result<State, Error> {
        self.transcript.add(raw, &mut io.buffers.transcript);
        let identity = match &self.requested {
            Some(req) => {
                let chosen = req.chosen.and_then(|(index, scheme)| {
                    let id = ctx.config.client_identities.get(index)?;
                    Some((index, id, scheme))
                });
                // RFC 5246 §7.4.6: with nothing suitable, send an empty list.
                let chain = chosen
                    .map(|(_, id, _)| List::borrowed(&id.chain))
                    .unwrap_or_default();
                emit(
                    io,
                    &mut self.transcript,
                    &HandshakeMessage::Certificate(CertificateMsg { chain }),
                )?;
                chosen
            }
            None => None,
        };
        if let Some((index, _, scheme)) = identity {
            self.neg.chain_index = u32::try_from(index).ok();
            self.neg.client_scheme = Some(scheme);
        }
        // The identity kept, as the configuration holds it (the kept copy
        // is in `io`, which writing the message borrows).
        let kept = io.buffers.psk_identity();
        let psk_identity = ctx
            .config
            .psk_identities
            .iter()
            .map(|p| &p.identity[..])
            .find(|id| Some(*id) == kept)
            .unwrap_or_default();
        emit_with(
            io,
            &mut self.transcript,
            HandshakeType::ClientKeyExchange,
            |out| {
                match &self.kx {
                    OurKeyExchange::Ecdhe(public) => encode_ecdh_public(public.as_ref(), out),
                    OurKeyExchange::Rsa(encrypted) => encode_encrypted_premaster(encrypted, out),
                    OurKeyExchange::Psk => encode_psk_client_key_exchange(psk_identity, None, out),
                    OurKeyExchange::EcdhePsk(public) => {
                        encode_psk_client_key_exchange(psk_identity, Some(public.as_ref()), out)
                    }
                }
                Ok(())
            },
        )?;
        let master = self.neg.master_secret(&self.premaster, &self.transcript)?;

        if let Some((_, id, scheme)) = identity {
            // Every message the CertificateVerify signs, whole in the room
            // kept for them (a lent area may be too short).
            io.buffers.transcript.written_whole("transcript area")?;
            if id.key.is_held_by_caller() {
                return Ok(State::AwaitSignature(AwaitSignature {
                    neg: self.neg,
                    transcript: self.transcript,
                    master,
                    scheme,
                    chain: id.chain.clone(),
                }));
            }
            // RFC 5246 §7.4.8: sign every handshake message so far.
            let signed = self
                .transcript
                .buffer(io.buffers.transcript.as_slice())
                .ok_or(Error::Internal("handshake messages not kept"))?;
            let signature = id.key.sign(scheme, signed)?;
            let cv = DigitallySigned {
                scheme,
                signature: &signature,
            };
            emit(
                io,
                &mut self.transcript,
                &HandshakeMessage::CertificateVerify(cv),
            )?;
        }
        end_flight(io, self.neg, self.transcript, master)
    }
}

/// The end of the client's flight: ChangeCipherSpec and Finished.
fn end_flight(
    io: &mut Io<'_>,
    neg: Negotiated,
    mut transcript: Transcript,
    master: MasterSecret,
) -> Result<State, Error> {
    transcript.stop_keeping();
    io.buffers.transcript.release();
    neg.install_keys(io, &master, Role::Client)?;
    neg.send_ccs_and_finished(io, &master, FinishedLabel::Client, &mut transcript)?;
    Ok(next_after_keys(Pending {
        neg,
        transcript,
        master,
        reply_due: false,
        ticket: None,
    }))
}

impl ExpectFinished {
    fn handle(
        self,
        ctx: &ClientContext,
        io: &mut Io<'_>,
        msg: Message<'_>,
    ) -> Result<crate::info::HandshakeInfo, Error> {
        let mut p = self.0;
        p.neg.check_peer_finished(
            &p.master,
            FinishedLabel::Server,
            &mut p.transcript,
            &mut io.buffers.transcript,
            msg,
        )?;
        if p.reply_due {
            p.neg
                .send_ccs_and_finished(io, &p.master, FinishedLabel::Client, &mut p.transcript)?;
        }
        if !ctx.config.keeps_peer_certificates() {
            // Verified and used; not kept (nor stored with the session).
            p.neg.peer_certificates = SharedList::empty();
        }
        remember(ctx, &p, io.buffers);
        Ok(p.neg.into_info(io.buffers))
    }
}

/// Stores the session for resumption: after a full handshake, or a resumed
/// one that brought a new ticket.
fn remember(ctx: &ClientContext, p: &Pending, buffers: &HandshakeBuffers) {
    if !ctx.caches_sessions() {
        // Nowhere to keep it: building the session would copy the server
        // name and certificate chain only to drop them.
        return;
    }
    let (ticket, lifetime_hint) = match &p.ticket {
        Some((t, hint)) => (Some(t.clone()), *hint),
        None => (None, 0),
    };
    if p.neg.resumed && ticket.is_none() {
        return; // The stored session is still the right one.
    }
    if ticket.is_none() && p.neg.session_id.is_empty() {
        return; // Not resumable.
    }
    let created = if p.neg.resumed {
        // A renewed ticket does not renew the session (the server keeps its
        // original creation time too).
        ctx.cached_session()
            .map_or(ctx.now.as_secs(), |cs| cs.session.created)
    } else {
        ctx.now.as_secs()
    };
    let session = p.neg.session(&p.master, created, buffers);
    ctx.store_session(Some(ClientSession {
        session,
        session_id: SharedList::collected(p.neg.session_id.as_slice().iter().copied()),
        ticket,
        lifetime_hint,
    }));
}

#[cfg(test)]
mod tests {
    use alloc::sync::Arc;
    use alloc::vec;

    use crate::testing;

    /// The extension block of the ClientHello at the start of `wire`.
    fn extensions_len(wire: &[u8]) -> usize {
        let records = testing::split_records(wire);
        let hello = &testing::handshake_messages(&records)[0];
        // type(1) length(3) version(2) random(32) session_id<..>
        let mut at = 4 + 2 + 32;
        at += 1 + usize::from(hello[at]);
        at += 2 + usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]));
        at += 1 + usize::from(hello[at]);
        usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]))
    }

    /// The arithmetic that keeps hellos within RFC 5246 §7.4.1.2's
    /// 65,535-byte extension block matches what the encoder writes.
    #[test]
    fn hello_extensions_len_matches_the_encoding() {
        for (server_name, alpn) in [
            ("localhost", vec![]),
            (
                "a.very.long.name.example",
                vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            ),
            ("127.0.0.1", vec![vec![b'x'; 255]]),
        ] {
            let mut config = testing::client_config();
            config.alpn_protocols = alpn.into();
            config.request_ocsp = server_name == "localhost";
            let config = Arc::new(config);
            let mut c = crate::ClientConnection::new(
                config.clone(),
                testing::name(server_name),
                testing::now(),
            )
            .unwrap();
            let sni_len = if server_name.parse::<core::net::IpAddr>().is_ok() {
                0
            } else {
                server_name.len()
            };
            assert_eq!(
                extensions_len(&testing::take_output(&mut c)),
                config.hello_extensions_len(sni_len),
                "{server_name}"
            );
        }
    }

    /// The session_ticket extension's body in the ClientHello in `wire`.
    fn offered_ticket(wire: &[u8]) -> Option<usize> {
        let records = testing::split_records(wire);
        let hello = &testing::handshake_messages(&records)[0];
        let mut at = 4 + 2 + 32;
        at += 1 + usize::from(hello[at]);
        at += 2 + usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]));
        at += 1 + usize::from(hello[at]);
        let end = at + 2 + usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]));
        at += 2;
        while at < end {
            let typ = u16::from_be_bytes([hello[at], hello[at + 1]]);
            let len = usize::from(u16::from_be_bytes([hello[at + 2], hello[at + 3]]));
            if typ == 35 {
                return Some(len);
            }
            at += 4 + len;
        }
        None
    }

    /// RFC 5077 lets a ticket be 65,535 bytes, more than fits in the
    /// extension block beside our other extensions (RFC 5246 §7.4.1.2): such
    /// a ticket is not offered (the hello asks for a new one instead).
    #[cfg(feature = "std")]
    #[test]
    fn a_ticket_too_long_for_the_hello_is_not_offered() {
        use crate::session::{ClientSession, Session};
        let offer = |ticket_len: usize| {
            let mut config = testing::client_config();
            let cache = Arc::new(crate::ClientSessionCache::new(4));
            cache.put(
                "localhost",
                ClientSession {
                    session: Session {
                        suite: crate::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                        extended_master_secret: true,
                        master_secret: crate::crypto::keys::MasterSecret::from_bytes([1; 48]),
                        created: testing::NOW_SECS,
                        server_name: Some("localhost".into()),
                        peer_certificates: vec![].into(),
                        psk_identity: None,
                        signature_scheme: None,
                        ocsp_response: None,
                        group: None,
                        client_scheme: None,
                    },
                    session_id: vec![].into(),
                    ticket: Some(vec![7; ticket_len].into()),
                    lifetime_hint: 3600,
                },
            );
            config.session_cache = Some(cache);
            let config = Arc::new(config);
            let room = crate::config::MAX_EXTENSIONS_LEN - config.hello_extensions_len(9);
            let mut c =
                crate::ClientConnection::new(config, testing::name("localhost"), testing::now())
                    .unwrap();
            (offered_ticket(&testing::take_output(&mut c)), room)
        };
        let (offered, room) = offer(1000);
        assert_eq!(offered, Some(1000));
        assert_eq!(offer(room).0, Some(room), "exactly fills the block");
        assert_eq!(offer(room + 1).0, Some(0), "too long: an empty extension");
    }
}
