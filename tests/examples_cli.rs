//! The example programs as users and tools run them: their command lines
//! (clap: `--help`, usage errors, the README's documented invocations),
//! `--http` answering requests whose lines end in a bare LF (RFC 9112 §2.2),
//! and `--no-require-ems` against an OpenSSL peer that leaves the extended
//! master secret out.

mod common;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use common::peer::{
    connect, example, listening_port, openssl_s_server, s_server_identity, Proc, EXAMPLES,
};
use common::{client_config, fixture_path, name, now};
use tls12::{ClientConnection, Stream};

/// Runs example `name` with `args` from the crate's root (where the
/// README's relative paths point) to its exit; returns its exit code and
/// output.
fn run(name: &str, args: &[&str]) -> (Option<i32>, Proc) {
    let mut cmd = Command::new(example(name));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut proc = Proc::spawn_without_stdin(cmd);
    let status = proc.wait_exit();
    (status.code(), proc)
}

/// Starts server example `name` (server or mio_server) with `args` and
/// waits for its "listening on ADDR"; returns it and its port.
fn start_server(name: &str, args: &[&str]) -> (Proc, u16) {
    let mut cmd = Command::new(example(name));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut server = Proc::spawn_without_stdin(cmd);
    let port = listening_port(&mut server, name);
    (server, port)
}

