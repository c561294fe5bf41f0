//! The knowledge graph: the `record` supertype, entity and relation tables, provenance.
//!
//! Choices worth knowing before changing this file:
//! - Every entity and relation table takes its primary key from `record` (class-table
//!   inheritance). Citations, aliases, outcomes, fundings, participations, classifications and
//!   audiences point at "any record" through that one key, so their foreign keys are real ones
//!   instead of (type, id) pairs the database cannot check. Deleting a record cascades to its row.
//! - Text everywhere instead of VARCHAR(n) or native enums: both databases store it the same way,
//!   and a new enum value is a code change, not a migration. The loader validates values.
//! - Dates are EDTF text (`2021-23` is autumn 2021) because sources give partial dates; the
//!   derived `year_from`/`year_to` integers are what filters and sorts use, and they are indexed.
//! - Required references to other entities are `NO ACTION` (delete the relation first), optional
//!   ones `SET NULL`: nothing disappears silently because something it mentions did.
//! - Every foreign key and every filtered or sorted column has an index; natural keys are unique.
//! - Names are sorted by `sort_key`, the folded name (lowercase ASCII) that the loader computes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A table being defined, with the indexes to create after it.
struct TableDef {
    name: &'static str,
    create: TableCreateStatement,
    indexes: Vec<(Vec<String>, bool)>,
}

impl TableDef {
    /// A table with its own auto-increment key `<name>_id` (rows that are not records).
    fn plain(name: &'static str) -> Self {
        let mut create = Self::create_statement(name);
        create.col(big_pk_auto(format!("{name}_id")));
        TableDef {
            name,
            create,
            indexes: Vec::new(),
        }
    }

    /// An entity or relation table whose key `<name>_id` is its `record` row's id.
    fn record(name: &'static str) -> Self {
        let key = format!("{name}_id");
        let mut create = Self::create_statement(name);
        create.col(big_integer(key.clone()).primary_key());
        let mut table = TableDef {
            name,
            create,
            indexes: Vec::new(),
        };
        table.foreign_key(
            &key,
            "record",
            "record_id",
            ForeignKeyAction::Cascade,
            false,
        );
        table
    }

    fn create_statement(name: &'static str) -> TableCreateStatement {
        sea_orm_migration::prelude::Table::create()
            .table(name)
            .if_not_exists()
            .take()
    }

    fn col(mut self, column: ColumnDef) -> Self {
        let mut column = column;
        self.create.col(&mut column);
        self
    }

    /// A `slug` natural key, unique.
    fn slug(self) -> Self {
        self.col(text("slug")).unique(&["slug"])
    }

    /// The original-language name columns every named entity has, and `sort_key`: the folded
    /// name the loader computes, so ordering ignores case and diacritics and is identical on both
    /// databases (their collations differ).
    fn names(self) -> Self {
        self.col(text("name"))
            .col(text("name_lang"))
            .col(text_null("name_en"))
            .col(text("sort_key"))
            .index(&["sort_key"])
    }

    /// A period as EDTF text plus the derived, indexed year bounds.
    fn period(self, with_note: bool) -> Self {
        let table = self
            .col(text_null("start_date"))
            .col(text_null("end_date"))
            .col(integer_null("year_from"))
            .col(integer_null("year_to"))
            .index(&["year_from"])
            .index(&["year_to"]);
        if with_note {
            table.col(text_null("date_note"))
        } else {
            table
        }
    }

    /// A required reference, indexed.
    fn references(
        mut self,
        column: &'static str,
        to: &'static str,
        on_delete: ForeignKeyAction,
    ) -> Self {
        self = self.col(big_integer(column));
        self.foreign_key(column, to, &format!("{to}_id"), on_delete, true);
        self
    }

    /// An optional reference, indexed; deleting the target clears it.
    fn optional_reference(self, column: &'static str, to: &'static str) -> Self {
        self.optional_reference_to(column, to, &format!("{to}_id"))
    }

    fn optional_reference_to(
        mut self,
        column: &'static str,
        to: &'static str,
        to_column: &str,
    ) -> Self {
        self = self.col(big_integer_null(column));
        self.foreign_key(column, to, to_column, ForeignKeyAction::SetNull, true);
        self
    }

    /// A table that adds columns to `base`: same key, at most one row per base row.
    fn extension(name: &'static str, base: &'static str) -> Self {
        let key = format!("{base}_id");
        let mut create = Self::create_statement(name);
        create.col(big_integer(key.clone()).primary_key());
        let mut table = TableDef {
            name,
            create,
            indexes: Vec::new(),
        };
        table.foreign_key(&key, base, &key, ForeignKeyAction::Cascade, false);
        table
    }

    fn foreign_key(
        &mut self,
        column: &str,
        to: &str,
        to_column: &str,
        on_delete: ForeignKeyAction,
        index: bool,
    ) {
        let name = format!("fk_{}_{column}", self.name);
        self.create.foreign_key(
            ForeignKey::create()
                .name(name)
                .from(self.name, column.to_owned())
                .to(to.to_owned(), to_column.to_owned())
                .on_delete(on_delete),
        );
        if index {
            self.indexes.push((vec![column.to_owned()], false));
        }
    }

