//! Replaying a recording through the live view (`live --replay FILE --speed X`): the file's
//! blocks cut into slices of about 20 ms and handed out no faster than the recording's own
//! clock times `speed`, so an instructor can go through a session with a student as it
//! happened (or faster).

use crate::error::Result;
use crate::live::reader::LiveSource;
use crate::stream::{Block, PressureSource, StreamInfo};
use std::time::{Duration, Instant};

/// Stream time handed out per slice, seconds: a little under a frame of the view.
const SLICE_S: f64 = 0.02;

/// A file source paced to its own clock.
pub struct PacedSource<S> {
    inner: S,
    speed: f64,
    started: Option<Instant>,
    /// The inner source's current block, and how many of its rows were handed out.
    pending: Block,
    taken: usize,
    done: bool,
}

impl<S: PressureSource> PacedSource<S> {
    /// Paces `inner` at `speed` times its own rate (1 = real time).
    pub fn new(inner: S, speed: f64) -> Self {
        PacedSource {
            inner,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            started: None,
            pending: Block::default(),
            taken: 0,
            done: false,
        }
    }

    /// The source being paced.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn slice_rows(&self) -> usize {
        ((self.inner.info().rate_hz * SLICE_S).round() as usize).max(1)
    }
}

/// Wall time after the start at which row `row` is due, at `speed` × real time.
pub fn due(row: u64, rate_hz: f64, speed: f64) -> Duration {
    let s = row as f64 / rate_hz / speed;
    if s.is_finite() && s > 0.0 {
        Duration::from_secs_f64(s.min(1e9))
    } else {
        Duration::ZERO
    }
}

impl<S: PressureSource> PressureSource for PacedSource<S> {
    fn info(&self) -> &StreamInfo {
        self.inner.info()
    }

    fn next_block(&mut self, block: &mut Block) -> Result<bool> {
        block.clear();
        let channels = self.inner.info().channel_count().max(1);
        while self.taken >= self.pending.rows(channels) {
            if self.done || !self.inner.next_block(&mut self.pending)? {
                self.done = true;
                return Ok(false);
            }
            self.taken = 0;
        }
        let n = self
            .slice_rows()
            .min(self.pending.rows(channels) - self.taken);
        let first = self.pending.start_row + self.taken as u64;
        block.start_row = first;
        block.values.extend_from_slice(
            &self.pending.values[self.taken * channels..(self.taken + n) * channels],
        );
        let end = first + n as u64;
        let last_slice = self.taken + n == self.pending.rows(channels);
        block.events.extend(
            self.pending
                .events
                .iter()
                .filter(|(r, _)| {
                    (*r >= first && *r < end)
                        || (last_slice && *r >= end)
                        || (self.taken == 0 && *r < first)
                })
                .cloned(),
        );
        self.taken += n;
        let start = *self.started.get_or_insert_with(Instant::now);
        let wait = due(end, self.inner.info().rate_hz, self.speed).saturating_sub(start.elapsed());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        Ok(true)
    }
}

impl<S: PressureSource + Send> LiveSource for PacedSource<S> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::{ChannelInfo, StreamEvent};

    /// A file-like source: fixed blocks of given row counts, one event per block.
    struct Blocks {
        info: StreamInfo,
        sizes: Vec<usize>,
        next: usize,
        row: u64,
    }

    impl PressureSource for Blocks {
        fn info(&self) -> &StreamInfo {
            &self.info
        }
        fn next_block(&mut self, block: &mut Block) -> Result<bool> {
            block.clear();
            let Some(&n) = self.sizes.get(self.next) else {
                return Ok(false);
            };
            self.next += 1;
            block.start_row = self.row;
            for i in 0..n {
                let r = self.row + i as u64;
                block.values.extend([r as f64, -(r as f64)]);
            }
            block
                .events
                .push((self.row + n as u64 / 2, StreamEvent::Marker));
            self.row += n as u64;
            Ok(true)
        }
    }

    #[test]
    fn slices_hand_out_every_row_and_event_once_in_order() {
        let ch = |n: &str| ChannelInfo {
            name: n.into(),
            area: None,
        };
        let info = StreamInfo {
            rate_hz: 200.0,
            channels: vec![ch("a"), ch("b")],
            start_time_s: 0.0,
        };
        let make = || Blocks {
            info: info.clone(),
            sizes: vec![1, 37, 4096, 3],
            next: 0,
            row: 0,
        };
        // The plain reference: the blocks as the file gives them.
        let (mut want_values, mut want_events) = (Vec::new(), Vec::new());
        let mut plain = make();
        let mut b = Block::default();
        while plain.next_block(&mut b).expect("read") {
            want_values.extend_from_slice(&b.values);
            want_events.extend(b.events.iter().cloned());
        }
        let mut paced = PacedSource::new(make(), 1e9);
        let (mut values, mut events, mut next_row) = (Vec::new(), Vec::new(), 0u64);
        while paced.next_block(&mut b).expect("read") {
            assert_eq!(b.start_row, next_row, "no row skipped or repeated");
            assert!(b.rows(2) <= 4, "about 20 ms a slice at 200 Hz");
            next_row += b.rows(2) as u64;
            values.extend_from_slice(&b.values);
            events.extend(b.events.iter().cloned());
        }
        assert_eq!(values, want_values);
        assert_eq!(events, want_events);
    }

    #[test]
    fn rows_are_due_on_the_recordings_clock() {
        assert_eq!(due(200, 200.0, 1.0), Duration::from_secs(1));
        assert_eq!(due(200, 200.0, 4.0), Duration::from_millis(250));
        assert_eq!(due(0, 200.0, 1.0), Duration::ZERO);
    }
}
