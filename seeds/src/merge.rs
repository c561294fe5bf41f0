//! Merging two organization records that are one body (`mergeOrganizations`).
//!
//! **How a renamed body is modelled.** A body is one record, whatever it has been called: the
//! names it bore are its aliases, each with the quotes that name it, and every fact about it
//! hangs from that one record. So `funders`, `statistics` and `collaborators` answer for the body
//! without knowing about renaming, and no query has to follow chains of "renamed from" links
//! (which every aggregate, cache and index would have to learn, and which a forgotten one would
//! silently halve). The curated graph holds the Polish culture ministry twice, as each source
//! names it in its year (`ministry-of-culture-2021`, `ministry-of-culture-and-national-heritage`):
//! merging them is how a coordinator says they are one.
//!
//! **What a merge does**, in one transaction, recorded as one revision that `revert` undoes:
//! - every relation of the removed record (participations, fundings given, received or passed
//!   on, relations to other organizations, positions, topics, audiences, outcomes, libraries
//!   under it) is moved to the kept one, its key rewritten with the kept slug; a relation the
//!   kept record already has (same key) keeps one record, with the citations of both; a relation
//!   between the two (`renamed_from`) would point from the body to itself and is dropped;
//! - the removed record's names (name, English name, aliases) become aliases of the kept one,
//!   and its citations move with them, pointing at the alias of the name they quote;
//! - its identifiers move; its library details move if the kept record has none;
//! - its id and slug keep resolving, to the kept record (`record_redirect`), and a seed file or
//!   story that names the removed slug is refused with the slug to use instead;
//! - the kept record's search words, and the collaboration ties of it and every partner, are
//!   rebuilt; the graph's version is raised, so every instance drops what it kept.

use std::collections::{BTreeSet, HashMap, HashSet};

use entities::kinds::RecordKind;
use entities::text::fold;
use entities::{alias, citation, library, organization, record, record_redirect, revision_change};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::revision::{self as history, Author, Change};
use crate::validate::Problem;
use crate::write::LoadError;

/// Ids per `IN (…)` list.
const BATCH: usize = 500;

/// The columns that point at an organization from a row that is not the organization's own:
/// table, the table's key column (the id of the record the row belongs to), the columns.
const POINTING: &[(&str, &str, &[&str])] = &[
    ("participation", "participation_id", &["organization_id"]),
    (
        "funding",
        "funding_id",
        &["funder_id", "recipient_id", "intermediary_id"],
    ),
    (
        "organization_relation",
        "organization_relation_id",
        &["subject_id", "object_id"],
    ),
    ("position", "position_id", &["organization_id"]),
    ("classification", "classification_id", &["subject_id"]),
    ("audience", "audience_id", &["subject_id"]),
    ("outcome", "outcome_id", &["subject_id"]),
    ("library", "organization_id", &["parent_library_id"]),
];

/// What a merge did.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    pub revision: i64,
    /// Relations moved to the kept record.
    pub moved: usize,
    /// Relations the kept record already had: one record left, with the citations of both.
    pub combined: usize,
    /// Relations between the two, dropped.
    pub dropped: usize,
    /// Names of the removed record that became aliases of the kept one.
    pub aliases: Vec<String>,
    /// Every record changed, as the revision holds it (at most 1,000 here).
    pub changes: Vec<Change>,
}

