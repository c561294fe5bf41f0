//! `libgraph-bench`: measures libgraph on scale data, side by side with PostGraphile over the very
//! same PostgreSQL tables, and against two floors (a static HTTP handler, the hand-written SQL).
//!
//! One run: start a throwaway PostgreSQL (with `pg_stat_statements`); generate size S, M or L
//! and load it through the seed loader into PostgreSQL and an SQLite file; start libgraph over
//! each as its own process; ask the query mix ([`queries`]) and count the SQL statements of
//! every query (libgraph's `libgraph_db_statements_total`, and `pg_stat_statements` on
//! PostgreSQL), checking the budget (nesting levels + 1, the same when pages double); then, unless
//! `--smoke`, time every query with wrk at 1 and 8 connections, run PostGraphile 4.14 (installed
//! with npm into a scratch folder) on queries 1–3, the floors, cold start and peak memory; print
//! a table and write a JSON report.
//!
//! `--smoke` (what CI runs on size S) checks the statement budgets and exits non-zero when one
//! is broken; it asserts no timings.
//!
//! # Layout
//! - [`queries`]: the libgraph, PostGraphile and SQL forms of the query mix.
//! - [`load`]: wrk, pgbench and peak RSS.
//! - this file: setting up the stores and the servers, running, reporting.

mod load;
mod queries;
mod writes;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use load::Figures;
use queries::{Query, Subjects};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use seeds::generate::Size;
use serde_json::{Value, json};
use support::postgres::PgCluster;

#[derive(Debug, Parser)]
#[command(
    name = "libgraph-bench",
    about = "Benchmark libgraph against PostGraphile and the floors"
)]
struct Args {
    /// Data size: S (~1k organizations), M (~20k) or L (~200k).
    #[arg(long, default_value = "M", value_parser = parse_size)]
    size: Size,

    /// Check statement counts only (no timings, no PostGraphile): what CI runs.
    #[arg(long)]
    smoke: bool,

    /// Seconds each wrk or pgbench run lasts.
    #[arg(long, default_value_t = 5)]
    duration: u64,

    /// Skip PostGraphile (no npm needed).
    #[arg(long)]
    no_peer: bool,

    /// Rounds of the side-by-side comparison: each round times libgraph and then PostGraphile
    /// on the same query, one right after the other, so both meet the same machine; the ratios
    /// reported are the median round's.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    rounds: u32,

    /// Where PostGraphile is installed (`npm install postgraphile@4.14` runs there when missing).
    #[arg(long, default_value = "target/bench/peer")]
    peer_dir: PathBuf,

    /// The JSON report (default: `target/bench/report-<size>.json`).
    #[arg(long)]
    out: Option<PathBuf>,

    /// Measure writes instead of the query mix: one writer adding participations of the hub on
    /// each store, then eight writers on PostgreSQL with reads running (see `writes.rs`).
    #[arg(long)]
    writes: bool,

    /// The libgraph binary (default: the one beside this program).
    #[arg(long)]
    libgraph: Option<PathBuf>,
}

fn parse_size(text: &str) -> Result<Size, String> {
    Size::parse(text).ok_or_else(|| format!("\"{text}\" is not a size: use S, M or L"))
}

/// A server process of the benchmark, killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// What one query cost on one server.
#[derive(Default)]
struct Row {
    server: String,
    query: String,
    statements: Option<u64>,
    statements_doubled: Option<u64>,
    pg_statements: Option<u64>,
    budget: Option<u64>,
    one: Option<Figures>,
    eight: Option<Figures>,
    bytes: usize,
    /// Milliseconds of the first request, the one whose statements are counted: for the network
    /// of a country, the only one that computes it (the timed ones reuse the network the instance
    /// keeps while the graph is unchanged).
    first_ms: Option<f64>,
}

