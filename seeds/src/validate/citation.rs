//! Citations: the quotes every record and alias needs, and the `[[citation]]` records that add
//! quotes to a record declared elsewhere.

use entities::kinds::CitationBasis;

use super::keys::ENTITIES;
use super::{At, Checker, CitationRow};
use crate::document::{self as doc, Cited};

impl Checker {
    /// The aliases of the entity `key`, each cited from `source` like any fact: an alias without
    /// a quote is refused, naming it (`aliases[1].quote`).
    pub(super) fn aliases(
        &mut self,
        at: &At,
        key: &str,
        source: &str,
        aliases: &[doc::Alias],
    ) -> Vec<(String, Option<String>)> {
        let mut out: Vec<(String, Option<String>)> = Vec::new();
        for (i, alias) in aliases.iter().enumerate() {
            let field = format!("aliases[{i}]");
            let name = self.text(at, &format!("{field}.name"), &alias.name);
            let lang = alias
                .lang
                .as_deref()
                .map(|l| self.lang(at, &format!("{field}.lang"), l));
            if out.iter().any(|(n, _)| *n == name) {
                self.problem(
                    at,
                    Some(&format!("{field}.name")),
                    format!("alias \"{name}\" is listed twice"),
                );
                continue;
            }
            self.cite(at, &field, key, Some(&name), source, alias);
            out.push((name, lang));
        }
        out
    }

    /// The quotes of a record, as citations of `source`.
    pub(super) fn citations(&mut self, at: &At, key: &str, source: &str, cited: &dyn Cited) {
        self.cite(at, "", key, None, source, cited);
    }

    /// The quotes of a record or of one of its aliases (`alias`, declared at `prefix`, such as
    /// `aliases[0]`), as citations of `source`.
    pub(super) fn cite(
        &mut self,
        at: &At,
        prefix: &str,
        key: &str,
        alias: Option<&str>,
        source: &str,
        cited: &dyn Cited,
    ) {
        let field = |name: &str| {
            if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}.{name}")
            }
        };
        let quotes = cited.quotes();
        if quotes.is_empty() {
            let message = match alias {
                None => "every record needs at least one quote from its source".to_owned(),
                Some(name) => format!(
                    "alias \"{name}\" needs a quote from its source: one that states it, or one it is inferred from (with `inferred` saying why)"
                ),
            };
            self.problem(at, Some(&field("quote")), message);
        }
        let reasoning = cited.inferred().map(str::trim).map(str::to_owned);
        if reasoning.as_deref() == Some("") {
            self.problem(
                at,
                Some(&field("inferred")),
                "must say why the fact is inferred",
            );
        }
        for quote in quotes {
            if quote.trim().is_empty() {
                self.problem(at, Some(&field("quote")), "must not be empty");
                continue;
            }
            self.dataset.citations.push(CitationRow {
                record: key.to_owned(),
                alias: alias.map(str::to_owned),
                source: source.to_owned(),
                quote: quote.trim().to_owned(),
                basis: if reasoning.is_some() {
                    CitationBasis::Inferred
                } else {
                    CitationBasis::Stated
                },
                reasoning: reasoning.clone(),
            });
        }
    }

    /// A `[[citation]]`: more quotes for a record declared elsewhere.
    pub(super) fn extra_citation(
        &mut self,
        file: &str,
        src: &str,
        i: usize,
        o: &doc::ExtraCitation,
    ) {
        let at = At {
            file,
            record: format!("citation #{} (of {})", i + 1, o.record),
        };
        let key = self.reference(&at, "record", &o.record, ENTITIES);
        self.citations(&at, &key, src, o);
    }
}
