//! Sending and editing messages, and the split between a person's mistake (explained to them)
//! and the bot's failure (logged with a reference id; the person sees a short apology).

use std::future::Future;

use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId, ParseMode, ReplyMarkup};

use super::Ctx;
use crate::domain::access::{AccessError, Lang};
use crate::domain::diary::DiaryError;
use crate::domain::directory::DirectoryError;
use crate::domain::handoff::HandoffError;
use crate::domain::ids::ParseError;
use crate::domain::portfolio::MoveError;
use crate::domain::prospects::BaseError;
use crate::domain::requisites::RequisiteError;
use crate::i18n::Args;

/// Sends a request again after Telegram's flood control asks to wait (`429 retry_after`).
pub(crate) async fn retrying<T, F, Fut>(make: F) -> Result<T, RequestError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut tries = 0;
    loop {
        match make().await {
            Err(RequestError::RetryAfter(wait)) if tries < 3 => {
                tries += 1;
                tracing::info!(seconds = wait.seconds(), "Telegram asks to slow down");
                tokio::time::sleep(wait.duration()).await;
            }
            other => return other,
        }
    }
}

/// What a person typed: the message's text (empty for a message without text).
#[derive(Clone, Debug)]
pub struct Typed(pub String);

/// How a button press is answered: silently, with a toast, or with an alert.
pub struct Answer {
    pub(super) text: Option<String>,
    pub(super) alert: bool,
}

impl Answer {
    pub fn done() -> Self {
        Self { text: None, alert: false }
    }

    /// A press on a button whose flow is over (or that was forged): nothing changes.
    pub fn stale(ctx: &Ctx, lang: Lang) -> Self {
        Self::alert(ctx.i18n.t(lang, "button-stale"))
    }

    pub fn alert(text: String) -> Self {
        Self { text: Some(text), alert: true }
    }
}

pub async fn send(bot: &Bot, chat: ChatId, text: String) -> anyhow::Result<Message> {
    let request = bot.send_message(chat, text).parse_mode(ParseMode::Html);
    Ok(retrying(|| request.clone().send()).await?)
}

pub async fn send_with(
    bot: &Bot,
    chat: ChatId,
    text: String,
    markup: impl Into<ReplyMarkup>,
) -> anyhow::Result<Message> {
    let request = bot.send_message(chat, text).parse_mode(ParseMode::Html).reply_markup(markup);
    Ok(retrying(|| request.clone().send()).await?)
}

