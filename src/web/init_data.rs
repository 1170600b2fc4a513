//! Telegram Mini App launch data (`initData`, the `tgWebAppData` launch parameter): checked as
//! Telegram documents it (core.telegram.org/bots/webapps, "Validating data received via the
//! Mini App"). Pure: no I/O, the time is passed in.
//!
//! The data-check-string is every received field except `hash`, as `key=value` (values
//! URL-decoded), sorted by key and joined with `\n`; the secret is
//! HMAC-SHA-256(key = "WebAppData", message = bot token); `hash` is the hex HMAC-SHA-256 of the
//! data-check-string under that secret, compared in constant time.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Launch data may be dated this far ahead of our clock (clocks drift a little).
const CLOCK_SKEW: Duration = Duration::seconds(30);

/// Who opened the page, as Telegram signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub user_id: i64,
    /// The Telegram client's language, for refusals before the person is known.
    pub language_code: Option<String>,
    pub auth_date: DateTime<Utc>,
}

/// Why launch data was refused. Says nothing about the data itself, so it may be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    #[error("the launch data is malformed")]
    Malformed,
    #[error("the launch data's signature does not match")]
    BadSignature,
    #[error("the launch data is too old")]
    Expired,
    #[error("the launch data is dated in the future")]
    FromTheFuture,
}

fn secret(bot_token: &str) -> HmacSha256 {
    let mut derive = HmacSha256::new_from_slice(b"WebAppData").expect("HMAC takes a key of any length");
    derive.update(bot_token.as_bytes());
    let key = derive.finalize().into_bytes();
    HmacSha256::new_from_slice(&key).expect("HMAC takes a key of any length")
}

fn data_check_string(fields: &[(String, String)]) -> String {
    let mut lines: Vec<String> =
        fields.iter().filter(|(k, _)| k != "hash").map(|(k, v)| format!("{k}={v}")).collect();
    lines.sort();
    lines.join("\n")
}

/// The received fields, once their signature is checked against `bot_token`.
fn signed_fields(raw: &str, bot_token: &str) -> Result<Vec<(String, String)>, InitDataError> {
    let fields: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(InitDataError::Malformed);
    }
    let hash = field(&fields, "hash").ok_or(InitDataError::Malformed)?;
    let hash = hex::decode(hash).map_err(|_| InitDataError::BadSignature)?;
    let mut mac = secret(bot_token);
    mac.update(data_check_string(&fields).as_bytes());
    mac.verify_slice(&hash).map_err(|_| InitDataError::BadSignature)?;
    Ok(fields)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The person in signed launch data, whatever its age: whose language a refusal is in.
pub fn signed_user(raw: &str, bot_token: &str) -> Option<i64> {
    let fields = signed_fields(raw, bot_token).ok()?;
    let user: serde_json::Value = serde_json::from_str(field(&fields, "user")?).ok()?;
    user.get("id")?.as_i64()
}

/// Checks `raw` (the query-string form Telegram gives the page) against `bot_token`, and its
/// age against `max_age` at `now`.
pub fn verify(
    raw: &str,
    bot_token: &str,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<Launch, InitDataError> {
    let fields = signed_fields(raw, bot_token)?;
    let auth_date: i64 =
        field(&fields, "auth_date").and_then(|v| v.parse().ok()).ok_or(InitDataError::Malformed)?;
    let auth_date = DateTime::from_timestamp(auth_date, 0).ok_or(InitDataError::Malformed)?;
    if auth_date > now + CLOCK_SKEW {
        return Err(InitDataError::FromTheFuture);
    }
    if now - auth_date > max_age {
        return Err(InitDataError::Expired);
    }
    let user: serde_json::Value =
        field(&fields, "user").and_then(|u| serde_json::from_str(u).ok()).ok_or(InitDataError::Malformed)?;
    let user_id = user.get("id").and_then(serde_json::Value::as_i64).ok_or(InitDataError::Malformed)?;
    let language_code = user.get("language_code").and_then(serde_json::Value::as_str).map(str::to_owned);
    Ok(Launch { user_id, language_code, auth_date })
}

/// Signs launch data as Telegram does: for tests and the demo's local links.
pub fn sign(fields: &[(&str, &str)], bot_token: &str) -> String {
    let owned: Vec<(String, String)> =
        fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let mut mac = secret(bot_token);
    mac.update(data_check_string(&owned).as_bytes());
    let hash = hex::encode(mac.finalize().into_bytes());
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        query.append_pair(k, v);
    }
    query.append_pair("hash", &hash);
    query.finish()
}

