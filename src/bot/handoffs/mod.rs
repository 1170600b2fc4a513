//! Hand-offs in Telegram (SPEC §6): made after a positive entry or from the card, the lead's
//! facts asked of the specialist with buttons, posted to the credit officers' chat through the
//! outbox, taken or declined there, closed as won or lost in private. Every press is checked
//! again by the domain: in the group, only the division's credit officers and manager change
//! anything; a lead's facts, only the specialist who made it, while its card is held.
//!
//! A lead whose facts are not all picked goes to the chat with what was picked («не указано»
//! for the rest) when the specialist presses «Отправить без уточнений» or sends /cancel, and
//! at the latest `FACTS_WAIT_MINUTES` after it was made (the jobs release it): `facts.rs`.
//! Declining and closing ask for a reason: `reasons.rs`. How leads read: `leads.rs`.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

mod facts;
pub mod leads;
mod reasons;

pub use facts::{ask_facts, send_held};
use facts::{give_fact, send_now};
pub use reasons::on_reason_text;
use reasons::{ask_reason, cancel_reason, chosen_reason, close};

use crate::bot::buttons::{Press, buttons};
use crate::bot::cards::{self, CardButton};
use crate::bot::gate::Caller;
use crate::bot::reply::Answer;
use crate::bot::ui::{grid, pager};
use crate::bot::{Ctx, HandlerResult, render, reply};
use crate::domain::access::Region;
use crate::domain::directory;
use crate::domain::handoff::{self, Closing, Fact, Handoff, HandoffError, HandoffState};
use crate::domain::prospect::{Product, ProspectId};
use crate::domain::prospects;
use crate::i18n::Args;

buttons! {
    /// Hand-offs' buttons: the card's, a lead's in the chat and in private, the facts.
    pub enum HandoffButton {
        /// The card's Hand off: choose the product.
        HandOff(prospect: i64) = "o",
        Product(prospect: i64, product: Product) = "p",
        Take(handoff: i64) = "t",
        Decline(handoff: i64) = "d",
        Won(handoff: i64) = "w",
        Lost(handoff: i64) = "l",
        /// A reason chosen, by its place in the list.
        Reason(handoff: i64, reason: u8) = "r",
        /// The reason question left without deciding: the lead stays as it was.
        ReasonCancel(handoff: i64) = "rx",
        /// A lead opened from `/handoffs` or a notice.
        Show(handoff: i64) = "s",
        Page(page: u32) = "pg",
        /// A fact of the specialist's new lead, picked for its card.
        Fact(handoff: i64, fact: Fact) = "f",
        /// The card sent on without the facts not given yet.
        Send(handoff: i64) = "fs",
    }
}

impl HandoffButton {
    /// The lead card's own buttons: the only ones heard in a hand-off chat.
    pub fn in_group(&self) -> bool {
        matches!(self, HandoffButton::Take(_) | HandoffButton::Decline(_))
    }
}

/// How many hand-offs a page of `/handoffs` lists.
const LIST_PAGE: i64 = 10;

async fn region(ctx: &Ctx, h: &Handoff) -> anyhow::Result<Region> {
    directory::region(ctx.store.as_ref(), &h.region)
        .await?
        .ok_or_else(|| anyhow::anyhow!("division {} is gone", h.region))
}

/// `/handoffs`: a specialist's own; an officer's queue and what they hold; a manager's queue.
pub async fn list(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    let (text, markup) = list_page(ctx, caller, 0).await?;
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

async fn list_page(ctx: &Ctx, caller: &Caller, page: u32) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let (items, more) = handoff::list(ctx.store.as_ref(), &caller.user, page, LIST_PAGE).await?;
    if items.is_empty() && page == 0 {
        return Ok((ctx.i18n.t(lang, "handoffs-none"), InlineKeyboardMarkup::default()));
    }
    let title = match caller.user.role {
        crate::domain::access::Role::Specialist => "handoffs-mine",
        _ => "handoffs-queue",
    };
    let mut lines = vec![ctx.i18n.t(lang, title)];
    lines.extend(items.iter().map(|h| leads::list_line(ctx, lang, caller.tz(), h)));
    let mut markup = grid(items.iter().map(|h| leads::list_button(ctx, lang, h)).collect(), 1);
    let nav = pager(ctx, caller, page, more, HandoffButton::Page);
    if !nav.is_empty() {
        markup.inline_keyboard.push(nav);
    }
    Ok((lines.join("\n"), markup))
}

