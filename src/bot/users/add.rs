//! Adding a person from the chat: the Telegram id, the name, the role and the division asked
//! in turn, then confirmed; or, for an approved request, from the role with their Telegram name.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::{UserButton, is_admin, refresh_commands, region_buttons, region_label, role_buttons, show};
use crate::bot::buttons::Press;
use crate::bot::flow::{self, State};
use crate::bot::gate::Caller;
use crate::bot::reply::{self, Answer, Typed, role_name};
use crate::bot::ui::grid;
use crate::bot::{Ctx, HandlerResult};
use crate::domain::access::{NewUser, Role};
use crate::domain::directory;
use crate::domain::ids::{FullName, ParseError, RegionCode, TelegramId};
use crate::i18n::Args;

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

pub(super) async fn begin_add(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    flow::save(ctx, caller.chat, &State::AwaitUserId).await?;
    reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "users-ask-id")).await?;
    Ok(())
}

/// A typed answer inside the add-user flow.
pub async fn on_text(bot: Bot, ctx: Ctx, caller: Caller, state: State, Typed(text): Typed) -> HandlerResult {
    let (bot, ctx, caller, text) = (&bot, &ctx, &caller, text.as_str());
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
        // The router sends only the steps of adding a person here (`State::adds_user`).
        other => tracing::warn!(state = other.name(), "not a step of adding a person"),
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
    UserButton::AddCancel.button(ctx.i18n.t(caller.user.lang, "users-cancel"))
}

async fn ask_role(bot: &Bot, ctx: &Ctx, caller: &Caller, name: &str) -> HandlerResult {
    let mut buttons = role_buttons(ctx, caller, UserButton::AddRole);
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
    let mut buttons = region_buttons(ctx, UserButton::AddRegion).await?;
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
    let buttons =
        vec![UserButton::AddSave.button(ctx.i18n.t(lang, "users-save")), cancel_button(ctx, caller)];
    show(bot, caller, message, (text, grid(buttons, 2))).await
}

pub(super) fn stale(ctx: &Ctx, caller: &Caller) -> Answer {
    Answer::alert(ctx.i18n.t(caller.user.lang, "button-stale"))
}

pub(super) async fn flow_role(
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

pub(super) async fn flow_region(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    message: Option<MessageId>,
    code: RegionCode,
) -> anyhow::Result<Answer> {
    let State::AwaitUserRegion { id, name, role } = flow::load(ctx, caller.chat).await? else {
        return Ok(stale(ctx, caller));
    };
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

pub(super) async fn flow_save(
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
    crate::bot::requests::approve_if_requested(bot, ctx, caller, added.telegram_id).await?;
    Ok(Answer::done())
}
