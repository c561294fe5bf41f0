//! Partial dates: what a document says about *when*, at the precision it says it.
//!
//! Sources write "2017", "September 2017", "autumn 2021", "12 September 2017". Turning those into
//! full dates would invent days, so dates are kept in a subset of the Library of Congress Extended
//! Date/Time Format (EDTF, ISO 8601-2), which libraries already use:
//!
//! | text         | meaning                                   |
//! |--------------|-------------------------------------------|
//! | `2017`       | the year 2017                             |
//! | `2017-09`    | September 2017                            |
//! | `2017-09-12` | 12 September 2017                         |
//! | `2021-23`    | autumn 2021 (21 spring … 24 winter)       |
//! | `…~` `…?` `…%` | approximate, uncertain, both           |
//!
//! The database stores the canonical text; [`PartialDate`] parses and checks it, and gives the
//! year bounds that filters such as "active in 2021" use.

use std::fmt;

/// A season, as EDTF numbers them (21–24).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Season {
    Spring,
    Summer,
    Autumn,
    Winter,
}

impl Season {
    fn code(self) -> u8 {
        match self {
            Season::Spring => 21,
            Season::Summer => 22,
            Season::Autumn => 23,
            Season::Winter => 24,
        }
    }
}

/// How precise a [`PartialDate`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precision {
    Year,
    Season(Season),
    Month(u8),
    Day(u8, u8),
}

/// A date known to a year, season, month or day, possibly approximate or uncertain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    pub year: i32,
    pub precision: Precision,
    /// `~`: the source says "about".
    pub approximate: bool,
    /// `?`: the source is unsure.
    pub uncertain: bool,
}

