//! Hostile and implausible input (issue 13): every defect found has its test here, named by
//! concern. Absurd pressures draw bounded charts; impossible values and calibrations are named;
//! the glove's own DeviceInfo wins over a contradicting header; folder loops, FIFOs and empty
//! files are handled; CSV cells never start a formula; the glove is stopped on every exit.

use mldsense::calibration::{Calibration, SensorCalibration, SensorCurve};
use mldsense::grade::synthetic::{self, StrokeSpec};
use mldsense::grade::{grade_session, Profile};
use mldsense::recording::{RecordingHeader, RecordingWriter};
use mldsense::report::{self, Format};
use mldsense::serial::handshake::{start_streaming, CommandSender};
use mldsense_protocol::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mldsense");

fn run(args: &[&str]) -> Output {
    Process::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run mldsense")
}

/// Runs mldsense, failing the test if it has not exited within `limit` (a hang).
fn run_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Process::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mldsense {args:?} still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn device(channels: u8, rate_hz: u16) -> DeviceInfo {
    let mut descs = [ChannelDesc::new("", 0); MAX_CHANNELS];
    for (i, n) in ["thumb", "index", "middle", "ring", "little"]
        .iter()
        .take(usize::from(channels))
        .enumerate()
    {
        descs[i] = ChannelDesc::new(n, 1267);
    }
    DeviceInfo {
        firmware: [1, 1, 0],
        serial: 4242,
        sensor_kind: SensorKind::FSR_402,
        adc_bits: 12,
        rate_hz,
        rows_per_block: 4,
        channel_count: channels,
        channels: descs,
    }
}

/// The wire bytes of `data`'s DeviceInfo then `blocks` blocks of 4 rows, timed at its rate,
/// with one stroke-like bump a second.
fn stream(data: &DeviceInfo, blocks: u32) -> Vec<u8> {
    let mut out = vec![0u8];
    let mut push = |f: Frame| {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = encode(&f, &mut buf).expect("encode");
        out.extend_from_slice(&buf[..n]);
    };
    push(Frame {
        seq: 0,
        timestamp_us: 0,
        message: Message::DeviceInfo(*data),
    });
    let ch = usize::from(data.channel_count);
    let block_us = 4_000_000 / u32::from(data.rate_hz);
    for k in 0..blocks {
        let mut counts = Vec::with_capacity(4 * ch);
        for r in 0..4u32 {
            let t = f64::from(k * 4 + r) / f64::from(data.rate_hz);
            let phase = t.fract();
            let bump = if phase < 0.5 {
                (phase * std::f64::consts::PI * 2.0).sin().max(0.0)
            } else {
                0.0
            };
            for _ in 0..ch {
                counts.push((bump * 240.0) as u16);
            }
        }
        push(Frame {
            seq: (k % 256) as u8,
            timestamp_us: 1000 + k * block_us,
            message: Message::SampleBlock(SampleBlock::new(ch, &counts).expect("block")),
        });
    }
    out
}

fn recording(path: &Path, header_device: &DeviceInfo, bytes: &[u8], cal: Option<Calibration>) {
    let mut h = RecordingHeader::new(header_device);
    h.started = "2026-11-30T09:15:00Z".into();
    h.calibration = cal;
    let mut w = RecordingWriter::create(path, &h).expect("create");
    w.write_bytes(bytes).expect("write");
    w.finish().expect("finish");
}

// 1. Absurd pressures: charts are bounded by their pixels, never by the data.

#[test]
fn absurd_peaks_draw_a_bounded_histogram_quickly() {
    for peak in [1e9, 1e12, 1e18, 1e300, f64::MAX] {
        let specs: Vec<StrokeSpec> = (0..20)
            .map(|i| StrokeSpec::new(1.0 + f64::from(i), if i == 7 { peak } else { 35.0 }))
            .collect();
        let session = synthetic::session(&specs);
        let graded = grade_session(&session, &Profile::default_profile());
        let start = Instant::now();
        let mut html = Vec::new();
        report::render(&session, &graded, Format::Html, &mut html).expect("html");
        assert!(html.len() > 1000, "peak {peak:e}: an HTML report");
        let dir = tempfile::tempdir().expect("tempdir");
        let pngs = report::write_png_charts(&session, &graded, dir.path()).expect("png");
        assert!(!pngs.is_empty());
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "peak {peak:e}: {:?}",
            start.elapsed()
        );
    }
    let (bin, n) = report::charts::histogram_bins(1e18, 70.0);
    assert!(n <= report::charts::MAX_HISTOGRAM_BINS && bin * n as f64 >= 1e18);
    assert_eq!(report::charts::histogram_bins(40.0, 70.0), (2.0, 38));
}

