//! The `_physio.json` sidecar: rate, start time, column names and each column's unit, and the
//! plan it gives the reader (which columns are pressure, and the factor to mmHg).

pub use crate::error::SidecarError;
use crate::error::{Error, Result};
use crate::stream::{ChannelInfo, StreamInfo};
use crate::units::{Kpa, Mmhg, Newtons, PressureUnit, SquareMillimetres};
use serde_json::{Map, Value};
use std::path::Path;

/// Units of columns that are not pressure and are skipped (time, triggers, voltages).
const SKIPPED_UNITS: [&str; 9] = ["s", "ms", "V", "mV", "Hz", "n/a", "a.u.", "arbitrary", ""];

/// One column of the data file, as the sidecar describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpec {
    /// The column's name (from `Columns`).
    pub name: String,
    /// What the reader does with the column.
    pub role: ColumnRole,
}

/// What a data column becomes.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnRole {
    /// A pressure channel: the stored value times `to_mmhg` is mmHg.
    Pressure {
        /// The unit it is stored in.
        unit: PressureUnit,
        /// Multiply a stored value by this to get mmHg (1 for mmHg; 7.5 for kPa; 1/area for N).
        to_mmhg: f64,
        /// The sensor area, when the sidecar gives one.
        area: Option<SquareMillimetres>,
    },
    /// Not pressure (a `time` or `trigger` column): parsed for validity, then dropped.
    Skipped,
}

/// A parsed `_physio.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct PhysioSidecar {
    /// `SamplingFrequency`, Hz.
    pub rate_hz: f64,
    /// `StartTime`, seconds (may be negative).
    pub start_time_s: f64,
    /// Every column of the data file, in file order.
    pub columns: Vec<ColumnSpec>,
}

impl PhysioSidecar {
    /// Reads and checks the sidecar at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(path, &text)
    }

    /// Parses sidecar `text`; `path` is used in errors only.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::parse(
                path,
                e.line() as u64,
                format!("column {}: invalid JSON: {e}", e.column()),
            )
        })?;
        let obj = value
            .as_object()
            .ok_or_else(|| Error::parse(path, 1, "the sidecar must be a JSON object"))?;
        let key_err = |key: &str, source: SidecarError| Error::Sidecar {
            path: path.to_path_buf(),
            line: line_of(text, key),
            source: Box::new(source),
        };

        let rate_hz =
            number(obj, "SamplingFrequency").map_err(|m| key_err("SamplingFrequency", m))?;
        if !(rate_hz.is_finite() && rate_hz > 0.0) {
            return Err(key_err("SamplingFrequency", SidecarError::Rate(rate_hz)));
        }
        let start_time_s = number(obj, "StartTime").map_err(|m| key_err("StartTime", m))?;
        let names = obj
            .get("Columns")
            .ok_or_else(|| key_err("Columns", SidecarError::MissingKey("Columns".into())))?
            .as_array()
            .ok_or_else(|| key_err("Columns", SidecarError::ColumnsNotArray))?;

        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let name = name
                .as_str()
                .ok_or_else(|| key_err("Columns", SidecarError::ColumnsNotStrings))?;
            let role = column_role(obj, name).map_err(|m| key_err(name, m))?;
            columns.push(ColumnSpec {
                name: name.to_string(),
                role,
            });
        }
        if !columns
            .iter()
            .any(|c| matches!(c.role, ColumnRole::Pressure { .. }))
        {
            return Err(key_err("Columns", SidecarError::NoPressureColumn));
        }
        Ok(Self {
            rate_hz,
            start_time_s,
            columns,
        })
    }

    /// The stream the pressure columns make: one channel per pressure column, in file order.
    pub fn stream_info(&self) -> StreamInfo {
        StreamInfo {
            rate_hz: self.rate_hz,
            start_time_s: self.start_time_s,
            channels: self
                .columns
                .iter()
                .filter_map(|c| match c.role {
                    ColumnRole::Pressure { area, .. } => Some(ChannelInfo {
                        name: c.name.clone(),
                        area,
                    }),
                    ColumnRole::Skipped => None,
                })
                .collect(),
        }
    }

    /// The sidecar the writer produces for `info`: every channel in mmHg.
    pub fn to_json(info: &StreamInfo) -> Value {
        let mut obj = Map::new();
        obj.insert("SamplingFrequency".into(), info.rate_hz.into());
        obj.insert("StartTime".into(), info.start_time_s.into());
        obj.insert(
            "Columns".into(),
            Value::Array(
                info.channels
                    .iter()
                    .map(|c| Value::String(c.name.clone()))
                    .collect(),
            ),
        );
        for c in &info.channels {
            let mut col = Map::new();
            col.insert(
                "Description".into(),
                format!("Fingertip pressure, {} sensor", c.name).into(),
            );
            col.insert("Units".into(), "mmHg".into());
            if let Some(a) = c.area {
                col.insert("SensorAreaMm2".into(), a.0.into());
            }
            obj.insert(c.name.clone(), Value::Object(col));
        }
        Value::Object(obj)
    }
}

fn number(obj: &Map<String, Value>, key: &str) -> std::result::Result<f64, SidecarError> {
    obj.get(key)
        .ok_or_else(|| SidecarError::MissingKey(key.into()))?
        .as_f64()
        .ok_or_else(|| SidecarError::NotANumber(key.into()))
}

