//! The one error type of the library: every variant says where (file and line, byte offset,
//! frame or port) and what, so the command line can print it as it is.

use mldsense_protocol::{MAX_CHANNELS, MAX_ROWS_PER_BLOCK};
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
    /// A BIDS sidecar (`_physio.json`) has a bad key.
    #[error("{path}:{line}: {source}")]
    Sidecar {
        /// The sidecar.
        path: PathBuf,
        /// 1-based line of the key.
        line: u64,
        /// What is wrong with it.
        #[source]
        source: Box<SidecarError>,
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
    /// A recording's header describes a device no glove could be.
    #[error("{path}: at byte {offset}: bad device in header: {source}")]
    Device {
        /// The recording.
        path: PathBuf,
        /// Byte offset of the header.
        offset: u64,
        /// The field that is wrong.
        #[source]
        source: DeviceFieldError,
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
    /// Writing a report, a table or a view to its output failed.
    #[error("writing the report: {source}")]
    Write {
        /// What the output said.
        #[source]
        source: std::io::Error,
    },
    /// A value could not be written as JSON.
    #[error("{context}: {source}")]
    Json {
        /// What was being written (a file, the report).
        context: String,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// A table could not be written as CSV.
    #[error("{context}: {source}")]
    Csv {
        /// What was being written (a file, the report).
        context: String,
        /// What the csv writer said.
        #[source]
        source: csv::Error,
    },
    /// A chart could not be drawn.
    #[error("{path}: {source}")]
    Chart {
        /// The image file.
        path: PathBuf,
        /// What the drawing backend said.
        #[source]
        source: DrawError,
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

// The causes the variants above carry, each as data.

/// A field of a header's device description that no glove could have sent.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DeviceFieldError {
    /// The firmware version is not three numbers.
    #[error("firmware `{0}` is not major.minor.patch")]
    Firmware(String),
    /// No channels, or more than a frame can describe.
    #[error("{0} channels; a glove has 1 to {MAX_CHANNELS}")]
    ChannelCount(usize),
    /// Rows per block out of the protocol's range.
    #[error("rows_per_block {0} is outside 1..={MAX_ROWS_PER_BLOCK}")]
    RowsPerBlock(u8),
    /// ADC resolution out of 1..=16 bits.
    #[error("adc_bits {0} is outside 1..=16")]
    AdcBits(u8),
    /// A sampling rate of 0 Hz.
    #[error("rate_hz is 0")]
    ZeroRate,
    /// A channel's area the protocol cannot carry (0 to 6553.5 mm²).
    #[error("channel `{name}`: area_mm2 {area_mm2} is out of range")]
    Area {
        /// The channel.
        name: String,
        /// Its area, mm².
        area_mm2: f64,
    },
}

/// What is wrong with a sidecar key.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SidecarError {
    /// A required key is absent.
    #[error("missing key `{0}`")]
    MissingKey(String),
    /// A key that must be a number is not.
    #[error("`{0}` must be a number")]
    NotANumber(String),
    /// `SamplingFrequency` is not a positive number of Hz.
    #[error("SamplingFrequency must be a positive number of Hz, not {0}")]
    Rate(f64),
    /// `Columns` is not an array.
    #[error("`Columns` must be an array of names")]
    ColumnsNotArray,
    /// `Columns` holds something other than names.
    #[error("`Columns` must hold strings")]
    ColumnsNotStrings,
    /// No column is a pressure.
    #[error("no pressure column (Units mmHg, kPa or N) in `Columns`")]
    NoPressureColumn,
    /// A column named in `Columns` has no object describing it.
    #[error("missing key `{0}` describing column `{0}` (with `Units`)")]
    MissingColumn(String),
    /// A column's description is not an object.
    #[error("`{0}` must be an object with `Units`")]
    ColumnNotObject(String),
    /// A column's description has no `Units`.
    #[error("column `{0}`: missing key `Units`")]
    MissingUnits(String),
    /// A column's `Units` is not a string.
    #[error("column `{0}`: `Units` must be a string")]
    UnitsNotString(String),
    /// A column's `SensorAreaMm2` is not a positive number.
    #[error("column `{0}`: `SensorAreaMm2` must be a positive number of mm²")]
    BadArea(String),
    /// A force column without the area that turns it into pressure.
    #[error("column `{0}`: Units N needs `SensorAreaMm2` to turn force into pressure")]
    ForceWithoutArea(String),
    /// A unit that is neither a pressure nor one of the skipped units.
    #[error(
        "column `{name}`: unknown unit `{unit}` (pressure must be mmHg, kPa or N; \
         columns in {skipped:?} are skipped)"
    )]
    UnknownUnit {
        /// The column.
        name: String,
        /// Its unit.
        unit: String,
        /// The units whose columns are skipped.
        skipped: &'static [&'static str],
    },
}

/// An error from drawing: the backend's own error (backends have different error types, so it
/// is kept boxed, as the cause).
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct DrawError {
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DrawError {
    /// The backend's error `e`.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        DrawError {
            source: Box::new(e),
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
