//! The server as an HTTP service: GraphQL-over-HTTP behaviour, the playground, the committed
//! schema, query limits, and the number of SQL statements per query.

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::app::{spawn_app, spawn_app_with};

/// A query four relation levels deep whose breadth depends on `$n`; every level has one type, so
/// the statements it needs depend on its shape only.
const NESTED: &str = "query($n: Int!) {
  libraries(first: $n) {
    edges { node {
      name
      place { name organizations(first: 10) { totalCount edges { node {
        name
        participations(first: 10) { totalCount edges { node {
          role
          citations(first: 3) { edges { node { quote source { title } } } }
        } } }
      } } } }
      citations(first: 3) { edges { node { quote } } }
    } }
  }
}";

/// Participations and their activities: a union of three types, one statement per type present.
const ACTIVITIES: &str = "query($n: Int!) {
  libraries(first: $n) { edges { node {
    participations(first: 10) { edges { node {
      activity { __typename ... on Project { name } ... on Event { name } ... on Programme { name } }
    } } }
  } } }
}";

#[tokio::test]
async fn sql_statements_do_not_grow_with_the_number_of_parents() {
    let app = spawn_app().await;

    let (one, with_one) = app.statements_for(NESTED, json!({ "n": 1 })).await;
    let (all, with_all) = app.statements_for(NESTED, json!({ "n": 20 })).await;

    let libraries = all["libraries"]["edges"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(one["libraries"]["edges"].as_array().map(Vec::len), Some(1));
    assert!(
        libraries >= 5,
        "the seeds have several libraries: {libraries}"
    );
    assert_eq!(
        with_one, with_all,
        "1 library: {with_one} statements, {libraries} libraries: {with_all}"
    );
    assert!(with_all <= 12, "{with_all} statements for a 4-level query");
}

#[tokio::test]
async fn union_fields_cost_a_statement_per_member_type_not_per_parent() {
    let app = spawn_app().await;

    let (_, with_one) = app.statements_for(ACTIVITIES, json!({ "n": 1 })).await;
    let (_, with_all) = app.statements_for(ACTIVITIES, json!({ "n": 20 })).await;

    // libraries, participations, record kinds, then at most one per member type.
    assert!(
        with_one <= 6 && with_all <= 6,
        "{with_one} / {with_all} statements"
    );
}

#[tokio::test]
async fn the_committed_schema_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .expect("schema.graphql at the repository root");

    let generated = libgraph::graphql::sdl();

    assert!(
        committed == generated,
        "schema.graphql is stale: run `cargo run -p libgraph -- export-schema > schema.graphql`"
    );
}

#[tokio::test]
async fn every_type_and_field_of_the_schema_is_documented() {
    let app = spawn_app().await;
    let data = app
        .query(
            "{ __schema { types {
                name kind description
                fields { name description }
                inputFields { name description }
                enumValues { name description }
            } } }",
            Value::Null,
        )
        .await;

    // Fields async-graphql generates for every connection and edge, with its own descriptions.
    const CONNECTION_FIELDS: [&str; 5] = ["edges", "node", "cursor", "pageInfo", "nodes"];
    let described = |v: &Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };

    let mut undocumented_types = Vec::new();
    let mut undocumented_members = Vec::new();
    for ty in data["__schema"]["types"].as_array().into_iter().flatten() {
        let name = ty["name"].as_str().unwrap_or_default();
        if name.starts_with("__")
            || ["String", "Int", "Float", "Boolean", "ID", "PageInfo"].contains(&name)
        {
            continue;
        }
        let generated = name.ends_with("Connection") || name.ends_with("Edge");
        if !described(ty) && !generated {
            undocumented_types.push(name.to_owned());
        }
        for list in ["fields", "inputFields", "enumValues"] {
            for member in ty[list].as_array().into_iter().flatten() {
                let member_name = member["name"].as_str().unwrap_or_default();
                if generated && CONNECTION_FIELDS.contains(&member_name) {
                    continue;
                }
                if !described(member) {
                    undocumented_members.push(format!("{name}.{member_name}"));
                }
            }
        }
    }

    assert!(
        undocumented_types.is_empty(),
        "types without a description: {undocumented_types:?}"
    );
    assert!(
        undocumented_members.is_empty(),
        "fields, input fields and enum values without a description: {undocumented_members:?}"
    );
}

