//! Charts of the class view and progress: the distribution of session scores against the pass
//! mark, and a trainee's learning curve (score and share in window, session by session). Both
//! are bounded by their pixels: ten score bins, one point per session.

use super::fonts;
use super::palette::{BLUE, BLUISH_GREEN, REDDISH_PURPLE, VERMILLION};
use crate::class::{SessionRecord, TraineeProgress};
use plotters::prelude::*;

use super::charts::{err, whole_label, DrawResult};

fn font(size: f64) -> TextStyle<'static> {
    (fonts::FAMILY, size).into_font().into()
}

/// Counts of scores in the bins 0–10, 10–20, …, 90–100 (100 in the last), by whole points shown.
pub fn score_bins(records: &[SessionRecord]) -> [usize; 10] {
    let mut bins = [0usize; 10];
    for r in records {
        let shown = r.score.clamp(0.0, 100.0).floor();
        let k = ((shown / 10.0).floor() as usize).min(9);
        bins[k] += 1;
    }
    bins
}

/// The score distribution as an SVG document: bars under the pass mark in vermillion, at or
/// above it in bluish green, the pass mark dashed.
pub fn score_distribution_svg(records: &[SessionRecord], pass_mark: f64) -> DrawResult<String> {
    fonts::ensure_registered();
    let bins = score_bins(records);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (560, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let y_top = (bins.iter().copied().max().unwrap_or(0) as f64 * 1.15).max(1.0);
        let mut chart = ChartBuilder::on(&root)
            .caption("Session scores", font(18.0))
            .margin(10)
            .x_label_area_size(38)
            .y_label_area_size(44)
            .build_cartesian_2d(0.0..100.0, 0.0..y_top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("score")
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("sessions")
            .y_labels((y_top.floor() as usize + 1).min(11))
            .y_label_formatter(&whole_label)
            .label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(
                bins.iter()
                    .enumerate()
                    .filter(|(_, &n)| n > 0)
                    .map(|(k, &n)| {
                        let x0 = k as f64 * 10.0;
                        let colour = if x0 + 10.0 <= pass_mark {
                            VERMILLION
                        } else {
                            BLUISH_GREEN
                        };
                        Rectangle::new([(x0 + 0.6, 0.0), (x0 + 9.4, n as f64)], colour.filled())
                    }),
            )
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                [(pass_mark, 0.0), (pass_mark, y_top)],
                6,
                4,
                BLACK.stroke_width(2),
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("pass {pass_mark:.0}"),
                (pass_mark + 1.0, y_top * 0.95),
                font(12.0),
            )))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// A trainee's learning curve as an SVG document: score (circles, black line) and share of
/// strokes in the window (triangles, blue dashed), session by session, with the pass mark;
/// sessions with a danger stroke are ringed in reddish purple.
pub fn learning_curve_svg(t: &TraineeProgress, pass_mark: f64) -> DrawResult<String> {
    fonts::ensure_registered();
    let n = t.sessions.len();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (640, 280)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Learning curve: {}", t.who()), font(17.0))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(44)
            .build_cartesian_2d(0.5..n as f64 + 0.5, 0.0..100.0)
            .map_err(err)?;
        let labels: Vec<String> = t
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.date
                    .as_deref()
                    .and_then(|d| d.get(5..))
                    .map_or(format!("#{}", i + 1), str::to_string)
            })
            .collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.clamp(1, 12))
            .x_label_formatter(&|v| {
                let k = v.round();
                if (v - k).abs() < 1e-6 && k >= 1.0 {
                    labels.get(k as usize - 1).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("session (date)")
            .y_desc("score / % in window")
            .label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                [(0.5, pass_mark), (n as f64 + 0.5, pass_mark)],
                6,
                4,
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(err)?;
        let score: Vec<(f64, f64)> = t
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| ((i + 1) as f64, s.score.clamp(0.0, 100.0)))
            .collect();
        let window: Vec<(f64, f64)> = t
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| ((i + 1) as f64, s.percent_in_window.clamp(0.0, 100.0)))
            .collect();
        chart
            .draw_series(LineSeries::new(score.clone(), BLACK.stroke_width(2)))
            .map_err(err)?
            .label("score")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, BLACK.filled()));
        chart
            .draw_series(score.iter().map(|&p| Circle::new(p, 4, BLACK.filled())))
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                window.clone(),
                5,
                3,
                BLUE.stroke_width(2),
            ))
            .map_err(err)?
            .label("% in window")
            .legend(|(x, y)| TriangleMarker::new((x + 10, y), 5, BLUE.filled()));
        chart
            .draw_series(
                window
                    .iter()
                    .map(|&p| TriangleMarker::new(p, 5, BLUE.filled())),
            )
            .map_err(err)?;
        chart
            .draw_series(
                t.sessions
                    .iter()
                    .zip(&score)
                    .filter(|(s, _)| s.danger > 0)
                    .map(|(_, &p)| Circle::new(p, 9, REDDISH_PURPLE.stroke_width(3))),
            )
            .map_err(err)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(font(12.0))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}
