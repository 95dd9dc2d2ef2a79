//! The live view in blind practice and on a terminal too small for it, on ratatui's
//! `TestBackend`: blind practice shows no verdict, score or target; a small terminal says it is
//! too small and still shows the verdict and every fingertip's pressure.

use mldsense::live::rhythm::Rhythm;
use mldsense::live::{self, LiveState, LiveUpdate, StrokeVerdict, TargetWindow, Verdict};
use mldsense::units::Mmhg;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn state() -> LiveState {
    let names: Vec<String> = ["thumb", "index", "middle", "ring", "little"]
        .into_iter()
        .map(String::from)
        .collect();
    let mut s = LiveState::new(names, TargetWindow::default(), Rhythm::new(1.0));
    s.apply(LiveUpdate::Pressures {
        now_s: 3.0,
        values: vec![31.0, 36.0, 12.0, f64::NAN, 75.0],
    });
    s.apply(LiveUpdate::Stroke(StrokeVerdict {
        onset_s: 2.0,
        offset_s: 2.6,
        peak: Mmhg(76.0),
        verdict: Verdict::TooHard,
        danger: true,
        flags: vec![mldsense::grade::Flag::UnevenFingers],
        score: Some(0.0),
        pace: None,
        interval_s: None,
        near_edge: false,
    }));
    s.apply(LiveUpdate::Score(42.0));
    s
}

fn screen(state: &LiveState, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    term.draw(|f| live::draw(f, state)).expect("draw");
    let buf = term.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn blind_practice_hides_every_verdict() {
    let mut s = state();
    let seen = screen(&s, 100, 30);
    assert!(
        seen.contains("TOO  HARD") && seen.contains("Score 42"),
        "{seen}"
    );
    s.blind = true;
    let seen = screen(&s, 100, 30);
    assert!(
        seen.contains("Blind practice") && seen.contains("1 strokes so far"),
        "{seen}"
    );
    for hidden in ["TOO", "DANGER", "Score", "42", "window", "mmHg", "76"] {
        assert!(
            !seen.contains(hidden),
            "`{hidden}` shown in blind practice:\n{seen}"
        );
    }
}

#[test]
fn a_small_terminal_says_so_and_keeps_the_essentials() {
    let s = state();
    // The view gives each warning line a row (at most 3, at least 1).
    let warn_rows = (s.warnings().len().min(3) as u16).max(1);
    let need = live::view::rows_needed(70, 5, warn_rows);
    let seen = screen(&s, 70, need - 1);
    assert!(seen.contains("too small"), "{seen}");
    assert!(
        seen.contains("TOO HARD 76.0 mmHg") && seen.contains("DANGER"),
        "{seen}"
    );
    for finger in ["thumb 31", "index 36", "middle 12", "ring –", "little 75"] {
        assert!(seen.contains(finger), "`{finger}` dropped:\n{seen}");
    }
    // At the size it needs, the full view, every fingertip with its bar.
    let seen = screen(&s, 70, need);
    assert!(
        !seen.contains("too small") && seen.contains("Fingertip pressure"),
        "{seen}"
    );
    for finger in ["thumb", "index", "middle", "ring", "little"] {
        assert!(seen.contains(finger), "{finger}:\n{seen}");
    }
}

#[test]
fn danger_is_black_on_yellow_for_light_and_dark_terminals() {
    let st = live::palette::danger_style();
    assert_eq!(st.fg, Some(ratatui::style::Color::Black));
    assert_eq!(st.bg, Some(live::palette::YELLOW));
}
