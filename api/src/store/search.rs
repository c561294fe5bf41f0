//! `search`: one query over names, English names, aliases and descriptions of every entity type.
//!
//! Text is folded in Rust ([`entities::text::fold`]) both when the loader indexes it and when a
//! client searches, and the database only compares the folded strings, so "balti" finds Bălți on
//! SQLite and PostgreSQL alike, with identical ranking.
//!
//! Every token of the search text must start a word ("olsz" finds Olszówka, "szówka" does not):
//! that is what lets the `search_word` index answer from a key range on any size of graph, where
//! matching inside words would read every text.
//! A text of one word of five letters or more also finds that word's inflections, the names of
//! Polish, Romanian and Ukrainian records in other cases ("Mediateka" finds "Mediateki"), ranked
//! below the word as typed: see [`Inflection`].
//!
//! What one search reads is bounded by the words it matches, not by the graph: one token ranks
//! from the best rows of each word form it starts (`search_word` stores the score each word gives
//! its record), and several tokens score the texts of at most [`SearchLimits::candidates`]
//! records. On 200,000 organizations, "bibl" (100,000 matching records) takes 2 ms instead of 8 s.

use std::cmp::Reverse;
use std::collections::HashSet;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement, Value,
};

use super::error::StoreError;

/// The longest search text accepted.
pub const MAX_SEARCH_LENGTH: usize = 200;

/// How much one search may read, whatever the text and the size of the graph.
#[derive(Clone, Copy, Debug)]
pub struct SearchLimits {
    /// Most word forms (a word and a class of record) of one token ranked form by form; a token
    /// with more, a digit or a letter alone on a large graph, is ranked from all its word rows
    /// in one aggregate instead.
    pub forms: usize,
    /// Most rows that ranking form by form may read (forms × records wanted).
    pub form_rows: usize,
    /// Most records scored for a text of several tokens. When every token starts a word in more
    /// records than this, the records that the rarest token ranks best, among those with words
    /// for the other tokens too, are the ones scored.
    pub candidates: usize,
    /// Most word rows read to find those candidates.
    pub walk_rows: usize,
}

impl Default for SearchLimits {
    fn default() -> Self {
        SearchLimits {
            forms: 1024,
            form_rows: 100_000,
            candidates: 1_000,
            walk_rows: 5_000,
        }
    }
}

/// What one search asks, kept for its `totalCount`, which is counted only when selected.
pub struct SearchQuery {
    db: DatabaseConnection,
    /// The `search_word` classes asked for; all when `None`.
    classes: Option<Vec<&'static str>>,
    /// The folded text: tokens separated by single spaces.
    folded: String,
    limits: SearchLimits,
}

impl SearchQuery {
    /// A search for `folded` (a text as [`entities::text::fold`] leaves it, not empty) among the
    /// records of `classes` (`search_word` classes; all when `None`).
    pub fn new(
        db: DatabaseConnection,
        folded: String,
        classes: Option<Vec<&'static str>>,
        limits: SearchLimits,
    ) -> Self {
        SearchQuery {
            db,
            classes,
            folded,
            limits,
        }
    }

