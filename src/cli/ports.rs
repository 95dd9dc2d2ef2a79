//! `mldsense ports`.

/// Options of `mldsense ports`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense ports`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense ports` is not implemented yet")
}
