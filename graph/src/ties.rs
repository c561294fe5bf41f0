//! One organization's collaborators, and the ties the loader stores for every organization.
//!
//! Both pair an organization with the other members of its own items only, without projecting
//! the whole graph: a hub's items hold hundreds of thousands of pairs that do not involve it.

use crate::membership::{Slot, earliest, latest};
use crate::{ItemRef, Membership, item_share, rounded, strongest_first};

/// One collaborator of an organization, as returned by [`collaborators`].
#[derive(Clone, Debug, PartialEq)]
pub struct Collaboration {
    /// The other organization.
    pub organization: i64,
    /// Every item both organizations take part in, sorted and deduplicated.
    pub shared: Vec<ItemRef>,
    /// Tie strength: the sum over shared items of `1 / (members - 1)`
    /// (Newman's collaboration weighting), so a two-partner project counts
    /// 1.0 while a 40-member campaign counts 1/39; [`rounded`] to four places.
    pub weight: f64,
    /// Earliest known year of either organization in any shared item.
    pub first_year: Option<i32>,
    /// Latest known year of either organization in any shared item.
    pub last_year: Option<i32>,
}

/// Every other organization sharing at least one item with `of`, strongest
/// tie first (weight descending, then organization id ascending).
///
/// Returns an empty list when `of` does not appear in `memberships`. Build a
/// [`CollaborationGraph`] instead when asking several questions of the same
/// rows.
///
/// Unlike [`CollaborationGraph::build`], this pairs `of` with the other members of its own items
/// only, in `O(M log M)` for `M` memberships: the rows of a hub's items hold hundreds of
/// thousands of pairs that do not involve the hub.
///
/// [`CollaborationGraph`]: crate::CollaborationGraph
/// [`CollaborationGraph::build`]: crate::CollaborationGraph::build
#[must_use]
pub fn collaborators(memberships: &[Membership], of: i64) -> Vec<Collaboration> {
    let mut result = Vec::new();
    each_tie(
        memberships,
        |organization| organization == of,
        |group| {
            let mut collaboration = Collaboration {
                organization: group[0].partner,
                shared: Vec::with_capacity(group.len()),
                weight: 0.0,
                first_year: None,
                last_year: None,
            };
            for c in group {
                collaboration.shared.push(c.item);
                collaboration.weight += c.weight;
                collaboration.first_year = earliest(collaboration.first_year, c.first);
                collaboration.last_year = latest(collaboration.last_year, c.last);
            }
            collaboration.weight = rounded(collaboration.weight);
            result.push(collaboration);
        },
    );
    result.sort_by(strongest_first);
    result
}

/// One organization's tie to one partner, without the list of shared items: what the
/// `collaboration` table stores for every organization, so a page of a hub's strongest partners
/// is an index range instead of a pass over every membership of its items.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Tie {
    /// The organization whose tie this is.
    pub organization: i64,
    /// The other organization.
    pub partner: i64,
    /// How many items both take part in.
    pub shared_count: usize,
    /// As [`Collaboration::weight`], summed in the same order, so it is bit-identical to the
    /// weight [`collaborators`] computes from the same rows.
    pub weight: f64,
    /// As [`Collaboration::first_year`].
    pub first_year: Option<i32>,
    /// As [`Collaboration::last_year`].
    pub last_year: Option<i32>,
}

/// The ties of every organization `of` accepts, ordered by organization, then partner.
///
/// `memberships` must hold every membership of every item those organizations take part in
/// (an item's other members set its weight); rows of other items are ignored. Each tie equals
/// the matching [`collaborators`] entry of its organization, weight included to the bit.
#[must_use]
pub fn ties(memberships: &[Membership], of: impl Fn(i64) -> bool) -> Vec<Tie> {
    let mut result = Vec::new();
    each_tie(memberships, of, |group| {
        let mut tie = Tie {
            organization: group[0].organization,
            partner: group[0].partner,
            shared_count: group.len(),
            weight: 0.0,
            first_year: None,
            last_year: None,
        };
        for c in group {
            tie.weight += c.weight;
            tie.first_year = earliest(tie.first_year, c.first);
            tie.last_year = latest(tie.last_year, c.last);
        }
        tie.weight = rounded(tie.weight);
        result.push(tie);
    });
    result
}

/// What one shared item adds to an organization's tie to a partner.
struct Share {
    organization: i64,
    partner: i64,
    item: ItemRef,
    weight: f64,
    first: Option<i32>,
    last: Option<i32>,
}

