//! The GraphQL endpoint: `GET` and `POST` on `/graphql`, following the
//! GraphQL-over-HTTP specification (graphql.github.io/graphql-over-http).
//!
//! This module owns everything between the HTTP request and
//! [`async_graphql::Executor::execute`]: reading and validating the request
//! parameters, refusing what the spec says to refuse (mutations over `GET`,
//! unsupported media types, oversized bodies), choosing the response media
//! type from `Accept`, and mapping the GraphQL response to a status code.
//! It knows nothing about libgraph's schema: it is generic over any executor,
//! so the same code serves the real schema and the tiny one in the tests.
//!
//! We do not use `async-graphql-axum` (7.2): it labels every response
//! `application/graphql-response+json` yet answers request errors with 200,
//! ignores `Accept`, and executes mutations sent with `GET`. Clients written
//! against the spec (Apollo Client 4, GraphiQL, the `graphql-http` audit)
//! rely on exactly those rules. This module passes all 61 checks of the
//! `graphql-http` server audit.
//!
//! # Status codes
//!
//! Problems with the HTTP request itself (wrong method, media type, body size,
//! malformed parameters) are answered with a 4xx status, whatever media type
//! was negotiated, and a GraphQL-shaped body
//! `{"errors":[{"message":…,"extensions":{"code":…}}]}` whose code names the
//! status (`BAD_REQUEST`, `METHOD_NOT_ALLOWED`, `NOT_ACCEPTABLE`,
//! `PAYLOAD_TOO_LARGE`, `UNSUPPORTED_MEDIA_TYPE`). For a well-formed request
//! the status depends on the media type: `application/json` is always 200
//! (legacy clients read errors from the body, and cannot trust a 4xx with
//! that type not to come from a proxy), while
//! `application/graphql-response+json` is 400 for a *request error* (the
//! document did not parse or validate, or its variables do not fit their
//! declared types, so nothing was executed) and 200 otherwise, partial data with field errors included. A request error's
//! body has no `data` entry, with either type; `is_request_error` explains
//! how one is told from a failed field.
//!
//! Two request errors are the server's, not the client's: the executor's
//! refusal to start a document while it is busy, with the code `OVERLOADED`,
//! is 503 with `Retry-After`, whatever the media type, so that clients,
//! proxies and load balancers retry it later or elsewhere; a document stopped
//! at its deadline (`TIMEOUT`) is 503 without one.
//!
//! A client over its rate limit ([`crate::http::ratelimit`], when one is set)
//! is refused first, before its request is read: 429 with `Retry-After`,
//! whatever the media type, and the code `RATE_LIMITED`.
//!
//! # Who is asking
//!
//! The `Authorization` header is read here but judged elsewhere: what it says
//! goes into the request data as [`Credentials`] (`Bearer <token>`'s token,
//! unchecked, or why the header is not one), and only a field that needs to
//! know who asks ([`crate::graphql::auth`]) looks the token up. So a read runs
//! no statement more for a token, and answers the same whatever the header
//! holds; a malformed header refuses a mutation with `UNAUTHENTICATED`, not
//! the whole request with a 400. Nothing in this module logs or echoes a
//! header; the request line the telemetry layer writes names the method, path,
//! operation and outcome only.

use std::{cmp::Ordering, collections::BTreeMap, net::SocketAddr, sync::Arc};

use async_graphql::{
    Executor, ServerError, Value,
    parser::{
        Positioned, parse_query,
        types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType},
    },
};
use axum::{
    Router,
    body::{Body, Bytes},
    extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Query, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::any,
};
use serde::{Deserialize, Serialize};

// The code of the request error that means "busy, retry later" (see the module docs); admission
// owns it, as the one that refuses to start a document while the server is busy.
use crate::graphql::auth::{BearerToken, Credentials};
use crate::graphql::executor::admission::OVERLOADED;
use crate::graphql::executor::codes::TIMEOUT;
use crate::http::ratelimit::{ClientLimiter, Limited};

/// The path the endpoint is served on; the playground's fetcher points here.
pub const GRAPHQL_PATH: &str = "/graphql";

/// The media type the spec defines for GraphQL responses; only clients that
/// ask for it get the stricter status codes.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// How the endpoint treats requests; [`Default`] suits production.
#[derive(Clone, Debug)]
pub struct GraphqlHttpOptions {
    /// The largest `POST` body accepted, in bytes; larger bodies get 413.
    /// Bounds the memory one request can make the server buffer before the
    /// query is even parsed. Defaults to 1 MiB, far above any real query.
    pub max_body_bytes: usize,
    /// How long a client has to send the whole body; a slower one gets 408. Hyper's header-read
    /// timeout ends a connection whose headers are slow, but a body trickled a byte at a time
    /// would hold its connection (and its slot) for as long as the client likes.
    pub body_read_timeout: std::time::Duration,
    /// The most errors one response lists; the number left out is `extensions.omittedErrors`.
    /// 5,000 copies of one directive once made 4,999 errors: 679 KB written back for 95 KB sent.
    pub max_errors: usize,
    /// The longest query text this layer parses (for GET's operation type and the operation's
    /// name in logs); a longer one goes unparsed to the executor, which refuses it
    /// (`QUERY_TOO_LARGE`) before parsing anything.
    pub max_query_bytes: usize,
    /// Each client's budget of requests, when there is a limit; `None` (the default) limits no
    /// one.
    pub rate_limit: Option<Arc<ClientLimiter>>,
}

impl Default for GraphqlHttpOptions {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            body_read_timeout: std::time::Duration::from_secs(10),
            max_errors: 100,
            max_query_bytes: 32 << 10,
            rate_limit: None,
        }
    }
}

/// The router serving `GET` and `POST` on [`GRAPHQL_PATH`] with `executor`
/// (typically an [`async_graphql::Schema`]).
///
/// The returned router has its state applied, so it can be merged into the
/// application's router as is.
pub fn routes<E: Executor>(executor: E, options: GraphqlHttpOptions) -> Router {
    let endpoint = Endpoint {
        executor,
        body_read_timeout: options.body_read_timeout,
        max_errors: options.max_errors,
        max_query_bytes: options.max_query_bytes,
        rate_limit: options.rate_limit,
    };
    Router::new()
        // `any` rather than `get(..).post(..)` so that other methods get the
        // same GraphQL-shaped 405 as a mutation over GET, instead of axum's
        // empty one.
        .route(GRAPHQL_PATH, any(serve::<E>))
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .with_state(endpoint)
}

/// What every request handled by the endpoint needs.
#[derive(Clone)]
struct Endpoint<E> {
    executor: E,
    body_read_timeout: std::time::Duration,
    max_errors: usize,
    max_query_bytes: usize,
    rate_limit: Option<Arc<ClientLimiter>>,
}

