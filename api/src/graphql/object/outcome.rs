//! `Outcome`: a result of an activity or organization, and `OutcomeSubject`, what it is a result of.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Union};
use entities::{organization, outcome};

use super::value::{Period, ValueQualifier};
use super::{
    Activity, Citation, Event, Library, Organization, PageInput, PartnerOrganization, Programme,
    Project, by_id, child, child_connection, spec,
};

use crate::graphql::connection::Conn;
use crate::graphql::id::{NodeType, encode};

/// What an outcome is a result of.
#[derive(Union, Clone)]
pub enum OutcomeSubject {
    Project(Project),
    Programme(Programme),
    Event(Event),
    Library(Library),
    PartnerOrganization(PartnerOrganization),
}

/// A result of a project, programme, event or organization; quantitative when the source gives
/// a number ("online events reached more than 500 patrons").
#[derive(Clone)]
pub struct Outcome(pub Arc<outcome::Model>);

impl Outcome {
    /// The outcomes of a record.
    pub async fn of(
        ctx: &Context<'_>,
        subject: i64,
        page: PageInput,
    ) -> async_graphql::Result<Conn<Outcome>> {
        let spec = spec(&child::OUTCOMES, Vec::new());
        child_connection::<outcome::Entity, _>(ctx, subject, spec, page, |m| Outcome(m.clone()))
            .await
    }
}

/// A result of a project, programme, event or organization; quantitative when the source gives
/// a number ("online events reached more than 500 patrons").
#[Object]
impl Outcome {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Outcome, self.0.outcome_id)
    }
    /// Stable, human-readable key, unique across all types.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// What it is a result of: a project, programme, event or organization (null only if that
    /// record is missing).
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutcomeSubject>> {
        let id = self.0.subject_id;
        if let Some(activity) = Activity::load(ctx, id).await? {
            return Ok(Some(match activity {
                Activity::Project(p) => OutcomeSubject::Project(p),
                Activity::Programme(p) => OutcomeSubject::Programme(p),
                Activity::Event(e) => OutcomeSubject::Event(e),
            }));
        }
        Ok(by_id::<organization::Entity>(ctx, id).await?.map(|m| {
            match Organization::from_model(m) {
                Organization::Library(l) => OutcomeSubject::Library(l),
                Organization::PartnerOrganization(p) => OutcomeSubject::PartnerOrganization(p),
            }
        }))
    }
    /// The outcome in the source's language, close to the source's words.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// BCP 47 tag of `description`.
    async fn description_lang(&self) -> &str {
        &self.0.description_lang
    }
    /// The outcome in English (the same text for English sources); null when not given.
    async fn description_en(&self) -> Option<&str> {
        self.0.description_en.as_deref()
    }
    /// What is counted, for quantitative outcomes ("libraries with an Innovation Zone"); null
    /// otherwise.
    async fn indicator(&self) -> Option<&str> {
        self.0.indicator.as_deref()
    }
    /// The number the source gives, for quantitative outcomes (`500` in "more than 500 patrons");
    /// read it with `valueQualifier` and `unit`.
    async fn value(&self) -> Option<f64> {
        self.0.value
    }
    /// How the value relates to the number the source gives ("more than 500").
    async fn value_qualifier(&self) -> Option<ValueQualifier> {
        self.0.value_qualifier.map(Into::into)
    }
    /// What `value` counts ("libraries", "patrons"); null when not quantitative.
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    /// The value before the work began, where the source gives one; in `unit`.
    async fn baseline(&self) -> Option<f64> {
        self.0.baseline
    }
    /// The value aimed for, where the source gives one; in `unit`.
    async fn target(&self) -> Option<f64> {
        self.0.target
    }
    /// The period the outcome covers, where stated (`note` is always null).
    async fn period(&self) -> Period {
        Period::new(
            self.0.start_date.as_deref(),
            self.0.end_date.as_deref(),
            None,
            self.0.year_from,
            self.0.year_to,
        )
    }
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.outcome_id).await
    }
    /// Where the outcome is reported, in the order recorded.
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
            self.0.outcome_id,
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
