//! The two front ends of a live session: the terminal view (ratatui on crossterm) and the line
//! printer for when stdout is not a terminal. Both take updates from the [`Reader`], apply them
//! to a [`LiveState`] and stop on a key, a signal or the end of the stream.
//!
//! The terminal is restored on every way out: normal return, error (`TerminalGuard`'s `Drop`)
//! and panic (ratatui's hook, installed by [`ratatui::try_init`]).

use crate::live::lines;
use crate::live::reader::{Control, Reader};
use crate::live::state::{Connection, LiveState, LiveUpdate};
use crate::live::view;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by the panic hook: a thread panicked and the terminal has been restored.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// Time between redraws: about 30 frames a second.
pub const FRAME: Duration = Duration::from_millis(33);

/// What a key does in the live view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    /// `q`, Esc or Ctrl-C: end the session.
    Quit,
    /// Space: drop a marker.
    Marker,
    /// `p`: pause or resume scoring.
    Pause,
    /// `t`: re-zero the fingertips.
    Tare,
}

/// The action bound to a key press, if any.
pub fn key_action(code: KeyCode, modifiers: KeyModifiers) -> Option<KeyAction> {
    match code {
        KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => Some(KeyAction::Quit),
        KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc => Some(KeyAction::Quit),
        KeyCode::Char(' ') => Some(KeyAction::Marker),
        KeyCode::Char('p') | KeyCode::Char('P') => Some(KeyAction::Pause),
        KeyCode::Char('t') | KeyCode::Char('T') => Some(KeyAction::Tare),
        _ => None,
    }
}

/// Restores the terminal when dropped, whatever the way out.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Applies a key's action to the state and tells the reader. Returns `true` to quit.
fn act(action: KeyAction, state: &mut LiveState, reader: &Reader) -> bool {
    match action {
        KeyAction::Quit => return true,
        KeyAction::Marker => {
            let _ = reader.controls.send(Control::Marker);
        }
        KeyAction::Pause => {
            state.toggle_pause();
            let _ = reader.controls.send(Control::Pause(state.paused));
        }
        KeyAction::Tare => {
            let _ = reader.controls.send(Control::Tare);
        }
    }
    false
}

/// Whether a stroke in `batch` reached the danger level.
pub fn has_danger(batch: &[LiveUpdate]) -> bool {
    batch
        .iter()
        .any(|u| matches!(u, LiveUpdate::Stroke(s) if s.danger))
}

/// Whether the terminal view rings the bell on a danger stroke.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Bell {
    /// A BEL on every batch with a stroke at the danger level (the default).
    #[default]
    OnDanger,
    /// Never (`-q`).
    Silent,
}

/// Rings the terminal bell (BEL) when `batch` holds a danger stroke and `bell` asks for it (the
/// terminal view only: a pipe or a log gets no control characters). The bell
/// rings in blind practice too: danger is about the patient's lymph vessels, not feedback.
pub fn ring_on_danger(batch: &[LiveUpdate], bell: Bell) {
    if has_danger(batch) && bell == Bell::OnDanger {
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x07").and_then(|()| out.flush());
    }
}

/// Runs the terminal view until `q` (or Ctrl-C, or `stop`). When the stream ends the view
/// stays, saying so, until the user quits, so the last verdict and the counts can be read.
pub fn run_terminal(
    reader: &Reader,
    state: &mut LiveState,
    stop: &AtomicBool,
    bell: Bell,
) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    // A panic anywhere (the reader thread included) restores the terminal through ratatui's
    // hook; the view must then stop drawing on the restored screen.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICKED.store(true, Ordering::Relaxed);
        previous(info);
    }));
    let mut next_draw = Instant::now();
    let mut reader_gone = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if PANICKED.load(Ordering::Relaxed) {
            return Err(std::io::Error::other(
                "the live view's reader failed (see the message above)",
            ));
        }
        // Apply whatever arrived; the reader never waits for us.
        loop {
            match reader.updates.try_recv() {
                Ok(batch) => {
                    ring_on_danger(&batch, bell);
                    batch.into_iter().for_each(|u| state.apply(u));
                }
                Err(crossbeam_channel::TryRecvError::Empty) => break,
                Err(crossbeam_channel::TryRecvError::Disconnected) => {
                    if !reader_gone {
                        reader_gone = true;
                        if state.connection != Connection::Disconnected {
                            state.connection = Connection::Ended;
                        }
                    }
                    break;
                }
            }
        }
        let now = Instant::now();
        if now >= next_draw {
            terminal.draw(|f| view::draw(f, state))?;
            next_draw = now + FRAME;
        }
        // Wait for a key until the next frame is due.
        let wait = next_draw.saturating_duration_since(Instant::now());
        if event::poll(wait.min(Duration::from_millis(10)))? {
            if let Event::Key(k) = event::read()? {
                if k.kind != KeyEventKind::Release {
                    if let Some(a) = key_action(k.code, k.modifiers) {
                        if act(a, state, reader) {
                            break;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Runs the line printer: one line per stroke on `out` as they come, until the stream ends or
/// `stop` is raised (Ctrl-C, SIGTERM).
pub fn run_lines(
    reader: &Reader,
    state: &mut LiveState,
    stop: &AtomicBool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        match reader.updates.recv_timeout(Duration::from_millis(100)) {
            Ok(batch) => print_batch(batch, state, out)?,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

/// Applies a batch of updates, printing a line for each stroke on `out` and each notice on
/// stderr.
pub fn print_batch(
    batch: Vec<LiveUpdate>,
    state: &mut LiveState,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for u in batch {
        let line = match &u {
            LiveUpdate::Stroke(s) if state.blind => {
                Some(lines::blind_line(s, state.counts.total() + 1))
            }
            LiveUpdate::Stroke(s) => Some(lines::stroke_line(s)),
            LiveUpdate::Notice(n) => {
                eprintln!("{n}");
                None
            }
            _ => None,
        };
        state.apply(u);
        if let Some(line) = line {
            writeln!(out, "{line}")?;
            out.flush()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions() {
        let none = KeyModifiers::NONE;
        assert_eq!(key_action(KeyCode::Char('q'), none), Some(KeyAction::Quit));
        assert_eq!(key_action(KeyCode::Esc, none), Some(KeyAction::Quit));
        assert_eq!(
            key_action(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(KeyAction::Quit)
        );
        assert_eq!(key_action(KeyCode::Char('c'), none), None);
        assert_eq!(
            key_action(KeyCode::Char(' '), none),
            Some(KeyAction::Marker)
        );
        assert_eq!(key_action(KeyCode::Char('p'), none), Some(KeyAction::Pause));
        assert_eq!(key_action(KeyCode::Char('t'), none), Some(KeyAction::Tare));
        assert_eq!(key_action(KeyCode::Char('x'), none), None);
    }
}