#[tokio::test]
async fn graphql_over_http_negotiates_and_refuses_what_it_must() {
    let app = spawn_app().await;
    let url = app.url("/graphql");

    let get = app
        .client
        .get(&url)
        .query(&[("query", "{ organizations(first: 1) { totalCount } }")])
        .send()
        .await
        .expect("get");
    let mutation = app
        .client
        .get(&url)
        .query(&[("query", "mutation { x }")])
        .send()
        .await
        .expect("get mutation");
    let strict = app
        .client
        .post(&url)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ nope" }))
        .send()
        .await
        .expect("post");
    let legacy = app
        .client
        .post(&url)
        .header("accept", "application/json")
        .json(&json!({ "query": "{ nope" }))
        .send()
        .await
        .expect("post");
    let wrong_type = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("post");

    assert_eq!(get.status(), 200);
    assert_eq!(mutation.status(), 405);
    assert_eq!(
        mutation
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert_eq!(strict.status(), 400);
    assert!(
        strict.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/graphql-response+json")
    );
    assert_eq!(legacy.status(), 200);
    assert_eq!(wrong_type.status(), 415);
}

#[tokio::test]
async fn depth_and_complexity_limits_refuse_expensive_queries() {
    let app = spawn_app_with(Limits {
        max_depth: 10,
        max_complexity: 2_000,
        ..Limits::default()
    })
    .await;
    let wide = "query($n: Int!) { organizations(first: $n) { edges { node { participations(first: $n) { edges { node { role } } } } } } }";

    let deep_but_cheap = "{ libraries(first: 1) { edges { node { place { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } }";
    let (deep, _) = app.error_code(deep_but_cheap, Value::Null).await;
    let (complex, body) = app.error_code(wide, json!({ "n": 100 })).await;
    let fits = app.query(wide, json!({ "n": 10 })).await;

    assert_eq!(deep, "QUERY_TOO_DEEP");
    assert_eq!(complex, "QUERY_TOO_COMPLEX", "{body:#}");
    assert!(
        fits["organizations"]["edges"]
            .as_array()
            .is_some_and(|e| e.len() == 10)
    );
}

#[tokio::test]
async fn the_playground_is_served_offline_with_its_examples() {
    let app = spawn_app().await;

    let page = app
        .client
        .get(app.url("/playground"))
        .send()
        .await
        .expect("page");
    let page_type = page.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    let html = page.text().await.expect("html");
    let script = app
        .client
        .get(app.url("/playground/assets/graphiql.min.js"))
        .send()
        .await
        .expect("script");
    let examples: Value = app
        .client
        .get(app.url("/playground/examples.json"))
        .send()
        .await
        .expect("examples")
        .json()
        .await
        .expect("json");

    assert!(page_type.starts_with("text/html"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must not load anything from the network"
    );
    assert_eq!(script.status(), 200);
    let examples = examples.as_array().cloned().unwrap_or_default();
    assert!(examples.len() >= 4);
    // Every example query runs against the seeds without errors and finds something.
    for example in examples {
        let data = app
            .query(
                example["query"].as_str().unwrap_or_default(),
                example["variables"].clone(),
            )
            .await;
        assert!(data.to_string().len() > 50, "{}: {data}", example["name"]);
    }
}

/// The benchmark's heavy query: libraries → projects → partners → their projects.
const HEAVY: &str = "query($n: Int!) {
  libraries(first: 5) { edges { node { name
    participations(first: $n) { edges { node { activity { ... on Project { name
      participations(first: $n) { edges { node { organization { name
        participations(first: $n) { edges { node { activity { ... on Project { name } } } } }
      } } } }
    } } } } }
  } } }
}";

#[tokio::test]
async fn statements_stay_at_one_per_level_on_scale_data_when_pages_double() {
    let test_db = support::TestDb::generated().await;
    let limits = Limits {
        max_complexity: 100_000_000,
        ..Limits::default()
    };
    let app = support::app::spawn_app_on(test_db, limits).await;

    let (small, at_10) = app.statements_for(HEAVY, json!({ "n": 10 })).await;
    let (large, at_40) = app.statements_for(HEAVY, json!({ "n": 40 })).await;

    let partners = |data: &Value| data.to_string().matches("\"name\"").count();
    assert!(
        partners(&large) > 4 * partners(&small) / 3,
        "bigger pages bring more rows: {} vs {}",
        partners(&large),
        partners(&small)
    );
    assert!(partners(&large) > 1000, "{} names", partners(&large));
    // libraries, participations, activity, participations, organization, participations, activity
    assert!(at_10 <= 8, "{at_10} statements at 10 per page");
    assert!(
        at_40 <= at_10,
        "{at_10} statements at 10 per page, {at_40} at 40"
    );
}
