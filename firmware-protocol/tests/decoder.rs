//! The incremental decoder: resynchronisation, counting, over-long frames, and a million random
//! byte strings that must never panic.

mod common;
use common::*;
use mldsense_protocol::*;

fn status_frame(seq: u8) -> Frame {
    Frame {
        seq,
        timestamp_us: 1000 * u32::from(seq),
        message: Message::Status(Status {
            flags: 0,
            saturated: 1,
            battery_mv: 3700,
        }),
    }
}

#[test]
fn resynchronises_after_garbage_and_counts_it() {
    let mut stream = vec![0x12, 0x34, 0x56]; // joined mid-frame
    stream.push(0);
    stream.extend(wire(&status_frame(1)));
    stream.extend([0xFF; 10]);
    stream.push(0);
    stream.extend(wire(&status_frame(2)));
    let (out, stats) = decode_chunked(&stream, &[5]);
    let ok: Vec<u8> = out.iter().filter_map(|r| r.ok()).map(|f| f.seq).collect();
    assert_eq!(ok, vec![1, 2]);
    assert_eq!(stats.frames_ok, 2);
    assert_eq!(stats.crc_errors + stats.malformed, 2);
    assert_eq!(stats.bytes_skipped, 4 + 11);
}

#[test]
fn empty_frames_are_ignored() {
    let mut stream = vec![0, 0, 0];
    stream.extend(wire(&status_frame(3)));
    stream.extend([0, 0]);
    let (out, stats) = decode_chunked(&stream, &[1]);
    assert_eq!(out, vec![Ok(status_frame(3))]);
    assert_eq!(stats.malformed + stats.crc_errors + stats.bytes_skipped, 0);
}

#[test]
fn a_corrupted_byte_is_a_crc_error() {
    let mut bytes = wire(&status_frame(4));
    bytes[5] ^= 0x40; // a data byte, still non-zero
    assert_ne!(bytes[5], 0);
    let (out, stats) = decode_chunked(&bytes, &[100]);
    assert!(matches!(out[..], [Err(Error::CrcMismatch { .. })]));
    assert_eq!(stats.crc_errors, 1);
    assert_eq!(stats.bytes_skipped, bytes.len() as u64);
}

#[test]
fn over_long_frames_are_dropped_to_the_next_delimiter() {
    let mut stream = vec![0x01u8; 3 * MAX_FRAME_LEN];
    stream.push(0);
    stream.extend(wire(&status_frame(5)));
    let (out, stats) = decode_chunked(&stream, &[64]);
    assert_eq!(out.len(), 2);
    assert!(matches!(out[0], Err(Error::FrameTooLong { skipped }) if skipped == 3 * MAX_FRAME_LEN));
    assert_eq!(out[1], Ok(status_frame(5)));
    assert_eq!(stats.malformed, 1);
    assert_eq!(stats.bytes_skipped, 3 * MAX_FRAME_LEN as u64 + 1);
}

#[test]
fn wrong_version_and_unknown_type_are_reported_as_such() {
    use mldsense_protocol::crc::{crc16_update, CRC_INIT};
    // A well-formed frame of protocol version 2: header, no payload, valid CRC.
    let mut body = vec![2u8, 0x03, 0, 0, 0, 0, 0];
    let crc = crc16_update(crc16_update(CRC_INIT, &body), &[0x1a]);
    body.extend(crc.to_le_bytes());
    assert_eq!(
        decode_body(&body),
        Err(Error::UnsupportedVersion { version: 2 })
    );
    let mut body = vec![1u8, 0x42, 0, 0, 0, 0, 0];
    let crc = crc16_update(CRC_INIT, &body);
    body.extend(crc.to_le_bytes());
    assert_eq!(
        decode_body(&body),
        Err(Error::UnknownMessageType { message_type: 0x42 })
    );
}

#[test]
fn pending_counts_an_unfinished_frame() {
    let bytes = wire(&status_frame(6));
    let mut d = Decoder::new();
    d.push(&bytes[..bytes.len() - 3], |_| panic!("no frame yet"));
    assert_eq!(d.pending(), bytes.len() - 3);
    let mut got = Vec::new();
    d.push(&bytes[bytes.len() - 3..], |r| got.push(r));
    assert_eq!(got, vec![Ok(status_frame(6))]);
    assert_eq!(d.pending(), 0);
}

/// xorshift64*: a tiny, fixed-seed generator so the million strings are the same every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn a_million_random_byte_strings_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut d = Decoder::new();
    let mut buf = [0u8; 64];
    let mut results = 0u64;
    let mut fed = 0u64;
    // A valid frame, so that random bytes are sometimes spliced into real frames.
    let valid = wire(&status_frame(9));
    for i in 0..1_000_000u32 {
        let len = (rng.next() % 65) as usize;
        for b in buf[..len].iter_mut() {
            let r = rng.next();
            // Bias towards zeros and small codes so short frames and delimiters are common.
            *b = match r % 8 {
                0 => 0,
                1 => (r >> 8) as u8 % 8,
                _ => (r >> 16) as u8,
            };
        }
        fed += len as u64;
        d.push(&buf[..len], |_| results += 1);
        let _ = decode(&buf[..len]);
        if i % 1000 == 0 {
            d.push(&valid, |_| results += 1);
            fed += valid.len() as u64;
        }
    }
    let s = d.stats();
    assert_eq!(
        s.frames_ok + s.crc_errors + s.malformed + s.unsupported_version,
        results
    );
    assert!(s.bytes_skipped + d.pending() as u64 <= fed);
    assert!(
        s.frames_ok >= 1,
        "the spliced valid frames get through sometimes"
    );
}
