//! The virtual glove's firmware: answers host commands and streams `SampleBlock`s exactly as
//! `firmware-protocol/PROTOCOL.md` says, independent of any transport.
//!
//! Feed it the bytes the host sent ([`Firmware::receive`]), let it sample ([`Firmware::sample`])
//! and take the bytes it sends ([`Firmware::take_output`]). The pseudo-terminal server
//! ([`crate::sim::pty`]) paces this in real time; [`record_session`] runs it flat out into a
//! recording.
//!
//! Behaviour: `GetInfo` → ack + `DeviceInfo`; `Start` → ack + `DeviceInfo`, then blocks;
//! `Stop` → ack, no more blocks (the session clock pauses: the next `Start` continues it);
//! `SetRate` → ack when idle and the rate is supported, nak `BusY` while streaming, nak
//! `BadArgument` otherwise; `Identify`, `Tare` → ack. Blocks lost in a sensor dropout are not
//! sent but use up their sequence number, so the host sees the gap. A `Status` goes out after
//! the block in which the button was pressed (the hand placed on a new spot) or a channel newly
//! reached full scale.

use crate::error::{Error, Result};
use crate::recording::{RecordingHeader, RecordingWriter};
use crate::sim::glove::{GloveBlock, GloveConfig, VirtualGlove};
use mldsense_protocol::{
    encode, Command, Decoder, Frame, Message, NakReason, Reply, ReplyResult, SampleBlock, Status,
    MAX_FRAME_LEN,
};
use std::path::Path;

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

/// The firmware of the virtual glove.
#[derive(Clone, Debug)]
pub struct Firmware {
    glove: VirtualGlove,
    decoder: Decoder,
    streaming: bool,
    sample_seq: u8,
    other_seq: u8,
    last_saturated: u16,
    out: Vec<u8>,
    stats: FirmwareStats,
    identified: u32,
}

impl Firmware {
    /// Firmware driving `glove`, idle until the host sends `Start`.
    pub fn new(glove: VirtualGlove) -> Self {
        Firmware {
            glove,
            decoder: Decoder::new(),
            streaming: false,
            sample_seq: 0,
            other_seq: 0,
            last_saturated: 0,
            out: Vec::new(),
            stats: FirmwareStats::default(),
            identified: 0,
        }
    }

    /// The glove being driven.
    pub fn glove(&self) -> &VirtualGlove {
        &self.glove
    }

    /// Whether `SampleBlock`s are being sent.
    pub fn streaming(&self) -> bool {
        self.streaming
    }

    /// Whether the session is over (every row sampled).
    pub fn finished(&self) -> bool {
        self.glove.finished()
    }

    /// Counts so far.
    pub fn stats(&self) -> FirmwareStats {
        self.stats
    }

    /// How many times the host asked the glove to identify itself.
    pub fn identify_requests(&self) -> u32 {
        self.identified
    }

    /// Takes the bytes to send to the host.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Bytes waiting to be sent.
    pub fn pending_output(&self) -> usize {
        self.out.len()
    }

    /// Decodes bytes from the host and queues the answers.
    pub fn receive(&mut self, bytes: &[u8]) {
        let mut frames = Vec::new();
        let mut bad = 0;
        self.decoder.push(bytes, |r| match r {
            Ok(f) => frames.push(f),
            Err(_) => bad += 1,
        });
        self.stats.bad_commands += bad;
        for f in frames {
            if let Message::Command(cmd) = f.message {
                self.stats.commands += 1;
                self.command(f.seq, cmd);
            }
        }
    }

