//! The virtual glove's firmware: the real firmware core (`firmware/core`, crate
//! `mldsense-firmware`, the code the STM32F411 board runs) compiled for the host, on a
//! simulated board whose ADC reads the simulated hand through the sensor model.
//!
//! Software in the loop: every test and tool that goes through the virtual glove exercises the
//! board's command handling, block packing, sequence numbers, timestamps, tare and status
//! events. Only the board is simulated ([`SimBoard`]): its ADC returns the glove's next row,
//! its clock is the glove's device time of that row, its button is pressed on the rows where
//! the hand moves to a new spot, and its timer is this module calling
//! [`mldsense_firmware::Firmware::tick`] once per row as the rows come due.
//!
//! Feed it the bytes the host sent ([`Firmware::receive`]), let it sample ([`Firmware::sample`],
//! one block of rows) and take the bytes it sends ([`Firmware::take_output`]). The
//! pseudo-terminal server ([`crate::sim::pty`]) paces this in real time; [`record_session`]
//! runs it flat out into a recording.
//!
//! What the core does is in `firmware/core/src/lib.rs`; the one thing added here is the sensor
//! dropouts of [`crate::sim::Imperfections`]: a block the sensor model loses is cut from the
//! bytes after the core sent it, as a lossy cable would, so it still uses up its sequence
//! number and the host sees the gap.

use crate::error::{Error, Result};
use crate::recording::{RecordingHeader, RecordingWriter};
use crate::sim::glove::{GloveBlock, GloveConfig, VirtualGlove};
use mldsense_firmware::{host_command, Adc, Clock, DeviceConfig, Panel, SampleTimer, Tick};
use mldsense_protocol::{Command, MAX_CHANNELS};
use std::path::Path;

/// The simulated board's output queue, bytes: the STM32F411 board's size.
pub const SIM_QUEUE: usize = 4096;

/// Host bytes handed to the core at a time (a USB full-speed packet), draining its queue after
/// each, so a burst of commands never overflows it.
const RECEIVE_CHUNK: usize = 64;

/// What the firmware has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FirmwareStats {
    /// Commands received and answered.
    pub commands: u64,
    /// Frames from the host that failed to decode.
    pub bad_commands: u64,
    /// `SampleBlock`s sent.
    pub blocks_sent: u64,
    /// Blocks lost in sensor dropouts (not sent).
    pub blocks_dropped: u64,
    /// Rows sent.
    pub rows_sent: u64,
    /// `Status` frames sent.
    pub status_sent: u64,
}

/// The board the firmware core runs on inside the virtual glove.
#[derive(Clone, Debug, Default)]
pub struct SimBoard {
    row: [u16; MAX_CHANNELS],
    now_us: u32,
    button: bool,
    period_us: Option<u32>,
    identified: u32,
}

impl SimBoard {
    /// The sample timer's period, while the core has it running.
    pub fn period_us(&self) -> Option<u32> {
        self.period_us
    }
}

impl Adc for SimBoard {
    fn read_row(&mut self, counts: &mut [u16]) {
        for (c, &r) in counts.iter_mut().zip(&self.row) {
            *c = r;
        }
    }
}

impl Clock for SimBoard {
    fn now_us(&mut self) -> u32 {
        self.now_us
    }
}

impl SampleTimer for SimBoard {
    fn start(&mut self, period_us: u32) {
        self.period_us = Some(period_us);
    }
    fn stop(&mut self) {
        self.period_us = None;
    }
}

impl Panel for SimBoard {
    fn take_button_press(&mut self) -> bool {
        std::mem::take(&mut self.button)
    }
    fn battery_mv(&mut self) -> Option<u16> {
        // A charged Li-ion cell.
        Some(3900)
    }
    fn identify(&mut self) {
        self.identified += 1;
    }
}

/// The firmware core as the virtual glove runs it.
pub type Core = mldsense_firmware::Firmware<SimBoard, SIM_QUEUE>;

