//! Host notes: what the host did during a session that the glove never saw (a tare from the
//! live view, a marker from the keyboard), kept in the recording between the glove's frames so
//! a replay and `analyze` of the file give what the live view showed.
//!
//! ## Wire form inside a recording
//!
//! A host note is a frame of the recording's own framing (COBS, ended by `00`) whose decoded
//! content is ASCII text without zero bytes, so its COBS form is one code byte (the frame's
//! length) followed by the text itself:
//!
//! | note | text | bytes in the file |
//! |---|---|---|
//! | tare before row 1500 | `#mld tare 1500` | `0f` `#mld tare 1500` `00` |
//! | marker at row 42 | `#mld marker 42` | `0f` `#mld marker 42` `00` |
//!
//! ```
//! use mldsense::recording::HostNote;
//! let bytes = HostNote::Tare { row: 1500 }.to_bytes();
//! assert_eq!(bytes[0], 0x0f);
//! assert_eq!(&bytes[1..15], b"#mld tare 1500");
//! assert_eq!(bytes[15], 0x00);
//! assert_eq!(HostNote::parse(&bytes[..15]), Some(HostNote::Tare { row: 1500 }));
//! ```
//!
//! A glove's frame can never be read as a note: its first decoded byte is the protocol version
//! (`01`), never `#` (`23`). Notes are written only between complete glove frames
//! ([`super::RecordingWriter`] holds back an unfinished frame until its `00` arrives), so the
//! rows a note refers to always follow it in the file. Readers that do not know notes count
//! them as malformed frames and lose nothing else.
//!
//! `row` is the index of the row (since the first sample block, lost rows included) before
//! which a tare was applied, or at which a marker was dropped: the same numbering as
//! [`crate::stream::Block::start_row`].

/// What a note says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostNote {
    /// Every fingertip was re-zeroed before row `row`.
    Tare {
        /// The first row read after the tare.
        row: u64,
    },
    /// A marker was dropped (space bar) at row `row`.
    Marker {
        /// The row of the marker.
        row: u64,
    },
}

/// Every note starts with these bytes (after the COBS code byte).
const PREFIX: &[u8] = b"#mld ";

impl HostNote {
    /// The note's row.
    pub fn row(&self) -> u64 {
        match *self {
            HostNote::Tare { row } | HostNote::Marker { row } => row,
        }
    }

    /// The note as it is written in a recording: code byte, text, `00`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let text = match self {
            HostNote::Tare { row } => format!("#mld tare {row}"),
            HostNote::Marker { row } => format!("#mld marker {row}"),
        };
        // At most 5 + 6 + 1 + 20 bytes: far below COBS's 254-byte run, so one code byte.
        let mut out = Vec::with_capacity(text.len() + 2);
        out.push((text.len() + 1) as u8);
        out.extend_from_slice(text.as_bytes());
        out.push(0);
        out
    }

    /// Reads a note from one frame as found in the file, without its `00`; `None` if the frame
    /// is not a note (a glove frame, or a damaged note, which is then left to the frame decoder
    /// to count).
    pub fn parse(frame: &[u8]) -> Option<HostNote> {
        let (&code, text) = frame.split_first()?;
        if usize::from(code) != frame.len() || !text.starts_with(PREFIX) {
            return None;
        }
        let rest = std::str::from_utf8(text.get(PREFIX.len()..)?).ok()?;
        let (kind, row) = rest.split_once(' ')?;
        if row.is_empty() || !row.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let row: u64 = row.parse().ok()?;
        match kind {
            "tare" => Some(HostNote::Tare { row }),
            "marker" => Some(HostNote::Marker { row }),
            _ => None,
        }
    }
}

/// A piece of a recording's data: glove bytes for the frame decoder, or a note.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Bytes of glove frames, as received.
    Device(&'a [u8]),
    /// A host note.
    Note(HostNote),
}

/// Separates host notes from the glove's bytes, in order, across any chunking. Frames that
/// are not notes go through untouched; only the frame in progress at a chunk's end is held
/// (at most [`NoteSplitter::MAX_HELD`] bytes, so a stream without delimiters cannot make it
/// grow).
#[derive(Debug, Default)]
pub struct NoteSplitter {
    /// The unfinished frame at the end of the last chunk, while it could still be a note.
    held: Vec<u8>,
    /// The unfinished frame is known not to be a note: pass bytes through until its `00`.
    passing: bool,
}

impl NoteSplitter {
    /// Longest frame that is held to see whether it is a note (a note is at most 34 bytes).
    pub const MAX_HELD: usize = 64;

    /// A splitter at the start of a recording's data.
    pub fn new() -> Self {
        NoteSplitter::default()
    }

