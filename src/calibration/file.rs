//! Calibration files: TOML or JSON, one entry per sensor (glove serial + channel).

use super::SensorCurve;
use crate::error::{Error, Result};
use crate::units::{Newtons, SquareMillimetres};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The calibration of one sensor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensorCalibration {
    /// The glove's serial number (from its `DeviceInfo`).
    pub device_serial: u32,
    /// The channel index on that glove.
    pub channel: usize,
    /// The channel's name, for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The curve.
    #[serde(flatten)]
    pub curve: SensorCurve,
    /// The active area, when it should override the device's.
    #[serde(default, rename = "area_mm2", skip_serializing_if = "Option::is_none")]
    pub area: Option<SquareMillimetres>,
    /// RMS error of the fit, when the curve came from one.
    #[serde(
        default,
        rename = "rms_error_n",
        skip_serializing_if = "Option::is_none"
    )]
    pub rms_error: Option<Newtons>,
}

/// A set of sensor calibrations, as stored in a calibration file.
///
/// ```toml
/// created = "2026-11-30T10:00:00Z"
/// [[sensor]]
/// device_serial = 4242
/// channel = 0
/// name = "thumb"
/// zero_counts = 14.0
/// newtons_per_count = 0.00251
/// quadratic = 0.0
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// When it was made, RFC 3339, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// A note (the surface, the weights used, who did it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// One entry per sensor.
    #[serde(default, rename = "sensor")]
    pub sensors: Vec<SensorCalibration>,
}

impl Calibration {
    /// The entry for `channel` of glove `device_serial`, if any (the last one wins).
    pub fn curve_for(&self, device_serial: u32, channel: usize) -> Option<&SensorCalibration> {
        self.sensors
            .iter()
            .rev()
            .find(|s| s.device_serial == device_serial && s.channel == channel)
    }

    /// Adds or replaces the entry of a sensor.
    pub fn insert(&mut self, entry: SensorCalibration) {
        self.sensors
            .retain(|s| !(s.device_serial == entry.device_serial && s.channel == entry.channel));
        self.sensors.push(entry);
    }

    /// Checks every curve is usable (finite numbers, a positive slope, a positive area).
    pub fn validate(&self, context: &str) -> Result<()> {
        for s in &self.sensors {
            let c = &s.curve;
            let bad = |message: String| Error::Config {
                context: context.to_string(),
                message: format!("sensor {}/{}: {message}", s.device_serial, s.channel),
            };
            if !(c.zero_counts.is_finite() && c.quadratic.is_finite()) {
                return Err(bad("zero_counts and quadratic must be finite".into()));
            }
            if let Some(m) = crate::plausible::slope_problem(c.newtons_per_count) {
                return Err(bad(m));
            }
            if let Some(m) = s.area.and_then(|a| crate::plausible::area_problem(a.0)) {
                return Err(bad(m));
            }
        }
        Ok(())
    }

    /// Parses a calibration from text: JSON if it starts with `{`, TOML otherwise. `path`
    /// names the source in errors.
    pub fn from_str_at(text: &str, path: &Path) -> Result<Self> {
        let cal: Calibration = if text.trim_start().starts_with('{') {
            serde_json::from_str(text)
                .map_err(|e| Error::parse(path, e.line() as u64, e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].lines().count().max(1) as u64)
                    .unwrap_or(0);
                Error::parse(path, line, e.message().to_string())
            })?
        };
        cal.validate(&path.display().to_string())?;
        Ok(cal)
    }

    /// Loads a calibration file (TOML, or JSON when it starts with `{`).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_str_at(&text, path)
    }

    /// Writes the calibration to `path`: JSON if the name ends in `.json`, TOML otherwise.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            serde_json::to_string_pretty(self).map_err(|e| Error::Config {
                context: path.display().to_string(),
                message: e.to_string(),
            })?
        } else {
            toml::to_string_pretty(self).map_err(|e| Error::Config {
                context: path.display().to_string(),
                message: e.to_string(),
            })?
        };
        std::fs::write(path, text).map_err(|e| Error::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Calibration {
        Calibration {
            created: Some("2026-11-30T10:00:00Z".into()),
            note: None,
            sensors: vec![
                SensorCalibration {
                    device_serial: 4242,
                    channel: 0,
                    name: Some("thumb".into()),
                    curve: SensorCurve::linear(14.0, 0.00251),
                    area: None,
                    rms_error: Some(Newtons(0.02)),
                },
                SensorCalibration {
                    device_serial: 4242,
                    channel: 1,
                    name: None,
                    curve: SensorCurve {
                        zero_counts: 3.0,
                        newtons_per_count: 0.0022,
                        quadratic: 2e-7,
                    },
                    area: Some(SquareMillimetres(71.3)),
                    rms_error: None,
                },
            ],
        }
    }

    #[test]
    fn toml_and_json_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["c.toml", "c.json"] {
            let p = dir.path().join(name);
            sample().save(&p).unwrap();
            assert_eq!(Calibration::load(&p).unwrap(), sample(), "{name}");
        }
    }

    #[test]
    fn lookup_by_serial_and_channel() {
        let c = sample();
        assert_eq!(c.curve_for(4242, 1).unwrap().curve.zero_counts, 3.0);
        assert!(c.curve_for(4243, 0).is_none());
        assert!(c.curve_for(4242, 2).is_none());
    }

    #[test]
    fn bad_slope_names_the_sensor() {
        let text = "[[sensor]]\ndevice_serial = 1\nchannel = 2\nzero_counts = 0.0\nnewtons_per_count = -1.0\n";
        let e = Calibration::from_str_at(text, Path::new("x.toml")).unwrap_err();
        assert!(e.to_string().contains("sensor 1/2"), "{e}");
    }

    #[test]
    fn syntax_error_names_the_line() {
        let text = "[[sensor]]\ndevice_serial = 1\nchannel = = 2\n";
        let e = Calibration::from_str_at(text, Path::new("x.toml")).unwrap_err();
        assert!(e.to_string().starts_with("x.toml:3:"), "{e}");
    }
}
