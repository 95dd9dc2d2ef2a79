//! The virtual glove's hardware: the hand model through the sensor model into ADC counts, block
//! by block, as the firmware would sample them — plus its `DeviceInfo` and the calibration file
//! that recovers the true pressure from its counts.
//!
//! Counts come from the protocol engineer's nominal curve
//! ([`crate::calibration::default_curve`]) applied to what each part reads (its gain error
//! included). The matching calibration ([`VirtualGlove::calibration`]) divides each part's gain
//! back out, so the pipeline with that file recovers the true pressure up to noise, drift, hum,
//! hysteresis and one count of quantisation.

use crate::calibration::{
    default_area, default_curve, Calibration, SensorCalibration, SensorCurve,
};
use crate::sim::hand::Hand;
use crate::sim::sensor::{Imperfections, SensorModel};
use crate::sim::style::Style;
use crate::sim::truth::TruthStroke;
use crate::units::{Mmhg, Newtons};
use mldsense_protocol::{ChannelDesc, DeviceInfo, SensorKind, MAX_CHANNELS};

/// Serial number of the virtual glove (ASCII "VIRT"), so calibration files name it.
pub const VIRTUAL_SERIAL: u32 = 0x5649_5254;

/// Firmware version the virtual glove reports: that of the firmware core it runs.
pub const VIRTUAL_FIRMWARE: [u8; 3] = mldsense_firmware::FIRMWARE_VERSION;

/// Device time of the first row, µs: the glove has been on for a second when streaming starts.
pub const FIRST_ROW_US: u64 = 1_000_000;

/// Sample rates the virtual glove accepts (`SetRate`), rows per second: the firmware core's.
pub const SUPPORTED_RATES: [u16; 7] = mldsense_firmware::SUPPORTED_RATES;

/// Fingertip names by channel count: four fingers, or thumb and four fingers.
pub fn channel_names(channels: usize) -> Vec<String> {
    let five = ["thumb", "index", "middle", "ring", "little"];
    let four = ["index", "middle", "ring", "little"];
    match channels {
        4 => four.iter().map(|s| s.to_string()).collect(),
        n => (0..n)
            .map(|i| {
                five.get(i)
                    .map_or_else(|| format!("ch{i}"), |s| s.to_string())
            })
            .collect(),
    }
}

/// Rows per `SampleBlock` for a rate: about 100 blocks a second (PROTOCOL.md asks for 50–200),
/// as the firmware core packs them.
pub fn rows_per_block_for(rate_hz: u16) -> u8 {
    mldsense_firmware::rows_per_block_for(rate_hz)
}

/// What to simulate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GloveConfig {
    /// The trainee style.
    pub style: Style,
    /// The seed: same seed, same session.
    pub seed: u64,
    /// Length of the session, seconds.
    pub duration_s: f64,
    /// Rows per second.
    pub rate_hz: u16,
    /// Fingertip sensors (1–16; 4 or 5 for a hand).
    pub channels: usize,
    /// Sensor and front-end imperfections.
    pub imperfections: Imperfections,
    /// ADC resolution in bits.
    pub adc_bits: u8,
}

impl Default for GloveConfig {
    fn default() -> Self {
        GloveConfig {
            style: Style::Steady,
            seed: 1,
            duration_s: 60.0,
            rate_hz: 200,
            channels: 5,
            imperfections: Imperfections::default(),
            adc_bits: 12,
        }
    }
}

/// One block of rows as the glove sampled it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GloveBlock {
    /// Index of the first row since the start of the session.
    pub start_row: u64,
    /// Device time of the first row, µs (64-bit; the wire carries the low 32 bits).
    pub device_time_us: u64,
    /// Row-major raw counts, `rows × channels`, as the ADC read them (the firmware core
    /// subtracts each channel's tare before sending).
    pub counts: Vec<u16>,
    /// Row-major true pressures (noise-free, before the sensor), mmHg.
    pub truth: Vec<f64>,
    /// `false` when the block is lost in a dropout (the firmware skips it; its sequence number
    /// is still used up, so the host sees the gap).
    pub delivered: bool,
    /// A button marker (the hand was placed on a new spot) at this row, if any.
    pub marker_row: Option<u64>,
    /// Channels at the ADC's full scale in this block (bit i: channel i), and the first row
    /// where one is.
    pub saturated: u16,
    /// The first saturated row, if any.
    pub saturated_row: Option<u64>,
}

impl GloveBlock {
    /// Rows in the block.
    pub fn rows(&self, channels: usize) -> usize {
        self.counts.len().checked_div(channels).unwrap_or(0)
    }
}

