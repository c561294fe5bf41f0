//! Dashboard statistics: counts and sums grouped in the database, one statement per figure.
//!
//! Each statement is built from the entities' tables and columns (the `*_select` functions,
//! whose SQL a test pins for both stores), so a renamed column is a compile error here rather
//! than a figure that fails at run time.

use entities::aliased::Aliased;
use entities::{
    OrganizationKind, TopicKind, classification, event, funding, organization, place, programme,
    project, topic,
};
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, Func, Iden, Order, Query, SelectStatement, UnionType, Value,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DeriveIden, JoinType};

use super::error::{StoreError, StoreResult};

/// The tables of the statements here under their aliases.
const O: Aliased<organization::Entity> = Aliased::new("o");
const PL: Aliased<place::Entity> = Aliased::new("pl");
const T: Aliased<topic::Entity> = Aliased::new("t");
const C: Aliased<classification::Entity> = Aliased::new("c");
const PR: Aliased<programme::Entity> = Aliased::new("pr");
const F: Aliased<funding::Entity> = Aliased::new("f");

/// The key of a count whose grouped value is missing (an organization without a country).
const UNKNOWN: &str = "unknown";

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

/// The columns of a statement of [`Tally`] rows.
#[derive(Clone, Copy, Debug, DeriveIden)]
enum TallyColumn {
    Key,
    Label,
    N,
}

/// The columns of [`funding_totals_select`].
#[derive(Clone, Copy, Debug, DeriveIden)]
enum TotalColumn {
    Funder,
    FunderName,
    Currency,
    Total,
    N,
}

/// The activities of a programme or a year, its tables' rows in one derived table `a`; its
/// columns are named as its first branch (the projects') names them, and `id`.
#[derive(Clone, Copy, Debug, DeriveIden)]
enum Activity {
    #[sea_orm(iden = "a")]
    Alias,
    Id,
}

/// `text` written into the statement as an SQL literal, not bound: the statements have always
/// compared and sorted with constants.
fn literal(text: &'static str) -> Expr {
    Expr::Constant(Value::from(text))
}

/// `CAST(NULL AS TEXT)`: a `label` column of text on both stores, for the counts without one.
fn no_label() -> Expr {
    Func::cast_as(Expr::null(), "TEXT").into()
}

/// `COUNT(*)`.
fn count_all() -> Expr {
    Func::count(Expr::col(Asterisk)).into()
}

/// Runs a statement of `key`, `label` and `n` columns.
async fn tallies(db: &DatabaseConnection, select: &SelectStatement) -> StoreResult<Vec<Tally>> {
    let _turn = crate::store::share::turn().await;
    let rows = db.query_all(select).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let key: Option<String> = row
            .try_get("", TallyColumn::Key.unquoted())
            .map_err(StoreError::from)?;
        out.push(Tally {
            key: key.unwrap_or_else(|| UNKNOWN.into()),
            label: row
                .try_get("", TallyColumn::Label.unquoted())
                .map_err(StoreError::from)?,
            count: row
                .try_get("", TallyColumn::N.unquoted())
                .map_err(StoreError::from)?,
        });
    }
    Ok(out)
}

/// Orders tallies by count, largest first, then by key.
fn by_count_then_key(select: &mut SelectStatement) -> &mut SelectStatement {
    select
        .order_by(TallyColumn::N, Order::Desc)
        .order_by(TallyColumn::Key, Order::Asc)
}

/// `organizations_by_country` of the schema's `Statistics`.
pub async fn organizations_by_country(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(db, &organizations_by_country_select()).await
}

fn organizations_by_country_select() -> SelectStatement {
    let mut select = by_country();
    by_count_then_key(&mut select);
    select
}

/// Organizations with their places' countries, counted per country.
fn by_country() -> SelectStatement {
    Query::select()
        .expr_as(PL.col(place::Column::CountryCode), TallyColumn::Key)
        .expr_as(no_label(), TallyColumn::Label)
        .expr_as(count_all(), TallyColumn::N)
        .from_as(O.table(), O)
        .join_as(
            JoinType::LeftJoin,
            PL.table(),
            PL,
            PL.col(place::Column::PlaceId)
                .eq(O.col(organization::Column::PlaceId)),
        )
        .add_group_by([PL.col(place::Column::CountryCode)])
        .to_owned()
}

