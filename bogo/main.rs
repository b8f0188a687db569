//! The shim BoringSSL's test runner (BoGo, `ssl/test/runner`) drives, as its
//! `ssl/test/PORTING.md` describes: it connects to the runner's port, sends
//! its shim id, plays the client or the server as the flags say, echoes
//! application data with every byte inverted, and reports a failure on
//! stderr with a non-zero exit code. A flag it does not implement makes it
//! exit with 89, which the runner counts as "unimplemented" rather than as
//! a pass or a failure. See README.md for a run.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::exit;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::{
    ClientAuth, ClientConfig, ClientConnection, ClientSessionCache, Connection, NamedGroup,
    RootCertStore, ServerConfig, ServerConnection, SignatureScheme, Stream,
};

/// PORTING.md: the runner's code for a flag the shim does not support.
const UNIMPLEMENTED: i32 = 89;

/// TLS 1.2's wire version, as the runner's version flags give it.
const TLS12: u16 = 0x0303;

/// A certificate chain and key, with what goes with them.
#[derive(Default, Debug)]
struct Credential {
    cert_file: Option<String>,
    key_file: Option<String>,
    ocsp_response: Option<Vec<u8>>,
    /// `-signing-prefs`: the schemes this credential signs with, in order.
    signing_prefs: Vec<u16>,
}

#[derive(Default, Debug)]
struct Flags {
    port: u16,
    shim_id: u64,
    ipv6: bool,
    server: bool,
    /// The default credential first, then each `-new-x509-credential`'s;
    /// `-cert-file`, `-key-file` and `-ocsp-response` apply to the last.
    credentials: Vec<Credential>,
    enable_ocsp_stapling: bool,
    expect_ocsp_response: Option<Vec<u8>>,
    expect_peer_signature_algorithm: Option<u16>,
    /// `-expect-selected-credential`: the number of the credential used
    /// (-1: the default one, or none).
    expect_selected_credential: Option<i32>,
    verify_fail: bool,
    on_resume_verify_fail: bool,
    expect_verify_result: bool,
    expect_curve_id: Option<u16>,
    trust_cert: Option<String>,
    resume_count: usize,
    shim_writes_first: bool,
    shim_shuts_down: bool,
    check_close_notify: bool,
    expect_version: Option<u16>,
    advertise_alpn: Vec<Vec<u8>>,
    select_alpn: Option<Vec<u8>>,
    expect_alpn: Option<Vec<u8>>,
    expect_no_alpn: bool,
    expect_session_miss: bool,
    curves: Vec<u16>,
    verify_prefs: Vec<u16>,
    require_any_client_certificate: bool,
    verify_peer: bool,
    expect_extended_master_secret: bool,
    export_keying_material: Option<usize>,
    export_label: Vec<u8>,
    export_context: Vec<u8>,
    use_export_context: bool,
    host_name: Option<String>,
    expect_server_name: Option<String>,
    /// `-async`: the certificate verdict of `-use-custom-verify-callback`
    /// is given later, as BoringSSL's callback first answers "retry".
    async_mode: bool,
    /// `-use-custom-verify-callback`: BoringSSL's shim replaces X.509
    /// verification with a callback that accepts every chain (or refuses
    /// every one with `-verify-fail`).
    custom_verify: bool,
    /// `-implicit-handshake`: no explicit handshake; the first read or
    /// write drives it, and the handshake's properties are not checked.
    implicit_handshake: bool,
    /// `-psk` and `-psk-identity` (RFC 4279).
    psk: Option<Vec<u8>>,
    psk_identity: Option<String>,
    no_ticket: bool,
    expect_peer_cert_file: Option<String>,
    no_op_extra_handshake: bool,
    max_send_fragment: Option<usize>,
    read_size: Option<usize>,
    /// `-decline-alpn`: BoringSSL's server callback declines ALPN.
    decline_alpn: bool,
    /// `-expect-no-session`: the client gets no session to resume.
    expect_no_session: bool,
}

/// Exits with 89, naming what is not implemented. The runner does not show
/// an unimplemented test's stderr, so the reason also goes to the file named
/// by `BOGO_SHIM_UNIMPLEMENTED_LOG`, if set, for counting what to add next.
fn unimplemented(what: &str) -> ! {
    eprintln!("unimplemented: {what}");
    if let Some(path) = std::env::var_os("BOGO_SHIM_UNIMPLEMENTED_LOG") {
        if let Ok(mut log) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(log, "{what}");
        }
    }
    exit(UNIMPLEMENTED)
}

fn fail(what: &str) -> ! {
    eprintln!("{what}");
    exit(1)
}

