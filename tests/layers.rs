//! The layers depend one way: codec and crypto at the bottom, record and
//! handshake above them, the connection API on top. A `use` that points
//! upward fails here, naming the file and the line.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first: modules (folders or files under `src/`) that
/// may name modules of their own layer and of those below, never of a layer
/// above.
const LAYERS: &[&[&str]] = &[
    &["shared"],
    &["codec", "crypto", "error"],
    &["info"],
    &["record"],
    &["session", "config", "verify"],
    &["handshake"],
    &["conn", "stream"],
];

fn sources(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            sources(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// Every `crate::<module>` a file names (in `use` lines and paths alike).
fn named_modules(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((n + 1, name));
        }
        // `use crate::{a, b::c}` names several.
        if let Some(at) = code.find("crate::{") {
            let inner = &code[at + "crate::{".len()..];
            for part in inner.split([',', '}']) {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((n + 1, name));
                }
            }
        }
    }
    found
}

#[test]
fn no_module_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut checked = 0;
    for (layer, modules) in LAYERS.iter().enumerate() {
        let above: Vec<&str> = LAYERS[layer + 1..]
            .iter()
            .flat_map(|l| l.iter().copied())
            .collect();
        for module in modules.iter() {
            let mut files = Vec::new();
            let dir = src.join(module);
            if dir.is_dir() {
                sources(&dir, &mut files);
            } else {
                files.push(src.join(format!("{module}.rs")));
            }
            for file in files {
                let text = fs::read_to_string(&file).unwrap();
                checked += 1;
                for (line, name) in named_modules(&text) {
                    if above.contains(&name.as_str()) {
                        violations.push(format!("{}:{line}: crate::{name}", file.display()));
                    }
                }
            }
        }
    }
    assert!(checked >= 20, "only {checked} files checked");
    assert!(
        violations.is_empty(),
        "upward dependencies:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_upward_uses() {
    let text = "use crate::conn::common::Common;\nuse crate::{codec, handshake::Io};\n";
    let names: Vec<String> = named_modules(text).into_iter().map(|(_, n)| n).collect();
    assert!(names.contains(&"conn".to_string()));
    assert!(names.contains(&"handshake".to_string()));
    assert!(names.contains(&"codec".to_string()));
}
