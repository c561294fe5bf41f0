//! The command line: every option has a flag and an environment variable, listed in `--help`.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::store::connect::DbConfig;

/// libgraph: a GraphQL knowledge graph of public libraries, their partners, funders, projects and
/// outcomes. With no command: `serve`, with the serve options below.
#[derive(Debug, Parser)]
#[command(name = "libgraph", version)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Log filter (`info`, `libgraph=debug,sea_orm=info`, …). Unless it names them or asks for
    /// `debug` or `trace`, the migrator's and the SQL driver's own lines are kept to warnings.
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

    // Declared after the other options: `next_help_heading` heads every option that follows it.
    /// The options of `serve`, the default command (`libgraph --bind 0.0.0.0:8080`). Used only
    /// when no command is named: after a command its own options apply, and
    /// [`Cli::try_from_args`] refuses these before one.
    #[command(flatten, next_help_heading = "Serve options (with no command)")]
    pub serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Parses the command line, exiting with clap's message on an error (as `Parser::parse`).
    pub fn from_command_line() -> Cli {
        Cli::try_from_args(std::env::args_os()).unwrap_or_else(|error| error.exit())
    }

    /// Parses `args` (the program name first). clap alone accepts the serve options before any
    /// command, where they would be ignored (`libgraph --bind :9000 migrate`); they are refused
    /// there. Not `args_conflicts_with_subcommands`, which would also refuse the global options
    /// before a command (`libgraph --data-dir d summary`, as the README writes it).
    pub fn try_from_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut command = Cli::command();
        let matches = command.try_get_matches_from_mut(args)?;
        let cli = Cli::from_arg_matches(&matches)?;
        if let Some(named) = &cli.command {
            let serve_options = ServeArgs::augment_args(clap::Command::new("serve"));
            let misplaced = serve_options.get_arguments().find(|arg| {
                matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine)
            });
            if let Some(arg) = misplaced {
                let option = arg.get_long().unwrap_or(arg.get_id().as_str());
                let message = match named {
                    Command::Serve(_) => {
                        format!("--{option} goes after `serve` (or leave `serve` out)")
                    }
                    _ => format!(
                        "--{option} is an option of `serve`, not of `{}`",
                        named.name()
                    ),
                };
                return Err(command.error(clap::error::ErrorKind::ArgumentConflict, message));
            }
        }
        Ok(cli)
    }

    /// The log filter: `--log-level` with the libraries that log routine work at `info` kept
    /// to warnings. sea-orm-migration writes about fifteen lines each start (a check per
    /// migration), which bury the one line of ours that matters (`applied N migration(s)`). A
    /// filter that names one of them, or asks for `debug` or `trace` everywhere, is left as it is.
    pub fn log_filter(&self) -> String {
        const ROUTINE: [&str; 2] = ["sea_orm_migration", "sqlx"];
        let directives: Vec<&str> = self.log_level.split(',').map(str::trim).collect();
        let everything_verbose = directives.iter().any(|d| {
            !d.contains('=') && matches!(d.to_ascii_lowercase().as_str(), "debug" | "trace")
        });
        let mut filter = self.log_level.clone();
        for target in ROUTINE {
            let named = directives.iter().any(|d| d.starts_with(target));
            if !named && !everything_verbose {
                filter.push_str(&format!(",{target}=warn"));
            }
        }
        filter
    }

    /// The serve options in effect: those after `serve`, or those given without a command.
    pub fn serve_args(&self) -> Option<&ServeArgs> {
        match &self.command {
            None => Some(&self.serve),
            Some(Command::Serve(args)) => Some(args),
            Some(_) => None,
        }
    }
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

    /// The database of a command that only reads (`summary`, `seed --check`): `None` when the
    /// embedded database does not exist, which such a command must not create.
    pub fn existing_config(&self) -> Option<DbConfig> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => crate::store::connect::existing_embedded_url(&self.data_dir)?,
        };
        Some(DbConfig {
            url,
            max_connections: self.db_max_connections,
        })
    }

    /// The database of a command that writes, creating the embedded one's directory.
    pub fn config(&self) -> std::io::Result<DbConfig> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => crate::store::connect::embedded_url(&self.data_dir)?,
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
    Serve(Box<ServeArgs>),
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
    /// Create, list and revoke the tokens that may write through the API (the first admin
    /// token comes from here; later ones also from the `createToken` mutation).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write the graph in the database out as files (`--format seed`: seed files that `seed
    /// --dir OUT/data` loads again, for reviewing and committing edits made through the API).
    Export(ExportArgs),
}