/// The media type of a response body, chosen from the request's `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseMediaType {
    /// `application/graphql-response+json`: status codes tell request errors
    /// from executed requests.
    GraphqlResponseJson,
    /// `application/json`: the legacy type, always 200 for a well-formed
    /// request.
    Json,
}

impl ResponseMediaType {
    fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// Why a request was refused before reaching the executor. Each variant
/// documents its status; [`Rejection::code`] is the stable
/// `extensions.code` clients can match on.
#[derive(Debug)]
enum Rejection {
    /// 400: the parameters are not a valid GraphQL-over-HTTP request (bad
    /// JSON, no `query`, `variables` not an object, …). The message says
    /// which.
    BadRequest(String),
    /// 405: the method is not allowed; `allow` lists those that are. Used for
    /// methods other than GET and POST, and for mutations over GET (which
    /// must not have side effects).
    MethodNotAllowed {
        allow: &'static str,
        message: &'static str,
    },
    /// 406: the `Accept` header allows neither JSON media type.
    NotAcceptable,
    /// 408: the body did not arrive within `body_read_timeout`.
    RequestTimeout,
    /// 413: the body is larger than `max_body_bytes`.
    PayloadTooLarge,
    /// 415: a POST body that is not `application/json`.
    UnsupportedMediaType,
    /// 429: the client has spent its budget of requests; `Retry-After` says when to come back.
    RateLimited(Limited),
}

impl Rejection {
    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            Self::NotAcceptable => "NOT_ACCEPTABLE",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::RateLimited(_) => "RATE_LIMITED",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::BadRequest(message) => message.clone(),
            Self::MethodNotAllowed { message, .. } => (*message).to_owned(),
            Self::NotAcceptable => {
                format!("the Accept header must allow {GRAPHQL_RESPONSE_JSON} or application/json")
            }
            Self::RequestTimeout => "the request body did not arrive in time".to_owned(),
            Self::PayloadTooLarge => "the request body is too large".to_owned(),
            Self::UnsupportedMediaType => {
                "the request body must have Content-Type application/json".to_owned()
            }
            Self::RateLimited(limited) => format!(
                "too many requests from this client; retry in {} s",
                limited.retry_after_seconds
            ),
        }
    }

    /// The response, in `media_type` (the client did not necessarily ask for
    /// JSON; for 406 it asked for something else entirely, and the spec lets
    /// the server answer in its default type then).
    fn into_response(self, media_type: ResponseMediaType) -> Response {
        let body = serde_json::json!({
            "errors": [{
                "message": self.message(),
                "extensions": { "code": self.code() },
            }],
        });
        let mut response = (self.status(), body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, media_type.header_value());
        match self {
            Self::MethodNotAllowed { allow, .. } => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            Self::RateLimited(limited) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(limited.retry_after_seconds),
                );
            }
            _ => {}
        }
        response
    }
}

/// Handles every request to [`GRAPHQL_PATH`].
async fn serve<E: Executor>(State(endpoint): State<Endpoint<E>>, request: Request) -> Response {
    let method = request.method().clone();
    let credentials = credentials(request.headers());
    // Decided first because every later answer, refusals included, is
    // written in the negotiated type.
    let negotiated = negotiate(request.headers());
    let media_type = negotiated.unwrap_or(ResponseMediaType::Json);
    // Before anything is read: a client over its limit costs the server no more than this.
    let limited = endpoint.rate_limit.as_ref().and_then(|limiter| {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| *peer);
        limiter.check(peer, request.headers()).err()
    });

    let outcome = if let Some(limited) = limited {
        Err(Rejection::RateLimited(limited))
    } else {
        match (&method, negotiated) {
            (&Method::GET | &Method::POST, None) => Err(Rejection::NotAcceptable),
            (&Method::GET, Some(_)) => graphql_request_from_get(&request, endpoint.max_query_bytes),
            (&Method::POST, Some(_)) => {
                graphql_request_from_post(request, endpoint.body_read_timeout).await
            }
            _ => Err(Rejection::MethodNotAllowed {
                allow: "GET, POST",
                message: "the GraphQL endpoint accepts only GET and POST",
            }),
        }
    };

    let mut response = match outcome {
        Ok(mut graphql_request) => {
            if let Some(credentials) = credentials {
                graphql_request = graphql_request.data(credentials);
            }
            let parsable = graphql_request.query.len() <= endpoint.max_query_bytes;
            let operation = graphql_request
                .operation_name
                .clone()
                .or_else(|| parsable.then(|| single_operation_name(&mut graphql_request))?);
            let graphql_response = endpoint.executor.execute(graphql_request).await;
            let codes = error_codes(&graphql_response);
            let mut response =
                http_response(graphql_response, media_type, &method, endpoint.max_errors);
            response.extensions_mut().insert(GraphqlOutcome {
                operation,
                error_codes: codes,
            });
            response
        }
        Err(rejection) => {
            let codes = vec![rejection.code().to_owned()];
            let mut response = rejection.into_response(media_type);
            response.extensions_mut().insert(GraphqlOutcome {
                operation: None,
                error_codes: codes,
            });
            response
        }
    };

    if method == Method::POST {
        // A POST may be a mutation, and even a query's answer reflects one
        // moment of the data; no intermediary may store it.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// What the request's `Authorization` header says: `None` without one; the token of
/// `Bearer <token>` (RFC 6750 §2.1: the scheme in any case, a `token68`), unchecked; or why the
/// header is not that, in words that never quote it.
fn credentials(headers: &HeaderMap) -> Option<Credentials> {
    const SHAPE: &str = "the Authorization header must be `Bearer <token>`, with one space \
                         between them and nothing after the token";
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return Some(Credentials::Malformed(
            "the request has several Authorization headers; send one",
        ));
    }
    let Ok(text) = value.to_str() else {
        return Some(Credentials::Malformed(
            "the Authorization header must be plain ASCII text: `Bearer <token>`",
        ));
    };
    let Some((scheme, token)) = text.trim().split_once(' ') else {
        return Some(Credentials::Malformed(SHAPE));
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Some(Credentials::Malformed(
            "the Authorization header must use the Bearer scheme: `Bearer <token>`",
        ));
    }
    let token = token.trim_start_matches(' ');
    // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let body = token.trim_end_matches('=');
    let token68 = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    if !token68 {
        return Some(Credentials::Malformed(SHAPE));
    }
    Some(Credentials::Bearer(BearerToken::new(token)))
}

