//! The handshake state machines, one explicit state enum per side
//! ([`client::State`], [`server::State`]). Each state holds exactly what the
//! next step needs; a transition consumes the state and returns the next, so
//! a message can only be processed by the state that expects it.

use alloc::string::String;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;
use zeroize::Zeroize;

use crate::codec::enums::{HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::codec::handshake::{encode_handshake, HandshakeMessage, SessionId};
use crate::codec::{Codec, Writer};
use crate::conn::common::{Common, Role};
use crate::conn::HandshakeInfo;
use crate::crypto::keys::{FinishedLabel, MasterSecret};
use crate::crypto::suites::SuiteParams;
use crate::crypto::transcript::{Transcript, TranscriptSink};
use crate::error::Error;
use crate::record::cipher::{RecordOpener, RecordSealer};
use crate::session::Session;

pub(crate) mod client;
pub(crate) mod server;

/// What the record layer hands a state machine.
#[derive(Debug)]
pub(crate) enum Input<'a> {
    /// A whole handshake message, decoded, with its raw bytes (header
    /// included) for the transcript.
    Handshake {
        msg: HandshakeMessage<'a>,
        raw: &'a [u8],
    },
    /// A valid ChangeCipherSpec (RFC 5246 §7.1), received with no handshake
    /// message half-buffered.
    ChangeCipherSpec,
}

impl Input<'_> {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Handshake { msg, .. } => msg.name(),
            Self::ChangeCipherSpec => "ChangeCipherSpec",
        }
    }

    pub(crate) fn unexpected(&self, expected: &'static str) -> Error {
        Error::UnexpectedMessage {
            got: self.name(),
            expected,
        }
    }
}

/// The premaster secret: the raw ECDHE shared secret (RFC 8422 §5.10).
pub(crate) struct Premaster {
    buf: [u8; 48],
    len: usize,
}

impl Premaster {
    pub(crate) fn new(secret: &[u8]) -> Result<Self, Error> {
        let mut buf = [0u8; 48];
        buf.get_mut(..secret.len())
            .ok_or(Error::Internal("shared secret too long"))?
            .copy_from_slice(secret);
        Ok(Self {
            buf,
            len: secret.len(),
        })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
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
    pub(crate) alpn: Option<Vec<u8>>,
    pub(crate) server_name: Option<String>,
    pub(crate) group: Option<NamedGroup>,
    pub(crate) scheme: Option<SignatureScheme>,
    pub(crate) peer_certificates: Vec<CertificateDer<'static>>,
    /// The session ID in ServerHello (empty: not resumable by ID).
    pub(crate) session_id: SessionId,
    /// A NewSessionTicket will be sent (server) or is expected (client).
    pub(crate) ticket_promised: bool,
    /// This is an abbreviated handshake.
    pub(crate) resumed: bool,
}

impl Negotiated {
    pub(crate) fn into_info(self) -> HandshakeInfo {
        HandshakeInfo {
            version: ProtocolVersion::Tls12,
            cipher_suite: self.suite.suite,
            group: self.group,
            signature_scheme: self.scheme,
            alpn_protocol: self.alpn,
            server_name: self.server_name,
            peer_certificates: self.peer_certificates,
            extended_master_secret: self.extended_master_secret,
            secure_renegotiation: self.secure_renegotiation,
            resumed: self.resumed,
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

    /// Our sealer and the peer's opener from the key block (RFC 5246 §6.3).
    pub(crate) fn record_keys(
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
    pub(crate) fn session(&self, master: &MasterSecret, created: u64) -> Session {
        Session {
            suite: self.suite.suite,
            extended_master_secret: self.extended_master_secret,
            master_secret: MasterSecret::from_bytes(*master.as_bytes()),
            created,
            server_name: self.server_name.clone(),
            peer_certificates: self.peer_certificates.clone(),
        }
    }

    /// verify_data over the transcript so far (RFC 5246 §7.4.9).
    pub(crate) fn verify_data(
        &self,
        master: &MasterSecret,
        label: FinishedLabel,
        transcript: &Transcript,
    ) -> Result<[u8; 12], Error> {
        let hash = transcript.current_hash()?;
        Ok(master.verify_data(self.suite.hash, label, hash.as_ref()))
    }
}

/// Encodes `msg`, adds it to the transcript and queues it for sending.
pub(crate) fn emit(
    cx: &mut Common,
    transcript: &mut impl TranscriptSink,
    msg: &HandshakeMessage<'_>,
) -> Result<(), Error> {
    emit_encoded(cx, transcript, |bytes| {
        encode_handshake(msg, bytes);
        Ok(())
    })
}

/// As [`emit`], for a message of type `typ` whose body `body` writes in
/// place: a ServerKeyExchange signs its params where they were encoded, a
/// ClientKeyExchange needs no copy of our public key.
pub(crate) fn emit_with(
    cx: &mut Common,
    transcript: &mut impl TranscriptSink,
    typ: HandshakeType,
    body: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    emit_encoded(cx, transcript, |bytes| {
        typ.encode(bytes);
        let mut result = Ok(());
        bytes.with_len(3, |bytes| result = body(bytes));
        result
    })
}

fn emit_encoded(
    cx: &mut Common,
    transcript: &mut impl TranscriptSink,
    encode: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    // One buffer, kept in `Common` for the whole handshake, serves every
    // message: a fresh `Vec` per message would allocate (and regrow) each
    // time. 1 KiB holds most messages, an ECDSA Certificate included.
    let mut bytes = core::mem::take(&mut cx.hs_buf);
    bytes.clear();
    if bytes.capacity() == 0 {
        bytes.reserve(HS_BUF_INITIAL);
    }
    let result = encode(&mut bytes).and_then(|()| {
        transcript.add(&bytes);
        cx.send_handshake(&bytes)
    });
    cx.hs_buf = bytes;
    result
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

/// Checks the peer's Finished against what we computed, in constant time.
pub(crate) fn check_finished(expected: &[u8; 12], received: &[u8]) -> Result<(), Error> {
    if crate::crypto::constant_time_eq(expected, received) {
        Ok(())
    } else {
        Err(Error::BadFinished)
    }
}

/// Text for ALPN names in error messages.
pub(crate) fn lossy(names: impl IntoIterator<Item = impl AsRef<[u8]>>) -> Vec<String> {
    names
        .into_iter()
        .map(|n| String::from_utf8_lossy(n.as_ref()).into_owned())
        .collect()
}
