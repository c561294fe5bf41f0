//! The commands of the `libgraph` binary, one function each; `main.rs` parses the command line and
//! calls [`run`].
//!
//! They live in the library rather than the binary so that the binary is only its entry point and
//! allocator, and each command can be read (and called) on its own. Their errors are `anyhow`'s:
//! they are reported to the person who typed the command, never matched on.
//!
//! What a command reports goes to stdout through `say!`; logs go to stderr. A reader that
//! stops reading (`libgraph export-schema | head -1`) ends a command quietly and successfully, as
//! it does a Unix filter: `println!` would panic on the broken pipe.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::cli::{
    Cli, Command, DatabaseArgs, ExportArgs, ExportFormat, GenerateArgs, SeedArgs, ServeArgs,
    TokenCommand,
};
use crate::graphql::executor::admission::AdmissionLimits;
use crate::graphql::{Limits, default_request_share};
use crate::http::ratelimit::RateLimit;
use crate::http::server::{
    ConnectionLimits, default_max_connections, default_max_connections_per_address,
};
use crate::startup::{Application, ServerConfig};
use crate::store::connect::{self, DbConfig};
use crate::{store, telemetry};

/// Sets up logging and runs the command `cli` names (`serve` when it names none).
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init_logs(&cli.log_filter(), cli.log_format).context("--log-level")?;
    let embedded = cli.database.is_embedded();
    match &cli.command {
        // As committed in `schema.graphql`, byte for byte.
        Some(Command::ExportSchema) => write_out(format_args!("{}", crate::graphql::sdl())),
        Some(Command::Summary) => print_summary(&read_only(&cli.database).await?).await,
        Some(Command::Seed(args)) if args.check => check_seeds(&cli.database, args).await,
        Some(Command::Seed(args)) => {
            let db = writable(&cli.database).await?;
            ensure_schema(&db, embedded, "run `libgraph migrate` first").await?;
            seed(&db, args).await
        }
        Some(Command::Migrate) => {
            let applied = store::migrate(&writable(&cli.database).await?).await?;
            say!("applied {applied} migration(s)")
        }
        Some(Command::Generate(args)) => {
            let db = writable(&cli.database).await?;
            ensure_schema(&db, embedded, "run `libgraph migrate` first").await?;
            generate(&db, args).await
        }
        Some(Command::Token(command)) => {
            let db = match command {
                TokenCommand::List => read_only(&cli.database).await?,
                TokenCommand::Create(_) | TokenCommand::Revoke { .. } => {
                    let db = writable(&cli.database).await?;
                    // To stderr: a new token must be alone on stdout.
                    let applied = migrated(&db, embedded, "run `libgraph migrate` first").await?;
                    if applied > 0 {
                        eprintln!("applied {applied} migration(s)");
                    }
                    db
                }
            };
            let report = token(&db, command).await?;
            write_out(format_args!("{}", report.out))?;
            if !report.note.is_empty() {
                eprintln!("{}", report.note);
            }
            Ok(())
        }
        Some(Command::Export(args)) if args.format != ExportFormat::Seed => {
            let written = export_files(&read_only(&cli.database).await?, args).await?;
            for file in written {
                say!("wrote {} ({} bytes)", file.path.display(), file.bytes)?;
            }
            Ok(())
        }
        Some(Command::Export(args)) => {
            let report = export(&read_only(&cli.database).await?, args).await?;
            say!(
                "exported {} source(s) to {}: {} record(s), {} relation statement(s), {} [[citation]] entries, {} document text(s)",
                report.files,
                args.dir.join("data").display(),
                report.entities,
                report.relations,
                report.citations,
                report.documents
            )?;
            for stranger in &report.strangers {
                say!(
                    "note: {} was not written by this export; `seed --dir` would load it too",
                    stranger.display()
                )?;
            }
            Ok(())
        }
        None | Some(Command::Serve(_)) => {
            let args = cli.serve_args().unwrap_or(&cli.serve);
            serve(
                writable(&cli.database).await?,
                args,
                cli.database.db_max_connections,
                embedded,
            )
            .await
        }
    }
}

