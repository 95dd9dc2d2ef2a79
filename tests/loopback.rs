//! A simulated session crosses a pseudo-terminal into the serial source and its recorder, and
//! reads back frame-identical; damaged bytes cost only the frames they hit, and are counted.
//!
//! Pseudo-terminal pairs are not thread-safe to create concurrently, so the pty test holds a
//! global lock.

// Pseudo-terminals are Unix only.
#![cfg(unix)]

use mldsense::frames::{CalibratedStream, FrameAssembler, FrameItem};
use mldsense::recording::{RecordingReader, RecordingSource};
use mldsense::serial::{RecordTo, SerialSource};
use mldsense::sim::firmware::{session_bytes, Firmware};
use mldsense::sim::pty::{PtyGlove, ServeEnd};
use mldsense::sim::{GloveConfig, SimSource, Style, VirtualGlove};
use mldsense::stream::{Block, PressureSource, StreamEvent};
use mldsense_protocol::{Decoder, Frame, Message};
use rand::{Rng, SeedableRng};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

static PTY: Mutex<()> = Mutex::new(());

fn drain(src: &mut dyn PressureSource) -> (Vec<f64>, Vec<(u64, StreamEvent)>) {
    let channels = src.info().channel_count();
    let mut rows = Vec::new();
    let mut events = Vec::new();
    let mut b = Block::default();
    while src.next_block(&mut b).expect("reading the source") {
        if !b.values.is_empty() {
            assert_eq!(
                b.start_row as usize * channels,
                rows.len(),
                "rows are contiguous"
            );
        }
        rows.extend_from_slice(&b.values);
        events.extend(b.events.iter().cloned());
    }
    (rows, events)
}

fn sample_frames(bytes: &[u8]) -> Vec<Frame> {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    d.push(bytes, |r| {
        if let Ok(f) = r {
            if matches!(f.message, Message::SampleBlock(_)) {
                out.push(f);
            }
        }
    });
    out
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn a_session_crosses_a_pty_into_the_recorder_frame_identical() {
    let _lock = PTY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let config = GloveConfig {
        style: Style::Novice,
        seed: 5,
        duration_s: 20.0,
        ..GloveConfig::default()
    };
    let glove = VirtualGlove::new(config);
    let calibration = glove.calibration();
    let (wire, _) = session_bytes(config);
    let expected_frames = sample_frames(&wire);
    let (expected_rows, expected_events) = drain(&mut SimSource::new(config));

    let mut pty = PtyGlove::open().expect("a pseudo-terminal");
    let path = pty.path().to_string();
    let server = std::thread::spawn(move || {
        let mut fw = Firmware::new(glove);
        let stop = AtomicBool::new(false);
        let end = pty.serve(&mut fw, 40.0, &stop).expect("serving");
        pty.drain(std::time::Duration::from_secs(5));
        (end, fw.stats())
        // `pty` drops here: the glove is unplugged.
    });

    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("loop.mld");
    let mut source = SerialSource::builder(&path)
        .calibration(Some(calibration))
        .record_to(RecordTo {
            path: file.clone(),
            trainee: Some("loopback".into()),
            note: None,
        })
        .open()
        .expect("the handshake over the pty");
    let (rows, events) = drain(&mut source);
    let (end, fw_stats) = server.join().expect("the server thread");
    assert_eq!(end, ServeEnd::Finished);
    assert_eq!(source.stats().crc_errors + source.stats().malformed, 0);
    assert!(events.iter().any(|(_, e)| *e == StreamEvent::Disconnected));

    // Rows: what the simulator produced, bit for bit, NaN rows of dropouts included (a dropout
    // at the very end is invisible to a receiver: no later block reveals it).
    assert!(rows.len() <= expected_rows.len());
    assert!(same_bits(&rows, &expected_rows[..rows.len()]));
    assert!(
        expected_rows[rows.len()..].iter().all(|v| v.is_nan()),
        "{} of {} values arrived: {:?}",
        rows.len(),
        expected_rows.len(),
        source.take_notices()
    );
    assert_eq!(source.stats().rows, fw_stats.rows_sent);
    // Host time: row 0 was sampled after the handshake began and before now.
    let t0 = source.host_time_of_row(0).expect("rows arrived");
    let age = std::time::SystemTime::now()
        .duration_since(t0)
        .expect("row 0 is in the past");
    assert!(age < std::time::Duration::from_secs(30), "{age:?}");
    // Markers and saturation reach the host at the rows the simulator put them.
    let kinds = |ev: &[(u64, StreamEvent)]| -> Vec<(u64, StreamEvent)> {
        ev.iter()
            .filter(|(_, e)| matches!(e, StreamEvent::Marker | StreamEvent::Saturation { .. }))
            .cloned()
            .collect()
    };
    assert_eq!(kinds(&events), kinds(&expected_events));

    // The recording holds the glove's frames exactly, and replays to the same rows.
    let mut reader = RecordingReader::open(&file).expect("the recording");
    assert_eq!(reader.header().trainee.as_deref(), Some("loopback"));
    let data = reader.read_all_data().expect("the recording's data");
    assert_eq!(sample_frames(&data), expected_frames);
    let mut replay = RecordingSource::open(&file, None).expect("the recording");
    let (replayed, _) = drain(&mut replay);
    assert!(same_bits(&replayed, &rows));
    assert_eq!(replay.stats().torn_tail_bytes, 0);
}

/// Frame boundaries of `wire`: (start, end) byte ranges, the delimiter included.
fn frame_spans(wire: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, &b) in wire.iter().enumerate() {
        if b == 0 {
            if i > start {
                spans.push((start, i + 1));
            }
            start = i + 1;
        }
    }
    spans
}