/// What a GraphQL request was and how it ended, left in the response's extensions for the
/// telemetry layer (logs and metrics) to read.
#[derive(Clone, Debug, Default)]
pub struct GraphqlOutcome {
    /// The `operationName` the client sent.
    pub operation: Option<String>,
    /// The `extensions.code` of every error, in order.
    pub error_codes: Vec<String>,
}

/// The name of the document's only operation, for logs and metrics when the client sent no
/// `operationName`. The parse is cached in the request, so execution does not parse again.
fn single_operation_name(request: &mut async_graphql::Request) -> Option<String> {
    let document = request.parsed_query().ok()?;
    match &document.operations {
        async_graphql::parser::types::DocumentOperations::Single(_) => None,
        async_graphql::parser::types::DocumentOperations::Multiple(operations)
            if operations.len() == 1 =>
        {
            operations.keys().next().map(|name| name.to_string())
        }
        async_graphql::parser::types::DocumentOperations::Multiple(_) => None,
    }
}

fn error_codes(response: &async_graphql::Response) -> Vec<String> {
    response
        .errors
        .iter()
        .map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .and_then(|v| match v {
                    async_graphql::Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "UNKNOWN".to_owned())
        })
        .collect()
}

/// The parameters of a GET request, all from the query string.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParameters {
    query: Option<String>,
    operation_name: Option<String>,
    /// JSON-encoded, as the spec requires for GET.
    variables: Option<String>,
    /// JSON-encoded, as `variables`.
    extensions: Option<String>,
}

/// Reads a GET request, refusing it with 405 when the selected operation is
/// not a query: GET requests must be safe, and a browser or proxy may repeat
/// or prefetch them.
fn graphql_request_from_get(
    request: &Request,
    max_query_bytes: usize,
) -> Result<async_graphql::Request, Rejection> {
    let Query(parameters) = Query::<GetParameters>::try_from_uri(request.uri())
        .map_err(|error| Rejection::BadRequest(format!("invalid query string: {error}")))?;
    let query = parameters
        .query
        .ok_or_else(|| Rejection::BadRequest("the `query` parameter is required".to_owned()))?;
    let variables = parameters
        .variables
        .map(|text| json_object_parameter("variables", &text))
        .transpose()?
        .flatten();
    let extensions = parameters
        .extensions
        .map(|text| json_object_parameter("extensions", &text))
        .transpose()?
        .flatten();

    let mut graphql_request =
        build_request(query, parameters.operation_name, variables, extensions)?;

    // A document that does not parse is left to the executor, which reports
    // the syntax error in the usual GraphQL way. One that parses is handed
    // over so it is not parsed twice. One too long to parse goes to the
    // executor unparsed and is refused there: nothing of it runs.
    if graphql_request.query.len() > max_query_bytes {
        return Ok(graphql_request);
    }
    if let Ok(document) = parse_query(&graphql_request.query) {
        if may_execute_non_query(&document, graphql_request.operation_name.as_deref()) {
            return Err(Rejection::MethodNotAllowed {
                allow: "POST",
                message: "only queries can be sent with GET; send mutations and subscriptions with POST",
            });
        }
        graphql_request.set_parsed_query(document);
    }
    Ok(graphql_request)
}

/// Whether executing `document` could run a mutation or subscription.
///
/// When `operation_name` names one of the document's operations, that one
/// decides. Otherwise every operation counts, rather than mirroring how the
/// executor picks one: async-graphql runs the only operation of a document
/// even when it is named and the request names none, and a rule that guessed
/// wrong here would let a mutation through GET. Refusing a document the
/// executor would have rejected anyway (no or unknown operation name) costs
/// nothing.
fn may_execute_non_query(document: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let is_query =
        |operation: &Positioned<OperationDefinition>| operation.node.ty == OperationType::Query;
    match &document.operations {
        DocumentOperations::Single(operation) => !is_query(operation),
        DocumentOperations::Multiple(operations) => {
            match operation_name.and_then(|name| operations.get(name)) {
                Some(operation) => !is_query(operation),
                None => operations.values().any(|operation| !is_query(operation)),
            }
        }
    }
}

/// Reads a POST request: an `application/json` body no larger than the
/// configured limit.
async fn graphql_request_from_post(
    request: Request,
    body_read_timeout: std::time::Duration,
) -> Result<async_graphql::Request, Rejection> {
    if !is_json_content_type(request.headers()) {
        return Err(Rejection::UnsupportedMediaType);
    }
    // The `Bytes` extractor enforces the `DefaultBodyLimit` set in `routes`,
    // stopping as soon as the limit is passed rather than buffering it all.
    let body = tokio::time::timeout(body_read_timeout, Bytes::from_request(request, &()))
        .await
        .map_err(|_| Rejection::RequestTimeout)?
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Rejection::PayloadTooLarge
            } else {
                Rejection::BadRequest("the request body could not be read".to_owned())
            }
        })?;

    let parameters: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|error| Rejection::BadRequest(format!("the body is not valid JSON: {error}")))?;
    // Checked by hand rather than by deserialising `async_graphql::Request`,
    // which silently defaults a missing `query` to "" and ignores a
    // `variables` that is not an object; the spec wants those refused.
    let serde_json::Value::Object(mut parameters) = parameters else {
        return Err(Rejection::BadRequest(
            "the body must be a JSON object".to_owned(),
        ));
    };
    let query = match parameters.remove("query") {
        Some(serde_json::Value::String(query)) => query,
        Some(_) => {
            return Err(Rejection::BadRequest("`query` must be a string".to_owned()));
        }
        None => {
            return Err(Rejection::BadRequest(
                "the `query` parameter is required".to_owned(),
            ));
        }
    };
    let operation_name = match parameters.remove("operationName") {
        Some(serde_json::Value::String(name)) => Some(name),
        Some(serde_json::Value::Null) | None => None,
        Some(_) => {
            return Err(Rejection::BadRequest(
                "`operationName` must be a string or null".to_owned(),
            ));
        }
    };
    let variables = object_parameter("variables", parameters.remove("variables"))?;
    let extensions = object_parameter("extensions", parameters.remove("extensions"))?;

    build_request(query, operation_name, variables, extensions)
}

/// Whether the request body is declared as JSON in UTF-8, the only encoding
/// JSON may be exchanged in (RFC 8259).
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return false;
    }
    parts.all(|parameter| match parameter.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
}

