//! `search` as the schema serves it: the types a client may search, a hit, and its connection.
//! The ranking, its bounds and what it reads are the store's ([`crate::store::search`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_graphql::{Context, Enum, SimpleObject};
use entities::text::fold;
use sea_orm::DatabaseConnection;

use super::connection::futures_count::CountFuture;
use super::connection::{Conn, Total, from_loaded};
use super::object::Record;
use crate::store::error::StoreError;
use crate::store::page::{Cursor, Keyed, Page, PageArgs, SortValue};
use crate::store::search::{MAX_SEARCH_LENGTH, SearchQuery};

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

/// One search result: a record and how well it matches.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// Higher is better: a match in a name beats one in an alias or English name, which beats
    /// one in a description; the whole text typed as the whole name beats it as the name's start,
    /// which beats it as a later word's start, which beats its words found apart.
    pub score: i32,
    /// What was found: an entity of one of the searched types, never a relation.
    pub record: Record,
}

// Declared here rather than with the other object types (`object`), which `search` depends on.
super::executor::lean::lean_objects!(SearchHit);

/// Resolves `search`: one page of the hits, best first, after a cursor: the arguments checked
/// here, the ranking and paging in [`SearchQuery`].
pub async fn search(
    ctx: &Context<'_>,
    text: &str,
    types: Option<Vec<SearchType>>,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<Conn<SearchHit>> {
    let args = PageArgs::new(first, after, None, None)?;
    let after = match &args.cursor {
        None => None,
        Some(cursor) => match cursor.0[..] {
            [SortValue::Int(score), SortValue::Int(id)] => Some((score, id)),
            _ => {
                return Err(StoreError::invalid("after", "not a cursor of `search`").into());
            }
        },
    };
    if text.chars().count() > MAX_SEARCH_LENGTH {
        return Err(
            StoreError::invalid("text", format!("at most {MAX_SEARCH_LENGTH} characters")).into(),
        );
    }
    let folded = fold(text);
    if folded.is_empty() {
        return Err(StoreError::invalid("text", "must contain letters or digits").into());
    }
    let db = ctx.data::<DatabaseConnection>()?;
    let limits = ctx
        .data_opt::<super::Limits>()
        .map(|l| l.search)
        .unwrap_or_default();
    let query = Arc::new(SearchQuery::new(
        db.clone(),
        folded,
        types.as_deref().map(classes),
        limits,
    ));
    let (rest, has_more) = query.page(args.limit as usize, after).await?;
    let ids: Vec<i64> = rest.iter().map(|&(id, _)| id).collect();
    let records = Record::load_many(ctx, &ids).await?;
    let page = Page {
        rows: rest
            .iter()
            .map(|&(id, score)| Keyed {
                model: Arc::new(score),
                cursor: Cursor(vec![SortValue::Int(i64::from(score)), SortValue::Int(id)].into()),
            })
            .collect(),
        has_more,
        args,
    };
    let nodes = rest
        .iter()
        .zip(records)
        .map(|(&(_, score), record)| record.map(|record| SearchHit { score, record }))
        .collect();
    let count = move || -> CountFuture {
        let query = query.clone();
        Box::pin(async move { query.count().await })
    };
    Ok(from_loaded(&page, Total::Deferred(Arc::new(count)), nodes))
}

/// The `search_word` classes of the types asked for: a record's kind, or `library` for an
/// organization with library details. `LIBRARY` alone asks for libraries only; with
/// `ORGANIZATION`, for organizations of every kind.
fn classes(types: &[SearchType]) -> Vec<&'static str> {
    let mut classes = BTreeSet::new();
    for t in types {
        classes.extend(match t {
            SearchType::Organization => &["organization", "library"][..],
            SearchType::Library => &["library"],
            SearchType::Place => &["place"],
            SearchType::Programme => &["programme"],
            SearchType::Project => &["project"],
            SearchType::Event => &["event"],
            SearchType::Outcome => &["outcome"],
            SearchType::Person => &["person"],
            SearchType::Topic => &["topic"],
            SearchType::TargetGroup => &["target_group"],
        });
    }
    classes.into_iter().collect()
}
