//! Exports: the graph in the formats other tools read, written a chunk at a time for
//! `GET /export/…` ([`crate::http::export`]) and `libgraph export --format …`
//! ([`crate::command`]).
//!
//! - [`network`]: the collaboration network as GEXF 1.3 (Gephi), GraphML, and `nodes.csv` /
//!   `edges.csv`. The network is the one `collaborationNetwork` answers for the same filter and
//!   limit: it comes from [`crate::store::collaboration::network`] (and its cache), never from a
//!   second computation; only names, kinds, countries and tie years are read besides.
//! - [`tables`]: one CSV per record type, every column of its table, rows in id order.
//! - [`jsonld`]: the graph as JSON-LD with schema.org types, every fact with its sources.
//!
//! Every format writes into an [`Out`], which hands its bytes on in chunks of about
//! [`CHUNK_BYTES`] as they fill: to a bounded channel that the HTTP body reads from, or to a
//! file. Tables and JSON-LD are read from streamed statements a row at a time, so what an export
//! holds is one chunk, the channel's few chunks and the driver's row, whatever the graph's size;
//! a network export holds the network (at most [`MAX_NETWORK_NODES`] organizations, the bound
//! `collaborationNetwork` has) and nothing more.
//!
//! This module sits beside [`crate::graphql`], above [`crate::store`]: it reads the store
//! directly and knows nothing of HTTP or GraphQL. [`NetworkQuery`] is the one place where the
//! filter parameters are read and checked, for the HTTP query string and the command line alike.

pub mod jsonld;
pub mod network;
pub mod tables;

use tokio::sync::mpsc;

use crate::store::collaboration::NetworkFilter;
use crate::store::error::StoreError;

/// How many bytes an [`Out`] gathers before handing them on: large enough that a chunk is a
/// few TCP segments and one channel send per few hundred rows, small enough that a slow client
/// makes the export wait with little held.
pub const CHUNK_BYTES: usize = 64 << 10;

/// The largest `limit` of a network export: `collaborationNetwork`'s, for the same reason
/// (betweenness is O(nodes × edges)).
pub const MAX_NETWORK_NODES: usize = 1000;

/// The organizations a network export keeps when `limit` is not given: `collaborationNetwork`'s
/// default, so the same filter draws the same network.
pub const DEFAULT_NETWORK_NODES: usize = 200;

/// What can stop an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A read failed, or a parameter is wrong; the store's error says which, with its code.
    #[error("{}", .0.message())]
    Store(StoreError),
    /// The reader went away, or did not take a chunk within the time it is given.
    #[error("the reader stopped taking the export")]
    Closed,
    /// Writing a file failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<StoreError> for ExportError {
    fn from(error: StoreError) -> Self {
        ExportError::Store(error)
    }
}

impl From<csv::Error> for ExportError {
    fn from(error: csv::Error) -> Self {
        ExportError::Io(std::io::Error::other(error))
    }
}

/// Where an export's bytes go.
enum Sink {
    /// To a reader across a bounded channel (the HTTP body); a chunk the reader does not take
    /// within `wait` stops the export ([`ExportError::Closed`]), so a client that stops reading
    /// cannot hold the export, and its database connection, for ever.
    Channel {
        chunks: mpsc::Sender<Vec<u8>>,
        wait: std::time::Duration,
    },
    /// To a file or stdout (the command line).
    Write(Box<dyn std::io::Write + Send>),
}

/// An export's output: bytes are gathered in a buffer and handed on a chunk at a time.
///
/// Formats write into it through [`std::io::Write`] (which only appends to the buffer) and call
/// [`Out::flush_if_full`] between records, which is where a full chunk goes out and where a slow
/// reader makes the export wait.
pub struct Out {
    buffer: Vec<u8>,
    sink: Sink,
}

impl Out {
    /// An output to a channel: the receiving end reads chunks; a chunk not taken within `wait`
    /// stops the export.
    pub fn channel(chunks: mpsc::Sender<Vec<u8>>, wait: std::time::Duration) -> Out {
        Out {
            buffer: Vec::with_capacity(CHUNK_BYTES + 4096),
            sink: Sink::Channel { chunks, wait },
        }
    }

    /// An output to a writer (a file, stdout).
    pub fn writer(to: impl std::io::Write + Send + 'static) -> Out {
        Out {
            buffer: Vec::with_capacity(CHUNK_BYTES + 4096),
            sink: Sink::Write(Box::new(to)),
        }
    }

    /// Hands the buffer on if it holds a chunk's worth.
    pub async fn flush_if_full(&mut self) -> Result<(), ExportError> {
        if self.buffer.len() >= CHUNK_BYTES {
            self.send().await?;
        }
        Ok(())
    }

    /// Hands `bytes` on, after what the buffer holds (for writers that keep their own buffer,
    /// as the `csv` crate's does).
    pub async fn send_bytes(&mut self, bytes: Vec<u8>) -> Result<(), ExportError> {
        self.send().await?;
        self.buffer = bytes;
        self.send().await
    }

    /// Hands on what is left and closes the output.
    pub async fn finish(mut self) -> Result<(), ExportError> {
        self.send().await?;
        if let Sink::Write(to) = &mut self.sink {
            to.flush()?;
        }
        Ok(())
    }

    async fn send(&mut self) -> Result<(), ExportError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        match &mut self.sink {
            Sink::Channel { chunks, wait } => {
                let chunk =
                    std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES + 4096));
                chunks
                    .send_timeout(chunk, *wait)
                    .await
                    .map_err(|_| ExportError::Closed)?;
            }
            Sink::Write(to) => {
                to.write_all(&self.buffer)?;
                self.buffer.clear();
            }
        }
        Ok(())
    }
}

