//! The whole weighted collaboration network: every organization with its degrees and
//! betweenness, every collaborating pair with its shared items; and the part of it the API draws
//! (the organizations with the strongest ties, every tie weighed over all its items' members).

use std::collections::BTreeSet;

use crate::{CollaborationGraph, ItemRef, Membership, item_share, rounded};

/// The weighted collaboration network returned by [`network`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    /// Every organization appearing in the input (including ones without
    /// collaborators), sorted by id.
    pub nodes: Vec<NetworkNode>,
    /// Every collaborating pair, sorted by `(source, target)`.
    pub edges: Vec<NetworkEdge>,
}

/// One organization in a [`Network`].
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkNode {
    /// The organization id.
    pub organization: i64,
    /// Number of distinct collaborators.
    pub degree: usize,
    /// Sum of the weights of the organization's edges, [`rounded`] once summed: six ties of 5/6
    /// weigh 5, not six times 0.8333.
    pub weighted_degree: f64,
    /// Normalised betweenness centrality in `[0, 1]`, [`rounded`]; see
    /// [`CollaborationGraph::network`]. `0.0` when it was not requested.
    pub betweenness: f64,
}

/// One collaborating pair in a [`Network`].
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkEdge {
    /// The smaller organization id of the pair.
    pub source: i64,
    /// The larger organization id of the pair.
    pub target: i64,
    /// Tie strength, computed as in [`Collaboration::weight`](crate::Collaboration::weight).
    pub weight: f64,
    /// Every item both organizations take part in, sorted.
    pub shared: Vec<ItemRef>,
}

/// Options for [`network_with_options`] and [`CollaborationGraph::network`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct NetworkOptions {
    /// Whether to compute betweenness centrality. It costs `O(V·E)` time,
    /// which is seconds on a graph of tens of thousands of organizations, so
    /// a caller that only needs the structure can skip it.
    pub betweenness: bool,
}

impl Default for NetworkOptions {
    /// Everything is computed by default, matching [`network`].
    fn default() -> Self {
        Self { betweenness: true }
    }
}

/// The whole collaboration network, including betweenness centrality.
///
/// Use [`network_with_options`] to skip the `O(V·E)` centrality computation
/// on large inputs.
#[must_use]
pub fn network(memberships: &[Membership]) -> Network {
    network_with_options(memberships, NetworkOptions::default())
}

/// The whole collaboration network, computing only what `options` asks for.
#[must_use]
pub fn network_with_options(memberships: &[Membership], options: NetworkOptions) -> Network {
    CollaborationGraph::build(memberships).network(options)
}

/// A network cut to the organizations with the strongest ties, as [`strongest_network`] draws
/// it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StrongestNetwork {
    /// The organizations kept and the ties among them.
    pub network: Network,
    /// How many organizations the memberships hold, before the cut.
    pub total_nodes: usize,
}

/// The network of the `limit` organizations with the highest weighted degree (equal ones by
/// smaller id), with betweenness: the whole network when the memberships hold at most `limit`
/// organizations.
///
/// Degrees, weights and betweenness are those of the kept organizations among themselves: the
/// cut ranks by the whole network's weighted degrees, then measures the subgraph it keeps, so
/// betweenness (`O(V·E)`) is computed once, on at most `limit` organizations.
#[must_use]
pub fn strongest_network(memberships: &[Membership], limit: usize) -> StrongestNetwork {
    let drawn = CollaborationGraph::build(memberships);
    let total_nodes = drawn.node_count();
    let network = if total_nodes <= limit {
        drawn.network(NetworkOptions { betweenness: true })
    } else {
        // Keep the `limit` organizations with the strongest ties, then measure that subgraph.
        let mut nodes = drawn.network(NetworkOptions { betweenness: false }).nodes;
        nodes.sort_by(|a, b| {
            b.weighted_degree
                .total_cmp(&a.weighted_degree)
                .then(a.organization.cmp(&b.organization))
        });
        let keep: BTreeSet<i64> = nodes.iter().take(limit).map(|n| n.organization).collect();
        let kept: Vec<Membership> = memberships
            .iter()
            .copied()
            .filter(|m| keep.contains(&m.organization))
            .collect();
        network_with_options(&kept, NetworkOptions { betweenness: true })
    };
    StrongestNetwork {
        network,
        total_nodes,
    }
}

