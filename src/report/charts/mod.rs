//! The report's charts, drawn once for any plotters backend: inline SVG for HTML, PNG files.
//!
//! - the pressure trace with the window band, the danger level and every stroke's peak marked in
//!   its grade's colour and shape;
//! - a histogram of peaks against the window;
//! - per-finger balance (each fingertip's share of strokes per grade, by its own peak);
//! - the rhythm over time (interval between strokes against the target band).
//!
//! A file per chart; this one holds what they share: the axes, the time labels, the legend, the
//! bounds that keep absurd values inside the pixels.

mod fingers;
mod peaks;
mod rhythm;
mod trace;

pub use peaks::{histogram_bins, MAX_HISTOGRAM_BINS};

use super::fonts;
use super::palette::{grade_colour, BLUE, BLUISH_GREEN, REDDISH_PURPLE, TRACE_GREY, VERMILLION};
pub use crate::error::DrawError;
use crate::grade::{clock, Flag, Grade, GradedSession};
use crate::session::Session;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One chart of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    /// Pressure over time with each stroke marked.
    Trace,
    /// Histogram of stroke peaks against the window.
    PeakHistogram,
    /// Each fingertip's share of strokes per grade.
    FingerBalance,
    /// Interval between strokes over time.
    Rhythm,
}

impl Chart {
    /// Every chart, in report order.
    pub const ALL: [Chart; 4] = [
        Chart::Trace,
        Chart::PeakHistogram,
        Chart::FingerBalance,
        Chart::Rhythm,
    ];

    /// A file-name stem (`trace`, `peaks`, `fingers`, `rhythm`).
    pub fn stem(self) -> &'static str {
        match self {
            Chart::Trace => "trace",
            Chart::PeakHistogram => "peaks",
            Chart::FingerBalance => "fingers",
            Chart::Rhythm => "rhythm",
        }
    }

    /// The chart's title.
    pub fn title(self) -> &'static str {
        match self {
            Chart::Trace => "Pressure and strokes",
            Chart::PeakHistogram => "Stroke peaks",
            Chart::FingerBalance => "Finger balance",
            Chart::Rhythm => "Rhythm",
        }
    }

    /// Width and height in pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Chart::Trace => (1120, 380),
            Chart::Rhythm => (640, 340),
            _ => (540, 340),
        }
    }
}

/// The result of drawing a chart.
pub type DrawResult<T = ()> = Result<T, DrawError>;

pub(crate) fn err<E: std::error::Error + Send + Sync + 'static>(e: E) -> DrawError {
    DrawError::new(e)
}

fn font(size: f64) -> TextStyle<'static> {
    (fonts::FAMILY, size).into_font().into()
}

/// Draws `chart` onto `area`.
pub fn draw<DB: DrawingBackend<ErrorType: 'static>>(
    chart: Chart,
    area: &DrawingArea<DB, Shift>,
    session: &Session,
    graded: &GradedSession,
) -> DrawResult {
    fonts::ensure_registered();
    area.fill(&WHITE).map_err(err)?;
    match chart {
        Chart::Trace => trace::draw_trace(area, session, graded),
        Chart::PeakHistogram => peaks::draw_histogram(area, session, graded),
        Chart::FingerBalance => fingers::draw_fingers(area, session, graded),
        Chart::Rhythm => rhythm::draw_rhythm(area, session, graded),
    }
}

/// The axes every chart draws on: its caption and margins (the trace's larger, with room for its
/// labels), over `x` × `y`.
fn axes<'a, DB: DrawingBackend<ErrorType: 'static>>(
    area: &'a DrawingArea<DB, Shift>,
    chart: Chart,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> DrawResult<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    let (caption, margin, x_labels, y_labels) = match chart {
        Chart::Trace => (20.0, 12, 40, 56),
        _ => (18.0, 10, 38, 44),
    };
    ChartBuilder::on(area)
        .caption(chart.title(), font(caption))
        .margin(margin)
        .x_label_area_size(x_labels)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)
        .map_err(err)
}

/// An axis label for a count: the whole number, and nothing between whole numbers.
pub(crate) fn whole_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// Renders `chart` as an SVG document string.
pub fn svg(chart: Chart, session: &Session, graded: &GradedSession) -> DrawResult<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, chart.size()).into_drawing_area();
        draw(chart, &root, session, graded)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// Round-number tick positions for a time axis from 0 to `t_end` seconds (at most ~10 ticks at
/// 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10 … min).
fn time_ticks(t_end: f64) -> Vec<f64> {
    const STEPS: [f64; 14] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
    ];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| t_end / s <= 10.0)
        .unwrap_or(3600.0 * (t_end / 36000.0).ceil().max(1.0));
    let n = (t_end / step).floor() as usize;
    (0..=n).map(|k| k as f64 * step).collect()
}