/// Why a text is not a partial date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-SS` (season 21–24), with an optional
    /// trailing `~`, `?` or `%`.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let bad = |why: &str| {
            DateError(format!(
                "\"{text}\" is not a date: {why} (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-21..24 for a season, optionally followed by ~, ? or %)"
            ))
        };
        let (body, approximate, uncertain) = match text.as_bytes().last() {
            Some(b'~') => (&text[..text.len() - 1], true, false),
            Some(b'?') => (&text[..text.len() - 1], false, true),
            Some(b'%') => (&text[..text.len() - 1], true, true),
            _ => (text, false, false),
        };
        let mut parts = body.split('-');
        let year_text = parts.next().unwrap_or_default();
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the year must have four digits"));
        }
        let year: i32 = year_text
            .parse()
            .map_err(|_| bad("the year must have four digits"))?;
        let number = |part: Option<&str>| -> Result<Option<u8>, DateError> {
            match part {
                None => Ok(None),
                Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Some(p.parse().map_err(|_| bad("bad number"))?))
                }
                Some(_) => Err(bad("month, season and day have two digits")),
            }
        };
        let second = number(parts.next())?;
        let third = number(parts.next())?;
        if parts.next().is_some() {
            return Err(bad("too many parts"));
        }
        let precision = match (second, third) {
            (None, _) => Precision::Year,
            (Some(m @ 1..=12), None) => Precision::Month(m),
            (Some(21), None) => Precision::Season(Season::Spring),
            (Some(22), None) => Precision::Season(Season::Summer),
            (Some(23), None) => Precision::Season(Season::Autumn),
            (Some(24), None) => Precision::Season(Season::Winter),
            (Some(_), None) => return Err(bad("the month must be 01–12, or 21–24 for a season")),
            (Some(m @ 1..=12), Some(d)) => {
                if d == 0 || d > days_in_month(year, m) {
                    return Err(bad("that day does not exist in that month"));
                }
                Precision::Day(m, d)
            }
            (Some(_), Some(_)) => return Err(bad("the month must be 01–12")),
        };
        Ok(PartialDate {
            year,
            precision,
            approximate,
            uncertain,
        })
    }

    /// The first calendar day this date can mean, as `YYYY-MM-DD` (winter starts in December).
    pub fn earliest(&self) -> String {
        let (m, d) = match self.precision {
            Precision::Year => (1, 1),
            Precision::Season(s) => (s.code().saturating_sub(21) * 3 + 3, 1),
            Precision::Month(m) => (m, 1),
            Precision::Day(m, d) => (m, d),
        };
        format!("{:04}-{m:02}-{d:02}", self.year)
    }

    /// The last calendar day this date can mean, as `YYYY-MM-DD`; for comparisons only (a month
    /// ends on its "31st", which sorts after its real last day and before the next month).
    pub fn latest(&self) -> String {
        let (y, m, d) = match self.precision {
            Precision::Year => (self.year, 12, 31),
            Precision::Season(Season::Winter) => (self.year + 1, 2, 31),
            Precision::Season(s) => (self.year, s.code().saturating_sub(21) * 3 + 5, 31),
            Precision::Month(m) => (self.year, m, 31),
            Precision::Day(m, d) => (self.year, m, d),
        };
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// The last year this date can fall in (a winter runs into the next year).
    pub fn last_year(&self) -> i32 {
        match self.precision {
            Precision::Season(Season::Winter) => self.year + 1,
            _ => self.year,
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        match self.precision {
            Precision::Year => {}
            Precision::Season(s) => write!(f, "-{}", s.code())?,
            Precision::Month(m) => write!(f, "-{m:02}")?,
            Precision::Day(m, d) => write!(f, "-{m:02}-{d:02}")?,
        }
        match (self.approximate, self.uncertain) {
            (true, true) => f.write_str("%"),
            (true, false) => f.write_str("~"),
            (false, true) => f.write_str("?"),
            (false, false) => Ok(()),
        }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The year range a period (`start`, `end`) covers, for filters: `(first year, last year)`.
/// A period with only a start covers that start; with only an end, that end.
pub fn year_span(
    start: Option<&PartialDate>,
    end: Option<&PartialDate>,
) -> (Option<i32>, Option<i32>) {
    let first = start.or(end).map(|d| d.year);
    let last = end.or(start).map(PartialDate::last_year);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_spans_from_its_earliest_to_its_latest_day() {
        let span = |t: &str| {
            let d = PartialDate::parse(t).expect(t);
            (d.earliest(), d.latest())
        };
        assert_eq!(span("2017"), ("2017-01-01".into(), "2017-12-31".into()));
        assert_eq!(span("2021-23"), ("2021-09-01".into(), "2021-11-31".into()));
        assert_eq!(span("2021-24"), ("2021-12-01".into(), "2022-02-31".into()));
        assert_eq!(span("2021-10"), ("2021-10-01".into(), "2021-10-31".into()));
        assert_eq!(
            span("2021-10-05"),
            ("2021-10-05".into(), "2021-10-05".into())
        );
    }

    #[test]
    fn parses_every_precision_and_prints_it_back() {
        for text in [
            "2017",
            "2017-09",
            "2017-09-12",
            "2021-23",
            "2021-10~",
            "2020?",
            "2024-02-29%",
        ] {
            let date = PartialDate::parse(text).unwrap();
            assert_eq!(date.to_string(), text);
        }
        let autumn = PartialDate::parse("2021-23").unwrap();
        assert_eq!(autumn.precision, Precision::Season(Season::Autumn));
        assert_eq!(autumn.earliest(), "2021-09-01");
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for text in [
            "",
            "17",
            "2017-13",
            "2017-02-30",
            "2023-02-29",
            "2017-9",
            "2017-09-12-01",
            "autumn 2021",
            "2017-25",
            "2017-00",
        ] {
            assert!(
                PartialDate::parse(text).is_err(),
                "{text:?} should be rejected"
            );
        }
        let message = PartialDate::parse("2017-13").unwrap_err().to_string();
        assert!(
            message.contains("2017-13") && message.contains("01–12"),
            "{message}"
        );
    }

    #[test]
    fn year_span_uses_whichever_bound_is_known() {
        let a = PartialDate::parse("2021-10").unwrap();
        let b = PartialDate::parse("2023-24").unwrap();
        assert_eq!(year_span(Some(&a), Some(&b)), (Some(2021), Some(2024)));
        assert_eq!(year_span(Some(&a), None), (Some(2021), Some(2021)));
        assert_eq!(year_span(None, Some(&a)), (Some(2021), Some(2021)));
        assert_eq!(year_span(None, None), (None, None));
    }
}
