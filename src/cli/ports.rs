//! `mldsense ports`: the serial ports the system knows, with USB ids, to find the glove.

use anyhow::Context;

/// Options of `mldsense ports`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format: text (a list) or json.
    #[arg(short, long, value_enum, default_value_t = super::info::Format::Text)]
    pub format: super::info::Format,
    /// The old spelling of `--format json`.
    #[arg(long, hide = true)]
    pub json: bool,
}

/// Runs `mldsense ports`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let ports = mldsense::serial::list_ports().context("listing serial ports")?;
    if args.json || args.format == super::info::Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&ports).context("writing JSON")?
        );
        return Ok(());
    }
    if ports.is_empty() {
        println!("no serial ports found: is the glove plugged in (and powered)? To try without one, run `mldsense simulate` and use the path it prints.");
        return Ok(());
    }
    for p in &ports {
        println!("{}", p.describe());
    }
    Ok(())
}
