//! `/log`: a diary entry step by step — kind, outcome, summary, products, next contact (quick
//! buttons, a calendar with times, or typed) — shown back before it is saved. Also the card's
//! "schedule" button, which uses the same next-contact picker.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::flow::{self, LogDraft, LogStep, State};
use super::gate::Caller;
use super::keyboards::{Action, Quick, grid};
use super::register::{self, toggle};
use super::reply::Answer;
use super::{Ctx, HandlerResult, cards, handoffs, render, reply};
use crate::domain::access::works_with_prospects;
use crate::domain::diary::{self, Kind, NewEntry, Outcome, QuickWhen};
use crate::domain::prospect::{Prospect, ProspectId};
use crate::domain::prospects::{self, BaseError};
use crate::i18n::{Args, escape_html};

/// `/log [card]`: starts an entry on a card, or asks which one.
pub async fn begin(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    let lang = caller.user.lang;
    if !works_with_prospects(&caller.user) {
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "not-allowed")).await?;
        return Ok(());
    }
    if args.trim().is_empty() {
        flow::save(ctx, caller.chat, &State::LogCard).await?;
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "log-ask-card")).await?;
        return Ok(());
    }
    match cards::resolve(ctx, &caller.user, args).await? {
        Some(id) => start_on(bot, ctx, caller, id).await,
        None => Err(BaseError::NotFound.into()),
    }
}

/// The typed card reference after a bare `/log`.
pub async fn on_card_text(bot: &Bot, ctx: &Ctx, caller: &Caller, text: &str) -> HandlerResult {
    match cards::resolve(ctx, &caller.user, text).await? {
        Some(id) => start_on(bot, ctx, caller, id).await,
        None => {
            let lang = caller.user.lang;
            let text =
                format!("{}\n\n{}", ctx.i18n.t(lang, "err-not-found"), ctx.i18n.t(lang, "log-ask-card"));
            reply::send(bot, caller.chat, text).await?;
            Ok(())
        }
    }
}

/// Starts an entry on a card the person may log on, warning first about a colleague's contact.
pub async fn start_on(bot: &Bot, ctx: &Ctx, caller: &Caller, id: ProspectId) -> HandlerResult {
    let lang = caller.user.lang;
    let prospect = prospects::visible(ctx.store.as_ref(), &caller.user, id).await?;
    if !prospects::may_log(&caller.user, &prospect) {
        return Err(BaseError::NotAllowed.into());
    }
    let now = ctx.clock.now();
    let warning =
        prospects::collision(ctx.store.as_ref(), &caller.user, id, now, ctx.config.collision_window_days)
            .await?;
    let draft = LogDraft { prospect: id.0, ..LogDraft::default() };
    flow::save(ctx, caller.chat, &State::Log { draft, step: LogStep::Kind }).await?;
    let mut text =
        ctx.i18n.get(lang, "log-ask-kind", Args::new().text("name", render::company(ctx, &prospect)));
    if let Some(c) = warning {
        text = format!("{}\n\n{text}", render::collision_line(ctx, lang, caller.tz(), &c));
    }
    let mut buttons: Vec<InlineKeyboardButton> = Kind::ALL
        .iter()
        .map(|k| Action::LogKind(*k).button(render::capitalized(render::kind(ctx, lang, *k))))
        .collect();
    buttons.push(cancel(ctx, caller));
    reply::send_with(bot, caller.chat, text, grid(buttons, 2)).await?;
    Ok(())
}

fn cancel(ctx: &Ctx, caller: &Caller) -> InlineKeyboardButton {
    Action::LogCancel.button(ctx.i18n.t(caller.user.lang, "new-cancel"))
}