/// Launch data for person `user_id`, signed at `at` (tests and the demo).
pub fn sign_for(user_id: i64, at: DateTime<Utc>, bot_token: &str) -> String {
    let user = serde_json::json!({"id": user_id, "first_name": "Demo", "language_code": "ru"}).to_string();
    let auth_date = at.timestamp().to_string();
    sign(&[("auth_date", &auth_date), ("query_id", "AAH-demo"), ("user", &user)], bot_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:TEST-TOKEN";
    const HOUR: Duration = Duration::hours(1);

    fn now() -> DateTime<Utc> {
        "2026-11-27T07:00:00Z".parse().unwrap()
    }

    #[test]
    fn data_signed_with_our_token_is_accepted() {
        let raw = sign_for(42, now() - Duration::minutes(5), TOKEN);
        let launch = verify(&raw, TOKEN, now(), HOUR).unwrap();
        assert_eq!(launch.user_id, 42);
        assert_eq!(launch.language_code.as_deref(), Some("ru"));
    }

    #[test]
    fn a_vector_computed_elsewhere_verifies() {
        // python3: s = hmac.new(b"WebAppData", b"123456:TEST-TOKEN", sha256).digest();
        // hmac.new(s, b'auth_date=1795761000\nuser={"id":42}', sha256).hexdigest()
        let raw = "user=%7B%22id%22%3A42%7D&auth_date=1795761000\
                   &hash=6b654a203e5543ad23454f14f3824511707dfa4d3c45a7803052d690d799aa5c";
        assert_eq!(verify(raw, TOKEN, now(), HOUR).map(|l| l.user_id), Ok(42));
    }

    #[test]
    fn old_data_is_expired() {
        let raw = sign_for(42, now() - Duration::minutes(61), TOKEN);
        assert_eq!(verify(&raw, TOKEN, now(), HOUR), Err(InitDataError::Expired));
    }

    #[test]
    fn data_from_the_future_is_refused() {
        let raw = sign_for(42, now() + Duration::minutes(5), TOKEN);
        assert_eq!(verify(&raw, TOKEN, now(), HOUR), Err(InitDataError::FromTheFuture));
    }

    #[test]
    fn a_forged_hash_is_refused() {
        let raw = sign_for(42, now(), TOKEN);
        let forged = raw.replace("%22id%22%3A42", "%22id%22%3A43");
        assert_ne!(raw, forged);
        assert_eq!(verify(&forged, TOKEN, now(), HOUR), Err(InitDataError::BadSignature));
        let no_hex = format!("{}zz", raw);
        assert_eq!(verify(&no_hex, TOKEN, now(), HOUR), Err(InitDataError::BadSignature));
    }

    #[test]
    fn another_bots_data_is_refused() {
        let raw = sign_for(42, now(), "999:OTHER-BOT");
        assert_eq!(verify(&raw, TOKEN, now(), HOUR), Err(InitDataError::BadSignature));
    }

    #[test]
    fn missing_or_repeated_fields_are_malformed() {
        assert_eq!(verify("", TOKEN, now(), HOUR), Err(InitDataError::Malformed));
        let raw = sign_for(42, now(), TOKEN);
        let doubled = format!("user=%7B%22id%22%3A1%7D&{raw}");
        assert_eq!(verify(&doubled, TOKEN, now(), HOUR), Err(InitDataError::Malformed));
    }
}
