//! Reads for the exports ([`crate::export`]): what a network's nodes and edges are drawn with
//! beyond the network itself (names, kinds, countries, the years of a tie), and whole tables
//! read row by row.
//!
//! The network is never computed here a second time: the exports take it from
//! [`super::collaboration::network`], exactly as `collaborationNetwork` does, and only ask this
//! module about the at most `limit` (≤ 1,000) organizations it kept. Tables are streamed: a
//! caller sees one row at a time, and what it holds is its own business.

use std::collections::HashMap;

use entities::{collaboration, organization, place};
use futures_util::{Stream, StreamExt};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, IdenStatic, Iterable, JoinType,
    PrimaryKeyToColumn, QueryOrder, StreamTrait,
};
use seeds::ties::alias::{O, PL};

use super::error::{StoreError, StoreResult};
use super::sql::id_in;

/// What an export says about one organization of a network.
#[derive(Clone, Debug, Default)]
pub struct NodeFacts {
    pub slug: String,
    /// In the original language.
    pub name: String,
    pub name_en: Option<String>,
    /// The organization kind, as stored (`library`, `ngo`, …).
    pub kind: String,
    /// ISO 3166-1 alpha-2 code of its place, when it has one.
    pub country: Option<String>,
}

/// The facts of `organizations` (a network's nodes), one statement.
pub async fn node_facts(
    db: &DatabaseConnection,
    organizations: &[i64],
) -> StoreResult<HashMap<i64, NodeFacts>> {
    use organization::Column as C;
    let select = Query::select()
        .expr_as(O.col(C::OrganizationId), C::OrganizationId)
        .expr_as(O.col(C::Slug), C::Slug)
        .expr_as(O.col(C::Name), C::Name)
        .expr_as(O.col(C::NameEn), C::NameEn)
        .expr_as(O.col(C::Kind), C::Kind)
        .expr_as(
            PL.col(place::Column::CountryCode),
            place::Column::CountryCode,
        )
        .from_as(O.table(), O)
        .join_as(
            JoinType::LeftJoin,
            PL.table(),
            PL,
            PL.col(place::Column::PlaceId).eq(O.col(C::PlaceId)),
        )
        .cond_where(id_in(
            db.get_database_backend(),
            O.col(C::OrganizationId),
            organizations,
        ))
        .to_owned();
    let mut facts = HashMap::with_capacity(organizations.len());
    let _turn = super::share::turn().await;
    for row in db.query_all(&select).await? {
        facts.insert(
            row.try_get::<i64>("", C::OrganizationId.as_str())?,
            NodeFacts {
                slug: row.try_get("", C::Slug.as_str())?,
                name: row.try_get("", C::Name.as_str())?,
                name_en: row.try_get("", C::NameEn.as_str())?,
                kind: row.try_get("", C::Kind.as_str())?,
                country: row.try_get("", place::Column::CountryCode.as_str())?,
            },
        );
    }
    Ok(facts)
}

/// The first and last year of the stored tie of each pair in `pairs` (`source < target`, as a
/// network's edges are): the years of everything the two share in the whole graph, as
/// `Organization.collaborators` gives them. A network drawn without a `period` reads no years
/// (`collaboration::network_select` leaves the activities' tables out for speed), so the stored
/// ties, kept for every pair, are where an edge's years come from. One statement over the
/// network's organizations (at most `limit` of them); pairs outside `pairs` are dropped as they
/// arrive.
pub async fn tie_years(
    db: &DatabaseConnection,
    organizations: &[i64],
    pairs: &std::collections::HashSet<(i64, i64)>,
) -> StoreResult<HashMap<(i64, i64), (Option<i32>, Option<i32>)>> {
    use collaboration::Column as C;
    let select = Query::select()
        .columns([C::OrganizationId, C::PartnerId, C::FirstYear, C::LastYear])
        .from(collaboration::Entity)
        .cond_where(id_in(
            db.get_database_backend(),
            Expr::col(C::OrganizationId),
            organizations,
        ))
        .to_owned();
    let mut years = HashMap::with_capacity(pairs.len());
    let _turn = super::share::turn().await;
    let mut rows = std::pin::pin!(db.stream(&select).await?);
    while let Some(row) = rows.next().await {
        let row = row?;
        let pair: (i64, i64) = (
            row.try_get("", C::OrganizationId.as_str())?,
            row.try_get("", C::PartnerId.as_str())?,
        );
        if pairs.contains(&pair) {
            years.insert(
                pair,
                (
                    row.try_get("", C::FirstYear.as_str())?,
                    row.try_get("", C::LastYear.as_str())?,
                ),
            );
        }
    }
    Ok(years)
}

/// The column names of `E`'s table, in the entity's order: the header of its rows.
pub fn columns<E: EntityTrait>() -> Vec<&'static str> {
    E::Column::iter().map(|c| c.as_str()).collect()
}

/// Every row of `E`'s table as a JSON object keyed by column name, in primary-key order,
/// streamed: the driver hands over one row at a time, and nothing is collected here.
pub async fn rows<'a, E: EntityTrait>(
    db: &'a DatabaseConnection,
) -> StoreResult<impl Stream<Item = StoreResult<serde_json::Value>> + Send + 'a> {
    let mut select = E::find();
    for key in E::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    let stream = select.into_json().stream(db).await?;
    Ok(stream.map(|row| row.map_err(StoreError::from)))
}

/// Every model of `E`'s table in primary-key order, streamed (for the JSON-LD export, which
/// reads fields by name and type).
pub async fn models<'a, E: EntityTrait>(
    db: &'a DatabaseConnection,
) -> StoreResult<impl Stream<Item = StoreResult<E::Model>> + Send + 'a>
where
    E::Model: Send + Sync,
{
    let mut select = E::find();
    for key in E::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    let stream = select.stream(db).await?;
    Ok(stream.map(|row| row.map_err(StoreError::from)))
}
