//! What each state accepts, and what each accepted input does: one table
//! per side, the only place these rules live.
//!
//! The connection classifies every input ([`Kind`]) from its record's
//! content type and, for handshake messages, the type byte, *before* the
//! body is decoded (or, for application data and ChangeCipherSpec,
//! decrypted), and looks it up in the table of its side ([`ClientStage::on`],
//! [`ServerStage::on`]). A message of a type the state does not accept is
//! therefore `unexpected_message` whatever its body holds (RFC 5246 §7.2.2).
//! The error text for it ([`ClientStage::expecting`]) and the list of states
//! the state-table test walks ([`ClientStage::ALL`]) come from here too.
//!
//! Rows follow RFC 5246 §7.3 (the message flow), §7.4.1.1 (HelloRequest),
//! §7.2 (alerts), RFC 5077 §3.3 (NewSessionTicket) and RFC 5746 §4.2 / §4.4
//! with RFC 5246 §7.2.2 (renegotiation, which is refused).

use crate::codec::enums::HandshakeType;

use super::{client, server, Role};

/// Whether a message of type `typ` from the peer ends the peer's flight: it
/// must then wait for ours (RFC 5246 §7.3), or the handshake is over (its
/// Finished, §7.4.9), so nothing may follow it in the same record. The
/// client's ClientHello, the server's ServerHelloDone and either side's
/// Finished end a flight; anything after them in their record is
/// unexpected_message, before the message is acted on (BoringSSL's
/// EXCESS_HANDSHAKE_DATA).
pub(crate) fn ends_peer_flight(us: Role, typ: HandshakeType) -> bool {
    matches!(
        (us, typ),
        (_, HandshakeType::Finished)
            | (Role::Server, HandshakeType::ClientHello)
            | (Role::Client, HandshakeType::ServerHelloDone)
    )
}

/// An input, as far as the tables care: known before its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A handshake message of this type (any type byte, known or not).
    Handshake(HandshakeType),
    /// A ChangeCipherSpec record.
    ChangeCipherSpec,
    /// An application data record.
    ApplicationData,
    /// A warning alert other than close_notify.
    WarningAlert,
    /// close_notify, at either level.
    CloseNotify,
    /// A fatal alert.
    FatalAlert,
    /// The caller's answer to an operation it performs for us
    /// ([`crate::keyop`]): not from the peer.
    Answer,
}

impl Kind {
    /// The inputs the tables distinguish, every handshake type this crate
    /// names included.
    pub(crate) const ALL: [Kind; 18] = [
        Kind::Handshake(HandshakeType::HelloRequest),
        Kind::Handshake(HandshakeType::ClientHello),
        Kind::Handshake(HandshakeType::ServerHello),
        Kind::Handshake(HandshakeType::NewSessionTicket),
        Kind::Handshake(HandshakeType::Certificate),
        Kind::Handshake(HandshakeType::ServerKeyExchange),
        Kind::Handshake(HandshakeType::CertificateRequest),
        Kind::Handshake(HandshakeType::ServerHelloDone),
        Kind::Handshake(HandshakeType::CertificateVerify),
        Kind::Handshake(HandshakeType::ClientKeyExchange),
        Kind::Handshake(HandshakeType::Finished),
        Kind::Handshake(HandshakeType::CertificateStatus),
        Kind::ChangeCipherSpec,
        Kind::ApplicationData,
        Kind::WarningAlert,
        Kind::CloseNotify,
        Kind::FatalAlert,
        Kind::Answer,
    ];

    /// For error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Handshake(t) => t.name().unwrap_or("unknown handshake message"),
            Kind::ChangeCipherSpec => "ChangeCipherSpec",
            Kind::ApplicationData => "application data",
            Kind::WarningAlert => "warning alert",
            Kind::CloseNotify => "close_notify",
            Kind::FatalAlert => "fatal alert",
            Kind::Answer => "the caller's answer",
        }
    }
}

