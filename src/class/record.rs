//! [`SessionRecord`]: what the class view and progress need from one graded session, small
//! enough that a class of hundreds of sessions is kept without keeping their traces.

use super::identity::session_date;
use super::outcome::outcome;
use crate::grade::GradedSession;
use crate::session::Session;
use serde::{Deserialize, Serialize};

/// One session as the class view and progress show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The trainee's name, or empty when the input does not say.
    pub trainee: String,
    /// The session's date, `YYYY-MM-DD`, if known.
    pub date: Option<String>,
    /// When it started, as the input said (RFC 3339 or a date), if known.
    pub started: Option<String>,
    /// Where it came from, relative to the class folder, `/`-separated.
    pub source: String,
    /// Its own report, relative to the class view's file, if one was written.
    pub report: Option<String>,
    /// Number of strokes.
    pub strokes: usize,
    /// Share of strokes with their peak in the window, percent.
    pub percent_in_window: f64,
    /// Share of the working phase in the window, percent.
    pub percent_time_in_window: f64,
    /// Session score 0–100, rounded DOWN to 0.1 so its whole points are the ones every report
    /// shows (a 99.96 is 99 everywhere, never 100 here and 99 there).
    pub score: f64,
    /// Pressure sub-score.
    pub pressure: f64,
    /// Release sub-score.
    pub release: f64,
    /// Rhythm sub-score.
    pub rhythm: f64,
    /// Strokes a minute (median interval), if measurable.
    pub strokes_per_min: Option<f64>,
    /// Strokes at or above the danger level.
    pub danger: usize,
    /// Whether the session passed (`class::outcome`).
    pub passed: bool,
    /// Seconds with the envelope above the window.
    pub above_window_s: f64,
    /// Seconds with the envelope at or above the danger level.
    pub danger_s: f64,
    /// Coefficient of variation of the peaks, percent (lower is steadier).
    pub peak_cv_percent: Option<f64>,
    /// The most important coaching point.
    pub top_coaching: String,
}

/// Rounds down to 0.1 (see [`SessionRecord::score`]).
pub fn floor1(v: f64) -> f64 {
    if v.is_finite() {
        (v * 10.0).floor() / 10.0
    } else {
        0.0
    }
}

fn r1(v: f64) -> f64 {
    if v.is_finite() {
        (v * 10.0).round() / 10.0
    } else {
        0.0
    }
}

impl SessionRecord {
    /// The record of `graded` (graded from `session`) found at `source`.
    pub fn new(session: &Session, graded: &GradedSession, source: String) -> Self {
        let s = &graded.summary;
        let o = outcome(session, graded);
        SessionRecord {
            trainee: session.meta.trainee.clone().unwrap_or_default(),
            date: session_date(session.meta.started.as_deref()),
            started: session.meta.started.clone(),
            source,
            report: None,
            strokes: s.strokes,
            percent_in_window: r1(s.percent_in_window),
            percent_time_in_window: r1(s.percent_time_in_window),
            score: floor1(s.score),
            pressure: r1(s.pressure),
            release: r1(s.release),
            rhythm: r1(s.rhythm),
            strokes_per_min: s.rhythm_summary.strokes_per_min.map(r1),
            danger: s.danger,
            passed: o.passed,
            above_window_s: r1(o.above_window_s),
            danger_s: r1(o.danger_s),
            peak_cv_percent: o.peak_cv_percent.map(r1),
            top_coaching: graded
                .coaching
                .first()
                .map(|c| c.message.clone())
                .unwrap_or_default(),
        }
    }

    /// The name shown for the trainee: the name, or `(no name)`.
    pub fn who(&self) -> &str {
        if self.trainee.is_empty() {
            "(no name)"
        } else {
            &self.trainee
        }
    }
}
