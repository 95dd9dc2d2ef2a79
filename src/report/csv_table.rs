//! The CSV report: a header and one row per stroke, for spreadsheets and statistics.

use super::{csv_err, write_err};
use crate::error::Result;
use crate::grade::GradedSession;
use crate::session::Session;
use serde::Serialize;
use std::io::Write;

/// One CSV row. Column names are the field names; flags are joined with `;`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrokeRow {
    /// Position in the session, from 0.
    pub index: usize,
    /// Onset, seconds.
    pub onset_s: f64,
    /// Offset, seconds.
    pub offset_s: f64,
    /// Time of the peak, seconds.
    pub peak_s: f64,
    /// Peak, mmHg.
    pub peak_mmhg: f64,
    /// `too_light`, `in_window` or `too_hard`.
    pub grade: &'static str,
    /// Stroke score, 0–100.
    pub score: f64,
    /// Flags joined with `;` (empty when none).
    pub flags: String,
    /// Pressure penalty.
    pub penalty_pressure: f64,
    /// Danger penalty.
    pub penalty_danger: f64,
    /// Release penalty.
    pub penalty_release: f64,
    /// Rhythm penalty.
    pub penalty_rhythm: f64,
    /// Finger-balance penalty.
    pub penalty_fingers: f64,
    /// Smoothness penalty.
    pub penalty_smoothness: f64,
    /// How far the release stayed above rest, mmHg.
    pub release_above_rest_mmhg: f64,
    /// Seconds since the previous stroke's onset (empty for the first).
    pub interval_s: Option<f64>,
    /// `true` when the peak is within the sensor error of a window edge.
    pub near_edge: bool,
    /// Seconds from onset to peak.
    pub time_to_peak_s: f64,
    /// Mean rate of rise to the peak, mmHg per second.
    pub rise_rate_mmhg_per_s: f64,
}

/// Rounds to 3 decimals so rows stay readable and stable across platforms.
fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The rows of a graded session.
pub fn rows(session: &Session, graded: &GradedSession) -> Vec<StrokeRow> {
    // Times on the recording's clock (BIDS `StartTime` + row / rate; 0 for `.mld`).
    let t0 = session.info.start_time_s;
    graded
        .strokes
        .iter()
        .filter_map(|g| {
            let s = session.strokes.get(g.index)?;
            Some(StrokeRow {
                index: g.index,
                onset_s: r3(s.onset_s + t0),
                offset_s: r3(s.offset_s + t0),
                peak_s: r3(s.peak_s + t0),
                peak_mmhg: r3(s.peak.0),
                grade: g.grade.as_str(),
                score: r3(g.score),
                flags: g
                    .flags
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                penalty_pressure: r3(g.penalties.pressure),
                penalty_danger: r3(g.penalties.danger),
                penalty_release: r3(g.penalties.release),
                penalty_rhythm: r3(g.penalties.rhythm),
                penalty_fingers: r3(g.penalties.fingers),
                penalty_smoothness: r3(g.penalties.smoothness),
                release_above_rest_mmhg: r3(g.release_above_rest.0),
                interval_s: g.interval_s.map(r3),
                near_edge: g.near_edge,
                time_to_peak_s: r3(g.time_to_peak_s),
                rise_rate_mmhg_per_s: r3(g.rise_rate_mmhg_per_s),
            })
        })
        .collect()
}

/// Writes the header and one row per stroke. A session without strokes still gets its header.
pub fn write(session: &Session, graded: &GradedSession, out: &mut dyn Write) -> Result<()> {
    let rows = rows(session, graded);
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut *out);
    w.write_record(HEADER).map_err(csv_err)?;
    for row in &rows {
        w.serialize(row).map_err(csv_err)?;
    }
    w.flush().map_err(write_err)
}

/// The CSV header, in column order (what [`StrokeRow`] serialises to).
pub const HEADER: [&str; 19] = [
    "index",
    "onset_s",
    "offset_s",
    "peak_s",
    "peak_mmhg",
    "grade",
    "score",
    "flags",
    "penalty_pressure",
    "penalty_danger",
    "penalty_release",
    "penalty_rhythm",
    "penalty_fingers",
    "penalty_smoothness",
    "release_above_rest_mmhg",
    "interval_s",
    "near_edge",
    "time_to_peak_s",
    "rise_rate_mmhg_per_s",
];
