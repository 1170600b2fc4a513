//! The entry points for messages and button presses, and the commands everyone has:
//! `/start`, `/help`, `/lang`, `/cancel`.

use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::commands::{self, Command};
use super::flow::{self, State};
use super::gate::{self, Caller};
use super::keyboards::{self, Action};
use super::reply::{self, Answer, role_name};
use super::{
    Ctx, HandlerResult, cards, diary, handoffs, register, reminders, reports, requests, routes, users,
};
use crate::domain::access::Lang;
use crate::domain::directory;
use crate::i18n::Args;

pub async fn on_message(bot: Bot, ctx: Ctx, caller: Caller, msg: Message, update: Update) -> HandlerResult {
    let lang = caller.user.lang;
    let handled = reply::contained(route_message(&bot, &ctx, &caller, &msg));
    let result = reply::guard(&bot, &ctx, caller.chat, lang, handled).await;
    gate::mark_handled(&ctx, &update).await;
    result
}

async fn route_message(bot: &Bot, ctx: &Ctx, caller: &Caller, msg: &Message) -> HandlerResult {
    let lang = caller.user.lang;
    let text = msg.text().unwrap_or_default();
    if let Some((command, args)) = Command::parse(text, ctx, lang) {
        return run(bot, ctx, caller, command, &args).await;
    }
    match flow::load(ctx, caller.chat).await? {
        // A menu label typed by hand is the menu item, unless a flow awaits an answer: there
        // the same words may be the answer.
        State::Idle => match Command::from_typed_label(text, ctx) {
            Some(command) => run(bot, ctx, caller, command, "").await,
            None => {
                reply::send(bot, caller.chat, ctx.i18n.t(lang, "unknown-input")).await?;
                Ok(())
            }
        },
        State::NewProspect { draft, step, editing } => {
            register::on_text(bot, ctx, caller, draft, step, editing, text).await
        }
        State::EditField { id, field } => cards::on_edit_text(bot, ctx, caller, id, field, text).await,
        State::LogCard => diary::on_card_text(bot, ctx, caller, text).await,
        State::Log { draft, step } => diary::on_text(bot, ctx, caller, draft, step, text).await,
        State::Schedule { id, day } => diary::on_schedule_text(bot, ctx, caller, id, day, text).await,
        // Another moment typed instead of confirming the far one.
        State::ScheduleFar { id, .. } => diary::on_schedule_text(bot, ctx, caller, id, None, text).await,
        State::AwaitFind => {
            flow::clear(ctx, caller.chat).await?;
            cards::find(bot, ctx, caller, text).await
        }
        State::HandoffReason { id, lost } => handoffs::on_reason_text(bot, ctx, caller, id, lost, text).await,
        State::EditProducts { .. } => {
            reply::send(bot, caller.chat, ctx.i18n.t(lang, "edit-products")).await?;
            Ok(())
        }
        // Every state is named: a new flow's state cannot fall into another flow unnoticed.
        state @ (State::AwaitUserId
        | State::AwaitUserName { .. }
        | State::AwaitUserRole { .. }
        | State::AwaitUserRegion { .. }
        | State::ConfirmUser { .. }) => users::on_text(bot, ctx, caller, state, text).await,
    }
}

/// Runs a command the person typed or chose from the menu.
async fn run(bot: &Bot, ctx: &Ctx, caller: &Caller, command: Command, args: &str) -> HandlerResult {
    let lang = caller.user.lang;
    if !command.allowed_for(caller.user.role) {
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "not-allowed")).await?;
        return Ok(());
    }
    // A new flow would replace the one in progress and lose what was typed: ask to finish
    // or cancel it first.
    let starts_flow = match command {
        Command::New | Command::Log => true,
        Command::Users => args.eq_ignore_ascii_case("add"),
        Command::Find => args.trim().is_empty(),
        _ => false,
    };
    if starts_flow && flow::load(ctx, caller.chat).await? != State::Idle {
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "flow-busy")).await?;
        return Ok(());
    }
    match command {
        Command::Start => start(bot, ctx, caller).await,
        Command::Help => help(bot, ctx, caller).await,
        Command::Lang => choose_lang(bot, ctx, caller, args).await,
        Command::Cancel => cancel(bot, ctx, caller).await,
        Command::Users => users::open(bot, ctx, caller, args).await,
        Command::New => register::begin(bot, ctx, caller).await,
        Command::Find => find_or_ask(bot, ctx, caller, args).await,
        Command::Card => cards::card_command(bot, ctx, caller, args).await,
        Command::My => cards::my(bot, ctx, caller).await,
        Command::Log => diary::begin(bot, ctx, caller, args).await,
        Command::Today => reminders::today(bot, ctx, caller).await,
        Command::Handoffs => handoffs::list(bot, ctx, caller).await,
        Command::Routes => routes::open(bot, ctx, caller, args).await,
        Command::Report => reports::report(bot, ctx, caller, args).await,
        Command::Quality => reports::quality(bot, ctx, caller).await,
        Command::Audit => reports::audit(bot, ctx, caller, args).await,
        Command::Export => reports::export(bot, ctx, caller).await,
    }
}

