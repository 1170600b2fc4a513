//! `/users`: admins manage the whitelist from the chat — list, add, change role or division,
//! disable and enable — with the same checks and audit trail as the operator CLI. Adding a
//! person is its own flow (`add.rs`).

use chrono::NaiveDate;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

mod add;
mod portfolio;

use add::{begin_add, flow_region, flow_role, flow_save};
pub use add::{begin_add_for, on_text};

use crate::bot::buttons::{Press, buttons};
use crate::bot::commands;
use crate::bot::flow;
use crate::bot::gate::Caller;
use crate::bot::reply::{self, Answer, Typed, role_name};
use crate::bot::ui::grid;
use crate::bot::{Ctx, HandlerResult};
use crate::domain::access::{Placement, Role, User};
use crate::domain::directory;
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::portfolio::{self as moves, MoveError, Recipients};
use crate::i18n::Args;

buttons! {
    /// `/users`' buttons, and the steps of adding a person.
    pub enum UserButton {
        Page(page: u32) = "p",
        Show(user: i64) = "s",
        Add = "add",
        /// Offer roles for an existing user.
        Roles(user: i64) = "rm",
        /// Offer divisions for an existing user who keeps (or gets) `role`.
        Regions(user: i64, role: Role) = "gm",
        /// Set role and division of an existing user.
        Place(user: i64, role: Role, region: Option<RegionCode>) = "pl",
        Active(user: i64, active: bool) = "a",
        /// The role of the person being added.
        AddRole(role: Role) = "fr",
        AddRegion(region: RegionCode) = "fg",
        AddSave = "fs",
        AddCancel = "fx",
        /// «Передать все карточки»: whom to give them.
        Portfolio(user: i64) = "pf",
        /// The preview of giving them all to one colleague, or spreading them.
        PortfolioTo(from: i64, to: i64) = "pt",
        PortfolioSpread(from: i64) = "ps",
        ConfirmTo(from: i64, to: i64) = "ct",
        ConfirmSpread(from: i64) = "cs",
        /// Disable, handing everything over to a colleague in the same step.
        DisableTo(user: i64, to: i64) = "dt",
        /// Mark away: the dates are asked next.
        Leave(user: i64) = "lv",
        /// The colleague covering `user` from one day to another.
        LeaveCover(user: i64, cover: i64, from: NaiveDate, to: NaiveDate) = "lc",
    }
}

impl UserButton {
    /// Whether the press starts a flow (then none may be in progress).
    pub fn starts_flow(&self) -> bool {
        matches!(self, UserButton::Add | UserButton::Leave(_))
    }
}

const PAGE: usize = 10;

fn is_admin(caller: &Caller) -> bool {
    caller.user.role == Role::Admin
}

