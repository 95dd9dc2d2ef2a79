//! What the live view shows, as plain data: the seam between the pipeline and the screen.
//!
//! [`LiveState`] is pure: it is changed only by [`LiveState::apply`] with [`LiveUpdate`]s made
//! from the pipeline's outputs (pressures, graded strokes, score, stream events, quality,
//! connection) and by the keys' actions ([`LiveState::toggle_pause`], …). It never touches a
//! terminal, so every rule here is tested without one, and the same state feeds the terminal view
//! and the line printer.

use crate::grade::profile::grade_in_window;
use crate::grade::{Flag, Pace, Profile, SessionScore};
use crate::live::rhythm::Rhythm;
use crate::session::QualityWarning;
use crate::stream::StreamEvent;
use crate::units::Mmhg;
use std::collections::VecDeque;

/// The three verdicts a stroke can get, by its peak against the target window.
///
/// The live view's own copy of the grader's verdict, so the screen depends on nothing but this
/// module; the engine maps the grader's grade onto it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The peak stayed below the window.
    TooLight,
    /// The peak was inside the window.
    InWindow,
    /// The peak went above the window.
    TooHard,
}

impl Verdict {
    /// Every verdict, in the order the view lists them (light to hard).
    pub const ALL: [Verdict; 3] = [Verdict::TooLight, Verdict::InWindow, Verdict::TooHard];

    /// The verdict spelled out for people (colour is never the only cue).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::TooLight => "too light",
            Verdict::InWindow => "in window",
            Verdict::TooHard => "too hard",
        }
    }

    /// The machine name, as reports and JSON spell it (`too_light`, `in_window`, `too_hard`).
    pub fn key(self) -> &'static str {
        match self {
            Verdict::TooLight => "too_light",
            Verdict::InWindow => "in_window",
            Verdict::TooHard => "too_hard",
        }
    }

    /// The verdict a pressure earns against a window: the grader's own rule
    /// ([`grade_in_window`]), for the bars' colours; strokes get the grader's verdict.
    pub fn of_peak(peak: Mmhg, window: &TargetWindow) -> Verdict {
        grade_in_window(peak, window.low, window.high).into()
    }
}

/// The pressure targets the bars and verdicts are drawn against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetWindow {
    /// Lower edge of the target window.
    pub low: Mmhg,
    /// Upper edge of the target window.
    pub high: Mmhg,
    /// Where lymph-vessel damage has been shown (Eliska & Eliskova 1995: 70–100 mmHg).
    pub danger: Mmhg,
}

impl TargetWindow {
    /// The targets of a profile.
    pub fn of(profile: &Profile) -> Self {
        TargetWindow {
            low: profile.window.lo_mmhg,
            high: profile.window.hi_mmhg,
            danger: profile.danger.mmhg,
        }
    }
}

impl Default for TargetWindow {
    /// The `default` profile's targets (`profiles/default.toml`).
    fn default() -> Self {
        TargetWindow::of(&Profile::default_profile())
    }
}

/// One graded stroke as the view needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct StrokeVerdict {
    /// Where the stroke began, seconds from the first sample.
    pub onset_s: f64,
    /// Where it ended, seconds from the first sample.
    pub offset_s: f64,
    /// Its peak over all fingertips.
    pub peak: Mmhg,
    /// Its verdict.
    pub verdict: Verdict,
    /// Whether the peak reached the danger level (shown even though the verdict says "too hard").
    pub danger: bool,
    /// Other findings (`incomplete release`, `rushed`, …; danger is [`StrokeVerdict::danger`]).
    pub flags: Vec<Flag>,
    /// The stroke's own score 0–100, when the grader gives one.
    pub score: Option<f64>,
    /// The interval since the previous stroke against the rhythm, as the grader judged it
    /// (`None` for the first stroke).
    pub pace: Option<Pace>,
    /// Seconds since the previous stroke's onset, when there is one.
    pub interval_s: Option<f64>,
    /// Whether the peak lies within the measurement error of a window edge.
    pub near_edge: bool,
}

