//! The collaboration ties kept in the `collaboration` table: every organization's partners with
//! their tie weights, computed ahead by [`graph::ties`] so a page of a hub's strongest partners
//! is an index range instead of a pass over every membership of its items.
//!
//! The ties are derived data, and this module is their only writer:
//! - [`crate::write`] calls [`rebuild`] for every organization in an item the load wrote (before
//!   and after the load), in the load's transaction, so the ties never disagree with the
//!   participations, on any number of API instances;
//! - [`rebuild_if_missing`] fills the table of a database loaded before it existed.
//!
//! Fundings are not memberships, whatever they fund. A funder of a project shares it with the
//! project's members only if a participation says so (role `funder`), as before organizations
//! could be funded directly; and a funding of an organization makes no tie between funder and
//! recipient either. A tie counts items two organizations work on together; a payment from one
//! to the other is not one, and as a two-member item it would weigh 1.0 (`1 / (members - 1)`),
//! as much as a project the two ran alone, so a ministry funding hundreds of libraries would rank
//! among the strongest partners of each. The pair is read through `fundingsGiven` and
//! `fundingsReceived`.
//!
//! The API reads memberships with [`memberships_select`] too, for the collaborators a filter
//! narrows and for networks: one definition of which rows are memberships and how they are dated.

use std::collections::BTreeSet;

use entities::{collaboration, event, participation, programme, project, record};
use graph::{ItemKind, ItemRef, Membership};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Iden, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, DeriveIden, EntityTrait, IdenStatic, JoinType,
    QueryFilter, QueryResult, QuerySelect,
};

use self::alias::{EV, P, PJ, PR, Q, R};

/// Organizations per rebuild step: their memberships, and their items' other members, are read
/// in one statement, and their ties held in memory until written.
const ORGANIZATIONS_PER_STEP: usize = 2_000;
/// Ties per INSERT: 7 values each, under SQLite's 32,766 bind parameters.
const TIES_PER_INSERT: usize = 2_000;

/// The tables of a membership statement under their aliases, for callers that add columns,
/// joins and conditions: one definition for the statements here and the API's, so an alias a
/// caller joins cannot clash with one of [`memberships_select`]'s.
pub mod alias {
    use entities::aliased::Aliased;
    use entities::{event, organization, participation, place, programme, project, record};

    /// The membership's participation.
    pub const P: Aliased<participation::Entity> = Aliased::new("p");
    /// The participation's target record (for its kind).
    pub const R: Aliased<record::Entity> = Aliased::new("r");
    /// The target as a project, where it is one.
    pub const PJ: Aliased<project::Entity> = Aliased::new("pj");
    /// The target as a programme, where it is one.
    pub const PR: Aliased<programme::Entity> = Aliased::new("pr");
    /// The target as an event, where it is one.
    pub const EV: Aliased<event::Entity> = Aliased::new("ev");
    /// Another participation in the same target.
    pub const Q: Aliased<participation::Entity> = Aliased::new("q");
    /// The member organization, for callers that join it.
    pub const O: Aliased<organization::Entity> = Aliased::new("o");
    /// The member organization's place, for callers that join it.
    pub const PL: Aliased<place::Entity> = Aliased::new("pl");
}

/// The columns of a [`memberships_select`] row, as [`membership`] reads them.
#[derive(Clone, Copy, Debug, DeriveIden)]
pub enum MembershipColumn {
    OrganizationId,
    TargetId,
    TargetKind,
    YearFrom,
    YearTo,
}

/// Selects memberships: participations, as `organization_id`, `target_id`, `target_kind` (read
/// them with [`membership`], which keeps projects, events and programmes) and the years of the
/// involvement (`year_from`, `year_to`: the participation's own, else the activity's). Tables
/// are aliased as [`alias`] says: `p` (participation), `r` (record), `pj`, `pr` and `ev`.
pub fn memberships_select() -> SelectStatement {
    let mut select = activities_select();
    select
        .expr_as(Func::coalesce(years_from()), MembershipColumn::YearFrom)
        .expr_as(Func::coalesce(years_to()), MembershipColumn::YearTo)
        .join_as(
            JoinType::LeftJoin,
            PJ.table(),
            PJ,
            PJ.col(project::Column::ProjectId)
                .eq(P.col(participation::Column::TargetId)),
        )
        .join_as(
            JoinType::LeftJoin,
            PR.table(),
            PR,
            PR.col(programme::Column::ProgrammeId)
                .eq(P.col(participation::Column::TargetId)),
        )
        .join_as(
            JoinType::LeftJoin,
            EV.table(),
            EV,
            EV.col(event::Column::EventId)
                .eq(P.col(participation::Column::TargetId)),
        );
    select
}

