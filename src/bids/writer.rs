//! Writing BIDS physiological data: `_physio.tsv.gz` streamed row by row through blocked gzip
//! ([`super::bgzf`]: plain gzip to every reader, fast to inflate for ours; never the whole
//! recording in memory), its `_physio.json`, and the dataset's `dataset_description.json`.

use super::bgzf::BgzfWriter;
use super::paths::BidsPaths;
use super::sidecar::PhysioSidecar;
use crate::error::{Error, Result};
use crate::stream::{Block, PressureSource, StreamInfo};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The BIDS version the writer follows.
pub const BIDS_VERSION: &str = "1.10.0";

/// Decimals written per value by default: 0.01 mmHg, far below any FSR's noise (a few tenths
/// of a mmHg at best) and a third smaller than three decimals once compressed.
pub const DEFAULT_DECIMALS: usize = 2;

/// Streams rows of mmHg into `<stem>_physio.tsv.gz`; the sidecar is written on creation.
pub struct PhysioWriter {
    paths: BidsPaths,
    data_path: PathBuf,
    out: BgzfWriter<File>,
    channels: usize,
    line: String,
    rows: u64,
}

impl PhysioWriter {
    /// Creates `dir` if needed and writes `<stem>_physio.json` for `info` (every channel in mmHg).
    pub fn create(dir: &Path, stem: &str, info: &StreamInfo) -> Result<Self> {
        if info.channels.is_empty() {
            return Err(Error::Unsupported(format!(
                "{stem}: cannot write a recording without channels"
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let paths = BidsPaths::new(dir, stem);
        let json_path = paths.physio_json();
        write_json(&json_path, &PhysioSidecar::to_json(info))?;
        let data_path = paths.physio_tsv_gz();
        let file = File::create(&data_path).map_err(|e| Error::io(&data_path, e))?;
        Ok(Self {
            paths,
            data_path,
            out: BgzfWriter::new(file, 6),
            channels: info.channels.len(),
            line: String::with_capacity(128),
            rows: 0,
        })
    }

    /// Appends one row of mmHg, one value per channel; non-finite values are written `n/a`.
    pub fn write_row(&mut self, row: &[f64]) -> Result<()> {
        use std::fmt::Write as _;
        if row.len() != self.channels {
            return Err(Error::Unsupported(format!(
                "{}: row {} has {} values for {} channels",
                self.data_path.display(),
                self.rows + 1,
                row.len(),
                self.channels
            )));
        }
        self.line.clear();
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                self.line.push('\t');
            }
            if v.is_finite() {
                // Writing to a String cannot fail.
                let _ = write!(self.line, "{:.*}", DEFAULT_DECIMALS, v);
            } else {
                self.line.push_str("n/a");
            }
        }
        self.line.push('\n');
        self.out
            .write_all(self.line.as_bytes())
            .map_err(|e| Error::io(&self.data_path, e))?;
        self.rows += 1;
        Ok(())
    }

    /// Appends every row of `block`.
    pub fn write_block(&mut self, block: &Block) -> Result<()> {
        for row in block.values.chunks_exact(self.channels) {
            self.write_row(row)?;
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Finishes the gzip stream and flushes the file; returns the recording's paths.
    pub fn finish(self) -> Result<BidsPaths> {
        let path = self.data_path;
        self.out.finish().map_err(|e| Error::io(&path, e))?;
        Ok(self.paths)
    }
}

/// Writes a whole recording: `<stem>_physio.json` and `<stem>_physio.tsv.gz` with `rows` (mmHg,
/// one slice per row) in `dir`.
pub fn write_physio<R: AsRef<[f64]>>(
    dir: &Path,
    stem: &str,
    info: &StreamInfo,
    rows: impl IntoIterator<Item = R>,
) -> Result<BidsPaths> {
    let mut w = PhysioWriter::create(dir, stem, info)?;
    for row in rows {
        w.write_row(row.as_ref())?;
    }
    w.finish()
}

/// Writes everything `source` yields as `<stem>_physio.*` in `dir`, block by block.
pub fn write_source(dir: &Path, stem: &str, source: &mut dyn PressureSource) -> Result<BidsPaths> {
    let info = source.info().clone();
    let mut w = PhysioWriter::create(dir, stem, &info)?;
    let mut block = Block::default();
    while source.next_block(&mut block)? {
        w.write_block(&block)?;
    }
    w.finish()
}

/// Writes `dataset_description.json` at the dataset root `root` (created if needed), with
/// `Authors` (the validator warns without them; `name` stands in when no author is given), and
/// a `README` unless the dataset has one.
pub fn write_dataset_description(root: &Path, name: &str) -> Result<PathBuf> {
    write_dataset_description_by(root, name, &[])
}

/// [`write_dataset_description`] with the dataset's authors.
pub fn write_dataset_description_by(
    root: &Path,
    name: &str,
    authors: &[String],
) -> Result<PathBuf> {
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let path = root.join("dataset_description.json");
    let authors: Vec<String> = if authors.is_empty() {
        vec![name.to_string()]
    } else {
        authors.to_vec()
    };
    let value = serde_json::json!({
        "Name": name,
        "BIDSVersion": BIDS_VERSION,
        "DatasetType": "raw",
        "Authors": authors,
        "GeneratedBy": [{"Name": "mldsense", "Version": env!("CARGO_PKG_VERSION")}],
    });
    super::dataset::write_readme(root, &super::dataset::readme_text(name))?;
    write_json(&path, &value)?;
    Ok(path)
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}
