//! Calibration: per-sensor curves from raw ADC counts to force and pressure.
