//! The messages and their payload layouts. All integers are little-endian.
//!
//! The layouts are fixed-size or sized by a count in the payload, bounded by
//! [`MAX_CHANNELS`] and [`MAX_ROWS_PER_BLOCK`], so firmware needs no heap.
//!
//! **Stable API:** the types and field names here are published for the firmware emulation and
//! the host; later changes are additive (the enums are `#[non_exhaustive]`).

use crate::{Error, MAX_CHANNELS, MAX_ROWS_PER_BLOCK};

/// Bytes of a channel name on the wire (UTF-8, padded with `0x00`).
pub const NAME_LEN: usize = 12;

/// Counts one [`SampleBlock`] can hold: [`MAX_ROWS_PER_BLOCK`] × [`MAX_CHANNELS`].
pub const MAX_SAMPLES: usize = MAX_ROWS_PER_BLOCK * MAX_CHANNELS;

/// The message-type byte of each message, and its schema for CRC_EXTRA.
pub mod types {
    /// [`super::DeviceInfo`], device → host.
    pub const DEVICE_INFO: u8 = 0x01;
    /// [`super::SampleBlock`], device → host.
    pub const SAMPLE_BLOCK: u8 = 0x02;
    /// [`super::Status`], device → host.
    pub const STATUS: u8 = 0x03;
    /// [`super::Reply`], device → host.
    pub const REPLY: u8 = 0x04;
    /// [`super::Command`], host → device.
    pub const COMMAND: u8 = 0x80;

    /// Schema text of `DeviceInfo`, hashed into its CRC_EXTRA.
    pub const DEVICE_INFO_SCHEMA: &str = "DeviceInfo fw_major:u8 fw_minor:u8 fw_patch:u8 serial:u32 sensor_kind:u8 adc_bits:u8 rate_hz:u16 rows_per_block:u8 channel_count:u8 channels:[name:[u8;12] area_dmm2:u16]";
    /// Schema text of `SampleBlock`.
    pub const SAMPLE_BLOCK_SCHEMA: &str = "SampleBlock channel_count:u8 row_count:u8 counts:[u16]";
    /// Schema text of `Status`.
    pub const STATUS_SCHEMA: &str = "Status flags:u8 saturated:u16 battery_mv:u16";
    /// Schema text of `Reply`.
    pub const REPLY_SCHEMA: &str = "Reply command_seq:u8 command_code:u8 result:u8";
    /// Schema text of `Command`.
    pub const COMMAND_SCHEMA: &str = "Command code:u8 argument:u16";
}

/// The CRC_EXTRA byte of a message type, or `None` for an unknown type.
pub const fn crc_extra_of(message_type: u8) -> Option<u8> {
    use types::*;
    let schema = match message_type {
        DEVICE_INFO => DEVICE_INFO_SCHEMA,
        SAMPLE_BLOCK => SAMPLE_BLOCK_SCHEMA,
        STATUS => STATUS_SCHEMA,
        REPLY => REPLY_SCHEMA,
        COMMAND => COMMAND_SCHEMA,
        _ => return None,
    };
    Some(crate::crc::crc_extra(schema))
}

/// The kind of force sensor on the glove. A number on the wire so that new kinds need no
/// protocol change; the constants name the known ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SensorKind(pub u8);

impl SensorKind {
    /// Not stated.
    pub const UNKNOWN: SensorKind = SensorKind(0);
    /// Interlink FSR 402 (round, 12.7 mm active diameter, 126.7 mm²).
    pub const FSR_402: SensorKind = SensorKind(1);
    /// Interlink FSR 400 (round, 5.08 mm active diameter, 20.3 mm²).
    pub const FSR_400: SensorKind = SensorKind(2);
    /// Interlink FSR 406 (square, 38.1 mm, 1451.6 mm²).
    pub const FSR_406: SensorKind = SensorKind(3);
    /// Tekscan FlexiForce A201 (9.53 mm active diameter, 71.3 mm²).
    pub const FLEXIFORCE_A201: SensorKind = SensorKind(4);

    /// A short, stable name for files and reports (`"fsr402"`, …, `"unknown"` for
    /// [`SensorKind::UNKNOWN`], `"other"` for a kind this version does not know).
    pub fn name(self) -> &'static str {
        match self {
            SensorKind::UNKNOWN => "unknown",
            SensorKind::FSR_402 => "fsr402",
            SensorKind::FSR_400 => "fsr400",
            SensorKind::FSR_406 => "fsr406",
            SensorKind::FLEXIFORCE_A201 => "flexiforce-a201",
            _ => "other",
        }
    }
}

