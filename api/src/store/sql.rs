//! SQL building blocks shared by pages and loaders.

use std::borrow::Cow;

use entities::order::{self as def, Dated};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Iden};
use sea_orm::{DbBackend, IdenStatic};

/// A column's name, taken from an entity's column: what filters, parents and keys of loader
/// keys name a column with. It can be hashed and compared as the loaders' keys need, and it is
/// `'static` text, so a statement written with it copies nothing (an `Alias` is a `String`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ColumnName(pub(crate) &'static str);

impl ColumnName {
    /// The name of `column`: `participation::Column::OrganizationId` is `organization_id`.
    pub fn of(column: impl IdenStatic) -> Self {
        ColumnName(column.as_str())
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for ColumnName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Iden for ColumnName {
    // As sea-orm's own columns do: a plain name is written as it is, without a copy.
    fn quoted(&self) -> Cow<'static, str> {
        if sea_orm::sea_query::is_static_iden(self.0) {
            Cow::Borrowed(self.0)
        } else {
            Cow::Owned(self.0.to_owned())
        }
    }

    fn unquoted(&self) -> &str {
        self.0
    }
}

/// `ids` comma-separated, for a bound PostgreSQL array (`{…}`) or JSON array (`[…]`).
pub fn id_list(ids: &[i64]) -> String {
    let mut list = String::with_capacity(ids.len() * 8);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            list.push(',');
        }
        list.push_str(&id.to_string());
    }
    list
}

/// `column` is one of `ids`, with the ids as one bind parameter however many there are: a
/// parameter per id would hit the databases' caps (32,766 on SQLite, 65,535 on PostgreSQL) and
/// force a big batch into several statements. PostgreSQL reads an array literal
/// (`= ANY(ARRAY(SELECT unnest('{1,2}'::BIGINT[])))`), SQLite a JSON array
/// (`IN (SELECT value FROM json_each('[1,2]'))`); both use the column's index.
///
/// On PostgreSQL the list is read in a sub-select, which runs once per statement. sqlx
/// prepares statements and PostgreSQL plans a prepared statement generically from its sixth
/// run, where a bare `ANY(CAST($1 AS BIGINT[]))` is not a constant: a table read row by row
/// (the 134 programmes, say) parsed the whole list again for every row, 10 ms for 1,040 ids.
///
/// `column` is an expression, written as the builder writes it: an entity's column
/// (`Expr::col(..)`, `Aliased::col`), quoted, or the text a loader has always written.
/// It is an [`Expr`] and not `impl Into<Expr>`, which a `&str` is (as a bound text value).
pub fn id_in(backend: DbBackend, column: Expr, ids: &[i64]) -> Expr {
    let list = id_list(ids);
    match backend {
        DbBackend::Postgres => Expr::cust_with_exprs(
            "$1 = ANY(ARRAY(SELECT unnest(CAST($2 AS BIGINT[]))))",
            [column, Expr::val(format!("{{{list}}}"))],
        ),
        _ => Expr::cust_with_exprs(
            "? IN (SELECT value FROM json_each(?))",
            [column, Expr::val(format!("[{list}]"))],
        ),
    }
}

/// The period of a dated table, for year filters ([`crate::store::loader::Filter::YearsOverlap`]), as `'static` SQL.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Period {
    /// Where a row's period ends: `COALESCE(year_to, year_from)`.
    ends: String,
    /// Where it starts: `COALESCE(year_from, year_to)`.
    starts: String,
}

impl Period {
    pub(crate) fn of<E: Dated>() -> Period {
        let (ends, starts) = def::period::<E>();
        Period { ends, starts }
    }

    /// The rows whose period overlaps `[from, to]` (either end open).
    pub fn overlaps(&'static self, from: Option<i32>, to: Option<i32>) -> Condition {
        let mut c = Condition::all();
        if let Some(from) = from {
            c = c.add(Expr::cust(self.ends.as_str()).gte(from));
        }
        if let Some(to) = to {
            c = c.add(Expr::cust(self.starts.as_str()).lte(to));
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use entities::participation;
    use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};

    use super::*;

    #[test]
    fn an_id_list_names_its_column_as_the_builder_writes_it() {
        let select = |backend, column: Expr| {
            Query::select()
                .column(participation::Column::TargetId)
                .from(participation::Entity)
                .cond_where(id_in(backend, column, &[4, 5]))
                .to_owned()
        };
        let qualified = || seeds::ties::alias::Q.col(participation::Column::OrganizationId);
        let (pg, _) = select(DbBackend::Postgres, qualified()).build(PostgresQueryBuilder);
        assert_eq!(
            pg,
            r#"SELECT "target_id" FROM "participation" WHERE "q"."organization_id" = ANY(ARRAY(SELECT unnest(CAST($1 AS BIGINT[]))))"#
        );
        let (lite, _) = select(DbBackend::Sqlite, qualified()).build(SqliteQueryBuilder);
        assert_eq!(
            lite,
            r#"SELECT "target_id" FROM "participation" WHERE "q"."organization_id" IN (SELECT value FROM json_each(?))"#
        );
        // An entity's column alone is quoted, as the by-id loader has always written its key.
        let own = Expr::col(participation::Column::ParticipationId);
        let (pg, values) = select(DbBackend::Postgres, own).build(PostgresQueryBuilder);
        assert!(pg.ends_with(
            r#"WHERE "participation_id" = ANY(ARRAY(SELECT unnest(CAST($1 AS BIGINT[]))))"#
        ));
        assert_eq!(values.0, vec![sea_orm::Value::from("{4,5}")]);
    }
}
