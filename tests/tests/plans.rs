//! Every child list reads its pages from its index, as PostgreSQL plans it.
//!
//! For each list of `libgraph::store::order::child`, the statement the loader issues (for the
//! parent with the most children, and for a batch of the 50 parents with the most) is prepared
//! with its real parameters and explained (`EXPLAIN EXECUTE`) under a custom and a generic plan
//! (sqlx prepares statements, and PostgreSQL plans one generically from its sixth run). A list
//! in an index's order must be read from that index, by the name its definition gives, with no
//! sort between the index scan and the page's `LIMIT`; any other list must find a parent's rows
//! through an index that leads with the parent column (the migrations' `ix_<table>_<column>`,
//! or a unique index that starts with it). A dropped index, or a statement whose `ORDER BY` no
//! longer matches its index, fails here, and the test shows it does by breaking one index of
//! each kind itself at the end.
//!
//! The data is generated size S (about 1,000 organizations), analysed; a production database is
//! 20 to 200 times larger, and at size S the planner rightly prefers plans that only pay on
//! small tables: it reads a table of a few hundred rows whole, or in primary-key order until the
//! page is full, and where a parent has fewer rows than a page (5 participations per
//! organization on average, against 70 for the organizations of the heavy benchmark query at
//! size M) it finds them with a bitmap and sorts them. The question here is not whether this
//! small database needs the index but whether the index serves the statement, so the plans are
//! asked for with those alternatives switched off ([`planner_settings`]): whole-table reads
//! always; for a list in an index's order, bitmaps and sorts too, so the planner reads the index
//! in order if the statement's `ORDER BY` lets it (a sort it cannot avoid still appears, and
//! fails the check); for a list whose rows are found through their parent's index and sorted,
//! plain index scans too, so that the only way left to a parent's rows is an index on its
//! column. (Loading size M instead would take minutes of every test run.)

use std::time::Instant;

use libgraph::store::order::{AnyChildList, ListIndex, child};
use libgraph::store::page::{DEFAULT_PAGE_SIZE, PageArgs, TextOrder};
use sea_orm::sea_query::{PostgresQueryBuilder, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait, Value,
};
use serde_json::Value as Json;
use support::{Backend, TestDb};

/// How many parents a batch has: a page of organizations, a level of a nested query.
const BATCH: usize = 50;

#[tokio::test]
async fn every_child_list_reads_its_index() {
    if support::backend() != Backend::Postgres
        && !support::postgres_available("every_child_list_reads_its_index")
    {
        return;
    }
    let started = Instant::now();
    let test = TestDb::generated_on(Backend::Postgres).await;
    let db = &test.db;
    db.execute_unprepared("ANALYZE").await.expect("analyze");
    let loaded = started.elapsed();
    let text_order = TextOrder::of(db).await;
    let args = PageArgs::first(DEFAULT_PAGE_SIZE as u64);

    let lists = child::all();
    let mut failures = Vec::new();
    let mut batches = Vec::new();
    for list in &lists {
        let parents = busiest_parents(db, *list).await;
        for batch in [&parents[..1], &parents[..]] {
            let statement = list
                .statement(DbBackend::Postgres, batch, &args, text_order)
                .expect("statement");
            for mode in PLAN_MODES {
                let (plan, checked) = explain(db, *list, &statement, mode).await;
                if let Err(why) = checked {
                    failures.push(format!(
                        "{} ({} parents, {mode}): {why}\n{}",
                        list.field(),
                        batch.len(),
                        outline(&plan)
                    ));
                }
            }
        }
        batches.push((*list, parents));
    }
    assert!(
        failures.is_empty(),
        "{} of {} plans do not read their index:\n\n{}",
        failures.len(),
        lists.len() * 2 * PLAN_MODES.len(),
        failures.join("\n\n")
    );

    // The check fails when an index is missing, or no longer in the statement's order: shown
    // on a database where one index of each kind is dropped, or rebuilt on another expression
    // (a year of 9999 for undated rows where the statements say 99999), in a transaction
    // rolled back.
    let breakages = [
        (
            "Organization.participations",
            "DROP INDEX ix_participation_organization_id_by_date; \
             CREATE INDEX ix_participation_organization_id_by_date ON participation \
             (organization_id, (COALESCE(year_from, 9999)), (COALESCE(start_date, '')), participation_id)",
        ),
        (
            "Project/Programme/Event.participations",
            "DROP INDEX ix_participation_target_id_by_key",
        ),
        ("Programme.projects", "DROP INDEX ix_project_programme_id"),
        (
            "Organization.relations",
            "DROP INDEX ix_organization_relation_object_id",
        ),
    ];
    for (field, breakage) in breakages {
        let (list, parents) = batches
            .iter()
            .find(|(list, _)| list.field() == field)
            .expect("a list of that field");
        let statement = list
            .statement(DbBackend::Postgres, parents, &args, text_order)
            .expect("statement");
        let txn = db.begin().await.expect("begin");
        txn.execute_unprepared(breakage).await.expect("break");
        let (plan, checked) = explain(&txn, *list, &statement, PLAN_MODES[0]).await;
        txn.rollback().await.expect("rollback");
        assert!(
            checked.is_err(),
            "{field}: the check passes after `{breakage}`:\n{}",
            outline(&plan)
        );
    }
    println!(
        "every_child_list_reads_its_index: {} lists, {} plans; data loaded in {loaded:.1?}, all in {:.1?}",
        lists.len(),
        lists.len() * 2 * PLAN_MODES.len(),
        started.elapsed()
    );
}

