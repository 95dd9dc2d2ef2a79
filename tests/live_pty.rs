//! `mldsense live` end to end over a pseudo-terminal, in line mode (stdout is a pipe here): the
//! virtual glove's firmware serves a session on a pty, the binary reads it through the real
//! serial path, prints one line per stroke, a summary, records and reports.
//!
//! Pseudo-terminal pairs are not safe to open from parallel tests: every test here holds `PTY`.

// Pseudo-terminals are Unix only.
#![cfg(unix)]

use mldsense::sim::firmware::Firmware;
use mldsense::sim::pty::PtyGlove;
use mldsense::sim::{GloveConfig, Style, VirtualGlove};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

static PTY: Mutex<()> = Mutex::new(());

/// A parsed `stroke m:ss.cc  peak P mmHg  GRADE  flags F` line.
#[derive(Debug)]
struct Line {
    onset_s: f64,
    peak: f64,
    grade: String,
    flags: String,
    score: Option<f64>,
}

fn parse_line(l: &str) -> Option<Line> {
    let rest = l.strip_prefix("stroke ")?;
    let mut parts = rest.split("  ");
    let time = parts.next()?;
    let (min, sec) = time.split_once(':')?;
    let onset_s = min.parse::<f64>().ok()? * 60.0 + sec.parse::<f64>().ok()?;
    let peak = parts
        .next()?
        .strip_prefix("peak ")?
        .strip_suffix(" mmHg")?
        .parse()
        .ok()?;
    let grade = parts.next()?.to_string();
    let flags = parts.next()?.strip_prefix("flags ")?.to_string();
    let score = parts
        .next()
        .and_then(|p| p.strip_prefix("score "))
        .and_then(|v| v.parse().ok());
    Some(Line {
        onset_s,
        peak,
        grade,
        flags,
        score,
    })
}

fn run_live(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mldsense"))
        .arg("live")
        .args(args)
        .output()
        .expect("run mldsense live")
}

fn stroke_lines(out: &Output) -> Vec<Line> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .filter(|l| l.starts_with("stroke "))
        .map(|l| parse_line(l).unwrap_or_else(|| panic!("malformed stroke line {l:?}")))
        .collect()
}

