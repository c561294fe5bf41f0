//! Merging two records of one body: the Polish culture ministry, recorded under its 2020–2023
//! name (`ministry-of-culture-2021`) and under its name since (`ministry-of-culture-and-national-
//! heritage`). After the merge the funders, statistics and search answer for the body; the old
//! ID and slug still resolve; a story naming the old slug is told where it went; reverting the
//! merge gives back the graph as it was.

use entities::TokenRole;
use serde_json::{Value, json};
use support::app::{TestApp, spawn_app};

const KEEP: &str = "ministry-of-culture-and-national-heritage";
const REMOVE: &str = "ministry-of-culture-2021";
const OLD_NAME: &str = "Ministerstwo Kultury, Dziedzictwa Narodowego i Sportu";

const MERGE: &str = "mutation($keep: ID!, $remove: ID!, $reason: String!) {
  mergeOrganizations(keep: $keep, remove: $remove, reason: $reason) {
    organization { slug aliases { name lang citations { totalCount } } }
    revision { number operation actor reason changes { totalCount } }
    moved combined dropped aliasesAdded
    userErrors { field message code }
  }
}";

/// What a coordinator sees of the ministry: what it funded, the funders' statistics, its names
/// and where its old slug leads.
async fn view(app: &TestApp, slug: &str) -> Value {
    app.query(
        "query($slug: String!) {
           organization(slug: $slug) {
             id slug name
             fundingsGiven(first: 50) { totalCount nodes { recipient { __typename } } }
             participations(first: 50) { totalCount }
             relations(first: 50) { totalCount }
             aliases { name }
           }
           statistics { fundingsByFunder { key count } }
         }",
        json!({ "slug": slug }),
    )
    .await
}

fn funder_count(view: &Value, slug: &str) -> Option<i64> {
    view["statistics"]["fundingsByFunder"]
        .as_array()
        .expect("fundingsByFunder")
        .iter()
        .find(|c| c["key"] == slug)
        .and_then(|c| c["count"].as_i64())
}

#[tokio::test]
async fn merging_the_two_ministry_records_answers_for_the_body_and_reverting_restores_both() {
    let app = spawn_app().await;
    let admin = format!("Bearer {}", app.token("admin", TokenRole::Admin).await);
    let editor = format!("Bearer {}", app.token("editor", TokenRole::Editor).await);
    let counts_before = libgraph::store::summary(&app.db.db).await.expect("summary");
    let kept_before = view(&app, KEEP).await;
    let removed_before = view(&app, REMOVE).await;
    let old_id = removed_before["organization"]["id"].clone();
    let given = |v: &Value| v["organization"]["fundingsGiven"]["totalCount"].as_i64();
    let (kept_given, removed_given) = (
        given(&kept_before).expect("kept"),
        given(&removed_before).expect("removed"),
    );
    assert!(
        kept_given > 0 && removed_given > 0,
        "each record funds something: {kept_before:#} {removed_before:#}"
    );
    assert_eq!(funder_count(&kept_before, KEEP), Some(kept_given));
    assert_eq!(funder_count(&kept_before, REMOVE), Some(removed_given));
    let vars = json!({ "keep": KEEP, "remove": REMOVE, "reason": "one ministry, renamed in 2020 and 2023" });

    // An editor may not merge; nothing is written.
    let refused = app.post_as(Some(&editor), MERGE, vars.clone()).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused:#}"
    );
    assert_eq!(view(&app, REMOVE).await, removed_before);

    let body = app.post_as(Some(&admin), MERGE, vars.clone()).await;
    let payload = &body["data"]["mergeOrganizations"];
    assert_eq!(payload["userErrors"], json!([]), "{body:#}");
    assert_eq!(payload["revision"]["operation"], "mergeOrganizations");
    assert_eq!(payload["revision"]["actor"], "admin");
    assert_eq!(
        payload["dropped"], 1,
        "the renamed_from relation between the two goes: {body:#}"
    );
    assert!(payload["moved"].as_i64().expect("moved") >= removed_given);
    assert!(
        payload["aliasesAdded"]
            .as_array()
            .expect("aliasesAdded")
            .contains(&json!(OLD_NAME)),
        "{body:#}"
    );
    let old_name = payload["organization"]["aliases"]
        .as_array()
        .expect("aliases")
        .iter()
        .find(|a| a["name"] == OLD_NAME)
        .expect("the old name is an alias");
    assert!(
        old_name["citations"]["totalCount"].as_i64() >= Some(1),
        "the quote that names it follows the name: {old_name:#}"
    );
    let revision = payload["revision"]["number"].as_i64().expect("number");

    // The body answers for everything either record held.
    let merged = view(&app, KEEP).await;
    assert_eq!(
        given(&merged),
        Some(kept_given + removed_given),
        "{merged:#}"
    );
    assert_eq!(
        funder_count(&merged, KEEP),
        Some(kept_given + removed_given)
    );
    assert_eq!(funder_count(&merged, REMOVE), None);
    // The old slug and the old ID resolve to the body.
    assert_eq!(view(&app, REMOVE).await["organization"]["slug"], KEEP);
    let node = app
        .query(
            "query($id: ID!) { node(id: $id) { ... on Organization { slug } } }",
            json!({ "id": old_id }),
        )
        .await;
    assert_eq!(node["node"]["slug"], KEEP, "{node:#}");
    let path = app
        .query(
            "query($from: ID!, $to: ID!) { connectionPath(from: $from, to: $to) { connected length } }",
            json!({ "from": REMOVE, "to": KEEP }),
        )
        .await;
    assert_eq!(path["connectionPath"]["length"], 0, "{path:#}");
    // Search finds the body by its old name.
    assert_eq!(
        crate::editing::found(&app, "Dziedzictwa Narodowego i Sportu")
            .await
            .first()
            .map(String::as_str),
        Some(KEEP)
    );

    // The removed record cannot be merged again, and a story that names it is told where it went.
    let again = app.post_as(Some(&admin), MERGE, vars.clone()).await;
    let errors = &again["data"]["mergeOrganizations"]["userErrors"];
    assert_eq!(errors[0]["field"], "remove", "{again:#}");
    assert_eq!(errors[0]["code"], "NOT_FOUND");
    assert!(
        errors[0]["message"]
            .as_str()
            .expect("message")
            .contains(KEEP),
        "{again:#}"
    );
    let story = format!(
        r#"
[source]
slug = "ministry-grant-note"
title = "A grant note"
language = "en"
published = "2021"

[[organization]]
slug = "gbp-note-library"
kind = "library"
name = "Biblioteka"
name_lang = "pl"
quote = "the library"

[organization.library]
type = "communal"

[[funding]]
funder = "{REMOVE}"
to = "gbp-note-library"
quote = "the ministry funded the library"
"#
    );
    let told = app
        .post_as(
            Some(&editor),
            "mutation($d: String!) { recordStory(document: $d) { revision { number } userErrors { message code } } }",
            json!({ "d": story }),
        )
        .await;
    let errors = &told["data"]["recordStory"]["userErrors"];
    assert!(
        errors
            .as_array()
            .expect("userErrors")
            .iter()
            .any(|e| e["message"]
                .as_str()
                .is_some_and(|m| m.contains("was merged into"))),
        "{told:#}"
    );
    assert_eq!(told["data"]["recordStory"]["revision"], Value::Null);

    // Restoring the removed record (admins only) undoes the merge whole: both records, their
    // fundings, relations, names and the statistics.
    const RESTORE: &str = "mutation($id: ID!) { restore(id: $id, reason: \"not one body after all\") { revision { number reverts } userErrors { field message code } } }";
    let refused = app
        .post_as(Some(&editor), RESTORE, json!({ "id": old_id }))
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused:#}"
    );
    let undo = app
        .post_as(Some(&admin), RESTORE, json!({ "id": old_id }))
        .await;
    assert_eq!(undo["data"]["restore"]["userErrors"], json!([]), "{undo:#}");
    assert_eq!(undo["data"]["restore"]["revision"]["reverts"], revision);
    let again = app
        .post_as(Some(&admin), RESTORE, json!({ "id": old_id }))
        .await;
    assert_eq!(
        again["data"]["restore"]["userErrors"][0]["code"], "CONFLICT",
        "{again:#}"
    );
    assert_eq!(view(&app, KEEP).await, kept_before);
    assert_eq!(view(&app, REMOVE).await, removed_before);
    assert_eq!(
        libgraph::store::summary(&app.db.db).await.expect("summary"),
        counts_before
    );
    assert!(
        crate::editing::found(&app, "Dziedzictwa Narodowego i Sportu")
            .await
            .contains(&REMOVE.to_owned())
    );
}

