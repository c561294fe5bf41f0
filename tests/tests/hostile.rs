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
