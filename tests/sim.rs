//! The virtual glove's trainee styles produce what they claim, reproducibly.

use mldsense::sim::{GloveConfig, Hand, IntendedGrade, SimSource, Style, TruthStroke};
use mldsense::stream::{Block, PressureSource};

fn truth(style: Style, seed: u64, duration_s: f64) -> Vec<TruthStroke> {
    Hand::new(style, seed, duration_s, 5).truth()
}

fn share(strokes: &[TruthStroke], pred: impl Fn(&TruthStroke) -> bool) -> f64 {
    strokes.iter().filter(|s| pred(s)).count() as f64 / strokes.len().max(1) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Onset-to-onset intervals between consecutive strokes on the same spot.
fn intervals(strokes: &[TruthStroke]) -> Vec<f64> {
    strokes
        .windows(2)
        .filter(|w| w[0].spot == w[1].spot)
        .map(|w| w[1].onset_s - w[0].onset_s)
        .collect()
}

#[test]
fn steady_strokes_are_mostly_in_the_window_at_one_a_second() {
    for seed in 1..=5 {
        let t = truth(Style::Steady, seed, 300.0);
        assert!(t.len() > 150, "seed {seed}: {} strokes", t.len());
        let in_window = share(&t, |s| s.grade == IntendedGrade::InWindow);
        assert!(
            in_window >= 0.8,
            "seed {seed}: {in_window:.2} in 30–40 mmHg"
        );
        let rhythm = 1.0 / median(intervals(&t));
        assert!(
            (0.85..=1.2).contains(&rhythm),
            "seed {seed}: {rhythm:.2} strokes/s"
        );
        // 5–7 strokes a spot (the last spot may be cut by the end of the session).
        let spots = t.last().map_or(0, |s| s.spot);
        for spot in 0..spots {
            let n = t.iter().filter(|s| s.spot == spot).count();
            assert!((5..=7).contains(&n), "seed {seed} spot {spot}: {n} strokes");
        }
        // Working phase 0.4–0.7 s.
        assert!(t.iter().all(|s| (0.4..=0.7).contains(&s.duration_s())));
    }
}

#[test]
fn heavy_hands_press_too_hard_and_sometimes_dangerously() {
    let t = truth(Style::Heavy, 3, 300.0);
    let too_hard = share(&t, |s| s.grade == IntendedGrade::TooHard);
    let danger = t.iter().filter(|s| s.peak.0 > 70.0).count();
    assert!(too_hard >= 0.8, "{too_hard:.2} too hard");
    assert!(danger >= 5, "{danger} strokes above 70 mmHg");
    let in_45_80 = share(&t, |s| (45.0..=80.0).contains(&s.peak.0));
    assert!(in_45_80 >= 0.7, "{in_45_80:.2} in 45–80 mmHg");
}

#[test]
fn light_hands_stay_between_15_and_28() {
    let t = truth(Style::Light, 4, 300.0);
    assert!(t.iter().all(|s| (15.0..=28.0).contains(&s.peak.0)));
    assert!(t.iter().all(|s| s.grade == IntendedGrade::TooLight));
}

#[test]
fn rushed_is_fast_with_incomplete_releases() {
    let t = truth(Style::Rushed, 5, 300.0);
    let rhythm = 1.0 / median(intervals(&t));
    assert!((1.6..=2.1).contains(&rhythm), "{rhythm:.2} strokes/s");
    let incomplete = share(&t, |s| s.incomplete_release);
    assert!(incomplete >= 0.3, "{incomplete:.2} incomplete releases");
    // A ledge is above the resting level, and the next stroke rises from it.
    for w in t.windows(2) {
        if w[0].incomplete_release && w[0].spot == w[1].spot {
            assert!(w[0].end_level.0 > w[0].rest_level.0);
            assert_eq!(w[1].start_level, w[0].end_level);
        }
    }
}

#[test]
fn novices_are_erratic() {
    let sd = |t: &[TruthStroke], f: fn(&TruthStroke) -> f64| {
        let m = t.iter().map(f).sum::<f64>() / t.len() as f64;
        (t.iter().map(|s| (f(s) - m).powi(2)).sum::<f64>() / t.len() as f64).sqrt()
    };
    let novice = truth(Style::Novice, 6, 300.0);
    let steady = truth(Style::Steady, 6, 300.0);
    assert!(sd(&novice, |s| s.peak.0) > 3.0 * sd(&steady, |s| s.peak.0));
    assert!(
        sd(&novice, mldsense::sim::TruthStroke::duration_s)
            > 2.0 * sd(&steady, mldsense::sim::TruthStroke::duration_s)
    );
    assert!(share(&novice, |s| s.incomplete_release) > 0.15);
    // Uneven fingers: the weakest fingertip often carries under half of the top one's rise.
    let uneven = share(&novice, |s| {
        let low = s
            .channel_peaks
            .iter()
            .map(|p| p.0)
            .fold(f64::INFINITY, f64::min);
        low - s.rest_level.0 < 0.5 * (s.peak.0 - s.rest_level.0)
    });
    assert!(uneven > 0.3, "{uneven:.2}");
    // Every style keeps double humps as one stroke: no two strokes overlap.
    for w in novice.windows(2) {
        assert!(w[0].offset_s < w[1].onset_s);
    }
}

fn rows(mut src: SimSource) -> Vec<f64> {
    let mut out = Vec::new();
    let mut b = Block::default();
    while src.next_block(&mut b).expect("the simulator cannot fail") {
        out.extend_from_slice(&b.values);
    }
    out
}

#[test]
fn same_seed_same_rows_other_seed_other_rows() {
    let cfg = |seed| GloveConfig {
        style: Style::Novice,
        seed,
        duration_s: 20.0,
        ..GloveConfig::default()
    };
    let a = rows(SimSource::new(cfg(11)));
    let b = rows(SimSource::new(cfg(11)));
    let c = rows(SimSource::new(cfg(12)));
    assert_eq!(a.len(), 20 * 200 * 5);
    // Bit for bit, NaN rows included.
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    assert!(a.iter().zip(&c).any(|(x, y)| x.to_bits() != y.to_bits()));
}

#[test]
fn the_sensor_model_keeps_the_peaks_recognisable() {
    // With every imperfection on, the calibrated signal's top over each stroke (a median of
    // five rows to drop single-sample spikes) is near the true peak.
    let cfg = GloveConfig {
        style: Style::Steady,
        seed: 21,
        duration_s: 120.0,
        ..GloveConfig::default()
    };
    let src = SimSource::new(cfg);
    let t = src.truth().to_vec();
    let values = rows(src);
    let mut errors = Vec::new();
    for s in &t {
        let a = (s.onset_s * 200.0) as usize;
        let b = (s.offset_s * 200.0) as usize;
        let top: Vec<f64> = (a..b)
            .map(|r| {
                values[r * 5..r * 5 + 5]
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect();
        let smoothed: Vec<f64> = top
            .windows(5)
            .map(|w| median(w.to_vec()))
            .filter(|v| v.is_finite())
            .collect();
        if let Some(m) = smoothed.iter().copied().reduce(f64::max) {
            errors.push((m - s.peak.0).abs());
        }
    }
    assert!(errors.len() > 50, "{} strokes", errors.len());
    let typical = median(errors.clone());
    assert!(typical < 3.5, "median peak error {typical:.2} mmHg");
}

/// Amplitude of the `f` Hz component of `x` sampled at `rate` (a plain single-bin DFT).
fn amplitude_at(x: &[f64], f: f64, rate: f64) -> f64 {
    let (mut re, mut im) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        let w = 2.0 * std::f64::consts::PI * f * i as f64 / rate;
        re += v * w.cos();
        im -= v * w.sin();
    }
    2.0 * (re * re + im * im).sqrt() / x.len() as f64
}

#[test]
fn the_imperfections_are_there_and_clean_turns_them_off() {
    let cfg = |imperfections| GloveConfig {
        style: Style::Steady,
        seed: 8,
        duration_s: 60.0,
        imperfections,
        ..GloveConfig::default()
    };
    let noisy = rows(SimSource::new(cfg(mldsense::sim::Imperfections::default())));
    let clean = rows(SimSource::new(cfg(mldsense::sim::Imperfections::none())));
    let truth = rows(SimSource::true_pressure(cfg(
        mldsense::sim::Imperfections::none(),
    )));
    // Residual of each fingertip against the truth, NaN rows skipped.
    let residual = |measured: &[f64], ch: usize| -> Vec<f64> {
        measured
            .chunks(5)
            .zip(truth.chunks(5))
            .map(|(m, t)| m[ch] - t[ch])
            .map(|r| if r.is_nan() { 0.0 } else { r })
            .collect()
    };
    let mut hum_channels = 0;
    for ch in 0..5 {
        let r = residual(&noisy, ch);
        let hum = amplitude_at(&r, 50.0, 200.0);
        let elsewhere = amplitude_at(&r, 37.0, 200.0);
        if hum > 0.05 && hum > 5.0 * elsewhere {
            hum_channels += 1;
        }
        // Without imperfections the only error is quantisation: half a count (≈ 0.08 mmHg).
        let c = residual(&clean, ch);
        assert!(c.iter().all(|e| e.abs() < 0.08), "channel {ch}");
        assert!(amplitude_at(&c, 50.0, 200.0) < 0.01);
    }
    assert!(hum_channels >= 3, "mains hum on {hum_channels} channels");
    // No dropouts without imperfections.
    assert!(clean.iter().all(|v| v.is_finite()));
}
