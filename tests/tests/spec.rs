//! The GraphQL specification's rules for responses, checked on both executors: libgraph's lean
//! one, which resolves plain selections of pages, and async-graphql's own, which resolves any
//! selection that is not plain (here: `__typename` twice in every selection set). Each executor
//! counts what it resolved ([`Trace`]), so a test proves which one answered.
//!
//! - "Handling Field Errors": a field that fails is null in its place, with an error that names
//!   its path; a non-null one nulls its nearest nullable parent, up to `"data": null`.
//! - "CollectFields" and "Serialization Format": keys in the order they were selected, the same
//!   on every request; a selection whose fields are all skipped is `{}`.
//! - "Validation": directives on `__typename` like on any field; `@skip`/`@include` variables of
//!   the right type. One depth limit with one message and code.
//! - "CoerceVariableValues" and "CoerceArgumentValues": variables an operation cannot take are
//!   refused before either executor runs; a variable without a value leaves its argument
//!   unwritten, so its default applies, on both.

use std::sync::atomic::Ordering;

use async_graphql::{Request, Response, Value as GqlValue, Variables};
use libgraph::graphql::Limits;
use libgraph::graphql::executor::batch::Batched;
use libgraph::graphql::executor::lean::Trace;
use libgraph::store::page::TextOrder;
use serde_json::{Value, json};
use support::app::{spawn_app, spawn_app_with};
use support::{TestDb, with_typename_in_every_selection};

/// The executor the server runs, in process, over a seeded database of its own.
async fn executor() -> (Batched, TestDb) {
    let test = TestDb::seeded().await;
    let limits = Limits::default();
    let schema = libgraph::graphql::schema(test.db.clone(), limits);
    let text_order = TextOrder::of(&test.db).await;
    let executor = Batched::new(schema, test.db.clone(), limits, text_order).expect("executor");
    (executor, test)
}

/// `query`'s answer from the lean executor and from async-graphql's, each checked to have come
/// from the executor it names.
async fn both(executor: &Batched, query: &str, variables: Value) -> [Response; 2] {
    let lean = with_typename_in_every_selection(query, "__typename");
    let own = with_typename_in_every_selection(query, "__typename __typename");
    let run = |query: String| {
        let request = Request::new(query).variables(Variables::from_json(variables.clone()));
        executor.execute_traced(request)
    };
    let (lean, lean_trace) = run(lean).await;
    let (own, own_trace) = run(own).await;
    let counts = |trace: &Trace| {
        (
            trace.lean_pages.load(Ordering::Relaxed),
            trace.fallbacks.load(Ordering::Relaxed),
        )
    };
    let (lean_pages, lean_fallbacks) = counts(&lean_trace);
    let (own_pages, own_fallbacks) = counts(&own_trace);
    assert!(
        lean_pages > 0 && lean_fallbacks == 0,
        "the lean executor answered {query}: {lean_pages} pages, {lean_fallbacks} fallbacks"
    );
    assert!(
        own_pages == 0 && own_fallbacks > 0,
        "async-graphql answered {query}: {own_pages} lean pages, {own_fallbacks} fallbacks"
    );
    [lean, own]
}

/// A response as JSON, without the `__typename` keys the two runs added.
fn json_of(response: &Response) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("__typename");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value =
        support::without_cost(serde_json::to_value(response).expect("response serializes"));
    if let Some(data) = value.get_mut("data") {
        strip(data);
    }
    value
}

/// The keys of every object in `value`, in order, depth first.
fn key_orders(value: &GqlValue, out: &mut Vec<Vec<String>>) {
    match value {
        GqlValue::Object(map) => {
            out.push(map.keys().map(|k| k.to_string()).collect());
            map.values().for_each(|v| key_orders(v, out));
        }
        GqlValue::List(items) => items.iter().for_each(|v| key_orders(v, out)),
        _ => {}
    }
}

