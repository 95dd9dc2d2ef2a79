//! `mldsense record`.

/// Options of `mldsense record`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense record`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense record` is not implemented yet")
}
