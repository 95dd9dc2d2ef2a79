//! Event matching as mir_eval's `util.match_events` and `transcription.match_notes` do it: build
//! every (reference, estimate) pair within tolerance, then take a *maximum* bipartite matching
//! (Hopcroft–Karp), so one estimate between two references can never cost a match that a
//! greedy nearest-first pass would lose.

use std::collections::VecDeque;

/// Slack added to every tolerance so that decimal times like `1.05 - 1.0` (which is
/// 0.050000000000000044 in binary) count as within a 50 ms collar.
pub const TOLERANCE_SLACK_S: f64 = 1e-9;

/// An event with a start and an end, seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Start, seconds.
    pub onset_s: f64,
    /// End, seconds.
    pub offset_s: f64,
}

/// A maximum matching of a bipartite graph with `n_right` right vertices, where `adjacency[l]`
/// lists the right vertices left vertex `l` may be paired with. Returns `(left, right)` pairs
/// sorted by left vertex.
///
/// Hopcroft–Karp: breadth-first layers from the free left vertices, then vertex-disjoint
/// shortest augmenting paths found depth first (iteratively: no recursion on long chains);
/// O(E √V).
pub fn maximum_matching(adjacency: &[Vec<usize>], n_right: usize) -> Vec<(usize, usize)> {
    const FREE: usize = usize::MAX;
    const FAR: u32 = u32::MAX;
    let n_left = adjacency.len();
    let mut match_left = vec![FREE; n_left];
    let mut match_right = vec![FREE; n_right];
    let mut dist = vec![FAR; n_left];
    let mut queue = VecDeque::with_capacity(n_left);
    let mut next_edge = vec![0usize; n_left];
    let mut stack: Vec<usize> = Vec::new();
    let mut via: Vec<usize> = Vec::new();
    loop {
        // Layers: free left vertices at 0, then alternating paths.
        queue.clear();
        for (l, d) in dist.iter_mut().enumerate() {
            if match_left.get(l) == Some(&FREE) {
                *d = 0;
                queue.push_back(l);
            } else {
                *d = FAR;
            }
        }
        let mut reachable_free = false;
        while let Some(l) = queue.pop_front() {
            let dl = dist.get(l).copied().unwrap_or(FAR);
            for &r in adjacency.get(l).map_or(&[][..], Vec::as_slice) {
                match match_right.get(r).copied() {
                    Some(FREE) => reachable_free = true,
                    Some(w) => {
                        if let Some(dw) = dist.get_mut(w) {
                            if *dw == FAR {
                                *dw = dl + 1;
                                queue.push_back(w);
                            }
                        }
                    }
                    None => {}
                }
            }
        }
        if !reachable_free {
            break;
        }
        // Augment along shortest paths, depth first from each free left vertex.
        next_edge.iter_mut().for_each(|e| *e = 0);
        for start in 0..n_left {
            if match_left.get(start) != Some(&FREE) {
                continue;
            }
            stack.clear();
            via.clear();
            stack.push(start);
            while let Some(&l) = stack.last() {
                let edges = adjacency.get(l).map_or(&[][..], Vec::as_slice);
                let Some(&r) = next_edge.get(l).and_then(|&e| edges.get(e)) else {
                    // Dead end: never try this vertex again in this phase.
                    if let Some(d) = dist.get_mut(l) {
                        *d = FAR;
                    }
                    stack.pop();
                    via.pop();
                    continue;
                };
                if let Some(e) = next_edge.get_mut(l) {
                    *e += 1;
                }
                match match_right.get(r).copied() {
                    Some(FREE) => {
                        // Flip the path: stack[k] takes via[k] (the last takes r).
                        via.push(r);
                        for (&left, &right) in stack.iter().zip(&via) {
                            if let Some(m) = match_left.get_mut(left) {
                                *m = right;
                            }
                            if let Some(m) = match_right.get_mut(right) {
                                *m = left;
                            }
                        }
                        break;
                    }
                    Some(w) if dist.get(w).copied() == dist.get(l).map(|d| d.saturating_add(1)) => {
                        via.push(r);
                        stack.push(w);
                    }
                    _ => {}
                }
            }
        }
    }
    match_left
        .iter()
        .enumerate()
        .filter(|(_, &r)| r != FREE)
        .map(|(l, &r)| (l, r))
        .collect()
}

