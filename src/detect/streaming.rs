//! The streaming stroke detector: constant memory (ring buffers sized by the working rate and
//! the longest stroke), a verdict within `settle_s` plus the filter delay (well under 300 ms) of
//! each stroke's offset.
//!
//! It is the third stage of the chain [`crate::pipeline`] runs: the conditioning chain
//! ([`crate::filter::chain::Conditioner`]) filters each channel, the envelope stage
//! ([`super::envelope::Envelope`]) takes the highest fingertip with stuck sensors left out, and
//! this detector runs a three-state machine on that envelope:
//!
//! - **Idle**: the resting level (or ledge) is the minimum of the envelope over a sliding window;
//!   a rise of `rise_mmhg` above it starts a stroke. A long flat idle spell asks the chain to
//!   re-zero drift ([`Rezero`]): the one thing that flows back up the chain.
//! - **Rising**: track the peak. A fall by `split_fraction` of the height ends the working
//!   phase; a shallower dip (double hump) does not.
//! - **Falling**: track the release minimum. A new rise from it starts the next stroke (the
//!   incomplete release is split there); a flat spell of `settle_s` closes the stroke.
//!
//! Onset and offset are placed at the departure from and return to the start and release levels
//! (within `edge_fraction` of the height) by scanning the buffered envelope, and shifted back by
//! the conditioning chain's delay, so times are not biased by the causal filters.
//!
//! What real recordings add (issue 9), all in the chain's stages, so live and batch agree:
//!
//! - **Stuck sensors.** The envelope stage leaves a stuck channel out from a little before its
//!   flat spell; when it says so ([`EnvelopeSample::newly_stuck_from`]), the detector rewrites
//!   its buffered envelope and peaks without it and looks at the open stroke again.
//! - **Resting contact is pressure.** Channels re-zero only at their lift level (within
//!   [`LIFT_TOL_MMHG`] of the lowest level of the earlier idle spells, reached by a step down
//!   off the skin); the light contact between strokes keeps its reading.
//!   The chain's drift tracker (`crate::filter::drift`) and [`StrokeDetector::resting_contact`]
//!   report the two apart.
//! - **Rolling hands.** Each fingertip carrying [`FINGER_SHARE`] of the stroke moves the onset to
//!   its own departure from its own level and the offset to its own return (at most [`ROLL_S`]
//!   outside the envelope's edges); a stroke closes only once every fingertip has settled.
//! - **Not strokes.** A stroke must stand `min_height_mmhg` above the level it returns to as well
//!   as the one it rose from (a touch-down bump settling into the contact does not); a light
//!   stroke after a touch-down starts from the resting contact's flat spell.
//! - **Thresholds from the noise floor** (rise, height, edge floors raised to
//!   [`RISE_SIGMA`], [`HEIGHT_SIGMA`], [`EDGE_SIGMA`] noise deviations on a noisy signal).
//! - **Dropouts.** Gaps up to [`BRIDGE_S`] are bridged by a straight line once the filters have
//!   caught up; a longer gap ends the stroke under way where the data stopped
//!   ([`StrokeDetector::long_gaps`]) and the signal after it starts afresh.

use super::config::DetectorConfig;
use super::envelope::{EnvelopeSample, Timing};
use super::Stroke;
use crate::error::{Error, Result};
use crate::filter::chain::Conditioner;
use crate::units::Mmhg;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Idle,
    Rising,
    Falling,
}

/// What the detector asks of the conditioning chain: the hand is lifted and still, and
/// `channel` reads `level` above zero there, which is drift, to be taken off from now on
/// ([`Conditioner::rezero`], through [`StrokeDetector::apply_rezeros`]; the chain takes off
/// all of it, or nothing when it is more than its `max_rezero`, and says which).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rezero {
    /// The channel.
    pub channel: usize,
    /// Its level at the lift.
    pub level: Mmhg,
}

/// Finds strokes in the envelope, one working sample at a time.
#[derive(Clone, Debug)]
pub struct StrokeDetector {
    cfg: DetectorConfig,
    nch: usize,
    timing: Timing,
    work_hz: f64,
    /// The settings' and constants' spans in working samples.
    n: Spans,
    /// The ring the buffered envelope and rows live in.
    ring: Ring,
    /// The buffered envelope, a slot per working sample.
    env: Vec<f64>,
    /// The buffered channels as the envelope used them, `nch` slots per working sample.
    hist: Vec<f64>,
    /// Working samples produced so far (the next index).
    k: u64,
    last_env: f64,
    mode: Mode,
    /// The stroke under way (while not idle).
    open: Open,
    /// The resting level, the lift levels and the resting contact.
    rest: Rest,
    /// The noise floor and the thresholds it sets.
    noise: Noise,
    /// Which channels the envelope stage holds stuck now.
    stuck: Vec<bool>,
    /// Re-zeros asked of the chain and not yet applied ([`StrokeDetector::apply_rezeros`]).
    rezeros: Vec<Rezero>,
    /// Working sample just after the last emitted stroke's offset (a replay starts no earlier).
    emitted_to: u64,
    /// The stroke being emitted closed on a flat release (not split by a new rise).
    settled_close: bool,
    /// The dropout under way, the bridge over a short one, the long ones so far.
    gaps: Dropouts,
}

/// Spans the detector counts in working samples.
#[derive(Clone, Copy, Debug)]
struct Spans {
    /// `settle_s`: a release this flat this long closes a stroke.
    settle: u64,
    /// [`FOOT_STEP_S`].
    foot: u64,
    /// `rest_window_s`: the resting level is the minimum over this window.
    window: u64,
    /// `max_stroke_s`.
    max: u64,
    /// `lift_s`: idle and flat this long re-zeroes drift (none: never).
    lift: Option<u64>,
    /// [`ROLL_S`].
    roll: u64,
}

/// The stroke under way: where it rose from, its peak, the lowest point of its release and the
/// last step down of that release.
#[derive(Clone, Copy, Debug)]
struct Open {
    start_level: f64,
    start_idx: u64,
    peak: f64,
    peak_idx: u64,
    min: f64,
    min_idx: u64,
    flat_level: f64,
    flat_idx: u64,
}

/// What the detector knows of the hand at rest.
#[derive(Clone, Debug)]
struct Rest {
    /// Candidates for the sliding minimum of the envelope (the resting level or ledge):
    /// (working sample, value), values rising.
    base: VecDeque<(u64, f64)>,
    /// Where the idle spell began…
    idle_since: u64,
    /// …and the last re-zero was tried.
    last_rezero: u64,
    /// The resting level the last stroke from a real rest rose from.
    level: f64,
    /// Sum and count of those levels (mean resting contact).
    sum: f64,
    count: u64,
    /// Per channel: the lowest level of the idle spells before the current one (where the hand
    /// was lifted off the skin), and the lowest of the current spell.
    low: Vec<f64>,
    spell_low: Vec<f64>,
}

