//! Pages and numbers that must be right beyond the curated seeds' small sizes: an association's
//! hundreds of relations paged in both directions, collaboration weights as a person writes them,
//! country codes checked, libraries counted by country.

use std::collections::BTreeSet;

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::TestDb;
use support::app::{TestApp, spawn_app, spawn_app_on};

/// A document of an association with `members` member libraries (each `member_of` it) and
/// `parents` networks it is itself a member of, interleaved so that the association's relations
/// in both directions alternate in id order.
fn association_document(members: usize, parents: usize) -> String {
    let mut toml = String::from(
        "[source]\nslug = \"test-association\"\ntitle = \"Members\"\nlanguage = \"en\"\n\n\
         [[organization]]\nslug = \"big-association\"\nname = \"Big Association\"\nname_lang = \"en\"\n\
         kind = \"association\"\nquote = \"Big Association\"\n\n",
    );
    for i in 0..members.max(parents) {
        if i < members {
            toml.push_str(&format!(
                "[[organization]]\nslug = \"member-library-{i}\"\nname = \"Member Library {i}\"\n\
                 name_lang = \"en\"\nkind = \"library\"\nquote = \"Member Library {i}\"\n\n\
                 [[relation]]\nsubject = \"member-library-{i}\"\nkind = \"member_of\"\n\
                 object = \"big-association\"\nquote = \"Member Library {i} is a member\"\n\n"
            ));
        }
        if i < parents {
            toml.push_str(&format!(
                "[[organization]]\nslug = \"umbrella-network-{i}\"\nname = \"Umbrella Network {i}\"\n\
                 name_lang = \"en\"\nkind = \"network\"\nquote = \"Umbrella Network {i}\"\n\n\
                 [[relation]]\nsubject = \"big-association\"\nkind = \"member_of\"\n\
                 object = \"umbrella-network-{i}\"\nquote = \"a member of Umbrella Network {i}\"\n\n"
            ));
        }
    }
    toml
}

/// A seeded server whose database also holds [`association_document`].
async fn app_with_association(members: usize, parents: usize) -> TestApp {
    let test = TestDb::seeded().await;
    let text = association_document(members, parents);
    let document = seeds::parse("test-association.toml", &text).expect("test document parses");
    seeds::load(&test.db, &[("test-association.toml".to_owned(), document)])
        .await
        .expect("test document loads");
    spawn_app_on(test, Limits::default()).await
}

const RELATIONS: &str = r#"query($slug: String!, $direction: RelationDirection!, $first: Int, $after: String, $last: Int, $before: String) {
  organization(slug: $slug) {
    relations(direction: $direction, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id kind subject { slug } object { slug } } }
    }
  }
}"#;

/// Every relation id of `slug` in `direction`, paged forward `size` at a time, and the
/// `totalCount` each page gave.
async fn page_forward(
    app: &TestApp,
    slug: &str,
    direction: &str,
    size: i64,
) -> (Vec<String>, Vec<u64>) {
    let (mut ids, mut totals) = (Vec::new(), Vec::new());
    let mut after = Value::Null;
    loop {
        let data = app
            .query(
                RELATIONS,
                json!({ "slug": slug, "direction": direction, "first": size, "after": after }),
            )
            .await;
        let page = &data["organization"]["relations"];
        totals.push(page["totalCount"].as_u64().expect("totalCount"));
        let edges = page["edges"].as_array().expect("edges");
        assert!(edges.len() as i64 <= size);
        ids.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
        );
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    (ids, totals)
}

