//! The CRC's check value, the table against the bitwise definition, and CRC_EXTRA.

use mldsense_protocol::crc::{crc16, crc16_bitwise, crc16_update, crc_extra, CRC_INIT};
use mldsense_protocol::message::{crc_extra_of, types};
use mldsense_protocol::*;
use proptest::prelude::*;

#[test]
fn check_value_of_crc16_ibm_3740() {
    assert_eq!(crc16(b"123456789"), 0x29B1);
    assert_eq!(crc16_bitwise(b"123456789"), 0x29B1);
    assert_eq!(crc16(b""), 0xFFFF);
}

#[test]
fn crc_extra_values_are_the_documented_ones() {
    assert_eq!(crc_extra_of(types::DEVICE_INFO), Some(0xdc));
    assert_eq!(crc_extra_of(types::SAMPLE_BLOCK), Some(0xc0));
    assert_eq!(crc_extra_of(types::STATUS), Some(0x1a));
    assert_eq!(crc_extra_of(types::REPLY), Some(0x17));
    assert_eq!(crc_extra_of(types::COMMAND), Some(0xb2));
    assert_eq!(crc_extra_of(0x42), None);
}

#[test]
fn a_changed_schema_fails_the_crc() {
    // A sender built from another definition of Status (same type byte, other CRC_EXTRA).
    let frame = Frame {
        seq: 1,
        timestamp_us: 10,
        message: Message::Status(Status {
            flags: 0,
            saturated: 0,
            battery_mv: 0,
        }),
    };
    let mut body = [0u8; MAX_BODY_LEN];
    let n = encode_body(&frame, &mut body).unwrap();
    let other_extra = crc_extra("Status flags:u8 saturated:u16 battery_cv:u16");
    assert_ne!(other_extra, 0x1a);
    let crc = crc16_update(crc16_update(CRC_INIT, &body[..n - 2]), &[other_extra]);
    body[n - 2..n].copy_from_slice(&crc.to_le_bytes());
    assert!(matches!(
        decode_body(&body[..n]),
        Err(Error::CrcMismatch { .. })
    ));
}

proptest! {
    #[test]
    fn table_matches_bitwise_definition(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(crc16(&bytes), crc16_bitwise(&bytes));
    }

    #[test]
    fn incremental_update_equals_one_shot(
        bytes in proptest::collection::vec(any::<u8>(), 0..300), cut in 0usize..300) {
        let cut = cut.min(bytes.len());
        prop_assert_eq!(crc16_update(crc16(&bytes[..cut]), &bytes[cut..]), crc16(&bytes));
    }

    #[test]
    fn every_single_bit_flip_is_caught(frame in any::<u8>(), bit in 0usize..(14 * 8)) {
        let frame = Frame {
            seq: frame,
            timestamp_us: 123,
            message: Message::Status(Status { flags: 1, saturated: 3, battery_mv: 3600 }),
        };
        let mut body = [0u8; MAX_BODY_LEN];
        let n = encode_body(&frame, &mut body).unwrap();
        prop_assert_eq!(n, 14);
        body[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(decode_body(&body[..n]).is_err());
    }
}
