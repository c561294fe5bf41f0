//! The GraphiQL playground at `/playground`, served entirely from the binary.
//!
//! The page and its scripts and styles (`api/assets/graphiql/`) are embedded at
//! compile time, so the playground works offline and always matches the
//! binary that serves it; no CDN is contacted. `index.html` loads the files
//! below `/playground/assets/` and fetches `/playground/examples.json`, the
//! example queries the caller passes to [`routes`].
//!
//! # Caching and compression
//!
//! Every response carries a strong `ETag` (a hash of the content) and
//! answers a matching `If-None-Match` with 304. The page and the examples
//! are `no-cache`: revalidated on every load, which the ETag makes cheap.
//! The assets change only when GraphiQL is upgraded, so browsers may keep
//! them for a day without asking (`immutable`). Their URLs carry no version,
//! so after such an upgrade a browser can run the old script for up to that
//! day; for a developer playground that is an acceptable price for not
//! re-downloading 4 MB on every visit.
//!
//! GraphiQL's script is 3.5 MB, 0.7 MB gzipped, so clients that accept gzip
//! get a gzip variant. It is compressed with `flate2` once, on the first
//! request that wants it (about a quarter of a second for the big script in a
//! release build, on a blocking thread), and kept for the life of the router.
//! Compressing at first use rather than at start-up keeps start-up free of
//! work that only playground users need.
//!
//! # The Network panel
//!
//! `network-panel.js` (built by `scripts/viz` from `scripts/viz.d/src` and
//! pinned npm packages, committed in `api/assets/viz/`) is a GraphiQL plugin
//! that draws a result holding a network; `index.html` adds it beside the
//! explorer and keeps the address bar's `?query=…&variables=…` in step with
//! the editors. [`super::explore`] serves the same drawing code as a page of
//! its own and borrows `Resource` and `serve` from here.

use std::{
    io::Write,
    sync::{Arc, OnceLock},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use flate2::{Compression, write::GzEncoder};

/// Where the playground is served; `index.html` hard-codes the same prefix.
pub const PLAYGROUND_PATH: &str = "/playground";

/// Declares the embedded files below `/playground/assets/` with their media
/// types, so a file cannot be embedded without being routed or vice versa.
macro_rules! embedded_assets {
    ($(($file:literal, $content_type:literal)),* $(,)?) => {
        [$((
            $file,
            $content_type,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/graphiql/", $file))
                .as_slice(),
        )),*]
    };
}

/// The files served below `/playground/assets/`: path (relative to
/// `assets/graphiql/`; served under its last segment), media type, content.
const ASSETS: [(&str, &str, &[u8]); 7] = embedded_assets![
    ("graphiql.min.css", "text/css; charset=utf-8"),
    ("graphiql.min.js", "text/javascript; charset=utf-8"),
    ("plugin-explorer.css", "text/css; charset=utf-8"),
    ("plugin-explorer.umd.js", "text/javascript; charset=utf-8"),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8"
    ),
    ("react.production.min.js", "text/javascript; charset=utf-8"),
    // Built by scripts/viz, not an npm file: it lives with the /explore bundle.
    ("../viz/network-panel.js", "text/javascript; charset=utf-8"),
];

const INDEX_HTML: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/graphiql/index.html"
));

/// Assets change only when GraphiQL is upgraded (see the module docs).
pub(super) const ASSET_CACHE_CONTROL: &str = "public, max-age=86400, immutable";

/// The page and the examples may change with any deployment; the ETag makes
/// revalidating them cheap.
pub(super) const PAGE_CACHE_CONTROL: &str = "no-cache";

/// Below this size gzip saves too little to be worth a `Content-Encoding`.
/// Knowing from the size alone whether a gzip variant exists lets a
/// conditional request be answered without compressing anything.
const MIN_GZIP_BYTES: usize = 1024;