/// What the connection does with an input.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action<H> {
    /// Decode it and hand it to this state method.
    Handle(H),
    /// Application data, for the caller.
    Deliver,
    /// A HelloRequest while negotiating: ignored, and never part of the
    /// transcript (RFC 5246 §7.4.1.1).
    Ignore,
    /// A request to renegotiate: refused with a no_renegotiation warning
    /// (RFC 5246 §7.2.2, RFC 5746 §4.2 / §4.4), counted against
    /// `Limits::max_warnings_in_a_row`.
    RefuseRenegotiation,
    /// A warning alert: reported as an event and counted.
    Warning,
    /// close_notify after the handshake: no more data; ours is sent back
    /// (RFC 5246 §7.2.1).
    Close,
    /// close_notify during the handshake: nothing was agreed, the handshake
    /// cannot finish.
    ClosedDuringHandshake,
    /// A fatal alert: the connection ends (RFC 5246 §7.2).
    PeerFatal,
    /// Not allowed here: unexpected_message (RFC 5246 §7.2.2).
    Unexpected,
    /// Paused for the caller: what the peer sends is held, unread (within
    /// the handshake message cap), until the answer comes.
    Hold,
}

impl<H> Action<H> {
    /// Whether the input moves the handshake.
    pub(crate) fn is_handled(&self) -> bool {
        matches!(self, Action::Handle(_))
    }

    /// The same action with its handler passed through `f`.
    pub(crate) fn map<G>(self, f: impl FnOnce(H) -> G) -> Action<G> {
        match self {
            Action::Handle(h) => Action::Handle(f(h)),
            Action::Deliver => Action::Deliver,
            Action::Ignore => Action::Ignore,
            Action::RefuseRenegotiation => Action::RefuseRenegotiation,
            Action::Warning => Action::Warning,
            Action::Close => Action::Close,
            Action::ClosedDuringHandshake => Action::ClosedDuringHandshake,
            Action::PeerFatal => Action::PeerFatal,
            Action::Unexpected => Action::Unexpected,
            Action::Hold => Action::Hold,
        }
    }
}

/// A stage enum as written, and its `name()`: each variant's name as the
/// enum spells it (`stringify!`), for diagnoses.
macro_rules! named_stages {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $v:ident,)* }
    ) => {
        $(#[$meta])*
        $vis enum $name { $($(#[$vmeta])* $v,)* }

        impl $name {
            /// The stage's name, as the enum spells it.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Self::$v => stringify!($v),)*
                }
            }
        }
    };
}

named_stages! {
    /// The client's states, by name (the table's rows; [`client::State`]
    /// holds the data of each).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum ClientStage {
        ExpectServerHello,
        ExpectCertificate,
        ExpectServerKeyExchange,
        /// After ServerHello with a plain PSK suite: ServerKeyExchange, which
        /// carries an identity hint, or ServerHelloDone (RFC 4279 §2).
        ExpectPskServerKeyExchange,
        /// After ServerKeyExchange: a CertificateRequest may come first.
        ExpectCertificateRequest,
        /// After CertificateRequest: only ServerHelloDone.
        ExpectServerHelloDone,
        /// Paused for the caller's CertificateVerify signature.
        AwaitSignature,
        /// Paused for the caller's verdict on the server's chain.
        AwaitVerdict,
        /// After Certificate, when the server acknowledged status_request
        /// (RFC 6066 §8): CertificateStatus, or ServerKeyExchange without it.
        ExpectCertificateStatus,
        /// As `ExpectCertificateStatus` with RSA key transport, which has no
        /// ServerKeyExchange: CertificateStatus, or without it
        /// CertificateRequest or ServerHelloDone.
        ExpectKeyTransportStatus,
        ExpectNewSessionTicket,
        ExpectChangeCipherSpec,
        ExpectFinished,
        Established,
    }
}

impl ClientStage {
    /// Every client state, in handshake order.
    #[cfg(test)]
    pub(crate) const ALL: [ClientStage; 14] = [
        Self::ExpectServerHello,
        Self::ExpectPskServerKeyExchange,
        Self::ExpectCertificate,
        Self::AwaitVerdict,
        Self::ExpectCertificateStatus,
        Self::ExpectKeyTransportStatus,
        Self::ExpectServerKeyExchange,
        Self::ExpectCertificateRequest,
        Self::ExpectServerHelloDone,
        Self::AwaitSignature,
        Self::ExpectNewSessionTicket,
        Self::ExpectChangeCipherSpec,
        Self::ExpectFinished,
        Self::Established,
    ];

