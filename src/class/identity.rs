//! Who practised and when, for inputs that do not carry it in a header.
//!
//! A `.mld` recording names its trainee and start time in its header (`record --trainee`,
//! `live --trainee`). A BIDS dataset names the participant in the file name (`sub-<label>`),
//! may give a readable name in `participants.tsv` (a `name` column beside `participant_id`), and
//! dates each recording in the subject's `_scans.tsv` (`acq_time`) or, failing that, in a
//! session label that is a date (`ses-20261102`). This module reads those, tolerating their
//! absence: a dataset without them is still analysed, just without a name or a date.

use crate::bids::tsv::Table;
use crate::bids::BidsPaths;
use std::path::{Path, PathBuf};

/// What is known about who and when, from a BIDS recording's names and tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The participant label, without `sub-`.
    pub subject: Option<String>,
    /// The session label, without `ses-`.
    pub session: Option<String>,
    /// The trainee's readable name (`participants.tsv` `name`), else the label.
    pub trainee: Option<String>,
    /// When the recording started, RFC 3339 or a plain date, if known.
    pub started: Option<String>,
}

/// The value of BIDS entity `key` (`sub`, `ses`, …) in a file-name stem.
pub fn entity<'a>(stem: &'a str, key: &str) -> Option<&'a str> {
    stem.split('_').find_map(|part| {
        part.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix('-'))
            .filter(|v| !v.is_empty())
    })
}

/// The dataset root above `dir`: the nearest folder holding `dataset_description.json`, looked
/// for at most four levels up (`sub-x/ses-y/beh/` is three).
fn dataset_root(dir: &Path) -> Option<PathBuf> {
    let mut here = Some(dir);
    for _ in 0..5 {
        let d = here?;
        if d.join("dataset_description.json").is_file() {
            return Some(d.to_path_buf());
        }
        here = d.parent();
    }
    None
}

/// Largest table read for a name or a date: a participants or scans table is a few lines per
/// person; anything much larger is not one, and is not read whole.
const MAX_TABLE_BYTES: u64 = 4 << 20;

fn read_table(path: &Path) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_TABLE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    Table::parse(path, &text).ok().flatten().map(Table::trimmed)
}

fn cell<'a>(header: &[String], row: &'a [String], name: &str) -> Option<&'a str> {
    let i = header.iter().position(|h| h == name)?;
    row.get(i)
        .map(String::as_str)
        .filter(|v| !v.is_empty() && *v != "n/a")
}

/// The readable name of participant `sub-<label>` in `participants.tsv`, if it gives one.
pub fn participant_name(participants_tsv: &Path, label: &str) -> Option<String> {
    let (header, rows) = read_table(participants_tsv)?;
    let id = format!("sub-{label}");
    rows.iter()
        .find(|r| cell(&header, r, "participant_id") == Some(id.as_str()))
        .and_then(|r| cell(&header, r, "name").map(str::to_string))
}

/// `acq_time` of `file` (relative to the scans table's folder, `/`-separated) in a `_scans.tsv`.
fn scan_time(scans_tsv: &Path, file: &str) -> Option<String> {
    let (header, rows) = read_table(scans_tsv)?;
    rows.iter()
        .find(|r| cell(&header, r, "filename") == Some(file))
        .and_then(|r| cell(&header, r, "acq_time").map(str::to_string))
}

/// `20261102` → `2026-11-02`, when a session label is a date.
fn date_label(label: &str) -> Option<String> {
    let digits = label
        .get(..8)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    let (y, m, d) = (&digits[..4], &digits[4..6], &digits[6..8]);
    let (mi, di): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&mi) && (1..=31).contains(&di)).then(|| format!("{y}-{m}-{d}"))
}

