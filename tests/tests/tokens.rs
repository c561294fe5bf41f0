//! Who may write: tokens made on the command line and by admins, the `UNAUTHENTICATED` and
//! `FORBIDDEN` refusals of every token mutation (with nothing written), reads that stay public,
//! mutations only over POST with a JSON body, and the places a token's text must never be.

use entities::{TokenRole, api_token};
use libgraph::cli::{Cli, Command};
use libgraph::graphql::Limits;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use support::TestDb;
use support::app::{TestApp, spawn_app_on};

const CREATE: &str = "mutation { createToken(name: \"new\", role: EDITOR) { token apiToken { name role createdBy } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeToken(id: $id) { name revokedAt active } }";

/// A server over a migrated database without the graph: tokens need nothing else.
async fn spawn() -> TestApp {
    spawn_app_on(TestDb::migrated().await, Limits::default()).await
}

/// The whole `api_token` table, every row and column: what a refused request must leave as it was.
async fn table(app: &TestApp) -> Vec<api_token::Model> {
    api_token::Entity::find()
        .order_by_asc(api_token::Column::ApiTokenId)
        .all(&app.db.db)
        .await
        .expect("api_token rows")
}

async fn row(app: &TestApp, name: &str) -> api_token::Model {
    libgraph::store::token::by_name(&app.db.db, name)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no token {name}"))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Runs a `libgraph token …` command line against the app's database, as the binary does.
async fn command(app: &TestApp, args: &str) -> libgraph::command::TokenReport {
    let cli = Cli::try_from_args(std::iter::once("libgraph").chain(args.split_whitespace()))
        .expect("a valid command line");
    let Some(Command::Token(command)) = &cli.command else {
        panic!("not a token command: {args}");
    };
    libgraph::command::token(&app.db.db, command)
        .await
        .unwrap_or_else(|error| panic!("{args}: {error}"))
}

/// Every way of asking without a token that works, and the code each gets.
struct Askers {
    admin: String,
    editor: String,
    revoked: String,
    expired: String,
}

impl Askers {
    async fn make(app: &TestApp) -> Askers {
        let askers = Askers {
            admin: app.token("admin", TokenRole::Admin).await,
            editor: app.token("editor", TokenRole::Editor).await,
            revoked: app.token("revoked", TokenRole::Admin).await,
            expired: app.token("expired", TokenRole::Admin).await,
        };
        let revoked = row(app, "revoked").await.api_token_id;
        libgraph::store::token::revoke(&app.db.db, revoked, libgraph::store::token::now())
            .await
            .expect("revoke");
        let past = libgraph::store::token::now() - chrono::TimeDelta::seconds(1);
        api_token::Entity::update_many()
            .col_expr(api_token::Column::ExpiresAt, Expr::value(past))
            .filter(api_token::Column::Name.eq("expired"))
            .exec(&app.db.db)
            .await
            .expect("expire");
        askers
    }

    /// Each refused way of asking: what it sends as `Authorization`, and the code it gets.
    fn refused(&self) -> Vec<(&'static str, Option<String>, &'static str)> {
        let unknown = format!("lgt_{}", "A".repeat(43));
        vec![
            ("no token", None, "UNAUTHENTICATED"),
            (
                "malformed header",
                Some("Basic dXNlcjpwYXNz".to_owned()),
                "UNAUTHENTICATED",
            ),
            ("not a token", Some(bearer("hunter2")), "UNAUTHENTICATED"),
            ("unknown", Some(bearer(&unknown)), "UNAUTHENTICATED"),
            ("revoked", Some(bearer(&self.revoked)), "UNAUTHENTICATED"),
            ("expired", Some(bearer(&self.expired)), "UNAUTHENTICATED"),
            ("editor", Some(bearer(&self.editor)), "FORBIDDEN"),
        ]
    }
}

#[tokio::test]
async fn each_token_mutation_refuses_all_but_an_admin_and_writes_nothing_when_it_refuses() {
    let app = spawn().await;
    let askers = Askers::make(&app).await;
    app.token("victim", TokenRole::Editor).await;
    let victim_id = app
        .post_as(
            Some(&bearer(&askers.admin)),
            "{ tokens { id name } }",
            json!({}),
        )
        .await["data"]["tokens"]
        .as_array()
        .and_then(|all| all.iter().find(|t| t["name"] == "victim"))
        .map(|t| t["id"].clone())
        .expect("the victim's id");

    for (mutation, variables) in [
        (CREATE, json!({})),
        (REVOKE, json!({ "id": victim_id.clone() })),
        (
            "mutation { mergeOrganizations(keep: \"ministry-of-culture-and-national-heritage\", remove: \"ministry-of-culture-2021\", reason: \"one body\") { revision { number } } }",
            json!({}),
        ),
        (
            "mutation($id: ID!) { restore(id: $id) { revision { number } } }",
            json!({ "id": victim_id.clone() }),
        ),
    ] {
        for (who, authorization, expected) in askers.refused() {
            let before = table(&app).await;
            let graph_before = libgraph::store::summary(&app.db.db).await.expect("summary");

            let body = app
                .post_as(authorization.as_deref(), mutation, variables.clone())
                .await;

            assert_eq!(code(&body), expected, "{who} on {mutation}: {body:#}");
            let field = body["data"].as_object().and_then(|d| d.values().next());
            assert_eq!(field, Some(&Value::Null), "{who}: {body:#}");
            assert_eq!(table(&app).await, before, "{who} wrote something");
            assert_eq!(
                libgraph::store::summary(&app.db.db).await.expect("summary"),
                graph_before,
                "{who} changed the graph"
            );
            let message = body["errors"][0]["message"].as_str().unwrap_or_default();
            if let Some(sent) = &authorization {
                let token = sent.split_once(' ').map_or("", |(_, t)| t);
                assert!(
                    !message.contains(token),
                    "{who}: the message quotes the token"
                );
            }
        }
    }

    let created = app
        .post_as(Some(&bearer(&askers.admin)), CREATE, json!({}))
        .await;
    let revoked = app
        .post_as(
            Some(&bearer(&askers.admin)),
            REVOKE,
            json!({ "id": victim_id }),
        )
        .await;

    assert!(created.get("errors").is_none(), "{created:#}");
    assert_eq!(
        created["data"]["createToken"]["apiToken"],
        json!({ "name": "new", "role": "EDITOR", "createdBy": "admin" })
    );
    assert!(revoked.get("errors").is_none(), "{revoked:#}");
    assert_eq!(revoked["data"]["revokeToken"]["name"], "victim");
    assert_eq!(revoked["data"]["revokeToken"]["active"], false);
    assert!(row(&app, "victim").await.revoked_at.is_some());
}

#[tokio::test]
async fn a_token_made_on_the_command_line_writes_over_http_until_it_is_revoked_there() {
    let app = spawn().await;

    let created = command(&app, "token create --name ops --role admin --expires-in 30").await;
    let token = created.out.trim().to_owned();
    let viewer = app
        .post_as(
            Some(&bearer(&token)),
            "{ viewer { name role expiresAt } }",
            json!({}),
        )
        .await;
    let made = app.post_as(Some(&bearer(&token)), CREATE, json!({})).await;
    let listed = command(&app, "token list").await;
    let revoked = command(&app, "token revoke ops").await;
    let after = app
        .post_as(Some(&bearer(&token)), "{ viewer { name } }", json!({}))
        .await;

    assert_eq!(created.out.lines().count(), 1, "the token alone on stdout");
    assert!(token.starts_with("lgt_") && token.len() == 47, "{token}");
    assert!(created.note.contains("printed once"), "{}", created.note);
    assert!(!created.note.contains(&token));
    assert_eq!(viewer["data"]["viewer"]["name"], "ops", "{viewer:#}");
    assert_eq!(viewer["data"]["viewer"]["role"], "ADMIN");
    let expires = viewer["data"]["viewer"]["expiresAt"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .expect("an expiry");
    let days = (expires.to_utc() - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "{days}");
    assert!(made.get("errors").is_none(), "{made:#}");
    assert!(listed.out.contains("ops") && listed.out.contains("new"));
    assert!(!listed.out.contains(&token), "the list never shows a token");
    assert!(revoked.out.contains("revoked token \"ops\""));
    assert_eq!(code(&after), "UNAUTHENTICATED", "{after:#}");
    assert!(command(&app, "token list").await.out.contains("revoked"));
}

#[tokio::test]
async fn a_tokens_text_is_never_stored_nor_listed_only_its_sha256() {
    use sha2::{Digest, Sha256};
    let app = spawn().await;
    let from_command = command(&app, "token create --name first --role admin").await;
    let first = from_command.out.trim().to_owned();
    let answer = app
        .post_as(
            Some(&bearer(&first)),
            "mutation { createToken(name: \"second\", role: EDITOR) { token } }",
            json!({}),
        )
        .await;
    let second = answer["data"]["createToken"]["token"]
        .as_str()
        .expect("the new token")
        .to_owned();
    let listed = app
        .post_as(
            Some(&bearer(&first)),
            "{ tokens { id name role createdAt createdBy expiresAt revokedAt lastUsedAt active } }",
            json!({}),
        )
        .await;

    let rows = table(&app).await;
    let stored = format!("{rows:?}");
    for (name, token) in [("first", &first), ("second", &second)] {
        let secret = token.trim_start_matches("lgt_");
        assert!(!stored.contains(secret), "{name}'s text is in api_token");
        assert!(!listed.to_string().contains(secret));
        let hash = format!("{:x}", Sha256::digest(token.as_bytes()));
        let row = rows.iter().find(|r| r.name == name).expect("a row");
        assert_eq!(row.token_hash, hash, "{name} is stored as its SHA-256");
        assert!(!listed.to_string().contains(&hash), "the list shows a hash");
    }
    assert_ne!(first, second);
    assert_eq!(
        listed["data"]["tokens"][0]["name"], "second",
        "newest first"
    );
    assert_eq!(listed["data"]["tokens"][1]["createdBy"], Value::Null);
    assert_eq!(listed["data"]["tokens"][0]["createdBy"], "first");
    assert!(
        listed["data"]["tokens"][1]["lastUsedAt"].is_string(),
        "a write records its token's use: {listed:#}"
    );
}

#[tokio::test]
async fn reads_stay_public_and_answer_the_same_whatever_the_authorization_header() {
    let app = spawn_app_on(TestDb::seeded().await, Limits::default()).await;
    let revoked = app.token("gone", TokenRole::Admin).await;
    let id = row(&app, "gone").await.api_token_id;
    libgraph::store::token::revoke(&app.db.db, id, libgraph::store::token::now())
        .await
        .expect("revoke");
    let query =
        json!({ "query": "{ organization(slug: \"biblioteka-krakow\") { name place { name } } }" });
    let ask = |authorization: Option<String>| {
        let mut request = app.client.post(app.url("/graphql")).json(&query);
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        app.send_counted(request)
    };

    let (status, plain, statements) = ask(None).await;
    assert_eq!(status, 200);
    for authorization in [
        "Basic dXNlcjpwYXNz".to_owned(),
        "Bearer".to_owned(),
        bearer("not-a-token"),
        bearer(&format!("lgt_{}", "A".repeat(43))),
        bearer(&revoked),
    ] {
        let (status, body, counted) = ask(Some(authorization.clone())).await;
        assert_eq!(status, 200, "{authorization}");
        assert_eq!(body, plain, "{authorization}");
        assert_eq!(
            counted, statements,
            "{authorization}: no look-up for a read"
        );
    }
}

#[tokio::test]
async fn viewer_is_null_without_a_token_and_refuses_one_that_does_not_work() {
    let app = spawn().await;
    let askers = Askers::make(&app).await;
    let viewer = "{ viewer { name role expiresAt } }";

    let nobody = app.post_as(None, viewer, json!({})).await;
    let editor = app
        .post_as(Some(&bearer(&askers.editor)), viewer, json!({}))
        .await;

    assert_eq!(nobody["data"], json!({ "viewer": null }));
    assert!(nobody.get("errors").is_none(), "{nobody:#}");
    assert_eq!(
        editor["data"]["viewer"],
        json!({ "name": "editor", "role": "EDITOR", "expiresAt": null })
    );
    for (who, authorization, _) in askers.refused().into_iter().skip(1) {
        let body = app
            .post_as(authorization.as_deref(), viewer, json!({}))
            .await;
        let expected = if who == "editor" {
            None
        } else {
            Some("UNAUTHENTICATED")
        };
        assert_eq!(
            body.get("errors").map(|_| code(&body)),
            expected,
            "{who}: {body:#}"
        );
    }
    // Only admins list tokens.
    let listed = app
        .post_as(
            Some(&bearer(&askers.editor)),
            "{ tokens { name } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&listed), "FORBIDDEN");
}

#[tokio::test]
async fn mutations_run_only_over_post_with_a_json_body() {
    let app = spawn().await;
    let admin = bearer(&app.token("admin", TokenRole::Admin).await);
    let before = table(&app).await;
    let url = app.url("/graphql");

    let get = app
        .client
        .get(&url)
        .query(&[("query", CREATE)])
        .header("authorization", &admin)
        .send()
        .await
        .expect("get");
    assert_eq!(get.status(), 405);
    assert_eq!(
        get.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let form = format!(
        "query={}",
        CREATE
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    let multipart = format!(
        "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n{CREATE}\r\n--x--\r\n"
    );
    let json_body = json!({ "query": CREATE }).to_string();
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", form),
        ("multipart/form-data; boundary=x", multipart),
        ("text/plain", json_body.clone()),
        ("application/graphql", CREATE.to_owned()),
    ] {
        let answer = app
            .client
            .post(&url)
            .header("content-type", content_type)
            .header("authorization", &admin)
            .body(body)
            .send()
            .await
            .expect("post");
        assert_eq!(answer.status(), 415, "{content_type}");
    }

    assert_eq!(table(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn a_mutation_is_checked_costed_and_completed_like_a_query() {
    let app = spawn().await;
    let admin = bearer(&app.token("admin", TokenRole::Admin).await);
    let before = table(&app).await;

    // A variable of the wrong type for a mutation's argument: refused before anything runs.
    let wrong = app
        .post_as(
            Some(&admin),
            "mutation($n: Int!) { createToken(name: $n, role: EDITOR) { token } }",
            json!({ "n": 1 }),
        )
        .await;
    let unknown_role = app
        .post_as(
            Some(&admin),
            "mutation($r: TokenRole!) { createToken(name: \"x\", role: $r) { token } }",
            json!({ "r": "OWNER" }),
        )
        .await;
    assert_eq!(code(&wrong), "GRAPHQL_VALIDATION_FAILED", "{wrong:#}");
    assert_eq!(
        code(&unknown_role),
        "GRAPHQL_VARIABLES_INVALID",
        "{unknown_role:#}"
    );
    assert_eq!(table(&app).await, before);

    // Root fields of a mutation run one after the other: the second finds the name taken, and its
    // null does not take the first one's answer (and the token it shows once) with it.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", &admin)
        .json(&json!({ "query": "mutation {
            a: createToken(name: \"twin\", role: EDITOR) { apiToken { role name } token }
            b: createToken(name: \"twin\", role: EDITOR) { token }
        }" }))
        .send()
        .await
        .expect("post");
    let text = response.text().await.expect("body");
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["data"]["a"]["apiToken"]["name"], "twin", "{body:#}");
    assert_eq!(body["data"]["b"], Value::Null);
    assert_eq!(body["errors"][0]["path"], json!(["b"]));
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "name");
    assert!(body["extensions"]["cost"]["requested"].as_u64() > Some(0));
    // Keys in the order the mutation selects them.
    let at = |key: &str| text.find(key).unwrap_or(usize::MAX);
    assert!(at("\"role\"") < at("\"name\"") && at("\"apiToken\"") < at("\"token\":\""));

    let past = app
        .post_as(
            Some(&admin),
            "mutation { createToken(name: \"late\", role: EDITOR, expiresAt: \"2001-01-01T00:00:00Z\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&past), "BAD_USER_INPUT");
    assert_eq!(past["errors"][0]["extensions"]["field"], "expiresAt");
}
