//! Technique profiles: the target window, the danger level, the rhythm, the release rule and the
//! smaller conventions one body region or school grades against, as TOML with a source for
//! every default.
//!
//! Built in: `default` = `trunk-limb`, `face-neck`, `fibrotic`, and the three profiles measured
//! on certified therapists by lymphoedema stage (`xing-stage-1`, `-2`, `-3`, Xing et al. 2024).
//! Users can write their own file in the same shape (see `profiles/default.toml`); a section a
//! file leaves out is taken from `profiles/default.toml`, the one home of every default number.
//!
//! This module is also the one home of the rules those numbers feed: [`Profile::grade_of`] (a
//! peak against the window), [`Profile::is_danger`], [`Profile::pace_of`] (an interval against
//! the rhythm). The stroke grader, the live view, the simulator's truth and the benchmark all
//! call these; none holds a copy.

use super::stroke::{Flag, Grade};
use crate::error::{Error, Result};
use crate::units::Mmhg;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The built-in profiles, by name, with their TOML text (embedded so the binary needs no files).
const BUILTINS: &[(&str, &str)] = &[
    ("default", include_str!("../../profiles/default.toml")),
    ("face-neck", include_str!("../../profiles/face-neck.toml")),
    ("fibrotic", include_str!("../../profiles/fibrotic.toml")),
    (
        "xing-stage-1",
        include_str!("../../profiles/xing-stage-1.toml"),
    ),
    (
        "xing-stage-2",
        include_str!("../../profiles/xing-stage-2.toml"),
    ),
    (
        "xing-stage-3",
        include_str!("../../profiles/xing-stage-3.toml"),
    ),
];

/// The `default` profile's text: every other profile's missing sections come from here.
const DEFAULT_TOML: &str = include_str!("../../profiles/default.toml");

/// Other names accepted for built-in profiles.
const ALIASES: &[(&str, &str)] = &[("trunk-limb", "default")];

/// The pressure band a stroke's peak should land in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowRule {
    /// Lowest peak that counts as in the window.
    pub lo_mmhg: Mmhg,
    /// Highest peak that counts as in the window.
    pub hi_mmhg: Mmhg,
    /// Where the numbers come from, or that they are a convention.
    #[serde(default)]
    pub source: String,
}

/// The level that must never be reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DangerRule {
    /// Peaks at or above this are flagged as dangerous.
    pub mmhg: Mmhg,
    /// Where the number comes from.
    #[serde(default)]
    pub source: String,
}

/// The stroke rhythm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RhythmRule {
    /// Target time from one stroke's onset to the next, seconds.
    pub period_s: f64,
    /// How far the interval may stray from the target before it counts as rushed or dragging.
    pub tolerance_s: f64,
    /// Intervals at least this long are a pause (moving to the next spot), not a slow stroke.
    pub pause_s: f64,
    /// Where the numbers come from.
    #[serde(default)]
    pub source: String,
}

/// The release between strokes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseRule {
    /// The release is complete when pressure falls to within this much of the resting level.
    pub within_mmhg: Mmhg,
    /// Where the number comes from.
    #[serde(default)]
    pub source: String,
}

/// Balance across fingertips.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FingerRule {
    /// A fingertip pressing more than this above the median of the others is uneven.
    pub uneven_mmhg: Mmhg,
    /// Where the number comes from.
    #[serde(default)]
    pub source: String,
}

/// Smoothness of the rise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiseRule {
    /// A dip deeper than this on the way up to the peak makes the rise jerky.
    pub jerk_mmhg: Mmhg,
    /// Where the number comes from.
    #[serde(default)]
    pub source: String,
}

/// The working phase, for time in window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkingRule {
    /// The working phase is where the envelope is at least this fraction of the stroke's peak.
    pub level_fraction: f64,
    /// The share of the working phase that should sit in the window (reported, coached on).
    pub min_time_in_window: f64,
    /// Where the numbers come from.
    #[serde(default)]
    pub source: String,
}

/// The session score's pass mark and near-miss band (see `docs/SCORING.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreRule {
    /// A session passes with at least this score (0–100) and no stroke at the danger level.
    pub pass_mark: f64,
    /// A peak at most this far outside the window is a near miss and earns partial credit;
    /// further out it earns none.
    pub near_miss_mmhg: Mmhg,
    /// Where the numbers come from.
    #[serde(default)]
    pub source: String,
}

