//! Sensor and front-end imperfections: what an FSR and its amplifier make of the true pressure
//! before the ADC.
//!
//! Per the Interlink FSR 400 Series data sheet and integration guide: part-to-part gain ±6 %,
//! hysteresis up to +10 % while unloading. Front-end conventions: white noise, slow drift of the
//! resting level, 50/60 Hz mains hum, occasional single-sample spikes and short dropouts (rows
//! the glove never delivers). Saturation happens later, at the ADC's full scale.
//!
//! The model works in mmHg so it does not depend on a calibration curve; the firmware emulation
//! turns its output into counts through the nominal curve.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// How strong each imperfection is. [`Imperfections::none`] gives the true pressure back
/// (apart from the part gain, which is 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Imperfections {
    /// Standard deviation of white noise, mmHg.
    pub noise_sd: f64,
    /// Largest amplitude of the slow resting-level drift, mmHg (each channel draws up to this).
    pub drift_max: f64,
    /// Period range of the drift, seconds.
    pub drift_period_s: (f64, f64),
    /// Mains frequency, Hz (50 or 60).
    pub mains_hz: f64,
    /// Largest amplitude of mains hum, mmHg (each channel draws up to this).
    pub hum_max: f64,
    /// Probability of a spike per sample per channel.
    pub spike_p: f64,
    /// Size range of a spike, mmHg (sign random).
    pub spike_size: (f64, f64),
    /// Probability per sample per channel of a single reading stuck at the ADC's full scale (a
    /// knock or an ADC glitch): [`SensorModel::read`] returns `f64::INFINITY` for it.
    pub glitch_p: f64,
    /// Expected dropouts per minute.
    pub dropouts_per_min: f64,
    /// Length range of a dropout, rows.
    pub dropout_rows: (u32, u32),
    /// Largest part-to-part gain error, as a fraction (0.06 = ±6 %).
    pub gain_error: f64,
    /// Hysteresis while unloading, as a fraction (0.10 = up to +10 %).
    pub hysteresis: f64,
}

impl Default for Imperfections {
    fn default() -> Self {
        Imperfections {
            noise_sd: 0.35,
            drift_max: 2.0,
            drift_period_s: (60.0, 180.0),
            mains_hz: 50.0,
            hum_max: 0.6,
            spike_p: 2.0e-4,
            spike_size: (15.0, 60.0),
            glitch_p: 2.0e-5,
            dropouts_per_min: 0.5,
            dropout_rows: (2, 10),
            gain_error: 0.06,
            hysteresis: 0.10,
        }
    }
}

impl Imperfections {
    /// A perfect sensor: the output is the true pressure.
    pub fn none() -> Self {
        Imperfections {
            noise_sd: 0.0,
            drift_max: 0.0,
            drift_period_s: (60.0, 180.0),
            mains_hz: 50.0,
            hum_max: 0.0,
            spike_p: 0.0,
            spike_size: (0.0, 0.0),
            glitch_p: 0.0,
            dropouts_per_min: 0.0,
            dropout_rows: (0, 0),
            gain_error: 0.0,
            hysteresis: 0.0,
        }
    }
}

#[derive(Clone, Debug)]
struct ChannelState {
    gain: f64,
    drift_amp: f64,
    drift_period: f64,
    drift_phase: f64,
    hum_amp: f64,
    hum_phase: f64,
    /// The peak of the current loading excursion.
    excursion_peak: f64,
    /// The last true pressure.
    last: f64,
    /// The current hysteresis excess, mmHg.
    excess: f64,
}

/// The sensors of one glove, sample by sample. Seeded: the same seed gives the same parts and
/// the same noise.
#[derive(Clone, Debug)]
pub struct SensorModel {
    imp: Imperfections,
    rate_hz: f64,
    channels: Vec<ChannelState>,
    rng: ChaCha8Rng,
    noise: Normal<f64>,
    dropout_left: u32,
}

/// Relaxation time of the hysteresis excess once the load stops falling, seconds.
const HYSTERESIS_RELAX_S: f64 = 0.3;

impl SensorModel {
    /// A glove of `channels` sensors sampled at `rate_hz`, with parts and noise drawn from `seed`.
    pub fn new(imp: Imperfections, channels: usize, rate_hz: f64, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(2);
        let mut draw = |lo: f64, hi: f64| if hi > lo { rng.gen_range(lo..hi) } else { lo };
        let channel_states = (0..channels)
            .map(|_| ChannelState {
                gain: 1.0 + draw(-imp.gain_error, imp.gain_error),
                drift_amp: draw(0.0, imp.drift_max),
                drift_period: draw(imp.drift_period_s.0, imp.drift_period_s.1).max(1.0),
                drift_phase: draw(0.0, 2.0 * PI),
                hum_amp: draw(0.0, imp.hum_max),
                hum_phase: draw(0.0, 2.0 * PI),
                excursion_peak: 0.0,
                last: 0.0,
                excess: 0.0,
            })
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(3);
        SensorModel {
            imp,
            rate_hz: if rate_hz > 0.0 { rate_hz } else { 1.0 },
            channels: channel_states,
            rng,
            noise: Normal::new(0.0, imp.noise_sd.max(0.0))
                .unwrap_or_else(|_| Normal::new(0.0, 0.0).unwrap_or_else(|_| unreachable!())),
            dropout_left: 0,
        }
    }

    /// Each sensor's gain relative to the nominal part (1.0 ± the gain error): what a
    /// per-sensor calibration measures.
    pub fn gains(&self) -> Vec<f64> {
        self.channels.iter().map(|c| c.gain).collect()
    }

