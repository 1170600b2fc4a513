//! A claimed outbox item rendered as it goes out, with the bot's presenters (`bot::agenda`,
//! `bot::handoffs::leads`, `bot::notices`): what it is about is read again when it is sent.

use teloxide::types::InlineKeyboardMarkup;

use crate::bot::agenda::reminder;
use crate::bot::handoffs::leads;
use crate::ctx::Ctx;
use crate::domain::access::{Lang, User};
use crate::domain::handoff::{Handoff, HandoffState};
use crate::domain::ids::RegionCode;
use crate::domain::ids::TelegramId;
use crate::domain::notice::{self, Notice};
use crate::store::{LEAD_MOVED_KIND, LeadMoved, MOVED_REASON, Outgoing};

use super::weekly;

/// A claimed item as it goes out: a new message (a reply, perhaps), or an edit of one.
pub struct Rendered {
    pub text: String,
    pub markup: Option<InlineKeyboardMarkup>,
    /// The message to edit instead of sending a new one.
    pub edit: Option<i32>,
    /// The message a new one answers (a reminder under its lead card).
    pub reply_to: Option<i32>,
    /// When a reminder was due (how late it goes out is measured).
    pub due: Option<chrono::DateTime<chrono::Utc>>,
}

impl Rendered {
    fn message(text: String, markup: Option<InlineKeyboardMarkup>) -> Self {
        Self { text, markup, edit: None, reply_to: None, due: None }
    }
}

