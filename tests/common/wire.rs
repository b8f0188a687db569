//! Crafted wire bytes for protocol and attack tests: records, handshake
//! messages, and reading back what a connection queued.

use tls12::{AlertDescription as A, Connection};

pub fn record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

pub fn handshake_msg(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![typ];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

pub fn hs_record(msg: &[u8]) -> Vec<u8> {
    record(22, 0x0303, msg)
}

pub fn ccs_record() -> Vec<u8> {
    record(20, 0x0303, &[1])
}

/// Splits a byte stream into whole records.
pub fn split_records(wire: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 5 <= wire.len() {
        let len = u16::from_be_bytes([wire[at + 3], wire[at + 4]]) as usize;
        out.push(wire[at..at + 5 + len].to_vec());
        at += 5 + len;
    }
    assert_eq!(at, wire.len(), "whole records only");
    out
}

/// Splits plaintext handshake records into whole handshake messages.
pub fn split_messages(wire: &[u8]) -> Vec<Vec<u8>> {
    let mut payload = Vec::new();
    for r in split_records(wire) {
        assert_eq!(r[0], 22, "only plaintext handshake records expected");
        payload.extend_from_slice(&r[5..]);
    }
    let mut msgs = Vec::new();
    let mut i = 0;
    while i + 4 <= payload.len() {
        let len = u32::from_be_bytes([0, payload[i + 1], payload[i + 2], payload[i + 3]]) as usize;
        msgs.push(payload[i..i + 4 + len].to_vec());
        i += 4 + len;
    }
    msgs
}

/// The last plaintext alert description queued on `conn`.
pub fn plaintext_alert(conn: &Connection) -> Option<A> {
    let mut last = None;
    for r in split_records(conn.pending_output()) {
        if r[0] == 21 && r.len() == 7 {
            last = Some(A::from(r[6]));
        }
    }
    last
}
