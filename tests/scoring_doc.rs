//! `docs/SCORING.md` publishes the scoring formula with a worked example. This test rebuilds the
//! example's session, grades it with the code, and checks every number the page shows: the data
//! block, the per-stroke table and the session figures in the prose, so the page cannot drift.

use mldsense::grade::synthetic::{self, StrokeSpec};
use mldsense::grade::{grade_session, GradedSession, Profile};
use serde::Deserialize;

const DOC: &str = include_str!("../docs/SCORING.md");

#[derive(Deserialize)]
struct Expect {
    grade: String,
    flags: Vec<String>,
    score: f64,
}

#[derive(Deserialize)]
struct ExampleStroke {
    #[serde(flatten)]
    spec: StrokeSpec,
    expect: Expect,
}

#[derive(Deserialize)]
struct ExampleSession {
    score: f64,
    passed: bool,
    pressure: f64,
    release: f64,
    rhythm: f64,
    percent_in_window: f64,
}

#[derive(Deserialize)]
struct Example {
    stroke: Vec<ExampleStroke>,
    session: ExampleSession,
}

/// The TOML block marked `# scoring-example`.
fn example_block() -> &'static str {
    let start = DOC
        .find("```toml\n# scoring-example")
        .expect("example block in SCORING.md");
    let body = &DOC[start + "```toml\n".len()..];
    &body[..body.find("```").expect("closed block")]
}

fn graded_example() -> (Example, GradedSession) {
    let example: Example = toml::from_str(example_block()).expect("example block parses");
    let specs: Vec<StrokeSpec> = example.stroke.iter().map(|s| s.spec.clone()).collect();
    let session = synthetic::session(&specs);
    let graded = grade_session(&session, &Profile::builtin("default").unwrap());
    (example, graded)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn data_block_matches_the_code() {
    let (example, graded) = graded_example();
    assert_eq!(example.stroke.len(), graded.strokes.len());
    for (i, (want, got)) in example.stroke.iter().zip(&graded.strokes).enumerate() {
        assert_eq!(want.expect.grade, got.grade.as_str(), "stroke {}", i + 1);
        let flags: Vec<&str> = got.flags.iter().map(|f| f.as_str()).collect();
        assert_eq!(want.expect.flags, flags, "stroke {}", i + 1);
        assert!(
            close(want.expect.score, got.score, 1e-9),
            "stroke {}: {}",
            i + 1,
            got.score
        );
        assert!(close(got.penalties.total() + got.score, 100.0, 1e-9));
    }
    let s = &graded.summary;
    let w = &example.session;
    assert_eq!(w.passed, s.passed(), "passed");
    for (name, want, got) in [
        ("score", w.score, s.score),
        ("pressure", w.pressure, s.pressure),
        ("release", w.release, s.release),
        ("rhythm", w.rhythm, s.rhythm),
        (
            "percent_in_window",
            w.percent_in_window,
            s.percent_in_window,
        ),
    ] {
        assert!(close(want, got, 0.001), "{name}: doc {want}, code {got}");
    }
}

#[test]
fn table_matches_the_code() {
    let (_, graded) = graded_example();
    let rows: Vec<Vec<&str>> = DOC
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| {
            l.split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|cells| {
            cells.len() == 11
                && cells[0].parse::<usize>().is_ok()
                && ["too_light", "in_window", "too_hard"].contains(&cells[3])
        })
        .collect();
    assert_eq!(rows.len(), graded.strokes.len(), "one table row per stroke");
    let session = {
        let example: Example = toml::from_str(example_block()).unwrap();
        let specs: Vec<StrokeSpec> = example.stroke.iter().map(|s| s.spec.clone()).collect();
        synthetic::session(&specs)
    };
    for (row, g) in rows.iter().zip(&graded.strokes) {
        let num = |k: usize| -> f64 { row[k].parse().unwrap_or_else(|_| panic!("{row:?}")) };
        let st = &session.strokes[g.index];
        assert_eq!(num(0) as usize, g.index + 1);
        assert!(close(num(1), st.onset_s, 1e-9));
        assert!(close(num(2), st.peak.0, 1e-9));
        assert_eq!(row[3], g.grade.as_str());
        let p = &g.penalties;
        let want = [
            p.pressure,
            p.danger,
            p.release,
            p.rhythm,
            p.fingers,
            p.smoothness,
            g.score,
        ];
        for (k, v) in want.iter().enumerate() {
            assert!(
                close(num(4 + k), *v, 1e-9),
                "row {row:?} column {}: code {v}",
                4 + k
            );
        }
    }
}

#[test]
fn prose_session_figures_match_the_code() {
    let (_, graded) = graded_example();
    let s = &graded.summary;
    // Lines like "- score = … = **75.7**".
    let shown = |name: &str| -> f64 {
        let line = DOC
            .lines()
            .find(|l| l.starts_with(&format!("- {name} = ")) && l.contains("**"))
            .unwrap_or_else(|| panic!("no prose line for {name}"));
        let bold = line.split("**").nth(1).unwrap();
        bold.parse().unwrap()
    };
    assert!(close(shown("score"), s.score, 0.05));
    assert!(close(shown("pressure"), s.pressure, 0.05));
    assert!(close(shown("release"), s.release, 0.05));
    assert!(close(shown("rhythm"), s.rhythm, 0.05));
    assert!(close(shown("% in window"), s.percent_in_window, 0.05));
}

#[test]
fn published_weights_are_the_code_weights() {
    use mldsense::grade::stroke::weights::*;
    let p = Profile::default_profile();
    for needle in [
        format!("**{NEAR_MISS_BASE:.0} points** plus **{NEAR_MISS_PER_MMHG:.0} points per mmHg**"),
        format!("beyond it **{PRESSURE_MAX:.0}**"),
        format!("**{DANGER_WEIGHT:.0}** for a stroke at the\ndanger level (`DANGER_WEIGHT`)"),
        format!("**{:.0}** in every built-in profile", p.score.pass_mark),
        format!("band {:.0} mmHg", p.score.near_miss_mmhg.0),
        format!(
            "at most\n**{:.0} — below the pass mark**",
            100.0 - NEAR_MISS_BASE
        ),
        format!("**{DANGER:.0} points**"),
        format!("**{RELEASE_PER_MMHG:.0} points per mmHg**"),
        format!("at most **{RELEASE_MAX:.0}**"),
        format!("**{RHYTHM_PER_S:.0} points per second**"),
        format!("at most **{RHYTHM_MAX:.0}**"),
        format!("**{FINGERS:.0} points** when the strongest"),
        format!("**{SMOOTHNESS:.0} points** when pressure dips"),
    ] {
        assert!(DOC.contains(&needle), "SCORING.md does not say {needle}");
    }
}
