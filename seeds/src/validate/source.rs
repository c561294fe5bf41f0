//! The source document every record of a file cites.

use entities::kinds::RecordKind;

use super::{At, Checker, SourceRow, is_slug};
use crate::document as doc;

impl Checker {
    /// The document's source: its slug is unique across the load, its stored copy was found.
    pub(super) fn source(&mut self, file: &str, source: &doc::Source) {
        let at = At {
            file,
            record: format!("source \"{}\"", source.slug),
        };
        if !is_slug(&source.slug) {
            self.problem(
                &at,
                Some("slug"),
                format!("\"{}\" is not a slug", source.slug),
            );
        } else if let Some(other) = self.sources.get(&source.slug) {
            let message = format!(
                "duplicate source slug \"{}\": already used in {other}",
                source.slug
            );
            self.problem(&at, Some("slug"), message);
        }
        self.sources.insert(source.slug.clone(), file.to_owned());
        let published = self
            .date(&at, "published", &source.published)
            .map(|d| d.to_string());
        let row = SourceRow {
            slug: source.slug.clone(),
            title: self.text(&at, "title", &source.title),
            url: self.optional_text(&at, "url", &source.url),
            publisher: self.optional_reference(
                &at,
                "publisher",
                &source.publisher,
                &[RecordKind::Organization],
            ),
            language: self.lang(&at, "language", &source.language),
            published,
            document: self.optional_text(&at, "document", &source.document),
            text: source.text.clone(),
            description: self.optional_text(&at, "description", &source.description),
        };
        if let (Some(document), None) = (&source.document, &source.text) {
            self.problem(
            &at,
            Some("document"),
            format!("the stored copy \"{document}\" was not found (the path is relative to the seed file)"),
        );
        }
        self.dataset.sources.push(row);
    }
}
