//! Smaller records against real peers over loopback TCP: OpenSSL's
//! max_fragment_length (RFC 6066 §4) and GnuTLS's `--recordsize`, which
//! sends record_size_limit (RFC 8449) together with max_fragment_length
//! when the size has a code (so our server, preferring record_size_limit
//! as RFC 8449 §5 says, answers that). Both peers enforce the limit on what
//! they receive: a record of ours over it would end the connection with
//! record_overflow. The examples are run with their flags.

mod common;

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use common::fixture_path;
use common::peer::{
    contains, example, example_server, gnutls_serv_echo, openssl_s_server, s_server_identity, Proc,
};

/// 6,000 bytes of lines of lowercase letters (nothing s_client or gnutls-cli
/// reads as a command), to echo.
fn lines() -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while out.len() < 6_000 {
        for j in 0..99 {
            out.push(b'a' + ((i * 7 + j) % 20) as u8);
        }
        out.push(b'\n');
        i += 1;
    }
    out.truncate(6_000);
    out
}

/// Our example echo server, a client child fed `lines()` on stdin (kept
/// open: both clients stop at its end), until the whole echo is back on the
/// child's stdout; returns the server's stderr.
fn echo_through(client: impl FnOnce(u16) -> Command) -> String {
    echo_through_with(&[], client)
}

/// As [`echo_through`], with more arguments for our server.
fn echo_through_with(more: &[&str], client: impl FnOnce(u16) -> Command) -> String {
    let mut args = vec![
        "--cert",
        "tests/fixtures/server-p256.chain.pem",
        "--key",
        "tests/fixtures/server-p256.key",
    ];
    args.extend_from_slice(more);
    let (mut server, port) = example_server(&args);
    let data = lines();
    let mut peer = Proc::spawn(client(port));
    // gnutls-cli hands each read of its stdin to one gnutls_record_send and
    // drops what a 512-byte record cannot take: a line at a time, then.
    let mut chunks = data.chunks(100);
    let first = chunks.next().unwrap().to_vec();
    let stdin = peer.feed_stdin_handing_back(first);
    let mut stdin = stdin
        .recv_timeout(Duration::from_secs(20))
        .expect("stdin handed back");
    for chunk in chunks {
        std::thread::sleep(Duration::from_millis(10));
        stdin.write_all(chunk).unwrap();
        stdin.flush().unwrap();
    }
    let echoed = wait_for_bytes(&mut peer, &data);
    assert!(
        echoed,
        "no full echo\n{}\nour server: {}",
        peer.log(),
        server.log()
    );
    assert!(
        server.wait_for_text("records_out="),
        "our server: {}",
        server.log()
    );
    let err = server.stderr_text();
    assert!(!err.contains("failed"), "our server: {err}");
    drop(stdin);
    err
}

