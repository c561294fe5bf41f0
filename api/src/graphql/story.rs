//! Recording stories, deleting records, merging organizations and undoing revisions: the
//! editing mutations.
//!
//! A mutation checks its caller's token first ([`super::auth::require`]): nothing is read or
//! written for a caller who may not write. What the input gets wrong is answered in the
//! payload's `userErrors` (field, message, code), with nothing written, as Shopify's and
//! GitHub's APIs answer theirs; what the caller may not do, or the database failing, is a
//! GraphQL error with its code. Every write goes through `store::edit`, which goes through the
//! seed loader.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use seeds::revision::Author;

use super::auth::{self, Actor, Role};
use super::edit::Revision;
use super::id::{self, NodeType};
use super::object::organization::Organization;
use crate::store::edit::{self, EditError, Named};
use crate::store::error::StoreError;

/// Something the input got wrong: nothing was written.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// The argument or, inside a story, the record's field the problem is in (`name_en`,
    /// `participation[2].role`); null when it is the whole input.
    pub field: Option<String>,
    /// The record of the story the problem is in (`organization "balti-readers-club"`, `line
    /// 12`), when there is one.
    pub record: Option<String>,
    /// What is wrong, in words.
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

/// The record ids and versions of `expectedVersions`.
fn expected(versions: Option<Vec<ExpectedVersion>>) -> Result<Vec<(i64, i64)>, StoreError> {
    let versions = versions.unwrap_or_default();
    if versions.len() > MAX_EXPECTED_VERSIONS {
        return Err(StoreError::invalid(
            "expectedVersions",
            format!("at most {MAX_EXPECTED_VERSIONS}, got {}", versions.len()),
        ));
    }
    versions
        .iter()
        .map(|e| Ok((id::decode("expectedVersions.id", &e.id)?.1, e.version)))
        .collect()
}

/// The live organization an argument names by global ID or slug, or the user error saying why
/// it names none.
async fn live_organization(
    db: &sea_orm::DatabaseConnection,
    field: &str,
    value: &ID,
) -> async_graphql::Result<Result<i64, UserError>> {
    let error = |message: String, code: &str| UserError {
        field: Some(field.to_owned()),
        record: None,
        message,
        code: code.to_owned(),
    };
    let named = if seeds::validate::is_slug(value.as_str()) {
        edit::organization(db, None, Some(value.as_str())).await?
    } else {
        match id::decode_as(field, value, NodeType::Organization) {
            Ok(row) => edit::organization(db, Some(row), None).await?,
            Err(e @ StoreError::Invalid { .. }) => {
                return Ok(Err(error(e.message(), "BAD_USER_INPUT")));
            }
            Err(e) => return Err(e.into()),
        }
    };
    Ok(match named {
        Named::Live(id) => Ok(id),
        Named::Merged(into) => Err(error(
            format!("was merged into \"{into}\" already: name that one"),
            "NOT_FOUND",
        )),
        Named::Unknown => Err(error(
            "no organization has this ID or slug".into(),
            "NOT_FOUND",
        )),
    })
}

/// What `mergeOrganizations` did.
#[derive(SimpleObject)]
pub struct MergeOrganizationsPayload {
    /// The organization kept, as it is after the merge; null when nothing was written.
    pub organization: Option<Organization>,
    /// The revision the merge made (`revert` undoes it whole); null when nothing was written.
    pub revision: Option<Revision>,
    /// Relations of the removed organization now of the kept one.
    pub moved: u64,
    /// Relations both had (the same participation or funding): one is kept, with the citations
    /// of both.
    pub combined: u64,
    /// Relations between the two (such as "renamed from"), dropped: a body does not relate to
    /// itself.
    pub dropped: u64,
    /// Names of the removed organization that became aliases of the kept one.
    pub aliases_added: Vec<String>,
    /// What the input got wrong; when not empty, nothing was written.
    pub user_errors: Vec<UserError>,
}

impl MergeOrganizationsPayload {
    fn refused(user_errors: Vec<UserError>) -> Self {
        MergeOrganizationsPayload {
            organization: None,
            revision: None,
            moved: 0,
            combined: 0,
            dropped: 0,
            aliases_added: Vec::new(),
            user_errors,
        }
    }
}

/// What `deleteRecord` did.
#[derive(SimpleObject)]
pub struct DeleteRecordPayload {
    /// The revision the deletion made (`restore` of the record, or `revert` of the revision,
    /// undoes it whole); null when nothing was written.
    pub revision: Option<Revision>,
    /// Records deleted: the one named and the relations that could not outlive it.
    pub removed: u64,
    /// Records that stay with their reference to a deleted record cleared (a project's place,
    /// an event's programme).
    pub detached: u64,
    /// What the input got wrong; when not empty, nothing was written.
    pub user_errors: Vec<UserError>,
}

