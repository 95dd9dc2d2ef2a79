//! Reading a recording's header and its raw bytes.

use super::{RecordingHeader, FORMAT_VERSION, MAGIC, MAX_HEADER_LEN, PREAMBLE_LEN};
use crate::error::{Error, Result};
use mldsense_protocol::DeviceInfo;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// An open recording: its header, checked, and a reader positioned at the first data byte.
#[derive(Debug)]
pub struct RecordingReader {
    header: RecordingHeader,
    device: DeviceInfo,
    path: PathBuf,
    data_offset: u64,
    file: BufReader<File>,
}

fn format_err(path: &Path, offset: u64, message: impl Into<String>) -> Error {
    Error::Format {
        path: path.to_path_buf(),
        offset,
        message: message.into(),
    }
}

impl RecordingReader {
    /// Opens `path` and reads its header.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; [`Error::Format`] with the byte offset if the magic,
    /// version, length or header JSON is wrong.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        crate::files::ensure_regular_file(&path)?;
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut file = BufReader::with_capacity(1 << 16, file);
        let mut preamble = [0u8; PREAMBLE_LEN as usize];
        let got = read_up_to(&mut file, &mut preamble).map_err(|e| Error::io(&path, e))?;
        let magic_ok = preamble
            .iter()
            .zip(MAGIC.iter())
            .take(got.min(MAGIC.len()))
            .position(|(a, b)| a != b);
        if let Some(at) = magic_ok {
            return Err(format_err(
                &path,
                at as u64,
                "not an mldsense recording (bad magic number)",
            ));
        }
        if got < PREAMBLE_LEN as usize {
            return Err(format_err(
                &path,
                got as u64,
                "file ends inside the recording preamble (magic, version, header length)",
            ));
        }
        let version = u16::from_le_bytes([preamble[8], preamble[9]]);
        if version != FORMAT_VERSION {
            return Err(format_err(
                &path,
                8,
                format!(
                    "recording format version {version} is not supported (this mldsense reads {FORMAT_VERSION})"
                ),
            ));
        }
        let len = u32::from_le_bytes([preamble[10], preamble[11], preamble[12], preamble[13]]);
        if len > MAX_HEADER_LEN {
            return Err(format_err(
                &path,
                10,
                format!("header length {len} exceeds the {MAX_HEADER_LEN}-byte limit"),
            ));
        }
        let mut json = vec![0u8; len as usize];
        let got = read_up_to(&mut file, &mut json).map_err(|e| Error::io(&path, e))?;
        if got < json.len() {
            return Err(format_err(
                &path,
                PREAMBLE_LEN + got as u64,
                format!("file ends inside the {len}-byte header"),
            ));
        }
        let header: RecordingHeader = serde_json::from_slice(&json).map_err(|e| {
            let at = offset_of(&json, e.line(), e.column());
            format_err(&path, PREAMBLE_LEN + at, format!("bad header: {e}"))
        })?;
        let device = header
            .device
            .to_device_info()
            .map_err(|source| Error::Device {
                path: path.clone(),
                offset: PREAMBLE_LEN,
                source,
            })?;
        if let Some(cal) = &header.calibration {
            // A zero, negative or absurd slope cannot give a sensible pressure.
            cal.validate("header calibration")
                .map_err(|e| format_err(&path, PREAMBLE_LEN, format!("implausible {e}")))?;
        }
        Ok(RecordingReader {
            header,
            device,
            path,
            data_offset: PREAMBLE_LEN + u64::from(len),
            file,
        })
    }

    /// The header.
    pub fn header(&self) -> &RecordingHeader {
        &self.header
    }

    /// The device, as the protocol describes it.
    pub fn device(&self) -> &DeviceInfo {
        &self.device
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Offset of the first data byte (after the header).
    pub fn data_offset(&self) -> u64 {
        self.data_offset
    }

    /// Reads the next raw bytes into `buf`; 0 at the end of the file.
    pub fn read_data(&mut self, buf: &mut [u8]) -> Result<usize> {
        loop {
            match self.file.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&self.path, e)),
            }
        }
    }

    /// Reads all remaining data bytes.
    pub fn read_all_data(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.file
            .read_to_end(&mut out)
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(out)
    }
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Byte offset of a 1-based line and column in `text` (serde_json's error position).
fn offset_of(text: &[u8], line: usize, column: usize) -> u64 {
    let mut current = 1;
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if current == line {
            break;
        }
        if b == b'\n' {
            current += 1;
            start = i + 1;
        }
    }
    (start + column.saturating_sub(1)).min(text.len()) as u64
}
