//! `mldsense live`: practise with live feedback. Reads the glove (or the virtual glove, served on
//! a pseudo-terminal and read through the real serial path), shows the terminal view — or, when
//! stdout is not a terminal, prints one line per stroke — records the session if asked, and
//! writes the report at the end.

use anyhow::{bail, Context};
use mldsense::calibration::Calibration;
use mldsense::grade::{grade_session_with, Certainty};
use mldsense::live::app::{print_batch, run_lines, run_terminal, Bell};
use mldsense::live::engine::{target_window, LiveEngine};
use mldsense::live::lines;
use mldsense::live::reader::Reader;
use mldsense::live::replay::PacedSource;
use mldsense::live::rhythm::Rhythm;
use mldsense::live::LiveState;
use mldsense::pipeline::PipelineConfig;
use mldsense::report::{self, Format};
use mldsense::serial::{RecordTo, SerialSource};
use mldsense::session::SessionMeta;
use mldsense::sim::SimServer;
use mldsense::sim::{GloveConfig, Style};
use mldsense::stream::PressureSource;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Options of `mldsense live`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["port", "sim", "replay"])))]
#[command(after_help = "\
Examples:
  mldsense live --port /dev/ttyACM0 --trainee Anna      practise; recorded into mldsense-sessions/
  mldsense live --port /dev/ttyACM0 --trainee Anna --blind   feedback hidden, debrief at the end
  mldsense live --replay mldsense-sessions/anna_2026-12-02_0930.mld --speed 2
  mldsense live --sim steady                            the virtual glove (not recorded)
  mldsense live --port /dev/ttyACM0 --trainee Anna --join 192.168.1.20:7878 --join-code ABCD-EFGH
                                   also on the instructor's classroom screen (mldsense classroom)

A session from a glove is recorded unless --no-record: into --sessions DIR (default
mldsense-sessions/), named by trainee and start time, with an HTML report beside it.")]
pub struct Args {
    /// The glove's serial port (see `mldsense ports`).
    #[arg(long, value_name = "PATH")]
    pub port: Option<String>,
    /// Practise against the virtual glove with this trainee style instead of a real glove.
    #[arg(long, value_enum, value_name = "STYLE")]
    pub sim: Option<super::StyleArg>,
    /// Virtual glove: seed of the session.
    #[arg(long, default_value_t = 1, requires = "sim")]
    pub seed: u64,
    /// Virtual glove: length of the session, seconds.
    #[arg(long, default_value_t = 3600.0, requires = "sim")]
    pub duration: f64,
    /// Virtual glove or replay: run this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Play a recording (`.mld`, or a BIDS file) through the live view at its own pace (times
    /// --speed), to go through a session with a student.
    #[arg(long, value_name = "FILE.mld")]
    pub replay: Option<PathBuf>,
    /// Record the session to this file (`.mld`) while it runs; nothing is lost on quit, crash
    /// or unplug. Default for a glove: a file in --sessions named by trainee and time.
    #[arg(long, value_name = "FILE.mld", conflicts_with = "no_record")]
    pub record: Option<PathBuf>,
    /// Do not record the session.
    #[arg(long)]
    pub no_record: bool,
    /// The folder sessions are recorded into by default.
    #[arg(long, value_name = "DIR", default_value = "mldsense-sessions")]
    pub sessions: PathBuf,
    /// Blind practice: hide the verdicts, counts, score and target while practising, and show
    /// the full debrief at the end (a retention test: was the skill learnt, or leaned on?).
    #[arg(long)]
    pub blind: bool,
    /// Write the report here at the end (format from the extension: .html, .json, .csv, .txt).
    /// Default with --record: an HTML report next to the recording.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Technique profile: a built-in name (default, face-neck, fibrotic) or a TOML file.
    #[arg(long, default_value = "default", value_name = "NAME|FILE")]
    pub profile: String,
    /// Override the profile's target window, mmHg.
    #[arg(long, value_name = "LO:HI")]
    pub window_mmhg: Option<String>,
    /// The trainee's name (recording header and report).
    #[arg(long)]
    pub trainee: Option<String>,
    /// A note (recording header and report).
    #[arg(long)]
    pub note: Option<String>,
    /// Calibration file for the glove's sensors.
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,
    /// Wait for the glove to come back after an unplug, and carry on.
    #[arg(long)]
    pub reconnect: bool,
    /// Baud rate (ignored by USB gloves and pseudo-terminals).
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
    /// Also show this session on the instructor's classroom screen (`mldsense classroom`
    /// prints the address). Your view, recording and report are the same with or without it;
    /// if the network drops, the classroom catches up when it comes back.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "replay")]
    pub join: Option<String>,
    /// The classroom's join code (printed by `mldsense classroom` on a network address).
    #[arg(long, value_name = "CODE", requires = "join")]
    pub join_code: Option<String>,
}

