//! Host side of the wire protocol: bytes to checked, timestamped frames of raw counts, and then
//! to calibrated [`Block`]s.
//!
//! Two steps, each usable on its own:
//!
//! 1. [`FrameAssembler`] decodes bytes as they arrive (any chunking) with the protocol crate's
//!    [`Decoder`], and yields [`FrameItem`]s: device info, rows of raw counts with their row
//!    index, status events and replies. It counts frames, CRC errors, malformed frames, bytes
//!    skipped, sequence gaps and rows lost ([`FrameStats`]).
//! 2. [`CalibratedStream`] turns those rows into mmHg through [`Calibrator`], fills lost rows
//!    with `NaN` and maps status events to [`StreamEvent`]s — what a serial or recording source
//!    hands to the pipeline: `push_bytes(&bytes, &mut block)`.
//!
//! ## Row index
//!
//! Rows are numbered from the first `SampleBlock` seen. Each `SampleBlock` carries the
//! device's block sequence number (8 bits, one counter for sample blocks only). When it jumps by
//! `g` blocks (mod 256), `g × rows_per_block` rows were lost; the device timestamps break the
//! ambiguity of the 8-bit counter (after a gap of 256 blocks or more, the multiple of 256 that
//! best matches the elapsed device time is taken). Lost rows become `NaN` rows, so time (row
//! index ÷ rate) never jumps. A `DeviceInfo` frame (sent after each `Start`) restarts the
//! sequence check without a gap: rows simply continue.
//!
//! ## Device time
//!
//! The device's 32-bit microsecond clock wraps every 2³² µs ≈ 71.6 min. The host extends it to
//! 64 bits by adding the signed 32-bit difference from the previous frame's timestamp, which is
//! right as long as frames arrive less than 2³¹ µs ≈ 35.8 min apart. Events are placed at the row
//! whose device time is closest to theirs (through the last sample block's row and time).
//!
//! **Stable API** (used by the serial source and the virtual glove): [`FrameAssembler`],
//! [`FrameItem`], [`RawRows`], [`FrameStats`], [`CalibratedStream`].

use crate::calibration::{Calibration, Calibrator};
use crate::error::{Error, Result};
use crate::stream::{Block, ChannelInfo, StreamEvent, StreamInfo};
use crate::units::SquareMillimetres;
use mldsense_protocol::{Decoder, DeviceInfo, Feed, Frame, Message, Reply, Status};

/// Rows of raw counts from one `SampleBlock`.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRows {
    /// Index of the first row since the start of the stream.
    pub start_row: u64,
    /// Device time of the first row, µs, extended past the 32-bit wrap.
    pub device_time_us: u64,
    /// Channels per row.
    pub channels: usize,
    /// Row-major counts.
    pub counts: Vec<u16>,
}

impl RawRows {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.counts.len().checked_div(self.channels).unwrap_or(0)
    }
}

/// What the assembler found in the bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum FrameItem {
    /// The device described itself.
    Info(DeviceInfo),
    /// Rows lost before the next rows: `rows` rows starting at `start_row`.
    Gap {
        /// First lost row.
        start_row: u64,
        /// Rows lost.
        rows: u64,
    },
    /// Rows of raw counts.
    Rows(RawRows),
    /// A status event, placed at a row.
    Status {
        /// The row the event belongs to.
        row: u64,
        /// What the device reported.
        status: Status,
    },
    /// The device answered a command.
    Reply {
        /// The reply's own sequence number (the device's non-sample counter).
        seq: u8,
        /// The reply.
        reply: Reply,
    },
}

