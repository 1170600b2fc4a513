//! The gate every update passes: from a private chat, from an active whitelisted
//! person. Everyone else gets one polite refusal an hour, every attempt is audited, and every
//! button press is answered, whoever pressed it.

use chrono::Duration;
use teloxide::prelude::*;
use teloxide::types::{BotCommandScope, ChatId, Recipient, UpdateKind};

use super::buttons::Button;
use super::requests::RequestButton;
use super::{Ctx, reply, requests};
use crate::domain::access::{Lang, Region, User};
use crate::domain::handoff;
use crate::domain::ids::TelegramId;
use crate::domain::session::{self, Admission, Session};
use crate::i18n::Args;

/// The whitelisted person behind an update, with their division.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub region: Option<Region>,
    /// The person's own private chat: every answer goes here.
    pub chat: ChatId,
    /// The hand-off chat a button was pressed in, if it was pressed in one.
    pub group: Option<ChatId>,
}

impl Caller {
    /// The zone the person reads dates in: their division's, Moscow for head office and admins.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.region.as_ref().map(|r| r.tz.tz()).unwrap_or(chrono_tz::Europe::Moscow)
    }
}

/// The sender's whitelist entry as `once.rs` read it with the update's claim (`Read(None)`: a
/// stranger), or `Unread` when it was not (the gate reads it then).
#[derive(Clone, Debug, Default)]
pub enum Entry {
    #[default]
    Unread,
    Read(Option<User>),
}

/// Who sent the update, from which chat, and whether it is the person's own private chat.
fn origin(update: &Update) -> Option<(&teloxide::types::User, ChatId, bool)> {
    match &update.kind {
        UpdateKind::Message(m) => Some((m.from.as_ref()?, m.chat.id, m.chat.is_private())),
        UpdateKind::CallbackQuery(q) => {
            let own = ChatId(q.from.id.0 as i64);
            let chat = q.message.as_ref().map(|m| m.chat());
            let private = chat.is_none_or(|c| c.is_private() && c.id == own);
            Some((&q.from, chat.map(|c| c.id).unwrap_or(own), private))
        }
        _ => None,
    }
}

/// The group chat of a button press, when it is one that hand-offs are routed to.
async fn handoff_chat(ctx: &Ctx, update: &Update, chat: ChatId) -> Option<ChatId> {
    if !matches!(update.kind, UpdateKind::CallbackQuery(_)) {
        return None;
    }
    match handoff::is_handoff_chat(ctx.store.as_ref(), chat.0).await {
        Ok(true) => Some(chat),
        Ok(false) => None,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the routes");
            None
        }
    }
}

/// Answers a button press with nothing, so the person's client stops waiting.
async fn answer_silently(bot: &Bot, update: &Update) {
    if let UpdateKind::CallbackQuery(q) = &update.kind
        && let Err(e) = bot.answer_callback_query(q.id.clone()).await
    {
        tracing::warn!(error = %e, "cannot answer a button press");
    }
}

pub async fn authorize(update: Update, bot: Bot, ctx: Ctx, entry: Entry) -> Option<Caller> {
    let (from, chat, private) = origin(&update)?;
    // In a group only the buttons of a configured hand-off chat are heard; anywhere else, and
    // for every message in a group, the bot stays silent (SPEC §2).
    let group = if private { None } else { handoff_chat(&ctx, &update, chat).await };
    if from.is_bot || (!private && group.is_none()) {
        answer_silently(&bot, &update).await;
        return None;
    }
    let chat = ChatId(from.id.0 as i64);
    let id = TelegramId::new(from.id.0 as i64).ok()?;
    let admission = match entry {
        Entry::Read(entry) => session::admit_entry(ctx.store.as_ref(), entry).await,
        Entry::Unread => session::admit(ctx.store.as_ref(), id).await,
    };
    match admission {
        Ok(Admission::Admitted(session)) => {
            let Session { user, region } = *session;
            Some(Caller { user, region, chat, group })
        }
        Ok(Admission::Refused(known)) => {
            refuse(&bot, &ctx, &update, id, known.as_deref()).await;
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the whitelist");
            answer_silently(&bot, &update).await;
            None
        }
    }
}

/// Refuses a stranger (`known` is `None`) or a disabled person.
async fn refuse(bot: &Bot, ctx: &Ctx, update: &Update, id: TelegramId, known: Option<&User>) {
    let now = ctx.clock.now();
    let what = match &update.kind {
        UpdateKind::CallbackQuery(_) => "button",
        _ => "message",
    };
    if let Err(e) = session::refused(ctx.store.as_ref(), id, known.is_some(), what, now).await {
        tracing::error!(error = %e, "cannot audit a refusal");
    }
    let lang = known.map(|u| u.lang).unwrap_or(Lang::Ru);
    if let UpdateKind::CallbackQuery(q) = &update.kind {
        let asks = known.is_none()
            && q.data.as_deref().and_then(Button::parse) == Some(RequestButton::Request.into());
        let text = if asks {
            requests::request(bot, ctx, &q.from).await.unwrap_or_else(|e| {
                tracing::error!(error = ?e, "cannot record an access request");
                ctx.i18n.t(lang, "access-refused-short")
            })
        } else {
            ctx.i18n.t(lang, "access-refused-short")
        };
        if let Err(e) = bot.answer_callback_query(q.id.clone()).text(text).show_alert(true).await {
            tracing::warn!(error = %e, "cannot answer a refused button press");
        }
        return;
    }
    let since = now - Duration::minutes(i64::from(ctx.config.refusal_interval_minutes));
    match session::tell_refusal(ctx.store.as_ref(), id, now, since).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot record a refusal");
            return;
        }
    }
    let chat = ChatId(id.get());
    if known.is_some() {
        // Disabled from the command line, perhaps: take their role's menu away too.
        let scope = BotCommandScope::Chat { chat_id: Recipient::Id(chat) };
        if let Err(e) = bot.delete_my_commands().scope(scope).await {
            tracing::info!(error = %e, "cannot clear a disabled person's commands");
        }
    }
    let text = ctx.i18n.get(lang, "access-refused", Args::new().text("id", id.to_string()));
    let sent = match known {
        None => reply::send_with(bot, chat, text, requests::request_button(ctx)).await,
        Some(_) => reply::send(bot, chat, text).await,
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, "cannot send a refusal");
    }
}
