//! Spike rejection by running medians: a single-sample (or, with 5 taps, two-sample) spike from
//! a loose connector never survives a median, while rises and falls of a stroke pass unchanged.

/// A running median of the last 3 samples (delay: 1 sample). Feed finite values only.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Median3 {
    a: f64,
    b: f64,
    primed: bool,
}

/// Minimum without NaN handling (inputs are finite): one instruction instead of several.
#[inline(always)]
fn lo(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

/// Maximum without NaN handling (inputs are finite).
#[inline(always)]
fn hi(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn med3(a: f64, b: f64, c: f64) -> f64 {
    hi(lo(a, b), lo(hi(a, b), c))
}

impl Median3 {
    /// A median filter with an empty history; the first sample fills it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pushes `x`, returns the median of the last three samples.
    #[inline(always)]
    pub fn process(&mut self, x: f64) -> f64 {
        if !self.primed {
            self.a = x;
            self.b = x;
            self.primed = true;
        }
        let m = med3(self.a, self.b, x);
        self.a = self.b;
        self.b = x;
        m
    }
}

/// A running median of the last 5 samples (delay: 2 samples). Feed finite values only.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Median5 {
    h: [f64; 4],
    primed: bool,
}

impl Median5 {
    /// A median filter with an empty history; the first sample fills it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pushes `x`, returns the median of the last five samples.
    #[inline(always)]
    pub fn process(&mut self, x: f64) -> f64 {
        if !self.primed {
            self.h = [x; 4];
            self.primed = true;
        }
        let [a, b, c, d] = self.h;
        let mut v = [a, b, c, d, x];
        sort5(&mut v);
        let m = v[2];
        self.h = [self.h[1], self.h[2], self.h[3], x];
        m
    }
}

/// Optimal 9-comparator sorting network for five values (min/max, branch-free).
#[inline(always)]
fn sort5(v: &mut [f64; 5]) {
    #[inline(always)]
    fn cs(v: &mut [f64; 5], i: usize, j: usize) {
        let (x, y) = (v[i], v[j]);
        v[i] = lo(x, y);
        v[j] = hi(x, y);
    }
    cs(v, 0, 1);
    cs(v, 3, 4);
    cs(v, 2, 4);
    cs(v, 2, 3);
    cs(v, 0, 3);
    cs(v, 0, 2);
    cs(v, 1, 4);
    cs(v, 1, 3);
    cs(v, 1, 2);
}

/// Spike gate (a Hampel-style detector with a fixed threshold): passes the centre sample of a
/// 5-sample (or 3-sample) window unchanged unless it lies more than `threshold` from the
/// window's median, and replaces only such outliers by the median.
///
/// Unlike a plain median it is linear for everything smaller than the threshold, so mains hum
/// that survives decimation is not turned into a DC offset by the median's non-linearity, and a
/// stroke's rounded peak is not clipped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpikeGate {
    wide: bool,
    threshold: f64,
    /// Running mean of |centre − median| over ordinary samples: hum and noise that survive
    /// decimation raise the effective threshold to 4× this, so they stay linear.
    dev: f64,
    alpha: f64,
    m5: Median5,
    m3: Median3,
    h: [f64; 2],
}

impl SpikeGate {
    /// A gate over 5 samples (`wide`) or 3, replacing samples further than `threshold` from the
    /// median. Delay: 2 (or 1) samples.
    pub fn new(wide: bool, threshold: f64) -> Self {
        Self::adaptive(wide, threshold, 0.0)
    }

    /// Like [`SpikeGate::new`], but the threshold rises to four times the running mean
    /// deviation from the median (time constant `1/alpha` samples) when hum or noise is strong,
    /// so a loud but ordinary signal is never gated into a distorted one.
    pub fn adaptive(wide: bool, threshold: f64, alpha: f64) -> Self {
        SpikeGate {
            wide,
            threshold,
            dev: 0.0,
            alpha,
            m5: Median5::new(),
            m3: Median3::new(),
            h: [f64::NAN; 2],
        }
    }

    /// Pushes `x` (finite); returns the gated centre sample.
    #[inline(always)]
    pub fn process(&mut self, x: f64) -> f64 {
        if self.h[0].is_nan() {
            self.h = [x, x];
        }
        let (m, c) = if self.wide {
            (self.m5.process(x), self.h[0])
        } else {
            (self.m3.process(x), self.h[1])
        };
        self.h = [self.h[1], x];
        let thr = self.threshold.max(4.0 * self.dev);
        let d = (c - m).abs();
        self.dev += self.alpha * (d.min(thr) - self.dev);
        if d > thr {
            m
        } else {
            c
        }
    }
}

/// A running median over an odd window of any length (delay: half the window), kept as a sorted
/// copy of the window; `O(window)` per sample, for longer windows than 3 or 5.
#[derive(Clone, Debug, PartialEq)]
pub struct RunningMedian {
    ring: Vec<f64>,
    sorted: Vec<f64>,
    pos: usize,
}

