//! Organizations, with their library details and identifiers.

use entities::kinds::{IdentifierScheme, LibraryType, OrganizationKind, RecordKind};

use super::{At, Checker, LibraryRow, OrganizationRow, RecordRow, Row};
use crate::document as doc;

impl Checker {
    /// An organization; library details only for a library.
    pub(super) fn organization(&mut self, file: &str, src: &str, o: &doc::Organization) {
        let at = At {
            file,
            record: format!("organization \"{}\"", o.slug),
        };
        let kind = self.enumerated(
            &at,
            "kind",
            &o.kind,
            OrganizationKind::parse,
            OrganizationKind::expected,
        );
        let library = match (&o.library, kind) {
            (Some(_), Some(k)) if k != OrganizationKind::Library => {
                self.problem(
                    &at,
                    Some("library"),
                    "library details are only for organizations of kind \"library\"",
                );
                None
            }
            (details, Some(OrganizationKind::Library)) => {
                let details = details.clone().unwrap_or_default();
                Some(LibraryRow {
                    library_type: details.library_type.as_deref().and_then(|t| {
                        self.enumerated(
                            &at,
                            "library.type",
                            t,
                            LibraryType::parse,
                            LibraryType::expected,
                        )
                    }),
                    address: self.optional_text(&at, "library.address", &details.address),
                    opening_hours: self.optional_text(
                        &at,
                        "library.opening_hours",
                        &details.opening_hours,
                    ),
                    parent: self.optional_reference(
                        &at,
                        "library.parent",
                        &details.parent,
                        &[RecordKind::Organization],
                    ),
                })
            }
            _ => None,
        };
        let mut identifiers = Vec::new();
        for id in &o.identifiers {
            if let Some(scheme) = self.enumerated(
                &at,
                "identifiers",
                &id.scheme,
                IdentifierScheme::parse,
                IdentifierScheme::expected,
            ) {
                let value = self.text(&at, "identifiers", &id.value);
                if identifiers.iter().any(|(s, v)| *s == scheme && *v == value) {
                    self.problem(
                        &at,
                        Some("identifiers"),
                        format!("identifier {scheme} \"{value}\" is listed twice"),
                    );
                } else {
                    identifiers.push((scheme, value));
                }
            }
        }
        let row = OrganizationRow {
            kind: kind.unwrap_or(OrganizationKind::Ngo),
            names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
            description: self.optional_text(&at, "description", &o.description),
            website: self.optional_text(&at, "website", &o.website),
            email: self.optional_text(&at, "email", &o.email),
            phone: self.optional_text(&at, "phone", &o.phone),
            place: self.optional_reference(&at, "place", &o.place, &[RecordKind::Place]),
            library,
        };
        let aliases = self.aliases(&at, &o.slug, src, &o.aliases);
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::Organization(row),
                aliases,
                identifiers,
            },
            src,
            o,
        );
    }
}
