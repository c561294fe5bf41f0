//! Lists: pages forward and backward (at the root and nested, cursors taken from earlier
//! answers), the filters of every list that takes them, and search.

use serde_json::{Value, json};

use super::case::Case;

/// Pagination, forward and backward, at the root and nested.
pub fn pages() -> Vec<Case> {
    let mut cases = Vec::new();
    const ORGS: &str = "query($first: Int, $after: String, $last: Int, $before: String, $order: OrganizationOrder) {
  organizations(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
  totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
  edges { cursor node { slug name } } } }";
    cases.extend([
        Case::post("page-first", ORGS, json!({ "first": 5 })),
        Case::post("page-after", ORGS, json!({ "first": 5 })).with(
            "after",
            "page-first",
            "/data/organizations/pageInfo/endCursor",
        ),
        Case::post("page-before", ORGS, json!({ "last": 3 })).with(
            "before",
            "page-after",
            "/data/organizations/pageInfo/startCursor",
        ),
        Case::post("page-last", ORGS, json!({ "last": 5 })),
        Case::post("page-name-desc", ORGS, json!({ "first": 5, "order": "NAME_DESC" })),
        Case::post(
            "page-name-desc-after",
            ORGS,
            json!({ "first": 5, "order": "NAME_DESC" }),
        )
        .with(
            "after",
            "page-name-desc",
            "/data/organizations/pageInfo/endCursor",
        ),
        Case::post("page-zero", ORGS, json!({ "first": 0 })),
        Case::post("page-zero-last", ORGS, json!({ "last": 0 })),
        Case::post("page-default-size", ORGS, json!({})),
        Case::post(
            "page-libraries-by-name",
            "{ libraries(first: 7, orderBy: NAME_DESC) { totalCount pageInfo { hasNextPage endCursor } nodes { slug } } }",
            Value::Null,
        ),
        Case::post(
            "page-projects-by-date",
            "{ a: projects(orderBy: DATE, first: 6) { pageInfo { hasNextPage endCursor } edges { cursor node { slug period { yearFrom yearTo start { edtf } } } } }
  b: projects(orderBy: DATE_DESC, last: 4) { pageInfo { hasPreviousPage startCursor } edges { cursor node { slug } } } }",
            Value::Null,
        ),
        Case::post(
            "page-events-by-date",
            "query($after: String) { events(orderBy: DATE, first: 8, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug period { yearFrom start { edtf earliest } } } } } }",
            json!({}),
        ),
        Case::post(
            "page-events-by-date-after",
            "query($after: String) { events(orderBy: DATE, first: 8, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug period { yearFrom start { edtf earliest } } } } } }",
            json!({}),
        )
        .with(
            "after",
            "page-events-by-date",
            "/data/events/pageInfo/endCursor",
        ),
        Case::post(
            "page-programmes-and-topics",
            "{ programmes(first: 4, orderBy: DATE) { nodes { slug } pageInfo { endCursor } }
  topics(last: 4) { nodes { slug } pageInfo { hasPreviousPage startCursor } }
  targetGroups(first: 2) { totalCount nodes { slug } } sources(last: 2) { nodes { slug } }
  outcomes(first: 3) { nodes { slug } } people(last: 1) { nodes { slug } } funders(first: 2) { totalCount nodes { id } } }",
            Value::Null,
        ),
        Case::post(
            "page-nested",
            "query($after: String) { libraries(first: 20) { nodes { slug
  participations(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { role activity { __typename } } } } } } }",
            json!({}),
        ),
        Case::post(
            "page-nested-backward",
            "{ libraries(first: 20) { nodes { slug
  participations(last: 2) { pageInfo { hasPreviousPage startCursor } edges { cursor node { role } } }
  citations(last: 1) { totalCount nodes { quote } } } } }",
            Value::Null,
        ),
        Case::post(
            "page-nested-after",
            "query($after: String) { organization(slug: \"urzad-gminy-chmielnik\") {
  participations(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { role activity { ... on Node { id } } } } } } }",
            json!({}),
        ),
        Case::post(
            "page-nested-after-2",
            "query($after: String) { organization(slug: \"urzad-gminy-chmielnik\") {
  participations(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { role activity { ... on Node { id } } } } } } }",
            json!({}),
        )
        .with(
            "after",
            "page-nested-after",
            "/data/organization/participations/pageInfo/endCursor",
        ),
    ]);
    cases
}

