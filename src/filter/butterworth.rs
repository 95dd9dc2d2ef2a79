//! Butterworth low-pass filters of any order, designed as cascaded biquads with the bilinear
//! transform (cut-off pre-warped), for any sampling rate.
//!
//! A Butterworth response is maximally flat in the pass band, so stroke peaks (below ~3 Hz of
//! content) keep their height while sensor noise and mains hum above the cut-off are removed.

use super::biquad::{BiquadCoefs, Cascade};
use crate::error::{Error, Result};
use std::f64::consts::PI;

/// Designs the sections of an `order`-th order Butterworth low-pass with cut-off `cutoff_hz` at
/// `rate_hz`. Odd orders end with a first-order section (stored as a biquad with `b2 = a2 = 0`).
///
/// Errors if the order is 0 or the cut-off is not strictly between 0 and the Nyquist frequency.
pub fn lowpass_sections(order: usize, cutoff_hz: f64, rate_hz: f64) -> Result<Vec<BiquadCoefs>> {
    if order == 0 || order > 32 {
        return Err(Error::Config {
            context: "Butterworth low-pass".into(),
            message: format!("order must be 1..=32, got {order}"),
        });
    }
    if !(rate_hz.is_finite() && rate_hz > 0.0 && cutoff_hz > 0.0 && cutoff_hz < rate_hz / 2.0) {
        return Err(Error::Config {
            context: "Butterworth low-pass".into(),
            message: format!(
                "cut-off {cutoff_hz} Hz must lie between 0 and half the rate {rate_hz} Hz"
            ),
        });
    }
    // Pre-warped analogue cut-off for the bilinear transform with T = 2 (s = (z-1)/(z+1)).
    let k = (PI * cutoff_hz / rate_hz).tan();
    let mut out = Vec::with_capacity(order.div_ceil(2));
    for i in 0..order / 2 {
        // Analogue pole pair s = k·(-sin θ ± j cos θ), θ = π(2i+1)/(2n): s² + 2k sinθ s + k².
        let theta = PI * (2 * i + 1) as f64 / (2 * order) as f64;
        let q2 = 2.0 * theta.sin(); // 1/Q
        let k2 = k * k;
        let a0 = 1.0 + q2 * k + k2;
        out.push(BiquadCoefs {
            b0: k2 / a0,
            b1: 2.0 * k2 / a0,
            b2: k2 / a0,
            a1: 2.0 * (k2 - 1.0) / a0,
            a2: (1.0 - q2 * k + k2) / a0,
        });
    }
    if order % 2 == 1 {
        // Real pole s = -k: H(s) = k / (s + k).
        let a0 = 1.0 + k;
        out.push(BiquadCoefs {
            b0: k / a0,
            b1: k / a0,
            b2: 0.0,
            a1: (k - 1.0) / a0,
            a2: 0.0,
        });
    }
    Ok(out)
}

/// A ready-to-run Butterworth low-pass cascade.
pub fn lowpass(order: usize, cutoff_hz: f64, rate_hz: f64) -> Result<Cascade> {
    Ok(Cascade::new(&lowpass_sections(order, cutoff_hz, rate_hz)?))
}

/// Group delay at 0 Hz of the Butterworth low-pass, in seconds (analogue prototype,
/// `Σ 1/(ωc·sin θk)` over poles); the detector shifts its times back by this much.
pub fn group_delay_s(order: usize, cutoff_hz: f64) -> f64 {
    let wc = 2.0 * PI * cutoff_hz;
    // Sum over all poles of -Re(1/p) = sin θ / ωc ... for pole p = ωc e^{jφ}: τ = Σ -Re(p)/|p|².
    (0..order)
        .map(|i| {
            let theta = PI * (2 * i + 1) as f64 / (2 * order) as f64;
            theta.sin() / wc
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// |H| of the digital filter equals the analogue 1/sqrt(1+(Ω/Ωc)^2n) at the pre-warped Ω.
    fn analytic(f: f64, fc: f64, fs: f64, n: usize) -> f64 {
        let w = (PI * f / fs).tan() / (PI * fc / fs).tan();
        1.0 / (1.0 + w.powi(2 * n as i32)).sqrt()
    }

    #[test]
    fn magnitude_matches_the_analytic_response() {
        for &(n, fc, fs) in &[
            (1, 10.0, 100.0),
            (2, 10.0, 500.0),
            (4, 8.0, 1000.0),
            (5, 12.0, 50.0),
            (8, 200.0, 2000.0),
        ] {
            let c = lowpass(n, fc, fs).unwrap();
            for &f in &[0.0, 1.0, fc * 0.5, fc, fc * 1.7, fs * 0.4] {
                let got = c.magnitude(f, fs);
                let want = analytic(f, fc, fs, n);
                assert!(
                    (got - want).abs() < 1e-9,
                    "n={n} fc={fc} fs={fs} f={f}: {got} vs {want}"
                );
            }
            assert!((c.magnitude(fc, fs) - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-9);
        }
    }

    #[test]
    fn step_settles_to_unity_gain() {
        let mut c = lowpass(4, 10.0, 500.0).unwrap();
        let mut y = 0.0;
        for _ in 0..2000 {
            y = c.process(1.0);
        }
        assert!((y - 1.0).abs() < 1e-9);
    }

    #[test]
    fn measured_delay_of_a_slow_ramp_matches_group_delay() {
        // A ramp through a low-pass lags by the DC group delay once settled.
        let (fs, fc) = (1000.0, 10.0);
        let mut c = lowpass(2, fc, fs).unwrap();
        let mut last = 0.0;
        let n = 5000;
        for i in 0..n {
            last = c.process(i as f64 / fs);
        }
        let lag = (n - 1) as f64 / fs - last;
        assert!((lag - group_delay_s(2, fc)).abs() < 2e-4, "lag {lag}");
    }

    #[test]
    fn rejects_bad_designs() {
        assert!(lowpass(0, 10.0, 100.0).is_err());
        assert!(lowpass(2, 60.0, 100.0).is_err());
        assert!(lowpass(2, -1.0, 100.0).is_err());
        assert!(lowpass(2, 10.0, f64::NAN).is_err());
    }
}
