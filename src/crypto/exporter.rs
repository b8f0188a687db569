//! RFC 5705 keying material exporters: a secret both ends derive from the
//! session's master secret, for protocols that bind themselves to the TLS
//! session (channel binding, key derivation for another layer).

use zeroize::Zeroize;

use super::keys::{MasterSecret, MASTER_SECRET_LEN};
use super::prf::prf;
use super::suites::HashAlgorithm;
use crate::error::Error;

/// What an exporter needs after the handshake: the session's master secret
/// (wiped on drop), both randoms and the suite's PRF hash. Kept only when
/// the configuration enables exporters.
pub(crate) struct ExporterSecret {
    hash: HashAlgorithm,
    master: [u8; MASTER_SECRET_LEN],
    client_random: [u8; 32],
    server_random: [u8; 32],
}

/// Labels the TLS 1.2 key schedule itself uses (RFC 5246 §6.3, §7.4.9,
/// §8.1; RFC 7627 §4). RFC 5705 §4 asks that exporter labels not collide
/// with them, and the IANA TLS Exporter Labels registry lists them as
/// reserved: an exporter with one of these labels would hand out the
/// Finished verify_data, the key block or a master secret.
const RESERVED_LABELS: [&[u8]; 5] = [
    b"client finished",
    b"server finished",
    b"master secret",
    b"key expansion",
    b"extended master secret",
];

impl ExporterSecret {
    pub(crate) fn new(
        hash: HashAlgorithm,
        master: &MasterSecret,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Self {
        Self {
            hash,
            master: *master.as_bytes(),
            client_random: *client_random,
            server_random: *server_random,
        }
    }

    /// RFC 5705 §4: `PRF(master_secret, label, client_random +
    /// server_random [+ context_value_length + context_value])`, filling
    /// `out`. No context and an empty context give different output.
    pub(crate) fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        if RESERVED_LABELS.contains(&label) {
            return Err(Error::Misuse(
                "this exporter label is reserved (RFC 5705 §4): client finished, server \
                 finished, master secret, key expansion and extended master secret are the \
                 key schedule's own; exporter labels should begin with EXPORTER",
            ));
        }
        let randoms: [&[u8]; 2] = [&self.client_random, &self.server_random];
        match context {
            None => prf(self.hash, &self.master, label, &randoms, out),
            Some(context) => {
                // RFC 5705 §4: context_value_length is a uint16.
                let len = u16::try_from(context.len()).map_err(|_| {
                    Error::Misuse("exporter context longer than 65535 bytes (RFC 5705 §4)")
                })?;
                let len = len.to_be_bytes();
                prf(
                    self.hash,
                    &self.master,
                    label,
                    &[randoms[0], randoms[1], &len, context],
                    out,
                );
            }
        }
        Ok(())
    }
}

impl Drop for ExporterSecret {
    fn drop(&mut self) {
        self.master.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> ExporterSecret {
        ExporterSecret::new(
            HashAlgorithm::Sha256,
            &MasterSecret::from_bytes([3; 48]),
            &[1; 32],
            &[2; 32],
        )
    }

    #[test]
    fn export_is_the_prf_over_the_randoms_and_context() {
        let s = secret();
        let mut without = [0u8; 40];
        s.export(b"EXPORTER-test", None, &mut without).unwrap();
        let mut expected = [0u8; 40];
        prf(
            HashAlgorithm::Sha256,
            &[3; 48],
            b"EXPORTER-test",
            &[&[1; 32], &[2; 32]],
            &mut expected,
        );
        assert_eq!(without, expected);

        let mut with = [0u8; 40];
        s.export(b"EXPORTER-test", Some(b"ctx"), &mut with).unwrap();
        prf(
            HashAlgorithm::Sha256,
            &[3; 48],
            b"EXPORTER-test",
            &[&[1; 32], &[2; 32], &[0, 3], b"ctx"],
            &mut expected,
        );
        assert_eq!(with, expected);

        let mut empty = [0u8; 40];
        s.export(b"EXPORTER-test", Some(b""), &mut empty).unwrap();
        assert_ne!(empty, without, "an empty context is not no context");
    }

    #[test]
    fn reserved_labels_and_long_contexts_are_refused() {
        let s = secret();
        let mut out = [0u8; 12];
        for label in RESERVED_LABELS {
            assert!(matches!(
                s.export(label, None, &mut out),
                Err(Error::Misuse(_))
            ));
        }
        assert_eq!(out, [0; 12], "nothing is written for a refused label");
        let long = alloc::vec![0u8; 65536];
        assert!(s.export(b"EXPORTER-x", Some(&long), &mut out).is_err());
        s.export(b"EXPORTER-x", Some(&long[..65535]), &mut out)
            .unwrap();
    }
}
