//! Opening any input a user names: a recording, a BIDS file, chosen by its name (and, for
//! recordings, by its magic bytes), and expanding folders into the inputs they hold, so an
//! instructor can name a whole class at once.

use crate::bids::{self, BidsPaths, BidsSource};
use crate::calibration::Calibration;
use crate::error::{Error, Result};
use crate::files::{self, ensure_regular_file};
use crate::recording::{RecordingSource, MAGIC};
use crate::session::SessionMeta;
use crate::stream::{Block, PressureSource, StreamInfo};
use std::io::Read;
use std::path::{Path, PathBuf};

/// An opened input: one of the sources the pipeline reads files from.
pub enum Input {
    /// A session recorded from the glove (`.mld`): the exact bytes, decoded and calibrated.
    Recording(Box<RecordingSource>),
    /// A BIDS physiological recording (`_physio.tsv[.gz]` + `_physio.json`).
    Bids(Box<BidsSource>),
}

/// What kind of input a path names, decided without reading the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A `.mld` recording.
    Recording,
    /// A BIDS physiological recording.
    Bids,
}

/// Decides what `path` is: a BIDS file by its suffix, a recording by its magic bytes (or, if
/// the file cannot be read yet, by the `.mld` extension).
pub fn kind_of(path: &Path) -> Result<InputKind> {
    if BidsPaths::from_file_name(path).is_some() {
        return Ok(InputKind::Bids);
    }
    if path.exists() {
        ensure_regular_file(path)?;
    }
    let mut head = [0u8; MAGIC.len()];
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut head));
    match read {
        Ok(n) if n == MAGIC.len() && head == MAGIC => Ok(InputKind::Recording),
        _ if path.extension().is_some_and(|e| e == "mld") => Ok(InputKind::Recording),
        Ok(_) => {
            // A bare BIDS stem (`dir/sub-01_task-mld`) whose files exist.
            if BidsPaths::resolve(path).is_ok() {
                Ok(InputKind::Bids)
            } else {
                Err(unknown(path))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if BidsPaths::resolve(path).is_ok() {
                Ok(InputKind::Bids)
            } else {
                Err(Error::io(path, e))
            }
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

fn unknown(path: &Path) -> Error {
    Error::Unsupported(format!(
        "{}: not an mldsense recording (.mld) nor a BIDS physiological recording \
         (<stem>_physio.tsv.gz, _physio.tsv or _physio.json)",
        path.display()
    ))
}

impl Input {
    /// Opens `path`; `calibration` overrides the one stored in a recording (BIDS data are
    /// already in physical units).
    pub fn open(path: &Path, calibration: Option<Calibration>) -> Result<Input> {
        match kind_of(path)? {
            InputKind::Recording => Ok(Input::Recording(Box::new(RecordingSource::open(
                path,
                calibration,
            )?))),
            InputKind::Bids => Ok(Input::Bids(Box::new(BidsSource::open(path)?))),
        }
    }

    /// Who and where, for the session's report.
    pub fn meta(&self) -> SessionMeta {
        match self {
            Input::Recording(r) => r.meta(),
            Input::Bids(b) => {
                let p = b.paths();
                // Who and when, from `sub-`, `participants.tsv` and `_scans.tsv`.
                let id = crate::class::Identity::of_bids(p);
                SessionMeta {
                    source: p.dir.join(&p.stem).display().to_string(),
                    trainee: id.trainee,
                    started: id.started,
                    ..SessionMeta::default()
                }
            }
        }
    }

    /// Warnings for the user (uncalibrated sensors, a torn tail); complete once the input has
    /// been read to its end.
    pub fn warnings(&self) -> Vec<String> {
        match self {
            Input::Recording(r) => r.warnings(),
            Input::Bids(_) => Vec::new(),
        }
    }
}

impl PressureSource for Input {
    fn info(&self) -> &StreamInfo {
        match self {
            Input::Recording(r) => r.info(),
            Input::Bids(b) => b.info(),
        }
    }

    fn next_block(&mut self, block: &mut Block) -> Result<bool> {
        match self {
            Input::Recording(r) => r.next_block(block),
            Input::Bids(b) => b.next_block(block),
        }
    }
}

/// Expands the paths a user named into inputs: files as they are, folders searched recursively
/// for recordings and BIDS physiological files (one input per recording, sorted by path).
///
/// Each recording is listed once, by its canonical path: a file named twice, reached through
/// two symbolic links, or inside a folder that links back to itself (a loop walked forever
/// before) is analysed once, under the first path that reached it.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut seen_dirs = std::collections::HashSet::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, &mut seen_dirs)?;
            if found.is_empty() {
                return Err(Error::Unsupported(format!(
                    "{}: no recordings (.mld) or BIDS physiological files (_physio.tsv.gz, \
                     _physio.tsv) in this folder",
                    p.display()
                )));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    let mut seen_files = std::collections::HashSet::new();
    // A path that cannot be canonicalised (it does not exist yet, a bare BIDS stem) is kept
    // as named: opening it reports the problem.
    out.retain(|p| seen_files.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(out)
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen_dirs: &mut std::collections::HashSet<PathBuf>,
) -> Result<()> {
    for path in files::walk(dir, seen_dirs)? {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        // `x_physio.tsv` beside `x_physio.tsv.gz` is the same recording: the compressed one wins.
        let is_bids_data = bids::is_physio_data(&name)
            && !(name.ends_with(bids::PHYSIO_TSV)
                && path.with_file_name(format!("{name}.gz")).exists());
        if name.ends_with(".mld") || is_bids_data {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bids_names_are_bids_without_reading() {
        for name in [
            "x/sub-01_physio.tsv.gz",
            "sub-01_physio.json",
            "sub-01_physio.tsv",
        ] {
            assert_eq!(
                kind_of(Path::new(name)).ok(),
                Some(InputKind::Bids),
                "{name}"
            );
        }
    }

    #[test]
    fn unknown_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("notes.txt");
        std::fs::write(&p, b"hello there").expect("write");
        let e = kind_of(&p).expect_err("must fail");
        let msg = e.to_string();
        assert!(
            msg.contains("notes.txt") && msg.contains("not an mldsense recording"),
            "{msg}"
        );
    }

    #[test]
    fn folders_expand_to_their_recordings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("sub-01");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join("sub-01_physio.tsv.gz"), b"").expect("write");
        std::fs::write(sub.join("sub-01_physio.json"), b"{}").expect("write");
        std::fs::write(dir.path().join("b.mld"), b"").expect("write");
        std::fs::write(dir.path().join("readme.md"), b"").expect("write");
        let found = discover(&[dir.path().to_path_buf()]).expect("discover");
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            names,
            vec![Some("b.mld".into()), Some("sub-01_physio.tsv.gz".into())]
        );
    }
}
