//! Pass or fail, exposure and consistency of one graded session: the ONE place the class view
//! and progress read them, so a change to how the grader defines them lands here only.
//!
//! - **Pass**: the session score reaches the profile's pass mark and no stroke reached the danger level
//!   (a session that once pressed hard enough to damage lymph vessels does not pass, however
//!   good the rest; `docs/SCORING.md`).
//! - **Exposure**: seconds with any fingertip above the window, and at or above the danger
//!   level (the grader's exposure, from the pressure trace).
//! - **Consistency**: the coefficient of variation of the stroke peaks (standard deviation over
//!   mean, percent): small when every stroke lands at the same pressure.

use crate::grade::GradedSession;
use crate::session::Session;
use serde::{Deserialize, Serialize};

/// Pass or fail and the exposure figures of one session.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Whether the session passed.
    pub passed: bool,
    /// The score a pass needs.
    pub pass_mark: f64,
    /// Seconds with any fingertip above the window's top.
    pub above_window_s: f64,
    /// Seconds with any fingertip at or above the danger level.
    pub danger_s: f64,
    /// Coefficient of variation of the stroke peaks, percent (`None` under two strokes).
    pub peak_cv_percent: Option<f64>,
}

/// The outcome of `graded` (graded from `session`): the grader's own pass/fail, exposure and
/// consistency (`grade::SessionScore`), so the class view cannot disagree with the report.
pub fn outcome(_session: &Session, graded: &GradedSession) -> Outcome {
    let s = &graded.summary;
    Outcome {
        passed: s.passed(),
        pass_mark: s.pass_mark,
        above_window_s: s.exposure.above_window_s,
        danger_s: s.exposure.above_danger_s,
        peak_cv_percent: s.peak_cv.map(|cv| 100.0 * cv),
    }
}
