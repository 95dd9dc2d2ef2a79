//! Consistent Overhead Byte Stuffing (COBS), with `0x00` as the frame delimiter.
//!
//! COBS removes every `0x00` from a frame at a cost of at most one byte per 254, so `0x00` can
//! mark the end of each frame and a receiver that starts mid-stream, or after garbage,
//! resynchronises at the next `0x00`.
//!
//! ```
//! use mldsense_protocol::cobs;
//! let mut out = [0u8; 8];
//! let n = cobs::encode(&[0x11, 0x22, 0x00, 0x33], &mut out).unwrap();
//! assert_eq!(&out[..n], &[0x03, 0x11, 0x22, 0x02, 0x33]); // the delimiter `00` follows on the wire
//! ```

use crate::Error;

/// The longest COBS encoding of `len` bytes, without the delimiter.
pub const fn max_encoded_len(len: usize) -> usize {
    len + len / 254 + 1
}

/// Encodes `src` into `dst` (without the trailing `0x00` delimiter) and returns the length
/// written.
///
/// # Errors
/// [`Error::BufferTooSmall`] when `dst` cannot hold the encoding.
pub fn encode(src: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let too_small = Error::BufferTooSmall {
        needed: max_encoded_len(src.len()),
        available: dst.len(),
    };
    let mut code_at = 0usize;
    let mut out = 1usize;
    let mut code = 1u8;
    let mut open = true;
    if dst.is_empty() {
        return Err(too_small);
    }
    for (i, &byte) in src.iter().enumerate() {
        if byte != 0 {
            *dst.get_mut(out).ok_or(too_small)? = byte;
            out += 1;
            code += 1;
        }
        if byte == 0 || code == 0xFF {
            *dst.get_mut(code_at).ok_or(too_small)? = code;
            code = 1;
            if byte == 0 || i + 1 < src.len() {
                code_at = out;
                out += 1;
                if out > dst.len() {
                    return Err(too_small);
                }
            } else {
                open = false;
            }
        }
    }
    if open {
        *dst.get_mut(code_at).ok_or(too_small)? = code;
    }
    Ok(out)
}

/// Decodes one COBS-encoded frame (without its delimiter) in place and returns the decoded
/// length; the decoded bytes are `buf[..len]`.
///
/// # Errors
/// [`Error::CobsZeroByte`] for a `0x00` inside the data, [`Error::CobsTruncated`] when a code
/// byte points past the end.
pub fn decode_in_place(buf: &mut [u8]) -> Result<usize, Error> {
    let mut read = 0usize;
    let mut write = 0usize;
    while read < buf.len() {
        let code = buf[read];
        if code == 0 {
            return Err(Error::CobsZeroByte { offset: read });
        }
        let block_end = read + code as usize;
        if block_end > buf.len() {
            return Err(Error::CobsTruncated { offset: read });
        }
        read += 1;
        while read < block_end {
            let byte = buf[read];
            if byte == 0 {
                return Err(Error::CobsZeroByte { offset: read });
            }
            buf[write] = byte;
            write += 1;
            read += 1;
        }
        if code != 0xFF && read < buf.len() {
            buf[write] = 0;
            write += 1;
        }
    }
    Ok(write)
}

/// Decodes `src` (one frame without its delimiter) into `dst` and returns the decoded length.
///
/// # Errors
/// As [`decode_in_place`], plus [`Error::BufferTooSmall`] when `dst` is shorter than `src`.
pub fn decode(src: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let available = dst.len();
    let target = dst.get_mut(..src.len()).ok_or(Error::BufferTooSmall {
        needed: src.len(),
        available,
    })?;
    target.copy_from_slice(src);
    decode_in_place(target)
}
