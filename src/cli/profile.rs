//! `mldsense profile --from EXPERT_RECORDING -o expert.toml`: a technique profile derived from an
//! expert's session (their window and rhythm), which `--profile expert.toml` then grades
//! students against.

use super::analyze::{analyze_one, resolve_profile};
use anyhow::Context;
use mldsense::calibration::Calibration;
use mldsense::class::expert::profile_from_expert;
use std::path::PathBuf;

/// Options of `mldsense profile`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Example:
  mldsense profile --from expert.mld --name ward-3 -o ward-3.toml
  mldsense analyze students/ --profile ward-3.toml -o reports/

The window is the 10th–90th percentile of the expert's stroke peaks, the rhythm their median
interval (tolerance: half the interquartile range); the rest comes from --base. See
docs/SCORING.md.")]
pub struct Args {
    /// The expert's recording (or BIDS file).
    #[arg(long, value_name = "RECORDING")]
    pub from: PathBuf,
    /// Where to write the profile (TOML).
    #[arg(short, long, value_name = "FILE.toml")]
    pub output: PathBuf,
    /// The profile's name (default: the output's file stem).
    #[arg(long)]
    pub name: Option<String>,
    /// The profile the other rules (danger level, release, fingers) come from.
    #[arg(long, value_name = "NAME|FILE", default_value = "default")]
    pub base: String,
    /// Calibration file for the recording, instead of the one stored in it.
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,
}

/// Runs `mldsense profile`.
pub fn run(args: Args) -> anyhow::Result<()> {
    match args.output.extension().and_then(|e| e.to_str()) {
        Some("toml") => {}
        _ => {
            return Err(super::usage(format!(
                "-o {}: a profile is written as TOML (name it .toml)",
                args.output.display()
            )))
        }
    }
    let base = resolve_profile(&args.base, None)?;
    let calibration = args
        .calibration
        .as_deref()
        .map(Calibration::load)
        .transpose()?;
    let (session, _) = analyze_one(&args.from, calibration, &base)?;
    let name = args.name.clone().unwrap_or_else(|| {
        args.output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "expert".into())
    });
    let source = args
        .from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.from.display().to_string());
    let profile = profile_from_expert(&session, &base, &name, &source)?;
    let body = toml::to_string(&profile).context("writing the profile as TOML")?;
    let text = format!(
        "# Technique profile `{name}`, derived by mldsense {} from the expert recording {source}.\n\
         # Grade against it with `--profile {}`.\n\n{body}",
        env!("CARGO_PKG_VERSION"),
        args.output.display()
    );
    std::fs::write(&args.output, text)
        .with_context(|| format!("writing {}", args.output.display()))?;
    println!(
        "profile {name}: window {:.1}–{:.1} mmHg, one stroke every {:.2} ± {:.2} s, danger {:.0} mmHg → {}",
        profile.window.lo_mmhg.0,
        profile.window.hi_mmhg.0,
        profile.rhythm.period_s,
        profile.rhythm.tolerance_s,
        profile.danger.mmhg.0,
        args.output.display()
    );
    Ok(())
}