/// The state of the link to the glove.
#[derive(Clone, Debug, PartialEq)]
pub enum Connection {
    /// Opening the port and waiting for the glove's answer.
    Connecting,
    /// Receiving data.
    Connected,
    /// The glove went away; data received so far is kept.
    Disconnected,
    /// Waiting for the port to come back (`--reconnect`).
    Reconnecting,
    /// The stream ended (the glove or the file finished).
    Ended,
}

impl Connection {
    /// The state spelled out.
    pub fn label(&self) -> &'static str {
        match self {
            Connection::Connecting => "connecting",
            Connection::Connected => "connected",
            Connection::Disconnected => "DISCONNECTED",
            Connection::Reconnecting => "reconnecting",
            Connection::Ended => "ended",
        }
    }
}

/// A change coming from the pipeline side, applied in arrival order.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveUpdate {
    /// The current filtered pressure per fingertip (`NaN` = no value) at stream time `now_s`.
    Pressures {
        /// Stream time of the newest row, seconds from the first sample.
        now_s: f64,
        /// One value per channel, mmHg.
        values: Vec<f64>,
    },
    /// A stroke has been detected and graded.
    Stroke(StrokeVerdict),
    /// The running session score (0–100) after the newest stroke.
    Score(f64),
    /// The running session score card (the report's, over the strokes counted so far).
    Summary(Box<SessionScore>),
    /// How sure the grades are, as one sentence.
    Certainty(String),
    /// Something happened in the stream (marker, saturation, gap, unplug, …).
    Event {
        /// When, seconds from the first sample.
        at_s: f64,
        /// What.
        event: StreamEvent,
    },
    /// The current data-quality warnings (replaces the previous ones).
    Quality(Vec<QualityWarning>),
    /// The link changed state.
    Connection(Connection),
    /// A line for the user (a failure, "tared", …), shown until the next one.
    Notice(String),
}

/// How many strokes got each verdict (the live view's and the classroom's tiles').
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct VerdictCounts {
    /// Peaks below the window.
    pub too_light: u32,
    /// Peaks in the window.
    pub in_window: u32,
    /// Peaks above the window.
    pub too_hard: u32,
    /// Of those too hard, how many reached the danger level.
    pub danger: u32,
}

impl VerdictCounts {
    /// Counts one stroke with `verdict` (and `danger` when it reached the danger level).
    pub fn add(&mut self, verdict: Verdict, danger: bool) {
        match verdict {
            Verdict::TooLight => self.too_light += 1,
            Verdict::InWindow => self.in_window += 1,
            Verdict::TooHard => self.too_hard += 1,
        }
        if danger {
            self.danger += 1;
        }
    }

    /// All strokes counted.
    pub fn total(&self) -> u32 {
        self.too_light + self.in_window + self.too_hard
    }

    /// The count for one verdict.
    pub fn get(&self, v: Verdict) -> u32 {
        match v {
            Verdict::TooLight => self.too_light,
            Verdict::InWindow => self.in_window,
            Verdict::TooHard => self.too_hard,
        }
    }

    /// Share of strokes in the window, 0–1 (`None` before the first stroke).
    pub fn in_window_share(&self) -> Option<f64> {
        let t = self.total();
        (t > 0).then(|| f64::from(self.in_window) / f64::from(t))
    }
}

/// Stream events worth a warning or a count: counted, not listed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamTallies {
    /// Rows lost to gaps in the stream.
    pub rows_lost: u64,
    /// Saturation events seen.
    pub saturations: u32,
    /// Whether the glove reported a low battery at least once.
    pub low_battery: bool,
    /// Markers dropped (glove button or space bar).
    pub markers: u32,
}

