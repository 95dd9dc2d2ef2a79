//! The session score and its sub-scores, from the graded strokes. The formula is published in
//! `docs/SCORING.md`, whose worked example `tests/scoring_doc.rs` recomputes.

use super::profile::Profile;
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

/// Time spent pressing harder than the window and at the danger level, for the session or one
/// fingertip: how long vessels were pressed too hard matters (Eliska & Eliskova 1995: damage
/// after 3–5 minutes at 70–100 mmHg in oedema), not only how many strokes were.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Fingertip name, or `None` for the session (any fingertip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finger: Option<String>,
    /// Seconds above the window's top.
    pub above_window_s: f64,
    /// Seconds at or above the danger level.
    pub above_danger_s: f64,
    /// Working time, seconds: time any fingertip pressed (above the release margin).
    pub working_s: f64,
    /// `above_window_s / working_s`, percent (0 without working time).
    pub above_window_percent: f64,
    /// `above_danger_s / working_s`, percent (0 without working time).
    pub above_danger_percent: f64,
}

/// The session's numbers: what the score card shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionScore {
    /// Weighted mean stroke score, 0–100 (0 when there are no strokes): a stroke at the danger
    /// level counts `weights::DANGER_WEIGHT` times.
    pub score: f64,
    /// The profile's pass mark the score is read against.
    #[serde(default)]
    pub pass_mark: f64,
    /// Whether the session passed: at least one stroke, score at or above the pass mark and no
    /// stroke at the danger level. Use [`SessionScore::passed`].
    #[serde(default)]
    pub passed: bool,
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
    /// Stroke-to-stroke consistency: coefficient of variation of the peaks (standard deviation
    /// over mean, sample SD), as a fraction; `None` with fewer than two measured peaks.
    #[serde(default)]
    pub peak_cv: Option<f64>,
    /// Mean time from onset to peak, seconds (`None` without strokes).
    #[serde(default)]
    pub mean_time_to_peak_s: Option<f64>,
    /// Mean rate of rise, mmHg per second (`None` without strokes).
    #[serde(default)]
    pub mean_rise_rate_mmhg_per_s: Option<f64>,
    /// Strokes whose peak is within the measurement's uncertainty of a window edge.
    #[serde(default)]
    pub near_edge: usize,
    /// Time above the window and at danger, for the session (any fingertip).
    #[serde(default)]
    pub exposure: Exposure,
    /// The same per fingertip, in channel order.
    #[serde(default)]
    pub finger_exposure: Vec<Exposure>,
}

impl SessionScore {
    /// Whether the session passed (see the field [`SessionScore::passed`]): the one pass rule,
    /// for every view and the class summary.
    pub fn passed(&self) -> bool {
        self.passed
    }

    /// `PASS` or `FAIL`, for people.
    pub fn verdict_label(&self) -> &'static str {
        if self.passed {
            "PASS"
        } else {
            "FAIL"
        }
    }

    /// Why the session did not pass, for people (`None` when it passed).
    pub fn fail_reason(&self) -> Option<String> {
        if self.passed {
            None
        } else if self.strokes == 0 {
            Some("no strokes".into())
        } else if self.danger > 0 {
            Some(format!(
                "{} stroke{} at the danger level",
                self.danger,
                if self.danger == 1 { "" } else { "s" }
            ))
        } else {
            Some(format!(
                "score below the pass mark of {:.0}",
                self.pass_mark
            ))
        }
    }
}

/// The one pass rule: a score at or above the pass mark, with strokes and none at danger.
pub fn passes(score: f64, strokes: usize, danger: usize, pass_mark: f64) -> bool {
    strokes > 0 && danger == 0 && score >= pass_mark
}

/// The session score: the mean of the stroke scores, each stroke at the danger level counting
/// [`weights::DANGER_WEIGHT`] times. Shared by the report and the live view's running score.
pub fn weighted_score(strokes: &[GradedStroke]) -> f64 {
    let (sum, w) = strokes.iter().fold((0.0, 0.0), |(sum, w), s| {
        let k = if s.flags.contains(&Flag::Danger) {
            weights::DANGER_WEIGHT
        } else {
            1.0
        };
        (sum + k * s.score, w + k)
    });
    if w > 0.0 {
        sum / w
    } else {
        0.0
    }
}

/// Coefficient of variation (sample SD / mean) of the finite values; `None` with fewer than two
/// or a mean that is not positive.
pub fn coefficient_of_variation(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return None;
    }
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    if m <= 0.0 {
        return None;
    }
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    Some(var.sqrt() / m)
}

fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Scores a session from its graded strokes against `profile` (pause length, pass mark).
/// Exposure needs the pressure trace and is filled in by [`super::grade_session_with`].
pub fn score_session(strokes: &[GradedStroke], profile: &Profile) -> SessionScore {
    let pause_s = profile.rhythm.pause_s;
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
    let score = weighted_score(strokes);
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
    let danger = has(Flag::Danger);
    SessionScore {
        score,
        pass_mark: profile.score.pass_mark,
        passed: passes(score, n, danger, profile.score.pass_mark),
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
        danger,
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
        peak_cv: coefficient_of_variation(strokes.iter().map(|s| s.peak.0)),
        mean_time_to_peak_s: mean(strokes.iter().map(|s| s.time_to_peak_s)),
        mean_rise_rate_mmhg_per_s: mean(strokes.iter().map(|s| s.rise_rate_mmhg_per_s)),
        near_edge: strokes.iter().filter(|s| s.near_edge).count(),
        exposure: Exposure::default(),
        finger_exposure: Vec::new(),
    }
}
