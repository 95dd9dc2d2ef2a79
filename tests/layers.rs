//! The library's layering, as `docs/ARCHITECTURE.md` draws it, checked against the source: every
//! `crate::…` path in `src/` (tests inside modules aside) names a module in a lower layer, and
//! the document's list of imports is exactly the imports there are. A module that reaches up the
//! stack, or a drawing that no longer matches the code, fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The fenced block after `marker` in `docs/ARCHITECTURE.md`, line by line.
fn doc_block(marker: &str) -> Vec<String> {
    let path = Path::new(ROOT).join("docs/ARCHITECTURE.md");
    let text = std::fs::read_to_string(&path).expect("docs/ARCHITECTURE.md");
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("docs/ARCHITECTURE.md has no {marker}"));
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .map(str::to_string)
        .collect()
}

/// The layers, lowest first: `N  module module …` lines.
fn layers() -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in doc_block("<!-- layers -->") {
        let mut words = line.split_whitespace();
        let Some(n) = words.next().and_then(|w| w.parse::<usize>().ok()) else {
            continue;
        };
        for m in words {
            assert!(
                out.insert(m.to_string(), n).is_none(),
                "{m} is in two layers"
            );
        }
    }
    out
}

/// The documented imports: `module: used, used, …` lines.
fn documented_imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for line in doc_block("<!-- imports -->") {
        let Some((m, used)) = line.split_once(':') else {
            continue;
        };
        out.insert(
            m.trim().to_string(),
            used.split([',', ' '])
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
        );
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None`: the crate roots and the binary's
/// command line, which are not library modules).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(Path::new(ROOT).join("src")).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main" | "cli")).then(|| name.to_string())
}

/// The source without comments, string and character literals, and `#[cfg(test)]` items.
fn code_of(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if src[i..].starts_with("/*") {
            i = src[i..].find("*/").map_or(b.len(), |n| i + n + 2);
        } else if src[i..].starts_with("r#\"") {
            i = src[i + 3..].find("\"#").map_or(b.len(), |n| i + 3 + n + 2);
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if b[i] == b'\'' && (b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\')) {
            // A character literal ('x', '\n', '\u{..}'); a lifetime has no closing quote.
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else if src[i..].starts_with("#[cfg(test)]") {
            // Skip the item: up to its first `;` or over its first balanced `{…}`.
            let mut depth = 0usize;
            while i < b.len() {
                match b[i] {
                    b';' if depth == 0 => break,
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b'"' => {
                        i += 1;
                        while i < b.len() && b[i] != b'"' {
                            i += if b[i] == b'\\' { 2 } else { 1 };
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
        } else {
            let c = src[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The top-level modules a piece of code names through `crate::`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the first segment of each top-level entry.
            let mut depth = 0usize;
            let mut start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_ascii_alphabetic() || c == '_') => {
                        out.insert(ident_at(&group[k..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident_at(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != "self" && m != "super");
    out
}

fn ident_at(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Every library module's imports of other top-level modules.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src"), &mut files);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let Some(m) = module_of(&f) else { continue };
        let src = std::fs::read_to_string(&f).expect("read");
        let used = out.entry(m.clone()).or_default();
        used.extend(crate_paths(&code_of(&src)).into_iter().filter(|u| *u != m));
    }
    out
}

#[test]
fn no_module_imports_one_above_it() {
    let layers = layers();
    let mut wrong = Vec::new();
    for (m, used) in imports() {
        let Some(&mine) = layers.get(&m) else {
            wrong.push(format!("{m} is in no layer of docs/ARCHITECTURE.md"));
            continue;
        };
        for u in used {
            match layers.get(&u) {
                Some(&theirs) if theirs < mine => {}
                Some(&theirs) => wrong.push(format!(
                    "{m} (layer {mine}) imports {u} (layer {theirs}), not below it"
                )),
                None => wrong.push(format!("{m} imports {u}, which is in no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_documented_imports_are_the_imports() {
    let actual: BTreeMap<String, BTreeSet<String>> = imports()
        .into_iter()
        .map(|(m, used)| {
            let used = used
                .into_iter()
                .filter(|u| !matches!(u.as_str(), "error" | "units"))
                .collect();
            (m, used)
        })
        .filter(|(_, used): &(String, BTreeSet<String>)| !used.is_empty())
        .collect();
    let documented = documented_imports();
    let mut wrong = Vec::new();
    for m in actual
        .keys()
        .chain(documented.keys())
        .collect::<BTreeSet<_>>()
    {
        let a = actual.get(m).cloned().unwrap_or_default();
        let d = documented.get(m).cloned().unwrap_or_default();
        for u in a.difference(&d) {
            wrong.push(format!("{m} imports {u}: not listed"));
        }
        for u in d.difference(&a) {
            wrong.push(format!("{m}: {u} is listed but {m} does not import {u}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_scanner_sees_paths_and_groups_but_not_comments() {
    let code = code_of(
        "use crate::a::B;\n// crate::c\nlet s = \"crate::d\";\nuse crate::{e, f::{G, H}};\n\
         #[cfg(test)]\nmod tests { use crate::g; }\nfn x<'a>(c: char) { crate::h::i(); }\n",
    );
    let got: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(got, ["a", "e", "f", "h"]);
}
