//! Every algorithm of the crate checked against slow, independent definitions (member sets,
//! all-pairs breadth-first searches, exhaustive shortest paths) on one pseudo-random graph.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::testing::*;
use crate::*;

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
