//! Fuzzes the decoders: whole-frame, incremental under a data-chosen chunking, and COBS.
//! Checks they never panic, agree with each other, and that decoded frames re-encode to frames
//! that decode to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mldsense_protocol::{cobs, decode, encode, Decoder, MAX_FRAME_LEN};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, bytes)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);

    let mut whole = Vec::new();
    Decoder::new().push(bytes, |r| whole.push(r));
    let mut chunked = Vec::new();
    let mut d = Decoder::new();
    for piece in bytes.chunks(chunk) {
        d.push(piece, |r| chunked.push(r));
    }
    assert_eq!(whole, chunked, "chunking changed the frames");

    for frame in whole.into_iter().flatten() {
        let mut buf = [0u8; MAX_FRAME_LEN];
        let n = encode(&frame, &mut buf).expect("a decoded frame re-encodes");
        assert_eq!(decode(&buf[..n]), Ok(frame));
    }

    let _ = decode(bytes);
    let mut buf = bytes.to_vec();
    let _ = cobs::decode_in_place(&mut buf);
});
