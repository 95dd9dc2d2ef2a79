//! `mldsense simulate`: the virtual glove on a pseudo-terminal (a port any serial client can
//! open), straight into a recording, as ground truth, or as a BIDS dataset.

use anyhow::{bail, Context};
use mldsense::bids;
use mldsense::sim::firmware::{record_session_as, Firmware};
use mldsense::sim::pty::{PtyGlove, ServeEnd};
use mldsense::sim::truth::{save_tsv, TruthStroke};
use mldsense::sim::{GloveConfig, Imperfections, SimSource, VirtualGlove};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The longest session simulated: a day (the whole plan is made up front, ~100 bytes a stroke).
const MAX_DURATION_S: f64 = 86_400.0;

/// Options of `mldsense simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The trainee to imitate.
    #[arg(long, value_enum, default_value_t = super::StyleArg::Steady)]
    pub style: super::StyleArg,
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
    /// The trainee's name: in the recording's header, or as the BIDS participant (its letters
    /// and digits are the `sub-` label; the name goes to `participants.tsv`).
    #[arg(long)]
    pub trainee: Option<String>,
    /// When the session took place, `YYYY-MM-DD` or RFC 3339 (default: now): the recording's
    /// start time, or the BIDS session (`ses-YYYYMMDD`) and its `_scans.tsv` time.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// `--date` as an RFC 3339 time (a bare date starts at 09:00 UTC), or a usage error.
fn start_time(date: &str) -> anyhow::Result<String> {
    let d = date.trim();
    let bad = || {
        super::usage(format!(
            "--date {date}: expected YYYY-MM-DD or an RFC 3339 time such as 2026-11-02T09:30:00Z"
        ))
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let day = d.get(..10).ok_or_else(bad)?;
    if !d.is_char_boundary(10) {
        return Err(bad());
    }
    let parts: Vec<&str> = day.split('-').collect();
    let [y, m, dd] = parts.as_slice() else {
        return Err(bad());
    };
    let in_range = |s: &str, hi: u32| s.parse::<u32>().is_ok_and(|v| (1..=hi).contains(&v));
    if !(y.len() == 4
        && digits(y)
        && m.len() == 2
        && in_range(m, 12)
        && dd.len() == 2
        && in_range(dd, 31))
    {
        return Err(bad());
    }
    match d.get(10..) {
        None | Some("") => Ok(format!("{day}T09:00:00Z")),
        Some(rest) => {
            // Thh:mm:ss, optional fraction, then Z or ±hh:mm (bytes: no slicing of a
            // multi-byte character can panic).
            let b = rest.as_bytes();
            let num = |r: std::ops::Range<usize>| {
                b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit))
            };
            let clock_ok = b.len() >= 9
                && matches!(b[0], b'T' | b't' | b' ')
                && num(1..3)
                && b[3] == b':'
                && num(4..6)
                && b[6] == b':'
                && num(7..9);
            let mut k = 9;
            while b.get(k).is_some_and(|c| *c == b'.' || c.is_ascii_digit()) {
                k += 1;
            }
            let zone = b.get(k..).unwrap_or_default();
            let zone_ok = zone.eq_ignore_ascii_case(b"z")
                || (zone.len() == 6
                    && matches!(zone[0], b'+' | b'-')
                    && zone[1..3].iter().all(u8::is_ascii_digit)
                    && zone[3] == b':'
                    && zone[4..6].iter().all(u8::is_ascii_digit));
            if clock_ok && zone_ok {
                Ok(d.to_string())
            } else {
                Err(bad())
            }
        }
    }
}

