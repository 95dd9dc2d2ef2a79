//! Unplugging the glove mid-session leaves a valid recording and a clear message; with
//! reconnect, the stream carries on after a gap of `NaN` rows.
//!
//! The "port" is a symbolic link to a pseudo-terminal, so a test can unplug the glove (close
//! the pty, remove the link) and plug it back in (a new pty, the link again) under the same
//! path. Pseudo-terminal pairs are created under a global lock.

// Pseudo-terminals are Unix only.
#![cfg(unix)]

use mldsense::recording::RecordingSource;
use mldsense::serial::{RecordTo, SerialSource};
use mldsense::sim::firmware::Firmware;
use mldsense::sim::pty::{PtyGlove, ServeEnd};
use mldsense::sim::{GloveConfig, Style, VirtualGlove};
use mldsense::stream::{Block, PressureSource, StreamEvent};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

static PTY: Mutex<()> = Mutex::new(());

fn config(duration_s: f64) -> GloveConfig {
    GloveConfig {
        style: Style::Steady,
        seed: 3,
        duration_s,
        ..GloveConfig::default()
    }
}

/// Serves a glove on a new pty linked from `link`; the glove is unplugged when `stop` is
/// raised (the link is removed first, then the pty closed).
fn plug_in(
    link: &Path,
    cfg: GloveConfig,
    speed: f64,
    stop: Arc<AtomicBool>,
) -> JoinHandle<ServeEnd> {
    let mut pty = PtyGlove::open().expect("a pseudo-terminal");
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(pty.path(), link).expect("linking the port");
    let link = link.to_path_buf();
    std::thread::spawn(move || {
        let mut fw = Firmware::new(VirtualGlove::new(cfg));
        let end = pty.serve(&mut fw, speed, &stop).expect("serving");
        let _ = std::fs::remove_file(&link);
        end
    })
}

struct Collected {
    rows: Vec<f64>,
    events: Vec<(u64, StreamEvent)>,
    notices: Vec<String>,
}

/// Reads `source` until it ends, calling `tick` with the rows so far after each block.
fn collect(source: &mut SerialSource, mut tick: impl FnMut(u64)) -> Collected {
    let channels = source.info().channel_count();
    let mut c = Collected {
        rows: Vec::new(),
        events: Vec::new(),
        notices: Vec::new(),
    };
    let mut b = Block::default();
    while source.next_block(&mut b).expect("reading the glove") {
        if !b.values.is_empty() {
            assert_eq!(
                b.start_row as usize * channels,
                c.rows.len(),
                "rows are contiguous"
            );
        }
        c.rows.extend_from_slice(&b.values);
        c.events.extend(b.events.iter().cloned());
        c.notices.extend(source.take_notices());
        tick((c.rows.len() / channels) as u64);
    }
    c.notices.extend(source.take_notices());
    c
}

fn open(link: &Path, file: &Path, reconnect: bool) -> SerialSource {
    SerialSource::builder(link.to_string_lossy())
        .reconnect(reconnect)
        .reconnect_poll(Duration::from_millis(20))
        .calibration(Some(VirtualGlove::new(config(1.0)).calibration()))
        .record_to(RecordTo {
            path: file.to_path_buf(),
            trainee: None,
            note: Some("unplug test".into()),
        })
        .open()
        .expect("the handshake")
}

fn replay(file: &PathBuf) -> (Vec<f64>, u64) {
    let mut src = RecordingSource::open(file, None).expect("the recording opens");
    let mut rows = Vec::new();
    let mut b = Block::default();
    while src.next_block(&mut b).expect("the recording reads") {
        rows.extend_from_slice(&b.values);
    }
    (rows, src.stats().torn_tail_bytes)
}

