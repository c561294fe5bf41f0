//! API tokens: making one, finding the token a request presents, listing and revoking them.
//!
//! A token is `lgt_` and 43 URL-safe base64 characters: 256 bits from the operating system's
//! generator (`getrandom`), so that it can be told from other secrets at a glance (and by secret
//! scanners) and pasted into a header or a shell unquoted. Its holder sees its text once, when it
//! is made ([`Secret`]); the database keeps only its SHA-256 ([`TokenHash`]).
//!
//! SHA-256, not a slow password hash (Argon2, bcrypt): a slow hash exists to make guessing a
//! low-entropy password from its hash expensive, and there is nothing to guess in 256 random bits.
//! A fast hash keeps authentication one indexed look-up and a microsecond of hashing. The
//! look-up is by the hash, through the unique index: the text is never compared, and an attacker
//! who can time the look-up learns something about the hash of what they sent, which tells them
//! nothing about any real token.

use chrono::{SubsecRound, Utc};
use entities::TokenRole;
use entities::api_token::{ActiveModel, Column, Entity, Model};
use sea_orm::prelude::DateTimeUtc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, SqlErr,
};

use super::error::{StoreError, StoreResult, excerpt};

/// What every token starts with.
pub const PREFIX: &str = "lgt_";

/// Random bytes in a token: 256 bits.
const RANDOM_BYTES: usize = 32;

/// Characters after the prefix: 32 bytes in unpadded base64.
const ENCODED_CHARS: usize = RANDOM_BYTES.div_ceil(3) * 4 - 1;

/// The longest token name, in characters: a label for lists, not a document.
pub const MAX_NAME_CHARS: usize = 100;

/// How stale `last_used_at` may get before a use writes it again: one write a minute per token at
/// most, not one per mutation.
const LAST_USED_PRECISION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// A token's text, as its holder receives it once. Neither `Display` nor a `Debug` that shows it:
/// it cannot reach a log line or an error message by accident, only through [`Secret::expose`].
pub struct Secret(String);

impl Secret {
    /// A new token from the operating system's generator.
    fn generate() -> StoreResult<Secret> {
        use base64::Engine;
        let mut bytes = [0u8; RANDOM_BYTES];
        getrandom::fill(&mut bytes).map_err(|error| {
            tracing::error!(%error, "the operating system's random generator failed");
            StoreError::Internal
        })?;
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        Ok(Secret(format!("{PREFIX}{encoded}")))
    }

