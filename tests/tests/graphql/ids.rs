//! Global IDs and errors: `node` finds every type, `nodes` keeps the order asked, malformed IDs are
//! the client's mistake, and no error message reveals the database.

use std::collections::BTreeSet;

use libgraph::graphql::id::{NodeType, encode};
use serde_json::{Value, json};
use support::app::spawn_app;

use super::{assert_bad_user_input, assert_no_database_text};

#[tokio::test]
async fn node_finds_every_type_by_the_id_it_was_given() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{
              library: organization(slug: "biblioteca-municipala-e-coseriu-balti") { id
                place { id } positions(first: 1) { nodes { id person { id } } } }
              partner: organization(slug: "primaria-municipiului-balti") { id }
              project(slug: "b-zone") { id outcomes(first: 1) { nodes { id } } participations(first: 1) { nodes { id } }
                topics(first: 1) { nodes { id } } targetGroups(first: 1) { nodes { id } } }
              programme(slug: "blisko") { id fundingsThrough(first: 1) { nodes { id } } }
              event(slug: "iarmarocul-comunitatii-balti-2017") { id }
              labib: organization(slug: "labib") { relations(direction: INCOMING, first: 1) { nodes { id } } }
              sources(first: 1) { nodes { id } }
            }"#,
            Value::Null,
        )
        .await;
    let expected: Vec<(&str, &Value)> = vec![
        ("Library", &data["library"]["id"]),
        ("PartnerOrganization", &data["partner"]["id"]),
        ("Project", &data["project"]["id"]),
        ("Programme", &data["programme"]["id"]),
        ("Event", &data["event"]["id"]),
        ("Outcome", &data["project"]["outcomes"]["nodes"][0]["id"]),
        ("Place", &data["library"]["place"]["id"]),
        (
            "Person",
            &data["library"]["positions"]["nodes"][0]["person"]["id"],
        ),
        ("Topic", &data["project"]["topics"]["nodes"][0]["id"]),
        (
            "TargetGroup",
            &data["project"]["targetGroups"]["nodes"][0]["id"],
        ),
        (
            "Participation",
            &data["project"]["participations"]["nodes"][0]["id"],
        ),
        (
            "Funding",
            &data["programme"]["fundingsThrough"]["nodes"][0]["id"],
        ),
        (
            "OrganizationRelation",
            &data["labib"]["relations"]["nodes"][0]["id"],
        ),
        ("Position", &data["library"]["positions"]["nodes"][0]["id"]),
        ("Source", &data["sources"]["nodes"][0]["id"]),
    ];
    let ids: Vec<&Value> = expected.iter().map(|(_, id)| *id).collect();

    let batch = app
        .query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Node { id } } }",
            json!({ "ids": ids }),
        )
        .await;
    let mut one_by_one = Vec::new();
    for id in &ids {
        one_by_one.push(
            app.query(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await["node"]
                .clone(),
        );
    }

    for (i, (typename, id)) in expected.iter().enumerate() {
        assert!(id.is_string(), "no ID for a {typename}");
        assert_eq!(
            one_by_one[i],
            json!({ "__typename": typename, "id": id }),
            "node(id:) of a {typename}"
        );
        assert_eq!(
            batch["nodes"][i],
            json!({ "__typename": typename, "id": id }),
            "nodes(ids:) of a {typename}"
        );
    }
    assert_eq!(
        ids.iter()
            .filter_map(|id| id.as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        ids.len(),
        "IDs are unique across types"
    );
}

/// The row number inside a global ID of type `ty`, found with the API's own encoder (IDs are
/// opaque; this only serves to forge a well-formed ID of the wrong type for an existing row).
fn row_of(id: &str, ty: NodeType) -> i64 {
    (1..100_000)
        .find(|row| encode(ty, *row).as_str() == id)
        .unwrap_or_else(|| panic!("{id} is not a {ty:?} ID"))
}

#[tokio::test]
async fn nodes_keeps_the_order_asked_and_is_null_where_nothing_has_the_id() {
    let app = spawn_app().await;
    let data = app.query(r#"{ project(slug: "b-zone") { id } event(slug: "occupy-library") { id } library: organization(slug: "gbp-chmielnik") { id } }"#, Value::Null).await;
    let (project, event, library) = (
        &data["project"]["id"],
        &data["event"]["id"],
        &data["library"]["id"],
    );
    let missing = encode(NodeType::Project, 987_654_321).as_str().to_owned();
    // A well-formed Project ID whose row is an event: must not open the event as a project.
    let event_as_project = encode(
        NodeType::Project,
        row_of(event.as_str().unwrap_or_default(), NodeType::Event),
    )
    .as_str()
    .to_owned();

    let result = app
        .query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Node { id } } }",
            json!({ "ids": [library, missing, event, project, event_as_project, library] }),
        )
        .await;
    let single = app
        .query(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": missing }),
        )
        .await;
    let hundred = app
        .query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }",
            json!({ "ids": vec![library; 100] }),
        )
        .await;

    let ids: Vec<Value> = result["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n.get("id").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(
        ids,
        vec![
            library.clone(),
            Value::Null,
            event.clone(),
            project.clone(),
            Value::Null,
            library.clone()
        ]
    );
    assert!(result["nodes"][1].is_null() && result["nodes"][4].is_null());
    assert!(single["node"].is_null());
    assert_eq!(hundred["nodes"].as_array().map(Vec::len), Some(100));
}