    /// Changes the sample rate (the glove's `SetRate`); time keeps running.
    pub fn set_rate(&mut self, rate_hz: f64) {
        if rate_hz > 0.0 {
            self.rate_hz = rate_hz;
        }
    }

    /// Turns the true pressures of the row sampled at `t` seconds into what the sensors read (mmHg, before the ADC,
    /// never negative). Returns `false` when the row is lost in a dropout (then `out` still holds
    /// the reading, so the sensor's state keeps moving). A reading of `f64::INFINITY` is a glitch
    /// to the ADC's full scale.
    pub fn read(&mut self, t: f64, truth: &[f64], out: &mut [f64]) -> bool {
        let dt = 1.0 / self.rate_hz;
        let imp = self.imp;
        for ((c, &p), o) in self.channels.iter_mut().zip(truth).zip(out.iter_mut()) {
            // Hysteresis: reading high while unloading, in proportion to how far down the
            // excursion the load is (largest mid-way), relaxing once the load stops falling.
            if p < c.last - 1e-12 {
                let q = if c.excursion_peak > 0.0 {
                    (p / c.excursion_peak).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                c.excess = p * imp.hysteresis * 4.0 * q * (1.0 - q);
            } else {
                if p > c.last + 1e-12 {
                    // Loading: a new excursion whose top is where the load stops rising.
                    c.excursion_peak = p;
                }
                c.excess *= (-dt / HYSTERESIS_RELAX_S).exp();
            }
            c.last = p;
            let drift =
                c.drift_amp * 0.5 * (1.0 - (2.0 * PI * t / c.drift_period + c.drift_phase).cos());
            let hum = c.hum_amp * (2.0 * PI * imp.mains_hz * t + c.hum_phase).sin();
            let mut v = (p + c.excess) * c.gain + drift + hum + self.noise.sample(&mut self.rng);
            if imp.spike_p > 0.0 && self.rng.gen_bool(imp.spike_p.min(1.0)) {
                let (lo, hi) = imp.spike_size;
                let size = if hi > lo {
                    self.rng.gen_range(lo..hi)
                } else {
                    lo
                };
                v += if self.rng.gen_bool(0.5) { size } else { -size };
            }
            if imp.glitch_p > 0.0 && self.rng.gen_bool(imp.glitch_p.min(1.0)) {
                v = f64::INFINITY;
            }
            *o = v.max(0.0);
        }
        if self.dropout_left > 0 {
            self.dropout_left -= 1;
            return false;
        }
        let p_start = imp.dropouts_per_min / 60.0 / self.rate_hz;
        if p_start > 0.0 && self.rng.gen_bool(p_start.min(1.0)) {
            let (lo, hi) = imp.dropout_rows;
            let len = if hi > lo {
                self.rng.gen_range(lo..=hi)
            } else {
                lo
            };
            if len > 0 {
                self.dropout_left = len - 1;
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_sensor_is_identity() {
        let mut s = SensorModel::new(Imperfections::none(), 2, 200.0, 1);
        let mut out = [0.0; 2];
        for i in 0..1000u64 {
            let p = 20.0 * (i as f64 * 0.01).sin().abs();
            assert!(s.read(i as f64 / 200.0, &[p, p * 0.5], &mut out));
            assert!((out[0] - p).abs() < 1e-12 && (out[1] - p * 0.5).abs() < 1e-12);
        }
    }

    #[test]
    fn hysteresis_reads_high_on_the_way_down_only() {
        let imp = Imperfections {
            hysteresis: 0.1,
            ..Imperfections::none()
        };
        let mut s = SensorModel::new(imp, 1, 100.0, 1);
        let mut out = [0.0];
        // Up 0 → 40 then down 40 → 0 over 100 rows each.
        for i in 0..=100u64 {
            s.read(i as f64 / 100.0, &[0.4 * i as f64], &mut out);
            assert!((out[0] - 0.4 * i as f64).abs() < 1e-9, "loading reads true");
        }
        let mut max_excess: f64 = 0.0;
        for i in 1..=100u64 {
            let p = 40.0 - 0.4 * i as f64;
            s.read((100 + i) as f64 / 100.0, &[p], &mut out);
            assert!(out[0] >= p - 1e-9);
            if p > 0.0 {
                max_excess = max_excess.max((out[0] - p) / p);
            }
        }
        // Relative to the loading reading at the same load, largest mid-way down: +10 %.
        assert!((max_excess - 0.10).abs() < 0.002, "{max_excess}");
    }

    #[test]
    fn dropouts_and_spikes_happen_at_the_configured_rate() {
        let imp = Imperfections {
            spike_p: 0.01,
            spike_size: (50.0, 51.0),
            dropouts_per_min: 60.0,
            dropout_rows: (3, 3),
            ..Imperfections::none()
        };
        let rate = 100.0;
        let mut s = SensorModel::new(imp, 1, rate, 9);
        let mut out = [0.0];
        let (mut lost, mut spikes) = (0u32, 0u32);
        let n = 60_000u64; // 10 minutes
        for i in 0..n {
            if !s.read(i as f64 / rate, &[60.0], &mut out) {
                lost += 1;
            }
            if (out[0] - 60.0).abs() > 40.0 {
                spikes += 1;
            }
        }
        // ≈ 600 dropouts of 3 rows; ≈ 600 spikes.
        assert!((1500..2100).contains(&lost), "{lost}");
        assert!((500..700).contains(&spikes), "{spikes}");
    }

    #[test]
    fn gains_are_within_the_part_tolerance() {
        let s = SensorModel::new(Imperfections::default(), 16, 200.0, 3);
        assert!(s.gains().iter().all(|g| (g - 1.0).abs() <= 0.06));
        assert!(s.gains().iter().any(|g| (g - 1.0).abs() > 0.01));
    }
}
