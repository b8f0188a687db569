//! Registry names for code points this crate does not implement, so that
//! errors and logs say `TLS_RSA_WITH_AES_128_CBC_SHA (refused: RSA key
//! exchange, CBC)` rather than `CipherSuite(0x2f)`. Names are those of the
//! IANA TLS registries (Cipher Suites, Supported Groups, SignatureScheme);
//! each comes with why it is not negotiated here.

/// `(name, why)` for a value of the registry `registry` (the enum's name)
/// that has no variant of its own.
pub(crate) fn more_name(registry: &str, value: u16) -> Option<(&'static str, &'static str)> {
    // RFC 8701 §2: GREASE values are 0x?A?A with equal bytes, in every
    // 16-bit registry here (suites, groups, schemes, extensions, versions).
    if value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff {
        return Some(("GREASE", "reserved by RFC 8701, never negotiated"));
    }
    match registry {
        "CipherSuite" => suite(value),
        "NamedGroup" => group(value),
        "SignatureScheme" => scheme(value),
        _ => None,
    }
}

const CBC: &str = "refused: CBC";
const RSA_CBC: &str = "refused: RSA key exchange, CBC";
const DHE: &str = "refused: finite-field DHE";
const DHE_CBC: &str = "refused: finite-field DHE, CBC";
const RC4: &str = "refused: RC4";
const TDES: &str = "refused: 3DES, CBC";
const TLS13: &str = "TLS 1.3 only";

fn suite(value: u16) -> Option<(&'static str, &'static str)> {
    Some(match value {
        0x0000 => ("TLS_NULL_WITH_NULL_NULL", "refused: no encryption"),
        0x0001 => ("TLS_RSA_WITH_NULL_MD5", "refused: no encryption"),
        0x0002 => ("TLS_RSA_WITH_NULL_SHA", "refused: no encryption"),
        0x0003 => ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", "refused: export"),
        0x0004 => ("TLS_RSA_WITH_RC4_128_MD5", RC4),
        0x0005 => ("TLS_RSA_WITH_RC4_128_SHA", RC4),
        0x000a => ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", TDES),
        0x0016 => ("TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", TDES),
        0x002f => ("TLS_RSA_WITH_AES_128_CBC_SHA", RSA_CBC),
        0x0033 => ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", DHE_CBC),
        0x0035 => ("TLS_RSA_WITH_AES_256_CBC_SHA", RSA_CBC),
        0x0039 => ("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", DHE_CBC),
        0x003c => ("TLS_RSA_WITH_AES_128_CBC_SHA256", RSA_CBC),
        0x003d => ("TLS_RSA_WITH_AES_256_CBC_SHA256", RSA_CBC),
        0x0067 => ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", DHE_CBC),
        0x006b => ("TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", DHE_CBC),
        0x00a2 => ("TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", DHE),
        0x00a3 => ("TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", DHE),
        0x00a8 => ("TLS_PSK_WITH_AES_128_GCM_SHA256", "not implemented: PSK"),
        0x00a9 => ("TLS_PSK_WITH_AES_256_GCM_SHA384", "not implemented: PSK"),
        0x1304 => ("TLS_AES_128_CCM_SHA256", TLS13),
        0x1305 => ("TLS_AES_128_CCM_8_SHA256", TLS13),
        0xc007 => ("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", RC4),
        0xc008 => ("TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", TDES),
        0xc00a => ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", CBC),
        0xc011 => ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", RC4),
        0xc012 => ("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", TDES),
        0xc014 => ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", CBC),
        0xc023 => ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", CBC),
        0xc024 => ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", CBC),
        0xc027 => ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", CBC),
        0xc028 => ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", CBC),
        0xccaa => ("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", DHE),
        _ => return None,
    })
}

fn group(value: u16) -> Option<(&'static str, &'static str)> {
    const FFDHE: &str = "refused: finite-field DHE";
    Some(match value {
        0x0016 => ("secp256k1", "not implemented"),
        0x001a => ("brainpoolP256r1", "not implemented"),
        0x001b => ("brainpoolP384r1", "not implemented"),
        0x001c => ("brainpoolP512r1", "not implemented"),
        0x0101 => ("ffdhe3072", FFDHE),
        0x0102 => ("ffdhe4096", FFDHE),
        0x0103 => ("ffdhe6144", FFDHE),
        0x0104 => ("ffdhe8192", FFDHE),
        0x11ec => ("X25519MLKEM768", TLS13),
        0x6399 => ("X25519Kyber768Draft00", TLS13),
        _ => return None,
    })
}

fn scheme(value: u16) -> Option<(&'static str, &'static str)> {
    Some(match value {
        0x0202 => ("dsa_sha1", "refused: DSA, SHA-1"),
        0x0808 => ("ed448", "not implemented"),
        0x0809 => ("rsa_pss_pss_sha256", "not implemented: RSA-PSS keys"),
        0x080a => ("rsa_pss_pss_sha384", "not implemented: RSA-PSS keys"),
        0x080b => ("rsa_pss_pss_sha512", "not implemented: RSA-PSS keys"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use alloc::format;

    use crate::codec::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

    #[test]
    fn unimplemented_code_points_print_their_registry_names() {
        assert_eq!(
            format!("{:?}", CipherSuite::from_wire(0x002f)),
            "TLS_RSA_WITH_AES_128_CBC_SHA (refused: RSA key exchange, CBC)"
        );
        assert_eq!(
            format!("{}", CipherSuite::from_wire(0xc014)),
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA (refused: CBC)"
        );
        assert_eq!(
            format!("{:?}", NamedGroup::from_wire(0x0101)),
            "ffdhe3072 (refused: finite-field DHE)"
        );
        assert_eq!(
            format!("{:?}", SignatureScheme::from_wire(0x0809)),
            "rsa_pss_pss_sha256 (not implemented: RSA-PSS keys)"
        );
        assert_eq!(
            format!("{:?}", CipherSuite::from_wire(0x1a1a)),
            "GREASE (reserved by RFC 8701, never negotiated)"
        );
        // Values no registry entry here names keep their number.
        assert_eq!(
            format!("{:?}", CipherSuite::from_wire(0xfefe)),
            "CipherSuite(0xfefe)"
        );
        assert_eq!(
            format!("{:?}", NamedGroup::from_wire(0x1a2a)),
            "NamedGroup(0x1a2a)"
        );
        assert_eq!(
            format!("{:?}", ProtocolVersion::from_wire(0x7f17)),
            "ProtocolVersion(0x7f17)"
        );
        // Implemented values are unchanged.
        assert_eq!(
            format!("{:?}", CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        );
    }
}
