//! Blocked gzip (BGZF, as htslib writes BAM and tabix files): a gzip file made of many small
//! members, each saying its own compressed size in a `BC` extra field.
//!
//! Every gzip reader (`gzip -dc`, Python's `gzip`, pandas) reads it as one stream. Our reader
//! can also inflate it member by member with libdeflate — several times faster than streaming
//! zlib, and in bounded memory, because each member is at most 64 KiB either way. The cost is a
//! slightly larger file (each member restarts the dictionary).

use libdeflater::{CompressionLvl, Compressor, Decompressor};
use std::io::{self, Read, Write};

/// Uncompressed bytes per member; the compressed member must fit in 64 KiB and stored
/// (incompressible) deflate data grows by a few bytes, so stay well below.
pub const MEMBER_INPUT: usize = 60_000;

/// The largest member BGZF allows, header and trailer included.
pub const MAX_MEMBER: usize = 65_536;

const HEADER_LEN: usize = 18;
const TRAILER_LEN: usize = 8;

/// The empty member htslib writes last, so truncation can be told from a clean end.
const EOF_MEMBER: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, b'B', b'C', 0x02, 0, 0x1b, 0, 0x03, 0, 0,
    0, 0, 0, 0, 0, 0, 0,
];

/// Compresses everything written to it into BGZF members; call [`BgzfWriter::finish`] at the end.
pub struct BgzfWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
    member: Vec<u8>,
    compressor: Compressor,
}

impl<W: Write> BgzfWriter<W> {
    /// A writer at compression level `level` (0–12, libdeflate's scale; 6 is zlib's default).
    pub fn new(inner: W, level: i32) -> Self {
        let lvl = CompressionLvl::new(level).unwrap_or_default();
        Self {
            inner,
            pending: Vec::with_capacity(MEMBER_INPUT),
            member: vec![0; MAX_MEMBER],
            compressor: Compressor::new(lvl),
        }
    }

    fn flush_member(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let data = &self.pending;
        let (head, rest) = self.member.split_at_mut(HEADER_LEN);
        let room = rest.len() - TRAILER_LEN;
        let n = self
            .compressor
            .deflate_compress(data, &mut rest[..room])
            .map_err(|e| io::Error::other(format!("BGZF member does not fit: {e}")))?;
        let total = HEADER_LEN + n + TRAILER_LEN;
        head.copy_from_slice(&EOF_MEMBER[..HEADER_LEN]);
        // BSIZE is the member's size minus one; total ≤ 65 536 by construction of `member`.
        let bsize = (total - 1) as u16;
        head[16..18].copy_from_slice(&bsize.to_le_bytes());
        rest[n..n + 4].copy_from_slice(&libdeflater::crc32(data).to_le_bytes());
        rest[n + 4..n + 8].copy_from_slice(&(data.len() as u32).to_le_bytes());
        self.inner.write_all(&self.member[..total])?;
        self.pending.clear();
        Ok(())
    }

    /// Writes the last member and the end-of-file marker; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_member()?;
        self.inner.write_all(&EOF_MEMBER)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for BgzfWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = MEMBER_INPUT - self.pending.len();
        if room == 0 {
            self.flush_member()?;
            return self.write(buf);
        }
        // Keep lines whole inside a member when the line fits in an empty member.
        if buf.len() > room && buf.len() <= MEMBER_INPUT && !self.pending.is_empty() {
            self.flush_member()?;
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        }
        let n = buf.len().min(room);
        self.pending.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_member()?;
        self.inner.flush()
    }
}

/// Whether `head` (the file's first bytes) starts a BGZF member.
pub fn is_bgzf(head: &[u8]) -> bool {
    head.len() >= HEADER_LEN
        && head[..4] == [0x1f, 0x8b, 0x08, 0x04]
        && head[10..12] == [0x06, 0x00]
        && head[12..16] == [b'B', b'C', 0x02, 0x00]
}

/// Inflates BGZF members one at a time from a reader.
pub struct BgzfReader<R: Read> {
    inner: R,
    member: Vec<u8>,
    decompressor: Decompressor,
    /// Byte offset of the next member in the file, for errors.
    offset: u64,
}

