//! Detection metrics on hand-worked cases: precision/recall/F1, onset+offset F1, timing and
//! peak errors, the grade confusion and agreement, and gross versus average pooling.

use mldsense::eval::{score_file, summarize, Collar, GradeWindow, ScoredEvent};
use mldsense::grade::Grade;
use mldsense::units::Mmhg;

fn ev(onset_s: f64, offset_s: f64, peak: f64) -> ScoredEvent {
    ScoredEvent {
        onset_s,
        offset_s,
        peak: Some(Mmhg(peak)),
        grade: None,
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn counts_errors_and_grades_of_one_file() {
    // Window 30–40 mmHg, margin 2.5.
    let reference = [
        ev(1.0, 1.8, 35.0), // in window, clear of both edges
        ev(3.0, 3.8, 41.0), // too hard, 1 mmHg from the edge: not clear
        ev(5.0, 5.8, 20.0), // too light, clear
        ev(7.0, 7.8, 30.5), // in window, 0.5 from the edge: not clear
        ev(9.0, 9.8, 35.0), // missed
    ];
    let estimate = [
        ev(1.05, 1.85, 36.0), // in window: agrees
        ev(2.9, 3.5, 39.0),   // in window (reference too hard): offset 0.3 s off
        ev(5.1, 5.8, 25.0),   // too light: agrees
        ev(7.0, 7.7, 29.0),   // too light (reference in window)
        ev(12.0, 12.5, 50.0), // false alarm
    ];
    let t = score_file(
        &reference,
        &estimate,
        Collar::DCASE,
        &GradeWindow::default(),
    );
    let m = summarize(std::slice::from_ref(&t)).gross;
    assert_eq!((t.n_ref, t.n_est, t.matched), (5, 5, 4));
    assert!(close(m.precision, 0.8) && close(m.recall, 0.8) && close(m.f1, 0.8));
    // Offsets: 0.05, 0.3 (> max(0.2, 0.16): fails), 0.0, 0.1 → 3 of the 4 onset matches.
    assert_eq!(t.matched_onset_offset, 3);
    assert!(close(m.f1_onset_offset, 0.6));
    assert!(close(m.onset_mae_s, (0.05 + 0.1 + 0.1 + 0.0) / 4.0));
    assert!(close(m.offset_mae_s, (0.05 + 0.3 + 0.0 + 0.1) / 4.0));
    assert!(close(m.peak_mae_mmhg, (1.0 + 2.0 + 5.0 + 1.5) / 4.0));
    assert!(close(m.peak_bias_mmhg, (1.0 - 2.0 + 5.0 - 1.5) / 4.0));
    // Rows reference, columns estimate: [too_light, in_window, too_hard].
    assert_eq!(m.confusion.labels, Grade::ALL);
    assert_eq!(m.confusion.matrix, [[1, 0, 0], [1, 1, 0], [0, 1, 0]]);
    // Clear strokes: 35 and 20, both graded alike.
    assert_eq!((t.clear_pairs, t.clear_agree), (2, 2));
    assert!(close(m.grade_agreement, 1.0));
}

#[test]
fn a_given_grade_is_used_when_there_is_no_peak() {
    let reference = [ev(1.0, 1.5, 45.0)];
    let estimate = [ScoredEvent {
        onset_s: 1.0,
        offset_s: 1.5,
        peak: None,
        grade: Some(Grade::TooHard),
    }];
    let m = summarize(&[score_file(
        &reference,
        &estimate,
        Collar::BXB,
        &GradeWindow::default(),
    )])
    .gross;
    assert_eq!(m.confusion.matrix[2][2], 1);
    assert!(close(m.grade_agreement, 1.0));
    assert_eq!(m.peak_mae_mmhg, None);
}

#[test]
fn collars_differ() {
    let reference = [ev(1.0, 2.0, 35.0)];
    let estimate = [ev(1.1, 2.0, 35.0)];
    let f1 = |c| {
        summarize(&[score_file(
            &reference,
            &estimate,
            c,
            &GradeWindow::default(),
        )])
        .gross
        .f1
    };
    assert!(close(f1(Collar::MIR_EVAL), 0.0));
    assert!(close(f1(Collar::BXB), 1.0));
    assert!(close(f1(Collar::DCASE), 1.0));
}

#[test]
fn gross_pools_strokes_average_pools_files() {
    let w = GradeWindow::default();
    // File A: ten strokes, all found. File B: two strokes, none found, nothing estimated.
    let a: Vec<ScoredEvent> = (0..10)
        .map(|i| ev(i as f64, i as f64 + 0.5, 35.0))
        .collect();
    let b = [ev(1.0, 1.5, 35.0), ev(2.0, 2.5, 35.0)];
    let s = summarize(&[
        score_file(&a, &a, Collar::DCASE, &w),
        score_file(&b, &[], Collar::DCASE, &w),
    ]);
    assert!(close(s.gross.recall, 10.0 / 12.0));
    assert!(close(s.gross.precision, 1.0));
    assert!(close(s.average.recall, 0.5));
    // B has no estimates: its precision is undefined and left out of the average.
    assert!(close(s.average.precision, 1.0));
    assert!(close(s.gross.f1, 20.0 / 22.0));
    assert!(close(s.average.f1, 0.5));
    assert!((s.average.n_ref - 6.0).abs() < 1e-12);
    // Nothing at all: everything undefined, nothing divides by zero.
    let empty = summarize(&[score_file(&[], &[], Collar::DCASE, &w)]);
    assert_eq!(
        (empty.gross.precision, empty.gross.recall, empty.gross.f1),
        (None, None, None)
    );
    let json = serde_json::to_value(&empty).unwrap();
    assert!(json["gross"]["f1"].is_null());
}
