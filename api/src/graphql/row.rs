//! Reading models out of result rows by position.
//!
//! sea-orm's `from_query_result` reads each column by name, and reads an optional column by
//! trying the plain type and catching the error: every NULL formats an error message (the
//! column's name, through `Debug`) only to throw it away, and every column is found by hashing
//! its name. In a `perf` profile of the nested benchmark query that was about a tenth of the
//! server's CPU: its rows are mostly optional columns left empty (a project's `why`, `what`,
//! end date, English name…).
//!
//! Here a model is read from consecutive columns starting at a position, each as an `Option`
//! straight from the driver, so an empty column costs nothing. [`Decode::COLUMNS`] is the order
//! a statement must select them in: the statements built here ([`select_columns`]) take it from
//! there, never from the table's own column order.

use sea_orm::sea_query::{Alias, ColumnType, Expr, SelectStatement};
use sea_orm::sqlx::{self, Row as _};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, IdenStatic, Iterable, QueryResult};

/// A model read from consecutive columns of a row. Columns are never looked up by name, so a
/// statement may select two tables' columns of the same name side by side.
pub trait Decode: Sized {
    /// Its columns, in the order [`Decode::decode`] reads them.
    const COLUMNS: &'static [&'static str];

    /// The model in the columns `at..at + COLUMNS.len()` of `row`, each column's type checked
    /// against its field's.
    fn decode(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
        Self::read(row, at, false)
    }

    /// [`Decode::decode`]; `trusted` when the columns' types were checked on an earlier row of
    /// the same statement (see [`Decoder`]).
    fn read(row: &QueryResult, at: usize, trusted: bool) -> Result<Self, DbErr>;
}

/// Decodes the rows of one statement as `M`: the first with every column's type checked
/// against the model's fields (the declared type, so a NULL does not skip the check), the rest
/// trusting it, as a statement's column has one type for all its rows. The driver's own check
/// of every cell was 7 % of the server's instructions in the nested benchmark query.
pub struct Decoder<M> {
    checked: bool,
    model: std::marker::PhantomData<fn() -> M>,
}

impl<M: Decode> Default for Decoder<M> {
    fn default() -> Self {
        Decoder {
            checked: false,
            model: std::marker::PhantomData,
        }
    }
}

impl<M: Decode> Decoder<M> {
    /// Whether a row has been decoded, so the next one's columns can be trusted.
    pub fn trusted(&self) -> bool {
        self.checked
    }

    /// The model in the columns `at..` of `row`, a row of this decoder's statement.
    pub fn decode(&mut self, row: &QueryResult, at: usize) -> Result<M, DbErr> {
        let model = M::read(row, at, self.checked)?;
        self.checked = true;
        Ok(model)
    }
}

/// Selects `M`'s columns of `table`, in [`Decode::COLUMNS`] order.
pub fn select_columns<M: Decode>(select: &mut SelectStatement, table: &str) {
    for column in M::COLUMNS {
        select.column((Alias::new(table), Alias::new(*column)));
    }
}

/// Selects, for each of `E`'s columns in [`Decode::COLUMNS`] order, a NULL of that column's
/// type: what one branch of a `UNION ALL` selects in the place of another table's columns. A
/// bare NULL will not do, because PostgreSQL types a column that two branches leave NULL as
/// `text` before it meets the third branch's `bigint`.
pub fn select_nulls<E: EntityTrait>(select: &mut SelectStatement) -> Result<(), DbErr>
where
    E::Model: Decode,
{
    for name in E::Model::COLUMNS {
        let sql_type = E::Column::iter()
            .find(|column| column.as_str() == *name)
            .and_then(|column| cast_type(column.def().get_column_type()))
            .ok_or_else(|| {
                DbErr::Type(format!(
                    "column {}.{name} has no NULL to stand for it",
                    E::default().table_name()
                ))
            })?;
        select.expr(Expr::cust(format!("CAST(NULL AS {sql_type})")));
    }
    Ok(())
}

/// The SQL type a NULL is cast to for a column of `column_type`, on both stores (SQLite takes
/// a type's name for its affinity); `None` for types the schema does not use.
fn cast_type(column_type: &ColumnType) -> Option<&'static str> {
    Some(match column_type {
        ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => "TEXT",
        ColumnType::TinyInteger | ColumnType::SmallInteger | ColumnType::Integer => "INTEGER",
        ColumnType::BigInteger => "BIGINT",
        ColumnType::Float | ColumnType::Double => "DOUBLE PRECISION",
        ColumnType::Boolean => "BOOLEAN",
        _ => return None,
    })
}

/// A value one column holds.
pub trait Cell: Sized {
    /// The column's value; `None` where it is NULL. Unless `trusted` (the column's type was
    /// checked on an earlier row of the statement), the type is checked first.
    fn read(row: &QueryResult, index: usize, trusted: bool) -> Result<Option<Self>, DbErr>;

