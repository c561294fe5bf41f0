//! Running each class against the server: one request at a time for the request classes, a raw
//! socket for the slow and silent ones, eight senders at once for the load phase. Each returns
//! what the class did at its worst, with the server's peaks while it ran.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Args;
use crate::documents::{Bomb, Request};
use crate::probe::{Peak, Sampler};
use crate::wire;

/// How long past its timeout a slow or silent connection may stay open: the server's timers
/// fire on time, and the slack is for a loaded machine.
const CUTOFF_SLACK: Duration = Duration::from_secs(2);
/// The most requests one sender of the load phase makes, whatever its duration.
const LOAD_MAX_REQUESTS: usize = 20_000;
/// The concurrent bomb senders of the load phase.
pub const BOMB_SENDERS: usize = 8;

/// Where the server under test listens: what every request needs, copied into the load's tasks.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    pub address: SocketAddr,
}

impl Endpoint {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

/// What one class did, at its worst.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub class: String,
    /// Bytes of the request (its body or its query string).
    pub sent: usize,
    /// The statuses seen, distinct, in order (`-` where the server closed without one).
    pub statuses: Vec<String>,
    pub codes: Vec<String>,
    pub worst_ms: f64,
    pub median_ms: f64,
    /// The most bytes one answer held.
    pub bytes_back: usize,
    /// Every repeat refused (an error status, or an error in the answer); `None` for the
    /// connection classes, which are judged by their own targets.
    pub refused: Option<bool>,
    pub peak: Peak,
    /// The server answered `{ __typename }` right after the class.
    pub answers_after: bool,
    pub note: String,
}

impl Row {
    pub fn json(&self, limit: u64) -> Value {
        json!({
            "class": self.class, "sent_bytes": self.sent, "statuses": self.statuses,
            "codes": self.codes, "worst_ms": round(self.worst_ms), "median_ms": round(self.median_ms),
            "bytes_back": self.bytes_back, "refused": self.refused,
            "peak_rss_mb": round(self.peak.rss_mb), "peak_descriptors": self.peak.descriptors,
            "descriptors_left": limit.saturating_sub(self.peak.descriptors),
            "answers_after": self.answers_after, "note": self.note,
        })
    }
}

pub fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn push_distinct(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The `p`-th quantile (0–1) of sorted `values`, nearest rank.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n => sorted[((n - 1) as f64 * p).round() as usize],
    }
}

/// What one request got back.
struct Reply {
    status: Option<u16>,
    code: Option<String>,
    bytes: usize,
    elapsed: Duration,
    refused: bool,
}

