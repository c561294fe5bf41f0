//! The collaboration ties a story moves are recomputed pair by pair (`seeds::ties::rebuild_among`),
//! not by rebuilding every tie of every member: the table after a story equals a whole rebuild's,
//! weight to the bit.

use entities::{collaboration, organization};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, QuerySelect};
use support::TestDb;

async fn ties(db: &DatabaseConnection) -> Vec<String> {
    let mut ties: Vec<String> = collaboration::Entity::find()
        .all(db)
        .await
        .expect("ties")
        .into_iter()
        .map(|t| format!("{t:?}"))
        .collect();
    ties.sort();
    ties
}

/// Adds the busiest curated library (Chmielnik's, in six activities) to the B-Zone project in
/// Poltava, dates its part in the maker space, and starts a project of three organizations that
/// already share others.
const STORY: &str = r#"
[source]
slug = "ties-story"
title = "A story that moves ties"
language = "en"
published = "2025"

[[project]]
slug = "ties-story-exchange"
name = "A library exchange"
name_lang = "en"
start = "2024"
end = "2025"
quote = "a library exchange"

[[participation]]
organization = "gbp-chmielnik"
in = "b-zone"
role = "partner"
quote = "Chmielnik joined B-Zone"

[[participation]]
organization = "gbp-chmielnik"
in = "maker-space-blisko-biblioteki"
role = "lead"
start = "2019"
end = "2023"
quote = "Chmielnik led the maker space"

[[participation]]
organization = "gbp-chmielnik"
in = "ties-story-exchange"
role = "lead"
quote = "Chmielnik led the exchange"

[[participation]]
organization = "poltava-library-9"
in = "ties-story-exchange"
role = "partner"
quote = "Poltava took part"

[[participation]]
organization = "osp-chmielnik"
in = "ties-story-exchange"
role = "partner"
quote = "the fire brigade took part"
"#;

#[tokio::test]
async fn a_story_moves_only_its_pairs_and_leaves_the_ties_a_whole_rebuild_would() {
    let test = TestDb::seeded().await;
    let before = ties(&test.db).await;
    let story = seeds::parse("story", STORY).expect("the story parses");
    let written = seeds::load(&test.db, &[("story".to_owned(), story)])
        .await
        .expect("the story loads");
    assert!(written.ties > 0, "{written:?}");
    let after = ties(&test.db).await;
    assert_ne!(after, before, "the story moved ties");

    let everyone: Vec<i64> = organization::Entity::find()
        .select_only()
        .column(organization::Column::OrganizationId)
        .order_by_asc(organization::Column::OrganizationId)
        .into_tuple()
        .all(&test.db)
        .await
        .expect("organizations");
    seeds::ties::rebuild(&test.db, &everyone)
        .await
        .expect("a whole rebuild");
    assert_eq!(
        ties(&test.db).await,
        after,
        "a whole rebuild gives the same ties"
    );
}
