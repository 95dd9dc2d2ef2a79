//! [`BidsSource`]: a BIDS physiological recording as a [`PressureSource`] of mmHg rows.
//!
//! Three stages, each on its own thread, joined by bounded channels: inflating
//! ([`super::chunks`]), parsing ([`super::parser`]) and whatever consumes the blocks (the
//! pipeline). On two cores the work spreads evenly, and memory stays at a few chunks and blocks
//! whatever the file's size.

use super::parser::RowParser;
use super::paths::BidsPaths;
use super::sidecar::PhysioSidecar;
use crate::error::{Error, Result};
use crate::stream::{Block, PressureSource, StreamInfo};
use crossbeam_channel::{bounded, Receiver, Sender};
use std::path::Path;

/// Rows per block by default (about 8 s at 500 Hz).
pub const DEFAULT_BLOCK_ROWS: usize = 4096;

/// Parsed blocks in flight between the parsing thread and the consumer.
const BLOCKS_IN_FLIGHT: usize = 2;

/// The parsing thread's ends, once started.
struct Running {
    blocks: Receiver<Result<Vec<f64>>>,
    recycle: Sender<Vec<f64>>,
}

/// A BIDS recording read as calibrated pressure, block by block.
pub struct BidsSource {
    paths: BidsPaths,
    info: StreamInfo,
    /// The parser until the first block is asked for (so the block size can still change).
    parser: Option<RowParser>,
    running: Option<Running>,
    rows: u64,
    block_rows: usize,
}

impl BidsSource {
    /// Opens the recording named by any of its files (`_physio.tsv.gz`, `_physio.tsv`,
    /// `_physio.json`, `_events.tsv`) or its stem; reads and checks the sidecar at once.
    pub fn open(path: &Path) -> Result<Self> {
        let paths = BidsPaths::resolve(path)?;
        let json_path = paths.physio_json();
        crate::files::ensure_regular_file(&json_path)?;
        // A data file that exists but is not a regular file (a FIFO) is refused by name.
        for p in [paths.physio_tsv_gz(), paths.physio_tsv()] {
            if p.exists() {
                crate::files::ensure_regular_file(&p)?;
            }
        }
        let sidecar = PhysioSidecar::read(&json_path)?;
        let data_path = paths.physio_data().ok_or_else(|| {
            Error::io(
                paths.physio_tsv_gz(),
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no _physio.tsv.gz or _physio.tsv beside the sidecar",
                ),
            )
        })?;
        crate::files::ensure_regular_file(&data_path)?;
        let parser = RowParser::open(&data_path, &json_path, &sidecar)?;
        Ok(Self {
            info: sidecar.stream_info(),
            paths,
            parser: Some(parser),
            running: None,
            rows: 0,
            block_rows: DEFAULT_BLOCK_ROWS,
        })
    }

    /// Sets the rows per block (at least 1), before the first block is read; block boundaries
    /// never change the data.
    pub fn with_block_rows(mut self, rows: usize) -> Self {
        self.block_rows = rows.max(1);
        self
    }

    /// The recording's file names.
    pub fn paths(&self) -> &BidsPaths {
        &self.paths
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// Starts the parsing thread on the first call.
    fn running(&mut self) -> Result<Option<&Running>> {
        if let Some(mut parser) = self.parser.take() {
            let want = self.block_rows * self.info.channels.len();
            let (tx, blocks) = bounded(BLOCKS_IN_FLIGHT);
            let (recycle, spare) = bounded::<Vec<f64>>(BLOCKS_IN_FLIGHT + 2);
            std::thread::Builder::new()
                .name(format!("parse {}", self.paths.stem))
                .spawn(move || loop {
                    let mut values = spare
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(want));
                    values.clear();
                    let message = match parser.fill(&mut values, want) {
                        // The end of the file: hanging up tells the consumer.
                        Ok(()) if values.is_empty() => return,
                        Ok(()) => Ok(values),
                        Err(e) => Err(e),
                    };
                    let last = message.is_err();
                    if tx.send(message).is_err() || last {
                        return;
                    }
                })
                .map_err(|e| Error::io(self.paths.physio_json(), e))?;
            self.running = Some(Running { blocks, recycle });
        }
        Ok(self.running.as_ref())
    }
}

impl PressureSource for BidsSource {
    fn info(&self) -> &StreamInfo {
        &self.info
    }

    fn next_block(&mut self, block: &mut Block) -> Result<bool> {
        block.clear();
        block.start_row = self.rows;
        let channels = self.info.channels.len();
        let Some(running) = self.running()? else {
            return Ok(false);
        };
        match running.blocks.recv() {
            Ok(Ok(values)) => {
                let spent = std::mem::replace(&mut block.values, values);
                // A full spare pool just drops the buffer.
                let _ = running.recycle.try_send(spent);
                self.rows += block.rows(channels) as u64;
                Ok(!block.values.is_empty())
            }
            Ok(Err(e)) => {
                self.running = None;
                Err(e)
            }
            // The parser hung up: the end of the file.
            Err(_) => Ok(false),
        }
    }
}