pub async fn open(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    if args.eq_ignore_ascii_case("add") {
        return begin_add(bot, ctx, caller).await;
    }
    let (text, markup) = list_page(ctx, caller, 0).await?;
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

async fn list_page(ctx: &Ctx, caller: &Caller, page: u32) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let users = directory::users(ctx.store.as_ref()).await?;
    let pages = users.len().div_ceil(PAGE).max(1);
    let page = (page as usize).min(pages - 1);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = users
        .iter()
        .skip(page * PAGE)
        .take(PAGE)
        .map(|u| {
            let mark = if u.active { "" } else { "⛔ " };
            let label = format!("{mark}{} · {}", u.full_name.as_str(), role_name(ctx, lang, u.role));
            vec![UserButton::Show(u.telegram_id.get()).button(label)]
        })
        .collect();
    let mut nav = vec![];
    if page > 0 {
        nav.push(UserButton::Page(page as u32 - 1).button(ctx.i18n.t(lang, "users-prev")));
    }
    if page + 1 < pages {
        nav.push(UserButton::Page(page as u32 + 1).button(ctx.i18n.t(lang, "users-next")));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    rows.push(vec![UserButton::Add.button(ctx.i18n.t(lang, "users-add"))]);
    let mut text = ctx.i18n.get(lang, "users-title", Args::new().num("count", users.len() as i64));
    if pages > 1 {
        let args = Args::new().num("page", page as i64 + 1).num("pages", pages as i64);
        text = format!("{text}\n{}", ctx.i18n.get(lang, "users-page", args));
    }
    Ok((text, InlineKeyboardMarkup::new(rows)))
}

fn region_label(ctx: &Ctx, caller: &Caller, region: Option<&str>) -> String {
    region.map(str::to_owned).unwrap_or_else(|| ctx.i18n.t(caller.user.lang, "region-none"))
}

fn card(ctx: &Ctx, caller: &Caller, user: &User) -> (String, InlineKeyboardMarkup) {
    let lang = caller.user.lang;
    let status = ctx.i18n.t(lang, if user.active { "user-active" } else { "user-disabled" });
    let text = ctx.i18n.get(
        lang,
        "users-card",
        Args::new()
            .text("name", user.full_name.as_str())
            .text("id", user.telegram_id.to_string())
            .text("role", role_name(ctx, lang, user.role))
            .text("region", region_label(ctx, caller, user.region.as_ref().map(RegionCode::as_str)))
            .text("status", status),
    );
    let id = user.telegram_id.get();
    let mut buttons = vec![UserButton::Roles(id).button(ctx.i18n.t(lang, "users-change-role"))];
    if user.role.works_in_region() {
        buttons.push(UserButton::Regions(id, user.role).button(ctx.i18n.t(lang, "users-change-region")));
    }
    if user.active && crate::domain::access::works_with_prospects(user) {
        buttons.push(UserButton::Portfolio(id).button(ctx.i18n.t(lang, "portfolio-button")));
        buttons.push(UserButton::Leave(id).button(ctx.i18n.t(lang, "leave-button")));
    }
    buttons.push(if user.active {
        UserButton::Active(id, false).button(ctx.i18n.t(lang, "users-disable"))
    } else {
        UserButton::Active(id, true).button(ctx.i18n.t(lang, "users-enable"))
    });
    buttons.push(UserButton::Page(0).button(ctx.i18n.t(lang, "users-back")));
    (text, grid(buttons, 1))
}

async fn show(
    bot: &Bot,
    caller: &Caller,
    message: Option<MessageId>,
    (text, markup): (String, InlineKeyboardMarkup),
) -> HandlerResult {
    reply::show(bot, caller.chat, message, text, markup).await
}

fn role_buttons(
    ctx: &Ctx,
    caller: &Caller,
    action: impl Fn(Role) -> UserButton,
) -> Vec<InlineKeyboardButton> {
    Role::ALL.into_iter().map(|r| action(r).button(role_name(ctx, caller.user.lang, r))).collect()
}

async fn region_buttons(
    ctx: &Ctx,
    action: impl Fn(RegionCode) -> UserButton,
) -> anyhow::Result<Vec<InlineKeyboardButton>> {
    let regions = directory::regions(ctx.store.as_ref()).await?;
    Ok(regions
        .iter()
        .map(|r| action(r.code.clone()).button(format!("{} · {}", r.code, r.name.as_str())))
        .collect())
}

async fn target(ctx: &Ctx, id: i64) -> anyhow::Result<User> {
    let id = TelegramId::new(id)?;
    let user = directory::user(ctx.store.as_ref(), id).await?;
    Ok(user.ok_or(crate::domain::access::AccessError::UnknownUser(id))?)
}

/// Tells Telegram the person's new command list; they may never have opened the bot, which is
/// no reason to fail the admin's change.
async fn refresh_commands(bot: &Bot, ctx: &Ctx, user: &User) {
    if let Err(e) = commands::register_for(bot, ctx, user).await {
        tracing::info!(user = user.telegram_id.get(), error = %e, "command list not updated");
    }
}

/// An admin's press on `/users` or on the add-user flow; anyone else's is refused.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: UserButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    if !is_admin(caller) {
        return Ok(Answer::alert(ctx.i18n.t(lang, "button-not-allowed")));
    }
    let now = ctx.clock.now();
    let actor = Some(caller.user.telegram_id);
    match button {
        UserButton::Page(page) => show(bot, caller, message, list_page(ctx, caller, page).await?).await?,
        UserButton::Show(id) => {
            show(bot, caller, message, card(ctx, caller, &target(ctx, id).await?)).await?
        }
        UserButton::Add => begin_add(bot, ctx, caller).await?,
        UserButton::Roles(id) => {
            let user = target(ctx, id).await?;
            let mut buttons =
                role_buttons(ctx, caller, |role| match (role.works_in_region(), &user.region) {
                    (true, Some(region)) => UserButton::Place(id, role, Some(region.clone())),
                    (true, None) => UserButton::Regions(id, role),
                    (false, _) => UserButton::Place(id, role, None),
                });
            buttons.push(UserButton::Show(id).button(ctx.i18n.t(lang, "users-back")));
            let text =
                ctx.i18n.get(lang, "users-ask-role", Args::new().text("name", user.full_name.as_str()));
            show(bot, caller, message, (text, grid(buttons, 1))).await?;
        }
        UserButton::Regions(id, role) => {
            let user = target(ctx, id).await?;
            let mut buttons = region_buttons(ctx, |code| UserButton::Place(id, role, Some(code))).await?;
            if buttons.is_empty() {
                return Ok(Answer::alert(ctx.i18n.t(lang, "err-no-regions")));
            }
            buttons.push(UserButton::Show(id).button(ctx.i18n.t(lang, "users-back")));
            let text =
                ctx.i18n.get(lang, "users-ask-region", Args::new().text("name", user.full_name.as_str()));
            show(bot, caller, message, (text, grid(buttons, 1))).await?;
        }
        UserButton::Place(id, role, region) => {
            let placement = Placement::new(role, region)?;
            let user =
                directory::change_placement(ctx.store.as_ref(), TelegramId::new(id)?, &placement, actor, now)
                    .await?;
            refresh_commands(bot, ctx, &user).await;
            show(bot, caller, message, card(ctx, caller, &user)).await?;
        }
        UserButton::Active(id, active) => {
            let id = TelegramId::new(id)?;
            let store = ctx.store.as_ref();
            // Disabling someone who still holds work is refused, saying how much, and offers
            // the hand-over (SPEC §2).
            let user = if active {
                directory::set_active(store, id, true, actor, now).await?
            } else {
                match moves::disable(store, Some(&caller.user), id, None, now).await {
                    Ok(user) => user,
                    Err(MoveError::HoldsWork { .. }) => {
                        let person = target(ctx, id.get()).await?;
                        show(bot, caller, message, portfolio::disable_choice(ctx, caller, &person).await?)
                            .await?;
                        return Ok(Answer::done());
                    }
                    Err(e) => return Err(e.into()),
                }
            };
            refresh_commands(bot, ctx, &user).await;
            show(bot, caller, message, card(ctx, caller, &user)).await?;
        }
        UserButton::Portfolio(id) => {
            let from = target(ctx, id).await?;
            show(bot, caller, message, portfolio::choose(ctx, caller, &from).await?).await?;
        }
        UserButton::PortfolioTo(from, to) => {
            let plan = moves::plan(
                ctx.store.as_ref(),
                Some(&caller.user),
                TelegramId::new(from)?,
                Recipients::One(TelegramId::new(to)?),
            )
            .await?;
            show(
                bot,
                caller,
                message,
                portfolio::preview(ctx, caller, &plan, UserButton::ConfirmTo(from, to)),
            )
            .await?;
        }
        UserButton::PortfolioSpread(from) => {
            let plan = moves::plan(
                ctx.store.as_ref(),
                Some(&caller.user),
                TelegramId::new(from)?,
                Recipients::Spread,
            )
            .await?;
            show(
                bot,
                caller,
                message,
                portfolio::preview(ctx, caller, &plan, UserButton::ConfirmSpread(from)),
            )
            .await?;
        }
        UserButton::ConfirmTo(from, to) => {
            let whom = Recipients::One(TelegramId::new(to)?);
            return confirm(bot, ctx, caller, message, from, whom).await;
        }
        UserButton::ConfirmSpread(from) => {
            return confirm(bot, ctx, caller, message, from, Recipients::Spread).await;
        }
        UserButton::DisableTo(id, to) => {
            let store = ctx.store.as_ref();
            let user = moves::disable(
                store,
                Some(&caller.user),
                TelegramId::new(id)?,
                Some(TelegramId::new(to)?),
                now,
            )
            .await?;
            refresh_commands(bot, ctx, &user).await;
            show(bot, caller, message, card(ctx, caller, &user)).await?;
        }
        UserButton::Leave(id) => {
            let person = target(ctx, id).await?;
            flow::save(ctx, caller.chat, &flow::State::AwaitLeave { user: id }).await?;
            let text =
                ctx.i18n.get(lang, "leave-ask-dates", Args::new().text("name", person.full_name.as_str()));
            reply::send(bot, caller.chat, text).await?;
        }
        UserButton::LeaveCover(id, cover, from, to) => {
            let absence = moves::Absence {
                who: TelegramId::new(id)?,
                cover: TelegramId::new(cover)?,
                from,
                to,
                by: actor,
            };
            moves::set_away(ctx.store.as_ref(), Some(&caller.user), &absence, now).await?;
            let person = target(ctx, id).await?;
            let cover = target(ctx, cover).await?;
            let done = ctx.i18n.get(
                lang,
                "leave-done",
                Args::new()
                    .text("from", from.format("%d.%m.%Y").to_string())
                    .text("to", to.format("%d.%m.%Y").to_string())
                    .text("cover", cover.full_name.as_str()),
            );
            let (text, markup) = card(ctx, caller, &person);
            show(bot, caller, message, (format!("{done}\n\n{text}"), markup)).await?;
        }
        UserButton::AddRole(role) => return flow_role(bot, ctx, caller, message, role).await,
        UserButton::AddRegion(code) => return flow_region(bot, ctx, caller, message, code).await,
        UserButton::AddSave => return flow_save(bot, ctx, caller, message).await,
        UserButton::AddCancel => {
            flow::clear(ctx, caller.chat).await?;
            let text = ctx.i18n.t(lang, "cancel-done");
            show(bot, caller, message, (text, InlineKeyboardMarkup::default())).await?;
        }
    }
    Ok(Answer::done())
}

