//! Editing: recording a story, undoing a revision, and the history both leave.
//!
//! A mutation checks its caller's token first ([`super::auth::require`]): nothing is read or
//! written for a caller who may not write. What the input gets wrong is answered in the
//! payload's `userErrors` (field, message, code), with nothing written, as Shopify's and
//! GitHub's APIs answer theirs; what the caller may not do, or the database failing, is a
//! GraphQL error with its code.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use entities::kinds::RecordKind;
use seeds::revision::{Author, normalize};
use serde_json::Value;

use super::auth::{self, Actor, Role};
use super::id::{self, NodeType};
use super::object::loaders;
use crate::store::edit::{self, EditError, RevisionChanges, RevisionRow};
use crate::store::error::StoreError;

/// The most revisions one list returns, and the most changes one revision lists.
pub const MAX_REVISIONS: i32 = 100;
pub const MAX_CHANGES: i32 = 500;

/// Something the input got wrong: nothing was written.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// The argument or, inside a story, the record's field the problem is in (`name_en`,
    /// `participation[2].role`); null when it is the whole input.
    pub field: Option<String>,
    /// The record of the story the problem is in (`organization "balti-readers-club"`, `line
    /// 12`), when there is one.
    pub record: Option<String>,
    pub message: String,
    /// `BAD_USER_INPUT` (a rule broken), `CONFLICT` (the graph has changed since), `NOT_FOUND`.
    pub code: String,
}

impl UserError {
    fn from_edit(error: EditError) -> async_graphql::Result<Vec<UserError>> {
        Ok(match error {
            EditError::Invalid(problems) => problems
                .into_iter()
                .map(|p| UserError {
                    field: p.field,
                    record: Some(p.record).filter(|r| !r.is_empty() && r != "document"),
                    message: p.message,
                    code: "BAD_USER_INPUT".into(),
                })
                .collect(),
            EditError::Conflict { field, message } => vec![UserError {
                field: Some(field),
                record: None,
                message,
                code: "CONFLICT".into(),
            }],
            EditError::NotFound { field, message } => vec![UserError {
                field: Some(field),
                record: None,
                message,
                code: "NOT_FOUND".into(),
            }],
            EditError::Store(e) => return Err(e.into()),
            EditError::Retry(_) => return Err(StoreError::Unavailable.into()),
        })
    }
}

/// Who the revision is by, as history keeps it.
fn author(actor: &Actor) -> Author {
    Author {
        actor: actor.name.clone(),
        token_id: Some(actor.token_id),
    }
}

/// One change to the graph: a story recorded, a revision undone, a seed load.
pub struct Revision(pub RevisionRow);

/// What a revision did to one record.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChangeAction {
    Created,
    Updated,
    Deleted,
}

/// One record as a revision changed it.
pub struct RecordChange(entities::revision_change::Model);

/// The records a revision changed: the first ones, and how many there are.
#[derive(SimpleObject)]
pub struct RecordChanges {
    pub total_count: u64,
    pub items: Vec<RecordChange>,
}

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

    /// What: `recordStory`, `revert` or `seed`.
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

/// A record an edit read, at the version it read: the edit is refused with `CONFLICT` if the
/// record has changed since.
#[derive(InputObject, Clone, Debug)]
pub struct ExpectedVersion {
    /// The record's global ID.
    pub id: ID,
    /// Its `version` when read.
    pub version: i64,
}

/// The most expected versions one edit takes.
pub const MAX_EXPECTED_VERSIONS: usize = 1_000;

/// What `recordStory` did.
#[derive(SimpleObject)]
pub struct RecordStoryPayload {
    /// The revision it made; null when nothing was written (see `userErrors`) or the story
    /// held nothing the graph did not already hold.
    pub revision: Option<Revision>,
    /// Records the story added.
    pub created: u64,
    /// Records that existed and changed.
    pub updated: u64,
    pub user_errors: Vec<UserError>,
}

/// What `revert` did.
#[derive(SimpleObject)]
pub struct RevertPayload {
    /// The new revision that records the undoing; null when nothing was written.
    pub revision: Option<Revision>,
    pub user_errors: Vec<UserError>,
}

/// The editing mutations.
#[derive(Default)]
pub struct EditMutation;

#[Object]
impl EditMutation {
    /// Records a story: one source document and everything it states (organizations, places,
    /// activities, participations with roles, fundings, outcomes, topics, citations with
    /// quotes), in the seed format of `seeds/FORMAT.md` (TOML: a `[source]` table and
    /// `[[organization]]`, `[[participation]]`, … tables). All or nothing, in one transaction,
    /// through the same rules as `libgraph seed`; records are matched by slug, so a record the
    /// graph has is updated, not duplicated. Needs an editor token.
    async fn record_story(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The story in the seed format (TOML).")] document: String,
        #[graphql(
            desc = "The text of the source document, stored with the source; every quote must stand in it."
        )]
        source_text: Option<String>,
        #[graphql(desc = "Why, for the history.")] reason: Option<String>,
        #[graphql(
            desc = "Records the story changes, at the `version` they had when read: if any has changed since, nothing is written and `userErrors` says `CONFLICT`. At most 1,000."
        )]
        expected_versions: Option<Vec<ExpectedVersion>>,
    ) -> async_graphql::Result<RecordStoryPayload> {
        let actor = auth::require(ctx, Role::Editor).await?;
        let expected_versions = expected_versions.unwrap_or_default();
        if expected_versions.len() > MAX_EXPECTED_VERSIONS {
            return Err(StoreError::invalid(
                "expectedVersions",
                format!(
                    "at most {MAX_EXPECTED_VERSIONS}, got {}",
                    expected_versions.len()
                ),
            )
            .into());
        }
        let expected: Vec<(i64, i64)> = expected_versions
            .iter()
            .map(|e| Ok((id::decode("expectedVersions.id", &e.id)?.1, e.version)))
            .collect::<Result<_, StoreError>>()?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        match edit::record_story(
            db,
            &document,
            source_text.as_deref(),
            &author(&actor),
            reason.as_deref(),
            &expected,
        )
        .await
        {
            Ok(written) => {
                let created = written.changes.iter().filter(|c| c.before.is_none()).count();
                let revision = match written.revision {
                    Some(number) => edit::revision(db, number).await?.map(Revision),
                    None => None,
                };
                Ok(RecordStoryPayload {
                    revision,
                    created: created as u64,
                    updated: (written.changes.len() - created) as u64,
                    user_errors: Vec::new(),
                })
            }
            Err(error) => Ok(RecordStoryPayload {
                revision: None,
                created: 0,
                updated: 0,
                user_errors: UserError::from_edit(error)?,
            }),
        }
    }

    /// Undoes a revision as a new revision: every record it changed is put back as it was (one
    /// it created is removed, one it removed comes back with its citations). Refused with
    /// `CONFLICT`, changing nothing, when a record has changed again since (undo the later
    /// revision first) or the revision was already undone. A revert can be reverted. Needs an
    /// editor token.
    async fn revert(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The number of the revision to undo.")] revision: i64,
        #[graphql(desc = "Why, for the history.")] reason: Option<String>,
    ) -> async_graphql::Result<RevertPayload> {
        let actor = auth::require(ctx, Role::Editor).await?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        match edit::revert(db, revision, &author(&actor), reason.as_deref()).await {
            Ok(reverted) => Ok(RevertPayload {
                revision: edit::revision(db, reverted.revision).await?.map(Revision),
                user_errors: Vec::new(),
            }),
            Err(error) => Ok(RevertPayload {
                revision: None,
                user_errors: UserError::from_edit(error)?,
            }),
        }
    }
}
