//! Collaboration-graph algorithms for libgraph.
//!
//! This crate owns the graph questions the API answers about partner
//! organizations: who an organization works with ([`collaborators`]), the
//! whole weighted collaboration network with centrality ([`network`]) and how
//! two organizations are connected ([`connection_path`]).
//!
//! Everything here is a pure function over plain Rust values ([`Membership`]
//! rows, loaded from the database by the caller). It is a crate of its own
//! because two callers must compute tie weights the same way to the bit: the
//! loader (`seeds`), which stores every organization's [`ties`] in the
//! `collaboration` table, and the API, which computes filtered collaborators
//! from memberships when a stored tie cannot answer. The algorithms are kept out
//! of the GraphQL resolvers so they can be unit-tested on hand-made graphs
//! without a database or a schema, and so the resolvers stay thin: load rows,
//! call one function, map the result.
//!
//! Two organizations collaborate when they take part in at least one shared
//! item (project, event or programme). [`CollaborationGraph`] projects the
//! membership rows onto that organization-to-organization graph once, so a
//! caller answering several questions over the same rows pays for the
//! projection only once; the free functions are shorthands that build a graph
//! and ask it a single question.
//!
//! The crate serves a public API, so it never panics on its input, and its
//! output is deterministic: organizations are ordered by id, items by
//! `(kind, id)`, and every tie is broken by id, so the same data always yields
//! the same answer regardless of the order the rows arrived in.

use std::num::NonZeroUsize;
use std::ops::Range;
use std::thread;

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
    /// Tie strength, computed as in [`Collaboration::weight`].
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

/// One step of a [`connection_path`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Hop {
    /// The organization the step starts from.
    pub from: i64,
    /// The organization the step arrives at.
    pub to: i64,
    /// Every item the two organizations share, sorted.
    pub via: Vec<ItemRef>,
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
/// [`CollaborationGraph::build`]: one per item and organization, years merged).
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

/// The shortest chain of collaborations from `from` to `to` using at most
/// `max_hops` hops; see [`CollaborationGraph::connection_path`].
#[must_use]
pub fn connection_path(
    memberships: &[Membership],
    from: i64,
    to: i64,
    max_hops: usize,
) -> Option<Vec<Hop>> {
    CollaborationGraph::build(memberships).connection_path(from, to, max_hops)
}

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
    ids: Vec<i64>,
    /// Neighbours of node `v` live at `offsets[v]..offsets[v + 1]`.
    offsets: Vec<usize>,
    /// Neighbour node per adjacency slot, ascending within each node.
    neighbour_nodes: Vec<usize>,
    /// Edge index per adjacency slot, parallel to `neighbour_nodes`.
    neighbour_edges: Vec<usize>,
    /// Edges sorted by `(source, target)` with `source < target`.
    edges: Vec<Edge>,
    /// Shared items of all edges, concatenated; each edge owns a range.
    shared: Vec<ItemRef>,
}

#[derive(Clone, Debug)]
struct Edge {
    source: usize,
    target: usize,
    /// As summed, not [`rounded`]: weighted degrees sum these, and are rounded once summed.
    weight: f64,
    first_year: Option<i32>,
    last_year: Option<i32>,
    shared_start: usize,
    shared_end: usize,
}

/// One organization's (merged) participation in one item: `I` and `N` are the item and the
/// organization, as values or as indexes.
struct Slot<I, N> {
    item: I,
    node: N,
    first: Option<i32>,
    last: Option<i32>,
}

impl<I: Ord + Copy, N: Ord + Copy> Slot<I, N> {
    /// A membership's slot; a missing bound falls back to the other one, so a row known only
    /// by its end year still dates the collaboration.
    fn new(item: I, node: N, m: &Membership) -> Self {
        Slot {
            item,
            node,
            first: m.year_from.or(m.year_to),
            last: m.year_to.or(m.year_from),
        }
    }

