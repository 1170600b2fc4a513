//! A strict stand-in for the Telegram Bot API, served on `127.0.0.1:0`.
//!
//! The real bot talks HTTP to it exactly as to Telegram. It enforces Telegram's limits with
//! Telegram's own error bodies (`shared/botapi/limits.json`), records every call, and lets a
//! test or the demo speak as users: send texts, press buttons, block the bot, break the network.
//! Updates reach the bot by `getUpdates` or, once it sets a webhook, by POST to it
//! (`webhook.rs`, with a round-robin balancer over the instances a test publishes).
//! The tests and the `demo` sandbox share it.

mod entities;
mod server;
mod state;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Notify;

pub use entities::visible_text;
pub use state::{Call, Failure, Outage, Outgoing, OutgoingKind, TgUser};
pub use webhook::Delivery;

use state::Shared;

/// The bot token the fake accepts; any other token is refused with 401 like Telegram does.
pub const TOKEN: &str = "123456:TEST-TOKEN";
pub const BOT_ID: i64 = 123456;
pub const BOT_USERNAME: &str = "prospect_diary_bot";

/// A running fake Telegram. Cloning shares the same server.
#[derive(Clone)]
pub struct FakeTelegram {
    shared: Arc<Shared>,
    url: String,
    stop: Arc<Notify>,
}

