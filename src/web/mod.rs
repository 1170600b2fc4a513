//! The HTTP channel: one server in the binary on `HTTP_ADDR`, published by the bank's reverse
//! proxy at `PUBLIC_URL` (SPEC §8, §10). It serves the operator's `/healthz`, `/readyz` and
//! `/metrics` (`ops.rs`; `METRICS_ADDR` may put `/metrics` on an internal address of its own),
//! the Mini App page (`/app`, static files embedded in the binary) and its API — `/api/card` (a
//! card's full contacts), `/api/draft` (the caller's own registration form), `/api/export`
//! (the full workbook) and `/api/import` (the upload form of a file of clients, `import.rs`) —
//! so that contacts go from the bank to the phone and never through Telegram; and, in webhook
//! mode, `/telegram/webhook`, where Telegram posts updates (`webhook.rs`).
//!
//! Like the bot, it only translates: requests into domain calls, results into JSON. Every
//! response carries `no-store` and a strict content security policy; logs never carry the
//! launch data or personal data.

mod caller;
mod card;
mod draft;
mod export;
mod import;
pub mod init_data;
mod ops;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::config::Config;
use crate::i18n::I18n;
use crate::store::Store;

pub use webhook::{Delivery, SECRET_HEADER, WebhookSink};

/// What the handlers share.
#[derive(Clone)]
pub struct WebState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub i18n: Arc<I18n>,
    pub config: Arc<Config>,
    /// Where Telegram's updates go in webhook mode.
    pub webhook: WebhookSink,
}

const APP_HTML: &str = include_str!("assets/app.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// Telegram's web clients may frame the page; nothing else may.
const CSP: &str = "default-src 'self'; frame-ancestors https://web.telegram.org https://*.telegram.org";

pub fn router(state: WebState) -> Router {
    let mut router = Router::new().route("/healthz", get(ops::healthz)).route("/readyz", get(ops::readyz));
    if state.config.metrics_addr.is_none() {
        router = router.route("/metrics", get(ops::metrics));
    }
    router
        .route("/app", get(|| async { asset("text/html; charset=utf-8", APP_HTML) }))
        .route("/app/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/app/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/api/card", post(card::contacts))
        .route("/api/draft", post(draft::draft))
        .route("/api/export", post(export::export))
        .route(crate::config::WEBHOOK_PATH, post(webhook::receive))
        .route(
            "/api/import",
            post(import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(import::MAX_FILE / 3 * 4 + 64 * 1024)),
        )
        .route("/api/import/decide", post(import::decide))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(state)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// `/metrics` alone, for `METRICS_ADDR`.
fn metrics_router(state: WebState) -> Router {
    Router::new().route("/metrics", get(ops::metrics)).with_state(state)
}

/// The running servers; dropping them stops them.
pub struct WebServer {
    pub addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for WebServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Binds `HTTP_ADDR` (and `METRICS_ADDR`, when set) and serves in the background; the bound
/// addresses are published in `config.http_bound` and `config.metrics_bound`.
pub async fn start(state: WebState) -> anyhow::Result<WebServer> {
    // Recording starts with the server, so the first scrape sees what happened since.
    crate::metrics::install();
    let mut tasks = Vec::new();
    if let Some(metrics_addr) = &state.config.metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("cannot listen on METRICS_ADDR={metrics_addr}"))?;
        let addr = listener.local_addr()?;
        state.config.metrics_bound.set(addr);
        let app = metrics_router(state.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the metrics server stopped");
            }
        }));
        tracing::info!(%addr, "metrics server listening");
    }
    let listener = tokio::net::TcpListener::bind(&state.config.http_addr)
        .await
        .with_context(|| format!("cannot listen on HTTP_ADDR={}", state.config.http_addr))?;
    let addr = listener.local_addr()?;
    state.config.http_bound.set(addr);
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the HTTP server stopped");
        }
    }));
    tracing::info!(%addr, "HTTP server listening");
    Ok(WebServer { addr, tasks })
}
