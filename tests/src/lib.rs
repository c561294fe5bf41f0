//! Test support: a fresh database per test, on the backend the run was asked for.
//!
//! `LIBGRAPH_TEST_BACKEND=postgres` runs every test against a throwaway PostgreSQL cluster that
//! this process starts itself ([`postgres::PgCluster`]); each test gets its own database in it.
//! Anything else (the default) gives each test its own SQLite file in a temporary directory.

pub mod app;
// Starting and stopping throwaway PostgreSQL clusters needs libc's process calls.
#[allow(unsafe_code)]
pub mod postgres;

use libgraph::store::connect::{self, DbConfig};
use sea_orm::DatabaseConnection;

/// Which store the tests run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backend selected by `LIBGRAPH_TEST_BACKEND`.
pub fn backend() -> Backend {
    match std::env::var("LIBGRAPH_TEST_BACKEND").as_deref() {
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// Whether a test of the SQLite run that also needs PostgreSQL may run: true when the
/// PostgreSQL server binaries are found. The README's `cargo test --workspace` must pass on a
/// machine without PostgreSQL, so there such a test is skipped with a printed reason; CI sets
/// `LIBGRAPH_REQUIRE_POSTGRES=1`, which makes a missing PostgreSQL a failure, so these tests
/// never skip silently there.
pub fn postgres_available(test: &str) -> bool {
    match postgres::server_binaries() {
        Ok(_) => true,
        Err(missing) if std::env::var("LIBGRAPH_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
            panic!("{test} needs PostgreSQL, which LIBGRAPH_REQUIRE_POSTGRES=1 requires: {missing}")
        }
        Err(missing) => {
            // Straight to the process's stderr: the test harness captures `eprintln!` of a test
            // that passes, and a skip nobody sees is a silent one.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipping {test}: it needs PostgreSQL and {missing} \
                 (set LIBGRAPH_REQUIRE_POSTGRES=1 to make this a failure)"
            );
            false
        }
    }
}

/// A database of a test's own, deleted with it.
pub struct TestDb {
    pub url: String,
    pub db: DatabaseConnection,
    /// Keeps the SQLite file's directory alive as long as the test needs it.
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Another connection pool to the same database (a second server instance).
    pub async fn reconnect(&self) -> TestDb {
        let db = connect::connect(&DbConfig {
            url: self.url.clone(),
            max_connections: 5,
        })
        .await
        .expect("connect");
        TestDb {
            url: self.url.clone(),
            db,
            _dir: None,
        }
    }

    /// A migrated, seeded database on a connection URL of the caller's.
    pub async fn seeded_at(url: &str) -> TestDb {
        let db = connect::connect(&DbConfig {
            url: url.to_owned(),
            max_connections: 5,
        })
        .await
        .expect("connect");
        libgraph::store::migrate(&db).await.expect("migrate");
        let documents = seeds::curated().expect("curated seeds parse");
        seeds::load(&db, &documents)
            .await
            .expect("curated seeds load");
        TestDb {
            url: url.to_owned(),
            db,
            _dir: None,
        }
    }

    /// An empty database, not migrated, on the backend the run was asked for.
    pub async fn empty() -> TestDb {
        TestDb::empty_on(backend()).await
    }

    /// A seeded database on a given backend, whatever the run's default.
    pub async fn seeded_on(backend: Backend) -> TestDb {
        let test = TestDb::empty_on(backend).await;
        libgraph::store::migrate(&test.db).await.expect("migrate");
        let documents = seeds::curated().expect("curated seeds parse");
        seeds::load(&test.db, &documents)
            .await
            .expect("curated seeds load");
        test
    }

    /// An empty database, not migrated, on `backend`.
    pub async fn empty_on(backend: Backend) -> TestDb {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new()
                    .prefix("libgraph-test-")
                    .tempdir()
                    .expect("temp dir");
                (
                    connect::embedded_url(dir.path()).expect("data dir"),
                    Some(dir),
                )
            }
            Backend::Postgres => (postgres::PgCluster::shared().create_database(), None),
        };
        let db = connect::connect(&DbConfig {
            url: url.clone(),
            max_connections: 5,
        })
        .await
        .expect("connect");
        TestDb { url, db, _dir: dir }
    }

    /// A migrated, empty database.
    pub async fn migrated() -> TestDb {
        let test = TestDb::empty().await;
        libgraph::store::migrate(&test.db).await.expect("migrate");
        test
    }

    /// A migrated database holding the curated seeds.
    pub async fn seeded() -> TestDb {
        let test = TestDb::migrated().await;
        let documents = seeds::curated().expect("curated seeds parse");
        seeds::load(&test.db, &documents)
            .await
            .expect("curated seeds load");
        test
    }

    /// A migrated database holding generated size-S data (about 1,000 organizations) and the
    /// curated seeds.
    pub async fn generated() -> TestDb {
        TestDb::generated_on(backend()).await
    }

    /// [`TestDb::generated`] on a given backend, whatever the run's default: a copy of a
    /// template loaded once per test process.
    ///
    /// Ten tests ask for it, and loading it through the seed loader took each about 10 s of a
    /// debug build (22,600 rows at 1,800 to 2,500 rows a second on the loaded 2-core machine),
    /// on each store: over three minutes of CI. A copy is a file copy on SQLite and `CREATE
    /// DATABASE … TEMPLATE` on PostgreSQL, well under a second.
    pub async fn generated_on(backend: Backend) -> TestDb {
        let template = match backend {
            Backend::Sqlite => &GENERATED_SQLITE,
            Backend::Postgres => &GENERATED_POSTGRES,
        };
        let template = template
            .get_or_init(|| async move { Template::load(backend).await })
            .await;
        let (url, dir) = match template {
            Template::Sqlite(template_dir) => {
                let dir = tempfile::Builder::new()
                    .prefix("libgraph-test-")
                    .tempdir()
                    .expect("temp dir");
                let url = connect::embedded_url(dir.path()).expect("data dir");
                std::fs::copy(
                    connect::embedded_file(template_dir),
                    connect::embedded_file(dir.path()),
                )
                .expect("copying the generated template");
                (url, Some(dir))
            }
            Template::Postgres(name) => (
                postgres::PgCluster::shared().create_database_from(name),
                None,
            ),
        };
        let db = connect::connect(&DbConfig {
            url: url.clone(),
            max_connections: 5,
        })
        .await
        .expect("connect");
        TestDb { url, db, _dir: dir }
    }
}