/// Sends one hostile request and reads the whole answer.
async fn send(
    client: &reqwest::Client,
    server: Endpoint,
    request: &Request,
) -> anyhow::Result<Reply> {
    let builder = match request {
        Request::Post(body) => client
            .post(server.url("/graphql"))
            .header("content-type", "application/json")
            .body(body.clone()),
        Request::Get(query) => client
            .get(server.url("/graphql"))
            .query(&[("query", query)]),
        Request::Oversized(length) => {
            let answer = wire::oversized(server.address, *length).await?;
            let refused = answer.status.is_some_and(|s| s >= 400);
            return Ok(Reply {
                status: answer.status,
                code: answer.code,
                bytes: answer.bytes,
                elapsed: answer.elapsed,
                refused,
            });
        }
    };
    // With this media type a request that cannot run is answered with a 4xx status, which the
    // table shows; the body is the same as with `application/json`.
    let builder = builder.header("accept", "application/graphql-response+json");
    // Timed from here: building the request copies the body, which is not the server's time.
    let started = Instant::now();
    let response = builder.send().await?;
    let status = response.status().as_u16();
    let body = response.bytes().await?;
    let elapsed = started.elapsed();
    let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let code = answer["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned);
    // An invalid ID is refused by its field (`data: { node: null }` and an error), a bomb by
    // the whole request: either way the work asked for was not done.
    let has_errors = answer["errors"].as_array().is_some_and(|e| !e.is_empty());
    Ok(Reply {
        status: Some(status),
        code,
        bytes: body.len(),
        elapsed,
        refused: status >= 400 || has_errors,
    })
}

/// Whether the server answers `{ __typename }` right now.
pub async fn answers_trivial(client: &reqwest::Client, server: Endpoint) -> bool {
    let response = client
        .post(server.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await;
    match response {
        Ok(r) if r.status() == 200 => r
            .json::<Value>()
            .await
            .is_ok_and(|v| v["data"]["__typename"] == "Query"),
        _ => false,
    }
}

/// Sends `bomb` `repeats` times, one after the other.
pub async fn run_bomb(
    client: &reqwest::Client,
    server: Endpoint,
    sampler: &Sampler,
    bomb: &Bomb,
    repeats: u32,
) -> anyhow::Result<Row> {
    sampler.take();
    let mut row = Row {
        class: bomb.class.clone(),
        sent: bomb.request.len(),
        refused: Some(true),
        ..Row::default()
    };
    let mut times = Vec::new();
    for _ in 0..repeats {
        let started = Instant::now();
        // A request the server drops without an answer is not a clean refusal (no status, no
        // code), and it is a figure of the class, not a reason to stop the run.
        let reply = send(client, server, &bomb.request)
            .await
            .unwrap_or_else(|error| Reply {
                status: None,
                code: Some(format!("no answer: {error:#}").chars().take(60).collect()),
                bytes: 0,
                elapsed: started.elapsed(),
                refused: false,
            });
        times.push(reply.elapsed.as_secs_f64() * 1000.0);
        push_distinct(
            &mut row.statuses,
            reply.status.map_or("-".into(), |s| s.to_string()),
        );
        push_distinct(&mut row.codes, reply.code.unwrap_or_else(|| "-".into()));
        row.bytes_back = row.bytes_back.max(reply.bytes);
        if !reply.refused {
            row.refused = Some(false);
        }
    }
    times.sort_by(f64::total_cmp);
    row.worst_ms = quantile(&times, 1.0);
    row.median_ms = quantile(&times, 0.5);
    row.peak = sampler.take();
    row.answers_after = answers_trivial(client, server).await;
    Ok(row)
}

/// Headers a byte at a time, then a body a byte at a time: each is cut off at its timeout.
pub async fn run_slow(
    client: &reqwest::Client,
    server: Endpoint,
    sampler: &Sampler,
    args: &Args,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (class, timeout) in [
        ("slow headers (a byte / 100 ms)", args.header_timeout),
        ("slow body (a byte / 300 ms)", args.body_timeout),
    ] {
        sampler.take();
        // Bounded well past the timeout, so that a server that never cuts off shows as such.
        let limit = Duration::from_secs(timeout * 3);
        let answer = if class.starts_with("slow headers") {
            wire::slow_headers(server.address, limit).await?
        } else {
            wire::slow_body(server.address, limit).await?
        };
        let late = answer.elapsed > Duration::from_secs(timeout) + CUTOFF_SLACK;
        let mut row = Row {
            class: class.into(),
            statuses: vec![answer.status.map_or("-".into(), |s| s.to_string())],
            codes: vec![answer.code.unwrap_or_else(|| "-".into())],
            worst_ms: answer.elapsed.as_secs_f64() * 1000.0,
            median_ms: answer.elapsed.as_secs_f64() * 1000.0,
            bytes_back: answer.bytes,
            note: if answer.elapsed >= limit {
                format!("still open after {} s", limit.as_secs())
            } else if late {
                format!(
                    "not cut off until {:.1} s (timeout {timeout} s)",
                    answer.elapsed.as_secs_f64()
                )
            } else {
                format!("cut off at the {timeout} s timeout")
            },
            ..Row::default()
        };
        row.peak = sampler.take();
        row.answers_after = answers_trivial(client, server).await;
        rows.push(row);
    }
    Ok(rows)
}

/// Many connections held open and silent until the server closes them: sockets that never send
/// a byte, or (`kept_alive`) connections that asked for `/healthz` once and then say nothing.
pub async fn run_silent(
    client: &reqwest::Client,
    server: Endpoint,
    sampler: &Sampler,
    args: &Args,
    kept_alive: bool,
) -> anyhow::Result<(Row, wire::Silent, Option<u16>)> {
    sampler.take();
    let started = Instant::now();
    let (count, class) = if kept_alive {
        (usize::try_from(args.idle)?, "idle kept-alive")
    } else {
        (usize::try_from(args.sockets)?, "silent sockets")
    };
    let (sockets, not_opened, shed_at_open) = if kept_alive {
        wire::open_kept_alive(server.address, count).await
    } else {
        let (sockets, not_opened) = wire::open_silent(server.address, count).await;
        (sockets, not_opened, 0)
    };
    // While they are held: what another client that wants a trivial answer gets. 200: the
    // sockets' address holds only its share of the connections (`--max-connections-per-address`,
    // half of them by default); 503: the server is shedding load because they hold them all.
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A new connection from another address, as a new visitor's would be (one kept alive from
    // before was accepted before the sockets came), read while it is written: the server answers
    // one over its limit without reading its request, and an HTTP client that is still writing
    // then reports the reset rather than the 503.
    let body = br#"{"query":"{ __typename }"}"#;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let during = wire::exchange_from(
        wire::OTHER_CLIENT,
        server.address,
        &head,
        body,
        Duration::from_secs(5),
    )
    .await
    .ok()
    .and_then(|answer| answer.status);
    let limit = Duration::from_secs(args.header_timeout) + CUTOFF_SLACK * 2;
    let mut silent = wire::watch_silent(sockets, not_opened, started, limit).await;
    silent.shed += shed_at_open;
    let mut row = Row {
        class: format!("{class} ×{count}"),
        statuses: vec![format!("{} × 503", silent.shed)],
        codes: vec![if silent.shed > 0 { "OVERLOADED" } else { "-" }.into()],
        worst_ms: silent.last_closed.as_secs_f64() * 1000.0,
        median_ms: silent.last_closed.as_secs_f64() * 1000.0,
        note: format!(
            "{} cut off, {} shed, {} still open, {} not opened; trivial query from another address while held: {}",
            silent.cut_off,
            silent.shed,
            silent.held,
            silent.not_opened,
            during.map_or("closed without an answer".into(), |s| s.to_string())
        ),
        ..Row::default()
    };
    row.peak = sampler.take();
    row.answers_after = answers_trivial(client, server).await;
    Ok((row, silent, during))
}

/// What the load phase measured.
#[derive(Debug, Default)]
pub struct Load {
    pub trivial: Vec<f64>,
    pub trivial_failed: usize,
    pub readyz_polls: usize,
    pub readyz_not_ok: usize,
    pub readyz_worst_ms: f64,
    pub bombs_sent: usize,
    pub bombs_answered: usize,
    pub bomb_worst_ms: f64,
    pub peak: Peak,
}

/// Eight senders of bombs for `seconds`, each with one request in flight, while one client asks
/// `{ __typename }` back to back and another polls `/readyz` every 50 ms.
pub async fn run_load(
    server: Endpoint,
    sampler: &Sampler,
    bombs: &[Bomb],
    seconds: u64,
) -> anyhow::Result<Load> {
    sampler.take();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    // The oversized body is refused before it is read: it loads the network, not the server.
    let bombs: Vec<Request> = bombs
        .iter()
        .filter(|b| !matches!(b.request, Request::Oversized(_)))
        .map(|b| b.request.clone())
        .collect();
    let base = server;
    let mut senders = Vec::new();
    for first in 0..BOMB_SENDERS {
        let bombs = bombs.clone();
        senders.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?;
            let (mut sent, mut answered, mut worst) = (0usize, 0usize, 0f64);
            let cycle = bombs.iter().cycle().skip(first).take(LOAD_MAX_REQUESTS);
            for request in cycle {
                if Instant::now() >= deadline {
                    break;
                }
                // A failed send is a refusal too (the connection was shed); it is counted.
                if let Ok(reply) = send(&client, base, request).await {
                    worst = worst.max(reply.elapsed.as_secs_f64() * 1000.0);
                    answered += usize::from(!reply.refused);
                }
                sent += 1;
            }
            anyhow::Ok((sent, answered, worst))
        }));
    }
    // Let the bombs get in flight first.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let trivial = {
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()?;
            let (mut times, mut failed) = (Vec::new(), 0usize);
            while Instant::now() < deadline && times.len() + failed < LOAD_MAX_REQUESTS * 10 {
                let started = Instant::now();
                if answers_trivial(&client, base).await {
                    times.push(started.elapsed().as_secs_f64() * 1000.0);
                } else {
                    failed += 1;
                }
            }
            anyhow::Ok((times, failed))
        })
    };
    let readyz = {
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()?;
            let (mut polls, mut not_ok, mut worst) = (0usize, 0usize, 0f64);
            while Instant::now() < deadline && polls < LOAD_MAX_REQUESTS {
                let started = Instant::now();
                let ok = client
                    .get(base.url("/readyz"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                worst = worst.max(started.elapsed().as_secs_f64() * 1000.0);
                polls += 1;
                not_ok += usize::from(!ok);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            anyhow::Ok((polls, not_ok, worst))
        })
    };
    let mut load = Load::default();
    for sender in senders {
        let (sent, answered, worst) = sender.await??;
        load.bombs_sent += sent;
        load.bombs_answered += answered;
        load.bomb_worst_ms = load.bomb_worst_ms.max(worst);
    }
    let (mut times, failed) = trivial.await??;
    times.sort_by(f64::total_cmp);
    (load.trivial, load.trivial_failed) = (times, failed);
    (load.readyz_polls, load.readyz_not_ok, load.readyz_worst_ms) = readyz.await??;
    load.peak = sampler.take();
    Ok(load)
}
