//! How strong a tie is: the share one item adds, the rounding every weight gets, and the order
//! strongest first.
//!
//! In one place because the stored ties, the computed collaborators and the networks must agree
//! to the bit: the same weight shown, sorted and encoded in a cursor on every path.

use crate::Collaboration;

/// Decimals kept of a weight, a weighted degree and a betweenness.
pub const DECIMALS: i32 = 4;

/// `value` rounded to [`DECIMALS`] places: the nearest `f64` to a decimal a person would write.
///
/// A weight is a sum of fractions (`1/3 + 1/3 + 1/3`), and float sums carry error in their last
/// bits: one tie summed to `0.7499999999999999` and sorted below a `0.75`, and such digits reached
/// clients. Every weight is rounded once, where it is summed, so the stored ties, the computed
/// collaborators and networks, their order, their cursors and the API's output all hold the same
/// value. Four places keep every distinct share of items of up to 100 members apart
/// (`1/99 − 1/100 ≈ 0.0001`); ties rounding to the same value are broken by organization id.
/// `k / 10⁴` is the correctly rounded `f64` of that decimal, so it prints as at most four places.
#[must_use]
pub fn rounded(value: f64) -> f64 {
    let scale = 10f64.powi(DECIMALS);
    (value * scale).round() / scale
}

/// What one shared item adds to a tie's weight: `1 / (members − 1)` (Newman's collaboration
/// weighting), for an item of `members` distinct organizations (at least two).
pub fn item_share(members: usize) -> f64 {
    1.0 / (members.max(2) - 1) as f64
}

/// Strongest tie first: weight descending, then organization id ascending.
pub fn strongest_first(a: &Collaboration, b: &Collaboration) -> std::cmp::Ordering {
    b.weight
        .total_cmp(&a.weight)
        .then(a.organization.cmp(&b.organization))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::*;

    #[test]
    fn weights_that_are_equal_in_decimals_are_equal_and_sort_by_id() {
        // Organization 1 shares with 2 items of 4, 5 and 7 members: 1/3 + 1/4 + 1/6, which sums
        // to 0.7499999999999999 in floats; with 3 items of 3 and 5 members: 1/2 + 1/4 = 0.75.
        let mut rows = Vec::new();
        for (item, members) in [(1, vec![1, 2, 10, 11]), (2, vec![1, 2, 12, 13, 14])] {
            rows.extend(members.into_iter().map(|o| member(o, project(item))));
        }
        rows.extend([1, 2, 15, 16, 17, 18, 19].map(|o| member(o, project(3))));
        rows.extend([1, 3, 20].map(|o| member(o, project(4))));
        rows.extend([1, 3, 21, 22, 23].map(|o| member(o, project(5))));
        assert_eq!(1.0 / 3.0 + 1.0 / 4.0 + 1.0 / 6.0, 0.7499999999999999);

        let found = collaborators(&rows, 1);
        assert_eq!(
            found[0].organization, 2,
            "equal weights, the smaller id first"
        );
        assert_eq!(found[1].organization, 3);
        assert_eq!((found[0].weight, found[1].weight), (0.75, 0.75));
        assert_eq!(found[0].weight.to_string(), "0.75");
        // The same values through the stored ties and the network.
        let tie = |partner: i64| {
            ties(&rows, |o| o == 1)
                .into_iter()
                .find(|t| t.partner == partner)
                .map(|t| t.weight)
        };
        assert_eq!((tie(2), tie(3)), (Some(0.75), Some(0.75)));
        let net = network(&rows);
        let edge = |target: i64| {
            net.edges
                .iter()
                .find(|e| (e.source, e.target) == (1, target))
                .map(|e| e.weight)
        };
        assert_eq!((edge(2), edge(3)), (Some(0.75), Some(0.75)));
        assert_eq!(CollaborationGraph::build(&rows).collaborators(1), found);
        // Every weight, weighted degree and betweenness has at most four decimals.
        for value in net.edges.iter().map(|e| e.weight).chain(
            net.nodes
                .iter()
                .flat_map(|n| [n.weighted_degree, n.betweenness]),
        ) {
            let text = value.to_string();
            let decimals = text.split('.').nth(1).map_or(0, str::len);
            assert!(decimals <= 4, "{text}");
        }
        // 1/3 alone is shown as a person writes it to four places.
        assert_eq!(rounded(1.0 / 3.0).to_string(), "0.3333");
    }
}
