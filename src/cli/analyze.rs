//! `mldsense analyze`.

/// Options of `mldsense analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense analyze`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense analyze` is not implemented yet")
}
