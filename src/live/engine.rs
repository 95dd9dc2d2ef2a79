//! From calibrated blocks to [`LiveUpdate`]s: the pipeline (filter, detect) and per-stroke
//! grading, run where the data arrives so the view only applies small updates.
//!
//! Every rule comes from the grader: each stroke is graded by `grade::grade_stroke_with`, and the
//! running score card is `grade::score::score_session` over the strokes counted so far, exposure
//! included (from the same decimated trace the report reads), so what the screen shows at the
//! end is the report's card when nothing was paused.

use crate::error::Result;
use crate::grade::{
    grade_stroke_with, score, Certainty, ExposureCounter, Flag, Grade, GradedStroke, Profile,
};
use crate::live::state::{LiveUpdate, StrokeVerdict, TargetWindow, Verdict};
use crate::pipeline::{Pipeline, PipelineConfig};
use crate::session::Stroke;
use crate::session::{QualityWarning, Session, SessionMeta};
use crate::stream::{Block, StreamInfo};

impl From<Grade> for Verdict {
    fn from(g: Grade) -> Verdict {
        match g {
            Grade::TooLight => Verdict::TooLight,
            Grade::InWindow => Verdict::InWindow,
            Grade::TooHard => Verdict::TooHard,
        }
    }
}

/// The view's targets from a profile.
pub fn target_window(profile: &Profile) -> TargetWindow {
    TargetWindow::of(profile)
}

/// A graded stroke as the view shows it.
pub fn verdict_of(stroke: &Stroke, graded: &GradedStroke) -> StrokeVerdict {
    StrokeVerdict {
        onset_s: stroke.onset_s,
        offset_s: stroke.offset_s,
        peak: stroke.peak,
        verdict: graded.grade.into(),
        danger: graded.flags.contains(&Flag::Danger),
        flags: graded
            .flags
            .iter()
            .copied()
            .filter(|f| *f != Flag::Danger)
            .collect(),
        score: Some(graded.score),
        pace: graded.pace,
        interval_s: graded.interval_s,
        near_edge: graded.near_edge,
    }
}

/// The pipeline and the grader for one live session.
#[derive(Debug)]
pub struct LiveEngine {
    pipeline: Pipeline,
    profile: Profile,
    rate_hz: f64,
    strokes: Vec<Stroke>,
    fresh: Vec<Stroke>,
    counted: Vec<GradedStroke>,
    certainty: Certainty,
    exposure: ExposureCounter,
    trace_seen: usize,
    names: Vec<String>,
    paused: bool,
    quality_every_rows: u64,
    next_quality_row: u64,
    last_quality: Vec<QualityWarning>,
}

impl LiveEngine {
    /// An engine for the stream `info` describes, grading against `profile`.
    ///
    /// Errors when the pipeline cannot run on this stream (no channels, unsupported rate).
    pub fn new(info: &StreamInfo, profile: Profile, cfg: PipelineConfig) -> Result<Self> {
        let pipeline = Pipeline::new(info, cfg)?;
        let exposure = ExposureCounter::new(&profile, pipeline.trace().rate_hz);
        // Quality is re-checked once a second of data: warnings change slowly.
        let quality_every_rows = (info.rate_hz.round() as u64).max(1);
        Ok(LiveEngine {
            pipeline,
            profile,
            rate_hz: info.rate_hz,
            strokes: Vec::new(),
            fresh: Vec::new(),
            counted: Vec::new(),
            certainty: Certainty::default(),
            exposure,
            trace_seen: 0,
            names: info
                .channels
                .iter()
                .enumerate()
                .map(|(i, c)| crate::grade::fingers::channel_label(&c.name, i))
                .collect(),
            paused: false,
            quality_every_rows,
            next_quality_row: quality_every_rows,
            last_quality: Vec::new(),
        })
    }

    /// The same engine marking strokes near a window edge by this certainty (the calibration in
    /// use), as the report does.
    pub fn with_certainty(mut self, certainty: Certainty) -> Self {
        self.certainty = certainty;
        self
    }

    /// The certainty strokes are graded with.
    pub fn certainty(&self) -> &Certainty {
        &self.certainty
    }

    /// The profile strokes are graded against.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Stream time of the newest row fed, seconds.
    pub fn now_s(&self) -> f64 {
        self.pipeline.rows() as f64 / self.rate_hz
    }

    /// Every stroke found so far.
    pub fn strokes(&self) -> &[Stroke] {
        &self.strokes
    }

