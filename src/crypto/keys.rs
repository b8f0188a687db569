//! The TLS 1.2 key schedule: master secret (RFC 5246 §8.1, RFC 7627 §4),
//! key block (RFC 5246 §6.3) and Finished `verify_data` (RFC 5246 §7.4.9).

// The handshake and record layers that call into this module are written in
// parallel; until they land, parts of this API have no caller.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::prf::prf;
use super::suites::{HashAlgorithm, SuiteParams};

/// Length of the master secret, fixed by RFC 5246 §8.1.
pub(crate) const MASTER_SECRET_LEN: usize = 48;

/// Length of Finished `verify_data` for every TLS 1.2 suite we implement
/// (RFC 5246 §7.4.9: 12 unless the suite says otherwise).
pub(crate) const VERIFY_DATA_LEN: usize = 12;

/// The 48-byte master secret. Wiped on drop; its `Debug` prints no bytes.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct MasterSecret([u8; MASTER_SECRET_LEN]);

/// Which side's Finished message (RFC 5246 §7.4.9 `finished_label`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FinishedLabel {
    Client,
    Server,
}

impl FinishedLabel {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Client => b"client finished",
            Self::Server => b"server finished",
        }
    }
}

impl MasterSecret {
    /// RFC 5246 §8.1: `PRF(pre_master_secret, "master secret",
    /// ClientHello.random + ServerHello.random)[0..47]`.
    pub(crate) fn new(
        hash: HashAlgorithm,
        premaster: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Self {
        let mut ms = Self([0; MASTER_SECRET_LEN]);
        prf(
            hash,
            premaster,
            b"master secret",
            &[client_random, server_random],
            &mut ms.0,
        );
        ms
    }

    /// RFC 7627 §4: `PRF(pre_master_secret, "extended master secret",
    /// session_hash)[0..47]`, where `session_hash` is the transcript hash up
    /// to and including ClientKeyExchange. Binding the master secret to the
    /// whole handshake defeats the triple-handshake attack.
    pub(crate) fn extended(hash: HashAlgorithm, premaster: &[u8], session_hash: &[u8]) -> Self {
        let mut ms = Self([0; MASTER_SECRET_LEN]);
        prf(
            hash,
            premaster,
            b"extended master secret",
            &[session_hash],
            &mut ms.0,
        );
        ms
    }

    /// A master secret restored from a session cache or ticket.
    pub(crate) fn from_bytes(bytes: [u8; MASTER_SECRET_LEN]) -> Self {
        Self(bytes)
    }

    /// The secret itself, e.g. for session storage or an SSLKEYLOGFILE line.
    pub(crate) fn as_bytes(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.0
    }

    /// RFC 5246 §6.3: `key_block = PRF(master_secret, "key expansion",
    /// server_random + client_random)`, cut into client/server write MAC
    /// keys, write keys and IVs. Every suite we implement is AEAD, whose
    /// `mac_key_length` is 0 (RFC 5246 §6.2.3.3), so only keys and IVs appear.
    pub(crate) fn key_block(
        &self,
        suite: &SuiteParams,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> KeyBlock {
        let key_len = suite.aead.key_len();
        let iv_len = suite.aead.fixed_iv_len();
        let mut kb = KeyBlock {
            bytes: [0; KEY_BLOCK_MAX],
            key_len,
            iv_len,
        };
        let used = kb.used_len();
        // `used_len` is at most KEY_BLOCK_MAX for every AeadAlgorithm (checked
        // by a unit test), so this slice is in bounds.
        prf(
            suite.hash,
            &self.0,
            b"key expansion",
            &[server_random, client_random],
            kb.bytes.get_mut(..used).unwrap_or_default(),
        );
        kb
    }

    /// RFC 5246 §7.4.9: `verify_data = PRF(master_secret, finished_label,
    /// Hash(handshake_messages))[0..verify_data_length-1]`.
    pub(crate) fn verify_data(
        &self,
        hash: HashAlgorithm,
        label: FinishedLabel,
        handshake_hash: &[u8],
    ) -> [u8; VERIFY_DATA_LEN] {
        let mut out = [0; VERIFY_DATA_LEN];
        prf(hash, &self.0, label.label(), &[handshake_hash], &mut out);
        out
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(<redacted>)")
    }
}

/// Largest key block we ever need: two 32-byte keys and two 12-byte IVs
/// (ChaCha20-Poly1305, RFC 7905 §2).
const KEY_BLOCK_MAX: usize = 2 * 32 + 2 * 12;

/// The write keys and implicit IVs of both directions (RFC 5246 §6.3).
/// Fixed-size storage, wiped on drop; `Debug` prints no bytes.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct KeyBlock {
    bytes: [u8; KEY_BLOCK_MAX],
    key_len: usize,
    iv_len: usize,
}

impl KeyBlock {
    fn used_len(&self) -> usize {
        2 * self.key_len + 2 * self.iv_len
    }

