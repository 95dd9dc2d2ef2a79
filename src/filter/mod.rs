//! Causal filters and data-quality checks: Butterworth low-pass, mains notch, spike rejection,
//! drift handling, spectral estimates and quality warnings.
//!
//! One algorithm per file; each is checked against a plain reference in its tests.

pub mod biquad;
pub mod butterworth;
pub mod chain;
pub mod drift;
pub mod median;
pub mod notch;
pub mod quality;
pub mod spectrum;
