//! Writing recordings: header first, then every chunk of bytes as received, flushed at once.

use super::{HostNote, RecordingHeader, FORMAT_VERSION, MAGIC, MAX_HEADER_LEN};

/// Longest unfinished frame held back: far above the protocol's longest frame (about 530
/// bytes), so only a stream that is not frames at all is written without waiting.
const MAX_TAIL: usize = 4096;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Appends the bytes received from a glove to a recording file.
///
/// Every complete frame given to [`RecordingWriter::write_bytes`] goes straight to the
/// operating system (no user-space buffer), so a killed process loses no frame it has
/// received. The bytes of an unfinished frame (after the chunk's last `00`) are held until the
/// frame's `00` arrives (or [`RecordingWriter::finish`]), so a host note
/// ([`RecordingWriter::write_note`]) always lands between frames, before the rows it refers
/// to; a killed process loses only that unfinished frame, which no reader could decode anyway.
#[derive(Debug)]
pub struct RecordingWriter {
    file: File,
    path: PathBuf,
    bytes: u64,
    /// Bytes of the unfinished frame, not yet written.
    tail: Vec<u8>,
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
            tail: Vec::new(),
        })
    }

    /// Appends `bytes` exactly as received (the unfinished frame at their end is written when
    /// it is complete).
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(last_zero) = bytes.iter().rposition(|&b| b == 0) else {
            self.tail.extend_from_slice(bytes);
            if self.tail.len() > MAX_TAIL {
                // No delimiter for this long: not frames; write them as they are.
                self.write_tail()?;
            }
            return Ok(());
        };
        let (complete, rest) = bytes.split_at(last_zero + 1);
        self.write_tail()?;
        self.write_raw(complete)?;
        self.tail.extend_from_slice(rest);
        Ok(())
    }

    /// Writes a host note (a tare, a keyboard marker) between the frames written so far and the
    /// unfinished one.
    pub fn write_note(&mut self, note: &HostNote) -> Result<()> {
        self.write_raw(&note.to_bytes())
    }

    fn write_tail(&mut self) -> Result<()> {
        let tail = std::mem::take(&mut self.tail);
        self.write_raw(&tail)
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
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

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the unfinished frame as it is (a torn tail for the reader to report), flushes and
    /// syncs the file to disk, and closes it.
    pub fn finish(mut self) -> Result<()> {
        self.write_tail()?;
        self.flush()?;
        self.file.sync_all().map_err(|e| Error::io(&self.path, e))
    }
}