impl Identity {
    /// Who and when for the BIDS recording at `paths`, from its names, `participants.tsv` and
    /// the subject's `_scans.tsv`.
    pub fn of_bids(paths: &BidsPaths) -> Identity {
        let subject = entity(&paths.stem, "sub").map(str::to_string);
        let session = entity(&paths.stem, "ses").map(str::to_string);
        let root = dataset_root(&paths.dir);
        let trainee = subject.as_deref().map(|label| {
            root.as_deref()
                .and_then(|r| participant_name(&r.join("participants.tsv"), label))
                .unwrap_or_else(|| label.to_string())
        });
        // The scans table sits in the session folder (or the subject folder without sessions),
        // the data one datatype folder below it.
        let started = subject
            .as_deref()
            .and_then(|sub| {
                let datatype = paths.dir.file_name()?.to_str()?;
                let scans_dir = paths.dir.parent()?;
                let scans_stem = match &session {
                    Some(ses) => format!("sub-{sub}_ses-{ses}"),
                    None => format!("sub-{sub}"),
                };
                let table = scans_dir.join(format!("{scans_stem}{}", crate::bids::SCANS_TSV));
                crate::bids::PHYSIO_DATA.iter().find_map(|suffix| {
                    scan_time(&table, &format!("{datatype}/{}{suffix}", paths.stem))
                })
            })
            .or_else(|| session.as_deref().and_then(date_label));
        Identity {
            subject,
            session,
            trainee,
            started,
        }
    }
}

/// The calendar date (`YYYY-MM-DD`) of a start time in RFC 3339 or a plain date, if it has one.
pub fn session_date(started: Option<&str>) -> Option<String> {
    let s = started?.trim();
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let shape = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    shape.then(|| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_come_from_the_stem() {
        assert_eq!(entity("sub-light1_task-mld", "sub"), Some("light1"));
        assert_eq!(
            entity("sub-a_ses-20261102_task-mld", "ses"),
            Some("20261102")
        );
        assert_eq!(entity("sub-_task-mld", "sub"), None);
        assert_eq!(entity("task-mld", "sub"), None);
    }

    #[test]
    fn dates_are_read_only_when_they_are_dates() {
        assert_eq!(
            session_date(Some("2026-11-02T09:30:00Z")).as_deref(),
            Some("2026-11-02")
        );
        assert_eq!(
            session_date(Some("2026-11-02")).as_deref(),
            Some("2026-11-02")
        );
        assert_eq!(session_date(Some("yesterday")), None);
        assert_eq!(session_date(Some("2026/11/02")), None);
        assert_eq!(session_date(None), None);
        assert_eq!(date_label("20261102").as_deref(), Some("2026-11-02"));
        assert_eq!(date_label("20261342"), None);
        assert_eq!(date_label("week1"), None);
    }

    #[test]
    fn bids_names_tables_and_dates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("dataset_description.json"), "{}").expect("write");
        std::fs::write(
            root.join("participants.tsv"),
            "participant_id\tname\nsub-ab\tAnna Berg\nsub-cd\tn/a\n",
        )
        .expect("write");
        let ses = root.join("sub-ab").join("ses-20261102");
        let beh = ses.join("beh");
        std::fs::create_dir_all(&beh).expect("mkdir");
        std::fs::write(
            ses.join("sub-ab_ses-20261102_scans.tsv"),
            "filename\tacq_time\nbeh/sub-ab_ses-20261102_task-mld_physio.tsv.gz\t2026-11-02T09:15:00\n",
        )
        .expect("write");
        let id = Identity::of_bids(&BidsPaths::new(&beh, "sub-ab_ses-20261102_task-mld"));
        assert_eq!(id.trainee.as_deref(), Some("Anna Berg"));
        assert_eq!(id.subject.as_deref(), Some("ab"));
        assert_eq!(id.started.as_deref(), Some("2026-11-02T09:15:00"));

        // No name in the table: the label; no scans table: the date-like session label.
        let beh2 = root.join("sub-cd").join("ses-20261109").join("beh");
        std::fs::create_dir_all(&beh2).expect("mkdir");
        let id = Identity::of_bids(&BidsPaths::new(&beh2, "sub-cd_ses-20261109_task-mld"));
        assert_eq!(id.trainee.as_deref(), Some("cd"));
        assert_eq!(id.started.as_deref(), Some("2026-11-09"));

        // Nothing known at all.
        let id = Identity::of_bids(&BidsPaths::new(root, "recording"));
        assert_eq!(id, Identity::default());
    }
}
