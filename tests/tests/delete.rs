//! Deleting a record (`deleteRecord`): it leaves every query, search and tie with the relations
//! that cannot outlive it, records that only mention it keep standing with that reference
//! cleared, a story naming it is refused, and `restore` gives back the graph exactly as it was.

use entities::TokenRole;
use serde_json::{Value, json};
use support::app::{TestApp, spawn_app};

use crate::editing::{collaborators, found};

const LIBRARY: &str = "poltava-library-9";
const PARTNER: &str = "ray-of-light-of-poltava-region";

const DELETE: &str = "mutation($id: ID!, $reason: String!, $v: [ExpectedVersion!]) {
  deleteRecord(id: $id, reason: $reason, expectedVersions: $v) {
    revision { number operation actor reason changes(first: 500) { totalCount items { action } } }
    removed detached
    userErrors { field message code }
  }
}";
const RESTORE: &str = "mutation($id: ID!) { restore(id: $id, reason: \"deleted by mistake\") { revision { number reverts } userErrors { field message code } } }";

/// What a coordinator sees of the library and around it.
async fn view(app: &TestApp) -> Value {
    app.query(
        "query($slug: String!) {
           organization(slug: $slug) {
             id version slug name place { slug }
             participations(first: 50) { totalCount nodes { role } }
             aliases { name }
           }
           project(slug: \"b-zone\") { participations(first: 50) { totalCount nodes { organization { slug } } } }
           statistics { organizationsByKind { key count } }
         }",
        json!({ "slug": LIBRARY }),
    )
    .await
}

