//! The hex test vectors of `PROTOCOL.md`, checked byte for byte. The vectors are parsed out of
//! the document itself, so the spec cannot drift from the code.
//!
//! Each vector is a fenced block whose info string is `hex vector=NAME part=PART`, with `PART`
//! one of `raw`/`cobs` (COBS vectors) or `body`/`wire` (frames: decoded bytes and bytes on the
//! wire). `cargo test -p mldsense-protocol --test vectors -- --ignored --nocapture` prints the
//! frame vectors in that form.

use mldsense_protocol::*;
use std::collections::BTreeMap;

const SPEC: &str = include_str!("../PROTOCOL.md");

/// `(name, part) → bytes`, in document order of names.
fn spec_vectors() -> BTreeMap<(String, String), Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut lines = SPEC.lines().enumerate();
    while let Some((lineno, line)) = lines.next() {
        let Some(info) = line.trim().strip_prefix("```hex ") else {
            continue;
        };
        let mut name = None;
        let mut part = None;
        for attr in info.split_whitespace() {
            match attr.split_once('=') {
                Some(("vector", v)) => name = Some(v.to_string()),
                Some(("part", v)) => part = Some(v.to_string()),
                _ => panic!("PROTOCOL.md:{}: bad attribute `{attr}`", lineno + 1),
            }
        }
        let (Some(name), Some(part)) = (name, part) else {
            panic!(
                "PROTOCOL.md:{}: hex block without vector= and part=",
                lineno + 1
            );
        };
        let mut bytes = Vec::new();
        for (n, l) in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            for tok in l.split_whitespace() {
                let b = u8::from_str_radix(tok, 16)
                    .unwrap_or_else(|_| panic!("PROTOCOL.md:{}: bad hex `{tok}`", n + 1));
                bytes.push(b);
            }
        }
        assert!(
            out.insert((name.clone(), part.clone()), bytes).is_none(),
            "PROTOCOL.md: vector {name} part {part} appears twice"
        );
    }
    out
}

fn info_two_channels() -> DeviceInfo {
    let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
    channels[0] = ChannelDesc::new("thumb", 1267);
    channels[1] = ChannelDesc::new("index", 1267);
    DeviceInfo {
        firmware: [1, 2, 3],
        serial: 0x0000_1092,
        sensor_kind: SensorKind::FSR_402,
        adc_bits: 12,
        rate_hz: 500,
        rows_per_block: 4,
        channel_count: 2,
        channels,
    }
}

