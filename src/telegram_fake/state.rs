//! What the fake Telegram remembers: chats, messages, the update queue, and the call log.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::Notify;

use super::{BOT_ID, BOT_USERNAME};

/// A person on the Telegram side.
#[derive(Debug, Clone)]
pub struct TgUser {
    pub id: i64,
    pub first_name: String,
    pub username: Option<String>,
}

impl TgUser {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "is_bot": false, "first_name": self.first_name,
               "username": self.username, "language_code": "ru"})
    }
}

/// A failure to inject into the bot's next calls.
#[derive(Debug, Clone)]
pub enum Failure {
    /// An HTTP error with Telegram's envelope, e.g. 502 during an outage.
    Status(u16),
    /// 429 Too Many Requests with `retry_after` seconds.
    RetryAfter(u32),
}

/// A Telegram outage that lasts until it is switched off.
#[derive(Debug, Clone)]
pub enum Outage {
    /// Every call, `getUpdates` included, is answered with this failure (e.g. 502).
    Failing(Failure),
    /// Telegram cannot be reached: calls get no answer while it lasts (and a 502 after).
    Unreachable,
}

/// One request the bot made and how it was answered.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method name in lower case (`sendmessage`).
    pub method: String,
    pub params: Value,
    /// `None` when the call succeeded, else Telegram's error description.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutgoingKind {
    Message,
    Edit,
    Document,
    Photo,
    Delete,
}

/// Something the bot put into a chat.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: OutgoingKind,
    pub chat_id: i64,
    pub message_id: i64,
    /// The text or caption as sent (with markup).
    pub text: String,
    /// What a person sees: tags removed, entities decoded.
    pub visible: String,
    pub reply_markup: Option<Value>,
    pub file_name: Option<String>,
    pub file: Option<Vec<u8>>,
}

impl Outgoing {
    /// The inline keyboard's buttons, row by row, as sent.
    fn inline_buttons(&self) -> impl Iterator<Item = &Value> {
        let rows =
            self.reply_markup.as_ref().and_then(|m| m.get("inline_keyboard")).and_then(Value::as_array);
        rows.into_iter().flatten().filter_map(Value::as_array).flatten()
    }

    /// Inline buttons as (label, callback data), row by row.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.inline_buttons()
            .map(|b| {
                let text = b["text"].as_str().unwrap_or_default().to_owned();
                let data = b["callback_data"].as_str().unwrap_or_default().to_owned();
                (text, data)
            })
            .collect()
    }

    /// `web_app` buttons as (label, the page's URL), row by row.
    pub fn web_apps(&self) -> Vec<(String, String)> {
        self.inline_buttons()
            .filter_map(|b| {
                let url = b.get("web_app")?.get("url")?.as_str()?.to_owned();
                Some((b["text"].as_str().unwrap_or_default().to_owned(), url))
            })
            .collect()
    }

    /// The callback data of the first button whose label contains `label`.
    pub fn button(&self, label: &str) -> String {
        self.buttons()
            .into_iter()
            .find(|(text, _)| text.contains(label))
            .map(|(_, data)| data)
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.buttons()))
    }

    /// Reply-keyboard labels, row by row.
    pub fn keyboard(&self) -> Vec<String> {
        let rows = self.reply_markup.as_ref().and_then(|m| m.get("keyboard")).and_then(Value::as_array);
        rows.into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|b| b.as_str().map(str::to_owned).or_else(|| b["text"].as_str().map(str::to_owned)))
            .collect()
    }
}

pub(super) struct Chat {
    pub json: Value,
    pub bot_member: bool,
}

