//! The README's interoperability table, generated from what the interop tests
//! cover, not written by hand.
//!
//! This test reads the source of every `tests/interop_*.rs`, finds each
//! `#[test]` function and each row of a `table_tests!` table (see
//! tests/common/mod.rs; those marked `#[ignore]` do not count), classifies its
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
//! * **Refusals**: a test that lands in a refusal column (TLS ≤ 1.1
//!   refused, no common suite/group, bad cert alerts, ALPN mismatch,
//!   bad_record_mac, missing client cert refused) counts in no other
//!   column: a failed handshake shows nothing about the suite, group or
//!   certificate its name mentions. A name with a refusal word
//!   ([`REFUSAL_WORDS`]) that lands in no refusal column fails the test.
//! * **Annotations**: a test that asserts more than its name says is credited
//!   with the extra checks listed in a comment among its attributes (the
//!   lines between the previous item and its `fn`), by column title:
//!
//!   ```text
//!   // interop-matrix: 1 byte, 16 MiB, close_notify, groups=x25519
//!   #[test]
//!   fn rustls_server_ecdhe_rsa_aes128_gcm_sha256() {
//!   ```
//!
//!   An item column (suites, groups) takes `title=item`. An unknown title or
//!   item fails the test. `// interop-matrix: not counted (why)` leaves a
//!   test out of the table: for tests that only record that a peer lacks a
//!   feature (they assert the feature is still missing, so they fail once it
//!   appears and a real test can be written).

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
    /// A column of refusals: a test counted here ends without a working
    /// connection, so it counts in no other kind of column (nothing was
    /// negotiated that a success column could credit).
    failure: bool,
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
        failure: false,
    },
    Check {
        title: "suites",
        any: &[],
        unless: &[],
        items: SUITES,
        failure: false,
    },
    Check {
        title: "groups",
        any: &[],
        unless: &[],
        items: GROUPS,
        failure: false,
    },
    Check {
        title: "ECDSA cert",
        any: &["_ecdsa_"],
        unless: CLIENT_CERT_WORDS,
        items: &[],
        failure: false,
    },
    Check {
        title: "RSA cert",
        any: &["_rsa_", "_rsa2048_"],
        unless: CLIENT_CERT_WORDS,
        items: &[],
        failure: false,
    },
    Check {
        title: "Ed25519 / P-384 cert",
        any: &["_ed25519_", "p384_cert", "ecdsa_p384", "p384_server_cert"],
        unless: CLIENT_CERT_WORDS,
        items: &[],
        failure: false,
    },
    Check {
        title: "ALPN",
        any: &["_alpn_"],
        unless: ALPN_MISMATCH_WORDS,
        items: &[],
        failure: false,
    },
    Check {
        title: "SNI",
        any: &["_sni_"],
        unless: &[],
        items: &[],
        failure: false,
    },
    Check {
        title: "1 byte",
        any: &["_1_byte_", "_1byte_"],
        unless: &[],
        items: &[],
        failure: false,
    },
    Check {
        title: "16 MiB",
        any: &["_16mib_"],
        unless: &[],
        items: &[],
        failure: false,
    },
    Check {
        title: "close_notify",
        any: &["close_notify", "closes_first", "close_first"],
        unless: &[],
        items: &[],
        failure: false,
    },
    Check {
        title: "TLS ≤ 1.1 refused",
        any: &["_tls11_", "_tls1_1_", "_tls10_"],
        unless: &[],
        items: &[],
        failure: true,
    },
    Check {
        title: "no common suite/group",
        any: &["no_common", "no_shared"],
        unless: &[],
        items: &[],
        failure: true,
    },
    Check {
        title: "bad cert alerts",
        any: &["wrong_name", "unknown_ca", "_expired_", "bad_certificate"],
        unless: &[],
        items: &[],
        failure: true,
    },
    Check {
        title: "ALPN mismatch",
        any: ALPN_MISMATCH_WORDS,
        unless: &[],
        items: &[],
        failure: true,
    },
    Check {
        title: "bad_record_mac",
        any: &["bad_record_mac", "_corrupted_"],
        unless: &[],
        items: &[],
        failure: true,
    },
    Check {
        title: "EMS",
        any: &["_ems_"],
        unless: &[],
        items: &[],
        failure: false,
    },
    Check {
        title: "resumption",
        any: &["resum", "_reconnect_", "sess_out", "_ticket"],
        unless: &[],
        items: &[],
        failure: false,
    },
    Check {
        title: "client certs",
        any: CLIENT_CERT_WORDS,
        unless: &[],
        items: &[],
        failure: false,
    },
    Check {
        title: "missing client cert refused",
        any: &["without_cert_refused"],
        unless: &[],
        items: &[],
        failure: true,
    },
];

