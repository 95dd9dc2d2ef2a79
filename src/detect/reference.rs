//! A plain batch stroke finder, written for obviousness rather than speed or memory: it sees the
//! whole conditioned envelope at once and states the stroke rules directly on its extrema. The
//! streaming [`super::StrokeDetector`] must agree with it on recordings without drift (the only
//! thing the reference does not re-zero); `tests/detector.rs` checks that.
//!
//! Rules, as in the detector's documentation: every local maximum standing at least `rise_mmhg`
//! above the minima on both sides is a candidate; walking left to right, the next candidate
//! starts a new stroke only if the dip before it fell by `split_fraction` of the current
//! stroke's height and rose again by `max(rise_mmhg, 12 % of the height)`; strokes lower than
//! `min_height_mmhg` or shorter than `min_duration_s` are dropped; onset and offset are the departure from and return to the
//! trough levels on either side within `max(edge_mmhg, edge_fraction · height)`, moved earlier
//! (later) to where any fingertip carrying `FINGER_SHARE` of the height leaves (returns to) its
//! own level, at most `ROLL_S` outside the envelope's edges (a rolling hand); a stroke must also
//! stand `min_height_mmhg` above the level it returns to (else it is a touch-down).
//!
//! Unlike the detector it neither re-zeroes drift nor looks for a touch-down or lift-off
//! plateau above the trough (where the hand settles on the skin before the first stroke of a
//! spot), nor leaves out stuck sensors, bridges dropouts or raises its thresholds on a noisy
//! signal (it uses the configured floors), so compare them on clean signals without those.

use super::config::DetectorConfig;
use super::streaming::{FINGER_SHARE, ROLL_S};
use super::Stroke;
use crate::error::Result;
use crate::filter::chain::Conditioner;
use crate::stream::StreamInfo;
use crate::units::Mmhg;

