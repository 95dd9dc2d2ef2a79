//! Instructors and students over weeks: who each session's trainee is and when it happened
//! ([`identity`]), what counts as a pass and how long a session spent above the window
//! ([`outcome()`], the one place those are read), report names that never collide
//! ([`naming`]), each trainee's sessions in date order with what changed ([`progress()`]), and a
//! profile derived from an expert's own recording ([`expert`]).
//!
//! Everything here reads graded sessions; nothing depends on where the data came from (a real
//! glove, another recorder's BIDS files, or the virtual glove).

pub mod expert;
pub mod identity;
pub mod naming;
pub mod outcome;
pub mod progress;
pub mod record;

pub use identity::{session_date, Identity};
pub use naming::ReportNames;
pub use outcome::{outcome, Outcome};
pub use progress::{progress, TraineeProgress};
pub use record::SessionRecord;