/// Merges organization `remove` into `keep` (both record ids) as a revision by `author`; refused
/// with [`LoadError::Stale`] unless each of `expected` is still at its version, and with
/// [`LoadError::Invalid`] (nothing written) when the two cannot be merged.
pub async fn merge_organizations(
    db: &DatabaseConnection,
    keep: i64,
    remove: i64,
    author: &Author,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<Merged, LoadError> {
    let txn = history::begin_write(db).await?;
    let merged = merge_in(&txn, keep, remove, author, reason, expected).await?;
    txn.commit().await?;
    Ok(merged)
}

fn problem(field: &str, record: String, message: String) -> LoadError {
    LoadError::Invalid(vec![Problem {
        file: "mergeOrganizations".into(),
        record,
        field: Some(field.into()),
        message,
    }])
}

async fn merge_in(
    txn: &DatabaseTransaction,
    keep: i64,
    remove: i64,
    author: &Author,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<Merged, LoadError> {
    crate::write::hold_versions(txn, expected).await?;
    if keep == remove {
        return Err(problem(
            "remove",
            String::new(),
            "is the organization to keep: name two different organizations".into(),
        ));
    }
    let find = |id: i64, field: &'static str| async move {
        organization::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or_else(|| problem(field, String::new(), format!("no organization has id {id}")))
    };
    let k = find(keep, "keep").await?;
    let r = find(remove, "remove").await?;
    if k.kind != r.kind {
        return Err(problem(
            "remove",
            format!("organization \"{}\"", r.slug),
            format!(
                "is a {} and \"{}\" a {}: two records of one body have one kind; correct the \
                 kind of one first, then merge",
                r.kind.as_str(),
                k.slug,
                k.kind.as_str()
            ),
        ));
    }

    // The relations of the removed record, with their keys as they will be.
    let mut pointing: Vec<i64> = Vec::new();
    for (table, key, columns) in POINTING {
        let mut select = Query::select();
        select.column(Alias::new(*key)).from(Alias::new(*table));
        let mut any = Expr::col(Alias::new(columns[0])).eq(remove);
        for column in &columns[1..] {
            any = any.or(Expr::col(Alias::new(*column)).eq(remove));
        }
        select.and_where(any);
        for row in txn.query_all(&select).await? {
            pointing.push(row.try_get_by_index::<i64>(0)?);
        }
    }
    pointing.sort_unstable();
    pointing.dedup();
    let mut records: Vec<record::Model> = Vec::with_capacity(pointing.len());
    for chunk in pointing.chunks(BATCH) {
        records.extend(
            record::Entity::find()
                .filter(record::Column::RecordId.is_in(chunk.iter().copied()))
                .order_by_asc(record::Column::RecordId)
                .all(txn)
                .await?,
        );
    }
    let plans: Vec<(record::Model, Option<String>)> = records
        .into_iter()
        .map(|rec| {
            let new_key = rekey(rec.kind, &rec.key, &r.slug, &k.slug);
            (rec, new_key)
        })
        .collect();
    let new_keys: Vec<&str> = plans.iter().filter_map(|(_, k)| k.as_deref()).collect();
    let mut taken: HashMap<String, i64> = HashMap::new();
    for chunk in new_keys.chunks(BATCH) {
        for rec in record::Entity::find()
            .filter(record::Column::Key.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            taken.insert(rec.key, rec.record_id);
        }
    }
    // Decide each relation's fate: dropped (it would tie the body to itself), combined (its new
    // key is taken: by a relation of the kept record, or by one moved before it) or moved.
    let mut dropped: Vec<i64> = Vec::new();
    let mut combined: Vec<(i64, i64)> = Vec::new();
    let mut rekeyed: Vec<(i64, String)> = Vec::new();
    for (rec, new_key) in &plans {
        if rec.kind == RecordKind::OrganizationRelation && relates_the_two(rec, &r.slug, &k.slug) {
            dropped.push(rec.record_id);
            continue;
        }
        let Some(new_key) = new_key else {
            continue;
        };
        match taken.get(new_key) {
            Some(&survivor) if survivor != rec.record_id => {
                combined.push((rec.record_id, survivor));
            }
            _ => {
                taken.insert(new_key.clone(), rec.record_id);
                rekeyed.push((rec.record_id, new_key.clone()));
            }
        }
    }
    let redirect_owner = record_redirect::Entity::find()
        .filter(record_redirect::Column::Key.eq(r.slug.clone()))
        .one(txn)
        .await?
        .map(|rr| rr.target_id);

    // Everything the merge changes, recorded before it does.
    let mut affected: BTreeSet<i64> = [keep, remove].into_iter().collect();
    affected.extend(pointing.iter().copied());
    affected.extend(combined.iter().map(|(_, survivor)| *survivor));
    affected.extend(redirect_owner);
    let affected: Vec<i64> = affected.into_iter().collect();
    let revision_id = history::begin_revision(txn, author, "mergeOrganizations", reason).await?;
    history::record_before(txn, revision_id, &affected).await?;

    // 1. Relations between the two go; duplicates hand their citations to the relation kept.
    for id in &dropped {
        delete_record(txn, *id).await?;
    }
    for (dup, survivor) in &combined {
        citation::Entity::update_many()
            .col_expr(citation::Column::RecordId, Expr::value(*survivor))
            .filter(citation::Column::RecordId.eq(*dup))
            .exec(txn)
            .await?;
        delete_record(txn, *dup).await?;
    }
    // 2. The rest point at the kept record, under their new keys.
    for (table, _, columns) in POINTING {
        for column in *columns {
            let mut update = Query::update();
            update
                .table(Alias::new(*table))
                .value(Alias::new(*column), keep)
                .and_where(Expr::col(Alias::new(*column)).eq(remove));
            txn.execute(&update).await?;
        }
    }
    for (id, key) in &rekeyed {
        record::Entity::update_many()
            .col_expr(record::Column::Key, Expr::value(key.clone()))
            .filter(record::Column::RecordId.eq(*id))
            .exec(txn)
            .await?;
    }

    // 3. Names: the removed record's become aliases of the kept one, unless it already bears
    //    them; its citations follow, each pointing at the alias of the name it supports.
    let kept_aliases = alias::Entity::find()
        .filter(alias::Column::RecordId.eq(keep))
        .all(txn)
        .await?;
    // Folded name → the kept record's alias of it (`None`: its own name).
    let mut names: HashMap<String, Option<i64>> = HashMap::new();
    names.insert(fold(&k.name), None);
    if let Some(en) = &k.name_en {
        names.insert(fold(en), None);
    }
    for a in &kept_aliases {
        names.entry(fold(&a.name)).or_insert(Some(a.alias_id));
    }
    let mut added_aliases = Vec::new();
    let mut alias_of = async |name: &str,
                              lang: Option<String>,
                              names: &mut HashMap<String, Option<i64>>|
           -> Result<Option<i64>, DbErr> {
        if let Some(found) = names.get(&fold(name)) {
            return Ok(*found);
        }
        let id = alias::Entity::insert(alias::ActiveModel {
            record_id: Set(keep),
            name: Set(name.to_owned()),
            lang: Set(lang),
            ..Default::default()
        })
        .exec(txn)
        .await?
        .last_insert_id;
        names.insert(fold(name), Some(id));
        added_aliases.push(name.to_owned());
        Ok(Some(id))
    };
    let name_alias = alias_of(&r.name, Some(r.name_lang.clone()), &mut names).await?;
    let known: HashSet<String> = names.keys().cloned().collect();
    let en_alias = match &r.name_en {
        Some(en) if !known.contains(&fold(en)) => {
            alias_of(en, Some("en".into()), &mut names).await?
        }
        _ => None,
    };
    for a in alias::Entity::find()
        .filter(alias::Column::RecordId.eq(remove))
        .all(txn)
        .await?
    {
        let target = alias_of(&a.name, a.lang.clone(), &mut names).await?;
        citation::Entity::update_many()
            .col_expr(citation::Column::AliasId, Expr::value(target))
            .filter(citation::Column::AliasId.eq(a.alias_id))
            .exec(txn)
            .await?;
    }
    // The English name was stated by the record's own citations: they support its alias too,
    // as an inference (every alias is cited, as in the seed files).
    if let Some(en_alias) = en_alias {
        let own = citation::Entity::find()
            .filter(citation::Column::RecordId.eq(remove))
            .filter(citation::Column::AliasId.is_null())
            .all(txn)
            .await?;
        for c in own {
            citation::Entity::insert(citation::ActiveModel {
                record_id: Set(keep),
                alias_id: Set(Some(en_alias)),
                source_id: Set(c.source_id),
                quote: Set(c.quote),
                basis: Set(entities::CitationBasis::Inferred),
                reasoning: Set(Some(format!(
                    "The English name recorded with \"{}\" ({}), merged into \"{}\".",
                    r.name, r.slug, k.slug
                ))),
                ..Default::default()
            })
            .exec_without_returning(txn)
            .await?;
        }
    }
    citation::Entity::update_many()
        .col_expr(citation::Column::AliasId, Expr::value(name_alias))
        .filter(citation::Column::RecordId.eq(remove))
        .filter(citation::Column::AliasId.is_null())
        .exec(txn)
        .await?;
    citation::Entity::update_many()
        .col_expr(citation::Column::RecordId, Expr::value(keep))
        .filter(citation::Column::RecordId.eq(remove))
        .exec(txn)
        .await?;
    let mut update = Query::update();
    update
        .table(Alias::new("identifier"))
        .value(Alias::new("organization_id"), keep)
        .and_where(Expr::col(Alias::new("organization_id")).eq(remove));
    txn.execute(&update).await?;
    if library::Entity::find_by_id(keep).one(txn).await?.is_none() {
        library::Entity::update_many()
            .col_expr(library::Column::OrganizationId, Expr::value(keep))
            .filter(library::Column::OrganizationId.eq(remove))
            .exec(txn)
            .await?;
    }

    // 4. The removed id and slug resolve to the kept record, and so do those that resolved to
    //    the removed one.
    record_redirect::Entity::update_many()
        .col_expr(record_redirect::Column::TargetId, Expr::value(keep))
        .filter(record_redirect::Column::TargetId.eq(remove))
        .exec(txn)
        .await?;
    record_redirect::Entity::delete_many()
        .filter(record_redirect::Column::Key.eq(r.slug.clone()))
        .exec(txn)
        .await?;
    for column in ["organization_id", "partner_id"] {
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new("collaboration"))
            .and_where(Expr::col(Alias::new(column)).eq(remove));
        txn.execute(&delete).await?;
    }
    delete_record(txn, remove).await?;
    record_redirect::Entity::insert(record_redirect::ActiveModel {
        record_id: Set(remove),
        kind: Set(RecordKind::Organization.as_str().to_owned()),
        key: Set(r.slug.clone()),
        target_id: Set(keep),
    })
    .exec_without_returning(txn)
    .await?;

    // 5. What is derived: citations repeated by the move, search words, collaboration ties.
    let mut cited: Vec<i64> = vec![keep];
    cited.extend(combined.iter().map(|(_, survivor)| *survivor));
    dedupe_citations(txn, &cited).await?;
    crate::write::reindex_organizations(txn, &[keep]).await?;
    let partners = partners_of(txn, keep).await?;
    crate::ties::rebuild(txn, &partners).await?;
    let (revision, recorded) = history::finish_edit(txn, revision_id, &affected, "a merge").await?;
    Ok(Merged {
        revision,
        moved: rekeyed.len(),
        combined: combined.len(),
        dropped: dropped.len(),
        aliases: added_aliases,
        changes: recorded.changes,
    })
}

