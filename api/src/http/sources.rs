//! `GET /sources/{slug}.txt`: the stored text of a source document, so that anyone (a browser, a
//! script, a reviewer holding a citation) can read a quote in its context without GraphQL.
//!
//! The text comes from the database (table `source_text`, filled by every seed load), not from
//! the copies built into the binary: a `seed --dir` user's own documents are served the same
//! way, by every instance over one PostgreSQL database. `Source.text` in GraphQL reads the same
//! rows.

use std::sync::Arc;

use crate::context::AppContext;
use crate::store::error::StoreError;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Where the texts are served; `{file}` is `<slug>.txt`.
pub const SOURCES_PATH: &str = "/sources/{file}";

/// The route, over the context's database.
pub fn routes(context: Arc<AppContext>) -> Router {
    Router::new()
        .route(SOURCES_PATH, get(text))
        .with_state(context)
}

/// A source's text as `text/plain; charset=utf-8`; 404 with a sentence saying what is missing
/// (no such source, or a source without a stored copy); 503 while the database is unreachable.
async fn text(State(context): State<Arc<AppContext>>, Path(file): Path<String>) -> Response {
    let plain = |status: StatusCode, body: String| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    };
    // The route matches a whole path segment (axum cannot match a suffix), so the `.txt` is
    // checked here: it says what the answer is, and leaves room for other formats later.
    let Some(slug) = file.strip_suffix(".txt") else {
        return plain(
            StatusCode::NOT_FOUND,
            format!(
                "no such document: /sources/{file}; a source's text is at /sources/<slug>.txt\n"
            ),
        );
    };
    match crate::store::source_text(&context.db, slug).await {
        Ok(Some(Some(text))) => plain(StatusCode::OK, text),
        Ok(Some(None)) => plain(
            StatusCode::NOT_FOUND,
            format!("source \"{slug}\" has no stored copy of its text\n"),
        ),
        Ok(None) => plain(
            StatusCode::NOT_FOUND,
            format!("no source with slug \"{slug}\"\n"),
        ),
        Err(error) => {
            let error = StoreError::from(error);
            let status = match error {
                StoreError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            plain(status, format!("{}\n", error.message()))
        }
    }
}
