//! Every type and relation: each root list walked with every field and the first items of every
//! relation, single records by slug, and `node`/`nodes` on an ID of every type.
//!
//! Queries are written out rather than built from the schema, so that a field added to the schema
//! (as issue 24 adds `Organization.fundingsReceived`) changes no recorded answer.

use serde_json::{Value, json};

use super::case::Case;

/// Scalar fields of a partial date.
const DAY: &str = "edtf precision year month day season approximate uncertain earliest";

/// Where a fact comes from: the first `$m` citations with every field, and what each supports.
const CITES: &str = "fragment Cites on CitationConnection {
  totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
  edges { cursor node { quote basis reasoning source { slug } alias { name lang }
    record { __typename ... on Node { id } } } }
}";

/// Any record of the `Record` union, named by type and ID (the two relation records without an ID
/// by what they join).
const RECORD_REF: &str = "fragment RecordRef on Record {
  __typename ... on Node { id }
  ... on Classification { subject { __typename ... on Node { id } } topic { slug } }
  ... on Audience { subject { __typename ... on Node { id } } targetGroup { slug } }
}";

fn period() -> String {
    format!("period {{ start {{ {DAY} }} end {{ {DAY} }} note yearFrom yearTo }}")
}

/// The fields every organization has, each relation with its first `$m` items.
fn organization_fields() -> String {
    let period = period();
    format!(
        "id slug kind name nameLang nameEn description website email phone
  aliases {{ name lang citations(first: $m) {{ totalCount }} }}
  place {{ slug countryCode }}
  identifiers {{ scheme value }}
  participations(first: $m) {{ totalCount edges {{ cursor node {{ id role {period} description
    activity {{ __typename ... on Node {{ id }} }} citations(first: $m) {{ totalCount }} }} }} }}
  fundingsGiven(first: $m) {{ totalCount nodes {{ id recipient {{ __typename ... on Node {{ id }} }} }} }}
  relations(first: $m) {{ totalCount nodes {{ id kind subject {{ slug }} object {{ slug }} }} }}
  positions(first: $m) {{ totalCount nodes {{ id title person {{ slug }} }} }}
  outcomes(first: $m) {{ totalCount nodes {{ slug }} }}
  topics(first: $m) {{ totalCount nodes {{ slug }} }}
  collaborators(first: $m) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{
    organization {{ slug }} sharedCount weight firstYear lastYear
    shared(first: $m) {{ __typename ... on Node {{ id }} }} }} }} }}
  asFunder {{ id totals {{ amount currency }} fundings(first: $m) {{ totalCount }} }}
  citations(first: $m) {{ ...Cites }}
  ... on Library {{ libraryType address openingHours parentLibrary {{ slug }}
    branches(first: $m) {{ totalCount nodes {{ slug }} }} }}"
    )
}

/// The fields projects, programmes and events share.
fn activity_fields() -> String {
    let period = period();
    format!(
        "id slug name nameLang nameEn description {period}
  aliases {{ name lang }}
  participations(first: $m) {{ totalCount edges {{ cursor node {{ id role organization {{ slug }} }} }} }}
  fundings(first: $m) {{ totalCount nodes {{ id funder {{ slug }} instrument amount {{ amount currency }} }} }}
  outcomes(first: $m) {{ totalCount nodes {{ slug }} }}
  topics(first: $m) {{ totalCount nodes {{ slug }} }}
  targetGroups(first: $m) {{ totalCount nodes {{ slug }} }}
  citations(first: $m) {{ ...Cites }}"
    )
}

/// A walk over one root list: every item of the first `$n` with its fields and relations.
fn walk(root: &str, selection: &str, fragments: &[&str]) -> String {
    let mut query = format!(
        "query Walk($n: Int!, $m: Int!) {{ {root}(first: $n) {{ totalCount
  pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }}
  edges {{ cursor node {{ __typename {selection} }} }} }} }}"
    );
    for fragment in fragments {
        query.push('\n');
        query.push_str(fragment);
    }
    query
}

