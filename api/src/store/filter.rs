//! The root lists' filters in the store's terms, and the conditions they become: which
//! organizations, programmes, projects and events a list keeps, which places, topics and funders.
//!
//! Each filter is a `WHERE` condition on the list's own table, built from the entities' columns:
//! the related tables are reached through `IN (SELECT …)` sub-queries, so a page is still one
//! statement over one table, keyset-paged in its index ([`super::page`]), and counting the list is
//! the same condition under `COUNT(*)`. The only statement a filter runs itself is the programme
//! tree of a `programmes` filter ([`programme_tree`]), read before the page.

use entities::text::fold;
use entities::{
    classification, event, funding, organization, participation, place, programme, project, topic,
};
use graph::Period as Years;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::collaboration::programme_tree;
use super::country;
use super::error::{StoreError, StoreResult};
use super::order::period;
use super::search::{MAX_SEARCH_LENGTH, records_with_word};
use super::sql::{ColumnName, Period};

/// Which organizations a list keeps. Every condition given must hold; `roles`, `active_in`,
/// `programmes` and `funders` must hold for one and the same participation.
#[derive(Clone, Debug, Default)]
pub struct OrganizationFilter {
    /// Only libraries (organizations of kind `library`), whatever `kinds` says.
    pub libraries_only: bool,
    /// Only organizations of these kinds.
    pub kinds: Option<Vec<entities::OrganizationKind>>,
    /// Only organizations located in these countries (ISO 3166-1 alpha-2 codes, checked here as
    /// [`country::checked`] says).
    pub countries: Option<Vec<String>>,
    /// Taking part in activities about these topics (slugs), or classified under them itself.
    pub topics: Option<Vec<String>>,
    /// Taking part in these programmes (slugs), their sub-programmes, or the projects and events
    /// directly under them.
    pub programmes: Option<Vec<String>>,
    /// Taking part in activities funded by these organizations (slugs).
    pub funders: Option<Vec<String>>,
    /// Taking part in anything in one of these roles.
    pub roles: Option<Vec<entities::Role>>,
    /// With a participation whose own dates overlap these years.
    pub active_in: Option<Years>,
    /// Every word of this text starts a word of its search texts.
    pub text: Option<String>,
}

/// Which activities of one table a list keeps. Every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    /// Only events of these kinds; refused on the other tables.
    pub event_kinds: Option<Vec<entities::EventKind>>,
    /// Only programmes of these kinds; refused on the other tables.
    pub programme_kinds: Option<Vec<entities::ProgrammeKind>>,
    /// With a taking-part organization located in these countries (codes, checked here), or, for
    /// projects and events, located there itself.
    pub countries: Option<Vec<String>>,
    /// Under these programmes (slugs) or their sub-programmes; programmes themselves included.
    pub programmes: Option<Vec<String>>,
    /// Funded directly by these organizations (slugs).
    pub funders: Option<Vec<String>>,
    /// Classified under these topics (slugs).
    pub topics: Option<Vec<String>>,
    /// With one of these organizations (slugs) taking part; with `roles`, in one of those roles.
    pub organizations: Option<Vec<String>>,
    /// With an organization taking part in one of these roles.
    pub roles: Option<Vec<entities::Role>>,
    /// Running in these years: its own period overlaps them.
    pub active_in: Option<Years>,
    /// Every word of this text starts a word of its search texts.
    pub text: Option<String>,
}

/// The activity tables a root list pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activities {
    Programmes,
    Projects,
    Events,
}

/// The columns of an activity table that its list's filters read.
struct ActivityTable {
    /// Its id.
    key: ColumnName,
    /// The programme it runs under (a programme's own id: a programme is in its own tree).
    programme: ColumnName,
    /// Where it takes place; a programme has no place.
    place: Option<ColumnName>,
    /// Its kind, where `event_kinds` applies.
    event_kind: Option<ColumnName>,
    /// Its kind, where `programme_kinds` applies.
    programme_kind: Option<ColumnName>,
    period: &'static Period,
}

