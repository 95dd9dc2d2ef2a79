//! Data-quality checks run alongside the detector, in constant memory: mains hum, saturation,
//! drift, dead or disconnected sensors, dropouts and broadband noise, each turned into a
//! [`QualityWarning`] with the measured figure, plus the stroke rhythm.
//!
//! Raw samples are only counted (cheap); spectra are taken on one segment of raw input every
//! [`QualityMonitor::SPECTRUM_EVERY_S`] seconds per channel, so the monitor costs next to nothing
//! per sample.
//!
//! Rows come one at a time ([`QualityMonitor::push_row`]) or a block at a time
//! ([`QualityMonitor::push_block`], a `rows × channels` [`ndarray`] view such as
//! [`crate::stream::Block::view`]); the block path walks each channel down its column, which is
//! what these statistics are (one channel's count, range and segment at a time), and gives the
//! very same figures.

use super::spectrum::Welch;
use crate::session::{QualityKind, QualityWarning};
use ndarray::{ArrayView1, ArrayView2, Axis, Slice, Zip};

/// One channel's value counts: missing, range, samples at the top. `Copy`, so a block's
/// column is counted in a local copy the compiler keeps in registers.
#[derive(Clone, Copy, Debug)]
struct Counts {
    missing: u64,
    min: f64,
    max: f64,
    at_max: u64,
}

impl Counts {
    const NONE: Counts = Counts {
        missing: 0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        at_max: 0,
    };

    /// Counts one value.
    #[inline]
    fn count(&mut self, x: f64) {
        // NaN fails every comparison, so it is counted as missing without a separate test.
        if x >= self.max {
            if x > self.max {
                self.max = x;
                self.at_max = 0;
            }
            self.at_max += 1;
        }
        if x < self.min {
            self.min = x;
        }
        if x.is_nan() {
            self.missing += 1;
        }
    }

    /// These counts followed by `later`'s (counted from [`Counts::NONE`] over the values that
    /// came after): what counting all the values in order gives, bit for bit. The top and the
    /// bottom stay the first seen of equal values (`0.0` and `-0.0` compare equal), and every
    /// value equal to the top is at the top.
    fn then(self, later: Counts) -> Counts {
        let (max, at_max) = if later.max > self.max {
            (later.max, later.at_max)
        } else if later.max == self.max {
            (self.max, self.at_max + later.at_max)
        } else {
            (self.max, self.at_max)
        };
        Counts {
            missing: self.missing + later.missing,
            min: if later.min < self.min {
                later.min
            } else {
                self.min
            },
            max,
            at_max,
        }
    }

    /// Counts a column: its two halves side by side, two independent chains of comparisons
    /// instead of one long one, then joined by [`Counts::then`].
    fn count_column(self, col: ArrayView1<'_, f64>) -> Counts {
        let half = col.len() / 2;
        let (first, second) = col.split_at(Axis(0), half);
        let (second, tail) = second.split_at(Axis(0), half);
        let (mut a, mut b) = (self, Counts::NONE);
        Zip::from(&first).and(&second).for_each(|&x, &y| {
            a.count(x);
            b.count(y);
        });
        tail.for_each(|&x| b.count(x));
        a.then(b)
    }
}

#[derive(Debug)]
struct ChannelStats {
    counts: Counts,
    seg: Vec<f64>,
    welch: Welch,
}

/// Streaming data-quality monitor for one stream.
#[derive(Debug)]
pub struct QualityMonitor {
    rate_hz: f64,
    rows: u64,
    until_seg: u64,
    seg_rows: u64,
    seg_len: usize,
    every_rows: u64,
    channels: Vec<ChannelStats>,
    rhythm: Welch,
    rhythm_buf: Vec<f64>,
    gap_rows: u64,
    /// The current block's row ranges that go into spectrum segments (kept for its allocation).
    runs: Vec<(usize, usize)>,
}