    /// The client's table.
    pub(crate) fn on(self, input: Kind) -> Action<client::Handler> {
        use client as c;
        use Action::*;
        use ClientStage::*;
        use HandshakeType as H;
        use Kind::*;
        #[rustfmt::skip]
        let action: Action<c::Handler> = match (self, input) {
            (AwaitSignature, Answer) => Handle(c::signature),
            (AwaitVerdict, Answer) => Handle(c::verdict),
            (AwaitSignature | AwaitVerdict, _) => Hold,
            (_, Answer) => Unexpected,
            (_, FatalAlert) => PeerFatal,
            (Established, CloseNotify) => Close,
            (_, CloseNotify) => ClosedDuringHandshake,
            (_, WarningAlert) => Warning,
            (ExpectServerHello, Handshake(H::ServerHello)) => Handle(c::server_hello),
            (ExpectCertificate, Handshake(H::Certificate)) => Handle(c::certificate),
            (ExpectCertificateStatus | ExpectKeyTransportStatus, Handshake(H::CertificateStatus)) => Handle(c::certificate_status),
            (ExpectServerKeyExchange | ExpectCertificateStatus, Handshake(H::ServerKeyExchange)) => Handle(c::server_key_exchange),
            (ExpectCertificateRequest | ExpectKeyTransportStatus, Handshake(H::CertificateRequest)) => Handle(c::certificate_request),
            (ExpectPskServerKeyExchange, Handshake(H::ServerKeyExchange)) => Handle(c::psk_server_key_exchange),
            (ExpectCertificateRequest | ExpectServerHelloDone | ExpectKeyTransportStatus | ExpectPskServerKeyExchange, Handshake(H::ServerHelloDone)) => Handle(c::server_hello_done),
            (ExpectNewSessionTicket, Handshake(H::NewSessionTicket)) => Handle(c::new_session_ticket),
            (ExpectChangeCipherSpec, ChangeCipherSpec) => Handle(c::change_cipher_spec),
            (ExpectFinished, Handshake(H::Finished)) => Handle(c::finished),
            (Established, ApplicationData) => Deliver,
            (Established, Handshake(H::HelloRequest)) => RefuseRenegotiation,
            (_, Handshake(H::HelloRequest)) => Ignore,
            _ => Unexpected,
        };
        action
    }

    /// What this state waits for, for error messages: the inputs its row
    /// hands to a state method.
    pub(crate) fn expecting(self) -> &'static str {
        expecting(Kind::ALL.map(|k| self.on(k).is_handled()))
    }

    /// Whether the peer's bytes are held, unread, in this state.
    pub(crate) fn holds_input(self) -> bool {
        matches!(self.on(Kind::ApplicationData), Action::Hold)
    }
}

named_stages! {
    /// The server's states, by name (the table's rows; [`server::State`]
    /// holds the data of each).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum ServerStage {
        ExpectClientHello,
        /// Paused for the caller's choice of certificate chain.
        AwaitCertificate,
        /// Paused for the caller's ServerKeyExchange signature.
        AwaitSignature,
        /// Paused for the caller's verdict on the client's chain.
        AwaitVerdict,
        ExpectCertificate,
        ExpectClientKeyExchange,
        /// Paused for the caller's RSA decryption of the premaster secret.
        AwaitDecryption,
        ExpectCertificateVerify,
        ExpectChangeCipherSpec,
        ExpectFinished,
        Established,
    }
}

impl ServerStage {
    /// Every server state, in handshake order.
    #[cfg(test)]
    pub(crate) const ALL: [ServerStage; 11] = [
        Self::ExpectClientHello,
        Self::AwaitCertificate,
        Self::AwaitSignature,
        Self::ExpectCertificate,
        Self::AwaitVerdict,
        Self::ExpectClientKeyExchange,
        Self::AwaitDecryption,
        Self::ExpectCertificateVerify,
        Self::ExpectChangeCipherSpec,
        Self::ExpectFinished,
        Self::Established,
    ];

