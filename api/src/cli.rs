//! The command line: every option has a flag and an environment variable, listed in `--help`.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};

use crate::db::DbConfig;

/// libgraph: a GraphQL knowledge graph of public libraries, their partners, funders, projects and
/// outcomes. With no command: `serve`.
#[derive(Debug, Parser)]
#[command(name = "libgraph", version)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Log filter (`info`, `libgraph=debug,sea_orm=info`, …).
    #[arg(long, env = "LIBGRAPH_LOG", default_value = "info", global = true)]
    pub log_level: String,

    /// Log format: `text` for people, `json` (one object per line) for log collectors.
    #[arg(
        long,
        env = "LIBGRAPH_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL: `postgres://user:pass@host/db` for PostgreSQL; when unset, the embedded
    /// SQLite database in `--data-dir` is used.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Directory of the embedded SQLite database (created when missing).
    #[arg(long, env = "LIBGRAPH_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Most database connections in the pool.
    #[arg(
        long,
        env = "LIBGRAPH_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,
}

impl DatabaseArgs {
    /// Whether this is the embedded SQLite database (which may be migrated and seeded implicitly).
    pub fn is_embedded(&self) -> bool {
        self.database_url.is_none()
    }

    pub fn config(&self) -> std::io::Result<DbConfig> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => crate::db::embedded_url(&self.data_dir)?,
        };
        Ok(DbConfig {
            url,
            max_connections: self.db_max_connections,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API and the playground. On the embedded SQLite database it first
    /// migrates and loads the curated seeds; on PostgreSQL run `migrate` and `seed` first (or pass
    /// `--migrate`).
    Serve(ServeArgs),
    /// Print the GraphQL schema (SDL), as committed in `schema.graphql`.
    ExportSchema,
    /// Apply pending schema migrations (running it twice is a no-op).
    Migrate,
    /// Validate and load seed data: the curated documents built into the binary, or a directory
    /// of TOML files in the same format (see seeds/FORMAT.md).
    Seed(SeedArgs),
    /// Count what the database holds, by entity and relation type.
    Summary,
    /// Write a synthetic graph for scale tests and benchmarks (with the curated seeds it refers
    /// to) through the same loader as the seeds, and report rows per second.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How much: `S` (about 1,000 organizations), `M` (20,000) or `L` (200,000 organizations
    /// and a million participations).
    #[arg(long, default_value = "S", value_parser = parse_size)]
    pub size: seeds::generate::Size,

    /// Random seed: the same size and seed always give the same graph.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

fn parse_size(text: &str) -> Result<seeds::generate::Size, String> {
    seeds::generate::Size::parse(text)
        .ok_or_else(|| format!("\"{text}\" is not a size: use S, M or L"))
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Load the `*.toml` files of this directory instead of the built-in curated seeds.
    #[arg(long, env = "LIBGRAPH_SEED_DIR")]
    pub dir: Option<PathBuf>,

    /// Validate only (against the database, for references to existing records); write nothing.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "LIBGRAPH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,

    /// Migrate (and seed an empty database) before serving, also on PostgreSQL.
    #[arg(long, env = "LIBGRAPH_MIGRATE")]
    pub migrate: bool,

    /// Deepest query accepted, in levels of fields; selection sets may nest twice as deep
    /// counting fragments. At most 32: the GraphQL parser itself stops at 64 levels of selection
    /// sets, and a larger figure would promise what it refuses.
    #[arg(long, env = "LIBGRAPH_MAX_DEPTH", default_value_t = 24,
          value_parser = clap::value_parser!(u16).range(1..=32).map(usize::from))]
    pub max_depth: usize,

    /// Highest query complexity accepted (a connection costs its page size times its selection).
    #[arg(long, env = "LIBGRAPH_MAX_COMPLEXITY", default_value_t = 250_000)]
    pub max_complexity: usize,

    /// The most query cost executing at once (the sum of the running queries' complexities);
    /// larger queries wait for room, small ones (cost up to 2,000) never do. Bounds memory under
    /// load: at least the highest complexity accepted keeps the largest query able to run.
    #[arg(long, env = "LIBGRAPH_MAX_COST_IN_FLIGHT", default_value_t = 500_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_cost_in_flight: u64,

    /// Seconds a query may wait for room to execute before it is refused with `OVERLOADED`
    /// (HTTP 503).
    #[arg(long, env = "LIBGRAPH_ADMISSION_WAIT", default_value_t = 10)]
    pub admission_wait: u64,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "LIBGRAPH_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,

    /// Seconds in-flight requests may run on after SIGTERM or Ctrl-C before the server stops anyway.
    #[arg(long, env = "LIBGRAPH_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,

    /// Web origins whose pages may call the API from a browser (CORS), comma-separated
    /// (`https://map.example.org,https://libraries.example`), or `*` for any. Empty: none.
    #[arg(long, env = "LIBGRAPH_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,
}

/// An origin as browsers send it: `*`, or `scheme://host[:port]` with nothing after.
fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text == "*" {
        return Ok(text.to_owned());
    }
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("\"{text}\" is not an origin: it must start with http:// or https://")
        })?;
    if rest.is_empty() || rest.contains('/') || !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "\"{text}\" is not an origin: write scheme://host[:port], without a path"
        ));
    }
    Ok(text.to_owned())
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            migrate: false,
            max_depth: crate::graphql::Limits::default().max_depth,
            max_complexity: crate::graphql::Limits::default().max_complexity,
            max_cost_in_flight: crate::graphql::Limits::default()
                .admission
                .max_cost_in_flight as u64,
            admission_wait: crate::graphql::Limits::default().admission.wait.as_secs(),
            max_body_bytes: 1 << 20,
            shutdown_timeout: 30,
            cors_origins: Vec::new(),
        }
    }
}