impl<R: Read> BgzfReader<R> {
    /// Reads members from `inner`, which must be at the start of a member.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            member: vec![0; MAX_MEMBER],
            decompressor: Decompressor::new(),
            offset: 0,
        }
    }

    /// Inflates the next member into the end of `out` (which grows by at most 64 KiB); returns
    /// the bytes added, or `None` at a clean end of file.
    pub fn next_member(&mut self, out: &mut Vec<u8>) -> io::Result<Option<usize>> {
        let at = self.offset;
        let bad =
            |msg: &str| io::Error::new(io::ErrorKind::InvalidData, format!("at byte {at}: {msg}"));
        let mut got = 0;
        while got < HEADER_LEN {
            match self.inner.read(&mut self.member[got..HEADER_LEN]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => return Err(bad("file ends inside a gzip member header")),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if !is_bgzf(&self.member[..HEADER_LEN]) {
            return Err(bad(
                "not a BGZF member (the gzip members must all be blocked alike)",
            ));
        }
        let total = usize::from(u16::from_le_bytes([self.member[16], self.member[17]])) + 1;
        if total < HEADER_LEN + TRAILER_LEN {
            return Err(bad("BGZF member size too small"));
        }
        self.inner
            .read_exact(&mut self.member[HEADER_LEN..total])
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => bad("file ends inside a gzip member (truncated?)"),
                _ => e,
            })?;
        self.offset += total as u64;
        let isize_bytes = [
            self.member[total - 4],
            self.member[total - 3],
            self.member[total - 2],
            self.member[total - 1],
        ];
        let size = u32::from_le_bytes(isize_bytes) as usize;
        if size > MAX_MEMBER {
            return Err(bad("BGZF member claims more than 64 KiB of data"));
        }
        let start = out.len();
        out.resize(start + size, 0);
        let n = self
            .decompressor
            .gzip_decompress(&self.member[..total], &mut out[start..])
            .map_err(|e| bad(&format!("corrupt gzip member: {e}")))?;
        if n != size {
            return Err(bad("gzip member length does not match its trailer"));
        }
        Ok(Some(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::MultiGzDecoder;

    fn compress(data: &[u8]) -> Vec<u8> {
        let mut w = BgzfWriter::new(Vec::new(), 6);
        for piece in data.chunks(777) {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn plain_gzip_readers_see_the_same_bytes() {
        let data: Vec<u8> = (0..300_000u32)
            .map(|i| b"0123456789\t\n"[(i * 7 % 12) as usize])
            .collect();
        let gz = compress(&data);
        let mut back = Vec::new();
        MultiGzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, data);

        let mut r = BgzfReader::new(&gz[..]);
        let mut ours = Vec::new();
        let mut members = 0;
        while r.next_member(&mut ours).unwrap().is_some() {
            members += 1;
        }
        assert_eq!(ours, data);
        assert!(members >= 6, "{members} members");
    }

    #[test]
    fn corruption_and_truncation_are_errors_with_an_offset() {
        let data = vec![b'7'; 100_000];
        let mut gz = compress(&data);
        let mut truncated = gz.clone();
        truncated.truncate(gz.len() - 40);
        let mut r = BgzfReader::new(&truncated[..]);
        let mut out = Vec::new();
        let err = loop {
            match r.next_member(&mut out) {
                Ok(Some(_)) => {}
                Ok(None) => panic!("truncation not noticed"),
                Err(e) => break e.to_string(),
            }
        };
        assert!(
            err.contains("at byte") && err.contains("truncated"),
            "{err}"
        );
        // The last data member's CRC-32, just before its ISIZE and the end-of-file member.
        let crc = gz.len() - EOF_MEMBER.len() - TRAILER_LEN;
        gz[crc] ^= 0xff;
        let mut r = BgzfReader::new(&gz[..]);
        let err = loop {
            match r.next_member(&mut out) {
                Ok(Some(_)) => {}
                Ok(None) => panic!("corruption not noticed"),
                Err(e) => break e.to_string(),
            }
        };
        assert!(err.contains("corrupt"), "{err}");
    }
}
