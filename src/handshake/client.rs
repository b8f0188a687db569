//! The client's handshake (RFC 5246 §7.3, full handshake):
//!
//! ```text
//! ClientHello        -->
//!                    <--  ServerHello, Certificate, ServerKeyExchange,
//!                         [CertificateRequest], ServerHelloDone
//! [Certificate], ClientKeyExchange,
//! ChangeCipherSpec, Finished -->
//!                    <--  ChangeCipherSpec, Finished
//! ```

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::{check_finished, emit, Input, Negotiated, Premaster};
use crate::codec::enums::{Compression, EcPointFormat, ProtocolVersion};
use crate::codec::extensions::{ClientExtension, ServerExtension};
use crate::codec::handshake::{
    encode_ecdh_public, CertificateMsg, ClientHello, EcdheServerKeyExchange, HandshakeMessage,
    Random, ServerHello, SessionId,
};
use crate::config::ClientConfig;
use crate::conn::common::{Common, Role};
use crate::crypto::keys::{FinishedLabel, MasterSecret};
use crate::crypto::kx::KeyShare;
use crate::crypto::signature::{verify_signature, webpki_algorithms};
use crate::crypto::suites;
use crate::crypto::transcript::Transcript;
use crate::error::{CertificateError, Error};
use crate::record::cipher::RecordOpener;
use crate::verify::verify_server_chain;

/// What the client knows for the whole connection.
pub(crate) struct ClientContext {
    pub(crate) config: Arc<ClientConfig>,
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
}

/// The client's handshake states.
// States carry AEAD key schedules, so variants differ in size; a state moves
// once per handshake message, while boxing would allocate on every transition.
#[allow(clippy::large_enum_variant)]
pub(crate) enum State {
    ExpectServerHello(ExpectServerHello),
    ExpectCertificate(ExpectCertificate),
    ExpectServerKeyExchange(ExpectServerKeyExchange),
    ExpectServerHelloDone(ExpectServerHelloDone),
    ExpectChangeCipherSpec(ExpectChangeCipherSpec),
    ExpectFinished(ExpectFinished),
    Established,
    /// A transition failed; the connection is dead.
    Failed,
}

pub(crate) struct ExpectServerHello {
    transcript: Transcript,
    client_random: [u8; 32],
}

pub(crate) struct ExpectCertificate {
    neg: Negotiated,
    transcript: Transcript,
}

pub(crate) struct ExpectServerKeyExchange {
    neg: Negotiated,
    transcript: Transcript,
}

pub(crate) struct ExpectServerHelloDone {
    neg: Negotiated,
    transcript: Transcript,
    our_public: Vec<u8>,
    premaster: Premaster,
    certificate_requested: bool,
}

pub(crate) struct ExpectChangeCipherSpec {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
    opener: RecordOpener,
}

pub(crate) struct ExpectFinished {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
}

/// Sends the ClientHello and returns the first state.
pub(crate) fn start(ctx: &ClientContext, cx: &mut Common) -> Result<State, Error> {
    let config = &ctx.config;
    let mut client_random = [0u8; 32];
    cx.fill_random(&mut client_random)?;

    let mut extensions = Vec::with_capacity(7);
    if let Some(name) = ctx.sni() {
        extensions.push(ClientExtension::ServerName(name.as_bytes()));
    }
    extensions.push(ClientExtension::SupportedGroups(config.groups.clone()));
    // RFC 8422 §5.1.2: uncompressed is the only format we accept.
    extensions.push(ClientExtension::EcPointFormats(vec![
        EcPointFormat::Uncompressed,
    ]));
    extensions.push(ClientExtension::SignatureAlgorithms(
        config.signature_schemes.clone(),
    ));
    if !config.alpn_protocols.is_empty() {
        extensions.push(ClientExtension::Alpn(
            config.alpn_protocols.iter().map(|p| p.as_slice()).collect(),
        ));
    }
    // RFC 7627 §5.1: always offered, required or not.
    extensions.push(ClientExtension::ExtendedMasterSecret);
    // RFC 5746 §3.4: the empty extension signals secure renegotiation support.
    extensions.push(ClientExtension::RenegotiationInfo(&[]));

    let hello = ClientHello {
        client_version: ProtocolVersion::Tls12,
        random: Random(client_random),
        session_id: SessionId::EMPTY,
        cipher_suites: config.cipher_suites.clone(),
        compression_methods: vec![Compression::Null],
        extensions,
        extensions_present: true,
    };
    let mut transcript = Transcript::new();
    emit(cx, &mut transcript, &HandshakeMessage::ClientHello(hello))?;
    Ok(State::ExpectServerHello(ExpectServerHello {
        transcript,
        client_random,
    }))
}

