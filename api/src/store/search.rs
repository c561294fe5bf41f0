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

use entities::search_pair::{self, Column as Pair};
use entities::search_term::{self, Column as Term};
use entities::search_word::{self, Column as Word};
use sea_orm::sea_query::{
    Asterisk, BinOper, Condition, Expr, ExprTrait, Func, FunctionCall, IntoColumnRef, JoinType,
    Order, PostgresQueryBuilder, Query, QueryBuilder, SelectStatement, SqlWriter,
    SqliteQueryBuilder, UnionType,
};
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
        let row = one(&self.db, &count_statement(token, classes, limits.walk_rows)).await?;
        let n_rows: i64 = row.try_get("", "n_rows").map_err(StoreError::from)?;
        let n: i64 = row.try_get("", "n").map_err(StoreError::from)?;
        if n_rows as usize > limits.walk_rows {
            return Ok(cap);
        }
        Ok(std::cmp::min(n as u64, cap))
    }
}

/// `totalCount` of one token: the rows of its first `walk_rows` + 1 word rows, and their
/// distinct records (see [`SearchQuery::count`]).
fn count_statement(token: &str, classes: Option<&[&str]>, walk_rows: usize) -> SelectStatement {
    let rows = Query::select()
        .column(Word::RecordId)
        .from(search_word::Entity)
        .and_where(word_condition(
            Word::Word,
            token,
            Inflection::of(token).as_ref(),
        ))
        .apply_if(classes, |rows, classes| {
            rows.and_where(in_classes(Word::Class, classes));
        })
        .limit(walk_rows as u64 + 1)
        .take();
    Query::select()
        .expr_as(Expr::col(Asterisk).count(), "n_rows")
        .expr_as(Expr::col(Word::RecordId).count_distinct(), "n")
        .from_subquery(rows, "r")
        .take()
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
    ///
    /// sea-query writes `LENGTH` as `CHAR_LENGTH` on PostgreSQL, where both are the same
    /// function (`textlen`) of a text.
    fn condition(&self, word: impl IntoColumnRef + Copy, token: &str) -> Expr {
        let short =
            Expr::expr(Func::char_length(Expr::col(word))).lte(literal(self.max_len as i64));
        starts_with(word, &self.stem).and(starts_with(word, token).or(short))
    }
}

