//! The pseudo-terminal glove where there are no pseudo-terminals (not Unix): opening one says
//! so, and a `PtyGlove` can never exist, so its methods are never called.

use crate::error::{Error, Result};
use crate::sim::firmware::Firmware;
pub use crate::sim::ServeEnd;
use std::convert::Infallible;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// A virtual glove on a pseudo-terminal: none on this system.
#[derive(Debug)]
pub struct PtyGlove {
    never: Infallible,
}

impl PtyGlove {
    /// Fails: this system has no pseudo-terminals.
    pub fn open() -> Result<Self> {
        Err(Error::Unsupported(
            "the virtual glove is served on a pseudo-terminal, which only Unix systems have".into(),
        ))
    }

    /// The path a host opens.
    pub fn path(&self) -> &str {
        match self.never {}
    }

    /// Bytes dropped because the host was not reading.
    pub fn bytes_dropped(&self) -> u64 {
        match self.never {}
    }

    /// Serves `fw` until the session ends or `stop` is raised.
    pub fn serve(
        &mut self,
        _fw: &mut Firmware,
        _speed: f64,
        _stop: &AtomicBool,
    ) -> Result<ServeEnd> {
        match self.never {}
    }

    /// Waits up to `patience` for the host to read what is buffered.
    pub fn drain(&self, _patience: Duration) -> u32 {
        match self.never {}
    }
}
