//! Serial acquisition: listing ports, the handshake with the glove, device-to-host time, unplug
//! and reconnect.
//!
//! * [`ports`] — `mldsense ports`: the ports the system knows, with USB ids.
//! * [`handshake`] — `GetInfo` then `Start`, with retries, keeping every byte received.
//! * [`measure`] — the interactive calibration's reading: a glove's raw counts averaged over a
//!   window, from the port.
//! * [`source`] — [`SerialSource`], the glove as a [`crate::stream::PressureSource`], with a
//!   tee of every byte to a recording, unplug detection and `--reconnect`.

pub mod handshake;
pub mod measure;
pub mod ports;
pub mod source;

pub use ports::{list_ports, PortDescription};
pub use source::{RecordTo, SerialSource, SerialSourceBuilder};

/// Whether a read error only means "no bytes yet" (a read timeout, a non-blocking port, a
/// signal), as opposed to a failed or closed port: every serial read loop retries on these.
pub fn is_no_data_yet(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::Interrupted
    )
}