/// The next-contact question: quick choices, the calendar, and (in the diary) "none".
fn when_keyboard(ctx: &Ctx, caller: &Caller, with_none: bool) -> InlineKeyboardMarkup {
    let lang = caller.user.lang;
    let today = ctx.clock.now().with_timezone(&caller.tz()).date_naive();
    let mut buttons = vec![
        Action::Quick(Quick::Tomorrow).button(ctx.i18n.t(lang, "log-quick-tomorrow")),
        Action::Quick(Quick::InThreeDays).button(ctx.i18n.t(lang, "log-quick-3days")),
        Action::Quick(Quick::NextMonday).button(ctx.i18n.t(lang, "log-quick-monday")),
        Action::Month(today.year(), today.month()).button(ctx.i18n.t(lang, "log-calendar")),
    ];
    if with_none {
        buttons.push(Action::Quick(Quick::None).button(ctx.i18n.t(lang, "log-quick-none")));
    }
    let mut markup = grid(buttons, 2);
    markup.inline_keyboard.push(vec![cancel(ctx, caller)]);
    markup
}

const WEEKDAYS_RU: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];
const WEEKDAYS_EN: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const MONTHS_RU: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month grid: past days are inert, today and later are `Day` buttons.
fn calendar(ctx: &Ctx, caller: &Caller, year: i32, month: u32) -> InlineKeyboardMarkup {
    let lang = caller.user.lang;
    let (weekdays, months) = match lang {
        crate::domain::access::Lang::Ru => (WEEKDAYS_RU, MONTHS_RU),
        crate::domain::access::Lang::En => (WEEKDAYS_EN, MONTHS_EN),
    };
    let today = ctx.clock.now().with_timezone(&caller.tz()).date_naive();
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today);
    let (prev_y, prev_m) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
    let (next_y, next_m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let mut rows = vec![vec![
        Action::Month(prev_y, prev_m).button("‹"),
        Action::Noop.button(format!("{} {year}", months[(month - 1) as usize])),
        Action::Month(next_y, next_m).button("›"),
    ]];
    rows.push(weekdays.iter().map(|d| Action::Noop.button(*d)).collect());
    let offset = first.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<InlineKeyboardButton> = (0..offset).map(|_| Action::Noop.button(" ")).collect();
    let mut day = first;
    while day.month() == month {
        cells.push(if day < today {
            Action::Noop.button("·")
        } else {
            Action::Day(day).button(day.day().to_string())
        });
        day += Duration::days(1);
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(Action::Noop.button(" "));
    }
    rows.extend(cells.chunks(7).map(<[_]>::to_vec));
    rows.push(vec![cancel(ctx, caller)]);
    InlineKeyboardMarkup::new(rows)
}

/// Working hours for a chosen day.
fn times(ctx: &Ctx, caller: &Caller) -> InlineKeyboardMarkup {
    let buttons = (9..=18).map(|h| Action::Time(h, 0).button(format!("{h:02}:00"))).collect();
    let mut markup = grid(buttons, 5);
    markup.inline_keyboard.push(vec![cancel(ctx, caller)]);
    markup
}

/// The card's name, for the picker's questions: a person with two chats open sees which
/// company the date is for.
async fn company(ctx: &Ctx, caller: &Caller, id: ProspectId) -> anyhow::Result<String> {
    Ok(render::company(ctx, &prospects::visible(ctx.store.as_ref(), &caller.user, id).await?))
}

/// A moment more than a year ahead, shown back to be confirmed or chosen again.
async fn far_question(
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
        Action::FarConfirm.button(ctx.i18n.t(lang, "log-far-yes")),
        Action::FarReenter.button(ctx.i18n.t(lang, "log-far-again")),
        cancel(ctx, caller),
    ];
    Ok((text, grid(buttons, 1)))
}

fn at(tz: chrono_tz::Tz, day: NaiveDate, h: u32, m: u32) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(h, m, 0)?;
    tz.from_local_datetime(&day.and_time(time)).earliest().map(|t| t.with_timezone(&Utc))
}

async fn show(
    bot: &Bot,
    caller: &Caller,
    message: Option<MessageId>,
    text: String,
    markup: InlineKeyboardMarkup,
) -> HandlerResult {
    reply::show(bot, caller.chat, message, text, markup).await
}

