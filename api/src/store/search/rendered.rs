//! The statements of search as they run, pinned on PostgreSQL and SQLite: the same shape as
//! when they were written as text (same sub-queries, joins, `VALUES` list, `UNION ALL` arms and
//! `LIMIT`s), which is what keeps their plans. A change here is a change of plan, to measure.

use super::*;

/// `select` as search runs it on one store: its SQL and its bound values.
fn run_on(backend: DbBackend, select: &SelectStatement) -> (String, Vec<Value>) {
    let statement = LimitsInline::statement(backend, select);
    (
        statement.sql,
        statement.values.map_or_else(Vec::new, |v| v.0),
    )
}

/// `select` as search runs it on PostgreSQL and on SQLite, and its bound values (the same
/// on both, in the same order).
fn run(select: &SelectStatement) -> (String, String, Vec<Value>) {
    let (pg, values) = run_on(DbBackend::Postgres, select);
    let (lite, lite_values) = run_on(DbBackend::Sqlite, select);
    assert_eq!(values, lite_values);
    (pg, lite, values)
}

/// PostgreSQL's SQL with SQLite's placeholders: `$12` is `?`.
fn unnumbered(pg: &str) -> String {
    let mut sql = String::with_capacity(pg.len());
    let mut chars = pg.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            sql.push('?');
        } else {
            sql.push(c);
        }
    }
    sql
}

fn texts(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| Value::from(*v)).collect()
}

fn mediateka() -> Vec<Form> {
    vec![
        Form {
            word: "mediateka".to_owned(),
            class: "library".to_owned(),
            inflected: false,
        },
        Form {
            word: "mediateki".to_owned(),
            class: "library".to_owned(),
            inflected: true,
        },
    ]
}

/// The bound values of a word's range and of its stem's with the word's inside.
const MEDIATEKA_RANGES: [&str; 4] = ["mediate", "mediate{", "mediateka", "mediateka{"];

#[test]
fn one_token_is_counted_from_at_most_its_walk_rows() {
    let (pg, lite, values) = run(&count_statement(
        "mediateka",
        Some(&["library", "event"]),
        5000,
    ));
    let rows = |placeholders: [&str; 6], length: &str| {
        [
            "SELECT COUNT(*) AS \"n_rows\", COUNT(DISTINCT \"record_id\") AS \"n\" FROM ",
            "(SELECT \"record_id\" FROM \"search_word\" WHERE \"word\" >= ",
            placeholders[0],
            " AND \"word\" < ",
            placeholders[1],
            " AND ((\"word\" >= ",
            placeholders[2],
            " AND \"word\" < ",
            placeholders[3],
            ") OR ",
            length,
            "(\"word\") <= 11) AND \"class\" IN (",
            placeholders[4],
            ", ",
            placeholders[5],
            ") LIMIT 5001) AS \"r\"",
        ]
        .concat()
    };
    assert_eq!(
        pg,
        rows(["$1", "$2", "$3", "$4", "$5", "$6"], "CHAR_LENGTH")
    );
    assert_eq!(lite, rows(["?"; 6], "LENGTH"));
    let mut expected = texts(&MEDIATEKA_RANGES);
    expected.extend(texts(&["library", "event"]));
    assert_eq!(values, expected);
}

#[test]
fn a_tokens_word_forms_are_read_from_search_pair_in_key_order() {
    let inflection = Inflection::of("mediateka");
    let (pg, lite, values) = run(&forms_statement(
        "mediateka",
        inflection.as_ref(),
        Some(&["library"]),
        1024,
    ));
    assert_eq!(
        pg,
        concat!(
            r#"SELECT "word", "class" FROM "search_pair" WHERE "word" >= $1 AND "word" < $2 "#,
            r#"AND (("word" >= $3 AND "word" < $4) OR CHAR_LENGTH("word") <= 11) "#,
            r#"AND "class" IN ($5) ORDER BY "word" ASC, "class" ASC LIMIT 1025"#
        )
    );
    assert_eq!(
        lite,
        concat!(
            r#"SELECT "word", "class" FROM "search_pair" WHERE "word" >= ? AND "word" < ? "#,
            r#"AND (("word" >= ? AND "word" < ?) OR LENGTH("word") <= 11) "#,
            r#"AND "class" IN (?) ORDER BY "word" ASC, "class" ASC LIMIT 1025"#
        )
    );
    let mut expected = texts(&MEDIATEKA_RANGES);
    expected.push(Value::from("library"));
    assert_eq!(values, expected);
}

