//! Places get coordinates at load: stated by a document, or matched by name in the embedded
//! gazetteer (GeoNames) and cited to it; a place it cannot match stays null and says why
//! (`seeds::gazetteer`). Through the API, on the run's backend.

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::TestDb;
use support::app::spawn_app_on;

const PLACES: &str = r#"
query($countries: [String!]) {
  places(countries: $countries, first: 100) {
    nodes {
      slug kind latitude longitude geoMatch geoNote
      citations(first: 20) { nodes { quote basis reasoning source { slug title url } } }
    }
  }
}"#;

/// The places of the answer by slug.
fn by_slug(body: &Value) -> std::collections::BTreeMap<String, Value> {
    body["places"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("places: {body}"))
        .iter()
        .map(|p| (p["slug"].as_str().expect("slug").to_owned(), p.clone()))
        .collect()
}

fn gazetteer_citations(place: &Value) -> Vec<&Value> {
    place["citations"]["nodes"]
        .as_array()
        .expect("citations")
        .iter()
        .filter(|c| c["source"]["slug"] == "geonames-gazetteer")
        .collect()
}

#[tokio::test]
async fn seeded_towns_are_matched_and_cited_to_the_gazetteer() {
    let app = spawn_app_on(TestDb::seeded().await, Limits::default()).await;

    let places = by_slug(&app.query(PLACES, json!({})).await);

    for (slug, id, lat, lon) in [
        ("poltava", "696643", 49.58925, 34.55367),
        ("balti", "618605", 47.76291, 27.92854),
        ("krakow", "3094802", 50.06143, 19.93658),
        ("radymno", "760727", 49.9472, 22.82375),
    ] {
        let p = &places[slug];
        assert_eq!(p["geoMatch"], "MATCHED", "{slug}: {p}");
        assert_eq!(
            (p["latitude"].as_f64(), p["longitude"].as_f64()),
            (Some(lat), Some(lon))
        );
        let cited = gazetteer_citations(p);
        assert_eq!(cited.len(), 1, "{slug}: one gazetteer citation");
        assert_eq!(cited[0]["basis"], "INFERRED");
        assert!(
            cited[0]["quote"].as_str().unwrap().starts_with(id),
            "{slug}"
        );
        let reasoning = cited[0]["reasoning"].as_str().unwrap();
        assert!(reasoning.contains(&format!("GeoNames {id}")), "{reasoning}");
        assert_eq!(p["geoNote"].as_str(), Some(reasoning));
        assert!(
            cited[0]["source"]["title"]
                .as_str()
                .unwrap()
                .contains("GeoNames")
        );
    }
    // Two villages named Chmielnik in Poland and no region names in the gazetteer: not guessed.
    let chmielnik = &places["chmielnik"];
    assert_eq!(chmielnik["geoMatch"], "AMBIGUOUS");
    assert_eq!(chmielnik["latitude"], Value::Null);
    assert!(chmielnik["geoNote"].as_str().unwrap().contains("774505"));
    assert!(gazetteer_citations(chmielnik).is_empty());
    // Countries and regions are areas: no point, and no citation to the gazetteer.
    for slug in ["poland", "poltava-oblast"] {
        assert_eq!(places[slug]["geoMatch"], "NOT_A_SETTLEMENT", "{slug}");
        assert_eq!(places[slug]["latitude"], Value::Null);
    }
}

#[tokio::test]
async fn stated_coordinates_win_and_an_unknown_town_stays_null() {
    // Arrange: the curated seeds, then a document that states Poltava's coordinates (a slug of
    // its own: the curated Poltava keeps its match) and names a town no gazetteer has.
    let test = TestDb::seeded().await;
    let document = seeds::parse(
        "stated.toml",
        r#"
[source]
slug = "geo-test-source"
title = "A test document"
language = "en"

[[place]]
slug = "poltava-stated"
kind = "city"
name = "Poltava"
name_lang = "en"
country = "UA"
latitude = 49.5
longitude = 34.5
quote = "Poltava"

[[place]]
slug = "nowhere-town"
kind = "city"
name = "Nowhere-on-Vistula"
name_lang = "en"
country = "PL"
parent = "poland"
quote = "Nowhere-on-Vistula"
"#,
    )
    .expect("parses");
    seeds::load(&test.db, &[("stated.toml".to_owned(), document)])
        .await
        .expect("loads");
    let app = spawn_app_on(test, Limits::default()).await;

    // Act
    let places = by_slug(
        &app.query(PLACES, json!({ "countries": ["UA", "PL"] }))
            .await,
    );

    // Assert
    let stated = &places["poltava-stated"];
    assert_eq!(stated["geoMatch"], "STATED");
    assert_eq!(
        (stated["latitude"].as_f64(), stated["longitude"].as_f64()),
        (Some(49.5), Some(34.5))
    );
    assert_eq!(stated["geoNote"], Value::Null);
    assert!(gazetteer_citations(stated).is_empty());
    // The note names what was looked for, and where.
    let nowhere = &places["nowhere-town"];
    assert_eq!(nowhere["geoMatch"], "NOT_FOUND");
    assert_eq!(nowhere["latitude"], Value::Null);
    let note = nowhere["geoNote"].as_str().unwrap();
    assert!(
        note.contains("'Nowhere-on-Vistula'") && note.contains("PL"),
        "{note}"
    );
    assert_eq!(places["poltava"]["geoMatch"], "MATCHED");
}

#[tokio::test]
async fn a_second_load_keeps_one_gazetteer_citation_per_match() {
    let test = TestDb::seeded().await;
    let documents = seeds::curated().expect("curated");
    seeds::load(&test.db, &documents).await.expect("reload");
    let app = spawn_app_on(test, Limits::default()).await;

    let places = by_slug(&app.query(PLACES, json!({ "countries": ["UA"] })).await);

    assert_eq!(gazetteer_citations(&places["poltava"]).len(), 1);
}

#[tokio::test]
async fn the_json_ld_export_places_matched_towns_and_cites_the_gazetteer() {
    let app = spawn_app_on(TestDb::seeded().await, Limits::default()).await;

    let text = app
        .client
        .get(app.url("/export/graph.jsonld"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");

    let document: Value = serde_json::from_str(&text).expect("JSON");
    let graph = document["@graph"].as_array().expect("@graph");
    let gazetteer = graph
        .iter()
        .find(|n| n["@type"] == "CreativeWork" && n["identifier"] == "geonames-gazetteer")
        .expect("the gazetteer is a source of the export");
    let place = |slug: &str| {
        graph
            .iter()
            .find(|n| n["@type"] == "Place" && n["identifier"] == slug)
            .unwrap_or_else(|| panic!("{slug} is exported"))
    };
    let krakow = place("krakow");
    assert_eq!(krakow["geo"]["@type"], "GeoCoordinates");
    assert_eq!(
        (
            krakow["geo"]["latitude"].as_f64(),
            krakow["geo"]["longitude"].as_f64()
        ),
        (Some(50.06143), Some(19.93658))
    );
    // Its citations follow as a node of the same @id; one of them is the gazetteer's.
    let cited_to_gazetteer = graph.iter().any(|n| {
        n["@id"] == krakow["@id"]
            && n["citation"]["isBasedOn"]["@id"] == gazetteer["@id"]
            && n["citation"]["basis"] == "inferred"
    });
    assert!(
        cited_to_gazetteer,
        "Kraków's coordinates cite the gazetteer"
    );
    // Not guessed, not exported.
    assert_eq!(place("chmielnik")["geo"], Value::Null);
    assert_eq!(place("poland")["geo"], Value::Null);
}
