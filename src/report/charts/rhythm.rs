//! Rhythm: the interval since the previous stroke over time, against the target pace.

use super::*;

pub(super) fn draw_rhythm<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    session: &Session,
    graded: &GradedSession,
) -> DrawResult {
    let r = &graded.profile.rhythm;
    let (fast, slow) = (r.period_s - r.tolerance_s, r.period_s + r.tolerance_s);
    let points: Vec<(f64, f64, Option<Flag>)> = graded
        .strokes
        .iter()
        .filter_map(|g| {
            let d = g.interval_s.filter(|&d| d < r.pause_s)?;
            let s = session.strokes.get(g.index)?;
            let flag = g
                .flags
                .iter()
                .copied()
                .find(|f| matches!(f, Flag::Rushed | Flag::Dragging));
            Some((s.onset_s, d, flag))
        })
        .collect();
    let t_end =
        axis_top(finite_max(points.iter().map(|p| p.0).chain([session.duration_s])).max(1.0));
    let y_top = axis_top((finite_max(points.iter().map(|p| p.1)) * 1.1).max(slow * 1.6));
    let (w, _) = area.dim_in_pixel();
    let (plot, side) = area.split_horizontally(w.saturating_sub(LEGEND_W - 40));
    let count = |f: Option<Flag>| points.iter().filter(|p| p.2 == f).count();
    draw_legend(
        &side,
        &[
            (
                Key::Band(BLUISH_GREEN),
                format!("{:.1} ± {:.1} s", r.period_s, r.tolerance_s),
            ),
            (
                Key::Marker(Grade::InWindow, BLUISH_GREEN),
                format!("on pace ({})", count(None)),
            ),
            (
                Key::Marker(Grade::TooHard, VERMILLION),
                format!("rushed ({})", count(Some(Flag::Rushed))),
            ),
            (
                Key::Marker(Grade::TooLight, BLUE),
                format!("dragging ({})", count(Some(Flag::Dragging))),
            ),
        ],
    )?;
    let mut chart = axes(&plot, Chart::Rhythm, 0.0..t_end, 0.0..y_top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_desc("time (m:ss)")
        .y_desc("seconds since previous stroke")
        .y_label_formatter(&|v| format!("{v:.1}"))
        .x_labels(0)
        .label_style(font(12.0))
        .axis_desc_style(font(13.0))
        .draw()
        .map_err(err)?;
    draw_time_labels(&plot, &chart, t_end, 0.0, 12.0)?;
    chart
        .draw_series([Rectangle::new(
            [(0.0, fast), (t_end, slow)],
            BLUISH_GREEN.mix(0.18).filled(),
        )])
        .map_err(err)?;
    let groups = [
        (None, Grade::InWindow),
        (Some(Flag::Rushed), Grade::TooHard),
        (Some(Flag::Dragging), Grade::TooLight),
    ];
    for (flag, shape) in groups {
        let colour = grade_colour(shape);
        // Rushed strokes come too soon (low on the chart) but are the "too much" fault: the
        // shape says which fault, the position says how far.
        chart
            .draw_series(points.iter().filter(|p| p.2 == flag).map(move |p| {
                EmptyElement::at((p.0, p.1))
                    + Polygon::new(marker_points(shape, 4), colour.filled())
            }))
            .map_err(err)?;
    }
    Ok(())
}
