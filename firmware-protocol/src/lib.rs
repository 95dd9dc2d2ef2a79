//! # mldsense-protocol
//!
//! The wire format between the mldsense glove and its host: COBS framing with a `0x00`
//! delimiter, a small header (version, message type, sequence number, device time in µs), a
//! little-endian payload and a CRC-16/IBM-3740 with a per-message CRC_EXTRA. `no_std`, no heap,
//! no dependencies: the same crate builds into the glove firmware and the host.
//!
//! The format is specified on its own in `PROTOCOL.md` (beside this crate's `Cargo.toml`), with
//! hex test vectors that the tests check byte for byte.
//!
//! **Stable API** (published for the firmware emulation and the host): [`Frame`], [`Message`]
//! and its message structs, [`encode`], [`decode`], [`Decoder`] (with [`Decoder::push`] and
//! [`Decoder::feed`]), [`DecodeStats`] and [`Error`]. Changes after version 0.1 are additive.
//!
//! ```
//! use mldsense_protocol::{encode, Decoder, Frame, Message, SampleBlock, MAX_FRAME_LEN};
//! let frame = Frame {
//!     seq: 7,
//!     timestamp_us: 2_000,
//!     message: Message::SampleBlock(SampleBlock::new(2, &[100, 200, 101, 201]).unwrap()),
//! };
//! let mut wire = [0u8; MAX_FRAME_LEN];
//! let n = encode(&frame, &mut wire).unwrap();
//! let mut decoder = Decoder::new();
//! let mut got = None;
//! decoder.push(&wire[..n], |r| got = r.ok());
//! assert_eq!(got, Some(frame));
//! ```

#![no_std]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "std")]
extern crate std;

pub mod cobs;
pub mod crc;
mod decoder;
mod error;
mod frame;
pub mod message;

pub use decoder::{DecodeStats, Decoder, Feed};
pub use error::Error;
pub use frame::{decode, decode_body, encode, encode_body, Frame};
pub use message::{
    ChannelDesc, Command, DeviceInfo, Message, NakReason, Reply, ReplyResult, SampleBlock,
    SensorKind, Status, MAX_SAMPLES, NAME_LEN,
};

/// The protocol version this crate speaks (first header byte).
pub const PROTOCOL_VERSION: u8 = 1;

/// Most channels a glove may have.
pub const MAX_CHANNELS: usize = 16;

/// Most rows in one `SampleBlock`.
pub const MAX_ROWS_PER_BLOCK: usize = 16;

/// Header bytes: version, type, seq, timestamp.
pub const HEADER_LEN: usize = 7;

/// CRC bytes at the end of a decoded frame.
pub const CRC_LEN: usize = 2;

/// Longest payload: a `SampleBlock` of 16 rows × 16 channels (2 + 512 bytes).
pub const MAX_PAYLOAD_LEN: usize = 2 + 2 * MAX_SAMPLES;

/// Longest decoded frame: header, payload and CRC (523 bytes).
pub const MAX_BODY_LEN: usize = HEADER_LEN + MAX_PAYLOAD_LEN + CRC_LEN;

/// Longest frame on the wire: COBS overhead and the `0x00` delimiter included (527 bytes).
pub const MAX_FRAME_LEN: usize = cobs::max_encoded_len(MAX_BODY_LEN) + 1;
