//! Inflating (or just reading) the data file on a second thread, handing fixed-size byte chunks
//! to the parser over a bounded channel: decompression and parsing overlap on two cores, and
//! memory stays at a few chunks whatever the file's size.
//!
//! Blocked gzip (what our writer makes, [`super::bgzf`]) is inflated member by member with
//! libdeflate; any other gzip streams through flate2 (zlib-rs); anything else is read as is.

use super::bgzf::{is_bgzf, BgzfReader, MAX_MEMBER};
use crossbeam_channel::{bounded, Receiver, Sender};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Bytes per chunk: large enough that channel traffic is negligible, small enough for the cache.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// Chunks in flight between the threads (the memory bound is about twice this many chunks).
const IN_FLIGHT: usize = 4;

/// The receiving end: yields the file's (decompressed) bytes chunk by chunk, in order.
pub struct ChunkReader {
    chunks: Receiver<std::io::Result<Vec<u8>>>,
    recycle: Sender<Vec<u8>>,
}

impl ChunkReader {
    /// Starts reading `file` on a new thread, inflating it if it starts with the gzip magic
    /// (any number of gzip members, as `gzip -dc` does).
    pub fn spawn(path: &Path, file: File) -> std::io::Result<Self> {
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let (gzip, bgzf) = {
            use std::io::BufRead;
            let head = reader.fill_buf()?;
            (head.starts_with(&[0x1f, 0x8b]), is_bgzf(head))
        };
        let (tx, chunks) = bounded(IN_FLIGHT);
        let (recycle, spare) = bounded(IN_FLIGHT + 2);
        let thread = std::thread::Builder::new().name(format!("inflate {}", path.display()));
        if bgzf {
            thread.spawn(move || pump_bgzf(BgzfReader::new(reader), &tx, &spare))?;
        } else {
            let source: Box<dyn Read + Send> = if gzip {
                Box::new(MultiGzDecoder::new(reader))
            } else {
                Box::new(reader)
            };
            thread.spawn(move || pump(source, &tx, &spare))?;
        }
        Ok(Self { chunks, recycle })
    }

    /// The next chunk, or `None` at the end of the file. Pass back the previous chunk with
    /// [`ChunkReader::give_back`] so its allocation is reused.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        match self.chunks.recv() {
            Ok(Ok(chunk)) => Ok(Some(chunk)),
            Ok(Err(e)) => Err(e),
            // The sender hung up after the last chunk: the end of the file.
            Err(_) => Ok(None),
        }
    }

    /// Returns a spent chunk to the reading thread.
    pub fn give_back(&mut self, chunk: Vec<u8>) {
        // If the thread has stopped or has enough spares, the buffer is just dropped.
        let _ = self.recycle.try_send(chunk);
    }
}

/// The reading thread for blocked gzip: whole members into each chunk, inflated in place.
fn pump_bgzf<R: Read>(
    mut source: BgzfReader<R>,
    tx: &Sender<std::io::Result<Vec<u8>>>,
    spare: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK_BYTES + MAX_MEMBER));
        buf.clear();
        let mut end = false;
        while buf.len() < CHUNK_BYTES {
            match source.next_member(&mut buf) {
                Ok(Some(_)) => {}
                Ok(None) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if !buf.is_empty() && tx.send(Ok(buf)).is_err() {
            return;
        }
        if end {
            return;
        }
    }
}

/// The reading thread: fills chunks until the end of the stream, an error, or the receiver
/// going away (the source was dropped early).
fn pump(
    mut source: Box<dyn Read + Send>,
    tx: &Sender<std::io::Result<Vec<u8>>>,
    spare: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK_BYTES));
        buf.resize(CHUNK_BYTES, 0);
        let mut filled = 0;
        while filled < CHUNK_BYTES {
            match source.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if filled == 0 {
            return;
        }
        buf.truncate(filled);
        let last = filled < CHUNK_BYTES;
        if tx.send(Ok(buf)).is_err() || last {
            return;
        }
    }
}
