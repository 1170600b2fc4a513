//! `POST /api/card`: the launch data and a card number in, the card's full contacts out (as
//! labelled rows the page shows as they come), or a refusal in the person's language.
//!
//! The launch data travels in the request body, never in a URL; neither it nor any contact is
//! logged.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::WebState;
use super::init_data;
use crate::domain::access::{Audience, Lang, Role, User};
use crate::domain::contacts::{self, Contacts, ContactsError};
use crate::domain::fields::{self, FIELDS, FieldKind};
use crate::domain::ids::TelegramId;
use crate::domain::privacy::{ContactsInChat, Disclosure};
use crate::domain::prospect::ProspectId;
use crate::i18n::{Args, local_datetime};
use crate::store::NewOutgoing;

#[derive(Deserialize)]
pub struct CardRequest {
    init_data: String,
    card: i64,
}

#[derive(Serialize)]
struct Row {
    label: String,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
}

#[derive(Serialize)]
struct EntryView {
    head: String,
    text: String,
}

#[derive(Serialize)]
struct CardView {
    ok: bool,
    title: String,
    subtitle: String,
    rows: Vec<Row>,
    recent_title: String,
    recent: Vec<EntryView>,
    empty: String,
}

/// Why the page shows no card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// Launch data too old, from the future, forged or another bot's: open the card again.
    Stale,
    NoAccess,
    TooMany,
}

impl Refusal {
    fn code(self) -> &'static str {
        match self {
            Refusal::Stale => "stale",
            Refusal::NoAccess => "no_access",
            Refusal::TooMany => "too_many",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Refusal::Stale => StatusCode::UNAUTHORIZED,
            Refusal::NoAccess => StatusCode::FORBIDDEN,
            Refusal::TooMany => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn message_id(self) -> &'static str {
        match self {
            Refusal::Stale => "app-refused-stale",
            Refusal::NoAccess => "app-refused-access",
            Refusal::TooMany => "app-refused-too-many",
        }
    }
}

fn refuse(state: &WebState, refusal: Refusal, lang: Lang) -> Response {
    let body = serde_json::json!({
        "ok": false,
        "reason": refusal.code(),
        "message": state.i18n.t(lang, refusal.message_id()),
    });
    (refusal.status(), Json(body)).into_response()
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
fn client_addr(peer: SocketAddr, headers: &HeaderMap) -> String {
    let forwarded = headers.get("x-real-ip").and_then(|v| v.to_str().ok()).map(str::trim);
    match forwarded {
        Some(ip) if peer.ip().is_loopback() && ip.parse::<std::net::IpAddr>().is_ok() => ip.to_owned(),
        _ => peer.ip().to_string(),
    }
}

pub async fn contacts(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(request): Json<CardRequest>,
) -> Response {
    let now = state.clock.now();
    let max_age = Duration::minutes(i64::from(state.config.webapp_max_age_minutes));
    let launch = match init_data::verify(&request.init_data, &state.config.token, now, max_age) {
        Ok(launch) => launch,
        Err(e) => {
            tracing::info!(reason = %e, "Mini App launch data refused");
            // Signed but too old (or early): the person is known, and so is their language.
            let lang = match init_data::signed_user(&request.init_data, &state.config.token) {
                Some(id) => known_lang(&state, id).await.unwrap_or_default(),
                None => Lang::Ru,
            };
            return refuse(&state, Refusal::Stale, lang);
        }
    };
    let lang = client_lang(launch.language_code.as_deref());
    let user = match TelegramId::new(launch.user_id) {
        Ok(id) => state.store.user(id).await,
        Err(_) => Ok(None),
    };
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None) => {
            tracing::info!(telegram_id = launch.user_id, "Mini App opened by a stranger");
            return refuse(&state, Refusal::NoAccess, lang);
        }
        Err(e) => return failed(&e),
    };
    let id = ProspectId(request.card);
    let from = client_addr(peer, &headers);
    let per_hour = state.config.contact_views_per_hour;
    match contacts::view(state.store.as_ref(), &user, id, &from, now, per_hour).await {
        Ok(found) => match card_view(&state, &user, &found).await {
            Ok(view) => Json(view).into_response(),
            Err(e) => failed(&e),
        },
        Err(ContactsError::NoAccess) => {
            tracing::info!(telegram_id = launch.user_id, card = id.0, "Mini App: no access to the card");
            refuse(&state, Refusal::NoAccess, user.lang)
        }
        Err(ContactsError::TooMany) => {
            tracing::warn!(
                telegram_id = launch.user_id,
                per_hour,
                "Mini App: contact views over the hourly limit"
            );
            if let Err(e) = tell_head_office(&state, &user).await {
                tracing::error!(error = %e, "cannot queue the notice of too many contact views");
            }
            refuse(&state, Refusal::TooMany, user.lang)
        }
        Err(ContactsError::Store(e)) => failed(&e),
    }
}

