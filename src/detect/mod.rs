//! Stroke detection: from filtered multi-channel pressure to strokes (one working phase of the
//! hand each), streaming, in constant memory and with a bounded delay.

pub mod config;
pub mod reference;
pub mod streaming;

pub use config::DetectorConfig;
pub use streaming::StrokeDetector;

use crate::units::Mmhg;
use serde::{Deserialize, Serialize};

/// One stroke: a working phase of the hand, from the rise off the resting level (or the ledge of
/// an incomplete release) back down to that level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    /// Where pressure starts rising, seconds from the first sample.
    pub onset_s: f64,
    /// Where the working phase has fallen back to its starting level, seconds from the first sample.
    pub offset_s: f64,
    /// When the peak was reached, seconds from the first sample.
    pub peak_s: f64,
    /// The highest pressure any fingertip applied during the stroke, sensor noise removed.
    pub peak: Mmhg,
    /// The highest pressure of each fingertip during the stroke, in channel order.
    pub channel_peaks: Vec<Mmhg>,
    /// The level the stroke rose from: the resting level, or the ledge of an incomplete release.
    pub start_level: Mmhg,
    /// The lowest level reached after the peak and before the next stroke's onset (the release).
    pub release_level: Mmhg,
    /// The resting level with the hand lifted or released, as tracked at this stroke.
    pub rest_level: Mmhg,
    /// The stroke's envelope (highest fingertip, filtered) from onset to offset, sampled at
    /// [`Stroke::ENVELOPE_RATE_HZ`]; for time-in-window and smoothness of the rise.
    pub envelope: Vec<f32>,
}

impl Stroke {
    /// Rate of [`Stroke::envelope`].
    pub const ENVELOPE_RATE_HZ: f64 = 50.0;

    /// Length of the working phase, seconds.
    pub fn duration_s(&self) -> f64 {
        self.offset_s - self.onset_s
    }
}
