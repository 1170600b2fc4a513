//! `/users`: admins manage the whitelist from the chat — list, add, change role or division,
//! disable and enable — with the same checks and audit trail as the operator CLI. Adding a
//! person is its own flow (`add.rs`).
//!
//! A division's manager sees only their division's people and, on a person's card, only what
//! SPEC §2 lets a manager do: give the portfolio away, mark a leave with its cover and end it.
//! Whitelisting, roles and disabling stay the admins'. Every press is checked again against
//! the same rule (`permitted`), because button data can be forged.

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
        /// Back early: the leave `user` is on ends today.
        EndLeave(user: i64) = "lb",
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

/// A manager of a division, who may act on its people (SPEC §2).
fn is_manager(caller: &Caller) -> bool {
    caller.user.active && caller.user.role == Role::Manager && caller.user.region.is_some()
}

/// Whether the caller may open `person`'s card and act on it: an admin anyone, a manager the
/// people of their division (the rule the domain's moves check again).
fn may_act_on(caller: &Caller, person: &User) -> bool {
    is_admin(caller) || (is_manager(caller) && moves::may_move_portfolio(Some(&caller.user), person))
}

/// Whether a press is the caller's to make: an admin's any; a manager's only the list and what
/// concerns a person of their division. Forged data naming anyone else is refused.
async fn permitted(ctx: &Ctx, caller: &Caller, button: &UserButton) -> anyhow::Result<bool> {
    if is_admin(caller) {
        return Ok(true);
    }
    if !is_manager(caller) {
        return Ok(false);
    }
    let person = match button {
        UserButton::Page(_) => return Ok(true),
        UserButton::Show(id)
        | UserButton::Portfolio(id)
        | UserButton::PortfolioTo(id, _)
        | UserButton::PortfolioSpread(id)
        | UserButton::ConfirmTo(id, _)
        | UserButton::ConfirmSpread(id)
        | UserButton::Leave(id)
        | UserButton::LeaveCover(id, ..)
        | UserButton::EndLeave(id) => *id,
        _ => return Ok(false),
    };
    let Ok(person) = TelegramId::new(person) else { return Ok(false) };
    Ok(directory::user(ctx.store.as_ref(), person).await?.is_some_and(|p| may_act_on(caller, &p)))
}

/// The people `/users` lists for the caller: everyone for an admin; for a manager their
/// division's people, themselves left out.
async fn listed(ctx: &Ctx, caller: &Caller) -> anyhow::Result<Vec<User>> {
    let users = directory::users(ctx.store.as_ref()).await?;
    Ok(if is_admin(caller) { users } else { users.into_iter().filter(|u| may_act_on(caller, u)).collect() })
}

pub async fn open(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    if !is_admin(caller) && !is_manager(caller) {
        reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "not-allowed")).await?;
        return Ok(());
    }
    if args.eq_ignore_ascii_case("add") {
        if !is_admin(caller) {
            reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "not-allowed")).await?;
            return Ok(());
        }
        return begin_add(bot, ctx, caller).await;
    }
    let (text, markup) = list_page(ctx, caller, 0).await?;
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

async fn list_page(ctx: &Ctx, caller: &Caller, page: u32) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let users = listed(ctx, caller).await?;
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
    let mut text = if is_admin(caller) {
        rows.push(vec![UserButton::Add.button(ctx.i18n.t(lang, "users-add"))]);
        ctx.i18n.get(lang, "users-title", Args::new().num("count", users.len() as i64))
    } else {
        let region = caller.user.region.as_ref().map(RegionCode::as_str).unwrap_or_default();
        let args = Args::new().num("count", users.len() as i64).text("region", region);
        ctx.i18n.get(lang, "users-title-division", args)
    };
    if pages > 1 {
        let args = Args::new().num("page", page as i64 + 1).num("pages", pages as i64);
        text = format!("{text}\n{}", ctx.i18n.get(lang, "users-page", args));
    }
    Ok((text, InlineKeyboardMarkup::new(rows)))
}

fn region_label(ctx: &Ctx, caller: &Caller, region: Option<&str>) -> String {
    region.map(str::to_owned).unwrap_or_else(|| ctx.i18n.t(caller.user.lang, "region-none"))
}

