//! The HTML report: ONE self-contained file that opens offline. Charts are inline SVG drawn with
//! plotters; styles are inline; nothing is fetched. Every text that comes from input (trainee,
//! note, source, channel names, quality messages) is HTML-escaped.

use super::charts::{self, Chart};
use super::palette::{css, grade_css, REDDISH_PURPLE};
use super::write_err;
use crate::error::Result;
use crate::grade::{clock, Grade, GradedSession};
use crate::session::Session;
use html_escape::encode_text as esc;
use std::fmt::Write as _;
use std::io::Write;

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 24px auto; max-width: 1140px; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.meta { color: #555; }
.card { display: flex; gap: 16px; flex-wrap: wrap; align-items: stretch; }
.score { font-size: 3.2em; font-weight: bold; padding: 8px 18px; border: 3px solid #222; border-radius: 10px; }
.score small { font-size: 0.35em; font-weight: normal; display: block; }
.sub { border: 1px solid #bbb; border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.sub b { font-size: 1.6em; display: block; }
.charts { display: flex; flex-wrap: wrap; gap: 8px; }
.charts svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; white-space: nowrap; }
td.flags { white-space: normal; min-width: 12em; text-align: left; }
.scroll { overflow-x: auto; max-width: 100%; }
#strokes { font-size: 0.8em; }
th.finger { background: #e8eef5; }
th { background: #f3f3f3; }
td.l { text-align: left; }
.danger { color: #fff; background: #7a2e5a; padding: 2px 6px; border-radius: 4px; }
ul.coach li { margin: 0.4em 0; }
.warn { color: #7a4a00; }
.pass { margin-left: 0.4em; color: #fff; background: #00795a; padding: 4px 12px; border-radius: 6px; font-size: 0.45em; vertical-align: middle; }
.fail { margin-left: 0.4em; color: #fff; background: #a23a00; padding: 4px 12px; border-radius: 6px; font-size: 0.45em; vertical-align: middle; }
.note { background: #fff7e0; border-left: 4px solid #c08a00; padding: 6px 12px; }
"#;

fn pct(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        100.0 * k as f64 / n as f64
    }
}

/// A coloured grade badge with its symbol and words (never colour alone).
pub fn grade_badge(g: Grade) -> String {
    format!(
        "<span class=\"grade {}\" style=\"color:{}\">{} {}</span>",
        g.as_str(),
        grade_css(g),
        g.symbol(),
        g.label()
    )
}

/// Writes the HTML report: one self-contained page, section by section.
pub fn write(session: &Session, graded: &GradedSession, out: &mut dyn Write) -> Result<()> {
    let mut h = String::with_capacity(256 * 1024);
    for section in [head, score_card, exposure, coaching, charts, strokes] {
        section(&mut h, session, graded);
    }
    let _ = writeln!(h, "</body></html>");
    out.write_all(h.as_bytes()).map_err(write_err)
}

/// The title, the source and the profile.
fn head(h: &mut String, session: &Session, graded: &GradedSession) {
    let p = &graded.profile;
    // Titled by trainee and date: a folder of a class's reports over weeks must tell apart.
    let trainee = match crate::class::session_date(session.meta.started.as_deref()) {
        Some(date) => format!(
            "{}, {date}",
            session.meta.trainee.as_deref().unwrap_or("(no name)")
        ),
        None => session
            .meta
            .trainee
            .as_deref()
            .unwrap_or("(no name)")
            .to_string(),
    };
    let trainee = trainee.as_str();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>mldsense report: {}</title><style>{STYLE}</style></head><body>\n",
        esc(trainee)
    );
    let _ = writeln!(h, "<h1>MLD session: {}</h1>", esc(trainee));
    let _ = write!(
        h,
        "<p class=\"meta\">Source: {} · length {} · profile <b>{}</b> (window {:.0}–{:.0} mmHg, danger {:.0} mmHg)",
        esc(&session.meta.source),
        clock(session.duration_s),
        esc(&p.name),
        p.window.lo_mmhg.0,
        p.window.hi_mmhg.0,
        p.danger.mmhg.0
    );
    if let Some(started) = &session.meta.started {
        let _ = write!(h, " · started {}", esc(started));
    }
    let _ = writeln!(h, "</p>");
    if let Some(note) = &session.meta.note {
        let _ = writeln!(h, "<p class=\"meta\">Note: {}</p>", esc(note));
    }
}

/// The score card: % in window is the headline, the score with pass/fail beside it; the
/// grade counts and the rhythm.
fn score_card(h: &mut String, _session: &Session, graded: &GradedSession) {
    let s = &graded.summary;
    let p = &graded.profile;
    // Score card: % in window is the headline, the score with pass/fail beside it.
    let _ = writeln!(h, "<h2>Score</h2><div class=\"card\">");
    let _ = writeln!(
        h,
        "<div class=\"score\" id=\"in-window\">{:.0}%<small>of strokes in the window</small></div>",
        s.percent_in_window
    );
    let why = s
        .fail_reason()
        .map_or(String::new(), |r| format!(": {}", esc(&r)));
    let _ = writeln!(
        h,
        "<div class=\"score\" id=\"score\">{}<span id=\"verdict\" class=\"{}\">{}</span>\
         <small>of 100 · pass mark {:.0}, no stroke at {:.0} mmHg{why}</small></div>",
        super::score_label(s.score),
        if s.passed() { "pass" } else { "fail" },
        s.verdict_label(),
        s.pass_mark,
        p.danger.mmhg.0
    );
    for (name, v) in [
        ("pressure", s.pressure),
        ("release", s.release),
        ("rhythm", s.rhythm),
    ] {
        let _ = writeln!(h, "<div class=\"sub\">{name}<b>{v:.0}</b></div>");
    }
    let _ = writeln!(
        h,
        "<div class=\"sub\">strokes<b id=\"stroke-count\">{}</b>{:.0}% of working time in window</div>\
         <div class=\"sub\">consistency<b id=\"peak-cv\">{}</b>CV of peaks</div></div>",
        s.strokes,
        s.percent_time_in_window,
        s.peak_cv
            .map_or("–".to_string(), |c| format!("{:.0}%", c * 100.0))
    );
    let _ = writeln!(
        h,
        "<p class=\"note\" id=\"certainty\">Note: {}.{}</p>",
        esc(&graded.certainty.sentence(p.window_mid())),
        if s.near_edge > 0 {
            format!(
                " {} stroke{} near edge (marked in the table).",
                s.near_edge,
                if s.near_edge == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        h,
        "<table><tr><th class=\"l\">grade</th><th>strokes</th><th>share</th></tr>"
    );
    for g in Grade::ALL {
        let k = s.counts.get(g);
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td id=\"count-{}\">{k}</td><td>{:.0}%</td></tr>",
            grade_badge(g),
            g.as_str(),
            pct(k, s.strokes)
        );
    }
    let _ = writeln!(h, "</table>");
    if s.danger > 0 {
        let _ = writeln!(
            h,
            "<p><span class=\"danger\">⚠ {} stroke{} at or above {:.0} mmHg (danger level)</span></p>",
            s.danger,
            if s.danger == 1 { "" } else { "s" }, p.danger.mmhg.0
        );
    }
    let uneven = crate::grade::count_flagged(&graded.strokes, crate::grade::Flag::UnevenFingers);
    if uneven > 0 {
        let _ = writeln!(
            h,
            "<p>Uneven fingertips (one pressing more than {:.0} mmHg above the others): {uneven} of {} strokes.</p>",
            p.fingers.uneven_mmhg.0, s.strokes
        );
    }
    let r = &s.rhythm_summary;
    if let (Some(d), Some(m)) = (r.median_interval_s, r.strokes_per_min) {
        let _ = writeln!(
            h,
            "<p>Rhythm: one stroke every {d:.2} s ({m:.0} a minute; target {:.1} ± {:.1} s), \
             {} rushed, {} dragging. Incomplete releases: {}.</p>",
            p.rhythm.period_s, p.rhythm.tolerance_s, r.rushed, r.dragging, s.incomplete_release
        );
    }
}

/// How long pressure stayed too high, for the session and each fingertip; the stroke form.
fn exposure(h: &mut String, _session: &Session, graded: &GradedSession) {
    let s = &graded.summary;
    let p = &graded.profile;
    // Exposure: how long pressure stayed too high, for the session and each fingertip.
    let _ = writeln!(
        h,
        "<h2>Time pressed too hard</h2><table id=\"exposure\"><tr><th class=\"l\">fingertip</th>\
         <th>above {hi:.0} mmHg</th><th>share of working time</th><th>at {d:.0}+ mmHg</th><th>share</th></tr>",
        hi = p.window.hi_mmhg.0,
        d = p.danger.mmhg.0
    );
    for e in std::iter::once(&s.exposure).chain(&s.finger_exposure) {
        let _ =
            writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{:.0}%</td><td>{}</td><td>{:.0}%</td></tr>",
            e.finger.as_deref().map_or("any (session)".to_string(), |f| esc(f).into_owned()),
            super::seconds_label(e.above_window_s),
            e.above_window_percent,
            super::seconds_label(e.above_danger_s),
            e.above_danger_percent
        );
    }
    let _ = writeln!(
        h,
        "</table><p class=\"meta\">Working time {}: time any fingertip pressed more than {:.0} mmHg. \
         Damage depends on how long vessels are pressed too hard (Eliska &amp; Eliskova 1995: \
         70–100 mmHg for 3–5 minutes in oedema).</p>",
        super::seconds_label(s.exposure.working_s),
        p.release.within_mmhg.0
    );
    let _ = writeln!(
        h,
        "<p>Stroke form: time to peak {} on average, rising at {}.</p>",
        s.mean_time_to_peak_s
            .map_or("–".to_string(), |t| format!("{t:.2} s")),
        s.mean_rise_rate_mmhg_per_s
            .map_or("–".to_string(), |r| format!("{r:.0} mmHg/s"))
    );
}

/// The coaching points and the data-quality warnings.
fn coaching(h: &mut String, session: &Session, graded: &GradedSession) {
    // Coaching.
    let _ = writeln!(h, "<h2>Coaching</h2><ul class=\"coach\">");
    for c in &graded.coaching {
        let _ = writeln!(h, "<li>{}</li>", esc(&c.message));
    }
    let _ = writeln!(h, "</ul>");

    let quality = crate::grade::fingers::quality_warnings(session);
    if !quality.is_empty() {
        let _ = writeln!(h, "<h2>Data quality</h2><ul>");
        for q in &quality {
            let _ = writeln!(h, "<li class=\"warn\">⚠ {}</li>", esc(&q.message));
        }
        let _ = writeln!(h, "</ul>");
    }
}

/// Every chart as inline SVG, with the key.
fn charts(h: &mut String, session: &Session, graded: &GradedSession) {
    // Charts.
    let _ = writeln!(h, "<h2>Charts</h2><div class=\"charts\">");
    for chart in Chart::ALL {
        match charts::svg(chart, session, graded) {
            Ok(svg) => {
                let _ = writeln!(
                    h,
                    "<figure id=\"chart-{}\" role=\"img\" aria-label=\"{}\" style=\"margin:0\">{}</figure>",
                    chart.stem(),
                    chart.title(),
                    charts::strip_xml_declaration(&svg)
                );
            }
            Err(e) => {
                let _ = writeln!(
                    h,
                    "<p class=\"warn\">{} could not be drawn: {}</p>",
                    chart.title(),
                    esc(&e.to_string())
                );
            }
        }
    }
    let _ = writeln!(h, "</div>");
    let _ = writeln!(
        h,
        "<p class=\"meta\">Shapes: ▽ too light (blue), ● in window (bluish green), ▲ too hard \
         (vermillion); dashed line: danger level (<span style=\"color:{}\">reddish purple</span>). \
         Finger balance: each fingertip's share of strokes by the grade of its own peak; the \
         headline grades each stroke by its highest fingertip.</p>",
        css(REDDISH_PURPLE)
    );
}

/// The per-stroke table with each stroke's penalties, and where the profile's levels come from.
fn strokes(h: &mut String, session: &Session, graded: &GradedSession) {
    let p = &graded.profile;
    // Score breakdown and per-stroke table.
    let _ = writeln!(
        h,
        "<h2>Strokes</h2><p class=\"meta\">Each stroke starts at 100; the penalties add up to \
         100 − score (formula in SCORING.md).</p>"
    );
    let names: Vec<String> = (0..session.info.channels.len())
        .map(|c| crate::grade::fingers::finger_name(session, c))
        .collect();
    let _ = write!(
        h,
        "<div class=\"scroll\"><table id=\"strokes\"><tr><th>#</th><th>onset</th><th>peak mmHg</th><th class=\"l\">grade</th>\
         <th>score</th><th>pressure</th><th>danger</th><th>release</th><th>rhythm</th>\
         <th>fingers</th><th>smooth</th><th>interval s</th><th>to peak s</th><th>rise mmHg/s</th><th class=\"l\">flags</th>"
    );
    for n in &names {
        let _ = write!(h, "<th class=\"finger\">{} mmHg</th>", esc(n));
    }
    let _ = writeln!(h, "</tr>");
    for g in &graded.strokes {
        let Some(st) = session.strokes.get(g.index) else {
            continue;
        };
        let pen = &g.penalties;
        let _ = write!(
            h,
            "<tr class=\"stroke {}\"><td>{}</td><td>{}</td><td>{:.1}</td><td class=\"l\">{}</td>\
             <td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td>\
             <td>{:.1}</td><td>{}</td><td>{:.2}</td><td>{:.0}</td><td class=\"l flags\">{}</td>",
            g.grade.as_str(),
            g.index + 1,
            clock(st.onset_s),
            st.peak.0,
            grade_badge(g.grade),
            g.score,
            pen.pressure,
            pen.danger,
            pen.release,
            pen.rhythm,
            pen.fingers,
            pen.smoothness,
            g.interval_s.map_or("–".into(), |d| format!("{d:.2}")),
            g.time_to_peak_s,
            g.rise_rate_mmhg_per_s,
            g.flags
                .iter()
                .map(|f| f.as_str().replace('_', " "))
                .chain(g.near_edge.then(|| "near edge".to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for c in 0..names.len() {
            let v = st
                .channel_peaks
                .get(c)
                .map(|p| p.0)
                .filter(|v| v.is_finite());
            let _ = write!(
                h,
                "<td>{}</td>",
                v.map_or("–".into(), |v| format!("{v:.0}"))
            );
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</table></div>");
    let _ = writeln!(
        h,
        "<p class=\"meta\">Window source: {}<br>Danger source: {}</p>",
        esc(&p.window.source),
        esc(&p.danger.source)
    );
}
