//! Instructors and students over weeks, end to end through the binary: a class of recordings
//! from several weeks (all named `session.mld`, as every demo names them) becomes, in one
//! command, a report per session that never overwrites another, a class view and each
//! trainee's progress; an expert's recording becomes a profile students are graded against;
//! a BIDS class names its trainees; a recording replays through the live view, blind or not.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_mldsense");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run mldsense")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Simulates one session of `trainee` on `date` in `style` into `path`.
fn simulate(path: &Path, trainee: &str, date: &str, style: &str, seed: u64) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    ok(&run(&[
        "simulate",
        "--style",
        style,
        "--seed",
        &seed.to_string(),
        "--duration",
        "40",
        "--trainee",
        trainee,
        "--date",
        date,
        "--record",
        s(path),
    ]));
}

/// Two trainees over three weeks, every recording called `session.mld`; Ben presses hard in
/// week 1 and gets lighter.
fn class(dir: &Path) -> PathBuf {
    let root = dir.join("class");
    let weeks = [
        ("week1", "2026-11-02"),
        ("week2", "2026-11-09"),
        ("week3", "2026-11-16"),
    ];
    for (i, (week, date)) in weeks.iter().enumerate() {
        let anna_style = ["novice", "light", "steady"][i];
        let ben_style = ["heavy", "rushed", "steady"][i];
        let seed = i as u64 + 1;
        simulate(
            &root.join(week).join("anna/session.mld"),
            "Anna",
            date,
            anna_style,
            seed,
        );
        simulate(
            &root.join(week).join("ben/session.mld"),
            "Ben",
            date,
            ben_style,
            seed + 10,
        );
    }
    root
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The score an HTML session report shows (`<div class="score" id="score">NN<small>`).
fn shown_score(html: &str) -> String {
    let at = html.find("id=\"score\">").expect("a score card") + "id=\"score\">".len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[test]
fn one_command_gives_session_reports_a_class_view_and_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = class(dir.path());
    let out = dir.path().join("reports");
    ok(&run(&["analyze", s(&root), "-f", "html", "-o", s(&out)]));

    // Six recordings called session.mld: six reports, none overwritten.
    let mut reports: Vec<String> = std::fs::read_dir(&out)
        .expect("reports")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "class.html" && n != "progress.html")
        .collect();
    reports.sort();
    assert_eq!(
        reports,
        [
            "anna_2026-11-02_week1-anna-session.html",
            "anna_2026-11-09_week2-anna-session.html",
            "anna_2026-11-16_week3-anna-session.html",
            "ben_2026-11-02_week1-ben-session.html",
            "ben_2026-11-09_week2-ben-session.html",
            "ben_2026-11-16_week3-ben-session.html",
        ]
    );

    let html = std::fs::read_to_string(out.join("class.html")).expect("class.html");
    assert_eq!(html.matches("<tr class=\"session").count(), 6);
    // Paths relative to the class folder, no absolute paths.
    assert!(html.contains(">week1/anna/session.mld<"), "relative source");
    assert!(
        !html.contains(s(dir.path())),
        "no absolute path in the class view"
    );
    // Every link leads to a report that exists, whose score is the one the class view shows.
    let mut links = 0;
    for row in html.split("<tr class=\"session").skip(1) {
        let href = row
            .split("href=\"")
            .nth(1)
            .expect("a link")
            .split('"')
            .next()
            .expect("href");
        let report = std::fs::read_to_string(out.join(href)).expect("the linked report exists");
        let class_score: String = row
            .split("<td class=\"score\">")
            .nth(1)
            .expect("score cell")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert_eq!(class_score, shown_score(&report), "{href}");
        assert!(report.contains("<h1>MLD session: "), "{href}");
        assert!(report.contains(", 2026-11-"), "titled by date: {href}");
        links += 1;
    }
    assert_eq!(links, 6);
    // Pass/fail, danger, stats, the distribution chart, the profile, progress.
    assert!(html.contains("✓ pass") || html.contains("✗ fail"));
    assert!(html.contains("id=\"chart-distribution\""));
    assert!(html.contains("id=\"profile\">profile default (window 30.0–40.0 mmHg"));
    assert!(html.contains("mean score"));
    assert!(html.contains("<a href=\"progress.html#trainee-1\">Anna</a>"));
    assert!(html.contains("<a href=\"progress.html#trainee-2\">Ben</a>"));
    let progress = std::fs::read_to_string(out.join("progress.html")).expect("progress.html");
    assert_eq!(progress.matches("<section id=\"trainee-").count(), 2);
    assert_eq!(progress.matches("class=\"curve\"").count(), 2);
    assert!(progress.contains("Since last time"));
}

