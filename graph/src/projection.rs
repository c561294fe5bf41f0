//! The organization-to-organization graph projected from membership rows, in compressed sparse
//! row form: built once, then asked for a network (`network.rs`), a path (`path.rs`) or an
//! organization's collaborators, so a caller with several questions over the same rows
//! pays for the projection once.

use std::ops::Range;

use crate::membership::{Slot, earliest, latest};
use crate::{Collaboration, ItemRef, Membership, item_share, rounded, strongest_first};

/// The organization-to-organization collaboration graph projected from
/// membership rows, built once and queried many times.
///
/// Organizations are mapped to dense indices in ascending id order, so index
/// order *is* id order: iterating anything by index yields id-sorted,
/// deterministic output without extra sorting. Adjacency is stored in
/// compressed sparse row form (one offsets array plus flat neighbour arrays)
/// so traversals touch contiguous memory and building the graph allocates a
/// fixed number of vectors rather than one per node or edge.
#[derive(Clone, Debug)]
pub struct CollaborationGraph {
    /// Organization id per dense index, ascending.
    pub(crate) ids: Vec<i64>,
    /// Neighbours of node `v` live at `offsets[v]..offsets[v + 1]`.
    pub(crate) offsets: Vec<usize>,
    /// Neighbour node per adjacency slot, ascending within each node.
    pub(crate) neighbour_nodes: Vec<usize>,
    /// Edge index per adjacency slot, parallel to `neighbour_nodes`.
    pub(crate) neighbour_edges: Vec<usize>,
    /// Edges sorted by `(source, target)` with `source < target`.
    pub(crate) edges: Vec<Edge>,
    /// Shared items of all edges, concatenated; each edge owns a range.
    pub(crate) shared: Vec<ItemRef>,
}

#[derive(Clone, Debug)]
pub(crate) struct Edge {
    pub(crate) source: usize,
    pub(crate) target: usize,
    /// As summed, not [`rounded`]: weighted degrees sum these, and are rounded once summed.
    pub(crate) weight: f64,
    pub(crate) first_year: Option<i32>,
    pub(crate) last_year: Option<i32>,
    pub(crate) shared_start: usize,
    pub(crate) shared_end: usize,
}

/// What one shared item contributes to one pair of organizations.
struct Contribution {
    source: usize,
    target: usize,
    item: usize,
    first: Option<i32>,
    last: Option<i32>,
}

