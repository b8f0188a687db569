//! Certificate chain verification with rustls-webpki.
//!
//! [`RootCertStore`] holds the trust anchors a configuration accepts;
//! [`verify_server_chain`] and [`verify_client_chain`] check a peer's
//! Certificate message against them, mapping every webpki rejection onto a
//! [`CertificateError`] (and so onto the RFC 5246 §7.2.2 alert it sends).
//!
//! Revocation (CRLs, OCSP) is not checked.

use rustls_pki_types::{
    CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};

use crate::codec::Writer;
use crate::error::CertificateError;
#[cfg(feature = "alloc")]
use crate::error::Error;
use crate::shared::List;

/// The set of trust anchors (root certificates) used to verify a peer's
/// certificate chain.
///
/// A chain is accepted only if it leads to one of these anchors. Certificates
/// are added in DER form; only the subject, public key and name constraints
/// of each are kept.
///
/// # Example
///
/// ```no_run
/// use tls12::pki_types::CertificateDer;
/// use tls12::RootCertStore;
///
/// let mut roots = RootCertStore::empty();
/// assert!(roots.is_empty());
///
/// // DER bytes of a CA certificate, e.g. read from a file or decoded from
/// // PEM with `rustls_pki_types::pem::PemObject`.
/// let der: Vec<u8> = std::fs::read("ca.der").unwrap();
/// roots.add(&CertificateDer::from(der)).expect("a valid CA certificate");
/// assert_eq!(roots.len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RootCertStore {
    /// The anchors: owned, or borrowed for `'static`.
    pub(crate) anchors: List<TrustAnchor<'static>>,
}

impl RootCertStore {
    /// A store with no trust anchors: it accepts no chain.
    pub const fn empty() -> Self {
        Self {
            anchors: List::empty(),
        }
    }

    /// A store of `anchors` as they are: a `'static` list (what a device
    /// without a heap uses: anchors written out as constants, as
    /// `webpki-roots` does, or made once with
    /// `webpki::anchor_from_trusted_cert` into memory that lives for the
    /// program), or a `Vec`.
    ///
    /// ```
    /// use tls12::pki_types::{CertificateDer, TrustAnchor};
    /// use tls12::RootCertStore;
    ///
    /// # fn demo(anchors: &'static [TrustAnchor<'static>]) {
    /// let roots = RootCertStore::from_anchors(anchors);
    /// # let _ = roots; }
    /// ```
    pub fn from_anchors(anchors: impl Into<List<TrustAnchor<'static>>>) -> Self {
        Self {
            anchors: anchors.into(),
        }
    }

    /// Add the DER-encoded certificate `cert` as a trust anchor.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if `cert` cannot be parsed as an X.509 certificate.
    ///
    /// The anchor is copied to the heap: this needs the `alloc` feature
    /// (without it, [`from_anchors`](Self::from_anchors)).
    #[cfg(feature = "alloc")]
    pub fn add(&mut self, cert: &CertificateDer<'_>) -> Result<(), Error> {
        let anchor = webpki::anchor_from_trusted_cert(cert).map_err(|e| {
            Error::Config(crate::shared::text!(
                "unusable trust anchor certificate: {e:?}"
            ))
        })?;
        self.anchors.to_mut().push(anchor.to_owned());
        Ok(())
    }