/// A technique profile: everything grading compares a stroke with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// A short name (`default`, `face-neck`, or the user's own).
    pub name: String,
    /// One line saying what the profile is for.
    #[serde(default)]
    pub description: String,
    /// The target window for each stroke's peak.
    pub window: WindowRule,
    /// The danger level.
    pub danger: DangerRule,
    /// The rhythm target.
    pub rhythm: RhythmRule,
    /// The release rule.
    pub release: ReleaseRule,
    /// Finger balance.
    pub fingers: FingerRule,
    /// Smoothness of the rise.
    pub rise: RiseRule,
    /// Time in window during the working phase.
    pub working: WorkingRule,
    /// Pass mark and near-miss band of the score.
    pub score: ScoreRule,
}

/// How an interval between two stroke onsets compares with the rhythm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pace {
    /// Shorter than `period − tolerance`.
    Rushed,
    /// Within `period ± tolerance`.
    OnBeat,
    /// Longer than `period + tolerance` but shorter than a pause.
    Dragging,
    /// At least `pause_s`: the hand moved on to the next spot; not graded.
    Pause,
}

/// The window rule itself, for callers that hold only the two edges (the live view's bars, the
/// benchmark's window): edges belong to the window; a peak that is not a number is too light.
pub fn grade_in_window(peak: Mmhg, lo: Mmhg, hi: Mmhg) -> Grade {
    if peak.0 > hi.0 {
        Grade::TooHard
    } else if peak.0 >= lo.0 {
        Grade::InWindow
    } else {
        Grade::TooLight
    }
}

