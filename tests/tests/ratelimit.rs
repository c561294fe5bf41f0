//! The per-client rate limit of `/graphql`: a client over its budget is answered 429 with
//! `Retry-After` and `RATE_LIMITED` and is answered again once its budget refills, while other
//! clients and the health and metrics endpoints are not limited; off by default.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use libgraph::http::ratelimit::RateLimit;
use libgraph::startup::ServerConfig;
use serde_json::{Value, json};
use support::TestDb;
use support::app::{TestApp, spawn_app, spawn_app_configured};

/// A server allowing each client `per_second` requests a second and `burst` at once, believing
/// `trusted_proxies` entries of `X-Forwarded-For`.
async fn limited_app(per_second: u32, burst: u32, trusted_proxies: usize) -> TestApp {
    let limit = RateLimit::new(
        NonZeroU32::new(per_second).expect("nonzero"),
        NonZeroU32::new(burst),
    )
    .behind_proxies(trusted_proxies);
    let config = ServerConfig {
        rate_limit: Some(limit),
        ..ServerConfig::default()
    };
    spawn_app_configured(TestDb::seeded().await, config).await
}

/// POSTs `{ __typename }` with `client` and the `X-Forwarded-For` lines given.
async fn ask(app: &TestApp, client: &reqwest::Client, forwarded_for: &[&str]) -> reqwest::Response {
    let mut request = client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }));
    for line in forwarded_for {
        request = request.header("x-forwarded-for", *line);
    }
    request.send().await.expect("request")
}

/// Asks until the server refuses, and returns the refusal and how many were answered before it.
/// Sent one after another rather than counted out: on a busy machine a request may take long
/// enough for the budget to refill a little, and the test must not depend on how fast each is.
async fn ask_until_refused(
    app: &TestApp,
    client: &reqwest::Client,
    forwarded_for: &[&str],
) -> (reqwest::Response, usize) {
    for answered in 0..200 {
        let response = ask(app, client, forwarded_for).await;
        if response.status() == 429 {
            return (response, answered);
        }
        assert_eq!(response.status(), 200, "answered before the limit");
    }
    panic!("200 requests and no 429");
}

#[tokio::test]
async fn a_client_over_its_limit_gets_429_with_retry_after_and_is_answered_again_after_waiting() {
    // 5 a second: a new request is allowed 200 ms after the last one allowed.
    let app = limited_app(5, 2, 0).await;

    let (refused, answered) = ask_until_refused(&app, &app.client, &[]).await;

    assert!(answered >= 2, "the burst of 2 is answered: {answered}");
    let retry_after = refused
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    assert_eq!(
        retry_after.as_deref(),
        Some("1"),
        "whole seconds, at least 1"
    );
    let body: Value = refused.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    assert!(body.get("data").is_none(), "nothing ran: {body}");

    tokio::time::sleep(Duration::from_millis(250)).await;
    let data = app.query("{ __typename }", Value::Null).await;
    assert_eq!(data["__typename"], "Query");
}

#[tokio::test]
async fn another_address_and_the_health_and_metrics_endpoints_are_not_limited() {
    let app = limited_app(1, 1, 0).await;
    let (_, _) = ask_until_refused(&app, &app.client, &[]).await;
    // Linux answers for all of 127.0.0.0/8 on the loopback interface: another client address.
    let elsewhere = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("a client");

    let other = ask(&app, &elsewhere, &[]).await;
    let health = app.client.get(app.url("/healthz")).send().await;
    let ready = app.client.get(app.url("/readyz")).send().await;
    let metrics = app.client.get(app.url("/metrics")).send().await;

    assert_eq!(other.status(), 200, "127.0.0.2 has a budget of its own");
    for (path, response) in [("/healthz", health), ("/readyz", ready)] {
        assert_eq!(response.expect(path).status(), 200, "{path}");
    }
    let metrics = metrics.expect("/metrics");
    assert_eq!(metrics.status(), 200);
    let metrics = metrics.text().await.expect("text");
    assert!(
        metrics.contains(r#"libgraph_errors_total{code="RATE_LIMITED"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("\nlibgraph_rate_limit_clients 2\n"),
        "127.0.0.1 and 127.0.0.2: {metrics}"
    );
    assert!(
        metrics.contains("\nlibgraph_rate_limit_unplaced_requests_total 0\n"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_limit_is_off_by_default_however_fast_a_client_asks() {
    let app = spawn_app().await;
    let mut requests = tokio::task::JoinSet::new();

    for _ in 0..200 {
        let request = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ __typename }" }));
        requests.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
    }
    let statuses: Vec<u16> = requests
        .join_all()
        .await
        .into_iter()
        .map(|status| status.expect("request"))
        .collect();

    assert_eq!(statuses.len(), 200);
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
}

#[tokio::test]
async fn behind_trusted_proxies_clients_are_told_apart_by_forwarded_for_and_ipv6_by_its_64() {
    let app = limited_app(1, 1, 1).await;
    let status = |forwarded_for: &'static str| {
        let app = &app;
        async move { ask(app, &app.client, &[forwarded_for]).await.status() }
    };

    // The proxy appends what it saw; what the client wrote before it is not believed.
    assert_eq!(status("203.0.113.5").await, 200);
    assert_eq!(status("198.51.100.7, 203.0.113.5").await, 429);
    assert_eq!(status("203.0.113.6").await, 200);
    // One host holds a whole /64.
    assert_eq!(status("2001:db8::1").await, 200);
    assert_eq!(status("2001:db8::ffff").await, 429);
    assert_eq!(status("2001:db8:0:1::1").await, 200);
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_for_does_not_buy_a_fresh_budget() {
    let app = limited_app(1, 1, 0).await;

    let first = ask(&app, &app.client, &["203.0.113.5"]).await;
    let forged = ask(&app, &app.client, &["203.0.113.6"]).await;

    assert_eq!(first.status(), 200);
    assert_eq!(
        forged.status(),
        429,
        "the peer address counts, not the header"
    );
}