/// The router serving the playground page, its assets and `examples_json`
/// (served verbatim as `application/json`; the page expects an array of
/// `{ name, query, variables }`).
pub fn routes(examples_json: &'static str) -> Router {
    let playground = Arc::new(Playground {
        index: Arc::new(Resource::new(
            "text/html; charset=utf-8",
            PAGE_CACHE_CONTROL,
            INDEX_HTML,
        )),
        examples: Arc::new(Resource::new(
            "application/json",
            PAGE_CACHE_CONTROL,
            examples_json.as_bytes(),
        )),
        assets: ASSETS
            .iter()
            .map(|&(path, content_type, bytes)| {
                let name = path.rsplit('/').next().unwrap_or(path);
                (
                    name,
                    Arc::new(Resource::new(content_type, ASSET_CACHE_CONTROL, bytes)),
                )
            })
            .collect(),
    });
    Router::new()
        .route(PLAYGROUND_PATH, get(index))
        .route("/playground/", get(index))
        .route("/playground/examples.json", get(examples))
        .route("/playground/assets/{file}", get(asset))
        .with_state(playground)
}

/// Everything the playground serves, with the state each file needs for
/// caching and compression.
struct Playground {
    index: Arc<Resource>,
    examples: Arc<Resource>,
    assets: Vec<(&'static str, Arc<Resource>)>,
}

/// One file the playground (or the explorer page) serves.
pub(super) struct Resource {
    content_type: &'static str,
    cache_control: &'static str,
    identity: &'static [u8],
    /// Hash of `identity`, computed when the router is built so that no
    /// request pays for hashing 3.5 MB. The gzip variant's tag derives from
    /// it, which is why a 304 never needs the compressed bytes.
    hash: u64,
    /// The gzip variant, made on first use; `None` if compressing failed, in
    /// which case the identity is served instead.
    gzip: OnceLock<Option<Bytes>>,
}

/// Which of a resource's two representations a response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
}

impl Resource {
    pub(super) fn new(
        content_type: &'static str,
        cache_control: &'static str,
        identity: &'static [u8],
    ) -> Self {
        Self {
            content_type,
            cache_control,
            identity,
            hash: fnv1a(identity),
            gzip: OnceLock::new(),
        }
    }

    /// The strong ETag of one representation. The two must differ: a cache
    /// holding the gzip bytes must not answer an identity request with them.
    fn etag(&self, encoding: Encoding) -> String {
        match encoding {
            Encoding::Identity => format!("\"{:016x}\"", self.hash),
            Encoding::Gzip => format!("\"{:016x}-gzip\"", self.hash),
        }
    }

    /// The gzip bytes, compressing them on a blocking thread the first time
    /// (concurrent first requests wait for the one compression rather than
    /// each doing it).
    async fn gzipped(self: &Arc<Self>) -> Option<Bytes> {
        if let Some(gzip) = self.gzip.get() {
            return gzip.clone();
        }
        let resource = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            resource
                .gzip
                .get_or_init(|| gzip(resource.identity))
                .clone()
        })
        .await
        .ok()
        .flatten()
    }
}

async fn index(State(playground): State<Arc<Playground>>, headers: HeaderMap) -> Response {
    serve(&playground.index, &headers).await
}

async fn examples(State(playground): State<Arc<Playground>>, headers: HeaderMap) -> Response {
    serve(&playground.examples, &headers).await
}

async fn asset(
    State(playground): State<Arc<Playground>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    match playground.assets.iter().find(|(name, _)| *name == file) {
        Some((_, resource)) => serve(resource, &headers).await,
        None => (StatusCode::NOT_FOUND, "no such playground asset").into_response(),
    }
}

