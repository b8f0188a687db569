//! The AES-CCM suites of RFC 7251 (`TLS_ECDHE_ECDSA_WITH_AES_128_CCM` and
//! `_CCM_8`), which need the `aes-ccm` feature: configuration without it, in
//! memory against ourselves, and over loopback TCP against OpenSSL's
//! `s_server`/`s_client` and GnuTLS's `gnutls-serv`/`gnutls-cli`, with data
//! both ways.
//!
//! Run with `cargo test --features aes-ccm --test ccm`; without the feature
//! only the configuration tests run. The record protection itself is tested
//! against published vectors in `src/record/ccm.rs` and
//! `src/record/cipher.rs`. (Not an `interop_*.rs` file: the README's
//! interop matrix counts the default suites only.)

mod common;

use common::{client_config, server_config};
use tls12::{CipherSuite, Error};

const CCM: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM;
const CCM_8: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8;

/// The configuration error a client and a server connection get with
/// `suites` as their only suites.
fn config_errors(suites: &[CipherSuite]) -> (Error, Error) {
    use std::sync::Arc;
    let mut client = client_config();
    client.cipher_suites = suites.to_vec();
    let mut server = server_config("server-p256");
    server.cipher_suites = suites.to_vec();
    let c = match tls12::ClientConnection::new(
        Arc::new(client),
        common::name("localhost"),
        common::now(),
    ) {
        Ok(_) => panic!("client config accepted"),
        Err(e) => e,
    };
    let s = match tls12::ServerConnection::new(Arc::new(server), common::now()) {
        Ok(_) => panic!("server config accepted"),
        Err(e) => e,
    };
    (c, s)
}

/// Without the feature the CCM suites are a configuration error that says
/// which feature to turn on, on both sides.
#[cfg(not(feature = "aes-ccm"))]
#[test]
fn ccm_suites_without_the_feature_name_it() {
    for suite in [CCM, CCM_8] {
        let (c, s) = config_errors(&[suite]);
        for e in [c, s] {
            let Error::Config(why) = e else {
                panic!("expected a configuration error, got {e:?}")
            };
            assert!(
                why.contains("needs the `aes-ccm` cargo feature"),
                "{suite:?}: {why}"
            );
            assert!(why.contains(&format!("{suite:?}")), "{why}");
        }
    }
}

/// The PSK CCM suites are names only: no build implements them yet.
#[test]
fn psk_ccm_suites_are_not_implemented() {
    for suite in [
        CipherSuite::TLS_PSK_WITH_AES_128_CCM,
        CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
    ] {
        let (c, s) = config_errors(&[suite]);
        for e in [c, s] {
            assert_eq!(
                e,
                Error::Config(format!("cipher suite {suite:?} is not implemented"))
            );
        }
    }
}

#[test]
fn code_points() {
    assert_eq!(CCM.to_wire(), 0xc0ac);
    assert_eq!(CCM_8.to_wire(), 0xc0ae);
    assert_eq!(CipherSuite::TLS_PSK_WITH_AES_128_CCM.to_wire(), 0xc0a4);
    assert_eq!(CipherSuite::TLS_PSK_WITH_AES_128_CCM_8.to_wire(), 0xc0a8);
    assert_eq!(CCM.name(), Some("TLS_ECDHE_ECDSA_WITH_AES_128_CCM"));
    assert_eq!(CCM_8.name(), Some("TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"));
}

/// The default configurations neither offer nor accept the CCM suites.
#[test]
fn not_in_the_default_lists() {
    assert!(!client_config().cipher_suites.contains(&CCM));
    assert!(!client_config().cipher_suites.contains(&CCM_8));
    assert!(!server_config("server-p256").cipher_suites.contains(&CCM));
    assert!(!server_config("server-p256").cipher_suites.contains(&CCM_8));
}

#[cfg(feature = "aes-ccm")]
mod in_memory {
    use super::*;
    use common::{
        drain_plaintext, events, handshake, pair_with, send_and_receive, take_output, transfer,
        Side,
    };
    use tls12::AlertDescription;

    /// A pair that lists `suite` (the client first among the defaults, the
    /// server alone) with its handshake done.
    fn established(suite: CipherSuite) -> (tls12::ClientConnection, tls12::ServerConnection) {
        let mut client = client_config();
        client.cipher_suites.insert(0, suite);
        let mut server = server_config("server-p256");
        server.cipher_suites = vec![suite];
        let (mut c, mut s) = pair_with(client, server, "localhost");
        handshake(&mut c, &mut s).unwrap();
        events(&mut c);
        events(&mut s);
        (c, s)
    }