/// One channel as the device describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelDesc {
    /// UTF-8 name padded with `0x00` (for example `index`); see [`ChannelDesc::name`].
    pub name: [u8; NAME_LEN],
    /// Active area of the sensor in tenths of a square millimetre (FSR 402: 1267); 0 = unknown.
    pub area_dmm2: u16,
}

impl ChannelDesc {
    /// A channel named `name` (truncated to [`NAME_LEN`] bytes at a character boundary).
    pub fn new(name: &str, area_dmm2: u16) -> Self {
        let mut buf = [0u8; NAME_LEN];
        let mut end = name.len().min(NAME_LEN);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        buf[..end].copy_from_slice(&name.as_bytes()[..end]);
        ChannelDesc {
            name: buf,
            area_dmm2,
        }
    }

    /// The name without its padding (empty if it is not valid UTF-8, which the decoder rejects).
    pub fn name(&self) -> &str {
        let len = self.name.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
        core::str::from_utf8(&self.name[..len]).unwrap_or("")
    }
}

/// What the device is: sent after `GetInfo` and before the first `SampleBlock` after `Start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Firmware version: major, minor, patch.
    pub firmware: [u8; 3],
    /// The glove's serial number; with a channel index it names a sensor for calibration.
    pub serial: u32,
    /// Sensor kind (all channels).
    pub sensor_kind: SensorKind,
    /// ADC resolution in bits (1..=16); counts are `0..2^adc_bits`.
    pub adc_bits: u8,
    /// Rows per second.
    pub rate_hz: u16,
    /// Rows in every `SampleBlock` (1..=[`MAX_ROWS_PER_BLOCK`]).
    pub rows_per_block: u8,
    /// Number of channels in use (1..=[`MAX_CHANNELS`]).
    pub channel_count: u8,
    /// The first `channel_count` entries describe the channels; the rest are ignored (and
    /// decoded as zero).
    pub channels: [ChannelDesc; MAX_CHANNELS],
}

impl DeviceInfo {
    /// The described channels.
    pub fn channels(&self) -> &[ChannelDesc] {
        &self.channels[..usize::from(self.channel_count).min(MAX_CHANNELS)]
    }
}

/// Rows of raw ADC counts, one count per channel per row, row-major.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleBlock {
    /// Channels per row (1..=[`MAX_CHANNELS`]).
    pub channel_count: u8,
    /// Rows in the block (1..=[`MAX_ROWS_PER_BLOCK`]).
    pub row_count: u8,
    /// The first `row_count × channel_count` entries are the counts, row-major.
    pub counts: [u16; MAX_SAMPLES],
}

impl SampleBlock {
    /// A block from row-major `counts` (`rows × channels` values).
    ///
    /// # Errors
    /// [`Error::BadChannelCount`], [`Error::BadRowCount`] or [`Error::BadPayloadLength`] when
    /// the sizes are out of range or do not match.
    pub fn new(channels: usize, counts: &[u16]) -> Result<Self, Error> {
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(Error::BadChannelCount {
                channels: channels.min(255) as u8,
            });
        }
        let rows = counts.len() / channels;
        if rows == 0 || rows > MAX_ROWS_PER_BLOCK {
            return Err(Error::BadRowCount {
                rows: rows.min(255) as u8,
            });
        }
        if rows * channels != counts.len() {
            return Err(Error::BadPayloadLength {
                message_type: types::SAMPLE_BLOCK,
                expected: rows * channels * 2,
                actual: counts.len() * 2,
            });
        }
        let mut block = SampleBlock {
            channel_count: channels as u8,
            row_count: rows as u8,
            counts: [0; MAX_SAMPLES],
        };
        block.counts[..counts.len()].copy_from_slice(counts);
        Ok(block)
    }

    /// The counts in use, row-major.
    pub fn counts(&self) -> &[u16] {
        let n = usize::from(self.row_count) * usize::from(self.channel_count);
        &self.counts[..n.min(MAX_SAMPLES)]
    }

    /// The counts of row `row`, if it exists.
    pub fn row(&self, row: usize) -> Option<&[u16]> {
        let c = usize::from(self.channel_count);
        if row >= usize::from(self.row_count) {
            return None;
        }
        self.counts().get(row * c..(row + 1) * c)
    }
}

