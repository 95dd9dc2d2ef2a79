//! The live classroom: one screen where the instructor sees every trainee's glove.
//!
//! ```text
//! student:  glove ─► live engine ─► live view, recording, report   (unchanged by --join)
//!                         │ (a copy of the updates)
//!                         ▼
//!                    link ── WebSocket /join ──►  server ─► board ─► page (/events, SSE)
//!                                                                 └► class view (/class)
//! ```
//!
//! - [`message`]: the wire messages and their bounds (`docs/CLASSROOM.md`);
//! - [`board`]: the classroom's state, pure and bounded;
//! - [`server`]: axum on tokio, loopback by default, a join code on any other address;
//! - [`link`]: the student's side, a tap that never makes the student wait.

pub mod board;
pub mod link;
pub mod message;
pub mod server;

pub use board::{Board, Limits, Tile};
pub use link::{Link, LinkEnd};
pub use server::{Classroom, Config};
