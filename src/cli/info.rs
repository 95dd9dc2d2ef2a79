//! `mldsense info`.

/// Options of `mldsense info`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense info`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense info` is not implemented yet")
}