/// Finds the strokes of a whole recording (`rows`: row-major, `channel_count` values a row).
pub fn detect_batch(info: &StreamInfo, cfg: &DetectorConfig, rows: &[f64]) -> Result<Vec<Stroke>> {
    let nch = info.channel_count();
    let mut cond = Conditioner::new(info.rate_hz, nch, &cfg.chain)?;
    let mut env = Vec::new();
    let mut chans: Vec<Vec<f64>> = vec![Vec::new(); nch];
    for row in rows.chunks_exact(nch.max(1)) {
        if cond.push(row) {
            let cur = cond.current();
            let e = cur
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(f64::NAN, f64::max);
            env.push(if e.is_nan() {
                env.last().copied().unwrap_or(0.0)
            } else {
                e
            });
            for (c, &v) in chans.iter_mut().zip(cur) {
                c.push(v);
            }
        }
    }
    let n = env.len();
    let time =
        |x: f64| ((x + 1.0) * cond.decimation() as f64 - 1.0) / info.rate_hz - cond.delay_s();
    // 1. Local maxima (first sample of a plateau) with their prominence on both sides.
    let mut cands = Vec::new();
    let mut i = 1;
    while i + 1 < n {
        if env[i] > env[i - 1] {
            let mut j = i;
            while j + 1 < n && env[j + 1] == env[i] {
                j += 1;
            }
            if j + 1 < n && env[j + 1] < env[i] {
                let mut lmin = env[i];
                let mut l = i;
                while l > 0 && env[l - 1] <= env[i] {
                    l -= 1;
                    lmin = lmin.min(env[l]);
                }
                let mut rmin = env[i];
                let mut r = j;
                while r + 1 < n && env[r + 1] <= env[i] {
                    r += 1;
                    rmin = rmin.min(env[r]);
                }
                if env[i] - lmin.max(rmin) >= cfg.rise_mmhg {
                    cands.push(i);
                }
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    let argmin = |a: usize, b: usize| (a..=b).fold(a, |m, k| if env[k] < env[m] { k } else { m });
    // 2. Group candidates into strokes by the split rule.
    let mut groups: Vec<(usize, usize, usize)> = Vec::new(); // (left trough, peak, last cand)
    for &c in &cands {
        if let Some(g) = groups.last_mut() {
            let t = argmin(g.2, c);
            let start = env[g.0];
            let (p, d, q) = (env[g.1], env[t], env[c]);
            let h = p - start;
            let split = p - d >= (cfg.split_fraction * h).max(cfg.rise_mmhg)
                && q - d > (0.12 * h).max(cfg.rise_mmhg);
            if !split {
                if q > p {
                    g.1 = c;
                }
                g.2 = c;
                continue;
            }
            groups.push((t, c, c));
        } else {
            groups.push((argmin(0, c), c, c));
        }
    }
    // 3. Edges, peaks, levels.
    let tol = |h: f64| (cfg.edge_fraction * h).max(cfg.edge_mmhg);
    let mut out = Vec::new();
    for (gi, &(lt, pk, last)) in groups.iter().enumerate() {
        let rt = match groups.get(gi + 1) {
            Some(next) => next.0,
            None => argmin(last, n - 1),
        };
        let (start, end, peak) = (env[lt], env[rt], env[pk]);
        let h = peak - start;
        if h < cfg.min_height_mmhg {
            continue;
        }
        let thr_on = start + tol(h);
        let mut onset = lt as f64;
        for j in (lt + 1..=pk).rev() {
            if env[j - 1] <= thr_on {
                onset = cross(j - 1, env[j - 1], env[j], thr_on);
                break;
            }
        }
        let thr_off = end + tol(peak - end);
        let mut offset = rt as f64;
        for j in pk..rt {
            if env[j + 1] <= thr_off {
                offset = cross(j, env[j], env[j + 1], thr_off);
                break;
            }
        }
        if peak - end < cfg.min_height_mmhg {
            continue;
        }
        // Each fingertip carrying FINGER_SHARE of the stroke: its own departure before its
        // peak and return after it, at most ROLL_S outside the envelope's edges.
        if nch > 1 {
            let w = (ROLL_S * cond.work_rate_hz()).ceil() as usize;
            let a = (onset.floor() as usize).saturating_sub(w).max(lt);
            let b = ((offset.ceil() as usize) + w).min(rt).max(pk);
            for c in &chans {
                let seg = &c[a..=b];
                let Some((pi, pv)) = seg
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .fold(None, |m: Option<(usize, f64)>, (i, v)| match m {
                        Some((_, mv)) if mv >= v => m,
                        _ => Some((i, v)),
                    })
                else {
                    continue;
                };
                let pi = a + pi;
                let lvl_on = c[a..=pi].iter().copied().fold(f64::INFINITY, f64::min);
                let rise = pv - lvl_on;
                if !(rise >= FINGER_SHARE * h && rise >= cfg.min_height_mmhg) {
                    continue;
                }
                let thr = lvl_on + tol(rise);
                if let Some(j) = (a + 1..=pi).rev().find(|&j| c[j - 1] <= thr) {
                    onset = onset.min(cross(j - 1, c[j - 1], c[j], thr));
                }
                let lvl_off = c[pi..=b].iter().copied().fold(f64::INFINITY, f64::min);
                let thr = lvl_off + tol(pv - lvl_off);
                if let Some(j) = (pi..b).find(|&j| c[j + 1] <= thr) {
                    offset = offset.max(cross(j, c[j], c[j + 1], thr));
                }
            }
        }
        if (offset - onset) / cond.work_rate_hz() < cfg.min_duration_s {
            continue;
        }
        let (i0, i1) = (onset.floor() as usize, (offset.ceil() as usize).min(n - 1));
        let channel_peaks = chans
            .iter()
            .map(|c| {
                Mmhg(
                    c[i0..=i1]
                        .iter()
                        .copied()
                        .filter(|v| v.is_finite())
                        .fold(f64::NAN, f64::max),
                )
            })
            .collect();
        let step = cond.work_rate_hz() / Stroke::ENVELOPE_RATE_HZ;
        let m = ((offset - onset) / step).floor() as usize + 1;
        let envelope = (0..m)
            .map(|k| {
                let x = onset + k as f64 * step;
                let a = x.floor() as usize;
                let b = (a + 1).min(n - 1);
                (env[a] + (env[b] - env[a]) * (x - a as f64)) as f32
            })
            .collect();
        out.push(Stroke {
            onset_s: time(onset),
            offset_s: time(offset),
            peak_s: time(pk as f64),
            peak: Mmhg(peak),
            channel_peaks,
            start_level: Mmhg(start),
            release_level: Mmhg(end),
            rest_level: Mmhg(start),
            envelope,
        });
    }
    Ok(out)
}

fn cross(i: usize, a: f64, b: f64, level: f64) -> f64 {
    let d = b - a;
    i as f64
        + if d.abs() > 1e-12 {
            ((level - a) / d).clamp(0.0, 1.0)
        } else {
            0.0
        }
}