fn column_role(
    obj: &Map<String, Value>,
    name: &str,
) -> std::result::Result<ColumnRole, SidecarError> {
    let col = obj
        .get(name)
        .ok_or_else(|| SidecarError::MissingColumn(name.into()))?
        .as_object()
        .ok_or_else(|| SidecarError::ColumnNotObject(name.into()))?;
    let units = col
        .get("Units")
        .ok_or_else(|| SidecarError::MissingUnits(name.into()))?
        .as_str()
        .ok_or_else(|| SidecarError::UnitsNotString(name.into()))?;
    let area = match col.get("SensorAreaMm2") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64() {
            Some(a) if a.is_finite() && a > 0.0 => Some(SquareMillimetres(a)),
            _ => return Err(SidecarError::BadArea(name.into())),
        },
    };
    let pressure = |unit, to_mmhg| ColumnRole::Pressure {
        unit,
        to_mmhg,
        area,
    };
    match units {
        "mmHg" => Ok(pressure(PressureUnit::Mmhg, 1.0)),
        "kPa" => Ok(pressure(PressureUnit::Kpa, Mmhg::from(Kpa(1.0)).0)),
        "N" => match area {
            Some(a) => Ok(pressure(PressureUnit::Newtons, Newtons(1.0).over(a).0)),
            None => Err(SidecarError::ForceWithoutArea(name.into())),
        },
        u if SKIPPED_UNITS.contains(&u) => Ok(ColumnRole::Skipped),
        u => Err(SidecarError::UnknownUnit {
            name: name.into(),
            unit: u.into(),
            skipped: &SKIPPED_UNITS,
        }),
    }
}

/// The 1-based line where `"key"` is used as a key (else first appears), or 1: good enough to
/// point at a sidecar key.
fn line_of(text: &str, key: &str) -> u64 {
    let quoted = format!("\"{key}\"");
    let mut found = text.match_indices(&quoted).map(|(at, _)| at);
    let first = found.clone().next();
    let as_key = found.find(|&at| {
        text.get(at + quoted.len()..)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    });
    as_key
        .or(first)
        .map(|at| {
            1 + text
                .as_bytes()
                .iter()
                .take(at)
                .filter(|&&b| b == b'\n')
                .count() as u64
        })
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PhysioSidecar> {
        PhysioSidecar::parse(Path::new("x_physio.json"), text)
    }

    #[test]
    fn units_become_factors_to_mmhg_and_time_is_skipped() {
        let s = parse(
            r#"{"SamplingFrequency": 500, "StartTime": -1.5,
                "Columns": ["time", "a", "b", "c"],
                "time": {"Units": "s"},
                "a": {"Units": "mmHg"},
                "b": {"Units": "kPa"},
                "c": {"Units": "N", "SensorAreaMm2": 126.7}}"#,
        )
        .unwrap();
        assert_eq!(s.rate_hz, 500.0);
        assert_eq!(s.start_time_s, -1.5);
        assert_eq!(s.columns[0].role, ColumnRole::Skipped);
        let f: Vec<f64> = s
            .columns
            .iter()
            .filter_map(|c| match c.role {
                ColumnRole::Pressure { to_mmhg, .. } => Some(to_mmhg),
                ColumnRole::Skipped => None,
            })
            .collect();
        assert_eq!(f[0], 1.0);
        assert!((f[1] - 7.50062).abs() < 1e-5);
        // 0.68 N over 126.7 mm² is about 40.26 mmHg.
        assert!((0.68 * f[2] - 40.26).abs() < 0.01);
        assert_eq!(s.stream_info().channel_count(), 3);
    }

    #[test]
    fn errors_name_the_key_and_its_line() {
        let e = parse(
            "{\"SamplingFrequency\": 500,\n\"Columns\": [\"a\"],\n\"a\": {\"Units\": \"mmHg\"}}",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("x_physio.json:1:") && e.contains("StartTime"),
            "{e}"
        );
        let e = parse("{\"SamplingFrequency\": 500, \"StartTime\": 0,\n\"Columns\": [\"a\"],\n\"a\": {\"Units\": \"psi\"}}")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":3:") && e.contains("unknown unit `psi`"), "{e}");
        let e = parse("{\"SamplingFrequency\": 500, \"StartTime\": 0,\n\"Columns\": [\"a\"],\n\"a\": {\"Units\": \"N\"}}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("SensorAreaMm2"), "{e}");
        let e = parse("{\"SamplingFrequency\": 500,\n \"StartTime\": }")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:") && e.contains("invalid JSON"), "{e}");
    }

    #[test]
    fn written_sidecar_reads_back() {
        let info = StreamInfo {
            rate_hz: 250.0,
            start_time_s: 0.0,
            channels: vec![
                ChannelInfo {
                    name: "index".into(),
                    area: Some(SquareMillimetres(126.7)),
                },
                ChannelInfo {
                    name: "thumb".into(),
                    area: None,
                },
            ],
        };
        let text = serde_json::to_string_pretty(&PhysioSidecar::to_json(&info)).unwrap();
        assert_eq!(parse(&text).unwrap().stream_info(), info);
    }
}
