//! The input types of the schema (filters, orders, ranges) and how each becomes a store filter.

use std::sync::LazyLock;

use async_graphql::{Enum, InputObject};

use super::object::value::{EventKind, OrganizationKind, ProgrammeKind, Role};
use crate::store::collaboration;
use crate::store::filter::{self, Activities};
use crate::store::loader::{Filter, FilterValue};
use crate::store::order::{by_date, by_name, latest_first, name_descending, period};
use crate::store::page::Ordering;
use entities::participation;

/// A range of years, inclusive at both ends; either end may be open.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct YearRange {
    /// The first year, inclusive (`2019`); null for no lower bound.
    pub from: Option<i32>,
    /// The last year, inclusive; null for no upper bound.
    pub to: Option<i32>,
}

/// Which way an organization relation is read.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RelationDirection {
    /// Relations where this organization is the subject ("X is a member of …").
    Outgoing,
    /// Relations where this organization is the object ("… is a member of X").
    Incoming,
    /// Both (the default).
    #[default]
    Both,
}

/// How to order organizations.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrganizationOrder {
    /// By name as the source writes it, A to Z, ignoring case and diacritics (the default).
    #[default]
    Name,
    /// By name, Z to A.
    NameDesc,
}

/// How to order projects, programmes and events.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ActivityOrder {
    /// By name as the source writes it, A to Z, ignoring case and diacritics (the default).
    #[default]
    Name,
    /// By start, earliest first (by year, then by start date); undated last.
    Date,
    /// By start, latest first; undated last.
    DateDesc,
}

/// Which organizations to list. Every condition given must hold; `roles`, `activeIn`, `programmes`
/// and `funders` must hold for one and the same participation.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OrganizationFilter {
    /// Only organizations of these kinds.
    pub kinds: Option<Vec<OrganizationKind>>,
    /// Only organizations located in these countries (ISO 3166-1 alpha-2 codes such as `PL`;
    /// lowercase is read as uppercase, anything but two letters is `BAD_USER_INPUT`); those
    /// without a place drop out.
    pub countries: Option<Vec<String>>,
    /// Taking part in projects, programmes or events about these topics (slugs such as `sdg-4`), or
    /// classified under them itself.
    pub topics: Option<Vec<String>>,
    /// Taking part in these programmes (slugs), their sub-programmes, or the projects and events
    /// directly under them.
    pub programmes: Option<Vec<String>>,
    /// Taking part in projects, programmes or events funded by these organizations (slugs).
    pub funders: Option<Vec<String>>,
    /// Taking part in anything in one of these roles.
    pub roles: Option<Vec<Role>>,
    /// With a participation whose own dates overlap these years (not the activity's dates; undated
    /// participations never match).
    pub active_in: Option<YearRange>,
    /// Every word of this text starts a word of its name, English name, aliases or description
    /// ("olsz" matches Olszówka; case- and diacritic-insensitive; at most 200 characters).
    pub text: Option<String>,
}

/// Which projects, programmes or events to list. Every condition given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ActivityFilter {
    /// Only events of these kinds; an error on `projects` and `programmes`.
    pub event_kinds: Option<Vec<EventKind>>,
    /// Only programmes of these kinds; an error on `projects` and `events`.
    pub programme_kinds: Option<Vec<ProgrammeKind>>,
    /// With a taking-part organization located in these countries (ISO 3166-1 alpha-2 codes such
    /// as `PL`; lowercase is read as uppercase, anything but two letters is `BAD_USER_INPUT`), or,
    /// for projects and events, located there itself.
    pub countries: Option<Vec<String>>,
    /// Under these programmes (slugs) or their sub-programmes; on `programmes`, those programmes
    /// and their sub-programmes themselves.
    pub programmes: Option<Vec<String>>,
    /// Funded directly by these organizations (slugs).
    pub funders: Option<Vec<String>>,
    /// Classified under these topics (slugs such as `sdg-4`).
    pub topics: Option<Vec<String>>,
    /// With one of these organizations (slugs) taking part; with `roles`, in one of those roles.
    pub organizations: Option<Vec<String>>,
    /// With an organization taking part in one of these roles.
    pub roles: Option<Vec<Role>>,
    /// Running in these years: its own period overlaps them (undated ones never match).
    pub active_in: Option<YearRange>,
    /// Every word of this text starts a word of its name, English name, aliases or description
    /// ("olsz" matches Olszówka; case- and diacritic-insensitive; at most 200 characters).
    pub text: Option<String>,
}

impl OrganizationOrder {
    /// The store's ordering of organizations this asks for.
    pub fn ordering(self) -> Ordering {
        match self {
            OrganizationOrder::Name => *by_name::ORGANIZATION,
            OrganizationOrder::NameDesc => *name_descending::ORGANIZATION,
        }
    }
}