/// Renders a claimed item; `None` when there is nothing to send any more.
pub async fn outgoing(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Rendered>> {
    if item.kind == "reminder" {
        let Some(id) = item.ref_id else { return Ok(None) };
        let Some(followup) = ctx.store.followup(id).await? else { return Ok(None) };
        if followup.state != "sent" {
            return Ok(None);
        }
        // A copy for a manager covering an owner who can no longer get it.
        let cover = if followup.owner.get() == item.chat_id {
            None
        } else {
            let Ok(id) = TelegramId::new(item.chat_id) else { return Ok(None) };
            let Some(manager) = ctx.store.user(id).await? else { return Ok(None) };
            Some(manager)
        };
        let away = item.for_id == Some(followup.owner.get());
        let (text, markup) = reminder(ctx, &followup, cover.as_ref(), away, ctx.clock.now());
        return Ok(Some(Rendered { due: Some(followup.due_at), ..Rendered::message(text, Some(markup)) }));
    }
    if item.kind == LEAD_MOVED_KIND {
        return lead_moved(ctx, item).await;
    }
    if LEAD_KINDS.contains(&item.kind.as_str()) {
        return lead_item(ctx, item).await;
    }
    if item.kind == notice::KIND {
        let Some(notice) = item.notice.as_deref().and_then(Notice::parse) else { return Ok(None) };
        let Ok(id) = TelegramId::new(item.chat_id) else { return Ok(None) };
        let Some(reader) = ctx.store.user(id).await? else { return Ok(None) };
        // Passed on to the colleague covering a leave: told as its addressee would be, in the
        // cover's language, marked whose it is.
        let (reader, behalf) = match item.for_id.and_then(|owner| TelegramId::new(owner).ok()) {
            Some(owner) => match ctx.store.user(owner).await? {
                Some(owner) => {
                    let name = crate::domain::portfolio::on_behalf_of(owner.full_name.as_str(), reader.lang);
                    (User { lang: reader.lang, ..owner }, Some(name))
                }
                None => return Ok(None),
            },
            None => (reader, None),
        };
        let rendered = crate::bot::notices::render(ctx, notice, &reader).await?;
        return Ok(rendered.map(|(text, markup)| {
            let text = match behalf {
                Some(name) => {
                    let mark = ctx.i18n.get(
                        reader.lang,
                        "notice-away",
                        crate::i18n::Args::new().text("owner", name),
                    );
                    format!("{mark}\n{text}")
                }
                None => text,
            };
            let markup = (!markup.inline_keyboard.is_empty()).then_some(markup);
            Rendered::message(text, markup)
        }));
    }
    let markup = item.markup.as_deref().and_then(|m| serde_json::from_str(m).ok());
    // A Monday report passed on to the manager covering a leave is in the cover's language and
    // says whose it is.
    let lang = cover_lang(ctx, item).await?;
    let text = if item.kind == weekly::SUMMARY_KIND {
        weekly::summary_text(ctx, item, lang).await?
    } else {
        item.text.clone()
    };
    let Some(mut text) = text else { return Ok(None) };
    if let Some(lang) = lang
        && let Some(mark) = for_whom(ctx, item, lang).await?
    {
        text = format!("{mark}\n{text}");
    }
    Ok(Some(Rendered::message(text, markup)))
}

/// The language of the colleague an item was passed on to while its addressee is on leave
/// (the default when that colleague is gone); `None` for an item sent to its own addressee.
pub(super) async fn cover_lang(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Lang>> {
    if item.for_id.is_none() {
        return Ok(None);
    }
    let cover = match TelegramId::new(item.chat_id) {
        Ok(id) => ctx.store.user(id).await?,
        Err(_) => None,
    };
    Ok(Some(cover.map(|u| u.lang).unwrap_or_default()))
}

/// «↪️ За Петрову А. (коллега в отпуске):» for an item passed on to the colleague covering a
/// leave, in `lang`; `None` for an item sent to its own addressee.
pub(super) async fn for_whom(ctx: &Ctx, item: &Outgoing, lang: Lang) -> anyhow::Result<Option<String>> {
    let Some(owner) = item.for_id.and_then(|id| TelegramId::new(id).ok()) else { return Ok(None) };
    let Some(owner) = ctx.store.user(owner).await? else { return Ok(None) };
    let name = crate::domain::portfolio::on_behalf_of(owner.full_name.as_str(), lang);
    Ok(Some(ctx.i18n.get(lang, "notice-away", crate::i18n::Args::new().text("owner", name))))
}

/// The edit of a lead card left in the old division's chat when its company moved: no buttons
/// any more, and where the lead went.
async fn lead_moved(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Rendered>> {
    let Some(spec) = item.text.as_deref().and_then(|t| serde_json::from_str::<LeadMoved>(t).ok()) else {
        return Ok(None);
    };
    let Some(h) = handoff_of(ctx, item).await? else { return Ok(None) };
    let Ok(message) = i32::try_from(spec.message) else { return Ok(None) };
    let region = match RegionCode::parse(&spec.to) {
        Ok(code) => ctx.store.region(&code).await?.map(|r| r.name.as_str().to_owned()),
        Err(_) => None,
    };
    let text = leads::lead_moved(ctx, &h, &region.unwrap_or(spec.to), spec.closed);
    Ok(Some(Rendered { edit: Some(message), ..Rendered::message(text, None) }))
}

/// The division (its name) a lead's company moved to, when the lead was closed for the move.
async fn moved_away(ctx: &Ctx, h: &Handoff) -> anyhow::Result<Option<String>> {
    let Some(code) = h.reason.as_deref().and_then(|r| r.strip_prefix(MOVED_REASON)) else { return Ok(None) };
    if h.state != HandoffState::Expired {
        return Ok(None);
    }
    let name = match RegionCode::parse(code) {
        Ok(code) => ctx.store.region(&code).await?.map(|r| r.name.as_str().to_owned()),
        Err(_) => None,
    };
    Ok(Some(name.unwrap_or_else(|| code.to_owned())))
}

/// The outbox items about a hand-off: the lead card, its later state, the chat's reminder, and
/// the manager's notice.
pub const LEAD_KINDS: &[&str] = &["lead", "lead_edit", "lead_reminder", "lead_overdue"];

/// The hand-off an outbox item is about, if it still exists.
pub(super) async fn handoff_of(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Handoff>> {
    Ok(match item.ref_id {
        Some(id) => ctx.store.handoff(id).await?,
        None => None,
    })
}

/// A hand-off item, rendered as the lead stands when it is sent. A reminder or a manager's
/// notice about a lead taken meanwhile is not sent at all, and nothing goes to a chat that is
/// no longer a hand-off chat (its route was moved): client data only goes where it is routed.
async fn lead_item(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Rendered>> {
    let Some(h) = handoff_of(ctx, item).await? else { return Ok(None) };
    let to_chat = item.kind != "lead_overdue";
    // The lead went to another chat since (its company moved): nothing more about it here.
    if to_chat && item.chat_id != h.chat_id {
        return Ok(None);
    }
    if to_chat && !ctx.store.is_handoff_chat(h.chat_id).await? {
        tracing::warn!(
            handoff = h.id,
            chat = h.chat_id,
            "the lead's chat is no longer routed; not written to"
        );
        return Ok(None);
    }
    let now = ctx.clock.now();
    let message = h.message_id.and_then(|m| i32::try_from(m).ok());
    let rendered = match item.kind.as_str() {
        "lead" | "lead_edit" => {
            let Some(region) = ctx.store.region(&h.region).await? else { return Ok(None) };
            let (text, markup) = match moved_away(ctx, &h).await? {
                Some(to) => (leads::lead_moved(ctx, &h, &to, true), InlineKeyboardMarkup::default()),
                None => leads::lead_card(ctx, &h, &region),
            };
            let mut rendered = Rendered::message(text, Some(markup));
            if item.kind == "lead_edit" {
                // Not posted yet: the card will show the new state when it is.
                let Some(message) = message else { return Ok(None) };
                rendered.edit = Some(message);
            }
            rendered
        }
        _ if h.state != HandoffState::Pending => return Ok(None),
        "lead_reminder" => {
            let mut rendered = Rendered::message(leads::lead_reminder(ctx, &h, now), None);
            rendered.reply_to = message;
            rendered
        }
        _ => {
            let lang = match TelegramId::new(item.chat_id) {
                Ok(id) => ctx.store.user(id).await?.map(|u| u.lang).unwrap_or_default(),
                Err(_) => Lang::default(),
            };
            let (text, markup) = leads::lead_overdue(ctx, lang, &h, now);
            Rendered::message(text, Some(markup))
        }
    };
    Ok(Some(rendered))
}
