//! `/users`: admins manage the whitelist from the chat — list, add, change role or division,
//! disable and enable — with the same checks and audit trail as the operator CLI.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::commands;
use super::flow::{self, State};
use super::gate::Caller;
use super::keyboards::{Action, grid};
use super::reply::Answer;
use super::reply::{self, role_name};
use super::{Ctx, HandlerResult};
use crate::domain::access::{NewUser, Placement, Role, User};
use crate::domain::directory;
use crate::domain::ids::{FullName, ParseError, RegionCode, TelegramId};
use crate::i18n::Args;

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
            vec![Action::UserShow(u.telegram_id.get()).button(label)]
        })
        .collect();
    let mut nav = vec![];
    if page > 0 {
        nav.push(Action::UsersPage(page as u32 - 1).button(ctx.i18n.t(lang, "users-prev")));
    }
    if page + 1 < pages {
        nav.push(Action::UsersPage(page as u32 + 1).button(ctx.i18n.t(lang, "users-next")));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    rows.push(vec![Action::UserAdd.button(ctx.i18n.t(lang, "users-add"))]);
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
    let mut buttons = vec![Action::UserRoles(id).button(ctx.i18n.t(lang, "users-change-role"))];
    if user.role.works_in_region() {
        buttons.push(Action::UserRegions(id, user.role).button(ctx.i18n.t(lang, "users-change-region")));
    }
    buttons.push(if user.active {
        Action::UserActive(id, false).button(ctx.i18n.t(lang, "users-disable"))
    } else {
        Action::UserActive(id, true).button(ctx.i18n.t(lang, "users-enable"))
    });
    buttons.push(Action::UsersPage(0).button(ctx.i18n.t(lang, "users-back")));
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

fn role_buttons(ctx: &Ctx, caller: &Caller, action: impl Fn(Role) -> Action) -> Vec<InlineKeyboardButton> {
    Role::ALL.into_iter().map(|r| action(r).button(role_name(ctx, caller.user.lang, r))).collect()
}

async fn region_buttons(
    ctx: &Ctx,
    action: impl Fn(String) -> Action,
) -> anyhow::Result<Vec<InlineKeyboardButton>> {
    let regions = directory::regions(ctx.store.as_ref()).await?;
    Ok(regions
        .iter()
        .map(|r| action(r.code.to_string()).button(format!("{} · {}", r.code, r.name.as_str())))
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

pub async fn on_action(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    action: Action,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    if !is_admin(caller) {
        return Ok(Answer::alert(ctx.i18n.t(lang, "button-not-allowed")));
    }
    let now = ctx.clock.now();
    let actor = Some(caller.user.telegram_id);
    match action {
        Action::UsersPage(page) => show(bot, caller, message, list_page(ctx, caller, page).await?).await?,
        Action::UserShow(id) => {
            show(bot, caller, message, card(ctx, caller, &target(ctx, id).await?)).await?
        }
        Action::UserAdd => begin_add(bot, ctx, caller).await?,
        Action::UserRoles(id) => {
            let user = target(ctx, id).await?;
            let mut buttons =
                role_buttons(ctx, caller, |role| match (role.works_in_region(), &user.region) {
                    (true, Some(region)) => Action::UserPlace(id, role, Some(region.to_string())),
                    (true, None) => Action::UserRegions(id, role),
                    (false, _) => Action::UserPlace(id, role, None),
                });
            buttons.push(Action::UserShow(id).button(ctx.i18n.t(lang, "users-back")));
            let text =
                ctx.i18n.get(lang, "users-ask-role", Args::new().text("name", user.full_name.as_str()));
            show(bot, caller, message, (text, grid(buttons, 1))).await?;
        }
        Action::UserRegions(id, role) => {
            let user = target(ctx, id).await?;
            let mut buttons = region_buttons(ctx, |code| Action::UserPlace(id, role, Some(code))).await?;
            if buttons.is_empty() {
                return Ok(Answer::alert(ctx.i18n.t(lang, "err-no-regions")));
            }
            buttons.push(Action::UserShow(id).button(ctx.i18n.t(lang, "users-back")));
            let text =
                ctx.i18n.get(lang, "users-ask-region", Args::new().text("name", user.full_name.as_str()));
            show(bot, caller, message, (text, grid(buttons, 1))).await?;
        }
        Action::UserPlace(id, role, region) => {
            let region = region.as_deref().map(RegionCode::parse).transpose()?;
            let placement = Placement::new(role, region)?;
            let user =
                directory::change_placement(ctx.store.as_ref(), TelegramId::new(id)?, &placement, actor, now)
                    .await?;
            refresh_commands(bot, ctx, &user).await;
            show(bot, caller, message, card(ctx, caller, &user)).await?;
        }
        Action::UserActive(id, active) => {
            let user =
                directory::set_active(ctx.store.as_ref(), TelegramId::new(id)?, active, actor, now).await?;
            refresh_commands(bot, ctx, &user).await;
            show(bot, caller, message, card(ctx, caller, &user)).await?;
        }
        Action::FlowRole(role) => return flow_role(bot, ctx, caller, message, role).await,
        Action::FlowRegion(code) => return flow_region(bot, ctx, caller, message, code).await,
        Action::FlowSave => return flow_save(bot, ctx, caller, message).await,
        Action::FlowCancel => {
            flow::clear(ctx, caller.chat).await?;
            let text = ctx.i18n.t(lang, "cancel-done");
            show(bot, caller, message, (text, InlineKeyboardMarkup::default())).await?;
        }
        _ => return Ok(stale(ctx, caller)),
    }
    Ok(Answer::done())
}

/// Starts the add-user flow for a known person (an approved request): from the role question
/// when their Telegram name will do, else from the name.
pub async fn begin_add_for(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: TelegramId,
    name: Option<FullName>,
) -> HandlerResult {
    match name {
        Some(name) => {
            let next = State::AwaitUserRole { id: id.get(), name: name.as_str().to_owned() };
            flow::save(ctx, caller.chat, &next).await?;
            ask_role(bot, ctx, caller, name.as_str()).await
        }
        None => {
            flow::save(ctx, caller.chat, &State::AwaitUserName { id: id.get() }).await?;
            reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "users-ask-name")).await?;
            Ok(())
        }
    }
}

async fn begin_add(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    flow::save(ctx, caller.chat, &State::AwaitUserId).await?;
    reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "users-ask-id")).await?;
    Ok(())
}