/// Where a membership of [`memberships_select`] starts, in the order `COALESCE` reads them: the
/// participation's own first year, else its activity's.
pub fn years_from() -> [Expr; 4] {
    [
        P.col(participation::Column::YearFrom),
        PJ.col(project::Column::YearFrom),
        PR.col(programme::Column::YearFrom),
        EV.col(event::Column::YearFrom),
    ]
}

/// Where a membership of [`memberships_select`] ends, as [`years_from`].
pub fn years_to() -> [Expr; 4] {
    [
        P.col(participation::Column::YearTo),
        PJ.col(project::Column::YearTo),
        PR.col(programme::Column::YearTo),
        EV.col(event::Column::YearTo),
    ]
}

/// [`memberships_select`] without the years (both null), so without `pj`, `pr` and `ev`: for a
/// caller that needs neither the years nor the activities' columns, such as a collaboration
/// network (a country at size L: 246 ms on PostgreSQL instead of 417 ms).
pub fn undated_memberships_select() -> SelectStatement {
    let mut select = activities_select();
    select
        .expr_as(
            Func::cast_as(Expr::null(), "INTEGER"),
            MembershipColumn::YearFrom,
        )
        .expr_as(
            Func::cast_as(Expr::null(), "INTEGER"),
            MembershipColumn::YearTo,
        );
    select
}

/// Participations with their targets' kinds, the part both selects share.
fn activities_select() -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(
            P.col(participation::Column::OrganizationId),
            MembershipColumn::OrganizationId,
        )
        .expr_as(
            P.col(participation::Column::TargetId),
            MembershipColumn::TargetId,
        )
        .expr_as(R.col(record::Column::Kind), MembershipColumn::TargetKind)
        .from_as(P.table(), P)
        .join_as(
            JoinType::InnerJoin,
            R.table(),
            R,
            R.col(record::Column::RecordId)
                .eq(P.col(participation::Column::TargetId)),
        );
    // Other targets are dropped by [`membership`], not by a condition on `r.kind`: SQLite would
    // drive the plan from that column's index (every activity of the graph) instead of from a
    // caller's filter (a country's organizations), 4× slower for a country network.
    select
}

/// The membership of a [`memberships_select`] row; `None` for a target that is no activity.
pub fn membership(row: &QueryResult) -> Result<Option<Membership>, DbErr> {
    let Some(kind) =
        item_kind(&row.try_get::<String>("", MembershipColumn::TargetKind.unquoted())?)
    else {
        return Ok(None);
    };
    Ok(Some(Membership {
        organization: row.try_get("", MembershipColumn::OrganizationId.unquoted())?,
        item: ItemRef {
            kind,
            id: row.try_get("", MembershipColumn::TargetId.unquoted())?,
        },
        year_from: row.try_get("", MembershipColumn::YearFrom.unquoted())?,
        year_to: row.try_get("", MembershipColumn::YearTo.unquoted())?,
    }))
}

/// The item kind of a record kind: projects, events and programmes are what organizations
/// collaborate through.
#[must_use]
pub fn item_kind(record_kind: &str) -> Option<ItemKind> {
    match record_kind {
        "project" => Some(ItemKind::Project),
        "programme" => Some(ItemKind::Programme),
        "event" => Some(ItemKind::Event),
        _ => None,
    }
}

/// The order of a tie among its organization's ties: the weight (already rounded to four
/// decimals by [`graph::rounded`], so equal shown weights have equal keys) in millionths, negated
/// (ascending is strongest first; the partner id breaks ties). Pages of collaborators,
/// stored or computed, are ordered and keyed by it.
#[must_use]
pub fn sort_key(weight: f64) -> i64 {
    -(weight * 1e6).round() as i64
}

/// Replaces the stored ties of `organizations` with ties computed from the participations as
/// they are now; returns how many ties were written. An organization without participations ends
/// up with none.
pub async fn rebuild<C: ConnectionTrait>(conn: &C, organizations: &[i64]) -> Result<u64, DbErr> {
    let organizations: Vec<i64> = organizations
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut written = 0;
    for step in organizations.chunks(ORGANIZATIONS_PER_STEP) {
        collaboration::Entity::delete_many()
            .filter(Expr::col(collaboration::Column::OrganizationId).is_in(step.iter().copied()))
            .exec(conn)
            .await?;
        let select = items_memberships_select(step);
        let mut memberships = Vec::new();
        for row in conn.query_all(&select).await? {
            memberships.extend(membership(&row)?);
        }
        let ties = graph::ties(&memberships, |o| step.binary_search(&o).is_ok());
        written += insert(conn, &ties).await?;
    }
    Ok(written)
}