    /// Splits `chunk` (following the previous ones) into pieces, in order.
    pub fn split(&mut self, chunk: &[u8], mut on_piece: impl FnMut(Piece<'_>)) {
        // Glove bytes are handed on in runs straight from `chunk`: [run_start, i).
        let mut run_start = 0;
        let mut i = 0;
        while let Some(&b) = chunk.get(i) {
            if self.passing {
                // Inside a glove frame: everything up to and including its 00 is the glove's.
                match chunk
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&x| x == 0))
                {
                    Some(z) => {
                        i += z + 1;
                        self.passing = false;
                    }
                    None => i = chunk.len(),
                }
                continue;
            }
            if self.held.is_empty() {
                if b == 0 {
                    // An empty frame: the decoder's business.
                    i += 1;
                    continue;
                }
                // A frame starts. A glove frame shows it at once (a long frame, or a second
                // byte that is not `#`): it stays in the run, so the decoder gets whole chunks.
                let glove = usize::from(b) > Self::MAX_HELD
                    || chunk.get(i + 1).is_some_and(|&next| next != PREFIX[0]);
                if glove {
                    self.passing = true;
                    i += 1;
                    continue;
                }
                // It may be a note: hand on the run before it and hold it.
                if let Some(run) = chunk.get(run_start..i).filter(|r| !r.is_empty()) {
                    on_piece(Piece::Device(run));
                }
            }
            i += 1;
            if b == 0 {
                match HostNote::parse(&self.held) {
                    Some(note) => on_piece(Piece::Note(note)),
                    None => {
                        self.held.push(0);
                        on_piece(Piece::Device(&self.held));
                    }
                }
                self.held.clear();
                run_start = i;
                continue;
            }
            self.held.push(b);
            if !self.could_be_note() {
                on_piece(Piece::Device(&self.held));
                self.held.clear();
                self.passing = true;
                run_start = i;
            }
        }
        if self.held.is_empty() {
            if let Some(run) = chunk.get(run_start..).filter(|r| !r.is_empty()) {
                on_piece(Piece::Device(run));
            }
        }
    }

    /// Whether the frame held so far could still become a note.
    fn could_be_note(&self) -> bool {
        let Some((&code, text)) = self.held.split_first() else {
            return true;
        };
        let code = usize::from(code);
        code <= Self::MAX_HELD
            && self.held.len() <= code
            && PREFIX.iter().zip(text).all(|(p, t)| p == t)
    }

    /// At the end of the data: the unfinished frame, if one was held (a torn tail for the
    /// decoder to count).
    pub fn finish(&mut self, mut on_piece: impl FnMut(Piece<'_>)) {
        if !self.held.is_empty() {
            let held = std::mem::take(&mut self.held);
            on_piece(Piece::Device(&held));
        }
        self.passing = false;
    }
}

/// The plain reference: the whole data at once, split at every `00`.
#[cfg(test)]
fn split_whole(data: &[u8]) -> (Vec<u8>, Vec<HostNote>) {
    let mut device = Vec::new();
    let mut notes = Vec::new();
    let mut start = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == 0 {
            match HostNote::parse(&data[start..i]) {
                Some(n) if i > start => notes.push(n),
                _ => device.extend_from_slice(&data[start..=i]),
            }
            start = i + 1;
        }
    }
    device.extend_from_slice(&data[start..]);
    (device, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split_chunked(data: &[u8], cuts: &[usize]) -> (Vec<u8>, Vec<HostNote>) {
        let mut s = NoteSplitter::new();
        let (mut device, mut notes) = (Vec::new(), Vec::new());
        let mut on = |p: Piece<'_>| match p {
            Piece::Device(b) => device.extend_from_slice(b),
            Piece::Note(n) => notes.push(n),
        };
        let mut at = 0;
        let mut sorted: Vec<usize> = cuts.iter().map(|&c| c % (data.len() + 1)).collect();
        sorted.sort_unstable();
        for c in sorted.into_iter().chain([data.len()]) {
            s.split(&data[at..c.max(at)], &mut on);
            at = c.max(at);
        }
        s.finish(&mut on);
        (device, notes)
    }

    #[test]
    fn notes_round_trip_and_glove_frames_are_not_notes() {
        for n in [
            HostNote::Tare { row: 0 },
            HostNote::Marker { row: u64::MAX },
        ] {
            let b = n.to_bytes();
            assert_eq!(HostNote::parse(&b[..b.len() - 1]), Some(n));
        }
        // A glove frame: COBS code, then the protocol version 01.
        assert_eq!(HostNote::parse(&[0x05, 0x01, 0x02, 0x03, 0x04]), None);
        assert_eq!(HostNote::parse(b"\x0f#mld tare 15x0"), None);
        assert_eq!(HostNote::parse(b"\x0d#mld tare 150"), None, "code = length");
        assert!(HostNote::parse(b"\x0e#mld tare 150").is_some());
        assert_eq!(HostNote::parse(b"\x0f#mld jump 1500"), None);
    }

    #[test]
    fn a_note_between_frames_is_taken_out_and_the_frames_pass_untouched() {
        let mut data = vec![0x03, 0x01, 0x07, 0x00];
        data.extend(HostNote::Tare { row: 7 }.to_bytes());
        data.extend([0x02, 0x01, 0x00, 0x05, 0x01]);
        for cut in 0..=data.len() {
            let (device, notes) = split_chunked(&data, &[cut]);
            assert_eq!(notes, vec![HostNote::Tare { row: 7 }], "cut {cut}");
            assert_eq!(
                device,
                [0x03, 0x01, 0x07, 0x00, 0x02, 0x01, 0x00, 0x05, 0x01]
            );
        }
    }

    #[test]
    fn glove_frames_without_notes_are_handed_on_in_one_piece() {
        let data = [0x03, 0x01, 0x07, 0x00, 0x02, 0x01, 0x00, 0x05, 0x01, 0x02];
        let mut pieces = 0;
        NoteSplitter::new().split(&data, |p| {
            pieces += 1;
            assert_eq!(p, Piece::Device(&data));
        });
        assert_eq!(pieces, 1);
    }

    fn stream() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..80),
            (0u64..100_000).prop_map(|r| HostNote::Tare { row: r }.to_bytes()),
            (0u64..100_000).prop_map(|r| HostNote::Marker { row: r }.to_bytes()),
            Just(b"\x0f#mld ta".to_vec()),
            Just(vec![0u8]),
        ];
        proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn any_chunking_splits_like_the_whole(data in stream(),
                                              cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
            prop_assert_eq!(split_chunked(&data, &cuts), split_whole(&data));
        }
    }
}