// 2. Physically impossible values are named, with their place.

const ONE_MMHG: &str = r#"{"SamplingFrequency": 100, "StartTime": 0, "Columns": ["thumb"],
"thumb": {"Units": "mmHg"}}"#;

/// A BIDS table of 20 s at 100 Hz: a stroke a second peaking at `peak`, with `extra` lines
/// spliced in at row 500.
fn bids_table(dir: &Path, stem: &str, peak: f64, extra: &[&str]) -> PathBuf {
    std::fs::write(dir.join(format!("{stem}_physio.json")), ONE_MMHG).expect("json");
    let mut tsv = String::new();
    for i in 0..2000 {
        if i == 500 {
            for e in extra {
                tsv.push_str(e);
                tsv.push('\n');
            }
        }
        let phase = (f64::from(i) / 100.0).fract();
        let v = if phase < 0.5 {
            peak * (phase * std::f64::consts::PI * 2.0).sin().max(0.0)
        } else {
            0.0
        };
        tsv.push_str(&format!("{v:.3}\n"));
    }
    let path = dir.join(format!("{stem}_physio.tsv"));
    std::fs::write(&path, tsv).expect("tsv");
    path
}

#[test]
fn implausible_pressures_are_warned_about_with_their_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = bids_table(
        dir.path(),
        "sub-01_task-mld",
        35.0,
        &["inf", "1e300", "1e400", "-15"],
    );
    let o = run(&["analyze", s(&p), "-f", "json"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("sub-01_task-mld") && err.contains("channel thumb, row 500"),
        "{err}"
    );
    assert!(
        err.contains("is implausible") && err.contains("3 such"),
        "{err}"
    );
    assert!(
        err.contains("implausibly negative") && err.contains("-15.0"),
        "{err}"
    );
    let json = String::from_utf8_lossy(&o.stdout);
    let longest_digits = json
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits < 25, "no 300-digit numbers in the report");
    assert!(json.contains("implausib"), "the report carries the warning");
}

#[test]
fn negative_peaks_are_named_not_coached() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = bids_table(dir.path(), "neg", -15.0, &[]);
    let o = run(&["analyze", s(&p)]);
    let err = stderr(&o);
    assert!(
        err.contains("implausibly negative") && err.contains("neg"),
        "{err}"
    );
}

fn calibration(newtons_per_count: f64) -> Calibration {
    Calibration {
        created: None,
        note: None,
        sensors: vec![SensorCalibration {
            device_serial: 4242,
            channel: 0,
            name: None,
            curve: SensorCurve::linear(0.0, newtons_per_count),
            area: None,
            rms_error: None,
        }],
    }
}

#[test]
fn implausible_header_calibrations_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = device(5, 500);
    for (name, slope) in [("zero", 0.0), ("negative", -0.0024), ("huge", 1e6)] {
        let p = dir.path().join(format!("cal-{name}.mld"));
        recording(&p, &d, &stream(&d, 500), Some(calibration(slope)));
        for cmd in ["analyze", "info"] {
            let o = run(&[cmd, s(&p)]);
            let err = stderr(&o);
            assert!(!o.status.success(), "{cmd} {name}: {err}");
            assert!(
                err.contains(&format!("cal-{name}.mld")) && err.contains("newtons_per_count"),
                "{cmd} {name}: {err}"
            );
        }
    }
    // A plausible one still reads.
    let p = dir.path().join("cal-ok.mld");
    recording(&p, &d, &stream(&d, 500), Some(calibration(0.0024)));
    assert!(run(&["info", s(&p)]).status.success());
}

// 3. The glove's own DeviceInfo is the truth; a contradicting header is reported.

#[test]
fn a_header_rate_that_contradicts_the_data_loses_and_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = device(5, 500);
    let p = dir.path().join("rate.mld");
    // 2000 blocks of 4 rows at 500 Hz: 16 s.
    recording(&p, &device(5, 250), &stream(&data, 2000), None);
    let o = run(&["analyze", s(&p), "-f", "json"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("rate.mld") && err.contains("rate_hz 250 in the header, 500 in the data"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let duration = v["session"]["duration_s"]
        .as_f64()
        .or_else(|| v["duration_s"].as_f64())
        .expect("duration_s");
    assert!(
        (duration - 16.0).abs() < 0.1,
        "16 s at the data's 500 Hz, got {duration}"
    );
    let o = run(&["info", s(&p)]);
    assert!(!o.status.success(), "info of a contradicting header fails");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("16.000 s"), "{out}");
    assert!(stderr(&o).contains("contradicts"), "{}", stderr(&o));
}

#[test]
fn a_header_channel_count_that_contradicts_the_data_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("chan.mld");
    recording(&p, &device(2, 500), &stream(&device(5, 500), 1000), None);
    let o = run(&["info", s(&p)]);
    assert!(!o.status.success(), "info exits non-zero");
    assert!(
        stderr(&o).contains("channel_count 2 in the header, 5 in the data"),
        "{}",
        stderr(&o)
    );
    let o = run(&["analyze", s(&p), "-f", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("contradicts"));
}

#[test]
fn a_rate_change_mid_stream_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("change.mld");
    let d = device(5, 500);
    let mut bytes = stream(&d, 600);
    let mut later = stream(&device(5, 250), 10);
    later.remove(0);
    bytes.extend(later);
    recording(&p, &d, &bytes, None);
    let o = run(&["analyze", s(&p)]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("change.mld") && err.contains("250 Hz mid-stream"),
        "{err}"
    );
}

