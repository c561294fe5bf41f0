//! How two organizations are connected: the shortest chain of collaborations, the same one
//! among equally short chains whatever order the rows came in.

use crate::{CollaborationGraph, ItemRef, Membership};

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

impl CollaborationGraph {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::*;

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
}
