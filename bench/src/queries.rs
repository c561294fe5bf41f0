//! The query mix: what libgraph is asked, what PostGraphile is asked for the same data, and the
//! hand-written SQL of query 1 that is the data floor.
//!
//! Inner pages are 20 items everywhere (libgraph's default page size), so the three servers
//! fetch the same amount of data. PostGraphile has no union for "the activity of a
//! participation": it follows `participation.target_id → record → project`, which is null for
//! events and programmes, just as libgraph's `... on Project` selects nothing for them.

use serde_json::{Value, json};

/// One benchmark query: a name, how deep its relations nest, and the request body.
pub struct Query {
    pub key: &'static str,
    pub title: &'static str,
    /// Fields that need the database (the root field and every relation below it, union and
    /// interface fields included); the statement budget is this plus one. For a chain of
    /// relations that is "nesting levels + 1"; sibling relations each count.
    pub levels: usize,
    pub body: Value,
    /// The same request with every inner page doubled, when the query has pages to double.
    pub doubled: Option<Value>,
}

/// 1. Heavy nested: libraries (first 5) → projects → partner organizations → their projects.
pub const HEAVY: &str = "query Heavy($n: Int!) {
  libraries(first: 5) { edges { node { name slug
    participations(first: $n) { edges { node { activity { ... on Project { name slug
      participations(first: $n) { edges { node { organization { name slug
        participations(first: $n) { edges { node { activity { ... on Project { name slug } } } } }
      } } } }
    } } } } }
  } } }
}";

/// 2. Medium: one library with its projects, their partners, funders and outcomes.
pub const MEDIUM: &str = "query Medium($slug: String!, $n: Int!) {
  organization(slug: $slug) { name slug
    participations(first: $n) { edges { node { role activity { ... on Project { name slug
      participations(first: $n) { edges { node { role organization { name slug } } } }
      fundings(first: $n) { edges { node { instrument amount { amount currency } funder { name slug } } } }
      outcomes(first: $n) { edges { node { slug description indicator value unit } } }
    } } } } }
  }
}";

/// 3. Node by ID.
pub const NODE: &str = "query Node($id: ID!) {
  node(id: $id) { id ... on Organization { slug kind name nameEn description website } }
}";

/// 4. Search across every type.
pub const SEARCH: &str = "query Search($text: String!) {
  search(text: $text, first: 20) { pageInfo { hasNextPage endCursor }
    edges { cursor node { score record { __typename
      ... on Library { name slug } ... on PartnerOrganization { name slug }
      ... on Project { name slug } ... on Place { name slug } } } } }
}";

/// 5. Collaborators of a hub.
pub const COLLABORATORS: &str = "query Collaborators($id: ID!, $n: Int!) {
  node(id: $id) { ... on Organization { name
    collaborators(first: $n) { totalCount edges { node {
      organization { name slug } sharedCount weight firstYear lastYear
    } } } } }
}";

/// 6. The collaboration network of a country.
pub const NETWORK: &str = "query Network($country: String!, $limit: Int!) {
  collaborationNetwork(filter: { countries: [$country] }, limit: $limit) {
    totalNodes truncated
    nodes { organization { slug name } degree weightedDegree betweenness }
    edges { sourceId targetId weight sharedCount }
  }
}";

/// 7. How two organizations are connected.
pub const PATH: &str = "query Path($from: ID!, $to: ID!) {
  connectionPath(from: $from, to: $to, maxHops: 4) {
    connected length hops { from { slug } to { slug } via(first: 3) { __typename ... on Project { slug } ... on Event { slug } } }
  }
}";

/// What the queries are asked about, found in the loaded data.
pub struct Subjects {
    pub library_slug: String,
    pub node_id: String,
    pub search_text: String,
    pub hub_id: String,
    /// The hub's slug.
    pub hub_slug: String,
    pub country: String,
    pub path_from: String,
    pub path_to: String,
    /// PostGraphile's key of the node of query 3.
    pub node_pk: i64,
}

fn request(query: &str, variables: Value) -> Value {
    json!({ "query": query, "variables": variables })
}

