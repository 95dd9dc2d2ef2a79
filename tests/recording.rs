//! Recordings: written then read back frame-identical; truncated anywhere in the last frames
//! they read back to the last complete frame and report the torn tail; a damaged header is an
//! error naming its byte offset.

use mldsense::frames::FrameItem;
use mldsense::recording::{
    open_recording, scan_recording, RecordingHeader, RecordingReader, RecordingWriter, PREAMBLE_LEN,
};
use mldsense::stream::{Block, PressureSource};
use mldsense_protocol::*;
use std::path::Path;

fn info() -> DeviceInfo {
    let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
    for (i, n) in ["thumb", "index", "middle", "ring", "little"]
        .iter()
        .enumerate()
    {
        channels[i] = ChannelDesc::new(n, 1267);
    }
    DeviceInfo {
        firmware: [1, 0, 2],
        serial: 4242,
        sensor_kind: SensorKind::FSR_402,
        adc_bits: 12,
        rate_hz: 500,
        rows_per_block: 4,
        channel_count: 5,
        channels,
    }
}

fn frames(n: u32) -> Vec<Frame> {
    let mut out = vec![Frame {
        seq: 0,
        timestamp_us: 0,
        message: Message::DeviceInfo(info()),
    }];
    for k in 0..n {
        let counts: Vec<u16> = (0..20).map(|i| ((k * 20 + i) % 4096) as u16).collect();
        out.push(Frame {
            seq: (k % 256) as u8,
            timestamp_us: k * 8000,
            message: Message::SampleBlock(SampleBlock::new(5, &counts).unwrap()),
        });
        if k % 10 == 3 {
            out.push(Frame {
                seq: (k / 10 + 1) as u8,
                timestamp_us: k * 8000 + 100,
                message: Message::Status(Status {
                    flags: Status::MARKER,
                    saturated: 0,
                    battery_mv: 0,
                }),
            });
        }
    }
    out
}

fn wire(frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = encode(f, &mut buf).unwrap();
        out.extend_from_slice(&buf[..n]);
    }
    out
}

fn header() -> RecordingHeader {
    let mut h = RecordingHeader::new(&info());
    h.started = "2026-11-30T09:15:00Z".into();
    h.trainee = Some("Ada".into());
    h.note = Some("left arm".into());
    h.source = Some("/dev/ttyACM0".into());
    h
}

/// Writes `bytes` in uneven chunks, as a serial port delivers them.
fn write(path: &Path, bytes: &[u8]) {
    let mut w = RecordingWriter::create(path, &header()).unwrap();
    for c in bytes.chunks(37) {
        w.write_bytes(c).unwrap();
    }
    w.finish().unwrap();
}

/// The frames a recording holds, decoded by the protocol crate directly.
fn decoded(path: &Path) -> Vec<Frame> {
    let mut r = RecordingReader::open(path).unwrap();
    let data = r.read_all_data().unwrap();
    let mut d = Decoder::new();
    let mut out = Vec::new();
    d.push(&data, |r| out.extend(r.ok()));
    out
}

#[test]
fn write_then_read_back_is_byte_and_frame_identical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.mld");
    let fs = frames(100);
    let bytes = wire(&fs);
    write(&path, &bytes);
    let mut r = RecordingReader::open(&path).unwrap();
    assert_eq!(r.header(), &header());
    assert_eq!(r.device(), &info());
    assert_eq!(r.read_all_data().unwrap(), bytes);
    assert_eq!(decoded(&path), fs);

    let (h, stats) = scan_recording(&path, |_| {}).unwrap();
    assert_eq!(h.trainee.as_deref(), Some("Ada"));
    assert_eq!(stats.frames.frames_ok, fs.len() as u64);
    assert_eq!(stats.frames.rows, 400);
    assert_eq!(stats.frames.crc_errors + stats.frames.malformed, 0);
    assert_eq!(stats.torn_tail_bytes, 0);
    assert!(stats.torn_tail_offset.is_none());
}

