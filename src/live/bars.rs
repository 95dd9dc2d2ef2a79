//! One horizontal pressure bar per fingertip, drawn over the target window (a band) and the
//! danger level (a mark), with a mmHg scale underneath.
//!
//! Horizontal bars keep the fingertip's name, the bar and the number on one line, so a glance
//! reads all three; the fill has eighth-cell resolution (about 0.2 mmHg on a 60-cell bar).

use crate::live::palette;
use crate::live::state::{TargetWindow, Verdict};
use crate::units::Mmhg;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// Left-to-right eighth blocks, for the partial cell at the tip of a bar.
const EIGHTHS: [&str; 8] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/// Width of the number and word after each bar (`" 34.1 mmHg DANGER"`).
const VALUE_WIDTH: u16 = 18;

/// The bars widget: fingertip names, current pressures and the targets.
pub struct PressureBars<'a> {
    /// Fingertip names, in channel order.
    pub names: &'a [String],
    /// Current pressure per fingertip (`None` = no signal).
    pub pressures: &'a [Option<Mmhg>],
    /// The targets.
    pub window: TargetWindow,
}

/// The top of the scale: at least 100 mmHg, and room above the danger mark.
pub fn scale_max(window: &TargetWindow) -> f64 {
    let want = (window.danger.0 * 1.25).max(window.high.0 * 1.5).max(100.0);
    if want.is_finite() {
        (want / 10.0).ceil() * 10.0
    } else {
        100.0
    }
}

/// The word after a fingertip's number: nothing below the window (resting is normal), then
/// `ok`, `high`, `DANGER`.
pub fn pressure_word(p: Mmhg, window: &TargetWindow) -> &'static str {
    if p.0 >= window.danger.0 {
        "DANGER"
    } else {
        match Verdict::of_peak(p, window) {
            Verdict::TooLight => "",
            Verdict::InWindow => "ok",
            Verdict::TooHard => "high",
        }
    }
}

fn fill_style(p: Mmhg, window: &TargetWindow) -> Style {
    palette::verdict_style(Verdict::of_peak(p, window))
}

/// The cell column holding `mmhg` on a bar `width` cells wide, scale `0..max`.
fn column_of(mmhg: f64, max: f64, width: u16) -> u16 {
    let x = (mmhg / max * f64::from(width)).floor();
    if x.is_finite() && x > 0.0 {
        (x as u16).min(width.saturating_sub(1))
    } else {
        0
    }
}

impl Widget for PressureBars<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let n = self.names.len();
        if n == 0 || area.height < 2 || area.width < 20 {
            buf.set_stringn(
                area.x,
                area.y,
                "waiting for the glove…",
                usize::from(area.width),
                palette::dim_style(),
            );
            return;
        }
        let label_w = self
            .names
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            .min(10) as u16
            + 1;
        let value_w = VALUE_WIDTH.min(area.width / 3);
        let bar_x = area.x + label_w;
        let bar_w = area.width.saturating_sub(label_w + value_w);
        if bar_w < 10 {
            return;
        }
        let max = scale_max(&self.window);
        let scale_rows: u16 = if area.height as usize >= n + 2 { 2 } else { 1 };
        let slot = ((area.height - scale_rows) as usize / n).clamp(1, 5) as u16;
        let bar_h = if slot >= 3 { slot - 1 } else { 1 };
        let danger_col = column_of(self.window.danger.0, max, bar_w);
        let band = (
            column_of(self.window.low.0, max, bar_w),
            column_of(self.window.high.0, max, bar_w),
        );

        for (i, name) in self.names.iter().enumerate() {
            let y0 = area.y + i as u16 * slot;
            if y0 + bar_h > area.y + area.height - scale_rows {
                break;
            }
            let p = self.pressures.get(i).copied().flatten();
            let (full, partial, style) = match p {
                Some(p) => {
                    let cells = (p.0.max(0.0) / max * f64::from(bar_w)).min(f64::from(bar_w));
                    let full = cells.floor();
                    let eighth = ((cells - full) * 8.0).floor() as usize;
                    (full as u16, eighth.min(7), fill_style(p, &self.window))
                }
                None => (0, 0, palette::dim_style()),
            };
            for row in 0..bar_h {
                let y = y0 + row;
                if row == 0 {
                    buf.set_stringn(area.x, y, name, usize::from(label_w - 1), Style::new());
                }
                for c in 0..bar_w {
                    let x = bar_x + c;
                    let in_band = c >= band.0 && c <= band.1;
                    let (sym, st) = if c < full {
                        ("█", style)
                    } else if c == full && partial > 0 {
                        (EIGHTHS[partial], style)
                    } else if in_band {
                        ("░", palette::verdict_style(Verdict::InWindow))
                    } else {
                        (" ", Style::new())
                    };
                    let (sym, st) = if c == danger_col {
                        let bg = if c < full { style.fg } else { None };
                        let mut d = palette::danger_style();
                        if let Some(bg) = bg {
                            d = d.bg(bg);
                        }
                        ("┃", d)
                    } else {
                        (sym, st)
                    };
                    if let Some(cell) = buf.cell_mut((x, y)) {
                        cell.set_symbol(sym).set_style(st);
                    }
                }
            }
            let text = match p {
                // Below zero is the re-zeroing's noise, not a pressure.
                Some(p) => format!(
                    " {:>5.1} mmHg {}",
                    p.0.max(0.0),
                    pressure_word(p, &self.window)
                ),
                None => " no signal".to_string(),
            };
            let word_style = match p {
                Some(p) if p.0 >= self.window.danger.0 => palette::danger_style(),
                Some(p) => fill_style(p, &self.window),
                None => palette::dim_style(),
            };
            buf.set_stringn(bar_x + bar_w, y0, text, usize::from(value_w), word_style);
        }

        // The scale: a rule with the band and the danger mark, then the numbers.
        let rule_y = area.y + area.height - scale_rows;
        for c in 0..bar_w {
            let (sym, st) = if c == danger_col {
                ("┻", palette::danger_style())
            } else if c >= band.0 && c <= band.1 {
                ("━", palette::verdict_style(Verdict::InWindow))
            } else {
                ("─", palette::dim_style())
            };
            if let Some(cell) = buf.cell_mut((bar_x + c, rule_y)) {
                cell.set_symbol(sym).set_style(st);
            }
        }
        buf.set_string(area.x, rule_y, "mmHg", palette::dim_style());
        if scale_rows == 2 {
            let y = rule_y + 1;
            let mut labels: Vec<(u16, String, Style)> = vec![
                (0, "0".to_string(), palette::dim_style()),
                (
                    band.0,
                    format!("{:.0}", self.window.low.0),
                    palette::verdict_style(Verdict::InWindow),
                ),
                (
                    band.1,
                    format!("{:.0}", self.window.high.0),
                    palette::verdict_style(Verdict::InWindow),
                ),
                (
                    danger_col,
                    format!("{:.0} danger", self.window.danger.0),
                    palette::danger_style(),
                ),
            ];
            let max_label = format!("{max:.0}");
            labels.push((
                bar_w.saturating_sub(max_label.len() as u16),
                max_label,
                palette::dim_style(),
            ));
            // Draw left to right, skipping a label that would overlap the previous one.
            let mut free_from = 0u16;
            for (col, text, st) in labels {
                if col < free_from {
                    continue;
                }
                let room = usize::from(bar_w.saturating_sub(col));
                buf.set_stringn(bar_x + col, y, &text, room, st);
                free_from = col + text.chars().count() as u16 + 1;
            }
        }
    }
}