fn failed(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "Mini App request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, Json(serde_json::json!({"ok": false, "reason": "error"})))
        .into_response()
}

/// Head office learns once an hour per person that someone reads contacts in bulk.
async fn tell_head_office(state: &WebState, user: &User) -> anyhow::Result<()> {
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
                    "app-views-limit-notice",
                    Args::new()
                        .text("name", user.full_name.as_str())
                        .text("id", user.telegram_id.to_string())
                        .num("limit", i64::from(state.config.contact_views_per_hour)),
                ),
            ),
            markup: None,
            dedupe_key: format!("contact-views:{}:{hour}:{}", user.telegram_id, u.telegram_id),
            audience: Audience::Staff,
            notice: None,
        })
        .collect();
    if items.is_empty() {
        tracing::warn!("contact views over the limit and no active head office to tell");
    }
    state.store.enqueue(&items, now).await?;
    Ok(())
}

async fn card_view(state: &WebState, user: &User, found: &Contacts) -> anyhow::Result<CardView> {
    let t = |id: &str| state.i18n.t(user.lang, id);
    let p = &found.prospect;
    // The reader's time zone; head office has no division of its own and reads the card's.
    let region = user.region.as_ref().unwrap_or(&p.region);
    let tz: Tz = match state.store.region(region).await? {
        Some(region) => region.tz.tz(),
        None => chrono_tz::Europe::Moscow,
    };
    // The bank's own page: the fields it lists, contacts in full (SPEC §10).
    let pd = Disclosure(ContactsInChat::Show);
    let mut rows: Vec<Row> = fields::shown(&FIELDS, |f| p.stored(f), pd, &|_| String::new())
        .into_iter()
        .filter(|s| s.field.contacts_page)
        .map(|s| {
            let stored = p.stored(s.field).unwrap_or_default();
            let href = match s.field.kind {
                FieldKind::Phone => Some(format!("tel:{stored}")),
                FieldKind::Email => Some(format!("mailto:{stored}")),
                _ => None,
            };
            Row { label: t(&s.field.label()), value: s.text, href }
        })
        .collect();
    let row = |label: String, value: String| Row { label, value, href: None };
    let next = p.next_contact.map(|at| local_datetime(at, tz)).unwrap_or_else(|| t("none-yet"));
    rows.push(row(t("app-next"), next));
    let recent = found
        .recent
        .iter()
        .map(|e| EntryView {
            head: format!(
                "{} · {} · {} — {}",
                local_datetime(e.happened_at, tz),
                t(&format!("kind-{}", e.kind)),
                t(&format!("outcome-{}", e.outcome)),
                e.author_name
            ),
            text: e.summary.clone(),
        })
        .collect();
    Ok(CardView {
        ok: true,
        title: p.name.as_str().to_owned(),
        subtitle: state.i18n.get(user.lang, "app-card-number", Args::new().text("id", p.id.to_string())),
        rows,
        recent_title: t("app-recent"),
        recent,
        empty: t("card-no-entries"),
    })
}
