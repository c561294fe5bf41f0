//! The orders child lists and root lists are paged in, and the child specs that carry them.
//!
//! Each ordering names its sort keys as SQL; the page-order indexes of the migration
//! `m20261203_000001_page_order_indexes` are built for exactly these keys.

use super::loader::{ChildSpec, Filter};
use super::page::{Ordering, ParentColumn, SortKey};

/// Builds a child spec.
pub fn spec(
    table: &'static str,
    parent_column: &'static str,
    filters: Vec<Filter>,
    ordering: Ordering,
) -> ChildSpec {
    ChildSpec {
        table,
        parent_column: ParentColumn::One(parent_column),
        filters,
        ordering,
    }
}

/// Orderings by primary key, one per table, for lists that have no natural order.
pub mod by_key {
    use super::{Ordering, SortKey};

    macro_rules! orderings {
        ($($name:ident = $column:literal),* $(,)?) => {
            $(pub const $name: Ordering = Ordering { keys: &[SortKey::int($column, $column)] };)*
        };
    }

    orderings! {
        CITATION = "citation_id",
        PARTICIPATION = "participation_id",
        FUNDING = "funding_id",
        RELATION = "organization_relation_id",
        POSITION = "position_id",
        CLASSIFICATION = "classification_id",
        AUDIENCE = "audience_id",
        OUTCOME = "outcome_id",
        IDENTIFIER = "identifier_id",
        ALIAS = "alias_id",
        LIBRARY = "organization_id",
    }
}

/// Orderings by folded name, then id.
pub mod by_name {
    use super::{Ordering, SortKey};

    macro_rules! orderings {
        ($($name:ident = $column:literal),* $(,)?) => {
            $(pub const $name: Ordering = Ordering {
                keys: &[SortKey::text("sort_key", "sort_key"), SortKey::int($column, $column)],
            };)*
        };
    }

    orderings! {
        ORGANIZATION = "organization_id",
        LIBRARY = "organization_id",
        PLACE = "place_id",
        PROGRAMME = "programme_id",
        PROJECT = "project_id",
        EVENT = "event_id",
        PERSON = "person_id",
        TOPIC = "topic_id",
        TARGET_GROUP = "target_group_id",
    }
}

/// Orderings by date (earliest first, undated last), then id.
pub mod by_date {
    use super::{Ordering, SortKey};

    macro_rules! orderings {
        ($($name:ident = $column:literal),* $(,)?) => {
            $(pub const $name: Ordering = Ordering {
                keys: &[
                    SortKey::int("COALESCE(year_from, 99999)", "year_key"),
                    SortKey::text("COALESCE(start_date, '')", "date_key"),
                    SortKey::int($column, $column),
                ],
            };)*
        };
    }

    orderings! {
        PROGRAMME = "programme_id",
        PROJECT = "project_id",
        EVENT = "event_id",
        OUTCOME = "outcome_id",
        PARTICIPATION = "participation_id",
        FUNDING = "funding_id",
    }
}