/// Parses a JSON-encoded GET parameter that must be an object (or `null`,
/// which means absent).
fn json_object_parameter(
    name: &str,
    text: &str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, Rejection> {
    let value = serde_json::from_str(text)
        .map_err(|error| Rejection::BadRequest(format!("`{name}` is not valid JSON: {error}")))?;
    object_parameter(name, Some(value))
}

/// Checks that an optional request parameter is an object; `null` and absent
/// mean the same.
fn object_parameter(
    name: &str,
    value: Option<serde_json::Value>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, Rejection> {
    match value {
        Some(serde_json::Value::Object(map)) => Ok(Some(map)),
        Some(serde_json::Value::Null) | None => Ok(None),
        Some(_) => Err(Rejection::BadRequest(format!(
            "`{name}` must be a JSON object"
        ))),
    }
}

/// Assembles the executor's request from parameters already checked for
/// shape, whichever method they came with.
fn build_request(
    query: String,
    operation_name: Option<String>,
    variables: Option<serde_json::Map<String, serde_json::Value>>,
    extensions: Option<serde_json::Map<String, serde_json::Value>>,
) -> Result<async_graphql::Request, Rejection> {
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = variables {
        request = request.variables(async_graphql::Variables::from_json(
            serde_json::Value::Object(variables),
        ));
    }
    if let Some(extensions) = extensions {
        for (name, value) in extensions {
            let value = Value::from_json(value).map_err(|error| {
                Rejection::BadRequest(format!("`extensions.{name}` is not usable: {error}"))
            })?;
            request.extensions.insert(name, value);
        }
    }
    Ok(request)
}

/// Whether the executor refused the request before executing it (the spec's
/// "request error"), as opposed to executing it and collecting field errors.
///
/// async-graphql 7 returns both as a `Response` with `data: null` and
/// errors, so `data` alone cannot tell them apart: a failing non-null root
/// field also nulls `data`. What differs is the error `path`: async-graphql
/// attaches the field path to every error raised while resolving a field,
/// whereas syntax errors, validation errors (unknown field, wrong argument
/// type, missing or ambiguous operation, depth or complexity limits),
/// variables that do not fit their types (refused before execution by
/// `graphql::executor::variables`) and "schema is not configured for
/// mutations" carry none. So a response is a request error when nothing was
/// produced (`data` is null), something went wrong (there are errors), and no
/// error belongs to a field.
///
/// The rule errs towards "executed": were an executor to raise what the spec
/// calls a request error while resolving a field, with the field's path, it
/// would give 200 and keep `"data": null`, which clients handle as a total
/// field failure.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// The longest error message sent, in characters. The API's own messages quote at most an excerpt
/// of the input (`store::error::excerpt`), but the parser's and the validator's quote what they
/// found: a parse error printed its whole source line, so a query of one long line came back
/// whole in the error.
const MAX_MESSAGE_CHARS: usize = 400;

/// `message` made at most [`MAX_MESSAGE_CHARS`] long, or `None` when it already is. A parse
/// error's source line is dropped and its position and expectation kept (` --> 1:17` … `= expected
/// name`: the locations carry the position too); anything else is cut, marked with `…`.
fn bounded_message(message: &str) -> Option<String> {
    let cut = message.char_indices().nth(MAX_MESSAGE_CHARS)?.0;
    if let Some(rest) = message.strip_prefix(" --> ")
        && let Some((position, _)) = rest.split_once('\n')
        && let Some((_, expected)) = message.rsplit_once("\n  = ")
        && position.len() + expected.len() < MAX_MESSAGE_CHARS
    {
        return Some(format!("syntax error at {position}: {expected}"));
    }
    Some(format!("{}…", &message[..cut]))
}

/// Whether an error's code is `code`.
fn has_code(error: &ServerError, code: &str) -> bool {
    error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .is_some_and(|found| matches!(found, Value::String(found) if found == code))
}

/// The body of a response to a request error. async-graphql would write
/// `"data": null`; the GraphQL spec says `data` should then be absent, and
/// the GraphQL-over-HTTP spec ties the 4xx of
/// `application/graphql-response+json` to that absence, which is how clients
/// recognise that nothing was executed.
#[derive(Serialize)]
struct RequestErrorBody<'a> {
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, Value>,
}

/// Turns the executor's answer into the HTTP response, choosing the status
/// from the media type (see the module docs).
fn http_response(
    mut graphql_response: async_graphql::Response,
    media_type: ResponseMediaType,
    method: &Method,
    max_errors: usize,
) -> Response {
    for error in &mut graphql_response.errors {
        if let Some(shorter) = bounded_message(&error.message) {
            error.message = shorter;
        }
    }
    let request_error = is_request_error(&graphql_response);
    let overloaded = request_error
        && graphql_response
            .errors
            .iter()
            .any(|error| has_code(error, OVERLOADED));
    // Not the client's error, as a 4xx would say, nor one a retry would mend at once: the
    // server gave up on the query (`--execution-timeout`).
    let timed_out = request_error
        && graphql_response
            .errors
            .iter()
            .any(|error| has_code(error, TIMEOUT));
    let omitted = graphql_response.errors.len().saturating_sub(max_errors);
    if omitted > 0 {
        graphql_response.errors.truncate(max_errors);
        graphql_response
            .extensions
            .insert("omittedErrors".to_owned(), Value::from(omitted as u64));
    }
    let status = if overloaded || timed_out {
        StatusCode::SERVICE_UNAVAILABLE
    } else if request_error && media_type == ResponseMediaType::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = if request_error {
        serde_json::to_vec(&RequestErrorBody {
            errors: &graphql_response.errors,
            extensions: &graphql_response.extensions,
        })
    } else {
        serde_json::to_vec(&graphql_response)
    };
    let body = match body {
        Ok(body) => body,
        Err(error) => return serialisation_failure(&error, media_type),
    };

    let large = body.len() >= LARGE_BODY;
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    // Headers set by resolvers (`Context::insert_http_header`) go first so
    // that the ones this module owns cannot be overridden by them.
    headers.extend(std::mem::take(&mut graphql_response.http_headers));
    headers.insert(header::CONTENT_TYPE, media_type.header_value());
    if overloaded {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    // Only a successful GET may be cached, and only as the schema's cache
    // hints (`#[graphql(cache_control(..))]`) allow; without hints this
    // adds nothing.
    if method == Method::GET
        && graphql_response.errors.is_empty()
        && let Some(value) = graphql_response
            .cache_control
            .value()
            .and_then(|value| HeaderValue::from_str(&value).ok())
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if large {
        // Freeing a large answer's values (tens of thousands of objects) is done beside the
        // response rather than before it: the client does not wait for it.
        tokio::spawn(async move { drop(graphql_response) });
    }
    response
}

/// The body size from which an answer's values are freed in a task of their own
/// ([`http_response`]); below it the task would cost more than it saves.
const LARGE_BODY: usize = 64 * 1024;

/// The 500 for a response that could not be serialised, which should not
/// happen: async-graphql values are JSON values by construction.
fn serialisation_failure(error: &serde_json::Error, media_type: ResponseMediaType) -> Response {
    tracing::error!(%error, "could not serialise a GraphQL response");
    let body = serde_json::json!({
        "errors": [{
            "message": "internal server error",
            "extensions": { "code": "INTERNAL_SERVER_ERROR" },
        }],
    });
    let mut response = (StatusCode::INTERNAL_SERVER_ERROR, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media_type.header_value());
    response
}

/// Chooses the response media type from the `Accept` header, or `None` when
/// it allows neither JSON type (406).
///
/// Follows RFC 9110 §12.5.1: each candidate takes the quality of the most
/// specific range that matches it (`type/subtype` over `type/*` over `*/*`),
/// a quality of 0 means "not acceptable", and the higher quality wins.
///
/// On equal quality the more specifically named type wins, and when the two
/// are named equally, `application/graphql-response+json` wins only if it is
/// named outright. So `*/*` and `application/*` alone get `application/json`:
/// they are what curl and `fetch` send by default, usually on behalf of code
/// that predates the new type and would not expect a 400 for a GraphQL error
/// (the spec editors' `graphql-http` audit asks for exactly this). A client
/// gets the new type by naming it.
///
/// No `Accept` header at all also means `application/json`. The spec's
/// "legacy watershed" lets servers switch that default to the new type from
/// 2025, but the same legacy clients are the ones that send no header.
fn negotiate(headers: &HeaderMap) -> Option<ResponseMediaType> {
    let ranges: Vec<MediaRange> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(MediaRange::parse)
        .collect();
    if ranges.is_empty() {
        return Some(ResponseMediaType::Json);
    }
    let graphql_response = preference(&ranges, "application", "graphql-response+json");
    let json = preference(&ranges, "application", "json");
    let graphql_response_wins = match graphql_response.quality.total_cmp(&json.quality) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => match graphql_response.specificity.cmp(&json.specificity) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => graphql_response.specificity == Some(Specificity::Exact),
        },
    };
    if graphql_response_wins && graphql_response.quality > 0.0 {
        Some(ResponseMediaType::GraphqlResponseJson)
    } else if json.quality > 0.0 {
        Some(ResponseMediaType::Json)
    } else {
        None
    }
}

