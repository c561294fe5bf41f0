//! The core graph: migrations, the curated seeds and the loader's guarantees.

use std::collections::BTreeMap;

use entities::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Statement,
};
use support::{TestDb, seed_data_dir, seed_documents_dir};

/// Row counts of every table: what "nothing changed" is compared on.
async fn counts(db: &DatabaseConnection) -> Vec<(&'static str, u64)> {
    libgraph::store::summary(db).await.expect("summary")
}

/// The full content of the citation table, ordered, without ids.
async fn citation_dump(db: &DatabaseConnection) -> Vec<(i64, i64, String, String, Option<String>)> {
    let mut rows: Vec<_> = citation::Entity::find()
        .all(db)
        .await
        .expect("citations")
        .into_iter()
        .map(|c| {
            (
                c.record_id,
                c.source_id,
                c.quote,
                c.basis.to_string(),
                c.reasoning,
            )
        })
        .collect();
    rows.sort();
    rows
}

async fn organization(db: &DatabaseConnection, slug: &str) -> organization::Model {
    organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("organization {slug} is missing"))
}

async fn record_id(db: &DatabaseConnection, key: &str) -> i64 {
    record::Entity::find()
        .filter(record::Column::Key.eq(key))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("record {key} is missing"))
        .record_id
}

/// Copies the curated seed files to a temporary directory, applying `edit` to one of them.
/// A copy of the curated seeds laid out as in the repository (`data/*.toml` beside
/// `documents/*.txt`, which the seed files name relative to themselves).
struct SeedCopy {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
}

impl SeedCopy {
    /// The directory of the seed files: what `seed --dir` is given.
    fn path(&self) -> &std::path::Path {
        &self.data
    }
}

fn seed_copy(file: &str, edit: impl FnOnce(String) -> String) -> SeedCopy {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = SeedCopy {
        data: root.path().join("data"),
        _dir: root,
    };
    std::fs::create_dir(&dir.data).expect("data dir");
    let documents = dir.data.join("../documents");
    std::fs::create_dir(&documents).expect("documents dir");
    for entry in std::fs::read_dir(seed_documents_dir()).expect("seeds/documents") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, documents.join(path.file_name().expect("name"))).expect("copy");
    }
    let mut edit = Some(edit);
    for entry in std::fs::read_dir(seed_data_dir()).expect("seeds/data") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("read seed");
        let text = match (name == file, edit.take()) {
            (true, Some(edit)) => {
                let edited = edit(text.clone());
                assert_ne!(
                    edited, text,
                    "the edit of {file} changed nothing: the test would prove nothing"
                );
                edited
            }
            (_, unused) => {
                edit = edit.or(unused);
                text
            }
        };
        std::fs::write(dir.data.join(&name), text).expect("write copy");
    }
    dir
}

async fn load_dir(
    db: &DatabaseConnection,
    dir: &std::path::Path,
) -> Result<seeds::LoadReport, String> {
    let documents =
        seeds::read_dir(dir).map_err(|p| format!("{}", seeds::LoadError::Invalid(p)))?;
    seeds::load(db, &documents).await.map_err(|e| e.to_string())
}

#[tokio::test]
async fn migrations_apply_to_a_fresh_database_and_twice_is_a_no_op() {
    let test = TestDb::empty().await;

    let applied = libgraph::store::migrate(&test.db).await.expect("first run");
    let again = libgraph::store::migrate(&test.db)
        .await
        .expect("second run");

    assert_eq!(applied, Migrator::migrations().len());
    assert_eq!(again, 0);
    assert!(
        Migrator::get_pending_migrations(&test.db)
            .await
            .expect("pending")
            .is_empty()
    );
    assert_eq!(
        organization::Entity::find()
            .count(&test.db)
            .await
            .expect("count"),
        0
    );
}

/// Rows of the search index tables: (search_term, search_word).
async fn search_index_counts(db: &DatabaseConnection) -> (i64, i64) {
    let count = |table: &str| {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        async move {
            db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect("count")
                .expect("a row")
                .try_get::<i64>("", "n")
                .expect("n")
        }
    };
    (count("search_term").await, count("search_word").await)
}

