//! `Position`: a person's role at an organization.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{person, position};

use super::value::Period;
use super::{Citation, Organization, PageInput, Person, by_id};

use crate::graphql::connection::Conn;
use crate::graphql::executor::lean::Lean;
use crate::graphql::id::{NodeType, encode};

/// A person's role at an organization ("Director").
#[derive(Clone)]
pub struct Position(pub Arc<position::Model>);

/// A person's role at an organization ("Director").
#[Object]
impl Position {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Position, self.0.position_id)
    }
    /// The person holding the position (null only if their record is missing).
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        Ok(by_id::<person::Entity>(ctx, self.0.person_id)
            .await?
            .map(Person))
    }
    /// The organization where they hold it (null only if its record is missing).
    async fn organization(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.0.organization_id).await
    }
    /// The title as the source writes it.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// BCP 47 tag of `title`.
    async fn title_lang(&self) -> &str {
        &self.0.title_lang
    }
    /// When they held it, where the source says (`note` is always null).
    async fn period(&self) -> Period {
        let m = &self.0;
        Period::new(
            m.start_date.as_deref(),
            m.end_date.as_deref(),
            None,
            m.year_from,
            m.year_to,
        )
    }
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.position_id).await
    }
    /// Where this position is stated, in the order recorded.
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
            self.0.position_id,
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
