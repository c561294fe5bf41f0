//! Organizations funded directly (a ministry funding a library), not only through a project,
//! programme or event: the seed format, validation, the load and `Organization.fundingsReceived`.
//!
//! No curated document states such a funding, so these tests load a seed directory of their own,
//! with a document written here that states every funding its seed file declares.

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::TestDb;
use support::app::{TestApp, spawn_app_on};

/// The stored copy of the fixture's document: every quote of [`SEED`] stands in it verbatim.
const DOCUMENT: &str = "Ministry of Culture: support to public libraries.\n\
In 2019 the Ministry of Culture granted Anna Town Library 12500 lei from the Library \
Modernisation Fund for new computers. In 2021 the Ministry gave Anna Town Library a further \
5000 lei for its reading room. The Open Shelf Foundation donated books to Anna Town Library.\n\
In 2020 the Ministry granted Hill Library 3000 lei, and funded the Reading Garden project, \
which Anna Town Library leads with Hill Library as its partner, with 8000 lei.\n";

/// The fixture's seed file: two ministry grants and a foundation's donation to one library (one
/// undated), a grant to another, and a project both libraries run, funded by the ministry.
const SEED: &str = r#"
[source]
slug = "ministry-library-grants"
title = "Ministry of Culture: support to public libraries"
language = "en"
publisher = "ministry-of-culture"
document = "../documents/ministry-library-grants.txt"

[[organization]]
slug = "ministry-of-culture"
name = "Ministry of Culture"
name_lang = "en"
kind = "public_authority"
quote = "the Ministry of Culture granted Anna Town Library 12500 lei"

[[organization]]
slug = "open-shelf-foundation"
name = "Open Shelf Foundation"
name_lang = "en"
kind = "ngo"
quote = "The Open Shelf Foundation donated books to Anna Town Library."

[[organization]]
slug = "anna-town-library"
name = "Anna Town Library"
name_lang = "en"
kind = "library"
quote = "the Ministry of Culture granted Anna Town Library 12500 lei"

[[organization]]
slug = "hill-library"
name = "Hill Library"
name_lang = "en"
kind = "library"
quote = "In 2020 the Ministry granted Hill Library 3000 lei"

[[programme]]
slug = "library-modernisation-fund"
kind = "fund"
name = "Library Modernisation Fund"
name_lang = "en"
quote = "from the Library Modernisation Fund for new computers"

[[project]]
slug = "reading-garden"
name = "Reading Garden"
name_lang = "en"
start = "2020"
quote = "funded the Reading Garden project"

[[participation]]
organization = "anna-town-library"
in = "reading-garden"
role = "lead"
quote = "which Anna Town Library leads with Hill Library as its partner"

[[participation]]
organization = "hill-library"
in = "reading-garden"
role = "partner"
quote = "which Anna Town Library leads with Hill Library as its partner"

[[funding]]
funder = "open-shelf-foundation"
to = "anna-town-library"
instrument = "in_kind"
quote = "The Open Shelf Foundation donated books to Anna Town Library."

[[funding]]
funder = "ministry-of-culture"
to = "anna-town-library"
instrument = "grant"
amount = 5000
currency = "MDL"
start = "2021"
quote = "In 2021 the Ministry gave Anna Town Library a further 5000 lei for its reading room."

[[funding]]
funder = "ministry-of-culture"
to = "anna-town-library"
via = "library-modernisation-fund"
instrument = "grant"
amount = 12500
currency = "MDL"
start = "2019"
quote = "In 2019 the Ministry of Culture granted Anna Town Library 12500 lei from the Library Modernisation Fund"

[[funding]]
funder = "ministry-of-culture"
to = "hill-library"
instrument = "grant"
amount = 3000
currency = "MDL"
start = "2020"
quote = "In 2020 the Ministry granted Hill Library 3000 lei"

[[funding]]
funder = "ministry-of-culture"
to = "reading-garden"
instrument = "grant"
amount = 8000
currency = "MDL"
quote = "and funded the Reading Garden project"
"#;

/// A seed directory laid out as the repository's (`data/*.toml` beside `documents/*.txt`),
/// holding `seed` as its one seed file.
struct SeedDir {
    root: tempfile::TempDir,
}

