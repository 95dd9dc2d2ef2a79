//! The stream vectors of `PROTOCOL.md` §7.3, parsed out of the document and fed to the host's
//! decoder: lost-block arithmetic, the 256-block loss, clock wrap, restarts, odd blocks and
//! `Status` as a state report. The spec and the host cannot drift apart.

use mldsense::frames::{CalibratedStream, FrameAssembler, FrameItem};
use mldsense::stream::{Block, StreamEvent};
use mldsense_protocol::{
    encode, ChannelDesc, DeviceInfo, Frame, Message, SampleBlock, SensorKind, Status, MAX_CHANNELS,
    MAX_FRAME_LEN,
};
use std::collections::BTreeMap;

const SPEC: &str = include_str!("../firmware-protocol/PROTOCOL.md");

/// One vector: its name, frame lines and expectations, with the line numbers for messages.
struct Vector {
    name: String,
    lines: Vec<(usize, String, BTreeMap<String, String>)>,
    expect: BTreeMap<String, String>,
}

fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    let mut lines = SPEC.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        let Some(info) = line.trim().strip_prefix("```stream ") else {
            continue;
        };
        let name = info
            .strip_prefix("vector=")
            .unwrap_or_else(|| panic!("stream block without vector=: {line}"))
            .to_string();
        let mut v = Vector {
            name,
            lines: Vec::new(),
            expect: BTreeMap::new(),
        };
        for (n, l) in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            let mut words = l.split_whitespace();
            let Some(kind) = words.next() else { continue };
            let attrs: BTreeMap<String, String> = words
                .map(|w| {
                    let (k, val) = w
                        .split_once('=')
                        .unwrap_or_else(|| panic!("PROTOCOL.md:{}: bad `{w}`", n + 1));
                    (k.to_string(), val.to_string())
                })
                .collect();
            if kind == "expect" {
                v.expect.extend(attrs);
            } else {
                v.lines.push((n + 1, kind.to_string(), attrs));
            }
        }
        out.push(v);
    }
    out
}

fn num(attrs: &BTreeMap<String, String>, key: &str, default: u64) -> u64 {
    match attrs.get(key) {
        None => default,
        Some(s) => match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).expect("hex"),
            None => s.parse().expect("number"),
        },
    }
}

fn device(attrs: &BTreeMap<String, String>) -> DeviceInfo {
    let channels = num(attrs, "channels", 1) as u8;
    let mut descs = [ChannelDesc::new("", 0); MAX_CHANNELS];
    for (i, d) in descs.iter_mut().take(usize::from(channels)).enumerate() {
        *d = ChannelDesc::new(&format!("ch{i}"), 1267);
    }
    DeviceInfo {
        firmware: [1, 1, 0],
        serial: 7,
        sensor_kind: SensorKind::FSR_402,
        adc_bits: num(attrs, "adc", 12) as u8,
        rate_hz: num(attrs, "rate", 500) as u16,
        rows_per_block: num(attrs, "rows", 4) as u8,
        channel_count: channels,
        channels: descs,
    }
}

