//! Stroke-detection accuracy against ground truth.
//!
//! - `meets_the_bar_on_generated_recordings` (always runs, seconds): a small set generated in the
//!   test (raised-cosine, skewed, trapezoid and double-hump strokes, incomplete releases, drift,
//!   hum, spikes, dropouts, 100–1000 Hz, 3–5 channels) must meet the project's bar: stroke
//!   F1 ≥ 0.98, onset+offset F1 ≥ 0.95, mean peak error ≤ 1.5 mmHg, grade agreement ≥ 0.98.
//!
//! A folder of annotated BIDS recordings (one written by `tools/heldout/gen.py`, say) is scored
//! by the tool itself: `mldsense bench DIR`.
//!
//! Matching follows mir_eval / sed_eval: maximum bipartite matching of onsets within ±200 ms;
//! onset+offset additionally needs the offset within max(200 ms, 20 % of the true length).

use mldsense::detect::Stroke;
use mldsense::pipeline::{Pipeline, PipelineConfig};
use mldsense::stream::{ChannelInfo, StreamInfo};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A true stroke.
#[derive(Clone, Debug)]
struct Truth {
    onset: f64,
    offset: f64,
    peak: f64,
}

/// Maximum bipartite matching (Kuhn's augmenting paths) of `n_ref × n_est` allowed pairs.
fn max_matching(
    n_ref: usize,
    n_est: usize,
    ok: &dyn Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    // Candidate lists, using sortedness would be faster; sizes here are small.
    let adj: Vec<Vec<usize>> = (0..n_ref)
        .map(|r| (0..n_est).filter(|&e| ok(r, e)).collect())
        .collect();
    let mut est_of: Vec<Option<usize>> = vec![None; n_est];
    fn augment(
        r: usize,
        adj: &[Vec<usize>],
        seen: &mut [bool],
        est_of: &mut [Option<usize>],
    ) -> bool {
        for &e in &adj[r] {
            if !seen[e] {
                seen[e] = true;
                if est_of[e].is_none() || augment(est_of[e].unwrap(), adj, seen, est_of) {
                    est_of[e] = Some(r);
                    return true;
                }
            }
        }
        false
    }
    for r in 0..n_ref {
        let mut seen = vec![false; n_est];
        augment(r, &adj, &mut seen, &mut est_of);
    }
    est_of
        .iter()
        .enumerate()
        .filter_map(|(e, r)| r.map(|r| (r, e)))
        .collect()
}

#[derive(Default, Debug, Clone)]
struct Score {
    n_ref: usize,
    n_est: usize,
    hits: usize,
    hits_on_off: usize,
    peak_err_sum: f64,
    peak_bias_sum: f64,
    grade_n: usize,
    grade_agree: usize,
    onset_err_sum: f64,
    offset_err_sum: f64,
}

/// The grader's own rule and window (`Profile::grade_of`, `profiles/default.toml`), so this
/// test cannot drift from what the product grades.
fn grade(p: f64) -> mldsense::grade::Grade {
    mldsense::grade::Profile::default_profile().grade_of(mldsense::units::Mmhg(p))
}

/// Whether a true peak is clear of both window edges by the benchmark's margin.
fn clear_of_edges(p: f64) -> bool {
    mldsense::eval::GradeWindow::default().is_clear(mldsense::units::Mmhg(p))
}