/// `key` with the removed slug `from` replaced by `to` where the key names an organization;
/// `None` for a record whose key names none (an outcome, a library: their key is their slug).
/// Relation keys are built by the validator from slugs joined by `:`
/// (`participation:{organization}:{role}:{activity}`); slugs hold no `:`, a position's title
/// may, so a key is split into no more parts than its kind has.
fn rekey(kind: RecordKind, key: &str, from: &str, to: &str) -> Option<String> {
    let (parts, organizations): (usize, &[usize]) = match kind {
        RecordKind::Participation => (4, &[1]),
        RecordKind::OrganizationRelation => (4, &[1, 3]),
        RecordKind::Funding => (4, &[1, 2]),
        RecordKind::Position => (4, &[2]),
        RecordKind::Classification | RecordKind::Audience => (3, &[1]),
        _ => return None,
    };
    let mut segments: Vec<&str> = key.splitn(parts, ':').collect();
    for &i in organizations {
        if segments.get(i) == Some(&from) {
            segments[i] = to;
        }
    }
    Some(segments.join(":"))
}

/// Whether an organization relation links the two records being merged.
fn relates_the_two(rec: &record::Model, removed: &str, kept: &str) -> bool {
    let segments: Vec<&str> = rec.key.splitn(4, ':').collect();
    matches!(
        (segments.get(1), segments.get(3)),
        (Some(a), Some(b)) if (*a == removed && *b == kept) || (*a == kept && *b == removed)
    )
}

