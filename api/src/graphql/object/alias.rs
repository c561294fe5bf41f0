//! Other names of a record, each with the citation that states it.

use async_graphql::ComplexObject;
use async_graphql::Context;
use entities::citation;

use super::value::Alias;
use super::{BOUNDED_LIST, Citation, PageInput, child, child_connection, child_page, spec};

use crate::graphql::connection::Conn;

pub async fn aliases(ctx: &Context<'_>, record: i64) -> async_graphql::Result<Vec<Alias>> {
    let spec = spec(&child::ALIASES, Vec::new());
    let (page, _) = child_page::<entities::alias::Entity>(
        ctx,
        record,
        spec,
        PageInput {
            first: Some(BOUNDED_LIST as i32),
            ..Default::default()
        },
    )
    .await?;
    Ok(page
        .rows
        .iter()
        .map(|r| Alias {
            alias_id: r.model.alias_id,
            name: r.model.name.clone(),
            lang: r.model.lang.clone(),
        })
        .collect())
}

#[ComplexObject]
impl Alias {
    /// Where this name comes from: the quote that states it, or (basis `INFERRED`, with the reasoning) the quote it is inferred from; in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        let spec = spec(&child::CITATIONS_OF_ALIAS, Vec::new());
        child_connection::<citation::Entity, _>(
            ctx,
            self.alias_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Citation(m.clone()),
        )
        .await
    }
}
