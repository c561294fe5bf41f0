//! Running in production: health, readiness, metrics, request ids, graceful shutdown, several
//! instances over one database, and the database going away and coming back.

use std::time::{Duration, Instant};

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::Backend;
use support::app::{spawn_app, spawn_app_on};
use support::postgres::PgCluster;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn health_readiness_and_metrics_are_served() {
    let app = spawn_app().await;
    app.query(
        "query CountThem { organizations(first: 1) { totalCount } }",
        Value::Null,
    )
    .await;
    app.post(
        "query Broken { organizations(first: 1000) { totalCount } }",
        Value::Null,
    )
    .await;

    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    let ready = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");

    assert_eq!(health.status(), 200);
    assert_eq!(ready.status(), 200);
    assert!(
        metrics.contains(r#"libgraph_requests_total{operation="CountThem",outcome="ok"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(
        r#"libgraph_request_duration_seconds_count{operation="CountThem",outcome="ok"} 1"#
    ));
    assert!(
        metrics.contains(r#"libgraph_errors_total{code="BAD_USER_INPUT"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"libgraph_db_connections{state="idle"}"#));
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = spawn_app().await;
    let url = app.url("/graphql");
    let body = json!({ "query": "{ organizations(first: 1) { totalCount } }" });

    let given = app
        .client
        .post(&url)
        .header("x-request-id", "trace-42")
        .json(&body)
        .send()
        .await
        .expect("post");
    let made_1 = app
        .client
        .post(&url)
        .json(&body)
        .send()
        .await
        .expect("post");
    let made_2 = app
        .client
        .post(&url)
        .json(&body)
        .send()
        .await
        .expect("post");
    // Not a sane token (a space, and far too long): replaced by a made one.
    let unusable = app
        .client
        .post(&url)
        .header("x-request-id", "two words")
        .json(&body)
        .send()
        .await
        .expect("post");
    let too_long = app
        .client
        .post(&url)
        .header("x-request-id", "x".repeat(129))
        .json(&body)
        .send()
        .await
        .expect("post");

    let id = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(id(&given).as_deref(), Some("trace-42"));
    assert!(id(&made_1).is_some_and(|i| i.len() >= 16));
    assert_ne!(id(&made_1), id(&made_2));
    for made in [&unusable, &too_long] {
        let made = id(made).expect("an id is made");
        assert!(
            made.len() >= 16 && made.bytes().all(|b| b.is_ascii_hexdigit()),
            "{made}"
        );
    }
}

#[tokio::test]
async fn readiness_fails_while_migrations_are_pending() {
    let test_db = support::TestDb::empty().await;
    let app = spawn_app_on(test_db, Limits::default()).await;

    let ready = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    let body: Value = ready.json().await.expect("json");

    assert_eq!(body["status"], "unavailable");
    assert!(
        body["reason"]
            .as_str()
            .is_some_and(|r| r.contains("migrations")),
        "{body}"
    );
}

#[tokio::test]
async fn an_in_flight_request_completes_during_shutdown() {
    let mut app = spawn_app().await;
    let body = r#"{"query":"{ organizations(first: 3) { totalCount } }"}"#;
    let mut stream = tokio::net::TcpStream::connect(app.address)
        .await
        .expect("connect");
    // Headers and half the body: the request is in flight when the shutdown starts.
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream
        .write_all(&body.as_bytes()[..10])
        .await
        .expect("write part");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let stopped = app.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stream
        .write_all(&body.as_bytes()[10..])
        .await
        .expect("write rest");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let refused = tokio::net::TcpStream::connect(app.address).await;
    stopped.await;

    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("totalCount"));
    assert!(
        refused.is_err(),
        "the server must stop accepting new connections"
    );
}

#[tokio::test]
async fn two_instances_over_one_database_serve_the_same_data() {
    let first = spawn_app().await;
    let second = spawn_app_on(first.db.reconnect().await, Limits::default()).await;
    let query = "{ organizations(first: 100) { totalCount edges { node { id name } } } search(text: \"biblioteka\") { nodes { score record { __typename } } } }";

    let a = first.query(query, Value::Null).await;
    let b = second.query(query, Value::Null).await;

    assert_eq!(a, b);
    assert!(
        a["organizations"]["totalCount"]
            .as_u64()
            .is_some_and(|n| n > 30)
    );
}

/// Instances keep the networks they computed; a load through either instance's database makes
/// both compute them again, because the load raises the graph version with its rows.
#[tokio::test]
async fn a_load_invalidates_the_networks_every_instance_keeps() {
    let first = spawn_app().await;
    let second = spawn_app_on(first.db.reconnect().await, Limits::default()).await;
    let query = r#"{ collaborationNetwork(filter: {countries: ["UA"]}) { totalNodes
        nodes { organization { slug } degree } edges { source { slug } target { slug } weight } } }"#;
    let degree_of = |answer: &Value, slug: &str| {
        answer["collaborationNetwork"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|n| n["organization"]["slug"] == slug)
            .map(|n| n["degree"].clone())
    };

    let (before, computed) = first.statements_for(query, Value::Null).await;
    let (again, kept) = first.statements_for(query, Value::Null).await;
    let on_second = second.query(query, Value::Null).await;
    assert_eq!(again, before);
    assert_eq!(
        on_second["collaborationNetwork"],
        before["collaborationNetwork"]
    );
    assert!(
        kept < computed,
        "a kept network reads the version, not the memberships: {kept} vs {computed} statements"
    );
    assert_eq!(
        degree_of(&before, "ray-of-light-of-poltava-region"),
        Some(json!(1))
    );

    // The charity joins the fundraiser: a tie to the donors, loaded outside both servers.
    let mut documents = seeds::curated().expect("curated");
    let (_, document) = documents
        .iter_mut()
        .find(|(name, _)| name == "occupy-library-b-zone.toml")
        .expect("the B-Zone document");
    let mut joined = document
        .participation
        .iter()
        .find(|p| p.organization == "b-zone-fundraising-donors")
        .expect("the donors' participation")
        .clone();
    joined.organization = "ray-of-light-of-poltava-region".into();
    document.participation.push(joined);
    seeds::load(&first.db.db, &documents).await.expect("load");

    for (instance, app) in [("first", &first), ("second", &second)] {
        let after = app.query(query, Value::Null).await;
        assert_eq!(
            degree_of(&after, "ray-of-light-of-poltava-region"),
            Some(json!(2)),
            "the {instance} instance serves the network of the new graph"
        );
    }
}

