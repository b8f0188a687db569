//! Session resumption state (RFC 5246 §7.3, RFC 5077): what a resumable
//! session remembers, the server's session-ID cache and ticket keys, and the
//! client's session store.
//!
//! The caches and the ticket keys need a lock to be shared between threads,
//! so they exist only with the `std` feature; without it resumption is off.

#[cfg(feature = "alloc")]
use alloc::string::String;
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;

use crate::codec::enums::CipherSuite;
#[cfg(feature = "alloc")]
use crate::codec::Reader;
use crate::codec::{Codec, Writer};
use crate::crypto::keys::MasterSecret;
#[cfg(feature = "alloc")]
use crate::error::Error;

/// What a resumable session remembers.
pub(crate) struct Session {
    pub(crate) suite: CipherSuite,
    pub(crate) extended_master_secret: bool,
    pub(crate) master_secret: MasterSecret,
    /// Seconds since the Unix epoch when the full handshake completed.
    pub(crate) created: u64,
    /// The SNI name of the original connection (RFC 6066 §3: resume only for
    /// the same name).
    pub(crate) server_name: Option<crate::shared::Text>,
    /// The peer's certificates, so a resumed connection reports them too.
    pub(crate) peer_certificates: crate::shared::List<CertificateDer<'static>>,
    /// The PSK identity of the full handshake (PSK suites), likewise.
    pub(crate) psk_identity: Option<crate::shared::List<u8>>,
    /// The scheme that signed the full handshake's ServerKeyExchange and
    /// the OCSP response stapled to it, likewise.
    pub(crate) signature_scheme: Option<crate::codec::enums::SignatureScheme>,
    pub(crate) ocsp_response: Option<crate::shared::List<u8>>,
    /// The ECDHE group of the full handshake, and the scheme of the
    /// client's CertificateVerify, likewise.
    pub(crate) group: Option<crate::codec::enums::NamedGroup>,
    pub(crate) client_scheme: Option<crate::codec::enums::SignatureScheme>,
}

impl Clone for Session {
    fn clone(&self) -> Self {
        Self {
            suite: self.suite,
            extended_master_secret: self.extended_master_secret,
            master_secret: MasterSecret::from_bytes(*self.master_secret.as_bytes()),
            created: self.created,
            server_name: self.server_name.clone(),
            peer_certificates: self.peer_certificates.clone(),
            psk_identity: self.psk_identity.clone(),
            signature_scheme: self.signature_scheme,
            ocsp_response: self.ocsp_response.clone(),
            group: self.group,
            client_scheme: self.client_scheme,
        }
    }
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("suite", &self.suite)
            .field("extended_master_secret", &self.extended_master_secret)
            .field("created", &self.created)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

#[cfg_attr(not(feature = "std"), allow(dead_code))] // resumption needs std
const SESSION_ENCODING_VERSION: u8 = 4;

#[cfg_attr(not(feature = "std"), allow(dead_code))] // resumption needs std
impl Session {
    /// Whether the session may still be resumed at `now` (seconds).
    pub(crate) fn alive(&self, now: u64, lifetime_secs: u64) -> bool {
        // Connections on other threads may carry a slightly earlier time than
        // the one that created the session; that is not an expiry.
        now.saturating_sub(self.created) < lifetime_secs
    }

    /// The plaintext inside a ticket. The whole encoding is zeroized by the
    /// caller once sealed.
    pub(crate) fn encode(&self, out: &mut impl Writer) {
        out.put_u8(SESSION_ENCODING_VERSION);
        self.suite.encode(out);
        out.put_u8(u8::from(self.extended_master_secret));
        out.put(&self.created.to_be_bytes());
        out.put(self.master_secret.as_bytes());
        out.with_len(1, |out| {
            if let Some(name) = &self.server_name {
                out.put(name.as_bytes());
            }
        });
        out.with_len(3, |out| {
            for cert in &self.peer_certificates {
                out.with_len(3, |out| out.put(cert.as_ref()));
            }
        });
        // An empty identity names nobody (configurations refuse it), so it
        // stands for none.
        out.with_len(2, |out| {
            if let Some(identity) = &self.psk_identity {
                out.put(identity);
            }
        });
        // 0 stands for no scheme: no signature scheme has that code point.
        out.put_u16(self.signature_scheme.map_or(0, |s| s.to_wire()));
        out.with_len(3, |out| {
            if let Some(response) = &self.ocsp_response {
                out.put(response);
            }
        });
        // 0 stands for no group: no named group has that code point.
        out.put_u16(self.group.map_or(0, |g| g.to_wire()));
        out.put_u16(self.client_scheme.map_or(0, |s| s.to_wire()));
    }