/// Writes `ties` into the `collaboration` table (their rows must be gone); returns how many.
async fn insert<C: ConnectionTrait>(conn: &C, ties: &[graph::Tie]) -> Result<u64, DbErr> {
    for batch in ties.chunks(TIES_PER_INSERT) {
        let mut insert = Query::insert();
        insert.into_table(collaboration::Entity).columns([
            collaboration::Column::OrganizationId,
            collaboration::Column::SortKey,
            collaboration::Column::PartnerId,
            collaboration::Column::Weight,
            collaboration::Column::SharedCount,
            collaboration::Column::FirstYear,
            collaboration::Column::LastYear,
        ]);
        for tie in batch {
            insert
                .values([
                    tie.organization.into(),
                    sort_key(tie.weight).into(),
                    tie.partner.into(),
                    tie.weight.into(),
                    i32::try_from(tie.shared_count).unwrap_or(i32::MAX).into(),
                    tie.first_year.into(),
                    tie.last_year.into(),
                ])
                .map_err(|e| DbErr::Custom(format!("building a tie insert: {e}")))?;
        }
        conn.execute(&insert).await?;
    }
    Ok(ties.len() as u64)
}

/// The most activities whose ties [`rebuild_among`] recomputes pair by pair: a story's few. A
/// larger load changes so many pairs that rebuilding its organizations' ties whole
/// ([`rebuild`]) reads less.
pub const MAX_ACTIVITIES_PAIRWISE: usize = 64;