impl DeleteRecordPayload {
    fn refused(user_errors: Vec<UserError>) -> Self {
        DeleteRecordPayload {
            revision: None,
            removed: 0,
            detached: 0,
            user_errors,
        }
    }
}

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
    /// What the input got wrong; when not empty, nothing was written.
    pub user_errors: Vec<UserError>,
}

/// What `revert` did.
#[derive(SimpleObject)]
pub struct RevertPayload {
    /// The new revision that records the undoing; null when nothing was written.
    pub revision: Option<Revision>,
    /// Why nothing was undone (`CONFLICT`, `NOT_FOUND`); empty when the revert was written.
    pub user_errors: Vec<UserError>,
}

/// The editing mutations. Their answers are nullable, as every mutation's is (see
/// [`super::mutation`]): a failed one is null without nulling the others of its request.
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
    ) -> async_graphql::Result<Option<RecordStoryPayload>> {
        let actor = auth::require(ctx, Role::Editor).await?;
        let expected = expected(expected_versions)?;
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
                let created = written
                    .changes
                    .iter()
                    .filter(|c| c.before.is_none())
                    .count();
                let revision = match written.revision {
                    Some(number) => edit::revision(db, number).await?.map(Revision),
                    None => None,
                };
                Ok(Some(RecordStoryPayload {
                    revision,
                    created: created as u64,
                    updated: (written.changes.len() - created) as u64,
                    user_errors: Vec::new(),
                }))
            }
            Err(error) => Ok(Some(RecordStoryPayload {
                revision: None,
                created: 0,
                updated: 0,
                user_errors: UserError::from_edit(error)?,
            })),
        }
    }

    /// Merges two records of one organization into one: the body renamed and recorded under
    /// each name (the Polish culture ministry as `ministry-of-culture-2021` and
    /// `ministry-of-culture-and-national-heritage`), or a duplicate. Every participation,
    /// funding, relation, citation, alias and identifier of `remove` moves to `keep`; its names
    /// become aliases of `keep`, with the quotes that name it; relations between the two are
    /// dropped; its ID and slug go on resolving to `keep`. Funders, statistics and
    /// collaborators then answer for the body. One revision, undone whole by `revert`. Needs an
    /// admin token.
    async fn merge_organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization that stays: its global ID or slug.")] keep: ID,
        #[graphql(desc = "The organization merged into it and removed: its global ID or slug.")]
        remove: ID,
        #[graphql(desc = "Why they are one body, for the history; required.")] reason: String,
        #[graphql(
            desc = "Records the merge changes, at the `version` they had when read (typically the two organizations): if any has changed since, nothing is written and `userErrors` says `CONFLICT`. At most 1,000."
        )]
        expected_versions: Option<Vec<ExpectedVersion>>,
    ) -> async_graphql::Result<Option<MergeOrganizationsPayload>> {
        let actor = auth::require(ctx, Role::Admin).await?;
        let expected = expected(expected_versions)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        if reason.trim().is_empty() {
            return Ok(Some(MergeOrganizationsPayload::refused(vec![UserError {
                field: Some("reason".into()),
                record: None,
                message: "is empty: say why the two are one body (it is kept in the history)"
                    .into(),
                code: "BAD_USER_INPUT".into(),
            }])));
        }
        let keep = live_organization(db, "keep", &keep).await?;
        let remove = live_organization(db, "remove", &remove).await?;
        let (keep, remove) = match (keep, remove) {
            (Ok(keep), Ok(remove)) => (keep, remove),
            (keep, remove) => {
                return Ok(Some(MergeOrganizationsPayload::refused(
                    [keep.err(), remove.err()].into_iter().flatten().collect(),
                )));
            }
        };
        match edit::merge_organizations(
            db,
            keep,
            remove,
            &author(&actor),
            Some(reason.trim()),
            &expected,
        )
        .await
        {
            Ok(merged) => Ok(Some(MergeOrganizationsPayload {
                organization: Organization::load_many(ctx, &[keep]).await?.pop().flatten(),
                revision: edit::revision(db, merged.revision).await?.map(Revision),
                moved: merged.moved as u64,
                combined: merged.combined as u64,
                dropped: merged.dropped as u64,
                aliases_added: merged.aliases,
                user_errors: Vec::new(),
            })),
            Err(error) => Ok(Some(MergeOrganizationsPayload::refused(
                UserError::from_edit(error)?,
            ))),
        }
    }

    /// Deletes a record: it disappears from every query, list, count, search, statistic,
    /// export and collaboration tie, and is kept in the history, from where `restore` brings it
    /// back as it was. The relations that cannot outlive it go with it, in the same revision (an
    /// organization's participations, fundings, relations, positions and outcomes; a project's
    /// participations and fundings received; a topic's classifications); records that only
    /// mention it (a project's place, an event's programme) stay, with that reference cleared.
    /// Refused, changing nothing, when the record published a source, or more than 5,000
    /// records would go with it. A seed file or story naming the deleted record is refused
    /// until it is restored. Needs an editor token.
    async fn delete_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global ID.")] id: ID,
        #[graphql(desc = "Why it goes, for the history; required.")] reason: String,
        #[graphql(
            desc = "Records the deletion changes, at the `version` they had when read (typically the record itself): if any has changed since, nothing is written and `userErrors` says `CONFLICT`. At most 1,000."
        )]
        expected_versions: Option<Vec<ExpectedVersion>>,
    ) -> async_graphql::Result<Option<DeleteRecordPayload>> {
        let actor = auth::require(ctx, Role::Editor).await?;
        let expected = expected(expected_versions)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let refused = |field: &str, message: String, code: &str| {
            Ok(Some(DeleteRecordPayload::refused(vec![UserError {
                field: Some(field.into()),
                record: None,
                message,
                code: code.into(),
            }])))
        };
        if reason.trim().is_empty() {
            return refused(
                "reason",
                "is empty: say why the record goes (it is kept in the history)".into(),
                "BAD_USER_INPUT",
            );
        }
        let record = match id::decode("id", &id) {
            Ok((NodeType::Source, _)) => {
                return refused(
                    "id",
                    "names a source: sources are not deleted through the API, as the facts \
                     they support would lose their provenance"
                        .into(),
                    "BAD_USER_INPUT",
                );
            }
            Ok((_, record)) => record,
            Err(e @ StoreError::Invalid { .. }) => {
                return refused("id", e.message(), "BAD_USER_INPUT");
            }
            Err(e) => return Err(e.into()),
        };
        match edit::delete_record(db, record, &author(&actor), Some(reason.trim()), &expected).await
        {
            Ok(deleted) => Ok(Some(DeleteRecordPayload {
                revision: edit::revision(db, deleted.revision).await?.map(Revision),
                removed: deleted.removed as u64,
                detached: deleted.detached as u64,
                user_errors: Vec::new(),
            })),
            Err(error) => Ok(Some(DeleteRecordPayload::refused(UserError::from_edit(
                error,
            )?))),
        }
    }

    /// Brings back a record that a revision removed (one `deleteRecord` deleted, an
    /// organization merged into another, a record a revert took away) by undoing that revision, with everything else it changed: a
    /// merged organization comes back with its relations and names, and the merge is undone.
    /// Refused with `CONFLICT`, changing nothing, when the record exists or a later revision has
    /// changed what that revision changed; `NOT_FOUND` when no revision removed it. Needs an
    /// admin token.
    async fn restore(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The removed record's global ID, as its `id` field gave it.")] id: ID,
        #[graphql(desc = "Why, for the history.")] reason: Option<String>,
    ) -> async_graphql::Result<Option<RevertPayload>> {
        let actor = auth::require(ctx, Role::Admin).await?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let record = match id::decode("id", &id) {
            Ok((_, record)) => record,
            Err(e @ StoreError::Invalid { .. }) => {
                return Ok(Some(RevertPayload {
                    revision: None,
                    user_errors: vec![UserError {
                        field: Some("id".into()),
                        record: None,
                        message: e.message(),
                        code: "BAD_USER_INPUT".into(),
                    }],
                }));
            }
            Err(e) => return Err(e.into()),
        };
        match edit::restore(db, record, &author(&actor), reason.as_deref()).await {
            Ok(restored) => Ok(Some(RevertPayload {
                revision: edit::revision(db, restored.revision).await?.map(Revision),
                user_errors: Vec::new(),
            })),
            Err(error) => Ok(Some(RevertPayload {
                revision: None,
                user_errors: UserError::from_edit(error)?,
            })),
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
    ) -> async_graphql::Result<Option<RevertPayload>> {
        let actor = auth::require(ctx, Role::Editor).await?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        match edit::revert(db, revision, &author(&actor), reason.as_deref()).await {
            Ok(reverted) => Ok(Some(RevertPayload {
                revision: edit::revision(db, reverted.revision).await?.map(Revision),
                user_errors: Vec::new(),
            })),
            Err(error) => Ok(Some(RevertPayload {
                revision: None,
                user_errors: UserError::from_edit(error)?,
            })),
        }
    }
}
