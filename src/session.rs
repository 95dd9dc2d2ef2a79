//! The data model the stages exchange, at the bottom of the crate: the stroke the detector
//! finds, the quality warnings the filters raise, and the session every report, grade and
//! benchmark reads.

use crate::stream::{StreamEvent, StreamInfo};
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

/// Who practised, and anything noted about the session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// Where the data came from (a file name or a port).
    pub source: String,
    /// The trainee's name, if recorded.
    pub trainee: Option<String>,
    /// A free-text note, if recorded.
    pub note: Option<String>,
    /// Wall-clock start, RFC 3339, if known.
    pub started: Option<String>,
}

/// A kind of data-quality problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityKind {
    /// Mains hum (50 or 60 Hz) strong enough to matter.
    Hum,
    /// A sensor at the top of its range.
    Saturation,
    /// The resting level creeps (sensor drift, temperature).
    Drift,
    /// A sensor that never reads anything or is disconnected.
    DeadSensor,
    /// Missing samples or lost frames.
    Dropout,
    /// Broadband noise or spikes.
    Noise,
    /// Physically impossible pressures (negative beyond the noise, infinite, absurdly large):
    /// `crate::plausible`.
    Implausible,
}

/// A data-quality warning, with the evidence for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualityWarning {
    /// The kind of problem.
    pub kind: QualityKind,
    /// The channel it concerns, if one.
    pub channel: Option<usize>,
    /// A sentence for the user, with the measured figure.
    pub message: String,
}

/// Filtered pressure, decimated for charts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Samples per second of the decimated trace.
    pub rate_hz: f64,
    /// Time of the first trace sample, seconds from the first sample of the session.
    pub start_s: f64,
    /// One vector per channel, mmHg.
    pub channels: Vec<Vec<f32>>,
}

/// Levels the detector measured apart: what the sensors drifted by (error, removed at lifts)
/// and what the hand kept on the skin between strokes (real pressure, kept).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    /// Sensor drift removed at lifts, per channel, mmHg (positive: the sensor crept up).
    pub sensor_drift_mmhg: Vec<f64>,
    /// Mean resting contact between strokes (highest fingertip, above the lift level), mmHg;
    /// `None` before the first stroke.
    pub resting_contact_mmhg: Option<f64>,
}

/// A whole analysed session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Who, where from.
    pub meta: SessionMeta,
    /// Rate and channels of the input.
    pub info: StreamInfo,
    /// Length of the input, seconds.
    pub duration_s: f64,
    /// Every stroke found, in time order.
    pub strokes: Vec<Stroke>,
    /// Filtered pressure for charts.
    pub trace: Trace,
    /// Markers and other events, at seconds from the first sample.
    pub events: Vec<(f64, StreamEvent)>,
    /// Data-quality warnings.
    pub quality: Vec<QualityWarning>,
    /// Sensor drift and resting contact, measured apart.
    #[serde(default)]
    pub levels: Levels,
}