/// Writes a line to stdout; a reader that has gone is [`ReaderGone`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::command::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}
use say;

/// Writes `text` to stdout as it is; a reader that has gone is [`ReaderGone`].
fn write_out(text: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_fmt(text).and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Err(ReaderGone.into()),
        result => Ok(result.context("writing to stdout")?),
    }
}

/// Stdout's reader has stopped reading: the command stops, and the process ends successfully.
#[derive(Debug, thiserror::Error)]
#[error("stdout was closed")]
pub struct ReaderGone;

/// The database of a command that writes: the embedded one is created when missing.
async fn writable(database: &DatabaseArgs) -> anyhow::Result<DatabaseConnection> {
    let config = database.config().context("preparing the data directory")?;
    connect(&config).await
}

/// The database of a command that only reads. It is neither created nor migrated: a command
/// that counts or checks must not leave a database behind in a directory that had none, nor
/// change one that an older libgraph serves.
async fn read_only(database: &DatabaseArgs) -> anyhow::Result<DatabaseConnection> {
    let Some(config) = database.existing_config() else {
        anyhow::bail!(
            "there is no database in {}: `libgraph` (serve) or `libgraph seed` creates it",
            database.data_dir.display()
        );
    };
    let db = connect(&config).await?;
    if store::pending_migrations(&db).await? > 0 {
        anyhow::bail!(
            "the database has pending migrations: run `libgraph migrate` first (this command only reads)"
        );
    }
    Ok(db)
}

async fn connect(config: &DbConfig) -> anyhow::Result<DatabaseConnection> {
    connect::connect(config)
        .await
        .context("connecting to the database")
}

/// Applies pending migrations when `migrate` (always for the embedded database, which any
/// command that writes migrates on first use), saying so on stdout; otherwise refuses a database
/// with pending migrations, with `advice` on how to apply them. A PostgreSQL database is only
/// migrated when asked.
async fn ensure_schema(db: &DatabaseConnection, migrate: bool, advice: &str) -> anyhow::Result<()> {
    let applied = migrated(db, migrate, advice).await?;
    if applied > 0 {
        say!("applied {applied} migration(s)")?;
    }
    Ok(())
}

/// [`ensure_schema`] without the report: how many migrations it applied.
async fn migrated(db: &DatabaseConnection, migrate: bool, advice: &str) -> anyhow::Result<usize> {
    if migrate {
        return Ok(store::migrate(db).await?);
    }
    if store::pending_migrations(db).await? > 0 {
        anyhow::bail!("the database has pending migrations: {advice}");
    }
    Ok(0)
}