fn parse_flags() -> Flags {
    let mut f = Flags::default();
    // Unknown flags are collected, so that the log names every flag a test
    // lacks, not only the first.
    let mut unknown: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1).peekable();
    // The runner asks once, before any test, whether the shim can split a
    // handshake across processes (BoringSSL's handshaker): it cannot.
    if args.peek().map(String::as_str) == Some("-is-handshaker-supported") {
        println!("No");
        exit(0);
    }
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| unimplemented(&format!("{flag} without a value")))
        };
        let number = |v: String| -> u64 {
            v.parse()
                .unwrap_or_else(|_| unimplemented(&format!("{flag} {v}")))
        };
        match flag.as_str() {
            "-port" => f.port = number(value()) as u16,
            "-shim-id" => f.shim_id = number(value()),
            "-ipv6" => f.ipv6 = true,
            "-server" => f.server = true,
            "-new-x509-credential" => {
                if f.credentials.is_empty() {
                    f.credentials.push(Credential::default());
                }
                f.credentials.push(Credential::default());
            }
            "-cert-file" => last(&mut f.credentials).cert_file = Some(value()),
            "-key-file" => last(&mut f.credentials).key_file = Some(value()),
            "-ocsp-response" => last(&mut f.credentials).ocsp_response = Some(base64(&value())),
            "-enable-ocsp-stapling" => f.enable_ocsp_stapling = true,
            "-expect-ocsp-response" => f.expect_ocsp_response = Some(base64(&value())),
            "-expect-peer-signature-algorithm" => {
                f.expect_peer_signature_algorithm = Some(number(value()) as u16)
            }
            "-verify-fail" => f.verify_fail = true,
            "-on-resume-verify-fail" => f.on_resume_verify_fail = true,
            "-expect-verify-result" => f.expect_verify_result = true,
            "-expect-curve-id" => f.expect_curve_id = Some(number(value()) as u16),
            "-trust-cert" => f.trust_cert = Some(value()),
            "-resume-count" => f.resume_count = number(value()) as usize,
            "-shim-writes-first" => f.shim_writes_first = true,
            "-shim-shuts-down" => f.shim_shuts_down = true,
            "-check-close-notify" => f.check_close_notify = true,
            "-min-version" => {
                let v = number(value()) as u16;
                if v > TLS12 {
                    unimplemented("a minimum version above TLS 1.2");
                }
            }
            "-max-version" => {
                let v = number(value()) as u16;
                if v < TLS12 {
                    unimplemented("a maximum version below TLS 1.2");
                }
            }
            "-expect-version" => f.expect_version = Some(number(value()) as u16),
            // TLS 1.3 and the versions before 1.2 are not spoken at all.
            "-no-tls13" | "-no-tls11" | "-no-tls1" | "-no-ssl3" => {}
            "-no-tls12" => unimplemented("TLS 1.2 off"),
            "-advertise-alpn" => f.advertise_alpn = alpn_list(&value()),
            "-select-alpn" => f.select_alpn = Some(value().into_bytes()),
            "-expect-alpn" => f.expect_alpn = Some(value().into_bytes()),
            "-expect-no-alpn" => f.expect_no_alpn = true,
            "-expect-session-miss" => f.expect_session_miss = true,
            "-curves" => f.curves.push(number(value()) as u16),
            "-signing-prefs" => last(&mut f.credentials)
                .signing_prefs
                .push(number(value()) as u16),
            "-verify-prefs" => f.verify_prefs.push(number(value()) as u16),
            "-require-any-client-certificate" => f.require_any_client_certificate = true,
            "-verify-peer" => f.verify_peer = true,
            "-expect-extended-master-secret" => f.expect_extended_master_secret = true,
            "-export-keying-material" => f.export_keying_material = Some(number(value()) as usize),
            "-export-label" => f.export_label = value().into_bytes(),
            "-export-context" => f.export_context = value().into_bytes(),
            "-use-export-context" => f.use_export_context = true,
            "-host-name" => f.host_name = Some(value()),
            "-expect-server-name" => f.expect_server_name = Some(value()),
            // The connection is sans-IO: it never blocks, whatever the
            // transport; what is asynchronous is a verdict the caller gives
            // later (see `custom_verify`).
            "-async" => f.async_mode = true,
            "-use-custom-verify-callback" => f.custom_verify = true,
            "-implicit-handshake" => f.implicit_handshake = true,
            "-psk" => f.psk = Some(value().into_bytes()),
            "-psk-identity" => f.psk_identity = Some(value()),
            // SSL_OP_NO_TICKET: neither asks for nor issues RFC 5077 tickets.
            "-no-ticket" => f.no_ticket = true,
            "-expect-peer-cert-file" => f.expect_peer_cert_file = Some(value()),
            "-expect-selected-credential" => {
                // -1 names the default credential (or none).
                let v = value();
                let n = v
                    .parse()
                    .unwrap_or_else(|_| unimplemented(&format!("{flag} {v}")));
                f.expect_selected_credential = Some(n)
            }
            "-no-op-extra-handshake" => f.no_op_extra_handshake = true,
            "-max-send-fragment" => f.max_send_fragment = Some(number(value()) as usize),
            "-read-size" => f.read_size = Some(number(value()) as usize),
            "-decline-alpn" => f.decline_alpn = true,
            "-expect-no-session" => f.expect_no_session = true,

            // An unknown flag's value, if it has one, is skipped as a
            // word that is not a flag.
            other if other.starts_with('-') => unknown.push(other.to_owned()),
            _ => {}
        }
    }
    if !unknown.is_empty() {
        unimplemented(&format!("flag {}", unknown.join(" ")));
    }
    f
}

/// The credential the credential flags apply to.
fn last(credentials: &mut Vec<Credential>) -> &mut Credential {
    if credentials.is_empty() {
        credentials.push(Credential::default());
    }
    let at = credentials.len() - 1;
    &mut credentials[at]
}

/// Standard base64 (RFC 4648 §4), as the runner passes binary flag values.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = value(c).unwrap_or_else(|| unimplemented("a malformed base64 value"));
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// `-advertise-alpn`'s wire form: length-prefixed names.
fn alpn_list(wire: &str) -> Vec<Vec<u8>> {
    let bytes = wire.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len = usize::from(bytes[at]);
        let Some(name) = bytes.get(at + 1..at + 1 + len) else {
            unimplemented("a malformed -advertise-alpn");
        };
        out.push(name.to_vec());
        at += 1 + len;
    }
    out
}

fn read_chain(path: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .unwrap_or_else(|e| fail(&format!("reading {path}: {e}")))
}

/// The groups of `-curves` that tls12 implements (the default list is all
/// of them); none left means the test needs one it does not.
fn groups(codes: &[u16]) -> Option<Vec<NamedGroup>> {
    let implemented = ClientConfig::new(RootCertStore::empty()).groups;
    implemented_of(
        codes,
        NamedGroup::from_wire,
        &implemented,
        "-curves with no group tls12 implements",
    )
}

/// The values of a list flag (`codes`) that tls12 implements, in the flag's
/// order; `None` without the flag; unimplemented (`why`) when none is.
fn implemented_of<T: PartialEq>(
    codes: &[u16],
    from_wire: fn(u16) -> T,
    implemented: &[T],
    why: &str,
) -> Option<Vec<T>> {
    if codes.is_empty() {
        return None;
    }
    let chosen: Vec<T> = codes
        .iter()
        .map(|c| from_wire(*c))
        .filter(|v| implemented.contains(v))
        .collect();
    if chosen.is_empty() {
        unimplemented(why);
    }
    Some(chosen)
}

/// `-signing-prefs` as schemes; one the key cannot make is refused by the
/// configuration, which the caller reports as unimplemented.
fn signing_schemes(codes: &[u16]) -> Vec<SignatureScheme> {
    codes
        .iter()
        .map(|c| SignatureScheme::from_wire(*c))
        .collect()
}

/// The schemes of `-verify-prefs` that tls12 verifies, as for `groups`.
fn schemes(codes: &[u16]) -> Option<Vec<SignatureScheme>> {
    let implemented = ClientConfig::new(RootCertStore::empty()).signature_schemes;
    implemented_of(
        codes,
        SignatureScheme::from_wire,
        &implemented,
        "-verify-prefs with no scheme tls12 verifies (SHA-1 is refused)",
    )
}