impl Activities {
    fn table(self) -> ActivityTable {
        match self {
            Activities::Programmes => ActivityTable {
                key: ColumnName::of(programme::Column::ProgrammeId),
                programme: ColumnName::of(programme::Column::ProgrammeId),
                place: None,
                event_kind: None,
                programme_kind: Some(ColumnName::of(programme::Column::Kind)),
                period: &period::PROGRAMME,
            },
            Activities::Projects => ActivityTable {
                key: ColumnName::of(project::Column::ProjectId),
                programme: ColumnName::of(project::Column::ProgrammeId),
                place: Some(ColumnName::of(project::Column::PlaceId)),
                event_kind: None,
                programme_kind: None,
                period: &period::PROJECT,
            },
            Activities::Events => ActivityTable {
                key: ColumnName::of(event::Column::EventId),
                programme: ColumnName::of(event::Column::ProgrammeId),
                place: Some(ColumnName::of(event::Column::PlaceId)),
                event_kind: Some(ColumnName::of(event::Column::Kind)),
                programme_kind: None,
                period: &period::EVENT,
            },
        }
    }
}

/// The organizations `filter` keeps, as a condition on the `organization` table.
pub async fn organizations(
    db: &DatabaseConnection,
    filter: &OrganizationFilter,
) -> StoreResult<Condition> {
    let key = ColumnName::of(organization::Column::OrganizationId);
    let mut all = Condition::all();
    if filter.libraries_only {
        all = all.add(
            Expr::col(organization::Column::Kind).eq(entities::OrganizationKind::Library.as_str()),
        );
    }
    if let Some(kinds) = &filter.kinds {
        all =
            all.add(Expr::col(organization::Column::Kind).is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(countries) = &filter.countries {
        let countries = country::checked("filter.countries", countries)?;
        all = all.add(Expr::col(organization::Column::PlaceId).in_subquery(places_in(countries)));
    }
    // Participation-based filters all constrain the same participations.
    let mut taking_part = Condition::all();
    let mut any_participation_filter = false;
    if let Some(roles) = &filter.roles {
        taking_part = taking_part.add(role_is_one_of(roles));
        any_participation_filter = true;
    }
    if let Some(years) = &filter.active_in {
        taking_part = taking_part.add(period::PARTICIPATION.overlaps(years.from, years.to));
        any_participation_filter = true;
    }
    if let Some(slugs) = &filter.programmes {
        let ids: Vec<i64> = programme_tree(db, slugs).await?.into_iter().collect();
        taking_part = taking_part.add(activities_in_programmes(&ids));
        any_participation_filter = true;
    }
    if let Some(funders) = &filter.funders {
        taking_part = taking_part.add(
            Expr::col(participation::Column::TargetId).in_subquery(activities_funded_by(funders)),
        );
        any_participation_filter = true;
    }
    if any_participation_filter {
        all = all.add(
            Expr::col(key)
                .in_subquery(subquery(participation::Column::OrganizationId, taking_part)),
        );
    }
    if let Some(topics) = &filter.topics {
        all = all.add(
            Condition::any()
                .add(Expr::col(key).in_subquery(activities_with_topics(topics)))
                .add(
                    Expr::col(key).in_subquery(subquery(
                        participation::Column::OrganizationId,
                        Condition::all().add(
                            Expr::col(participation::Column::TargetId)
                                .in_subquery(activities_with_topics(topics)),
                        ),
                    )),
                ),
        );
    }
    if let Some(text) = &filter.text {
        all = all.add(text_condition(key, text)?);
    }
    Ok(all)
}

/// The activities of `activities`' table that `filter` keeps, as a condition on that table.
pub async fn activities(
    db: &DatabaseConnection,
    activities: Activities,
    filter: &ActivityFilter,
) -> StoreResult<Condition> {
    let table = activities.table();
    let key = table.key;
    let mut all = Condition::all();
    if let Some(kinds) = &filter.event_kinds {
        let Some(kind) = table.event_kind else {
            return Err(StoreError::invalid(
                "filter.eventKinds",
                "only applies to events",
            ));
        };
        all = all.add(Expr::col(kind).is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(kinds) = &filter.programme_kinds {
        let Some(kind) = table.programme_kind else {
            return Err(StoreError::invalid(
                "filter.programmeKinds",
                "only applies to programmes",
            ));
        };
        all = all.add(Expr::col(kind).is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(years) = &filter.active_in {
        all = all.add(table.period.overlaps(years.from, years.to));
    }
    if let Some(slugs) = &filter.programmes {
        let ids: Vec<i64> = programme_tree(db, slugs).await?.into_iter().collect();
        all = all.add(Expr::col(table.programme).is_in(ids));
    }
    if let Some(funders) = &filter.funders {
        all = all.add(Expr::col(key).in_subquery(activities_funded_by(funders)));
    }
    if let Some(topics) = &filter.topics {
        all = all.add(Expr::col(key).in_subquery(activities_with_topics(topics)));
    }
    let mut taking_part = Condition::all();
    let mut any_participation_filter = false;
    if let Some(slugs) = &filter.organizations {
        taking_part = taking_part.add(
            Expr::col(participation::Column::OrganizationId).in_subquery(ids_of_slugs(
                organization::Column::OrganizationId,
                organization::Column::Slug,
                slugs,
            )),
        );
        any_participation_filter = true;
    }
    if let Some(roles) = &filter.roles {
        taking_part = taking_part.add(role_is_one_of(roles));
        any_participation_filter = true;
    }
    if any_participation_filter {
        all = all.add(
            Expr::col(key).in_subquery(subquery(participation::Column::TargetId, taking_part)),
        );
    }
    if let Some(countries) = &filter.countries {
        let in_country = places_in(country::checked("filter.countries", countries)?);
        let organizations_there = subquery(
            organization::Column::OrganizationId,
            Condition::all()
                .add(Expr::col(organization::Column::PlaceId).in_subquery(in_country.clone())),
        );
        let mut any = Condition::any().add(Expr::col(key).in_subquery(subquery(
            participation::Column::TargetId,
            Condition::all().add(
                Expr::col(participation::Column::OrganizationId).in_subquery(organizations_there),
            ),
        )));
        if let Some(place) = table.place {
            any = any.add(Expr::col(place).in_subquery(in_country));
        }
        all = all.add(any);
    }
    if let Some(text) = &filter.text {
        all = all.add(text_condition(key, text)?);
    }
    Ok(all)
}

/// Organizations that fund anything, as a condition on the `organization` table.
pub fn funders() -> Condition {
    Condition::all().add(
        Expr::col(organization::Column::OrganizationId)
            .in_subquery(subquery(funding::Column::FunderId, Condition::all())),
    )
}

/// Places in `countries`, as a condition on the `place` table; the codes are checked as
/// [`country::checked`] says, and `field` is what a bad one is reported against.
pub fn places_in_countries(field: &str, countries: &[String]) -> StoreResult<Condition> {
    let countries = country::checked(field, countries)?;
    Ok(Condition::all().add(Expr::col(place::Column::CountryCode).is_in(countries)))
}

/// The 17 Sustainable Development Goals among the topics, as a condition on the `topic` table.
pub fn sdg_topics() -> Condition {
    Condition::all().add(Expr::col(topic::Column::Kind).eq(entities::TopicKind::Sdg.as_str()))
}

/// The one record of `E` whose `slug` column is `slug`, if any (slugs are unique).
pub async fn by_slug<E: EntityTrait>(
    db: &DatabaseConnection,
    slug_column: E::Column,
    slug: &str,
) -> StoreResult<Option<E::Model>> {
    let _turn = crate::store::share::turn().await;
    Ok(E::find().filter(slug_column.eq(slug)).one(db).await?)
}

/// `column` of the rows of its table matching `condition`.
fn subquery<C: ColumnTrait>(column: C, condition: Condition) -> SelectStatement {
    Query::select()
        .column(column)
        .from(C::EntityName::default())
        .cond_where(condition)
        .to_owned()
}

/// The ids (`id`) of the rows whose `slug` is one of `slugs`.
fn ids_of_slugs<C: ColumnTrait>(id: C, slug: C, slugs: &[String]) -> SelectStatement {
    subquery(
        id,
        Condition::all().add(Expr::col(slug).is_in(slugs.iter().cloned())),
    )
}

/// Records in whose folded search texts every word of `text` starts a word.
fn text_condition(key: ColumnName, text: &str) -> StoreResult<Condition> {
    let folded = fold(text);
    if folded.is_empty() || text.chars().count() > MAX_SEARCH_LENGTH {
        return Err(StoreError::invalid(
            "filter.text",
            format!("must contain letters or digits, at most {MAX_SEARCH_LENGTH} characters"),
        ));
    }
    let mut all = Condition::all();
    for token in folded.split(' ') {
        all = all.add(Expr::col(key).in_subquery(records_with_word(token)));
    }
    Ok(all)
}

/// A participation's role is one of `roles`.
fn role_is_one_of(roles: &[entities::Role]) -> Expr {
    Expr::col(participation::Column::Role).is_in(roles.iter().map(|r| r.as_str()))
}

/// Activities (record ids) of the given topics.
fn activities_with_topics(topics: &[String]) -> SelectStatement {
    subquery(
        classification::Column::SubjectId,
        Condition::all().add(
            Expr::col(classification::Column::TopicId).in_subquery(ids_of_slugs(
                topic::Column::TopicId,
                topic::Column::Slug,
                topics,
            )),
        ),
    )
}

/// Activities (record ids) funded by the given funders. The organizations they fund directly
/// come along too, but an organization's id is no activity's nor a participation's target, so
/// the filters that compare with it keep meaning funded activities.
fn activities_funded_by(funders: &[String]) -> SelectStatement {
    subquery(
        funding::Column::RecipientId,
        Condition::all().add(
            Expr::col(funding::Column::FunderId).in_subquery(ids_of_slugs(
                organization::Column::OrganizationId,
                organization::Column::Slug,
                funders,
            )),
        ),
    )
}

/// Participations in the programmes: the programmes themselves and their projects and events.
fn activities_in_programmes(programmes: &[i64]) -> Condition {
    let target = || Expr::col(participation::Column::TargetId);
    Condition::any()
        .add(target().is_in(programmes.iter().copied()))
        .add(
            target().in_subquery(subquery(
                project::Column::ProjectId,
                Condition::all()
                    .add(Expr::col(project::Column::ProgrammeId).is_in(programmes.iter().copied())),
            )),
        )
        .add(
            target().in_subquery(subquery(
                event::Column::EventId,
                Condition::all()
                    .add(Expr::col(event::Column::ProgrammeId).is_in(programmes.iter().copied())),
            )),
        )
}

/// The places (`place_id`) in `countries`.
fn places_in(countries: Vec<String>) -> SelectStatement {
    subquery(
        place::Column::PlaceId,
        Condition::all().add(Expr::col(place::Column::CountryCode).is_in(countries)),
    )
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use sea_orm::{Database, DbBackend};

    use super::*;

    /// A connection for the filters that read nothing: an empty in-memory SQLite.
    async fn nothing_stored() -> DatabaseConnection {
        Database::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite")
    }

    fn render<E: EntityTrait + Default>(condition: Condition, backend: DbBackend) -> String {
        let select = Query::select()
            .column(sea_orm::sea_query::Asterisk)
            .from(E::default())
            .cond_where(condition)
            .to_owned();
        match backend {
            DbBackend::Postgres => select.to_string(PostgresQueryBuilder),
            _ => select.to_string(SqliteQueryBuilder),
        }
    }

    fn strings(list: &[&str]) -> Option<Vec<String>> {
        Some(list.iter().map(|s| (*s).to_owned()).collect())
    }

    #[tokio::test]
    async fn the_participation_conditions_of_an_organization_hold_for_one_participation() {
        let filter = OrganizationFilter {
            libraries_only: true,
            countries: strings(&["pl"]),
            roles: Some(vec![entities::Role::Funder]),
            active_in: Some(Years {
                from: Some(2019),
                to: None,
            }),
            funders: strings(&["frsi"]),
            ..Default::default()
        };
        let condition = organizations(&nothing_stored().await, &filter)
            .await
            .unwrap();
        assert_eq!(
            render::<organization::Entity>(condition, DbBackend::Sqlite),
            r#"SELECT * FROM "organization" WHERE "kind" = 'library' AND "place_id" IN (SELECT "place_id" FROM "place" WHERE "country_code" IN ('PL')) AND "organization_id" IN (SELECT "organization_id" FROM "participation" WHERE "role" IN ('funder') AND (COALESCE(year_to, year_from)) >= 2019 AND "target_id" IN (SELECT "recipient_id" FROM "funding" WHERE "funder_id" IN (SELECT "organization_id" FROM "organization" WHERE "slug" IN ('frsi'))))"#
        );
    }

    #[tokio::test]
    async fn a_project_is_in_a_country_by_its_partners_or_its_own_place_and_a_programme_only_by_its_partners()
     {
        let db = nothing_stored().await;
        let filter = ActivityFilter {
            countries: strings(&["MD"]),
            ..Default::default()
        };
        let projects = render::<project::Entity>(
            activities(&db, Activities::Projects, &filter)
                .await
                .unwrap(),
            DbBackend::Postgres,
        );
        assert!(
            projects.ends_with(r#" OR "place_id" IN (SELECT "place_id" FROM "place" WHERE "country_code" IN ('MD'))"#),
            "{projects}"
        );
        let programmes = render::<programme::Entity>(
            activities(&db, Activities::Programmes, &filter)
                .await
                .unwrap(),
            DbBackend::Postgres,
        );
        assert!(
            programmes.contains(r#""programme_id" IN (SELECT "target_id" FROM "participation""#),
            "{programmes}"
        );
        assert!(!programmes.contains(r#" OR "place_id""#), "{programmes}");
    }

    #[tokio::test]
    async fn kinds_of_another_table_countries_that_are_no_codes_and_empty_texts_are_refused_naming_the_field()
     {
        let db = nothing_stored().await;
        let refused = |result: StoreResult<Condition>| match result {
            Err(StoreError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        let events = ActivityFilter {
            event_kinds: Some(vec![entities::EventKind::Conference]),
            ..Default::default()
        };
        assert_eq!(
            refused(activities(&db, Activities::Projects, &events).await),
            "filter.eventKinds"
        );
        assert!(activities(&db, Activities::Events, &events).await.is_ok());
        let programmes = ActivityFilter {
            programme_kinds: Some(vec![entities::ProgrammeKind::Fund]),
            ..Default::default()
        };
        assert_eq!(
            refused(activities(&db, Activities::Events, &programmes).await),
            "filter.programmeKinds"
        );
        let country = OrganizationFilter {
            countries: strings(&["Poland"]),
            ..Default::default()
        };
        assert_eq!(
            refused(organizations(&db, &country).await),
            "filter.countries"
        );
        let text = OrganizationFilter {
            text: Some(" ,; ".into()),
            ..Default::default()
        };
        assert_eq!(refused(organizations(&db, &text).await), "filter.text");
        assert_eq!(
            refused(places_in_countries("countries", &["POL".into()]).map(|_| Condition::all())),
            "countries"
        );
    }

    #[tokio::test]
    async fn every_word_of_a_text_must_start_a_word_of_the_record() {
        let filter = OrganizationFilter {
            text: Some("Biblioteka Olsz".into()),
            ..Default::default()
        };
        let condition = organizations(&nothing_stored().await, &filter)
            .await
            .unwrap();
        assert_eq!(
            render::<organization::Entity>(condition, DbBackend::Sqlite),
            r#"SELECT * FROM "organization" WHERE "organization_id" IN (SELECT "record_id" FROM "search_word" WHERE "word" >= 'biblioteka' AND "word" < 'biblioteka{') AND "organization_id" IN (SELECT "record_id" FROM "search_word" WHERE "word" >= 'olsz' AND "word" < 'olsz{')"#
        );
    }
}
