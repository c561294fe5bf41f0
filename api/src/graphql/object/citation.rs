//! `Citation`: one quote from a source supporting one record.

use std::sync::Arc;

use async_graphql::{Context, Object};
use entities::{alias, citation, source};

use super::value::{Alias, CitationBasis};
use super::{PageInput, Record, Source, by_id, child, child_connection, spec};

use crate::graphql::connection::Conn;

/// One quote from a source supporting one record: where a fact comes from.
#[derive(Clone)]
pub struct Citation(pub Arc<citation::Model>);

impl Citation {
    /// The citations of a record itself; those of its aliases are the aliases' own.
    pub async fn of(
        ctx: &Context<'_>,
        record: i64,
        page: PageInput,
    ) -> async_graphql::Result<Conn<Citation>> {
        let spec = spec(&child::CITATIONS_OF_RECORD, Vec::new());
        child_connection::<citation::Entity, _>(ctx, record, spec, page, |m| Citation(m.clone()))
            .await
    }
}

/// One quote from a source supporting one record: where a fact comes from.
#[Object]
impl Citation {
    /// The document quoted (null only if its record is missing).
    async fn source(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Source>> {
        Ok(by_id::<source::Entity>(ctx, self.0.source_id)
            .await?
            .map(Source))
    }
    /// The passage, verbatim in the source's language.
    async fn quote(&self) -> &str {
        &self.0.quote
    }
    /// Whether the quote states the fact or the fact was inferred from it.
    async fn basis(&self) -> CitationBasis {
        self.0.basis.into()
    }
    /// For inferred facts: how they follow from the quote; null for stated ones.
    async fn reasoning(&self) -> Option<&str> {
        self.0.reasoning.as_deref()
    }
    /// The alias of `record` this citation supports; null when it supports the record itself.
    async fn alias(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Alias>> {
        let Some(alias_id) = self.0.alias_id else {
            return Ok(None);
        };
        Ok(by_id::<alias::Entity>(ctx, alias_id).await?.map(|a| Alias {
            alias_id: a.alias_id,
            name: a.name.clone(),
            lang: a.lang.clone(),
        }))
    }
    /// The record this citation supports: an entity or a relation (null only if it is missing); for a citation of an alias, the entity it names.
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Record>> {
        Ok(Record::load_many(ctx, &[self.0.record_id])
            .await?
            .pop()
            .flatten())
    }
}