#[tokio::test]
async fn the_word_index_migration_fills_the_index_from_texts_loaded_before_it() {
    let test = TestDb::empty().await;
    let db = &test.db;
    let backend = db.get_database_backend();
    Migrator::up(db, Some(1))
        .await
        .expect("the first migration");
    // What a load before the word index left: texts only, one of them twice.
    for sql in [
        "INSERT INTO record (record_id, kind, key) VALUES (7, 'organization', 'biblioteka-olszowka')",
        "INSERT INTO search_term (record_id, kind, weight, text) VALUES (7, 'organization', 3, 'biblioteka publiczna w olszowce')",
        "INSERT INTO search_term (record_id, kind, weight, text) VALUES (7, 'organization', 3, 'biblioteka publiczna w olszowce')",
        "INSERT INTO search_term (record_id, kind, weight, text) VALUES (7, 'organization', 1, 'library in olszowka')",
    ] {
        db.execute_raw(Statement::from_string(backend, sql))
            .await
            .expect(sql);
    }

    Migrator::up(db, None)
        .await
        .expect("the word index migration");

    let words: Vec<String> = search_word::Entity::find()
        .filter(search_word::Column::RecordId.eq(7))
        .order_by_asc(search_word::Column::Word)
        .all(db)
        .await
        .expect("words")
        .into_iter()
        .map(|w| w.word)
        .collect();
    assert_eq!(
        words,
        [
            "biblioteka",
            "in",
            "library",
            "olszowce",
            "olszowka",
            "publiczna",
            "w"
        ]
    );
    assert_eq!(
        search_index_counts(db).await,
        (2, 7),
        "the repeated text is gone"
    );
}

/// The stored collaboration ties, ordered by organization and partner.
async fn stored_ties(db: &DatabaseConnection) -> Vec<graph::Tie> {
    let mut ties: Vec<graph::Tie> = collaboration::Entity::find()
        .all(db)
        .await
        .expect("ties")
        .into_iter()
        .map(|t| {
            assert_eq!(t.sort_key, seeds::ties::sort_key(t.weight), "{t:?}");
            graph::Tie {
                organization: t.organization_id,
                partner: t.partner_id,
                shared_count: t.shared_count as usize,
                weight: t.weight,
                first_year: t.first_year,
                last_year: t.last_year,
            }
        })
        .collect();
    ties.sort_by_key(|t| (t.organization, t.partner));
    ties
}

/// Asserts that the stored ties are exactly (weights to the bit) the ties of every organization
/// computed afresh from all memberships; returns how many there are.
async fn assert_ties_are_current(db: &DatabaseConnection) -> usize {
    let mut memberships = Vec::new();
    for row in db
        .query_all(&seeds::ties::memberships_select())
        .await
        .expect("memberships")
    {
        memberships.extend(seeds::ties::membership(&row).expect("membership"));
    }
    let expected = graph::ties(&memberships, |_| true);
    let stored = stored_ties(db).await;
    assert_eq!(
        stored, expected,
        "stored ties differ from the participations"
    );
    stored.len()
}

#[tokio::test]
async fn the_loader_keeps_every_organizations_ties_current() {
    let test = TestDb::seeded().await;
    let ties = assert_ties_are_current(&test.db).await;
    assert!(ties > 50, "{ties} ties: too few to prove anything");
    let donors = organization(&test.db, "b-zone-fundraising-donors").await;
    let ray = organization(&test.db, "ray-of-light-of-poltava-region").await;
    let partners_of = |of: i64| {
        let db = &test.db;
        async move {
            collaboration::Entity::find()
                .filter(collaboration::Column::OrganizationId.eq(of))
                .all(db)
                .await
                .expect("ties")
                .into_iter()
                .map(|t| (t.partner_id, t.shared_count))
                .collect::<BTreeMap<_, _>>()
        }
    };
    assert!(
        !partners_of(ray.organization_id)
            .await
            .contains_key(&donors.organization_id)
    );

    // A reload that adds a participation: the charity joins the fundraiser, so its ties, the
    // donors' and the library's all change.
    let dir = seed_copy("occupy-library-b-zone.toml", |t| {
        t.replacen(
            "[[participation]]\norganization = \"b-zone-fundraising-donors\"",
            "[[participation]]\norganization = \"ray-of-light-of-poltava-region\"\nin = \"b-zone-fundraising-campaign\"\nrole = \"participant\"\nquote = \"many people from all over Ukraine joined the fundraising\"\n\n[[participation]]\norganization = \"b-zone-fundraising-donors\"",
            1,
        )
    });
    let report = load_dir(&test.db, dir.path())
        .await
        .expect("load edited copy");

    assert!(report.ties > 0, "{report:?}");
    assert_eq!(
        partners_of(ray.organization_id)
            .await
            .get(&donors.organization_id),
        Some(&1)
    );
    assert_eq!(
        partners_of(donors.organization_id)
            .await
            .get(&ray.organization_id),
        Some(&1)
    );
    assert_eq!(assert_ties_are_current(&test.db).await, ties + 2);
}