/// The schemes to verify with: those of `-verify-prefs`, or without it
/// BoringSSL's default list, which leaves Ed25519 out (it must be asked for,
/// where tls12 verifies it by default).
fn verify_schemes(f: &Flags, mut defaults: Vec<SignatureScheme>) -> Vec<SignatureScheme> {
    match schemes(&f.verify_prefs) {
        Some(s) => s,
        None => {
            defaults.retain(|s| *s != SignatureScheme::Ed25519);
            defaults
        }
    }
}

fn read_key(path: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_file(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")))
}

/// The RSA key in the PEM file at `path`, if it holds one.
fn rsa_keys_of(path: &str) -> Option<rsa::RsaPrivateKey> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    match read_key(path) {
        PrivateKeyDer::Pkcs8(k) => rsa::RsaPrivateKey::from_pkcs8_der(k.secret_pkcs8_der()).ok(),
        PrivateKeyDer::Pkcs1(k) => rsa::RsaPrivateKey::from_pkcs1_der(k.secret_pkcs1_der()).ok(),
        _ => None,
    }
}

/// The RSA private keys of the server's credentials, for the decryptions
/// of RSA key transport the library leaves to its caller.
fn rsa_keys(f: &Flags) -> Vec<rsa::RsaPrivateKey> {
    f.credentials
        .iter()
        .filter_map(|c| c.key_file.as_deref())
        .filter_map(rsa_keys_of)
        .collect()
}

/// The credentials in BoringSSL's order of preference: those of
/// `-new-x509-credential` by number, then the default one (number -1), if
/// it has a certificate and key. The library prefers its chains in the
/// order they are configured, so this is the order they are given to it.
fn ordered(f: &Flags) -> Vec<(i32, &Credential)> {
    let mut out: Vec<(i32, &Credential)> = f
        .credentials
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, c)| (i as i32, c))
        .collect();
    if let Some(default) = f.credentials.first() {
        match (&default.cert_file, &default.key_file) {
            (Some(_), Some(_)) => out.push((-1, default)),
            (None, None) => {}
            _ => unimplemented("a credential without a certificate and key"),
        }
    }
    out
}

/// The certificate chain and key of a credential.
fn load(cred: &Credential) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let (Some(cert), Some(key)) = (&cred.cert_file, &cred.key_file) else {
        unimplemented("a credential without a certificate and key");
    };
    (read_chain(cert), read_key(key))
}

/// The key of `-psk` and the identity of `-psk-identity`, as BoringSSL's
/// PSK callbacks use them: the client presents that identity only when the
/// server's hint names it, and the server hints it and accepts no other.
fn psk_of(f: &Flags) -> Option<(Vec<u8>, tls12::psk::Psk)> {
    let key = f.psk.as_ref()?;
    let identity = f.psk_identity.clone().unwrap_or_default();
    // RFC 4279 §2 lets an identity be empty; tls12 refuses one that names
    // nobody.
    if identity.is_empty() {
        unimplemented("an empty PSK identity");
    }
    let key = tls12::psk::Psk::new(key).unwrap_or_else(|e| unimplemented(&format!("-psk: {e}")));
    Some((identity.into_bytes(), key))
}

/// The server's configuration, and BoringSSL's number of the credential
/// behind each of its chains, by chain index.
fn server_config(f: &Flags) -> (ServerConfig, Vec<i32>) {
    let psk = psk_of(f);
    let creds = ordered(f);
    if creds.is_empty() {
        let Some((identity, key)) = psk else {
            unimplemented("a server without a credential");
        };
        // A server with a key and no certificate serves the PSK suites
        // only, as BoringSSL's does.
        let mut store = tls12::psk::PskMap::new();
        store
            .insert(&identity, key)
            .unwrap_or_else(|e| fail(&e.to_string()));
        let mut config = ServerConfig::with_psk(Arc::new(store));
        config.psk_identity_hint = Some(identity.into());
        config.reveal_unknown_psk_identity = true;
        server_common(f, &mut config);
        return (config, Vec::new());
    }
    let mut config: Option<ServerConfig> = None;
    for (_, cred) in &creds {
        let (chain, key) = load(cred);
        // A key ring cannot use (P-521, RSA-PSS keys) is a feature tls12
        // lacks, not a failure.
        let made = match config.as_mut() {
            None => ServerConfig::new(chain, key).map(Some),
            Some(c) => c.add_certificate(chain, key).map(|()| None),
        };
        if let Some(c) = made.unwrap_or_else(|e| unimplemented(&format!("a credential: {e}"))) {
            config = Some(c);
        }
    }
    let Some(mut config) = config else {
        unimplemented("a server without a credential");
    };
    for (i, (_, cred)) in creds.iter().enumerate() {
        if let Some(response) = &cred.ocsp_response {
            config
                .set_ocsp_staple(i, Arc::new(tls12::OcspStaple::new(response.clone())))
                .unwrap_or_else(|e| fail(&e.to_string()));
        }
        if !cred.signing_prefs.is_empty() {
            config
                .set_signing_schemes(i, signing_schemes(&cred.signing_prefs))
                .unwrap_or_else(|e| unimplemented(&format!("-signing-prefs: {e}")));
        }
    }
    // BoringSSL accepts the RSA key transport suites by default. The
    // library decrypts nothing itself: each RSA credential is served a
    // second time with its key held by the caller (this shim), after the
    // others, so that it is chosen only for those suites. The copy signs
    // with no more schemes than the original, so that it is never chosen
    // to sign where the original may not.
    let mut rsa_transport = false;
    let mut next = creds.len();
    let mut numbers: Vec<i32> = creds.iter().map(|(n, _)| *n).collect();
    for (number, cred) in &creds {
        let (Some(cert), Some(key)) = (&cred.cert_file, &cred.key_file) else {
            continue;
        };
        let is_rsa = matches!(read_key(key), PrivateKeyDer::Pkcs1(_)) || rsa_keys_of(key).is_some();
        if is_rsa
            && config
                .add_certificate_with_caller_key(read_chain(cert), tls12::KeyType::Rsa)
                .is_ok()
        {
            rsa_transport = true;
            numbers.push(*number);
            if !cred.signing_prefs.is_empty() {
                config
                    .set_signing_schemes(next, signing_schemes(&cred.signing_prefs))
                    .unwrap_or_else(|e| unimplemented(&format!("-signing-prefs: {e}")));
            }
            next += 1;
        }
    }
    if rsa_transport {
        config.legacy_rsa_key_transport = true;
        config
            .cipher_suites
            .extend(tls12::LEGACY_RSA_KEY_TRANSPORT_SUITES);
    }
    if let Some((identity, key)) = psk {
        let mut store = tls12::psk::PskMap::new();
        store
            .insert(&identity, key)
            .unwrap_or_else(|e| fail(&e.to_string()));
        config.psk_store = Some(Arc::new(store).into());
        config.psk_identity_hint = Some(identity.into());
        // BoringSSL's server callback refuses another identity, and
        // BoringSSL then sends unknown_psk_identity (RFC 4279 §2).
        config.reveal_unknown_psk_identity = true;
        config.cipher_suites.extend(tls12::PSK_SUITES);
    }
    server_common(f, &mut config);
    (config, numbers)
}

