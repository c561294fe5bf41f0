//! The GraphQL API as its clients see it: every relation walked both ways, pagination, filters,
//! collaboration analytics, search, global IDs, errors and statistics.
//!
//! Every expected answer comes from the curated seeds (`seeds/data/*.toml`), worked out by hand
//! from the source documents; a comment says where when it is not obvious. Each test spawns its
//! own server over a freshly seeded database, so tests never see each other's state.

use std::collections::{BTreeMap, BTreeSet};

use libgraph::graphql::Limits;
use libgraph::graphql::id::{NodeType, encode};
use serde_json::{Value, json};
use support::app::{TestApp, spawn_app, spawn_app_on};
use support::{TestDb, with_typename_in_every_selection};

// ------------------------------------------------------------------------------------------------
// helpers

/// The values of `field` (a string) of every item of a JSON array, in order.
fn strings(items: &Value, field: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field} in {item}"))
                .to_owned()
        })
        .collect()
}

/// The slugs of a list of nodes, in order.
fn slugs(nodes: &Value) -> Vec<String> {
    strings(nodes, "slug")
}

/// The slugs of a list of nodes, as a set.
fn slug_set(nodes: &Value) -> BTreeSet<String> {
    slugs(nodes).into_iter().collect()
}

/// Owned strings, as a set: the expected side of a comparison with [`slug_set`].
fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Words that would betray the database behind the API.
const DATABASE_WORDS: [&str; 4] = ["sql", "sqlx", "sqlite", "postgres"];

/// Fails when any error message of a response names the database or its objects.
fn assert_no_database_text(body: &Value) {
    for error in body["errors"].as_array().into_iter().flatten() {
        let message = error["message"].as_str().unwrap_or_default();
        let lower = message.to_lowercase();
        for word in DATABASE_WORDS {
            assert!(
                !lower.contains(word),
                "error message mentions {word}: {message}"
            );
        }
        assert!(
            !message.contains("relation \""),
            "error message names a relation: {message}"
        );
    }
}

/// Runs a query that must be refused as the client's mistake, without database detail.
async fn assert_bad_user_input(app: &TestApp, query: &str, variables: Value) -> Value {
    let (code, body) = app.error_code(query, variables.clone()).await;
    assert_eq!(code, "BAD_USER_INPUT", "{query} with {variables}: {body:#}");
    assert!(
        body["data"].is_null()
            || body["data"]
                .as_object()
                .is_some_and(|d| d.values().all(Value::is_null))
    );
    assert_no_database_text(&body);
    body
}

fn assert_close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {actual}"));
    // Weights and centrality are shown to four decimals (`graph::rounded`).
    assert!(
        (actual - expected).abs() <= 0.5e-4 + 1e-9 && graph::rounded(actual) == actual,
        "{what}: expected {expected} to four decimals, got {actual}"
    );
}

/// A curated seed file, as text.
fn seed_file(name: &str) -> String {
    std::fs::read_to_string(support::seed_data_dir().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The sort key the API documents for names: case, diacritics and punctuation ignored. Written
/// here independently of the API's own folding, for the letters the seeds use.
fn sort_key(name: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'ą' | 'ă' | 'â' => 'a',
            'ć' => 'c',
            'ę' | 'é' => 'e',
            'î' => 'i',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' | 'ș' | 'ş' => 's',
            'ț' | 'ţ' => 't',
            'ź' | 'ż' => 'z',
            '\'' | '’' | '`' => continue,
            c if c.is_ascii_alphanumeric() => c,
            _ => {
                space = true;
                continue;
            }
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(plain);
    }
    out
}

// ------------------------------------------------------------------------------------------------
// 1. relations, both ways

#[tokio::test]
async fn a_library_reaches_its_project_and_the_project_its_organizations() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "poltava-library-9") {
                __typename
                participations(first: 10) { nodes { role activity { __typename
                    ... on Project { slug participations(first: 10) { nodes { role organization { slug } } } }
                    ... on Event { slug } } } }
            } }"#,
            Value::Null,
        )
        .await;

    let library = &data["organization"];
    assert_eq!(library["__typename"], "Library");
    let participations = library["participations"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let activities: BTreeMap<String, (String, String)> = participations
        .iter()
        .map(|p| {
            let activity = &p["activity"];
            (
                activity["slug"].as_str().unwrap_or_default().to_owned(),
                (
                    activity["__typename"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    p["role"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect();
    assert_eq!(
        activities,
        BTreeMap::from([
            (
                "b-zone".to_owned(),
                ("Project".to_owned(), "LEAD".to_owned())
            ),
            (
                "b-zone-fundraising-campaign".to_owned(),
                ("Event".to_owned(), "ORGANIZER".to_owned())
            ),
        ])
    );
    let b_zone = participations
        .iter()
        .find(|p| p["activity"]["slug"] == "b-zone")
        .map(|p| &p["activity"])
        .cloned()
        .unwrap_or_default();
    let back: BTreeSet<(String, String)> = b_zone["participations"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["organization"]["slug"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                p["role"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        back,
        BTreeSet::from([
            ("poltava-library-9".to_owned(), "LEAD".to_owned()),
            (
                "ray-of-light-of-poltava-region".to_owned(),
                "PARTNER".to_owned()
            ),
        ])
    );
}

#[tokio::test]
async fn a_funder_reaches_the_programme_tree_and_the_programme_its_funder() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{
              organization(slug: "ministry-of-culture-2021") {
                id
                fundingsGiven(first: 10) { totalCount }
                asFunder { id organization { slug } fundings(first: 10) { totalCount nodes {
                  instrument
                  recipient { __typename ... on Project { slug } }
                  programme { slug code kind
                    fundingsThrough(first: 10) { nodes { funder { slug } recipient { ... on Project { slug } } } }
                    parent { slug code kind parent { slug name kind parent { slug } } } }
                } } }
              }
              programme(slug: "nprc-2-0") { children(first: 10) { nodes { slug children(first: 10) { nodes { slug projects(first: 10) { nodes { slug } } } } } } }
            }"#,
            Value::Null,
        )
        .await;

    let ministry = &data["organization"];
    let funder = &ministry["asFunder"];
    assert_eq!(
        funder["id"], ministry["id"],
        "a funder's ID is its organization's"
    );
    assert_eq!(funder["organization"]["slug"], "ministry-of-culture-2021");
    assert_eq!(ministry["fundingsGiven"]["totalCount"], 1);
    assert_eq!(funder["fundings"]["totalCount"], 1);
    let funding = &funder["fundings"]["nodes"][0];
    assert_eq!(funding["instrument"], "CO_FINANCING");
    assert_eq!(funding["recipient"]["__typename"], "Project");
    assert_eq!(
        funding["recipient"]["slug"],
        "maker-space-blisko-biblioteki"
    );
    // BLISKO is intervention direction 4.1 of Priority 4 of NPRC 2.0.
    let blisko = &funding["programme"];
    assert_eq!(
        (&blisko["slug"], &blisko["code"], &blisko["kind"]),
        (
            &json!("blisko"),
            &json!("4.1"),
            &json!("INTERVENTION_DIRECTION")
        )
    );
    let priority = &blisko["parent"];
    assert_eq!(
        (&priority["slug"], &priority["code"], &priority["kind"]),
        (
            &json!("nprc-2-0-priorytet-4"),
            &json!("4"),
            &json!("PRIORITY")
        )
    );
    let nprc = &priority["parent"];
    assert_eq!(nprc["slug"], "nprc-2-0");
    assert_eq!(nprc["name"], "Narodowy Program Rozwoju Czytelnictwa 2.0");
    assert!(
        nprc["parent"].is_null(),
        "NPRC 2.0 is a top-level programme"
    );
    let through = &blisko["fundingsThrough"]["nodes"];
    assert_eq!(through.as_array().map(Vec::len), Some(1));
    assert_eq!(through[0]["funder"]["slug"], "ministry-of-culture-2021");
    assert_eq!(
        through[0]["recipient"]["slug"],
        "maker-space-blisko-biblioteki"
    );
    // And down again: NPRC 2.0 → Priority 4 → BLISKO → its project.
    let children = &data["programme"]["children"]["nodes"];
    assert_eq!(slugs(children), ["nprc-2-0-priorytet-4"]);
    assert_eq!(slugs(&children[0]["children"]["nodes"]), ["blisko"]);
    assert_eq!(
        slugs(&children[0]["children"]["nodes"][0]["projects"]["nodes"]),
        ["maker-space-blisko-biblioteki"]
    );
}

#[tokio::test]
async fn a_project_lists_its_outcomes_and_each_outcome_names_the_project() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ project(slug: "b-zone") { id outcomes(first: 20) { totalCount nodes {
                slug value valueQualifier unit
                subject { __typename ... on Project { id slug } }
            } } } }"#,
            Value::Null,
        )
        .await;

    let project = &data["project"];
    let outcomes = &project["outcomes"]["nodes"];
    assert_eq!(
        slug_set(outcomes),
        set(&[
            "b-zone-additional-space",
            "b-zone-new-free-space-in-poltava",
            "b-zone-public-interest",
            "b-zone-online-reach"
        ])
    );
    assert_eq!(project["outcomes"]["totalCount"], 4);
    for outcome in outcomes.as_array().into_iter().flatten() {
        assert_eq!(outcome["subject"]["__typename"], "Project");
        assert_eq!(outcome["subject"]["id"], project["id"], "{outcome}");
    }
    let reach = outcomes
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["slug"] == "b-zone-online-reach")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            reach["value"].as_f64(),
            &reach["valueQualifier"],
            &reach["unit"]
        ),
        (Some(500.0), &json!("MORE_THAN"), &json!("patrons"))
    );
}

#[tokio::test]
async fn an_organization_and_its_place_list_each_other() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "biblioteca-municipala-e-coseriu-balti") {
                place { slug name countryCode kind
                  organizations(first: 20) { totalCount nodes { slug } }
                  parent { slug children(first: 20) { nodes { slug } } } }
            } }"#,
            Value::Null,
        )
        .await;

    let place = &data["organization"]["place"];
    assert_eq!(
        (
            &place["slug"],
            &place["name"],
            &place["countryCode"],
            &place["kind"]
        ),
        (
            &json!("balti"),
            &json!("Bălți"),
            &json!("MD"),
            &json!("CITY")
        )
    );
    assert_eq!(
        slug_set(&place["organizations"]["nodes"]),
        set(&[
            "biblioteca-municipala-e-coseriu-balti",
            "primaria-municipiului-balti"
        ])
    );
    assert_eq!(place["organizations"]["totalCount"], 2);
    assert_eq!(place["parent"]["slug"], "moldova");
    assert_eq!(
        slug_set(&place["parent"]["children"]["nodes"]),
        set(&["balti", "regionala-centru-nord"])
    );
}

#[tokio::test]
async fn a_person_and_an_organization_reach_each_other_through_positions() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "biblioteca-municipala-e-coseriu-balti") { id positions(first: 10) { nodes {
                title titleLang
                organization { id }
                person { slug name positions(first: 10) { nodes { title organization { id slug } } } }
            } } } }"#,
            Value::Null,
        )
        .await;

    let library = &data["organization"];
    let positions = &library["positions"]["nodes"];
    assert_eq!(positions.as_array().map(Vec::len), Some(1));
    let position = &positions[0];
    assert_eq!(
        (&position["title"], &position["titleLang"]),
        (&json!("Director"), &json!("ro"))
    );
    assert_eq!(position["organization"]["id"], library["id"]);
    let person = &position["person"];
    assert_eq!(
        (&person["slug"], &person["name"]),
        (&json!("ludmila-ous"), &json!("Ludmila Ouș"))
    );
    let back = &person["positions"]["nodes"];
    assert_eq!(back.as_array().map(Vec::len), Some(1));
    assert_eq!(back[0]["organization"]["id"], library["id"]);
    assert_eq!(back[0]["title"], "Director");
}

