//! The orders lists are read in, as expressions over a table's columns, and the indexes that
//! hold each parent's rows in one of those orders: one definition that the API's statements (the
//! store's orderings) and the migrations' indexes are both rendered from, so nothing has to match
//! "character for character" by hand.
//!
//! It matters because a planner uses an expression index only for the expression the index was
//! built on: PostgreSQL compares the parsed expressions, so an `ORDER BY COALESCE(year_from,
//! 99999)` reads an index on `(COALESCE(year_from, 99999))` in order, and one on
//! `(COALESCE(year_from, 9999))` not at all (it sorts every row of the parent instead: 20 ms
//! against 7 ms for the heavy benchmark query's third level, see
//! `m20261203_000001_page_order_indexes`).
//!
//! Column names come from the entities' columns ([`IdenStatic::as_str`]) and table names from
//! their entities, so a renamed or misspelled column is a compile error rather than a statement
//! that silently stops using its index.
//!
//! A published migration renders its indexes from these definitions, and a test beside it pins
//! the SQL it has always run: a database already migrated never runs it again, so a change here
//! that would alter that SQL needs a new migration (and the old one its own frozen copy), not an
//! edit.

use std::sync::LazyLock;

use sea_orm::{
    ColumnTrait, ColumnType, EntityName, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn,
};

use crate::{
    citation, collaboration, event, funding, organization, outcome, participation, person, place,
    programme, project, target_group, topic,
};

/// The year an undated row sorts as, earliest first: after every real year, so undated rows come
/// last.
pub const UNDATED_YEAR: i32 = 99999;

/// One expression a list is sorted by. It never yields NULL (keyset comparisons with NULL are
/// neither true nor false): a nullable column is wrapped in `COALESCE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortExpr {
    /// A column that is never NULL: a primary key, a `sort_key`.
    Column {
        name: &'static str,
        /// Whether it holds text (else an integer), from the entity's column type.
        text: bool,
    },
    /// `COALESCE(column, fallback)`: a nullable column, NULL sorted as `fallback`.
    Coalesce {
        name: &'static str,
        fallback: Fallback,
    },
}

/// What a NULL sorts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fallback {
    Int(i32),
    /// Text without a quote (`''`, the empty text).
    Text(&'static str),
}

impl SortExpr {
    /// `column` itself; text or integer as the entity declares it.
    pub fn column<C: ColumnTrait>(column: C) -> Self {
        let text = matches!(
            column.def().get_column_type(),
            ColumnType::Text | ColumnType::String(_) | ColumnType::Char(_)
        );
        SortExpr::Column {
            name: column.as_str(),
            text,
        }
    }

    /// `COALESCE(column, fallback)`.
    pub fn coalesce<C: IdenStatic>(column: C, fallback: Fallback) -> Self {
        SortExpr::Coalesce {
            name: column.as_str(),
            fallback,
        }
    }

    /// Whether its values are text (else integers).
    pub fn is_text(&self) -> bool {
        match self {
            SortExpr::Column { text, .. } => *text,
            SortExpr::Coalesce { fallback, .. } => matches!(fallback, Fallback::Text(_)),
        }
    }

    /// The column it reads.
    pub fn column_name(&self) -> &'static str {
        match self {
            SortExpr::Column { name, .. } | SortExpr::Coalesce { name, .. } => name,
        }
    }

    /// Its SQL, as statements order by it: `sort_key`, `COALESCE(year_from, 99999)`. Names are
    /// left unquoted, as the statements and indexes have always written them (every name here
    /// is lowercase snake case, which needs no quotes).
    pub fn sql(&self) -> String {
        match self {
            SortExpr::Column { name, .. } => (*name).to_owned(),
            SortExpr::Coalesce {
                name,
                fallback: Fallback::Int(n),
            } => format!("COALESCE({name}, {n})"),
            SortExpr::Coalesce {
                name,
                fallback: Fallback::Text(text),
            } => format!("COALESCE({name}, '{text}')"),
        }
    }

    /// Its SQL as a column of an index: an expression goes in parentheses.
    pub fn index_sql(&self) -> String {
        match self {
            SortExpr::Column { name, .. } => (*name).to_owned(),
            SortExpr::Coalesce { .. } => format!("({})", self.sql()),
        }
    }
}

/// A table of named rows, ordered by name through `sort_key`, the folded name the loader
/// computes (so ordering ignores case and diacritics, identically on both databases).
pub trait Named: EntityTrait {
    const SORT_KEY: Self::Column;
}

/// A table of dated rows: the derived years and the EDTF start date.
pub trait Dated: EntityTrait {
    const YEAR_FROM: Self::Column;
    const YEAR_TO: Self::Column;
    const START_DATE: Self::Column;
}

