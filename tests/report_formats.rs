//! Report formats: JSON holds the `{"strokes": [{onset_s, offset_s, peak_mmhg, grade, …}]}`
//! contract and round-trips; CSV has one row per stroke; text says the score, counts, rhythm,
//! coaching and quality; the class summary has one row per session.

use mldsense::grade::synthetic::{self, StrokeSpec};
use mldsense::grade::{grade_session, GradedSession, Profile};
use mldsense::report::{self, class, csv_table, json, Format};
use mldsense::session::{QualityKind, QualityWarning, Session};
use proptest::prelude::*;

fn session_with(peaks: &[f64]) -> Session {
    let specs: Vec<StrokeSpec> = peaks
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut s = StrokeSpec::new(0.5 + 0.9 * i as f64, p);
            if i % 5 == 3 {
                s.release_mmhg = Some(13.0);
            }
            s
        })
        .collect();
    let mut s = synthetic::session(&specs);
    s.meta.trainee = Some("Bo".into());
    s
}

fn render(session: &Session, graded: &GradedSession, format: Format) -> String {
    let mut out = Vec::new();
    report::render(session, graded, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn graded(session: &Session) -> GradedSession {
    grade_session(session, &Profile::default_profile())
}

#[test]
fn json_keeps_the_stroke_contract_and_round_trips() {
    let session = session_with(&[35.0, 44.0, 22.0, 38.0, 75.0, 31.0]);
    let g = graded(&session);
    let text = render(&session, &g, Format::Json);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], "mldsense.report/1");
    let strokes = v["strokes"].as_array().unwrap();
    assert_eq!(strokes.len(), session.strokes.len());
    for (j, (s, gs)) in strokes.iter().zip(session.strokes.iter().zip(&g.strokes)) {
        // serde_json parses floats to within an ulp (no `float_roundtrip`), hence the tolerance.
        assert!((j["onset_s"].as_f64().unwrap() - s.onset_s).abs() < 1e-9);
        assert!((j["offset_s"].as_f64().unwrap() - s.offset_s).abs() < 1e-9);
        assert!((j["peak_mmhg"].as_f64().unwrap() - s.peak.0).abs() < 1e-9);
        assert_eq!(j["grade"], gs.grade.as_str());
        assert!((j["score"].as_f64().unwrap() - gs.score).abs() < 1e-9);
    }
    assert_eq!(strokes[4]["flags"][0], "danger");
    assert_eq!(v["summary"]["counts"]["too_hard"], 2);
    // The typed form reads back to what was written.
    let back: json::ReportJson = serde_json::from_str(&text).unwrap();
    let built = json::build(&session, &g);
    assert_eq!(back.schema, built.schema);
    assert_eq!(back.meta, built.meta);
    assert_eq!(back.coaching, built.coaching);
    assert_eq!(back.strokes.len(), built.strokes.len());
    for (a, b) in back.strokes.iter().zip(&built.strokes) {
        assert_eq!((a.index, a.grade, &a.flags), (b.index, b.grade, &b.flags));
        assert!((a.interval_s.unwrap_or(0.0) - b.interval_s.unwrap_or(0.0)).abs() < 1e-9);
        assert!((a.penalties.total() - b.penalties.total()).abs() < 1e-9);
    }
}

#[test]
fn json_survives_missing_values() {
    let mut session = session_with(&[35.0, 36.0]);
    session.strokes[1].channel_peaks[2] = mldsense::units::Mmhg(f64::NAN);
    session.strokes[1].peak = mldsense::units::Mmhg(f64::NAN);
    let g = graded(&session);
    let v: serde_json::Value = serde_json::from_str(&render(&session, &g, Format::Json)).unwrap();
    assert!(v["strokes"][1]["channel_peaks_mmhg"][2].is_null());
    assert_eq!(v["strokes"][1]["grade"], "too_light");
}

#[test]
fn csv_has_the_header_and_one_row_per_stroke() {
    let session = session_with(&[35.0, 44.0, 22.0, 38.0, 75.0, 31.0, 39.0]);
    let g = graded(&session);
    let text = render(&session, &g, Format::Csv);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, csv_table::HEADER);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), session.strokes.len());
    for (row, gs) in rows.iter().zip(&g.strokes) {
        assert_eq!(&row[5], gs.grade.as_str());
        let penalties: f64 = (8..14).map(|k| row[k].parse::<f64>().unwrap()).sum();
        let score: f64 = row[6].parse().unwrap();
        assert!((penalties + score - 100.0).abs() < 0.01);
    }
    assert_eq!(&rows[3][7], "incomplete_release");
    assert_eq!(&rows[0][15], "", "the first stroke has no interval");
    // No strokes: still a header.
    let empty = session_with(&[]);
    let text = render(&empty, &graded(&empty), Format::Csv);
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn text_summary_says_score_counts_rhythm_coaching_and_quality() {
    let mut session = session_with(&[35.0, 44.0, 22.0, 38.0, 75.0, 31.0, 39.0]);
    session.quality.push(QualityWarning {
        kind: QualityKind::Drift,
        channel: Some(0),
        message: "index drifts 4 mmHg per minute".into(),
    });
    let g = graded(&session);
    let text = render(&session, &g, Format::Text);
    assert!(
        text.contains(&format!("SCORE {}/100", g.summary.score.floor())),
        "{text}"
    );
    assert!(text.contains("7 strokes, 57% in window"), "{text}");
    assert!(text.contains("too hard"));
    assert!(text.contains("one stroke every 0.90 s"), "{text}");
    assert!(text.contains("index drifts 4 mmHg per minute"));
    for c in &g.coaching {
        assert!(text.contains(&c.message));
    }
}