#[tokio::test]
async fn an_event_names_the_campaign_it_is_part_of_and_the_campaign_its_parts() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ event(slug: "iarmarocul-comunitatii-balti-2017") {
                id kind period { start { edtf year month day precision } yearFrom }
                parts(first: 10) { totalCount }
                partOf { slug name kind partOf { slug } parts(first: 10) { totalCount nodes { id slug } } }
            } }"#,
            Value::Null,
        )
        .await;

    let fair = &data["event"];
    assert_eq!(fair["kind"], "FAIR");
    let start = &fair["period"]["start"];
    assert_eq!(
        (
            &start["edtf"],
            &start["year"],
            &start["month"],
            &start["day"],
            &start["precision"]
        ),
        (
            &json!("2017-09-12"),
            &json!(2017),
            &json!(9),
            &json!(12),
            &json!("DAY")
        )
    );
    assert_eq!(fair["parts"]["totalCount"], 0);
    let campaign = &fair["partOf"];
    assert_eq!(
        (&campaign["slug"], &campaign["name"], &campaign["kind"]),
        (
            &json!("ne-vedem-la-biblioteca"),
            &json!("Ne vedem la bibliotecă!"),
            &json!("CAMPAIGN")
        )
    );
    assert!(campaign["partOf"].is_null());
    assert_eq!(
        slug_set(&campaign["parts"]["nodes"]),
        set(&[
            "iarmarocul-comunitatii-balti-2017",
            "ne-vedem-la-biblioteca-etapa-2"
        ])
    );
    assert!(
        campaign["parts"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|part| part["id"] == fair["id"])
    );
}

#[tokio::test]
async fn organization_relations_read_from_either_end_and_by_direction() {
    let app = spawn_app().await;
    let query = r#"query($slug: String!) { organization(slug: $slug) {
        outgoing: relations(direction: OUTGOING, first: 10) { totalCount nodes { id kind subject { slug } object { slug } } }
        incoming: relations(direction: INCOMING, first: 10) { totalCount nodes { id kind subject { slug } object { slug } } }
        both: relations(direction: BOTH, first: 10) { totalCount nodes { id } }
        successions: relations(direction: BOTH, kinds: [SUCCESSOR_OF], first: 10) { totalCount nodes { id kind } }
    } }"#;

    let labib = app.query(query, json!({ "slug": "labib" })).await;
    let association = app
        .query(query, json!({ "slug": "labib-association" }))
        .await;

    // "We created LABIB … transformed into the Labib Association": the association succeeds LABIB,
    // which FRSI founded.
    let successor = &association["organization"]["outgoing"];
    assert_eq!(successor["totalCount"], 1);
    let relation = &successor["nodes"][0];
    assert_eq!(
        (
            &relation["kind"],
            &relation["subject"]["slug"],
            &relation["object"]["slug"]
        ),
        (
            &json!("SUCCESSOR_OF"),
            &json!("labib-association"),
            &json!("labib")
        )
    );
    assert_eq!(association["organization"]["incoming"]["totalCount"], 0);

    let labib = &labib["organization"];
    assert_eq!(labib["incoming"]["totalCount"], 1);
    assert_eq!(
        labib["incoming"]["nodes"][0]["id"], relation["id"],
        "the same relation seen from its object"
    );
    assert_eq!(labib["outgoing"]["totalCount"], 1);
    let founded = &labib["outgoing"]["nodes"][0];
    assert_eq!(
        (&founded["kind"], &founded["object"]["slug"]),
        (&json!("FOUNDED_BY"), &json!("frsi"))
    );
    assert_eq!(labib["both"]["totalCount"], 2);
    let both: BTreeSet<String> = strings(&labib["both"]["nodes"], "id").into_iter().collect();
    let expected: BTreeSet<String> = [&relation["id"], &founded["id"]]
        .iter()
        .filter_map(|v| v.as_str())
        .map(str::to_owned)
        .collect();
    assert_eq!(both, expected);
    assert_eq!(labib["successions"]["totalCount"], 1);
    assert_eq!(labib["successions"]["nodes"][0]["id"], relation["id"]);
}

#[tokio::test]
async fn a_topic_lists_its_subjects_and_each_subject_lists_the_topic() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ topics(first: 50) { totalCount nodes { slug kind code subjects(first: 10) { totalCount nodes { __typename
                ... on Project { slug topics(first: 10) { nodes { slug } } }
                ... on Programme { slug topics(first: 10) { nodes { slug } } }
                ... on Event { slug topics(first: 10) { nodes { slug } } }
                ... on Organization { slug topics(first: 10) { nodes { slug } } }
            } } } } }"#,
            Value::Null,
        )
        .await;

    let topics = data["topics"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        data["topics"]["totalCount"].as_u64(),
        Some(topics.len() as u64),
        "one page holds every topic"
    );
    let topic = |slug: &str| {
        topics
            .iter()
            .find(|t| t["slug"] == slug)
            .cloned()
            .unwrap_or_else(|| panic!("no topic {slug}"))
    };
    let sdg4 = topic("sdg-4");
    assert_eq!((&sdg4["kind"], &sdg4["code"]), (&json!("SDG"), &json!("4")));
    assert_eq!(
        slugs(&sdg4["subjects"]["nodes"]),
        ["b-zone"],
        "only «B-Zone» is filed under GOAL 4"
    );
    assert_eq!(
        slug_set(&topic("active-citizenship")["subjects"]["nodes"]),
        set(&[
            "active-citizens-fund-regional-programme",
            "how-to-talk",
            "plach",
            "growing-active-citizens-hubs"
        ])
    );
    assert_eq!(
        slug_set(&topic("advocacy")["subjects"]["nodes"]),
        set(&[
            "iarmarocul-comunitatii-balti-2017",
            "bibliotecile-publice-regionala-centru-nord"
        ])
    );
    // Every subject of every topic lists that topic back.
    for topic in &topics {
        for subject in topic["subjects"]["nodes"].as_array().into_iter().flatten() {
            if subject.get("topics").is_some() {
                assert!(
                    slug_set(&subject["topics"]["nodes"])
                        .contains(topic["slug"].as_str().unwrap_or_default()),
                    "{} does not list {}",
                    subject["slug"],
                    topic["slug"]
                );
            }
        }
    }
}

#[tokio::test]
async fn a_target_group_lists_what_serves_it_and_each_lists_the_group() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ targetGroups(first: 100) { nodes { slug servedBy(first: 20) { totalCount nodes { __typename
                ... on Project { slug targetGroups(first: 10) { nodes { slug } } }
                ... on Programme { slug targetGroups(first: 10) { nodes { slug } } }
                ... on Event { slug targetGroups(first: 10) { nodes { slug } } }
            } } } } }"#,
            Value::Null,
        )
        .await;

    let groups = data["targetGroups"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let librarians = groups
        .iter()
        .find(|g| g["slug"] == "librarians")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        slug_set(&librarians["servedBy"]["nodes"]),
        set(&[
            "libraries-for-climate",
            "frsi-library-congresses",
            "biblioteka-przyszlosci-design-thinking"
        ])
    );
    assert_eq!(librarians["servedBy"]["totalCount"], 3);
    let public = groups
        .iter()
        .find(|g| g["slug"] == "publicul-larg")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        slug_set(&public["servedBy"]["nodes"]),
        set(&[
            "iarmarocul-comunitatii-balti-2017",
            "ne-vedem-la-biblioteca"
        ])
    );
    for group in &groups {
        for served in group["servedBy"]["nodes"].as_array().into_iter().flatten() {
            assert!(
                slug_set(&served["targetGroups"]["nodes"])
                    .contains(group["slug"].as_str().unwrap_or_default()),
                "{} does not list {}",
                served["slug"],
                group["slug"]
            );
        }
    }
}

#[tokio::test]
async fn a_citation_leads_to_its_source_and_the_source_back_to_the_same_record() {
    let app = spawn_app().await;
    let seed = seed_file("occupy-library-b-zone.toml");

    let data = app
        .query(
            r#"{ organization(slug: "poltava-library-9") { id citations(first: 20) { totalCount nodes {
                quote basis
                record { ... on Library { id } }
                source { slug title language publisher { slug }
                  citations(first: 100) { totalCount nodes { quote record { __typename ... on Node { id } } } } }
            } } } }"#,
            Value::Null,
        )
        .await;

    let library = &data["organization"];
    let citations = library["citations"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        library["citations"]["totalCount"], 2,
        "the library's quote is two passages"
    );
    for citation in &citations {
        let quote = citation["quote"].as_str().unwrap_or_default();
        assert!(
            !quote.is_empty() && seed.contains(quote),
            "quote not in the seed file: {quote}"
        );
        assert_eq!(citation["basis"], "STATED");
        assert_eq!(citation["record"]["id"], library["id"]);
        let source = &citation["source"];
        assert_eq!(source["slug"], "occupy-library-b-zone");
        assert_eq!(source["title"], "Creative children`s space «B-Zone»");
        assert_eq!(source["publisher"]["slug"], "progress-foundation");
        assert!(
            source["citations"]["totalCount"].as_i64().unwrap_or(0) <= 100,
            "one page holds them all"
        );
        let back: Vec<&Value> = source["citations"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["quote"] == citation["quote"] && c["record"]["id"] == library["id"])
            .collect();
        assert_eq!(
            back.len(),
            1,
            "the source lists this citation of the library once: {quote}"
        );
    }
    assert_eq!(
        strings(&json!(citations), "quote")
            .into_iter()
            .collect::<BTreeSet<_>>(),
        set(&[
            "Poltava library #9, Ukraine",
            "developing new activities in the library"
        ])
    );
}

#[tokio::test]
async fn relations_carry_citations_too_and_an_inferred_one_says_why() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ sources(first: 10) { nodes { slug citations(first: 100) { nodes { quote basis reasoning record { __typename
                ... on Classification { subject { ... on Project { slug } } topic { slug } }
                ... on Participation { organization { slug } activity { ... on Programme { slug } } }
            } } } } } }"#,
            Value::Null,
        )
        .await;

    let sources = data["sources"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let occupy = sources
        .iter()
        .find(|s| s["slug"] == "occupy-library-b-zone")
        .cloned()
        .unwrap_or_default();
    let citations = occupy["citations"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let goal4 = citations
        .iter()
        .find(|c| {
            c["record"]["__typename"] == "Classification" && c["record"]["topic"]["slug"] == "sdg-4"
        })
        .unwrap_or_else(|| panic!("no citation of the GOAL 4 classification"));
    assert_eq!(goal4["record"]["subject"]["slug"], "b-zone");
    assert_eq!(goal4["quote"], "GOAL 4: Quality Education");
    // "The page does not name the campaign's organizer" — recorded as inferred, with the reasoning.
    let hub = citations
        .iter()
        .find(|c| {
            c["record"]["__typename"] == "Participation"
                && c["record"]["activity"]["slug"] == "occupy-library-innovators-hub"
        })
        .unwrap_or_else(|| panic!("no citation of Progress Foundation's participation in the HUB"));
    assert_eq!(hub["record"]["organization"]["slug"], "progress-foundation");
    assert_eq!(hub["basis"], "INFERRED");
    assert!(
        hub["reasoning"]
            .as_str()
            .is_some_and(|r| r.contains("Regional projects")),
        "{hub}"
    );
}

#[tokio::test]
async fn every_source_names_its_publisher() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ sources(first: 20) { totalCount nodes { slug document publisher { slug } } } }",
            Value::Null,
        )
        .await;

    let publishers: BTreeMap<String, Value> = data["sources"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["slug"].as_str().unwrap_or_default().to_owned(),
                s["publisher"]["slug"].clone(),
            )
        })
        .collect();
    assert_eq!(data["sources"]["totalCount"], 6);
    assert_eq!(
        publishers,
        BTreeMap::from([
            (
                "balti-iarmarocul-comunitatii-2017".to_owned(),
                json!("primaria-municipiului-balti")
            ),
            (
                "biblioteka-krakow-mediateki-study-visit".to_owned(),
                Value::Null
            ),
            (
                "chmielnik-maker-space-blisko-start".to_owned(),
                json!("gbp-chmielnik")
            ),
            ("frsi-what-we-do".to_owned(), json!("frsi")),
            (
                "occupy-library-b-zone".to_owned(),
                json!("progress-foundation")
            ),
            (
                "un-sustainable-development-goals".to_owned(),
                json!("united-nations")
            ),
        ])
    );
}

