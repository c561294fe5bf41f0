//! How the store's failures look to a GraphQL client: a message and a stable `extensions.code`
//! (with `extensions.field` for a bad or too-broad argument). These conversions are the only way a
//! [`StoreError`] becomes a GraphQL error, so no resolver's `?` can drop the code.

use async_graphql::ErrorExtensions;

use crate::store::StoreError;
use crate::store::loader::LoadError;

impl From<StoreError> for async_graphql::Error {
    fn from(error: StoreError) -> Self {
        let code = error.code();
        let field = match &error {
            StoreError::Invalid { field, .. } | StoreError::TooBroad { field, .. } => {
                Some(field.clone())
            }
            _ => None,
        };
        async_graphql::Error::new(error.message()).extend_with(|_, e| {
            e.set("code", code);
            if let Some(field) = field {
                e.set("field", field);
            }
        })
    }
}

impl From<LoadError> for async_graphql::Error {
    fn from(error: LoadError) -> Self {
        error.0.as_ref().clone().into()
    }
}