/// Waits until `peer`'s stdout holds `data` whole.
fn wait_for_bytes(peer: &mut Proc, data: &[u8]) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if contains(&peer.stdout(), data) {
            return true;
        }
        if peer.exited() {
            return contains(&peer.stdout(), data);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// `openssl s_client -maxfraglen 512` to our server on `port`.
fn s_client_maxfraglen_512(port: u16) -> Command {
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-CAfile", &fixture_path("ca.pem")])
        .args(["-tls1_2", "-maxfraglen", "512", "-ign_eof", "-quiet"]);
    cmd
}

/// `openssl s_client -maxfraglen 512` against examples/server: 6,000 bytes
/// echoed in records of at most 512 bytes both ways.
#[test]
fn s_client_maxfraglen_512_to_our_server() {
    let err = echo_through(s_client_maxfraglen_512);
    assert!(err.contains("records_out=512 records_in=512"), "{err}");
}

/// The same against examples/server `--lent-areas`: the connection's
/// record buffers are lent memory, and the echo still comes back whole in
/// 512-byte records.
#[test]
fn s_client_maxfraglen_512_to_our_server_on_lent_areas() {
    let err = echo_through_with(&["--lent-areas"], s_client_maxfraglen_512);
    assert!(err.contains("lent areas: input "), "{err}");
    assert!(err.contains("records_out=512 records_in=512"), "{err}");
}

/// `gnutls-cli --recordsize 512` (TLS 1.3 offered too, so it sends
/// record_size_limit 513 with max_fragment_length 512) against
/// examples/server: the server answers record_size_limit, sends at most 512
/// bytes of plaintext a record and keeps accepting 2^14.
#[test]
fn gnutls_cli_recordsize_512_to_our_server() {
    for priority in [None, Some("NORMAL:-VERS-ALL:+VERS-TLS1.2")] {
        let err = echo_through(|port| {
            let mut cmd = Command::new("gnutls-cli");
            cmd.args(["--x509cafile", &fixture_path("ca.pem")])
                .args(["--port", &port.to_string()])
                .args(["--recordsize", "512"]);
            if let Some(p) = priority {
                cmd.args(["--priority", p]);
            }
            cmd.arg("localhost");
            cmd
        });
        assert!(
            err.contains("records_out=512 records_in=16384"),
            "{priority:?}: {err}"
        );
    }
}

/// Our example client with `args` against a server child on `port`; its
/// stdout once it exited successfully.
fn our_client(port: u16, args: &[&str]) -> String {
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args(["--server-name", "localhost"])
        .args(["--ca", "tests/fixtures/ca.pem"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut client = Proc::spawn_without_stdin(cmd);
    let status = client.wait_exit();
    assert!(status.success(), "{}", client.log());
    client.stdout_text()
}

/// Our client `--max-fragment-length 512` against `openssl s_server -www`,
/// whose status page (several KB) comes back in records of at most 512.
#[test]
fn our_client_max_fragment_length_512_to_s_server() {
    let (mut server, port) = openssl_s_server(|cmd| {
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, "server-p256");
        cmd.arg("-www");
    });
    let out = our_client(
        port,
        &[
            "--max-fragment-length",
            "512",
            "--send",
            "GET / HTTP/1.0\r\n\r\n",
        ],
    );
    assert!(out.contains("records:    out 512 in 512"), "{out}");
    let page = out.split("--- server answered:").nth(1).unwrap_or_default();
    assert!(page.len() > 2_048, "{out}");
    server.wait_exit();
}

/// Our client `--lent-areas --max-fragment-length 512` against
/// `openssl s_server -www`, twice on the same lent memory: the status page
/// comes back in 512-byte records through record areas of under 5 KB, and
/// the second connection, on the areas the first gave back, resumes.
#[test]
fn our_client_on_lent_areas_max_fragment_length_512_to_s_server() {
    let (mut server, port) = openssl_s_server(|cmd| {
        cmd.args(["-naccept", "2"]);
        s_server_identity(cmd, "server-p256");
        cmd.arg("-www");
    });
    let mut cmd = Command::new(example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args(["--server-name", "localhost"])
        .args(["--ca", "tests/fixtures/ca.pem"])
        .args(["--lent-areas", "--max-fragment-length", "512"])
        .args(["--reconnect", "1", "--send", "GET / HTTP/1.0\r\n\r\n"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut client = Proc::spawn_without_stdin(cmd);
    let status = client.wait_exit();
    assert!(status.success(), "{}", client.log());
    let err = client.stderr_text();
    let sizes: Vec<usize> = err
        .lines()
        .find_map(|l| l.strip_prefix("lent areas: "))
        .unwrap_or_else(|| panic!("{err}"))
        .split(", ")
        .map(|part| part.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    // input, plaintext, output; then handshake_in, handshake_out,
    // peer_leaf, server_name, psk_identity, transcript, alpn and the slot.
    assert_eq!(sizes.len(), 11, "{sizes:?}");
    assert!(sizes[..3].iter().sum::<usize>() < 5_000, "{sizes:?}");
    let out = client.stdout_text();
    assert_eq!(
        out.matches("records:    out 512 in 512").count(),
        2,
        "{out}"
    );
    assert!(out.contains("resumed:    true"), "{out}");
    for page in out.split("--- server answered:").skip(1) {
        assert!(page.len() > 2_048, "{out}");
    }
    server.wait_exit();
}

/// Our client `--record-size-limit 512` against `gnutls-serv --echo`, which
/// answers with its own limit (2^14) and echoes 3,000 bytes in records of at
/// most 512.
#[test]
fn our_client_record_size_limit_512_to_gnutls_serv() {
    let (_server, port) = gnutls_serv_echo("server-p256", |_| {});
    let text: String = String::from_utf8(lines()[..3_000].to_vec()).unwrap();
    let out = our_client(port, &["--record-size-limit", "512", "--send", &text]);
    assert!(out.contains("records:    out 16384 in 512"), "{out}");
    let answer = out
        .split("--- server answered:\n")
        .nth(1)
        .unwrap_or_default();
    assert!(answer.contains(&text), "{out}");
}
