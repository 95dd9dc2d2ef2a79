//! Trainee styles: the statistics of how a given kind of trainee strokes (pressure, rhythm,
//! releases, fingers), so tests and benchmarks can ask for "a heavy-handed trainee" by name.
//!
//! The numbers are conventions chosen to make each style recognisable against the 30–40 mmHg
//! teaching window (Vodder-school MLD teaching: about one stroke a second, 5–7 strokes a spot).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of trainee the virtual glove imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// Mostly 30–40 mmHg, a regular rhythm of about one stroke a second, complete releases.
    Steady,
    /// Heavy-handed: often 45–80 mmHg, some strokes above the 70 mmHg danger line.
    Heavy,
    /// Too light: 15–28 mmHg.
    Light,
    /// Fast (about 1.6–2 strokes a second) with frequent incomplete releases.
    Rushed,
    /// Erratic: variable pressure and rhythm, uneven fingers, incomplete releases, jerky rises.
    Novice,
}

impl Style {
    /// Every style, in a fixed order (for benchmarks that sweep them).
    pub const ALL: [Style; 5] = [
        Style::Steady,
        Style::Heavy,
        Style::Light,
        Style::Rushed,
        Style::Novice,
    ];

    /// The style's name as used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Style::Steady => "steady",
            Style::Heavy => "heavy",
            Style::Light => "light",
            Style::Rushed => "rushed",
            Style::Novice => "novice",
        }
    }

    /// The statistics the stroke model draws from for this style.
    pub fn params(self) -> StyleParams {
        let base = StyleParams {
            peak_mean: 35.0,
            peak_sd: 2.3,
            peak_min: 29.0,
            peak_max: 42.0,
            working_s: (0.45, 0.65),
            rest_s: (0.35, 0.55),
            strokes_per_spot: (5, 7),
            lift_s: (2.0, 3.5),
            rest_level: (1.0, 4.0),
            incomplete_release_p: 0.05,
            ledge_fraction: (0.1, 0.25),
            double_hump_p: 0.12,
            dip_depth: (0.04, 0.12),
            jerk_p: 0.0,
            share_range: (0.6, 1.0),
            share_jitter: 0.0,
            peak_position: (0.35, 0.55),
            plateau: (0.0, 0.25),
        };
        match self {
            Style::Steady => base,
            Style::Heavy => StyleParams {
                peak_mean: 60.0,
                peak_sd: 11.0,
                peak_min: 40.0,
                peak_max: 95.0,
                incomplete_release_p: 0.1,
                ..base
            },
            Style::Light => StyleParams {
                peak_mean: 21.5,
                peak_sd: 3.0,
                peak_min: 15.0,
                peak_max: 28.0,
                ..base
            },
            Style::Rushed => StyleParams {
                peak_mean: 37.0,
                peak_sd: 5.0,
                peak_min: 24.0,
                peak_max: 55.0,
                working_s: (0.30, 0.38),
                rest_s: (0.18, 0.26),
                lift_s: (1.2, 2.0),
                incomplete_release_p: 0.5,
                ledge_fraction: (0.15, 0.4),
                ..base
            },
            Style::Novice => StyleParams {
                peak_mean: 38.0,
                peak_sd: 13.0,
                peak_min: 12.0,
                peak_max: 85.0,
                working_s: (0.35, 0.9),
                rest_s: (0.2, 0.9),
                strokes_per_spot: (3, 8),
                lift_s: (1.5, 5.0),
                incomplete_release_p: 0.3,
                ledge_fraction: (0.1, 0.4),
                double_hump_p: 0.3,
                dip_depth: (0.05, 0.18),
                jerk_p: 0.5,
                share_range: (0.25, 1.0),
                share_jitter: 0.25,
                peak_position: (0.25, 0.65),
                ..base
            },
        }
    }
}

impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Style {
    type Err = crate::error::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Style::ALL
            .into_iter()
            .find(|st| st.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| crate::error::Error::Config {
                context: "trainee style".into(),
                message: format!(
                    "unknown style {s:?}; expected one of steady, heavy, light, rushed, novice"
                ),
            })
    }
}

/// The distributions the stroke model draws from. Ranges are `(low, high)`, drawn uniformly.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StyleParams {
    /// Mean of the stroke's true peak (highest fingertip), mmHg.
    pub peak_mean: f64,
    /// Standard deviation of the peak, mmHg.
    pub peak_sd: f64,
    /// Lowest peak drawn (the normal draw is clamped), mmHg.
    pub peak_min: f64,
    /// Highest peak drawn, mmHg.
    pub peak_max: f64,
    /// Length of the working phase, seconds.
    pub working_s: (f64, f64),
    /// Length of the resting phase after a stroke, seconds.
    pub rest_s: (f64, f64),
    /// Strokes on one spot before the hand moves on (inclusive).
    pub strokes_per_spot: (u32, u32),
    /// The pause while the hand is lifted and moved to the next spot, seconds.
    pub lift_s: (f64, f64),
    /// The resting level with the hand on the skin and released, mmHg.
    pub rest_level: (f64, f64),
    /// Probability that a release stops on a ledge above the resting level.
    pub incomplete_release_p: f64,
    /// Height of a ledge as a fraction of the stroke's rise above the resting level.
    pub ledge_fraction: (f64, f64),
    /// Probability of a shallow double hump at the top of a stroke (still one stroke).
    pub double_hump_p: f64,
    /// Depth of the double hump's dip as a fraction of the stroke's amplitude.
    pub dip_depth: (f64, f64),
    /// Probability of a jerky (stalling) rise.
    pub jerk_p: f64,
    /// Share of the top fingertip's pressure the other fingertips carry, per spot.
    pub share_range: (f64, f64),
    /// Per-stroke random change of each fingertip's share (novices are uneven).
    pub share_jitter: f64,
    /// Where in the working phase the top is first reached (fraction; skew of the shape).
    pub peak_position: (f64, f64),
    /// Length of the plateau at the top (fraction of the working phase).
    pub plateau: (f64, f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Style::ALL {
            assert_eq!(s.name().parse::<Style>().ok(), Some(s));
        }
        assert!("gentle".parse::<Style>().is_err());
    }

    #[test]
    fn ranges_are_ordered() {
        for s in Style::ALL {
            let p = s.params();
            assert!(p.peak_min < p.peak_max, "{s}");
            assert!(p.working_s.0 <= p.working_s.1 && p.working_s.0 > 0.0, "{s}");
            assert!(p.rest_s.0 <= p.rest_s.1 && p.rest_s.0 > 0.0, "{s}");
            assert!(p.strokes_per_spot.0 >= 1, "{s}");
            assert!(p.peak_position.1 + p.plateau.1 < 0.95, "{s}");
        }
    }
}