impl Network {
    /// Weighs every edge by the full member counts of its shared items, `members(item)`, and
    /// every node's weighted degree by those weights.
    ///
    /// The memberships a network is drawn from may leave out some members of an item (a filter
    /// keeps one country, or some kinds), and a tie must weigh the same in every view of the
    /// graph, as it does in the stored ties. An item `members` does not know weighs as a
    /// two-member one (1).
    pub fn reweigh(&mut self, members: impl Fn(ItemRef) -> Option<usize>) {
        // Unrounded weights summed per node, by position: `nodes` are sorted by id.
        let mut weighted = vec![0.0; self.nodes.len()];
        let position = |nodes: &[NetworkNode], organization: i64| {
            nodes.binary_search_by_key(&organization, |n| n.organization)
        };
        for edge in &mut self.edges {
            // Summed in the order of `shared` (by item), as the graph sums a pair's weight.
            let weight: f64 = edge
                .shared
                .iter()
                .map(|&item| item_share(members(item).unwrap_or(2)))
                .sum();
            for end in [edge.source, edge.target] {
                if let Ok(at) = position(&self.nodes, end) {
                    weighted[at] += weight;
                }
            }
            // Rounded once summed, as the graph rounds every weight (`rounded`).
            edge.weight = rounded(weight);
        }
        for (node, weighted) in self.nodes.iter_mut().zip(weighted) {
            node.weighted_degree = rounded(weighted);
        }
    }
}

