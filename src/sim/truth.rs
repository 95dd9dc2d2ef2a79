//! Ground truth of a simulated session: every stroke the virtual hand made, with its exact
//! onset, offset, peak and intended grade, so detectors and graders can be scored against it.
//!
//! # Definitions (the contract the detector and benchmark rely on)
//!
//! * **onset** — the instant the noise-free working-phase curve of the highest fingertip leaves
//!   the level it rises from (the resting level, or the ledge of the previous incomplete release).
//! * **offset** — the instant the noise-free working-phase curve, falling after the peak, reaches
//!   its end level: the level it rose from after a complete release, the ledge after an
//!   incomplete one (the level the next stroke then rises from). The rest of the resting phase
//!   is not part of the stroke.
//! * **peak** — the highest true (noise-free, before the sensor model) pressure of any fingertip
//!   during the working phase; **peak time** — when it is first reached.
//! * **grade** — against the `default` profile's window (`profiles/default.toml`, 30–40 mmHg),
//!   by the grader's own rule (`grade::Profile::grade_of`): edges belong to the window.
//!
//! Rise and fall are raised-cosine segments ([`crate::sim::shape`]), so both ends have zero slope:
//! a detector with a threshold a few mmHg above the start level finds the onset some tens of
//! milliseconds after the true one. Strokes that would end after the end of the stream are left
//! out of the truth and of the stream.

use crate::bids::tsv::Table;
use crate::error::{Error, Result};
use crate::units::Mmhg;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The `default` profile, parsed once: what the truth's grades are against.
fn default_profile() -> &'static crate::grade::Profile {
    static PROFILE: std::sync::OnceLock<crate::grade::Profile> = std::sync::OnceLock::new();
    PROFILE.get_or_init(crate::grade::Profile::default_profile)
}

/// Where a stroke's peak lies against the `default` profile's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntendedGrade {
    /// Below 30 mmHg.
    TooLight,
    /// 30–40 mmHg inclusive.
    InWindow,
    /// Above 40 mmHg.
    TooHard,
}

impl IntendedGrade {
    /// The grade of a true peak: the grader's rule against the `default` profile.
    pub fn of(peak: Mmhg) -> Self {
        match default_profile().grade_of(peak) {
            crate::grade::Grade::TooLight => IntendedGrade::TooLight,
            crate::grade::Grade::InWindow => IntendedGrade::InWindow,
            crate::grade::Grade::TooHard => IntendedGrade::TooHard,
        }
    }

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            IntendedGrade::TooLight => "too_light",
            IntendedGrade::InWindow => "in_window",
            IntendedGrade::TooHard => "too_hard",
        }
    }
}

/// One stroke the virtual hand made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TruthStroke {
    /// Onset, seconds from the first row (see the module docs).
    pub onset_s: f64,
    /// Offset, seconds from the first row (see the module docs).
    pub offset_s: f64,
    /// When the peak is first reached, seconds from the first row.
    pub peak_s: f64,
    /// The highest fingertip's true peak.
    pub peak: Mmhg,
    /// Each fingertip's true peak, in channel order.
    pub channel_peaks: Vec<Mmhg>,
    /// The level the stroke rose from.
    pub start_level: Mmhg,
    /// The level the stroke fell to (a ledge when the release was incomplete).
    pub end_level: Mmhg,
    /// The resting level of the spot.
    pub rest_level: Mmhg,
    /// The stroke's grade against the `default` profile's window.
    pub grade: IntendedGrade,
    /// Which spot (0-based) the hand was on.
    pub spot: u32,
    /// Whether the release after this stroke stopped on a ledge.
    pub incomplete_release: bool,
    /// Whether the top had a shallow double hump.
    pub double_hump: bool,
}

impl TruthStroke {
    /// Length of the working phase, seconds.
    pub fn duration_s(&self) -> f64 {
        self.offset_s - self.onset_s
    }
}

