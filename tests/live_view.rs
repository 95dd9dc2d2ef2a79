//! Screen snapshots of the live view on ratatui's `TestBackend`: the state drawn from synthetic
//! pressures and strokes must show the bars, the verdict, the counts, the rhythm and the score as
//! text (colour is never the only cue).

use mldsense::live::rhythm::Rhythm;
use mldsense::live::{
    self, Connection, LiveState, LiveUpdate, StrokeVerdict, TargetWindow, Verdict,
};
use mldsense::stream::StreamEvent;
use mldsense::units::Mmhg;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use ratatui::Terminal;

fn stroke(onset: f64, peak: f64) -> StrokeVerdict {
    let w = TargetWindow::default();
    StrokeVerdict {
        onset_s: onset,
        offset_s: onset + 0.55,
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

fn fingers() -> Vec<String> {
    ["thumb", "index", "middle", "ring"]
        .into_iter()
        .map(String::from)
        .collect()
}

fn render(state: &LiveState, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    term.draw(|f| live::draw(f, state)).expect("draw");
    let buf = term.backend().buffer().clone();
    // `LIVE_VIEW_DUMP=1 cargo test --test live_view -- --nocapture` shows the screens.
    if std::env::var_os("LIVE_VIEW_DUMP").is_some() {
        eprintln!("{}\n", screen(&buf));
    }
    buf
}

fn lines(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

fn screen(buf: &Buffer) -> String {
    lines(buf).join("\n")
}

fn line_with<'a>(ls: &'a [String], needle: &str) -> &'a str {
    ls.iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?}:\n{}", ls.join("\n")))
}

/// A session in progress: 10 strokes at 1/s (2 light, 6 in window, 2 hard of which 1 danger).
fn busy_state() -> LiveState {
    let mut s = LiveState::new(fingers(), TargetWindow::default(), Rhythm::new(1.0));
    s.source = "/dev/pts/7".into();
    s.apply(LiveUpdate::Connection(Connection::Connected));
    let peaks = [22.0, 33.0, 35.0, 36.0, 38.0, 25.0, 45.0, 34.0, 75.0, 37.0];
    for (i, p) in peaks.into_iter().enumerate() {
        s.apply(LiveUpdate::Pressures {
            now_s: i as f64 + 0.7,
            values: vec![1.0, 2.0, 3.0, 1.5],
        });
        let mut v = stroke(i as f64, p);
        if i > 0 {
            v.interval_s = Some(1.0);
            v.pace = Some(mldsense::grade::Profile::default_profile().pace_of(1.0));
        }
        s.apply(LiveUpdate::Stroke(v));
        s.apply(LiveUpdate::Score(80.0 + i as f64));
    }
    s.apply(LiveUpdate::Pressures {
        now_s: 9.9,
        values: vec![12.0, 35.0, 55.0, 80.0],
    });
    s
}

#[test]
fn shows_counts_score_and_last_verdict_spelled_out() {
    let s = busy_state();
    let buf = render(&s, 120, 40);
    let text = screen(&buf);
    let ls = lines(&buf);
    let counts = line_with(&ls, "▽ too light");
    assert!(counts.contains("▽ too light 2"), "{counts}");
    assert!(counts.contains("✓ in window 6"), "{counts}");
    assert!(counts.contains("▲ too hard 2"), "{counts}");
    assert!(counts.contains("danger 1"), "{counts}");
    // The headline: % in window, then the score.
    let head = line_with(&ls, "% in window");
    assert!(head.contains("60 % in window"), "{head}");
    assert!(text.contains("Score 89 / 100"), "{text}");
    // The newest stroke (37 mmHg) is in the window: the panel says so, with its peak.
    assert!(text.contains("✓  IN  WINDOW  ✓"), "{text}");
    assert!(text.contains("peak 37.0 mmHg"), "{text}");
    assert!(text.contains("Last stroke (#10)"), "{text}");
    // The strokes before it are listed, newest first.
    let earlier = text
        .find("▲  75.0 mmHg  DANGER")
        .expect("previous stroke listed");
    let before = text
        .find("✓  34.0 mmHg  in window")
        .expect("older stroke listed");
    assert!(earlier < before, "{text}");
    assert!(text.contains("● connected"), "{text}");
    assert!(text.contains("/dev/pts/7"), "{text}");
    assert!(
        text.contains("q quit · space marker · p pause · t tare"),
        "{text}"
    );
}

