//! Grading: technique profiles, per-stroke grades and flags, the session score, coaching.
//!
//! Grading reads only a [`Session`]'s strokes (and channel names), so a session can be re-graded
//! against another profile without re-detecting:
//!
//! ```
//! use mldsense::grade::{grade_session, Profile};
//! # fn demo(session: &mldsense::session::Session) -> mldsense::Result<()> {
//! let profile = Profile::resolve("default")?; // or a path to a TOML file
//! let graded = grade_session(session, &profile);
//! println!("score {:.0}, {:.0}% in window", graded.summary.score, graded.summary.percent_in_window);
//! # Ok(()) }
//! ```
//!
//! The scoring formula is published in `docs/SCORING.md`.

pub mod coaching;
pub mod fingers;
pub mod profile;
pub mod score;
pub mod stroke;
pub mod synthetic;

pub use coaching::{clock, Coaching, CoachingKind};
pub use fingers::{finger_stats, FingerStats};
pub use profile::Profile;
pub use score::{GradeCounts, RhythmSummary, SessionScore};
pub use stroke::{grade_stroke, Flag, Grade, GradedStroke, Penalties};

use crate::session::Session;
use serde::{Deserialize, Serialize};

/// A session graded against a profile: one verdict per stroke (same order as
/// `Session::strokes`), the score card and the coaching.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradedSession {
    /// The profile graded against (with any window override).
    pub profile: Profile,
    /// One per stroke, in the session's order.
    pub strokes: Vec<GradedStroke>,
    /// The session score and its parts.
    pub summary: SessionScore,
    /// Coaching points, most important first.
    pub coaching: Vec<Coaching>,
}

/// Grades every stroke of `session` against `profile`, scores the session and coaches.
pub fn grade_session(session: &Session, profile: &Profile) -> GradedSession {
    let strokes: Vec<GradedStroke> = session
        .strokes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let previous = i
                .checked_sub(1)
                .and_then(|j| session.strokes.get(j))
                .map(|p| p.onset_s);
            grade_stroke(i, s, previous, profile)
        })
        .collect();
    let summary = score::score_session(&strokes, profile.rhythm.pause_s);
    let coaching = coaching::coach(session, &strokes, &summary, profile);
    GradedSession {
        profile: profile.clone(),
        strokes,
        summary,
        coaching,
    }
}
