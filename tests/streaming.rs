//! Live = batch: the pipeline gives bit-identical strokes, trace and warnings whether it is fed
//! by `pipeline::analyze` from a source, in blocks of any size, or row by row.

use mldsense::detect::Stroke;
use mldsense::error::Result;
use mldsense::pipeline::{analyze, Pipeline, PipelineConfig};
use mldsense::session::{Session, SessionMeta};
use mldsense::stream::{Block, ChannelInfo, PressureSource, StreamEvent, StreamInfo};
use proptest::prelude::*;
use std::f64::consts::PI;

fn info(rate: f64, nch: usize) -> StreamInfo {
    StreamInfo {
        rate_hz: rate,
        channels: (0..nch)
            .map(|i| ChannelInfo {
                name: format!("f{i}"),
                area: None,
            })
            .collect(),
        start_time_s: 0.0,
    }
}

/// A recording with strokes, drift, hum, spikes and a dropout.
fn recording(rate: f64, nch: usize, secs: f64) -> Vec<f64> {
    let n = (secs * rate) as usize;
    let mut v = Vec::with_capacity(n * nch);
    for i in 0..n {
        let t = i as f64 / rate;
        let phase = (t % 1.1) / 0.55;
        let spot = ((t / 9.0) as u64).is_multiple_of(2);
        let stroke = if phase < 1.0 && spot {
            (20.0 + 5.0 * (t * 0.3).sin()) * (0.5 - 0.5 * (2.0 * PI * phase).cos())
        } else {
            0.0
        };
        for c in 0..nch {
            let mut x = 1.0
                + stroke * (1.0 - 0.2 * c as f64)
                + 0.02 * t
                + 0.8 * (2.0 * PI * 50.0 * t).sin();
            if i % 977 == 13 {
                x += 90.0;
            }
            if (i / 37) % 97 == 3 && c == 1 {
                x = f64::NAN;
            }
            v.push(x);
        }
    }
    v
}

/// A source handing out the recording in blocks of the given sizes (cycled).
struct Chunked {
    info: StreamInfo,
    rows: Vec<f64>,
    pos: usize,
    sizes: Vec<usize>,
    k: usize,
}

impl PressureSource for Chunked {
    fn info(&self) -> &StreamInfo {
        &self.info
    }
    fn next_block(&mut self, block: &mut Block) -> Result<bool> {
        block.clear();
        let nch = self.info.channel_count();
        let total = self.rows.len() / nch;
        if self.pos >= total {
            return Ok(false);
        }
        let want = self.sizes[self.k % self.sizes.len()].max(1);
        self.k += 1;
        let end = (self.pos + want).min(total);
        block.start_row = self.pos as u64;
        block
            .values
            .extend_from_slice(&self.rows[self.pos * nch..end * nch]);
        if self.pos == 0 {
            block.events.push((0, StreamEvent::Marker));
        }
        self.pos = end;
        Ok(true)
    }
}

fn by_source(rate: f64, nch: usize, rows: &[f64], sizes: Vec<usize>) -> Session {
    let mut src = Chunked {
        info: info(rate, nch),
        rows: rows.to_vec(),
        pos: 0,
        sizes,
        k: 0,
    };
    analyze(&mut src, SessionMeta::default(), PipelineConfig::default()).unwrap()
}

fn row_by_row(rate: f64, nch: usize, rows: &[f64]) -> (Vec<Stroke>, Pipeline) {
    let mut p = Pipeline::new(&info(rate, nch), PipelineConfig::default()).unwrap();
    let mut out = Vec::new();
    for r in rows.chunks_exact(nch) {
        p.push_row(r, &mut out);
    }
    p.finish(&mut out);
    (out, p)
}

#[test]
fn batch_blocks_and_rows_give_identical_sessions() {
    for &(rate, nch) in &[(100.0, 3), (500.0, 5), (1000.0, 1)] {
        let rows = recording(rate, nch, 40.0);
        let whole = by_source(rate, nch, &rows, vec![usize::MAX / 2]);
        assert!(whole.strokes.len() >= 10, "{} strokes", whole.strokes.len());
        for sizes in [
            vec![1],
            vec![7, 1, 333],
            vec![4096],
            vec![2, 3, 5, 8, 13, 21, 34],
        ] {
            let s = by_source(rate, nch, &rows, sizes.clone());
            assert_eq!(s.strokes, whole.strokes, "rate {rate}, sizes {sizes:?}");
            assert_eq!(s.trace, whole.trace);
            assert_eq!(s.quality, whole.quality);
            assert_eq!(s.duration_s, whole.duration_s);
        }
        let (strokes, p) = row_by_row(rate, nch, &rows);
        assert_eq!(strokes, whole.strokes);
        assert_eq!(p.trace(), &whole.trace);
        assert_eq!(whole.events, vec![(0.0, StreamEvent::Marker)]);
    }
}