/// `--cert` and `--key` for the P-256 fixture server, and a free port.
fn server_args() -> Vec<String> {
    vec![
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--cert".into(),
        fixture_path("server-p256.chain.pem"),
        "--key".into(),
        fixture_path("server-p256.key"),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `--suites` takes the CCM suites by name; built without the `aes-ccm`
/// feature (as [`example`] builds them), the server and the client stop at
/// startup with an error naming the feature, before listening or
/// connecting.
#[test]
fn ccm_suites_without_the_feature_stop_server_and_client() {
    let server_args = server_args();
    let server = [
        strs(&server_args),
        vec!["--suites", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"],
    ]
    .concat();
    let client = vec![
        "--connect",
        "127.0.0.1:1",
        "--server-name",
        "localhost",
        "--ca",
        "tests/fixtures/ca.pem",
        "--suites",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
    ];
    for (name, args) in [("server", server), ("client", client)] {
        let (code, proc) = run(name, &args);
        assert_eq!(code, Some(1), "{name}: {}", proc.log());
        assert!(
            proc.stderr_text()
                .contains("needs the `aes-ccm` cargo feature"),
            "{name}: {}",
            proc.log()
        );
        assert!(!proc.stdout_text().contains("listening on"), "{name}");
    }
}

// ---------------------------------------------------------------------------
// --help and usage errors
// ---------------------------------------------------------------------------

/// Every flag each example takes (the README and the tools that drive the
/// examples use exactly these names).
fn flags(example: &str) -> &'static [&'static str] {
    match example {
        "server" => &[
            "--listen",
            "--cert",
            "--key",
            "--suites",
            "--alpn",
            "--http",
            "--echo",
            "--max-connections",
            "--client-ca",
            "--client-auth",
            "--no-session-cache",
            "--no-tickets",
            "--no-require-ems",
            "--export",
            "--ocsp",
            "--async-key",
            "--legacy-rsa-key-transport",
            "--psk",
            "--psk-hint",
            "--help",
        ],
        "client" => &[
            "--connect",
            "--server-name",
            "--ca",
            "--suites",
            "--alpn",
            "--send",
            "--cert",
            "--key",
            "--reconnect",
            "--no-require-ems",
            "--ocsp",
            "--async-key",
            "--legacy-rsa-key-transport",
            "--psk",
            "--max-fragment-length",
            "--record-size-limit",
            "--help",
        ],
        "mio_server" => &["--listen", "--cert", "--key", "--http", "--echo", "--help"],
        "tokio_client" => &[
            "--connect",
            "--server-name",
            "--ca",
            "--suites",
            "--alpn",
            "--send",
            "--help",
        ],
        "demo" => &["--help"],
        other => panic!("no example {other}"),
    }
}

#[test]
fn help_names_every_flag_and_exits_0() {
    for name in EXAMPLES {
        let (code, proc) = run(name, &["--help"]);
        assert_eq!(code, Some(0), "{}", proc.log());
        let help = proc.stdout_text();
        assert!(help.contains("Usage: "), "{name}: {help}");
        for flag in flags(name) {
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "{name} --help does not name {flag}:\n{help}"
            );
        }
    }
    // What --no-require-ems gives up is said where it is offered.
    for name in ["server", "client"] {
        let (_, proc) = run(name, &["--help"]);
        let help = proc.stdout_text();
        assert!(
            help.contains("RFC 7627") && help.contains("triple-handshake"),
            "{name}: {help}"
        );
        // The key log is an environment variable, so --help says so.
        assert!(help.contains("SSLKEYLOGFILE"), "{name}: {help}");
    }
}

/// `--psk` with a 65-byte key: one more than RFC 4279 §5.3's 64.
const LONG_PSK: &str = "id:0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn bad_arguments_are_usage_errors_with_exit_code_2() {
    let server = server_args();
    let server = strs(&server);
    let client = [
        "--connect",
        "127.0.0.1:1",
        "--server-name",
        "localhost",
        "--ca",
        "tests/fixtures/ca.pem",
    ];
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("server", [&server[..], &["--no-such-flag"]].concat()),
        ("server", vec!["--listen", "127.0.0.1:0"]), // no --cert, --key
        (
            "server",
            [&server[..], &["--max-connections", "many"]].concat(),
        ),
        (
            "server",
            [&server[..], &["--client-auth", "required"]].concat(),
        ), // no --client-ca
        (
            "server",
            [
                &server[..],
                &[
                    "--client-ca",
                    "tests/fixtures/ca.pem",
                    "--client-auth",
                    "maybe",
                ],
            ]
            .concat(),
        ),
        ("server", [&server[..], &["--listen"]].concat()), // no value
        (
            "server",
            [&server[..], &["--export", "EXPORTER-x"]].concat(),
        ), // no :LEN
        (
            "server",
            [&server[..], &["--export", "EXPORTER-x:many"]].concat(),
        ),
        // RSA key transport on a server needs the caller's decryption.
        (
            "server",
            [&server[..], &["--legacy-rsa-key-transport"]].concat(),
        ),
        ("server", [&server[..], &["--psk", "no-colon"]].concat()),
        ("server", [&server[..], &["--psk", "id:abc"]].concat()), // odd hex
        ("server", [&server[..], &["--psk", "id:zz"]].concat()),
        ("server", [&server[..], &["--psk", ":00"]].concat()), // no identity
        ("server", [&server[..], &["--psk", LONG_PSK]].concat()), // a 65-byte key
        ("server", [&server[..], &["--psk-hint", "h"]].concat()), // no --psk
        ("client", [&client[..], &["--psk", "id"]].concat()),
        ("client", [&client[..], &["--no-such-flag"]].concat()),
        ("client", vec!["--connect", "127.0.0.1:1"]), // no --ca, no --psk
        ("client", [&client[..], &["--reconnect", "-1"]].concat()),
        (
            "client",
            [&client[..], &["--max-fragment-length", "1000"]].concat(),
        ), // not one of RFC 6066's four
        (
            "client",
            [&client[..], &["--max-fragment-length", "x"]].concat(),
        ),
        (
            "client",
            [&client[..], &["--record-size-limit", "63"]].concat(),
        ), // below RFC 8449's 64
        (
            "client",
            [&client[..], &["--record-size-limit", "16385"]].concat(),
        ), // above 2^14
        (
            "client",
            [
                &client[..],
                &["--cert", "tests/fixtures/client-p256.chain.pem"],
            ]
            .concat(),
        ), // no --key
        ("mio_server", vec!["--no-such-flag"]),
        ("tokio_client", vec!["--no-such-flag"]),
        ("demo", vec!["--no-such-flag"]),
    ];
    for (name, args) in cases {
        let (code, proc) = run(name, &args);
        assert_eq!(code, Some(2), "{name} {args:?}: {}", proc.log());
        let err = proc.stderr_text();
        assert!(err.contains("error: "), "{name} {args:?}: {err}");
        // clap's usage error (a bad value gets the hint without the usage).
        assert!(
            err.contains("Usage: ") || err.contains("try '--help'"),
            "{name} {args:?}: {err}"
        );
        assert!(proc.stdout_text().is_empty(), "{name} {args:?}");
    }
}

/// As before clap: a flag given twice takes its last value, and of
/// `--http` / `--echo` the last one given wins.
#[test]
fn a_repeated_flag_takes_its_last_value() {
    let mut args = vec!["--listen", "256.0.0.1:1", "--http"];
    let base = server_args();
    args.extend(strs(&base));
    args.push("--echo");
    args.push("--http");
    let (mut server, port) = start_server("server", &args);
    let got = http_over_tls(port, b"GET / HTTP/1.0\r\n\r\n");
    assert!(got.starts_with(b"HTTP/1.1 200 OK\r\n"), "{}", server.log());
    assert!(!server.exited());
}

// ---------------------------------------------------------------------------
// --http and bare-LF line ends
// ---------------------------------------------------------------------------

/// Sends `requests` over TLS (our client, in-process) to the server on
/// `port` and returns what came back until the server closed, or until
/// nothing came for a while.
fn http_over_tls(port: u16, requests: &[u8]) -> Vec<u8> {
    let mut sock = connect(port);
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut conn =
        ClientConnection::new(Arc::new(client_config()), name("localhost"), now()).unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    tls.complete_handshake().expect("handshake");
    tls.write_all(requests).expect("send the requests");
    let mut got = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    got
}

