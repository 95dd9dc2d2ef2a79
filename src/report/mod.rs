//! Reports: text, JSON, CSV, HTML (inline SVG via plotters) and PNG charts, for one session or a
//! class of sessions.
//!
//! The API the command line calls:
//!
//! ```no_run
//! use mldsense::grade::{grade_session, Profile};
//! use mldsense::report::{self, Format};
//! # fn demo(session: &mldsense::session::Session) -> mldsense::Result<()> {
//! let graded = grade_session(session, &Profile::resolve("default")?);
//! // text (default), json, csv or html, to any writer:
//! report::render(session, &graded, Format::Html, &mut std::io::stdout())?;
//! // the same charts as PNG files in a directory; returns the paths written:
//! let pngs = report::write_png_charts(session, &graded, std::path::Path::new("charts"))?;
//! // an instructor's overview of many sessions:
//! report::class_summary(&[(session, &graded)], Format::Csv, &mut std::io::stdout())?;
//! # Ok(()) }
//! ```
//!
//! JSON follows the versioned schema in `docs/REPORT_SCHEMA.md` (`"schema": "mldsense.report/1"`).

pub mod charts;
pub mod class;
pub mod class_charts;
pub mod csv_safe;
pub mod csv_table;
pub mod fonts;
pub mod html;
pub mod json;
pub mod palette;
pub mod progress;
pub mod text;

pub use charts::Chart;
pub use charts::DrawError;
pub use class::{class_summary, write_class, ClassOrder, ClassView};

use crate::error::{Error, Result};
use crate::grade::GradedSession;
use crate::session::Session;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A report format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// A readable terminal summary.
    #[default]
    Text,
    /// The versioned JSON schema (`docs/REPORT_SCHEMA.md`).
    Json,
    /// A header and one row per stroke.
    Csv,
    /// One self-contained HTML file with inline SVG charts.
    Html,
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Format> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "html" | "htm" => Ok(Format::Html),
            _ => Err(Error::Config {
                context: format!("--format {s}"),
                message: "expected text, json, csv or html".into(),
            }),
        }
    }
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }
}

/// A 0–100 score as shown to people: whole points, rounded down, so a session with any fault
/// never shows 100.
pub fn score_label(score: f64) -> String {
    format!("{:.0}", score.clamp(0.0, 100.0).floor())
}

/// Seconds for people: `12 s` under a minute, `m:ss` above, and a tenth under one second, so
/// a moment at the danger level never reads as none.
///
/// ```
/// use mldsense::report::seconds_label;
/// assert_eq!(seconds_label(0.0), "0 s");
/// assert_eq!(seconds_label(0.2), "0.2 s");
/// assert_eq!(seconds_label(12.4), "12 s");
/// assert_eq!(seconds_label(75.0), "1:15");
/// ```
pub fn seconds_label(seconds: f64) -> String {
    let s = if seconds.is_finite() {
        seconds.max(0.0)
    } else {
        0.0
    };
    if s > 0.0 && s < 0.95 {
        // Under a second, but not nothing: "0 s" of danger would read as none at all.
        format!("{s:.1} s")
    } else if s < 59.5 {
        format!("{s:.0} s")
    } else {
        crate::grade::clock(s)
    }
}

/// The headline of every report and the live summary: `% in window`, then the score with
/// pass/fail and the pass mark beside it (`83 % in window · score 88/100 · PASS (pass mark 70)`).
pub fn headline(s: &crate::grade::SessionScore) -> String {
    let why = s.fail_reason().map_or(String::new(), |r| format!(": {r}"));
    format!(
        "{:.0} % in window · score {}/100 · {} (pass mark {:.0}{why})",
        s.percent_in_window,
        score_label(s.score),
        s.verdict_label(),
        s.pass_mark
    )
}

/// Turns a write failure into the library's error.
pub(crate) fn write_err(source: std::io::Error) -> Error {
    Error::Write { source }
}

/// Turns a JSON serialisation failure (its cause may be the output's) into the library's error.
pub(crate) fn json_err(source: serde_json::Error) -> Error {
    Error::Json {
        context: "writing the report".into(),
        source,
    }
}

/// Turns a CSV writing failure (its cause may be the output's) into the library's error.
pub(crate) fn csv_err(source: csv::Error) -> Error {
    Error::Csv {
        context: "writing the report".into(),
        source,
    }
}

/// Writes the report of one graded session in `format` to `out`.
pub fn render(
    session: &Session,
    graded: &GradedSession,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Text => text::write(session, graded, out),
        Format::Json => json::write(session, graded, out),
        Format::Csv => csv_table::write(session, graded, out),
        Format::Html => html::write(session, graded, out),
    }
}

/// Writes every chart as a PNG file (`trace.png`, `peaks.png`, `fingers.png`, `rhythm.png`) in
/// `dir`, creating it if needed; returns the paths written.
pub fn write_png_charts(
    session: &Session,
    graded: &GradedSession,
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    use plotters::prelude::*;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    for chart in Chart::ALL {
        let path = dir.join(format!("{}.png", chart.stem()));
        let fail = |source: DrawError| Error::Chart {
            path: path.clone(),
            source,
        };
        {
            let root = BitMapBackend::new(&path, chart.size()).into_drawing_area();
            charts::draw(chart, &root, session, graded).map_err(fail)?;
            root.present().map_err(|e| fail(DrawError::new(e)))?;
        }
        written.push(path);
    }
    Ok(written)
}