/// Counts of what came in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FrameStats {
    /// Frames decoded and checked.
    pub frames_ok: u64,
    /// Frames whose CRC did not match.
    pub crc_errors: u64,
    /// Frames invalid for another reason (COBS, length, type, fields).
    pub malformed: u64,
    /// Well-formed frames of another protocol version (PROTOCOL.md §4).
    pub unsupported_version: u64,
    /// `SampleBlock`s whose channel count differs from the `DeviceInfo`'s: dropped, their
    /// rows counted as lost through the sequence gap they leave (PROTOCOL.md §5).
    pub blocks_mismatched: u64,
    /// Counts above the ADC's range (`2^adc_bits − 1`): read as the top of the range.
    pub counts_out_of_range: u64,
    /// Bytes dropped with bad frames.
    pub bytes_skipped: u64,
    /// Jumps in the sample-block sequence.
    pub sequence_gaps: u64,
    /// Sample blocks lost in those jumps.
    pub blocks_lost: u64,
    /// Rows lost in those jumps.
    pub rows_lost: u64,
    /// Rows received.
    pub rows: u64,
    /// `SampleBlock`s received.
    pub sample_blocks: u64,
}

/// Decodes bytes into [`FrameItem`]s, tracking sequence numbers, row indices and device time.
#[derive(Clone, Debug, Default)]
pub struct FrameAssembler {
    decoder: Decoder,
    info: Option<DeviceInfo>,
    next_row: u64,
    last_sample_seq: Option<u8>,
    /// Extended device time of the last frame, and its raw value.
    clock: Option<(u64, u32)>,
    /// Row and extended device time of the last sample block's first row.
    anchor: Option<(u64, u64)>,
    stats: FrameStats,
    last_error: Option<mldsense_protocol::Error>,
}

impl FrameAssembler {
    /// An assembler that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// An assembler that already knows the device (from a handshake or a recording header).
    pub fn with_info(info: DeviceInfo) -> Self {
        FrameAssembler {
            info: Some(info),
            ..Self::default()
        }
    }

    /// The device's latest description, if any.
    pub fn info(&self) -> Option<&DeviceInfo> {
        self.info.as_ref()
    }

    /// Counts so far.
    pub fn stats(&self) -> FrameStats {
        let d = self.decoder.stats();
        FrameStats {
            frames_ok: d.frames_ok,
            crc_errors: d.crc_errors,
            malformed: d.malformed,
            unsupported_version: d.unsupported_version,
            bytes_skipped: d.bytes_skipped,
            ..self.stats
        }
    }

    /// Bytes of an unfinished frame: a torn tail if the stream ends here.
    pub fn pending_bytes(&self) -> usize {
        self.decoder.pending()
    }

    /// The last decoding error, for diagnostics.
    pub fn last_error(&self) -> Option<mldsense_protocol::Error> {
        self.last_error
    }

    /// The index the next received row will get (rows received plus rows lost).
    pub fn next_row(&self) -> u64 {
        self.next_row
    }

    /// The device time (µs, extended past the wrap) of `row`, extrapolated from the last
    /// sample block's first row and time at the nominal rate; `None` before any sample block.
    /// The inverse of how status events are placed at rows.
    pub fn device_time_of_row(&self, row: u64) -> Option<u64> {
        let (anchor_row, t0) = self.anchor?;
        let rate = self.rate_hz()?;
        let dt_us = (row as f64 - anchor_row as f64) * 1e6 / rate;
        Some((t0 as f64 + dt_us).round().max(0.0) as u64)
    }

    /// Drops a half-received frame, e.g. after a reconnect; counts and row numbering stay.
    pub fn reset_partial(&mut self) {
        self.decoder.reset();
        self.last_sample_seq = None;
    }

    /// Feeds `bytes` (any chunk of the stream) and calls `on_item` for everything they complete.
    /// Each frame is handled as the decoder completes it: nothing is collected per chunk.
    pub fn push(&mut self, mut bytes: &[u8], mut on_item: impl FnMut(FrameItem)) {
        loop {
            match self.decoder.feed(bytes) {
                Feed::Consumed => return,
                Feed::Frame { frame, rest } => {
                    self.handle(frame, &mut on_item);
                    bytes = rest;
                }
                Feed::Error { error, rest } => {
                    self.last_error = Some(error);
                    bytes = rest;
                }
            }
        }
    }