pub async fn on_callback(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    query: CallbackQuery,
    update: Update,
) -> HandlerResult {
    let lang = caller.user.lang;
    let (answer, failure) = match reply::contained(route_callback(&bot, &ctx, &caller, &query)).await {
        Ok(answer) => (answer, None),
        Err(err) => match reply::user_message(&ctx, lang, &err) {
            Some(text) => (Answer::alert(text), None),
            None => (Answer::done(), Some(err)),
        },
    };
    // The press is answered first, so the client stops waiting whatever happens next.
    let mut request = bot.answer_callback_query(query.id.clone());
    if let Some(text) = answer.text {
        request = request.text(reply::alert_text(&text)).show_alert(answer.alert);
    }
    let answered = request.await;
    if let Some(err) = failure {
        reply::guard(&bot, &ctx, caller.chat, lang, async { Err(err) }).await?;
    }
    gate::mark_handled(&ctx, &update).await;
    answered?;
    Ok(())
}

async fn route_callback(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    query: &CallbackQuery,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let Some(action) = query.data.as_deref().and_then(Action::parse) else {
        return Ok(Answer::stale(ctx, lang));
    };
    let message = query.message.as_ref().map(|m| m.id());
    // In a hand-off chat only the lead card's own buttons mean anything.
    if caller.group.is_some() && !matches!(action, Action::Take(_) | Action::Decline(_)) {
        return Ok(Answer::stale(ctx, lang));
    }
    let starts_flow = matches!(
        action,
        Action::LogOn(_)
            | Action::Schedule(_)
            | Action::EditField(..)
            | Action::UserAdd
            | Action::ApproveRequest(_)
    );
    if starts_flow && flow::load(ctx, caller.chat).await? != State::Idle {
        return Ok(Answer::alert(ctx.i18n.t(lang, "flow-busy")));
    }
    match action {
        Action::Lang(lang) => {
            set_lang(bot, ctx, caller, lang).await?;
            Ok(Answer::done())
        }
        action @ (Action::ApproveRequest(_) | Action::RejectRequest(_) | Action::RequestAccess) => {
            requests::on_action(bot, ctx, caller, message, action).await
        }
        action @ (Action::NewSkip
        | Action::NewProduct(_)
        | Action::NewDone
        | Action::NewSave
        | Action::NewForce
        | Action::NewChange
        | Action::NewField(_)
        | Action::NewCancel) => register::on_action(bot, ctx, caller, message, action).await,
        action @ (Action::Open(_)
        | Action::History(..)
        | Action::FullEntry(..)
        | Action::Edit(_)
        | Action::EditField(..)
        | Action::EditClear
        | Action::EditProduct(_)
        | Action::EditDone
        | Action::EditCancel(_)
        | Action::SearchPage(_)
        | Action::MyPage(_)) => cards::on_action(bot, ctx, caller, message, action).await,
        action @ (Action::LogOn(_)
        | Action::Schedule(_)
        | Action::LogKind(_)
        | Action::LogOutcome(_)
        | Action::LogProduct(_)
        | Action::LogProductsDone
        | Action::LogSave
        | Action::LogCancel
        | Action::Quick(_)
        | Action::Month(..)
        | Action::Day(_)
        | Action::Time(..)
        | Action::FarConfirm
        | Action::FarReenter
        | Action::Noop) => diary::on_action(bot, ctx, caller, message, action).await,
        action @ (Action::Snooze(_) | Action::Tomorrow(_)) => {
            reminders::on_action(bot, ctx, caller, message, action).await
        }
        action @ (Action::HandOff(_)
        | Action::HandOffProduct(..)
        | Action::Take(_)
        | Action::Decline(_)
        | Action::Won(_)
        | Action::Lost(_)
        | Action::Reason(..)
        | Action::ReasonCancel(_)
        | Action::HandoffShow(_)
        | Action::HandoffsPage(_)
        | Action::HandoffFact(..)
        | Action::HandoffSend(_)) => handoffs::on_action(bot, ctx, caller, message, action).await,
        action @ (Action::AuditPage(..) | Action::Export(_)) => {
            reports::on_action(bot, ctx, caller, message, action).await
        }
        // Every button is named: a new flow's button cannot fall into another flow unnoticed.
        action @ (Action::UsersPage(_)
        | Action::UserShow(_)
        | Action::UserAdd
        | Action::UserRoles(_)
        | Action::UserRegions(..)
        | Action::UserPlace(..)
        | Action::UserActive(..)
        | Action::FlowRole(_)
        | Action::FlowRegion(_)
        | Action::FlowSave
        | Action::FlowCancel) => users::on_action(bot, ctx, caller, message, action).await,
    }
}

