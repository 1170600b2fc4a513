//! `/new`: registering a prospect step by step. Each value is checked where it is typed; the
//! INN is checked against the whole bank at once; before saving, cards with the same phone or a
//! similar name are offered instead.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId, WebAppInfo};

use super::flow::{self, Draft, NewStep, State};
use super::gate::Caller;
use super::keyboards::{Action, grid};
use super::start::Answer;
use super::{Ctx, HandlerResult, cards, render, reply};
use crate::domain::access::works_with_prospects;
use crate::domain::base::{self, InnHolder};
use crate::domain::prospect::{Details, NewProspect, Product, short_text};
use crate::domain::requisites::{CompanyName, Email, Inn, Kpp, Ogrn, Phone, RequisiteError};
use crate::i18n::{Args, escape_html};

pub async fn begin(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    if !works_with_prospects(&caller.user) {
        reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "not-allowed")).await?;
        return Ok(());
    }
    let state = State::NewProspect { draft: Draft::default(), step: NewStep::Name, editing: false };
    flow::save(ctx, caller.chat, &state).await?;
    ask(bot, ctx, caller, &Draft::default(), NewStep::Name, None).await
}

fn optional(step: NewStep) -> bool {
    !matches!(step, NewStep::Name | NewStep::Inn | NewStep::Products | NewStep::Confirm)
}

/// The step after `step`, skipping those that do not apply (KPP for a sole proprietor,
/// position without a contact person).
fn next(draft: &Draft, step: NewStep) -> NewStep {
    let order = NewStep::ALL;
    let mut i = order.iter().position(|s| *s == step).unwrap_or(0) + 1;
    while i < order.len() {
        let candidate = order[i];
        let applies = match candidate {
            NewStep::Kpp => draft.inn.as_deref().is_some_and(|inn| inn.len() == 10),
            NewStep::Position => draft.contact.is_some(),
            _ => true,
        };
        if applies {
            return candidate;
        }
        i += 1;
    }
    NewStep::Confirm
}

/// Product toggles (✅ on the chosen ones) and a Done button; shared by every flow that asks.
pub(super) fn products_keyboard(
    ctx: &Ctx,
    caller: &Caller,
    chosen: &[Product],
    toggle: fn(Product) -> Action,
    done: Action,
) -> InlineKeyboardMarkup {
    let lang = caller.user.lang;
    let mut buttons: Vec<InlineKeyboardButton> = Product::ALL
        .iter()
        .map(|p| {
            let mark = if chosen.contains(p) { "✅ " } else { "" };
            toggle(*p).button(format!("{mark}{}", render::capitalized(render::product(ctx, lang, *p))))
        })
        .collect();
    buttons.push(done.button(ctx.i18n.t(lang, "new-done")));
    grid(buttons, 2)
}

pub fn toggle(products: &mut Vec<Product>, product: Product) {
    match products.iter().position(|p| *p == product) {
        Some(i) => {
            products.remove(i);
        }
        None => products.push(product),
    }
}

/// Sends (or shows in place of `message`) the question of `step`.
async fn ask(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    draft: &Draft,
    step: NewStep,
    message: Option<MessageId>,
) -> HandlerResult {
    let lang = caller.user.lang;
    let cancel = Action::NewCancel.button(ctx.i18n.t(lang, "new-cancel"));
    let (text, markup) = match step {
        NewStep::Products => {
            let markup = products_keyboard(ctx, caller, &draft.products, Action::NewProduct, Action::NewDone);
            (ctx.i18n.t(lang, "new-ask-products"), markup)
        }
        NewStep::Confirm => {
            let mut buttons = vec![
                Action::NewSave.button(ctx.i18n.t(lang, "new-save")),
                Action::NewChange.button(ctx.i18n.t(lang, "new-change")),
                cancel,
            ];
            // The contacts as typed, in full, on the bank's page: the summary shows them
            // masked or not at all.
            if let Some(url) = ctx.config.draft_page() {
                buttons.insert(
                    0,
                    InlineKeyboardButton::web_app(
                        ctx.i18n.t(lang, "app-contacts-button"),
                        WebAppInfo { url },
                    ),
                );
            }
            (summary(ctx, caller, draft), grid(buttons, 1))
        }
        other => {
            let mut buttons = vec![];
            if optional(other) {
                buttons.push(Action::NewSkip.button(ctx.i18n.t(lang, "new-skip")));
            }
            buttons.push(cancel);
            (ctx.i18n.t(lang, &format!("new-ask-{other}")), grid(buttons, 2))
        }
    };
    reply::show(bot, caller.chat, message, text, markup).await
}

