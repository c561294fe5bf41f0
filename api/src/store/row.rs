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

    /// The model in the columns at `positions` of `row` (one per column, in [`Decode::COLUMNS`]
    /// order), as laid out by [`SharedColumns`]; `trusted` as in [`Decode::read`].
    fn read_from(row: &QueryResult, positions: &[usize], trusted: bool) -> Result<Self, DbErr>;
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

    /// The model in the columns at `positions` of `row` ([`Decode::read_from`]).
    pub fn decode_from(&mut self, row: &QueryResult, positions: &[usize]) -> Result<M, DbErr> {
        let model = M::read_from(row, positions, self.checked)?;
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

/// The columns of several tables laid side by side in the rows of one `UNION ALL`, one branch
/// per table: each table's columns take slots of their own type, and a slot that one table
/// fills is shared with the other tables' columns of that type, so a row carries as many
/// columns as the widest table needs of each type, not every table's columns. The three
/// activity tables (16, 15 and 17 columns) share 18 slots this way, where side by side they
/// took 48, most of them NULL in every row.
///
/// A branch selects its table's column in each slot it fills and a NULL of the slot's type in
/// the others; a model reads its columns from its slots ([`Decode::read_from`]).
pub struct SharedColumns {
    /// Each slot's SQL type (see [`cast_type`]), which every branch's value in it has.
    slots: Vec<&'static str>,
    /// For each table, in the order given, its [`Decode::COLUMNS`] and the slot each is in.
    tables: Vec<(&'static str, &'static [&'static str], Vec<usize>)>,
}

/// A table's columns in [`Decode::COLUMNS`] order, with the SQL type of each.
pub struct TableColumns {
    table: &'static str,
    columns: &'static [&'static str],
    types: Vec<&'static str>,
}

impl TableColumns {
    pub fn of<E: EntityTrait>() -> Result<Self, DbErr>
    where
        E::Model: Decode,
    {
        let table = E::default().table_name();
        let types = E::Model::COLUMNS
            .iter()
            .map(|name| {
                E::Column::iter()
                    .find(|column| column.as_str() == *name)
                    .and_then(|column| cast_type(column.def().get_column_type()))
                    .ok_or_else(|| {
                        DbErr::Type(format!("column {table}.{name} has no type to share a slot"))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(TableColumns {
            table,
            columns: E::Model::COLUMNS,
            types,
        })
    }
}

impl SharedColumns {
    /// Slots for `tables`: each column goes in the first slot of its type that its table has
    /// not filled yet, or a new one.
    pub fn new(tables: Vec<TableColumns>) -> Self {
        let mut slots: Vec<&'static str> = Vec::new();
        let mut laid = Vec::with_capacity(tables.len());
        for table in tables {
            let mut filled = vec![false; slots.len()];
            let mut positions = Vec::with_capacity(table.columns.len());
            for sql_type in &table.types {
                let free = (0..slots.len()).find(|&slot| slots[slot] == *sql_type && !filled[slot]);
                let slot = free.unwrap_or_else(|| {
                    slots.push(sql_type);
                    filled.push(false);
                    slots.len() - 1
                });
                filled[slot] = true;
                positions.push(slot);
            }
            laid.push((table.table, table.columns, positions));
        }
        SharedColumns {
            slots,
            tables: laid,
        }
    }

    /// How many columns the slots take.
    pub fn width(&self) -> usize {
        self.slots.len()
    }

    /// Selects the slots for the branch reading table `branch` (its index in [`Self::new`]'s
    /// list): its columns in their slots, NULLs of the slot's type in the others.
    pub fn select(&self, select: &mut SelectStatement, branch: usize) {
        let (table, columns, positions) = &self.tables[branch];
        for (slot, sql_type) in self.slots.iter().enumerate() {
            match positions.iter().position(|&p| p == slot) {
                Some(column) => {
                    select.column((Alias::new(*table), Alias::new(columns[column])));
                }
                None => {
                    select.expr(Expr::cust(format!("CAST(NULL AS {sql_type})")));
                }
            }
        }
    }

    /// The row positions of table `branch`'s columns, in [`Decode::COLUMNS`] order, when the
    /// slots start at column `at`.
    pub fn positions(&self, branch: usize, at: usize) -> Vec<usize> {
        self.tables[branch].2.iter().map(|slot| at + slot).collect()
    }
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
    GeoMatch,
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

            fn read_from(row: &QueryResult, positions: &[usize], trusted: bool) -> Result<Self, DbErr> {
                let mut positions = positions.iter().copied();
                let mut next = || {
                    positions.next().ok_or_else(|| {
                        DbErr::Type(format!("{} read from too few columns", stringify!($module)))
                    })
                };
                Ok(entities::$module::Model {
                    $($field: Cell::take(row, next()?, trusted)?),+
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
    citation { citation_id, record_id, alias_id, source_id, quote, basis, reasoning }
    classification { classification_id, subject_id, topic_id }
    collaboration { organization_id, sort_key, partner_id, weight, shared_count, first_year, last_year }
    event { event_id, slug, kind, name, name_lang, name_en, sort_key, description, start_date, end_date, date_note, year_from, year_to, recurrence, place_id, project_id, programme_id, part_of_id }
    funding { funding_id, funder_id, recipient_id, programme_id, intermediary_id, instrument, amount_minor, currency, start_date, end_date, date_note, year_from, year_to, description }
    identifier { identifier_id, organization_id, scheme, value }
    library { organization_id, library_type, address, opening_hours, parent_library_id }
    organization { organization_id, slug, kind, name, name_lang, name_en, sort_key, description, website, email, phone, place_id }
    organization_relation { organization_relation_id, subject_id, kind, object_id, start_date, end_date, date_note, year_from, year_to, description }
    outcome { outcome_id, slug, subject_id, description, description_lang, description_en, indicator, value, value_qualifier, unit, baseline, target, start_date, end_date, year_from, year_to }
    participation { participation_id, organization_id, target_id, target_kind, role, start_date, end_date, date_note, year_from, year_to, description }
    person { person_id, slug, name, name_lang, sort_key, description }
    place { place_id, slug, kind, name, name_lang, name_en, sort_key, country_code, parent_id, latitude, longitude, geo_match, geo_note }
    position { position_id, person_id, organization_id, title, title_lang, start_date, end_date, year_from, year_to }
    programme { programme_id, slug, kind, name, name_lang, name_en, sort_key, code, description, parent_id, start_date, end_date, date_note, year_from, year_to }
    project { project_id, slug, name, name_lang, name_en, sort_key, description, why, what, programme_id, place_id, start_date, end_date, date_note, year_from, year_to }
    record { record_id, kind, key, version }
    source { source_id, slug, title, url, publisher_id, language, published, document, description }
    source_text { source_id, text }
    target_group { target_group_id, slug, name, name_lang, name_en, sort_key, description }
    topic { topic_id, slug, kind, code, name, name_lang, name_en, sort_key, description }
}

#[cfg(test)]
mod shared_tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, Query};

    use super::{Decode, SharedColumns, TableColumns};
    use entities::{event, programme, project};

    fn activity_slots() -> SharedColumns {
        SharedColumns::new(vec![
            TableColumns::of::<project::Entity>().unwrap(),
            TableColumns::of::<programme::Entity>().unwrap(),
            TableColumns::of::<event::Entity>().unwrap(),
        ])
    }

    /// The activity loader's union: the three tables share slots of their types, so a row is
    /// as wide as the widest table's need of each type, and a branch selects each of its
    /// columns once, in a slot no other column of its table is in.
    #[test]
    fn activity_tables_share_typed_slots() {
        let shared = activity_slots();
        // bigint: event's five ids; text: eleven each; integer: the two years.
        assert_eq!(shared.width(), 5 + 11 + 2);
        for (branch, (table, columns)) in [
            ("project", project::Model::COLUMNS),
            ("programme", programme::Model::COLUMNS),
            ("event", event::Model::COLUMNS),
        ]
        .into_iter()
        .enumerate()
        {
            let positions = shared.positions(branch, 2);
            let mut distinct = positions.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), columns.len(), "{table}");
            assert!(
                positions
                    .iter()
                    .all(|&p| (2..2 + shared.width()).contains(&p))
            );

            let mut select = Query::select();
            shared.select(&mut select, branch);
            let sql = select.to_string(PostgresQueryBuilder);
            for column in columns {
                assert_eq!(
                    sql.matches(&format!("\"{table}\".\"{column}\"")).count(),
                    1,
                    "{sql}"
                );
            }
            assert_eq!(
                sql.matches("CAST(NULL AS ").count(),
                shared.width() - columns.len(),
                "{sql}"
            );
        }
    }

    /// A slot holds one type in every branch, or PostgreSQL refuses the union.
    #[test]
    fn a_slot_has_one_type_in_every_branch() {
        let shared = activity_slots();
        for branch in 0..3 {
            let mut select = Query::select();
            shared.select(&mut select, branch);
            let sql = select.to_string(PostgresQueryBuilder);
            let table = ["project", "programme", "event"][branch];
            // Each NULL's type is the slot's; each column's is checked by the union itself
            // (the loader's tests run it on both stores).
            for (slot, sql_type) in shared.slots.iter().enumerate() {
                let filled = shared.tables[branch].2.contains(&slot);
                let item = sql.split(", ").nth(slot).unwrap().to_owned();
                if filled {
                    assert!(item.contains(&format!("\"{table}\".")), "{item}");
                } else {
                    assert!(
                        item.contains(&format!("CAST(NULL AS {sql_type})")),
                        "{item}"
                    );
                }
            }
        }
    }
}