impl ChannelStats {
    /// Appends `xs` to the spectrum segment, taking the spectrum each time it fills: the same
    /// segments, split at the same samples, as pushing the values one by one.
    fn extend_segment(&mut self, mut xs: ArrayView1<'_, f64>, seg_len: usize) {
        while !xs.is_empty() {
            let take = (seg_len - self.seg.len()).min(xs.len());
            let (head, rest) = xs.split_at(Axis(0), take);
            if self.seg.is_empty() && take == seg_len {
                // A whole segment inside the block: straight from the block's column, no copy.
                self.welch.add(head);
            } else {
                self.seg.extend(head.iter().copied());
                if self.seg.len() == seg_len {
                    self.welch.add(&self.seg);
                    self.seg.clear();
                }
            }
            xs = rest;
        }
    }
}

impl QualityMonitor {
    /// Seconds between the raw segments whose spectra are taken.
    pub const SPECTRUM_EVERY_S: f64 = 10.0;

    /// A monitor for `channels` channels at `rate_hz`, with the detector's envelope at
    /// `work_rate_hz` (for the rhythm).
    pub fn new(rate_hz: f64, channels: usize, work_rate_hz: f64) -> Self {
        // About one second of raw input per segment (0.5–1 Hz bins resolve 50 from 60 Hz).
        let seg_len = (rate_hz.max(2.0) as usize).next_power_of_two().max(64);
        let every_rows = ((rate_hz * Self::SPECTRUM_EVERY_S) as u64).max(seg_len as u64);
        let rhythm_len = ((work_rate_hz * 20.0) as usize).next_power_of_two().max(64);
        QualityMonitor {
            rate_hz,
            rows: 0,
            until_seg: 0,
            seg_rows: 0,
            seg_len,
            every_rows,
            channels: (0..channels)
                .map(|_| ChannelStats {
                    counts: Counts::NONE,
                    seg: Vec::with_capacity(seg_len),
                    welch: Welch::new(seg_len, rate_hz),
                })
                .collect(),
            rhythm: Welch::new(rhythm_len, work_rate_hz),
            rhythm_buf: Vec::with_capacity(rhythm_len),
            gap_rows: 0,
            runs: Vec::new(),
        }
    }

    /// Counts one raw input row.
    #[inline]
    pub fn push_row(&mut self, row: &[f64]) {
        // Countdown instead of a modulo per row: rows left before the next spectrum segment.
        let in_seg = self.until_seg == 0;
        if in_seg {
            self.seg_rows += 1;
            if self.seg_rows == self.seg_len as u64 {
                self.seg_rows = 0;
                self.until_seg = self.every_rows - self.seg_len as u64;
            }
        } else {
            self.until_seg -= 1;
        }
        for (c, &x) in self.channels.iter_mut().zip(row) {
            c.counts.count(x);
            if in_seg {
                c.seg.push(x);
                if c.seg.len() == self.seg_len {
                    c.welch.add(&c.seg);
                    c.seg.clear();
                }
            }
        }
        self.rows += 1;
    }

    /// Counts a block of raw input rows, `rows × channels` (extra columns or channels are left
    /// out, as [`QualityMonitor::push_row`] leaves out a row's extra values): exactly what
    /// pushing its rows one by one counts, bit for bit, but one channel at a time down its
    /// column, with the spectrum segment's rows worked out once for the block instead of a
    /// countdown per row.
    pub fn push_block(&mut self, rows: ArrayView2<'_, f64>) {
        let n = rows.nrows();
        // The block's row ranges that fall into spectrum segments, by the same countdown.
        let mut runs = std::mem::take(&mut self.runs);
        runs.clear();
        let seg_len = self.seg_len as u64;
        let mut r = 0usize;
        while r < n {
            let left = (n - r) as u64;
            if self.until_seg == 0 {
                let take = (seg_len - self.seg_rows).min(left);
                runs.push((r, r + take as usize));
                self.seg_rows += take;
                if self.seg_rows == seg_len {
                    self.seg_rows = 0;
                    self.until_seg = self.every_rows - seg_len;
                }
                r += take as usize;
            } else {
                let skip = self.until_seg.min(left);
                self.until_seg -= skip;
                r += skip as usize;
            }
        }
        for (c, col) in self.channels.iter_mut().zip(rows.columns()) {
            c.counts = c.counts.count_column(col);
            // The runs lie within `0..n` by construction, so the slice is in bounds.
            for &(a, b) in &runs {
                c.extend_segment(col.slice_axis(Axis(0), Slice::from(a..b)), self.seg_len);
            }
        }
        self.runs = runs;
        self.rows += n as u64;
    }