fn bare_lf_requests_are_answered(example: &str) {
    let mut args = server_args();
    args.push("--http".into());
    let (mut server, port) = start_server(example, &strs(&args));
    // Three requests in one write: bare-LF lines, CRLF lines with a bare-LF
    // blank line, then bare-LF lines of an HTTP/1.0 request, after which
    // the server closes.
    let got = http_over_tls(
        port,
        b"GET / HTTP/1.1\nHost: x\n\n\
          GET /mixed HTTP/1.1\r\nHost: x\r\n\n\
          GET /old HTTP/1.0\n\n",
    );
    let text = String::from_utf8_lossy(&got);
    assert_eq!(
        text.matches("HTTP/1.1 200 OK\r\n").count(),
        3,
        "{example}: {text}\n{}",
        server.log()
    );
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    // The request lines were read whole, without a stray CR or LF; the
    // HTTP/1.0 one was recognised (the server said it would close).
    for line in ["GET / HTTP/1.1", "GET /mixed HTTP/1.1", "GET /old HTTP/1.0"] {
        assert!(
            text.contains(&format!("request:    {line}\n")),
            "{example}: {line:?} not in {text}"
        );
    }
    assert_eq!(
        text.matches("Connection: close\r\n").count(),
        1,
        "{example}: {text}"
    );
    assert!(!server.exited(), "{}", server.log());
}

#[test]
fn server_http_answers_requests_with_bare_lf_line_ends() {
    bare_lf_requests_are_answered("server");
}

#[test]
fn mio_server_http_answers_requests_with_bare_lf_line_ends() {
    bare_lf_requests_are_answered("mio_server");
}

// ---------------------------------------------------------------------------
// --no-require-ems, against OpenSSL with the extended master secret off
// ---------------------------------------------------------------------------

/// An OpenSSL configuration file that turns the extended master secret
/// (RFC 7627) off for every TLS context of the process that loads it
/// (`OPENSSL_CONF`): `s_client` and `s_server` of OpenSSL 3.0 have no flag
/// for it.
fn openssl_conf_without_ems() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join("openssl-no-ems.cnf");
        // Written whole under another name, then renamed: a test process
        // running beside this one never reads half a file.
        let part = dir.join(format!("openssl-no-ems.cnf.{}", std::process::id()));
        std::fs::write(
            &part,
            "openssl_conf = openssl_init\n\
             [openssl_init]\nssl_conf = ssl_sect\n\
             [ssl_sect]\nsystem_default = system_default_sect\n\
             [system_default_sect]\nOptions = -ExtendedMasterSecret\n",
        )
        .unwrap();
        std::fs::rename(&part, &path).unwrap();
        path
    })
    .clone()
}

/// `openssl s_client` without the extended master secret against our
/// server on `port`; returns it once it has exited.
fn s_client_without_ems(port: u16) -> Proc {
    let mut cmd = Command::new("openssl");
    cmd.env("OPENSSL_CONF", openssl_conf_without_ems())
        .arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-tls1_2"])
        .args(["-CAfile", &fixture_path("ca.pem")]);
    let mut client = Proc::spawn_without_stdin(cmd);
    client.wait_exit();
    client
}

#[test]
fn server_no_require_ems_accepts_a_client_without_ems_and_only_then() {
    // Without the flag: refused with handshake_failure.
    let (mut strict, port) = start_server("server", &strs(&server_args()));
    let client = s_client_without_ems(port);
    assert!(
        client.text().contains("alert handshake failure"),
        "{}",
        client.log()
    );
    assert!(
        strict.wait_for_text("did not offer the extended master secret"),
        "{}",
        strict.log()
    );
    assert!(!strict.text().contains("negotiated"), "{}", strict.log());

    // With it: the handshake completes, without EMS.
    let mut args = server_args();
    args.push("--no-require-ems".into());
    let (mut lenient, port) = start_server("server", &strs(&args));
    let client = s_client_without_ems(port);
    let out = client.stdout_text();
    assert!(
        out.contains("Cipher is ECDHE-ECDSA-"),
        "{}\n{}",
        client.log(),
        lenient.log()
    );
    assert!(
        out.contains("Extended master secret: no"),
        "{}",
        client.log()
    );
    assert!(lenient.wait_for_text("ems=false"), "{}", lenient.log());
}

/// `openssl s_server -www` without the extended master secret, for one
/// connection.
fn s_server_without_ems() -> (Proc, u16) {
    openssl_s_server(|cmd| {
        cmd.env("OPENSSL_CONF", openssl_conf_without_ems());
        cmd.args(["-naccept", "1"]);
        s_server_identity(cmd, "server-p256");
        cmd.arg("-www");
    })
}

