//! The shape of one working phase: a smooth rise from the start level to the peak, an optional
//! plateau (with an optional shallow dip, the "double hump" that is still one stroke), and a
//! smooth fall to the end level.
//!
//! Rise and fall are raised-cosine segments, so the noise-free curve leaves the start level at
//! exactly `u = 0` and reaches the end level at exactly `u = 1` with zero slope at both ends: the
//! ground-truth onset and offset are those instants, with no threshold involved.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// One working phase, in normalised time `u ∈ [0, 1]` over the phase.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrokeShape {
    /// Level the stroke rises from, mmHg (resting level or a ledge).
    pub start: f64,
    /// Top of the stroke, mmHg (the highest fingertip's true pressure).
    pub peak: f64,
    /// Level the stroke falls to, mmHg (resting level, or a ledge if the release is incomplete).
    pub end: f64,
    /// Where the rise ends and the top is first reached, as a fraction of the phase (skew).
    pub rise_end: f64,
    /// Where the fall starts, as a fraction of the phase (`>= rise_end`; the gap is the plateau).
    pub fall_start: f64,
    /// Depth of the dip in the plateau as a fraction of the stroke's amplitude (0: no dip).
    pub dip: f64,
    /// Strength of the stalls in the rise, 0 (smooth) to below 1 (stops briefly twice).
    pub jerk: f64,
}

impl StrokeShape {
    /// Pressure at normalised time `u` (clamped to `[0, 1]`), mmHg.
    pub fn at(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        if u < self.rise_end {
            let mut x = u / self.rise_end;
            if self.jerk > 0.0 {
                // Monotone warp with two stalls: d/dx = 1 - jerk·cos(6πx) >= 0 for jerk <= 1.
                x -= self.jerk * (6.0 * PI * x).sin() / (6.0 * PI);
            }
            self.start + (self.peak - self.start) * 0.5 * (1.0 - (PI * x).cos())
        } else if u <= self.fall_start {
            let width = self.fall_start - self.rise_end;
            if width <= 0.0 || self.dip <= 0.0 {
                self.peak
            } else {
                let y = (u - self.rise_end) / width;
                let amplitude = self.peak - self.start.max(self.end);
                self.peak - self.dip * amplitude * (PI * y).sin().powi(2)
            }
        } else {
            let x = (u - self.fall_start) / (1.0 - self.fall_start);
            self.end + (self.peak - self.end) * 0.5 * (1.0 + (PI * x).cos())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(dip: f64, jerk: f64) -> StrokeShape {
        StrokeShape {
            start: 3.0,
            peak: 35.0,
            end: 9.0,
            rise_end: 0.4,
            fall_start: 0.6,
            dip,
            jerk,
        }
    }

    #[test]
    fn ends_and_top_are_exact() {
        for s in [shape(0.0, 0.0), shape(0.15, 0.8)] {
            assert!((s.at(0.0) - 3.0).abs() < 1e-12);
            assert!((s.at(1.0) - 9.0).abs() < 1e-12);
            assert!((s.at(0.4) - 35.0).abs() < 1e-12);
            // Never above the peak, never below the lower end.
            for i in 0..=1000 {
                let v = s.at(i as f64 / 1000.0);
                assert!((3.0 - 1e-9..=35.0 + 1e-9).contains(&v), "{v}");
            }
        }
    }

    #[test]
    fn jerky_rise_is_still_monotone() {
        let s = shape(0.0, 0.9);
        let mut last = s.at(0.0);
        for i in 1..=400 {
            let v = s.at(0.4 * i as f64 / 400.0);
            assert!(v >= last - 1e-9, "rise went down at step {i}");
            last = v;
        }
    }

    proptest::proptest! {
        #[test]
        fn any_shape_starts_ends_and_peaks_where_it_says(
            start in 0.0f64..20.0,
            rise in 6.0f64..100.0,
            end_frac in 0.0f64..0.5,
            rise_end in 0.2f64..0.7,
            plateau in 0.0f64..0.25,
            dip in 0.0f64..0.2,
            jerk in 0.0f64..0.95,
        ) {
            let peak = start + rise;
            let s = StrokeShape {
                start,
                peak,
                end: start + end_frac * rise,
                rise_end,
                fall_start: (rise_end + plateau).min(0.9),
                dip,
                jerk,
            };
            proptest::prop_assert!((s.at(0.0) - s.start).abs() < 1e-9);
            proptest::prop_assert!((s.at(1.0) - s.end).abs() < 1e-9);
            proptest::prop_assert!((s.at(rise_end) - peak).abs() < 1e-9);
            let mut last = s.at(0.0);
            for i in 0..=500 {
                let u = i as f64 / 500.0;
                let v = s.at(u);
                proptest::prop_assert!(v <= peak + 1e-9 && v >= start.min(s.end) - 1e-9);
                // Rising part never goes down; the dip stays shallow (one stroke).
                if u <= rise_end {
                    proptest::prop_assert!(v >= last - 1e-9);
                }
                if u >= rise_end && u <= s.fall_start {
                    proptest::prop_assert!(v >= peak - 0.2 * (peak - start.max(s.end)) - 1e-9);
                }
                last = v;
            }
        }
    }

    #[test]
    fn double_hump_stays_shallow() {
        let s = shape(0.15, 0.0);
        let lowest = (0..=100)
            .map(|i| s.at(0.4 + 0.2 * i as f64 / 100.0))
            .fold(f64::INFINITY, f64::min);
        // Dip of 15 % of the amplitude above the higher end: 35 - 0.15·26 = 31.1.
        assert!((lowest - 31.1).abs() < 1e-3, "{lowest}");
    }
}
