//! Webhooks, as Telegram runs them: `setWebhook` (checked as Telegram checks it),
//! `deleteWebhook`, `getWebhookInfo`, and delivery — each update POSTed as JSON to the webhook
//! with the `X-Telegram-Bot-Api-Secret-Token` header, one chat's updates in order (the next only
//! after the previous was accepted), up to `max_connections` chats at once, retried with
//! backoff on a non-2xx answer, a refused connection or a timeout.
//!
//! Telegram reaches only `https://` addresses on ports 80, 88, 443 and 8443. The tests' bot
//! listens on plain HTTP on loopback, so a test publishes its address the way the bank's reverse
//! proxy does (`FakeTelegram::publish`): the public origin and the instances behind it, served
//! round-robin — a small test balancer.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use url::Url;

use super::state::{Shared, State};

/// The webhook Telegram holds for the bot.
#[derive(Debug, Clone)]
pub(super) struct Webhook {
    pub url: Url,
    pub secret: Option<String>,
    pub allowed_updates: Option<Vec<String>>,
    pub max_connections: usize,
    /// Which `setWebhook` this is: a delivery loop of an older one stops.
    pub generation: u64,
    pub last_error: Option<(i64, String)>,
}

/// What the fake knows of webhooks: the one set, the published origins, the deliveries made.
pub(super) struct Webhooks {
    pub current: Option<Webhook>,
    pub generation: u64,
    /// Public origin (`https://crm.test`) → the instances behind the balancer, and the next one.
    pub published: HashMap<String, (Vec<String>, usize)>,
    /// Update id → when it may be tried again, after a failed delivery.
    pub retry_at: HashMap<i64, (Instant, u32)>,
    /// Updates being posted now.
    pub in_flight: HashSet<i64>,
    pub deliveries: Vec<Delivery>,
    /// How long a delivery may take before it counts as failed.
    pub timeout: Duration,
}

impl Default for Webhooks {
    fn default() -> Self {
        Self {
            current: None,
            generation: 0,
            published: HashMap::new(),
            retry_at: HashMap::new(),
            in_flight: HashSet::new(),
            deliveries: vec![],
            timeout: Duration::from_secs(10),
        }
    }
}

/// One POST of an update to the webhook.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub update_id: i64,
    /// The instance the balancer chose (`127.0.0.1:PORT`).
    pub backend: String,
    /// The HTTP status, or `None` when the connection failed or timed out.
    pub status: Option<u16>,
}

pub(super) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn bad_webhook(why: &str) -> (u16, String) {
    (400, format!("Bad Request: bad webhook: {why}"))
}

/// `setWebhook`; an empty `url` removes the webhook. Errors are Telegram's.
pub(super) fn set(shared: &Arc<Shared>, params: &Value) -> Result<Value, (u16, String)> {
    let url = params.get("url").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    if url.is_empty() {
        remove(&mut shared.lock(), false);
        return Ok(json!(true));
    }
    let parsed =
        Url::parse(&url).map_err(|_| bad_webhook("Failed to resolve host: Name or service not known"))?;
    if parsed.scheme() != "https" {
        return Err(bad_webhook("An HTTPS URL must be provided for webhook"));
    }
    if !matches!(parsed.port_or_known_default(), Some(80 | 88 | 443 | 8443)) {
        return Err(bad_webhook("Webhook can be set up only on ports 80, 88, 443 or 8443"));
    }
    let secret = params.get("secret_token").and_then(Value::as_str).filter(|s| !s.is_empty());
    if let Some(secret) = secret {
        if secret.len() > 256 {
            return Err((400, "Bad Request: secret token is too long".to_owned()));
        }
        if !secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err((400, "Bad Request: secret token contains unallowed characters".to_owned()));
        }
    }
    let allowed_updates = match params.get("allowed_updates") {
        Some(Value::Array(kinds)) => {
            Some(kinds.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        }
        Some(Value::String(text)) => serde_json::from_str::<Vec<String>>(text).ok(),
        _ => None,
    };
    let max_connections = match params.get("max_connections") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(40)
    .clamp(1, 100) as usize;
    let drop_pending = matches!(params.get("drop_pending_updates"), Some(Value::Bool(true)))
        || params.get("drop_pending_updates").and_then(Value::as_str) == Some("true");
    let generation = {
        let mut state = shared.lock();
        if !state.webhooks.published.contains_key(&origin(&parsed)) {
            return Err(bad_webhook("Failed to resolve host: Name or service not known"));
        }
        if drop_pending {
            state.pending.clear();
        }
        let unchanged = state.webhooks.current.as_ref().is_some_and(|hook| {
            hook.url == parsed && hook.secret.as_deref() == secret && hook.max_connections == max_connections
        });
        if unchanged {
            // Several instances set the same webhook at start: the delivery goes on as it was.
            if let Some(hook) = state.webhooks.current.as_mut()
                && allowed_updates.is_some()
            {
                hook.allowed_updates = allowed_updates;
            }
            return Ok(json!(true));
        }
        state.webhooks.generation += 1;
        let generation = state.webhooks.generation;
        state.webhooks.current = Some(Webhook {
            url: parsed,
            secret: secret.map(str::to_owned),
            allowed_updates: allowed_updates
                .or_else(|| state.webhooks.current.as_ref().and_then(|h| h.allowed_updates.clone())),
            max_connections,
            generation,
            last_error: None,
        });
        // A poller still waiting is told to stop, as Telegram does.
        state.poll_generation += 1;
        generation
    };
    shared.updates.notify_waiters();
    tokio::spawn(deliver(shared.clone(), generation));
    Ok(json!(true))
}

