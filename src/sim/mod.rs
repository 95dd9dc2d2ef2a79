//! The virtual glove: a stroke model of MLD practice, trainee styles, sensor imperfections, and
//! firmware emulation over a pseudo-terminal.
//!
//! Everything is pure and seeded (ChaCha8): the same style, seed, duration and channel count give
//! the same session, bit for bit, so tests and benchmarks can be reproduced from a seed.
//!
//! * [`style`] — what kind of trainee: `steady`, `heavy`, `light`, `rushed`, `novice`.
//! * [`shape`] — the curve of one working phase (skewed, plateaus, shallow double humps, stalls).
//! * [`hand`] — the session plan and each fingertip's true pressure at any instant.
//! * [`truth`] — the ground truth per stroke, with the exact onset/offset definitions the
//!   detector and the benchmark rely on, and its TSV form.

pub mod firmware;
pub mod glove;
pub mod hand;
// Pseudo-terminals are Unix's: elsewhere `PtyGlove::open` (and so `SimServer::start`) says so,
// and the rest of the library and the analysis commands build as they are.
#[cfg_attr(not(unix), path = "no_pty.rs")]
pub mod pty;
pub mod sensor;
pub mod server;
pub mod shape;
pub mod source;
pub mod style;
pub mod truth;

pub use glove::{GloveBlock, GloveConfig, VirtualGlove};
pub use hand::Hand;
pub use sensor::{Imperfections, SensorModel};
pub use server::SimServer;
pub use source::SimSource;
pub use style::{Style, StyleParams};
pub use truth::{IntendedGrade, TruthStroke};

/// How serving the glove on a pseudo-terminal ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServeEnd {
    /// Every row of the session was sampled (and sent, or dropped in a dropout).
    Finished,
    /// The stop flag was raised.
    Stopped,
}
