//! Activities: the `Activity` union and its members `Programme`, `Project` and `Event`.
//!
//! The three share most fields; `activity_object!` writes those resolvers once and expands them
//! into each type with its own fields, so they cannot drift apart: that is why they share this file.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Union};
use entities::kinds::RecordKind;
use entities::{event, funding, participation, programme, project};

use super::value::{EventKind, Period, ProgrammeKind, Role};
use super::{
    Citation, Funding, Outcome, PageInput, Participation, Place, TargetGroup, Topic, aliases,
    by_id, child, child_connection, loaders, spec,
};

use crate::graphql::connection::Conn;
use crate::graphql::id::{NodeType, encode};
use crate::graphql::input::{YearRange, participation_filters};
use crate::store::loader::{ActivityById, ActivityRow, LoadError, Loaders};

/// A project, programme or event: what organizations take part in and funders fund.
#[derive(Union, Clone)]
pub enum Activity {
    Project(Project),
    Programme(Programme),
    Event(Event),
}

impl Activity {
    fn from_row(row: ActivityRow) -> Activity {
        match row {
            ActivityRow::Project(m) => Activity::Project(Project(m)),
            ActivityRow::Programme(m) => Activity::Programme(Programme(m)),
            ActivityRow::Event(m) => Activity::Event(Event(m)),
        }
    }

    /// The activities record ids name, in order (`None` where an id is not an activity); one
    /// statement for all three types.
    pub async fn load_many(
        ctx: &Context<'_>,
        ids: &[i64],
    ) -> async_graphql::Result<Vec<Option<Activity>>> {
        Ok(Self::load_many_with(loaders(ctx)?, ids).await?)
    }

    /// [`Activity::load_many`] through the given loaders.
    pub async fn load_many_with(
        loaders: &Loaders,
        ids: &[i64],
    ) -> Result<Vec<Option<Activity>>, LoadError> {
        Self::load_key(loaders, ActivityById::new(ids)).await
    }

    /// [`Activity::load_many_with`] for ids whose record kinds are known (one per id, `None`
    /// where not): each is looked for in its own table only.
    pub async fn load_many_of_kinds(
        loaders: &Loaders,
        ids: &[i64],
        kinds: &[Option<RecordKind>],
    ) -> Result<Vec<Option<Activity>>, LoadError> {
        Self::load_key(loaders, ActivityById::with_kinds(ids, kinds)).await
    }

    /// The activities of a key's ids, in order.
    async fn load_key(
        loaders: &Loaders,
        key: ActivityById,
    ) -> Result<Vec<Option<Activity>>, LoadError> {
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let len = key.len();
        let found = loaders.load_one(key).await?;
        Ok(found.map_or_else(
            || vec![None; len],
            |rows| {
                rows.iter()
                    .map(|row| row.clone().map(Activity::from_row))
                    .collect()
            },
        ))
    }