    fn extend_time(&mut self, raw: u32) -> u64 {
        let extended = match self.clock {
            None => u64::from(raw),
            Some((ext, last)) => {
                let delta = i64::from(raw.wrapping_sub(last) as i32);
                ext.saturating_add_signed(delta)
            }
        };
        self.clock = Some((extended, raw));
        extended
    }

    fn row_at(&self, time_us: u64) -> u64 {
        match (self.anchor, self.rate_hz()) {
            (Some((row, t0)), Some(rate)) => {
                let dt = (time_us as f64 - t0 as f64) * 1e-6 * rate;
                (row as f64 + dt).round().max(0.0) as u64
            }
            _ => self.next_row,
        }
    }

    fn rate_hz(&self) -> Option<f64> {
        self.info
            .as_ref()
            .filter(|i| i.rate_hz > 0)
            .map(|i| f64::from(i.rate_hz))
    }

    fn handle(&mut self, frame: Frame, on_item: &mut impl FnMut(FrameItem)) {
        match frame.message {
            Message::DeviceInfo(info) => {
                self.extend_time(frame.timestamp_us);
                self.info = Some(info);
                self.last_sample_seq = None;
                on_item(FrameItem::Info(info));
            }
            Message::SampleBlock(block) => {
                let time = self.extend_time(frame.timestamp_us);
                if let Some(info) = self.info {
                    if block.channel_count != info.channel_count {
                        // A block of another shape cannot be placed in this stream: drop it.
                        // Its sequence number is not taken, so the next block's jump counts
                        // its rows as lost (NaN), and time stays right.
                        self.stats.blocks_mismatched += 1;
                        return;
                    }
                }
                let rows = usize::from(block.row_count);
                let per_block = self
                    .info
                    .map(|i| u64::from(i.rows_per_block))
                    .unwrap_or(rows as u64)
                    .max(1);
                if let Some(last) = self.last_sample_seq {
                    let gap = u64::from(frame.seq.wrapping_sub(last.wrapping_add(1)));
                    let lost_blocks = self.resolve_gap(gap, time, per_block);
                    if lost_blocks > 0 {
                        let lost_rows = lost_blocks * per_block;
                        self.stats.sequence_gaps += 1;
                        self.stats.blocks_lost += lost_blocks;
                        self.stats.rows_lost += lost_rows;
                        on_item(FrameItem::Gap {
                            start_row: self.next_row,
                            rows: lost_rows,
                        });
                        self.next_row += lost_rows;
                    }
                }
                self.last_sample_seq = Some(frame.seq);
                self.anchor = Some((self.next_row, time));
                self.stats.sample_blocks += 1;
                self.stats.rows += rows as u64;
                let start_row = self.next_row;
                self.next_row += rows as u64;
                let mut counts = block.counts().to_vec();
                if let Some(top) = self.info.map(|i| full_scale(i.adc_bits)) {
                    for c in counts.iter_mut().filter(|c| **c > top) {
                        // Above the ADC's range: the glove's front end cannot make it, so it
                        // is read as the top of the range (saturated), never as more force.
                        *c = top;
                        self.stats.counts_out_of_range += 1;
                    }
                }
                on_item(FrameItem::Rows(RawRows {
                    start_row,
                    device_time_us: time,
                    channels: usize::from(block.channel_count),
                    counts,
                }));
            }
            Message::Status(status) => {
                let time = self.extend_time(frame.timestamp_us);
                let row = self.row_at(time);
                on_item(FrameItem::Status { row, status });
            }
            Message::Reply(reply) => {
                self.extend_time(frame.timestamp_us);
                on_item(FrameItem::Reply {
                    seq: frame.seq,
                    reply,
                });
            }
            // Commands travel host → device; one in the device's stream is an echo or a loop
            // back, and carries no data.
            _ => {}
        }
    }

