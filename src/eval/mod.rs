//! Detection metrics: event matching (maximum bipartite, as mir_eval and sed_eval), precision,
//! recall and F1 on onsets and on onsets+offsets, timing and peak errors, grade confusion and
//! agreement, per file and pooled gross and average (as WFDB `bxb`/`sumstats`).
//!
//! ```
//! use mldsense::eval::{score_file, summarize, Collar, GradeWindow, ScoredEvent};
//! use mldsense::units::Mmhg;
//! let ev = |on: f64, peak: f64| ScoredEvent { onset_s: on, offset_s: on + 0.6, peak: Some(Mmhg(peak)), grade: None };
//! let truth = [ev(1.0, 35.0), ev(2.0, 45.0)];
//! let found = [ev(1.03, 34.0), ev(3.5, 20.0)];
//! let t = score_file(&truth, &found, Collar::DCASE, &GradeWindow::default());
//! let m = summarize(&[t]).gross;
//! assert_eq!((m.precision, m.recall), (Some(0.5), Some(0.5)));
//! assert!((m.onset_mae_s.unwrap() - 0.03).abs() < 1e-12);
//! ```

pub mod dataset;
pub mod matching;
pub mod score;

pub use dataset::{find_annotated, read_predictions, read_reference};
pub use matching::{match_onsets, match_onsets_offsets, maximum_matching, Interval};
pub use score::{
    parse_grade, score_file, summarize, Collar, Confusion, GradeWindow, Metrics, ScoredEvent,
    Summary, Tally,
};
