//! «Передать другому» on a card (SPEC §2): the division's manager picks a colleague of the
//! division; head office picks the division first. The move itself is the domain's
//! (`portfolio::reassign_card`), which checks every press again: a forged or stale one changes
//! nothing.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::CardButton;
use crate::bot::buttons::Press;
use crate::bot::gate::Caller;
use crate::bot::reply::{self, Answer};
use crate::bot::ui::grid;
use crate::bot::{Ctx, render};
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::portfolio::{self, MoveError};
use crate::domain::prospect::{Prospect, ProspectId};
use crate::i18n::Args;

/// The colleagues of `region` the card may go to, as buttons, and a way back to the card.
async fn people(
    ctx: &Ctx,
    caller: &Caller,
    prospect: &Prospect,
    region: &RegionCode,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let found = portfolio::candidates(ctx.store.as_ref(), &caller.user, prospect, region).await?;
    let mut buttons: Vec<InlineKeyboardButton> = found
        .iter()
        .map(|u| CardButton::ReassignTo(prospect.id.0, u.telegram_id.get()).button(u.full_name.as_str()))
        .collect();
    let key = if buttons.is_empty() { "move-nobody" } else { "move-ask-person" };
    buttons.push(CardButton::Open(prospect.id.0).button(ctx.i18n.t(lang, "move-back")));
    let args = Args::new().text("name", render::company(ctx, prospect)).text("owner", &prospect.owner_name);
    Ok((ctx.i18n.get(lang, key, args), grid(buttons, 1)))
}

/// The presses of «Передать другому» and what follows it.
pub async fn on_button(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    button: CardButton,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let store = ctx.store.as_ref();
    let show =
        |(text, markup): (String, InlineKeyboardMarkup)| reply::show(bot, caller.chat, message, text, markup);
    match button {
        CardButton::Reassign(id) => {
            let prospect = portfolio::movable(store, &caller.user, ProspectId(id)).await?;
            // Head office may move a card to another division: then the division comes first.
            let regions = portfolio::divisions(store, &caller.user, &prospect).await?;
            if regions.len() > 1 {
                let mut buttons: Vec<InlineKeyboardButton> = regions
                    .iter()
                    .map(|r| {
                        CardButton::ReassignIn(id, r.code.clone()).button(format!(
                            "{} · {}",
                            r.code,
                            r.name.as_str()
                        ))
                    })
                    .collect();
                buttons.push(CardButton::Open(id).button(ctx.i18n.t(lang, "move-back")));
                let args = Args::new().text("name", render::company(ctx, &prospect));
                show((ctx.i18n.get(lang, "move-ask-division", args), grid(buttons, 1))).await?;
            } else {
                show(people(ctx, caller, &prospect, &prospect.region.clone()).await?).await?;
            }
        }
        CardButton::ReassignIn(id, region) => {
            let prospect = portfolio::movable(store, &caller.user, ProspectId(id)).await?;
            show(people(ctx, caller, &prospect, &region).await?).await?;
        }
        CardButton::ReassignTo(id, to) => {
            let to = TelegramId::new(to)?;
            let now = ctx.clock.now();
            match portfolio::reassign_card(store, &caller.user, ProspectId(id), to, now).await {
                Ok(prospect) => {
                    let args = Args::new()
                        .text("name", render::company(ctx, &prospect))
                        .text("owner", &prospect.owner_name);
                    let markup = InlineKeyboardMarkup::new([[
                        CardButton::Open(id).button(ctx.i18n.t(lang, "card-open"))
                    ]]);
                    show((ctx.i18n.get(lang, "move-done", args), markup)).await?;
                }
                Err(MoveError::Moved) => return Ok(Answer::alert(ctx.i18n.t(lang, "move-changed"))),
                Err(MoveError::BadOwner(_)) => return Ok(Answer::alert(ctx.i18n.t(lang, "move-bad-owner"))),
                Err(MoveError::NotAllowed) => {
                    return Ok(Answer::alert(ctx.i18n.t(lang, "button-not-allowed")));
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => return Ok(Answer::stale(ctx, lang)),
    }
    Ok(Answer::done())
}