    /// Blocks lost, given the 8-bit sequence gap and the device time since the last block.
    fn resolve_gap(&self, gap: u64, time: u64, per_block: u64) -> u64 {
        let (Some((_, t0)), Some(rate)) = (self.anchor, self.rate_hz()) else {
            return gap;
        };
        let elapsed_blocks = (time.saturating_sub(t0)) as f64 * 1e-6 * rate / per_block as f64;
        let missing_by_time = elapsed_blocks - 1.0;
        if missing_by_time < 255.5 {
            return gap;
        }
        let wraps = ((missing_by_time - gap as f64) / 256.0).round().max(0.0) as u64;
        gap + 256 * wraps
    }
}

/// The top count of an `adc_bits` ADC (`2^bits − 1`; bits outside 1–16 are clamped).
pub fn full_scale(adc_bits: u8) -> u16 {
    let bits = u32::from(adc_bits.clamp(1, 16));
    u16::try_from((1u32 << bits) - 1).unwrap_or(u16::MAX)
}

/// Bytes in, calibrated rows out: a [`FrameAssembler`] and a [`Calibrator`], filling
/// [`Block`]s for a [`crate::stream::PressureSource`].
#[derive(Clone, Debug)]
pub struct CalibratedStream {
    assembler: FrameAssembler,
    calibration: Option<Calibration>,
    calibrator: Calibrator,
    info: StreamInfo,
    device: DeviceInfo,
    replies: Vec<(u8, Reply)>,
    warnings: Vec<String>,
    /// The saturation bits of the last `Status`.
    prev_saturated: u16,
    /// The low-battery bit of the last `Status`.
    prev_low_battery: bool,
    /// The items of the chunk being turned into rows, kept so a chunk allocates nothing.
    items: Vec<FrameItem>,
}

impl CalibratedStream {
    /// A stream for `device` (from the handshake or a recording header), calibrated with
    /// `calibration` where it covers a sensor and the default curve elsewhere.
    pub fn new(device: DeviceInfo, calibration: Option<Calibration>) -> Self {
        let calibrator = Calibrator::new(&device, calibration.as_ref());
        let warnings = calibrator.warnings().to_vec();
        CalibratedStream {
            assembler: FrameAssembler::with_info(device),
            info: stream_info(&device, &calibrator),
            calibration,
            calibrator,
            device,
            replies: Vec::new(),
            warnings,
            prev_saturated: 0,
            prev_low_battery: false,
            items: Vec::new(),
        }
    }

    /// Rate and channels, for [`crate::stream::PressureSource::info`].
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// The device's description.
    pub fn device(&self) -> &DeviceInfo {
        &self.device
    }

    /// The frame assembler (stats, pending bytes).
    pub fn assembler(&self) -> &FrameAssembler {
        &self.assembler
    }

    /// Mutable access to the assembler (e.g. [`FrameAssembler::reset_partial`] on reconnect).
    pub fn assembler_mut(&mut self) -> &mut FrameAssembler {
        &mut self.assembler
    }

    /// Counts so far.
    pub fn stats(&self) -> FrameStats {
        self.assembler.stats()
    }

    /// Warnings for the user: uncalibrated sensors.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Replies received since the last call, with their sequence numbers.
    pub fn take_replies(&mut self) -> Vec<(u8, Reply)> {
        std::mem::take(&mut self.replies)
    }

