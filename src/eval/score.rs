//! Scores of one file and of a whole dataset: detection precision/recall/F1 (onsets, and
//! onsets+offsets), timing and peak errors, and the grade confusion, pooled two ways as WFDB's
//! `bxb`/`sumstats` do — *gross* (all strokes of all files together) and *average* (the mean of
//! the per-file figures).

use super::matching::{match_onsets, match_onsets_offsets, Interval};
use crate::bids::EventRow;
use crate::grade::Grade;
use crate::session::Stroke;
use crate::units::Mmhg;
use serde::{Deserialize, Serialize};

/// Collar presets of the usual scoring tools (mir_eval, WFDB `bxb`, DCASE `sed_eval`), each
/// named at its constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Collar {
    /// Onsets match within this many seconds.
    pub onset_s: f64,
    /// Offsets match within `max(onset_s, offset_ratio × reference duration)`.
    pub offset_ratio: f64,
}

impl Collar {
    /// mir_eval `onset.f_measure` / `transcription`: 50 ms, offsets 20 %.
    pub const MIR_EVAL: Collar = Collar {
        onset_s: 0.050,
        offset_ratio: 0.2,
    };
    /// WFDB `bxb` (ANSI/AAMI EC38/EC57): 150 ms; offsets 20 %.
    pub const BXB: Collar = Collar {
        onset_s: 0.150,
        offset_ratio: 0.2,
    };
    /// DCASE `sed_eval` event-based: t_collar 200 ms, offsets 20 % of the reference length.
    pub const DCASE: Collar = Collar {
        onset_s: 0.200,
        offset_ratio: 0.2,
    };
}

/// The target window strokes are graded against (edges inside), and the margin beyond which a
/// stroke's grade is unambiguous.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradeWindow {
    /// Lowest pressure in the window.
    pub low: Mmhg,
    /// Highest pressure in the window.
    pub high: Mmhg,
    /// Grade agreement counts only strokes whose reference peak is more than this far from
    /// both edges: near an edge, a fraction of a mmHg flips the grade and says nothing about
    /// the detector.
    pub clear_margin: Mmhg,
}

impl Default for GradeWindow {
    /// The `default` profile's window (`profiles/default.toml`), 2.5 mmHg margin.
    fn default() -> Self {
        Self::of(&crate::grade::Profile::default_profile())
    }
}

impl GradeWindow {
    /// A profile's window, with the 2.5 mmHg edge margin (a convention of the benchmark: a
    /// little more than the ±2 mmHg an uncalibrated sensor is off by at 35 mmHg).
    pub fn of(profile: &crate::grade::Profile) -> Self {
        Self {
            low: profile.window.lo_mmhg,
            high: profile.window.hi_mmhg,
            clear_margin: Mmhg(2.5),
        }
    }

    /// The grade of a peak: the grader's own rule ([`crate::grade::profile::grade_in_window`]).
    pub fn grade(&self, peak: Mmhg) -> Grade {
        crate::grade::profile::grade_in_window(peak, self.low, self.high)
    }

    /// Whether `peak` is more than the margin from both edges.
    pub fn is_clear(&self, peak: Mmhg) -> bool {
        (peak.0 - self.low.0).abs() > self.clear_margin.0
            && (peak.0 - self.high.0).abs() > self.clear_margin.0
    }
}

/// One stroke as the scorer sees it, reference or estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredEvent {
    /// Start, seconds from the first sample.
    pub onset_s: f64,
    /// End, seconds.
    pub offset_s: f64,
    /// Peak pressure, if known.
    pub peak: Option<Mmhg>,
    /// Grade, if given (used only when there is no peak to grade).
    pub grade: Option<Grade>,
}

impl ScoredEvent {
    /// The grade against `window`: from the peak if known, else the given grade.
    pub fn grade_in(&self, window: &GradeWindow) -> Option<Grade> {
        self.peak.map(|p| window.grade(p)).or(self.grade)
    }
}

/// A grade from its serde name (`too_light`, `in_window`, `too_hard`).
pub fn parse_grade(s: &str) -> Option<Grade> {
    Grade::ALL.into_iter().find(|g| g.as_str() == s)
}

impl From<&EventRow> for ScoredEvent {
    fn from(e: &EventRow) -> Self {
        Self {
            onset_s: e.onset_s,
            offset_s: e.offset_s(),
            peak: e.peak,
            grade: e.grade.as_deref().and_then(parse_grade),
        }
    }
}

impl From<&Stroke> for ScoredEvent {
    fn from(s: &Stroke) -> Self {
        Self {
            onset_s: s.onset_s,
            offset_s: s.offset_s,
            peak: Some(s.peak),
            grade: None,
        }
    }
}

/// Rows are the reference grade, columns the estimate's, both in [`Grade::ALL`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// The labels of rows and columns.
    pub labels: [Grade; 3],
    /// `matrix[reference][estimate]` counts of onset-matched pairs.
    pub matrix: [[u64; 3]; 3],
}

