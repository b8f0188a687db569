//! `--psk IDENTITY:HEXKEY` for `examples/server.rs` and `examples/client.rs`
//! (as `openssl s_client -psk_identity IDENTITY -psk HEXKEY` takes them).

/// Parses `IDENTITY:HEXKEY`: the identity as UTF-8 bytes (everything before
/// the last colon), the key in hex (1 to 64 bytes).
pub fn parse(arg: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (identity, hex) = arg
        .rsplit_once(':')
        .ok_or("expected IDENTITY:HEXKEY, e.g. sensor-17:00112233445566778899aabbccddeeff")?;
    if identity.is_empty() {
        return Err("the identity in IDENTITY:HEXKEY is empty".into());
    }
    if hex.len() % 2 != 0 || hex.is_empty() {
        return Err("HEXKEY in IDENTITY:HEXKEY needs an even number of hex digits".into());
    }
    let key = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|e| format!("HEXKEY in IDENTITY:HEXKEY: {e}"))?;
    tls12::psk::Psk::new(&key).map_err(|e| e.to_string())?;
    Ok((identity.as_bytes().to_vec(), key))
}

/// The key, checked by [`parse`] already.
pub fn key(bytes: &[u8]) -> tls12::psk::Psk {
    tls12::psk::Psk::new(bytes).expect("checked when parsed")
}
