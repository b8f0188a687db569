//! The README's interoperability table, generated from what the interop tests
//! cover, not written by hand.
//!
//! This test reads the source of every `tests/interop_*.rs`, finds each
//! `#[test]` function (those marked `#[ignore]` do not count), classifies its
//! name into a peer, a role and one or more checks, renders the table, and
//! compares it with the README between `<!-- interop-matrix:start -->` and
//! `<!-- interop-matrix:end -->`. If they differ it fails, showing the
//! expected table; `UPDATE_README=1 cargo test --test interop_matrix`
//! rewrites that part of the README instead.
//!
//! A test name this mapping cannot place (no peer, no role or no check)
//! fails the test, so every new interop test gets classified. The mapping:
//!
//! * **Peer**: the file: `interop_openssl.rs` → OpenSSL 3,
//!   `interop_gnutls.rs` → GnuTLS, `interop_python.rs` → Python ssl,
//!   `interop_curl.rs` → curl, `interop_rustls.rs` → rustls (memory),
//!   `interop_rustls_tcp.rs` → rustls (TCP). Other files (such as
//!   `interop_sessions.rs`, which covers several peers over TCP) name the peer
//!   in each test: `openssl`/`s_client`/`s_server`, `gnutls`, `python`,
//!   `curl`, `rustls` (then over TCP).
//! * **Role**: the first of these words in the name: `s_client`,
//!   `gnutls_cli`/`gnutls_client`, `curl_client`, `python_client`,
//!   `rustls_client`, `openssl_client`, `openssl_reconnect`,
//!   `openssl_sess_out` (s_client options) or `our_server` mean the peer is
//!   the client; `s_server`, `gnutls_serv`/`gnutls_server`, `python_server`,
//!   `rustls_server` or `our_client` mean the peer is the server.
//! * **Checks**: see [`CHECKS`] (`MATRIX_DEBUG=1` prints how each test was
//!   placed): each is a list of words (matched inside
//!   `_<name>_`, so a leading `_` marks the start of a word) and words that
//!   exclude it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

const START: &str = "<!-- interop-matrix:start -->";
const END: &str = "<!-- interop-matrix:end -->";

const PEERS: &[&str] = &[
    "OpenSSL 3",
    "GnuTLS",
    "Python ssl",
    "curl",
    "rustls (memory)",
    "rustls (TCP)",
];

const PEER_IS_CLIENT: &str = "peer is client";
const PEER_IS_SERVER: &str = "peer is server";

/// Words that make the peer the client, or the server; the earliest in the
/// name wins (`our_client_rejects_rustls_server_…`: the peer is the server).
const ROLE_WORDS: &[(&str, &str)] = &[
    ("s_client", PEER_IS_CLIENT),
    ("gnutls_cli", PEER_IS_CLIENT),
    ("gnutls_client", PEER_IS_CLIENT),
    ("curl_client", PEER_IS_CLIENT),
    ("python_client", PEER_IS_CLIENT),
    ("rustls_client", PEER_IS_CLIENT),
    ("openssl_client", PEER_IS_CLIENT),
    ("openssl_reconnect", PEER_IS_CLIENT),
    ("openssl_sess_out", PEER_IS_CLIENT),
    ("our_server", PEER_IS_CLIENT),
    ("s_server", PEER_IS_SERVER),
    ("gnutls_serv", PEER_IS_SERVER),
    ("python_server", PEER_IS_SERVER),
    ("rustls_server", PEER_IS_SERVER),
    ("openssl_server", PEER_IS_SERVER),
    ("our_client", PEER_IS_SERVER),
];

/// A column of the table.
struct Check {
    /// The column header.
    title: &'static str,
    /// A test counts if its `_name_` contains any of these…
    any: &'static [&'static str],
    /// …and none of these.
    unless: &'static [&'static str],
    /// For columns made of several items (suites, groups): the items, each
    /// with its words. The cell then says how many items are covered.
    items: &'static [(&'static str, &'static [&'static str])],
}

