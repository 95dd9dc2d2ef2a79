//! Names for per-session reports that can never collide.
//!
//! Every demo calls its recording `session.mld`, and a class folder holds one per student per
//! week: a report named after the file alone would overwrite the others. A name is built from
//! the trainee, the date and the path relative to the class folder, made safe for every file
//! system (letters, digits, `-`, `_`, `.`; lower case, so `Anna` and `anna` cannot meet on a
//! case-insensitive disk; bounded length), and any name still taken gets `-2`, `-3`, …

use std::collections::HashSet;
use std::path::{Component, Path};

/// Longest name stem produced (before the uniqueness suffix and the extension): well under
/// every file system's 255-byte limit even in multi-byte UTF-8.
const MAX_STEM_CHARS: usize = 80;

/// File-name suffixes that are not part of a session's name.
const INPUT_SUFFIXES: [&str; 4] = [
    crate::bids::PHYSIO_TSV_GZ,
    crate::bids::PHYSIO_TSV,
    crate::bids::PHYSIO_JSON,
    ".mld",
];

/// BIDS datatype folders, which say nothing about the session.
const DATATYPE_DIRS: [&str; 2] = ["beh", "physio"];

/// `text` reduced to lower-case letters, digits, `-`, `_` and `.`, other runs replaced by one
/// `-`, never starting with `.` or `-` (hidden files, options).
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.' || c == '_');
    trimmed.chars().take(MAX_STEM_CHARS).collect()
}

/// The parts of a session's relative path worth naming: its folders (less datatype folders and
/// those the file name already starts with) and the file name without its input suffix.
fn path_part(relative: &Path) -> String {
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = INPUT_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(&name)
        .to_string();
    let mut parts: Vec<String> = relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .filter(|d| !DATATYPE_DIRS.contains(&d.as_str()) && !stem.starts_with(d.as_str()))
        .collect();
    parts.push(stem);
    parts.join("-")
}

/// Hands out unique report names within one output folder.
#[derive(Debug, Default)]
pub struct ReportNames {
    taken: HashSet<String>,
}

impl ReportNames {
    /// A namer with `reserved` stems already taken (the class view's own files).
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        ReportNames {
            taken: reserved.into_iter().map(str::to_string).collect(),
        }
    }

    /// A new, unique stem for the session of `trainee` on `date` at `relative` (its path from
    /// the class folder).
    pub fn name(&mut self, trainee: Option<&str>, date: Option<&str>, relative: &Path) -> String {
        let mut parts: Vec<String> = Vec::new();
        let path = path_part(relative);
        if let Some(t) = trainee.map(slug).filter(|t| !t.is_empty()) {
            // `sub-anna/…/sub-anna_task-mld` already says who.
            if !slug(&path).starts_with(&format!("sub-{t}")) {
                parts.push(t);
            }
        }
        if let Some(d) = date.map(slug).filter(|d| !d.is_empty()) {
            parts.push(d);
        }
        parts.push(path);
        let mut base = slug(&parts.join("_"));
        if base.is_empty() {
            base = "session".into();
        }
        let mut candidate = base.clone();
        let mut n = 1u32;
        while !self.taken.insert(candidate.clone()) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("Anna Berg"), "anna-berg");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("=HYPERLINK(\"x\")"), "hyperlink-x");
        assert_eq!(slug("Zoë"), "zoë");
        assert_eq!(slug(".hidden"), "hidden");
        assert_eq!(slug("-rf"), "rf");
        assert_eq!(slug(&"x".repeat(500)).chars().count(), MAX_STEM_CHARS);
    }

    #[test]
    fn three_session_mld_files_get_three_names() {
        let mut names = ReportNames::with_reserved(["class"]);
        let a = names.name(
            Some("Anna"),
            Some("2026-11-02"),
            Path::new("week1/session.mld"),
        );
        let b = names.name(
            Some("Anna"),
            Some("2026-11-09"),
            Path::new("week2/session.mld"),
        );
        let c = names.name(None, None, Path::new("session.mld"));
        let d = names.name(None, None, Path::new("session.mld"));
        assert_eq!(a, "anna_2026-11-02_week1-session");
        assert_eq!(b, "anna_2026-11-09_week2-session");
        assert_eq!(c, "session");
        assert_eq!(d, "session-2");
        let e = names.name(None, None, Path::new("class.mld"));
        assert_eq!(e, "class-2", "a reserved name is never handed out");
    }

    #[test]
    fn bids_paths_are_not_repeated() {
        let mut names = ReportNames::default();
        let n = names.name(
            Some("light1"),
            None,
            Path::new("sub-light1/beh/sub-light1_task-mld_physio.tsv.gz"),
        );
        assert_eq!(n, "sub-light1_task-mld");
    }
}
