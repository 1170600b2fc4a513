//! Choosing the next contact, for an entry and for scheduling alike: a picker press or a typed
//! moment read into a time, and the question about a moment more than a year ahead.

use chrono::{DateTime, NaiveDate, Utc};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::cancel;
use crate::bot::buttons::Press;
use crate::bot::gate::Caller;
use crate::bot::ui::date_picker::{self, Pick};
use crate::bot::ui::grid;
use crate::bot::{Ctx, render, reply};
use crate::domain::diary::{self, Chosen, DiaryError};
use crate::domain::directory;
use crate::domain::prospect::ProspectId;
use crate::domain::prospects;
use crate::i18n::Args;

/// The card's name, for the picker's questions: a person with two chats open sees which
/// company the date is for.
pub(super) async fn company(ctx: &Ctx, caller: &Caller, id: ProspectId) -> anyhow::Result<String> {
    Ok(render::company(ctx, &prospects::visible(ctx.store.as_ref(), &caller.user, id).await?))
}

/// A moment more than a year ahead, shown back to be confirmed or chosen again.
pub(super) async fn far_question(
    ctx: &Ctx,
    caller: &Caller,
    id: ProspectId,
    due: DateTime<Utc>,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let text = ctx.i18n.get(
        lang,
        "log-far",
        Args::new()
            .text("name", company(ctx, caller, id).await?)
            .text("when", render::when(due, caller.tz())),
    );
    let buttons = vec![
        Pick::FarConfirm.button(ctx.i18n.t(lang, "log-far-yes")),
        Pick::FarReenter.button(ctx.i18n.t(lang, "log-far-again")),
        cancel(ctx, caller),
    ];
    Ok((text, grid(buttons, 1)))
}

/// Lands a relative choice («завтра», a quick button) on a working day of the bank's calendar
/// and tells the person when it moved; a typed date stays as typed.
pub(crate) async fn settle(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    chosen: Chosen,
) -> anyhow::Result<DateTime<Utc>> {
    if !chosen.relative {
        return Ok(chosen.at);
    }
    let calendar = directory::calendar(ctx.store.as_ref()).await?;
    let (at, moved) = diary::land(chosen, caller.tz(), &calendar);
    if let Some(reason) = moved {
        reply::send(bot, caller.chat, render::moved(ctx, caller.user.lang, at, caller.tz(), reason)).await?;
    }
    Ok(at)
}

/// A typed moment; after a calendar day was picked, a bare time like `15:30` is enough.
pub(super) fn typed(
    ctx: &Ctx,
    caller: &Caller,
    day: Option<NaiveDate>,
    text: &str,
) -> Result<Chosen, DiaryError> {
    let now = ctx.clock.now();
    let tz = caller.tz();
    let time = text.trim().split_once(':').filter(|(h, m)| {
        (1..=2).contains(&h.len()) && m.len() == 2 && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
    });
    if let Some(day) = day
        && let Some((h, m)) = time
        && let (Ok(h), Ok(m)) = (h.parse(), m.parse())
    {
        let time = chrono::NaiveTime::from_hms_opt(h, m, 0).ok_or(DiaryError::When)?;
        let due = date_picker::at(tz, day, time).ok_or(DiaryError::When)?;
        return if due > now { Ok(Chosen::exact(due)) } else { Err(DiaryError::InThePast) };
    }
    diary::read_when(text, now, tz)
}

/// A picker press on card `prospect`: the calendar or the hours shown, or the chosen moment
/// once there is one. `day` is the calendar day picked so far.
pub(super) async fn pick(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    pick: &Pick,
    day: &mut Option<NaiveDate>,
    prospect: ProspectId,
) -> anyhow::Result<Option<Result<Chosen, DiaryError>>> {
    let lang = caller.user.lang;
    let now = ctx.clock.now();
    let tz = caller.tz();
    match pick {
        Pick::Quick(q) => Ok(q.when().map(|choice| Ok(diary::quick_chosen(choice, now, tz)))),
        Pick::Month(month) => {
            let text = ctx.i18n.get(
                lang,
                "log-choose-day",
                Args::new().text("name", company(ctx, caller, prospect).await?),
            );
            let markup = date_picker::calendar(ctx, caller, *month, cancel(ctx, caller));
            reply::show(bot, caller.chat, message, text, markup).await?;
            Ok(None)
        }
        Pick::Day(date) => {
            *day = Some(*date);
            let text = ctx.i18n.get(
                lang,
                "log-choose-time",
                Args::new()
                    .text("name", company(ctx, caller, prospect).await?)
                    .text("date", date.format("%d.%m.%Y").to_string()),
            );
            reply::show(bot, caller.chat, message, text, date_picker::times(cancel(ctx, caller))).await?;
            Ok(None)
        }
        Pick::Time(time) => {
            let Some(date) = *day else { return Ok(Some(Err(DiaryError::When))) };
            let due = date_picker::at(tz, date, *time).ok_or(DiaryError::When);
            Ok(Some(
                due.and_then(|d| if d > now { Ok(Chosen::exact(d)) } else { Err(DiaryError::InThePast) }),
            ))
        }
        Pick::FarConfirm | Pick::FarReenter | Pick::Noop => Ok(None),
    }
}
