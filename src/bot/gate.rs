//! The gate every update passes: handled once, from a private chat, from an active whitelisted
//! person. Everyone else gets one polite refusal an hour, and every attempt is audited.

use chrono::Duration;
use teloxide::prelude::*;
use teloxide::types::{ChatId, UpdateKind};

use super::keyboards::Action;
use super::{Ctx, requests};
use crate::domain::access::{Region, User};
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::ids::TelegramId;
use crate::i18n::Args;

/// The whitelisted person behind an update, with their division.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub region: Option<Region>,
    pub chat: ChatId,
}

/// Lets an update through only the first time Telegram delivers it.
pub async fn first_delivery(update: Update, ctx: Ctx) -> bool {
    let update_id = i64::from(update.id.0);
    match ctx.store.first_delivery(update_id, ctx.clock.now()).await {
        Ok(first) => {
            if !first {
                tracing::info!(update_id, "update delivered again; skipped");
            }
            first
        }
        Err(e) => {
            // Better to risk handling it twice than to drop it.
            tracing::error!(update_id, error = %e, "cannot record the update");
            true
        }
    }
}

/// Where an update came from, if it is one the bot answers at all.
fn origin(update: &Update) -> Option<(&teloxide::types::User, ChatId, bool)> {
    match &update.kind {
        UpdateKind::Message(m) => Some((m.from.as_ref()?, m.chat.id, m.chat.is_private())),
        UpdateKind::CallbackQuery(q) => {
            let chat = q.message.as_ref().map(|m| m.chat());
            let private = chat.is_none_or(|c| c.is_private());
            Some((
                &q.from,
                chat.map(|c| c.id).unwrap_or(ChatId(q.from.id.0 as i64)),
                private,
            ))
        }
        _ => None,
    }
}

pub async fn authorize(update: Update, bot: Bot, ctx: Ctx) -> Option<Caller> {
    let (from, chat, private) = origin(&update)?;
    if from.is_bot || !private {
        // Group chats get no answer until they are configured hand-off chats.
        return None;
    }
    let id = TelegramId::new(from.id.0 as i64).ok()?;
    let user = match ctx.store.user(id).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the whitelist");
            return None;
        }
    };
    match user {
        Some(user) if user.active => {
            let region = match &user.region {
                Some(code) => ctx.store.region(code).await.ok().flatten(),
                None => None,
            };
            Some(Caller { user, region, chat })
        }
        known => {
            refuse(&bot, &ctx, &update, id, known.is_some()).await;
            None
        }
    }
}

async fn refuse(bot: &Bot, ctx: &Ctx, update: &Update, id: TelegramId, disabled: bool) {
    let now = ctx.clock.now();
    let what = match &update.kind {
        UpdateKind::CallbackQuery(_) => "button",
        _ => "message",
    };
    let record = AuditRecord::new(now, Some(id), AuditAction::AccessRefused).details(format!(
        "{what}{}",
        if disabled { ", disabled" } else { "" }
    ));
    if let Err(e) = ctx.store.audit(&record).await {
        tracing::error!(error = %e, "cannot audit a refusal");
    }
    let lang = crate::domain::access::Lang::Ru;
    if let UpdateKind::CallbackQuery(q) = &update.kind {
        let asks =
            !disabled && q.data.as_deref().and_then(Action::parse) == Some(Action::RequestAccess);
        let text = if asks {
            requests::request(bot, ctx, &q.from)
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = ?e, "cannot record an access request");
                    ctx.i18n.t(lang, "access-refused-short")
                })
        } else {
            ctx.i18n.t(lang, "access-refused-short")
        };
        if let Err(e) = bot
            .answer_callback_query(q.id.clone())
            .text(text)
            .show_alert(true)
            .await
        {
            tracing::warn!(error = %e, "cannot answer a refused button press");
        }
        return;
    }
    let since = now - Duration::minutes(i64::from(ctx.config.refusal_interval_minutes));
    match ctx.store.claim_refusal_notice(id, now, since).await {
        Ok(true) => {
            let text = ctx.i18n.get(
                lang,
                "access-refused",
                Args::new().text("id", id.to_string()),
            );
            let mut request = bot
                .send_message(ChatId(id.get()), text)
                .parse_mode(teloxide::types::ParseMode::Html);
            if !disabled {
                request = request.reply_markup(requests::request_button(ctx));
            }
            let sent = request.await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "cannot send a refusal");
            }
        }
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "cannot record a refusal"),
    }
}
