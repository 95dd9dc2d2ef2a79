//! `mldsense bench` end to end on tiny fixtures: JSON shape and exact scores for given
//! predictions, ours and a peer side by side, presets, and clear failures.

use mldsense::bids::{write_events, write_physio, EventRow};
use mldsense::stream::{ChannelInfo, StreamInfo};
use mldsense::units::Mmhg;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const RATE: f64 = 200.0;

/// A 20 s recording `dir/sub-01/beh/<stem>_physio.*` with a stroke every 1.25 s (peaks 35 and
/// 50 mmHg alternating) and its true strokes in `_events.tsv`.
fn fixture(dir: &Path, stem: &str) -> Vec<EventRow> {
    let beh = dir.join("sub-01").join("beh");
    let info = StreamInfo {
        rate_hz: RATE,
        start_time_s: 0.0,
        channels: ["index", "middle"]
            .iter()
            .map(|n| ChannelInfo {
                name: (*n).into(),
                area: None,
            })
            .collect(),
    };
    let mut truth = Vec::new();
    let mut rows = Vec::new();
    for i in 0..(20.0 * RATE) as usize {
        let t = i as f64 / RATE;
        let k = (t / 1.25).floor();
        let onset = k * 1.25 + 0.2;
        let peak = if k as i64 % 2 == 0 { 35.0 } else { 50.0 };
        let u = (t - onset) / 0.7;
        let p = if (0.0..=1.0).contains(&u) {
            2.0 + (peak - 2.0) * (std::f64::consts::PI * u).sin().powi(2)
        } else {
            2.0
        };
        rows.push([p, 0.8 * p]);
        if i % (1.25 * RATE) as usize == 0 && onset + 0.7 < 20.0 {
            let grade = if peak > 40.0 { "too_hard" } else { "in_window" };
            truth.push(EventRow::stroke(
                onset,
                onset + 0.7,
                Mmhg(peak),
                Some(grade),
            ));
        }
    }
    let paths = write_physio(&beh, stem, &info, &rows).unwrap();
    write_events(&paths.events_tsv(), &truth).unwrap();
    truth
}

