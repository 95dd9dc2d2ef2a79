//! The stroke rate over the last few strokes and the metronome's swing, for the live view.
//!
//! Whether a stroke was rushed or dragging is not judged here: the grader judges each interval
//! (`grade::Profile::pace_of`) and the view shows that verdict, so live and report agree. The
//! rate is only a figure: measured over the last few strokes on the current spot, a pause of
//! more than [`Rhythm::pause_s`] (the hand lifting and moving on) starts a new run.

use std::collections::VecDeque;

/// Recent stroke onsets and the target rate.
#[derive(Clone, Debug, PartialEq)]
pub struct Rhythm {
    /// Target strokes per second.
    pub target_hz: f64,
    /// Onsets further apart than this start a new run (the hand moved to the next spot).
    pub pause_s: f64,
    onsets: VecDeque<f64>,
}

impl Rhythm {
    /// How many recent onsets the rate is measured over.
    pub const WINDOW: usize = 6;

    /// A rhythm with no strokes yet, with the `default` profile's pause length.
    pub fn new(target_hz: f64) -> Self {
        let target_hz = if target_hz.is_finite() && target_hz > 0.0 {
            target_hz
        } else {
            1.0
        };
        Rhythm {
            target_hz,
            pause_s: crate::grade::Profile::default_profile().rhythm.pause_s,
            onsets: VecDeque::with_capacity(Self::WINDOW + 1),
        }
    }

    /// The rhythm a technique profile asks for: its stroke period and pause length.
    pub fn of(profile: &crate::grade::Profile) -> Self {
        Rhythm::new(1.0 / profile.rhythm.period_s).with_pause(profile.rhythm.pause_s)
    }

    /// The same target with the pause length (seconds) of a technique profile.
    pub fn with_pause(mut self, pause_s: f64) -> Self {
        if pause_s.is_finite() && pause_s > 0.0 {
            self.pause_s = pause_s;
        }
        self
    }

    /// Forgets the strokes so far (a pause, a new spot).
    pub fn reset(&mut self) {
        self.onsets.clear();
    }

    /// Notes a stroke's onset, seconds of stream time.
    pub fn push_onset(&mut self, onset_s: f64) {
        if !onset_s.is_finite() {
            return;
        }
        if let Some(&last) = self.onsets.back() {
            if onset_s - last > self.pause_s || onset_s < last {
                self.onsets.clear();
            }
        }
        self.onsets.push_back(onset_s);
        while self.onsets.len() > Self::WINDOW {
            self.onsets.pop_front();
        }
    }

    /// Strokes per second over the current run at stream time `now_s`; `None` with fewer than
    /// two strokes in the run or when the last one is older than a spot pause.
    pub fn rate_hz(&self, now_s: f64) -> Option<f64> {
        let (&first, &last) = (self.onsets.front()?, self.onsets.back()?);
        if self.onsets.len() < 2 || now_s - last > self.pause_s || last <= first {
            return None;
        }
        Some((self.onsets.len() - 1) as f64 / (last - first))
    }

    /// Where the metronome's pendulum is at `now_s`, 0 (left) to 1 (right): it swings from one
    /// side to the other once per target beat, so it reaches a side exactly on each beat.
    pub fn swing(&self, now_s: f64) -> f64 {
        let beats = (now_s * self.target_hz).rem_euclid(2.0);
        if beats <= 1.0 {
            beats
        } else {
            2.0 - beats
        }
    }

    /// Seconds since the latest onset, if any (to flash the stroke on the metronome).
    pub fn since_last_onset(&self, now_s: f64) -> Option<f64> {
        self.onsets.back().map(|&t| now_s - t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_strokes_over_span() {
        let mut r = Rhythm::new(1.0);
        assert_eq!(r.rate_hz(0.0), None);
        for t in [0.0, 0.5, 1.0, 1.5] {
            r.push_onset(t);
        }
        assert_eq!(r.rate_hz(1.6), Some(2.0));
    }

    #[test]
    fn pause_between_spots_starts_a_new_run() {
        let mut r = Rhythm::new(1.0);
        for t in [0.0, 1.0, 2.0, 8.0] {
            r.push_onset(t);
        }
        assert_eq!(r.rate_hz(8.1), None);
        r.push_onset(9.0);
        assert_eq!(r.rate_hz(9.1), Some(1.0));
        assert_eq!(r.rate_hz(20.0), None, "stale after a spot pause");
    }

    #[test]
    fn rate_uses_only_the_latest_window() {
        let mut r = Rhythm::new(1.0);
        // Slow at first, then steady at 1/s: only the last six onsets count.
        for t in [0.0, 2.5, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0] {
            r.push_onset(t);
        }
        assert_eq!(r.rate_hz(10.0), Some(1.0));
    }

    #[test]
    fn swing_reaches_a_side_on_each_beat() {
        let r = Rhythm::new(1.0);
        assert_eq!(r.swing(0.0), 0.0);
        assert!((r.swing(0.5) - 0.5).abs() < 1e-12);
        assert!((r.swing(1.0) - 1.0).abs() < 1e-12);
        assert!((r.swing(1.25) - 0.75).abs() < 1e-12);
        assert!((r.swing(2.0) - 0.0).abs() < 1e-12);
        let fast = Rhythm::new(2.0);
        assert!((fast.swing(0.5) - 1.0).abs() < 1e-12);
    }
}
