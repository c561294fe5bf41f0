//! The `libgraph` binary: parses the command line and runs the command ([`libgraph::command`]).

use std::process::ExitCode;

use libgraph::cli::Cli;
use libgraph::command::{self, ReaderGone};

/// mimalloc instead of glibc's allocator: a nested query allocates and frees hundreds of
/// thousands of small values (GraphQL values, rows, strings) across worker threads, and glibc's
/// malloc, free and consolidation took a fifth of its CPU time (`perf`, size-M nested query).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match command::run(Cli::from_command_line()).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of stdout stopped reading: a Unix filter ends quietly then.
        Err(error) if error.is::<ReaderGone>() => ExitCode::SUCCESS,
        Err(error) => {
            // What `main` returning `anyhow::Result` would print.
            eprintln!("Error: {error:?}");
            ExitCode::FAILURE
        }
    }
}