    /// One page of `first` hits after the hit `after` (its score and record id), best first, as
    /// `(record id, score)`, and whether more follow.
    ///
    /// - One token ranks from `search_word` alone: each row holds the best score its word gives its
    ///   record, so the best records are the first rows of each word form's key range, and a token
    ///   reads at most its forms × `n` rows for the best `n` hits (see `rank_token`).
    /// - Several tokens must all start words of the same text, and the whole text's position counts,
    ///   so the texts are scored; the rarest token picks the records whose texts are read.
    ///
    ///
    /// Pages are keyset pages on (score, record id): a cursor names a hit's score and id, and the
    /// next page holds the hits strictly after it in that order, so a record found later moves no
    /// client's position. The ranking reads the best `n` hits from the top, so a page after a cursor
    /// asks for `first + 1` hits and, when fewer than that follow the cursor among them, for four
    /// times as many, up to [`SearchLimits::candidates`]: a page reads what the hits before it and
    /// itself read, at most four times over. The list ends at that limit (1,000 hits): a text that
    /// matches more records is one to narrow, and this keeps the deepest page within the reads of
    /// the scoring limit below.
    pub async fn page(
        &self,
        first: usize,
        after: Option<(i64, i64)>,
    ) -> Result<(Vec<(i64, i32)>, bool), StoreError> {
        let cap = self.limits.candidates;
        let mut n = (first + 1).min(cap);
        loop {
            let ranked = self.rank(n).await?;
            let exhausted = ranked.len() < n;
            let rest: Vec<(i64, i32)> = ranked
                .into_iter()
                .filter(|&(id, score)| {
                    // Best first, then by id: after (s, i) means a lower score, or s and a larger
                    // id.
                    let score = i64::from(score);
                    after.is_none_or(|(s, i)| score < s || (score == s && id > i))
                })
                .collect();
            if rest.len() > first || exhausted || n >= cap {
                let has_more = rest.len() > first;
                return Ok((rest.into_iter().take(first).collect(), has_more));
            }
            n = (n * 4).min(cap);
        }
    }

    fn tokens(&self) -> Vec<&str> {
        self.folded.split(' ').collect()
    }

    /// The best `n` hits, best first: `(record id, score)`.
    async fn rank(&self, n: usize) -> Result<Vec<(i64, i32)>, StoreError> {
        let (db, classes, limits) = (&self.db, self.classes.as_deref(), &self.limits);
        match self.tokens()[..] {
            [token] => rank_token(db, token, classes, n, limits, &[]).await,
            ref tokens => rank_text(db, &self.folded, tokens, classes, n, limits).await,
        }
    }

    /// `totalCount`: how many records match, counted up to [`SearchLimits::candidates`] (1,000),
    /// the length of the list the pages walk through.
    ///
    /// Counting every match would cost a scan of every word row of the text's rarest token: all
    /// 100,000 of "bibl" on 200,000 organizations. Several tokens already score at most the
    /// candidates' texts, so their count is the number of those that match (a search of that
    /// many hits). One token counts the records of at most the first [`SearchLimits::walk_rows`]
    /// (5,000) rows of its words and inflections (`word_condition`), as distinct records (a
    /// record has a row for each such word): exact when there are no more rows than that (then
    /// capped at 1,000); 1,000 when there are more, which overstates only if those 5,000 rows
    /// hold fewer than 1,000 records, five matching words per record on average. Measured on
    /// size M (SQLite, debug build): "library" (33,897 word rows) takes 25 ms with the count
    /// against 13 ms without; the statement reads 5,001 index rows whatever the graph's size.
    pub async fn count(&self) -> Result<u64, StoreError> {
        let (classes, limits) = (self.classes.as_deref(), &self.limits);
        let cap = limits.candidates as u64;
        let [token] = self.tokens()[..] else {
            return Ok(self.rank(limits.candidates).await?.len() as u64);
        };
        let mut sql = Sql::new(self.db.get_database_backend());
        let condition = word_condition(&mut sql, token, Inflection::of(token).as_ref());
        let mut rows = format!("SELECT record_id FROM search_word WHERE {condition}");
        if let Some(classes) = classes {
            rows.push_str(&sql.class_condition(classes));
        }
        sql.push(format!(
            "SELECT COUNT(*) AS n_rows, COUNT(DISTINCT record_id) AS n FROM ({rows} LIMIT {}) r",
            limits.walk_rows + 1
        ));
        let row = sql.one(&self.db).await?;
        let n_rows: i64 = row.try_get("", "n_rows").map_err(StoreError::from)?;
        let n: i64 = row.try_get("", "n").map_err(StoreError::from)?;
        if n_rows as usize > limits.walk_rows {
            return Ok(cap);
        }
        Ok(std::cmp::min(n as u64, cap))
    }
}

/// What an inflected form's score loses against the same word found as typed: 20, so an
/// inflection in a text scores `weight × 100 + 10` (the word starts the text) or `+ 0` (a later
/// word), below any match as typed in a text of the same weight (at least `+ 20`) and above
/// anything in a text of lower weight.
pub const INFLECTED_PENALTY: i32 = 20;