#[test]
fn class_json_is_ranked_and_progress_is_in_date_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = class(dir.path());
    let out = dir.path().join("r");
    ok(&run(&["analyze", s(&root), "-f", "json", "-o", s(&out)]));
    let v = json(&out.join("class.json"));
    assert_eq!(v["schema"], "mldsense.class/2");
    let sessions = v["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 6);
    let scores: Vec<f64> = sessions
        .iter()
        .map(|r| r["score"].as_f64().expect("score"))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "ranked by score: {scores:?}"
    );
    // Stats recomputed from the rows.
    let mean = scores.iter().sum::<f64>() / 6.0;
    assert!((v["stats"]["mean_score"].as_f64().expect("mean") - mean).abs() < 1e-9);
    let passed = sessions.iter().filter(|r| r["passed"] == true).count();
    assert_eq!(v["stats"]["passed"].as_u64(), Some(passed as u64));
    // A pass never has a danger stroke.
    for r in sessions {
        if r["passed"] == true {
            assert_eq!(r["danger"], 0, "{r}");
        }
    }
    let progress = v["progress"].as_array().expect("progress");
    assert_eq!(progress.len(), 2);
    for t in progress {
        let dates: Vec<&str> = t["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .map(|s| s["date"].as_str().expect("date"))
            .collect();
        assert_eq!(dates, ["2026-11-02", "2026-11-09", "2026-11-16"]);
        assert!(!t["changes"].as_array().expect("changes").is_empty());
    }
    // The same run by name.
    let text = ok(&run(&["analyze", s(&root), "--sort", "name"]));
    let names: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(
        names,
        ["Anna", "Anna", "Anna", "Ben", "Ben", "Ben"],
        "{text}"
    );
}

#[test]
fn the_class_text_is_aligned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = class(dir.path());
    let text = ok(&run(&["analyze", s(&root)]));
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("# "))
        .take(7)
        .collect();
    assert_eq!(table.len(), 7, "{text}");
    // Every column ends where the header's does: the `score` and `result` columns line up.
    let col = |l: &str, from: usize| l.chars().skip(from).position(|c| c == ' ');
    let header = table[0];
    let score_end = header.find("score").expect("score") + "score".len();
    for row in &table[1..] {
        let cells: Vec<char> = row.chars().collect();
        assert!(
            cells.get(score_end - 1).is_some_and(char::is_ascii_digit)
                && cells.get(score_end).is_some_and(|c| *c == ' '),
            "score column misaligned:\n{header}\n{row}"
        );
        let _ = col(row, 0);
    }
}

#[test]
fn inputs_with_the_same_name_never_overwrite_each_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for k in ["a", "b", "c"] {
        simulate(
            &d.join(k).join("session.mld"),
            "",
            "2026-11-02",
            "steady",
            3,
        );
    }
    let out = d.join("out");
    ok(&run(&[
        "analyze",
        s(&d.join("a/session.mld")),
        s(&d.join("b/session.mld")),
        s(&d.join("c/session.mld")),
        "-f",
        "csv",
        "-o",
        s(&out),
    ]));
    let n = std::fs::read_dir(&out)
        .expect("out")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains("session"))
        })
        .count();
    assert_eq!(n, 3, "three reports for three inputs called session.mld");
}

#[test]
fn output_follows_its_extension_and_contradictions_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let rec = d.join("s.mld");
    simulate(&rec, "Cy", "2026-11-02", "steady", 4);
    ok(&run(&["analyze", s(&rec), "-o", s(&d.join("r.html"))]));
    let html = std::fs::read_to_string(d.join("r.html")).expect("r.html");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "HTML, as the name says"
    );
    ok(&run(&["analyze", s(&rec), "-o", s(&d.join("r.json"))]));
    assert_eq!(json(&d.join("r.json"))["schema"], "mldsense.report/1");

    // Two inputs to `two.html`: the class view there, the sessions beside it in `two/`.
    let rec2 = d.join("t.mld");
    simulate(&rec2, "Di", "2026-11-03", "light", 5);
    ok(&run(&[
        "analyze",
        s(&rec),
        s(&rec2),
        "-o",
        s(&d.join("two.html")),
    ]));
    let class = std::fs::read_to_string(d.join("two.html")).expect("two.html");
    assert!(class.contains("<h1>Class view</h1>"));
    assert!(
        class.contains("href=\"two/cy_2026-11-02_s.html\""),
        "{class}"
    );
    assert!(d.join("two/cy_2026-11-02_s.html").is_file());
    assert!(d.join("two-progress.html").is_file());

    let out = run(&[
        "analyze",
        s(&rec),
        "--format",
        "json",
        "-o",
        s(&d.join("x.html")),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a contradiction is a usage error"
    );
    let out = run(&["analyze", s(&rec), "--window-mmhg", "40:30"]);
    assert_eq!(out.status.code(), Some(2), "a bad window is a usage error");
    let out = run(&["analyze", s(&d.join("missing.mld"))]);
    assert_eq!(out.status.code(), Some(1), "bad data exits 1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("missing.mld").count(),
        1,
        "reported once:\n{err}"
    );
}

