//! Every relation walked from both ends: a library to its projects and back, funders and programme
//! trees, outcomes, places, people and positions, event parts, organization relations, topics,
//! target groups, citations and sources.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use support::app::spawn_app;

use super::{seed_file, set, slug_set, slugs, strings};

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
    // Six documents, and the gazetteer the load matched the towns against (no publisher).
    assert_eq!(data["sources"]["totalCount"], 7);
    assert_eq!(
        publishers,
        BTreeMap::from([
            (
                "balti-iarmarocul-comunitatii-2017".to_owned(),
                json!("primaria-municipiului-balti")
            ),
            ("geonames-gazetteer".to_owned(), Value::Null),
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
