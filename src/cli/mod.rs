//! The `mldsense` command line: one file per subcommand.

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod bench;
pub mod calibrate;
pub mod demo;
pub mod export;
pub mod info;
pub mod live;
pub mod ports;
pub mod record;
pub mod simulate;

/// Stroke detection, grading and feedback for manual lymphatic drainage training with a sensor
/// glove.
#[derive(Debug, Parser)]
#[command(name = "mldsense", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the virtual glove through the whole pipeline and write a report (no hardware needed).
    Demo(demo::Args),
    /// Practise with live feedback: pressure bars, each stroke's verdict, rhythm and score.
    Live(live::Args),
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
}

/// Parses the command line, runs the command and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Live(a) => live::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Record(a) => record::run(a),
        Command::Info(a) => info::run(a),
        Command::Ports(a) => ports::run(a),
        Command::Calibrate(a) => calibrate::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Export(a) => export::run(a),
        Command::Bench(a) => bench::run(a),
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
            let mut said = e.to_string();
            eprintln!("error: {said}");
            for cause in e.chain().skip(1) {
                // Library errors already carry their cause in their message (`file: reason`).
                let text = cause.to_string();
                if !said.contains(&text) {
                    eprintln!("  caused by: {text}");
                }
                said = text;
            }
            1
        }
    }
}
