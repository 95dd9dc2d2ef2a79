//! Measuring a glove's raw counts for calibration: drain what is buffered, then average every
//! channel over a window. Reads from any [`Read`] (a serial port, a pseudo-terminal, a test
//! buffer), so the interactive command stays thin.

use crate::error::{Error, Result};
use crate::frames::{FrameAssembler, FrameItem};
use std::io::Read;
use std::time::{Duration, Instant};

/// Per-channel means of raw counts over a window of rows.
#[derive(Clone, Debug, PartialEq)]
pub struct CountMeans {
    /// Mean counts, one per channel.
    pub means: Vec<f64>,
    /// Highest count seen on each channel (to warn about saturation).
    pub max: Vec<u16>,
    /// Rows averaged.
    pub rows: usize,
}

/// Reads from `port` through `assembler`: first discards everything that arrives for `settle`
/// (data buffered while the user was placing a weight, and the sensor's first creep), then
/// averages the next `rows` rows of every channel.
///
/// # Errors
/// [`Error::Serial`] if the port fails, closes, or `rows` rows do not arrive within `timeout`
/// after settling.
pub fn read_mean_counts<R: Read + ?Sized>(
    port: &mut R,
    assembler: &mut FrameAssembler,
    settle: Duration,
    rows: usize,
    timeout: Duration,
    path: &str,
) -> Result<CountMeans> {
    let mut buf = [0u8; 4096];
    let serial_err = |message: String| Error::Serial {
        port: path.to_string(),
        message,
    };
    let settle_until = Instant::now() + settle;
    let deadline = settle_until + timeout;
    let mut sums: Vec<f64> = Vec::new();
    let mut max: Vec<u16> = Vec::new();
    let mut got = 0usize;
    while got < rows {
        if Instant::now() > deadline {
            return Err(serial_err(format!(
                "only {got} of {rows} rows arrived within {:.1} s: is the glove still streaming?",
                timeout.as_secs_f64()
            )));
        }
        let n = match port.read(&mut buf) {
            Ok(0) => return Err(serial_err("the port closed".into())),
            Ok(n) => n,
            Err(e) if super::is_no_data_yet(&e) => continue,
            Err(e) => return Err(serial_err(format!("read failed: {e}"))),
        };
        let settling = Instant::now() < settle_until;
        assembler.push(buf.get(..n).unwrap_or(&[]), |item| {
            let FrameItem::Rows(raw) = item else { return };
            if settling {
                return;
            }
            if sums.len() < raw.channels {
                sums.resize(raw.channels, 0.0);
                max.resize(raw.channels, 0);
            }
            for row in raw.counts.chunks(raw.channels.max(1)) {
                if got >= rows {
                    break;
                }
                for ((s, m), &c) in sums.iter_mut().zip(max.iter_mut()).zip(row) {
                    *s += f64::from(c);
                    *m = (*m).max(c);
                }
                got += 1;
            }
        });
    }
    Ok(CountMeans {
        means: sums.iter().map(|s| s / got.max(1) as f64).collect(),
        max,
        rows: got,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mldsense_protocol::{encode, Frame, Message, SampleBlock, MAX_FRAME_LEN};

    fn stream(blocks: u32, value: impl Fn(u32) -> [u16; 2]) -> Vec<u8> {
        let mut out = Vec::new();
        for k in 0..blocks {
            let v = value(k);
            let counts = [v[0], v[1], v[0], v[1]];
            let f = Frame {
                seq: k as u8,
                timestamp_us: k * 4000,
                message: Message::SampleBlock(SampleBlock::new(2, &counts).unwrap()),
            };
            let mut buf = [0u8; MAX_FRAME_LEN];
            let n = encode(&f, &mut buf).unwrap();
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    #[test]
    fn averages_exactly_the_requested_rows() {
        // Blocks of 2 rows; block k reads (100 + k, 7).
        let bytes = stream(50, |k| [100 + k as u16, 7]);
        let mut port = std::io::Cursor::new(bytes);
        let mut a = FrameAssembler::new();
        let m = read_mean_counts(
            &mut port,
            &mut a,
            Duration::ZERO,
            10,
            Duration::from_secs(5),
            "test",
        )
        .unwrap();
        assert_eq!(m.rows, 10);
        // Rows 0..10 are blocks 0..5: 100..104 twice each.
        assert!((m.means[0] - 102.0).abs() < 1e-12);
        assert_eq!(m.means[1], 7.0);
        assert_eq!(m.max, vec![104, 7]);
    }

    #[test]
    fn a_closed_port_is_an_error_not_a_hang() {
        let bytes = stream(2, |_| [1, 2]);
        let mut port = std::io::Cursor::new(bytes);
        let mut a = FrameAssembler::new();
        let e = read_mean_counts(
            &mut port,
            &mut a,
            Duration::ZERO,
            100,
            Duration::from_secs(5),
            "test",
        )
        .unwrap_err();
        assert!(e.to_string().contains("closed"), "{e}");
    }
}