#[test]
fn verdict_panel_is_in_the_grades_colour() {
    let s = busy_state();
    let buf = render(&s, 120, 40);
    let ls = lines(&buf);
    let y = ls
        .iter()
        .position(|l| l.contains("IN  WINDOW"))
        .expect("verdict row") as u16;
    let x = ls[usize::from(y)]
        .chars()
        .position(|c| c == 'I')
        .expect("verdict text") as u16;
    assert_eq!(buf[(x, y)].bg, live::palette::BLUISH_GREEN);
    assert_eq!(buf[(x, y)].fg, Color::Black);
}

#[test]
fn danger_stroke_is_flagged_in_words() {
    let mut s = busy_state();
    s.apply(LiveUpdate::Stroke(stroke(10.0, 82.0)));
    let text = screen(&render(&s, 120, 40));
    assert!(text.contains("▲  TOO  HARD  ▲"), "{text}");
    assert!(text.contains("peak 82.0 mmHg"), "{text}");
    assert!(text.contains("DANGER: at or above 70 mmHg"), "{text}");
}

#[test]
fn bars_show_each_fingertip_value_word_and_length() {
    let s = busy_state();
    let buf = render(&s, 120, 40);
    let ls = lines(&buf);
    let thumb = line_with(&ls, "thumb");
    let index = line_with(&ls, "index");
    let middle = line_with(&ls, "middle");
    let ring = line_with(&ls, "ring ");
    assert!(thumb.contains(" 12.0 mmHg"), "{thumb}");
    assert!(index.contains(" 35.0 mmHg ok"), "{index}");
    assert!(middle.contains(" 55.0 mmHg high"), "{middle}");
    assert!(ring.contains(" 80.0 mmHg DANGER"), "{ring}");
    // Bar length grows with pressure: count the full blocks.
    let full = |l: &str| l.chars().filter(|&c| c == '█').count();
    assert!(full(thumb) < full(index), "{thumb}\n{index}");
    assert!(full(index) < full(middle));
    assert!(full(middle) < full(ring));
    // The target band shows where the bar has not reached it, and the danger mark on every bar.
    assert!(thumb.contains('░'), "{thumb}");
    for l in [thumb, index, middle, ring] {
        assert!(l.contains('┃'), "danger mark missing: {l}");
    }
}

#[test]
fn bar_length_is_proportional_to_pressure() {
    // On a 0–100 mmHg scale, 50 mmHg fills half the bar (to within one cell).
    let mut s = LiveState::new(
        vec!["index".into()],
        TargetWindow::default(),
        Rhythm::new(1.0),
    );
    s.apply(LiveUpdate::Pressures {
        now_s: 1.0,
        values: vec![50.0],
    });
    let buf = render(&s, 120, 40);
    let ls = lines(&buf);
    let row = line_with(&ls, "index");
    let scale = line_with(&ls, "│mmHg");
    let bar_start = scale.chars().position(|c| "─━┻".contains(c)).expect("rule");
    let bar_len = scale
        .chars()
        .skip(bar_start)
        .take_while(|c| "─━┻".contains(*c))
        .count();
    let filled = row
        .chars()
        .skip(bar_start)
        .take_while(|&c| c == '█' || c == '┃')
        .count();
    let expected = bar_len as f64 * 0.5;
    assert!(
        (filled as f64 - expected).abs() <= 1.0,
        "filled {filled} of {bar_len}\n{row}\n{scale}"
    );
}