/// For each reference time, the estimate indices within `tolerance(reference index)` of it
/// (found by binary search over the estimates sorted by time).
fn candidates(
    reference: &[f64],
    estimate: &[f64],
    tolerance: impl Fn(usize) -> f64,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..estimate.len()).collect();
    order.sort_by(|&a, &b| estimate[a].total_cmp(&estimate[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| estimate[i]).collect();
    reference
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let tol = tolerance(i) + TOLERANCE_SLACK_S;
            let from = sorted.partition_point(|&e| e < t - tol);
            let to = sorted.partition_point(|&e| e <= t + tol);
            order.get(from..to).map_or_else(Vec::new, <[usize]>::to_vec)
        })
        .collect()
}

/// mir_eval `util.match_events`: a maximum matching of reference and estimated onsets within
/// `collar_s` of each other. Returns `(reference index, estimate index)` pairs.
pub fn match_onsets(reference: &[f64], estimate: &[f64], collar_s: f64) -> Vec<(usize, usize)> {
    let adjacency = candidates(reference, estimate, |_| collar_s);
    maximum_matching(&adjacency, estimate.len())
}

/// mir_eval `transcription.match_notes` / sed_eval event-based matching: onsets within
/// `collar_s` and offsets within `max(collar_s, offset_ratio × reference duration)`; maximum
/// matching again.
pub fn match_onsets_offsets(
    reference: &[Interval],
    estimate: &[Interval],
    collar_s: f64,
    offset_ratio: f64,
) -> Vec<(usize, usize)> {
    let onsets = |v: &[Interval]| v.iter().map(|e| e.onset_s).collect::<Vec<_>>();
    let mut adjacency = candidates(&onsets(reference), &onsets(estimate), |_| collar_s);
    for (r, cands) in adjacency.iter_mut().enumerate() {
        let Some(rf) = reference.get(r) else { continue };
        let tol = collar_s.max(offset_ratio * (rf.offset_s - rf.onset_s)) + TOLERANCE_SLACK_S;
        cands.retain(|&e| {
            estimate
                .get(e)
                .is_some_and(|es| (es.offset_s - rf.offset_s).abs() <= tol)
        });
    }
    maximum_matching(&adjacency, estimate.len())
}

/// Greedy nearest-first matching (each pair in order of distance, if both ends are still free):
/// what a naive scorer does. Kept to show, in tests, where it falls short of the maximum.
pub fn greedy_onsets(reference: &[f64], estimate: &[f64], collar_s: f64) -> Vec<(usize, usize)> {
    let adjacency = candidates(reference, estimate, |_| collar_s);
    let mut pairs: Vec<(f64, usize, usize)> = adjacency
        .iter()
        .enumerate()
        .flat_map(|(r, c)| {
            c.iter()
                .map(move |&e| ((reference[r] - estimate[e]).abs(), r, e))
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ref_used = vec![false; reference.len()];
    let mut est_used = vec![false; estimate.len()];
    let mut out = Vec::new();
    for (_, r, e) in pairs {
        if !ref_used[r] && !est_used[e] {
            ref_used[r] = true;
            est_used[e] = true;
            out.push((r, e));
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_needs_augmenting() {
        // left 0 – {0, 1}, left 1 – {0}: greedy by index would give 0–0 and leave 1 alone.
        let m = maximum_matching(&[vec![0, 1], vec![0]], 2);
        assert_eq!(m, vec![(0, 1), (1, 0)]);
        assert!(maximum_matching(&[], 3).is_empty());
        assert!(maximum_matching(&[vec![], vec![]], 0).is_empty());
    }
}
