//! One sensor's curve from counts to force, and the documented default.

use crate::units::{Newtons, SquareMillimetres};
use mldsense_protocol::SensorKind;
use serde::{Deserialize, Serialize};

/// Force at the top of the ADC range for the default curve: 10 N. A convention (the FSR 400
/// series reads about 0.2–20 N; 10 N over an FSR 402 is about 590 mmHg, far above the 70 mmHg
/// danger line, yet keeps ~0.15 mmHg per count at 12 bits).
pub const DEFAULT_FULL_SCALE: Newtons = Newtons(10.0);

/// Force as a function of raw counts, which the glove makes proportional to conductance:
/// `F = a·x + b·x²` with `x = counts − zero_counts`.
///
/// Below the zero the curve is extended linearly (no clamping), so sensor noise around rest
/// averages to zero instead of being biased upwards.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensorCurve {
    /// Counts with no load (tare).
    pub zero_counts: f64,
    /// `a`: newtons per count above the zero.
    pub newtons_per_count: f64,
    /// `b`: newtons per count², 0 for a linear curve.
    #[serde(default)]
    pub quadratic: f64,
}

impl SensorCurve {
    /// A linear curve.
    pub const fn linear(zero_counts: f64, newtons_per_count: f64) -> Self {
        SensorCurve {
            zero_counts,
            newtons_per_count,
            quadratic: 0.0,
        }
    }

    /// The force `counts` mean.
    pub fn force(&self, counts: f64) -> Newtons {
        let x = counts - self.zero_counts;
        let quad = if x > 0.0 { self.quadratic * x * x } else { 0.0 };
        Newtons(self.newtons_per_count * x + quad)
    }

    /// The counts that read `force`: the inverse of [`SensorCurve::force`] (for the virtual
    /// glove). `None` when the curve is flat or the force is out of its range.
    pub fn counts_for(&self, force: Newtons) -> Option<f64> {
        let (a, b, f) = (self.newtons_per_count, self.quadratic, force.0);
        let x = if b == 0.0 || f <= 0.0 {
            if a == 0.0 {
                return None;
            }
            f / a
        } else {
            let disc = a * a + 4.0 * b * f;
            if disc < 0.0 {
                return None;
            }
            (-a + disc.sqrt()) / (2.0 * b)
        };
        x.is_finite().then_some(x + self.zero_counts)
    }
}

/// The default curve of a sensor kind at an ADC resolution: zero at 0 counts (the glove tares
/// itself) and [`DEFAULT_FULL_SCALE`] at the top count, linear in conductance. A convention, not
/// a measurement: FSR 402, 12-bit ADC → 10 N / 4095 counts ≈ 2.44 mN per count ≈ 0.145 mmHg per
/// count over 126.7 mm².
///
/// ```
/// use mldsense::calibration::default_curve;
/// use mldsense::units::SquareMillimetres;
/// use mldsense_protocol::SensorKind;
/// let curve = default_curve(SensorKind::FSR_402, 12);
/// let per_count = curve.force(1.0).over(SquareMillimetres(126.7));
/// assert!((per_count.0 - 0.1446).abs() < 1e-3);
/// ```
pub fn default_curve(kind: SensorKind, adc_bits: u8) -> SensorCurve {
    let _ = kind; // One convention for every kind for now; the kind is the key for later ones.
    let bits = u32::from(adc_bits.clamp(1, 16));
    let top = f64::from((1u32 << bits) - 1);
    SensorCurve::linear(0.0, DEFAULT_FULL_SCALE.0 / top)
}

/// The active area of a sensor kind, from the maker's data sheet; `None` when unknown.
pub fn default_area(kind: SensorKind) -> Option<SquareMillimetres> {
    match kind {
        // Interlink FSR 402: 12.7 mm diameter.
        SensorKind::FSR_402 => Some(SquareMillimetres(126.7)),
        // Interlink FSR 400: 5.08 mm diameter.
        SensorKind::FSR_400 => Some(SquareMillimetres(20.3)),
        // Interlink FSR 406: 38.1 mm square.
        SensorKind::FSR_406 => Some(SquareMillimetres(1451.6)),
        // Tekscan FlexiForce A201: 9.53 mm diameter.
        SensorKind::FLEXIFORCE_A201 => Some(SquareMillimetres(71.3)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_for_inverts_force() {
        for curve in [
            SensorCurve::linear(12.0, 0.0025),
            SensorCurve {
                zero_counts: 5.0,
                newtons_per_count: 0.002,
                quadratic: 1e-7,
            },
        ] {
            for f in [0.0, 0.1, 0.68, 3.0, 9.5] {
                let c = curve.counts_for(Newtons(f)).unwrap();
                assert!((curve.force(c).0 - f).abs() < 1e-9, "{curve:?} {f}");
            }
        }
    }

    #[test]
    fn default_is_ten_newtons_at_full_scale() {
        let c = default_curve(SensorKind::FSR_402, 12);
        assert!((c.force(4095.0).0 - 10.0).abs() < 1e-12);
        assert_eq!(c.force(0.0).0, 0.0);
        let c16 = default_curve(SensorKind::FSR_402, 16);
        assert!((c16.force(65535.0).0 - 10.0).abs() < 1e-12);
    }
}
