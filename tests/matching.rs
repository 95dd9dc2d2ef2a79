//! Event matching: Hopcroft–Karp finds a maximum matching (checked against exhaustive search
//! and a plain augmenting-path matcher on small random cases), respects the collars, and beats
//! greedy nearest-first matching where greedy is known to go wrong.

use mldsense::eval::matching::{greedy_onsets, TOLERANCE_SLACK_S};
use mldsense::eval::{match_onsets, match_onsets_offsets, maximum_matching, Interval};
use proptest::prelude::*;

/// The size of a maximum matching by trying every assignment (exponential; tiny cases only).
fn brute_force(n_left: usize, ok: &dyn Fn(usize, usize) -> bool, n_right: usize) -> usize {
    fn go(
        l: usize,
        n_left: usize,
        used: &mut Vec<bool>,
        ok: &dyn Fn(usize, usize) -> bool,
    ) -> usize {
        if l == n_left {
            return 0;
        }
        let mut best = go(l + 1, n_left, used, ok); // leave l unmatched
        for r in 0..used.len() {
            if !used[r] && ok(l, r) {
                used[r] = true;
                best = best.max(1 + go(l + 1, n_left, used, ok));
                used[r] = false;
            }
        }
        best
    }
    go(0, n_left, &mut vec![false; n_right], ok)
}

/// Kuhn's algorithm: one depth-first augmenting path per left vertex; obviously right, O(VE).
fn kuhn(adjacency: &[Vec<usize>], n_right: usize) -> usize {
    fn augment(
        l: usize,
        adj: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &r in &adj[l] {
            if !seen[r] {
                seen[r] = true;
                if owner[r].is_none() || augment(owner[r].unwrap(), adj, seen, owner) {
                    owner[r] = Some(l);
                    return true;
                }
            }
        }
        false
    }
    let mut owner = vec![None; n_right];
    (0..adjacency.len())
        .filter(|&l| augment(l, adjacency, &mut vec![false; n_right], &mut owner))
        .count()
}

/// A valid matching: no vertex twice, every pair allowed.
fn assert_valid(pairs: &[(usize, usize)], ok: impl Fn(usize, usize) -> bool) {
    let mut lefts: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    let mut rights: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    lefts.sort_unstable();
    lefts.dedup();
    rights.sort_unstable();
    rights.dedup();
    assert_eq!(
        lefts.len(),
        pairs.len(),
        "a reference matched twice: {pairs:?}"
    );
    assert_eq!(
        rights.len(),
        pairs.len(),
        "an estimate matched twice: {pairs:?}"
    );
    for &(l, r) in pairs {
        assert!(ok(l, r), "pair ({l}, {r}) not allowed");
    }
}

#[test]
fn greedy_nearest_first_loses_a_match_the_maximum_keeps() {
    // Reference strokes A = 1.00 s and B = 1.09 s; estimates x = 1.04 s and y = 0.93 s; 80 ms
    // collar. x is 40 ms from A and 50 ms from B; y is 70 ms from A and 160 ms from B.
    // Greedy takes the closest pair first, A–x (40 ms); B's only candidate x is gone, and y's
    // only candidate A is gone: 1 match. The optimum pairs A–y and B–x: 2 matches.
    let reference = [1.00, 1.09];
    let estimate = [1.04, 0.93];
    let greedy = greedy_onsets(&reference, &estimate, 0.080);
    assert_eq!(greedy, vec![(0, 0)]);
    let best = match_onsets(&reference, &estimate, 0.080);
    assert_eq!(best, vec![(0, 1), (1, 0)]);
}

#[test]
fn ties_and_one_to_many_candidates() {
    // One reference exactly between two estimates: one match, whichever.
    let m = match_onsets(&[1.0], &[0.95, 1.05], 0.05);
    assert_eq!(m.len(), 1);
    // One reference, three estimates in the collar: still one match (P = 1/3).
    assert_eq!(match_onsets(&[2.0], &[1.9, 2.0, 2.1], 0.2).len(), 1);
    // Three references at the same instant, two estimates: two matches.
    assert_eq!(match_onsets(&[3.0, 3.0, 3.0], &[3.01, 2.99], 0.05).len(), 2);
    // Decimal boundaries: 1.05 − 1.00 counts as within 50 ms despite binary rounding.
    assert_eq!(match_onsets(&[1.0], &[1.05], 0.05).len(), 1);
    assert_eq!(match_onsets(&[1.0], &[1.0501], 0.05).len(), 0);
    assert!(match_onsets(&[], &[1.0], 0.05).is_empty());
    assert!(match_onsets(&[1.0], &[], 0.05).is_empty());
}