/// The header of the truth TSV, BIDS `_events.tsv` style (`onset`, `duration` first).
pub const TSV_HEADER: &str = "onset\tduration\ttrial_type\tpeak_time\tpeak_mmhg\tgrade\tstart_level_mmhg\tend_level_mmhg\trest_level_mmhg\tspot\tincomplete_release\tdouble_hump\tchannel_peaks_mmhg";

/// Writes the truth as a BIDS-`_events.tsv`-like table (one stroke a row, `trial_type` =
/// `stroke`, times in seconds, pressures in mmHg; channel peaks comma-separated).
pub fn write_tsv<W: Write>(out: &mut W, strokes: &[TruthStroke]) -> std::io::Result<()> {
    writeln!(out, "{TSV_HEADER}")?;
    for s in strokes {
        let peaks: Vec<String> = s
            .channel_peaks
            .iter()
            .map(|p| format!("{:.3}", p.0))
            .collect();
        writeln!(
            out,
            "{:.4}\t{:.4}\tstroke\t{:.4}\t{:.3}\t{}\t{:.3}\t{:.3}\t{:.3}\t{}\t{}\t{}\t{}",
            s.onset_s,
            s.duration_s(),
            s.peak_s,
            s.peak.0,
            s.grade.name(),
            s.start_level.0,
            s.end_level.0,
            s.rest_level.0,
            s.spot,
            s.incomplete_release,
            s.double_hump,
            peaks.join(",")
        )?;
    }
    Ok(())
}

/// Writes the truth TSV to `path`.
pub fn save_tsv(path: &Path, strokes: &[TruthStroke]) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    write_tsv(&mut out, strokes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::io(path, e))
}

/// Reads a truth TSV written by [`write_tsv`] (the columns this module writes, by name).
pub fn load_tsv(path: &Path) -> Result<Vec<TruthStroke>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_tsv(&text, path)
}

