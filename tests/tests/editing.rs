//! Editing through the API: a story recorded with a token is in search and collaborators at
//! once, can be undone, and leaves its history; a broken rule, a missing token or a failure
//! half-way writes nothing.

use entities::TokenRole;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use support::app::{TestApp, spawn_app};

/// A new source: a readers' club taking part in the Bălți community fair.
const STORY: &str = r#"
[source]
slug = "balti-readers-club-2018"
title = "The readers' club at the fair"
language = "en"
published = "2018"

[[organization]]
slug = "balti-readers-club"
kind = "informal_group"
name = "Clubul cititorilor din Bălți"
name_lang = "ro"
name_en = "Bălți readers' club"
quote = "the readers' club of Bălți"

[[participation]]
organization = "balti-readers-club"
in = "iarmarocul-comunitatii-balti-2017"
role = "participant"
quote = "the readers' club took part in the fair"
"#;

const RECORD: &str = "mutation($document: String!, $reason: String) {
  recordStory(document: $document, reason: $reason) {
    created updated
    revision { number actor operation reason changes { totalCount items { kind key action recordId before after } } }
    userErrors { field record message code }
  }
}";

const REVERT: &str = "mutation($revision: Int!) {
  revert(revision: $revision, reason: \"undo\") {
    revision { number operation reverts changes { totalCount items { key action } } }
    userErrors { field message code }
  }
}";

async fn counts(db: &DatabaseConnection) -> Vec<(&'static str, u64)> {
    libgraph::store::summary(db).await.expect("summary")
}

pub(crate) async fn found(app: &TestApp, text: &str) -> Vec<String> {
    let body = app
        .query(
            "query($text: String!) { search(text: $text, first: 10) { nodes { record { ... on Organization { slug } } } } }",
            json!({ "text": text }),
        )
        .await;
    body["search"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["record"]["slug"].as_str().map(str::to_owned))
        .collect()
}