/// Writes `m:ss` labels with tick marks under a time axis at round-number times (plotters'
/// own choice of ticks is decimal: 0:50, 1:40, …).
fn draw_time_labels<DB: DrawingBackend<ErrorType: 'static>, Y: Ranged<ValueType = f64>>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    t_end: f64,
    y0: f64,
    size: f64,
) -> DrawResult {
    let (bx, by) = area.get_base_pixel();
    for t in time_ticks(t_end) {
        let (px, py) = chart.backend_coord(&(t, y0));
        let (x, y) = (px - bx, py - by);
        area.draw(&PathElement::new(vec![(x, y), (x, y + 5)], BLACK))
            .map_err(err)?;
        area.draw(&Text::new(
            clock(t),
            (x, y + 8),
            font(size).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            )),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The largest value an axis reaches: plotters' tick search does not end on a range near
/// `f64::MAX`, and no chart is readable past a million of its unit anyway. Data above it is
/// drawn at the axis' top.
pub const AXIS_MAX: f64 = 1e6;

/// `v` as an axis' top: finite, positive, at most [`AXIS_MAX`].
fn axis_top(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(1.0, AXIS_MAX)
    } else {
        AXIS_MAX
    }
}

fn finite_max(values: impl IntoIterator<Item = f64>) -> f64 {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// One entry of a chart's legend, drawn beside the plot so it never hides data.
enum Key {
    /// A shaded band.
    Band(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A plain line.
    Line(RGBColor),
    /// A grade's marker shape.
    Marker(Grade, RGBColor),
}

/// Width of the legend column beside a chart, pixels.
const LEGEND_W: u32 = 190;

fn draw_legend<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    keys: &[(Key, String)],
) -> DrawResult {
    let top = 48;
    for (k, (key, label)) in keys.iter().enumerate() {
        let y = top + 22 * k as i32;
        let x = 8;
        match key {
            Key::Band(c) => area
                .draw(&Rectangle::new(
                    [(x, y - 6), (x + 18, y + 6)],
                    c.mix(0.3).filled(),
                ))
                .map_err(err)?,
            Key::Dashed(c) => {
                for dx in [0, 10] {
                    area.draw(&PathElement::new(
                        vec![(x + dx, y), (x + dx + 7, y)],
                        c.stroke_width(2),
                    ))
                    .map_err(err)?;
                }
            }
            Key::Line(c) => area
                .draw(&PathElement::new(
                    vec![(x, y), (x + 18, y)],
                    c.stroke_width(1),
                ))
                .map_err(err)?,
            Key::Marker(g, c) => area
                .draw(
                    &(EmptyElement::at((x + 9, y))
                        + Polygon::new(marker_points(*g, 5), c.filled())),
                )
                .map_err(err)?,
        }
        area.draw(&Text::new(
            label.clone(),
            (x + 26, y),
            font(12.0).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            )),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The outline of a grade's marker around (0, 0), in pixels: a downward triangle (too light), a
/// circle (in window, as a 12-gon) or an upward triangle (too hard), `r` pixels across half.
fn marker_points(g: Grade, r: i32) -> Vec<(i32, i32)> {
    match g {
        Grade::TooLight => vec![(-r, -r), (r, -r), (0, r)],
        Grade::InWindow => (0..12)
            .map(|k| {
                let a = std::f64::consts::TAU * f64::from(k) / 12.0;
                let rf = f64::from(r);
                ((rf * a.cos()).round() as i32, (rf * a.sin()).round() as i32)
            })
            .collect(),
        Grade::TooHard => vec![(-r, r), (r, r), (0, -r)],
    }
}

pub use crate::grade::fingers::{finger_stats, FingerStats};

/// plotters' SVG starts with an XML declaration, which is not allowed inside HTML.
pub(crate) fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .find("?>")
            .and_then(|i| rest.get(i + 2..))
            .unwrap_or(svg),
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ticks_are_round_and_few() {
        assert_eq!(
            time_ticks(300.0),
            (0..=10).map(|k| k as f64 * 30.0).collect::<Vec<_>>()
        );
        assert_eq!(
            time_ticks(45.0),
            vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0]
        );
        assert_eq!(time_ticks(600.0).len(), 11);
        assert!(time_ticks(7200.0).len() <= 11);
        assert_eq!(time_ticks(0.5), vec![0.0]);
    }

    #[test]
    fn decimation_keeps_the_peaks() {
        let mut s = crate::grade::synthetic::steady(200, 35.0);
        // One narrow spike between strokes must survive 10:1 decimation.
        if let Some(v) = s.trace.channels[0].get_mut(1234) {
            *v = 66.0;
        }
        let pts = trace::trace_points(&s, 100);
        assert!(pts.len() <= 2 * 100 + 2);
        let top = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(top, 66.0);
    }
}