/// What a server configures whatever its credentials.
fn server_common(f: &Flags, config: &mut ServerConfig) {
    if let Some(g) = groups(&f.curves) {
        config.groups = g.into();
    }
    config.signature_schemes = verify_schemes(f, config.signature_schemes.to_vec()).into();
    if f.require_any_client_certificate || f.verify_peer {
        // BoringSSL's shim asks for a certificate and accepts any chain (or
        // refuses every one with -verify-fail): the verdict is the
        // verifier's, with no roots to name.
        let roots = RootCertStore::empty();
        config.client_auth = if f.require_any_client_certificate {
            ClientAuth::Required(roots)
        } else {
            ClientAuth::Optional(roots)
        };
        config.client_verifier = Some(Arc::new(Verifier::new(f, false, &Arc::default())).into());
        config.dangerous_skip_webpki_for_clients = true;
    }
    if let Some(p) = &f.select_alpn {
        config.alpn_protocols = vec![p.clone()].into();
    }
    // A server that serves no protocol ignores the client's ALPN (RFC 7301
    // §3.2 lets a server decline to negotiate one), as BoringSSL's does
    // when its callback answers SSL_TLSEXT_ERR_NOACK.
    if f.decline_alpn {
        config.alpn_protocols.to_mut().clear();
    }
    if f.no_ticket {
        config.ticketer = None;
    }
    if let Some(n) = f.max_send_fragment {
        config.max_fragment_len = n;
    }
    config.require_extended_master_secret = false;
    config.enable_exporters = f.export_keying_material.is_some();
}

/// The anchors of `-trust-cert` (an empty one: no anchor at all), which
/// BoringSSL's X.509 verification uses and its custom callback ignores.
fn trusted(f: &Flags) -> Option<Vec<CertificateDer<'static>>> {
    if f.custom_verify {
        return None;
    }
    f.trust_cert.as_ref().map(|path| match path.as_str() {
        "" => Vec::new(),
        path => read_chain(path),
    })
}

/// The client's configuration, and BoringSSL's number of the credential
/// behind each of its certificates, by index.
fn client_config(f: &Flags) -> (ClientConfig, Vec<i32>) {
    let trusted = trusted(f);
    let mut roots = RootCertStore::empty();
    for c in trusted.iter().flatten() {
        roots.add(c).unwrap_or_else(|e| fail(&e.to_string()));
    }
    // Without -verify-peer, BoringSSL's client only records a verifier's
    // refusal ("soft" failure) and goes on: tls12 has no such result apart
    // from the handshake's outcome.
    let mut config = ClientConfig::new(roots);
    // BoringSSL's shim checks the server's chain only with -trust-cert, and
    // never its name: the runner's certificates name no host we could ask
    // for. The verifier does exactly that (webpki, without the name).
    config.verifier = Some(Arc::new(Verifier::new(f, false, &Arc::default())).into());
    config.dangerous_skip_webpki = true;
    if let Some(g) = groups(&f.curves) {
        config.groups = g.into();
    }
    config.signature_schemes = verify_schemes(f, config.signature_schemes.to_vec()).into();
    // The client's certificates, in BoringSSL's order of preference.
    let creds = ordered(f);
    for (_, cred) in &creds {
        let (chain, key) = load(cred);
        config
            .add_client_certificate(chain, key)
            .unwrap_or_else(|e| unimplemented(&format!("a client credential: {e}")));
    }
    for (i, (_, cred)) in creds.iter().enumerate() {
        if !cred.signing_prefs.is_empty() {
            config
                .set_client_signing_schemes(i, signing_schemes(&cred.signing_prefs))
                .unwrap_or_else(|e| unimplemented(&format!("-signing-prefs: {e}")));
        }
    }
    // BoringSSL offers the RSA key transport suites by default, after the
    // ECDHE ones; so does this shim, through the legacy opt-in.
    config.legacy_rsa_key_transport = true;
    config
        .cipher_suites
        .extend(tls12::LEGACY_RSA_KEY_TRANSPORT_SUITES);
    // BoringSSL's client presents its certificate whatever CAs the server
    // names (unless a credential says -must-match-issuer).
    config.match_certificate_authorities = false;
    // BoringSSL's shim sends server_name only when given -host-name.
    config.enable_sni = f.host_name.is_some();
    config.request_ocsp = f.enable_ocsp_stapling;
    config.alpn_protocols = f.advertise_alpn.clone().into();
    config.require_extended_master_secret = false;
    config.enable_exporters = f.export_keying_material.is_some();
    config.session_cache = Some(Arc::new(ClientSessionCache::new(4)));
    config.enable_tickets = !f.no_ticket;
    if let Some(n) = f.max_send_fragment {
        config.max_fragment_len = n;
    }
    if let Some((identity, key)) = psk_of(f) {
        config
            .add_psk_for_hint(&identity, &identity, key)
            .unwrap_or_else(|e| fail(&e.to_string()));
        config.cipher_suites.extend(tls12::PSK_SUITES);
    }
    (config, creds.iter().map(|(n, _)| *n).collect())
}