#[tokio::test]
async fn ties_lost_or_never_computed_are_filled_on_migrate() {
    let test = TestDb::seeded().await;
    let before = stored_ties(&test.db).await;
    assert!(!before.is_empty());
    // What a database loaded before the `collaboration` table existed holds: no ties at all.
    collaboration::Entity::delete_many()
        .exec(&test.db)
        .await
        .expect("delete ties");

    let applied = libgraph::store::migrate(&test.db).await.expect("migrate");

    assert_eq!(applied, 0, "no migration was pending");
    assert_eq!(stored_ties(&test.db).await, before);
    assert_eq!(assert_ties_are_current(&test.db).await, before.len());
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let test = TestDb::migrated().await;
    let backend = test.db.get_database_backend();

    let orphan = test
        .db
        .execute_raw(Statement::from_string(
            backend,
            "INSERT INTO organization (organization_id, slug, kind, name, name_lang) VALUES (424242, 'orphan', 'ngo', 'Orphan', 'en')",
        ))
        .await;

    assert!(
        orphan.is_err(),
        "an organization without its record row must be rejected"
    );
}

#[tokio::test]
async fn the_curated_seeds_load_and_loading_twice_changes_nothing() {
    let test = TestDb::migrated().await;
    let documents = seeds::curated().expect("parse");

    let first = seeds::load(&test.db, &documents).await.expect("first load");
    let counts_after_first = counts(&test.db).await;
    let citations_after_first = citation_dump(&test.db).await;
    let index_after_first = search_index_counts(&test.db).await;
    let second = seeds::load(&test.db, &documents)
        .await
        .expect("second load");

    assert_eq!(first.created, first.records.values().sum::<usize>());
    assert_eq!(second.created, 0, "the second load must create nothing");
    assert_eq!(counts(&test.db).await, counts_after_first);
    assert_eq!(citation_dump(&test.db).await, citations_after_first);
    assert_eq!(
        search_index_counts(&test.db).await,
        index_after_first,
        "search texts and words are replaced, not appended"
    );
    let by_name: BTreeMap<_, _> = counts_after_first.into_iter().collect();
    // The six curated documents and the gazetteer their towns' coordinates are cited to.
    assert_eq!(by_name["sources"], 7);
    assert!(by_name["organizations"] >= 30, "{by_name:?}");
    assert!(by_name["participations"] >= 60, "{by_name:?}");
}

#[tokio::test]
async fn every_entity_and_relation_cites_a_source_with_a_quote() {
    let test = TestDb::seeded().await;
    let records = record::Entity::find().all(&test.db).await.expect("records");
    let citations = citation::Entity::find()
        .all(&test.db)
        .await
        .expect("citations");

    let uncited: Vec<&str> = records
        .iter()
        .filter(|r| !citations.iter().any(|c| c.record_id == r.record_id))
        .map(|r| r.key.as_str())
        .collect();

    assert!(!records.is_empty());
    assert!(
        uncited.is_empty(),
        "records without a citation: {uncited:?}"
    );
    for c in &citations {
        assert!(
            !c.quote.trim().is_empty(),
            "empty quote on record {}",
            c.record_id
        );
        if c.basis == CitationBasis::Inferred {
            assert!(
                c.reasoning.as_deref().is_some_and(|r| !r.trim().is_empty()),
                "inferred citation without reasoning"
            );
        }
    }
}

