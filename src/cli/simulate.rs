//! `mldsense simulate`.

/// Options of `mldsense simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense simulate`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense simulate` is not implemented yet")
}
