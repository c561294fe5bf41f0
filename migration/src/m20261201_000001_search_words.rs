//! The word index behind `search` and the `text` filters: one row per distinct folded word of a
//! record's searchable texts.
//!
//! `search` used to compare every token with `LIKE '%token%'` against every `search_term` row, a
//! scan whose cost grows with the whole graph (118 ms p50 on a 200,000-organization SQLite
//! database). A token now has to start a word, so the records it can match are a range of this
//! table's primary key (`word >= 'olsz' AND word < 'olsz{'`), and only their terms are read.
//!
//! - The words are derived from `search_term` (the loader writes both; this migration fills the
//!   index for data loaded before it), so this is an index kept as a table, not data of its own.
//! - On PostgreSQL the column is `COLLATE "C"`: a prefix range must compare bytes, whatever the
//!   database's default collation is. SQLite's default collation already does.
//! - Loads before this migration could leave the same search text twice for a record (a reload
//!   appended its texts again); those repeats are removed here, and the loader now replaces a
//!   record's texts instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match db.get_database_backend() {
            DbBackend::Postgres => &[
                "CREATE TABLE IF NOT EXISTS search_word (
                    word TEXT COLLATE \"C\" NOT NULL,
                    record_id BIGINT NOT NULL REFERENCES record (record_id) ON DELETE CASCADE,
                    PRIMARY KEY (word, record_id)
                )",
                "CREATE INDEX IF NOT EXISTS idx_search_word_record_id ON search_word (record_id)",
                "DELETE FROM search_term WHERE search_term_id NOT IN (
                    SELECT MIN(search_term_id) FROM search_term GROUP BY record_id, kind, weight, text
                )",
                "INSERT INTO search_word (word, record_id)
                 SELECT DISTINCT w, record_id
                 FROM search_term CROSS JOIN LATERAL unnest(string_to_array(text, ' ')) AS w
                 WHERE w <> ''
                 ON CONFLICT DO NOTHING",
            ],
            _ => &[
                "CREATE TABLE IF NOT EXISTS search_word (
                    word TEXT NOT NULL,
                    record_id INTEGER NOT NULL REFERENCES record (record_id) ON DELETE CASCADE,
                    PRIMARY KEY (word, record_id)
                ) WITHOUT ROWID",
                "CREATE INDEX IF NOT EXISTS idx_search_word_record_id ON search_word (record_id)",
                "DELETE FROM search_term WHERE search_term_id NOT IN (
                    SELECT MIN(search_term_id) FROM search_term GROUP BY record_id, kind, weight, text
                )",
                "INSERT OR IGNORE INTO search_word (word, record_id)
                 WITH RECURSIVE split (record_id, word, rest) AS (
                     SELECT record_id, '', text || ' ' FROM search_term
                     UNION ALL
                     SELECT record_id, substr(rest, 1, instr(rest, ' ') - 1),
                            substr(rest, instr(rest, ' ') + 1)
                     FROM split WHERE rest <> ''
                 )
                 SELECT word, record_id FROM split WHERE word <> ''",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