#[derive(Default)]
pub(super) struct State {
    pub next_update_id: i64,
    pub pending: VecDeque<(i64, Value)>,
    /// Every update ever queued, for `redeliver`.
    pub history: HashMap<i64, Value>,
    pub poll_generation: u64,
    pub next_message_id: HashMap<i64, i64>,
    pub messages: HashMap<(i64, i64), Value>,
    pub chats: HashMap<i64, Chat>,
    pub blocked: HashSet<i64>,
    pub callbacks: BTreeMap<String, bool>,
    pub failures: VecDeque<(Option<String>, Failure)>,
    pub outage: Option<Outage>,
    pub calls: Vec<Call>,
    pub commands: HashMap<String, Vec<(String, String)>>,
    pub outgoing: Vec<Outgoing>,
    /// Per chat: the index in `outgoing` after the last item `take_unseen` returned.
    pub seen: HashMap<i64, usize>,
    pub files: HashMap<String, (String, Vec<u8>)>,
    pub next_file: u64,
    pub rates: Rates,
    pub webhooks: super::webhook::Webhooks,
}

/// Telegram's flood limits as token buckets: about 30 messages a second overall, 20 a minute
/// to one group, and 1 a second to one chat (with a short burst, as Telegram allows).
pub(super) struct Rates {
    pub enabled: bool,
    global: Bucket,
    chats: HashMap<i64, Bucket>,
}

impl Default for Rates {
    fn default() -> Self {
        Self { enabled: true, global: Bucket::new(30.0, 30.0), chats: HashMap::new() }
    }
}

struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    at: std::time::Instant,
}

impl Bucket {
    fn new(capacity: f64, per_second: f64) -> Self {
        Self { capacity, per_second, tokens: capacity, at: std::time::Instant::now() }
    }

    fn refill(&mut self) {
        let now = std::time::Instant::now();
        let gained = now.duration_since(self.at).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + gained).min(self.capacity);
        self.at = now;
    }

    /// Seconds until a token is free (0 when one is).
    fn wait(&mut self) -> f64 {
        self.refill();
        if self.tokens >= 1.0 { 0.0 } else { (1.0 - self.tokens) / self.per_second }
    }
}

impl Rates {
    /// Takes a token for a message to `chat_id`, or says how many seconds to retry after.
    pub fn take(&mut self, chat_id: i64) -> Result<(), u32> {
        if !self.enabled {
            return Ok(());
        }
        let chat = self.chats.entry(chat_id).or_insert_with(|| {
            if chat_id < 0 { Bucket::new(20.0, 20.0 / 60.0) } else { Bucket::new(5.0, 1.0) }
        });
        let wait = chat.wait().max(self.global.wait());
        if wait > 0.0 {
            return Err(wait.ceil().max(1.0) as u32);
        }
        chat.tokens -= 1.0;
        self.global.tokens -= 1.0;
        Ok(())
    }
}

#[derive(Default)]
pub(super) struct Shared {
    state: Mutex<State>,
    /// Woken when an update is queued or a poller is superseded.
    pub updates: Notify,
    /// Woken when the bot puts something into a chat.
    pub sent: Notify,
}