    /// The column's value, which must not be NULL.
    fn take(row: &QueryResult, index: usize, trusted: bool) -> Result<Self, DbErr> {
        Self::read(row, index, trusted)?.ok_or_else(|| {
            DbErr::Type(format!(
                "column {index} ({}) is NULL",
                column_name(row, index)
            ))
        })
    }

    /// The column's value, its type checked; `None` where it is NULL.
    fn get_opt(row: &QueryResult, index: usize) -> Result<Option<Self>, DbErr> {
        Self::read(row, index, false)
    }

    /// The column's value, its type checked, which must not be NULL.
    fn get(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
        Self::take(row, index, false)
    }
}

impl<T: Cell> Cell for Option<T> {
    fn read(row: &QueryResult, index: usize, trusted: bool) -> Result<Option<Self>, DbErr> {
        T::read(row, index, trusted).map(Some)
    }

    fn take(row: &QueryResult, index: usize, trusted: bool) -> Result<Self, DbErr> {
        T::read(row, index, trusted)
    }
}

/// The name of column `index`, for error messages.
fn column_name(row: &QueryResult, index: usize) -> String {
    row.column_names()
        .into_iter()
        .nth(index)
        .unwrap_or_else(|| "out of range".to_owned())
}

fn decode_error(row: &QueryResult, index: usize, error: sqlx::Error) -> DbErr {
    DbErr::Type(format!(
        "column {index} ({}): {error}",
        column_name(row, index)
    ))
}

/// Implements [`Cell`] for types the drivers decode themselves. On PostgreSQL a trusted column
/// skips the driver's check (the type of the column is the same for every row), for the types
/// whose decoding checks what it reads anyway (an integer's width, a text's UTF-8), so a wrong
/// column could only ever be an error, never a panic. SQLite types each value, not the column,
/// so every value there is checked.
macro_rules! driver_cells {
    ($($ty:ty: $trust:literal),* $(,)?) => {
        $(impl Cell for $ty {
            fn read(row: &QueryResult, index: usize, trusted: bool) -> Result<Option<Self>, DbErr> {
                let value = if let Some(pg) = row.try_as_pg_row() {
                    if trusted && $trust {
                        pg.try_get_unchecked::<Option<$ty>, usize>(index)
                    } else {
                        check_pg_column::<$ty>(pg, index)
                            .and_then(|()| pg.try_get::<Option<$ty>, usize>(index))
                    }
                } else if let Some(row) = row.try_as_sqlite_row() {
                    row.try_get::<Option<$ty>, usize>(index)
                } else {
                    return Err(DbErr::Type("a row of an unsupported driver".to_owned()));
                };
                value.map_err(|error| decode_error(row, index, error))
            }
        })*
    };
}

driver_cells!(i64: true, i32: true, String: true, f64: false, bool: false);

/// Whether PostgreSQL column `index` has a type `T` decodes: its declared type, so a NULL in
/// this row does not leave it unchecked for the trusted rows after it.
fn check_pg_column<T>(row: &sqlx::postgres::PgRow, index: usize) -> Result<(), sqlx::Error>
where
    T: sqlx::Type<sqlx::Postgres>,
{
    use sqlx::{Column as _, TypeInfo as _};
    let Some(column) = row.columns().get(index) else {
        return Err(sqlx::Error::ColumnIndexOutOfBounds {
            index,
            len: row.columns().len(),
        });
    };
    let declared = column.type_info();
    if declared.is_null() || T::compatible(declared) {
        Ok(())
    } else {
        Err(sqlx::Error::ColumnDecode {
            index: index.to_string(),
            source: format!(
                "the column is {}, which {} does not decode",
                declared.name(),
                std::any::type_name::<T>()
            )
            .into(),
        })
    }
}

/// Implements [`Cell`] for the text-backed vocabularies of [`entities::kinds`].
macro_rules! text_enum_cells {
    ($($ty:ident),* $(,)?) => {
        $(impl Cell for entities::kinds::$ty {
            fn read(row: &QueryResult, index: usize, trusted: bool) -> Result<Option<Self>, DbErr> {
                match String::read(row, index, trusted)? {
                    None => Ok(None),
                    Some(text) => entities::kinds::$ty::parse(&text).map(Some).ok_or_else(|| {
                        DbErr::Type(format!(
                            "column {index} ({}): {text:?} is not a {}",
                            column_name(row, index),
                            stringify!($ty)
                        ))
                    }),
                }
            }
        })*
    };
}

text_enum_cells!(
    CitationBasis,
    EventKind,
    FundingInstrument,
    IdentifierScheme,
    LibraryType,
    OrganizationKind,
    OrganizationRelationKind,
    PlaceKind,
    ProgrammeKind,
    RecordKind,
    Role,
    TopicKind,
    ValueQualifier,
);

