//! The classroom's wire messages: what a student's `live --join` sends, what the server answers.
//!
//! One JSON object per WebSocket text message, tagged by `"type"` (`docs/CLASSROOM.md` lists
//! them with examples). Every message is checked by [`ToClassroom::check`] before the server
//! uses it: sizes, counts, numbers and names are bounded here, in one place, so a hostile or
//! broken client is refused without disturbing anyone else.

use crate::class::SessionRecord;
use crate::live::{StrokeVerdict, Verdict};
use serde::{Deserialize, Serialize};

/// The protocol version a hello carries.
pub const VERSION: u32 = 1;

/// The largest message the server reads, bytes (a final session record is about 1 KB).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// The longest trainee name kept, characters.
pub const MAX_NAME_CHARS: usize = 80;
/// The most fingertips a glove may announce.
pub const MAX_CHANNELS: usize = 16;
/// The longest fingertip name, characters.
pub const MAX_CHANNEL_NAME_CHARS: usize = 32;
/// The most flags a stroke may carry.
pub const MAX_FLAGS: usize = 8;
/// The longest flag or short text field, characters.
pub const MAX_SHORT_CHARS: usize = 64;
/// The longest free text (a coaching sentence), characters.
pub const MAX_TEXT_CHARS: usize = 600;
/// The longest session id, characters (`[A-Za-z0-9_-]`).
pub const MAX_SESSION_ID_CHARS: usize = 64;
/// Pressures beyond this are not a glove's, mmHg.
pub const MAX_MMHG: f64 = 2000.0;
/// Stream times beyond this (a week) are not a class's, seconds.
pub const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// A stroke verdict as the wire spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// The peak stayed below the window.
    TooLight,
    /// The peak was in the window.
    InWindow,
    /// The peak went above the window.
    TooHard,
}

impl From<Grade> for Verdict {
    fn from(g: Grade) -> Self {
        match g {
            Grade::TooLight => Verdict::TooLight,
            Grade::InWindow => Verdict::InWindow,
            Grade::TooHard => Verdict::TooHard,
        }
    }
}

impl From<Verdict> for Grade {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::TooLight => Grade::TooLight,
            Verdict::InWindow => Grade::InWindow,
            Verdict::TooHard => Grade::TooHard,
        }
    }
}

/// The window a trainee is graded against (their own profile's).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// The window's lower edge.
    pub low_mmhg: f64,
    /// The window's upper edge.
    pub high_mmhg: f64,
    /// The danger level.
    pub danger_mmhg: f64,
}

/// The first message of a connection: who is practising, on what glove, against what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// [`VERSION`].
    pub version: u32,
    /// The classroom's join code, when it has one.
    #[serde(default)]
    pub code: Option<String>,
    /// The student's session, chosen by the student's side at start and kept across
    /// reconnects: the same session is the same tile.
    pub session: String,
    /// The trainee's name (shown as text, never as markup).
    pub trainee: String,
    /// Fingertip names, in channel order.
    pub channels: Vec<String>,
    /// The window the trainee's own view grades against.
    pub window: Window,
    /// The rhythm target, strokes a minute.
    pub target_per_min: f64,
}

/// One graded stroke, numbered from 0 in the session, so a reconnect can resume where the
/// server stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stroke {
    /// The stroke's number in the session, from 0.
    pub index: u64,
    /// Onset, seconds from the session's first sample.
    pub onset_s: f64,
    /// Offset, seconds from the session's first sample.
    pub offset_s: f64,
    /// Peak over all fingertips.
    pub peak_mmhg: f64,
    /// The verdict the student saw.
    pub grade: Grade,
    /// Whether the peak reached the danger level.
    pub danger: bool,
    /// Other findings, as the student's view phrased them.
    #[serde(default)]
    pub flags: Vec<String>,
    /// The stroke's own score 0–100, when graded.
    #[serde(default)]
    pub score: Option<f64>,
    /// When the student's side had the verdict, milliseconds since the Unix epoch (for the
    /// verdict-to-screen latency).
    pub sent_ms: u64,
}