/// Every type through its root list, every field, every relation.
pub fn walks() -> Vec<Case> {
    let mut cases = Vec::new();
    let page = json!({ "n": 100, "m": 3 });
    let period = period();
    let organization = organization_fields();
    let activity = activity_fields();
    cases.extend([
        Case::post(
            "walk-organizations",
            &walk("organizations", &format!("... on Organization {{ {organization} }}"), &[CITES]),
            page.clone(),
        )
        .racy(),
        Case::post(
            "walk-libraries",
            &walk("libraries", &organization, &[CITES]),
            page.clone(),
        )
        .racy(),
        Case::post(
            "walk-programmes",
            &walk(
                "programmes",
                &format!(
                    "{activity} kind code parent {{ slug }}
  children(first: $m) {{ totalCount nodes {{ slug }} }}
  projects(first: $m) {{ totalCount nodes {{ slug }} }}
  events(first: $m) {{ totalCount nodes {{ slug }} }}
  fundingsThrough(first: $m) {{ totalCount nodes {{ id }} }}"
                ),
                &[CITES],
            ),
            page.clone(),
        ),
        Case::post(
            "walk-projects",
            &walk(
                "projects",
                &format!(
                    "{activity} why what programme {{ slug }} place {{ slug }}
  events(first: $m) {{ totalCount nodes {{ slug }} }}"
                ),
                &[CITES],
            ),
            page.clone(),
        )
        .racy(),
        Case::post(
            "walk-events",
            &walk(
                "events",
                &format!(
                    "{activity} kind recurrence place {{ slug }} project {{ slug }}
  programme {{ slug }} partOf {{ slug }} parts(first: $m) {{ totalCount nodes {{ slug }} }}"
                ),
                &[CITES],
            ),
            page.clone(),
        ),
        Case::post(
            "walk-outcomes",
            &walk(
                "outcomes",
                &format!(
                    "id slug subject {{ __typename ... on Node {{ id }} }} description
  descriptionLang descriptionEn indicator value valueQualifier unit baseline target {period}
  citations(first: $m) {{ ...Cites }}"
                ),
                &[CITES],
            ),
            page.clone(),
        ),
        Case::post(
            "walk-places",
            &walk(
                "places",
                "id slug kind name nameLang nameEn countryCode latitude longitude parent { slug }
  children(first: $m) { totalCount nodes { slug } }
  organizations(first: $m) { totalCount nodes { slug } }
  projects(first: $m) { totalCount nodes { slug } }
  events(first: $m) { totalCount nodes { slug } }
  citations(first: $m) { ...Cites }",
                &[CITES],
            ),
            page.clone(),
        ),
        Case::post(
            "walk-people",
            &walk(
                "people",
                &format!(
                    "id slug name nameLang description
  positions(first: $m) {{ totalCount nodes {{ id title titleLang {period}
    organization {{ slug }} person {{ slug }} citations(first: $m) {{ ...Cites }} }} }}
  citations(first: $m) {{ ...Cites }}"
                ),
                &[CITES],
            ),
            page.clone(),
        )
        .racy(),
        Case::post(
            "walk-topics",
            &walk(
                "topics",
                "id slug kind code name nameLang nameEn description
  subjects(first: $m) { totalCount edges { cursor node { ...RecordRef } } }
  citations(first: $m) { totalCount }",
                &[RECORD_REF],
            ),
            page.clone(),
        )
        .racy(),
        Case::post(
            "walk-target-groups",
            &walk(
                "targetGroups",
                "id slug name nameLang nameEn description
  servedBy(first: $m) { totalCount edges { cursor node { ...RecordRef } } }
  citations(first: $m) { ...Cites }",
                &[RECORD_REF, CITES],
            ),
            page.clone(),
        )
        .racy(),
        Case::post(
            "walk-sources",
            &walk(
                "sources",
                &format!(
                    "id slug title url publisher {{ slug }} language published {{ {DAY} }}
  document text description citations(first: $m) {{ ...Cites }}"
                ),
                &[CITES],
            ),
            page.clone(),
        ),
        Case::post(
            "walk-funders",
            &walk(
                "funders",
                &format!(
                    "id organization {{ slug }} totals {{ amount currency }}
  fundings(first: $m) {{ totalCount edges {{ cursor node {{ id funder {{ slug }}
    recipient {{ __typename ... on Node {{ id }} }} programme {{ slug }} intermediary {{ slug }}
    instrument amount {{ amount currency }} {period} description citations(first: $m) {{ ...Cites }} }} }} }}"
                ),
                &[CITES],
            ),
            page.clone(),
        ),
    ]);
    cases
}

