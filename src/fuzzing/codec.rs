//! The decoder oracles: anything that decodes re-encodes to exactly the
//! bytes it was decoded from, and handshake reassembly neither loses nor
//! invents bytes.

use alloc::vec::Vec;

use crate::codec::alert::AlertMessage;
use crate::codec::enums::HandshakeType;
use crate::codec::extensions::{ClientExtension, ServerExtension};
use crate::codec::handshake::{
    decode_ecdh_public, decode_handshake, encode_ecdh_public, encode_handshake,
    EcdheServerKeyExchange, HandshakeMessage,
};
use crate::codec::{Codec, Reader};
use crate::record::joiner::HandshakeJoiner;
use crate::record::{RecordHeader, HEADER_LEN, MAX_CIPHERTEXT};
use crate::Error;

/// The largest body a 3-byte handshake length can frame.
const MAX_U24: usize = 0xff_ffff;

/// `data[0]` is the handshake type, the rest the body. A message that
/// decodes must re-encode (header included) to `data[0] || len || body`.
/// ServerKeyExchange and ClientKeyExchange bodies are further decoded as
/// their ECDHE forms, with the same oracle.
pub fn handshake_message(data: &[u8]) {
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    if body.len() > MAX_U24 {
        return;
    }
    let typ = HandshakeType::from_wire(typ);
    let Ok(msg) = decode_handshake(typ, body) else {
        return;
    };
    let mut expected = Vec::with_capacity(4 + body.len());
    expected.push(typ.to_wire());
    expected.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    expected.extend_from_slice(body);
    let mut again = Vec::new();
    encode_handshake(&msg, &mut again);
    assert_eq!(again, expected, "handshake {typ:?} did not round-trip");

    match msg {
        HandshakeMessage::ServerKeyExchange(b) => server_key_exchange(b),
        HandshakeMessage::ClientKeyExchange(b) => client_key_exchange(b),
        _ => {}
    }
}

/// An ECDHE ClientKeyExchange body (RFC 8422 §5.7).
fn client_key_exchange(body: &[u8]) {
    let Ok(point) = decode_ecdh_public(body) else {
        return;
    };
    let mut again = Vec::new();
    encode_ecdh_public(point, &mut again);
    assert_eq!(again, body, "ClientKeyExchange did not round-trip");
}

/// A sequence of client hello extensions (type, length, body)*. Decoding
/// stops at the first error; everything decoded before it must re-encode to
/// the bytes it came from.
pub fn client_extension(data: &[u8]) {
    extensions::<ClientExtension<'_>>(data, "client extension");
}

/// As [`client_extension`], for the extensions a server sends.
pub fn server_extension(data: &[u8]) {
    extensions::<ServerExtension<'_>>(data, "server extension");
}

fn extensions<'a, T: Codec<'a> + core::fmt::Debug>(data: &'a [u8], what: &str) {
    let mut r = Reader::new(data);
    while !r.is_empty() {
        let before = data.len() - r.left();
        let Ok(ext) = T::decode(&mut r) else {
            return;
        };
        let after = data.len() - r.left();
        let mut again = Vec::new();
        ext.encode(&mut again);
        assert_eq!(
            again,
            &data[before..after],
            "{what} {ext:?} did not round-trip"
        );
    }
}

/// A two-byte alert (RFC 5246 §7.2).
pub fn alert(data: &[u8]) {
    let Ok(a) = AlertMessage::decode_exact(data, "alert") else {
        return;
    };
    assert_eq!(encoded(&a), data, "alert {a:?} did not round-trip");
}

/// An ECDHE ServerKeyExchange body (RFC 8422 §5.4). Besides the round
/// trip, `params_raw` (what the signature covers) must be exactly the
/// encoding of `params`.
pub fn server_key_exchange(data: &[u8]) {
    let Ok(ske) = EcdheServerKeyExchange::decode(data) else {
        return;
    };
    let mut again = Vec::new();
    // As `EcdheServerKeyExchange::encode` (test-only): params, then the
    // signature.
    ske.params.encode(&mut again);
    ske.signed.encode(&mut again);
    assert_eq!(again, data, "ServerKeyExchange did not round-trip");
    assert_eq!(
        encoded(&ske.params),
        ske.params_raw,
        "ServerKeyExchange params_raw is not the params' encoding"
    );
    assert!(data.starts_with(ske.params_raw));
}

