//! `mldsense analyze`: find, grade and report the strokes of recordings and BIDS files — one
//! session, or a whole class at once.

use anyhow::{bail, Context};
use mldsense::analysis::analyze_file;
use mldsense::calibration::Calibration;
use mldsense::class::{progress, ReportNames, SessionRecord};
use mldsense::grade::{GradedSession, Profile};
use mldsense::input::discover;
use mldsense::report::{self, ClassView, Format};
use mldsense::session::Session;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options of `mldsense analyze`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mldsense analyze session.mld                         a readable summary
  mldsense analyze session.mld -o r.html               one self-contained HTML report
  mldsense analyze sub-01_physio.tsv.gz --window-mmhg 25:35 --format json
  mldsense analyze class/ -f html -o reports/          a report per session, class.html, progress.html
  mldsense analyze class/ --sort name                  the class view on the terminal, by name

Exit status: 0 when every input was analysed, 1 when any input failed (the others are still
reported), 2 on a usage error.")]
pub struct Args {
    /// Recordings (.mld), BIDS physiological files (STEM_physio.tsv.gz, .tsv or .json, or the
    /// stem), or folders holding them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Report format: text (a readable summary), json (schema in docs/REPORT_SCHEMA.md), csv
    /// (one row per stroke) or html (one self-contained file with charts). Default: from the
    /// extension of -o, else text.
    #[arg(short, long, value_enum)]
    pub format: Option<super::FormatArg>,

    /// Where to write: a file for one input (default: standard output); for several, a folder
    /// (one report per session, named by trainee, date and path, plus class and progress), or a
    /// file (the class view, with the session reports in a folder of the same name beside it).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// How the class view ranks the sessions.
    #[arg(long, value_enum, default_value_t = super::ClassOrderArg::Score)]
    pub sort: super::ClassOrderArg,

