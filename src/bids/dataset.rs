//! The dataset-level files BIDS asks for beside the recordings, so `export` and
//! `simulate --bids` pass the BIDS validator without warnings: a `README`, `Authors` in
//! `dataset_description.json` (see [`super::write_dataset_description`]), `participants.tsv`
//! (and its `participants.json`) when trainees are known, each subject's `_scans.tsv` with the
//! time of each recording, and an `_events.json` data dictionary for the columns of
//! `_events.tsv` that BIDS does not define.
//!
//! Tables are merged, not replaced: `simulate --bids DIR` run once per session adds its
//! participant and its scan to what is there.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest table merged: participants and scans tables are a line per person or recording.
const MAX_TABLE_BYTES: u64 = 16 << 20;

/// A TSV table: its header and its rows.
type Table = (Vec<String>, Vec<Vec<String>>);

/// Reads a TSV table (header + rows), or nothing when the file does not exist.
fn read_tsv(path: &Path) -> Result<Option<Table>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    if meta.len() > MAX_TABLE_BYTES {
        return Err(Error::parse(
            path,
            1,
            format!("{} bytes: too large for a BIDS table", meta.len()),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(super::tsv::Table::parse(path, &text)?.map(super::tsv::Table::trimmed))
}

/// A TSV cell: tabs and line breaks would break the table, so they become spaces; empty is
/// `n/a`.
fn tsv_cell(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = t.trim();
    if t.is_empty() {
        "n/a".into()
    } else {
        t.to_string()
    }
}

/// Merges `key → columns` into the table at `path` (first column `key_column`, then
/// `columns`), keeping other rows, sorted by key.
fn merge_tsv(
    path: &Path,
    key_column: &str,
    columns: &[&str],
    key: &str,
    values: &[String],
) -> Result<()> {
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some((header, old)) = read_tsv(path)? {
        let index: Vec<Option<usize>> = std::iter::once(key_column)
            .chain(columns.iter().copied())
            .map(|c| header.iter().position(|h| h == c))
            .collect();
        for r in old {
            let cells: Vec<String> = index
                .iter()
                .map(|i| {
                    i.and_then(|i| r.get(i))
                        .cloned()
                        .unwrap_or_else(|| "n/a".into())
                })
                .collect();
            if let Some((k, rest)) = cells.split_first() {
                rows.insert(k.clone(), rest.to_vec());
            }
        }
    }
    rows.insert(tsv_cell(key), values.iter().map(|v| tsv_cell(v)).collect());
    let mut text = std::iter::once(key_column)
        .chain(columns.iter().copied())
        .collect::<Vec<_>>()
        .join("\t");
    text.push('\n');
    for (k, v) in rows {
        text.push_str(&k);
        for c in v {
            text.push('\t');
            text.push_str(&c);
        }
        text.push('\n');
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn write_json_file(path: &Path, value: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|source| Error::Json {
        context: path.display().to_string(),
        source,
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// Adds (or updates) participant `sub-<label>` with a readable `name` in `participants.tsv` at
/// the dataset root, and describes the column in `participants.json`.
pub fn add_participant(root: &Path, label: &str, name: Option<&str>) -> Result<PathBuf> {
    let path = root.join("participants.tsv");
    merge_tsv(
        &path,
        "participant_id",
        &["name"],
        &format!("sub-{label}"),
        &[name.unwrap_or("n/a").to_string()],
    )?;
    write_json_file(
        &root.join("participants.json"),
        &serde_json::json!({
            "name": {"Description": "The trainee's name as recorded (mldsense --trainee)."}
        }),
    )?;
    Ok(path)
}

/// Adds (or updates) a recording's start time in the subject's `_scans.tsv`, in `scans_dir`
/// (the session folder, or the subject folder without sessions); `file` is relative to it.
pub fn add_scan(scans_dir: &Path, scans_stem: &str, file: &str, acq_time: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(scans_dir).map_err(|e| Error::io(scans_dir, e))?;
    let path = scans_dir.join(format!("{scans_stem}{}", super::SCANS_TSV));
    merge_tsv(
        &path,
        "filename",
        &["acq_time"],
        file,
        &[acq_time.to_string()],
    )?;
    Ok(path)
}

/// A BIDS `acq_time` (`YYYY-MM-DDThh:mm:ss`) from an RFC 3339 time or a date, if it is one.
pub fn acq_time(started: &str) -> Option<String> {
    let s = started.trim();
    let date = s.get(..10)?;
    let ok_date = date.bytes().enumerate().all(|(i, c)| match i {
        4 | 7 => c == b'-',
        _ => c.is_ascii_digit(),
    });
    if !ok_date {
        return None;
    }
    let time = s
        .get(11..19)
        .filter(|t| {
            t.bytes().enumerate().all(|(i, c)| match i {
                2 | 5 => c == b':',
                _ => c.is_ascii_digit(),
            })
        })
        .unwrap_or("00:00:00");
    Some(format!("{date}T{time}"))
}

/// Writes a dataset `README` at `root` unless one is there.
pub fn write_readme(root: &Path, text: &str) -> Result<Option<PathBuf>> {
    let path = root.join("README");
    if path.exists() || root.join("README.md").exists() {
        return Ok(None);
    }
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(Some(path))
}

/// Writes the `_events.json` data dictionary beside `events_tsv` (`<stem>_events.tsv`): what
/// `trial_type`, `peak_mmhg` and `grade` mean.
pub fn write_events_json(events_tsv: &Path, window: (f64, f64)) -> Result<PathBuf> {
    let name = events_tsv
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(super::paths::EVENTS_TSV).unwrap_or(&name);
    let path = events_tsv.with_file_name(format!("{stem}_events.json"));
    let (lo, hi) = window;
    let value = serde_json::json!({
        "trial_type": {
            "Description": "The kind of event.",
            "Levels": {"stroke": "One manual lymphatic drainage stroke, onset to offset of its working phase."}
        },
        "peak_mmhg": {
            "Description": "The stroke's peak pressure over all fingertips.",
            "Units": "mmHg"
        },
        "grade": {
            "Description": format!("The stroke's peak against the target window {lo}–{hi} mmHg."),
            "Levels": {
                "too_light": format!("Peak below {lo} mmHg."),
                "in_window": format!("Peak within {lo}–{hi} mmHg."),
                "too_hard": format!("Peak above {hi} mmHg.")
            }
        }
    });
    write_json_file(&path, &value)?;
    Ok(path)
}

/// The README text of a dataset written by mldsense.
pub fn readme_text(name: &str) -> String {
    format!(
        "# {name}\n\n\
         Manual lymphatic drainage practice sessions recorded with a sensor glove, written by\n\
         mldsense {}.\n\n\
         - `sub-<label>/[ses-<date>/]beh/*_physio.tsv.gz`: fingertip pressure in mmHg, one\n  \
         column per fingertip (`_physio.json` names them and gives the sampling rate).\n\
         - `*_events.tsv`: one stroke a row (onset, duration, peak, grade); `_events.json`\n  \
         describes the columns.\n\
         - `participants.tsv`: the trainees; `*_scans.tsv`: when each session was recorded.\n",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_are_merged_and_cells_kept_in_their_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        add_participant(dir.path(), "b", Some("Ben")).expect("write");
        add_participant(dir.path(), "a", Some("Anna\tBerg")).expect("write");
        add_participant(dir.path(), "b", Some("Benjamin")).expect("write");
        let text = std::fs::read_to_string(dir.path().join("participants.tsv")).expect("read");
        assert_eq!(
            text,
            "participant_id\tname\nsub-a\tAnna Berg\nsub-b\tBenjamin\n"
        );
    }

    #[test]
    fn acq_times_are_bids_shaped() {
        assert_eq!(
            acq_time("2026-11-02T09:15:30Z").as_deref(),
            Some("2026-11-02T09:15:30")
        );
        assert_eq!(
            acq_time("2026-11-02").as_deref(),
            Some("2026-11-02T00:00:00")
        );
        assert_eq!(acq_time("last week"), None);
    }
}
