//! `mldsense info`: what a recording holds and how healthy its data is.

use anyhow::Context;
use mldsense::frames::FrameItem;
use mldsense::recording::{
    device_disagreement, disagreement_warning, scan_recording, RecordingHeader, RecordingStats,
};
use serde::Serialize;
use std::path::PathBuf;

/// Options of `mldsense info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recording (`.mld`).
    pub file: PathBuf,
    /// Output format: text or json.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How to print the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// One JSON object for scripts.
    Json,
}

/// The summary, as printed with `--format json`.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    file: String,
    duration_s: f64,
    /// The rate time is counted at: the glove's own DeviceInfo's, else the header's.
    rate_hz: f64,
    header: &'a RecordingHeader,
    stats: &'a RecordingStats,
    total_rows: u64,
    warnings: Vec<String>,
}

/// Runs `mldsense info`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut data_info = None;
    let (header, stats) = scan_recording(&args.file, |item| {
        if let FrameItem::Info(i) = item {
            data_info.get_or_insert(*i);
        }
    })
    .with_context(|| format!("cannot read recording {}", args.file.display()))?;
    // The glove's own DeviceInfo is the truth; a header that contradicts it is reported and
    // makes `info` exit non-zero (the file needs a look), after the summary.
    let mut disagreement = None;
    let mut rate = f64::from(header.device.rate_hz);
    if let (Some(data), Ok(said)) = (data_info, header.device.to_device_info()) {
        let fields = device_disagreement(&said, &data);
        if !fields.is_empty() {
            disagreement = Some(disagreement_warning(&args.file, &fields));
        }
        rate = f64::from(data.rate_hz);
    }
    let total_rows = stats.total_rows();
    let duration_s = if rate > 0.0 {
        total_rows as f64 / rate
    } else {
        0.0
    };
    let mut warnings: Vec<String> = disagreement.clone().into_iter().collect();
    warnings.extend(stats.torn_tail_warning(&args.file));
    let summary = Summary {
        file: args.file.display().to_string(),
        duration_s,
        rate_hz: rate,
        header: &header,
        stats: &stats,
        total_rows,
        warnings,
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&summary)?,
        Format::Text => text(&summary),
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
    if disagreement.is_some() {
        anyhow::bail!(
            "{}: the header contradicts the data (see the warning above)",
            args.file.display()
        );
    }
    Ok(())
}

fn text(s: &Summary<'_>) -> String {
    let h = s.header;
    let d = &h.device;
    let f = &s.stats.frames;
    let mut lines = vec![
        format!("file            {}", s.file),
        format!(
            "duration        {:.3} s ({} rows at {} Hz)",
            s.duration_s, s.total_rows, s.rate_hz
        ),
        format!("started         {}", h.started),
        format!("recorded with   {}", h.tool),
    ];
    if let Some(src) = &h.source {
        lines.push(format!("source          {src}"));
    }
    lines.push(format!(
        "trainee         {}",
        h.trainee.as_deref().unwrap_or("-")
    ));
    lines.push(format!(
        "note            {}",
        h.note.as_deref().unwrap_or("-")
    ));
    lines.push(format!(
        "glove           serial {}, firmware {}, {}-bit ADC, {} rows per block",
        d.serial, d.firmware, d.adc_bits, d.rows_per_block
    ));
    lines.push(format!(
        "sensor          {} (kind {})",
        d.sensor, d.sensor_kind
    ));
    lines.push(format!("channels        {}", d.channels.len()));
    for (i, c) in d.channels.iter().enumerate() {
        let area = if c.area_mm2 > 0.0 {
            format!("{:.1} mm²", c.area_mm2)
        } else {
            "area unknown".to_string()
        };
        lines.push(format!("  {i:>2} {:<12} {area}", c.name));
    }
    lines.push(format!(
        "calibration     {}",
        match &h.calibration {
            Some(c) => format!("{} sensor curve(s) stored", c.sensors.len()),
            None => "none stored (default curve)".to_string(),
        }
    ));
    lines.push(format!(
        "data            {} bytes, {} frames ({} sample blocks)",
        s.stats.data_bytes, f.frames_ok, f.sample_blocks
    ));
    lines.push(format!("rows            {}", f.rows));
    lines.push(format!("crc errors      {}", f.crc_errors));
    lines.push(format!("malformed       {}", f.malformed));
    lines.push(format!("other version   {}", f.unsupported_version));
    if f.blocks_mismatched > 0 {
        lines.push(format!(
            "wrong shape     {} sample blocks (channel count differs from DeviceInfo)",
            f.blocks_mismatched
        ));
    }
    if f.counts_out_of_range > 0 {
        lines.push(format!(
            "out of range    {} counts above the ADC's range (read as full scale)",
            f.counts_out_of_range
        ));
    }
    lines.push(format!("bytes skipped   {}", f.bytes_skipped));
    lines.push(format!(
        "sequence gaps   {} ({} blocks lost)",
        f.sequence_gaps, f.blocks_lost
    ));
    lines.push(format!("rows lost       {}", f.rows_lost));
    lines.push(format!(
        "host notes      {} tare(s), {} keyboard marker(s)",
        s.stats.tares, s.stats.keyboard_markers
    ));
    lines.push(match s.stats.torn_tail_offset {
        Some(at) => format!(
            "torn tail       {} bytes at byte {at}",
            s.stats.torn_tail_bytes
        ),
        None => "torn tail       none".to_string(),
    });
    lines.join("\n")
}