impl Default for Confusion {
    fn default() -> Self {
        Self::new()
    }
}

impl Confusion {
    /// All zeros.
    pub fn new() -> Self {
        Self {
            labels: Grade::ALL,
            matrix: [[0; 3]; 3],
        }
    }

    fn index(g: Grade) -> usize {
        match g {
            Grade::TooLight => 0,
            Grade::InWindow => 1,
            Grade::TooHard => 2,
        }
    }

    fn add(&mut self, reference: Grade, estimate: Grade) {
        if let Some(cell) = self
            .matrix
            .get_mut(Self::index(reference))
            .and_then(|row| row.get_mut(Self::index(estimate)))
        {
            *cell += 1;
        }
    }
}

/// Counts and sums for one file; adding tallies pools files (the gross figures).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Reference strokes.
    pub n_ref: u64,
    /// Estimated strokes.
    pub n_est: u64,
    /// Onset matches.
    pub matched: u64,
    /// Onset-and-offset matches.
    pub matched_onset_offset: u64,
    /// Sum of |onset error| over onset matches, seconds.
    pub onset_abs_sum_s: f64,
    /// Sum of |offset error| over onset matches, seconds.
    pub offset_abs_sum_s: f64,
    /// Onset matches where both peaks are known.
    pub peak_pairs: u64,
    /// Sum of |estimated − reference peak|, mmHg.
    pub peak_abs_sum_mmhg: f64,
    /// Sum of estimated − reference peak, mmHg.
    pub peak_signed_sum_mmhg: f64,
    /// Grades of onset matches.
    pub confusion: Confusion,
    /// Onset matches whose reference peak is clear of the window edges.
    pub clear_pairs: u64,
    /// … of which the grades agree.
    pub clear_agree: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            n_ref: 0,
            n_est: 0,
            matched: 0,
            matched_onset_offset: 0,
            onset_abs_sum_s: 0.0,
            offset_abs_sum_s: 0.0,
            peak_pairs: 0,
            peak_abs_sum_mmhg: 0.0,
            peak_signed_sum_mmhg: 0.0,
            confusion: Confusion::new(),
            clear_pairs: 0,
            clear_agree: 0,
        }
    }
}

impl Tally {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Tally) {
        self.n_ref += other.n_ref;
        self.n_est += other.n_est;
        self.matched += other.matched;
        self.matched_onset_offset += other.matched_onset_offset;
        self.onset_abs_sum_s += other.onset_abs_sum_s;
        self.offset_abs_sum_s += other.offset_abs_sum_s;
        self.peak_pairs += other.peak_pairs;
        self.peak_abs_sum_mmhg += other.peak_abs_sum_mmhg;
        self.peak_signed_sum_mmhg += other.peak_signed_sum_mmhg;
        for (row, o) in self
            .confusion
            .matrix
            .iter_mut()
            .zip(&other.confusion.matrix)
        {
            for (c, oc) in row.iter_mut().zip(o) {
                *c += oc;
            }
        }
        self.clear_pairs += other.clear_pairs;
        self.clear_agree += other.clear_agree;
    }

    /// The figures these counts give.
    pub fn metrics(&self) -> Metrics {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        let mean = |s: f64, n: u64| (n > 0).then(|| s / n as f64);
        let f1 = |m: u64| {
            (self.n_ref + self.n_est > 0).then(|| 2.0 * m as f64 / (self.n_ref + self.n_est) as f64)
        };
        Metrics {
            n_ref: self.n_ref as f64,
            n_est: self.n_est as f64,
            matched: self.matched as f64,
            precision: ratio(self.matched, self.n_est),
            recall: ratio(self.matched, self.n_ref),
            f1: f1(self.matched),
            f1_onset_offset: f1(self.matched_onset_offset),
            onset_mae_s: mean(self.onset_abs_sum_s, self.matched),
            offset_mae_s: mean(self.offset_abs_sum_s, self.matched),
            peak_mae_mmhg: mean(self.peak_abs_sum_mmhg, self.peak_pairs),
            peak_bias_mmhg: mean(self.peak_signed_sum_mmhg, self.peak_pairs),
            grade_agreement: ratio(self.clear_agree, self.clear_pairs),
            grade_agreement_all: {
                let m = &self.confusion.matrix;
                let total: u64 = m.iter().flatten().sum();
                let diag: u64 = (0..3).map(|i| m[i][i]).sum();
                ratio(diag, total)
            },
            confusion: self.confusion,
        }
    }
}