/// Words that say a test ends in a refusal: such a test must land in a
/// refusal column (see [`Check::failure`]), so that it is never counted as
/// coverage of what it refused.
const REFUSAL_WORDS: &[&str] = &[
    "refused",
    "rejects",
    "handshake_failure",
    "protocol_version",
    "no_application_protocol",
    "bad_certificate",
    "bad_record_mac",
];

/// The marker of an annotation comment (see the module documentation).
const ANNOTATION: &str = "// interop-matrix:";
const NOT_COUNTED: &str = "not counted";

/// A `#[test]` function: its name and the annotation after
/// [`ANNOTATION`], if any.
#[derive(Debug, PartialEq)]
struct TestFn {
    name: String,
    annotation: Option<String>,
}

/// One test, placed.
#[derive(Debug)]
struct Classified {
    peer: &'static str,
    role: &'static str,
    /// Indexes into [`CHECKS`], with the item (suite, group) if any.
    checks: Vec<(usize, Option<usize>)>,
}

/// The `#[test]` functions of a file, without the `#[ignore]`d ones, with
/// their annotations.
///
/// The attributes and comments above a `fn` belong to it in any order: an
/// `#[ignore]` above `#[test]` leaves the test out just as one below it
/// does.
fn test_fns(source: &str) -> Vec<TestFn> {
    let mut tests = Vec::new();
    // What the attributes seen since the previous item say.
    let (mut is_test, mut ignored) = (false, false);
    let mut annotation: Option<String> = None;
    // Inside a `table_tests!` invocation: every row is a test.
    let mut in_table = false;
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with(TABLE) {
            in_table = true;
            (is_test, ignored, annotation) = (false, false, None);
            continue;
        }
        if in_table {
            if line.starts_with('}') {
                in_table = false;
            } else if let Some(name) = table_row(line) {
                if !ignored {
                    tests.push(TestFn {
                        name: name.to_string(),
                        annotation: annotation.take(),
                    });
                }
                (ignored, annotation) = (false, None);
                continue;
            } else if !(line.starts_with("//") || line.starts_with("#[")) {
                // The function the rows call, or a blank line.
                (ignored, annotation) = (false, None);
                continue;
            }
        }
        if line == "#[test]" {
            is_test = true;
        } else if line.starts_with("#[ignore") {
            ignored = true;
        } else if let Some(rest) = line.strip_prefix(ANNOTATION) {
            let rest = rest.trim().to_string();
            annotation = Some(match annotation.take() {
                Some(before) => format!("{before}, {rest}"),
                None => rest,
            });
        } else if let Some(rest) = line
            .strip_prefix("fn ")
            .or_else(|| line.strip_prefix("pub fn "))
        {
            if is_test && !ignored {
                let name = rest.split(['(', '<']).next().unwrap().trim();
                tests.push(TestFn {
                    name: name.to_string(),
                    annotation: annotation.take(),
                });
            }
            (is_test, ignored, annotation) = (false, false, None);
        } else if !(is_test || ignored || line.starts_with("//") || line.starts_with("#[")) {
            // Anything else ends the attributes (and annotation) of an item;
            // once `#[test]` or `#[ignore` is seen, lines up to the `fn`
            // are attributes (one may span lines).
            (is_test, ignored, annotation) = (false, false, None);
        }
    }
    tests
}

/// How a `table_tests!` invocation (tests/common/mod.rs) starts.
const TABLE: &str = "table_tests! {";

/// The test a `table_tests!` row defines: `name: (arguments);`.
fn table_row(line: &str) -> Option<&str> {
    let (name, rest) = line.split_once(": (")?;
    let is_ident = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    (is_ident && rest.ends_with(");")).then_some(name)
}

/// The names of the `#[test]` functions of a file, without the
/// `#[ignore]`d ones.
#[cfg(test)]
fn test_names(source: &str) -> Vec<String> {
    test_fns(source).into_iter().map(|t| t.name).collect()
}

