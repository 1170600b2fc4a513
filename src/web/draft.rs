//! `POST /api/draft`: the caller's own registration form as typed so far, so that in `mask`
//! and `hide` modes they can check the contact's name, phone and e-mail before saving (the
//! summary in Telegram shows them masked, or not at all).
//!
//! The form lives in the bot's dialogue state of the person's private chat (whose id is the
//! person's); the page reads it and never changes it. Only the person who typed it sees it,
//! so it is neither audited as a card view nor counted against the allowance: no card of the
//! base is opened.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::WebState;
use super::caller::{Refusal, failed, identify, refuse};
use super::card::Row;
use crate::bot::flow;
use crate::domain::requisites::{Email, Phone};

#[derive(Deserialize)]
pub struct DraftRequest {
    init_data: String,
}

#[derive(Serialize)]
struct DraftView {
    ok: bool,
    title: String,
    subtitle: String,
    rows: Vec<Row>,
}

pub async fn draft(State(state): State<WebState>, Json(request): Json<DraftRequest>) -> Response {
    let user = match identify(&state, &request.init_data).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    if !user.active {
        return refuse(&state, Refusal::NoAccess, user.lang);
    }
    let saved = match state.store.dialogue(user.telegram_id.get()).await {
        Ok(saved) => saved,
        Err(e) => return failed(&e),
    };
    let draft = match saved.and_then(|json| serde_json::from_str::<flow::State>(&json).ok()) {
        Some(flow::State::NewProspect { draft, .. }) => draft,
        _ => return refuse(&state, Refusal::NoDraft, user.lang),
    };
    let t = |id: &str| state.i18n.t(user.lang, id);
    let mut rows = vec![];
    let mut text = |id: &str, value: &Option<String>| {
        if let Some(value) = value {
            rows.push(Row::text(t(id), value.clone()));
        }
    };
    text("app-inn", &draft.inn);
    text("field-kpp", &draft.kpp);
    text("field-ogrn", &draft.ogrn);
    text("field-contact", &draft.contact);
    text("field-position", &draft.position);
    // Each value was checked when it was typed; one that no longer parses shows as typed.
    match draft.phone.as_deref().map(|p| (p, Phone::parse(p))) {
        Some((_, Ok(phone))) => rows.push(Row::phone(t("field-phone"), &phone)),
        Some((typed, Err(_))) => rows.push(Row::text(t("field-phone"), typed.to_owned())),
        None => {}
    }
    match draft.email.as_deref().map(|e| (e, Email::parse(e))) {
        Some((_, Ok(email))) => rows.push(Row::email(t("field-email"), &email)),
        Some((typed, Err(_))) => rows.push(Row::text(t("field-email"), typed.to_owned())),
        None => {}
    }
    Json(DraftView {
        ok: true,
        title: draft.name.unwrap_or_else(|| t("app-draft-untitled")),
        subtitle: t("app-draft-subtitle"),
        rows,
    })
    .into_response()
}