/// The virtual glove: hand, sensors, ADC.
#[derive(Clone, Debug)]
pub struct VirtualGlove {
    config: GloveConfig,
    hand: Hand,
    sensor: SensorModel,
    curve: SensorCurve,
    areas: Vec<crate::units::SquareMillimetres>,
    full_scale: u16,
    rows_per_block: u8,
    /// Time of row `base_row`, seconds (moves when the rate changes).
    base_time_s: f64,
    base_row: u64,
    next_row: u64,
    markers: Vec<f64>,
    next_marker: usize,
    truth_row: Vec<f64>,
    measured_row: Vec<f64>,
}

impl VirtualGlove {
    /// A glove about to sample the session `config` describes.
    pub fn new(config: GloveConfig) -> Self {
        let channels = config.channels.clamp(1, MAX_CHANNELS);
        let config = GloveConfig { channels, ..config };
        let rate = config.rate_hz.max(1);
        let hand = Hand::new(config.style, config.seed, config.duration_s, channels);
        let sensor = SensorModel::new(config.imperfections, channels, f64::from(rate), config.seed);
        let bits = config.adc_bits.clamp(1, 16);
        let full_scale = ((1u32 << bits) - 1) as u16;
        let markers = hand.spot_starts().to_vec();
        VirtualGlove {
            hand,
            sensor,
            curve: default_curve(SensorKind::FSR_402, bits),
            areas: vec![
                default_area(SensorKind::FSR_402)
                    .unwrap_or(crate::units::SquareMillimetres::FSR_402);
                channels
            ],
            full_scale,
            rows_per_block: rows_per_block_for(rate),
            base_time_s: 0.0,
            base_row: 0,
            next_row: 0,
            markers,
            next_marker: 0,
            truth_row: vec![0.0; channels],
            measured_row: vec![0.0; channels],
            config: GloveConfig {
                adc_bits: bits,
                rate_hz: rate,
                ..config
            },
        }
    }

    /// The configuration (channels and bits clamped to what the protocol allows).
    pub fn config(&self) -> &GloveConfig {
        &self.config
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.config.channels
    }

    /// The ground truth of the whole session.
    pub fn truth(&self) -> Vec<TruthStroke> {
        self.hand.truth()
    }

    /// Rows per `SampleBlock` at the current rate.
    pub fn rows_per_block(&self) -> u8 {
        self.rows_per_block
    }

    /// Time of the next row to be sampled, seconds from the first row.
    pub fn time_s(&self) -> f64 {
        self.row_time(self.next_row)
    }

    /// Index of the next row to be sampled.
    pub fn next_row(&self) -> u64 {
        self.next_row
    }

    /// Whether the session is over (the next row would be past its duration).
    pub fn finished(&self) -> bool {
        self.time_s() >= self.config.duration_s
    }

    /// Total rows of the session at the current rate, from the first row.
    pub fn total_rows(&self) -> u64 {
        let remaining = ((self.config.duration_s - self.base_time_s)
            * f64::from(self.config.rate_hz))
        .ceil()
        .max(0.0) as u64;
        self.base_row + remaining
    }

    fn row_time(&self, row: u64) -> f64 {
        self.base_time_s
            + (row.saturating_sub(self.base_row)) as f64 / f64::from(self.config.rate_hz)
    }

    /// What the glove says about itself.
    pub fn device_info(&self) -> DeviceInfo {
        let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
        for ((slot, name), area) in channels
            .iter_mut()
            .zip(channel_names(self.channels()))
            .zip(&self.areas)
        {
            *slot = ChannelDesc::new(&name, (area.0 * 10.0).round() as u16);
        }
        DeviceInfo {
            firmware: VIRTUAL_FIRMWARE,
            serial: VIRTUAL_SERIAL,
            sensor_kind: SensorKind::FSR_402,
            adc_bits: self.config.adc_bits,
            rate_hz: self.config.rate_hz,
            rows_per_block: self.rows_per_block,
            channel_count: self.channels() as u8,
            channels,
        }
    }

    /// The calibration that recovers true pressure from this glove's counts: the nominal curve
    /// with each part's gain divided out (what a careful per-sensor calibration would find).
    pub fn calibration(&self) -> Calibration {
        let names = channel_names(self.channels());
        Calibration {
            created: None,
            note: Some(format!(
                "virtual glove (style {}, seed {}): nominal FSR 402 curve with each part's gain error divided out",
                self.config.style, self.config.seed
            )),
            sensors: self
                .sensor
                .gains()
                .iter()
                .enumerate()
                .map(|(i, g)| SensorCalibration {
                    device_serial: VIRTUAL_SERIAL,
                    channel: i,
                    name: names.get(i).cloned(),
                    curve: SensorCurve {
                        zero_counts: self.curve.zero_counts,
                        newtons_per_count: self.curve.newtons_per_count / g,
                        quadratic: self.curve.quadratic / g,
                    },
                    area: None,
                    rms_error: None,
                })
                .collect(),
        }
    }

