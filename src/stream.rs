//! The common currency of the pipeline: a uniformly sampled, multi-channel stream of calibrated
//! fingertip pressure, read block by block from any source (serial glove, recording, BIDS file,
//! virtual glove).
//!
//! Time is the sample index divided by the rate: a lost frame or a missing value is a `NaN` row,
//! never a skipped one, so every later stage can keep counting samples.

use crate::error::Result;
use crate::units::SquareMillimetres;
use ndarray::{ArrayView1, ArrayView2, Axis};
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
///
/// The storage stays a flat row-major `Vec` because every source fills it row by row (a frame's
/// rows, a parsed line, a simulated sample) and hands it on with `extend`; the 2-D shape is
/// given by [`Block::view`] (`rows × channels`, no copy) and [`Block::channel`] (one
/// fingertip's column) for the stages that work per channel over a whole block.
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

    /// The complete rows as a `rows × channels` array borrowing [`Block::values`] (no copy); a
    /// trailing partial row is left out, as in [`Block::rows`]. Row `r` is
    /// `values[r·channels .. (r+1)·channels]`, so `view(channels).row(r)` is that slice and
    /// `view(channels).column(c)` is channel `c` over the block (strided).
    pub fn view(&self, channels: usize) -> ArrayView2<'_, f64> {
        rows_view(&self.values, channels)
    }

    /// Channel `c`'s values over the block's complete rows (a strided view into
    /// [`Block::values`]), or `None` if `c` is not below `channels`.
    pub fn channel(&self, channels: usize, c: usize) -> Option<ArrayView1<'_, f64>> {
        (c < channels).then(|| self.view(channels).index_axis_move(Axis(1), c))
    }

    /// Empties the block, keeping its allocations.
    pub fn clear(&mut self) {
        self.values.clear();
        self.events.clear();
    }
}

/// Row-major `values` (`channels` a row) as a `rows × channels` array, no copy; a trailing
/// partial row is left out. [`Block::view`] is this on a block's values; a stage that has
/// rewritten a block's rows into its own buffer (the pipeline's plausibility check) views that.
pub fn rows_view(values: &[f64], channels: usize) -> ArrayView2<'_, f64> {
    let rows = values.len().checked_div(channels).unwrap_or(0);
    // `rows · channels ≤ values.len()`, so neither the slice nor the shape can fail: the slice
    // holds exactly `rows × channels` values in the standard (row-major) layout, which is all
    // `from_shape` checks. The empty fallback is never taken; it keeps this infallible without
    // a panic path.
    let complete = values.get(..rows * channels).unwrap_or_default();
    ArrayView2::from_shape((rows, channels), complete)
        .unwrap_or_else(|_| ArrayView2::from(&[] as &[[f64; 0]]))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn block(values: Vec<f64>) -> Block {
        Block {
            start_row: 0,
            values,
            events: Vec::new(),
        }
    }

    #[test]
    fn view_is_the_row_major_values() {
        let b = block((0..12).map(f64::from).collect());
        let v = b.view(3);
        assert_eq!(v.dim(), (4, 3));
        for (r, row) in b.values.chunks_exact(3).enumerate() {
            assert_eq!(v.row(r).to_vec(), row);
        }
        // No copy: the view's first element is the vector's.
        assert!(std::ptr::eq(&v[[0, 0]], &b.values[0]));
        let ch1: Vec<f64> = b.values.iter().skip(1).step_by(3).copied().collect();
        assert_eq!(b.channel(3, 1).map(|c| c.to_vec()), Some(ch1));
        assert_eq!(b.channel(3, 3), None);
    }

    #[test]
    fn view_leaves_out_a_partial_row_and_survives_odd_shapes() {
        let b = block((0..7).map(f64::from).collect());
        assert_eq!(b.view(3).dim(), (2, 3));
        assert_eq!(b.view(0).len(), 0);
        assert_eq!(b.view(8).dim(), (0, 8));
        assert_eq!(block(Vec::new()).view(5).dim(), (0, 5));
        assert_eq!(b.channel(0, 0), None);
        assert_eq!(b.channel(8, 2).map(|c| c.len()), Some(0));
        assert_eq!(rows_view(&b.values, 2), b.view(2));
    }
}