/// The inflections a typed word also finds, in Polish, Romanian and Ukrainian names, which
/// change their endings: "Mediateka" is "Mediateki" and "Mediatece" in other cases, Bălți is
/// "Bălțiului", Полтава "Полтави".
///
/// No stemmer covers the three: `rust-stemmers` has Romanian but neither Polish nor Ukrainian,
/// and Snowball's Polish stemmer (Snowball 3, `snowstem`) wants the letters the index folds away
/// (ą, ę, ł, ś…) and keeps the `k` of "mediatek", which "Mediatece" does not share. What the word
/// index can answer from a key range, the same way in all three, is an ending-tolerant match:
/// the typed word without its last two letters (one for a five-letter word; none below five, so
/// a short prefix such as "olsz" stays a prefix) is the stem, and a word of the index that starts
/// with the stem, is at most two letters longer than the typed word and does not start with it
/// is an inflection. "mediateka" → "mediate" finds "mediateki", "mediatece" and "mediatekom",
/// not "mediatheque" (three letters longer). A word that adds letters to the typed one is
/// already a match as typed ("balti" finds "baltiului"); the reverse, a long ending typed that
/// the index lacks ("baltiului" for "balti"), is found by cutting a known ending whole
/// ([`LONG_ENDINGS`]). A stem that changes inside ("Sosnowiec", "Sosnowcu") is not found.
///
/// What it reads: the stem's word forms come from the same `search_pair` range read as the
/// token's own (the stem's range holds the token's), bounded by [`SearchLimits::forms`] with
/// them, and each inflected form is ranked like one typed, its best `n` rows: a search reads
/// (its forms + its inflected forms) × `n` index rows, in the same two statements.
/// Case endings longer than the two letters cut by default, as the index folds them, longest
/// first: Romanian's enclitic article in the genitive and plural ("Bălțiului", "bibliotecilor")
/// and Polish plural cases ("bibliotekach", "bibliotekami"). Typed in full, without them the
/// stem would keep part of the ending, and "Bălțiului" would not find "Bălți".
const LONG_ENDINGS: [&str; 7] = ["ului", "ilor", "elor", "lui", "lor", "ach", "ami"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inflection {
    /// The typed word without its ending.
    pub stem: String,
    /// The longest inflected word: the typed word's length plus two.
    pub max_len: usize,
}

impl Inflection {
    /// The inflections of `token` (a folded word, `[a-z0-9]`); `None` for fewer than five
    /// letters, or a word with digits (a year or a code has no endings).
    pub fn of(token: &str) -> Option<Inflection> {
        let len = token.len();
        if len < 5 || !token.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        // A known ending longer than two letters is cut whole, leaving at least four letters.
        let long = LONG_ENDINGS
            .iter()
            .find(|ending| token.ends_with(*ending) && len - ending.len() >= 4);
        let cut = long.map_or((len - 4).min(2), |ending| ending.len());
        Some(Inflection {
            stem: token[..len - cut].to_owned(),
            max_len: len + 2,
        })
    }

    /// Whether `word` is an inflection of `token` (a word starting with `token` is a match as
    /// typed, not an inflection).
    pub fn matches(&self, token: &str, word: &str) -> bool {
        word.starts_with(&self.stem) && !word.starts_with(token) && word.len() <= self.max_len
    }

    /// The SQL condition on `word` of the token's forms and its inflections, for a `search_pair`
    /// or `search_word` range read: the stem's key range, and within it the token's own range or
    /// a word no longer than [`Inflection::max_len`].
    fn condition(&self, sql: &mut Sql, token: &str) -> String {
        let (low, high) = (
            sql.param(self.stem.as_str()),
            sql.param(format!("{}{{", self.stem)),
        );
        let (own_low, own_high) = (sql.param(token), sql.param(format!("{token}{{")));
        format!(
            "word >= {low} AND word < {high} AND (word >= {own_low} AND word < {own_high} \
             OR LENGTH(word) <= {})",
            self.max_len
        )
    }
}

/// The `search_word` condition of the words `token` finds: its key range, or with `inflection`
/// its stem's range narrowed to the token's words and their inflections.
fn word_condition(sql: &mut Sql, token: &str, inflection: Option<&Inflection>) -> String {
    match inflection {
        Some(inflection) => inflection.condition(sql, token),
        None => {
            let (low, high) = (sql.param(token), sql.param(format!("{token}{{")));
            format!("word >= {low} AND word < {high}")
        }
    }
}

/// A word form to rank: a word and a class of record, and whether the word is an inflection of
/// the token rather than one it starts.
struct Form {
    word: String,
    class: String,
    inflected: bool,
}

/// The word forms of `token` (and of its inflections), at most [`SearchLimits::forms`] + 1.
async fn read_forms(
    db: &DatabaseConnection,
    token: &str,
    inflection: Option<&Inflection>,
    classes: Option<&[&str]>,
    limits: &SearchLimits,
) -> Result<Vec<Form>, StoreError> {
    let mut forms = Sql::new(db.get_database_backend());
    let condition = word_condition(&mut forms, token, inflection);
    forms.push(format!(
        "SELECT word, class FROM search_pair WHERE {condition}"
    ));
    forms.classes(classes);
    forms.push(format!(" ORDER BY word, class LIMIT {}", limits.forms + 1));
    Ok(forms
        .all(db)
        .await?
        .iter()
        .map(|row| {
            let word: String = row.try_get("", "word")?;
            Ok(Form {
                inflected: !word.starts_with(token),
                word,
                class: row.try_get("", "class")?,
            })
        })
        .collect::<Result<_, DbErr>>()?)
}

/// The best `n` records for one token, best first: `(record id, score)`.
///
/// Each word form of the token (a word it starts, and a class of record) keeps its records in
/// score order in the `search_word` key, so its best `n` are the first `n` rows of its range,
/// and every record of the overall best `n` is among the best `n` of the form that gives it its
/// score. A token that is a whole word also reads the records in which a text is that word
/// alone, best first, from their own index. Reading form by form costs at most forms × `n`
/// rows; beyond [`SearchLimits`], one aggregate over the token's rows costs less.
///
/// With `also`, only records that have a word starting with each of those tokens too are ranked,
/// and each form is read no further than its share of [`SearchLimits::walk_rows`].
async fn rank_token(
    db: &DatabaseConnection,
    token: &str,
    classes: Option<&[&str]>,
    n: usize,
    limits: &SearchLimits,
    also: &[&str],
) -> Result<Vec<(i64, i32)>, StoreError> {
    let backend = db.get_database_backend();
    // A lone token also finds its inflections; among several, each must start a word.
    let inflection = Inflection::of(token).filter(|_| also.is_empty());
    let forms = read_forms(db, token, inflection.as_ref(), classes, limits).await?;
    if forms.is_empty() {
        return Ok(Vec::new());
    }
    let reads = Reads {
        n,
        also,
        walk: (limits.walk_rows / forms.len()).max(1),
    };
    let rows = if forms.len() <= limits.forms && forms.len() * n <= limits.form_rows {
        form_by_form(backend, token, &forms, &reads)
    } else {
        aggregate(
            backend,
            token,
            inflection.as_ref(),
            classes,
            &reads,
            limits.walk_rows,
        )
    }
    .all(db)
    .await?;
    let mut ranked: Vec<(i64, i32)> = rows
        .iter()
        .map(|row| Ok((row.try_get("", "record_id")?, row.try_get("", "score")?)))
        .collect::<Result<_, DbErr>>()?;
    ranked.sort_unstable_by_key(|&(id, score)| (Reverse(score), id));
    let mut seen = HashSet::with_capacity(ranked.len());
    ranked.retain(|&(id, _)| seen.insert(id));
    ranked.truncate(n);
    Ok(ranked)
}

/// What [`rank_token`] reads of each form: the best `n` rows, or with `also`, the best `n` of
/// its first `walk` rows whose records have words for all of `also`.
struct Reads<'a> {
    n: usize,
    also: &'a [&'a str],
    walk: usize,
}

