//! One CSV per record type: every column of its table, in the entity's order, a header row, rows
//! in id order, quoted as RFC 4180 says by the `csv` crate.
//!
//! The tables are the graph's facts and the sources they cite ([`TABLES`]). Left out, on
//! purpose: API tokens (secrets, even hashed), the revision history (who edited what), the
//! search index and the collaboration ties (derived: a load computes them again; `edges.csv`
//! is the network's view of the ties), the stored source texts (whole documents, served at
//! `/sources/<slug>.txt`) and the graph version counter.
//!
//! Rows come from a streamed statement ([`crate::store::export::rows`]) and go out as they are
//! written, a chunk at a time: a table at size L (about a million participations) is never held.
//! Values are written as stored: text as is, numbers in their shortest exact form, null as an
//! empty field; enumerations in their stored lowercase form.

use entities as e;
use futures_util::StreamExt;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::{CHUNK_BYTES, ExportError, Out};
use crate::store::export::{columns, rows};

/// The tables a CSV export may be asked for, by their file name without `.csv` (the table name).
pub const TABLES: &[&str] = &[
    "organization",
    "library",
    "identifier",
    "alias",
    "place",
    "person",
    "position",
    "organization_relation",
    "programme",
    "project",
    "event",
    "participation",
    "funding",
    "outcome",
    "topic",
    "classification",
    "target_group",
    "audience",
    "source",
    "citation",
    "record",
];

/// Writes the table named `table` ([`TABLES`]) as CSV; `None` when there is no such table.
pub async fn write_table(
    db: &DatabaseConnection,
    table: &str,
    out: &mut Out,
) -> Option<Result<(), ExportError>> {
    Some(match table {
        "organization" => write::<e::organization::Entity>(db, out).await,
        "library" => write::<e::library::Entity>(db, out).await,
        "identifier" => write::<e::identifier::Entity>(db, out).await,
        "alias" => write::<e::alias::Entity>(db, out).await,
        "place" => write::<e::place::Entity>(db, out).await,
        "person" => write::<e::person::Entity>(db, out).await,
        "position" => write::<e::position::Entity>(db, out).await,
        "organization_relation" => write::<e::organization_relation::Entity>(db, out).await,
        "programme" => write::<e::programme::Entity>(db, out).await,
        "project" => write::<e::project::Entity>(db, out).await,
        "event" => write::<e::event::Entity>(db, out).await,
        "participation" => write::<e::participation::Entity>(db, out).await,
        "funding" => write::<e::funding::Entity>(db, out).await,
        "outcome" => write::<e::outcome::Entity>(db, out).await,
        "topic" => write::<e::topic::Entity>(db, out).await,
        "classification" => write::<e::classification::Entity>(db, out).await,
        "target_group" => write::<e::target_group::Entity>(db, out).await,
        "audience" => write::<e::audience::Entity>(db, out).await,
        "source" => write::<e::source::Entity>(db, out).await,
        "citation" => write::<e::citation::Entity>(db, out).await,
        "record" => write::<e::record::Entity>(db, out).await,
        _ => return None,
    })
}

/// Writes `E`'s table: its columns as the header, then every row.
async fn write<E: EntityTrait>(db: &DatabaseConnection, out: &mut Out) -> Result<(), ExportError> {
    let header = columns::<E>();
    let mut csv = writer();
    csv.write_record(&header)?;
    let mut stream = std::pin::pin!(rows::<E>(db).await?);
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    while let Some(row) = stream.next().await {
        let row = row?;
        record.clear();
        for column in &header {
            record.push(match row.get(*column) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            });
        }
        csv.write_record(&record)?;
        hand_on_full(&mut csv, out).await?;
    }
    hand_on_rest(csv, out).await
}

/// A CSV writer into memory, its bytes handed on by [`hand_on_full`] and [`hand_on_rest`].
pub(super) fn writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

/// Hands on what `csv` has written if it is a chunk's worth. The `csv` crate keeps a buffer of
/// its own and lends out no mutable access to what it writes into, so a full writer is taken
/// apart (`into_inner` empties its buffer too) and replaced by a fresh one: once a chunk.
pub(super) async fn hand_on_full(
    csv: &mut csv::Writer<Vec<u8>>,
    out: &mut Out,
) -> Result<(), ExportError> {
    if csv.get_ref().len() >= CHUNK_BYTES {
        let full = std::mem::replace(csv, writer());
        hand_on_rest(full, out).await?;
    }
    Ok(())
}

/// Hands on everything `csv` holds, its own buffer included.
pub(super) async fn hand_on_rest(
    csv: csv::Writer<Vec<u8>>,
    out: &mut Out,
) -> Result<(), ExportError> {
    let rest = csv
        .into_inner()
        .map_err(|error| ExportError::Io(std::io::Error::other(error.to_string())))?;
    out.send_bytes(rest).await
}