/// The same, paged backward from the end.
async fn page_backward(app: &TestApp, slug: &str, direction: &str, size: i64) -> Vec<String> {
    let mut pages = Vec::new();
    let mut before = Value::Null;
    loop {
        let data = app
            .query(
                RELATIONS,
                json!({ "slug": slug, "direction": direction, "last": size, "before": before }),
            )
            .await;
        let page = &data["organization"]["relations"];
        let ids: Vec<String> = page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(page["pageInfo"]["hasNextPage"], !before.is_null());
        pages.push(ids);
        if page["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
    pages.into_iter().rev().flatten().collect()
}

#[tokio::test]
async fn relations_in_both_directions_page_through_hundreds_of_members() {
    // 130 member libraries (incoming) and 12 networks it belongs to (outgoing): more than the
    // 100 a page may hold, and more than the 100 per side the list once loaded.
    let app = app_with_association(130, 12).await;
    let slug = "big-association";

    let (incoming, _) = page_forward(&app, slug, "INCOMING", 100).await;
    let (outgoing, _) = page_forward(&app, slug, "OUTGOING", 100).await;
    assert_eq!((incoming.len(), outgoing.len()), (130, 12));

    for size in [100, 37, 7] {
        let (both, totals) = page_forward(&app, slug, "BOTH", size).await;
        assert!(
            totals.iter().all(|&t| t == 142),
            "totalCount of every page: {totals:?}"
        );
        let expected: BTreeSet<&String> = incoming.iter().chain(&outgoing).collect();
        assert_eq!(both.len(), 142, "each relation once, paging by {size}");
        assert_eq!(both.iter().collect::<BTreeSet<_>>(), expected);
        // In the order of each direction alone (by id): each one's list is a subsequence.
        let position = |id: &String| both.iter().position(|b| b == id).unwrap();
        for one in [&incoming, &outgoing] {
            let at: Vec<usize> = one.iter().map(position).collect();
            assert!(
                at.windows(2).all(|w| w[0] < w[1]),
                "one direction's order kept"
            );
        }
        assert_eq!(
            page_backward(&app, slug, "BOTH", size).await,
            both,
            "backward by {size}"
        );
    }

    // A cursor of one direction is a position in both: after the 50th incoming relation, the
    // BOTH page starts with the first relation of either direction after it.
    let (both, _) = page_forward(&app, slug, "BOTH", 100).await;
    let data = app
        .query(
            RELATIONS,
            json!({ "slug": slug, "direction": "INCOMING", "first": 50 }),
        )
        .await;
    let cursor = data["organization"]["relations"]["pageInfo"]["endCursor"].clone();
    let data = app
        .query(
            RELATIONS,
            json!({ "slug": slug, "direction": "BOTH", "first": 3, "after": cursor }),
        )
        .await;
    let at = both.iter().position(|id| *id == incoming[49]).unwrap();
    let ids: Vec<&str> = data["organization"]["relations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        both[at + 1..at + 4]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );

    // A member sees its one relation from its end, in both directions.
    let data = app
        .query(
            RELATIONS,
            json!({ "slug": "member-library-7", "direction": "BOTH" }),
        )
        .await;
    assert_eq!(data["organization"]["relations"]["totalCount"], 1);
}

#[tokio::test]
async fn relations_in_both_directions_of_a_page_of_organizations_cost_one_statement_each() {
    let app = app_with_association(130, 12).await;
    let query = r#"{ organizations(first: 100, filter: { kinds: [ASSOCIATION, NETWORK, LIBRARY] }) {
        nodes { slug relations(direction: BOTH, first: 5) { totalCount nodes { id } } } } }"#;
    let (data, statements) = app.statements_for(query, json!({})).await;
    let nodes = data["organizations"]["nodes"].as_array().unwrap();
    assert!(nodes.len() > 50);
    // The page of organizations, their relations' pages and their counts: one statement each,
    // however many organizations the page holds (plus the count of the root list, if any).
    assert!(statements <= 4, "{statements} statements");
    for node in nodes {
        let slug = node["slug"].as_str().unwrap();
        let one = app
            .query(
                RELATIONS,
                json!({ "slug": slug, "direction": "BOTH", "first": 5 }),
            )
            .await;
        let alone: Vec<&Value> = one["organization"]["relations"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["node"]["id"])
            .collect();
        let batched: Vec<&Value> = node["relations"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| &n["id"])
            .collect();
        assert_eq!(batched, alone, "{slug}: a batched page is the page alone");
        assert_eq!(
            node["relations"]["totalCount"],
            one["organization"]["relations"]["totalCount"]
        );
    }
}

/// How many decimals a JSON number is written with.
fn decimals(value: &Value) -> usize {
    let text = value.to_string();
    text.split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
}

#[tokio::test]
async fn every_weight_of_the_seeded_graph_has_at_most_four_decimals() {
    let app = spawn_app().await;
    let data = app
        .query(
            "{ collaborationNetwork(limit: 1000) {
                nodes { organization { slug } weightedDegree betweenness }
                edges { weight } } }",
            json!({}),
        )
        .await;
    let network = &data["collaborationNetwork"];
    let edges = network["edges"].as_array().expect("edges");
    assert!(edges.len() > 30);
    // Three quarters and sixths are among them: the sums that carry float error.
    let mut fractional = 0;
    for edge in edges {
        assert!(decimals(&edge["weight"]) <= 4, "{edge}");
        fractional += usize::from(decimals(&edge["weight"]) == 4);
    }
    assert!(fractional > 0, "some weights are cut to four decimals");
    let mut slugs = Vec::new();
    for node in network["nodes"].as_array().expect("nodes") {
        assert!(decimals(&node["weightedDegree"]) <= 4, "{node}");
        assert!(decimals(&node["betweenness"]) <= 4, "{node}");
        slugs.push(node["organization"]["slug"].as_str().unwrap().to_owned());
    }
    // Each organization's stored ties (the loader's) and its computed ones (a filter that keeps
    // every collaborator): the same four-decimal weights, in order of those weights.
    let kinds: Vec<Value> = app
        .query(
            r#"{ __type(name: "OrganizationKind") { enumValues { name } } }"#,
            json!({}),
        )
        .await["__type"]["enumValues"]
        .as_array()
        .expect("kinds")
        .iter()
        .map(|v| v["name"].clone())
        .collect();
    let query = r#"query($slug: String!, $kinds: [OrganizationKind!]!) { organization(slug: $slug) {
        stored: collaborators(first: 100) { edges { cursor node { organization { slug } weight } } }
        computed: collaborators(first: 100, filter: { kinds: $kinds }) { edges { cursor node { organization { slug } weight } } } } }"#;
    for slug in &slugs {
        let data = app
            .query(query, json!({ "slug": slug, "kinds": kinds }))
            .await;
        let stored = &data["organization"]["stored"]["edges"];
        assert_eq!(stored, &data["organization"]["computed"]["edges"], "{slug}");
        let weights: Vec<f64> = stored
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(decimals(&e["node"]["weight"]) <= 4, "{e}");
                e["node"]["weight"].as_f64().unwrap()
            })
            .collect();
        assert!(
            weights.windows(2).all(|w| w[0] >= w[1]),
            "{slug}: strongest first"
        );
    }
}

