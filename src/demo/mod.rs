//! `prospect-diary demo`: try the bot with no token and no internet (SPEC §8).
//!
//! Seeds, once, a demo database separate from real data ([`seed`]), starts the real bot against
//! the built-in Telegram stand-in, and opens a line-oriented chat on the terminal: type as in
//! Telegram, press buttons by number ([`Screen`]), switch person with `:as`. Each line is
//! answered before the next is read (the bot has handled it and its outbox is idle), so the demo
//! works through a pipe; the bot's log goes to a file, so it stays out of the chat.

mod catalog;
mod screen;
mod seed;

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use catalog::{CREDIT_CHAT, PEOPLE, Person, company_inn, contact_name, ogrn, person_inn};
pub use screen::{ChatName, Screen};
pub use seed::seed;

use crate::app;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::store::{self, Store};
use crate::telegram_fake::{FakeTelegram, TOKEN, TgUser};

pub const DEFAULT_DATABASE: &str = "sqlite://data/demo.db";
/// Where the bot's log goes while the terminal is its chat.
pub const LOG_FILE: &str = "data/demo.log";
const FILES: &str = "data/demo-files";
/// The log filter when `RUST_LOG` is not set (as for the bot itself).
const LOG_FILTER: &str = "info,sqlx=warn,tokio_cron_scheduler=warn";
/// How long a line may wait for its answer before the demo reads on; a bound for a bot that
/// is stuck, never the way lines are paced.
const PATIENCE: Duration = Duration::from_secs(120);
/// How often the demo looks whether the bot is done.
const LOOK: Duration = Duration::from_millis(25);
/// How often the screen is refreshed while waiting for the person to type.
const REFRESH: Duration = Duration::from_millis(300);

const HELP: &str = "\
Команды терминала:
  :as ИМЯ|РОЛЬ   говорить от имени другого (anna, boris, oleg, olga, kirill, darya, irina;
                 или роль: specialist, manager, credit_officer, head_office, admin)
  :who           кто сейчас говорит
  :chat credit   смотреть чат кредитного отдела (Москва): там появляются заявки, кнопки
                 «Взять» и «Отклонить» нажимаются от имени текущего человека (например, kirill)
  :chat me       вернуться в личный чат с ботом
  :open НОМЕР    ссылка на страницу контактов карточки (как «📇 Контакты» в Telegram) —
                 открыть в браузере от имени текущего человека; действует 60 минут
  :help          эта справка
  :quit          выйти (или Ctrl-D)
  ЧИСЛО          нажать кнопку с этим номером под последним сообщением бота в этом чате
                 (если кнопок там нет или число больше номера последней, оно уходит боту
                 как текст, например ИНН или номер карточки)
  :press ЧИСЛО   нажать кнопку явно
  :say ТЕКСТ     отправить текст как есть, даже если это число
Всё остальное уходит боту как сообщение, например /start, /new, /find северный.";

fn person(key: &str) -> Option<&'static Person> {
    let key = key.trim().to_lowercase();
    PEOPLE.iter().find(|p| p.keys.contains(&key.as_str()) || p.name.to_lowercase().starts_with(&key))
}

/// Sends the bot's log to `path` (appended). `false` when a log was set up already elsewhere.
fn log_to_file(path: &Path) -> anyhow::Result<bool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the demo log {}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| LOG_FILTER.into());
    Ok(tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .is_ok())
}

/// What a typed line led to.
enum Step {
    /// The bot got an update; `handled` says whether it will record it handled (it stays
    /// silent, and records nothing, for talk in a group).
    Sent {
        update: i64,
        handled: bool,
    },
    /// Only the terminal answered.
    Local,
    Quit,
}

/// The terminal's side of the conversation.
struct Session {
    tg: FakeTelegram,
    store: Arc<dyn Store>,
    bot: JoinHandle<anyhow::Result<()>>,
    screen: Screen,
    out: std::io::Stdout,
    person: &'static Person,
    me: TgUser,
    /// The chat on screen: the person's private chat, or the credit chat.
    viewing: i64,
    cursor: usize,
    answers: usize,
    /// Where the contacts page listens, once it does.
    web: crate::config::BoundAddr,
    clock: Arc<dyn Clock>,
}

impl Session {
    /// Writes what the bot sent since the last look.
    fn catch_up(&mut self) -> anyhow::Result<()> {
        let (items, next) = self.tg.outgoing_since(self.cursor);
        self.cursor = next;
        self.screen.show(&mut self.out, &items, self.viewing)?;
        let (texts, next) = self.tg.callback_answers_since(self.answers);
        self.answers = next;
        for text in texts {
            writeln!(self.out, "[всплывающее] {text}")?;
        }
        self.out.flush()?;
        Ok(())
    }