impl Command {
    /// The name a user types.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Serve(_) => "serve",
            Command::ExportSchema => "export-schema",
            Command::Migrate => "migrate",
            Command::Seed(_) => "seed",
            Command::Summary => "summary",
            Command::Generate(_) => "generate",
            Command::Token(_) => "token",
            Command::Export(_) => "export",
        }
    }
}

/// What `libgraph token` does.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it, once: the server keeps only its hash. The token goes to
    /// stdout alone on its line (`TOKEN=$(libgraph token create …)`), what it is to stderr.
    Create(TokenCreateArgs),
    /// List the tokens: name, role, when created, when they expire, whether revoked, when last
    /// used. Never a token's text.
    List,
    /// Revoke a token by name: from now on it authorizes nothing.
    Revoke {
        /// The token's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The name its holder is known by (a person or a script); unique.
    #[arg(long)]
    pub name: String,

    /// What it may write: `editor` (content) or `admin` (also tokens, merge, restore).
    #[arg(long, value_parser = parse_role)]
    pub role: entities::TokenRole,

    /// Days until it stops working; without it, it never expires.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub expires_in: Option<u32>,
}

fn parse_role(text: &str) -> Result<entities::TokenRole, String> {
    entities::TokenRole::parse(&text.to_ascii_lowercase()).ok_or_else(|| {
        format!(
            "\"{text}\" is not a role: use {}",
            entities::TokenRole::expected()
        )
    })
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

    /// Write into a database that already holds records. Without it, `generate` refuses one:
    /// the synthetic organizations would mix with the curated graph (or an earlier generated one)
    /// and every answer the API gives about it.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write. `seed`: one TOML file per source in OUT/data (seeds/FORMAT.md) and the
    /// stored document texts where those files' `document` paths point (OUT/documents).
    #[arg(long, value_enum)]
    pub format: ExportFormat,

    /// The directory to write into; created when missing. Refused when it is not empty, unless
    /// --force.
    #[arg(long)]
    pub dir: PathBuf,

    /// Write into a directory that is not empty: files of the same name are replaced, nothing else
    /// is removed (`export` names any other seed file it finds there, which `seed --dir` would
    /// load too).
    #[arg(long)]
    pub force: bool,

    /// Which part of the collaboration network the gexf, graphml and csv formats write (the
    /// other files are the whole graph): `collaborationNetwork`'s filter, as `/export/…` takes it.
    #[command(flatten)]
    pub network: NetworkArgs,

    /// Stop computing the network (gexf, graphml, csv) when its filter keeps more than this many
    /// activity memberships (`TOO_BROAD`). By default there is no bound: the server's
    /// `/export/…` routes refuse more than 150,000 so that one request cannot hold a shared
    /// server, but the command spends only its own time (the whole network at size L reads
    /// about a million memberships). The csv format writes every table before the network, so a
    /// network refused still leaves the tables.
    #[arg(long)]
    pub max_memberships: Option<usize>,
}

