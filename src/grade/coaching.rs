//! Coaching: concrete sentences drawn from patterns in a session (pressure creeping up, one finger
//! pressing harder, the last minutes rushed, incomplete releases, too light), naming when and how
//! much, most important first.
//!
//! Safety rule: advice to press firmer is only given when no stroke in the session went above
//! the window, and it always aims at the middle of the window, which a valid profile keeps below
//! the danger level.

use super::profile::Profile;
use super::score::SessionScore;
use super::stroke::{Flag, Grade, GradedStroke};
use crate::session::Session;
use crate::stats::median;
use serde::{Deserialize, Serialize};

/// What a coaching point is about; also its rank (earlier variants matter more).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoachingKind {
    /// Strokes reached the danger level.
    Danger,
    /// Many strokes above the window.
    TooHard,
    /// Peaks rose (or fell) part-way through the session.
    Creep,
    /// Pressure stayed up between strokes.
    Release,
    /// Many strokes below the window.
    TooLight,
    /// One fingertip pressing harder than the others.
    Fingers,
    /// Strokes too fast or too slow, or the end of the session rushed.
    Rhythm,
    /// Jerky rises.
    Smoothness,
    /// Little of the working phase spent in the window.
    TimeInWindow,
    /// What went well.
    Praise,
    /// Nothing to grade.
    NoStrokes,
}

/// One coaching point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coaching {
    /// What it is about.
    pub kind: CoachingKind,
    /// When the pattern starts, seconds from the start, if it has a start.
    pub at_s: Option<f64>,
    /// The sentence for the trainee.
    pub message: String,
}

/// `m:ss` for a time in seconds (negative and non-finite times show as `0:00`).
pub fn clock(seconds: f64) -> String {
    let s = if seconds.is_finite() && seconds > 0.0 {
        seconds.round() as u64
    } else {
        0
    };
    format!("{}:{:02}", s / 60, s % 60)
}

/// A duration for people: `12 s` under a minute, else `m:ss`.
fn duration(seconds: f64) -> String {
    if seconds > 0.0 && seconds < 0.95 {
        // Under a second, but not nothing: "for 0 s" at the danger level would read as none.
        format!("{seconds:.1} s")
    } else if seconds < 59.5 {
        format!("{seconds:.0} s")
    } else {
        format!("{} min", clock(seconds))
    }
}

/// A share of a whole as "12 of 40 strokes (30%)".
fn share(k: usize, n: usize) -> String {
    let pct = if n > 0 {
        100.0 * k as f64 / n as f64
    } else {
        0.0
    };
    format!("{k} of {n} strokes ({pct:.0}%)")
}

fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (s, n) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| s / n as f64)
}

/// Strokes on each side of a change point must number at least this for a creep to count.
const CREEP_MIN_STROKES: usize = 5;
/// A shift in mean peak smaller than this is not worth a sentence, mmHg.
const CREEP_MIN_MMHG: f64 = 5.0;
/// A pattern must touch at least this share of strokes to be coached on.
const PATTERN_SHARE: f64 = 0.2;
/// The longest "last minutes" coached as a rushed (or dragging) ending, seconds.
const ENDING_S: f64 = 180.0;
/// Share of the ending's intervals that must be off pace the same way.
const ENDING_SHARE: f64 = 0.8;

/// The split of the peaks into before/after with the most convincing shift in mean:
/// `(first index after, mean before, mean after)`.
fn change_point(peaks: &[f64]) -> Option<(usize, f64, f64)> {
    let n = peaks.len();
    // Each side holds at least CREEP_MIN_STROKES and a sixth of the session, so a few odd
    // strokes at either end do not make a "from then on" sentence.
    let min_side = CREEP_MIN_STROKES.max(n / 6);
    if n < 2 * min_side {
        return None;
    }
    let mut best: Option<(f64, usize, f64, f64)> = None;
    for k in min_side..=n - min_side {
        let before = mean(peaks[..k].iter().copied())?;
        let after = mean(peaks[k..].iter().copied())?;
        // A two-sample statistic without the variance: favours balanced, large shifts.
        let stat = (after - before).abs() * ((k * (n - k)) as f64 / n as f64).sqrt();
        if !matches!(best, Some(b) if stat <= b.0) {
            best = Some((stat, k, before, after));
        }
    }
    best.map(|(_, k, b, a)| (k, b, a))
}

