//! `mldsense export`: a recording (or any input) written as BIDS physiological data in mmHg —
//! `sub-<label>/beh/<stem>_physio.tsv.gz` + `_physio.json`, and with `--events` the strokes our
//! pipeline finds as `_events.tsv` — so real sessions can be shared, annotated and benchmarked.

use anyhow::Context;
use mldsense::bids::{write_dataset_description_by, write_events, EventRow, PhysioWriter};
use mldsense::calibration::Calibration;
use mldsense::eval::GradeWindow;
use mldsense::grade::Profile;
use mldsense::input::Input;
use mldsense::pipeline::{Pipeline, PipelineConfig};
use mldsense::stream::{Block, PressureSource};
use std::path::{Path, PathBuf};

/// Options of `mldsense export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recording (`.mld`) to export (a BIDS file works too).
    #[arg(value_name = "RECORDING")]
    pub input: PathBuf,
    /// The BIDS dataset folder to write into (created if needed).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// The participant label (letters and digits; default: the recording's trainee, else its
    /// file name).
    #[arg(long, value_name = "LABEL")]
    pub subject: Option<String>,
    /// An author of the dataset, for `dataset_description.json` (repeat for several; the BIDS
    /// validator warns, TOO_FEW_AUTHORS, when only one is listed, as it is without this option).
    #[arg(long, value_name = "NAME")]
    pub author: Vec<String>,
    /// The task label.
    #[arg(long, default_value = "mld")]
    pub task: String,
    /// Also write the strokes our pipeline finds as `_events.tsv` (onset, duration, peak,
    /// grade), a starting point for annotation.
    #[arg(long)]
    pub events: bool,
    /// The window the `grade` column is graded against, mmHg.
    #[arg(long, value_name = "LO:HI", default_value = "30:40")]
    pub window_mmhg: String,
    /// A calibration file overriding the one stored in the recording.
    #[arg(long, value_name = "FILE.toml")]
    pub calibration: Option<PathBuf>,
}

/// BIDS labels are alphanumeric: keep letters and digits.
fn label(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Runs `mldsense export`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let calibration = match &args.calibration {
        Some(p) => Some(Calibration::load(p)?),
        None => None,
    };
    let mut input = Input::open(&args.input, calibration)
        .with_context(|| format!("opening {}", args.input.display()))?;
    let meta = input.meta();
    let subject = match (&args.subject, &meta.trainee) {
        (Some(s), _) => label(s),
        (None, Some(t)) if !label(t).is_empty() => label(t),
        _ => label(
            &args
                .input
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
    };
    let task = label(&args.task);
    if subject.is_empty() || task.is_empty() {
        return Err(super::usage(
            "the participant and task labels need letters or digits (use --subject LABEL)",
        ));
    }
    let (low, high) = Profile::parse_window(&args.window_mmhg)?;
    let window = GradeWindow {
        low,
        high,
        ..GradeWindow::default()
    };
    let info = input.info().clone();
    let beh: PathBuf = args.output.join(format!("sub-{subject}")).join("beh");
    let stem = format!("sub-{subject}_task-{task}");
    write_dataset_description_by(&args.output, "mldsense sessions", &args.author)?;
    mldsense::bids::dataset::add_participant(&args.output, &subject, meta.trainee.as_deref())?;
    if let Some(t) = meta
        .started
        .as_deref()
        .and_then(mldsense::bids::dataset::acq_time)
    {
        mldsense::bids::dataset::add_scan(
            &args.output.join(format!("sub-{subject}")),
            &format!("sub-{subject}"),
            &format!("beh/{stem}{}", mldsense::bids::PHYSIO_TSV_GZ),
            &t,
        )?;
    }
    let mut writer = PhysioWriter::create(&beh, &stem, &info)?;
    let mut pipeline = if args.events {
        Some(Pipeline::new(&info, PipelineConfig::default())?)
    } else {
        None
    };
    let mut strokes = Vec::new();
    let mut block = Block::default();
    while input.next_block(&mut block)? {
        writer.write_block(&block)?;
        if let Some(p) = pipeline.as_mut() {
            p.push_block(&block, &mut strokes);
        }
    }
    if let Some(p) = pipeline.as_mut() {
        p.finish(&mut strokes);
    }
    let rows = writer.rows_written();
    let paths = writer.finish()?;
    for w in input.warnings() {
        eprintln!("warning: {w}");
    }
    if args.events {
        // BIDS onsets count from the start of acquisition; stroke times from the first sample.
        let t0 = info.start_time_s;
        let events: Vec<EventRow> = strokes
            .iter()
            .map(|s| {
                EventRow::stroke(
                    s.onset_s + t0,
                    s.offset_s + t0,
                    s.peak,
                    Some(window.grade(s.peak).as_str()),
                )
            })
            .collect();
        write_events(&paths.events_tsv(), &events)?;
        mldsense::bids::dataset::write_events_json(&paths.events_tsv(), (low.0, high.0))?;
    }
    report(
        &paths.physio_tsv_gz(),
        rows,
        info.rate_hz,
        args.events.then_some(strokes.len()),
    );
    Ok(())
}

fn report(data: &Path, rows: u64, rate_hz: f64, strokes: Option<usize>) {
    let mut line = format!(
        "wrote {} ({rows} rows, {:.1} s)",
        data.display(),
        rows as f64 / rate_hz
    );
    if let Some(n) = strokes {
        line.push_str(&format!(" and {n} detected strokes in _events.tsv"));
    }
    eprintln!("{line}");
}
