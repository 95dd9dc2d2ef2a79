//! The pressure trace over the session: the envelope, the window band, the danger line and each stroke's peak by its grade.

use super::*;

/// The pressure envelope (highest fingertip) as `(t, mmHg)` min–max pairs per bucket, so peaks
/// survive decimation to about `buckets` columns.
pub(super) fn trace_points(session: &Session, buckets: usize) -> Vec<(f64, f64)> {
    let tr = &session.trace;
    let len = tr.channels.iter().map(Vec::len).max().unwrap_or(0);
    let highest = |i: usize| {
        tr.channels
            .iter()
            .filter_map(|c| c.get(i))
            .map(|&v| f64::from(v))
            .filter(|v| v.is_finite())
            .fold(f64::NAN, f64::max)
    };
    let mut out = Vec::new();
    if len > 0 && tr.rate_hz > 0.0 {
        let per = len.div_ceil(buckets.max(1)).max(1);
        let mut i = 0;
        while i < len {
            let end = (i + per).min(len);
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            let (mut at_lo, mut at_hi) = (i, i);
            for j in i..end {
                let v = highest(j);
                if v < lo {
                    lo = v;
                    at_lo = j;
                }
                if v > hi {
                    hi = v;
                    at_hi = j;
                }
            }
            if lo.is_finite() {
                let t = |k: usize| tr.start_s + k as f64 / tr.rate_hz;
                let (a, b) = if at_lo <= at_hi {
                    ((t(at_lo), lo), (t(at_hi), hi))
                } else {
                    ((t(at_hi), hi), (t(at_lo), lo))
                };
                out.push(a);
                out.push(b);
            }
            i = end;
        }
        return out;
    }
    // No trace: draw the strokes' own envelopes.
    for s in &session.strokes {
        for (k, &v) in s.envelope.iter().enumerate() {
            if v.is_finite() {
                out.push((
                    s.onset_s + k as f64 / crate::session::Stroke::ENVELOPE_RATE_HZ,
                    f64::from(v),
                ));
            }
        }
    }
    out
}

pub(super) fn draw_trace<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    session: &Session,
    graded: &GradedSession,
) -> DrawResult {
    let p = &graded.profile;
    let (lo, hi, danger) = (p.window.lo_mmhg.0, p.window.hi_mmhg.0, p.danger.mmhg.0);
    let points = trace_points(session, 1600);
    let t_end = finite_max(
        points
            .iter()
            .map(|p| p.0)
            .chain([session.duration_s])
            .chain(session.strokes.iter().map(|s| s.offset_s)),
    )
    .max(1.0);
    // Time is not capped like pressure: it is the session's length, bounded by the data read.
    let y_top = axis_top(
        (finite_max(
            points
                .iter()
                .map(|p| p.1)
                .chain(session.strokes.iter().map(|s| s.peak.0)),
        ) * 1.08)
            .max(danger + 10.0),
    );
    // Anything above the axis (a broken sensor's 10^18 mmHg) is drawn at its top edge.
    let points: Vec<(f64, f64)> = points.into_iter().map(|(t, v)| (t, v.min(y_top))).collect();

    let (w, _) = area.dim_in_pixel();
    let (plot, side) = area.split_horizontally(w.saturating_sub(LEGEND_W));
    let mut keys = vec![
        (
            Key::Band(BLUISH_GREEN),
            format!("window {lo:.0}–{hi:.0} mmHg"),
        ),
        (
            Key::Dashed(REDDISH_PURPLE),
            format!("danger {danger:.0} mmHg"),
        ),
        (Key::Line(TRACE_GREY), "pressure (top finger)".to_string()),
    ];
    for g in Grade::ALL {
        keys.push((
            Key::Marker(g, grade_colour(g)),
            format!("{} ({})", g.label(), graded.summary.counts.get(g)),
        ));
    }
    draw_legend(&side, &keys)?;
    let mut chart = axes(&plot, Chart::Trace, 0.0..t_end, 0.0..y_top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_desc("time (m:ss)")
        .y_desc("pressure (mmHg)")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_labels(0)
        .label_style(font(13.0))
        .axis_desc_style(font(14.0))
        .draw()
        .map_err(err)?;
    draw_time_labels(&plot, &chart, t_end, 0.0, 13.0)?;

    // Window band and danger line.
    chart
        .draw_series([Rectangle::new(
            [(0.0, lo), (t_end, hi)],
            BLUISH_GREEN.mix(0.18).filled(),
        )])
        .map_err(err)?;
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, danger), (t_end, danger)],
            8,
            5,
            REDDISH_PURPLE.stroke_width(2),
        ))
        .map_err(err)?;

    chart
        .draw_series(LineSeries::new(points, TRACE_GREY.stroke_width(1)))
        .map_err(err)?;

    for g in Grade::ALL {
        let peaks: Vec<(f64, f64)> = graded
            .strokes
            .iter()
            .filter(|s| s.grade == g)
            .filter_map(|s| session.strokes.get(s.index))
            .map(|s| (s.peak_s, s.peak.0))
            .filter(|(t, v)| t.is_finite() && v.is_finite())
            .map(|(t, v)| (t, v.min(y_top)))
            .collect();
        let colour = grade_colour(g);
        chart
            .draw_series(peaks.into_iter().map(move |c| {
                EmptyElement::at(c) + Polygon::new(marker_points(g, 5), colour.filled())
            }))
            .map_err(err)?;
    }
    Ok(())
}