/// Answers a GET (or HEAD) for `resource`: 304 when the client's copy is
/// current, otherwise the content, gzipped when the client accepts it.
pub(super) async fn serve(resource: &Arc<Resource>, request_headers: &HeaderMap) -> Response {
    let mut encoding = if resource.identity.len() >= MIN_GZIP_BYTES && accepts_gzip(request_headers)
    {
        Encoding::Gzip
    } else {
        Encoding::Identity
    };

    if if_none_match(request_headers, &resource.etag(encoding)) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        add_caching_headers(response.headers_mut(), resource, encoding);
        return response;
    }

    let body = match encoding {
        Encoding::Gzip => match resource.gzipped().await {
            Some(bytes) => Body::from(bytes),
            None => {
                encoding = Encoding::Identity;
                Body::from(resource.identity)
            }
        },
        Encoding::Identity => Body::from(resource.identity),
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    add_caching_headers(headers, resource, encoding);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(resource.content_type),
    );
    // Scripts and styles must run only as the type declared here.
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if encoding == Encoding::Gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// The headers a 200 and a 304 share (RFC 9110 §15.4.5).
fn add_caching_headers(headers: &mut HeaderMap, resource: &Resource, encoding: Encoding) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(resource.cache_control),
    );
    // The tag is 16 hex digits in quotes, always a valid header value.
    if let Ok(etag) = HeaderValue::from_str(&resource.etag(encoding)) {
        headers.insert(header::ETAG, etag);
    }
    // Caches must key on Accept-Encoding, or they would hand gzip to a
    // client that did not ask for it.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
}

/// Whether `If-None-Match` lists `etag` (or is `*`), by the weak comparison
/// RFC 9110 §13.1.2 prescribes for this header.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Whether `Accept-Encoding` allows gzip: listed (as `gzip` or the legacy
/// `x-gzip`) with a nonzero weight, or covered by `*` without being refused.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for coding in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
    {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let quality = parts
            .filter_map(|parameter| parameter.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, value)| value.trim().parse::<f32>().unwrap_or(1.0));
        if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(quality);
        } else if name == "*" {
            any = Some(quality);
        }
    }
    gzip.or(any).is_some_and(|quality| quality > 0.0)
}

/// Compresses with the best ratio: it is done once per file, so the extra
/// time over the default level (about 50%) is paid once.
fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::best());
    match encoder.write_all(bytes).and_then(|()| encoder.finish()) {
        Ok(compressed) => Some(Bytes::from(compressed)),
        Err(error) => {
            tracing::warn!(%error, "could not gzip a playground file; serving it uncompressed");
            None
        }
    }
}

