//! Relay connections: `edges { cursor node }`, `pageInfo`, and a `totalCount` that costs a
//! statement only when a client asks for it.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};

use crate::graphql::executor::lean::LeanObject;
use crate::store::page::{Cursor, Direction, Page};

pub mod total;

pub use total::{ConnectionTotal, Total, futures_count};

pub use crate::graphql::executor::lean::Conn;

/// Cursors as async-graphql's connections read and write them: opaque text.
impl async_graphql::connection::CursorType for Cursor {
    type Error = &'static str;

    fn decode_cursor(text: &str) -> Result<Self, Self::Error> {
        Cursor::decode("cursor", text).map_err(|_| "not a cursor returned by this API")
    }

    fn encode_cursor(&self) -> String {
        self.encode()
    }
}

/// Builds a connection from a page, turning each row into a node.
pub fn from_page<M, N>(page: &Page<M>, total: Total, mut node: impl FnMut(&Arc<M>) -> N) -> Conn<N>
where
    N: LeanObject,
{
    let (has_previous, has_next) = match page.args.direction {
        Direction::Forward => (page.args.cursor.is_some(), page.has_more),
        Direction::Backward => (page.has_more, page.args.cursor.is_some()),
    };
    let mut connection =
        Connection::with_additional_fields(has_previous, has_next, ConnectionTotal(total));
    connection.edges.extend(
        page.rows
            .iter()
            .map(|row| Edge::new(row.cursor.clone(), node(&row.model))),
    );
    Conn(connection)
}

/// Builds a connection whose nodes were loaded separately (`nodes` in page order; rows whose
/// node is missing are skipped).
pub fn from_loaded<M, N>(page: &Page<M>, total: Total, nodes: Vec<Option<N>>) -> Conn<N>
where
    N: LeanObject,
{
    let (has_previous, has_next) = match page.args.direction {
        Direction::Forward => (page.args.cursor.is_some(), page.has_more),
        Direction::Backward => (page.has_more, page.args.cursor.is_some()),
    };
    let mut connection =
        Connection::with_additional_fields(has_previous, has_next, ConnectionTotal(total));
    connection.edges.extend(
        page.rows
            .iter()
            .zip(nodes)
            .filter_map(|(row, node)| node.map(|n| Edge::new(row.cursor.clone(), n))),
    );
    Conn(connection)
}