    /// Feeds one block; what changed is appended to `out`: stream events, the strokes that
    /// ended (graded), the score, the current pressures, and now and then the quality warnings.
    pub fn push_block(&mut self, block: &Block, out: &mut Vec<LiveUpdate>) {
        for (row, event) in &block.events {
            out.push(LiveUpdate::Event {
                at_s: *row as f64 / self.rate_hz,
                event: event.clone(),
            });
        }
        self.fresh.clear();
        self.pipeline.push_block(block, &mut self.fresh);
        // Time first, so a stroke's delay is measured against the row that closed it.
        out.push(LiveUpdate::Pressures {
            now_s: self.now_s(),
            values: self.pipeline.filtered().to_vec(),
        });
        if !self.paused {
            self.count_exposure();
        } else {
            self.trace_seen = self.pipeline.trace().channels.first().map_or(0, Vec::len);
        }
        self.grade_fresh(out);
        if self.pipeline.rows() >= self.next_quality_row {
            self.next_quality_row = self.pipeline.rows() + self.quality_every_rows;
            let q = self.named_quality();
            if q != self.last_quality {
                self.last_quality = q.clone();
                out.push(LiveUpdate::Quality(q));
            }
        }
    }

    /// The pipeline's quality warnings, with fingertip names.
    fn named_quality(&self) -> Vec<QualityWarning> {
        self.pipeline
            .quality()
            .iter()
            .map(|w| crate::grade::fingers::named_warning(w, &self.names))
            .collect()
    }

    /// Ends the stream: a stroke still open is closed, graded and appended to `out`.
    pub fn finish(&mut self, out: &mut Vec<LiveUpdate>) {
        self.fresh.clear();
        self.pipeline.finish(&mut self.fresh);
        if !self.paused {
            self.count_exposure();
        }
        self.grade_fresh(out);
        let q = self.named_quality();
        if q != self.last_quality {
            self.last_quality = q.clone();
            out.push(LiveUpdate::Quality(q));
        }
    }

    /// Feeds the trace samples added since the last call to the exposure counter.
    fn count_exposure(&mut self) {
        let trace = self.pipeline.trace();
        let len = trace.channels.first().map_or(0, Vec::len);
        for j in self.trace_seen..len {
            self.exposure
                .push(trace.channels.iter().map(|c| c.get(j).copied()));
        }
        self.trace_seen = len;
    }

    fn grade_fresh(&mut self, out: &mut Vec<LiveUpdate>) {
        let fresh: Vec<Stroke> = self.fresh.drain(..).collect();
        for stroke in fresh {
            let previous = self.strokes.last().map(|s| s.onset_s);
            let graded = grade_stroke_with(
                self.strokes.len(),
                &stroke,
                previous,
                &self.profile,
                &self.certainty,
            );
            out.push(LiveUpdate::Stroke(verdict_of(&stroke, &graded)));
            if !self.paused {
                self.counted.push(graded);
                out.push(LiveUpdate::Summary(Box::new(self.summary())));
            }
            self.strokes.push(stroke);
        }
    }

    /// The score card over the strokes counted so far, exposure included: the report's formula.
    pub fn summary(&self) -> crate::grade::SessionScore {
        let mut s = score::score_session(&self.counted, &self.profile);
        (s.exposure, s.finger_exposure) = self.exposure.finish(&self.names);
        s
    }

    /// Rows fed so far: the index of the next row (where a tare now applies).
    pub fn rows(&self) -> u64 {
        self.pipeline.rows()
    }

