//! `mldsense export`.

/// Options of `mldsense export`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense export`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense export` is not implemented yet")
}