    /// Sorts by (item, node) and merges repeated memberships, widening their years, so a
    /// repeat neither inflates an item's member count nor pairs an organization with itself.
    fn merge(slots: &mut Vec<Self>) {
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

    /// The shortest chain of collaborations (fewest hops) from `from` to
    /// `to`, each hop listing every item its two organizations share.
    ///
    /// Among equally short chains the one whose sequence of organization ids
    /// is lexicographically smallest wins, so the answer is stable. Returns
    /// `Some(vec![])` when `from == to` (whether or not the organization is
    /// known), and `None` when either organization is unknown or no chain of
    /// at most `max_hops` hops exists.
    ///
    /// A breadth-first search from `to` records hop distances, stopping as
    /// soon as `from` is reached or `max_hops` is exhausted; a greedy walk
    /// from `from` then always steps to the smallest-id neighbour one hop
    /// closer to `to`. Searching from the target is what makes the greedy
    /// walk exact: every neighbour it considers is known to lie on a shortest
    /// chain, so the smallest choice at each step gives the smallest sequence.
    #[must_use]
    pub fn connection_path(&self, from: i64, to: i64, max_hops: usize) -> Option<Vec<Hop>> {
        if from == to {
            return Some(Vec::new());
        }
        let (start, walk) = self.walk(from, to, max_hops)?;
        let mut current = start;
        Some(
            walk.into_iter()
                .map(|slot| {
                    let next = self.neighbour_nodes[slot];
                    let hop = Hop {
                        from: self.ids[current],
                        to: self.ids[next],
                        via: self
                            .shared_of(&self.edges[self.neighbour_edges[slot]])
                            .to_vec(),
                    };
                    current = next;
                    hop
                })
                .collect(),
        )
    }

    /// The organizations on the path [`CollaborationGraph::connection_path`] takes, `from` and
    /// `to` included; `[from]` when they are the same organization.
    #[must_use]
    pub fn route(&self, from: i64, to: i64, max_hops: usize) -> Option<Vec<i64>> {
        if from == to {
            return Some(vec![from]);
        }
        let (start, walk) = self.walk(from, to, max_hops)?;
        let mut route = Vec::with_capacity(walk.len() + 1);
        route.push(self.ids[start]);
        route.extend(
            walk.iter()
                .map(|&slot| self.ids[self.neighbour_nodes[slot]]),
        );
        Some(route)
    }

    /// The start node of the shortest path between two different organizations and the
    /// adjacency slots it walks, or `None` when there is no path of at most `max_hops` hops.
    fn walk(&self, from: i64, to: i64, max_hops: usize) -> Option<(usize, Vec<usize>)> {
        let start = self.ids.binary_search(&from).ok()?;
        let goal = self.ids.binary_search(&to).ok()?;

        let mut distance = vec![usize::MAX; self.ids.len()];
        distance[goal] = 0;
        let mut queue = vec![goal];
        let mut head = 0;
        // When `start` is first discovered, every node closer to the goal has
        // already been discovered (BFS enqueues a whole level before
        // dequeuing it), which is all the greedy walk needs, so stop there.
        'search: while let Some(&node) = queue.get(head) {
            head += 1;
            let next = distance[node] + 1;
            if next > max_hops {
                // Levels are dequeued in order, so nothing later is closer.
                break;
            }
            for slot in self.slots(node) {
                let neighbour = self.neighbour_nodes[slot];
                if distance[neighbour] == usize::MAX {
                    distance[neighbour] = next;
                    if neighbour == start {
                        break 'search;
                    }
                    queue.push(neighbour);
                }
            }
        }
        let length = distance[start];
        if length == usize::MAX {
            return None;
        }

        let mut walk = Vec::with_capacity(length);
        let mut current = start;
        for remaining in (0..length).rev() {
            // Neighbour lists ascend by id, so the first match is the
            // smallest. The invariant above guarantees a match; `?` keeps a
            // broken invariant from ever becoming a panic.
            let slot = self
                .slots(current)
                .find(|&slot| distance[self.neighbour_nodes[slot]] == remaining)?;
            walk.push(slot);
            current = self.neighbour_nodes[slot];
        }
        Some((start, walk))
    }

    /// Adjacency slots of `node`.
    fn slots(&self, node: usize) -> Range<usize> {
        self.offsets[node]..self.offsets[node + 1]
    }

    fn shared_of(&self, edge: &Edge) -> &[ItemRef] {
        &self.shared[edge.shared_start..edge.shared_end]
    }

    /// Normalised betweenness per dense index (Brandes 2001).
    ///
    /// Sources are cut into fixed blocks of [`SOURCES_PER_BLOCK`]; each
    /// block's contributions are summed on their own and the block sums are
    /// added up in block order. Blocks run in parallel when the machine has
    /// several cores, and because neither the blocks nor the summation order
    /// depend on the number of threads, the result is bit-for-bit the same
    /// on every machine.
    fn betweenness(&self) -> Vec<f64> {
        let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
        self.betweenness_with_workers(cores)
    }

    /// [`Self::betweenness`] on at most `workers` threads (tests pin it).
    fn betweenness_with_workers(&self, workers: usize) -> Vec<f64> {
        // Any graph that fits in memory has fewer than 2^32 organizations;
        // `usize` indices only keep absurd inputs correct rather than fast.
        if u32::try_from(self.ids.len()).is_ok() {
            self.brandes::<u32>(workers)
        } else {
            self.brandes::<usize>(workers)
        }
    }