fn confirm_text(ctx: &Ctx, caller: &Caller, prospect: &Prospect, d: &LogDraft) -> String {
    let lang = caller.user.lang;
    let next = match d.next {
        Some(secs) => render::when(DateTime::from_timestamp(secs, 0).unwrap_or_default(), caller.tz()),
        None => ctx.i18n.t(lang, "none-yet"),
    };
    // The summary can be 4 000 characters: cut it here so the whole message stays within 4 096.
    // It is shown as any chat shows free text (SPEC §10), though its author just typed it.
    let summary = render::disclosure(ctx).free_text(&d.summary, &render::people_of(prospect));
    let cut = if summary.chars().count() > 3500 { "…" } else { "" };
    let summary: String = summary.chars().take(3500).collect();
    ctx.i18n.get(
        lang,
        "log-confirm",
        Args::new()
            .text("kind", d.kind.map(|k| render::capitalized(render::kind(ctx, lang, k))).unwrap_or_default())
            .text("outcome", d.outcome.map(|o| render::outcome(ctx, lang, o)).unwrap_or_default())
            .markup("summary", format!("{}{cut}", escape_html(&summary)))
            .text("products", render::products(ctx, lang, &d.products))
            .text("next", next),
    )
}

async fn ask(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    draft: &LogDraft,
    step: LogStep,
    message: Option<MessageId>,
) -> HandlerResult {
    let lang = caller.user.lang;
    let (text, markup) = match step {
        LogStep::Kind => {
            let mut buttons: Vec<InlineKeyboardButton> = Kind::ALL
                .iter()
                .map(|k| Action::LogKind(*k).button(render::capitalized(render::kind(ctx, lang, *k))))
                .collect();
            buttons.push(cancel(ctx, caller));
            let prospect =
                prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(draft.prospect)).await?;
            let text =
                ctx.i18n.get(lang, "log-ask-kind", Args::new().text("name", render::company(ctx, &prospect)));
            (text, grid(buttons, 2))
        }
        LogStep::Outcome => {
            let buttons = Outcome::ALL
                .iter()
                .map(|o| Action::LogOutcome(*o).button(render::capitalized(render::outcome(ctx, lang, *o))))
                .collect();
            let mut markup = grid(buttons, 2);
            markup.inline_keyboard.push(vec![cancel(ctx, caller)]);
            (ctx.i18n.t(lang, "log-ask-outcome"), markup)
        }
        LogStep::Summary => {
            (ctx.i18n.t(lang, "log-ask-summary"), InlineKeyboardMarkup::new([[cancel(ctx, caller)]]))
        }
        LogStep::Products => {
            let markup = register::products_keyboard(
                ctx,
                caller,
                &draft.products,
                Action::LogProduct,
                Action::LogProductsDone,
            );
            (ctx.i18n.t(lang, "log-ask-products"), markup)
        }
        LogStep::Next => (ctx.i18n.t(lang, "log-ask-next"), when_keyboard(ctx, caller, true)),
        LogStep::Far => {
            let due = draft.next.and_then(|s| DateTime::from_timestamp(s, 0)).unwrap_or_default();
            far_question(ctx, caller, ProspectId(draft.prospect), due).await?
        }
        LogStep::Confirm => {
            let buttons = vec![Action::LogSave.button(ctx.i18n.t(lang, "log-save")), cancel(ctx, caller)];
            let prospect =
                prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(draft.prospect)).await?;
            (confirm_text(ctx, caller, &prospect, draft), grid(buttons, 2))
        }
    };
    show(bot, caller, message, text, markup).await
}

async fn step_to(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    draft: LogDraft,
    step: LogStep,
    message: Option<MessageId>,
) -> HandlerResult {
    flow::save(ctx, caller.chat, &State::Log { draft: draft.clone(), step }).await?;
    ask(bot, ctx, caller, &draft, step, message).await
}

