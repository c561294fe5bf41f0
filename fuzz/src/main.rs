//! The fuzz target: arbitrary GraphQL requests through libgraph's `/graphql` endpoint, in
//! process, over the curated seeds in SQLite. It owns what counts as a crash: a panic anywhere in
//! parsing, validation, cost, execution or the HTTP layer, a server error (5xx), or an answer that
//! breaks the GraphQL-over-HTTP contract, including an error without `extensions.code`.
//!
//! Coverage-guided by AFL++ through `cargo afl` (`scripts/fuzz`), which works on the stable
//! toolchain (rustc's own SanitizerCoverage pass); `cargo fuzz` needs nightly. The request goes
//! through the real router (`http::graphql::routes` over `Batched`, as `startup::router` builds
//! it) rather than `Batched` alone, so that what a client gets, error caps, shortened messages
//! and statuses included, is what is checked.
//!
//! An input is `document`, then optionally a NUL byte and the variables as JSON, then optionally
//! another NUL byte and the operation name. Variables that are not JSON are sent as a JSON string,
//! which the endpoint must refuse with a code. Run an input by hand with
//! `target/fuzz/release/executor < input` (it prints the answer when it is wrong).

// The endpoint's future is deep (the router over the executor over async-graphql's loaders):
// proving it `Send` passes the default limit, as in the server's own crate.
#![recursion_limit = "256"]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use libgraph::graphql::Limits;
use libgraph::graphql::describe::SchemaDescription;
use libgraph::graphql::executor::batch::Batched;
use libgraph::http::graphql::{GraphqlHttpOptions, routes};
use libgraph::store::connect::{self, DbConfig};
use libgraph::store::page::TextOrder;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The endpoint, opened once per forked process, after AFL's fork server started (a forked child
/// keeps only the forking thread, and SQLite's connections each have a thread of their own).
struct Target {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

static TARGET: OnceLock<Target> = OnceLock::new();

fn main() {
    // Seeded before the fork server starts (`afl::fuzz!` starts it), so that every child opens
    // the same seeded file instead of loading the seeds again: loading takes longer than
    // thousands of requests.
    let data_dir = seeded_data_dir();
    afl::fuzz!(|input: &[u8]| {
        let target = TARGET.get_or_init(|| Target::open(&data_dir));
        if let Err(problem) = target.check(input) {
            panic!("{problem}");
        }
    });
}

/// `LIBGRAPH_FUZZ_DATA_DIR` (seeded there unless it holds a database already), or a temporary
/// directory that is kept: the fork server's children open it after this process has moved on.
fn seeded_data_dir() -> PathBuf {
    let dir = match std::env::var_os("LIBGRAPH_FUZZ_DATA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => tempfile::Builder::new()
            .prefix("libgraph-fuzz-")
            .tempdir()
            .expect("a temporary directory")
            .keep(),
    };
    if connect::embedded_file(&dir).is_file() {
        return dir;
    }
    let runtime = runtime();
    runtime.block_on(async {
        let db = connect::connect(&DbConfig {
            url: connect::embedded_url(&dir).expect("the data directory"),
            max_connections: 1,
        })
        .await
        .expect("opening the database");
        libgraph::store::migrate(&db).await.expect("migrating");
        let documents = seeds::curated().expect("the curated seeds parse");
        seeds::load(&db, &documents)
            .await
            .expect("the curated seeds load");
        db.close().await.expect("closing the database");
    });
    dir
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

impl Target {
    fn open(data_dir: &Path) -> Target {
        let runtime = runtime();
        let router = runtime.block_on(async {
            let db = connect::connect(&DbConfig {
                url: connect::embedded_url(data_dir).expect("the data directory"),
                max_connections: 2,
            })
            .await
            .expect("opening the seeded database");
            let limits = Limits::default();
            let text_order = TextOrder::of(&db).await;
            let schema = libgraph::graphql::schema(db.clone(), limits);
            let executor =
                Batched::new(schema, db, limits, text_order).expect("the executor builds");
            routes(SchemaDescription(executor), GraphqlHttpOptions::default())
        });
        Target { runtime, router }
    }

    /// Sends `input` as a `POST /graphql` and checks the answer.
    fn check(&self, input: &[u8]) -> Result<(), String> {
        let body = request_body(input);
        let request = axum::http::Request::post("/graphql")
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(Body::from(body.to_string()))
            .map_err(|error| format!("building the request: {error}"))?;
        // A router's service cannot fail (`Infallible`): its errors are responses.
        let Ok((status, answer)) = self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await?;
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
            Ok::<_, std::convert::Infallible>((status, bytes))
        });
        let answer = answer.map_err(|error| format!("reading the answer: {error}"))?;
        let report = |problem: &str| {
            format!(
                "{problem}\nrequest: {body}\nstatus: {status}\nanswer: {}",
                String::from_utf8_lossy(&answer)
            )
        };
        if status.is_server_error() {
            return Err(report("a server error"));
        }
        let answer: Value =
            serde_json::from_slice(&answer).map_err(|_| report("the answer is not JSON"))?;
        graphql_response_problem(&answer).map_or(Ok(()), |problem| Err(report(&problem)))
    }
}

