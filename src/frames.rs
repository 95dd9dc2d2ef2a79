//! Host side of the wire protocol: bytes to checked, timestamped frames of raw counts.