impl CollaborationGraph {
    /// The whole weighted network.
    ///
    /// Betweenness uses Brandes' algorithm on the *unweighted* graph (hop
    /// distance), in `O(V·E)` time and `O(threads·V + E)` memory. Hops, not
    /// weights, because a weight measures tie strength rather than distance,
    /// and inverting it into one would make centrality depend on an arbitrary
    /// transform. Scores are normalised for an undirected graph, dividing the
    /// number of (fractional) shortest paths through a node by the
    /// `(n − 1)(n − 2) / 2` pairs of other nodes, so the hub of a star scores
    /// exactly 1.0; with `n ≤ 2` no node can lie between two others and all
    /// scores are 0. `n` counts every organization, isolated ones included.
    ///
    /// Betweenness is spread over the machine's cores (scoped `std` threads,
    /// joined before returning) and gives bit-identical scores whatever the
    /// core count. It still blocks the calling thread for seconds on tens of
    /// thousands of organizations, so run it off the async executor (e.g.
    /// `spawn_blocking`), cache it, or skip it via [`NetworkOptions`].
    #[must_use]
    pub fn network(&self, options: NetworkOptions) -> Network {
        let betweenness = if options.betweenness {
            self.betweenness()
        } else {
            vec![0.0; self.ids.len()]
        };
        let nodes = self
            .ids
            .iter()
            .zip(betweenness)
            .enumerate()
            .map(|(node, (&organization, betweenness))| NetworkNode {
                organization,
                degree: self.slots(node).len(),
                weighted_degree: rounded(
                    self.slots(node)
                        .map(|slot| self.edges[self.neighbour_edges[slot]].weight)
                        .sum(),
                ),
                betweenness: rounded(betweenness),
            })
            .collect();
        // Dense indices ascend with ids, so dense order is id order.
        let edges = self
            .edges
            .iter()
            .map(|edge| NetworkEdge {
                source: self.ids[edge.source],
                target: self.ids[edge.target],
                weight: rounded(edge.weight),
                shared: self.shared_of(edge).to_vec(),
            })
            .collect();
        Network { nodes, edges }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::*;

    #[test]
    fn network_is_ordered_and_independent_of_input_order() {
        // Project 5: {1000, -7}; event 2: {42, 3, -7}; programme 9: {3, 1000}.
        // Edges (sorted): (-7,3) 1/2, (-7,42) 1/2, (-7,1000) 1, (3,42) 1/2,
        // (3,1000) 1. The only non-adjacent pair is (42, 1000), with two
        // shortest paths, via -7 and via 3: each gets 1/2. n = 4, scale
        // 2/(3*2) = 1/3, so -7 and 3 score 1/6 and the others 0.
        let rows = vec![
            member(1000, project(5)),
            member(-7, project(5)),
            member(42, event(2)),
            member(3, event(2)),
            member(-7, event(2)),
            member(3, programme(9)),
            member(1000, programme(9)),
        ];
        let net = network(&rows);
        let ids: Vec<i64> = net.nodes.iter().map(|n| n.organization).collect();
        assert_eq!(ids, vec![-7, 3, 42, 1000]);
        let edges: Vec<(i64, i64, f64)> = net
            .edges
            .iter()
            .map(|e| (e.source, e.target, e.weight))
            .collect();
        assert_eq!(
            edges,
            vec![
                (-7, 3, 0.5),
                (-7, 42, 0.5),
                (-7, 1000, 1.0),
                (3, 42, 0.5),
                (3, 1000, 1.0),
            ]
        );
        assert_close(node(&net, -7).betweenness, 1.0 / 6.0);
        assert_close(node(&net, 3).betweenness, 1.0 / 6.0);
        assert_close(node(&net, 42).betweenness, 0.0);
        assert_close(node(&net, 1000).betweenness, 0.0);
        assert_close(node(&net, -7).weighted_degree, 2.0);

        // Same rows in another order: bit-for-bit the same answer.
        let mut reversed = rows.clone();
        reversed.reverse();
        assert_eq!(network(&reversed), net);

        // Skipping betweenness changes nothing else.
        let light = network_with_options(&rows, NetworkOptions { betweenness: false });
        assert!(light.nodes.iter().all(|n| n.betweenness == 0.0));
        assert_eq!(light.edges, net.edges);
        for (with, without) in net.nodes.iter().zip(&light.nodes) {
            assert_eq!(with.organization, without.organization);
            assert_eq!(with.degree, without.degree);
            assert_eq!(with.weighted_degree, without.weighted_degree);
        }

        // A graph built once answers like the free functions.
        let graph = CollaborationGraph::build(&rows);
        assert_eq!(graph.organizations(), &[-7, 3, 42, 1000]);
        assert!(graph.contains(42) && !graph.contains(41));
        assert_eq!(graph.network(NetworkOptions::default()), net);
        assert_eq!(graph.collaborators(3), collaborators(&rows, 3));
        assert_eq!(
            graph.connection_path(42, 1000, 2),
            connection_path(&rows, 42, 1000, 2)
        );
    }

    #[test]
    fn a_network_within_the_limit_is_the_whole_network() {
        let rows = pairs(&[(1, 2), (2, 3), (3, 4)]);
        let drawn = strongest_network(&rows, 4);
        assert_eq!(drawn.total_nodes, 4);
        assert_eq!(drawn.network, network(&rows));
        assert_eq!(strongest_network(&rows, usize::MAX).network, network(&rows));
        let empty = strongest_network(&[], 10);
        assert_eq!(empty, StrongestNetwork::default());
    }

    #[test]
    fn a_limit_keeps_the_strongest_and_measures_them_among_themselves() {
        // Project 1 {1, 2} (1), event 2 {2, 3, 4} (1/2 a pair), project 3 {4, 5} (1),
        // project 4 {5, 6} (1). Weighted degrees: 1: 1, 2: 2, 3: 1, 4: 2, 5: 2, 6: 1.
        let mut rows = pairs(&[(1, 2)]);
        rows.extend([2, 3, 4].map(|o| member(o, event(2))));
        rows.extend([member(4, project(3)), member(5, project(3))]);
        rows.extend([member(5, project(4)), member(6, project(4))]);
        let whole = network(&rows);
        let degrees: Vec<(i64, f64)> = whole
            .nodes
            .iter()
            .map(|n| (n.organization, n.weighted_degree))
            .collect();
        assert_eq!(
            degrees,
            vec![(1, 1.0), (2, 2.0), (3, 1.0), (4, 2.0), (5, 2.0), (6, 1.0)]
        );

        // Four kept: 2, 4 and 5 (2 each), then 1 before 3 and 6 (1 each, smaller id first).
        let drawn = strongest_network(&rows, 4);
        assert_eq!(drawn.total_nodes, 6);
        let ids: Vec<i64> = drawn.network.nodes.iter().map(|n| n.organization).collect();
        assert_eq!(ids, vec![1, 2, 4, 5]);
        // Among themselves event 2 has two members left, 2 and 4, so their tie weighs 1 (the
        // caller reweighs it by the full count); 5 lies between 4 and nobody else now, and the
        // chain 1 - 2 - 4 - 5 gives 2 and 4 a betweenness of 2 pairs each, times 2/(3·2).
        let edges: Vec<(i64, i64, f64)> = drawn
            .network
            .edges
            .iter()
            .map(|e| (e.source, e.target, e.weight))
            .collect();
        assert_eq!(edges, vec![(1, 2, 1.0), (2, 4, 1.0), (4, 5, 1.0)]);
        assert_close(node(&drawn.network, 2).betweenness, 2.0 / 3.0);
        assert_close(node(&drawn.network, 4).betweenness, 2.0 / 3.0);
        assert_close(node(&drawn.network, 1).betweenness, 0.0);
        assert_eq!(node(&drawn.network, 5).degree, 1);
        // The same cut whatever order the rows came in.
        let mut reversed = rows.clone();
        reversed.reverse();
        assert_eq!(strongest_network(&reversed, 4), drawn);
        // Nothing kept is still a count of what there was.
        let none = strongest_network(&rows, 0);
        assert_eq!(none.total_nodes, 6);
        assert_eq!(none.network, Network::default());
    }

    #[test]
    fn reweighing_counts_every_member_and_rounds_once_summed() {
        // Drawn: 1 with 2, 3 and 4, each through an item of its own with two members drawn
        // (weight 1); in full each item has four members, so each tie weighs 1/3.
        let rows = pairs(&[(1, 2), (1, 3), (1, 4), (2, 3)]);
        let mut drawn = network(&rows);
        drawn.reweigh(|item| (item.id < 3).then_some(4));
        let edges: Vec<(i64, i64, f64)> = drawn
            .edges
            .iter()
            .map(|e| (e.source, e.target, e.weight))
            .collect();
        // Project 3 (the 2-3 pair) is unknown to `members`: it weighs as two members would.
        assert_eq!(
            edges,
            vec![(1, 2, 0.3333), (1, 3, 0.3333), (1, 4, 0.3333), (2, 3, 1.0)]
        );
        // 1's three ties of 1/3 sum to 1, not three times 0.3333.
        assert_eq!(node(&drawn, 1).weighted_degree, 1.0);
        assert_eq!(node(&drawn, 2).weighted_degree, 1.3333);
        assert_eq!(node(&drawn, 4).weighted_degree, 0.3333);
        // Only weights change.
        let whole = network(&rows);
        for (before, after) in whole.nodes.iter().zip(&drawn.nodes) {
            assert_eq!(
                (before.organization, before.degree, before.betweenness),
                (after.organization, after.degree, after.betweenness)
            );
        }
        // Counts equal to the drawn members change nothing, to the bit.
        let mut same = network(&rows);
        same.reweigh(|_| Some(2));
        assert_eq!(same, whole);
        // A node without ties keeps a weighted degree of 0.
        let mut lone = network(&[member(9, event(1))]);
        lone.reweigh(|_| Some(5));
        assert_eq!(node(&lone, 9).weighted_degree, 0.0);
    }

    #[test]
    fn reweighing_sums_a_pair_over_its_items_in_item_order() {
        // 1 and 2 share project 0 (full size 4: 1/3) and event 2 (full size 5: 1/4) and
        // programme 3 (full size 7: 1/6): 1/3 + 1/4 + 1/6 is 0.7499999999999999 in floats,
        // shown as 0.75, the weight the stored ties give the same pair.
        let mut rows = pairs(&[(1, 2)]);
        rows.extend([member(1, event(2)), member(2, event(2))]);
        rows.extend([member(1, programme(3)), member(2, programme(3))]);
        let mut drawn = network(&rows);
        drawn.reweigh(|item| match item.kind {
            ItemKind::Project => Some(4),
            ItemKind::Event => Some(5),
            ItemKind::Programme => Some(7),
        });
        assert_eq!(drawn.edges[0].weight, 0.75);
        assert_eq!(drawn.edges[0].weight.to_string(), "0.75");
        assert_eq!(node(&drawn, 1).weighted_degree, 0.75);
    }
}