    /// Changes the rate (the firmware's `SetRate`); the session's clock keeps running.
    /// Returns `false` (and changes nothing) for a rate not in [`SUPPORTED_RATES`].
    pub fn set_rate(&mut self, rate_hz: u16) -> bool {
        if !SUPPORTED_RATES.contains(&rate_hz) {
            return false;
        }
        self.base_time_s = self.time_s();
        self.base_row = self.next_row;
        self.config.rate_hz = rate_hz;
        self.rows_per_block = rows_per_block_for(rate_hz);
        self.sensor.set_rate(f64::from(rate_hz));
        true
    }

    /// Device time of `row`, µs.
    pub fn device_time_us(&self, row: u64) -> u64 {
        FIRST_ROW_US + (self.row_time(row) * 1.0e6).round() as u64
    }

    /// Samples the next block (`rows_per_block` rows, fewer at the end of the session); `None`
    /// when the session is over.
    pub fn next_block(&mut self) -> Option<GloveBlock> {
        if self.finished() {
            return None;
        }
        let channels = self.channels();
        let mut block = GloveBlock {
            start_row: self.next_row,
            device_time_us: self.device_time_us(self.next_row),
            delivered: true,
            ..GloveBlock::default()
        };
        for _ in 0..self.rows_per_block {
            if self.finished() {
                break;
            }
            let row = self.next_row;
            let t = self.time_s();
            self.hand.pressures_at(t, &mut self.truth_row);
            let ok = self.sensor.read(t, &self.truth_row, &mut self.measured_row);
            block.delivered &= ok;
            for c in 0..channels {
                let reading = self.measured_row.get(c).copied().unwrap_or(0.0);
                let raw = if reading.is_finite() {
                    let area = self
                        .areas
                        .get(c)
                        .copied()
                        .unwrap_or(crate::units::SquareMillimetres::FSR_402);
                    let force: Newtons = Mmhg(reading).times(area);
                    self.curve
                        .counts_for(force)
                        .map_or(0.0, |x| x.round())
                        .clamp(0.0, f64::from(self.full_scale))
                } else {
                    f64::from(self.full_scale)
                };
                let count = raw as u16;
                if count >= self.full_scale {
                    block.saturated |= 1 << c;
                    block.saturated_row.get_or_insert(row);
                }
                block.counts.push(count);
            }
            block.truth.extend_from_slice(&self.truth_row);
            while let Some(&m) = self.markers.get(self.next_marker) {
                if m < t + 0.5 / f64::from(self.config.rate_hz) {
                    self.next_marker += 1;
                    block.marker_row = Some(row);
                } else {
                    break;
                }
            }
            self.next_row += 1;
        }
        Some(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::Calibrator;

    #[test]
    fn perfect_glove_calibrates_back_to_the_truth() {
        let mut glove = VirtualGlove::new(GloveConfig {
            imperfections: Imperfections {
                gain_error: 0.06,
                ..Imperfections::none()
            },
            duration_s: 20.0,
            ..GloveConfig::default()
        });
        let cal = Calibrator::new(&glove.device_info(), Some(&glove.calibration()));
        assert!(cal.warnings().is_empty());
        let per_count = glove.curve.force(1.0).over(glove.areas[0]).0;
        let mut rows = 0;
        while let Some(b) = glove.next_block() {
            assert!(b.delivered);
            for (i, &c) in b.counts.iter().enumerate() {
                let p = cal.pressure(i % 5, c).0;
                let t = b.truth[i];
                // Within half a count (scaled by the part's gain).
                assert!((p - t).abs() <= 0.5 * per_count * 1.07 + 1e-9, "{p} vs {t}");
            }
            rows += b.rows(5);
        }
        assert_eq!(rows as u64, glove.total_rows());
        assert_eq!(rows, 4000);
    }

    #[test]
    fn markers_fall_on_spot_starts() {
        let mut glove = VirtualGlove::new(GloveConfig {
            duration_s: 30.0,
            ..GloveConfig::default()
        });
        let starts = glove.hand.spot_starts().to_vec();
        let mut marks = Vec::new();
        while let Some(b) = glove.next_block() {
            marks.extend(b.marker_row);
        }
        assert_eq!(marks.len(), starts.len());
        for (m, s) in marks.iter().zip(&starts) {
            assert!((*m as f64 / 200.0 - s).abs() <= 0.5 / 200.0 + 1e-9);
        }
    }

    #[test]
    fn set_rate_keeps_the_clock() {
        let mut glove = VirtualGlove::new(GloveConfig::default());
        for _ in 0..100 {
            glove.next_block();
        }
        let t = glove.time_s();
        assert!((t - 1.0).abs() < 1e-9, "{t}");
        assert!(glove.set_rate(500));
        assert!(!glove.set_rate(123));
        assert_eq!(glove.rows_per_block(), 5);
        let b = glove.next_block().unwrap_or_default();
        assert_eq!(b.rows(5), 5);
        assert!((glove.time_s() - 1.01).abs() < 1e-9);
    }
}