/// The envelope's noise floor while idle and the thresholds it sets.
#[derive(Clone, Copy, Debug)]
struct Noise {
    /// Mean absolute step of the envelope while idle (a robust running mean)…
    step: f64,
    /// …over this many steps.
    count: u64,
    /// Thresholds in force (mmHg): the configured floors, or more on a noisy signal.
    rise: f64,
    min_height: f64,
    edge_floor: f64,
}

/// The detector's dropouts: runs of working samples without any data.
#[derive(Clone, Debug)]
struct Dropouts {
    /// Working samples in the current run without data…
    len: u64,
    /// …and where it began.
    from: u64,
    /// Working samples of [`BRIDGE_S`]: the longest run bridged inside a stroke.
    bridge_n: u64,
    /// A short dropout ended: bridge from its start once the filters have caught up.
    pending_bridge: Option<(u64, u64)>,
    /// Dropouts longer than the bridge that ended a stroke (seconds from the first sample).
    long: Vec<(f64, f64)>,
}

/// The index arithmetic of the detector's ring buffers: working sample `i` lives in slot
/// `i mod len`, `len` a power of two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ring {
    mask: usize,
}

impl Ring {
    /// A ring of `len` slots (a power of two).
    fn new(len: usize) -> Self {
        debug_assert!(len.is_power_of_two());
        Ring { mask: len - 1 }
    }

    /// The slot of working sample `i`.
    #[inline]
    fn slot(self, i: u64) -> usize {
        (i as usize) & self.mask
    }

    /// Slots in the ring.
    fn len(self) -> u64 {
        self.mask as u64 + 1
    }
}

/// How a stroke is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Close {
    /// On a release that settled (or a new rise): its foot and the fingertips' returns are
    /// looked for.
    Settled,
    /// Where it stands (the stream ended, a long dropout, the longest stroke): no looking
    /// further.
    Forced,
}

/// Which way from the peak a flank is walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flank {
    /// Before the peak: the rise.
    Rise,
    /// After the peak: the fall.
    Fall,
}

/// Furthest a fingertip's own departure or return may lie outside the envelope's (seconds):
/// fingertips of a rolling hand peak 40–200 ms apart.
pub const ROLL_S: f64 = 0.25;
/// Share of the stroke's height a fingertip must carry for its own edges to count.
pub const FINGER_SHARE: f64 = 0.3;

/// Noise deviations per mean absolute step of the conditioned envelope.
pub const NOISE_PER_STEP: f64 = 2.0;
/// Rise that starts a stroke, in noise deviations.
pub const RISE_SIGMA: f64 = 6.0;
/// Smallest stroke height, in noise deviations.
pub const HEIGHT_SIGMA: f64 = 8.0;
/// Edge tolerance, in noise deviations.
pub const EDGE_SIGMA: f64 = 3.0;

/// A resting contact above half the stroke's height counts as the level a stroke rose from
/// only after this long flat (seconds)…
pub const FOOT_FLAT_S: f64 = 0.25;
/// …within this band (mmHg, or the edge tolerance if larger)…
pub const FOOT_BAND_MMHG: f64 = 1.5;
/// …at most this far (mmHg) above the lifted level (a resting contact, not a plateau).
pub const FOOT_MAX_MMHG: f64 = 12.0;

/// The plateau a stroke rose from is flat for this long (seconds) before the rise…
pub const FOOT_KNEE_S: f64 = 0.1;
/// …within this band (mmHg, or twice the edge tolerance if larger: sensor noise), all of it
/// above the base by the edge tolerance; the knee of a smooth rise is not.
pub const FOOT_KNEE_MMHG: f64 = 1.0;

/// A fall below a stroke's peak is a release once the envelope rises again by this fraction of
/// the stroke's height (or the rise threshold, if larger): a new stroke from a ledge.
pub const RERISE_FRACTION: f64 = 0.12;
/// The hand counts as lifted and still only while the envelope stays within this band (mmHg)
/// over half the lift time.
pub const LIFT_FLAT_MMHG: f64 = 1.0;
/// A channel's level at a re-zero is its mean over this long (seconds).
pub const REZERO_MEAN_S: f64 = 0.25;
/// The span a flank's change is measured over when looking for its foot (seconds).
pub const FOOT_STEP_S: f64 = 0.05;
/// Most samples of a stroke's envelope kept (at [`Stroke::ENVELOPE_RATE_HZ`], 82 s), however
/// long `max_stroke_s` allows a stroke to be.
pub const MAX_ENVELOPE_SAMPLES: usize = 4096;

/// Most long dropouts the detector remembers.
pub const MAX_LONG_GAPS: usize = 256;
/// Longest dropout bridged inside a stroke (seconds); a longer one ends it.
pub const BRIDGE_S: f64 = 0.2;
/// A channel re-zeroes only within this many mmHg of its lift level (the lowest level of the
/// earlier idle spells).
pub const LIFT_TOL_MMHG: f64 = 1.0;

impl StrokeDetector {
    /// A detector for the envelope of `channels` channels from a chain with this timing
    /// ([`Timing::of`] the chain that will feed it; `cfg.chain` is that chain's business, not
    /// read here).
    ///
    /// Errors on no channels, an input rate outside 1 Hz–100 kHz or no decimation.
    pub fn new(channels: usize, timing: Timing, cfg: DetectorConfig) -> Result<Self> {
        let work = timing.work_rate_hz();
        let rate = timing.rate_hz;
        if channels == 0
            || timing.decimation == 0
            || !(rate.is_finite() && (1.0..=100_000.0).contains(&rate))
        {
            return Err(Error::Unsupported(format!(
                "a detector for {channels} channels at {rate} Hz decimated by {}",
                timing.decimation
            )));
        }
        let nch = channels;
        let n = |s: f64| timing.samples(s);
        let max_n = n(cfg.max_stroke_s);
        let ring = ((max_n + n(cfg.settle_s) + n(cfg.rest_window_s) + n(2.0)) as usize)
            .next_power_of_two();
        let window_n = n(cfg.rest_window_s);
        Ok(StrokeDetector {
            timing,
            work_hz: work,
            n: Spans {
                settle: n(cfg.settle_s),
                foot: n(FOOT_STEP_S),
                window: window_n,
                max: max_n,
                lift: cfg.lift_s.map(n),
                roll: n(ROLL_S),
            },
            ring: Ring::new(ring),
            env: vec![f64::NAN; ring],
            hist: vec![f64::NAN; ring * nch],
            k: 0,
            last_env: f64::NAN,
            mode: Mode::Idle,
            open: Open {
                start_level: 0.0,
                start_idx: 0,
                peak: 0.0,
                peak_idx: 0,
                min: 0.0,
                min_idx: 0,
                flat_level: 0.0,
                flat_idx: 0,
            },
            rest: Rest {
                base: VecDeque::with_capacity(window_n as usize + 2),
                idle_since: 0,
                last_rezero: 0,
                level: f64::NAN,
                sum: 0.0,
                count: 0,
                low: vec![f64::INFINITY; nch],
                spell_low: vec![f64::INFINITY; nch],
            },
            noise: Noise {
                step: 0.0,
                count: 0,
                rise: cfg.rise_mmhg,
                min_height: cfg.min_height_mmhg,
                edge_floor: cfg.edge_mmhg,
            },
            stuck: vec![false; nch],
            rezeros: Vec::new(),
            emitted_to: 0,
            settled_close: false,
            gaps: Dropouts {
                len: 0,
                from: 0,
                bridge_n: n(BRIDGE_S),
                pending_bridge: None,
                long: Vec::new(),
            },
            nch,
            cfg,
        })
    }