/// The condition on `word` (of `search_word` or `search_pair`) of the words `token` finds: its
/// key range, or with `inflection` its stem's range narrowed to the token's words and their
/// inflections.
fn word_condition(
    word: impl IntoColumnRef + Copy,
    token: &str,
    inflection: Option<&Inflection>,
) -> Expr {
    match inflection {
        Some(inflection) => inflection.condition(word, token),
        None => starts_with(word, token),
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
    let forms = forms_statement(token, inflection, classes, limits.forms);
    Ok(all(db, &forms)
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

/// The word forms of `token` (and of its inflections) in `search_pair`, at most `forms` + 1.
fn forms_statement(
    token: &str,
    inflection: Option<&Inflection>,
    classes: Option<&[&str]>,
    forms: usize,
) -> SelectStatement {
    Query::select()
        .columns([Pair::Word, Pair::Class])
        .from(search_pair::Entity)
        .and_where(word_condition(Pair::Word, token, inflection))
        .apply_if(classes, |select, classes| {
            select.and_where(in_classes(Pair::Class, classes));
        })
        .order_by(Pair::Word, Order::Asc)
        .order_by(Pair::Class, Order::Asc)
        .limit(forms as u64 + 1)
        .take()
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
    let select = if forms.len() <= limits.forms && forms.len() * n <= limits.form_rows {
        form_by_form(db.get_database_backend(), token, &forms, &reads)
    } else {
        Some(aggregate(
            token,
            inflection.as_ref(),
            classes,
            &reads,
            limits.walk_rows,
        ))
    };
    let Some(select) = select else {
        return Ok(Vec::new());
    };
    let rows = all(db, &select).await?;
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
    /// `condition` holds, best first by `key`, as these reads bound them. `penalty` is an
    /// inflected form's [`INFLECTED_PENALTY`], or 0.
    fn select(&self, condition: Expr, key: Word, penalty: Expr) -> SelectStatement {
        let score = negated(key).sub(penalty);
        let first = |select: &mut SelectStatement, n: usize| {
            select
                .order_by(key, Order::Asc)
                .order_by(Word::RecordId, Order::Asc)
                .limit(n as u64);
        };
        let mut select = Query::select();
        select.column(Word::RecordId).expr_as(score, "score");
        if self.also.is_empty() {
            select.from(search_word::Entity).and_where(condition);
        } else {
            let mut walked = Query::select();
            walked
                .columns([Word::RecordId, key])
                .from(search_word::Entity)
                .and_where(condition);
            first(&mut walked, self.walk);
            select.from_subquery(walked, "w").cond_where(self.having());
        }
        first(&mut select, self.n);
        select
    }

    /// The condition on `w.record_id` that every token of `also` starts one of its words.
    fn having(&self) -> Condition {
        self.also.iter().fold(Condition::all(), |all, token| {
            all.add(Expr::exists(
                Query::select()
                    .expr(literal(1))
                    .from_as(search_word::Entity, "o")
                    .and_where(Expr::col(("o", Word::RecordId)).equals(("w", Word::RecordId)))
                    .and_where(starts_with(("o", Word::Word), token))
                    .take(),
            ))
        })
    }
}

/// The columns of the `VALUES` list of word forms `f` (`word`, `class`, `penalty`), as
/// PostgreSQL names the columns of a list that names none (see [`values_list`]).
const FORM_WORD: (&str, &str) = ("f", "column1");
const FORM_CLASS: (&str, &str) = ("f", "column2");
const FORM_PENALTY: (&str, &str) = ("f", "column3");

/// `(VALUES row, …)`, a FROM item of `rows` (tuples). sea-query 1.0.2 cannot write it with a
/// literal among the values: `SelectStatement::from_values` binds every value (see the
/// penalty's comment in [`form_by_form`]) and names no columns, and a FROM item takes no custom
/// SQL. A function call with no name is how it writes a parenthesised list with an alias, so
/// the rows are that call's arguments, and the first carries the keyword: `VALUES $1` is the
/// one string left.
fn values_list(rows: Vec<Expr>) -> FunctionCall {
    let mut rows = rows.into_iter();
    let first = rows
        .next()
        .map(|row| Expr::cust_with_expr("VALUES $1", row));
    Func::cust("").args(first.into_iter().chain(rows))
}

/// The best rows of each form, and of each whole-word form's texts that are the word alone.
/// PostgreSQL reads them in one lateral join; SQLite, which has none, in a union of ranges
/// (nested, since a compound select may have at most 500 members).
fn form_by_form(
    backend: DbBackend,
    token: &str,
    forms: &[Form],
    reads: &Reads,
) -> Option<SelectStatement> {
    // The penalty is this module's constant or 0, written as a literal: a bound parameter in
    // `VALUES` would be typed as text.
    let penalty = |form: &Form| literal(if form.inflected { INFLECTED_PENALTY } else { 0 });
    let mut select = if backend == DbBackend::Postgres {
        let rows = forms
            .iter()
            .map(|form| {
                Expr::Tuple(vec![
                    Expr::val(form.word.as_str()),
                    Expr::val(form.class.as_str()),
                    penalty(form),
                ])
            })
            .collect();
        let lateral = reads.select(
            Expr::col(Word::Word)
                .equals(FORM_WORD)
                .and(Expr::col(Word::Class).equals(FORM_CLASS)),
            Word::SortKey,
            Expr::col(FORM_PENALTY),
        );
        // `JOIN LATERAL … ON TRUE` is PostgreSQL's `CROSS JOIN LATERAL` (sea-query writes no
        // lateral cross join), the same join.
        Query::select()
            .column(("s", Word::RecordId))
            .column(("s", "score"))
            .from_function(values_list(rows), "f")
            .join_lateral(JoinType::Join, lateral, "s", Condition::all())
            .take()
    } else {
        let groups = forms.chunks(400).filter_map(|chunk| {
            let arms = chunk.iter().map(|form| {
                let condition = Expr::col(Word::Word)
                    .eq(form.word.as_str())
                    .and(Expr::col(Word::Class).eq(form.class.as_str()));
                every_row(reads.select(condition, Word::SortKey, penalty(form)), "a")
            });
            union_all(arms).map(|group| every_row(group, "g"))
        });
        union_all(groups)?
    };
    let exact = forms.iter().filter(|form| form.word == token);
    for form in exact {
        let condition = Expr::col(Word::Word)
            .eq(token)
            .and(Expr::col(Word::Class).eq(form.class.as_str()))
            .and(Expr::col(Word::ExactKey).is_not_null());
        let select_exact = reads.select(condition, Word::ExactKey, literal(0));
        select.union(UnionType::All, every_row(select_exact, "e"));
    }
    Some(select)
}

/// The best records of the rows that the token starts, in one aggregate; with `also`, of the
/// first `budget` of those rows only.
fn aggregate(
    token: &str,
    inflection: Option<&Inflection>,
    classes: Option<&[&str]>,
    reads: &Reads,
    budget: usize,
) -> SelectStatement {
    // A word the token does not start is an inflection, and loses its penalty.
    let prefix = Expr::case(starts_with(Word::Word, token), negated(Word::SortKey))
        .finally(negated(Word::SortKey).sub(literal(INFLECTED_PENALTY)));
    let best = Expr::case(
        Expr::col(Word::Word)
            .eq(token)
            .and(Expr::col(Word::ExactKey).lt(Expr::col(Word::SortKey))),
        negated(Word::ExactKey),
    )
    .finally(prefix);
    let mut rows = Query::select();
    rows.columns([Word::RecordId, Word::Word, Word::SortKey, Word::ExactKey])
        .from(search_word::Entity)
        .and_where(word_condition(Word::Word, token, inflection))
        .apply_if(classes, |rows, classes| {
            rows.and_where(in_classes(Word::Class, classes));
        });
    if !reads.also.is_empty() {
        rows.order_by_columns([
            (Word::Word, Order::Asc),
            (Word::Class, Order::Asc),
            (Word::SortKey, Order::Asc),
            (Word::RecordId, Order::Asc),
        ])
        .limit(budget as u64);
    }
    let mut select = Query::select();
    select
        .column(Word::RecordId)
        .expr_as(Func::max(best), "score")
        .from_subquery(rows, "w");
    if !reads.also.is_empty() {
        select.cond_where(reads.having());
    }
    select
        .group_by_col(Word::RecordId)
        .order_by("score", Order::Desc)
        .order_by(Word::RecordId, Order::Asc)
        .limit(reads.n as u64)
        .take()
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
    let row = one(db, &token_counts(tokens, limits.candidates)).await?;
    let mut driver = (i64::MAX, "");
    for (i, token) in tokens.iter().enumerate() {
        let count: i64 = row
            .try_get("", &numbered("n", i))
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
    let candidates = if count as usize <= limits.candidates {
        let mut within = records_with_word(driver);
        if let Some(classes) = classes {
            within.and_where(in_classes(Word::Class, classes));
        }
        Expr::col(Term::RecordId).in_subquery(within)
    } else {
        let also: Vec<&str> = tokens.iter().copied().filter(|t| *t != driver).collect();
        let best = rank_token(db, driver, classes, limits.candidates, limits, &also).await?;
        if best.is_empty() {
            return Ok(Vec::new());
        }
        Expr::col(Term::RecordId).is_in(best.iter().map(|&(id, _)| id))
    };
    let rows = all(db, &text_scores(folded, tokens, candidates, n)).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "record_id")?, row.try_get("", "score")?)))
        .collect::<Result<_, DbErr>>()
        .map_err(StoreError::from)
}

