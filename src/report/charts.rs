//! The report's charts, drawn once for any plotters backend: inline SVG for HTML, PNG files.
//!
//! - the pressure trace with the window band, the danger level and every stroke's peak marked in
//!   its grade's colour and shape;
//! - a histogram of peaks against the window;
//! - per-finger balance (each fingertip's share of strokes per grade, by its own peak);
//! - the rhythm over time (interval between strokes against the target band).

use super::fonts;
use super::palette::{grade_colour, BLUE, BLUISH_GREEN, REDDISH_PURPLE, TRACE_GREY, VERMILLION};
pub use crate::error::DrawError;
use crate::grade::{clock, Flag, Grade, GradedSession};
use crate::session::Session;
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
        Chart::Trace => draw_trace(area, session, graded),
        Chart::PeakHistogram => draw_histogram(area, session, graded),
        Chart::FingerBalance => draw_fingers(area, session, graded),
        Chart::Rhythm => draw_rhythm(area, session, graded),
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

/// The pressure envelope (highest fingertip) as `(t, mmHg)` min–max pairs per bucket, so peaks
/// survive decimation to about `buckets` columns.
fn trace_points(session: &Session, buckets: usize) -> Vec<(f64, f64)> {
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

/// Most bins a peak histogram draws: the chart is bounded by its pixels (about 4 px a bin at
/// the report's width), never by the data.
pub const MAX_HISTOGRAM_BINS: usize = 200;

/// Bin width (mmHg) and bin count for a peak histogram whose largest peak is `max_peak` and
/// whose danger line is at `danger`: 2 mmHg bins while they fit in [`MAX_HISTOGRAM_BINS`],
/// else the next 1-2-5 width that does. A broken sensor's 10^18 mmHg gives 200 bins, not 10^17.
///
/// ```
/// use mldsense::report::charts::histogram_bins;
/// assert_eq!(histogram_bins(41.0, 60.0), (2.0, 33));
/// let (bin, n) = histogram_bins(1e18, 60.0);
/// assert!(n <= 200 && bin * n as f64 >= 1e18);
/// ```
pub fn histogram_bins(max_peak: f64, danger: f64) -> (f64, usize) {
    let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let (max_peak, danger) = (finite(max_peak), finite(danger));
    let mut bin = 2.0_f64;
    let top = |bin: f64| (max_peak + bin).max(danger + 6.0);
    let steps = [1.0, 2.0, 5.0];
    let mut decade = 1.0_f64;
    'search: while (top(bin) / bin).ceil() > MAX_HISTOGRAM_BINS as f64 {
        for s in steps {
            let candidate = s * decade;
            if candidate > bin {
                bin = candidate;
                if (top(bin) / bin).ceil() <= MAX_HISTOGRAM_BINS as f64 {
                    break 'search;
                }
            }
        }
        decade *= 10.0;
        if !decade.is_finite() {
            break;
        }
    }
    let nbins = (top(bin) / bin)
        .ceil()
        .clamp(1.0, MAX_HISTOGRAM_BINS as f64) as usize;
    (bin, nbins)
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

fn draw_trace<DB: DrawingBackend<ErrorType: 'static>>(
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
    let mut chart = ChartBuilder::on(&plot)
        .caption(Chart::Trace.title(), font(20.0))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..t_end, 0.0..y_top)
        .map_err(err)?;
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

