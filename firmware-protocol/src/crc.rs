//! CRC-16/IBM-3740 (also called CRC-16/CCITT-FALSE) and the per-message CRC_EXTRA.
//!
//! Parameters: width 16, polynomial `0x1021`, initial value `0xFFFF`, no reflection, no final
//! XOR. Check value over ASCII `"123456789"`: `0x29B1`.
//!
//! ```
//! use mldsense_protocol::crc::crc16;
//! assert_eq!(crc16(b"123456789"), 0x29B1);
//! ```
//!
//! Why this CRC: frames are at most a few hundred bytes, where a 16-bit CRC with this polynomial
//! detects every error of up to 3 bits and every burst up to 16 bits; it is the CRC every
//! microcontroller SDK and most hardware CRC units already implement, and a 256-entry table
//! (512 bytes of flash) or a bitwise loop costs nothing at glove rates.

/// The CRC's initial value.
pub const CRC_INIT: u16 = 0xFFFF;

const POLY: u16 = 0x1021;

const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ POLY
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// Continues a CRC-16/IBM-3740 over `bytes`, starting from `crc` (use [`CRC_INIT`] to start).
pub const fn crc16_update(mut crc: u16, bytes: &[u8]) -> u16 {
    let mut i = 0;
    while i < bytes.len() {
        let index = ((crc >> 8) as u8 ^ bytes[i]) as usize;
        crc = (crc << 8) ^ TABLE[index];
        i += 1;
    }
    crc
}

/// CRC-16/IBM-3740 of `bytes`.
pub const fn crc16(bytes: &[u8]) -> u16 {
    crc16_update(CRC_INIT, bytes)
}

/// The CRC_EXTRA byte of a message schema (the idea is MAVLink's): the CRC-16 of the schema's
/// text description, folded to 8 bits (`low ^ high`).
///
/// Every frame's CRC continues over this byte after the frame's own bytes, so a sender and a
/// receiver built from different definitions of the same message type disagree on every CRC and
/// fail loudly instead of misreading fields.
pub const fn crc_extra(schema: &str) -> u8 {
    let crc = crc16(schema.as_bytes());
    (crc as u8) ^ ((crc >> 8) as u8)
}

/// Reference implementation, bit by bit, for the tests.
#[doc(hidden)]
pub fn crc16_bitwise(bytes: &[u8]) -> u16 {
    let mut crc = CRC_INIT;
    for &b in bytes {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ POLY
            } else {
                crc << 1
            };
        }
    }
    crc
}