/// Deletes a record and everything it owns (`ON DELETE CASCADE`).
async fn delete_record(txn: &DatabaseTransaction, id: i64) -> Result<(), DbErr> {
    record::Entity::delete_by_id(id).exec(txn).await?;
    Ok(())
}

/// Removes the citations of `records` that repeat another of the same record word for word
/// (same source, quote, basis, reasoning and alias): a merge that brings two records' citations
/// together can bring the same quote twice.
async fn dedupe_citations(txn: &DatabaseTransaction, records: &[i64]) -> Result<(), DbErr> {
    let mut seen = HashSet::new();
    let mut repeated = Vec::new();
    for c in citation::Entity::find()
        .filter(citation::Column::RecordId.is_in(records.iter().copied()))
        .order_by_asc(citation::Column::CitationId)
        .all(txn)
        .await?
    {
        let key = (
            c.record_id,
            c.source_id,
            c.alias_id,
            c.quote,
            c.basis,
            c.reasoning,
        );
        if !seen.insert(key) {
            repeated.push(c.citation_id);
        }
    }
    if !repeated.is_empty() {
        citation::Entity::delete_many()
            .filter(citation::Column::CitationId.is_in(repeated))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// `id` and every organization that shares an activity with it: whose ties a move of
/// participations to `id` changes.
async fn partners_of(txn: &DatabaseTransaction, id: i64) -> Result<Vec<i64>, DbErr> {
    let mut activities = Query::select();
    activities
        .column(Alias::new("target_id"))
        .from(Alias::new("participation"))
        .and_where(Expr::col(Alias::new("organization_id")).eq(id));
    let mut select = Query::select();
    select
        .distinct()
        .column(Alias::new("organization_id"))
        .from(Alias::new("participation"))
        .and_where(Expr::col(Alias::new("target_id")).in_subquery(activities));
    let mut organizations: BTreeSet<i64> = BTreeSet::from([id]);
    for row in txn.query_all(&select).await? {
        organizations.insert(row.try_get_by_index::<i64>(0)?);
    }
    Ok(organizations.into_iter().collect())
}

/// The keys among `keys` that name no record but a record merged into another: each with the
/// key to use instead and the revision that merged it.
pub async fn merged_away<C: ConnectionTrait>(
    conn: &C,
    keys: &[&str],
) -> Result<Vec<(String, String, Option<i64>)>, DbErr> {
    let mut found = Vec::new();
    // A graph with no merge (every load until the first one, a bulk load of a million keys among
    // them) pays one statement here, not one per 500 keys.
    if record_redirect::Entity::find().one(conn).await?.is_none() {
        return Ok(found);
    }
    for chunk in keys.chunks(BATCH) {
        let redirects = record_redirect::Entity::find()
            .filter(record_redirect::Column::Key.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        if redirects.is_empty() {
            continue;
        }
        let live: HashSet<String> = record::Entity::find()
            .select_only()
            .column(record::Column::Key)
            .filter(record::Column::Key.is_in(redirects.iter().map(|r| r.key.clone())))
            .into_tuple::<String>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        for redirect in redirects {
            if live.contains(&redirect.key) {
                continue;
            }
            let target = record::Entity::find_by_id(redirect.target_id)
                .one(conn)
                .await?
                .map_or_else(|| redirect.target_id.to_string(), |t| t.key);
            let revision = revision_change::Entity::find()
                .select_only()
                .column(revision_change::Column::RevisionId)
                .filter(revision_change::Column::RecordId.eq(redirect.record_id))
                .filter(revision_change::Column::After.is_null())
                .order_by_desc(revision_change::Column::RevisionId)
                .into_tuple::<i64>()
                .one(conn)
                .await?;
            found.push((redirect.key, target, revision));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rekey_replaces_only_organization_segments() {
        assert_eq!(
            rekey(
                RecordKind::Participation,
                "participation:a:lead:a",
                "a",
                "b"
            )
            .as_deref(),
            Some("participation:b:lead:a")
        );
        assert_eq!(
            rekey(RecordKind::Funding, "funding:a:x:a", "a", "b").as_deref(),
            Some("funding:b:x:a")
        );
        assert_eq!(
            rekey(RecordKind::Position, "position:p:a:Head: a", "a", "b").as_deref(),
            Some("position:p:b:Head: a")
        );
        assert_eq!(rekey(RecordKind::Outcome, "a", "a", "b"), None);
    }
}