// ------------------------------------------------------------------------------------------------
// 2. pagination

const ORGANIZATIONS_FORWARD: &str =
    "query($after: String) { organizations(first: 5, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug } } } }";

const ORGANIZATIONS_BACKWARD: &str =
    "query($before: String) { organizations(last: 5, before: $before) {
    totalCount pageInfo { hasPreviousPage startCursor } edges { cursor node { slug } } } }";

#[tokio::test]
async fn paging_forward_visits_every_organization_once_in_order() {
    let app = spawn_app().await;
    let everything = app
        .query(
            "{ organizations(first: 100) { totalCount nodes { slug } } }",
            Value::Null,
        )
        .await;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    let mut total: i64;
    loop {
        let data = app
            .query(ORGANIZATIONS_FORWARD, json!({ "after": after }))
            .await;
        let page = &data["organizations"];
        total = page["totalCount"].as_i64().unwrap_or(-1);
        let edges = page["edges"].as_array().cloned().unwrap_or_default();
        assert!(edges.len() <= 5);
        seen.extend(
            edges
                .iter()
                .map(|e| e["node"]["slug"].as_str().unwrap_or_default().to_owned()),
        );
        pages += 1;
        assert!(pages <= 20, "paging does not end");
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        assert_eq!(edges.len(), 5, "only the last page may be short");
        assert_eq!(page["pageInfo"]["endCursor"], edges[4]["cursor"]);
        after = page["pageInfo"]["endCursor"].clone();
    }

    assert_eq!(total, 34, "organizations in the seeds");
    assert_eq!(seen.len() as i64, total);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        seen.len(),
        "an organization came twice: {seen:?}"
    );
    assert_eq!(pages, 7);
    assert_eq!(
        seen,
        slugs(&everything["organizations"]["nodes"]),
        "pages in the order of the whole list"
    );
}

#[tokio::test]
async fn paging_backward_gives_the_same_organizations_in_the_same_order() {
    let app = spawn_app().await;
    let everything = slugs(
        &app.query(
            "{ organizations(first: 100) { nodes { slug } } }",
            Value::Null,
        )
        .await["organizations"]["nodes"],
    );

    let mut seen: Vec<String> = Vec::new();
    let mut before = Value::Null;
    let mut pages = 0;
    loop {
        let data = app
            .query(ORGANIZATIONS_BACKWARD, json!({ "before": before }))
            .await;
        let page = &data["organizations"];
        let mut slugs: Vec<String> = page["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["slug"].as_str().unwrap_or_default().to_owned())
            .collect();
        slugs.append(&mut seen);
        seen = slugs;
        pages += 1;
        assert!(pages <= 20, "paging does not end");
        if page["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }

    assert_eq!(seen, everything);
    assert_eq!(pages, 7);
}

#[tokio::test]
async fn page_sizes_and_cursors_out_of_bounds_are_refused_not_clamped() {
    let app = spawn_app().await;
    let participation_cursor = app
        .query(r#"{ project(slug: "b-zone") { participations(first: 1) { pageInfo { endCursor } } } }"#, Value::Null)
        .await["project"]["participations"]["pageInfo"]["endCursor"]
        .clone();

    let refused = [
        ("{ organizations(first: 101) { totalCount } }", Value::Null),
        ("{ organizations(last: 101) { totalCount } }", Value::Null),
        ("{ organizations(first: -1) { totalCount } }", Value::Null),
        (
            "{ organizations(first: 5, last: 5) { totalCount } }",
            Value::Null,
        ),
        (
            r#"{ organizations(first: 5, after: "not a cursor!") { totalCount } }"#,
            Value::Null,
        ),
        (
            r#"{ organizations(last: 5, before: "bm9wZQ") { totalCount } }"#,
            Value::Null,
        ),
        (
            "query($c: String) { organizations(first: 5, after: $c) { totalCount } }",
            json!({ "c": participation_cursor }),
        ),
        (
            r#"{ project(slug: "b-zone") { participations(first: 101) { totalCount } } }"#,
            Value::Null,
        ),
    ];

    for (query, variables) in refused {
        assert_bad_user_input(&app, query, variables).await;
    }
}

#[tokio::test]
async fn ordering_by_name_ignores_case_diacritics_and_punctuation() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ asc: organizations(first: 100, orderBy: NAME) { nodes { name } }
               desc: organizations(first: 100, orderBy: NAME_DESC) { nodes { name } }
               events(first: 100, orderBy: NAME) { nodes { name } } }",
            Value::Null,
        )
        .await;

    let names = strings(&data["asc"]["nodes"], "name");
    let mut by_key = names.clone();
    by_key.sort_by_key(|name| sort_key(name));
    assert_eq!(names, by_key);
    let mut reversed = strings(&data["desc"]["nodes"], "name");
    reversed.reverse();
    assert_eq!(reversed, names, "NAME_DESC is NAME backwards");
    // No seed organization starts with a letter such as Ł, so the decisive cases are lowercase
    // names among capitalised ones, which a byte-wise order would put after every capital.
    let position = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(
        position("lokalni artyści, rękodzielnicy i społecznicy"),
        position("Labib Association") + 1
    );
    assert_eq!(
        position("rețeaua Novateca"),
        position("Ray of light of Poltava region") + 1
    );
    assert_eq!(
        position("Biblioteka Śląska w Katowicach"),
        position("Biblioteka Kraków") + 1
    );
    // Events: opening quotation marks do not count, so „Ne vedem…” follows Ne vedem….
    let events = strings(&data["events"]["nodes"], "name");
    let mut by_key = events.clone();
    by_key.sort_by_key(|name| sort_key(name));
    assert_eq!(events, by_key);
    let position = |name: &str| {
        events
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(
        position("„Ne vedem la bibliotecă!” – etapa a 2-a"),
        position("Ne vedem la bibliotecă!") + 1
    );
    assert_eq!(
        position("«B-Zone» fundraising campaign"),
        position("All Digital Weeks") + 1
    );
    assert_eq!(
        events.last().map(String::as_str),
        Some("wyjazd studyjny do bibliotek na Śląsku i w Zagłębiu Dąbrowskim")
    );
}

#[tokio::test]
async fn a_nested_connection_pages_with_its_own_cursors() {
    let app = spawn_app().await;
    let query = r#"query($after: String) { project(slug: "maker-space-blisko-biblioteki") {
        participations(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id organization { slug } } } } } }"#;
    let everything = app
        .query(r#"{ project(slug: "maker-space-blisko-biblioteki") { participations(first: 100) { nodes { id } } } }"#, Value::Null)
        .await;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    let mut first_page = Vec::new();
    loop {
        let data = app.query(query, json!({ "after": after })).await;
        let connection = &data["project"]["participations"];
        assert_eq!(
            connection["totalCount"], 7,
            "the library and its six partners"
        );
        let edges = connection["edges"].as_array().cloned().unwrap_or_default();
        if pages == 0 {
            first_page = edges.clone();
        }
        seen.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned()),
        );
        pages += 1;
        assert!(pages <= 10, "paging does not end");
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    // Any edge's cursor continues right after that edge.
    let after_first = app
        .query(query, json!({ "after": first_page[0]["cursor"] }))
        .await;

    assert_eq!(pages, 4);
    assert_eq!(
        seen,
        strings(&everything["project"]["participations"]["nodes"], "id")
    );
    assert_eq!(
        after_first["project"]["participations"]["edges"][0]["node"]["id"],
        first_page[1]["node"]["id"]
    );
}

/// A page of participations loads its organizations and activities in one loader call for the
/// whole page; `nodes(ids:)` returns no page, so there each participation loads its own. Both
/// must pair every participation with the same organization and activity.
#[tokio::test]
async fn relations_loaded_for_a_whole_page_match_those_loaded_one_by_one() {
    let app = spawn_app().await;
    const PARTICIPATION: &str = "id organization { slug }
        activity { ... on Project { slug } ... on Event { slug } ... on Programme { slug } }";

    let by_page = app
        .query(
            &format!(
                "{{ libraries(first: 20) {{ nodes {{
                    participations(first: 20) {{ edges {{ node {{ {PARTICIPATION}
                        activity {{ ... on Project {{
                            participations(first: 20) {{ nodes {{ {PARTICIPATION} }} }} }} }}
                    }} }} }} }} }} }}"
            ),
            Value::Null,
        )
        .await;
    let mut pairs = BTreeMap::new();
    for library in by_page["libraries"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for edge in library["participations"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let node = &edge["node"];
            let partners = node["activity"]["participations"]["nodes"].as_array();
            for p in std::iter::once(node).chain(partners.into_iter().flatten()) {
                let pair = (
                    p["organization"]["slug"].clone(),
                    p["activity"]["slug"].clone(),
                );
                pairs.insert(p["id"].as_str().unwrap_or_default().to_owned(), pair);
            }
        }
    }
    assert!(pairs.len() >= 20, "{} participations reached", pairs.len());

    let ids: Vec<&String> = pairs.keys().collect();
    for chunk in ids.chunks(100) {
        let one_by_one = app
            .query(
                &format!("query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Participation {{ {PARTICIPATION} }} }} }}"),
                json!({ "ids": chunk }),
            )
            .await;
        for p in one_by_one["nodes"].as_array().into_iter().flatten() {
            let id = p["id"].as_str().unwrap_or_default();
            let pair = (
                p["organization"]["slug"].clone(),
                p["activity"]["slug"].clone(),
            );
            assert!(pair.0.is_string() && pair.1.is_string(), "{id}: {pair:?}");
            assert_eq!(pairs.get(id), Some(&pair), "{id}");
        }
    }
}

#[tokio::test]
async fn nested_pages_are_cut_per_parent_not_across_parents() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ libraries(first: 100) { nodes { slug
                page: participations(first: 2) { totalCount pageInfo { hasNextPage } nodes { id } }
                all: participations(first: 100) { nodes { id } } } } }",
            Value::Null,
        )
        .await;

    let libraries = data["libraries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(libraries.len(), 8);
    for library in &libraries {
        let all = strings(&library["all"]["nodes"], "id");
        let page = strings(&library["page"]["nodes"], "id");
        let total = library["page"]["totalCount"].as_u64().unwrap_or(0) as usize;
        assert_eq!(total, all.len(), "{}", library["slug"]);
        assert_eq!(
            page,
            all.iter().take(2).cloned().collect::<Vec<_>>(),
            "{}",
            library["slug"]
        );
        assert_eq!(
            library["page"]["pageInfo"]["hasNextPage"],
            total > 2,
            "{}",
            library["slug"]
        );
    }
    // Kraków: the project, the training twice (participant and organizer), the study visit.
    let krakow = libraries
        .iter()
        .find(|l| l["slug"] == "biblioteka-krakow")
        .cloned()
        .unwrap_or_default();
    assert_eq!(krakow["page"]["totalCount"], 4);
}