/// Every child list's statements run on the run's store, and a batch gives each parent the
/// page it gets alone: on SQLite, where the statements differ (no `LATERAL`), as on PostgreSQL.
#[tokio::test]
async fn every_child_list_pages_a_batch_as_one_parent_alone() {
    let test = TestDb::generated().await;
    let db = &test.db;
    let backend = db.get_database_backend();
    let text_order = TextOrder::of(db).await;
    let args = PageArgs::first(DEFAULT_PAGE_SIZE as u64);
    for list in child::all() {
        let parents = busiest_parents(db, list).await;
        let rows = |parents: &[i64]| {
            let statement = list
                .statement(backend, parents, &args, text_order)
                .expect("statement");
            async move {
                db.query_all(&statement)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e}", list.field()))
            }
        };
        let batch = rows(&parents).await;
        for &parent in &parents[..3] {
            let alone = rows(&[parent]).await.len();
            let in_batch = batch
                .iter()
                .filter(|row| row.try_get::<i64>("", "_parent").expect("_parent") == parent)
                .count();
            assert_eq!(
                in_batch,
                alone,
                "{}: parent {parent} has {alone} rows alone, {in_batch} in a batch",
                list.field()
            );
        }
    }
}

/// The plans a prepared statement gets: one made for its parameters, and the generic one
/// PostgreSQL settles on for a statement run often.
const PLAN_MODES: [&str; 2] = ["force_custom_plan", "force_generic_plan"];

/// The [`BATCH`] parents with the most rows in the list (by its first parent column), most
/// first; ids without rows where the table has too few parents for a batch.
async fn busiest_parents(db: &DatabaseConnection, list: &dyn AnyChildList) -> Vec<i64> {
    let column = list.parent().columns().next().expect("a parent column");
    let sql = format!(
        "SELECT {column} AS parent FROM {table} WHERE {column} IS NOT NULL \
         GROUP BY {column} ORDER BY COUNT(*) DESC, {column} LIMIT {BATCH}",
        table = list.table()
    );
    let mut parents: Vec<i64> = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("parents")
        .into_iter()
        .map(|row| row.try_get("", "parent").expect("parent"))
        .collect();
    let mut spare = 1;
    while parents.len() < BATCH {
        if !parents.contains(&spare) {
            parents.push(spare);
        }
        spare += 1;
    }
    parents
}

/// The plan alternatives switched off for a list read through `index` (see the module's doc).
fn planner_settings(index: &ListIndex) -> &'static [&'static str] {
    match index {
        ListIndex::InOrder(_) => &[
            "enable_seqscan",
            "enable_bitmapscan",
            "enable_sort",
            "enable_incremental_sort",
        ],
        ListIndex::Parent => &["enable_seqscan", "enable_indexscan", "enable_indexonlyscan"],
    }
}

/// The plan of `list`'s `statement`, prepared with its parameters' types as sqlx prepares it
/// and executed with their values, in `mode`, with the alternatives to reading the list's index
/// switched off; and whether it reads the list's index as it must.
async fn explain(
    db: &impl TransactionTrait<Transaction = DatabaseTransaction>,
    list: &dyn AnyChildList,
    statement: &SelectStatement,
    mode: &str,
) -> (Json, Result<(), String>) {
    let (sql, values) = statement.build(PostgresQueryBuilder);
    let (types, arguments): (Vec<&str>, Vec<String>) = values.iter().map(parameter).unzip();
    let txn = db.begin().await.expect("begin");
    let mut setup: Vec<String> = planner_settings(list.index())
        .iter()
        .map(|setting| format!("SET LOCAL {setting} = off"))
        .collect();
    setup.push(format!("SET LOCAL plan_cache_mode = {mode}"));
    setup.push(format!(
        "PREPARE child_page ({}) AS {sql}",
        types.join(", ")
    ));
    for setup in setup {
        txn.execute_unprepared(&setup).await.expect("prepare");
    }
    let row = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "EXPLAIN (FORMAT JSON) EXECUTE child_page ({})",
                arguments.join(", ")
            ),
        ))
        .await
        .expect("explain")
        .expect("a plan");
    // A prepared statement outlives the transaction (and the connection goes back to the pool).
    txn.execute_unprepared("DEALLOCATE child_page")
        .await
        .expect("deallocate");
    let plan: Json = row.try_get("", "QUERY PLAN").expect("the plan as JSON");
    let plan = plan[0]["Plan"].clone();
    let checked = match list.index() {
        ListIndex::InOrder(name) => reads_in_order(&plan, name),
        ListIndex::Parent => {
            let mut checked = Ok(());
            for column in list.parent().columns() {
                let leading = indexes_leading_with(&txn, list.table(), column.as_str()).await;
                if let Err(why) = reads_one_of(&plan, &leading) {
                    checked = Err(format!("{why} (on {column})"));
                }
            }
            checked
        }
    };
    txn.rollback().await.expect("rollback");
    (plan, checked)
}

