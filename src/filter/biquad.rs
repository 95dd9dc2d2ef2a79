//! Second-order IIR sections (biquads) in Direct Form II transposed, and cascades of them.
//!
//! DF2T keeps two state values per section and has good numerical behaviour in `f64`; every
//! higher-order IIR filter in the crate (Butterworth, notch) is a cascade of these.

/// Coefficients of one section, normalised so that `a0 = 1`:
/// `y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BiquadCoefs {
    /// Feed-forward coefficient of `x[n]`.
    pub b0: f64,
    /// Feed-forward coefficient of `x[n-1]`.
    pub b1: f64,
    /// Feed-forward coefficient of `x[n-2]`.
    pub b2: f64,
    /// Feedback coefficient of `y[n-1]`.
    pub a1: f64,
    /// Feedback coefficient of `y[n-2]`.
    pub a2: f64,
}

impl BiquadCoefs {
    /// The section that passes its input unchanged.
    pub const IDENTITY: BiquadCoefs = BiquadCoefs {
        b0: 1.0,
        b1: 0.0,
        b2: 0.0,
        a1: 0.0,
        a2: 0.0,
    };

    /// Gain at 0 Hz, `(b0 + b1 + b2) / (1 + a1 + a2)`; used to start a filter in its steady state.
    pub fn dc_gain(&self) -> f64 {
        (self.b0 + self.b1 + self.b2) / (1.0 + self.a1 + self.a2)
    }

    /// Magnitude of the frequency response at `f_hz` for a sampling rate of `rate_hz`.
    pub fn magnitude(&self, f_hz: f64, rate_hz: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * f_hz / rate_hz;
        let (c1, s1) = (w.cos(), -w.sin());
        let (c2, s2) = ((2.0 * w).cos(), -(2.0 * w).sin());
        let nr = self.b0 + self.b1 * c1 + self.b2 * c2;
        let ni = self.b1 * s1 + self.b2 * s2;
        let dr = 1.0 + self.a1 * c1 + self.a2 * c2;
        let di = self.a1 * s1 + self.a2 * s2;
        ((nr * nr + ni * ni) / (dr * dr + di * di)).sqrt()
    }
}

/// One biquad section with its state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Biquad {
    /// The section's coefficients.
    pub coefs: BiquadCoefs,
    s1: f64,
    s2: f64,
}

impl Biquad {
    /// A section at rest (zero state).
    pub fn new(coefs: BiquadCoefs) -> Self {
        Biquad {
            coefs,
            s1: 0.0,
            s2: 0.0,
        }
    }

    /// Sets the state as if the input had been `x` forever, so a filter started on a non-zero
    /// resting level does not ring.
    pub fn settle(&mut self, x: f64) {
        let c = self.coefs;
        let y = x * c.dc_gain();
        // Steady state of DF2T: s2 = b2 x - a2 y; s1 = b1 x - a1 y + s2.
        self.s2 = c.b2 * x - c.a2 * y;
        self.s1 = c.b1 * x - c.a1 * y + self.s2;
    }

    /// Filters one sample.
    #[inline(always)]
    pub fn process(&mut self, x: f64) -> f64 {
        let c = &self.coefs;
        let y = c.b0 * x + self.s1;
        self.s1 = c.b1 * x - c.a1 * y + self.s2;
        self.s2 = c.b2 * x - c.a2 * y;
        y
    }
}

/// A chain of biquad sections applied one after the other.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Cascade {
    sections: Vec<Biquad>,
}

impl Cascade {
    /// A cascade of the given sections, each at rest.
    pub fn new(coefs: &[BiquadCoefs]) -> Self {
        Cascade {
            sections: coefs.iter().copied().map(Biquad::new).collect(),
        }
    }

    /// The sections' coefficients, in order.
    pub fn coefs(&self) -> impl Iterator<Item = BiquadCoefs> + '_ {
        self.sections.iter().map(|s| s.coefs)
    }

    /// Sets every section's state as if the input had been `x` forever.
    pub fn settle(&mut self, x: f64) {
        let mut v = x;
        for s in &mut self.sections {
            s.settle(v);
            v *= s.coefs.dc_gain();
        }
    }

    /// Filters one sample through every section.
    #[inline]
    pub fn process(&mut self, x: f64) -> f64 {
        let mut v = x;
        for s in &mut self.sections {
            v = s.process(v);
        }
        v
    }

    /// Magnitude of the cascade's response at `f_hz` (product of the sections').
    pub fn magnitude(&self, f_hz: f64, rate_hz: f64) -> f64 {
        self.sections
            .iter()
            .map(|s| s.coefs.magnitude(f_hz, rate_hz))
            .product()
    }

    /// Gain at 0 Hz.
    pub fn dc_gain(&self) -> f64 {
        self.sections.iter().map(|s| s.coefs.dc_gain()).product()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain difference equation, with explicit x and y histories.
    fn direct_form_1(c: &BiquadCoefs, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; x.len()];
        for n in 0..x.len() {
            let xn1 = if n >= 1 { x[n - 1] } else { 0.0 };
            let xn2 = if n >= 2 { x[n - 2] } else { 0.0 };
            let yn1 = if n >= 1 { y[n - 1] } else { 0.0 };
            let yn2 = if n >= 2 { y[n - 2] } else { 0.0 };
            y[n] = c.b0 * x[n] + c.b1 * xn1 + c.b2 * xn2 - c.a1 * yn1 - c.a2 * yn2;
        }
        y
    }

    fn test_signal(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let t = i as f64;
                (t * 0.1).sin() * 10.0 + (t * 1.3).cos() * 3.0 + if i % 17 == 0 { 5.0 } else { 0.0 }
            })
            .collect()
    }

    #[test]
    fn cascade_matches_direct_difference_equations() {
        let a = BiquadCoefs {
            b0: 0.2,
            b1: 0.3,
            b2: 0.1,
            a1: -0.7,
            a2: 0.2,
        };
        let b = BiquadCoefs {
            b0: 0.5,
            b1: -0.2,
            b2: 0.05,
            a1: -1.1,
            a2: 0.45,
        };
        let x = test_signal(500);
        let reference = direct_form_1(&b, &direct_form_1(&a, &x));
        let mut c = Cascade::new(&[a, b]);
        for (xi, ri) in x.iter().zip(&reference) {
            assert!((c.process(*xi) - ri).abs() < 1e-9);
        }
    }

    #[test]
    fn settled_section_outputs_its_dc_gain_times_input() {
        let c = BiquadCoefs {
            b0: 0.2,
            b1: 0.3,
            b2: 0.1,
            a1: -0.7,
            a2: 0.2,
        };
        let mut s = Biquad::new(c);
        s.settle(4.0);
        for _ in 0..10 {
            assert!((s.process(4.0) - 4.0 * c.dc_gain()).abs() < 1e-12);
        }
    }

    #[test]
    fn identity_passes_input() {
        let mut s = Biquad::new(BiquadCoefs::IDENTITY);
        assert_eq!(s.process(3.5), 3.5);
        assert!((BiquadCoefs::IDENTITY.magnitude(10.0, 100.0) - 1.0).abs() < 1e-12);
    }
}