/// Parses a truth TSV; `path` is only used in error messages.
pub fn parse_tsv(text: &str, path: &Path) -> Result<Vec<TruthStroke>> {
    let Some(table) = Table::parse(path, text)? else {
        return Err(Error::parse(path, 1, "empty file, expected a header row"));
    };
    let col = |name: &str| -> Result<usize> {
        table
            .header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| Error::parse(path, 1, format!("missing column {name:?}")))
    };
    let c = [
        col("onset")?,
        col("duration")?,
        col("peak_time")?,
        col("peak_mmhg")?,
        col("start_level_mmhg")?,
        col("end_level_mmhg")?,
        col("rest_level_mmhg")?,
        col("spot")?,
        col("incomplete_release")?,
        col("double_hump")?,
        col("channel_peaks_mmhg")?,
    ];
    let mut out = Vec::new();
    for row in &table.rows {
        let line_no = row.line;
        let field = |k: usize| -> Result<&str> {
            row.get(k).ok_or_else(|| {
                Error::parse(path, line_no, format!("only {} fields", row.fields.len()))
            })
        };
        let num = |k: usize| -> Result<f64> {
            let f = field(k)?;
            f.trim()
                .parse::<f64>()
                .map_err(|_| Error::parse(path, line_no, format!("not a number: {f:?}")))
        };
        let flag = |k: usize| -> Result<bool> {
            let f = field(k)?;
            f.trim()
                .parse::<bool>()
                .map_err(|_| Error::parse(path, line_no, format!("not true/false: {f:?}")))
        };
        let onset = num(c[0])?;
        let peak = Mmhg(num(c[3])?);
        let spot = num(c[7])?;
        let channel_peaks = field(c[10])?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.trim()
                    .parse::<f64>()
                    .map(Mmhg)
                    .map_err(|_| Error::parse(path, line_no, format!("not a number: {s:?}")))
            })
            .collect::<Result<Vec<_>>>()?;
        out.push(TruthStroke {
            onset_s: onset,
            offset_s: onset + num(c[1])?,
            peak_s: num(c[2])?,
            peak,
            channel_peaks,
            start_level: Mmhg(num(c[4])?),
            end_level: Mmhg(num(c[5])?),
            rest_level: Mmhg(num(c[6])?),
            grade: IntendedGrade::of(peak),
            spot: spot as u32,
            incomplete_release: flag(c[8])?,
            double_hump: flag(c[9])?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_edges_are_inclusive() {
        assert_eq!(IntendedGrade::of(Mmhg(29.99)), IntendedGrade::TooLight);
        assert_eq!(IntendedGrade::of(Mmhg(30.0)), IntendedGrade::InWindow);
        assert_eq!(IntendedGrade::of(Mmhg(40.0)), IntendedGrade::InWindow);
        assert_eq!(IntendedGrade::of(Mmhg(40.01)), IntendedGrade::TooHard);
    }

    #[test]
    fn tsv_round_trip() {
        let s = TruthStroke {
            onset_s: 1.25,
            offset_s: 1.8,
            peak_s: 1.5,
            peak: Mmhg(35.125),
            channel_peaks: vec![Mmhg(35.125), Mmhg(20.5)],
            start_level: Mmhg(2.0),
            end_level: Mmhg(9.5),
            rest_level: Mmhg(2.0),
            grade: IntendedGrade::InWindow,
            spot: 3,
            incomplete_release: true,
            double_hump: false,
        };
        let mut buf = Vec::new();
        write_tsv(&mut buf, std::slice::from_ref(&s)).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let back = parse_tsv(&text, Path::new("t.tsv")).unwrap();
        assert_eq!(back.len(), 1);
        assert!((back[0].offset_s - s.offset_s).abs() < 1e-4);
        assert_eq!(back[0].peak, s.peak);
        assert_eq!(back[0].channel_peaks, s.channel_peaks);
        assert_eq!(back[0].spot, 3);
        assert!(back[0].incomplete_release);
    }

    proptest::proptest! {
        #[test]
        fn tsv_round_trips_any_stroke(
            onset in 0.0f64..1.0e4,
            duration in 0.01f64..5.0,
            peak in 0.0f64..500.0,
            levels in proptest::collection::vec(0.0f64..50.0, 3),
            peaks in proptest::collection::vec(0.0f64..500.0, 1..16),
            spot in 0u32..10_000,
            flags in (proptest::bool::ANY, proptest::bool::ANY),
        ) {
            let s = TruthStroke {
                onset_s: onset,
                offset_s: onset + duration,
                peak_s: onset + duration / 2.0,
                peak: Mmhg(peak),
                channel_peaks: peaks.iter().copied().map(Mmhg).collect(),
                start_level: Mmhg(levels[0]),
                end_level: Mmhg(levels[1]),
                rest_level: Mmhg(levels[2]),
                grade: IntendedGrade::of(Mmhg(peak)),
                spot,
                incomplete_release: flags.0,
                double_hump: flags.1,
            };
            let mut buf = Vec::new();
            write_tsv(&mut buf, std::slice::from_ref(&s)).unwrap();
            let back = parse_tsv(&String::from_utf8(buf).unwrap(), Path::new("p.tsv")).unwrap();
            proptest::prop_assert_eq!(back.len(), 1);
            let b = &back[0];
            // Written with 4 decimals for times (s) and 3 for pressures (mmHg).
            proptest::prop_assert!((b.onset_s - s.onset_s).abs() <= 5e-5 + 1e-9);
            proptest::prop_assert!((b.offset_s - s.offset_s).abs() <= 1e-4 + 1e-9);
            proptest::prop_assert!((b.peak.0 - s.peak.0).abs() <= 5e-4 + 1e-9);
            proptest::prop_assert_eq!(b.channel_peaks.len(), s.channel_peaks.len());
            proptest::prop_assert_eq!(b.spot, s.spot);
            proptest::prop_assert_eq!((b.incomplete_release, b.double_hump), flags);
            proptest::prop_assert_eq!(b.grade, IntendedGrade::of(b.peak));
        }
    }

    #[test]
    fn bad_number_names_the_line() {
        let text =
            format!("{TSV_HEADER}\nx\t0.5\tstroke\t1\t2\tin_window\t0\t0\t0\t0\tfalse\tfalse\t1\n");
        let err = parse_tsv(&text, Path::new("t.tsv"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.tsv:2"), "{err}");
    }
}