impl Stroke {
    /// The wire form of a verdict the student's view got, numbered `index`, stamped `sent_ms`.
    pub fn of(v: &StrokeVerdict, index: u64, sent_ms: u64) -> Self {
        // Fitted to the bounds the server checks, so an honest stroke is never refused.
        let onset_s = if v.onset_s.is_finite() {
            v.onset_s.clamp(0.0, MAX_SECONDS)
        } else {
            0.0
        };
        let offset_s = if v.offset_s.is_finite() {
            v.offset_s.clamp(onset_s, MAX_SECONDS)
        } else {
            onset_s
        };
        let peak_mmhg = if v.peak.0.is_finite() {
            v.peak.0.clamp(-MAX_MMHG, MAX_MMHG)
        } else {
            0.0
        };
        Stroke {
            index,
            onset_s,
            offset_s,
            peak_mmhg,
            grade: v.verdict.into(),
            danger: v.danger,
            flags: v
                .flags
                .iter()
                .take(MAX_FLAGS)
                .map(|f| f.phrase().to_string())
                .collect(),
            score: v
                .score
                .filter(|s| s.is_finite())
                .map(|s| s.clamp(0.0, 100.0)),
            sent_ms,
        }
    }
}

/// The running figures of the student's session (after each stroke, from the student's own
/// score card).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// Session score 0–100 so far.
    #[serde(default)]
    pub score: Option<f64>,
    /// Whether the session so far passes.
    #[serde(default)]
    pub passed: Option<bool>,
    /// Strokes a minute (median interval), when measurable.
    #[serde(default)]
    pub strokes_per_min: Option<f64>,
    /// Seconds above the window's top so far.
    #[serde(default)]
    pub above_window_s: f64,
    /// Seconds at or above the danger level so far.
    #[serde(default)]
    pub above_danger_s: f64,
    /// The glove link as the student's view says it (`connected`, `DISCONNECTED`, …).
    #[serde(default)]
    pub glove: Option<String>,
}

/// What a student's side sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToClassroom {
    /// The first message.
    Hello(Hello),
    /// A graded stroke.
    Stroke(Stroke),
    /// The pressure per fingertip now (about 20 a second; `null` = no value).
    Pressure {
        /// Stream time, seconds from the session's first sample.
        t_s: f64,
        /// One value per channel (the highest since the previous message).
        mmhg: Vec<Option<f64>>,
    },
    /// The running figures.
    Status(Status),
    /// The session is over: its class-view row.
    Record(Box<SessionRecord>),
}

/// What the server answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromClassroom {
    /// The hello was accepted; the server holds `strokes` strokes of this session already
    /// (send from that index on).
    Welcome {
        /// Strokes the server has of this session.
        strokes: u64,
    },
    /// A message was refused (and why); a refused hello ends the connection.
    Refused {
        /// Why, in words.
        reason: String,
    },
    /// The session's record arrived; the server holds `strokes` strokes of the session (the
    /// student's summary says what the classroom really got).
    Received {
        /// Strokes the server holds.
        strokes: u64,
    },
}

/// Why a message was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Not JSON, or not one of the messages.
    #[error("not a classroom message: {0}")]
    Malformed(String),
    /// Bigger than [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes is over the limit of {MAX_MESSAGE_BYTES}")]
    TooBig(usize),
    /// A field out of its bounds.
    #[error("{field}: {why}")]
    OutOfBounds {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// The join code is missing or wrong.
    #[error("wrong or missing join code")]
    Code,
    /// A message before the hello, or a second hello.
    #[error("{0}")]
    Order(&'static str),
    /// A stroke numbered past the next one the server expects (the student resends from
    /// `expected`).
    #[error("stroke {got} arrived but stroke {expected} is next")]
    Gap {
        /// The stroke the server expects next.
        expected: u64,
        /// The stroke that came.
        got: u64,
    },
    /// The classroom is full.
    #[error("the classroom is full ({0} trainees)")]
    Full(usize),
    /// More messages than a glove sends.
    #[error("too many messages; slow down")]
    Rate,
    /// Another protocol version.
    #[error("protocol version {0}; this classroom speaks {VERSION}")]
    Version(u32),
}

fn bad(field: &'static str, why: impl Into<String>) -> Refusal {
    Refusal::OutOfBounds {
        field,
        why: why.into(),
    }
}

/// Cuts `s` to at most `max` characters (on a character boundary).
pub fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A name made safe to keep: control characters become spaces, ends trimmed, at most `max`
/// characters. (Markup is left as typed: the page shows names as text.)
pub fn clean_name(s: &str, max: usize) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    cleaned.trim().to_string()
}