    /// The number of trust anchors in the store.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the store has no trust anchors.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// Verify a server's certificate chain for `server_name` at time `now`.
///
/// `chain[0]` is the end-entity certificate, the rest are intermediates in
/// any order (as sent in the Certificate message). The end entity must carry
/// the serverAuth EKU (or no EKU at all), chain up to one of `roots` using
/// only `algorithms` for signatures, and name `server_name` in its
/// subjectAltName.
pub(crate) fn verify_server_chain(
    roots: &RootCertStore,
    chain: &[CertificateDer<'_>],
    server_name: &ServerName<'_>,
    now: UnixTime,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> Result<(), CertificateError> {
    let ee = verify_chain(
        roots,
        chain,
        now,
        algorithms,
        webpki::KeyUsage::server_auth(),
    )?;
    ee.verify_is_valid_for_subject_name(server_name)
        .map_err(|e| map_webpki_error(e, Some(server_name)))
}

/// Verify a client's certificate chain at time `now`.
///
/// As [`verify_server_chain`] but requiring the clientAuth EKU (or no EKU)
/// and with no name check.
pub(crate) fn verify_client_chain(
    roots: &RootCertStore,
    chain: &[CertificateDer<'_>],
    now: UnixTime,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
) -> Result<(), CertificateError> {
    verify_chain(
        roots,
        chain,
        now,
        algorithms,
        webpki::KeyUsage::client_auth(),
    )
    .map(|_| ())
}

/// Parse the end entity and build a path to a trust anchor; returns the
/// parsed end entity for any further checks.
fn verify_chain<'a>(
    roots: &RootCertStore,
    chain: &'a [CertificateDer<'a>],
    now: UnixTime,
    algorithms: &[&dyn SignatureVerificationAlgorithm],
    usage: webpki::KeyUsage,
) -> Result<webpki::EndEntityCert<'a>, CertificateError> {
    let (end_entity, intermediates) = chain.split_first().ok_or(CertificateError::NoCertificate)?;
    let ee = webpki::EndEntityCert::try_from(end_entity).map_err(|e| map_webpki_error(e, None))?;
    ee.verify_for_usage(
        algorithms,
        &roots.anchors,
        intermediates,
        now,
        usage,
        None,
        None,
    )
    .map_err(|e| map_webpki_error(e, None))?;
    Ok(ee)
}

/// Map a webpki rejection onto our error; `name` is the name being checked,
/// for [`CertificateError::NotValidForName`].
#[allow(deprecated)] // Older webpki variants may still be produced; map them too.
fn map_webpki_error(e: webpki::Error, name: Option<&ServerName<'_>>) -> CertificateError {
    use webpki::Error as W;
    use CertificateError as C;
    match e {
        W::UnknownIssuer => C::UnknownIssuer,
        W::CertExpired { .. } => C::Expired,
        W::CertNotValidYet { .. } => C::NotValidYet,
        W::CertNotValidForName(_) => C::NotValidForName {
            expected: name.map(server_name_text).unwrap_or_else(|| "".into()),
        },
        W::BadDer
        | W::BadDerTime
        | W::TrailingData(_)
        | W::UnsupportedCertVersion
        | W::MalformedExtensions
        | W::ExtensionValueInvalid
        | W::EmptyEkuExtension
        | W::InvalidSerialNumber
        | W::InvalidCertValidity => C::BadEncoding,
        W::InvalidSignatureForPublicKey
        | W::SignatureAlgorithmMismatch
        | W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => C::BadSignature,
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => C::InvalidPurpose,
        #[cfg(feature = "alloc")]
        other => C::Other(crate::shared::text!("{other:?}")),
        #[cfg(not(feature = "alloc"))]
        _ => C::Other("another rejection by webpki".into()),
    }
}

/// `name` as text: the DNS name, or the IP address in its usual notation.
/// Without `alloc`, the name is not copied (the error says which check
/// failed; the caller knows the name it asked for).
fn server_name_text(name: &ServerName<'_>) -> crate::shared::Text {
    #[cfg(not(feature = "alloc"))]
    {
        let _ = name;
        crate::shared::Text::from("")
    }
    #[cfg(feature = "alloc")]
    {
        use alloc::string::ToString;
        use rustls_pki_types::IpAddr;
        crate::shared::Text::from(match name {
            ServerName::DnsName(d) => d.as_ref().to_string(),
            ServerName::IpAddress(IpAddr::V4(v4)) => {
                core::net::Ipv4Addr::from(*v4.as_ref()).to_string()
            }
            ServerName::IpAddress(IpAddr::V6(v6)) => {
                core::net::Ipv6Addr::from(*v6.as_ref()).to_string()
            }
            other => alloc::format!("{other:?}"),
        })
    }
}

/// DER `Name`s of the trust anchors, as sent in CertificateRequest's
/// certificate_authorities (RFC 5246 §7.4.4). webpki keeps each subject
/// without its outer SEQUENCE header, so it is put back here.
impl RootCertStore {
    #[cfg(test)]
    pub(crate) fn subject_names(&self) -> alloc::vec::Vec<alloc::vec::Vec<u8>> {
        self.subjects()
            .map(|subject| {
                let mut name = alloc::vec::Vec::new();
                put_der(0x30, subject, &mut name);
                name
            })
            .collect()
    }

