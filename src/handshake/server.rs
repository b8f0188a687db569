//! The server's handshake (RFC 5246 §7.3, full handshake):
//!
//! ```text
//!                    <--  ClientHello
//! ServerHello, Certificate, ServerKeyExchange, ServerHelloDone -->
//!                    <--  ClientKeyExchange, ChangeCipherSpec, Finished
//! ChangeCipherSpec, Finished -->
//! ```

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use super::{check_finished, emit, lossy, Input, Negotiated, Premaster};
use crate::codec::enums::{
    CipherSuite, Compression, EcPointFormat, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::codec::extensions::ServerExtension;
use crate::codec::handshake::{
    decode_ecdh_public, encode_ecdhe_params, CertificateMsg, ClientHello, DigitallySigned,
    HandshakeMessage, Random, ServerHello, SessionId,
};
use crate::codec::Codec;
use crate::config::ServerConfig;
use crate::conn::common::{Common, Role};
use crate::crypto::keys::{FinishedLabel, MasterSecret};
use crate::crypto::kx::KeyShare;
use crate::crypto::suites::{self, SuiteParams};
use crate::crypto::transcript::Transcript;
use crate::error::Error;
use crate::record::cipher::{RecordOpener, RecordSealer};

/// What the server knows for the whole connection.
pub(crate) struct ServerContext {
    pub(crate) config: Arc<ServerConfig>,
}

/// The server's handshake states.
// States carry AEAD key schedules, so variants differ in size; a state moves
// once per handshake message, while boxing would allocate on every transition.
#[allow(clippy::large_enum_variant)]
pub(crate) enum State {
    ExpectClientHello,
    ExpectClientKeyExchange(ExpectClientKeyExchange),
    ExpectChangeCipherSpec(ExpectChangeCipherSpec),
    ExpectFinished(ExpectFinished),
    Established,
    /// A transition failed; the connection is dead.
    Failed,
}

pub(crate) struct ExpectClientKeyExchange {
    neg: Negotiated,
    transcript: Transcript,
    key_share: KeyShare,
}

pub(crate) struct ExpectChangeCipherSpec {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
    opener: RecordOpener,
    sealer: RecordSealer,
}

pub(crate) struct ExpectFinished {
    neg: Negotiated,
    transcript: Transcript,
    master: MasterSecret,
    sealer: RecordSealer,
}

impl State {
    pub(crate) fn expecting(&self) -> &'static str {
        match self {
            Self::ExpectClientHello => "ClientHello",
            Self::ExpectClientKeyExchange(_) => "ClientKeyExchange",
            Self::ExpectChangeCipherSpec(_) => "ChangeCipherSpec",
            Self::ExpectFinished(_) => "Finished",
            Self::Established => "application data",
            Self::Failed => "nothing (connection failed)",
        }
    }

    pub(crate) fn handle(
        self,
        ctx: &ServerContext,
        cx: &mut Common,
        input: Input<'_>,
    ) -> Result<State, Error> {
        use HandshakeMessage as M;
        match (self, input) {
            (
                Self::ExpectClientHello,
                Input::Handshake {
                    msg: M::ClientHello(ch),
                    raw,
                },
            ) => client_hello(ctx, cx, ch, raw),
            (
                Self::ExpectClientKeyExchange(s),
                Input::Handshake {
                    msg: M::ClientKeyExchange(body),
                    raw,
                },
            ) => s.handle(body, raw),
            (Self::ExpectChangeCipherSpec(s), Input::ChangeCipherSpec) => {
                cx.opener = Some(s.opener);
                Ok(Self::ExpectFinished(ExpectFinished {
                    neg: s.neg,
                    transcript: s.transcript,
                    master: s.master,
                    sealer: s.sealer,
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

/// Version negotiation (RFC 5246 Appendix E.1; RFC 8446 §4.2.1 for clients
/// that list versions in supported_versions).
fn check_version(ch: &ClientHello<'_>) -> Result<(), Error> {
    match ch.supported_versions() {
        Some(list) if list.contains(&ProtocolVersion::Tls12) => Ok(()),
        Some(list) => Err(Error::UnsupportedVersion {
            peer: list
                .iter()
                .copied()
                .max_by_key(|v| v.to_wire())
                .unwrap_or(ch.client_version),
        }),
        None if ch.client_version.to_wire() >= ProtocolVersion::Tls12.to_wire() => Ok(()),
        None => Err(Error::UnsupportedVersion {
            peer: ch.client_version,
        }),
    }
}

/// Server-preference suite selection among those usable with our key.
fn choose_suite(
    config: &ServerConfig,
    offered: &[CipherSuite],
) -> Result<&'static SuiteParams, Error> {
    let auth = config.key.auth();
    let usable = || {
        config
            .cipher_suites
            .iter()
            .filter_map(|s| suites::lookup(*s))
            .filter(move |s| s.auth == auth)
    };
    usable()
        .find(|s| offered.contains(&s.suite))
        .ok_or_else(|| Error::NoCommonCipherSuite {
            offered: offered.to_vec(),
            supported: usable().map(|s| s.suite).collect(),
        })
}

fn choose_group(
    config: &ServerConfig,
    offered: Option<&[NamedGroup]>,
) -> Result<NamedGroup, Error> {
    match offered {
        Some(list) => config
            .groups
            .iter()
            .copied()
            .find(|g| list.contains(g))
            .ok_or_else(|| Error::NoCommonGroup {
                offered: list.to_vec(),
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
    config: &ServerConfig,
    offered: Option<&[SignatureScheme]>,
) -> Result<SignatureScheme, Error> {
    // RFC 5246 §7.4.1.4.1: without signature_algorithms the client accepts
    // only SHA-1 signatures, which we never make.
    let offered = offered.unwrap_or(&[]);
    config
        .key
        .choose_scheme(offered)
        .ok_or_else(|| Error::NoCommonSignatureScheme {
            offered: offered.to_vec(),
            supported: config.key.schemes().to_vec(),
        })
}

fn client_hello(
    ctx: &ServerContext,
    cx: &mut Common,
    ch: ClientHello<'_>,
    raw: &[u8],
) -> Result<State, Error> {
    let config = &ctx.config;
    check_version(&ch)?;
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
        Some(name) => {
            let name = core::str::from_utf8(name)
                .ok()
                .filter(|n| rustls_pki_types::DnsName::try_from(*n).is_ok())
                .ok_or(Error::IllegalParameter(
                    "server_name is not a valid DNS name",
                ))?;
            Some(String::from(name))
        }
        None => None,
    };
    let point_formats = ch.ec_point_formats();
    // RFC 8422 §5.1.2: uncompressed must be supported by every client.
    if point_formats.is_some_and(|f| !f.contains(&EcPointFormat::Uncompressed)) {
        return Err(Error::IllegalParameter(
            "ec_point_formats does not include uncompressed",
        ));
    }

    let suite = choose_suite(config, &ch.cipher_suites)?;
    let group = choose_group(config, ch.supported_groups())?;
    let scheme = choose_scheme(config, ch.signature_algorithms())?;
    let alpn = match ch.alpn() {
        Some(offered) if !config.alpn_protocols.is_empty() => {
            // RFC 7301 §3.2: our preference among the client's; no overlap is
            // a fatal no_application_protocol.
            let chosen = config
                .alpn_protocols
                .iter()
                .find(|ours| offered.iter().any(|p| p == ours))
                .ok_or_else(|| Error::NoApplicationProtocol {
                    offered: lossy(offered.iter()),
                    supported: lossy(config.alpn_protocols.iter()),
                })?;
            Some(chosen.clone())
        }
        _ => None,
    };

    let mut server_random = [0u8; 32];
    cx.fill_random(&mut server_random)?;
    let mut transcript = Transcript::new();
    transcript.add(raw);
    transcript.start_hash(suite.hash);
    cx.agree_version();

    let mut extensions = Vec::with_capacity(5);
    if secure_renegotiation {
        extensions.push(ServerExtension::RenegotiationInfo(&[]));
    }
    if ems {
        extensions.push(ServerExtension::ExtendedMasterSecret);
    }
    if let Some(p) = &alpn {
        extensions.push(ServerExtension::Alpn(p));
    }
    if point_formats.is_some() {
        extensions.push(ServerExtension::EcPointFormats(vec![
            EcPointFormat::Uncompressed,
        ]));
    }
    if server_name.is_some() {
        // RFC 6066 §3: acknowledge that the name was used.
        extensions.push(ServerExtension::ServerNameAck);
    }
    let hello = ServerHello {
        server_version: ProtocolVersion::Tls12,
        random: Random(server_random),
        session_id: SessionId::EMPTY,
        cipher_suite: suite.suite,
        compression_method: Compression::Null,
        extensions,
        extensions_present: true,
    };
    emit(cx, &mut transcript, &HandshakeMessage::ServerHello(hello))?;

    let chain = config.cert_chain.iter().map(|c| c.as_ref()).collect();
    emit(
        cx,
        &mut transcript,
        &HandshakeMessage::Certificate(CertificateMsg { chain }),
    )?;

    // RFC 8422 §5.4: ServerECDHParams signed with both randoms.
    let key_share = KeyShare::generate(group)?;
    let mut params = Vec::with_capacity(4 + key_share.public_bytes().len());
    encode_ecdhe_params(group, key_share.public_bytes(), &mut params);
    let mut signed = Vec::with_capacity(64 + params.len());
    signed.extend_from_slice(&ch.random.0);
    signed.extend_from_slice(&server_random);
    signed.extend_from_slice(&params);
    let signature = config.key.sign(scheme, &signed)?;
    let mut ske = params;
    DigitallySigned {
        scheme,
        signature: &signature,
    }
    .encode(&mut ske);
    emit(
        cx,
        &mut transcript,
        &HandshakeMessage::ServerKeyExchange(&ske),
    )?;
    emit(cx, &mut transcript, &HandshakeMessage::ServerHelloDone)?;

    let neg = Negotiated {
        suite,
        client_random: ch.random.0,
        server_random,
        extended_master_secret: ems,
        secure_renegotiation,
        alpn,
        server_name,
        group: Some(group),
        scheme: Some(scheme),
        peer_certificates: Vec::new(),
    };
    Ok(State::ExpectClientKeyExchange(ExpectClientKeyExchange {
        neg,
        transcript,
        key_share,
    }))
}

impl ExpectClientKeyExchange {
    fn handle(mut self, body: &[u8], raw: &[u8]) -> Result<State, Error> {
        let public = decode_ecdh_public(body)?;
        let premaster = self.key_share.agree(public, Premaster::new)??;
        self.transcript.add(raw);
        let master = self.neg.master_secret(&premaster, &self.transcript)?;
        let (sealer, opener) = self.neg.record_keys(&master, Role::Server)?;
        Ok(State::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
            neg: self.neg,
            transcript: self.transcript,
            master,
            opener,
            sealer,
        }))
    }
}

impl ExpectFinished {
    fn handle(mut self, cx: &mut Common, received: &[u8], raw: &[u8]) -> Result<State, Error> {
        let expected =
            self.neg
                .verify_data(&self.master, FinishedLabel::Client, &self.transcript)?;
        check_finished(&expected, received)?;
        self.transcript.add(raw);
        cx.send_ccs_and_switch(self.sealer)?;
        let vd = self
            .neg
            .verify_data(&self.master, FinishedLabel::Server, &self.transcript)?;
        emit(cx, &mut self.transcript, &HandshakeMessage::Finished(&vd))?;
        cx.complete(self.neg.into_info())?;
        Ok(State::Established)
    }
}
