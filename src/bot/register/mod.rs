//! `/new`: registering a prospect step by step. Each value is checked where it is typed; the
//! INN is checked against the whole bank at once; before saving, cards with the same phone or a
//! similar name are offered instead.

pub(crate) mod state;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, MessageId, WebAppInfo};

use crate::bot::buttons::{Press, buttons};
use crate::bot::flow::{self, Draft, NewStep, State};
use crate::bot::gate::Caller;
use crate::bot::reply::{Answer, Typed};
use crate::bot::ui::{grid, products};
use crate::bot::{Ctx, HandlerResult, cards, render, reply};
use crate::domain::access::works_with_prospects;
use crate::domain::fields::{self, FIELDS, Field, FieldKind};
use crate::domain::prospect::{NewProspect, Product};
use crate::domain::prospects::{self, BaseError, InnHolder};
use crate::domain::requisites::{Inn, RequisiteError};
use crate::i18n::{Args, escape_html};

buttons! {
    /// The registration form's buttons.
    pub enum RegisterButton {
        /// Leave an optional field empty.
        Skip = "s",
        Product(product: Product) = "p",
        /// The products are chosen.
        Done = "d",
        Save = "save",
        /// Save though cards like it exist.
        Force = "force",
        /// From the summary: choose a field to change.
        Change = "chg",
        /// The field chosen to change.
        Field(field: Field) = "f",
        Cancel = "x",
    }
}

pub async fn begin(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    if !works_with_prospects(&caller.user) {
        reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "not-allowed")).await?;
        return Ok(());
    }
    let draft = Draft::default();
    let step = question(&draft, None);
    let state = State::NewProspect { draft: draft.clone(), step, editing: false };
    flow::save(ctx, caller.chat, &state).await?;
    ask(bot, ctx, caller, &draft, step, None).await
}

/// The form's question after the field `after` (the first for `None`), as the field table
/// orders them and skips those that do not apply (a KPP for a sole proprietor, a position
/// without a contact person); the summary after the last.
fn question(draft: &Draft, after: Option<&str>) -> NewStep {
    match fields::next_question(&FIELDS, after, draft.inn(), |code| draft.filled(code)) {
        Some(field) => NewStep::Ask(field.into()),
        None => NewStep::Confirm,
    }
}

