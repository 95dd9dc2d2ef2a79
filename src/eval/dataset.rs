//! Finding annotated recordings (a `_physio` file with a sibling `_events.tsv`) and reading the
//! strokes to score: the reference from `_events.tsv`, estimates from another tool's JSON.

use super::score::{parse_grade, ScoredEvent};
use crate::bids::{read_events, BidsPaths, PhysioSidecar, STROKE_TRIAL_TYPE};
use crate::error::{Error, Result};
use crate::units::Mmhg;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Every annotated recording under `paths` (folders searched recursively, files taken as
/// named), sorted and without duplicates. A named file without `_events.tsv` is an error; a
/// folder without any annotated recording is one too.
pub fn find_annotated(paths: &[PathBuf]) -> Result<Vec<BidsPaths>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out)?;
            if out.len() == before {
                return Err(Error::Unsupported(format!(
                    "{}: no annotated recordings (<stem>_physio.tsv[.gz] with a sibling \
                     <stem>_events.tsv) in this folder",
                    p.display()
                )));
            }
        } else {
            let b = BidsPaths::resolve(p)?;
            if !b.events_tsv().is_file() {
                return Err(Error::Unsupported(format!(
                    "{}: no annotations ({} is missing)",
                    p.display(),
                    b.events_tsv().display()
                )));
            }
            out.push(b);
        }
    }
    out.sort_by(|a, b| (&a.dir, &a.stem).cmp(&(&b.dir, &b.stem)));
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<BidsPaths>) -> Result<()> {
    for path in crate::files::walk(dir, &mut std::collections::HashSet::new())? {
        if let Some(b) = BidsPaths::from_file_name(&path) {
            let is_data = path
                .file_name()
                .is_some_and(|n| crate::bids::is_physio_data(&n.to_string_lossy()));
            if is_data && b.events_tsv().is_file() && !out.contains(&b) {
                out.push(b);
            }
        }
    }
    Ok(())
}

/// The reference strokes of a recording, in seconds from its first sample: the `_events.tsv`
/// rows whose `trial_type` is `stroke` (or not given), shifted by the sidecar's `StartTime`
/// (BIDS event onsets count from the start of acquisition).
pub fn read_reference(paths: &BidsPaths) -> Result<Vec<ScoredEvent>> {
    let start = PhysioSidecar::read(&paths.physio_json())?.start_time_s;
    let rows = read_events(&paths.events_tsv())?;
    Ok(rows
        .iter()
        .filter(|r| r.trial_type.is_empty() || r.trial_type == STROKE_TRIAL_TYPE)
        .map(|r| {
            let mut e = ScoredEvent::from(r);
            e.onset_s -= start;
            e.offset_s -= start;
            e
        })
        .collect())
}

#[derive(Deserialize)]
struct PredictionFile {
    strokes: Vec<PredictedStroke>,
    /// The clock the times are on starts here (`mldsense analyze` writes the BIDS StartTime);
    /// absent: seconds from the first sample.
    #[serde(default)]
    start_time_s: f64,
}

#[derive(Deserialize)]
struct PredictedStroke {
    onset_s: f64,
    offset_s: f64,
    #[serde(default, alias = "peak")]
    peak_mmhg: Option<f64>,
    #[serde(default)]
    grade: Option<String>,
}

/// Another tool's strokes, from a file in the `mldsense analyze --format json` shape:
/// `{"start_time_s", "strokes": [{"onset_s", "offset_s", "peak_mmhg", "grade"}, …]}` (seconds
/// on a clock whose first sample is at `start_time_s`, 0 when absent; `peak_mmhg` and `grade`
/// optional; other keys ignored).
pub fn read_predictions(path: &Path) -> Result<Vec<ScoredEvent>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let file: PredictionFile = serde_json::from_str(&text).map_err(|e| {
        Error::parse(
            path,
            e.line() as u64,
            format!("column {}: not analyze-style JSON: {e}", e.column()),
        )
    })?;
    let t0 = file.start_time_s;
    Ok(file
        .strokes
        .into_iter()
        .map(|s| ScoredEvent {
            onset_s: s.onset_s - t0,
            offset_s: s.offset_s - t0,
            peak: s.peak_mmhg.map(Mmhg),
            grade: s.grade.as_deref().and_then(parse_grade),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_accept_the_analyze_shape() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        std::fs::write(
            &p,
            r#"{"source": "x", "strokes": [{"onset_s": 1, "offset_s": 1.5, "peak_mmhg": 33, "grade": "in_window", "flags": []},
               {"onset_s": 2, "offset_s": 2.5}]}"#,
        )
        .unwrap();
        let s = read_predictions(&p).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].peak, Some(Mmhg(33.0)));
        assert_eq!(s[1].peak, None);
        std::fs::write(&p, "{\"strokes\": [\n{\"onset_s\": \"x\"}]}").unwrap();
        let e = read_predictions(&p).unwrap_err().to_string();
        assert!(e.contains("s.json:2:"), "{e}");
    }
}