#[test]
fn a_students_own_folder_is_enough_for_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().join("mine");
    simulate(&d.join("1.mld"), "Eve", "2026-11-02", "heavy", 1);
    simulate(&d.join("2.mld"), "Eve", "2026-11-09", "steady", 2);
    let text = ok(&run(&["progress", s(&d)]));
    assert!(text.contains("Eve — 2 sessions"), "{text}");
    assert!(text.contains("since last time:"), "{text}");
    let first = text.find("2026-11-02").expect("week 1");
    let second = text.find("2026-11-09").expect("week 2");
    assert!(first < second, "date order");
    assert!(
        text.contains("less time above the window") || text.contains("danger level (last time"),
        "heavy → steady is named: {text}"
    );
    let out = dir.path().join("p.json");
    ok(&run(&["progress", s(&d), "-o", s(&out)]));
    let v = json(&out);
    assert_eq!(v["schema"], "mldsense.progress/1");
    assert_eq!(
        v["trainees"][0]["sessions"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn an_experts_recording_becomes_a_profile_students_are_graded_against() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A light-handed expert (15–28 mmHg in the simulator).
    simulate(&d.join("expert.mld"), "Dr Ward", "2026-11-01", "light", 9);
    let toml_path = d.join("expert.toml");
    let said = ok(&run(&[
        "profile",
        "--from",
        s(&d.join("expert.mld")),
        "-o",
        s(&toml_path),
    ]));
    assert!(said.contains("profile expert: window"), "{said}");
    let profile = mldsense::grade::Profile::load(&toml_path).expect("the profile loads");
    assert!(
        profile.window.hi_mmhg.0 < 32.0,
        "a light expert's window: {:?}",
        profile.window
    );
    assert!(profile.window.source.contains("expert.mld"));

    // A student graded against it: the report says so, and light strokes are in the window.
    simulate(&d.join("student.mld"), "Fay", "2026-11-02", "light", 10);
    let out = d.join("student.json");
    ok(&run(&[
        "analyze",
        s(&d.join("student.mld")),
        "--profile",
        s(&toml_path),
        "-o",
        s(&out),
    ]));
    let v = json(&out);
    assert_eq!(v["profile"]["name"], "expert");
    assert_eq!(
        v["profile"]["window_hi_mmhg"].as_f64(),
        Some(profile.window.hi_mmhg.0)
    );
    let default = d.join("default.json");
    ok(&run(&[
        "analyze",
        s(&d.join("student.mld")),
        "-o",
        s(&default),
    ]));
    let share = |v: &serde_json::Value| v["summary"]["percent_in_window"].as_f64().expect("share");
    assert!(
        share(&v) > share(&json(&default)),
        "closer to the expert than to 30–40 mmHg"
    );

    let out = run(&[
        "profile",
        "--from",
        s(&d.join("expert.mld")),
        "-o",
        s(&d.join("x.json")),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_bids_class_names_its_trainees_and_passes_without_extra_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bids = dir.path().join("bids");
    for (who, date, style) in [
        ("Anna", "2026-11-02", "light"),
        ("Anna", "2026-11-09", "steady"),
    ] {
        ok(&run(&[
            "simulate",
            "--style",
            style,
            "--duration",
            "30",
            "--trainee",
            who,
            "--date",
            date,
            "--bids",
            s(&bids),
        ]));
    }
    let participants =
        std::fs::read_to_string(bids.join("participants.tsv")).expect("participants");
    assert_eq!(participants, "participant_id\tname\nsub-Anna\tAnna\n");
    assert!(bids.join("README").is_file());
    let desc = json(&bids.join("dataset_description.json"));
    assert!(desc["Authors"].as_array().is_some_and(|a| !a.is_empty()));
    let ses = bids.join("sub-Anna/ses-20261109");
    assert!(ses
        .join("beh/sub-Anna_ses-20261109_task-mld_events.json")
        .is_file());
    let scans =
        std::fs::read_to_string(ses.join("sub-Anna_ses-20261109_scans.tsv")).expect("scans");
    assert!(scans.contains("beh/sub-Anna_ses-20261109_task-mld_physio.tsv.gz\t2026-11-09T09:00:00"));

    let out = dir.path().join("c.json");
    ok(&run(&[
        "analyze",
        s(&bids),
        "-f",
        "json",
        "-o",
        s(&dir.path().join("r")),
    ]));
    let _ = out;
    let v = json(&dir.path().join("r/class.json"));
    let rows = v["sessions"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r["trainee"], "Anna");
        assert!(
            r["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("sub-Anna/")),
            "{r}"
        );
    }
    let dates: Vec<&str> = v["progress"][0]["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["date"].as_str().expect("date"))
        .collect();
    assert_eq!(dates, ["2026-11-02", "2026-11-09"]);
}

#[test]
fn replay_goes_through_the_live_view_and_blind_practice_hides_verdicts_until_the_debrief() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("s.mld");
    simulate(&rec, "Gus", "2026-11-02", "steady", 6);
    let batch = json(&{
        let p = dir.path().join("b.json");
        ok(&run(&["analyze", s(&rec), "-o", s(&p)]));
        p
    });
    let strokes = batch["strokes"].as_array().map(Vec::len).expect("strokes");

    let seen = ok(&run(&["live", "--replay", s(&rec), "--speed", "200"]));
    let lines: Vec<&str> = seen.lines().filter(|l| l.starts_with("stroke ")).collect();
    assert_eq!(lines.len(), strokes, "live = batch on a replay:\n{seen}");
    assert!(lines.iter().all(|l| l.contains(" mmHg ")), "verdicts shown");

    let blind = ok(&run(&[
        "live",
        "--replay",
        s(&rec),
        "--speed",
        "200",
        "--blind",
    ]));
    let (practice, debrief) = blind
        .split_once("=== Debrief")
        .unwrap_or_else(|| panic!("a debrief:\n{blind}"));
    let during: Vec<&str> = practice
        .lines()
        .filter(|l| l.starts_with("stroke "))
        .collect();
    assert_eq!(during.len(), strokes);
    assert!(
        during
            .iter()
            .all(|l| !l.contains("mmHg") && !l.contains("window")),
        "no verdict while practising:\n{practice}"
    );
    assert!(
        debrief.contains("SCORE "),
        "the full report after:\n{debrief}"
    );
    assert!(debrief.contains("Coaching:"));
}

#[test]
fn the_class_view_shows_the_score_the_session_report_shows() {
    use mldsense::grade::{grade_session, Profile};
    use mldsense::report::{self, Format};
    let session = mldsense::grade::synthetic::steady(20, 35.0);
    let mut graded = grade_session(&session, &Profile::default_profile());
    // A session with one small fault: 99.96 is 99 everywhere, never 100 in the class table.
    graded.summary.score = 99.96;
    let mut out = Vec::new();
    report::render(&session, &graded, Format::Text, &mut out).expect("report");
    assert!(String::from_utf8_lossy(&out).contains("SCORE 99/100"));
    let mut out = Vec::new();
    report::class_summary(&[(&session, &graded)], Format::Text, &mut out).expect("class");
    let text = String::from_utf8_lossy(&out).into_owned();
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap_or_else(|| panic!("a row:\n{text}"));
    assert!(row.contains(" 99 ") && !row.contains(" 100 "), "{row}");
    let mut out = Vec::new();
    report::class_summary(&[(&session, &graded)], Format::Json, &mut out).expect("class");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["sessions"][0]["score"].as_f64(), Some(99.9));
}

#[test]
fn exposure_and_pass_follow_the_pressure() {
    use mldsense::class::{outcome, SessionRecord};
    use mldsense::grade::{grade_session, Profile};
    let p = Profile::default_profile();
    let light = mldsense::grade::synthetic::steady(30, 35.0);
    let o = outcome(&light, &grade_session(&light, &p));
    assert_eq!((o.above_window_s, o.danger_s), (0.0, 0.0));
    let hard = mldsense::grade::synthetic::steady(30, 80.0);
    let g = grade_session(&hard, &p);
    let o = outcome(&hard, &g);
    // The plain reference: every trace instant where any fingertip is above 40 (or at 70 and
    // up), at the trace's rate.
    let t = &hard.trace;
    let count = |f: &dyn Fn(f32) -> bool| {
        let n = t.channels.first().map_or(0, Vec::len);
        (0..n)
            .filter(|&j| t.channels.iter().any(|c| c.get(j).is_some_and(|v| f(*v))))
            .count() as f64
            / t.rate_hz
    };
    assert!(
        count(&|v| v > 40.0) > 0.0,
        "the reference sees the hard presses"
    );
    assert!((o.above_window_s - count(&|v| v > 40.0)).abs() < 1e-9);
    assert!((o.danger_s - count(&|v| v >= 70.0)).abs() < 1e-9);
    assert!(o.danger_s > 0.0 && o.danger_s <= o.above_window_s);
    assert!(!o.passed, "danger never passes");
    let r = SessionRecord::new(&hard, &g, "hard.mld".into());
    assert!(!r.passed && r.danger == 30);
}
