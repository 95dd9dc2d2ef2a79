//! `_events.tsv`: one annotated stroke a row (`onset`, `duration`, `trial_type`, `peak_mmhg`,
//! `grade`), the ground truth the benchmark scores against and what `export --events` writes.

use super::tsv::Table;
use crate::error::{Error, Result};
use crate::session::Stroke;
use crate::units::Mmhg;
use std::io::Write;
use std::path::Path;

/// The `trial_type` of a stroke row.
pub const STROKE_TRIAL_TYPE: &str = "stroke";

/// One row of an `_events.tsv`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// Seconds from the first sample of the recording.
    pub onset_s: f64,
    /// Seconds; the offset is `onset_s + duration_s`.
    pub duration_s: f64,
    /// What happened; [`STROKE_TRIAL_TYPE`] for strokes.
    pub trial_type: String,
    /// The stroke's peak pressure, if known.
    pub peak: Option<Mmhg>,
    /// The stroke's grade (`too_light`, `in_window`, `too_hard`), if known.
    pub grade: Option<String>,
}

impl EventRow {
    /// A stroke row.
    pub fn stroke(onset_s: f64, offset_s: f64, peak: Mmhg, grade: Option<&str>) -> Self {
        Self {
            onset_s,
            duration_s: offset_s - onset_s,
            trial_type: STROKE_TRIAL_TYPE.into(),
            peak: Some(peak),
            grade: grade.map(str::to_string),
        }
    }

    /// `onset_s + duration_s`.
    pub fn offset_s(&self) -> f64 {
        self.onset_s + self.duration_s
    }
}

impl From<&Stroke> for EventRow {
    fn from(s: &Stroke) -> Self {
        EventRow::stroke(s.onset_s, s.offset_s, s.peak, None)
    }
}

const HEADER: [&str; 5] = ["onset", "duration", "trial_type", "peak_mmhg", "grade"];

/// Writes `rows` to `path` sorted by onset (as BIDS asks), `n/a` where a value is missing.
pub fn write_events(path: &Path, rows: &[EventRow]) -> Result<()> {
    let mut sorted: Vec<&EventRow> = rows.iter().collect();
    sorted.sort_by(|a, b| a.onset_s.total_cmp(&b.onset_s));
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push_str(&HEADER.join("\t"));
    out.push('\n');
    for r in sorted {
        let peak = r.peak.map_or("n/a".to_string(), |p| format!("{:.3}", p.0));
        let grade = r.grade.as_deref().unwrap_or("n/a");
        let trial_type = if r.trial_type.is_empty() {
            "n/a"
        } else {
            &r.trial_type
        };
        out.push_str(&format!(
            "{:.4}\t{:.4}\t{trial_type}\t{peak}\t{grade}\n",
            r.onset_s, r.duration_s
        ));
    }
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(out.as_bytes()).map_err(|e| Error::io(path, e))
}

/// Reads an `_events.tsv`. `onset` and `duration` are required; `trial_type`, `peak_mmhg` and
/// `grade` are read when present; other columns are ignored.
pub fn read_events(path: &Path) -> Result<Vec<EventRow>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_events(path, &text)
}

/// Parses `_events.tsv` text; `path` is used in errors only.
pub fn parse_events(path: &Path, text: &str) -> Result<Vec<EventRow>> {
    let Some(table) = Table::parse(path, text)? else {
        return Err(Error::parse(path, 1, "empty file: expected a header row"));
    };
    let (onset, duration) = match (table.column("onset"), table.column("duration")) {
        (Some(0), Some(1)) => (0, 1),
        _ => {
            return Err(Error::parse(
                path,
                1,
                "the header must start with `onset` and `duration`",
            ))
        }
    };
    let header = &table.header;
    let (trial_type, peak, grade) = (
        table.column("trial_type"),
        table.column("peak_mmhg"),
        table.column("grade"),
    );
    let mut rows = Vec::new();
    for row in &table.rows {
        let line_no = row.line;
        if row.fields.len() != header.len() {
            return Err(Error::parse(
                path,
                line_no,
                format!(
                    "expected {} columns like the header, found {}",
                    header.len(),
                    row.fields.len()
                ),
            ));
        }
        let num = |col: usize| -> Result<Option<f64>> {
            let raw = row.get(col).map_or("n/a", str::trim);
            if raw == "n/a" {
                return Ok(None);
            }
            raw.parse::<f64>().map(Some).map_err(|_| {
                Error::parse(
                    path,
                    line_no,
                    format!(
                        "column {} (`{}`): `{raw}` is not a number",
                        col + 1,
                        header.get(col).map_or("", String::as_str)
                    ),
                )
            })
        };
        let text_at = |col: Option<usize>| {
            col.and_then(|c| row.get(c))
                .map(str::trim)
                .filter(|s| *s != "n/a" && !s.is_empty())
                .map(str::to_string)
        };
        let onset_s = num(onset)?.ok_or_else(|| {
            Error::parse(path, line_no, "column 1 (`onset`): onset must not be n/a")
        })?;
        rows.push(EventRow {
            onset_s,
            duration_s: num(duration)?.unwrap_or(0.0),
            trial_type: text_at(trial_type).unwrap_or_default(),
            peak: match peak {
                Some(c) => num(c)?.map(Mmhg),
                None => None,
            },
            grade: text_at(grade),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_sorted_with_missing_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x_events.tsv");
        let rows = vec![
            EventRow::stroke(2.0, 2.75, Mmhg(35.5), Some("in_window")),
            EventRow {
                onset_s: 0.5,
                duration_s: 0.75,
                trial_type: "stroke".into(),
                peak: None,
                grade: None,
            },
        ];
        write_events(&path, &rows).unwrap();
        let back = read_events(&path).unwrap();
        assert_eq!(back, vec![rows[1].clone(), rows[0].clone()]);
    }

    #[test]
    fn extra_columns_are_ignored_and_bad_numbers_named() {
        let p = Path::new("e_events.tsv");
        let rows = parse_events(p, "onset\tduration\tnote\tpeak_mmhg\n1.0\t0.5\thi\t33\n").unwrap();
        assert_eq!(rows[0].peak, Some(Mmhg(33.0)));
        assert_eq!(rows[0].trial_type, "");
        let e = parse_events(p, "onset\tduration\n1.0\t0.5\n2.0\tx\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("e_events.tsv:3:") && e.contains("`duration`"),
            "{e}"
        );
        assert!(parse_events(p, "duration\tonset\n").is_err());
    }
}