    /// The server's table.
    pub(crate) fn on(self, input: Kind) -> Action<server::Handler> {
        use server as s;
        use Action::*;
        use HandshakeType as H;
        use Kind::*;
        use ServerStage::*;
        #[rustfmt::skip]
        let action: Action<s::Handler> = match (self, input) {
            (AwaitCertificate, Answer) => Handle(s::chosen_certificate),
            (AwaitSignature, Answer) => Handle(s::signature),
            (AwaitVerdict, Answer) => Handle(s::verdict),
            (AwaitDecryption, Answer) => Handle(s::decryption),
            (AwaitCertificate | AwaitSignature | AwaitVerdict | AwaitDecryption, _) => Hold,
            (_, Answer) => Unexpected,
            (_, FatalAlert) => PeerFatal,
            (Established, CloseNotify) => Close,
            (_, CloseNotify) => ClosedDuringHandshake,
            (_, WarningAlert) => Warning,
            (ExpectClientHello, Handshake(H::ClientHello)) => Handle(s::client_hello),
            (ExpectCertificate, Handshake(H::Certificate)) => Handle(s::certificate),
            (ExpectClientKeyExchange, Handshake(H::ClientKeyExchange)) => Handle(s::client_key_exchange),
            (ExpectCertificateVerify, Handshake(H::CertificateVerify)) => Handle(s::certificate_verify),
            (ExpectChangeCipherSpec, ChangeCipherSpec) => Handle(s::change_cipher_spec),
            (ExpectFinished, Handshake(H::Finished)) => Handle(s::finished),
            (Established, ApplicationData) => Deliver,
            (Established, Handshake(H::ClientHello)) => RefuseRenegotiation,
            _ => Unexpected,
        };
        action
    }

    /// What this state waits for, for error messages: the inputs its row
    /// hands to a state method.
    pub(crate) fn expecting(self) -> &'static str {
        expecting(Kind::ALL.map(|k| self.on(k).is_handled()))
    }

    /// Whether the peer's bytes are held, unread, in this state.
    pub(crate) fn holds_input(self) -> bool {
        matches!(self.on(Kind::ApplicationData), Action::Hold)
    }
}

/// Names the handled inputs of a row, "A or B". The error type carries a
/// `&'static str`, so the few combinations rows can produce are spelled out
/// here; a row with another combination gets the generic text, and the unit
/// test below fails until it is added.
fn expecting(handled: [bool; Kind::ALL.len()]) -> &'static str {
    let mut names = Kind::ALL
        .iter()
        .zip(handled)
        .filter(|(_, h)| *h)
        .map(|(k, _)| k.name());
    match (names.next(), names.next(), names.next()) {
        (None, _, _) => "application data",
        (Some(one), None, _) => one,
        (Some("CertificateRequest"), Some("ServerHelloDone"), None) => {
            "CertificateRequest or ServerHelloDone"
        }
        (Some("ServerKeyExchange"), Some("CertificateStatus"), None) => {
            "ServerKeyExchange or CertificateStatus"
        }
        (Some("ServerKeyExchange"), Some("ServerHelloDone"), None) => {
            "ServerKeyExchange or ServerHelloDone"
        }
        (Some("CertificateRequest"), Some("ServerHelloDone"), Some("CertificateStatus")) => {
            "CertificateRequest or ServerHelloDone or CertificateStatus"
        }
        _ => "another handshake message",
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;

    fn joined(handled: [bool; Kind::ALL.len()]) -> String {
        let names: Vec<&str> = Kind::ALL
            .iter()
            .zip(handled)
            .filter(|(_, h)| *h)
            .map(|(k, _)| k.name())
            .collect();
        if names.is_empty() {
            "application data".into()
        } else {
            names.join(" or ")
        }
    }

    #[test]
    fn every_stage_is_named_as_it_is_spelled() {
        for stage in ClientStage::ALL {
            assert_eq!(stage.name(), alloc::format!("{stage:?}"));
        }
        for stage in ServerStage::ALL {
            assert_eq!(stage.name(), alloc::format!("{stage:?}"));
        }
    }

    #[test]
    fn every_expectation_names_exactly_the_handled_inputs() {
        for stage in ClientStage::ALL {
            let handled = Kind::ALL.map(|k| stage.on(k).is_handled());
            assert_eq!(stage.expecting(), joined(handled), "client {stage:?}");
        }
        for stage in ServerStage::ALL {
            let handled = Kind::ALL.map(|k| stage.on(k).is_handled());
            assert_eq!(stage.expecting(), joined(handled), "server {stage:?}");
        }
    }

    #[test]
    fn every_handshake_state_handles_something_and_established_nothing() {
        for stage in ClientStage::ALL {
            let any = Kind::ALL.iter().any(|k| stage.on(*k).is_handled());
            assert_eq!(any, stage != ClientStage::Established, "client {stage:?}");
        }
        for stage in ServerStage::ALL {
            let any = Kind::ALL.iter().any(|k| stage.on(*k).is_handled());
            assert_eq!(any, stage != ServerStage::Established, "server {stage:?}");
        }
    }
}