#[test]
fn recording_source_gives_the_calibrated_rows_and_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.mld");
    write(&path, &wire(&frames(50)));
    let mut src = open_recording(&path).unwrap();
    assert_eq!(src.info().rate_hz, 500.0);
    assert_eq!(src.info().channel_count(), 5);
    assert_eq!(src.info().channels[4].name, "little");
    assert_eq!(src.meta().trainee.as_deref(), Some("Ada"));
    let mut block = Block::default();
    let mut rows = Vec::new();
    let mut markers = 0;
    while src.next_block(&mut block).unwrap() {
        assert_eq!(
            block.start_row as usize,
            rows.len() / 5,
            "blocks are contiguous"
        );
        rows.extend_from_slice(&block.values);
        markers += block.events.len();
    }
    assert_eq!(rows.len(), 200 * 5);
    assert_eq!(markers, 5);
    // Counts rise by one per value; the default curve is linear from 0, so value i is i × step.
    let step = rows[1];
    assert!(
        step > 0.14 && step < 0.15,
        "≈0.145 mmHg per count, got {step}"
    );
    for (i, v) in rows.iter().enumerate() {
        assert!((v - step * (i % 4096) as f64).abs() < 1e-9);
    }
    assert!(src.warnings().iter().any(|w| w.contains("default")));
}

#[test]
fn truncated_anywhere_in_the_last_frames_reads_up_to_the_last_complete_frame() {
    let dir = tempfile::tempdir().unwrap();
    let fs = frames(20);
    let bytes = wire(&fs);
    // Where each frame ends (exclusive) in the data.
    let mut ends = Vec::new();
    let mut at = 0;
    for f in &fs {
        at += wire(std::slice::from_ref(f)).len();
        ends.push(at);
    }
    let full = dir.path().join("full.mld");
    write(&full, &bytes);
    let full_bytes = std::fs::read(&full).unwrap();
    let data_start = full_bytes.len() - bytes.len();
    let last_three = ends[ends.len() - 4];
    for cut in last_three..=bytes.len() {
        let path = dir.path().join("cut.mld");
        std::fs::write(&path, &full_bytes[..data_start + cut]).unwrap();
        let complete = ends.iter().filter(|&&e| e <= cut).count();
        let got = decoded(&path);
        assert_eq!(got, fs[..complete], "cut at data byte {cut}");
        let (_, stats) = scan_recording(&path, |_| {}).unwrap();
        assert_eq!(stats.frames.frames_ok, complete as u64, "cut {cut}");
        assert_eq!(
            stats.frames.crc_errors + stats.frames.malformed,
            0,
            "cut {cut}"
        );
        let torn = cut - ends[complete - 1];
        assert_eq!(stats.torn_tail_bytes, torn as u64, "cut {cut}");
        if torn > 0 {
            assert_eq!(
                stats.torn_tail_offset,
                Some((data_start + ends[complete - 1]) as u64)
            );
            assert!(stats
                .torn_tail_warning(&path)
                .unwrap()
                .contains("unfinished frame"));
        } else {
            assert!(stats.torn_tail_offset.is_none());
        }
        // The pressure source reads it without an error too.
        let mut src = open_recording(&path).unwrap();
        let mut block = Block::default();
        while src.next_block(&mut block).unwrap() {}
        assert_eq!(src.stats().torn_tail_bytes, torn as u64);
    }
}

#[test]
fn a_header_cut_anywhere_is_an_error_naming_an_offset() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.mld");
    write(&full, &wire(&frames(2)));
    let bytes = std::fs::read(&full).unwrap();
    let json_len = u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
    for cut in 0..PREAMBLE_LEN as usize + json_len {
        let path = dir.path().join("cut.mld");
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let e = RecordingReader::open(&path).unwrap_err().to_string();
        assert!(e.contains("at byte "), "cut {cut}: {e}");
    }
}

#[test]
fn corrupted_headers_name_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.mld");
    write(&full, &wire(&frames(2)));
    let good = std::fs::read(&full).unwrap();
    let path = dir.path().join("bad.mld");
    let check = |bytes: &[u8], want: &str| {
        std::fs::write(&path, bytes).unwrap();
        let e = RecordingReader::open(&path).unwrap_err().to_string();
        assert!(e.contains(want), "wanted `{want}` in `{e}`");
    };
    let mut b = good.clone();
    b[2] = b'X';
    check(&b, "at byte 2: not an mldsense recording");
    let mut b = good.clone();
    b[8] = 9;
    check(&b, "at byte 8: recording format version 9");
    let mut b = good.clone();
    b[13] = 0x7F;
    check(&b, "at byte 10: header length");
    // Damage inside the JSON: offset 14 + position of the damage.
    let mut b = good.clone();
    let pos = 14 + 20;
    b[pos] = b'}';
    std::fs::write(&path, &b).unwrap();
    let e = RecordingReader::open(&path).unwrap_err().to_string();
    let at: u64 = e
        .split("at byte ")
        .nth(1)
        .and_then(|s| s.split(':').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no offset in `{e}`"));
    // The JSON parser notices the damage at or a few bytes after it.
    assert!((pos as u64..=pos as u64 + 16).contains(&at), "{e}");
    check(b"hello", "not an mldsense recording");
}