#[test]
fn forms_are_ranked_in_a_lateral_join_on_postgresql_and_a_union_of_ranges_on_sqlite() {
    let reads = Reads {
        n: 21,
        also: &[],
        walk: 2500,
    };
    let forms = mediateka();
    let select = |backend| form_by_form(backend, "mediateka", &forms, &reads).expect("forms");
    let (pg, pg_values) = run_on(DbBackend::Postgres, &select(DbBackend::Postgres));
    assert_eq!(
        pg,
        concat!(
            r#"SELECT "s"."record_id", "s"."score" FROM (VALUES ($1, $2, 0), ($3, $4, 20)) AS "f" "#,
            r#"JOIN LATERAL (SELECT "record_id", 0 - "sort_key" - "f"."column3" AS "score" "#,
            r#"FROM "search_word" WHERE "word" = "f"."column1" AND "class" = "f"."column2" "#,
            r#"ORDER BY "sort_key" ASC, "record_id" ASC LIMIT 21) AS "s" ON TRUE "#,
            r#"UNION ALL (SELECT * FROM (SELECT "record_id", 0 - "exact_key" - 0 AS "score" "#,
            r#"FROM "search_word" WHERE "word" = $5 AND "class" = $6 AND "exact_key" IS NOT NULL "#,
            r#"ORDER BY "exact_key" ASC, "record_id" ASC LIMIT 21) AS "e")"#
        )
    );
    let (lite, lite_values) = run_on(DbBackend::Sqlite, &select(DbBackend::Sqlite));
    assert_eq!(
        lite,
        concat!(
            r#"SELECT * FROM (SELECT * FROM (SELECT "record_id", 0 - "sort_key" - 0 AS "score" "#,
            r#"FROM "search_word" WHERE "word" = ? AND "class" = ? "#,
            r#"ORDER BY "sort_key" ASC, "record_id" ASC LIMIT 21) AS "a" "#,
            r#"UNION ALL SELECT * FROM (SELECT "record_id", 0 - "sort_key" - 20 AS "score" "#,
            r#"FROM "search_word" WHERE "word" = ? AND "class" = ? "#,
            r#"ORDER BY "sort_key" ASC, "record_id" ASC LIMIT 21) AS "a") AS "g" "#,
            r#"UNION ALL SELECT * FROM (SELECT "record_id", 0 - "exact_key" - 0 AS "score" "#,
            r#"FROM "search_word" WHERE "word" = ? AND "class" = ? AND "exact_key" IS NOT NULL "#,
            r#"ORDER BY "exact_key" ASC, "record_id" ASC LIMIT 21) AS "e""#
        )
    );
    let expected = texts(&[
        "mediateka",
        "library",
        "mediateki",
        "library",
        "mediateka",
        "library",
    ]);
    assert_eq!(pg_values, expected);
    assert_eq!(lite_values, expected);
}