#[tokio::test]
async fn malformed_or_too_many_ids_are_the_clients_mistake() {
    let app = spawn_app().await;
    let library = app.organization_id("gbp-chmielnik").await;

    for id in [
        "",
        "!!!",
        "not-an-id",
        "VW5rbm93bjox",
        "UHJvamVjdDp4",
        "UHJvamVjdDo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
    ] {
        assert_bad_user_input(
            &app,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    }
    assert_bad_user_input(
        &app,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        json!({ "ids": [library, "garbage!"] }),
    )
    .await;
    let body = assert_bad_user_input(
        &app,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        json!({ "ids": vec![library; 101] }),
    )
    .await;

    assert_eq!(body["errors"][0]["extensions"]["field"], "ids");
}

#[tokio::test]
async fn no_error_message_reveals_the_database() {
    let app = spawn_app().await;
    let requests = [
        ("{ node(id: \"'; SELECT 1; --\") { id } }", Value::Null),
        ("{ organizations(first: 1000) { totalCount } }", Value::Null),
        (
            r#"{ project(slug: "b-zone") { participations(first: 5, after: "WzEsMl0") { totalCount } } }"#,
            Value::Null,
        ),
        (
            "{ organizations(first: 5, after: \"WyJ4IiwiJzsgRFJPUCJd\") { totalCount } }",
            Value::Null,
        ),
        (
            "{ organizations(filter: {text: \"%\"}) { totalCount } }",
            Value::Null,
        ),
        ("{ search(text: \"''\") { nodes { score } } }", Value::Null),
        (
            "{ connectionPath(from: \"a\", to: \"b\") { connected } }",
            Value::Null,
        ),
        (
            "{ collaborationNetwork(limit: 5000) { totalNodes } }",
            Value::Null,
        ),
        ("{ organizations { nope } }", Value::Null),
        ("{ organizations(", Value::Null),
    ];

    for (query, variables) in requests {
        let body = app.post(query, variables).await;
        assert!(
            body["errors"].as_array().is_some_and(|e| !e.is_empty()),
            "{query} should fail: {body:#}"
        );
        assert!(
            body["errors"][0]["extensions"]["code"].is_string(),
            "{body:#}"
        );
        assert_ne!(
            body["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR",
            "{query}: {body:#}"
        );
        assert_no_database_text(&body);
    }
}
