//! The session score and its sub-scores, from the graded strokes. The formula is published in
//! `docs/SCORING.md`, whose worked example `tests/scoring_doc.rs` recomputes.

use super::stroke::{weights, Flag, Grade, GradedStroke};
use serde::{Deserialize, Serialize};

/// How many strokes got each grade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeCounts {
    /// Peaks below the window.
    pub too_light: usize,
    /// Peaks in the window.
    pub in_window: usize,
    /// Peaks above the window.
    pub too_hard: usize,
}

impl GradeCounts {
    /// The count for one grade.
    pub fn get(&self, g: Grade) -> usize {
        match g {
            Grade::TooLight => self.too_light,
            Grade::InWindow => self.in_window,
            Grade::TooHard => self.too_hard,
        }
    }
}

/// The rhythm over the session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RhythmSummary {
    /// Median time between stroke onsets (pauses excluded), seconds.
    pub median_interval_s: Option<f64>,
    /// `60 / median_interval_s`.
    pub strokes_per_min: Option<f64>,
    /// Strokes flagged rushed.
    pub rushed: usize,
    /// Strokes flagged dragging.
    pub dragging: usize,
}

/// The session's numbers: what the score card shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionScore {
    /// Mean stroke score, 0–100 (0 when there are no strokes).
    pub score: f64,
    /// 100 − mean(pressure + danger penalty).
    pub pressure: f64,
    /// 100 − mean(release penalty) × 100 / the release maximum.
    pub release: f64,
    /// 100 − mean(rhythm penalty) × 100 / the rhythm maximum, over strokes with an interval.
    pub rhythm: f64,
    /// Number of strokes.
    pub strokes: usize,
    /// Strokes per grade.
    pub counts: GradeCounts,
    /// Share of strokes in the window, percent.
    pub percent_in_window: f64,
    /// Strokes at or above the danger level.
    pub danger: usize,
    /// Strokes with an incomplete release.
    pub incomplete_release: usize,
    /// Share of the working phase (pooled over strokes) with the envelope in the window, percent.
    pub percent_time_in_window: f64,
    /// Rhythm figures.
    pub rhythm_summary: RhythmSummary,
}

fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Scores a session from its graded strokes; `pause_s` separates intervals from pauses.
pub fn score_session(strokes: &[GradedStroke], pause_s: f64) -> SessionScore {
    let n = strokes.len();
    let mut counts = GradeCounts::default();
    for s in strokes {
        match s.grade {
            Grade::TooLight => counts.too_light += 1,
            Grade::InWindow => counts.in_window += 1,
            Grade::TooHard => counts.too_hard += 1,
        }
    }
    let has = |f: Flag| strokes.iter().filter(|s| s.flags.contains(&f)).count();
    let score = mean(strokes.iter().map(|s| s.score)).unwrap_or(0.0);
    let pressure = mean(
        strokes
            .iter()
            .map(|s| 100.0 - s.penalties.pressure - s.penalties.danger),
    )
    .unwrap_or(0.0);
    let release = mean(
        strokes
            .iter()
            .map(|s| 100.0 - s.penalties.release * 100.0 / weights::RELEASE_MAX),
    )
    .unwrap_or(0.0);
    let timed: Vec<&GradedStroke> = strokes
        .iter()
        .filter(|s| s.interval_s.is_some_and(|d| d < pause_s))
        .collect();
    let rhythm = mean(
        timed
            .iter()
            .map(|s| 100.0 - s.penalties.rhythm * 100.0 / weights::RHYTHM_MAX),
    )
    // One stroke has no rhythm to judge: not a fault.
    .unwrap_or(if n > 0 { 100.0 } else { 0.0 });
    let mut intervals: Vec<f64> = timed.iter().filter_map(|s| s.interval_s).collect();
    intervals.sort_by(f64::total_cmp);
    let median_interval_s = match intervals.len() {
        0 => None,
        k if k % 2 == 1 => intervals.get(k / 2).copied(),
        k => Some((intervals[k / 2 - 1] + intervals[k / 2]) / 2.0),
    };
    let working: f64 = strokes.iter().map(|s| s.working_s).sum();
    let inside: f64 = strokes.iter().map(|s| s.in_window_s).sum();
    SessionScore {
        score,
        pressure,
        release,
        rhythm,
        strokes: n,
        counts,
        percent_in_window: if n > 0 {
            100.0 * counts.in_window as f64 / n as f64
        } else {
            0.0
        },
        danger: has(Flag::Danger),
        incomplete_release: has(Flag::IncompleteRelease),
        percent_time_in_window: if working > 0.0 {
            100.0 * inside / working
        } else {
            0.0
        },
        rhythm_summary: RhythmSummary {
            median_interval_s,
            strokes_per_min: median_interval_s.filter(|&d| d > 0.0).map(|d| 60.0 / d),
            rushed: has(Flag::Rushed),
            dragging: has(Flag::Dragging),
        },
    }
}