/// `libraries_by_country` of the schema's `Statistics`.
pub async fn libraries_by_country(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(db, &libraries_by_country_select()).await
}

fn libraries_by_country_select() -> SelectStatement {
    by_country()
        .and_where(
            O.col(organization::Column::Kind)
                .eq(literal(OrganizationKind::Library.as_str())),
        )
        .order_by(TallyColumn::N, Order::Desc)
        .order_by_expr(
            Func::coalesce([PL.col(place::Column::CountryCode), literal(UNKNOWN)]).into(),
            Order::Asc,
        )
        .to_owned()
}

/// `organizations_by_kind` of the schema's `Statistics`.
pub async fn organizations_by_kind(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(db, &organizations_by_kind_select()).await
}

fn organizations_by_kind_select() -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(Expr::col(organization::Column::Kind), TallyColumn::Key)
        .expr_as(no_label(), TallyColumn::Label)
        .expr_as(count_all(), TallyColumn::N)
        .from(organization::Entity)
        .group_by_col(organization::Column::Kind);
    by_count_then_key(&mut select);
    select
}

/// `records_by_sdg` of the schema's `Statistics`.
pub async fn records_by_sdg(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(db, &records_by_sdg_select()).await
}

fn records_by_sdg_select() -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(T.col(topic::Column::Code), TallyColumn::Key)
        .expr_as(T.col(topic::Column::Name), TallyColumn::Label)
        .expr_as(
            Func::count(C.col(classification::Column::ClassificationId)),
            TallyColumn::N,
        )
        .from_as(T.table(), T)
        .join_as(
            JoinType::LeftJoin,
            C.table(),
            C,
            C.col(classification::Column::TopicId)
                .eq(T.col(topic::Column::TopicId)),
        )
        .and_where(
            T.col(topic::Column::Kind)
                .eq(literal(TopicKind::Sdg.as_str())),
        )
        .add_group_by([T.col(topic::Column::Code), T.col(topic::Column::Name)]);
    by_count_then_key(&mut select);
    select
}

/// `activities_by_programme` of the schema's `Statistics`.
pub async fn activities_by_programme(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(db, &activities_by_programme_select()).await
}

fn activities_by_programme_select() -> SelectStatement {
    let activities = Query::select()
        .column(project::Column::ProgrammeId)
        .expr_as(Expr::col(project::Column::ProjectId), Activity::Id)
        .from(project::Entity)
        .union(
            UnionType::All,
            Query::select()
                .columns([event::Column::ProgrammeId, event::Column::EventId])
                .from(event::Entity)
                .to_owned(),
        )
        .to_owned();
    let mut select = Query::select();
    select
        .expr_as(PR.col(programme::Column::Slug), TallyColumn::Key)
        .expr_as(PR.col(programme::Column::Name), TallyColumn::Label)
        .expr_as(
            Func::count(Expr::col((Activity::Alias, Activity::Id))),
            TallyColumn::N,
        )
        .from_as(PR.table(), PR)
        .join_subquery(
            JoinType::Join,
            activities,
            Activity::Alias,
            Expr::col((Activity::Alias, project::Column::ProgrammeId))
                .eq(PR.col(programme::Column::ProgrammeId)),
        )
        .add_group_by([
            PR.col(programme::Column::Slug),
            PR.col(programme::Column::Name),
        ]);
    by_count_then_key(&mut select);
    select
}

/// `fundings_by_funder` of the schema's `Statistics`.
pub async fn fundings_by_funder(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(db, &fundings_by_funder_select()).await
}

fn fundings_by_funder_select() -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(O.col(organization::Column::Slug), TallyColumn::Key)
        .expr_as(O.col(organization::Column::Name), TallyColumn::Label)
        .expr_as(count_all(), TallyColumn::N)
        .from_as(F.table(), F)
        .join_as(
            JoinType::Join,
            O.table(),
            O,
            O.col(organization::Column::OrganizationId)
                .eq(F.col(funding::Column::FunderId)),
        )
        .add_group_by([
            O.col(organization::Column::Slug),
            O.col(organization::Column::Name),
        ]);
    by_count_then_key(&mut select);
    select
}

/// `activities_by_year` of the schema's `Statistics`.
pub async fn activities_by_year(db: &DatabaseConnection) -> StoreResult<Vec<Tally>> {
    tallies(db, &activities_by_year_select()).await
}