/// The checks an annotation adds: (index into [`CHECKS`], item).
fn annotated_checks(annotation: &str) -> Result<Vec<(usize, Option<usize>)>, String> {
    let mut out = Vec::new();
    for part in annotation.split(',').map(str::trim) {
        let (title, item) = match part.split_once('=') {
            Some((t, i)) => (t.trim(), Some(i.trim())),
            None => (part, None),
        };
        let i = CHECKS
            .iter()
            .position(|c| c.title == title)
            .ok_or_else(|| format!("annotation: no column titled {title:?}"))?;
        let item = match (item, CHECKS[i].items.is_empty()) {
            (None, true) => None,
            (Some(item), false) => Some(
                CHECKS[i]
                    .items
                    .iter()
                    .position(|(name, _)| *name == item)
                    .ok_or_else(|| format!("annotation: {title:?} has no item {item:?}"))?,
            ),
            (None, false) => return Err(format!("annotation: {title:?} needs `={{item}}`")),
            (Some(_), true) => return Err(format!("annotation: {title:?} has no items")),
        };
        out.push((i, item));
    }
    Ok(out)
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

/// Places a test by its name and annotation; `Ok(None)` for a test marked
/// as not counted.
fn classify_annotated(
    file: &str,
    name: &str,
    annotation: Option<&str>,
) -> Result<Option<Classified>, String> {
    let Some(annotation) = annotation else {
        return classify(file, name).map(Some);
    };
    if let Some(why) = annotation.strip_prefix(NOT_COUNTED) {
        if why.trim().is_empty() {
            return Err(format!("{file}: {name}: say why it is {NOT_COUNTED}"));
        }
        return Ok(None);
    }
    let extra = annotated_checks(annotation).map_err(|e| format!("{file}: {name}: {e}"))?;
    let mut c = classify_by_name(file, name, true)?;
    for check in extra {
        if !c.checks.contains(&check) {
            c.checks.push(check);
        }
    }
    if c.checks.is_empty() {
        return Err(format!("{file}: {name}: matches no check"));
    }
    let failure = c.checks.iter().filter(|&&(i, _)| CHECKS[i].failure).count();
    if failure > 0 && failure < c.checks.len() {
        return Err(format!(
            "{file}: {name}: a refusal counts only in refusal columns, \
             not in success columns"
        ));
    }
    c.checks.sort();
    Ok(Some(c))
}

fn classify(file: &str, name: &str) -> Result<Classified, String> {
    classify_by_name(file, name, false)
}

/// Places a test by its name alone; `annotated`: it may match no check by
/// name (its annotation adds some).
fn classify_by_name(file: &str, name: &str, annotated: bool) -> Result<Classified, String> {
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
    // A refusal negotiated nothing: words such as `ecdsa` or `x25519` in
    // its name describe the set-up, not something shown to work.
    if checks.iter().any(|&(i, _)| CHECKS[i].failure) {
        checks.retain(|&(i, _)| CHECKS[i].failure);
    } else if has_any(&w, REFUSAL_WORDS) {
        return Err(format!(
            "{file}: {name}: a refusal that matches no refusal column; rename it \
             or extend CHECKS in tests/interop_matrix.rs"
        ));
    }
    if checks.is_empty() && !annotated {
        return Err(format!(
            "{file}: {name}: matches no check; extend CHECKS in tests/interop_matrix.rs \
             or annotate it"
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
        for TestFn { name, annotation } in test_fns(&source) {
            match classify_annotated(file, &name, annotation.as_deref()) {
                Ok(None) => {
                    if std::env::var("MATRIX_DEBUG").is_ok() {
                        eprintln!("{file}\t{name}\t{NOT_COUNTED}");
                    }
                }
                Ok(Some(c)) => {
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
         tests (`tests/interop_*.rs`, ignored tests left out) and, for tests that assert more \
         than their names say, the `// interop-matrix:` comments beside them; `cargo test` \
         fails when it is out of date. A cell gives the number of tests; for suites and groups, \
         how many of the 6 suites or 3 groups are covered. \"1 byte\" and \"16 MiB\" count \
         tests that move that much application data in at least one direction. ",
    );
    let refusals: Vec<_> = CHECKS
        .iter()
        .filter(|c| c.failure)
        .map(|c| c.title)
        .collect();
    write!(
        s,
        "A test that ends in a refusal counts only in the refusal columns ({}): a failed \
         handshake shows nothing about the suite, group or certificate its name mentions.\n\n",
        refusals.join(", ")
    )
    .unwrap();
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

#[test]
fn ignore_counts_above_or_below_test() {
    let src = "#[ignore = \"above\"]\n#[test]\nfn skipped_above() {}\n\
               #[test]\n#[ignore]\nfn skipped_below() {}\n\
               #[ignore = \"a reason \\\n    on two lines\"]\n#[test]\nfn skipped_long() {}\n\
               #[ignore]\nfn helper() {}\n#[test]\nfn counted() {}\n";
    assert_eq!(test_names(src), ["counted"]);
}

#[test]
fn table_rows_are_tests() {
    let src = "fn before() {}\n\
               table_tests! {\n    run_suite;\n\
               \x20   s_client_ecdhe_rsa_aes128: (\"A\", 1);\n\
               \x20   // interop-matrix: 1 byte\n\
               \x20   s_client_ecdhe_rsa_aes256: (\"B\", 2);\n\
               \x20   #[ignore = \"peer lacks it\"]\n\
               \x20   s_client_ecdhe_rsa_chacha20: (\"C\", 3);\n\
               \x20   s_client_ecdhe_ecdsa_aes128: (\"D\", 4);\n\
               }\n\
               fn helper(x: u8) -> u8 {\n    x\n}\n#[test]\nfn after() {}\n";
    let fns = test_fns(src);
    let got: Vec<_> = fns
        .iter()
        .map(|t| (t.name.as_str(), t.annotation.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("s_client_ecdhe_rsa_aes128", None),
            ("s_client_ecdhe_rsa_aes256", Some("1 byte")),
            ("s_client_ecdhe_ecdsa_aes128", None),
            ("after", None),
        ]
    );
}

#[test]
fn refusals_count_only_in_refusal_columns() {
    let titles =
        |c: &Classified| -> Vec<&str> { c.checks.iter().map(|(i, _)| CHECKS[*i].title).collect() };
    // Its name mentions a group and a certificate type, but nothing was
    // negotiated.
    let c = classify(
        "interop_openssl.rs",
        "s_client_x25519_only_and_our_p256_ecdsa_server_have_no_common_suite",
    )
    .unwrap();
    assert_eq!(titles(&c), ["no common suite/group"]);
    let c = classify(
        "interop_sessions.rs",
        "gnutls_cli_without_cert_refused_by_our_server",
    )
    .unwrap();
    assert_eq!(titles(&c), ["missing client cert refused"]);
    // A refusal no refusal column takes is an error, not a success.
    assert!(classify(
        "interop_openssl.rs",
        "s_client_ecdsa_gets_handshake_failure"
    )
    .is_err());
    // An annotation cannot credit a refusal with a success column.
    assert!(classify_annotated(
        "interop_openssl.rs",
        "s_client_no_common_suite_gets_handshake_failure",
        Some("groups=x25519")
    )
    .is_err());
}

#[test]
fn annotations_add_checks_or_leave_tests_out() {
    let src = "// interop-matrix: 1 byte, groups=P-384\n#[test]\nfn rustls_client_x() {}\n\
               // interop-matrix: stray\nfn helper() {}\n#[test]\nfn rustls_server_y() {}\n\
               #[test]\n// interop-matrix: not counted (no API)\nfn python_client_z() {}\n";
    let fns = test_fns(src);
    let annotations: Vec<_> = fns.iter().map(|t| t.annotation.as_deref()).collect();
    assert_eq!(
        annotations,
        [
            Some("1 byte, groups=P-384"),
            None,
            Some("not counted (no API)")
        ]
    );
    let c = classify_annotated("interop_rustls_tcp.rs", "rustls_client_x", annotations[0])
        .unwrap()
        .unwrap();
    let titles: Vec<_> = c
        .checks
        .iter()
        .map(|(i, j)| (CHECKS[*i].title, j.map(|j| CHECKS[*i].items[j].0)))
        .collect();
    assert_eq!(titles, [("groups", Some("P-384")), ("1 byte", None)]);
    assert!(
        classify_annotated("interop_python.rs", "python_client_z", annotations[2])
            .unwrap()
            .is_none()
    );
    for bad in ["2 bytes", "groups", "groups=P-521", "SNI=x", "not counted"] {
        assert!(
            classify_annotated("interop_python.rs", "python_client_z", Some(bad)).is_err(),
            "{bad}"
        );
    }
}
