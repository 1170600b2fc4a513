//! Finding and opening prospects: `/find`, `/card`, `/my`, a card's history, and editing a card
//! (`edit.rs`). Every press is checked again on the server: a forged card id outside the
//! person's view shows nothing.

mod edit;
mod reassign;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

pub use edit::{on_edit_text, on_products_text};

use crate::bot::buttons::{Press, buttons};
use crate::bot::flow;
use crate::bot::gate::Caller;
use crate::bot::reply::{Answer, Typed};
use crate::bot::ui::pager;
use crate::bot::{Ctx, HandlerResult, render, reply};
use crate::domain::access::User;
use crate::domain::directory;
use crate::domain::fields::Field;
use crate::domain::ids::RegionCode;
use crate::domain::prospect::{Product, Prospect, ProspectId};
use crate::domain::prospects::{self, BaseError, Query, Remember};
use crate::domain::requisites::Inn;
use crate::i18n::Args;

buttons! {
    /// A card's buttons and the lists that lead to cards.
    pub enum CardButton {
        Open(prospect: i64) = "o",
        History(prospect: i64, page: u32) = "h",
        /// An entry cut short in the history, in full.
        FullEntry(prospect: i64, entry: i64) = "fe",
        /// The card's fields, to choose one to change.
        Edit(prospect: i64) = "e",
        EditField(prospect: i64, field: Field) = "ef",
        /// Empty the field being changed.
        EditClear = "clr",
        EditProduct(product: Product) = "ep",
        EditDone = "ed",
        EditCancel(prospect: i64) = "ex",
        SearchPage(page: u32) = "s",
        MyPage(page: u32) = "m",
        /// «Передать другому»: a colleague of the division (head office: a division first).
        Reassign(prospect: i64) = "ra",
        ReassignIn(prospect: i64, region: RegionCode) = "rr",
        ReassignTo(prospect: i64, user: i64) = "rt",
    }
}

impl CardButton {
    /// Whether the press starts a flow (then none may be in progress).
    pub fn starts_flow(&self) -> bool {
        matches!(self, CardButton::EditField(..))
    }
}

const PAGE: i64 = 10;
const HISTORY_PAGE: i64 = 3;

/// The division's display name for a card.
async fn region_label(ctx: &Ctx, prospect: &Prospect) -> anyhow::Result<String> {
    Ok(match directory::region(ctx.store.as_ref(), &prospect.region).await? {
        Some(r) => format!("{} ({})", r.name.as_str(), r.code),
        None => prospect.region.to_string(),
    })
}

/// Renders the card; in place of `message` when given.
pub async fn send_card(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: ProspectId,
    message: Option<MessageId>,
) -> HandlerResult {
    let now = ctx.clock.now();
    let card =
        prospects::open_card(ctx.store.as_ref(), &caller.user, id, now, ctx.config.collision_window_days)
            .await?;
    let label = region_label(ctx, &card.prospect).await?;
    let (text, markup) = render::card(ctx, &caller.user, caller.tz(), &label, &card);
    reply::show(bot, caller.chat, message, text, markup).await
}

/// Reads a card reference: its number, or an INN.
pub async fn resolve(ctx: &Ctx, user: &User, text: &str) -> anyhow::Result<Option<ProspectId>> {
    let text = text.trim().trim_start_matches('№').trim();
    if let Ok(inn) = Inn::parse(text) {
        return Ok(prospects::by_inn(ctx.store.as_ref(), user, &inn).await?.map(|p| p.id));
    }
    Ok(text.parse::<i64>().ok().filter(|id| *id > 0).map(ProspectId))
}

pub async fn card_command(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    let lang = caller.user.lang;
    if args.trim().is_empty() {
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "card-ask-card")).await?;
        return Ok(());
    }
    match resolve(ctx, &caller.user, args).await? {
        Some(id) => send_card(bot, ctx, caller, id, None).await,
        None => Err(BaseError::NotFound.into()),
    }
}

pub async fn find(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    let lang = caller.user.lang;
    if args.trim().is_empty() {
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "find-ask")).await?;
        return Ok(());
    }
    // The words are kept for the result's pages, with the search's audit line.
    let remember = Remember { chat: caller.chat.0, words: args.trim() };
    let (text, markup) = results(ctx, caller, args.trim(), 0, Some(remember)).await?;
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