/// The peer's chain as BoringSSL's shim judges it: checked against
/// `roots` when given (`-trust-cert`), its name never, and refused by
/// `-verify-fail`.
#[derive(Debug, Clone)]
struct Verifier {
    fail: bool,
    /// `-use-custom-verify-callback`: a refusal is the custom callback's,
    /// which BoringSSL answers with certificate_unknown, not its X.509
    /// callback's.
    custom: bool,
    roots: Option<Vec<CertificateDer<'static>>>,
    /// Leave the verdict to the caller (the handshake loop), as
    /// `-use-custom-verify-callback` with `-async` does: BoringSSL's
    /// callback answers "retry" first.
    ask: bool,
    /// Without `-verify-peer`, BoringSSL's client only records a refusal
    /// (SSL_get_verify_result) and goes on.
    soft: bool,
    /// The last verdict, for `-expect-verify-result`: 0 none yet (a
    /// resumption keeps its session's), 1 accepted, 2 refused.
    result: Arc<AtomicU8>,
}

impl Verifier {
    fn new(f: &Flags, resumed: bool, result: &Arc<AtomicU8>) -> Self {
        Self {
            fail: f.verify_fail || (resumed && f.on_resume_verify_fail),
            custom: f.custom_verify,
            roots: if f.server { None } else { trusted(f) },
            ask: f.custom_verify && f.async_mode,
            soft: !f.server && !f.verify_peer,
            result: result.clone(),
        }
    }