/// A person's card: who they are, their leave if they are on one, and the buttons of what the
/// caller may do with them.
async fn card(ctx: &Ctx, caller: &Caller, user: &User) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let status = ctx.i18n.t(lang, if user.active { "user-active" } else { "user-disabled" });
    let mut text = ctx.i18n.get(
        lang,
        "users-card",
        Args::new()
            .text("name", user.full_name.as_str())
            .text("id", user.telegram_id.to_string())
            .text("role", role_name(ctx, lang, user.role))
            .text("region", region_label(ctx, caller, user.region.as_ref().map(RegionCode::as_str)))
            .text("status", status),
    );
    let store = ctx.store.as_ref();
    let away = match user.active {
        true => moves::away_now(store, user, ctx.clock.now()).await?,
        false => None,
    };
    if let Some(leave) = &away {
        let cover = directory::user(store, leave.cover).await?;
        let cover = cover.map(|c| c.full_name.as_str().to_owned()).unwrap_or_else(|| leave.cover.to_string());
        let args = Args::new().text("to", leave.to.format("%d.%m.%Y").to_string()).text("cover", cover);
        text = format!("{text}\n{}", ctx.i18n.get(lang, "users-card-away", args));
    }
    let id = user.telegram_id.get();
    let admin = is_admin(caller);
    let mut buttons = vec![];
    if admin {
        buttons.push(UserButton::Roles(id).button(ctx.i18n.t(lang, "users-change-role")));
        if user.role.works_in_region() {
            buttons.push(UserButton::Regions(id, user.role).button(ctx.i18n.t(lang, "users-change-region")));
        }
    }
    if user.active && crate::domain::access::works_with_prospects(user) {
        buttons.push(UserButton::Portfolio(id).button(ctx.i18n.t(lang, "portfolio-button")));
        buttons.push(UserButton::Leave(id).button(ctx.i18n.t(lang, "leave-button")));
        if away.is_some() {
            buttons.push(UserButton::EndLeave(id).button(ctx.i18n.t(lang, "leave-end-button")));
        }
    }
    if admin {
        buttons.push(if user.active {
            UserButton::Active(id, false).button(ctx.i18n.t(lang, "users-disable"))
        } else {
            UserButton::Active(id, true).button(ctx.i18n.t(lang, "users-enable"))
        });
    }
    buttons.push(UserButton::Page(0).button(ctx.i18n.t(lang, "users-back")));
    Ok((text, grid(buttons, 1)))
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

/// A press on `/users` or on the add-user flow: an admin's, or a manager's about their
/// division's people (`permitted`); anyone else's is refused.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: UserButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    if !permitted(ctx, caller, &button).await? {
        return Ok(Answer::alert(ctx.i18n.t(lang, "button-not-allowed")));
    }
    let now = ctx.clock.now();
    let actor = Some(caller.user.telegram_id);
    match button {
        UserButton::Page(page) => show(bot, caller, message, list_page(ctx, caller, page).await?).await?,
        UserButton::Show(id) => {
            show(bot, caller, message, card(ctx, caller, &target(ctx, id).await?).await?).await?
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
            show(bot, caller, message, card(ctx, caller, &user).await?).await?;
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
            show(bot, caller, message, card(ctx, caller, &user).await?).await?;
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
            show(bot, caller, message, card(ctx, caller, &user).await?).await?;
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
            let (text, markup) = card(ctx, caller, &person).await?;
            show(bot, caller, message, (format!("{done}\n\n{text}"), markup)).await?;
        }
        UserButton::EndLeave(id) => {
            let leave =
                moves::end_leave(ctx.store.as_ref(), Some(&caller.user), TelegramId::new(id)?, now).await?;
            let person = target(ctx, id).await?;
            let done = ctx.i18n.get(
                lang,
                "leave-ended",
                Args::new()
                    .text("name", person.full_name.as_str())
                    .text("to", leave.to.format("%d.%m.%Y").to_string()),
            );
            let (text, markup) = card(ctx, caller, &person).await?;
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
    let (text, markup) = card(ctx, caller, &plan.from).await?;
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
    let person = target(ctx, user).await?;
    if !may_act_on(caller, &person) {
        flow::clear(ctx, caller.chat).await?;
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "not-allowed")).await?;
        return Ok(());
    }
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
