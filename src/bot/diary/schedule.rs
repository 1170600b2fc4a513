//! The card's "schedule" button: the next contact chosen with the picker (or typed), confirmed
//! first when it is more than a year ahead, then saved on the card.

use chrono::{DateTime, NaiveDate, Utc};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{cancel, when};
use crate::bot::flow::{self, State};
use crate::bot::gate::Caller;
use crate::bot::reply::{Answer, Typed};
use crate::bot::ui::date_picker::{Pick, when_keyboard};
use crate::bot::{Ctx, HandlerResult, render, reply};
use crate::domain::diary::{self, Chosen};
use crate::domain::prospect::ProspectId;
use crate::domain::prospects::{self, BaseError};
use crate::i18n::Args;

/// Asks when the next contact on card `id` is.
pub(super) async fn begin(bot: &Bot, ctx: &Ctx, caller: &Caller, id: ProspectId) -> anyhow::Result<Answer> {
    let prospect = prospects::visible(ctx.store.as_ref(), &caller.user, id).await?;
    if !prospects::may_log(&caller.user, &prospect) {
        return Err(BaseError::NotAllowed.into());
    }
    flow::save(ctx, caller.chat, &State::Schedule { id: id.0, day: None }).await?;
    let text = ctx.i18n.get(
        caller.user.lang,
        "schedule-ask",
        Args::new().text("name", render::company(ctx, &prospect)),
    );
    reply::send_with(bot, caller.chat, text, when_keyboard(ctx, caller, false, cancel(ctx, caller))).await?;
    Ok(Answer::done())
}

/// A picker press while scheduling (`state` is `Schedule` or `ScheduleFar`).
pub(super) async fn on_pick(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    state: State,
    pick: Pick,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    match (state, pick) {
        (State::ScheduleFar { id, due }, Pick::FarConfirm) => {
            let due = DateTime::from_timestamp(due, 0).ok_or(diary::DiaryError::When)?;
            schedule(bot, ctx, caller, id, due, message).await?;
        }
        (State::ScheduleFar { id, .. }, Pick::FarReenter) => {
            flow::save(ctx, caller.chat, &State::Schedule { id, day: None }).await?;
            let text = ctx.i18n.get(
                lang,
                "schedule-ask",
                Args::new().text("name", when::company(ctx, caller, ProspectId(id)).await?),
            );
            let markup = when_keyboard(ctx, caller, false, cancel(ctx, caller));
            reply::show(bot, caller.chat, message, text, markup).await?;
        }
        (State::Schedule { id, mut day }, pick) => {
            match when::pick(bot, ctx, caller, message, &pick, &mut day, ProspectId(id)).await? {
                Some(Ok(due)) => schedule_or_confirm(bot, ctx, caller, id, due, message).await?,
                Some(Err(e)) => return Ok(Answer::alert(reply::explain_diary(ctx, lang, &e))),
                None => flow::save(ctx, caller.chat, &State::Schedule { id, day }).await?,
            }
        }
        _ => return Ok(Answer::stale(ctx, lang)),
    }
    Ok(Answer::done())
}

/// Schedules `due`, or first asks to confirm it when it is more than a year ahead.
async fn schedule_or_confirm(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    chosen: Chosen,
    message: Option<MessageId>,
) -> HandlerResult {
    let due = when::settle(bot, ctx, caller, chosen).await?;
    if !diary::far_ahead(due, ctx.clock.now()) {
        return schedule(bot, ctx, caller, id, due, message).await;
    }
    flow::save(ctx, caller.chat, &State::ScheduleFar { id, due: due.timestamp() }).await?;
    let (text, markup) = when::far_question(ctx, caller, ProspectId(id), due).await?;
    reply::show(bot, caller.chat, message, text, markup).await
}

async fn schedule(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    due: DateTime<Utc>,
    message: Option<MessageId>,
) -> HandlerResult {
    prospects::schedule(ctx.store.as_ref(), &caller.user, ProspectId(id), due, ctx.clock.now()).await?;
    flow::clear(ctx, caller.chat).await?;
    let text = ctx.i18n.get(
        caller.user.lang,
        "schedule-saved",
        Args::new().text("when", render::when(due, caller.tz())),
    );
    reply::show(bot, caller.chat, message, text, InlineKeyboardMarkup::default()).await
}

/// Schedules from typed text while the picker is open (`day`: the calendar day picked).
pub async fn on_schedule_text(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    (id, day): (i64, Option<NaiveDate>),
    Typed(text): Typed,
) -> HandlerResult {
    typed(&bot, &ctx, &caller, id, day, &text).await
}

/// Another moment typed instead of confirming the far one.
pub async fn on_far_text(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    (id, _far): (i64, i64),
    Typed(text): Typed,
) -> HandlerResult {
    typed(&bot, &ctx, &caller, id, None, &text).await
}

async fn typed(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    day: Option<NaiveDate>,
    text: &str,
) -> HandlerResult {
    match when::typed(ctx, caller, day, text) {
        Ok(due) => schedule_or_confirm(bot, ctx, caller, id, due, None).await,
        Err(e) => {
            reply::send(bot, caller.chat, reply::explain_diary(ctx, caller.user.lang, &e)).await?;
            Ok(())
        }
    }
}
