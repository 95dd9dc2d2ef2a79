//! One place for what is physically implausible in the data: a pressure no hand on a glove can
//! make, and a calibration no sensor can have.
//!
//! A broken sensor, a wrong unit or a wrong calibration shows up as numbers that cannot be
//! real. They are never passed on silently:
//!
//! | what | rule | what happens |
//! |---|---|---|
//! | a pressure below [`NEGATIVE_MARGIN`] (−5 mmHg) | a force pushes, it never pulls; rest noise is a few mmHg either way | a warning naming the file, channel, time and value (the sample is kept: an offset is still data) |
//! | a pressure that is `inf`, or above [`MAX_PLAUSIBLE`] (2000 mmHg, ~27 N/cm²: far above any FSR's range and 30× the danger line) | a broken sensor or a unit error | a warning with the place, and the sample becomes `NaN` (missing), so reports never print a 300-digit peak |
//! | a calibration slope ≤ 0, not finite, or above [`MAX_NEWTONS_PER_COUNT`] (100 N per count: a whole FSR's range in one count) | a sign error or a unit error in the calibration | an error: nothing sensible can follow |
//! | a sensor area ≤ 0, not finite, or above [`MAX_AREA_MM2`] (10 000 mm², a whole palm) | the same | an error |
//!
//! `NaN` itself is not implausible: it is how lost rows travel.

use crate::units::Mmhg;

/// Below this a pressure is implausible (rest noise and a slightly off tare stay above it).
pub const NEGATIVE_MARGIN: Mmhg = Mmhg(-5.0);

/// Above this a pressure is implausible: a broken sensor, a unit or calibration error.
pub const MAX_PLAUSIBLE: Mmhg = Mmhg(2000.0);

/// The steepest plausible calibration slope, newtons per count.
pub const MAX_NEWTONS_PER_COUNT: f64 = 100.0;

/// The largest plausible sensor area, mm².
pub const MAX_AREA_MM2: f64 = 10_000.0;

/// What is wrong with one pressure value, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implausible {
    /// Below [`NEGATIVE_MARGIN`]: kept, warned about.
    Negative,
    /// Infinite or above [`MAX_PLAUSIBLE`]: dropped (`NaN`), warned about.
    TooLarge,
}

impl Implausible {
    /// Classifies `v`; `None` when it is plausible (or `NaN`, a lost sample).
    pub fn of(v: f64) -> Option<Implausible> {
        if v.is_nan() {
            None
        } else if v > MAX_PLAUSIBLE.0 || v == f64::INFINITY {
            Some(Implausible::TooLarge)
        } else if v < NEGATIVE_MARGIN.0 {
            Some(Implausible::Negative)
        } else {
            None
        }
    }
}

/// A short, readable form of a value that may be absurd: `1e300` stays `1e300`, not 300 digits.
pub fn show(v: f64) -> String {
    if v.is_finite() && v.abs() < 1e6 {
        format!("{v:.1}")
    } else {
        format!("{v:e}")
    }
}

/// Checks every value of a stream as it goes by, keeping the first place and the count of each
/// kind of implausible value per channel, and replacing the ones that cannot be used by `NaN`.
#[derive(Clone, Debug, Default)]
pub struct PressureCheck {
    /// Per channel, per kind (negative, too large): (count, first row, first value).
    seen: Vec<[Option<(u64, u64, f64)>; 2]>,
}

impl PressureCheck {
    /// A check that has seen nothing.
    pub fn new(channels: usize) -> Self {
        PressureCheck {
            seen: vec![[None, None]; channels],
        }
    }

    /// Checks row-major `values` (`channels` a row) whose first row is `start_row`, replacing
    /// infinite and absurdly large values by `NaN`.
    pub fn check(&mut self, start_row: u64, values: &mut [f64]) {
        let channels = self.seen.len().max(1);
        for (i, v) in values.iter_mut().enumerate() {
            let Some(kind) = Implausible::of(*v) else {
                continue;
            };
            let ch = i % channels;
            let row = start_row + (i / channels) as u64;
            let k = match kind {
                Implausible::Negative => 0,
                Implausible::TooLarge => 1,
            };
            if let Some(slot) = self.seen.get_mut(ch).and_then(|s| s.get_mut(k)) {
                match slot {
                    Some((n, _, _)) => *n += 1,
                    None => *slot = Some((1, row, *v)),
                }
            }
            if kind == Implausible::TooLarge {
                *v = f64::NAN;
            }
        }
    }

