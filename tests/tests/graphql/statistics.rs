//! Statistics: counts by country, SDG and year, consistent with the lists and filters.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use support::app::spawn_app;

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
