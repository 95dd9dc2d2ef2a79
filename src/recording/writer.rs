//! Writing recordings: header first, then every chunk of bytes as received, flushed at once.

use super::{RecordingHeader, FORMAT_VERSION, MAGIC, MAX_HEADER_LEN};
use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Appends the bytes received from a glove to a recording file.
///
/// Every [`RecordingWriter::write_bytes`] goes straight to the operating system (no user-space
/// buffer), so a killed process loses nothing it has written; chunks cut mid-frame are fine,
/// the reader reassembles frames.
#[derive(Debug)]
pub struct RecordingWriter {
    file: File,
    path: PathBuf,
    bytes: u64,
}

impl RecordingWriter {
    /// Creates (or truncates) `path` and writes the header.
    pub fn create(path: impl AsRef<Path>, header: &RecordingHeader) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let json = serde_json::to_vec(header).map_err(|e| Error::Config {
            context: path.display().to_string(),
            message: format!("cannot write the recording header: {e}"),
        })?;
        let len = u32::try_from(json.len())
            .ok()
            .filter(|&l| l <= MAX_HEADER_LEN)
            .ok_or_else(|| Error::Config {
                context: path.display().to_string(),
                message: format!("recording header too large ({} bytes)", json.len()),
            })?;
        let mut preamble = Vec::with_capacity(14 + json.len());
        preamble.extend_from_slice(&MAGIC);
        preamble.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        preamble.extend_from_slice(&len.to_le_bytes());
        preamble.extend_from_slice(&json);
        let mut file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        file.write_all(&preamble).map_err(|e| Error::io(&path, e))?;
        file.flush().map_err(|e| Error::io(&path, e))?;
        Ok(RecordingWriter {
            file,
            path,
            bytes: 0,
        })
    }

    /// Appends `bytes` exactly as received.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))?;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Flushes to the operating system (a no-op today: writes are unbuffered).
    pub fn flush(&mut self) -> Result<()> {
        self.file.flush().map_err(|e| Error::io(&self.path, e))
    }

    /// Data bytes written so far (header excluded).
    pub fn bytes_written(&self) -> u64 {
        self.bytes
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and syncs the file to disk, and closes it.
    pub fn finish(mut self) -> Result<()> {
        self.flush()?;
        self.file.sync_all().map_err(|e| Error::io(&self.path, e))
    }
}
