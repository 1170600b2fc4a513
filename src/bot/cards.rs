//! Finding and opening prospects: `/find`, `/card`, `/my`, a card's history, and editing a card.
//! Every press is checked again on the server: a forged card id outside the person's view
//! shows nothing.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::flow::{self, State};
use super::gate::Caller;
use super::keyboards::{Action, grid};
use super::register::{self, toggle};
use super::reply::Answer;
use super::{Ctx, HandlerResult, render, reply};
use crate::domain::access::User;
use crate::domain::directory;
use crate::domain::fields::{self, FIELDS, Field, FieldKind};
use crate::domain::prospect::{Prospect, ProspectId};
use crate::domain::prospects::{self, BaseError, Query};
use crate::domain::requisites::Inn;
use crate::i18n::Args;

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
    prospects::remember_search(ctx.store.as_ref(), caller.chat.0, args.trim(), ctx.clock.now()).await?;
    let (text, markup) = results(ctx, caller, args.trim(), 0).await?;
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

/// Previous / next buttons for a paged list.
pub(super) fn nav(
    ctx: &Ctx,
    caller: &Caller,
    page: u32,
    more: bool,
    to: impl Fn(u32) -> Action,
) -> Vec<InlineKeyboardButton> {
    let lang = caller.user.lang;
    let mut row = vec![];
    if page > 0 {
        row.push(to(page - 1).button(ctx.i18n.t(lang, "find-prev")));
    }
    if more {
        row.push(to(page + 1).button(ctx.i18n.t(lang, "find-next")));
    }
    row
}

async fn results(
    ctx: &Ctx,
    caller: &Caller,
    query_text: &str,
    page: u32,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let Some(query) = Query::read(query_text) else {
        return Ok((ctx.i18n.t(lang, "find-none"), InlineKeyboardMarkup::default()));
    };
    let now = ctx.clock.now();
    let (found, more) =
        prospects::find(ctx.store.as_ref(), &caller.user, &query, i64::from(page), PAGE, now).await?;
    if found.is_empty() {
        return Ok((ctx.i18n.t(lang, "find-none"), InlineKeyboardMarkup::default()));
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> =
        found.iter().map(|p| vec![render::list_button(ctx, lang, caller.tz(), p)]).collect();
    let nav = nav(ctx, caller, page, more, Action::SearchPage);
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
    let nav = nav(ctx, caller, page, more, Action::MyPage);
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
            rows.push(vec![Action::FullEntry(id.0, entry.id).button(label)]);
        }
    }
    if entries.is_empty() {
        lines.push(ctx.i18n.t(lang, "card-no-entries"));
    }
    let more = (i64::from(page) + 1) * HISTORY_PAGE < count;
    let nav = nav(ctx, caller, page, more, |p| Action::History(id.0, p));
    if !nav.is_empty() {
        rows.push(nav);
    }
    rows.push(vec![Action::Open(id.0).button(ctx.i18n.t(lang, "card-open"))]);
    Ok((lines.join("\n\n"), InlineKeyboardMarkup::new(rows)))
}