/// The wire bytes of a vector, and the stream's first `DeviceInfo`.
fn wire(v: &Vector) -> (DeviceInfo, Vec<u8>) {
    let mut first = None;
    let mut current: Option<DeviceInfo> = None;
    let mut other_seq = 0u8;
    let mut bytes = vec![0u8];
    for (line, kind, attrs) in &v.lines {
        let t = num(attrs, "t", 0) as u32;
        let (seq, message) = match kind.as_str() {
            "info" => {
                let d = device(attrs);
                first.get_or_insert(d);
                current = Some(d);
                (other_seq, Message::DeviceInfo(d))
            }
            "block" => {
                let d = current.unwrap_or_else(|| panic!("{}: block before info", v.name));
                let channels = num(attrs, "channels", u64::from(d.channel_count)) as u8;
                let rows = num(attrs, "rows", u64::from(d.rows_per_block)) as usize;
                let count = num(attrs, "count", 100) as u16;
                let counts = vec![count; rows * usize::from(channels)];
                let block = SampleBlock::new(usize::from(channels), &counts)
                    .unwrap_or_else(|e| panic!("PROTOCOL.md:{line}: {e}"));
                (num(attrs, "seq", 0) as u8, Message::SampleBlock(block))
            }
            "status" => (
                other_seq,
                Message::Status(Status {
                    flags: num(attrs, "flags", 0) as u8,
                    saturated: num(attrs, "saturated", 0) as u16,
                    battery_mv: 3700,
                }),
            ),
            other => panic!("PROTOCOL.md:{line}: unknown frame `{other}`"),
        };
        if kind != "block" {
            other_seq = other_seq.wrapping_add(1);
        }
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = encode(
            &Frame {
                seq,
                timestamp_us: t,
                message,
            },
            &mut buf,
        )
        .unwrap_or_else(|e| panic!("PROTOCOL.md:{line}: {e}"));
        bytes.extend_from_slice(&buf[..n]);
    }
    (
        first.unwrap_or_else(|| panic!("{}: no info", v.name)),
        bytes,
    )
}

fn check(v: &Vector) {
    let (first, bytes) = wire(v);
    let mut stream = CalibratedStream::new(first, None);
    let mut block = Block::default();
    // Byte by byte as well as whole: chunking never matters.
    let mut result = Ok(());
    for chunk in bytes.chunks(7) {
        result = stream.push_bytes(chunk, &mut block);
        if result.is_err() {
            break;
        }
    }
    let s = stream.stats();
    let mut last_t = None;
    let mut assembler = FrameAssembler::with_info(first);
    assembler.push(&bytes, |item| {
        if let FrameItem::Rows(r) = item {
            last_t = Some(r.device_time_us);
        }
    });
    let saturation = block
        .events
        .iter()
        .filter(|(_, e)| matches!(e, StreamEvent::Saturation { .. }))
        .count() as u64;
    assert!(!v.expect.is_empty(), "{}: no expect line", v.name);
    for (key, want) in &v.expect {
        let got: String = match key.as_str() {
            "rows" => s.rows.to_string(),
            "rows_lost" => s.rows_lost.to_string(),
            "blocks_lost" => s.blocks_lost.to_string(),
            "gaps" => s.sequence_gaps.to_string(),
            "mismatched" => s.blocks_mismatched.to_string(),
            "out_of_range" => s.counts_out_of_range.to_string(),
            "saturation" => saturation.to_string(),
            "last_t" => last_t.map_or("-".into(), |t| t.to_string()),
            "error" => {
                let e = result
                    .as_ref()
                    .err()
                    .map(std::string::ToString::to_string)
                    .unwrap_or_default();
                assert!(
                    e.contains(want.as_str()),
                    "{}: error {e:?}, want {want}",
                    v.name
                );
                continue;
            }
            other => panic!("{}: unknown expectation `{other}`", v.name),
        };
        assert_eq!(&got, want, "vector {}: {key}", v.name);
    }
    if !v.expect.contains_key("error") {
        assert!(result.is_ok(), "{}: {result:?}", v.name);
        // Lost rows are NaN rows: time never jumps.
        let channels = usize::from(first.channel_count);
        assert_eq!(
            block.rows(channels) as u64,
            s.rows + s.rows_lost,
            "vector {}: rows handed on",
            v.name
        );
    }
}

#[test]
fn every_stream_vector_of_the_spec_holds() {
    let all = vectors();
    assert!(
        all.len() >= 10,
        "PROTOCOL.md §7.3 should carry the stream vectors"
    );
    for v in &all {
        check(v);
    }
}

#[test]
fn the_decided_points_each_have_a_stream_vector() {
    let names: Vec<String> = vectors().into_iter().map(|v| v.name).collect();
    for want in [
        "jump_of_3",
        "loss_of_256",
        "time_wrap",
        "short_final_then_loss",
        "start_again",
        "shape_mismatch",
        "over_range",
        "status_persisting",
        "rate_change",
    ] {
        assert!(names.iter().any(|n| n == want), "no stream vector {want}");
    }
}
