//! Live latency: from a frame's last byte to the view's state updated — bytes → frames →
//! calibrated rows → pipeline (filter, detect) → grading → `LiveState`.
//!
//! Criterion measures the mean cost of one frame; the tail (p50/p99/max over every frame of a
//! 10-minute session, steady and novice styles) is printed first, since the bound is on p99:
//! `cargo bench --bench live`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mldsense::frames::CalibratedStream;
use mldsense::grade::Profile;
use mldsense::live::engine::{target_window, LiveEngine};
use mldsense::live::{LiveState, LiveUpdate};
use mldsense::pipeline::PipelineConfig;
use mldsense::sim::firmware::session_bytes;
use mldsense::sim::{GloveConfig, Style};
use mldsense::stream::Block;
use std::hint::black_box;
use std::time::Instant;

/// The glove's bytes for a session, cut after each frame's delimiter, as they would arrive.
fn frames(style: Style, seconds: f64, rate_hz: u16) -> (Vec<Vec<u8>>, CalibratedStream) {
    let config = GloveConfig {
        style,
        seed: 3,
        duration_s: seconds,
        rate_hz,
        ..GloveConfig::default()
    };
    let (bytes, fw) = session_bytes(config);
    let stream = CalibratedStream::new(fw.glove().device_info(), Some(fw.glove().calibration()));
    let frames = bytes
        .split_inclusive(|&b| b == 0)
        .map(<[u8]>::to_vec)
        .collect();
    (frames, stream)
}

/// Everything the live path does for one frame.
struct Chain {
    stream: CalibratedStream,
    engine: LiveEngine,
    state: LiveState,
    block: Block,
    updates: Vec<LiveUpdate>,
}

impl Chain {
    fn new(stream: CalibratedStream) -> Self {
        let profile = Profile::default_profile();
        let info = stream.info().clone();
        let engine =
            LiveEngine::new(&info, profile.clone(), PipelineConfig::default()).expect("engine");
        let state = LiveState::new(
            info.channels.iter().map(|c| c.name.clone()).collect(),
            target_window(&profile),
            mldsense::live::rhythm::Rhythm::of(&profile),
        );
        Chain {
            stream,
            engine,
            state,
            block: Block::default(),
            updates: Vec::new(),
        }
    }

    #[inline]
    fn frame(&mut self, bytes: &[u8]) {
        self.block.clear();
        if self.stream.push_bytes(bytes, &mut self.block).is_err() {
            return;
        }
        self.engine.push_block(&self.block, &mut self.updates);
        for u in self.updates.drain(..) {
            self.state.apply(u);
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

/// Times every frame of a session and prints the distribution.
fn tail(style: Style, rate_hz: u16) {
    let (frames, stream) = frames(style, 600.0, rate_hz);
    let mut chain = Chain::new(stream);
    let mut us = Vec::with_capacity(frames.len());
    let mut delays_ms = Vec::new();
    for f in &frames {
        let seen = chain.state.last.as_ref().map(|s| s.onset_s);
        let t = Instant::now();
        chain.frame(f);
        us.push(t.elapsed().as_secs_f64() * 1e6);
        if chain.state.last.as_ref().map(|s| s.onset_s) != seen {
            if let Some(d) = chain.state.last_verdict_delay_s {
                delays_ms.push(d * 1000.0);
            }
        }
    }
    us.sort_by(f64::total_cmp);
    delays_ms.sort_by(f64::total_cmp);
    eprintln!(
        "verdict delay after a stroke's end (stream time, frame by frame), {}: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        style.name(),
        percentile(&delays_ms, 0.5),
        percentile(&delays_ms, 0.99),
        delays_ms.last().copied().unwrap_or(f64::NAN),
    );
    eprintln!(
        "live latency per frame, {} at {rate_hz} Hz ({} frames, {} strokes): p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
        style.name(),
        us.len(),
        chain.state.counts.total(),
        percentile(&us, 0.5),
        percentile(&us, 0.99),
        percentile(&us, 0.999),
        us.last().copied().unwrap_or(f64::NAN),
    );
}

fn bench(c: &mut Criterion) {
    for (style, rate) in [(Style::Steady, 200), (Style::Novice, 1000)] {
        tail(style, rate);
    }
    let mut g = c.benchmark_group("live");
    for (style, rate) in [(Style::Steady, 200u16), (Style::Novice, 1000)] {
        let (frames, stream) = frames(style, 60.0, rate);
        g.throughput(Throughput::Elements(frames.len() as u64));
        g.bench_function(format!("frames_to_state/{}/{rate}Hz", style.name()), |b| {
            b.iter_batched(
                || Chain::new(stream.clone()),
                |mut chain| {
                    for f in &frames {
                        chain.frame(black_box(f));
                    }
                    chain.state.counts.total()
                },
                BatchSize::LargeInput,
            );
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