/// The firmware of the virtual glove: the core, the glove it samples, and the bytes sent.
#[derive(Clone, Debug)]
pub struct Firmware {
    glove: VirtualGlove,
    core: Core,
    out: Vec<u8>,
    blocks_dropped: u64,
    rows_dropped: u64,
}

impl Firmware {
    /// Firmware driving `glove`, idle until the host sends `Start`.
    pub fn new(glove: VirtualGlove) -> Self {
        let info = glove.device_info();
        let config = DeviceConfig {
            firmware: info.firmware,
            serial: info.serial,
            sensor_kind: info.sensor_kind,
            adc_bits: info.adc_bits,
            channel_count: info.channel_count,
            channels: info.channels,
            rate_hz: info.rate_hz,
            max_rate_hz: 2000,
            // The simulated ADC reaches full scale.
            saturation_counts: ((1u32 << info.adc_bits.clamp(1, 16)) - 1) as u16,
        };
        Firmware {
            glove,
            core: Core::new(SimBoard::default(), config),
            out: Vec::new(),
            blocks_dropped: 0,
            rows_dropped: 0,
        }
    }

    /// The glove being driven.
    pub fn glove(&self) -> &VirtualGlove {
        &self.glove
    }

    /// The firmware core (its rate, zeros, counters).
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Whether `SampleBlock`s are being sent.
    pub fn streaming(&self) -> bool {
        self.core.streaming()
    }

    /// Whether the session is over (every row sampled).
    pub fn finished(&self) -> bool {
        self.glove.finished()
    }

    /// Counts so far.
    pub fn stats(&self) -> FirmwareStats {
        let s = self.core.stats();
        FirmwareStats {
            commands: s.commands,
            bad_commands: s.bad_frames,
            blocks_sent: s.blocks_sent.saturating_sub(self.blocks_dropped),
            blocks_dropped: self.blocks_dropped + s.blocks_overflowed,
            rows_sent: s.rows_sent.saturating_sub(self.rows_dropped),
            status_sent: s.status_sent,
        }
    }

    /// How many times the host asked the glove to identify itself.
    pub fn identify_requests(&self) -> u32 {
        self.core.board().identified
    }

    /// Takes the bytes to send to the host.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Bytes waiting to be sent.
    pub fn pending_output(&self) -> usize {
        self.out.len()
    }

    /// Moves what the core queued to the bytes sent.
    fn drain(&mut self) {
        loop {
            let chunk = self.core.pending();
            if chunk.is_empty() {
                return;
            }
            let n = chunk.len();
            self.out.extend_from_slice(chunk);
            self.core.consume(n);
        }
    }

    /// Hands bytes from the host to the core and queues its answers. The board's clock reads
    /// the time of the next row, as a real glove's would between two samples.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.core.board_mut().now_us = self.glove.device_time_us(self.glove.next_row()) as u32;
        for chunk in bytes.chunks(RECEIVE_CHUNK) {
            self.core.receive(chunk);
            self.drain();
        }
        // The core applies a new rate when it (re)starts its timer: the glove's clock follows.
        if self.core.streaming() && self.glove.config().rate_hz != self.core.rate_hz() {
            self.glove.set_rate(self.core.rate_hz());
        }
    }

    /// Samples one block if streaming: each of the glove's rows through the core, one timer
    /// tick each. Returns the block (sent or lost in a dropout), or `None` when idle or when
    /// the session is over.
    pub fn sample(&mut self) -> Option<GloveBlock> {
        if !self.core.streaming() {
            return None;
        }
        let block = self.glove.next_block()?;
        let channels = self.glove.channels();
        let rows = block.rows(channels);
        // Where the block's frame landed in `out`, and its length.
        let mut frame: Option<(usize, usize)> = None;
        for r in 0..rows {
            let row = block.start_row + r as u64;
            let board = self.core.board_mut();
            if let Some(counts) = block.counts.get(r * channels..(r + 1) * channels) {
                for (dst, &c) in board.row.iter_mut().zip(counts) {
                    *dst = c;
                }
            }
            board.now_us = self.glove.device_time_us(row) as u32;
            board.button = block.marker_row == Some(row);
            let at = self.out.len();
            if let Tick::Block(b) = self.core.tick() {
                frame = (b.frame_len > 0).then_some((at, b.frame_len));
            }
            self.drain();
        }
        if rows > 0 && self.core.rows_in_block() > 0 {
            // The session ended mid-block: the rows so far go out as a short block.
            let at = self.out.len();
            if let Some(b) = self.core.end_block() {
                frame = (b.frame_len > 0).then_some((at, b.frame_len));
            }
            self.drain();
        }
        if !block.delivered {
            if let Some((at, len)) = frame {
                self.out.drain(at..(at + len).min(self.out.len()));
                self.blocks_dropped += 1;
                self.rows_dropped += rows as u64;
            }
        }
        Some(block)
    }
}

