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

pub mod certainty;
pub mod coaching;
pub mod fingers;
pub mod profile;
pub mod score;
pub mod stroke;
pub mod synthetic;

pub use certainty::Certainty;
pub use coaching::{clock, Coaching, CoachingKind};
pub use fingers::{finger_stats, FingerStats};
pub use profile::{Pace, Profile};
pub use score::{Exposure, GradeCounts, RhythmSummary, SessionScore};
pub use stroke::{count_flagged, grade_stroke, Flag, Grade, GradedStroke, Penalties};

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
    /// How sure the grades are (default curve or calibration).
    #[serde(default)]
    pub certainty: Certainty,
}

/// Grades every stroke of `session` against `profile`, scores the session and coaches, with
/// the default curve's certainty (see [`grade_session_with`]).
pub fn grade_session(session: &Session, profile: &Profile) -> GradedSession {
    grade_session_with(session, profile, &Certainty::default())
}

/// Grades every stroke of `session` against `profile`: the one grading function every view
/// (report, live view at the end, class summary) goes through. `certainty` marks the strokes
/// whose peak lies within the measurement error of a window edge.
pub fn grade_session_with(
    session: &Session,
    profile: &Profile,
    certainty: &Certainty,
) -> GradedSession {
    let strokes: Vec<GradedStroke> = session
        .strokes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let previous = i
                .checked_sub(1)
                .and_then(|j| session.strokes.get(j))
                .map(|p| p.onset_s);
            grade_stroke_with(i, s, previous, profile, certainty)
        })
        .collect();
    let mut summary = score::score_session(&strokes, profile);
    let names: Vec<String> = (0..session.info.channels.len())
        .map(|c| fingers::finger_name(session, c))
        .collect();
    let mut counter = ExposureCounter::new(profile, session.trace.rate_hz);
    for j in 0..session.trace.channels.first().map_or(0, Vec::len) {
        counter.push(session.trace.channels.iter().map(|c| c.get(j).copied()));
    }
    (summary.exposure, summary.finger_exposure) = counter.finish(&names);
    let coaching = coaching::coach(session, &strokes, &summary, profile);
    GradedSession {
        profile: profile.clone(),
        strokes,
        summary,
        coaching,
        certainty: certainty.clone(),
    }
}

/// [`grade_stroke`], then the near-edge mark from `certainty`.
pub fn grade_stroke_with(
    index: usize,
    stroke: &crate::session::Stroke,
    previous_onset_s: Option<f64>,
    profile: &Profile,
    certainty: &Certainty,
) -> GradedStroke {
    let mut g = grade_stroke(index, stroke, previous_onset_s, profile);
    g.near_edge = profile.near_edge(stroke.peak, certainty.uncertainty_at(stroke.peak));
    g
}

/// Adds up exposure (time above the window, at danger, working time) from pressure samples at
/// a fixed rate, per fingertip and for the session. The report feeds it the session's trace;
/// the live view feeds it the same trace as it grows, so both give the same seconds.
#[derive(Clone, Debug)]
pub struct ExposureCounter {
    hi: f64,
    danger: f64,
    pressing: f64,
    dt: f64,
    working: u64,
    above: u64,
    at_danger: u64,
    per_finger: Vec<(u64, u64)>,
}

impl ExposureCounter {
    /// A counter for samples at `rate_hz` graded against `profile` (window top, danger level;
    /// a fingertip presses when above the release margin).
    pub fn new(profile: &Profile, rate_hz: f64) -> Self {
        ExposureCounter {
            hi: profile.window.hi_mmhg.0,
            danger: profile.danger.mmhg.0,
            pressing: profile.release.within_mmhg.0,
            dt: if rate_hz.is_finite() && rate_hz > 0.0 {
                1.0 / rate_hz
            } else {
                0.0
            },
            working: 0,
            above: 0,
            at_danger: 0,
            per_finger: Vec::new(),
        }
    }

    /// One sample per fingertip (`None` or NaN: no value).
    pub fn push(&mut self, values: impl IntoIterator<Item = Option<f32>>) {
        let mut top = f64::NEG_INFINITY;
        for (c, v) in values.into_iter().enumerate() {
            if self.per_finger.len() <= c {
                self.per_finger.resize(c + 1, (0, 0));
            }
            let Some(v) = v.map(f64::from).filter(|v| v.is_finite()) else {
                continue;
            };
            top = top.max(v);
            if let Some(f) = self.per_finger.get_mut(c) {
                f.0 += u64::from(v > self.hi);
                f.1 += u64::from(v >= self.danger);
            }
        }
        if top > self.pressing {
            self.working += 1;
        }
        self.above += u64::from(top > self.hi);
        self.at_danger += u64::from(top >= self.danger);
    }

    /// The session's exposure and each fingertip's (named by `names`, in channel order).
    pub fn finish(&self, names: &[String]) -> (Exposure, Vec<Exposure>) {
        let working_s = self.working as f64 * self.dt;
        let make = |finger: Option<String>, above: u64, danger: u64| {
            let (a, d) = (above as f64 * self.dt, danger as f64 * self.dt);
            let pct = |x: f64| {
                if working_s > 0.0 {
                    100.0 * x / working_s
                } else {
                    0.0
                }
            };
            Exposure {
                finger,
                above_window_s: a,
                above_danger_s: d,
                working_s,
                above_window_percent: pct(a),
                above_danger_percent: pct(d),
            }
        };
        let n = names.len().max(self.per_finger.len());
        let fingers = (0..n)
            .map(|c| {
                let (a, d) = self.per_finger.get(c).copied().unwrap_or((0, 0));
                let name = names
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("channel {}", c + 1));
                make(Some(name), a, d)
            })
            .collect();
        (make(None, self.above, self.at_danger), fingers)
    }
}