impl ActivityOrder {
    /// The store's ordering of `activities` this asks for.
    pub fn ordering(self, activities: Activities) -> Ordering {
        use Activities::{Events, Programmes, Projects};
        let ordering: &LazyLock<Ordering> = match (self, activities) {
            (ActivityOrder::Name, Programmes) => &by_name::PROGRAMME,
            (ActivityOrder::Name, Projects) => &by_name::PROJECT,
            (ActivityOrder::Name, Events) => &by_name::EVENT,
            (ActivityOrder::Date, Programmes) => &by_date::PROGRAMME,
            (ActivityOrder::Date, Projects) => &by_date::PROJECT,
            (ActivityOrder::Date, Events) => &by_date::EVENT,
            (ActivityOrder::DateDesc, Programmes) => &latest_first::PROGRAMME,
            (ActivityOrder::DateDesc, Projects) => &latest_first::PROJECT,
            (ActivityOrder::DateDesc, Events) => &latest_first::EVENT,
        };
        **ordering
    }
}

impl OrganizationFilter {
    /// In the store's terms; `libraries_only` for the `libraries` list.
    pub fn to_store(&self, libraries_only: bool) -> filter::OrganizationFilter {
        filter::OrganizationFilter {
            libraries_only,
            kinds: converted(&self.kinds),
            countries: self.countries.clone(),
            topics: self.topics.clone(),
            programmes: self.programmes.clone(),
            funders: self.funders.clone(),
            roles: converted(&self.roles),
            active_in: self.active_in.map(YearRange::to_period),
            text: self.text.clone(),
        }
    }
}

impl ActivityFilter {
    /// In the store's terms.
    pub fn to_store(&self) -> filter::ActivityFilter {
        filter::ActivityFilter {
            event_kinds: converted(&self.event_kinds),
            programme_kinds: converted(&self.programme_kinds),
            countries: self.countries.clone(),
            programmes: self.programmes.clone(),
            funders: self.funders.clone(),
            topics: self.topics.clone(),
            organizations: self.organizations.clone(),
            roles: converted(&self.roles),
            active_in: self.active_in.map(YearRange::to_period),
            text: self.text.clone(),
        }
    }
}

/// A list of the schema's enum values as the store's: kinds and roles.
fn converted<A: Copy + Into<B>, B>(list: &Option<Vec<A>>) -> Option<Vec<B>> {
    list.as_ref()
        .map(|list| list.iter().map(|&a| a.into()).collect())
}

/// Role and year filters of participation lists.
pub fn participation_filters(
    roles: Option<Vec<Role>>,
    active_in: Option<YearRange>,
) -> Vec<Filter> {
    let mut filters = Vec::new();
    if let Some(roles) = roles {
        let mut values: Vec<FilterValue> = roles
            .into_iter()
            .map(|r| FilterValue::Text(entities::Role::from(r).as_str().to_owned()))
            .collect();
        values.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        values.dedup();
        filters.push(Filter::is_in(participation::Column::Role, values));
    }
    if let Some(range) = active_in {
        filters.push(Filter::years_overlap(
            &period::PARTICIPATION,
            range.from,
            range.to,
        ));
    }
    filters
}

/// Filters of the collaborators of one organization.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CollaboratorFilter {
    /// Only shared items where the collaborator (not this organization) had one of these roles.
    pub roles: Option<Vec<Role>>,
    /// Only shared items active in these years, by the participation's dates or else the item's
    /// (undated items drop out).
    pub period: Option<YearRange>,
    /// Only collaborators of these kinds.
    pub kinds: Option<Vec<OrganizationKind>>,
    /// Only collaborators located in these countries (ISO 3166-1 alpha-2 codes such as `PL`;
    /// lowercase is read as uppercase, anything but two letters is `BAD_USER_INPUT`); those
    /// without a known country drop out.
    pub countries: Option<Vec<String>>,
}

impl CollaboratorFilter {
    /// In the store's terms.
    pub fn to_store(&self) -> collaboration::CollaboratorFilter {
        collaboration::CollaboratorFilter {
            roles: converted(&self.roles),
            period: self.period.map(YearRange::to_period),
            kinds: converted(&self.kinds),
            countries: self.countries.clone(),
        }
    }
}

/// What part of the graph a network covers.
#[derive(InputObject, Clone, Debug, Default)]
pub struct NetworkFilter {
    /// Only organizations located in these countries (ISO 3166-1 alpha-2 codes such as `PL`;
    /// lowercase is read as uppercase, anything but two letters is `BAD_USER_INPUT`).
    pub countries: Option<Vec<String>>,
    /// Only organizations of these kinds.
    pub kinds: Option<Vec<OrganizationKind>>,
    /// Only activities in these programmes (slugs): the programmes, their sub-programmes, and the
    /// projects and events directly under them.
    pub programmes: Option<Vec<String>>,
    /// Only activities classified under these topics (slugs such as `sdg-4`).
    pub topics: Option<Vec<String>>,
    /// Only activities active in these years, by the participation's dates or else the activity's
    /// (undated ones drop out).
    pub period: Option<YearRange>,
}

impl NetworkFilter {
    /// In the store's terms.
    pub fn to_store(&self) -> collaboration::NetworkFilter {
        collaboration::NetworkFilter {
            countries: self.countries.clone(),
            kinds: converted(&self.kinds),
            programmes: self.programmes.clone(),
            topics: self.topics.clone(),
            period: self.period.map(YearRange::to_period),
        }
    }
}

impl YearRange {
    /// As the `graph` crate's period.
    pub fn to_period(self) -> graph::Period {
        graph::Period {
            from: self.from,
            to: self.to,
        }
    }
}
