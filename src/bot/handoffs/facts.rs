//! A new lead's facts (amount, term, urgency), asked of the specialist with buttons while its
//! card is held; the card goes to the chat with the last one, with «Отправить без уточнений»,
//! with /cancel, or when the wait is over (the jobs release it).

use teloxide::prelude::*;
use teloxide::types::MessageId;

use crate::bot::gate::Caller;
use crate::bot::reply::Answer;
use crate::bot::{Ctx, HandlerResult, reply};
use crate::domain::handoff::{self, Fact, Handoff, HandoffError};
use crate::i18n::Args;

use super::leads;

/// Asks the specialist for the facts of each new lead, one message a lead.
pub async fn ask_facts(bot: &Bot, ctx: &Ctx, caller: &Caller, made: &[Handoff]) -> HandlerResult {
    for h in made {
        let (text, markup) = leads::facts_message(ctx, caller.user.lang, h);
        reply::send_with(bot, caller.chat, text, markup).await?;
    }
    Ok(())
}

/// A fact picked: the next question, or, with the last one, the card goes to the chat.
pub(super) async fn give_fact(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
    fact: Fact,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let h = match handoff::give_fact(ctx.store.as_ref(), &caller.user, id, fact, ctx.clock.now()).await {
        Ok(h) => h,
        Err(HandoffError::Posted(h)) => return posted(bot, ctx, caller, message, &h).await,
        Err(e) => return Err(e.into()),
    };
    match leads::fact_question(ctx, lang, &h) {
        Some((text, markup)) => {
            reply::show(bot, caller.chat, message, text, markup).await?;
            Ok(Answer::done())
        }
        None => release(bot, ctx, caller, message, &h).await,
    }
}

/// «Отправить без уточнений»: the card goes now, with what was picked.
pub(super) async fn send_now(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
) -> anyhow::Result<Answer> {
    let h = handoff::own(ctx.store.as_ref(), &caller.user, id).await?;
    release(bot, ctx, caller, message, &h).await
}

/// Ends the hold of the specialist's lead: its card is queued for the chat.
async fn release(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    h: &Handoff,
) -> anyhow::Result<Answer> {
    if !handoff::release(ctx.store.as_ref(), h, ctx.clock.now()).await? {
        return posted(bot, ctx, caller, message, h).await;
    }
    let (text, markup) = leads::handed_off(ctx, caller.user.lang, h);
    reply::show(bot, caller.chat, message, text, markup).await?;
    Ok(Answer::done())
}

/// A press on the question of a lead whose card went already (the wait was over): it shows
/// what went, and says so.
async fn posted(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    h: &Handoff,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let h = handoff::current(ctx.store.as_ref(), h.id).await?.unwrap_or_else(|| h.clone());
    let (text, markup) = leads::handed_off(ctx, lang, &h);
    reply::show(bot, caller.chat, message, text, markup).await?;
    Ok(Answer::alert(ctx.i18n.get(lang, "handoff-facts-posted", Args::new().text("id", h.id.to_string()))))
}

/// `/cancel`: the person's leads held for their facts go to the chat now, with what was
/// picked; a line for each, to tell them.
pub async fn send_held(ctx: &Ctx, caller: &Caller) -> anyhow::Result<Vec<String>> {
    let lang = caller.user.lang;
    let sent = handoff::release_all(ctx.store.as_ref(), &caller.user, ctx.clock.now()).await?;
    Ok(sent
        .iter()
        .map(|h| ctx.i18n.get(lang, "handoff-sent-as-is", Args::new().text("id", h.id.to_string())))
        .collect())
}
