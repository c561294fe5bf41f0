//! Schema migrations: schema only, never data (the seeds are loaded by the `seeds` crate).
//!
//! Migrations are forward-only and written with sea-query's builder, so SQLite and PostgreSQL get
//! the same tables, keys and indexes from one definition. Running them twice is a no-op: sea-orm
//! records applied migrations in `seaql_migrations`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_graph;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261122_000001_create_graph::Migration)]
    }
}