#[tokio::test]
async fn every_quote_stands_verbatim_in_its_document() {
    let test = TestDb::seeded().await;
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let sources = source::Entity::find().all(&test.db).await.expect("sources");
    let citations = citation::Entity::find()
        .all(&test.db)
        .await
        .expect("citations");
    let mut checked = 0;
    let mut aliases_checked = 0;

    for source in sources.iter().filter(|s| s.document.is_some()) {
        // The shipped copy, found the way `seed --dir` finds it: relative to the seed file.
        let file = seed_data_dir().join(source.document.as_deref().unwrap_or_default());
        assert!(
            file.starts_with(seed_data_dir())
                && file.canonicalize().is_ok_and(|f| f.starts_with(
                    seed_documents_dir()
                        .canonicalize()
                        .expect("seeds/documents")
                )),
            "{}: the stored copy {} is not one of the repository's documents",
            source.slug,
            file.display()
        );
        let shipped =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let stored = source_text::Entity::find_by_id(source.source_id)
            .one(&test.db)
            .await
            .expect("query")
            .map(|t| t.text);
        assert_eq!(
            stored.as_deref(),
            Some(shipped.as_str()),
            "{}: the database serves the shipped copy",
            source.slug
        );
        let text = squash(&shipped);
        for c in citations.iter().filter(|c| c.source_id == source.source_id) {
            assert!(
                text.contains(&squash(&c.quote)),
                "{}: quote not in the document: {:?}",
                source.slug,
                c.quote
            );
            checked += 1;
            aliases_checked += usize::from(c.alias_id.is_some());
        }
    }

    assert!(checked > 300, "only {checked} quotes checked");
    assert!(
        aliases_checked > 20,
        "only {aliases_checked} quotes of aliases checked"
    );
}

#[tokio::test]
async fn every_alias_of_the_curated_seeds_is_cited_stated_with_its_quote_or_inferred_with_reasoning()
 {
    let test = TestDb::seeded().await;
    let aliases = alias::Entity::find().all(&test.db).await.expect("aliases");
    let citations = citation::Entity::find()
        .all(&test.db)
        .await
        .expect("citations");
    let declared: usize = std::fs::read_dir(seed_data_dir())
        .expect("seeds/data")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("read"))
        .map(|t| t.matches("{ name = ").count())
        .sum();
    assert_eq!(
        aliases.len(),
        declared,
        "every alias of the seed files is loaded"
    );
    let (mut stated, mut inferred) = (0, 0);

    for alias in &aliases {
        let own: Vec<&citation::Model> = citations
            .iter()
            .filter(|c| c.alias_id == Some(alias.alias_id))
            .collect();
        assert!(!own.is_empty(), "alias {:?} has no citation", alias.name);
        for c in own {
            assert_eq!(c.record_id, alias.record_id, "{:?}", alias.name);
            assert!(!c.quote.trim().is_empty(), "{:?}", alias.name);
            match c.basis {
                CitationBasis::Stated => {
                    assert!(c.reasoning.is_none(), "{:?}", alias.name);
                    stated += 1;
                }
                CitationBasis::Inferred => {
                    assert!(
                        c.reasoning.as_deref().is_some_and(|r| r.len() > 30),
                        "alias {:?} is inferred without its reasoning",
                        alias.name
                    );
                    inferred += 1;
                }
            }
        }
    }
    // Both kinds occur: "PLACH" is on the page, "FRSI" on none.
    assert!(
        stated > 5 && inferred > 5,
        "{stated} stated, {inferred} inferred"
    );
    let frsi = aliases.iter().find(|a| a.name == "FRSI").expect("FRSI");
    assert!(
        citations
            .iter()
            .any(|c| c.alias_id == Some(frsi.alias_id) && c.basis == CitationBasis::Inferred)
    );
}

