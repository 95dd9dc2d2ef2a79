//! `mldsense demo`: the main job out of the box. The virtual glove plays a short session on a
//! pseudo-terminal; the real serial source opens it like a glove's port, records it, and feeds
//! the whole pipeline; the session is graded and reported, and — since the virtual glove knows
//! the truth — the detector is checked against it.

use anyhow::Context;
use mldsense::eval::{score_file, Collar, GradeWindow, ScoredEvent};
use mldsense::grade::Grade;
use mldsense::pipeline::{Pipeline, PipelineConfig};
use mldsense::report::{self, Format};
use mldsense::serial::source::{RecordTo, SerialSource};
use mldsense::sim::{GloveConfig, SimServer, Style};
use mldsense::stream::{Block, PressureSource};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Options of `mldsense demo`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes into the output folder: session.mld (the recording), report.html (open it in a browser),
report.json, strokes.csv, report.txt and charts/*.png. Re-grade the recording any time with
`mldsense analyze mldsense-demo/session.mld`.")]
pub struct Args {
    /// The trainee the virtual glove imitates.
    #[arg(long, value_enum, default_value_t = super::StyleArg::Novice)]
    pub style: super::StyleArg,
    /// Seed of the session: the same seed gives the same session.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Length of the session, seconds of practice.
    #[arg(long, default_value_t = 60.0)]
    pub duration: f64,
    /// Play the session this many times faster than real time.
    #[arg(long, default_value_t = 8.0)]
    pub speed: f64,
    /// Folder for the recording and the reports.
    #[arg(short, long, default_value = "mldsense-demo")]
    pub output: PathBuf,
    /// Technique profile: a built-in name or a TOML file.
    #[arg(long, value_name = "NAME|FILE", default_value = "default")]
    pub profile: String,
    /// Override the profile's target window, mmHg, as LO:HI.
    #[arg(long, value_name = "LO:HI")]
    pub window_mmhg: Option<String>,
    /// The trainee's name, shown in the reports.
    #[arg(long, default_value = "Demo trainee")]
    pub trainee: String,
}

/// Runs `mldsense demo`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if !(args.duration.is_finite() && args.duration > 0.0 && args.duration <= 3600.0) {
        anyhow::bail!("--duration must be 0–3600 seconds, got {}", args.duration);
    }
    if !(args.speed.is_finite() && args.speed > 0.0) {
        anyhow::bail!("--speed must be positive, got {}", args.speed);
    }
    let profile = super::analyze::resolve_profile(&args.profile, args.window_mmhg.as_deref())?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let recording = args.output.join("session.mld");

    let style = Style::from(args.style);
    let config = GloveConfig {
        style,
        seed: args.seed,
        duration_s: args.duration,
        ..GloveConfig::default()
    };
    let server = SimServer::start(config, args.speed)?;
    let calibration = server.calibration().clone();
    eprintln!(
        "virtual glove ({} trainee, seed {}) on {}; {:.0} s of practice at {}× speed",
        style.name(),
        args.seed,
        server.path(),
        args.duration,
        args.speed
    );
    let mut source = SerialSource::builder(server.path())
        .calibration(Some(calibration.clone()))
        .record_to(RecordTo {
            path: recording.clone(),
            trainee: Some(args.trainee.clone()),
            note: Some(format!(
                "mldsense demo: virtual glove, style {}, seed {}",
                style.name(),
                args.seed
            )),
        })
        .open()
        .context("opening the virtual glove through the serial source")?;

    let info = source.info().clone();
    let mut pipeline = Pipeline::new(&info, PipelineConfig::default())?;
    let mut strokes = Vec::new();
    let mut block = Block::default();
    let progress = std::io::stderr().is_terminal();
    while source.next_block(&mut block)? {
        pipeline.push_block(&block, &mut strokes);
        for notice in source.take_notices() {
            if !notice.contains("disconnected") {
                eprintln!("{notice}");
            }
        }
        if progress {
            eprint!(
                "\r  {:5.1} s received, {} strokes found",
                pipeline.rows() as f64 / info.rate_hz,
                strokes.len()
            );
        }
    }
    pipeline.finish(&mut strokes);
    if progress {
        eprintln!();
    }
    let truth = server.truth().to_vec();
    server.stop();
    source.stop()?;

    let meta = mldsense::session::SessionMeta {
        source: recording.display().to_string(),
        trainee: Some(args.trainee.clone()),
        note: Some(format!(
            "virtual glove, style {}, seed {}",
            style.name(),
            args.seed
        )),
        started: None,
    };
    let session = pipeline.into_session(meta, strokes);
    let area = info
        .channels
        .iter()
        .find_map(|c| c.area)
        .unwrap_or(mldsense::units::SquareMillimetres::FSR_402);
    let certainty = mldsense::grade::Certainty::of(Some(&calibration), area);
    let graded = mldsense::grade::grade_session_with(&session, &profile, &certainty);

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    report::render(&session, &graded, Format::Text, &mut out)?;
    out.flush()?;

    let written = write_reports(&args.output, &session, &graded)?;
    let reference: Vec<ScoredEvent> = truth
        .iter()
        .map(|t| ScoredEvent {
            onset_s: t.onset_s,
            offset_s: t.offset_s,
            peak: Some(t.peak),
            grade: None,
        })
        .collect();
    let estimate: Vec<ScoredEvent> = session
        .strokes
        .iter()
        .map(|s| ScoredEvent {
            onset_s: s.onset_s,
            offset_s: s.offset_s,
            peak: Some(s.peak),
            grade: None,
        })
        .collect();
    let window = GradeWindow::of(&profile);
    let m = score_file(&reference, &estimate, Collar::DCASE, &window).metrics();
    eprintln!(
        "\nchecked against the virtual glove's truth ({} strokes): detection F1 {}, onset+offset F1 {}, mean peak error {} mmHg, grades agree on {} of all strokes ({} leaving out those within {:.1} mmHg of an edge)",
        reference.len(),
        pct(m.f1),
        pct(m.f1_onset_offset),
        m.peak_mae_mmhg.map_or("n/a".into(), |e| format!("{e:.2}")),
        pct(m.grade_agreement_all),
        pct(m.grade_agreement),
        window.clear_margin.0,
    );
    let in_window = graded
        .strokes
        .iter()
        .filter(|g| g.grade == Grade::InWindow)
        .count();
    eprintln!(
        "{in_window} of {} strokes in the window. Wrote to {}/:",
        graded.strokes.len(),
        args.output.display()
    );
    for p in written {
        eprintln!("  {}", p.display());
    }
    eprintln!(
        "Open {} in a browser; re-grade with `mldsense analyze {}`.",
        args.output.join("report.html").display(),
        recording.display()
    );
    Ok(())
}

fn write_reports(
    dir: &Path,
    session: &mldsense::session::Session,
    graded: &mldsense::grade::GradedSession,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = vec![dir.join("session.mld")];
    for (name, format) in [
        ("report.html", Format::Html),
        ("report.json", Format::Json),
        ("strokes.csv", Format::Csv),
        ("report.txt", Format::Text),
    ] {
        let path = dir.join(name);
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        );
        report::render(session, graded, format, &mut file)?;
        file.flush()
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    written.extend(report::write_png_charts(
        session,
        graded,
        &dir.join("charts"),
    )?);
    Ok(written)
}

fn pct(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{:.1} %", v * 100.0))
}
