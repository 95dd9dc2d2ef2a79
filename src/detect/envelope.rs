//! The envelope stage: from the conditioned fingertips to the one signal strokes are found in,
//! the highest fingertip, with stuck sensors left out.
//!
//! A stroke is the hand's, not one finger's, so the detector works on the envelope (the highest
//! fingertip at each working sample). A sensor that sticks (a part at full scale, a frozen
//! reading, a broken lead reading zero) would own that maximum and hide every stroke under it,
//! so a channel flat within [`STUCK_BAND_MMHG`] for [`STUCK_S`] is left out from a little
//! before its flat spell ([`STUCK_MARGIN_S`], the filters' way up to it) and taken back, after a
//! short quarantine, as soon as it moves. Every change is logged ([`Envelope::stuck_log`]) and
//! becomes a quality warning naming the finger.
//!
//! This stage is fed one conditioned working sample at a time ([`Envelope::push`]) and knows
//! nothing of strokes: the detector, the quality monitor and anything else that wants "the
//! hand's pressure" read the same [`EnvelopeSample`].

/// How far before a flat spell a newly stuck channel is left out (seconds): the filters'
/// settling.
pub const STUCK_MARGIN_S: f64 = 0.5;
/// Most changes of stuck state remembered.
pub const MAX_STUCK_LOG: usize = 256;
/// A channel that stays within this band (mmHg) for [`STUCK_S`] is stuck.
pub const STUCK_BAND_MMHG: f64 = 0.004;
/// How long a channel must stay flat to count as stuck (seconds).
pub const STUCK_S: f64 = 2.5;
/// How long a channel that has just come unstuck stays out (seconds): the filters are still
/// coming down from the stuck value (the low-pass settles within about 0.1 s).
pub const QUARANTINE_S: f64 = 0.2;

/// How working samples map to time: the conditioning chain's rates and delay, which the
/// stages after it need to place what they find in the input's time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Input rows per second.
    pub rate_hz: f64,
    /// Input rows per working sample.
    pub decimation: usize,
    /// How far the conditioned signal lags the input, seconds.
    pub delay_s: f64,
}

impl Timing {
    /// The timing of a conditioning chain.
    pub fn of(cond: &crate::filter::chain::Conditioner) -> Self {
        Timing {
            rate_hz: cond.rate_hz(),
            decimation: cond.decimation(),
            delay_s: cond.delay_s(),
        }
    }

    /// Working samples per second.
    pub fn work_rate_hz(&self) -> f64 {
        self.rate_hz / self.decimation as f64
    }

    /// Working samples in `s` seconds (at least one).
    pub fn samples(&self, s: f64) -> u64 {
        ((s * self.work_rate_hz()).round().max(1.0)) as u64
    }

    /// Seconds from the first input row to the end of working sample `k` (no delay taken off):
    /// when the sample was complete. The stuck log's clock; a stroke's times are the samples'
    /// own, the chain's delay taken off (a delay or so apart, well under the 0.5 s margin).
    pub fn end_of(&self, k: u64) -> f64 {
        ((k + 1) * self.decimation as u64) as f64 / self.rate_hz
    }
}

/// One working sample of the envelope stage's output.
#[derive(Clone, Copy, Debug)]
pub struct EnvelopeSample<'a> {
    /// The working sample's index since the start of the stream.
    pub index: u64,
    /// The envelope: the highest fingertip in use, mmHg; `NaN` when no channel has a value.
    pub value: f64,
    /// Every channel's conditioned value as the envelope used it: `NaN` where the channel is
    /// left out (stuck or in quarantine) or has no value.
    pub channels: &'a [f64],
    /// Channels stuck now.
    pub stuck: &'a [bool],
    /// Whether any channel gave a value for this sample (`false` inside a dropout, where the
    /// chain holds every channel's last value).
    pub fresh: bool,
    /// A channel has just become stuck: it is out from this working sample on, and what was
    /// taken from it since then (envelope, peaks) is to be looked at again without it.
    pub newly_stuck_from: Option<u64>,
}