/// How an `Accept` range matched a media type, least specific first so that
/// the derived order ranks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Specificity {
    /// `*/*`
    Any,
    /// `type/*`
    Subtypes,
    /// `type/subtype`
    Exact,
}

/// What the client says about one media type: the quality of the most
/// specific matching range, and how specific that range was (`None`, with
/// quality 0, when no range matches).
struct Preference {
    quality: f32,
    specificity: Option<Specificity>,
}

/// One element of an `Accept` header, lowercased.
struct MediaRange<'a> {
    kind: &'a str,
    subtype: &'a str,
    quality: f32,
}

impl<'a> MediaRange<'a> {
    /// Parses `type/subtype;param=value;q=0.5`; `None` for an empty or
    /// malformed element, which is then ignored rather than failing the
    /// whole request.
    fn parse(element: &'a str) -> Option<Self> {
        let mut parts = element.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let (kind, subtype) = (kind.trim(), subtype.trim());
        if kind.is_empty() || subtype.is_empty() {
            return None;
        }
        let quality = parts
            .filter_map(|parameter| parameter.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            // A malformed weight counts as the default rather than as 0 so
            // that a sloppy client still gets an answer.
            .map_or(1.0, |(_, value)| {
                value.trim().parse::<f32>().unwrap_or(1.0).clamp(0.0, 1.0)
            });
        Some(Self {
            kind,
            subtype,
            quality,
        })
    }

    /// How specifically this range matches `kind/subtype`, `None` if it
    /// does not match at all.
    fn specificity(&self, kind: &str, subtype: &str) -> Option<Specificity> {
        let kind_matches = self.kind.eq_ignore_ascii_case(kind);
        if kind_matches && self.subtype.eq_ignore_ascii_case(subtype) {
            Some(Specificity::Exact)
        } else if kind_matches && self.subtype == "*" {
            Some(Specificity::Subtypes)
        } else if self.kind == "*" && self.subtype == "*" {
            Some(Specificity::Any)
        } else {
            None
        }
    }
}

/// The client's preference for `kind/subtype`: the quality of the most
/// specific matching range (the highest if that range is repeated).
fn preference(ranges: &[MediaRange<'_>], kind: &str, subtype: &str) -> Preference {
    ranges
        .iter()
        .filter_map(|range| Some((range.specificity(kind, subtype)?, range.quality)))
        .max_by(|(a_specificity, a_quality), (b_specificity, b_quality)| {
            a_specificity
                .cmp(b_specificity)
                .then(a_quality.total_cmp(b_quality))
        })
        .map_or(
            Preference {
                quality: 0.0,
                specificity: None,
            },
            |(specificity, quality)| Preference {
                quality,
                specificity: Some(specificity),
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn long_messages_are_cut_and_a_parse_error_keeps_its_position_and_expectation() {
        assert_eq!(bounded_message("the request body is too large"), None);
        let parse_error = " --> 1:17\n  |\n1 | { organizations(\n  |                 ^---\n  |\n  = expected name";
        assert_eq!(
            bounded_message(parse_error),
            None,
            "a short one stays as it is"
        );
        let line = format!("{{ a{} (", "b".repeat(900_000));
        let long_parse_error =
            format!(" --> 1:900005\n  |\n1 | {line}\n  |   ^---\n  |\n  = expected name");
        assert_eq!(
            bounded_message(&long_parse_error).as_deref(),
            Some("syntax error at 1:900005: expected name")
        );
        let unknown_field = format!(
            "Unknown field \"{}\" on type \"Query\".",
            "x".repeat(900_000)
        );
        let cut = bounded_message(&unknown_field).unwrap_or_default();
        assert_eq!(cut.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(
            cut.starts_with("Unknown field \"xxx") && cut.ends_with('…'),
            "{cut}"
        );
    }

    use async_graphql::{EmptySubscription, Object, Schema};
    use axum::http::Request as HttpRequest;
    use tower::ServiceExt;

    struct TestQuery;

    #[Object]
    impl TestQuery {
        async fn hello(&self) -> &str {
            "world"
        }

        async fn failing(&self) -> async_graphql::Result<Option<String>> {
            Err("this field always fails".into())
        }

        /// Non-null, so its failure nulls the whole `data`.
        async fn broken(&self) -> async_graphql::Result<String> {
            Err("this non-null field always fails".into())
        }

        /// Carries a cache hint, which only a GET may turn into a header.
        #[graphql(cache_control(max_age = 60))]
        async fn cached(&self) -> i32 {
            1
        }

        async fn echo(&self, value: i32) -> i32 {
            value
        }

        /// What the request's credentials are, as a resolver finds them.
        async fn credentials(&self, ctx: &async_graphql::Context<'_>) -> String {
            match ctx.data_opt::<Credentials>() {
                None => "none".to_owned(),
                Some(Credentials::Malformed(_)) => "malformed".to_owned(),
                Some(Credentials::Bearer(token)) => format!("{token:?}"),
            }
        }
    }

    struct TestMutation;

    #[Object]
    impl TestMutation {
        async fn touch(&self) -> bool {
            true
        }
    }

    type TestSchema = Schema<TestQuery, TestMutation, EmptySubscription>;

    fn app() -> Router {
        app_with(GraphqlHttpOptions::default())
    }

    fn app_with(options: GraphqlHttpOptions) -> Router {
        let schema: TestSchema = Schema::new(TestQuery, TestMutation, EmptySubscription);
        routes(schema, options)
    }

    /// A JSON POST whose body is `body` verbatim, asking for `accept` if any.
    fn post_raw(body: impl Into<Body>, accept: Option<&str>) -> HttpRequest<Body> {
        let mut request =
            HttpRequest::post(GRAPHQL_PATH).header(header::CONTENT_TYPE, "application/json");
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        request.body(body.into()).expect("valid request")
    }

    fn post_json(body: serde_json::Value) -> HttpRequest<Body> {
        post_raw(body.to_string(), None)
    }

    fn get(query_string: &str) -> HttpRequest<Body> {
        HttpRequest::get(format!("{GRAPHQL_PATH}?{query_string}"))
            .body(Body::empty())
            .expect("valid request")
    }

    /// Percent-encodes a query-string value.
    fn encode(value: &str) -> String {
        value
            .bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (byte as char).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect()
    }

    struct Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: serde_json::Value,
    }

    async fn send(app: Router, request: HttpRequest<Body>) -> Answer {
        let response = app.oneshot(request).await.expect("infallible service");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("readable body");
        let body = serde_json::from_slice(&bytes).expect("JSON body");
        Answer {
            status,
            headers,
            body,
        }
    }

    fn header(answer: &Answer, name: header::HeaderName) -> Option<&str> {
        answer
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    }

    fn error_code(answer: &Answer) -> &str {
        answer.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
    }

    /// An executor that is always too busy to start anything.
    #[derive(Clone)]
    struct Busy;

    impl Executor for Busy {
        async fn execute(&self, _request: async_graphql::Request) -> async_graphql::Response {
            let mut error = ServerError::new("busy", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", OVERLOADED);
            async_graphql::Response::from_errors(vec![error])
        }

        fn execute_stream(
            &self,
            _request: async_graphql::Request,
            _session_data: Option<Arc<async_graphql::Data>>,
        ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
            Box::pin(futures_util::stream::empty())
        }
    }

    #[tokio::test]
    async fn overloaded_is_503_with_retry_after_whatever_the_media_type() {
        for accept in [None, Some("application/graphql-response+json")] {
            let app = routes(Busy, GraphqlHttpOptions::default());

            let answer = send(
                app,
                post_raw(
                    serde_json::json!({ "query": "{ hello }" }).to_string(),
                    accept,
                ),
            )
            .await;

            assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{accept:?}");
            assert_eq!(header(&answer, header::RETRY_AFTER), Some("1"));
            assert_eq!(error_code(&answer), OVERLOADED);
            assert!(answer.body.get("data").is_none(), "nothing was executed");
        }
    }

    #[tokio::test]
    async fn a_client_over_its_rate_limit_is_429_with_retry_after_whatever_the_media_type() {
        use crate::http::ratelimit::RateLimit;
        use std::num::NonZeroU32;
        let limit = RateLimit::new(NonZeroU32::MIN, Some(NonZeroU32::MIN));
        let app = app_with(GraphqlHttpOptions {
            rate_limit: Some(ClientLimiter::start(limit, Arc::default())),
            ..GraphqlHttpOptions::default()
        });
        let from = |client: [u8; 4], accept: Option<&str>| {
            let mut request = post_raw(r#"{"query":"{ hello }"}"#, accept);
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::from((client, 40_000))));
            request
        };

        let first = send(app.clone(), from([192, 0, 2, 1], None)).await;
        let json = send(app.clone(), from([192, 0, 2, 1], None)).await;
        let graphql_json = send(
            app.clone(),
            from([192, 0, 2, 1], Some(GRAPHQL_RESPONSE_JSON)),
        )
        .await;
        let other = send(app.clone(), from([192, 0, 2, 2], None)).await;

        assert_eq!(first.status, StatusCode::OK);
        for (answer, media_type) in [
            (&json, "application/json; charset=utf-8"),
            (
                &graphql_json,
                "application/graphql-response+json; charset=utf-8",
            ),
        ] {
            assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(header(answer, header::RETRY_AFTER), Some("1"));
            assert_eq!(header(answer, header::CONTENT_TYPE), Some(media_type));
            assert_eq!(header(answer, header::CACHE_CONTROL), Some("no-store"));
            assert_eq!(error_code(answer), "RATE_LIMITED");
            assert!(answer.body.get("data").is_none(), "nothing was executed");
        }
        assert_eq!(
            other.status,
            StatusCode::OK,
            "another client has its own budget"
        );
    }

    #[tokio::test]
    async fn post_query_returns_data_as_json_without_caching() {
        let answer = send(
            app(),
            post_json(serde_json::json!({ "query": "{ hello }" })),
        )
        .await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.body,
            serde_json::json!({ "data": { "hello": "world" } })
        );
        assert_eq!(
            header(&answer, header::CONTENT_TYPE),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(header(&answer, header::CACHE_CONTROL), Some("no-store"));
    }

    #[tokio::test]
    async fn post_uses_operation_name_and_variables() {
        let request = post_json(serde_json::json!({
            "query": "query A { hello } query B($v: Int!) { echo(value: $v) }",
            "operationName": "B",
            "variables": { "v": 7 },
            "extensions": { "anything": true },
        }));

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, serde_json::json!({ "data": { "echo": 7 } }));
    }

    #[tokio::test]
    async fn post_accepts_explicit_utf8_charset() {
        let request = HttpRequest::post(GRAPHQL_PATH)
            .header(header::CONTENT_TYPE, "Application/JSON; charset=UTF-8")
            .body(Body::from(r#"{"query":"{ hello }"}"#))
            .expect("valid request");

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body["data"]["hello"], "world");
    }

    #[tokio::test]
    async fn post_with_other_content_type_is_415() {
        for content_type in [
            Some("text/plain"),
            Some("application/json; charset=latin1"),
            None,
        ] {
            let mut request = HttpRequest::post(GRAPHQL_PATH);
            if let Some(content_type) = content_type {
                request = request.header(header::CONTENT_TYPE, content_type);
            }
            let request = request
                .body(Body::from(r#"{"query":"{ hello }"}"#))
                .expect("valid request");

            let answer = send(app(), request).await;

            assert_eq!(
                answer.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{content_type:?}"
            );
            assert_eq!(error_code(&answer), "UNSUPPORTED_MEDIA_TYPE");
            assert_eq!(header(&answer, header::CACHE_CONTROL), Some("no-store"));
        }
    }

    #[tokio::test]
    async fn malformed_json_is_400() {
        let request = post_raw(r#"{"query": "{ hello }""#, None);

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(error_code(&answer), "BAD_REQUEST");
        assert!(answer.body.get("data").is_none());
    }

    #[tokio::test]
    async fn ill_shaped_parameters_are_400() {
        for body in [
            serde_json::json!([{ "query": "{ hello }" }]),
            serde_json::json!({}),
            serde_json::json!({ "query": 1 }),
            serde_json::json!({ "query": "{ hello }", "operationName": 1 }),
            serde_json::json!({ "query": "{ hello }", "variables": "{}" }),
            serde_json::json!({ "query": "{ hello }", "extensions": [] }),
        ] {
            let answer = send(app(), post_json(body.clone())).await;

            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(error_code(&answer), "BAD_REQUEST", "{body}");
        }
    }

    #[tokio::test]
    async fn null_optional_parameters_mean_absent() {
        let request = post_json(serde_json::json!({
            "query": "{ hello }",
            "operationName": null,
            "variables": null,
            "extensions": null,
        }));

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body["data"]["hello"], "world");
    }

    #[tokio::test]
    async fn oversized_body_is_413() {
        let options = GraphqlHttpOptions {
            max_body_bytes: 64,
            ..GraphqlHttpOptions::default()
        };
        let padding = " ".repeat(100);
        let request = post_raw(format!(r#"{{"query":"{{ hello }}"{padding}}}"#), None);

        let answer = send(app_with(options), request).await;

        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error_code(&answer), "PAYLOAD_TOO_LARGE");
    }

    #[tokio::test]
    async fn get_query_returns_data_without_cache_header() {
        let answer = send(app(), get(&format!("query={}", encode("{ hello }")))).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.body,
            serde_json::json!({ "data": { "hello": "world" } })
        );
        assert_eq!(header(&answer, header::CACHE_CONTROL), None);
    }

    #[tokio::test]
    async fn schema_cache_hints_apply_to_get_only() {
        let get_answer = send(app(), get(&format!("query={}", encode("{ cached }")))).await;
        let post_answer = send(
            app(),
            post_json(serde_json::json!({ "query": "{ cached }" })),
        )
        .await;

        assert_eq!(
            header(&get_answer, header::CACHE_CONTROL),
            Some("max-age=60")
        );
        assert_eq!(
            header(&post_answer, header::CACHE_CONTROL),
            Some("no-store")
        );
    }

    #[tokio::test]
    async fn get_reads_json_encoded_variables() {
        let query_string = format!(
            "query={}&variables={}",
            encode("query($v: Int!) { echo(value: $v) }"),
            encode(r#"{"v":42}"#)
        );

        let answer = send(app(), get(&query_string)).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body["data"]["echo"], 42);
    }

    #[tokio::test]
    async fn get_with_bad_parameters_is_400() {
        for query_string in [
            String::new(),
            format!("query={}&variables={}", encode("{ hello }"), encode("[1]")),
            format!("query={}&variables=%7Bnot-json", encode("{ hello }")),
        ] {
            let answer = send(app(), get(&query_string)).await;

            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query_string}");
            assert_eq!(error_code(&answer), "BAD_REQUEST");
        }
    }

    #[tokio::test]
    async fn get_mutation_is_405_allowing_post() {
        let answer = send(
            app(),
            get(&format!("query={}", encode("mutation { touch }"))),
        )
        .await;

        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&answer, header::ALLOW), Some("POST"));
        assert_eq!(error_code(&answer), "METHOD_NOT_ALLOWED");
    }

    #[tokio::test]
    async fn get_refuses_documents_that_may_run_a_mutation() {
        for document in [
            // Named and alone: async-graphql runs it without an operationName.
            "mutation Write { touch }",
            // Ambiguous without an operationName.
            "query Read { hello } mutation Write { touch }",
            "subscription { hello }",
        ] {
            let answer = send(app(), get(&format!("query={}", encode(document)))).await;

            assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{document}");
            assert_eq!(header(&answer, header::ALLOW), Some("POST"));
        }
    }

    #[tokio::test]
    async fn get_selects_the_operation_by_name() {
        let document = encode("query Read { hello } mutation Write { touch }");

        let read = send(app(), get(&format!("query={document}&operationName=Read"))).await;
        let write = send(app(), get(&format!("query={document}&operationName=Write"))).await;

        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.body["data"]["hello"], "world");
        assert_eq!(write.status, StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn other_methods_are_405_allowing_get_and_post() {
        let request = HttpRequest::put(GRAPHQL_PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"query":"{ hello }"}"#))
            .expect("valid request");

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&answer, header::ALLOW), Some("GET, POST"));
        assert_eq!(error_code(&answer), "METHOD_NOT_ALLOWED");
    }

    #[tokio::test]
    async fn graphql_response_json_syntax_error_is_400_without_data() {
        let request = post_raw(r#"{"query":"{ hello"}"#, Some(GRAPHQL_RESPONSE_JSON));

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            header(&answer, header::CONTENT_TYPE),
            Some("application/graphql-response+json; charset=utf-8")
        );
        assert!(answer.body.get("data").is_none(), "{}", answer.body);
        assert!(answer.body["errors"][0]["message"].is_string());
    }

    #[tokio::test]
    async fn graphql_response_json_validation_error_is_400() {
        let request = post_raw(
            r#"{"query":"{ noSuchField }"}"#,
            Some("application/graphql-response+json, application/json"),
        );

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn json_syntax_error_is_200_with_errors() {
        let request = post_raw(r#"{"query":"{ hello"}"#, Some("application/json"));

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            header(&answer, header::CONTENT_TYPE),
            Some("application/json; charset=utf-8")
        );
        assert!(answer.body["errors"][0]["message"].is_string());
        assert!(answer.body.get("data").is_none());
    }

    #[tokio::test]
    async fn partial_data_with_field_error_is_200() {
        let request = post_raw(
            r#"{"query":"{ hello failing }"}"#,
            Some(GRAPHQL_RESPONSE_JSON),
        );

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body["data"]["hello"], "world");
        assert_eq!(answer.body["data"]["failing"], serde_json::Value::Null);
        assert_eq!(answer.body["errors"][0]["path"][0], "failing");
    }

    #[tokio::test]
    async fn failed_non_null_root_field_is_200_with_null_data() {
        // `data` is null here as for a request error, but execution ran: the
        // error's path is what tells them apart (see `is_request_error`).
        let request = post_raw(r#"{"query":"{ broken }"}"#, Some(GRAPHQL_RESPONSE_JSON));

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body.get("data"), Some(&serde_json::Value::Null));
        assert_eq!(answer.body["errors"][0]["path"][0], "broken");
    }

    #[tokio::test]
    async fn accept_without_json_types_is_406() {
        let request = post_raw(r#"{"query":"{ hello }"}"#, Some("text/html"));

        let answer = send(app(), request).await;

        assert_eq!(answer.status, StatusCode::NOT_ACCEPTABLE);
        assert_eq!(error_code(&answer), "NOT_ACCEPTABLE");
    }

    /// What `credentials` makes of `Authorization` headers with these values.
    fn read(values: &[&[u8]]) -> Option<Credentials> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                header::AUTHORIZATION,
                HeaderValue::from_bytes(value).expect("a header value"),
            );
        }
        credentials(&headers)
    }

