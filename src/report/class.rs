//! The class summary, for an instructor grading many sessions: one row per session (trainee,
//! strokes, share in window, score, top coaching point) as text, CSV, HTML or JSON.

use super::{write_err, Format};
use crate::error::Result;
use crate::grade::GradedSession;
use crate::session::Session;
use html_escape::encode_text as esc;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Write;

/// The schema name of the JSON class summary.
pub const CLASS_SCHEMA: &str = "mldsense.class/1";

/// One session's row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassRow {
    /// The trainee's name, or empty.
    pub trainee: String,
    /// Where the session came from.
    pub source: String,
    /// Number of strokes.
    pub strokes: usize,
    /// Share of strokes in the window, percent.
    pub percent_in_window: f64,
    /// Session score, 0–100.
    pub score: f64,
    /// Pressure sub-score.
    pub pressure: f64,
    /// Release sub-score.
    pub release: f64,
    /// Rhythm sub-score.
    pub rhythm: f64,
    /// Strokes at or above the danger level.
    pub danger: usize,
    /// The most important coaching point.
    pub top_coaching: String,
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The rows, in the order given.
pub fn rows(sessions: &[(&Session, &GradedSession)]) -> Vec<ClassRow> {
    sessions
        .iter()
        .map(|(s, g)| ClassRow {
            trainee: s.meta.trainee.clone().unwrap_or_default(),
            source: s.meta.source.clone(),
            strokes: g.summary.strokes,
            percent_in_window: r1(g.summary.percent_in_window),
            score: r1(g.summary.score),
            pressure: r1(g.summary.pressure),
            release: r1(g.summary.release),
            rhythm: r1(g.summary.rhythm),
            danger: g.summary.danger,
            top_coaching: g
                .coaching
                .first()
                .map(|c| c.message.clone())
                .unwrap_or_default(),
        })
        .collect()
}

/// Writes the class summary in `format`.
pub fn class_summary(
    sessions: &[(&Session, &GradedSession)],
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let rows = rows(sessions);
    let other = |e: &dyn std::fmt::Display| write_err(std::io::Error::other(e.to_string()));
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            if rows.is_empty() {
                w.write_record([
                    "trainee",
                    "source",
                    "strokes",
                    "percent_in_window",
                    "score",
                    "pressure",
                    "release",
                    "rhythm",
                    "danger",
                    "top_coaching",
                ])
                .map_err(|e| other(&e))?;
            }
            for r in &rows {
                w.serialize(r).map_err(|e| other(&e))?;
            }
            w.flush().map_err(write_err)
        }
        Format::Json => {
            let v = serde_json::json!({ "schema": CLASS_SCHEMA, "sessions": rows });
            serde_json::to_writer_pretty(&mut *out, &v).map_err(|e| other(&e))?;
            writeln!(out).map_err(write_err)
        }
        Format::Text => {
            let mut t = String::new();
            let name_w = rows
                .iter()
                .map(|r| {
                    r.trainee
                        .chars()
                        .count()
                        .max(r.source.chars().count().min(24))
                })
                .max()
                .unwrap_or(7)
                .max(7);
            let _ = writeln!(
                t,
                "{:<name_w$}  {:>7}  {:>9}  {:>5}  {:>6}  top coaching point",
                "trainee", "strokes", "in window", "score", "danger"
            );
            for r in &rows {
                let who = if r.trainee.is_empty() {
                    &r.source
                } else {
                    &r.trainee
                };
                let _ = writeln!(
                    t,
                    "{:<name_w$}  {:>7}  {:>8.0}%  {:>5}  {:>6}  {}",
                    who,
                    r.strokes,
                    r.percent_in_window,
                    super::score_label(r.score),
                    r.danger,
                    r.top_coaching
                );
            }
            out.write_all(t.as_bytes()).map_err(write_err)
        }
        Format::Html => {
            let mut h = String::new();
            let _ = writeln!(
                h,
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mldsense \
                 class summary</title><style>body{{font-family:\"DejaVu Sans\",Verdana,sans-serif;\
                 margin:24px}}table{{border-collapse:collapse}}th,td{{border:1px solid #ccc;\
                 padding:4px 8px;text-align:right}}td.l,th.l{{text-align:left}}th{{background:\
                 #f3f3f3}}</style></head><body><h1>Class summary</h1>"
            );
            let _ = writeln!(
                h,
                "<table id=\"class\"><tr><th class=\"l\">trainee</th><th class=\"l\">source</th>\
                 <th>strokes</th><th>in window</th><th>score</th><th>pressure</th><th>release</th>\
                 <th>rhythm</th><th>danger</th><th class=\"l\">top coaching point</th></tr>"
            );
            for r in &rows {
                let _ = writeln!(
                    h,
                    "<tr class=\"session\"><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td>\
                     <td>{:.0}%</td><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td>\
                     <td>{}</td><td class=\"l\">{}</td></tr>",
                    esc(&r.trainee),
                    esc(&r.source),
                    r.strokes,
                    r.percent_in_window,
                    super::score_label(r.score),
                    r.pressure,
                    r.release,
                    r.rhythm,
                    r.danger,
                    esc(&r.top_coaching)
                );
            }
            let _ = writeln!(h, "</table></body></html>");
            out.write_all(h.as_bytes()).map_err(write_err)
        }
    }
}