#[tokio::test]
async fn broken_seed_files_are_reported_precisely_and_change_nothing() {
    let test = TestDb::seeded().await;
    let before = counts(&test.db).await;
    let citations_before = citation_dump(&test.db).await;
    let file = "occupy-library-b-zone.toml";
    type Edit = Box<dyn FnOnce(String) -> String>;
    let cases: Vec<(&str, Edit, Vec<&str>)> = vec![
        (
            "unknown slug",
            Box::new(|t| t.replacen("of = \"b-zone\"", "of = \"b-zonee\"", 1)),
            vec![file, "outcome", "field `of`", "unknown slug \"b-zonee\""],
        ),
        (
            "duplicate slug",
            Box::new(|t| {
                t.replacen(
                    "slug = \"poltava-library-9\"",
                    "slug = \"gbp-chmielnik\"",
                    1,
                )
            }),
            vec![
                file,
                "field `slug`",
                "duplicate slug \"gbp-chmielnik\"",
                "chmielnik-maker-space-blisko-start.toml",
            ],
        ),
        (
            "bad date",
            Box::new(|t| {
                t.replacen(
                    "published = \"2021-03-24\"",
                    "published = \"2021-02-30\"",
                    1,
                )
            }),
            vec![
                file,
                "source \"occupy-library-b-zone\"",
                "field `published`",
                "2021-02-30",
            ],
        ),
        (
            "unknown role",
            Box::new(|t| t.replacen("role = \"lead\"", "role = \"boss\"", 1)),
            vec![
                file,
                "participation #",
                "field `role`",
                "unknown value \"boss\"",
                "\"lead\"",
            ],
        ),
        (
            "unknown kind",
            Box::new(|t| t.replacen("kind = \"library\"", "kind = \"bookshop\"", 1)),
            vec![
                file,
                "organization \"poltava-library-9\"",
                "field `kind`",
                "unknown value \"bookshop\"",
            ],
        ),
        (
            "unknown field",
            Box::new(|t| {
                t.replacen(
                    "[[organization]]\n",
                    "[[organization]]\nfounded = 1990\n",
                    1,
                )
            }),
            vec![file, "line ", "unknown field `founded`"],
        ),
        (
            "reference of the wrong type",
            Box::new(|t| t.replacen("of = \"b-zone\"", "of = \"poltava\"", 1)),
            vec![file, "field `of`", "\"poltava\" is a place"],
        ),
        (
            "missing quote",
            Box::new(|t| {
                t.replacen("quote = \"Occupy Library – a formative/funky/fab conference in partnership with Next Library\"\ninferred", "inferred", 1)
            }),
            vec![
                file,
                "organization \"next-library\"",
                "field `quote`",
                "at least one quote",
            ],
        ),
        (
            "alias without provenance",
            Box::new(|t| {
                t.replacen(
                    "{ name = \"PLACH\", lang = \"en\", quote = \"PLACH – Public Libraries as Hubs for Active Citizenship\" }",
                    "{ name = \"PLACH\", lang = \"en\" }",
                    1,
                )
            }),
            vec![
                file,
                "project \"plach\"",
                "field `aliases[0].quote`",
                "alias \"PLACH\" needs a quote",
            ],
        ),
        (
            "stored copy missing",
            Box::new(|t| {
                t.replacen(
                    "document = \"../documents/occupy-library-b-zone.txt\"",
                    "document = \"../documents/elsewhere.txt\"",
                    1,
                )
            }),
            vec![
                file,
                "source \"occupy-library-b-zone\"",
                "field `document`",
                "\"../documents/elsewhere.txt\" was not found",
            ],
        ),
        (
            "TOML syntax",
            Box::new(|t| format!("{t}\n[[place]\n")),
            vec![file, "line "],
        ),
    ];

    for (what, edit, expected) in cases {
        let dir = seed_copy(file, edit);
        let error = load_dir(&test.db, dir.path()).await.expect_err(what);
        for fragment in expected {
            assert!(
                error.contains(fragment),
                "{what}: {fragment:?} missing from:\n{error}"
            );
        }
        assert_eq!(counts(&test.db).await, before, "{what}: row counts changed");
        assert_eq!(
            citation_dump(&test.db).await,
            citations_before,
            "{what}: citations changed"
        );
    }
}

#[tokio::test]
async fn an_edited_file_updates_records_in_place() {
    let test = TestDb::seeded().await;
    let before = counts(&test.db).await;
    let id_before = organization(&test.db, "poltava-library-9")
        .await
        .organization_id;
    let dir = seed_copy("occupy-library-b-zone.toml", |t| {
        t.replacen(
            "name_en = \"Poltava library #9\"",
            "name_en = \"Poltava Public Library No. 9\"",
            1,
        )
    });

    let report = load_dir(&test.db, dir.path())
        .await
        .expect("load edited copy");

    let after = organization(&test.db, "poltava-library-9").await;
    assert_eq!(report.created, 0);
    assert_eq!(after.organization_id, id_before);
    assert_eq!(
        after.name_en.as_deref(),
        Some("Poltava Public Library No. 9")
    );
    assert_eq!(counts(&test.db).await, before);
}