#[tokio::test]
async fn a_deleted_organization_leaves_with_its_relations_and_restore_brings_back_the_graph() {
    let app = spawn_app().await;
    let editor = format!("Bearer {}", app.token("editor", TokenRole::Editor).await);
    let admin = format!("Bearer {}", app.token("admin", TokenRole::Admin).await);
    let counts_before = libgraph::store::summary(&app.db.db).await.expect("summary");
    let before = view(&app).await;
    let id = before["organization"]["id"].clone();
    let version = before["organization"]["version"].clone();
    let participations = before["organization"]["participations"]["totalCount"]
        .as_i64()
        .expect("participations");
    assert!(participations >= 2, "{before:#}");
    assert!(
        collaborators(&app, PARTNER)
            .await
            .contains(&LIBRARY.to_owned())
    );
    assert!(
        found(&app, "Poltava library")
            .await
            .contains(&LIBRARY.to_owned())
    );

    // A stale version is refused and writes nothing.
    let stale = app
        .post_as(
            Some(&editor),
            DELETE,
            json!({ "id": id, "reason": "duplicate", "v": [{ "id": id, "version": 99 }] }),
        )
        .await;
    assert_eq!(
        stale["data"]["deleteRecord"]["userErrors"][0]["code"], "CONFLICT",
        "{stale:#}"
    );
    assert_eq!(view(&app).await, before);

    let body = app
        .post_as(
            Some(&editor),
            DELETE,
            json!({ "id": id, "reason": "recorded by mistake", "v": [{ "id": id, "version": version }] }),
        )
        .await;
    let payload = &body["data"]["deleteRecord"];
    assert_eq!(payload["userErrors"], json!([]), "{body:#}");
    assert_eq!(payload["revision"]["operation"], "deleteRecord");
    assert_eq!(payload["revision"]["actor"], "editor");
    assert_eq!(payload["revision"]["reason"], "recorded by mistake");
    // The library, its participations and the outcomes and fundings that hang from it.
    let removed = payload["removed"].as_i64().expect("removed");
    assert!(removed > participations, "{body:#}");
    let actions = &payload["revision"]["changes"];
    assert_eq!(
        actions["totalCount"],
        removed + payload["detached"].as_i64().expect("detached")
    );
    assert!(
        actions["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|c| c["action"] == "DELETED")
            .count() as i64
            == removed,
        "{body:#}"
    );

    // Gone from every way in: by slug, by ID, from search, from its partner's ties, from the
    // project's participants and from the counts.
    let after = view(&app).await;
    assert_eq!(after["organization"], Value::Null, "{after:#}");
    let node = app
        .query(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["node"], Value::Null, "{node:#}");
    assert!(
        !found(&app, "Poltava library")
            .await
            .contains(&LIBRARY.to_owned())
    );
    assert!(
        !collaborators(&app, PARTNER)
            .await
            .contains(&LIBRARY.to_owned())
    );
    assert!(
        !after["project"]["participations"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|n| n["organization"]["slug"] == LIBRARY),
        "{after:#}"
    );
    assert_ne!(after["statistics"], before["statistics"]);

    // Deleted again: not found. A story naming it is told it was deleted, and writes nothing.
    let again = app
        .post_as(
            Some(&editor),
            DELETE,
            json!({ "id": id, "reason": "again" }),
        )
        .await;
    assert_eq!(
        again["data"]["deleteRecord"]["userErrors"][0]["code"], "NOT_FOUND",
        "{again:#}"
    );
    let story = format!(
        r#"
[source]
slug = "poltava-follow-up"
title = "A follow-up"
language = "en"
published = "2024"

[[participation]]
organization = "{LIBRARY}"
in = "b-zone"
role = "partner"
quote = "the library took part"
"#
    );
    let told = app
        .post_as(
            Some(&editor),
            "mutation($d: String!) { recordStory(document: $d) { revision { number } userErrors { message code } } }",
            json!({ "d": story }),
        )
        .await;
    assert_eq!(
        told["data"]["recordStory"]["revision"],
        Value::Null,
        "{told:#}"
    );
    assert!(
        told["data"]["recordStory"]["userErrors"]
            .as_array()
            .expect("userErrors")
            .iter()
            .any(|e| e["message"]
                .as_str()
                .is_some_and(|m| m.contains("was deleted through the API"))),
        "{told:#}"
    );

    // Restore (admins only) gives back the library, its relations, ties, search words and every
    // count as they were.
    let refused = app
        .post_as(Some(&editor), RESTORE, json!({ "id": id }))
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused:#}"
    );
    let undo = app
        .post_as(Some(&admin), RESTORE, json!({ "id": id }))
        .await;
    assert_eq!(undo["data"]["restore"]["userErrors"], json!([]), "{undo:#}");
    assert_eq!(
        undo["data"]["restore"]["revision"]["reverts"],
        payload["revision"]["number"]
    );
    let restored = view(&app).await;
    // The version counts the delete and the restore; everything else is as it was.
    let strip = |mut v: Value| {
        v["organization"]["version"] = Value::Null;
        v
    };
    assert_eq!(strip(restored), strip(before));
    assert!(
        collaborators(&app, PARTNER)
            .await
            .contains(&LIBRARY.to_owned())
    );
    assert!(
        found(&app, "Poltava library")
            .await
            .contains(&LIBRARY.to_owned())
    );
    assert_eq!(
        libgraph::store::summary(&app.db.db).await.expect("summary"),
        counts_before
    );
}

#[tokio::test]
async fn a_deleted_place_leaves_what_stands_in_it_standing_without_it() {
    let app = spawn_app().await;
    let editor = format!("Bearer {}", app.token("editor", TokenRole::Editor).await);
    let admin = format!("Bearer {}", app.token("admin", TokenRole::Admin).await);
    let before = view(&app).await;
    assert_eq!(
        before["organization"]["place"]["slug"], "poltava",
        "{before:#}"
    );
    let place = app
        .query(
            "query($slug: String!) { organization(slug: $slug) { place { id } } }",
            json!({ "slug": LIBRARY }),
        )
        .await["organization"]["place"]["id"]
        .clone();
    let body = app
        .post_as(
            Some(&editor),
            DELETE,
            json!({ "id": place, "reason": "a test of detaching" }),
        )
        .await;
    let payload = &body["data"]["deleteRecord"];
    assert_eq!(payload["userErrors"], json!([]), "{body:#}");
    assert!(payload["detached"].as_i64() >= Some(1), "{body:#}");
    let after = view(&app).await;
    assert_eq!(
        after["organization"]["slug"], LIBRARY,
        "the library stays: {after:#}"
    );
    assert_eq!(after["organization"]["place"], Value::Null, "{after:#}");
    let undo = app
        .post_as(Some(&admin), RESTORE, json!({ "id": place }))
        .await;
    assert_eq!(undo["data"]["restore"]["userErrors"], json!([]), "{undo:#}");
    assert_eq!(view(&app).await["organization"]["place"]["slug"], "poltava");
}

