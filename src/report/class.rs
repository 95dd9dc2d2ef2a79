//! The class view, for an instructor: every session of a class (over weeks), ranked by score,
//! name or date, with pass or fail against the pass mark, danger and time above the window
//! highlighted, the class's mean and spread, a distribution chart, a link to each session's
//! report, each trainee's progress, and the profile and window everything was graded against.
//! As text, CSV, HTML or JSON (schema `mldsense.class/2`, `docs/REPORT_SCHEMA.md`).

use super::{csv_err, json_err, write_err, Format};
use crate::class::{progress, SessionRecord, TraineeProgress};
use crate::error::Result;
use crate::grade::{GradedSession, Profile};
use crate::session::Session;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Write;

/// The schema name of the JSON class view.
pub const CLASS_SCHEMA: &str = "mldsense.class/2";

/// One session's row (kept under its old name for callers of the first schema).
pub type ClassRow = SessionRecord;

/// How the sessions are ranked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassOrder {
    /// Highest score first (ties by name, then date).
    #[default]
    Score,
    /// By trainee name, each trainee's sessions by date.
    Name,
    /// Oldest session first.
    Date,
}

/// The class's figures over its sessions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassStats {
    /// Sessions.
    pub sessions: usize,
    /// Distinct trainees (sessions without a name count as one).
    pub trainees: usize,
    /// Mean score.
    pub mean_score: f64,
    /// Sample standard deviation of the scores (0 with one session).
    pub sd_score: f64,
    /// Median score.
    pub median_score: f64,
    /// Lowest score.
    pub min_score: f64,
    /// Highest score.
    pub max_score: f64,
    /// Sessions that passed.
    pub passed: usize,
    /// Sessions with at least one stroke at the danger level.
    pub with_danger: usize,
}

/// The class's statistics over `records`.
pub fn stats(records: &[SessionRecord]) -> ClassStats {
    let n = records.len();
    if n == 0 {
        return ClassStats::default();
    }
    let mut scores: Vec<f64> = records.iter().map(|r| r.score).collect();
    scores.sort_by(f64::total_cmp);
    let mean = scores.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let median = crate::stats::median(scores.iter().copied()).unwrap_or(f64::NAN);
    let mut names: Vec<&str> = records.iter().map(|r| r.trainee.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    ClassStats {
        sessions: n,
        trainees: names.len(),
        mean_score: mean,
        sd_score: sd,
        median_score: median,
        min_score: scores[0],
        max_score: scores[n - 1],
        passed: records.iter().filter(|r| r.passed).count(),
        with_danger: records.iter().filter(|r| r.danger > 0).count(),
    }
}

/// `records` in `order`.
pub fn ranked(records: &[SessionRecord], order: ClassOrder) -> Vec<&SessionRecord> {
    let mut v: Vec<&SessionRecord> = records.iter().collect();
    let name = |r: &SessionRecord| r.trainee.to_lowercase();
    match order {
        ClassOrder::Score => v.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| name(a).cmp(&name(b)))
                .then_with(|| a.started.cmp(&b.started))
                .then_with(|| a.source.cmp(&b.source))
        }),
        ClassOrder::Name => v.sort_by(|a, b| {
            (name(a), &a.started, &a.source).cmp(&(name(b), &b.started, &b.source))
        }),
        ClassOrder::Date => v.sort_by(|a, b| {
            (a.started.is_none(), &a.started, name(a), &a.source).cmp(&(
                b.started.is_none(),
                &b.started,
                name(b),
                &b.source,
            ))
        }),
    }
    v
}

/// Everything the class view shows.
#[derive(Clone, Debug)]
pub struct ClassView<'a> {
    /// The sessions.
    pub records: &'a [SessionRecord],
    /// What they were graded against.
    pub profile: &'a Profile,
    /// The ranking.
    pub order: ClassOrder,
    /// Where each trainee's progress page is, relative to the class view (`progress.html`),
    /// if one was written; anchors `#trainee-N` follow the progress order.
    pub progress_link: Option<String>,
}

