//! Connecting to the store: the embedded SQLite file by default, PostgreSQL by URL.
//!
//! SQLite gets what a server workload needs: WAL (readers never wait for the writer), a busy
//! timeout instead of immediate "database is locked" errors, and foreign keys enforced (SQLite
//! leaves them off unless asked).

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct DbConfig {
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Most connections the pool opens.
    pub max_connections: u32,
}

/// The embedded database file in `data_dir`.
pub fn embedded_file(data_dir: &Path) -> PathBuf {
    data_dir.join("libgraph.db")
}

/// The URL of the embedded database file in `data_dir`, creating the directory.
pub fn embedded_url(data_dir: &Path) -> std::io::Result<String> {
    std::fs::create_dir_all(data_dir)?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        embedded_file(data_dir).display()
    ))
}

/// The URL of the embedded database in `data_dir` if there is one, for commands that only
/// read: opening it creates neither the directory nor the file (`mode=rw`, not `rwc`). Not
/// `mode=ro`: the connection options set WAL mode, and even a WAL database's readers write its
/// `-shm` index, so a read-only open can fail where reading would not.
pub fn existing_embedded_url(data_dir: &Path) -> Option<String> {
    let file = embedded_file(data_dir);
    file.is_file()
        .then(|| format!("sqlite://{}?mode=rw", file.display()))
}

/// Opens a connection pool.
pub async fn connect(config: &DbConfig) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .max_connections(config.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // sqlx applies the options above per connection; check the one that matters most.
        use sea_orm::{ConnectionTrait, Statement};
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_keys",
            ))
            .await?;
        let on: i32 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
        if on != 1 {
            return Err(DbErr::Custom(
                "SQLite foreign keys could not be enabled".into(),
            ));
        }
    }
    Ok(db)
}
