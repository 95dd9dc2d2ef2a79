//! Pass or fail, exposure and consistency of one graded session: the ONE place the class view
//! and progress read them, so a change to how the grader defines them lands here only.
//!
//! - **Pass**: the session score reaches [`PASS_MARK`] and no stroke reached the danger level
//!   (a session that once pressed hard enough to damage lymph vessels does not pass, however
//!   good the rest; `docs/SCORING.md`).
//! - **Exposure**: seconds of working phase with the stroke envelope above the window, and at or
//!   above the danger level, summed over strokes (from each stroke's 50 Hz envelope).
//! - **Consistency**: the coefficient of variation of the stroke peaks (standard deviation over
//!   mean, percent): small when every stroke lands at the same pressure.

use crate::detect::Stroke;
use crate::grade::GradedSession;
use crate::session::Session;
use serde::{Deserialize, Serialize};

/// The session score a pass needs, out of 100.
pub const PASS_MARK: f64 = 70.0;

/// Pass or fail and the exposure figures of one session.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Whether the session passed.
    pub passed: bool,
    /// The score a pass needs.
    pub pass_mark: f64,
    /// Seconds with the envelope above the window's top.
    pub above_window_s: f64,
    /// Seconds with the envelope at or above the danger level.
    pub danger_s: f64,
    /// Coefficient of variation of the stroke peaks, percent (`None` under two strokes).
    pub peak_cv_percent: Option<f64>,
}

/// Seconds of `stroke`'s envelope for which `over` holds.
fn envelope_seconds(stroke: &Stroke, over: impl Fn(f64) -> bool) -> f64 {
    let n = stroke
        .envelope
        .iter()
        .filter(|&&v| v.is_finite() && over(f64::from(v)))
        .count();
    n as f64 / Stroke::ENVELOPE_RATE_HZ
}

/// Sample coefficient of variation of `values`, percent.
pub fn cv_percent(values: &[f64]) -> Option<f64> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return None;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return None;
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some(100.0 * var.sqrt() / mean)
}

/// The outcome of `graded` (graded from `session`).
pub fn outcome(session: &Session, graded: &GradedSession) -> Outcome {
    let hi = graded.profile.window.hi_mmhg.0;
    let danger = graded.profile.danger.mmhg.0;
    let above_window_s = session
        .strokes
        .iter()
        .map(|s| envelope_seconds(s, |v| v > hi))
        .sum();
    let danger_s = session
        .strokes
        .iter()
        .map(|s| envelope_seconds(s, |v| v >= danger))
        .sum();
    let peaks: Vec<f64> = session.strokes.iter().map(|s| s.peak.0).collect();
    let s = &graded.summary;
    Outcome {
        passed: s.strokes > 0 && s.score >= PASS_MARK && s.danger == 0,
        pass_mark: PASS_MARK,
        above_window_s,
        danger_s,
        peak_cv_percent: cv_percent(&peaks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cv_matches_a_hand_computation() {
        // mean 30, sample sd sqrt(((-10)^2 + 0 + 10^2) / 2) = 10 → 33.3 %.
        let cv = cv_percent(&[20.0, 30.0, 40.0]).expect("cv");
        assert!((cv - 100.0 / 3.0).abs() < 1e-9, "{cv}");
        assert_eq!(cv_percent(&[30.0]), None);
        assert_eq!(cv_percent(&[30.0, f64::NAN]), None);
        assert_eq!(cv_percent(&[30.0, 30.0]), Some(0.0));
    }
}
