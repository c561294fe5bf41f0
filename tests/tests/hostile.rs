//! Requests built to make the server work or write far more than they cost to send: each is
//! refused cheaply, answers a bounded amount, and leaves the server answering others.

use serde_json::{Value, json};
use support::app::spawn_app;

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

/// `{ ...F0 }` where each of `levels` fragments spreads the next `spreads` times: 1 KB of text
/// that selects `spreads^levels` fields once expanded.
fn fragment_bomb(levels: usize, spreads: usize, leaf: &str) -> String {
    let mut query = String::from("query { ...F0 }");
    for level in 0..levels {
        query.push_str(&format!(" fragment F{level} on Query {{"));
        for _ in 0..spreads {
            query.push_str(&format!(" ...F{}", level + 1));
        }
        query.push_str(" }");
    }
    query.push_str(&format!(" fragment F{levels} on Query {{ {leaf} }}"));
    query
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
    // The same shape within the limit still answers: 2^10 spreads of one field are one key.
    let data = app
        .query(&fragment_bomb(10, 2, "__typename"), Value::Null)
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
    let directives = " @include(if: true)".repeat(5_000);
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
    assert_eq!(body["extensions"]["omittedErrors"], 4_899, "{body}");
    assert_eq!(errors[0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    let data = app.query("{ __typename }", Value::Null).await;
    assert_eq!(data["__typename"], "Query");
}
