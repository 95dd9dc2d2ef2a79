//! Stroke detection: from filtered multi-channel pressure to strokes (one working phase of the
//! hand each), streaming, in constant memory and with a bounded delay.

pub mod config;
pub mod envelope;
pub mod reference;
pub mod streaming;

pub use config::{DetectorConfig, SettingError};
pub use envelope::{Envelope, EnvelopeSample, Timing};
pub use streaming::{Rezero, StrokeDetector};

/// The stroke lives with the rest of the data model the stages exchange ([`crate::session`]);
/// re-exported here, where it is found.
pub use crate::session::Stroke;