/// The JSON body for `input` (see the module docs for its layout).
fn request_body(input: &[u8]) -> Value {
    let mut parts = input.splitn(3, |&byte| byte == 0);
    let text = |part: Option<&[u8]>| String::from_utf8_lossy(part.unwrap_or_default()).into_owned();
    let query = text(parts.next());
    let mut body = json!({ "query": query });
    if let Some(variables) = parts.next() {
        body["variables"] = serde_json::from_slice(variables)
            .unwrap_or_else(|_| Value::String(text(Some(variables))));
    }
    if let Some(name) = parts.next() {
        body["operationName"] = Value::String(text(Some(name)));
    }
    body
}

/// What makes `answer` other than a GraphQL response whose every error has a code, if anything
/// (GraphQL specification, "Response Format").
fn graphql_response_problem(answer: &Value) -> Option<String> {
    let Some(object) = answer.as_object() else {
        return Some("the answer is not a JSON object".to_owned());
    };
    if let Some(key) = object
        .keys()
        .find(|key| !matches!(key.as_str(), "data" | "errors" | "extensions"))
    {
        return Some(format!("the answer has a key `{key}`"));
    }
    let errors = match object.get("errors") {
        None => None,
        Some(Value::Array(errors)) if !errors.is_empty() => Some(errors),
        Some(_) => return Some("`errors` is not a non-empty list".to_owned()),
    };
    match (object.get("data"), errors) {
        (None, None) => return Some("the answer has neither `data` nor `errors`".to_owned()),
        (Some(Value::Object(_)), _) | (Some(Value::Null), Some(_)) | (None, Some(_)) => {}
        (Some(_), _) => return Some("`data` is neither an object nor null with errors".to_owned()),
    }
    if object
        .get("extensions")
        .is_some_and(|extensions| !extensions.is_object())
    {
        return Some("`extensions` is not an object".to_owned());
    }
    errors.into_iter().flatten().find_map(|error| {
        error_problem(error).map(|problem| format!("an error {problem}: {error}"))
    })
}

fn error_problem(error: &Value) -> Option<&'static str> {
    if !error["message"].is_string() {
        return Some("has no message");
    }
    if !error["extensions"]["code"]
        .as_str()
        .is_some_and(|code| !code.is_empty())
    {
        return Some("has no `extensions.code`");
    }
    if let Some(locations) = error.get("locations") {
        let positive = |location: &Value, key: &str| location[key].as_u64().is_some_and(|n| n >= 1);
        let valid = locations.as_array().is_some_and(|locations| {
            locations
                .iter()
                .all(|location| positive(location, "line") && positive(location, "column"))
        });
        if !valid {
            return Some("has locations that are not lines and columns from 1");
        }
    }
    if let Some(path) = error.get("path") {
        let valid = path.as_array().is_some_and(|path| {
            path.iter()
                .all(|segment| segment.is_string() || segment.is_u64())
        });
        if !valid {
            return Some("has a path that is not field names and indices");
        }
    }
    None
}
