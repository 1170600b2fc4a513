//! `POST /api/import` and `POST /api/import/decide`: the page's upload form for a file of
//! clients (issue 13). In `mask` and `hide` modes a file with contacts does not travel through
//! Telegram (SPEC §10): it goes from the phone to the bank over HTTPS, is checked by the same use
//! case as the bot's and the CLI's import, and waits in the database for «Загрузить» or
//! «Отмена», which are checked there (a repeated or forged decision saves nothing).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

use super::WebState;
use super::caller::{Refusal, failed, identify, refuse};
use crate::domain::import::{FileProblem, may_import};
use crate::domain::prospects::BaseError;
use crate::i18n::{Args, count};
use crate::transfer::pending::{self, Confirmed};
use crate::transfer::{ImportError, words};

/// The largest file the form takes (the body carries it in base64, a third larger).
pub const MAX_FILE: usize = 30 * 1024 * 1024;

#[derive(Deserialize)]
pub struct UploadRequest {
    init_data: String,
    file_name: String,
    /// The file, in base64.
    content: String,
}

#[derive(Deserialize)]
pub struct DecideRequest {
    init_data: String,
    id: i64,
    save: bool,
}

fn message(status: StatusCode, text: String) -> Response {
    (status, Json(json!({"ok": false, "message": text}))).into_response()
}

pub async fn upload(State(state): State<WebState>, Json(request): Json<UploadRequest>) -> Response {
    let user = match identify(&state, &request.init_data).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let lang = user.lang;
    if !may_import(&user) {
        return message(StatusCode::FORBIDDEN, state.i18n.t(lang, "import-not-allowed"));
    }
    let unreadable = |why: &str| {
        let problem = FileProblem::Unreadable(why.to_owned());
        message(StatusCode::UNPROCESSABLE_ENTITY, words::file_problem(&state.i18n, lang, &problem))
    };
    let Ok(content) = STANDARD.decode(request.content.as_bytes()) else { return unreadable("base64") };
    if content.len() > MAX_FILE {
        return unreadable("> 30 MB");
    }
    let name: String = request.file_name.chars().filter(|c| !c.is_control()).take(120).collect();
    let now = state.clock.now();
    let offer = match pending::offer(state.store.as_ref(), &state.i18n, &user, &name, &content, now).await {
        Ok(offer) => offer,
        Err(ImportError::File(problem)) => {
            return message(
                StatusCode::UNPROCESSABLE_ENTITY,
                words::file_problem(&state.i18n, lang, &problem),
            );
        }
        Err(ImportError::Base(BaseError::NotAllowed)) => return refuse(&state, Refusal::NoAccess, lang),
        Err(e) => return failed(&e),
    };
    let mut notes = vec![];
    if !offer.unknown.is_empty() {
        let columns = offer.unknown.join(", ");
        notes.push(state.i18n.get(lang, "import-unknown-columns", Args::new().markup("columns", columns)));
    }
    if offer.outcome.warnings > 0 {
        let n = offer.outcome.warnings;
        let args = Args::new().num("count", n as i64).markup("count_text", count(n));
        notes.push(state.i18n.get(lang, "import-similar", args));
    }
    let can_save = offer.outcome.new > 0;
    if !can_save {
        notes.push(state.i18n.t(lang, "import-nothing"));
    }
    let stem = name.rsplit_once('.').map(|(stem, _)| stem).unwrap_or(&name).to_owned();
    Json(json!({
        "ok": true,
        "id": offer.id,
        "preview": words::preview(&state.i18n, lang, &offer.outcome, false),
        "notes": notes,
        "can_save": can_save,
        "save": state.i18n.t(lang, "import-button-save"),
        "cancel": state.i18n.t(lang, "import-button-cancel"),
        "errors": offer.errors.map(|book| STANDARD.encode(book)),
        "errors_name": format!("{stem}.errors.xlsx"),
    }))
    .into_response()
}

pub async fn decide(State(state): State<WebState>, Json(request): Json<DecideRequest>) -> Response {
    let user = match identify(&state, &request.init_data).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let lang = user.lang;
    let store = state.store.as_ref();
    let stale = || message(StatusCode::CONFLICT, state.i18n.t(lang, "button-stale"));
    if !request.save {
        return match pending::cancel(store, &user, request.id).await {
            Ok(true) => {
                Json(json!({"ok": true, "message": state.i18n.t(lang, "import-cancelled")})).into_response()
            }
            Ok(false) => stale(),
            Err(e) => failed(&e),
        };
    }
    match pending::confirm(store, &state.i18n, &user, request.id, state.clock.now()).await {
        Ok(Confirmed::Saved(written)) => {
            let args = Args::new()
                .num("created", written.created as i64)
                .markup("created_text", count(written.created));
            Json(json!({"ok": true, "message": state.i18n.get(lang, "import-saved", args)})).into_response()
        }
        Ok(Confirmed::Stale) => stale(),
        Err(ImportError::Base(BaseError::NotAllowed)) => refuse(&state, Refusal::NoAccess, lang),
        Err(e) => failed(&e),
    }
}