/// The encoding of `v` (the crate's own `Codec::encoded` is test-only).
fn encoded<'a, T: Codec<'a>>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode(&mut out);
    out
}

/// A record header (RFC 5246 §6.2.1) at the front of `data`.
pub fn record_header(data: &[u8]) {
    match RecordHeader::parse(data) {
        Ok(None) => assert!(data.len() < HEADER_LEN, "complete header not parsed"),
        Ok(Some(h)) => {
            assert!(h.len <= MAX_CIPHERTEXT, "oversized record accepted");
            assert_eq!(
                RecordHeader::encode(h.typ, h.version, h.len)[..],
                data[..HEADER_LEN],
                "record header {h:?} did not round-trip"
            );
        }
        Err(_) => assert!(data.len() >= HEADER_LEN, "error on a partial header"),
    }
}

/// Handshake reassembly. `data[0]` sets the message size cap (`* 64`); the
/// rest is a sequence of `len(1) || fragment`, each pushed as one record
/// (a short last fragment is pushed as it is). After every push, complete
/// messages are drained. Until the joiner reports an error, the messages it
/// returned followed by what it still buffers must be exactly the bytes
/// pushed.
pub fn joiner(data: &[u8]) {
    let Some((&cap, mut rest)) = data.split_first() else {
        return;
    };
    let max = usize::from(cap) * 64;
    let mut j = HandshakeJoiner::new(max);
    let mut pushed = Vec::new();
    let mut drained = Vec::new();
    while let Some((&n, tail)) = rest.split_first() {
        let n = usize::from(n).min(tail.len());
        let (fragment, tail) = tail.split_at(n);
        rest = tail;
        match j.push(fragment) {
            Ok(()) => pushed.extend_from_slice(fragment),
            Err(Error::Internal(what)) => panic!("joiner internal error: {what}"),
            Err(_) => return,
        }
        loop {
            match j.next() {
                Ok(Some((typ, body, raw))) => {
                    assert!(body.len() <= max, "message over the cap returned");
                    assert_eq!(raw.len(), 4 + body.len());
                    assert_eq!(raw[0], typ.to_wire());
                    let declared = u32::from_be_bytes([0, raw[1], raw[2], raw[3]]) as usize;
                    assert_eq!(declared, body.len());
                    assert_eq!(&raw[4..], body);
                    drained.extend_from_slice(raw);
                    j.consume();
                }
                Ok(None) => break,
                Err(Error::Internal(what)) => panic!("joiner internal error: {what}"),
                Err(_) => return,
            }
        }
        // What was drained is a prefix of what was pushed, and what is left
        // is at most one incomplete message within the cap.
        assert!(drained.len() <= pushed.len(), "joiner invented bytes");
        assert_eq!(
            drained[..],
            pushed[..drained.len()],
            "joiner reordered bytes"
        );
        let left = &pushed[drained.len()..];
        assert_eq!(j.is_empty(), left.is_empty(), "joiner lost bytes");
        if let [_, a, b, c, body @ ..] = left {
            let declared = u32::from_be_bytes([0, *a, *b, *c]) as usize;
            assert!(declared <= max, "message over the cap buffered");
            assert!(body.len() < declared, "complete message not returned");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn codec_oracles_on_small_inputs() {
        for data in [
            &[][..],
            &[0],
            &[0, 0],
            &[14],
            &[0, 0, 0, 0],
            &[0x00, 0x17, 0x00, 0x00],
            &[0xff, 0x01, 0x00, 0x01, 0x00],
            &[0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00],
            &[3, 0, 0x17, 1, 4, 4, 3, 0, 0],
            &[22, 3, 3, 0x48, 0x01],
            &[22, 3, 3, 0x48, 0x00],
            &[24, 3, 3, 0, 0],
            &[2, 50],
            &[2, 50, 0],
            &[255, 255],
        ] {
            handshake_message(data);
            client_extension(data);
            server_extension(data);
            alert(data);
            server_key_exchange(data);
            record_header(data);
            joiner(data);
        }
    }

    #[test]
    fn joiner_reassembles() {
        // Two messages across three fragments, cap 64 bytes.
        let data = [1, 3, 20, 0, 0, 2, 1, 2, 14, 0, 0];
        joiner(&data);
        let mut v = vec![1u8];
        v.extend_from_slice(&[6, 20, 0, 0, 2, 1, 2]);
        v.extend_from_slice(&[4, 14, 0, 0, 0]);
        joiner(&v);
    }
}