    /// Working samples taken so far.
    pub fn work_samples(&self) -> u64 {
        self.k
    }

    /// The chain was re-zeroed (the user says the hand is off the skin, and the chain now reads
    /// zero everywhere): the resting level seen so far is gone.
    pub fn tare(&mut self) {
        self.rest.base.clear();
    }

    /// The re-zeros asked of the chain at the last sample, not yet applied. A sample's
    /// requests are for that sample only: the next [`StrokeDetector::push`] drops any that were
    /// not applied, so a late one never moves the zero with a stale level.
    pub fn pending_rezeros(&self) -> &[Rezero] {
        &self.rezeros
    }

    /// Applies the re-zeros asked at the last sample to `chain`, the conditioning chain that
    /// feeds this detector, and takes back what it applied. The wiring calls this after each
    /// [`StrokeDetector::push`], before the chain's next sample: the one signal that flows back
    /// up the chain.
    #[inline]
    pub fn apply_rezeros(&mut self, chain: &mut Conditioner) {
        if self.rezeros.is_empty() {
            return;
        }
        let asked = std::mem::take(&mut self.rezeros);
        for r in &asked {
            let applied = chain.rezero(r.channel, r.level.0);
            self.rezeroed(r.channel, Mmhg(applied));
        }
        self.rezeros = asked;
        self.rezeros.clear();
    }

    /// The chain took `applied` off `channel` for a [`Rezero`] asked of it: that channel now
    /// reads 0 at this lift, which is its lift level.
    fn rezeroed(&mut self, channel: usize, applied: Mmhg) {
        if applied.0 == 0.0 {
            return;
        }
        if let Some(l) = self.rest.low.get_mut(channel) {
            *l = 0.0;
        }
        if let Some(l) = self.rest.spell_low.get_mut(channel) {
            *l -= applied.0;
        }
        self.rest.base.clear();
    }

    /// Time (seconds from the first row) of working-sample position `x` (may be fractional).
    fn time_of(&self, x: f64) -> f64 {
        let t = &self.timing;
        ((x + 1.0) * t.decimation as f64 - 1.0) / t.rate_hz - t.delay_s
    }

    #[inline(always)]
    fn env_at(&self, i: u64) -> f64 {
        self.env.get(self.ring.slot(i)).copied().unwrap_or(f64::NAN)
    }

    /// Takes the envelope stage's next working sample; finished strokes are appended to `out`.
    /// Samples must come in order, one for each the chain produced.
    #[inline]
    pub fn push(&mut self, sample: &EnvelopeSample<'_>, out: &mut Vec<Stroke>) {
        self.step(sample, out);
    }

    /// Ends the stream: a stroke still open is closed at the last sample.
    pub fn finish(&mut self, out: &mut Vec<Stroke>) {
        if self.k == 0 {
            return;
        }
        let last = self.k - 1;
        match self.mode {
            Mode::Idle => {}
            Mode::Rising => self.emit(last, self.last_env, Close::Forced, out),
            Mode::Falling => {
                let unsettled = last.saturating_sub(self.open.flat_idx) < self.n.settle
                    && self.last_env
                        > self.open.min + self.edge_tol(self.open.peak - self.open.min);
                if unsettled {
                    self.emit(last, self.open.min, Close::Forced, out);
                } else {
                    self.emit(self.open.min_idx, self.open.min, Close::Settled, out);
                }
            }
        }
        self.mode = Mode::Idle;
    }

    fn edge_tol(&self, height: f64) -> f64 {
        (self.cfg.edge_fraction * height).max(self.noise.edge_floor)
    }

    fn step(&mut self, sample: &EnvelopeSample<'_>, out: &mut Vec<Stroke>) {
        let k = self.k;
        debug_assert_eq!(sample.index, k, "envelope samples in order");
        debug_assert_eq!(sample.channels.len(), self.nch, "a value per channel");
        // Requests not applied after the last sample are stale.
        self.rezeros.clear();
        let slot = self.ring.slot(k);
        let fresh = sample.fresh;
        // A channel the sample does not give is not stuck and has no value (never a value
        // left in the ring from a lap ago).
        let n = sample.stuck.len();
        for (d, &st) in self.stuck.iter_mut().zip(sample.stuck) {
            *d = st;
        }
        self.stuck.iter_mut().skip(n).for_each(|d| *d = false);
        if let Some(h) = self.hist.get_mut(slot * self.nch..(slot + 1) * self.nch) {
            let n = sample.channels.len();
            for (d, &v) in h.iter_mut().zip(sample.channels) {
                *d = v;
            }
            h.iter_mut().skip(n).for_each(|d| *d = f64::NAN);
        }
        // No channel has ever given a value: nothing to detect yet.
        let e = if sample.value.is_nan() {
            self.last_env
        } else {
            sample.value
        };
        if let Some(s) = self.env.get_mut(slot) {
            *s = e;
        }
        self.k += 1;
        if !e.is_finite() {
            return;
        }
        if let Some(from) = sample.newly_stuck_from {
            self.drop_stuck_history(from, k);
            if self.mode != Mode::Idle && self.open.peak_idx + 1 >= from {
                // The open stroke's peak may be the stuck sensor's: look at the buffered
                // envelope again without it, from where that stroke began.
                self.replay(from, k, out);
                self.last_env = self.env_at(k);
                return;
            }
        }
        if !fresh && self.last_env.is_finite() {
            if self.gaps.len == 0 {
                self.gaps.from = k;
            }
            self.gaps.len += 1;
            if self.gaps.len == self.gaps.bridge_n + 1 && self.mode != Mode::Idle {
                // A long dropout ends the stroke where the data stopped.
                let end = self.gaps.from.saturating_sub(1).max(self.open.start_idx);
                let level = self.env_at(end);
                let (t0, t1) = (self.time_of(self.gaps.from as f64), self.time_of(k as f64));
                self.emit(end, level, Close::Forced, out);
                if self.gaps.long.len() < MAX_LONG_GAPS {
                    self.gaps.long.push((t0, t1));
                }
                self.enter_idle(k, k);
            }
        } else if fresh && self.gaps.len > 0 {
            if self.gaps.len <= self.gaps.bridge_n {
                // Bridge once the filters have risen to the new values (≈ their delay).
                self.gaps.pending_bridge = Some((self.gaps.from, k + self.n.foot));
            } else {
                // After a long gap the signal starts afresh: what it left off at is no rest.
                self.rest.base.clear();
                self.rest.idle_since = k;
                let (t0, t1) = (self.time_of(self.gaps.from as f64), self.time_of(k as f64));
                if let Some(g) = self.gaps.long.last_mut() {
                    if (g.0 - t0).abs() < 1e-9 {
                        g.1 = t1;
                    }
                }
            }
            self.gaps.len = 0;
        }
        if let Some((from, at)) = self.gaps.pending_bridge {
            if k >= at && self.gaps.len == 0 {
                self.bridge(from, k);
                self.gaps.pending_bridge = None;
            }
        }
        self.last_env = e;
        if self.gaps.len > self.gaps.bridge_n {
            return;
        }
        self.advance(k, e, out);
    }