/// Names about client certificates: their key types are not the server's.
const CLIENT_CERT_WORDS: &[&str] = &["client_cert", "without_cert", "_cert_p", "_cert_rsa"];
const ALPN_MISMATCH_WORDS: &[&str] = &[
    "alpn_mismatch",
    "alpn_without_overlap",
    "no_application_protocol",
];

const SUITES: &[(&str, &[&str])] = &[
    ("ECDHE_ECDSA_AES_128_GCM", &["ecdhe_ecdsa_aes128"]),
    ("ECDHE_ECDSA_AES_256_GCM", &["ecdhe_ecdsa_aes256"]),
    ("ECDHE_ECDSA_CHACHA20", &["ecdhe_ecdsa_chacha20"]),
    ("ECDHE_RSA_AES_128_GCM", &["ecdhe_rsa_aes128"]),
    ("ECDHE_RSA_AES_256_GCM", &["ecdhe_rsa_aes256"]),
    ("ECDHE_RSA_CHACHA20", &["ecdhe_rsa_chacha20"]),
];

const GROUPS: &[(&str, &[&str])] = &[
    ("x25519", &["_x25519_"]),
    ("P-256", &["group_p256_", "_secp256r1_"]),
    ("P-384", &["group_p384_", "_secp384r1_"]),
];

