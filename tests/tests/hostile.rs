//! Requests built to make the server work or write far more than they cost to send: each is
//! refused cheaply, answers a bounded amount, and leaves the server answering others.

use serde_json::{Value, json};
use support::app::{spawn_app, spawn_app_with};
use support::fragment_bomb;

#[tokio::test]
async fn a_huge_invalid_input_or_query_line_is_not_echoed_back() {
    let app = spawn_app().await;
    let huge = "A".repeat(900_000);
    let cases = [
        (
            "an invalid ID",
            json!({ "query": "query($id: ID!) { node(id: $id) { id } }", "variables": { "id": huge } }),
        ),
        (
            "a country code",
            json!({ "query": "query($c: [String!]) { places(countries: $c) { totalCount } }", "variables": { "c": [huge] } }),
        ),
        (
            "a parse error on one long line",
            json!({ "query": format!("{{ organizations(first: 1) {{ {huge} ( }} }}") }),
        ),
        (
            "an unknown field",
            json!({ "query": format!("{{ {huge} }}") }),
        ),
    ];
    for (what, request) in cases {
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&request)
            .send()
            .await
            .expect("request");
        let body = response.bytes().await.expect("body");
        assert!(
            body.len() < 2_000,
            "{what}: {} bytes came back for {} sent",
            body.len(),
            request.to_string().len()
        );
        let body: Value = serde_json::from_slice(&body).expect("json");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: {body}");
    }
    let data = app.query("{ __typename }", Value::Null).await;
    assert_eq!(data["__typename"], "Query");
}

#[tokio::test]
async fn fragment_bombs_are_refused_as_too_large_by_post_and_get() {
    let app = spawn_app().await;
    let bombs = [
        fragment_bomb(25, 2, "__typename"),
        fragment_bomb(27, 2, "__typename"),
        fragment_bomb(7, 10, "__typename"),
        fragment_bomb(
            12,
            2,
            "__schema { types { name fields { name type { name } } } }",
        ),
    ];
    for bomb in &bombs {
        assert!(bomb.len() < 1_500, "{} bytes", bomb.len());
        let (code, _) = app.error_code(bomb, Value::Null).await;
        assert_eq!(code, "QUERY_TOO_LARGE", "{bomb}");
        let response = app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", bomb.as_str())])
            .header("accept", "application/graphql-response+json")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "QUERY_TOO_LARGE",
            "{body}"
        );
        assert!(body.get("data").is_none(), "{body}");
    }
    // The same shape within the limits still answers: 2^5 spreads of one field are one key.
    let data = app
        .query(&fragment_bomb(5, 2, "__typename"), Value::Null)
        .await;
    assert_eq!(data, json!({ "__typename": "Query" }));
}

