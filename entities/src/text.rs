//! Text folding: the one definition of "the same letters" for search and sorting.
//!
//! Coordinators type "balti" for Bălți, "coseriu" for Coșeriu, "zaglebiowska" for Zagłębiowska and
//! "poltava" for Полтава. [`fold`] maps text to lowercase ASCII words: Latin letters lose their
//! diacritics (by Unicode decomposition, plus the letters that do not decompose: ł, ø, đ, ß…),
//! Ukrainian and Russian Cyrillic is transliterated (Ukrainian national system of 2010), and
//! everything else that is not a letter or digit separates words. The folded text is computed in
//! Rust and stored, so SQLite and PostgreSQL compare and sort exactly the same strings.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

/// Lowercase ASCII words separated by single spaces.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return fold_ascii(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let mapped = map_char(c);
        match mapped {
            Mapped::Text(s) if !s.is_empty() => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push_str(s);
            }
            Mapped::Char(c) => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
            Mapped::Text(_) => {}
            Mapped::Separator => pending_space = true,
        }
    }
    out
}

/// [`fold`] of ASCII text, which NFKD leaves as it is: the same mapping without the
/// decomposition, which in a debug build made folding the gazetteer's 0.68 M names
/// (`seeds::gazetteer`) take seconds.
fn fold_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_lowercase());
        } else if !matches!(c, '\'' | '`') {
            pending_space = true;
        }
    }
    out
}

enum Mapped {
    Char(char),
    Text(&'static str),
    Separator,
}

fn map_char(c: char) -> Mapped {
    if c.is_ascii_alphanumeric() {
        return Mapped::Char(c.to_ascii_lowercase());
    }
    // Apostrophes inside words (Ukrainian м'ята, English children's) join rather than split.
    if matches!(c, '\'' | '’' | 'ʼ' | '`') {
        return Mapped::Text("");
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    let text = match lower {
        'ł' => "l",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        'ı' => "i",
        // Ukrainian (KMU 2010), then the Russian letters Ukrainian lacks.
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "h",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' => "y",
        'і' => "i",
        'ї' => "i",
        'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ь' | 'ъ' => "",
        'ю' => "iu",
        'я' => "ia",
        'ы' => "y",
        'э' => "e",
        'ё' => "e",
        _ if lower.is_alphanumeric() => return Mapped::Char('?'),
        _ => return Mapped::Separator,
    };
    Mapped::Text(text)
}

/// What one word of a record's folded texts scores in a search for one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordScore {
    /// For a token that starts the word: the best `weight × 100 + 30` over the texts the word
    /// starts, or `weight × 100 + 20` over the texts where it is a later word.
    pub prefix: i32,
    /// For a token that is the whole word: the best `weight × 100 + 50` over the texts that are
    /// the word alone, if any is.
    pub exact: Option<i32>,
}

/// The [`WordScore`] of each distinct word of a record's folded texts, given with their weights
/// (3 name, 2 alias or English name, 1 description). The loader stores these in `search_word`;
/// a record's score for a token is the best score of its words that the token starts.
pub fn word_scores<'a>(
    texts: impl IntoIterator<Item = (i32, &'a str)>,
) -> BTreeMap<&'a str, WordScore> {
    let mut scores: BTreeMap<&str, WordScore> = BTreeMap::new();
    for (weight, text) in texts {
        for (i, word) in text.split(' ').filter(|w| !w.is_empty()).enumerate() {
            let prefix = weight * 100 + if i == 0 { 30 } else { 20 };
            let exact = (word == text).then_some(weight * 100 + 50);
            let score = scores.entry(word).or_insert(WordScore {
                prefix,
                exact: None,
            });
            score.prefix = score.prefix.max(prefix);
            score.exact = score.exact.max(exact);
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::{WordScore, fold, word_scores};

    #[test]
    fn ascii_folds_as_the_general_path_does() {
        for text in [
            "Sant Julia de Loria",
            "  Pol'tava -- 2nd  ",
            "children's `quoted` A_B.c/D",
            "",
            "!!!",
            "Zaglebie Dabrowskie (PL)",
        ] {
            // A non-ASCII character that folds to nothing sends the text down the general path.
            let general = fold(&format!("{text}\u{301}"));
            assert_eq!(fold(text), general, "{text:?}");
        }
    }

    #[test]
    fn a_word_keeps_its_best_score_over_the_texts() {
        let scores = word_scores([
            (1, "olszna public library"),
            (3, "library olszna"),
            (2, "olszna"),
        ]);
        assert_eq!(
            scores["olszna"],
            WordScore {
                prefix: 320,
                exact: Some(250)
            }
        );
        assert_eq!(
            scores["library"],
            WordScore {
                prefix: 330,
                exact: None
            }
        );
        assert_eq!(
            scores["public"],
            WordScore {
                prefix: 120,
                exact: None
            }
        );
        assert_eq!(scores.len(), 3);
    }

    #[test]
    fn folds_polish_romanian_and_ukrainian() {
        assert_eq!(fold("Bălți"), "balti");
        assert_eq!(
            fold("Biblioteca Municipală „E. Coșeriu”"),
            "biblioteca municipala e coseriu"
        );
        assert_eq!(
            fold("Zagłębiowska Mediateka w Sosnowcu"),
            "zaglebiowska mediateka w sosnowcu"
        );
        assert_eq!(fold("ŁÓDŹ, Żółć"), "lodz zolc");
        assert_eq!(fold("Şcoala Ţării"), "scoala tarii");
        assert_eq!(fold("Полтавська бібліотека №9"), "poltavska biblioteka no9");
        assert_eq!(
            fold("Київ, Львів, Ґанок, Єнакієве"),
            "kyiv lviv ganok ienakiieve"
        );
        assert_eq!(fold("Children`s space «B-Zone»"), "childrens space b zone");
    }

    #[test]
    fn separators_collapse_and_trim() {
        assert_eq!(
            fold("  Library   for All. My Place  "),
            "library for all my place"
        );
        assert_eq!(fold("—"), "");
        assert_eq!(fold(""), "");
    }
}