macro_rules! named {
    ($($entity:ident),* $(,)?) => {
        $(impl Named for $entity::Entity {
            const SORT_KEY: $entity::Column = $entity::Column::SortKey;
        })*
    };
}
named!(
    organization,
    place,
    programme,
    project,
    event,
    person,
    topic,
    target_group
);

macro_rules! dated {
    ($($entity:ident),* $(,)?) => {
        $(impl Dated for $entity::Entity {
            const YEAR_FROM: $entity::Column = $entity::Column::YearFrom;
            const YEAR_TO: $entity::Column = $entity::Column::YearTo;
            const START_DATE: $entity::Column = $entity::Column::StartDate;
        })*
    };
}
dated!(programme, project, event, participation, funding);

/// The first column of `E`'s primary key: its own id, for every table with a list.
pub fn primary_key<E: EntityTrait>() -> Option<E::Column> {
    E::PrimaryKey::iter().next().map(|key| key.into_column())
}

/// The order rows were recorded in: by primary key.
pub fn by_key<E: EntityTrait>() -> Vec<SortExpr> {
    primary_key::<E>()
        .map(SortExpr::column)
        .into_iter()
        .collect()
}

/// By name, then id.
pub fn by_name<E: Named>() -> Vec<SortExpr> {
    let mut keys = vec![SortExpr::column(E::SORT_KEY)];
    keys.extend(by_key::<E>());
    keys
}

/// By start, earliest first (by year, then by start date), undated last; then id.
pub fn by_date<E: Dated>() -> Vec<SortExpr> {
    dated::<E>(UNDATED_YEAR)
}

/// The keys of [`by_date`] for reading latest first (each key descending): undated rows sort as
/// year `-99999`, so they still come last.
pub fn latest_first<E: Dated>() -> Vec<SortExpr> {
    dated::<E>(-UNDATED_YEAR)
}

fn dated<E: Dated>(undated: i32) -> Vec<SortExpr> {
    let mut keys = vec![
        SortExpr::coalesce(E::YEAR_FROM, Fallback::Int(undated)),
        SortExpr::coalesce(E::START_DATE, Fallback::Text("")),
    ];
    keys.extend(by_key::<E>());
    keys
}

/// The order of an organization's collaboration ties: strongest first (`sort_key`, the negated
/// weight), then partner.
pub fn tie_order() -> Vec<SortExpr> {
    vec![
        SortExpr::column(collaboration::Column::SortKey),
        SortExpr::column(collaboration::Column::PartnerId),
    ]
}

/// The `collaboration` table's primary key: the organization, then [`tie_order`], so that a page
/// of an organization's ties is a range of it. Its parent column, and its columns as SQL.
pub fn tie_primary_key() -> (collaboration::Column, String) {
    let parent = collaboration::Column::OrganizationId;
    let mut columns = vec![parent.as_str().to_owned()];
    columns.extend(tie_order().iter().map(SortExpr::index_sql));
    (parent, columns.join(", "))
}

/// The SQL of a dated table's period, for overlap filters: where the period ends
/// (`COALESCE(year_to, year_from)`) and where it starts (`COALESCE(year_from, year_to)`); a row
/// dated by one year alone lasts that year.
pub fn period<E: Dated>() -> (String, String) {
    let (from, to) = (E::YEAR_FROM.as_str(), E::YEAR_TO.as_str());
    (
        format!("COALESCE({to}, {from})"),
        format!("COALESCE({from}, {to})"),
    )
}

/// Which order a list is in, as index names say it (`…_by_date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    Key,
    Name,
    Date,
}

impl Order {
    fn suffix(self) -> &'static str {
        match self {
            Order::Key => "by_key",
            Order::Name => "by_name",
            Order::Date => "by_date",
        }
    }
}

/// An index holding each parent's rows in a list's order, so that a page of the list is the
/// first rows of one index range: `(parent, sort keys…)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageOrderIndex {
    pub table: &'static str,
    /// The column naming a row's parent (for a root list of one kind, the kind).
    pub parent: &'static str,
    pub order: Order,
    /// The list's sort keys, the primary key last.
    pub keys: Vec<SortExpr>,
}

impl PageOrderIndex {
    fn new<C: ColumnTrait>(parent: C, order: Order, keys: Vec<SortExpr>) -> Self {
        PageOrderIndex {
            table: C::EntityName::default().table_name(),
            parent: parent.as_str(),
            order,
            keys,
        }
    }

