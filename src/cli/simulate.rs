//! `mldsense simulate`: the virtual glove on a pseudo-terminal (a port any serial client can
//! open), straight into a recording, as ground truth, or as a BIDS dataset.

use crate::bids;
use crate::sim::firmware::{record_session, Firmware};
use crate::sim::pty::{PtyGlove, ServeEnd};
use crate::sim::truth::{save_tsv, TruthStroke};
use crate::sim::{GloveConfig, Imperfections, SimSource, Style, VirtualGlove};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The longest session simulated: a day (the whole plan is made up front, ~100 bytes a stroke).
const MAX_DURATION_S: f64 = 86_400.0;

/// Options of `mldsense simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The trainee to imitate.
    #[arg(long, value_enum, default_value_t = Style::Steady)]
    pub style: Style,
    /// Seed of the session: the same seed gives the same session.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Length of the session, seconds.
    #[arg(long, default_value_t = 60.0)]
    pub duration: f64,
    /// Rows per second (50, 100, 200, 250, 500, 1000 or 2000).
    #[arg(long, default_value_t = 200)]
    pub rate: u16,
    /// Fingertip sensors: 4 (fingers) or 5 (thumb and fingers); up to 16.
    #[arg(long, default_value_t = 5)]
    pub channels: usize,
    /// Run this many times faster than real time on the pseudo-terminal.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// A perfect sensor: no noise, drift, hum, spikes, dropouts, gain error or hysteresis.
    #[arg(long)]
    pub clean: bool,
    /// Serve the glove on a pseudo-terminal (the default when no file output is asked for).
    #[arg(long)]
    pub pty: bool,
    /// Write the session straight into a recording (`.mld`), through the glove's encoder.
    #[arg(long, value_name = "FILE.mld")]
    pub record: Option<PathBuf>,
    /// Write the ground truth (one stroke a row, BIDS `_events.tsv` style).
    #[arg(long, value_name = "FILE.tsv")]
    pub truth: Option<PathBuf>,
    /// Write the session as a BIDS dataset in this directory.
    #[arg(long, value_name = "DIR")]
    pub bids: Option<PathBuf>,
    /// Where to write the glove's calibration file (default: beside the recording or truth).
    #[arg(long, value_name = "FILE.toml")]
    pub calibration: Option<PathBuf>,
}

impl Args {
    fn config(&self) -> anyhow::Result<GloveConfig> {
        if !(self.duration.is_finite() && self.duration > 0.0 && self.duration <= MAX_DURATION_S) {
            bail!(
                "--duration must be a positive number of seconds up to {MAX_DURATION_S} (a day), got {}",
                self.duration
            );
        }
        if !crate::sim::glove::SUPPORTED_RATES.contains(&self.rate) {
            bail!(
                "--rate {} is not one the virtual glove supports ({:?})",
                self.rate,
                crate::sim::glove::SUPPORTED_RATES
            );
        }
        if !(1..=16).contains(&self.channels) {
            bail!("--channels must be 1–16, got {}", self.channels);
        }
        if !(self.speed.is_finite() && self.speed > 0.0) {
            bail!("--speed must be positive, got {}", self.speed);
        }
        Ok(GloveConfig {
            style: self.style,
            seed: self.seed,
            duration_s: self.duration,
            rate_hz: self.rate,
            channels: self.channels,
            imperfections: if self.clean {
                Imperfections::none()
            } else {
                Imperfections::default()
            },
            ..GloveConfig::default()
        })
    }
}

/// `x/name.mld` → `x/name.calibration.toml`.
fn beside(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into());
    let stem = stem.strip_suffix("_events").unwrap_or(&stem).to_string();
    path.with_file_name(format!("{stem}.calibration.toml"))
}

fn summary(truth: &[TruthStroke]) -> String {
    let n = truth.len();
    let count = |g: crate::sim::IntendedGrade| truth.iter().filter(|s| s.grade == g).count();
    format!(
        "{n} strokes: {} too light, {} in 30–40 mmHg, {} too hard",
        count(crate::sim::IntendedGrade::TooLight),
        count(crate::sim::IntendedGrade::InWindow),
        count(crate::sim::IntendedGrade::TooHard)
    )
}

