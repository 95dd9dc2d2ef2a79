//! The chain from a pressure source to a [`crate::session::Session`]: filter, detect, trace.
