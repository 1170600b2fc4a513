//! The command catalogue: which commands exist, who may use them, how they are typed or chosen
//! from the menu, and the per-person command lists registered with Telegram (`setMyCommands`).

use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use super::Ctx;
use crate::domain::access::{Lang, Role, User};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Start,
    Help,
    New,
    Find,
    Card,
    My,
    Log,
    Today,
    Users,
    Lang,
    Cancel,
    Handoffs,
    Routes,
    Report,
    Quality,
    Audit,
    Export,
}

/// One row of the catalogue. Only commands that work today are listed: a menu never offers
/// what the bot cannot yet do.
struct Entry {
    command: Command,
    name: &'static str,
    description: &'static str,
    /// The reply-keyboard label, if the command has a menu button.
    menu: Option<&'static str>,
    roles: &'static [Role],
}

const EVERYONE: &[Role] = &Role::ALL;
const WORKERS: &[Role] = &[Role::Specialist, Role::Manager];
const READERS: &[Role] = &[Role::Specialist, Role::Manager, Role::HeadOffice];
const REPORTERS: &[Role] = &[Role::Manager, Role::HeadOffice];

const CATALOGUE: &[Entry] = &[
    Entry { command: Command::Start, name: "start", description: "cmd-start", menu: None, roles: EVERYONE },
    Entry {
        command: Command::New,
        name: "new",
        description: "cmd-new",
        menu: Some("menu-new"),
        roles: WORKERS,
    },
    Entry {
        command: Command::Find,
        name: "find",
        description: "cmd-find",
        menu: Some("menu-find"),
        roles: READERS,
    },
    Entry { command: Command::My, name: "my", description: "cmd-my", menu: Some("menu-my"), roles: WORKERS },
    Entry {
        command: Command::Log,
        name: "log",
        description: "cmd-log",
        menu: Some("menu-log"),
        roles: WORKERS,
    },
    Entry {
        command: Command::Today,
        name: "today",
        description: "cmd-today",
        menu: Some("menu-today"),
        roles: &[Role::Specialist, Role::Manager, Role::CreditOfficer],
    },
    Entry {
        command: Command::Handoffs,
        name: "handoffs",
        description: "cmd-handoffs",
        menu: Some("menu-handoffs"),
        roles: &[Role::Specialist, Role::CreditOfficer, Role::Manager],
    },
    Entry { command: Command::Card, name: "card", description: "cmd-card", menu: None, roles: READERS },
    Entry {
        command: Command::Users,
        name: "users",
        description: "cmd-users",
        menu: Some("menu-users"),
        roles: &[Role::Admin, Role::Manager],
    },
    Entry {
        command: Command::Routes,
        name: "routes",
        description: "cmd-routes",
        menu: Some("menu-routes"),
        roles: &[Role::Admin],
    },
    Entry {
        command: Command::Lang,
        name: "lang",
        description: "cmd-lang",
        menu: Some("menu-lang"),
        roles: EVERYONE,
    },
    Entry {
        command: Command::Help,
        name: "help",
        description: "cmd-help",
        menu: Some("menu-help"),
        roles: EVERYONE,
    },
    Entry {
        command: Command::Cancel,
        name: "cancel",
        description: "cmd-cancel",
        menu: None,
        roles: EVERYONE,
    },
    Entry {
        command: Command::Report,
        name: "report",
        description: "cmd-report",
        menu: Some("menu-report"),
        roles: REPORTERS,
    },
    Entry {
        command: Command::Quality,
        name: "quality",
        description: "cmd-quality",
        menu: Some("menu-quality"),
        roles: REPORTERS,
    },
    Entry {
        command: Command::Audit,
        name: "audit",
        description: "cmd-audit",
        menu: None,
        roles: &[Role::HeadOffice],
    },
    Entry {
        command: Command::Export,
        name: "export",
        description: "cmd-export",
        menu: None,
        roles: REPORTERS,
    },
];

impl Command {
    /// Reads a typed command (`/users`, `/users@bot args`) or a menu label.
    pub fn parse(text: &str, ctx: &Ctx, lang: Lang) -> Option<(Command, String)> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix('/') {
            let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let name = head.split('@').next().unwrap_or_default().to_ascii_lowercase();
            let entry = CATALOGUE.iter().find(|e| e.name == name)?;
            return Some((entry.command, args.trim().to_owned()));
        }
        CATALOGUE
            .iter()
            .find(|e| e.menu.is_some_and(|label| ctx.i18n.t(lang, label) == text))
            .map(|e| (e.command, String::new()))
    }

    /// A menu label typed by hand: without its emoji, in any case, `е` for `ё` («новая
    /// компания», «Отчет»), in either language.
    pub fn from_typed_label(text: &str, ctx: &Ctx) -> Option<Command> {
        let typed = bare_label(text);
        if typed.is_empty() {
            return None;
        }
        CATALOGUE
            .iter()
            .find(|e| {
                e.menu.is_some_and(|label| {
                    Lang::ALL.iter().any(|lang| bare_label(&ctx.i18n.t(*lang, label)) == typed)
                })
            })
            .map(|e| e.command)
    }

    pub fn allowed_for(self, role: Role) -> bool {
        CATALOGUE.iter().any(|e| e.command == self && e.roles.contains(&role))
    }
}

/// A label's words: leading emoji and punctuation dropped, lower case, `ё` as `е`.
fn bare_label(text: &str) -> String {
    let words: String = text.chars().skip_while(|c| !c.is_alphanumeric()).collect();
    words.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase().replace('ё', "е")
}

fn entries_for(role: Role) -> impl Iterator<Item = &'static Entry> {
    CATALOGUE.iter().filter(move |e| e.roles.contains(&role))
}

/// `/name — description` lines for the person's role, in their language.
pub fn help_lines(ctx: &Ctx, role: Role, lang: Lang) -> Vec<String> {
    entries_for(role).map(|e| format!("/{} — {}", e.name, ctx.i18n.t(lang, e.description))).collect()
}

/// The reply-keyboard labels of the person's main menu, two to a row.
pub fn menu_labels(ctx: &Ctx, role: Role, lang: Lang) -> Vec<String> {
    entries_for(role).filter_map(|e| e.menu).map(|label| ctx.i18n.t(lang, label)).collect()
}

fn bot_commands(ctx: &Ctx, role: Role, lang: Lang) -> Vec<BotCommand> {
    entries_for(role).map(|e| BotCommand::new(e.name, ctx.i18n.t(lang, e.description))).collect()
}

/// Registers the person's own command list, so Telegram's menu matches their role.
pub async fn register_for(bot: &Bot, ctx: &Ctx, user: &User) -> anyhow::Result<()> {
    let scope = BotCommandScope::Chat { chat_id: Recipient::Id(ChatId(user.telegram_id.get())) };
    if user.active {
        bot.set_my_commands(bot_commands(ctx, user.role, user.lang)).scope(scope).await?;
    } else {
        bot.delete_my_commands().scope(scope).await?;
    }
    Ok(())
}

/// What strangers see in Telegram's menu: only `/start`.
pub async fn register_default_commands(bot: &Bot, ctx: &Ctx) -> anyhow::Result<()> {
    for lang in Lang::ALL {
        let start = BotCommand::new("start", ctx.i18n.t(lang, "cmd-start"));
        let request = bot.set_my_commands(vec![start]);
        match lang {
            Lang::Ru => request.await?,
            other => request.language_code(other.as_str()).await?,
        };
    }
    Ok(())
}
