//! An entity's table under an alias, for statements that join a table twice or that name their
//! tables short (`participation AS p`): the alias is written once, as a constant, and the
//! columns it qualifies can only be its entity's. `P.col(participation::Column::TargetId)` is
//! `"p"."target_id"`; `P.col(project::Column::ProjectId)` does not compile, where the SQL text
//! `p.project_id` ran and failed (or, worse, read another table's column of the same name).

use std::borrow::Cow;
use std::marker::PhantomData;

use sea_orm::EntityTrait;
use sea_orm::sea_query::{Expr, Iden};

/// The table of entity `E` under `alias`.
pub struct Aliased<E> {
    alias: &'static str,
    // `fn() -> E`: the alias is `Copy`, `Send` and `Sync` whatever `E` is.
    entity: PhantomData<fn() -> E>,
}

impl<E: EntityTrait> Aliased<E> {
    /// `E`'s table as `alias`: a lowercase name that needs no quotes, unique within a statement.
    pub const fn new(alias: &'static str) -> Self {
        Aliased {
            alias,
            entity: PhantomData,
        }
    }

    /// The aliased table, for `FROM` and `JOIN`: `from_as(P.table(), P)`.
    pub fn table(self) -> E {
        E::default()
    }

    /// `column` of the aliased table: `"p"."target_id"`.
    pub fn col(self, column: E::Column) -> Expr {
        Expr::col((self, column))
    }
}

impl<E> Clone for Aliased<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Aliased<E> {}

impl<E> std::fmt::Debug for Aliased<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.alias)
    }
}

impl<E> Iden for Aliased<E> {
    // As sea-orm's own columns do: a plain name is written as it is, without a copy.
    fn quoted(&self) -> Cow<'static, str> {
        if sea_orm::sea_query::is_static_iden(self.alias) {
            Cow::Borrowed(self.alias)
        } else {
            Cow::Owned(self.alias.to_owned())
        }
    }

    fn unquoted(&self) -> &str {
        self.alias
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{ExprTrait, PostgresQueryBuilder, Query, SqliteQueryBuilder};

    use super::*;
    use crate::{participation, record};

    #[test]
    fn an_aliased_column_is_qualified_by_the_alias() {
        const P: Aliased<participation::Entity> = Aliased::new("p");
        const R: Aliased<record::Entity> = Aliased::new("r");
        let select = Query::select()
            .expr(R.col(record::Column::Kind))
            .from_as(P.table(), P)
            .join_as(
                sea_orm::JoinType::InnerJoin,
                R.table(),
                R,
                R.col(record::Column::RecordId)
                    .eq(P.col(participation::Column::TargetId)),
            )
            .to_owned();
        let expected = r#"SELECT "r"."kind" FROM "participation" AS "p" INNER JOIN "record" AS "r" ON "r"."record_id" = "p"."target_id""#;
        assert_eq!(select.to_string(PostgresQueryBuilder), expected);
        assert_eq!(select.to_string(SqliteQueryBuilder), expected);
    }
}