    #[test]
    fn the_authorization_header_is_a_bearer_token_or_malformed_and_never_quoted() {
        let bearer = |value: &[u8]| match read(&[value]) {
            Some(Credentials::Bearer(token)) => Some(token),
            _ => None,
        };
        assert!(read(&[]).is_none(), "no header, no credentials");
        for good in [
            b"Bearer lgt_abc-DEF_123".as_slice(),
            b"bearer lgt_x",
            b"BEARER  lgt_x",
            b"Bearer abc+/.~==",
        ] {
            assert!(bearer(good).is_some(), "{}", String::from_utf8_lossy(good));
        }
        for bad in [
            b"Basic dXNlcjpwYXNz".as_slice(),
            b"Bearer",
            b"Bearer ",
            b"lgt_abc",
            b"Bearer lgt_abc extra",
            b"Bearer lgt_a\"b",
            b"Bearer =",
            "Bearer lgt_żółw".as_bytes(),
        ] {
            match read(&[bad]) {
                Some(Credentials::Malformed(reason)) => {
                    assert!(reason.contains("Bearer"), "{reason}");
                    assert!(!reason.contains("lgt_"), "{reason}");
                }
                other => panic!("{}: {other:?}", String::from_utf8_lossy(bad)),
            }
        }
        assert!(matches!(
            read(&[b"Bearer lgt_a", b"Bearer lgt_b"]),
            Some(Credentials::Malformed(_))
        ));
    }