#[test]
fn flipped_bits_and_dropped_bytes_cost_only_the_frames_they_hit() {
    let config = GloveConfig {
        seed: 9,
        duration_s: 30.0,
        ..GloveConfig::default()
    };
    let (wire, fw) = session_bytes(config);
    let spans = frame_spans(&wire);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(77);
    // One flipped bit per 1000 bytes and one dropped byte per 5000, never touching a delimiter
    // and never making one (so each damage stays inside its frame), and bursts of garbage
    // between frames.
    let mut damaged = vec![false; spans.len()];
    let mut out = Vec::with_capacity(wire.len());
    let mut frame = 0;
    let (mut flips, mut drops, mut bursts) = (0, 0, 0u64);
    for (i, &b) in wire.iter().enumerate() {
        while frame < spans.len() && i >= spans[frame].1 {
            frame += 1;
        }
        if b != 0 && rng.gen_bool(1.0 / 5000.0) {
            drops += 1;
            damaged[frame] = true;
            continue;
        }
        if b != 0 && rng.gen_bool(1.0 / 1000.0) {
            let flipped = b ^ (1 << rng.gen_range(0..8));
            if flipped != 0 {
                flips += 1;
                damaged[frame] = true;
                out.push(flipped);
                continue;
            }
        }
        out.push(b);
        // Line noise between frames: a burst of garbage, ended by a delimiter.
        if b == 0 && rng.gen_bool(0.01) {
            let len = rng.gen_range(1..40);
            out.extend((0..len).map(|_| rng.gen_range(1..=255u8)));
            out.push(0);
            bursts += 1;
        }
    }
    let n_damaged = damaged.iter().filter(|d| **d).count() as u64;
    assert!(flips > 50 && drops > 5, "{flips} flips, {drops} drops");

    // Which frames were sample blocks, and how many rows each carried.
    let mut kinds = Vec::new();
    FrameAssembler::new().push(&wire, |item| match item {
        FrameItem::Rows(r) => kinds.push(Some(r.rows() as u64)),
        FrameItem::Info(_) | FrameItem::Reply { .. } | FrameItem::Status { .. } => kinds.push(None),
        FrameItem::Gap { .. } => {}
    });
    assert_eq!(kinds.len(), spans.len());
    let damaged_rows: u64 = kinds
        .iter()
        .zip(&damaged)
        .filter(|(_, d)| **d)
        .filter_map(|(k, _)| *k)
        .sum();
    // The last block cannot be known lost if it is damaged; keep it clean for exact counts.
    if damaged.last() == Some(&true) {
        return;
    }

    let device = VirtualGlove::new(config).device_info();
    let mut stream = CalibratedStream::new(device, None);
    let mut block = Block::default();
    for chunk in out.chunks(997) {
        stream.push_bytes(chunk, &mut block).expect("decoding");
    }
    let s = stream.stats();
    // Every damaged frame is counted as exactly one bad frame; every clean frame decodes.
    assert!(bursts > 20, "{bursts} bursts");
    assert_eq!(s.crc_errors + s.malformed, n_damaged + bursts);
    assert_eq!(s.frames_ok, spans.len() as u64 - n_damaged);
    // The rows of damaged sample blocks (and the simulated dropouts) are lost, and no others.
    let rows_per_block = u64::from(device.rows_per_block);
    let dropout_rows = fw.stats().blocks_dropped * rows_per_block;
    assert_eq!(s.rows_lost, damaged_rows + dropout_rows);
    assert_eq!(s.rows + s.rows_lost, fw.stats().rows_sent + dropout_rows);
    // Time does not jump: the stream has every row, the lost ones as NaN.
    let channels = usize::from(device.channel_count);
    assert_eq!(block.rows(channels) as u64, s.rows + s.rows_lost);
    let nan_rows = block
        .values
        .chunks(channels)
        .filter(|r| r.iter().all(|v| v.is_nan()))
        .count() as u64;
    assert_eq!(nan_rows, s.rows_lost);
}