    fn command(&mut self, seq: u8, cmd: Command) {
        let result = match cmd {
            Command::GetInfo | Command::Identify | Command::Tare | Command::Start => {
                ReplyResult::Ack
            }
            Command::Stop => ReplyResult::Ack,
            Command::SetRate { rate_hz } => {
                if self.streaming {
                    ReplyResult::Nak(NakReason::Busy)
                } else if self.glove.set_rate(rate_hz) {
                    ReplyResult::Ack
                } else {
                    ReplyResult::Nak(NakReason::BadArgument)
                }
            }
            _ => ReplyResult::Nak(NakReason::UnknownCommand),
        };
        self.send_other(Message::Reply(Reply {
            command_seq: seq,
            command_code: cmd.code(),
            result,
        }));
        match cmd {
            Command::GetInfo => self.send_other(Message::DeviceInfo(self.glove.device_info())),
            Command::Start => {
                self.streaming = true;
                self.send_other(Message::DeviceInfo(self.glove.device_info()));
            }
            Command::Stop => self.streaming = false,
            Command::Tare => self.glove.tare(),
            Command::Identify => self.identified += 1,
            _ => {}
        }
    }

    /// The device clock now: the time of the next row to be sampled, µs.
    fn now_us(&self) -> u32 {
        self.glove.device_time_us(self.glove.next_row()) as u32
    }

    fn send_other(&mut self, message: Message) {
        let frame = Frame {
            seq: self.other_seq,
            timestamp_us: self.now_us(),
            message,
        };
        self.other_seq = self.other_seq.wrapping_add(1);
        self.push_frame(&frame);
    }

    fn push_frame(&mut self, frame: &Frame) {
        let mut buf = [0u8; MAX_FRAME_LEN];
        // Every message the firmware builds fits a MAX_FRAME_LEN buffer by construction.
        if let Ok(n) = encode(frame, &mut buf) {
            self.out.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        }
    }

    /// Samples one block if streaming and queues its frames. Returns the block (sent or lost in
    /// a dropout), or `None` when idle or when the session is over.
    pub fn sample(&mut self) -> Option<GloveBlock> {
        if !self.streaming {
            return None;
        }
        let block = self.glove.next_block()?;
        let channels = self.glove.channels();
        let seq = self.sample_seq;
        self.sample_seq = self.sample_seq.wrapping_add(1);
        if block.delivered {
            match SampleBlock::new(channels, &block.counts) {
                Ok(sb) => {
                    self.push_frame(&Frame {
                        seq,
                        timestamp_us: block.device_time_us as u32,
                        message: Message::SampleBlock(sb),
                    });
                    self.stats.blocks_sent += 1;
                    self.stats.rows_sent += block.rows(channels) as u64;
                }
                Err(_) => self.stats.blocks_dropped += 1,
            }
        } else {
            self.stats.blocks_dropped += 1;
        }
        let newly = block.saturated & !self.last_saturated;
        self.last_saturated = block.saturated;
        if block.marker_row.is_some() || newly != 0 {
            let row = block
                .marker_row
                .into_iter()
                .chain(block.saturated_row.filter(|_| newly != 0))
                .min()
                .unwrap_or(block.start_row);
            let frame = Frame {
                seq: self.other_seq,
                timestamp_us: self.glove.device_time_us(row) as u32,
                message: Message::Status(Status {
                    flags: if block.marker_row.is_some() {
                        Status::MARKER
                    } else {
                        0
                    },
                    saturated: block.saturated,
                    battery_mv: 3900,
                }),
            };
            self.other_seq = self.other_seq.wrapping_add(1);
            self.push_frame(&frame);
            self.stats.status_sent += 1;
        }
        Some(block)
    }
}

/// The bytes a host sends to ask for something: a `00` flush, then the command frame.
pub fn command_bytes(seq: u8, command: Command) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_LEN];
    let frame = Frame {
        seq,
        timestamp_us: 0,
        message: Message::Command(command),
    };
    let n = encode(&frame, &mut buf).unwrap_or(0);
    let mut out = vec![0u8];
    out.extend_from_slice(buf.get(..n).unwrap_or(&[]));
    out
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
    let mut header = RecordingHeader::new(&fw.glove.device_info());
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
    if fw.stats.blocks_sent == 0 && fw.glove.total_rows() > 0 {
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
