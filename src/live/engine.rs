//! From calibrated blocks to [`LiveUpdate`]s: the pipeline (filter, detect) and per-stroke
//! grading, run where the data arrives so the view only applies small updates.
//!
//! The running score is the mean of the counted strokes' scores, the same formula as the
//! session score (`docs/SCORING.md`), so the number on screen at the end is the report's number
//! when nothing was paused.

use crate::detect::Stroke;
use crate::error::Result;
use crate::grade::{grade_stroke, Flag, Grade, GradedStroke, Profile};
use crate::live::state::{LiveUpdate, StrokeVerdict, TargetWindow, Verdict};
use crate::pipeline::{Pipeline, PipelineConfig};
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
    TargetWindow {
        low: profile.window.lo_mmhg,
        high: profile.window.hi_mmhg,
        danger: profile.danger.mmhg,
    }
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
            .filter(|f| **f != Flag::Danger)
            .map(|f| f.as_str().replace('_', " "))
            .collect(),
        score: Some(graded.score),
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
    score_sum: f64,
    scored: usize,
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
        // Quality is re-checked once a second of data: warnings change slowly.
        let quality_every_rows = (info.rate_hz.round() as u64).max(1);
        Ok(LiveEngine {
            pipeline,
            profile,
            rate_hz: info.rate_hz,
            strokes: Vec::new(),
            fresh: Vec::new(),
            score_sum: 0.0,
            scored: 0,
            paused: false,
            quality_every_rows,
            next_quality_row: quality_every_rows,
            last_quality: Vec::new(),
        })
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
        self.grade_fresh(out);
        if self.pipeline.rows() >= self.next_quality_row {
            self.next_quality_row = self.pipeline.rows() + self.quality_every_rows;
            let q = self.pipeline.quality();
            if q != self.last_quality {
                self.last_quality = q.clone();
                out.push(LiveUpdate::Quality(q));
            }
        }
    }

    /// Ends the stream: a stroke still open is closed, graded and appended to `out`.
    pub fn finish(&mut self, out: &mut Vec<LiveUpdate>) {
        self.fresh.clear();
        self.pipeline.finish(&mut self.fresh);
        self.grade_fresh(out);
        let q = self.pipeline.quality();
        if q != self.last_quality {
            self.last_quality = q.clone();
            out.push(LiveUpdate::Quality(q));
        }
    }

    fn grade_fresh(&mut self, out: &mut Vec<LiveUpdate>) {
        for stroke in self.fresh.drain(..) {
            let previous = self.strokes.last().map(|s| s.onset_s);
            let graded = grade_stroke(self.strokes.len(), &stroke, previous, &self.profile);
            out.push(LiveUpdate::Stroke(verdict_of(&stroke, &graded)));
            if !self.paused {
                self.score_sum += graded.score;
                self.scored += 1;
                out.push(LiveUpdate::Score(self.score_sum / self.scored as f64));
            }
            self.strokes.push(stroke);
        }
    }

    /// Re-zeros every fingertip now (`t`: the hand is off the skin).
    pub fn tare(&mut self) {
        self.pipeline.tare();
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
    fn strokes_reach_the_state_graded_with_a_running_score() {
        let rate = 200.0;
        let peaks = [35.0, 20.0, 50.0, 36.0, 80.0];
        let profile = Profile::default_profile();
        let mut engine = LiveEngine::new(&info(rate), profile.clone(), PipelineConfig::default())
            .expect("engine");
        let mut state = LiveState::new(
            vec!["index".into(), "middle".into()],
            target_window(&profile),
            1.0,
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
