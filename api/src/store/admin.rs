//! Operations on a whole database: migrate, seed, summarise. Each says what it did.

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QuerySelect, TransactionTrait,
};

use entities::*;

/// Applies pending migrations; returns how many were applied. Then fills derived data the
/// migrations cannot: the collaboration ties of a database loaded before their table existed
/// (computed in Rust, see `seeds::ties`), in one transaction, so an interrupted fill is redone
/// on the next start.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    let txn = db.begin().await?;
    let ties = seeds::ties::rebuild_if_missing(&txn).await?;
    txn.commit().await?;
    if ties > 0 {
        tracing::info!(
            ties,
            "computed the collaboration ties of the loaded participations"
        );
    }
    Ok(pending)
}

/// How many migrations are not applied yet. Reads the migration table directly: sea-orm's own
/// check first creates that table if it is missing, which is a write, and PostgreSQL logs a notice
/// each time — too much for a readiness probe called every few seconds.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, DbErr> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await;
    let applied: std::collections::HashSet<String> = match rows {
        Ok(rows) => rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "version").ok())
            .collect(),
        // No migration table: nothing is applied.
        Err(DbErr::Query(_)) | Err(DbErr::Exec(_)) => Default::default(),
        Err(other) => return Err(other),
    };
    Ok(Migrator::migrations()
        .iter()
        .filter(|m| !applied.contains(m.name()))
        .count())
}

/// Whether the database holds no records yet.
///
/// Asks for one row, not a count: counting the 2.2 million records of a size-L database read the
/// whole table, 40 s on a cold disk before a restarted embedded server could listen (one row:
/// 17 ms).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(record::Entity::find()
        .select_only()
        .column(record::Column::RecordId)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_none())
}

/// Row counts of every table, entity tables first, then relations, provenance and the ties
/// computed from participations.
pub async fn summary(db: &DatabaseConnection) -> Result<Vec<(&'static str, u64)>, DbErr> {
    Ok(vec![
        (
            "organizations",
            organization::Entity::find().count(db).await?,
        ),
        (
            "  of which libraries",
            library::Entity::find().count(db).await?,
        ),
        ("places", place::Entity::find().count(db).await?),
        ("programmes", programme::Entity::find().count(db).await?),
        ("projects", project::Entity::find().count(db).await?),
        ("events", event::Entity::find().count(db).await?),
        ("outcomes", outcome::Entity::find().count(db).await?),
        ("people", person::Entity::find().count(db).await?),
        ("topics", topic::Entity::find().count(db).await?),
        (
            "target groups",
            target_group::Entity::find().count(db).await?,
        ),
        (
            "participations",
            participation::Entity::find().count(db).await?,
        ),
        ("fundings", funding::Entity::find().count(db).await?),
        (
            "organization relations",
            organization_relation::Entity::find().count(db).await?,
        ),
        ("positions", position::Entity::find().count(db).await?),
        (
            "classifications",
            classification::Entity::find().count(db).await?,
        ),
        ("audiences", audience::Entity::find().count(db).await?),
        ("aliases", alias::Entity::find().count(db).await?),
        ("identifiers", identifier::Entity::find().count(db).await?),
        ("sources", source::Entity::find().count(db).await?),
        (
            "  of which with stored text",
            source_text::Entity::find().count(db).await?,
        ),
        ("citations", citation::Entity::find().count(db).await?),
        (
            "collaboration ties",
            collaboration::Entity::find().count(db).await?,
        ),
    ])
}

/// The stored text of the source `slug`: `None` when there is no such source, `Some(None)` when
/// it has no stored copy.
pub async fn source_text(
    db: &DatabaseConnection,
    slug: &str,
) -> Result<Option<Option<String>>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let Some(source_id) = source::Entity::find()
        .select_only()
        .column(source::Column::SourceId)
        .filter(source::Column::Slug.eq(slug))
        .into_tuple::<i64>()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(
        source_text::Entity::find_by_id(source_id)
            .one(db)
            .await?
            .map(|t| t.text),
    ))
}
