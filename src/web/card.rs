//! `POST /api/card`: the launch data and a card number in, the card's full contacts out (as
//! labelled rows the page shows as they come), or a refusal in the person's language.
//!
//! The launch data travels in the request body, never in a URL; neither it nor any contact is
//! logged.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::WebState;
use super::caller::{Refusal, client_addr, failed, identify, refuse, tell_head_office};
use crate::domain::access::User;
use crate::domain::contacts::{self, Contacts, ContactsError};
use crate::domain::fields::{self, FIELDS, FieldKind, FieldSpec};
use crate::domain::privacy::{ContactsInChat, Disclosure};
use crate::domain::prospect::ProspectId;
use crate::i18n::{Args, local_datetime};

#[derive(Deserialize)]
pub struct CardRequest {
    init_data: String,
    card: i64,
}

#[derive(Serialize)]
pub struct Row {
    pub label: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

impl Row {
    pub fn text(label: String, value: String) -> Row {
        Row { label, value, href: None }
    }
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

pub async fn contacts(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(request): Json<CardRequest>,
) -> Response {
    let user = match identify(&state, &request.init_data).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let now = state.clock.now();
    let id = ProspectId(request.card);
    let from = client_addr(peer, &headers);
    let per_hour = state.config.contact_views_per_hour;
    match contacts::view(state.store.as_ref(), &user, id, &from, now, per_hour).await {
        Ok(found) => match card_view(&state, &user, &found).await {
            Ok(view) => Json(view).into_response(),
            Err(e) => failed(&e),
        },
        Err(ContactsError::NoAccess) => {
            tracing::info!(telegram_id = %user.telegram_id, card = id.0, "Mini App: no access to the card");
            refuse(&state, Refusal::NoAccess, user.lang)
        }
        Err(ContactsError::TooMany) => {
            tracing::warn!(
                telegram_id = %user.telegram_id,
                per_hour,
                "Mini App: contact views over the hourly limit"
            );
            let notice = tell_head_office(&state, &user, "contact-views", "app-views-limit-notice", per_hour);
            if let Err(e) = notice.await {
                tracing::error!(error = %e, "cannot queue the notice of too many contact views");
            }
            refuse(&state, Refusal::TooMany, user.lang)
        }
        Err(ContactsError::Store(e)) => failed(&e),
    }
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
    let mut rows = field_rows(&t, |f| p.stored(f));
    let row = Row::text;
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

/// The rows the page lists for a card or a form being filled in: the fields the table puts on
/// the contacts page, in full (SPEC §10), a phone as a `tel:` link, an e-mail as `mailto:`.
pub fn field_rows(t: &dyn Fn(&str) -> String, stored: impl Fn(&FieldSpec) -> Option<String>) -> Vec<Row> {
    let pd = Disclosure(ContactsInChat::Show);
    fields::shown(&FIELDS, &stored, pd, &|_| String::new())
        .into_iter()
        .filter(|s| s.field.contacts_page)
        .map(|s| {
            let value = stored(s.field).unwrap_or_default();
            let href = match s.field.kind {
                FieldKind::Phone => Some(format!("tel:{value}")),
                FieldKind::Email => Some(format!("mailto:{value}")),
                _ => None,
            };
            Row { label: t(&s.field.label()), value: s.text, href }
        })
        .collect()
}
