//! What every API request of the page starts with: the launch data checked (signature and
//! age), the person looked up in the whitelist, and the refusals in the person's language.
//! Neither the launch data nor any personal data is logged.

use std::net::SocketAddr;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;

use super::WebState;
use super::init_data;
use crate::domain::access::{Audience, Lang, Role, User};
use crate::domain::ids::TelegramId;
use crate::i18n::Args;
use crate::store::NewOutgoing;

/// Why the page shows nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Launch data too old, from the future, forged or another bot's: open the card again.
    Stale,
    NoAccess,
    TooMany,
    /// The hourly allowance of full workbooks is spent.
    TooManyExports,
    /// No registration form in progress to show.
    NoDraft,
}

impl Refusal {
    fn code(self) -> &'static str {
        match self {
            Refusal::Stale => "stale",
            Refusal::NoAccess => "no_access",
            Refusal::TooMany | Refusal::TooManyExports => "too_many",
            Refusal::NoDraft => "no_draft",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Refusal::Stale => StatusCode::UNAUTHORIZED,
            Refusal::NoAccess => StatusCode::FORBIDDEN,
            Refusal::TooMany | Refusal::TooManyExports => StatusCode::TOO_MANY_REQUESTS,
            Refusal::NoDraft => StatusCode::NOT_FOUND,
        }
    }

    fn message_id(self) -> &'static str {
        match self {
            Refusal::Stale => "app-refused-stale",
            Refusal::NoAccess => "app-refused-access",
            Refusal::TooMany => "app-refused-too-many",
            Refusal::TooManyExports => "app-refused-too-many-exports",
            Refusal::NoDraft => "app-refused-no-draft",
        }
    }
}

pub fn refuse(state: &WebState, refusal: Refusal, lang: Lang) -> Response {
    let body = serde_json::json!({
        "ok": false,
        "reason": refusal.code(),
        "message": state.i18n.t(lang, refusal.message_id()),
    });
    (refusal.status(), Json(body)).into_response()
}

pub fn failed(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "Mini App request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, Json(serde_json::json!({"ok": false, "reason": "error"})))
        .into_response()
}

/// The language of a person not (yet) known: their Telegram client's.
fn client_lang(code: Option<&str>) -> Lang {
    match code {
        Some(code) if code.starts_with("en") => Lang::En,
        _ => Lang::Ru,
    }
}

async fn known_lang(state: &WebState, id: i64) -> Option<Lang> {
    let user = state.store.user(TelegramId::new(id).ok()?).await.ok()??;
    Some(user.lang)
}

/// The client's address: the peer, or the one the bank's reverse proxy on this host names.
pub fn client_addr(peer: SocketAddr, headers: &HeaderMap) -> String {
    let forwarded = headers.get("x-real-ip").and_then(|v| v.to_str().ok()).map(str::trim);
    match forwarded {
        Some(ip) if peer.ip().is_loopback() && ip.parse::<std::net::IpAddr>().is_ok() => ip.to_owned(),
        _ => peer.ip().to_string(),
    }
}

/// The whitelisted person who opened the page, once `raw` launch data checks out; otherwise
/// the response refusing them (in their language when it is known).
pub async fn identify(state: &WebState, raw: &str) -> Result<User, Response> {
    let now = state.clock.now();
    let max_age = Duration::minutes(i64::from(state.config.webapp_max_age_minutes));
    let launch = match init_data::verify(raw, &state.config.token, now, max_age) {
        Ok(launch) => launch,
        Err(e) => {
            tracing::info!(reason = %e, "Mini App launch data refused");
            // Signed but too old (or early): the person is known, and so is their language.
            let lang = match init_data::signed_user(raw, &state.config.token) {
                Some(id) => known_lang(state, id).await.unwrap_or_default(),
                None => Lang::Ru,
            };
            return Err(refuse(state, Refusal::Stale, lang));
        }
    };
    let user = match TelegramId::new(launch.user_id) {
        Ok(id) => state.store.user(id).await,
        Err(_) => Ok(None),
    };
    match user {
        Ok(Some(user)) => Ok(user),
        Ok(None) => {
            tracing::info!(telegram_id = launch.user_id, "Mini App opened by a stranger");
            Err(refuse(state, Refusal::NoAccess, client_lang(launch.language_code.as_deref())))
        }
        Err(e) => Err(failed(&e)),
    }
}

/// Head office learns once an hour per person and allowance that someone reads contacts in
/// bulk; `notice` is the message's id, `kind` tells the allowances apart.
pub async fn tell_head_office(
    state: &WebState,
    user: &User,
    kind: &str,
    notice: &str,
    limit: u32,
) -> anyhow::Result<()> {
    let now = state.clock.now();
    let hour = now.timestamp().div_euclid(3600);
    let items: Vec<NewOutgoing> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == Role::HeadOffice)
        .map(|u| NewOutgoing {
            kind: "notice",
            chat_id: u.telegram_id.get(),
            ref_id: None,
            text: Some(
                state.i18n.get(
                    u.lang,
                    notice,
                    Args::new()
                        .text("name", user.full_name.as_str())
                        .text("id", user.telegram_id.to_string())
                        .num("limit", i64::from(limit)),
                ),
            ),
            markup: None,
            dedupe_key: format!("{kind}:{}:{hour}:{}", user.telegram_id, u.telegram_id),
            audience: Audience::Staff,
            notice: None,
        })
        .collect();
    if items.is_empty() {
        tracing::warn!("an allowance is spent and there is no active head office to tell");
    }
    state.store.enqueue(&items, now).await?;
    Ok(())
}