    /// `(parent, id)`.
    pub fn by_key<C>(parent: C) -> Self
    where
        C: ColumnTrait,
        C::EntityName: EntityTrait<Column = C>,
    {
        Self::new(parent, Order::Key, by_key::<C::EntityName>())
    }

    /// `(parent, sort_key, id)`.
    pub fn by_name<C>(parent: C) -> Self
    where
        C: ColumnTrait,
        C::EntityName: Named + EntityTrait<Column = C>,
    {
        Self::new(parent, Order::Name, by_name::<C::EntityName>())
    }

    /// `(parent, year, start date, id)`.
    pub fn by_date<C>(parent: C) -> Self
    where
        C: ColumnTrait,
        C::EntityName: Dated + EntityTrait<Column = C>,
    {
        Self::new(parent, Order::Date, by_date::<C::EntityName>())
    }

    /// `ix_<table>_<parent>_by_<order>`.
    pub fn name(&self) -> String {
        format!("ix_{}_{}_{}", self.table, self.parent, self.order.suffix())
    }

    /// The index's columns: `organization_id, (COALESCE(year_from, 99999)), …`.
    pub fn columns_sql(&self) -> String {
        let mut columns = vec![self.parent.to_owned()];
        columns.extend(self.keys.iter().map(SortExpr::index_sql));
        columns.join(", ")
    }

    /// `CREATE INDEX IF NOT EXISTS <name> ON <table> (<columns>)`.
    pub fn create_sql(&self) -> String {
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
            self.name(),
            self.table,
            self.columns_sql()
        )
    }
}

/// The page-order indexes, one per list that has one. Built once, on first use.
pub mod page_order {
    use super::*;

    macro_rules! indexes {
        ($($(#[$doc:meta])* $name:ident = $order:ident($entity:ident::$column:ident)),* $(,)?) => {
            $($(#[$doc])* pub static $name: LazyLock<PageOrderIndex> =
                LazyLock::new(|| PageOrderIndex::$order($entity::Column::$column));)*
        };
    }

    indexes! {
        /// An organization's participations, by date.
        PARTICIPATION_BY_ORGANIZATION = by_date(participation::OrganizationId),
        /// An activity's participations, by key.
        PARTICIPATION_BY_TARGET = by_key(participation::TargetId),
        /// A funder's fundings, by date.
        FUNDING_BY_FUNDER = by_date(funding::FunderId),
        /// A record's fundings, by key.
        FUNDING_BY_RECIPIENT = by_key(funding::RecipientId),
        /// An organization's fundings received directly, by date (created by
        /// `m20261208_000001_funding_recipient_by_date`).
        FUNDING_BY_RECIPIENT_BY_DATE = by_date(funding::RecipientId),
        /// The fundings whose money flows through a programme, by key (created by
        /// `m20261211_000002_funding_through_programme`).
        FUNDING_BY_PROGRAMME = by_key(funding::ProgrammeId),
        /// A record's outcomes, by key.
        OUTCOME_BY_SUBJECT = by_key(outcome::SubjectId),
        /// A record's citations, by key.
        CITATION_BY_RECORD = by_key(citation::RecordId),
        /// A source's citations, by key.
        CITATION_BY_SOURCE = by_key(citation::SourceId),
        /// The organizations of one kind, by name (`libraries`, `organizations(filter: {kinds: …})`).
        ORGANIZATION_BY_KIND = by_name(organization::Kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_render_as_the_statements_write_them() {
        let sql = |keys: Vec<SortExpr>| keys.iter().map(SortExpr::sql).collect::<Vec<_>>();
        assert_eq!(
            sql(by_date::<participation::Entity>()),
            [
                "COALESCE(year_from, 99999)",
                "COALESCE(start_date, '')",
                "participation_id"
            ]
        );
        assert_eq!(
            sql(latest_first::<event::Entity>()),
            [
                "COALESCE(year_from, -99999)",
                "COALESCE(start_date, '')",
                "event_id"
            ]
        );
        assert_eq!(
            sql(by_name::<organization::Entity>()),
            ["sort_key", "organization_id"]
        );
        assert_eq!(
            period::<participation::Entity>(),
            (
                "COALESCE(year_to, year_from)".to_owned(),
                "COALESCE(year_from, year_to)".to_owned()
            )
        );
    }

    #[test]
    fn sort_keys_know_text_from_integers() {
        let kinds = |keys: Vec<SortExpr>| keys.iter().map(SortExpr::is_text).collect::<Vec<_>>();
        assert_eq!(kinds(by_name::<person::Entity>()), [true, false]);
        assert_eq!(kinds(by_date::<funding::Entity>()), [false, true, false]);
        assert_eq!(kinds(tie_order()), [false, false]);
    }
}
