//! The one error type of the library: every variant says where (file and line, byte offset,
//! frame or port) and what, so the command line can print it as it is.

use std::path::PathBuf;

/// Everything that can go wrong reading, analysing or writing sessions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A text file (TSV, JSON, TOML) has a bad line.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong there.
        message: String,
    },
    /// A binary file (a recording) is malformed at a byte offset.
    #[error("{path}: at byte {offset}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// Byte offset from the start of the file.
        offset: u64,
        /// What is wrong there.
        message: String,
    },
    /// The serial port failed or the glove did not answer.
    #[error("serial port {port}: {message}")]
    Serial {
        /// The port's path.
        port: String,
        /// What happened.
        message: String,
    },
    /// A setting, profile or calibration is invalid.
    #[error("{context}: {message}")]
    Config {
        /// Where the setting came from (a file, an option).
        context: String,
        /// What is wrong with it.
        message: String,
    },
    /// Another error, with what was being done when it happened ("analysing FILE").
    #[error("{context}")]
    Context {
        /// What was being done.
        context: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// The input is valid but cannot be analysed (no channels, a rate out of range, …).
    #[error("{0}")]
    Unsupported(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A parse error at `line` of `path`.
    pub fn parse(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// Adds what was being done to an error, the library's counterpart of `anyhow::Context`.
pub trait Context<T> {
    /// Wraps the error, if any, in [`Error::Context`] with `context()`.
    fn context_with(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for Result<T> {
    fn context_with(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Context {
            context: context(),
            source: Box::new(source),
        })
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
