//! Mains-hum notch (50 or 60 Hz): a narrow second-order band-stop (RBJ cookbook form) and,
//! optionally, its harmonics, so an unshielded glove cable does not add a ripple to every peak.

use super::biquad::{BiquadCoefs, Cascade};
use crate::error::{Error, Result};
use std::f64::consts::PI;

/// A notch at `f0_hz` with quality factor `q` (bandwidth `f0/q`) at `rate_hz`.
///
/// Errors unless `0 < f0 < rate/2` and `q > 0`.
pub fn notch_section(f0_hz: f64, q: f64, rate_hz: f64) -> Result<BiquadCoefs> {
    if !(f0_hz > 0.0 && f0_hz < rate_hz / 2.0 && q > 0.0 && q.is_finite()) {
        return Err(Error::Config {
            context: "notch filter".into(),
            message: format!("notch at {f0_hz} Hz (Q {q}) does not fit a rate of {rate_hz} Hz"),
        });
    }
    let w0 = 2.0 * PI * f0_hz / rate_hz;
    let alpha = w0.sin() / (2.0 * q);
    let a0 = 1.0 + alpha;
    Ok(BiquadCoefs {
        b0: 1.0 / a0,
        b1: -2.0 * w0.cos() / a0,
        b2: 1.0 / a0,
        a1: -2.0 * w0.cos() / a0,
        a2: (1.0 - alpha) / a0,
    })
}

/// A cascade of notches at `mains_hz` and each harmonic below the Nyquist frequency (at most
/// `harmonics` of them, counting the fundamental).
pub fn mains_notch(mains_hz: f64, harmonics: usize, q: f64, rate_hz: f64) -> Result<Cascade> {
    let mut secs = Vec::new();
    for h in 1..=harmonics.max(1) {
        let f = mains_hz * h as f64;
        if f >= rate_hz / 2.0 * 0.98 {
            break;
        }
        secs.push(notch_section(f, q, rate_hz)?);
    }
    if secs.is_empty() {
        return Err(Error::Config {
            context: "notch filter".into(),
            message: format!(
                "mains at {mains_hz} Hz is above the Nyquist frequency of {rate_hz} Hz"
            ),
        });
    }
    Ok(Cascade::new(&secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_the_mains_frequency_and_passes_stroke_band() {
        for &(mains, fs) in &[(50.0, 500.0), (60.0, 1000.0), (50.0, 120.0)] {
            let c = mains_notch(mains, 3, 10.0, fs).unwrap();
            assert!(c.magnitude(mains, fs) < 1e-9);
            assert!((c.magnitude(0.0, fs) - 1.0).abs() < 1e-12);
            assert!((c.magnitude(2.0, fs) - 1.0).abs() < 1e-3);
        }
    }

    #[test]
    fn removes_a_hum_sinusoid_in_time() {
        let fs = 500.0;
        let mut c = mains_notch(50.0, 1, 5.0, fs).unwrap();
        let mut worst: f64 = 0.0;
        for i in 0..5000 {
            let t = i as f64 / fs;
            let y = c.process(3.0 * (2.0 * PI * 50.0 * t).sin());
            if i > 2500 {
                worst = worst.max(y.abs());
            }
        }
        assert!(worst < 1e-3, "residual {worst}");
    }

    #[test]
    fn rejects_notch_above_nyquist() {
        assert!(mains_notch(60.0, 1, 10.0, 100.0).is_err());
        assert!(notch_section(50.0, 0.0, 500.0).is_err());
    }
}