/// The form as typed, for checking; personal data as cards show it (SPEC §10).
fn summary(ctx: &Ctx, caller: &Caller, d: &Draft) -> String {
    let lang = caller.user.lang;
    let pd = render::disclosure(ctx);
    let inn = d.inn.as_deref().unwrap_or_default();
    let field = |id: &str, value: Option<String>| {
        value.map(|v| format!("{}: {}", ctx.i18n.t(lang, id), escape_html(&v)))
    };
    let mut lines = vec![ctx.i18n.t(lang, "new-confirm-title")];
    lines.extend(
        [
            field("field-name", d.name.as_deref().map(|name| pd.company(name, inn))),
            d.inn
                .as_deref()
                .map(|inn| ctx.i18n.get(lang, "card-requisites", Args::new().text("inn", pd.inn(inn)))),
            field("field-kpp", d.kpp.clone()),
            field("field-ogrn", d.ogrn.clone()),
            field("field-industry", d.industry.clone()),
            field("field-city", d.city.clone()),
        ]
        .into_iter()
        .flatten(),
    );
    if pd.contact_in_app(&[d.contact.is_some(), d.position.is_some(), d.phone.is_some(), d.email.is_some()]) {
        lines.push(ctx.i18n.t(lang, "contact-in-app"));
    } else {
        lines.extend(
            [
                field("field-contact", d.contact.as_deref().and_then(|name| pd.person(name))),
                field("field-position", d.position.as_deref().and_then(|p| pd.position(p))),
                field("field-phone", d.phone.as_deref().and_then(|phone| pd.phone_text(phone))),
                field("field-email", d.email.as_deref().and_then(|email| pd.email(email))),
            ]
            .into_iter()
            .flatten(),
        );
    }
    lines.push(format!(
        "{}: {}",
        ctx.i18n.t(lang, "field-products"),
        render::products(ctx, lang, &d.products)
    ));
    lines.join("\n")
}

/// Checks a typed value for `step` and puts it in the draft.
fn accept(draft: &mut Draft, step: NewStep, text: &str) -> Result<(), RequisiteError> {
    let short = |text: &str| short_text(text).ok_or(RequisiteError::CompanyName);
    match step {
        NewStep::Name => draft.name = Some(CompanyName::parse(text)?.as_str().to_owned()),
        NewStep::Inn => draft.inn = Some(Inn::parse(text)?.to_string()),
        NewStep::Kpp => {
            let inn = Inn::parse(draft.inn.as_deref().unwrap_or_default())?;
            draft.kpp = Some(Kpp::parse(text, &inn)?.as_str().to_owned());
        }
        NewStep::Ogrn => {
            let inn = Inn::parse(draft.inn.as_deref().unwrap_or_default())?;
            draft.ogrn = Some(Ogrn::parse(text, &inn)?.as_str().to_owned());
        }
        NewStep::Industry => draft.industry = Some(short(text)?),
        NewStep::City => draft.city = Some(short(text)?),
        NewStep::Contact => draft.contact = Some(short(text)?),
        NewStep::Position => draft.position = Some(short(text)?),
        NewStep::Phone => draft.phone = Some(Phone::parse(text)?.as_str().to_owned()),
        NewStep::Email => draft.email = Some(Email::parse(text)?.as_str().to_owned()),
        NewStep::Products | NewStep::Confirm => {}
    }
    Ok(())
}

