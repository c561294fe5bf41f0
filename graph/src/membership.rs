//! The rows every algorithm starts from: which organization took part in which item, and when.
//!
//! Repeated rows are merged here into one [`Slot`] per item and organization, for the tie sums
//! (`ties.rs`) and the graph projection ([`crate::CollaborationGraph::build`]) alike, so
//! both count an item's members and date a collaboration the same way.

/// The kind of shared item through which organizations collaborate.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Ord, PartialOrd)]
pub enum ItemKind {
    /// A (usually funded) project with a list of partners.
    Project,
    /// An event the organization took part in.
    Event,
    /// A programme or campaign the organization joined.
    Programme,
}

/// Identifies one shared item. Items order by kind first, then id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Ord, PartialOrd)]
pub struct ItemRef {
    /// What kind of item this is; ids are only unique within a kind.
    pub kind: ItemKind,
    /// The item's id within its kind.
    pub id: i64,
}

/// Evidence that an organization took part in an item, optionally with the
/// years of its involvement.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Membership {
    /// The participating organization.
    pub organization: i64,
    /// The item it took part in.
    pub item: ItemRef,
    /// First year of involvement, if known.
    pub year_from: Option<i32>,
    /// Last year of involvement, if known.
    pub year_to: Option<i32>,
}

/// One organization's (merged) participation in one item: `I` and `N` are the item and the
/// organization, as values or as indexes.
pub(crate) struct Slot<I, N> {
    pub(crate) item: I,
    pub(crate) node: N,
    pub(crate) first: Option<i32>,
    pub(crate) last: Option<i32>,
}

impl<I: Ord + Copy, N: Ord + Copy> Slot<I, N> {
    /// A membership's slot; a missing bound falls back to the other one, so a row known only
    /// by its end year still dates the collaboration.
    pub(crate) fn new(item: I, node: N, m: &Membership) -> Self {
        Slot {
            item,
            node,
            first: m.year_from.or(m.year_to),
            last: m.year_to.or(m.year_from),
        }
    }

    /// Sorts by (item, node) and merges repeated memberships, widening their years, so a
    /// repeat neither inflates an item's member count nor pairs an organization with itself.
    pub(crate) fn merge(slots: &mut Vec<Self>) {
        slots.sort_unstable_by_key(|s| (s.item, s.node));
        slots.dedup_by(|later, kept| {
            let same = later.item == kept.item && later.node == kept.node;
            if same {
                kept.first = earliest(kept.first, later.first);
                kept.last = latest(kept.last, later.last);
            }
            same
        });
    }
}

/// The earlier of two optional years, ignoring missing ones.
pub(crate) fn earliest(a: Option<i32>, b: Option<i32>) -> Option<i32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The later of two optional years, ignoring missing ones.
pub(crate) fn latest(a: Option<i32>, b: Option<i32>) -> Option<i32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use crate::*;

    #[test]
    fn duplicate_memberships_neither_double_count_nor_self_loop() {
        let rows = vec![
            // Org 1 listed twice in project 1 (years merge to 1999..2003),
            // org 2 listed twice identically. Still two distinct members, so
            // the pair weight is 1/(2-1) = 1, not 1/3 or 1/2.
            dated(1, project(1), Some(2001), Some(2003)),
            dated(1, project(1), Some(1999), None),
            dated(2, project(1), Some(2002), Some(2002)),
            dated(2, project(1), Some(2002), Some(2002)),
            // Org 3 listed twice as the only member of event 1: no edge.
            member(3, event(1)),
            member(3, event(1)),
        ];
        let expected = vec![Collaboration {
            organization: 2,
            shared: vec![project(1)],
            weight: 1.0,
            first_year: Some(1999),
            last_year: Some(2003),
        }];
        assert_eq!(collaborators(&rows, 1), expected);
        assert!(collaborators(&rows, 3).is_empty());
        let net = network(&rows);
        assert_eq!(
            net.edges,
            vec![NetworkEdge {
                source: 1,
                target: 2,
                weight: 1.0,
                shared: vec![project(1)],
            }]
        );
        let degrees: Vec<(i64, usize)> = net
            .nodes
            .iter()
            .map(|n| (n.organization, n.degree))
            .collect();
        assert_eq!(degrees, vec![(1, 1), (2, 1), (3, 0)]);
    }
}