    /// Runs the envelope state machine again over the buffered envelope, from the start of the
    /// open stroke (or `from`, if earlier) to `k`, without re-zeroing.
    fn replay(&mut self, from: u64, k: u64, out: &mut Vec<Stroke>) {
        let oldest = self.k.saturating_sub(self.ring.len() - 1);
        let s0 = self
            .open
            .start_idx
            .min(from)
            .max(oldest)
            .max(self.emitted_to);
        self.mode = Mode::Idle;
        self.rest.base.clear();
        self.rest.idle_since = s0;
        let lift = self.n.lift.take();
        for i in s0..=k {
            let e = self.env_at(i);
            if e.is_finite() {
                self.advance(i, e, out);
            }
        }
        self.n.lift = lift;
    }

    /// One step of the envelope state machine at working sample `k`.
    fn advance(&mut self, k: u64, e: f64, out: &mut Vec<Stroke>) {
        match self.mode {
            Mode::Idle => self.idle(k, e),
            Mode::Rising => {
                if e > self.open.peak {
                    self.open.peak = e;
                    self.open.peak_idx = k;
                }
                let height = self.open.peak - self.open.start_level;
                if self.open.peak - e >= (self.cfg.split_fraction * height).max(self.noise.rise) {
                    self.mode = Mode::Falling;
                    self.open.min = e;
                    self.open.min_idx = k;
                    self.open.flat_level = e;
                    self.open.flat_idx = k;
                } else if k - self.open.start_idx >= self.n.max {
                    self.emit(k, e, Close::Forced, out);
                    self.enter_idle(k, k);
                }
            }
            Mode::Falling => {
                if e < self.open.min {
                    self.open.min = e;
                    self.open.min_idx = k;
                }
                let height = self.open.peak - self.open.min;
                if e < self.open.flat_level - self.edge_tol(height) {
                    self.open.flat_level = e;
                    self.open.flat_idx = k;
                }
                let rerise = (RERISE_FRACTION * (self.open.peak - self.open.start_level))
                    .max(self.noise.rise);
                if e > self.open.min + rerise {
                    let (mi, m) = (self.open.min_idx, self.open.min);
                    self.emit(mi, m, Close::Settled, out);
                    self.start_stroke(m, mi, e, k);
                } else if k - self.open.flat_idx >= self.n.settle
                    && self.gaps.len == 0
                    && (self.channels_settled(k)
                        || k - self.open.flat_idx >= self.n.settle + self.n.roll)
                {
                    // Flat, and every fingertip back on its level (a rolling hand's last
                    // fingertip may still be on its way down under the others' contact).
                    let mi = self.open.min_idx;
                    let m = self.open.min;
                    self.settled_close = true;
                    self.emit(mi, m, Close::Settled, out);
                    self.settled_close = false;
                    self.enter_idle(mi, k);
                }
            }
        }
    }

