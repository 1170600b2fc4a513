//! The HTTP side of the fake: `/bot<token>/<Method>` and `/file/bot<token>/<path>`, answering
//! with Telegram's envelope and Telegram's error texts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State as AxumState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};

use super::TOKEN;
use super::entities::visible_text;
use super::state::{
    Call, Chat, Failure, Outage, Outgoing, OutgoingKind, Shared, State, bot_json, commands_key,
};
use super::webhook;

type Files = HashMap<String, (String, Vec<u8>)>;

/// A Telegram error: HTTP status equals `error_code`.
struct ApiErr {
    code: u16,
    description: String,
    retry_after: Option<u32>,
}

fn bad(description: &str) -> ApiErr {
    ApiErr { code: 400, description: format!("Bad Request: {description}"), retry_after: None }
}

fn forbidden(description: &str) -> ApiErr {
    ApiErr { code: 403, description: format!("Forbidden: {description}"), retry_after: None }
}

fn status_err(code: u16, description: &str) -> ApiErr {
    ApiErr { code, description: description.to_owned(), retry_after: None }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let mut body = json!({"ok": false, "error_code": self.code, "description": self.description});
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match self.retry_after {
            Some(secs) => {
                body["parameters"] = json!({"retry_after": secs});
                (status, [(header::RETRY_AFTER, secs.to_string())], axum::Json(body)).into_response()
            }
            None => (status, axum::Json(body)).into_response(),
        }
    }
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/file/{token}/{*path}", get(download))
        .route("/{token}/{method}", any(handle))
        .with_state(shared)
}

async fn handle(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((token, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    if token.strip_prefix("bot") != Some(TOKEN) {
        return status_err(401, "Unauthorized").into_response();
    }
    let method = method.to_ascii_lowercase();
    let (params, files) = match read_body(request).await {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
    let outage = shared.lock().outage.clone();
    let failure = match outage {
        Some(Outage::Unreachable) => {
            // Like a network partition: no answer while it lasts; the bot's own timeout decides.
            while matches!(shared.lock().outage, Some(Outage::Unreachable)) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            return failure_err(Failure::Status(502)).into_response();
        }
        Some(Outage::Failing(failure)) => Some(failure_err(failure)),
        None => injected_failure(&shared, &method),
    };
    let result = match failure {
        Some(err) => Err(err),
        None if method == "getupdates" => get_updates(&shared, &params).await,
        None if method == "setwebhook" => webhook::set(&shared, &params)
            .map_err(|(code, description)| ApiErr { code, description, retry_after: None }),
        None => {
            let mut state = shared.lock();
            let result = dispatch(&mut state, &method, &params, files);
            drop(state);
            shared.sent.notify_waiters();
            result
        }
    };
    let error = result.as_ref().err().map(|e| e.description.clone());
    if method != "getupdates" || error.is_some() {
        shared.lock().calls.push(Call { method: method.clone(), params, error });
    }
    match result {
        Ok(value) => axum::Json(json!({"ok": true, "result": value})).into_response(),
        Err(e) => e.into_response(),
    }
}

fn injected_failure(shared: &Shared, method: &str) -> Option<ApiErr> {
    let mut state = shared.lock();
    let position = state.failures.iter().position(|(m, _)| match m {
        Some(m) => m == method,
        None => method != "getupdates",
    })?;
    let (_, failure) = state.failures.remove(position)?;
    Some(failure_err(failure))
}

fn failure_err(failure: Failure) -> ApiErr {
    match failure {
        Failure::Status(code) => {
            let text = match code {
                502 => "Bad Gateway",
                503 => "Service Unavailable",
                _ => "Internal Server Error",
            };
            status_err(code, text)
        }
        Failure::RetryAfter(secs) => ApiErr {
            code: 429,
            description: format!("Too Many Requests: retry after {secs}"),
            retry_after: Some(secs),
        },
    }
}

const JSON_FIELDS: &[&str] = &[
    "reply_markup",
    "scope",
    "commands",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
    "allowed_updates",
    "media",
];

/// Reads JSON, form or multipart parameters; multipart text fields that hold JSON are decoded.
async fn read_body(request: Request) -> Result<(Value, Files), ApiErr> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut files = Files::new();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| bad(&format!("invalid multipart: {e}")))?;
        let mut params = serde_json::Map::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| bad(&e.to_string()))? {
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let bytes = field.bytes().await.map_err(|e| bad(&e.to_string()))?;
                params.insert(name.clone(), json!(format!("attach://{name}")));
                files.insert(name, (file_name, bytes.to_vec()));
            } else {
                let text = field.text().await.map_err(|e| bad(&e.to_string()))?;
                // Only object fields travel as JSON text; a caption "2026" stays a string.
                let value = if JSON_FIELDS.contains(&name.as_str()) {
                    serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text))
                } else {
                    Value::String(text)
                };
                params.insert(name, value);
            }
        }
        return Ok((Value::Object(params), files));
    }
    let bytes = Bytes::from_request(request, &()).await.map_err(|e| bad(&e.to_string()))?;
    if bytes.is_empty() {
        return Ok((json!({}), files));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let map: HashMap<String, String> = url::form_urlencoded::parse(&bytes).into_owned().collect();
        return Ok((json!(map), files));
    }
    let value = serde_json::from_slice(&bytes).map_err(|_| bad("invalid JSON in the request body"))?;
    Ok((value, files))
}

