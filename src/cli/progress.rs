//! `mldsense progress`: each trainee's sessions in date order, as a learning curve, a table and
//! what changed since last time. A student's own folder of recordings is enough.

use super::analyze::{analyze_one, resolve_profile};
use anyhow::{bail, Context};
use mldsense::calibration::Calibration;
use mldsense::class::{progress, SessionRecord};
use mldsense::input::discover;
use mldsense::report::progress::write_progress;
use std::io::Write;
use std::path::PathBuf;

/// Options of `mldsense progress`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mldsense progress my-sessions/                      every session of mine, oldest first
  mldsense progress class/ -o progress.html           every trainee, learning curves
  mldsense progress class/ --trainee Anna -f json

Exit status: 0 when every input was analysed, 1 when any input failed, 2 on a usage error.")]
pub struct Args {
    /// Recordings, BIDS files, or folders holding them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Report format (text, json, csv, html). Default: from the extension of -o, else text.
    #[arg(short, long, value_enum)]
    pub format: Option<super::FormatArg>,
    /// Where to write (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only this trainee (as named in the recordings or participants.tsv).
    #[arg(long)]
    pub trainee: Option<String>,
    /// Technique profile: a built-in name or a TOML file.
    #[arg(long, value_name = "NAME|FILE", default_value = "default")]
    pub profile: String,
    /// Override the profile's target window, mmHg, as LO:HI.
    #[arg(long, value_name = "LO:HI")]
    pub window_mmhg: Option<String>,
    /// Calibration file for recordings, instead of the one stored in each.
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,
}

/// Runs `mldsense progress`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let format = super::report_format(args.format, args.output.as_deref())?;
    let profile = resolve_profile(&args.profile, args.window_mmhg.as_deref())?;
    let calibration = args
        .calibration
        .as_deref()
        .map(Calibration::load)
        .transpose()?;
    let inputs = discover(&args.inputs)?;
    let mut records = Vec::new();
    let mut failed = 0usize;
    for path in &inputs {
        match analyze_one(path, calibration.clone(), &profile) {
            Ok((session, graded)) => {
                records.push(SessionRecord::new(
                    &session,
                    &graded,
                    path.display().to_string(),
                ));
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {}", super::one_line(&e));
            }
        }
    }
    if records.is_empty() && failed > 0 {
        bail!("none of the {} input(s) could be analysed", inputs.len());
    }
    if let Some(name) = &args.trainee {
        records.retain(|r| r.trainee.eq_ignore_ascii_case(name));
        if records.is_empty() {
            bail!(
                "no session of trainee `{name}` among {} input(s)",
                inputs.len()
            );
        }
    }
    let trainees = progress(&records, 60.0 / profile.rhythm.period_s);
    match &args.output {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("creating {}", path.display()))?,
            );
            write_progress(&trainees, &profile, format, &mut file)?;
            file.flush()
                .with_context(|| format!("writing {}", path.display()))?;
            crate::cli::say!(
                "wrote the progress of {} trainee(s) over {} session(s) to {}",
                trainees.len(),
                records.len(),
                path.display()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write_progress(&trainees, &profile, format, &mut out)?;
            out.flush()?;
        }
    }
    if failed > 0 {
        bail!(
            "{failed} of {} input(s) could not be analysed",
            inputs.len()
        );
    }
    Ok(())
}
