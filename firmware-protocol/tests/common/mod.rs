//! proptest strategies for frames, shared by the protocol's tests.
#![allow(dead_code)]

use mldsense_protocol::*;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9 _-]{0,12}"
}

pub fn device_info() -> impl Strategy<Value = DeviceInfo> {
    (
        any::<[u8; 3]>(),
        any::<u32>(),
        any::<u8>(),
        1u8..=16,
        any::<u16>(),
        1u8..=MAX_ROWS_PER_BLOCK as u8,
        proptest::collection::vec((name(), any::<u16>()), 1..=MAX_CHANNELS),
    )
        .prop_map(|(firmware, serial, kind, adc_bits, rate_hz, rows, chans)| {
            let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
            for (slot, (n, a)) in channels.iter_mut().zip(&chans) {
                *slot = ChannelDesc::new(n, *a);
            }
            DeviceInfo {
                firmware,
                serial,
                sensor_kind: SensorKind(kind),
                adc_bits,
                rate_hz,
                rows_per_block: rows,
                channel_count: chans.len() as u8,
                channels,
            }
        })
}

pub fn sample_block() -> impl Strategy<Value = SampleBlock> {
    (1usize..=MAX_CHANNELS, 1usize..=MAX_ROWS_PER_BLOCK).prop_flat_map(|(c, r)| {
        proptest::collection::vec(any::<u16>(), c * r)
            .prop_map(move |counts| SampleBlock::new(c, &counts).unwrap())
    })
}

pub fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Start),
        Just(Command::Stop),
        any::<u16>().prop_map(|rate_hz| Command::SetRate { rate_hz }),
        Just(Command::Identify),
        Just(Command::Tare),
        Just(Command::GetInfo),
    ]
}

pub fn reply() -> impl Strategy<Value = Reply> {
    (
        any::<u8>(),
        any::<u8>(),
        prop_oneof![
            Just(ReplyResult::Ack),
            Just(ReplyResult::Nak(NakReason::UnknownCommand)),
            Just(ReplyResult::Nak(NakReason::BadArgument)),
            Just(ReplyResult::Nak(NakReason::Busy)),
            Just(ReplyResult::Nak(NakReason::Unsupported)),
        ],
    )
        .prop_map(|(command_seq, command_code, result)| Reply {
            command_seq,
            command_code,
            result,
        })
}

pub fn status() -> impl Strategy<Value = Status> {
    (0u8..=Status::KNOWN_FLAGS, any::<u16>(), any::<u16>()).prop_map(
        |(flags, saturated, battery_mv)| Status {
            flags,
            saturated,
            battery_mv,
        },
    )
}

pub fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        device_info().prop_map(Message::DeviceInfo),
        sample_block().prop_map(Message::SampleBlock),
        status().prop_map(Message::Status),
        command().prop_map(Message::Command),
        reply().prop_map(Message::Reply),
    ]
}

pub fn frame() -> impl Strategy<Value = Frame> {
    (any::<u8>(), any::<u32>(), message()).prop_map(|(seq, timestamp_us, message)| Frame {
        seq,
        timestamp_us,
        message,
    })
}

/// Encodes a frame to a vector (delimiter included).
pub fn wire(frame: &Frame) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let n = encode(frame, &mut buf).expect("valid frames encode");
    buf[..n].to_vec()
}

/// Decodes everything in `bytes` fed in `chunks` (lengths cycled), collecting results.
pub fn decode_chunked(bytes: &[u8], chunks: &[usize]) -> (Vec<Result<Frame, Error>>, DecodeStats) {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut sizes = chunks.iter().cycle();
    while !rest.is_empty() {
        let n = sizes
            .next()
            .copied()
            .unwrap_or(rest.len())
            .clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        d.push(chunk, |r| out.push(r));
        rest = tail;
    }
    (out, d.stats())
}
