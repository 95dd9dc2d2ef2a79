//! The virtual hand: a seeded plan of a whole practice session (spots, strokes, rests, lifts)
//! and the true, noise-free pressure of every fingertip at any instant.
//!
//! A session is a timeline of segments. On each spot the hand is placed (pressure rises from 0
//! to the spot's resting level), makes 5–7 strokes (a working phase, then a resting phase at the
//! resting level or on a ledge), releases completely, lifts (pressure 0) and moves on for a few
//! seconds. The highest fingertip carries the hand's pressure; the others carry a share of what
//! is above the resting level, varying per spot (and per stroke for novices).

use crate::sim::shape::StrokeShape;
use crate::sim::style::{Style, StyleParams};
use crate::sim::truth::{IntendedGrade, TruthStroke};
use crate::units::Mmhg;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// Time to place the hand on a spot (0 → resting level), seconds.
const PLACE_S: f64 = 0.2;
/// Time to lift the hand off a spot (resting level → 0), seconds.
const LIFT_S: f64 = 0.15;
/// The smallest rise of a stroke above the level it starts from, mmHg.
const MIN_RISE: f64 = 6.0;

#[derive(Clone, Debug)]
enum Kind {
    /// A constant level.
    Hold(f64),
    /// A raised-cosine move from one level to another.
    Ramp(f64, f64),
    /// The working phase of the stroke with this index.
    Stroke(usize),
}

#[derive(Clone, Debug)]
struct Segment {
    start: f64,
    end: f64,
    kind: Kind,
    /// The spot's resting level: fingertips share only what is above it.
    rest: f64,
    /// Index into `shares` for this segment's fingertip shares.
    shares: usize,
    /// Shares before this segment (a stroke moves from these to its own over the rise).
    prev_shares: usize,
}

#[derive(Clone, Debug)]
struct PlannedStroke {
    shape: StrokeShape,
    truth: TruthStroke,
}

/// A seeded plan of a practice session and its true fingertip pressures.
#[derive(Clone, Debug)]
pub struct Hand {
    segments: Vec<Segment>,
    strokes: Vec<PlannedStroke>,
    shares: Vec<Vec<f64>>,
    channels: usize,
    duration_s: f64,
    spot_starts: Vec<f64>,
    cursor: usize,
}

impl Hand {
    /// Plans a session of `duration_s` seconds for `channels` fingertips, in `style`, from `seed`.
    /// The same arguments always give the same plan.
    pub fn new(style: Style, seed: u64, duration_s: f64, channels: usize) -> Self {
        Self::with_params(&style.params(), seed, duration_s, channels)
    }