/// The envelope stage: stuck-channel tracking and the highest fingertip.
#[derive(Clone, Debug)]
pub struct Envelope {
    k: u64,
    timing: Timing,
    /// Per channel: stuck now.
    now: Vec<bool>,
    /// Per channel: the value a flat spell started at…
    flat_ref: Vec<f64>,
    /// …and where.
    flat_from: Vec<u64>,
    /// Per channel: a channel that has just come unstuck stays out until here.
    quarantine: Vec<u64>,
    /// Per channel, this working sample: left out (stuck or in quarantine)…
    excluded: Vec<bool>,
    /// …and the value used, `NaN` where left out.
    used: Vec<f64>,
    /// Working samples of [`STUCK_S`], [`STUCK_MARGIN_S`], [`QUARANTINE_S`].
    stuck_n: u64,
    margin_n: u64,
    quarantine_n: u64,
    /// Changes of a channel's stuck state: (seconds from the first sample, channel, stuck now,
    /// the level it sits at). Bounded to [`MAX_STUCK_LOG`] entries.
    log: Vec<(f64, usize, bool, f64)>,
}

impl Envelope {
    /// The stage for `channels` channels of a chain with this timing.
    pub fn new(channels: usize, timing: Timing) -> Self {
        Envelope {
            k: 0,
            timing,
            now: vec![false; channels],
            flat_ref: vec![f64::NAN; channels],
            flat_from: vec![0; channels],
            quarantine: vec![0; channels],
            excluded: vec![false; channels],
            used: vec![f64::NAN; channels],
            stuck_n: timing.samples(STUCK_S),
            margin_n: timing.samples(STUCK_MARGIN_S),
            quarantine_n: timing.samples(QUARANTINE_S),
            log: Vec::new(),
        }
    }