/// Single records by slug, with relations read from either end.
pub fn records() -> Vec<Case> {
    let mut cases = Vec::new();
    let organization = organization_fields();
    cases.extend([
        Case::post(
            "organization-by-slug",
            &format!(
                "query($m: Int!) {{ organization(slug: \"bibliotecile-publice-regionala-centru-nord\") {{
  __typename {organization} }} }}\n{CITES}"
            ),
            json!({ "m": 20 }),
        )
        .racy(),
        Case::post(
            "organization-relations-by-direction",
            "query($slug: String!) { organization(slug: $slug) {
  both: relations(direction: BOTH) { totalCount nodes { id kind subject { slug } object { slug } description period { yearFrom yearTo note } citations { nodes { quote basis reasoning } } } }
  outgoing: relations(direction: OUTGOING) { totalCount nodes { kind object { slug } } }
  incoming: relations(direction: INCOMING) { totalCount nodes { kind subject { slug } } }
  partners: relations(kinds: [PARTNER_OF], direction: BOTH) { totalCount nodes { kind } }
  members: relations(kinds: [MEMBER_OF, PART_OF]) { totalCount nodes { kind } } } }",
            json!({ "slug": "bibliotecile-publice-regionala-centru-nord" }),
        ),
        Case::post(
            "programme-tree",
            "{ programme(slug: \"nprc-2-0-priorytet-4\") { slug kind code name
  parent { slug children { nodes { slug } } parent { slug } }
  children { totalCount nodes { slug kind code } }
  projects { totalCount nodes { slug programme { slug } } }
  events { totalCount nodes { slug } }
  fundingsThrough { totalCount nodes { funder { slug } recipient { __typename } } } } }",
            Value::Null,
        ),
        Case::post(
            "project-by-slug",
            "{ project(slug: \"b-zone\") { slug name why what place { slug name parent { slug } }
  participations { totalCount edges { cursor node { role organization { __typename slug } activity { ... on Project { slug } } } } }
  fundings { nodes { funder { slug } recipient { ... on Project { slug } } instrument amount { amount currency } description } }
  outcomes { nodes { slug value valueQualifier unit indicator subject { ... on Project { slug } } } }
  events { nodes { slug kind project { slug } } }
  aliases { name lang citations { nodes { quote alias { name } } } } } }",
            Value::Null,
        )
        .racy(),
        Case::post(
            "event-by-slug",
            "{ event(slug: \"occupy-library\") { slug kind recurrence partOf { slug }
  parts { totalCount edges { cursor node { slug kind partOf { slug } period { yearFrom yearTo } } } }
  participations(roles: [ORGANIZER, CO_ORGANIZER]) { nodes { role organization { slug } } }
  place { slug } project { slug } programme { slug } } }",
            Value::Null,
        ),
        Case::post(
            "person-and-positions",
            "{ people { nodes { slug positions { nodes { title titleLang organization { slug
  positions { nodes { person { slug } } } } } } } } }",
            Value::Null,
        ),
        Case::post(
            "missing-slugs-are-null",
            "{ organization(slug: \"no-such-organization\") { slug }
  programme(slug: \"nope\") { slug } project(slug: \"nope\") { slug } event(slug: \"nope\") { slug } }",
            Value::Null,
        ),
        Case::post(
            "funder-by-slug-as-funder",
            "{ organization(slug: \"ministry-of-culture-2021\") { asFunder { id totals { amount currency }
  fundings { totalCount nodes { recipient { __typename ... on Project { slug } } programme { slug } } } }
  fundingsGiven { totalCount nodes { id } } } }",
            Value::Null,
        ),
        Case::post(
            "sdg-topics-only",
            "{ topics(sdgOnly: true, first: 100) { totalCount nodes { slug code name
  subjects(first: 5) { totalCount nodes { __typename } } } } }",
            Value::Null,
        ),
        Case::post(
            "places-by-country",
            "{ places(countries: [\"PL\", \"md\"], first: 100) { totalCount nodes { slug kind countryCode
  parent { slug } } } }",
            Value::Null,
        ),
        Case::post(
            "directives-aliases-and-typename",
            "query($yes: Boolean!, $no: Boolean!) { __typename
  a: organization(slug: \"frsi\") { name @include(if: $yes) slug @skip(if: $yes) kind @include(if: $no) }
  b: organization(slug: \"labib\") { ... @skip(if: $no) { name } ... @include(if: $no) { slug } }
  c: organization(slug: \"frsi\") { nameLang @skip(if: $yes) } }",
            json!({ "yes": true, "no": false }),
        ),
        Case::body(
            "operation-name-picks-one",
            json!({
                "query": "query One { organization(slug: \"frsi\") { slug } }
query Two { organization(slug: \"labib\") { slug } }",
                "operationName": "Two",
            }),
        ),
    ]);
    cases
}

/// Global IDs: each type's first item, then `node` and `nodes` on those IDs.
pub fn ids() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.push(Case::post(
        "ids",
        "{ organizations(first: 1) { nodes { id } } libraries(first: 1) { nodes { id } }
  places(first: 1) { nodes { id } } programmes(first: 1) { nodes { id } } projects(first: 1) { nodes { id } }
  events(first: 1) { nodes { id } } outcomes(first: 1) { nodes { id } } people(first: 1) { nodes { id
  positions(first: 1) { nodes { id } } } } topics(first: 1) { nodes { id } } targetGroups(first: 1) { nodes { id } }
  sources(first: 1) { nodes { id } } funders(first: 1) { nodes { id fundings(first: 1) { nodes { id } } } }
  organization(slug: \"irex-moldova\") { relations(first: 1) { nodes { id } } participations(first: 1) { nodes { id } } } }",
        Value::Null,
    ));
    let mut node = Case::post(
        "node-every-type",
        "query($organization: ID!, $place: ID!, $programme: ID!, $project: ID!, $event: ID!, $outcome: ID!,
  $person: ID!, $position: ID!, $topic: ID!, $targetGroup: ID!, $source: ID!, $funding: ID!,
  $relation: ID!, $participation: ID!) {
  organization: node(id: $organization) { __typename id ... on Organization { slug name } }
  place: node(id: $place) { __typename id ... on Place { slug } }
  programme: node(id: $programme) { __typename id ... on Programme { slug } }
  project: node(id: $project) { __typename id ... on Project { slug } }
  event: node(id: $event) { __typename id ... on Event { slug } }
  outcome: node(id: $outcome) { __typename id ... on Outcome { slug } }
  person: node(id: $person) { __typename id ... on Person { slug } }
  position: node(id: $position) { __typename id ... on Position { title } }
  topic: node(id: $topic) { __typename id ... on Topic { slug } }
  targetGroup: node(id: $targetGroup) { __typename id ... on TargetGroup { slug } }
  source: node(id: $source) { __typename id ... on Source { slug } }
  funding: node(id: $funding) { __typename id ... on Funding { funder { slug } } }
  relation: node(id: $relation) { __typename id ... on OrganizationRelation { kind } }
  participation: node(id: $participation) { __typename id ... on Participation { role } } }",
        json!({}),
    );
    for (variable, pointer) in [
        ("organization", "/data/organizations/nodes/0/id"),
        ("place", "/data/places/nodes/0/id"),
        ("programme", "/data/programmes/nodes/0/id"),
        ("project", "/data/projects/nodes/0/id"),
        ("event", "/data/events/nodes/0/id"),
        ("outcome", "/data/outcomes/nodes/0/id"),
        ("person", "/data/people/nodes/0/id"),
        ("position", "/data/people/nodes/0/positions/nodes/0/id"),
        ("topic", "/data/topics/nodes/0/id"),
        ("targetGroup", "/data/targetGroups/nodes/0/id"),
        ("source", "/data/sources/nodes/0/id"),
        ("funding", "/data/funders/nodes/0/fundings/nodes/0/id"),
        ("relation", "/data/organization/relations/nodes/0/id"),
        (
            "participation",
            "/data/organization/participations/nodes/0/id",
        ),
    ] {
        node = node.with(variable, "ids", pointer);
    }
    cases.push(node);
    cases.extend([
        Case::post(
            "nodes-in-order-with-nulls",
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Organization { slug } ... on Project { slug } } }",
            // Organization:75 and 46, Project:999999 (no such row), Organization:75 again.
            json!({ "ids": ["T3JnYW5pemF0aW9uOjc1", "UHJvamVjdDo5OTk5OTk", "T3JnYW5pemF0aW9uOjQ2", "T3JnYW5pemF0aW9uOjc1"] }),
        ),
        Case::post(
            "node-of-another-type-is-null",
            // Project:75 is an organization's row.
            "{ node(id: \"UHJvamVjdDo3NQ\") { id } }",
            Value::Null,
        ),
    ]);
    cases
}
