//! The HTML report says what the session holds (stroke count, grades, score), is one
//! self-contained file, and escapes everything that came from input.
//!
//! Set `MLDSENSE_KEEP_REPORTS=/some/dir` to keep the rendered HTML and PNG files for a look.

use mldsense::grade::synthetic::{self, StrokeSpec};
use mldsense::grade::{grade_session, Grade, Profile};
use mldsense::report::{self, Format};
use mldsense::session::{QualityKind, QualityWarning, Session};

/// Three minutes of practice with the usual faults: peaks creep up after 1:30, the index
/// fingertip presses harder, some releases are incomplete, the last 30 s are rushed.
fn practice_session() -> Session {
    let mut specs = Vec::new();
    let mut t = 1.0;
    let mut i = 0usize;
    while t < 180.0 {
        let wobble = [0.0, 2.0, -1.5, 1.0, -2.5, 3.0][i % 6];
        let peak = if t < 90.0 { 34.0 } else { 45.0 } + wobble;
        let mut s = StrokeSpec::new(t, peak);
        s.finger_peaks_mmhg = Some(vec![peak, peak - 15.0, peak - 13.0, peak - 17.0]);
        if i.is_multiple_of(4) {
            s.release_mmhg = Some(14.0);
        }
        if i.is_multiple_of(9) {
            s.rise_dip_mmhg = 6.0;
        }
        if i == 40 {
            s.peak_mmhg = 76.0;
            s.finger_peaks_mmhg = Some(vec![76.0, 60.0, 62.0, 58.0]);
        }
        specs.push(s);
        t += if t > 150.0 { 0.55 } else { 1.0 };
        if i % 30 == 29 {
            t += 4.0; // move on to the next spot
        }
        i += 1;
    }
    let mut session = synthetic::session(&specs);
    session.meta.trainee = Some("Ada <script>alert(1)</script> & co".into());
    session.meta.note = Some("left arm, \"test\" <b>note</b>".into());
    session.meta.source = "rec<1>.mlds".into();
    session.quality.push(QualityWarning {
        kind: QualityKind::Hum,
        channel: Some(2),
        message: "50 Hz hum on <ring>: 3.1 mmHg".into(),
    });
    session
}

fn render_html(session: &Session) -> (String, mldsense::grade::GradedSession) {
    let graded = grade_session(session, &Profile::default_profile());
    let mut out = Vec::new();
    report::render(session, &graded, Format::Html, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), graded)
}

fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("MLDSENSE_KEEP_REPORTS") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// The text between `<tag id="id">` and the next `<`.
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let key = format!("id=\"{id}\">");
    let start = html.find(&key).unwrap_or_else(|| panic!("no #{id}")) + key.len();
    let rest = &html[start..];
    &rest[..rest.find('<').unwrap()]
}

#[test]
fn html_states_count_grades_and_score() {
    let session = practice_session();
    let (html, graded) = render_html(&session);
    keep("practice.html", html.as_bytes());
    let n = session.strokes.len();
    assert_eq!(by_id(&html, "stroke-count"), n.to_string());
    assert_eq!(
        by_id(&html, "score"),
        format!("{}", graded.summary.score.floor())
    );
    let mut total = 0;
    for g in Grade::ALL {
        let shown: usize = by_id(&html, &format!("count-{}", g.as_str()))
            .parse()
            .unwrap();
        let actual = graded.strokes.iter().filter(|s| s.grade == g).count();
        assert_eq!(shown, actual, "{g:?}");
        // Each stroke row carries its grade as a class, so the table agrees with the counts.
        assert_eq!(
            html.matches(&format!("<tr class=\"stroke {}\">", g.as_str()))
                .count(),
            actual
        );
        total += shown;
    }
    assert_eq!(total, n);
    assert!(graded.summary.counts.too_hard > 0 && graded.summary.counts.in_window > 0);
    // The coaching is in the page, escaped the same way as everything else.
    for c in &graded.coaching {
        assert!(
            html.contains(&*html_escape::encode_text(&c.message)),
            "{}",
            c.message
        );
    }
    assert!(html.contains("danger level"));
}

#[test]
fn html_escapes_names_notes_and_sources() {
    let mut session = practice_session();
    // Channel names come from input files too, and appear in the table and inside the SVG.
    session.info.channels[1].name = "<mid>".into();
    let (html, _) = render_html(&session);
    assert!(!html.contains("<mid>"));
    assert!(html.contains("&lt;mid&gt; mmHg"), "table header");
    assert!(
        html.matches("&lt;mid&gt;").count() >= 2,
        "table header and finger chart"
    );
    assert!(!html.contains("<script"), "unescaped script tag");
    assert!(html.contains("Ada &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(html.contains("&lt;b&gt;note&lt;/b&gt;"));
    assert!(html.contains("rec&lt;1&gt;.mlds"));
    assert!(html.contains("50 Hz hum on &lt;ring&gt;"));
    assert!(!html.contains("<b>note</b>"));
}

#[test]
fn html_is_self_contained_with_four_inline_svg_charts() {
    let (html, _) = render_html(&practice_session());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(
        !html.contains("<?xml"),
        "XML declarations do not belong inside HTML"
    );
    for forbidden in [
        "src=\"http",
        "href=\"http",
        "<script",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(forbidden), "external reference: {forbidden}");
    }
    for id in [
        "chart-trace",
        "chart-peaks",
        "chart-fingers",
        "chart-rhythm",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // The Okabe–Ito grade colours are used, and shapes/words accompany them.
    for colour in ["#0072b2", "#009e73", "#d55e00"] {
        assert!(html.to_lowercase().contains(colour), "{colour}");
    }
    assert!(
        html.contains("▽ too light") && html.contains("● in window") && html.contains("▲ too hard")
    );
}

#[test]
fn empty_session_still_renders() {
    let session = synthetic::session(&[]);
    let (html, graded) = render_html(&session);
    assert_eq!(by_id(&html, "stroke-count"), "0");
    assert_eq!(graded.summary.score, 0.0);
    assert!(html.contains("No strokes were found"));
    assert_eq!(html.matches("<svg").count(), 4);
}

#[test]
fn png_charts_are_written_as_real_pngs() {
    let session = practice_session();
    let graded = grade_session(&session, &Profile::default_profile());
    let dir = tempfile::tempdir().unwrap();
    let paths = report::write_png_charts(&session, &graded, dir.path()).unwrap();
    assert_eq!(paths.len(), 4);
    for (path, chart) in paths.iter().zip(report::Chart::ALL) {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
        // IHDR: width and height, big-endian, at bytes 16..24.
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((w, h), chart.size());
        keep(&format!("{}.png", chart.stem()), &bytes);
    }
}
