//! Dashboard statistics: counts and sums grouped in the database, one statement per figure.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::error::{StoreError, StoreResult};

/// A count under a key.
#[derive(Clone, Debug)]
pub struct Tally {
    /// What is counted (a country code, a kind, an SDG number, a slug, a year); `unknown` where
    /// the grouped value is missing.
    pub key: String,
    /// A readable label for the key, where there is one.
    pub label: Option<String>,
    /// How many there are under `key`.
    pub count: i64,
}

/// A funder's total in one currency.
#[derive(Clone, Debug)]
pub struct FunderSum {
    /// The funder's slug.
    pub funder: String,
    /// The funder's name as the source writes it.
    pub funder_name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The sum of its stated amounts, in minor units.
    pub total_minor: i64,
    /// How many fundings with a stated amount the total sums.
    pub fundings: i64,
}

/// Runs a statement of `key`, `label` and `n` columns.
async fn tallies(db: &DatabaseConnection, sql: &str) -> StoreResult<Vec<Tally>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let key: Option<String> = row.try_get("", "key").map_err(StoreError::from)?;
        out.push(Tally {
            key: key.unwrap_or_else(|| "unknown".into()),
            label: row.try_get("", "label").map_err(StoreError::from)?,
            count: row.try_get("", "n").map_err(StoreError::from)?,
        });
    }
    Ok(out)
}

/// `organizations_by_country` of the schema's `Statistics`.
pub async fn organizations_by_country(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(
        db,
        "SELECT pl.country_code AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM organization o \
             LEFT JOIN place pl ON pl.place_id = o.place_id GROUP BY pl.country_code ORDER BY n DESC, key",
    )
    .await
}

/// `libraries_by_country` of the schema's `Statistics`.
pub async fn libraries_by_country(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(
        db,
        "SELECT pl.country_code AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM organization o \
             LEFT JOIN place pl ON pl.place_id = o.place_id WHERE o.kind = 'library' \
             GROUP BY pl.country_code ORDER BY n DESC, COALESCE(pl.country_code, 'unknown')",
    )
    .await
}

/// `organizations_by_kind` of the schema's `Statistics`.
pub async fn organizations_by_kind(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(
        db,
        "SELECT kind AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM organization GROUP BY kind ORDER BY n DESC, key",
    )
    .await
}

/// `records_by_sdg` of the schema's `Statistics`.
pub async fn records_by_sdg(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(
        db,
        "SELECT t.code AS key, t.name AS label, COUNT(c.classification_id) AS n FROM topic t \
             LEFT JOIN classification c ON c.topic_id = t.topic_id WHERE t.kind = 'sdg' \
             GROUP BY t.code, t.name ORDER BY n DESC, key",
    )
    .await
}

/// `activities_by_programme` of the schema's `Statistics`.
pub async fn activities_by_programme(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(
        db,
        "SELECT pr.slug AS key, pr.name AS label, COUNT(a.id) AS n FROM programme pr \
             JOIN (SELECT programme_id, project_id AS id FROM project UNION ALL SELECT programme_id, event_id FROM event) a \
             ON a.programme_id = pr.programme_id GROUP BY pr.slug, pr.name ORDER BY n DESC, key",
    )
    .await
}

/// `fundings_by_funder` of the schema's `Statistics`.
pub async fn fundings_by_funder(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(
        db,
        "SELECT o.slug AS key, o.name AS label, COUNT(*) AS n FROM funding f \
             JOIN organization o ON o.organization_id = f.funder_id GROUP BY o.slug, o.name ORDER BY n DESC, key",
    )
    .await
}

/// `activities_by_year` of the schema's `Statistics`.
pub async fn activities_by_year(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(
        db,
        "SELECT CAST(year_from AS TEXT) AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM \
             (SELECT year_from FROM project UNION ALL SELECT year_from FROM programme UNION ALL SELECT year_from FROM event) a \
             WHERE year_from IS NOT NULL GROUP BY year_from ORDER BY year_from",
    )
    .await
}

/// Funded amounts per funder and currency, largest total first in minor units whatever the
/// currency; fundings without an amount are left out.
pub async fn funding_totals(db: &DatabaseConnection) -> StoreResult<Vec<FunderSum>> {
    let sql = "SELECT o.slug AS funder, o.name AS funder_name, f.currency AS currency, \
                   CAST(SUM(f.amount_minor) AS BIGINT) AS total, COUNT(*) AS n FROM funding f \
                   JOIN organization o ON o.organization_id = f.funder_id \
                   WHERE f.amount_minor IS NOT NULL AND f.currency IS NOT NULL \
                   GROUP BY o.slug, o.name, f.currency ORDER BY total DESC, funder, currency";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(FunderSum {
            funder: row.try_get("", "funder").map_err(StoreError::from)?,
            funder_name: row.try_get("", "funder_name").map_err(StoreError::from)?,
            currency: row.try_get("", "currency").map_err(StoreError::from)?,
            total_minor: row.try_get("", "total").map_err(StoreError::from)?,
            fundings: row.try_get("", "n").map_err(StoreError::from)?,
        });
    }
    Ok(out)
}
