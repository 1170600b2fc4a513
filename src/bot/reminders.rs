//! A reminder's buttons (snooze an hour, tomorrow 10:00) and `/today`.

use chrono::Duration;
use teloxide::prelude::*;
use teloxide::types::MessageId;

use super::buttons::buttons;
use super::gate::Caller;
use super::reply::Answer;
use super::{Ctx, HandlerResult, agenda, reply};
use crate::domain::diary::{QuickWhen, land, quick_chosen, quick_when};
use crate::domain::directory;
use crate::domain::followup::{self, Moved};
use crate::i18n::Args;

buttons! {
    /// A reminder's buttons.
    pub enum ReminderButton {
        /// An hour later.
        Snooze(followup: i64) = "s",
        /// Tomorrow at 10:00.
        Tomorrow(followup: i64) = "t",
    }
}

pub async fn today(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    let now = ctx.clock.now();
    let tz = caller.tz();
    let tomorrow = quick_when(QuickWhen::Tomorrow, now, tz) - Duration::hours(10);
    let agenda = followup::agenda(ctx.store.as_ref(), &caller.user, tomorrow).await?;
    let (text, markup) = agenda::today(ctx, caller.user.lang, tz, &agenda, now);
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

/// Moves the caller's own follow-up; anyone else's (a forged id) is refused.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: ReminderButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    let now = ctx.clock.now();
    let (id, due, why) = match button {
        ReminderButton::Snooze(id) => (id, now + Duration::hours(1), None),
        ReminderButton::Tomorrow(id) => {
            let calendar = directory::calendar(ctx.store.as_ref()).await?;
            let (due, why) =
                land(quick_chosen(QuickWhen::Tomorrow, now, caller.tz()), caller.tz(), &calendar);
            (id, due, why)
        }
    };
    match followup::reschedule(ctx.store.as_ref(), &caller.user, id, due, now).await? {
        Moved::Moved => {}
        Moved::NotYours => return Ok(Answer::alert(ctx.i18n.t(lang, "err-not-allowed"))),
        Moved::Gone => return Ok(Answer::stale(ctx, lang)),
    }
    let moved = match why {
        Some(reason) => super::render::moved(ctx, lang, due, caller.tz(), reason),
        None => ctx.i18n.get(
            lang,
            "reminder-moved",
            Args::new().text("when", super::render::when(due, caller.tz())),
        ),
    };
    reply::close(bot, caller.chat, message, moved.clone()).await?;
    Ok(Answer::done())
}
