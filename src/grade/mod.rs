//! Grading: technique profiles, per-stroke grades and flags, the session score, coaching.