    #[tokio::test]
    async fn the_bearer_token_reaches_the_resolvers_in_the_request_data() {
        let with = |value: &'static str| {
            let mut request = post_raw(r#"{"query":"{ credentials hello }"}"#, None);
            request
                .headers_mut()
                .insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            request
        };

        let none = send(app(), post_raw(r#"{"query":"{ credentials }"}"#, None)).await;
        let bearer = send(app(), with("Bearer lgt_secret")).await;
        let malformed = send(app(), with("Basic dXNlcjpwYXNz")).await;

        assert_eq!(none.body["data"]["credentials"], "none");
        assert_eq!(bearer.body["data"]["credentials"], "BearerToken(…)");
        assert_eq!(
            malformed.status,
            StatusCode::OK,
            "a read ignores the header"
        );
        assert_eq!(malformed.body["data"]["credentials"], "malformed");
        assert_eq!(malformed.body["data"]["hello"], "world");
    }

    #[tokio::test]
    async fn a_mutation_is_refused_over_get_and_in_a_form_body_whatever_the_token() {
        let get_mutation = HttpRequest::get(format!(
            "{GRAPHQL_PATH}?query={}",
            encode("mutation { touch }")
        ))
        .header(header::AUTHORIZATION, "Bearer lgt_x")
        .body(Body::empty())
        .expect("valid request");
        let answer = send(app(), get_mutation).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&answer, header::ALLOW), Some("POST"));

        for (content_type, body) in [
            (
                "application/x-www-form-urlencoded",
                format!("query={}", encode("mutation { touch }")),
            ),
            (
                "multipart/form-data; boundary=x",
                "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\nmutation { touch }\r\n--x--\r\n"
                    .to_owned(),
            ),
            ("text/plain", r#"{"query":"mutation { touch }"}"#.to_owned()),
            ("application/graphql", "mutation { touch }".to_owned()),
        ] {
            let request = HttpRequest::post(GRAPHQL_PATH)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::AUTHORIZATION, "Bearer lgt_x")
                .body(Body::from(body))
                .expect("valid request");

            let answer = send(app(), request).await;

            assert_eq!(
                answer.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{content_type}"
            );
            assert!(answer.body.get("data").is_none());
        }
    }

