//! Fitting a sensor's curve to known loads: least squares on conductance.
//!
//! The glove's counts are proportional to the sensor's conductance, and FSR force is close to
//! linear in conductance (Tekscan), so the fit is a least-squares line through the tare point
//! (`F = a·x`, `x = counts − zero`), or with a quadratic term (`F = a·x + b·x²`) to take up the
//! residual curvature. Both are pure functions of the measurements, tested on synthetic data.
//!
//! The least squares are written as what they are, dot products of the loaded readings `x`,
//! their squares `x²` and the forces `f` (`ndarray`): the normal equations of `F = a·x` are
//! `a·(x·x) = x·f`, those of `F = a·x + b·x²` the 2 × 2 system of `x`, `x²` against `f`.

use super::SensorCurve;
use crate::error::{Error, Result};
use crate::units::{Mmhg, Newtons, SquareMillimetres};
use ndarray::Array1;

/// Standard gravity, m/s², to turn calibration masses into forces.
pub const STANDARD_GRAVITY: f64 = 9.806_65;

/// The force of a mass of `grams` under standard gravity.
pub fn grams_to_newtons(grams: f64) -> Newtons {
    Newtons(grams / 1000.0 * STANDARD_GRAVITY)
}

/// One measurement: the mean counts under a known force.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrationPoint {
    /// Mean counts over the averaging window.
    pub counts: f64,
    /// The applied force.
    pub force: Newtons,
}

/// Which curve to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurveModel {
    /// `F = a·x`: needs one loaded point.
    Linear,
    /// `F = a·x + b·x²`: needs two loaded points at different counts.
    Quadratic,
}

/// A fitted curve and how well it fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    /// The curve, zero at the tare counts.
    pub curve: SensorCurve,
    /// Root-mean-square error of the fit over the points.
    pub rms: Newtons,
    /// The same error as pressure over the sensor's area, when the area is known.
    pub rms_pressure: Option<Mmhg>,
    /// Points used.
    pub points: usize,
}