#[test]
fn a_union_of_ranges_nests_its_arms_by_the_400() {
    let reads = Reads {
        n: 3,
        also: &[],
        walk: 5,
    };
    let forms: Vec<Form> = (0..801)
        .map(|i| Form {
            word: numbered("w", i),
            class: "library".to_owned(),
            inflected: false,
        })
        .collect();
    let select = form_by_form(DbBackend::Sqlite, "w", &forms, &reads).expect("forms");
    let (lite, values) = run_on(DbBackend::Sqlite, &select);
    // Three groups of at most 400 arms: 399 + 399 + 0 unions inside, 2 between them.
    assert_eq!(lite.matches(" UNION ALL ").count(), 399 + 399 + 2);
    assert_eq!(lite.matches(r#") AS "g""#).count(), 3);
    assert_eq!(values.len(), 801 * 2);
}

#[test]
fn with_other_tokens_a_form_walks_its_share_and_keeps_the_records_that_have_them() {
    let also = ["krakow"];
    let reads = Reads {
        n: 21,
        also: &also,
        walk: 2500,
    };
    let forms = &mediateka()[..1];
    let walked = |key: &str, condition: &str, placeholders: [&str; 2]| {
        [
            "(SELECT \"record_id\", 0 - \"",
            key,
            "\" - 0 AS \"score\" FROM (SELECT \"record_id\", \"",
            key,
            "\" FROM \"search_word\" WHERE ",
            condition,
            " ORDER BY \"",
            key,
            "\" ASC, \"record_id\" ASC LIMIT 2500) AS \"w\" WHERE EXISTS(SELECT 1 FROM ",
            "\"search_word\" AS \"o\" WHERE \"o\".\"record_id\" = \"w\".\"record_id\" AND ",
            "(\"o\".\"word\" >= ",
            placeholders[0],
            " AND \"o\".\"word\" < ",
            placeholders[1],
            ")) ORDER BY \"",
            key,
            "\" ASC, \"record_id\" ASC LIMIT 21)",
        ]
        .concat()
    };
    let (pg, pg_values) = run_on(
        DbBackend::Postgres,
        &form_by_form(DbBackend::Postgres, "mediateka", forms, &reads).expect("forms"),
    );
    let lateral = walked(
        "sort_key",
        r#""word" = "f"."column1" AND "class" = "f"."column2""#,
        ["$3", "$4"],
    )
    .replace(r#"0 - "sort_key" - 0"#, r#"0 - "sort_key" - "f"."column3""#);
    let exact = walked(
        "exact_key",
        r#""word" = $5 AND "class" = $6 AND "exact_key" IS NOT NULL"#,
        ["$7", "$8"],
    );
    assert_eq!(
        pg,
        [
            r#"SELECT "s"."record_id", "s"."score" FROM (VALUES ($1, $2, 0)) AS "f" JOIN LATERAL "#,
            &lateral,
            r#" AS "s" ON TRUE UNION ALL (SELECT * FROM "#,
            &exact,
            r#" AS "e")"#,
        ]
        .concat()
    );
    let (lite, lite_values) = run_on(
        DbBackend::Sqlite,
        &form_by_form(DbBackend::Sqlite, "mediateka", forms, &reads).expect("forms"),
    );
    let arm = walked("sort_key", r#""word" = ? AND "class" = ?"#, ["?", "?"]);
    let exact = walked(
        "exact_key",
        r#""word" = ? AND "class" = ? AND "exact_key" IS NOT NULL"#,
        ["?", "?"],
    );
    assert_eq!(
        lite,
        [
            "SELECT * FROM (SELECT * FROM ",
            &arm,
            r#" AS "a") AS "g" UNION ALL SELECT * FROM "#,
            &exact,
            r#" AS "e""#,
        ]
        .concat()
    );
    let expected = texts(&[
        "mediateka",
        "library",
        "krakow",
        "krakow{",
        "mediateka",
        "library",
        "krakow",
        "krakow{",
    ]);
    assert_eq!(pg_values, expected);
    assert_eq!(lite_values, expected);
}

#[test]
fn a_common_token_is_ranked_in_one_aggregate_of_its_rows() {
    let reads = Reads {
        n: 21,
        also: &[],
        walk: 2500,
    };
    let inflection = Inflection::of("mediateka");
    let (pg, lite, values) = run(&aggregate(
        "mediateka",
        inflection.as_ref(),
        Some(&["library"]),
        &reads,
        5000,
    ));
    let score = concat!(
        r#"SELECT "record_id", MAX((CASE WHEN ("word" = ? AND "exact_key" < "sort_key") "#,
        r#"THEN 0 - "exact_key" ELSE (CASE WHEN ("word" >= ? AND "word" < ?) "#,
        r#"THEN 0 - "sort_key" ELSE 0 - "sort_key" - 20 END) END)) AS "score" "#,
        r#"FROM (SELECT "record_id", "word", "sort_key", "exact_key" FROM "search_word" "#,
    );
    assert_eq!(
        lite,
        [
            score,
            r#"WHERE "word" >= ? AND "word" < ? AND (("word" >= ? AND "word" < ?) "#,
            r#"OR LENGTH("word") <= 11) AND "class" IN (?)) AS "w" "#,
            r#"GROUP BY "record_id" ORDER BY "score" DESC, "record_id" ASC LIMIT 21"#,
        ]
        .concat()
    );
    assert_eq!(
        pg,
        concat!(
            r#"SELECT "record_id", MAX((CASE WHEN ("word" = $1 AND "exact_key" < "sort_key") "#,
            r#"THEN 0 - "exact_key" ELSE (CASE WHEN ("word" >= $2 AND "word" < $3) "#,
            r#"THEN 0 - "sort_key" ELSE 0 - "sort_key" - 20 END) END)) AS "score" "#,
            r#"FROM (SELECT "record_id", "word", "sort_key", "exact_key" FROM "search_word" "#,
            r#"WHERE "word" >= $4 AND "word" < $5 AND (("word" >= $6 AND "word" < $7) "#,
            r#"OR CHAR_LENGTH("word") <= 11) AND "class" IN ($8)) AS "w" "#,
            r#"GROUP BY "record_id" ORDER BY "score" DESC, "record_id" ASC LIMIT 21"#
        )
    );
    let mut expected = texts(&["mediateka", "mediateka", "mediateka{"]);
    expected.extend(texts(&MEDIATEKA_RANGES));
    expected.push(Value::from("library"));
    assert_eq!(values, expected);

    // With other tokens: the first `budget` rows in key order, of records with their words.
    let also = ["krakow"];
    let reads = Reads {
        n: 21,
        also: &also,
        walk: 2500,
    };
    let (pg, lite, values) = run(&aggregate("bibl", None, None, &reads, 5000));
    assert_eq!(unnumbered(&pg), lite);
    assert_eq!(
        lite,
        [
            score,
            r#"WHERE "word" >= ? AND "word" < ? "#,
            r#"ORDER BY "word" ASC, "class" ASC, "sort_key" ASC, "record_id" ASC LIMIT 5000) "#,
            r#"AS "w" WHERE EXISTS(SELECT 1 FROM "search_word" AS "o" "#,
            r#"WHERE "o"."record_id" = "w"."record_id" AND ("o"."word" >= ? AND "o"."word" < ?)) "#,
            r#"GROUP BY "record_id" ORDER BY "score" DESC, "record_id" ASC LIMIT 21"#,
        ]
        .concat()
    );
    assert_eq!(
        values,
        texts(&[
            "bibl", "bibl", "bibl{", "bibl", "bibl{", "krakow", "krakow{"
        ])
    );
}

#[test]
fn several_tokens_are_counted_then_their_candidates_scored_on_their_texts() {
    let (pg, lite, values) = run(&token_counts(&["biblioteka", "krakow"], 1000));
    let count = |i: &str, placeholders: [&str; 2]| {
        [
            "(SELECT COUNT(*) FROM (SELECT 1 FROM \"search_word\" WHERE \"word\" >= ",
            placeholders[0],
            " AND \"word\" < ",
            placeholders[1],
            " LIMIT 1001) AS \"c",
            i,
            "\") AS \"n",
            i,
            "\"",
        ]
        .concat()
    };
    assert_eq!(
        pg,
        [
            "SELECT ",
            &count("0", ["$1", "$2"]),
            ", ",
            &count("1", ["$3", "$4"])
        ]
        .concat()
    );
    assert_eq!(
        lite,
        [
            "SELECT ",
            &count("0", ["?", "?"]),
            ", ",
            &count("1", ["?", "?"])
        ]
        .concat()
    );
    assert_eq!(
        values,
        texts(&["biblioteka", "biblioteka{", "krakow", "krakow{"])
    );

    let tokens = ["biblioteka", "krakow"];
    let within = Expr::col(Term::RecordId).in_subquery(records_with_word("krakow"));
    let (pg, lite, values) = run(&text_scores("biblioteka krakow", &tokens, within, 21));
    assert_eq!(
        pg,
        concat!(
            r#"SELECT "record_id", MAX(("weight" * 100) + (CASE WHEN ("text" = $1) THEN 50 "#,
            r#"WHEN ("text" LIKE $2) THEN 30 WHEN ((' ' || "text") LIKE $3) THEN 20 ELSE 0 END)) "#,
            r#"AS "score" FROM "search_term" WHERE "record_id" IN (SELECT "record_id" "#,
            r#"FROM "search_word" WHERE "word" >= $4 AND "word" < $5) "#,
            r#"AND (' ' || "text") LIKE $6 AND (' ' || "text") LIKE $7 "#,
            r#"GROUP BY "record_id" ORDER BY "score" DESC, "record_id" ASC LIMIT 21"#
        )
    );
    assert_eq!(lite, unnumbered(&pg));
    assert_eq!(
        values,
        texts(&[
            "biblioteka krakow",
            "biblioteka krakow%",
            "% biblioteka krakow%",
            "krakow",
            "krakow{",
            "% biblioteka%",
            "% krakow%",
        ])
    );

    // When the rarest token is common, its best-ranked records, one bound value each.
    let ids = Expr::col(Term::RecordId).is_in([3i64, 5]);
    let (pg, _, values) = run(&text_scores("biblioteka krakow", &tokens, ids, 21));
    assert!(
        pg.contains(r#"FROM "search_term" WHERE "record_id" IN ($4, $5) AND "#),
        "{pg}"
    );
    assert_eq!(values[3..5], [Value::from(3i64), Value::from(5i64)]);
}

#[test]
fn a_tokens_records_are_a_key_range_of_search_word() {
    let (pg, lite, values) = run(&records_with_word("olsz"));
    assert_eq!(
        pg,
        r#"SELECT "record_id" FROM "search_word" WHERE "word" >= $1 AND "word" < $2"#
    );
    assert_eq!(
        lite,
        r#"SELECT "record_id" FROM "search_word" WHERE "word" >= ? AND "word" < ?"#
    );
    assert_eq!(values, texts(&["olsz", "olsz{"]));
}

#[test]
fn a_searchs_text_is_bound_and_never_written_into_its_statements() {
    // Search folds a text to `[a-z0-9 ]` before it gets here; the statements must not
    // depend on that.
    let text = "x'); DROP TABLE search_word; --";
    let forms = [Form {
        word: text.to_owned(),
        class: text.to_owned(),
        inflected: false,
    }];
    let also = [text];
    let reads = Reads {
        n: 1,
        also: &also,
        walk: 1,
    };
    let ids = Expr::col(Term::RecordId).is_in([1i64]);
    let statements = [
        count_statement(text, Some(&[text]), 1),
        forms_statement(text, None, Some(&[text]), 1),
        form_by_form(DbBackend::Postgres, text, &forms, &reads).expect("forms"),
        form_by_form(DbBackend::Sqlite, text, &forms, &reads).expect("forms"),
        aggregate(text, None, Some(&[text]), &reads, 1),
        token_counts(&[text], 1),
        text_scores(text, &[text], ids, 1),
        records_with_word(text),
    ];
    for select in &statements {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let (sql, values) = run_on(backend, select);
            assert!(!sql.contains("DROP"), "{sql}");
            assert!(values.contains(&Value::from(text)), "{sql}");
        }
    }
}

#[test]
fn limits_are_written_as_numbers_and_every_other_value_bound() {
    let select = Query::select()
        .column(Word::RecordId)
        .from_subquery(
            Query::select()
                .column(Word::RecordId)
                .from(search_word::Entity)
                .and_where(Expr::col(Word::Word).eq("a"))
                .limit(7)
                .take(),
            "w",
        )
        .and_where(Expr::col(Word::RecordId).eq(3i64))
        .limit(2)
        .take();
    let (pg, lite, values) = run(&select);
    assert_eq!(
        pg,
        concat!(
            r#"SELECT "record_id" FROM (SELECT "record_id" FROM "search_word" "#,
            r#"WHERE "word" = $1 LIMIT 7) AS "w" WHERE "record_id" = $2 LIMIT 2"#
        )
    );
    assert_eq!(lite, unnumbered(&pg));
    assert_eq!(values, [Value::from("a"), Value::from(3i64)]);
}
