//! Causal filters and data-quality checks: Butterworth low-pass, mains notch, spike rejection, drift handling, spectral estimates.