    /// Waits until the bot has introduced itself to Telegram (or has stopped): by then it has
    /// queued what came due while it was down.
    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while self.tg.calls_of("getMe").is_empty() && !self.bot.is_finished() {
            if Instant::now() >= deadline {
                anyhow::bail!("the bot did not start within {} s; see {LOG_FILE}", PATIENCE.as_secs());
            }
            tokio::time::sleep(LOOK).await;
        }
        Ok(())
    }

    /// Waits until the bot has answered: `update` handled (when it records that) and nothing
    /// in its outbox waiting or being sent. Writes what arrives meanwhile.
    async fn wait_answered(&mut self, update: Option<i64>) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.catch_up()?;
            if self.bot.is_finished() {
                return Ok(());
            }
            let handled = match update {
                Some(id) => self.store.is_handled(id).await?,
                None => true,
            };
            if handled && outbox_idle(self.store.as_ref(), self.clock.now()).await? {
                return self.catch_up();
            }
            if Instant::now() >= deadline {
                writeln!(self.out, "(бот не ответил за {} с; читаю дальше)", PATIENCE.as_secs())?;
                return Ok(());
            }
            tokio::time::sleep(LOOK).await;
        }
    }

    /// `:open N`: a local link to card N's contacts page, with launch data signed for the
    /// current person as Telegram would sign it.
    fn open_page(&mut self, card: &str) -> std::io::Result<()> {
        match (card.trim().parse::<i64>(), self.web.get()) {
            (Ok(card), Some(addr)) => {
                let launch = crate::web::init_data::sign_for(self.person.id, self.clock.now(), TOKEN);
                let fragment = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("card", &card.to_string())
                    .append_pair("tgWebAppData", &launch)
                    .finish();
                writeln!(self.out, "http://{addr}/app#{fragment}")
            }
            (Err(_), _) => writeln!(self.out, "Укажите номер карточки, например :open 12"),
            (_, None) => writeln!(self.out, "Страница контактов ещё не запущена, попробуйте через секунду"),
        }
    }

    fn who_am_i(&mut self) -> std::io::Result<()> {
        let name = self.screen.title(self.person.id);
        writeln!(self.out, "Вы: {name} ({})", self.person.role)
    }

    /// Acts on one typed line.
    fn line(&mut self, line: &str) -> anyhow::Result<Step> {
        match line {
            ":quit" | ":q" => return Ok(Step::Quit),
            ":help" => writeln!(self.out, "{HELP}")?,
            ":who" => self.who_am_i()?,
            _ => return self.command(line),
        }
        Ok(Step::Local)
    }

    fn command(&mut self, line: &str) -> anyhow::Result<Step> {
        if let Some(card) = line.strip_prefix(":open") {
            self.open_page(card)?;
            return Ok(Step::Local);
        }
        if let Some(which) = line.strip_prefix(":chat") {
            match which.trim() {
                "credit" | "кредит" => {
                    self.viewing = CREDIT_CHAT;
                    writeln!(self.out, "Вы смотрите {}.", self.screen.title(CREDIT_CHAT))?;
                }
                "me" | "я" | "" => {
                    self.viewing = self.person.id;
                    writeln!(self.out, "Вы в личном чате с ботом.")?;
                }
                other => {
                    writeln!(self.out, "Нет такого чата: {other}. Есть :chat credit и :chat me.")?;
                    return Ok(Step::Local);
                }
            }
            // What came meanwhile was printed as it arrived; the last message's buttons are live.
            self.screen.show_live(&mut self.out, self.viewing)?;
            return Ok(Step::Local);
        }
        if let Some(key) = line.strip_prefix(":as") {
            match person(key) {
                Some(p) => {
                    self.person = p;
                    self.me = self.tg.user(p.id, p.name);
                    self.who_am_i()?;
                    if self.viewing != CREDIT_CHAT {
                        self.viewing = p.id;
                        self.screen.show_live(&mut self.out, self.viewing)?;
                    }
                }
                None => writeln!(self.out, "Нет такого человека: {}. Список — :help.", key.trim())?,
            }
            return Ok(Step::Local);
        }
        let live = self.screen.live(self.viewing).cloned();
        let buttons = live.as_ref().map(|m| m.buttons()).unwrap_or_default();
        let press = match (line.strip_prefix(":press"), line.parse::<usize>()) {
            (Some(n), _) => Some(n.trim().parse::<usize>().unwrap_or(0)),
            (None, Ok(n)) if (1..=buttons.len()).contains(&n) => Some(n),
            _ => None,
        };
        if let Some(n) = press {
            return match (live, buttons.get(n.wrapping_sub(1))) {
                (Some(message), Some((_, data))) => {
                    Ok(Step::Sent { update: self.tg.press(&self.me, &message, data), handled: true })
                }
                _ => {
                    writeln!(self.out, "Нет кнопки с номером {n} под последним сообщением.")?;
                    Ok(Step::Local)
                }
            };
        }
        let text = line.strip_prefix(":say ").unwrap_or(line);
        Ok(if self.viewing == CREDIT_CHAT {
            // The bot stays silent in a group: people talk there among themselves.
            Step::Sent { update: self.tg.send_in_group(&self.me, CREDIT_CHAT, text), handled: false }
        } else {
            Step::Sent { update: self.tg.send_text(&self.me, text), handled: true }
        })
    }
}