fn paths(response: &Response) -> Vec<Value> {
    let body = serde_json::to_value(response).expect("response serializes");
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["path"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_failed_field_of_a_nullable_parent_nulls_that_parent_with_its_path_on_both_executors() {
    let (executor, _db) = executor().await;
    // `Place.organizations` is non-null and fails (a page of 500); `Library.place` is nullable.
    let query = "{ libraries(first: 3) { edges { node { name place { name organizations(first: 500) { totalCount } } } } } }";

    for response in both(&executor, query, json!({})).await {
        let body = json_of(&response);
        let edges = body["data"]["libraries"]["edges"]
            .as_array()
            .expect("the libraries are there")
            .clone();
        assert_eq!(edges.len(), 3);
        let mut expected_paths = Vec::new();
        for (index, edge) in edges.iter().enumerate() {
            let node = &edge["node"];
            assert!(node["name"].is_string(), "{body:#}");
            // The key is there, null, not left out.
            assert_eq!(node.get("place"), Some(&Value::Null), "{body:#}");
            expected_paths.push(json!([
                "libraries",
                "edges",
                index,
                "node",
                "place",
                "organizations"
            ]));
        }
        let mut found = paths(&response);
        found.sort_by_key(|p| p.to_string());
        expected_paths.sort_by_key(|p| p.to_string());
        assert_eq!(found, expected_paths, "{body:#}");
        for error in body["errors"].as_array().into_iter().flatten() {
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        }
    }
}

#[tokio::test]
async fn a_failed_non_null_field_under_non_null_parents_nulls_the_data_on_both_executors() {
    let (executor, _db) = executor().await;
    let query = "{ libraries(first: 2) { totalCount edges { node { name participations(first: 500) { totalCount } } } } }";

    let [lean, own] = both(&executor, query, json!({})).await;

    for response in [&lean, &own] {
        let body = json_of(response);
        assert_eq!(body["data"], Value::Null, "{body:#}");
        assert_eq!(
            paths(response)[0],
            json!(["libraries", "edges", 0, "node", "participations"]),
            "{body:#}"
        );
    }
}

#[tokio::test]
async fn keys_come_in_the_order_selected_every_time_on_both_executors() {
    let (executor, _db) = executor().await;
    let query = "{ libraries(first: 3) { edges { node { name slug id kind place { name } participations(first: 2) { totalCount } collaborators(first: 2) { totalCount } citations(first: 1) { totalCount } aliases { name } } } } count: organizations(first: 1) { totalCount } }";
    let selected = [
        "name",
        "slug",
        "id",
        "kind",
        "place",
        "participations",
        "collaborators",
        "citations",
        "aliases",
    ];

    let mut answers = Vec::new();
    for _ in 0..3 {
        for response in both(&executor, query, json!({})).await {
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            let mut orders = Vec::new();
            key_orders(&response.data, &mut orders);
            // The runs put `__typename` first in every selection set but the root's.
            assert_eq!(orders[0], ["libraries", "count"]);
            let node = orders
                .iter()
                .find(|keys| keys.iter().any(|k| k == "slug"))
                .expect("a library's keys");
            assert_eq!(node[0], "__typename");
            assert_eq!(node[1..], selected, "{orders:?}");
            answers.push(json_of(&response));
        }
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
}

#[tokio::test]
async fn a_root_typename_selected_last_comes_last_and_skipped_selections_are_empty_objects() {
    let app = spawn_app().await;
    let post = |query: &'static str| {
        let request = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": query }));
        async move {
            request
                .send()
                .await
                .expect("request")
                .text()
                .await
                .expect("body")
        }
    };

    let total = app
        .query("{ organizations { totalCount } }", json!({}))
        .await["organizations"]["totalCount"]
        .clone();
    let last = post("{ organizations(first: 1) { totalCount } __typename }").await;
    let skipped = post("{ organizations(first: 1) @skip(if: true) { totalCount } }").await;
    let inner =
        post("{ organization(slug: \"biblioteka-krakow\") { name @include(if: false) slug } }")
            .await;

    // `extensions` (the query's cost) comes after `data`.
    let cost = |n: u32| format!(r#""extensions":{{"cost":{{"requested":{n},"limit":250000}}}}"#);
    assert_eq!(
        last,
        format!(
            r#"{{"data":{{"organizations":{{"totalCount":{total}}},"__typename":"Query"}},{}}}"#,
            cost(3)
        )
    );
    assert_eq!(skipped, format!(r#"{{"data":{{}},{}}}"#, cost(2)));
    assert_eq!(
        inner,
        format!(
            r#"{{"data":{{"organization":{{"slug":"biblioteka-krakow"}}}},{}}}"#,
            cost(3)
        )
    );
}

#[tokio::test]
async fn a_nullable_list_item_whose_non_null_field_failed_is_null_in_the_list() {
    let app = spawn_app().await;
    let library = app.organization_id("biblioteka-krakow").await;
    let place = app
        .query(
            "{ organization(slug: \"biblioteka-krakow\") { place { id } } }",
            json!({}),
        )
        .await["organization"]["place"]["id"]
        .clone();

    // As in the specification's `heroFriends` example: the item is null, its neighbours stay.
    let body = app
        .post(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Library { participations(first: 500) { totalCount } } } }",
            json!({ "ids": [library, place] }),
        )
        .await;

    assert_eq!(body["data"]["nodes"][0], Value::Null, "{body:#}");
    assert_eq!(body["data"]["nodes"][1]["id"], place, "{body:#}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["nodes", 0, "participations"]),
        "{body:#}"
    );
}

#[tokio::test]
async fn typename_directives_and_directive_variables_are_validated_like_any_field() {
    let app = spawn_app().await;

    for (query, variables) in [
        ("{ __typename @include(if: 5) }", json!({})),
        ("{ __typename @foo }", json!({})),
        ("{ __typename(a: 1) }", json!({})),
        ("{ __typename @skip(if: true) @skip(if: true) }", json!({})),
        (
            "query($v: Int) { organizations(first: 1) @include(if: $v) { totalCount } }",
            json!({ "v": 1 }),
        ),
        (
            "query($v: Boolean) { organizations(first: 1) @include(if: $v) { totalCount } }",
            json!({}),
        ),
    ] {
        let body = app.post(query, variables).await;
        assert!(body.get("data").is_none(), "{query}: {body:#}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{query}: {body:#}"
        );
    }
    // A variable's default decides, as the operation declares it.
    let defaulted = app
        .query(
            "query($all: Boolean! = true) { organizations(first: 1) @include(if: $all) { totalCount } __typename @skip(if: $all) }",
            json!({}),
        )
        .await;
    assert_eq!(
        defaulted.as_object().map(|o| o.len()),
        Some(1),
        "{defaulted:#}"
    );
    assert!(defaulted["organizations"]["totalCount"].is_number());
}

#[tokio::test]
async fn every_query_too_deep_gets_one_message_and_one_code() {
    let app = spawn_app_with(Limits {
        max_depth: 10,
        ..Limits::default()
    })
    .await;
    let fields = |levels: usize| {
        format!(
            "{{ organization(slug: \"biblioteka-krakow\") {{ place {} {{ name }} {} }} }}",
            "{ parent ".repeat(levels),
            "}".repeat(levels)
        )
    };
    let fragments = |levels: usize| {
        format!(
            "{{ organization(slug: \"biblioteka-krakow\") {{ {} name {} }} }}",
            "... on Library { ".repeat(levels),
            "}".repeat(levels)
        )
    };

    // Ten levels of fields, twenty of selection sets: allowed.
    assert!(app.post(&fields(7), json!({})).await.get("data").is_some());
    assert!(
        app.post(&fragments(19), json!({}))
            .await
            .get("data")
            .is_some()
    );
    let mut refusals = Vec::new();
    // Too many fields, too many fragments, and too deep for the parser itself.
    for query in [fields(8), fragments(20), fields(300)] {
        let body = app.post(&query, json!({})).await;
        assert!(body.get("data").is_none(), "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP");
        refusals.push(body["errors"][0]["message"].clone());
    }
    assert!(refusals.windows(2).all(|w| w[0] == w[1]), "{refusals:#?}");
    assert!(
        refusals[0]
            .as_str()
            .is_some_and(|m| m.contains("10 levels")),
        "{refusals:#?}"
    );
}

/// A fragment on another union the object belongs to (`... on OutcomeSubject` on a library
/// reached as a `Record` or a `Node`) is one async-graphql does not apply: its fields are left
/// out as before, and the rest of the answer stands, with no error and no null spreading up.
#[tokio::test]
async fn a_fragment_the_executor_does_not_apply_costs_the_rest_of_the_answer_nothing() {
    let app = spawn_app().await;
    let id = app.organization_id("biblioteka-krakow").await;

    let searched = app
        .query(
            "{ search(text: \"biblioteka krakow\", first: 1) { nodes { record {
                ... on OutcomeSubject { ... on Library { slug } }
                __typename } } } }",
            json!({}),
        )
        .await;
    let noded = app
        .query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Node { id }
                ... on OutcomeSubject { ... on Library { slug } } } }",
            json!({ "ids": [id] }),
        )
        .await;

    assert_eq!(
        searched["search"]["nodes"][0]["record"]["__typename"], "Library",
        "{searched:#}"
    );
    assert_eq!(noded["nodes"][0]["id"], id, "{noded:#}");
}