pub(crate) async fn collaborators(app: &TestApp, slug: &str) -> Vec<String> {
    let body = app
        .query(
            "query($slug: String!) { organization(slug: $slug) { collaborators(first: 50) { nodes { organization { slug } } } } }",
            json!({ "slug": slug }),
        )
        .await;
    body["organization"]["collaborators"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["organization"]["slug"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_story_is_in_search_and_collaborators_at_once_and_undoing_it_takes_it_away() {
    let app = spawn_app().await;
    let token = app.token("coordinator", TokenRole::Editor).await;
    let bearer = format!("Bearer {token}");
    let before = counts(&app.db.db).await;
    assert!(found(&app, "readers club").await.is_empty());

    let body = app
        .post_as(
            Some(&bearer),
            RECORD,
            json!({ "document": STORY, "reason": "the 2018 report" }),
        )
        .await;
    let payload = &body["data"]["recordStory"];
    assert_eq!(payload["userErrors"], json!([]), "{body:#}");
    assert_eq!(
        (payload["created"].as_u64(), payload["updated"].as_u64()),
        (Some(2), Some(0))
    );
    let revision = &payload["revision"];
    assert_eq!(revision["actor"], "coordinator");
    assert_eq!(revision["operation"], "recordStory");
    assert_eq!(revision["reason"], "the 2018 report");
    assert_eq!(revision["changes"]["totalCount"], 2);
    let organization = revision["changes"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["kind"] == "organization")
        .expect("the organization is a change");
    assert_eq!(organization["action"], "CREATED");
    assert_eq!(organization["before"], Value::Null);
    assert_eq!(
        organization["after"]["organization"]["name_en"],
        "Bălți readers' club"
    );
    assert!(
        organization["after"].get("search_word").is_none(),
        "index rows are not shown"
    );
    let number = revision["number"].as_i64().expect("number");

    // Seen at once, by search and by the partners' ties.
    assert_eq!(found(&app, "readers club").await, ["balti-readers-club"]);
    assert!(
        collaborators(&app, "biblioteca-municipala-e-coseriu-balti")
            .await
            .contains(&"balti-readers-club".to_owned())
    );

    // Its history, and the feed.
    let history = app
        .query(
            "query($id: ID!) { history(id: $id) { number actor changes { items { key } } } recentChanges(first: 1) { number } }",
            json!({ "id": organization["recordId"] }),
        )
        .await;
    assert_eq!(history["history"].as_array().map(Vec::len), Some(1));
    assert_eq!(history["history"][0]["number"], number);
    assert_eq!(history["recentChanges"][0]["number"], number);

    // Undone: gone from search, ties and counts; the history keeps both steps.
    let body = app
        .post_as(Some(&bearer), REVERT, json!({ "revision": number }))
        .await;
    let payload = &body["data"]["revert"];
    assert_eq!(payload["userErrors"], json!([]), "{body:#}");
    assert_eq!(payload["revision"]["reverts"], number);
    assert_eq!(payload["revision"]["changes"]["totalCount"], 2);
    assert!(found(&app, "readers club").await.is_empty());
    assert!(
        !collaborators(&app, "biblioteca-municipala-e-coseriu-balti")
            .await
            .contains(&"balti-readers-club".to_owned())
    );
    assert_eq!(counts(&app.db.db).await, before);
    let history = app
        .query(
            "query($id: ID!) { history(id: $id) { number operation revertedBy reverts } }",
            json!({ "id": organization["recordId"] }),
        )
        .await;
    assert_eq!(history["history"][0]["operation"], "revert");
    assert_eq!(
        history["history"][1]["revertedBy"],
        history["history"][0]["number"].clone()
    );

    // A second undo of the same revision is a conflict, and changes nothing.
    let body = app
        .post_as(Some(&bearer), REVERT, json!({ "revision": number }))
        .await;
    assert_eq!(
        body["data"]["revert"]["userErrors"][0]["code"], "CONFLICT",
        "{body:#}"
    );
    assert_eq!(body["data"]["revert"]["revision"], Value::Null);
    assert_eq!(counts(&app.db.db).await, before);
}

#[tokio::test]
async fn a_story_that_breaks_a_rule_is_refused_whole_naming_the_field() {
    let app = spawn_app().await;
    let bearer = format!("Bearer {}", app.token("ed", TokenRole::Editor).await);
    let before = counts(&app.db.db).await;
    let broken = STORY.replace("role = \"participant\"", "role = \"boss\"");
    let body = app
        .post_as(Some(&bearer), RECORD, json!({ "document": broken }))
        .await;
    let payload = &body["data"]["recordStory"];
    assert_eq!(payload["revision"], Value::Null);
    let errors = payload["userErrors"].as_array().expect("userErrors");
    assert_eq!(errors.len(), 1, "{body:#}");
    assert_eq!(errors[0]["field"], "role");
    assert_eq!(errors[0]["code"], "BAD_USER_INPUT");
    assert!(
        errors[0]["message"]
            .as_str()
            .expect("message")
            .contains("boss"),
        "{body:#}"
    );
    assert_eq!(counts(&app.db.db).await, before, "nothing written");

    let body = app
        .post_as(
            Some(&bearer),
            RECORD,
            json!({ "document": "[source\nslug = 1" }),
        )
        .await;
    assert_eq!(
        body["data"]["recordStory"]["userErrors"][0]["code"], "BAD_USER_INPUT",
        "{body:#}"
    );
    assert_eq!(counts(&app.db.db).await, before, "nothing written");
}

#[tokio::test]
async fn writing_needs_an_editor_token_and_nothing_is_written_without_one() {
    let app = spawn_app().await;
    let before = counts(&app.db.db).await;
    for (authorization, code) in [
        (None, "UNAUTHENTICATED"),
        (Some("Bearer lgt_not-a-token".to_owned()), "UNAUTHENTICATED"),
    ] {
        for (field, query, variables) in [
            ("recordStory", RECORD, json!({ "document": STORY })),
            ("revert", REVERT, json!({ "revision": 1 })),
            (
                "deleteRecord",
                "mutation($id: ID!) { deleteRecord(id: $id, reason: \"x\") { removed } }",
                json!({ "id": app.organization_id("frsi").await }),
            ),
        ] {
            let body = app
                .post_as(authorization.as_deref(), query, variables)
                .await;
            assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body:#}");
            assert_eq!(body["data"][field], Value::Null, "{body:#}");
        }
    }
    assert_eq!(counts(&app.db.db).await, before, "nothing written");
    let admin = format!("Bearer {}", app.token("admin", TokenRole::Admin).await);
    let body = app
        .post_as(Some(&admin), RECORD, json!({ "document": STORY }))
        .await;
    assert_eq!(
        body["data"]["recordStory"]["created"], 2,
        "an admin may edit too: {body:#}"
    );
}

/// Makes every insert into `participation` fail, as a disk or a bug would half-way through a
/// story (after its organization is written).
async fn break_participations(db: &DatabaseConnection) {
    let statements: &[&str] = match db.get_database_backend() {
        DbBackend::Sqlite => &[
            "CREATE TRIGGER injected_failure BEFORE INSERT ON participation
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ],
        _ => &[
            "CREATE FUNCTION injected_failure() RETURNS trigger AS $$
             BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER injected_failure BEFORE INSERT ON participation
             FOR EACH ROW EXECUTE FUNCTION injected_failure()",
        ],
    };
    for sql in statements {
        db.execute_raw(Statement::from_string(db.get_database_backend(), *sql))
            .await
            .expect("trigger");
    }
}

#[tokio::test]
async fn a_story_that_fails_half_way_leaves_no_row_behind() {
    let app = spawn_app().await;
    let bearer = format!("Bearer {}", app.token("ed", TokenRole::Editor).await);
    let before = counts(&app.db.db).await;
    let revisions = app
        .query("{ recentChanges(first: 100) { number } }", json!({}))
        .await;
    break_participations(&app.db.db).await;

    let body = app
        .post_as(Some(&bearer), RECORD, json!({ "document": STORY }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR",
        "{body:#}"
    );
    assert!(
        !body.to_string().contains("injected failure"),
        "the database's words stay in the log: {body:#}"
    );
    assert_eq!(counts(&app.db.db).await, before, "no row behind");
    assert!(found(&app, "readers club").await.is_empty());
    assert_eq!(
        app.query("{ recentChanges(first: 100) { number } }", json!({}))
            .await,
        revisions,
        "no revision either"
    );
}

/// Story `n` of client `client`: a new club, in a new event of its own, with the Bălți library.
fn story(client: usize, n: usize) -> String {
    format!(
        r#"
[source]
slug = "club-report-{client}-{n}"
title = "Club report {client}.{n}"
language = "en"
published = "2019"

[[organization]]
slug = "club-{client}-{n}"
kind = "informal_group"
name = "Club {client}.{n}"
name_lang = "en"
quote = "club {client}.{n}"

[[event]]
slug = "club-meeting-{client}-{n}"
kind = "meeting"
name = "Club meeting {client}.{n}"
name_lang = "en"
quote = "a meeting"

[[participation]]
organization = "club-{client}-{n}"
in = "club-meeting-{client}-{n}"
role = "organizer"
quote = "the club organised a meeting"

[[participation]]
organization = "biblioteca-municipala-e-coseriu-balti"
in = "club-meeting-{client}-{n}"
role = "host"
quote = "at the library"
"#
    )
}

#[tokio::test]
async fn concurrent_writers_each_acknowledged_write_is_stored_exactly_once() {
    const CLIENTS: usize = 64;
    const EACH: usize = 3;
    let app = std::sync::Arc::new(spawn_app().await);
    let bearer = format!("Bearer {}", app.token("many", TokenRole::Editor).await);
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (app, bearer) = (app.clone(), bearer.clone());
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..EACH {
                let body = app
                    .post_as(
                        Some(&bearer),
                        RECORD,
                        json!({ "document": story(client, n) }),
                    )
                    .await;
                assert!(
                    !body.to_string().to_lowercase().contains("locked"),
                    "{body:#}"
                );
                if body["data"]["recordStory"]["userErrors"] == json!([]) {
                    acknowledged.push(format!("club-{client}-{n}"));
                } else {
                    panic!("a write was refused: {body:#}");
                }
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.expect("client"));
    }
    assert_eq!(acknowledged.len(), CLIENTS * EACH);
    let backend = app.db.db.get_database_backend();
    for (sql, expected) in [
        (
            "SELECT COUNT(*) FROM organization WHERE slug LIKE 'club-%'",
            CLIENTS * EACH,
        ),
        (
            "SELECT COUNT(*) FROM revision WHERE operation = 'recordStory'",
            CLIENTS * EACH,
        ),
        (
            "SELECT COUNT(DISTINCT slug) FROM organization WHERE slug LIKE 'club-%'",
            CLIENTS * EACH,
        ),
    ] {
        let row = app
            .db
            .db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .expect("count")
            .expect("row");
        let count: i64 = row.try_get_by_index(0).expect("count");
        assert_eq!(count as usize, expected, "{sql}");
    }
    // The library's ties were rebuilt by every write, and hold every club.
    let partners = collaborators(&app, "biblioteca-municipala-e-coseriu-balti").await;
    assert!(partners.len() >= 50, "{}", partners.len());
}

#[tokio::test]
async fn of_racing_edits_at_one_version_exactly_one_is_written() {
    const RACERS: usize = 32;
    let app = std::sync::Arc::new(spawn_app().await);
    let bearer = format!("Bearer {}", app.token("racer", TokenRole::Editor).await);
    let read = app
        .query(
            r#"{ organization(slug: "primaria-municipiului-balti") { id version } }"#,
            json!({}),
        )
        .await;
    let (id, version) = (
        read["organization"]["id"].clone(),
        read["organization"]["version"].clone(),
    );
    assert_eq!(version, 1);
    let mut tasks = Vec::new();
    for racer in 0..RACERS {
        let (app, bearer, id) = (app.clone(), bearer.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let document = format!(
                r#"
[source]
slug = "rename-{racer}"
title = "Rename {racer}"
language = "en"

[[organization]]
slug = "primaria-municipiului-balti"
name = "Primăria municipiului Bălți"
name_lang = "ro"
name_en = "Bălți City Hall ({racer})"
kind = "public_authority"
quote = "the city hall"
"#
            );
            let body = app
                .post_as(
                    Some(&bearer),
                    "mutation($document: String!, $expected: [ExpectedVersion!]) {
                       recordStory(document: $document, expectedVersions: $expected) {
                         revision { number } userErrors { field code message } } }",
                    json!({ "document": document, "expected": [{ "id": id, "version": 1 }] }),
                )
                .await;
            body["data"]["recordStory"].clone()
        }));
    }
    let mut written = 0;
    let mut conflicts = 0;
    for task in tasks {
        let payload = task.await.expect("racer");
        match payload["userErrors"].as_array().map(Vec::as_slice) {
            Some([]) => written += 1,
            Some([error]) if error["code"] == "CONFLICT" => {
                assert_eq!(error["field"], "expectedVersions");
                conflicts += 1;
            }
            _ => panic!("unexpected answer: {payload:#}"),
        }
    }
    assert_eq!((written, conflicts), (1, RACERS - 1));
    let after = app
        .query(
            r#"{ organization(slug: "primaria-municipiului-balti") { version } }"#,
            json!({}),
        )
        .await;
    assert_eq!(after["organization"]["version"], 2);
}