/// Builds the coaching points for a graded session, most important first: one rule per
/// coaching kind, each deciding alone from the session what (if anything) to say.
pub fn coach(
    session: &Session,
    strokes: &[GradedStroke],
    summary: &SessionScore,
    profile: &Profile,
) -> Vec<Coaching> {
    if strokes.is_empty() {
        return vec![Coaching {
            kind: CoachingKind::NoStrokes,
            at_s: None,
            message: "No strokes were found: check that the glove is on and the sensors touch \
                      the skin, then try again."
                .into(),
        }];
    }
    let ctx = Ctx::new(session, strokes, summary, profile);
    let danger = danger(&ctx);
    // The exposure is told once: with the danger strokes, else with the hard ones.
    let too_hard = too_hard(&ctx, danger.is_some());
    let mut out: Vec<Coaching> = [
        danger,
        too_hard,
        creep(&ctx),
        release(&ctx),
        too_light(&ctx),
        fingers(&ctx),
        rhythm(&ctx),
        smoothness(&ctx),
        time_in_window(&ctx),
        praise(&ctx),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.sort_by_key(|c| c.kind);
    out
}

/// What every coaching rule reads: the session, its grades, the profile's window.
struct Ctx<'a> {
    session: &'a Session,
    strokes: &'a [GradedStroke],
    summary: &'a SessionScore,
    profile: &'a Profile,
    /// Strokes graded.
    n: usize,
    /// The window's edges, its middle and the danger level, mmHg.
    lo: f64,
    hi: f64,
    mid: f64,
    danger: f64,
    /// How long the tissue was pressed too hard, as a sentence (empty when never).
    exposure: String,
    /// Advice to press firmer is only safe when nothing went above the window.
    may_advise_firmer: bool,
}

impl<'a> Ctx<'a> {
    fn new(
        session: &'a Session,
        strokes: &'a [GradedStroke],
        summary: &'a SessionScore,
        profile: &'a Profile,
    ) -> Self {
        let hi = profile.window.hi_mmhg.0;
        let danger = profile.danger.mmhg.0;
        Ctx {
            session,
            strokes,
            summary,
            profile,
            n: strokes.len(),
            lo: profile.window.lo_mmhg.0,
            hi,
            mid: profile.window_mid().0,
            danger,
            exposure: exposure_sentence(summary, hi, danger),
            may_advise_firmer: summary.counts.too_hard == 0,
        }
    }

    fn peak_of(&self, g: &GradedStroke) -> f64 {
        self.session
            .strokes
            .get(g.index)
            .map_or(f64::NAN, |s| s.peak.0)
    }

    fn onset_of(&self, g: &GradedStroke) -> f64 {
        self.session
            .strokes
            .get(g.index)
            .map_or(f64::NAN, |s| s.onset_s)
    }

    /// Whether `k` strokes are enough of the session to coach on.
    fn pattern(&self, k: usize) -> bool {
        k as f64 >= PATTERN_SHARE * self.n as f64 && k > 0
    }

    /// The peaks of the strokes graded `grade`.
    fn peaks_graded(&self, grade: Grade) -> Vec<f64> {
        self.strokes
            .iter()
            .filter(|s| s.grade == grade)
            .map(|s| self.peak_of(s))
            .collect()
    }
}

/// How long pressure stayed above the window (and at the danger level), and under which
/// fingertip most, as a sentence that starts with a space; empty when it never did.
fn exposure_sentence(summary: &SessionScore, hi: f64, danger: f64) -> String {
    let e = &summary.exposure;
    if e.above_window_s <= 0.0 {
        return String::new();
    }
    let mut t = format!(
        " In all, pressure stayed above {hi:.0} mmHg for {} ({:.0}% of the working time)",
        duration(e.above_window_s),
        e.above_window_percent
    );
    if e.above_danger_s > 0.0 {
        t.push_str(&format!(
            " and at {danger:.0} mmHg or more for {}",
            duration(e.above_danger_s)
        ));
    }
    if let Some(f) = summary
        .finger_exposure
        .iter()
        .filter(|f| f.above_window_s > 0.0)
        .max_by(|a, b| a.above_window_s.total_cmp(&b.above_window_s))
        .filter(|_| summary.finger_exposure.len() > 1)
    {
        t.push_str(&format!(
            ", most of it under the {} fingertip ({})",
            f.finger.as_deref().unwrap_or("?"),
            duration(f.above_window_s)
        ));
    }
    t.push('.');
    t
}

