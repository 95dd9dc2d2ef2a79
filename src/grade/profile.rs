//! Technique profiles: the target window, the danger level, the rhythm, the release rule and the
//! smaller conventions one body region or school grades against, as TOML with a source for
//! every default.
//!
//! Three profiles are built in (`default` = `trunk-limb`, `face-neck`, `fibrotic`); users can
//! write their own file in the same shape (see `profiles/default.toml`).

use crate::error::{Error, Result};
use crate::units::Mmhg;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The built-in profiles, by name, with their TOML text (embedded so the binary needs no files).
const BUILTINS: &[(&str, &str)] = &[
    ("default", include_str!("../../profiles/default.toml")),
    ("face-neck", include_str!("../../profiles/face-neck.toml")),
    ("fibrotic", include_str!("../../profiles/fibrotic.toml")),
];

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

    /// The `default` profile (trunk and limbs, 30–40 mmHg).
    pub fn default_profile() -> Profile {
        // The embedded file is checked by the tests; fall back to the same numbers in code only
        // so this cannot panic if someone breaks the file.
        Self::builtin("default").unwrap_or_else(|_| Profile {
            name: "default".into(),
            description: String::new(),
            window: WindowRule {
                lo_mmhg: Mmhg(30.0),
                hi_mmhg: Mmhg(40.0),
                source: "convention".into(),
            },
            danger: DangerRule {
                mmhg: Mmhg(70.0),
                source: "Eliska & Eliskova 1995".into(),
            },
            rhythm: RhythmRule {
                period_s: 1.0,
                tolerance_s: 0.3,
                pause_s: 3.0,
                source: "convention".into(),
            },
            release: ReleaseRule {
                within_mmhg: Mmhg(5.0),
                source: "convention".into(),
            },
            fingers: FingerRule {
                uneven_mmhg: Mmhg(12.0),
                source: "convention".into(),
            },
            rise: RiseRule {
                jerk_mmhg: Mmhg(3.0),
                source: "convention".into(),
            },
            working: WorkingRule {
                level_fraction: 0.8,
                min_time_in_window: 0.5,
                source: "convention".into(),
            },
        })
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
        let profile: Profile = toml::from_str(text).map_err(|e| Error::Config {
            context: context.to_string(),
            message: e.to_string(),
        })?;
        profile.validate(context)?;
        Ok(profile)
    }

    fn from_toml_at(text: &str, path: &Path) -> Result<Profile> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text.get(..s.start).map_or(0, |t| t.matches('\n').count()) as u64 + 1)
                .unwrap_or(0);
            Error::parse(path, line, e.message().to_string())
        })?;
        profile.validate(&path.display().to_string())?;
        Ok(profile)
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