    /// `client_write_key`.
    pub(crate) fn client_key(&self) -> &[u8] {
        self.bytes.get(..self.key_len).unwrap_or_default()
    }

    /// `server_write_key`.
    pub(crate) fn server_key(&self) -> &[u8] {
        self.bytes
            .get(self.key_len..2 * self.key_len)
            .unwrap_or_default()
    }

    /// `client_write_IV`: the GCM salt (RFC 5288 §3) or the ChaCha20-Poly1305
    /// nonce mask (RFC 7905 §2).
    pub(crate) fn client_iv(&self) -> &[u8] {
        let start = 2 * self.key_len;
        self.bytes
            .get(start..start + self.iv_len)
            .unwrap_or_default()
    }

    /// `server_write_IV`.
    pub(crate) fn server_iv(&self) -> &[u8] {
        let start = 2 * self.key_len + self.iv_len;
        self.bytes
            .get(start..start + self.iv_len)
            .unwrap_or_default()
    }
}

impl fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBlock")
            .field("key_len", &self.key_len)
            .field("iv_len", &self.iv_len)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::CipherSuite;
    use crate::crypto::suites::{lookup, AeadAlgorithm, ALL_SUITES, LEGACY_SUITES, OPT_IN_SUITES};
    use crate::crypto::testutil::{hex, seq};

    fn randoms() -> ([u8; 32], [u8; 32]) {
        let mut c = [0; 32];
        let mut s = [0; 32];
        c.copy_from_slice(&seq(32, 64));
        s.copy_from_slice(&seq(64, 96));
        (c, s)
    }