/// Recomputes the ties that a change to `activities` (a participation added or redated, an
/// activity's years changed) can move, and only those: the ties between two members of one of
/// them. A tie between an organization and a partner it shares none of them with sums the same
/// items as before. Returns how many ties were written (both directions of a pair count).
///
/// Why not [`rebuild`] of their members: adding one participation to a project rebuilt every
/// tie of every member, and a hub's are thousands: each of its items' memberships read, its
/// whole tie list rewritten, for a change that moves a handful of pairs.
///
/// The items read are those of every member but the busiest of each activity: two members'
/// shared items are all among the items of either, so the items of the less busy one of every
/// pair cover them, and a hub's thousands of items are never read when it is the busiest
/// member. Each pair's tie is computed by [`graph::ties`] from all their shared items in the
/// same order as a whole rebuild, so it is the same to the bit.
///
/// Only for changes that add or redate memberships, never remove one (a load's): a pair that
/// shares nothing after it would keep its stored tie. Removals go through [`rebuild`].
pub async fn rebuild_among<C: ConnectionTrait>(conn: &C, activities: &[i64]) -> Result<u64, DbErr> {
    use std::collections::{BTreeMap, HashMap};

    if activities.is_empty() {
        return Ok(0);
    }
    let mut members: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    let rows: Vec<(i64, i64)> = participation::Entity::find()
        .select_only()
        .column(participation::Column::TargetId)
        .column(participation::Column::OrganizationId)
        .filter(participation::Column::TargetId.is_in(activities.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    for (activity, organization) in rows {
        members.entry(activity).or_default().insert(organization);
    }
    members.retain(|_, m| m.len() >= 2);
    if members.is_empty() {
        return Ok(0);
    }
    // Each member's partners among the activities' members: the pairs whose ties move.
    let mut pairs: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for m in members.values() {
        for &o in m {
            pairs
                .entry(o)
                .or_default()
                .extend(m.iter().filter(|&&p| p != o));
        }
    }
    let organizations: Vec<i64> = pairs.keys().copied().collect();
    let mut busy: HashMap<i64, i64> = HashMap::new();
    let counted: Vec<(i64, i64)> = participation::Entity::find()
        .select_only()
        .column(participation::Column::OrganizationId)
        .column_as(participation::Column::ParticipationId.count(), "n")
        .filter(participation::Column::OrganizationId.is_in(organizations.iter().copied()))
        .group_by(participation::Column::OrganizationId)
        .into_tuple()
        .all(conn)
        .await?;
    busy.extend(counted);
    let mut readers: BTreeSet<i64> = BTreeSet::new();
    for m in members.values() {
        let Some(busiest) = m
            .iter()
            .copied()
            .max_by_key(|o| (busy.get(o).copied().unwrap_or(0), *o))
        else {
            continue;
        };
        readers.extend(m.iter().copied().filter(|&o| o != busiest));
    }
    let readers: Vec<i64> = readers.into_iter().collect();
    let mut memberships = Vec::new();
    for row in conn.query_all(&items_memberships_select(&readers)).await? {
        memberships.extend(membership(&row)?);
    }
    let ties: Vec<graph::Tie> = graph::ties(&memberships, |o| pairs.contains_key(&o))
        .into_iter()
        .filter(|t| pairs[&t.organization].contains(&t.partner))
        .collect();
    for (organization, partners) in &pairs {
        collaboration::Entity::delete_many()
            .filter(Expr::col(collaboration::Column::OrganizationId).eq(*organization))
            .filter(Expr::col(collaboration::Column::PartnerId).is_in(partners.iter().copied()))
            .exec(conn)
            .await?;
    }
    insert(conn, &ties).await
}

/// The memberships of every item any of `organizations` is in.
fn items_memberships_select(organizations: &[i64]) -> SelectStatement {
    let mut select = memberships_select();
    select.and_where(
        P.col(participation::Column::TargetId).in_subquery(
            Query::select()
                .column(participation::Column::TargetId)
                .from(participation::Entity)
                .and_where(
                    Expr::col(participation::Column::OrganizationId)
                        .is_in(organizations.iter().copied()),
                )
                .to_owned(),
        ),
    );
    select
}

/// One membership of an item with another member, if any.
fn any_shared_select() -> SelectStatement {
    let mut shared = memberships_select();
    shared
        .join_as(
            JoinType::InnerJoin,
            Q.table(),
            Q,
            Q.col(participation::Column::TargetId)
                .eq(P.col(participation::Column::TargetId))
                .and(
                    Q.col(participation::Column::OrganizationId)
                        .ne(P.col(participation::Column::OrganizationId)),
                ),
        )
        .limit(1);
    shared
}

/// Fills the ties of a database whose participations were loaded before the `collaboration`
/// table existed (or whose ties were lost): when no tie is stored but two organizations share
/// an activity, every organization's ties are computed. Returns how many were written (0 when
/// nothing was missing).
pub async fn rebuild_if_missing<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    let any_tie = Query::select()
        .expr(Expr::val(1))
        .from(collaboration::Entity)
        .limit(1)
        .to_owned();
    if conn.query_one(&any_tie).await?.is_some() {
        return Ok(0);
    }
    if conn.query_one(&any_shared_select()).await?.is_none() {
        return Ok(0);
    }
    let members = Query::select()
        .distinct()
        .column(participation::Column::OrganizationId)
        .from(participation::Entity)
        .to_owned();
    let mut organizations = Vec::new();
    for row in conn.query_all(&members).await? {
        organizations.push(row.try_get::<i64>("", participation::Column::OrganizationId.as_str())?);
    }
    rebuild(conn, &organizations).await
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    use super::*;

    /// Participations with their targets' kinds: what both membership statements start with.
    const ACTIVITIES: &str = concat!(
        r#"SELECT "p"."organization_id" AS "organization_id", "p"."target_id" AS "target_id", "#,
        r#""r"."kind" AS "target_kind", {years} FROM "participation" AS "p""#,
        r#" INNER JOIN "record" AS "r" ON "r"."record_id" = "p"."target_id""#,
    );

    /// `statement` on PostgreSQL, after checking that SQLite gets the same text.
    fn sql(statement: &SelectStatement) -> String {
        let pg = statement.to_string(PostgresQueryBuilder);
        assert_eq!(statement.to_string(SqliteQueryBuilder), pg);
        pg
    }

    #[test]
    fn memberships_are_dated_by_the_participation_else_its_activity() {
        let years = concat!(
            r#"COALESCE("p"."year_from", "pj"."year_from", "pr"."year_from", "ev"."year_from") AS "year_from", "#,
            r#"COALESCE("p"."year_to", "pj"."year_to", "pr"."year_to", "ev"."year_to") AS "year_to""#,
        );
        let joins = concat!(
            r#" LEFT JOIN "project" AS "pj" ON "pj"."project_id" = "p"."target_id""#,
            r#" LEFT JOIN "programme" AS "pr" ON "pr"."programme_id" = "p"."target_id""#,
            r#" LEFT JOIN "event" AS "ev" ON "ev"."event_id" = "p"."target_id""#,
        );
        let dated = ACTIVITIES.replace("{years}", years) + joins;
        assert_eq!(sql(&memberships_select()), dated);
        assert_eq!(
            sql(&undated_memberships_select()),
            ACTIVITIES.replace(
                "{years}",
                r#"CAST(NULL AS INTEGER) AS "year_from", CAST(NULL AS INTEGER) AS "year_to""#
            )
        );
        assert_eq!(
            sql(&items_memberships_select(&[1, 2])),
            format!(
                concat!(
                    r#"{} WHERE "p"."target_id" IN (SELECT "target_id" FROM "participation""#,
                    r#" WHERE "organization_id" IN (1, 2))"#,
                ),
                dated
            )
        );
        assert_eq!(
            sql(&any_shared_select()),
            format!(
                concat!(
                    r#"{} INNER JOIN "participation" AS "q" ON "q"."target_id" = "p"."target_id""#,
                    r#" AND "q"."organization_id" <> "p"."organization_id" LIMIT 1"#,
                ),
                dated
            )
        );
    }
}
