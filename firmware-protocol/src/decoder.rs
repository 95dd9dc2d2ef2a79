//! The incremental decoder: feed it bytes in chunks of any size, get frames out.
//!
//! It keeps at most one encoded frame ([`crate::MAX_FRAME_LEN`] bytes), never allocates and
//! cannot panic. Frames end at each `0x00`; an empty frame (`00 00`) is ignored, so a sender may
//! send `0x00` at any time to flush a receiver. After garbage or an over-long frame it drops
//! bytes up to the next `0x00` and carries on, counting what it dropped in [`DecodeStats`].

use crate::frame::{decode_body, Frame};
use crate::{cobs, Error};

/// Bytes the decoder buffers for one encoded frame (delimiter excluded).
const BUF_LEN: usize = crate::MAX_FRAME_LEN - 1;

/// What the decoder has seen so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Frames decoded and checked.
    pub frames_ok: u64,
    /// Frames whose CRC did not match.
    pub crc_errors: u64,
    /// Frames that were not valid for another reason: bad COBS, too short or too long, unknown
    /// type, bad payload (PROTOCOL.md §4: "malformed").
    pub malformed: u64,
    /// Well-formed frames of another protocol version (PROTOCOL.md §4: "unsupported
    /// version"), counted apart from damage: a newer glove, not a bad cable.
    pub unsupported_version: u64,
    /// Bytes dropped: every byte of a frame that failed (its delimiter included).
    pub bytes_skipped: u64,
}

/// The result of one [`Decoder::feed`] call.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // No heap: the frame is returned inline, by design.
pub enum Feed<'a> {
    /// All input was consumed without completing a frame.
    Consumed,
    /// A frame was completed; `rest` is the input after its delimiter.
    Frame {
        /// The frame.
        frame: Frame,
        /// Unconsumed input.
        rest: &'a [u8],
    },
    /// A frame ended but was invalid; `rest` is the input after its delimiter.
    Error {
        /// Why the frame was dropped.
        error: Error,
        /// Unconsumed input.
        rest: &'a [u8],
    },
}

/// An incremental, resynchronising frame decoder (a COBS accumulator plus frame checks).
///
/// ```
/// use mldsense_protocol::{Decoder, Feed};
/// let mut decoder = Decoder::new();
/// // Garbage, then a valid Status frame split over two chunks.
/// let wire = [0x55, 0xAA, 0x00, 0x09, 0x01, 0x03, 0x01, 0x01, 0x02, 0x03, 0x04, 0x02, 0x01, 0x05, 0x74, 0x0e, 0xd4, 0x0f, 0x00];
/// let mut frames = 0;
/// decoder.push(&wire[..7], |r| frames += r.is_ok() as u32);
/// decoder.push(&wire[7..], |r| frames += r.is_ok() as u32);
/// assert_eq!(frames, 1);
/// assert_eq!(decoder.stats().malformed, 1);
/// assert_eq!(decoder.stats().bytes_skipped, 3);
/// ```
#[derive(Clone, Debug)]
pub struct Decoder {
    buf: [u8; BUF_LEN],
    len: usize,
    /// Dropping bytes until the next delimiter (the frame is too long).
    overflow: usize,
    stats: DecodeStats,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// An empty decoder.
    pub const fn new() -> Self {
        Decoder {
            buf: [0; BUF_LEN],
            len: 0,
            overflow: 0,
            stats: DecodeStats {
                frames_ok: 0,
                crc_errors: 0,
                malformed: 0,
                unsupported_version: 0,
                bytes_skipped: 0,
            },
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> DecodeStats {
        self.stats
    }

    /// Bytes of an unfinished frame held in the buffer (a torn tail if the stream ends here).
    pub fn pending(&self) -> usize {
        self.len + self.overflow
    }

    /// Consumes `input` up to and including the next delimiter, and returns the frame or error
    /// that ended there, if any, with the rest of the input.
    pub fn feed<'a>(&mut self, input: &'a [u8]) -> Feed<'a> {
        for (i, &byte) in input.iter().enumerate() {
            if byte == 0 {
                let rest = input.get(i + 1..).unwrap_or(&[]);
                if let Some(result) = self.finish_frame() {
                    return match result {
                        Ok(frame) => Feed::Frame { frame, rest },
                        Err(error) => Feed::Error { error, rest },
                    };
                }
                continue;
            }
            if self.overflow > 0 {
                self.overflow += 1;
            } else if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = byte;
                self.len += 1;
            } else {
                self.overflow = self.len + 1;
                self.len = 0;
            }
        }
        Feed::Consumed
    }

    /// Feeds all of `input`, calling `on_frame` for every frame or error that ends in it.
    pub fn push(&mut self, mut input: &[u8], mut on_frame: impl FnMut(Result<Frame, Error>)) {
        loop {
            match self.feed(input) {
                Feed::Consumed => return,
                Feed::Frame { frame, rest } => {
                    on_frame(Ok(frame));
                    input = rest;
                }
                Feed::Error { error, rest } => {
                    on_frame(Err(error));
                    input = rest;
                }
            }
        }
    }

    /// Drops any unfinished frame (for example after a reconnect), keeping the counts.
    pub fn reset(&mut self) {
        self.len = 0;
        self.overflow = 0;
    }

    fn finish_frame(&mut self) -> Option<Result<Frame, Error>> {
        if self.overflow > 0 {
            let skipped = self.overflow;
            self.overflow = 0;
            self.stats.malformed += 1;
            self.stats.bytes_skipped += skipped as u64 + 1;
            return Some(Err(Error::FrameTooLong { skipped }));
        }
        if self.len == 0 {
            return None;
        }
        let encoded_len = self.len;
        self.len = 0;
        let result = match self.buf.get_mut(..encoded_len) {
            Some(buf) => {
                cobs::decode_in_place(buf).and_then(|n| decode_body(buf.get(..n).unwrap_or(&[])))
            }
            None => Err(Error::FrameTooLong {
                skipped: encoded_len,
            }),
        };
        match &result {
            Ok(_) => self.stats.frames_ok += 1,
            Err(e) => {
                if matches!(e, Error::CrcMismatch { .. }) {
                    self.stats.crc_errors += 1;
                } else if matches!(e, Error::UnsupportedVersion { .. }) {
                    self.stats.unsupported_version += 1;
                } else {
                    self.stats.malformed += 1;
                }
                self.stats.bytes_skipped += encoded_len as u64 + 1;
            }
        }
        Some(result)
    }
}
