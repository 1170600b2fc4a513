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
use super::card::{Row, field_rows};
use crate::bot::flow;
use crate::domain::fields::{FIELDS, FieldKind};

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
    let saved = match crate::domain::session::flow(state.store.as_ref(), user.telegram_id.get()).await {
        Ok(saved) => saved,
        Err(e) => return failed(&e),
    };
    let draft = match saved.and_then(|json| serde_json::from_str::<flow::State>(&json).ok()) {
        Some(flow::State::NewProspect { draft, .. }) => draft,
        _ => return refuse(&state, Refusal::NoDraft, user.lang),
    };
    let t = |id: &str| state.i18n.t(user.lang, id);
    // Each value was checked when it was typed, and is shown as the card will show it.
    let rows = field_rows(&t, |f| draft.stored(f));
    let title = FIELDS.iter().find(|f| f.kind == FieldKind::Name).and_then(|f| draft.stored(f));
    Json(DraftView {
        ok: true,
        title: title.unwrap_or_else(|| t("app-draft-untitled")),
        subtitle: t("app-draft-subtitle"),
        rows,
    })
    .into_response()
}