/// "CoerceArgumentValues": a variable without a value (nullable, no default, not given) leaves
/// the argument or input field it is given to unwritten, so the argument's default applies, on
/// both executors: `Collaborator.shared(first: Int! = 20)` in a page, `libraries(first:)` (no
/// default: a page of 20) and an input field.
#[tokio::test]
async fn a_variable_without_a_value_leaves_its_argument_unwritten_on_both_executors() {
    let (executor, _db) = executor().await;
    let with_variables = "query($n: Int, $c: [String!]) {
      organization(slug: \"urzad-gminy-chmielnik\") { collaborators(first: 3) { edges { node {
        sharedCount shared(first: $n) { ... on Event { slug } ... on Project { slug } } } } } }
      libraries(first: $n, filter: { countries: $c }) { totalCount edges { node { slug } } } }";
    let unwritten = "{
      organization(slug: \"urzad-gminy-chmielnik\") { collaborators(first: 3) { edges { node {
        sharedCount shared { ... on Event { slug } ... on Project { slug } } } } } }
      libraries(filter: {}) { totalCount edges { node { slug } } } }";

    let left_out = both(&executor, with_variables, json!({})).await;
    let expected = both(&executor, unwritten, json!({})).await;
    let given = both(&executor, with_variables, json!({ "n": 1, "c": ["MD"] })).await;

    for ((left_out, expected), given) in left_out.iter().zip(&expected).zip(&given) {
        assert!(left_out.errors.is_empty(), "{:?}", left_out.errors);
        assert_eq!(json_of(left_out), json_of(expected));
        let body = json_of(left_out);
        let shared = &body["data"]["organization"]["collaborators"]["edges"][0]["node"]["shared"];
        assert_eq!(shared.as_array().map(Vec::len), Some(5), "{body:#}");
        assert_ne!(json_of(given), body, "a variable given is read");
    }
    assert_eq!(json_of(&left_out[0]), json_of(&left_out[1]));
}