    /// The activity a record id names, whatever its type.
    pub async fn load(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Activity>> {
        Self::load_of_kind(ctx, id, None).await
    }

    /// [`Activity::load`] for an id whose record kind may be known.
    pub async fn load_of_kind(
        ctx: &Context<'_>,
        id: i64,
        kind: Option<RecordKind>,
    ) -> async_graphql::Result<Option<Activity>> {
        let key = ActivityById::with_kinds(&[id], &[kind]);
        let found = Box::pin(loaders(ctx)?.load_one(key)).await?;
        Ok(found
            .and_then(|rows| rows.first().cloned().flatten())
            .map(Activity::from_row))
    }
}

/// A funding or flagship programme; programmes nest (a priority within a national programme, an
/// intervention direction within a priority).
#[derive(Clone)]
pub struct Programme(pub Arc<programme::Model>);

/// An initiative carried out by organizations, usually hosted by a library.
#[derive(Clone)]
pub struct Project(pub Arc<project::Model>);

/// A conference, training, study visit, fair, campaign, webinar, sharing café…
#[derive(Clone)]
pub struct Event(pub Arc<event::Model>);

/// Writes an activity object: the fields every activity has, then its own.
macro_rules! activity_object {
    ($(#[$meta:meta])* $ty:ident, $node:expr, $key:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[Object]
        impl $ty {
            /// Opaque global ID.
            pub async fn id(&self) -> ID {
                encode($node, self.0.$key)
            }
            /// Stable, human-readable key, unique across all types: what the `…(slug:)` lookups and
            /// filters take.
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
            /// English name, where known (the same as `name` when the source is in English).
            async fn name_en(&self) -> Option<&str> {
                self.0.name_en.as_deref()
            }
            /// A short description in English, written by the curators from the sources.
            async fn description(&self) -> Option<&str> {
                self.0.description.as_deref()
            }
            /// When it ran or runs, as precisely as the sources say.
            async fn period(&self) -> Period {
                Period::new(self.0.start_date.as_deref(), self.0.end_date.as_deref(), self.0.date_note.as_deref(), self.0.year_from, self.0.year_to)
            }
            /// Other names (acronyms, names in other languages), in the order recorded; at most
            /// 100.
            async fn aliases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::value::Alias>> {
                aliases(ctx, self.0.$key).await
            }
            /// The organizations taking part, each with its role, in the order recorded. `roles`
            /// keeps those roles; `activeIn` keeps participations whose own dates overlap the years
            /// (undated ones never match).
            async fn participations(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Keeps the participations in these roles; all when null.")] roles: Option<Vec<Role>>,
                #[graphql(desc = "Keeps the participations whose own dates overlap these years; undated ones never match.")] active_in: Option<YearRange>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Participation>> {
                let spec = spec(&child::PARTICIPATIONS_OF_ACTIVITY, participation_filters(roles, active_in));
                child_connection::<participation::Entity, _>(ctx, self.0.$key, spec, PageInput { first, after, last, before }, |m| Participation::new(m.clone())).await
            }
            /// Who funds it, in the order recorded: fundings of this record itself, not of its
            /// sub-programmes, projects or events.
            async fn fundings(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Funding>> {
                let spec = spec(&child::FUNDINGS_RECEIVED, Vec::new());
                child_connection::<funding::Entity, _>(ctx, self.0.$key, spec, PageInput { first, after, last, before }, |m| Funding(m.clone())).await
            }
            /// Its results, in the order recorded.
            async fn outcomes(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Outcome>> {
                Outcome::of(ctx, self.0.$key, PageInput { first, after, last, before }).await
            }
            /// Topics and SDGs it is classified under, in the order recorded.
            async fn topics(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Topic>> {
                Topic::of(ctx, self.0.$key, PageInput { first, after, last, before }).await
            }
            /// The groups of people it serves, in the order recorded.
            async fn target_groups(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<TargetGroup>> {
                TargetGroup::of(ctx, self.0.$key, PageInput { first, after, last, before }).await
            }
            /// The record's version, raised by one by every change to it: an edit names the version
            /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
            async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
                crate::graphql::edit::version(ctx, self.0.$key).await
            }
            /// Citations supporting this record itself (its participations and fundings have their
            /// own), in the order recorded.
            async fn citations(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Citation>> {
                Citation::of(ctx, self.0.$key, PageInput { first, after, last, before }).await
            }
            $($extra)*
        }
    };
}

activity_object! {
    /// A funding or flagship programme; programmes nest (a priority within a national programme,
    /// an intervention direction within a priority).
    Programme, NodeType::Programme, programme_id {
        /// What kind of programme it is: a programme, a fund, a priority, an intervention
        /// direction…
        async fn kind(&self) -> ProgrammeKind {
            self.0.kind.into()
        }
        /// The programme's own numbering as the source gives it (`4`, `4.1`); null when it has
        /// none.
        async fn code(&self) -> Option<&str> {
            self.0.code.as_deref()
        }
        /// The programme this one is part of (a priority's programme); null at the top.
        async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Programme>> {
            let Some(parent) = self.0.parent_id else { return Ok(None) };
            Ok(by_id::<programme::Entity>(ctx, parent).await?.map(Programme))
        }
        /// Its priorities, directions and other sub-programmes, one level down, by name.
        async fn children(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> async_graphql::Result<Conn<Programme>> {
            let spec = spec(&child::PROGRAMME_CHILDREN, Vec::new());
            child_connection::<programme::Entity, _>(ctx, self.0.programme_id, spec, PageInput { first, after, last, before }, |m| Programme(m.clone())).await
        }
        /// Projects run directly under this programme (not its sub-programmes), earliest first,
        /// undated last.
        async fn projects(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> async_graphql::Result<Conn<Project>> {
            let spec = spec(&child::PROJECTS_OF_PROGRAMME, Vec::new());
            child_connection::<project::Entity, _>(ctx, self.0.programme_id, spec, PageInput { first, after, last, before }, |m| Project(m.clone())).await
        }
        /// Events held directly within this programme (not its sub-programmes), earliest first,
        /// undated last.
        async fn events(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> async_graphql::Result<Conn<Event>> {
            let spec = spec(&child::EVENTS_OF_PROGRAMME, Vec::new());
            child_connection::<event::Entity, _>(ctx, self.0.programme_id, spec, PageInput { first, after, last, before }, |m| Event(m.clone())).await
        }
        /// Fundings whose money flows through this programme (their `programme`), in the order
        /// recorded; `fundings` lists those of the programme itself.
        async fn fundings_through(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> async_graphql::Result<Conn<Funding>> {
            let spec = spec(&child::FUNDINGS_THROUGH, Vec::new());
            child_connection::<funding::Entity, _>(ctx, self.0.programme_id, spec, PageInput { first, after, last, before }, |m| Funding(m.clone())).await
        }
    }
}

activity_object! {
    /// An initiative carried out by organizations, usually hosted by a library.
    Project, NodeType::Project, project_id {
        /// The problem it addresses, in the source's words and language; null when not stated.
        async fn why(&self) -> Option<&str> {
            self.0.why.as_deref()
        }
        /// What it does, in the source's words and language; null when not stated.
        async fn what(&self) -> Option<&str> {
            self.0.what.as_deref()
        }
        /// The programme it runs under; null when none is stated.
        async fn programme(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Programme>> {
            let Some(id) = self.0.programme_id else { return Ok(None) };
            Ok(by_id::<programme::Entity>(ctx, id).await?.map(Programme))
        }
        /// Where it takes place; null when not stated.
        async fn place(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Place>> {
            Place::load_opt(ctx, self.0.place_id).await
        }
        /// Events held within the project, earliest first, undated last.
        async fn events(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> async_graphql::Result<Conn<Event>> {
            let spec = spec(&child::EVENTS_OF_PROJECT, Vec::new());
            child_connection::<event::Entity, _>(ctx, self.0.project_id, spec, PageInput { first, after, last, before }, |m| Event(m.clone())).await
        }
    }
}

activity_object! {
    /// A conference, training, study visit, fair, campaign, webinar, sharing café…
    Event, NodeType::Event, event_id {
        /// What kind of event it is.
        async fn kind(&self) -> EventKind {
            self.0.kind.into()
        }
        /// How often it recurs, as free text (`annual`); null for a one-off event or when not
        /// stated.
        async fn recurrence(&self) -> Option<&str> {
            self.0.recurrence.as_deref()
        }
        /// Where it is held; null when not stated.
        async fn place(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Place>> {
            Place::load_opt(ctx, self.0.place_id).await
        }
        /// The project it belongs to; null when none.
        async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Project>> {
            let Some(id) = self.0.project_id else { return Ok(None) };
            Ok(by_id::<project::Entity>(ctx, id).await?.map(Project))
        }
        /// The programme it belongs to; null when none.
        async fn programme(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Programme>> {
            let Some(id) = self.0.programme_id else { return Ok(None) };
            Ok(by_id::<programme::Entity>(ctx, id).await?.map(Programme))
        }
        /// The larger event or campaign it is part of; null when none.
        async fn part_of(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Event>> {
            let Some(id) = self.0.part_of_id else { return Ok(None) };
            Ok(by_id::<event::Entity>(ctx, id).await?.map(Event))
        }
        /// Events that are part of this one (the stages of a campaign, the sessions of a
        /// conference), earliest first, undated last.
        async fn parts(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> async_graphql::Result<Conn<Event>> {
            let spec = spec(&child::EVENT_PARTS, Vec::new());
            child_connection::<event::Entity, _>(ctx, self.0.event_id, spec, PageInput { first, after, last, before }, |m| Event(m.clone())).await
        }
    }
}
