//! Drift handling: FSR readings creep under load and with temperature, so the resting level is
//! tracked and re-zeroed while the hand is lifted (long pauses between spots), and on request
//! (`tare`).

/// Per-channel zero offsets, updated only when the hand is known to be lifted.
#[derive(Clone, Debug, PartialEq)]
pub struct DriftTracker {
    zero: Vec<f64>,
    /// Largest level (mmHg) that may be taken as "lifted": above it the hand is pressing, and
    /// re-zeroing would erase real pressure.
    pub max_rezero: f64,
    total_shift: Vec<f64>,
}

impl DriftTracker {
    /// A tracker for `channels` channels, all zeros at 0.
    pub fn new(channels: usize, max_rezero: f64) -> Self {
        DriftTracker {
            zero: vec![0.0; channels],
            max_rezero,
            total_shift: vec![0.0; channels],
        }
    }

    /// The current zero of channel `ch` (subtract it from readings).
    #[inline(always)]
    pub fn zero(&self, ch: usize) -> f64 {
        self.zero.get(ch).copied().unwrap_or(0.0)
    }

    /// The current zeros of all channels.
    pub fn zeros(&self) -> &[f64] {
        &self.zero
    }

    /// How far each channel's zero has moved since the start (positive: the sensor crept up).
    pub fn total_shift(&self) -> &[f64] {
        &self.total_shift
    }

    /// The hand is lifted and channel `ch` reads `level` (already re-zeroed with the current zero).
    /// Moves the zero so it reads 0, unless `|level|` is above [`DriftTracker::max_rezero`] or
    /// not finite. Returns the correction applied.
    pub fn lifted(&mut self, ch: usize, level: f64) -> f64 {
        if !level.is_finite() || level.abs() > self.max_rezero {
            return 0.0;
        }
        if let (Some(z), Some(t)) = (self.zero.get_mut(ch), self.total_shift.get_mut(ch)) {
            *z += level;
            *t += level;
            level
        } else {
            0.0
        }
    }

    /// Re-zeros every channel now, whatever it reads (the user says the hand is off).
    pub fn tare(&mut self, levels: &[f64]) {
        for ((z, t), &l) in self.zero.iter_mut().zip(&mut self.total_shift).zip(levels) {
            if l.is_finite() {
                *z += l;
                *t += l;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifted_rezeros_small_levels_only() {
        let mut d = DriftTracker::new(2, 8.0);
        assert_eq!(d.lifted(0, 3.0), 3.0);
        assert_eq!(d.zero(0), 3.0);
        assert_eq!(d.lifted(1, 30.0), 0.0);
        assert_eq!(d.zero(1), 0.0);
        assert_eq!(d.lifted(0, f64::NAN), 0.0);
        assert_eq!(d.lifted(0, -1.0), -1.0);
        assert_eq!(d.total_shift()[0], 2.0);
    }

    #[test]
    fn tare_rezeros_everything() {
        let mut d = DriftTracker::new(2, 8.0);
        d.tare(&[20.0, f64::NAN]);
        assert_eq!(d.zeros(), &[20.0, 0.0]);
    }
}
