//! Reads a BIDS recording through `bids::BidsSource` and prints rows and a checksum: the reader's
//! speed alone, for `/usr/bin/time -v` and `hyperfine`.
//!
//! `cargo run --release --example read_bids -- FILE`

use mldsense::bids::BidsSource;
use mldsense::stream::{Block, PressureSource};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: read_bids FILE")?;
    let mut source = BidsSource::open(path.as_ref())?;
    let channels = source.info().channel_count();
    let mut block = Block::default();
    let (mut rows, mut sum) = (0usize, 0.0f64);
    while source.next_block(&mut block)? {
        rows += block.rows(channels);
        sum += block.values.iter().filter(|v| !v.is_nan()).sum::<f64>();
    }
    println!("{rows} rows × {channels} channels, sum {sum:.3}");
    Ok(())
}
