//! `mldsense live`.

/// Options of `mldsense live`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense live`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense live` is not implemented yet")
}
