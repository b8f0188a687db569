//! `examples/server`, the program users and tools run, as a real peer sees
//! it over loopback TCP: a message of a type the server does not expect is
//! answered with unexpected_message even when its body is garbage (the type
//! is checked against the state before the body is decoded).

mod common;

use std::io::{Read, Write};
use std::process::Command;

use common::peer::{connect, Proc};
use common::{fixture_path, handshake_msg, record};

/// Builds `examples/server` (a no-op when `cargo test` already has) and
/// starts it on a free port.
fn start_example_server() -> (Proc, u16) {
    let mut build = Command::new(env!("CARGO"));
    // The variables cargo sets for a test (CARGO_MANIFEST_DIR among them)
    // would look like a changed environment to the dependencies' build
    // scripts and rebuild them.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("CARGO_") && name != "CARGO_HOME" && name != "CARGO_TARGET_DIR" {
            build.env_remove(name);
        }
    }
    let status = build
        .args(["build", "--quiet", "--example", "server"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo build --example server");
    assert!(status.success(), "building examples/server failed");
    let exe = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("debug/examples/server");
    let mut cmd = Command::new(&exe);
    cmd.args(["--listen", "127.0.0.1:0"])
        .args(["--cert", &fixture_path("server-p256.chain.pem")])
        .args(["--key", &fixture_path("server-p256.key")]);
    let mut server = Proc::spawn_without_stdin(cmd);
    assert!(
        server.wait_for_text("listening on"),
        "server did not start: {}",
        server.log()
    );
    let text = server.stdout_text();
    let port = text
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {text:?}"));
    (server, port)
}

/// Sends `first` as the connection's first bytes and returns everything the
/// server sends back before it closes.
fn answer_to(port: u16, first: &[u8]) -> Vec<u8> {
    let mut sock = connect(port);
    sock.write_all(first).unwrap();
    let mut got = Vec::new();
    let _ = sock.read_to_end(&mut got);
    got
}

#[test]
fn a_garbage_message_of_an_unexpected_type_first_gets_unexpected_message_over_tcp() {
    let (mut server, port) = start_example_server();
    // fatal(2) unexpected_message(10), in the clear.
    let unexpected = record(21, 0x0303, &[2, 10]);
    // A NewSessionTicket, a Finished, a ServerHello and an unknown type, each
    // with a body that decodes as nothing.
    for typ in [4u8, 20, 2, 99] {
        let msg = handshake_msg(typ, &[0xff, 0x00, 0xff]);
        let got = answer_to(port, &record(22, 0x0301, &msg));
        assert_eq!(got, unexpected, "type {typ}: {}", server.log());
    }
    // The same garbage as a ClientHello, which the state does accept, is a
    // decode error (fatal(2) decode_error(50)): the check above is about
    // the type, not the body.
    let got = answer_to(
        port,
        &record(22, 0x0301, &handshake_msg(1, &[0xff, 0x00, 0xff])),
    );
    assert_eq!(got, record(21, 0x0303, &[2, 50]), "{}", server.log());
    assert!(
        !server.exited(),
        "one bad connection never stops the server"
    );
}