#[test]
fn unplugging_mid_session_keeps_a_valid_recording_and_says_so() {
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let link = dir.path().join("glove");
    let file = dir.path().join("unplug.mld");
    let stop = Arc::new(AtomicBool::new(false));
    let server = plug_in(&link, config(600.0), 10.0, Arc::clone(&stop));
    let mut source = open(&link, &file, false);
    // Unplug after 5 s of data (half a second of wall clock at 10×).
    let got = collect(&mut source, |rows| {
        if rows >= 1000 {
            stop.store(true, Ordering::Relaxed);
        }
    });
    assert_eq!(server.join().expect("the server"), ServeEnd::Stopped);

    let rows = got.rows.len() / 5;
    assert!((1000..2000).contains(&rows), "{rows} rows");
    assert_eq!(
        got.events.last().map(|e| &e.1),
        Some(&StreamEvent::Disconnected)
    );
    let message = got
        .notices
        .iter()
        .find(|n| n.contains("disconnected"))
        .expect("a disconnect notice");
    assert!(
        message.contains(&link.to_string_lossy().to_string()),
        "{message}"
    );
    assert!(
        message.contains(&file.to_string_lossy().to_string()),
        "{message}"
    );
    assert!(!source.connected());

    // The recording replays to exactly the rows received: nothing lost, nothing invented.
    let (replayed, torn) = replay(&file);
    assert_eq!(replayed.len(), got.rows.len());
    assert!(replayed
        .iter()
        .zip(&got.rows)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    // A frame cut by the unplug is reported as a torn tail, never as an error.
    assert!(torn < 600, "{torn} torn bytes");
}

#[test]
fn reconnect_resumes_with_a_gap_of_nan_rows() {
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let link = dir.path().join("glove");
    let file = dir.path().join("reconnect.mld");
    let stop = Arc::new(AtomicBool::new(false));
    let first = plug_in(&link, config(600.0), 10.0, Arc::clone(&stop));
    let mut source = open(&link, &file, true);
    let channels = 5;

    let (mut rows, mut events, mut notices) = (Vec::new(), Vec::new(), Vec::new());
    let mut second: Option<JoinHandle<ServeEnd>> = None;
    let second_stop = Arc::new(AtomicBool::new(false));
    let mut b = Block::default();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out: {notices:?}"
        );
        assert!(
            source.next_block(&mut b).expect("reading the glove"),
            "the source ended"
        );
        if !b.values.is_empty() {
            assert_eq!(
                b.start_row as usize * channels,
                rows.len(),
                "rows are contiguous"
            );
        }
        rows.extend_from_slice(&b.values);
        events.extend(b.events.iter().cloned());
        notices.extend(source.take_notices());
        let n = (rows.len() / channels) as u64;
        let seen = |e: StreamEvent| events.iter().any(|(_, x)| *x == e);
        if n >= 600 && !stop.load(Ordering::Relaxed) {
            stop.store(true, Ordering::Relaxed); // unplug
        }
        if second.is_none() && seen(StreamEvent::Disconnected) {
            // Away for a moment, then plugged back in.
            std::thread::sleep(Duration::from_millis(300));
            second = Some(plug_in(
                &link,
                config(600.0),
                10.0,
                Arc::clone(&second_stop),
            ));
        }
        let reconnected_at = events
            .iter()
            .find_map(|(r, e)| (*e == StreamEvent::Reconnected).then_some(*r));
        if reconnected_at.is_some_and(|r| n >= r + 400) {
            break;
        }
    }
    source.stop().expect("closing the recording");
    second_stop.store(true, Ordering::Relaxed);
    assert_eq!(first.join().expect("the first glove"), ServeEnd::Stopped);
    if let Some(h) = second {
        assert_eq!(h.join().expect("the second glove"), ServeEnd::Stopped);
    }

    let at = |kind: &dyn Fn(&StreamEvent) -> bool| {
        events
            .iter()
            .find(|(_, e)| kind(e))
            .cloned()
            .expect("the event")
    };
    let (d, _) = at(&|e| *e == StreamEvent::Disconnected);
    let (g, gap) = at(&|e| matches!(e, StreamEvent::Gap { .. }));
    let (r, _) = at(&|e| *e == StreamEvent::Reconnected);
    let StreamEvent::Gap { rows: gap_rows } = gap else {
        unreachable!()
    };
    assert_eq!(g, d, "the gap starts where the glove went away");
    assert_eq!(r, d + gap_rows, "and ends where it came back");
    // Away for at least the 300 ms pause: 60 rows at 200 Hz.
    assert!(gap_rows >= 60, "{gap_rows} rows");
    let row = |i: u64| &rows[i as usize * channels..(i as usize + 1) * channels];
    assert!((d..r).all(|i| row(i).iter().all(|v| v.is_nan())));
    assert!(row(d - 1).iter().all(|v| v.is_finite()));
    assert!(
        notices.iter().any(|n| n.contains("reconnected")),
        "{notices:?}"
    );

    // The second glove's session arrives as it was sent: the same rows as a fresh simulator.
    let mut fresh = mldsense::sim::SimSource::new(config(600.0));
    let mut expected = Vec::new();
    while expected.len() < 400 * channels {
        fresh.next_block(&mut b).expect("simulating");
        expected.extend_from_slice(&b.values);
    }
    let after = &rows[r as usize * channels..(r as usize + 400) * channels];
    assert!(after
        .iter()
        .zip(&expected)
        .all(|(a, e)| a.to_bits() == e.to_bits()));

    // The recording holds both connections back to back (the gap is not in the glove's bytes).
    let (replayed, _) = replay(&file);
    let without_gap: Vec<f64> = rows[..d as usize * channels]
        .iter()
        .chain(&rows[r as usize * channels..])
        .copied()
        .collect();
    assert!(replayed.len() >= without_gap.len());
    assert!(replayed
        .iter()
        .zip(&without_gap)
        .all(|(a, e)| a.to_bits() == e.to_bits()));
}
