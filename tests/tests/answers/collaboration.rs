//! Statistics, collaborators, collaboration networks and connection paths.

use serde_json::{Value, json};

use super::bench_queries::Subjects;
use super::case::Case;

/// Statistics, collaborators, networks and paths.
pub fn collaboration(s: &Subjects) -> Vec<Case> {
    let mut cases = Vec::new();
    cases.push(Case::post(
        "statistics",
        "{ statistics { organizationsByCountry { key label count } librariesByCountry { key label count }
  organizationsByKind { key label count } recordsBySdg { key label count }
  activitiesByProgramme { key label count } fundingsByFunder { key label count }
  activitiesByYear { key label count }
  fundingTotals { funder funderName total { amount currency } fundings } } }",
        Value::Null,
    ));
    const COLLABORATORS: &str = "query($id: ID!, $filter: CollaboratorFilter, $first: Int, $after: String) {
  node(id: $id) { ... on Organization { slug collaborators(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { organization { slug kind } sharedCount weight
  firstYear lastYear shared(first: 5) { __typename ... on Node { id } } } } } } } }";
    let hub = &s.hub_id;
    cases.extend([
        Case::post("collaborators", COLLABORATORS, json!({ "id": hub })),
        Case::post("collaborators-page", COLLABORATORS, json!({ "id": hub, "first": 2 })),
        Case::post("collaborators-page-after", COLLABORATORS, json!({ "id": hub, "first": 2 }))
            .with("after", "collaborators-page", "/data/node/collaborators/pageInfo/endCursor"),
        Case::post("collaborators-roles", COLLABORATORS, json!({ "id": hub, "filter": { "roles": ["PARTNER", "HOST"] } })),
        Case::post("collaborators-period", COLLABORATORS, json!({ "id": hub, "filter": { "period": { "from": 2019, "to": 2021 } } })),
        Case::post("collaborators-kinds", COLLABORATORS, json!({ "id": hub, "filter": { "kinds": ["LIBRARY", "INFORMAL_GROUP"] } })),
        Case::post("collaborators-countries", COLLABORATORS, json!({ "id": hub, "filter": { "countries": ["pl", "UA"] } })),
        Case::post(
            "collaborators-of-a-page",
            "{ libraries(first: 10) { nodes { slug collaborators(first: 3) { totalCount nodes { organization { slug } weight } } } } }",
            Value::Null,
        ),
    ]);
    const NETWORK: &str = "query($filter: NetworkFilter, $limit: Int) { collaborationNetwork(filter: $filter, limit: $limit) {
  totalNodes truncated nodes { organization { slug } degree weightedDegree betweenness }
  edges { sourceId targetId source { slug } target { slug } weight sharedCount shared(first: 3) { __typename ... on Node { id } } } } }";
    cases.extend([
        Case::post(
            "network-countries",
            NETWORK,
            json!({ "filter": { "countries": [s.country] }, "limit": 30 }),
        ),
        // The same network again: served from the instance's cache, in fewer statements.
        Case::post(
            "network-countries-again",
            NETWORK,
            json!({ "filter": { "countries": [s.country] }, "limit": 30 }),
        ),
        Case::post(
            "network-kinds",
            NETWORK,
            json!({ "filter": { "kinds": ["LIBRARY", "PUBLIC_AUTHORITY"] }, "limit": 20 }),
        ),
        Case::post(
            "network-programmes",
            NETWORK,
            json!({ "filter": { "programmes": ["nprc-2-0", "novateca"] }, "limit": 50 }),
        ),
        Case::post(
            "network-topics",
            NETWORK,
            json!({ "filter": { "topics": ["sdg-4"] }, "limit": 25 }),
        ),
        Case::post(
            "network-period",
            NETWORK,
            json!({ "filter": { "period": { "from": 2015, "to": 2018 } }, "limit": 15 }),
        ),
        Case::post(
            "network-truncated",
            NETWORK,
            json!({ "filter": { "countries": ["PL", "MD", "UA"] }, "limit": 3 }),
        ),
    ]);
    const PATH: &str = "query($from: ID!, $to: ID!, $hops: Int) { connectionPath(from: $from, to: $to, maxHops: $hops) {
  connected length hops { fromId toId from { slug } to { slug } via(first: 5) { __typename ... on Node { id } } } } }";
    cases.extend([
        Case::post("path-by-slug", PATH, json!({ "from": "biblioteka-krakow", "to": "mbp-tychy-mediateka", "hops": 4 })),
        Case::post("path-by-id", PATH, json!({ "from": s.path_from, "to": s.path_to, "hops": 6 })),
        Case::post("path-same", PATH, json!({ "from": "frsi", "to": "frsi", "hops": 4 })),
        Case::post(
            "path-default-hops",
            "{ connectionPath(from: \"biblioteka-krakow\", to: \"gbp-chmielnik\") { connected length } }",
            Value::Null,
        ),
        // A nullable variable left out where the argument has a default (`maxHops: Int! = 4`,
        // `limit: Int! = 200`): the argument has no value, so its default applies (the GraphQL
        // spec's CoerceArgumentValues; `graphql/executor/variables.rs`).
        Case::post("path-omitted-variable-with-default", PATH, json!({ "from": "frsi", "to": "labib" })),
        Case::post(
            "network-omitted-variable-with-default",
            "query($limit: Int) { collaborationNetwork(filter: { countries: [\"PL\"] }, limit: $limit) { totalNodes } }",
            json!({}),
        ),
        Case::post("path-too-far", PATH, json!({ "from": "biblioteka-krakow", "to": "gbp-chmielnik", "hops": 1 })),
        Case::post("path-unconnected", PATH, json!({ "from": "biblioteka-krakow", "to": "primaria-municipiului-balti", "hops": 2 })),
    ]);
    cases
}