    /// The text, for the one answer that shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash it is stored as.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The SHA-256 of a token's text, in lowercase hex: what `api_token.token_hash` holds and what a
/// presented token is looked up by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hash of `text`, whatever it is (a presented token is hashed before anything else).
    pub fn of(text: &str) -> TokenHash {
        use sha2::{Digest, Sha256};
        TokenHash(format!("{:x}", Sha256::digest(text.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `text` has the shape of a token this server makes: the prefix, then 43 URL-safe base64
/// characters. Text of another shape names no token, and costs no look-up.
pub fn is_well_formed(text: &str) -> bool {
    text.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == ENCODED_CHARS
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The current time as tokens record it: UTC, to the second, so that both databases store and
/// give back the same value (PostgreSQL keeps microseconds, SQLite's text whatever it is given).
pub fn now() -> DateTimeUtc {
    Utc::now().trunc_subsecs(0)
}

/// A token to make.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// Its label; trimmed, unique, at most [`MAX_NAME_CHARS`] characters.
    pub name: String,
    pub role: TokenRole,
    /// When it stops working (after `now`), or never.
    pub expires_at: Option<DateTimeUtc>,
    /// The admin token making it; `None` from the command line.
    pub created_by: Option<i64>,
}

/// Makes a token: its row, and its text, which exists nowhere else afterwards. A name already
/// taken, an empty or overlong one, or an expiry not after `now` is `BAD_USER_INPUT` naming the
/// field (`name`, `expiresAt`), and nothing is written.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewToken,
    now: DateTimeUtc,
) -> StoreResult<(Model, Secret)> {
    let name = checked_name(&new.name)?;
    if let Some(expires_at) = new.expires_at
        && expires_at <= now
    {
        return Err(StoreError::invalid(
            "expiresAt",
            format!("{} is not in the future", expires_at.to_rfc3339()),
        ));
    }
    let secret = Secret::generate()?;
    let row = ActiveModel {
        name: Set(name.clone()),
        role: Set(new.role),
        token_hash: Set(secret.hash().0),
        created_at: Set(now),
        expires_at: Set(new.expires_at.map(|t| t.trunc_subsecs(0))),
        revoked_at: Set(None),
        created_by: Set(new.created_by),
        last_used_at: Set(None),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(model) => Ok((model, secret)),
        // The only other unique column is the hash of 256 random bits.
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(StoreError::invalid(
                "name",
                format!("a token named \"{}\" exists already", excerpt(&name)),
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// `name` as stored: trimmed, not empty, at most [`MAX_NAME_CHARS`] characters, no control
/// characters (it is printed in lists and logs).
fn checked_name(name: &str) -> StoreResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::invalid("name", "a token needs a name"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::invalid(
            "name",
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            "name",
            "control characters (line breaks, tabs) are not allowed",
        ));
    }
    Ok(name.to_owned())
}

/// Every token, newest first. There are a handful: one per person or script that writes.
pub async fn list<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<Model>> {
    Ok(Entity::find()
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::ApiTokenId)
        .all(db)
        .await?)
}

/// The token with this id.
pub async fn by_id<C: ConnectionTrait>(db: &C, id: i64) -> StoreResult<Option<Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// The token with this name (as [`create`] stores it: trimmed).
pub async fn by_name<C: ConnectionTrait>(db: &C, name: &str) -> StoreResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::Name.eq(name.trim()))
        .one(db)
        .await?)
}

/// Revokes the token with this id from `now` on, and gives back its row; `None` when there is no
/// such token. Revoking a revoked token changes nothing (it keeps its first `revoked_at`).
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTimeUtc,
) -> StoreResult<Option<Model>> {
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::ApiTokenId.eq(id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    by_id(db, id).await
}

/// The token whose hash is `hash`, if it works at `now`: neither revoked nor expired.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    hash: &TokenHash,
    now: DateTimeUtc,
) -> StoreResult<Option<Model>> {
    let found = Entity::find()
        .filter(Column::TokenHash.eq(hash.as_str()))
        .one(db)
        .await?;
    Ok(found.filter(|token| works_at(token, now)))
}

/// Whether `token` works at `now`: not revoked, and not expired (a token stops working at the
/// second of its expiry).
pub fn works_at(token: &Model, now: DateTimeUtc) -> bool {
    token.revoked_at.is_none() && token.expires_at.is_none_or(|expires_at| now < expires_at)
}

/// Records that `token` was used at `now` for something that needs a token, when what it holds
/// is older than a minute: at most one write a minute per token, whatever the rate of mutations.
pub async fn touch<C: ConnectionTrait>(db: &C, token: &Model, now: DateTimeUtc) -> StoreResult<()> {
    if token
        .last_used_at
        .is_some_and(|last| now - last < LAST_USED_PRECISION)
    {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::LastUsedAt, Expr::value(now))
        .filter(Column::ApiTokenId.eq(token.api_token_id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_the_prefix_and_256_bits_in_url_safe_base64_and_each_is_new() {
        let one = Secret::generate().unwrap();
        let two = Secret::generate().unwrap();

        assert!(is_well_formed(one.expose()), "{}", one.expose());
        assert_eq!(one.expose().len(), PREFIX.len() + 43);
        assert_ne!(one.expose(), two.expose());
        assert_eq!(format!("{one:?}"), "Secret(…)");
        assert!(!format!("{:?}", one.hash()).contains(one.expose()));
    }

    #[test]
    fn the_hash_is_sha256_in_lowercase_hex() {
        assert_eq!(
            TokenHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_the_shape_of_a_token_is_well_formed() {
        let good = format!("{PREFIX}{}", "A".repeat(43));
        for bad in [
            String::new(),
            "lgt_".to_owned(),
            "A".repeat(47),
            format!("{PREFIX}{}", "A".repeat(42)),
            format!("{PREFIX}{}", "A".repeat(44)),
            format!("{PREFIX}{}+", "A".repeat(42)),
            format!("LGT_{}", "A".repeat(43)),
        ] {
            assert!(!is_well_formed(&bad), "{bad}");
        }
        assert!(is_well_formed(&good));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(checked_name("  Ana  ").unwrap(), "Ana");
        for bad in ["", "   ", "a\nb", &"x".repeat(MAX_NAME_CHARS + 1)] {
            assert_eq!(checked_name(bad).unwrap_err().code(), "BAD_USER_INPUT");
        }
    }
}
