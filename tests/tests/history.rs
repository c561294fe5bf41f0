//! History: every load and edit is a revision, with the records it changed before and after; a
//! revision can be reverted, and a seed load never overwrites what the API edited.

use entities::*;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use seeds::revision::{self, Author, RevertError};
use seeds::{Document, Written};
use support::TestDb;

const BALTI: &str = "balti-iarmarocul-comunitatii-2017.toml";

/// The curated documents with `edit` applied to the text of one file.
fn curated_with(file: &str, edit: impl FnOnce(&str) -> String) -> Vec<(String, Document)> {
    let mut documents = seeds::curated().expect("curated seeds parse");
    let (_, text) = seeds::CURATED
        .iter()
        .find(|(name, _)| *name == file)
        .expect("the file is curated");
    let edited = edit(text);
    assert_ne!(
        &edited, text,
        "the edit changed nothing: the test would prove nothing"
    );
    let position = documents.iter().position(|(n, _)| n == file).expect("file");
    let mut document = seeds::parse(file, &edited).expect("the edited file parses");
    document.source.text = documents[position].1.source.text.take();
    documents[position].1 = document;
    documents
}

fn editor(token_id: i64) -> Author {
    Author {
        actor: format!("editor-{token_id}"),
        token_id: Some(token_id),
    }
}

/// Everything a coordinator could see change: row counts, organizations, citations and ties.
async fn dump(db: &DatabaseConnection) -> String {
    let counts = libgraph::store::summary(db).await.expect("summary");
    let organizations = organization::Entity::find()
        .order_by_asc(organization::Column::OrganizationId)
        .all(db)
        .await
        .expect("organizations");
    let mut citations: Vec<_> = citation::Entity::find()
        .all(db)
        .await
        .expect("citations")
        .into_iter()
        .map(|c| (c.record_id, c.source_id, c.quote, c.basis, c.reasoning))
        .collect();
    citations.sort();
    let mut ties: Vec<_> = collaboration::Entity::find()
        .all(db)
        .await
        .expect("ties")
        .into_iter()
        .map(|t| format!("{t:?}"))
        .collect();
    ties.sort();
    format!("{counts:?}\n{organizations:?}\n{citations:?}\n{ties:?}")
}

async fn record(db: &DatabaseConnection, key: &str) -> record::Model {
    record::Entity::find()
        .filter(record::Column::Key.eq(key))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("record {key} is missing"))
}

async fn name_en(db: &DatabaseConnection, slug: &str) -> Option<String> {
    organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await
        .expect("query")
        .expect("organization")
        .name_en
}

async fn load(
    db: &DatabaseConnection,
    documents: &[(String, Document)],
    author: &Author,
) -> Written {
    seeds::load_as(db, documents, author, "recordStory", Some("test"))
        .await
        .expect("the load succeeds")
}

fn renamed(text: &str) -> String {
    text.replace(
        "name_en = \"Bălți City Hall\"",
        "name_en = \"Bălți Municipal Hall\"",
    )
}

#[tokio::test]
async fn a_load_is_a_revision_and_reloading_the_same_files_records_nothing() {
    let test = TestDb::migrated().await;
    let curated = seeds::curated().expect("curated");
    let first = load(&test.db, &curated, &Author::seed()).await;
    let records = record::Entity::find().all(&test.db).await.expect("records");
    assert!(first.revision.is_some());
    assert_eq!(first.changes.len(), records.len(), "every record is new");
    assert!(
        first
            .changes
            .iter()
            .all(|c| c.before.is_none() && c.after.is_some())
    );
    assert!(
        records.iter().all(|r| r.version == 1),
        "a new record is at version 1"
    );

    let again = load(&test.db, &curated, &Author::seed()).await;
    assert_eq!(again.revision, None, "{:#?}", again.changes.first());
    assert!(again.changes.is_empty());
    let records = record::Entity::find().all(&test.db).await.expect("records");
    assert!(
        records.iter().all(|r| r.version == 1),
        "nothing changed, no version moved"
    );
}