impl Score {
    fn add(&mut self, truth: &[Truth], est: &[Stroke]) {
        let on = |r: usize, e: usize| (truth[r].onset - est[e].onset_s).abs() <= 0.2;
        let m = max_matching(truth.len(), est.len(), &on);
        self.n_ref += truth.len();
        self.n_est += est.len();
        self.hits += m.len();
        for &(r, e) in &m {
            let t = &truth[r];
            let s = &est[e];
            self.peak_err_sum += (t.peak - s.peak.0).abs();
            self.peak_bias_sum += s.peak.0 - t.peak;
            self.onset_err_sum += s.onset_s - t.onset;
            self.offset_err_sum += s.offset_s - t.offset;
            if clear_of_edges(t.peak) {
                self.grade_n += 1;
                if grade(t.peak) == grade(s.peak.0) {
                    self.grade_agree += 1;
                }
            }
        }
        let both = |r: usize, e: usize| {
            let t = &truth[r];
            let tol = (0.2f64).max(0.2 * (t.offset - t.onset));
            on(r, e) && (t.offset - est[e].offset_s).abs() <= tol
        };
        self.hits_on_off += max_matching(truth.len(), est.len(), &both).len();
        if std::env::var_os("MLDSENSE_VERBOSE").is_some() {
            let matched_e: Vec<usize> = m.iter().map(|p| p.1).collect();
            let matched_r: Vec<usize> = m.iter().map(|p| p.0).collect();
            for (e, s) in est
                .iter()
                .enumerate()
                .filter(|(e, _)| !matched_e.contains(e))
            {
                eprintln!(
                    "  false: {:.3}-{:.3} peak {:.1} start {:.1} (#{e})",
                    s.onset_s, s.offset_s, s.peak.0, s.start_level.0
                );
            }
            for (r, t) in truth
                .iter()
                .enumerate()
                .filter(|(r, _)| !matched_r.contains(r))
            {
                eprintln!(
                    "  missed: {:.3}-{:.3} peak {:.1} (#{r})",
                    t.onset, t.offset, t.peak
                );
            }
        }
    }
    fn f1(&self, hits: usize) -> f64 {
        2.0 * hits as f64 / (self.n_ref + self.n_est).max(1) as f64
    }
    fn stroke_f1(&self) -> f64 {
        self.f1(self.hits)
    }
    fn on_off_f1(&self) -> f64 {
        self.f1(self.hits_on_off)
    }
    fn peak_err(&self) -> f64 {
        self.peak_err_sum / self.hits.max(1) as f64
    }
    fn grade_agreement(&self) -> f64 {
        self.grade_agree as f64 / self.grade_n.max(1) as f64
    }
    fn summary(&self) -> String {
        format!(
            "ref {} est {} | stroke F1 {:.4} | on+off F1 {:.4} | peak err {:.3} (bias {:+.3}) mmHg | grade agree {:.4} ({} strokes) | mean onset bias {:+.3} s, offset bias {:+.3} s",
            self.n_ref,
            self.n_est,
            self.stroke_f1(),
            self.on_off_f1(),
            self.peak_err(),
            self.peak_bias_sum / self.hits.max(1) as f64,
            self.grade_agreement(),
            self.grade_n,
            self.onset_err_sum / self.hits.max(1) as f64,
            self.offset_err_sum / self.hits.max(1) as f64,
        )
    }
}

fn detect(rate: f64, nch: usize, rows: &[f64]) -> Vec<Stroke> {
    let info = StreamInfo {
        rate_hz: rate,
        channels: (0..nch)
            .map(|i| ChannelInfo {
                name: format!("c{i}"),
                area: None,
            })
            .collect(),
        start_time_s: 0.0,
    };
    let cfg = PipelineConfig {
        keep_trace: false,
        ..PipelineConfig::default()
    };
    let mut d = Pipeline::new(&info, cfg).unwrap();
    let mut out = Vec::new();
    for row in rows.chunks_exact(nch) {
        d.push_row(row, &mut out);
    }
    d.finish(&mut out);
    out
}