/// The batched statement (one per level, every parent's page in it) pages backward and from a
/// cursor exactly as one parent's own `LIMIT` does.
#[tokio::test]
async fn nested_pages_of_many_parents_go_backward_and_resume_from_a_cursor() {
    let app = spawn_app().await;
    let all = app
        .query(
            "{ libraries(first: 100) { nodes { slug
                participations(first: 100) { edges { cursor node { id } } } } } }",
            Value::Null,
        )
        .await;
    let libraries = all["libraries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids = |library: &Value| -> Vec<String> {
        library["participations"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let krakow = libraries
        .iter()
        .find(|l| l["slug"] == "biblioteka-krakow")
        .cloned()
        .unwrap_or_default();
    let cursor = krakow["participations"]["edges"][1]["cursor"].clone();
    assert!(cursor.is_string(), "{krakow:#}");

    let data = app
        .query(
            "query($at: String) { libraries(first: 100) { nodes { slug
                tail: participations(last: 2) { pageInfo { hasPreviousPage } nodes { id } }
                after: participations(first: 2, after: $at) { nodes { id } }
                before: participations(last: 1, before: $at) { nodes { id } } } } }",
            json!({ "at": cursor }),
        )
        .await;
    let paged = data["libraries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();

    assert_eq!(paged.len(), libraries.len());
    for (library, paged) in libraries.iter().zip(&paged) {
        let all = ids(library);
        let tail = strings(&paged["tail"]["nodes"], "id");
        assert_eq!(
            tail,
            all[all.len().saturating_sub(2)..],
            "{}",
            library["slug"]
        );
        assert_eq!(
            paged["tail"]["pageInfo"]["hasPreviousPage"],
            all.len() > 2,
            "{}",
            library["slug"]
        );
        // Another library's cursor is a position in the same ordering: its rows after it are
        // a run of its own list that ends the list or is a full page.
        let after = strings(&paged["after"]["nodes"], "id");
        if let Some(first) = after.first() {
            let start = all.iter().position(|a| a == first);
            assert!(
                start.is_some(),
                "{}: {first} is not its own",
                library["slug"]
            );
            let start = start.unwrap_or_default();
            assert_eq!(
                after,
                all[start..(start + 2).min(all.len())],
                "{}",
                library["slug"]
            );
        }
    }
    let krakow_paged = paged
        .iter()
        .find(|l| l["slug"] == "biblioteka-krakow")
        .cloned()
        .unwrap_or_default();
    let krakow_all = ids(&krakow);
    assert_eq!(
        strings(&krakow_paged["after"]["nodes"], "id"),
        krakow_all[2..4]
    );
    assert_eq!(
        strings(&krakow_paged["before"]["nodes"], "id"),
        krakow_all[0..1]
    );
}

// ------------------------------------------------------------------------------------------------
// 3. filters

#[tokio::test]
async fn libraries_filtered_by_country_are_exactly_that_countrys_libraries() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ md: libraries(filter: {countries: ["MD"]}) { totalCount nodes { slug place { countryCode } } }
                 pl: libraries(filter: {countries: ["PL"]}) { totalCount nodes { slug } }
                 ua: libraries(filter: {countries: ["UA"]}) { totalCount nodes { slug } }
                 both: libraries(filter: {countries: ["MD", "UA"]}) { totalCount nodes { slug } } }"#,
            Value::Null,
        )
        .await;

    assert_eq!(
        slugs(&data["md"]["nodes"]),
        ["biblioteca-municipala-e-coseriu-balti"]
    );
    assert_eq!(data["md"]["totalCount"], 1);
    assert_eq!(
        slug_set(&data["pl"]["nodes"]),
        set(&[
            "biblioteka-krakow",
            "biblioteka-slaska",
            "gliwicka-miejska-biblioteka-publiczna",
            "gbp-chmielnik",
            "mbp-tychy-mediateka",
            "zaglebiowska-mediateka"
        ])
    );
    assert_eq!(slugs(&data["ua"]["nodes"]), ["poltava-library-9"]);
    assert_eq!(
        slug_set(&data["both"]["nodes"]),
        set(&["biblioteca-municipala-e-coseriu-balti", "poltava-library-9"])
    );
}

#[tokio::test]
async fn organizations_filtered_by_kind_are_exactly_that_kind() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ authorities: organizations(filter: {kinds: [PUBLIC_AUTHORITY]}) { totalCount nodes { slug kind } }
               libraryKind: organizations(filter: {kinds: [LIBRARY]}, first: 100) { nodes { slug __typename } }
               libraries(first: 100) { nodes { slug } }
               plAuthorities: organizations(filter: {kinds: [PUBLIC_AUTHORITY], countries: [\"PL\"]}) { nodes { slug } } }",
            Value::Null,
        )
        .await;

    assert_eq!(
        slug_set(&data["authorities"]["nodes"]),
        set(&[
            "autoritatile-publice-locale-centru-nord",
            "ministry-of-culture-2021",
            "ministry-of-culture-and-national-heritage",
            "primaria-municipiului-balti",
            "urzad-gminy-chmielnik"
        ])
    );
    assert_eq!(data["authorities"]["totalCount"], 5);
    assert!(
        data["libraryKind"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|o| o["__typename"] == "Library")
    );
    assert_eq!(
        slugs(&data["libraryKind"]["nodes"]),
        slugs(&data["libraries"]["nodes"])
    );
    assert_eq!(
        slug_set(&data["plAuthorities"]["nodes"]),
        set(&[
            "ministry-of-culture-2021",
            "ministry-of-culture-and-national-heritage",
            "urzad-gminy-chmielnik"
        ]),
        "filters combine with AND"
    );
}

#[tokio::test]
async fn a_programme_filter_includes_projects_of_its_sub_programmes() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ nprc: projects(filter: {programmes: ["nprc-2-0"]}) { totalCount nodes { slug } }
                 blisko: projects(filter: {programmes: ["blisko"]}) { nodes { slug } }
                 hub: projects(filter: {programmes: ["occupy-library-innovators-hub"]}) { nodes { slug } }
                 programmes(filter: {programmes: ["nprc-2-0"]}) { nodes { slug } } }"#,
            Value::Null,
        )
        .await;

    // Maker Space runs under BLISKO (4.1), two levels below NPRC 2.0.
    assert_eq!(
        slugs(&data["nprc"]["nodes"]),
        ["maker-space-blisko-biblioteki"]
    );
    assert_eq!(
        slugs(&data["blisko"]["nodes"]),
        ["maker-space-blisko-biblioteki"]
    );
    assert_eq!(
        slug_set(&data["hub"]["nodes"]),
        set(&["b-zone", "physical-activity-medicine-for-health"])
    );
    assert_eq!(
        slug_set(&data["programmes"]["nodes"]),
        set(&["nprc-2-0", "nprc-2-0-priorytet-4", "blisko"])
    );
}

#[tokio::test]
async fn a_funder_filter_keeps_what_those_funders_fund() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ ministry2021: projects(filter: {funders: ["ministry-of-culture-2021"]}) { nodes { slug } }
                 ministry: projects(filter: {funders: ["ministry-of-culture-and-national-heritage"]}) { nodes { slug } }
                 either: projects(filter: {funders: ["ministry-of-culture-2021", "b-zone-fundraising-donors"]}) { nodes { slug } }
                 organizations(filter: {funders: ["ministry-of-culture-and-national-heritage"]}) { nodes { slug } } }"#,
            Value::Null,
        )
        .await;

    assert_eq!(
        slugs(&data["ministry2021"]["nodes"]),
        ["maker-space-blisko-biblioteki"]
    );
    assert_eq!(
        slugs(&data["ministry"]["nodes"]),
        ["mediateki-interaktywne-miejsca-kultury"]
    );
    assert_eq!(
        slug_set(&data["either"]["nodes"]),
        set(&["maker-space-blisko-biblioteki", "b-zone"])
    );
    assert_eq!(
        slugs(&data["organizations"]["nodes"]),
        ["biblioteka-krakow"],
        "the lead of the project the ministry funds"
    );
}

#[tokio::test]
async fn an_activity_year_filter_keeps_events_of_those_years_only() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ y2017: events(filter: {activeIn: {from: 2017, to: 2017}}, first: 100) { totalCount nodes { slug } }
               since2021: events(filter: {activeIn: {from: 2021}}, first: 100) { nodes { slug } }
               projects2021: projects(filter: {activeIn: {from: 2021, to: 2021}}) { nodes { slug } } }",
            Value::Null,
        )
        .await;

    let y2017 = slug_set(&data["y2017"]["nodes"]);
    assert_eq!(
        y2017,
        set(&[
            "iarmarocul-comunitatii-balti-2017",
            "ne-vedem-la-biblioteca-etapa-2"
        ])
    );
    for excluded in [
        "occupy-library-2020-conference",
        "occupy-library-2022",
        "razem-mozemy-wiecej-radymno",
        "ne-vedem-la-biblioteca",
    ] {
        assert!(!y2017.contains(excluded), "{excluded} is not dated 2017");
    }
    // Dated 2021 or later: Occupy Library 2022, the Sharing Café whose recordings were posted on
    // 20 January 2021, and the Radymno conference and three trainings, held by the post of
    // 27 October 2021.
    assert_eq!(
        slug_set(&data["since2021"]["nodes"]),
        set(&[
            "biblioteka-dla-obywatela-training",
            "kreatywny-zespol-training",
            "occupy-library-2022",
            "od-pomyslu-do-projektu-training",
            "razem-mozemy-wiecej-radymno",
            "welcome-to-moldova-sharing-cafe",
        ])
    );
    assert_eq!(
        slugs(&data["projects2021"]["nodes"]),
        ["maker-space-blisko-biblioteki"]
    );
}

#[tokio::test]
async fn a_text_filter_ignores_case_and_diacritics() {
    let app = spawn_app().await;
    let query =
        "query($t: String) { organizations(filter: {text: $t}) { totalCount nodes { slug } } }";

    let plain = app.query(query, json!({ "t": "coseriu" })).await;
    let typed = app.query(query, json!({ "t": "Coșeriu" })).await;
    let capitals = app.query(query, json!({ "t": "COȘERIU" })).await;
    let alias = app.query(query, json!({ "t": "mkdnis" })).await;
    let injection = app
        .query(query, json!({ "t": "'; DROP TABLE organization; --" }))
        .await;
    let after = app
        .query("{ organizations { totalCount } }", Value::Null)
        .await;

    assert_eq!(
        slugs(&plain["organizations"]["nodes"]),
        ["biblioteca-municipala-e-coseriu-balti"]
    );
    assert_eq!(typed, plain);
    assert_eq!(capitals, plain);
    assert_eq!(
        slugs(&alias["organizations"]["nodes"]),
        ["ministry-of-culture-2021"],
        "aliases count"
    );
    assert_eq!(injection["organizations"]["totalCount"], 0);
    assert_eq!(after["organizations"]["totalCount"], 34);
}

#[tokio::test]
async fn a_topic_filter_keeps_what_is_about_the_topic() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ projects(filter: {topics: ["sdg-4"]}) { nodes { slug } }
                 organizations(filter: {topics: ["sdg-4"]}) { nodes { slug } }
                 events(filter: {topics: ["fundraising"]}) { nodes { slug } } }"#,
            Value::Null,
        )
        .await;

    assert_eq!(slugs(&data["projects"]["nodes"]), ["b-zone"]);
    assert_eq!(
        slug_set(&data["organizations"]["nodes"]),
        set(&["poltava-library-9", "ray-of-light-of-poltava-region"]),
        "those taking part in «B-Zone»"
    );
    assert_eq!(
        slug_set(&data["events"]["nodes"]),
        set(&[
            "iarmarocul-comunitatii-balti-2017",
            "b-zone-fundraising-campaign"
        ])
    );
}

