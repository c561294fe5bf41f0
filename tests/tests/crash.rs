//! A server stopped under write load, gently (SIGTERM) or not (`kill -9`): every write it
//! acknowledged is in the database after a restart, each once, and the SQLite file passes its
//! integrity and foreign-key checks.
//!
//! The server runs in a process of its own, killable: this test binary started again with only
//! [`server_process`] selected, which runs `libgraph serve` as the binary does (its signal
//! handling included) on the test's database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entities::TokenRole;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use support::TestDb;

/// The command line the server process runs, as JSON (set only in that process).
const ARGS: &str = "LIBGRAPH_CRASH_SERVER_ARGS";
/// Concurrent writers, and how long they write before the server is stopped.
const WRITERS: usize = 8;
const WRITING: Duration = Duration::from_millis(2_500);

/// Not a test: the server process the tests below start and stop. Ignored in a normal run; run
/// only by them, with `--ignored --exact`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the server process the crash tests start (run with their arguments only)"]
async fn server_process() {
    let args: Vec<String> =
        serde_json::from_str(&std::env::var(ARGS).expect("started by a crash test")).expect("args");
    let cli = libgraph::cli::Cli::try_from_args(args).expect("a valid command line");
    libgraph::command::run(cli).await.expect("the server ran");
}

/// A `libgraph serve` process on `url`, and its address once it serves.
fn start(url: &str) -> (Child, String) {
    let args = json!([
        "libgraph",
        "--database-url",
        url,
        "--log-level",
        "warn",
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--rate-limit",
        "0"
    ]);
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "crash::server_process",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(ARGS, args.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server process starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("the server process said where it serves")
            .expect("stdout");
        if let Some(rest) = line.strip_prefix("libgraph is serving GraphQL at ") {
            break rest.trim().to_owned();
        }
    };
    // Keep reading, so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, address)
}

/// A story that adds one library, with its own source: the write a writer makes.
fn story(slug: &str) -> String {
    format!(
        r#"
[source]
slug = "{slug}-note"
title = "A note on {slug}"
language = "en"
published = "2026"

[[organization]]
slug = "{slug}"
kind = "library"
name = "Library {slug}"
name_lang = "en"
quote = "the library"
"#
    )
}

/// Writers post stories until the server stops answering; returns the slugs whose story the
/// server acknowledged (answered with a revision).
async fn write_until_stopped(address: &str, token: &str, stop_after: Duration) -> Vec<String> {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut writers = Vec::new();
    let started = Instant::now();
    for w in 0..WRITERS {
        let (client, address, token, acknowledged) = (
            client.clone(),
            address.to_owned(),
            token.to_owned(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                if started.elapsed() > stop_after * 4 {
                    break;
                }
                let slug = format!("crash-w{w}-{n}");
                let sent = client
                    .post(&address)
                    .bearer_auth(&token)
                    .json(&json!({
                        "query": "mutation($d: String!) { recordStory(document: $d) { revision { number } userErrors { message } } }",
                        "variables": { "d": story(&slug) },
                    }))
                    .send()
                    .await;
                let Ok(response) = sent else { break };
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                if body["data"]["recordStory"]["revision"]["number"].is_i64() {
                    acknowledged.lock().expect("lock").push(slug);
                } else if body["data"]["recordStory"]["userErrors"] != json!([]) {
                    panic!("a story was refused: {body:#}");
                }
            }
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    Arc::try_unwrap(acknowledged)
        .expect("writers done")
        .into_inner()
        .expect("lock")
}

/// Sends `signal` (`TERM`, `KILL`) to the server process after `after`, as an operator would.
fn signal_after(
    child: &Child,
    signal: &'static str,
    after: Duration,
) -> std::thread::JoinHandle<()> {
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        let sent = Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -s {signal} {pid}: {sent}");
    })
}

async fn stop_under_load_and_check(signal: &'static str) {
    let test = TestDb::seeded().await;
    let token = {
        let new = libgraph::store::token::NewToken {
            name: "writer".into(),
            role: TokenRole::Editor,
            expires_at: None,
            created_by: None,
        };
        let (_, secret) =
            libgraph::store::token::create(&test.db, new, libgraph::store::token::now())
                .await
                .expect("token");
        secret.expose().to_owned()
    };
    let (mut child, address) = start(&test.url);
    let stopper = signal_after(&child, signal, WRITING);
    let acknowledged = write_until_stopped(&address, &token, WRITING).await;
    stopper.join().expect("stopper");
    let status = child.wait().expect("the server process ends");
    if signal == "TERM" {
        assert!(status.success(), "SIGTERM: a clean exit, got {status}");
    }
    assert!(
        acknowledged.len() >= WRITERS,
        "the writers wrote before the stop: {} acknowledged",
        acknowledged.len()
    );

    // Restarted on the same database, the server has every acknowledged write, once.
    let (mut child, address) = start(&test.url);
    let db = test.reconnect().await;
    let mut stored = 0;
    for chunk in acknowledged.chunks(500) {
        let keys = chunk
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",");
        let row = db
            .db
            .query_one_raw(Statement::from_string(
                db.db.get_database_backend(),
                format!("SELECT COUNT(*), COUNT(DISTINCT key) FROM record WHERE key IN ({keys})"),
            ))
            .await
            .expect("count")
            .expect("a row");
        let (all, distinct): (i64, i64) = (
            row.try_get_by_index(0).expect("count"),
            row.try_get_by_index(1).expect("distinct"),
        );
        assert_eq!(all, distinct, "a write stored twice");
        stored += all;
    }
    assert_eq!(
        stored,
        acknowledged.len() as i64,
        "every acknowledged write is stored"
    );
    let last = acknowledged.last().expect("one");
    let body: Value = reqwest::Client::new()
        .post(&address)
        .json(&json!({
            "query": "query($s: String!) { organization(slug: $s) { slug citations { totalCount } } }",
            "variables": { "s": last },
        }))
        .send()
        .await
        .expect("the restarted server answers")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["data"]["organization"]["slug"],
        last.as_str(),
        "{body:#}"
    );
    assert_eq!(body["data"]["organization"]["citations"]["totalCount"], 1);
    child.kill().expect("stop the second server");
    child.wait().expect("reaped");

    if db.db.get_database_backend() == DbBackend::Sqlite {
        for (pragma, healthy) in [
            ("PRAGMA integrity_check", Some("ok")),
            ("PRAGMA foreign_key_check", None),
        ] {
            let rows = db
                .db
                .query_all_raw(Statement::from_string(DbBackend::Sqlite, pragma))
                .await
                .expect(pragma);
            match healthy {
                Some(ok) => {
                    let first: String = rows[0].try_get_by_index(0).expect(pragma);
                    assert_eq!(first, ok, "{pragma}");
                }
                None => assert!(rows.is_empty(), "{pragma}: {} rows", rows.len()),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_write_load_loses_no_acknowledged_write() {
    stop_under_load_and_check("KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_write_load_exits_cleanly_and_loses_no_acknowledged_write() {
    stop_under_load_and_check("TERM").await;
}
