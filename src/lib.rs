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
//! and batch runs give identical strokes.

#![warn(missing_docs)]

pub mod error;
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
pub mod stream;

// What comes out.
pub mod class;
pub mod classroom;
pub mod eval;
pub mod grade;
pub mod live;
pub mod recording;
pub mod report;
pub mod session;

pub mod cli;

pub use error::{Error, Result};