    /// Counts rows the source reported lost.
    pub fn gap(&mut self, rows: u64) {
        self.gap_rows += rows;
    }

    /// Adds one working-rate sample of the detector's envelope (for the rhythm).
    pub fn push_envelope(&mut self, e: f64) {
        if !e.is_finite() {
            return;
        }
        self.rhythm_buf.push(e);
        if self.rhythm_buf.len() == self.rhythm.segment_len() {
            self.rhythm.add(&self.rhythm_buf);
            self.rhythm_buf.clear();
        }
    }

    /// The stroke rhythm: the dominant frequency of the envelope within 0.3–3 Hz, if at least
    /// one 20-second segment was seen.
    pub fn rhythm_hz(&self) -> Option<f64> {
        self.rhythm.dominant(0.3, 3.0)
    }

    /// Broadband noise of channel `ch` (standard deviation, mmHg) from the PSD floor above 15 Hz.
    pub fn noise_sd(&self, ch: usize) -> Option<f64> {
        let c = self.channels.get(ch)?;
        let floor = c.welch.noise_floor(15.0, self.rate_hz * 0.45)?;
        Some((floor * self.rate_hz / 2.0).sqrt())
    }

    /// The warnings for what was seen so far; `drift` is how far each channel's zero moved
    /// (from the drift tracker), mmHg.
    pub fn warnings(&self, drift: &[f64]) -> Vec<QualityWarning> {
        let mut w = Vec::new();
        let warn = |w: &mut Vec<QualityWarning>, kind, ch: usize, message: String| {
            w.push(QualityWarning {
                kind,
                channel: Some(ch),
                message,
            });
        };
        for (i, ch) in self.channels.iter().enumerate() {
            let c = &ch.counts;
            let total = self.rows.max(1);
            let finite = self.rows - c.missing.min(self.rows);
            if finite == 0 || (c.max - c.min) < 0.5 {
                let what = if finite == 0 {
                    "never gave a value (disconnected?)".to_string()
                } else {
                    format!("stayed within {:.2} mmHg the whole time", c.max - c.min)
                };
                warn(
                    &mut w,
                    QualityKind::DeadSensor,
                    i,
                    format!("channel {} {what}", i + 1),
                );
                continue;
            }
            let miss = c.missing as f64 / total as f64;
            if miss > 0.001 {
                warn(
                    &mut w,
                    QualityKind::Dropout,
                    i,
                    format!(
                        "channel {} is missing {:.2} % of its samples",
                        i + 1,
                        miss * 100.0
                    ),
                );
            }
            // Many samples at exactly the highest value: a clipped sensor or ADC.
            let sat = c.at_max as f64 / finite as f64;
            if c.at_max >= 10 && sat > 0.0005 && c.max > 10.0 {
                warn(
                    &mut w,
                    QualityKind::Saturation,
                    i,
                    format!(
                        "channel {} sat at its top value {:.1} mmHg for {:.2} % of samples",
                        i + 1,
                        c.max,
                        sat * 100.0
                    ),
                );
            }
            if ch.welch.segments() > 0 {
                // One hum warning per channel: the stronger of 50 and 60 Hz (a 50 Hz hum leaks
                // into the 60 Hz bin and the other way round; only one mains is ever present).
                let hum = [50.0, 60.0]
                    .into_iter()
                    .filter(|&mains| mains < self.rate_hz / 2.0)
                    .map(|mains| (mains, ch.welch.tone_amplitude(mains, 1.5)))
                    .filter(|(_, a)| *a > 0.5)
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                if let Some((mains, a)) = hum {
                    warn(
                        &mut w,
                        QualityKind::Hum,
                        i,
                        format!(
                            "channel {} carries {mains:.0} Hz mains hum of {a:.1} mmHg",
                            i + 1
                        ),
                    );
                }
                if let Some(sd) = self.noise_sd(i) {
                    if sd > 2.0 {
                        warn(
                            &mut w,
                            QualityKind::Noise,
                            i,
                            format!("channel {} has broadband noise of {sd:.1} mmHg (SD)", i + 1),
                        );
                    }
                }
            }
            if let Some(&d) = drift.get(i) {
                if d.abs() > 2.0 {
                    warn(
                        &mut w,
                        QualityKind::Drift,
                        i,
                        format!(
                            "channel {}'s resting level drifted by {d:+.1} mmHg (re-zeroed)",
                            i + 1
                        ),
                    );
                }
            }
        }
        if self.gap_rows > 0 {
            w.push(QualityWarning {
                kind: QualityKind::Dropout,
                channel: None,
                message: format!(
                    "{} rows ({:.2} s) were lost in transfer",
                    self.gap_rows,
                    self.gap_rows as f64 / self.rate_hz
                ),
            });
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(w: &[QualityWarning]) -> Vec<(QualityKind, Option<usize>)> {
        w.iter().map(|q| (q.kind, q.channel)).collect()
    }

    #[test]
    fn flags_hum_saturation_dead_and_dropouts() {
        let fs = 500.0;
        let mut m = QualityMonitor::new(fs, 4, 100.0);
        for i in 0..(fs as usize * 30) {
            let t = i as f64 / fs;
            let stroke = 40.0 * (0.5 - 0.5 * (2.0 * std::f64::consts::PI * t).cos());
            let hum = 2.0 * (2.0 * std::f64::consts::PI * 50.0 * t).sin();
            let ch2 = if i % 50 < 5 { f64::NAN } else { stroke };
            m.push_row(&[stroke + hum, (stroke * 2.0).min(60.0), ch2, f64::NAN]);
        }
        let k = kinds(&m.warnings(&[0.0, 0.0, 0.0, 0.0]));
        assert!(k.contains(&(QualityKind::Hum, Some(0))), "{k:?}");
        assert!(!k.contains(&(QualityKind::Hum, Some(2))), "{k:?}");
        assert!(k.contains(&(QualityKind::Saturation, Some(1))), "{k:?}");
        assert!(!k.contains(&(QualityKind::Saturation, Some(0))), "{k:?}");
        assert!(k.contains(&(QualityKind::Dropout, Some(2))), "{k:?}");
        assert!(k.contains(&(QualityKind::DeadSensor, Some(3))), "{k:?}");
        let k = kinds(&m.warnings(&[0.0, 5.0, 0.0, 0.0]));
        assert!(k.contains(&(QualityKind::Drift, Some(1))), "{k:?}");
    }

    /// 25 s of 4 channels at 500 Hz, row-major: hum, clipping, dropouts, a dead channel, and
    /// some rows where every value is missing.
    fn rough_rows(fs: f64) -> Vec<f64> {
        let mut v = Vec::new();
        for i in 0..(fs as usize * 25) {
            let t = i as f64 / fs;
            let stroke = 40.0 * (0.5 - 0.5 * (2.0 * std::f64::consts::PI * t).cos());
            let hum = 2.0 * (2.0 * std::f64::consts::PI * 50.0 * t).sin();
            let row = if (6000..6010).contains(&i) {
                [f64::NAN; 4]
            } else {
                let ch2 = if i % 50 < 5 { f64::NAN } else { stroke };
                [stroke + hum, (stroke * 2.0).min(60.0), ch2, f64::NAN]
            };
            v.extend_from_slice(&row);
        }
        v
    }

    /// Everything the monitor holds, to compare two monitors exactly.
    fn state(m: &QualityMonitor) -> String {
        let ch: Vec<_> = m
            .channels
            .iter()
            .map(|c| {
                let psd: Vec<u64> = c.welch.psd().iter().map(|p| p.to_bits()).collect();
                let seg: Vec<u64> = c.seg.iter().map(|p| p.to_bits()).collect();
                let k = &c.counts;
                let (lo, hi) = (k.min.to_bits(), k.max.to_bits());
                (k.missing, lo, hi, k.at_max, seg, c.welch.segments(), psd)
            })
            .collect();
        format!("{} {} {} {:?}", m.rows, m.until_seg, m.seg_rows, ch)
    }

    #[test]
    fn a_block_counts_what_its_rows_count() {
        let fs = 500.0;
        let data = rough_rows(fs);
        let mut by_row = QualityMonitor::new(fs, 4, 100.0);
        for row in data.chunks_exact(4) {
            by_row.push_row(row);
        }
        // Blocks smaller and larger than a segment (512 rows) and than the 10 s between
        // segments, and the whole stream at once.
        for rows in [1, 7, 333, 512, 4096, 5000, data.len() / 4] {
            let mut by_block = QualityMonitor::new(fs, 4, 100.0);
            for block in data.chunks(rows * 4) {
                let view = ArrayView2::from_shape((block.len() / 4, 4), block).unwrap();
                by_block.push_block(view);
            }
            assert_eq!(state(&by_block), state(&by_row), "blocks of {rows} rows");
            assert_eq!(by_block.warnings(&[0.0; 4]), by_row.warnings(&[0.0; 4]));
        }
        assert!(by_row.channels[0].welch.segments() >= 2);
    }

    #[test]
    fn a_checked_block_counts_what_the_pipelines_checked_rows_count() {
        // What the pipeline would do with push_block: run the plausibility check over the block
        // into its own buffer, then count the buffer's view; against what it does now, row by
        // row.
        use crate::plausible::PressureCheck;
        use crate::stream::rows_view;
        let fs = 500.0;
        let mut data = rough_rows(fs);
        for (i, v) in data.iter_mut().enumerate().skip(3).step_by(997) {
            *v = if i % 2 == 0 { f64::INFINITY } else { 1e9 };
        }
        let (mut check_rows, mut by_row) =
            (PressureCheck::new(4), QualityMonitor::new(fs, 4, 100.0));
        for (r, row) in data.chunks_exact(4).enumerate() {
            let mut row = row.to_vec();
            check_rows.check(r as u64, &mut row);
            by_row.push_row(&row);
        }
        let (mut check_blocks, mut by_block) =
            (PressureCheck::new(4), QualityMonitor::new(fs, 4, 100.0));
        let mut checked = Vec::new();
        for (k, block) in data.chunks(4096 * 4).enumerate() {
            checked.clear();
            checked.extend_from_slice(block);
            check_blocks.check((k * 4096) as u64, &mut checked);
            by_block.push_block(rows_view(&checked, 4));
        }
        assert_eq!(state(&by_block), state(&by_row));
        assert_eq!(
            check_blocks.warnings("f", &[], fs, 0.0),
            check_rows.warnings("f", &[], fs, 0.0)
        );
        assert!(!check_rows.warnings("f", &[], fs, 0.0).is_empty());
    }

    #[test]
    fn a_block_of_another_width_counts_like_its_rows() {
        // Rows wider or narrower than the monitor: the extra values, or channels, are left out
        // either way.
        let fs = 200.0;
        for width in [2, 5] {
            // Signed zeros (equal, but not the same bits) and infinities at the top and bottom.
            let data: Vec<f64> = (0..(width * 3001))
                .map(|i| match i % 11 {
                    0 => 0.0,
                    1 => -0.0,
                    2 if i % 7 == 0 => f64::NEG_INFINITY,
                    3 => -((i % 97) as f64),
                    _ => f64::NAN,
                })
                .collect();
            let (mut by_row, mut by_block) = (
                QualityMonitor::new(fs, 3, 100.0),
                QualityMonitor::new(fs, 3, 100.0),
            );
            for row in data.chunks_exact(width) {
                by_row.push_row(row);
            }
            for block in data.chunks(width * 699) {
                let view = ArrayView2::from_shape((block.len() / width, width), block).unwrap();
                by_block.push_block(view);
            }
            assert_eq!(state(&by_block), state(&by_row), "width {width}");
        }
    }

    #[test]
    fn clean_stream_has_no_warnings_and_a_rhythm() {
        let fs = 200.0;
        let mut m = QualityMonitor::new(fs, 2, 100.0);
        for i in 0..(fs as usize * 60) {
            let t = i as f64 / fs;
            let v = 20.0 + 15.0 * (2.0 * std::f64::consts::PI * 0.9 * t).sin();
            m.push_row(&[v, v * 0.5]);
            if i % 2 == 0 {
                m.push_envelope(v);
            }
        }
        assert!(m.warnings(&[0.0, 0.0]).is_empty());
        let r = m.rhythm_hz().unwrap();
        assert!((r - 0.9).abs() < 0.06, "rhythm {r}");
    }
}