impl Reads<'_> {
    /// `SELECT record_id, -{key} - {penalty} AS score` from the `search_word` rows where
    /// `condition` holds, best first by `key`, as these reads bound them. `penalty` is SQL: an
    /// inflected form's [`INFLECTED_PENALTY`], or 0.
    fn select(&self, sql: &mut Sql, condition: &str, key: &str, penalty: &str) -> String {
        let n = self.n;
        if self.also.is_empty() {
            return format!(
                "SELECT record_id, -{key} - {penalty} AS score FROM search_word \
                 WHERE {condition} ORDER BY {key}, record_id LIMIT {n}"
            );
        }
        format!(
            "SELECT record_id, -{key} - {penalty} AS score FROM (SELECT record_id, {key} \
             FROM search_word WHERE {condition} ORDER BY {key}, record_id LIMIT {walk}) w \
             WHERE {having} ORDER BY {key}, record_id LIMIT {n}",
            walk = self.walk,
            having = self.having(sql),
        )
    }

    /// The condition on `w.record_id` that every token of `also` starts one of its words.
    fn having(&self, sql: &mut Sql) -> String {
        let mut all = Vec::with_capacity(self.also.len());
        for token in self.also {
            let (low, high) = (sql.param(*token), sql.param(format!("{token}{{")));
            all.push(format!(
                "EXISTS (SELECT 1 FROM search_word o WHERE o.record_id = w.record_id \
                 AND o.word >= {low} AND o.word < {high})"
            ));
        }
        all.join(" AND ")
    }
}