    fn brandes<I: NodeIndex>(&self, workers: usize) -> Vec<f64> {
        let n = self.ids.len();
        let mut centrality = vec![0.0; n];
        if n <= 2 {
            return centrality;
        }
        let adjacency = Adjacency {
            offsets: &self.offsets,
            neighbours: self
                .neighbour_nodes
                .iter()
                .map(|&node| I::from_usize(node))
                .collect(),
        };
        let blocks = n.div_ceil(SOURCES_PER_BLOCK);
        let workers = workers.clamp(1, blocks);
        let mut workspaces: Vec<Brandes<I>> = (0..workers).map(|_| Brandes::new(n)).collect();
        let block_sources = |block: usize| {
            let start = block * SOURCES_PER_BLOCK;
            start..n.min(start + SOURCES_PER_BLOCK)
        };

        let mut next_block = 0;
        while next_block < blocks {
            let round = workers.min(blocks - next_block);
            let mut done = vec![false; round];
            thread::scope(|scope| {
                let mut jobs = workspaces.iter_mut().zip(&mut done).enumerate();
                // The calling thread takes the first block itself rather
                // than idling, so a single-core run spawns nothing.
                let local = jobs.next();
                for (offset, (workspace, finished)) in jobs.take(round - 1) {
                    let sources = block_sources(next_block + offset);
                    let adjacency = &adjacency;
                    // A failed spawn only means that block is computed
                    // below, on this thread.
                    let _ = thread::Builder::new().spawn_scoped(scope, move || {
                        workspace.accumulate(adjacency, sources);
                        *finished = true;
                    });
                }
                if let Some((_, (workspace, finished))) = local {
                    workspace.accumulate(&adjacency, block_sources(next_block));
                    *finished = true;
                }
            });
            for (offset, (workspace, finished)) in workspaces.iter_mut().zip(done).enumerate() {
                if !finished {
                    workspace.accumulate(&adjacency, block_sources(next_block + offset));
                }
                for (total, part) in centrality.iter_mut().zip(&workspace.partial) {
                    *total += part;
                }
            }
            next_block += round;
        }

        // Every unordered pair was counted once from each end, so the
        // undirected score is half the sum; times 2/((n-1)(n-2)) that is:
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        for value in &mut centrality {
            *value *= scale;
        }
        centrality
    }
}

/// How many betweenness sources form one unit of work. Fixed, so the
/// floating-point summation order, and therefore the result, never depends
/// on the machine's core count; large enough that merging block sums and
/// handing blocks to threads costs nothing next to the searches.
const SOURCES_PER_BLOCK: usize = 64;

/// A dense node index as the betweenness kernel stores it. The kernel is
/// bound by memory traffic, and `u32` indices make its arrays half the size
/// of `usize` ones (about 20% faster on a 20k-node graph).
trait NodeIndex: Copy + PartialEq + Send + Sync {
    /// Marks a node the current search has not reached.
    const UNREACHED: Self;
    /// Converts an index (or distance) known to be below the graph's node
    /// count, which the caller has checked fits the type.
    fn from_usize(value: usize) -> Self;
    fn to_usize(self) -> usize;
}

impl NodeIndex for u32 {
    const UNREACHED: Self = u32::MAX;
    fn from_usize(value: usize) -> Self {
        value as u32
    }
    fn to_usize(self) -> usize {
        self as usize
    }
}

impl NodeIndex for usize {
    const UNREACHED: Self = usize::MAX;
    fn from_usize(value: usize) -> Self {
        value
    }
    fn to_usize(self) -> usize {
        self
    }
}

/// Compressed adjacency in the kernel's index type, shared by all threads.
struct Adjacency<'a, I> {
    offsets: &'a [usize],
    neighbours: Vec<I>,
}

impl<I: NodeIndex> Adjacency<'_, I> {
    fn of(&self, node: usize) -> &[I] {
        &self.neighbours[self.offsets[node]..self.offsets[node + 1]]
    }
}

/// Reusable working memory for Brandes' algorithm, one per thread.
///
/// Arrays are allocated once and reset only where a search touched them, so
/// a source in a small component costs only that component, not `O(V)`.
struct Brandes<I> {
    /// Sum of the dependencies of the sources of the last block.
    partial: Vec<f64>,
    /// Hop distance from the current source (always below the node count,
    /// so it fits the index type).
    distance: Vec<I>,
    /// Number of shortest paths from the source. Counts grow exponentially
    /// in dense graphs; f64 cannot overflow where an integer would, and only
    /// ratios of counts are used.
    paths: Vec<f64>,
    /// `(1 + dependency) / paths` per node, the share each shortest path
    /// through a node passes back to the node's predecessors. Needs no
    /// reset: the backward pass writes a node's value before any parent
    /// reads it.
    coefficient: Vec<f64>,
    /// Nodes in the order the search reached them, i.e. by distance.
    order: Vec<I>,
    /// Successors on shortest paths, grouped by node in search order;
    /// recording them here lets the backward pass read one contiguous list
    /// instead of rescanning and filtering every adjacency list.
    children: Vec<I>,
    /// Where each node's group starts in `children`, parallel to `order`.
    children_start: Vec<usize>,
}