#[test]
fn offsets_must_match_within_the_larger_of_collar_and_share_of_length() {
    let r = |on: f64, off: f64| Interval {
        onset_s: on,
        offset_s: off,
    };
    // 1 s stroke: offset tolerance max(0.2, 0.2 × 1.0) = 0.2 s.
    assert_eq!(
        match_onsets_offsets(&[r(1.0, 2.0)], &[r(1.1, 2.19)], 0.2, 0.2).len(),
        1
    );
    assert_eq!(
        match_onsets_offsets(&[r(1.0, 2.0)], &[r(1.1, 2.25)], 0.2, 0.2).len(),
        0
    );
    // 2 s stroke: 20 % is 0.4 s, larger than the collar.
    assert_eq!(
        match_onsets_offsets(&[r(1.0, 3.0)], &[r(1.1, 3.35)], 0.2, 0.2).len(),
        1
    );
    // Onsets still must match.
    assert_eq!(
        match_onsets_offsets(&[r(1.0, 3.0)], &[r(1.3, 3.0)], 0.2, 0.2).len(),
        0
    );
}

#[test]
fn a_long_chain_does_not_overflow_the_stack() {
    // 200 000 strokes 50 ms apart with a 60 ms collar: each estimate sits between two references.
    let reference: Vec<f64> = (0..200_000).map(|i| i as f64 * 0.05).collect();
    let estimate: Vec<f64> = reference.iter().map(|t| t + 0.03).collect();
    assert_eq!(match_onsets(&reference, &estimate, 0.06).len(), 200_000);
}

fn times() -> impl Strategy<Value = Vec<f64>> {
    // A coarse 10 ms grid over 1 s: plenty of ties and shared candidates.
    prop::collection::vec((0u32..100).prop_map(|k| k as f64 * 0.01), 0..7)
}

proptest! {
    #[test]
    fn hopcroft_karp_is_maximum_on_random_graphs(
        adjacency in prop::collection::vec(prop::collection::btree_set(0usize..8, 0..5), 0..9)
    ) {
        let adjacency: Vec<Vec<usize>> = adjacency.into_iter().map(|s| s.into_iter().collect()).collect();
        let pairs = maximum_matching(&adjacency, 8);
        assert_valid(&pairs, |l, r| adjacency[l].contains(&r));
        prop_assert_eq!(pairs.len(), kuhn(&adjacency, 8));
        prop_assert_eq!(pairs.len(), brute_force(adjacency.len(), &|l, r| adjacency[l].contains(&r), 8));
    }

    #[test]
    fn onset_matching_is_maximum_and_within_collar(
        reference in times(), estimate in times(), collar_ms in 0u32..80
    ) {
        let collar = collar_ms as f64 / 1000.0;
        let ok = |r: usize, e: usize| (reference[r] - estimate[e]).abs() <= collar + TOLERANCE_SLACK_S;
        let pairs = match_onsets(&reference, &estimate, collar);
        assert_valid(&pairs, ok);
        prop_assert_eq!(pairs.len(), brute_force(reference.len(), &ok, estimate.len()));
        prop_assert!(greedy_onsets(&reference, &estimate, collar).len() <= pairs.len());
    }

    #[test]
    fn onset_offset_matching_is_maximum(
        reference in prop::collection::vec((0u32..60, 1u32..60), 0..6),
        estimate in prop::collection::vec((0u32..60, 1u32..60), 0..6),
    ) {
        let iv = |v: &[(u32, u32)]| -> Vec<Interval> {
            v.iter().map(|&(a, d)| Interval { onset_s: a as f64 * 0.02, offset_s: (a + d) as f64 * 0.02 }).collect()
        };
        let (rf, es) = (iv(&reference), iv(&estimate));
        let ok = |r: usize, e: usize| {
            let tol = 0.05f64.max(0.2 * (rf[r].offset_s - rf[r].onset_s)) + TOLERANCE_SLACK_S;
            (rf[r].onset_s - es[e].onset_s).abs() <= 0.05 + TOLERANCE_SLACK_S
                && (rf[r].offset_s - es[e].offset_s).abs() <= tol
        };
        let pairs = match_onsets_offsets(&rf, &es, 0.05, 0.2);
        assert_valid(&pairs, ok);
        prop_assert_eq!(pairs.len(), brute_force(rf.len(), &ok, es.len()));
    }
}
