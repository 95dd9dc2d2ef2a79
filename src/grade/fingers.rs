//! Per-fingertip statistics over a session, shared by the coaching (which fingertip presses
//! hardest) and the finger-balance chart.

use crate::session::{QualityWarning, Session};

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

/// The one name of a fingertip in every message, chart and report: the glove's channel name,
/// or `channel N` (counting from 1) when the glove gave none.
pub fn finger_name(session: &Session, channel: usize) -> String {
    channel_label(
        session
            .info
            .channels
            .get(channel)
            .map_or("", |c| c.name.as_str()),
        channel,
    )
}

/// [`finger_name`] from a channel's name as given (empty: none) and its index.
pub fn channel_label(name: &str, channel: usize) -> String {
    let name = name.trim();
    if name.is_empty() {
        format!("channel {}", channel + 1)
    } else {
        name.to_string()
    }
}

/// Fingertips to report: the stream's channels, or more if a stroke carries more peaks.
fn channel_count(session: &Session) -> usize {
    let in_strokes = session.strokes.iter().map(|s| s.channel_peaks.len()).max();
    session.info.channels.len().max(in_strokes.unwrap_or(0))
}

/// Mean, lowest and highest peak of each fingertip, in channel order.
pub fn finger_stats(session: &Session) -> Vec<FingerStats> {
    let channels = channel_count(session);
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
                name: finger_name(session, c),
                mean,
                min: v.iter().copied().fold(f64::INFINITY, f64::min),
                max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        })
        .collect()
}

/// How many strokes each fingertip's own peak put in each grade, in channel order: the finger
/// chart's bars. Graded by the one window rule ([`super::Profile::grade_of`]); the headline
/// grades each stroke by its highest fingertip, so the top fingertip's bar matches it.
pub fn finger_grades(session: &Session, profile: &super::Profile) -> Vec<super::GradeCounts> {
    let channels = channel_count(session);
    (0..channels)
        .map(|c| {
            let mut k = super::GradeCounts::default();
            for p in session
                .strokes
                .iter()
                .filter_map(|s| s.channel_peaks.get(c))
                .filter(|p| p.0.is_finite())
            {
                match profile.grade_of(*p) {
                    super::Grade::TooLight => k.too_light += 1,
                    super::Grade::InWindow => k.in_window += 1,
                    super::Grade::TooHard => k.too_hard += 1,
                }
            }
            k
        })
        .collect()
}

/// A data-quality warning about one channel, with the channel called by its fingertip name
/// (`index sensor carries 50 Hz …` instead of `channel 2 carries …`), so every message and
/// report names a sensor the same way.
pub fn named_warning(w: &QualityWarning, names: &[String]) -> QualityWarning {
    let mut out = w.clone();
    if let Some(c) = w.channel {
        let name = channel_label(names.get(c).map_or("", String::as_str), c);
        let prefix = format!("channel {}", c + 1);
        if let Some(rest) = w.message.strip_prefix(&prefix) {
            if rest.starts_with(' ') || rest.starts_with('\'') {
                out.message = format!("{name} sensor{rest}");
            }
        }
    }
    out
}

/// The session's quality warnings with fingertip names ([`named_warning`]).
pub fn quality_warnings(session: &Session) -> Vec<QualityWarning> {
    let names: Vec<String> = (0..session.info.channels.len())
        .map(|c| finger_name(session, c))
        .collect();
    session
        .quality
        .iter()
        .map(|w| named_warning(w, &names))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::QualityKind;

    #[test]
    fn warnings_name_the_fingertip() {
        let w = |c: usize, m: &str| QualityWarning {
            kind: QualityKind::Hum,
            channel: Some(c),
            message: m.to_string(),
        };
        let names = vec!["thumb".to_string(), "index".to_string(), String::new()];
        let got = named_warning(
            &w(1, "channel 2 carries 50 Hz mains hum of 1.0 mmHg"),
            &names,
        );
        assert_eq!(
            got.message,
            "index sensor carries 50 Hz mains hum of 1.0 mmHg"
        );
        let got = named_warning(&w(0, "channel 1's resting level drifted"), &names);
        assert_eq!(got.message, "thumb sensor's resting level drifted");
        // Unnamed channels keep their 1-based number; "channel 12" is not "channel 1".
        let got = named_warning(&w(2, "channel 3 is missing"), &names);
        assert_eq!(got.message, "channel 3 sensor is missing");
        let got = named_warning(&w(0, "channel 12 is missing"), &names);
        assert_eq!(got.message, "channel 12 is missing");
    }
}
