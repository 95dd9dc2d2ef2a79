//! The chain from a pressure source to a [`Session`], stage by stage as the data flows:
//!
//! ```text
//! rows ─┬─▶ condition ──▶ envelope ──┬─▶ detect ──▶ strokes
//!       │   (Conditioner)  (Envelope) ├─▶ quality (rhythm)
//!       │        ▲   │                │
//!       │        │   └────────────────┴─▶ trace (the filtered channels)
//!       │        └── re-zero ◀── detect (hand lifted and still: drift)
//!       └─▶ quality (hum, noise, saturation, dropouts: the raw rows)
//! ```
//!
//! Each stage is its own type, fed and tested alone ([`Conditioner`], [`Envelope`],
//! [`StrokeDetector`], [`QualityMonitor`]); this module only wires them. The one signal that
//! flows back is the detector's [`crate::detect::Rezero`]: it alone knows when the hand is
//! lifted, and the chain applies the re-zero from the next sample on.
//!
//! [`Pipeline`] is fed block by block (live view, recorder) or by [`analyze`] from a file as
//! fast as it can go; both paths run the same code row by row, so block boundaries never change
//! the strokes (live = batch, proven in `tests/streaming.rs`).

use crate::detect::{DetectorConfig, Envelope, StrokeDetector, Timing};
use crate::error::{Error, Result};
use crate::filter::chain::Conditioner;
use crate::filter::quality::QualityMonitor;
use crate::session::{Levels, QualityKind, QualityWarning, Session, SessionMeta, Stroke, Trace};
use crate::stream::{Block, PressureSource, StreamEvent, StreamInfo};

/// Settings of the whole chain.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineConfig {
    /// The stroke detector's settings, its conditioning chain's among them
    /// ([`DetectorConfig::chain`]: one set of settings, `--set` keys and all, for what decides
    /// the strokes).
    pub detector: DetectorConfig,
    /// Target rate of the decimated chart trace (Hz); the trace takes every n-th filtered
    /// sample so its rate is the working rate divided by an integer.
    pub trace_rate_hz: f64,
    /// Keep the chart trace (one `f32` per channel per trace sample); off for long live runs.
    pub keep_trace: bool,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            detector: DetectorConfig::default(),
            trace_rate_hz: 50.0,
            keep_trace: true,
        }
    }
}

/// Most chart-trace samples kept per channel (2^18: 87 min at the 50 Hz default, then the
/// trace's rate halves — 25 Hz to 2.9 h, 12.5 Hz to 5.8 h, …), so that memory for the trace is
/// bounded (about 1 MB a channel) however long the input. See `docs/ARCHITECTURE.md`, Memory.
pub const TRACE_CAP: usize = 1 << 18;

/// One running analysis of one stream.
#[derive(Debug)]
pub struct Pipeline {
    info: StreamInfo,
    nch: usize,
    cond: Conditioner,
    envelope: Envelope,
    detector: StrokeDetector,
    quality: QualityMonitor,
    trace: Trace,
    trace_every: u64,
    keep_trace: bool,
    rows: u64,
    events: Vec<(f64, StreamEvent)>,
    /// Rows before which a recorded tare is still to be applied, in order.
    tares: std::collections::VecDeque<u64>,
    /// Implausible values seen so far (and the row being checked): live and batch alike.
    check: crate::plausible::PressureCheck,
    /// The row or block being checked, kept to reuse its allocation (a block's size at most).
    row_buf: Vec<f64>,
}

impl Pipeline {
    /// A pipeline for the stream `info` describes.
    ///
    /// Errors on no channels, a rate outside 1 Hz–100 kHz, or settings that do not fit the
    /// rate.
    pub fn new(info: &StreamInfo, cfg: PipelineConfig) -> Result<Self> {
        let rate = info.rate_hz;
        if !(rate.is_finite() && (1.0..=100_000.0).contains(&rate)) {
            return Err(Error::Unsupported(format!(
                "sampling rate {rate} Hz (the detector needs 1 Hz to 100 kHz)"
            )));
        }
        let nch = info.channel_count();
        let cond = Conditioner::new(rate, nch, &cfg.detector.chain)?;
        let timing = Timing::of(&cond);
        let detector = StrokeDetector::new(nch, timing, cfg.detector)?;
        let work = timing.work_rate_hz();
        let trace_every = ((work / cfg.trace_rate_hz.max(1e-3)).round() as u64).max(1);
        Ok(Pipeline {
            info: info.clone(),
            nch,
            quality: QualityMonitor::new(info.rate_hz, nch, work),
            trace: Trace {
                rate_hz: work / trace_every as f64,
                // Trace sample j is working sample j·every, which lags by the chain's delay.
                start_s: (timing.decimation as f64 - 1.0) / rate - timing.delay_s,
                channels: vec![Vec::new(); nch],
            },
            cond,
            envelope: Envelope::new(nch, timing),
            trace_every,
            keep_trace: cfg.keep_trace,
            detector,
            rows: 0,
            events: Vec::new(),
            tares: std::collections::VecDeque::new(),
            check: crate::plausible::PressureCheck::new(nch),
            row_buf: Vec::with_capacity(nch),
        })
    }

