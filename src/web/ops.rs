//! The operator's endpoints: `/healthz` (the process answers), `/readyz` (it can serve: the
//! database answers and its schema is this build's) and `/metrics` (Prometheus text format).
//! They carry no personal data; `/metrics` may live on an internal address of its own
//! (`METRICS_ADDR`).

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::WebState;
use crate::config::TelegramMode;
use crate::domain::session;
use crate::store::Schema;

/// How long `/readyz` waits for the database before it says it does not answer.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 `ready` and a line saying which instance polls Telegram, or 503 with the reason, one
/// line, for the load balancer's log.
pub async fn readyz(State(state): State<WebState>) -> Response {
    let reason = match tokio::time::timeout(READY_TIMEOUT, state.store.schema()).await {
        Ok(Ok(Schema::Current)) => {
            return (StatusCode::OK, format!("ready\n{}\n", poller(&state).await)).into_response();
        }
        Ok(Ok(Schema::Behind { missing })) => {
            let missing: Vec<String> = missing.iter().map(i64::to_string).collect();
            format!("migrations not applied yet: {}", missing.join(", "))
        }
        Ok(Err(e)) => format!("the database does not answer: {e}"),
        Err(_) => format!("the database does not answer within {} s", READY_TIMEOUT.as_secs()),
    };
    tracing::warn!(%reason, "not ready");
    (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {reason}\n")).into_response()
}

/// Which instance polls Telegram, as `/readyz` says it: in polling mode the holder of the
/// poller's lease (this one or another), in webhook mode nobody.
async fn poller(state: &WebState) -> String {
    let config = &state.config;
    if config.telegram_mode == TelegramMode::Webhook {
        return format!(
            "webhook mode: instance {} serves {}",
            config.instance_id,
            crate::config::WEBHOOK_PATH
        );
    }
    // Leases run on the real clock, as the instances that hold them do.
    match session::poller(state.store.as_ref(), chrono::Utc::now()).await {
        Ok(Some(holder)) if holder == config.instance_id => {
            format!("polling: this instance ({holder}) polls Telegram")
        }
        Ok(Some(holder)) => format!(
            "polling: instance {holder} polls Telegram; this one ({}) delivers and stands by",
            config.instance_id
        ),
        Ok(None) => {
            format!("polling: no instance holds the poller's lease yet; this one is {}", config.instance_id)
        }
        Err(e) => format!("polling: the poller's lease cannot be read: {e}"),
    }
}

pub async fn metrics(State(state): State<WebState>) -> Response {
    let Some(handle) = crate::metrics::install() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not recorded in this process\n")
            .into_response();
    };
    let body =
        crate::metrics::render(&handle, state.store.as_ref(), state.clock.as_ref(), &state.config).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}