fn activities_by_year_select() -> SelectStatement {
    let years = Query::select()
        .column(project::Column::YearFrom)
        .from(project::Entity)
        .union(
            UnionType::All,
            Query::select()
                .column(programme::Column::YearFrom)
                .from(programme::Entity)
                .to_owned(),
        )
        .union(
            UnionType::All,
            Query::select()
                .column(event::Column::YearFrom)
                .from(event::Entity)
                .to_owned(),
        )
        .to_owned();
    Query::select()
        .expr_as(
            Func::cast_as(Expr::col(project::Column::YearFrom), "TEXT"),
            TallyColumn::Key,
        )
        .expr_as(no_label(), TallyColumn::Label)
        .expr_as(count_all(), TallyColumn::N)
        .from_subquery(years, Activity::Alias)
        .and_where(Expr::col(project::Column::YearFrom).is_not_null())
        .group_by_col(project::Column::YearFrom)
        .order_by(project::Column::YearFrom, Order::Asc)
        .to_owned()
}

/// Funded amounts per funder and currency, largest total first in minor units whatever the
/// currency; fundings without an amount are left out.
pub async fn funding_totals(db: &DatabaseConnection) -> StoreResult<Vec<FunderSum>> {
    let _turn = crate::store::share::turn().await;
    let rows = db.query_all(&funding_totals_select()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(FunderSum {
            funder: row
                .try_get("", TotalColumn::Funder.unquoted())
                .map_err(StoreError::from)?,
            funder_name: row
                .try_get("", TotalColumn::FunderName.unquoted())
                .map_err(StoreError::from)?,
            currency: row
                .try_get("", TotalColumn::Currency.unquoted())
                .map_err(StoreError::from)?,
            total_minor: row
                .try_get("", TotalColumn::Total.unquoted())
                .map_err(StoreError::from)?,
            fundings: row
                .try_get("", TotalColumn::N.unquoted())
                .map_err(StoreError::from)?,
        });
    }
    Ok(out)
}