impl Args {
    fn config(&self) -> anyhow::Result<GloveConfig> {
        if !(self.duration.is_finite() && self.duration > 0.0 && self.duration <= MAX_DURATION_S) {
            bail!(
                "--duration must be a positive number of seconds up to {MAX_DURATION_S} (a day), got {}",
                self.duration
            );
        }
        if !mldsense::sim::glove::SUPPORTED_RATES.contains(&self.rate) {
            bail!(
                "--rate {} is not one the virtual glove supports ({:?})",
                self.rate,
                mldsense::sim::glove::SUPPORTED_RATES
            );
        }
        if !(1..=16).contains(&self.channels) {
            bail!("--channels must be 1–16, got {}", self.channels);
        }
        if !(self.speed.is_finite() && self.speed > 0.0) {
            bail!("--speed must be positive, got {}", self.speed);
        }
        Ok(GloveConfig {
            style: self.style.into(),
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
    let count = |g: mldsense::sim::IntendedGrade| truth.iter().filter(|s| s.grade == g).count();
    format!(
        "{n} strokes: {} too light, {} in 30–40 mmHg, {} too hard",
        count(mldsense::sim::IntendedGrade::TooLight),
        count(mldsense::sim::IntendedGrade::InWindow),
        count(mldsense::sim::IntendedGrade::TooHard)
    )
}

/// Runs `mldsense simulate`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config()?;
    let started = args.date.as_deref().map(start_time).transpose()?;
    let glove = VirtualGlove::new(config);
    let truth = glove.truth();
    let files = args.record.is_some() || args.truth.is_some() || args.bids.is_some();
    if args.pty && args.record.is_some() {
        bail!("--record writes the session straight to a file; to record from the pseudo-terminal, run `mldsense record --port PATH` against it");
    }
    // Output folders are made as needed (as `live` makes its sessions folder), before the
    // session is simulated, so a path that cannot be written fails at once.
    for file in [&args.record, &args.truth, &args.calibration]
        .into_iter()
        .flatten()
    {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the folder {}", dir.display()))?;
        }
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
        let note = format!(
            "virtual glove, style {}, seed {}",
            config.style, config.seed
        );
        let fw = record_session_as(config, p, |h| {
            h.note = Some(note);
            h.trainee = args.trainee.clone().filter(|t| !t.trim().is_empty());
            if let Some(t) = &started {
                h.started = t.clone();
            }
        })
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
        write_bids(
            dir,
            config,
            &truth,
            args.trainee.as_deref(),
            started.as_deref(),
        )?;
    }
    if args.pty || !files {
        serve(config, args.speed, calibration_path.is_none())?;
    }
    Ok(())
}

fn write_bids(
    dir: &Path,
    config: GloveConfig,
    truth: &[TruthStroke],
    trainee: Option<&str>,
    started: Option<&str>,
) -> anyhow::Result<()> {
    use mldsense::bids::dataset;
    // Simulated data: its authors are the generator and the people who wrote it (two, so the
    // validator's one-author heuristic, TOO_FEW_AUTHORS, has nothing to say).
    let authors = [
        "mldsense virtual glove".to_string(),
        "mldsense contributors".to_string(),
    ];
    bids::write_dataset_description_by(dir, "mldsense virtual glove", &authors)
        .with_context(|| format!("writing the BIDS dataset description in {}", dir.display()))?;
    let label = trainee
        .map(|t| {
            t.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| format!("{}{}", config.style, config.seed));
    let sub = format!("sub-{label}");
    let ses = started.and_then(dataset::acq_time).map(|t| {
        let day: String = t.chars().take(10).filter(char::is_ascii_digit).collect();
        format!("ses-{day}")
    });
    let mut subject_dir = dir.join(&sub);
    let mut stem = sub.clone();
    if let Some(ses) = &ses {
        subject_dir = subject_dir.join(ses);
        stem = format!("{stem}_{ses}");
    }
    let scans_stem = stem.clone();
    let beh = subject_dir.join("beh");
    std::fs::create_dir_all(&beh).with_context(|| format!("creating {}", beh.display()))?;
    let stem = format!("{stem}_task-mld");
    let mut source = SimSource::new(config);
    let paths = bids::write_source(&beh, &stem, &mut source)
        .with_context(|| format!("writing BIDS physio data in {}", beh.display()))?;
    let rows: Vec<bids::EventRow> = truth
        .iter()
        .map(|s| bids::EventRow::stroke(s.onset_s, s.offset_s, s.peak, Some(s.grade.name())))
        .collect();
    bids::write_events(&paths.events_tsv(), &rows)
        .with_context(|| format!("writing {}", paths.events_tsv().display()))?;
    dataset::write_events_json(&paths.events_tsv(), (30.0, 40.0))?;
    dataset::add_participant(dir, &label, trainee)?;
    if let Some(t) = started.and_then(dataset::acq_time) {
        dataset::add_scan(
            &subject_dir,
            &scans_stem,
            &format!("beh/{stem}{}", bids::PHYSIO_TSV_GZ),
            &t,
        )?;
    }
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

#[cfg(test)]
mod tests {
    use super::start_time;

    #[test]
    fn dates_and_times_are_checked() {
        assert_eq!(
            start_time("2026-11-02").ok().as_deref(),
            Some("2026-11-02T09:00:00Z")
        );
        assert_eq!(
            start_time("2026-11-02T10:30:00+01:00").ok().as_deref(),
            Some("2026-11-02T10:30:00+01:00")
        );
        assert!(start_time("2026-11-02T10:30:00.5Z").is_ok());
        for bad in [
            "2026-13-02",
            "2026-11-2",
            "yesterday",
            "2026-11-02T10:30",
            "2026-11-02T1x:30:00Z",
            "2026-11-02Té0:30:00Z",
            "2026-11-0é",
        ] {
            assert!(start_time(bad).is_err(), "{bad}");
        }
    }
}