fn optional(step: NewStep) -> bool {
    matches!(step, NewStep::Ask(field) if field.optional)
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
    let cancel = RegisterButton::Cancel.button(ctx.i18n.t(lang, "new-cancel"));
    let (text, markup) = match step {
        NewStep::Ask(field) if step.is_products() => {
            let markup = products::keyboard(
                ctx,
                caller,
                &draft.products,
                RegisterButton::Product,
                RegisterButton::Done,
            );
            (ctx.i18n.t(lang, &field.question()), markup)
        }
        NewStep::Confirm => {
            let mut buttons = vec![
                RegisterButton::Save.button(ctx.i18n.t(lang, "new-save")),
                RegisterButton::Change.button(ctx.i18n.t(lang, "new-change")),
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
        NewStep::Ask(field) => {
            let mut buttons = vec![];
            if field.optional {
                buttons.push(RegisterButton::Skip.button(ctx.i18n.t(lang, "new-skip")));
            }
            buttons.push(cancel);
            (ctx.i18n.t(lang, &field.question()), grid(buttons, 2))
        }
    };
    reply::show(bot, caller.chat, message, text, markup).await
}

/// The form as typed, for checking: a line per field filled in; personal data as cards show it
/// (SPEC §10).
fn summary(ctx: &Ctx, caller: &Caller, draft: &Draft) -> String {
    let lang = caller.user.lang;
    let products = |chosen: &[Product]| render::products(ctx, lang, chosen);
    let mut lines = vec![ctx.i18n.t(lang, "new-confirm-title")];
    for shown in fields::shown(&FIELDS, |f| draft.stored(f), render::disclosure(ctx), &products) {
        lines.push(match shown.field.kind {
            _ if shown.in_app => ctx.i18n.t(lang, "contact-in-app"),
            FieldKind::Inn => ctx.i18n.get(lang, "card-requisites", Args::new().text("inn", shown.text)),
            _ => format!("{}: {}", render::field(ctx, lang, shown.field), escape_html(&shown.text)),
        });
    }
    lines.join("\n")
}

/// Checks a typed value for `field` (by the field's own check) and puts it in the draft.
fn accept(draft: &mut Draft, field: Field, text: &str) -> Result<(), RequisiteError> {
    let inn = draft.inn().and_then(|inn| Inn::parse(inn).ok());
    let value = field.parse(text, inn.as_ref())?;
    draft.set(&field, value);
    Ok(())
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
    let NewStep::Ask(field) = step else {
        return save_and_ask(bot, ctx, caller, draft, NewStep::Confirm, editing, message).await;
    };
    let following = if editing {
        // A contact person given from the summary: their position, if still empty, comes next.
        match fields::follow_up(&FIELDS, field.code, |code| draft.filled(code)) {
            Some(qualifier) => NewStep::Ask(qualifier.into()),
            None => NewStep::Confirm,
        }
    } else {
        question(&draft, Some(field.code))
    };
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

/// A typed answer to the form's question.
pub async fn on_text(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    (draft, step, editing): (Draft, NewStep, bool),
    Typed(text): Typed,
) -> HandlerResult {
    answer(&bot, &ctx, &caller, draft, step, editing, &text).await
}

async fn answer(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    mut draft: Draft,
    step: NewStep,
    editing: bool,
    text: &str,
) -> HandlerResult {
    let NewStep::Ask(field) = step else {
        // The summary is answered with buttons: ask again.
        return ask(bot, ctx, caller, &draft, step, None).await;
    };
    if step.is_products() {
        return ask(bot, ctx, caller, &draft, step, None).await;
    }
    if let Err(e) = accept(&mut draft, field, text) {
        reply::send(bot, caller.chat, reply::explain_requisite(ctx, caller.user.lang, &e)).await?;
        return ask(bot, ctx, caller, &draft, step, None).await;
    }
    if field.kind == FieldKind::Inn {
        let inn = Inn::parse(draft.inn().unwrap_or_default())?;
        if let Some(holder) = prospects::inn_holder(ctx.store.as_ref(), &caller.user, &inn).await? {
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

/// The card to register: every value checked again by its field.
fn build(caller: &Caller, draft: &Draft) -> anyhow::Result<NewProspect> {
    let card = fields::check(&FIELDS, |f| draft.stored(f))?;
    Ok(NewProspect {
        name: card.name,
        inn: card.inn,
        details: card.details,
        owner: caller.user.telegram_id,
        // Only people of a division work with prospects (`works_with_prospects`).
        region: caller.user.region.clone().ok_or(BaseError::NotAllowed)?,
    })
}

/// A press on the form; only the question on screen is answered, anything else is stale.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: RegisterButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    let State::NewProspect { mut draft, step, editing } = flow::load(ctx, caller.chat).await? else {
        return Ok(Answer::stale(ctx, lang));
    };
    match button {
        RegisterButton::Skip if optional(step) => {
            advance(bot, ctx, caller, draft, step, editing, message).await?
        }
        RegisterButton::Product(p) if step.is_products() => {
            products::toggle(&mut draft.products, p);
            save_and_ask(bot, ctx, caller, draft, step, editing, message).await?;
        }
        RegisterButton::Done if step.is_products() => {
            advance(bot, ctx, caller, draft, step, editing, message).await?
        }
        RegisterButton::Change if step == NewStep::Confirm => {
            let buttons: Vec<InlineKeyboardButton> = fields::editable(&FIELDS, draft.inn())
                .map(|f| RegisterButton::Field(f.into()).button(render::field(ctx, lang, f)))
                .collect();
            let text = ctx.i18n.t(lang, "new-choose-field");
            if let Some(id) = message {
                reply::edit(bot, caller.chat, id, text, Some(grid(buttons, 2))).await?;
            }
        }
        RegisterButton::Field(field) if step == NewStep::Confirm && field.applies_to(draft.inn()) => {
            save_and_ask(bot, ctx, caller, draft, NewStep::Ask(field), true, message).await?;
        }
        RegisterButton::Save if step == NewStep::Confirm => {
            return save(bot, ctx, caller, draft, message, false).await;
        }
        RegisterButton::Force if step == NewStep::Confirm => {
            return save(bot, ctx, caller, draft, message, true).await;
        }
        RegisterButton::Cancel => {
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
        let alikes = prospects::look_alikes(
            ctx.store.as_ref(),
            &caller.user,
            &prospect.name,
            prospect.details.phone.as_ref(),
        )
        .await?;
        if !alikes.is_empty() {
            let mut buttons: Vec<InlineKeyboardButton> =
                alikes.iter().map(|p| render::list_button(ctx, lang, caller.tz(), p)).collect();
            buttons.push(RegisterButton::Force.button(ctx.i18n.t(lang, "new-save-anyway")));
            buttons.push(RegisterButton::Cancel.button(ctx.i18n.t(lang, "new-cancel")));
            reply::send_with(bot, caller.chat, ctx.i18n.t(lang, "new-look-alikes"), grid(buttons, 1)).await?;
            return Ok(Answer::done());
        }
    }
    let saved = prospects::register(ctx.store.as_ref(), &caller.user, &prospect, ctx.clock.now()).await?;
    flow::clear(ctx, caller.chat).await?;
    reply::close(bot, caller.chat, message, ctx.i18n.t(lang, "new-saved")).await?;
    cards::send_card(bot, ctx, caller, saved.id, None).await?;
    Ok(Answer::done())
}
