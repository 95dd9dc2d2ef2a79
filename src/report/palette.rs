//! The report's colours: the Okabe–Ito palette, safe for the common colour-vision deficiencies,
//! always paired with a shape or a label so colour is never the only cue.

use crate::grade::Grade;
use plotters::style::RGBColor;

/// Okabe–Ito blue: too light.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito bluish green: in window.
pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito vermillion: too hard.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe–Ito orange: warnings that are not grades.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito reddish purple: the danger level.
pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
/// A neutral grey for the pressure trace.
pub const TRACE_GREY: RGBColor = RGBColor(90, 90, 90);

/// The colour of a grade.
pub fn grade_colour(g: Grade) -> RGBColor {
    match g {
        Grade::TooLight => BLUE,
        Grade::InWindow => BLUISH_GREEN,
        Grade::TooHard => VERMILLION,
    }
}

/// The colour of a grade as CSS `#rrggbb`.
pub fn grade_css(g: Grade) -> String {
    css(grade_colour(g))
}

/// A colour as CSS `#rrggbb`.
pub fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}