/// The libgraph mix, in the order.
pub fn libgraph(s: &Subjects) -> Vec<Query> {
    vec![
        Query {
            key: "heavy",
            title: "1 heavy nested",
            levels: 7,
            body: request(HEAVY, json!({ "n": 20 })),
            doubled: Some(request(HEAVY, json!({ "n": 40 }))),
        },
        Query {
            key: "medium",
            title: "2 medium",
            levels: 7,
            body: request(MEDIUM, json!({ "slug": s.library_slug, "n": 20 })),
            doubled: Some(request(MEDIUM, json!({ "slug": s.library_slug, "n": 40 }))),
        },
        Query {
            key: "node",
            title: "3 node by ID",
            levels: 1,
            body: request(NODE, json!({ "id": s.node_id })),
            doubled: None,
        },
        Query {
            key: "search",
            title: "4 search",
            // the token's word forms and their best records, the record kinds, then one table
            // per type selected (organizations, projects, places): a union costs a statement per
            // member table, never per hit. Without `totalCount`, as before the list became a
            // connection, so its figures compare with earlier runs (the count is one statement
            // more, reading at most 5,001 index rows).
            levels: 6,
            body: request(SEARCH, json!({ "text": s.search_text })),
            doubled: None,
        },
        Query {
            key: "collaborators",
            title: "5 collaborators of a hub",
            levels: 3,
            body: request(COLLABORATORS, json!({ "id": s.hub_id, "n": 20 })),
            doubled: Some(request(COLLABORATORS, json!({ "id": s.hub_id, "n": 40 }))),
        },
        Query {
            key: "network",
            title: "6 network of a country",
            // The graph version (is a kept network current?), then on a miss the memberships and
            // their items' member counts; then the nodes' organizations.
            levels: 3,
            body: request(NETWORK, json!({ "country": s.country, "limit": 100 })),
            doubled: Some(request(
                NETWORK,
                json!({ "country": s.country, "limit": 200 }),
            )),
        },
        Query {
            key: "path",
            title: "7 connection path",
            // connectionPath, from/to, via; plus one statement per hop searched (maxHops = 4).
            levels: 3 + 4,
            body: request(PATH, json!({ "from": s.path_from, "to": s.path_to })),
            doubled: None,
        },
    ]
}

/// PostGraphile's generated names for the same data as queries 1–3.
pub fn postgraphile(s: &Subjects) -> Vec<(&'static str, Value)> {
    let heavy = "query Heavy {
  allOrganizationsList(condition: {kind: \"library\"}, orderBy: SORT_KEY_ASC, first: 5) { name slug
    participationsByOrganizationIdList(first: 20, orderBy: PARTICIPATION_ID_ASC) {
      recordByTargetId { projectByProjectId { name slug recordByProjectId {
        participationsByTargetIdList(first: 20, orderBy: PARTICIPATION_ID_ASC) {
          organizationByOrganizationId { name slug
            participationsByOrganizationIdList(first: 20, orderBy: PARTICIPATION_ID_ASC) {
              recordByTargetId { projectByProjectId { name slug } } } } } } } } } }
}";
    let medium = "query Medium($slug: String!) {
  allOrganizationsList(condition: {slug: $slug}, first: 1) { name slug
    participationsByOrganizationIdList(first: 20, orderBy: PARTICIPATION_ID_ASC) { role
      recordByTargetId { projectByProjectId { name slug recordByProjectId {
        participationsByTargetIdList(first: 20, orderBy: PARTICIPATION_ID_ASC) { role organizationByOrganizationId { name slug } }
        fundingsByRecipientIdList(first: 20, orderBy: FUNDING_ID_ASC) { instrument amountMinor currency organizationByFunderId { name slug } }
        outcomesBySubjectIdList(first: 20, orderBy: OUTCOME_ID_ASC) { slug description indicator value unit } } } } } }
}";
    let node = "query Node($pk: BigInt!) {
  organizationByOrganizationId(organizationId: $pk) { nodeId organizationId slug kind name nameEn description website }
}";
    vec![
        ("heavy", request(heavy, Value::Null)),
        ("medium", request(medium, json!({ "slug": s.library_slug }))),
        (
            "node",
            request(node, json!({ "pk": s.node_pk.to_string() })),
        ),
    ]
}

/// Query 1 as one hand-written SQL statement building the same JSON: the data floor.
pub const HEAVY_SQL: &str = "
SELECT coalesce(json_agg(json_build_object('name', l.name, 'slug', l.slug, 'projects', (
  SELECT coalesce(json_agg(json_build_object('name', p.name, 'slug', p.slug, 'partners', (
    SELECT coalesce(json_agg(json_build_object('name', o.name, 'slug', o.slug, 'projects', (
      SELECT coalesce(json_agg(json_build_object('name', q.name, 'slug', q.slug)), '[]')
      FROM (SELECT x.target_id FROM participation x WHERE x.organization_id = o.organization_id
            ORDER BY x.participation_id LIMIT 20) x3
      JOIN project q ON q.project_id = x3.target_id))), '[]')
    FROM (SELECT x.organization_id FROM participation x WHERE x.target_id = p.project_id
          ORDER BY x.participation_id LIMIT 20) x2
    JOIN organization o ON o.organization_id = x2.organization_id))), '[]')
  FROM (SELECT x.target_id FROM participation x WHERE x.organization_id = l.organization_id
        ORDER BY x.participation_id LIMIT 20) x1
  JOIN project p ON p.project_id = x1.target_id))), '[]')
FROM (SELECT organization_id, name, slug FROM organization WHERE kind = 'library'
      ORDER BY sort_key, organization_id LIMIT 5) l;
";
