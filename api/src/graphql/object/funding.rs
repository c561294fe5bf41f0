//! `Funding`: who funds what, through which programme, how much.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{funding, programme};

use super::value::{FundingInstrument, Money, Period};
use super::{Activity, Citation, Organization, PageInput, Programme, by_id};

use crate::graphql::connection::Conn;
use crate::graphql::executor::lean::Lean;
use crate::graphql::id::{NodeType, encode};

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
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.funding_id).await
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
