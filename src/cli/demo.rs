//! `mldsense demo`.

/// Options of `mldsense demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `mldsense demo`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`mldsense demo` is not implemented yet")
}
