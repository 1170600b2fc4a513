//! `/users` → a person → «Передать все карточки» (SPEC §2): to one colleague of the division,
//! or spread evenly across its active specialists, with a preview of how many cards and open
//! follow-ups go to whom, then «Подтвердить». Disabling someone who still holds work offers the
//! same hand-over in one step. The moves are the domain's (`portfolio`), which checks every
//! press again: a forged or stale one changes nothing.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::UserButton;
use crate::bot::Ctx;
use crate::bot::buttons::Press;
use crate::bot::gate::Caller;
use crate::bot::ui::grid;
use crate::domain::access::User;
use crate::domain::portfolio::{self, Holdings, Plan};
use crate::i18n::Args;

fn held_args(held: &Holdings) -> Args {
    Args::new()
        .num("cards", held.cards.len() as i64)
        .num("followups", held.followups())
        .num("leads", held.leads)
}

/// Whom to give `from`'s cards: each colleague, or evenly across the division.
pub async fn choose(
    ctx: &Ctx,
    caller: &Caller,
    from: &User,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let store = ctx.store.as_ref();
    let held = portfolio::holdings(store, from.telegram_id).await?;
    let id = from.telegram_id.get();
    let mut buttons: Vec<InlineKeyboardButton> = portfolio::colleagues(store, from)
        .await?
        .iter()
        .map(|u| UserButton::PortfolioTo(id, u.telegram_id.get()).button(u.full_name.as_str()))
        .collect();
    if !buttons.is_empty() {
        buttons.push(UserButton::PortfolioSpread(id).button(ctx.i18n.t(lang, "portfolio-spread")));
    }
    buttons.push(UserButton::Show(id).button(ctx.i18n.t(lang, "users-back")));
    let text = ctx.i18n.get(lang, "portfolio-ask", held_args(&held).text("name", from.full_name.as_str()));
    Ok((text, grid(buttons, 1)))
}

/// The preview of a planned move, with «Подтвердить» (`confirm`) and a way back.
pub fn preview(
    ctx: &Ctx,
    caller: &Caller,
    plan: &Plan,
    confirm: UserButton,
) -> (String, InlineKeyboardMarkup) {
    let lang = caller.user.lang;
    let mut lines = vec![ctx.i18n.get(
        lang,
        "portfolio-preview",
        held_args(&plan.holdings).text("name", plan.from.full_name.as_str()),
    )];
    for share in &plan.shares {
        lines.push(
            ctx.i18n.get(
                lang,
                "portfolio-share",
                Args::new()
                    .text("name", share.to.full_name.as_str())
                    .num("cards", share.cards.len() as i64)
                    .num("followups", share.followups),
            ),
        );
    }
    let id = plan.from.telegram_id.get();
    let buttons = vec![
        confirm.button(ctx.i18n.t(lang, "portfolio-confirm")),
        UserButton::Show(id).button(ctx.i18n.t(lang, "users-back")),
    ];
    (lines.join("\n"), grid(buttons, 1))
}

/// Disabling was refused: what the person holds, and whom to give it to while disabling.
pub async fn disable_choice(
    ctx: &Ctx,
    caller: &Caller,
    person: &User,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let store = ctx.store.as_ref();
    let held = portfolio::holdings(store, person.telegram_id).await?;
    let id = person.telegram_id.get();
    let mut buttons: Vec<InlineKeyboardButton> = if held.cards.is_empty() {
        // Taken leads and follow-ups on colleagues' cards need nobody named.
        vec![UserButton::DisableTo(id, id).button(ctx.i18n.t(lang, "portfolio-disable-anyway"))]
    } else {
        portfolio::colleagues(store, person)
            .await?
            .iter()
            .map(|u| {
                let label = ctx.i18n.get(
                    lang,
                    "portfolio-disable-to",
                    Args::new().text("name", u.full_name.as_str()),
                );
                UserButton::DisableTo(id, u.telegram_id.get()).button(label)
            })
            .collect()
    };
    buttons.push(UserButton::Show(id).button(ctx.i18n.t(lang, "users-back")));
    let text = ctx.i18n.get(lang, "move-holds-work", held_args(&held));
    Ok((text, grid(buttons, 1)))
}
