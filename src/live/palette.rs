//! Colours of the live view: the Okabe–Ito palette, which stays distinct for the common kinds of
//! colour blindness (Okabe & Ito 2008). Every colour also comes with a word or a symbol, so
//! nothing is told by colour alone.

use crate::live::state::Verdict;
use ratatui::style::{Color, Modifier, Style};

/// Okabe–Ito sky blue: too light (lighter than the blue, readable on dark terminals).
pub const SKY_BLUE: Color = Color::Rgb(86, 180, 233);
/// Okabe–Ito bluish green: in the window.
pub const BLUISH_GREEN: Color = Color::Rgb(0, 158, 115);
/// Okabe–Ito vermillion: too hard.
pub const VERMILLION: Color = Color::Rgb(213, 94, 0);
/// Okabe–Ito yellow: the danger mark (distinct from vermillion in every kind of colour vision).
pub const YELLOW: Color = Color::Rgb(240, 228, 66);
/// Okabe–Ito orange: warnings about the data.
pub const ORANGE: Color = Color::Rgb(230, 159, 0);
/// A dim grey for scales and the empty part of bars.
pub const DIM: Color = Color::Rgb(110, 110, 110);

/// The colour of a verdict.
pub fn verdict_colour(v: Verdict) -> Color {
    match v {
        Verdict::TooLight => SKY_BLUE,
        Verdict::InWindow => BLUISH_GREEN,
        Verdict::TooHard => VERMILLION,
    }
}

/// Text in a verdict's colour.
pub fn verdict_style(v: Verdict) -> Style {
    Style::new().fg(verdict_colour(v))
}

/// The verdict panel: black bold text on the verdict's colour, large and unmistakable.
pub fn verdict_panel_style(v: Verdict) -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(verdict_colour(v))
        .add_modifier(Modifier::BOLD)
}

/// The danger mark and the word DANGER: black on yellow, so it reads on light and dark
/// terminals alike (yellow text alone vanishes on a white background).
pub fn danger_style() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(YELLOW)
        .add_modifier(Modifier::BOLD)
}

/// Data-quality warnings.
pub fn warning_style() -> Style {
    Style::new().fg(ORANGE)
}

/// Scales, hints and the empty part of bars.
pub fn dim_style() -> Style {
    Style::new().fg(DIM)
}
