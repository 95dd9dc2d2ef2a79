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

impl DetectorConfig {
    /// The settings [`DetectorConfig::set`] knows, for help texts and errors.
    pub const KEYS: [&'static str; 16] = [
        "rise_mmhg",
        "min_height_mmhg",
        "split_fraction",
        "edge_fraction",
        "edge_mmhg",
        "min_duration_s",
        "settle_s",
        "rest_window_s",
        "max_stroke_s",
        "lift_s",
        "work_rate_hz",
        "cutoff_hz",
        "order",
        "notch_hz",
        "max_rezero",
        "spike_mmhg",
    ];

    /// Changes one setting by name (`lift_s` and `notch_hz` also take `off`), so detector
    /// variants can be compared from the command line (`mldsense bench --detector`).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let off = value.eq_ignore_ascii_case("off") || value.eq_ignore_ascii_case("none");
        let number = || -> Result<f64, String> {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("{key}={value}: expected a non-negative number"))
        };
        match key {
            "rise_mmhg" => self.rise_mmhg = number()?,
            "min_height_mmhg" => self.min_height_mmhg = number()?,
            "split_fraction" => self.split_fraction = number()?,
            "edge_fraction" => self.edge_fraction = number()?,
            "edge_mmhg" => self.edge_mmhg = number()?,
            "min_duration_s" => self.min_duration_s = number()?,
            "settle_s" => self.settle_s = number()?,
            "rest_window_s" => self.rest_window_s = number()?,
            "max_stroke_s" => self.max_stroke_s = number()?,
            "lift_s" => self.lift_s = if off { None } else { Some(number()?) },
            "work_rate_hz" => self.chain.work_rate_hz = number()?,
            "cutoff_hz" => self.chain.cutoff_hz = number()?,
            "order" => {
                self.chain.order = value
                    .parse::<usize>()
                    .ok()
                    .filter(|o| (1..=12).contains(o))
                    .ok_or_else(|| format!("{key}={value}: expected an order of 1 to 12"))?
            }
            "notch_hz" => self.chain.notch_hz = if off { None } else { Some(number()?) },
            "max_rezero" => self.chain.max_rezero = number()?,
            "spike_mmhg" => self.chain.spike_mmhg = number()?,
            _ => {
                return Err(format!(
                    "unknown setting `{key}` (known: {})",
                    Self::KEYS.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// Applies `key=value,key=value` settings in order.
    pub fn with_settings(mut self, spec: &str) -> Result<Self, String> {
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}`: expected key=value"))?;
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
            .expect_err("unknown key");
        assert!(
            e.contains("unknown setting `speed`") && e.contains("settle_s"),
            "{e}"
        );
        let e = DetectorConfig::default()
            .with_settings("settle_s=-1")
            .expect_err("negative");
        assert!(e.contains("non-negative"), "{e}");
        assert!(DetectorConfig::default().with_settings("settle_s").is_err());
    }
}
