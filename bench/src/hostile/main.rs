//! `libgraph-hostile`: sends the hostile request classes of issue 28 to a libgraph server and
//! prints what each cost it. A benchmark-style command, not a test: the figures depend on the
//! build and the machine, so the suite asserts the behaviour (`tests/tests/hostile.rs`,
//! `tests/tests/connections.rs`) and this measures it against the issue's targets.
//!
//! One run: start `libgraph serve` on a new embedded (seeded) SQLite database in a temporary
//! directory, on a free loopback port, under a descriptor limit of 1,024 (the limit under which
//! 1,100 silent sockets once made it refuse everyone); send each class `--repeats` times,
//! sampling the process's resident memory and descriptors all along; then eight senders of bombs
//! at once while one client asks `{ __typename }` and another polls `/readyz`; then the
//! connection classes (slow headers, a slow body, idle kept-alive connections, silent sockets).
//! It prints a table, writes a JSON report and exits non-zero when a target is missed:
//! - every bomb refused, in under 10 ms (the worst of the repeats);
//! - with eight bombs in flight, a trivial query's p99 under 50 ms and `/readyz` always 200;
//! - resident memory under 300 MB through every class;
//! - slow headers and a slow body cut off at their timeouts, idle and silent connections closed
//!   or shed, and descriptors left over throughout, with no `Too many open files` in the log;
//! - while one address holds its silent sockets, a client from another address is answered 200
//!   (the per-address connection cap);
//! - the server answers a trivial query after every class.
//!
//! `--debug` labels the figures as a debug build's, whose times say little about a release one:
//! the time targets are still printed but not enforced.
//!
//! Traffic goes to 127.0.0.1 only (from 127.0.0.1, and from 127.0.0.2 for the client that is not
//! the hostile one), and every loop is bounded in count and in time.
//!
//! # Layout
//! - [`documents`]: the requests of each class.
//! - [`classes`]: sending each class and what it did at its worst; the load phase.
//! - [`wire`]: the classes that need a raw socket (oversized, slow, silent).
//! - [`probe`]: resident memory and descriptors from `/proc/<pid>`.
//! - [`report`]: the targets, the table and the JSON report.
//! - this file: the options, the server, the order of the run.

mod classes;
mod documents;
mod probe;
mod report;
mod wire;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use classes::{BOMB_SENDERS, Endpoint, answers_trivial, run_bomb, run_load, run_silent, run_slow};
use probe::Sampler;
use report::{End, Run};

#[derive(Debug, Parser)]
#[command(
    name = "libgraph-hostile",
    about = "Send issue 28's hostile request classes to libgraph and measure what they cost it"
)]
struct Args {
    /// The libgraph binary (default: the one beside this program).
    #[arg(long)]
    libgraph: Option<PathBuf>,

    /// The binary is a debug build: say so beside every figure, and do not fail on the time
    /// targets (a debug build is many times slower than a release one).
    #[arg(long)]
    debug: bool,

    /// Times each request class is sent; its worst time is reported.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=50))]
    repeats: u32,

    /// Seconds the eight bomb senders run while a trivial query is timed.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    load_seconds: u64,

    /// Silent sockets opened at once.
    #[arg(long, default_value_t = 1_100, value_parser = clap::value_parser!(u64).range(1..=5_000))]
    sockets: u64,

    /// Kept-alive connections left idle after one request each.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=5_000))]
    idle: u64,

    /// The server's descriptor limit (`ulimit -n`, soft and hard): 1,024, a common default,
    /// under which 1,100 silent sockets once made the server refuse everyone.
    #[arg(long, default_value_t = 1_024, value_parser = clap::value_parser!(u64).range(64..))]
    nofile: u64,

    /// The server's `--header-timeout`, in seconds (its default).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60))]
    header_timeout: u64,

    /// The server's `--body-timeout`, in seconds (its default).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60))]
    body_timeout: u64,

    /// The JSON report (default: `target/bench/hostile-release.json`, or `-debug`).
    #[arg(long)]
    out: Option<PathBuf>,

    /// More options for `libgraph serve`, after `--` (e.g. `-- --max-selections 5000`).
    #[arg(last = true)]
    serve_args: Vec<String>,
}

