//! The recording header: what was recorded, when, with what.

use crate::calibration::Calibration;
pub use crate::error::DeviceFieldError;
use mldsense_protocol::{ChannelDesc, DeviceInfo, SensorKind, MAX_CHANNELS, MAX_ROWS_PER_BLOCK};
use serde::{Deserialize, Serialize};

/// One channel of the device, as in its `DeviceInfo`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelDescription {
    /// The channel's name.
    pub name: String,
    /// Active area in mm², 0 when the device did not say.
    pub area_mm2: f64,
}

/// The device, as its `DeviceInfo` described it, in readable form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceDescription {
    /// Firmware version, `major.minor.patch`.
    pub firmware: String,
    /// The glove's serial number.
    pub serial: u32,
    /// Sensor kind code (protocol `SensorKind`).
    pub sensor_kind: u8,
    /// Sensor kind name, for people reading the header.
    pub sensor: String,
    /// ADC resolution in bits.
    pub adc_bits: u8,
    /// Rows per second.
    pub rate_hz: u16,
    /// Rows in every `SampleBlock`.
    pub rows_per_block: u8,
    /// The channels.
    pub channels: Vec<ChannelDescription>,
}

impl From<&DeviceInfo> for DeviceDescription {
    fn from(d: &DeviceInfo) -> Self {
        DeviceDescription {
            firmware: format!("{}.{}.{}", d.firmware[0], d.firmware[1], d.firmware[2]),
            serial: d.serial,
            sensor_kind: d.sensor_kind.0,
            sensor: d.sensor_kind.name().to_string(),
            adc_bits: d.adc_bits,
            rate_hz: d.rate_hz,
            rows_per_block: d.rows_per_block,
            channels: d
                .channels()
                .iter()
                .map(|c| ChannelDescription {
                    name: c.name().to_string(),
                    area_mm2: f64::from(c.area_dmm2) / 10.0,
                })
                .collect(),
        }
    }
}

impl DeviceDescription {
    /// The protocol's `DeviceInfo` back, checked; `Err` says which field is out of range.
    pub fn to_device_info(&self) -> Result<DeviceInfo, DeviceFieldError> {
        let mut fw = [0u8; 3];
        let parts: Vec<&str> = self.firmware.split('.').collect();
        let bad_firmware = || DeviceFieldError::Firmware(self.firmware.clone());
        if parts.len() != 3 {
            return Err(bad_firmware());
        }
        for (slot, part) in fw.iter_mut().zip(&parts) {
            *slot = part.parse().map_err(|_| bad_firmware())?;
        }
        if self.channels.is_empty() || self.channels.len() > MAX_CHANNELS {
            return Err(DeviceFieldError::ChannelCount(self.channels.len()));
        }
        if self.rows_per_block == 0 || usize::from(self.rows_per_block) > MAX_ROWS_PER_BLOCK {
            return Err(DeviceFieldError::RowsPerBlock(self.rows_per_block));
        }
        if self.adc_bits == 0 || self.adc_bits > 16 {
            return Err(DeviceFieldError::AdcBits(self.adc_bits));
        }
        if self.rate_hz == 0 {
            return Err(DeviceFieldError::ZeroRate);
        }
        let mut channels = [ChannelDesc::new("", 0); MAX_CHANNELS];
        for (slot, ch) in channels.iter_mut().zip(&self.channels) {
            if !(0.0..=6553.5).contains(&ch.area_mm2) {
                return Err(DeviceFieldError::Area {
                    name: ch.name.clone(),
                    area_mm2: ch.area_mm2,
                });
            }
            *slot = ChannelDesc::new(&ch.name, (ch.area_mm2 * 10.0).round() as u16);
        }
        Ok(DeviceInfo {
            firmware: fw,
            serial: self.serial,
            sensor_kind: SensorKind(self.sensor_kind),
            adc_bits: self.adc_bits,
            rate_hz: self.rate_hz,
            rows_per_block: self.rows_per_block,
            channel_count: self.channels.len() as u8,
            channels,
        })
    }
}

/// Everything a recording says about itself besides the bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordingHeader {
    /// The device.
    pub device: DeviceDescription,
    /// Host wall-clock time when recording started, RFC 3339 (UTC).
    pub started: String,
    /// The program that wrote the file, e.g. `mldsense 0.1.0`.
    pub tool: String,
    /// Where the bytes came from: a port path, or `virtual glove`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The trainee's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trainee: Option<String>,
    /// A free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The calibration in use when recording, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
}

impl RecordingHeader {
    /// A header for `device`, started now, written by this version of mldsense.
    pub fn new(device: &DeviceInfo) -> Self {
        RecordingHeader {
            device: device.into(),
            started: now_rfc3339(),
            tool: format!("mldsense {}", env!("CARGO_PKG_VERSION")),
            source: None,
            trainee: None,
            note: None,
            calibration: None,
        }
    }
}

/// The current UTC time to the second, RFC 3339.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}
