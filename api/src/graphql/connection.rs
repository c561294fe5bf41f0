//! Relay connections: `edges { cursor node }`, `pageInfo`, and a `totalCount` that costs a
//! statement only when a client asks for it.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object};

use super::executor::lean::LeanObject;
use crate::store::loader::{ChildCount, Loaders};
use crate::store::page::{Cursor, Direction, Page};

/// How to count the whole list behind a connection, evaluated only if `totalCount` is selected.
pub enum Total {
    /// Children of one parent, through the count loader.
    Children(ChildCount),
    /// A known number.
    Known(u64),
    /// A root list: counted by the function when asked.
    Deferred(Arc<dyn Fn() -> futures_count::CountFuture + Send + Sync>),
}

pub mod futures_count {
    //! The boxed future a deferred count runs.
    use std::future::Future;
    use std::pin::Pin;

    pub type CountFuture =
        Pin<Box<dyn Future<Output = Result<u64, crate::store::error::StoreError>> + Send>>;
}

/// The extra fields of every connection.
pub struct ConnectionTotal(pub Total);

#[Object]
impl ConnectionTotal {
    /// How many items the whole list holds under the given filters (not just this page).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        match &self.0 {
            Total::Known(n) => Ok(*n),
            Total::Children(key) => {
                let loaders = ctx.data::<Loaders>()?;
                Ok(loaders.load_one(key.clone()).await?.unwrap_or(0))
            }
            Total::Deferred(count) => Ok(count().await.map_err(async_graphql::Error::from)?),
        }
    }
}

pub use super::executor::lean::Conn;

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