/// Any stroke at the danger level, with the worst of them and the exposure.
fn danger(c: &Ctx<'_>) -> Option<Coaching> {
    let dangerous: Vec<&GradedStroke> = c
        .strokes
        .iter()
        .filter(|s| s.flags.contains(&Flag::Danger))
        .collect();
    let worst = dangerous
        .iter()
        .max_by(|a, b| c.peak_of(a).total_cmp(&c.peak_of(b)))?;
    Some(Coaching {
        kind: CoachingKind::Danger,
        at_s: dangerous.first().map(|s| c.onset_of(s)),
        message: format!(
            "{} reached {:.0} mmHg or more (highest {:.0} mmHg at {}). That is the \
             level at which lymph vessels have been shown to be damaged: lighten at once and \
             keep every stroke under {:.0} mmHg.{}",
            share(dangerous.len(), c.n),
            c.danger,
            c.peak_of(worst),
            clock(c.onset_of(worst)),
            c.hi,
            c.exposure,
        ),
    })
}

/// Many strokes above the window, or a few held there long; the exposure unless already told.
fn too_hard(c: &Ctx<'_>, exposure_told: bool) -> Option<Coaching> {
    let (hi, mid) = (c.hi, c.mid);
    let hard = c.peaks_graded(Grade::TooHard);
    if c.pattern(hard.len()) {
        return Some(Coaching {
            kind: CoachingKind::TooHard,
            at_s: None,
            message: format!(
                "{} peaked above {hi:.0} mmHg (median {:.0} mmHg): lighten to about {mid:.0} \
                 mmHg. Stretch the skin with your hand; do not press into the tissue.{}",
                share(hard.len(), c.n),
                median(hard.iter().copied()).unwrap_or(f64::NAN),
                if exposure_told {
                    ""
                } else {
                    c.exposure.as_str()
                },
            ),
        });
    }
    // Long exposure without many hard strokes (a few long, hard holds).
    if !exposure_told && c.summary.exposure.above_window_percent >= 100.0 * PATTERN_SHARE / 2.0 {
        return Some(Coaching {
            kind: CoachingKind::TooHard,
            at_s: None,
            message: format!(
                "Few strokes peaked above {hi:.0} mmHg, but they stayed there long.{} \
                 Keep the top of each stroke short and light, about {mid:.0} mmHg.",
                c.exposure
            ),
        });
    }
    None
}

/// Peaks rising or falling part-way through.
fn creep(c: &Ctx<'_>) -> Option<Coaching> {
    let (lo, hi, mid) = (c.lo, c.hi, c.mid);
    let peaks: Vec<f64> = c.strokes.iter().map(|s| c.peak_of(s)).collect();
    let (k, before, after) = change_point(&peaks)?;
    let from = c.strokes.get(k).map_or(f64::NAN, |s| c.onset_of(s));
    let (direction, advice) = if after - before >= CREEP_MIN_MMHG {
        let advice = if after > hi {
            format!(
                "ease back to about {mid:.0} mmHg; pressure tends to creep up as the hand \
                 tires or relaxes."
            )
        } else {
            "keep the lighter touch you started with.".to_string()
        };
        ("rose", advice)
    } else if before - after >= CREEP_MIN_MMHG {
        let advice = if after < lo && c.may_advise_firmer {
            format!(
                "keep contact and come back up to about {mid:.0} mmHg, no more than \
                 {hi:.0} mmHg."
            )
        } else {
            format!("aim for the same {mid:.0} mmHg in every stroke.")
        };
        ("fell", advice)
    } else {
        return None;
    };
    Some(Coaching {
        kind: CoachingKind::Creep,
        at_s: Some(from),
        message: format!(
            "From {} on your peaks {direction} from {before:.0} to {after:.0} mmHg on average: \
             {advice}",
            clock(from)
        ),
    })
}