#[tokio::test]
async fn ties_stored_before_weights_were_rounded_are_computed_again() {
    let test = TestDb::seeded().await;
    let db = &test.db;
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.get_database_backend();
    // As a load before the rounding left them: the float sums, and the migration not applied.
    for sql in [
        "UPDATE collaboration SET weight = weight + 0.000000000000001",
        "DELETE FROM seaql_migrations WHERE version = 'm20261207_000003_round_tie_weights'",
    ] {
        db.execute_raw(Statement::from_string(backend, sql))
            .await
            .expect(sql);
    }
    let before = stored_weights(db).await;
    assert!(before.iter().any(|&w| graph::rounded(w) != w));

    libgraph::store::migrate(db).await.expect("migrate");

    let after = stored_weights(db).await;
    assert_eq!(after.len(), before.len(), "every tie computed again");
    assert!(after.iter().all(|&w| graph::rounded(w) == w), "{after:?}");
}

async fn stored_weights(db: &sea_orm::DatabaseConnection) -> Vec<f64> {
    use sea_orm::EntityTrait;
    entities::collaboration::Entity::find()
        .all(db)
        .await
        .expect("ties")
        .into_iter()
        .map(|t| t.weight)
        .collect()
}

#[tokio::test]
async fn a_country_code_that_cannot_be_one_is_the_clients_mistake() {
    let app = spawn_app().await;
    let cases = [
        (
            "{ organizations(filter: {countries: $c}) { totalCount } }",
            "filter.countries",
        ),
        (
            "{ libraries(filter: {countries: $c}) { totalCount } }",
            "filter.countries",
        ),
        (
            "{ projects(filter: {countries: $c}) { totalCount } }",
            "filter.countries",
        ),
        (
            "{ events(filter: {countries: $c}) { totalCount } }",
            "filter.countries",
        ),
        (
            "{ programmes(filter: {countries: $c}) { totalCount } }",
            "filter.countries",
        ),
        ("{ places(countries: $c) { totalCount } }", "countries"),
        (
            r#"{ organization(slug: "urzad-gminy-chmielnik") { collaborators(filter: {countries: $c}) { totalCount } } }"#,
            "filter.countries",
        ),
        (
            "{ collaborationNetwork(filter: {countries: $c}) { totalNodes } }",
            "filter.countries",
        ),
    ];
    for (selection, field) in cases {
        let query = format!("query($c: [String!]!) {}", selection);
        for bad in ["XX1", "P", "POL", "1A", "Polska"] {
            let (code, body) = app.error_code(&query, json!({ "c": ["PL", bad] })).await;
            assert_eq!(code, "BAD_USER_INPUT", "{selection} {bad}: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body:#}");
            assert!(body["errors"][0]["message"].as_str().unwrap().contains(bad));
        }
        // Lowercase is the same code.
        let upper = app.query(&query, json!({ "c": ["PL", "MD"] })).await;
        let lower = app.query(&query, json!({ "c": ["pl", "md"] })).await;
        assert_eq!(upper, lower, "{selection}");
    }
    // A well-formed code of no country matches nothing, as a country without records.
    let data = app
        .query(
            r#"{ organizations(filter: {countries: ["QQ"]}) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["organizations"]["totalCount"], 0);
}

#[tokio::test]
async fn libraries_by_country_are_the_libraries_list_by_country() {
    let app = spawn_app().await;
    let data = app
        .query(
            "{ statistics { librariesByCountry { key label count } } libraries { totalCount } }",
            json!({}),
        )
        .await;
    let counts = data["statistics"]["librariesByCountry"]
        .as_array()
        .expect("counts");
    assert!(counts.len() >= 3, "{counts:?}");
    let mut sum = 0;
    for count in counts {
        let (key, n) = (
            count["key"].as_str().unwrap(),
            count["count"].as_i64().unwrap(),
        );
        assert!(n > 0);
        assert!(count["label"].is_null());
        sum += n;
        if key == "unknown" {
            continue;
        }
        let listed = app
            .query(
                "query($c: [String!]!) { libraries(filter: {countries: $c}) { totalCount } }",
                json!({ "c": [key] }),
            )
            .await;
        assert_eq!(listed["libraries"]["totalCount"], n, "{key}");
    }
    // Most first; and every library of the seeds is counted once.
    let ns: Vec<i64> = counts
        .iter()
        .map(|c| c["count"].as_i64().unwrap())
        .collect();
    assert!(ns.windows(2).all(|w| w[0] >= w[1]), "{ns:?}");
    assert_eq!(data["libraries"]["totalCount"], sum);
    let seeded = seeds::curated()
        .expect("curated seeds")
        .iter()
        .flat_map(|(_, d)| d.organization.iter())
        .filter(|o| o.kind == "library")
        .map(|o| o.slug.clone())
        .collect::<BTreeSet<_>>()
        .len();
    assert_eq!(sum, seeded as i64);
    let keys: BTreeSet<&str> = counts.iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert!(
        keys.is_superset(&["MD", "PL", "UA"].into_iter().collect()),
        "{keys:?}"
    );
}
