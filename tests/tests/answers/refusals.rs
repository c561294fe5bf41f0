//! What the API refuses, and how: field errors beside data, request errors, and the HTTP layer's
//! refusals (media types, methods, malformed bodies).

use serde_json::{Value, json};

use super::case::{Case, Expect, Send};

/// Errors: field errors beside data, request errors.
pub fn errors() -> Vec<Case> {
    let mut cases = Vec::new();
    let too_long = format!(
        "{{ projects(filter: {{ text: \"{}\" }}) {{ totalCount }} }}",
        "x".repeat(201)
    );
    // Place.parent nests without end: 30 levels of fields.
    let too_deep = format!(
        "{{ places(first: 1) {{ nodes {{ {} slug {} }} }} }}",
        "parent {".repeat(30),
        "}".repeat(30)
    );
    let errors = [
        (
            "error-bad-cursor",
            "{ organizations(first: 2, after: \"nonsense\") { totalCount } }",
        ),
        (
            "error-cursor-of-another-list",
            "{ organizations(first: 2, after: \"WyJ4IiwiJzsgRFJPUCJd\") { totalCount } }",
        ),
        (
            "error-nested-bad-cursor",
            "{ project(slug: \"b-zone\") { participations(first: 5, after: \"WzEsMl0\") { totalCount } } }",
        ),
        (
            "error-first-too-large",
            "{ organizations(first: 101) { totalCount } }",
        ),
        (
            "error-last-negative",
            "{ organizations(last: -1) { totalCount } }",
        ),
        (
            "error-first-and-last",
            "{ organizations(first: 2, last: 2) { totalCount } }",
        ),
        (
            "error-nested-page-in-non-null-edges",
            "{ libraries(first: 3) { edges { node { slug participations(first: 500) { totalCount } } } } }",
        ),
        ("error-malformed-id", "{ node(id: \"!!!\") { id } }"),
        (
            "error-id-of-unknown-type",
            "{ node(id: \"VW5rbm93bjox\") { id } }",
        ),
        (
            "error-id-not-a-number",
            "{ node(id: \"UHJvamVjdDp4\") { id } }",
        ),
        (
            "error-bad-country",
            "{ organizations(filter: { countries: [\"POL\"] }) { totalCount } }",
        ),
        (
            "error-filter-kind-of-another-list",
            "{ events(filter: { programmeKinds: [FUND] }) { totalCount } }",
        ),
        ("error-text-filter-too-long", too_long.as_str()),
        (
            "error-search-empty",
            "{ search(text: \"\") { totalCount } }",
        ),
        (
            "error-search-too-many",
            "{ search(text: \"biblioteka\", first: 101) { totalCount } }",
        ),
        // By global IDs (FRSI, Organization:999999), which the organization loader reads in one
        // batch, and by slugs, read apart: both ends are always looked up to the end, so the
        // statement count and the error (naming both ends when both are unknown) are exact.
        (
            "error-path-unknown",
            "{ connectionPath(from: \"T3JnYW5pemF0aW9uOjEzNg\", to: \"T3JnYW5pemF0aW9uOjk5OTk5OQ\") { connected } }",
        ),
        (
            "error-path-unknown-slugs",
            "{ connectionPath(from: \"no-such-start\", to: \"no-such-end\") { connected } }",
        ),
        (
            "error-path-hops",
            "{ connectionPath(from: \"frsi\", to: \"labib\", maxHops: 99) { connected } }",
        ),
        (
            "error-network-limit",
            "{ collaborationNetwork(limit: 5000) { totalNodes } }",
        ),
        (
            "error-partial-data",
            "{ frsi: organization(slug: \"frsi\") { slug } bad: organizations(first: 1000) { totalCount } }",
        ),
        ("error-parse", "{ organizations("),
        (
            "error-validation-unknown-field",
            "{ organizations { nope } }",
        ),
        (
            "error-validation-missing-argument",
            "{ organization { slug } }",
        ),
        (
            "error-validation-wrong-literal",
            "{ organizations(first: \"ten\") { totalCount } }",
        ),
        (
            "error-too-complex",
            "{ organizations(first: 100) { nodes { participations(first: 100) { nodes { organization { participations(first: 100) { nodes { id } } } } } } } }",
        ),
        ("error-too-deep", too_deep.as_str()),
    ];
    for (name, query) in errors {
        cases.push(Case::post(name, query, Value::Null).fails());
    }
    cases.extend([
        Case::post(
            "error-variable-wrong-type",
            "query($n: Int!) { organizations(first: $n) { totalCount } }",
            json!({ "n": "ten" }),
        )
        .fails(),
        // Variables the operation cannot take: request errors (no `data`), before anything
        // executes (the GraphQL spec's CoerceVariableValues), 400 when the client accepts
        // `application/graphql-response+json`.
        Case::post(
            "error-variable-missing",
            "query($slug: String!) { organization(slug: $slug) { slug } }",
            json!({}),
        )
        .fails(),
        Case::post(
            "error-variable-null",
            "query($slug: String!) { organization(slug: $slug) { slug } }",
            json!({ "slug": null }),
        )
        .fails(),
        Case::post(
            "error-variable-input-field",
            "query($filter: NetworkFilter) { collaborationNetwork(filter: $filter) { totalNodes } }",
            json!({ "filter": { "countries": ["PL"], "country": "MD" } }),
        )
        .fails(),
        Case::post(
            "error-variable-missing-strict-accept",
            "query($slug: String!) { organization(slug: $slug) { slug } }",
            json!({}),
        )
        .accept("application/graphql-response+json")
        .fails(),
        Case::post(
            "error-validation-strict-accept",
            "{ organizations { nope } }",
            Value::Null,
        )
        .accept("application/graphql-response+json")
        .fails(),
        Case::post(
            "data-strict-accept",
            "{ organization(slug: \"frsi\") { slug } }",
            Value::Null,
        )
        .accept("application/graphql-response+json"),
    ]);
    cases.push(
        Case::body(
            "error-unknown-operation",
            json!({ "query": "query One { __typename }", "operationName": "Two" }),
        )
        .fails(),
    );
    cases
}