async fn results(
    ctx: &Ctx,
    caller: &Caller,
    query_text: &str,
    page: u32,
    remember: Option<Remember<'_>>,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let now = ctx.clock.now();
    let Some(query) = Query::read(query_text) else {
        if let Some(Remember { chat, words }) = remember {
            prospects::remember_search(ctx.store.as_ref(), chat, words, now).await?;
        }
        return Ok((ctx.i18n.t(lang, "find-none"), InlineKeyboardMarkup::default()));
    };
    let (found, more) =
        prospects::find(ctx.store.as_ref(), &caller.user, &query, i64::from(page), PAGE, now, remember)
            .await?;
    if found.is_empty() {
        return Ok((ctx.i18n.t(lang, "find-none"), InlineKeyboardMarkup::default()));
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> =
        found.iter().map(|p| vec![render::list_button(ctx, lang, caller.tz(), p)]).collect();
    let nav = pager(ctx, caller, page, more, CardButton::SearchPage);
    if !nav.is_empty() {
        rows.push(nav);
    }
    // The query echoed back is free text: a phone, an e-mail or the name of a person on the
    // cards found, searched for, stays hidden.
    let people: Vec<&str> = found.iter().flat_map(render::people_of).collect();
    let query: String = render::disclosure(ctx).free_text(query_text, &people).chars().take(100).collect();
    Ok((ctx.i18n.get(lang, "find-title", Args::new().text("query", query)), InlineKeyboardMarkup::new(rows)))
}

pub async fn my(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    let (text, markup) = my_page(ctx, caller, 0).await?;
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

async fn my_page(ctx: &Ctx, caller: &Caller, page: u32) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let (offset, limit) = (i64::from(page) * PAGE, PAGE + 1);
    let mut found = prospects::mine(ctx.store.as_ref(), &caller.user, offset, limit).await?;
    if found.is_empty() {
        return Ok((ctx.i18n.t(lang, "my-none"), InlineKeyboardMarkup::default()));
    }
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let mut rows: Vec<Vec<InlineKeyboardButton>> =
        found.iter().map(|p| vec![render::list_button(ctx, lang, caller.tz(), p)]).collect();
    let nav = pager(ctx, caller, page, more, CardButton::MyPage);
    if !nav.is_empty() {
        rows.push(nav);
    }
    Ok((ctx.i18n.t(lang, "my-title"), InlineKeyboardMarkup::new(rows)))
}

async fn history(
    ctx: &Ctx,
    caller: &Caller,
    id: ProspectId,
    page: u32,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let offset = i64::from(page) * HISTORY_PAGE;
    let (prospect, count, entries) =
        prospects::history(ctx.store.as_ref(), &caller.user, id, offset, HISTORY_PAGE, ctx.clock.now())
            .await?;
    let mut lines = vec![ctx.i18n.get(
        lang,
        "history-title",
        Args::new().text("name", render::company(ctx, &prospect)).num("count", count),
    )];
    let mut rows: Vec<Vec<InlineKeyboardButton>> = vec![];
    for entry in &entries {
        // Three entries of at most 1 000 characters, with names of at most 128 and a title of
        // at most 256, stay within 4 096.
        let (text, cut) = render::entry_text(ctx, lang, caller.tz(), &prospect, entry, 1000);
        lines.push(text);
        if cut {
            let label = format!(
                "{} · {}",
                ctx.i18n.t(lang, "card-full-entry"),
                render::when(entry.happened_at, caller.tz())
            );
            rows.push(vec![CardButton::FullEntry(id.0, entry.id).button(label)]);
        }
    }
    if entries.is_empty() {
        lines.push(ctx.i18n.t(lang, "card-no-entries"));
    }
    let more = (i64::from(page) + 1) * HISTORY_PAGE < count;
    let nav = pager(ctx, caller, page, more, |p| CardButton::History(id.0, p));
    if !nav.is_empty() {
        rows.push(nav);
    }
    rows.push(vec![CardButton::Open(id.0).button(ctx.i18n.t(lang, "card-open"))]);
    Ok((lines.join("\n\n"), InlineKeyboardMarkup::new(rows)))
}

/// A card's buttons: open, history, full entry, the lists' pages, and editing. Each one
/// re-checks the person's view.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: CardButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    let show =
        |(text, markup): (String, InlineKeyboardMarkup)| reply::show(bot, caller.chat, message, text, markup);
    match button {
        CardButton::Open(id) => send_card(bot, ctx, caller, ProspectId(id), None).await?,
        CardButton::History(id, page) => show(history(ctx, caller, ProspectId(id), page).await?).await?,
        CardButton::FullEntry(id, entry) => {
            let (prospect, entry) =
                prospects::entry(ctx.store.as_ref(), &caller.user, ProspectId(id), entry).await?;
            let (text, _) = render::entry_text(
                ctx,
                lang,
                caller.tz(),
                &prospect,
                &entry,
                crate::domain::diary::SUMMARY_MAX,
            );
            reply::send(bot, caller.chat, text).await?;
        }
        CardButton::SearchPage(page) => {
            let query = prospects::last_search(ctx.store.as_ref(), caller.chat.0).await?;
            show(results(ctx, caller, &query, page, None).await?).await?;
        }
        CardButton::MyPage(page) => show(my_page(ctx, caller, page).await?).await?,
        moving @ (CardButton::Reassign(_) | CardButton::ReassignIn(..) | CardButton::ReassignTo(..)) => {
            return reassign::on_button(bot, ctx, caller, message, moving).await;
        }
        editing => return edit::on_button(bot, ctx, caller, message, editing).await,
    }
    Ok(Answer::done())
}

/// What to find, typed after a bare `/find`.
pub async fn on_find_text(bot: Bot, ctx: Ctx, caller: Caller, Typed(text): Typed) -> HandlerResult {
    flow::clear(&ctx, caller.chat).await?;
    find(&bot, &ctx, &caller, &text).await
}