    /// Each anchor's subject: the content of a DER `Name`, without its
    /// SEQUENCE header (as webpki keeps it).
    pub(crate) fn subjects(&self) -> impl Iterator<Item = &[u8]> {
        self.anchors.iter().map(|ta| ta.subject.as_ref())
    }
}

/// Writes a DER element: `tag`, the definite length of `content` (short
/// form under 128 bytes, long form above, X.690 §8.1.3), then `content`.
pub(crate) fn put_der(tag: u8, content: &[u8], out: &mut impl Writer) {
    let len = content.len();
    out.put_u8(tag);
    if len < 0x80 {
        out.put_u8(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.put_u8(0x80 | (4 - skip) as u8);
        out.put(bytes.get(skip..).unwrap_or_default());
    }
    out.put(content);
}

/// One DER element split off the front of a byte string.
struct Tlv<'a> {
    tag: u8,
    /// The whole element, header included.
    whole: &'a [u8],
    content: &'a [u8],
    rest: &'a [u8],
}

/// Splits one DER TLV off the front of `der`.
fn der_next(der: &[u8]) -> Option<Tlv<'_>> {
    let tag = *der.first()?;
    let first = *der.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 3 {
            return None;
        }
        let mut len = 0usize;
        for b in der.get(2..2 + n)? {
            len = (len << 8) | usize::from(*b);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let tlv = der.get(..end)?;
    Some(Tlv {
        tag,
        whole: tlv,
        content: tlv.get(header..)?,
        rest: der.get(end..)?,
    })
}

/// A DER certificate's subjectPublicKeyInfo (RFC 5280 §4.1), whole, and
/// what follows it in the TBSCertificate (the unique IDs and extensions).
fn spki_and_rest(cert: &[u8]) -> Option<(&[u8], &[u8])> {
    let certificate = der_next(cert)?.content;
    let tbs = der_next(certificate)?.content;
    let first = der_next(tbs)?;
    let mut rest = first.rest;
    if first.tag == 0xa0 {
        rest = der_next(rest)?.rest; // [0] EXPLICIT version, then serialNumber
    }
    // signature, issuer, validity, subject, then subjectPublicKeyInfo.
    for _ in 0..4 {
        rest = der_next(rest)?.rest;
    }
    let spki = der_next(rest)?;
    Some((spki.whole, spki.rest))
}

/// A DER certificate's subjectPublicKeyInfo, whole (RFC 5280 §4.1).
pub(crate) fn certificate_spki(cert: &[u8]) -> Option<&[u8]> {
    spki_and_rest(cert).map(|(spki, _)| spki)
}

/// Whether a DER certificate's key may encrypt a premaster secret: RFC 5246
/// §7.4.2 requires the keyEncipherment bit (RFC 5280 §4.2.1.3) when the
/// certificate has a key usage extension. `None` when the certificate
/// cannot be read that far.
pub(crate) fn allows_key_encipherment(cert: &[u8]) -> Option<bool> {
    // keyEncipherment is bit 2: 0x20 of the first byte.
    key_usage_allows(cert, 0x20)
}

/// Whether a DER certificate's key may sign a key exchange or a
/// CertificateVerify: RFC 5246 §7.4.2 and §7.4.6 require the
/// digitalSignature bit (RFC 5280 §4.2.1.3) when the certificate has a key
/// usage extension. `None` when the certificate cannot be read that far.
pub(crate) fn allows_digital_signature(cert: &[u8]) -> Option<bool> {
    // digitalSignature is bit 0: 0x80 of the first byte.
    key_usage_allows(cert, 0x80)
}

/// Whether the key usage extension, if any, has the bit `mask` of its first
/// byte set (a certificate without the extension allows every use).
fn key_usage_allows(cert: &[u8], mask: u8) -> Option<bool> {
    // id-ce-keyUsage, 2.5.29.15.
    const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
    let (_, mut rest) = spki_and_rest(cert)?;
    // [1] issuerUniqueID, [2] subjectUniqueID, then [3] extensions.
    while let Some(field) = der_next(rest) {
        rest = field.rest;
        if field.tag != 0xa3 {
            continue;
        }
        let mut extensions = der_next(field.content)?.content;
        while !extensions.is_empty() {
            let extension = der_next(extensions)?;
            extensions = extension.rest;
            let id = der_next(extension.content)?;
            if id.content != KEY_USAGE {
                continue;
            }
            // extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING
            // holding the KeyUsage BIT STRING.
            let mut value = der_next(id.rest)?;
            if value.tag == 0x01 {
                value = der_next(value.rest)?;
            }
            let bits = der_next(value.content)?;
            // Unused-bits count, then the bits, digitalSignature (0) first.
            let first = bits.content.get(1).copied().unwrap_or(0);
            return Some(bits.tag == 0x03 && first & mask != 0);
        }
    }
    Some(true)
}

/// The kind of key in a DER certificate's subjectPublicKeyInfo (RFC 5280
/// §4.1: algorithm id-ecPublicKey with the curve as its parameter (RFC 5480
/// §2.1.1), rsaEncryption (RFC 8017 Appendix A.1) or id-Ed25519 (RFC 8410
/// §3)); `None` for anything else.
pub(crate) fn certificate_key_type(cert: &[u8]) -> Option<crate::KeyType> {
    // id-ecPublicKey, rsaEncryption, id-Ed25519, prime256v1, secp384r1.
    const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    let spki = der_next(certificate_spki(cert)?)?.content;
    let algorithm = der_next(spki)?.content;
    let oid = der_next(algorithm)?;
    let params = der_next(oid.rest).map(|p| p.content);
    match (oid.content, params) {
        (EC, Some(P256)) => Some(crate::KeyType::EcdsaP256),
        (EC, Some(P384)) => Some(crate::KeyType::EcdsaP384),
        (RSA, _) => Some(crate::KeyType::Rsa),
        (ED25519, _) => Some(crate::KeyType::Ed25519),
        _ => None,
    }
}

/// The issuer `Name` (whole TLV) of a DER certificate (RFC 5280 §4.1),
/// used to match a client certificate to the CA names a server asked for.
pub(crate) fn certificate_issuer(cert: &[u8]) -> Option<&[u8]> {
    let certificate = der_next(cert)?.content;
    let tbs = der_next(certificate)?.content;
    let first = der_next(tbs)?;
    let mut rest = first.rest;
    if first.tag == 0xa0 {
        // [0] EXPLICIT version, then serialNumber.
        rest = der_next(rest)?.rest;
    }
    let rest = der_next(rest)?.rest; // signature AlgorithmIdentifier
    let issuer = der_next(rest)?;
    (issuer.tag == 0x30).then_some(issuer.whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::AlertDescription;
    use alloc::vec;
    use alloc::vec::Vec;
    use core::time::Duration;
    use rustls_pki_types::pem::PemObject;
    use webpki::ring as alg;

    use crate::testing::{now, roots};

    #[test]
    fn certificate_key_types_are_read_from_the_leaf() {
        use crate::KeyType as K;
        for (identity, want) in [
            ("server-p256", K::EcdsaP256),
            ("server-p384", K::EcdsaP384),
            ("server-ed25519", K::Ed25519),
            ("server-rsa2048", K::Rsa),
        ] {
            let (chain, _) = crate::testing::identity(identity);
            assert_eq!(
                certificate_key_type(chain[0].as_ref()),
                Some(want),
                "{identity}"
            );
            // The intermediate is a CA certificate of its own key type.
            assert!(certificate_key_type(chain[1].as_ref()).is_some());
        }
        assert_eq!(certificate_key_type(b"not a certificate"), None);
    }

    /// RFC 5246 §7.4.2: a key usage extension must allow keyEncipherment
    /// for RSA key transport; a certificate without the extension allows
    /// every use.
    #[test]
    fn key_encipherment_is_read_from_the_key_usage() {
        let leaf = |identity: &str| crate::testing::identity(identity).0.remove(0);
        assert_eq!(
            allows_key_encipherment(leaf("server-rsa2048-kx").as_ref()),
            Some(true)
        );
        // digitalSignature alone (critical).
        assert_eq!(
            allows_key_encipherment(leaf("server-rsa2048").as_ref()),
            Some(false)
        );
        assert_eq!(
            allows_key_encipherment(leaf("server-p256").as_ref()),
            Some(false)
        );
        // Every fixture leaf may sign.
        for identity in [
            "server-rsa2048-kx",
            "server-rsa2048",
            "server-p256",
            "client-p256",
        ] {
            assert_eq!(
                allows_digital_signature(leaf(identity).as_ref()),
                Some(true),
                "{identity}"
            );
        }
        // No key usage extension at all.
        let bare = include_bytes!("crypto/testdata/rsa.cert.der");
        assert_eq!(allows_key_encipherment(bare), Some(true));
        assert_eq!(allows_digital_signature(bare), Some(true));
        assert_eq!(allows_key_encipherment(b"not a certificate"), None);
        // The SPKI is the whole SEQUENCE the key type is read from.
        let spki = certificate_spki(bare).expect("spki");
        assert_eq!(spki[0], 0x30);
        assert!(bare.windows(spki.len()).any(|w| w == spki));
    }

    /// 2020-01-01T00:00:00Z: before every fixture's notBefore.
    fn long_ago() -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(1_577_836_800))
    }

