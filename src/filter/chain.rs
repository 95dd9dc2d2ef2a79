//! The per-channel conditioning chain the detector and the live view read: missing values
//! skipped (the last value held through dropouts), optional mains notch, boxcar decimation to a
//! working rate near 100 Hz, a spike gate (median of 5, or 3 below 90 Hz, replacing outliers only), a Butterworth
//! low-pass, and drift re-zeroing.
//!
//! Spikes need no median at the input rate: the boxcar shrinks a one- or two-sample spike to
//! at most two outlying working samples, which the gate removes.
//!
//! Decimating first keeps the cost per input sample to a few operations, so a whole hour of
//! five-channel 500 Hz data filters in milliseconds; everything after the boxcar runs at the
//! working rate. The chain's total delay is known ([`Conditioner::delay_s`]) so detected times
//! can be shifted back to the true ones.

use super::biquad::Cascade;
use super::butterworth;
use super::drift::DriftTracker;
use super::median::SpikeGate;
use super::notch;
use crate::error::{Error, Result};

/// Longest run without a value (seconds) over which a channel holds its last value; after it the
/// channel reads `NaN` until it gives values again.
pub const MAX_HOLD_S: f64 = 0.25;

/// Settings of the conditioning chain.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainConfig {
    /// Target working rate (Hz); the input is decimated by `floor(rate / target)`, at least 1.
    pub work_rate_hz: f64,
    /// Low-pass cut-off (Hz): high enough to keep a 0.3 s stroke's peak, low enough to kill hum.
    pub cutoff_hz: f64,
    /// Low-pass order.
    pub order: usize,
    /// Mains frequency to notch at the input rate (50 or 60), or none.
    pub notch_hz: Option<f64>,
    /// Largest level (mmHg) drift re-zeroing may remove.
    pub max_rezero: f64,
    /// A working sample further than this (mmHg) from its neighbours' median is a spike.
    pub spike_mmhg: f64,
}

impl Default for ChainConfig {
    fn default() -> Self {
        ChainConfig {
            work_rate_hz: 100.0,
            cutoff_hz: 10.0,
            order: 2,
            notch_hz: None,
            max_rezero: 6.0,
            spike_mmhg: 3.0,
        }
    }
}

#[derive(Clone, Debug)]
struct Channel {
    notch: Option<Cascade>,
    acc: f64,
    count: u32,
    /// Spike gate over 5 samples at working rates of 90 Hz and more (≤ 50 ms), else over 3.
    gate: SpikeGate,
    lp: Cascade,
    started: bool,
    last: f64,
    /// Working samples in a row without a value.
    missing: u32,
}

/// Conditions every channel of a stream, one input row at a time.
#[derive(Clone, Debug)]
pub struct Conditioner {
    rate_hz: f64,
    decim: usize,
    phase: usize,
    channels: Vec<Channel>,
    drift: DriftTracker,
    out: Vec<f64>,
    delay_s: f64,
    fresh: bool,
    max_hold: u32,
    /// A fresh spike gate, for a channel that starts afresh after a long absence.
    gate0: SpikeGate,
}

impl Conditioner {
    /// A chain for `channels` channels at `rate_hz`.
    ///
    /// Errors on a rate that is not finite and positive, no channels, or a filter that does not
    /// fit the rate.
    pub fn new(rate_hz: f64, channels: usize, cfg: &ChainConfig) -> Result<Self> {
        if !(rate_hz.is_finite() && rate_hz > 0.0) {
            return Err(Error::Unsupported(format!("sampling rate {rate_hz} Hz")));
        }
        if channels == 0 {
            return Err(Error::Unsupported("a stream with no channels".into()));
        }
        let decim = ((rate_hz / cfg.work_rate_hz).floor() as usize).max(1);
        let work = rate_hz / decim as f64;
        let cutoff = cfg.cutoff_hz.min(work * 0.4);
        let lp = butterworth::lowpass(cfg.order, cutoff, work)?;
        let notch = match cfg.notch_hz {
            Some(f) if f * 1.02 < rate_hz / 2.0 => Some(notch::mains_notch(f, 3, 8.0, rate_hz)?),
            _ => None,
        };
        let ch = Channel {
            notch,
            acc: 0.0,
            count: 0,
            gate: SpikeGate::adaptive(work >= 90.0, cfg.spike_mmhg, 1.0 / work),
            lp,
            started: false,
            last: f64::NAN,
            missing: 0,
        };
        // Delays: the boxcar (D-1)/2 input samples, the median of 5 (3) two (one) working
        // samples, the low-pass its DC group delay.
        let delay_s = (decim as f64 - 1.0) / 2.0 / rate_hz
            + if work >= 90.0 { 2.0 } else { 1.0 } / work
            + butterworth::group_delay_s(cfg.order, cutoff);
        Ok(Conditioner {
            rate_hz,
            decim,
            phase: 0,
            channels: vec![ch.clone(); channels],
            drift: DriftTracker::new(channels, cfg.max_rezero),
            out: vec![f64::NAN; channels],
            delay_s,
            fresh: false,
            max_hold: ((MAX_HOLD_S * work).ceil() as u32).max(1),
            gate0: ch.gate,
        })
    }

