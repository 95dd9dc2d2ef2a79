//! Files and folders as the inputs meet them: refusing what is not a regular file, and walking
//! a folder once.

use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Refuses what is not a regular file (a FIFO, a device, a socket, a folder) before it is
/// opened: reading a FIFO or a terminal would wait for a writer forever. Symbolic links are
/// followed.
///
/// # Errors
/// [`Error::Io`] if `path` cannot be looked at; [`Error::Unsupported`] naming the file and
/// what it is otherwise.
pub fn ensure_regular_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        return Ok(());
    }
    let what = special_kind(&meta);
    Err(Error::Unsupported(format!(
        "{}: is {what}, not a regular file; mldsense reads recordings and BIDS files only \
         (copy the data to a file first)",
        path.display()
    )))
}

fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// Every file under `dir`, recursively, sorted by path. Each folder is walked once, by its
/// canonical path, across calls sharing `seen_dirs`: a symbolic link back to a folder already
/// walked (a loop walked forever otherwise) is skipped.
///
/// # Errors
/// [`Error::Io`] naming the folder that cannot be read.
pub fn walk(dir: &Path, seen_dirs: &mut HashSet<PathBuf>) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    walk_into(dir, seen_dirs, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk_into(dir: &Path, seen_dirs: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) -> Result<()> {
    let canonical = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    if !seen_dirs.insert(canonical) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            walk_into(&path, seen_dirs, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