#[tokio::test]
async fn an_edit_records_the_record_before_and_after_and_raises_its_version() {
    let test = TestDb::seeded().await;
    let edited = curated_with(BALTI, renamed);
    let written = load(&test.db, &edited, &editor(7)).await;

    assert_eq!(written.changes.len(), 1, "{:#?}", written.changes);
    let change = &written.changes[0];
    assert_eq!(change.key, "primaria-municipiului-balti");
    let name = |s: &Option<revision::Snapshot>| {
        s.as_ref().expect("snapshot")["organization"]["name_en"].clone()
    };
    assert_eq!(name(&change.before), "Bălți City Hall");
    assert_eq!(name(&change.after), "Bălți Municipal Hall");
    assert_eq!(
        record(&test.db, "primaria-municipiului-balti")
            .await
            .version,
        2
    );

    let stored = entities::revision::Entity::find_by_id(written.revision.expect("a revision"))
        .one(&test.db)
        .await
        .expect("query")
        .expect("stored");
    assert_eq!(stored.actor, "editor-7");
    assert_eq!(stored.token_id, Some(7));
    assert_eq!(stored.operation, "recordStory");
    assert_eq!(stored.reason.as_deref(), Some("test"));
}

#[tokio::test]
async fn a_revert_puts_back_exactly_what_was_there_and_can_itself_be_reverted() {
    let test = TestDb::seeded().await;
    let original = dump(&test.db).await;
    let edit = load(&test.db, &curated_with(BALTI, renamed), &editor(1))
        .await
        .revision
        .expect("a revision");
    let edited = dump(&test.db).await;
    assert_ne!(original, edited);

    let undo = revision::revert(&test.db, edit, &editor(2), Some("typo"))
        .await
        .expect("revert");
    assert_eq!(dump(&test.db).await, original);
    assert_eq!(
        name_en(&test.db, "primaria-municipiului-balti")
            .await
            .as_deref(),
        Some("Bălți City Hall")
    );
    assert_eq!(
        record(&test.db, "primaria-municipiului-balti")
            .await
            .version,
        3
    );
    assert_eq!(undo.changes.len(), 1);

    match revision::revert(&test.db, edit, &editor(2), None).await {
        Err(RevertError::AlreadyReverted { revision, by }) => {
            assert_eq!((revision, by), (edit, undo.revision));
        }
        other => panic!("a second revert must be refused: {other:?}"),
    }
    revision::revert(&test.db, undo.revision, &editor(2), Some("redo"))
        .await
        .expect("revert the revert");
    assert_eq!(dump(&test.db).await, edited);
}

/// A new source with a new organization taking part in an existing event, cited.
const STORY: &str = r#"
[source]
slug = "balti-follow-up-2018"
title = "A follow-up"
language = "en"
published = "2018"

[[organization]]
slug = "balti-readers-club"
kind = "informal_group"
name = "Balti readers' club"
name_lang = "en"
quote = "the readers' club of Bălți"

[[participation]]
organization = "balti-readers-club"
in = "iarmarocul-comunitatii-balti-2017"
role = "participant"
quote = "the readers' club took part in the fair"
"#;

#[tokio::test]
async fn reverting_a_story_removes_everything_it_added_ties_included() {
    let test = TestDb::seeded().await;
    let original = dump(&test.db).await;
    let story = vec![(
        "story.toml".to_owned(),
        seeds::parse("story.toml", STORY).expect("parses"),
    )];
    let written = load(&test.db, &story, &editor(3)).await;
    assert!(
        written.changes.iter().all(|c| c.before.is_none()),
        "{:#?}",
        written.changes
    );
    assert_eq!(
        written.changes.len(),
        2,
        "the organization and its participation"
    );
    let added = dump(&test.db).await;
    assert_ne!(added, original);

    revision::revert(
        &test.db,
        written.revision.expect("revision"),
        &editor(3),
        None,
    )
    .await
    .expect("revert");
    assert_eq!(dump(&test.db).await, original);
    assert!(
        record::Entity::find()
            .filter(record::Column::Key.eq("balti-readers-club"))
            .one(&test.db)
            .await
            .expect("query")
            .is_none()
    );
    // The history of the removed records is kept.
    let id = written.changes[0].record_id;
    let history = revision_change::Entity::find()
        .filter(revision_change::Column::RecordId.eq(id))
        .all(&test.db)
        .await
        .expect("history");
    assert_eq!(history.len(), 2, "added, then removed");
}

