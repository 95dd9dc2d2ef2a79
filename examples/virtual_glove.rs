//! Prints a virtual-glove session as CSV — time, each fingertip's true pressure and what the
//! pipeline would receive after the sensor model, ADC and calibration — for plotting or for
//! eyeballing a style.
//!
//! ```text
//! cargo run --example virtual_glove -- --style novice --seed 3 --seconds 10 > novice.csv
//! ```

use clap::Parser;
use mldsense::sim::{GloveConfig, SimSource, Style};
use mldsense::stream::{Block, PressureSource};
use std::io::Write;

/// Options.
#[derive(Debug, Parser)]
struct Args {
    /// Trainee style.
    #[arg(long, default_value = "steady")]
    style: Style,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds to print.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Rows per second.
    #[arg(long, default_value_t = 200)]
    rate: u16,
}

/// Every row of a source, row-major.
fn all_rows(src: &mut dyn PressureSource) -> mldsense::Result<Vec<f64>> {
    let mut rows = Vec::new();
    let mut block = Block::default();
    while src.next_block(&mut block)? {
        rows.extend_from_slice(&block.values);
    }
    Ok(rows)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = GloveConfig {
        style: args.style,
        seed: args.seed,
        duration_s: args.seconds,
        rate_hz: args.rate,
        ..GloveConfig::default()
    };
    let mut truth = SimSource::true_pressure(config);
    let mut measured = SimSource::new(config);
    let names: Vec<String> = truth
        .info()
        .channels
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let channels = names.len();
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let header: Vec<String> = names
        .iter()
        .map(|n| format!("true_{n}"))
        .chain(names.iter().map(|n| format!("measured_{n}")))
        .collect();
    writeln!(out, "time_s,{}", header.join(","))?;
    let truth = all_rows(&mut truth)?;
    let measured = all_rows(&mut measured)?;
    let fmt = |v: &f64| {
        if v.is_nan() {
            "n/a".to_string()
        } else {
            format!("{v:.3}")
        }
    };
    for (i, (t, m)) in truth
        .chunks(channels)
        .zip(measured.chunks(channels))
        .enumerate()
    {
        let t: Vec<String> = t.iter().map(fmt).collect();
        let m: Vec<String> = m.iter().map(fmt).collect();
        writeln!(
            out,
            "{:.4},{},{}",
            i as f64 / f64::from(args.rate),
            t.join(","),
            m.join(",")
        )?;
    }
    Ok(())
}
