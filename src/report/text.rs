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
    let _ = writeln!(
        t,
        "SCORE {}/100   pressure {:.0}   release {:.0}   rhythm {:.0}",
        super::score_label(s.score),
        s.pressure,
        s.release,
        s.rhythm
    );
    let _ = writeln!(
        t,
        "{} strokes, {:.0}% in window ({:.0}% of working time)",
        s.strokes, s.percent_in_window, s.percent_time_in_window
    );
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
    if !session.quality.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(t, "Data quality:");
        for q in &session.quality {
            let _ = writeln!(t, "  ! {}", q.message);
        }
    }
    out.write_all(t.as_bytes()).map_err(write_err)
}