    /// Technique profile: a built-in name (see --list-profiles) or a TOML file (such as one
    /// written by `mldsense profile --from`).
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
///
/// A built-in name that does not exist or a window that does not parse is a usage error
/// (exit 2); a profile file that exists but is malformed is bad data (exit 1).
pub fn resolve_profile(profile: &str, window: Option<&str>) -> anyhow::Result<Profile> {
    let named_file = Path::new(profile).exists();
    let mut p = Profile::resolve(profile).map_err(|e| {
        if named_file {
            anyhow::Error::new(e)
        } else {
            super::usage(e.to_string())
        }
    })?;
    if let Some(spec) = window {
        let (lo, hi) = Profile::parse_window(spec).map_err(|e| super::usage(e.to_string()))?;
        p = p
            .with_window(lo, hi)
            .map_err(|e| super::usage(e.to_string()))?;
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
        let format = super::report_format(args.format, args.output.as_deref())?;
        let (session, graded) = analyze_one(&inputs[0], calibration, &profile)?;
        write_report(&session, &graded, format, args.output.as_deref())?;
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
    let analysis = analyze_file(path, calibration, profile)?;
    for w in &analysis.warnings {
        eprintln!("warning: {w}");
    }
    Ok((analysis.session, analysis.graded))
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

/// Where the class's outputs go.
struct ClassOut {
    /// The class view's file (`None`: standard output).
    view: Option<PathBuf>,
    /// The folder of the session reports, and how the class view links to it.
    sessions: Option<(PathBuf, String)>,
    /// The progress file, and the class view's link to it.
    progress: Option<(PathBuf, String)>,
    format: Format,
}

impl ClassOut {
    fn new(args: &Args) -> anyhow::Result<ClassOut> {
        let Some(out) = &args.output else {
            return Ok(ClassOut {
                view: None,
                sessions: None,
                progress: None,
                format: args.format.map_or(Format::Text, Format::from),
            });
        };
        let named_format = out
            .extension()
            .and_then(|e| e.to_str())
            .and_then(|e| e.parse::<Format>().ok());
        if named_format.is_some() && !out.is_dir() {
            // `-o class.html`: the class view there, the sessions in `class/` beside it.
            let format = super::report_format(args.format, Some(out))?;
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "class".into());
            let dir = out.with_file_name(&stem);
            let progress = out.with_file_name(format!("{stem}-progress.{}", format.extension()));
            let progress_link = format!("{stem}-progress.{}", format.extension());
            return Ok(ClassOut {
                view: Some(out.clone()),
                sessions: Some((dir, format!("{stem}/"))),
                progress: Some((progress, progress_link)),
                format,
            });
        }
        let format = args.format.map_or(Format::Text, Format::from);
        Ok(ClassOut {
            view: Some(out.join(format!("class.{}", format.extension()))),
            sessions: Some((out.clone(), String::new())),
            progress: Some((
                out.join(format!("progress.{}", format.extension())),
                format!("progress.{}", format.extension()),
            )),
            format,
        })
    }
}

/// The folder the inputs' relative paths are given from: the one folder named, or the deepest
/// folder holding everything named.
fn class_root(named: &[PathBuf]) -> PathBuf {
    let dirs: Vec<PathBuf> = named
        .iter()
        .map(|p| {
            let abs = std::path::absolute(p).unwrap_or_else(|_| p.clone());
            if p.is_dir() {
                abs
            } else {
                abs.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        })
        .collect();
    let Some(first) = dirs.first() else {
        return PathBuf::new();
    };
    let mut root = first.clone();
    for d in &dirs[1..] {
        while !d.starts_with(&root) {
            if !root.pop() {
                return PathBuf::new();
            }
        }
    }
    root
}

/// `path` relative to `root`, `/`-separated (as shown and linked).
fn relative(path: &Path, root: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn create(path: &Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    Ok(std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    ))
}

/// Analyses every input, writes one report per session (names from trainee, date and relative
/// path: never two alike), then the class view and each trainee's progress.
fn analyze_class(
    inputs: &[PathBuf],
    calibration: Option<Calibration>,
    profile: &Profile,
    args: &Args,
) -> anyhow::Result<()> {
    let out = ClassOut::new(args)?;
    if let Some((dir, _)) = &out.sessions {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let root = class_root(&args.inputs);
    let mut names = ReportNames::with_reserved(["class", "progress"]);
    let mut records = Vec::new();
    let (mut failed, mut replaced) = (0usize, 0usize);
    for path in inputs {
        match analyze_one(path, calibration.clone(), profile) {
            Ok((session, graded)) => {
                let rel = relative(path, &root);
                let mut record = SessionRecord::new(&session, &graded, slash(&rel));
                let stem = names.name(
                    session.meta.trainee.as_deref(),
                    record.date.as_deref(),
                    &rel,
                );
                if let Some((dir, link)) = &out.sessions {
                    let name = format!("{stem}.{}", out.format.extension());
                    let file = dir.join(&name);
                    if file.exists() {
                        replaced += 1;
                        if super::verbosity() >= super::Verbosity::Verbose {
                            eprintln!("replacing {}", file.display());
                        }
                    }
                    write_report(&session, &graded, out.format, Some(&file))?;
                    record.report = Some(format!("{link}{name}"));
                }
                if let Some(charts) = &args.charts {
                    report::write_png_charts(&session, &graded, &charts.join(&stem))?;
                }
                // Only the record is kept: a class of hundreds of sessions holds no traces.
                records.push(record);
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {}", super::one_line(&e));
            }
        }
    }
    let view = ClassView {
        records: &records,
        profile,
        order: args.sort.into(),
        progress_link: out.progress.as_ref().map(|(_, l)| l.clone()),
    };
    match &out.view {
        Some(path) => {
            let mut file = create(path)?;
            report::write_class(&view, out.format, &mut file)?;
            file.flush()
                .with_context(|| format!("writing {}", path.display()))?;
            if let Some((progress_path, _)) = &out.progress {
                let trainees = progress(&records, 60.0 / profile.rhythm.period_s);
                let mut file = create(progress_path)?;
                report::progress::write_progress(&trainees, profile, out.format, &mut file)?;
                file.flush()
                    .with_context(|| format!("writing {}", progress_path.display()))?;
            }
            crate::cli::say!(
                "wrote {} session report(s){}, {}{}",
                records.len(),
                if replaced > 0 {
                    format!(" ({replaced} replacing reports of an earlier run)")
                } else {
                    String::new()
                },
                path.display(),
                out.progress
                    .as_ref()
                    .map(|(p, _)| format!(" and {}", p.display()))
                    .unwrap_or_default()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut o = std::io::BufWriter::new(stdout.lock());
            report::write_class(&view, out.format, &mut o)?;
            o.flush()?;
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
