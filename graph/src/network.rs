//! The whole weighted collaboration network: every organization with its degrees and
//! betweenness, every collaborating pair with its shared items.

use crate::{CollaborationGraph, ItemRef, Membership, rounded};

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
}