#[tokio::test]
async fn the_database_going_away_fails_fast_and_service_resumes_when_it_returns() {
    if !support::postgres_available(
        "the_database_going_away_fails_fast_and_service_resumes_when_it_returns",
    ) {
        return;
    }
    // A cluster of this test's own: stopping the shared one would break every other test.
    let cluster = tokio::task::spawn_blocking(PgCluster::start_new)
        .await
        .expect("join")
        .expect("cluster");
    let url = cluster.create_database();
    let app = spawn_app_on(support::TestDb::seeded_at(&url).await, Limits::default()).await;
    let query = "{ organizations(first: 1) { totalCount } }";
    app.query(query, Value::Null).await;

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop();
        cluster
    })
    .await
    .expect("join");
    let started = Instant::now();
    let (code, body) = app.error_code(query, Value::Null).await;
    let failed_in = started.elapsed();
    let ready_down = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz")
        .status();
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.restart();
        cluster
    })
    .await
    .expect("join");
    let mut recovered = None;
    for _ in 0..50 {
        let body = app.post(query, Value::Null).await;
        if body.get("errors").is_none() {
            recovered = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready_up = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz")
        .status();
    drop(cluster);

    assert_eq!(code, "DATABASE_UNAVAILABLE", "{body:#}");
    assert!(
        failed_in < Duration::from_secs(6),
        "failing took {failed_in:?}"
    );
    assert!(
        !body
            .to_string()
            .to_lowercase()
            .contains("connection refused"),
        "no driver detail leaks: {body}"
    );
    assert_eq!(ready_down, 503);
    assert!(
        recovered.is_some(),
        "service did not resume after the database came back"
    );
    assert_eq!(ready_up, 200);
}

#[tokio::test]
async fn sqlite_and_postgresql_give_identical_answers() {
    if !support::postgres_available("sqlite_and_postgresql_give_identical_answers") {
        return;
    }
    let sqlite = spawn_app_on(
        support::TestDb::seeded_on(Backend::Sqlite).await,
        Limits::default(),
    )
    .await;
    let postgres = spawn_app_on(
        support::TestDb::seeded_on(Backend::Postgres).await,
        Limits::default(),
    )
    .await;
    let questions = [
        "{ search(text: \"biblioteka\", first: 50) { nodes { score record { __typename ... on Library { slug } ... on PartnerOrganization { slug } ... on Project { slug } ... on Event { slug } ... on Place { slug } } } } }",
        "{ search(text: \"balti\") { totalCount nodes { score } } }",
        "{ search(text: \"biblioteka\", first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { score } } } }",
        "{ organization(slug: \"urzad-gminy-chmielnik\") { collaborators(first: 50) { totalCount edges { cursor node { organization { slug } weight sharedCount firstYear lastYear } } } } }",
        "{ collaborationNetwork { totalNodes nodes { organization { slug } degree weightedDegree betweenness } edges { source { slug } target { slug } weight sharedCount } } }",
        "{ statistics { organizationsByCountry { key count } librariesByCountry { key count } organizationsByKind { key count } recordsBySdg { key count } activitiesByProgramme { key count } fundingsByFunder { key count } activitiesByYear { key count } fundingTotals { funder total { amount currency } } } }",
        "{ organizations(first: 100) { totalCount edges { cursor node { slug } } } }",
        "{ projects(orderBy: DATE, first: 100) { edges { cursor node { slug } } } }",
    ];

    for question in questions {
        let a = sqlite.query(question, Value::Null).await;
        let b = postgres.query(question, Value::Null).await;
        assert_eq!(a, b, "SQLite and PostgreSQL differ on {question}");
    }
}

#[tokio::test]
async fn browsers_of_the_configured_origins_only_may_call_the_api() {
    let config = libgraph::startup::ServerConfig {
        cors_origins: vec!["https://map.example.org".into()],
        ..Default::default()
    };
    let app = support::app::spawn_app_configured(support::TestDb::seeded().await, config).await;
    let closed = spawn_app().await;
    let preflight = |app_url: String, origin: &'static str| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, app_url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };

    let allowed = preflight(app.url("/graphql"), "https://map.example.org")
        .await
        .expect("preflight");
    let other = preflight(app.url("/graphql"), "https://elsewhere.example")
        .await
        .expect("preflight");
    let default = preflight(closed.url("/graphql"), "https://map.example.org")
        .await
        .expect("preflight");
    let post = app
        .client
        .post(app.url("/graphql"))
        .header("origin", "https://map.example.org")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("post");

    let allow_origin = |r: &reqwest::Response| {
        r.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
    };
    assert_eq!(
        allow_origin(&allowed).as_deref(),
        Some("https://map.example.org")
    );
    assert!(
        allowed
            .headers()
            .get("access-control-allow-methods")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|m| m.contains("POST"))
    );
    assert!(
        allowed
            .headers()
            .get("access-control-allow-headers")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|h| h.contains("authorization")),
        "a page of an allowed origin may send a token"
    );
    assert_eq!(allow_origin(&other), None);
    assert_eq!(allow_origin(&default), None);
    assert_eq!(post.status(), 200);
    assert_eq!(
        allow_origin(&post).as_deref(),
        Some("https://map.example.org")
    );
    assert!(
        post.headers()
            .get("access-control-expose-headers")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|h| h.contains("x-request-id"))
    );
}

#[tokio::test]
async fn metrics_count_the_sql_statements_run() {
    let app = spawn_app().await;
    let count = |text: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix("libgraph_db_statements_total "))
            .and_then(|v| v.trim().parse().ok())
            .expect("libgraph_db_statements_total in /metrics")
    };
    let metrics = || async {
        app.client
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text")
    };

    let before = count(&metrics().await);
    let (_, statements) = app
        .statements_for(
            "{ libraries(first: 3) { edges { node { name projects: participations(first: 5) { edges { node { role } } } } } } }",
            Value::Null,
        )
        .await;
    let after = count(&metrics().await);

    assert!(statements >= 2, "{statements} statements");
    assert_eq!(after - before, statements as u64);
}
