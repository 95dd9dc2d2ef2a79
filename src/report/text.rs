//! The text report: a readable terminal summary (score, share in window, counts per grade,
//! rhythm, coaching, quality warnings).

use super::write_err;
use crate::error::Result;
use crate::grade::{clock, Grade, GradedSession};
use crate::session::Session;
use std::io::Write;

/// Writes the summary.
pub fn write(session: &Session, graded: &GradedSession, out: &mut dyn Write) -> Result<()> {
    let s = &graded.summary;
    let p = &graded.profile;
    let mut t = String::new();
    use std::fmt::Write as _;
    let who = session.meta.trainee.as_deref().unwrap_or("(no name)");
    match crate::class::session_date(session.meta.started.as_deref()) {
        Some(date) => {
            let _ = writeln!(t, "mldsense report — {who}, {date}");
        }
        None => {
            let _ = writeln!(t, "mldsense report — {who}");
        }
    }
    let _ = writeln!(
        t,
        "source: {}   length: {}   profile: {} (window {:.0}–{:.0} mmHg, danger {:.0} mmHg)",
        session.meta.source,
        clock(session.duration_s),
        p.name,
        p.window.lo_mmhg.0,
        p.window.hi_mmhg.0,
        p.danger.mmhg.0
    );
    if let Some(note) = &session.meta.note {
        let _ = writeln!(t, "note: {note}");
    }
    let _ = writeln!(t);
    let why = s.fail_reason().map_or(String::new(), |r| format!(": {r}"));
    let _ = writeln!(
        t,
        "{:.0}% IN WINDOW   SCORE {}/100   {} (pass mark {:.0}{why})",
        s.percent_in_window,
        super::score_label(s.score),
        s.verdict_label(),
        s.pass_mark
    );
    let _ = writeln!(
        t,
        "  pressure {:.0}   release {:.0}   rhythm {:.0}   (a session passes with {:.0} or more and no stroke at {:.0} mmHg)",
        s.pressure, s.release, s.rhythm, s.pass_mark, p.danger.mmhg.0
    );
    let _ = writeln!(
        t,
        "{} strokes, {:.0}% in window ({:.0}% of working time)",
        s.strokes, s.percent_in_window, s.percent_time_in_window
    );
    let _ = writeln!(t, "note: {}", graded.certainty.sentence(p.window_mid()));
    if s.near_edge > 0 {
        let _ = writeln!(
            t,
            "  {} stroke{} near edge (grade could change within the sensor error)",
            s.near_edge,
            if s.near_edge == 1 { "" } else { "s" }
        );
    }
    for g in Grade::ALL {
        let k = s.counts.get(g);
        let pct = if s.strokes > 0 {
            100.0 * k as f64 / s.strokes as f64
        } else {
            0.0
        };
        let bar = "#".repeat((pct / 4.0).round() as usize);
        let _ = writeln!(
            t,
            "  {} {:<10} {k:>5} {pct:>4.0}%  {bar}",
            g.symbol(),
            g.label()
        );
    }
    if s.danger > 0 {
        let _ = writeln!(
            t,
            "  !! {} stroke{} at or above the danger level ({:.0} mmHg)",
            s.danger,
            if s.danger == 1 { "" } else { "s" },
            p.danger.mmhg.0
        );
    }
    let _ = writeln!(t, "  incomplete releases: {}", s.incomplete_release);
    let uneven = crate::grade::count_flagged(&graded.strokes, crate::grade::Flag::UnevenFingers);
    if uneven > 0 {
        let _ = writeln!(t, "  uneven fingertips: {uneven}");
    }
    let e = &s.exposure;
    let _ = writeln!(
        t,
        "time above {:.0} mmHg: {} ({:.0}% of {} working time); at {:.0} mmHg or more: {} ({:.0}%)",
        p.window.hi_mmhg.0,
        super::seconds_label(e.above_window_s),
        e.above_window_percent,
        super::seconds_label(e.working_s),
        p.danger.mmhg.0,
        super::seconds_label(e.above_danger_s),
        e.above_danger_percent
    );
    for f in s.finger_exposure.iter().filter(|f| f.above_window_s > 0.0) {
        let _ = writeln!(
            t,
            "  {:<8} above {} ({:.0}%), at danger {}",
            f.finger.as_deref().unwrap_or("?"),
            super::seconds_label(f.above_window_s),
            f.above_window_percent,
            super::seconds_label(f.above_danger_s)
        );
    }
    let form =
        |v: Option<f64>, unit: &str| v.map_or("–".to_string(), |x| format!("{x:.2}{unit}"));
    let _ = writeln!(
        t,
        "consistency: peaks vary by {} (CV); stroke form: time to peak {}, rise {}",
        s.peak_cv
            .map_or("–".to_string(), |c| format!("{:.0}%", c * 100.0)),
        form(s.mean_time_to_peak_s, " s"),
        s.mean_rise_rate_mmhg_per_s
            .map_or("–".to_string(), |r| format!("{r:.0} mmHg/s"))
    );
    let r = &s.rhythm_summary;
    match (r.median_interval_s, r.strokes_per_min) {
        (Some(d), Some(m)) => {
            let _ = writeln!(
                t,
                "rhythm: one stroke every {d:.2} s ({m:.0}/min; target {:.1} ± {:.1} s), {} rushed, {} dragging",
                p.rhythm.period_s, p.rhythm.tolerance_s, r.rushed, r.dragging
            );
        }
        _ => {
            let _ = writeln!(t, "rhythm: not enough strokes to measure");
        }
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "Coaching:");
    for c in &graded.coaching {
        let _ = writeln!(t, "  • {}", c.message);
    }
    let quality = crate::grade::fingers::quality_warnings(session);
    if !quality.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(t, "Data quality:");
        for q in &quality {
            let _ = writeln!(t, "  ! {}", q.message);
        }
    }
    out.write_all(t.as_bytes()).map_err(write_err)
}