    static ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
        alg::ECDSA_P256_SHA256,
        alg::ECDSA_P256_SHA384,
        alg::ECDSA_P384_SHA256,
        alg::ECDSA_P384_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA256,
        alg::RSA_PKCS1_2048_8192_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA512,
        alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        alg::ED25519,
    ];

    fn certs(pem: &str) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("fixture PEM decodes")
    }

    fn store(pem: &str) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        for c in certs(pem) {
            roots.add(&c).expect("fixture CA is a valid anchor");
        }
        roots
    }

    fn name(s: &str) -> ServerName<'static> {
        ServerName::try_from(s).expect("valid name").to_owned()
    }

    const SERVER_CHAINS: &[(&str, &str)] = &[
        (
            "p256",
            include_str!("../tests/fixtures/server-p256.chain.pem"),
        ),
        (
            "p384",
            include_str!("../tests/fixtures/server-p384.chain.pem"),
        ),
        (
            "ed25519",
            include_str!("../tests/fixtures/server-ed25519.chain.pem"),
        ),
        (
            "rsa2048",
            include_str!("../tests/fixtures/server-rsa2048.chain.pem"),
        ),
    ];

    #[test]
    fn root_store_basics() {
        let mut roots = RootCertStore::empty();
        assert!(roots.is_empty());
        assert_eq!(roots.len(), 0);
        assert!(RootCertStore::default().is_empty());
        for c in certs(include_str!("../tests/fixtures/ca.pem")) {
            roots.add(&c).unwrap();
        }
        for c in certs(include_str!("../tests/fixtures/other-ca.pem")) {
            roots.add(&c).unwrap();
        }
        assert_eq!(roots.len(), 2);
        assert!(!roots.is_empty());
        let cloned = roots.clone();
        assert_eq!(cloned.len(), 2);
    }

    #[test]
    fn root_store_rejects_garbage() {
        let mut roots = RootCertStore::empty();
        for bad in [&b""[..], &b"\x30\x03\x02\x01"[..], &[0xff; 64][..]] {
            let err = roots.add(&CertificateDer::from(bad)).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err:?}");
            assert_eq!(err.alert(), None);
        }
        assert!(roots.is_empty());
    }

    #[test]
    fn valid_server_chains_for_every_key_type_and_name() {
        let roots = roots();
        let names = [name("localhost"), name("testserver.com"), name("127.0.0.1")];
        for (kind, pem) in SERVER_CHAINS {
            let chain = certs(pem);
            assert_eq!(chain.len(), 2, "{kind}");
            for n in &names {
                assert_eq!(
                    verify_server_chain(&roots, &chain, n, now(), ALGS),
                    Ok(()),
                    "{kind} for {n:?}"
                );
            }
        }
    }

    #[test]
    fn wrong_name_is_rejected() {
        let roots = roots();
        let chain = certs(include_str!("../tests/fixtures/server-p256.chain.pem"));
        for (n, text) in [
            ("example.com", "example.com"),
            ("sub.localhost", "sub.localhost"),
            ("127.0.0.2", "127.0.0.2"),
            ("::1", "::1"),
        ] {
            let err = verify_server_chain(&roots, &chain, &name(n), now(), ALGS).unwrap_err();
            assert_eq!(
                err,
                CertificateError::NotValidForName {
                    expected: text.into()
                }
            );
            assert_eq!(err.alert(), AlertDescription::BadCertificate);
        }
    }

    #[test]
    fn unknown_ca_is_rejected() {
        let chain = certs(include_str!(
            "../tests/fixtures/other-server-p256.chain.pem"
        ));
        let err =
            verify_server_chain(&roots(), &chain, &name("localhost"), now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::UnknownIssuer);
        assert_eq!(err.alert(), AlertDescription::UnknownCa);

        // ...but it verifies against its own root.
        let other = store(include_str!("../tests/fixtures/other-ca.pem"));
        assert_eq!(
            verify_server_chain(&other, &chain, &name("localhost"), now(), ALGS),
            Ok(())
        );
    }

    #[test]
    fn empty_store_knows_no_issuer() {
        let chain = certs(include_str!("../tests/fixtures/server-p256.chain.pem"));
        let err = verify_server_chain(
            &RootCertStore::empty(),
            &chain,
            &name("localhost"),
            now(),
            ALGS,
        )
        .unwrap_err();
        assert_eq!(err, CertificateError::UnknownIssuer);
    }

    #[test]
    fn missing_intermediate_is_unknown_issuer() {
        let leaf = certs(include_str!("../tests/fixtures/server-p256.pem"));
        assert_eq!(leaf.len(), 1);
        let err =
            verify_server_chain(&roots(), &leaf, &name("localhost"), now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::UnknownIssuer);
    }

    #[test]
    fn expired_is_rejected() {
        let chain = certs(include_str!("../tests/fixtures/server-expired.chain.pem"));
        let err =
            verify_server_chain(&roots(), &chain, &name("localhost"), now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::Expired);
        assert_eq!(err.alert(), AlertDescription::CertificateExpired);
    }

    #[test]
    fn not_yet_valid_is_rejected() {
        let chain = certs(include_str!("../tests/fixtures/server-p256.chain.pem"));
        let err = verify_server_chain(&roots(), &chain, &name("localhost"), long_ago(), ALGS)
            .unwrap_err();
        assert_eq!(err, CertificateError::NotValidYet);
        assert_eq!(err.alert(), AlertDescription::CertificateExpired);
    }

    #[test]
    fn empty_chain_is_no_certificate() {
        let err = verify_server_chain(&roots(), &[], &name("localhost"), now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::NoCertificate);
        assert_eq!(err.alert(), AlertDescription::BadCertificate);
        let err = verify_client_chain(&roots(), &[], now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::NoCertificate);
    }

    #[test]
    fn garbage_end_entity_is_bad_encoding() {
        let roots = roots();
        for bad in [&b""[..], &b"\x30\x00"[..], &[0x30, 0x82, 0xff, 0xff, 0][..]] {
            let chain = vec![CertificateDer::from(bad)];
            let err =
                verify_server_chain(&roots, &chain, &name("localhost"), now(), ALGS).unwrap_err();
            assert_eq!(err, CertificateError::BadEncoding, "{bad:?}");
            assert_eq!(err.alert(), AlertDescription::BadCertificate);
        }
        // Trailing bytes after the certificate.
        let mut chain = certs(include_str!("../tests/fixtures/server-p256.chain.pem"));
        let mut der = chain[0].as_ref().to_vec();
        der.push(0);
        chain[0] = CertificateDer::from(der);
        let err = verify_server_chain(&roots, &chain, &name("localhost"), now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::BadEncoding);
    }

    #[test]
    fn every_truncation_of_the_leaf_is_rejected_without_panic() {
        let roots = roots();
        let full = certs(include_str!("../tests/fixtures/server-p256.chain.pem"));
        let der = full[0].as_ref();
        for len in 0..der.len() {
            let chain = vec![CertificateDer::from(&der[..len]), full[1].clone()];
            assert!(verify_server_chain(&roots, &chain, &name("localhost"), now(), ALGS).is_err());
        }
    }

    #[test]
    fn tampered_signature_is_bad_signature() {
        let mut chain = certs(include_str!("../tests/fixtures/server-p256.chain.pem"));
        let mut der = chain[0].as_ref().to_vec();
        // The last byte lies inside the issuer's ECDSA signature value.
        *der.last_mut().unwrap() ^= 0x01;
        chain[0] = CertificateDer::from(der);
        let err =
            verify_server_chain(&roots(), &chain, &name("localhost"), now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::BadSignature);
        assert_eq!(err.alert(), AlertDescription::BadCertificate);
    }

    #[test]
    fn unsupported_signature_algorithm_is_bad_signature() {
        // Every issuer in the fixture PKI signs with ECDSA P-256/SHA-256.
        let rsa_only: &[&dyn SignatureVerificationAlgorithm] =
            &[alg::RSA_PKCS1_2048_8192_SHA256, alg::ED25519];
        let chain = certs(include_str!("../tests/fixtures/server-rsa2048.chain.pem"));
        let err =
            verify_server_chain(&roots(), &chain, &name("localhost"), now(), rsa_only).unwrap_err();
        assert_eq!(err, CertificateError::BadSignature);
    }

    #[test]
    fn client_chains_are_valid_as_clients() {
        let roots = roots();
        for pem in [
            include_str!("../tests/fixtures/client-p256.chain.pem"),
            include_str!("../tests/fixtures/client-rsa2048.chain.pem"),
        ] {
            assert_eq!(
                verify_client_chain(&roots, &certs(pem), now(), ALGS),
                Ok(())
            );
        }
    }

    #[test]
    fn server_cert_is_rejected_as_client() {
        let chain = certs(include_str!("../tests/fixtures/server-p256.chain.pem"));
        let err = verify_client_chain(&roots(), &chain, now(), ALGS).unwrap_err();
        assert_eq!(err, CertificateError::InvalidPurpose);
        assert_eq!(err.alert(), AlertDescription::CertificateUnknown);
    }

    #[test]
    fn client_cert_is_rejected_as_server() {
        let chain = certs(include_str!("../tests/fixtures/client-p256.chain.pem"));
        let err = verify_server_chain(&roots(), &chain, &name("client.example"), now(), ALGS)
            .unwrap_err();
        assert_eq!(err, CertificateError::InvalidPurpose);
        assert_eq!(err.alert(), AlertDescription::CertificateUnknown);
    }

    #[test]
    fn client_chain_errors() {
        let roots = roots();
        let expired = certs(include_str!("../tests/fixtures/server-expired.chain.pem"));
        // server-expired has serverAuth only, but expiry is reported first.
        let err = verify_client_chain(&roots, &expired, now(), ALGS).unwrap_err();
        assert!(
            matches!(
                err,
                CertificateError::Expired | CertificateError::InvalidPurpose
            ),
            "{err:?}"
        );
        let other = certs(include_str!(
            "../tests/fixtures/other-server-p256.chain.pem"
        ));
        let err = verify_client_chain(&roots, &other, now(), ALGS).unwrap_err();
        assert!(
            matches!(
                err,
                CertificateError::UnknownIssuer | CertificateError::InvalidPurpose
            ),
            "{err:?}"
        );
        let client = certs(include_str!("../tests/fixtures/client-p256.chain.pem"));
        assert_eq!(
            verify_client_chain(&roots, &client, long_ago(), ALGS),
            Err(CertificateError::NotValidYet)
        );
    }

    #[test]
    fn ca_certificate_is_not_an_end_entity() {
        let chain = certs(include_str!("../tests/fixtures/inter.pem"));
        let err =
            verify_server_chain(&roots(), &chain, &name("localhost"), now(), ALGS).unwrap_err();
        // webpki reports CaUsedAsEndEntity, which has no dedicated variant.
        assert!(matches!(err, CertificateError::Other(_)), "{err:?}");
        assert_eq!(err.alert(), AlertDescription::CertificateUnknown);
    }

    #[test]
    fn server_name_text_forms() {
        assert_eq!(server_name_text(&name("localhost")), "localhost");
        assert_eq!(server_name_text(&name("127.0.0.1")), "127.0.0.1");
        assert_eq!(server_name_text(&name("2001:db8::1")), "2001:db8::1");
    }

    #[test]
    fn issuer_of_a_leaf_matches_the_subject_name_of_its_issuer() {
        let leaf = certs(include_str!("../tests/fixtures/client-p256.pem"));
        let inter = certs(include_str!("../tests/fixtures/inter.pem"));
        let ca = certs(include_str!("../tests/fixtures/ca.pem"));
        let mut roots = RootCertStore::empty();
        roots.add(&ca[0]).unwrap();
        let mut inter_store = RootCertStore::empty();
        inter_store.add(&inter[0]).unwrap();
        let leaf_issuer = certificate_issuer(leaf[0].as_ref()).unwrap();
        assert_eq!(inter_store.subject_names(), [leaf_issuer.to_vec()]);
        let inter_issuer = certificate_issuer(inter[0].as_ref()).unwrap();
        assert_eq!(roots.subject_names(), [inter_issuer.to_vec()]);
        for n in 0..leaf[0].len() {
            let _ = certificate_issuer(&leaf[0][..n]);
        }
        assert!(certificate_issuer(&[0x30, 0x84, 0, 0, 0, 1]).is_none());
    }
}
