//! `mldsense simulate` end to end: files written, readable, and consistent with each other;
//! a glove on a pseudo-terminal that `mldsense record` records.

use mldsense::recording::RecordingSource;
use mldsense::sim::truth::load_tsv;
use mldsense::stream::{Block, PressureSource};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_mldsense");

#[test]
fn simulate_writes_a_recording_truth_calibration_and_bids() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let d = dir.path();
    let out = Command::new(BIN)
        .args([
            "simulate",
            "--style",
            "rushed",
            "--seed",
            "7",
            "--duration",
            "30",
        ])
        .arg("--record")
        .arg(d.join("s.mld"))
        .arg("--truth")
        .arg(d.join("s_events.tsv"))
        .arg("--bids")
        .arg(d.join("bids"))
        .output()
        .expect("running mldsense");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("calibration:"), "{stdout}");

    let truth = load_tsv(&d.join("s_events.tsv")).expect("the truth reads back");
    assert!(truth.len() > 30, "{} strokes", truth.len());
    assert!(d.join("s.calibration.toml").exists());
    assert!(d.join("bids/dataset_description.json").exists());
    let beh = d.join("bids/sub-rushed7/beh");
    assert!(beh.join("sub-rushed7_task-mld_physio.tsv.gz").exists());
    let events = mldsense::bids::read_events(&beh.join("sub-rushed7_task-mld_events.tsv"))
        .expect("the BIDS events read back");
    assert_eq!(events.len(), truth.len());

    // The recording carries the glove's calibration and replays to 30 s of rows.
    let mut src = RecordingSource::open(d.join("s.mld"), None).expect("the recording opens");
    assert!(src.warnings().is_empty(), "{:?}", src.warnings());
    let mut b = Block::default();
    let mut rows = 0;
    while src.next_block(&mut b).expect("the recording reads") {
        rows += b.rows(5);
    }
    assert!(rows <= 6000 && rows > 5900, "{rows} rows");
}

#[test]
#[cfg(unix)] // pseudo-terminals
fn record_captures_the_glove_served_on_a_pty() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("live.mld");
    let mut glove = Command::new(BIN)
        .args(["simulate", "--duration", "10", "--speed", "20", "--pty"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the virtual glove");
    let mut lines = BufReader::new(glove.stdout.take().expect("its stdout")).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("/dev/"))
        .expect("the glove prints its port");
    let rec = Command::new(BIN)
        .args(["record", "--port", &port, "-o"])
        .arg(&file)
        .args(["--trainee", "Ana"])
        .output()
        .expect("running mldsense record");
    let _ = glove.wait();
    let stdout = String::from_utf8_lossy(&rec.stdout);
    let stderr = String::from_utf8_lossy(&rec.stderr);
    assert!(rec.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("disconnected"), "{stderr}");
    assert!(stdout.contains("the glove went away"), "{stdout}");
    assert!(stdout.contains("2000 rows"), "{stdout}");
    let src = RecordingSource::open(&file, None).expect("the recording opens");
    assert_eq!(src.header().trainee.as_deref(), Some("Ana"));
}
