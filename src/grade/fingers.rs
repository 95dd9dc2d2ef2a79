//! Per-fingertip statistics over a session, shared by the coaching (which fingertip presses
//! hardest) and the finger-balance chart.

use crate::session::Session;

/// Per-fingertip peak statistics over the session.
#[derive(Clone, Debug, PartialEq)]
pub struct FingerStats {
    /// Channel name.
    pub name: String,
    /// Mean of the fingertip's stroke peaks, mmHg (NaN without strokes).
    pub mean: f64,
    /// Lowest stroke peak.
    pub min: f64,
    /// Highest stroke peak.
    pub max: f64,
}

/// Mean, lowest and highest peak of each fingertip, in channel order.
pub fn finger_stats(session: &Session) -> Vec<FingerStats> {
    let channels = session.info.channels.len().max(
        session
            .strokes
            .iter()
            .map(|s| s.channel_peaks.len())
            .max()
            .unwrap_or(0),
    );
    (0..channels)
        .map(|c| {
            let v: Vec<f64> = session
                .strokes
                .iter()
                .filter_map(|s| s.channel_peaks.get(c))
                .map(|p| p.0)
                .filter(|v| v.is_finite())
                .collect();
            let mean = if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            };
            FingerStats {
                name: session
                    .info
                    .channels
                    .get(c)
                    .map_or_else(|| format!("ch{}", c + 1), |ch| ch.name.clone()),
                mean,
                min: v.iter().copied().fold(f64::INFINITY, f64::min),
                max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        })
        .collect()
}