/// Runs `mldsense simulate`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config()?;
    let glove = VirtualGlove::new(config);
    let truth = glove.truth();
    let files = args.record.is_some() || args.truth.is_some() || args.bids.is_some();
    if args.pty && args.record.is_some() {
        bail!("--record writes the session straight to a file; to record from the pseudo-terminal, run `mldsense record --port PATH` against it");
    }
    println!(
        "virtual glove: style {}, seed {}, {:.0} s at {} Hz, {} channels — {}",
        config.style,
        config.seed,
        config.duration_s,
        config.rate_hz,
        glove.channels(),
        summary(&truth)
    );

    let calibration_path = args
        .calibration
        .clone()
        .or_else(|| args.record.as_deref().map(beside))
        .or_else(|| args.truth.as_deref().map(beside));
    if let Some(p) = &calibration_path {
        glove
            .calibration()
            .save(p)
            .with_context(|| format!("writing the calibration {}", p.display()))?;
        println!("calibration: {}", p.display());
    }
    if let Some(p) = &args.truth {
        save_tsv(p, &truth).with_context(|| format!("writing the truth {}", p.display()))?;
        println!("truth: {}", p.display());
    }
    if let Some(p) = &args.record {
        let fw = record_session(
            config,
            p,
            Some(format!(
                "virtual glove, style {}, seed {}",
                config.style, config.seed
            )),
        )
        .with_context(|| format!("writing the recording {}", p.display()))?;
        let s = fw.stats();
        println!(
            "recording: {} ({} rows in {} blocks, {} blocks lost in simulated dropouts)",
            p.display(),
            s.rows_sent,
            s.blocks_sent,
            s.blocks_dropped
        );
    }
    if let Some(dir) = &args.bids {
        write_bids(dir, config, &truth)?;
    }
    if args.pty || !files {
        serve(config, args.speed, calibration_path.is_none())?;
    }
    Ok(())
}

fn write_bids(dir: &Path, config: GloveConfig, truth: &[TruthStroke]) -> anyhow::Result<()> {
    bids::write_dataset_description(dir, "mldsense virtual glove")
        .with_context(|| format!("writing the BIDS dataset description in {}", dir.display()))?;
    let sub = format!("sub-{}{}", config.style, config.seed);
    let beh = dir.join(&sub).join("beh");
    std::fs::create_dir_all(&beh).with_context(|| format!("creating {}", beh.display()))?;
    let stem = format!("{sub}_task-mld");
    let mut source = SimSource::new(config);
    let paths = bids::write_source(&beh, &stem, &mut source)
        .with_context(|| format!("writing BIDS physio data in {}", beh.display()))?;
    let rows: Vec<bids::EventRow> = truth
        .iter()
        .map(|s| bids::EventRow::stroke(s.onset_s, s.offset_s, s.peak, Some(s.grade.name())))
        .collect();
    bids::write_events(&paths.events_tsv(), &rows)
        .with_context(|| format!("writing {}", paths.events_tsv().display()))?;
    println!(
        "BIDS: {} ({}, {})",
        dir.display(),
        paths.physio_tsv_gz().display(),
        paths.events_tsv().display()
    );
    Ok(())
}

fn serve(config: GloveConfig, speed: f64, calibration_hint: bool) -> anyhow::Result<()> {
    let mut pty = PtyGlove::open()?;
    let mut fw = Firmware::new(VirtualGlove::new(config));
    println!("{}", pty.path());
    println!(
        "the virtual glove is on {} — open it with `mldsense record --port {}` or `mldsense live --port {}`; Ctrl-C unplugs it",
        pty.path(),
        pty.path(),
        pty.path()
    );
    if calibration_hint {
        println!("(the glove's exact calibration: rerun with --calibration FILE.toml and pass the file to `record --calibration`)");
    }
    let stop = AtomicBool::new(false);
    let end = pty.serve(&mut fw, speed, &stop)?;
    let unread = pty.drain(Duration::from_secs(2));
    let s = fw.stats();
    match end {
        ServeEnd::Finished => println!(
            "session over: {} rows sent in {} blocks ({} lost in simulated dropouts, {} bytes dropped unread{}); unplugging",
            s.rows_sent,
            s.blocks_sent,
            s.blocks_dropped,
            pty.bytes_dropped(),
            if unread > 0 { format!(", {unread} bytes left unread") } else { String::new() }
        ),
        ServeEnd::Stopped => println!("stopped after {} rows", s.rows_sent),
    }
    Ok(())
}