    #[test]
    fn key_block_fits_every_aead() {
        for aead in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305,
            #[cfg(feature = "aes-ccm")]
            AeadAlgorithm::Aes128Ccm,
            #[cfg(feature = "aes-ccm")]
            AeadAlgorithm::Aes128Ccm8,
        ] {
            assert!(2 * aead.key_len() + 2 * aead.fixed_iv_len() <= KEY_BLOCK_MAX);
        }
    }

    #[test]
    fn lengths_per_suite() {
        let (c, s) = randoms();
        for suite in ALL_SUITES.iter().chain(OPT_IN_SUITES).chain(LEGACY_SUITES) {
            let ms = MasterSecret::new(suite.hash, &[1; 32], &c, &s);
            let kb = ms.key_block(suite, &c, &s);
            assert_eq!(
                kb.client_key().len(),
                suite.aead.key_len(),
                "{:?}",
                suite.suite
            );
            assert_eq!(kb.server_key().len(), suite.aead.key_len());
            assert_eq!(kb.client_iv().len(), suite.aead.fixed_iv_len());
            assert_eq!(kb.server_iv().len(), suite.aead.fixed_iv_len());
            assert_ne!(kb.client_key(), kb.server_key());
            assert_ne!(kb.client_iv(), kb.server_iv());
            // Unused tail stays zero.
            assert!(kb.bytes[kb.used_len()..].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn deterministic_and_input_sensitive() {
        let (c, s) = randoms();
        let h = HashAlgorithm::Sha256;
        let a = MasterSecret::new(h, b"premaster", &c, &s);
        let b = MasterSecret::new(h, b"premaster", &c, &s);
        assert_eq!(a.as_bytes(), b.as_bytes());
        // Swapping the randoms must change the result (order matters, §8.1).
        assert_ne!(
            MasterSecret::new(h, b"premaster", &s, &c).as_bytes(),
            a.as_bytes()
        );
        assert_ne!(
            MasterSecret::new(h, b"premastex", &c, &s).as_bytes(),
            a.as_bytes()
        );
        assert_ne!(
            MasterSecret::new(HashAlgorithm::Sha384, b"premaster", &c, &s).as_bytes(),
            a.as_bytes()
        );
        assert_eq!(
            a.verify_data(h, FinishedLabel::Client, b"hh"),
            b.verify_data(h, FinishedLabel::Client, b"hh")
        );
        assert_ne!(
            a.verify_data(h, FinishedLabel::Client, b"hh"),
            a.verify_data(h, FinishedLabel::Server, b"hh")
        );
        let restored = MasterSecret::from_bytes(*a.as_bytes());
        assert_eq!(restored.as_bytes(), a.as_bytes());
    }

    #[test]
    fn debug_redacts() {
        let ms = MasterSecret::from_bytes([0xab; 48]);
        let text = alloc::format!("{ms:?}");
        assert!(!text.contains("ab") && !text.contains("171"), "{text}");
        let suite = lookup(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).unwrap();
        let (c, s) = randoms();
        let kb = ms.key_block(suite, &c, &s);
        let text = alloc::format!("{kb:?}");
        assert!(!text.contains("bytes"), "{text}");
    }

    // Cross-check against OpenSSL 3.0.19's independent TLS1-PRF
    // implementation. Inputs: premaster = 00..1f, client_random = 20..3f,
    // server_random = 40..5f, session/handshake hash = 60..7f (SHA-256) or
    // 60..8f (SHA-384). Expected values were produced with, e.g.,
    //   openssl kdf -keylen 48 -kdfopt digest:SHA256 -kdfopt hexsecret:<pm> \
    //     -kdfopt hexseed:<hex("master secret")><cr><sr> TLS1-PRF
    //   openssl kdf -keylen 40 ... -kdfopt hexsecret:<ms> \
    //     -kdfopt hexseed:<hex("key expansion")><sr><cr> TLS1-PRF
    //   openssl kdf -keylen 48 ... -kdfopt hexsecret:<pm> \
    //     -kdfopt hexseed:<hex("extended master secret")><hash> TLS1-PRF
    //   openssl kdf -keylen 12 ... -kdfopt hexsecret:<ms> \
    //     -kdfopt hexseed:<hex("client finished")><hash> TLS1-PRF
    struct Expected {
        suite: CipherSuite,
        session_hash: (u8, u8),
        master: &'static str,
        key_block: &'static str,
        extended: &'static str,
        client_vd: &'static str,
        server_vd: &'static str,
    }

    const OPENSSL_VECTORS: &[Expected] = &[
        Expected {
            suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            session_hash: (96, 128),
            master: "518bc65fd30dabe86349152f98435c94d907b50c92a931c5a2f9e3a4d90f3439f2726c763fb1a40aec90b8bc60173f7c",
            key_block: "9052d2e0e4485b2e323effcbc8a47e0839454ba1588ffbc35dccffd8fe8f67f36aee3d733b5a6abc",
            extended: "8cdbae5b0bf6a6020c5ec3c46534625817ab9100f71ac2cdf7e32146052853dad37661bc893e6220930227e0f7009053",
            client_vd: "7dec70c0f70d2c1ad8e52dd0",
            server_vd: "2d4806a12e979726e9c0ba1b",
        },
        Expected {
            suite: CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            session_hash: (96, 128),
            master: "518bc65fd30dabe86349152f98435c94d907b50c92a931c5a2f9e3a4d90f3439f2726c763fb1a40aec90b8bc60173f7c",
            key_block: "9052d2e0e4485b2e323effcbc8a47e0839454ba1588ffbc35dccffd8fe8f67f36aee3d733b5a6abc5818a826fab3fea582291c5ae2097fcbbcb6038cd5d6a970f236e9b87b13063de4518cc80660e7a4003c02ee214c1c93",
            extended: "8cdbae5b0bf6a6020c5ec3c46534625817ab9100f71ac2cdf7e32146052853dad37661bc893e6220930227e0f7009053",
            client_vd: "7dec70c0f70d2c1ad8e52dd0",
            server_vd: "2d4806a12e979726e9c0ba1b",
        },
        Expected {
            suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            session_hash: (96, 144),
            master: "909490f0f47aee91bd8a00a8f1371a0f419ed788896cfaed9fb726fe7b9bce56af69b2924aebce67f95f8068856cc870",
            key_block: "b754545d0582b4de3cf2e11c10d40a24731c50482ac068f9efe6ae78a70c77edc487d0a62b6894e874d56e08fc0781f12a16267ef940fcb04d8f4ca59587024842b596b5c43ed72a",
            extended: "ab12c23220ee2af7bb6c8cd12bf0a0c4a41442d97c96cdce1b5be830f22f928862d738856834c8eb0b89d47166b5bef1",
            client_vd: "3b8946beb6414db8a3cc5f2d",
            server_vd: "cef096b30324d960c2f700ac",
        },
    ];

    #[test]
    fn matches_openssl_tls1_prf() {
        let premaster = seq(0, 32);
        let (c, s) = randoms();
        for v in OPENSSL_VECTORS {
            let suite = lookup(v.suite).unwrap();
            let session_hash = seq(v.session_hash.0, v.session_hash.1);
            assert_eq!(session_hash.len(), suite.hash.output_len());

            let ms = MasterSecret::new(suite.hash, &premaster, &c, &s);
            assert_eq!(&ms.as_bytes()[..], &hex(v.master)[..], "{:?}", v.suite);

            let kb = ms.key_block(suite, &c, &s);
            let mut joined = alloc::vec::Vec::new();
            joined.extend_from_slice(kb.client_key());
            joined.extend_from_slice(kb.server_key());
            joined.extend_from_slice(kb.client_iv());
            joined.extend_from_slice(kb.server_iv());
            assert_eq!(joined, hex(v.key_block), "{:?}", v.suite);

            let ems = MasterSecret::extended(suite.hash, &premaster, &session_hash);
            assert_eq!(&ems.as_bytes()[..], &hex(v.extended)[..]);

            let cvd = ms.verify_data(suite.hash, FinishedLabel::Client, &session_hash);
            let svd = ms.verify_data(suite.hash, FinishedLabel::Server, &session_hash);
            assert_eq!(&cvd[..], &hex(v.client_vd)[..]);
            assert_eq!(&svd[..], &hex(v.server_vd)[..]);
        }
    }
}
