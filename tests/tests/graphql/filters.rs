//! Filters of the root lists: country, kind, programme (with its sub-programmes), funder, year,
//! text, topic and role.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::app::spawn_app;

use super::{set, slug_set, slugs};

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