    fn index(mut self, columns: &[&'static str]) -> Self {
        self.indexes
            .push((columns.iter().map(|c| String::from(*c)).collect(), false));
        self
    }

    fn unique(mut self, columns: &[&'static str]) -> Self {
        self.indexes
            .push((columns.iter().map(|c| String::from(*c)).collect(), true));
        self
    }

    async fn create(self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        manager.create_table(self.create).await?;
        for (columns, unique) in self.indexes {
            let kind = if unique { "ux" } else { "ix" };
            let mut index = Index::create();
            index
                .name(format!("{kind}_{}_{}", self.name, columns.join("_")))
                .table(self.name)
                .if_not_exists();
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

use ForeignKeyAction::{Cascade, NoAction};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            TableDef::plain("record")
                .col(text("kind"))
                .col(text("key"))
                .unique(&["key"])
                .index(&["kind"]),
            TableDef::record("place")
                .slug()
                .col(text("kind"))
                .names()
                .col(text_null("country_code"))
                .optional_reference("parent_id", "place")
                .col(double_null("latitude"))
                .col(double_null("longitude"))
                .index(&["kind"])
                .index(&["country_code"]),
            TableDef::record("organization")
                .slug()
                .col(text("kind"))
                .names()
                .col(text_null("description"))
                .col(text_null("website"))
                .col(text_null("email"))
                .col(text_null("phone"))
                .optional_reference("place_id", "place")
                .index(&["kind"]),
            // `library` extends `organization`: same key, one row per library.
            TableDef::extension("library", "organization")
                .col(text_null("library_type"))
                .col(text_null("address"))
                .col(text_null("opening_hours"))
                .optional_reference_to("parent_library_id", "library", "organization_id")
                .index(&["library_type"]),
            TableDef::plain("source")
                .slug()
                .col(text("title"))
                .col(text_null("url"))
                .optional_reference("publisher_id", "organization")
                .col(text("language"))
                .col(text_null("published"))
                .col(text_null("document"))
                .col(text_null("description")),
            TableDef::plain("citation")
                .references("record_id", "record", Cascade)
                .references("source_id", "source", NoAction)
                .col(text("quote"))
                .col(text("basis"))
                .col(text_null("reasoning")),
            TableDef::plain("alias")
                .references("record_id", "record", Cascade)
                .col(text("name"))
                .col(text_null("lang"))
                .unique(&["record_id", "name"]),
            TableDef::plain("identifier")
                .references("organization_id", "organization", Cascade)
                .col(text("scheme"))
                .col(text("value"))
                .unique(&["scheme", "value"]),
            TableDef::record("programme")
                .slug()
                .col(text("kind"))
                .names()
                .col(text_null("code"))
                .col(text_null("description"))
                .optional_reference("parent_id", "programme")
                .period(true)
                .index(&["kind"]),
            TableDef::record("project")
                .slug()
                .names()
                .col(text_null("description"))
                .col(text_null("why"))
                .col(text_null("what"))
                .optional_reference("programme_id", "programme")
                .optional_reference("place_id", "place")
                .period(true),
            TableDef::record("event")
                .slug()
                .col(text("kind"))
                .names()
                .col(text_null("description"))
                .period(true)
                .col(text_null("recurrence"))
                .optional_reference("place_id", "place")
                .optional_reference("project_id", "project")
                .optional_reference("programme_id", "programme")
                .optional_reference("part_of_id", "event")
                .index(&["kind"]),
            TableDef::record("outcome")
                .slug()
                .references("subject_id", "record", NoAction)
                .col(text("description"))
                .col(text("description_lang"))
                .col(text_null("description_en"))
                .col(text_null("indicator"))
                .col(double_null("value"))
                .col(text_null("value_qualifier"))
                .col(text_null("unit"))
                .col(double_null("baseline"))
                .col(double_null("target"))
                .period(false),
            TableDef::record("person")
                .slug()
                .col(text("name"))
                .col(text("name_lang"))
                .col(text("sort_key"))
                .col(text_null("description"))
                .index(&["sort_key"]),
            TableDef::record("topic")
                .slug()
                .col(text("kind"))
                .col(text_null("code"))
                .names()
                .col(text_null("description"))
                .index(&["kind"]),
            TableDef::record("target_group")
                .slug()
                .names()
                .col(text_null("description")),
            TableDef::record("participation")
                .references("organization_id", "organization", NoAction)
                .references("target_id", "record", NoAction)
                .col(text("role"))
                .period(true)
                .col(text_null("description"))
                .index(&["role"])
                .unique(&["organization_id", "target_id", "role"]),
            TableDef::record("funding")
                .references("funder_id", "organization", NoAction)
                .references("recipient_id", "record", NoAction)
                .optional_reference("programme_id", "programme")
                .optional_reference("intermediary_id", "organization")
                .col(text_null("instrument"))
                .col(big_integer_null("amount_minor"))
                .col(text_null("currency"))
                .period(true)
                .col(text_null("description"))
                .index(&["currency"]),
            TableDef::record("organization_relation")
                .references("subject_id", "organization", NoAction)
                .col(text("kind"))
                .references("object_id", "organization", NoAction)
                .period(true)
                .col(text_null("description"))
                .index(&["kind"])
                .unique(&["subject_id", "kind", "object_id"]),
            TableDef::record("position")
                .references("person_id", "person", NoAction)
                .references("organization_id", "organization", NoAction)
                .col(text("title"))
                .col(text("title_lang"))
                .period(false),
            TableDef::record("classification")
                .references("subject_id", "record", NoAction)
                .references("topic_id", "topic", NoAction)
                .unique(&["subject_id", "topic_id"]),
            TableDef::record("audience")
                .references("subject_id", "record", NoAction)
                .references("target_group_id", "target_group", NoAction)
                .unique(&["subject_id", "target_group_id"]),
            // Folded names, aliases and descriptions: what `search` matches (see entities::text).
            TableDef::plain("search_term")
                .references("record_id", "record", Cascade)
                .col(text("kind"))
                .col(integer("weight"))
                .col(text("text"))
                .index(&["kind"]),
        ];
        for table in tables {
            table.create(manager).await?;
        }
        Ok(())
    }
}
