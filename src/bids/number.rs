//! Parsing one TSV field as a number straight from bytes: no `String`, no allocation.
//!
//! Plain decimals (`-12.345`, up to 19 digits) take a fast path that is still correctly
//! rounded: an integer mantissa below 2^53 divided by an exact power of ten (Clinger's fast
//! path, the one `str::parse` itself starts with). Anything else (exponents, long mantissas,
//! `inf`) goes to `fast-float2`, which is correctly rounded too. The tests and the proptest in
//! `tests/bids.rs` hold both against `str::parse::<f64>`.

/// Exact powers of ten representable as f64 (10^0 … 10^22).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The largest mantissa a f64 holds exactly.
const MAX_EXACT: u64 = 1 << 53;

/// A field's value: a number, or missing (`n/a`, which BIDS uses for missing values).
///
/// Returns `None` when the field is not a number (including the empty field).
#[inline]
pub fn parse_field(field: &[u8]) -> Option<f64> {
    if field == b"n/a" {
        return Some(f64::NAN);
    }
    parse_f64(field)
}

/// Parses a decimal number the way `str::parse::<f64>` does; `None` if `s` is not one.
#[inline]
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if let Some(v) = parse_plain(s) {
        return Some(v);
    }
    parse_slow(s)
}

/// `[+-]digits[.digits]` with at most 19 digits in all and a mantissa below 2^53; `None`
/// otherwise (the caller then takes the general path). The same fast path as a row's fields
/// take ([`scan_plain`]), over the whole of `s`.
#[inline]
fn parse_plain(s: &[u8]) -> Option<f64> {
    scan_plain(s, 0)
        .filter(|&(_, end)| end == s.len())
        .map(|(value, _)| value)
}

#[cold]
fn parse_slow(s: &[u8]) -> Option<f64> {
    // fast-float2 accepts a few spellings str::parse does not (and the other way round), so
    // accept only what both call a number: the reference is the standard library.
    let (value, used) = fast_float2::parse_partial::<f64, _>(s).ok()?;
    if used != s.len() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    if value.is_finite() {
        Some(value)
    } else {
        text.parse::<f64>().ok()
    }
}

/// Why a line is not a row of `values.len()` numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowError {
    /// The line has this many tab-separated fields instead.
    FieldCount(usize),
    /// The field at this 0-based column, spanning `start..end` of the line, is not a number.
    NotANumber {
        /// 0-based column.
        column: usize,
        /// Byte range of the field in the line.
        start: usize,
        /// End of that range.
        end: usize,
    },
}

/// Parses a tab-separated line into exactly `values.len()` numbers (`n/a` → NaN).
///
/// One pass over the bytes: each plain decimal field is accumulated as it is scanned; a field
/// that is not plain is handed to [`parse_field`]. Agrees with splitting on `\t` and calling
/// [`parse_field`] on each piece (the test below and the proptest in `tests/bids.rs`).
#[inline]
pub fn parse_row(line: &[u8], values: &mut [f64]) -> Result<(), RowError> {
    let n = values.len();
    let mut pos = 0usize;
    for (column, slot) in values.iter_mut().enumerate() {
        let start = pos;
        let (value, end) = match scan_plain(line, start) {
            Some(found) => found,
            None => {
                let end = memchr::memchr(b'\t', line.get(start..).unwrap_or(&[]))
                    .map_or(line.len(), |k| start + k);
                let field = line.get(start..end).unwrap_or(&[]);
                match parse_field(field) {
                    Some(v) => (v, end),
                    None => return Err(RowError::NotANumber { column, start, end }),
                }
            }
        };
        *slot = value;
        match line.get(end) {
            Some(b'\t') if column + 1 < n => pos = end + 1,
            None if column + 1 == n => return Ok(()),
            Some(_) => {
                let rest = line.get(end..).unwrap_or(&[]);
                return Err(RowError::FieldCount(
                    column + 1 + memchr::memchr_iter(b'\t', rest).count(),
                ));
            }
            None => return Err(RowError::FieldCount(column + 1)),
        }
    }
    // Zero columns wanted: only the empty line fits.
    if line.is_empty() {
        Ok(())
    } else {
        Err(RowError::FieldCount(
            1 + memchr::memchr_iter(b'\t', line).count(),
        ))
    }
}

/// The plain-decimal fast path over `line[start..]`, stopping at a tab or the end of the line:
/// the value and the index where the field ends. `None` means "not plain, take the slow path".
#[inline(always)]
fn scan_plain(line: &[u8], start: usize) -> Option<(f64, usize)> {
    let (negative, mut i) = match line.get(start) {
        Some(b'-') => (true, start + 1),
        Some(b'+') => (false, start + 1),
        _ => (false, start),
    };
    // Digits are accumulated with wrapping arithmetic: a field with more than 19 digits (the
    // only way to overflow) is rejected below, before the mantissa is used.
    let mut mantissa: u64 = 0;
    let int_start = i;
    while let Some(d) = line
        .get(i)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|&d| d < 10)
    {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if line.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while let Some(d) = line
            .get(i)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|&d| d < 10)
        {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        frac_digits = i - frac_start;
    }
    let n_digits = int_digits + frac_digits;
    // "", "-", "." and "-." are not numbers; str::parse accepts "1." and ".5" but not ".".
    if n_digits == 0 || n_digits > 19 || mantissa > MAX_EXACT {
        return None;
    }
    if !matches!(line.get(i), None | Some(b'\t')) {
        return None;
    }
    let value = mantissa as f64 / *POW10.get(frac_digits)?;
    Some((if negative { -value } else { value }, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(s: &str) -> Option<f64> {
        s.parse::<f64>().ok()
    }

    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(x), Some(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn agrees_with_std_on_hand_picked_fields() {
        for s in [
            "0",
            "-0",
            "+0",
            "1",
            "35.125",
            "-12.5",
            "1.",
            ".5",
            "-.5",
            ".",
            "-",
            "+",
            "",
            "1e3",
            "1E-3",
            "-2.5e+2",
            "1e",
            "abc",
            "1.2.3",
            "--1",
            "9007199254740993",
            "0.1",
            "123456789012345678901234",
            "0.30000000000000004",
            "inf",
            "-inf",
            "NaN",
            "infinity",
            "1_0",
            " 1",
            "1 ",
            "0x10",
            "4.9e-324",
            "1e400",
            "00012.5000",
        ] {
            let got = parse_f64(s.as_bytes());
            assert!(
                same(got, reference(s)),
                "{s:?}: {got:?} vs {:?}",
                reference(s)
            );
        }
        assert!(parse_field(b"n/a").is_some_and(f64::is_nan));
        for s in [
            "1\t-2.5",
            "",
            "1",
            "1\t\t3",
            "n/a\t4e1\tx",
            "1\t2\t3\t",
            "\t",
            "7.\t.5\t-.5",
        ] {
            for n in 0..5 {
                let mut got = vec![0.0; n];
                let r = parse_row(s.as_bytes(), &mut got);
                let fields: Vec<&str> = s.split('\t').collect();
                let parsed: Vec<Option<f64>> =
                    fields.iter().map(|f| parse_field(f.as_bytes())).collect();
                let want_ok = fields.len() == n && parsed.iter().all(Option::is_some)
                    || (n == 0 && s.is_empty());
                assert_eq!(r.is_ok(), want_ok, "{s:?} as {n}: {r:?}");
                if want_ok {
                    for (g, p) in got.iter().zip(&parsed) {
                        assert!(same(Some(*g), *p), "{s:?}");
                    }
                }
            }
        }
        assert_eq!(parse_field(b""), None);
    }
}
