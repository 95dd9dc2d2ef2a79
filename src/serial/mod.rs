//! Serial acquisition: listing ports, the handshake with the glove, device-to-host time, unplug
//! and reconnect.
//!
//! * [`ports`] — `mldsense ports`: the ports the system knows, with USB ids.
//! * [`handshake`] — `GetInfo` then `Start`, with retries, keeping every byte received.
//! * [`source`] — [`SerialSource`], the glove as a [`crate::stream::PressureSource`], with a
//!   tee of every byte to a recording, unplug detection and `--reconnect`.

pub mod handshake;
pub mod ports;
pub mod source;

pub use ports::{list_ports, PortDescription};
pub use source::{RecordTo, SerialSource, SerialSourceBuilder};
