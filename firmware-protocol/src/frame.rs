//! A frame: header, message payload and CRC, COBS-encoded and ended by `0x00`.
//!
//! ```text
//! decoded frame:  version:u8  type:u8  seq:u8  timestamp_us:u32  payload…  crc:u16
//! on the wire:    COBS(decoded frame)  0x00
//! ```
//!
//! The CRC is CRC-16/IBM-3740 over every byte before it, continued over the message type's
//! CRC_EXTRA byte ([`crate::message::crc_extra_of`]).

use crate::cobs;
use crate::crc::crc16_update;
use crate::message::{crc_extra_of, Message, Writer};
use crate::{Error, CRC_LEN, HEADER_LEN, MAX_BODY_LEN, PROTOCOL_VERSION};

/// One message with its header fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Sequence number, wrapping at 255. The device keeps two counters: one for `SampleBlock`
    /// frames and one for all its other frames; the host keeps one for its commands. A jump in
    /// the `SampleBlock` counter is a lost block.
    pub seq: u8,
    /// Device time in microseconds when the frame's first row was sampled (or the event
    /// happened); wraps every 2^32 µs ≈ 71.6 min. Commands from the host carry 0.
    pub timestamp_us: u32,
    /// The message.
    pub message: Message,
}

/// Encodes `frame` into `out`: the COBS encoding followed by the `0x00` delimiter. Returns the
/// number of bytes written, at most [`crate::MAX_FRAME_LEN`].
///
/// # Errors
/// [`Error::BufferTooSmall`] when `out` is too short (a buffer of [`crate::MAX_FRAME_LEN`] bytes
/// always suffices); [`Error::BadChannelCount`] / [`Error::BadRowCount`] for counts out of range.
///
/// ```
/// use mldsense_protocol::{encode, Frame, Message, Status, MAX_FRAME_LEN};
/// let frame = Frame {
///     seq: 1,
///     timestamp_us: 0x0403_0201,
///     message: Message::Status(Status { flags: Status::MARKER, saturated: 0, battery_mv: 3700 }),
/// };
/// let mut out = [0u8; MAX_FRAME_LEN];
/// let n = encode(&frame, &mut out).unwrap();
/// assert_eq!(
///     &out[..n],
///     &[0x09, 0x01, 0x03, 0x01, 0x01, 0x02, 0x03, 0x04, 0x02, 0x01, 0x05, 0x74, 0x0e, 0xd4, 0x0f, 0x00]
/// );
/// ```
pub fn encode(frame: &Frame, out: &mut [u8]) -> Result<usize, Error> {
    let mut body = [0u8; MAX_BODY_LEN];
    let len = encode_body(frame, &mut body)?;
    let encoded = cobs::encode(body.get(..len).unwrap_or(&[]), out)?;
    let available = out.len();
    *out.get_mut(encoded).ok_or(Error::BufferTooSmall {
        needed: encoded + 1,
        available,
    })? = 0;
    Ok(encoded + 1)
}

/// Writes the decoded (un-stuffed) frame, CRC included, into `out`; returns its length.
///
/// # Errors
/// As [`encode`].
pub fn encode_body(frame: &Frame, out: &mut [u8]) -> Result<usize, Error> {
    let message_type = frame.message.message_type();
    let mut w = Writer { buf: out, len: 0 };
    w.u8(PROTOCOL_VERSION)?;
    w.u8(message_type)?;
    w.u8(frame.seq)?;
    w.u32(frame.timestamp_us)?;
    frame.message.encode_payload(&mut w)?;
    let extra = crc_extra_of(message_type).unwrap_or(0);
    let crc = crc16_update(
        crc16_update(crate::crc::CRC_INIT, w.buf.get(..w.len).unwrap_or(&[])),
        &[extra],
    );
    w.u16(crc)?;
    Ok(w.len)
}

/// Decodes one frame from its COBS encoding (`encoded` without the `0x00` delimiter; a trailing
/// delimiter is tolerated).
///
/// # Errors
/// Any decoding error: COBS, length, CRC, version, message type or field.
pub fn decode(encoded: &[u8]) -> Result<Frame, Error> {
    let encoded = match encoded.split_last() {
        Some((0, rest)) => rest,
        _ => encoded,
    };
    let mut buf = [0u8; crate::MAX_FRAME_LEN];
    let len = cobs::decode(encoded, &mut buf).map_err(|e| match e {
        Error::BufferTooSmall { .. } => Error::FrameTooLong {
            skipped: encoded.len(),
        },
        other => other,
    })?;
    decode_body(buf.get(..len).unwrap_or(&[]))
}

/// Decodes one already un-stuffed frame (header, payload, CRC).
///
/// # Errors
/// [`Error::TooShort`], [`Error::UnsupportedVersion`], [`Error::UnknownMessageType`],
/// [`Error::CrcMismatch`] and the payload errors of each message.
pub fn decode_body(body: &[u8]) -> Result<Frame, Error> {
    if body.len() < HEADER_LEN + CRC_LEN {
        return Err(Error::TooShort { len: body.len() });
    }
    let (data, crc_bytes) = body.split_at(body.len() - CRC_LEN);
    let (header, payload) = data.split_at(HEADER_LEN);
    let mut h = crate::message::Reader { buf: header };
    let version = h.u8()?;
    let message_type = h.u8()?;
    let seq = h.u8()?;
    let timestamp_us = h.u32()?;
    let extra = crc_extra_of(message_type);
    let received = crate::message::Reader { buf: crc_bytes }.u16()?;
    let computed = crc16_update(
        crc16_update(crate::crc::CRC_INIT, data),
        &[extra.unwrap_or(0)],
    );
    // The CRC is checked first: a frame damaged in transit is a CRC error whatever its header
    // says. Version and type are checked after, so a well-formed frame from a newer protocol is
    // reported as such.
    if version != PROTOCOL_VERSION {
        if computed == received || extra.is_none() {
            return Err(Error::UnsupportedVersion { version });
        }
        return Err(Error::CrcMismatch { received, computed });
    }
    let Some(_) = extra else {
        return Err(Error::UnknownMessageType { message_type });
    };
    if computed != received {
        return Err(Error::CrcMismatch { received, computed });
    }
    let message = Message::decode_payload(message_type, payload)?;
    Ok(Frame {
        seq,
        timestamp_us,
        message,
    })
}