// 4. A folder that links back to itself is walked once.

#[cfg(unix)]
#[test]
fn a_symlink_loop_analyses_each_recording_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("class");
    std::fs::create_dir_all(root.join("sub")).expect("mkdir");
    let d = device(5, 500);
    recording(&root.join("sub/a.mld"), &d, &stream(&d, 500), None);
    std::os::unix::fs::symlink(&root, root.join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink(root.join("sub/a.mld"), root.join("alias.mld")).expect("symlink");
    let found = mldsense::input::discover(&[root.clone(), root.join("sub/a.mld")]).expect("walk");
    assert_eq!(found.len(), 1, "{found:?}");
}

// 5. Inputs that share a name: see tests/class.rs
// `inputs_with_the_same_name_never_overwrite_each_other` (reports); the charts, too:

#[test]
fn charts_of_inputs_sharing_a_name_never_overwrite_each_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = device(5, 500);
    for k in ["a", "b"] {
        std::fs::create_dir_all(dir.path().join(k)).expect("mkdir");
        recording(
            &dir.path().join(k).join("s.mld"),
            &d,
            &stream(&d, 1500),
            None,
        );
    }
    let charts = dir.path().join("charts");
    let o = run(&[
        "analyze",
        s(&dir.path().join("a/s.mld")),
        s(&dir.path().join("b/s.mld")),
        "-f",
        "json",
        "-o",
        s(&dir.path().join("out")),
        "--charts",
        s(&charts),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folders = std::fs::read_dir(&charts).expect("charts").count();
    assert_eq!(folders, 2, "one chart folder per input");
}

// 6. No CSV cell the tool writes starts a formula.

fn csv_cells(text: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    r.records()
        .flat_map(|rec| {
            rec.expect("csv")
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn assert_no_formula(what: &str, text: &str) {
    for cell in csv_cells(text) {
        let live = report::csv_safe::is_formula(&cell) && cell.parse::<f64>().is_err();
        assert!(!live, "{what}: live formula cell {cell:?}");
    }
}

#[test]
fn every_csv_neutralises_formula_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = device(5, 500);
    let evil = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)"];
    let mut inputs = Vec::new();
    for (i, name) in evil.iter().enumerate() {
        let p = dir
            .path()
            .join(format!("{}{i}.mld", ["=", "+", "-", "@"][i]));
        let mut h = RecordingHeader::new(&d);
        h.started = format!("=2026-11-0{}T09:00:00Z", i + 1);
        h.trainee = Some((*name).to_string());
        let mut w = RecordingWriter::create(&p, &h).expect("create");
        w.write_bytes(&stream(&d, 1500)).expect("write");
        w.finish().expect("finish");
        inputs.push(p);
    }
    let out = dir.path().join("out");
    let mut args = vec!["analyze"];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(["-f", "csv", "-o", s(&out)]);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut seen = 0;
    for entry in std::fs::read_dir(&out).expect("out") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).expect("read");
            assert_no_formula(&path.display().to_string(), &text);
            seen += 1;
        }
    }
    // The class view, the progress table and one stroke table per session.
    assert!(seen >= 6, "{seen} CSV files");
    let class = std::fs::read_to_string(out.join("class.csv")).expect("class.csv");
    assert!(class.contains("'=HYPERLINK"), "{class}");
    let progress = std::fs::read_to_string(out.join("progress.csv")).expect("progress.csv");
    assert!(progress.contains("'@SUM(A1)"), "{progress}");
    // One session's stroke table on standard output, too.
    let o = run(&["analyze", s(&inputs[0]), "-f", "csv"]);
    assert!(o.status.success());
    assert_no_formula("stroke table", &String::from_utf8_lossy(&o.stdout));
}