/// Something that happened on the device, at the frame's timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// Bit flags: [`Status::LOW_BATTERY`], [`Status::MARKER`]; other bits are reserved (0).
    pub flags: u8,
    /// Bit `i` set: channel `i` is at the top of its range.
    pub saturated: u16,
    /// Battery voltage in millivolts, 0 when not measured.
    pub battery_mv: u16,
}

impl Status {
    /// Flag: the battery is low.
    pub const LOW_BATTERY: u8 = 0x01;
    /// Flag: the button was pressed (a marker in the session).
    pub const MARKER: u8 = 0x02;
    /// All defined flags.
    pub const KNOWN_FLAGS: u8 = Self::LOW_BATTERY | Self::MARKER;
}

/// A request from the host. Every command is answered with a [`Reply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// Start sending `SampleBlock`s (preceded by a `DeviceInfo`).
    Start,
    /// Stop sending `SampleBlock`s.
    Stop,
    /// Set the sample rate in rows per second (takes effect at the next `Start`).
    SetRate {
        /// Rows per second.
        rate_hz: u16,
    },
    /// Blink the glove's LED so the user can tell which glove this is.
    Identify,
    /// Take the current counts as every channel's zero (hand off the sensors).
    Tare,
    /// Send a `DeviceInfo`.
    GetInfo,
}

impl Command {
    /// The command's code byte.
    pub const fn code(&self) -> u8 {
        match self {
            Command::Start => 1,
            Command::Stop => 2,
            Command::SetRate { .. } => 3,
            Command::Identify => 4,
            Command::Tare => 5,
            Command::GetInfo => 6,
        }
    }

    const fn argument(&self) -> u16 {
        match self {
            Command::SetRate { rate_hz } => *rate_hz,
            _ => 0,
        }
    }

    fn from_code(code: u8, argument: u16) -> Result<Self, Error> {
        let cmd = match code {
            1 => Command::Start,
            2 => Command::Stop,
            3 => Command::SetRate { rate_hz: argument },
            4 => Command::Identify,
            5 => Command::Tare,
            6 => Command::GetInfo,
            _ => {
                return Err(Error::InvalidField {
                    field: "command.code",
                    value: u32::from(code),
                })
            }
        };
        if code != 3 && argument != 0 {
            return Err(Error::InvalidField {
                field: "command.argument",
                value: u32::from(argument),
            });
        }
        Ok(cmd)
    }
}

/// Why the device refused a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NakReason {
    /// The command code is unknown to this firmware.
    UnknownCommand,
    /// The argument is out of range (for example an unsupported rate).
    BadArgument,
    /// The device cannot do it now (for example `SetRate` while streaming).
    Busy,
    /// The device does not support the command (for example `Tare` without stored offsets).
    Unsupported,
}

/// The outcome of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyResult {
    /// Done.
    Ack,
    /// Refused, and why.
    Nak(NakReason),
}

impl ReplyResult {
    const fn byte(self) -> u8 {
        match self {
            ReplyResult::Ack => 0,
            ReplyResult::Nak(NakReason::UnknownCommand) => 1,
            ReplyResult::Nak(NakReason::BadArgument) => 2,
            ReplyResult::Nak(NakReason::Busy) => 3,
            ReplyResult::Nak(NakReason::Unsupported) => 4,
        }
    }

    fn from_byte(b: u8) -> Result<Self, Error> {
        Ok(match b {
            0 => ReplyResult::Ack,
            1 => ReplyResult::Nak(NakReason::UnknownCommand),
            2 => ReplyResult::Nak(NakReason::BadArgument),
            3 => ReplyResult::Nak(NakReason::Busy),
            4 => ReplyResult::Nak(NakReason::Unsupported),
            _ => {
                return Err(Error::InvalidField {
                    field: "reply.result",
                    value: u32::from(b),
                })
            }
        })
    }
}

/// The device's answer to a [`Command`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The sequence number of the command frame answered.
    pub command_seq: u8,
    /// The code of the command answered (echoed even when unknown).
    pub command_code: u8,
    /// Ack, or nak with a reason.
    pub result: ReplyResult,
}

