//! Serving the virtual glove on a pseudo-terminal, paced in real time (or `speed` times
//! faster), so any serial client — `mldsense record`, `mldsense live`, a terminal program — can
//! open its path like a real glove's port.
//!
//! The server keeps both ends of the pair open: the host opens the slave's path (`/dev/pts/N`)
//! itself, and can close and reopen it; dropping the server closes the master, which the host
//! sees as the glove being unplugged.

use crate::error::{Error, Result};
use crate::sim::firmware::Firmware;
use serialport::{SerialPort, TTYPort};
use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long to keep trying to hand a frame to a host that is not reading before dropping it.
const WRITE_PATIENCE: Duration = Duration::from_millis(500);

pub use super::ServeEnd;

/// A virtual glove on a pseudo-terminal.
#[derive(Debug)]
pub struct PtyGlove {
    master: TTYPort,
    /// Held open so the pty survives the host closing and reopening its end.
    slave: TTYPort,
    path: String,
    bytes_dropped: u64,
}

impl PtyGlove {
    /// Opens a pseudo-terminal pair.
    pub fn open() -> Result<Self> {
        let (mut master, slave) = TTYPort::pair().map_err(|e| Error::Serial {
            port: "pseudo-terminal".into(),
            message: format!("cannot open a pseudo-terminal pair: {e}"),
        })?;
        let path = slave.name().unwrap_or_default();
        master
            .set_timeout(Duration::from_millis(2))
            .map_err(|e| Error::Serial {
                port: path.clone(),
                message: e.to_string(),
            })?;
        Ok(PtyGlove {
            master,
            slave,
            path,
            bytes_dropped: 0,
        })
    }

    /// The path a host opens, e.g. `/dev/pts/7`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Bytes the host did not read in time and that were dropped (as a real glove's full USB
    /// buffer would).
    pub fn bytes_dropped(&self) -> u64 {
        self.bytes_dropped
    }

    /// Answers commands and streams the session until it is over or `stop` is raised.
    /// `speed` > 1 runs faster than real time. Blocks are sent as their rows come due.
    pub fn serve(&mut self, fw: &mut Firmware, speed: f64, stop: &AtomicBool) -> Result<ServeEnd> {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        let mut buf = [0u8; 1024];
        // Session time (rows) when streaming (re)started, and the wall clock then.
        let mut epoch: Option<(Instant, f64)> = None;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(ServeEnd::Stopped);
            }
            match self.master.read(&mut buf) {
                Ok(n) if n > 0 => fw.receive(buf.get(..n).unwrap_or(&[])),
                Ok(_) => {}
                Err(e) if crate::serial::is_no_data_yet(&e) => {}
                // EIO on a master whose slave is not open right now: nothing to read.
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
            if fw.streaming() {
                let (t0, s0) = *epoch.get_or_insert_with(|| (Instant::now(), fw.glove().time_s()));
                let due = s0 + t0.elapsed().as_secs_f64() * speed;
                // Sample whole blocks while they are due, in slices so commands stay answered.
                let mut budget = 64;
                while fw.glove().time_s() < due && budget > 0 {
                    if fw.sample().is_none() {
                        break;
                    }
                    budget -= 1;
                }
            } else {
                epoch = None;
            }
            let out = fw.take_output();
            if !out.is_empty() {
                self.write_frames(&out);
            }
            if fw.finished() && fw.pending_output() == 0 {
                return Ok(ServeEnd::Finished);
            }
        }
    }

    /// Waits up to `patience` for the host to read everything sent (closing the master
    /// discards what the host has not read). Returns the bytes still unread.
    pub fn drain(&self, patience: Duration) -> u32 {
        // The kernel moves written bytes to the reading side asynchronously, so an empty input
        // queue only counts once it has stayed empty for a while.
        const QUIET: Duration = Duration::from_millis(100);
        let deadline = Instant::now() + patience;
        let mut empty_since: Option<Instant> = None;
        loop {
            let unread = self.slave.bytes_to_read().unwrap_or(0);
            if unread == 0 {
                let since = *empty_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= QUIET {
                    return 0;
                }
            } else {
                empty_since = None;
            }
            if Instant::now() >= deadline {
                return unread;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Writes `bytes`; what the host does not take within [`WRITE_PATIENCE`] is dropped.
    fn write_frames(&mut self, mut bytes: &[u8]) {
        let deadline = Instant::now() + WRITE_PATIENCE;
        while !bytes.is_empty() {
            match self.master.write(bytes) {
                Ok(n) => bytes = bytes.get(n..).unwrap_or(&[]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    if Instant::now() >= deadline {
                        self.bytes_dropped += bytes.len() as u64;
                        return;
                    }
                }
            }
        }
    }
}