    /// The verdict on `chain`, recorded, and softened as configured.
    fn verdict(
        &self,
        chain: &[CertificateDer<'static>],
        now: UnixTime,
    ) -> Result<(), tls12::CertificateError> {
        let judged = self.judge(chain, now);
        self.result
            .store(if judged.is_ok() { 1 } else { 2 }, Ordering::Relaxed);
        if self.soft {
            return Ok(());
        }
        judged
    }

    fn judge(
        &self,
        chain: &[CertificateDer<'static>],
        now: UnixTime,
    ) -> Result<(), tls12::CertificateError> {
        if self.fail {
            // BoringSSL's X.509 verify callback failing is
            // X509_V_ERR_APPLICATION_VERIFICATION, which it answers with
            // handshake_failure; its custom callback's refusal gets
            // certificate_unknown.
            let alert = if self.custom {
                tls12::AlertDescription::CertificateUnknown
            } else {
                tls12::AlertDescription::HandshakeFailure
            };
            return Err(tls12::CertificateError::Refused {
                alert,
                reason: "refused by -verify-fail".into(),
            });
        }
        match &self.roots {
            Some(roots) => chain_ok(roots, chain, now),
            None => Ok(()),
        }
    }
}

impl tls12::keyop::PeerVerifier for Verifier {
    fn verify(&self, peer: &tls12::keyop::PeerChain<'_>) -> tls12::keyop::Verdict {
        use tls12::keyop::Verdict;
        if self.ask {
            return Verdict::AskCaller;
        }
        match self.verdict(peer.chain, peer.now) {
            Ok(()) => Verdict::Accept,
            Err(refused) => Verdict::Reject(refused),
        }
    }
}

/// Whether `chain` leads to one of `roots` (webpki, server use, no name),
/// refused as the library refuses: an unparsable leaf is malformed.
fn chain_ok(
    roots: &[CertificateDer<'static>],
    chain: &[CertificateDer<'static>],
    now: UnixTime,
) -> Result<(), tls12::CertificateError> {
    use tls12::CertificateError as E;
    let anchors: Vec<_> = roots
        .iter()
        .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
        .collect();
    let (leaf, rest) = chain.split_first().ok_or(E::NoCertificate)?;
    let ee = webpki::EndEntityCert::try_from(leaf).map_err(|_| E::BadEncoding)?;
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        rest,
        now,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map(|_| ())
    .map_err(|_| E::UnknownIssuer)
}

fn connect(f: &Flags) -> TcpStream {
    let addr = if f.ipv6 {
        format!("[::1]:{}", f.port)
    } else {
        format!("127.0.0.1:{}", f.port)
    };
    let mut sock = TcpStream::connect(&addr).unwrap_or_else(|e| fail(&format!("{addr}: {e}")));
    sock.set_nodelay(true).ok();
    sock.set_read_timeout(Some(Duration::from_secs(30))).ok();
    sock.write_all(&f.shim_id.to_le_bytes())
        .unwrap_or_else(|e| fail(&format!("sending the shim id: {e}")));
    sock
}

/// Sends what the connection queued (the alert for its error), so that the
/// runner reads it before the socket closes.
fn flush_alert(conn: &mut Connection, sock: &mut TcpStream) {
    let out = conn.pending_output().to_vec();
    let _ = sock.write_all(&out);
    conn.consume_output(out.len());
    // Closing with unread input makes the kernel reset the connection, and
    // the runner, still writing, would see that instead of our alert: stop
    // writing, and drain what it still sends for a moment.
    let _ = sock.shutdown(std::net::Shutdown::Write);
    sock.set_read_timeout(Some(Duration::from_secs(1))).ok();
    let mut sink = [0u8; 4096];
    while matches!(sock.read(&mut sink), Ok(n) if n > 0) {}
}

/// The error on stderr: BoringSSL's name for it, as the runner expects
/// (`:NAME:`), then ours in words.
fn report(conn: &Connection, e: &io::Error, server: bool) -> ! {
    match conn.error() {
        Some(err) => fail(&format!(
            "{} tls12 error: {err:?}: {err}",
            boringssl_code(err, server)
        )),
        None => fail(&format!("io error: {e}")),
    }
}

/// The error code BoringSSL reports for what `e` is, in the runner's
/// vocabulary, where one corresponds; the config's ErrorMap covers the rest.
fn boringssl_code(e: &tls12::Error, server: bool) -> &'static str {
    use tls12::{CertificateError as C, Error as E};
    match e {
        E::IllegalParameter("ECDHE public key") => ":BAD_ECPOINT:",
        E::IllegalParameter("explicit curve") => ":BAD_ECPOINT:",
        E::IllegalParameter("server chose a cipher suite we did not offer") => {
            ":WRONG_CIPHER_RETURNED:"
        }
        E::IllegalParameter("server chose a group we did not offer") => ":WRONG_CURVE:",
        E::IllegalParameter(
            "ServerKeyExchange signed with a scheme we did not offer for this suite"
            | "CertificateVerify signed with a scheme we did not request",
        ) => ":WRONG_SIGNATURE_TYPE:",
        E::IllegalParameter("ClientHello does not offer null compression") => {
            ":INVALID_COMPRESSION_LIST:"
        }
        E::IllegalParameter("server selected an ALPN protocol we did not offer") => {
            ":INVALID_ALPN_PROTOCOL:"
        }
        E::IllegalParameter("server resumed a session with a different cipher suite") => {
            ":OLD_SESSION_CIPHER_NOT_RETURNED:"
        }
        E::IllegalParameter("server chose a compression method we did not offer") => {
            ":UNSUPPORTED_COMPRESSION_ALGORITHM:"
        }
        // BoringSSL names every refused extension body so (RFC 8422 §5.1.2
        // requires the uncompressed point format).
        E::IllegalParameter("ec_point_formats does not include uncompressed") => {
            ":ERROR_PARSING_EXTENSION:"
        }
        E::HandshakeFailure(
            "server resumed a session without the extended master secret (RFC 7627 §5.3)"
            | "resumption of an extended-master-secret session without the extension (RFC 7627 §5.3)",
        ) => ":RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION:",
        E::BadSignature(_) => ":BAD_SIGNATURE:",
        E::BadFinished => ":DIGEST_CHECK_FAILED:",
        E::BadRecordMac | E::PskMismatch => ":DECRYPTION_FAILED_OR_BAD_RECORD_MAC:",
        E::UnsupportedVersion { .. } => ":UNSUPPORTED_PROTOCOL:",
        E::InappropriateFallback { .. } => ":INAPPROPRIATE_FALLBACK:",
        // In TLS 1.2 BoringSSL filters out the suites it cannot complete (an
        // ECDHE suite without a common group or scheme, RFC 8422 §4) and
        // names what is left NO_SHARED_CIPHER; its NO_SHARED_GROUP is TLS
        // 1.3's. tls12 names the most preferred suite's obstacle instead.
        E::NoCommonCipherSuite { .. }
        | E::NoCommonSignatureScheme { .. }
        | E::NoCommonGroup { .. } => ":NO_SHARED_CIPHER:",
        E::NoApplicationProtocol { .. } => ":NO_APPLICATION_PROTOCOL:",
        E::UnsupportedExtension(_) => ":UNEXPECTED_EXTENSION:",
        E::UnexpectedMessage {
            got: "handshake data after the end of the peer's flight, in the same record",
            ..
        }
        | E::UnexpectedMessage {
            got: "ChangeCipherSpec inside a handshake message",
            ..
        } => ":EXCESS_HANDSHAKE_DATA:",
        // A record of the wrong content type, rather than the wrong
        // handshake message, is an unexpected record to BoringSSL.
        E::UnexpectedMessage {
            got: "application data" | "ChangeCipherSpec" | "record of unknown content type",
            ..
        }
        | E::UnexpectedMessage {
            expected: "ChangeCipherSpec",
            ..
        } => ":UNEXPECTED_RECORD:",
        E::UnexpectedMessage { .. } => ":UNEXPECTED_MESSAGE:",
        E::Decode("record version") => ":WRONG_VERSION_NUMBER:",
        E::Decode("ChangeCipherSpec") => ":BAD_CHANGE_CIPHER_SPEC:",
        // An alert record that does not hold exactly one alert.
        E::Decode("alert") => ":BAD_ALERT:",
        E::Decode("alert level") => ":UNKNOWN_ALERT_TYPE:",
        E::Decode(_) | E::LimitExceeded { .. } => ":DECODE_ERROR:",
        // Over RFC 5246 §6.2.3's bound on any protected record (2^14 +
        // 2048), checked from the header: BoringSSL's name for the
        // ciphertext; within it, the plaintext was too long.
        E::RecordOverflow { limit, .. } if *limit == 16384 + 2048 => ":ENCRYPTED_LENGTH_TOO_LONG:",
        E::RecordOverflow { .. } => ":DATA_LENGTH_TOO_LONG:",
        E::Certificate(C::InvalidPurpose) => ":KEY_USAGE_BIT_INCORRECT:",
        // A server must send a certificate (RFC 5246 §7.4.2): BoringSSL's
        // client refuses an empty list as undecodable.
        E::Certificate(C::NoCertificate) if !server => ":DECODE_ERROR:",
        E::Certificate(C::NoCertificate) => ":PEER_DID_NOT_RETURN_A_CERTIFICATE:",
        E::Certificate(C::BadEncoding) => ":CANNOT_PARSE_LEAF_CERT:",
        E::Certificate(C::WrongKeyType) => ":WRONG_CERTIFICATE_TYPE:",
        E::Certificate(_) => ":CERTIFICATE_VERIFY_FAILED:",
        E::HandshakeFailure("a client certificate is required and the client sent none") => {
            ":PEER_DID_NOT_RETURN_A_CERTIFICATE:"
        }
        E::UnknownPskIdentity => ":PSK_IDENTITY_NOT_FOUND:",
        E::HandshakeFailure(m) if m.starts_with("the client's supported_groups do not include") => {
            ":WRONG_CURVE:"
        }
        E::AlertReceived(a) => alert_code(*a),
        _ => "",
    }
}

/// What the shim answers the connection's operations with.
struct Answers<'a> {
    /// The RSA keys for RSA key transport's decryptions.
    rsa: &'a [rsa::RsaPrivateKey],
    /// The verifier whose verdict the connection asks for.
    verifier: Option<&'a Verifier>,
    now: UnixTime,
    /// A client's session cache.
    sessions: Option<&'a ClientSessionCache>,
    /// BoringSSL's number of the credential behind each of our chains.
    credentials: &'a [i32],
}

/// BoringSSL's name for a fatal alert received (`SSL_R_*_ALERT_*`).
fn alert_code(a: tls12::AlertDescription) -> &'static str {
    match a.to_wire() {
        0 => ":SSLV3_ALERT_CLOSE_NOTIFY:",
        10 => ":SSLV3_ALERT_UNEXPECTED_MESSAGE:",
        20 => ":SSLV3_ALERT_BAD_RECORD_MAC:",
        21 => ":TLSV1_ALERT_DECRYPTION_FAILED:",
        22 => ":TLSV1_ALERT_RECORD_OVERFLOW:",
        30 => ":SSLV3_ALERT_DECOMPRESSION_FAILURE:",
        40 => ":SSLV3_ALERT_HANDSHAKE_FAILURE:",
        41 => ":SSLV3_ALERT_NO_CERTIFICATE:",
        42 => ":SSLV3_ALERT_BAD_CERTIFICATE:",
        43 => ":SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:",
        44 => ":SSLV3_ALERT_CERTIFICATE_REVOKED:",
        45 => ":SSLV3_ALERT_CERTIFICATE_EXPIRED:",
        46 => ":SSLV3_ALERT_CERTIFICATE_UNKNOWN:",
        47 => ":SSLV3_ALERT_ILLEGAL_PARAMETER:",
        48 => ":TLSV1_ALERT_UNKNOWN_CA:",
        49 => ":TLSV1_ALERT_ACCESS_DENIED:",
        50 => ":TLSV1_ALERT_DECODE_ERROR:",
        51 => ":TLSV1_ALERT_DECRYPT_ERROR:",
        60 => ":TLSV1_ALERT_EXPORT_RESTRICTION:",
        70 => ":TLSV1_ALERT_PROTOCOL_VERSION:",
        71 => ":TLSV1_ALERT_INSUFFICIENT_SECURITY:",
        80 => ":TLSV1_ALERT_INTERNAL_ERROR:",
        86 => ":TLSV1_ALERT_INAPPROPRIATE_FALLBACK:",
        90 => ":TLSV1_ALERT_USER_CANCELLED:",
        100 => ":TLSV1_ALERT_NO_RENEGOTIATION:",
        110 => ":TLSV1_ALERT_UNSUPPORTED_EXTENSION:",
        111 => ":TLSV1_ALERT_CERTIFICATE_UNOBTAINABLE:",
        112 => ":TLSV1_ALERT_UNRECOGNIZED_NAME:",
        113 => ":TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE:",
        114 => ":TLSV1_ALERT_BAD_CERTIFICATE_HASH_VALUE:",
        115 => ":TLSV1_ALERT_UNKNOWN_PSK_IDENTITY:",
        116 => ":TLSV1_ALERT_CERTIFICATE_REQUIRED:",
        120 => ":TLSV1_ALERT_NO_APPLICATION_PROTOCOL:",
        _ => ":TLSV1_ALERT:",
    }
}

/// Drives the handshake over the blocking socket, answering the library's
/// operations: RSA decryptions (RSA key transport) with `rsa`'s keys, and
/// the verdicts a verifier left to the caller.
fn handshake(conn: &mut Connection, sock: &mut TcpStream, answers: &Answers) -> io::Result<()> {
    let mut buf = vec![0u8; 18 * 1024];
    loop {
        while let Some(event) = conn.next_event() {
            if let tls12::Event::Operation { id, .. } = event {
                let answer = match conn.operation() {
                    Some(op) if op.kind() == tls12::OperationKind::Decrypt => answers
                        .rsa
                        .iter()
                        .find_map(|k| k.decrypt(rsa::Pkcs1v15Encrypt, op.message()).ok())
                        .map_or(tls12::Answer::Failed, |p| {
                            tls12::Answer::Decrypted(p.into())
                        }),
                    Some(op) if op.kind() == tls12::OperationKind::VerifyChain => {
                        match answers.verifier {
                            Some(v) => tls12::Answer::Verdict(v.verdict(op.chain(), answers.now)),
                            None => tls12::Answer::Failed,
                        }
                    }
                    _ => tls12::Answer::Failed,
                };
                conn.complete_operation(id, answer).map_err(to_io)?;
            }
        }
        let out = conn.pending_output().to_vec();
        sock.write_all(&out)?;
        conn.consume_output(out.len());
        if !conn.is_handshaking() {
            return Ok(());
        }
        let n = sock.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let mut at = 0;
        while at < n {
            let used = conn.receive(&buf[at..n]).map_err(to_io)?;
            if used == 0 {
                break;
            }
            at += used;
        }
    }
}

fn to_io(e: tls12::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

fn run(f: &Flags, conn: &mut Connection, resumed_expected: bool, answers: &Answers) {
    let mut sock = connect(f);
    if !f.implicit_handshake {
        if let Err(e) = handshake(conn, &mut sock, answers) {
            flush_alert(conn, &mut sock);
            report(conn, &e, f.server);
        }
        check(f, conn, resumed_expected, answers);
        // SSL_do_handshake on a finished handshake does nothing.
        if f.no_op_extra_handshake {
            if let Err(e) = handshake(conn, &mut sock, answers) {
                fail(&format!("the extra handshake was not a no-op: {e}"));
            }
        }
    }
    exchange(f, conn, &mut sock, answers);
}

/// Checks the handshake's properties against the `-expect-*` flags, as
/// BoringSSL's shim does after an explicit handshake.
fn check(f: &Flags, conn: &mut Connection, resumed_expected: bool, answers: &Answers) {
    if f.expect_verify_result {
        // X509_V_ERR_APPLICATION_VERIFICATION with -verify-fail, else
        // X509_V_OK (which is also the result when nothing was verified).
        let refused = answers
            .verifier
            .is_some_and(|v| v.result.load(Ordering::Relaxed) == 2);
        if refused != f.verify_fail {
            fail("Wrong certificate verification result");
        }
    }
    let info = conn
        .handshake_info()
        .cloned()
        .unwrap_or_else(|| fail("no handshake info"));
    if let Some(v) = f.expect_version {
        if v != TLS12 {
            fail(&format!("expected version {v:#x}, got TLS 1.2"));
        }
    }
    if f.expect_session_miss && info.resumed {
        fail("expected a session miss, but resumed");
    }
    if resumed_expected && !f.expect_session_miss && !info.resumed {
        fail("expected to resume, but did not");
    }
    if let Some(p) = &f.expect_alpn {
        if info.alpn_protocol.as_deref() != Some(p.as_slice()) {
            fail(&format!(
                "expected ALPN {p:?}, got {:?}",
                info.alpn_protocol
            ));
        }
    }
    if f.expect_no_alpn && info.alpn_protocol.is_some() {
        fail("expected no ALPN");
    }
    if f.expect_extended_master_secret && !info.extended_master_secret {
        fail("expected the extended master secret");
    }
    if let Some(want) = f.expect_curve_id {
        if info.group.map(|g| g.to_wire()) != Some(want) {
            fail(&format!("expected group {want:#06x}, got {:?}", info.group));
        }
    }
    if let Some(want) = &f.expect_ocsp_response {
        if info.ocsp_response.as_deref() != Some(want.as_slice()) {
            fail(&format!(
                "expected OCSP response {want:02x?}, got {:02x?}",
                info.ocsp_response
            ));
        }
    }
    if let Some(want) = f.expect_peer_signature_algorithm {
        // The peer's signature: the client's CertificateVerify on a server,
        // the server's key exchange on a client.
        let got = if f.server {
            info.client_signature_scheme
        } else {
            info.signature_scheme
        };
        if got.map(|s| s.to_wire()) != Some(want) {
            fail(&format!(
                "expected peer signature algorithm {want:#06x}, got {got:?}"
            ));
        }
    }
    if let Some(want) = f.expect_selected_credential {
        // BoringSSL reports -1 for the default credential and for none.
        let got = info
            .chain_index
            .and_then(|i| answers.credentials.get(i).copied())
            .unwrap_or(-1);
        if got != want {
            fail(&format!("Credential {got} was used, wanted {want}"));
        }
    }
    if let Some(name) = &f.expect_server_name {
        if info.server_name.as_deref() != Some(name.as_str()) {
            fail(&format!(
                "expected server name {name}, got {:?}",
                info.server_name
            ));
        }
    }
    if f.expect_no_session && !f.server {
        // A session the client could resume is kept in its cache.
        if answers.sessions.is_some_and(|c| !c.is_empty()) {
            fail("expected no session, but one was stored for resumption");
        }
    }
    if let Some(path) = &f.expect_peer_cert_file {
        if info.peer_certificates != read_chain(path) {
            fail(&format!("the peer's chain is not the one in {path}"));
        }
    }
}

/// After the handshake: the exporter's output, the first write, then the
/// echo or the shutdown. With `-implicit-handshake`, the first read or
/// write drives the handshake, as SSL_read and SSL_write do.
fn exchange(f: &Flags, conn: &mut Connection, sock: &mut TcpStream, answers: &Answers) {
    if conn.is_handshaking() {
        if let Err(e) = handshake(conn, sock, answers) {
            flush_alert(conn, sock);
            report(conn, &e, f.server);
        }
    }
    let mut tls = Stream::new(conn, sock);
    if let Some(len) = f.export_keying_material {
        let mut out = vec![0u8; len];
        let context = f.use_export_context.then_some(f.export_context.as_slice());
        tls.connection()
            .export_keying_material(&f.export_label, context, &mut out)
            .unwrap_or_else(|e| fail(&format!("export: {e}")));
        tls.write_all(&out).unwrap_or_else(|e| report_io(&e));
    }
    if f.shim_writes_first {
        tls.write_all(b"hello").unwrap_or_else(|e| report_io(&e));
    }
    if f.shim_shuts_down {
        let _ = tls.close();
        if !f.check_close_notify {
            // The runner answers with its own close_notify, then closes.
            let mut rest = Vec::new();
            let _ = tls.read_to_end(&mut rest);
            return;
        }
        // As BoringSSL's second SSL_shutdown: wait for the peer's
        // close_notify (RFC 5246 §7.2.1), refusing application data sent
        // after ours, and failing as that call does when the transport
        // closes without it.
        // The read returns at the peer's close_notify (0), or with the
        // first application data after ours, or fails.
        let mut buf = [0u8; 512];
        match tls.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => fail(":APPLICATION_DATA_ON_SHUTDOWN: application data after our close_notify"),
            Err(e)
                if e.kind() == io::ErrorKind::UnexpectedEof
                    || matches!(tls.connection().error(), Some(tls12::Error::UnexpectedEof)) =>
            {
                fail("Unexpected SSL_shutdown result: -1 != 1 (closed without close_notify)")
            }
            Err(e) => report(tls.connection(), &e, f.server),
        }
    }
    // Echo, every byte inverted, until the runner closes. BoringSSL's shim
    // reads 512 bytes at a time unless -read-size says otherwise, so that
    // a record may take several reads.
    let mut buf = vec![0u8; f.read_size.unwrap_or(512).max(1)];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                for b in &mut buf[..n] {
                    *b ^= 0xff;
                }
                if let Err(e) = tls.write_all(&buf[..n]) {
                    report(tls.connection(), &e, f.server);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && !f.check_close_notify => break,
            Err(e) => report(tls.connection(), &e, f.server),
        }
    }
    let _ = tls.close();
}