#[test]
fn client_no_require_ems_accepts_a_server_without_ems_and_only_then() {
    let client = |port: u16, extra: &[&str]| {
        let port = format!("127.0.0.1:{port}");
        let mut args = vec!["--connect", &port, "--server-name", "localhost"];
        args.extend(["--ca", "tests/fixtures/ca.pem"]);
        args.extend(extra);
        run("client", &args)
    };

    let (_server, port) = s_server_without_ems();
    let (code, proc) = client(port, &[]);
    assert_eq!(code, Some(1), "{}", proc.log());
    assert!(
        proc.stderr_text().contains("handshake failed"),
        "{}",
        proc.log()
    );

    let (_server, port) = s_server_without_ems();
    let (code, proc) = client(port, &["--no-require-ems"]);
    assert_eq!(code, Some(0), "{}", proc.log());
    let out = proc.stdout_text();
    assert!(out.contains("ems:        false\n"), "{}", proc.log());
    assert!(out.contains("HTTP/1.0 200 ok"), "{}", proc.log());
}

// ---------------------------------------------------------------------------
// The README's command lines
// ---------------------------------------------------------------------------

/// The `cargo run --example NAME -- ARGS` command lines in README.md (lines
/// ending in `\` continued), as (NAME, ARGS) with each `[...]` optional
/// group either left out (`with_optional` false) or taken in.
fn readme_commands(with_optional: bool) -> Vec<(String, Vec<String>)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut commands = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("cargo run --example ") {
            continue;
        }
        let mut command = line.to_string();
        while command.ends_with('\\') {
            command.pop();
            command.push(' ');
            command.push_str(lines.next().unwrap_or(""));
        }
        let mut words = command.split_whitespace().skip(3);
        let name = words.next().unwrap().to_string();
        let mut args = Vec::new();
        let mut optional = false;
        for word in words {
            let mut word = word;
            if let Some(rest) = word.strip_prefix('[') {
                optional = true;
                word = rest;
            }
            let closes = word.ends_with(']');
            let word = word.trim_end_matches(']');
            if word != "--" && (!optional || with_optional) {
                args.push(word.to_string());
            }
            if closes {
                optional = false;
            }
        }
        commands.push((name, args));
    }
    commands
}

/// `args` with the value after `flag` replaced by `value`.
fn with_value(args: &[String], flag: &str, value: &str) -> Vec<String> {
    let at = args
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    let mut args = args.to_vec();
    args[at + 1] = value.to_string();
    args
}

#[test]
fn the_readme_command_lines_run() {
    for with_optional in [false, true] {
        let commands = readme_commands(with_optional);
        let names: Vec<&str> = commands.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["demo", "server", "client"], "{commands:?}");
        let get = |name: &str| &commands.iter().find(|(n, _)| n == name).unwrap().1;

        let (code, demo) = run("demo", &strs(get("demo")));
        assert_eq!(code, Some(0), "{}", demo.log());
        assert!(demo.stdout_text().contains("TLSv1.2"), "{}", demo.log());

        // The server as documented, on a free port; the client as
        // documented, against it.
        let server_args = with_value(get("server"), "--listen", "127.0.0.1:0");
        let (mut server, port) = start_server("server", &strs(&server_args));
        let client_args = with_value(get("client"), "--connect", &format!("127.0.0.1:{port}"));
        let (code, client) = run("client", &strs(&client_args));
        assert_eq!(code, Some(0), "{}\n{}", client.log(), server.log());
        let out = client.stdout_text();
        let connections = if with_optional { 4 } else { 1 }; // --reconnect 3
        assert_eq!(
            out.matches("HTTP/1.1 200 OK").count(),
            connections,
            "{}",
            client.log()
        );
        // As the server's page shows it (the client prints the same line).
        assert_eq!(
            out.matches("\nresumed:    true\nclient certificates")
                .count(),
            connections - 1,
            "{}",
            client.log()
        );
        if with_optional {
            // --client-auth required, and the client sent its chain.
            assert!(out.contains("client certificates: 2\n"), "{}", client.log());
        }
        assert!(!server.exited(), "{}", server.log());
    }
}

/// A request header that never ends is not buffered without bound: past
/// 16 KiB the server answers 431 (RFC 9110 §15.5.20) and closes.
#[test]
fn server_http_refuses_an_endless_request_header() {
    let mut args = server_args();
    args.push("--http".into());
    let (mut server, port) = start_server("server", &strs(&args));
    let mut header = b"GET / HTTP/1.1\r\n".to_vec();
    while header.len() <= 20 * 1024 {
        header.extend_from_slice(b"X-Filler: 0123456789abcdef0123456789abcdef\r\n");
    }
    let got = http_over_tls(port, &header);
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{text}\n{}",
        server.log()
    );
    assert!(!server.exited(), "{}", server.log());
}