/// A typed answer in the diary flow: the summary, or a typed next contact.
pub async fn on_text(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    mut draft: LogDraft,
    step: LogStep,
    text: &str,
) -> HandlerResult {
    let lang = caller.user.lang;
    match step {
        LogStep::Summary => match diary::summary(text) {
            Ok(summary) => {
                draft.summary = summary;
                step_to(bot, ctx, caller, draft, LogStep::Products, None).await
            }
            Err(e) => {
                reply::send(bot, caller.chat, reply::explain_diary(ctx, lang, &e)).await?;
                ask(bot, ctx, caller, &draft, step, None).await
            }
        },
        // At the far question, another typed moment replaces the far one.
        LogStep::Next | LogStep::Far => match typed_when(ctx, caller, draft.day, text) {
            Ok(due) => next_chosen(bot, ctx, caller, draft, due, None).await,
            Err(e) => {
                reply::send(bot, caller.chat, reply::explain_diary(ctx, lang, &e)).await?;
                ask(bot, ctx, caller, &draft, step, None).await
            }
        },
        other => ask(bot, ctx, caller, &draft, other, None).await,
    }
}

/// The next contact is chosen: on to the entry's summary, or first to the far question when it
/// is more than a year ahead.
async fn next_chosen(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    mut draft: LogDraft,
    due: DateTime<Utc>,
    message: Option<MessageId>,
) -> HandlerResult {
    draft.next = Some(due.timestamp());
    draft.day = None;
    let step = if diary::far_ahead(due, ctx.clock.now()) { LogStep::Far } else { LogStep::Confirm };
    step_to(bot, ctx, caller, draft, step, message).await
}

/// A typed moment; after a calendar day was picked, a bare time like `15:30` is enough.
fn typed_when(
    ctx: &Ctx,
    caller: &Caller,
    day: Option<NaiveDate>,
    text: &str,
) -> Result<DateTime<Utc>, diary::DiaryError> {
    let now = ctx.clock.now();
    let tz = caller.tz();
    let time = text.trim().split_once(':').filter(|(h, m)| {
        (1..=2).contains(&h.len()) && m.len() == 2 && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
    });
    if let Some(day) = day
        && let Some((h, m)) = time
        && let (Ok(h), Ok(m)) = (h.parse(), m.parse())
    {
        let due = at(tz, day, h, m).ok_or(diary::DiaryError::When)?;
        return if due > now { Ok(due) } else { Err(diary::DiaryError::InThePast) };
    }
    diary::parse_when(text, now, tz)
}

/// Picker presses shared by the diary and scheduling on card `prospect`: returns the chosen
/// moment once there is one.
async fn pick(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    action: &Action,
    day: &mut Option<NaiveDate>,
    prospect: ProspectId,
) -> anyhow::Result<Option<Result<DateTime<Utc>, diary::DiaryError>>> {
    let lang = caller.user.lang;
    let now = ctx.clock.now();
    let tz = caller.tz();
    match action {
        Action::Quick(q) => {
            let choice = match q {
                Quick::Tomorrow => QuickWhen::Tomorrow,
                Quick::InThreeDays => QuickWhen::InThreeDays,
                Quick::NextMonday => QuickWhen::NextMonday,
                Quick::None => return Ok(None),
            };
            Ok(Some(Ok(diary::quick_when(choice, now, tz))))
        }
        Action::Month(year, month) => {
            let text = ctx.i18n.get(
                lang,
                "log-choose-day",
                Args::new().text("name", company(ctx, caller, prospect).await?),
            );
            show(bot, caller, message, text, calendar(ctx, caller, *year, *month)).await?;
            Ok(None)
        }
        Action::Day(date) => {
            *day = Some(*date);
            let text = ctx.i18n.get(
                lang,
                "log-choose-time",
                Args::new()
                    .text("name", company(ctx, caller, prospect).await?)
                    .text("date", date.format("%d.%m.%Y").to_string()),
            );
            show(bot, caller, message, text, times(ctx, caller)).await?;
            Ok(None)
        }
        Action::Time(h, m) => {
            let Some(date) = *day else { return Ok(Some(Err(diary::DiaryError::When))) };
            let due = at(tz, date, *h, *m).ok_or(diary::DiaryError::When);
            Ok(Some(due.and_then(|d| if d > now { Ok(d) } else { Err(diary::DiaryError::InThePast) })))
        }
        _ => Ok(None),
    }
}