/// A session id for the classroom: random, so two students' sessions never share a tile, and
/// kept for the whole session, so a reconnect finds its own.
fn session_id() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    format!("{:016x}{:08x}", rng.gen::<u64>(), rng.gen::<u32>())
}

/// Starts the classroom link of `--join`, if asked.
fn join_classroom(
    args: &Args,
    info: &mldsense::stream::StreamInfo,
    profile: &mldsense::grade::Profile,
) -> anyhow::Result<Option<mldsense::classroom::Link>> {
    use mldsense::classroom::message::{Hello, Window, VERSION};
    let Some(join) = &args.join else {
        return Ok(None);
    };
    use mldsense::classroom::message::{clean_name, MAX_CHANNEL_NAME_CHARS, MAX_NAME_CHARS};
    let host = mldsense::classroom::link::parse_address(join).map_err(super::usage)?;
    let hello = Hello {
        version: VERSION,
        code: args.join_code.clone(),
        session: session_id(),
        // Fitted to the classroom's bounds here, so a long name is shortened, not refused.
        trainee: clean_name(args.trainee.as_deref().unwrap_or(""), MAX_NAME_CHARS),
        channels: info
            .channels
            .iter()
            .take(mldsense::classroom::message::MAX_CHANNELS)
            .map(|c| clean_name(&c.name, MAX_CHANNEL_NAME_CHARS))
            .collect(),
        window: Window {
            low_mmhg: profile.window.lo_mmhg.0,
            high_mmhg: profile.window.hi_mmhg.0,
            danger_mmhg: profile.danger.mmhg.0,
        },
        target_per_min: 60.0 / profile.rhythm.period_s,
    };
    crate::cli::say!("classroom: joining {host}");
    let link =
        mldsense::classroom::Link::start(host, hello).context("starting the classroom link")?;
    Ok(Some(link))
}

/// Ends the classroom link: the strokes it missed and the session's class-view row, then a
/// line saying what the classroom got.
fn leave_classroom(
    link: mldsense::classroom::Link,
    record: Option<mldsense::class::SessionRecord>,
) {
    let end = link.finish(record, std::time::Duration::from_secs(3));
    if end.record_delivered && end.delivered == end.strokes {
        crate::cli::say!(
            "classroom: got all {} strokes and the session's result",
            end.strokes
        );
    } else {
        crate::cli::say!(
            "classroom: got {} of {} strokes{}{} (your recording and report have them all)",
            end.delivered,
            end.strokes,
            if end.record_delivered {
                ""
            } else {
                ", not the session's result"
            },
            end.last_problem
                .map(|p| format!("; {p}"))
                .unwrap_or_default()
        );
    }
}

fn report_path(args: &Args, record: Option<&Path>) -> Option<PathBuf> {
    args.report
        .clone()
        .or_else(|| record.map(|r| r.with_extension("html")))
}

