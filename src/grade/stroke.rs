//! One stroke's verdict: its grade (by peak against the window), its flags, and a penalty
//! breakdown that adds up exactly to its score. The weights are published in `docs/SCORING.md`.

use super::profile::{Pace, Profile};
use crate::session::Stroke;
use crate::stats::median;
use crate::units::Mmhg;
use serde::{Deserialize, Serialize};

/// Where a stroke's peak fell against the target window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Peak below the window.
    TooLight,
    /// Peak inside the window (edges included).
    InWindow,
    /// Peak above the window.
    TooHard,
}

impl Grade {
    /// The three grades, lightest first (for tables and legends).
    pub const ALL: [Grade; 3] = [Grade::TooLight, Grade::InWindow, Grade::TooHard];

    /// The serde name (`too_light`, `in_window`, `too_hard`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::TooLight => "too_light",
            Grade::InWindow => "in_window",
            Grade::TooHard => "too_hard",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Grade::TooLight => "too light",
            Grade::InWindow => "in window",
            Grade::TooHard => "too hard",
        }
    }

    /// A symbol that tells the grades apart without colour (down, on, up).
    pub fn symbol(self) -> &'static str {
        match self {
            Grade::TooLight => "▽",
            Grade::InWindow => "●",
            Grade::TooHard => "▲",
        }
    }
}

/// Something worth telling about a stroke besides its grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The peak reached the danger level.
    Danger,
    /// Pressure did not fall back to near the resting level after the stroke.
    IncompleteRelease,
    /// The stroke started too soon after the previous one.
    Rushed,
    /// The stroke started too long after the previous one (but before a pause).
    Dragging,
    /// One fingertip pressed much harder than the others.
    UnevenFingers,
    /// Pressure dipped on the way up to the peak.
    JerkyRise,
}

impl Flag {
    /// As people read it (`incomplete release`).
    pub fn phrase(self) -> &'static str {
        match self {
            Flag::Danger => "danger",
            Flag::IncompleteRelease => "incomplete release",
            Flag::Rushed => "rushed",
            Flag::Dragging => "dragging",
            Flag::UnevenFingers => "uneven fingers",
            Flag::JerkyRise => "jerky rise",
        }
    }

    /// The serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Danger => "danger",
            Flag::IncompleteRelease => "incomplete_release",
            Flag::Rushed => "rushed",
            Flag::Dragging => "dragging",
            Flag::UnevenFingers => "uneven_fingers",
            Flag::JerkyRise => "jerky_rise",
        }
    }
}

/// Points taken off a stroke's 100, by cause. `100 − total()` is the stroke's score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Penalties {
    /// For the distance of the peak from the window.
    pub pressure: f64,
    /// For reaching the danger level.
    pub danger: f64,
    /// For an incomplete release.
    pub release: f64,
    /// For a rushed or dragging interval.
    pub rhythm: f64,
    /// For uneven fingertips.
    pub fingers: f64,
    /// For a jerky rise.
    pub smoothness: f64,
}

impl Penalties {
    /// Sum of all penalties (never more than 100).
    pub fn total(&self) -> f64 {
        self.pressure + self.danger + self.release + self.rhythm + self.fingers + self.smoothness
    }
}

/// The published scoring weights (see `docs/SCORING.md`). The numbers a profile sets (window,
/// pass mark, near-miss band) are in the profile; these are the formula's own.
pub mod weights {
    /// Points any peak outside the window loses, however close: more than `100 − pass mark`, so
    /// a session with no stroke in the window cannot pass.
    pub const NEAR_MISS_BASE: f64 = 35.0;
    /// Further points per mmHg outside the window, within the near-miss band.
    pub const NEAR_MISS_PER_MMHG: f64 = 5.0;
    /// Points a peak beyond the near-miss band loses: no credit for its pressure at all.
    pub const PRESSURE_MAX: f64 = 70.0;
    /// Points for a peak at or above the danger level.
    pub const DANGER: f64 = 40.0;
    /// A stroke at the danger level counts this many times in the session's mean (and any one
    /// of them fails the session).
    pub const DANGER_WEIGHT: f64 = 5.0;
    /// Points per mmHg the release stays above rest beyond the allowed margin.
    pub const RELEASE_PER_MMHG: f64 = 2.0;
    /// Most points the release penalty can take.
    pub const RELEASE_MAX: f64 = 20.0;
    /// Points per second the interval lies outside the rhythm tolerance.
    pub const RHYTHM_PER_S: f64 = 40.0;
    /// Most points the rhythm penalty can take.
    pub const RHYTHM_MAX: f64 = 20.0;
    /// Points for uneven fingertips.
    pub const FINGERS: f64 = 5.0;
    /// Points for a jerky rise.
    pub const SMOOTHNESS: f64 = 5.0;
}