/// The JSON form of the class view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassJson {
    /// Always [`CLASS_SCHEMA`].
    pub schema: String,
    /// What the sessions were graded against.
    pub profile: super::json::ProfileJson,
    /// The score a pass needs.
    pub pass_mark: f64,
    /// The ranking used for `sessions`.
    pub order: ClassOrder,
    /// The class's figures.
    pub stats: ClassStats,
    /// The sessions, ranked.
    pub sessions: Vec<SessionRecord>,
    /// Each trainee's sessions in date order and what changed.
    pub progress: Vec<TraineeProgress>,
}

/// The profile as the JSON reports give it.
pub fn profile_json(p: &Profile) -> super::json::ProfileJson {
    super::json::ProfileJson {
        name: p.name.clone(),
        window_lo_mmhg: p.window.lo_mmhg.0,
        window_hi_mmhg: p.window.hi_mmhg.0,
        danger_mmhg: p.danger.mmhg.0,
        rhythm_period_s: p.rhythm.period_s,
        rhythm_tolerance_s: p.rhythm.tolerance_s,
    }
}

/// A CSV cell that a spreadsheet will not run as a formula (one rule for every CSV:
/// [`super::csv_safe`]).
pub use super::csv_safe::csv_safe;

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v}"))
}

/// The CSV columns of a session row, in order.
pub const CSV_COLUMNS: [&str; 21] = [
    "rank",
    "trainee",
    "date",
    "started",
    "source",
    "report",
    "strokes",
    "percent_in_window",
    "percent_time_in_window",
    "score",
    "passed",
    "pressure",
    "release",
    "rhythm",
    "strokes_per_min",
    "danger",
    "above_window_s",
    "danger_s",
    "peak_cv_percent",
    "top_coaching",
    "profile",
];

/// The profile line every format prints.
pub fn profile_line(p: &Profile) -> String {
    format!(
        "profile {} (window {:.1}–{:.1} mmHg, danger {:.0} mmHg, one stroke every {:.2} ± {:.2} s), pass mark {:.0}",
        p.name,
        p.window.lo_mmhg.0,
        p.window.hi_mmhg.0,
        p.danger.mmhg.0,
        p.rhythm.period_s,
        p.rhythm.tolerance_s,
        p.score.pass_mark
    )
}

/// Writes the class view in `format`.
pub fn write_class(view: &ClassView, format: Format, out: &mut dyn Write) -> Result<()> {
    let rows = ranked(view.records, view.order);
    let st = stats(view.records);
    let prog = progress(view.records, 60.0 / view.profile.rhythm.period_s);
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(CSV_COLUMNS).map_err(csv_err)?;
            for (i, r) in rows.iter().enumerate() {
                w.write_record([
                    (i + 1).to_string(),
                    csv_safe(&r.trainee),
                    csv_safe(r.date.as_deref().unwrap_or("")),
                    csv_safe(r.started.as_deref().unwrap_or("")),
                    csv_safe(&r.source),
                    csv_safe(r.report.as_deref().unwrap_or("")),
                    r.strokes.to_string(),
                    r.percent_in_window.to_string(),
                    r.percent_time_in_window.to_string(),
                    r.score.to_string(),
                    r.passed.to_string(),
                    r.pressure.to_string(),
                    r.release.to_string(),
                    r.rhythm.to_string(),
                    opt(r.strokes_per_min),
                    r.danger.to_string(),
                    r.above_window_s.to_string(),
                    r.danger_s.to_string(),
                    opt(r.peak_cv_percent),
                    csv_safe(&r.top_coaching),
                    csv_safe(&view.profile.name),
                ])
                .map_err(csv_err)?;
            }
            w.flush().map_err(write_err)
        }
        Format::Json => {
            let v = ClassJson {
                schema: CLASS_SCHEMA.into(),
                profile: profile_json(view.profile),
                pass_mark: view.profile.score.pass_mark,
                order: view.order,
                stats: st,
                sessions: rows.into_iter().cloned().collect(),
                progress: prog,
            };
            serde_json::to_writer_pretty(&mut *out, &v).map_err(json_err)?;
            writeln!(out).map_err(write_err)
        }
        Format::Text => out
            .write_all(text(view, &rows, &st, &prog).as_bytes())
            .map_err(write_err),
        Format::Html => out
            .write_all(html(view, &rows, &st, &prog).as_bytes())
            .map_err(write_err),
    }
}