impl SeedDir {
    fn new(seed: &str) -> SeedDir {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["data", "documents"] {
            std::fs::create_dir(root.path().join(dir)).expect("dir");
        }
        std::fs::write(
            root.path().join("documents/ministry-library-grants.txt"),
            DOCUMENT,
        )
        .expect("document");
        std::fs::write(root.path().join("data/ministry-library-grants.toml"), seed)
            .expect("seed file");
        SeedDir { root }
    }

    /// Reads, validates and writes the directory, as `libgraph seed --dir` does.
    async fn load(&self, db: &sea_orm::DatabaseConnection) -> Result<seeds::LoadReport, String> {
        let documents = seeds::read_dir(&self.root.path().join("data"))
            .map_err(|p| seeds::LoadError::Invalid(p).to_string())?;
        seeds::load(db, &documents).await.map_err(|e| e.to_string())
    }
}

/// A server over a database holding the fixture only.
async fn spawn_funded() -> TestApp {
    let test = TestDb::migrated().await;
    SeedDir::new(SEED)
        .load(&test.db)
        .await
        .expect("the fixture loads");
    spawn_app_on(test, Limits::default()).await
}

#[tokio::test]
async fn an_organization_funded_directly_round_trips_from_its_seed_file_to_the_api() {
    let app = spawn_funded().await;

    let data = app
        .query(
            r#"{
              library: organization(slug: "anna-town-library") {
                fundingsReceived(first: 10) { totalCount nodes {
                  id
                  funder { slug }
                  recipient { __typename }
                  recipientOrganization { slug }
                  programme { slug }
                  instrument
                  amount { amount currency }
                  period { yearFrom }
                  citations(first: 5) { nodes { quote basis source { slug }
                    record { __typename ... on Funding { recipientOrganization { slug } } } } }
                } }
              }
              ministry: organization(slug: "ministry-of-culture") {
                fundingsReceived(first: 10) { totalCount }
                fundingsGiven(first: 10) { nodes {
                  recipient { __typename ... on Project { slug } }
                  recipientOrganization { slug }
                } }
                asFunder { totals { amount currency } }
              }
              project(slug: "reading-garden") { fundings(first: 10) { nodes {
                recipient { ... on Project { slug } } recipientOrganization { slug }
              } } }
              funders(first: 10) { nodes { organization { slug } } }
              statistics { fundingTotals { funder total { amount currency } fundings } }
            }"#,
            Value::Null,
        )
        .await;

    // Earliest first, undated last, as `fundingsGiven` orders them.
    let received = &data["library"]["fundingsReceived"];
    assert_eq!(received["totalCount"], 3);
    let nodes = received["nodes"].as_array().expect("nodes");
    let funders: Vec<&Value> = nodes.iter().map(|n| &n["funder"]["slug"]).collect();
    assert_eq!(
        funders,
        [
            "ministry-of-culture",
            "ministry-of-culture",
            "open-shelf-foundation"
        ]
    );
    let years: Vec<&Value> = nodes.iter().map(|n| &n["period"]["yearFrom"]).collect();
    assert_eq!(years, [&json!(2019), &json!(2021), &Value::Null]);
    assert_eq!(nodes[0]["programme"]["slug"], "library-modernisation-fund");
    assert_eq!(
        nodes[0]["amount"],
        json!({ "amount": "12500.00", "currency": "MDL" })
    );
    assert_eq!(nodes[2]["instrument"], "IN_KIND");
    for node in nodes {
        assert!(
            node["recipient"].is_null(),
            "an organization is no activity: {node}"
        );
        assert_eq!(node["recipientOrganization"]["slug"], "anna-town-library");
        // Every funding is cited from the document, verbatim.
        let citation = &node["citations"]["nodes"][0];
        assert_eq!(citation["basis"], "STATED");
        assert_eq!(citation["source"]["slug"], "ministry-library-grants");
        let quote = citation["quote"].as_str().expect("quote");
        assert!(DOCUMENT.contains(quote), "{quote}");
        assert_eq!(
            citation["record"],
            json!({ "__typename": "Funding", "recipientOrganization": { "slug": "anna-town-library" } })
        );
    }

    // A funding names either an activity or an organization as its recipient, never both.
    let ministry = &data["ministry"];
    assert_eq!(ministry["fundingsReceived"]["totalCount"], 0);
    let given: Vec<(Value, Value)> = ministry["fundingsGiven"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["recipient"]["slug"].clone(),
                n["recipientOrganization"]["slug"].clone(),
            )
        })
        .collect();
    assert_eq!(
        given,
        [
            (Value::Null, json!("anna-town-library")),
            (json!("reading-garden"), Value::Null),
            (Value::Null, json!("hill-library")),
            (Value::Null, json!("anna-town-library")),
        ],
        "2019; 2020, the undated funding of the project (it takes the project's years) before the one dated 2020; 2021"
    );
    assert_eq!(
        data["project"]["fundings"]["nodes"],
        json!([{ "recipient": { "slug": "reading-garden" }, "recipientOrganization": null }])
    );

    // A funder of organizations only is a funder all the same, and its money counts in totals.
    let funders: Vec<&Value> = data["funders"]["nodes"]
        .as_array()
        .expect("funders")
        .iter()
        .map(|n| &n["organization"]["slug"])
        .collect();
    assert_eq!(funders, ["ministry-of-culture", "open-shelf-foundation"]);
    assert_eq!(
        ministry["asFunder"]["totals"],
        json!([{ "amount": "28500.00", "currency": "MDL" }])
    );
    assert_eq!(
        data["statistics"]["fundingTotals"],
        json!([{ "funder": "ministry-of-culture", "total": { "amount": "28500.00", "currency": "MDL" }, "fundings": 4 }])
    );

    // The global ID opens the same funding.
    let id = nodes[1]["id"].clone();
    let node = app
        .query(
            "query($id: ID!) { node(id: $id) { __typename ... on Funding { recipientOrganization { slug } amount { amount } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        node["node"],
        json!({ "__typename": "Funding", "recipientOrganization": { "slug": "anna-town-library" }, "amount": { "amount": "5000.00" } })
    );
}

