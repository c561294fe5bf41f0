//! A running libgraph server for black-box tests: a seeded database of its own, the real router
//! on `127.0.0.1:0`, an HTTP client, and a counter of the SQL statements the server runs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use libgraph::graphql::Limits;
use libgraph::startup::{Application, ServerConfig};
use serde_json::{Value, json};

use crate::TestDb;

/// A spawned server.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    /// Every statement the server's connection has executed.
    statements: Arc<AtomicU64>,
    /// Keeps the database alive as long as the server.
    pub db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    stopped: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Starts a server over a freshly seeded database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Limits::default()).await
}

/// Starts a server with the given limits.
pub async fn spawn_app_with(limits: Limits) -> TestApp {
    spawn_app_on(TestDb::seeded().await, limits).await
}

/// Starts a server over an existing database (a second instance shares the first one's).
pub async fn spawn_app_on(test_db: TestDb, limits: Limits) -> TestApp {
    let config = ServerConfig {
        limits,
        ..ServerConfig::default()
    };
    spawn_app_configured(test_db, config).await
}

/// Starts a server with a whole configuration (its bind address is always `127.0.0.1:0`).
pub async fn spawn_app_configured(test_db: TestDb, config: ServerConfig) -> TestApp {
    let db = test_db.db.clone();
    let config = ServerConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..config
    };
    let app = Application::build(&config, db).await.expect("bind");
    let address = app.local_addr().expect("address");
    let statements = app.statements();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stopped = tokio::spawn(app.run_until_stopped(async move {
        let _ = rx.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::new(),
        statements,
        db: test_db,
        shutdown: Some(tx),
        stopped: Some(stopped),
    }
}

impl TestApp {
    /// Starts a graceful shutdown; the returned future completes when the server has stopped.
    pub fn shutdown(&mut self) -> impl std::future::Future<Output = ()> + use<> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let stopped = self.stopped.take();
        async move {
            if let Some(stopped) = stopped {
                let _ = stopped.await;
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// POSTs a query and returns the whole JSON response (status must be 200).
    pub async fn post(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "status of {query}");
        response.json().await.expect("json body")
    }

    /// POSTs a query that must succeed and returns its `data`.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let body = self.post(query, variables).await;
        assert!(body.get("errors").is_none(), "errors for {query}: {body:#}");
        body["data"].clone()
    }

    /// POSTs a query that must fail and returns its first error's `extensions.code`.
    pub async fn error_code(&self, query: &str, variables: Value) -> (String, Value) {
        let body = self.post(query, variables).await;
        let error = body["errors"][0].clone();
        let code = error["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!code.is_empty(), "no error code for {query}: {body:#}");
        (code, body)
    }

    /// Runs a query and counts the SQL statements it caused.
    pub async fn statements_for(&self, query: &str, variables: Value) -> (Value, usize) {
        let before = self.statements.load(Ordering::SeqCst);
        let data = self.query(query, variables).await;
        (
            data,
            (self.statements.load(Ordering::SeqCst) - before) as usize,
        )
    }

    /// Sends `request` and returns its status, its body exactly as the server wrote it and the
    /// SQL statements the server ran meanwhile: what the byte-identical answers check records.
    pub async fn send_counted(&self, request: reqwest::RequestBuilder) -> (u16, Vec<u8>, usize) {
        let before = self.statements.load(Ordering::SeqCst);
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.bytes().await.expect("body").to_vec();
        let statements = (self.statements.load(Ordering::SeqCst) - before) as usize;
        (status, body, statements)
    }

    /// POSTs `query` with the header `Authorization: <authorization>` (none when `None`) and
    /// returns the whole JSON response (status must be 200).
    pub async fn post_as(
        &self,
        authorization: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), 200, "status of {query}");
        response.json().await.expect("json body")
    }

    /// A token of `role` named `name`, made in the store as `libgraph token create` makes one;
    /// its text.
    pub async fn token(&self, name: &str, role: entities::TokenRole) -> String {
        let new = libgraph::store::token::NewToken {
            name: name.to_owned(),
            role,
            expires_at: None,
            created_by: None,
        };
        let (_, secret) =
            libgraph::store::token::create(&self.db.db, new, libgraph::store::token::now())
                .await
                .unwrap_or_else(|error| panic!("token {name}: {}", error.message()));
        secret.expose().to_owned()
    }

    /// The global ID of the organization with this slug.
    pub async fn organization_id(&self, slug: &str) -> String {
        let data = self
            .query(
                "query($s: String!) { organization(slug: $s) { id } }",
                json!({ "s": slug }),
            )
            .await;
        data["organization"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no organization {slug}"))
            .to_owned()
    }
}
