//! `/log`: a diary entry step by step — kind, outcome, summary, products, next contact (quick
//! buttons, a calendar with times, or typed) — shown back before it is saved. Also the card's
//! "schedule" button (`schedule.rs`), which uses the same next-contact picker (`when.rs`). What
//! an entry has gathered so far: `state.rs`.

mod schedule;
pub(crate) mod state;
mod when;

use chrono::DateTime;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

pub use schedule::{on_far_text, on_schedule_text};

use super::buttons::{Press, buttons};
use super::flow::{self, LogDraft, LogStep, State};
use super::gate::Caller;
use super::reply::{Answer, Typed};
use super::ui::date_picker::{Pick, Quick, when_keyboard};
use super::ui::{grid, products};
use super::{Ctx, HandlerResult, cards, handoffs, render, reply};
use crate::domain::access::works_with_prospects;
use crate::domain::diary::{self, Chosen, Kind, NewEntry, Outcome};
use crate::domain::prospect::{Product, Prospect, ProspectId};
use crate::domain::prospects::{self, BaseError};
use crate::i18n::{Args, escape_html};

buttons! {
    /// The diary's buttons (the picker's are `Pick`).
    pub enum LogButton {
        /// A card's "log a contact".
        Start(prospect: i64) = "on",
        /// A card's "schedule the next contact".
        Schedule(prospect: i64) = "sch",
        Kind(kind: Kind) = "k",
        Outcome(outcome: Outcome) = "o",
        Product(product: Product) = "p",
        ProductsDone = "pd",
        Save = "save",
        /// Cancels the entry, or the scheduling.
        Cancel = "x",
    }
}

impl LogButton {
    /// Whether the press starts a flow (then none may be in progress).
    pub fn starts_flow(&self) -> bool {
        matches!(self, LogButton::Start(_) | LogButton::Schedule(_))
    }
}

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
pub async fn on_card_text(bot: Bot, ctx: Ctx, caller: Caller, Typed(text): Typed) -> HandlerResult {
    let (bot, ctx, caller, text) = (&bot, &ctx, &caller, text.as_str());
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
    reply::send_with(bot, caller.chat, text, kinds(ctx, caller)).await?;
    Ok(())
}

fn kinds(ctx: &Ctx, caller: &Caller) -> InlineKeyboardMarkup {
    let lang = caller.user.lang;
    let mut buttons: Vec<InlineKeyboardButton> = Kind::ALL
        .iter()
        .map(|k| LogButton::Kind(*k).button(render::capitalized(render::kind(ctx, lang, *k))))
        .collect();
    buttons.push(cancel(ctx, caller));
    grid(buttons, 2)
}