fn explain(ctx: &Ctx, caller: &Caller, step: NewStep, err: &RequisiteError) -> String {
    let lang = caller.user.lang;
    match step {
        NewStep::Industry | NewStep::City | NewStep::Contact | NewStep::Position => {
            ctx.i18n.t(lang, "err-short-text")
        }
        _ => reply::explain_requisite(ctx, lang, err),
    }
}

/// Moves to the step after `step` (or back to the summary when changing one field).
async fn advance(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    draft: Draft,
    step: NewStep,
    editing: bool,
    message: Option<MessageId>,
) -> HandlerResult {
    let mut following = if editing { NewStep::Confirm } else { next(&draft, step) };
    // A changed INN may make the KPP meaningless: drop it.
    if step == NewStep::Inn && draft.inn.as_deref().is_some_and(|i| i.len() == 12) {
        let mut draft = draft;
        draft.kpp = None;
        return save_and_ask(bot, ctx, caller, draft, following, editing, message).await;
    }
    if editing && step == NewStep::Contact && draft.position.is_none() {
        following = NewStep::Position;
    }
    save_and_ask(bot, ctx, caller, draft, following, editing, message).await
}

async fn save_and_ask(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    draft: Draft,
    step: NewStep,
    editing: bool,
    message: Option<MessageId>,
) -> HandlerResult {
    let editing = editing && step != NewStep::Confirm;
    flow::save(ctx, caller.chat, &State::NewProspect { draft: draft.clone(), step, editing }).await?;
    ask(bot, ctx, caller, &draft, step, message).await
}

pub async fn on_text(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    mut draft: Draft,
    step: NewStep,
    editing: bool,
    text: &str,
) -> HandlerResult {
    if matches!(step, NewStep::Products | NewStep::Confirm) {
        // These steps are answered with buttons: ask again.
        return ask(bot, ctx, caller, &draft, step, None).await;
    }
    if let Err(e) = accept(&mut draft, step, text) {
        reply::send(bot, caller.chat, explain(ctx, caller, step, &e)).await?;
        return ask(bot, ctx, caller, &draft, step, None).await;
    }
    if step == NewStep::Inn {
        let inn = Inn::parse(draft.inn.as_deref().unwrap_or_default())?;
        if let Some(holder) = base::inn_holder(ctx.store.as_ref(), &caller.user, &inn).await? {
            flow::clear(ctx, caller.chat).await?;
            return show_holder(bot, ctx, caller, &inn, holder).await;
        }
    }
    advance(bot, ctx, caller, draft, step, editing, None).await
}

async fn show_holder(bot: &Bot, ctx: &Ctx, caller: &Caller, inn: &Inn, holder: InnHolder) -> HandlerResult {
    let lang = caller.user.lang;
    match holder {
        InnHolder::Here(prospect) => {
            reply::send(bot, caller.chat, ctx.i18n.t(lang, "new-inn-here")).await?;
            cards::send_card(bot, ctx, caller, prospect.id, None).await
        }
        InnHolder::Elsewhere { division, owner } => {
            let args =
                Args::new().text("inn", inn.to_string()).text("division", division).text("owner", owner);
            reply::send(bot, caller.chat, ctx.i18n.get(lang, "new-inn-elsewhere", args)).await?;
            Ok(())
        }
    }
}

fn build(caller: &Caller, d: &Draft) -> Result<NewProspect, RequisiteError> {
    let inn = Inn::parse(d.inn.as_deref().unwrap_or_default())?;
    let details = Details {
        kpp: d.kpp.as_deref().map(|k| Kpp::parse(k, &inn)).transpose()?,
        ogrn: d.ogrn.as_deref().map(|o| Ogrn::parse(o, &inn)).transpose()?,
        industry: d.industry.clone(),
        city: d.city.clone(),
        contact_person: d.contact.clone(),
        position: d.position.clone(),
        phone: d.phone.as_deref().map(Phone::parse).transpose()?,
        email: d.email.as_deref().map(Email::parse).transpose()?,
        products: d.products.clone(),
    };
    Ok(NewProspect {
        name: CompanyName::parse(d.name.as_deref().unwrap_or_default())?,
        inn,
        details,
        owner: caller.user.telegram_id,
        region: caller.user.region.clone().ok_or(RequisiteError::CompanyName)?,
    })
}

