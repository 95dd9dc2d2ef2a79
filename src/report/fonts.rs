//! Fonts for charts. plotters finds no system fonts here, so the DejaVu Sans faces embedded by the
//! `dejavu` crate are registered once as the `sans-serif` family, which every chart uses.

use plotters::style::FontStyle;
use std::sync::Once;

static REGISTER: Once = Once::new();

/// The family every chart asks for.
pub const FAMILY: &str = "sans-serif";

/// Registers DejaVu Sans (regular and bold) as `sans-serif`; cheap after the first call.
pub fn ensure_registered() {
    REGISTER.call_once(|| {
        // The embedded fonts are valid TrueType; if registration ever failed, charts would
        // still draw, only without text, so there is nothing better to do than go on.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold());
    });
}
