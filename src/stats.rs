//! Order statistics, one of each: the median and linear-interpolation percentiles of samples.

/// The finite values of `values`, sorted ascending.
pub fn sorted_finite(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The median of the finite values of `values` (the mean of the middle two for an even count),
/// `None` if there are none.
///
/// ```
/// use mldsense::stats::median;
/// assert_eq!(median([3.0, f64::NAN, 1.0, 2.0]), Some(2.0));
/// assert_eq!(median([4.0, 1.0, 2.0, 3.0]), Some(2.5));
/// assert_eq!(median([f64::NAN]), None);
/// ```
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let v = sorted_finite(values);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => v.get(n / 2).copied(),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// Linear-interpolation percentile (`q` in 0..=1) of sorted, finite `sorted`.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (*sorted.get(lo)?, *sorted.get(hi)?);
    Some(a + (b - a) * (pos - lo as f64))
}