async fn serve(
    db: DatabaseConnection,
    args: &ServeArgs,
    pool: u32,
    embedded: bool,
) -> anyhow::Result<()> {
    let migrate = embedded || args.migrate;
    ensure_schema(
        &db,
        migrate,
        "run `libgraph migrate` first, or pass --migrate",
    )
    .await?;
    if migrate && store::is_empty(&db).await? {
        seed(
            &db,
            &SeedArgs {
                dir: None,
                check: false,
            },
        )
        .await?;
    }
    let config = server_config(args, pool, embedded);
    match &config.rate_limit {
        Some(limit) => tracing::info!(
            per_second = limit.per_second,
            burst = limit.burst,
            trusted_proxies = limit.trusted_proxies,
            "rate limit on /graphql, per client address (behind reverse proxies, set \
             --trusted-proxies, or every client behind them shares one budget)"
        ),
        None => tracing::info!("no rate limit (--rate-limit)"),
    }
    let connections = &config.connections;
    match connections.max_connections_per_address {
        Some(per_address) => tracing::info!(
            max_connections = connections.max_connections,
            max_connections_per_address = per_address,
            "connection limits"
        ),
        None if args.trusted_proxies > 0
            && args.max_connections_per_address.is_some_and(|n| n > 0) =>
        {
            tracing::warn!(
                max_connections = connections.max_connections,
                "--max-connections-per-address is ignored behind --trusted-proxies: every \
                 connection comes from a proxy's address"
            )
        }
        None => tracing::info!(
            max_connections = connections.max_connections,
            "connection limit; none per address"
        ),
    }
    let app = Application::build(&config, db)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let address = app.local_addr()?;
    // A server whose stdout has no reader (`libgraph | head -1`) goes on serving.
    say!("libgraph is serving GraphQL at http://{address}/graphql")
        .and_then(|()| say!("playground: http://{address}/playground"))
        .or_else(|error| error.downcast::<ReaderGone>().map(|_| ()))?;
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

/// The server `args` describe, over a pool of `pool` connections, on the embedded database or
/// not.
fn server_config(args: &ServeArgs, pool: u32, embedded: bool) -> ServerConfig {
    ServerConfig {
        bind: args.bind,
        limits: Limits {
            max_depth: args.max_depth,
            max_complexity: args.max_complexity,
            max_query_bytes: usize::try_from(args.max_query_bytes).unwrap_or(usize::MAX),
            max_selections: usize::try_from(args.max_selections).unwrap_or(usize::MAX),
            max_introspections: args.max_introspections,
            max_aliases: args.max_aliases,
            max_root_fields: args.max_root_fields,
            max_errors: usize::try_from(args.max_errors).unwrap_or(usize::MAX),
            execution_timeout: Duration::from_secs(args.execution_timeout),
            db_request_share: match args.db_request_share {
                Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                None => default_request_share(pool),
            },
            network_cache_bytes: usize::try_from(args.network_cache_mb)
                .unwrap_or(usize::MAX)
                .saturating_mul(1 << 20),
            admission: AdmissionLimits {
                max_cost_in_flight: usize::try_from(args.max_cost_in_flight).unwrap_or(usize::MAX),
                wait: Duration::from_secs(args.admission_wait),
                ..AdmissionLimits::default()
            },
            ..Limits::default()
        },
        max_body_bytes: args.max_body_bytes,
        shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
        cors_origins: args.cors_origins.clone(),
        connections: connection_limits(args),
        body_read_timeout: Duration::from_secs(args.body_timeout),
        rate_limit: rate_limit(args, embedded),
    }
}

/// The connection limits `args` ask for. The per-address cap is off behind trusted proxies:
/// every connection then comes from a proxy's address, and one client's share would be every
/// client's.
fn connection_limits(args: &ServeArgs) -> ConnectionLimits {
    let max_connections = match args.max_connections {
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => default_max_connections(),
    };
    let max_connections_per_address = match args.max_connections_per_address {
        _ if args.trusted_proxies > 0 => None,
        Some(n) => std::num::NonZeroUsize::new(usize::try_from(n).unwrap_or(usize::MAX)),
        None => default_max_connections_per_address(max_connections),
    };
    ConnectionLimits {
        header_read_timeout: Duration::from_secs(args.header_timeout),
        max_connections,
        max_connections_per_address,
    }
}

/// The rate limit `args` ask for, or by default: none on the embedded SQLite database, 50 a
/// second per client on PostgreSQL.
///
/// The embedded database is one person's libgraph on their own machine (it listens on
/// 127.0.0.1, and SQLite is not the store for serving others): the only client is its user,
/// whose playground, scripts and notebooks should never be told to slow down by their own
/// server. PostgreSQL is the store of a server others reach, where one client in a tight loop
/// would otherwise take the capacity everyone shares, and a limit that is on unless turned off
/// protects the operator who never read about it. The cost of that default falls on a server
/// behind reverse proxies that did not say so (`--trusted-proxies`): its clients share one
/// budget. That shows at once, as `RATE_LIMITED` in the log and the metrics and a warning
/// naming the flag, and is fixed with it; a limit that was off would show only in an incident.
fn rate_limit(args: &ServeArgs, embedded: bool) -> Option<RateLimit> {
    let per_second = match args.rate_limit {
        Some(per_second) => std::num::NonZeroU32::new(per_second)?,
        None if embedded => return None,
        None => RateLimit::DEFAULT_PER_SECOND,
    };
    let burst = args.rate_limit_burst.and_then(std::num::NonZeroU32::new);
    Some(RateLimit::new(per_second, burst).behind_proxies(args.trusted_proxies))
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

fn seed_documents(args: &SeedArgs) -> anyhow::Result<Vec<(String, seeds::Document)>> {
    let documents = match &args.dir {
        Some(dir) => seeds::read_dir(dir),
        None => seeds::curated(),
    };
    Ok(documents.map_err(seeds::LoadError::Invalid)?)
}

async fn seed(db: &DatabaseConnection, args: &SeedArgs) -> anyhow::Result<()> {
    let documents = seed_documents(args)?;
    let report = seeds::load(db, &documents).await?;
    say!(
        "loaded {} source(s), {} record(s) ({} new), {} citation(s), {} alias(es), {} identifier(s); computed {} collaboration tie(s)",
        report.sources,
        report.records.values().sum::<usize>(),
        report.created,
        report.citations,
        report.aliases,
        report.identifiers,
        report.ties
    )
}

/// `seed --check`: validates the files, then checks them against the database they would be
/// loaded into (references to records already there, slugs taken by another kind), writing
/// nothing. With no embedded database yet, `seed` would create an empty one and load into it,
/// so that is what the files are checked against: an empty database in memory, through the same
/// checks, where a reference to a record the files do not hold is an error as it would be then.
/// Nothing is created on disk.
async fn check_seeds(database: &DatabaseArgs, args: &SeedArgs) -> anyhow::Result<()> {
    let documents = seed_documents(args)?;
    let dataset = seeds::validate::build(&documents).map_err(seeds::LoadError::Invalid)?;
    let against = match database.existing_config() {
        Some(_) => {
            seeds::write::check(&read_only(database).await?, &dataset).await?;
            String::new()
        }
        None => {
            let empty = connect(&DbConfig {
                url: "sqlite::memory:".into(),
                max_connections: 1,
            })
            .await?;
            store::migrate(&empty).await?;
            seeds::write::check(&empty, &dataset).await?;
            format!(
                " (no database in {} yet: checked as a load into a new one)",
                database.data_dir.display()
            )
        }
    };
    say!(
        "{} document(s), {} record(s), {} citation(s): valid{against}",
        documents.len(),
        dataset.records.len(),
        dataset.citations.len()
    )
}

async fn generate(db: &DatabaseConnection, args: &GenerateArgs) -> anyhow::Result<()> {
    if !args.force && !store::is_empty(db).await? {
        anyhow::bail!(
            "the database already holds records (the curated graph, or a graph generated before): \
             generate would mix synthetic organizations into them. Generate into an empty database \
             (another --data-dir or DATABASE_URL), or pass --force to add them anyway"
        );
    }
    let started = std::time::Instant::now();
    let generated = seeds::generate::generate(args.size, args.seed);
    let documents = seeds::generate::with_curated(generated).map_err(seeds::LoadError::Invalid)?;
    let built = started.elapsed();
    let report = seeds::load(db, &documents).await?;
    let seconds = started.elapsed().as_secs_f64();
    // Rows written from the documents; the ties are derived, and reported on their own.
    let rows = report.records.values().sum::<usize>()
        + report.citations
        + report.aliases
        + report.identifiers;
    say!(
        "generated size {:?} (seed {}) in {:.1} s, loaded in {:.1} s: {} record(s) ({} new), {} citation(s), {} collaboration tie(s), {} row(s) in all, {:.0} rows/s",
        args.size,
        args.seed,
        built.as_secs_f64(),
        seconds - built.as_secs_f64(),
        report.records.values().sum::<usize>(),
        report.created,
        report.citations,
        report.ties,
        rows,
        rows as f64 / (seconds - built.as_secs_f64()).max(1e-9)
    )
}

/// What a `token` command prints: `out` to stdout (what it did or found; a new token alone on its
/// line, so that a script can take it), `note` to stderr (about a new token, for the person).
#[derive(Debug, Default)]
pub struct TokenReport {
    pub out: String,
    pub note: String,
}

/// `libgraph token …` on `db` (migrated): its own function, apart from [`run`]'s choice of
/// database and logs, so that tests run the command as typed.
pub async fn token(db: &DatabaseConnection, command: &TokenCommand) -> anyhow::Result<TokenReport> {
    use crate::store::token;
    let now = token::now();
    match command {
        TokenCommand::Create(args) => {
            let expires_at = args
                .expires_in
                .map(|days| now + chrono::TimeDelta::days(i64::from(days)));
            let new = token::NewToken {
                name: args.name.clone(),
                role: args.role,
                expires_at,
                created_by: None,
            };
            let (model, secret) = token::create(db, new, now)
                .await
                .map_err(|error| anyhow::anyhow!(error.message()))?;
            tracing::info!(token = %model.name, role = %model.role, "token created on the command line");
            let expiry = match model.expires_at {
                Some(at) => format!("expires {}", at.to_rfc3339()),
                None => "never expires".to_owned(),
            };
            Ok(TokenReport {
                out: format!("{}\n", secret.expose()),
                note: format!(
                    "created {} token \"{}\" ({expiry}). It is printed once, above: the server \
                     keeps only its hash. Send it as the header `Authorization: Bearer <token>`.",
                    model.role, model.name
                ),
            })
        }
        TokenCommand::List => {
            let mut out = format!(
                "{:<24} {:<7} {:<25} {:<25} {:<33} {}\n",
                "name", "role", "created", "expires", "state", "last used"
            );
            let time = |t: Option<chrono::DateTime<chrono::Utc>>, none: &str| {
                t.map_or(none.to_owned(), |t| t.to_rfc3339())
            };
            for model in token::list(db)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?
            {
                let state = match model.revoked_at {
                    Some(at) => format!("revoked {}", at.to_rfc3339()),
                    None if !token::works_at(&model, now) => "expired".to_owned(),
                    None => "active".to_owned(),
                };
                out.push_str(&format!(
                    "{:<24} {:<7} {:<25} {:<25} {:<33} {}\n",
                    model.name,
                    model.role.as_str(),
                    model.created_at.to_rfc3339(),
                    time(model.expires_at, "never"),
                    state,
                    time(model.last_used_at, "never"),
                ));
            }
            Ok(TokenReport {
                out,
                note: String::new(),
            })
        }
        TokenCommand::Revoke { name } => {
            let store = |e: crate::store::StoreError| anyhow::anyhow!(e.message());
            let Some(found) = token::by_name(db, name).await.map_err(store)? else {
                anyhow::bail!(
                    "there is no token named \"{name}\" (`libgraph token list` lists them)"
                );
            };
            let said = match found.revoked_at {
                Some(at) => format!(
                    "token \"{}\" was revoked already, at {}",
                    found.name,
                    at.to_rfc3339()
                ),
                None => {
                    token::revoke(db, found.api_token_id, now)
                        .await
                        .map_err(store)?;
                    tracing::info!(token = %found.name, "token revoked on the command line");
                    format!(
                        "revoked token \"{}\": it authorizes nothing from now on",
                        found.name
                    )
                }
            };
            Ok(TokenReport {
                out: format!("{said}\n"),
                note: String::new(),
            })
        }
    }
}

/// Refuses to export into a directory that holds anything, unless `--force`: an export mixed with
/// older files would load as neither.
fn refuse_occupied(args: &ExportArgs) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(&args.dir) {
        Ok(entries) => entries.count(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(error).with_context(|| format!("--dir {}", args.dir.display()));
        }
    };
    if entries > 0 && !args.force {
        anyhow::bail!(
            "--dir {} is not empty ({entries} entries): an export there would mix with what it \
             holds. Name a new or empty directory, or pass --force to write into it (files of \
             the same name are replaced)",
            args.dir.display()
        );
    }
    Ok(())
}

/// `export`: the graph written out in `args.format`, into `args.dir`. Public so that the tests
/// run the command as typed, on a database of their own.
pub async fn export(
    db: &DatabaseConnection,
    args: &ExportArgs,
) -> anyhow::Result<seeds::export::ExportReport> {
    refuse_occupied(args)?;
    match args.format {
        ExportFormat::Seed => {
            if !args.network.pairs().is_empty() || args.max_memberships.is_some() {
                anyhow::bail!(
                    "the seed format writes the whole graph: the network options apply to \
                     --format gexf, graphml and csv"
                );
            }
            Ok(seeds::export::write_dir(db, &args.dir).await?)
        }
        other => anyhow::bail!("--format {other:?} writes files of its own: see `export_files`"),
    }
}

/// A file an export wrote.
#[derive(Debug)]
pub struct WrittenFile {
    pub path: std::path::PathBuf,
    pub bytes: u64,
}

/// `export` in the formats other tools read (gexf, graphml, csv, jsonld): each file written
/// as it is produced, a chunk at a time ([`crate::export`]), never held whole. The network is the
/// one `collaborationNetwork` answers for the same filter and limit, computed without the
/// public endpoint's bound on memberships unless `--max-memberships` sets one: with the API's
/// 150,000, `--format csv` at size L (about a million memberships) was refused `TOO_BROAD` before
/// it wrote a single table, though the tables need no network. The csv format writes the tables
/// first. Public so that the tests run the command as typed.
pub async fn export_files(
    db: &DatabaseConnection,
    args: &ExportArgs,
) -> anyhow::Result<Vec<WrittenFile>> {
    use crate::export::{NetworkQuery, Out, network::DrawnNetwork, tables};

    refuse_occupied(args)?;
    let pairs = args.network.pairs();
    let query = NetworkQuery::from_pairs(&pairs, &[])
        .map_err(|e| anyhow::anyhow!("{} (option --{})", e.message(), error_field(&e)))?;
    if args.format == ExportFormat::Jsonld && (!pairs.is_empty() || args.max_memberships.is_some())
    {
        anyhow::bail!(
            "the jsonld format writes the whole graph: the network options apply to \
             --format gexf, graphml and csv"
        );
    }
    std::fs::create_dir_all(&args.dir).with_context(|| format!("--dir {}", args.dir.display()))?;
    let open = |name: &str| -> anyhow::Result<(std::path::PathBuf, Out)> {
        let path = args.dir.join(name);
        let file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok((path, Out::writer(file)))
    };
    let done = |path: std::path::PathBuf| -> anyhow::Result<WrittenFile> {
        let bytes = std::fs::metadata(&path)?.len();
        Ok(WrittenFile { path, bytes })
    };
    let failed = |e: crate::export::ExportError| anyhow::anyhow!("{e}");
    let mut written = Vec::new();
    let max_memberships = args.max_memberships.unwrap_or(usize::MAX);
    let network = || async {
        let cache = crate::store::collaboration::NetworkCache::new(0);
        DrawnNetwork::read(db, &cache, &query, max_memberships)
            .await
            .map_err(|e| match e {
                store::StoreError::TooBroad { .. } => anyhow::anyhow!(
                    "{} (TOO_BROAD: --max-memberships {max_memberships})",
                    e.message()
                ),
                _ => anyhow::anyhow!("{}", e.message()),
            })
    };
    match args.format {
        ExportFormat::Seed => anyhow::bail!("--format seed is `export`'s"),
        ExportFormat::Gexf | ExportFormat::Graphml => {
            let drawn = network().await?;
            let (name, gexf) = match args.format {
                ExportFormat::Gexf => ("network.gexf", true),
                _ => ("network.graphml", false),
            };
            let (path, mut out) = open(name)?;
            if gexf {
                drawn.write_gexf(&mut out).await.map_err(failed)?;
            } else {
                drawn.write_graphml(&mut out).await.map_err(failed)?;
            }
            out.finish().await.map_err(failed)?;
            written.push(done(path)?);
        }
        ExportFormat::Csv => {
            // The tables first: they are the whole graph whatever the network's filter, and
            // need no network computed.
            for table in tables::TABLES {
                let (path, mut out) = open(&format!("{table}.csv"))?;
                tables::write_table(db, table, &mut out)
                    .await
                    .unwrap_or(Ok(()))
                    .map_err(failed)?;
                out.finish().await.map_err(failed)?;
                written.push(done(path)?);
            }
            let drawn = network().await.with_context(|| {
                format!(
                    "the {} tables are written; nodes.csv and edges.csv are not",
                    tables::TABLES.len()
                )
            })?;
            let (path, mut out) = open("nodes.csv")?;
            drawn.write_nodes_csv(&mut out).await.map_err(failed)?;
            out.finish().await.map_err(failed)?;
            written.push(done(path)?);
            let (path, mut out) = open("edges.csv")?;
            drawn.write_edges_csv(&mut out).await.map_err(failed)?;
            out.finish().await.map_err(failed)?;
            written.push(done(path)?);
        }
        ExportFormat::Jsonld => {
            let (path, mut out) = open("graph.jsonld")?;
            crate::export::jsonld::write(db, &mut out)
                .await
                .map_err(failed)?;
            out.finish().await.map_err(failed)?;
            written.push(done(path)?);
        }
    }
    Ok(written)
}

/// The parameter a store error names, for the option it came from.
fn error_field(error: &store::StoreError) -> &str {
    match error {
        store::StoreError::Invalid { field, .. } | store::StoreError::TooBroad { field, .. } => {
            field
        }
        _ => "?",
    }
}

async fn print_summary(db: &DatabaseConnection) -> anyhow::Result<()> {
    for (what, count) in store::summary(db).await? {
        say!("{what:<24} {count:>8}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(args: &str, embedded: bool) -> Option<RateLimit> {
        let cli = Cli::try_from_args(std::iter::once("libgraph").chain(args.split_whitespace()))
            .expect("valid arguments");
        rate_limit(cli.serve_args().expect("serve"), embedded)
    }

    fn per_address(args: &str) -> Option<usize> {
        let cli = Cli::try_from_args(std::iter::once("libgraph").chain(args.split_whitespace()))
            .expect("valid arguments");
        connection_limits(cli.serve_args().expect("serve"))
            .max_connections_per_address
            .map(std::num::NonZeroUsize::get)
    }

    #[test]
    fn an_address_may_hold_half_the_connections_unless_set_or_behind_proxies() {
        let by_default = per_address("--max-connections 100");
        let set = per_address("--max-connections 100 --max-connections-per-address 10");
        let turned_off = per_address("--max-connections-per-address 0");
        let behind_a_proxy = per_address("--trusted-proxies 1");
        let set_behind_a_proxy =
            per_address("--max-connections-per-address 10 --trusted-proxies 1");

        assert_eq!(by_default, Some(50));
        assert_eq!(set, Some(10));
        assert_eq!(turned_off, None);
        assert_eq!(behind_a_proxy, None);
        assert_eq!(
            set_behind_a_proxy, None,
            "every connection comes from the proxy"
        );
    }

    #[test]
    fn the_rate_limit_is_off_on_the_embedded_database_and_on_elsewhere_unless_set() {
        let embedded = limit("", true);
        let postgres = limit("", false);
        let turned_on = limit("--rate-limit 5 --rate-limit-burst 7", true);
        let turned_off = limit("--rate-limit 0", false);
        let behind_two = limit("--trusted-proxies 2", false);

        assert_eq!(embedded, None);
        assert_eq!(
            postgres.map(|l| (l.per_second.get(), l.burst.get(), l.trusted_proxies)),
            Some((50, 100, 0))
        );
        assert_eq!(
            turned_on.map(|l| (l.per_second.get(), l.burst.get())),
            Some((5, 7))
        );
        assert_eq!(turned_off, None);
        assert_eq!(behind_two.map(|l| l.trusted_proxies), Some(2));
    }
}