/// «Подтвердить»: the move planned again as it now stands and carried out whole; the person's
/// card after it, saying how many went.
async fn confirm(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    from: i64,
    whom: Recipients,
) -> anyhow::Result<Answer> {
    let store = ctx.store.as_ref();
    let lang = caller.user.lang;
    let plan = moves::plan(store, Some(&caller.user), TelegramId::new(from)?, whom).await?;
    if plan.cards() == 0 {
        return Ok(Answer::alert(ctx.i18n.t(lang, "portfolio-nothing")));
    }
    moves::carry_out(store, Some(&caller.user), &plan, ctx.clock.now()).await?;
    let (text, markup) = card(ctx, caller, &plan.from);
    let done = ctx.i18n.get(lang, "portfolio-done", Args::new().num("cards", plan.cards() as i64));
    show(bot, caller, message, (format!("{done}\n\n{text}"), markup)).await?;
    Ok(Answer::done())
}

/// The dates of a leave, typed after «Отпуск»: two days, the first not after the last; then the
/// colleagues who may cover. A mistake is explained and the same question asked again.
pub async fn on_leave_text(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    user: i64,
    Typed(text): Typed,
) -> HandlerResult {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    if !is_admin(caller) {
        flow::clear(ctx, caller.chat).await?;
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "not-allowed")).await?;
        return Ok(());
    }
    let person = target(ctx, user).await?;
    let days: Vec<Option<NaiveDate>> = text
        .split(|c: char| c.is_whitespace() || c == '-' || c == '–' || c == '—')
        .filter(|w| !w.is_empty())
        .map(|w| NaiveDate::parse_from_str(w, "%d.%m.%Y").ok())
        .collect();
    let (from, to) = match days.as_slice() {
        [Some(from), Some(to)] if from <= to => (*from, *to),
        [Some(_), Some(_)] => {
            let again =
                ctx.i18n.get(lang, "leave-ask-dates", Args::new().text("name", person.full_name.as_str()));
            reply::send(bot, caller.chat, format!("{}\n{again}", ctx.i18n.t(lang, "away-bad-dates"))).await?;
            return Ok(());
        }
        _ => {
            let again =
                ctx.i18n.get(lang, "leave-ask-dates", Args::new().text("name", person.full_name.as_str()));
            reply::send(bot, caller.chat, format!("{}\n{again}", ctx.i18n.t(lang, "leave-bad-dates")))
                .await?;
            return Ok(());
        }
    };
    flow::clear(ctx, caller.chat).await?;
    let mut buttons: Vec<InlineKeyboardButton> = moves::colleagues(ctx.store.as_ref(), &person)
        .await?
        .iter()
        .map(|u| UserButton::LeaveCover(user, u.telegram_id.get(), from, to).button(u.full_name.as_str()))
        .collect();
    buttons.push(UserButton::Show(user).button(ctx.i18n.t(lang, "users-back")));
    let text = ctx.i18n.get(
        lang,
        "leave-ask-cover",
        Args::new()
            .text("name", person.full_name.as_str())
            .text("from", from.format("%d.%m.%Y").to_string())
            .text("to", to.format("%d.%m.%Y").to_string()),
    );
    reply::send_with(bot, caller.chat, text, grid(buttons, 1)).await?;
    Ok(())
}
