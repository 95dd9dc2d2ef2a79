//! Sessions built from a short description of each stroke, without a glove or a detector: for
//! tests, documentation (the worked example in `docs/SCORING.md`) and report previews.

use crate::session::Stroke;
use crate::session::{Session, SessionMeta, Trace};
use crate::stream::{ChannelInfo, StreamInfo};
use crate::units::Mmhg;
use serde::{Deserialize, Serialize};

/// One stroke, described by the numbers grading reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrokeSpec {
    /// Onset, seconds from the start.
    pub onset_s: f64,
    /// Peak over all fingertips, mmHg.
    pub peak_mmhg: f64,
    /// Length of the working phase, seconds.
    #[serde(default = "default_duration")]
    pub duration_s: f64,
    /// Resting level, mmHg.
    #[serde(default = "default_rest")]
    pub rest_mmhg: f64,
    /// Lowest level after the peak, mmHg (defaults to the resting level: a full release).
    #[serde(default)]
    pub release_mmhg: Option<f64>,
    /// Each fingertip's peak (defaults to the peak on the first and 2 mmHg less on the others).
    #[serde(default)]
    pub finger_peaks_mmhg: Option<Vec<f64>>,
    /// Depth of a dip on the way up, mmHg (0 for a smooth rise).
    #[serde(default)]
    pub rise_dip_mmhg: f64,
}

fn default_duration() -> f64 {
    0.7
}

fn default_rest() -> f64 {
    2.0
}

impl StrokeSpec {
    /// A smooth stroke at `onset_s` peaking at `peak_mmhg`, fully released.
    pub fn new(onset_s: f64, peak_mmhg: f64) -> Self {
        StrokeSpec {
            onset_s,
            peak_mmhg,
            duration_s: default_duration(),
            rest_mmhg: default_rest(),
            release_mmhg: None,
            finger_peaks_mmhg: None,
            rise_dip_mmhg: 0.0,
        }
    }
}

/// The default fingertip names (four fingertips).
pub const FINGERS: [&str; 4] = ["index", "middle", "ring", "little"];

/// The stroke's envelope at [`Stroke::ENVELOPE_RATE_HZ`]: a raised cosine from rest to the peak
/// (with the optional dip half-way up) and down to the release level.
fn envelope(spec: &StrokeSpec) -> Vec<f32> {
    let n = ((spec.duration_s * Stroke::ENVELOPE_RATE_HZ).round() as usize).max(3);
    let release = spec.release_mmhg.unwrap_or(spec.rest_mmhg);
    let peak_at = n / 2;
    let mut env: Vec<f64> = (0..n)
        .map(|i| {
            if i <= peak_at {
                let x = i as f64 / peak_at.max(1) as f64;
                spec.rest_mmhg
                    + (spec.peak_mmhg - spec.rest_mmhg)
                        * 0.5
                        * (1.0 - (std::f64::consts::PI * x).cos())
            } else {
                let x = (i - peak_at) as f64 / (n - 1 - peak_at).max(1) as f64;
                release
                    + (spec.peak_mmhg - release) * 0.5 * (1.0 + (std::f64::consts::PI * x).cos())
            }
        })
        .collect();
    // The dip: one sample half-way up falls `rise_dip_mmhg` below the sample before it, so the
    // measured dip is exactly the one described.
    let j = peak_at / 2 + 1;
    if spec.rise_dip_mmhg > 0.0 && j < peak_at {
        if let Some(prev) = j.checked_sub(1).and_then(|k| env.get(k)).copied() {
            if let Some(v) = env.get_mut(j) {
                *v = prev - spec.rise_dip_mmhg;
            }
        }
    }
    env.into_iter().map(|v| v as f32).collect()
}

/// A session holding these strokes, with a matching 25 Hz trace and `FINGERS` channels (or as
/// many as the first spec's finger peaks).
pub fn session(specs: &[StrokeSpec]) -> Session {
    let channels = specs
        .first()
        .and_then(|s| s.finger_peaks_mmhg.as_ref())
        .map_or(FINGERS.len(), Vec::len)
        .max(1);
    let strokes: Vec<Stroke> = specs
        .iter()
        .map(|s| {
            let env = envelope(s);
            let fingers = s.finger_peaks_mmhg.clone().unwrap_or_else(|| {
                (0..channels)
                    .map(|c| {
                        if c == 0 {
                            s.peak_mmhg
                        } else {
                            s.peak_mmhg - 2.0
                        }
                    })
                    .collect()
            });
            let release = s.release_mmhg.unwrap_or(s.rest_mmhg);
            Stroke {
                onset_s: s.onset_s,
                offset_s: s.onset_s + s.duration_s,
                peak_s: s.onset_s + (env.len() / 2) as f64 / Stroke::ENVELOPE_RATE_HZ,
                peak: Mmhg(s.peak_mmhg),
                channel_peaks: fingers.into_iter().map(Mmhg).collect(),
                start_level: Mmhg(s.rest_mmhg),
                release_level: Mmhg(release),
                rest_level: Mmhg(s.rest_mmhg),
                envelope: env,
            }
        })
        .collect();
    let duration_s = strokes.iter().map(|s| s.offset_s).fold(0.0, f64::max) + 1.0;
    let rate = 25.0;
    let len = (duration_s * rate).ceil() as usize;
    let mut trace = vec![vec![0.0_f32; len]; channels];
    for (c, ch) in trace.iter_mut().enumerate() {
        let mut level = specs.first().map_or(2.0, |s| s.rest_mmhg) as f32;
        let mut next = 0;
        for (i, v) in ch.iter_mut().enumerate() {
            let t = i as f64 / rate;
            // The stroke covering t, if any: its envelope scaled to this finger's peak.
            while next + 1 < strokes.len() && strokes[next].offset_s < t {
                next += 1;
            }
            *v = level;
            if let Some(s) = strokes.get(next) {
                if t >= s.onset_s && t <= s.offset_s {
                    let k = ((t - s.onset_s) * Stroke::ENVELOPE_RATE_HZ) as usize;
                    let scale = s
                        .channel_peaks
                        .get(c)
                        .map_or(1.0, |p| p.0 / s.peak.0.max(1e-9));
                    if let Some(e) = s.envelope.get(k) {
                        *v = (f64::from(*e) * scale) as f32;
                    }
                    level = s.release_level.0 as f32;
                }
            }
        }
    }
    Session {
        meta: SessionMeta {
            source: "synthetic".into(),
            ..SessionMeta::default()
        },
        info: StreamInfo {
            rate_hz: 100.0,
            channels: (0..channels)
                .map(|c| ChannelInfo {
                    name: FINGERS
                        .get(c)
                        .map_or_else(|| format!("ch{}", c + 1), |s| s.to_string()),
                    area: None,
                })
                .collect(),
            start_time_s: 0.0,
        },
        duration_s,
        strokes,
        trace: Trace {
            rate_hz: rate,
            start_s: 0.0,
            channels: trace,
        },
        events: Vec::new(),
        quality: Vec::new(),
        levels: Default::default(),
    }
}

/// A steady session: `n` strokes a second apart, peaks cycling gently around `peak_mmhg`.
pub fn steady(n: usize, peak_mmhg: f64) -> Session {
    let specs: Vec<StrokeSpec> = (0..n)
        .map(|i| StrokeSpec::new(1.0 + i as f64, peak_mmhg + [0.0, 1.5, -1.0, 0.5][i % 4]))
        .collect();
    session(&specs)
}
