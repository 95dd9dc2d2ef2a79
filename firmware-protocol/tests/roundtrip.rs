//! Encode → decode round trips for every message, through the whole-frame decoder and the
//! incremental one, under any chunking.

mod common;
use common::*;
use mldsense_protocol::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_frame_round_trips(frame in frame()) {
        let bytes = wire(&frame);
        prop_assert!(bytes.len() <= MAX_FRAME_LEN);
        prop_assert_eq!(bytes.last(), Some(&0));
        prop_assert!(!bytes[..bytes.len() - 1].contains(&0), "COBS leaves no zero inside");
        prop_assert_eq!(decode(&bytes).unwrap(), frame);
        let mut body = [0u8; MAX_BODY_LEN];
        let n = encode_body(&frame, &mut body).unwrap();
        prop_assert_eq!(decode_body(&body[..n]).unwrap(), frame);
    }

    #[test]
    fn arbitrary_chunking_gives_identical_frames(
        frames in proptest::collection::vec(frame(), 1..12),
        chunks in proptest::collection::vec(1usize..80, 1..20),
    ) {
        let stream: Vec<u8> = frames.iter().flat_map(wire).collect();
        let (whole, _) = decode_chunked(&stream, &[stream.len()]);
        let (chunked, stats) = decode_chunked(&stream, &chunks);
        let (bytewise, _) = decode_chunked(&stream, &[1]);
        let expected: Vec<Result<Frame, Error>> = frames.iter().copied().map(Ok).collect();
        prop_assert_eq!(&whole, &expected);
        prop_assert_eq!(&chunked, &expected);
        prop_assert_eq!(&bytewise, &expected);
        prop_assert_eq!(stats.frames_ok, frames.len() as u64);
        prop_assert_eq!(stats.bytes_skipped, 0);
    }

    #[test]
    fn garbage_between_frames_costs_only_the_garbage(
        frames in proptest::collection::vec(frame(), 1..8),
        garbage in proptest::collection::vec(proptest::collection::vec(1u8..=255, 0..40), 1..8),
    ) {
        // Non-zero garbage followed by a delimiter: one dropped frame per garbage run, then the
        // decoder is back in sync.
        let mut stream = Vec::new();
        let mut expected_ok = 0;
        for (f, g) in frames.iter().zip(garbage.iter().cycle()) {
            stream.extend_from_slice(g);
            stream.push(0);
            stream.extend(wire(f));
            expected_ok += 1;
        }
        let (out, stats) = decode_chunked(&stream, &[7, 1, 33]);
        let good: Vec<Frame> = out.iter().filter_map(|r| r.ok()).collect();
        prop_assert_eq!(good.len(), expected_ok);
        prop_assert_eq!(&good[..], &frames[..]);
        prop_assert_eq!(stats.frames_ok, frames.len() as u64);
    }
}

#[test]
fn largest_frame_fits_the_stated_maximum() {
    let counts = [0xFFFFu16; MAX_SAMPLES];
    let frame = Frame {
        seq: 255,
        timestamp_us: u32::MAX,
        message: Message::SampleBlock(SampleBlock::new(MAX_CHANNELS, &counts).unwrap()),
    };
    let bytes = wire(&frame);
    assert!(bytes.len() <= MAX_FRAME_LEN);
    assert_eq!(MAX_FRAME_LEN, 527);
    assert_eq!(decode(&bytes).unwrap(), frame);
}

#[test]
fn encoder_refuses_a_short_buffer_without_panicking() {
    let frame = Frame {
        seq: 0,
        timestamp_us: 0,
        message: Message::Command(Command::Start),
    };
    for len in 0..14 {
        let mut buf = vec![0u8; len];
        match encode(&frame, &mut buf) {
            Err(Error::BufferTooSmall { .. }) => {}
            other => panic!("buffer of {len}: {other:?}"),
        }
    }
    let mut buf = [0u8; 14];
    assert_eq!(encode(&frame, &mut buf), Ok(14));
}