impl State {
    /// What this state waits for, for error messages.
    pub(crate) fn expecting(&self) -> &'static str {
        match self {
            Self::ExpectServerHello(_) => "ServerHello",
            Self::ExpectCertificate(_) => "Certificate",
            Self::ExpectServerKeyExchange(_) => "ServerKeyExchange",
            Self::ExpectServerHelloDone(_) => "CertificateRequest or ServerHelloDone",
            Self::ExpectChangeCipherSpec(_) => "ChangeCipherSpec",
            Self::ExpectFinished(_) => "Finished",
            Self::Established => "application data",
            Self::Failed => "nothing (connection failed)",
        }
    }

    /// Applies one input. On error the caller leaves the state `Failed`.
    pub(crate) fn handle(
        self,
        ctx: &ClientContext,
        cx: &mut Common,
        input: Input<'_>,
    ) -> Result<State, Error> {
        use HandshakeMessage as M;
        match (self, input) {
            (
                Self::ExpectServerHello(s),
                Input::Handshake {
                    msg: M::ServerHello(sh),
                    raw,
                },
            ) => s.handle(ctx, cx, sh, raw),
            (
                Self::ExpectCertificate(s),
                Input::Handshake {
                    msg: M::Certificate(c),
                    raw,
                },
            ) => s.handle(ctx, c, raw),
            (
                Self::ExpectServerKeyExchange(s),
                Input::Handshake {
                    msg: M::ServerKeyExchange(body),
                    raw,
                },
            ) => s.handle(ctx, body, raw),
            (
                Self::ExpectServerHelloDone(mut s),
                Input::Handshake {
                    msg: M::CertificateRequest(_),
                    raw,
                },
            ) if !s.certificate_requested => {
                // RFC 5246 §7.4.4. Until client certificates are configured
                // we answer with an empty Certificate (§7.4.6), which a server
                // with optional client authentication accepts.
                s.certificate_requested = true;
                s.transcript.add(raw);
                Ok(Self::ExpectServerHelloDone(s))
            }
            (
                Self::ExpectServerHelloDone(s),
                Input::Handshake {
                    msg: M::ServerHelloDone,
                    raw,
                },
            ) => s.handle(cx, raw),
            (Self::ExpectChangeCipherSpec(s), Input::ChangeCipherSpec) => {
                cx.opener = Some(s.opener);
                Ok(Self::ExpectFinished(ExpectFinished {
                    neg: s.neg,
                    transcript: s.transcript,
                    master: s.master,
                }))
            }
            (
                Self::ExpectFinished(s),
                Input::Handshake {
                    msg: M::Finished(vd),
                    raw,
                },
            ) => s.handle(cx, vd, raw),
            (state, input) => Err(input.unexpected(state.expecting())),
        }
    }
}

impl ExpectServerHello {
    fn handle(
        mut self,
        ctx: &ClientContext,
        cx: &mut Common,
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
            alpn: None,
            server_name: ctx.sni().map(Into::into),
            group: None,
            scheme: None,
            peer_certificates: Vec::new(),
        };
        // RFC 5246 §7.4.1.4: a server may only send extensions the client
        // offered; anything else is unsupported_extension.
        for ext in &sh.extensions {
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
                    neg.alpn = Some(proto.to_vec());
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
                other => return Err(Error::UnsupportedExtension(other.typ().to_wire())),
            }
        }
        if config.require_extended_master_secret && !neg.extended_master_secret {
            return Err(Error::HandshakeFailure(
                "server did not negotiate the extended master secret (RFC 7627), which this \
                 configuration requires",
            ));
        }

        cx.agree_version();
        self.transcript.add(raw);
        self.transcript.start_hash(suite.hash);
        Ok(State::ExpectCertificate(ExpectCertificate {
            neg,
            transcript: self.transcript,
        }))
    }
}

