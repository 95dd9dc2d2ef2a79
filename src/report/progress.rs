//! The progress report: for each trainee, the sessions in date order (score, share in window,
//! time above the window, peak consistency, rhythm), a learning-curve chart, and what changed
//! since last time. As text, CSV, HTML or JSON (schema `mldsense.progress/1`).

use super::class::{above_cell, csv_safe, danger_cell, profile_line, result_badge, STYLE};
use super::{csv_err, json_err, write_err, Format};
use crate::class::TraineeProgress;
use crate::error::Result;
use crate::grade::Profile;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;

/// The schema name of the JSON progress report.
pub const PROGRESS_SCHEMA: &str = "mldsense.progress/1";

#[derive(Serialize)]
struct ProgressJson<'a> {
    schema: &'static str,
    profile: super::json::ProfileJson,
    pass_mark: f64,
    trainees: &'a [TraineeProgress],
}

/// Writes the progress of `trainees` (graded against `profile`) in `format`.
pub fn write_progress(
    trainees: &[TraineeProgress],
    profile: &Profile,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Json => {
            let v = ProgressJson {
                schema: PROGRESS_SCHEMA,
                profile: super::class::profile_json(profile),
                pass_mark: profile.score.pass_mark,
                trainees,
            };
            serde_json::to_writer_pretty(&mut *out, &v).map_err(json_err)?;
            writeln!(out).map_err(write_err)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record([
                "trainee",
                "session",
                "date",
                "source",
                "score",
                "passed",
                "percent_in_window",
                "above_window_s",
                "danger",
                "peak_cv_percent",
                "strokes_per_min",
                "rhythm",
            ])
            .map_err(csv_err)?;
            for t in trainees {
                for (i, s) in t.sessions.iter().enumerate() {
                    w.write_record([
                        csv_safe(&t.trainee),
                        (i + 1).to_string(),
                        csv_safe(s.date.as_deref().unwrap_or("")),
                        csv_safe(&s.source),
                        s.score.to_string(),
                        s.passed.to_string(),
                        s.percent_in_window.to_string(),
                        s.above_window_s.to_string(),
                        s.danger.to_string(),
                        s.peak_cv_percent.map_or(String::new(), |v| v.to_string()),
                        s.strokes_per_min.map_or(String::new(), |v| v.to_string()),
                        s.rhythm.to_string(),
                    ])
                    .map_err(csv_err)?;
                }
            }
            w.flush().map_err(write_err)
        }
        Format::Text => out
            .write_all(text(trainees, profile).as_bytes())
            .map_err(write_err),
        Format::Html => out
            .write_all(html(trainees, profile).as_bytes())
            .map_err(write_err),
    }
}

fn text(trainees: &[TraineeProgress], profile: &Profile) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "Progress — {}", profile_line(profile));
    for p in trainees {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "{} — {} session{}",
            p.who(),
            p.sessions.len(),
            if p.sessions.len() == 1 { "" } else { "s" }
        );
        let _ = writeln!(
            t,
            "   #  date        score  result  in window  above s  danger  CV %  strokes/min"
        );
        for (i, s) in p.sessions.iter().enumerate() {
            let _ = writeln!(
                t,
                "  {:>2}  {:<10}  {:>5}  {:<6}  {:>8.0}%  {:>7.0}  {:>6}  {:>4}  {:>11}",
                i + 1,
                s.date.as_deref().unwrap_or("–"),
                super::score_label(s.score),
                if s.passed { "pass" } else { "FAIL" },
                s.percent_in_window,
                s.above_window_s,
                s.danger,
                s.peak_cv_percent.map_or("–".into(), |c| format!("{c:.0}")),
                s.strokes_per_min.map_or("–".into(), |m| format!("{m:.0}")),
            );
        }
        if p.changes.is_empty() {
            let _ = writeln!(t, "  (one session: nothing to compare yet)");
        } else {
            let _ = writeln!(t, "  since last time:");
            for c in &p.changes {
                let _ = writeln!(t, "    • {c}");
            }
        }
    }
    t
}

