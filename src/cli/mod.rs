//! The `mldsense` command line: one file per subcommand. A module of the binary, not of the
//! library: the library has no clap or anyhow in it, so other programs can use it as it is.

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod bench;
pub mod calibrate;
pub mod classroom;
pub mod demo;
pub mod export;
pub mod info;
pub mod live;
pub mod ports;
pub mod profile;
pub mod progress;
pub mod record;
pub mod simulate;

/// Stroke detection, grading and feedback for manual lymphatic drainage training with a sensor
/// glove.
#[derive(Debug, Parser)]
#[command(name = "mldsense", version, about, long_about = None, propagate_version = true)]
#[command(after_help = "\
Exit status: 0 on success, 1 when an input could not be read or analysed (bad data), 2 on a
usage error (an unknown option, a bad value).")]
pub struct Cli {
    /// Say less: no progress lines, no terminal bell (errors are still printed).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Say more: every cause of an error, and what each step wrote.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

/// How much the commands say, set once from `-q` / `-v`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-q`: errors only, no bell.
    Quiet,
    /// The default.
    #[default]
    Normal,
    /// `-v`.
    Verbose,
}

static VERBOSITY: std::sync::OnceLock<Verbosity> = std::sync::OnceLock::new();

/// The verbosity asked for on the command line.
pub fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or_default()
}

/// Prints a progress line on standard error unless `-q`.
macro_rules! say {
    ($($t:tt)*) => {
        if crate::cli::verbosity() > crate::cli::Verbosity::Quiet {
            eprintln!($($t)*);
        }
    };
}
pub(crate) use say;

/// A command-line mirror of a library enum: derives `clap::ValueEnum` (the library has no clap
/// in it) and converts both ways, so a variant added to either side fails to compile until it
/// is added to the other.
macro_rules! value_enum {
    ($(#[$meta:meta])* $name:ident => $lib:path { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl From<$name> for $lib {
            fn from(arg: $name) -> $lib {
                match arg {
                    $($name::$variant => <$lib>::$variant,)+
                }
            }
        }

        impl From<$lib> for $name {
            fn from(value: $lib) -> $name {
                match value {
                    $(<$lib>::$variant => $name::$variant,)+
                }
            }
        }
    };
}

value_enum! {
    /// `--format`: a report format.
    FormatArg => mldsense::report::Format {
        /// A readable terminal summary.
        Text,
        /// The versioned JSON schema (`docs/REPORT_SCHEMA.md`).
        Json,
        /// A header and one row per stroke.
        Csv,
        /// One self-contained HTML file with inline SVG charts.
        Html,
    }
}

value_enum! {
    /// `--sort`: how the sessions of a class are ranked.
    ClassOrderArg => mldsense::report::ClassOrder {
        /// Highest score first (ties by name, then date).
        Score,
        /// By trainee name, each trainee's sessions by date.
        Name,
        /// Oldest session first.
        Date,
    }
}

value_enum! {
    /// `--style`: a kind of trainee the virtual glove imitates.
    StyleArg => mldsense::sim::Style {
        /// Mostly 30–40 mmHg, a regular rhythm of about one stroke a second, complete releases.
        Steady,
        /// Heavy-handed: often 45–80 mmHg, some strokes above the 70 mmHg danger line.
        Heavy,
        /// Too light: 15–28 mmHg.
        Light,
        /// Fast (about 1.6–2 strokes a second) with frequent incomplete releases.
        Rushed,
        /// Erratic: variable pressure and rhythm, uneven fingers, incomplete releases, jerky rises.
        Novice,
    }
}

/// A usage error found after parsing (a value out of range, options that contradict each
/// other): the process exits 2, like clap's own usage errors, not 1 as for bad data.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Returns a [`UsageError`] from a command.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// The report format: `--format` when given, else the extension of `-o` (`.html`, `.json`,
/// `.csv`, `.txt`), else text. `-o r.html` therefore writes HTML, as its name says; a `--format`
/// that contradicts the extension is a usage error rather than a file whose name lies.
pub fn report_format(
    explicit: Option<FormatArg>,
    output: Option<&std::path::Path>,
) -> anyhow::Result<mldsense::report::Format> {
    let explicit = explicit.map(mldsense::report::Format::from);
    let from_name = output
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .and_then(|e| e.parse::<mldsense::report::Format>().ok());
    match (explicit, from_name) {
        (Some(f), Some(g)) if f != g => Err(usage(format!(
            "--format {} but the output {} is named as {}",
            f.extension(),
            output.map(|p| p.display().to_string()).unwrap_or_default(),
            g.extension()
        ))),
        (Some(f), _) => Ok(f),
        (None, Some(g)) => Ok(g),
        (None, None) => Ok(mldsense::report::Format::Text),
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the virtual glove through the whole pipeline and write a report (no hardware needed).
    Demo(demo::Args),
    /// Practise with live feedback: pressure bars, each stroke's verdict, rhythm and score.
    Live(live::Args),
    /// The live classroom: every trainee's glove on one screen for the instructor.
    Classroom(classroom::Args),
    /// Find, grade and report the strokes of a recording or BIDS file.
    Analyze(analyze::Args),
    /// Record a session from the glove to a file, losslessly.
    Record(record::Args),
    /// Summarise a recording: duration, channels, rate, frames, CRC errors, gaps.
    Info(info::Args),
    /// List serial ports.
    Ports(ports::Args),
    /// Calibrate the glove's sensors with tare and known weights.
    Calibrate(calibrate::Args),
    /// Run the virtual glove: on a pseudo-terminal, into a recording, or as a BIDS dataset.
    Simulate(simulate::Args),
    /// Write a recording as BIDS physiological data with calibrated pressures.
    Export(export::Args),
    /// Benchmark stroke detection on annotated datasets.
    Bench(bench::Args),
    /// Each trainee's sessions in date order: learning curve, table, what changed.
    Progress(progress::Args),
    /// Derive a technique profile (window, rhythm) from an expert's recording.
    Profile(profile::Args),
}

/// Parses the command line, runs the command and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let _ = VERBOSITY.set(if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    });
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Live(a) => live::run(a),
        Command::Classroom(a) => classroom::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Record(a) => record::run(a),
        Command::Info(a) => info::run(a),
        Command::Ports(a) => ports::run(a),
        Command::Calibrate(a) => calibrate::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Export(a) => export::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Progress(a) => progress::run(a),
        Command::Profile(a) => profile::run(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            // A closed pipe (`mldsense analyze … | head`) is not an error worth a message.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return 0;
            }
            let mut lines = causes(&e).into_iter();
            eprintln!("error: {}", lines.next().unwrap_or_default());
            for text in lines {
                eprintln!("  caused by: {text}");
            }
            if e.chain().any(|c| c.downcast_ref::<UsageError>().is_some()) {
                eprintln!("(see `mldsense --help`)");
                2
            } else {
                1
            }
        }
    }
}

/// An error and its causes, each said once: library errors already carry their cause in their
/// message (`file: reason`), so a cause already said (a missing file's name and reason) is not
/// repeated.
fn causes(e: &anyhow::Error) -> Vec<String> {
    let mut said: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !said.iter().any(|s| s.contains(&text)) {
            said.push(text);
        }
    }
    said
}

/// One line for an input that failed while others go on (class mode, progress): the error and
/// its causes, each said once, joined by `: `.
pub(crate) fn one_line(e: &anyhow::Error) -> String {
    causes(e).join(": ")
}