pub fn commands_key(scope: &Value, language: Option<&str>) -> String {
    let scope = match scope.get("type").and_then(Value::as_str) {
        None | Some("default") => "default".to_owned(),
        Some(kind) => format!("{kind}:{}", scope.get("chat_id").map(Value::to_string).unwrap_or_default()),
    };
    format!("{scope}/{}", language.unwrap_or(""))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub(super) fn bot_json() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Prospect Diary", "username": BOT_USERNAME})
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn queue(&self, state: &mut State, body: Value) -> i64 {
        state.next_update_id += 1;
        let id = state.next_update_id;
        let mut update = body;
        update["update_id"] = json!(id);
        state.history.insert(id, update.clone());
        state.pending.push_back((id, update));
        self.updates.notify_waiters();
        id
    }

    pub fn open_chat(&self, user: &TgUser) {
        let json = json!({"id": user.id, "type": "private", "first_name": user.first_name, "username": user.username});
        self.lock().chats.insert(user.id, Chat { json, bot_member: true });
    }

    pub fn user_message(&self, from: &TgUser, chat_id: i64, text: &str) -> i64 {
        let mut state = self.lock();
        let chat = if chat_id == from.id {
            // Writing to the bot opens the private chat (and unblocks it).
            state.blocked.remove(&from.id);
            let json = json!({"id": from.id, "type": "private", "first_name": from.first_name, "username": from.username});
            state.chats.insert(from.id, Chat { json: json.clone(), bot_member: true });
            json
        } else {
            state.chats.get(&chat_id).map(|c| c.json.clone()).expect("add_group first")
        };
        let message_id = state.message_id(chat_id);
        let mut message = json!({"message_id": message_id, "date": now(), "chat": chat,
                                 "from": from.json(), "text": text});
        if text.starts_with('/') {
            let len = text.split_whitespace().next().unwrap_or_default().encode_utf16().count();
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        self.queue(&mut state, json!({"message": message}))
    }

    /// The person sends a file to the bot in their private chat; Telegram keeps it for `getFile`.
    pub fn user_document(&self, from: &TgUser, file_name: &str, bytes: Vec<u8>) -> i64 {
        let mut state = self.lock();
        state.blocked.remove(&from.id);
        let chat = json!({"id": from.id, "type": "private", "first_name": from.first_name, "username": from.username});
        state.chats.insert(from.id, Chat { json: chat.clone(), bot_member: true });
        let message_id = state.message_id(from.id);
        let file_id = format!("in{}-{message_id}", from.id);
        let document = json!({"file_id": file_id, "file_unique_id": format!("u{file_id}"),
                              "file_name": file_name, "file_size": bytes.len()});
        state.files.insert(file_id, (file_name.to_owned(), bytes));
        let message = json!({"message_id": message_id, "date": now(), "chat": chat,
                             "from": from.json(), "document": document});
        self.queue(&mut state, json!({"message": message}))
    }

    pub fn press(&self, from: &TgUser, chat_id: i64, message_id: i64, data: &str) -> i64 {
        assert!(
            chat_id < 0 || chat_id == from.id,
            "in Telegram only {chat_id} can press buttons in their private chat, not {}",
            from.id
        );
        let mut state = self.lock();
        let message = state.messages.get(&(chat_id, message_id)).cloned().unwrap_or_else(|| {
            json!({"message_id": message_id, "date": 0, "chat": {"id": chat_id, "type": "private", "first_name": from.first_name}})
        });
        let id = format!("cbq-{}-{}", from.id, state.next_update_id + 1);
        state.callbacks.insert(id.clone(), false);
        let query = json!({"id": id, "from": from.json(), "message": message,
                           "chat_instance": format!("ci{chat_id}"), "data": data});
        self.queue(&mut state, json!({"callback_query": query}))
    }

    pub fn redeliver(&self, update_id: i64) {
        let mut state = self.lock();
        let mut update = state.history.get(&update_id).cloned().expect("an update that was sent");
        update["_redelivered"] = json!(true);
        state.pending.push_back((update_id, update));
        self.updates.notify_waiters();
    }

    pub fn add_group(&self, chat_id: i64, title: &str, bot_member: bool) {
        let json = json!({"id": chat_id, "type": "supergroup", "title": title});
        self.lock().chats.insert(chat_id, Chat { json, bot_member });
    }

    pub fn take_unseen(&self, chat_id: i64) -> Option<Outgoing> {
        let mut state = self.lock();
        // Where the scan for this chat goes on from: everything before it was returned or is
        // another chat's, so a long conversation costs no rescans.
        let from = state.seen.get(&chat_id).copied().unwrap_or(0);
        let position = state.outgoing.iter().skip(from).position(|o| o.chat_id == chat_id)? + from;
        state.seen.insert(chat_id, position + 1);
        Some(state.outgoing[position].clone())
    }
}

impl State {
    pub fn message_id(&mut self, chat_id: i64) -> i64 {
        let next = self.next_message_id.entry(chat_id).or_insert(0);
        *next += 1;
        *next
    }
}
