//! The line printer for when stdout is not a terminal (a pipe, a log, a test): one line per
//! stroke, then a summary. Tab-free, fixed words, easy to grep.

use crate::live::state::{clock, LiveState, StrokeVerdict};

/// One stroke as a line: time, peak, verdict, flags, and the stroke's score when graded.
///
/// ```
/// use mldsense::live::{StrokeVerdict, Verdict};
/// use mldsense::live::lines::stroke_line;
/// use mldsense::units::Mmhg;
/// let s = StrokeVerdict { onset_s: 61.25, offset_s: 61.8, peak: Mmhg(36.24), verdict: Verdict::InWindow,
///     danger: false, flags: vec![], score: None, pace: None, interval_s: None, near_edge: false };
/// assert_eq!(stroke_line(&s), "stroke 1:01.25  peak 36.2 mmHg  in_window  flags -");
/// let scored = StrokeVerdict { score: Some(60.0), ..s };
/// assert_eq!(stroke_line(&scored), "stroke 1:01.25  peak 36.2 mmHg  in_window  flags -  score 60.0");
/// ```
pub fn stroke_line(s: &StrokeVerdict) -> String {
    let mut flags: Vec<&str> = Vec::new();
    if s.danger {
        flags.push("danger");
    }
    flags.extend(s.flags.iter().map(|f| f.as_str()));
    let flags = if flags.is_empty() {
        "-".to_string()
    } else {
        flags.join(",")
    };
    let secs = if s.onset_s.is_finite() {
        s.onset_s.max(0.0)
    } else {
        0.0
    };
    let whole = clock(secs);
    let hundredths = ((secs.fract() * 100.0).floor() as u32).min(99);
    let score = s
        .score
        .filter(|v| v.is_finite())
        .map_or(String::new(), |v| format!("  score {v:.1}"));
    format!(
        "stroke {whole}.{hundredths:02}  peak {:.1} mmHg  {}  flags {flags}{score}",
        s.peak.0,
        s.verdict.key()
    )
}

/// One stroke as a line in blind practice: its time only, no verdict.
///
/// ```
/// use mldsense::live::{StrokeVerdict, Verdict};
/// use mldsense::live::lines::blind_line;
/// use mldsense::units::Mmhg;
/// let s = StrokeVerdict { onset_s: 61.25, offset_s: 61.8, peak: Mmhg(36.24), verdict: Verdict::InWindow,
///     danger: false, flags: vec![], score: None, pace: None, interval_s: None, near_edge: false };
/// assert_eq!(blind_line(&s, 7), "stroke 7 at 1:01.25");
/// ```
pub fn blind_line(s: &StrokeVerdict, n: u32) -> String {
    let secs = if s.onset_s.is_finite() {
        s.onset_s.max(0.0)
    } else {
        0.0
    };
    let hundredths = ((secs.fract() * 100.0).floor() as u32).min(99);
    format!("stroke {n} at {}.{hundredths:02}", clock(secs))
}

/// The closing summary: duration, counts per verdict, share in window, score, warnings.
pub fn summary(state: &LiveState) -> Vec<String> {
    let c = &state.counts;
    let mut out = vec![format!(
        "summary: {} strokes in {}  too_light {}  in_window {}  too_hard {}  danger {}",
        c.total(),
        clock(state.now_s),
        c.too_light,
        c.in_window,
        c.too_hard,
        c.danger
    )];
    let share = c
        .in_window_share()
        .map_or("-".to_string(), |s| format!("{:.0} %", s * 100.0));
    match &state.summary {
        Some(sum) => {
            let why = sum
                .fail_reason()
                .map_or(String::new(), |r| format!(": {r}"));
            out.push(format!(
                "in window {share}  score {} / 100  {} (pass mark {:.0}{why})",
                crate::report::score_label(sum.score),
                sum.verdict_label(),
                sum.pass_mark
            ));
            let e = &sum.exposure;
            out.push(format!(
                "above window {} ({:.0} % of working time)  at danger {} ({:.0} %)",
                crate::report::seconds_label(e.above_window_s),
                e.above_window_percent,
                crate::report::seconds_label(e.above_danger_s),
                e.above_danger_percent
            ));
            for f in sum
                .finger_exposure
                .iter()
                .filter(|f| f.above_window_s > 0.0)
            {
                out.push(format!(
                    "  {}: above window {} ({:.0} %)  at danger {}",
                    f.finger.as_deref().unwrap_or("?"),
                    crate::report::seconds_label(f.above_window_s),
                    f.above_window_percent,
                    crate::report::seconds_label(f.above_danger_s),
                ));
            }
        }
        None => {
            let score = state
                .score
                .map_or("-".to_string(), |s| format!("{s:.0} / 100"));
            out.push(format!("in window {share}  score {score}"));
        }
    }
    if let Some(c) = &state.certainty {
        out.push(format!("note: {c}"));
    }
    if let Some(d) = state.max_verdict_delay_s {
        out.push(format!(
            "verdicts reached the view at most {:.0} ms after each stroke's end",
            d * 1000.0
        ));
    }
    if state.tallies.markers > 0 {
        out.push(format!("markers {}", state.tallies.markers));
    }
    for w in state.warnings() {
        out.push(format!("warning: {w}"));
    }
    out
}
