//! `mldsense calibrate`.

/// Options of `mldsense calibrate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense calibrate`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense calibrate` is not implemented yet")
}
