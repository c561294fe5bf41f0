//! `Person`: a person named by the sources, and the organizations they hold positions at.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{person, position};

use super::{Citation, PageInput, Position, child, child_connection, spec};

use crate::graphql::connection::Conn;
use crate::graphql::id::{NodeType, encode};

/// A person named by the sources.
#[derive(Clone)]
pub struct Person(pub Arc<person::Model>);

/// A person named by the sources.
#[Object]
impl Person {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Person, self.0.person_id)
    }
    /// Stable, human-readable key, unique across all types.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The name as the source writes it, with diacritics.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// BCP 47 language tag of `name`.
    async fn name_lang(&self) -> &str {
        &self.0.name_lang
    }
    /// Who the person is, written by the curators (a role as of the source's date).
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Their roles at organizations, in the order recorded.
    async fn positions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Position>> {
        let spec = spec(&child::POSITIONS_OF_PERSON, Vec::new());
        child_connection::<position::Entity, _>(
            ctx,
            self.0.person_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Position(m.clone()),
        )
        .await
    }
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.person_id).await
    }
    /// Where the facts about this person come from, in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        Citation::of(
            ctx,
            self.0.person_id,
            PageInput {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}