/// `/find text` searches at once; a bare `/find` (or the menu button) asks what to find.
async fn find_or_ask(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    if args.trim().is_empty() {
        flow::save(ctx, caller.chat, &State::AwaitFind).await?;
        reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "find-ask")).await?;
        return Ok(());
    }
    cards::find(bot, ctx, caller, args).await
}

async fn start(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    let user = &caller.user;
    let lang = user.lang;
    let region = match &caller.region {
        Some(r) => format!("{} ({})", r.name.as_str(), r.code),
        None => ctx.i18n.t(lang, "region-none"),
    };
    let text = ctx.i18n.get(
        lang,
        "start-greeting",
        Args::new()
            .text("name", user.full_name.as_str())
            .text("role", role_name(ctx, lang, user.role))
            .text("region", region),
    );
    reply::send_with(bot, caller.chat, text, main_menu(ctx, caller, lang)).await?;
    commands::register_for(bot, ctx, user).await
}

fn main_menu(ctx: &Ctx, caller: &Caller, lang: Lang) -> teloxide::types::KeyboardMarkup {
    keyboards::main_menu(
        commands::menu_labels(ctx, caller.user.role, lang),
        ctx.i18n.t(lang, "menu-placeholder"),
    )
}

async fn help(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    let lang = caller.user.lang;
    let mut lines = vec![ctx.i18n.t(lang, "help-title")];
    lines.extend(commands::help_lines(ctx, caller.user.role, lang));
    reply::send(bot, caller.chat, lines.join("\n")).await?;
    Ok(())
}

async fn choose_lang(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    if let Ok(lang) = args.parse::<Lang>() {
        return set_lang(bot, ctx, caller, lang).await;
    }
    let buttons = vec![Action::Lang(Lang::Ru).button("Русский"), Action::Lang(Lang::En).button("English")];
    let text = ctx.i18n.t(caller.user.lang, "lang-choose");
    reply::send_with(bot, caller.chat, text, InlineKeyboardMarkup::new([buttons])).await?;
    Ok(())
}

async fn set_lang(bot: &Bot, ctx: &Ctx, caller: &Caller, lang: Lang) -> HandlerResult {
    let user =
        directory::set_lang(ctx.store.as_ref(), caller.user.telegram_id, lang, ctx.clock.now()).await?;
    let text = ctx.i18n.t(lang, "lang-set");
    reply::send_with(bot, caller.chat, text, main_menu(ctx, caller, lang)).await?;
    commands::register_for(bot, ctx, &user).await
}

async fn cancel(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    let lang = caller.user.lang;
    // Leads waiting for their facts go to the credit chat now, with what was picked.
    let mut lines = handoffs::send_held(ctx, caller).await?;
    match flow::load(ctx, caller.chat).await? {
        State::Idle if lines.is_empty() => lines.push(ctx.i18n.t(lang, "cancel-nothing")),
        State::Idle => {}
        _ => {
            flow::clear(ctx, caller.chat).await?;
            lines.insert(0, ctx.i18n.t(lang, "cancel-done"));
        }
    }
    let text = lines.join("\n");
    reply::send_with(bot, caller.chat, text, main_menu(ctx, caller, lang)).await?;
    Ok(())
}