#[test]
fn scale_labels_window_and_danger() {
    let s = busy_state();
    let text = screen(&render(&s, 120, 40));
    let ls: Vec<&str> = text.lines().collect();
    let labels = ls
        .iter()
        .find(|l| l.contains("70 danger"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(labels.contains(" 30 "), "{labels}");
    assert!(labels.contains(" 40 "), "{labels}");
}

#[test]
fn rhythm_shows_the_graders_verdict_on_the_last_interval() {
    let s = busy_state();
    let text = screen(&render(&s, 120, 40));
    assert!(text.contains("last interval 1.00 s · on beat"), "{text}");
    assert!(text.contains("target 1.0/s"), "{text}");
    assert!(text.contains('●'), "metronome pendulum: {text}");

    // A steady 1.4 s stroke is dragging for the report, so it is dragging here too.
    let profile = mldsense::grade::Profile::default_profile();
    let mut slow = LiveState::new(fingers(), TargetWindow::default(), Rhythm::new(1.0));
    for i in 0..6 {
        let mut v = stroke(f64::from(i) * 1.4, 35.0);
        if i > 0 {
            v.interval_s = Some(1.4);
            v.pace = Some(profile.pace_of(1.4));
        }
        slow.apply(LiveUpdate::Stroke(v));
    }
    let text = screen(&render(&slow, 120, 40));
    assert!(text.contains("last interval 1.40 s · dragging"), "{text}");
}

#[test]
fn waiting_screen_before_any_data() {
    let s = LiveState::new(fingers(), TargetWindow::default(), Rhythm::new(1.0));
    let text = screen(&render(&s, 120, 40));
    assert!(text.contains("● connecting"), "{text}");
    assert!(text.contains("no stroke yet"), "{text}");
    assert!(text.contains("aim for 30–40 mmHg"), "{text}");
    assert!(text.contains("Score –"), "{text}");
    assert!(text.contains("thumb"), "{text}");
    assert!(text.contains("no signal"), "{text}");
}

#[test]
fn warnings_pause_recording_and_disconnect_are_visible() {
    let mut s = busy_state();
    s.recording = Some("session.mld".into());
    s.toggle_pause();
    s.apply(LiveUpdate::Event {
        at_s: 9.0,
        event: StreamEvent::Gap { rows: 40 },
    });
    s.apply(LiveUpdate::Event {
        at_s: 9.5,
        event: StreamEvent::Disconnected,
    });
    let text = screen(&render(&s, 120, 40));
    assert!(text.contains("PAUSED"), "{text}");
    assert!(text.contains("● REC session.mld"), "{text}");
    assert!(text.contains("● DISCONNECTED"), "{text}");
    assert!(text.contains("⚠ 40 rows lost"), "{text}");
}

#[test]
fn narrow_terminal_still_shows_everything_essential() {
    let s = busy_state();
    let text = screen(&render(&s, 80, 30));
    for needle in [
        "thumb",
        "IN  WINDOW",
        "peak 37.0 mmHg",
        "in window 6",
        "Score 89 / 100",
        "last interval",
        "q quit",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
}

#[test]
fn tiny_terminal_does_not_panic() {
    let s = busy_state();
    for (w, h) in [(1, 1), (10, 5), (30, 12), (200, 3)] {
        let _ = render(&s, w, h);
    }
}

#[test]
fn score_line_shows_pass_or_fail_beside_the_score_and_exposure() {
    use mldsense::grade::synthetic;
    use mldsense::grade::{grade_session, Profile};
    let profile = Profile::default_profile();
    let light = grade_session(&synthetic::steady(12, 22.0), &profile).summary;
    let heavy = grade_session(&synthetic::steady(12, 50.0), &profile).summary;
    let good = grade_session(&synthetic::steady(12, 35.0), &profile).summary;
    for (summary, verdict) in [(light, "FAIL"), (heavy, "FAIL"), (good, "PASS")] {
        let mut s = busy_state();
        s.certainty = Some("grades are approximate: default sensor curve".into());
        s.apply(LiveUpdate::Summary(Box::new(summary.clone())));
        let text = screen(&render(&s, 120, 40));
        assert!(
            text.contains(&format!("Score {} / 100 {verdict}", summary.score.floor())),
            "{text}"
        );
        assert!(text.contains("(pass mark 70"), "{text}");
        assert!(text.contains("above 40 mmHg"), "{text}");
        assert!(text.contains("grades are approximate"), "{text}");
    }
}