fn finite_in(field: &'static str, v: f64, lo: f64, hi: f64) -> Result<(), Refusal> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(bad(field, format!("{v} is not within {lo}..={hi}")))
    }
}

fn short(field: &'static str, s: &str, max: usize) -> Result<(), Refusal> {
    if s.chars().count() > max {
        Err(bad(field, format!("longer than {max} characters")))
    } else {
        Ok(())
    }
}

/// A session's class-view row fitted to the bounds the server checks (texts clipped, numbers
/// made finite and clamped), so an honest record is never refused.
pub fn fit_record(r: &SessionRecord) -> SessionRecord {
    let num = |v: f64, hi: f64| if v.is_finite() { v.clamp(0.0, hi) } else { 0.0 };
    let opt = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| v.clamp(0.0, 1e6));
    let text = |v: &Option<String>| v.as_deref().map(|s| clip(s, MAX_SHORT_CHARS));
    SessionRecord {
        trainee: clean_name(&r.trainee, MAX_NAME_CHARS),
        date: text(&r.date),
        started: text(&r.started),
        source: clip(&r.source, MAX_TEXT_CHARS),
        report: None,
        percent_in_window: num(r.percent_in_window, 100.0),
        percent_time_in_window: num(r.percent_time_in_window, 100.0),
        score: num(r.score, 100.0),
        pressure: num(r.pressure, 100.0),
        release: num(r.release, 100.0),
        rhythm: num(r.rhythm, 100.0),
        strokes_per_min: opt(r.strokes_per_min),
        above_window_s: num(r.above_window_s, MAX_SECONDS),
        danger_s: num(r.danger_s, MAX_SECONDS),
        peak_cv_percent: opt(r.peak_cv_percent),
        top_coaching: clip(&r.top_coaching, MAX_TEXT_CHARS),
        ..r.clone()
    }
}

impl ToClassroom {
    /// Reads one message, refusing anything over [`MAX_MESSAGE_BYTES`] before parsing it.
    pub fn parse(text: &str) -> Result<ToClassroom, Refusal> {
        if text.len() > MAX_MESSAGE_BYTES {
            return Err(Refusal::TooBig(text.len()));
        }
        let m: ToClassroom = serde_json::from_str(text).map_err(|e| {
            // serde's message names the place; the text itself is not echoed back.
            Refusal::Malformed(clip(&e.to_string(), 120))
        })?;
        m.check()?;
        Ok(m)
    }

