//! A connection's `totalCount`, counted only when a client asks for it. Its own module because the
//! lean executor builds connections with it while [`super`] builds them from the lean executor's
//! objects.

use std::sync::Arc;

use async_graphql::{Context, Object};

use crate::store::loader::{ChildCount, Loaders};

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