    /// Decodes a ticket's plaintext; tickets are authenticated before this,
    /// so a failure means a bug or an old format, and resumption just falls
    /// back to a full handshake.
    #[cfg(feature = "alloc")]
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        if r.u8("session version")? != SESSION_ENCODING_VERSION {
            return Err(Error::Decode("session version"));
        }
        let suite = CipherSuite::decode(&mut r)?;
        let extended_master_secret = r.u8("session ems")? == 1;
        let mut created = [0u8; 8];
        created.copy_from_slice(r.take(8, "session time")?);
        let mut master = [0u8; 48];
        master.copy_from_slice(r.take(48, "session master secret")?);
        let master_secret = MasterSecret::from_bytes(master);
        zeroize::Zeroize::zeroize(&mut master);
        let name = r.vec_u8("session server name")?;
        let server_name = if name.is_empty() {
            None
        } else {
            Some(crate::shared::Text::from(String::from(
                core::str::from_utf8(name).map_err(|_| Error::Decode("session server name"))?,
            )))
        };
        let mut certs = r.sub_u24("session certificates")?;
        let mut peer_certificates = Vec::new();
        while !certs.is_empty() {
            peer_certificates.push(CertificateDer::from(
                certs.vec_u24("session certificate")?.to_vec(),
            ));
        }
        let identity = r.vec_u16("session PSK identity")?;
        let psk_identity = (!identity.is_empty()).then(|| identity.to_vec().into());
        let scheme = r.u16("session signature scheme")?;
        let signature_scheme =
            (scheme != 0).then(|| crate::codec::enums::SignatureScheme::from_wire(scheme));
        let response = r.vec_u24("session OCSP response")?;
        let ocsp_response = (!response.is_empty()).then(|| response.to_vec().into());
        let group = r.u16("session group")?;
        let group = (group != 0).then(|| crate::codec::enums::NamedGroup::from_wire(group));
        let scheme = r.u16("session client signature scheme")?;
        let client_scheme =
            (scheme != 0).then(|| crate::codec::enums::SignatureScheme::from_wire(scheme));
        r.expect_empty("session")?;
        Ok(Self {
            suite,
            extended_master_secret,
            master_secret,
            created: u64::from_be_bytes(created),
            server_name,
            peer_certificates: peer_certificates.into(),
            psk_identity,
            signature_scheme,
            ocsp_response,
            group,
            client_scheme,
        })
    }
}

/// What a client keeps to resume a session with a server.
#[derive(Debug, Clone)]
pub(crate) struct ClientSession {
    pub(crate) session: Session,
    /// The ID the server gave (may be empty when it issued a ticket).
    pub(crate) session_id: crate::shared::List<u8>,
    /// An RFC 5077 ticket, opaque to us.
    pub(crate) ticket: Option<crate::shared::List<u8>>,
    /// The server's lifetime hint for the ticket, in seconds (0: none).
    #[cfg_attr(not(feature = "std"), allow(dead_code))] // resumption needs std
    pub(crate) lifetime_hint: u32,
}

#[cfg(feature = "std")]
pub use stores::{ClientSessionCache, SessionCache, Ticketer};

#[cfg(feature = "std")]
mod stores {
    use std::collections::{HashMap, VecDeque};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use std::vec::Vec;

    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
    use zeroize::{Zeroize, Zeroizing};

    use super::{ClientSession, Session};
    use crate::codec::handshake::SessionId;
    use crate::crypto::rand::RandomSource;
    use crate::error::Error;