#[tokio::test]
async fn a_role_filter_on_participations_keeps_the_visited_libraries() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ event(slug: "mediateki-study-visit-silesia") {
                venues: participations(roles: [VENUE], first: 20) { totalCount nodes { role organization { slug } } }
                all: participations(first: 20) { totalCount } }
               events(filter: {roles: [VENUE]}) { nodes { slug } } }"#,
            Value::Null,
        )
        .await;

    let venues = &data["event"]["venues"]["nodes"];
    let organizations: BTreeSet<String> = venues
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            p["organization"]["slug"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        organizations,
        set(&[
            "biblioteka-slaska",
            "gliwicka-miejska-biblioteka-publiczna",
            "mbp-tychy-mediateka",
            "zaglebiowska-mediateka"
        ])
    );
    assert!(
        venues
            .as_array()
            .into_iter()
            .flatten()
            .all(|p| p["role"] == "VENUE")
    );
    assert_eq!(
        data["event"]["all"]["totalCount"], 5,
        "Kraków took part too, as a participant"
    );
    assert_eq!(
        slugs(&data["events"]["nodes"]),
        ["mediateki-study-visit-silesia"]
    );
}

// ------------------------------------------------------------------------------------------------
// 4. collaboration

/// The commune office's collaborators: the library and the five local groups it attended the
/// project, the Radymno conference and the three trainings with. Each of those five activities
/// has seven organizations, so each adds 1/6 to every tie: 5/6 in all.
const CHMIELNIK_PARTNERS: [&str; 6] = [
    "gbp-chmielnik",
    "kola-gospodyn-wiejskich-chmielnik",
    "osp-chmielnik",
    "nieformalna-grupa-budzik-kultury",
    "strefa-kultury-mlodziezowej",
    "chmielnik-local-artists-craftspeople-activists",
];

const CHMIELNIK_ACTIVITIES: [&str; 5] = [
    "maker-space-blisko-biblioteki",
    "razem-mozemy-wiecej-radymno",
    "biblioteka-dla-obywatela-training",
    "od-pomyslu-do-projektu-training",
    "kreatywny-zespol-training",
];

/// Every organization's stored ties (read when no filter is given) are the ties computed from
/// the memberships (a filter that keeps every kind takes that path): the same collaborators in
/// the same order, with the same cursors, counts, years, shared items and weights to the bit.
#[tokio::test]
async fn stored_ties_answer_exactly_what_the_memberships_compute() {
    let app = spawn_app().await;
    let kinds: Vec<String> = strings(
        &app.query(
            r#"{ __type(name: "OrganizationKind") { enumValues { name } } }"#,
            Value::Null,
        )
        .await["__type"]["enumValues"],
        "name",
    );
    let organizations = strings(
        &app.query(
            "{ organizations(first: 100) { nodes { slug } } }",
            Value::Null,
        )
        .await["organizations"]["nodes"],
        "slug",
    );
    assert!(organizations.len() > 30 && organizations.len() < 100);
    let query = r#"query($slug: String!, $kinds: [OrganizationKind!]!, $after: String) {
        organization(slug: $slug) {
            stored: collaborators(first: 3, after: $after) { ...Ties }
            computed: collaborators(first: 3, after: $after, filter: {kinds: $kinds}) { ...Ties }
        } }
        fragment Ties on CollaboratorConnection { totalCount pageInfo { hasNextPage endCursor }
            edges { cursor node { organization { slug } sharedCount weight firstYear lastYear
                shared(first: 100) { __typename ... on Project { slug } ... on Event { slug } ... on Programme { slug } } } } }"#;
    let (mut tied, mut fractional) = (0, 0);
    for slug in &organizations {
        // Page by page (three at a time), following the stored ties' cursors.
        let mut after = Value::Null;
        loop {
            let data = app
                .query(
                    query,
                    json!({ "slug": slug, "kinds": kinds, "after": after }),
                )
                .await;
            let stored = &data["organization"]["stored"];
            assert_eq!(
                stored, &data["organization"]["computed"],
                "{slug} after {after}"
            );
            for edge in stored["edges"].as_array().into_iter().flatten() {
                tied += 1;
                let weight = edge["node"]["weight"].as_f64().unwrap_or_default();
                fractional += usize::from(weight.fract() != 0.0);
                let shared = edge["node"]["shared"].as_array().map_or(0, Vec::len);
                assert_eq!(json!(shared), edge["node"]["sharedCount"], "{slug}: {edge}");
            }
            if stored["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = stored["pageInfo"]["endCursor"].clone();
        }
    }
    assert!(
        tied > 50 && fractional > 10,
        "{tied} ties, {fractional} fractional weights"
    );
}

#[tokio::test]
async fn collaborators_are_the_organizations_that_shared_activities_weighted_by_size() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "urzad-gminy-chmielnik") { collaborators(first: 50) { totalCount nodes {
                organization { slug } sharedCount weight firstYear lastYear
                shared { __typename ... on Project { slug } ... on Event { slug } ... on Programme { slug } }
            } } } }"#,
            Value::Null,
        )
        .await;

    let collaborators = &data["organization"]["collaborators"];
    let nodes = collaborators["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let found: BTreeSet<String> = nodes
        .iter()
        .map(|c| {
            c["organization"]["slug"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(found, set(&CHMIELNIK_PARTNERS));
    assert_eq!(collaborators["totalCount"], 6);
    let weights: Vec<f64> = nodes
        .iter()
        .map(|c| c["weight"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(
        weights.windows(2).all(|w| w[0] >= w[1]),
        "strongest first: {weights:?}"
    );
    for collaborator in &nodes {
        let who = collaborator["organization"]["slug"]
            .as_str()
            .unwrap_or_default();
        assert_close(&collaborator["weight"], 5.0 / 6.0, who);
        assert_eq!(collaborator["sharedCount"], 5, "{who}");
        assert_eq!(
            slug_set(&collaborator["shared"]),
            set(&CHMIELNIK_ACTIVITIES),
            "{who}"
        );
        // The two-year project runs from autumn 2021 to autumn 2023; the conference and the
        // trainings were held by October 2021.
        assert_eq!(
            (&collaborator["firstYear"], &collaborator["lastYear"]),
            (&json!(2021), &json!(2023)),
            "{who}"
        );
    }
}

#[tokio::test]
async fn collaborator_filters_narrow_the_list() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "urzad-gminy-chmielnik") {
                associations: collaborators(filter: {kinds: [ASSOCIATION]}) { totalCount nodes { organization { slug kind } } }
                informal: collaborators(filter: {kinds: [INFORMAL_GROUP, LIBRARY]}) { nodes { organization { slug } } }
                leads: collaborators(filter: {roles: [LEAD]}) { nodes { organization { slug } sharedCount shared { ... on Project { slug } } } }
                moldovan: collaborators(filter: {countries: ["MD"]}) { totalCount }
                in2017: collaborators(filter: {period: {from: 2017, to: 2017}}) { totalCount }
                page: collaborators(first: 4) { pageInfo { hasNextPage endCursor } nodes { organization { slug } } }
            } }"#,
            Value::Null,
        )
        .await;
    let org = &data["organization"];
    let rest = app
        .query(
            r#"query($after: String) { organization(slug: "urzad-gminy-chmielnik") { collaborators(first: 4, after: $after) {
                pageInfo { hasNextPage } nodes { organization { slug } } } } }"#,
            json!({ "after": org["page"]["pageInfo"]["endCursor"] }),
        )
        .await;

    let of = |connection: &Value| -> BTreeSet<String> {
        connection["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                c["organization"]["slug"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(
        of(&org["associations"]),
        set(&["kola-gospodyn-wiejskich-chmielnik", "osp-chmielnik"])
    );
    assert_eq!(org["associations"]["totalCount"], 2);
    assert_eq!(
        of(&org["informal"]),
        set(&[
            "nieformalna-grupa-budzik-kultury",
            "strefa-kultury-mlodziezowej",
            "gbp-chmielnik"
        ])
    );
    // Only the library led anything it shared with the office: the project.
    let leads = &org["leads"]["nodes"];
    assert_eq!(of(&org["leads"]), set(&["gbp-chmielnik"]));
    assert_eq!(leads[0]["sharedCount"], 1);
    assert_eq!(
        slugs(&leads[0]["shared"]),
        ["maker-space-blisko-biblioteki"]
    );
    assert_eq!(org["moldovan"]["totalCount"], 0);
    assert_eq!(org["in2017"]["totalCount"], 0);
    // Two pages of collaborators: 4 then 2, none twice.
    let first: Vec<String> = org["page"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            c["organization"]["slug"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let second = of(&rest["organization"]["collaborators"]);
    assert_eq!(first.len(), 4);
    assert_eq!(org["page"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        rest["organization"]["collaborators"]["pageInfo"]["hasNextPage"],
        false
    );
    let mut all: BTreeSet<String> = first.into_iter().collect();
    assert!(
        second.iter().all(|s| !all.contains(s)),
        "a collaborator on both pages"
    );
    all.extend(second);
    assert_eq!(all, set(&CHMIELNIK_PARTNERS));
}

#[tokio::test]
async fn collaborator_weights_do_not_depend_on_the_filter() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "urzad-gminy-chmielnik") {
                associations: collaborators(filter: {kinds: [ASSOCIATION]}) { nodes { organization { slug } sharedCount weight } }
                leads: collaborators(filter: {roles: [LEAD]}) { nodes { organization { slug } sharedCount weight } }
                partners: collaborators(filter: {roles: [PARTNER]}) { nodes { organization { slug } sharedCount weight } }
            } }"#,
            Value::Null,
        )
        .await;

    // Every shared item has seven organizations whatever the filter keeps, so each adds 1/6: the
    // associations share all five (5/6), the library led one (1/6), the partners were partners in
    // one (1/6).
    let org = &data["organization"];
    for (filter, expected) in [
        ("associations", 5.0 / 6.0),
        ("leads", 1.0 / 6.0),
        ("partners", 1.0 / 6.0),
    ] {
        let nodes = org[filter]["nodes"].as_array().cloned().unwrap_or_default();
        assert!(!nodes.is_empty(), "{filter}");
        for collaborator in nodes {
            let what = format!("{filter}: {}", collaborator["organization"]["slug"]);
            assert_close(&collaborator["weight"], expected, &what);
        }
    }
}

#[tokio::test]
async fn network_tie_weights_do_not_depend_on_which_kinds_are_drawn() {
    let app = spawn_app().await;

    let data = app
        .query(NETWORK, json!({ "filter": { "kinds": ["ASSOCIATION"] } }))
        .await;

    // The rural housewives' circles and the fire brigade share five activities of seven
    // organizations each; hiding the other five organizations does not make their tie stronger.
    let edges = data["collaborationNetwork"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["sharedCount"], 5);
    assert_close(&edges[0]["weight"], 5.0 / 6.0, "circles – fire brigade");
}

const NETWORK: &str = "query($filter: NetworkFilter, $limit: Int! = 200) { collaborationNetwork(filter: $filter, limit: $limit) {
    totalNodes truncated
    nodes { organization { id slug place { countryCode } } degree weightedDegree betweenness }
    edges { sourceId targetId source { slug } target { slug } weight sharedCount
            shared { ... on Project { slug } ... on Event { slug } ... on Programme { slug } } } } }";

