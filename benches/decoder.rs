//! Decoder throughput in bytes per second on a realistic glove stream: 5 channels at 500 Hz,
//! 4 rows per block (125 frames a second), 60 s, with a status frame every second.
//!
//! Three stages: the protocol crate's incremental decoder alone; the host's frame assembler
//! (sequence and time tracking); and the calibrated stream (counts → mmHg rows in a `Block`).
//! Bytes arrive in 64-byte chunks, like a USB CDC-ACM port delivers them.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mldsense::frames::{CalibratedStream, FrameAssembler};
use mldsense::stream::Block;
use mldsense_protocol::*;
use std::hint::black_box;

const CH: usize = 5;
const ROWS: usize = 4;
const RATE: u16 = 500;
const SECONDS: usize = 60;
const CHUNK: usize = 64;

fn info() -> DeviceInfo {
    let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
    for (i, n) in ["thumb", "index", "middle", "ring", "little"]
        .iter()
        .enumerate()
    {
        channels[i] = ChannelDesc::new(n, 1267);
    }
    DeviceInfo {
        firmware: [1, 0, 0],
        serial: 1,
        sensor_kind: SensorKind::FSR_402,
        adc_bits: 12,
        rate_hz: RATE,
        rows_per_block: ROWS as u8,
        channel_count: CH as u8,
        channels,
    }
}

/// 60 s of MLD-like counts: a 1 Hz stroke envelope per finger, with a little deterministic noise.
fn stream() -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; MAX_FRAME_LEN];
    let blocks = SECONDS * usize::from(RATE) / ROWS;
    let mut noise = 0x1234_5678u32;
    for k in 0..blocks {
        let mut counts = [0u16; ROWS * CH];
        for (i, c) in counts.iter_mut().enumerate() {
            let row = k * ROWS + i / CH;
            let phase = (row % usize::from(RATE)) as f64 / f64::from(RATE);
            let envelope = (std::f64::consts::PI * phase).sin().max(0.0);
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            *c = (envelope * 240.0 * (1.0 + 0.1 * (i % CH) as f64)) as u16 + (noise % 4) as u16;
        }
        let frame = Frame {
            seq: (k % 256) as u8,
            timestamp_us: (k * ROWS * 2000) as u32,
            message: Message::SampleBlock(SampleBlock::new(CH, &counts).expect("valid block")),
        };
        let n = encode(&frame, &mut buf).expect("encodes");
        out.extend_from_slice(&buf[..n]);
        if k % 125 == 0 {
            let status = Frame {
                seq: (k / 125 % 256) as u8,
                timestamp_us: (k * ROWS * 2000) as u32,
                message: Message::Status(Status {
                    flags: 0,
                    saturated: 0,
                    battery_mv: 3900,
                }),
            };
            let n = encode(&status, &mut buf).expect("encodes");
            out.extend_from_slice(&buf[..n]);
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let bytes = stream();
    let mut g = c.benchmark_group("decoder");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(20);
    g.bench_function("protocol_decoder", |b| {
        b.iter(|| {
            let mut d = Decoder::new();
            let mut frames = 0u32;
            for chunk in bytes.chunks(CHUNK) {
                d.push(chunk, |r| frames += u32::from(r.is_ok()));
            }
            black_box(frames)
        });
    });
    g.bench_function("frame_assembler", |b| {
        b.iter(|| {
            let mut a = FrameAssembler::with_info(info());
            let mut items = 0u32;
            for chunk in bytes.chunks(CHUNK) {
                a.push(chunk, |_| items += 1);
            }
            black_box(items)
        });
    });
    g.bench_function("calibrated_stream", |b| {
        b.iter(|| {
            let mut s = CalibratedStream::new(info(), None);
            let mut block = Block::default();
            let mut rows = 0usize;
            for chunk in bytes.chunks(CHUNK) {
                block.clear();
                s.push_bytes(chunk, &mut block).expect("no error");
                rows += block.values.len() / CH;
            }
            black_box(rows)
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
