//! COBS against a plain reference encoder, and the decoder's handling of bad input.

use mldsense_protocol::{cobs, Error};
use proptest::prelude::*;

/// The textbook algorithm, written for clarity: split at zeros, cut runs into 254-byte pieces.
fn reference_encode(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    for (i, &b) in src.iter().enumerate() {
        if b == 0 {
            out.push(run.len() as u8 + 1);
            out.append(&mut run);
        } else {
            run.push(b);
            if run.len() == 254 {
                out.push(255);
                out.append(&mut run);
                if i + 1 == src.len() {
                    return out;
                }
            }
        }
    }
    out.push(run.len() as u8 + 1);
    out.extend_from_slice(&run);
    out
}

fn enc(src: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; cobs::max_encoded_len(src.len())];
    let n = cobs::encode(src, &mut out).unwrap();
    out.truncate(n);
    out
}

fn dec(src: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; src.len()];
    let n = cobs::decode(src, &mut out)?;
    out.truncate(n);
    Ok(out)
}

#[test]
fn long_runs_split_at_254() {
    let run: Vec<u8> = (1..=254).map(|i| i as u8).collect();
    let e = enc(&run);
    assert_eq!(e.len(), 255);
    assert_eq!(e[0], 0xFF);
    assert_eq!(dec(&e).unwrap(), run);
    let mut longer = run.clone();
    longer.push(0xAB);
    let e = enc(&longer);
    assert_eq!(&e[255..], &[0x02, 0xAB]);
    assert_eq!(dec(&e).unwrap(), longer);
    let mut with_zero = run.clone();
    with_zero.push(0);
    let e = enc(&with_zero);
    assert_eq!(&e[255..], &[0x01, 0x01]);
    assert_eq!(dec(&e).unwrap(), with_zero);
}

#[test]
fn empty_input_encodes_to_one_code_byte() {
    assert_eq!(enc(&[]), vec![0x01]);
    assert_eq!(dec(&[0x01]).unwrap(), Vec::<u8>::new());
    assert_eq!(dec(&[]).unwrap(), Vec::<u8>::new());
}

#[test]
fn bad_encodings_are_errors_with_offsets() {
    assert_eq!(
        dec(&[0x05, 0x11, 0x22]),
        Err(Error::CobsTruncated { offset: 0 })
    );
    assert_eq!(
        dec(&[0x02, 0x11, 0x03, 0x22]),
        Err(Error::CobsTruncated { offset: 2 })
    );
    assert_eq!(
        dec(&[0x03, 0x11, 0x00]),
        Err(Error::CobsZeroByte { offset: 2 })
    );
    assert_eq!(dec(&[0x00]), Err(Error::CobsZeroByte { offset: 0 }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn matches_reference_and_round_trips(src in proptest::collection::vec(
        prop_oneof![3 => 1u8..=255, 1 => Just(0u8)], 0..800)) {
        let e = enc(&src);
        prop_assert_eq!(&e, &reference_encode(&src));
        prop_assert!(!e.contains(&0));
        prop_assert!(e.len() <= cobs::max_encoded_len(src.len()));
        prop_assert_eq!(dec(&e).unwrap(), src);
    }

    #[test]
    fn decoding_junk_never_panics(src in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = dec(&src);
        let mut buf = src.clone();
        if let Ok(n) = cobs::decode_in_place(&mut buf) {
            prop_assert!(n <= src.len());
        }
    }
}