/// Replaces a message's text and buttons; an identical edit is not an error.
pub async fn edit(
    bot: &Bot,
    chat: ChatId,
    message: MessageId,
    text: String,
    markup: Option<InlineKeyboardMarkup>,
) -> anyhow::Result<()> {
    let mut request = bot.edit_message_text(chat, message, text).parse_mode(ParseMode::Html);
    if let Some(markup) = markup {
        request = request.reply_markup(markup);
    }
    match retrying(|| request.clone().send()).await {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Shows `text` in place of the pressed message, or as a new one when there is none to edit.
pub async fn show(
    bot: &Bot,
    chat: ChatId,
    message: Option<MessageId>,
    text: String,
    markup: InlineKeyboardMarkup,
) -> anyhow::Result<()> {
    match message {
        Some(id) => edit(bot, chat, id, text, Some(markup)).await,
        None => send_with(bot, chat, text, markup).await.map(drop),
    }
}

/// Replaces the pressed message with a closing line and no buttons (a flow ended).
pub async fn close(bot: &Bot, chat: ChatId, message: Option<MessageId>, text: String) -> anyhow::Result<()> {
    match message {
        Some(id) => edit(bot, chat, id, text, Some(InlineKeyboardMarkup::default())).await,
        None => Ok(()),
    }
}

/// The message explaining why a typed value or a requested change was not accepted.
pub fn explain_parse(ctx: &Ctx, lang: Lang, err: &ParseError) -> String {
    let id = match err {
        ParseError::TelegramId => "err-telegram-id",
        ParseError::FullName => "err-full-name",
        ParseError::RegionCode => "err-region-code",
        ParseError::RegionName => "err-region-name",
        ParseError::TimeZone => "err-time-zone",
        ParseError::Role => "err-role",
        ParseError::Lang => "err-lang",
    };
    ctx.i18n.t(lang, id)
}

pub fn role_name(ctx: &Ctx, lang: Lang, role: crate::domain::access::Role) -> String {
    ctx.i18n.t(lang, &format!("role-{}", role.as_str()))
}

pub fn explain_access(ctx: &Ctx, lang: Lang, err: &AccessError) -> String {
    let t = |id: &str, args: Args| ctx.i18n.get(lang, id, args);
    match err {
        AccessError::Invalid(e) => explain_parse(ctx, lang, e),
        AccessError::RegionRequired(role) => {
            t("err-region-required", Args::new().text("role", role_name(ctx, lang, *role)))
        }
        AccessError::RegionNotAllowed(role) => {
            t("err-region-not-allowed", Args::new().text("role", role_name(ctx, lang, *role)))
        }
        AccessError::UnknownRegion(code) => t("err-unknown-region", Args::new().text("code", code.as_str())),
        AccessError::RegionExists(code) => t("err-region-exists", Args::new().text("code", code.as_str())),
        AccessError::UserExists(id) => t("err-user-exists", Args::new().text("id", id.to_string())),
        AccessError::UnknownUser(id) => t("err-unknown-user", Args::new().text("id", id.to_string())),
        AccessError::SelfChange => t("err-self-change", Args::new()),
    }
}

pub fn explain_requisite(ctx: &Ctx, lang: Lang, err: &RequisiteError) -> String {
    ctx.i18n.t(lang, crate::i18n::requisite_error_id(err))
}

pub fn explain_diary(ctx: &Ctx, lang: Lang, err: &DiaryError) -> String {
    let id = match err {
        DiaryError::Summary => "err-summary",
        DiaryError::When => "err-when",
        DiaryError::InThePast => "err-in-the-past",
    };
    ctx.i18n.t(lang, id)
}

/// What a button's alert or toast shows: plain text (no HTML; entities decoded) within
/// Telegram's 200 characters.
pub fn alert_text(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    if plain.chars().count() <= 200 {
        return plain;
    }
    let cut: String = plain.chars().take(199).collect();
    format!("{cut}…")
}

/// Why cards were not moved, as the person is told; `None` for the store's failure.
pub fn explain_move(ctx: &Ctx, lang: Lang, err: &MoveError) -> Option<String> {
    Some(match err {
        MoveError::NotAllowed => ctx.i18n.t(lang, "err-not-allowed"),
        MoveError::NotFound => ctx.i18n.t(lang, "err-not-found"),
        MoveError::Access(e) => explain_access(ctx, lang, e),
        MoveError::BadOwner(_) => ctx.i18n.t(lang, "move-bad-owner"),
        MoveError::NobodyToSpread => ctx.i18n.t(lang, "move-nobody-to-spread"),
        MoveError::Moved => ctx.i18n.t(lang, "move-changed"),
        MoveError::BadDates => ctx.i18n.t(lang, "away-bad-dates"),
        MoveError::BadCover(_) => ctx.i18n.t(lang, "away-bad-cover"),
        MoveError::NotAway(_) => ctx.i18n.t(lang, "leave-not-away"),
        MoveError::HoldsWork { cards, followups, leads, .. } => ctx.i18n.get(
            lang,
            "move-holds-work",
            Args::new().num("cards", *cards as i64).num("followups", *followups).num("leads", *leads),
        ),
        MoveError::Store(_) => return None,
    })
}

/// A person's mistake found deep in a handler: shown to them as it is.
pub fn user_message(ctx: &Ctx, lang: Lang, err: &anyhow::Error) -> Option<String> {
    if let Some(e) = err.downcast_ref::<BaseError>() {
        return match e {
            BaseError::NotAllowed => Some(ctx.i18n.t(lang, "err-not-allowed")),
            BaseError::NotFound => Some(ctx.i18n.t(lang, "err-not-found")),
            BaseError::InnTaken => Some(ctx.i18n.t(lang, "err-inn-taken")),
            BaseError::Invalid(e) => Some(explain_requisite(ctx, lang, e)),
            BaseError::Store(_) => None,
        };
    }
    if let Some(e) = err.downcast_ref::<HandoffError>() {
        return match e {
            HandoffError::NotAllowed => Some(ctx.i18n.t(lang, "handoff-not-allowed")),
            HandoffError::NotFound => Some(ctx.i18n.t(lang, "err-not-found")),
            HandoffError::NoRoute => Some(ctx.i18n.t(lang, "handoff-no-route")),
            HandoffError::AlreadyOpen => Some(ctx.i18n.t(lang, "handoff-already-open")),
            HandoffError::Settled(_) | HandoffError::Posted(_) => Some(ctx.i18n.t(lang, "button-stale")),
            HandoffError::Store(_) => None,
        };
    }
    if let Some(e) = err.downcast_ref::<MoveError>() {
        return explain_move(ctx, lang, e);
    }
    if let Some(e) = err.downcast_ref::<RequisiteError>() {
        return Some(explain_requisite(ctx, lang, e));
    }
    if let Some(e) = err.downcast_ref::<DiaryError>() {
        return Some(explain_diary(ctx, lang, e));
    }
    if let Some(e) = err.downcast_ref::<AccessError>() {
        return Some(explain_access(ctx, lang, e));
    }
    if let Some(DirectoryError::Access(e)) = err.downcast_ref::<DirectoryError>() {
        return Some(explain_access(ctx, lang, e));
    }
    err.downcast_ref::<ParseError>().map(|e| explain_parse(ctx, lang, e))
}

/// Turns a panic inside a handler into an error, so one bad update cannot take the bot down.
pub async fn contained<T>(handler: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(handler).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(anyhow::anyhow!("handler panicked: {what}"))
        }
    }
}

/// Runs a handler; what fails is either explained (a person's mistake) or logged with a
/// reference id that the person sees with a short apology. The second kind is returned too,
/// so that a failure of the database lets the update be delivered again (`once.rs`).
pub async fn guard(
    bot: &Bot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    handler: impl Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let Err(err) = handler.await else {
        return Ok(());
    };
    let text = match user_message(ctx, lang, &err) {
        Some(text) => text,
        None => {
            let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
            tracing::error!(%reference, chat = chat.0, error = ?err, "handler failed");
            let text = ctx.i18n.get(lang, "error-internal", Args::new().text("reference", reference));
            send(bot, chat, text).await?;
            return Err(err);
        }
    };
    send(bot, chat, text).await?;
    Ok(())
}
