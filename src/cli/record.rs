//! `mldsense record`: records a session from the glove to a file, losslessly. Every byte is
//! written as it arrives, so Ctrl-C, a crash or an unplugged glove leaves a readable file.

use anyhow::{bail, Context};
use mldsense::calibration::Calibration;
use mldsense::serial::{RecordTo, SerialSource};
use mldsense::stream::{Block, PressureSource, StreamEvent};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `mldsense record`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The glove's serial port (see `mldsense ports`), or the path `mldsense simulate` printed.
    #[arg(long)]
    pub port: String,
    /// The recording to write (`.mld`).
    #[arg(short = 'o', long = "output", value_name = "FILE.mld")]
    pub output: PathBuf,
    /// The trainee's name, stored in the recording.
    #[arg(long)]
    pub trainee: Option<String>,
    /// A note, stored in the recording.
    #[arg(long)]
    pub note: Option<String>,
    /// Stop after this many seconds (default: until Ctrl-C or the glove goes away).
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Wait for the glove to come back after an unplug, and carry on.
    #[arg(long)]
    pub reconnect: bool,
    /// Calibration file to store in the recording's header.
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,
    /// Baud rate (ignored by USB gloves and pseudo-terminals).
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
}

/// Runs `mldsense record`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(d) = args.duration {
        if !(d.is_finite() && d > 0.0) {
            bail!("--duration must be a positive number of seconds, got {d}");
        }
    }
    let calibration = match &args.calibration {
        Some(p) => Some(
            Calibration::load(p)
                .with_context(|| format!("reading the calibration {}", p.display()))?,
        ),
        None => None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("installing the Ctrl-C handler")?;
    }
    let mut source = SerialSource::builder(&args.port)
        .baud(args.baud)
        .reconnect(args.reconnect)
        .calibration(calibration)
        .record_to(RecordTo {
            path: args.output.clone(),
            trainee: args.trainee.clone(),
            note: args.note.clone(),
        })
        .open()
        .with_context(|| format!("starting the glove on {}", args.port))?;
    for n in source.take_notices() {
        eprintln!("{n}");
    }
    eprintln!("recording to {} — Ctrl-C to stop", args.output.display());
    let started = Instant::now();
    let rate = source.info().rate_hz;
    let limit_rows = args.duration.map(|d| (d * rate).ceil() as u64);
    let mut block = Block::default();
    let (mut markers, mut saturations, mut last_report) = (0u32, 0u32, Instant::now());
    let reason = loop {
        if stop.load(Ordering::Relaxed) {
            break "stopped (Ctrl-C)";
        }
        if limit_rows.is_some_and(|l| source.rows() >= l) {
            break "duration reached";
        }
        let more = source.next_block(&mut block).context("reading the glove")?;
        for n in source.take_notices() {
            eprintln!("{n}");
        }
        for (_, e) in &block.events {
            match e {
                StreamEvent::Marker => markers += 1,
                StreamEvent::Saturation { .. } => saturations += 1,
                _ => {}
            }
        }
        if !more {
            break "the glove went away";
        }
        if last_report.elapsed() >= Duration::from_secs(5) {
            last_report = Instant::now();
            eprintln!(
                "  {:.0} s, {} rows, {} bytes",
                started.elapsed().as_secs_f64(),
                source.rows(),
                source.bytes_received()
            );
        }
    };
    source
        .stop()
        .with_context(|| format!("closing {}", args.output.display()))?;
    let s = source.stats();
    println!("{reason}: {}", args.output.display());
    println!(
        "  {:.1} s of data ({} rows at {} Hz, {} channels), {} bytes, {:.1} s wall clock",
        source.rows() as f64 / rate,
        source.rows(),
        rate,
        source.info().channel_count(),
        source.bytes_received(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  frames: {} ok, {} CRC errors, {} malformed, {} bytes skipped; {} rows lost in {} gaps",
        s.frames_ok, s.crc_errors, s.malformed, s.bytes_skipped, s.rows_lost, s.sequence_gaps
    );
    println!(
        "  {} markers, {} saturation events, {} disconnects{}",
        markers,
        saturations,
        source.disconnects(),
        if source.reconnect_gap_rows() > 0 {
            format!(" ({} rows missing while away)", source.reconnect_gap_rows())
        } else {
            String::new()
        }
    );
    Ok(())
}
