//! A technique profile derived from an expert's own session: the students are then graded
//! against what this instructor actually does, not a textbook number.
//!
//! - **Window**: the 10th to the 90th percentile of the expert's stroke peaks (the central 80 %
//!   of what they do), rounded outward to 0.5 mmHg. An expert whose peaks reach the danger level
//!   is not a target; that is an error, not a profile.
//! - **Rhythm**: the median interval between their stroke onsets (pauses excluded) as the
//!   period, and half the interquartile range of those intervals (at least 0.1 s) as the
//!   tolerance.
//! - Everything else (danger level, release, fingers, rise, working phase) is the base profile's,
//!   and every derived number says where it came from.

use crate::error::{Error, Result};
use crate::grade::Profile;
use crate::session::Session;
use crate::stats::{percentile, sorted_finite};
use crate::units::Mmhg;

/// Fewest strokes an expert profile is derived from: fewer give percentiles that mean little.
pub const MIN_STROKES: usize = 20;

/// Derives a profile named `name` from the expert's `session` (read from `source`, for the
/// profile's notes), keeping `base`'s other rules.
pub fn profile_from_expert(
    session: &Session,
    base: &Profile,
    name: &str,
    source: &str,
) -> Result<Profile> {
    let bad = |m: String| Error::Config {
        context: format!("expert recording {source}"),
        message: m,
    };
    let peaks = sorted_finite(session.strokes.iter().map(|s| s.peak.0));
    if peaks.len() < MIN_STROKES {
        return Err(bad(format!(
            "{} strokes found; a profile needs at least {MIN_STROKES}",
            peaks.len()
        )));
    }
    let (p10, p90) = match (percentile(&peaks, 0.1), percentile(&peaks, 0.9)) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(bad("no stroke peaks".into())),
    };
    let lo = ((p10 * 2.0).floor() / 2.0).max(0.0);
    let mut hi = (p90 * 2.0).ceil() / 2.0;
    if hi <= lo {
        hi = lo + 0.5;
    }
    let danger = base.danger.mmhg.0;
    if hi >= danger {
        return Err(bad(format!(
            "the expert's peaks reach {hi:.1} mmHg (90th percentile), at or above the danger level \
             {danger:.0} mmHg: not a safe target"
        )));
    }
    let pause = base.rhythm.pause_s;
    let onsets: Vec<f64> = session.strokes.iter().map(|s| s.onset_s).collect();
    let intervals = sorted_finite(
        onsets
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0 && *d < pause),
    );
    let mut p = base.clone();
    p.name = name.to_string();
    p.description = format!(
        "Derived from the expert recording {source}: {} strokes",
        peaks.len()
    );
    p.window.lo_mmhg = Mmhg(lo);
    p.window.hi_mmhg = Mmhg(hi);
    p.window.source = format!(
        "10th–90th percentile of the expert's {} stroke peaks ({p10:.1}–{p90:.1} mmHg, rounded \
         outward to 0.5 mmHg), from {source}",
        peaks.len()
    );
    if let (Some(q1), Some(med), Some(q3)) = (
        percentile(&intervals, 0.25),
        percentile(&intervals, 0.5),
        percentile(&intervals, 0.75),
    ) {
        let period = (med * 100.0).round() / 100.0;
        let tolerance = (((q3 - q1) / 2.0).max(0.1) * 100.0).round() / 100.0;
        if period > 0.0 && tolerance < period && period + tolerance < pause {
            p.rhythm.period_s = period;
            p.rhythm.tolerance_s = tolerance;
            p.rhythm.source = format!(
                "the expert's median interval between strokes ({period:.2} s, {} intervals; \
                 pauses of {pause:.0} s or more excluded) and half its interquartile range, \
                 from {source}",
                intervals.len()
            );
        }
    }
    p.validate(&format!("profile derived from {source}"))?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::synthetic::{session, StrokeSpec};

    #[test]
    fn percentiles_match_hand_values() {
        let v = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert_eq!(percentile(&v, 0.0), Some(10.0));
        assert_eq!(percentile(&v, 0.5), Some(30.0));
        assert_eq!(percentile(&v, 0.1), Some(14.0));
        assert_eq!(percentile(&v, 0.9), Some(46.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn window_and_rhythm_follow_the_expert() {
        // 41 strokes, peaks 25.0, 25.25, … 35.0 mmHg, one every 1.2 s.
        let specs: Vec<StrokeSpec> = (0..41)
            .map(|i| StrokeSpec::new(1.0 + 1.2 * i as f64, 25.0 + 0.25 * i as f64))
            .collect();
        let s = session(&specs);
        let base = Profile::default_profile();
        let p = profile_from_expert(&s, &base, "expert", "x.mld").expect("profile");
        // Peaks as the detector-free synthetic session reports them.
        let peaks = sorted_finite(s.strokes.iter().map(|x| x.peak.0));
        let want_lo = (percentile(&peaks, 0.1).expect("p10") * 2.0).floor() / 2.0;
        let want_hi = (percentile(&peaks, 0.9).expect("p90") * 2.0).ceil() / 2.0;
        assert_eq!(p.window.lo_mmhg.0, want_lo);
        assert_eq!(p.window.hi_mmhg.0, want_hi);
        assert!((26.0..=26.5).contains(&want_lo) && (34.0..=34.5).contains(&want_hi));
        assert!(
            (p.rhythm.period_s - 1.2).abs() < 0.011,
            "{}",
            p.rhythm.period_s
        );
        assert_eq!(p.rhythm.tolerance_s, 0.1);
        assert_eq!(p.danger, base.danger);
        assert!(p.window.source.contains("x.mld"));
        // It round-trips through TOML as a profile file.
        let text = toml::to_string(&p).expect("toml");
        assert_eq!(Profile::from_toml(&text, "test").expect("parse"), p);
    }

    #[test]
    fn dangerous_or_tiny_sessions_are_refused() {
        let hard: Vec<StrokeSpec> = (0..30)
            .map(|i| StrokeSpec::new(1.0 + i as f64, 60.0 + i as f64))
            .collect();
        let e = profile_from_expert(&session(&hard), &Profile::default_profile(), "e", "h.mld")
            .expect_err("danger");
        assert!(e.to_string().contains("danger"), "{e}");
        let few: Vec<StrokeSpec> = (0..5)
            .map(|i| StrokeSpec::new(1.0 + i as f64, 35.0))
            .collect();
        let e = profile_from_expert(&session(&few), &Profile::default_profile(), "e", "f.mld")
            .expect_err("few");
        assert!(e.to_string().contains("at least 20"), "{e}");
    }
}