impl<I: NodeIndex> Brandes<I> {
    fn new(n: usize) -> Self {
        Self {
            partial: vec![0.0; n],
            distance: vec![I::UNREACHED; n],
            paths: vec![0.0; n],
            coefficient: vec![0.0; n],
            order: Vec::with_capacity(n),
            children: Vec::new(),
            children_start: Vec::with_capacity(n),
        }
    }

    /// Replaces `partial` with the summed dependencies of `sources`.
    fn accumulate(&mut self, adjacency: &Adjacency<'_, I>, sources: Range<usize>) {
        self.partial.fill(0.0);
        for source in sources {
            self.single_source(adjacency, source);
        }
    }

    fn single_source(&mut self, adjacency: &Adjacency<'_, I>, source: usize) {
        let Self {
            partial,
            distance,
            paths,
            coefficient,
            order,
            children,
            children_start,
        } = self;
        distance[source] = I::from_usize(0);
        paths[source] = 1.0;
        order.push(I::from_usize(source));
        let mut head = 0;
        while let Some(&node) = order.get(head) {
            head += 1;
            let node = node.to_usize();
            let next = I::from_usize(distance[node].to_usize() + 1);
            let node_paths = paths[node];
            children_start.push(children.len());
            for &neighbour in adjacency.of(node) {
                let index = neighbour.to_usize();
                if distance[index] == I::UNREACHED {
                    distance[index] = next;
                    order.push(neighbour);
                }
                if distance[index] == next {
                    paths[index] += node_paths;
                    children.push(neighbour);
                }
            }
        }
        // Farthest nodes first, so every child's coefficient is final
        // before its parents read it.
        let mut end = children.len();
        for (&node, &start) in order.iter().zip(children_start.iter()).rev() {
            let node = node.to_usize();
            let through: f64 = children[start..end]
                .iter()
                .map(|&child| coefficient[child.to_usize()])
                .sum();
            end = start;
            let dependency = paths[node] * through;
            coefficient[node] = (1.0 + dependency) / paths[node];
            if node != source {
                partial[node] += dependency;
            }
        }
        for &node in order.iter() {
            let node = node.to_usize();
            distance[node] = I::UNREACHED;
            paths[node] = 0.0;
        }
        order.clear();
        children.clear();
        children_start.clear();
    }
}

