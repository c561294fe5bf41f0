//! The one error type of the API, and how each variant looks to a client.
//!
//! It lives in the store because the store is the lowest layer that fails this way; the GraphQL
//! layer turns it into a GraphQL error with `extensions.code` (`graphql::error`), the HTTP layer
//! into a status.
//!
//! Clients see a message and a stable `extensions.code`; database errors are logged with their
//! detail and shown as a generic message, so nothing of the schema or the SQL leaks out.

use std::borrow::Cow;

use sea_orm::{DbErr, RuntimeErr};

/// The most characters of a client's input an error message quotes.
pub const EXCERPT_CHARS: usize = 40;

/// `text` as an error message quotes it: whole when short, else its first [`EXCERPT_CHARS`]
/// characters and `…`. A 900 KB invalid ID was once echoed whole in its error, so one request
/// could make the server write back as much as it was sent, once per argument.
pub fn excerpt(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// Everything a resolver can fail with.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into an error without
/// extensions, and a resolver's `?` would silently pick that conversion and drop the code. The
/// only way into a GraphQL error is the `From` in `graphql::error`, which sets `extensions.code`.
#[derive(Clone, Debug)]
pub enum StoreError {
    /// `NOT_FOUND`: the ID or slug names nothing.
    NotFound { what: String },
    /// `BAD_USER_INPUT`: an argument is malformed or out of range.
    Invalid { field: String, reason: String },
    /// `TOO_BROAD`: a well-formed argument asks for more than one request may compute; a narrower
    /// one will be answered.
    TooBroad { field: String, reason: String },
    /// `UNAUTHENTICATED`: a write without a token that works: none, a malformed `Authorization`
    /// header, or a token that is unknown, revoked or expired. Raised by `graphql::auth`; the
    /// reason never quotes the token.
    Unauthenticated { reason: String },
    /// `FORBIDDEN`: the token works, but its role may not do this.
    Forbidden { reason: String },
    /// `DATABASE_UNAVAILABLE`: the database cannot be reached right now; retrying later may work.
    Unavailable,
    /// `INTERNAL_SERVER_ERROR`: a bug or an unexpected database error (details are in the log).
    Internal,
}

impl StoreError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }

    /// What the client reads.
    pub fn message(&self) -> String {
        match self {
            StoreError::NotFound { what } => format!("{what} not found"),
            StoreError::Invalid { field, reason } => format!("invalid `{field}`: {reason}"),
            StoreError::TooBroad { field, reason } => format!("`{field}` is too broad: {reason}"),
            StoreError::Unauthenticated { reason } | StoreError::Forbidden { reason } => {
                reason.clone()
            }
            StoreError::Unavailable => "the database is unavailable; try again shortly".into(),
            StoreError::Internal => "internal error".into(),
        }
    }

    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "NOT_FOUND",
            StoreError::Invalid { .. } => "BAD_USER_INPUT",
            StoreError::TooBroad { .. } => "TOO_BROAD",
            StoreError::Unauthenticated { .. } => "UNAUTHENTICATED",
            StoreError::Forbidden { .. } => "FORBIDDEN",
            StoreError::Unavailable => "DATABASE_UNAVAILABLE",
            StoreError::Internal => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        if is_connection_error(&error) {
            tracing::warn!(%error, "database unavailable");
            StoreError::Unavailable
        } else {
            tracing::error!(%error, "database error");
            StoreError::Internal
        }
    }
}

/// Whether the error means "cannot reach the database" rather than "the query failed".
fn is_connection_error(error: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                e.as_ref(),
                Sqlx::Io(_)
                    | Sqlx::PoolTimedOut
                    | Sqlx::PoolClosed
                    | Sqlx::WorkerCrashed
                    | Sqlx::Tls(_)
            )
        }
        _ => false,
    }
}

/// The result type of the store (and of resolvers, which share its failures).
pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_keeps_short_text_whole_and_cuts_long_text_on_a_character() {
        assert_eq!(excerpt("frsi"), "frsi");
        let forty = "ă".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&forty), forty);
        let long = format!("{forty}ț{}", "x".repeat(900_000));
        assert_eq!(excerpt(&long), format!("{forty}…"));
    }
}