/// Fits a curve through `zero_counts` (the tare reading) to `points`.
///
/// # Errors
/// [`Error::Unsupported`] when there are too few points, the points do not rise above the tare,
/// or the result is not a rising curve.
pub fn fit_sensor(
    zero_counts: f64,
    points: &[CalibrationPoint],
    model: CurveModel,
    area: Option<SquareMillimetres>,
) -> Result<Fit> {
    let xs: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.counts - zero_counts, p.force.0))
        .filter(|(x, f)| x.is_finite() && f.is_finite())
        .collect();
    let loaded = xs.iter().filter(|(x, _)| x.abs() > f64::EPSILON).count();
    let need = match model {
        CurveModel::Linear => 1,
        CurveModel::Quadratic => 2,
    };
    if loaded < need {
        return Err(Error::Unsupported(format!(
            "a {model:?} fit needs {need} loaded point(s) reading above the tare; got {loaded} (is the sensor connected?)"
        )));
    }
    // The readings and the forces as vectors, one element per point (both built from `xs`, so
    // every dot product below is between vectors of the same length and cannot panic).
    let x: Array1<f64> = xs.iter().map(|&(x, _)| x).collect();
    let f: Array1<f64> = xs.iter().map(|&(_, f)| f).collect();
    let (a, b) = match model {
        CurveModel::Linear => (x.dot(&f) / x.dot(&x), 0.0),
        CurveModel::Quadratic => {
            // Normal equations of F = a·x + b·x², solved by Cramer's rule.
            let x2 = &x * &x;
            let (s2, s3, s4) = (x.dot(&x), x.dot(&x2), x2.dot(&x2));
            let (sf1, sf2) = (x.dot(&f), x2.dot(&f));
            let det = s2 * s4 - s3 * s3;
            if det.abs() <= 1e-12 * s2 * s4 {
                return Err(Error::Unsupported(
                    "a quadratic fit needs loaded points at clearly different readings".into(),
                ));
            }
            ((sf1 * s4 - sf2 * s3) / det, (s2 * sf2 - s3 * sf1) / det)
        }
    };
    if !(a.is_finite() && b.is_finite() && a > 0.0) {
        return Err(Error::Unsupported(format!(
            "the fit does not rise with load (slope {a:.3e} N/count): check the weights sit on the sensor"
        )));
    }
    let curve = SensorCurve {
        zero_counts,
        newtons_per_count: a,
        quadratic: b,
    };
    let sse: f64 = xs
        .iter()
        .map(|&(x, f)| {
            let e = curve.force(x + zero_counts).0 - f;
            e * e
        })
        .sum();
    let rms = Newtons((sse / xs.len() as f64).sqrt());
    Ok(Fit {
        curve,
        rms,
        rms_pressure: area.map(|a| rms.over(a)),
        points: xs.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(curve: &SensorCurve, grams: &[f64], noise: &[f64]) -> Vec<CalibrationPoint> {
        grams
            .iter()
            .zip(noise.iter().cycle())
            .map(|(&g, &n)| {
                let force = grams_to_newtons(g);
                CalibrationPoint {
                    counts: curve.counts_for(force).unwrap() + n,
                    force,
                }
            })
            .collect()
    }

    /// The fit by the plain running sums it was first written with: the reference the ndarray
    /// dot products are checked against.
    fn plain_fit(zero: f64, pts: &[CalibrationPoint], model: CurveModel) -> (f64, f64) {
        let xs: Vec<(f64, f64)> = pts.iter().map(|p| (p.counts - zero, p.force.0)).collect();
        match model {
            CurveModel::Linear => {
                let sxx: f64 = xs.iter().map(|(x, _)| x * x).sum();
                let sxf: f64 = xs.iter().map(|(x, f)| x * f).sum();
                (sxf / sxx, 0.0)
            }
            CurveModel::Quadratic => {
                let (mut s2, mut s3, mut s4, mut sf1, mut sf2) = (0.0, 0.0, 0.0, 0.0, 0.0);
                for &(x, f) in &xs {
                    s2 += x * x;
                    s3 += x * x * x;
                    s4 += x * x * x * x;
                    sf1 += x * f;
                    sf2 += x * x * f;
                }
                let det = s2 * s4 - s3 * s3;
                ((sf1 * s4 - sf2 * s3) / det, (s2 * sf2 - s3 * sf1) / det)
            }
        }
    }

    #[test]
    fn dot_products_match_the_plain_sums() {
        // Up to 20 points (ndarray's dot adds in lanes of eight: a reordered sum, so equal
        // within rounding, not bit for bit).
        let truth = SensorCurve {
            zero_counts: 12.0,
            newtons_per_count: 0.0021,
            quadratic: 2e-7,
        };
        let grams: Vec<f64> = (1..=20).map(|k| f64::from(k) * 25.0).collect();
        for n in [1, 2, 3, 7, 8, 9, 16, 20] {
            let pts = points(&truth, &grams[..n], &[1.5, -2.0, 0.5, 0.0, -1.0]);
            for model in [CurveModel::Linear, CurveModel::Quadratic] {
                let Ok(fit) = fit_sensor(12.0, &pts, model, None) else {
                    assert!(model == CurveModel::Quadratic && n < 2);
                    continue;
                };
                let (a, b) = plain_fit(12.0, &pts, model);
                let close = |got: f64, want: f64| (got - want).abs() <= 1e-9 * want.abs();
                assert!(close(fit.curve.newtons_per_count, a), "{n} {model:?}: {a}");
                assert!(close(fit.curve.quadratic, b), "{n} {model:?}: {b}");
            }
        }
    }

    #[test]
    fn linear_fit_recovers_exact_slope() {
        let truth = SensorCurve::linear(20.0, 0.0026);
        let pts = points(&truth, &[50.0, 100.0, 200.0], &[0.0]);
        let fit = fit_sensor(
            20.0,
            &pts,
            CurveModel::Linear,
            Some(SquareMillimetres(126.7)),
        )
        .unwrap();
        assert!((fit.curve.newtons_per_count - 0.0026).abs() < 1e-12);
        assert!(fit.rms.0 < 1e-12);
        assert_eq!(fit.points, 3);
    }

    #[test]
    fn linear_fit_matches_closed_form_with_noise() {
        // Noise ±2 counts: slope is Σxf/Σx², computed here by hand.
        let truth = SensorCurve::linear(0.0, 0.0025);
        let pts = points(&truth, &[50.0, 100.0, 200.0], &[2.0, -2.0, 1.0]);
        let (sxf, sxx) = pts.iter().fold((0.0, 0.0), |(a, b), p| {
            (a + p.counts * p.force.0, b + p.counts * p.counts)
        });
        let fit = fit_sensor(0.0, &pts, CurveModel::Linear, None).unwrap();
        assert!((fit.curve.newtons_per_count - sxf / sxx).abs() < 1e-15);
        assert!(fit.rms.0 > 0.0 && fit.rms.0 < 0.01);
        assert!(fit.rms_pressure.is_none());
    }

    #[test]
    fn quadratic_fit_recovers_curvature() {
        let truth = SensorCurve {
            zero_counts: 10.0,
            newtons_per_count: 0.002,
            quadratic: 3e-7,
        };
        let pts = points(&truth, &[50.0, 100.0, 200.0, 400.0], &[0.0]);
        let fit = fit_sensor(10.0, &pts, CurveModel::Quadratic, None).unwrap();
        assert!((fit.curve.newtons_per_count - 0.002).abs() < 1e-9);
        assert!((fit.curve.quadratic - 3e-7).abs() < 1e-12);
        assert!(fit.rms.0 < 1e-9);
    }

    #[test]
    fn rms_in_mmhg_is_force_over_area() {
        let truth = SensorCurve::linear(0.0, 0.0025);
        let pts = points(&truth, &[50.0, 200.0], &[3.0, -1.0]);
        let area = SquareMillimetres(126.7);
        let fit = fit_sensor(0.0, &pts, CurveModel::Linear, Some(area)).unwrap();
        assert!((fit.rms_pressure.unwrap().0 - fit.rms.over(area).0).abs() < 1e-12);
    }

    #[test]
    fn dead_sensor_is_refused() {
        let pts = [CalibrationPoint {
            counts: 5.0,
            force: Newtons(1.0),
        }];
        assert!(fit_sensor(5.0, &pts, CurveModel::Linear, None).is_err());
        assert!(fit_sensor(0.0, &pts[..0], CurveModel::Linear, None).is_err());
        let one = [CalibrationPoint {
            counts: 300.0,
            force: Newtons(1.0),
        }];
        assert!(fit_sensor(0.0, &one, CurveModel::Quadratic, None).is_err());
    }

    #[test]
    fn falling_readings_are_refused() {
        let pts = [CalibrationPoint {
            counts: 50.0,
            force: Newtons(1.0),
        }];
        assert!(fit_sensor(100.0, &pts, CurveModel::Linear, None).is_err());
    }
}