/// The figures of a file, or of a dataset pooled one way. `None` where undefined (no strokes
/// to divide by); serialised as `null`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Reference strokes (in an average: the mean per file).
    pub n_ref: f64,
    /// Estimated strokes (in an average: the mean per file).
    pub n_est: f64,
    /// Onset matches (in an average: the mean per file).
    pub matched: f64,
    /// Matches / estimates.
    pub precision: Option<f64>,
    /// Matches / references.
    pub recall: Option<f64>,
    /// 2 × matches / (references + estimates).
    pub f1: Option<f64>,
    /// F1 when offsets must match too.
    pub f1_onset_offset: Option<f64>,
    /// Mean |onset error| over onset matches, seconds.
    pub onset_mae_s: Option<f64>,
    /// Mean |offset error| over onset matches, seconds.
    pub offset_mae_s: Option<f64>,
    /// Mean |peak error|, mmHg.
    pub peak_mae_mmhg: Option<f64>,
    /// Mean signed peak error (estimate − reference), mmHg.
    pub peak_bias_mmhg: Option<f64>,
    /// Share of clear strokes (reference peak beyond the margin of both edges) graded alike:
    /// the detector's agreement, with strokes near an edge left out.
    pub grade_agreement: Option<f64>,
    /// Share of all onset-matched strokes graded alike, edges included (the confusion matrix's
    /// diagonal over its total).
    #[serde(default)]
    pub grade_agreement_all: Option<f64>,
    /// Grades of onset matches (in an average: pooled, as in the gross figures).
    pub confusion: Confusion,
}

/// Scores one file's estimates against its reference.
pub fn score_file(
    reference: &[ScoredEvent],
    estimate: &[ScoredEvent],
    collar: Collar,
    window: &GradeWindow,
) -> Tally {
    let onsets = |v: &[ScoredEvent]| v.iter().map(|e| e.onset_s).collect::<Vec<_>>();
    let intervals = |v: &[ScoredEvent]| {
        v.iter()
            .map(|e| Interval {
                onset_s: e.onset_s,
                offset_s: e.offset_s,
            })
            .collect::<Vec<_>>()
    };
    let pairs = match_onsets(&onsets(reference), &onsets(estimate), collar.onset_s);
    let both = match_onsets_offsets(
        &intervals(reference),
        &intervals(estimate),
        collar.onset_s,
        collar.offset_ratio,
    );
    let mut t = Tally {
        n_ref: reference.len() as u64,
        n_est: estimate.len() as u64,
        matched: pairs.len() as u64,
        matched_onset_offset: both.len() as u64,
        ..Tally::default()
    };
    for (r, e) in pairs {
        let (Some(r), Some(e)) = (reference.get(r), estimate.get(e)) else {
            continue;
        };
        t.onset_abs_sum_s += (e.onset_s - r.onset_s).abs();
        t.offset_abs_sum_s += (e.offset_s - r.offset_s).abs();
        if let (Some(rp), Some(ep)) = (r.peak, e.peak) {
            t.peak_pairs += 1;
            t.peak_abs_sum_mmhg += (ep.0 - rp.0).abs();
            t.peak_signed_sum_mmhg += ep.0 - rp.0;
        }
        if let (Some(rg), Some(eg)) = (r.grade_in(window), e.grade_in(window)) {
            t.confusion.add(rg, eg);
            if r.peak.is_some_and(|p| window.is_clear(p)) {
                t.clear_pairs += 1;
                t.clear_agree += u64::from(rg == eg);
            }
        }
    }
    t
}

/// A dataset's figures, pooled both ways.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// All strokes of all files together.
    pub gross: Metrics,
    /// The mean over files of each per-file figure (files where it is undefined left out).
    pub average: Metrics,
}

/// Pools per-file tallies, gross and average.
pub fn summarize(files: &[Tally]) -> Summary {
    let mut pooled = Tally::default();
    for t in files {
        pooled.add(t);
    }
    let per_file: Vec<Metrics> = files.iter().map(Tally::metrics).collect();
    let mean = |f: fn(&Metrics) -> Option<f64>| {
        let v: Vec<f64> = per_file.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let count_mean = |f: fn(&Metrics) -> f64| {
        if per_file.is_empty() {
            0.0
        } else {
            per_file.iter().map(f).sum::<f64>() / per_file.len() as f64
        }
    };
    let gross = pooled.metrics();
    let average = Metrics {
        n_ref: count_mean(|m| m.n_ref),
        n_est: count_mean(|m| m.n_est),
        matched: count_mean(|m| m.matched),
        precision: mean(|m| m.precision),
        recall: mean(|m| m.recall),
        f1: mean(|m| m.f1),
        f1_onset_offset: mean(|m| m.f1_onset_offset),
        onset_mae_s: mean(|m| m.onset_mae_s),
        offset_mae_s: mean(|m| m.offset_mae_s),
        peak_mae_mmhg: mean(|m| m.peak_mae_mmhg),
        peak_bias_mmhg: mean(|m| m.peak_bias_mmhg),
        grade_agreement: mean(|m| m.grade_agreement),
        grade_agreement_all: mean(|m| m.grade_agreement_all),
        confusion: gross.confusion,
    };
    Summary { gross, average }
}