/// One round of the side-by-side comparison on one query: libgraph over PostgreSQL and
/// PostGraphile, each timed right after the other.
#[derive(Clone, Copy, Default)]
struct Round {
    ours_one: Figures,
    theirs_one: Figures,
    ours_eight: Figures,
    theirs_eight: Figures,
}

impl Round {
    /// libgraph's p50 at one connection over PostGraphile's.
    fn p50_ratio(&self) -> f64 {
        self.ours_one.p50_ms / self.theirs_one.p50_ms
    }

    /// libgraph's requests per second at eight connections over PostGraphile's.
    fn rps_ratio(&self) -> f64 {
        self.ours_eight.rps / self.theirs_eight.rps
    }

    fn json(&self) -> Value {
        json!({
            "libgraph_one": self.ours_one.json(), "postgraphile_one": self.theirs_one.json(),
            "libgraph_eight": self.ours_eight.json(), "postgraphile_eight": self.theirs_eight.json(),
            "p50_ratio": self.p50_ratio(), "rps_ratio": self.rps_ratio(),
        })
    }

    fn line(&self, key: &str) -> String {
        let steal = [
            self.ours_one,
            self.theirs_one,
            self.ours_eight,
            self.theirs_eight,
        ]
        .map(|f| f.steal_pct);
        format!(
            "paired {key:<8} 1c p50 {:>8.2} / {:>8.2} ms = {:.2}×  8c {:>7.0} / {:>7.0} req/s = {:.2}×  steal {:.0}–{:.0} %",
            self.ours_one.p50_ms,
            self.theirs_one.p50_ms,
            self.p50_ratio(),
            self.ours_eight.rps,
            self.theirs_eight.rps,
            self.rps_ratio(),
            steal.iter().copied().fold(f64::INFINITY, f64::min),
            steal.iter().copied().fold(0.0, f64::max),
        )
    }
}

/// The round whose `measure` is the median (the lower middle one of an even count).
fn median_round(rounds: &[Round], measure: fn(&Round) -> f64) -> Round {
    let mut sorted = rounds.to_vec();
    sorted.sort_by(|a, b| measure(a).total_cmp(&measure(b)));
    sorted[(sorted.len() - 1) / 2]
}