/// Everything the live view shows.
#[derive(Clone, Debug)]
pub struct LiveState {
    /// Fingertip names, in channel order.
    pub channels: Vec<String>,
    /// Current filtered pressure per fingertip; `None` where the value is missing.
    pub pressures: Vec<Option<Mmhg>>,
    /// The targets.
    pub window: TargetWindow,
    /// Where the data comes from (a port path, `virtual glove (steady)`).
    pub source: String,
    /// The recording being written, if any.
    pub recording: Option<String>,
    /// Stream time of the newest row, seconds.
    pub now_s: f64,
    /// The link to the glove.
    pub connection: Connection,
    /// Whether the source waits for the glove to come back after an unplug (`--reconnect`).
    pub reconnects: bool,
    /// The newest graded stroke.
    pub last: Option<StrokeVerdict>,
    /// The strokes before it, newest first (at most [`LiveState::RECENT`]).
    pub recent: VecDeque<StrokeVerdict>,
    /// How long after its end the newest stroke reached the view, seconds of stream time.
    pub last_verdict_delay_s: Option<f64>,
    /// The longest such delay so far (the detector's delay; the redraw adds at most a frame).
    pub max_verdict_delay_s: Option<f64>,
    /// Strokes per verdict (only those while not paused).
    pub counts: VerdictCounts,
    /// Stroke rate against the target.
    pub rhythm: Rhythm,
    /// The running session score, 0–100.
    pub score: Option<f64>,
    /// The running score card: pass/fail, exposure (`None` before the first stroke).
    pub summary: Option<SessionScore>,
    /// How sure the grades are.
    pub certainty: Option<String>,
    /// Current data-quality warnings, as sentences.
    pub quality: Vec<String>,
    /// Whether the pipeline's quality check found a sensor held at its top value (the same
    /// evidence the report uses): only then are the glove's full-scale events worth a warning.
    pub sustained_saturation: bool,
    /// Counted stream events.
    pub tallies: StreamTallies,
    /// Whether feedback is paused (`p`): strokes are shown but not counted.
    pub paused: bool,
    /// The latest notice for the user, if any.
    pub notice: Option<String>,
    /// Blind practice (`live --blind`): verdicts, counts by verdict, score and the target are
    /// hidden while practising and shown in the debrief at the end.
    pub blind: bool,
}

impl LiveState {
    /// How many earlier strokes the view lists under the last one.
    pub const RECENT: usize = 16;

    /// A fresh state for a glove with these fingertips, graded against `window`, with the
    /// stroke-rate target and pause of `rhythm` (about one a second, Vodder school:
    /// [`Rhythm::of`] a profile).
    pub fn new(channels: Vec<String>, window: TargetWindow, rhythm: Rhythm) -> Self {
        let n = channels.len();
        LiveState {
            channels,
            pressures: vec![None; n],
            window,
            source: String::new(),
            recording: None,
            now_s: 0.0,
            connection: Connection::Connecting,
            reconnects: false,
            last: None,
            recent: VecDeque::with_capacity(Self::RECENT + 1),
            last_verdict_delay_s: None,
            max_verdict_delay_s: None,
            counts: VerdictCounts::default(),
            rhythm,
            score: None,
            summary: None,
            certainty: None,
            quality: Vec::new(),
            sustained_saturation: false,
            tallies: StreamTallies::default(),
            paused: false,
            notice: None,
            blind: false,
        }
    }

    /// Applies one change from the pipeline side.
    pub fn apply(&mut self, update: LiveUpdate) {
        match update {
            LiveUpdate::Pressures { now_s, values } => {
                if values.len() != self.pressures.len() {
                    self.pressures.resize(values.len(), None);
                }
                for (slot, v) in self.pressures.iter_mut().zip(values) {
                    *slot = v.is_finite().then_some(Mmhg(v));
                }
                if now_s > self.now_s {
                    self.now_s = now_s;
                }
                if self.connection == Connection::Connecting
                    || self.connection == Connection::Reconnecting
                {
                    self.connection = Connection::Connected;
                }
            }
            LiveUpdate::Stroke(stroke) => {
                self.now_s = self.now_s.max(stroke.offset_s);
                let delay = self.now_s - stroke.offset_s;
                self.last_verdict_delay_s = Some(delay);
                self.max_verdict_delay_s =
                    Some(self.max_verdict_delay_s.map_or(delay, |m| m.max(delay)));
                if !self.paused {
                    self.counts.add(stroke.verdict, stroke.danger);
                    self.rhythm.push_onset(stroke.onset_s);
                }
                if let Some(prev) = self.last.replace(stroke) {
                    self.recent.push_front(prev);
                    self.recent.truncate(Self::RECENT);
                }
            }
            LiveUpdate::Score(s) => {
                if s.is_finite() {
                    self.score = Some(s.clamp(0.0, 100.0));
                }
            }
            LiveUpdate::Summary(summary) => {
                self.score = Some(summary.score.clamp(0.0, 100.0));
                self.summary = Some(*summary);
            }
            LiveUpdate::Certainty(c) => self.certainty = Some(c),
            LiveUpdate::Event { at_s, event } => self.apply_event(at_s, event),
            LiveUpdate::Quality(warnings) => {
                self.sustained_saturation = warnings
                    .iter()
                    .any(|w| w.kind == crate::session::QualityKind::Saturation);
                self.quality = warnings.into_iter().map(|w| w.message).collect();
            }
            LiveUpdate::Connection(c) => {
                // The end of a stream that was cut off stays "disconnected": that is the news.
                if !(c == Connection::Ended && self.connection == Connection::Disconnected) {
                    self.connection = c;
                }
            }
            LiveUpdate::Notice(n) => self.notice = Some(n),
        }
    }