impl FakeTelegram {
    /// Starts the server on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/", listener.local_addr()?);
        let shared = Arc::new(Shared::default());
        // Like Telegram after a quiet week, update ids start somewhere new on each start, so a
        // bot that remembers handled ids (the demo's database does) is not confused.
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        shared.lock().next_update_id = ((secs % 2_000_000) * 1000) as i64;
        let stop = Arc::new(Notify::new());
        let router = server::router(shared.clone());
        let stopped = stop.clone();
        tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                stopped.notified().await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "fake Telegram stopped");
            }
        });
        Ok(Self { shared, url, stop })
    }

    /// The base URL to give the bot (`TELOXIDE_API_URL`).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn shutdown(&self) {
        self.stop.notify_waiters();
    }

    /// A person with a Telegram account; they have not opened the bot yet.
    pub fn user(&self, id: i64, first_name: &str) -> TgUser {
        TgUser { id, first_name: first_name.to_owned(), username: Some(format!("user{id}")) }
    }

    /// The person opens the private chat with the bot (as pressing Start does), without a message.
    pub fn open_chat(&self, user: &TgUser) {
        self.shared.open_chat(user);
    }

    /// The person writes `text` to the bot in a private chat; returns the update id.
    pub fn send_text(&self, from: &TgUser, text: &str) -> i64 {
        self.shared.user_message(from, from.id, text)
    }

    /// The person writes `text` in a group chat the bot is a member of.
    pub fn send_in_group(&self, from: &TgUser, chat_id: i64, text: &str) -> i64 {
        self.shared.user_message(from, chat_id, text)
    }

    /// The person sends a file (a document) to the bot in their private chat; returns the
    /// update id. The bot may fetch it with `getFile` (refused over 20 MB, as Telegram does).
    pub fn send_document(&self, from: &TgUser, file_name: &str, bytes: Vec<u8>) -> i64 {
        self.shared.user_document(from, file_name, bytes)
    }

    /// The person presses an inline button with `data` under `message`; returns the update id.
    /// Any data can be sent: this is how a forged press is made.
    pub fn press(&self, from: &TgUser, message: &Outgoing, data: &str) -> i64 {
        self.shared.press(from, message.chat_id, message.message_id, data)
    }

    /// Telegram delivers an update again, as after a crash before the offset was confirmed.
    pub fn redeliver(&self, update_id: i64) {
        self.shared.redeliver(update_id);
    }

    /// Creates a group chat; `bot_member` says whether the bot was added to it.
    pub fn add_group(&self, chat_id: i64, title: &str, bot_member: bool) {
        self.shared.add_group(chat_id, title, bot_member);
    }

    /// The person blocks the bot: sends to them fail with 403 from now on.
    pub fn block(&self, user_id: i64) {
        self.shared.lock().blocked.insert(user_id);
    }

    /// Turns Telegram's flood limits (on by default) off, for tests that measure something else.
    pub fn set_rate_limits(&self, enabled: bool) {
        self.shared.lock().rates.enabled = enabled;
    }

    /// The next `count` calls (of `method`, or of any method but `getUpdates`) fail with `failure`.
    pub fn fail_next(&self, method: Option<&str>, count: usize, failure: Failure) {
        let mut state = self.shared.lock();
        for _ in 0..count {
            state.failures.push_back((method.map(str::to_ascii_lowercase), failure.clone()));
        }
    }

    /// Starts an outage (every method fails, or nothing answers) or, with `None`, ends it.
    pub fn set_outage(&self, outage: Option<Outage>) {
        self.shared.lock().outage = outage;
    }

    /// Publishes the bot's instances at `public_origin` (`https://crm.test`), as the bank's
    /// reverse proxy does: a webhook there is posted to `backends` (`127.0.0.1:PORT`) in turn.
    pub fn publish(&self, public_origin: &str, backends: &[std::net::SocketAddr]) {
        let origin = url::Url::parse(public_origin).map(|u| webhook::origin(&u)).expect("a URL");
        let backends = backends.iter().map(ToString::to_string).collect();
        self.shared.lock().webhooks.published.insert(origin, (backends, 0));
    }

    /// How long a webhook delivery may take before it counts as failed (10 s unless set).
    pub fn set_webhook_timeout(&self, timeout: Duration) {
        self.shared.lock().webhooks.timeout = timeout;
    }

    /// Every POST of an update to the webhook, in the order they were answered.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.lock().webhooks.deliveries.clone()
    }

    /// The webhook's URL, while one is set.
    pub fn webhook_url(&self) -> Option<String> {
        self.shared.lock().webhooks.current.as_ref().map(|h| h.url.to_string())
    }

    /// Every call the bot made, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        let method = method.to_ascii_lowercase();
        self.calls().into_iter().filter(|c| c.method == method).collect()
    }

    /// Callback queries the bot has not answered.
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        let state = self.shared.lock();
        state.callbacks.iter().filter(|(_, answered)| !**answered).map(|(id, _)| id.clone()).collect()
    }

    /// The commands registered for a scope (`{"type":"chat","chat_id":…}` or default) and language.
    pub fn commands(&self, scope: Value, language: Option<&str>) -> Option<Vec<String>> {
        let key = state::commands_key(&scope, language);
        self.shared.lock().commands.get(&key).map(|cmds| cmds.iter().map(|(c, _)| c.clone()).collect())
    }

    /// Everything the bot sent anywhere since position `from` (messages, edits, files), and the
    /// position to ask from next time.
    pub fn outgoing_since(&self, from: usize) -> (Vec<Outgoing>, usize) {
        let state = self.shared.lock();
        let items: Vec<Outgoing> = state.outgoing.iter().skip(from).cloned().collect();
        (items, state.outgoing.len())
    }

    /// Answers of the bot to button presses (the text of `answerCallbackQuery`) since `from`.
    pub fn callback_answers_since(&self, from: usize) -> (Vec<String>, usize) {
        let calls = self.calls_of("answerCallbackQuery");
        let texts =
            calls.iter().skip(from).filter_map(|c| c.params["text"].as_str().map(str::to_owned)).collect();
        (texts, calls.len())
    }

    /// Everything the bot sent to `chat_id` (messages, edits, files), in order.
    pub fn outgoing(&self, chat_id: i64) -> Vec<Outgoing> {
        self.shared.lock().outgoing.iter().filter(|o| o.chat_id == chat_id).cloned().collect()
    }

    /// Waits for the next thing the bot sends to `chat_id` that this handle has not yet returned.
    pub async fn next(&self, chat_id: i64) -> Outgoing {
        self.next_within(chat_id, Duration::from_secs(15)).await.unwrap_or_else(|| {
            let calls: Vec<String> = self
                .calls()
                .iter()
                .map(|c| format!("{} {}", c.method, c.error.as_deref().unwrap_or("ok")))
                .collect();
            panic!("the bot sent nothing to chat {chat_id} within 15 s; its calls: {calls:?}")
        })
    }

    pub async fn next_within(&self, chat_id: i64, wait: Duration) -> Option<Outgoing> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.shared.sent.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(out) = self.shared.take_unseen(chat_id) {
                return Some(out);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.shared.take_unseen(chat_id);
            }
        }
    }

    /// Asserts that the bot sends nothing more to `chat_id` for `wait`.
    pub async fn assert_silent(&self, chat_id: i64, wait: Duration) {
        if let Some(out) = self.next_within(chat_id, wait).await {
            panic!("expected silence in chat {chat_id}, got {out:?}");
        }
    }

    /// Waits up to 10 s for `check` to return something; for effects that follow a reply.
    pub async fn eventually<T>(&self, what: &str, check: impl Fn(&Self) -> Option<T>) -> T {
        for _ in 0..500 {
            if let Some(found) = check(self) {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("waited 10 s for {what}");
    }

    /// Waits until the bot has answered every callback query (or fails after 10 s).
    pub async fn wait_callbacks_answered(&self) {
        for _ in 0..500 {
            if self.unanswered_callbacks().is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("callback queries left unanswered: {:?}", self.unanswered_callbacks());
    }

    /// Waits until the bot has fetched (and so confirmed) every pending update.
    pub async fn wait_drained(&self) {
        for _ in 0..750 {
            if self.shared.lock().pending.is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the bot did not fetch its updates within 15 s");
    }
}