#[tokio::test]
async fn document_000_b_zone_in_poltava() {
    let test = TestDb::seeded().await;
    let db = &test.db;
    let library = organization(db, "poltava-library-9").await;
    let b_zone = project::Entity::find()
        .filter(project::Column::Slug.eq("b-zone"))
        .one(db)
        .await
        .expect("q")
        .expect("b-zone");
    let reach = outcome::Entity::find()
        .filter(outcome::Column::Slug.eq("b-zone-online-reach"))
        .one(db)
        .await
        .expect("q")
        .expect("outcome");
    let crowd = funding::Entity::find()
        .filter(funding::Column::RecipientId.eq(b_zone.project_id))
        .all(db)
        .await
        .expect("q");
    let place = place::Entity::find_by_id(library.place_id.expect("library place"))
        .one(db)
        .await
        .expect("q")
        .expect("place");
    let topics: Vec<i64> = classification::Entity::find()
        .filter(classification::Column::SubjectId.eq(b_zone.project_id))
        .all(db)
        .await
        .expect("q")
        .into_iter()
        .map(|c| c.topic_id)
        .collect();

    assert_eq!(library.kind, OrganizationKind::Library);
    assert_eq!(place.country_code.as_deref(), Some("UA"));
    assert_eq!(reach.subject_id, b_zone.project_id);
    assert_eq!(reach.value, Some(500.0));
    assert_eq!(reach.value_qualifier, Some(ValueQualifier::MoreThan));
    assert!(
        crowd
            .iter()
            .any(|f| f.instrument == Some(FundingInstrument::Crowdfunding))
    );
    assert!(
        topics.contains(&record_id(db, "sdg-4").await)
            && topics.contains(&record_id(db, "sdg-5").await)
    );
    let lead = participation::Entity::find()
        .filter(participation::Column::OrganizationId.eq(library.organization_id))
        .filter(participation::Column::TargetId.eq(b_zone.project_id))
        .one(db)
        .await
        .expect("q");
    assert!(lead.is_some(), "Poltava library #9 takes part in B-Zone");
}

#[tokio::test]
async fn document_001_maker_space_blisko_in_chmielnik() {
    let test = TestDb::seeded().await;
    let db = &test.db;
    let project = record_id(db, "maker-space-blisko-biblioteki").await;
    let ministry = organization(db, "ministry-of-culture-2021").await;
    let blisko = programme::Entity::find_by_id(record_id(db, "blisko").await)
        .one(db)
        .await
        .expect("q")
        .expect("4.1");
    let priority = programme::Entity::find_by_id(blisko.parent_id.expect("4.1 has a parent"))
        .one(db)
        .await
        .expect("q")
        .expect("4");
    let funding = funding::Entity::find()
        .filter(funding::Column::RecipientId.eq(project))
        .one(db)
        .await
        .expect("q")
        .expect("funding");
    let conference = event::Entity::find_by_id(record_id(db, "razem-mozemy-wiecej-radymno").await)
        .one(db)
        .await
        .expect("q")
        .expect("event");
    let participants = participation::Entity::find()
        .filter(participation::Column::TargetId.eq(conference.event_id))
        .count(db)
        .await
        .expect("q");

    assert_eq!(
        ministry.name,
        "Ministerstwo Kultury, Dziedzictwa Narodowego i Sportu"
    );
    assert_eq!(blisko.code.as_deref(), Some("4.1"));
    assert_eq!(priority.code.as_deref(), Some("4"));
    assert_eq!(priority.parent_id, Some(record_id(db, "nprc-2-0").await));
    assert_eq!(funding.funder_id, ministry.organization_id);
    assert_eq!(funding.programme_id, Some(blisko.programme_id));
    assert_eq!(conference.kind, EventKind::Conference);
    assert!(
        participants >= 6,
        "the conference had the library and its partners: {participants}"
    );
    let osp = organization(db, "osp-chmielnik").await;
    let osp_in_project = participation::Entity::find()
        .filter(participation::Column::OrganizationId.eq(osp.organization_id))
        .filter(participation::Column::TargetId.eq(project))
        .count(db)
        .await
        .expect("q");
    assert_eq!(
        osp_in_project, 1,
        "the fire brigade is a partner of the maker space"
    );
}

#[tokio::test]
async fn document_002_community_fair_in_balti() {
    let test = TestDb::seeded().await;
    let db = &test.db;
    let library = organization(db, "biblioteca-municipala-e-coseriu-balti").await;
    let fair = event::Entity::find_by_id(record_id(db, "iarmarocul-comunitatii-balti-2017").await)
        .one(db)
        .await
        .expect("q")
        .expect("fair");
    let campaign = record_id(db, "ne-vedem-la-biblioteca-etapa-2").await;
    let director = position::Entity::find()
        .filter(position::Column::OrganizationId.eq(library.organization_id))
        .one(db)
        .await
        .expect("q")
        .expect("position");
    let person = person::Entity::find_by_id(director.person_id)
        .one(db)
        .await
        .expect("q")
        .expect("person");

    assert_eq!(
        library.name,
        "Biblioteca Municipală „E. Coșeriu”/Centrul de Excelență Profesională  Bălți"
            .replace("  ", " ")
    );
    assert_eq!(fair.kind, EventKind::Fair);
    assert_eq!(fair.start_date.as_deref(), Some("2017-09-12"));
    assert_eq!(fair.year_from, Some(2017));
    assert!(
        fair.part_of_id == Some(campaign)
            || fair.part_of_id == Some(record_id(db, "ne-vedem-la-biblioteca").await)
    );
    assert_eq!(person.name, "Ludmila Ouș");
    let organizer = participation::Entity::find()
        .filter(participation::Column::OrganizationId.eq(library.organization_id))
        .filter(participation::Column::TargetId.eq(fair.event_id))
        .one(db)
        .await
        .expect("q")
        .expect("the library organized the fair");
    assert_eq!(organizer.role, Role::Organizer);
}