/// The median of `values` (the lower middle one of an even count), with their least and most.
fn median_range(mut values: Vec<f64>) -> Option<(f64, f64, f64)> {
    values.sort_by(f64::total_cmp);
    Some((
        *values.get((values.len().checked_sub(1)?) / 2)?,
        *values.first()?,
        *values.last()?,
    ))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let duration = Duration::from_secs(args.duration);
    let scratch = tempfile::Builder::new()
        .prefix("libgraph-bench-")
        .tempdir()?;
    let libgraph = match &args.libgraph {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory of this program")?
            .join("libgraph"),
    };
    if !libgraph.exists() {
        bail!(
            "{} not found: build it first (cargo build --release -p libgraph)",
            libgraph.display()
        );
    }
    let mut report = json!({ "size": format!("{:?}", args.size), "smoke": args.smoke });

    // The stores.
    println!("starting PostgreSQL…");
    let cluster = PgCluster::start_new().context("starting PostgreSQL")?;
    let pg_url = cluster.create_database();
    let pg_db = pg_url.rsplit('/').next().unwrap_or_default().to_owned();
    let pgss = cluster.has_pg_stat_statements()
        && psql(&cluster, &pg_db, "CREATE EXTENSION pg_stat_statements").is_ok();
    if !pgss {
        println!("pg_stat_statements is not available: PostgreSQL statement counts are left out");
    }
    let started = Instant::now();
    let documents = seeds::generate::with_curated(seeds::generate::generate(args.size, 1))
        .map_err(seeds::LoadError::Invalid)?;
    println!(
        "generated size {:?} in {:.1} s",
        args.size,
        started.elapsed().as_secs_f64()
    );
    let sqlite_dir = scratch.path().join("sqlite");
    let sqlite_url = libgraph::store::connect::embedded_url(&sqlite_dir)?;
    let mut loads = Vec::new();
    for (name, url) in [("postgresql", &pg_url), ("sqlite", &sqlite_url)] {
        let db = libgraph::store::connect::connect(&libgraph::store::connect::DbConfig {
            url: url.clone(),
            max_connections: 4,
        })
        .await?;
        libgraph::store::migrate(&db).await?;
        let t = Instant::now();
        let loaded = seeds::load(&db, &documents).await?;
        let seconds = t.elapsed().as_secs_f64();
        let rows = loaded.records.values().sum::<usize>()
            + loaded.citations
            + loaded.aliases
            + loaded.identifiers;
        if name == "postgresql" {
            db.execute_unprepared("ANALYZE").await?;
        }
        println!(
            "loaded into {name}: {rows} rows in {seconds:.1} s ({:.0} rows/s)",
            rows as f64 / seconds
        );
        loads.push(json!({ "store": name, "rows": rows, "seconds": seconds, "rows_per_s": rows as f64 / seconds }));
        report["organizations"] = json!(count(&db, "organization").await?);
        report["participations"] = json!(count(&db, "participation").await?);
        db.close().await?;
    }
    report["load"] = json!(loads);
    drop(documents);

    // The servers.
    let pg_server = spawn_libgraph(&libgraph, "libgraph-pg", &["--database-url", &pg_url])?;
    let sqlite_server = spawn_libgraph(
        &libgraph,
        "libgraph-sqlite",
        &["--data-dir", &sqlite_dir.to_string_lossy()],
    )?;
    let client = reqwest::Client::new();
    let subjects = subjects(&cluster, &pg_db, &client, &pg_server.url).await?;
    println!(
        "subjects: library {}, hub {}, country {}, search \"{}\"",
        subjects.library_slug, subjects.hub_id, subjects.country, subjects.search_text
    );

    if args.writes {
        let mut one = Vec::new();
        for (store, server, db_url) in [
            ("postgresql", &pg_server, &pg_url),
            ("sqlite", &sqlite_server, &sqlite_url),
        ] {
            one.push(writes::one_writer(store, &server.url, db_url, &subjects.hub_slug).await?);
        }
        let medium = queries::libgraph(&subjects)
            .into_iter()
            .find(|q| q.key == "medium")
            .context("no medium query")?;
        let eight = writes::eight_writers(
            "postgresql",
            &pg_server.url,
            &pg_url,
            scratch.path(),
            &serde_json::to_vec(&medium.body)?,
            duration,
        )
        .await?;
        report["writes"] = json!({ "one_writer": one, "eight_writers": eight });
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("target/bench/writes-{:?}.json", args.size)));
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
        println!("report written to {}", out.display());
        return Ok(());
    }

    let mut rows: Vec<Row> = Vec::new();
    let mut violations: Vec<String> = Vec::new();
    let mut heavy_bytes = Vec::new();
    for server in [&pg_server, &sqlite_server] {
        for q in queries::libgraph(&subjects) {
            let mut row = measure_statements(
                &client,
                server,
                &q,
                &cluster,
                &pg_db,
                pgss && server.name == "libgraph-pg",
            )
            .await?;
            if q.key == "heavy" && server.name == "libgraph-pg" {
                heavy_bytes = serde_json::to_vec(&post(&client, &server.url, &q.body).await?)?;
            }
            if let (Some(n), Some(budget)) = (row.statements, row.budget)
                && n > budget
            {
                violations.push(format!(
                    "{} {}: {n} statements, budget {budget}",
                    server.name, q.title
                ));
            }
            // Doubling every page must keep the query within its budget too. (The count may move
            // by one either way: a sibling loader finds nothing left to fetch when every row it
            // needs is already in the request's cache, e.g. funders that are also partners.)
            if let (Some(b), Some(budget)) = (row.statements_doubled, row.budget)
                && b > budget
            {
                violations.push(format!(
                    "{} {}: {b} statements when pages double, budget {budget}",
                    server.name, q.title
                ));
            }
            if !args.smoke {
                let body = serde_json::to_vec(&q.body)?;
                row.one = Some(load::wrk(scratch.path(), &server.url, &body, 1, duration)?);
                row.eight = Some(load::wrk(scratch.path(), &server.url, &body, 8, duration)?);
            }
            println!("{}", line(&row));
            rows.push(row);
        }
    }
    let mut memory = json!({
        "libgraph_pg_peak_rss_mb": load::peak_rss_mb(pg_server.pid()),
        "libgraph_sqlite_peak_rss_mb": load::peak_rss_mb(sqlite_server.pid()),
    });

    let mut floors = json!({});
    if !args.smoke {
        if args.no_peer {
            println!("PostGraphile skipped (--no-peer)");
        } else {
            let peer = spawn_postgraphile(&args.peer_dir, &pg_url)?;
            let mut paired = json!({});
            for (key, body) in queries::postgraphile(&subjects) {
                let answer = post(&client, &peer.url, &body).await?;
                if answer.get("errors").is_some() || answer["data"].is_null() {
                    bail!("PostGraphile could not answer {key}: {answer}");
                }
                let mut row = Row {
                    server: "postgraphile".into(),
                    query: key.into(),
                    bytes: serde_json::to_vec(&answer)?.len(),
                    ..Default::default()
                };
                if pgss {
                    psql(&cluster, &pg_db, "SELECT pg_stat_statements_reset()")?;
                    post(&client, &peer.url, &body).await?;
                    row.pg_statements = Some(pg_statement_count(&cluster, &pg_db)?);
                }
                let theirs = serde_json::to_vec(&body)?;
                let ours = queries::libgraph(&subjects)
                    .into_iter()
                    .find(|q| q.key == key)
                    .with_context(|| format!("no libgraph form of {key}"))?;
                let ours = serde_json::to_vec(&ours.body)?;
                let mut rounds = Vec::new();
                for _ in 0..args.rounds {
                    let mut round = Round::default();
                    for (connections, ours_at, theirs_at) in [
                        (1, &mut round.ours_one, &mut round.theirs_one),
                        (8, &mut round.ours_eight, &mut round.theirs_eight),
                    ] {
                        *ours_at = load::wrk(
                            scratch.path(),
                            &pg_server.url,
                            &ours,
                            connections,
                            duration,
                        )?;
                        *theirs_at =
                            load::wrk(scratch.path(), &peer.url, &theirs, connections, duration)?;
                    }
                    println!("{}", round.line(key));
                    rounds.push(round);
                }
                // The table's row: the round whose p50 ratio is the median.
                let median = median_round(&rounds, |r| r.p50_ratio());
                row.one = Some(median.theirs_one);
                row.eight = Some(median.theirs_eight);
                paired[key] = json!(rounds.iter().map(Round::json).collect::<Vec<_>>());
                println!("{}", line(&row));
                rows.push(row);
            }
            memory["postgraphile_peak_rss_mb"] = json!(load::peak_rss_mb(peer.pid()));
            report["paired"] = paired;
        }
        let http = http_floor(heavy_bytes.clone()).await?;
        let one = load::wrk(scratch.path(), &http, b"{}", 1, duration)?;
        let eight = load::wrk(scratch.path(), &http, b"{}", 8, duration)?;
        let data_one = load::pgbench(
            scratch.path(),
            cluster.port(),
            &pg_db,
            queries::HEAVY_SQL,
            1,
            duration,
        )?;
        let data_eight = load::pgbench(
            scratch.path(),
            cluster.port(),
            &pg_db,
            queries::HEAVY_SQL,
            8,
            duration,
        )?;
        floors = json!({
            "http": { "one": one.json(), "eight": eight.json(), "bytes": heavy_bytes.len() },
            "data": { "one": data_one.json(), "eight": data_eight.json() },
        });
        memory["libgraph_pg_peak_rss_mb"] = json!(load::peak_rss_mb(pg_server.pid()));
        memory["libgraph_sqlite_peak_rss_mb"] = json!(load::peak_rss_mb(sqlite_server.pid()));
        report["cold_start_s"] = json!(cold_start(&libgraph, scratch.path()).await?);
    }
    report["memory"] = memory;
    report["floors"] = floors;
    report["results"] = json!(rows.iter().map(row_json).collect::<Vec<_>>());
    report["violations"] = json!(violations);
    let summary = summary(&rows, &report);
    println!("\n{summary}");
    report["summary"] = json!(summary);

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/bench/report-{:?}.json", args.size)));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("report written to {}", out.display());
    drop((pg_server, sqlite_server));
    if !violations.is_empty() {
        bail!("statement budgets broken:\n  {}", violations.join("\n  "));
    }
    println!("statement budgets: all met");
    Ok(())
}