/// "CoerceVariableValues": a variable the operation cannot take is a request error before either
/// executor runs: no data, no path, nothing resolved.
#[tokio::test]
async fn variables_an_operation_cannot_take_are_refused_before_either_executor_runs() {
    let (executor, _db) = executor().await;
    let query = "query($slug: String!, $n: Int) { organization(slug: $slug) { collaborators(first: $n) { edges { node { sharedCount } } } } }";

    for (variables, refused) in [
        (json!({ "n": 2 }), vec!["slug"]),
        (json!({ "slug": null, "n": 2 }), vec!["slug"]),
        (json!({ "slug": "frsi", "n": "two" }), vec!["n"]),
        (json!({ "n": [2, 3] }), vec!["slug", "n"]),
    ] {
        for typename in ["__typename", "__typename __typename"] {
            let request = Request::new(with_typename_in_every_selection(query, typename))
                .variables(Variables::from_json(variables.clone()));
            let (response, trace) = executor.execute_traced(request).await;
            let body = serde_json::to_value(&response).expect("response serializes");
            assert_eq!(response.data, GqlValue::Null, "{variables}: {body:#}");
            let named: Vec<&Value> = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .inspect(|e| {
                    assert_eq!(
                        e["extensions"]["code"], "GRAPHQL_VARIABLES_INVALID",
                        "{body:#}"
                    );
                    assert!(e.get("path").is_none(), "{body:#}");
                })
                .map(|e| &e["extensions"]["variable"])
                .collect();
            assert_eq!(named, refused, "{variables}: {body:#}");
            assert_eq!(trace.lean_pages.load(Ordering::Relaxed), 0);
            assert_eq!(trace.fallbacks.load(Ordering::Relaxed), 0);
        }
    }
}