/// 64-bit FNV-1a: a content hash for ETags, where speed and stability across
/// builds and platforms matter and resistance to deliberate collisions does
/// not (the content is our own).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use std::io::Read;
    use tower::ServiceExt;

    const EXAMPLES: &str = r#"[{"name":"Hello","query":"{ hello }"}]"#;

    struct Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    }

    impl Answer {
        fn header(&self, name: header::HeaderName) -> Option<&str> {
            self.headers.get(name).and_then(|value| value.to_str().ok())
        }
    }

    async fn fetch(uri: &str, headers: &[(header::HeaderName, &str)]) -> Answer {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let request = request.body(Body::empty()).expect("valid request");
        let response = routes(EXAMPLES)
            .oneshot(request)
            .await
            .expect("infallible service");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("readable body");
        Answer {
            status,
            headers,
            body,
        }
    }

    #[tokio::test]
    async fn index_is_served_as_html_and_revalidated() {
        for uri in ["/playground", "/playground/"] {
            let answer = fetch(uri, &[]).await;

            assert_eq!(answer.status, StatusCode::OK, "{uri}");
            assert_eq!(
                answer.header(header::CONTENT_TYPE),
                Some("text/html; charset=utf-8")
            );
            assert_eq!(answer.header(header::CACHE_CONTROL), Some("no-cache"));
            assert_eq!(answer.body.as_ref(), INDEX_HTML);
        }
    }

    #[tokio::test]
    async fn assets_are_served_with_their_type_and_cached_for_long() {
        assert_eq!(ASSETS[0].0, "graphiql.min.css");

        let answer = fetch("/playground/assets/graphiql.min.css", &[]).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.header(header::CONTENT_TYPE),
            Some("text/css; charset=utf-8")
        );
        assert_eq!(
            answer.header(header::CACHE_CONTROL),
            Some("public, max-age=86400, immutable")
        );
        assert_eq!(answer.header(header::CONTENT_ENCODING), None);
        assert_eq!(answer.body.as_ref(), ASSETS[0].2);
    }

    #[tokio::test]
    async fn every_file_the_page_loads_is_served() {
        let page = String::from_utf8_lossy(INDEX_HTML);
        let uris: Vec<&str> = page
            .split('"')
            .filter(|part| part.starts_with("/playground/"))
            .collect();
        assert!(uris.len() >= 6, "the page names {uris:?}");

        for uri in uris {
            let answer = fetch(uri, &[]).await;

            assert_eq!(answer.status, StatusCode::OK, "{uri}");
            let content_type = answer.header(header::CONTENT_TYPE).unwrap_or_default();
            let expected = match uri.rsplit('.').next() {
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                _ => "application/json",
            };
            assert_eq!(content_type, expected, "{uri}");
        }
    }

    #[tokio::test]
    async fn unknown_asset_is_404() {
        let answer = fetch("/playground/assets/evil.js", &[]).await;

        assert_eq!(answer.status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn examples_are_served_as_json() {
        let answer = fetch("/playground/examples.json", &[]).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.header(header::CONTENT_TYPE),
            Some("application/json")
        );
        assert_eq!(answer.body.as_ref(), EXAMPLES.as_bytes());
    }

    #[tokio::test]
    async fn matching_if_none_match_is_304() {
        let uri = "/playground/assets/react.production.min.js";
        let first = fetch(uri, &[]).await;
        let etag = first.header(header::ETAG).expect("an ETag").to_owned();

        let exact = fetch(uri, &[(header::IF_NONE_MATCH, &etag)]).await;
        let listed_weak = fetch(
            uri,
            &[(header::IF_NONE_MATCH, &format!("\"other\", W/{etag}"))],
        )
        .await;
        let stale = fetch(uri, &[(header::IF_NONE_MATCH, "\"other\"")]).await;

        assert_eq!(exact.status, StatusCode::NOT_MODIFIED);
        assert!(exact.body.is_empty());
        assert_eq!(exact.header(header::ETAG), Some(etag.as_str()));
        assert_eq!(listed_weak.status, StatusCode::NOT_MODIFIED);
        assert_eq!(stale.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn gzip_is_served_when_accepted() {
        let uri = "/playground/assets/react.production.min.js";
        let plain = fetch(uri, &[]).await;

        let zipped = fetch(uri, &[(header::ACCEPT_ENCODING, "br, gzip;q=0.8")]).await;

        assert_eq!(zipped.status, StatusCode::OK);
        assert_eq!(zipped.header(header::CONTENT_ENCODING), Some("gzip"));
        assert_eq!(zipped.header(header::VARY), Some("accept-encoding"));
        assert!(zipped.body.len() < plain.body.len());
        assert_ne!(zipped.header(header::ETAG), plain.header(header::ETAG));
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(zipped.body.as_ref())
            .read_to_end(&mut unzipped)
            .expect("valid gzip");
        assert_eq!(unzipped, plain.body.as_ref());
    }

    #[tokio::test]
    async fn conditional_gzip_request_matches_the_gzip_tag() {
        let uri = "/playground/assets/react.production.min.js";
        let zipped = fetch(uri, &[(header::ACCEPT_ENCODING, "gzip")]).await;
        let etag = zipped.header(header::ETAG).expect("an ETag").to_owned();

        let revalidated = fetch(
            uri,
            &[
                (header::ACCEPT_ENCODING, "gzip"),
                (header::IF_NONE_MATCH, &etag),
            ],
        )
        .await;
        let identity = fetch(uri, &[(header::IF_NONE_MATCH, &etag)]).await;

        assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
        assert_eq!(identity.status, StatusCode::OK);
        assert_eq!(identity.header(header::CONTENT_ENCODING), None);
    }

    fn gzip_accepted(accept_encoding: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept_encoding).expect("valid header"),
        );
        accepts_gzip(&headers)
    }

    #[test]
    fn gzip_acceptance_follows_weights() {
        assert!(!accepts_gzip(&HeaderMap::new()));
        assert!(gzip_accepted("gzip, deflate, br"));
        assert!(gzip_accepted("GZIP;q=0.5"));
        assert!(gzip_accepted("*"));
        assert!(!gzip_accepted("br"));
        assert!(!gzip_accepted("gzip;q=0"));
        assert!(!gzip_accepted("*, gzip;q=0"));
        assert!(!gzip_accepted("identity"));
    }
}