/// The best rows of each form, and of each whole-word form's texts that are the word alone.
/// PostgreSQL reads them in one lateral join; SQLite, which has none, in a union of ranges
/// (nested, since a compound select may have at most 500 members).
fn form_by_form(backend: DbBackend, token: &str, forms: &[Form], reads: &Reads) -> Sql {
    let mut sql = Sql::new(backend);
    // The penalty is this module's constant or 0, written as a literal: a bound parameter in
    // `VALUES` would be typed as text.
    let penalty = |form: &Form| if form.inflected { INFLECTED_PENALTY } else { 0 };
    if backend == DbBackend::Postgres {
        let mut values = Vec::with_capacity(forms.len());
        for form in forms {
            values.push(format!(
                "({}, {}, {})",
                sql.param(form.word.as_str()),
                sql.param(form.class.as_str()),
                penalty(form)
            ));
        }
        let select = reads.select(
            &mut sql,
            "word = f.word AND class = f.class",
            "sort_key",
            "f.penalty",
        );
        sql.push(format!(
            "SELECT s.record_id, s.score FROM (VALUES {}) AS f (word, class, penalty) \
             CROSS JOIN LATERAL ({select}) s",
            values.join(", ")
        ));
    } else {
        let mut groups = Vec::new();
        for chunk in forms.chunks(400) {
            let mut arms = Vec::with_capacity(chunk.len());
            for form in chunk {
                let (word, class) = (
                    sql.param(form.word.as_str()),
                    sql.param(form.class.as_str()),
                );
                let condition = format!("word = {word} AND class = {class}");
                let penalty = penalty(form).to_string();
                arms.push(format!(
                    "SELECT * FROM ({})",
                    reads.select(&mut sql, &condition, "sort_key", &penalty)
                ));
            }
            groups.push(format!("SELECT * FROM ({})", arms.join(" UNION ALL ")));
        }
        sql.push(groups.join(" UNION ALL "));
    }
    let exact = forms.iter().filter(|form| form.word == token);
    for form in exact {
        let (word, class) = (sql.param(token), sql.param(form.class.as_str()));
        let condition = format!("word = {word} AND class = {class} AND exact_key IS NOT NULL");
        let select = reads.select(&mut sql, &condition, "exact_key", "0");
        sql.push(format!(" UNION ALL SELECT * FROM ({select}) e"));
    }
    sql
}

