//! Writes the speed-test recording: one hour, five fingertips, 500 Hz, strokes about once a
//! second, through the BIDS writer (`bids::PhysioWriter`), so the file is what mldsense writes.
//!
//! `cargo run --release --example make_hour -- DIR [SECONDS]` → `DIR/sub-hour_task-mld_physio.*`

use mldsense::bids::{write_events, EventRow, PhysioWriter};
use mldsense::stream::{ChannelInfo, StreamInfo};
use mldsense::units::{Mmhg, SquareMillimetres};
use std::path::PathBuf;

/// A small deterministic generator (xorshift64*), so the file is the same on every machine.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal (sum of four uniforms), unit variance.
    fn normal(&mut self) -> f64 {
        (self.uniform() + self.uniform() + self.uniform() + self.uniform() - 2.0) * 3f64.sqrt()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: make_hour DIR [SECONDS]")?);
    let seconds: f64 = args.next().map_or(Ok(3600.0), |s| s.parse())?;
    let rate = 500.0;
    let names = ["thumb", "index", "middle", "ring", "little"];
    let info = StreamInfo {
        rate_hz: rate,
        start_time_s: 0.0,
        channels: names
            .iter()
            .map(|n| ChannelInfo {
                name: (*n).into(),
                area: Some(SquareMillimetres(126.7)),
            })
            .collect(),
    };
    let stem = "sub-hour_task-mld";
    let mut w = PhysioWriter::create(&dir, stem, &info)?;
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let mut truth = Vec::new();
    let (mut onset, mut len, mut peak) = (0.3, 0.6, 35.0);
    let mut row = [0.0f64; 5];
    let total = (seconds * rate) as u64;
    for i in 0..total {
        let t = i as f64 / rate;
        if t > onset + len + 0.35 {
            truth.push(EventRow::stroke(onset, onset + len, Mmhg(peak), None));
            onset = t + 0.05 * noise.uniform();
            len = 0.5 + 0.3 * noise.uniform();
            peak = 28.0 + 14.0 * noise.uniform();
        }
        let phase = ((t - onset) / len).clamp(0.0, 1.0);
        let shape = (std::f64::consts::PI * phase).sin().powi(2);
        for (c, v) in row.iter_mut().enumerate() {
            let share = [0.6, 1.0, 0.9, 0.7, 0.4][c];
            *v = 1.5 + peak * share * shape + 0.3 * noise.normal();
        }
        w.write_row(&row)?;
    }
    let paths = w.finish()?;
    write_events(&paths.events_tsv(), &truth)?;
    println!("{}", paths.physio_tsv_gz().display());
    Ok(())
}
