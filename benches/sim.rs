//! Speed of the virtual glove: calibrated rows from `SimSource`, and the firmware's wire bytes,
//! for 60 s of a 5-channel 200 Hz session (12 000 rows).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mldsense::sim::firmware::session_bytes;
use mldsense::sim::{GloveConfig, SimSource, Style};
use mldsense::stream::{Block, PressureSource};
use std::hint::black_box;

fn config() -> GloveConfig {
    GloveConfig {
        style: Style::Novice,
        seed: 1,
        duration_s: 60.0,
        ..GloveConfig::default()
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("virtual_glove");
    g.throughput(Throughput::Elements(12_000));
    g.bench_function("sim_source_rows", |b| {
        b.iter(|| {
            let mut src = SimSource::new(config());
            let mut block = Block::default();
            let mut n = 0;
            while src.next_block(&mut block).unwrap_or(false) {
                n += block.values.len();
            }
            black_box(n)
        });
    });
    g.bench_function("firmware_wire_bytes", |b| {
        b.iter(|| black_box(session_bytes(config()).0.len()));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
