//! Fuzzes the recording reader: any bytes as a `.mld` file — the header (magic, version,
//! length, JSON, calibration) and the data — through `scan_recording` (what `info` does) and
//! the calibrated source into the analysis pipeline (what `analyze` does). Errors are fine;
//! a panic, an abort or a hang is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mldsense::pipeline::{analyze, PipelineConfig};
use mldsense::recording::{scan_recording, RecordingSource};
use mldsense::session::SessionMeta;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One file per fuzzing process, rewritten for every input (the reader takes a path).
fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("mldsense-fuzz-{}.mld", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    if std::fs::write(p, data).is_err() {
        return;
    }
    let _ = scan_recording(p, |_| {});
    if let Ok(mut source) = RecordingSource::open(p, None) {
        let _ = analyze(&mut source, SessionMeta::default(), PipelineConfig::default());
        let _ = source.warnings();
    }
});