impl CollaborationGraph {
    /// Projects membership rows onto the collaboration graph.
    ///
    /// Repeated rows for the same organization and item are merged (their
    /// years combined), so duplicates neither inflate an item's member count
    /// nor create self-loops. Every organization in the input becomes a node,
    /// even if it shares no item with anyone.
    ///
    /// Cost is dominated by the pairs inside each item: `O(P log P)` with
    /// `P = Σ members·(members − 1)/2` over items.
    #[must_use]
    pub fn build(memberships: &[Membership]) -> Self {
        let mut ids: Vec<i64> = memberships.iter().map(|m| m.organization).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut items: Vec<ItemRef> = memberships.iter().map(|m| m.item).collect();
        items.sort_unstable();
        items.dedup();

        let mut slots: Vec<Slot<usize, usize>> = memberships
            .iter()
            .filter_map(|m| {
                Some(Slot::new(
                    items.binary_search(&m.item).ok()?,
                    ids.binary_search(&m.organization).ok()?,
                    m,
                ))
            })
            .collect();
        Slot::merge(&mut slots);

        let mut item_weight = vec![0.0; items.len()];
        let mut contributions = Vec::new();
        for group in slots.chunk_by(|a, b| a.item == b.item) {
            let [head, _, ..] = group else {
                // A lone member collaborates with nobody through this item.
                continue;
            };
            item_weight[head.item] = item_share(group.len());
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    // Slots are sorted by node, so `a.node < b.node`.
                    contributions.push(Contribution {
                        source: a.node,
                        target: b.node,
                        item: a.item,
                        first: earliest(a.first, b.first),
                        last: latest(a.last, b.last),
                    });
                }
            }
        }
        // Sorting by item within a pair makes the shared lists come out
        // sorted and fixes the floating-point summation order of weights.
        contributions.sort_unstable_by_key(|c| (c.source, c.target, c.item));

        let mut edges = Vec::new();
        let mut shared = Vec::with_capacity(contributions.len());
        for group in contributions.chunk_by(|a, b| a.source == b.source && a.target == b.target) {
            let Some(head) = group.first() else { continue };
            let shared_start = shared.len();
            let mut weight = 0.0;
            let mut first_year = None;
            let mut last_year = None;
            for c in group {
                weight += item_weight[c.item];
                first_year = earliest(first_year, c.first);
                last_year = latest(last_year, c.last);
                shared.push(items[c.item]);
            }
            edges.push(Edge {
                source: head.source,
                target: head.target,
                weight,
                first_year,
                last_year,
                shared_start,
                shared_end: shared.len(),
            });
        }

        Self::from_edges(ids, edges, shared)
    }

    /// The graph of plain collaborating pairs, in any order and either direction, repeats
    /// allowed: the shape without weights, years or shared items, for walking ties that were
    /// computed ahead (the `collaboration` table). Only [`CollaborationGraph::route`] and the
    /// degrees mean anything on it.
    #[must_use]
    pub fn from_pairs(pairs: &[(i64, i64)]) -> Self {
        let mut ids: Vec<i64> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut ends: Vec<(usize, usize)> = pairs
            .iter()
            .filter(|(a, b)| a != b)
            .filter_map(|&(a, b)| {
                let (a, b) = (ids.binary_search(&a).ok()?, ids.binary_search(&b).ok()?);
                Some((a.min(b), a.max(b)))
            })
            .collect();
        ends.sort_unstable();
        ends.dedup();
        let edges = ends
            .into_iter()
            .map(|(source, target)| Edge {
                source,
                target,
                weight: 0.0,
                first_year: None,
                last_year: None,
                shared_start: 0,
                shared_end: 0,
            })
            .collect();
        Self::from_edges(ids, edges, Vec::new())
    }

    /// Lays out `edges` (sorted by `(source, target)`, `source < target`) in compressed sparse
    /// row form.
    fn from_edges(ids: Vec<i64>, edges: Vec<Edge>, shared: Vec<ItemRef>) -> Self {
        let n = ids.len();
        let mut offsets = vec![0usize; n + 1];
        for e in &edges {
            offsets[e.source + 1] += 1;
            offsets[e.target + 1] += 1;
        }
        let mut running = 0;
        for o in &mut offsets {
            running += *o;
            *o = running;
        }
        // Filling in edge order leaves every neighbour list ascending without
        // a sort: node v first receives its smaller neighbours u from edges
        // (u, v), in ascending u, and only then its larger neighbours w from
        // edges (v, w), in ascending w, because edges are sorted by source.
        let mut cursor = offsets.clone();
        let mut neighbour_nodes = vec![0; 2 * edges.len()];
        let mut neighbour_edges = vec![0; 2 * edges.len()];
        for (index, e) in edges.iter().enumerate() {
            for (from, to) in [(e.source, e.target), (e.target, e.source)] {
                let slot = cursor[from];
                neighbour_nodes[slot] = to;
                neighbour_edges[slot] = index;
                cursor[from] += 1;
            }
        }

        Self {
            ids,
            offsets,
            neighbour_nodes,
            neighbour_edges,
            edges,
            shared,
        }
    }

    /// Every organization in the graph, ascending.
    #[must_use]
    pub fn organizations(&self) -> &[i64] {
        &self.ids
    }

    /// Whether `organization` appears in the memberships the graph was built
    /// from.
    #[must_use]
    pub fn contains(&self, organization: i64) -> bool {
        self.ids.binary_search(&organization).is_ok()
    }

    /// Number of organizations.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    /// Number of collaborating pairs.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every other organization sharing at least one item with `of`,
    /// strongest tie first (weight descending, then organization id
    /// ascending). Empty when `of` is unknown.
    #[must_use]
    pub fn collaborators(&self, of: i64) -> Vec<Collaboration> {
        let Ok(node) = self.ids.binary_search(&of) else {
            return Vec::new();
        };
        let mut result: Vec<Collaboration> = self
            .slots(node)
            .map(|slot| {
                let edge = &self.edges[self.neighbour_edges[slot]];
                Collaboration {
                    organization: self.ids[self.neighbour_nodes[slot]],
                    shared: self.shared_of(edge).to_vec(),
                    weight: rounded(edge.weight),
                    first_year: edge.first_year,
                    last_year: edge.last_year,
                }
            })
            .collect();
        result.sort_by(strongest_first);
        result
    }

    /// Adjacency slots of `node`.
    pub(crate) fn slots(&self, node: usize) -> Range<usize> {
        self.offsets[node]..self.offsets[node + 1]
    }

    pub(crate) fn shared_of(&self, edge: &Edge) -> &[ItemRef] {
        &self.shared[edge.shared_start..edge.shared_end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    #[test]
    fn empty_input_yields_empty_answers() {
        let graph = CollaborationGraph::build(&[]);
        assert_eq!(graph.node_count(), 0);
        assert_eq!(graph.edge_count(), 0);
        assert!(collaborators(&[], 1).is_empty());
        assert_eq!(network(&[]), Network::default());
        assert_eq!(connection_path(&[], 1, 2, 10), None);
        assert_eq!(connection_path(&[], 1, 1, 10), Some(vec![]));
    }
}
