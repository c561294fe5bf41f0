//! Hand-made inputs and checks shared by the unit tests of every module.

use crate::{Hop, ItemKind, ItemRef, Membership, Network, NetworkNode, connection_path, rounded};

pub(crate) fn project(id: i64) -> ItemRef {
    ItemRef {
        kind: ItemKind::Project,
        id,
    }
}

pub(crate) fn event(id: i64) -> ItemRef {
    ItemRef {
        kind: ItemKind::Event,
        id,
    }
}

pub(crate) fn programme(id: i64) -> ItemRef {
    ItemRef {
        kind: ItemKind::Programme,
        id,
    }
}

pub(crate) fn member(organization: i64, item: ItemRef) -> Membership {
    dated(organization, item, None, None)
}

pub(crate) fn dated(
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
pub(crate) fn pairs(edges: &[(i64, i64)]) -> Vec<Membership> {
    let mut rows = Vec::new();
    for (index, &(a, b)) in edges.iter().enumerate() {
        let item = project(index as i64);
        rows.push(member(a, item));
        rows.push(member(b, item));
    }
    rows
}

/// `actual` is `expected` as the crate gives it: [`rounded`] to four places.
pub(crate) fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 0.5e-4 + 1e-9 && rounded(actual) == actual,
        "expected {expected} to four places, got {actual}"
    );
}

pub(crate) fn node(network: &Network, organization: i64) -> &NetworkNode {
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
pub(crate) fn visited(from: i64, hops: &[Hop]) -> Vec<i64> {
    let mut orgs = vec![from];
    for (index, hop) in hops.iter().enumerate() {
        assert_eq!(hop.from, orgs[index], "hops must chain");
        orgs.push(hop.to);
    }
    orgs
}

pub(crate) fn route(rows: &[Membership], from: i64, to: i64, max_hops: usize) -> Option<Vec<i64>> {
    connection_path(rows, from, to, max_hops).map(|hops| visited(from, &hops))
}
