//! The file names of one BIDS physiological recording, found from whichever of them the user
//! names (or the bare stem), so `mldsense analyze sub-01_physio.json` and `… sub-01_physio.tsv.gz`
//! open the same thing.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The compressed physiological data of a recording.
pub const PHYSIO_TSV_GZ: &str = "_physio.tsv.gz";
/// The uncompressed physiological data.
pub const PHYSIO_TSV: &str = "_physio.tsv";
/// The physiological data's sidecar.
pub const PHYSIO_JSON: &str = "_physio.json";
/// The annotated events (strokes).
pub const EVENTS_TSV: &str = "_events.tsv";
/// A subject's (or session's) table of when each recording was made.
pub const SCANS_TSV: &str = "_scans.tsv";
/// The data files, compressed first: the one read when both exist.
pub const PHYSIO_DATA: [&str; 2] = [PHYSIO_TSV_GZ, PHYSIO_TSV];

/// Suffixes that name part of a recording, longest first so `.tsv.gz` wins over `.tsv`.
const SUFFIXES: [&str; 4] = [PHYSIO_TSV_GZ, PHYSIO_TSV, PHYSIO_JSON, EVENTS_TSV];

/// Whether a file name is a recording's physiological data (`_physio.tsv.gz` or `_physio.tsv`).
pub fn is_physio_data(name: &str) -> bool {
    PHYSIO_DATA.iter().any(|s| name.ends_with(s))
}

/// The directory and stem of one recording (`dir/<stem>_physio.tsv.gz` and its siblings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BidsPaths {
    /// The directory holding the files.
    pub dir: PathBuf,
    /// The common prefix, e.g. `sub-01_task-mld`.
    pub stem: String,
}

impl BidsPaths {
    /// The recording `stem` in `dir`.
    pub fn new(dir: impl Into<PathBuf>, stem: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            stem: stem.into(),
        }
    }

    /// Splits a path naming any of the recording's files, or the bare stem, into directory and
    /// stem. Returns `None` if the file name has none of the known suffixes.
    pub fn from_file_name(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        SUFFIXES.iter().find_map(|suffix| {
            name.strip_suffix(suffix)
                .filter(|stem| !stem.is_empty())
                .map(|stem| Self::new(dir.clone(), stem))
        })
    }

    /// Like [`BidsPaths::from_file_name`], but also accepts a bare stem (`dir/sub-01_task-mld`)
    /// when a `_physio` file with that stem exists.
    pub fn resolve(path: &Path) -> Result<Self> {
        if let Some(p) = Self::from_file_name(path) {
            return Ok(p);
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem = name.strip_suffix("_physio").unwrap_or(name);
        let candidate = Self::new(dir, stem);
        if !stem.is_empty() && candidate.physio_data().is_some() {
            Ok(candidate)
        } else {
            Err(Error::Unsupported(format!(
                "{}: not a BIDS physiological recording (expected <stem>_physio.tsv.gz, \
                 <stem>_physio.tsv, <stem>_physio.json or <stem>_events.tsv)",
                path.display()
            )))
        }
    }

    fn with_suffix(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}{}", self.stem, suffix))
    }

    /// `<stem>_physio.tsv.gz`.
    pub fn physio_tsv_gz(&self) -> PathBuf {
        self.with_suffix(PHYSIO_TSV_GZ)
    }

    /// `<stem>_physio.tsv` (uncompressed).
    pub fn physio_tsv(&self) -> PathBuf {
        self.with_suffix(PHYSIO_TSV)
    }

    /// `<stem>_physio.json`, the sidecar.
    pub fn physio_json(&self) -> PathBuf {
        self.with_suffix(PHYSIO_JSON)
    }

    /// `<stem>_events.tsv`, the annotations.
    pub fn events_tsv(&self) -> PathBuf {
        self.with_suffix(EVENTS_TSV)
    }

    /// The data file that exists, compressed preferred.
    pub fn physio_data(&self) -> Option<PathBuf> {
        [self.physio_tsv_gz(), self.physio_tsv()]
            .into_iter()
            .find(|p| p.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suffix_gives_the_same_stem() {
        for name in [
            "d/sub-01_task-mld_physio.tsv.gz",
            "d/sub-01_task-mld_physio.tsv",
            "d/sub-01_task-mld_physio.json",
            "d/sub-01_task-mld_events.tsv",
        ] {
            let p = BidsPaths::from_file_name(Path::new(name)).unwrap();
            assert_eq!(p, BidsPaths::new("d", "sub-01_task-mld"), "{name}");
        }
        assert!(BidsPaths::from_file_name(Path::new("d/x.mld")).is_none());
        assert!(BidsPaths::from_file_name(Path::new("d/_physio.json")).is_none());
    }
}