/// A typed answer inside the add-user flow.
pub async fn on_text(bot: &Bot, ctx: &Ctx, caller: &Caller, state: State, text: &str) -> HandlerResult {
    let lang = caller.user.lang;
    if !is_admin(caller) {
        flow::clear(ctx, caller.chat).await?;
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "not-allowed")).await?;
        return Ok(());
    }
    match state {
        State::AwaitUserId => {
            let Some(id) = typed(bot, ctx, caller, TelegramId::parse(text), "users-ask-id").await? else {
                return Ok(());
            };
            if directory::user(ctx.store.as_ref(), id).await?.is_some() {
                let err = ctx.i18n.get(lang, "err-user-exists", Args::new().text("id", id.to_string()));
                return ask_again(bot, ctx, caller, err, "users-ask-id").await;
            }
            flow::save(ctx, caller.chat, &State::AwaitUserName { id: id.get() }).await?;
            reply::send(bot, caller.chat, ctx.i18n.t(lang, "users-ask-name")).await?;
        }
        State::AwaitUserName { id } => {
            let Some(name) = typed(bot, ctx, caller, FullName::parse(text), "users-ask-name").await? else {
                return Ok(());
            };
            let next = State::AwaitUserRole { id, name: name.as_str().to_owned() };
            flow::save(ctx, caller.chat, &next).await?;
            ask_role(bot, ctx, caller, name.as_str()).await?;
        }
        // The remaining steps are answered with buttons: show the same question again.
        State::AwaitUserRole { name, .. } => ask_role(bot, ctx, caller, &name).await?,
        State::AwaitUserRegion { name, .. } => {
            ask_region(bot, ctx, caller, None, &name).await?;
        }
        State::ConfirmUser { id, name, role, region } => {
            confirm(bot, ctx, caller, None, id, &name, role, region.as_deref()).await?
        }
        _ => {}
    }
    Ok(())
}

/// A typed value, or — when it is not valid — the reason and the same question again.
async fn typed<T>(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    parsed: Result<T, ParseError>,
    question: &str,
) -> anyhow::Result<Option<T>> {
    match parsed {
        Ok(value) => Ok(Some(value)),
        Err(e) => {
            let error = reply::explain_parse(ctx, caller.user.lang, &e);
            ask_again(bot, ctx, caller, error, question).await?;
            Ok(None)
        }
    }
}

async fn ask_again(bot: &Bot, ctx: &Ctx, caller: &Caller, error: String, question: &str) -> HandlerResult {
    let question = ctx.i18n.t(caller.user.lang, question);
    reply::send(bot, caller.chat, format!("{error}\n\n{question}")).await?;
    Ok(())
}