#[tokio::test]
async fn document_003_frsi_networks_and_successors() {
    let test = TestDb::seeded().await;
    let db = &test.db;
    let labib = organization(db, "labib").await;
    let association = organization(db, "labib-association").await;
    let zones = outcome::Entity::find_by_id(record_id(db, "frsi-innovation-zones").await)
        .one(db)
        .await
        .expect("q")
        .expect("zones");
    let successor = organization_relation::Entity::find()
        .filter(organization_relation::Column::SubjectId.eq(association.organization_id))
        .filter(organization_relation::Column::ObjectId.eq(labib.organization_id))
        .one(db)
        .await
        .expect("q")
        .expect("Labib Association continues LABIB");
    let inferred_frsi = citation::Entity::find()
        .filter(citation::Column::RecordId.eq(record_id(db, "frsi").await))
        .all(db)
        .await
        .expect("q");

    assert_eq!(successor.kind, OrganizationRelationKind::SuccessorOf);
    assert_eq!(zones.value, Some(25.0));
    assert!(
        inferred_frsi
            .iter()
            .any(|c| c.basis == CitationBasis::Inferred),
        "the page never names FRSI: inferred"
    );
    assert!(
        organization(db, "inicjatywy-library-directors-association")
            .await
            .name
            .contains("INICJaTyWy")
    );
}

#[tokio::test]
async fn document_004_mediateki_study_visit() {
    let test = TestDb::seeded().await;
    let db = &test.db;
    let visit = record_id(db, "mediateki-study-visit-silesia").await;
    let venues: Vec<i64> = participation::Entity::find()
        .filter(participation::Column::TargetId.eq(visit))
        .filter(participation::Column::Role.eq(Role::Venue))
        .all(db)
        .await
        .expect("q")
        .into_iter()
        .map(|p| p.organization_id)
        .collect();
    let ministry = organization(db, "ministry-of-culture-and-national-heritage").await;
    let renamed = organization_relation::Entity::find()
        .filter(organization_relation::Column::Kind.eq(OrganizationRelationKind::RenamedFrom))
        .all(db)
        .await
        .expect("q");

    for slug in [
        "biblioteka-slaska",
        "gliwicka-miejska-biblioteka-publiczna",
        "mbp-tychy-mediateka",
        "zaglebiowska-mediateka",
    ] {
        assert!(
            venues.contains(&organization(db, slug).await.organization_id),
            "{slug} was visited"
        );
    }
    let fund = funding::Entity::find()
        .filter(funding::Column::FunderId.eq(ministry.organization_id))
        .one(db)
        .await
        .expect("q")
        .expect("funding");
    assert_eq!(
        fund.programme_id,
        Some(record_id(db, "fundusz-promocji-kultury").await)
    );
    assert!(
        renamed
            .iter()
            .any(|r| [r.subject_id, r.object_id].contains(&ministry.organization_id))
    );
    let training =
        event::Entity::find_by_id(record_id(db, "biblioteka-przyszlosci-design-thinking").await)
            .one(db)
            .await
            .expect("q")
            .expect("training");
    assert_eq!(
        training.start_date, None,
        "the post gives no year: no date may be invented"
    );
    assert!(training.date_note.is_some());
}

/// Every `search_word` and `search_pair` row, in key order.
async fn search_index(
    db: &DatabaseConnection,
) -> (Vec<search_word::Model>, Vec<search_pair::Model>) {
    let mut words = search_word::Entity::find().all(db).await.expect("words");
    words.sort_by(|a, b| {
        (&a.word, &a.class, a.sort_key, a.record_id).cmp(&(
            &b.word,
            &b.class,
            b.sort_key,
            b.record_id,
        ))
    });
    let mut pairs = search_pair::Entity::find().all(db).await.expect("pairs");
    pairs.sort_by(|a, b| (&a.word, &a.class).cmp(&(&b.word, &b.class)));
    (words, pairs)
}