#[test]
fn trace_is_about_50_hz_and_covers_the_session() {
    let rows = recording(500.0, 2, 20.0);
    let s = by_source(500.0, 2, &rows, vec![1000]);
    assert!((s.trace.rate_hz - 50.0).abs() < 1e-9);
    assert_eq!(s.trace.channels.len(), 2);
    let len = s.trace.channels[0].len() as f64 / s.trace.rate_hz;
    assert!((len - 20.0).abs() < 0.05, "{len}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn any_block_sizes_give_the_same_strokes(sizes in proptest::collection::vec(1usize..600, 1..8)) {
        let rows = recording(250.0, 3, 15.0);
        let whole = by_source(250.0, 3, &rows, vec![usize::MAX / 2]);
        let s = by_source(250.0, 3, &rows, sizes);
        prop_assert_eq!(s.strokes, whole.strokes);
    }
}

/// A tare read back from a recording (a `Tare` event at row R) re-zeroes right before row R,
/// whatever the block boundaries: the same as a live view that tared after R rows.
#[test]
fn a_recorded_tare_applies_at_its_row_whatever_the_blocks() {
    let (rate, nch) = (200.0, 3);
    // A sensor offset of 6 mmHg the hand-off tare removes, at 4 s (the hand is off: rows
    // 800.. are the offset only until the next stroke).
    let mut rows = recording(rate, nch, 30.0);
    for v in rows.iter_mut() {
        *v += 6.0;
    }
    let r = 800u64;
    // Reference: row by row, tare() called after R rows, as the live view does.
    let mut reference = Pipeline::new(&info(rate, nch), PipelineConfig::default()).unwrap();
    let mut ref_strokes = Vec::new();
    for (i, row) in rows.chunks_exact(nch).enumerate() {
        if i as u64 == r {
            reference.tare();
        }
        reference.push_row(row, &mut ref_strokes);
    }
    reference.finish(&mut ref_strokes);
    let untared = row_by_row(rate, nch, &rows).0;
    assert_ne!(ref_strokes, untared, "the tare changes what is measured");
    for size in [1usize, 7, 64, 800, 801, 5000] {
        let mut p = Pipeline::new(&info(rate, nch), PipelineConfig::default()).unwrap();
        let mut strokes = Vec::new();
        for (b, chunk) in rows.chunks(size * nch).enumerate() {
            let start_row = (b * size) as u64;
            let end_row = start_row + (chunk.len() / nch) as u64;
            // The event arrives with the block it falls in, or with the block before (a note
            // is written before the frame holding its row).
            let events = if start_row < r && r <= end_row {
                vec![(r, StreamEvent::Tare)]
            } else {
                Vec::new()
            };
            let block = Block {
                start_row,
                values: chunk.to_vec(),
                events,
            };
            p.push_block(&block, &mut strokes);
        }
        p.finish(&mut strokes);
        assert_eq!(strokes, ref_strokes, "blocks of {size}");
    }
}

/// Implausible values are handled inside the pipeline, so the live view (fed row by row or
/// block by block) and `analyze` drop the same samples and warn the same way.
#[test]
fn implausible_values_are_the_same_live_and_batch() {
    let (rate, nch) = (200.0, 2);
    let mut rows = recording(rate, nch, 20.0);
    rows[2 * 900] = 1e12;
    rows[2 * 901 + 1] = f64::INFINITY;
    let batch = by_source(rate, nch, &rows, vec![64, 7, 300]);
    let (strokes, p) = row_by_row(rate, nch, &rows);
    let live = p.into_session(SessionMeta::default(), strokes);
    assert_eq!(batch.strokes, live.strokes);
    assert_eq!(batch.quality, live.quality);
    let implausible: Vec<_> = live
        .quality
        .iter()
        .filter(|q| q.kind == mldsense::session::QualityKind::Implausible)
        .collect();
    assert_eq!(implausible.len(), 2, "{implausible:?}");
    assert!(live.strokes.iter().all(|s| s.peak.0 < 100.0));
}
