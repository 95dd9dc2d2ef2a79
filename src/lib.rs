//! # mldsense
//!
//! Reads a sensor glove over a serial port, finds each manual-lymphatic-drainage stroke in the
//! stream, grades it against the light skin-stretch window and turns sessions into feedback.
//!
//! The modules follow the pipeline, one streaming chain:
//!
//! ```text
//! source ─► frames ─► calibrated pressure ─► filtered ─► strokes ─► grades ─► sinks
//! serial     frames      calibration           filter      detect     grade    live
//! recording  (protocol)                                                        recording
//! sim                                                                          report
//! bids
//! ```
//!
//! Batch analysis is the same chain fed from a file as fast as it can go ([`pipeline`]), so live
//! and batch runs give identical strokes. The data model the stages exchange ([`session`],
//! [`stream`]) is at the bottom, and no module imports one above it (`docs/ARCHITECTURE.md`
//! draws the layers; `tests/layers.rs` checks them). The command line is the binary's, not the
//! library's: the library has no clap or anyhow in it.

#![warn(missing_docs)]

// The bottom: units, errors, files and the data model the stages exchange.
pub mod error;
pub mod files;
pub mod session;
pub mod stats;
pub mod stream;
pub mod units;

// Sources: where bytes and samples come from.
pub mod bids;
pub mod input;
pub mod serial;
pub mod sim;

// The chain.
pub mod calibration;
pub mod detect;
pub mod filter;
pub mod frames;
pub mod pipeline;
pub mod plausible;

// What comes out.
pub mod analysis;
pub mod class;
pub mod classroom;
pub mod eval;
pub mod grade;
pub mod live;
pub mod recording;
pub mod report;

pub use error::{Error, Result};
