//! The JSON report, schema `mldsense.report/1` (documented in `docs/REPORT_SCHEMA.md`).
//!
//! Contract kept at the top level: `{"strokes": [{"onset_s", "offset_s", "peak_mmhg", "grade",
//! …}]}`. New fields may be added within a schema version; renaming or removing one bumps it.

use super::{json_err, write_err};
use crate::error::Result;
use crate::grade::{Certainty, Coaching, Flag, Grade, GradedSession, Penalties, SessionScore};
use crate::session::{QualityWarning, Session, SessionMeta};
use serde::{Deserialize, Serialize};
use std::io::Write;

/// The schema name and version written in every JSON report.
pub const SCHEMA: &str = "mldsense.report/1";

/// One stroke in the JSON report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrokeJson {
    /// Position in the session, from 0.
    pub index: usize,
    /// Onset, seconds on the recording's clock ([`ReportJson::start_time_s`] + row / rate).
    pub onset_s: f64,
    /// Offset, seconds on the recording's clock.
    pub offset_s: f64,
    /// Time of the peak, seconds on the recording's clock.
    pub peak_s: f64,
    /// Peak over all fingertips, mmHg.
    pub peak_mmhg: f64,
    /// `too_light`, `in_window` or `too_hard`.
    pub grade: Grade,
    /// Stroke score, 0–100.
    pub score: f64,
    /// Flags such as `danger`, `incomplete_release`, `rushed`.
    pub flags: Vec<Flag>,
    /// Points off by cause; they add up to `100 − score`.
    pub penalties: Penalties,
    /// Each fingertip's peak, mmHg, in channel order (`null` where unknown).
    pub channel_peaks_mmhg: Vec<Option<f64>>,
    /// How far the release stayed above the resting level, mmHg.
    pub release_above_rest_mmhg: f64,
    /// Seconds since the previous stroke's onset, if any.
    pub interval_s: Option<f64>,
    /// Seconds of working phase spent in the window.
    pub in_window_s: f64,
    /// Seconds of working phase.
    pub working_s: f64,
    /// Whether the peak lies within the sensor error of a window edge.
    pub near_edge: bool,
    /// Seconds from onset to peak.
    pub time_to_peak_s: f64,
    /// Mean rate of rise to the peak, mmHg per second.
    pub rise_rate_mmhg_per_s: f64,
}

/// The profile as reported: the numbers graded against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileJson {
    /// Profile name.
    pub name: String,
    /// Window bottom, mmHg.
    pub window_lo_mmhg: f64,
    /// Window top, mmHg.
    pub window_hi_mmhg: f64,
    /// Danger level, mmHg.
    pub danger_mmhg: f64,
    /// Target interval between strokes, seconds.
    pub rhythm_period_s: f64,
    /// Allowed deviation from it, seconds.
    pub rhythm_tolerance_s: f64,
}

/// The whole JSON report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportJson {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Who, where from.
    pub meta: SessionMeta,
    /// Length of the session, seconds.
    pub duration_s: f64,
    /// Time of the first sample on the recording's clock, seconds: a BIDS recording's
    /// `StartTime` (the clock its `_events.tsv` uses), 0 for `.mld` recordings. Every stroke
    /// time in the report is on this clock.
    #[serde(default)]
    pub start_time_s: f64,
    /// Sensor drift removed and resting contact kept, measured apart.
    #[serde(default)]
    pub levels: crate::session::Levels,
    /// Channel names, in column order.
    pub channels: Vec<String>,
    /// What was graded against.
    pub profile: ProfileJson,
    /// The score card.
    pub summary: SessionScore,
    /// How sure the grades are: `kind` (`default_curve` or `calibrated`) and its error.
    pub certainty: Certainty,
    /// The same as one sentence for people.
    pub certainty_note: String,
    /// Coaching points, most important first.
    pub coaching: Vec<Coaching>,
    /// Data-quality warnings.
    pub quality: Vec<QualityWarning>,
    /// One entry per stroke, in time order.
    pub strokes: Vec<StrokeJson>,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// JSON has no NaN: non-finite numbers become 0 where a number is required.
fn num(v: f64) -> f64 {
    finite(v).unwrap_or(0.0)
}

/// Builds the report value (also used by tests and other formats).
pub fn build(session: &Session, graded: &GradedSession) -> ReportJson {
    let p = &graded.profile;
    let t0 = num(session.info.start_time_s);
    let strokes = graded
        .strokes
        .iter()
        .filter_map(|g| {
            let s = session.strokes.get(g.index)?;
            Some(StrokeJson {
                index: g.index,
                onset_s: num(s.onset_s) + t0,
                offset_s: num(s.offset_s) + t0,
                peak_s: num(s.peak_s) + t0,
                peak_mmhg: num(s.peak.0),
                grade: g.grade,
                score: g.score,
                flags: g.flags.clone(),
                penalties: g.penalties,
                channel_peaks_mmhg: s.channel_peaks.iter().map(|c| finite(c.0)).collect(),
                release_above_rest_mmhg: num(g.release_above_rest.0),
                interval_s: g.interval_s.and_then(finite),
                in_window_s: g.in_window_s,
                working_s: g.working_s,
                near_edge: g.near_edge,
                time_to_peak_s: num(g.time_to_peak_s),
                rise_rate_mmhg_per_s: num(g.rise_rate_mmhg_per_s),
            })
        })
        .collect();
    ReportJson {
        schema: SCHEMA.to_string(),
        meta: session.meta.clone(),
        duration_s: num(session.duration_s),
        start_time_s: t0,
        levels: session.levels.clone(),
        channels: session
            .info
            .channels
            .iter()
            .map(|c| c.name.clone())
            .collect(),
        profile: ProfileJson {
            name: p.name.clone(),
            window_lo_mmhg: p.window.lo_mmhg.0,
            window_hi_mmhg: p.window.hi_mmhg.0,
            danger_mmhg: p.danger.mmhg.0,
            rhythm_period_s: p.rhythm.period_s,
            rhythm_tolerance_s: p.rhythm.tolerance_s,
        },
        summary: graded.summary.clone(),
        certainty: graded.certainty.clone(),
        certainty_note: graded.certainty.sentence(p.window_mid()),
        coaching: graded.coaching.clone(),
        quality: crate::grade::fingers::quality_warnings(session),
        strokes,
    }
}

/// Writes the JSON report, pretty-printed, with a final newline.
pub fn write(session: &Session, graded: &GradedSession, out: &mut dyn Write) -> Result<()> {
    let report = build(session, graded);
    serde_json::to_writer_pretty(&mut *out, &report).map_err(json_err)?;
    writeln!(out).map_err(write_err)
}