impl std::io::Write for Out {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The part of the graph a network export covers and how many organizations it keeps: the
/// arguments of `collaborationNetwork(filter:, limit:)`, read from `name=value` pairs.
#[derive(Clone, Debug, Default)]
pub struct NetworkQuery {
    pub filter: NetworkFilter,
    pub limit: usize,
}

/// The parameters a network export reads, as [`NetworkQuery::from_pairs`] names them in its
/// errors: `collaborationNetwork`'s filter fields, one value per parameter (repeat it, or
/// separate values by commas, for several).
pub const NETWORK_PARAMETERS: &[&str] = &[
    "country",
    "kind",
    "programme",
    "topic",
    "from",
    "to",
    "limit",
];

impl NetworkQuery {
    /// Reads the parameters in `pairs` ([`NETWORK_PARAMETERS`]); an unknown parameter or a bad
    /// value is `BAD_USER_INPUT` naming the parameter. `extra` names further parameters the
    /// caller reads itself, which are passed over here.
    pub fn from_pairs(pairs: &[(String, String)], extra: &[&str]) -> Result<Self, StoreError> {
        let mut query = NetworkQuery {
            filter: NetworkFilter::default(),
            limit: DEFAULT_NETWORK_NODES,
        };
        let mut period = graph::Period::default();
        let mut dated = false;
        let values = |value: &str| -> Vec<String> {
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        for (name, value) in pairs {
            match name.as_str() {
                "country" => {
                    let checked = crate::store::country::checked("country", &values(value))?;
                    query
                        .filter
                        .countries
                        .get_or_insert_with(Vec::new)
                        .extend(checked);
                }
                "kind" => {
                    for kind in values(value) {
                        let parsed = entities::OrganizationKind::parse(&kind.to_ascii_lowercase())
                            .ok_or_else(|| {
                                StoreError::invalid(
                                    "kind",
                                    format!(
                                        "\"{kind}\" is not an organization kind; expected one of {}",
                                        entities::OrganizationKind::expected()
                                    ),
                                )
                            })?;
                        query.filter.kinds.get_or_insert_with(Vec::new).push(parsed);
                    }
                }
                "programme" => query
                    .filter
                    .programmes
                    .get_or_insert_with(Vec::new)
                    .extend(values(value)),
                "topic" => query
                    .filter
                    .topics
                    .get_or_insert_with(Vec::new)
                    .extend(values(value)),
                "from" => {
                    period.from = Some(year(name, value)?);
                    dated = true;
                }
                "to" => {
                    period.to = Some(year(name, value)?);
                    dated = true;
                }
                "limit" => {
                    query.limit = value
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_NETWORK_NODES).contains(n))
                        .ok_or_else(|| {
                            StoreError::invalid(
                                "limit",
                                format!(
                                    "must be between 1 and {MAX_NETWORK_NODES}, got \"{value}\""
                                ),
                            )
                        })?;
                }
                other if extra.contains(&other) => {}
                other => {
                    return Err(StoreError::invalid(
                        other,
                        format!(
                            "unknown parameter; an export reads {}",
                            NETWORK_PARAMETERS
                                .iter()
                                .chain(extra)
                                .map(|p| format!("`{p}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        if dated {
            query.filter.period = Some(period);
        }
        Ok(query)
    }
}

/// A year parameter: a whole number between 1 and 9999.
fn year(name: &str, value: &str) -> Result<i32, StoreError> {
    value
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1..=9999).contains(y))
        .ok_or_else(|| StoreError::invalid(name, format!("must be a year, got \"{value}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        text.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }

    #[test]
    fn parameters_mirror_the_network_filter() {
        let query =
            NetworkQuery::from_pairs(&pairs("country=pl,ro&kind=LIBRARY&from=2015&limit=10"), &[])
                .expect("valid");
        assert_eq!(query.filter.countries, Some(vec!["PL".into(), "RO".into()]));
        assert_eq!(
            query.filter.kinds,
            Some(vec![entities::OrganizationKind::Library])
        );
        assert_eq!(
            query.filter.period,
            Some(graph::Period {
                from: Some(2015),
                to: None
            })
        );
        assert_eq!(query.limit, 10);
        let default = NetworkQuery::from_pairs(&[], &[]).expect("valid");
        assert_eq!(default.limit, DEFAULT_NETWORK_NODES);
        assert!(default.filter.period.is_none());
    }

    #[test]
    fn a_bad_parameter_is_named() {
        for (text, field) in [
            ("country=POL", "country"),
            ("kind=castle", "kind"),
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("from=soon", "from"),
            ("colour=red", "colour"),
        ] {
            match NetworkQuery::from_pairs(&pairs(text), &[]) {
                Err(StoreError::Invalid { field: named, .. }) => assert_eq!(named, field, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn an_out_hands_on_chunks_in_order_and_stops_when_nobody_reads() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut out = Out::channel(tx, std::time::Duration::from_millis(50));
        use std::io::Write;
        out.write_all(&vec![b'a'; CHUNK_BYTES]).unwrap();
        out.flush_if_full().await.unwrap();
        out.write_all(b"end").unwrap();
        out.flush_if_full().await.unwrap();
        // The channel holds one chunk and nobody reads: the next send times out.
        let stopped = out.finish().await;
        assert!(matches!(stopped, Err(ExportError::Closed)), "{stopped:?}");
        assert_eq!(rx.recv().await.map(|c| c.len()), Some(CHUNK_BYTES));
    }
}