/// The best records of the rows that the token starts, in one aggregate; with `also`, of the
/// first `budget` of those rows only.
fn aggregate(
    backend: DbBackend,
    token: &str,
    inflection: Option<&Inflection>,
    classes: Option<&[&str]>,
    reads: &Reads,
    budget: usize,
) -> Sql {
    let mut sql = Sql::new(backend);
    let word = sql.param(token);
    // A word the token does not start is an inflection, and loses its penalty.
    let (low, high) = (sql.param(token), sql.param(format!("{token}{{")));
    let prefix = format!(
        "CASE WHEN word >= {low} AND word < {high} THEN -sort_key \
         ELSE -sort_key - {INFLECTED_PENALTY} END"
    );
    let condition = word_condition(&mut sql, token, inflection);
    let mut rows =
        format!("SELECT record_id, word, sort_key, exact_key FROM search_word WHERE {condition}");
    if let Some(classes) = classes {
        rows.push_str(&sql.class_condition(classes));
    }
    let having = if reads.also.is_empty() {
        String::new()
    } else {
        rows.push_str(&format!(
            " ORDER BY word, class, sort_key, record_id LIMIT {budget}"
        ));
        format!(" WHERE {}", reads.having(&mut sql))
    };
    sql.push(format!(
        "SELECT record_id, MAX(CASE WHEN word = {word} AND exact_key < sort_key \
         THEN -exact_key ELSE {prefix} END) AS score FROM ({rows}) w{having} \
         GROUP BY record_id ORDER BY score DESC, record_id LIMIT {n}",
        n = reads.n
    ));
    sql
}

/// The best `n` records for a text of several tokens, best first: `(record id, score)`.
///
/// A record matches when every token starts a word of one of its texts, and scores that text's
/// weight × 100, plus 50 when the text is the whole search text, 30 when it starts with it, 20
/// when a later word does. The token that starts words in the fewest records (counted up to
/// [`SearchLimits::candidates`]) picks the records whose texts are scored; when even that one
/// is commoner, the records it ranks best among those with words for every other token are
/// scored, as many as that limit: the best hits of those, not always the best of all.
async fn rank_text(
    db: &DatabaseConnection,
    folded: &str,
    tokens: &[&str],
    classes: Option<&[&str]>,
    n: usize,
    limits: &SearchLimits,
) -> Result<Vec<(i64, i32)>, StoreError> {
    let backend = db.get_database_backend();
    let mut counts = Sql::new(backend);
    let mut each = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        let (low, high) = (counts.param(*token), counts.param(format!("{token}{{")));
        each.push(format!(
            "(SELECT COUNT(*) FROM (SELECT 1 FROM search_word \
             WHERE word >= {low} AND word < {high} LIMIT {}) c{i}) AS n{i}",
            limits.candidates + 1
        ));
    }
    counts.push(format!("SELECT {}", each.join(", ")));
    let row = counts.one(db).await?;
    let mut driver = (i64::MAX, "");
    for (i, token) in tokens.iter().enumerate() {
        let count: i64 = row
            .try_get("", &format!("n{i}"))
            .map_err(StoreError::from)?;
        // The longest of the rarest: the likeliest to be a whole word typed.
        if (count, Reverse(token.len())) < (driver.0, Reverse(driver.1.len())) {
            driver = (count, token);
        }
    }
    let (count, driver) = driver;
    if count == 0 {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(backend);
    let candidates = if count as usize <= limits.candidates {
        let (low, high) = (sql.param(driver), sql.param(format!("{driver}{{")));
        let mut within =
            format!("SELECT record_id FROM search_word WHERE word >= {low} AND word < {high}");
        if let Some(classes) = classes {
            within.push_str(&sql.class_condition(classes));
        }
        within
    } else {
        let also: Vec<&str> = tokens.iter().copied().filter(|t| *t != driver).collect();
        let best = rank_token(db, driver, classes, limits.candidates, limits, &also).await?;
        if best.is_empty() {
            return Ok(Vec::new());
        }
        best.iter()
            .map(|&(id, _)| sql.param(id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The folded text holds only [a-z0-9 ]: no LIKE wildcard can come from a client.
    let (whole, start, later) = (
        sql.param(folded),
        sql.param(format!("{folded}%")),
        sql.param(format!("% {folded}%")),
    );
    sql.push(format!(
        "SELECT record_id, MAX(weight * 100 + CASE WHEN text = {whole} THEN 50 \
         WHEN text LIKE {start} THEN 30 WHEN (' ' || text) LIKE {later} THEN 20 ELSE 0 END) \
         AS score FROM search_term WHERE record_id IN ({candidates})"
    ));
    for token in tokens {
        let word = sql.param(format!("% {token}%"));
        sql.push(format!(" AND (' ' || text) LIKE {word}"));
    }
    sql.push(format!(
        " GROUP BY record_id ORDER BY score DESC, record_id LIMIT {n}"
    ));
    let rows = sql.all(db).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "record_id")?, row.try_get("", "score")?)))
        .collect::<Result<_, DbErr>>()
        .map_err(StoreError::from)
}