#[test]
fn lost_frames_in_a_recording_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.mld");
    let mut fs = frames(30);
    // Drop sample blocks 10 and 11 (seq 10, 11).
    fs.retain(|f| !matches!(f.message, Message::SampleBlock(_) if f.seq == 10 || f.seq == 11));
    let mut bytes = wire(&fs);
    // And damage one byte of a later frame (a data byte, not a delimiter).
    let at = bytes.len() - 30;
    if bytes[at] != 0 && bytes[at] != 0xFF {
        bytes[at] ^= 0x01;
    }
    write(&path, &bytes);
    let mut gaps = 0;
    let (_, stats) = scan_recording(&path, |i| {
        if matches!(i, FrameItem::Gap { .. }) {
            gaps += 1;
        }
    })
    .unwrap();
    assert!(gaps >= 1);
    assert!(stats.frames.rows_lost >= 8);
    assert!(stats.frames.crc_errors + stats.frames.malformed >= 1);
}

#[test]
fn info_command_summarises_and_rejects_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.mld");
    let mut bytes = wire(&frames(40));
    bytes.extend_from_slice(&[0x05, 0x01, 0x02]); // a torn tail
    write(&path, &bytes);
    let bin = env!("CARGO_BIN_EXE_mldsense");
    let out = std::process::Command::new(bin)
        .args(["info", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total_rows"], 160);
    assert_eq!(v["duration_s"], 0.32);
    assert_eq!(v["stats"]["frames"]["crc_errors"], 0);
    assert_eq!(v["stats"]["torn_tail_bytes"], 3);
    assert_eq!(v["header"]["trainee"], "Ada");
    assert_eq!(v["header"]["device"]["channels"][1]["name"], "index");
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning:"));

    let out = std::process::Command::new(bin)
        .arg("info")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "duration        0.320 s",
        "fsr402",
        "126.7 mm²",
        "torn tail       3 bytes",
    ] {
        assert!(text.contains(want), "`{want}` not in:\n{text}");
    }

    let bad = dir.path().join("bad.mld");
    let mut b = std::fs::read(&path).unwrap();
    b[8] = 7;
    std::fs::write(&bad, &b).unwrap();
    let out = std::process::Command::new(bin)
        .arg("info")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at byte 8"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Host notes (a tare, a keyboard marker) written mid-stream land between complete frames, are
/// read back as events at their rows, and leave the glove's bytes and counts untouched.
#[test]
fn host_notes_sit_between_frames_and_read_back_as_events() {
    use mldsense::recording::HostNote;
    use mldsense::stream::StreamEvent;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.mld");
    let fs = frames(60);
    let bytes = wire(&fs);
    let mut w = RecordingWriter::create(&path, &header()).unwrap();
    // Chunks cut mid-frame; a note after each of a few of them.
    for (i, c) in bytes.chunks(37).enumerate() {
        w.write_bytes(c).unwrap();
        if i == 5 {
            w.write_note(&HostNote::Tare { row: 40 }).unwrap();
        }
        if i == 9 {
            w.write_note(&HostNote::Marker { row: 77 }).unwrap();
        }
    }
    w.finish().unwrap();
    // The glove's frames decode as written (the protocol decoder drops the two notes).
    let mut r = RecordingReader::open(&path).unwrap();
    let data = r.read_all_data().unwrap();
    assert_eq!(
        data.len(),
        bytes.len()
            + HostNote::Tare { row: 40 }.to_bytes().len()
            + HostNote::Marker { row: 77 }.to_bytes().len()
    );
    assert_eq!(decoded(&path), fs);
    let (_, stats) = scan_recording(&path, |_| {}).unwrap();
    assert_eq!((stats.tares, stats.keyboard_markers), (1, 1));
    assert_eq!(stats.frames.crc_errors + stats.frames.malformed, 0);
    assert_eq!(stats.frames.frames_ok, fs.len() as u64);
    let mut src = open_recording(&path).unwrap();
    let mut block = Block::default();
    let mut events = Vec::new();
    while src.next_block(&mut block).unwrap() {
        events.extend(block.events.iter().cloned());
    }
    assert!(events.contains(&(40, StreamEvent::Tare)), "{events:?}");
    assert!(events.contains(&(77, StreamEvent::Marker)), "{events:?}");
    assert_eq!(src.stats().frames.malformed, 0);
}