    /// Decodes `bytes` and appends the rows and events they complete to `out`, in mmHg.
    ///
    /// `out` is not cleared: if it holds no values, its `start_row` is set to the first row
    /// appended; rows are contiguous (lost rows are `NaN`, with a [`StreamEvent::Gap`]).
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the device re-describes itself with a different channel count
    /// or rate mid-stream (the stream's shape and time base cannot change).
    pub fn push_bytes(&mut self, bytes: &[u8], out: &mut Block) -> Result<()> {
        let channels = self.info.channel_count();
        let mut items = std::mem::take(&mut self.items);
        items.clear();
        self.assembler.push(bytes, |item| items.push(item));
        for item in items.drain(..) {
            match item {
                FrameItem::Info(info) => {
                    if usize::from(info.channel_count) != channels {
                        return Err(Error::Unsupported(format!(
                            "the glove changed from {channels} to {} channels mid-stream",
                            info.channel_count
                        )));
                    }
                    let rate = f64::from(info.rate_hz);
                    if rate != self.info.rate_hz {
                        return Err(Error::Unsupported(format!(
                            "the glove changed from {} Hz to {} Hz mid-stream (a rate takes \
                             effect at a Start, after a new DeviceInfo, and a stream's time \
                             base cannot change)",
                            self.info.rate_hz, info.rate_hz
                        )));
                    }
                    if info != self.device {
                        self.device = info;
                        self.calibrator = Calibrator::new(&info, self.calibration.as_ref());
                    }
                }
                FrameItem::Gap { start_row, rows } => {
                    align(out, start_row, channels);
                    out.events.push((start_row, StreamEvent::Gap { rows }));
                    let n = usize::try_from(rows).unwrap_or(usize::MAX);
                    let len = out.values.len().saturating_add(n.saturating_mul(channels));
                    out.values.resize(len, f64::NAN);
                }
                FrameItem::Rows(raw) => {
                    align(out, raw.start_row, channels);
                    for row in raw.counts.chunks(raw.channels.max(1)) {
                        for ch in 0..channels {
                            let v = row
                                .get(ch)
                                .map(|&c| self.calibrator.pressure(ch, c).0)
                                .unwrap_or(f64::NAN);
                            out.values.push(v);
                        }
                    }
                }
                FrameItem::Status { row, status } => {
                    if status.flags & Status::MARKER != 0 {
                        out.events.push((row, StreamEvent::Marker));
                    }
                    let low = status.flags & Status::LOW_BATTERY != 0;
                    if low && !self.prev_low_battery {
                        out.events.push((row, StreamEvent::LowBattery));
                    }
                    self.prev_low_battery = low;
                    // Status is a state report (PROTOCOL.md §5): a channel's saturation is an
                    // event when its bit goes 0 → 1 against the previous report, not on every
                    // report that still carries it.
                    let onsets = status.saturated & !self.prev_saturated;
                    self.prev_saturated = status.saturated;
                    for ch in 0..channels.min(16) {
                        if onsets & (1 << ch) != 0 {
                            out.events
                                .push((row, StreamEvent::Saturation { channel: ch }));
                        }
                    }
                }
                FrameItem::Reply { seq, reply } => self.replies.push((seq, reply)),
            }
        }
        self.items = items;
        Ok(())
    }
}

/// Makes `out` start at `row` if it is empty, so appended rows land at their index. Rows arrive
/// contiguous by construction (a lost frame is a [`FrameItem::Gap`] of `NaN` rows), so a
/// non-empty block already ends at `row`.
fn align(out: &mut Block, row: u64, channels: usize) {
    if out.values.is_empty() {
        out.start_row = row;
    }
    debug_assert_eq!(
        out.start_row + out.rows(channels) as u64,
        row,
        "rows reach the block contiguously"
    );
}

/// The stream description of a device: its rate and its channels' names and areas.
pub fn stream_info(device: &DeviceInfo, calibrator: &Calibrator) -> StreamInfo {
    StreamInfo {
        rate_hz: f64::from(device.rate_hz),
        channels: device
            .channels()
            .iter()
            .enumerate()
            .map(|(i, ch)| ChannelInfo {
                name: if ch.name().is_empty() {
                    format!("ch{i}")
                } else {
                    ch.name().to_string()
                },
                area: calibrator
                    .channel(i)
                    .map(|(_, a)| a)
                    .or(Some(SquareMillimetres(f64::from(ch.area_dmm2) / 10.0))),
            })
            .collect(),
        start_time_s: 0.0,
    }
}