#[tokio::test]
async fn a_deletion_that_cannot_be_done_writes_nothing_and_says_why() {
    let app = spawn_app().await;
    let editor = format!("Bearer {}", app.token("editor", TokenRole::Editor).await);
    let counts = libgraph::store::summary(&app.db.db).await.expect("summary");
    let publisher = app.organization_id("frsi").await;
    let source = app
        .query("{ sources(first: 1) { nodes { id } } }", json!({}))
        .await["sources"]["nodes"][0]["id"]
        .clone();
    let library = app.organization_id(LIBRARY).await;
    let cases = [
        // It published a source: the facts that source supports would lose their provenance.
        (
            json!({ "id": publisher, "reason": "x" }),
            "id",
            "BAD_USER_INPUT",
            "published the source",
        ),
        (
            json!({ "id": source, "reason": "x" }),
            "id",
            "BAD_USER_INPUT",
            "sources are not deleted",
        ),
        (
            json!({ "id": library, "reason": " " }),
            "reason",
            "BAD_USER_INPUT",
            "is empty",
        ),
        (
            json!({ "id": "T3JnOjE=-broken", "reason": "x" }),
            "id",
            "BAD_USER_INPUT",
            "not an ID",
        ),
        (
            json!({ "id": "T3JnYW5pemF0aW9uOjk5OTk5OQ", "reason": "x" }),
            "id",
            "NOT_FOUND",
            "no record",
        ),
    ];
    for (vars, field, code, message) in cases {
        let body = app.post_as(Some(&editor), DELETE, vars.clone()).await;
        let payload = &body["data"]["deleteRecord"];
        assert_eq!(payload["revision"], Value::Null, "{vars}: {body:#}");
        let error = &payload["userErrors"][0];
        assert_eq!(error["field"], field, "{vars}: {body:#}");
        assert_eq!(error["code"], code, "{vars}: {body:#}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains(message)),
            "{vars}: {body:#}"
        );
    }
    // Without a token: not even read.
    let anonymous = app
        .post_as(None, DELETE, json!({ "id": library, "reason": "x" }))
        .await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{anonymous:#}"
    );
    assert_eq!(
        libgraph::store::summary(&app.db.db).await.expect("summary"),
        counts,
        "nothing was written"
    );
}

/// The references `deleteRecord` follows are every reference the schema has between records:
/// a migration that adds one without teaching `seeds::delete` fails here.
#[tokio::test]
async fn deletion_knows_every_reference_between_records() {
    let app = spawn_app().await;
    if app.db.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        // The catalogue query is SQLite's; the migrations are the same on both stores.
        return;
    }
    use sea_orm::ConnectionTrait;
    let rows = app
        .db
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT m.name, p.\"from\", p.\"table\", p.on_delete FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) p WHERE m.type = 'table' ORDER BY 1, 2",
        ))
        .await
        .expect("catalogue");
    let follows = |table: &str, column: &str, list: &[(&str, &str, &str)]| {
        list.iter().any(|(t, _, c)| *t == table && *c == column)
    };
    let mut missing = Vec::new();
    for row in rows {
        let table: String = row.try_get_by_index(0).expect("table");
        let column: String = row.try_get_by_index(1).expect("column");
        let to: String = row.try_get_by_index(2).expect("to");
        let on_delete: String = row.try_get_by_index(3).expect("on_delete");
        let covered = match on_delete.as_str() {
            // Owned rows, and a record's own row(s): they go with the record by the database.
            "CASCADE" => true,
            "NO ACTION" => {
                follows(&table, &column, seeds::delete::REQUIRED)
                    || seeds::delete::TIES.contains(&(table.as_str(), column.as_str()))
                    // What is not a record: sources, tokens, revisions, never deleted by it.
                    || ["source", "api_token", "revision"].contains(&to.as_str())
            }
            "SET NULL" => {
                follows(&table, &column, seeds::delete::OPTIONAL)
                    || (table == "source" && column == "publisher_id")
                    || ["source", "api_token", "revision"].contains(&to.as_str())
            }
            _ => false,
        };
        if !covered {
            missing.push(format!("{table}.{column} -> {to} ({on_delete})"));
        }
    }
    assert!(
        missing.is_empty(),
        "references seeds::delete does not follow: {missing:#?}"
    );
}