    /// A bounded map with first-in-first-out eviction.
    #[derive(Debug)]
    struct Bounded<K, V> {
        map: HashMap<K, V>,
        order: VecDeque<K>,
        capacity: usize,
    }

    impl<K: std::hash::Hash + Eq + Clone, V> Bounded<K, V> {
        fn new(capacity: usize) -> Self {
            Self {
                map: HashMap::new(),
                order: VecDeque::new(),
                capacity,
            }
        }

        fn insert(&mut self, key: K, value: V) {
            if self.capacity == 0 {
                return;
            }
            if self.map.insert(key.clone(), value).is_none() {
                self.order.push_back(key);
            }
            while self.map.len() > self.capacity {
                match self.order.pop_front() {
                    Some(oldest) => {
                        self.map.remove(&oldest);
                    }
                    None => break,
                }
            }
        }

        /// Looked up by a borrowed form of the key (`&str` for `String`),
        /// so a lookup allocates nothing.
        fn get<Q>(&self, key: &Q) -> Option<&V>
        where
            K: std::borrow::Borrow<Q>,
            Q: std::hash::Hash + Eq + ?Sized,
        {
            self.map.get(key)
        }

        fn remove<Q>(&mut self, key: &Q)
        where
            K: std::borrow::Borrow<Q>,
            Q: std::hash::Hash + Eq + ?Sized,
        {
            if self.map.remove(key).is_some() {
                self.order.retain(|k| k.borrow() != key);
            }
        }

        fn len(&self) -> usize {
            self.map.len()
        }
    }

    /// The server's session-ID cache (RFC 5246 §7.4.1.2), shared by every
    /// connection of a [`ServerConfig`](crate::ServerConfig): bounded (the
    /// oldest session is evicted at capacity) and with a lifetime checked
    /// against the time each connection was given.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use tls12::SessionCache;
    /// let cache = Arc::new(SessionCache::new(10_000, Duration::from_secs(3600)));
    /// # let _ = cache;
    /// ```
    #[derive(Debug)]
    pub struct SessionCache {
        /// Keyed by the fixed-size ID itself: no allocation per stored session.
        inner: Mutex<Bounded<SessionId, Session>>,
        lifetime: Duration,
    }

    impl SessionCache {
        /// A cache of at most `capacity` sessions, each resumable for `lifetime`.
        pub fn new(capacity: usize, lifetime: Duration) -> Self {
            Self {
                inner: Mutex::new(Bounded::new(capacity)),
                lifetime,
            }
        }

        /// How many sessions are held.
        pub fn len(&self) -> usize {
            self.inner.lock().map(|c| c.len()).unwrap_or(0)
        }

        /// Whether no session is held.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        pub(crate) fn lifetime_secs(&self) -> u64 {
            self.lifetime.as_secs()
        }

        pub(crate) fn put(&self, id: &[u8], session: Session) {
            // A poisoned lock only means another thread panicked mid-update;
            // resumption is an optimisation, so it is simply skipped.
            // IDs longer than 32 bytes do not exist (RFC 5246 §7.4.1.2).
            let Some(id) = SessionId::new(id) else {
                return;
            };
            if let Ok(mut c) = self.inner.lock() {
                c.insert(id, session);
            }
        }