/// Calls `tie` with the shares of each (organization, partner) pair, for the organizations `of`
/// accepts, in (organization, partner) order and each pair's shares by item: the one place tie
/// weights are summed, so every caller sums them in the same order. It pairs those organizations
/// with the other members of their own items only (the same slots as
/// [`CollaborationGraph::build`](crate::CollaborationGraph::build): one per item and
/// organization, years merged).
fn each_tie(memberships: &[Membership], of: impl Fn(i64) -> bool, mut tie: impl FnMut(&[Share])) {
    let mut slots: Vec<Slot<ItemRef, i64>> = memberships
        .iter()
        .map(|m| Slot::new(m.item, m.organization, m))
        .collect();
    Slot::merge(&mut slots);
    let mut shares = Vec::new();
    for group in slots.chunk_by(|a, b| a.item == b.item) {
        if group.len() < 2 {
            continue;
        }
        let weight = item_share(group.len());
        for own in group.iter().filter(|s| of(s.node)) {
            for other in group.iter().filter(|s| s.node != own.node) {
                shares.push(Share {
                    organization: own.node,
                    partner: other.node,
                    item: own.item,
                    weight,
                    first: earliest(own.first, other.first),
                    last: latest(own.last, other.last),
                });
            }
        }
    }
    // By item within a pair: shared lists come out sorted, and weights are summed in the order
    // the graph sums them, so every path gives bit-identical weights.
    shares.sort_unstable_by_key(|s| (s.organization, s.partner, s.item));
    for group in shares.chunk_by(|a, b| a.organization == b.organization && a.partner == b.partner)
    {
        tie(group);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::*;

    #[test]
    fn weights_favour_small_items() {
        // Project 1 has members {1, 2}: weight 1/(2-1) = 1 per pair.
        // Event 1 has members {1, 2, 3, 4}: weight 1/(4-1) = 1/3 per pair.
        // Collaborators of 1: 2 -> 1 + 1/3, 3 -> 1/3, 4 -> 1/3; the 3/4 tie
        // is broken by id even though 4 comes first in the input.
        let rows = vec![
            member(4, event(1)),
            member(3, event(1)),
            member(2, event(1)),
            member(1, event(1)),
            member(2, project(1)),
            member(1, project(1)),
        ];
        let found = collaborators(&rows, 1);
        let ids: Vec<i64> = found.iter().map(|c| c.organization).collect();
        assert_eq!(ids, vec![2, 3, 4]);
        assert_close(found[0].weight, 4.0 / 3.0);
        assert_close(found[1].weight, 1.0 / 3.0);
        assert_close(found[2].weight, 1.0 / 3.0);
        // Projects order before events.
        assert_eq!(found[0].shared, vec![project(1), event(1)]);
        assert_eq!(found[1].shared, vec![event(1)]);

        // A 40-member campaign: each of the 39 ties weighs 1/39.
        let campaign: Vec<Membership> = (1..=40).map(|org| member(org, programme(7))).collect();
        let found = collaborators(&campaign, 1);
        assert_eq!(found.len(), 39);
        assert_eq!(found.first().map(|c| c.organization), Some(2));
        assert_eq!(found.last().map(|c| c.organization), Some(40));
        for c in &found {
            assert_close(c.weight, 1.0 / 39.0);
        }
    }

    #[test]
    fn year_bounds_fall_back_and_ignore_unrelated_rows() {
        let rows = vec![
            // Project 1: members 1, 2, 5 (pair weight 1/2).
            dated(1, project(1), Some(2010), Some(2012)),
            dated(2, project(1), None, Some(2015)),
            dated(5, project(1), Some(1990), Some(2040)),
            // Event 1: members 1, 2 (weight 1).
            dated(1, event(1), Some(2008), None),
            dated(2, event(1), None, None),
            // Programme 1: 1 and 6 only; its years must not leak into 1-2.
            dated(1, programme(1), Some(2000), Some(2030)),
            dated(6, programme(1), None, None),
            // Project 2: only an end year is known; it must become the start.
            dated(1, project(2), None, None),
            dated(3, project(2), None, Some(2001)),
            // Programme 2: only a start year is known; it must become the end.
            dated(1, programme(2), None, None),
            dated(4, programme(2), Some(2019), None),
            // Event 3: no years at all.
            dated(1, event(3), None, None),
            dated(7, event(3), None, None),
        ];
        let expected = vec![
            // 1-2 over project 1 and event 1, weight 1/2 + 1 = 1.5.
            // Starts: 2010, 2015 (from year_to), 2008 -> 2008.
            // Ends:   2012, 2015, 2008 (from year_from) -> 2015.
            // Org 5's 1990-2040 and programme 1's 2000-2030 are not 1-2 rows.
            Collaboration {
                organization: 2,
                shared: vec![project(1), event(1)],
                weight: 1.5,
                first_year: Some(2008),
                last_year: Some(2015),
            },
            Collaboration {
                organization: 3,
                shared: vec![project(2)],
                weight: 1.0,
                first_year: Some(2001),
                last_year: Some(2001),
            },
            Collaboration {
                organization: 4,
                shared: vec![programme(2)],
                weight: 1.0,
                first_year: Some(2019),
                last_year: Some(2019),
            },
            Collaboration {
                organization: 6,
                shared: vec![programme(1)],
                weight: 1.0,
                first_year: Some(2000),
                last_year: Some(2030),
            },
            Collaboration {
                organization: 7,
                shared: vec![event(3)],
                weight: 1.0,
                first_year: None,
                last_year: None,
            },
            // 1-5 over project 1 only: min(2010, 1990), max(2012, 2040).
            Collaboration {
                organization: 5,
                shared: vec![project(1)],
                weight: 0.5,
                first_year: Some(1990),
                last_year: Some(2040),
            },
        ];
        assert_eq!(collaborators(&rows, 1), expected);
    }
}
