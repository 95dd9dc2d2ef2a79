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
            edge_fraction: 0.03,
            edge_mmhg: 0.4,
            min_duration_s: 0.12,
            settle_s: 0.10,
            rest_window_s: 1.0,
            max_stroke_s: 12.0,
            lift_s: Some(1.2),
        }
    }
}

/// A `key=value` setting [`DetectorConfig::set`] cannot apply.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// No setting has this name.
    #[error("unknown setting `{0}` (known: {known})", known = DetectorConfig::keys().collect::<Vec<_>>().join(", "))]
    Unknown(String),
    /// The value is not a non-negative number.
    #[error("{key}={value}: expected a non-negative number")]
    NotANumber {
        /// The setting.
        key: String,
        /// The value given.
        value: String,
    },
    /// The filter order is not 1 to 12.
    #[error("{key}={value}: expected an order of 1 to 12")]
    Order {
        /// The setting.
        key: String,
        /// The value given.
        value: String,
    },
    /// An item of a settings list without `=`.
    #[error("`{0}`: expected key=value")]
    NotKeyValue(String),
}

/// How one setting takes its value: `None` when the value does not fit (the caller says why).
type Apply = fn(&mut DetectorConfig, &str) -> Option<()>;

/// A non-negative, finite number.
fn number(value: &str) -> Option<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// A number, or `off` / `none` for no value.
fn number_or_off(value: &str) -> Option<Option<f64>> {
    if value.eq_ignore_ascii_case("off") || value.eq_ignore_ascii_case("none") {
        Some(None)
    } else {
        number(value).map(Some)
    }
}

/// Every setting [`DetectorConfig::set`] knows, by name: the one list, so the names in help
/// texts and errors cannot drift from what `set` does.
const SETTINGS: [(&str, Apply); 16] = [
    ("rise_mmhg", |c, v| {
        c.rise_mmhg = number(v)?;
        Some(())
    }),
    ("min_height_mmhg", |c, v| {
        c.min_height_mmhg = number(v)?;
        Some(())
    }),
    ("split_fraction", |c, v| {
        c.split_fraction = number(v)?;
        Some(())
    }),
    ("edge_fraction", |c, v| {
        c.edge_fraction = number(v)?;
        Some(())
    }),
    ("edge_mmhg", |c, v| {
        c.edge_mmhg = number(v)?;
        Some(())
    }),
    ("min_duration_s", |c, v| {
        c.min_duration_s = number(v)?;
        Some(())
    }),
    ("settle_s", |c, v| {
        c.settle_s = number(v)?;
        Some(())
    }),
    ("rest_window_s", |c, v| {
        c.rest_window_s = number(v)?;
        Some(())
    }),
    ("max_stroke_s", |c, v| {
        c.max_stroke_s = number(v)?;
        Some(())
    }),
    ("lift_s", |c, v| {
        c.lift_s = number_or_off(v)?;
        Some(())
    }),
    ("work_rate_hz", |c, v| {
        c.chain.work_rate_hz = number(v)?;
        Some(())
    }),
    ("cutoff_hz", |c, v| {
        c.chain.cutoff_hz = number(v)?;
        Some(())
    }),
    ("order", |c, v| {
        let order = v.parse::<usize>().ok().filter(|o| (1..=12).contains(o))?;
        c.chain.order = order;
        Some(())
    }),
    ("notch_hz", |c, v| {
        c.chain.notch_hz = number_or_off(v)?;
        Some(())
    }),
    ("max_rezero", |c, v| {
        c.chain.max_rezero = number(v)?;
        Some(())
    }),
    ("spike_mmhg", |c, v| {
        c.chain.spike_mmhg = number(v)?;
        Some(())
    }),
];

impl DetectorConfig {
    /// The settings [`DetectorConfig::set`] knows, for help texts and errors.
    pub fn keys() -> impl Iterator<Item = &'static str> {
        SETTINGS.iter().map(|(key, _)| *key)
    }

    /// Changes one setting by name (`lift_s` and `notch_hz` also take `off`), so detector
    /// variants can be compared from the command line (`mldsense bench --detector`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SettingError> {
        let (_, apply) = SETTINGS
            .iter()
            .find(|(k, _)| *k == key)
            .ok_or_else(|| SettingError::Unknown(key.to_string()))?;
        apply(self, value).ok_or_else(|| {
            let (key, value) = (key.to_string(), value.to_string());
            if key == "order" {
                SettingError::Order { key, value }
            } else {
                SettingError::NotANumber { key, value }
            }
        })
    }

    /// Applies `key=value,key=value` settings in order.
    pub fn with_settings(mut self, spec: &str) -> Result<Self, SettingError> {
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| SettingError::NotKeyValue(item.to_string()))?;
            self.set(k.trim(), v.trim())?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_change_exactly_what_they_name() {
        let c = DetectorConfig::default()
            .with_settings("settle_s=0.2, lift_s=off,order=4")
            .expect("valid");
        assert_eq!(c.settle_s, 0.2);
        assert_eq!(c.lift_s, None);
        assert_eq!(c.chain.order, 4);
        let d = DetectorConfig::default();
        assert_eq!(c.rise_mmhg, d.rise_mmhg);
        assert_eq!(c.chain.cutoff_hz, d.chain.cutoff_hz);
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let e = DetectorConfig::default()
            .with_settings("speed=3")
            .expect_err("unknown key")
            .to_string();
        assert!(
            e.contains("unknown setting `speed`") && e.contains("settle_s"),
            "{e}"
        );
        let e = DetectorConfig::default()
            .with_settings("settle_s=-1")
            .expect_err("negative")
            .to_string();
        assert!(e.contains("non-negative"), "{e}");
        assert!(DetectorConfig::default().with_settings("settle_s").is_err());
    }
}
