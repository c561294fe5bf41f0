//! Relations between records, each with its own dates and citations: `Participation`,
//! `Funding`, `OrganizationRelation`, `Position`.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use async_graphql::parser::types::SelectionSet;
use async_graphql::{Context, ContextSelectionSet, ID, Object, ServerResult, Value};
use entities::{funding, organization_relation, participation, person, position, programme};
use futures_util::future::join;

use super::activity::{Activity, Programme};
use super::value::{FundingInstrument, Money, OrganizationRelationKind, Period, Role};
use super::{Citation, Organization, PageInput, Person, by_id};
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

/// Who funds what: a funder, the funded project, programme or event (or organization, funded
/// directly), the programme the money flows through and an intermediary that passes it on.
#[derive(Clone)]
pub struct Funding(pub Arc<funding::Model>);

/// Who funds what: a funder, the funded project, programme or event (or organization, funded
/// directly), the programme the money flows through and an intermediary that passes it on.
#[Object]
impl Funding {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Funding, self.0.funding_id)
    }
    /// The organization that gives the money or support (null only if its record is missing).
    async fn funder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.0.funder_id).await
    }
    /// What is funded: a project, programme or event; null when an organization is funded
    /// directly (see `recipientOrganization`) or the record is missing.
    async fn recipient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Activity>>> {
        Ok(Activity::load(ctx, self.0.recipient_id).await?.map(Lean))
    }
    /// The organization funded directly (a ministry funding a library); null when a project,
    /// programme or event is funded (see `recipient`) or the record is missing.
    // A field beside `recipient` rather than a wider union in its place: changing the type of
    // `recipient` would break clients' generated types. The id is looked for among organizations
    // whatever the recipient is, in the one batch of organizations of its level (`funder`'s too).
    async fn recipient_organization(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.0.recipient_id).await
    }
    /// The programme the money flows through; null when the source names none.
    async fn programme(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Programme>> {
        let Some(id) = self.0.programme_id else {
            return Ok(None);
        };
        Ok(by_id::<programme::Entity>(ctx, id).await?.map(Programme))
    }
    /// An operator that passes the money on to the recipient; null when the source names none.
    async fn intermediary(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        let Some(id) = self.0.intermediary_id else {
            return Ok(None);
        };
        Organization::load(ctx, id).await
    }
    /// How the money or support is given; null when the source does not say.
    async fn instrument(&self) -> Option<FundingInstrument> {
        self.0.instrument.map(Into::into)
    }
    /// The amount, where the source states one; null otherwise.
    async fn amount(&self) -> Option<Money> {
        Some(Money::new(
            self.0.amount_minor?,
            self.0.currency.as_deref()?,
        ))
    }
    /// When the funding ran, where the source says.
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
    /// Details, written by the curators (what the money is for, why no amount is given).
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Where this funding is stated, in the order recorded.
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
            self.0.funding_id,
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