#[tokio::test]
async fn a_merge_that_cannot_be_done_writes_nothing_and_says_why() {
    let app = spawn_app().await;
    let admin = format!("Bearer {}", app.token("admin", TokenRole::Admin).await);
    let counts = libgraph::store::summary(&app.db.db).await.expect("summary");
    let cases = [
        // A library and a ministry are not one body.
        (
            json!({ "keep": KEEP, "remove": "poltava-library-9", "reason": "x" }),
            "remove",
            "BAD_USER_INPUT",
        ),
        (
            json!({ "keep": KEEP, "remove": KEEP, "reason": "x" }),
            "remove",
            "BAD_USER_INPUT",
        ),
        (
            json!({ "keep": KEEP, "remove": "no-such-organization", "reason": "x" }),
            "remove",
            "NOT_FOUND",
        ),
        (
            json!({ "keep": KEEP, "remove": REMOVE, "reason": "  " }),
            "reason",
            "BAD_USER_INPUT",
        ),
        (
            json!({ "keep": "T3JnOjE=-broken", "remove": REMOVE, "reason": "x" }),
            "keep",
            "BAD_USER_INPUT",
        ),
    ];
    for (vars, field, code) in cases {
        let body = app.post_as(Some(&admin), MERGE, vars.clone()).await;
        let payload = &body["data"]["mergeOrganizations"];
        assert_eq!(payload["revision"], Value::Null, "{vars}: {body:#}");
        assert_eq!(payload["userErrors"][0]["field"], field, "{vars}: {body:#}");
        assert_eq!(payload["userErrors"][0]["code"], code, "{vars}: {body:#}");
    }
    let stale = app
        .post_as(
            Some(&admin),
            "mutation($keep: ID!, $remove: ID!, $v: [ExpectedVersion!]) { mergeOrganizations(keep: $keep, remove: $remove, reason: \"one body\", expectedVersions: $v) { revision { number } userErrors { field code } } }",
            json!({
                "keep": KEEP,
                "remove": REMOVE,
                "v": [{ "id": view(&app, KEEP).await["organization"]["id"], "version": 99 }]
            }),
        )
        .await;
    assert_eq!(
        stale["data"]["mergeOrganizations"]["userErrors"][0]["code"], "CONFLICT",
        "{stale:#}"
    );
    assert_eq!(
        libgraph::store::summary(&app.db.db).await.expect("summary"),
        counts,
        "nothing was written"
    );
}