async fn count(db: &DatabaseConnection, table: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) FROM {table}"),
        ))
        .await?
        .context("no count")?;
    Ok(row.try_get_by_index(0)?)
}

fn psql(cluster: &PgCluster, db: &str, sql: &str) -> anyhow::Result<String> {
    let out = cluster.psql(db, sql)?;
    if !out.status.success() {
        bail!("psql: {sql}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Statements PostgreSQL ran since the last reset, not counting the benchmark's own.
fn pg_statement_count(cluster: &PgCluster, db: &str) -> anyhow::Result<u64> {
    let n = psql(
        cluster,
        db,
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%'",
    )?;
    Ok(n.parse()?)
}

/// Starts a libgraph server process and waits for its "serving" line.
fn spawn_libgraph(binary: &Path, name: &'static str, database: &[&str]) -> anyhow::Result<Server> {
    let mut child = Command::new(binary)
        .args(database)
        .args(["--log-level", "warn", "serve", "--bind", "127.0.0.1:0"])
        .args(["--max-complexity", "10000000"])
        // Every load generator asks from 127.0.0.1, and on PostgreSQL the per-client rate limit
        // is on by default: the benchmark measures queries, not refusals.
        .args(["--rate-limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(line) => {
                let line = line?;
                if let Some(rest) = line.strip_prefix("libgraph is serving GraphQL at ") {
                    break rest.trim().to_owned();
                }
            }
            None => bail!("{name} exited before serving"),
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(Server { name, child, url })
}

/// Installs PostGraphile 4.14 when missing and starts it over the benchmark database.
fn spawn_postgraphile(dir: &Path, pg_url: &str) -> anyhow::Result<Server> {
    let cli = dir.join("node_modules/postgraphile/cli.js");
    if !cli.exists() {
        println!("installing PostGraphile 4.14 into {} …", dir.display());
        std::fs::create_dir_all(dir)?;
        if !dir.join("package.json").exists() {
            std::fs::write(
                dir.join("package.json"),
                r#"{"name":"libgraph-bench-peer","private":true}"#,
            )?;
        }
        let status = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "postgraphile@4.14",
            ])
            .current_dir(dir)
            .status()
            .context("running npm")?;
        if !status.success() {
            bail!("npm install postgraphile@4.14 failed");
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new("node")
        .arg(&cli)
        .args(["-c", pg_url, "-s", "public", "--simple-collections", "only"])
        .args([
            "--legacy-relations",
            "omit",
            "--no-ignore-rbac",
            "--dynamic-json",
        ])
        .args([
            "--disable-query-log",
            "--disable-graphiql",
            "--host",
            "127.0.0.1",
        ])
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting PostGraphile")?;
    let server = Server {
        name: "postgraphile",
        child,
        url: format!("http://127.0.0.1:{port}/graphql"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ok = std::process::Command::new("curl")
            .args([
                "-sf",
                "-H",
                "content-type: application/json",
                "-d",
                r#"{"query":"{__typename}"}"#,
                &server.url,
            ])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if ok {
            return Ok(server);
        }
        if Instant::now() > deadline {
            bail!("PostGraphile did not answer within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> anyhow::Result<Value> {
    let response = client.post(url).json(body).send().await?;
    let status = response.status();
    let answer: Value = response.json().await?;
    if !status.is_success() {
        bail!("{url}: HTTP {status}: {answer}");
    }
    Ok(answer)
}

async fn libgraph_statements(client: &reqwest::Client, server: &Server) -> anyhow::Result<u64> {
    let base = server.url.trim_end_matches("/graphql");
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|l| l.strip_prefix("libgraph_db_statements_total "))
        .and_then(|v| v.trim().parse().ok())
        .context("no libgraph_db_statements_total in /metrics")
}

/// Asks a query (and its doubled form) once each and counts the statements it caused.
/// Waits until the server has run no statement for 300 ms: requests a load run left behind
/// (wrk closes its connections mid-request) finish or are dropped, and a dropped streamed query
/// counts its statement when it is dropped, which must not land in the next measurement.
async fn quiesce(client: &reqwest::Client, server: &Server) -> anyhow::Result<()> {
    let mut last = libgraph_statements(client, server).await?;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = libgraph_statements(client, server).await?;
        if now == last {
            return Ok(());
        }
        last = now;
    }
    bail!(
        "{} kept running statements with no request in flight",
        server.name
    )
}

async fn measure_statements(
    client: &reqwest::Client,
    server: &Server,
    q: &Query,
    cluster: &PgCluster,
    db: &str,
    pgss: bool,
) -> anyhow::Result<Row> {
    let mut row = Row {
        server: server.name.into(),
        query: q.title.into(),
        budget: Some(q.levels as u64 + 1),
        ..Default::default()
    };
    quiesce(client, server).await?;
    if pgss {
        psql(cluster, db, "SELECT pg_stat_statements_reset()")?;
    }
    let before = libgraph_statements(client, server).await?;
    let started = Instant::now();
    let answer = post(client, &server.url, &q.body).await?;
    row.first_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
    row.statements = Some(libgraph_statements(client, server).await? - before);
    if pgss {
        row.pg_statements = Some(pg_statement_count(cluster, db)?);
    }
    if let Some(errors) = answer.get("errors") {
        bail!("{} could not answer {}: {errors}", server.name, q.title);
    }
    row.bytes = serde_json::to_vec(&answer)?.len();
    if let Some(doubled) = &q.doubled {
        let before = libgraph_statements(client, server).await?;
        let answer = post(client, &server.url, doubled).await?;
        if let Some(errors) = answer.get("errors") {
            bail!(
                "{} could not answer {} (doubled): {errors}",
                server.name,
                q.title
            );
        }
        row.statements_doubled = Some(libgraph_statements(client, server).await? - before);
    }
    Ok(row)
}

/// Finds what the queries ask about: a library with funded projects, the busiest hub, two
/// organizations to connect.
async fn subjects(
    cluster: &PgCluster,
    db: &str,
    client: &reqwest::Client,
    url: &str,
) -> anyhow::Result<Subjects> {
    let library = psql(
        cluster,
        db,
        "SELECT o.slug || '|' || o.organization_id FROM organization o
         JOIN participation x ON x.organization_id = o.organization_id
         JOIN project p ON p.project_id = x.target_id
         WHERE o.kind = 'library' AND EXISTS (SELECT 1 FROM funding f WHERE f.recipient_id = p.project_id)
         GROUP BY o.slug, o.organization_id ORDER BY count(*) DESC, o.slug LIMIT 1 OFFSET 3",
    )?;
    let (library_slug, library_pk) = library
        .split_once('|')
        .context("no library with funded projects")?;
    let hub = psql(
        cluster,
        db,
        "SELECT o.slug FROM organization o JOIN participation x ON x.organization_id = o.organization_id
         GROUP BY o.slug ORDER BY count(*) DESC, o.slug LIMIT 1",
    )?;
    let far = psql(
        cluster,
        db,
        "SELECT o.slug FROM organization o JOIN participation x ON x.organization_id = o.organization_id
         WHERE o.slug LIKE 'gen-lt-%' AND o.kind = 'library'
         GROUP BY o.slug HAVING count(*) BETWEEN 2 AND 4 ORDER BY o.slug LIMIT 1",
    )?;
    let id_of = |slug: String| async move {
        let answer = post(
            client,
            url,
            &json!({ "query": "query($s: String!) { organization(slug: $s) { id place { name } } }", "variables": { "s": slug } }),
        )
        .await?;
        let id = answer["data"]["organization"]["id"]
            .as_str()
            .with_context(|| format!("no organization {slug}"))?
            .to_owned();
        let place = answer["data"]["organization"]["place"]["name"]
            .as_str()
            .unwrap_or("biblioteka")
            .to_owned();
        anyhow::Ok((id, place))
    };
    let (node_id, town) = id_of(library_slug.to_owned()).await?;
    let (hub_id, _) = id_of(hub.clone()).await?;
    let path_to = if far.is_empty() {
        hub_id.clone()
    } else {
        id_of(far).await?.0
    };
    Ok(Subjects {
        library_slug: library_slug.to_owned(),
        node_id: node_id.clone(),
        // Typed as a coordinator would: no diacritics.
        search_text: entities::text::fold(&town),
        hub_id,
        hub_slug: hub,
        country: "MD".into(),
        path_from: node_id,
        path_to,
        node_pk: library_pk.trim().parse()?,
    })
}

/// A static-bytes axum handler answering every POST with `body`: the HTTP floor.
async fn http_floor(body: Vec<u8>) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let body = bytes_static(body);
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move || async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}/graphql"))
}

fn bytes_static(body: Vec<u8>) -> &'static [u8] {
    Box::leak(body.into_boxed_slice())
}

/// Seconds from starting `libgraph serve` on a new embedded database (migrate and seed) to the
/// first answer.
async fn cold_start(binary: &Path, scratch: &Path) -> anyhow::Result<f64> {
    let dir = scratch.join("cold");
    let client = reqwest::Client::new();
    let started = Instant::now();
    let server = spawn_libgraph(binary, "cold", &["--data-dir", &dir.to_string_lossy()])?;
    let answer = post(
        &client,
        &server.url,
        &json!({ "query": "{ search(text: \"balti\") { nodes { score } } }" }),
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    if answer["data"]["search"]["nodes"]
        .as_array()
        .is_none_or(|a| a.is_empty())
    {
        bail!("the cold server's first answer is wrong: {answer}");
    }
    Ok(seconds)
}

fn row_json(r: &Row) -> Value {
    json!({
        "server": r.server, "query": r.query, "statements": r.statements,
        "statements_when_pages_double": r.statements_doubled, "pg_stat_statements": r.pg_statements,
        "statement_budget": r.budget, "response_bytes": r.bytes, "first_request_ms": r.first_ms,
        "one_connection": r.one.map(|f| f.json()), "eight_connections": r.eight.map(|f| f.json()),
    })
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

/// The measured cells of a row: statements, doubled, pg_stat_statements, budget, p50, p90 and p99
/// at one connection, req/s and p99 at eight.
fn cells(r: &Row) -> [String; 9] {
    let ms =
        |f: Option<Figures>, pick: fn(&Figures) -> f64| opt(f.map(|f| format!("{:.2}", pick(&f))));
    [
        opt(r.statements),
        opt(r.statements_doubled),
        opt(r.pg_statements),
        opt(r.budget),
        ms(r.one, |f| f.p50_ms),
        ms(r.one, |f| f.p90_ms),
        ms(r.one, |f| f.p99_ms),
        opt(r.eight.map(|f| format!("{:.0}", f.rps))),
        ms(r.eight, |f| f.p99_ms),
    ]
}

/// The CPU share stolen during the one- and eight-connection runs of a row, as "a/b".
fn steal(r: &Row) -> String {
    let pct = |f: Option<Figures>| opt(f.map(|f| format!("{:.0}", f.steal_pct)));
    format!("{}/{}", pct(r.one), pct(r.eight))
}

fn line(r: &Row) -> String {
    let [n, doubled, pg, budget, p50, p90, p99, rps, p99_8] = cells(r);
    format!(
        "{:<16} {:<26} stmts {n:>3} ({doubled:>3} doubled, pg {pg:>3}, budget {budget:>3})  first {first:>8} ms  1c p50 {p50:>8} p90 {p90:>8} p99 {p99:>8} ms  8c {rps:>9} req/s p99 {p99_8:>8} ms  steal {steal} %",
        r.server,
        r.query,
        first = opt(r.first_ms.map(|ms| format!("{ms:.2}"))),
        steal = steal(r),
    )
}

/// The table and the ratios the targets are stated in.
fn summary(rows: &[Row], report: &Value) -> String {
    let mut out = String::new();
    out.push_str("| server | query | SQL stmts (pages ×2) | pg_stat_statements | first ms | p50 ms @1 | p90 ms @1 | p99 ms @1 | req/s @8 | p99 ms @8 | CPU stolen % @1/@8 |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let [n, doubled, pg, _, p50, p90, p99, rps, p99_8] = cells(r);
        let first = opt(r.first_ms.map(|ms| format!("{ms:.2}")));
        out.push_str(&format!(
            "| {} | {} | {n} ({doubled}) | {pg} | {first} | {p50} | {p90} | {p99} | {rps} | {p99_8} | {} |\n",
            r.server, r.query, steal(r),
        ));
    }
    let find = |server: &str, key: &str| {
        rows.iter()
            .find(|r| r.server == server && r.query.contains(key))
    };
    for (key, title) in [
        ("heavy", "1 heavy"),
        ("medium", "2 medium"),
        ("node", "3 node"),
    ] {
        let Some(rounds) = report["paired"][key].as_array() else {
            continue;
        };
        let ratios =
            |name: &str| median_range(rounds.iter().filter_map(|r| r[name].as_f64()).collect());
        if let (Some((p50, p50_lo, p50_hi)), Some((rps, rps_lo, rps_hi))) =
            (ratios("p50_ratio"), ratios("rps_ratio"))
        {
            out.push_str(&format!(
                "\n{title}: libgraph/PostGraphile, median of {} paired rounds (range): p50 @1 = {p50:.2}× ({p50_lo:.2}–{p50_hi:.2}; target ≤ 0.25 for query 1), req/s @8 = {rps:.2}× ({rps_lo:.2}–{rps_hi:.2}; target ≥ 4 for query 1)",
                rounds.len()
            ));
        }
    }
    if let (Some(ours), Some(http), Some(data)) = (
        find("libgraph-pg", "1 heavy").and_then(|r| r.one),
        report["floors"]["http"]["one"]["p50_ms"].as_f64(),
        report["floors"]["data"]["one"]["p50_ms"].as_f64(),
    ) {
        out.push_str(&format!(
            "\n1 heavy: libgraph p50 {:.2} ms / (data floor {:.2} + HTTP floor {:.2}) = {:.2}× (target ≤ 3)",
            ours.p50_ms,
            data,
            http,
            ours.p50_ms / (data + http)
        ));
    }
    let m = &report["memory"];
    out.push_str(&format!(
        "\npeak RSS MB: libgraph-pg {}, libgraph-sqlite {}, PostGraphile {}",
        m["libgraph_pg_peak_rss_mb"],
        m["libgraph_sqlite_peak_rss_mb"],
        m["postgraphile_peak_rss_mb"]
    ));
    if let Some(cold) = report["cold_start_s"].as_f64() {
        out.push_str(&format!(
            "\ncold start (migrate + seed + first answer): {cold:.2} s"
        ));
    }
    out
}
