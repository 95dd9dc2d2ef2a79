//! `mldsense bench`: score stroke detection on annotated BIDS recordings — ours (the pipeline)
//! and any other tool's predictions side by side — per file and pooled gross and average.

use anyhow::{bail, Context};
use mldsense::bids::{BidsPaths, BidsSource};
use mldsense::detect::DetectorConfig;
use mldsense::eval::{
    find_annotated, read_predictions, read_reference, score_file, summarize, Collar, GradeWindow,
    Metrics, ScoredEvent, Summary, Tally,
};
use mldsense::grade::Profile;
use mldsense::pipeline::{analyze, PipelineConfig};
use mldsense::session::SessionMeta;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Collar presets for `--collar`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CollarPreset {
    /// mir_eval onsets and transcription: 50 ms.
    #[value(name = "mir_eval")]
    MirEval,
    /// WFDB bxb (ANSI/AAMI EC38/EC57): 150 ms.
    Bxb,
    /// DCASE sed_eval: 200 ms, offsets 20 % of the reference length.
    Dcase,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable table (`table` is accepted too, its old name).
    #[value(alias = "table")]
    Text,
    /// One JSON object.
    Json,
}

/// Options of `mldsense bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset folders (searched recursively) or recordings: a `_physio.tsv[.gz]` with a
    /// sibling `_events.tsv` holding the true strokes.
    #[arg(required = true, value_name = "DATASET")]
    pub datasets: Vec<PathBuf>,
    /// Onset collar preset (offsets always within max(collar, 20 % of the true stroke)).
    #[arg(long, value_enum, default_value = "dcase")]
    pub collar: CollarPreset,
    /// Onset collar in milliseconds (overrides --collar).
    #[arg(long, value_name = "N")]
    pub collar_ms: Option<f64>,
    /// The grading window, mmHg.
    #[arg(long, value_name = "LO:HI", default_value = "30:40")]
    pub window_mmhg: String,
    /// Score another tool's strokes: `NAME=DIR` with `DIR/<stem>.json` in the
    /// `mldsense analyze --format json` shape. Repeat for several tools.
    #[arg(long, value_name = "NAME=DIR")]
    pub predictions: Vec<String>,
    /// Also run our detector with other settings, side by side: `NAME:key=value,…` (keys:
    /// rise_mmhg, min_height_mmhg, split_fraction, edge_fraction, edge_mmhg, min_duration_s,
    /// settle_s, rest_window_s, max_stroke_s, lift_s, work_rate_hz, cutoff_hz, order, notch_hz,
    /// max_rezero, spike_mmhg). Repeat for several variants.
    #[arg(long, value_name = "NAME:SETTINGS")]
    pub detector: Vec<String>,
    /// Do not run our detector with its default settings (score only --predictions and
    /// --detector variants).
    #[arg(long)]
    pub no_ours: bool,
    /// Output format: text (a table) or json.
    #[arg(short, long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Where one system's strokes come from.
enum System {
    Ours(Box<DetectorConfig>),
    Predictions(PathBuf),
}

/// One file's figures for one system.
#[derive(Serialize)]
struct FileResult {
    file: String,
    #[serde(flatten)]
    metrics: Metrics,
}

/// One system's results.
#[derive(Serialize)]
struct SystemResult {
    name: String,
    #[serde(flatten)]
    summary: Summary,
    files: Vec<FileResult>,
}

#[derive(Serialize)]
struct Report<'a> {
    collar_s: f64,
    offset_ratio: f64,
    window_mmhg: [f64; 2],
    gross: &'a Metrics,
    average: &'a Metrics,
    files: &'a [FileResult],
    systems: &'a [SystemResult],
}