/// How many records each of `tokens` starts a word of, counted up to `candidates` + 1: one
/// column `n{i}` for the `i`th token.
fn token_counts(tokens: &[&str], candidates: usize) -> SelectStatement {
    let mut counts = Query::select();
    for (i, token) in tokens.iter().enumerate() {
        let rows = Query::select()
            .expr(literal(1))
            .from(search_word::Entity)
            .and_where(starts_with(Word::Word, token))
            .limit(candidates as u64 + 1)
            .take();
        let count = Query::select()
            .expr(Expr::col(Asterisk).count())
            .from_subquery(rows, numbered("c", i))
            .take();
        counts.expr_as(
            Expr::SubQuery(None, Box::new(count.into())),
            numbered("n", i),
        );
    }
    counts
}

/// `prefix` followed by `i`: the name of the `i`th of a statement's like columns or sub-queries.
fn numbered(prefix: &str, i: usize) -> String {
    prefix.to_owned() + &i.to_string()
}

/// The best `n` of the records that `candidates` (a condition on `search_term.record_id`)
/// admits, scored on their texts that every token of `folded` starts a word of.
fn text_scores(folded: &str, tokens: &[&str], candidates: Expr, n: usize) -> SelectStatement {
    // `' ' || text`: a text with a space before its first word, so that "a word starts with the
    // token" is one `LIKE '% token%'`. sea-query names `||` only as a PostgreSQL operator.
    let spaced = || literal(" ").binary(BinOper::Custom("||"), Expr::col(Term::Text));
    // The folded text holds only [a-z0-9 ]: no LIKE wildcard can come from a client.
    let position = Expr::case(Expr::col(Term::Text).eq(folded), literal(50))
        .case(
            Expr::col(Term::Text).like([folded, "%"].concat()),
            literal(30),
        )
        .case(spaced().like(["% ", folded, "%"].concat()), literal(20))
        .finally(literal(0));
    let score = Expr::col(Term::Weight).mul(literal(100)).add(position);
    let mut select = Query::select();
    select
        .column(Term::RecordId)
        .expr_as(Func::max(score), "score")
        .from(search_term::Entity)
        .and_where(candidates);
    for token in tokens {
        select.and_where(spaced().like(["% ", token, "%"].concat()));
    }
    select
        .group_by_col(Term::RecordId)
        .order_by("score", Order::Desc)
        .order_by(Term::RecordId, Order::Asc)
        .limit(n as u64)
        .take()
}

