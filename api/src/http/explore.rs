//! The explorer page at `/explore`: the collaboration network with the filters of
//! `collaborationNetwork`, the API's search, a connection path between two organizations, and a
//! map, for coordinators who do not write GraphQL.
//!
//! The page is a client of the public GraphQL API (`POST /graphql`) and nothing more: it holds no
//! query of its own on the server side, so whatever it shows, a query in the playground shows too.
//! Its script (`api/assets/viz/explore.js`, built by `scripts/viz` from `scripts/viz.d/src` and
//! pinned npm packages: cytoscape.js for the network, d3-geo and world-atlas's country outlines for
//! the map) is embedded at compile time, so the page works offline and no tile server or CDN is
//! contacted. Caching and compression are the playground's (`super::playground::serve`): a strong
//! ETag on everything, the page `no-cache`, the script cacheable for a day and gzipped on first use
//! (600 KB, 190 KB gzipped).

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};

use super::playground::{ASSET_CACHE_CONTROL, PAGE_CACHE_CONTROL, Resource, serve};

/// Where the explorer is served; `explore.html` hard-codes the same prefix for its script.
pub const EXPLORE_PATH: &str = "/explore";

const EXPLORE_HTML: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/viz/explore.html"
));

const EXPLORE_JS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/viz/explore.js"
));

/// The page and its one script.
struct Explorer {
    page: Arc<Resource>,
    script: Arc<Resource>,
}

/// The router serving `/explore` and `/explore/assets/explore.js`.
pub fn routes() -> Router {
    let explorer = Arc::new(Explorer {
        page: Arc::new(Resource::new(
            "text/html; charset=utf-8",
            PAGE_CACHE_CONTROL,
            EXPLORE_HTML,
        )),
        script: Arc::new(Resource::new(
            "text/javascript; charset=utf-8",
            ASSET_CACHE_CONTROL,
            EXPLORE_JS,
        )),
    });
    Router::new()
        .route(EXPLORE_PATH, get(page))
        .route("/explore/", get(page))
        .route("/explore/assets/{file}", get(asset))
        .with_state(explorer)
}

async fn page(State(explorer): State<Arc<Explorer>>, headers: HeaderMap) -> Response {
    serve(&explorer.page, &headers).await
}

async fn asset(
    State(explorer): State<Arc<Explorer>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if file == "explore.js" {
        serve(&explorer.script, &headers).await
    } else {
        (StatusCode::NOT_FOUND, "no such explorer asset").into_response()
    }
}
