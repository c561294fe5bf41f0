//! Variables as the GraphQL specification coerces them (October 2021, 6.1.2 CoerceVariableValues
//! and 6.4.1 CoerceArgumentValues): a variable left out without a default leaves the argument or
//! input field it is given to unwritten, so the argument's default applies; a required one left
//! out, or one whose value its type cannot take, is a request error before anything executes; a
//! document that is not valid is refused as such whatever its variables.

use serde_json::{Value, json};
use support::app::{TestApp, spawn_app};

/// POSTs `query` with `accept` and returns the status, the body and the SQL statements it ran.
async fn sent(app: &TestApp, accept: &str, query: &str, variables: Value) -> (u16, Value, usize) {
    let request = app
        .client
        .post(app.url("/graphql"))
        .header("accept", accept)
        .json(&json!({ "query": query, "variables": variables }));
    let (status, body, statements) = app.send_counted(request).await;
    let body = serde_json::from_slice(&body).expect("a JSON body");
    (status, body, statements)
}

/// Asserts that `query` with `variables` is refused for its variables: a request error (no
/// `data`, nothing executed: no SQL statement), 200 with `application/json` and 400 with
/// `application/graphql-response+json`, coded `GRAPHQL_VARIABLES_INVALID` with the variable
/// named, and a location. Returns the first error's message.
async fn assert_variables_refused(
    app: &TestApp,
    query: &str,
    variables: Value,
    variable: &str,
) -> String {
    let mut messages = Vec::new();
    for (accept, status) in [
        ("application/json", 200),
        ("application/graphql-response+json", 400),
    ] {
        let (got, body, statements) = sent(app, accept, query, variables.clone()).await;
        let what = format!("{query} with {variables} ({accept})");
        assert_eq!(got, status, "{what}: {body:#}");
        assert!(body.get("data").is_none(), "{what}: {body:#}");
        assert_eq!(statements, 0, "{what}: nothing may execute");
        let error = &body["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "GRAPHQL_VARIABLES_INVALID",
            "{what}: {body:#}"
        );
        assert_eq!(
            error["extensions"]["variable"], variable,
            "{what}: {body:#}"
        );
        assert!(
            error["locations"][0]["line"].is_number(),
            "{what}: {body:#}"
        );
        let message = error["message"].as_str().unwrap_or_default().to_owned();
        assert!(
            message.contains(&format!("\"${variable}\"")),
            "{what}: {message}"
        );
        messages.push(message);
    }
    assert_eq!(messages[0], messages[1]);
    messages.swap_remove(0)
}

