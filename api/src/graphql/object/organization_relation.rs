//! `OrganizationRelation`: a tie between two organizations (member of, founded by…).

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::organization_relation;

use super::value::{OrganizationRelationKind, Period};
use super::{Citation, Organization, PageInput};

use crate::graphql::connection::Conn;
use crate::graphql::executor::lean::Lean;
use crate::graphql::id::{NodeType, encode};

/// A tie between two organizations, read "subject kind object": "Labib Association
/// successorOf LABIB".
#[derive(Clone)]
pub struct OrganizationRelation(pub Arc<organization_relation::Model>);

/// A tie between two organizations, read "subject kind object": "Labib Association
/// successorOf LABIB".
#[Object]
impl OrganizationRelation {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(
            NodeType::OrganizationRelation,
            self.0.organization_relation_id,
        )
    }
    /// The organization the relation is about: X in "X is a member of Y" (null only if its record
    /// is missing).
    async fn subject(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.0.subject_id).await
    }
    /// How `subject` relates to `object`.
    async fn kind(&self) -> OrganizationRelationKind {
        self.0.kind.into()
    }
    /// The other organization: Y in "X is a member of Y" (null only if its record is missing).
    async fn object(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.0.object_id).await
    }
    /// When the relation held, where the source says.
    async fn period(&self) -> Period {
        let m = &self.0;
        Period::new(
            m.start_date.as_deref(),
            m.end_date.as_deref(),
            m.date_note.as_deref(),
            m.year_from,
            m.year_to,
        )
    }
    /// Details, written by the curators.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.organization_relation_id).await
    }
    /// Where this relation is stated, in the order recorded.
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
            self.0.organization_relation_id,
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