    fn apply_event(&mut self, at_s: f64, event: StreamEvent) {
        match event {
            StreamEvent::Marker => {
                self.tallies.markers += 1;
                self.notice = Some(format!(
                    "marker {} at {}",
                    self.tallies.markers,
                    clock(at_s)
                ));
            }
            StreamEvent::Saturation { .. } => self.tallies.saturations += 1,
            StreamEvent::LowBattery => self.tallies.low_battery = true,
            StreamEvent::Gap { rows } => self.tallies.rows_lost += rows,
            StreamEvent::Disconnected => {
                self.connection = if self.reconnects {
                    Connection::Reconnecting
                } else {
                    Connection::Disconnected
                };
            }
            StreamEvent::Reconnected => self.connection = Connection::Connected,
            // A tare read back from a recording (a replay): the pipeline applied it.
            StreamEvent::Tare => {
                self.notice = Some(format!("tared at {} (as recorded)", clock(at_s)));
            }
        }
    }

    /// Pauses or resumes feedback (`p`). While paused the bars still move, strokes are still
    /// shown and recorded, but they are not counted, scored or used for the rhythm.
    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        self.notice = Some(if self.paused {
            "paused: strokes are not counted (p to resume)".to_string()
        } else {
            "resumed".to_string()
        });
        self.rhythm.reset();
    }

    /// Data-quality lines for the view: the pipeline's warnings plus the stream's own counts.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.tallies.rows_lost > 0 {
            out.push(format!(
                "{} rows lost in transmission (shown as gaps)",
                self.tallies.rows_lost
            ));
        }
        // Single full-scale readings (a glitch the median filter removes) cut no peak off: say so
        // only when a sensor really sat at its top value.
        if self.tallies.saturations > 0 && self.sustained_saturation {
            out.push(format!(
                "sensor at full scale {} time(s): peaks may be cut off",
                self.tallies.saturations
            ));
        }
        if self.tallies.low_battery {
            out.push("glove battery low".to_string());
        }
        out.extend(self.quality.iter().cloned());
        out
    }
}