    /// Keeps every other trace sample and halves the trace's rate, so that the chart trace of
    /// a recording of any length stays under [`TRACE_CAP`] samples a channel. Sample `j` stays
    /// working sample `j × trace_every`, since the cap is even.
    fn halve_trace(&mut self) {
        for t in &mut self.trace.channels {
            let mut i = 0;
            t.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
        self.trace_every *= 2;
        self.trace.rate_hz /= 2.0;
    }

    /// The stream this pipeline analyses.
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// Feeds one row (`channel_count` values, mmHg, `NaN` where missing). Implausible values
    /// are noted for the session's warnings, and infinite or absurdly large ones are read as
    /// missing (`crate::plausible`), here, so the live view and `analyze` see the same.
    #[inline]
    pub fn push_row(&mut self, row: &[f64], out: &mut Vec<Stroke>) {
        let mut checked = std::mem::take(&mut self.row_buf);
        checked.clear();
        checked.extend_from_slice(row);
        self.check.check(self.rows, &mut checked);
        self.quality.push_row(&checked);
        self.push_checked(&checked, out);
        self.row_buf = checked;
    }

    /// One checked row through the chain (the quality monitor's counts are the caller's: a
    /// row at a time, or a whole block's view at once).
    fn push_checked(&mut self, row: &[f64], out: &mut Vec<Stroke>) {
        self.rows += 1;
        if self.cond.push(row) {
            let sample = self
                .envelope
                .push(self.cond.current(), self.cond.had_data());
            let k = sample.index;
            // The rhythm reads the detector's envelope, stuck sensors left out: a sensor stuck
            // at full scale would otherwise flatten it into no rhythm at all.
            self.quality.push_envelope(sample.value);
            self.detector.push(&sample, out);
            self.detector.apply_rezeros(&mut self.cond);
            let cur = self.cond.current();
            if self.keep_trace && k.is_multiple_of(self.trace_every) {
                for (t, &v) in self.trace.channels.iter_mut().zip(cur) {
                    // A channel gone quiet (a dropout, a disconnected sensor) holds its last
                    // value on the chart.
                    let v = match t.last() {
                        Some(&last) if v.is_nan() => last,
                        _ => v as f32,
                    };
                    t.push(v);
                }
                if self
                    .trace
                    .channels
                    .first()
                    .is_some_and(|t| t.len() >= TRACE_CAP)
                {
                    self.halve_trace();
                }
            }
        }
    }

    /// Feeds a block; finished strokes are appended to `out`, events are kept for the session.
    /// A [`StreamEvent::Tare`] (a tare the live view applied, read back from a recording)
    /// re-zeroes right before its row, wherever the block boundaries fall, so `analyze` of a
    /// recording gives what the live view showed.
    pub fn push_block(&mut self, block: &Block, out: &mut Vec<Stroke>) {
        for (row, ev) in &block.events {
            match ev {
                StreamEvent::Gap { rows } => self.quality.gap(*rows),
                StreamEvent::Tare => {
                    let at = self.tares.partition_point(|&r| r <= *row);
                    self.tares.insert(at, *row);
                }
                _ => {}
            }
            self.events
                .push((*row as f64 / self.info.rate_hz, ev.clone()));
        }
        if self.nch == 0 {
            return;
        }
        // The whole block checked at once, and counted by the quality monitor as a
        // rows × channels view (a channel down its column); then row by row through the chain.
        let mut checked = std::mem::take(&mut self.row_buf);
        checked.clear();
        // Complete rows only (a source never gives a partial one; if it did, it is dropped).
        let complete = block.rows(self.nch) * self.nch;
        checked.extend_from_slice(block.values.get(..complete).unwrap_or_default());
        self.check.check(self.rows, &mut checked);
        self.quality
            .push_block(crate::stream::rows_view(&checked, self.nch));
        for row in checked.chunks_exact(self.nch) {
            while self.tares.front().is_some_and(|&r| r <= self.rows) {
                self.tares.pop_front();
                self.tare();
            }
            self.push_checked(row, out);
        }
        self.row_buf = checked;
    }

    /// Ends the stream: a stroke still open is closed and appended to `out`.
    pub fn finish(&mut self, out: &mut Vec<Stroke>) {
        self.detector.finish(out);
    }

    /// The current filtered pressure of every channel (mmHg, drift removed), for the live view.
    pub fn filtered(&self) -> &[f64] {
        self.cond.current()
    }

    /// How far the filtered pressure lags the input, seconds.
    pub fn delay_s(&self) -> f64 {
        self.cond.delay_s()
    }

    /// Re-zeros every channel now (the user says the hand is off the skin). A live view that
    /// tares also records a [`StreamEvent::Tare`] at [`Pipeline::rows`], which this pipeline
    /// applies at that very row when it reads the recording back.
    pub fn tare(&mut self) {
        self.cond.tare();
        self.detector.tare();
    }

    /// Rows fed so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The decimated filtered trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Stroke rhythm so far: dominant envelope frequency within 0.3–3 Hz (needs 20 s of data).
    pub fn rhythm_hz(&self) -> Option<f64> {
        self.quality.rhythm_hz()
    }

    /// Data-quality warnings for what was seen so far: the quality monitor's, then every
    /// spell of a stuck sensor (named by its finger) and every long dropout that ended a stroke.
    pub fn quality(&self) -> Vec<QualityWarning> {
        let mut w = self.quality.warnings(self.cond.drift().total_shift());
        let log = self.envelope.stuck_log();
        for (i, &(t, c, stuck, level)) in log.iter().enumerate() {
            if !stuck {
                continue;
            }
            let back = log[i + 1..].iter().find(|e| e.1 == c && !e.2).map(|e| e.0);
            let until = match back {
                Some(b) => format!("until {b:.1} s, when it moved again and was taken back"),
                None => "to the end".to_string(),
            };
            w.push(QualityWarning {
                kind: QualityKind::DeadSensor,
                channel: Some(c),
                message: format!(
                    "channel {} stuck at {level:.1} mmHg from {t:.1} s {until}; left out of the \
                     envelope and the peaks meanwhile",
                    c + 1
                ),
            });
        }
        for &(a, b) in self.detector.long_gaps() {
            w.push(QualityWarning {
                kind: QualityKind::Dropout,
                channel: None,
                message: format!(
                    "no data from {a:.2} s to {b:.2} s, longer than {:.1} s: the stroke under \
                     way was ended there",
                    crate::detect::streaming::BRIDGE_S
                ),
            });
        }
        w
    }

    /// Sensor drift removed and resting contact kept, measured apart.
    pub fn levels(&self) -> Levels {
        Levels {
            sensor_drift_mmhg: self.cond.drift().total_shift().to_vec(),
            resting_contact_mmhg: self.detector.resting_contact(),
        }
    }

    /// Turns the run into a [`Session`] holding `strokes`.
    pub fn into_session(self, meta: SessionMeta, strokes: Vec<Stroke>) -> Session {
        let mut quality = self.quality();
        let names: Vec<String> = self.info.channels.iter().map(|c| c.name.clone()).collect();
        for (channel, message) in self
            .check
            .warnings(&meta.source, &names, self.info.rate_hz, 0.0)
        {
            quality.push(QualityWarning {
                kind: crate::session::QualityKind::Implausible,
                channel: Some(channel),
                message,
            });
        }
        let levels = self.levels();
        Session {
            meta,
            duration_s: self.rows as f64 / self.info.rate_hz,
            info: self.info,
            strokes,
            trace: self.trace,
            events: self.events,
            quality,
            levels,
        }
    }
}

/// Analyses a whole source: the batch path, the same chain fed as fast as the source can go.
pub fn analyze(
    source: &mut dyn PressureSource,
    meta: SessionMeta,
    cfg: PipelineConfig,
) -> Result<Session> {
    let info = source.info().clone();
    let mut p = Pipeline::new(&info, cfg)?;
    let mut strokes = Vec::new();
    let mut block = Block::default();
    let mut rows = 0usize;
    while source.next_block(&mut block)? {
        rows = rows.saturating_add(block.rows(info.channels.len()));
        p.push_block(&block, &mut strokes);
    }
    if rows == 0 {
        // A 0-byte or empty `.gz`, an empty table, a recording stopped before its first block:
        // there is nothing to grade, and an empty report would read as "no strokes".
        return Err(Error::Unsupported(format!(
            "{}: holds no samples (an empty file or table, or a recording stopped before its \
             first sample block)",
            meta.source
        )));
    }
    p.finish(&mut strokes);
    Ok(p.into_session(meta, strokes))
}
