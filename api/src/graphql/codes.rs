//! Stable `extensions.code` on every error, including the ones async-graphql raises itself.
//!
//! Resolver errors get their code from [`crate::error::ApiError`]. Parse and validation errors
//! (syntax, unknown fields, depth and complexity limits) come from async-graphql without one, so
//! this extension adds `GRAPHQL_PARSE_FAILED` and `GRAPHQL_VALIDATION_FAILED`; anything still
//! without a code is an internal error, and says so without detail.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

/// Installs [`ErrorCodes`] in a schema.
pub struct ErrorCodesFactory;

impl ExtensionFactory for ErrorCodesFactory {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

/// See the module documentation.
pub struct ErrorCodes;

fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            let has_code = error
                .extensions
                .as_ref()
                .is_some_and(|e| e.get("code").is_some());
            if has_code {
                continue;
            }
            let input = error.message.starts_with("Failed to parse")
                || error.message.starts_with("Invalid value");
            let code = if input {
                // An argument or variable of the wrong type: the client's to fix, message kept.
                "BAD_USER_INPUT"
            } else if error.path.is_empty() {
                // Raised before execution (variables, operation selection): a request error.
                "GRAPHQL_VALIDATION_FAILED"
            } else {
                tracing::error!(message = %error.message, "resolver error without a code");
                error.message = "internal error".into();
                "INTERNAL_SERVER_ERROR"
            };
            *error = with_code(error.clone(), code);
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, "GRAPHQL_VALIDATION_FAILED"))
                .collect()
        })
    }
}
