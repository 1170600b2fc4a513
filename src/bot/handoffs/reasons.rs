//! Declining a lead and closing it: the reason asked in private (a usual one with a button, or
//! typed), then the lead settled and the person who acted told.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use crate::bot::buttons::Press;
use crate::bot::flow::{self, State};
use crate::bot::gate::Caller;
use crate::bot::reply::{self, Answer, Typed};
use crate::bot::ui::grid;
use crate::bot::{Ctx, HandlerResult};
use crate::domain::access::Lang;
use crate::domain::handoff::{self, Closing, Handoff, HandoffError, HandoffState};
use crate::i18n::Args;

use super::{HandoffButton, leads, refusal, refused};

/// Decline and Lost ask for a reason in private: buttons with the usual ones, or typed text.
pub(super) async fn ask_reason(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    lost: bool,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let Some(h) = handoff::current(ctx.store.as_ref(), id).await? else {
        return Ok(Answer::stale(ctx, lang));
    };
    let allowed =
        if lost { handoff::may_close(&caller.user, &h) } else { handoff::may_act(&caller.user, &h) };
    if !allowed {
        return refusal(ctx, caller, HandoffError::NotAllowed);
    }
    let expected = if lost { HandoffState::Accepted } else { HandoffState::Pending };
    if h.state != expected {
        return refusal(ctx, caller, HandoffError::Settled(Box::new(h)));
    }
    match flow::load(ctx, caller.chat).await? {
        State::Idle | State::HandoffReason { .. } => {}
        _ => return Ok(Answer::alert(ctx.i18n.t(lang, "flow-busy"))),
    }
    let (name, _) = leads::company(ctx, lang, &h);
    let key = if lost { "handoff-lost-ask" } else { "handoff-decline-ask" };
    let text = ctx.i18n.get(lang, key, Args::new().text("id", h.id.to_string()).text("name", name));
    let mut buttons: Vec<_> = leads::reasons(lost)
        .iter()
        .enumerate()
        .map(|(n, reason)| HandoffButton::Reason(h.id, n as u8).button(ctx.i18n.t(lang, reason)))
        .collect();
    buttons.push(HandoffButton::ReasonCancel(h.id).button(ctx.i18n.t(lang, "new-cancel")));
    // The flow is saved first, so a reason typed the moment the question arrives is heard.
    flow::save(ctx, caller.chat, &State::HandoffReason { id: h.id, lost }).await?;
    if reply::send_with(bot, caller.chat, text, grid(buttons, 1)).await.is_err() {
        flow::clear(ctx, caller.chat).await?;
        return Ok(Answer::alert(ctx.i18n.t(lang, "handoff-open-chat")));
    }
    if caller.group.is_some() {
        return Ok(Answer { text: Some(ctx.i18n.t(lang, "handoff-reason-in-private")), alert: false });
    }
    Ok(Answer::done())
}

/// A reason button: only for the lead whose reason is awaited.
pub(super) async fn chosen_reason(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
    n: u8,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let State::HandoffReason { id: awaited, lost } = flow::load(ctx, caller.chat).await? else {
        return Ok(Answer::stale(ctx, lang));
    };
    let Some(reason) = leads::reasons(lost).get(usize::from(n)).filter(|_| awaited == id) else {
        return Ok(Answer::stale(ctx, lang));
    };
    let reason = ctx.i18n.t(lang, reason);
    match finish(bot, ctx, caller, message, id, lost, &reason).await {
        Ok(answer) => Ok(answer),
        Err(err) => {
            // Someone else settled it first: the question is over.
            let answer = refused(ctx, caller, err)?;
            flow::clear(ctx, caller.chat).await?;
            reply::close(bot, caller.chat, message, answer.text.clone().unwrap_or_default()).await?;
            Ok(answer)
        }
    }
}

/// Cancel on the reason question: the lead stays as it was, and its buttons still work.
pub(super) async fn cancel_reason(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    match flow::load(ctx, caller.chat).await? {
        State::HandoffReason { id: awaited, .. } if awaited == id => {
            flow::clear(ctx, caller.chat).await?;
            let text = ctx.i18n.get(lang, "handoff-reason-cancelled", Args::new().text("id", id.to_string()));
            reply::close(bot, caller.chat, message, text).await?;
            Ok(Answer::done())
        }
        _ => Ok(Answer::stale(ctx, lang)),
    }
}

/// A typed reason for the lead whose reason is awaited.
pub async fn on_reason_text(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    (id, lost): (i64, bool),
    Typed(text): Typed,
) -> HandlerResult {
    let (bot, ctx, caller, text) = (&bot, &ctx, &caller, text.as_str());
    let lang = caller.user.lang;
    let reason = crate::domain::privacy::strip_format_chars(text);
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "handoff-reason-length")).await?;
        return Ok(());
    }
    if let Err(err) = finish(bot, ctx, caller, None, id, lost, reason).await
        && let Answer { text: Some(text), .. } = refused(ctx, caller, err)?
    {
        flow::clear(ctx, caller.chat).await?;
        reply::send(bot, caller.chat, text).await?;
    }
    Ok(())
}

async fn finish(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
    lost: bool,
    reason: &str,
) -> anyhow::Result<Answer> {
    if lost {
        return close(bot, ctx, caller, message, id, Closing::Lost, Some(reason)).await;
    }
    let h = handoff::decline(ctx.store.as_ref(), &caller.user, id, reason, ctx.clock.now()).await?;
    settle(bot, ctx, caller, message, &h).await
}

pub(super) async fn close(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
    closing: Closing,
    reason: Option<&str>,
) -> anyhow::Result<Answer> {
    let h = handoff::close(ctx.store.as_ref(), &caller.user, id, closing, reason, ctx.clock.now()).await?;
    settle(bot, ctx, caller, message, &h).await
}

/// After a decline or a closing: the chat's card, the specialist, and the person who acted.
async fn settle(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    h: &Handoff,
) -> anyhow::Result<Answer> {
    let lang: Lang = caller.user.lang;
    flow::clear(ctx, caller.chat).await?;
    let line = leads::outcome_line(ctx, lang, caller.tz(), h, false).unwrap_or_default();
    let text = ctx.i18n.get(lang, "handoff-settled", Args::new().text("id", h.id.to_string())) + "\n" + &line;
    reply::show(bot, caller.chat, message, text, InlineKeyboardMarkup::default()).await?;
    Ok(Answer::done())
}