/// A small generator, in-test: strokes as sums of shaped pulses with incomplete releases and
/// sensor imperfections.
fn generate(seed: u64) -> (f64, usize, Vec<f64>, Vec<Truth>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rates = [100.0, 250.0, 500.0, 1000.0, 200.0];
    let rate = rates[rng.gen_range(0..rates.len())];
    let nch = rng.gen_range(3..=5);
    let secs = 40.0;
    let n = (secs * rate) as usize;
    let mut clean = vec![0.0f64; n];
    let mut truth = Vec::new();
    let mut t = 1.0;
    let target: f64 = rng.gen_range(15.0..70.0);
    while t < secs - 4.0 {
        let rest: f64 = rng.gen_range(0.0..4.0);
        let mut level = rest;
        let strokes = rng.gen_range(4..8);
        for k in 0..strokes {
            let dur: f64 = rng.gen_range(0.3..0.8);
            let peak: f64 = (target * rng.gen_range(0.75..1.25))
                .clamp(10.0, 100.0)
                .max(level + 8.0);
            let kind = rng.gen_range(0..4);
            let ledge = if k + 1 < strokes && rng.gen_bool(0.2) {
                Some(level + (peak - level) * rng.gen_range(0.3..0.5))
            } else {
                None
            };
            let end = ledge.unwrap_or(rest);
            let rise = rng.gen_range(0.35..0.6);
            let i0 = (t * rate) as usize;
            let len = (dur * rate) as usize;
            if i0 + len >= n {
                break;
            }
            for j in 0..len {
                let u = j as f64 / len as f64;
                let shape = match kind {
                    0 => {
                        if u < rise {
                            0.5 - 0.5 * (std::f64::consts::PI * u / rise).cos()
                        } else {
                            0.5 + 0.5 * (std::f64::consts::PI * (u - rise) / (1.0 - rise)).cos()
                        }
                    }
                    1 => {
                        // skewed: fast rise, slow exponential-like fall
                        let x = u / rise;
                        if u < rise {
                            x * x * (3.0 - 2.0 * x)
                        } else {
                            let v = (u - rise) / (1.0 - rise);
                            (1.0 - v).powf(2.5)
                        }
                    }
                    2 => {
                        let a = rise * 0.6;
                        if u < a {
                            u / a
                        } else if u > 1.0 - a {
                            (1.0 - u) / a
                        } else {
                            1.0
                        }
                    }
                    _ => {
                        let bump = |c: f64, w: f64| {
                            let z = (u - c) / w;
                            if z.abs() < 1.0 {
                                0.5 + 0.5 * (std::f64::consts::PI * z).cos()
                            } else {
                                0.0
                            }
                        };
                        (bump(0.32, 0.32) + 0.9 * bump(0.68, 0.32)).min(1.0)
                    }
                };
                let before_peak = match kind {
                    3 => u < 0.68, // the release starts after the second hump
                    2 => u < 0.5,
                    _ => u < rise,
                };
                let base = if before_peak { level } else { end };
                let v = base + (peak - base) * shape;
                if let Some(c) = clean.get_mut(i0 + j) {
                    *c = v;
                }
            }
            let true_peak = clean[i0..i0 + len].iter().cloned().fold(f64::MIN, f64::max);
            truth.push(Truth {
                onset: i0 as f64 / rate,
                offset: (i0 + len) as f64 / rate,
                peak: true_peak,
            });
            let gap = if ledge.is_some() {
                rng.gen_range(0.05..0.3)
            } else {
                rng.gen_range(0.2..0.8)
            };
            let g0 = i0 + len;
            let g1 = ((t + dur + gap) * rate) as usize;
            for c in clean.iter_mut().take(g1.min(n)).skip(g0) {
                *c = end;
            }
            level = end;
            t += dur + gap;
        }
        t += rng.gen_range(1.5..3.5);
    }
    // Channels: leading fingertip gets the stroke, others a share; then imperfections.
    let hum_f = if rng.gen_bool(0.5) { 50.0 } else { 60.0 };
    let hum_a: f64 = rng.gen_range(0.0..2.0);
    let noise: f64 = rng.gen_range(0.1..1.0);
    let lead = rng.gen_range(0..nch);
    let mut rows = vec![0.0; n * nch];
    let gains: Vec<f64> = (0..nch)
        .map(|c| {
            if c == lead {
                1.0
            } else {
                rng.gen_range(0.2..0.8)
            }
        })
        .collect();
    let drift: Vec<f64> = (0..nch).map(|_| rng.gen_range(-2.0..2.0) / 60.0).collect();
    let normal = rand_distr::Normal::new(0.0, noise).unwrap();
    for i in 0..n {
        let tt = i as f64 / rate;
        for c in 0..nch {
            let mut v = clean[i] * gains[c] + drift[c] * tt + rng.sample(normal);
            v += hum_a * (2.0 * std::f64::consts::PI * hum_f * tt).sin();
            if rng.gen_bool(0.3 / rate) {
                v += rng.gen_range(30.0..150.0);
            }
            rows[i * nch + c] = v;
        }
        if rng.gen_bool(0.5 / rate) {
            let w = rng.gen_range(1..(rate * 0.05) as usize + 2);
            for j in i..(i + w).min(n) {
                rows[j * nch + rng.gen_range(0..nch)] = f64::NAN;
            }
        }
    }
    (rate, nch, rows, truth)
}

#[test]
fn meets_the_bar_on_generated_recordings() {
    let mut total = Score::default();
    for seed in 0..10 {
        let (rate, nch, rows, truth) = generate(seed);
        let est = detect(rate, nch, &rows);
        let mut s = Score::default();
        s.add(&truth, &est);
        eprintln!("seed {seed} ({rate} Hz, {nch} ch): {}", s.summary());
        total.add(&truth, &est);
    }
    eprintln!("total: {}", total.summary());
    assert!(total.stroke_f1() >= 0.98, "{}", total.summary());
    assert!(total.on_off_f1() >= 0.95, "{}", total.summary());
    assert!(total.peak_err() <= 1.5, "{}", total.summary());
    assert!(total.grade_agreement() >= 0.98, "{}", total.summary());
}
