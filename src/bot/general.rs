//! Running a command, and the commands everyone has: `/start`, `/help`, `/lang`, `/cancel`.

use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::buttons::{Button, Press};
use super::commands::{self, Command};
use super::flow::{self, State};
use super::gate::Caller;
use super::reply::{self, Answer, Typed, role_name};
use super::{Ctx, HandlerResult, cards, diary, handoffs, register, reminders, reports, routes, ui, users};
use crate::domain::access::Lang;
use crate::domain::directory;
use crate::i18n::Args;

/// Runs a command the person typed or chose from the menu.
pub async fn run(bot: Bot, ctx: Ctx, caller: Caller, (command, args): (Command, String)) -> HandlerResult {
    let (bot, ctx, caller, args) = (&bot, &ctx, &caller, args.as_str());
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

/// Text while no flow awaits an answer: a menu label typed by hand is the menu item; anything
/// else is not understood. (Where a flow awaits an answer, the same words may be the answer.)
pub async fn on_idle_text(bot: Bot, ctx: Ctx, caller: Caller, Typed(text): Typed) -> HandlerResult {
    match Command::from_typed_label(&text, &ctx) {
        Some(command) => run(bot, ctx, caller, (command, String::new())).await,
        None => {
            reply::send(&bot, caller.chat, ctx.i18n.t(caller.user.lang, "unknown-input")).await?;
            Ok(())
        }
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
    ui::main_menu(commands::menu_labels(ctx, caller.user.role, lang), ctx.i18n.t(lang, "menu-placeholder"))
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
    let buttons = vec![Button::Lang(Lang::Ru).button("Русский"), Button::Lang(Lang::En).button("English")];
    let text = ctx.i18n.t(caller.user.lang, "lang-choose");
    reply::send_with(bot, caller.chat, text, InlineKeyboardMarkup::new([buttons])).await?;
    Ok(())
}

/// The language chosen with a button after `/lang`.
pub async fn on_lang_button(bot: Bot, ctx: Ctx, caller: Caller, lang: Lang) -> anyhow::Result<Answer> {
    set_lang(&bot, &ctx, &caller, lang).await?;
    Ok(Answer::done())
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
    // A listing being built, on this instance or another.
    lines.extend(super::listing::cancel(ctx, caller).await?);
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