    /// Whether every channel in use has been flat (within the edge tolerance of the stroke)
    /// over the last `settle_s`.
    fn channels_settled(&self, k: u64) -> bool {
        if self.nch < 2 {
            return true;
        }
        let tol = self.edge_tol(self.open.peak - self.open.min);
        let from = k.saturating_sub(self.n.settle);
        (0..self.nch).all(|c| {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for i in from..=k {
                let slot = self.ring.slot(i);
                if let Some(&v) = self.hist.get(slot * self.nch + c) {
                    if v.is_finite() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
            // No value at all counts as settled.
            hi - lo <= tol || hi < lo
        })
    }

    /// Rewrites the buffered envelope and peaks from `from` to before `k` without the channels
    /// now stuck.
    fn drop_stuck_history(&mut self, from: u64, k: u64) {
        let oldest = self.k.saturating_sub(self.ring.len() - 1);
        for i in from.max(oldest)..k {
            let slot = self.ring.slot(i);
            let Some(row) = self.hist.get_mut(slot * self.nch..(slot + 1) * self.nch) else {
                continue;
            };
            let mut e = f64::NEG_INFINITY;
            for (v, &st) in row.iter_mut().zip(&self.stuck) {
                if st {
                    *v = f64::NAN;
                } else if *v > e {
                    e = *v;
                }
            }
            if e.is_finite() {
                if let Some(s) = self.env.get_mut(slot) {
                    *s = e;
                }
            }
        }
    }

    /// A short dropout from `from` to before `k` ended: the held values become a straight line
    /// from the last sample before it to the first after it.
    fn bridge(&mut self, from: u64, k: u64) {
        if from == 0 || k <= from {
            return;
        }
        let a = from - 1;
        let n = (k - a) as f64;
        let sa = self.ring.slot(a);
        let sk = self.ring.slot(k);
        let (ea, ek) = (self.env_at(a), self.env_at(k));
        for i in from..k {
            let f = (i - a) as f64 / n;
            let slot = self.ring.slot(i);
            if let Some(s) = self.env.get_mut(slot) {
                *s = ea + (ek - ea) * f;
            }
            for c in 0..self.nch {
                let va = self
                    .hist
                    .get(sa * self.nch + c)
                    .copied()
                    .unwrap_or(f64::NAN);
                let vk = self
                    .hist
                    .get(sk * self.nch + c)
                    .copied()
                    .unwrap_or(f64::NAN);
                if let Some(v) = self.hist.get_mut(slot * self.nch + c) {
                    *v = va + (vk - va) * f;
                }
            }
        }
    }

    fn start_stroke(&mut self, level: f64, idx: u64, e: f64, k: u64) {
        self.mode = Mode::Rising;
        self.open.start_level = level;
        self.open.start_idx = idx;
        self.open.peak = e;
        self.open.peak_idx = k;
    }

    /// Back to idle with the rest tracker seeded from `from..=k`.
    fn enter_idle(&mut self, from: u64, k: u64) {
        self.mode = Mode::Idle;
        self.rest.base.clear();
        for s in &mut self.rest.spell_low {
            *s = f64::INFINITY;
        }
        self.rest.idle_since = from;
        let lo = from.max(k.saturating_sub(self.n.window));
        for i in lo..=k {
            let v = self.env_at(i);
            if v.is_finite() {
                self.push_base(i, v);
            }
        }
    }

    #[inline(always)]
    fn push_base(&mut self, i: u64, v: f64) {
        while self.rest.base.back().is_some_and(|&(_, b)| b >= v) {
            self.rest.base.pop_back();
        }
        self.rest.base.push_back((i, v));
        while self
            .rest
            .base
            .front()
            .is_some_and(|&(j, _)| j + self.n.window <= i)
        {
            self.rest.base.pop_front();
        }
    }

    fn idle(&mut self, k: u64, e: f64) {
        self.track_noise(k, e);
        self.push_base(k, e);
        let slot = self.ring.slot(k);
        if let Some(row) = self.hist.get(slot * self.nch..(slot + 1) * self.nch) {
            for (l, &v) in self.rest.spell_low.iter_mut().zip(row) {
                if v < *l {
                    *l = v;
                }
            }
        }
        let Some(&(bi, b)) = self.rest.base.front() else {
            return;
        };
        if e > b + self.noise.rise {
            if self.rest.idle_since + self.n.window / 2 <= k || !self.rest.level.is_finite() {
                // A stroke from a real rest (not straight off a release ledge).
                self.rest.level = b;
                self.rest.sum += b;
                self.rest.count += 1;
            }
            // The spell is over: its lowest levels join the session's lift levels.
            for (l, s) in self.rest.low.iter_mut().zip(&mut self.rest.spell_low) {
                *l = l.min(*s);
                *s = f64::INFINITY;
            }
            self.start_stroke(b, bi, e, k);
            return;
        }
        if let Some(lift) = self.n.lift {
            if k >= self.rest.idle_since + lift && k >= self.rest.last_rezero + lift {
                self.try_rezero(k, lift);
            }
        }
    }

    /// The hand has been idle for `lift` samples: if the envelope is flat, re-zero each channel
    /// that sits at its lift level (the lowest level of the earlier idle spells, reached by a
    /// step down off the skin). A channel resting on the skin above that level is real pressure
    /// (the resting contact), not drift, and keeps its reading.
    fn try_rezero(&mut self, k: u64, lift: u64) {
        self.rest.last_rezero = k;
        let span = (lift / 2).max(1);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for i in k + 1 - span..=k {
            let v = self.env_at(i);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        // NaN (no data) counts as not flat.
        if hi - lo > LIFT_FLAT_MMHG || hi.is_nan() || lo.is_nan() {
            return;
        }
        let quarter = (self.work_hz * REZERO_MEAN_S).max(1.0) as u64;
        for ch in 0..self.nch {
            if self.stuck.get(ch).copied().unwrap_or(true) {
                continue;
            }
            let (mut s, mut n) = (0.0, 0u32);
            for i in k + 1 - quarter.min(k + 1)..=k {
                let slot = self.ring.slot(i);
                if let Some(&v) = self.hist.get(slot * self.nch + ch) {
                    if v.is_finite() {
                        s += v;
                        n += 1;
                    }
                }
            }
            let lift_level = self.rest.low.get(ch).copied().unwrap_or(f64::INFINITY);
            if n == 0 || !lift_level.is_finite() {
                continue;
            }
            let level = s / n as f64;
            if level > lift_level + LIFT_TOL_MMHG {
                continue;
            }
            self.rezeros.push(Rezero {
                channel: ch,
                level: Mmhg(level),
            });
        }
    }

    /// Learns the envelope's noise floor from its steps while idle and sets the thresholds
    /// from it: a rise of [`RISE_SIGMA`] noise deviations starts a stroke, a height of
    /// [`HEIGHT_SIGMA`] makes one, an edge sits [`EDGE_SIGMA`] above its level — never below
    /// the configured floors (`rise_mmhg`, `min_height_mmhg`, `edge_mmhg`), so a quiet 12-bit
    /// glove keeps them and a noisy 10-bit one at 50 Hz raises them.
    fn track_noise(&mut self, k: u64, e: f64) {
        let prev = if k > 0 { self.env_at(k - 1) } else { f64::NAN };
        let d = (e - prev).abs();
        if !d.is_finite() {
            return;
        }
        self.noise.count += 1;
        let n = self.noise.count as f64;
        // Robust: a step far above the floor (a slip, the rise of a touch-down) counts only
        // up to 3× the floor; a running mean over ~5 s of idle.
        let m = if self.noise.count > 20 {
            d.min(3.0 * self.noise.step)
        } else {
            d
        };
        let a = (1.0 / n).max(1.0 / (5.0 * self.work_hz));
        self.noise.step += a * (m - self.noise.step);
        if self.noise.count > 20 {
            // Low-passed white noise: σ ≈ 2 × its mean absolute step.
            let sigma = NOISE_PER_STEP * self.noise.step;
            self.noise.rise = self.cfg.rise_mmhg.max(RISE_SIGMA * sigma);
            self.noise.min_height = self.cfg.min_height_mmhg.max(HEIGHT_SIGMA * sigma);
            self.noise.edge_floor = self.cfg.edge_mmhg.max(EDGE_SIGMA * sigma);
        }
    }

    /// Thresholds in force now (mmHg): rise, height, edge floor (see the noise floor).
    pub fn thresholds(&self) -> (f64, f64, f64) {
        (
            self.noise.rise,
            self.noise.min_height,
            self.noise.edge_floor,
        )
    }

    /// The mean resting contact (mmHg above the lift level) the hand kept between strokes, over
    /// the strokes so far that rose from a rest; `None` before the first.
    pub fn resting_contact(&self) -> Option<f64> {
        (self.rest.count > 0).then(|| self.rest.sum / self.rest.count as f64)
    }

    /// Dropouts longer than [`BRIDGE_S`] that ended a stroke: (from, to), seconds from the first
    /// sample.
    pub fn long_gaps(&self) -> &[(f64, f64)] {
        &self.gaps.long
    }

    /// Builds and appends the stroke of the current state, ending at working sample `end_idx`
    /// whose release level is `end_level`; `Close::Forced` closes it there without looking for the
    /// return to the level.
    fn emit(&mut self, end_idx: u64, end_level: f64, close: Close, out: &mut Vec<Stroke>) {
        let height = self.open.peak - self.open.start_level;
        if height < self.noise.min_height || !height.is_finite() {
            return;
        }
        let oldest = self.k.saturating_sub(self.ring.len());
        let lo = self.open.start_idx.max(oldest);
        let lo0 = lo;
        let pk = self.open.peak_idx.max(lo);
        // The level the final rise left: the base minimum, or a plateau above it (the resting
        // level after the hand touched down from a lift).
        let foot = self
            .foot(pk, lo, self.open.start_level, height, Flank::Rise)
            .or_else(|| self.rest_foot(pk, lo, self.open.start_level, height));
        let (start_level, lo) = match foot {
            Some((j, level)) => (level, j),
            None => (self.open.start_level, lo),
        };
        // Onset: the last departure from the start level before the peak.
        let thr_on = start_level + self.edge_tol(self.open.peak - start_level);
        let mut onset = lo as f64;
        let mut j = pk;
        while j > lo {
            let (a, b) = (self.env_at(j - 1), self.env_at(j));
            if a <= thr_on {
                onset = crossing(j - 1, a, b, thr_on);
                break;
            }
            j -= 1;
        }
        // Offset: the first return to the release level after the peak (or to a plateau above
        // the final minimum: the resting level before the hand lifted off).
        let end_idx = end_idx.max(pk);
        let mut offset = end_idx as f64;
        let mut end_level = end_level;
        if close == Close::Settled {
            if let Some((_, level)) = self.foot(
                pk,
                end_idx,
                end_level,
                self.open.peak - end_level,
                Flank::Fall,
            ) {
                end_level = level;
            }
            let thr_off = end_level + self.edge_tol(self.open.peak - end_level);
            let mut j = pk;
            while j < end_idx {
                let (a, b) = (self.env_at(j), self.env_at(j + 1));
                if b <= thr_off {
                    offset = crossing(j, a, b, thr_off);
                    break;
                }
                j += 1;
            }
        }
        if close == Close::Settled && self.open.peak - end_level < self.noise.min_height {
            // It settled well above where it rose from, without standing out of that level:
            // the hand touching down onto the skin, not a stroke.
            return;
        }
        // Each fingertip's own departure and return (a rolling hand): the stroke starts when
        // the first one leaves its resting level and ends when the last is back on it.
        let w = (ROLL_S * self.work_hz).ceil() as u64;
        // After a touch-down plateau, fingertips are looked at from a little before its end
        // (within the plateau, never back in the touch-down itself).
        let lo_edge = if lo != lo0 {
            let knee_n = (FOOT_KNEE_S * self.work_hz).ceil() as u64;
            lo.saturating_sub(knee_n).max(lo0)
        } else {
            lo0
        };
        let (on, off) = self.fingertip_edges(lo_edge, pk, end_idx, onset, offset, close, w);
        let (onset, offset) = (on, off);
        if (offset - onset) / self.work_hz < self.cfg.min_duration_s {
            return;
        }
        let i0 = onset.floor().max(lo as f64) as u64;
        let i1 = (offset.ceil() as u64).min(self.k.saturating_sub(1)).max(i0);
        let mut channel_peaks = vec![Mmhg(f64::NAN); self.nch];
        for i in i0..=i1 {
            let slot = self.ring.slot(i);
            if let Some(row) = self.hist.get(slot * self.nch..(slot + 1) * self.nch) {
                for (p, &v) in channel_peaks.iter_mut().zip(row) {
                    if v.is_finite() && (p.0.is_nan() || v > p.0) {
                        p.0 = v;
                    }
                }
            }
        }
        let dur_s = (offset - onset) / self.work_hz;
        let n_env =
            ((dur_s * Stroke::ENVELOPE_RATE_HZ).floor() as usize + 1).min(MAX_ENVELOPE_SAMPLES);
        let step = self.work_hz / Stroke::ENVELOPE_RATE_HZ;
        let envelope = (0..n_env)
            .map(|m| {
                let x = onset + m as f64 * step;
                let i = x.floor().max(0.0) as u64;
                let f = x - i as f64;
                let (a, b) = (self.env_at(i), self.env_at(i + 1));
                let v = if b.is_finite() { a + (b - a) * f } else { a };
                v as f32
            })
            .collect();
        let rest = if self.rest.level.is_finite() {
            self.rest.level
        } else {
            self.open.start_level
        };
        self.emitted_to = self.emitted_to.max(offset.ceil() as u64);
        out.push(Stroke {
            onset_s: self.time_of(onset),
            offset_s: self.time_of(offset),
            peak_s: self.time_of(self.open.peak_idx as f64),
            peak: Mmhg(self.open.peak),
            channel_peaks,
            start_level: Mmhg(start_level),
            release_level: Mmhg(end_level),
            rest_level: Mmhg(rest),
            envelope,
        });
    }
}

impl StrokeDetector {
    /// Moves `onset` earlier and `offset` later (by at most `w` working samples) to where a
    /// fingertip that carries at least [`FINGER_SHARE`] of the stroke leaves its own level
    /// before its peak, and returns to it after. `lo..=end` bounds the stroke, `pk` is the peak
    /// of the envelope.
    #[allow(clippy::too_many_arguments)]
    fn fingertip_edges(
        &self,
        lo: u64,
        pk: u64,
        end: u64,
        onset: f64,
        offset: f64,
        close: Close,
        w: u64,
    ) -> (f64, f64) {
        let (mut on, mut off) = (onset, offset);
        if self.nch < 2 {
            return (on, off);
        }
        let height = self.open.peak - self.open.start_level;
        let at = |i: u64, c: usize| {
            let slot = self.ring.slot(i);
            self.hist
                .get(slot * self.nch + c)
                .copied()
                .unwrap_or(f64::NAN)
        };
        let a = (onset.floor() as u64).saturating_sub(w).max(lo);
        // Closed on a flat release, the data up to now is this stroke's; split by a new rise,
        // only up to the dip.
        let limit = if self.settled_close {
            self.k.saturating_sub(1)
        } else {
            end
        };
        let b = ((offset.ceil() as u64) + w).min(limit).max(pk);
        for c in 0..self.nch {
            // The fingertip's own peak within the stroke.
            let (mut pv, mut pi) = (f64::NEG_INFINITY, pk);
            for i in a..=b {
                let v = at(i, c);
                if v > pv {
                    pv = v;
                    pi = i;
                }
            }
            if !pv.is_finite() {
                continue;
            }
            let lvl_on = (a..=pi).map(|i| at(i, c)).fold(f64::INFINITY, f64::min);
            let rise = pv - lvl_on;
            if !(rise >= FINGER_SHARE * height && rise >= self.noise.min_height) {
                continue;
            }
            let thr = lvl_on + self.edge_tol(rise);
            let mut j = pi;
            while j > a {
                let (u, v) = (at(j - 1, c), at(j, c));
                if u <= thr {
                    on = on.min(crossing(j - 1, u, v, thr));
                    break;
                }
                j -= 1;
            }
            if close == Close::Forced {
                continue;
            }
            let lvl_off = (pi..=b).map(|i| at(i, c)).fold(f64::INFINITY, f64::min);
            let thr = lvl_off + self.edge_tol(pv - lvl_off);
            let mut j = pi;
            while j < b {
                let (u, v) = (at(j, c), at(j + 1, c));
                if v <= thr {
                    off = off.max(crossing(j, u, v, thr));
                    break;
                }
                j += 1;
            }
        }
        (on, off)
    }

    /// A plateau the stroke's flank starts (or ends) on, between the peak `pk` and `bound`
    /// (before the peak for `Flank::Rise`): from the flank's half-height point, walk away from the
    /// peak until the change over 50 ms falls below a tenth of the change at half height. It
    /// counts only if it lies clearly above `base` and below half of `height` (so the dip of a
    /// double hump is never taken for it). Returns its index and level.
    fn foot(
        &self,
        pk: u64,
        bound: u64,
        base: f64,
        height: f64,
        flank: Flank,
    ) -> Option<(u64, f64)> {
        let forward = flank == Flank::Fall;
        let w = self.n.foot;
        let half = base + 0.5 * height;
        let step = |j: u64| if forward { j + 1 } else { j.wrapping_sub(1) };
        let inside = |j: u64| {
            if forward {
                j + w <= bound
            } else {
                j >= bound + w
            }
        };
        // Change over `w` samples walking away from the peak (positive on the flank).
        let drop = |j: u64| {
            if forward {
                self.env_at(j) - self.env_at(j + w)
            } else {
                self.env_at(j) - self.env_at(j - w)
            }
        };
        let mut j = pk;
        while inside(j) && self.env_at(j) > half {
            j = step(j);
        }
        if !inside(j) {
            return None;
        }
        let s50 = drop(j);
        if s50.is_nan() || s50 <= 0.0 {
            return None;
        }
        while inside(j) && drop(j) > 0.1 * s50 {
            j = step(j);
        }
        if !inside(j) {
            return None;
        }
        let level = self.env_at(j);
        // Clearly above the base: more than the knee of a smooth rise (6 % of the height).
        let tol = self.edge_tol(height);
        if !(level > base + tol && level < base + 0.5 * height) {
            return None;
        }
        if !forward {
            // A plateau the hand rested on, not the knee of a smooth rise: flat for a while
            // before the rise leaves it.
            let n = (FOOT_KNEE_S * self.work_hz).ceil() as u64;
            if j < bound + n {
                return None;
            }
            let (mut lo, mut hi) = (level, level);
            for i in j - n..j {
                let v = self.env_at(i);
                lo = lo.min(v);
                hi = hi.max(v);
            }
            if hi - lo > (2.0 * tol).max(FOOT_KNEE_MMHG) || lo <= base + tol {
                return None;
            }
        }
        Some((j, level))
    }

    /// The resting contact a stroke rose from after the hand touched down (`bound..pk`): the
    /// flat spell nearest before the peak `pk` ([`FOOT_FLAT_S`] within [`FOOT_BAND_MMHG`])
    /// lying clearly above `base`, at most [`FOOT_MAX_MMHG`] above it and below 70 % of
    /// `height` (so a creeping plateau is never taken for it), with the stroke standing a
    /// stroke's height above it. Returns the spell's end and level.
    fn rest_foot(&self, pk: u64, bound: u64, base: f64, height: f64) -> Option<(u64, f64)> {
        let flat_n = (FOOT_FLAT_S * self.work_hz).ceil() as u64;
        let tol = self.edge_tol(height);
        let band = tol.max(FOOT_BAND_MMHG);
        let top = (base + 0.7 * height)
            .min(base + FOOT_MAX_MMHG)
            .min(self.open.peak - self.noise.min_height);
        let mut j = pk;
        while j >= bound + flat_n && j > 0 {
            let level = self.env_at(j);
            if level <= base + tol {
                return None;
            }
            if level < top {
                let (mut lo, mut hi) = (level, level);
                for i in j - flat_n..j {
                    let v = self.env_at(i);
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                // The whole spell well above the lifted level: a contact, not the foot of
                // the rise itself.
                if hi - lo <= band && lo > base + 2.0 * band {
                    return Some((j, level));
                }
            }
            j -= 1;
        }
        None
    }
}

/// Fractional index where the segment from `(i, a)` to `(i+1, b)` crosses `level`.
fn crossing(i: u64, a: f64, b: f64, level: f64) -> f64 {
    let d = b - a;
    let f = if d.abs() > 1e-12 {
        ((level - a) / d).clamp(0.0, 1.0)
    } else {
        0.0
    };
    i as f64 + f
}

#[cfg(test)]
mod tests {
    //! The detector fed alone: an envelope written here, no conditioning chain in front.
    use super::*;

    const RATE: f64 = 100.0;

    fn timing() -> Timing {
        Timing {
            rate_hz: RATE,
            decimation: 1,
            delay_s: 0.0,
        }
    }

    /// Sample `k` of a one-channel envelope (`v`: its one value), never stuck.
    fn one(k: u64, v: &[f64; 1], fresh: bool) -> EnvelopeSample<'_> {
        EnvelopeSample {
            index: k,
            value: v[0],
            channels: v,
            stuck: &[false],
            fresh,
            newly_stuck_from: None,
        }
    }

    /// Feeds `f(t)` as a one-channel envelope for `secs`; returns the strokes and the detector.
    fn run(f: impl Fn(f64) -> f64, secs: f64) -> (Vec<Stroke>, StrokeDetector) {
        let mut d = StrokeDetector::new(1, timing(), DetectorConfig::default()).unwrap();
        let mut out = Vec::new();
        for k in 0..(secs * RATE) as u64 {
            let v = [f(k as f64 / RATE)];
            d.push(&one(k, &v, true), &mut out);
        }
        d.finish(&mut out);
        (out, d)
    }

    /// A raised-cosine stroke of `h` mmHg over `base`, from `t0` for `dur` seconds.
    fn stroke(t: f64, t0: f64, dur: f64, h: f64) -> f64 {
        if t < t0 || t > t0 + dur {
            0.0
        } else {
            h * (0.5 - 0.5 * (2.0 * std::f64::consts::PI * (t - t0) / dur).cos())
        }
    }

    #[test]
    fn strokes_in_an_envelope_are_found_with_their_edges() {
        let starts = [2.0, 3.2, 4.4, 5.6];
        let (out, _) = run(
            |t| 2.0 + starts.iter().map(|&s| stroke(t, s, 0.6, 30.0)).sum::<f64>(),
            8.0,
        );
        assert_eq!(out.len(), starts.len(), "{out:?}");
        for (s, &t0) in out.iter().zip(&starts) {
            assert!((s.peak.0 - 32.0).abs() < 0.01, "peak {}", s.peak.0);
            assert!(
                (s.peak_s - (t0 + 0.3)).abs() <= 0.011,
                "peak at {}",
                s.peak_s
            );
            // The edges sit where the stroke leaves and regains its level, within the edge
            // tolerance (a few per cent of the height) of it.
            assert!(
                s.onset_s > t0 && s.onset_s < t0 + 0.1,
                "onset {}",
                s.onset_s
            );
            let t1 = t0 + 0.6;
            assert!(
                s.offset_s < t1 && s.offset_s > t1 - 0.1,
                "offset {}",
                s.offset_s
            );
            assert!((s.start_level.0 - 2.0).abs() < 0.01);
        }
    }

    #[test]
    fn a_lifted_still_hand_asks_the_chain_to_rezero() {
        // A stroke from 3 mmHg, back to 3 mmHg and still for longer than `lift_s`: the
        // channel is at its lift level, so the 3 mmHg is drift, to be taken off. The request
        // is for the sample it was asked at: the next sample drops it, unapplied.
        let mut d = StrokeDetector::new(1, timing(), DetectorConfig::default()).unwrap();
        let mut out = Vec::new();
        let mut asked = Vec::new();
        for k in 0..300u64 {
            let v = [3.0 + stroke(k as f64 / RATE, 1.0, 0.6, 30.0)];
            d.push(&one(k, &v, true), &mut out);
            asked.extend(d.pending_rezeros().iter().map(|r| (k, *r)));
        }
        assert_eq!(out.len(), 1);
        assert_eq!(asked.len(), 1, "{asked:?}");
        let (at, r) = asked[0];
        assert_eq!(r.channel, 0);
        assert!((r.level.0 - 3.0).abs() < 1e-9, "{r:?}");
        // Asked once idle and flat for `lift_s` after the stroke (back at 3 mmHg by 1.6 s).
        let lift = DetectorConfig::default().lift_s.unwrap();
        assert!(at as f64 / RATE > 1.6 + lift - 0.2 && (at as f64 / RATE) < 1.6 + lift + 0.1);
        assert!(d.pending_rezeros().is_empty(), "dropped at the next sample");
    }

    #[test]
    fn a_sensor_found_stuck_mid_stroke_is_taken_out_of_that_stroke() {
        // Channel 1 reads 20 mmHg throughout: until the envelope stage says it is stuck, the
        // envelope is at least 20, and the stroke on channel 0 seems to rise from 20. Told so
        // mid-rise (from the first sample on), the detector looks at the stroke again without
        // it: it rises from channel 0's own 2 mmHg.
        let mut d = StrokeDetector::new(2, timing(), DetectorConfig::default()).unwrap();
        let mut out = Vec::new();
        let told = 220u64;
        for k in 0..600u64 {
            let t = k as f64 / RATE;
            let s0 = 2.0 + stroke(t, 2.0, 0.6, 30.0) + stroke(t, 4.0, 0.6, 30.0);
            let stuck = k >= told;
            let v = [s0, if stuck { f64::NAN } else { 20.0 }];
            let s = EnvelopeSample {
                index: k,
                value: s0.max(if stuck { f64::NAN } else { 20.0 }),
                channels: &v,
                stuck: &[false, stuck],
                fresh: true,
                newly_stuck_from: (k == told).then_some(0),
            };
            d.push(&s, &mut out);
        }
        d.finish(&mut out);
        assert_eq!(out.len(), 2, "{out:?}");
        for (s, t0) in out.iter().zip([2.0, 4.0]) {
            assert!(
                (s.start_level.0 - 2.0).abs() < 0.01,
                "from {}",
                s.start_level.0
            );
            assert!((s.peak.0 - 32.0).abs() < 0.01);
            assert!((s.onset_s - t0).abs() < 0.1, "onset {}", s.onset_s);
            assert!(
                s.channel_peaks[1].0.is_nan(),
                "no peak of the stuck channel"
            );
        }
    }

    #[test]
    fn a_dropout_longer_than_the_bridge_ends_the_stroke_where_the_data_stopped() {
        let mut d = StrokeDetector::new(1, timing(), DetectorConfig::default()).unwrap();
        let mut out = Vec::new();
        let (gap_from, gap_to) = (220u64, 260u64);
        let mut held = f64::NAN;
        for k in 0..500u64 {
            let fresh = !(gap_from..gap_to).contains(&k);
            if fresh {
                held = 2.0 + stroke(k as f64 / RATE, 2.0, 0.6, 30.0);
            }
            // In a dropout the chain holds every channel's last value.
            let v = [held];
            d.push(&one(k, &v, fresh), &mut out);
        }
        d.finish(&mut out);
        assert_eq!(d.long_gaps().len(), 1, "{:?}", d.long_gaps());
        let (a, b) = d.long_gaps()[0];
        assert!((a - 2.2).abs() < 0.02 && (b - 2.6).abs() < 0.02, "{a}..{b}");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            (out[0].offset_s - 2.19).abs() < 0.02,
            "ended where the data stopped: {}",
            out[0].offset_s
        );
    }

    #[test]
    fn the_chain_takes_the_rezero_and_the_detector_its_answer() {
        // The same stroke through a real conditioning chain whose output the detector reads:
        // after the lift, the chain reads zero (drift removed), and the next stroke rises from
        // there.
        let cfg = DetectorConfig::default();
        let mut cond = Conditioner::new(RATE, 1, &cfg.chain).unwrap();
        let t = Timing::of(&cond);
        let mut env = super::super::envelope::Envelope::new(1, t);
        let mut d = StrokeDetector::new(1, t, cfg).unwrap();
        let mut out = Vec::new();
        let mut asked = Vec::new();
        for k in 0..600u64 {
            let x = k as f64 / RATE;
            if cond.push(&[3.0 + stroke(x, 1.0, 0.6, 30.0) + stroke(x, 4.0, 0.6, 30.0)]) {
                d.push(&env.push(cond.current(), cond.had_data()), &mut out);
                asked.extend(d.pending_rezeros().iter().map(|r| r.level.0));
                d.apply_rezeros(&mut cond);
                assert!(d.pending_rezeros().is_empty());
            }
            if k == 390 {
                assert!(cond.current()[0].abs() < 1e-6, "{}", cond.current()[0]);
            }
        }
        d.finish(&mut out);
        // The first lift takes off the 3 mmHg; every later one finds (about) nothing left.
        assert!((asked[0] - 3.0).abs() < 1e-6, "{asked:?}");
        assert!(asked[1..].iter().all(|l| l.abs() < 0.05), "{asked:?}");
        assert!((cond.drift().total_shift()[0] - 3.0).abs() < 0.05);
        assert_eq!(out.len(), 2);
        assert!(
            (out[0].start_level.0 - 3.0).abs() < 0.05,
            "{}",
            out[0].start_level.0
        );
        // From the re-zeroed rest (within the edge of a 30 mmHg stroke), not from 3 mmHg.
        assert!(out[1].start_level.0.abs() < 0.5, "{}", out[1].start_level.0);
        assert!((out[1].peak.0 - 30.0).abs() < 0.5, "{}", out[1].peak.0);
    }
}
