//! The virtual glove as a [`PressureSource`]: calibrated mmHg rows for the pipeline, with no
//! serial port or file in between.
//!
//! [`SimSource::new`] gives exactly what the pipeline would get from the same session sent over
//! the wire and decoded with the glove's calibration file: counts through the same
//! [`Calibrator`], lost blocks as `NaN` rows with a [`StreamEvent::Gap`], button markers and
//! saturation events. [`SimSource::true_pressure`] gives the noise-free truth instead, for
//! checking a detector against the model itself.

use crate::calibration::Calibrator;
use crate::error::Result;
use crate::frames::stream_info;
use crate::sim::glove::{GloveConfig, VirtualGlove};
use crate::sim::truth::TruthStroke;
use crate::stream::{Block, PressureSource, StreamEvent, StreamInfo};

/// Blocks of the glove put into one [`Block`]: about a quarter of a second at 200 Hz.
const GLOVE_BLOCKS_PER_READ: usize = 25;

/// What the source emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Calibrated,
    Truth,
}

/// A [`PressureSource`] reading the virtual glove.
#[derive(Clone, Debug)]
pub struct SimSource {
    glove: VirtualGlove,
    calibrator: Calibrator,
    info: StreamInfo,
    output: Output,
    truth: Vec<TruthStroke>,
    /// Lost rows not yet emitted: (first row, count).
    pending_gap: Option<(u64, u64)>,
    last_saturated: u16,
}

impl SimSource {
    /// The session `config` describes, as the pipeline would receive it (sensor model, ADC,
    /// the glove's own calibration).
    pub fn new(config: GloveConfig) -> Self {
        Self::with_output(config, Output::Calibrated)
    }

    /// The same session's true, noise-free fingertip pressures (no sensor model, no dropouts).
    pub fn true_pressure(config: GloveConfig) -> Self {
        Self::with_output(config, Output::Truth)
    }

    fn with_output(config: GloveConfig, output: Output) -> Self {
        let glove = VirtualGlove::new(config);
        let device = glove.device_info();
        let calibrator = Calibrator::new(&device, Some(&glove.calibration()));
        let info = stream_info(&device, &calibrator);
        SimSource {
            truth: glove.truth(),
            glove,
            calibrator,
            info,
            output,
            pending_gap: None,
            last_saturated: 0,
        }
    }

    /// The ground truth of the session.
    pub fn truth(&self) -> &[TruthStroke] {
        &self.truth
    }

    /// The glove (its device info and calibration).
    pub fn glove(&self) -> &VirtualGlove {
        &self.glove
    }

    fn flush_gap(&mut self, block: &mut Block) {
        if let Some((start, rows)) = self.pending_gap.take() {
            let channels = self.info.channel_count();
            if block.values.is_empty() {
                block.start_row = start;
            }
            block.events.push((start, StreamEvent::Gap { rows }));
            block
                .values
                .extend(std::iter::repeat_n(f64::NAN, rows as usize * channels));
        }
    }
}

impl PressureSource for SimSource {
    fn info(&self) -> &StreamInfo {
        &self.info
    }

    fn next_block(&mut self, block: &mut Block) -> Result<bool> {
        block.clear();
        let channels = self.info.channel_count();
        for _ in 0..GLOVE_BLOCKS_PER_READ {
            let Some(g) = self.glove.next_block() else {
                break;
            };
            let rows = g.rows(channels) as u64;
            if self.output == Output::Calibrated && !g.delivered {
                match &mut self.pending_gap {
                    Some((_, n)) => *n += rows,
                    None => self.pending_gap = Some((g.start_row, rows)),
                }
                continue;
            }
            self.flush_gap(block);
            if block.values.is_empty() {
                block.start_row = g.start_row;
            }
            match self.output {
                Output::Truth => block.values.extend_from_slice(&g.truth),
                Output::Calibrated => {
                    for (i, &c) in g.counts.iter().enumerate() {
                        block
                            .values
                            .push(self.calibrator.pressure(i % channels.max(1), c).0);
                    }
                }
            }
            if let Some(row) = g.marker_row {
                block.events.push((row, StreamEvent::Marker));
            }
            if self.output == Output::Calibrated {
                let newly = g.saturated & !self.last_saturated;
                if newly != 0 {
                    let row = g.saturated_row.unwrap_or(g.start_row);
                    for ch in (0..channels.min(16)).filter(|ch| newly & (1 << ch) != 0) {
                        block
                            .events
                            .push((row, StreamEvent::Saturation { channel: ch }));
                    }
                }
                self.last_saturated = g.saturated;
            }
        }
        if self.glove.finished() {
            self.flush_gap(block);
        }
        block.events.sort_by_key(|(row, _)| *row);
        Ok(!block.values.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::sensor::Imperfections;
    use crate::sim::style::Style;

    fn drain(mut s: SimSource) -> (Vec<f64>, Vec<(u64, StreamEvent)>) {
        let mut all = Vec::new();
        let mut events = Vec::new();
        let mut b = Block::default();
        let mut next = 0;
        while s.next_block(&mut b).unwrap_or(false) {
            assert_eq!(b.start_row, next, "rows are contiguous");
            next += b.rows(5) as u64;
            all.extend_from_slice(&b.values);
            events.extend(b.events.iter().cloned());
        }
        (all, events)
    }

    #[test]
    fn truth_output_peaks_match_the_truth() {
        let cfg = GloveConfig {
            style: Style::Heavy,
            duration_s: 30.0,
            ..GloveConfig::default()
        };
        let src = SimSource::true_pressure(cfg);
        let truth = src.truth().to_vec();
        let (values, _) = drain(src);
        assert_eq!(values.len(), 30 * 200 * 5);
        for s in &truth {
            let a = (s.onset_s * 200.0) as usize;
            let b = (s.offset_s * 200.0) as usize;
            let m = values[a * 5..b * 5].iter().copied().fold(0.0, f64::max);
            // Sampled at 200 Hz the top is within a fraction of a mmHg of the exact peak.
            assert!(
                m <= s.peak.0 + 1e-9 && m > s.peak.0 - 0.2,
                "{m} vs {}",
                s.peak.0
            );
        }
    }

    #[test]
    fn dropouts_become_nan_rows_with_gap_events() {
        let cfg = GloveConfig {
            duration_s: 60.0,
            imperfections: Imperfections {
                dropouts_per_min: 20.0,
                dropout_rows: (2, 6),
                ..Imperfections::none()
            },
            ..GloveConfig::default()
        };
        let (values, events) = drain(SimSource::new(cfg));
        assert_eq!(values.len(), 60 * 200 * 5);
        let nan_rows = values
            .chunks(5)
            .filter(|r| r.iter().all(|v| v.is_nan()))
            .count() as u64;
        let gap_rows: u64 = events
            .iter()
            .filter_map(|(_, e)| match e {
                StreamEvent::Gap { rows } => Some(*rows),
                _ => None,
            })
            .sum();
        assert!(nan_rows > 20, "{nan_rows}");
        assert_eq!(nan_rows, gap_rows);
    }
}
