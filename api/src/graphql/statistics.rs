//! Dashboard statistics: counts and sums grouped in the database, one statement per figure, only
//! for the figures a query selects.

use async_graphql::{Context, Object, SimpleObject};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::object::value::Money;
use crate::store::error::StoreError;

/// A count under a key.
#[derive(SimpleObject, Clone, Debug)]
pub struct Count {
    /// What is counted, depending on the list: an ISO 3166-1 alpha-2 country code or `unknown`, an
    /// organization kind in lowercase (`public_authority`), an SDG number, a slug or a year.
    pub key: String,
    /// A readable label for the key, where there is one (the SDG's, programme's or funder's name);
    /// null otherwise.
    pub label: Option<String>,
    /// How many there are under `key`.
    pub count: i64,
}

/// A funder's total in one currency.
#[derive(SimpleObject, Clone, Debug)]
pub struct FundingTotal {
    /// The funder's slug.
    pub funder: String,
    /// The funder's name as the source writes it.
    pub funder_name: String,
    /// The sum of its stated amounts in one currency.
    pub total: Money,
    /// How many fundings with a stated amount the total sums.
    pub fundings: i64,
}

/// Counts for dashboards.
pub struct Statistics;

async fn counts(ctx: &Context<'_>, sql: &str) -> async_graphql::Result<Vec<Count>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .map_err(StoreError::from)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let key: Option<String> = row.try_get("", "key").map_err(StoreError::from)?;
        out.push(Count {
            key: key.unwrap_or_else(|| "unknown".into()),
            label: row.try_get("", "label").map_err(StoreError::from)?,
            count: row.try_get("", "n").map_err(StoreError::from)?,
        });
    }
    Ok(out)
}

/// Counts for dashboards.
#[Object]
impl Statistics {
    /// Organizations per country (key: ISO 3166-1 alpha-2 code, or `unknown` when no place or
    /// country is recorded); most first.
    async fn organizations_by_country(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Count>> {
        counts(
            ctx,
            "SELECT pl.country_code AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM organization o \
             LEFT JOIN place pl ON pl.place_id = o.place_id GROUP BY pl.country_code ORDER BY n DESC, key",
        )
        .await
    }
    /// Libraries per country (key: ISO 3166-1 alpha-2 code, or `unknown` when no place or country
    /// is recorded): the organizations of kind `LIBRARY`, the ones `libraries` lists, so each count
    /// is that list's `totalCount` filtered by the country; most first.
    async fn libraries_by_country(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(
            ctx,
            "SELECT pl.country_code AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM organization o \
             LEFT JOIN place pl ON pl.place_id = o.place_id WHERE o.kind = 'library' \
             GROUP BY pl.country_code ORDER BY n DESC, COALESCE(pl.country_code, 'unknown')",
        )
        .await
    }
    /// Organizations per kind (key: the kind in lowercase, `public_authority`, not the enum name);
    /// most first.
    async fn organizations_by_kind(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, "SELECT kind AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM organization GROUP BY kind ORDER BY n DESC, key").await
    }
    /// Records classified under each SDG, every SDG listed even at 0 (key: the goal's number,
    /// label: its name); most first, ties by key as text.
    async fn records_by_sdg(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(
            ctx,
            "SELECT t.code AS key, t.name AS label, COUNT(c.classification_id) AS n FROM topic t \
             LEFT JOIN classification c ON c.topic_id = t.topic_id WHERE t.kind = 'sdg' \
             GROUP BY t.code, t.name ORDER BY n DESC, key",
        )
        .await
    }
    /// Projects and events run directly under each programme (not its sub-programmes; key:
    /// programme slug, label: its name); programmes with none are left out; most first.
    async fn activities_by_programme(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Count>> {
        counts(
            ctx,
            "SELECT pr.slug AS key, pr.name AS label, COUNT(a.id) AS n FROM programme pr \
             JOIN (SELECT programme_id, project_id AS id FROM project UNION ALL SELECT programme_id, event_id FROM event) a \
             ON a.programme_id = pr.programme_id GROUP BY pr.slug, pr.name ORDER BY n DESC, key",
        )
        .await
    }
    /// Fundings per funder, with or without an amount (key: funder slug, label: its name); most
    /// first.
    async fn fundings_by_funder(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(
            ctx,
            "SELECT o.slug AS key, o.name AS label, COUNT(*) AS n FROM funding f \
             JOIN organization o ON o.organization_id = f.funder_id GROUP BY o.slug, o.name ORDER BY n DESC, key",
        )
        .await
    }
    /// Projects, programmes and events per first year, `period.yearFrom` (key: the year; undated
    /// ones are not counted); earliest year first.
    async fn activities_by_year(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(
            ctx,
            "SELECT CAST(year_from AS TEXT) AS key, CAST(NULL AS TEXT) AS label, COUNT(*) AS n FROM \
             (SELECT year_from FROM project UNION ALL SELECT year_from FROM programme UNION ALL SELECT year_from FROM event) a \
             WHERE year_from IS NOT NULL GROUP BY year_from ORDER BY year_from",
        )
        .await
    }
    /// Funded amounts per funder and currency, largest total first in minor units whatever the
    /// currency (fundings without an amount are left out).
    async fn funding_totals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FundingTotal>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let sql = "SELECT o.slug AS funder, o.name AS funder_name, f.currency AS currency, \
                   CAST(SUM(f.amount_minor) AS BIGINT) AS total, COUNT(*) AS n FROM funding f \
                   JOIN organization o ON o.organization_id = f.funder_id \
                   WHERE f.amount_minor IS NOT NULL AND f.currency IS NOT NULL \
                   GROUP BY o.slug, o.name, f.currency ORDER BY total DESC, funder, currency";
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .map_err(StoreError::from)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let currency: String = row.try_get("", "currency").map_err(StoreError::from)?;
            out.push(FundingTotal {
                funder: row.try_get("", "funder").map_err(StoreError::from)?,
                funder_name: row.try_get("", "funder_name").map_err(StoreError::from)?,
                total: Money::new(
                    row.try_get("", "total").map_err(StoreError::from)?,
                    &currency,
                ),
                fundings: row.try_get("", "n").map_err(StoreError::from)?,
            });
        }
        Ok(out)
    }
}