/// One hand-off in private, with what the reader may do with it.
fn view(ctx: &Ctx, caller: &Caller, h: &Handoff, region: &Region) -> (String, InlineKeyboardMarkup) {
    let lang = caller.user.lang;
    let user = &caller.user;
    let mut text = leads::lead_text(ctx, lang, h, region, false);
    text.push_str(&format!(
        "\n{}",
        ctx.i18n.get(lang, "handoff-state", Args::new().text("state", leads::state_name(ctx, lang, h.state)))
    ));
    let mut rows = vec![];
    match h.state {
        HandoffState::Pending if handoff::may_act(user, h) => rows.push(vec![
            HandoffButton::Take(h.id).button(ctx.i18n.t(lang, "lead-take")),
            HandoffButton::Decline(h.id).button(ctx.i18n.t(lang, "lead-decline")),
        ]),
        HandoffState::Accepted if handoff::may_close(user, h) => rows.push(vec![
            HandoffButton::Won(h.id).button(ctx.i18n.t(lang, "lead-won-button")),
            HandoffButton::Lost(h.id).button(ctx.i18n.t(lang, "lead-lost-button")),
        ]),
        _ => {}
    }
    rows.push(vec![CardButton::Open(h.prospect.0).button(ctx.i18n.t(lang, "card-open"))]);
    (text, InlineKeyboardMarkup::new(rows))
}

/// A person's refused or late press becomes an alert; the bot's own failures pass on, to be
/// logged with a reference id.
fn refused(ctx: &Ctx, caller: &Caller, err: anyhow::Error) -> anyhow::Result<Answer> {
    match err.downcast::<HandoffError>() {
        Ok(err) => refusal(ctx, caller, err),
        Err(other) => Err(other),
    }
}

/// What a refused or late press says, as an alert.
fn refusal(ctx: &Ctx, caller: &Caller, err: HandoffError) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let text = match err {
        HandoffError::NotAllowed => ctx.i18n.t(lang, "handoff-not-allowed"),
        HandoffError::NotFound => ctx.i18n.t(lang, "button-stale"),
        HandoffError::NoRoute => ctx.i18n.t(lang, "handoff-no-route"),
        HandoffError::AlreadyOpen => ctx.i18n.t(lang, "handoff-already-open"),
        HandoffError::Settled(h) => leads::outcome_line(ctx, lang, caller.tz(), &h, true)
            .unwrap_or_else(|| ctx.i18n.t(lang, "button-stale")),
        HandoffError::Posted(h) => {
            ctx.i18n.get(lang, "handoff-facts-posted", Args::new().text("id", h.id.to_string()))
        }
        HandoffError::Store(e) => return Err(e.into()),
    };
    Ok(Answer::alert(text))
}

/// A press on a hand-off's button; a refused or late one is told why.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: HandoffButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let result = match button {
        HandoffButton::HandOff(pid) => {
            return choose_product(bot, ctx, caller, message, ProspectId(pid)).await;
        }
        HandoffButton::Product(pid, product) => {
            by_hand(bot, ctx, caller, message, ProspectId(pid), product).await
        }
        HandoffButton::Take(id) => take(bot, ctx, caller, message, id).await,
        HandoffButton::Decline(id) => return ask_reason(bot, ctx, caller, id, false).await,
        HandoffButton::Won(id) => close(bot, ctx, caller, message, id, Closing::Won, None).await,
        HandoffButton::Lost(id) => return ask_reason(bot, ctx, caller, id, true).await,
        HandoffButton::Reason(id, n) => return chosen_reason(bot, ctx, caller, message, id, n).await,
        HandoffButton::ReasonCancel(id) => return cancel_reason(bot, ctx, caller, message, id).await,
        HandoffButton::Show(id) => show(bot, ctx, caller, message, id).await,
        HandoffButton::Fact(id, fact) => give_fact(bot, ctx, caller, message, id, fact).await,
        HandoffButton::Send(id) => send_now(bot, ctx, caller, message, id).await,
        HandoffButton::Page(page) => {
            let (text, markup) = list_page(ctx, caller, page).await?;
            reply::show(bot, caller.chat, message, text, markup).await?;
            return Ok(Answer::done());
        }
    };
    result.or_else(|err| refused(ctx, caller, err))
}