/// `collaborationNetwork`'s filter and limit on the command line: the parameters of the
/// `/export/…` network routes, read by the same code (`export::NetworkQuery`), so they are
/// checked alike and name the same parameter when wrong.
#[derive(Clone, Debug, Default, Args)]
pub struct NetworkArgs {
    /// Only organizations in these countries (ISO 3166-1 alpha-2; repeat or separate by commas).
    #[arg(long)]
    pub country: Vec<String>,
    /// Only organizations of these kinds (`library`, `ngo`, …; repeat or separate by commas).
    #[arg(long)]
    pub kind: Vec<String>,
    /// Only activities in these programmes (slugs), their sub-programmes and what is under them.
    #[arg(long)]
    pub programme: Vec<String>,
    /// Only activities classified under these topics (slugs such as `sdg-4`).
    #[arg(long)]
    pub topic: Vec<String>,
    /// Only activities active in or after this year.
    #[arg(long)]
    pub from: Option<String>,
    /// Only activities active in or before this year.
    #[arg(long)]
    pub to: Option<String>,
    /// How many organizations to keep, those with the strongest ties first: 1 to 1000 (default
    /// 200, as `collaborationNetwork`'s).
    #[arg(long)]
    pub limit: Option<String>,
}

impl NetworkArgs {
    /// The options as `name=value` pairs, as a query string gives them.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for (name, values) in [
            ("country", &self.country),
            ("kind", &self.kind),
            ("programme", &self.programme),
            ("topic", &self.topic),
        ] {
            pairs.extend(values.iter().map(|v| (name.to_owned(), v.clone())));
        }
        for (name, value) in [
            ("from", &self.from),
            ("to", &self.to),
            ("limit", &self.limit),
        ] {
            pairs.extend(value.iter().map(|v| (name.to_owned(), v.clone())));
        }
        pairs
    }
}