fn report_io(e: &io::Error) -> ! {
    fail(&format!("io error: {e}"))
}

fn main() {
    let f = parse_flags();
    let keys = if f.server { rsa_keys(&f) } else { Vec::new() };
    // The verifier of the first connection, and of the resumptions
    // (-on-resume-verify-fail: a verifier that refuses, which a resumption,
    // verifying nothing, never asks).
    let result = Arc::new(AtomicU8::new(0));
    let (first, resumed) = (
        Verifier::new(&f, false, &result),
        Verifier::new(&f, true, &result),
    );
    if f.server {
        let (mut config, numbers) = server_config(&f);
        if config.client_verifier.is_some() {
            config.client_verifier = Some(Arc::new(first.clone()).into());
        }
        let config = Arc::new(config);
        let mut resume_config = (*config).clone();
        if resume_config.client_verifier.is_some() {
            resume_config.client_verifier = Some(Arc::new(resumed.clone()).into());
        }
        let resume_config = Arc::new(resume_config);
        for i in 0..=f.resume_count {
            let (config, verifier) = if i > 0 {
                (&resume_config, &resumed)
            } else {
                (&config, &first)
            };
            let now = UnixTime::now();
            let mut conn =
                ServerConnection::new(config.clone(), now).unwrap_or_else(|e| fail(&e.to_string()));
            let answers = Answers {
                rsa: &keys,
                verifier: Some(verifier),
                now,
                sessions: None,
                credentials: &numbers,
            };
            run(&f, &mut conn, i > 0, &answers);
        }
    } else {
        let (mut config, numbers) = client_config(&f);
        config.verifier = Some(Arc::new(first.clone()).into());
        let config = Arc::new(config);
        let mut resume_config = (*config).clone();
        resume_config.verifier = Some(Arc::new(resumed.clone()).into());
        let resume_config = Arc::new(resume_config);
        let name = f.host_name.clone().unwrap_or_else(|| "test.example".into());
        let name = ServerName::try_from(name).unwrap_or_else(|e| fail(&format!("-host-name: {e}")));
        for i in 0..=f.resume_count {
            let (config, verifier) = if i > 0 {
                (&resume_config, &resumed)
            } else {
                (&config, &first)
            };
            let now = UnixTime::now();
            let mut conn = ClientConnection::new(config.clone(), name.clone(), now)
                .unwrap_or_else(|e| fail(&e.to_string()));
            let answers = Answers {
                rsa: &keys,
                verifier: Some(verifier),
                now,
                sessions: config.session_cache.as_deref(),
                credentials: &numbers,
            };
            run(&f, &mut conn, i > 0, &answers);
        }
    }
}