/// SQL text with its bound values.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Sql {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Binds a value and returns its placeholder, numbered (`$3`), so that values may be bound
    /// in another order than the text names them (both drivers read `$NNN` on both stores).
    fn param(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    fn push(&mut self, text: impl AsRef<str>) {
        self.text.push_str(text.as_ref());
    }

    /// ` AND class IN (…)`, when the search is restricted to some classes.
    fn classes(&mut self, classes: Option<&[&str]>) {
        if let Some(classes) = classes {
            let condition = self.class_condition(classes);
            self.push(condition);
        }
    }

    fn class_condition(&mut self, classes: &[&str]) -> String {
        let list: Vec<String> = classes.iter().map(|c| self.param(*c)).collect();
        format!(" AND class IN ({})", list.join(", "))
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }

    async fn all(self, db: &DatabaseConnection) -> Result<Vec<QueryResult>, StoreError> {
        Ok(db.query_all_raw(self.statement()).await?)
    }

    async fn one(self, db: &DatabaseConnection) -> Result<QueryResult, StoreError> {
        db.query_one_raw(self.statement())
            .await?
            .ok_or_else(|| StoreError::from(DbErr::RecordNotFound("a count".to_owned())))
    }
}

/// `SELECT record_id FROM search_word` whose word starts with `token` (a folded word of
/// `[a-z0-9]`): the key range from `token` up to `token` followed by `{`, the byte after `z`.
/// Both stores compare these words bytewise (PostgreSQL's column is `COLLATE "C"`).
pub fn records_with_word(token: &str) -> SelectStatement {
    Query::select()
        .column(Alias::new("record_id"))
        .from(Alias::new("search_word"))
        .and_where(Expr::col(Alias::new("word")).gte(token))
        .and_where(Expr::col(Alias::new("word")).lt(format!("{token}{{")))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_finds_its_other_endings_and_a_short_prefix_stays_a_prefix() {
        let mediateka = Inflection::of("mediateka").expect("nine letters inflect");
        assert_eq!(mediateka.stem, "mediate");
        for word in ["mediateki", "mediatece", "mediatekom", "mediatek"] {
            assert!(mediateka.matches("mediateka", word), "{word}");
        }
        // Found as typed, not as inflections; or too long to be an ending; or another stem.
        for word in [
            "mediateka",
            "mediatekach1",
            "mediatheque",
            "mediat",
            "media",
        ] {
            assert!(!mediateka.matches("mediateka", word), "{word}");
        }
        // Five letters: one letter cut ("balti" finds "baltei"); four or fewer, or digits: none.
        assert_eq!(
            Inflection::of("balti").map(|i| i.stem),
            Some("balt".to_owned())
        );
        assert!(Inflection::of("olsz").is_none());
        assert!(Inflection::of("20217").is_none());
    }

    #[test]
    fn a_long_case_ending_typed_in_full_is_cut_whole() {
        let baltiului = Inflection::of("baltiului").expect("nine letters inflect");
        assert_eq!(baltiului.stem, "balti");
        assert!(baltiului.matches("baltiului", "balti"));
        let bibliotekach = Inflection::of("bibliotekach").expect("inflects");
        assert!(bibliotekach.matches("bibliotekach", "biblioteka"));
        assert!(bibliotekach.matches("bibliotekach", "biblioteki"));
        // An ending is cut only where four letters stay: "kolor" keeps the default cut.
        assert_eq!(
            Inflection::of("kolor").map(|i| i.stem),
            Some("kolo".to_owned())
        );
    }
}
