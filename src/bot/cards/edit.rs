//! Changing a card: the field chosen, its new value typed (checked by the field, asked again
//! when wrong) or cleared, the products toggled. Rights are checked again at every step.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{CardButton, send_card};
use crate::bot::buttons::Press;
use crate::bot::flow::{self, State};
use crate::bot::gate::Caller;
use crate::bot::reply::{Answer, Typed};
use crate::bot::ui::{grid, products};
use crate::bot::{Ctx, HandlerResult, render, reply};
use crate::domain::fields::{self, FIELDS, Field, FieldKind};
use crate::domain::prospect::{Product, ProspectId};
use crate::domain::prospects::{self, BaseError};
use crate::i18n::Args;

/// The editing buttons of a card (the others are `super::on_button`'s).
pub(super) async fn on_button(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    button: CardButton,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let show =
        |(text, markup): (String, InlineKeyboardMarkup)| reply::show(bot, caller.chat, message, text, markup);
    match button {
        CardButton::Edit(id) => {
            let prospect = prospects::visible(ctx.store.as_ref(), &caller.user, ProspectId(id)).await?;
            if !prospects::may_edit(&caller.user, &prospect) {
                return Err(BaseError::NotAllowed.into());
            }
            let buttons = fields::editable(&FIELDS, Some(prospect.inn.as_str()))
                .map(|f| CardButton::EditField(id, f.into()).button(render::field(ctx, lang, f)))
                .collect();
            let mut markup = grid(buttons, 2);
            markup.inline_keyboard.push(vec![CardButton::Open(id).button(ctx.i18n.t(lang, "card-open"))]);
            show((ctx.i18n.t(lang, "new-choose-field"), markup)).await?;
        }
        CardButton::EditField(id, field) => {
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
        CardButton::EditClear => {
            let State::EditField { id, field } = flow::load(ctx, caller.chat).await? else {
                return Ok(Answer::stale(ctx, lang));
            };
            apply_edit(bot, ctx, caller, id, field, None).await?;
        }
        CardButton::EditProduct(product) => {
            let State::EditProducts { id, mut products } = flow::load(ctx, caller.chat).await? else {
                return Ok(Answer::stale(ctx, lang));
            };
            products::toggle(&mut products, product);
            flow::save(ctx, caller.chat, &State::EditProducts { id, products: products.clone() }).await?;
            let markup = with_cancel(ctx, caller, id, products_keyboard(ctx, caller, &products));
            show((ctx.i18n.t(lang, "edit-products"), markup)).await?;
        }
        CardButton::EditCancel(id) => {
            flow::clear(ctx, caller.chat).await?;
            send_card(bot, ctx, caller, ProspectId(id), message).await?;
        }
        CardButton::EditDone => {
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
        CardButton::Open(_)
        | CardButton::History(..)
        | CardButton::FullEntry(..)
        | CardButton::SearchPage(_)
        | CardButton::MyPage(_)
        | CardButton::Reassign(_)
        | CardButton::ReassignIn(..)
        | CardButton::ReassignTo(..) => return Ok(Answer::stale(ctx, lang)),
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
        buttons.push(CardButton::EditClear.button(ctx.i18n.t(lang, "card-clear")));
    }
    buttons.push(CardButton::EditCancel(id).button(ctx.i18n.t(lang, "new-cancel")));
    (text, grid(buttons, 2))
}

fn products_keyboard(ctx: &Ctx, caller: &Caller, chosen: &[Product]) -> InlineKeyboardMarkup {
    products::keyboard(ctx, caller, chosen, CardButton::EditProduct, CardButton::EditDone)
}

fn with_cancel(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    mut markup: InlineKeyboardMarkup,
) -> InlineKeyboardMarkup {
    markup
        .inline_keyboard
        .push(vec![CardButton::EditCancel(id).button(ctx.i18n.t(caller.user.lang, "new-cancel"))]);
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
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    (id, field): (i64, Field),
    Typed(text): Typed,
) -> HandlerResult {
    let (bot, ctx, caller, text) = (&bot, &ctx, &caller, text.as_str());
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

/// Text while the products are being chosen: they are chosen with the buttons.
pub async fn on_products_text(bot: Bot, ctx: Ctx, caller: Caller) -> HandlerResult {
    reply::send(&bot, caller.chat, ctx.i18n.t(caller.user.lang, "edit-products")).await?;
    Ok(())
}