/// Stream time as `m:ss` (or `h:mm:ss` past an hour), for humans.
pub fn clock(seconds: f64) -> String {
    let s = if seconds.is_finite() && seconds > 0.0 {
        seconds as u64
    } else {
        0
    };
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stroke(onset: f64, peak: f64) -> StrokeVerdict {
        let w = TargetWindow::default();
        StrokeVerdict {
            onset_s: onset,
            offset_s: onset + 0.5,
            peak: Mmhg(peak),
            verdict: Verdict::of_peak(Mmhg(peak), &w),
            danger: peak >= w.danger.0,
            flags: Vec::new(),
            score: None,
            pace: None,
            interval_s: None,
            near_edge: false,
        }
    }

    fn state() -> LiveState {
        LiveState::new(
            vec!["index".into(), "middle".into()],
            TargetWindow::default(),
            Rhythm::new(1.0),
        )
    }

    #[test]
    fn verdict_of_peak_follows_window_edges() {
        let w = TargetWindow::default();
        assert_eq!(Verdict::of_peak(Mmhg(29.9), &w), Verdict::TooLight);
        assert_eq!(Verdict::of_peak(Mmhg(30.0), &w), Verdict::InWindow);
        assert_eq!(Verdict::of_peak(Mmhg(40.0), &w), Verdict::InWindow);
        assert_eq!(Verdict::of_peak(Mmhg(40.1), &w), Verdict::TooHard);
    }

    #[test]
    fn strokes_are_counted_per_verdict_and_danger() {
        let mut s = state();
        for (i, p) in [20.0, 35.0, 36.0, 50.0, 80.0].into_iter().enumerate() {
            s.apply(LiveUpdate::Stroke(stroke(i as f64, p)));
        }
        assert_eq!(
            s.counts,
            VerdictCounts {
                too_light: 1,
                in_window: 2,
                too_hard: 2,
                danger: 1
            }
        );
        assert_eq!(s.last.as_ref().map(|l| l.peak), Some(Mmhg(80.0)));
        assert_eq!(s.counts.in_window_share(), Some(0.4));
    }

    #[test]
    fn paused_strokes_are_shown_but_not_counted() {
        let mut s = state();
        s.apply(LiveUpdate::Stroke(stroke(0.0, 35.0)));
        s.toggle_pause();
        s.apply(LiveUpdate::Stroke(stroke(1.0, 50.0)));
        assert_eq!(s.counts.total(), 1);
        assert_eq!(s.last.as_ref().map(|l| l.verdict), Some(Verdict::TooHard));
        s.toggle_pause();
        s.apply(LiveUpdate::Stroke(stroke(2.0, 50.0)));
        assert_eq!(s.counts.too_hard, 1);
    }

    #[test]
    fn nan_pressures_are_missing_and_time_never_goes_back() {
        let mut s = state();
        s.apply(LiveUpdate::Pressures {
            now_s: 2.0,
            values: vec![12.5, f64::NAN],
        });
        assert_eq!(s.pressures, vec![Some(Mmhg(12.5)), None]);
        assert_eq!(s.connection, Connection::Connected);
        s.apply(LiveUpdate::Pressures {
            now_s: 1.0,
            values: vec![1.0, 2.0],
        });
        assert_eq!(s.now_s, 2.0);
    }

    #[test]
    fn verdict_delay_is_stream_time_since_offset() {
        let mut s = state();
        s.apply(LiveUpdate::Pressures {
            now_s: 10.2,
            values: vec![0.0, 0.0],
        });
        s.apply(LiveUpdate::Stroke(stroke(9.5, 35.0)));
        let d = s.last_verdict_delay_s.unwrap_or(f64::NAN);
        assert!((d - 0.2).abs() < 1e-9, "{d}");
    }

    #[test]
    fn events_feed_tallies_connection_and_warnings() {
        let mut s = state();
        s.apply(LiveUpdate::Event {
            at_s: 1.0,
            event: StreamEvent::Gap { rows: 25 },
        });
        s.apply(LiveUpdate::Event {
            at_s: 2.0,
            event: StreamEvent::Marker,
        });
        s.apply(LiveUpdate::Event {
            at_s: 3.0,
            event: StreamEvent::Disconnected,
        });
        assert_eq!(s.tallies.rows_lost, 25);
        assert_eq!(s.tallies.markers, 1);
        assert_eq!(s.connection, Connection::Disconnected);
        assert!(s.warnings()[0].contains("25 rows lost"));
    }

    #[test]
    fn unplug_with_reconnect_waits_then_connects() {
        let mut s = state();
        s.reconnects = true;
        s.apply(LiveUpdate::Event {
            at_s: 3.0,
            event: StreamEvent::Disconnected,
        });
        assert_eq!(s.connection, Connection::Reconnecting);
        s.apply(LiveUpdate::Event {
            at_s: 9.0,
            event: StreamEvent::Reconnected,
        });
        assert_eq!(s.connection, Connection::Connected);
    }

    #[test]
    fn score_is_clamped_and_nan_ignored() {
        let mut s = state();
        s.apply(LiveUpdate::Score(104.0));
        assert_eq!(s.score, Some(100.0));
        s.apply(LiveUpdate::Score(f64::NAN));
        assert_eq!(s.score, Some(100.0));
    }

    #[test]
    fn clock_formats_minutes_and_hours() {
        assert_eq!(clock(0.0), "0:00");
        assert_eq!(clock(75.9), "1:15");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(clock(f64::NAN), "0:00");
    }
}