fn draw_histogram<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    session: &Session,
    graded: &GradedSession,
) -> DrawResult {
    let p = &graded.profile;
    let (lo, hi, danger) = (p.window.lo_mmhg.0, p.window.hi_mmhg.0, p.danger.mmhg.0);
    // Each stroke's peak with its grade: bins are stacked by grade, so a 40.0 mmHg peak (in the
    // window) and a 41 mmHg one (too hard) in the same bin keep their own colours.
    let peaks: Vec<(f64, Grade)> = graded
        .strokes
        .iter()
        .filter_map(|g| session.strokes.get(g.index).map(|s| (s.peak.0, g.grade)))
        .filter(|(v, _)| v.is_finite())
        .collect();
    let (bin, nbins) = histogram_bins(finite_max(peaks.iter().map(|p| p.0)).min(AXIS_MAX), danger);
    // counts[bin][grade index in Grade::ALL]
    let mut counts = vec![[0usize; 3]; nbins];
    for &(v, g) in &peaks {
        // `as usize` saturates, and `min` keeps it in the last bin.
        let k = ((v.max(0.0) / bin).floor() as usize).min(nbins - 1);
        let gi = Grade::ALL.iter().position(|&x| x == g).unwrap_or(0);
        if let Some(c) = counts.get_mut(k).and_then(|c| c.get_mut(gi)) {
            *c += 1;
        }
    }
    let y_top = (counts
        .iter()
        .map(|c| c.iter().sum::<usize>())
        .max()
        .unwrap_or(0) as f64
        * 1.15)
        .max(1.0);
    let mut chart = ChartBuilder::on(area)
        .caption(Chart::PeakHistogram.title(), font(18.0))
        .margin(10)
        .x_label_area_size(38)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..nbins as f64 * bin, 0.0..y_top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_desc("peak (mmHg)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("strokes")
        // Counts are whole: ask for at most one label per stroke and print no fractions.
        .y_labels((y_top.floor() as usize + 1).min(11))
        .y_label_formatter(&|v| {
            if (v - v.round()).abs() < 1e-9 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .label_style(font(12.0))
        .axis_desc_style(font(13.0))
        .draw()
        .map_err(err)?;
    chart
        .draw_series([Rectangle::new(
            [(lo, 0.0), (hi, y_top)],
            BLUISH_GREEN.mix(0.18).filled(),
        )])
        .map_err(err)?;
    let mut bars = Vec::new();
    for (k, c) in counts.iter().enumerate() {
        let x0 = k as f64 * bin;
        let mut base = 0.0;
        for (gi, &n) in c.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let g = Grade::ALL.get(gi).copied().unwrap_or(Grade::InWindow);
            let top = base + n as f64;
            bars.push(Rectangle::new(
                [(x0, base), (x0 + bin * 0.9, top)],
                grade_colour(g).filled(),
            ));
            base = top;
        }
    }
    chart.draw_series(bars).map_err(err)?;
    chart
        .draw_series(DashedLineSeries::new(
            [(danger, 0.0), (danger, y_top)],
            6,
            4,
            REDDISH_PURPLE.stroke_width(2),
        ))
        .map_err(err)?;
    // Labels, so the regions do not rely on colour.
    let label_y = y_top * 0.95;
    let labels = [
        ((lo / 2.0).max(1.0), "▽ too light", BLUE),
        ((lo + hi) / 2.0, "● in window", BLUISH_GREEN),
        ((hi + danger) / 2.0, "▲ too hard", VERMILLION),
        (danger + 1.0, "danger", REDDISH_PURPLE),
    ];
    for (x, text, colour) in labels {
        let style = font(12.0)
            .color(&colour)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            ));
        let style = if text == "danger" {
            style.pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Top,
            ))
        } else {
            style
        };
        chart
            .draw_series([Text::new(text.to_string(), (x, label_y), style)])
            .map_err(err)?;
    }
    Ok(())
}

fn draw_fingers<DB: DrawingBackend<ErrorType: 'static>>(
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
    let mut chart = ChartBuilder::on(&plot)
        .caption(Chart::FingerBalance.title(), font(18.0))
        .margin(10)
        .x_label_area_size(38)
        .y_label_area_size(44)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..100.0)
        .map_err(err)?;
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

pub use crate::grade::fingers::{finger_stats, FingerStats};

fn draw_rhythm<DB: DrawingBackend<ErrorType: 'static>>(
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
    let mut chart = ChartBuilder::on(&plot)
        .caption(Chart::Rhythm.title(), font(18.0))
        .margin(10)
        .x_label_area_size(38)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..t_end, 0.0..y_top)
        .map_err(err)?;
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
        let pts = trace_points(&s, 100);
        assert!(pts.len() <= 2 * 100 + 2);
        let top = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(top, 66.0);
    }
}