impl RunningMedian {
    /// A running median over `window` samples (rounded up to odd, at least 1).
    pub fn new(window: usize) -> Self {
        let w = window.max(1) | 1;
        RunningMedian {
            ring: Vec::with_capacity(w),
            sorted: Vec::with_capacity(w),
            pos: 0,
        }
    }

    /// Pushes `x` (not NaN), returns the median of the window so far.
    pub fn process(&mut self, x: f64) -> f64 {
        let cap = self.ring.capacity();
        if self.ring.len() < cap {
            self.ring.push(x);
        } else {
            let old = self.ring.get(self.pos).copied().unwrap_or(x);
            if let Some(slot) = self.ring.get_mut(self.pos) {
                *slot = x;
            }
            self.pos = (self.pos + 1) % cap;
            let i = self.sorted.partition_point(|v| *v < old);
            if i < self.sorted.len() {
                self.sorted.remove(i);
            }
        }
        let j = self.sorted.partition_point(|v| *v < x);
        self.sorted.insert(j, x);
        self.sorted.get(self.sorted.len() / 2).copied().unwrap_or(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sort-based median of the last `w` samples (or all so far), the obvious reference.
    fn reference(x: &[f64], w: usize, prefill: bool) -> Vec<f64> {
        (0..x.len())
            .map(|i| {
                let mut win: Vec<f64> = if prefill {
                    (0..w).map(|k| x[(i + k + 1).saturating_sub(w)]).collect()
                } else {
                    x[(i + 1).saturating_sub(w)..=i].to_vec()
                };
                win.sort_by(|a, b| a.total_cmp(b));
                win[win.len() / 2]
            })
            .collect()
    }

    fn signal(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) % 1000) as f64 / 10.0
            })
            .collect()
    }

    #[test]
    fn median3_and_median5_match_sorting() {
        for seed in 0..20 {
            let x = signal(300, seed);
            let mut m3 = Median3::new();
            let mut m5 = Median5::new();
            let r3 = reference(&x, 3, true);
            let r5 = reference(&x, 5, true);
            for i in 0..x.len() {
                assert_eq!(m3.process(x[i]), r3[i], "m3 at {i}");
                assert_eq!(m5.process(x[i]), r5[i], "m5 at {i}");
            }
        }
    }

    #[test]
    fn running_median_matches_sorting() {
        for &w in &[1, 3, 7, 21] {
            let x = signal(400, w as u64);
            let r = reference(&x, w, false);
            let mut m = RunningMedian::new(w);
            for i in 0..x.len() {
                assert_eq!(m.process(x[i]), r[i], "w={w} at {i}");
            }
        }
    }

    #[test]
    fn gate_passes_small_changes_and_replaces_outliers() {
        for wide in [true, false] {
            let d = if wide { 2 } else { 1 };
            let mut g = SpikeGate::new(wide, 3.0);
            let x: Vec<f64> = (0..200)
                .map(|i| {
                    (i as f64 * 0.9).sin() * 1.4 + if i == 50 || i == 120 { 40.0 } else { 0.0 }
                })
                .collect();
            let y: Vec<f64> = x.iter().map(|&v| g.process(v)).collect();
            for (i, &yi) in y.iter().enumerate().skip(10) {
                let c = i - d;
                if c == 50 || c == 120 {
                    assert!(yi.abs() < 1.5, "spike at {c} passed: {yi}");
                } else {
                    assert_eq!(yi, x[c], "sample {c} changed");
                }
            }
        }
    }

    #[test]
    fn adaptive_gate_keeps_loud_hum_linear_but_still_removes_spikes() {
        // A 40 Hz alias of 60 Hz hum at 100 Hz, 5 mmHg: a fixed 3 mmHg gate would clip it.
        let mut g = SpikeGate::adaptive(true, 3.0, 0.01);
        let x: Vec<f64> = (0..2000)
            .map(|i| {
                5.0 * (2.0 * std::f64::consts::PI * 0.4 * i as f64).sin()
                    + if i == 1500 { 80.0 } else { 0.0 }
            })
            .collect();
        let y: Vec<f64> = x.iter().map(|&v| g.process(v)).collect();
        for (i, &yi) in y.iter().enumerate().skip(1000) {
            let c = i - 2;
            if c == 1500 {
                assert!(yi.abs() < 6.0, "spike passed: {yi}");
            } else {
                assert_eq!(yi, x[c], "hum sample {c} changed");
            }
        }
    }

    #[test]
    fn single_spike_is_removed() {
        let mut m = Median3::new();
        let out: Vec<f64> = [1.0, 1.0, 90.0, 1.0, 1.0]
            .iter()
            .map(|&v| m.process(v))
            .collect();
        assert!(out.iter().all(|&v| v == 1.0));
    }
}