/// The server under test, killed when dropped.
struct Server {
    child: Child,
    endpoint: Endpoint,
    /// Its standard error, where it logs warnings (and `Too many open files`, if it runs out).
    log: PathBuf,
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

/// Starts `libgraph serve` on a new embedded database in `scratch`, under `args.nofile`
/// descriptors, and waits for its "serving" line (migrating and seeding come first).
fn spawn_server(binary: &Path, scratch: &Path, args: &Args) -> anyhow::Result<Server> {
    let log = scratch.join("server.log");
    // `ulimit` in a shell that then becomes the server: the pid is the server's, and the limit
    // is set without `unsafe` code in a `pre_exec` hook.
    let mut child = Command::new("sh")
        .args(["-c", r#"ulimit -n "$0" && exec "$@""#])
        .arg(args.nofile.to_string())
        .arg(binary)
        .arg("--data-dir")
        .arg(scratch.join("data"))
        .args(["--log-level", "warn", "serve", "--bind", "127.0.0.1:0"])
        .args(["--header-timeout", &args.header_timeout.to_string()])
        .args(["--body-timeout", &args.body_timeout.to_string()])
        .args(&args.serve_args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(line) => {
                if let Some(rest) = line?.strip_prefix("libgraph is serving GraphQL at ") {
                    break rest.trim().to_owned();
                }
            }
            None => bail!(
                "libgraph exited before serving: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        }
    };
    // Keep draining its output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches("/graphql")
        .parse()
        .with_context(|| format!("no address in {url}"))?;
    Ok(Server {
        child,
        endpoint: Endpoint { address },
        log,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let build = if args.debug { "debug" } else { "release" };
    let libgraph = match &args.libgraph {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory of this program")?
            .join("libgraph"),
    };
    if !libgraph.exists() {
        bail!("{} not found: build it first", libgraph.display());
    }
    // Our side holds every silent socket and the load's clients at once.
    rlimit::increase_nofile_limit(args.sockets + 1_024)?;
    let scratch = tempfile::Builder::new()
        .prefix("libgraph-hostile-")
        .tempdir()?;
    println!(
        "starting {} ({build} build) on the seeded database…",
        libgraph.display()
    );
    let server = spawn_server(&libgraph, scratch.path(), &args)?;
    let limit = probe::descriptor_limit(server.pid()).context("no descriptor limit")?;
    println!(
        "serving at {} (pid {}, {limit} descriptors, {:.1} MB resident)",
        server.endpoint.address,
        server.pid(),
        probe::status_kb(server.pid(), "VmRSS:").unwrap_or(0) as f64 / 1024.0
    );
    let sampler = Sampler::start(server.pid());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    if !answers_trivial(&client, server.endpoint).await {
        bail!("the server does not answer {{ __typename }} before the run");
    }

    let bombs = documents::bombs();
    let mut rows = Vec::new();
    for bomb in &bombs {
        let row = run_bomb(&client, server.endpoint, &sampler, bomb, args.repeats).await?;
        println!(
            "{:<32} worst {:>9.2} ms  {}",
            row.class,
            row.worst_ms,
            row.statuses.join("/")
        );
        rows.push(row);
    }
    println!("{BOMB_SENDERS} bomb senders for {} s…", args.load_seconds);
    let load = run_load(server.endpoint, &sampler, &bombs, args.load_seconds).await?;
    let after_load = answers_trivial(&client, server.endpoint).await;
    println!(
        "slow headers, slow body, idle and silent connections (each up to the server's timeouts)…"
    );
    rows.extend(run_slow(&client, server.endpoint, &sampler, &args).await?);
    let (idle_row, idle, _) = run_silent(&client, server.endpoint, &sampler, &args, true).await?;
    rows.push(idle_row);
    let (silent_row, silent, during) =
        run_silent(&client, server.endpoint, &sampler, &args, false).await?;
    rows.push(silent_row);

    drop(sampler);
    let worst_descriptors = rows
        .iter()
        .map(|r| r.peak.descriptors)
        .chain([load.peak.descriptors])
        .max()
        .unwrap_or(0);
    let run = Run {
        build,
        debug: args.debug,
        load_seconds: args.load_seconds,
        rows,
        load,
        after_load,
        idle,
        silent,
        during,
        end: End {
            hwm_mb: probe::status_kb(server.pid(), "VmHWM:").unwrap_or(0) as f64 / 1024.0,
            descriptors: probe::descriptors(server.pid()).unwrap_or(0),
            worst_descriptors,
            limit,
            too_many_files: std::fs::read_to_string(&server.log)
                .unwrap_or_default()
                .matches("Too many open files")
                .count(),
        },
    };
    drop(server);
    let targets = run.targets();
    let summary = run.summary(&targets);
    println!("\n{summary}");
    let mut report = run.json(&targets);
    report["libgraph"] = libgraph.display().to_string().into();
    report["serve_args"] = args.serve_args.clone().into();
    report["repeats"] = args.repeats.into();
    report["summary"] = summary.into();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/bench/hostile-{build}.json")));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("report written to {}", out.display());
    let enforced = targets.iter().filter(|t| t.fails(args.debug)).count();
    if enforced > 0 {
        bail!("{enforced} target(s) missed");
    }
    Ok(())
}