// 7. A FIFO or other special file is refused, not waited on.

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_with_a_message_not_waited_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe.mld");
    let bids = dir.path().join("sub-01_physio.tsv");
    std::fs::write(dir.path().join("sub-01_physio.json"), ONE_MMHG).expect("json");
    for p in [&fifo, &bids] {
        let made = Process::new("mkfifo").arg(p).status().expect("mkfifo");
        assert!(made.success());
    }
    for args in [
        vec!["info", s(&fifo)],
        vec!["analyze", s(&fifo)],
        vec!["analyze", s(&bids)],
    ] {
        let o = run_within(&args, Duration::from_secs(20));
        assert!(!o.status.success(), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains("FIFO") && err.contains("not a regular file"),
            "{args:?}: {err}"
        );
    }
    let o = run_within(&["analyze", "/dev/null"], Duration::from_secs(20));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("character device"), "{}", stderr(&o));
}

// 8. The glove is never left streaming once Start was sent.

/// A glove that answers GetInfo but never Start (its Replies are lost), and notes every
/// command it receives.
struct DeafToStart {
    decoder: Decoder,
    out: Vec<u8>,
    commands: Vec<Command>,
}

impl Read for DeafToStart {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.out.is_empty() {
            std::thread::sleep(Duration::from_millis(2));
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        let n = buf.len().min(self.out.len());
        buf[..n].copy_from_slice(&self.out[..n]);
        self.out.drain(..n);
        Ok(n)
    }
}

impl Write for DeafToStart {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut got = Vec::new();
        self.decoder.push(buf, |r| got.extend(r.ok()));
        for f in got {
            if let Message::Command(c) = f.message {
                self.commands.push(c);
                if c == Command::GetInfo {
                    for message in [
                        Message::Reply(Reply {
                            command_seq: f.seq,
                            command_code: c.code(),
                            result: ReplyResult::Ack,
                        }),
                        Message::DeviceInfo(device(5, 500)),
                    ] {
                        let mut b = [0u8; MAX_FRAME_LEN];
                        let n = encode(
                            &Frame {
                                seq: 0,
                                timestamp_us: 0,
                                message,
                            },
                            &mut b,
                        )
                        .expect("encode");
                        self.out.extend_from_slice(&b[..n]);
                    }
                }
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_start_left_unanswered_is_followed_by_stop() {
    let mut port = DeafToStart {
        decoder: Decoder::new(),
        out: Vec::new(),
        commands: Vec::new(),
    };
    let mut sender = CommandSender::default();
    let r = start_streaming(&mut port, "deaf", &mut sender, Duration::from_millis(600));
    assert!(r.is_err(), "no answer to Start is an error");
    assert!(port.commands.contains(&Command::Start));
    assert_eq!(
        port.commands.last(),
        Some(&Command::Stop),
        "Stop after the unanswered Start: {:?}",
        port.commands
    );
    // Retries went out (250 ms apart), each a command of its own.
    let starts = port
        .commands
        .iter()
        .filter(|c| **c == Command::Start)
        .count();
    assert!(starts >= 2, "{:?}", port.commands);
}

// 9. Empty inputs are errors naming the file.

#[test]
fn empty_inputs_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut cases: Vec<PathBuf> = Vec::new();
    // A 0-byte .gz.
    std::fs::write(d.join("zero_physio.json"), ONE_MMHG).expect("json");
    std::fs::write(d.join("zero_physio.tsv.gz"), b"").expect("gz");
    cases.push(d.join("zero_physio.tsv.gz"));
    // A .gz of nothing.
    std::fs::write(d.join("nothing_physio.json"), ONE_MMHG).expect("json");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"").expect("gz");
    std::fs::write(d.join("nothing_physio.tsv.gz"), enc.finish().expect("gz")).expect("gz");
    cases.push(d.join("nothing_physio.tsv.gz"));
    // An empty table.
    std::fs::write(d.join("table_physio.json"), ONE_MMHG).expect("json");
    std::fs::write(d.join("table_physio.tsv"), b"").expect("tsv");
    cases.push(d.join("table_physio.tsv"));
    // A recording with a DeviceInfo and no samples.
    let dev = device(5, 500);
    recording(&d.join("nosamples.mld"), &dev, &stream(&dev, 0), None);
    cases.push(d.join("nosamples.mld"));
    // A 0-byte recording.
    std::fs::write(d.join("zero.mld"), b"").expect("mld");
    cases.push(d.join("zero.mld"));
    for p in &cases {
        let o = run(&["analyze", s(p)]);
        let err = stderr(&o);
        assert!(!o.status.success(), "{}: {err}", p.display());
        let stem = p
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('_').next())
            .expect("name");
        assert!(err.contains(stem), "{}: {err}", p.display());
    }
}
