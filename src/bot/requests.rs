//! Requests for access (SPEC §2): a stranger presses the button under the refusal, every active
//! admin gets the request with the person's name, username and id, and approves it (choosing
//! role and division in the add-user flow) or rejects it. The person is told the outcome.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::buttons::{Press, buttons};
use super::gate::Caller;
use super::reply::{self, Answer};
use super::ui::grid;
use super::{Ctx, users};
use crate::domain::access::{AccessError, AccessRequest, Lang, RequestState, Role};
use crate::domain::directory;
use crate::domain::ids::{FullName, TelegramId};
use crate::i18n::Args;

buttons! {
    /// A request for access: the stranger's button, and the admins' decision.
    pub enum RequestButton {
        /// A stranger asks for access (the only button a stranger may press).
        Request = "req",
        Approve(person: i64) = "ok",
        Reject(person: i64) = "no",
    }
}

impl RequestButton {
    /// Whether the press starts a flow (then none may be in progress).
    pub fn starts_flow(&self) -> bool {
        matches!(self, RequestButton::Approve(_))
    }
}

/// The language strangers are addressed in: they have no profile yet.
const STRANGER_LANG: Lang = Lang::Ru;

/// The refusal's button for a stranger.
pub fn request_button(ctx: &Ctx) -> InlineKeyboardMarkup {
    let label = ctx.i18n.t(STRANGER_LANG, "access-request-button");
    InlineKeyboardMarkup::new([[RequestButton::Request.button(label)]])
}

/// A stranger pressed "Request access"; returns the text to answer the press with.
pub async fn request(bot: &Bot, ctx: &Ctx, from: &teloxide::types::User) -> anyhow::Result<String> {
    let now = ctx.clock.now();
    let id = TelegramId::new(from.id.0 as i64)?;
    let request = AccessRequest {
        telegram_id: id,
        full_name: from.full_name(),
        username: from.username.clone(),
        requested_at: now,
        state: RequestState::Pending,
    };
    let Some(admins) = directory::request_access(ctx.store.as_ref(), &request, now).await? else {
        return Ok(ctx.i18n.t(STRANGER_LANG, "access-request-repeat"));
    };
    for admin in admins {
        let lang = admin.lang;
        let username = request.username.as_deref().map(|u| format!("@{u}")).unwrap_or_default();
        let text = ctx.i18n.get(
            lang,
            "access-request-admin",
            Args::new()
                .text("name", &request.full_name)
                .text("username", username)
                .text("id", id.to_string()),
        );
        let buttons = vec![
            RequestButton::Approve(id.get()).button(ctx.i18n.t(lang, "access-request-approve")),
            RequestButton::Reject(id.get()).button(ctx.i18n.t(lang, "access-request-reject")),
        ];
        let chat = ChatId(admin.telegram_id.get());
        if let Err(e) = reply::send_with(bot, chat, text, grid(buttons, 2)).await {
            tracing::warn!(admin = chat.0, error = %e, "cannot pass an access request to an admin");
        }
    }
    Ok(ctx.i18n.t(STRANGER_LANG, "access-request-sent"))
}

async fn pending(ctx: &Ctx, id: i64) -> anyhow::Result<Option<AccessRequest>> {
    Ok(directory::pending_request(ctx.store.as_ref(), TelegramId::new(id)?).await?)
}

/// An admin's decision on a request.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: RequestButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    if caller.user.role != Role::Admin {
        return Ok(Answer::alert(ctx.i18n.t(lang, "button-not-allowed")));
    }
    let decided = || Answer::alert(ctx.i18n.t(lang, "access-request-decided"));
    match button {
        RequestButton::Approve(id) => {
            let Some(request) = pending(ctx, id).await? else {
                return Ok(decided());
            };
            if directory::user(ctx.store.as_ref(), request.telegram_id).await?.is_some() {
                return Err(AccessError::UserExists(request.telegram_id).into());
            }
            let name = FullName::parse(&request.full_name).ok();
            users::begin_add_for(bot, ctx, caller, request.telegram_id, name).await?;
        }
        RequestButton::Reject(id) => {
            let Some(request) = pending(ctx, id).await? else {
                return Ok(decided());
            };
            let now = ctx.clock.now();
            if !directory::reject_request(ctx.store.as_ref(), &caller.user, request.telegram_id, now).await? {
                return Ok(decided());
            }
            let person = ChatId(request.telegram_id.get());
            if let Err(e) = reply::send(bot, person, ctx.i18n.t(STRANGER_LANG, "access-denied")).await {
                tracing::info!(person = person.0, error = %e, "cannot tell the outcome of a request");
            }
            let text = ctx.i18n.get(
                lang,
                "access-request-rejected-admin",
                Args::new().text("name", &request.full_name),
            );
            if let Some(message) = message {
                reply::edit(bot, caller.chat, message, text, Some(InlineKeyboardMarkup::default())).await?;
            }
        }
        // Pressed by someone admitted already: nothing to ask for.
        RequestButton::Request => return Ok(Answer::stale(ctx, lang)),
    }
    Ok(Answer::done())
}

/// After a user is added: if they had asked for access, the request is approved and they are told.
pub async fn approve_if_requested(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    id: TelegramId,
) -> anyhow::Result<()> {
    if !directory::approve_request(ctx.store.as_ref(), &caller.user, id, ctx.clock.now()).await? {
        return Ok(());
    }
    let text = ctx.i18n.t(STRANGER_LANG, "access-granted");
    if let Err(e) = reply::send(bot, ChatId(id.get()), text).await {
        tracing::info!(person = id.get(), error = %e, "cannot tell the outcome of a request");
    }
    Ok(())
}
