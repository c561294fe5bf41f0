//! The `libgraph` binary: parse options, set up logging, run the command.

use anyhow::Context;
use clap::Parser;
use libgraph::cli::{Cli, Command, SeedArgs};
use libgraph::{db, store};
use sea_orm::DatabaseConnection;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log_level).context("--log-level")?,
        )
        .with_writer(std::io::stderr)
        .init();
    let config = cli
        .database
        .config()
        .context("preparing the data directory")?;
    let db = db::connect(&config)
        .await
        .context("connecting to the database")?;
    match cli.command {
        Some(Command::Migrate) => {
            let applied = store::migrate(&db).await?;
            println!("applied {applied} migration(s)");
        }
        Some(Command::Seed(args)) => seed(&db, &args).await?,
        Some(Command::Summary) => print_summary(&db).await?,
        None => {
            let applied = store::migrate(&db).await?;
            println!("applied {applied} migration(s)");
            seed(
                &db,
                &SeedArgs {
                    dir: None,
                    check: false,
                },
            )
            .await?;
            print_summary(&db).await?;
        }
    }
    Ok(())
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
        "loaded {} source(s), {} record(s) ({} new), {} citation(s), {} alias(es), {} identifier(s)",
        report.sources,
        report.records.values().sum::<usize>(),
        report.created,
        report.citations,
        report.aliases,
        report.identifiers
    );
    Ok(())
}

async fn print_summary(db: &DatabaseConnection) -> anyhow::Result<()> {
    for (what, count) in store::summary(db).await? {
        println!("{what:<24} {count:>8}");
    }
    Ok(())
}