/// Runs `mldsense bench`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut collar = match args.collar {
        CollarPreset::MirEval => Collar::MIR_EVAL,
        CollarPreset::Bxb => Collar::BXB,
        CollarPreset::Dcase => Collar::DCASE,
    };
    if let Some(ms) = args.collar_ms {
        if !(ms.is_finite() && ms >= 0.0) {
            bail!("--collar-ms {ms}: must be a non-negative number of milliseconds");
        }
        collar.onset_s = ms / 1000.0;
    }
    let (low, high) = Profile::parse_window(&args.window_mmhg)?;
    if !(low.0.is_finite() && high.0.is_finite() && low.0 < high.0) {
        bail!("--window-mmhg {}: LO must be below HI", args.window_mmhg);
    }
    let window = GradeWindow {
        low,
        high,
        ..GradeWindow::default()
    };

    let mut systems: Vec<(String, System)> = Vec::new();
    if !args.no_ours {
        systems.push(("mldsense".into(), System::Ours(Box::default())));
    }
    for spec in &args.detector {
        let (name, settings) = spec
            .split_once(':')
            .with_context(|| format!("--detector {spec}: expected NAME:key=value,…"))?;
        let cfg = DetectorConfig::default()
            .with_settings(settings)
            .map_err(|e| anyhow::anyhow!("--detector {spec}: {e}"))?;
        systems.push((name.to_string(), System::Ours(Box::new(cfg))));
    }
    for spec in &args.predictions {
        let (name, dir) = spec
            .split_once('=')
            .with_context(|| format!("--predictions {spec}: expected NAME=DIR"))?;
        let dir = PathBuf::from(dir);
        if !dir.is_dir() {
            bail!("--predictions {spec}: {} is not a folder", dir.display());
        }
        systems.push((name.to_string(), System::Predictions(dir)));
    }
    if systems.is_empty() {
        bail!("nothing to score: --no-ours needs at least one --predictions NAME=DIR or --detector NAME:SETTINGS");
    }

    for d in &args.datasets {
        // A missing folder is named as missing, not as "not a BIDS recording".
        std::fs::metadata(d).map_err(|e| mldsense::Error::io(d, e))?;
    }
    let recordings = find_annotated(&args.datasets)?;
    if recordings.is_empty() {
        bail!("no annotated recordings found");
    }
    let mut results: Vec<SystemResult> = systems
        .iter()
        .map(|(name, _)| SystemResult {
            name: name.clone(),
            summary: summarize(&[]),
            files: Vec::new(),
        })
        .collect();
    let mut tallies: Vec<Vec<Tally>> = vec![Vec::new(); systems.len()];
    for rec in &recordings {
        let label = rec.dir.join(&rec.stem).display().to_string();
        let reference =
            read_reference(rec).with_context(|| format!("reading the truth of {label}"))?;
        for (i, (name, system)) in systems.iter().enumerate() {
            let estimate = estimate(system, rec).with_context(|| format!("{name} on {label}"))?;
            let t = score_file(&reference, &estimate, collar, &window);
            if let Some(r) = results.get_mut(i) {
                r.files.push(FileResult {
                    file: label.clone(),
                    metrics: t.metrics(),
                });
            }
            if let Some(v) = tallies.get_mut(i) {
                v.push(t);
            }
        }
    }
    for (r, t) in results.iter_mut().zip(&tallies) {
        r.summary = summarize(t);
    }

    let out = match args.format {
        Format::Json => {
            let first = results.first().context("no systems")?;
            let report = Report {
                collar_s: collar.onset_s,
                offset_ratio: collar.offset_ratio,
                window_mmhg: [low.0, high.0],
                gross: &first.summary.gross,
                average: &first.summary.average,
                files: &first.files,
                systems: &results,
            };
            serde_json::to_string_pretty(&report)? + "\n"
        }
        Format::Text => table(&results, collar, &window),
    };
    use std::io::Write;
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn estimate(system: &System, rec: &BidsPaths) -> anyhow::Result<Vec<ScoredEvent>> {
    match system {
        System::Ours(cfg) => {
            let mut source = BidsSource::open(&rec.physio_json())?;
            let meta = SessionMeta {
                source: rec.stem.clone(),
                ..SessionMeta::default()
            };
            let pipeline = PipelineConfig {
                detector: (**cfg).clone(),
                keep_trace: false,
                ..PipelineConfig::default()
            };
            let session = analyze(&mut source, meta, pipeline)?;
            Ok(session.strokes.iter().map(ScoredEvent::from).collect())
        }
        System::Predictions(dir) => {
            let path = dir.join(format!("{}.json", rec.stem));
            if !path.is_file() {
                bail!("no predictions: {} is missing", path.display());
            }
            Ok(read_predictions(&path)?)
        }
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:.1}", 100.0 * x))
}

fn ms(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:.0}", 1000.0 * x))
}

fn mmhg(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{x:+.2}"))
}

fn row(out: &mut String, name: &str, m: &Metrics) {
    let _ = writeln!(
        out,
        "{name:<28} {:>6.0} {:>6.0} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        m.n_ref,
        m.n_est,
        pct(m.precision),
        pct(m.recall),
        pct(m.f1),
        pct(m.f1_onset_offset),
        ms(m.onset_mae_s),
        ms(m.offset_mae_s),
        m.peak_mae_mmhg.map_or("—".into(), |x| format!("{x:.2}")),
        mmhg(m.peak_bias_mmhg),
        pct(m.grade_agreement),
        pct(m.grade_agreement_all),
    );
}

fn table(results: &[SystemResult], collar: Collar, window: &GradeWindow) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "collar {:.0} ms onsets, offsets within max(collar, {:.0} % of length); window {}–{} mmHg",
        collar.onset_s * 1000.0,
        collar.offset_ratio * 100.0,
        window.low.0,
        window.high.0
    );
    let _ = writeln!(
        out,
        "grade% = grades agree, strokes whose true peak is within {:.1} mmHg of an edge left out; all% = every matched stroke",
        window.clear_margin.0
    );
    for r in results {
        let _ = writeln!(out, "\n== {} ==", r.name);
        let _ = writeln!(
            out,
            "{:<28} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
            "file",
            "ref",
            "est",
            "P%",
            "R%",
            "F1%",
            "F1on+off",
            "on ms",
            "off ms",
            "peak",
            "bias",
            "grade%",
            "all%"
        );
        for f in &r.files {
            let short = std::path::Path::new(&f.file)
                .file_name()
                .map_or(f.file.clone(), |n| n.to_string_lossy().into_owned());
            row(&mut out, &short, &f.metrics);
        }
        row(&mut out, "GROSS (all strokes)", &r.summary.gross);
        row(&mut out, "AVERAGE (mean of files)", &r.summary.average);
        let c = &r.summary.gross.confusion;
        let _ = writeln!(out, "grade confusion (rows truth, columns {}):", r.name);
        for (label, line) in c.labels.iter().zip(&c.matrix) {
            let _ = writeln!(
                out,
                "  {:<10} {:>6} {:>6} {:>6}",
                label.as_str(),
                line[0],
                line[1],
                line[2]
            );
        }
    }
    out
}