#[tokio::test]
async fn aliased_introspection_is_refused_past_a_few_and_one_schema_still_answers() {
    let app = spawn_app().await;
    let aliases: String = (0..4_000)
        .map(|i| format!(" s{i}: __schema {{ types {{ fields {{ name }} }} }}"))
        .collect();
    let (code, body) = app
        .error_code(&format!("{{{aliases} }}"), Value::Null)
        .await;
    assert_eq!(code, "QUERY_TOO_LARGE", "{body}");
    // Within the field limit, but more schemas than the introspection limit.
    let (code, body) = app
        .error_code(
            "{ a: __schema { queryType { name } } b: __schema { queryType { name } } c: __type(name: \"Query\") { name } d: __type(name: \"Library\") { name } }",
            Value::Null,
        )
        .await;
    assert_eq!(code, "QUERY_TOO_LARGE", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("4 times"), "{message}");
    let data = app
        .query("{ __schema { queryType { name } } }", Value::Null)
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn a_document_with_thousands_of_errors_lists_the_first_hundred_and_counts_the_rest() {
    let app = spawn_app().await;
    // The 5,000 copies (95 KB) are now refused unparsed, for their length.
    let directives = " @include(if: true)".repeat(5_000);
    let (code, body) = app
        .error_code(
            &format!("{{ places(first: 1){directives} {{ totalCount }} }}"),
            Value::Null,
        )
        .await;
    assert_eq!(code, "QUERY_TOO_LARGE", "{body}");
    // 1,500 copies fit in 32 KB and make 1,499 errors.
    let directives = " @include(if: true)".repeat(1_500);
    let query = format!("{{ places(first: 1){directives} {{ totalCount }} }}");
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request");
    let body = response.bytes().await.expect("body");
    assert!(
        body.len() < 30_000,
        "{} bytes came back for {} sent",
        body.len(),
        query.len()
    );
    let body: Value = serde_json::from_slice(&body).expect("json");
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 100, "{body}");
    assert_eq!(body["extensions"]["omittedErrors"], 1_399, "{body}");
    assert_eq!(errors[0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    let data = app.query("{ __typename }", Value::Null).await;
    assert_eq!(data["__typename"], "Query");
}

#[tokio::test]
async fn aliased_networks_are_refused_by_their_count_and_by_their_price() {
    let app = spawn_app().await;
    // The document is a thousand networks with distinct periods (100 KB, refused for its
    // length); 150 of them fit in the text limit.
    let networks = |n: usize| -> String {
        let fields: String = (0..n)
            .map(|i| {
                format!(
                    " n{i}: collaborationNetwork(filter: {{ period: {{ from: {}, to: 2030 }} }}, limit: 5) {{ totalNodes }}",
                    1000 + i
                )
            })
            .collect();
        format!("{{{fields} }}")
    };
    let (code, body) = app.error_code(&networks(1_000), Value::Null).await;
    assert_eq!(code, "QUERY_TOO_LARGE", "{body}");
    let (code, body) = app.error_code(&networks(150), Value::Null).await;
    assert_eq!(code, "QUERY_TOO_LARGE", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("150 aliased fields"), "{message}");
    // Within the alias limit, five networks cost more than the budget: each is priced for what
    // it computes, not for the few fields it selects.
    let (code, body) = app.error_code(&networks(5), Value::Null).await;
    assert_eq!(code, "QUERY_TOO_COMPLEX", "{body}");
    assert_eq!(body["extensions"]["cost"]["limit"], 250_000, "{body}");
    assert!(body["extensions"]["cost"]["requested"].as_u64() > Some(250_000));
    let data = app.query(&networks(2), Value::Null).await;
    assert!(data["n0"]["totalNodes"].is_number(), "{data}");
    // Root fields are capped as such, aliased or not.
    let roots = format!("{{{} }}", " __typename".repeat(51));
    let (code, body) = app.error_code(&roots, Value::Null).await;
    assert_eq!(code, "QUERY_TOO_LARGE", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("51 root fields"), "{message}");
    let data = app.query("{ __typename }", Value::Null).await;
    assert_eq!(data["__typename"], "Query");
}

#[tokio::test]
async fn every_costed_answer_shows_its_cost_and_the_limits_field_lists_them() {
    let app = spawn_app().await;
    let body = app
        .post(
            "{ organizations(first: 3) { edges { node { name } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        body["extensions"]["cost"],
        json!({ "requested": 1 + 3 * 3, "limit": 250_000 }),
        "{body}"
    );
    let data = app
        .query(
            "{ limits { maxCost maxDepth maxSelections maxAliases maxRootFields maxIntrospections maxErrors executionTimeoutSeconds maxPageSize defaultPageSize prices { typeName field price } } }",
            Value::Null,
        )
        .await;
    let limits = &data["limits"];
    assert_eq!(limits["maxCost"], 250_000);
    assert_eq!(limits["maxAliases"], 100);
    assert_eq!(limits["maxRootFields"], 50);
    assert_eq!(limits["maxErrors"], 100);
    assert_eq!(limits["executionTimeoutSeconds"], 10.0);
    assert_eq!(limits["maxPageSize"], 100);
    let prices = limits["prices"].as_array().expect("prices");
    assert!(
        prices.contains(
            &json!({ "typeName": "Query", "field": "collaborationNetwork", "price": 50_000 })
        ),
        "{limits}"
    );
}

#[tokio::test]
async fn a_query_past_its_deadline_is_stopped_with_timeout_and_the_server_answers_on() {
    let app = spawn_app_with(libgraph::graphql::Limits {
        // Any query that waits on the database passes this deadline.
        execution_timeout: std::time::Duration::from_nanos(1),
        ..Default::default()
    })
    .await;
    let query =
        "{ organizations(first: 5) { edges { node { name participations { totalCount } } } } }";
    for accept in ["application/graphql-response+json", "application/json"] {
        // The timer ticks in milliseconds: on a busy machine a query can now and then finish
        // before its deadline is noticed, and is then answered in full.
        let mut stopped = None;
        for _ in 0..50 {
            let response = app
                .client
                .post(app.url("/graphql"))
                .header("accept", accept)
                .json(&json!({ "query": query }))
                .send()
                .await
                .expect("request");
            let status = response.status();
            let body: Value = response.json().await.expect("json");
            if status == 503 {
                stopped = Some(body);
                break;
            }
            assert_eq!(status, 200, "{accept}: {body}");
            assert!(body["data"]["organizations"].is_object(), "{body}");
        }
        let body = stopped.expect("a query stopped at its deadline");
        assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
        assert!(body.get("data").is_none(), "{body}");
        assert!(
            body["extensions"]["cost"]["requested"].is_number(),
            "{body}"
        );
    }
    // The stopped queries gave their connections back to the server's pool.
    let idle = || {
        let db = &app.db.db;
        match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        }
    };
    let mut pool = idle();
    for _ in 0..100 {
        if pool.0 as usize == pool.1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        pool = idle();
    }
    assert!(pool.0 > 0, "the queries used the pool");
    assert_eq!(
        pool.0 as usize, pool.1,
        "connections (open, idle) after the deadline"
    );
}
