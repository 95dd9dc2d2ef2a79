//! A recording as a [`PressureSource`]: bytes → frames → calibrated mmHg rows.

use super::{HostNote, NoteSplitter, Piece, RecordingHeader, RecordingReader};
use crate::calibration::Calibration;
use crate::error::Result;
use crate::frames::{CalibratedStream, FrameAssembler, FrameItem, FrameStats};
use crate::session::SessionMeta;
use crate::stream::{Block, PressureSource, StreamEvent, StreamInfo};
use mldsense_protocol::DeviceInfo;
use serde::Serialize;
use std::path::Path;

/// Bytes read per step.
const CHUNK: usize = 64 * 1024;

/// What reading a recording found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordingStats {
    /// Frame counts: frames, CRC errors, malformed, gaps, rows, rows lost.
    pub frames: FrameStats,
    /// Data bytes after the header.
    pub data_bytes: u64,
    /// Bytes of an unfinished last frame (0 when the file ends cleanly).
    pub torn_tail_bytes: u64,
    /// File offset where the torn last frame starts, if any.
    pub torn_tail_offset: Option<u64>,
    /// Tares the live view applied (host notes).
    pub tares: u64,
    /// Markers dropped from the keyboard (host notes; the glove button's are in the frames).
    pub keyboard_markers: u64,
}

impl RecordingStats {
    /// Rows in the stream, lost ones included (what time is counted in).
    pub fn total_rows(&self) -> u64 {
        self.frames.rows + self.frames.rows_lost
    }

    /// A warning sentence for a torn tail, if there is one.
    pub fn torn_tail_warning(&self, path: &Path) -> Option<String> {
        self.torn_tail_offset.map(|at| {
            format!(
                "{}: the last {} bytes (from byte {at}) are an unfinished frame, as when recording stops abruptly; they were ignored",
                path.display(),
                self.torn_tail_bytes
            )
        })
    }
}

/// A recording read as calibrated pressure.
#[derive(Debug)]
pub struct RecordingSource {
    reader: RecordingReader,
    stream: CalibratedStream,
    notes: NoteSplitter,
    counts: NoteCounts,
    buf: Vec<u8>,
    data_bytes: u64,
    done: bool,
    /// Where the header contradicts the glove's own `DeviceInfo`.
    disagreements: Vec<String>,
}

/// Bytes of data searched for the glove's first `DeviceInfo` (it comes with the handshake,
/// before the first sample block: a few hundred bytes in).
const DEVICE_INFO_SEARCH: u64 = 1 << 20;

/// The glove's first `DeviceInfo` in the data of the recording at `path`, if one comes before
/// the first sample block (or within `DEVICE_INFO_SEARCH` (1 MiB) bytes).
pub fn first_device_info(path: impl AsRef<Path>) -> Result<Option<DeviceInfo>> {
    let mut reader = RecordingReader::open(path)?;
    let mut assembler = FrameAssembler::new();
    let mut buf = vec![0u8; 4096];
    let mut read = 0u64;
    let mut found = None;
    let mut blocks_first = false;
    while found.is_none() && !blocks_first && read < DEVICE_INFO_SEARCH {
        let n = reader.read_data(&mut buf)?;
        if n == 0 {
            break;
        }
        read += n as u64;
        assembler.push(buf.get(..n).unwrap_or(&[]), |item| match item {
            FrameItem::Info(i) if found.is_none() && !blocks_first => found = Some(i),
            FrameItem::Rows(_) => blocks_first = true,
            _ => {}
        });
    }
    Ok(found)
}

/// Where `header` (what the recording's header says) contradicts `data` (what the glove said
/// of itself in the stream), one phrase per field: rate, rows per block, channel count, ADC
/// bits, serial.
pub fn device_disagreement(header: &DeviceInfo, data: &DeviceInfo) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |name: &str, h: u64, d: u64| {
        if h != d {
            out.push(format!("{name} {h} in the header, {d} in the data"));
        }
    };
    field("rate_hz", header.rate_hz.into(), data.rate_hz.into());
    field(
        "rows_per_block",
        header.rows_per_block.into(),
        data.rows_per_block.into(),
    );
    field(
        "channel_count",
        header.channel_count.into(),
        data.channel_count.into(),
    );
    field("adc_bits", header.adc_bits.into(), data.adc_bits.into());
    field("serial", header.serial.into(), data.serial.into());
    out
}

/// The sentence for a header that contradicts its data.
pub fn disagreement_warning(path: &Path, fields: &[String]) -> String {
    format!(
        "{}: the header contradicts the glove's own DeviceInfo in the data ({}); the data's \
         description is used",
        path.display(),
        fields.join("; ")
    )
}

/// Host notes seen so far.
#[derive(Clone, Copy, Debug, Default)]
struct NoteCounts {
    tares: u64,
    markers: u64,
}

impl NoteCounts {
    fn count(&mut self, note: &HostNote) {
        match note {
            HostNote::Tare { .. } => self.tares += 1,
            HostNote::Marker { .. } => self.markers += 1,
        }
    }
}

/// Opens a recording as a pressure source, calibrated with the calibration stored in its
/// header (the default curve for sensors it does not cover).
pub fn open_recording(path: impl AsRef<Path>) -> Result<RecordingSource> {
    RecordingSource::open(path, None)
}

