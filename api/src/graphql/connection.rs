//! Relay connections: `edges { cursor node }`, `pageInfo`, and a `totalCount` that costs a
//! statement only when a client asks for it.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object};

use super::lean::LeanObject;
use super::loader::{ChildCount, Loaders};
use super::page::{Direction, Page};
use crate::error::ApiError;

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
        Pin<Box<dyn Future<Output = Result<u64, crate::error::ApiError>> + Send>>;
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
            Total::Deferred(count) => Ok(count().await.map_err(ApiError::into_graphql)?),
        }
    }
}

pub use super::lean::Conn;

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
