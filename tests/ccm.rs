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
    client.cipher_suites = suites.to_vec().into();
    let mut server = server_config("server-p256");
    server.cipher_suites = suites.to_vec().into();
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

/// The PSK CCM suites need the feature, and then, like every PSK suite,
/// pre-shared keys (tests/psk.rs runs them).
#[test]
fn psk_ccm_suites_need_the_feature_and_keys() {
    for suite in [
        CipherSuite::TLS_PSK_WITH_AES_128_CCM,
        CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
    ] {
        let (c, s) = config_errors(&[suite]);
        for e in [c, s] {
            let text = e.to_string();
            if cfg!(feature = "aes-ccm") {
                assert!(text.contains("no pre-shared key"), "{text}");
            } else {
                assert!(text.contains("needs the `aes-ccm` cargo feature"), "{text}");
            }
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
        client.cipher_suites.to_mut().insert(0, suite);
        let mut server = server_config("server-p256");
        server.cipher_suites = vec![suite].into();
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
        client.cipher_suites = vec![CCM, CCM_8].into();
        let (mut c, mut s) = pair_with(client, server_config("server-p256"), "localhost");
        let (side, e) = handshake(&mut c, &mut s).unwrap_err();
        assert_eq!(side, Side::Server);
        assert!(matches!(e, Error::NoCommonCipherSuite { .. }), "{e:?}");
    }

    /// A session made under a CCM suite resumes under it, by session ID
    /// and by ticket (the default server has both; a second server without
    /// tickets takes the session ID path).
    #[test]
    fn sessions_resume_with_the_ccm_suites() {
        use std::sync::Arc;
        for suite in [CCM, CCM_8] {
            for tickets in [true, false] {
                let mut client = client_config();
                client.cipher_suites = vec![suite].into();
                let mut server = server_config("server-p256");
                server.cipher_suites = vec![suite].into();
                if !tickets {
                    server.ticketer = None;
                }
                let (cc, sc) = (Arc::new(client), Arc::new(server));
                for resumed in [false, true] {
                    let (mut c, mut s) = common::pair_from(cc.clone(), sc.clone(), "localhost");
                    handshake(&mut c, &mut s).unwrap();
                    for conn in [&*c, &*s] {
                        let info = conn.handshake_info().unwrap();
                        assert_eq!(info.resumed, resumed, "{suite:?} tickets={tickets}");
                        assert_eq!(info.cipher_suite, suite);
                    }
                    assert_eq!(send_and_receive(&mut c, &mut s, b"ping"), b"ping");
                    assert_eq!(send_and_receive(&mut s, &mut c, b"pong"), b"pong");
                }
            }
        }
    }

    /// RFC 7251 suites are ECDSA-only: a server with an RSA key and only
    /// CCM suites is a configuration error.
    #[test]
    fn rsa_server_with_only_ccm_suites_is_refused() {
        let mut server = server_config("server-rsa2048");
        server.cipher_suites = vec![CCM, CCM_8].into();
        let e = tls12::ServerConnection::new(std::sync::Arc::new(server), common::now())
            .err()
            .unwrap();
        assert!(
            matches!(e, Error::Config(ref why) if why.contains("Rsa key")),
            "{e:?}"
        );
    }
}

/// Over loopback TCP against OpenSSL and GnuTLS, each CCM suite both ways
/// (the peers are forced to the suite; our side lists it).
#[cfg(feature = "aes-ccm")]
mod interop {
    use super::*;
    use common::fixture_path;
    use common::peer::{
        contains, gnutls_serv_echo, openssl_s_server, our_client_session, our_server_thread,
        read_exactly, s_server_identity, temp_log_path, tls_error, Proc, DEADLINE,
    };
    use std::io::{Read, Write};
    use std::process::Command;
    use std::time::{Duration, Instant};
    use tls12::pki_types::UnixTime;
    use tls12::{HandshakeInfo, ProtocolVersion, ServerConfig};

    /// A client configuration that lists `suite` before the defaults.
    fn client_listing(suite: CipherSuite) -> tls12::ClientConfig {
        let mut config = client_config();
        config.cipher_suites.to_mut().insert(0, suite);
        config
    }

    /// An ECDSA (P-256) server that accepts only `suite`.
    fn server_accepting(suite: CipherSuite) -> ServerConfig {
        let mut config = server_config("server-p256");
        config.cipher_suites = vec![suite].into();
        config
    }

    /// `total` bytes of printable text in lines of 64 (63 characters and
    /// '\n'): line-oriented peers pass it through unchanged.
    fn text_lines(total: usize) -> Vec<u8> {
        (0..total)
            .map(|i| {
                if i % 64 == 63 {
                    b'\n'
                } else {
                    b'a' + ((i * 7 + i / 64) % 26) as u8
                }
            })
            .collect()
    }

    fn assert_negotiated(info: &HandshakeInfo, suite: CipherSuite) {
        assert_eq!(info.version, ProtocolVersion::Tls12);
        assert_eq!(info.cipher_suite, suite);
        assert!(info.extended_master_secret);
        assert!(info.secure_renegotiation);
    }

    /// What our server saw.
    #[derive(Debug)]
    struct ServerRun {
        info: Option<HandshakeInfo>,
        error: Option<tls12::Error>,
        received: Vec<u8>,
        peer_closed: bool,
    }

    /// Our server for one connection: reads `expect` bytes and echoes them.
    /// Then, if `close_first`, sends close_notify and waits for the peer's
    /// (or end of file); otherwise waits for the peer's close_notify, which
    /// the connection answers.
    fn our_echo_server(
        config: ServerConfig,
        expect: usize,
        close_first: bool,
    ) -> common::peer::OurServer<ServerRun> {
        our_server_thread(config, move |tls| {
            let mut run = ServerRun {
                info: None,
                error: None,
                received: Vec::new(),
                peer_closed: false,
            };
            if let Err(e) = tls.complete_handshake() {
                run.error = Some(tls_error(tls.connection(), &e));
                return run;
            }
            run.info = tls.connection().handshake_info().cloned();
            let mut buf = vec![0u8; 64 * 1024];
            while run.received.len() < expect {
                match tls.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => run.received.extend_from_slice(&buf[..n]),
                    Err(e) => {
                        run.error = Some(tls_error(tls.connection(), &e));
                        return run;
                    }
                }
            }
            tls.write_all(&run.received).unwrap();
            if close_first {
                tls.close().unwrap();
            }
            while let Ok(n) = tls.read(&mut buf) {
                if n == 0 {
                    break;
                }
            }
            run.peer_closed = tls.connection().peer_closed();
            run
        })
    }

    /// Checks our server's view of a client that sent `data` and got it
    /// back.
    fn assert_server_run(run: &ServerRun, suite: CipherSuite, data: &[u8], log: &str) {
        assert_eq!(run.error, None, "{log}");
        assert_eq!(run.received.len(), data.len(), "{log}");
        assert!(run.received == data, "the bytes differ\n{log}");
        assert!(run.peer_closed, "no close_notify from the peer\n{log}");
        assert_negotiated(run.info.as_ref().unwrap(), suite);
    }

    // -----------------------------------------------------------------
    // OpenSSL
    // -----------------------------------------------------------------

    /// `openssl s_server -rev` for one connection, serving the P-256
    /// identity, TLS 1.2 with `openssl_suite` only.
    fn s_server(openssl_suite: &str) -> (Proc, u16) {
        openssl_s_server(|cmd| {
            cmd.args(["-naccept", "1"]);
            s_server_identity(cmd, "server-p256");
            cmd.args(["-tls1_2", "-cipher", openssl_suite, "-rev"]);
        })
    }

    /// Our client against s_server forced to `openssl_suite`: a short line
    /// and a 10,000-byte one, each answered reversed, then close_notify.
    fn our_client_to_s_server(openssl_suite: &str, suite: CipherSuite) {
        let (mut server, port) = s_server(openssl_suite);
        let long: String = text_lines(10_000)
            .into_iter()
            .map(|b| if b == b'\n' { '.' } else { b as char })
            .collect();
        let lines = [format!("hello over {openssl_suite}"), long];
        let (info, answers) = our_client_session(
            port,
            client_listing(suite),
            "localhost",
            UnixTime::now(),
            |tls| {
                let answers: Vec<String> = lines
                    .iter()
                    .map(|line| {
                        tls.write_all(format!("{line}\n").as_bytes()).unwrap();
                        String::from_utf8(read_exactly(tls, line.len() + 1)).unwrap()
                    })
                    .collect();
                tls.close().unwrap();
                answers
            },
        )
        .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));
        for (line, answer) in lines.iter().zip(&answers) {
            let reversed: String = line.chars().rev().collect();
            assert_eq!(*answer, format!("{reversed}\n"));
        }
        assert_negotiated(&info, suite);
        assert!(server.wait_exit().success(), "{}", server.log());
        let log = server.text();
        assert!(
            log.contains(&format!("Ciphersuite: {openssl_suite}")),
            "{log}"
        );
        assert!(log.contains("CONNECTION CLOSED"), "{log}");
    }

    /// `openssl s_client` forced to `openssl_suite` sends 64 KiB to our
    /// echo server and gets it back.
    fn s_client_to_our_server(openssl_suite: &str, suite: CipherSuite) {
        let data = text_lines(64 * 1024);
        let ours = our_echo_server(server_accepting(suite), data.len(), true);
        let mut cmd = Command::new("openssl");
        cmd.arg("s_client")
            .args(["-connect", &format!("127.0.0.1:{}", ours.port)])
            .args(["-servername", "localhost", "-verify_hostname", "localhost"])
            .args(["-CAfile", &fixture_path("ca.pem")])
            .args(["-tls1_2", "-cipher", openssl_suite, "-ign_eof"]);
        let mut client = Proc::spawn(cmd);
        client.feed_stdin(data.clone());
        let status = client.wait_exit();
        let run = ours.join();
        let log = client.log();
        assert!(status.success(), "{log}\nour server: {run:?}");
        assert_server_run(&run, suite, &data, &log);
        let out = client.stdout();
        assert!(contains(&out, &data), "our echo is missing\n{log}");
        let out = String::from_utf8_lossy(&out);
        assert!(
            out.contains(&format!("New, TLSv1.2, Cipher is {openssl_suite}")),
            "{log}"
        );
        assert!(out.contains("Verify return code: 0 (ok)"), "{log}");
    }

    #[test]
    fn our_client_to_s_server_aes_128_ccm() {
        our_client_to_s_server("ECDHE-ECDSA-AES128-CCM", CCM);
    }

    #[test]
    fn our_client_to_s_server_aes_128_ccm_8() {
        our_client_to_s_server("ECDHE-ECDSA-AES128-CCM8", CCM_8);
    }

    #[test]
    fn s_client_to_our_server_aes_128_ccm() {
        s_client_to_our_server("ECDHE-ECDSA-AES128-CCM", CCM);
    }

    #[test]
    fn s_client_to_our_server_aes_128_ccm_8() {
        s_client_to_our_server("ECDHE-ECDSA-AES128-CCM8", CCM_8);
    }

    // -----------------------------------------------------------------
    // GnuTLS
    // -----------------------------------------------------------------

    /// A TLS 1.2-only priority string allowing just ECDHE-ECDSA with
    /// `cipher` (`AES-128-CCM`, `AES-128-CCM-8`).
    fn priority(cipher: &str) -> String {
        format!("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+{cipher}:-KX-ALL:+ECDHE-ECDSA")
    }

    /// `gnutls-serv --echo` on a free port with the P-256 identity and
    /// `cipher` only. `stdbuf` makes its output line-buffered.
    fn gnutls_serv(cipher: &str) -> (Proc, u16) {
        let priority = priority(cipher);
        gnutls_serv_echo("server-p256", |cmd| {
            cmd.args(["--priority", &priority]);
        })
    }

    /// Our client against gnutls-serv forced to `cipher`: two lines echoed
    /// (the echo server is line- and text-oriented), then close_notify both
    /// ways.
    fn our_client_to_gnutls_serv(cipher: &str, suite: CipherSuite) {
        let (mut server, port) = gnutls_serv(cipher);
        let lines = [
            b"hello from tls12 to gnutls-serv\n".to_vec(),
            text_lines(8 * 1024),
        ];
        let (info, answers) = our_client_session(
            port,
            client_listing(suite),
            "localhost",
            UnixTime::now(),
            |tls| {
                let answers: Vec<Vec<u8>> = lines
                    .iter()
                    .map(|line| {
                        tls.write_all(line).unwrap();
                        read_exactly(tls, line.len())
                    })
                    .collect();
                tls.close().unwrap();
                let mut rest = Vec::new();
                tls.read_to_end(&mut rest)
                    .unwrap_or_else(|e| panic!("waiting for gnutls-serv's close_notify: {e}"));
                assert!(tls.connection().peer_closed(), "no close_notify");
                answers
            },
        )
        .unwrap_or_else(|e| panic!("handshake failed: {e:?}\n{}", server.log()));
        assert_eq!(answers[0], lines[0]);
        assert!(answers[1] == lines[1], "the long echo differs");
        assert_negotiated(&info, suite);
        assert!(
            server.wait_for_text("- Options:"),
            "no session summary\n{}",
            server.log()
        );
        let log = server.text();
        assert!(log.contains(&format!("- Cipher: {cipher}\n")), "{log}");
        assert!(log.contains("- Key Exchange: ECDHE-ECDSA\n"), "{log}");
        assert!(log.contains("- Version: TLS1.2"), "{log}");
    }

    /// gnutls-cli forced to `cipher` sends 32 KiB of text to our echo
    /// server; once the echo is all back its stdin is closed, it sends
    /// close_notify and exits.
    fn gnutls_cli_to_our_server(cipher: &str, suite: CipherSuite) {
        let data = text_lines(32 * 1024);
        let ours = our_echo_server(server_accepting(suite), data.len(), false);
        let logfile = temp_log_path("ccm-gnutls");
        let mut cmd = Command::new("gnutls-cli");
        cmd.args(["--port", &ours.port.to_string()])
            .args(["--x509cafile", &fixture_path("ca.pem")])
            .arg("--logfile")
            .arg(&logfile)
            .args(["--sni-hostname", "localhost"])
            .args(["--verify-hostname", "localhost"])
            .args(["--priority", &priority(cipher)])
            .arg("127.0.0.1");
        let mut cli = Proc::spawn(cmd).with_logfile(logfile);
        let stdin = cli.feed_stdin_handing_back(data.clone());
        let start = Instant::now();
        while cli.stdout_len() < data.len()
            && start.elapsed() < DEADLINE
            && cli.child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(stdin.recv_timeout(Duration::from_secs(1)));
        let status = cli.wait_exit();
        let run = ours.join();
        let log = cli.log();
        assert!(status.success(), "{log}\nour server: {run:?}");
        assert_server_run(&run, suite, &data, &log);
        assert!(cli.stdout() == data, "the echo differs\n{log}");
        let text = cli.text();
        assert!(
            text.contains(&format!("-({cipher})")),
            "gnutls-cli's description names another cipher\n{log}"
        );
        assert!(text.contains("- Handshake was completed"), "{log}");
    }

    #[test]
    fn our_client_to_gnutls_serv_aes_128_ccm() {
        our_client_to_gnutls_serv("AES-128-CCM", CCM);
    }

    #[test]
    fn our_client_to_gnutls_serv_aes_128_ccm_8() {
        our_client_to_gnutls_serv("AES-128-CCM-8", CCM_8);
    }

    #[test]
    fn gnutls_cli_to_our_server_aes_128_ccm() {
        gnutls_cli_to_our_server("AES-128-CCM", CCM);
    }

    #[test]
    fn gnutls_cli_to_our_server_aes_128_ccm_8() {
        gnutls_cli_to_our_server("AES-128-CCM-8", CCM_8);
    }
}
