//! Power spectra by Welch's method (Hann-windowed, mean-removed segments, averaged periodograms)
//! with rustfft: the stroke rhythm (dominant frequency 0.3–3 Hz), mains hum and the noise floor.

use ndarray::ArrayView1;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// Accumulates a one-sided power spectral density (units²/Hz) over segments of a fixed length.
pub struct Welch {
    rate_hz: f64,
    window: Vec<f64>,
    win_power: f64,
    fft: Arc<dyn Fft<f64>>,
    buf: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    sum: Vec<f64>,
    segments: usize,
}

impl std::fmt::Debug for Welch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Welch")
            .field("rate_hz", &self.rate_hz)
            .field("segment_len", &self.window.len())
            .field("segments", &self.segments)
            .finish()
    }
}

impl Welch {
    /// An accumulator for segments of `len` samples (at least 2) at `rate_hz`.
    pub fn new(len: usize, rate_hz: f64) -> Self {
        let len = len.max(2);
        let window: Vec<f64> = (0..len)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / len as f64).cos())
            .collect();
        let win_power = window.iter().map(|w| w * w).sum();
        let fft = FftPlanner::new().plan_fft_forward(len);
        let scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        Welch {
            rate_hz,
            window,
            win_power,
            fft,
            buf: vec![Complex::default(); len],
            scratch,
            sum: vec![0.0; len / 2 + 1],
            segments: 0,
        }
    }

    /// Segment length, samples.
    pub fn segment_len(&self) -> usize {
        self.window.len()
    }

    /// Segments averaged so far.
    pub fn segments(&self) -> usize {
        self.segments
    }

    /// Frequency spacing of the bins, Hz.
    pub fn bin_hz(&self) -> f64 {
        self.rate_hz / self.window.len() as f64
    }

    /// Adds one segment (must be `segment_len` long and finite; otherwise ignored and `false`).
    ///
    /// Any 1-D view will do — a slice, a `Vec`, or one channel's column of a block
    /// ([`crate::stream::Block::channel`], strided) — so a segment that lies inside a block is
    /// taken from it without a copy.
    pub fn add<'a>(&mut self, seg: impl Into<ArrayView1<'a, f64>>) -> bool {
        let seg = seg.into();
        if seg.len() != self.window.len() || seg.iter().any(|v| !v.is_finite()) {
            return false;
        }
        // Summed in order, as before: ndarray's `sum` adds in several lanes, a different rounding.
        let mean = seg.iter().sum::<f64>() / seg.len() as f64;
        for ((b, &x), &w) in self.buf.iter_mut().zip(seg.iter()).zip(&self.window) {
            *b = Complex::new((x - mean) * w, 0.0);
        }
        self.fft
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        let n = self.window.len();
        let scale = 1.0 / (self.rate_hz * self.win_power);
        for (k, s) in self.sum.iter_mut().enumerate() {
            let p = self.buf.get(k).map_or(0.0, |c| c.norm_sqr()) * scale;
            let one_sided = if k == 0 || 2 * k == n { p } else { 2.0 * p };
            *s += one_sided;
        }
        self.segments += 1;
        true
    }

    /// The averaged PSD, one value per bin from 0 Hz to the Nyquist frequency (empty before the
    /// first segment).
    pub fn psd(&self) -> Vec<f64> {
        if self.segments == 0 {
            return Vec::new();
        }
        self.sum.iter().map(|s| s / self.segments as f64).collect()
    }

    /// The frequency (Hz) of the strongest bin within `lo..=hi` Hz, if any segment was added.
    pub fn dominant(&self, lo: f64, hi: f64) -> Option<f64> {
        let psd = self.psd();
        let df = self.bin_hz();
        psd.iter()
            .enumerate()
            .filter(|(k, _)| {
                let f = *k as f64 * df;
                f >= lo && f <= hi
            })
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, _)| k as f64 * df)
    }

    /// Amplitude (peak, signal units) of a sinusoid near `f_hz` (±`half_band` Hz): the PSD summed
    /// over the band times the bin width is its power `A²/2`.
    pub fn tone_amplitude(&self, f_hz: f64, half_band: f64) -> f64 {
        let psd = self.psd();
        let df = self.bin_hz();
        let power: f64 = psd
            .iter()
            .enumerate()
            .filter(|(k, _)| (*k as f64 * df - f_hz).abs() <= half_band)
            .map(|(_, p)| p * df)
            .sum();
        (2.0 * power).sqrt()
    }

    /// Median PSD over `lo..hi` Hz, skipping ±3 Hz around mains harmonics: the broadband noise
    /// floor, units²/Hz. For white noise of standard deviation σ this is `2σ²/rate`.
    pub fn noise_floor(&self, lo: f64, hi: f64) -> Option<f64> {
        let psd = self.psd();
        let df = self.bin_hz();
        let near_mains = |f: f64| {
            [50.0, 60.0]
                .iter()
                .any(|m| ((f / m).round() >= 1.0) && (f - (f / m).round() * m).abs() <= 3.0)
        };
        let mut v: Vec<f64> = psd
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                let f = *k as f64 * df;
                f >= lo && f < hi && !near_mains(f)
            })
            .map(|(_, p)| *p)
            .collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        v.get(v.len() / 2).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Periodogram by the textbook DFT sum, same window and scaling.
    fn naive_psd(x: &[f64], fs: f64) -> Vec<f64> {
        let n = x.len();
        let mean = x.iter().sum::<f64>() / n as f64;
        let w: Vec<f64> = (0..n)
            .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / n as f64).cos())
            .collect();
        let wp: f64 = w.iter().map(|v| v * v).sum();
        (0..=n / 2)
            .map(|k| {
                let (mut re, mut im) = (0.0, 0.0);
                for (i, (&xi, &wi)) in x.iter().zip(&w).enumerate() {
                    let a = -2.0 * PI * (k * i) as f64 / n as f64;
                    re += (xi - mean) * wi * a.cos();
                    im += (xi - mean) * wi * a.sin();
                }
                let p = (re * re + im * im) / (fs * wp);
                if k == 0 || 2 * k == n {
                    p
                } else {
                    2.0 * p
                }
            })
            .collect()
    }

    #[test]
    fn matches_a_naive_dft() {
        let fs = 200.0;
        let x: Vec<f64> = (0..256)
            .map(|i| {
                let t = i as f64 / fs;
                (2.0 * PI * 13.0 * t).sin() * 3.0 + (i % 7) as f64 * 0.1
            })
            .collect();
        let mut w = Welch::new(256, fs);
        assert!(w.add(&x));
        let got = w.psd();
        let want = naive_psd(&x, fs);
        assert_eq!(got.len(), want.len());
        for (g, r) in got.iter().zip(&want) {
            assert!((g - r).abs() < 1e-9 * (1.0 + r.abs()), "{g} vs {r}");
        }
    }

    #[test]
    fn finds_rhythm_hum_and_noise_floor() {
        let fs = 500.0;
        let n = 1000;
        let mut w = Welch::new(n, fs);
        let mut s: u64 = 7;
        let mut gauss = || {
            // Sum of 12 uniforms: approximately normal, variance 1.
            (0..12)
                .map(|_| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (s >> 11) as f64 / (1u64 << 53) as f64
                })
                .sum::<f64>()
                - 6.0
        };
        for seg in 0..40 {
            let x: Vec<f64> = (0..n)
                .map(|i| {
                    let t = (seg * n + i) as f64 / fs;
                    2.0 * (2.0 * PI * 50.0 * t).sin()
                        + 10.0 * (2.0 * PI * 1.0 * t).sin()
                        + 0.5 * gauss()
                })
                .collect();
            w.add(&x);
        }
        assert_eq!(w.dominant(0.3, 3.0), Some(1.0));
        let hum = w.tone_amplitude(50.0, 2.0);
        assert!((hum - 2.0).abs() < 0.1, "hum {hum}");
        let floor = w.noise_floor(10.0, 240.0).unwrap();
        let sigma = (floor * fs / 2.0).sqrt();
        assert!((sigma - 0.5).abs() < 0.1, "sigma {sigma}");
    }

    #[test]
    fn a_strided_column_gives_the_same_spectrum_as_a_copy() {
        let fs = 200.0;
        // Three interleaved channels; the middle one is the segment.
        let rows: Vec<f64> = (0..3 * 128)
            .map(|i| ((i / 3) as f64 * 0.37).sin() * (1 + i % 3) as f64)
            .collect();
        let view = ndarray::ArrayView2::from_shape((128, 3), &rows[..]).unwrap();
        let copy: Vec<f64> = rows.iter().skip(1).step_by(3).copied().collect();
        let (mut a, mut b) = (Welch::new(128, fs), Welch::new(128, fs));
        assert!(a.add(view.column(1)));
        assert!(b.add(&copy));
        assert_eq!(a.psd(), b.psd());
    }

    #[test]
    fn rejects_bad_segments() {
        let mut w = Welch::new(8, 10.0);
        assert!(!w.add(&[1.0; 7]));
        assert!(!w.add(&[f64::NAN; 8]));
        assert!(w.psd().is_empty());
        assert_eq!(w.dominant(0.0, 5.0), None);
    }
}
