//! The `libgraph` binary as a user runs it: commands that only read, `generate` beside the curated
//! graph, `export` and loading what it wrote, output into a closed pipe, and what goes to the log.
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
fn export_writes_seed_files_that_seed_check_accepts_and_refuses_a_directory_in_use() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    let out = dir.path().join("export");
    let export = |data: &Path| {
        run(libgraph(data)
            .args(["export", "--format", "seed", "--dir"])
            .arg(&out))
    };
    let without_database = export(&data);
    let seeded = run(libgraph(&data).arg("seed"));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));

    let exported = export(&data);
    let again = export(&data);
    let check = run(libgraph(&dir.path().join("none"))
        .args(["seed", "--check", "--dir"])
        .arg(out.join("data")));

    assert!(!without_database.status.success());
    assert!(
        text(&without_database.stderr).contains("there is no database in"),
        "{}",
        text(&without_database.stderr)
    );
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert!(
        text(&exported.stdout).starts_with("exported 6 source(s) to "),
        "{}",
        text(&exported.stdout)
    );
    assert!(out.join("data/frsi-what-we-do.toml").is_file());
    assert!(out.join("documents/frsi-what-we-do.txt").is_file());
    assert!(
        !again.status.success(),
        "a second export into the same directory"
    );
    assert!(
        text(&again.stderr).contains("is not empty") && text(&again.stderr).contains("--force"),
        "{}",
        text(&again.stderr)
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains("6 document(s), 283 record(s)"),
        "{}",
        text(&check.stdout)
    );
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

/// Every line a request causes carries its id, a failing request's error included: the database
/// error a resolver logs is written inside the request's span, which names the id the client sent.
/// Also with `--log-level warn`, where the span must not need a more verbose level than the error.
#[test]
fn the_log_lines_of_a_failing_request_carry_its_id() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    assert!(run(libgraph(&data).arg("seed")).status.success());
    // A table the `topics` field reads, gone from under the server: its statement fails.
    sql(
        &libgraph::store::connect::embedded_file(&data),
        "ALTER TABLE topic RENAME TO topic_gone",
    );

    for level in ["info", "warn"] {
        let mut server = libgraph(&data)
            .args(["--log-format", "json", "--log-level", level])
            .args(["serve", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("libgraph serve starts");
        let address = serving_address(&mut server);
        let id = format!("broken-{level}");

        let answer = post(
            &address,
            &id,
            r#"{"query":"{ topics(first: 1) { totalCount } }"}"#,
        );
        let _ = server.kill();
        let output = server.wait_with_output().expect("the server's logs");

        assert!(answer.contains("INTERNAL_SERVER_ERROR"), "{answer}");
        let lines: Vec<serde_json::Value> = text(&output.stderr)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        let error = lines
            .iter()
            .find(|line| line["message"] == "database error")
            .unwrap_or_else(|| panic!("{level}: no database error logged: {lines:#?}"));
        assert_eq!(error["level"], "ERROR");
        assert_eq!(error["span"]["request_id"], id.as_str(), "{level}: {error}");
        let request = lines
            .iter()
            .find(|line| line["message"] == "graphql request");
        if level == "info" {
            let request = request.unwrap_or_else(|| panic!("no request line: {lines:#?}"));
            assert_eq!(request["request_id"], id.as_str(), "{request}");
            assert_eq!(request["outcome"], "error", "{request}");
            assert_eq!(request["span"]["request_id"], id.as_str(), "{request}");
        } else {
            assert!(request.is_none(), "an info line at warn: {request:?}");
        }
    }
}

/// Runs `statement` on the SQLite database in `file`.
fn sql(file: &Path, statement: &str) {
    use sea_orm::ConnectionTrait;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}?mode=rw", file.display());
        let db = sea_orm::Database::connect(url).await.expect("the database");
        db.execute_unprepared(statement).await.expect(statement);
        db.close().await.expect("closing the database");
    });
}

/// The `host:port` a starting `libgraph serve` reports on stdout.
fn serving_address(server: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stdout = server.stdout.take().expect("piped stdout");
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("a line of stdout");
        if let Some(url) = line.strip_prefix("libgraph is serving GraphQL at http://") {
            return url.trim_end_matches("/graphql").to_owned();
        }
    }
    let _ = server.kill();
    panic!("the server did not start");
}

/// POSTs `body` to `/graphql` at `address` with the request id `id`; the whole HTTP answer.
fn post(address: &str, id: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("a connection");
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         x-request-id: {id}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("the request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("the answer");
    answer
}
