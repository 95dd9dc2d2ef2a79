//! `mldsense analyze`: find, grade and report the strokes of recordings and BIDS files — one
//! session, or a whole class at once.

use crate::calibration::Calibration;
use crate::grade::{grade_session_with, Certainty, GradedSession, Profile};
use crate::input::{discover, Input};
use crate::pipeline::{self, PipelineConfig};
use crate::report::{self, Format};
use crate::session::Session;
use crate::stream::PressureSource;
use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options of `mldsense analyze`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mldsense analyze session.mld                         a readable summary
  mldsense analyze session.mld --format html -o r.html one self-contained report
  mldsense analyze sub-01_physio.tsv.gz --window-mmhg 25:35 --format json
  mldsense analyze class/ -o reports/                  every session in a folder, and a class summary

Exit status: 0 when every input was analysed, 1 when any input failed (the others are still
reported), 2 on a usage error.")]
pub struct Args {
    /// Recordings (.mld), BIDS physiological files (STEM_physio.tsv.gz, .tsv or .json, or the
    /// stem), or folders holding them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Report format: text (a readable summary), json (schema in docs/REPORT_SCHEMA.md), csv
    /// (one row per stroke) or html (one self-contained file with charts).
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Where to write: a file for one input (default: standard output); a folder for several
    /// (one report per session, plus the class summary).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Technique profile: a built-in name (see --list-profiles) or a TOML file.
    #[arg(long, value_name = "NAME|FILE", default_value = "default")]
    pub profile: String,

    /// Override the profile's target window, in mmHg, as LO:HI (e.g. 30:40).
    #[arg(long, value_name = "LO:HI")]
    pub window_mmhg: Option<String>,

    /// Calibration file (TOML or JSON) for recordings, instead of the one stored in each.
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,

    /// Also write the charts as PNG files into this folder (one sub-folder per session when
    /// there are several).
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,

    /// Print the built-in profiles and exit.
    #[arg(long, exclusive = true)]
    pub list_profiles: bool,
}

/// Resolves `--profile` and `--window-mmhg` into the profile to grade against.
pub fn resolve_profile(profile: &str, window: Option<&str>) -> anyhow::Result<Profile> {
    let mut p = Profile::resolve(profile)?;
    if let Some(spec) = window {
        let (lo, hi) = Profile::parse_window(spec)?;
        p = p.with_window(lo, hi)?;
    }
    Ok(p)
}

/// Runs `mldsense analyze`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.list_profiles {
        return list_profiles();
    }
    let profile = resolve_profile(&args.profile, args.window_mmhg.as_deref())?;
    let calibration = args
        .calibration
        .as_deref()
        .map(Calibration::load)
        .transpose()?;
    let inputs = discover(&args.inputs)?;
    if inputs.len() == 1 && args.inputs.len() == 1 && !args.inputs[0].is_dir() {
        let (session, graded) = analyze_one(&inputs[0], calibration, &profile)?;
        write_report(&session, &graded, args.format, args.output.as_deref())?;
        if let Some(dir) = &args.charts {
            report::write_png_charts(&session, &graded, dir)?;
        }
        return Ok(());
    }
    analyze_class(&inputs, calibration, &profile, &args)
}

/// Opens, analyses and grades one input, printing its warnings to standard error.
pub fn analyze_one(
    path: &Path,
    calibration: Option<Calibration>,
    profile: &Profile,
) -> anyhow::Result<(Session, GradedSession)> {
    let mut input = Input::open(path, calibration.clone())?;
    let certainty = certainty_of(calibration.as_ref(), &input);
    let meta = input.meta();
    let session = pipeline::analyze(&mut input, meta, PipelineConfig::default())
        .with_context(|| format!("analysing {}", path.display()))?;
    for w in input.warnings() {
        eprintln!("warning: {w}");
    }
    let graded = grade_session_with(&session, profile, &certainty);
    Ok((session, graded))
}

/// How sure the grades of `input` are: the calibration given, else the one a recording stores,
/// else the default curve (approximate).
fn certainty_of(given: Option<&Calibration>, input: &Input) -> Certainty {
    let area = input
        .info()
        .channels
        .iter()
        .find_map(|c| c.area)
        .unwrap_or(crate::units::SquareMillimetres(126.7));
    match (given, input) {
        (Some(c), _) => Certainty::of(Some(c), area),
        (None, Input::Recording(r)) => Certainty::of(r.header().calibration.as_ref(), area),
        _ => Certainty::default(),
    }
}

fn write_report(
    session: &Session,
    graded: &GradedSession,
    format: Format,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("creating {}", path.display()))?,
            );
            report::render(session, graded, format, &mut file)?;
            file.flush()
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            report::render(session, graded, format, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

fn analyze_class(
    inputs: &[PathBuf],
    calibration: Option<Calibration>,
    profile: &Profile,
    args: &Args,
) -> anyhow::Result<()> {
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut done = Vec::new();
    let mut failed = 0usize;
    for path in inputs {
        match analyze_one(path, calibration.clone(), profile) {
            Ok((session, graded)) => {
                let stem = session_stem(path);
                if let Some(dir) = &args.output {
                    let file = dir.join(format!("{stem}.{}", args.format.extension()));
                    write_report(&session, &graded, args.format, Some(&file))?;
                }
                if let Some(charts) = &args.charts {
                    report::write_png_charts(&session, &graded, &charts.join(&stem))?;
                }
                done.push((session, graded));
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
            }
        }
    }
    let pairs: Vec<(&Session, &GradedSession)> = done.iter().map(|(s, g)| (s, g)).collect();
    match &args.output {
        Some(dir) => {
            let path = dir.join(format!("class.{}", args.format.extension()));
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&path)
                    .with_context(|| format!("creating {}", path.display()))?,
            );
            report::class_summary(&pairs, args.format, &mut file)?;
            file.flush()
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} session report(s) and {} to {}",
                pairs.len(),
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                dir.display()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            report::class_summary(&pairs, args.format, &mut out)?;
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

/// A file-name stem for a session's report: the recording's name without its extension, or
/// the BIDS stem.
fn session_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into());
    for suffix in ["_physio.tsv.gz", "_physio.tsv", "_physio.json", ".mld"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem.to_string();
        }
    }
    name
}

fn list_profiles() -> anyhow::Result<()> {
    for name in Profile::builtin_names() {
        let p = Profile::builtin(name)?;
        println!(
            "{name:<12} window {:.0}–{:.0} mmHg, danger {:.0} mmHg — {}",
            p.window.lo_mmhg.0, p.window.hi_mmhg.0, p.danger.mmhg.0, p.description
        );
    }
    Ok(())
}