    fn negotiated(accept: &str) -> Option<ResponseMediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(accept).expect("valid header"),
        );
        negotiate(&headers)
    }

    #[test]
    fn negotiation_respects_wildcards_and_weights() {
        use ResponseMediaType::{GraphqlResponseJson, Json};

        assert_eq!(negotiate(&HeaderMap::new()), Some(Json));
        assert_eq!(negotiated("application/json"), Some(Json));
        assert_eq!(negotiated(GRAPHQL_RESPONSE_JSON), Some(GraphqlResponseJson));
        assert_eq!(negotiated("*/*"), Some(Json));
        assert_eq!(negotiated("application/*"), Some(Json));
        assert_eq!(
            negotiated("application/graphql-response+json, application/json"),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            negotiated("application/json, application/graphql-response+json"),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            negotiated("application/graphql-response+json, */*"),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            negotiated("application/graphql-response+json;q=0.9, */*"),
            Some(Json)
        );
        assert_eq!(
            negotiated("application/graphql-response+json;q=0.5, application/json"),
            Some(Json)
        );
        assert_eq!(
            negotiated("application/json;q=0.9, application/graphql-response+json"),
            Some(GraphqlResponseJson)
        );
        assert_eq!(negotiated("application/json, */*;q=0.1"), Some(Json));
        assert_eq!(
            negotiated("*/*, application/graphql-response+json;q=0"),
            Some(Json)
        );
        assert_eq!(negotiated("text/html, application/*;q=0"), None);
        assert_eq!(negotiated("text/html"), None);
        assert_eq!(negotiated("text/html, */*;q=0.8"), Some(Json));
        assert_eq!(
            negotiated("text/html, application/graphql-response+json;q=0.1"),
            Some(GraphqlResponseJson)
        );
        assert_eq!(negotiated("application/graphql-response+json;q=0"), None);
    }
}
