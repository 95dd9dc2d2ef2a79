//! The common currency of the pipeline: a uniformly sampled, multi-channel stream of calibrated
//! fingertip pressure, read block by block from any source (serial glove, recording, BIDS file,
//! virtual glove).
//!
//! Time is the sample index divided by the rate: a lost frame or a missing value is a `NaN` row,
//! never a skipped one, so every later stage can keep counting samples.

use crate::error::Result;
use crate::units::SquareMillimetres;
use serde::{Deserialize, Serialize};

/// One fingertip sensor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelInfo {
    /// A short name, such as `index` or `thumb`.
    pub name: String,
    /// The sensor's active area, when known (needed to turn force into pressure).
    pub area: Option<SquareMillimetres>,
}

/// What a stream is: its rate and channels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamInfo {
    /// Samples per second per channel.
    pub rate_hz: f64,
    /// The channels, in column order.
    pub channels: Vec<ChannelInfo>,
    /// Time of the first sample relative to the start of the session (BIDS `StartTime`).
    pub start_time_s: f64,
}

impl StreamInfo {
    /// Number of channels.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }
}

/// Something that happened in the stream at a sample index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StreamEvent {
    /// The trainee or instructor dropped a marker (glove button, space bar in the live view).
    Marker,
    /// A channel hit the top of the sensor's or ADC's range.
    Saturation {
        /// The channel index.
        channel: usize,
    },
    /// The glove reported a low battery.
    LowBattery,
    /// Frames were lost; the missing rows are `NaN`.
    Gap {
        /// How many rows were lost.
        rows: u64,
    },
    /// The connection to the glove was lost (live sources).
    Disconnected,
    /// The connection came back (live sources with reconnect).
    Reconnected,
    /// The live view re-zeroed every fingertip before this row (`t`, accepted only with the
    /// hand at rest or lifted); recorded as a host note so replay and `analyze` do the same.
    Tare,
}

/// A block of rows read from a source.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Index of the block's first row since the start of the stream.
    pub start_row: u64,
    /// Row-major pressures: `rows × channels` values, `NaN` where missing.
    pub values: Vec<f64>,
    /// Events, each at an absolute row index.
    pub events: Vec<(u64, StreamEvent)>,
}

impl Block {
    /// Number of complete rows in the block.
    pub fn rows(&self, channels: usize) -> usize {
        self.values.len().checked_div(channels).unwrap_or(0)
    }

    /// Empties the block, keeping its allocations.
    pub fn clear(&mut self) {
        self.values.clear();
        self.events.clear();
    }
}

/// A source of calibrated pressure rows.
///
/// Batch analysis and the live view use the same trait: a file source returns blocks as fast as
/// it can read, a serial source returns them as they arrive.
pub trait PressureSource {
    /// The stream's rate and channels; known before the first block.
    fn info(&self) -> &StreamInfo;

    /// Clears `block` and fills it with the next rows, in mmHg. Returns `false` at the end of the
    /// stream (the block is then empty).
    fn next_block(&mut self, block: &mut Block) -> Result<bool>;
}
