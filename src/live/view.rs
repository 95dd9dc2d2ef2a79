//! Drawing a [`LiveState`] on a terminal frame. Pure: the same state always draws the same
//! screen, so tests assert on a `TestBackend`'s buffer.
//!
//! Layout, top to bottom: a status line (source, connection, recording, time, pause); the
//! fingertip bars beside the last stroke's verdict (stacked on narrow terminals); the counts
//! and score; the rhythm with its metronome; data-quality warnings; the keys.

use crate::grade::Pace;
use crate::live::bars::PressureBars;
use crate::live::palette;
use crate::live::state::{clock, Connection, LiveState, StrokeVerdict, Verdict};
use ratatui::layout::{Alignment, Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// The symbol that goes with each verdict, so it reads without colour.
pub fn verdict_symbol(v: Verdict) -> &'static str {
    match v {
        Verdict::TooLight => "▽",
        Verdict::InWindow => "✓",
        Verdict::TooHard => "▲",
    }
}

/// The pace spelled out, as the report's flags say it.
pub fn pace_label(p: Pace) -> &'static str {
    match p {
        Pace::Rushed => "rushed",
        Pace::OnBeat => "on beat",
        Pace::Dragging => "dragging",
        Pace::Pause => "pause (next spot)",
    }
}

/// Narrowest terminal the full view is drawn on, columns.
pub const MIN_WIDTH: u16 = 60;

/// Rows the full view needs on a terminal `width` columns wide, for `channels` fingertips and
/// `warn_rows` warning lines: every fingertip gets its bar (stacked under the verdict when
/// narrow), nothing is dropped.
pub fn rows_needed(width: u16, channels: usize, warn_rows: u16) -> u16 {
    // One row a fingertip, the scale row, the borders.
    let bars = channels.min(64) as u16 + 3;
    let main = if width >= 90 { bars.max(6) } else { bars + 6 };
    // Status line, the main area, counts (3), rhythm (2), warnings, keys: as `draw` lays out.
    1 + main + 3 + 2 + warn_rows + 1
}

/// Draws the whole live view (or, on a terminal too small for it, the essentials and why).
pub fn draw(frame: &mut Frame, state: &LiveState) {
    let area = frame.area();
    let mut warnings = state.warnings();
    if let Some(c) = &state.certainty {
        warnings.insert(0, c.clone());
    }
    let warn_rows = (warnings.len().min(3) as u16).max(1);
    let need = rows_needed(area.width, state.channels.len(), warn_rows);
    if area.width < MIN_WIDTH || area.height < need {
        draw_essentials(frame, area, state, need);
        return;
    }
    if state.blind {
        draw_blind(frame, area, state);
        return;
    }
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(6),
            Constraint::Length(3),
            Constraint::Length(2),
            Constraint::Length(warn_rows),
            Constraint::Length(1),
        ])
        .split(area);
    draw_status(frame, rows[0], state);
    draw_main(frame, rows[1], state);
    draw_counts(frame, rows[2], state);
    draw_rhythm(frame, rows[3], state);
    draw_warnings(frame, rows[4], &warnings);
    draw_keys(frame, rows[5], state);
}

fn draw_status(frame: &mut Frame, area: Rect, state: &LiveState) {
    let conn_style = match state.connection {
        Connection::Connected => palette::verdict_style(Verdict::InWindow),
        Connection::Connecting | Connection::Reconnecting => palette::warning_style(),
        Connection::Disconnected => palette::danger_style(),
        Connection::Ended => palette::dim_style(),
    };
    let mut spans = vec![
        Span::styled(" mldsense live ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw("│ "),
        Span::raw(state.source.clone()),
        Span::raw(" │ "),
        Span::styled(
            format!("● {}", state.connection.label()),
            conn_style.add_modifier(Modifier::BOLD),
        ),
        Span::raw(" │ "),
        Span::raw(clock(state.now_s)),
    ];
    if let Some(rec) = &state.recording {
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled("● REC ", palette::danger_style()));
        spans.push(Span::raw(rec.clone()));
    }
    if state.paused {
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled(
            "PAUSED",
            palette::warning_style().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_main(frame: &mut Frame, area: Rect, state: &LiveState) {
    let wide = area.width >= 90;
    let parts = if wide {
        Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Min(50), Constraint::Length(34)])
            .split(area)
    } else {
        Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Min(4), Constraint::Length(6)])
            .split(area)
    };
    let bars_block = Block::default()
        .borders(Borders::ALL)
        .title(" Fingertip pressure ");
    let inner = bars_block.inner(parts[0]);
    frame.render_widget(bars_block, parts[0]);
    frame.render_widget(
        PressureBars {
            names: &state.channels,
            pressures: &state.pressures,
            window: state.window,
        },
        inner,
    );
    draw_verdict(frame, parts[1], state);
}