/// Pads `s` to `w` characters (not bytes: names are often not ASCII).
fn pad(s: &str, w: usize, right: bool) -> String {
    let n = s.chars().count();
    let fill = " ".repeat(w.saturating_sub(n));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// At most `w` characters of `s`, with `…` when cut.
fn cut(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn text(
    view: &ClassView,
    rows: &[&SessionRecord],
    st: &ClassStats,
    prog: &[TraineeProgress],
) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Class view — {} session{}, {} trainee{}",
        st.sessions,
        if st.sessions == 1 { "" } else { "s" },
        st.trainees,
        if st.trainees == 1 { "" } else { "s" }
    );
    let _ = writeln!(t, "{}", profile_line(view.profile));
    let _ = writeln!(
        t,
        "score mean {:.1} ± {:.1} (median {:.0}, {:.0}–{:.0}); {} of {} passed; {} with danger strokes",
        st.mean_score,
        st.sd_score,
        st.median_score.floor(),
        st.min_score.floor(),
        st.max_score.floor(),
        st.passed,
        st.sessions,
        st.with_danger
    );
    let _ = writeln!(t);
    let header = [
        "#",
        "trainee",
        "date",
        "score",
        "result",
        "in window",
        "above s",
        "danger",
        "CV %",
        "source",
    ];
    let cells: Vec<[String; 10]> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                (i + 1).to_string(),
                cut(r.who(), 24),
                r.date.clone().unwrap_or_else(|| "–".into()),
                super::score_label(r.score),
                if r.passed { "pass" } else { "FAIL" }.into(),
                format!("{:.0}%", r.percent_in_window),
                format!("{:.0}", r.above_window_s),
                if r.danger > 0 {
                    format!("!! {}", r.danger)
                } else {
                    "0".into()
                },
                r.peak_cv_percent.map_or("–".into(), |c| format!("{c:.0}")),
                cut(&r.source, 48),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for c in &cells {
        for (w, v) in widths.iter_mut().zip(c) {
            *w = (*w).max(v.chars().count());
        }
    }
    // Names and paths left, figures right.
    let right = [
        true, false, false, true, false, true, true, true, true, false,
    ];
    let line = |vals: Vec<String>| -> String {
        vals.iter()
            .zip(&widths)
            .zip(right)
            .map(|((v, &w), r)| pad(v, w, r))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(
        t,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    );
    for c in cells {
        let _ = writeln!(t, "{}", line(c.to_vec()));
    }
    if !prog.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(t, "Progress (oldest → newest):");
        for p in prog {
            let curve: Vec<String> = p
                .sessions
                .iter()
                .map(|s| super::score_label(s.score))
                .collect();
            let _ = writeln!(t, "  {}: {}", p.who(), curve.join(" → "));
            for c in &p.changes {
                let _ = writeln!(t, "      {c}");
            }
        }
    }
    t
}