#[tokio::test]
async fn fundings_received_page_both_ways_like_every_connection() {
    let app = spawn_funded().await;
    let page = |args: &str| {
        format!(
            r#"{{ organization(slug: "anna-town-library") {{ fundingsReceived({args}) {{
                pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                nodes {{ period {{ yearFrom }} funder {{ slug }} }} }} }} }}"#
        )
    };
    let years = |data: &Value| -> Vec<Value> {
        data["organization"]["fundingsReceived"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["period"]["yearFrom"].clone())
            .collect()
    };

    let first = app.query(&page("first: 2"), Value::Null).await;
    assert_eq!(years(&first), [json!(2019), json!(2021)]);
    let info = &first["organization"]["fundingsReceived"]["pageInfo"];
    assert_eq!(info["hasNextPage"], true);
    let after = format!("first: 2, after: {}", info["endCursor"]);
    let next = app.query(&page(&after), Value::Null).await;
    assert_eq!(years(&next), [Value::Null]);
    assert_eq!(
        next["organization"]["fundingsReceived"]["pageInfo"]["hasNextPage"],
        false
    );

    let last = app.query(&page("last: 2"), Value::Null).await;
    assert_eq!(years(&last), [json!(2021), Value::Null]);
    let before = format!(
        "last: 2, before: {}",
        last["organization"]["fundingsReceived"]["pageInfo"]["startCursor"]
    );
    let previous = app.query(&page(&before), Value::Null).await;
    assert_eq!(years(&previous), [json!(2019)]);
}

