//! The `libgraph` binary: parse options, set up logging, run the command.

use anyhow::Context;
use clap::Parser;
use libgraph::cli::{Cli, Command, GenerateArgs, LogFormat, SeedArgs, ServeArgs};
use libgraph::graphql::Limits;
use libgraph::graphql::admission::AdmissionLimits;
use libgraph::startup::{Application, ServerConfig};
use libgraph::{db, store};
use sea_orm::DatabaseConnection;

/// mimalloc instead of glibc's allocator: a nested query allocates and frees hundreds of
/// thousands of small values (GraphQL values, rows, strings) across worker threads, and glibc's
/// malloc, free and consolidation took a fifth of its CPU time (`perf`, size-M nested query).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log_level).context("--log-level")?;
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    if let Some(Command::ExportSchema) = cli.command {
        print!("{}", libgraph::graphql::sdl());
        return Ok(());
    }
    let config = cli
        .database
        .config()
        .context("preparing the data directory")?;
    let db = db::connect(&config)
        .await
        .context("connecting to the database")?;
    let embedded = cli.database.is_embedded();
    match cli.command {
        None => serve(db, &ServeArgs::default(), embedded).await?,
        Some(Command::Serve(args)) => serve(db, &args, embedded).await?,
        Some(Command::ExportSchema) => {}
        Some(Command::Migrate) => {
            let applied = store::migrate(&db).await?;
            println!("applied {applied} migration(s)");
        }
        Some(Command::Seed(args)) => {
            ensure_schema(&db, embedded, "run `libgraph migrate` first").await?;
            seed(&db, &args).await?
        }
        Some(Command::Summary) => {
            ensure_schema(&db, embedded, "run `libgraph migrate` first").await?;
            print_summary(&db).await?
        }
        Some(Command::Generate(args)) => {
            ensure_schema(&db, embedded, "run `libgraph migrate` first").await?;
            generate(&db, &args).await?
        }
    }
    Ok(())
}

/// Applies pending migrations when `migrate` (always for the embedded database, which any
/// command migrates on first use); otherwise refuses a database with pending migrations, with
/// `advice` on how to apply them. A PostgreSQL database is only migrated when asked.
async fn ensure_schema(db: &DatabaseConnection, migrate: bool, advice: &str) -> anyhow::Result<()> {
    if migrate {
        let applied = store::migrate(db).await?;
        if applied > 0 {
            println!("applied {applied} migration(s)");
        }
    } else if store::pending_migrations(db).await? > 0 {
        anyhow::bail!("the database has pending migrations: {advice}");
    }
    Ok(())
}

async fn serve(db: DatabaseConnection, args: &ServeArgs, embedded: bool) -> anyhow::Result<()> {
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
    let config = ServerConfig {
        bind: args.bind,
        limits: Limits {
            max_depth: args.max_depth,
            max_complexity: args.max_complexity,
            admission: AdmissionLimits {
                max_cost_in_flight: usize::try_from(args.max_cost_in_flight).unwrap_or(usize::MAX),
                wait: std::time::Duration::from_secs(args.admission_wait),
                ..AdmissionLimits::default()
            },
            ..Limits::default()
        },
        max_body_bytes: args.max_body_bytes,
        shutdown_timeout: std::time::Duration::from_secs(args.shutdown_timeout),
        cors_origins: args.cors_origins.clone(),
    };
    let app = Application::build(&config, db)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let address = app.local_addr()?;
    println!("libgraph is serving GraphQL at http://{address}/graphql");
    println!("playground: http://{address}/playground");
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
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

async fn seed(db: &DatabaseConnection, args: &SeedArgs) -> anyhow::Result<()> {
    let documents = match &args.dir {
        Some(dir) => seeds::read_dir(dir),
        None => seeds::curated(),
    };
    let documents = documents.map_err(seeds::LoadError::Invalid)?;
    if args.check {
        let dataset = seeds::validate::build(&documents).map_err(seeds::LoadError::Invalid)?;
        seeds::write::check(db, &dataset).await?;
        println!(
            "{} document(s), {} record(s), {} citation(s): valid",
            documents.len(),
            dataset.records.len(),
            dataset.citations.len()
        );
        return Ok(());
    }
    let report = seeds::load(db, &documents).await?;
    println!(
        "loaded {} source(s), {} record(s) ({} new), {} citation(s), {} alias(es), {} identifier(s); computed {} collaboration tie(s)",
        report.sources,
        report.records.values().sum::<usize>(),
        report.created,
        report.citations,
        report.aliases,
        report.identifiers,
        report.ties
    );
    Ok(())
}

async fn generate(db: &DatabaseConnection, args: &GenerateArgs) -> anyhow::Result<()> {
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
    println!(
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
    );
    Ok(())
}

async fn print_summary(db: &DatabaseConnection) -> anyhow::Result<()> {
    use std::io::Write as _;
    // Written, not `println!`ed: a reader that stops early (`| head`) is an error, not a panic.
    let mut out = std::io::stdout().lock();
    for (what, count) in store::summary(db).await? {
        writeln!(out, "{what:<24} {count:>8}")?;
    }
    Ok(())
}