    /// Checks every field against its bounds.
    pub fn check(&self) -> Result<(), Refusal> {
        match self {
            ToClassroom::Hello(h) => {
                if h.version != VERSION {
                    return Err(Refusal::Version(h.version));
                }
                if h.session.is_empty()
                    || h.session.len() > MAX_SESSION_ID_CHARS
                    || !h
                        .session
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return Err(bad("session", "1–64 of A–Z, a–z, 0–9, - and _"));
                }
                short("trainee", &h.trainee, MAX_NAME_CHARS * 4)?;
                short("code", h.code.as_deref().unwrap_or(""), MAX_SHORT_CHARS)?;
                if h.channels.is_empty() || h.channels.len() > MAX_CHANNELS {
                    return Err(bad("channels", format!("1 to {MAX_CHANNELS} fingertips")));
                }
                for c in &h.channels {
                    short("channels", c, MAX_CHANNEL_NAME_CHARS)?;
                }
                let w = h.window;
                finite_in("window.low_mmhg", w.low_mmhg, 0.0, MAX_MMHG)?;
                finite_in("window.high_mmhg", w.high_mmhg, w.low_mmhg, MAX_MMHG)?;
                finite_in("window.danger_mmhg", w.danger_mmhg, w.high_mmhg, MAX_MMHG)?;
                finite_in("target_per_min", h.target_per_min, 1.0, 600.0)?;
            }
            ToClassroom::Stroke(s) => {
                finite_in("onset_s", s.onset_s, 0.0, MAX_SECONDS)?;
                finite_in("offset_s", s.offset_s, s.onset_s, MAX_SECONDS)?;
                finite_in("peak_mmhg", s.peak_mmhg, -MAX_MMHG, MAX_MMHG)?;
                if let Some(score) = s.score {
                    finite_in("score", score, 0.0, 100.0)?;
                }
                if s.flags.len() > MAX_FLAGS {
                    return Err(bad("flags", format!("at most {MAX_FLAGS}")));
                }
                for f in &s.flags {
                    short("flags", f, MAX_SHORT_CHARS)?;
                }
            }
            ToClassroom::Pressure { t_s, mmhg } => {
                finite_in("t_s", *t_s, 0.0, MAX_SECONDS)?;
                if mmhg.len() > MAX_CHANNELS {
                    return Err(bad("mmhg", format!("at most {MAX_CHANNELS} values")));
                }
                for v in mmhg.iter().flatten() {
                    finite_in("mmhg", *v, -MAX_MMHG, MAX_MMHG)?;
                }
            }
            ToClassroom::Status(s) => {
                if let Some(v) = s.score {
                    finite_in("score", v, 0.0, 100.0)?;
                }
                if let Some(v) = s.strokes_per_min {
                    finite_in("strokes_per_min", v, 0.0, 6000.0)?;
                }
                finite_in("above_window_s", s.above_window_s, 0.0, MAX_SECONDS)?;
                finite_in("above_danger_s", s.above_danger_s, 0.0, MAX_SECONDS)?;
                short("glove", s.glove.as_deref().unwrap_or(""), MAX_SHORT_CHARS)?;
            }
            ToClassroom::Record(r) => {
                short("record.trainee", &r.trainee, MAX_NAME_CHARS * 4)?;
                for (field, s) in [
                    ("record.date", r.date.as_deref()),
                    ("record.started", r.started.as_deref()),
                    ("record.report", r.report.as_deref()),
                ] {
                    short(field, s.unwrap_or(""), MAX_SHORT_CHARS)?;
                }
                short("record.source", &r.source, MAX_TEXT_CHARS)?;
                short("record.top_coaching", &r.top_coaching, MAX_TEXT_CHARS)?;
                for (field, v, hi) in [
                    ("record.percent_in_window", r.percent_in_window, 100.0),
                    (
                        "record.percent_time_in_window",
                        r.percent_time_in_window,
                        100.0,
                    ),
                    ("record.score", r.score, 100.0),
                    ("record.pressure", r.pressure, 100.0),
                    ("record.release", r.release, 100.0),
                    ("record.rhythm", r.rhythm, 100.0),
                    ("record.above_window_s", r.above_window_s, MAX_SECONDS),
                    ("record.danger_s", r.danger_s, MAX_SECONDS),
                ] {
                    finite_in(field, v, 0.0, hi)?;
                }
                for (field, v) in [
                    ("record.strokes_per_min", r.strokes_per_min),
                    ("record.peak_cv_percent", r.peak_cv_percent),
                ] {
                    if let Some(v) = v {
                        finite_in(field, v, 0.0, 1e6)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn hello() -> Hello {
        hello_as("a1-b2", "Anna")
    }

    /// A valid hello of session `session` for trainee `name` (two fingertips, the default
    /// window), for the classroom's tests.
    pub(crate) fn hello_as(session: &str, name: &str) -> Hello {
        Hello {
            version: VERSION,
            code: None,
            session: session.into(),
            trainee: name.into(),
            channels: vec!["thumb".into(), "index".into()],
            window: Window {
                low_mmhg: 30.0,
                high_mmhg: 40.0,
                danger_mmhg: 70.0,
            },
            target_per_min: 60.0,
        }
    }

    #[test]
    fn messages_round_trip_and_are_tagged() {
        let m = ToClassroom::Hello(hello());
        let text = serde_json::to_string(&m).unwrap();
        assert!(
            text.starts_with(r#"{"type":"hello","version":1,"#),
            "{text}"
        );
        assert_eq!(ToClassroom::parse(&text).unwrap(), m);
        let p = ToClassroom::Pressure {
            t_s: 1.5,
            mmhg: vec![Some(31.0), None],
        };
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(text, r#"{"type":"pressure","t_s":1.5,"mmhg":[31.0,null]}"#);
        assert_eq!(ToClassroom::parse(&text).unwrap(), p);
        let w = serde_json::to_string(&FromClassroom::Welcome { strokes: 3 }).unwrap();
        assert_eq!(w, r#"{"type":"welcome","strokes":3}"#);
    }

    #[test]
    fn out_of_bounds_and_unknown_fields_are_refused() {
        let mut h = hello();
        h.session = "../../etc".into();
        assert!(ToClassroom::Hello(h).check().is_err());
        let mut h = hello();
        h.channels = (0..17).map(|i| i.to_string()).collect();
        assert!(ToClassroom::Hello(h).check().is_err());
        let mut h = hello();
        h.window.high_mmhg = f64::NAN;
        assert!(ToClassroom::Hello(h).check().is_err());
        let mut h = hello();
        h.version = 2;
        assert_eq!(ToClassroom::Hello(h).check(), Err(Refusal::Version(2)));
        assert!(matches!(
            ToClassroom::parse(r#"{"type":"pressure","t_s":1,"mmhg":[],"x":1}"#),
            Err(Refusal::Malformed(_))
        ));
        assert!(matches!(
            ToClassroom::parse(r#"{"type":"pressure","t_s":1,"mmhg":[1e308]}"#),
            Err(Refusal::OutOfBounds { .. })
        ));
        let big = format!(r#"{{"type":"status","glove":"{}"}}"#, "x".repeat(20_000));
        assert_eq!(ToClassroom::parse(&big), Err(Refusal::TooBig(big.len())));
    }

    #[test]
    fn names_lose_control_characters_and_length() {
        assert_eq!(clean_name("  An\u{1b}[31mna\n ", 80), "An [31mna");
        assert_eq!(clean_name(&"é".repeat(200), 80).chars().count(), 80);
        assert_eq!(clean_name("<b>x</b>", 80), "<b>x</b>");
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_message_or_a_refusal(text in ".{0,400}") {
            let _ = ToClassroom::parse(&text);
        }

        #[test]
        fn strokes_round_trip_and_what_is_accepted_is_in_bounds(
            index in 0u64..1_000_000,
            onset in -10.0f64..1e6,
            len in 0.0f64..5.0,
            peak in -3000.0f64..3000.0,
            flags in proptest::collection::vec("[a-z_]{0,80}", 0..12),
            score in proptest::option::of(-10.0f64..120.0),
        ) {
            let m = ToClassroom::Stroke(Stroke {
                index,
                onset_s: onset,
                offset_s: onset + len,
                peak_mmhg: peak,
                grade: Grade::InWindow,
                danger: false,
                flags,
                score,
                sent_ms: 1,
            });
            let text = serde_json::to_string(&m).unwrap();
            match ToClassroom::parse(&text) {
                Ok(back) => {
                    proptest::prop_assert_eq!(&back, &m);
                    let ToClassroom::Stroke(s) = back else { unreachable!() };
                    proptest::prop_assert!(s.flags.len() <= MAX_FLAGS);
                    proptest::prop_assert!(s.peak_mmhg.abs() <= MAX_MMHG);
                    proptest::prop_assert!(s.score.is_none_or(|v| (0.0..=100.0).contains(&v)));
                }
                Err(e) => {
                    let out_of_bounds = matches!(e, Refusal::OutOfBounds { .. });
                    proptest::prop_assert!(out_of_bounds, "{}", e);
                }
            }
        }
    }
}