/// `SELECT record_id FROM search_word` whose word starts with `token` (a folded word of
/// `[a-z0-9]`): the key range from `token` up to `token` followed by `{`, the byte after `z`.
/// Both stores compare these words bytewise (PostgreSQL's column is `COLLATE "C"`).
pub fn records_with_word(token: &str) -> SelectStatement {
    Query::select()
        .column(Word::RecordId)
        .from(search_word::Entity)
        .and_where(starts_with(Word::Word, token))
        .take()
}

/// `word` starts with `token` (a folded word of `[a-z0-9]`): the key range from `token` up to
/// `token` followed by `{`, the byte after `z`, both bound. Both stores compare these words
/// bytewise (PostgreSQL's columns are `COLLATE "C"`).
fn starts_with(word: impl IntoColumnRef + Copy, token: &str) -> Expr {
    Expr::col(word)
        .gte(token)
        .and(Expr::col(word).lt([token, "{"].concat()))
}

/// `class` is one of `classes` (bound), when the search is restricted to some classes.
fn in_classes(class: impl IntoColumnRef, classes: &[&str]) -> Expr {
    Expr::col(class).is_in(classes.iter().copied())
}

/// A number of this module's own (a score, a penalty, a limit of a word's length) written into
/// the statement as a literal, as it always was, rather than bound.
fn literal(value: impl Into<Value>) -> Expr {
    Expr::Constant(value.into())
}

