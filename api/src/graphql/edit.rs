//! History: the revisions every change leaves (`history`, `recentChanges`, `revision`), and
//! every record's `version`. The mutations that make revisions are in [`super::story`].

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use entities::kinds::RecordKind;
use seeds::revision::normalize;
use serde_json::Value;

use super::id::{self, NodeType};
use super::object::loaders;
use crate::store::edit::{self, RevisionChanges, RevisionRow};
use crate::store::error::StoreError;

/// The most revisions one list returns, and the most changes one revision lists.
pub const MAX_REVISIONS: i32 = 100;
pub const MAX_CHANGES: i32 = 500;

/// One change to the graph: a story recorded, a revision undone, a seed load.
pub struct Revision(pub RevisionRow);

/// What a revision did to one record.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChangeAction {
    /// The record did not exist before.
    Created,
    /// The record existed and changed.
    Updated,
    /// The record no longer exists.
    Deleted,
}

/// One record as a revision changed it.
pub struct RecordChange(entities::revision_change::Model);

/// The records a revision changed: the first ones, and how many there are.
#[derive(SimpleObject)]
pub struct RecordChanges {
    /// How many records the revision changed in all.
    pub total_count: u64,
    /// The first of them, in record order.
    pub items: Vec<RecordChange>,
}

/// One change to the graph: a story recorded, a revision undone, a seed load; who made it, when,
/// why, and the records it changed before and after.
#[Object]
impl Revision {
    /// The revision's number: they count up in the order changes were made.
    async fn number(&self) -> i64 {
        self.0.revision.revision_id
    }

    /// When, as an RFC 3339 timestamp in UTC.
    async fn at(&self) -> &str {
        &self.0.revision.at
    }

    /// Who: the name of the token that made it, or `seed` for `libgraph seed`.
    async fn actor(&self) -> &str {
        &self.0.revision.actor
    }

    /// What: `recordStory`, `deleteRecord`, `mergeOrganizations`, `restore` (written as
    /// `revert`), `revert` or `seed`.
    async fn operation(&self) -> &str {
        &self.0.revision.operation
    }

    /// Why, in the editor's words.
    async fn reason(&self) -> Option<&str> {
        self.0.revision.reason.as_deref()
    }

    /// The number of the revision this one undid, for a revert.
    async fn reverts(&self) -> Option<i64> {
        self.0.revision.reverts
    }

    /// The number of the revision that undid this one, if one did.
    async fn reverted_by(&self) -> Option<i64> {
        self.0.reverted_by
    }

    /// The records it changed, in the order they were created, before and after.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "How many, at most 500.")] first: i32,
    ) -> async_graphql::Result<RecordChanges> {
        if !(0..=MAX_CHANGES).contains(&first) {
            return Err(StoreError::invalid(
                "first",
                format!("between 0 and {MAX_CHANGES}, got {first}"),
            )
            .into());
        }
        let loaders: &DataLoader<_> = loaders(ctx)?;
        let page = loaders
            .load_one(RevisionChanges {
                revision: self.0.revision.revision_id,
                first: first as u64,
            })
            .await?
            .unwrap_or_default();
        Ok(RecordChanges {
            total_count: page.1,
            items: page.0.iter().cloned().map(RecordChange).collect(),
        })
    }
}

/// One record as a revision changed it: its rows before and after.
#[Object]
impl RecordChange {
    /// The record's global ID (as its `id` field gives it); null for a classification or an
    /// audience, which have none.
    async fn record_id(&self) -> Option<ID> {
        let kind = RecordKind::parse(&self.0.kind)?;
        node_type(kind).map(|t| id::encode(t, self.0.record_id))
    }

    /// What the record is: `organization`, `participation`, …
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// Its slug, or a relation's key (`participation:who:role:what`).
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// Whether the revision created, updated or deleted the record.
    async fn action(&self) -> ChangeAction {
        match (&self.0.before, &self.0.after) {
            (None, _) => ChangeAction::Created,
            (_, None) => ChangeAction::Deleted,
            _ => ChangeAction::Updated,
        }
    }

    /// The record's rows before, by table (`organization`, `alias`, `citation`, …); null if
    /// the revision created it.
    async fn before(&self) -> Option<Json<Value>> {
        shown(self.0.before.as_deref())
    }

    /// The record's rows after; null if the revision deleted it.
    async fn after(&self) -> Option<Json<Value>> {
        shown(self.0.after.as_deref())
    }
}

/// A stored snapshot as a client sees it: without the search index rows and the surrogate ids.
fn shown(text: Option<&str>) -> Option<Json<Value>> {
    let snap: serde_json::Map<String, Value> = serde_json::from_str(text?).ok()?;
    Some(Json(Value::Object(normalize(&snap))))
}

/// The node type of a record kind; classifications and audiences are not nodes.
pub fn node_type(kind: RecordKind) -> Option<NodeType> {
    Some(match kind {
        RecordKind::Organization => NodeType::Organization,
        RecordKind::Place => NodeType::Place,
        RecordKind::Programme => NodeType::Programme,
        RecordKind::Project => NodeType::Project,
        RecordKind::Event => NodeType::Event,
        RecordKind::Outcome => NodeType::Outcome,
        RecordKind::Person => NodeType::Person,
        RecordKind::Topic => NodeType::Topic,
        RecordKind::TargetGroup => NodeType::TargetGroup,
        RecordKind::Participation => NodeType::Participation,
        RecordKind::Funding => NodeType::Funding,
        RecordKind::OrganizationRelation => NodeType::OrganizationRelation,
        RecordKind::Position => NodeType::Position,
        RecordKind::Classification | RecordKind::Audience => return None,
    })
}

/// A record's version (the `version` field of every record type), batched.
pub async fn version(ctx: &Context<'_>, record: i64) -> async_graphql::Result<i64> {
    let loaders: &DataLoader<_> = loaders(ctx)?;
    Ok(loaders
        .load_one(edit::RecordVersion(record))
        .await?
        .unwrap_or(1))
}

/// Checks a list's `first`.
fn revisions_first(first: i32) -> Result<u64, StoreError> {
    if (1..=MAX_REVISIONS).contains(&first) {
        Ok(first as u64)
    } else {
        Err(StoreError::invalid(
            "first",
            format!("between 1 and {MAX_REVISIONS}, got {first}"),
        ))
    }
}

/// The history of one record, newest first (the `history` query field).
pub async fn history(
    ctx: &Context<'_>,
    record: &ID,
    first: i32,
    before: Option<i64>,
) -> async_graphql::Result<Vec<Revision>> {
    let first = revisions_first(first)?;
    let (_, record) = id::decode("id", record)?;
    let db = ctx.data::<sea_orm::DatabaseConnection>()?;
    Ok(edit::revisions(db, Some(record), before, first)
        .await?
        .into_iter()
        .map(Revision)
        .collect())
}

/// Every change, newest first (the `recentChanges` query field).
pub async fn recent(
    ctx: &Context<'_>,
    first: i32,
    before: Option<i64>,
) -> async_graphql::Result<Vec<Revision>> {
    let first = revisions_first(first)?;
    let db = ctx.data::<sea_orm::DatabaseConnection>()?;
    Ok(edit::revisions(db, None, before, first)
        .await?
        .into_iter()
        .map(Revision)
        .collect())
}

/// One revision by number (the `revision` query field).
pub async fn one(ctx: &Context<'_>, number: i64) -> async_graphql::Result<Option<Revision>> {
    let db = ctx.data::<sea_orm::DatabaseConnection>()?;
    Ok(edit::revision(db, number).await?.map(Revision))
}