/// Where a glove session is recorded: `--record`, else (unless `--no-record`) a new file in
/// `--sessions` named by trainee and local start time, e.g.
/// `mldsense-sessions/anna_2026-12-02_0930.mld` (UTC); never an existing file. A virtual glove or a
/// replay is not recorded by default: the one is regenerated from its seed, the other is a
/// recording already.
fn recording_path(args: &Args) -> anyhow::Result<Option<PathBuf>> {
    if let Some(p) = &args.record {
        return Ok(Some(p.clone()));
    }
    if args.no_record || args.port.is_none() {
        return Ok(None);
    }
    // UTC: the local offset cannot be read safely in a multi-threaded process.
    let now = time::OffsetDateTime::now_utc();
    let stamp = now
        .format(time::macros::format_description!(
            "[year]-[month]-[day]_[hour][minute]"
        ))
        .unwrap_or_else(|_| "session".into());
    let who = args
        .trainee
        .as_deref()
        .map(mldsense::class::naming::slug)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "session".into());
    std::fs::create_dir_all(&args.sessions)
        .with_context(|| format!("creating the sessions folder {}", args.sessions.display()))?;
    let mut path = args.sessions.join(format!("{who}_{stamp}.mld"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = args.sessions.join(format!("{who}_{stamp}-{n}.mld"));
    }
    Ok(Some(path))
}

fn format_of(path: &Path) -> Format {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(|e| e.parse().ok())
        .unwrap_or(Format::Html)
}