const CHECKS: &[Check] = &[
    Check {
        title: "TLS 1.2",
        any: &["_default_", "_tls13_", "_tls12_"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "suites",
        any: &[],
        unless: &[],
        items: SUITES,
    },
    Check {
        title: "groups",
        any: &[],
        unless: &[],
        items: GROUPS,
    },
    Check {
        title: "ECDSA cert",
        any: &["_ecdsa_"],
        unless: CLIENT_CERT_WORDS,
        items: &[],
    },
    Check {
        title: "RSA cert",
        any: &["_rsa_", "_rsa2048_"],
        unless: CLIENT_CERT_WORDS,
        items: &[],
    },
    Check {
        title: "Ed25519 / P-384 cert",
        any: &["_ed25519_", "p384_cert", "ecdsa_p384", "p384_server_cert"],
        unless: CLIENT_CERT_WORDS,
        items: &[],
    },
    Check {
        title: "ALPN",
        any: &["_alpn_"],
        unless: ALPN_MISMATCH_WORDS,
        items: &[],
    },
    Check {
        title: "SNI",
        any: &["_sni_"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "1 byte",
        any: &["_1_byte_", "_1byte_"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "16 MiB",
        any: &["_16mib_"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "close_notify",
        any: &["close_notify", "closes_first", "close_first"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "TLS ≤ 1.1 refused",
        any: &["_tls11_", "_tls1_1_", "_tls10_"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "no common suite/group",
        any: &["no_common", "no_shared"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "bad cert alerts",
        any: &["wrong_name", "unknown_ca", "_expired_", "bad_certificate"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "ALPN mismatch",
        any: ALPN_MISMATCH_WORDS,
        unless: &[],
        items: &[],
    },
    Check {
        title: "bad_record_mac",
        any: &["bad_record_mac", "_corrupted_"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "EMS",
        any: &["_ems_"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "resumption",
        any: &["resum", "_reconnect_", "sess_out", "_ticket"],
        unless: &[],
        items: &[],
    },
    Check {
        title: "client certs",
        any: CLIENT_CERT_WORDS,
        unless: &[],
        items: &[],
    },
];

/// One test, placed.
#[derive(Debug)]
struct Classified {
    peer: &'static str,
    role: &'static str,
    /// Indexes into [`CHECKS`], with the item (suite, group) if any.
    checks: Vec<(usize, Option<usize>)>,
}

/// The `#[test]` functions of a file, without the `#[ignore]`d ones.
fn test_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let (mut in_test, mut ignored) = (false, false);
    for line in source.lines() {
        let line = line.trim();
        if line == "#[test]" {
            in_test = true;
            ignored = false;
        } else if in_test && line.starts_with("#[ignore") {
            ignored = true;
        } else if let Some(rest) = line
            .strip_prefix("fn ")
            .or_else(|| line.strip_prefix("pub fn "))
        {
            if in_test && !ignored {
                let name = rest.split(['(', '<']).next().unwrap().trim();
                names.push(name.to_string());
            }
            in_test = false;
        }
    }
    names
}

fn has_any(wrapped: &str, words: &[&str]) -> bool {
    words.iter().any(|w| wrapped.contains(w))
}

fn peer_of(file: &str, name: &str) -> Result<&'static str, String> {
    Ok(match file {
        "interop_openssl.rs" => "OpenSSL 3",
        "interop_gnutls.rs" => "GnuTLS",
        "interop_python.rs" => "Python ssl",
        "interop_curl.rs" => "curl",
        "interop_rustls.rs" => "rustls (memory)",
        "interop_rustls_tcp.rs" => "rustls (TCP)",
        _ => {
            // gnutls_client and rustls_client contain "s_client": OpenSSL last.
            let w = format!("_{name}_");
            if w.contains("gnutls") {
                "GnuTLS"
            } else if w.contains("python") {
                "Python ssl"
            } else if w.contains("curl") {
                "curl"
            } else if w.contains("rustls") {
                "rustls (TCP)"
            } else if has_any(&w, &["_openssl_", "_s_client_", "_s_server_"]) {
                "OpenSSL 3"
            } else {
                return Err(format!("{file}: {name}: no peer in the name"));
            }
        }
    })
}

fn classify(file: &str, name: &str) -> Result<Classified, String> {
    let peer = peer_of(file, name)?;
    let role = ROLE_WORDS
        .iter()
        .filter_map(|(word, role)| name.find(word).map(|at| (at, *role)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, role)| role)
        .ok_or_else(|| format!("{file}: {name}: no role (which side is the peer?)"))?;
    let w = format!("_{name}_");
    let mut checks = Vec::new();
    for (i, check) in CHECKS.iter().enumerate() {
        if has_any(&w, check.unless) {
            continue;
        }
        if has_any(&w, check.any) {
            checks.push((i, None));
        }
        for (j, (_, words)) in check.items.iter().enumerate() {
            if has_any(&w, words) {
                checks.push((i, Some(j)));
            }
        }
    }
    if checks.is_empty() {
        return Err(format!(
            "{file}: {name}: matches no check; extend CHECKS in tests/interop_matrix.rs"
        ));
    }
    Ok(Classified { peer, role, checks })
}

/// Every interop test, placed; or the names that could not be.
fn classify_all(dir: &Path) -> Result<Vec<Classified>, Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.starts_with("interop_") && f.ends_with(".rs"))
        .filter(|f| f != "interop_matrix.rs")
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no tests/interop_*.rs in {dir:?}");
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    for file in &files {
        let source = std::fs::read_to_string(dir.join(file)).unwrap();
        for name in test_names(&source) {
            match classify(file, &name) {
                Ok(c) => {
                    if std::env::var("MATRIX_DEBUG").is_ok() {
                        let t: Vec<_> = c
                            .checks
                            .iter()
                            .map(|(i, j)| (CHECKS[*i].title, *j))
                            .collect();
                        eprintln!("{file}\t{name}\t{}\t{}\t{t:?}", c.peer, c.role);
                    }
                    out.push(c)
                }
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The generated README section (between the markers).
fn render(tests: &[Classified]) -> String {
    // (peer, role) → check → (tests, items covered)
    type Cell = (usize, BTreeSet<usize>);
    let mut cells: BTreeMap<(&str, &str), BTreeMap<usize, Cell>> = BTreeMap::new();
    for t in tests {
        let row = cells.entry((t.peer, t.role)).or_default();
        let mut seen = BTreeSet::new();
        for &(check, item) in &t.checks {
            let cell = row.entry(check).or_default();
            if seen.insert(check) {
                cell.0 += 1;
            }
            if let Some(item) = item {
                cell.1.insert(item);
            }
        }
    }
    let mut s = String::new();
    s.push_str(
        "This table is generated by `tests/interop_matrix.rs` from the names of the interop \
         tests (`tests/interop_*.rs`, ignored tests left out); `cargo test` fails when it is \
         out of date. A cell gives the number of tests; for suites and groups, how many of the \
         6 suites or 3 groups are covered.\n\n",
    );
    s.push_str("| peer | role |");
    for c in CHECKS {
        write!(s, " {} |", c.title).unwrap();
    }
    s.push_str("\n|---|---|");
    for _ in CHECKS {
        s.push_str(":-:|");
    }
    s.push('\n');
    for peer in PEERS {
        for role in [PEER_IS_CLIENT, PEER_IS_SERVER] {
            let Some(row) = cells.get(&(*peer, role)) else {
                continue;
            };
            write!(s, "| {peer} | {role} |").unwrap();
            for (i, check) in CHECKS.iter().enumerate() {
                match row.get(&i) {
                    None => s.push_str(" — |"),
                    Some((_, items)) if !check.items.is_empty() => {
                        write!(s, " ✓ {}/{} |", items.len(), check.items.len()).unwrap()
                    }
                    Some((n, _)) => write!(s, " ✓ {n} |").unwrap(),
                }
            }
            s.push('\n');
        }
    }
    s
}

#[test]
fn readme_interop_table_matches_the_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tests = classify_all(&root.join("tests")).unwrap_or_else(|errors| {
        panic!(
            "interop tests whose names tests/interop_matrix.rs cannot classify \
             (rename them or extend its mapping):\n  {}",
            errors.join("\n  ")
        )
    });
    let table = render(&tests);
    let expected = format!("{START}\n{table}{END}");

    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the markers {START} and {END}");
    };
    assert!(start < end, "README.md: {END} comes before {START}");
    let current = &readme[start..end + END.len()];
    if current == expected {
        return;
    }
    if std::env::var("UPDATE_README").as_deref() == Ok("1") {
        let updated = format!(
            "{}{expected}{}",
            &readme[..start],
            &readme[end + END.len()..]
        );
        std::fs::write(&readme_path, updated).unwrap();
        eprintln!("README.md: interoperability table updated");
        return;
    }
    panic!(
        "README.md's interoperability table is out of date. Run\n\n    \
         UPDATE_README=1 cargo test --test interop_matrix\n\nThe expected section:\n\n{expected}\n"
    );
}

#[test]
fn classification_fails_loudly_and_places_known_names() {
    assert!(classify("interop_openssl.rs", "s_client_does_something_new").is_err());
    assert!(classify("interop_sessions.rs", "mystery_peer_resumes").is_err());
    let c = classify(
        "interop_openssl.rs",
        "our_client_rejects_unknown_ca_and_s_server_sees_unknown_ca",
    )
    .unwrap();
    assert_eq!((c.peer, c.role), ("OpenSSL 3", PEER_IS_SERVER));
    let c = classify("interop_sessions.rs", "rustls_client_cert_to_our_server").unwrap();
    assert_eq!((c.peer, c.role), ("rustls (TCP)", PEER_IS_CLIENT));
    let titles: Vec<_> = c.checks.iter().map(|(i, _)| CHECKS[*i].title).collect();
    assert_eq!(titles, ["client certs"]);
    let src =
        "#[test]\n#[ignore = \"x\"]\nfn skipped() {}\n#[test]\nfn counted() {}\nfn helper() {}\n";
    assert_eq!(test_names(src), ["counted"]);
}