        pub(crate) fn get(&self, id: &[u8], now: u64) -> Option<Session> {
            let key = SessionId::new(id)?;
            let mut c = self.inner.lock().ok()?;
            let session = c.get(&key)?;
            if session.alive(now, self.lifetime_secs()) {
                Some(session.clone())
            } else {
                c.remove(&key);
                None
            }
        }
    }

    const KEY_NAME_LEN: usize = 16;
    const KEY_LEN: usize = 32;

    struct TicketKey {
        name: [u8; KEY_NAME_LEN],
        key: Zeroizing<[u8; KEY_LEN]>,
        created: u64,
    }

    impl TicketKey {
        fn aead(&self) -> Option<LessSafeKey> {
            UnboundKey::new(&AES_256_GCM, self.key.as_ref())
                .ok()
                .map(LessSafeKey::new)
        }
    }

    #[derive(Default)]
    struct TicketKeys {
        current: Option<TicketKey>,
        previous: Option<TicketKey>,
    }

    /// Keys that seal RFC 5077 session tickets with AES-256-GCM.
    ///
    /// A new random key is made every `rotation_period` (at the first ticket
    /// issued after the period ends, using the connection's time); the key
    /// before it still opens tickets for one more period, then it is
    /// zeroized and forgotten. Tickets also carry their session's creation
    /// time, so none is honoured after `lifetime`.
    ///
    /// A resumption by ticket gets a new ticket only when the one presented
    /// was sealed under a key that is no longer current (or is due to
    /// rotate), or when its session is past a share of its lifetime
    /// ([`Ticketer::renew_after_percent`]; by default only the key decides).
    /// RFC 5077 §3.3 allows both; keeping the ticket saves a NewSessionTicket
    /// per resumption, and clients and scanners read an unchanged ticket as
    /// a resumption that worked.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use tls12::Ticketer;
    /// let ticketer = Arc::new(Ticketer::new(Duration::from_secs(6 * 3600), Duration::from_secs(12 * 3600)));
    /// # let _ = ticketer;
    /// ```
    pub struct Ticketer {
        keys: Mutex<TicketKeys>,
        rotation_period: u64,
        lifetime: Duration,
        renew_after_percent: u8,
    }

    /// A ticket that opened: the sealed session, and whether it should be
    /// replaced by a new ticket.
    pub(crate) struct OpenedTicket {
        pub(crate) plaintext: Zeroizing<Vec<u8>>,
        /// Sealed under the current key, which is not due to rotate.
        pub(crate) under_current_key: bool,
    }

    impl std::fmt::Debug for Ticketer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Ticketer")
                .field("rotation_period", &self.rotation_period)
                .field("lifetime", &self.lifetime)
                .finish_non_exhaustive()
        }
    }

    impl Ticketer {
        /// Keys rotated every `rotation_period`; sessions resumable for
        /// `lifetime` (also sent to clients as the ticket lifetime hint).
        pub fn new(rotation_period: Duration, lifetime: Duration) -> Self {
            Self {
                keys: Mutex::new(TicketKeys::default()),
                rotation_period: rotation_period.as_secs().max(1),
                lifetime,
                renew_after_percent: 100,
            }
        }

        /// Also renews the ticket of a resumed session once the session is
        /// past `percent` of its lifetime (default 100: never for age alone;
        /// values above 100 are taken as 100). The new ticket keeps the
        /// session's creation time, so renewal never extends a session.
        pub fn renew_after_percent(mut self, percent: u8) -> Self {
            self.renew_after_percent = percent.min(100);
            self
        }

        pub(crate) fn lifetime_secs(&self) -> u64 {
            self.lifetime.as_secs()
        }

        /// Whether a session created at `created` should get a new ticket
        /// at `now`, given where its ticket was sealed.
        pub(crate) fn should_renew(&self, opened: &OpenedTicket, created: u64, now: u64) -> bool {
            let age = now.saturating_sub(created);
            let threshold = self
                .lifetime_secs()
                .saturating_mul(u64::from(self.renew_after_percent))
                / 100;
            !opened.under_current_key || (self.renew_after_percent < 100 && age >= threshold)
        }

        /// A key seals during its period and opens for one more.
        fn usable(&self, key: &TicketKey, now: u64) -> bool {
            now.saturating_sub(key.created) < 2 * self.rotation_period
        }

        fn new_key(random: &dyn RandomSource, now: u64) -> Result<TicketKey, Error> {
            let mut name = [0u8; KEY_NAME_LEN];
            let mut key = Zeroizing::new([0u8; KEY_LEN]);
            random.fill(&mut name)?;
            random.fill(key.as_mut())?;
            Ok(TicketKey {
                name,
                key,
                created: now,
            })
        }

        /// ticket = key_name(16) || nonce(12) || AES-256-GCM(session) || tag.
        pub(crate) fn seal(
            &self,
            plaintext: &[u8],
            now: u64,
            random: &dyn RandomSource,
        ) -> Result<Vec<u8>, Error> {
            let mut keys = self
                .keys
                .lock()
                .map_err(|_| Error::Internal("ticket key lock poisoned"))?;
            // Times from different connections arrive out of order; only a
            // time a whole period after the key's creation rotates it.
            let due = match &keys.current {
                Some(k) => now.saturating_sub(k.created) >= self.rotation_period,
                None => true,
            };
            if due {
                let fresh = Self::new_key(random, now)?;
                keys.previous = keys.current.replace(fresh);
            }
            let key = keys
                .current
                .as_ref()
                .ok_or(Error::Internal("no ticket key"))?;
            let aead = key.aead().ok_or(Error::Internal("ticket key"))?;
            let mut nonce = [0u8; NONCE_LEN];
            random.fill(&mut nonce)?;
            let mut out = Vec::with_capacity(KEY_NAME_LEN + NONCE_LEN + plaintext.len() + 16);
            out.extend_from_slice(&key.name);
            out.extend_from_slice(&nonce);
            let at = out.len();
            out.extend_from_slice(plaintext);
            let tag = aead
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(&key.name),
                    out.get_mut(at..).unwrap_or_default(),
                )
                .map_err(|_| Error::Internal("ticket sealing failed"))?;
            out.extend_from_slice(tag.as_ref());
            Ok(out)
        }

        /// The session plaintext, if the ticket was sealed by a key that is
        /// still usable and is intact. Expired keys are forgotten here.
        pub(crate) fn open(&self, ticket: &[u8], now: u64) -> Option<OpenedTicket> {
            let mut guard = self.keys.lock().ok()?;
            let keys: &mut TicketKeys = &mut guard;
            for slot in [&mut keys.current, &mut keys.previous] {
                if slot.as_ref().is_some_and(|k| !self.usable(k, now)) {
                    // Dropping the key zeroizes it.
                    *slot = None;
                }
            }
            let name = ticket.get(..KEY_NAME_LEN)?;
            let nonce = ticket.get(KEY_NAME_LEN..KEY_NAME_LEN + NONCE_LEN)?;
            let sealed = ticket.get(KEY_NAME_LEN + NONCE_LEN..)?;
            let under_current_key = keys.current.as_ref().is_some_and(|k| {
                crate::crypto::constant_time_eq(&k.name, name)
                    && now.saturating_sub(k.created) < self.rotation_period
            });
            let key = [&keys.current, &keys.previous]
                .into_iter()
                .flatten()
                .find(|k| crate::crypto::constant_time_eq(&k.name, name))?;
            let aead = key.aead()?;
            let mut buf = Zeroizing::new(sealed.to_vec());
            let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
            let len = aead
                .open_in_place(nonce, Aad::from(name), buf.as_mut_slice())
                .ok()?
                .len();
            buf.truncate(len);
            Some(OpenedTicket {
                plaintext: buf,
                under_current_key,
            })
        }
    }

    impl Drop for TicketKeys {
        fn drop(&mut self) {
            for key in [&mut self.current, &mut self.previous]
                .into_iter()
                .flatten()
            {
                key.name.zeroize();
            }
        }
    }

    /// The client's sessions, one per server name, bounded.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tls12::ClientSessionCache;
    /// let cache = Arc::new(ClientSessionCache::new(256));
    /// # let _ = cache;
    /// ```
    #[derive(Debug)]
    pub struct ClientSessionCache {
        /// Shared with the connections that offer them: handing one out is a
        /// reference count, not a copy of its chain and ticket.
        inner: Mutex<Bounded<std::string::String, Arc<ClientSession>>>,
    }

    impl ClientSessionCache {
        /// A store for at most `capacity` servers' sessions.
        pub fn new(capacity: usize) -> Self {
            Self {
                inner: Mutex::new(Bounded::new(capacity)),
            }
        }

        /// How many sessions are held.
        pub fn len(&self) -> usize {
            self.inner.lock().map(|c| c.len()).unwrap_or(0)
        }

        /// Whether no session is held.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        pub(crate) fn put(&self, server: &str, session: ClientSession) {
            if let Ok(mut c) = self.inner.lock() {
                c.insert(server.into(), Arc::new(session));
            }
        }

        pub(crate) fn get(&self, server: &str) -> Option<Arc<ClientSession>> {
            self.inner.lock().ok()?.get(server).cloned()
        }

        pub(crate) fn remove(&self, server: &str) {
            if let Ok(mut c) = self.inner.lock() {
                c.remove(server);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            extended_master_secret: true,
            master_secret: MasterSecret::from_bytes([7; 48]),
            created: crate::testing::NOW_SECS,
            server_name: Some("localhost".into()),
            peer_certificates: alloc::vec![CertificateDer::from(alloc::vec![1, 2, 3])].into(),
            psk_identity: None,
            signature_scheme: None,
            ocsp_response: None,
            group: None,
            client_scheme: None,
        }
    }

    #[test]
    fn session_encoding_round_trips_and_rejects_truncation() {
        let mut bytes = Vec::new();
        session().encode(&mut bytes);
        let back = Session::decode(&bytes).unwrap();
        assert_eq!(back.master_secret.as_bytes(), &[7; 48]);
        assert_eq!(back.server_name.as_deref(), Some("localhost"));
        assert_eq!(back.peer_certificates.len(), 1);
        for n in 0..bytes.len() {
            assert!(Session::decode(&bytes[..n]).is_err());
        }
    }

    #[cfg(feature = "std")]
    #[test]
    fn ticket_keys_rotate_and_the_previous_key_lasts_one_period() {
        use std::time::Duration;
        let random = crate::crypto::rand::SystemRandom::new();
        let t = Ticketer::new(Duration::from_secs(100), Duration::from_secs(1000));
        let t0 = 1_000_000;
        let a = t.seal(b"first", t0, &random).unwrap();
        let opened = t.open(&a, t0 + 50).unwrap();
        assert_eq!(opened.plaintext.as_slice(), b"first");
        assert!(opened.under_current_key);
        // A seal after the period rotates; the old key still opens, and its
        // tickets are due for renewal.
        let b = t.seal(b"second", t0 + 120, &random).unwrap();
        assert_ne!(a[..16], b[..16], "new key name");
        let opened = t.open(&a, t0 + 150).unwrap();
        assert_eq!(opened.plaintext.as_slice(), b"first");
        assert!(!opened.under_current_key);
        assert!(t.open(&b, t0 + 150).unwrap().under_current_key);
        // Two periods after its creation, the old key is gone; the current
        // one, a period old, is due to rotate.
        assert!(t.open(&a, t0 + 200).is_none());
        let opened = t.open(&b, t0 + 220).unwrap();
        assert_eq!(opened.plaintext.as_slice(), b"second");
        assert!(!opened.under_current_key);
        // Tampering is caught.
        let mut bad = b.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(t.open(&bad, t0 + 200).is_none());
        assert!(t.open(&b[..20], t0 + 200).is_none());
    }

    #[cfg(feature = "std")]
    #[test]
    fn tickets_are_renewed_for_their_key_or_their_age() {
        use std::time::Duration;
        let opened = |under_current_key| stores::OpenedTicket {
            plaintext: zeroize::Zeroizing::new(Vec::new()),
            under_current_key,
        };
        let t = Ticketer::new(Duration::from_secs(100), Duration::from_secs(1000));
        // By default only the key decides.
        assert!(!t.should_renew(&opened(true), 0, 999));
        assert!(t.should_renew(&opened(false), 0, 1));
        let t = t.renew_after_percent(50);
        assert!(!t.should_renew(&opened(true), 0, 499));
        assert!(t.should_renew(&opened(true), 0, 500));
    }

    #[cfg(feature = "std")]
    #[test]
    fn session_cache_is_bounded_and_expires() {
        use std::time::Duration;
        let c = SessionCache::new(2, Duration::from_secs(10));
        let now = crate::testing::NOW_SECS;
        c.put(b"a", session());
        c.put(b"b", session());
        c.put(b"c", session());
        assert_eq!(c.len(), 2);
        assert!(c.get(b"a", now).is_none(), "oldest evicted");
        assert!(c.get(b"b", now + 5).is_some());
        assert!(c.get(b"b", now + 10).is_none(), "expired");
    }
}