/// How many of `strokes` carry `flag` (the report's and the coaching's one count).
pub fn count_flagged(strokes: &[GradedStroke], flag: Flag) -> usize {
    strokes.iter().filter(|g| g.flags.contains(&flag)).count()
}

/// One graded stroke: the measurements grading used and the verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradedStroke {
    /// Position in the session, from 0.
    pub index: usize,
    /// The peak over all fingertips (as detected).
    #[serde(default)]
    pub peak: Mmhg,
    /// Peak against the window.
    pub grade: Grade,
    /// Everything else worth saying, in a fixed order.
    pub flags: Vec<Flag>,
    /// Points off, by cause.
    pub penalties: Penalties,
    /// `100 − penalties.total()`, 0–100.
    pub score: f64,
    /// mmHg the peak lies outside the window (0 inside), signed: negative below.
    pub miss_mmhg: Mmhg,
    /// How far the release stayed above the resting level.
    pub release_above_rest: Mmhg,
    /// Seconds from the previous stroke's onset, if there is a previous stroke.
    pub interval_s: Option<f64>,
    /// That interval against the rhythm (`Profile::pace_of`), if there is one.
    #[serde(default)]
    pub pace: Option<Pace>,
    /// The fingertip pressing hardest and how far above the median of the others it was.
    pub strongest_finger: Option<(usize, Mmhg)>,
    /// Deepest dip on the way up to the peak.
    pub rise_dip: Mmhg,
    /// Seconds of the working phase (envelope at least `working.level_fraction` of the peak).
    pub working_s: f64,
    /// Seconds of the working phase with the envelope inside the window.
    pub in_window_s: f64,
    /// Whether the peak lies within the measurement's uncertainty of a window edge, so the
    /// sensor's error alone could change the grade (set by [`super::grade_session_with`]).
    #[serde(default)]
    pub near_edge: bool,
    /// Seconds from onset to the peak.
    #[serde(default)]
    pub time_to_peak_s: f64,
    /// Mean rate of rise from the starting level to the peak, mmHg per second.
    #[serde(default)]
    pub rise_rate_mmhg_per_s: f64,
}

/// Points the pressure of a peak `miss` mmHg outside the window loses (0 inside): a near miss
/// loses a base and a little per mmHg, anything further loses all the pressure credit. Never
/// smaller for a peak further out, so moving a peak toward the window never lowers a score.
pub fn pressure_penalty(miss: Mmhg, profile: &Profile) -> f64 {
    let d = miss.0.abs();
    if d == 0.0 || d.is_nan() {
        0.0
    } else if d <= profile.score.near_miss_mmhg.0 {
        (weights::NEAR_MISS_BASE + weights::NEAR_MISS_PER_MMHG * d).min(weights::PRESSURE_MAX)
    } else {
        weights::PRESSURE_MAX
    }
}

/// The fingertip with the highest peak and its excess over the median of the other fingertips.
fn strongest_finger(channel_peaks: &[Mmhg]) -> Option<(usize, Mmhg)> {
    let (idx, top) = channel_peaks
        .iter()
        .enumerate()
        .filter(|(_, p)| p.0.is_finite())
        .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0))?;
    let others = median(
        channel_peaks
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != idx)
            .map(|(_, p)| p.0),
    )?;
    Some((idx, Mmhg(top.0 - others)))
}

/// The deepest fall below the running maximum between onset and the peak of the envelope.
fn rise_dip(envelope: &[f32]) -> f64 {
    let peak_at = envelope
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    let mut running = f64::NEG_INFINITY;
    let mut dip = 0.0_f64;
    for v in envelope.iter().take(peak_at + 1).map(|&v| f64::from(v)) {
        if !v.is_finite() {
            continue;
        }
        running = running.max(v);
        dip = dip.max(running - v);
    }
    dip
}

/// Seconds of working phase and of working phase inside the window.
fn time_in_window(envelope: &[f32], peak: f64, profile: &Profile) -> (f64, f64) {
    let floor = profile.working.level_fraction * peak;
    let (lo, hi) = (profile.window.lo_mmhg.0, profile.window.hi_mmhg.0);
    let dt = 1.0 / Stroke::ENVELOPE_RATE_HZ;
    let mut working = 0usize;
    let mut inside = 0usize;
    for v in envelope
        .iter()
        .map(|&v| f64::from(v))
        .filter(|v| v.is_finite())
    {
        if v >= floor {
            working += 1;
            if (lo..=hi).contains(&v) {
                inside += 1;
            }
        }
    }
    (working as f64 * dt, inside as f64 * dt)
}