/// Runs `mldsense live`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let profile = super::analyze::resolve_profile(&args.profile, args.window_mmhg.as_deref())?;
    if let Some(d) = args.sim.map(|_| args.duration) {
        if !(d.is_finite() && d > 0.0) {
            return Err(super::usage(format!(
                "--duration must be a positive number of seconds, got {d}"
            )));
        }
    }
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(super::usage(format!(
            "--speed must be positive, got {}",
            args.speed
        )));
    }
    if args.speed != 1.0 && args.port.is_some() {
        return Err(super::usage(
            "--speed paces a virtual glove or a replay; a real glove sends at its own rate",
        ));
    }
    if let Some(file) = &args.replay {
        return replay(&args, file, profile);
    }
    let record = recording_path(&args)?;
    let mut calibration = match &args.calibration {
        Some(p) => Some(
            Calibration::load(p)
                .with_context(|| format!("reading the calibration {}", p.display()))?,
        ),
        None => None,
    };
    let (port, sim, source_name) = match (&args.port, args.sim.map(Style::from)) {
        (Some(port), _) => (port.clone(), None, port.clone()),
        (None, Some(style)) => {
            let config = GloveConfig {
                style,
                seed: args.seed,
                duration_s: args.duration,
                ..GloveConfig::default()
            };
            let server =
                SimServer::start(config, args.speed).context("starting the virtual glove")?;
            calibration.get_or_insert_with(|| server.calibration().clone());
            let name = format!("virtual glove ({}) on {}", style.name(), server.path());
            (server.path().to_string(), Some(server), name)
        }
        (None, None) => bail!("give --port PATH or --sim STYLE"),
    };

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second Ctrl-C while the first is being handled ends the process at once.
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))
            .context("installing the Ctrl-C handler")?;
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("installing the Ctrl-C handler")?;
    }

    let calibration_in_use = calibration.clone();
    let mut builder = SerialSource::builder(port.clone())
        .baud(args.baud)
        .reconnect(args.reconnect)
        .calibration(calibration);
    if let Some(path) = &record {
        crate::cli::say!("recording to {}", path.display());
        builder = builder.record_to(RecordTo {
            path: path.clone(),
            trainee: args.trainee.clone(),
            note: args.note.clone(),
        });
    }
    let opened = builder.open();
    let source = match opened {
        Ok(s) => s,
        Err(e) => {
            if let Some(s) = sim {
                s.stop();
            }
            return Err(e).context(format!("opening the glove on {port}"));
        }
    };
    let info = source.info().clone();
    let area = info
        .channels
        .iter()
        .find_map(|c| c.area)
        .unwrap_or(mldsense::units::SquareMillimetres::FSR_402);
    let certainty = Certainty::of(calibration_in_use.as_ref(), area);
    let engine = LiveEngine::new(&info, profile.clone(), PipelineConfig::default())
        .with_context(|| format!("the stream from {port}"))?
        .with_certainty(certainty.clone());
    let link = join_classroom(&args, &info, &profile)?;
    let mut state = LiveState::new(
        info.channels.iter().map(|c| c.name.clone()).collect(),
        target_window(&profile),
        Rhythm::of(&profile),
    );
    state.source = source_name.clone();
    state.certainty = Some(certainty.sentence(profile.window_mid()));
    state.reconnects = args.reconnect;
    state.recording = record.as_ref().map(|p| p.display().to_string());
    state.blind = args.blind;

    let started = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .ok();
    let reader = Reader::spawn_with_tap(source, engine, link.as_ref().map(|l| l.tap()))
        .context("starting the reader thread")?;
    let updates = reader.updates.clone();
    let tty = std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    let shown = if tty {
        run_terminal(&reader, &mut state, &stop, bell()).context("running the terminal view")
    } else {
        run_lines(&reader, &mut state, &stop, &mut out).context("printing strokes")
    };
    reader.stop();
    let end = reader.join();
    if let Some(s) = sim {
        s.stop();
    }
    // The report is written whatever stopped the view (a closed pipe included); only then is
    // the view's own failure reported.
    let mut printed: std::io::Result<()> = Ok(());
    // What the reader sent after the view stopped (the stroke closed at the end).
    for batch in updates.try_iter() {
        if tty || printed.is_err() {
            batch.into_iter().for_each(|u| state.apply(u));
        } else {
            printed = print_batch(batch, &mut state, &mut out);
        }
    }
    let Some(end) = end else {
        shown?;
        bail!("the reader thread failed; the recording (if any) holds everything received");
    };
    if printed.is_ok() {
        printed = lines::summary(&state)
            .iter()
            .try_for_each(|line| writeln!(out, "{line}"));
    }
    match (&record, printed.is_ok()) {
        (Some(path), true) => printed = writeln!(out, "recording: {}", path.display()),
        (None, true) if args.port.is_some() => {
            printed = writeln!(out, "not recorded (--no-record)");
        }
        _ => {}
    }
    let meta = SessionMeta {
        source: source_name,
        trainee: args.trainee.clone(),
        note: args.note.clone(),
        started,
    };
    let report = report_path(&args, record.as_deref());
    let label = record.as_deref().and_then(|p| p.file_name()).map_or_else(
        || "live session".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let finished = finish(
        end.engine,
        meta,
        (&profile, &certainty),
        report.as_deref(),
        args.blind,
        &mut out,
        &mut printed,
        label,
    );
    if let Some(link) = link {
        leave_classroom(link, finished.as_ref().ok().cloned());
    }
    finished?;
    shown?;
    printed.context("printing the summary")?;
    if let Some(e) = end.error {
        return Err(e).context("reading the glove");
    }
    Ok(())
}

/// Ends a session: the report file (if any) and, in blind practice, the debrief on the terminal:
/// the whole text report, verdicts and all, now that practice is over. Returns the session's
/// class-view row (named `label`), for the classroom.
#[allow(clippy::too_many_arguments)]
fn finish(
    engine: LiveEngine,
    meta: SessionMeta,
    (profile, certainty): (&mldsense::grade::Profile, &Certainty),
    report_file: Option<&Path>,
    blind: bool,
    out: &mut dyn Write,
    printed: &mut std::io::Result<()>,
    label: String,
) -> anyhow::Result<mldsense::class::SessionRecord> {
    let session = engine.into_session(meta);
    let graded = grade_session_with(&session, profile, certainty);
    let row = mldsense::class::SessionRecord::new(&session, &graded, label);
    if let Some(path) = report_file {
        let mut file = std::fs::File::create(path)
            .with_context(|| format!("creating the report {}", path.display()))?;
        report::render(&session, &graded, format_of(path), &mut file)
            .with_context(|| format!("writing the report {}", path.display()))?;
        if printed.is_ok() {
            *printed = writeln!(out, "report: {}", path.display());
        }
    }
    if blind && printed.is_ok() {
        *printed = writeln!(
            out,
            "\n=== Debrief: the session you just practised blind ===\n"
        );
        if printed.is_ok() {
            let mut text = Vec::new();
            report::render(&session, &graded, Format::Text, &mut text)?;
            *printed = out.write_all(&text);
        }
    }
    Ok(row)
}