    /// One sentence per channel and kind found, naming `source`, the channel, the first time
    /// (at `rate_hz`, offset by `start_s`) and value, and how many.
    pub fn warnings(
        &self,
        source: &str,
        channel_names: &[String],
        rate_hz: f64,
        start_s: f64,
    ) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (ch, kinds) in self.seen.iter().enumerate() {
            let name = channel_names
                .get(ch)
                .cloned()
                .unwrap_or_else(|| format!("ch{ch}"));
            for (k, found) in kinds.iter().enumerate() {
                let Some((n, row, v)) = found else { continue };
                let t = if rate_hz > 0.0 {
                    start_s + *row as f64 / rate_hz
                } else {
                    0.0
                };
                let place = format!("{source}: channel {name}, row {row} ({t:.3} s)");
                let msg = if k == 0 {
                    format!(
                        "{place}: pressure {} mmHg is implausibly negative (below {} mmHg; {n} such sample(s)): a bad tare, an offset or a wrong calibration; the sensor cannot pull",
                        show(*v),
                        NEGATIVE_MARGIN.0
                    )
                } else {
                    format!(
                        "{place}: pressure {} mmHg is implausible (above {} mmHg or infinite; {n} such sample(s)): a broken sensor or a unit or calibration error; these samples were dropped as missing",
                        show(*v),
                        MAX_PLAUSIBLE.0
                    )
                };
                out.push((ch, msg));
            }
        }
        out
    }
}

/// Why a calibration slope (newtons per count) is implausible, if it is.
pub fn slope_problem(newtons_per_count: f64) -> Option<String> {
    if !newtons_per_count.is_finite() || newtons_per_count <= 0.0 {
        Some(format!(
            "newtons_per_count must be positive and finite, got {}",
            show(newtons_per_count)
        ))
    } else if newtons_per_count > MAX_NEWTONS_PER_COUNT {
        Some(format!(
            "newtons_per_count {} is implausible (above {MAX_NEWTONS_PER_COUNT} N per count: a unit error?)",
            show(newtons_per_count)
        ))
    } else {
        None
    }
}

/// Why a sensor area (mm²) is implausible, if it is.
pub fn area_problem(area_mm2: f64) -> Option<String> {
    if !area_mm2.is_finite() || area_mm2 <= 0.0 {
        Some(format!(
            "area_mm2 must be positive and finite, got {}",
            show(area_mm2)
        ))
    } else if area_mm2 > MAX_AREA_MM2 {
        Some(format!(
            "area_mm2 {} is implausible (above {MAX_AREA_MM2} mm²)",
            show(area_mm2)
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_classified_by_physics() {
        assert_eq!(Implausible::of(30.0), None);
        assert_eq!(Implausible::of(-2.0), None);
        assert_eq!(Implausible::of(f64::NAN), None);
        assert_eq!(Implausible::of(-15.0), Some(Implausible::Negative));
        assert_eq!(Implausible::of(1e300), Some(Implausible::TooLarge));
        assert_eq!(Implausible::of(f64::INFINITY), Some(Implausible::TooLarge));
        assert_eq!(
            Implausible::of(f64::NEG_INFINITY),
            Some(Implausible::Negative)
        );
    }

    #[test]
    fn absurd_values_are_dropped_and_their_place_named() {
        let mut c = PressureCheck::new(2);
        let mut v = vec![1.0, 2.0, 1e300, -15.0, f64::INFINITY, 3.0];
        c.check(10, &mut v);
        assert!(v[2].is_nan() && v[4].is_nan());
        assert_eq!(v[3], -15.0);
        let w = c.warnings("x.mld", &["thumb".into(), "index".into()], 100.0, 0.0);
        assert_eq!(w.len(), 2);
        assert!(w.iter().any(|(_, m)| m.contains("thumb, row 11")
            && m.contains("1e300")
            && m.contains("2 such")));
        assert!(w
            .iter()
            .any(|(_, m)| m.contains("index, row 11") && m.contains("-15.0")));
    }

    #[test]
    fn calibrations_are_checked_for_sign_and_size() {
        assert!(slope_problem(0.0).is_some());
        assert!(slope_problem(-0.002).is_some());
        assert!(slope_problem(1e6).is_some());
        assert!(slope_problem(f64::NAN).is_some());
        assert!(slope_problem(0.0024).is_none());
        assert!(area_problem(126.7).is_none());
        assert!(area_problem(0.0).is_some());
    }
}
