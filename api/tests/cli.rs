//! The `libgraph` binary as a user runs it: commands that only read, `generate` beside the curated
//! graph, output into a closed pipe, and what goes to the log.
//!
//! These run the real executable (`CARGO_BIN_EXE_libgraph`), which cargo builds only for the
//! tests of its own package: that is why they live here and not in the workspace's `tests/`
//! binary, whose tests talk to a server over HTTP. Each test has data directories of its own.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary, with nothing of the caller's environment that would change which database it uses
/// or how it logs.
fn libgraph(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_libgraph"));
    for variable in [
        "DATABASE_URL",
        "LIBGRAPH_DATA_DIR",
        "LIBGRAPH_LOG",
        "NO_COLOR",
    ] {
        command.env_remove(variable);
    }
    command.arg("--data-dir").arg(data_dir);
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("libgraph runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn summary_and_seed_check_create_no_database() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");

    let summary = run(libgraph(&data).arg("summary"));
    let check = run(libgraph(&data).args(["seed", "--check"]));

    assert!(!summary.status.success(), "summary without a database");
    assert!(
        text(&summary.stderr).contains("there is no database in"),
        "{}",
        text(&summary.stderr)
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains("valid (no database in"),
        "{}",
        text(&check.stdout)
    );
    assert!(!data.exists(), "a command that only reads created {data:?}");
}

#[test]
fn generate_refuses_a_database_that_holds_the_curated_graph() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    let seeded = run(libgraph(&data).arg("seed"));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let before = run(libgraph(&data).arg("summary"));

    let generated = run(libgraph(&data).args(["generate", "--size", "S"]));
    let after = run(libgraph(&data).arg("summary"));

    assert!(
        !generated.status.success(),
        "generate into the curated graph"
    );
    assert!(
        text(&generated.stderr).contains("already holds records")
            && text(&generated.stderr).contains("--force"),
        "{}",
        text(&generated.stderr)
    );
    assert!(before.status.success() && after.status.success());
    assert_eq!(
        text(&before.stdout),
        text(&after.stdout),
        "nothing was written"
    );
}

#[test]
fn output_into_a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    assert!(run(libgraph(&data).arg("seed")).status.success());

    for command in [
        vec!["export-schema"],
        vec!["summary"],
        vec!["seed", "--check"],
    ] {
        // The reading end is closed before the command writes anything: every write fails with
        // EPIPE, as it does for the rest of `export-schema | head -1`'s output.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let output = run(libgraph(&data)
            .args(&command)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped()));

        assert!(
            output.status.success(),
            "{command:?} into a closed pipe: {:?} {}",
            output.status,
            text(&output.stderr)
        );
        assert!(
            !text(&output.stderr).contains("panicked"),
            "{command:?}: {}",
            text(&output.stderr)
        );
    }
}

#[test]
fn a_new_database_reports_its_migrations_in_one_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");

    let output = run(libgraph(&data).arg("seed"));

    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stderr}");
    let migrations = <migration::Migrator as migration::MigratorTrait>::migrations().len();
    assert!(
        stdout.contains(&format!("applied {migrations} migration(s)")),
        "{stdout}"
    );
    assert!(
        !stderr.contains("sea_orm_migration") && !stderr.contains("Applying migration"),
        "the migrator's own lines: {stderr}"
    );
}

#[test]
fn logs_into_a_file_have_no_colour_codes() {
    let dir = tempfile::tempdir().expect("a temporary directory");

    // The migrator's lines, asked for, so that there is something to colour.
    let output = run(libgraph(&dir.path().join("data")).args([
        "--log-level",
        "info,sea_orm_migration=info",
        "seed",
    ]));

    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("Applying migration"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a log file: {stderr:?}"
    );
}
