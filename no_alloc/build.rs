//! Writes the test fixtures the program embeds as DER into `OUT_DIR`: the
//! program cannot parse PEM without a heap.

use std::path::Path;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

fn main() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let out = Path::new(&out);
    for name in ["server-p256", "client-p256"] {
        let chain = fixtures.join(format!("{name}.chain.pem"));
        println!("cargo:rerun-if-changed={}", chain.display());
        for (i, cert) in CertificateDer::pem_file_iter(&chain)
            .expect("chain")
            .enumerate()
        {
            let cert = cert.expect("certificate");
            std::fs::write(out.join(format!("{name}.{i}.der")), cert.as_ref()).expect("write");
        }
        let key = fixtures.join(format!("{name}.key"));
        println!("cargo:rerun-if-changed={}", key.display());
        let key = PrivateKeyDer::from_pem_file(&key).expect("key");
        std::fs::write(out.join(format!("{name}.key.der")), key.secret_der()).expect("write");
    }
    let ca = fixtures.join("ca.pem");
    println!("cargo:rerun-if-changed={}", ca.display());
    let ca = CertificateDer::from_pem_file(&ca).expect("ca");
    std::fs::write(out.join("ca.der"), ca.as_ref()).expect("write");
}