fn cancel_button(ctx: &Ctx, caller: &Caller) -> InlineKeyboardButton {
    Action::FlowCancel.button(ctx.i18n.t(caller.user.lang, "users-cancel"))
}

async fn ask_role(bot: &Bot, ctx: &Ctx, caller: &Caller, name: &str) -> HandlerResult {
    let mut buttons = role_buttons(ctx, caller, Action::FlowRole);
    buttons.push(cancel_button(ctx, caller));
    let text = ctx.i18n.get(caller.user.lang, "users-ask-role", Args::new().text("name", name));
    reply::send_with(bot, caller.chat, text, grid(buttons, 1)).await?;
    Ok(())
}

async fn ask_region(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    name: &str,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let mut buttons = region_buttons(ctx, Action::FlowRegion).await?;
    if buttons.is_empty() {
        return Ok(Answer::alert(ctx.i18n.t(lang, "err-no-regions")));
    }
    buttons.push(cancel_button(ctx, caller));
    let text = ctx.i18n.get(lang, "users-ask-region", Args::new().text("name", name));
    show(bot, caller, message, (text, grid(buttons, 1))).await?;
    Ok(Answer::done())
}

#[allow(clippy::too_many_arguments)]
async fn confirm(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    id: i64,
    name: &str,
    role: Role,
    region: Option<&str>,
) -> HandlerResult {
    let lang = caller.user.lang;
    let text = ctx.i18n.get(
        lang,
        "users-confirm",
        Args::new()
            .text("name", name)
            .text("id", id.to_string())
            .text("role", role_name(ctx, lang, role))
            .text("region", region_label(ctx, caller, region)),
    );
    let buttons = vec![Action::FlowSave.button(ctx.i18n.t(lang, "users-save")), cancel_button(ctx, caller)];
    show(bot, caller, message, (text, grid(buttons, 2))).await
}

fn stale(ctx: &Ctx, caller: &Caller) -> Answer {
    Answer::alert(ctx.i18n.t(caller.user.lang, "button-stale"))
}

async fn flow_role(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    role: Role,
) -> anyhow::Result<Answer> {
    let State::AwaitUserRole { id, name } = flow::load(ctx, caller.chat).await? else {
        return Ok(stale(ctx, caller));
    };
    if role.works_in_region() {
        let answer = ask_region(bot, ctx, caller, message, &name).await?;
        if answer.text.is_none() {
            flow::save(ctx, caller.chat, &State::AwaitUserRegion { id, name, role }).await?;
        }
        return Ok(answer);
    }
    flow::save(ctx, caller.chat, &State::ConfirmUser { id, name: name.clone(), role, region: None }).await?;
    confirm(bot, ctx, caller, message, id, &name, role, None).await?;
    Ok(Answer::done())
}

async fn flow_region(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    code: String,
) -> anyhow::Result<Answer> {
    let State::AwaitUserRegion { id, name, role } = flow::load(ctx, caller.chat).await? else {
        return Ok(stale(ctx, caller));
    };
    let code = RegionCode::parse(&code)?;
    if directory::region(ctx.store.as_ref(), &code).await?.is_none() {
        return Err(crate::domain::access::AccessError::UnknownRegion(code).into());
    }
    let region = Some(code.to_string());
    flow::save(
        ctx,
        caller.chat,
        &State::ConfirmUser { id, name: name.clone(), role, region: region.clone() },
    )
    .await?;
    confirm(bot, ctx, caller, message, id, &name, role, region.as_deref()).await?;
    Ok(Answer::done())
}

async fn flow_save(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
) -> anyhow::Result<Answer> {
    let State::ConfirmUser { id, name, role, region } = flow::load(ctx, caller.chat).await? else {
        return Ok(stale(ctx, caller));
    };
    let region = region.as_deref().map(RegionCode::parse).transpose()?;
    let user = NewUser::new(
        TelegramId::new(id)?,
        FullName::parse(&name)?,
        role,
        region,
        Some(caller.user.telegram_id),
    )?;
    let added = directory::add_user(ctx.store.as_ref(), &user, ctx.clock.now()).await?;
    flow::clear(ctx, caller.chat).await?;
    let text = ctx.i18n.get(caller.user.lang, "users-added", Args::new().text("name", &name));
    show(bot, caller, message, (text, InlineKeyboardMarkup::default())).await?;
    refresh_commands(bot, ctx, &added).await;
    super::requests::approve_if_requested(bot, ctx, caller, added.telegram_id).await?;
    Ok(Answer::done())
}
