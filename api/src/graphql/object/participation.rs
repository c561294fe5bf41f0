//! `Participation`: an organization's part in an activity, the evidence collaboration is computed from.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use async_graphql::parser::types::SelectionSet;
use async_graphql::{Context, ContextSelectionSet, ID, Object, ServerResult, Value};
use entities::participation;
use futures_util::future::join;

use super::value::{Period, Role};
use super::{Activity, Citation, Organization, PageInput};

use crate::graphql::connection::Conn;
use crate::graphql::executor::lean::{Lean, LeanObject, object, selects};
use crate::graphql::id::{NodeType, encode};
use crate::store::loader::Loaders;

/// An organization's part in a project, programme or event: the evidence collaboration is
/// computed from.
#[derive(Clone)]
pub struct Participation(pub Arc<participation::Model>, Prefetched);

/// A participation's organization and activity, when the page it is on loaded them for all its
/// participations at once ([`LeanObject::prefetch`]).
///
/// A nested query reaches thousands of participations a level, and a loader call for each one
/// costs a channel, a waiting future and several hash maps; a call per page costs those once.
#[derive(Clone, Default)]
pub struct Prefetched {
    organization: OnceLock<Option<Organization>>,
    activity: OnceLock<Option<Activity>>,
}

impl Participation {
    pub fn new(model: Arc<participation::Model>) -> Self {
        Participation(model, Prefetched::default())
    }
}

impl LeanObject for Participation {
    fn lean(
        &self,
        ctx: &ContextSelectionSet<'_>,
    ) -> impl Future<Output = ServerResult<Value>> + Send {
        object(ctx, self, self)
    }

    async fn prefetch(ctx: &ContextSelectionSet<'_>, selection: &SelectionSet, page: &[&Self]) {
        let Ok(loaders) = ctx.data::<Loaders>() else {
            return;
        };
        let organizations = async {
            if !selects(ctx, selection, "organization") {
                return;
            }
            let ids: Vec<i64> = page.iter().map(|p| p.0.organization_id).collect();
            // On failure the fields load one by one, and report the error where it belongs.
            if let Ok(found) = Organization::load_many_with(loaders, &ids).await {
                for (participation, organization) in page.iter().zip(found) {
                    let _ = participation.1.organization.set(organization);
                }
            }
        };
        let activities = async {
            if !selects(ctx, selection, "activity") {
                return;
            }
            let ids: Vec<i64> = page.iter().map(|p| p.0.target_id).collect();
            let kinds: Vec<_> = page.iter().map(|p| p.0.target_kind).collect();
            if let Ok(found) = Activity::load_many_of_kinds(loaders, &ids, &kinds).await {
                for (participation, activity) in page.iter().zip(found) {
                    let _ = participation.1.activity.set(activity);
                }
            }
        };
        join(organizations, activities).await;
    }
}

/// An organization's part in a project, programme or event: the evidence collaboration is
/// computed from.
#[Object]
impl Participation {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Participation, self.0.participation_id)
    }
    /// The organization taking part (null only if its record is missing).
    async fn organization(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        if let Some(organization) = self.1.organization.get() {
            return Ok(organization.clone().map(Lean));
        }
        Organization::load(ctx, self.0.organization_id).await
    }
    /// The project, programme or event (null only if its record is missing).
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Activity>>> {
        if let Some(activity) = self.1.activity.get() {
            return Ok(activity.clone().map(Lean));
        }
        let (id, kind) = (self.0.target_id, self.0.target_kind);
        Ok(Activity::load_of_kind(ctx, id, kind).await?.map(Lean))
    }
    /// The part the organization plays.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// When the organization took part, where the source says.
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
    /// Details of its part, written by the curators.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.participation_id).await
    }
    /// Where this participation is stated, in the order recorded.
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
            self.0.participation_id,
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
