//! `POST /telegram/webhook`: Telegram's updates in webhook mode.
//!
//! A request must carry the secret given to `setWebhook` in `X-Telegram-Bot-Api-Secret-Token`
//! (compared in constant time); anything else is refused with 403, audited, and nothing in it
//! is handled. An accepted update goes to the bot's dispatcher (`WebhookSink`, set once the bot
//! is connected); the answer is 200 when it was handled or was a duplicate, and 503 when it
//! must be delivered again (in hand elsewhere, or the database failed) — Telegram retries it.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use hmac::Mac;

use super::WebState;
use crate::domain::session;

/// The header Telegram puts the webhook's secret in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// What became of one delivery, as the webhook answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Handled now, or before: 200.
    Done,
    /// Not handled: Telegram is to deliver it again (503).
    Again,
}

type Handle = Arc<dyn Fn(Bytes) -> BoxFuture<'static, Delivery> + Send + Sync>;

/// Where the webhook hands updates, set once the bot is connected (503 until then).
#[derive(Clone, Default)]
pub struct WebhookSink(Arc<OnceLock<Handle>>);

impl WebhookSink {
    pub fn set(&self, handle: impl Fn(Bytes) -> BoxFuture<'static, Delivery> + Send + Sync + 'static) {
        let _ = self.0.set(Arc::new(handle));
    }
}

pub async fn receive(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) =
        state.config.webhook_secret.as_deref().filter(|_| state.config.webhook_url().is_some())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers.get(SECRET_HEADER).map(|v| v.as_bytes());
    let refused = match given {
        None => Some("missing"),
        Some(given) if !same(given, secret.as_bytes()) => Some("wrong"),
        Some(_) => None,
    };
    if let Some(why) = refused {
        tracing::warn!(%peer, secret = why, "a webhook request without the secret: refused, nothing handled");
        let now = state.clock.now();
        if let Err(e) = session::webhook_refused(state.store.as_ref(), why, &peer.ip().to_string(), now).await
        {
            tracing::error!(error = %e, "cannot audit a refused webhook request");
        }
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(handle) = state.webhook.0.get().cloned() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
        // Telegram would send the same bytes again: nothing to gain from a retry.
        tracing::warn!("a webhook request that is not JSON: ignored");
        return StatusCode::BAD_REQUEST.into_response();
    }
    match handle(body).await {
        Delivery::Done => StatusCode::OK.into_response(),
        Delivery::Again => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Compares two secrets in constant time (through HMAC verification, as `init_data` does).
fn same(given: &[u8], expected: &[u8]) -> bool {
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"webhook-secret") else {
        return false;
    };
    mac.update(expected);
    let expected = mac.finalize().into_bytes();
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"webhook-secret") else {
        return false;
    };
    mac.update(given);
    mac.verify_slice(&expected).is_ok()
}