/// Takes `want` points, but never more than what is left of the stroke's 100.
fn take(left: &mut f64, want: f64) -> f64 {
    let got = want.clamp(0.0, *left);
    *left -= got;
    got
}

/// Grades one stroke. `previous_onset_s` is the onset of the stroke before it, if any.
pub fn grade_stroke(
    index: usize,
    stroke: &Stroke,
    previous_onset_s: Option<f64>,
    profile: &Profile,
) -> GradedStroke {
    let peak = stroke.peak.0;
    // A NaN peak (a stroke the detector could not measure) is too light with no pressure
    // penalty (`Profile::grade_of`, `Profile::miss_of`): there is nothing to say about it.
    let grade = profile.grade_of(stroke.peak);
    let miss = profile.miss_of(stroke.peak).0;

    let mut flags = Vec::new();
    let mut want = Penalties {
        pressure: pressure_penalty(Mmhg(miss), profile),
        ..Penalties::default()
    };
    if profile.is_danger(stroke.peak) {
        flags.push(Flag::Danger);
        want.danger = weights::DANGER;
    }

    let release_above = stroke.release_level.0 - stroke.rest_level.0;
    let release_excess = release_above - profile.release.within_mmhg.0;
    if release_excess > 0.0 {
        flags.push(Flag::IncompleteRelease);
        want.release = (release_excess * weights::RELEASE_PER_MMHG).min(weights::RELEASE_MAX);
    }

    let interval = previous_onset_s
        .map(|p| stroke.onset_s - p)
        .filter(|d| d.is_finite());
    let pace = interval.map(|d| profile.pace_of(d));
    if let (Some(d), Some(pace)) = (interval, pace) {
        let r = &profile.rhythm;
        let outside = match pace {
            Pace::Rushed => (r.period_s - r.tolerance_s) - d,
            Pace::Dragging => d - (r.period_s + r.tolerance_s),
            Pace::OnBeat | Pace::Pause => 0.0,
        };
        flags.extend(Profile::pace_flag(pace));
        want.rhythm = (outside * weights::RHYTHM_PER_S).min(weights::RHYTHM_MAX);
    }

    let strongest = strongest_finger(&stroke.channel_peaks);
    if strongest.is_some_and(|(_, excess)| excess.0 > profile.fingers.uneven_mmhg.0) {
        flags.push(Flag::UnevenFingers);
        want.fingers = weights::FINGERS;
    }

    let dip = rise_dip(&stroke.envelope);
    if dip > profile.rise.jerk_mmhg.0 {
        flags.push(Flag::JerkyRise);
        want.smoothness = weights::SMOOTHNESS;
    }

    // Take the penalties in the published order, each limited to what is left of 100, so the
    // breakdown always adds up to exactly 100 − score.
    let mut left = 100.0;
    let penalties = Penalties {
        pressure: take(&mut left, want.pressure),
        danger: take(&mut left, want.danger),
        release: take(&mut left, want.release),
        rhythm: take(&mut left, want.rhythm),
        fingers: take(&mut left, want.fingers),
        smoothness: take(&mut left, want.smoothness),
    };
    let (working_s, in_window_s) = time_in_window(&stroke.envelope, peak, profile);
    let time_to_peak = stroke.peak_s - stroke.onset_s;
    let time_to_peak = if time_to_peak.is_finite() {
        time_to_peak.max(0.0)
    } else {
        0.0
    };
    let rise = peak - stroke.start_level.0;
    let rise_rate = if time_to_peak > 0.0 && rise.is_finite() {
        rise / time_to_peak
    } else {
        0.0
    };

    GradedStroke {
        index,
        peak: stroke.peak,
        grade,
        flags,
        penalties,
        score: left,
        miss_mmhg: Mmhg(miss),
        release_above_rest: Mmhg(release_above),
        interval_s: interval,
        pace,
        strongest_finger: strongest,
        rise_dip: Mmhg(dip),
        working_s,
        in_window_s,
        near_edge: false,
        time_to_peak_s: time_to_peak,
        rise_rate_mmhg_per_s: rise_rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stroke(onset: f64, peak: f64) -> Stroke {
        let n = 40;
        let envelope = (0..n)
            .map(|i| (peak * (std::f64::consts::PI * i as f64 / (n - 1) as f64).sin()) as f32)
            .collect();
        Stroke {
            onset_s: onset,
            offset_s: onset + 0.8,
            peak_s: onset + 0.4,
            peak: Mmhg(peak),
            channel_peaks: vec![Mmhg(peak), Mmhg(peak - 2.0), Mmhg(peak - 1.0)],
            start_level: Mmhg(2.0),
            release_level: Mmhg(2.0),
            rest_level: Mmhg(2.0),
            envelope,
        }
    }

    #[test]
    fn grade_edges_belong_to_the_window() {
        let p = Profile::default_profile();
        assert_eq!(
            grade_stroke(0, &stroke(0.0, 30.0), None, &p).grade,
            Grade::InWindow
        );
        assert_eq!(
            grade_stroke(0, &stroke(0.0, 40.0), None, &p).grade,
            Grade::InWindow
        );
        assert_eq!(
            grade_stroke(0, &stroke(0.0, 29.9), None, &p).grade,
            Grade::TooLight
        );
        assert_eq!(
            grade_stroke(0, &stroke(0.0, 40.1), None, &p).grade,
            Grade::TooHard
        );
    }

    #[test]
    fn only_near_misses_earn_credit() {
        let p = Profile::default_profile();
        let s41 = grade_stroke(0, &stroke(0.0, 41.0), None, &p);
        let s43 = grade_stroke(0, &stroke(0.0, 43.0), None, &p);
        let s44 = grade_stroke(0, &stroke(0.0, 44.0), None, &p);
        let s60 = grade_stroke(0, &stroke(0.0, 60.0), None, &p);
        let s22 = grade_stroke(0, &stroke(0.0, 22.0), None, &p);
        assert!((s41.score - 60.0).abs() < 1e-9, "{}", s41.score);
        assert!((s43.score - 50.0).abs() < 1e-9, "{}", s43.score);
        assert!((s44.score - 30.0).abs() < 1e-9, "{}", s44.score);
        assert!((s60.score - 30.0).abs() < 1e-9);
        assert!((s22.score - 30.0).abs() < 1e-9);
        // However close, a miss scores below the pass mark.
        let s = grade_stroke(0, &stroke(0.0, 40.01), None, &p);
        assert!(s.score < p.score.pass_mark, "{}", s.score);
        let s75 = grade_stroke(0, &stroke(0.0, 75.0), None, &p);
        assert_eq!(s75.score, 0.0);
        assert!(s75.flags.contains(&Flag::Danger));
    }

    #[test]
    fn breakdown_adds_up_even_when_capped() {
        let p = Profile::default_profile();
        let mut s = stroke(0.3, 90.0);
        s.release_level = Mmhg(30.0);
        s.channel_peaks = vec![Mmhg(90.0), Mmhg(20.0), Mmhg(20.0)];
        let g = grade_stroke(1, &s, Some(0.0), &p);
        assert!((g.penalties.total() + g.score - 100.0).abs() < 1e-9);
        assert_eq!(g.score, 0.0);
        assert!(g.flags.contains(&Flag::IncompleteRelease));
        assert!(g.flags.contains(&Flag::Rushed));
        assert!(g.flags.contains(&Flag::UnevenFingers));
    }

    #[test]
    fn rise_dip_is_measured_before_the_peak_only() {
        assert_eq!(rise_dip(&[0.0, 10.0, 20.0, 30.0, 20.0, 0.0]), 0.0);
        assert!((rise_dip(&[0.0, 10.0, 5.0, 30.0, 0.0]) - 5.0).abs() < 1e-6);
    }

    #[test]
    fn time_in_window_counts_the_top_of_the_stroke() {
        let p = Profile::default_profile();
        // Peak 41, working floor 0.8 × 41 = 32.8: samples 35, 38, 41 work; 35 and 38 are inside.
        let env = [0.0, 10.0, 32.0, 35.0, 38.0, 41.0, 20.0];
        let (working, inside) = time_in_window(&env, 41.0, &p);
        assert!((working - 3.0 / 50.0).abs() < 1e-12);
        assert!((inside - 2.0 / 50.0).abs() < 1e-12);
    }

    #[test]
    fn pause_is_not_dragging() {
        let p = Profile::default_profile();
        let g = grade_stroke(1, &stroke(10.0, 35.0), Some(1.0), &p);
        assert!(g.flags.is_empty());
        let g = grade_stroke(1, &stroke(2.0, 35.0), Some(0.0), &p);
        assert_eq!(g.flags, vec![Flag::Dragging]);
        assert!((g.penalties.rhythm - 28.0_f64.min(20.0)).abs() < 1e-9);
    }

    #[test]
    fn stroke_form_is_time_to_peak_and_mean_rise_rate() {
        let p = Profile::default_profile();
        // Onset 0, peak 35 at 0.4 s from a start level of 2: 33 mmHg in 0.4 s.
        let g = grade_stroke(0, &stroke(0.0, 35.0), None, &p);
        assert!((g.time_to_peak_s - 0.4).abs() < 1e-12);
        assert!((g.rise_rate_mmhg_per_s - 82.5).abs() < 1e-9);
    }
}