fn bench(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mldsense"))
        .arg("bench")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_predictions(dir: &Path, stem: &str, strokes: &[(f64, f64, f64)]) {
    std::fs::create_dir_all(dir).unwrap();
    let list: Vec<Value> = strokes
        .iter()
        .map(|&(on, off, peak)| serde_json::json!({"onset_s": on, "offset_s": off, "peak_mmhg": peak}))
        .collect();
    std::fs::write(
        dir.join(format!("{stem}.json")),
        serde_json::json!({ "strokes": list }).to_string(),
    )
    .unwrap();
}

#[test]
fn predictions_are_scored_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let stem = "sub-01_task-mld";
    let truth = fixture(dir.path(), stem);
    assert_eq!(truth.len(), 16);
    // Every true stroke found 30 ms late except the last one, plus one false alarm.
    let mut found: Vec<(f64, f64, f64)> = truth
        .iter()
        .take(truth.len() - 1)
        .map(|e| {
            (
                e.onset_s + 0.03,
                e.offset_s() + 0.03,
                e.peak.unwrap().0 + 1.0,
            )
        })
        .collect();
    found.push((19.9, 19.95, 10.0));
    let pred = dir.path().join("pred");
    write_predictions(&pred, stem, &found);
    let data = dir.path().to_str().unwrap();
    let spec = format!("peer={}", pred.display());
    let (ok, out, err) = bench(&[
        data,
        "--no-ours",
        "--predictions",
        &spec,
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let g = &v["gross"];
    assert_eq!(g["n_ref"], 16.0);
    assert_eq!(g["n_est"], 16.0);
    assert!((g["precision"].as_f64().unwrap() - 15.0 / 16.0).abs() < 1e-12);
    assert!((g["recall"].as_f64().unwrap() - 15.0 / 16.0).abs() < 1e-12);
    assert!((g["onset_mae_s"].as_f64().unwrap() - 0.03).abs() < 1e-9);
    assert!((g["peak_mae_mmhg"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(g["grade_agreement"], 1.0);
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    assert_eq!(v["systems"][0]["name"], "peer");
    assert_eq!(v["collar_s"], 0.2);
    // With a 20 ms collar nothing matches.
    let (ok, out, _) = bench(&[
        data,
        "--no-ours",
        "--predictions",
        &spec,
        "--format",
        "json",
        "--collar-ms",
        "20",
    ]);
    assert!(ok);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["gross"]["f1"], 0.0);
}

#[test]
fn ours_and_a_peer_side_by_side_in_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let stem = "sub-01_task-mld";
    let truth = fixture(dir.path(), stem);
    let exact: Vec<(f64, f64, f64)> = truth
        .iter()
        .map(|e| (e.onset_s, e.offset_s(), e.peak.unwrap().0))
        .collect();
    let pred = dir.path().join("pred");
    write_predictions(&pred, stem, &exact);
    let spec = format!("oracle={}", pred.display());
    let (ok, out, err) = bench(&[
        dir.path().to_str().unwrap(),
        "--predictions",
        &spec,
        "--collar",
        "bxb",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("== mldsense ==") && out.contains("== oracle =="),
        "{out}"
    );
    assert!(
        out.contains("GROSS") && out.contains("AVERAGE") && out.contains("collar 150 ms"),
        "{out}"
    );
    // The oracle line: 16 true, 16 found, everything 100 %.
    let oracle = out.split("== oracle ==").nth(1).unwrap();
    let gross = oracle.lines().find(|l| l.starts_with("GROSS")).unwrap();
    assert!(gross.contains("100.0"), "{gross}");

    let (ok, out, err) = bench(&[dir.path().to_str().unwrap(), "--format", "json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["gross"]["n_ref"], 16.0);
    // Clean, well separated strokes: our detector should find nearly all of them.
    assert!(
        v["gross"]["recall"].as_f64().unwrap() > 0.8,
        "{}",
        v["gross"]
    );
}

#[test]
fn detector_variants_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), "sub-01_task-mld");
    let (ok, out, err) = bench(&[
        dir.path().to_str().unwrap(),
        "--format",
        "json",
        "--detector",
        "same:settle_s=0.10",
        "--detector",
        "deaf:min_height_mmhg=500",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let systems = v["systems"].as_array().unwrap();
    let names: Vec<&str> = systems
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mldsense", "same", "deaf"]);
    // The default setting spelled out scores exactly as the default.
    assert_eq!(systems[0]["gross"], systems[1]["gross"]);
    // A detector that needs 500 mmHg strokes finds none of the fixture's.
    assert_eq!(systems[2]["gross"]["n_est"], 0.0);

    let (ok, _, err) = bench(&[dir.path().to_str().unwrap(), "--detector", "x:speed=3"]);
    assert!(!ok);
    assert!(err.contains("unknown setting `speed`"), "{err}");
}

#[test]
fn failures_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = bench(&[dir.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("no annotated recordings"), "{err}");

    fixture(dir.path(), "s");
    let events = dir.path().join("sub-01/beh/s_events.tsv");
    let mut text = std::fs::read_to_string(&events).unwrap();
    text.push_str("oops\t1\tstroke\tn/a\tn/a\n");
    std::fs::write(&events, text).unwrap();
    let (ok, _, err) = bench(&[dir.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("s_events.tsv:18:") && err.contains("oops"),
        "{err}"
    );

    // A peer without a prediction for a recording.
    let fresh = tempfile::tempdir().unwrap();
    fixture(fresh.path(), "s");
    let empty = fresh.path().join("none");
    std::fs::create_dir_all(&empty).unwrap();
    let spec = format!("x={}", empty.display());
    let (ok, _, err) = bench(&[
        fresh.path().join("sub-01").to_str().unwrap(),
        "--no-ours",
        "--predictions",
        &spec,
    ]);
    assert!(!ok);
    assert!(err.contains("s.json is missing"), "{err}");
    let (ok, _, err) = bench(&[dir.path().to_str().unwrap(), "--window-mmhg", "40:30"]);
    assert!(!ok && err.contains("window"), "{err}");
}