    /// The input rate (Hz).
    pub fn rate_hz(&self) -> f64 {
        self.rate_hz
    }

    /// The working rate (Hz): the input rate divided by the decimation factor.
    pub fn work_rate_hz(&self) -> f64 {
        self.rate_hz / self.decim as f64
    }

    /// Input rows per working sample.
    pub fn decimation(&self) -> usize {
        self.decim
    }

    /// How far the conditioned signal lags the input, seconds: subtract it from output times.
    pub fn delay_s(&self) -> f64 {
        self.delay_s
    }

    /// The latest conditioned value of every channel, mmHg (`NaN` for a channel never seen).
    pub fn current(&self) -> &[f64] {
        &self.out
    }

    /// Whether any channel gave a value for the latest working sample (`false` inside a
    /// dropout, where every channel holds its last value).
    pub fn had_data(&self) -> bool {
        self.fresh
    }

    /// The drift tracker (zeros applied to every channel).
    pub fn drift(&self) -> &DriftTracker {
        &self.drift
    }

    /// Re-zeros channel `ch` by `level` mmHg if the hand is lifted (see [`DriftTracker::lifted`]).
    pub fn rezero(&mut self, ch: usize, level: f64) -> f64 {
        self.drift.lifted(ch, level)
    }

    /// Re-zeros every channel at its current value.
    pub fn tare(&mut self) {
        let cur = self.out.clone();
        self.drift.tare(&cur);
        for v in &mut self.out {
            if v.is_finite() {
                *v = 0.0;
            }
        }
    }

    /// Feeds one input row (`channels` values, `NaN` where missing). Returns `true` when a new
    /// working sample is ready in [`Conditioner::current`].
    #[inline]
    pub fn push(&mut self, row: &[f64]) -> bool {
        for (c, &x) in self.channels.iter_mut().zip(row) {
            if x.is_finite() {
                let v = match &mut c.notch {
                    Some(n) => n.process(x),
                    None => x,
                };
                c.acc += v;
                c.count += 1;
            }
        }
        self.phase += 1;
        if self.phase < self.decim {
            return false;
        }
        self.phase = 0;
        self.fresh = false;
        for (i, c) in self.channels.iter_mut().enumerate() {
            if c.count > 0 {
                self.fresh = true;
                c.missing = 0;
                let v = c.acc / c.count as f64;
                c.acc = 0.0;
                c.count = 0;
                let m = c.gate.process(v);
                if !c.started {
                    c.lp.settle(m);
                    c.started = true;
                }
                c.last = c.lp.process(m);
            } else if c.started {
                c.missing += 1;
                if c.missing > self.max_hold {
                    // Gone for longer than a short dropout (disconnected, or a long gap): no
                    // value until it comes back, then the filters start afresh there.
                    c.started = false;
                    c.last = f64::NAN;
                    c.gate = self.gate0;
                } else {
                    // A short dropout: hold the filtered value (bridges short NaN runs).
                    let v = c.last;
                    let m = c.gate.process(v);
                    c.last = c.lp.process(m);
                }
            }
            if let Some(o) = self.out.get_mut(i) {
                *o = c.last - self.drift.zero(i);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_input_passes_unchanged_and_spikes_vanish() {
        let mut c = Conditioner::new(500.0, 2, &ChainConfig::default()).unwrap();
        assert_eq!(c.decimation(), 5);
        for i in 0..5000 {
            let spike = if i % 97 == 50 { 150.0 } else { 0.0 };
            if c.push(&[3.0 + spike, f64::NAN]) {
                assert!(
                    (c.current()[0] - 3.0).abs() < 1e-9,
                    "at {i}: {}",
                    c.current()[0]
                );
                assert!(c.current()[1].is_nan());
            }
        }
    }

    #[test]
    fn ramp_delay_matches_reported_delay() {
        for &fs in &[100.0, 500.0, 1000.0, 333.0] {
            let mut c = Conditioner::new(fs, 1, &ChainConfig::default()).unwrap();
            let mut last = 0.0;
            let mut last_i = 0;
            for i in 0..(fs as usize * 20) {
                if c.push(&[i as f64 / fs]) {
                    last = c.current()[0];
                    last_i = i;
                }
            }
            let lag = last_i as f64 / fs - last;
            assert!(
                (lag - c.delay_s()).abs() < 1e-3,
                "fs {fs}: lag {lag} vs {}",
                c.delay_s()
            );
        }
    }

    #[test]
    fn hum_is_removed() {
        let fs = 1000.0;
        let mut c = Conditioner::new(fs, 1, &ChainConfig::default()).unwrap();
        let mut worst: f64 = 0.0;
        for i in 0..20000 {
            let t = i as f64 / fs;
            let x = 20.0 + 3.0 * (2.0 * std::f64::consts::PI * 60.0 * t).sin();
            if c.push(&[x]) && i > 2000 {
                worst = worst.max((c.current()[0] - 20.0).abs());
            }
        }
        assert!(worst < 0.2, "residual hum {worst}");
    }
}
