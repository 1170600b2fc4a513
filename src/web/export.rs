//! `POST /api/export`: the full workbook of the cards `/export` offers the caller (contacts
//! and all), downloaded straight from the bank over HTTPS — in `mask` and `hide` modes
//! Telegram only ever carries the masked one (SPEC §10: files with contacts go through the
//! page or the CLI). Checked like the contacts page, audited before it leaves, and limited to
//! `FULL_EXPORTS_PER_HOUR` a person.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::WebState;
use super::caller::{Refusal, client_addr, failed, identify, refuse, tell_head_office};
use crate::domain::contacts::{self, ContactsError};
use crate::domain::ids::RegionCode;
use crate::domain::privacy::{ContactsInChat, Disclosure};
use crate::domain::report::ReportScope;
use crate::reports::{self, Reader};

#[derive(Deserialize)]
pub struct ExportRequest {
    init_data: String,
    /// A division's code, or `ALL` (as the bot's button names it).
    scope: String,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn scope(key: &str) -> Option<ReportScope> {
    match key {
        "ALL" => Some(ReportScope::All),
        code => RegionCode::parse(code).ok().map(ReportScope::Region),
    }
}

pub async fn export(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(request): Json<ExportRequest>,
) -> Response {
    let user = match identify(&state, &request.init_data).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let Some(scope) = scope(&request.scope) else {
        return refuse(&state, Refusal::NoAccess, user.lang);
    };
    let now = state.clock.now();
    let from = client_addr(peer, &headers);
    let per_hour = state.config.full_exports_per_hour;
    match contacts::export(state.store.as_ref(), &user, &scope, &from, now, per_hour).await {
        Ok(()) => {}
        Err(ContactsError::NoAccess) => {
            tracing::info!(telegram_id = %user.telegram_id, scope = scope.key(), "Mini App: no access to the export");
            return refuse(&state, Refusal::NoAccess, user.lang);
        }
        Err(ContactsError::TooMany) => {
            tracing::warn!(telegram_id = %user.telegram_id, per_hour, "Mini App: full exports over the hourly limit");
            let notice =
                tell_head_office(&state, &user, "full-exports", "app-exports-limit-notice", per_hour);
            if let Err(e) = notice.await {
                tracing::error!(error = %e, "cannot queue the notice of too many full exports");
            }
            return refuse(&state, Refusal::TooManyExports, user.lang);
        }
        Err(ContactsError::Store(e)) => return failed(&e),
    }
    let tz = match &user.region {
        Some(code) => match state.store.region(code).await {
            Ok(region) => region.map_or(chrono_tz::Europe::Moscow, |r| r.tz.tz()),
            Err(e) => return failed(&e),
        },
        None => chrono_tz::Europe::Moscow,
    };
    // This file goes from the bank to the phone, never through Telegram: contacts in full.
    let reader = Reader {
        lang: user.lang,
        tz,
        disclosure: Disclosure(ContactsInChat::Show),
        i18n: state.i18n.clone(),
    };
    let (bytes, _) = match reports::export_workbook(state.store.clone(), scope.clone(), &reader).await {
        Ok(built) => built,
        Err(e) => return failed(&e),
    };
    let date = now.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let name = reports::file_name("prospects_full", &scope, &date, "xlsx");
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(XLSX)), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response()
}