pub async fn on_action(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    action: Action,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let stale = || Answer::stale(ctx, lang);
    match action {
        Action::LogOn(id) => {
            start_on(bot, ctx, caller, ProspectId(id)).await?;
            return Ok(Answer::done());
        }
        Action::Schedule(id) => {
            let prospect = prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(id)).await?;
            if !prospects::may_log(&caller.user, &prospect) {
                return Err(BaseError::NotAllowed.into());
            }
            flow::save(ctx, caller.chat, &State::Schedule { id, day: None }).await?;
            let text =
                ctx.i18n.get(lang, "schedule-ask", Args::new().text("name", render::company(ctx, &prospect)));
            reply::send_with(bot, caller.chat, text, when_keyboard(ctx, caller, false)).await?;
            return Ok(Answer::done());
        }
        Action::Noop => return Ok(Answer::done()),
        _ => {}
    }
    match flow::load(ctx, caller.chat).await? {
        State::Log { draft, step } => on_log_action(bot, ctx, caller, message, action, draft, step).await,
        State::Schedule { .. } | State::ScheduleFar { .. } if action == Action::LogCancel => {
            flow::clear(ctx, caller.chat).await?;
            show(bot, caller, message, ctx.i18n.t(lang, "cancel-done"), InlineKeyboardMarkup::default())
                .await?;
            Ok(Answer::done())
        }
        State::ScheduleFar { id, due } => match action {
            Action::FarConfirm => {
                let due = DateTime::from_timestamp(due, 0).ok_or(diary::DiaryError::When)?;
                schedule(bot, ctx, caller, id, due, message).await?;
                Ok(Answer::done())
            }
            Action::FarReenter => {
                flow::save(ctx, caller.chat, &State::Schedule { id, day: None }).await?;
                let text = ctx.i18n.get(
                    lang,
                    "schedule-ask",
                    Args::new().text("name", company(ctx, caller, ProspectId(id)).await?),
                );
                show(bot, caller, message, text, when_keyboard(ctx, caller, false)).await?;
                Ok(Answer::done())
            }
            _ => Ok(stale()),
        },
        State::Schedule { id, mut day } => {
            match pick(bot, ctx, caller, message, &action, &mut day, ProspectId(id)).await? {
                Some(Ok(due)) => {
                    schedule_or_confirm(bot, ctx, caller, id, due, message).await?;
                    Ok(Answer::done())
                }
                Some(Err(e)) => Ok(Answer::alert(reply::explain_diary(ctx, lang, &e))),
                None => {
                    flow::save(ctx, caller.chat, &State::Schedule { id, day }).await?;
                    Ok(Answer::done())
                }
            }
        }
        _ => Ok(stale()),
    }
}

/// Schedules `due`, or first asks to confirm it when it is more than a year ahead.
async fn schedule_or_confirm(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    due: DateTime<Utc>,
    message: Option<MessageId>,
) -> HandlerResult {
    if !diary::far_ahead(due, ctx.clock.now()) {
        return schedule(bot, ctx, caller, id, due, message).await;
    }
    flow::save(ctx, caller.chat, &State::ScheduleFar { id, due: due.timestamp() }).await?;
    let (text, markup) = far_question(ctx, caller, ProspectId(id), due).await?;
    show(bot, caller, message, text, markup).await
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
    show(bot, caller, message, text, InlineKeyboardMarkup::default()).await
}

/// Schedules from typed text while the picker is open.
pub async fn on_schedule_text(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    day: Option<NaiveDate>,
    text: &str,
) -> HandlerResult {
    match typed_when(ctx, caller, day, text) {
        Ok(due) => schedule_or_confirm(bot, ctx, caller, id, due, None).await,
        Err(e) => {
            reply::send(bot, caller.chat, reply::explain_diary(ctx, caller.user.lang, &e)).await?;
            Ok(())
        }
    }
}