/// CSS of the class view and progress pages.
pub const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 24px auto; max-width: 1140px; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.meta { color: #555; }
.card { display: flex; gap: 12px; flex-wrap: wrap; }
.sub { border: 1px solid #bbb; border-radius: 8px; padding: 6px 12px; min-width: 90px; }
.sub b { font-size: 1.5em; display: block; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; }
th { background: #f3f3f3; }
td.l, th.l { text-align: left; }
td.src { font-size: 0.85em; word-break: break-all; max-width: 22em; }
tr.danger td { background: #f7e6ef; }
.badge-danger { color: #fff; background: #7a2e5a; padding: 1px 6px; border-radius: 4px; white-space: nowrap; }
.pass { color: #fff; background: #00795a; padding: 1px 6px; border-radius: 4px; white-space: nowrap; }
.fail { color: #fff; background: #a34700; padding: 1px 6px; border-radius: 4px; white-space: nowrap; }
.above { color: #a34700; font-weight: bold; }
ul.changes li { margin: 0.2em 0; }
svg { max-width: 100%; height: auto; }
"#;

/// The pass/fail badge.
pub fn result_badge(passed: bool) -> &'static str {
    if passed {
        "<span class=\"pass\">✓ pass</span>"
    } else {
        "<span class=\"fail\">✗ fail</span>"
    }
}

/// The danger cell: a badge when any stroke reached the danger level.
pub fn danger_cell(r: &SessionRecord) -> String {
    if r.danger > 0 {
        format!(
            "<span class=\"badge-danger\">⚠ {} ({:.0} s)</span>",
            r.danger, r.danger_s
        )
    } else {
        "0".into()
    }
}

/// The time-above-window cell, marked when above the window at all.
pub fn above_cell(r: &SessionRecord) -> String {
    if r.above_window_s >= 1.0 {
        format!("<span class=\"above\">▲ {:.0} s</span>", r.above_window_s)
    } else {
        format!("{:.0} s", r.above_window_s)
    }
}

fn html(
    view: &ClassView,
    rows: &[&SessionRecord],
    st: &ClassStats,
    prog: &[TraineeProgress],
) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>mldsense class view</title><style>{STYLE}</style></head><body>"
    );
    let _ = writeln!(
        h,
        "<h1>Class view</h1><p class=\"meta\" id=\"profile\">{}</p>",
        esc(&profile_line(view.profile))
    );
    let _ = writeln!(
        h,
        "<div class=\"card\" id=\"stats\">\
         <div class=\"sub\">sessions<b>{}</b>{} trainee{}</div>\
         <div class=\"sub\">mean score<b>{:.1}</b>± {:.1} (SD)</div>\
         <div class=\"sub\">median<b>{:.0}</b>range {:.0}–{:.0}</div>\
         <div class=\"sub\">passed<b>{} of {}</b>pass mark {:.0}</div>\
         <div class=\"sub\">danger<b>{}</b>session{} with a stroke ≥ {:.0} mmHg</div></div>",
        st.sessions,
        st.trainees,
        if st.trainees == 1 { "" } else { "s" },
        st.mean_score,
        st.sd_score,
        st.median_score.floor(),
        st.min_score.floor(),
        st.max_score.floor(),
        st.passed,
        st.sessions,
        view.profile.score.pass_mark,
        st.with_danger,
        if st.with_danger == 1 { "" } else { "s" },
        view.profile.danger.mmhg.0
    );
    match super::class_charts::score_distribution_svg(view.records, view.profile.score.pass_mark) {
        Ok(svg) => {
            let _ = writeln!(
                h,
                "<figure id=\"chart-distribution\" role=\"img\" aria-label=\"distribution of session scores\" style=\"margin:12px 0\">{}</figure>",
                super::charts::strip_xml_declaration(&svg)
            );
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<p class=\"meta\">The score chart could not be drawn: {}</p>",
                esc(&e.to_string())
            );
        }
    }
    let order = match view.order {
        ClassOrder::Score => "ranked by score",
        ClassOrder::Name => "by name",
        ClassOrder::Date => "by date",
    };
    let _ = writeln!(
        h,
        "<h2>Sessions ({order})</h2><table id=\"class\"><tr><th>#</th><th class=\"l\">trainee</th>\
         <th class=\"l\">date</th><th>score</th><th class=\"l\">result</th><th>strokes</th>\
         <th>in window</th><th>time above window</th><th>danger</th><th>peak CV</th>\
         <th>strokes/min</th><th class=\"l\">session</th><th class=\"l\">top coaching point</th></tr>"
    );
    for (i, r) in rows.iter().enumerate() {
        let source = match &r.report {
            Some(link) => format!("<a href=\"{}\">{}</a>", attr(link), esc(&r.source)),
            None => esc(&r.source).into_owned(),
        };
        let _ = writeln!(
            h,
            "<tr class=\"session{}\"><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>\
             <td class=\"score\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{:.0}%</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td class=\"l src\">{}</td><td class=\"l\">{}</td></tr>",
            if r.danger > 0 { " danger" } else { "" },
            i + 1,
            esc(r.who()),
            esc(r.date.as_deref().unwrap_or("–")),
            super::score_label(r.score),
            result_badge(r.passed),
            r.strokes,
            r.percent_in_window,
            above_cell(r),
            danger_cell(r),
            r.peak_cv_percent.map_or("–".into(), |c| format!("{c:.0}%")),
            r.strokes_per_min.map_or("–".into(), |m| format!("{m:.0}")),
            source,
            esc(&r.top_coaching)
        );
    }
    let _ = writeln!(h, "</table>");
    let _ = writeln!(
        h,
        "<p class=\"meta\">A session passes with a score of at least {:.0} and no stroke at the \
         danger level. Time above window: seconds with any fingertip above {:.1} mmHg. \
         Peak CV: how much the stroke peaks vary (lower is steadier).</p>",
        view.profile.score.pass_mark, view.profile.window.hi_mmhg.0
    );
    if !prog.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Progress</h2><table id=\"progress\"><tr><th class=\"l\">trainee</th><th>sessions</th>\
             <th class=\"l\">scores, oldest → newest</th><th class=\"l\">latest</th>\
             <th class=\"l\">what changed since last time</th></tr>"
        );
        for (k, p) in prog.iter().enumerate() {
            let curve: Vec<String> = p
                .sessions
                .iter()
                .map(|s| super::score_label(s.score))
                .collect();
            let name = match &view.progress_link {
                Some(link) => format!(
                    "<a href=\"{}#trainee-{}\">{}</a>",
                    attr(link),
                    k + 1,
                    esc(p.who())
                ),
                None => esc(p.who()).into_owned(),
            };
            let changes = if p.changes.is_empty() {
                "first session".to_string()
            } else {
                p.changes
                    .iter()
                    .map(|c| esc(c).into_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"l\">{name}</td><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>\
                 <td class=\"l\">{changes}</td></tr>",
                p.sessions.len(),
                curve.join(" → "),
                p.latest().map_or("", |s| result_badge(s.passed)),
            );
        }
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">Window source: {}<br>Danger source: {}</p></body></html>",
        esc(&view.profile.window.source),
        esc(&view.profile.danger.source)
    );
    h
}

/// Writes the class view of `sessions` (each named by its own source) in `format`, ranked by
/// score, graded against the first session's profile: the short form for callers that have
/// sessions in hand.
pub fn class_summary(
    sessions: &[(&Session, &GradedSession)],
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let records: Vec<SessionRecord> = sessions
        .iter()
        .map(|(s, g)| SessionRecord::new(s, g, s.meta.source.clone()))
        .collect();
    let profile = sessions
        .first()
        .map(|(_, g)| g.profile.clone())
        .unwrap_or_else(Profile::default_profile);
    let view = ClassView {
        records: &records,
        profile: &profile,
        order: ClassOrder::Score,
        progress_link: None,
    };
    write_class(&view, format, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_match_a_hand_computation() {
        let mk = |t: &str, score: f64, passed: bool, danger: usize| SessionRecord {
            trainee: t.into(),
            date: None,
            started: None,
            source: String::new(),
            report: None,
            strokes: 1,
            percent_in_window: 0.0,
            percent_time_in_window: 0.0,
            score,
            pressure: 0.0,
            release: 0.0,
            rhythm: 0.0,
            strokes_per_min: None,
            danger,
            passed,
            above_window_s: 0.0,
            danger_s: 0.0,
            peak_cv_percent: None,
            top_coaching: String::new(),
        };
        let r = vec![
            mk("a", 60.0, false, 0),
            mk("b", 80.0, true, 0),
            mk("a", 70.0, false, 2),
            mk("c", 90.0, true, 0),
        ];
        let s = stats(&r);
        assert_eq!(s.sessions, 4);
        assert_eq!(s.trainees, 3);
        assert_eq!(s.mean_score, 75.0);
        // sum of squares 225 + 25 + 25 + 225 = 500, / 3.
        assert!((s.sd_score - (500.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.median_score, 75.0);
        assert_eq!((s.min_score, s.max_score), (60.0, 90.0));
        assert_eq!((s.passed, s.with_danger), (2, 1));
        let by_score: Vec<f64> = ranked(&r, ClassOrder::Score)
            .iter()
            .map(|x| x.score)
            .collect();
        assert_eq!(by_score, [90.0, 80.0, 70.0, 60.0]);
        let by_name: Vec<&str> = ranked(&r, ClassOrder::Name)
            .iter()
            .map(|x| x.trainee.as_str())
            .collect();
        assert_eq!(by_name, ["a", "a", "b", "c"]);
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("-rf"), "'-rf");
        assert_eq!(csv_safe("@x"), "'@x");
        assert_eq!(csv_safe("Anna"), "Anna");
    }
}
