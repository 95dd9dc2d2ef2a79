//! Ingest speed: the row parser against the plain `split` + `str::parse` reference, and a whole
//! BIDS file through `BidsSource` (blocked gzip via libdeflate vs single-member gzip via zlib-rs
//! vs plain TSV). `cargo bench --bench ingest`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mldsense::bids::number::parse_row;
use mldsense::bids::{write_physio, BidsSource};
use mldsense::stream::{Block, ChannelInfo, PressureSource, StreamInfo};
use std::hint::black_box;
use std::io::Write;

/// `rows` rows of five noisy pressures with two decimals, as the writer makes them.
fn rows(n: usize) -> Vec<[f64; 5]> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|i| {
            let mut r = [0.0; 5];
            for (c, v) in r.iter_mut().enumerate() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let noise = (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                *v = 2.0 + 30.0 * ((i as f64 / 500.0 + c as f64).sin().max(0.0)) + noise;
            }
            r
        })
        .collect()
}

fn text(rows: &[[f64; 5]]) -> String {
    rows.iter()
        .map(|r| {
            let f: Vec<String> = r.iter().map(|v| format!("{v:.2}")).collect();
            f.join("\t") + "\n"
        })
        .collect()
}

fn parsing(c: &mut Criterion) {
    let tsv = text(&rows(20_000));
    let mut g = c.benchmark_group("parse rows");
    g.throughput(Throughput::Bytes(tsv.len() as u64));
    g.bench_function("parse_row (one pass)", |b| {
        let mut v = [0.0; 5];
        b.iter(|| {
            let mut sum = 0.0;
            for line in tsv
                .as_bytes()
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
            {
                if parse_row(line, &mut v).is_ok() {
                    sum += v[0];
                }
            }
            black_box(sum)
        });
    });
    g.bench_function("split + str::parse (reference)", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for line in tsv.lines() {
                for f in line.split('\t') {
                    sum += f.parse::<f64>().unwrap_or(f64::NAN);
                }
            }
            black_box(sum)
        });
    });
    g.finish();
}

fn reading(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = rows(100_000);
    let info = StreamInfo {
        rate_hz: 500.0,
        start_time_s: 0.0,
        channels: (0..5)
            .map(|i| ChannelInfo {
                name: format!("c{i}"),
                area: None,
            })
            .collect(),
    };
    let bgzf = write_physio(&dir.path().join("bgzf"), "r", &info, &data).expect("write");
    let tsv = text(&data);
    let plain_dir = dir.path().join("plain");
    let gz_dir = dir.path().join("gz");
    for d in [&plain_dir, &gz_dir] {
        std::fs::create_dir_all(d).expect("mkdir");
        std::fs::copy(bgzf.physio_json(), d.join("r_physio.json")).expect("copy");
    }
    std::fs::write(plain_dir.join("r_physio.tsv"), &tsv).expect("write");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(tsv.as_bytes()).expect("gzip");
    std::fs::write(gz_dir.join("r_physio.tsv.gz"), enc.finish().expect("gzip")).expect("write");

    let mut g = c.benchmark_group("read BIDS (100k rows x 5)");
    g.throughput(Throughput::Bytes(tsv.len() as u64));
    g.sample_size(20);
    for (name, path) in [
        ("blocked gzip, libdeflate", bgzf.physio_tsv_gz()),
        ("single gzip, zlib-rs", gz_dir.join("r_physio.tsv.gz")),
        ("plain tsv", plain_dir.join("r_physio.tsv")),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut src = BidsSource::open(&path).expect("open");
                let mut block = Block::default();
                let mut n = 0;
                while src.next_block(&mut block).expect("read") {
                    n += block.values.len();
                }
                black_box(n)
            });
        });
    }
    g.finish();
}

criterion_group!(benches, parsing, reading);
criterion_main!(benches);