impl RecordingSource {
    /// Opens `path`, calibrated with `calibration` if given, else the header's calibration.
    pub fn open(path: impl AsRef<Path>, calibration: Option<Calibration>) -> Result<Self> {
        let path = path.as_ref();
        let reader = RecordingReader::open(path)?;
        let calibration = calibration.or_else(|| reader.header().calibration.clone());
        // The glove's own DeviceInfo is the truth; the header is what the host wrote down.
        let mut device = *reader.device();
        let mut disagreements = Vec::new();
        if let Some(data) = first_device_info(path)? {
            let fields = device_disagreement(&device, &data);
            if !fields.is_empty() {
                disagreements.push(disagreement_warning(path, &fields));
            }
            device = data;
        }
        let stream = CalibratedStream::new(device, calibration);
        Ok(RecordingSource {
            reader,
            stream,
            notes: NoteSplitter::new(),
            counts: NoteCounts::default(),
            buf: vec![0; CHUNK],
            data_bytes: 0,
            done: false,
            disagreements,
        })
    }

    /// The header.
    pub fn header(&self) -> &RecordingHeader {
        self.reader.header()
    }

    /// Counts so far (complete after the last block).
    pub fn stats(&self) -> RecordingStats {
        stats_of(
            self.stream.stats(),
            self.data_bytes,
            self.stream.assembler().pending_bytes(),
            self.reader.data_offset(),
            self.done,
            self.counts,
        )
    }

    /// Who and when, for the session.
    pub fn meta(&self) -> SessionMeta {
        let h = self.reader.header();
        SessionMeta {
            source: self.reader.path().display().to_string(),
            trainee: h.trainee.clone(),
            note: h.note.clone(),
            started: Some(h.started.clone()),
        }
    }

    /// Warnings for the user: uncalibrated sensors, and a torn tail once the end is reached.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.disagreements.clone();
        w.extend(self.stream.warnings().iter().cloned());
        w.extend(self.stats().torn_tail_warning(self.reader.path()));
        w
    }
}

fn stats_of(
    frames: FrameStats,
    data_bytes: u64,
    pending: usize,
    data_offset: u64,
    at_end: bool,
    notes: NoteCounts,
) -> RecordingStats {
    let torn = if at_end { pending as u64 } else { 0 };
    RecordingStats {
        frames,
        data_bytes,
        torn_tail_bytes: torn,
        torn_tail_offset: (torn > 0).then(|| data_offset + data_bytes - torn),
        tares: notes.tares,
        keyboard_markers: notes.markers,
    }
}

impl PressureSource for RecordingSource {
    fn info(&self) -> &StreamInfo {
        self.stream.info()
    }

    fn next_block(&mut self, block: &mut Block) -> Result<bool> {
        block.clear();
        while !self.done && block.values.is_empty() && block.events.is_empty() {
            let n = self.reader.read_data(&mut self.buf)?;
            let (stream, counts) = (&mut self.stream, &mut self.counts);
            let mut result = Ok(());
            let mut on_piece = |p: Piece<'_>| match p {
                Piece::Device(bytes) => {
                    if result.is_ok() {
                        result = stream.push_bytes(bytes, block);
                    }
                }
                Piece::Note(note) => {
                    counts.count(&note);
                    block.events.push(match note {
                        HostNote::Tare { row } => (row, StreamEvent::Tare),
                        HostNote::Marker { row } => (row, StreamEvent::Marker),
                    });
                }
            };
            if n == 0 {
                self.notes.finish(&mut on_piece);
                self.done = true;
                result?;
                break;
            }
            self.data_bytes += n as u64;
            let chunk = self.buf.get(..n).unwrap_or(&[]);
            self.notes.split(chunk, &mut on_piece);
            result?;
        }
        Ok(!(block.values.is_empty() && block.events.is_empty()))
    }
}

/// Reads a whole recording without calibrating: header, stats and every frame item, for
/// `mldsense info` and for tests.
pub fn scan_recording(
    path: impl AsRef<Path>,
    mut on_item: impl FnMut(&FrameItem),
) -> Result<(RecordingHeader, RecordingStats)> {
    let mut reader = RecordingReader::open(path)?;
    let mut assembler = FrameAssembler::with_info(*reader.device());
    let mut notes = NoteSplitter::new();
    let mut counts = NoteCounts::default();
    let mut buf = vec![0u8; CHUNK];
    let mut data_bytes = 0u64;
    let mut on_piece = |p: Piece<'_>| match p {
        Piece::Device(bytes) => assembler.push(bytes, |item| on_item(&item)),
        Piece::Note(note) => counts.count(&note),
    };
    loop {
        let n = reader.read_data(&mut buf)?;
        if n == 0 {
            notes.finish(&mut on_piece);
            break;
        }
        data_bytes += n as u64;
        notes.split(buf.get(..n).unwrap_or(&[]), &mut on_piece);
    }
    let stats = stats_of(
        assembler.stats(),
        data_bytes,
        assembler.pending_bytes(),
        reader.data_offset(),
        true,
        counts,
    );
    Ok((reader.header().clone(), stats))
}