async fn show(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
) -> anyhow::Result<Answer> {
    let h = handoff::visible(ctx.store.as_ref(), &caller.user, id).await?;
    let (text, markup) = view(ctx, caller, &h, &region(ctx, &h).await?);
    reply::show(bot, caller.chat, message, text, markup).await?;
    Ok(Answer::done())
}

/// The card's Hand off button: the products that can still be handed off.
async fn choose_product(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: ProspectId,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let prospect = prospects::visible(ctx.store.as_ref(), &caller.user, id).await?;
    if !prospects::may_log(&caller.user, &prospect) {
        return Ok(Answer::alert(ctx.i18n.t(lang, "err-not-allowed")));
    }
    let products = handoff::offerable(ctx.store.as_ref(), &prospect).await?;
    if products.is_empty() {
        return Ok(Answer::alert(ctx.i18n.t(lang, "handoff-nothing-to-offer")));
    }
    let buttons = products
        .iter()
        .map(|p| HandoffButton::Product(id.0, *p).button(render::capitalized(render::product(ctx, lang, *p))))
        .collect();
    let mut markup = grid(buttons, 2);
    markup.inline_keyboard.push(vec![CardButton::Open(id.0).button(ctx.i18n.t(lang, "card-open"))]);
    let text =
        ctx.i18n.get(lang, "handoff-choose", Args::new().text("name", render::company(ctx, &prospect)));
    reply::show(bot, caller.chat, message, text, markup).await?;
    Ok(Answer::done())
}

async fn by_hand(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: ProspectId,
    product: Product,
) -> anyhow::Result<Answer> {
    let h = handoff::hand_off(ctx.store.as_ref(), &caller.user, id, product, ctx.clock.now()).await?;
    let (text, markup) = leads::facts_message(ctx, caller.user.lang, &h);
    reply::show(bot, caller.chat, message, text, markup).await?;
    Ok(Answer::done())
}

async fn take(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let h = handoff::take(ctx.store.as_ref(), &caller.user, id, ctx.clock.now()).await?;
    if caller.group.is_none() {
        let region = region(ctx, &h).await?;
        let (text, markup) = view(ctx, caller, &h, &region);
        reply::show(bot, caller.chat, message, text, markup).await?;
    }
    // The officer gets the full card in private; one who never opened a chat with the bot is
    // asked to, and finds the lead in /handoffs afterwards.
    let private = async {
        cards::send_card(bot, ctx, caller, h.prospect, None).await?;
        let text = ctx.i18n.get(lang, "handoff-yours", Args::new().text("id", h.id.to_string()));
        let markup = InlineKeyboardMarkup::new([[
            HandoffButton::Won(h.id).button(ctx.i18n.t(lang, "lead-won-button")),
            HandoffButton::Lost(h.id).button(ctx.i18n.t(lang, "lead-lost-button")),
        ]]);
        reply::send_with(bot, caller.chat, text, markup).await.map(drop)
    };
    if let Err(e) = private.await {
        tracing::info!(error = ?e, "cannot send the card to the officer in private");
        return Ok(Answer::alert(ctx.i18n.t(lang, "handoff-taken-open-chat")));
    }
    Ok(Answer { text: Some(ctx.i18n.t(lang, "handoff-taken-toast")), alert: false })
}