/// Any message of the protocol.
///
/// Messages are stored inline (about 520 bytes for the largest, a full `SampleBlock`): the
/// firmware has no heap to box them in, and one frame on the stack is cheap on any MCU that
/// samples 16 channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// What the device is.
    DeviceInfo(DeviceInfo),
    /// Rows of raw counts.
    SampleBlock(SampleBlock),
    /// Saturation, low battery, button marker.
    Status(Status),
    /// A host request.
    Command(Command),
    /// The device's answer to a request.
    Reply(Reply),
}

impl Message {
    /// The message-type byte.
    pub const fn message_type(&self) -> u8 {
        match self {
            Message::DeviceInfo(_) => types::DEVICE_INFO,
            Message::SampleBlock(_) => types::SAMPLE_BLOCK,
            Message::Status(_) => types::STATUS,
            Message::Command(_) => types::COMMAND,
            Message::Reply(_) => types::REPLY,
        }
    }

    /// Writes the payload into `out` and returns its length.
    pub(crate) fn encode_payload(&self, out: &mut Writer<'_>) -> Result<(), Error> {
        match self {
            Message::DeviceInfo(d) => {
                check_channels(d.channel_count)?;
                check_rows(d.rows_per_block)?;
                out.bytes(&d.firmware)?;
                out.u32(d.serial)?;
                out.u8(d.sensor_kind.0)?;
                out.u8(d.adc_bits)?;
                out.u16(d.rate_hz)?;
                out.u8(d.rows_per_block)?;
                out.u8(d.channel_count)?;
                for ch in d.channels() {
                    out.bytes(&ch.name)?;
                    out.u16(ch.area_dmm2)?;
                }
            }
            Message::SampleBlock(b) => {
                check_channels(b.channel_count)?;
                check_rows(b.row_count)?;
                out.u8(b.channel_count)?;
                out.u8(b.row_count)?;
                for &c in b.counts() {
                    out.u16(c)?;
                }
            }
            Message::Status(s) => {
                out.u8(s.flags)?;
                out.u16(s.saturated)?;
                out.u16(s.battery_mv)?;
            }
            Message::Command(c) => {
                out.u8(c.code())?;
                out.u16(c.argument())?;
            }
            Message::Reply(r) => {
                out.u8(r.command_seq)?;
                out.u8(r.command_code)?;
                out.u8(r.result.byte())?;
            }
        }
        Ok(())
    }

    /// Parses a payload of message type `message_type`.
    pub(crate) fn decode_payload(message_type: u8, payload: &[u8]) -> Result<Self, Error> {
        let fixed = |expected: usize| {
            if payload.len() == expected {
                Ok(Reader { buf: payload })
            } else {
                Err(Error::BadPayloadLength {
                    message_type,
                    expected,
                    actual: payload.len(),
                })
            }
        };
        match message_type {
            types::DEVICE_INFO => {
                let mut r = Reader { buf: payload };
                let header = r.take(13).map_err(|_| Error::BadPayloadLength {
                    message_type,
                    expected: 13,
                    actual: payload.len(),
                })?;
                let mut h = Reader { buf: header };
                let firmware = [h.u8()?, h.u8()?, h.u8()?];
                let serial = h.u32()?;
                let sensor_kind = SensorKind(h.u8()?);
                let adc_bits = h.u8()?;
                let rate_hz = h.u16()?;
                let rows_per_block = h.u8()?;
                let channel_count = h.u8()?;
                check_channels(channel_count)?;
                check_rows(rows_per_block)?;
                if adc_bits == 0 || adc_bits > 16 {
                    return Err(Error::InvalidField {
                        field: "device_info.adc_bits",
                        value: u32::from(adc_bits),
                    });
                }
                let expected = 13 + usize::from(channel_count) * (NAME_LEN + 2);
                if payload.len() != expected {
                    return Err(Error::BadPayloadLength {
                        message_type,
                        expected,
                        actual: payload.len(),
                    });
                }
                let mut channels = [ChannelDesc {
                    name: [0; NAME_LEN],
                    area_dmm2: 0,
                }; MAX_CHANNELS];
                for ch in channels.iter_mut().take(usize::from(channel_count)) {
                    let name = r.take(NAME_LEN)?;
                    ch.name.copy_from_slice(name);
                    ch.area_dmm2 = r.u16()?;
                    check_name(&ch.name)?;
                }
                Ok(Message::DeviceInfo(DeviceInfo {
                    firmware,
                    serial,
                    sensor_kind,
                    adc_bits,
                    rate_hz,
                    rows_per_block,
                    channel_count,
                    channels,
                }))
            }
            types::SAMPLE_BLOCK => {
                let mut r = Reader { buf: payload };
                let short = Error::BadPayloadLength {
                    message_type,
                    expected: 2,
                    actual: payload.len(),
                };
                let channel_count = r.u8().map_err(|_| short)?;
                let row_count = r.u8().map_err(|_| short)?;
                check_channels(channel_count)?;
                check_rows(row_count)?;
                let n = usize::from(channel_count) * usize::from(row_count);
                let expected = 2 + 2 * n;
                if payload.len() != expected {
                    return Err(Error::BadPayloadLength {
                        message_type,
                        expected,
                        actual: payload.len(),
                    });
                }
                let mut counts = [0u16; MAX_SAMPLES];
                for c in counts.iter_mut().take(n) {
                    *c = r.u16()?;
                }
                Ok(Message::SampleBlock(SampleBlock {
                    channel_count,
                    row_count,
                    counts,
                }))
            }
            types::STATUS => {
                let mut r = fixed(5)?;
                let flags = r.u8()?;
                if flags & !Status::KNOWN_FLAGS != 0 {
                    return Err(Error::InvalidField {
                        field: "status.flags",
                        value: u32::from(flags),
                    });
                }
                Ok(Message::Status(Status {
                    flags,
                    saturated: r.u16()?,
                    battery_mv: r.u16()?,
                }))
            }
            types::COMMAND => {
                let mut r = fixed(3)?;
                let code = r.u8()?;
                let argument = r.u16()?;
                Ok(Message::Command(Command::from_code(code, argument)?))
            }
            types::REPLY => {
                let mut r = fixed(3)?;
                Ok(Message::Reply(Reply {
                    command_seq: r.u8()?,
                    command_code: r.u8()?,
                    result: ReplyResult::from_byte(r.u8()?)?,
                }))
            }
            _ => Err(Error::UnknownMessageType { message_type }),
        }
    }
}