    /// The handshake with `suite`, then data of several sizes each way (up
    /// to several full records) and close_notify.
    fn suite_both_ways(suite: CipherSuite) {
        let (mut c, mut s) = established(suite);
        for conn in [&*c, &*s] {
            let info = conn.handshake_info().unwrap();
            assert_eq!(info.cipher_suite, suite);
            assert!(info.extended_master_secret);
        }
        for (i, len) in [1usize, 100, 16_384, 16_385, 100_000]
            .into_iter()
            .enumerate()
        {
            let data: Vec<u8> = (0..len).map(|j| (j * 7 + i) as u8).collect();
            assert_eq!(send_and_receive(&mut c, &mut s, &data), data, "{len} c->s");
            assert_eq!(send_and_receive(&mut s, &mut c, &data), data, "{len} s->c");
        }
        c.close();
        transfer(&mut c, &mut s).unwrap();
        assert!(s.peer_closed());
    }

    #[test]
    fn handshake_and_data_aes_128_ccm() {
        suite_both_ways(CCM);
    }

    #[test]
    fn handshake_and_data_aes_128_ccm_8() {
        suite_both_ways(CCM_8);
    }

    /// The records carry RFC 6655 §3's 8-byte explicit nonce and the
    /// suite's tag: a one-byte application record is 5 + 8 + 1 + tag bytes.
    #[test]
    fn record_overhead_is_nonce_and_tag() {
        for (suite, tag) in [(CCM, 16), (CCM_8, 8)] {
            let (mut c, mut s) = established(suite);
            c.send(b"x").unwrap();
            let out = take_output(&mut c);
            assert_eq!(out.len(), 5 + 8 + 1 + tag, "{suite:?}");
            s.receive(&out).unwrap();
            assert_eq!(drain_plaintext(&mut s), b"x");
        }
    }

    /// Any changed byte of a CCM or CCM_8 record (explicit nonce,
    /// ciphertext, tag) is bad_record_mac: nothing is delivered and the
    /// peer is told.
    #[test]
    fn tampered_records_are_bad_record_mac() {
        for suite in [CCM, CCM_8] {
            let record_len = 5 + 8 + 14 + if suite == CCM { 16 } else { 8 };
            for i in 5..record_len {
                let (mut c, mut s) = established(suite);
                c.send(b"attack at dawn").unwrap();
                let mut record = take_output(&mut c);
                assert_eq!(record.len(), record_len);
                record[i] ^= 0x01;
                assert_eq!(
                    s.receive(&record),
                    Err(Error::BadRecordMac),
                    "{suite:?} byte {i}"
                );
                assert!(s.plaintext().is_empty());
                assert_eq!(
                    transfer(&mut s, &mut c),
                    Err(Error::AlertReceived(AlertDescription::BadRecordMac))
                );
            }
        }
    }

    /// A CCM record whose tag was cut to CCM_8's 8 bytes (what a peer
    /// that got the tag length wrong would send) is bad_record_mac.
    #[test]
    fn ccm_record_with_an_8_byte_tag_fails() {
        let (mut c, mut s) = established(CCM);
        c.send(b"sixteen-byte tag").unwrap();
        let mut record = take_output(&mut c);
        record.truncate(record.len() - 8);
        let len = (record.len() - 5) as u16;
        record[3..5].copy_from_slice(&len.to_be_bytes());
        assert_eq!(s.receive(&record), Err(Error::BadRecordMac));
    }

    /// Only the client lists a CCM suite: no common suite with a default
    /// server.
    #[test]
    fn a_default_server_does_not_accept_them() {
        let mut client = client_config();
        client.cipher_suites = vec![CCM, CCM_8];
        let (mut c, mut s) = pair_with(client, server_config("server-p256"), "localhost");
        let (side, e) = handshake(&mut c, &mut s).unwrap_err();
        assert_eq!(side, Side::Server);
        assert!(matches!(e, Error::NoCommonCipherSuite { .. }), "{e:?}");
    }

    /// RFC 7251 suites are ECDSA-only: a server with an RSA key and only
    /// CCM suites is a configuration error.
    #[test]
    fn rsa_server_with_only_ccm_suites_is_refused() {
        let mut server = server_config("server-rsa2048");
        server.cipher_suites = vec![CCM, CCM_8];
        let e = tls12::ServerConnection::new(std::sync::Arc::new(server), common::now())
            .err()
            .unwrap();
        assert!(
            matches!(e, Error::Config(ref why) if why.contains("Rsa key")),
            "{e:?}"
        );
    }
}