/// Implements [`Decode`] for a model from its fields, which are its columns: a field left out
/// or misnamed does not compile, and `tests::columns_are_the_tables` checks the names against
/// the entity's columns.
macro_rules! decode_models {
    ($($module:ident { $($field:ident),+ $(,)? })+) => {
        $(impl Decode for entities::$module::Model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn read(row: &QueryResult, at: usize, trusted: bool) -> Result<Self, DbErr> {
                let mut index = at;
                let mut next = || {
                    index += 1;
                    index - 1
                };
                // Fields are evaluated in the order written, which is `COLUMNS`'s.
                Ok(entities::$module::Model {
                    $($field: Cell::take(row, next(), trusted)?),+
                })
            }
        })+

        #[cfg(test)]
        mod tests {
            use sea_orm::{EntityTrait, IdenStatic, Iterable};

            use super::Decode;

            #[test]
            fn columns_are_the_tables() {
                $({
                    let mut table: Vec<String> =
                        <entities::$module::Entity as EntityTrait>::Column::iter()
                            .map(|c| c.as_str().to_owned())
                            .collect();
                    let mut decoded: Vec<String> = <entities::$module::Model as Decode>::COLUMNS
                        .iter()
                        .map(|c| (*c).to_owned())
                        .collect();
                    table.sort();
                    decoded.sort();
                    assert_eq!(decoded, table, "{}", stringify!($module));
                })+
            }
        }
    };
}

decode_models! {
    alias { alias_id, record_id, name, lang }
    audience { audience_id, subject_id, target_group_id }
    citation { citation_id, record_id, source_id, quote, basis, reasoning }
    classification { classification_id, subject_id, topic_id }
    collaboration { organization_id, sort_key, partner_id, weight, shared_count, first_year, last_year }
    event { event_id, slug, kind, name, name_lang, name_en, sort_key, description, start_date, end_date, date_note, year_from, year_to, recurrence, place_id, project_id, programme_id, part_of_id }
    funding { funding_id, funder_id, recipient_id, programme_id, intermediary_id, instrument, amount_minor, currency, start_date, end_date, date_note, year_from, year_to, description }
    identifier { identifier_id, organization_id, scheme, value }
    library { organization_id, library_type, address, opening_hours, parent_library_id }
    organization { organization_id, slug, kind, name, name_lang, name_en, sort_key, description, website, email, phone, place_id }
    organization_relation { organization_relation_id, subject_id, kind, object_id, start_date, end_date, date_note, year_from, year_to, description }
    outcome { outcome_id, slug, subject_id, description, description_lang, description_en, indicator, value, value_qualifier, unit, baseline, target, start_date, end_date, year_from, year_to }
    participation { participation_id, organization_id, target_id, role, start_date, end_date, date_note, year_from, year_to, description }
    person { person_id, slug, name, name_lang, sort_key, description }
    place { place_id, slug, kind, name, name_lang, name_en, sort_key, country_code, parent_id, latitude, longitude }
    position { position_id, person_id, organization_id, title, title_lang, start_date, end_date, year_from, year_to }
    programme { programme_id, slug, kind, name, name_lang, name_en, sort_key, code, description, parent_id, start_date, end_date, date_note, year_from, year_to }
    project { project_id, slug, name, name_lang, name_en, sort_key, description, why, what, programme_id, place_id, start_date, end_date, date_note, year_from, year_to }
    record { record_id, kind, key }
    source { source_id, slug, title, url, publisher_id, language, published, document, description }
    target_group { target_group_id, slug, name, name_lang, name_en, sort_key, description }
    topic { topic_id, slug, kind, code, name, name_lang, name_en, sort_key, description }
}

#[cfg(test)]
mod null_tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, Query};

    use super::{Decode, select_nulls};

    /// The activity loader's union stands NULLs for every column of the three activity tables.
    #[test]
    fn activity_columns_have_typed_nulls() {
        let mut select = Query::select();
        select_nulls::<entities::project::Entity>(&mut select).unwrap();
        select_nulls::<entities::programme::Entity>(&mut select).unwrap();
        select_nulls::<entities::event::Entity>(&mut select).unwrap();
        let sql = select.to_string(PostgresQueryBuilder);
        let columns = <entities::project::Model as Decode>::COLUMNS.len()
            + <entities::programme::Model as Decode>::COLUMNS.len()
            + <entities::event::Model as Decode>::COLUMNS.len();
        assert_eq!(sql.matches("CAST(NULL AS ").count(), columns, "{sql}");
        for sql_type in ["BIGINT", "INTEGER", "TEXT"] {
            assert!(sql.contains(&format!("CAST(NULL AS {sql_type})")), "{sql}");
        }
    }
}