/// `-key`, a stored key as the score it is minus: sea-query 1.0 has no unary minus, so
/// `0 - key`, the same integer.
fn negated(key: Word) -> Expr {
    literal(0).sub(Expr::col(key))
}

/// `SELECT *` of `select`, as a sub-query named `alias`: how a `UNION ALL` arm keeps its own
/// `ORDER BY` and `LIMIT` (SQLite allows neither in an arm; on PostgreSQL they would order and
/// limit the whole union).
fn every_row(select: SelectStatement, alias: &'static str) -> SelectStatement {
    Query::select()
        .column(Asterisk)
        .from_subquery(select, alias)
        .take()
}

/// `arms` joined by `UNION ALL`, in order; `None` when there are none.
fn union_all(arms: impl IntoIterator<Item = SelectStatement>) -> Option<SelectStatement> {
    arms.into_iter().reduce(|mut all, arm| {
        all.union(UnionType::All, arm);
        all
    })
}

/// The rows of `select`.
async fn all(
    db: &DatabaseConnection,
    select: &SelectStatement,
) -> Result<Vec<QueryResult>, StoreError> {
    let _turn = crate::store::share::turn().await;
    let statement = LimitsInline::statement(db.get_database_backend(), select);
    Ok(db.query_all_raw(statement).await?)
}

/// The one row of `select` (a count).
async fn one(db: &DatabaseConnection, select: &SelectStatement) -> Result<QueryResult, StoreError> {
    let _turn = crate::store::share::turn().await;
    let statement = LimitsInline::statement(db.get_database_backend(), select);
    db.query_one_raw(statement)
        .await?
        .ok_or_else(|| StoreError::from(DbErr::RecordNotFound("a count".to_owned())))
}

/// A statement as search runs it: its values bound, but its `LIMIT`s written as numbers, as they
/// always were. sqlx prepares every statement, and PostgreSQL plans a prepared statement
/// generically from its sixth run, where a bound `LIMIT` is only a guess (a tenth of the rows):
/// with `LIMIT $n`, the generic plans of 362 of the 2,814 distinct statements the search tests
/// run (825 after `ANALYZE`), explained on generated size S, changed, almost all of them the
/// word forms' read, which became an index-only scan where `LIMIT 1025` plans a bitmap scan and
/// a sort. With the numbers written, every plan, custom and generic, and every SQLite plan is
/// the one the statements written as text had. sea-query binds every `LIMIT`, as a u64, and
/// search binds no other u64, so this writer writes the u64 values inline.
struct LimitsInline {
    sql: String,
    values: Vec<Value>,
}

impl LimitsInline {
    fn statement(backend: DbBackend, select: &SelectStatement) -> Statement {
        let mut writer = LimitsInline {
            sql: String::with_capacity(256),
            values: Vec::new(),
        };
        if backend == DbBackend::Postgres {
            select.build_collect_into(PostgresQueryBuilder, &mut writer);
        } else {
            select.build_collect_into(SqliteQueryBuilder, &mut writer);
        }
        Statement::from_sql_and_values(backend, writer.sql, writer.values)
    }
}

impl std::fmt::Write for LimitsInline {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.sql.push_str(s);
        Ok(())
    }
}

impl std::fmt::Display for LimitsInline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

impl SqlWriter for LimitsInline {
    fn push_param<T: QueryBuilder>(&mut self, value: Value, query_builder: &T) {
        if let Value::BigUnsigned(Some(limit)) = value {
            self.sql.push_str(&limit.to_string());
            return;
        }
        let (placeholder, numbered) = query_builder.placeholder();
        self.sql.push_str(placeholder);
        self.values.push(value);
        if numbered {
            self.sql.push_str(&self.values.len().to_string());
        }
    }

    fn as_writer(&mut self) -> &mut dyn std::fmt::Write {
        self
    }
}

#[cfg(test)]
mod rendered;

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
