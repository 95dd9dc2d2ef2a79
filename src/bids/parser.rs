//! The parsing stage of [`super::BidsSource`]: takes the inflated chunks ([`super::chunks`]),
//! splits them into lines in place (a line cut across two chunks is the only one copied), parses
//! each field from its bytes ([`super::number`]) and scales pressure columns to mmHg. No
//! allocation per row, and never the whole file in memory.

use super::chunks::ChunkReader;
use super::number::{parse_row, RowError};
use super::sidecar::{ColumnRole, PhysioSidecar};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// What to do with each column of a line.
#[derive(Clone, Copy, Debug)]
enum Slot {
    /// Scale by the factor to mmHg and store.
    Keep(f64),
    /// Check it is a number, then drop it.
    Skip,
}

/// Turns chunks of text into rows of mmHg.
pub struct RowParser {
    data_path: PathBuf,
    /// The sidecar, for errors.
    json_path: PathBuf,
    names: Vec<String>,
    slots: Vec<Slot>,
    /// One line's values before scaling, reused.
    scratch: Vec<f64>,
    chunks: ChunkReader,
    chunk: Vec<u8>,
    pos: usize,
    /// The start of a line cut by the end of the previous chunk.
    tail: Vec<u8>,
    /// Lines consumed so far (the 1-based number of the last line parsed).
    line: u64,
    /// A blank line seen and not yet known to be trailing.
    blank_at: Option<u64>,
    finished: bool,
}

impl RowParser {
    /// Starts inflating `data_path` (on its own thread) for the columns `sidecar` describes.
    pub fn open(data_path: &Path, json_path: &Path, sidecar: &PhysioSidecar) -> Result<Self> {
        let file = std::fs::File::open(data_path).map_err(|e| Error::io(data_path, e))?;
        let chunks = ChunkReader::spawn(data_path, file).map_err(|e| Error::io(data_path, e))?;
        Ok(Self {
            data_path: data_path.to_path_buf(),
            json_path: json_path.to_path_buf(),
            names: sidecar.columns.iter().map(|c| c.name.clone()).collect(),
            slots: sidecar
                .columns
                .iter()
                .map(|c| match c.role {
                    ColumnRole::Pressure { to_mmhg, .. } => Slot::Keep(to_mmhg),
                    ColumnRole::Skipped => Slot::Skip,
                })
                .collect(),
            scratch: vec![0.0; sidecar.columns.len()],
            chunks,
            chunk: Vec::new(),
            pos: 0,
            tail: Vec::new(),
            line: 0,
            blank_at: None,
            finished: false,
        })
    }

    fn parse_line(&mut self, line: &[u8], out: &mut Vec<f64>) -> Result<()> {
        self.line += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            self.blank_at.get_or_insert(self.line);
            return Ok(());
        }
        if let Some(at) = self.blank_at {
            return Err(Error::parse(
                &self.data_path,
                at,
                "empty line inside the data",
            ));
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let parsed = parse_row(line, &mut scratch);
        if parsed.is_ok() {
            for (v, slot) in scratch.iter().zip(&self.slots) {
                if let Slot::Keep(k) = slot {
                    out.push(v * k);
                }
            }
        }
        self.scratch = scratch;
        match parsed {
            Ok(()) => {}
            Err(RowError::FieldCount(found)) => return Err(self.column_count_error(found)),
            Err(RowError::NotANumber { column, start, end }) => {
                return Err(self.not_a_number(column, line.get(start..end).unwrap_or(&[])))
            }
        }
        Ok(())
    }

    fn column_count_error(&self, found: usize) -> Error {
        Error::parse(
            &self.data_path,
            self.line,
            format!(
                "expected {} tab-separated columns (`Columns` in {}), found {found}",
                self.slots.len(),
                self.json_path.display()
            ),
        )
    }

    fn not_a_number(&self, col: usize, field: &[u8]) -> Error {
        Error::parse(
            &self.data_path,
            self.line,
            format!(
                "column {} (`{}`): `{}` is not a number or n/a",
                col + 1,
                self.names.get(col).map_or("", String::as_str),
                String::from_utf8_lossy(field)
            ),
        )
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        Error::io(
            &self.data_path,
            std::io::Error::new(e.kind(), format!("after line {}: {e}", self.line)),
        )
    }
}

impl RowParser {
    /// Appends rows to `out` until it holds `want` values or the file ends (then `out` may
    /// hold fewer, or none).
    pub fn fill(&mut self, out: &mut Vec<f64>, want: usize) -> Result<()> {
        while out.len() < want && !self.finished {
            if self.pos >= self.chunk.len() {
                let spent = std::mem::take(&mut self.chunk);
                self.chunks.give_back(spent);
                self.pos = 0;
                match self.chunks.next_chunk().map_err(|e| self.io_error(e))? {
                    Some(c) => self.chunk = c,
                    None => {
                        self.finished = true;
                        if !self.tail.is_empty() {
                            let tail = std::mem::take(&mut self.tail);
                            self.parse_line(&tail, out)?;
                        }
                        break;
                    }
                }
            }
            let chunk = std::mem::take(&mut self.chunk);
            let r = self.parse_chunk(&chunk, out, want);
            self.chunk = chunk;
            r?;
        }
        Ok(())
    }

    /// Parses whole lines of `chunk` from `self.pos` until `want` values are out or the chunk
    /// ends; a cut last line goes to `self.tail`.
    fn parse_chunk(&mut self, chunk: &[u8], out: &mut Vec<f64>, want: usize) -> Result<()> {
        while out.len() < want {
            let rest = chunk.get(self.pos..).unwrap_or(&[]);
            if rest.is_empty() {
                break;
            }
            match memchr::memchr(b'\n', rest) {
                Some(n) => {
                    let line = rest.get(..n).unwrap_or(&[]);
                    self.pos += n + 1;
                    if self.tail.is_empty() {
                        self.parse_line(line, out)?;
                    } else {
                        let mut joined = std::mem::take(&mut self.tail);
                        joined.extend_from_slice(line);
                        let r = self.parse_line(&joined, out);
                        joined.clear();
                        self.tail = joined;
                        r?;
                    }
                }
                None => {
                    self.tail.extend_from_slice(rest);
                    self.pos = chunk.len();
                }
            }
        }
        Ok(())
    }
}
