//! The histogram of stroke peaks, stacked by grade, against the window and the danger line.

use super::*;

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

pub(super) fn draw_histogram<DB: DrawingBackend<ErrorType: 'static>>(
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
    let mut chart = axes(
        area,
        Chart::PeakHistogram,
        0.0..nbins as f64 * bin,
        0.0..y_top,
    )?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_desc("peak (mmHg)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("strokes")
        // Counts are whole: ask for at most one label per stroke and print no fractions.
        .y_labels((y_top.floor() as usize + 1).min(11))
        .y_label_formatter(&whole_label)
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