async fn get_updates(shared: &Shared, params: &Value) -> Result<Value, ApiErr> {
    let offset = int(params, "offset");
    let limit = int(params, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = int(params, "timeout").unwrap_or(0).clamp(0, 50) as u64;
    let generation = {
        let mut state = shared.lock();
        if state.webhooks.current.is_some() {
            return Err(status_err(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        state.poll_generation += 1;
        shared.updates.notify_waiters();
        state.poll_generation
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = shared.updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut state = shared.lock();
            if state.webhooks.current.is_some() {
                // setWebhook while this poll waited: it ends empty, the next one is refused.
                return Ok(json!([]));
            }
            if state.poll_generation != generation {
                return Err(status_err(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            let batch = take_batch(&mut state, offset, limit);
            if !batch.is_empty() {
                return Ok(Value::Array(batch));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return Ok(json!([]));
        }
    }
}

/// Confirms updates below `offset` (they are gone for good), then returns the next batch.
/// A redelivered update is returned once whatever the offset, as Telegram does after a crash.
fn take_batch(state: &mut State, offset: Option<i64>, limit: usize) -> Vec<Value> {
    let mut batch = vec![];
    let mut kept = std::collections::VecDeque::new();
    while let Some((id, mut update)) = state.pending.pop_front() {
        let redelivered = update.as_object_mut().and_then(|m| m.remove("_redelivered")).is_some();
        if batch.len() >= limit {
            if redelivered {
                update["_redelivered"] = json!(true);
            }
            kept.push_back((id, update));
        } else if redelivered {
            batch.push(update);
        } else if offset.is_none_or(|o| id >= o) {
            batch.push(update.clone());
            kept.push_back((id, update));
        }
    }
    state.pending = kept;
    batch
}

fn int(params: &Value, key: &str) -> Option<i64> {
    match params.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text_param<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params.get(key).and_then(Value::as_str)
}

/// `reply_markup` may arrive as an object or, in multipart, as JSON text.
fn markup_param(params: &Value) -> Option<Value> {
    match params.get("reply_markup")? {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

fn dispatch(state: &mut State, method: &str, params: &Value, files: Files) -> Result<Value, ApiErr> {
    match method {
        "getme" => {
            let mut me = bot_json();
            me["can_join_groups"] = json!(true);
            me["can_read_all_group_messages"] = json!(false);
            me["supports_inline_queries"] = json!(false);
            me["can_connect_to_business"] = json!(false);
            me["has_main_web_app"] = json!(false);
            Ok(me)
        }
        "getwebhookinfo" => Ok(webhook::info(state)),
        "deletewebhook" => {
            let drop_pending = matches!(params.get("drop_pending_updates"), Some(Value::Bool(true)))
                || text_param(params, "drop_pending_updates") == Some("true");
            webhook::remove(state, drop_pending);
            Ok(json!(true))
        }
        "sendmessage" => send_message(state, params),
        "editmessagetext" => edit_text(state, params),
        "editmessagereplymarkup" => edit_markup(state, params),
        "deletemessage" => delete_message(state, params),
        "answercallbackquery" => answer_callback(state, params),
        "setmycommands" => set_commands(state, params),
        "deletemycommands" => {
            let key = commands_key(
                params.get("scope").unwrap_or(&Value::Null),
                text_param(params, "language_code"),
            );
            state.commands.remove(&key);
            Ok(json!(true))
        }
        "getmycommands" => {
            let key = commands_key(
                params.get("scope").unwrap_or(&Value::Null),
                text_param(params, "language_code"),
            );
            let list = state.commands.get(&key).cloned().unwrap_or_default();
            Ok(json!(list.iter().map(|(c, d)| json!({"command": c, "description": d})).collect::<Vec<_>>()))
        }
        "senddocument" => send_file(state, params, files, OutgoingKind::Document),
        "sendphoto" => send_file(state, params, files, OutgoingKind::Photo),
        "getfile" => get_file(state, params),
        "getchat" => get_chat(state, params),
        other => {
            tracing::warn!(method = other, "the fake Telegram does not implement this method");
            Err(status_err(404, "Not Found"))
        }
    }
}

/// The chat a message goes to, refused as Telegram refuses it.
fn target_chat(state: &State, params: &Value) -> Result<(i64, Value), ApiErr> {
    let chat_id = int(params, "chat_id").ok_or_else(|| bad("chat not found"))?;
    if chat_id > 0 && state.blocked.contains(&chat_id) {
        return Err(forbidden("bot was blocked by the user"));
    }
    match state.chats.get(&chat_id) {
        Some(Chat { bot_member: false, .. }) => Err(forbidden("bot is not a member of the supergroup chat")),
        Some(chat) => Ok((chat_id, chat.json.clone())),
        None if chat_id > 0 => Err(forbidden("bot can't initiate conversation with a user")),
        None => Err(bad("chat not found")),
    }
}

/// Checks formatted text and returns what a person would see.
fn check_text(
    text: Option<&str>,
    parse_mode: Option<&str>,
    max: usize,
    too_long: &str,
) -> Result<String, ApiErr> {
    let text = text.unwrap_or_default();
    if text.len() > 32768 {
        return Err(bad("text is too long"));
    }
    let visible = visible_text(text, parse_mode).map_err(|e| bad(&e))?;
    if visible.is_empty() {
        return Err(bad("message text is empty"));
    }
    if visible.trim().is_empty() {
        return Err(bad("text must be non-empty"));
    }
    if visible.chars().count() > max {
        return Err(bad(too_long));
    }
    Ok(visible)
}

const BUTTON_ACTIONS: &[&str] = &[
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
];

fn check_reply_keyboard(markup: &Value) -> Result<(), ApiErr> {
    if let Some(placeholder) = markup.get("input_field_placeholder").and_then(Value::as_str) {
        let len = placeholder.chars().count();
        if !(1..=64).contains(&len) {
            return Err(bad("input field placeholder must be 1-64 characters long"));
        }
    }
    let rows = markup.get("keyboard").and_then(Value::as_array).into_iter().flatten();
    for button in rows.filter_map(Value::as_array).flatten() {
        let text = button.as_str().or_else(|| button.get("text").and_then(Value::as_str));
        if text.is_none_or(|t| t.trim().is_empty()) {
            return Err(bad("keyboard button text must be non-empty"));
        }
    }
    Ok(())
}

fn check_markup(markup: &Option<Value>) -> Result<(), ApiErr> {
    if let Some(keyboard) = markup.as_ref().filter(|m| m.get("keyboard").is_some()) {
        return check_reply_keyboard(keyboard);
    }
    let Some(rows) = markup.as_ref().and_then(|m| m.get("inline_keyboard")) else {
        return Ok(());
    };
    let rows = rows
        .as_array()
        .ok_or_else(|| bad("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array"))?;
    let mut count = 0;
    for row in rows {
        for button in row.as_array().into_iter().flatten() {
            count += 1;
            if !BUTTON_ACTIONS.iter().any(|a| button.get(*a).is_some()) {
                return Err(bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                ));
            }
            if let Some(web_app) = button.get("web_app") {
                let url = web_app.get("url").and_then(Value::as_str).unwrap_or_default();
                if !url.starts_with("https://") {
                    return Err(bad(&format!(
                        "inline keyboard button Web App URL '{url}' is invalid: Only HTTPS links are allowed"
                    )));
                }
            }
            if let Some(data) = button.get("callback_data") {
                let len = data.as_str().map(str::len).unwrap_or(0);
                if !(1..=64).contains(&len) {
                    return Err(bad("BUTTON_DATA_INVALID"));
                }
            }
        }
    }
    if count > 100 {
        return Err(bad("reply markup is too long"));
    }
    Ok(())
}

/// Telegram takes `web_app` buttons in private chats only.
fn check_web_app_chat(markup: &Option<Value>, chat_id: i64) -> Result<(), ApiErr> {
    let rows = markup.as_ref().and_then(|m| m.get("inline_keyboard")).and_then(Value::as_array);
    let has_web_app =
        rows.into_iter().flatten().filter_map(Value::as_array).flatten().any(|b| b.get("web_app").is_some());
    if has_web_app && chat_id < 0 {
        return Err(bad("BUTTON_TYPE_INVALID"));
    }
    Ok(())
}

/// The inline keyboard a message keeps; an empty one is no keyboard, as in Telegram.
fn inline_only(markup: Option<Value>) -> Option<Value> {
    markup.filter(|m| {
        m.get("inline_keyboard")
            .and_then(Value::as_array)
            .is_some_and(|rows| rows.iter().any(|r| r.as_array().is_some_and(|b| !b.is_empty())))
    })
}

fn record(
    state: &mut State,
    kind: OutgoingKind,
    chat_id: i64,
    message_id: i64,
    text: &str,
    visible: &str,
    markup: Option<Value>,
) {
    state.outgoing.push(Outgoing {
        kind,
        chat_id,
        message_id,
        text: text.to_owned(),
        visible: visible.to_owned(),
        reply_markup: markup,
        file_name: None,
        file: None,
    });
}

/// Telegram's flood control: 429 with `retry_after` when a limit is reached.
fn take_rate(state: &mut State, chat_id: i64) -> Result<(), ApiErr> {
    state.rates.take(chat_id).map_err(|secs| ApiErr {
        code: 429,
        description: format!("Too Many Requests: retry after {secs}"),
        retry_after: Some(secs),
    })
}

fn send_message(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let (chat_id, chat) = target_chat(state, params)?;
    let text = text_param(params, "text");
    let visible = check_text(text, text_param(params, "parse_mode"), 4096, "message is too long")?;
    let markup = markup_param(params);
    check_markup(&markup)?;
    check_web_app_chat(&markup, chat_id)?;
    take_rate(state, chat_id)?;
    let message_id = state.message_id(chat_id);
    let mut message = json!({"message_id": message_id, "date": chrono::Utc::now().timestamp(),
                             "chat": chat, "from": bot_json(), "text": visible});
    if let Some(inline) = inline_only(markup.clone()) {
        message["reply_markup"] = inline;
    }
    message["_raw"] = raw_key(text, text_param(params, "parse_mode"));
    state.messages.insert((chat_id, message_id), message.clone());
    record(state, OutgoingKind::Message, chat_id, message_id, text.unwrap_or_default(), &visible, markup);
    Ok(public(message))
}

/// What decides whether an edit changes anything: the text as sent and its parse mode.
fn raw_key(text: Option<&str>, parse_mode: Option<&str>) -> Value {
    json!([text, parse_mode.map(str::to_ascii_lowercase)])
}

/// A stored message as Telegram returns it (without the fake's own bookkeeping).
fn public(mut message: Value) -> Value {
    if let Some(map) = message.as_object_mut() {
        map.remove("_raw");
    }
    message
}

fn stored_message<'a>(
    state: &'a mut State,
    params: &Value,
    missing: &str,
) -> Result<(i64, i64, &'a mut Value), ApiErr> {
    if params.get("inline_message_id").is_some() {
        return Err(bad("inline messages are not supported by the fake Telegram"));
    }
    let chat_id = int(params, "chat_id").ok_or_else(|| bad("chat not found"))?;
    let message_id = int(params, "message_id").ok_or_else(|| bad(missing))?;
    let message = state.messages.get_mut(&(chat_id, message_id)).ok_or_else(|| bad(missing))?;
    Ok((chat_id, message_id, message))
}

fn set_markup(message: &mut Value, markup: &Option<Value>) {
    match markup {
        Some(m) => message["reply_markup"] = m.clone(),
        None => {
            message.as_object_mut().map(|m| m.remove("reply_markup"));
        }
    }
}

const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

fn edit_text(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let text = text_param(params, "text");
    let parse_mode = text_param(params, "parse_mode");
    let markup = inline_only(markup_param(params));
    let (chat_id, message_id, message) = stored_message(state, params, "message to edit not found")?;
    if message.get("text").is_none() {
        return Err(bad("there is no text in the message to edit"));
    }
    let visible = check_text(text, parse_mode, 4096, "MESSAGE_TOO_LONG")?;
    check_markup(&markup)?;
    check_web_app_chat(&markup, chat_id)?;
    let raw = raw_key(text, parse_mode);
    if message.get("_raw") == Some(&raw) && message.get("reply_markup") == markup.as_ref() {
        return Err(bad(NOT_MODIFIED));
    }
    message["text"] = json!(visible);
    message["_raw"] = raw;
    set_markup(message, &markup);
    message["edit_date"] = json!(chrono::Utc::now().timestamp());
    let result = public(message.clone());
    record(state, OutgoingKind::Edit, chat_id, message_id, text.unwrap_or_default(), &visible, markup);
    Ok(result)
}

fn edit_markup(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let markup = inline_only(markup_param(params));
    check_markup(&markup)?;
    let (chat_id, message_id, message) = stored_message(state, params, "message to edit not found")?;
    if message.get("reply_markup") == markup.as_ref() {
        return Err(bad(NOT_MODIFIED));
    }
    set_markup(message, &markup);
    let text = message.get("text").and_then(Value::as_str).unwrap_or_default().to_owned();
    let result = public(message.clone());
    record(state, OutgoingKind::Edit, chat_id, message_id, &text, &text, markup);
    Ok(result)
}

fn delete_message(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let (chat_id, message_id, _) = stored_message(state, params, "message to delete not found")?;
    state.messages.remove(&(chat_id, message_id));
    record(state, OutgoingKind::Delete, chat_id, message_id, "", "", None);
    Ok(json!(true))
}

fn answer_callback(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let id = text_param(params, "callback_query_id").unwrap_or_default();
    let too_old = "query is too old and response timeout expired or query ID is invalid";
    match state.callbacks.get(id) {
        Some(false) => {}
        _ => return Err(bad(too_old)),
    }
    if text_param(params, "text").is_some_and(|t| t.chars().count() > 200) {
        return Err(bad("MESSAGE_TOO_LONG"));
    }
    state.callbacks.insert(id.to_owned(), true);
    Ok(json!(true))
}

fn set_commands(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let scope = params.get("scope").cloned().unwrap_or(Value::Null);
    if let Some(chat_id) = scope.get("chat_id").and_then(Value::as_i64)
        && !state.chats.contains_key(&chat_id)
    {
        return Err(bad("chat not found"));
    }
    let commands = params.get("commands").and_then(Value::as_array).cloned().unwrap_or_default();
    if commands.len() > 100 {
        return Err(bad("BOT_COMMANDS_TOO_MUCH"));
    }
    let mut list = vec![];
    for command in &commands {
        let name = command["command"].as_str().unwrap_or_default().trim().trim_start_matches('/').to_owned();
        let description = command["description"].as_str().unwrap_or_default().trim().to_owned();
        if name.is_empty() {
            return Err(bad("command must be non-empty"));
        }
        if name.chars().count() > 32 {
            return Err(bad("command length must not exceed 32"));
        }
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(bad("BOT_COMMAND_INVALID"));
        }
        if description.is_empty() {
            return Err(bad("command description must be non-empty"));
        }
        if description.chars().count() > 256 {
            return Err(bad("command description length must not exceed 256"));
        }
        list.push((name, description));
    }
    state.commands.insert(commands_key(&scope, text_param(params, "language_code")), list);
    Ok(json!(true))
}

/// PNG width and height from the IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let width = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((width, height))
}

fn send_file(
    state: &mut State,
    params: &Value,
    mut files: Files,
    kind: OutgoingKind,
) -> Result<Value, ApiErr> {
    let (chat_id, chat) = target_chat(state, params)?;
    let field = if kind == OutgoingKind::Photo { "photo" } else { "document" };
    let (file_name, bytes) = match text_param(params, field) {
        Some(reference) if reference.starts_with("attach://") => files
            .remove(reference.trim_start_matches("attach://"))
            .ok_or_else(|| bad("wrong file identifier/HTTP URL specified"))?,
        Some(file_id) => state
            .files
            .get(file_id)
            .cloned()
            .ok_or_else(|| bad("wrong file identifier/HTTP URL specified"))?,
        None => return Err(bad(&format!("there is no {field} in the request"))),
    };
    let max = if kind == OutgoingKind::Photo { 10 * 1024 * 1024 } else { 50 * 1024 * 1024 };
    if bytes.len() > max {
        return Err(status_err(413, "Request Entity Too Large"));
    }
    let caption = text_param(params, "caption");
    let visible = match caption {
        Some(c) if !c.is_empty() => {
            let visible = visible_text(c, text_param(params, "parse_mode")).map_err(|e| bad(&e))?;
            if visible.chars().count() > 1024 {
                return Err(bad("message caption is too long"));
            }
            visible
        }
        _ => String::new(),
    };
    let markup = markup_param(params);
    check_markup(&markup)?;
    take_rate(state, chat_id)?;
    state.next_file += 1;
    let file_id = format!("file-{}", state.next_file);
    let size = bytes.len();
    let mut message =
        json!({"message_id": 0, "date": chrono::Utc::now().timestamp(), "chat": chat, "from": bot_json()});
    if kind == OutgoingKind::Photo {
        let (width, height) = png_size(&bytes).ok_or_else(|| bad("IMAGE_PROCESS_FAILED"))?;
        if width + height > 10000 || width.max(height) > 20 * width.min(height).max(1) {
            return Err(bad("PHOTO_INVALID_DIMENSIONS"));
        }
        message["photo"] = json!([{"file_id": file_id, "file_unique_id": format!("u{file_id}"),
                                    "width": width, "height": height, "file_size": size}]);
    } else {
        message["document"] = json!({"file_id": file_id, "file_unique_id": format!("u{file_id}"),
                                     "file_name": file_name, "file_size": size});
    }
    if !visible.is_empty() {
        message["caption"] = json!(visible);
    }
    if let Some(inline) = inline_only(markup.clone()) {
        message["reply_markup"] = inline;
    }
    let message_id = state.message_id(chat_id);
    message["message_id"] = json!(message_id);
    state.files.insert(file_id, (file_name.clone(), bytes.clone()));
    state.messages.insert((chat_id, message_id), message.clone());
    state.outgoing.push(Outgoing {
        kind,
        chat_id,
        message_id,
        text: caption.unwrap_or_default().to_owned(),
        visible,
        reply_markup: markup,
        file_name: Some(file_name),
        file: Some(bytes),
    });
    Ok(message)
}

fn get_file(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let file_id = text_param(params, "file_id").unwrap_or_default();
    let (_, bytes) = state.files.get(file_id).ok_or_else(|| bad("invalid file_id"))?;
    if bytes.len() > 20 * 1024 * 1024 {
        return Err(bad("file is too big"));
    }
    Ok(json!({"file_id": file_id, "file_unique_id": format!("u{file_id}"), "file_size": bytes.len(),
              "file_path": format!("documents/{file_id}")}))
}

async fn download(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((token, path)): Path<(String, String)>,
) -> Response {
    if token.strip_prefix("bot") != Some(TOKEN) {
        return status_err(401, "Unauthorized").into_response();
    }
    let file_id = path.trim_start_matches("documents/");
    match shared.lock().files.get(file_id) {
        Some((_, bytes)) => bytes.clone().into_response(),
        None => status_err(404, "Not Found").into_response(),
    }
}

fn get_chat(state: &mut State, params: &Value) -> Result<Value, ApiErr> {
    let chat_id = int(params, "chat_id").ok_or_else(|| bad("chat not found"))?;
    let chat = state.chats.get(&chat_id).ok_or_else(|| bad("chat not found"))?;
    if !chat.bot_member {
        return Err(forbidden("bot is not a member of the supergroup chat"));
    }
    let mut info = chat.json.clone();
    info["accent_color_id"] = json!(0);
    info["max_reaction_count"] = json!(11);
    info["accepted_gift_types"] = json!({"unlimited_gifts": false, "limited_gifts": false,
                                          "unique_gifts": false, "premium_subscription": false});
    Ok(info)
}