#[test]
fn port_session_prints_each_stroke_records_and_reports() {
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = GloveConfig {
        style: Style::Heavy,
        seed: 7,
        duration_s: 24.0,
        ..GloveConfig::default()
    };
    let glove = VirtualGlove::new(config);
    let truth = glove.truth();
    let cal_path = dir.path().join("glove.calibration.toml");
    glove
        .calibration()
        .save(&cal_path)
        .expect("save calibration");
    let mut pty = PtyGlove::open().expect("pty");
    let port = pty.path().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let server = std::thread::spawn(move || {
        let mut fw = Firmware::new(glove);
        let end = pty.serve(&mut fw, 6.0, &flag);
        pty.drain(Duration::from_secs(3));
        end
    });

    let rec = dir.path().join("s.mld");
    let report = dir.path().join("s.json");
    let child = Command::new(env!("CARGO_BIN_EXE_mldsense"))
        .arg("live")
        .args([
            "--port",
            &port,
            "--calibration",
            cal_path.to_str().expect("utf-8 path"),
            "--record",
            rec.to_str().expect("utf-8 path"),
            "--report",
            report.to_str().expect("utf-8 path"),
            "--trainee",
            "Ada",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mldsense live");
    // The glove has sent everything and the host has read it (drain) ...
    let _ = server.join();
    std::thread::sleep(Duration::from_millis(500));
    // ... but the child inherited this process's pty descriptors (they are not close-on-exec),
    // so it cannot see the glove go away: end the session as a user would, with Ctrl-C.
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait for mldsense live");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");

    // One line per stroke, in time order, each graded against 30–40 with danger at 70.
    let lines = stroke_lines(&out);
    let n_true = truth.len();
    assert!(
        lines.len() + 2 >= n_true && lines.len() <= n_true + 2,
        "{} lines for {n_true} true strokes:\n{stdout}",
        lines.len()
    );
    for w in lines.windows(2) {
        assert!(w[0].onset_s < w[1].onset_s, "{stdout}");
    }
    // Graded by the grader's own rule (a shown peak is rounded to 0.1 mmHg: skip the edges).
    let profile = mldsense::grade::Profile::default_profile();
    for l in &lines {
        let near = [30.0, 40.0, 70.0]
            .iter()
            .any(|e| (l.peak - e).abs() <= 0.05);
        if !near {
            let expected = profile.grade_of(mldsense::units::Mmhg(l.peak)).as_str();
            assert_eq!(l.grade, expected, "{l:?}");
            assert_eq!(l.flags.contains("danger"), l.peak >= 70.0, "{l:?}");
        }
    }
    assert!(
        lines.iter().filter(|l| l.grade == "too_hard").count() * 2 > lines.len(),
        "a heavy trainee is mostly too hard:\n{stdout}"
    );

    // The summary adds up the lines.
    let count = |g: &str| lines.iter().filter(|l| l.grade == g).count();
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("summary: "))
        .unwrap_or_else(|| panic!("no summary:\n{stdout}"));
    assert!(
        summary.contains(&format!("{} strokes", lines.len()))
            && summary.contains(&format!("too_light {}", count("too_light")))
            && summary.contains(&format!("in_window {}", count("in_window")))
            && summary.contains(&format!("too_hard {}", count("too_hard"))),
        "{summary}\n{stdout}"
    );
    assert!(stderr.contains("connected to glove"), "{stderr}");

    // The recording holds the whole session; the report has every stroke printed.
    assert!(std::fs::metadata(&rec).expect("recording").len() > 10_000);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    let strokes = json["strokes"].as_array().expect("strokes array");
    assert_eq!(strokes.len(), lines.len());
    for (s, l) in strokes.iter().zip(&lines) {
        assert_eq!(s["grade"].as_str(), Some(l.grade.as_str()));
        let peak = s["peak_mmhg"].as_f64().expect("peak");
        assert!((peak - l.peak).abs() <= 0.051, "{peak} vs {l:?}");
    }
    // Live = batch: analysing the recording afterwards finds the very same strokes.
    let batch = Command::new(env!("CARGO_BIN_EXE_mldsense"))
        .args([
            "analyze",
            rec.to_str().expect("utf-8 path"),
            "--format",
            "json",
        ])
        .output()
        .expect("run mldsense analyze");
    assert!(
        batch.status.success(),
        "{}",
        String::from_utf8_lossy(&batch.stderr)
    );
    let batch: serde_json::Value = serde_json::from_slice(&batch.stdout).expect("analyze json");
    // Live = report for feedback: the score and pass/fail the student saw at the end are the
    // report's of the recording.
    let live_summary = stdout
        .lines()
        .find(|l| l.starts_with("in window "))
        .unwrap_or_else(|| panic!("no score line:\n{stdout}"));
    let batch_score = batch["summary"]["score"].as_f64().expect("summary score");
    let verdict = if batch["summary"]["passed"].as_bool() == Some(true) {
        "PASS"
    } else {
        "FAIL"
    };
    assert!(
        live_summary.contains(&format!(
            "score {:.0} / 100  {verdict}",
            batch_score.floor()
        )),
        "live {live_summary:?} vs report score {batch_score} {verdict}"
    );
    let batch = batch["strokes"].as_array().expect("strokes array");
    assert_eq!(batch.len(), strokes.len());
    // ... and the same grade, flags and stroke score for every stroke the student saw.
    for (b, l) in batch.iter().zip(&lines) {
        assert_eq!(b["grade"].as_str(), Some(l.grade.as_str()), "{l:?}");
        let flags: Vec<&str> = b["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .filter_map(|f| f.as_str())
            .collect();
        let flags = if flags.is_empty() {
            "-".to_string()
        } else {
            flags.join(",")
        };
        assert_eq!(flags, l.flags, "{l:?}");
        let score = b["score"].as_f64().expect("score");
        assert!(
            l.score.is_some_and(|s| (s - score).abs() <= 0.051),
            "stroke score: live {:?} vs report {score}",
            l.score
        );
    }
    for (b, s) in batch.iter().zip(strokes) {
        for key in ["onset_s", "offset_s", "peak_mmhg"] {
            let (x, y) = (b[key].as_f64(), s[key].as_f64());
            assert!(
                x.zip(y).is_some_and(|(x, y)| (x - y).abs() < 1e-9),
                "{key}: batch {x:?} vs live {y:?}"
            );
        }
    }
    // The true peaks are recovered through the serial path (the pipeline's accuracy).
    let true_mean = truth.iter().map(|t| t.peak.0).sum::<f64>() / n_true as f64;
    let seen_mean = lines.iter().map(|l| l.peak).sum::<f64>() / lines.len() as f64;
    assert!(
        (true_mean - seen_mean).abs() < 3.0,
        "{true_mean} vs {seen_mean}"
    );
}

#[test]
fn sim_option_serves_the_virtual_glove_through_the_serial_path() {
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = run_live(&["--sim", "light", "--duration", "12", "--speed", "6"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let lines = stroke_lines(&out);
    assert!(lines.len() >= 6, "{stdout}");
    let light = lines.iter().filter(|l| l.grade == "too_light").count();
    assert!(
        light * 10 >= lines.len() * 8,
        "a light trainee is too light:\n{stdout}"
    );
    assert!(stdout.contains("summary: "), "{stdout}");
    // A light trainee reads a fail, with the reason, beside the score.
    let verdict = stdout
        .lines()
        .find(|l| l.starts_with("in window "))
        .unwrap_or_else(|| panic!("no score line:\n{stdout}"));
    assert!(verdict.contains("FAIL (pass mark 70"), "{verdict}");
    assert!(
        stderr.contains("/dev/pts/"),
        "the pty path is named: {stderr}"
    );
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
    let out = run_live(&["--port", "/dev/nonexistent-glove"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/dev/nonexistent-glove"), "{stderr}");

    let out = run_live(&["--sim", "steady", "--window-mmhg", "40:30"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--window-mmhg"), "{stderr}");

    let out = run_live(&[]);
    assert!(!out.status.success(), "needs --port or --sim");
}

/// Ends the child if the test fails before it quits.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the terminal's master side until `needle` shows up or `patience` runs out.
fn read_until(
    master: &mut serialport::TTYPort,
    seen: &mut Vec<u8>,
    needle: &str,
    patience: Duration,
) -> bool {
    use std::io::Read;
    let deadline = std::time::Instant::now() + patience;
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < deadline {
        if String::from_utf8_lossy(seen).contains(needle) {
            return true;
        }
        match master.read(&mut buf) {
            Ok(n) => seen.extend_from_slice(buf.get(..n).unwrap_or(&[])),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    String::from_utf8_lossy(seen).contains(needle)
}

/// A pseudo-terminal of `cols` × `rows` for the binary to draw on: the master end to read what
/// it draws and send keys, the slave end (kept open), and the terminal as a file for its stdio.
fn terminal(cols: u16, rows: u16) -> (serialport::TTYPort, serialport::TTYPort, std::fs::File) {
    use serialport::SerialPort;
    let (mut master, slave) = serialport::TTYPort::pair().expect("pty pair");
    let tty = slave.name().expect("pty name");
    master
        .set_timeout(Duration::from_millis(50))
        .expect("timeout");
    let (cols, rows) = (cols.to_string(), rows.to_string());
    let stty = Command::new("stty")
        .args(["-F", &tty, "cols", &cols, "rows", &rows])
        .status()
        .expect("stty");
    assert!(stty.success());
    let term = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&tty)
        .expect("open tty");
    (master, slave, term)
}

#[test]
fn terminal_view_draws_takes_keys_and_restores_the_terminal() {
    use std::io::Write;
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // A pseudo-terminal as the user's terminal, 100 × 30.
    let (mut master, _slave, term) = terminal(100, 30);
    let child = Command::new(env!("CARGO_BIN_EXE_mldsense"))
        .args([
            "live",
            "--sim",
            "steady",
            "--speed",
            "3",
            "--duration",
            "120",
        ])
        .stdin(term.try_clone().expect("clone tty"))
        .stdout(term.try_clone().expect("clone tty"))
        .stderr(term)
        .spawn()
        .expect("start mldsense live");
    let mut child = KillOnDrop(child);
    let mut seen = Vec::new();
    // The view opens on the alternate screen and draws the bars, then the first verdicts.
    // (ratatui writes only changed cells, so look for single words.)
    let drawn = read_until(&mut master, &mut seen, "peak", Duration::from_secs(20));
    let text = String::from_utf8_lossy(&seen).to_string();
    assert!(drawn, "no verdict drawn:\n{text}");
    assert!(text.contains("\u{1b}[?1049h"), "alternate screen entered");
    for needle in ["Fingertip", "WINDOW", "thumb", "danger", "Score", "Rhythm"] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
    // p pauses (the status line says so), then q quits.
    master.write_all(b"p").expect("send p");
    assert!(
        read_until(&mut master, &mut seen, "PAUSED", Duration::from_secs(5)),
        "pause not shown"
    );
    master.write_all(b"q").expect("send q");
    assert!(
        read_until(&mut master, &mut seen, "summary: ", Duration::from_secs(10)),
        "no summary after q:\n{}",
        String::from_utf8_lossy(&seen)
    );
    let status = child.0.wait().expect("wait");
    assert!(status.success());
    let text = String::from_utf8_lossy(&seen).to_string();
    let left = text.rfind("\u{1b}[?1049l").expect("alternate screen left");
    let summary = text.rfind("summary: ").expect("summary");
    assert!(
        left < summary,
        "the summary is printed on the restored screen"
    );
}

/// Safe tare, recorded: `t` in the terminal view re-zeroes only at rest, and every tare the
/// view applied (and every space-bar marker) is written into the recording as a host note, so
/// `analyze` of the recording finds exactly the strokes, peaks and grades the live view showed.
#[test]
fn tares_and_keyboard_markers_are_recorded_and_analyze_gives_what_live_showed() {
    use std::io::Write;
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("tared.mld");
    let report = dir.path().join("live.json");
    let (mut master, _slave, term) = terminal(100, 30);
    let child = Command::new(env!("CARGO_BIN_EXE_mldsense"))
        .args([
            "live",
            "--sim",
            "steady",
            "--speed",
            "4",
            "--duration",
            "60",
        ])
        .arg("--record")
        .arg(&rec)
        .arg("--report")
        .arg(&report)
        .stdin(term.try_clone().expect("clone tty"))
        .stdout(term.try_clone().expect("clone tty"))
        .stderr(term)
        .spawn()
        .expect("start mldsense live");
    let mut child = KillOnDrop(child);
    let mut seen = Vec::new();
    assert!(
        read_until(&mut master, &mut seen, "peak", Duration::from_secs(20)),
        "no verdict drawn"
    );
    // Press t again and again (applied at rest, refused while a fingertip presses: see
    // `live::engine`'s tests), and the space bar 4 times.
    for i in 0..40 {
        master
            .write_all(if i % 10 == 0 { b" " } else { b"t" })
            .expect("send key");
        read_until(&mut master, &mut seen, "\u{0}", Duration::from_millis(130));
    }
    master.write_all(b"q").expect("send q");
    assert!(
        read_until(&mut master, &mut seen, "summary: ", Duration::from_secs(15)),
        "no summary after q"
    );
    assert!(child.0.wait().expect("wait").success());

    // The recording holds the tares and markers as host notes, and nothing reads as damage.
    let (_, stats) = mldsense::recording::scan_recording(&rec, |_| {}).expect("scan");
    assert!(stats.tares >= 1, "no tare recorded: {stats:?}");
    assert_eq!(stats.keyboard_markers, 4, "{stats:?}");
    assert_eq!(
        stats.frames.crc_errors + stats.frames.malformed,
        0,
        "{stats:?}"
    );

    let live: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("live report"))
            .expect("json");
    let batch = Command::new(env!("CARGO_BIN_EXE_mldsense"))
        .args([
            "analyze",
            rec.to_str().expect("utf-8 path"),
            "--format",
            "json",
        ])
        .output()
        .expect("run mldsense analyze");
    assert!(
        batch.status.success(),
        "{}",
        String::from_utf8_lossy(&batch.stderr)
    );
    let batch: serde_json::Value = serde_json::from_slice(&batch.stdout).expect("analyze json");
    let (live_s, batch_s) = (
        live["strokes"].as_array().expect("strokes"),
        batch["strokes"].as_array().expect("strokes"),
    );
    assert!(live_s.len() > 10, "{} strokes", live_s.len());
    assert_eq!(live_s.len(), batch_s.len());
    for (l, b) in live_s.iter().zip(batch_s) {
        for key in ["onset_s", "peak_mmhg", "grade", "score"] {
            assert_eq!(l[key], b[key], "{key}: live {l} vs analyze {b}");
        }
    }
    assert_eq!(live["summary"]["score"], batch["summary"]["score"]);
}
