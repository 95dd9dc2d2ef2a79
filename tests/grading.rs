//! Grading behaviour: profiles, per-stroke grades and penalties, the session score, and coaching
//! that names when and how much — and never pushes a heavy hand to press harder.

use mldsense::grade::synthetic::{self, StrokeSpec};
use mldsense::grade::{grade_session, CoachingKind, Flag, Grade, GradedSession, Profile};
use mldsense::session::Session;
use mldsense::units::Mmhg;
use proptest::prelude::*;

fn grade(session: &Session) -> GradedSession {
    grade_session(session, &Profile::default_profile())
}

/// Strokes a second apart with the given peaks.
fn with_peaks(peaks: &[f64]) -> Session {
    let specs: Vec<StrokeSpec> = peaks
        .iter()
        .enumerate()
        .map(|(i, &p)| StrokeSpec::new(1.0 + i as f64, p))
        .collect();
    synthetic::session(&specs)
}

fn messages(g: &GradedSession) -> String {
    g.coaching
        .iter()
        .map(|c| c.message.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Words that would tell a trainee to add pressure.
const FIRMER: [&str; 5] = [
    "press harder",
    "firmer",
    "come back up",
    "more pressure",
    "press more",
];

#[test]
fn profiles_change_the_grade() {
    let s = with_peaks(&[35.0]);
    let face = grade_session(&s, &Profile::builtin("face-neck").unwrap());
    let fib = grade_session(&s, &Profile::builtin("fibrotic").unwrap());
    assert_eq!(grade(&s).strokes[0].grade, Grade::InWindow);
    assert_eq!(face.strokes[0].grade, Grade::TooHard);
    assert_eq!(fib.strokes[0].grade, Grade::TooLight);
    let narrow = Profile::default_profile()
        .with_window(Mmhg(30.0), Mmhg(34.0))
        .unwrap();
    assert_eq!(grade_session(&s, &narrow).strokes[0].grade, Grade::TooHard);
}

#[test]
fn user_profile_file_loads_and_bad_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    let text = include_str!("../profiles/default.toml")
        .replace("name = \"default\"", "name = \"mine\"")
        .replace("hi_mmhg = 40.0", "hi_mmhg = 38.0");
    std::fs::write(&path, &text).unwrap();
    let p = Profile::resolve(path.to_str().unwrap()).unwrap();
    assert_eq!((p.name.as_str(), p.window.hi_mmhg), ("mine", Mmhg(38.0)));
    // A window reaching the danger level is refused, naming the file.
    std::fs::write(&path, text.replace("hi_mmhg = 38.0", "hi_mmhg = 75.0")).unwrap();
    let e = Profile::load(&path).unwrap_err().to_string();
    assert!(e.contains("mine.toml") && e.contains("danger"), "{e}");
}

#[test]
fn session_score_is_the_mean_stroke_score_without_danger() {
    let g = grade(&with_peaks(&[35.0, 41.0, 60.0, 26.0]));
    let mean = g.strokes.iter().map(|s| s.score).sum::<f64>() / 4.0;
    assert!((g.summary.score - mean).abs() < 1e-9);
    assert_eq!(
        (
            g.summary.counts.too_light,
            g.summary.counts.in_window,
            g.summary.counts.too_hard
        ),
        (1, 1, 2)
    );
    assert!((g.summary.percent_in_window - 25.0).abs() < 1e-9);
    assert_eq!(grade(&with_peaks(&[])).summary.score, 0.0);
}

#[test]
fn coaching_names_when_and_how_much_pressure_crept_up() {
    // 6:30 of strokes at ~34 mmHg, then ~48 mmHg.
    let peaks: Vec<f64> = (0..520)
        .map(|i| if i < 390 { 34.0 } else { 48.0 } + [0.0, 1.0, -1.0][i % 3])
        .collect();
    let g = grade(&with_peaks(&peaks));
    let creep = g
        .coaching
        .iter()
        .find(|c| c.kind == CoachingKind::Creep)
        .expect("creep coached");
    assert!(
        creep
            .message
            .starts_with("From 6:31 on your peaks rose from 34 to 48 mmHg"),
        "{}",
        creep.message
    );
    assert!((creep.at_s.unwrap() - 391.0).abs() < 1e-9);
    assert!(creep.message.contains("ease back to about 35 mmHg"));
}

#[test]
fn coaching_names_the_heavy_finger() {
    let specs: Vec<StrokeSpec> = (0..20)
        .map(|i| {
            let mut s = StrokeSpec::new(1.0 + i as f64, 38.0);
            s.finger_peaks_mmhg = Some(vec![24.0, 38.0, 22.0, 23.0]);
            s
        })
        .collect();
    let g = grade(&synthetic::session(&specs));
    assert!(g
        .strokes
        .iter()
        .all(|s| s.flags.contains(&Flag::UnevenFingers)));
    let text = messages(&g);
    assert!(
        text.contains("Your middle fingertip pressed 15 mmHg harder than the others"),
        "{text}"
    );
}

#[test]
fn coaching_catches_a_rushed_ending_and_incomplete_releases() {
    let mut specs = Vec::new();
    let mut t = 1.0;
    for i in 0..300 {
        let mut s = StrokeSpec::new(t, 35.0);
        if i % 3 == 0 {
            s.release_mmhg = Some(15.0);
        }
        specs.push(s);
        t += if t > 240.0 { 0.5 } else { 1.0 };
    }
    let g = grade(&synthetic::session(&specs));
    let text = messages(&g);
    assert!(text.contains("The last 0:29 rushed (from 4:02)"), "{text}");
    assert!(
        text.contains("every 0.5 s instead of about 1.0 s"),
        "{text}"
    );
    assert!(
        text.contains("In 100 of 300 strokes (33%) pressure stayed about 13 mmHg above rest"),
        "{text}"
    );
}

#[test]
fn light_sessions_are_told_to_press_firmer_but_only_up_to_the_window() {
    let g = grade(&with_peaks(&[22.0, 24.0, 25.0, 23.0, 26.0, 24.0]));
    let text = messages(&g);
    assert!(
        text.contains("press a little firmer, to about 35 mmHg and never above 40 mmHg"),
        "{text}"
    );
}

#[test]
fn danger_comes_first_and_says_where() {
    let mut peaks = vec![35.0; 20];
    peaks[7] = 82.0;
    let g = grade(&with_peaks(&peaks));
    assert_eq!(g.coaching[0].kind, CoachingKind::Danger);
    assert!(
        g.coaching[0].message.contains("highest 82 mmHg at 0:08"),
        "{}",
        g.coaching[0].message
    );
    assert!(g.strokes[7].flags.contains(&Flag::Danger));
    assert_eq!(g.strokes[7].score, 0.0);
}

#[test]
fn good_session_is_praised_and_not_scolded() {
    let g = grade(&synthetic::steady(60, 35.0));
    assert!(g.summary.score > 99.0);
    assert_eq!(g.coaching.len(), 1, "{:?}", g.coaching);
    assert_eq!(g.coaching[0].kind, CoachingKind::Praise);
}

/// Every "about N mmHg" target in the coaching, as numbers.
fn targets(text: &str) -> Vec<f64> {
    text.split("about ")
        .skip(1)
        .filter_map(|rest| {
            let (num, tail) = rest.split_once(' ')?;
            tail.starts_with("mmHg").then(|| num.parse().ok())?
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A heavy session — every stroke at or above the window top, some maybe dangerous — never
    /// hears "press harder", whatever else is wrong with it.
    #[test]
    fn heavy_sessions_never_hear_press_harder(
        peaks in prop::collection::vec(40.5f64..110.0, 1..80),
        light in prop::collection::vec(5.0f64..29.0, 0..80),
        release in 0.0f64..30.0,
    ) {
        let mut all = peaks.clone();
        all.extend(light);
        let specs: Vec<StrokeSpec> = all.iter().enumerate().map(|(i, &p)| {
            let mut s = StrokeSpec::new(1.0 + 0.8 * i as f64, p);
            s.release_mmhg = Some(release.min(p));
            s
        }).collect();
        for name in Profile::builtin_names() {
            let profile = Profile::builtin(name).unwrap();
            let g = grade_session(&synthetic::session(&specs), &profile);
            let text = messages(&g).to_lowercase();
            let heavy = g.summary.counts.too_hard > 0;
            if heavy {
                for w in FIRMER {
                    prop_assert!(!text.contains(w), "{name}: {text}");
                }
            }
            for t in targets(&text) {
                prop_assert!(t <= profile.window.hi_mmhg.0, "target {t} in {text}");
                prop_assert!(t < profile.danger.mmhg.0, "target {t} in {text}");
            }
        }
    }

    /// The breakdown always adds up, the score stays in 0–100, and a miss costs more the further
    /// it is from the window.
    #[test]
    fn breakdown_adds_up_and_misses_cost_more_with_distance(
        a in 0.0f64..120.0,
        b in 0.0f64..120.0,
        release in 0.0f64..40.0,
        gap in 0.1f64..5.0,
    ) {
        let mut s1 = StrokeSpec::new(1.0, a);
        s1.release_mmhg = Some(release);
        let s2 = StrokeSpec::new(1.0 + gap, b);
        let g = grade(&synthetic::session(&[s1, s2]));
        for s in &g.strokes {
            prop_assert!((s.penalties.total() + s.score - 100.0).abs() < 1e-9);
            prop_assert!((0.0..=100.0).contains(&s.score));
        }
        let dist = |p: f64| if p > 40.0 { p - 40.0 } else if p < 30.0 { 30.0 - p } else { 0.0 };
        let (pa, pb) = (g.strokes[0].penalties.pressure, g.strokes[1].penalties.pressure);
        if dist(a) < dist(b) {
            prop_assert!(pa <= pb);
        }
    }
}

#[test]
fn a_perfect_session_scores_100_and_passes() {
    let g = grade(&with_peaks(&[35.0; 20]));
    assert_eq!(g.summary.score, 100.0);
    assert!(g.summary.passed());
    assert_eq!(g.summary.verdict_label(), "PASS");
    assert_eq!(g.summary.fail_reason(), None);
}

#[test]
fn an_all_too_light_session_at_22_mmhg_fails() {
    let peaks: Vec<f64> = (0..40)
        .map(|i| 22.0 + [0.0, -2.0, 2.0, 0.0][i % 4])
        .collect();
    let g = grade(&with_peaks(&peaks));
    let mut sorted = peaks.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!((sorted[19] + sorted[20]) / 2.0, 22.0, "median 22 mmHg");
    let pass = Profile::default_profile().score.pass_mark;
    assert!(g.summary.score < pass, "{}", g.summary.score);
    assert!(!g.summary.passed());
    assert_eq!(g.summary.percent_in_window, 0.0);
}

#[test]
fn one_danger_stroke_fails_and_weighs_five() {
    let mut peaks = vec![35.0; 19];
    peaks.push(75.0);
    let g = grade(&with_peaks(&peaks));
    // 19 × 100 + 5 × 0, over 24.
    assert!(
        (g.summary.score - 1900.0 / 24.0).abs() < 1e-9,
        "{}",
        g.summary.score
    );
    assert!(g.summary.score >= g.summary.pass_mark);
    assert!(!g.summary.passed(), "a danger stroke fails the session");
    assert!(g
        .summary
        .fail_reason()
        .unwrap_or_default()
        .contains("danger"));
}

#[test]
fn exposure_counts_time_above_the_window_per_finger() {
    // Two strokes at 50 mmHg: the synthetic raised cosine spends a known time above 40.
    let g = grade(&with_peaks(&[50.0, 35.0]));
    let e = &g.summary.exposure;
    assert!(e.above_window_s > 0.0 && e.above_danger_s == 0.0, "{e:?}");
    assert!(e.working_s > e.above_window_s);
    assert!((e.above_window_percent - 100.0 * e.above_window_s / e.working_s).abs() < 1e-9);
    // The first fingertip carries the peak; the others are 2 mmHg lower, so never longer above.
    let f = &g.summary.finger_exposure;
    assert!(!f.is_empty());
    assert!(f
        .iter()
        .all(|x| x.above_window_s <= f[0].above_window_s + 1e-12));
    assert!((f[0].above_window_s - e.above_window_s).abs() < 1e-9);
}

#[test]
fn consistency_is_the_cv_of_peaks() {
    let g = grade(&with_peaks(&[30.0, 40.0]));
    // mean 35, sample SD sqrt(50) = 7.07.
    let cv = g.summary.peak_cv.unwrap_or(f64::NAN);
    assert!((cv - 50f64.sqrt() / 35.0).abs() < 1e-9, "{cv}");
    assert_eq!(grade(&with_peaks(&[35.0])).summary.peak_cv, None);
}

#[test]
fn near_edge_marks_follow_the_certainty() {
    use mldsense::grade::{grade_session_with, Certainty};
    let s = with_peaks(&[31.0, 35.0, 41.5, 45.0]);
    let p = Profile::default_profile();
    let g = grade_session_with(&s, &p, &Certainty::default());
    let marks: Vec<bool> = g.strokes.iter().map(|x| x.near_edge).collect();
    // ±6 %: 31 ± 1.9 reaches 30; 41.5 ± 2.5 reaches 40; 35 and 45 are clear.
    assert_eq!(marks, vec![true, false, true, false]);
    let cal = Certainty::Calibrated {
        fit_error_mmhg: Some(0.5),
    };
    let g = grade_session_with(&s, &p, &cal);
    assert!(g.strokes.iter().all(|x| !x.near_edge));
    assert_eq!(g.summary.near_edge, 0);
}

#[test]
fn xing_profiles_are_built_in_with_sources() {
    for (name, lo, hi) in [
        ("xing-stage-1", 16.5, 20.7),
        ("xing-stage-2", 16.6, 23.8),
        ("xing-stage-3", 29.3, 34.3),
    ] {
        let p = Profile::builtin(name).unwrap();
        assert_eq!((p.window.lo_mmhg.0, p.window.hi_mmhg.0), (lo, hi), "{name}");
        assert!(p.window.source.contains("Xing et al. 2024"), "{name}");
        assert!(p.window.hi_mmhg.0 <= 40.0, "under the Leduc ceiling");
        // The sections the file leaves out come from the default profile.
        assert_eq!(p.danger, Profile::default_profile().danger);
        assert_eq!(p.score, Profile::default_profile().score);
    }
}

/// The point of the window nearest to `p`.
fn nearest_in_window(p: f64) -> f64 {
    p.clamp(30.0, 40.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Moving any one stroke's peak toward the window never lowers the session score.
    #[test]
    fn moving_a_peak_toward_the_window_never_lowers_the_score(
        peaks in prop::collection::vec(0.0f64..120.0, 1..30),
        pick in 0usize..30,
        t in 0.0f64..=1.0,
    ) {
        let k = pick % peaks.len();
        let before = grade(&with_peaks(&peaks)).summary.score;
        let mut moved = peaks.clone();
        moved[k] += t * (nearest_in_window(peaks[k]) - peaks[k]);
        let after = grade(&with_peaks(&moved)).summary.score;
        prop_assert!(after >= before - 1e-9, "{} -> {}: {before} -> {after}", peaks[k], moved[k]);
    }

    /// A session with no stroke in the window cannot pass, however close the misses.
    #[test]
    fn no_stroke_in_the_window_never_passes(
        peaks in prop::collection::vec(
            prop_oneof![0.0f64..29.999, 40.001f64..120.0], 1..40),
    ) {
        let g = grade(&with_peaks(&peaks));
        prop_assert_eq!(g.summary.counts.in_window, 0);
        prop_assert!(g.summary.score < g.summary.pass_mark);
        prop_assert!(!g.summary.passed());
    }
}
