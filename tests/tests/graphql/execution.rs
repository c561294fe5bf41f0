//! How pages are executed and read, below the schema: the lean executor and async-graphql's answer
//! alike, rows are decoded by position with their types checked, and pages put in order in memory
//! are those the database orders.

use std::collections::BTreeMap;

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::app::spawn_app_on;
use support::{TestDb, with_typename_in_every_selection};

/// A response with its errors in a stable order (they are reported as fields finish).
fn sorted_errors(body: Value) -> Value {
    let mut body = support::without_cost(body);
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