/// A network without a `period` or `programmes` filter is drawn from a leaner statement (no
/// activity tables, no years, organizations and places only when filtered by them); `period: {}`
/// keeps every activity too, but through the statement with everything. Both must draw the same
/// network, truncated or not.
#[tokio::test]
async fn a_network_is_the_same_whichever_statement_gathers_its_memberships() {
    let app = spawn_app_on(TestDb::generated().await, Limits::default()).await;
    for (filter, limit) in [
        (json!({}), 1000),
        (json!({ "countries": ["PL"] }), 1000),
        (json!({ "countries": ["PL"] }), 25),
        (json!({ "kinds": ["LIBRARY"] }), 40),
        (
            json!({ "countries": ["MD", "UA"], "kinds": ["LIBRARY", "NGO", "PUBLIC_AUTHORITY"] }),
            1000,
        ),
    ] {
        let mut everything = filter.clone();
        everything["period"] = json!({});

        let lean = app
            .query(NETWORK, json!({ "filter": filter, "limit": limit }))
            .await;
        let full = app
            .query(NETWORK, json!({ "filter": everything, "limit": limit }))
            .await;

        let nodes = lean["collaborationNetwork"]["nodes"]
            .as_array()
            .map_or(0, Vec::len);
        assert!(nodes >= 10, "{filter}: only {nodes} nodes");
        assert_eq!(lean, full, "{filter} limit {limit}");
    }
}

/// Checks a network against itself: edges join listed nodes, once each, and every node's degree
/// and weighted degree are those of its edges. Returns the nodes by slug.
fn consistent_nodes(network: &Value) -> BTreeMap<String, Value> {
    let nodes = network["nodes"].as_array().cloned().unwrap_or_default();
    let edges = network["edges"].as_array().cloned().unwrap_or_default();
    let ids: BTreeSet<&str> = nodes
        .iter()
        .filter_map(|n| n["organization"]["id"].as_str())
        .collect();
    assert_eq!(ids.len(), nodes.len(), "a node twice");
    let mut pairs = BTreeSet::new();
    for edge in &edges {
        let (source, target) = (
            edge["sourceId"].as_str().unwrap_or_default(),
            edge["targetId"].as_str().unwrap_or_default(),
        );
        assert!(
            ids.contains(source) && ids.contains(target),
            "edge to a missing node: {edge}"
        );
        assert_ne!(source, target, "a loop: {edge}");
        assert!(
            pairs.insert((source.min(target), source.max(target))),
            "a tie twice: {edge}"
        );
        assert!(edge["weight"].as_f64().is_some_and(|w| w > 0.0), "{edge}");
        assert_eq!(
            edge["sharedCount"].as_u64(),
            edge["shared"].as_array().map(|s| s.len() as u64),
            "{edge}"
        );
    }
    let mut by_slug = BTreeMap::new();
    for node in nodes {
        let id = node["organization"]["id"].as_str().unwrap_or_default();
        let touching: Vec<&Value> = edges
            .iter()
            .filter(|e| e["sourceId"] == id || e["targetId"] == id)
            .collect();
        assert_eq!(
            node["degree"].as_u64(),
            Some(touching.len() as u64),
            "degree of {node}"
        );
        // The exact sum rounded, within the rounding of each of its weights.
        let sum: f64 = touching.iter().filter_map(|e| e["weight"].as_f64()).sum();
        let weighted = node["weightedDegree"].as_f64().unwrap_or(-1.0);
        assert!(
            (weighted - sum).abs() <= (touching.len() as f64 + 1.0) * 0.5e-4,
            "weighted degree of {node}: {sum}"
        );
        let betweenness = node["betweenness"].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&betweenness), "betweenness of {node}");
        by_slug.insert(
            node["organization"]["slug"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            node,
        );
    }
    by_slug
}

#[tokio::test]
async fn the_polish_network_is_two_cliques_with_consistent_degrees() {
    let app = spawn_app().await;

    let data = app
        .query(NETWORK, json!({ "filter": { "countries": ["PL"] } }))
        .await;

    let network = &data["collaborationNetwork"];
    let nodes = consistent_nodes(network);
    assert!(
        nodes
            .values()
            .all(|n| n["organization"]["place"]["countryCode"] == "PL")
    );
    assert_eq!(network["truncated"], false);
    assert_eq!(network["totalNodes"].as_u64(), Some(nodes.len() as u64));
    // Chmielnik: seven organizations, all in the same five activities: a clique of 21 ties.
    // Silesia: Kraków and the four libraries it visited: a clique of 10 ties.
    assert_eq!(network["edges"].as_array().map(Vec::len), Some(31));
    let chmielnik = &nodes["gbp-chmielnik"];
    assert_eq!(chmielnik["degree"], 6);
    assert_close(&chmielnik["weightedDegree"], 5.0, "six ties of 5/6");
    assert_close(
        &chmielnik["betweenness"],
        0.0,
        "in a clique nobody lies between two others",
    );
    let krakow = &nodes["biblioteka-krakow"];
    assert_eq!(krakow["degree"], 4);
    assert_close(
        &krakow["weightedDegree"],
        1.0,
        "four ties of 1/4 (the five-organization visit)",
    );
    let tie = network["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| {
            let ends = set(&[
                e["source"]["slug"].as_str().unwrap_or_default(),
                e["target"]["slug"].as_str().unwrap_or_default(),
            ]);
            ends == set(&["biblioteka-krakow", "zaglebiowska-mediateka"])
        })
        .cloned()
        .unwrap_or_else(|| panic!("no Kraków–Sosnowiec tie"));
    assert_eq!(slugs(&tie["shared"]), ["mediateki-study-visit-silesia"]);
    assert!(!nodes.contains_key("biblioteca-municipala-e-coseriu-balti"));
}

#[tokio::test]
async fn the_library_between_two_partners_has_full_betweenness() {
    let app = spawn_app().await;

    let data = app
        .query(NETWORK, json!({ "filter": { "countries": ["UA"] } }))
        .await;

    // Poltava library #9 shares «B-Zone» with Ray of light and the fundraising campaign with the
    // donors; the two never meet, so every shortest path between them runs through the library.
    let nodes = consistent_nodes(&data["collaborationNetwork"]);
    assert_eq!(
        nodes.keys().cloned().collect::<BTreeSet<_>>(),
        set(&[
            "poltava-library-9",
            "ray-of-light-of-poltava-region",
            "b-zone-fundraising-donors"
        ])
    );
    assert_eq!(nodes["poltava-library-9"]["degree"], 2);
    assert_close(
        &nodes["poltava-library-9"]["betweenness"],
        1.0,
        "the library",
    );
    assert_close(
        &nodes["ray-of-light-of-poltava-region"]["betweenness"],
        0.0,
        "Ray of light",
    );
    assert_close(
        &nodes["b-zone-fundraising-donors"]["betweenness"],
        0.0,
        "the donors",
    );
}

#[tokio::test]
async fn a_network_limit_keeps_the_strongest_and_must_be_in_range() {
    let app = spawn_app().await;

    let data = app
        .query(
            NETWORK,
            json!({ "filter": { "countries": ["PL"] }, "limit": 3 }),
        )
        .await;
    for limit in [0, -1, 1001] {
        assert_bad_user_input(&app, NETWORK, json!({ "limit": limit })).await;
    }

    let network = &data["collaborationNetwork"];
    let nodes = consistent_nodes(network);
    assert_eq!(nodes.len(), 3);
    assert_eq!(network["truncated"], true);
    assert_eq!(
        network["totalNodes"], 14,
        "organizations in Poland that take part in something"
    );
    assert!(
        nodes
            .keys()
            .all(|slug| CHMIELNIK_PARTNERS.contains(&slug.as_str())
                || slug == "urzad-gminy-chmielnik"),
        "the strongest ties are Chmielnik's: {:?}",
        nodes.keys()
    );
    assert_eq!(
        network["edges"].as_array().map(Vec::len),
        Some(3),
        "the three kept form a triangle"
    );
}

const PATH: &str = "query($from: ID!, $to: ID!, $maxHops: Int! = 4) { connectionPath(from: $from, to: $to, maxHops: $maxHops) {
    connected length hops { fromId toId from { slug } to { slug } via { __typename ... on Event { slug } ... on Project { slug } ... on Programme { slug } } } } }";

#[tokio::test]
async fn two_libraries_of_the_study_visit_are_one_hop_apart_by_id_or_slug() {
    let app = spawn_app().await;
    let krakow = app.organization_id("biblioteka-krakow").await;
    let sosnowiec = app.organization_id("zaglebiowska-mediateka").await;

    let by_id = app
        .query(PATH, json!({ "from": krakow, "to": sosnowiec }))
        .await;
    let by_slug = app
        .query(
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "zaglebiowska-mediateka" }),
        )
        .await;

    let path = &by_id["connectionPath"];
    assert_eq!(
        (&path["connected"], &path["length"]),
        (&json!(true), &json!(1))
    );
    let hop = &path["hops"][0];
    assert_eq!(
        (hop["fromId"].as_str(), hop["toId"].as_str()),
        (Some(krakow.as_str()), Some(sosnowiec.as_str()))
    );
    assert_eq!(
        (&hop["from"]["slug"], &hop["to"]["slug"]),
        (
            &json!("biblioteka-krakow"),
            &json!("zaglebiowska-mediateka")
        )
    );
    assert_eq!(
        hop["via"],
        json!([{ "__typename": "Event", "slug": "mediateki-study-visit-silesia" }])
    );
    assert_eq!(by_slug, by_id, "slugs and IDs name the same organizations");
}

#[tokio::test]
async fn connection_paths_of_zero_two_and_no_hops() {
    let app = spawn_app().await;

    let same = app
        .query(
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "biblioteka-krakow" }),
        )
        .await;
    let two = app
        .query(
            PATH,
            json!({ "from": "ray-of-light-of-poltava-region", "to": "b-zone-fundraising-donors" }),
        )
        .await;
    let too_short = app.query(PATH, json!({ "from": "ray-of-light-of-poltava-region", "to": "b-zone-fundraising-donors", "maxHops": 1 })).await;
    let apart = app
        .query(
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "gbp-chmielnik", "maxHops": 6 }),
        )
        .await;

    assert_eq!(
        same["connectionPath"],
        json!({ "connected": true, "length": 0, "hops": [] })
    );
    let path = &two["connectionPath"];
    assert_eq!(
        (&path["connected"], &path["length"]),
        (&json!(true), &json!(2))
    );
    let steps: Vec<(String, String, Vec<String>)> = path["hops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["from"]["slug"].as_str().unwrap_or_default().to_owned(),
                h["to"]["slug"].as_str().unwrap_or_default().to_owned(),
                slugs(&h["via"]),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                "ray-of-light-of-poltava-region".to_owned(),
                "poltava-library-9".to_owned(),
                vec!["b-zone".to_owned()]
            ),
            (
                "poltava-library-9".to_owned(),
                "b-zone-fundraising-donors".to_owned(),
                vec!["b-zone-fundraising-campaign".to_owned()]
            ),
        ]
    );
    assert_eq!(
        path["hops"][0]["toId"], path["hops"][1]["fromId"],
        "hops chain"
    );
    assert_eq!(
        too_short["connectionPath"],
        json!({ "connected": false, "length": null, "hops": [] })
    );
    // Kraków and Chmielnik never shared anything, directly or through others.
    assert_eq!(
        apart["connectionPath"],
        json!({ "connected": false, "length": null, "hops": [] })
    );
}

#[tokio::test]
async fn connection_path_arguments_out_of_range_or_of_the_wrong_type_are_refused() {
    let app = spawn_app().await;
    let project = app
        .query(r#"{ project(slug: "b-zone") { id } }"#, Value::Null)
        .await["project"]["id"]
        .clone();

    for hops in [0, 7, -1] {
        assert_bad_user_input(
            &app,
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "gbp-chmielnik", "maxHops": hops }),
        )
        .await;
    }
    let body = assert_bad_user_input(
        &app,
        PATH,
        json!({ "from": project, "to": "gbp-chmielnik" }),
    )
    .await;
    assert_bad_user_input(
        &app,
        PATH,
        json!({ "from": "biblioteka-krakow", "to": "!!not an id" }),
    )
    .await;
    let (missing, _) = app
        .error_code(
            PATH,
            json!({ "from": "no-such-organization", "to": "gbp-chmielnik" }),
        )
        .await;

    assert_eq!(body["errors"][0]["extensions"]["field"], "from");
    assert_eq!(missing, "NOT_FOUND");
}