/// The earlier of two optional years, ignoring missing ones.
fn earliest(a: Option<i32>, b: Option<i32>) -> Option<i32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The later of two optional years, ignoring missing ones.
fn latest(a: Option<i32>, b: Option<i32>) -> Option<i32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet, VecDeque};

    fn project(id: i64) -> ItemRef {
        ItemRef {
            kind: ItemKind::Project,
            id,
        }
    }

    fn event(id: i64) -> ItemRef {
        ItemRef {
            kind: ItemKind::Event,
            id,
        }
    }

    fn programme(id: i64) -> ItemRef {
        ItemRef {
            kind: ItemKind::Programme,
            id,
        }
    }

    fn member(organization: i64, item: ItemRef) -> Membership {
        dated(organization, item, None, None)
    }

    fn dated(
        organization: i64,
        item: ItemRef,
        year_from: Option<i32>,
        year_to: Option<i32>,
    ) -> Membership {
        Membership {
            organization,
            item,
            year_from,
            year_to,
        }
    }

    /// One two-member project per edge, project id = position in `edges`.
    fn pairs(edges: &[(i64, i64)]) -> Vec<Membership> {
        let mut rows = Vec::new();
        for (index, &(a, b)) in edges.iter().enumerate() {
            let item = project(index as i64);
            rows.push(member(a, item));
            rows.push(member(b, item));
        }
        rows
    }

    /// `actual` is `expected` as the crate gives it: [`rounded`] to four places.
    fn assert_close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() <= 0.5e-4 + 1e-9 && rounded(actual) == actual,
            "expected {expected} to four places, got {actual}"
        );
    }

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

    fn node(network: &Network, organization: i64) -> &NetworkNode {
        match network
            .nodes
            .iter()
            .find(|n| n.organization == organization)
        {
            Some(found) => found,
            None => panic!("organization {organization} missing from network"),
        }
    }

    /// The organizations visited by a path, endpoints included.
    fn visited(from: i64, hops: &[Hop]) -> Vec<i64> {
        let mut orgs = vec![from];
        for (index, hop) in hops.iter().enumerate() {
            assert_eq!(hop.from, orgs[index], "hops must chain");
            orgs.push(hop.to);
        }
        orgs
    }

    fn route(rows: &[Membership], from: i64, to: i64, max_hops: usize) -> Option<Vec<i64>> {
        connection_path(rows, from, to, max_hops).map(|hops| visited(from, &hops))
    }

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

    #[test]
    fn path_graph_betweenness_degrees_and_route() {
        // 1 - 2 - 3 - 4 - 5, each link its own two-member project (weight 1).
        // Pairs of other nodes routed through each node:
        //   2: (1,3) (1,4) (1,5)             = 3
        //   3: (1,4) (1,5) (2,4) (2,5)       = 4
        //   4: (1,5) (2,5) (3,5)             = 3
        // n = 5, so the scale is 2/((n-1)(n-2)) = 2/12 = 1/6:
        //   2 -> 0.5, 3 -> 2/3, 4 -> 0.5, endpoints -> 0.
        let rows = pairs(&[(1, 2), (2, 3), (3, 4), (4, 5)]);
        let net = network(&rows);
        let ids: Vec<i64> = net.nodes.iter().map(|n| n.organization).collect();
        assert_eq!(ids, vec![1, 2, 3, 4, 5]);
        let expected = [
            (1, 0.0, 1),
            (2, 0.5, 2),
            (3, 2.0 / 3.0, 2),
            (4, 0.5, 2),
            (5, 0.0, 1),
        ];
        for (organization, betweenness, degree) in expected {
            let n = node(&net, organization);
            assert_close(n.betweenness, betweenness);
            assert_eq!(n.degree, degree);
            assert_close(n.weighted_degree, degree as f64);
        }
        assert_eq!(net.edges.len(), 4);
        assert_eq!(route(&rows, 1, 5, 10), Some(vec![1, 2, 3, 4, 5]));
        assert_eq!(route(&rows, 5, 2, 10), Some(vec![5, 4, 3, 2]));
    }

    #[test]
    fn star_hub_has_normalised_betweenness_one() {
        // Hub 10 with leaves 1..=5 (n = 6). Every one of the C(5,2) = 10 leaf
        // pairs routes only through the hub: 10 * 2/(5*4) = 1.0. Leaves lie
        // on no shortest path between others.
        let rows = pairs(&[(10, 1), (10, 2), (10, 3), (10, 4), (10, 5)]);
        let net = network(&rows);
        assert_close(node(&net, 10).betweenness, 1.0);
        assert_eq!(node(&net, 10).degree, 5);
        for leaf in 1..=5 {
            assert_close(node(&net, leaf).betweenness, 0.0);
            assert_eq!(node(&net, leaf).degree, 1);
        }
        let ids: Vec<i64> = collaborators(&rows, 10)
            .iter()
            .map(|c| c.organization)
            .collect();
        assert_eq!(ids, vec![1, 2, 3, 4, 5]);
        assert_eq!(route(&rows, 4, 2, 2), Some(vec![4, 10, 2]));
    }

    #[test]
    fn bridged_triangles() {
        // Triangles {1,2,3} and {4,5,6}, each a three-member event (pair
        // weight 1/2), joined by a two-member project 3-4 (weight 1).
        //   3 lies on the only shortest path of (1|2, 4|5|6): 6 pairs.
        //   4 symmetrically on (1|2|3, 5|6): 6 pairs.
        //   1, 2, 5, 6: on none (their triangle partners are adjacent).
        // n = 6, scale 2/(5*4) = 0.1, so the bridge ends score 0.6.
        let mut rows = Vec::new();
        for org in [1, 2, 3] {
            rows.push(member(org, event(1)));
        }
        for org in [4, 5, 6] {
            rows.push(member(org, event(2)));
        }
        rows.push(member(3, project(1)));
        rows.push(member(4, project(1)));
        let net = network(&rows);
        assert_eq!(net.edges.len(), 7);
        assert_close(node(&net, 3).betweenness, 0.6);
        assert_close(node(&net, 4).betweenness, 0.6);
        for org in [1, 2, 5, 6] {
            assert_close(node(&net, org).betweenness, 0.0);
        }
        // 3: two triangle edges of 1/2 plus the bridge of 1.
        assert_close(node(&net, 3).weighted_degree, 2.0);
        assert_close(node(&net, 1).weighted_degree, 1.0);
        assert_eq!(node(&net, 3).degree, 3);
        assert_eq!(route(&rows, 1, 6, 3), Some(vec![1, 3, 4, 6]));
        assert_eq!(route(&rows, 1, 6, 2), None);
    }

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

    #[test]
    fn disconnected_pairs_and_unknown_organizations() {
        // Components {1, 2} and {3, 4}; 9 appears alone in an event.
        let mut rows = pairs(&[(1, 2), (3, 4)]);
        rows.push(member(9, event(1)));
        assert_eq!(connection_path(&rows, 1, 3, usize::MAX), None);
        assert_eq!(connection_path(&rows, 1, 9, usize::MAX), None);
        assert_eq!(connection_path(&rows, 1, 99, usize::MAX), None);
        assert_eq!(connection_path(&rows, 99, 1, usize::MAX), None);
        assert_eq!(route(&rows, 4, 3, 1), Some(vec![4, 3]));
        let ids: Vec<i64> = collaborators(&rows, 1)
            .iter()
            .map(|c| c.organization)
            .collect();
        assert_eq!(ids, vec![2]);
        assert!(collaborators(&rows, 9).is_empty());
        assert!(collaborators(&rows, 99).is_empty());
        // The isolated organization is still a node; nobody lies between
        // two others, so all betweenness is 0.
        let net = network(&rows);
        assert_eq!(net.nodes.len(), 5);
        assert_eq!(node(&net, 9).degree, 0);
        assert!(net.nodes.iter().all(|n| n.betweenness == 0.0));
    }

    #[test]
    fn max_hops_cuts_off_longer_routes() {
        // 1 - 2 - 3 - 4: 1 to 4 needs exactly 3 hops.
        let rows = pairs(&[(1, 2), (2, 3), (3, 4)]);
        assert_eq!(route(&rows, 1, 4, 3), Some(vec![1, 2, 3, 4]));
        assert_eq!(route(&rows, 1, 4, usize::MAX), Some(vec![1, 2, 3, 4]));
        assert_eq!(route(&rows, 1, 4, 2), None);
        assert_eq!(route(&rows, 1, 2, 0), None);
        assert_eq!(route(&rows, 1, 2, 1), Some(vec![1, 2]));
        // A shortcut within the limit is found even when a longer route
        // exceeds it: adding 1-4 makes it one hop.
        let shortcut = pairs(&[(1, 2), (2, 3), (3, 4), (1, 4)]);
        assert_eq!(route(&shortcut, 1, 4, 1), Some(vec![1, 4]));
    }

    #[test]
    fn from_equals_to_is_an_empty_path() {
        let rows = pairs(&[(1, 2)]);
        assert_eq!(connection_path(&rows, 1, 1, 0), Some(vec![]));
        assert_eq!(connection_path(&rows, 1, 1, 5), Some(vec![]));
        assert_eq!(connection_path(&rows, 42, 42, 0), Some(vec![]));
    }

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

    #[test]
    fn equal_length_paths_pick_smallest_id_sequence() {
        // Diamond: 1 reaches 9 through 5, 3 or 7 (listed in that order).
        // Smallest sequence: 1, 3, 9.
        let diamond = pairs(&[(1, 5), (5, 9), (1, 7), (7, 9), (1, 3), (3, 9)]);
        assert_eq!(route(&diamond, 1, 9, 5), Some(vec![1, 3, 9]));
        assert_eq!(route(&diamond, 9, 1, 5), Some(vec![9, 3, 1]));

        // Two three-hop routes: 1-3-4-9 and 1-2-7-9. Rows list the 3 branch
        // first, so following input order gives 1-3-4-9; parent pointers
        // from a search started at 9 also give 1-3-4-9 (9 reaches 4 before
        // 7, and 4's branch reaches 1 first). The smallest sequence is
        // 1-2-7-9. In the other direction it is 9-4-3-1, not the reverse.
        let rows = pairs(&[(1, 3), (3, 4), (4, 9), (1, 2), (2, 7), (7, 9)]);
        assert_eq!(route(&rows, 1, 9, 3), Some(vec![1, 2, 7, 9]));
        assert_eq!(route(&rows, 9, 1, 3), Some(vec![9, 4, 3, 1]));
        let mut reversed = rows.clone();
        reversed.reverse();
        assert_eq!(route(&reversed, 1, 9, 3), Some(vec![1, 2, 7, 9]));
    }

    #[test]
    fn hops_list_every_shared_item_sorted() {
        let rows = vec![
            member(1, programme(1)),
            member(2, programme(1)),
            member(2, event(3)),
            member(1, event(3)),
            member(1, project(7)),
            member(2, project(7)),
            member(2, project(2)),
            member(3, project(2)),
        ];
        let expected = vec![
            Hop {
                from: 1,
                to: 2,
                via: vec![project(7), event(3), programme(1)],
            },
            Hop {
                from: 2,
                to: 3,
                via: vec![project(2)],
            },
        ];
        assert_eq!(connection_path(&rows, 1, 3, 2), Some(expected));
    }

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
    fn betweenness_is_exact_and_thread_count_independent_across_blocks() {
        // A path of 150 nodes spans three source blocks. Node k (1-based)
        // separates the k-1 nodes before it from the N-k after it, so its
        // raw score is (k-1)(N-k), normalised by 2/((N-1)(N-2)).
        let n: i64 = 150;
        let links: Vec<(i64, i64)> = (1..n).map(|k| (k, k + 1)).collect();
        let graph = CollaborationGraph::build(&pairs(&links));
        let single = graph.betweenness_with_workers(1);
        let scale = 2.0 / ((n - 1) as f64 * (n - 2) as f64);
        for (index, &score) in single.iter().enumerate() {
            let k = index as f64 + 1.0;
            // Unrounded here: only the network's output is rounded.
            let expected = (k - 1.0) * (n as f64 - k) * scale;
            assert!((score - expected).abs() < 1e-9, "{score} {expected}");
        }
        // Same bits whatever the number of threads, including more threads
        // than blocks.
        for workers in [2, 3, 8] {
            let parallel = graph.betweenness_with_workers(workers);
            let same = single
                .iter()
                .zip(&parallel)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{workers} workers changed the result");
        }
        // The wide-index fallback for huge graphs computes the same bits.
        let wide = graph.brandes::<usize>(2);
        assert!(
            single
                .iter()
                .zip(&wide)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        let net = graph.network(NetworkOptions::default());
        let reported: Vec<f64> = net.nodes.iter().map(|node| node.betweenness).collect();
        let single: Vec<f64> = single.into_iter().map(rounded).collect();
        assert_eq!(reported, single);
    }

    /// Cross-checks every answer against slow, independent definitions on a
    /// pseudo-random graph with mixed item sizes and duplicate rows.
    #[test]
    fn matches_brute_force_on_pseudo_random_graph() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut draw = |bound: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % bound
        };
        let kinds = [ItemKind::Project, ItemKind::Event, ItemKind::Programme];
        let mut rows = Vec::new();
        for item in 0..15u64 {
            let item = ItemRef {
                kind: kinds[(item % 3) as usize],
                id: item as i64,
            };
            for _ in 0..2 + draw(3) {
                rows.push(member(draw(16) as i64 * 10 - 40, item));
            }
        }

        // Independent model: member sets per item, then pair sets.
        let mut members: BTreeMap<ItemRef, BTreeSet<i64>> = BTreeMap::new();
        for row in &rows {
            members
                .entry(row.item)
                .or_default()
                .insert(row.organization);
        }
        let orgs: Vec<i64> = rows
            .iter()
            .map(|r| r.organization)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut weight: BTreeMap<(i64, i64), f64> = BTreeMap::new();
        let mut adjacent: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for set in members.values() {
            for &a in set {
                for &b in set {
                    if a < b {
                        *weight.entry((a, b)).or_default() += 1.0 / (set.len() - 1) as f64;
                        adjacent.entry(a).or_default().insert(b);
                        adjacent.entry(b).or_default().insert(a);
                    }
                }
            }
        }

        // The direct collaborators of each organization are the graph's, weights bit-identical;
        // rows dated at random, duplicated for one item, and shuffled by the draw above.
        let mut dated_rows = rows.clone();
        for (i, row) in dated_rows.iter_mut().enumerate() {
            row.year_from = (i % 3 != 0).then_some(2010 + draw(10) as i32);
            row.year_to = (i % 4 != 0).then_some(2015 + draw(10) as i32);
        }
        dated_rows.push(dated_rows[0]);
        dated_rows.reverse();
        let graph = CollaborationGraph::build(&dated_rows);
        for &org in &orgs {
            assert_eq!(
                collaborators(&dated_rows, org),
                graph.collaborators(org),
                "collaborators of {org}"
            );
        }
        // The stored ties of every organization at once are those collaborators, to the bit.
        let all_ties = ties(&dated_rows, |_| true);
        for &org in &orgs {
            let mut expected: Vec<Tie> = collaborators(&dated_rows, org)
                .into_iter()
                .map(|c| Tie {
                    organization: org,
                    partner: c.organization,
                    shared_count: c.shared.len(),
                    weight: c.weight,
                    first_year: c.first_year,
                    last_year: c.last_year,
                })
                .collect();
            expected.sort_by_key(|t| t.partner);
            let stored: Vec<Tie> = all_ties
                .iter()
                .copied()
                .filter(|t| t.organization == org)
                .collect();
            assert_eq!(stored, expected, "ties of {org}");
        }
        assert!(
            all_ties
                .windows(2)
                .all(|w| (w[0].organization, w[0].partner) < (w[1].organization, w[1].partner))
        );
        // Ties of a few organizations only need those organizations' items.
        let some: Vec<Tie> = ties(&dated_rows, |o| o == orgs[1] || o == orgs[4]);
        assert_eq!(
            some,
            all_ties
                .iter()
                .copied()
                .filter(|t| t.organization == orgs[1] || t.organization == orgs[4])
                .collect::<Vec<_>>()
        );
        // Walking the stored pairs (both directions, repeated) takes the graph's routes.
        let pairs: Vec<(i64, i64)> = all_ties
            .iter()
            .map(|t| (t.organization, t.partner))
            .collect();
        let walked = CollaborationGraph::from_pairs(&pairs);
        for &a in &orgs {
            for &b in &orgs {
                for hops in [1, 2, 6] {
                    assert_eq!(
                        walked.route(a, b, hops),
                        graph.route(a, b, hops),
                        "{a} → {b}"
                    );
                }
            }
        }

        let net = network(&rows);
        assert_eq!(net.edges.len(), weight.len());
        for edge in &net.edges {
            match weight.get(&(edge.source, edge.target)) {
                Some(&expected) => assert_close(edge.weight, expected),
                None => panic!("unexpected edge {edge:?}"),
            }
        }

        // All-pairs hop distances and shortest-path counts.
        let n = orgs.len();
        let index = |org: i64| orgs.binary_search(&org).unwrap_or(usize::MAX);
        let mut dist = vec![vec![usize::MAX; n]; n];
        let mut count = vec![vec![0.0f64; n]; n];
        for s in 0..n {
            dist[s][s] = 0;
            count[s][s] = 1.0;
            let mut queue = VecDeque::from([s]);
            while let Some(v) = queue.pop_front() {
                for &w in adjacent.get(&orgs[v]).into_iter().flatten() {
                    let w = index(w);
                    if dist[s][w] == usize::MAX {
                        dist[s][w] = dist[s][v] + 1;
                        queue.push_back(w);
                    }
                    if dist[s][w] == dist[s][v] + 1 {
                        count[s][w] += count[s][v];
                    }
                }
            }
        }
        // Betweenness by definition: the share of each pair's shortest paths
        // passing through v.
        let mut longest = 0;
        let mut expected = vec![0.0; n];
        for s in 0..n {
            for t in s + 1..n {
                if dist[s][t] == usize::MAX {
                    continue;
                }
                longest = longest.max(dist[s][t]);
                for (v, score) in expected.iter_mut().enumerate() {
                    if v != s
                        && v != t
                        && dist[s][v] != usize::MAX
                        && dist[s][v] + dist[v][t] == dist[s][t]
                    {
                        *score += count[s][v] * count[v][t] / count[s][t];
                    }
                }
            }
        }
        let scale = 2.0 / ((n - 1) as f64 * (n - 2) as f64);
        for (v, &org) in orgs.iter().enumerate() {
            assert_close(node(&net, org).betweenness, expected[v] * scale);
        }
        // Guard against a degenerate draw that would make the check trivial.
        assert!(longest >= 3, "graph too shallow to test paths");
        assert!(expected.iter().any(|&b| b > 0.0 && b.fract() != 0.0));

        // Paths: exact length, honours max_hops, smallest sequence among all
        // shortest paths (enumerated exhaustively).
        fn all_shortest(
            at: usize,
            goal: usize,
            dist: &[Vec<usize>],
            adjacent: &[Vec<usize>],
            prefix: &mut Vec<usize>,
            out: &mut Vec<Vec<usize>>,
        ) {
            prefix.push(at);
            if at == goal {
                out.push(prefix.clone());
            } else {
                for &next in &adjacent[at] {
                    if dist[next][goal] != usize::MAX && dist[next][goal] + 1 == dist[at][goal] {
                        all_shortest(next, goal, dist, adjacent, prefix, out);
                    }
                }
            }
            prefix.pop();
        }
        let dense: Vec<Vec<usize>> = orgs
            .iter()
            .map(|org| {
                adjacent
                    .get(org)
                    .into_iter()
                    .flatten()
                    .map(|&w| index(w))
                    .collect()
            })
            .collect();
        let graph = CollaborationGraph::build(&rows);
        for s in 0..n {
            for t in 0..n {
                if s == t {
                    continue;
                }
                let found = graph
                    .connection_path(orgs[s], orgs[t], usize::MAX)
                    .map(|hops| visited(orgs[s], &hops));
                if dist[s][t] == usize::MAX {
                    assert_eq!(found, None);
                    continue;
                }
                let mut candidates = Vec::new();
                all_shortest(s, t, &dist, &dense, &mut Vec::new(), &mut candidates);
                let best: Option<Vec<i64>> = candidates
                    .into_iter()
                    .map(|path| path.into_iter().map(|v| orgs[v]).collect())
                    .min();
                assert_eq!(found, best);
                assert!(
                    graph
                        .connection_path(orgs[s], orgs[t], dist[s][t] - 1)
                        .is_none()
                );
            }
        }
    }
}