/// The bytes a host sends to ask for something: a `00` flush, then the command frame.
pub fn command_bytes(seq: u8, command: Command) -> Vec<u8> {
    host_command(seq, command).to_vec()
}

/// Runs a whole session through the firmware as fast as it goes — the host's `GetInfo` and
/// `Start`, then every block — and returns the exact bytes the glove sends.
pub fn session_bytes(config: GloveConfig) -> (Vec<u8>, Firmware) {
    let mut fw = Firmware::new(VirtualGlove::new(config));
    fw.receive(&command_bytes(0, Command::GetInfo));
    fw.receive(&command_bytes(1, Command::Start));
    let mut bytes = fw.take_output();
    while fw.sample().is_some() {
        bytes.append(&mut fw.out);
    }
    (bytes, fw)
}

/// Writes a whole session to a recording at `path`, through the same encoder as the live
/// glove: the header names the virtual glove and carries its calibration, the data are the
/// bytes the firmware sends (handshake answers included). Returns the firmware, for its
/// stats and truth.
pub fn record_session(config: GloveConfig, path: &Path, note: Option<String>) -> Result<Firmware> {
    record_session_as(config, path, |h| h.note = note)
}

/// [`record_session`] with the header adjusted by `edit` before it is written (a trainee's
/// name, a start time other than now: a simulated class over several weeks).
pub fn record_session_as(
    config: GloveConfig,
    path: &Path,
    edit: impl FnOnce(&mut RecordingHeader),
) -> Result<Firmware> {
    let mut fw = Firmware::new(VirtualGlove::new(config));
    let mut header = RecordingHeader::new(&fw.core.device_info());
    header.source = Some("virtual glove".into());
    header.calibration = Some(fw.glove.calibration());
    edit(&mut header);
    let mut writer = RecordingWriter::create(path, &header)?;
    fw.receive(&command_bytes(0, Command::GetInfo));
    fw.receive(&command_bytes(1, Command::Start));
    writer.write_bytes(&fw.take_output())?;
    let mut chunk = Vec::with_capacity(64 * 1024);
    while fw.sample().is_some() {
        chunk.append(&mut fw.out);
        if chunk.len() >= 60 * 1024 {
            writer.write_bytes(&chunk)?;
            chunk.clear();
        }
    }
    writer.write_bytes(&chunk)?;
    writer.finish()?;
    if fw.stats().blocks_sent == 0 && fw.glove.total_rows() > 0 {
        return Err(Error::Unsupported(format!(
            "{}: the virtual glove sent no sample blocks",
            path.display()
        )));
    }
    Ok(fw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::{FrameAssembler, FrameItem};
    use crate::sim::sensor::Imperfections;
    use mldsense_protocol::{NakReason, Reply, ReplyResult};

    fn items(bytes: &[u8]) -> Vec<FrameItem> {
        let mut a = FrameAssembler::new();
        let mut out = Vec::new();
        a.push(bytes, |i| out.push(i));
        assert_eq!(a.stats().crc_errors + a.stats().malformed, 0);
        out
    }

    #[test]
    fn handshake_answers_as_the_protocol_says() {
        let mut fw = Firmware::new(VirtualGlove::new(GloveConfig::default()));
        fw.receive(&command_bytes(7, Command::GetInfo));
        let got = items(&fw.take_output());
        assert!(matches!(
            got[0],
            FrameItem::Reply {
                reply: Reply {
                    command_seq: 7,
                    result: ReplyResult::Ack,
                    ..
                },
                ..
            }
        ));
        assert!(
            matches!(got[1], FrameItem::Info(i) if i.serial == crate::sim::glove::VIRTUAL_SERIAL && i.channel_count == 5)
        );
        assert!(fw.sample().is_none(), "idle until Start");
        fw.receive(&command_bytes(8, Command::Start));
        fw.receive(&command_bytes(9, Command::SetRate { rate_hz: 500 }));
        assert!(fw.sample().is_some());
        let got = items(&fw.take_output());
        assert!(matches!(
            got[0],
            FrameItem::Reply {
                reply: Reply {
                    command_seq: 8,
                    result: ReplyResult::Ack,
                    ..
                },
                ..
            }
        ));
        assert!(matches!(got[1], FrameItem::Info(_)));
        assert!(matches!(
            got[2],
            FrameItem::Reply {
                reply: Reply {
                    command_seq: 9,
                    result: ReplyResult::Nak(NakReason::Busy),
                    ..
                },
                ..
            }
        ));
        assert!(matches!(&got[3], FrameItem::Rows(r) if r.start_row == 0 && r.rows() == 2));
        fw.receive(&command_bytes(10, Command::Stop));
        fw.receive(&command_bytes(11, Command::SetRate { rate_hz: 123 }));
        fw.receive(&command_bytes(12, Command::SetRate { rate_hz: 500 }));
        let got = items(&fw.take_output());
        let results: Vec<ReplyResult> = got
            .iter()
            .filter_map(|i| match i {
                FrameItem::Reply { reply, .. } => Some(reply.result),
                _ => None,
            })
            .collect();
        assert_eq!(
            results,
            vec![
                ReplyResult::Ack,
                ReplyResult::Nak(NakReason::BadArgument),
                ReplyResult::Ack
            ]
        );
        assert!(fw.sample().is_none(), "stopped");
    }

    #[test]
    fn full_scale_readings_are_reported_once_per_onset() {
        let cfg = GloveConfig {
            duration_s: 10.0,
            imperfections: Imperfections {
                glitch_p: 0.002,
                ..Imperfections::none()
            },
            ..GloveConfig::default()
        };
        let mut fw = Firmware::new(VirtualGlove::new(cfg));
        fw.receive(&command_bytes(0, Command::Start));
        let mut expected = 0u32;
        let mut last = 0u16;
        let mut saturated_counts = 0usize;
        while let Some(b) = fw.sample() {
            expected += (b.saturated & !last).count_ones();
            last = b.saturated;
            saturated_counts += b.counts.iter().filter(|&&c| c == 4095).count();
        }
        let mut reported = 0u32;
        for item in items(&fw.take_output()) {
            if let FrameItem::Status { status, .. } = item {
                reported += status.saturated.count_ones();
            }
        }
        // ≈ 0.002 × 2000 rows × 5 channels = 20 glitches, each at full scale.
        assert!((8..40).contains(&saturated_counts), "{saturated_counts}");
        assert!(expected > 0);
        // Each Status carries every saturated channel; at least the new ones are reported.
        assert!(reported >= expected, "{reported} < {expected}");
    }

    #[test]
    fn dropped_blocks_show_as_sequence_gaps() {
        let cfg = GloveConfig {
            duration_s: 60.0,
            imperfections: Imperfections {
                dropouts_per_min: 10.0,
                dropout_rows: (2, 6),
                ..Imperfections::none()
            },
            ..GloveConfig::default()
        };
        let (bytes, fw) = session_bytes(cfg);
        let mut a = FrameAssembler::new();
        a.push(&bytes, |_| {});
        let s = a.stats();
        assert!(fw.stats().blocks_dropped > 3);
        assert_eq!(s.blocks_lost, fw.stats().blocks_dropped);
        assert_eq!(s.sample_blocks, fw.stats().blocks_sent);
        assert_eq!(s.rows + s.rows_lost, 60 * 200);
    }
}
