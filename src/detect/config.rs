//! Settings of the stroke detector, with defaults for MLD practice (peaks ~10–100 mmHg, resting
//! level ~0–5 mmHg, working phase ~0.3–0.8 s).

use crate::filter::chain::ChainConfig;

/// How strokes are found. The defaults suit MLD; every threshold is in mmHg above the level the
/// stroke rose from, or a fraction of the stroke's height.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorConfig {
    /// The per-channel conditioning chain (spike rejection, low-pass, working rate).
    pub chain: ChainConfig,
    /// Rise above the resting level or ledge (mmHg) that starts a stroke.
    pub rise_mmhg: f64,
    /// Smallest height (peak above its starting level, mmHg) that counts as a stroke.
    pub min_height_mmhg: f64,
    /// A fall by at least this fraction of the height ends the working phase: a shallower dip
    /// keeps one stroke (double hump), a deeper one followed by a new rise splits it (incomplete
    /// release).
    pub split_fraction: f64,
    /// Onset and offset sit where the envelope is within this fraction of the height of the
    /// starting (or release) level…
    pub edge_fraction: f64,
    /// …or within this many mmHg, whichever is larger (sensor noise).
    pub edge_mmhg: f64,
    /// Shortest working phase (seconds) that counts as a stroke: a noise burst or a spike's
    /// remnant is over within a few tens of milliseconds, a real stroke lasts ~0.3–0.8 s.
    pub min_duration_s: f64,
    /// Time the release must stay flat before the stroke is final (seconds); bounds the delay.
    pub settle_s: f64,
    /// Window of the resting-level tracker while the hand is idle (seconds).
    pub rest_window_s: f64,
    /// A stroke longer than this is closed where it stands (seconds); bounds the memory.
    pub max_stroke_s: f64,
    /// Idle this long (seconds) with a flat signal counts as "hand lifted": channels are
    /// re-zeroed against drift. `None` disables re-zeroing.
    pub lift_s: Option<f64>,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            chain: ChainConfig::default(),
            rise_mmhg: 2.0,
            min_height_mmhg: 4.0,
            split_fraction: 0.4,
            edge_fraction: 0.06,
            edge_mmhg: 0.4,
            min_duration_s: 0.12,
            settle_s: 0.10,
            rest_window_s: 1.0,
            max_stroke_s: 12.0,
            lift_s: Some(1.2),
        }
    }
}