fn funding_totals_select() -> SelectStatement {
    Query::select()
        .expr_as(O.col(organization::Column::Slug), TotalColumn::Funder)
        .expr_as(O.col(organization::Column::Name), TotalColumn::FunderName)
        .expr_as(F.col(funding::Column::Currency), TotalColumn::Currency)
        // PostgreSQL sums BIGINT into NUMERIC; the CAST keeps both stores at BIGINT.
        .expr_as(
            Func::cast_as(Func::sum(F.col(funding::Column::AmountMinor)), "BIGINT"),
            TotalColumn::Total,
        )
        .expr_as(count_all(), TotalColumn::N)
        .from_as(F.table(), F)
        .join_as(
            JoinType::Join,
            O.table(),
            O,
            O.col(organization::Column::OrganizationId)
                .eq(F.col(funding::Column::FunderId)),
        )
        .and_where(F.col(funding::Column::AmountMinor).is_not_null())
        .and_where(F.col(funding::Column::Currency).is_not_null())
        .add_group_by([
            O.col(organization::Column::Slug),
            O.col(organization::Column::Name),
            F.col(funding::Column::Currency),
        ])
        .order_by(TotalColumn::Total, Order::Desc)
        .order_by(TotalColumn::Funder, Order::Asc)
        .order_by(TotalColumn::Currency, Order::Asc)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    use super::*;

    /// `statement` as PostgreSQL and SQLite get it, checking that it binds nothing: the
    /// statements have always been constant text.
    fn sql(statement: &SelectStatement) -> [String; 2] {
        let (pg, pg_values) = statement.build(PostgresQueryBuilder);
        let (lite, lite_values) = statement.build(SqliteQueryBuilder);
        assert!(pg_values.0.is_empty() && lite_values.0.is_empty());
        [pg, lite]
    }

    /// Pins a statement both stores get as the same text.
    fn pin(statement: SelectStatement, expected: &str) {
        assert_eq!(sql(&statement), [expected, expected]);
    }

    const BY_COUNTRY: &str = concat!(
        r#"SELECT "pl"."country_code" AS "key", CAST(NULL AS TEXT) AS "label", COUNT(*) AS "n""#,
        r#" FROM "organization" AS "o" LEFT JOIN "place" AS "pl" ON "pl"."place_id" = "o"."place_id""#,
    );

    #[test]
    fn counts_are_pinned() {
        pin(
            organizations_by_country_select(),
            &format!(r#"{BY_COUNTRY} GROUP BY "pl"."country_code" ORDER BY "n" DESC, "key" ASC"#),
        );
        pin(
            libraries_by_country_select(),
            &format!(
                concat!(
                    r#"{} WHERE "o"."kind" = 'library' GROUP BY "pl"."country_code""#,
                    r#" ORDER BY "n" DESC, COALESCE("pl"."country_code", 'unknown') ASC"#,
                ),
                BY_COUNTRY
            ),
        );
        pin(
            organizations_by_kind_select(),
            concat!(
                r#"SELECT "kind" AS "key", CAST(NULL AS TEXT) AS "label", COUNT(*) AS "n""#,
                r#" FROM "organization" GROUP BY "kind" ORDER BY "n" DESC, "key" ASC"#,
            ),
        );
        pin(
            records_by_sdg_select(),
            concat!(
                r#"SELECT "t"."code" AS "key", "t"."name" AS "label", COUNT("c"."classification_id") AS "n""#,
                r#" FROM "topic" AS "t" LEFT JOIN "classification" AS "c" ON "c"."topic_id" = "t"."topic_id""#,
                r#" WHERE "t"."kind" = 'sdg' GROUP BY "t"."code", "t"."name" ORDER BY "n" DESC, "key" ASC"#,
            ),
        );
        pin(
            fundings_by_funder_select(),
            concat!(
                r#"SELECT "o"."slug" AS "key", "o"."name" AS "label", COUNT(*) AS "n""#,
                r#" FROM "funding" AS "f" JOIN "organization" AS "o" ON "o"."organization_id" = "f"."funder_id""#,
                r#" GROUP BY "o"."slug", "o"."name" ORDER BY "n" DESC, "key" ASC"#,
            ),
        );
        pin(
            funding_totals_select(),
            concat!(
                r#"SELECT "o"."slug" AS "funder", "o"."name" AS "funder_name", "f"."currency" AS "currency", "#,
                r#"CAST(SUM("f"."amount_minor") AS BIGINT) AS "total", COUNT(*) AS "n""#,
                r#" FROM "funding" AS "f" JOIN "organization" AS "o" ON "o"."organization_id" = "f"."funder_id""#,
                r#" WHERE "f"."amount_minor" IS NOT NULL AND "f"."currency" IS NOT NULL"#,
                r#" GROUP BY "o"."slug", "o"."name", "f"."currency""#,
                r#" ORDER BY "total" DESC, "funder" ASC, "currency" ASC"#,
            ),
        );
    }

    /// PostgreSQL gets each further branch of a `UNION ALL` in parentheses, SQLite (which
    /// refuses them) bare.
    #[test]
    fn counts_over_every_activity_table_are_pinned() {
        let by_programme = |event: &str| {
            format!(
                concat!(
                    r#"SELECT "pr"."slug" AS "key", "pr"."name" AS "label", COUNT("a"."id") AS "n""#,
                    r#" FROM "programme" AS "pr" JOIN (SELECT "programme_id", "project_id" AS "id""#,
                    r#" FROM "project" UNION ALL {}) AS "a" ON "a"."programme_id" = "pr"."programme_id""#,
                    r#" GROUP BY "pr"."slug", "pr"."name" ORDER BY "n" DESC, "key" ASC"#,
                ),
                event
            )
        };
        let events = r#"SELECT "programme_id", "event_id" FROM "event""#;
        assert_eq!(
            sql(&activities_by_programme_select()),
            [by_programme(&format!("({events})")), by_programme(events)]
        );
        let by_year = |programmes: &str, events: &str| {
            format!(
                concat!(
                    r#"SELECT CAST("year_from" AS TEXT) AS "key", CAST(NULL AS TEXT) AS "label", COUNT(*) AS "n""#,
                    r#" FROM (SELECT "year_from" FROM "project" UNION ALL {} UNION ALL {}) AS "a""#,
                    r#" WHERE "year_from" IS NOT NULL GROUP BY "year_from" ORDER BY "year_from" ASC"#,
                ),
                programmes, events
            )
        };
        let programmes = r#"SELECT "year_from" FROM "programme""#;
        let events = r#"SELECT "year_from" FROM "event""#;
        assert_eq!(
            sql(&activities_by_year_select()),
            [
                by_year(&format!("({programmes})"), &format!("({events})")),
                by_year(programmes, events)
            ]
        );
    }
}