// ------------------------------------------------------------------------------------------------
// 5. search

const SEARCH: &str = "query($text: String!, $types: [SearchType!], $first: Int! = 20) { search(text: $text, types: $types, first: $first) {
    nodes { score record { __typename ... on Node { id } ... on Organization { slug name } ... on Place { slug name }
      ... on Project { slug name } ... on Event { slug name } ... on Programme { slug name } } } } }";

/// (type, slug) of every hit, in order.
fn hits(data: &Value) -> Vec<(String, String)> {
    data["search"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["record"]["__typename"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                h["record"]["slug"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn search_finds_balti_with_or_without_diacritics() {
    let app = spawn_app().await;

    let plain = app.query(SEARCH, json!({ "text": "balti" })).await;
    let typed = app.query(SEARCH, json!({ "text": "Bălți" })).await;
    let capitals = app.query(SEARCH, json!({ "text": "BĂLȚI" })).await;

    let found = hits(&plain);
    assert!(
        found.contains(&("Place".to_owned(), "balti".to_owned())),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "Library".to_owned(),
            "biblioteca-municipala-e-coseriu-balti".to_owned()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "PartnerOrganization".to_owned(),
            "primaria-municipiului-balti".to_owned()
        )),
        "{found:?}"
    );
    assert_eq!(typed, plain);
    assert_eq!(capitals, plain);
}

#[tokio::test]
async fn search_finds_names_typed_without_their_diacritics() {
    let app = spawn_app().await;

    let coseriu = app.query(SEARCH, json!({ "text": "coseriu" })).await;
    let zaglebiowska = app.query(SEARCH, json!({ "text": "zaglebiowska" })).await;
    let typed = app.query(SEARCH, json!({ "text": "Zagłębiowska" })).await;

    assert_eq!(
        hits(&coseriu)[0],
        (
            "Library".to_owned(),
            "biblioteca-municipala-e-coseriu-balti".to_owned()
        )
    );
    assert_eq!(
        coseriu["search"]["nodes"][0]["record"]["name"],
        "Biblioteca Municipală „E. Coșeriu”/Centrul de Excelență Profesională Bălți"
    );
    assert_eq!(
        hits(&zaglebiowska),
        [("Library".to_owned(), "zaglebiowska-mediateka".to_owned())]
    );
    assert_eq!(
        zaglebiowska["search"]["nodes"][0]["record"]["name"],
        "Zagłębiowska Mediateka w Sosnowcu"
    );
    assert_eq!(typed, zaglebiowska);
}

#[tokio::test]
async fn search_tokens_match_the_starts_of_words() {
    let app = spawn_app().await;

    let start = app.query(SEARCH, json!({ "text": "zagleb" })).await;
    let two_starts = app.query(SEARCH, json!({ "text": "Mediat Zagł" })).await;
    let inside = app.query(SEARCH, json!({ "text": "glebiowska" })).await;
    let filtered = app
        .query(
            "query($t: String) { organizations(filter: {text: $t}) { nodes { slug } } }",
            json!({ "t": "zagleb sosnow" }),
        )
        .await;

    let mediateka = ("Library".to_owned(), "zaglebiowska-mediateka".to_owned());
    let found = hits(&start);
    assert_eq!(found[0], mediateka, "{found:?}");
    assert!(
        found.contains(&("Place".to_owned(), "zaglebie-dabrowskie".to_owned())),
        "\"zagleb\" starts Zagłębie too: {found:?}"
    );
    assert_eq!(hits(&two_starts)[0], mediateka);
    assert_eq!(hits(&inside), [], "a token inside a word is not a match");
    assert_eq!(
        slugs(&filtered["organizations"]["nodes"]),
        ["zaglebiowska-mediateka"]
    );
}

#[tokio::test]
async fn search_types_restrict_the_hits() {
    let app = spawn_app().await;

    let libraries = app
        .query(
            SEARCH,
            json!({ "text": "library", "types": ["LIBRARY"], "first": 100 }),
        )
        .await;
    let balti = app
        .query(SEARCH, json!({ "text": "balti", "types": ["LIBRARY"] }))
        .await;
    let organizations = app
        .query(
            SEARCH,
            json!({ "text": "balti", "types": ["ORGANIZATION"] }),
        )
        .await;
    let places = app
        .query(SEARCH, json!({ "text": "balti", "types": ["PLACE"] }))
        .await;

    let found = hits(&libraries);
    assert!(!found.is_empty());
    assert!(found.iter().all(|(kind, _)| kind == "Library"), "{found:?}");
    assert!(found.contains(&("Library".to_owned(), "poltava-library-9".to_owned())));
    assert_eq!(
        hits(&balti),
        [(
            "Library".to_owned(),
            "biblioteca-municipala-e-coseriu-balti".to_owned()
        )]
    );
    assert_eq!(
        hits(&organizations).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            (
                "Library".to_owned(),
                "biblioteca-municipala-e-coseriu-balti".to_owned()
            ),
            (
                "PartnerOrganization".to_owned(),
                "primaria-municipiului-balti".to_owned()
            ),
        ])
    );
    assert_eq!(hits(&places), [("Place".to_owned(), "balti".to_owned())]);
}

#[tokio::test]
async fn search_puts_the_best_match_first() {
    let app = spawn_app().await;

    let balti = app.query(SEARCH, json!({ "text": "balti" })).await;
    let mediateka = app.query(SEARCH, json!({ "text": "mediateka" })).await;
    let one = app
        .query(SEARCH, json!({ "text": "balti", "first": 1 }))
        .await;

    for data in [&balti, &mediateka] {
        let scores: Vec<i64> = data["search"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| h["score"].as_i64().unwrap_or(-1))
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "best first: {scores:?}"
        );
    }
    // The place named exactly "Bălți" beats names containing the word, which beat the fair whose
    // description alone mentions Bălți.
    let found = hits(&balti);
    assert_eq!(found[0], ("Place".to_owned(), "balti".to_owned()));
    let rank = |slug: &str| {
        found
            .iter()
            .position(|(_, s)| s == slug)
            .unwrap_or_else(|| panic!("{slug} not found: {found:?}"))
    };
    assert!(
        rank("biblioteca-municipala-e-coseriu-balti") < rank("iarmarocul-comunitatii-balti-2017")
    );
    assert!(
        balti["search"]["nodes"][0]["score"].as_i64()
            > balti["search"]["nodes"][rank("biblioteca-municipala-e-coseriu-balti")]["score"]
                .as_i64()
    );
    // Both Mediatekas by name, before the study visit whose description names them.
    let found = hits(&mediateka);
    assert_eq!(
        found[..2]
            .iter()
            .map(|(_, s)| s.clone())
            .collect::<BTreeSet<_>>(),
        set(&["mbp-tychy-mediateka", "zaglebiowska-mediateka"])
    );
    assert!(found.contains(&(
        "Event".to_owned(),
        "mediateki-study-visit-silesia".to_owned()
    )));
    assert_eq!(hits(&one), [("Place".to_owned(), "balti".to_owned())]);
}

#[tokio::test]
async fn search_refuses_empty_text_and_page_sizes_out_of_range() {
    let app = spawn_app().await;

    for text in ["", "   ", "„!?” -", "%"] {
        assert_bad_user_input(&app, SEARCH, json!({ "text": text })).await;
    }
    for first in [101, -5] {
        assert_bad_user_input(&app, SEARCH, json!({ "text": "balti", "first": first })).await;
    }
    let nothing = app.query(SEARCH, json!({ "text": "xyzzyqq" })).await;
    assert_eq!(nothing["search"]["nodes"], json!([]));
}

// ------------------------------------------------------------------------------------------------
// 6. global IDs and errors

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

// ------------------------------------------------------------------------------------------------
// 7. statistics

#[tokio::test]
async fn organizations_by_country_agree_with_the_country_filter() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ statistics { organizationsByCountry { key count } }
                 pl: organizations(filter: {countries: ["PL"]}) { totalCount }
                 md: organizations(filter: {countries: ["MD"]}) { totalCount }
                 ua: organizations(filter: {countries: ["UA"]}) { totalCount }
                 all: organizations { totalCount } }"#,
            Value::Null,
        )
        .await;

    let counts: BTreeMap<String, i64> = data["statistics"]["organizationsByCountry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["key"].as_str().unwrap_or_default().to_owned(),
                c["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    for (country, alias) in [("PL", "pl"), ("MD", "md"), ("UA", "ua")] {
        assert_eq!(
            Some(&data[alias]["totalCount"].as_i64().unwrap_or(-2)),
            counts.get(country),
            "{country}"
        );
    }
    // Counted from the seeds: 19 Polish, 9 Moldovan, 3 Ukrainian organizations.
    assert_eq!(
        (counts.get("PL"), counts.get("MD"), counts.get("UA")),
        (Some(&19), Some(&9), Some(&3))
    );
    // Next Library and the United Nations have no place.
    assert_eq!(counts.get("unknown"), Some(&2));
    assert_eq!(
        counts.values().sum::<i64>(),
        data["all"]["totalCount"].as_i64().unwrap_or(-1)
    );
}

#[tokio::test]
async fn records_by_sdg_count_the_classifications_of_the_seeds() {
    let app = spawn_app().await;
    // Classifications under GOAL 4 in the seed files.
    let sdg4 = std::fs::read_dir(support::seed_data_dir())
        .expect("seed directory")
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .map(|text| text.matches("topic = \"sdg-4\"").count())
        .sum::<usize>() as i64;

    let data = app
        .query(r#"{ statistics { recordsBySdg { key label count } } topics(sdgOnly: true, first: 100) { totalCount nodes { code subjects { totalCount } } } }"#, Value::Null)
        .await;

    let by_goal: BTreeMap<String, (Value, i64)> = data["statistics"]["recordsBySdg"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["key"].as_str().unwrap_or_default().to_owned(),
                (c["label"].clone(), c["count"].as_i64().unwrap_or(-1)),
            )
        })
        .collect();
    assert!(sdg4 >= 1, "the seeds file «B-Zone» under GOAL 4");
    assert_eq!(by_goal.get("4"), Some(&(json!("Quality Education"), sdg4)));
    assert_eq!(data["topics"]["totalCount"], 17);
    for goal in data["topics"]["nodes"].as_array().into_iter().flatten() {
        let code = goal["code"].as_str().unwrap_or_default();
        assert_eq!(
            by_goal.get(code).map(|(_, count)| *count),
            goal["subjects"]["totalCount"].as_i64(),
            "SDG {code}"
        );
    }
}

#[tokio::test]
async fn activities_by_year_count_what_starts_in_each_year() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ statistics { activitiesByYear { key count } } }",
            Value::Null,
        )
        .await;

    let by_year: BTreeMap<String, i64> = data["statistics"]["activitiesByYear"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["key"].as_str().unwrap_or_default().to_owned(),
                c["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    // 2017: the Bălți fair and the campaign's second stage; 2020 and 2022: the Occupy Library
    // editions; 2021: NPRC 2.0, Maker Space BLISKO Biblioteki, the Radymno conference and the three
    // trainings (held by the post of 27 October 2021) and the Welcome to Moldova! Sharing Café
    // (recordings posted on 20 January 2021). Undated activities are left out.
    assert_eq!(
        by_year,
        BTreeMap::from([
            ("2017".to_owned(), 2),
            ("2020".to_owned(), 1),
            ("2021".to_owned(), 7),
            ("2022".to_owned(), 1)
        ])
    );
}

#[tokio::test]
async fn active_in_uses_the_activity_years_when_a_participation_has_none() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ organizations(filter: { activeIn: { from: 2017, to: 2017 } }, first: 100) { edges { node { slug } } } }",
            Value::Null,
        )
        .await;

    let slugs: Vec<&str> = data["organizations"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["slug"].as_str())
        .collect();
    assert!(
        slugs.contains(&"biblioteca-municipala-e-coseriu-balti"),
        "{slugs:?}"
    );
    assert!(
        !slugs.contains(&"gbp-chmielnik"),
        "Chmielnik's project is from 2021: {slugs:?}"
    );
}