async fn on_log_action(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    action: Action,
    mut draft: LogDraft,
    step: LogStep,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    match (action, step) {
        (Action::LogCancel, _) => {
            flow::clear(ctx, caller.chat).await?;
            show(bot, caller, message, ctx.i18n.t(lang, "cancel-done"), InlineKeyboardMarkup::default())
                .await?;
        }
        (Action::LogKind(kind), LogStep::Kind) => {
            draft.kind = Some(kind);
            step_to(bot, ctx, caller, draft, LogStep::Outcome, message).await?;
        }
        (Action::LogOutcome(outcome), LogStep::Outcome) => {
            draft.outcome = Some(outcome);
            step_to(bot, ctx, caller, draft, LogStep::Summary, message).await?;
        }
        (Action::LogProduct(p), LogStep::Products) => {
            toggle(&mut draft.products, p);
            step_to(bot, ctx, caller, draft, LogStep::Products, message).await?;
        }
        (Action::LogProductsDone, LogStep::Products) => {
            step_to(bot, ctx, caller, draft, LogStep::Next, message).await?
        }
        (Action::Quick(Quick::None), LogStep::Next) => {
            draft.next = None;
            draft.no_next = true;
            step_to(bot, ctx, caller, draft, LogStep::Confirm, message).await?;
        }
        (
            picker @ (Action::Quick(_) | Action::Month(..) | Action::Day(_) | Action::Time(..)),
            LogStep::Next,
        ) => {
            let mut day = draft.day;
            let prospect = ProspectId(draft.prospect);
            match pick(bot, ctx, caller, message, &picker, &mut day, prospect).await? {
                Some(Ok(due)) => next_chosen(bot, ctx, caller, draft, due, message).await?,
                Some(Err(e)) => return Ok(Answer::alert(reply::explain_diary(ctx, lang, &e))),
                None => {
                    draft.day = day;
                    flow::save(ctx, caller.chat, &State::Log { draft, step }).await?;
                }
            }
        }
        (Action::FarConfirm, LogStep::Far) => {
            step_to(bot, ctx, caller, draft, LogStep::Confirm, message).await?
        }
        (Action::FarReenter, LogStep::Far) => {
            draft.next = None;
            step_to(bot, ctx, caller, draft, LogStep::Next, message).await?
        }
        (Action::LogSave, LogStep::Confirm) => save(bot, ctx, caller, draft, message).await?,
        _ => return Ok(Answer::stale(ctx, lang)),
    }
    Ok(Answer::done())
}

async fn save(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    draft: LogDraft,
    message: Option<MessageId>,
) -> HandlerResult {
    let lang = caller.user.lang;
    let now = ctx.clock.now();
    let (Some(kind), Some(outcome)) = (draft.kind, draft.outcome) else {
        return Err(diary::DiaryError::Summary.into());
    };
    let next_contact = draft.next.and_then(|s| DateTime::from_timestamp(s, 0));
    // A moment chosen earlier may have passed while the person was typing.
    if next_contact.is_some_and(|due| due <= now) {
        step_to(bot, ctx, caller, draft, LogStep::Next, None).await?;
        return Err(diary::DiaryError::InThePast.into());
    }
    let entry = NewEntry {
        prospect: ProspectId(draft.prospect),
        author: caller.user.telegram_id,
        kind,
        outcome,
        summary: diary::summary(&draft.summary)?,
        products: draft.products.clone(),
        happened_at: now,
        next_contact,
    };
    let logged = prospects::log_entry(ctx.store.as_ref(), &caller.user, &entry, now).await?;
    flow::clear(ctx, caller.chat).await?;
    show(bot, caller, message, ctx.i18n.t(lang, "log-saved"), InlineKeyboardMarkup::default()).await?;
    // Leads made by the entry are held until the specialist picks their facts, asked last so
    // the buttons are under the newest message.
    cards::send_card(bot, ctx, caller, entry.prospect, None).await?;
    handoffs::ask_facts(bot, ctx, caller, &logged.handoffs).await
}
