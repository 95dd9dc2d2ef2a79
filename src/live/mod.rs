//! The live practice view (terminal): what a student sees while practising.
//!
//! The seam is kept narrow so the screen is testable without a terminal:
//!
//! - [`state::LiveState`] holds what is shown (pressures, the last verdict, counts, rhythm, score,
//!   connection, warnings) and changes only through [`state::LiveUpdate`]s made from the
//!   pipeline's outputs and through the keys' actions;
//! - [`view::draw`] draws a state on a ratatui frame (tested on a `TestBackend`);
//! - [`rhythm`] measures the stroke rate against the ~1 stroke/s target and swings the metronome;
//! - [`lines`] prints one line per stroke when there is no terminal.

pub mod app;
pub mod bars;
pub mod engine;
pub mod lines;
pub mod palette;
pub mod reader;
pub mod replay;
pub mod rhythm;
pub mod state;
pub mod view;

pub use state::{Connection, LiveState, LiveUpdate, StrokeVerdict, TargetWindow, Verdict};
pub use view::draw;
