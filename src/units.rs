//! Physical quantities as types, so a pressure in mmHg cannot be mixed up with one in kPa or a
//! force in newtons.
//!
//! Conversion factors: 1 mmHg = 133.322 Pa; 1 kPa = 7.50062 mmHg (the conventional millimetre of
//! mercury, 133.322 387 415 Pa: BIPM, *The International System of Units*, 9th ed., 2019).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Pascals in one millimetre of mercury.
pub const PASCALS_PER_MMHG: f64 = 133.322_387_415;

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $unit:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl $name {
            /// The bare number, in this type's unit.
            pub const fn value(self) -> f64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if let Some(p) = f.precision() {
                    write!(f, "{:.*} {}", p, self.0, $unit)
                } else {
                    write!(f, "{} {}", self.0, $unit)
                }
            }
        }

        impl std::ops::Add for $name {
            type Output = Self;
            fn add(self, o: Self) -> Self {
                Self(self.0 + o.0)
            }
        }

        impl std::ops::Sub for $name {
            type Output = Self;
            fn sub(self, o: Self) -> Self {
                Self(self.0 - o.0)
            }
        }

        impl std::ops::Mul<f64> for $name {
            type Output = Self;
            fn mul(self, k: f64) -> Self {
                Self(self.0 * k)
            }
        }
    };
}

quantity!(
    /// Pressure in millimetres of mercury, the unit MLD teaching uses.
    Mmhg,
    "mmHg"
);
quantity!(
    /// Pressure in kilopascals.
    Kpa,
    "kPa"
);
quantity!(
    /// Force in newtons.
    Newtons,
    "N"
);
quantity!(
    /// Area in square millimetres (a sensor's active area).
    SquareMillimetres,
    "mm²"
);

impl SquareMillimetres {
    /// The active area of an FSR 402 (12.7 mm diameter), the glove's sensor: the area assumed
    /// where a file or a calibration names none.
    pub const FSR_402: SquareMillimetres = SquareMillimetres(126.7);
}

impl From<Kpa> for Mmhg {
    fn from(k: Kpa) -> Self {
        Mmhg(k.0 * 1000.0 / PASCALS_PER_MMHG)
    }
}

impl From<Mmhg> for Kpa {
    fn from(m: Mmhg) -> Self {
        Kpa(m.0 * PASCALS_PER_MMHG / 1000.0)
    }
}

impl Newtons {
    /// The pressure this force makes spread evenly over `area`.
    ///
    /// ```
    /// use mldsense::units::{Newtons, SquareMillimetres};
    /// // 0.68 N on an FSR 402 (12.7 mm diameter, 126.7 mm²) is about 40 mmHg.
    /// let p = Newtons(0.68).over(SquareMillimetres(126.7));
    /// assert!((p.0 - 40.26).abs() < 0.01);
    /// ```
    pub fn over(self, area: SquareMillimetres) -> Mmhg {
        // N / mm² = MPa.
        Mmhg(self.0 / area.0 * 1.0e6 / PASCALS_PER_MMHG)
    }
}

impl Mmhg {
    /// The force this pressure makes over `area`.
    pub fn times(self, area: SquareMillimetres) -> Newtons {
        Newtons(self.0 * PASCALS_PER_MMHG * area.0 / 1.0e6)
    }
}

/// The unit a channel of pressure data is stored in (BIDS `Units`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PressureUnit {
    /// Millimetres of mercury.
    #[serde(rename = "mmHg")]
    Mmhg,
    /// Kilopascals.
    #[serde(rename = "kPa")]
    Kpa,
    /// Newtons, turned into pressure by the sensor's area.
    #[serde(rename = "N")]
    Newtons,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpa_mmhg_round_trip() {
        let m: Mmhg = Kpa(1.0).into();
        assert!((m.0 - 7.50062).abs() < 1e-5);
        let k: Kpa = m.into();
        assert!((k.0 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn force_pressure_round_trip() {
        let a = SquareMillimetres(126.7);
        let f = Mmhg(35.0).times(a);
        assert!((f.over(a).0 - 35.0).abs() < 1e-9);
    }
}