/// Filters of every list that takes them.
pub fn filters() -> Vec<Case> {
    let mut cases = Vec::new();
    const ORG_FILTER: &str = "query($filter: OrganizationFilter) { organizations(filter: $filter, first: 50) { totalCount nodes { slug kind } } }";
    const PROJECT_FILTER: &str = "query($filter: ActivityFilter) { projects(filter: $filter, first: 50) { totalCount nodes { slug } } }";
    const EVENT_FILTER: &str = "query($filter: ActivityFilter) { events(filter: $filter, first: 50) { totalCount nodes { slug kind } } }";
    const PROGRAMME_FILTER: &str = "query($filter: ActivityFilter) { programmes(filter: $filter, first: 50) { totalCount nodes { slug kind } } }";
    let filters = [
        (
            "filter-org-kinds",
            ORG_FILTER,
            json!({ "kinds": ["PUBLIC_AUTHORITY", "NGO"] }),
        ),
        (
            "filter-org-countries",
            ORG_FILTER,
            json!({ "countries": ["pl"] }),
        ),
        (
            "filter-org-topics",
            ORG_FILTER,
            json!({ "topics": ["sdg-4", "maker-culture"] }),
        ),
        (
            "filter-org-programmes",
            ORG_FILTER,
            json!({ "programmes": ["nprc-2-0"] }),
        ),
        (
            "filter-org-funders",
            ORG_FILTER,
            json!({ "funders": ["ministry-of-culture-2021"] }),
        ),
        (
            "filter-org-roles",
            ORG_FILTER,
            json!({ "roles": ["HOST", "ORGANIZER"], "activeIn": { "from": 2017, "to": 2020 } }),
        ),
        (
            "filter-org-text",
            ORG_FILTER,
            json!({ "text": "biblioteca balti" }),
        ),
        (
            "filter-org-all",
            ORG_FILTER,
            json!({ "kinds": ["LIBRARY"], "countries": ["PL", "MD"], "text": "bibl" }),
        ),
        (
            "filter-projects-programmes",
            PROJECT_FILTER,
            json!({ "programmes": ["nprc-2-0"] }),
        ),
        (
            "filter-projects-funders",
            PROJECT_FILTER,
            json!({ "funders": ["ministry-of-culture-2021", "b-zone-fundraising-donors"] }),
        ),
        (
            "filter-projects-topics",
            PROJECT_FILTER,
            json!({ "topics": ["sdg-11"] }),
        ),
        (
            "filter-projects-organizations",
            PROJECT_FILTER,
            json!({ "organizations": ["frsi"], "roles": ["LEAD", "COORDINATOR"] }),
        ),
        (
            "filter-projects-countries",
            PROJECT_FILTER,
            json!({ "countries": ["UA"] }),
        ),
        (
            "filter-projects-active-in",
            PROJECT_FILTER,
            json!({ "activeIn": { "from": 2021 } }),
        ),
        (
            "filter-projects-text",
            PROJECT_FILTER,
            json!({ "text": "mediateki" }),
        ),
        (
            "filter-events-kinds",
            EVENT_FILTER,
            json!({ "eventKinds": ["STUDY_VISIT", "CAMPAIGN", "SHARING_CAFE"] }),
        ),
        (
            "filter-events-active-in",
            EVENT_FILTER,
            json!({ "activeIn": { "from": 2017, "to": 2017 } }),
        ),
        (
            "filter-events-countries",
            EVENT_FILTER,
            json!({ "countries": ["MD"] }),
        ),
        (
            "filter-programmes-kinds",
            PROGRAMME_FILTER,
            json!({ "programmeKinds": ["PRIORITY", "FUND"] }),
        ),
        (
            "filter-programmes-tree",
            PROGRAMME_FILTER,
            json!({ "programmes": ["nprc-2-0"] }),
        ),
        (
            "filter-unknown-slug",
            PROJECT_FILTER,
            json!({ "programmes": ["no-such-programme"] }),
        ),
        (
            "filter-libraries-country",
            "query($filter: OrganizationFilter) { libraries(filter: $filter, first: 50) { totalCount nodes { slug libraryType } } }",
            json!({ "countries": ["PL"] }),
        ),
    ];
    for (name, query, filter) in filters {
        cases.push(Case::post(name, query, json!({ "filter": filter })));
    }
    cases.push(Case::post(
        "filter-nested-participations",
        "{ project(slug: \"mediateki-interaktywne-miejsca-kultury\") {
  all: participations { totalCount nodes { role organization { slug } } }
  hosts: participations(roles: [HOST, PARTICIPANT]) { totalCount nodes { role organization { slug } } }
  dated: participations(activeIn: { from: 2018, to: 2019 }) { totalCount nodes { role period { yearFrom yearTo } } } } }",
        Value::Null,
    ));
    cases
}

/// Search: words, word forms, diacritics, types, pages.
pub fn search() -> Vec<Case> {
    let mut cases = Vec::new();
    const SEARCH: &str = "query($text: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(text: $text, types: $types, first: $first, after: $after) { totalCount
  pageInfo { hasNextPage endCursor } edges { cursor node { score record { __typename
    ... on Node { id } ... on Organization { slug name } ... on Place { slug name } ... on Project { slug } } } } } }";
    cases.extend([
        Case::post("search-one-word", SEARCH, json!({ "text": "balti" })),
        Case::post("search-diacritics", SEARCH, json!({ "text": "Bălți" })),
        Case::post("search-word-forms", SEARCH, json!({ "text": "mediateka" })),
        Case::post("search-words", SEARCH, json!({ "text": "biblioteka krak" })),
        Case::post(
            "search-types",
            SEARCH,
            json!({ "text": "library", "types": ["LIBRARY", "PROJECT", "TARGET_GROUP"] }),
        ),
        Case::post(
            "search-every-type",
            SEARCH,
            json!({ "text": "a", "first": 30 }),
        ),
        Case::post(
            "search-page",
            SEARCH,
            json!({ "text": "biblioteka", "first": 3 }),
        ),
        Case::post(
            "search-page-after",
            SEARCH,
            json!({ "text": "biblioteka", "first": 3 }),
        )
        .with("after", "search-page", "/data/search/pageInfo/endCursor"),
        Case::post("search-nothing", SEARCH, json!({ "text": "zzzzqqq" })),
    ]);
    cases
}