#[tokio::test]
async fn a_revert_is_refused_while_a_later_edit_stands() {
    let test = TestDb::seeded().await;
    let first = load(&test.db, &curated_with(BALTI, renamed), &editor(1))
        .await
        .revision
        .expect("revision");
    let second = load(
        &test.db,
        &curated_with(BALTI, |t| {
            renamed(t).replace("Bălți Municipal Hall", "Bălți Hall")
        }),
        &editor(1),
    )
    .await
    .revision
    .expect("revision");
    let before = dump(&test.db).await;
    match revision::revert(&test.db, first, &editor(1), None).await {
        Err(RevertError::ChangedSince { later, key, .. }) => {
            assert_eq!(later, second);
            assert_eq!(key, "primaria-municipiului-balti");
        }
        other => panic!("expected ChangedSince, got {other:?}"),
    }
    assert_eq!(
        dump(&test.db).await,
        before,
        "a refused revert changes nothing"
    );
    assert!(matches!(
        revision::revert(&test.db, 999_999, &editor(1), None).await,
        Err(RevertError::NotFound(999_999))
    ));
}

#[tokio::test]
async fn a_seed_load_leaves_a_record_edited_through_the_api_and_reports_it() {
    let test = TestDb::seeded().await;
    let edit = load(&test.db, &curated_with(BALTI, renamed), &editor(5))
        .await
        .revision
        .expect("revision");
    // The files still say "Bălți City Hall", and now also change another record.
    let files = curated_with(BALTI, |t| {
        t.replace("name_en = \"Bălți\"\n", "name_en = \"Balti\"\n")
    });
    let written = seeds::load_as(&test.db, &files, &Author::seed(), Author::SEED, None)
        .await
        .expect("seed load");
    assert_eq!(
        written.conflicts,
        vec![(
            RecordKind::Organization,
            "primaria-municipiului-balti".to_owned(),
            edit
        )]
    );
    assert_eq!(
        name_en(&test.db, "primaria-municipiului-balti")
            .await
            .as_deref(),
        Some("Bălți Municipal Hall"),
        "the API's edit stands"
    );
    assert!(
        written.changes.iter().any(|c| c.key == "balti"),
        "the rest of the load went in: {:#?}",
        written.changes.iter().map(|c| &c.key).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_api_shows_a_records_history_its_version_and_the_feed() {
    let test = TestDb::seeded().await;
    let edit = load(&test.db, &curated_with(BALTI, renamed), &editor(4))
        .await
        .revision
        .expect("revision");
    let app = support::app::spawn_app_on(test, Default::default()).await;
    let body = app
        .query(
            r#"{ organization(slug: "primaria-municipiului-balti") { id version } }"#,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(body["organization"]["version"], 2);
    let id = body["organization"]["id"].clone();
    let body = app
        .query(
            "query($id: ID!) {
               history(id: $id) { number actor operation reason revertedBy
                 changes(first: 5) { totalCount items { recordId kind key action before after } } }
               recentChanges(first: 2) { number operation }
               revision(number: 1) { operation actor changes(first: 0) { totalCount items { key } } }
             }",
            serde_json::json!({ "id": id }),
        )
        .await;
    let history = body["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "the seed load and the edit: {body:#}");
    assert_eq!(history[0]["number"], edit);
    assert_eq!(history[0]["actor"], "editor-4");
    assert_eq!(history[0]["reason"], "test");
    assert_eq!(history[1]["operation"], "seed");
    let change = &history[0]["changes"]["items"][0];
    assert_eq!(history[0]["changes"]["totalCount"], 1);
    assert_eq!(change["recordId"], id);
    assert_eq!(change["action"], "UPDATED");
    assert_eq!(
        change["before"]["organization"]["name_en"],
        "Bălți City Hall"
    );
    assert_eq!(
        change["after"]["organization"]["name_en"],
        "Bălți Municipal Hall"
    );
    assert!(change["after"].get("search_term").is_none());
    assert_eq!(body["recentChanges"][0]["number"], edit);
    assert_eq!(body["revision"]["operation"], "seed");
    assert_eq!(body["revision"]["changes"]["items"], serde_json::json!([]));
    assert!(
        body["revision"]["changes"]["totalCount"]
            .as_u64()
            .expect("count")
            > 100
    );

    // Statements stay constant as the feed grows: one per level.
    let (_, few) = app
        .statements_for(
            "{ recentChanges(first: 1) { number changes { items { key } } } }",
            serde_json::json!({}),
        )
        .await;
    let (_, more) = app
        .statements_for(
            "{ recentChanges(first: 2) { number changes { items { key } } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(few, more, "a revision's changes are batched");
}
