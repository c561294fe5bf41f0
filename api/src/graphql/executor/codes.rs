//! Stable `extensions.code` on every error, including the ones async-graphql raises itself.
//!
//! Resolver errors get their code from [`crate::store::error::StoreError`], variables refused before
//! execution theirs from [`super::variables`]. Parse and validation errors
//! (syntax, unknown fields, depth and complexity limits) come from async-graphql without one:
//! [`super::batch::Batched`] marks a document that does not parse `GRAPHQL_PARSE_FAILED`, and
//! [`complete`] gives every error still without a code one after execution. Errors raised before
//! execution (validation, operation selection) have no path; anything with a path and no code is
//! an internal error, and says so without detail.
//!
//! These are plain functions the executor calls rather than a schema extension: an extension,
//! even one without a `resolve` hook, sends every field through async-graphql's extension chain.

use async_graphql::{Response, ServerError};

/// Sets `code` unless the error already has one.
pub fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

/// Gives every error of an executed response a code.
pub fn complete(response: &mut Response) {
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
        let code = if error.path.is_empty() {
            // Raised before execution (validation, operation selection).
            "GRAPHQL_VALIDATION_FAILED"
        } else if input {
            // An argument or variable of the wrong type: the client's to fix, message kept.
            "BAD_USER_INPUT"
        } else {
            tracing::error!(message = %error.message, "resolver error without a code");
            error.message = "internal error".into();
            "INTERNAL_SERVER_ERROR"
        };
        *error = with_code(error.clone(), code);
    }
}

/// The code of a document abandoned at its deadline; the HTTP layer answers it with 503.
pub const TIMEOUT: &str = "TIMEOUT";

/// The error of a document that did not finish within `deadline` (`--execution-timeout`).
/// Nothing of its answer is sent: fields finished before the deadline would look like a whole
/// answer with one error, where most of the query never ran.
pub fn timeout(deadline: std::time::Duration) -> ServerError {
    with_code(
        ServerError::new(
            format!(
                "the query did not finish within {} s and was stopped; ask for smaller pages, fewer levels or a narrower filter",
                deadline.as_secs_f64()
            ),
            Some(async_graphql::Pos { line: 1, column: 1 }),
        ),
        TIMEOUT,
    )
}
