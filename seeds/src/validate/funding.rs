//! Fundings: who funds what, through which programme and intermediary, and amounts in the
//! currency's minor unit.

use entities::kinds::{FundingInstrument, RecordKind};

use super::keys::FUNDING_RECIPIENTS;
use super::{At, Checker, FundingRow, Row};
use crate::document as doc;

/// ISO 4217 minor-unit exponents of the currencies amounts may be given in.
const CURRENCY_EXPONENTS: &[(&str, u32)] = &[
    ("EUR", 2),
    ("PLN", 2),
    ("RON", 2),
    ("MDL", 2),
    ("UAH", 2),
    ("USD", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("NOK", 2),
    ("SEK", 2),
    ("DKK", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("JPY", 0),
];

impl Checker {
    /// A funding.
    pub(super) fn funding(&mut self, file: &str, src: &str, i: usize, o: &doc::Funding) {
        let at = At {
            file,
            record: format!("funding #{} ({} → {})", i + 1, o.funder, o.to),
        };
        let instrument = o.instrument.as_deref().and_then(|v| {
            self.enumerated(
                &at,
                "instrument",
                v,
                FundingInstrument::parse,
                FundingInstrument::expected,
            )
        });
        let amount_minor = self.amount(&at, o.amount.as_ref(), o.currency.as_deref());
        if o.funder == o.to {
            self.problem(
                &at,
                Some("to"),
                "an organization does not fund itself: name the project, programme or event its own share goes to",
            );
        }
        let row = FundingRow {
            funder: self.reference(&at, "funder", &o.funder, &[RecordKind::Organization]),
            recipient: self.reference(&at, "to", &o.to, FUNDING_RECIPIENTS),
            programme: self.optional_reference(&at, "via", &o.via, &[RecordKind::Programme]),
            intermediary: self.optional_reference(
                &at,
                "through",
                &o.through,
                &[RecordKind::Organization],
            ),
            instrument,
            amount_minor,
            currency: o.currency.clone(),
            description: self.optional_text(&at, "description", &o.description),
            period: self.period(&at, &o.start, &o.end, &o.date_note),
        };
        let key = format!(
            "funding:{}:{}:{}",
            o.funder,
            o.to,
            o.via.as_deref().unwrap_or("")
        );
        self.push_relation(&at, key, Row::Funding(row), src, o);
    }

    /// A decimal amount in major units, converted to the currency's minor unit.
    pub(super) fn amount(
        &mut self,
        at: &At,
        amount: Option<&toml::Value>,
        currency: Option<&str>,
    ) -> Option<i64> {
        let currency_exponent = currency.map(currency_exponent);
        if let Some(None) = currency_exponent {
            let known: Vec<&str> = CURRENCY_EXPONENTS.iter().map(|(c, _)| *c).collect();
            self.problem(
                at,
                Some("currency"),
                format!(
                    "unknown currency \"{}\"; expected an ISO 4217 code: {}",
                    currency.unwrap_or_default(),
                    known.join(", ")
                ),
            );
        }
        let amount = amount?;
        let Some(Some(exponent)) = currency_exponent else {
            if currency.is_none() {
                self.problem(at, Some("currency"), "an amount needs its currency");
            }
            return None;
        };
        let text = match amount {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::String(s) => s.trim().to_owned(),
            toml::Value::Float(_) => {
                self.problem(
                    at,
                    Some("amount"),
                    "write amounts as an integer or a decimal string (\"1250.50\"), not a float",
                );
                return None;
            }
            _ => {
                self.problem(at, Some("amount"), "must be a number");
                return None;
            }
        };
        match parse_minor(&text, exponent) {
            Some(v) if v >= 0 => Some(v),
            _ => {
                self.problem(
                    at,
                    Some("amount"),
                    format!(
                        "\"{text}\" is not a non-negative amount with at most {exponent} decimals"
                    ),
                );
                None
            }
        }
    }
}

/// The minor-unit exponent of `currency` (2 for cents), when amounts may be given in it.
pub(crate) fn currency_exponent(currency: &str) -> Option<u32> {
    CURRENCY_EXPONENTS
        .iter()
        .find(|(code, _)| *code == currency)
        .map(|(_, e)| *e)
}

/// The inverse of [`parse_minor`], as a seed file writes an amount: `125050` with exponent 2 →
/// `"1250.50"`, every decimal the currency has, so the text says the amount's precision.
pub(crate) fn format_minor(minor: i64, exponent: u32) -> String {
    let Some(scale) = 10_i64.checked_pow(exponent).filter(|_| exponent > 0) else {
        return minor.to_string();
    };
    let sign = if minor < 0 { "-" } else { "" };
    let (whole, fraction) = (
        minor.unsigned_abs() / scale as u64,
        minor.unsigned_abs() % scale as u64,
    );
    format!(
        "{sign}{whole}.{fraction:0width$}",
        width = exponent as usize
    )
}

/// `"1250.5"` with exponent 2 → `125050`.
fn parse_minor(text: &str, exponent: u32) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > exponent as usize
    {
        return None;
    }
    let scale = 10_i64.checked_pow(exponent)?;
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = exponent as usize)
            .parse()
            .ok()?
    };
    whole.checked_mul(scale)?.checked_add(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_convert_to_minor_units() {
        assert_eq!(parse_minor("1250.5", 2), Some(125050));
        assert_eq!(parse_minor("1250", 2), Some(125000));
        assert_eq!(parse_minor("100", 0), Some(100));
        assert_eq!(parse_minor("1.234", 2), None);
        assert_eq!(parse_minor("1,5", 2), None);
        assert_eq!(parse_minor("99999999999999999999", 2), None);
    }

    #[test]
    fn formatted_amounts_parse_back_to_the_same_minor_units() {
        assert_eq!(format_minor(125050, 2), "1250.50");
        assert_eq!(format_minor(5, 2), "0.05");
        assert_eq!(format_minor(100, 0), "100");
        for (minor, exponent) in [(0, 2), (1, 2), (99, 2), (125_000, 2), (7, 0), (i64::MAX, 2)] {
            assert_eq!(
                parse_minor(&format_minor(minor, exponent), exponent),
                Some(minor)
            );
        }
    }
}