/// Pressure held above rest between strokes.
fn release(c: &Ctx<'_>) -> Option<Coaching> {
    let held: Vec<f64> = c
        .strokes
        .iter()
        .filter(|s| s.flags.contains(&Flag::IncompleteRelease))
        .map(|s| s.release_above_rest.0)
        .collect();
    c.pattern(held.len()).then(|| Coaching {
        kind: CoachingKind::Release,
        at_s: None,
        message: format!(
            "In {} pressure stayed about {:.0} mmHg above rest between strokes: let the skin \
             spring back fully (the resting phase) before the next stroke.",
            share(held.len(), c.n),
            mean(held.iter().copied()).unwrap_or(f64::NAN),
        ),
    })
}

/// Many strokes below the window: firmer, unless others went above it (then: evenly).
fn too_light(c: &Ctx<'_>) -> Option<Coaching> {
    let (lo, hi, mid) = (c.lo, c.hi, c.mid);
    let light = c.peaks_graded(Grade::TooLight);
    if !c.pattern(light.len()) {
        return None;
    }
    let message = if c.may_advise_firmer {
        format!(
            "{} peaked below {lo:.0} mmHg (median {:.0} mmHg): press a little firmer, to \
             about {mid:.0} mmHg and never above {hi:.0} mmHg, until the skin moves with \
             your hand.",
            share(light.len(), c.n),
            median(light.iter().copied()).unwrap_or(f64::NAN),
        )
    } else {
        format!(
            "{} peaked below {lo:.0} mmHg while {} went above {hi:.0} mmHg: your pressure \
             varies from stroke to stroke; aim for the same {mid:.0} mmHg each time.",
            share(light.len(), c.n),
            c.peaks_graded(Grade::TooHard).len(),
        )
    };
    Some(Coaching {
        kind: CoachingKind::TooLight,
        at_s: None,
        message,
    })
}

/// The fingertip that presses hardest on average, when it presses much harder than the others.
fn fingers(c: &Ctx<'_>) -> Option<Coaching> {
    let finger_means: Vec<f64> = super::fingers::finger_stats(c.session)
        .iter()
        .map(|f| f.mean)
        .collect();
    let uneven = super::count_flagged(c.strokes, Flag::UnevenFingers);
    let (i, top) = finger_means
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    let others = median(
        finger_means
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, m)| *m),
    )?;
    if !(top - others > c.profile.fingers.uneven_mmhg.0 && c.pattern(uneven)) {
        return None;
    }
    let name = super::fingers::finger_name(c.session, i);
    Some(Coaching {
        kind: CoachingKind::Fingers,
        at_s: None,
        message: format!(
            "Your {name} fingertip pressed {:.0} mmHg harder than the others on \
             average ({top:.0} vs {others:.0} mmHg; uneven in {}): spread the \
             pressure over the whole hand.",
            top - others,
            share(uneven, c.n),
        ),
    })
}