    /// Re-zeros every fingertip now (`t`), but only when every fingertip is at rest or lifted:
    /// taring with a finger on the skin would make its pressure the new zero, and every later
    /// stroke would read too light. At rest means the filtered pressure is within the profile's
    /// release margin (`release.within_mmhg`) of zero. Returns what to tell the user.
    pub fn try_tare(&mut self) -> std::result::Result<String, String> {
        let margin = self.profile.release.within_mmhg.0;
        let values = self.pipeline.filtered();
        if values.iter().all(|v| !v.is_finite()) {
            return Err("tare refused: no pressure received yet".into());
        }
        let pressing: Vec<String> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite() && **v > margin)
            .map(|(c, v)| {
                let name = self
                    .names
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("channel {}", c + 1));
                format!("{name} reads {v:.0} mmHg")
            })
            .collect();
        if !pressing.is_empty() {
            return Err(format!(
                "tare refused: {} (more than {margin:.0} mmHg); lift the hand or let it rest, then press t again",
                pressing.join(", ")
            ));
        }
        self.pipeline.tare();
        Ok("tared: fingertips re-zeroed".into())
    }

    /// Pauses or resumes scoring (`p`): strokes while paused are shown, kept for the report, but
    /// not in the running score.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

    /// The whole run as a [`Session`] for the report.
    pub fn into_session(self, meta: SessionMeta) -> Session {
        self.pipeline.into_session(meta, self.strokes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::state::LiveState;
    use crate::stream::ChannelInfo;

    fn info(rate: f64) -> StreamInfo {
        StreamInfo {
            rate_hz: rate,
            channels: ["index", "middle"]
                .iter()
                .map(|n| ChannelInfo {
                    name: n.to_string(),
                    area: None,
                })
                .collect(),
            start_time_s: 0.0,
        }
    }

    /// Raised-cosine strokes of the given peaks, one a second, 0.5 s working phase.
    fn rows(rate: f64, peaks: &[f64]) -> Vec<f64> {
        let n = ((peaks.len() as f64 + 2.0) * rate) as usize;
        let mut v = Vec::with_capacity(n * 2);
        for i in 0..n {
            let t = i as f64 / rate;
            let k = t.floor() as usize;
            let u = (t - k as f64) / 0.5;
            let p = match peaks.get(k.wrapping_sub(1)) {
                Some(&peak) if k >= 1 && u < 1.0 => {
                    peak * 0.5 * (1.0 - (2.0 * std::f64::consts::PI * u).cos())
                }
                _ => 0.0,
            };
            v.push(p);
            v.push(p * 0.8);
        }
        v
    }

    #[test]
    fn tare_is_refused_while_a_fingertip_presses_and_applied_at_rest() {
        let rate = 200.0;
        let mut engine = LiveEngine::new(
            &info(rate),
            Profile::default_profile(),
            PipelineConfig::default(),
        )
        .expect("engine");
        let mut updates = Vec::new();
        let refused = engine.try_tare().expect_err("no pressure yet");
        assert!(refused.contains("no pressure"), "{refused}");
        // Two seconds with the index pressing 25 mmHg, the middle finger lifted.
        let pressing: Vec<f64> = (0..400).flat_map(|_| [25.0, 0.0]).collect();
        let block = Block {
            start_row: 0,
            values: pressing,
            events: Vec::new(),
        };
        engine.push_block(&block, &mut updates);
        let refused = engine.try_tare().expect_err("index presses");
        assert!(refused.contains("index reads 25 mmHg"), "{refused}");
        assert!(!refused.contains("middle"), "{refused}");
        let resting = Block {
            start_row: 400,
            values: vec![0.0; 800],
            events: Vec::new(),
        };
        engine.push_block(&resting, &mut updates);
        assert_eq!(engine.rows(), 800);
        assert!(engine.try_tare().is_ok());
    }

    #[test]
    fn strokes_reach_the_state_graded_with_a_running_score() {
        let rate = 200.0;
        let peaks = [35.0, 20.0, 50.0, 36.0, 80.0];
        let profile = Profile::default_profile();
        let mut engine = LiveEngine::new(&info(rate), profile.clone(), PipelineConfig::default())
            .expect("engine");
        let mut state = LiveState::new(
            vec!["index".into(), "middle".into()],
            target_window(&profile),
            crate::live::rhythm::Rhythm::new(1.0),
        );
        let all = rows(rate, &peaks);
        let mut updates = Vec::new();
        // Feed in blocks of 7 rows, as a serial port would.
        for (b, chunk) in all.chunks(14).enumerate() {
            let block = Block {
                start_row: b as u64 * 7,
                values: chunk.to_vec(),
                events: Vec::new(),
            };
            updates.clear();
            engine.push_block(&block, &mut updates);
            for u in updates.drain(..) {
                state.apply(u);
            }
        }
        engine.finish(&mut updates);
        for u in updates.drain(..) {
            state.apply(u);
        }
        let c = state.counts;
        assert_eq!(c.total(), 5, "{c:?}");
        assert_eq!(
            (c.too_light, c.in_window, c.too_hard, c.danger),
            (1, 2, 2, 1)
        );
        let last = state.last.as_ref().expect("a last stroke");
        assert_eq!(last.verdict, Verdict::TooHard);
        assert!(last.danger);
        assert!((last.peak.0 - 80.0).abs() < 3.0, "{:?}", last.peak);
        // The running score is the mean of the graded strokes' scores: recompute it.
        let session = engine.into_session(SessionMeta::default());
        let graded = crate::grade::grade_session(&session, &profile);
        let score = state.score.expect("a score");
        assert!(
            (score - graded.summary.score).abs() < 1e-9,
            "{score} vs {}",
            graded.summary.score
        );
        // Bars show the filtered pressure, back near rest after the last stroke.
        assert!(state
            .pressures
            .iter()
            .all(|p| p.is_some_and(|p| p.0.abs() < 3.0)));
    }
}