/// `live --replay FILE`: the recording through the live view at its own pace.
fn replay(args: &Args, file: &Path, profile: mldsense::grade::Profile) -> anyhow::Result<()> {
    let calibration = match &args.calibration {
        Some(p) => Some(
            Calibration::load(p)
                .with_context(|| format!("reading the calibration {}", p.display()))?,
        ),
        None => None,
    };
    let certainty_calibration = calibration.clone();
    let input = mldsense::input::Input::open(file, calibration)?;
    let mut meta = input.meta();
    if args.trainee.is_some() {
        meta.trainee = args.trainee.clone();
    }
    let info = input.info().clone();
    let area = info
        .channels
        .iter()
        .find_map(|c| c.area)
        .unwrap_or(mldsense::units::SquareMillimetres::FSR_402);
    let header_calibration = match &input {
        mldsense::input::Input::Recording(r) => r.header().calibration.clone(),
        _ => None,
    };
    let certainty = Certainty::of(certainty_calibration.or(header_calibration).as_ref(), area);
    let source = PacedSource::new(input, args.speed);
    let engine = LiveEngine::new(&info, profile.clone(), PipelineConfig::default())
        .with_context(|| format!("the stream from {}", file.display()))?
        .with_certainty(certainty.clone());
    let mut state = LiveState::new(
        info.channels.iter().map(|c| c.name.clone()).collect(),
        target_window(&profile),
        Rhythm::of(&profile),
    );
    state.certainty = Some(certainty.sentence(profile.window_mid()));
    state.source = format!(
        "replay of {} ×{}{}",
        file.display(),
        args.speed,
        meta.trainee
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    state.blind = args.blind;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))
            .context("installing the Ctrl-C handler")?;
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("installing the Ctrl-C handler")?;
    }
    let reader = Reader::spawn(source, engine).context("starting the reader thread")?;
    let updates = reader.updates.clone();
    let tty = std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    let shown = if tty {
        run_terminal(&reader, &mut state, &stop, bell()).context("running the terminal view")
    } else {
        run_lines(&reader, &mut state, &stop, &mut out).context("printing strokes")
    };
    reader.stop();
    let end = reader.join();
    let mut printed: std::io::Result<()> = Ok(());
    for batch in updates.try_iter() {
        if tty || printed.is_err() {
            batch.into_iter().for_each(|u| state.apply(u));
        } else {
            printed = print_batch(batch, &mut state, &mut out);
        }
    }
    let Some(end) = end else {
        shown?;
        bail!("the reader thread failed");
    };
    if printed.is_ok() {
        printed = lines::summary(&state)
            .iter()
            .try_for_each(|line| writeln!(out, "{line}"));
    }
    let report = args.report.clone();
    finish(
        end.engine,
        meta,
        (&profile, &certainty),
        report.as_deref(),
        args.blind,
        &mut out,
        &mut printed,
        file.display().to_string(),
    )?;
    shown?;
    printed.context("printing the summary")?;
    if let Some(e) = end.error {
        return Err(e).context(format!("reading {}", file.display()));
    }
    Ok(())
}

/// The bell the terminal view rings on a danger stroke: none with `-q`.
fn bell() -> Bell {
    if crate::cli::verbosity() > crate::cli::Verbosity::Quiet {
        Bell::OnDanger
    } else {
        Bell::Silent
    }
}
