//! How sure a grade is: the pressure error the sensors' calibration leaves, and which strokes lie
//! so close to a window edge that this error alone could change their grade.
//!
//! With the default curve (no calibration file), pressure is only as good as the sensors'
//! part-to-part spread: ±6 % for the Interlink FSR 400 series (its data sheet), about
//! ±2 mmHg at 35 mmHg. With a calibration, the fit's RMS error takes its place.

use crate::calibration::Calibration;
use crate::units::{Mmhg, Newtons, SquareMillimetres};
use serde::{Deserialize, Serialize};

/// Part-to-part gain spread of an uncalibrated FSR 400-series sensor (Interlink data sheet).
pub const DEFAULT_CURVE_GAIN_ERROR: f64 = 0.06;

/// Where the pressure numbers' error comes from, and how large it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Certainty {
    /// The default curve: pressures are off by up to `gain_error` (a fraction) of their value.
    DefaultCurve {
        /// Relative error, e.g. 0.06 for ±6 %.
        gain_error: f64,
    },
    /// A calibration file: its fit error, as pressure, where the file records one.
    Calibrated {
        /// The largest RMS fit error over the sensors, mmHg (`None` when not recorded).
        fit_error_mmhg: Option<f64>,
    },
}

impl Default for Certainty {
    /// The default curve: what a session is graded with unless a calibration says otherwise.
    fn default() -> Self {
        Certainty::DefaultCurve {
            gain_error: DEFAULT_CURVE_GAIN_ERROR,
        }
    }
}

impl Certainty {
    /// From the calibration in use (`None`: the default curve). `area` converts a fit error in
    /// newtons to pressure when the file has no area of its own.
    pub fn of(calibration: Option<&Calibration>, area: SquareMillimetres) -> Certainty {
        let Some(cal) = calibration.filter(|c| !c.sensors.is_empty()) else {
            return Certainty::default();
        };
        let fit = cal
            .sensors
            .iter()
            .filter_map(|s| {
                let e: Newtons = s.rms_error?;
                Some(e.over(s.area.unwrap_or(area)).0)
            })
            .filter(|v| v.is_finite())
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        Certainty::Calibrated {
            fit_error_mmhg: fit,
        }
    }

    /// The error of a pressure reading of `at`, mmHg (0 when unknown).
    pub fn uncertainty_at(&self, at: Mmhg) -> Mmhg {
        match self {
            Certainty::DefaultCurve { gain_error } => Mmhg((gain_error * at.0).abs()),
            Certainty::Calibrated { fit_error_mmhg } => Mmhg(fit_error_mmhg.unwrap_or(0.0)),
        }
    }

    /// Whether grades are approximate (the default curve).
    pub fn is_approximate(&self) -> bool {
        matches!(self, Certainty::DefaultCurve { .. })
    }

    /// One sentence for every report and the live view, with the error at `reference` (the
    /// middle of the window).
    pub fn sentence(&self, reference: Mmhg) -> String {
        match self {
            Certainty::DefaultCurve { gain_error } => format!(
                "grades are approximate: default sensor curve, no calibration (±{:.0} % ≈ ±{:.0} mmHg at {:.0} mmHg); strokes within that of an edge are marked near edge",
                gain_error * 100.0,
                self.uncertainty_at(reference).0,
                reference.0
            ),
            Certainty::Calibrated {
                fit_error_mmhg: Some(e),
            } => format!(
                "calibrated sensors: fit error ±{e:.1} mmHg; strokes within that of an edge are marked near edge"
            ),
            Certainty::Calibrated {
                fit_error_mmhg: None,
            } => "calibrated sensors (the calibration records no fit error)".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_curve_is_two_mmhg_at_35() {
        let c = Certainty::default();
        assert!((c.uncertainty_at(Mmhg(35.0)).0 - 2.1).abs() < 1e-9);
        let s = c.sentence(Mmhg(35.0));
        assert!(
            s.contains("approximate") && s.contains("±6 %") && s.contains("±2 mmHg"),
            "{s}"
        );
    }

    #[test]
    fn calibration_uses_its_largest_fit_error() {
        let mut cal = Calibration::default();
        for (ch, e) in [(0, 0.01), (1, 0.05)] {
            cal.insert(crate::calibration::SensorCalibration {
                device_serial: 1,
                channel: ch,
                name: None,
                curve: crate::calibration::default_curve(
                    mldsense_protocol::SensorKind::FSR_402,
                    12,
                ),
                area: None,
                rms_error: Some(Newtons(e)),
            });
        }
        let c = Certainty::of(Some(&cal), SquareMillimetres(126.7));
        let want = Newtons(0.05).over(SquareMillimetres(126.7)).0;
        assert_eq!(
            c,
            Certainty::Calibrated {
                fit_error_mmhg: Some(want)
            }
        );
        assert!(!c.is_approximate());
        assert_eq!(
            Certainty::of(None, SquareMillimetres(1.0)),
            Certainty::default()
        );
    }
}
