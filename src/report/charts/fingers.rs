//! Finger balance: each fingertip's share of strokes by the grade of its own peak.

use super::*;

pub(super) fn draw_fingers<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    session: &Session,
    graded: &GradedSession,
) -> DrawResult {
    // Each fingertip's share of strokes per grade, its own peak against the window: the same
    // rule and the same grades the headline counts (which grades a stroke by its top fingertip).
    let grades = crate::grade::fingers::finger_grades(session, &graded.profile);
    let n = grades.len().max(1);
    let names: Vec<String> = (0..grades.len())
        .map(|c| crate::grade::fingers::finger_name(session, c))
        .collect();
    let (plot, legend) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(LEGEND_W));
    let mut chart = axes(
        &plot,
        Chart::FingerBalance,
        -0.5..n as f64 - 0.5,
        0.0..100.0,
    )?;
    let formatter = |x: &f64| {
        let r = x.round();
        if (x - r).abs() < 1e-6 && r >= 0.0 {
            names.get(r as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(n)
        .x_label_formatter(&formatter)
        .y_desc("% of strokes, by this fingertip's peak")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(font(12.0))
        .axis_desc_style(font(13.0))
        .draw()
        .map_err(err)?;
    for (i, k) in grades.iter().enumerate() {
        let total = k.too_light + k.in_window + k.too_hard;
        if total == 0 {
            continue;
        }
        let x = i as f64;
        let mut bottom = 0.0;
        for g in Grade::ALL {
            let share = 100.0 * k.get(g) as f64 / total as f64;
            if share <= 0.0 {
                continue;
            }
            chart
                .draw_series([Rectangle::new(
                    [(x - 0.3, bottom), (x + 0.3, bottom + share)],
                    grade_colour(g).mix(0.85).filled(),
                )])
                .map_err(err)?;
            if share >= 6.0 {
                let style = font(12.0).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ));
                chart
                    .draw_series([Text::new(
                        format!("{} {share:.0}%", g.symbol()),
                        (x, bottom + share / 2.0),
                        style,
                    )])
                    .map_err(err)?;
            }
            bottom += share;
        }
    }
    let keys: Vec<(Key, String)> = Grade::ALL
        .iter()
        .map(|&g| (Key::Marker(g, grade_colour(g)), g.label().to_string()))
        .collect();
    draw_legend(&legend, &keys)
}