/// `deleteWebhook`.
pub(super) fn remove(state: &mut State, drop_pending: bool) {
    state.webhooks.current = None;
    state.webhooks.generation += 1;
    if drop_pending {
        state.pending.clear();
    }
}

pub(super) fn info(state: &State) -> Value {
    let Some(hook) = &state.webhooks.current else {
        return json!({"url": "", "has_custom_certificate": false, "pending_update_count": state.pending.len()});
    };
    let mut info = json!({"url": hook.url.as_str(), "has_custom_certificate": false,
                          "pending_update_count": state.pending.len(),
                          "max_connections": hook.max_connections});
    if let Some(kinds) = &hook.allowed_updates {
        info["allowed_updates"] = json!(kinds);
    }
    if let Some((date, message)) = &hook.last_error {
        info["last_error_date"] = json!(date);
        info["last_error_message"] = json!(message);
    }
    info
}

/// The queue an update waits in: one chat's updates go one at a time, in order.
fn queue_of(update: &Value) -> i64 {
    let chat = update["message"]["chat"]["id"]
        .as_i64()
        .or_else(|| update["callback_query"]["message"]["chat"]["id"].as_i64())
        .or_else(|| update["callback_query"]["from"]["id"].as_i64());
    chat.unwrap_or(0)
}

fn kind_of(update: &Value) -> Option<&str> {
    update.as_object()?.keys().map(String::as_str).find(|k| *k != "update_id")
}

/// Posts pending updates to the webhook of `generation` until another replaces it.
async fn deliver(shared: Arc<Shared>, generation: u64) {
    let client = reqwest::Client::new();
    loop {
        let notified = shared.updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let picked = {
            let mut state = shared.lock();
            let Some(hook) = state.webhooks.current.clone().filter(|h| h.generation == generation) else {
                return;
            };
            // Updates of a kind the bot did not ask for are dropped, as Telegram drops them.
            if let Some(kinds) = &hook.allowed_updates
                && !kinds.is_empty()
            {
                state.pending.retain(|(_, u)| kind_of(u).is_none_or(|k| kinds.iter().any(|a| a == k)));
            }
            let now = Instant::now();
            let mut blocked = HashSet::new();
            let mut picked = vec![];
            let mut busy = state.webhooks.in_flight.len();
            for (id, update) in state.pending.iter() {
                let queue = queue_of(update);
                if !blocked.insert(queue) {
                    continue;
                }
                let waiting = state.webhooks.retry_at.get(id).is_some_and(|(at, _)| *at > now);
                if waiting || state.webhooks.in_flight.contains(id) || busy >= hook.max_connections {
                    continue;
                }
                busy += 1;
                picked.push((*id, update.clone()));
            }
            let mut posts = vec![];
            for (id, mut update) in picked {
                let Some(backend) = next_backend(&mut state, &hook.url) else { break };
                state.webhooks.in_flight.insert(id);
                if let Some(object) = update.as_object_mut() {
                    object.remove("_redelivered");
                }
                posts.push((id, update, backend));
            }
            (hook, posts, state.webhooks.timeout)
        };
        let (hook, posts, timeout) = picked;
        for (id, update, backend) in posts {
            let (shared, client, hook) = (shared.clone(), client.clone(), hook.clone());
            tokio::spawn(async move {
                let target = format!("http://{backend}{}", hook.url.path());
                let mut request =
                    client.post(target).timeout(timeout).header("content-type", "application/json");
                if let Some(secret) = &hook.secret {
                    request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
                }
                let status = match request.body(update.to_string()).send().await {
                    Ok(response) => Some(response.status().as_u16()),
                    Err(_) => None,
                };
                settle(&shared, id, backend, status);
            });
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
}

/// The next instance behind the balancer for `url`'s origin (round-robin).
fn next_backend(state: &mut State, url: &Url) -> Option<String> {
    let (backends, next) = state.webhooks.published.get_mut(&origin(url))?;
    if backends.is_empty() {
        return None;
    }
    let backend = backends[*next % backends.len()].clone();
    *next = next.wrapping_add(1);
    Some(backend)
}

/// Records a delivery; an accepted update leaves the queue, a failed one waits to be retried.
fn settle(shared: &Shared, id: i64, backend: String, status: Option<u16>) {
    let mut state = shared.lock();
    state.webhooks.in_flight.remove(&id);
    state.webhooks.deliveries.push(Delivery { update_id: id, backend, status });
    if status.is_some_and(|s| (200..300).contains(&s)) {
        state.webhooks.retry_at.remove(&id);
        if let Some(position) = state.pending.iter().position(|(pending, _)| *pending == id) {
            state.pending.remove(position);
        }
    } else {
        let attempts = state.webhooks.retry_at.get(&id).map_or(0, |(_, n)| *n) + 1;
        // Telegram backs off between attempts; the fake does too, on a shorter scale.
        let wait = Duration::from_millis(50 * 2u64.pow(attempts.min(5)));
        state.webhooks.retry_at.insert(id, (Instant::now() + wait, attempts));
        let message = match status {
            Some(code) => format!("Wrong response from the webhook: {code}"),
            None => "Connection refused or timed out".to_owned(),
        };
        if let Some(hook) = state.webhooks.current.as_mut() {
            hook.last_error = Some((chrono::Utc::now().timestamp(), message));
        }
    }
    drop(state);
    shared.updates.notify_waiters();
}