#[tokio::test]
async fn the_search_rank_migration_derives_what_the_loader_writes() {
    let test = TestDb::generated().await;
    let loaded = search_index(&test.db).await;
    assert!(loaded.0.len() > 10_000, "{} words", loaded.0.len());
    assert!(loaded.0.iter().any(|w| w.class == "library"));
    assert!(loaded.0.iter().any(|w| w.exact_key.is_some()));
    // As if the migration had never run: it rebuilds both tables from the search texts.
    test.db
        .execute_raw(Statement::from_string(
            test.db.get_database_backend(),
            "DELETE FROM seaql_migrations WHERE version = 'm20261202_000003_search_rank'",
        ))
        .await
        .expect("forget the migration");
    search_pair::Entity::delete_many()
        .exec(&test.db)
        .await
        .expect("empty search_pair");

    let applied = libgraph::store::migrate(&test.db).await.expect("migrate");

    assert_eq!(applied, 1);
    assert_eq!(search_index(&test.db).await, loaded);
}

/// The record kinds of every participation's target, as recorded on the participation and as
/// the target's own record says: (participation id, recorded, actual).
async fn participation_target_kinds(db: &DatabaseConnection) -> Vec<(i64, Option<String>, String)> {
    let sql = "SELECT p.participation_id, p.target_kind, r.kind FROM participation p \
               JOIN record r ON r.record_id = p.target_id ORDER BY p.participation_id";
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("participations")
        .into_iter()
        .map(|row| {
            (
                row.try_get("", "participation_id").expect("id"),
                row.try_get("", "target_kind").expect("recorded kind"),
                row.try_get("", "kind").expect("kind"),
            )
        })
        .collect()
}

#[tokio::test]
async fn participations_record_the_kind_of_their_target() {
    let test = TestDb::migrated().await;
    seeds::load(&test.db, &seeds::curated().expect("parse"))
        .await
        .expect("load");

    let kinds = participation_target_kinds(&test.db).await;

    assert!(kinds.len() >= 60, "{}", kinds.len());
    for (id, recorded, actual) in &kinds {
        assert_eq!(
            recorded.as_deref(),
            Some(actual.as_str()),
            "participation {id}"
        );
    }
    let distinct: std::collections::BTreeSet<&str> =
        kinds.iter().map(|(_, _, kind)| kind.as_str()).collect();
    assert!(
        distinct.contains("project") && distinct.contains("event"),
        "{distinct:?}"
    );
}

#[tokio::test]
async fn the_target_kind_migration_fills_participations_written_before_it() {
    let test = TestDb::empty().await;
    let db = &test.db;
    let backend = db.get_database_backend();
    let position = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261206_000001_participation_target_kind")
        .expect("the target kind migration");
    let before = u32::try_from(position).expect("a count");
    Migrator::up(db, Some(before))
        .await
        .expect("the migrations before it");
    // What a load before the column existed left: a library in a project and at an event.
    for sql in [
        "INSERT INTO record (record_id, kind, key) VALUES (1, 'organization', 'biblioteka-olszowka'), \
         (2, 'project', 'blisko'), (3, 'event', 'fair'), (4, 'participation', 'p4'), (5, 'participation', 'p5')",
        "INSERT INTO organization (organization_id, slug, kind, name, name_lang, sort_key) \
         VALUES (1, 'biblioteka-olszowka', 'library', 'Biblioteka', 'pl', 'biblioteka')",
        "INSERT INTO project (project_id, slug, name, name_lang, sort_key) \
         VALUES (2, 'blisko', 'Blisko', 'pl', 'blisko')",
        "INSERT INTO event (event_id, slug, kind, name, name_lang, sort_key) \
         VALUES (3, 'fair', 'fair', 'Fair', 'en', 'fair')",
        "INSERT INTO participation (participation_id, organization_id, target_id, role) \
         VALUES (4, 1, 2, 'lead'), (5, 1, 3, 'participant')",
    ] {
        db.execute_raw(Statement::from_string(backend, sql))
            .await
            .expect(sql);
    }

    Migrator::up(db, None)
        .await
        .expect("the target kind migration");

    assert_eq!(
        participation_target_kinds(db).await,
        [
            (4, Some("project".to_owned()), "project".to_owned()),
            (5, Some("event".to_owned()), "event".to_owned()),
        ]
    );
}