    /// Takes the next working sample: every channel's conditioned value (`current`, mmHg,
    /// `NaN` where none) and whether any of them is fresh (not held through a dropout).
    #[inline]
    pub fn push(&mut self, current: &[f64], fresh: bool) -> EnvelopeSample<'_> {
        let k = self.k;
        self.k += 1;
        let newly_stuck_from = if fresh {
            self.update_stuck(k, current)
        } else {
            // A dropout holds every channel: it says nothing about a sensor being stuck.
            for f in &mut self.flat_from {
                *f += 1;
            }
            None
        };
        for ((x, &st), &q) in self
            .excluded
            .iter_mut()
            .zip(&self.now)
            .zip(&self.quarantine)
        {
            *x = st || k < q;
        }
        // A stuck channel is out of the envelope and the peaks (unless every channel is: then
        // nothing tells them apart, and all count).
        let any_free = self
            .excluded
            .iter()
            .zip(current)
            .any(|(&x, v)| !x && v.is_finite());
        let mut e = f64::NEG_INFINITY;
        // A channel `current` does not give has no value.
        self.used
            .iter_mut()
            .skip(current.len())
            .for_each(|u| *u = f64::NAN);
        for ((u, &v), &x) in self.used.iter_mut().zip(current).zip(&self.excluded) {
            let in_use = !any_free || !x;
            *u = if in_use { v } else { f64::NAN };
            if in_use && v > e {
                e = v;
            }
        }
        EnvelopeSample {
            index: k,
            value: if e == f64::NEG_INFINITY { f64::NAN } else { e },
            channels: &self.used,
            stuck: &self.now,
            fresh,
            newly_stuck_from,
        }
    }

    /// Updates every channel's stuck state at working sample `k`; returns where the flat spell
    /// of a channel that has just become stuck began (less the margin).
    fn update_stuck(&mut self, k: u64, current: &[f64]) -> Option<u64> {
        let mut newly = None;
        for (c, &v) in current.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let (Some(r), Some(from), Some(st)) = (
                self.flat_ref.get_mut(c),
                self.flat_from.get_mut(c),
                self.now.get_mut(c),
            ) else {
                continue;
            };
            if (v - *r).abs() <= STUCK_BAND_MMHG {
                if !*st && k.saturating_sub(*from) >= self.stuck_n {
                    *st = true;
                    // Out from a little before the flat spell: the filters' way up to it.
                    *from = from.saturating_sub(self.margin_n);
                    newly = Some(newly.map_or(*from, |n: u64| n.min(*from)));
                    if self.log.len() < MAX_STUCK_LOG {
                        self.log.push((self.timing.end_of(*from), c, true, v));
                    }
                }
            } else {
                if *st {
                    *st = false;
                    if let Some(q) = self.quarantine.get_mut(c) {
                        *q = k.saturating_add(self.quarantine_n).saturating_add(1);
                    }
                    if self.log.len() < MAX_STUCK_LOG {
                        self.log.push((self.timing.end_of(k), c, false, v));
                    }
                }
                *r = v;
                *from = k;
            }
        }
        newly
    }

    /// Channels stuck now.
    pub fn stuck_now(&self) -> &[bool] {
        &self.now
    }

    /// Changes of stuck state so far: (seconds from the first sample, channel, stuck now,
    /// level in mmHg).
    pub fn stuck_log(&self) -> &[(f64, usize, bool, f64)] {
        &self.log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing() -> Timing {
        Timing {
            rate_hz: 100.0,
            decimation: 1,
            delay_s: 0.0,
        }
    }

    #[test]
    fn the_envelope_is_the_highest_fingertip() {
        let mut e = Envelope::new(3, timing());
        let s = e.push(&[1.0, 7.5, f64::NAN], true);
        assert_eq!(s.index, 0);
        assert_eq!(s.value, 7.5);
        assert_eq!(&s.channels[..2], &[1.0, 7.5]);
        assert!(s.channels[2].is_nan());
        let s = e.push(&[f64::NAN; 3], false);
        assert!(s.value.is_nan());
        assert_eq!(s.index, 1);
    }

    #[test]
    fn a_stuck_channel_is_left_out_and_taken_back_when_it_moves() {
        let t = timing();
        let mut e = Envelope::new(2, t);
        let (n, margin, q) = (
            t.samples(STUCK_S),
            t.samples(STUCK_MARGIN_S),
            t.samples(QUARANTINE_S),
        );
        // Channel 1 moves for a second, then sits at full scale; channel 0 moves throughout.
        let flat_from = 100;
        let ch1 = |i: u64| {
            if i < flat_from {
                150.0 + i as f64
            } else {
                200.0
            }
        };
        let mut newly = None;
        for i in 0..flat_from + n + 10 {
            let moving = 5.0 + (i as f64 * 0.3).sin();
            let s = e.push(&[moving, ch1(i)], true);
            if s.newly_stuck_from.is_some() {
                newly = s.newly_stuck_from.map(|f| (f, s.index));
            }
            if i >= flat_from + n {
                assert!(s.stuck[1], "stuck by {i}");
                assert!(s.channels[1].is_nan());
                assert!((s.value - moving).abs() < 1e-12, "envelope without it");
            } else {
                assert_eq!(s.value, ch1(i), "still in use at {i}");
            }
        }
        let (from, at) = newly.expect("became stuck");
        assert_eq!(at, flat_from + n, "stuck once flat for STUCK_S");
        assert_eq!(
            from,
            flat_from - margin,
            "out from the margin before its flat spell"
        );
        assert_eq!(e.stuck_log().len(), 1);
        assert!((e.stuck_log()[0].0 - t.end_of(from)).abs() < 1e-12);
        // It moves: no longer stuck, but out for the quarantine, to the sample.
        let s = e.push(&[5.0, 150.0], true);
        let unstuck = s.index;
        assert!(!s.stuck[1]);
        assert!(s.channels[1].is_nan(), "in quarantine");
        for j in 1..=q {
            let s = e.push(&[5.0, 150.0 + j as f64], true);
            assert!(s.channels[1].is_nan(), "in quarantine at {}", unstuck + j);
        }
        let s = e.push(&[5.0, 140.0], true);
        assert_eq!(s.index, unstuck + q + 1);
        assert_eq!(s.value, 140.0, "taken back right after the quarantine");
        assert_eq!(e.stuck_log().len(), 2);
        assert!(!e.stuck_log()[1].2);
    }

    #[test]
    fn a_short_input_row_leaves_no_stale_value() {
        let mut e = Envelope::new(2, timing());
        e.push(&[1.0, 9.0], true);
        let s = e.push(&[2.0], true);
        assert!(s.channels[1].is_nan());
        assert_eq!(s.value, 2.0);
    }

    #[test]
    fn when_every_channel_is_stuck_all_count() {
        let t = timing();
        let mut e = Envelope::new(2, t);
        for _ in 0..t.samples(STUCK_S) + 5 {
            let s = e.push(&[3.0, 9.0], true);
            assert_eq!(s.value, 9.0);
        }
        assert_eq!(e.stuck_now(), &[true, true]);
    }

    #[test]
    fn a_dropout_says_nothing_about_sticking() {
        let t = timing();
        let mut e = Envelope::new(1, t);
        e.push(&[4.0], true);
        // Held through a dropout longer than STUCK_S: the flat held value is no stuck sensor.
        for _ in 0..t.samples(STUCK_S) * 2 {
            let s = e.push(&[4.0], false);
            assert!(s.newly_stuck_from.is_none());
        }
        assert_eq!(e.stuck_now(), &[false]);
    }
}
