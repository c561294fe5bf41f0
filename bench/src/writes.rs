//! Write speed (`--writes`): how long adding one participation takes through `recordStory`, the
//! collaboration-tie update included, with one writer; and with eight writers, how many writes a
//! second the store sustains and what the read queries' p99 is meanwhile.
//!
//! Each write is a story of one source and one participation of an existing organization in an
//! existing project it is not in yet, as a coordinator adds a partner to a project: the busiest
//! organization of the graph (the hub, whose ties are the most to update) in the single-writer
//! series, and organizations of all sizes in the eight-writer one.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::load;

/// Writes in the single-writer series, after `WARM_UP` unmeasured ones.
const SERIES: usize = 60;
const WARM_UP: usize = 5;
/// Concurrent writers of the sustained run.
const WRITERS: usize = 8;

const RECORD: &str = "mutation($d: String!) { recordStory(document: $d) { revision { number } userErrors { field message } } }";

/// One participation, with its own source: the story a write sends.
fn story(tag: &str, organization: &str, project: &str, role: &str) -> String {
    format!(
        r#"[source]
slug = "bench-{tag}"
title = "Bench note {tag}"
language = "en"
published = "2026"

[[participation]]
organization = "{organization}"
in = "{project}"
role = "{role}"
quote = "{organization} joined {project}"
"#
    )
}

/// An editor token made in the store, as `libgraph token create` makes one.
async fn token(db_url: &str, purpose: &str) -> anyhow::Result<String> {
    let db = libgraph::store::connect::connect(&libgraph::store::connect::DbConfig {
        url: db_url.to_owned(),
        max_connections: 1,
    })
    .await?;
    let (_, secret) = libgraph::store::token::create(
        &db,
        libgraph::store::token::NewToken {
            name: format!("bench-{purpose}-{}", std::process::id()),
            role: entities::TokenRole::Editor,
            expires_at: None,
            created_by: None,
        },
        libgraph::store::token::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("token: {}", e.message()))?;
    let text = secret.expose().to_owned();
    db.close().await?;
    Ok(text)
}

/// Slugs from `sql` (one text column).
async fn slugs(db_url: &str, sql: &str) -> anyhow::Result<Vec<String>> {
    let db = libgraph::store::connect::connect(&libgraph::store::connect::DbConfig {
        url: db_url.to_owned(),
        max_connections: 1,
    })
    .await?;
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let found = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    db.close().await?;
    Ok(found)
}

/// Sends one story; its round trip in milliseconds. A story refused is an error: the series
/// measures writes, not refusals.
async fn write(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    document: String,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let answer: Value = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": RECORD, "variables": { "d": document } }))
        .send()
        .await?
        .json()
        .await?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let payload = &answer["data"]["recordStory"];
    if !payload["revision"]["number"].is_i64() {
        bail!("a write was not acknowledged: {answer}");
    }
    Ok(ms)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The single-writer series on one store: `SERIES` participations of `hub`, each in a project
/// it is not in.
pub async fn one_writer(store: &str, url: &str, db_url: &str, hub: &str) -> anyhow::Result<Value> {
    let token = token(db_url, "one").await?;
    let projects = slugs(
        db_url,
        &format!(
            "SELECT p.slug FROM project p WHERE p.project_id NOT IN (SELECT x.target_id FROM \
             participation x JOIN organization o ON o.organization_id = x.organization_id WHERE \
             o.slug = '{hub}') AND EXISTS (SELECT 1 FROM participation y WHERE y.target_id = \
             p.project_id) ORDER BY p.project_id LIMIT {}",
            SERIES + WARM_UP
        ),
    )
    .await?;
    if projects.len() < SERIES + WARM_UP {
        bail!("{store}: only {} projects without {hub}", projects.len());
    }
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for (i, project) in projects.iter().enumerate() {
        let tag = format!("one-{store}-{i}");
        let ms = write(&client, url, &token, story(&tag, hub, project, "partner")).await?;
        if i >= WARM_UP {
            times.push(ms);
        }
    }
    times.sort_by(f64::total_cmp);
    let (p50, p90, max) = (
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        times[times.len() - 1],
    );
    println!(
        "writes {store:<10} one writer, one participation of the hub {hub}: p50 {p50:.1} ms  p90 {p90:.1} ms  max {max:.1} ms ({} writes)",
        times.len()
    );
    Ok(
        json!({ "store": store, "hub": hub, "writes": times.len(), "p50_ms": p50, "p90_ms": p90, "max_ms": max }),
    )
}

/// Eight writers for `duration` on one store while wrk reads `read_body` at `read_connections`;
/// the same reads alone first, for comparison.
pub async fn eight_writers(
    store: &str,
    url: &str,
    db_url: &str,
    scratch: &Path,
    read_body: &[u8],
    duration: Duration,
) -> anyhow::Result<Value> {
    const READERS: u32 = 4;
    let token = token(db_url, "eight").await?;
    let organizations = slugs(
        db_url,
        "SELECT o.slug FROM organization o WHERE EXISTS (SELECT 1 FROM participation x WHERE \
         x.organization_id = o.organization_id) ORDER BY o.organization_id LIMIT 400",
    )
    .await?;
    let projects = slugs(
        db_url,
        "SELECT slug FROM project ORDER BY project_id DESC LIMIT 400",
    )
    .await?;
    if organizations.is_empty() || projects.is_empty() {
        bail!("{store}: no organizations or projects to write");
    }
    let alone = load::wrk(scratch, url, read_body, READERS, duration)?;

    let done = Arc::new(AtomicU64::new(0));
    let stop = Instant::now() + duration;
    let (organizations, projects) = (Arc::new(organizations), Arc::new(projects));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (client, url, token, done) = (
            reqwest::Client::new(),
            url.to_owned(),
            token.clone(),
            done.clone(),
        );
        let (organizations, projects) = (organizations.clone(), projects.clone());
        writers.push(tokio::spawn(async move {
            let roles = ["partner", "participant", "supporter", "host", "trainer"];
            let mut n = 0usize;
            while Instant::now() < stop {
                let organization = &organizations[(w * 7_919 + n * 13) % organizations.len()];
                let project = &projects[(w * 31 + n * 7) % projects.len()];
                let role = roles[(w + n) % roles.len()];
                let tag = format!("eight-{w}-{n}-{}", std::process::id());
                write(
                    &client,
                    &url,
                    &token,
                    story(&tag, organization, project, role),
                )
                .await?;
                done.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
            anyhow::Ok(())
        }));
    }
    let (scratch, url_read, body) = (scratch.to_owned(), url.to_owned(), read_body.to_vec());
    let during = tokio::task::spawn_blocking(move || {
        load::wrk(&scratch, &url_read, &body, READERS, duration)
    });
    let started = Instant::now();
    for writer in writers {
        writer.await.context("writer")??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let during = during.await.context("reader")??;
    let writes = done.load(Ordering::Relaxed);
    let per_second = writes as f64 / seconds;
    println!(
        "writes {store:<10} {WRITERS} writers: {writes} writes in {seconds:.1} s = {per_second:.1} writes/s; reads at {READERS} connections p99 {:.1} ms while writing, {:.1} ms alone (p50 {:.1} / {:.1} ms)",
        during.p99_ms, alone.p99_ms, during.p50_ms, alone.p50_ms
    );
    Ok(json!({
        "store": store, "writers": WRITERS, "writes": writes, "seconds": seconds,
        "writes_per_s": per_second, "reads_during": during.json(), "reads_alone": alone.json(),
    }))
}