#[test]
fn formats_parse_by_name() {
    assert_eq!("HTML".parse::<Format>().unwrap(), Format::Html);
    assert_eq!("csv".parse::<Format>().unwrap(), Format::Csv);
    assert!("pdf".parse::<Format>().is_err());
}

#[test]
fn class_summary_has_one_row_per_session() {
    let a = session_with(&[35.0; 10]);
    let mut b = session_with(&[50.0; 10]);
    b.meta.trainee = Some("<i>Cy</i>".into());
    let (ga, gb) = (graded(&a), graded(&b));
    let sessions = [(&a, &ga), (&b, &gb)];

    let mut out = Vec::new();
    report::class_summary(&sessions, Format::Csv, &mut out).unwrap();
    let mut r = csv::Reader::from_reader(out.as_slice());
    let rows: Vec<class::ClassRow> = r.deserialize().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].trainee, "Bo");
    assert_eq!(rows[0].percent_in_window, 100.0);
    assert_eq!(rows[1].percent_in_window, 0.0);
    assert!(
        rows[1].top_coaching.contains("peaked above 40 mmHg"),
        "{}",
        rows[1].top_coaching
    );

    let mut out = Vec::new();
    report::class_summary(&sessions, Format::Html, &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert_eq!(html.matches("<tr class=\"session\">").count(), 2);
    assert!(html.contains("&lt;i&gt;Cy&lt;/i&gt;") && !html.contains("<i>Cy"));

    let mut out = Vec::new();
    report::class_summary(&sessions, Format::Text, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    // A header, then one numbered row per session.
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("# "))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].trim_start().starts_with("1 ") && rows[0].contains("Bo"),
        "{text}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the strokes, JSON and CSV both hold exactly one entry per stroke, with the same
    /// grades as the grading.
    #[test]
    fn json_and_csv_rows_equal_strokes(peaks in prop::collection::vec(0.0f64..120.0, 0..60)) {
        let session = session_with(&peaks);
        let g = graded(&session);
        let v: serde_json::Value = serde_json::from_str(&render(&session, &g, Format::Json)).unwrap();
        let strokes = v["strokes"].as_array().unwrap();
        prop_assert_eq!(strokes.len(), peaks.len());
        let csv_text = render(&session, &g, Format::Csv);
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        prop_assert_eq!(rows.len(), peaks.len());
        for ((j, row), gs) in strokes.iter().zip(&rows).zip(&g.strokes) {
            prop_assert_eq!(j["grade"].as_str().unwrap(), gs.grade.as_str());
            prop_assert_eq!(&row[5], gs.grade.as_str());
        }
    }
}

/// Odd input reaching the reports — no channels, NaN everywhere, a stroke with no fingertip peaks,
/// a zero-rate trace — still gives every format and the charts, and the JSON still parses.
#[test]
fn degenerate_sessions_render_in_every_format() {
    let mut s = session_with(&[35.0, 50.0, 20.0]);
    s.info.channels.clear();
    s.strokes[0].channel_peaks.clear();
    s.strokes[1].peak = mldsense::units::Mmhg(f64::NAN);
    s.strokes[1].envelope = vec![f32::NAN; 10];
    s.strokes[2].onset_s = f64::NAN;
    s.strokes[2].release_level = mldsense::units::Mmhg(f64::INFINITY);
    for c in &mut s.trace.channels {
        c.iter_mut().step_by(3).for_each(|v| *v = f32::NAN);
    }
    s.duration_s = f64::NAN;
    let mut zero_rate = s.clone();
    zero_rate.trace.rate_hz = 0.0;
    for session in [s, zero_rate] {
        let g = graded(&session);
        for f in [Format::Text, Format::Json, Format::Csv, Format::Html] {
            let out = render(&session, &g, f);
            assert!(!out.is_empty(), "{f:?}");
        }
        let v: serde_json::Value =
            serde_json::from_str(&render(&session, &g, Format::Json)).unwrap();
        assert_eq!(v["strokes"].as_array().unwrap().len(), 3);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            report::write_png_charts(&session, &g, dir.path())
                .unwrap()
                .len(),
            4
        );
    }
}
