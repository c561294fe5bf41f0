//! Search ranks from the word index alone: each `search_word` row carries the best score its word
//! gives its record, and `search_pair` lists the word forms of each class of record.
//!
//! A one-word search used to read and score every text of every record with a word that starts
//! with the token: 7.9 s for "bibl" on a 200,000-organization PostgreSQL database, where 100,000
//! records have such a word. A single token's score is known when the texts are indexed:
//!
//! - `sort_key` is minus the best of `weight × 100 + 30` (the word starts its text) or
//!   `weight × 100 + 20` (a later word) over the record's texts holding the word;
//! - `exact_key` is minus the best `weight × 100 + 50` over the texts that are the word alone, and
//!   null when no text is; it only counts when the token is that whole word.
//!
//! The key `(word, class, sort_key, record_id)` orders each word form's records best first, so the
//! best records of one form are the first rows of its key range. `search_pair` holds each
//! `(word, class)` once, so a token's forms are a short range of that table, whatever the number
//! of records they name.
//!
//! `class` is the record's kind, except that an organization with library details is `library`,
//! so that a search for libraries reads only libraries' rows. A library row is written only with
//! its organization's record, and the loader rewrites a record's words whenever it writes the
//! record, so the class is never stale.
//!
//! Both tables are derived from `search_term` and `library`: this migration rebuilds
//! `search_word` from them (the old table had no scores), and the loader keeps both current.
//! A pair whose rows a reload removed stays in `search_pair`: it then ranks nothing and costs
//! one empty range read.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The class of a `search_term` row's record, as SQL over `search_term t`.
const CLASS: &str = "CASE WHEN t.kind = 'organization' AND EXISTS (
        SELECT 1 FROM library l WHERE l.organization_id = t.record_id
    ) THEN 'library' ELSE t.kind END";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One connection for every statement, on SQLite too: a pooled connection that has not seen
    /// the `DROP TABLE` yet would refuse to create the index of the same name.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let (text, id, without_rowid) = if postgres {
            ("TEXT COLLATE \"C\"", "BIGINT", "")
        } else {
            ("TEXT", "INTEGER", " WITHOUT ROWID")
        };
        // Each word of each text, with its position (1 for the first word).
        let words = if postgres {
            "SELECT t.record_id, t.kind, t.weight, t.text, w.word, w.n
             FROM search_term t
             CROSS JOIN LATERAL unnest(string_to_array(t.text, ' ')) WITH ORDINALITY AS w (word, n)"
                .to_owned()
        } else {
            "WITH RECURSIVE split (record_id, kind, weight, text, word, rest, n) AS (
                 SELECT record_id, kind, weight, text, '', text || ' ', 0 FROM search_term
                 UNION ALL
                 SELECT record_id, kind, weight, text, substr(rest, 1, instr(rest, ' ') - 1),
                        substr(rest, instr(rest, ' ') + 1), n + 1
                 FROM split WHERE rest <> ''
             )
             SELECT record_id, kind, weight, text, word, n FROM split"
                .to_owned()
        };
        let statements = [
            "DROP TABLE IF EXISTS search_word".to_owned(),
            format!(
                "CREATE TABLE search_word (
                    word {text} NOT NULL,
                    class TEXT NOT NULL,
                    sort_key INTEGER NOT NULL,
                    record_id {id} NOT NULL REFERENCES record (record_id) ON DELETE CASCADE,
                    exact_key INTEGER,
                    PRIMARY KEY (word, class, sort_key, record_id)
                ){without_rowid}"
            ),
            format!(
                "INSERT INTO search_word (word, class, sort_key, exact_key, record_id)
                 SELECT t.word, {class},
                        -MAX(t.weight * 100 + CASE WHEN t.n = 1 THEN 30 ELSE 20 END),
                        -MAX(CASE WHEN t.text = t.word THEN t.weight * 100 + 50 END),
                        t.record_id
                 FROM ({words}) t
                 WHERE t.word <> ''
                 GROUP BY t.word, t.kind, t.record_id",
                class = CLASS
            ),
            "CREATE INDEX idx_search_word_record_id ON search_word (record_id)".to_owned(),
            "CREATE INDEX idx_search_word_exact ON search_word (word, class, exact_key, record_id)
             WHERE exact_key IS NOT NULL"
                .to_owned(),
            format!(
                "CREATE TABLE IF NOT EXISTS search_pair (
                    word {text} NOT NULL,
                    class TEXT NOT NULL,
                    PRIMARY KEY (word, class)
                ){without_rowid}"
            ),
            "INSERT INTO search_pair (word, class) SELECT DISTINCT word, class FROM search_word"
                .to_owned(),
        ];
        for sql in &statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
