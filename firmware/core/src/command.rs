//! Collecting host commands from the byte stream.
//!
//! The protocol crate's [`mldsense_protocol::Decoder`] would do, but it keeps a buffer for the
//! longest frame (526 bytes) and turns an unknown command code into an error that has lost the
//! frame's sequence number. A command frame is 12 bytes decoded, 14 on the wire, so this reader
//! keeps [`COMMAND_BUF`] bytes and, for a frame whose CRC holds but whose code or argument is
//! unknown, still returns the sequence number and code, so the firmware can nak it as PROTOCOL.md
//! asks ("its code, echoed even if unknown").

use mldsense_protocol::{cobs, decode_body, Command, Error, Message};

/// Bytes kept for one encoded command frame. Any longer frame cannot be a command and is
/// dropped up to its delimiter.
pub const COMMAND_BUF: usize = 32;

/// One finished frame from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A well-formed command.
    Command {
        /// The frame's sequence number.
        seq: u8,
        /// The command.
        command: Command,
    },
    /// A frame with a good CRC whose command code or argument this firmware does not know.
    Refused {
        /// The frame's sequence number.
        seq: u8,
        /// The code, echoed in the nak.
        code: u8,
        /// `true` when the code is unknown; `false` when only the argument is invalid.
        unknown_code: bool,
    },
    /// Anything else: a damaged, over-long or non-command frame. Not answered (the host
    /// retries after a timeout).
    Bad,
}

/// Accumulates bytes up to each `00` and decodes them as a command frame.
#[derive(Clone, Debug, Default)]
pub struct CommandReader {
    buf: [u8; COMMAND_BUF],
    len: usize,
    overflow: bool,
}

impl CommandReader {
    /// An empty reader.
    pub const fn new() -> Self {
        CommandReader {
            buf: [0; COMMAND_BUF],
            len: 0,
            overflow: false,
        }
    }

    /// Takes one byte; returns what a delimiter finished, if anything. An empty frame (a `00`
    /// after a `00`) finishes nothing: hosts send one before each command to flush this reader.
    pub fn push(&mut self, byte: u8) -> Option<Incoming> {
        if byte != 0 {
            match self.buf.get_mut(self.len) {
                Some(slot) if !self.overflow => {
                    *slot = byte;
                    self.len += 1;
                }
                _ => self.overflow = true,
            }
            return None;
        }
        let (len, overflow) = (self.len, self.overflow);
        self.len = 0;
        self.overflow = false;
        if overflow {
            return Some(Incoming::Bad);
        }
        if len == 0 {
            return None;
        }
        let frame = self.buf.get_mut(..len)?;
        let Ok(n) = cobs::decode_in_place(frame) else {
            return Some(Incoming::Bad);
        };
        let body = frame.get(..n).unwrap_or(&[]);
        Some(match decode_body(body) {
            Ok(f) => match f.message {
                Message::Command(command) => Incoming::Command {
                    seq: f.seq,
                    command,
                },
                _ => Incoming::Bad,
            },
            // The CRC is checked before the payload, so these frames are intact commands.
            Err(Error::InvalidField { field, .. })
                if field == "command.code" || field == "command.argument" =>
            {
                match (body.get(2), body.get(7)) {
                    (Some(&seq), Some(&code)) => Incoming::Refused {
                        seq,
                        code,
                        unknown_code: field == "command.code",
                    },
                    _ => Incoming::Bad,
                }
            }
            Err(_) => Incoming::Bad,
        })
    }
}
