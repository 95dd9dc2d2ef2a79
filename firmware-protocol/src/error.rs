//! The one error type of the protocol crate.

use core::fmt;

/// Everything that can go wrong encoding or decoding a frame.
///
/// Every variant says what was wrong and where, so a host can log it and a firmware author can
/// find the bug. The enum is `#[non_exhaustive]`: later protocol versions may add variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The caller's output buffer is too small for the encoded frame.
    BufferTooSmall {
        /// Bytes the encoding needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// More than [`crate::MAX_FRAME_LEN`] bytes arrived without a `0x00` delimiter; the decoder
    /// skipped to the next delimiter.
    FrameTooLong {
        /// Bytes discarded, counting the ones up to (not including) the delimiter.
        skipped: usize,
    },
    /// A COBS code byte points past the end of the frame.
    CobsTruncated {
        /// Offset of the code byte within the encoded frame.
        offset: usize,
    },
    /// A `0x00` byte inside COBS-encoded data (only possible when decoding a slice by hand).
    CobsZeroByte {
        /// Offset of the zero byte within the encoded frame.
        offset: usize,
    },
    /// The decoded frame is shorter than a header plus CRC.
    TooShort {
        /// Length of the decoded frame.
        len: usize,
    },
    /// The CRC over the decoded frame (with the message's CRC_EXTRA) does not match.
    CrcMismatch {
        /// The CRC carried by the frame.
        received: u16,
        /// The CRC computed over the frame.
        computed: u16,
    },
    /// The frame's protocol version is not [`crate::PROTOCOL_VERSION`].
    UnsupportedVersion {
        /// The version byte the frame carried.
        version: u8,
    },
    /// The message-type byte names no message of this protocol version.
    UnknownMessageType {
        /// The message-type byte.
        message_type: u8,
    },
    /// The payload length does not fit the message type (its fixed layout, or the channel and
    /// row counts it declares).
    BadPayloadLength {
        /// The message-type byte.
        message_type: u8,
        /// The length the layout requires.
        expected: usize,
        /// The length the frame has.
        actual: usize,
    },
    /// A channel count is zero or above [`crate::MAX_CHANNELS`].
    BadChannelCount {
        /// The count found.
        channels: u8,
    },
    /// A row count is zero or above [`crate::MAX_ROWS_PER_BLOCK`].
    BadRowCount {
        /// The count found.
        rows: u8,
    },
    /// A field holds a value its definition does not allow (an unknown command code, a
    /// non-UTF-8 channel name, a non-zero reserved byte, …).
    InvalidField {
        /// The field's name as in `PROTOCOL.md`.
        field: &'static str,
        /// The offending byte or value.
        value: u32,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::BufferTooSmall { needed, available } => {
                write!(
                    f,
                    "output buffer too small: need {needed} bytes, have {available}"
                )
            }
            Error::FrameTooLong { skipped } => write!(
                f,
                "frame longer than {} bytes; skipped {skipped} bytes to the next delimiter",
                crate::MAX_FRAME_LEN
            ),
            Error::CobsTruncated { offset } => {
                write!(
                    f,
                    "COBS code byte at offset {offset} points past the end of the frame"
                )
            }
            Error::CobsZeroByte { offset } => {
                write!(f, "zero byte inside COBS data at offset {offset}")
            }
            Error::TooShort { len } => write!(
                f,
                "decoded frame has {len} bytes, less than header and CRC ({})",
                crate::HEADER_LEN + crate::CRC_LEN
            ),
            Error::CrcMismatch { received, computed } => write!(
                f,
                "CRC mismatch: frame carries {received:#06x}, computed {computed:#06x}"
            ),
            Error::UnsupportedVersion { version } => write!(
                f,
                "protocol version {version} is not supported (expected {})",
                crate::PROTOCOL_VERSION
            ),
            Error::UnknownMessageType { message_type } => {
                write!(f, "unknown message type {message_type:#04x}")
            }
            Error::BadPayloadLength {
                message_type,
                expected,
                actual,
            } => write!(
                f,
                "message type {message_type:#04x}: payload has {actual} bytes, expected {expected}"
            ),
            Error::BadChannelCount { channels } => write!(
                f,
                "channel count {channels} is outside 1..={}",
                crate::MAX_CHANNELS
            ),
            Error::BadRowCount { rows } => write!(
                f,
                "row count {rows} is outside 1..={}",
                crate::MAX_ROWS_PER_BLOCK
            ),
            Error::InvalidField { field, value } => {
                write!(f, "field `{field}` has invalid value {value:#x}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
