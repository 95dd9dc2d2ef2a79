//! The whole analysis of a one-hour recording (5 fingertips, 500 Hz, ordinary single-member
//! gzip, as other tools write it): open, inflate, parse, filter, detect, grade and render the
//! JSON report — what `mldsense analyze FILE --format json` does, minus process start-up.
//! `cargo bench --bench analyze_hour`. The file is made once, in a temporary folder.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flate2::write::GzEncoder;
use flate2::Compression;
use mldsense::bids::{write_physio, BidsPaths};
use mldsense::grade::{grade_session, Profile};
use mldsense::input::Input;
use mldsense::pipeline::{analyze, PipelineConfig};
use mldsense::report::{render, Format};
use mldsense::stream::{ChannelInfo, StreamInfo};
use std::io::{Read, Write};
use std::path::Path;

const RATE_HZ: f64 = 500.0;
const SECONDS: usize = 3600;
const CHANNELS: usize = 5;

/// One hour of strokes: about one a second, 0.6 s working phases, five fingertips with their
/// own shares, noise and a little hum.
fn hour_rows() -> impl Iterator<Item = [f64; CHANNELS]> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..SECONDS * RATE_HZ as usize).map(move |i| {
        let t = i as f64 / RATE_HZ;
        let phase = t % 1.05;
        let stroke = if phase < 0.6 {
            (std::f64::consts::PI * phase / 0.6).sin().powi(2)
        } else {
            0.0
        };
        let peak = 28.0 + 14.0 * ((t / 37.0).sin() * 0.5 + 0.5);
        let mut row = [0.0; CHANNELS];
        for (c, v) in row.iter_mut().enumerate() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let noise = (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let share = 1.0 - 0.12 * c as f64;
            let hum = 0.3 * (2.0 * std::f64::consts::PI * 50.0 * t).sin();
            *v = 1.5 + share * peak * stroke + noise + hum;
        }
        row
    })
}

/// Writes the hour with our writer, then re-compresses the data as one ordinary gzip member.
fn make_hour(dir: &Path) -> BidsPaths {
    let info = StreamInfo {
        rate_hz: RATE_HZ,
        channels: (0..CHANNELS)
            .map(|c| ChannelInfo {
                name: format!("f{c}"),
                area: None,
            })
            .collect(),
        start_time_s: 0.0,
    };
    let paths = write_physio(dir, "sub-hour_task-mld", &info, hour_rows()).expect("write hour");
    let gz = paths.physio_tsv_gz();
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&gz).expect("open"))
        .read_to_end(&mut text)
        .expect("inflate");
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(&text).expect("deflate");
    std::fs::write(&gz, enc.finish().expect("deflate")).expect("rewrite");
    paths
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = make_hour(dir.path());
    let file = paths.physio_tsv_gz();
    let profile = Profile::default_profile();
    let mut g = c.benchmark_group("analyze one hour (5 ch, 500 Hz, gzip)");
    g.sample_size(10);
    g.throughput(Throughput::Elements((SECONDS * RATE_HZ as usize) as u64));
    g.bench_function("open + pipeline + grade + JSON", |b| {
        b.iter(|| {
            let mut input = Input::open(&file, None).expect("open");
            let meta = input.meta();
            let session = analyze(&mut input, meta, PipelineConfig::default()).expect("analyze");
            let graded = grade_session(&session, &profile);
            let mut out = Vec::new();
            render(&session, &graded, Format::Json, &mut out).expect("render");
            out.len()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
