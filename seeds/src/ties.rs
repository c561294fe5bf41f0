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

use entities::collaboration;
use graph::{ItemKind, ItemRef, Membership};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryResult};

/// Organizations per rebuild step: their memberships, and their items' other members, are read
/// in one statement, and their ties held in memory until written.
const ORGANIZATIONS_PER_STEP: usize = 2_000;
/// Ties per INSERT: 7 values each, under SQLite's 32,766 bind parameters.
const TIES_PER_INSERT: usize = 2_000;

/// Selects memberships: participations, as `organization_id`, `target_id`, `target_kind` (read
/// them with [`membership`], which keeps projects, events and programmes) and the years of the
/// involvement (`year_from`, `year_to`: the participation's own, else the activity's). Tables
/// are aliased `p` (participation), `r` (record), `pj`, `pr` and `ev`, for callers that add
/// columns, joins and conditions.
pub fn memberships_select() -> SelectStatement {
    let mut select = activities_select();
    select
        .expr_as(
            Expr::cust("COALESCE(p.year_from, pj.year_from, pr.year_from, ev.year_from)"),
            Alias::new("year_from"),
        )
        .expr_as(
            Expr::cust("COALESCE(p.year_to, pj.year_to, pr.year_to, ev.year_to)"),
            Alias::new("year_to"),
        )
        .join_as(
            sea_orm::JoinType::LeftJoin,
            Alias::new("project"),
            Alias::new("pj"),
            Expr::cust("pj.project_id = p.target_id"),
        )
        .join_as(
            sea_orm::JoinType::LeftJoin,
            Alias::new("programme"),
            Alias::new("pr"),
            Expr::cust("pr.programme_id = p.target_id"),
        )
        .join_as(
            sea_orm::JoinType::LeftJoin,
            Alias::new("event"),
            Alias::new("ev"),
            Expr::cust("ev.event_id = p.target_id"),
        );
    select
}

/// [`memberships_select`] without the years (both null), so without `pj`, `pr` and `ev`: for a
/// caller that needs neither the years nor the activities' columns, such as a collaboration
/// network (a country at size L: 246 ms on PostgreSQL instead of 417 ms).
pub fn undated_memberships_select() -> SelectStatement {
    let mut select = activities_select();
    select
        .expr_as(Expr::cust("CAST(NULL AS INTEGER)"), Alias::new("year_from"))
        .expr_as(Expr::cust("CAST(NULL AS INTEGER)"), Alias::new("year_to"));
    select
}

/// Participations with their targets' kinds, the part both selects share.
fn activities_select() -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(
            Expr::cust("p.organization_id"),
            Alias::new("organization_id"),
        )
        .expr_as(Expr::cust("p.target_id"), Alias::new("target_id"))
        .expr_as(Expr::cust("r.kind"), Alias::new("target_kind"))
        .from_as(Alias::new("participation"), Alias::new("p"))
        .join_as(
            sea_orm::JoinType::InnerJoin,
            Alias::new("record"),
            Alias::new("r"),
            Expr::cust("r.record_id = p.target_id"),
        );
    // Other targets are dropped by [`membership`], not by a condition on `r.kind`: SQLite would
    // drive the plan from that column's index (every activity of the graph) instead of from a
    // caller's filter (a country's organizations), 4× slower for a country network.
    select
}

/// The membership of a [`memberships_select`] row; `None` for a target that is no activity.
pub fn membership(row: &QueryResult) -> Result<Option<Membership>, DbErr> {
    let Some(kind) = item_kind(&row.try_get::<String>("", "target_kind")?) else {
        return Ok(None);
    };
    Ok(Some(Membership {
        organization: row.try_get("", "organization_id")?,
        item: ItemRef {
            kind,
            id: row.try_get("", "target_id")?,
        },
        year_from: row.try_get("", "year_from")?,
        year_to: row.try_get("", "year_to")?,
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
            .filter(Expr::col(Alias::new("organization_id")).is_in(step.iter().copied()))
            .exec(conn)
            .await?;
        let mut select = memberships_select();
        select.and_where(
            Expr::cust("p.target_id").in_subquery(
                Query::select()
                    .column(Alias::new("target_id"))
                    .from(Alias::new("participation"))
                    .and_where(Expr::col(Alias::new("organization_id")).is_in(step.iter().copied()))
                    .to_owned(),
            ),
        );
        let mut memberships = Vec::new();
        for row in conn.query_all(&select).await? {
            memberships.extend(membership(&row)?);
        }
        let ties = graph::ties(&memberships, |o| step.binary_search(&o).is_ok());
        for batch in ties.chunks(TIES_PER_INSERT) {
            let mut insert = Query::insert();
            insert.into_table(Alias::new("collaboration")).columns([
                Alias::new("organization_id"),
                Alias::new("sort_key"),
                Alias::new("partner_id"),
                Alias::new("weight"),
                Alias::new("shared_count"),
                Alias::new("first_year"),
                Alias::new("last_year"),
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
            written += batch.len() as u64;
        }
    }
    Ok(written)
}

/// Fills the ties of a database whose participations were loaded before the `collaboration`
/// table existed (or whose ties were lost): when no tie is stored but two organizations share
/// an activity, every organization's ties are computed. Returns how many were written (0 when
/// nothing was missing).
pub async fn rebuild_if_missing<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    let any_tie = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new("collaboration"))
        .limit(1)
        .to_owned();
    if conn.query_one(&any_tie).await?.is_some() {
        return Ok(0);
    }
    let mut shared = memberships_select();
    shared
        .join_as(
            sea_orm::JoinType::InnerJoin,
            Alias::new("participation"),
            Alias::new("q"),
            Expr::cust("q.target_id = p.target_id AND q.organization_id <> p.organization_id"),
        )
        .limit(1);
    if conn.query_one(&shared).await?.is_none() {
        return Ok(0);
    }
    let members = Query::select()
        .distinct()
        .column(Alias::new("organization_id"))
        .from(Alias::new("participation"))
        .to_owned();
    let mut organizations = Vec::new();
    for row in conn.query_all(&members).await? {
        organizations.push(row.try_get::<i64>("", "organization_id")?);
    }
    rebuild(conn, &organizations).await
}
