//! The virtual glove served on a pseudo-terminal from a thread of its own, so a command in the
//! same process (`demo`, `live --sim`) can open its path with the real serial source, exactly as
//! it would open a real glove's port.

use crate::calibration::Calibration;
use crate::error::{Error, Result};
use crate::sim::firmware::Firmware;
use crate::sim::pty::PtyGlove;
use crate::sim::{GloveConfig, TruthStroke, VirtualGlove};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A virtual glove running on a pseudo-terminal in a background thread.
#[derive(Debug)]
pub struct SimServer {
    path: String,
    calibration: Calibration,
    truth: Vec<TruthStroke>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Starts the glove described by `config`, `speed` times faster than real time.
    pub fn start(config: GloveConfig, speed: f64) -> Result<SimServer> {
        let glove = VirtualGlove::new(config);
        let calibration = glove.calibration();
        let truth = glove.truth();
        let mut pty = PtyGlove::open()?;
        let path = pty.path().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("mldsense-virtual-glove".into())
            .spawn(move || {
                let mut fw = Firmware::new(glove);
                if let Err(e) = pty.serve(&mut fw, speed, &flag) {
                    eprintln!("virtual glove: {e}");
                }
                // Let the host read what was sent before the pseudo-terminal closes: closing
                // it is how the host learns the glove is gone.
                pty.drain(Duration::from_secs(2));
            })
            .map_err(|e| Error::Serial {
                port: path.clone(),
                message: format!("cannot start the virtual glove's thread: {e}"),
            })?;
        Ok(SimServer {
            path,
            calibration,
            truth,
            stop,
            handle: Some(handle),
        })
    }

    /// The pseudo-terminal's path, to open like a glove's port.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The calibration of the glove's (imperfect) sensors, as a real glove's calibration file
    /// would hold it.
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// The ground truth of the session the glove plays.
    pub fn truth(&self) -> &[TruthStroke] {
        &self.truth
    }

    /// Unplugs the glove (stops streaming and closes the pseudo-terminal) and waits for its
    /// thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