fn draw_verdict(frame: &mut Frame, area: Rect, state: &LiveState) {
    let title = match &state.last {
        Some(_) => format!(" Last stroke (#{}) ", state.counts.total().max(1)),
        None => " Last stroke ".to_string(),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(last) = &state.last else {
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(""),
                Line::raw("no stroke yet"),
                Line::styled(
                    format!(
                        "aim for {:.0}–{:.0} mmHg",
                        state.window.low.0, state.window.high.0
                    ),
                    palette::verdict_style(Verdict::InWindow),
                ),
            ])
            .alignment(Alignment::Center),
            inner,
        );
        return;
    };
    let panel_h = if inner.height >= 6 { 3 } else { 1 };
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(panel_h), Constraint::Min(0)])
        .split(inner);
    draw_verdict_panel(frame, parts[0], last);
    let mut lines = Vec::new();
    if last.danger {
        lines.push(Line::styled(
            format!("DANGER: at or above {:.0} mmHg", state.window.danger.0),
            palette::danger_style(),
        ));
    }
    if last.near_edge {
        lines.push(Line::styled(
            "near edge: the sensor error could change this grade",
            palette::warning_style(),
        ));
    }
    if last.flags.is_empty() {
        lines.push(Line::styled("no other findings", palette::dim_style()));
    } else {
        let phrases: Vec<&str> = last.flags.iter().map(|f| f.phrase()).collect();
        lines.push(Line::raw(phrases.join(", ")));
    }
    let mut when = format!(
        "at {} · {:.2} s long",
        clock(last.onset_s),
        last.offset_s - last.onset_s
    );
    if let Some(s) = last.score {
        when.push_str(&format!(" · {s:.0} pts"));
    }
    lines.push(Line::styled(when, palette::dim_style()));
    // The strokes before, newest first: the pattern matters more than one verdict.
    let room = usize::from(parts[1].height).saturating_sub(lines.len() + 1);
    if room > 0 && !state.recent.is_empty() {
        lines.push(Line::styled("earlier", palette::dim_style()));
        for s in state.recent.iter().take(room - 1) {
            let (label, style) = if s.danger {
                ("DANGER", palette::danger_style())
            } else {
                (s.verdict.label(), palette::verdict_style(s.verdict))
            };
            lines.push(Line::styled(
                format!(
                    "{} {:>5.1} mmHg  {:<9}  {}",
                    verdict_symbol(s.verdict),
                    s.peak.0,
                    label,
                    clock(s.onset_s)
                ),
                style,
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        parts[1],
    );
}

/// The verdict, large: the grade's colour as a background, the word in capitals with its symbol,
/// and the peak.
fn draw_verdict_panel(frame: &mut Frame, area: Rect, last: &StrokeVerdict) {
    let style = palette::verdict_panel_style(last.verdict);
    let sym = verdict_symbol(last.verdict);
    let word = format!(
        "{sym}  {}  {sym}",
        last.verdict.label().to_uppercase().replace(' ', "  ")
    );
    let peak = format!("peak {:.1} mmHg", last.peak.0);
    let lines = if area.height >= 3 {
        vec![Line::raw(word), Line::raw(peak), Line::raw("")]
    } else {
        vec![Line::raw(format!("{word}  {peak}"))]
    };
    frame.render_widget(
        Paragraph::new(lines)
            .style(style)
            .alignment(Alignment::Center),
        area,
    );
}

fn draw_counts(frame: &mut Frame, area: Rect, state: &LiveState) {
    let c = &state.counts;
    let mut spans = vec![Span::raw(" ")];
    for v in Verdict::ALL {
        spans.push(Span::styled(
            format!("{} {} {}", verdict_symbol(v), v.label(), c.get(v)),
            palette::verdict_style(v).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw("   "));
    }
    if c.danger > 0 {
        spans.push(Span::styled(
            format!("danger {}", c.danger),
            palette::danger_style(),
        ));
        spans.push(Span::raw("   "));
    }
    let mut lines = vec![Line::from(spans)];
    // The headline: % in window, then the score with pass/fail and the pass mark beside it.
    let mut head = vec![Span::raw(" ")];
    match c.in_window_share() {
        Some(sh) => head.push(Span::styled(
            format!("{:.0} % in window", sh * 100.0),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        None => head.push(Span::styled("no strokes yet", palette::dim_style())),
    }
    head.push(Span::raw("   "));
    match (&state.summary, state.score) {
        (Some(sum), _) => {
            head.push(Span::styled(
                format!("Score {} / 100 ", crate::report::score_label(sum.score)),
                Style::new().add_modifier(Modifier::BOLD),
            ));
            let st = if sum.passed() {
                palette::verdict_style(Verdict::InWindow)
            } else {
                palette::danger_style()
            };
            head.push(Span::styled(
                sum.verdict_label(),
                st.add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ));
            let why = sum
                .fail_reason()
                .map_or(String::new(), |r| format!(": {r}"));
            head.push(Span::styled(
                format!(" (pass mark {:.0}{why})", sum.pass_mark),
                palette::dim_style(),
            ));
        }
        (None, Some(s)) => head.push(Span::styled(
            format!("Score {s:.0} / 100"),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        (None, None) => head.push(Span::raw("Score –")),
    }
    lines.push(Line::from(head));
    if let Some(sum) = &state.summary {
        let e = &sum.exposure;
        let style = if e.above_danger_s > 0.0 {
            palette::danger_style()
        } else if e.above_window_s > 0.0 {
            palette::warning_style()
        } else {
            palette::dim_style()
        };
        lines.push(Line::styled(
            format!(
                " above {:.0} mmHg {} ({:.0} % of working time) · at {:.0}+ mmHg {} ({:.0} %)",
                state.window.high.0,
                crate::report::seconds_label(e.above_window_s),
                e.above_window_percent,
                state.window.danger.0,
                crate::report::seconds_label(e.above_danger_s),
                e.above_danger_percent
            ),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_rhythm(frame: &mut Frame, area: Rect, state: &LiveState) {
    let r = &state.rhythm;
    let now = state.now_s;
    let mut spans = vec![Span::raw(" Rhythm ")];
    // The grader's own judgement of the newest interval, so the view and the report agree.
    match state.last.as_ref().and_then(|l| l.pace.zip(l.interval_s)) {
        Some((pace, d)) => {
            let st = match pace {
                Pace::OnBeat => palette::verdict_style(Verdict::InWindow),
                Pace::Dragging => palette::verdict_style(Verdict::TooLight),
                Pace::Rushed => palette::verdict_style(Verdict::TooHard),
                Pace::Pause => palette::dim_style(),
            };
            spans.push(Span::styled(
                format!("last interval {d:.2} s · {}", pace_label(pace)),
                st.add_modifier(Modifier::BOLD),
            ));
        }
        None => spans.push(Span::styled("–", palette::dim_style())),
    }
    spans.push(Span::styled(
        format!("   target {:.1}/s", r.target_hz),
        palette::dim_style(),
    ));

    // The metronome: a pendulum that touches a side on every target beat; stroke on the touch.
    let width = area.width.saturating_sub(12).clamp(10, 41) as usize;
    let pos = (r.swing(now) * (width - 1) as f64).round() as usize;
    let flash = r
        .since_last_onset(now)
        .is_some_and(|d| (0.0..0.25).contains(&d));
    let mut track: String = (0..width)
        .map(|i| if i == pos { '●' } else { '·' })
        .collect();
    track.insert(0, '▕');
    track.push('▏');
    let beat_style = if pos == 0 || pos == width - 1 {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        palette::dim_style()
    };
    let metronome = Line::from(vec![
        Span::raw(" beat "),
        Span::styled(track, beat_style),
        Span::styled(
            if flash { " ◆ stroke" } else { "" },
            palette::verdict_style(Verdict::InWindow),
        ),
    ]);
    frame.render_widget(Paragraph::new(vec![Line::from(spans), metronome]), area);
}

fn draw_warnings(frame: &mut Frame, area: Rect, warnings: &[String]) {
    let lines: Vec<Line> = if warnings.is_empty() {
        vec![Line::styled(" signal ok", palette::dim_style())]
    } else {
        warnings
            .iter()
            .take(usize::from(area.height))
            .map(|w| Line::styled(format!(" ⚠ {w}"), palette::warning_style()))
            .collect()
    };
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_keys(frame: &mut Frame, area: Rect, state: &LiveState) {
    let mut spans = vec![Span::styled(
        " q quit · space marker · p pause · t tare",
        palette::dim_style(),
    )];
    if let Some(n) = &state.notice {
        spans.push(Span::raw("   "));
        spans.push(Span::raw(n.clone()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The essentials on a terminal too small for the view: that it is too small (and what it
/// needs), the last verdict and the current pressure of every fingertip, the counts.
fn draw_essentials(frame: &mut Frame, area: Rect, state: &LiveState, need: u16) {
    let mut lines = vec![Line::styled(
        format!(
            "terminal {}×{} too small for the live view (needs {}×{}): essentials only",
            area.width, area.height, MIN_WIDTH, need
        ),
        palette::warning_style(),
    )];
    if state.blind {
        lines.push(Line::raw(format!(
            "blind practice · {} strokes · {}",
            state.counts.total(),
            clock(state.now_s)
        )));
    } else {
        match &state.last {
            Some(last) => {
                let mut spans = vec![Span::styled(
                    format!(
                        " {} {} {:.1} mmHg ",
                        verdict_symbol(last.verdict),
                        last.verdict.label().to_uppercase(),
                        last.peak.0
                    ),
                    palette::verdict_panel_style(last.verdict),
                )];
                if last.danger {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(" DANGER ", palette::danger_style()));
                }
                lines.push(Line::from(spans));
            }
            None => lines.push(Line::raw(format!(
                "no stroke yet · aim for {:.0}–{:.0} mmHg",
                state.window.low.0, state.window.high.0
            ))),
        }
    }
    let now: Vec<String> = state
        .channels
        .iter()
        .zip(&state.pressures)
        .map(|(n, p)| match p {
            Some(p) => format!("{n} {:.0}", p.0),
            None => format!("{n} –"),
        })
        .collect();
    lines.push(Line::raw(format!("now mmHg: {}", now.join(" · "))));
    if !state.blind {
        let c = &state.counts;
        lines.push(Line::raw(format!(
            "{} ▽{} ✓{} ▲{} danger {} · score {}",
            c.total(),
            c.too_light,
            c.in_window,
            c.too_hard,
            c.danger,
            state.score.map_or("–".into(), |s| format!("{s:.0}"))
        )));
    }
    lines.push(Line::styled("q quit", palette::dim_style()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

/// Blind practice: the pressure is felt, not seen; no verdict, no target, no score. What is
/// shown is what any practice needs: the link, the time, the stroke count, the keys.
fn draw_blind(frame: &mut Frame, area: Rect, state: &LiveState) {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(5),
            Constraint::Length(1),
        ])
        .split(area);
    draw_status(frame, rows[0], state);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Blind practice ");
    let inner = block.inner(rows[1]);
    frame.render_widget(block, rows[1]);
    let lines = vec![
        Line::raw(""),
        Line::styled(
            "Feedback is hidden while you practise.",
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::raw(format!(
            "{} strokes so far · {}",
            state.counts.total(),
            clock(state.now_s)
        )),
        Line::raw(""),
        Line::styled(
            "Press q when you are done: the full debrief follows.",
            palette::dim_style(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center), inner);
    draw_keys(frame, rows[2], state);
}
