//! Calibration: per-sensor curves from raw ADC counts to force and pressure.
//!
//! The glove's front end gives ADC counts proportional to each sensor's conductance (1/R), the
//! device contract stated in `firmware-protocol/PROTOCOL.md`. FSR force is close to linear in
//! conductance (Tekscan FlexiForce application notes; Interlink FSR 400 series data sheet), so a
//! sensor's force is a curve of its counts: linear through a zero offset by default, optionally
//! with a quadratic term from a calibration fit ([`fit`]). Pressure is force over the sensor's
//! active area ([`crate::units::Newtons::over`]).
//!
//! Parts differ by about ±6 % (Interlink), so a calibration file keys each curve by sensor: the
//! glove's serial number and the channel index. A sensor no file covers gets
//! [`default_curve`], with a warning.
//!
//! **Stable API** (used by the virtual glove and the serial source): [`SensorCurve`],
//! [`default_curve`], [`default_area`], [`Calibration`] (`load`, `save`, `curve_for`),
//! [`Calibrator`].

mod curve;
mod file;
pub mod fit;

pub use curve::{default_area, default_curve, SensorCurve, DEFAULT_FULL_SCALE};
pub use file::{Calibration, SensorCalibration};

use crate::units::{Mmhg, SquareMillimetres};
use mldsense_protocol::DeviceInfo;

/// Turns one device's raw counts into pressure: a curve and an area per channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibrator {
    channels: Vec<(SensorCurve, SquareMillimetres)>,
    warnings: Vec<String>,
}

impl Calibrator {
    /// The calibrator for `device`, taking each channel's curve from `calibration` when it has
    /// one and [`default_curve`] otherwise (with a warning per uncovered channel). The area is
    /// the calibration's, else the device's, else [`default_area`] of the sensor kind.
    pub fn new(device: &DeviceInfo, calibration: Option<&Calibration>) -> Self {
        let mut warnings = Vec::new();
        let mut uncovered = Vec::new();
        let fallback_area = default_area(device.sensor_kind);
        let channels = device
            .channels()
            .iter()
            .enumerate()
            .map(|(i, ch)| {
                let device_area = (ch.area_dmm2 > 0)
                    .then(|| SquareMillimetres(f64::from(ch.area_dmm2) / 10.0))
                    .or(fallback_area);
                let entry = calibration.and_then(|c| c.curve_for(device.serial, i));
                let curve = match entry {
                    Some(e) => e.curve,
                    None => {
                        uncovered.push(ch.name().to_string());
                        default_curve(device.sensor_kind, device.adc_bits)
                    }
                };
                let area = entry
                    .and_then(|e| e.area)
                    .or(device_area)
                    .unwrap_or(SquareMillimetres(126.7));
                (curve, area)
            })
            .collect();
        if !uncovered.is_empty() {
            warnings.push(format!(
                "no calibration for glove {} channel(s) {}: using the default {} curve ({} bits, {} full scale), which can be off by ±6 % or more",
                device.serial,
                uncovered.join(", "),
                device.sensor_kind.name(),
                device.adc_bits,
                DEFAULT_FULL_SCALE,
            ));
        }
        Calibrator { channels, warnings }
    }

    /// Number of channels.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// The pressure `counts` mean on `channel`; `NaN` for a channel the device does not have.
    pub fn pressure(&self, channel: usize, counts: u16) -> Mmhg {
        match self.channels.get(channel) {
            Some((curve, area)) => curve.force(f64::from(counts)).over(*area),
            None => Mmhg(f64::NAN),
        }
    }

    /// The curve and area of `channel`.
    pub fn channel(&self, channel: usize) -> Option<(&SensorCurve, SquareMillimetres)> {
        self.channels.get(channel).map(|(c, a)| (c, *a))
    }

    /// Warnings for the user (channels on the default curve).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
