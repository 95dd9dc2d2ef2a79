//! `mldsense bench`.

/// Options of `mldsense bench`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense bench`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense bench` is not implemented yet")
}