/// A rushed (or dragging) ending, else the whole session off pace.
fn rhythm(c: &Ctx<'_>) -> Option<Coaching> {
    let r = &c.profile.rhythm;
    let (fast, slow) = (r.period_s - r.tolerance_s, r.period_s + r.tolerance_s);
    let timed: Vec<(f64, f64)> = c
        .strokes
        .iter()
        .filter_map(|s| {
            s.interval_s
                .filter(|&d| d < r.pause_s)
                .map(|d| (c.onset_of(s), d))
        })
        .collect();
    // The longest tail of the session in which most intervals are off pace the same way the
    // last one is: the "last minutes rushed" pattern.
    let off = |d: f64| {
        if d < fast {
            -1
        } else if d > slow {
            1
        } else {
            0
        }
    };
    let dir = timed.last().map_or(0, |t| off(t.1));
    let mut split = None;
    let mut matching = 0usize;
    for (k, t) in timed.iter().enumerate().rev() {
        if off(t.1) == dir {
            matching += 1;
        }
        // The tail starts at an off-pace interval, never at an on-pace one before it.
        if dir != 0 && off(t.1) == dir && matching as f64 >= ENDING_SHARE * (timed.len() - k) as f64
        {
            split = Some(k);
        }
    }
    let (early, late) = timed.split_at(split.unwrap_or(timed.len()));
    let early_med = median(early.iter().map(|t| t.1));
    let late_med = median(late.iter().map(|t| t.1));
    let overall = c.summary.rhythm_summary.median_interval_s;
    let ok = |d: f64| (fast..=slow).contains(&d);
    let late_start = late.first().map_or(0.0, |t| t.0);
    let late_len = late.last().map_or(0.0, |t| t.0) - late_start;
    match (early_med, late_med, overall) {
        (Some(e), Some(l), _)
            if ok(e)
                && !ok(l)
                && late.len() >= CREEP_MIN_STROKES
                && early.len() >= late.len()
                && late_len <= ENDING_S =>
        {
            let how = if l < fast { "rushed" } else { "slowed down" };
            Some(Coaching {
                kind: CoachingKind::Rhythm,
                at_s: Some(late_start),
                message: format!(
                    "The last {} {how} (from {}): strokes came every {l:.1} s instead of about \
                     {:.1} s ({:.0} a minute instead of {:.0}). Keep the same calm pace to the end.",
                    clock(late_len),
                    clock(late_start),
                    r.period_s,
                    60.0 / l,
                    60.0 / r.period_s,
                ),
            })
        }
        (_, _, Some(d)) if !ok(d) => {
            let how = if d < fast { "too fast" } else { "too slow" };
            Some(Coaching {
                kind: CoachingKind::Rhythm,
                at_s: None,
                message: format!(
                    "Your strokes came every {d:.1} s ({:.0} a minute), {how}: aim for about one \
                     every {:.1} s, with a full resting phase in each.",
                    60.0 / d,
                    r.period_s,
                ),
            })
        }
        _ => None,
    }
}

/// Jerky rises.
fn smoothness(c: &Ctx<'_>) -> Option<Coaching> {
    let jerky = super::count_flagged(c.strokes, Flag::JerkyRise);
    c.pattern(jerky).then(|| Coaching {
        kind: CoachingKind::Smoothness,
        at_s: None,
        message: format!(
            "The rise was jerky in {}: build the pressure in one smooth movement.",
            share(jerky, c.n)
        ),
    })
}

/// Peaks in the window but little of the working phase spent there.
fn time_in_window(c: &Ctx<'_>) -> Option<Coaching> {
    let target = 100.0 * c.profile.working.min_time_in_window;
    let s = c.summary;
    (s.percent_in_window >= 50.0 && s.percent_time_in_window < target).then(|| Coaching {
        kind: CoachingKind::TimeInWindow,
        at_s: None,
        message: format!(
            "Your peaks land in the window, but only {:.0}% of the working phase is spent \
             there (aim for {target:.0}%): hold the stretch a moment at the top.",
            s.percent_time_in_window
        ),
    })
}

/// What went well, when it did.
fn praise(c: &Ctx<'_>) -> Option<Coaching> {
    let s = c.summary;
    if !(s.percent_in_window >= 70.0 && s.danger == 0) {
        return None;
    }
    let pace = s
        .rhythm_summary
        .median_interval_s
        .map_or(String::new(), |d| format!(", one every {d:.1} s"));
    Some(Coaching {
        kind: CoachingKind::Praise,
        at_s: None,
        message: format!(
            "Well done: {} in the {:.0}–{:.0} mmHg window{pace}.",
            share(s.counts.in_window, c.n),
            c.lo,
            c.hi
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_minutes() {
        assert_eq!(clock(390.0), "6:30");
        assert_eq!(clock(5.4), "0:05");
        assert_eq!(clock(f64::NAN), "0:00");
    }

    #[test]
    fn change_point_finds_the_step() {
        let mut peaks = vec![35.0; 12];
        peaks.extend(vec![48.0; 8]);
        let (k, b, a) = change_point(&peaks).unwrap();
        assert_eq!(k, 12);
        assert!((b - 35.0).abs() < 1e-9 && (a - 48.0).abs() < 1e-9);
        assert!(change_point(&[35.0; 6]).is_none());
    }
}