/// The HTTP layer: GET, malformed requests, media types, methods.
pub fn http() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend([
        Case {
            expect: Expect::Data,
            ..Case::http(
                "http-get",
                Send::Get("query=%7Borganization(slug%3A%22frsi%22)%7Bslug%20name%7D%7D".into()),
            )
        },
        Case {
            expect: Expect::Data,
            ..Case::http(
                "http-get-variables",
                Send::Get(
                    "query=query(%24s%3AString!)%7Borganization(slug%3A%24s)%7Bslug%7D%7D&variables=%7B%22s%22%3A%22labib%22%7D"
                        .into(),
                ),
            )
        },
        Case::http("http-get-no-query", Send::Get(String::new())),
        Case::http(
            "http-malformed-json",
            Send::Raw {
                content_type: "application/json",
                body: "{\"query\": ",
            },
        ),
        Case::http(
            "http-no-query",
            Send::Raw {
                content_type: "application/json",
                body: "{\"variables\": {}}",
            },
        ),
        Case::http(
            "http-variables-not-an-object",
            Send::Raw {
                content_type: "application/json",
                body: "{\"query\": \"{ __typename }\", \"variables\": [1]}",
            },
        ),
        Case::http(
            "http-batch",
            Send::Raw {
                content_type: "application/json",
                body: "[{\"query\": \"{ __typename }\"}]",
            },
        ),
        Case::http(
            "http-wrong-media-type",
            Send::Raw {
                content_type: "text/plain",
                body: "{ __typename }",
            },
        ),
        Case::http("http-put", Send::Method("PUT")),
        Case::http(
            "http-not-acceptable",
            Send::Raw {
                content_type: "application/json",
                body: "{\"query\": \"{ __typename }\"}",
            },
        )
        .accept("text/html"),
    ]);
    cases
}