#[tokio::test]
async fn an_argument_given_a_variable_left_out_takes_its_default() {
    let app = spawn_app().await;
    // Two hops apart, `maxHops` 4 by default.
    let path = |hops: &str| {
        let declared = if hops.is_empty() {
            ""
        } else {
            "query($hops: Int) "
        };
        format!(
            "{declared}{{ connectionPath(from: \"ray-of-light-of-poltava-region\", to: \"b-zone-fundraising-donors\"{hops}) {{ connected length }} }}"
        )
    };
    let network = |limit: &str| {
        let declared = if limit.is_empty() {
            ""
        } else {
            "query($limit: Int) "
        };
        format!(
            "{declared}{{ collaborationNetwork(filter: {{ countries: [\"PL\"] }}{limit}) {{ totalNodes nodes {{ organization {{ slug }} }} }} }}"
        )
    };
    // `Collaborator.shared(first: Int! = 20)` in a page; `libraries(first:)` has no default (a
    // page of 20 when neither `first` nor `last` is given).
    let nested = "query($n: Int) { organization(slug: \"urzad-gminy-chmielnik\") { collaborators(first: 3) { edges { node { sharedCount shared(first: $n) { ... on Event { slug } ... on Project { slug } } } } } } libraries(first: $n) { totalCount nodes { slug } } }";
    let nested_unwritten = "{ organization(slug: \"urzad-gminy-chmielnik\") { collaborators(first: 3) { edges { node { sharedCount shared { ... on Event { slug } ... on Project { slug } } } } } } libraries { totalCount nodes { slug } } }";

    let path_left_out = app.query(&path(", maxHops: $hops"), json!({})).await;
    let path_unwritten = app.query(&path(""), Value::Null).await;
    let path_given = app
        .query(&path(", maxHops: $hops"), json!({ "hops": 1 }))
        .await;
    let network_left_out = app.query(&network(", limit: $limit"), json!({})).await;
    let network_unwritten = app.query(&network(""), Value::Null).await;
    let network_given = app
        .query(&network(", limit: $limit"), json!({ "limit": 2 }))
        .await;
    let nested_left_out = app.query(nested, json!({})).await;
    let nested_unwritten = app.query(nested_unwritten, Value::Null).await;
    let nested_given = app.query(nested, json!({ "n": 1 })).await;

    assert_eq!(
        path_left_out["connectionPath"],
        json!({ "connected": true, "length": 2 })
    );
    assert_eq!(path_left_out, path_unwritten);
    assert_eq!(path_given["connectionPath"]["connected"], false);
    assert!(network_left_out["collaborationNetwork"]["totalNodes"].as_i64() > Some(2));
    assert_eq!(network_left_out, network_unwritten);
    assert_eq!(
        network_given["collaborationNetwork"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(nested_left_out, nested_unwritten);
    let shared = |data: &Value| -> Vec<usize> {
        data["organization"]["collaborators"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["shared"].as_array().map_or(0, Vec::len))
            .collect()
    };
    // Each of the commune office's partners shared five activities with it.
    assert_eq!(shared(&nested_left_out), [5, 5, 5], "{nested_left_out:#}");
    assert_eq!(shared(&nested_given), [1, 1, 1], "{nested_given:#}");
    let libraries = &nested_left_out["libraries"];
    let page = libraries["nodes"].as_array().map_or(0, Vec::len) as i64;
    assert_eq!(page, libraries["totalCount"].as_i64().unwrap_or(0).min(20));
    assert_eq!(
        nested_given["libraries"]["nodes"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn an_input_field_given_a_variable_left_out_is_not_written() {
    let app = spawn_app().await;
    let query = "query($c: [String!], $from: Int) {
      organizations(filter: { countries: $c, activeIn: { from: $from, to: 2030 } }) { totalCount }
      collaborationNetwork(filter: { countries: [\"PL\"], period: { from: $from } }) { totalNodes } }";
    let unwritten = "{
      organizations(filter: { activeIn: { to: 2030 } }) { totalCount }
      collaborationNetwork(filter: { countries: [\"PL\"], period: {} }) { totalNodes } }";

    let left_out = app.query(query, json!({})).await;
    let expected = app.query(unwritten, Value::Null).await;
    let given = app.query(query, json!({ "c": ["MD"], "from": 2030 })).await;

    assert_eq!(left_out, expected);
    assert!(
        given["organizations"]["totalCount"].as_i64()
            < left_out["organizations"]["totalCount"].as_i64(),
        "{given:#} {left_out:#}"
    );
}

#[tokio::test]
async fn a_required_variable_left_out_is_a_request_error_naming_it() {
    let app = spawn_app().await;

    let message = assert_variables_refused(
        &app,
        "query($slug: String!) { organization(slug: $slug) { slug } }",
        json!({}),
        "slug",
    )
    .await;
    let null = assert_variables_refused(
        &app,
        "query($slug: String!) { organization(slug: $slug) { slug } }",
        json!({ "slug": null }),
        "slug",
    )
    .await;

    assert_eq!(
        message,
        "Variable \"$slug\" of required type \"String!\" was not provided."
    );
    assert_eq!(
        null,
        "Variable \"$slug\" of non-null type \"String!\" must not be null."
    );
}

#[tokio::test]
async fn a_variable_its_type_cannot_take_is_a_request_error_naming_the_problem() {
    let app = spawn_app().await;
    let path = "query($hops: Int) { connectionPath(from: \"frsi\", to: \"labib\", maxHops: $hops) { connected } }";
    let network = "query($filter: NetworkFilter) { collaborationNetwork(filter: $filter, limit: 5) { totalNodes } }";

    for (query, variables, variable, problem) in [
        (
            path,
            json!({ "hops": "abc" }),
            "hops",
            "\"abc\" is not an Int",
        ),
        (path, json!({ "hops": 2.5 }), "hops", "2.5 is not an Int"),
        (
            path,
            json!({ "hops": 4294967296u64 }),
            "hops",
            "is not an Int",
        ),
        (
            network,
            json!({ "filter": { "countries": ["PL"], "country": "MD" } }),
            "filter",
            "the type NetworkFilter has no field \"country\"",
        ),
        (
            network,
            json!({ "filter": { "kinds": ["LIBRARY", "CASTLE"] } }),
            "filter",
            "at \"filter.kinds[1]\": \"CASTLE\" is not a value of the enum OrganizationKind",
        ),
        (
            network,
            json!({ "filter": { "countries": [null] } }),
            "filter",
            "at \"filter.countries[0]\": null where the type \"String!\" is non-null",
        ),
        (
            network,
            json!({ "filter": { "period": { "from": "2019" } } }),
            "filter",
            "at \"filter.period.from\": \"2019\" is not an Int",
        ),
        (
            network,
            json!({ "filter": "PL" }),
            "filter",
            "is not an input object of type NetworkFilter",
        ),
    ] {
        let message = assert_variables_refused(&app, query, variables.clone(), variable).await;
        assert!(message.contains(problem), "{variables}: {message}");
    }
}

#[tokio::test]
async fn a_document_that_is_not_valid_is_refused_as_such_whatever_its_variables() {
    let app = spawn_app().await;

    for (query, variables) in [
        // Invalid, with a variable that would be refused too.
        (
            "query($slug: String!) { organization(slug: $slug) { nope } }",
            json!({}),
        ),
        // A variable left out whose uses the validator must still see: a `String` where an `Int`
        // goes, a nullable one as an item of a list of non-null strings, a type that does not
        // exist.
        (
            "query($n: String) { libraries(first: $n) { totalCount } }",
            json!({}),
        ),
        (
            "query($c: String) { organizations(filter: { countries: [\"PL\", $c] }) { totalCount } }",
            json!({}),
        ),
        (
            "query($n: Nope) { libraries(first: $n) { totalCount } }",
            json!({ "n": 1 }),
        ),
        // Left out, a variable's definitions leave the document that executes: the validator
        // must have seen them first.
        (
            "query($n: Int, $n: Int) { libraries(first: $n) { totalCount } }",
            json!({}),
        ),
    ] {
        let (status, body, statements) = sent(
            &app,
            "application/graphql-response+json",
            query,
            variables.clone(),
        )
        .await;
        assert_eq!(status, 400, "{query}: {body:#}");
        assert!(body.get("data").is_none(), "{query}: {body:#}");
        assert_eq!(statements, 0, "{query}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{query}: {body:#}"
        );
    }
}

#[tokio::test]
async fn a_variable_left_out_of_one_operation_of_several_leaves_the_others_alone() {
    let app = spawn_app().await;
    // The fragment is shared: leaving `$n` out of `A` must not make `B`'s `$n` unused.
    let document =
        "query A($n: Int) { ...Page } query B($n: Int) { ...Page count: libraries { totalCount } }
      fragment Page on Query { libraries(first: $n) { nodes { slug } } }";

    let app = &app;
    let post = |body: Value| async move {
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&body)
            .send()
            .await;
        let response = response.expect("request");
        response.json::<Value>().await.expect("a JSON body")
    };
    let body = post(json!({ "query": document, "operationName": "A", "variables": {} })).await;
    let given =
        post(json!({ "query": document, "operationName": "B", "variables": { "n": 2 } })).await;

    assert!(body.get("errors").is_none(), "{body:#}");
    assert!(
        !body["data"]["libraries"]["nodes"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    assert!(given.get("errors").is_none(), "{given:#}");
    assert_eq!(
        given["data"]["libraries"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
}