/// The frame vectors: name and frame.
fn frame_vectors() -> Vec<(&'static str, Frame)> {
    let f = |seq, timestamp_us, message| Frame {
        seq,
        timestamp_us,
        message,
    };
    vec![
        (
            "device_info",
            f(0, 1_000, Message::DeviceInfo(info_two_channels())),
        ),
        (
            "sample_block",
            f(
                7,
                0x0001_E240,
                Message::SampleBlock(SampleBlock::new(3, &[0, 100, 4095, 1, 256, 2048]).unwrap()),
            ),
        ),
        (
            "status",
            f(
                1,
                0x0403_0201,
                Message::Status(Status {
                    flags: Status::MARKER,
                    saturated: 0,
                    battery_mv: 3700,
                }),
            ),
        ),
        (
            "status_saturated",
            f(
                2,
                0xFFFF_FFF0,
                Message::Status(Status {
                    flags: Status::LOW_BATTERY,
                    saturated: 0b0000_0000_0001_0010,
                    battery_mv: 3350,
                }),
            ),
        ),
        ("command_start", f(10, 0, Message::Command(Command::Start))),
        ("command_stop", f(11, 0, Message::Command(Command::Stop))),
        (
            "command_set_rate",
            f(12, 0, Message::Command(Command::SetRate { rate_hz: 500 })),
        ),
        (
            "command_identify",
            f(13, 0, Message::Command(Command::Identify)),
        ),
        ("command_tare", f(14, 0, Message::Command(Command::Tare))),
        (
            "command_get_info",
            f(15, 0, Message::Command(Command::GetInfo)),
        ),
        (
            "reply_ack",
            f(
                3,
                5_000,
                Message::Reply(Reply {
                    command_seq: 12,
                    command_code: 3,
                    result: ReplyResult::Ack,
                }),
            ),
        ),
        (
            "reply_nak_busy",
            f(
                4,
                5_100,
                Message::Reply(Reply {
                    command_seq: 12,
                    command_code: 3,
                    result: ReplyResult::Nak(NakReason::Busy),
                }),
            ),
        ),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .map(|c| {
            c.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn encoded(frame: &Frame) -> (Vec<u8>, Vec<u8>) {
    let mut body = [0u8; MAX_BODY_LEN];
    let mut wire = [0u8; MAX_FRAME_LEN];
    let b = encode_body(frame, &mut body).unwrap();
    let w = encode(frame, &mut wire).unwrap();
    (body[..b].to_vec(), wire[..w].to_vec())
}

#[test]
fn every_frame_vector_matches_the_spec_byte_for_byte() {
    let spec = spec_vectors();
    for (name, frame) in frame_vectors() {
        let (body, wire) = encoded(&frame);
        for (part, bytes) in [("body", &body), ("wire", &wire)] {
            let doc = spec
                .get(&(name.to_string(), part.to_string()))
                .unwrap_or_else(|| {
                    // The block to paste into PROTOCOL.md §7.
                    panic!(
                        "PROTOCOL.md lacks vector {name} part {part}:\n\
                         ```hex vector={name} part={part}\n{}\n```",
                        hex(bytes)
                    )
                });
            assert_eq!(doc, bytes, "vector {name} part {part}:\n{}", hex(bytes));
        }
        // And the spec's wire bytes decode to the frame.
        let doc_wire = &spec[&(name.to_string(), "wire".to_string())];
        assert_eq!(decode(doc_wire).unwrap(), frame, "vector {name}");
        let doc_body = &spec[&(name.to_string(), "body".to_string())];
        assert_eq!(decode_body(doc_body).unwrap(), frame, "vector {name}");
    }
}

#[test]
fn every_message_type_has_a_vector() {
    let types: Vec<u8> = frame_vectors()
        .iter()
        .map(|(_, f)| f.message.message_type())
        .collect();
    for t in [
        message::types::DEVICE_INFO,
        message::types::SAMPLE_BLOCK,
        message::types::STATUS,
        message::types::COMMAND,
        message::types::REPLY,
    ] {
        assert!(types.contains(&t), "no vector for type {t:#04x}");
    }
}

#[test]
fn cobs_vectors_of_the_spec_hold_both_ways() {
    let spec = spec_vectors();
    let names: Vec<&String> = spec
        .keys()
        .filter(|(_, p)| p == "raw")
        .map(|(n, _)| n)
        .collect();
    assert!(
        names.len() >= 6,
        "PROTOCOL.md should carry the COBS vectors"
    );
    for name in names {
        let raw = &spec[&(name.clone(), "raw".to_string())];
        let cobs_bytes = &spec[&(name.clone(), "cobs".to_string())];
        // The spec shows the delimiter; the encoder leaves it to the framer.
        let (delim, body) = cobs_bytes.split_last().unwrap();
        assert_eq!(*delim, 0, "{name}");
        let mut out = vec![0u8; cobs::max_encoded_len(raw.len())];
        let n = cobs::encode(raw, &mut out).unwrap();
        assert_eq!(&out[..n], body, "encode {name}");
        let mut back = vec![0u8; body.len()];
        let m = cobs::decode(body, &mut back).unwrap();
        assert_eq!(&back[..m], &raw[..], "decode {name}");
    }
}

/// How a receiver counts a dropped frame (PROTOCOL.md §4).
#[derive(Debug, PartialEq, Eq)]
enum Category {
    Crc,
    Malformed,
    UnsupportedVersion,
}

/// The rejection vectors of PROTOCOL.md §7.2: name, the error, the category it is counted in.
fn reject_vectors() -> Vec<(&'static str, Error, Category)> {
    vec![
        (
            "reject_type_to_known",
            Error::CrcMismatch {
                received: 0x0fd4,
                computed: 0,
            },
            Category::Crc,
        ),
        (
            "reject_type_unknown",
            Error::UnknownMessageType { message_type: 0x05 },
            Category::Malformed,
        ),
        (
            "reject_version_2",
            Error::UnsupportedVersion { version: 2 },
            Category::UnsupportedVersion,
        ),
        (
            "reject_version_2_unknown_type",
            Error::UnsupportedVersion { version: 2 },
            Category::UnsupportedVersion,
        ),
        (
            "reject_version_2_damaged",
            Error::CrcMismatch {
                received: 0xc171,
                computed: 0,
            },
            Category::Crc,
        ),
        (
            "reject_name_split_utf8",
            Error::InvalidField {
                field: "device_info.channel.name",
                value: 0x74,
            },
            Category::Malformed,
        ),
        (
            "reject_cobs_truncated",
            Error::CobsTruncated { offset: 0 },
            Category::Malformed,
        ),
    ]
}

/// Errors are compared by kind (and the fields a vector fixes); a CRC's computed value is not.
fn same_error(a: &Error, b: &Error) -> bool {
    match (a, b) {
        (Error::CrcMismatch { received: x, .. }, Error::CrcMismatch { received: y, .. }) => x == y,
        _ => a == b,
    }
}

#[test]
fn every_rejection_vector_is_dropped_and_counted_in_its_category() {
    let spec = spec_vectors();
    for (name, want, category) in reject_vectors() {
        let wire = spec
            .get(&(name.to_string(), "wire".to_string()))
            .unwrap_or_else(|| panic!("PROTOCOL.md lacks vector {name} part wire"));
        let got = decode(wire).expect_err(name);
        assert!(
            same_error(&got, &want),
            "vector {name}: {got:?}, want {want:?}"
        );
        if let Some(body) = spec.get(&(name.to_string(), "body".to_string())) {
            let got = decode_body(body).expect_err(name);
            assert!(same_error(&got, &want), "vector {name} body: {got:?}");
            let mut cobs_bytes = vec![0u8; cobs::max_encoded_len(body.len())];
            let n = cobs::encode(body, &mut cobs_bytes).unwrap();
            assert_eq!(
                &cobs_bytes[..n],
                &wire[..wire.len() - 1],
                "vector {name}: wire"
            );
        }
        // The incremental decoder counts it where the spec says, and only there.
        let mut d = Decoder::new();
        d.push(wire, |_| {});
        let s = d.stats();
        let counted = match category {
            Category::Crc => s.crc_errors,
            Category::Malformed => s.malformed,
            Category::UnsupportedVersion => s.unsupported_version,
        };
        assert_eq!(counted, 1, "vector {name}: {s:?}");
        assert_eq!(
            s.crc_errors + s.malformed + s.unsupported_version,
            1,
            "vector {name}: counted once: {s:?}"
        );
        assert_eq!(s.frames_ok, 0, "vector {name}");
        assert_eq!(s.bytes_skipped, wire.len() as u64, "vector {name}");
    }
}

#[test]
fn every_spec_vector_is_checked() {
    let mut known: Vec<String> = frame_vectors().iter().map(|(n, _)| n.to_string()).collect();
    known.extend(reject_vectors().iter().map(|(n, _, _)| n.to_string()));
    for (name, part) in spec_vectors().keys() {
        match part.as_str() {
            "raw" | "cobs" => {}
            "body" | "wire" => assert!(known.contains(name), "unchecked vector {name}"),
            other => panic!("vector {name}: unknown part {other}"),
        }
    }
}