fn check_channels(channels: u8) -> Result<(), Error> {
    if channels == 0 || usize::from(channels) > MAX_CHANNELS {
        Err(Error::BadChannelCount { channels })
    } else {
        Ok(())
    }
}

fn check_rows(rows: u8) -> Result<(), Error> {
    if rows == 0 || usize::from(rows) > MAX_ROWS_PER_BLOCK {
        Err(Error::BadRowCount { rows })
    } else {
        Ok(())
    }
}

fn check_name(name: &[u8; NAME_LEN]) -> Result<(), Error> {
    let len = name.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
    let (text, padding) = name.split_at(len);
    if core::str::from_utf8(text).is_err() {
        return Err(Error::InvalidField {
            field: "device_info.channel.name",
            value: u32::from(text.first().copied().unwrap_or(0)),
        });
    }
    if let Some(&b) = padding.iter().find(|&&b| b != 0) {
        return Err(Error::InvalidField {
            field: "device_info.channel.name",
            value: u32::from(b),
        });
    }
    Ok(())
}

/// A bounds-checked little-endian writer over a caller's buffer.
pub(crate) struct Writer<'a> {
    pub(crate) buf: &'a mut [u8],
    pub(crate) len: usize,
}

impl Writer<'_> {
    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let available = self.buf.len();
        let end = self.len + bytes.len();
        let dst = self
            .buf
            .get_mut(self.len..end)
            .ok_or(Error::BufferTooSmall {
                needed: end,
                available,
            })?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
    pub(crate) fn u8(&mut self, v: u8) -> Result<(), Error> {
        self.bytes(&[v])
    }
    pub(crate) fn u16(&mut self, v: u16) -> Result<(), Error> {
        self.bytes(&v.to_le_bytes())
    }
    pub(crate) fn u32(&mut self, v: u32) -> Result<(), Error> {
        self.bytes(&v.to_le_bytes())
    }
}

/// A bounds-checked little-endian reader.
pub(crate) struct Reader<'a> {
    pub(crate) buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.buf.len() < n {
            return Err(Error::TooShort {
                len: self.buf.len(),
            });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        let b = self.take(1)?;
        Ok(b.first().copied().unwrap_or(0))
    }
    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        let mut a = [0u8; 2];
        a.copy_from_slice(b);
        Ok(u16::from_le_bytes(a))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_le_bytes(a))
    }
}
