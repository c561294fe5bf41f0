//! The one error type of the API, and how each variant looks to a client.
//!
//! Clients see a message and a stable `extensions.code`; database errors are logged with their
//! detail and shown as a generic message, so nothing of the schema or the SQL leaks out.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr};

/// Everything a resolver can fail with.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into an error without
/// extensions, and a resolver's `?` would silently pick that conversion and drop the code. The
/// only way out of this type is the `From` below, which sets `extensions.code`.
#[derive(Clone, Debug)]
pub enum ApiError {
    /// `NOT_FOUND`: the ID or slug names nothing.
    NotFound { what: String },
    /// `BAD_USER_INPUT`: an argument is malformed or out of range.
    Invalid { field: String, reason: String },
    /// `TOO_BROAD`: a well-formed argument asks for more than one request may compute; a narrower
    /// one will be answered.
    TooBroad { field: String, reason: String },
    /// `DATABASE_UNAVAILABLE`: the database cannot be reached right now; retrying later may work.
    Unavailable,
    /// `INTERNAL_SERVER_ERROR`: a bug or an unexpected database error (details are in the log).
    Internal,
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound { what: what.into() }
    }

    /// What the client reads.
    pub fn message(&self) -> String {
        match self {
            ApiError::NotFound { what } => format!("{what} not found"),
            ApiError::Invalid { field, reason } => format!("invalid `{field}`: {reason}"),
            ApiError::TooBroad { field, reason } => format!("`{field}` is too broad: {reason}"),
            ApiError::Unavailable => "the database is unavailable; try again shortly".into(),
            ApiError::Internal => "internal error".into(),
        }
    }

    /// As a GraphQL error with its code.
    pub fn into_graphql(self) -> async_graphql::Error {
        self.into()
    }

    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } => "NOT_FOUND",
            ApiError::Invalid { .. } => "BAD_USER_INPUT",
            ApiError::TooBroad { .. } => "TOO_BROAD",
            ApiError::Unavailable => "DATABASE_UNAVAILABLE",
            ApiError::Internal => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        if is_connection_error(&error) {
            tracing::warn!(%error, "database unavailable");
            ApiError::Unavailable
        } else {
            tracing::error!(%error, "database error");
            ApiError::Internal
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

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code();
        let field = match &error {
            ApiError::Invalid { field, .. } | ApiError::TooBroad { field, .. } => {
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

/// The result type of resolvers.
pub type ApiResult<T> = Result<T, ApiError>;