/// The diary's and the scheduling's Cancel.
fn cancel(ctx: &Ctx, caller: &Caller) -> InlineKeyboardButton {
    LogButton::Cancel.button(ctx.i18n.t(caller.user.lang, "new-cancel"))
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
            let prospect =
                prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(draft.prospect)).await?;
            let text =
                ctx.i18n.get(lang, "log-ask-kind", Args::new().text("name", render::company(ctx, &prospect)));
            (text, kinds(ctx, caller))
        }
        LogStep::Outcome => {
            let buttons = Outcome::ALL
                .iter()
                .map(|o| LogButton::Outcome(*o).button(render::capitalized(render::outcome(ctx, lang, *o))))
                .collect();
            let mut markup = grid(buttons, 2);
            markup.inline_keyboard.push(vec![cancel(ctx, caller)]);
            (ctx.i18n.t(lang, "log-ask-outcome"), markup)
        }
        LogStep::Summary => {
            (ctx.i18n.t(lang, "log-ask-summary"), InlineKeyboardMarkup::new([[cancel(ctx, caller)]]))
        }
        LogStep::Products => {
            let markup =
                products::keyboard(ctx, caller, &draft.products, LogButton::Product, LogButton::ProductsDone);
            (ctx.i18n.t(lang, "log-ask-products"), markup)
        }
        LogStep::Next => {
            (ctx.i18n.t(lang, "log-ask-next"), when_keyboard(ctx, caller, true, cancel(ctx, caller)))
        }
        LogStep::Far => {
            let due = draft.next.and_then(|s| DateTime::from_timestamp(s, 0)).unwrap_or_default();
            when::far_question(ctx, caller, ProspectId(draft.prospect), due).await?
        }
        LogStep::Confirm => {
            let buttons = vec![LogButton::Save.button(ctx.i18n.t(lang, "log-save")), cancel(ctx, caller)];
            let prospect =
                prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(draft.prospect)).await?;
            (confirm_text(ctx, caller, &prospect, draft), grid(buttons, 2))
        }
    };
    reply::show(bot, caller.chat, message, text, markup).await
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
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    (mut draft, step): (LogDraft, LogStep),
    Typed(text): Typed,
) -> HandlerResult {
    let (bot, ctx, caller, text) = (&bot, &ctx, &caller, text.as_str());
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
        LogStep::Next | LogStep::Far => match when::typed(ctx, caller, draft.day, text) {
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
    chosen: Chosen,
    message: Option<MessageId>,
) -> HandlerResult {
    let due = when::settle(bot, ctx, caller, chosen).await?;
    draft.next = Some(due.timestamp());
    draft.day = None;
    let step = if diary::far_ahead(due, ctx.clock.now()) { LogStep::Far } else { LogStep::Confirm };
    step_to(bot, ctx, caller, draft, step, message).await
}

/// The diary's buttons: starting an entry or a scheduling, and the entry's steps.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: LogButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    match button {
        LogButton::Start(id) => {
            start_on(bot, ctx, caller, ProspectId(id)).await?;
            return Ok(Answer::done());
        }
        LogButton::Schedule(id) => return schedule::begin(bot, ctx, caller, ProspectId(id)).await,
        _ => {}
    }
    let (mut draft, step) = match flow::load(ctx, caller.chat).await? {
        State::Log { draft, step } => (draft, step),
        State::Schedule { .. } | State::ScheduleFar { .. } if button == LogButton::Cancel => {
            return cancelled(bot, ctx, caller, message).await;
        }
        _ => return Ok(Answer::stale(ctx, lang)),
    };
    match (button, step) {
        (LogButton::Cancel, _) => return cancelled(bot, ctx, caller, message).await,
        (LogButton::Kind(kind), LogStep::Kind) => {
            draft.kind = Some(kind);
            step_to(bot, ctx, caller, draft, LogStep::Outcome, message).await?;
        }
        (LogButton::Outcome(outcome), LogStep::Outcome) => {
            draft.outcome = Some(outcome);
            step_to(bot, ctx, caller, draft, LogStep::Summary, message).await?;
        }
        (LogButton::Product(p), LogStep::Products) => {
            products::toggle(&mut draft.products, p);
            step_to(bot, ctx, caller, draft, LogStep::Products, message).await?;
        }
        (LogButton::ProductsDone, LogStep::Products) => {
            step_to(bot, ctx, caller, draft, LogStep::Next, message).await?
        }
        (LogButton::Save, LogStep::Confirm) => save(bot, ctx, caller, draft, message).await?,
        _ => return Ok(Answer::stale(ctx, lang)),
    }
    Ok(Answer::done())
}

/// The entry or the scheduling is dropped.
async fn cancelled(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
) -> anyhow::Result<Answer> {
    flow::clear(ctx, caller.chat).await?;
    let text = ctx.i18n.t(caller.user.lang, "cancel-done");
    reply::show(bot, caller.chat, message, text, InlineKeyboardMarkup::default()).await?;
    Ok(Answer::done())
}

/// A press on the next-contact picker, for the entry or the scheduling in progress.
pub async fn on_pick(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    pick: Pick,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    if pick == Pick::Noop {
        return Ok(Answer::done());
    }
    let (mut draft, step) = match flow::load(ctx, caller.chat).await? {
        State::Log { draft, step } => (draft, step),
        state @ (State::Schedule { .. } | State::ScheduleFar { .. }) => {
            return schedule::on_pick(bot, ctx, caller, message, state, pick).await;
        }
        _ => return Ok(Answer::stale(ctx, lang)),
    };
    match (pick, step) {
        (Pick::Quick(Quick::None), LogStep::Next) => {
            draft.next = None;
            draft.no_next = true;
            step_to(bot, ctx, caller, draft, LogStep::Confirm, message).await?;
        }
        (pick @ (Pick::Quick(_) | Pick::Month(_) | Pick::Day(_) | Pick::Time(_)), LogStep::Next) => {
            let mut day = draft.day;
            let prospect = ProspectId(draft.prospect);
            match when::pick(bot, ctx, caller, message, &pick, &mut day, prospect).await? {
                Some(Ok(due)) => next_chosen(bot, ctx, caller, draft, due, message).await?,
                Some(Err(e)) => return Ok(Answer::alert(reply::explain_diary(ctx, lang, &e))),
                None => {
                    draft.day = day;
                    flow::save(ctx, caller.chat, &State::Log { draft, step }).await?;
                }
            }
        }
        (Pick::FarConfirm, LogStep::Far) => {
            step_to(bot, ctx, caller, draft, LogStep::Confirm, message).await?
        }
        (Pick::FarReenter, LogStep::Far) => {
            draft.next = None;
            step_to(bot, ctx, caller, draft, LogStep::Next, message).await?
        }
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
    let closed = InlineKeyboardMarkup::default();
    reply::show(bot, caller.chat, message, ctx.i18n.t(lang, "log-saved"), closed).await?;
    // Leads made by the entry are held until the specialist picks their facts, asked last so
    // the buttons are under the newest message.
    cards::send_card(bot, ctx, caller, entry.prospect, None).await?;
    handoffs::ask_facts(bot, ctx, caller, &logged.handoffs).await
}