#[tokio::test]
async fn collaboration_computed_from_too_many_memberships_is_refused_as_too_broad() {
    let app = support::app::spawn_app_with(libgraph::graphql::Limits {
        max_memberships: 20,
        ..libgraph::graphql::Limits::default()
    })
    .await;
    let collaborators = "query { organizations(first: 100) { nodes {
        collaborators(filter: {period: {from: 1900}}) { totalCount } } } }";

    let (whole, body) = app.error_code(NETWORK, json!({})).await;
    let moldova = app
        .post(NETWORK, json!({ "filter": { "countries": ["MD"] } }))
        .await;
    let (every, every_body) = app.error_code(collaborators, json!({})).await;
    let stored = app
        .post(
            "query { organizations(first: 100) { nodes { collaborators { totalCount } } } }",
            json!({}),
        )
        .await;

    assert_eq!(whole, "TOO_BROAD", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "filter");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("more than 20 activity memberships"),
        "{message}"
    );
    assert_eq!(body["data"], Value::Null);
    assert!(moldova.get("errors").is_none(), "{moldova:#}");
    assert!(
        !moldova["data"]["collaborationNetwork"]["nodes"]
            .as_array()
            .unwrap_or(&Vec::new())
            .is_empty()
    );
    assert_eq!(every, "TOO_BROAD", "{every_body:#}");
    // Stored ties read no memberships: the same page without a filter is answered.
    assert!(stored.get("errors").is_none(), "{stored:#}");
}

/// A response with its errors in a stable order (they are reported as fields finish).
fn sorted_errors(mut body: Value) -> Value {
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        errors.sort_by_key(|e| e.to_string());
    }
    body
}

/// Pages and the objects in them resolve through libgraph's lean executor, and through
/// async-graphql's own wherever a selection is not plain. A selection set that names
/// `__typename` twice is not plain, so the same query with `__typename` once and twice in every
/// selection set takes the two executors, and must get the same answer: data, errors and paths.
#[tokio::test]
async fn pages_answer_the_same_through_the_lean_executor_and_async_graphqls() {
    let app = spawn_app_on(TestDb::generated().await, Limits::default()).await;
    let nested = "query {
      libraries(first: 4) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { name slug ...Ids
          participations(first: 6) { totalCount edges { cursor node { role period { start { year } end { year } note }
            activity { ... on Project { name slug
              participations(first: 5) { nodes { role organization { name ... on Library { slug }
                ... on PartnerOrganization { kind }
                ... { participations(first: 3) { edges { node { activity { ... on Project { slug }
                  ... on Event { slug kind } ... on Programme { slug kind } } } } } } } } }
              fundings(first: 3) { edges { node { instrument amount { amount currency }
                funder { name } recipient { ... on Project { slug } } } } }
              outcomes(first: 3) { nodes { slug value unit } } }
            ... on Event { slug kind } ... on Programme { slug kind } } } } } } } }
    }
    fragment Ids on Organization { ... on Node { id } }";
    let searched = "query {
      search(text: \"bibl\", first: 10) { nodes { score record { ... on Library { name
          participations(first: 2) { nodes { role activity { ... on Project { slug } } } } }
        ... on PartnerOrganization { slug } ... on Project { slug } ... on Place { slug } } } }
      projects(first: 3) { edges { node { slug renamed: name
        participations(first: 4) { edges { node { organization { name } } } } } } }
      collaborationNetwork(filter: { countries: [\"MD\"] }, limit: 30) { totalNodes
        nodes { organization { name } degree weightedDegree betweenness }
        edges { sourceId targetId weight sharedCount source { slug } target { slug }
          shared(first: 2) { ... on Project { slug } ... on Event { slug } } } }
    }";
    // A bad cursor deep inside: the error must name the same path either way, and as every
    // field on the way up is non-null, the null reaches the root (`data: null`).
    let failing = "query {
      libraries(first: 2) { edges { node { slug
        participations(first: 2, after: \"not-a-cursor\") { edges { node { role } } }
        fundingsGiven(first: 2) { totalCount } } } }
    }";
    for query in [nested, searched, failing] {
        let lean = with_typename_in_every_selection(query, "__typename");
        let own = with_typename_in_every_selection(query, "__typename __typename");
        let lean = sorted_errors(app.post(&lean, json!({})).await);
        let own = sorted_errors(app.post(&own, json!({})).await);
        assert_eq!(
            lean["data"].is_null(),
            query == failing,
            "data for {query}: {lean:#}"
        );
        assert_eq!(lean, own, "answers differ for {query}");
    }
    let failed = app.post(failing, json!({})).await;
    assert_eq!(failed["data"], Value::Null, "{failed:#}");
    assert_eq!(
        failed["errors"][0]["path"],
        json!(["libraries", "edges", 0, "node", "participations"]),
        "{failed:#}"
    );
}

/// Rows are read by position, each statement's first row with its columns' types checked (the
/// declared types on PostgreSQL, so a NULL does not skip the check) and the rows after it
/// trusting them: a column of the wrong type is an error that names it, never a wrong value.
#[tokio::test]
async fn a_column_of_the_wrong_type_is_an_error_that_names_it() {
    use libgraph::store::row::{Cell, Decoder};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    let test = TestDb::empty().await;
    let backend = test.db.get_database_backend();
    let rows = test
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT CAST(1 AS BIGINT) AS alias_id, CAST(2 AS BIGINT) AS record_id, 'x' AS name, \
             CAST(NULL AS INTEGER) AS lang \
             UNION ALL SELECT 3, 4, 'y', NULL",
        ))
        .await
        .unwrap();
    let row = &rows[0];
    assert_eq!(i64::get(row, 0).unwrap(), 1);
    assert_eq!(i64::read(row, 0, true).unwrap(), Some(1));
    assert_eq!(String::get(row, 2).unwrap(), "x");
    let error = String::get(row, 0).unwrap_err().to_string();
    assert!(error.contains("column 0 (alias_id)"), "{error}");

    // `lang` is a text column of the model, selected here as an integer that is NULL.
    let mut decoder = Decoder::<entities::alias::Model>::default();
    let first = decoder.decode(row, 0);
    if backend == DbBackend::Postgres {
        let error = first.unwrap_err().to_string();
        assert!(error.contains("column 3 (lang)"), "{error}");
    } else {
        // SQLite types each value, and a NULL is a NULL whatever the column says.
        assert_eq!(first.unwrap().lang, None);
        let second = decoder.decode(&rows[1], 0).unwrap();
        assert_eq!((second.alias_id, second.name.as_str()), (3, "y"));
    }
}

/// A batch of child pages is put in order by the database where it orders text its own way,
/// and here where it compares text as bytes (SQLite, PostgreSQL's `C` and `C.UTF-8`): the same
/// pages either way, forward and backward, after a cursor, with keys ascending and descending.
#[tokio::test]
async fn pages_put_in_order_here_are_those_the_database_orders() {
    use entities::participation;
    use libgraph::graphql::object::{by_date, by_key};
    use libgraph::store::order::latest_first;
    use libgraph::store::page::{
        Cursor, Ordering, PageArgs, ParentColumn, SortValue, TextOrder, fetch_pages,
    };
    use sea_orm::sea_query::Condition;
    use sea_orm::{ConnectionTrait, Statement};

    let test = TestDb::generated().await;
    let db = &test.db;
    // The parents with the most participations and some with few, each way round.
    let parents = |column: &str| {
        let sql = format!(
            "SELECT {column} AS parent FROM participation GROUP BY {column} \
             ORDER BY COUNT(*) DESC, {column}"
        );
        async move {
            let all: Vec<i64> = db
                .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect("parents")
                .into_iter()
                .map(|row| row.try_get("", "parent").expect("parent"))
                .collect();
            let mut some: Vec<i64> = all
                .iter()
                .take(40)
                .chain(all.iter().rev().take(20))
                .copied()
                .collect();
            some.sort_unstable();
            some.dedup();
            some
        }
    };
    let by_organization = parents("organization_id").await;
    let by_target = parents("target_id").await;
    let date_cursor = Cursor(
        vec![
            SortValue::Int(2016),
            SortValue::Text("2016-05".into()),
            SortValue::Int(0),
        ]
        .into(),
    );
    let id_cursor = Cursor(vec![SortValue::Int(1_000)].into());
    let date_pages = [
        PageArgs::first(5),
        PageArgs::first(100),
        PageArgs::new(None, None, Some(4), None).expect("last 4"),
        PageArgs::new(Some(3), Some(date_cursor.encode()), None, None).expect("after"),
        PageArgs::new(None, None, Some(3), Some(date_cursor.encode())).expect("before"),
    ];
    let id_pages = [
        PageArgs::first(7),
        PageArgs::new(Some(2), Some(id_cursor.encode()), None, None).expect("after"),
        PageArgs::new(None, None, Some(2), None).expect("last 2"),
    ];
    let organization = ParentColumn::one(participation::Column::OrganizationId);
    let target = ParentColumn::one(participation::Column::TargetId);
    let cases: Vec<(ParentColumn, &Vec<i64>, &Ordering, &[PageArgs])> = vec![
        (
            organization,
            &by_organization,
            &by_date::PARTICIPATION,
            &date_pages,
        ),
        (
            organization,
            &by_organization,
            &latest_first::PARTICIPATION,
            &date_pages,
        ),
        (target, &by_target, &by_key::PARTICIPATION, &id_pages),
        (
            target,
            &by_target,
            &latest_first::PARTICIPATION,
            &date_pages,
        ),
    ];

    let mut longest = 0;
    for (column, parents, ordering, pages) in cases {
        for args in pages {
            let read = |text_order| async move {
                let pages = fetch_pages::<participation::Entity, _>(
                    db,
                    column,
                    parents,
                    Condition::all(),
                    ordering,
                    args,
                    text_order,
                )
                .await
                .expect("pages");
                pages
                    .into_iter()
                    .map(|(parent, page)| {
                        let rows: Vec<(i64, Cursor)> = page
                            .rows
                            .iter()
                            .map(|row| (row.model.participation_id, row.cursor.clone()))
                            .collect();
                        (parent, (rows, page.has_more))
                    })
                    .collect::<BTreeMap<_, _>>()
            };

            let here = read(TextOrder::Bytes).await;
            let by_database = read(TextOrder::Collated).await;

            assert_eq!(here, by_database, "{column:?} {ordering:?} {args:?}");
            longest = longest.max(here.values().map(|(rows, _)| rows.len()).max().unwrap_or(0));
        }
    }
    assert!(
        longest >= 20,
        "the pages are too short to test an order: {longest}"
    );
}

/// The test databases compare text as bytes (SQLite's default collation; the test cluster is
/// initialised with the `C.UTF-8` or `C` locale), so their pages are put in order in memory.
#[tokio::test]
async fn the_test_databases_order_text_as_bytes() {
    use libgraph::store::page::TextOrder;

    let test = TestDb::migrated().await;

    assert_eq!(TextOrder::of(&test.db).await, TextOrder::Bytes);
}
