//! Throughput of the conditioning chain, the stroke detector and the whole pipeline, in input
//! samples (rows × channels) per second, on 60 s of 5-channel 500 Hz MLD-like pressure.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mldsense::detect::{DetectorConfig, Envelope, StrokeDetector, Timing};
use mldsense::filter::chain::{ChainConfig, Conditioner};
use mldsense::filter::quality::QualityMonitor;
use mldsense::pipeline::{Pipeline, PipelineConfig};
use mldsense::stream::{Block, ChannelInfo, StreamInfo};
use std::f64::consts::PI;
use std::hint::black_box;

const RATE: f64 = 500.0;
const NCH: usize = 5;

fn info() -> StreamInfo {
    StreamInfo {
        rate_hz: RATE,
        channels: (0..NCH)
            .map(|i| ChannelInfo {
                name: format!("f{i}"),
                area: None,
            })
            .collect(),
        start_time_s: 0.0,
    }
}

fn rows(secs: f64) -> Vec<f64> {
    let n = (secs * RATE) as usize;
    let mut v = Vec::with_capacity(n * NCH);
    for i in 0..n {
        let t = i as f64 / RATE;
        let phase = (t % 1.0) / 0.6;
        let s = if phase < 1.0 {
            35.0 * (0.5 - 0.5 * (2.0 * PI * phase).cos())
        } else {
            0.0
        };
        for c in 0..NCH {
            v.push(
                1.0 + s * (1.0 - 0.15 * c as f64)
                    + 0.5 * (2.0 * PI * 50.0 * t).sin()
                    + ((i * 7 + c) % 13) as f64 * 0.03,
            );
        }
    }
    v
}

fn bench(c: &mut Criterion) {
    let data = rows(60.0);
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(data.len() as u64));
    g.bench_function("filter (conditioning chain)", |b| {
        b.iter(|| {
            let mut cond = Conditioner::new(RATE, NCH, &ChainConfig::default()).unwrap();
            let mut acc = 0.0;
            for r in data.chunks_exact(NCH) {
                if cond.push(r) {
                    acc += cond.current()[0];
                }
            }
            black_box(acc)
        });
    });
    g.bench_function("detector (filter + detect)", |b| {
        b.iter(|| {
            // The stages wired by hand, without the quality monitor and the trace.
            let cfg = DetectorConfig::default();
            let mut cond = Conditioner::new(RATE, NCH, &cfg.chain).unwrap();
            let timing = Timing::of(&cond);
            let mut env = Envelope::new(NCH, timing);
            let mut d = StrokeDetector::new(NCH, timing, cfg).unwrap();
            let mut out = Vec::new();
            for r in data.chunks_exact(NCH) {
                if cond.push(r) {
                    d.push(&env.push(cond.current(), cond.had_data()), &mut out);
                    d.apply_rezeros(&mut cond);
                }
            }
            d.finish(&mut out);
            black_box(out.len())
        });
    });
    let block = Block {
        start_row: 0,
        values: data.clone(),
        events: Vec::new(),
    };
    // The quality monitor's statistics fed row by row (as the pipeline feeds them) and a block
    // at a time through `Block::view` (one channel down its column), in blocks of 4096 rows as
    // the BIDS reader hands them out.
    let blocks: Vec<Block> = data
        .chunks(4096 * NCH)
        .map(|rows| Block {
            start_row: 0,
            values: rows.to_vec(),
            events: Vec::new(),
        })
        .collect();
    g.bench_function("quality monitor, row by row", |b| {
        b.iter(|| {
            let mut q = QualityMonitor::new(RATE, NCH, 100.0);
            for block in &blocks {
                for r in block.values.chunks_exact(NCH) {
                    q.push_row(r);
                }
            }
            black_box(q.noise_sd(0))
        });
    });
    g.bench_function("quality monitor, by block view", |b| {
        b.iter(|| {
            let mut q = QualityMonitor::new(RATE, NCH, 100.0);
            for block in &blocks {
                q.push_block(block.view(NCH));
            }
            black_box(q.noise_sd(0))
        });
    });
    g.bench_function("pipeline (detect + trace + quality)", |b| {
        b.iter(|| {
            let mut p = Pipeline::new(&info(), PipelineConfig::default()).unwrap();
            let mut out = Vec::new();
            p.push_block(&block, &mut out);
            p.finish(&mut out);
            black_box(out.len())
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