/// Nothing in the outbox is due to be sent or being sent (a held lead's card waits for later).
async fn outbox_idle(store: &dyn Store, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<bool> {
    Ok(store.outbox_due(now).await? == 0)
}

/// How the demo's chats are shown: people by their names as stored (a demo database from an
/// earlier version may name them differently), the credit chat by its title.
async fn chat_names(store: &dyn Store) -> anyhow::Result<HashMap<i64, ChatName>> {
    let mut names = HashMap::new();
    for p in PEOPLE {
        let stored = store.user(crate::domain::ids::TelegramId::new(p.id)?).await?;
        let title = stored.map(|u| u.full_name.as_str().to_owned()).unwrap_or_else(|| p.name.to_owned());
        names.insert(p.id, ChatName { title, file_prefix: p.keys[0].to_owned() });
    }
    names.insert(
        CREDIT_CHAT,
        ChatName {
            title: format!("чат «{}»", catalog::CREDIT_CHAT_TITLE), file_prefix: "credit".into()
        },
    );
    Ok(names)
}

/// Runs the demo until `:quit` or the end of input.
pub async fn run(database: Option<String>) -> anyhow::Result<()> {
    let logging = log_to_file(Path::new(LOG_FILE))?;
    let url = database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
    let store =
        Arc::new(store::connect(&url).await.with_context(|| format!("cannot open the demo database {url}"))?);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let fresh = seed(store.as_ref(), clock.now()).await?;
    let tg = FakeTelegram::start().await?;
    for p in PEOPLE {
        tg.open_chat(&tg.user(p.id, p.name));
    }
    tg.add_group(CREDIT_CHAT, catalog::CREDIT_CHAT_TITLE, true);
    let api = tg.url().to_owned();
    let config = Config::from_lookup(|key| match key {
        "TELOXIDE_TOKEN" => Some(TOKEN.to_owned()),
        "TELOXIDE_API_URL" => Some(api.clone()),
        "POLL_TIMEOUT_SECS" => Some("1".into()),
        "JOBS_INTERVAL_SECS" => Some("5".into()),
        "CONTACTS_IN_CHAT" => std::env::var("CONTACTS_IN_CHAT").ok(),
        // The page server on a free port unless one is asked for (several demos may run).
        "HTTP_ADDR" => Some(std::env::var("HTTP_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into())),
        _ => None,
    })?;
    let web = config.http_bound.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served: Arc<dyn Store> = store.clone();
    let bot = tokio::spawn(app::serve(config, served.clone(), clock.clone(), async {
        let _ = stopped.await;
    }));

    let person = &PEOPLE[0];
    let mut session = Session {
        me: tg.user(person.id, person.name),
        screen: Screen::new(FILES, chat_names(served.as_ref()).await?),
        tg: tg.clone(),
        store: served,
        bot,
        out: std::io::stdout(),
        person,
        viewing: person.id,
        cursor: 0,
        answers: 0,
        web,
        clock,
    };
    writeln!(
        session.out,
        "prospect-diary — демо без Telegram. База: {url}{}",
        if fresh { " (заполнена примером)" } else { "" }
    )?;
    if logging {
        writeln!(session.out, "Журнал бота пишется в файл {LOG_FILE}.")?;
    }
    writeln!(session.out, "{HELP}")?;
    session.who_am_i()?;
    session.wait_ready().await?;
    session.wait_answered(None).await?;

    // Through a pipe each line is shown before its answer, so the transcript reads as a chat.
    let echo = !std::io::stdin().is_terminal();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while !session.bot.is_finished() {
        session.catch_up()?;
        let line = tokio::select! {
            line = lines.next_line() => line?,
            () = tokio::time::sleep(REFRESH) => continue,
        };
        let Some(line) = line else { break };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if echo {
            writeln!(session.out, "» {line}")?;
        }
        match session.line(line)? {
            Step::Quit => break,
            Step::Local => {}
            Step::Sent { update, handled } => {
                session.wait_answered(handled.then_some(update)).await?;
            }
        }
    }
    // What is still on its way (a reminder coming due as the input ended, say).
    session.wait_answered(None).await?;
    writeln!(session.out, "До свидания.")?;
    session.out.flush()?;
    let _ = stop.send(());
    session.bot.await??;
    store.close().await;
    tg.shutdown();
    Ok(())
}