/// What `export` writes: one option, whose values are the formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Seed files (seeds/FORMAT.md), one per source, that `libgraph seed --dir OUT/data` loads.
    Seed,
    /// The collaboration network as GEXF 1.3 (Gephi): DIR/network.gexf.
    Gexf,
    /// The collaboration network as GraphML: DIR/network.graphml.
    Graphml,
    /// CSV: the network's `DIR/nodes.csv` and `DIR/edges.csv`, and `DIR/<table>.csv` for every
    /// table of the graph.
    Csv,
    /// The whole graph as JSON-LD with schema.org types: DIR/graph.jsonld.
    Jsonld,
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

    /// Validate only; write nothing. References to existing records are checked against the
    /// database; with no database yet, as a load into a new one would see them (none exist).
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

    /// Longest query text accepted, in bytes; a longer one is refused before it is parsed
    /// (`QUERY_TOO_LARGE`).
    #[arg(long, env = "LIBGRAPH_MAX_QUERY_BYTES", default_value_t = 32 << 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_query_bytes: u64,

    /// Most fields one query may select once its fragments are expanded (`QUERY_TOO_LARGE`).
    #[arg(long, env = "LIBGRAPH_MAX_SELECTIONS", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_selections: u64,

    /// Most `__schema` and `__type` fields one query may hold once its fragments are expanded
    /// (`QUERY_TOO_LARGE`); each answers with the schema, whatever it selects.
    #[arg(long, env = "LIBGRAPH_MAX_INTROSPECTIONS", default_value_t = 3)]
    pub max_introspections: usize,

    /// Most fields written with an alias one query may hold once its fragments are expanded
    /// (`QUERY_TOO_LARGE`).
    #[arg(long, env = "LIBGRAPH_MAX_ALIASES", default_value_t = 100)]
    pub max_aliases: usize,

    /// Most root fields one query may hold once its fragments are expanded (`QUERY_TOO_LARGE`).
    #[arg(long, env = "LIBGRAPH_MAX_ROOT_FIELDS", default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub max_root_fields: usize,

    /// Seconds a query may execute before it is abandoned with `TIMEOUT` (HTTP 503).
    #[arg(long, env = "LIBGRAPH_EXECUTION_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub execution_timeout: u64,

    /// Most SQL statements one request may run at once, its share of the database pool.
    /// Default: a quarter of `--db-max-connections`, rounded up.
    #[arg(long, env = "LIBGRAPH_DB_REQUEST_SHARE", value_parser = clap::value_parser!(u64).range(1..))]
    pub db_request_share: Option<u64>,

    /// Megabytes the collaboration networks an instance keeps for reuse may hold together.
    #[arg(long, env = "LIBGRAPH_NETWORK_CACHE_MB", default_value_t = 64)]
    pub network_cache_mb: u64,

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

    /// Seconds a client has to send a request's headers, on a new connection and between the
    /// requests of a kept-alive one (so also how long a connection may sit idle).
    #[arg(long, env = "LIBGRAPH_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Seconds a client has to send a whole request body.
    #[arg(long, env = "LIBGRAPH_BODY_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,

    /// The most errors one response lists; how many were left out is `extensions.omittedErrors`.
    #[arg(long, env = "LIBGRAPH_MAX_ERRORS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_errors: u64,

    /// The most connections open at once; more are answered 503 and closed. Default: the
    /// process's descriptor limit (raised to its hard limit) less 128, at most 10,000.
    #[arg(long, env = "LIBGRAPH_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,

    /// The most connections one client (an IPv4 address, an IPv6 /64) may hold open at once;
    /// more are answered 503 and closed, so one address cannot take every connection. 0 turns
    /// the cap off. Default: half of `--max-connections`. Off with `--trusted-proxies` above 0:
    /// behind reverse proxies every connection comes from a proxy's address.
    #[arg(long, env = "LIBGRAPH_MAX_CONNECTIONS_PER_ADDRESS")]
    pub max_connections_per_address: Option<u64>,

    /// Requests a second one client (an IPv4 address, an IPv6 /64) may send to `/graphql`;
    /// faster ones are answered 429 (`RATE_LIMITED`) with `Retry-After`. 0 turns the limit off.
    /// Default: off on the embedded SQLite database (one user on their own machine), 50 on
    /// PostgreSQL (a server others reach).
    #[arg(long, env = "LIBGRAPH_RATE_LIMIT")]
    pub rate_limit: Option<u32>,

    /// Requests one client may send at once before `--rate-limit` applies. Default: twice
    /// `--rate-limit`.
    #[arg(long, env = "LIBGRAPH_RATE_LIMIT_BURST", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_burst: Option<u32>,

    /// How many reverse proxies stand in front of the server, each appending the address it saw
    /// to `X-Forwarded-For`: the rate limit then counts a client by the address the outermost one
    /// saw, and `--max-connections-per-address` is off (every connection comes from a proxy).
    /// 0 ignores the header. Never more than there are: a client can write the header itself,
    /// and a trusted entry it wrote would let it pick a fresh budget per request.
    #[arg(long, env = "LIBGRAPH_TRUSTED_PROXIES", default_value_t = 0)]
    pub trusted_proxies: usize,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(args: &str) -> Result<Cli, clap::Error> {
        Cli::try_from_args(std::iter::once("libgraph").chain(args.split_whitespace()))
    }

    fn bind(cli: &Cli) -> Option<String> {
        cli.serve_args().map(|args| args.bind.to_string())
    }

    #[test]
    fn the_serve_options_need_no_command() {
        let cli = parse("--bind 127.0.0.1:9000 --cors-origins http://localhost:5173").unwrap();

        assert!(cli.command.is_none());
        assert_eq!(bind(&cli).as_deref(), Some("127.0.0.1:9000"));
        assert_eq!(
            cli.serve_args().map(|a| a.cors_origins.clone()),
            Some(vec!["http://localhost:5173".to_owned()])
        );
    }

    #[test]
    fn the_serve_options_follow_serve_as_before() {
        let cli = parse("--data-dir d serve --bind 127.0.0.1:9001 --max-depth 9").unwrap();

        assert!(matches!(cli.command, Some(Command::Serve(_))));
        assert_eq!(bind(&cli).as_deref(), Some("127.0.0.1:9001"));
        assert_eq!(cli.serve_args().map(|a| a.max_depth), Some(9));
        assert_eq!(cli.database.data_dir, PathBuf::from("d"));
    }

    #[test]
    fn global_options_go_before_or_after_a_command() {
        let before = parse("--data-dir d --log-level warn summary").unwrap();
        let after = parse("summary --data-dir d --log-level warn").unwrap();

        for cli in [before, after] {
            assert!(matches!(cli.command, Some(Command::Summary)));
            assert_eq!(cli.database.data_dir, PathBuf::from("d"));
            assert_eq!(cli.log_level, "warn");
            assert_eq!(bind(&cli), None, "summary serves nothing");
        }
    }

    #[test]
    fn serve_options_before_a_command_are_refused_not_ignored() {
        let other = parse("--bind 127.0.0.1:9000 migrate").unwrap_err();
        let serve = parse("--max-depth 3 serve").unwrap_err();

        assert_eq!(other.kind(), ErrorKind::ArgumentConflict);
        assert!(
            other
                .to_string()
                .contains("--bind is an option of `serve`, not of `migrate`"),
            "{other}"
        );
        assert_eq!(serve.kind(), ErrorKind::ArgumentConflict);
        assert!(
            serve.to_string().contains("--max-depth goes after `serve`"),
            "{serve}"
        );
    }

    #[test]
    fn generate_takes_force_to_write_beside_records() {
        let plain = parse("generate --size M").unwrap();
        let forced = parse("generate --size M --force").unwrap();

        assert!(matches!(
            plain.command,
            Some(Command::Generate(GenerateArgs { force: false, .. }))
        ));
        assert!(matches!(
            forced.command,
            Some(Command::Generate(GenerateArgs { force: true, .. }))
        ));
    }

    #[test]
    fn export_takes_a_format_from_a_closed_list_and_a_directory() {
        let seed = parse("export --format seed --dir out").unwrap();
        let forced = parse("export --format seed --dir out --force").unwrap();
        let unknown = parse("export --format pdf --dir out").unwrap_err();
        let no_format = parse("export --dir out").unwrap_err();

        assert!(matches!(
            seed.command,
            Some(Command::Export(ExportArgs {
                format: ExportFormat::Seed,
                force: false,
                ..
            }))
        ));
        assert!(matches!(
            forced.command,
            Some(Command::Export(ExportArgs { force: true, .. }))
        ));
        assert!(
            unknown
                .to_string()
                .contains("possible values: seed, gexf, graphml, csv, jsonld"),
            "{unknown}"
        );
        assert!(no_format.to_string().contains("--format"), "{no_format}");
    }

    #[test]
    fn routine_library_logs_are_kept_to_warnings_unless_asked_for() {
        let filter = |level: &str| parse(&format!("--log-level {level}")).unwrap().log_filter();

        assert_eq!(filter("info"), "info,sea_orm_migration=warn,sqlx=warn");
        assert_eq!(
            filter("warn,sea_orm_migration=info"),
            "warn,sea_orm_migration=info,sqlx=warn"
        );
        assert_eq!(filter("debug"), "debug");
        assert_eq!(
            filter("info,libgraph=debug"),
            "info,libgraph=debug,sea_orm_migration=warn,sqlx=warn"
        );
    }

    #[test]
    fn token_commands_take_a_name_a_role_and_days() {
        let create = parse("token create --name Ana --role Admin --expires-in 30").unwrap();
        let revoke = parse("--data-dir d token revoke Ana").unwrap();

        assert!(matches!(
            create.command,
            Some(Command::Token(TokenCommand::Create(TokenCreateArgs {
                role: entities::TokenRole::Admin,
                expires_in: Some(30),
                ..
            })))
        ));
        assert!(matches!(
            revoke.command,
            Some(Command::Token(TokenCommand::Revoke { ref name })) if name == "Ana"
        ));
        for bad in [
            "token create --name Ana --role owner",
            "token create --name Ana --role editor --expires-in 0",
            "token create --role editor",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
