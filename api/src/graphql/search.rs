//! `search`: one query over names, English names, aliases and descriptions of every entity type.
//!
//! Text is folded in Rust ([`entities::text::fold`]) both when the loader indexes it and when a
//! client searches, and the database only compares the folded strings, so "balti" finds Bălți on
//! SQLite and PostgreSQL alike, with identical ranking.
//!
//! Every token of the search text must start a word ("olsz" finds Olszówka, "szówka" does not):
//! that is what lets the `search_word` index answer from a key range on any size of graph, where
//! matching inside words would read every text.

use async_graphql::{Context, Enum, SimpleObject};
use entities::text::fold;
use sea_orm::sea_query::{
    Alias, CaseStatement, Expr, ExprTrait, Func, Order, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::object::provenance::Record;
use crate::error::ApiError;

/// The longest search text accepted.
pub const MAX_SEARCH_LENGTH: usize = 200;

/// What to search for.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchType {
    /// Organizations of any kind, libraries included.
    Organization,
    /// Libraries only (when `ORGANIZATION` is also asked for, organizations of every kind).
    Library,
    /// Places: countries, regions, cities, addresses.
    Place,
    /// Programmes, priorities, intervention directions and funds.
    Programme,
    /// Projects.
    Project,
    /// Events.
    Event,
    /// Outcomes, matched on their descriptions and indicators.
    Outcome,
    /// People.
    Person,
    /// SDGs and themes.
    Topic,
    /// Target groups.
    TargetGroup,
}

/// One search result.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// Higher is better: a match in a name beats one in an alias or English name, which beats
    /// one in a description; the whole text typed as the whole name beats it as the name's start,
    /// which beats it as a later word's start, which beats its words found apart.
    pub score: i32,
    /// What was found: an entity of one of the searched types, never a relation.
    pub record: Record,
}

/// Resolves `search`.
pub async fn search(
    ctx: &Context<'_>,
    text: &str,
    types: Option<Vec<SearchType>>,
    first: i32,
) -> async_graphql::Result<Vec<SearchHit>> {
    if !(1..=100).contains(&first) {
        return Err(
            ApiError::invalid("first", format!("must be between 1 and 100, got {first}")).into(),
        );
    }
    if text.chars().count() > MAX_SEARCH_LENGTH {
        return Err(
            ApiError::invalid("text", format!("at most {MAX_SEARCH_LENGTH} characters")).into(),
        );
    }
    let folded = fold(text);
    if folded.is_empty() {
        return Err(ApiError::invalid("text", "must contain letters or digits").into());
    }
    let db = ctx.data::<DatabaseConnection>()?;
    let mut select = Query::select();
    // The folded query holds only [a-z0-9 ]: no LIKE wildcard can come from a client.
    let position = CaseStatement::new()
        .case(Expr::col(Alias::new("text")).eq(folded.clone()), 50)
        .case(Expr::col(Alias::new("text")).like(format!("{folded}%")), 30)
        .case(padded_text().like(format!("% {folded}%")), 20)
        .finally(0);
    let score = Func::max(Expr::col(Alias::new("weight")).mul(100).add(position));
    // The longest token is the likeliest to be rare: its word range picks the candidate
    // records, and every token must then start a word of the same text.
    let tokens: Vec<&str> = folded.split(' ').collect();
    let driver = tokens
        .iter()
        .copied()
        .max_by_key(|t| t.len())
        .unwrap_or_default();
    select
        .column(Alias::new("record_id"))
        .expr_as(score, Alias::new("score"))
        .from(Alias::new("search_term"))
        .and_where(Expr::col(Alias::new("record_id")).in_subquery(records_with_word(driver)))
        .group_by_col(Alias::new("record_id"))
        .order_by(Alias::new("score"), Order::Desc)
        .order_by(Alias::new("record_id"), Order::Asc)
        .limit(first as u64);
    for token in &tokens {
        select.and_where(padded_text().like(format!("% {token}%")));
    }
    if let Some(types) = types {
        let mut kinds: Vec<&str> = Vec::new();
        let mut libraries_only = false;
        for t in &types {
            kinds.push(match t {
                SearchType::Organization => "organization",
                SearchType::Library => {
                    libraries_only = !types.contains(&SearchType::Organization);
                    "organization"
                }
                SearchType::Place => "place",
                SearchType::Programme => "programme",
                SearchType::Project => "project",
                SearchType::Event => "event",
                SearchType::Outcome => "outcome",
                SearchType::Person => "person",
                SearchType::Topic => "topic",
                SearchType::TargetGroup => "target_group",
            });
        }
        select.and_where(Expr::col(Alias::new("kind")).is_in(kinds));
        if libraries_only {
            select.and_where(
                Expr::col(Alias::new("record_id"))
                    .in_subquery(
                        Query::select()
                            .column(Alias::new("organization_id"))
                            .from(Alias::new("library"))
                            .to_owned(),
                    )
                    .or(Expr::col(Alias::new("kind")).ne("organization")),
            );
        }
    }
    let rows = db.query_all(&select).await.map_err(ApiError::from)?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut scores = Vec::with_capacity(rows.len());
    for row in rows {
        ids.push(
            row.try_get::<i64>("", "record_id")
                .map_err(ApiError::from)?,
        );
        scores.push(row.try_get::<i32>("", "score").map_err(ApiError::from)?);
    }
    let records = Record::load_many(ctx, &ids).await?;
    Ok(scores
        .into_iter()
        .zip(records)
        .filter_map(|(score, record)| record.map(|record| SearchHit { score, record }))
        .collect())
}

/// `' ' || text`: a word of the text starts wherever `' ' || token` occurs in it.
fn padded_text() -> SimpleExpr {
    Expr::cust("(' ' || text)")
}

/// `SELECT record_id FROM search_word` whose word starts with `token` (a folded word of
/// `[a-z0-9]`): the key range from `token` up to `token` followed by `{`, the byte after `z`.
/// Both stores compare these words bytewise (PostgreSQL's column is `COLLATE "C"`).
pub fn records_with_word(token: &str) -> SelectStatement {
    Query::select()
        .column(Alias::new("record_id"))
        .from(Alias::new("search_word"))
        .and_where(Expr::col(Alias::new("word")).gte(token))
        .and_where(Expr::col(Alias::new("word")).lt(format!("{token}{{")))
        .to_owned()
}