/// The generated graph of [`TestDb::generated_on`], per store, loaded by the first test that
/// asks for it.
static GENERATED_SQLITE: tokio::sync::OnceCell<Template> = tokio::sync::OnceCell::const_new();
static GENERATED_POSTGRES: tokio::sync::OnceCell<Template> = tokio::sync::OnceCell::const_new();

/// A loaded database that tests copy, with no connection left open to it.
enum Template {
    /// The data directory of the embedded file: kept for the process's life and removed by the
    /// next process that finds it orphaned.
    Sqlite(std::path::PathBuf),
    /// A database of the shared cluster.
    Postgres(String),
}

impl Template {
    async fn load(backend: Backend) -> Template {
        let test = TestDb::empty_on(backend).await;
        libgraph::store::migrate(&test.db).await.expect("migrate");
        seeds::load(&test.db, &generated_documents())
            .await
            .expect("generated data loads");
        match backend {
            Backend::Sqlite => {
                use sea_orm::ConnectionTrait;
                // Everything into the main file, so that copying that file copies it all.
                test.db
                    .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                    .await
                    .expect("checkpoint");
                test.db.close().await.expect("close");
                remove_orphaned_templates();
                let kept =
                    std::env::temp_dir().join(format!("libgraph-template-{}", std::process::id()));
                let _ = std::fs::remove_dir_all(&kept);
                std::fs::create_dir_all(&kept).expect("template dir");
                let from = test._dir.as_ref().expect("a SQLite test has its dir");
                std::fs::copy(
                    connect::embedded_file(from.path()),
                    connect::embedded_file(&kept),
                )
                .expect("keeping the template");
                Template::Sqlite(kept)
            }
            Backend::Postgres => {
                let name = test.url.rsplit('/').next().expect("a name").to_owned();
                test.db.close().await.expect("close");
                Template::Postgres(name)
            }
        }
    }
}

/// Removes the SQLite templates of test processes that have ended.
fn remove_orphaned_templates() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("libgraph-template-"))
        else {
            continue;
        };
        if !std::path::Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The documents [`TestDb::generated`] loads: generated size S (seed 1) after the curated seeds.
pub fn generated_documents() -> Vec<(String, seeds::Document)> {
    seeds::generate::with_curated(seeds::generate::generate(seeds::generate::Size::S, 1))
        .expect("generated documents")
}

/// The stored copies of the source documents, shipped in the repository; a seed file's
/// `document = "../documents/…"` is relative to [`seed_data_dir`].
pub fn seed_documents_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds/documents")
}

/// The curated seed files of the repository.
pub fn seed_data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds/data")
}

/// `body` without its `extensions.cost` (and without `extensions` when nothing else is left):
/// for comparing the answers of two queries that differ in what they cost, such as a query and
/// the same one with `__typename` added to every selection.
pub fn without_cost(mut body: serde_json::Value) -> serde_json::Value {
    if let Some(object) = body.as_object_mut()
        && let Some(extensions) = object
            .get_mut("extensions")
            .and_then(serde_json::Value::as_object_mut)
    {
        extensions.remove("cost");
        if extensions.is_empty() {
            object.remove("extensions");
        }
    }
    body
}

/// `query` with `typename` put first in every selection set (a `{` after a field, argument
/// list, type condition or fragment name; never an input object's, which follows `:`, `[` or
/// `,`).
pub fn with_typename_in_every_selection(query: &str, typename: &str) -> String {
    let mut out = String::with_capacity(query.len() * 2);
    for c in query.chars() {
        out.push(c);
        if c == '{' {
            let before = out[..out.len() - 1].trim_end().chars().last();
            if before.is_some_and(|b| b.is_alphanumeric() || b == '_' || b == ')') {
                out.push(' ');
                out.push_str(typename);
                out.push(' ');
            }
        }
    }
    out
}

/// `{ ...F0 }` where each of `levels` fragments spreads the next `spreads` times: 1 KB of text
/// that selects `spreads^levels` fields once expanded.
pub fn fragment_bomb(levels: usize, spreads: usize, leaf: &str) -> String {
    let mut query = String::from("query { ...F0 }");
    for level in 0..levels {
        query.push_str(&format!(" fragment F{level} on Query {{"));
        for _ in 0..spreads {
            query.push_str(&format!(" ...F{}", level + 1));
        }
        query.push_str(" }");
    }
    query.push_str(&format!(" fragment F{levels} on Query {{ {leaf} }}"));
    query
}
