//! Session recordings (`.mld`): a small self-describing header, then the exact bytes received
//! from the glove, append-only.
//!
//! Keeping the raw bytes makes replay bit-exact and lets later versions re-analyse old sessions
//! with better decoding or calibration. The writer flushes every chunk, so killing the process
//! or unplugging the glove leaves a file that reads back up to the last complete frame; the
//! reader reports a torn last frame as a warning, not an error.
//!
//! ## File format (version 1)
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 8 | magic `89 4D 4C 44 0D 0A 1A 0A` (`\x89MLD\r\n\x1a\n`, PNG-style: catches text-mode and 7-bit damage) |
//! | 8 | 2 | format version, u16 little-endian: `1` |
//! | 10 | 4 | header length `N`, u32 little-endian, at most 1 MiB |
//! | 14 | N | header: UTF-8 JSON object ([`RecordingHeader`]) |
//! | 14 + N | … | the bytes received from the glove, as received: COBS frames of `firmware-protocol/PROTOCOL.md`, and between them the host's notes ([`HostNote`]: a tare, a keyboard marker) |
//!
//! The header holds the device description (as its `DeviceInfo` said), the host start time
//! (RFC 3339), the tool version, the source port, and optionally the trainee, a note and the
//! calibration in use. Readers ignore header keys they do not know, so later versions may add
//! some without a version bump. The same text is in `docs/RECORDING.md`.
//!
//! **Stable API** (used by `record`, `simulate` and `input`): [`RecordingHeader`],
//! [`DeviceDescription`], [`RecordingWriter`], [`RecordingReader`], [`open_recording`],
//! [`RecordingSource`], [`RecordingStats`], [`EXTENSION`].

mod header;
mod note;
mod reader;
mod source;
mod writer;

pub use header::{
    now_rfc3339, ChannelDescription, DeviceDescription, DeviceFieldError, RecordingHeader,
};
pub use note::{HostNote, NoteSplitter, Piece};
pub use reader::RecordingReader;
pub use source::{
    device_disagreement, disagreement_warning, first_device_info, open_recording, scan_recording,
    RecordingSource, RecordingStats,
};
pub use writer::RecordingWriter;

/// The file name extension of recordings, without the dot.
pub const EXTENSION: &str = "mld";

/// The first 8 bytes of every recording.
pub const MAGIC: [u8; 8] = [0x89, b'M', b'L', b'D', b'\r', b'\n', 0x1A, b'\n'];

/// The format version this code writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// Bytes before the JSON header: magic, version, length.
pub const PREAMBLE_LEN: u64 = 14;

/// Largest header accepted, so a damaged length cannot make the reader allocate gigabytes.
pub const MAX_HEADER_LEN: u32 = 1 << 20;