/// Card actions: open, history, full entry, edit. Each one re-checks the person's view.
pub async fn on_action(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    action: Action,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let show =
        |(text, markup): (String, InlineKeyboardMarkup)| reply::show(bot, caller.chat, message, text, markup);
    match action {
        Action::Open(id) => send_card(bot, ctx, caller, ProspectId(id), None).await?,
        Action::History(id, page) => show(history(ctx, caller, ProspectId(id), page).await?).await?,
        Action::FullEntry(id, entry) => {
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
        Action::SearchPage(page) => {
            let query = prospects::last_search(ctx.store.as_ref(), caller.chat.0).await?;
            show(results(ctx, caller, &query, page).await?).await?;
        }
        Action::MyPage(page) => show(my_page(ctx, caller, page).await?).await?,
        Action::Edit(id) => {
            let prospect = prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(id)).await?;
            if !prospects::may_edit(&caller.user, &prospect) {
                return Err(BaseError::NotAllowed.into());
            }
            let buttons = fields::editable(&FIELDS, Some(prospect.inn.as_str()))
                .map(|f| Action::EditField(id, f.into()).button(render::field(ctx, lang, f)))
                .collect();
            let mut markup = grid(buttons, 2);
            markup.inline_keyboard.push(vec![Action::Open(id).button(ctx.i18n.t(lang, "card-open"))]);
            show((ctx.i18n.t(lang, "new-choose-field"), markup)).await?;
        }
        Action::EditField(id, field) => {
            let prospect = prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(id)).await?;
            let may = field.editable && field.applies_to(Some(prospect.inn.as_str()));
            if !may || !prospects::may_edit(&caller.user, &prospect) {
                return Err(BaseError::NotAllowed.into());
            }
            if field.kind == FieldKind::Products {
                let products = prospect.details.products.clone();
                flow::save(ctx, caller.chat, &State::EditProducts { id, products: products.clone() }).await?;
                let markup = with_cancel(ctx, caller, id, products_keyboard(ctx, caller, &products));
                show((ctx.i18n.t(lang, "edit-products"), markup)).await?;
            } else {
                flow::save(ctx, caller.chat, &State::EditField { id, field }).await?;
                let (text, markup) = edit_question(ctx, caller, id, field);
                reply::send_with(bot, caller.chat, text, markup).await?;
            }
        }
        Action::EditClear => {
            let State::EditField { id, field } = flow::load(ctx, caller.chat).await? else {
                return Ok(Answer::stale(ctx, lang));
            };
            apply_edit(bot, ctx, caller, id, field, None).await?;
        }
        Action::EditProduct(product) => {
            let State::EditProducts { id, mut products } = flow::load(ctx, caller.chat).await? else {
                return Ok(Answer::stale(ctx, lang));
            };
            toggle(&mut products, product);
            flow::save(ctx, caller.chat, &State::EditProducts { id, products: products.clone() }).await?;
            let markup = with_cancel(ctx, caller, id, products_keyboard(ctx, caller, &products));
            show((ctx.i18n.t(lang, "edit-products"), markup)).await?;
        }
        Action::EditCancel(id) => {
            flow::clear(ctx, caller.chat).await?;
            send_card(bot, ctx, caller, ProspectId(id), message).await?;
        }
        Action::EditDone => {
            let State::EditProducts { id, products } = flow::load(ctx, caller.chat).await? else {
                return Ok(Answer::stale(ctx, lang));
            };
            prospects::set_products(
                ctx.store.as_ref(),
                &caller.user,
                ProspectId(id),
                &products,
                ctx.clock.now(),
            )
            .await?;
            flow::clear(ctx, caller.chat).await?;
            send_card(bot, ctx, caller, ProspectId(id), message).await?;
        }
        _ => return Ok(Answer::stale(ctx, lang)),
    }
    Ok(Answer::done())
}

/// The question for a new value of `field`, with Clear (except for the name) and Cancel; asked
/// again the same way after a wrong value.
fn edit_question(ctx: &Ctx, caller: &Caller, id: i64, field: Field) -> (String, InlineKeyboardMarkup) {
    let lang = caller.user.lang;
    let text = ctx.i18n.get(lang, "edit-ask", Args::new().text("field", render::field(ctx, lang, &field)));
    let mut buttons = vec![];
    if field.optional {
        buttons.push(Action::EditClear.button(ctx.i18n.t(lang, "card-clear")));
    }
    buttons.push(Action::EditCancel(id).button(ctx.i18n.t(lang, "new-cancel")));
    (text, grid(buttons, 2))
}

fn products_keyboard(
    ctx: &Ctx,
    caller: &Caller,
    products: &[crate::domain::prospect::Product],
) -> InlineKeyboardMarkup {
    register::products_keyboard(ctx, caller, products, Action::EditProduct, Action::EditDone)
}

fn with_cancel(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    mut markup: InlineKeyboardMarkup,
) -> InlineKeyboardMarkup {
    markup
        .inline_keyboard
        .push(vec![Action::EditCancel(id).button(ctx.i18n.t(caller.user.lang, "new-cancel"))]);
    markup
}

async fn apply_edit(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    field: Field,
    text: Option<&str>,
) -> HandlerResult {
    prospects::edit(ctx.store.as_ref(), &caller.user, ProspectId(id), field, text, ctx.clock.now()).await?;
    edited(bot, ctx, caller, id).await
}

async fn edited(bot: &Bot, ctx: &Ctx, caller: &Caller, id: i64) -> HandlerResult {
    flow::clear(ctx, caller.chat).await?;
    reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "edit-saved")).await?;
    send_card(bot, ctx, caller, ProspectId(id), None).await
}

/// A typed new value for the field being edited: checked by the field, asked again if wrong.
pub async fn on_edit_text(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    field: Field,
    text: &str,
) -> HandlerResult {
    let now = ctx.clock.now();
    match prospects::edit(ctx.store.as_ref(), &caller.user, ProspectId(id), field, Some(text), now).await {
        Ok(_) => edited(bot, ctx, caller, id).await,
        Err(BaseError::Invalid(e)) => {
            let err = reply::explain_requisite(ctx, caller.user.lang, &e);
            let (ask, markup) = edit_question(ctx, caller, id, field);
            reply::send_with(bot, caller.chat, format!("{err}\n\n{ask}"), markup).await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