impl Profile {
    /// The names of the built-in profiles (aliases not included).
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTINS.iter().map(|(n, _)| *n)
    }

    /// A built-in profile by name (`default`, `trunk-limb`, `face-neck`, `fibrotic`).
    pub fn builtin(name: &str) -> Result<Profile> {
        let canonical = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, target)| *target);
        let text = BUILTINS
            .iter()
            .find(|(n, _)| *n == canonical)
            .map(|(_, t)| *t)
            .ok_or_else(|| Error::Config {
                context: format!("profile `{name}`"),
                message: format!(
                    "no such built-in profile (built-ins: {}, trunk-limb)",
                    Self::builtin_names().collect::<Vec<_>>().join(", ")
                ),
            })?;
        Self::from_toml(text, &format!("built-in profile `{canonical}`"))
    }

    /// The `default` profile (`profiles/default.toml`, embedded in the binary).
    pub fn default_profile() -> Profile {
        // The embedded file is a build input, not user input; `every_builtin_parses_and_is_valid`
        // checks it, so this cannot fail in a tested build. Keeping no copy of its numbers in
        // code is the point: the defaults live in the TOML only.
        Self::builtin("default").expect("profiles/default.toml is valid (checked by the tests)")
    }

    /// Reads a profile from a TOML file.
    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml_at(&text, path)
    }

    /// A built-in name, or else a path to a TOML file: what `--profile NAME|FILE` takes.
    pub fn resolve(name_or_file: &str) -> Result<Profile> {
        if Self::builtin_names().any(|n| n == name_or_file)
            || ALIASES.iter().any(|(a, _)| *a == name_or_file)
        {
            return Self::builtin(name_or_file);
        }
        let path = Path::new(name_or_file);
        if path.exists() {
            Self::load(path)
        } else {
            Err(Error::Config {
                context: format!("--profile {name_or_file}"),
                message: format!(
                    "neither a built-in profile ({}, trunk-limb) nor an existing file",
                    Self::builtin_names().collect::<Vec<_>>().join(", ")
                ),
            })
        }
    }

    /// Parses profile TOML; `context` names where it came from in errors.
    pub fn from_toml(text: &str, context: &str) -> Result<Profile> {
        let profile = Self::parse_with_defaults(text).map_err(|e| Error::Config {
            context: context.to_string(),
            message: e.to_string(),
        })?;
        profile.validate(context)?;
        Ok(profile)
    }

    fn from_toml_at(text: &str, path: &Path) -> Result<Profile> {
        let profile = Self::parse_with_defaults(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text.get(..s.start).map_or(0, |t| t.matches('\n').count()) as u64 + 1)
                .unwrap_or(0);
            Error::parse(path, line, e.message().to_string())
        })?;
        profile.validate(&path.display().to_string())?;
        Ok(profile)
    }

    /// Parses `text`, filling every top-level section it leaves out (`[score]` in a file written
    /// before it existed, say) from `profiles/default.toml`, so older files keep working and no
    /// default number is written twice.
    fn parse_with_defaults(text: &str) -> std::result::Result<Profile, toml::de::Error> {
        let mut table: toml::Table = toml::from_str(text)?;
        if let Ok(defaults) = toml::from_str::<toml::Table>(DEFAULT_TOML) {
            for (key, value) in defaults {
                if key != "name" && key != "description" {
                    table.entry(key).or_insert(value);
                }
            }
        }
        // Re-parse the merged text so errors still carry spans into the user's file when the
        // user's own values are wrong (the defaults are valid).
        match toml::Value::Table(table).try_into::<Profile>() {
            Ok(p) => Ok(p),
            Err(_) => toml::from_str(text),
        }
    }

    /// The same profile with the target window replaced (`--window-mmhg LO:HI`).
    pub fn with_window(mut self, lo: Mmhg, hi: Mmhg) -> Result<Profile> {
        self.window.lo_mmhg = lo;
        self.window.hi_mmhg = hi;
        self.window.source = format!("set on the command line ({}–{} mmHg)", lo.0, hi.0);
        self.validate("--window-mmhg")?;
        Ok(self)
    }

    /// Parses `LO:HI` (mmHg) as given to `--window-mmhg`.
    pub fn parse_window(spec: &str) -> Result<(Mmhg, Mmhg)> {
        let bad = |m: &str| Error::Config {
            context: format!("--window-mmhg {spec}"),
            message: m.to_string(),
        };
        let (lo, hi) = spec
            .split_once(':')
            .ok_or_else(|| bad("expected LO:HI in mmHg, such as 30:40"))?;
        let lo: f64 = lo.trim().parse().map_err(|_| bad("LO is not a number"))?;
        let hi: f64 = hi.trim().parse().map_err(|_| bad("HI is not a number"))?;
        Ok((Mmhg(lo), Mmhg(hi)))
    }

    /// Checks that the numbers make sense together: a finite, ordered window below the danger
    /// level (so coaching toward the window can never push past danger), positive rhythm.
    pub fn validate(&self, context: &str) -> Result<()> {
        let bad = |m: String| {
            Err(Error::Config {
                context: context.to_string(),
                message: m,
            })
        };
        let (lo, hi, danger) = (
            self.window.lo_mmhg.0,
            self.window.hi_mmhg.0,
            self.danger.mmhg.0,
        );
        if !(lo.is_finite() && hi.is_finite() && danger.is_finite()) {
            return bad("window and danger level must be finite numbers".into());
        }
        if !(0.0..hi).contains(&lo) {
            return bad(format!("window {lo}–{hi} mmHg: need 0 <= LO < HI"));
        }
        if hi >= danger {
            return bad(format!(
                "window top {hi} mmHg must be below the danger level {danger} mmHg"
            ));
        }
        let r = &self.rhythm;
        if !(r.period_s > 0.0 && r.tolerance_s >= 0.0 && r.tolerance_s < r.period_s) {
            return bad("rhythm: need period_s > 0 and 0 <= tolerance_s < period_s".into());
        }
        if r.pause_s.is_nan() || r.pause_s <= r.period_s + r.tolerance_s {
            return bad("rhythm: pause_s must be longer than period_s + tolerance_s".into());
        }
        let positive = [
            ("release.within_mmhg", self.release.within_mmhg.0),
            ("fingers.uneven_mmhg", self.fingers.uneven_mmhg.0),
            ("rise.jerk_mmhg", self.rise.jerk_mmhg.0),
        ];
        for (name, v) in positive {
            if v.is_nan() || v < 0.0 {
                return bad(format!("{name} must be a number >= 0"));
            }
        }
        let sc = &self.score;
        if !((0.0..=100.0).contains(&sc.pass_mark) && sc.near_miss_mmhg.0 >= 0.0) {
            return bad("score: need 0 <= pass_mark <= 100 and near_miss_mmhg >= 0".into());
        }
        let w = &self.working;
        if !((0.0..=1.0).contains(&w.level_fraction) && (0.0..=1.0).contains(&w.min_time_in_window))
        {
            return bad("working: level_fraction and min_time_in_window must be in 0..=1".into());
        }
        Ok(())
    }

    /// The middle of the window: the level coaching aims a trainee at.
    pub fn window_mid(&self) -> Mmhg {
        Mmhg((self.window.lo_mmhg.0 + self.window.hi_mmhg.0) / 2.0)
    }

    /// The grade of a peak: the one window rule. Edges belong to the window. A peak that is not
    /// a number (a stroke nothing could be measured of) is too light: it cannot be credited as
    /// in the window, and calling it too hard would raise a false alarm.
    pub fn grade_of(&self, peak: Mmhg) -> Grade {
        grade_in_window(peak, self.window.lo_mmhg, self.window.hi_mmhg)
    }

    /// Signed mmHg a peak lies outside the window: negative below, positive above, 0 inside
    /// (and 0 for a peak that is not a number).
    pub fn miss_of(&self, peak: Mmhg) -> Mmhg {
        let (lo, hi) = (self.window.lo_mmhg.0, self.window.hi_mmhg.0);
        Mmhg(match self.grade_of(peak) {
            Grade::TooHard => peak.0 - hi,
            Grade::TooLight if peak.0.is_finite() => peak.0 - lo,
            _ => 0.0,
        })
    }

    /// Whether a peak reached the danger level (at or above it).
    pub fn is_danger(&self, peak: Mmhg) -> bool {
        peak.0 >= self.danger.mmhg.0
    }

    /// Whether a peak lies within `uncertainty` of either window edge, so that the sensor's
    /// error alone could change its grade.
    pub fn near_edge(&self, peak: Mmhg, uncertainty: Mmhg) -> bool {
        let u = uncertainty.0;
        peak.0.is_finite()
            && u > 0.0
            && [self.window.lo_mmhg.0, self.window.hi_mmhg.0]
                .iter()
                .any(|edge| (peak.0 - edge).abs() <= u)
    }

    /// How an interval between onsets (seconds) compares with the rhythm: the one pace rule,
    /// used per stroke by the grader and shown as it is by the live view.
    pub fn pace_of(&self, interval_s: f64) -> Pace {
        let r = &self.rhythm;
        if interval_s >= r.pause_s || interval_s.is_nan() {
            Pace::Pause
        } else if interval_s < r.period_s - r.tolerance_s {
            Pace::Rushed
        } else if interval_s > r.period_s + r.tolerance_s {
            Pace::Dragging
        } else {
            Pace::OnBeat
        }
    }

    /// The flag a pace earns, if any.
    pub fn pace_flag(pace: Pace) -> Option<Flag> {
        match pace {
            Pace::Rushed => Some(Flag::Rushed),
            Pace::Dragging => Some(Flag::Dragging),
            Pace::OnBeat | Pace::Pause => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_is_valid() {
        for name in Profile::builtin_names() {
            let p = Profile::builtin(name).unwrap();
            assert_eq!(p.name, name);
            assert!(p.window.hi_mmhg.0 < p.danger.mmhg.0);
            assert!(!p.window.source.is_empty() && !p.danger.source.is_empty());
        }
        assert_eq!(Profile::builtin("trunk-limb").unwrap().name, "default");
        assert_eq!(
            Profile::default_profile(),
            Profile::builtin("default").unwrap()
        );
    }

    #[test]
    fn face_is_lighter_and_fibrotic_firmer() {
        let d = Profile::builtin("default").unwrap();
        let f = Profile::builtin("face-neck").unwrap();
        let x = Profile::builtin("fibrotic").unwrap();
        assert!(f.window.hi_mmhg.0 < d.window.hi_mmhg.0);
        assert!(x.window.lo_mmhg.0 > d.window.lo_mmhg.0);
    }

    #[test]
    fn window_override_is_checked() {
        let p = Profile::default_profile();
        let q = p.clone().with_window(Mmhg(25.0), Mmhg(35.0)).unwrap();
        assert_eq!(q.window.lo_mmhg, Mmhg(25.0));
        assert!(p.clone().with_window(Mmhg(40.0), Mmhg(30.0)).is_err());
        assert!(p.with_window(Mmhg(30.0), Mmhg(80.0)).is_err());
        assert_eq!(
            Profile::parse_window("30:40").unwrap(),
            (Mmhg(30.0), Mmhg(40.0))
        );
        assert!(Profile::parse_window("30-40").is_err());
    }

    #[test]
    fn unknown_names_and_bad_files_name_the_place() {
        let e = Profile::resolve("no-such-profile").unwrap_err().to_string();
        assert!(e.contains("no-such-profile"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "name = \"x\"\n[window]\nlo_mmhg = \"thirty\"\n").unwrap();
        let e = Profile::resolve(path.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.toml:3"), "{e}");
    }
}