pub async fn on_action(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    action: Action,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let State::NewProspect { mut draft, step, editing } = flow::load(ctx, caller.chat).await? else {
        return Ok(Answer::stale(ctx, lang));
    };
    match action {
        Action::NewSkip if optional(step) => advance(bot, ctx, caller, draft, step, editing, message).await?,
        Action::NewProduct(p) if step == NewStep::Products => {
            toggle(&mut draft.products, p);
            save_and_ask(bot, ctx, caller, draft, step, editing, message).await?;
        }
        Action::NewDone if step == NewStep::Products => {
            advance(bot, ctx, caller, draft, step, editing, message).await?
        }
        Action::NewChange if step == NewStep::Confirm => {
            let buttons: Vec<InlineKeyboardButton> = NewStep::ALL
                .iter()
                .filter(|s| !matches!(s, NewStep::Confirm | NewStep::Inn))
                .filter(|s| **s != NewStep::Kpp || draft.inn.as_deref().is_some_and(|i| i.len() == 10))
                .map(|s| {
                    let id = if *s == NewStep::Contact {
                        "field-contact".to_owned()
                    } else {
                        format!("field-{s}")
                    };
                    Action::NewField(*s).button(ctx.i18n.t(lang, &id))
                })
                .collect();
            let text = ctx.i18n.t(lang, "new-choose-field");
            if let Some(id) = message {
                reply::edit(bot, caller.chat, id, text, Some(grid(buttons, 2))).await?;
            }
        }
        Action::NewField(field)
            if step == NewStep::Confirm && !matches!(field, NewStep::Confirm | NewStep::Inn) =>
        {
            save_and_ask(bot, ctx, caller, draft, field, true, message).await?;
        }
        Action::NewSave if step == NewStep::Confirm => {
            return save(bot, ctx, caller, draft, message, false).await;
        }
        Action::NewForce if step == NewStep::Confirm => {
            return save(bot, ctx, caller, draft, message, true).await;
        }
        Action::NewCancel => {
            flow::clear(ctx, caller.chat).await?;
            reply::close(bot, caller.chat, message, ctx.i18n.t(lang, "cancel-done")).await?;
        }
        _ => return Ok(Answer::stale(ctx, lang)),
    }
    Ok(Answer::done())
}

async fn save(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    draft: Draft,
    message: Option<MessageId>,
    force: bool,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let prospect = build(caller, &draft)?;
    if !force {
        let alikes = base::look_alikes(
            ctx.store.as_ref(),
            &caller.user,
            &prospect.name,
            prospect.details.phone.as_ref(),
        )
        .await?;
        if !alikes.is_empty() {
            let mut buttons: Vec<InlineKeyboardButton> =
                alikes.iter().map(|p| render::list_button(ctx, lang, caller.tz(), p)).collect();
            buttons.push(Action::NewForce.button(ctx.i18n.t(lang, "new-save-anyway")));
            buttons.push(Action::NewCancel.button(ctx.i18n.t(lang, "new-cancel")));
            reply::send_with(bot, caller.chat, ctx.i18n.t(lang, "new-look-alikes"), grid(buttons, 1)).await?;
            return Ok(Answer::done());
        }
    }
    let saved = base::register(ctx.store.as_ref(), &caller.user, &prospect, ctx.clock.now()).await?;
    flow::clear(ctx, caller.chat).await?;
    reply::close(bot, caller.chat, message, ctx.i18n.t(lang, "new-saved")).await?;
    cards::send_card(bot, ctx, caller, saved.id, None).await?;
    Ok(Answer::done())
}
