//! Writing an export to a directory laid out as the repository's seeds are: `data/<slug>.toml`,
//! and each stored document text where its file's `document` path points (`../documents/…`,
//! relative to `data/`), so `libgraph seed --dir OUT/data` reads them back.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use sea_orm::DatabaseConnection;

use super::{ExportError, Exporter, SeedFile};

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Seed files, one per source.
    pub files: usize,
    /// Entities declared (each in exactly one file).
    pub entities: usize,
    /// Statements of relations (a relation cited by two sources is stated in both files).
    pub relations: usize,
    /// `[[citation]]` entries.
    pub citations: usize,
    /// Document texts written.
    pub documents: usize,
    /// `*.toml` files in `data/` that this export did not write (left by something else): a
    /// `seed --dir` of the directory would load them too.
    pub strangers: Vec<PathBuf>,
}

/// Writes the export of `db` into `out` (`out/data/*.toml`, the texts beside them), file by
/// file. Files of the same name are replaced; nothing else in `out` is touched.
pub async fn write_dir(db: &DatabaseConnection, out: &Path) -> Result<ExportReport, ExportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |error| ExportError::Io { path, error }
    };
    let data = out.join("data");
    std::fs::create_dir_all(&data).map_err(io(&data))?;
    let mut report = ExportReport::default();
    let mut written: Vec<PathBuf> = Vec::new();
    // Texts written so far, by path: two sources may share a stored copy, not two copies a path.
    let mut texts: HashMap<PathBuf, (String, u64)> = HashMap::new();
    let mut exporter = Exporter::begin(db).await?;
    while let Some(file) = exporter.next().await? {
        let toml = file.to_toml()?;
        let path = data.join(&file.name);
        std::fs::write(&path, toml).map_err(io(&path))?;
        written.push(path);
        count(&mut report, &file);
        let source = &file.document.source;
        if let (Some(document), Some(text)) = (&source.document, &source.text) {
            let Some(path) = inside(out, document) else {
                return Err(ExportError::Inexpressible {
                    record: format!("source \"{}\"", source.slug),
                    reason: format!(
                        "its document path \"{document}\" leads outside the export directory \
                         (or into data/ as a .toml file)"
                    ),
                });
            };
            let digest = fingerprint(text);
            match texts.get(&path) {
                Some((first, seen)) if *seen != digest => {
                    return Err(ExportError::Inexpressible {
                        record: format!("source \"{}\"", source.slug),
                        reason: format!(
                            "its document \"{document}\" has another text than source \"{first}\" \
                             stores at the same path"
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).map_err(io(parent))?;
                    }
                    std::fs::write(&path, text).map_err(io(&path))?;
                    report.documents += 1;
                    texts.insert(path, (source.slug.clone(), digest));
                }
            }
        }
    }
    exporter.finish().await?;
    report.files = written.len();
    let mut strangers: Vec<PathBuf> = std::fs::read_dir(&data)
        .map_err(io(&data))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !written.contains(p))
        .collect();
    strangers.sort();
    report.strangers = strangers;
    Ok(report)
}

fn count(report: &mut ExportReport, file: &SeedFile) {
    let d = &file.document;
    report.entities += d.organization.len()
        + d.place.len()
        + d.programme.len()
        + d.project.len()
        + d.event.len()
        + d.outcome.len()
        + d.person.len()
        + d.topic.len()
        + d.target_group.len();
    report.relations += d.funding.len()
        + d.participation.len()
        + d.relation.len()
        + d.position.len()
        + d.classification.len()
        + d.audience.len();
    report.citations += d.citation.len();
}

/// A hash of a text, to tell two texts at one path apart without keeping them.
fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Where a seed file's `document` path (relative to `out/data/`) points, if it stays inside
/// `out` and does not land on a seed file: a database's paths are data, and an export must not
/// write wherever one says.
fn inside(out: &Path, document: &str) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = vec!["data".as_ref()];
    for component in Path::new(document).components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    let relative: PathBuf = parts.iter().collect();
    let seed_file =
        parts.len() == 2 && parts[0] == "data" && relative.extension().is_some_and(|x| x == "toml");
    (!parts.is_empty() && !seed_file).then(|| out.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_paths_stay_inside_the_export() {
        let out = Path::new("/out");
        assert_eq!(
            inside(out, "../documents/a.txt"),
            Some(PathBuf::from("/out/documents/a.txt"))
        );
        assert_eq!(
            inside(out, "texts/a.txt"),
            Some(PathBuf::from("/out/data/texts/a.txt"))
        );
        for outside in ["../../a.txt", "/etc/passwd", "../..", "b.toml", ".."] {
            assert_eq!(inside(out, outside), None, "{outside}");
        }
    }
}