#[tokio::test]
async fn a_funding_of_an_organization_makes_no_collaboration_tie() {
    let app = spawn_funded().await;

    let data = app
        .query(
            r#"{
              ministry: organization(slug: "ministry-of-culture") {
                collaborators(first: 10) { edges { node { organization { slug } } } }
              }
              library: organization(slug: "anna-town-library") {
                collaborators(first: 10) { edges { node { sharedCount organization { slug } } } }
                filtered: collaborators(first: 10, filter: { period: { from: 2000 } }) {
                  edges { node { organization { slug } } }
                }
              }
            }"#,
            Value::Null,
        )
        .await;

    // The ministry funds both libraries and their project, but takes part in nothing.
    assert_eq!(
        data["ministry"]["collaborators"]["edges"],
        json!([]),
        "a funder is no collaborator of the organizations it funds"
    );
    // The libraries share the project they run; the ministry's grants add nothing to the tie.
    assert_eq!(
        data["library"]["collaborators"]["edges"],
        json!([{ "node": { "sharedCount": 1, "organization": { "slug": "hill-library" } } }])
    );
    assert_eq!(
        data["library"]["filtered"]["edges"],
        json!([{ "node": { "organization": { "slug": "hill-library" } } }]),
        "computed from the memberships, the ties are the same"
    );
}

#[tokio::test]
async fn fundings_received_cost_the_same_statements_for_one_organization_as_for_a_page() {
    let app = spawn_funded().await;
    // Anna Town Library comes first by name and receives fundings, so `$n = 1` reaches every
    // level the page of all four organizations does.
    let query = "query($n: Int!) { organizations(first: $n) { nodes { slug
        fundingsReceived(first: 5) { totalCount nodes {
          funder { slug }
          recipient { __typename }
          recipientOrganization { slug }
          programme { slug }
          citations(first: 2) { nodes { quote } }
        } }
    } } }";

    let (one, with_one) = app.statements_for(query, json!({ "n": 1 })).await;
    let (all, with_all) = app.statements_for(query, json!({ "n": 100 })).await;

    let nodes = |data: &Value| data["organizations"]["nodes"].as_array().map(Vec::len);
    assert_eq!(nodes(&one), Some(1));
    assert_eq!(
        one["organizations"]["nodes"][0]["fundingsReceived"]["totalCount"],
        3
    );
    assert_eq!(nodes(&all), Some(4));
    assert_eq!(
        with_one, with_all,
        "1 organization: {with_one} statements, 4 organizations: {with_all}"
    );
}

#[tokio::test]
async fn a_funding_names_an_activity_or_another_organization_in_to_and_nothing_else() {
    let test = TestDb::migrated().await;
    let good = SeedDir::new(SEED);
    good.load(&test.db).await.expect("the fixture loads");
    let before = libgraph::store::summary(&test.db).await.expect("summary");

    let cases = [
        (
            "its own funder",
            SEED.replacen(
                "funder = \"open-shelf-foundation\"\nto = \"anna-town-library\"",
                "funder = \"open-shelf-foundation\"\nto = \"open-shelf-foundation\"",
                1,
            ),
            vec![
                "funding #1 (open-shelf-foundation → open-shelf-foundation)",
                "field `to`",
                "does not fund itself",
            ],
        ),
        (
            "a place",
            SEED.replacen(
                "to = \"hill-library\"",
                "to = \"anna-town\"",
                1,
            )
            .replacen(
                "[[project]]",
                "[[place]]\nslug = \"anna-town\"\nkind = \"city\"\nname = \"Anna Town\"\nname_lang = \"en\"\n\
                 quote = \"Anna Town Library\"\n\n[[project]]",
                1,
            ),
            vec![
                "funding #4 (ministry-of-culture → anna-town)",
                "field `to`",
                "\"anna-town\" is a place, but this field takes one of: project, programme, event, organization",
            ],
        ),
        (
            "no recipient",
            SEED.replacen("to = \"hill-library\"\n", "", 1),
            vec!["ministry-library-grants.toml", "missing field `to`"],
        ),
    ];
    for (what, seed, expected) in cases {
        assert_ne!(seed, SEED, "{what}: the edit changed nothing");
        let error = SeedDir::new(&seed).load(&test.db).await.expect_err(what);
        for fragment in expected {
            assert!(
                error.contains(fragment),
                "{what}: {fragment:?} missing from:\n{error}"
            );
        }
        assert_eq!(
            libgraph::store::summary(&test.db).await.expect("summary"),
            before,
            "{what}: a refused load wrote something"
        );
    }
}