    /// Plans a session from explicit style parameters.
    pub fn with_params(p: &StyleParams, seed: u64, duration_s: f64, channels: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(1);
        let channels = channels.max(1);
        let duration_s = if duration_s.is_finite() {
            duration_s.max(0.0)
        } else {
            0.0
        };
        let mut plan = Hand {
            segments: Vec::new(),
            strokes: Vec::new(),
            shares: vec![vec![1.0; channels]],
            channels,
            duration_s,
            spot_starts: Vec::new(),
            cursor: 0,
        };
        let peak_dist = Normal::new(p.peak_mean, p.peak_sd.max(1e-9))
            .unwrap_or_else(|_| Normal::new(35.0, 1.0).unwrap_or_else(|_| unreachable!()));
        let uni = |rng: &mut ChaCha8Rng, r: (f64, f64)| {
            if r.1 > r.0 {
                rng.gen_range(r.0..r.1)
            } else {
                r.0
            }
        };

        // Lead-in with the hand off the skin.
        let mut t = rng.gen_range(0.5..1.0);
        plan.push(0.0, t, Kind::Hold(0.0), 0.0, 0);
        let mut spot = 0u32;
        'spots: while t < duration_s {
            let rest = uni(&mut rng, p.rest_level);
            // Fingertip shares for this spot: one top fingertip, the others a share of it.
            let top = rng.gen_range(0..channels);
            let spot_shares: Vec<f64> = (0..channels)
                .map(|c| {
                    if c == top {
                        1.0
                    } else {
                        uni(&mut rng, p.share_range)
                    }
                })
                .collect();
            plan.spot_starts.push(t);
            let sh = plan.add_shares(spot_shares.clone());
            plan.push(t, t + PLACE_S, Kind::Ramp(0.0, rest), rest, sh);
            t += PLACE_S;
            let settle = uni(&mut rng, p.rest_s);
            plan.push(t, t + settle, Kind::Hold(rest), rest, sh);
            t += settle;

            let n = rng
                .gen_range(p.strokes_per_spot.0..=p.strokes_per_spot.1.max(p.strokes_per_spot.0));
            let mut level = rest;
            let mut prev_sh = sh;
            for k in 0..n {
                let working = uni(&mut rng, p.working_s);
                let resting = uni(&mut rng, p.rest_s);
                let mut peak = peak_dist.sample(&mut rng).clamp(p.peak_min, p.peak_max);
                if peak < level + MIN_RISE {
                    peak = level + MIN_RISE;
                }
                let last = k + 1 == n;
                let incomplete = !last && rng.gen_bool(p.incomplete_release_p.clamp(0.0, 1.0));
                let end = if incomplete {
                    rest + uni(&mut rng, p.ledge_fraction) * (peak - rest)
                } else {
                    rest
                };
                let rise_end = uni(&mut rng, p.peak_position);
                let plateau = uni(&mut rng, p.plateau);
                let double = rng.gen_bool(p.double_hump_p.clamp(0.0, 1.0));
                let dip = if double {
                    uni(&mut rng, p.dip_depth)
                } else {
                    0.0
                };
                // A double hump needs room at the top.
                let plateau = if double { plateau.max(0.15) } else { plateau };
                let jerk = if rng.gen_bool(p.jerk_p.clamp(0.0, 1.0)) {
                    rng.gen_range(0.5..0.9)
                } else {
                    0.0
                };
                let shape = StrokeShape {
                    start: level,
                    peak,
                    end,
                    rise_end,
                    fall_start: (rise_end + plateau).min(0.9),
                    dip,
                    jerk,
                };
                let stroke_shares = if p.share_jitter > 0.0 {
                    jitter(&spot_shares, p.share_jitter, &mut rng)
                } else {
                    spot_shares.clone()
                };
                if t + working > duration_s {
                    break 'spots;
                }
                let channel_peaks = stroke_shares
                    .iter()
                    .map(|s| Mmhg(rest + (peak - rest) * s))
                    .collect();
                let truth = TruthStroke {
                    onset_s: t,
                    offset_s: t + working,
                    peak_s: t + rise_end * working,
                    peak: Mmhg(peak),
                    channel_peaks,
                    start_level: Mmhg(level),
                    end_level: Mmhg(end),
                    rest_level: Mmhg(rest),
                    grade: IntendedGrade::of(Mmhg(peak)),
                    spot,
                    incomplete_release: incomplete,
                    double_hump: double,
                };
                let ssh = plan.add_shares(stroke_shares);
                plan.strokes.push(PlannedStroke { shape, truth });
                let idx = plan.strokes.len() - 1;
                plan.segments.push(Segment {
                    start: t,
                    end: t + working,
                    kind: Kind::Stroke(idx),
                    rest,
                    shares: ssh,
                    prev_shares: prev_sh,
                });
                t += working;
                plan.push(t, t + resting, Kind::Hold(end), rest, ssh);
                t += resting;
                level = end;
                prev_sh = ssh;
            }
            // Lift and move to the next spot.
            plan.push(t, t + LIFT_S, Kind::Ramp(level, 0.0), rest, prev_sh);
            t += LIFT_S;
            let lift = uni(&mut rng, p.lift_s);
            plan.push(t, t + lift, Kind::Hold(0.0), 0.0, 0);
            t += lift;
            spot += 1;
        }
        plan
    }

    fn add_shares(&mut self, s: Vec<f64>) -> usize {
        self.shares.push(s);
        self.shares.len() - 1
    }

    fn push(&mut self, start: f64, end: f64, kind: Kind, rest: f64, shares: usize) {
        self.segments.push(Segment {
            start,
            end,
            kind,
            rest,
            shares,
            prev_shares: shares,
        });
    }

    /// Number of fingertips.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The planned length, seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }

    /// The ground truth: every stroke that ends within the session, in time order.
    pub fn truth(&self) -> Vec<TruthStroke> {
        self.strokes.iter().map(|s| s.truth.clone()).collect()
    }

    /// When the hand was placed on each spot, seconds (where the glove's button marker goes).
    pub fn spot_starts(&self) -> &[f64] {
        &self.spot_starts
    }

    /// Writes each fingertip's true pressure at `t` seconds into `out` (mmHg, `channels`
    /// values). Fastest when `t` only grows between calls; any order works.
    pub fn pressures_at(&mut self, t: f64, out: &mut [f64]) {
        let seg_idx = self.find(t);
        let Some(seg) = self.segments.get(seg_idx) else {
            out.iter_mut().for_each(|v| *v = 0.0);
            return;
        };
        let u = if seg.end > seg.start {
            ((t - seg.start) / (seg.end - seg.start)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let (level, mix) = match seg.kind {
            Kind::Hold(l) => (l, 1.0),
            Kind::Ramp(a, b) => (
                a + (b - a) * 0.5 * (1.0 - (std::f64::consts::PI * u).cos()),
                1.0,
            ),
            Kind::Stroke(i) => match self.strokes.get(i) {
                Some(s) => {
                    let shape = &s.shape;
                    let mix = if shape.rise_end > 0.0 {
                        (u / shape.rise_end).min(1.0)
                    } else {
                        1.0
                    };
                    (shape.at(u), mix)
                }
                None => (0.0, 1.0),
            },
        };
        let empty = Vec::new();
        let now = self.shares.get(seg.shares).unwrap_or(&empty);
        let before = self.shares.get(seg.prev_shares).unwrap_or(&empty);
        for (c, v) in out.iter_mut().enumerate() {
            if level <= seg.rest {
                *v = level;
            } else {
                let a = before.get(c).copied().unwrap_or(1.0);
                let b = now.get(c).copied().unwrap_or(1.0);
                let share = a + (b - a) * mix;
                *v = seg.rest + (level - seg.rest) * share;
            }
        }
    }

    /// Index of the segment holding `t` (the last one if `t` is past the end).
    fn find(&mut self, t: f64) -> usize {
        if self.segments.is_empty() {
            return 0;
        }
        let n = self.segments.len();
        let c = self.cursor.min(n - 1);
        let at_or_after = |s: &Segment| t >= s.start;
        if at_or_after(&self.segments[c]) {
            let mut i = c;
            while i + 1 < n && t >= self.segments[i + 1].start {
                i += 1;
            }
            self.cursor = i;
        } else {
            self.cursor = self
                .segments
                .partition_point(|s| s.start <= t)
                .saturating_sub(1);
        }
        self.cursor
    }
}

/// Scales each share by `exp(N(0, sd))` and renormalises so the top fingertip carries 1.
fn jitter(shares: &[f64], sd: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let n = Normal::new(0.0, sd)
        .unwrap_or_else(|_| Normal::new(0.0, 0.0).unwrap_or_else(|_| unreachable!()));
    let mut out: Vec<f64> = shares
        .iter()
        .map(|s| (s * n.sample(rng).exp()).max(0.05))
        .collect();
    let top = out.iter().copied().fold(0.0, f64::max);
    if top > 0.0 {
        out.iter_mut().for_each(|s| *s /= top);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampled_max(hand: &mut Hand, from: f64, to: f64) -> (f64, f64) {
        let mut out = vec![0.0; hand.channels()];
        let mut best = (f64::NEG_INFINITY, 0.0);
        let steps = 2000;
        for i in 0..=steps {
            let t = from + (to - from) * i as f64 / steps as f64;
            hand.pressures_at(t, &mut out);
            let m = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if m > best.0 + 1e-12 {
                best = (m, t);
            }
        }
        best
    }

    #[test]
    fn truth_matches_the_curve() {
        for style in Style::ALL {
            let mut hand = Hand::new(style, 7, 40.0, 5);
            let truth = hand.truth();
            assert!(truth.len() > 10, "{style}: {} strokes", truth.len());
            let mut out = vec![0.0; 5];
            for s in &truth {
                // The sampled maximum over the working phase is the true peak, at the peak time.
                let (m, at) = sampled_max(&mut hand, s.onset_s, s.offset_s);
                assert!((m - s.peak.0).abs() < 1e-3, "{style}: {m} vs {}", s.peak.0);
                hand.pressures_at(s.peak_s, &mut out);
                let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                assert!((top - s.peak.0).abs() < 1e-9, "{style}: at peak time {top}");
                assert!((at - s.peak_s).abs() < 2e-3 * s.duration_s() + 1e-9 || s.double_hump);
                // The curve starts at the start level and ends at the end level.
                hand.pressures_at(s.onset_s, &mut out);
                let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                assert!((top - s.start_level.0).abs() < 1e-6, "{style} onset {top}");
                hand.pressures_at(s.offset_s - 1e-9, &mut out);
                let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                assert!((top - s.end_level.0).abs() < 1e-4, "{style} offset {top}");
                // The highest fingertip's truth peak is the stroke's peak.
                let cmax = s.channel_peaks.iter().map(|p| p.0).fold(0.0, f64::max);
                assert!((cmax - s.peak.0).abs() < 1e-9);
                assert!(s.offset_s <= hand.duration_s());
            }
            for w in truth.windows(2) {
                assert!(w[0].offset_s < w[1].onset_s);
                // The next stroke rises from where this one fell to (same spot).
                if w[0].spot == w[1].spot {
                    assert_eq!(w[0].end_level, w[1].start_level);
                }
            }
        }
    }

    #[test]
    fn same_seed_same_plan() {
        let a = Hand::new(Style::Novice, 42, 30.0, 4).truth();
        let b = Hand::new(Style::Novice, 42, 30.0, 4).truth();
        let c = Hand::new(Style::Novice, 43, 30.0, 4).truth();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn out_of_order_lookups_agree() {
        let mut h = Hand::new(Style::Steady, 1, 20.0, 5);
        let mut fwd = Vec::new();
        let mut out = vec![0.0; 5];
        for i in 0..200 {
            h.pressures_at(i as f64 * 0.1, &mut out);
            fwd.push(out.clone());
        }
        for i in (0..200).rev() {
            h.pressures_at(i as f64 * 0.1, &mut out);
            assert_eq!(out, fwd[i]);
        }
    }
}