/// The indexes of `table` whose first column is `column`, as the catalog has them now.
async fn indexes_leading_with(db: &DatabaseTransaction, table: &str, column: &str) -> Vec<String> {
    let sql = format!(
        "SELECT i.relname AS name FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] \
         WHERE t.relname = '{table}' AND a.attname = '{column}' ORDER BY 1"
    );
    db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("indexes")
        .into_iter()
        .map(|row| row.try_get("", "name").expect("name"))
        .collect()
}

/// A bound value's PostgreSQL type, as sqlx binds it, and the value as an SQL literal.
fn parameter(value: &Value) -> (&'static str, String) {
    match value {
        Value::String(Some(text)) => ("text", format!("'{}'", text.replace('\'', "''"))),
        Value::BigInt(Some(n)) => ("bigint", n.to_string()),
        // sea-query binds a `LIMIT` as u64, which sqlx sends to PostgreSQL as a BIGINT.
        Value::BigUnsigned(Some(n)) => ("bigint", n.to_string()),
        Value::Int(Some(n)) => ("integer", n.to_string()),
        other => panic!("a parameter of a type this test does not bind: {other:?}"),
    }
}

/// Whether `plan` reads index `name` in order: an index scan of it with no sort between it and
/// the page's `LIMIT`.
fn reads_in_order(plan: &Json, name: &str) -> Result<(), String> {
    let mut scans = Vec::new();
    index_scans(plan, &mut Vec::new(), &mut scans);
    let in_order = scans.iter().any(|(scan, above)| {
        scan["Index Name"] == name
            && matches!(
                scan["Node Type"].as_str(),
                Some("Index Scan" | "Index Only Scan")
            )
            && !above
                .iter()
                .rev()
                .take_while(|node| node.as_str() != "Limit")
                .any(|node| node.ends_with("Sort"))
    });
    if in_order {
        Ok(())
    } else if scans.iter().any(|(scan, _)| scan["Index Name"] == name) {
        Err(format!("reads {name}, but sorts what it reads"))
    } else {
        Err(format!("does not read {name}"))
    }
}

/// Whether `plan` reads one of the indexes `names`.
fn reads_one_of(plan: &Json, names: &[String]) -> Result<(), String> {
    let mut scans = Vec::new();
    index_scans(plan, &mut Vec::new(), &mut scans);
    if scans
        .iter()
        .any(|(scan, _)| names.iter().any(|name| scan["Index Name"] == name.as_str()))
    {
        Ok(())
    } else if names.is_empty() {
        Err("no index leads with the parent column".to_owned())
    } else {
        Err(format!("reads none of {names:?}"))
    }
}

/// Every node of `plan` that reads an index, with the types of the nodes above it (root first).
fn index_scans<'a>(
    plan: &'a Json,
    above: &mut Vec<String>,
    found: &mut Vec<(&'a Json, Vec<String>)>,
) {
    if plan.get("Index Name").is_some() {
        found.push((plan, above.clone()));
    }
    above.push(plan["Node Type"].as_str().unwrap_or_default().to_owned());
    for child in plan["Plans"].as_array().into_iter().flatten() {
        index_scans(child, above, found);
    }
    above.pop();
}

/// The plan's nodes, one a line, indented by depth: for failure messages.
fn outline(plan: &Json) -> String {
    fn walk(plan: &Json, depth: usize, out: &mut String) {
        out.push_str(&"  ".repeat(depth + 1));
        out.push_str(plan["Node Type"].as_str().unwrap_or("?"));
        if let Some(index) = plan["Index Name"].as_str() {
            out.push_str(" using ");
            out.push_str(index);
        }
        if let Some(relation) = plan["Relation Name"].as_str() {
            out.push_str(" on ");
            out.push_str(relation);
        }
        out.push('\n');
        for child in plan["Plans"].as_array().into_iter().flatten() {
            walk(child, depth + 1, out);
        }
    }
    let mut out = String::new();
    walk(plan, 0, &mut out);
    out
}