/// The HTML section of one trainee (anchor `trainee-N`): chart, table, changes.
pub fn trainee_section(k: usize, p: &TraineeProgress, pass_mark: f64) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<section id=\"trainee-{}\" class=\"trainee\"><h2>{}</h2>",
        k + 1,
        esc(p.who())
    );
    if p.changes.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"meta\">One session: nothing to compare yet.</p>"
        );
    } else {
        let _ = writeln!(h, "<p><b>Since last time</b></p><ul class=\"changes\">");
        for c in &p.changes {
            let _ = writeln!(h, "<li>{}</li>", esc(c));
        }
        let _ = writeln!(h, "</ul>");
    }
    match super::class_charts::learning_curve_svg(p, pass_mark) {
        Ok(svg) => {
            let svg = super::charts::strip_xml_declaration(&svg);
            let _ = writeln!(
                h,
                "<figure class=\"curve\" role=\"img\" aria-label=\"learning curve of {}\" style=\"margin:8px 0\">{svg}</figure>",
                attr(p.who())
            );
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<p class=\"meta\">The chart could not be drawn: {}</p>",
                esc(&e.to_string())
            );
        }
    }
    let _ = writeln!(
        h,
        "<table class=\"sessions\"><tr><th>#</th><th class=\"l\">date</th><th>score</th>\
         <th class=\"l\">result</th><th>in window</th><th>time above window</th><th>danger</th>\
         <th>peak CV</th><th>strokes/min</th><th>rhythm</th><th class=\"l\">session</th></tr>"
    );
    for (i, s) in p.sessions.iter().enumerate() {
        let source = match &s.report {
            Some(link) => format!("<a href=\"{}\">{}</a>", attr(link), esc(&s.source)),
            None => esc(&s.source).into_owned(),
        };
        let _ = writeln!(
            h,
            "<tr class=\"session{}\"><td>{}</td><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td>\
             <td>{:.0}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td class=\"l src\">{}</td></tr>",
            if s.danger > 0 { " danger" } else { "" },
            i + 1,
            esc(s.date.as_deref().unwrap_or("–")),
            super::score_label(s.score),
            result_badge(s.passed),
            s.percent_in_window,
            above_cell(s),
            danger_cell(s),
            s.peak_cv_percent.map_or("–".into(), |c| format!("{c:.0}%")),
            s.strokes_per_min.map_or("–".into(), |m| format!("{m:.0}")),
            s.rhythm,
            source
        );
    }
    let _ = writeln!(h, "</table></section>");
    h
}

fn html(trainees: &[TraineeProgress], profile: &Profile) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = match trainees {
        [one] => format!("Progress: {}", one.who()),
        _ => "Progress".to_string(),
    };
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>mldsense {}</title><style>{STYLE}</style></head><body><h1>{}</h1>\
         <p class=\"meta\">{}</p>",
        esc(&title),
        esc(&title),
        esc(&profile_line(profile))
    );
    if trainees.len() > 1 {
        let _ = write!(h, "<p>");
        for (k, p) in trainees.iter().enumerate() {
            let _ = write!(
                h,
                "{}<a href=\"#trainee-{}\">{}</a>",
                if k > 0 { " · " } else { "" },
                k + 1,
                esc(p.who())
            );
        }
        let _ = writeln!(h, "</p>");
    }
    for (k, p) in trainees.iter().enumerate() {
        h.push_str(&trainee_section(k, p, profile.score.pass_mark));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">Score: circles and black line; share of strokes in the window: \
         triangles and blue dashes; dashed grey: the pass mark ({:.0}); a reddish-purple \
         ring: a session with a stroke at the danger level.</p></body></html>",
        profile.score.pass_mark
    );
    h
}
