//! Serial acquisition: listing ports, the handshake with the glove, device-to-host time, unplug and reconnect.