impl ExpectCertificate {
    fn handle(
        mut self,
        ctx: &ClientContext,
        msg: CertificateMsg<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        // RFC 5246 §7.4.2: every suite we offer requires a server certificate.
        if msg.chain.is_empty() {
            return Err(CertificateError::NoCertificate.into());
        }
        if msg.chain.len() > ctx.config.limits.max_certificate_chain_len {
            return Err(CertificateError::TooLarge.into());
        }
        let chain: Vec<CertificateDer<'static>> = msg
            .chain
            .iter()
            .map(|c| CertificateDer::from(c.to_vec()))
            .collect();
        verify_server_chain(
            &ctx.config.roots,
            &chain,
            &ctx.server_name,
            ctx.now,
            webpki_algorithms(),
        )?;
        self.transcript.add(raw);
        self.neg.peer_certificates = chain;
        Ok(State::ExpectServerKeyExchange(ExpectServerKeyExchange {
            neg: self.neg,
            transcript: self.transcript,
        }))
    }
}

impl ExpectServerKeyExchange {
    fn handle(mut self, ctx: &ClientContext, body: &[u8], raw: &[u8]) -> Result<State, Error> {
        let config = &ctx.config;
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
        let mut signed = Vec::with_capacity(64 + ske.params_raw.len());
        signed.extend_from_slice(&self.neg.client_random);
        signed.extend_from_slice(&self.neg.server_random);
        signed.extend_from_slice(ske.params_raw);
        let leaf = self
            .neg
            .peer_certificates
            .first()
            .ok_or(Error::Internal("no server certificate stored"))?;
        let ee = webpki::EndEntityCert::try_from(leaf)
            .map_err(|_| Error::Certificate(CertificateError::BadEncoding))?;
        verify_signature(
            &ee,
            scheme,
            &signed,
            ske.signed.signature,
            "ServerKeyExchange",
        )?;

        let share = KeyShare::generate(group)?;
        let our_public = share.public_bytes().to_vec();
        let premaster = share.agree(ske.params.public, Premaster::new)??;
        self.transcript.add(raw);
        self.neg.group = Some(group);
        self.neg.scheme = Some(scheme);
        Ok(State::ExpectServerHelloDone(ExpectServerHelloDone {
            neg: self.neg,
            transcript: self.transcript,
            our_public,
            premaster,
            certificate_requested: false,
        }))
    }
}

impl ExpectServerHelloDone {
    fn handle(mut self, cx: &mut Common, raw: &[u8]) -> Result<State, Error> {
        self.transcript.add(raw);
        if self.certificate_requested {
            emit(
                cx,
                &mut self.transcript,
                &HandshakeMessage::Certificate(CertificateMsg { chain: Vec::new() }),
            )?;
        }
        let mut cke = Vec::with_capacity(1 + self.our_public.len());
        encode_ecdh_public(&self.our_public, &mut cke);
        emit(
            cx,
            &mut self.transcript,
            &HandshakeMessage::ClientKeyExchange(&cke),
        )?;

        let master = self.neg.master_secret(&self.premaster, &self.transcript)?;
        let (sealer, opener) = self.neg.record_keys(&master, Role::Client)?;
        cx.send_ccs_and_switch(sealer)?;
        let vd = self
            .neg
            .verify_data(&master, FinishedLabel::Client, &self.transcript)?;
        emit(cx, &mut self.transcript, &HandshakeMessage::Finished(&vd))?;
        Ok(State::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
            neg: self.neg,
            transcript: self.transcript,
            master,
            opener,
        }))
    }
}

impl ExpectFinished {
    fn handle(mut self, cx: &mut Common, received: &[u8], raw: &[u8]) -> Result<State, Error> {
        let expected =
            self.neg
                .verify_data(&self.master, FinishedLabel::Server, &self.transcript)?;
        check_finished(&expected, received)?;
        self.transcript.add(raw);
        cx.complete(self.neg.into_info())?;
        Ok(State::Established)
    }
}
