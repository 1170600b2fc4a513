//! `prospect-diary demo`: try the bot with no token and no internet (SPEC §8).
//!
//! Seeds, once, a demo database separate from real data (two divisions in different zones,
//! people of every role, fifty companies with diary history and contacts due soon), starts the
//! real bot against the built-in Telegram stand-in, and opens a line-oriented chat on the
//! terminal: type as in Telegram, press buttons by number, switch person with `:as`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Duration as Span, Utc};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::app;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::access::{NewUser, Region, Role};
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::diary::{Kind, NewEntry, Outcome, status_after};
use crate::domain::handoff::Route;
use crate::domain::ids::{FullName, RegionCode, TelegramId};
use crate::domain::prospect::{Details, NewProspect, Product, ProspectId};
use crate::domain::requisites::{CompanyName, Email, Inn, Phone};
use crate::domain::{base, directory};
use crate::store::{self, Store};
use crate::telegram_fake::{FakeTelegram, Outgoing, OutgoingKind, TOKEN, TgUser};

pub const DEFAULT_DATABASE: &str = "sqlite://data/demo.db";

/// The Moscow credit officers' group chat, where the division's leads go.
const CREDIT_CHAT: i64 = -1_001_000_000_001;
const CREDIT_CHAT_TITLE: &str = "Кредитный отдел · Москва";
/// What Moscow hands off to it.
const CREDIT_PRODUCTS: &[Product] = &[Product::Credit, Product::Leasing, Product::Guarantee];

/// One of the demo's people.
struct Person {
    id: i64,
    name: &'static str,
    role: Role,
    region: Option<&'static str>,
    /// The short names `:as` accepts.
    keys: &'static [&'static str],
}

const fn person_of(
    id: i64,
    name: &'static str,
    role: Role,
    region: Option<&'static str>,
    keys: &'static [&'static str],
) -> Person {
    Person { id, name, role, region, keys }
}

const PEOPLE: &[Person] = &[
    person_of(1001, "Анна Петрова", Role::Specialist, Some("MSK"), &["anna", "specialist", "анна"]),
    person_of(1003, "Борис Орлов", Role::Specialist, Some("MSK"), &["boris", "борис"]),
    person_of(2001, "Олег Ким", Role::Specialist, Some("VVO"), &["oleg", "олег"]),
    person_of(1009, "Ольга Смирнова", Role::Manager, Some("MSK"), &["olga", "manager", "ольга"]),
    person_of(
        1010,
        "Кирилл Лебедев",
        Role::CreditOfficer,
        Some("MSK"),
        &["kirill", "credit_officer", "officer", "кирилл"],
    ),
    person_of(3001, "Дарья Волкова", Role::HeadOffice, None, &["darya", "head_office", "дарья"]),
    person_of(9001, "Ирина Админова", Role::Admin, None, &["irina", "admin", "ирина"]),
];

const HELP: &str = "\
Команды терминала:
  :as ИМЯ|РОЛЬ   говорить от имени другого (anna, boris, oleg, olga, kirill, darya, irina;
                 или роль: specialist, manager, credit_officer, head_office, admin)
  :who           кто сейчас говорит
  :chat credit   смотреть чат кредитного отдела (Москва): там появляются заявки, кнопки
                 «Взять» и «Отклонить» нажимаются от имени текущего человека (например, kirill)
  :chat me       вернуться в личный чат с ботом
  :open НОМЕР     ссылка на страницу контактов карточки (как «📇 Контакты» в Telegram) —
                 открыть в браузере от имени текущего человека; действует 60 минут
  :help          эта справка
  :quit          выйти (или Ctrl-D)
  ЧИСЛО          нажать кнопку с этим номером под последним сообщением
                 (число больше номера последней кнопки уходит боту как текст, например ИНН)
  :press ЧИСЛО   нажать кнопку явно
  :say ТЕКСТ     отправить текст как есть, даже если это число
Всё остальное уходит боту как сообщение, например /start, /new, /find ромашка.";

fn inn_for(n: u64) -> String {
    let body: Vec<u32> = format!("{:09}", n).chars().filter_map(|c| c.to_digit(10)).collect();
    let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let check = body.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10;
    format!("{}{check}", body.iter().map(|d| d.to_string()).collect::<String>())
}

const COMPANIES: &[&str] = &[
    "ООО «Ромашка»",
    "АО «Северсталь-Логистик»",
    "ООО «Лютик»",
    "ИП Ёлкин",
    "ООО «Волга-Агро»",
    "ПАО «Уралтехмаш»",
    "ООО «Байкал Фарм»",
    "ООО «Сибирский лес»",
    "АО «ТрансИнвест»",
    "ООО «Медовый Спас»",
];
const CONTACTS: &[&str] =
    &["Иван Сидоров", "Мария Кузнецова", "Пётр Иванов", "Елена Морозова", "Сергей Павлов"];

/// Routes Moscow's leads to the credit chat, unless a route is there already (a demo database
/// from before hand-offs gets them too).
async fn seed_routes(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let msk = RegionCode::parse("MSK")?;
    for product in CREDIT_PRODUCTS {
        if store.route(&msk, *product).await?.is_none() {
            let route = Route { region: msk.clone(), product: *product, chat_id: CREDIT_CHAT };
            crate::cli::save_route(store, &route, None, now).await?;
        }
    }
    Ok(())
}

/// Seeds the demo data unless it is there already.
pub async fn seed(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<bool> {
    if store.region(&RegionCode::parse("MSK")?).await?.is_some() {
        seed_routes(store, now).await?;
        return Ok(false);
    }
    for (code, name, tz) in [("MSK", "Москва", "Europe/Moscow"), ("VVO", "Владивосток", "Asia/Vladivostok")]
    {
        directory::add_region(store, &Region::parse(code, name, tz)?, None, now).await?;
    }
    for p in PEOPLE {
        let user = NewUser::new(
            TelegramId::new(p.id)?,
            FullName::parse(p.name)?,
            p.role,
            p.region.map(RegionCode::parse).transpose()?,
            None,
        )?;
        directory::add_user(store, &user, now).await?;
    }
    let workers: Vec<_> = store.users().await?.into_iter().filter(|u| u.role == Role::Specialist).collect();
    for n in 0..50u64 {
        let owner = &workers[(n % workers.len() as u64) as usize];
        let base_name = COMPANIES[(n % COMPANIES.len() as u64) as usize];
        let name = if n < COMPANIES.len() as u64 {
            base_name.to_owned()
        } else {
            format!("{base_name} {}", n / 10 + 1)
        };
        let contact = CONTACTS[(n % CONTACTS.len() as u64) as usize];
        let prospect = NewProspect {
            name: CompanyName::parse(&name)?,
            inn: Inn::parse(&inn_for(500_000_000 + n))?,
            details: Details {
                contact_person: Some(contact.to_owned()),
                position: Some("Финансовый директор".into()),
                phone: Some(Phone::parse(&format!("+79{:09}", 161_000_000 + n))?),
                email: (n % 2 == 0).then(|| Email::parse(&format!("info{n}@example.ru"))).transpose()?,
                industry: Some(["Торговля", "Производство", "Логистика"][(n % 3) as usize].into()),
                city: Some(
                    if owner.region.as_ref().map(RegionCode::as_str) == Some("VVO") {
                        "Владивосток"
                    } else {
                        "Москва"
                    }
                    .into(),
                ),
                products: vec![[Product::Credit, Product::Settlement, Product::Leasing][(n % 3) as usize]],
                ..Details::default()
            },
            owner: owner.telegram_id,
            region: owner.region.clone().context("a specialist's division")?,
        };
        let saved = base::register(store, owner, &prospect, now - Span::days(20)).await?;
        for k in 0..(n % 4) {
            let entry = NewEntry {
                prospect: saved.id,
                author: owner.telegram_id,
                kind: [Kind::Call, Kind::Meeting, Kind::Email][(k % 3) as usize],
                outcome: [Outcome::Neutral, Outcome::Positive, Outcome::NoAnswer][((n + k) % 3) as usize],
                summary: format!("Обсудили потребности компании, этап {}.", k + 1),
                products: vec![],
                happened_at: now - Span::days(10 - k as i64 * 2),
                next_contact: None,
            };
            let status = status_after(saved.status, &entry);
            let record = AuditRecord::new(now, Some(owner.telegram_id), AuditAction::EntryLogged);
            store.add_entry(&entry, status, now, &record).await?;
        }
        // Some contacts come due a minute or two after the demo starts; some are overdue.
        if n % 5 == 0 {
            let due = now + Span::minutes(1 + (n / 5) as i64)
                - if n % 10 == 0 { Span::hours(3) } else { Span::zero() };
            let user = store.user(owner.telegram_id).await?.context("the owner")?;
            store
                .schedule_followup(
                    ProspectId(saved.id.0),
                    user.telegram_id,
                    due,
                    now,
                    &AuditRecord::new(now, None, AuditAction::ContactScheduled),
                )
                .await?;
        }
    }
    seed_routes(store, now).await?;
    Ok(true)
}

fn person(key: &str) -> Option<&'static Person> {
    let key = key.trim().to_lowercase();
    PEOPLE.iter().find(|p| p.keys.contains(&key.as_str()) || p.name.to_lowercase().starts_with(&key))
}

fn who(id: i64) -> String {
    if id == CREDIT_CHAT {
        return format!("чат «{CREDIT_CHAT_TITLE}»");
    }
    PEOPLE.iter().find(|p| p.id == id).map(|p| p.name.to_owned()).unwrap_or_else(|| format!("чат {id}"))
}

/// Prints what the bot sent; returns the buttons of the last message to `current`.
fn print(
    out: &mut impl Write,
    item: &Outgoing,
    current: i64,
    files: &std::path::Path,
) -> std::io::Result<Option<Vec<(String, String)>>> {
    let to = who(item.chat_id);
    let marker = if item.chat_id == current { "бот" } else { "→" };
    match item.kind {
        OutgoingKind::Delete => return Ok(None),
        OutgoingKind::Edit => writeln!(out, "[{marker} {to}, изменено] {}", item.visible)?,
        OutgoingKind::Message => writeln!(out, "[{marker} {to}] {}", item.visible)?,
        OutgoingKind::Document | OutgoingKind::Photo => {
            let name = item.file_name.clone().unwrap_or_else(|| "file".into());
            let path = files.join(format!("{}-{name}", item.message_id));
            if let Some(bytes) = &item.file {
                std::fs::create_dir_all(files)?;
                std::fs::write(&path, bytes)?;
            }
            writeln!(out, "[{marker} {to}] файл сохранён: {} {}", path.display(), item.visible)?;
        }
    }
    let buttons = item.buttons();
    for (n, (label, _)) in buttons.iter().enumerate() {
        writeln!(out, "   [{}] {label}", n + 1)?;
    }
    for label in item.keyboard() {
        writeln!(out, "   (меню) {label}")?;
    }
    Ok((item.chat_id == current && !buttons.is_empty()).then_some(buttons))
}

/// Runs the demo until `:quit` or the end of input.
pub async fn run(database: Option<String>) -> anyhow::Result<()> {
    let url = database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
    let store =
        Arc::new(store::connect(&url).await.with_context(|| format!("cannot open the demo database {url}"))?);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let fresh = seed(store.as_ref(), clock.now()).await?;
    let tg = FakeTelegram::start().await?;
    for p in PEOPLE {
        tg.open_chat(&tg.user(p.id, p.name));
    }
    tg.add_group(CREDIT_CHAT, CREDIT_CHAT_TITLE, true);
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
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served: Arc<dyn Store> = store.clone();
    let web = config.http_bound.clone();
    let bot = tokio::spawn(app::serve(config, served, clock.clone(), async {
        let _ = stopped.await;
    }));

    let files = PathBuf::from("data/demo-files");
    let mut out = std::io::stdout();
    writeln!(
        out,
        "prospect-diary — демо без Telegram. База: {url}{}",
        if fresh { " (заполнена примером)" } else { "" }
    )?;
    writeln!(out, "{HELP}")?;
    let mut current: &Person = &PEOPLE[0];
    let mut me: TgUser = tg.user(current.id, current.name);
    // The chat on screen: the person's private chat, or the credit chat.
    let mut chat: i64 = current.id;
    writeln!(out, "Вы: {} ({})", current.name, current.role)?;
    out.flush()?;

    let mut cursor = 0;
    let mut last_buttons: Option<(Outgoing, Vec<(String, String)>)> = None;
    let mut answers = 0;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        // Show what arrived, then wait for the next line (or more output).
        let (items, next) = tg.outgoing_since(cursor);
        cursor = next;
        for item in &items {
            if let Some(buttons) = print(&mut out, item, chat, &files)? {
                last_buttons = Some((item.clone(), buttons));
            }
        }
        let (texts, next) = tg.callback_answers_since(answers);
        answers = next;
        for text in texts {
            writeln!(out, "[всплывающее] {text}")?;
        }
        out.flush()?;
        let line = tokio::select! {
            line = lines.next_line() => line?,
            () = tokio::time::sleep(Duration::from_millis(300)) => continue,
        };
        let Some(line) = line else { break };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == ":quit" || line == ":q" {
            break;
        }
        if line == ":help" {
            writeln!(out, "{HELP}")?;
            continue;
        }
        if let Some(card) = line.strip_prefix(":open") {
            match (card.trim().parse::<i64>(), web.get()) {
                (Ok(card), Some(addr)) => {
                    let launch = crate::web::init_data::sign_for(current.id, clock.now(), TOKEN);
                    let fragment = url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("card", &card.to_string())
                        .append_pair("tgWebAppData", &launch)
                        .finish();
                    writeln!(out, "http://{addr}/app#{fragment}")?;
                }
                (Err(_), _) => writeln!(out, "Укажите номер карточки, например :open 12")?,
                (_, None) => writeln!(out, "Страница контактов ещё не запущена, попробуйте через секунду")?,
            }
            continue;
        }
        if line == ":who" {
            writeln!(out, "Вы: {} ({})", current.name, current.role)?;
            continue;
        }
        if let Some(which) = line.strip_prefix(":chat") {
            match which.trim() {
                "credit" | "кредит" => {
                    chat = CREDIT_CHAT;
                    writeln!(out, "Вы смотрите {}.", who(CREDIT_CHAT))?;
                    // The latest card with buttons, so they can be pressed by number.
                    last_buttons = None;
                    if let Some(last) =
                        tg.outgoing(CREDIT_CHAT).into_iter().rev().find(|o| !o.buttons().is_empty())
                        && let Some(buttons) = print(&mut out, &last, chat, &files)?
                    {
                        last_buttons = Some((last, buttons));
                    }
                }
                "me" | "я" | "" => {
                    chat = current.id;
                    writeln!(out, "Вы в личном чате с ботом.")?;
                    // What came meanwhile was printed as it arrived; its latest buttons are live.
                    last_buttons = None;
                    if let Some(last) = tg.outgoing(chat).into_iter().rev().find(|o| !o.buttons().is_empty())
                        && let Some(buttons) = print(&mut out, &last, chat, &files)?
                    {
                        last_buttons = Some((last, buttons));
                    }
                }
                other => writeln!(out, "Нет такого чата: {other}. Есть :chat credit и :chat me.")?,
            }
            continue;
        }
        if let Some(key) = line.strip_prefix(":as") {
            match person(key) {
                Some(p) => {
                    current = p;
                    me = tg.user(p.id, p.name);
                    if chat != CREDIT_CHAT {
                        chat = p.id;
                        last_buttons = None;
                    }
                    writeln!(out, "Вы: {} ({})", p.name, p.role)?;
                }
                None => writeln!(out, "Нет такого человека: {}. Список — :help.", key.trim())?,
            }
            continue;
        }
        let buttons = last_buttons.as_ref().map(|(_, b)| b.len()).unwrap_or(0);
        let press = match (line.strip_prefix(":press"), line.parse::<usize>()) {
            (Some(n), _) => Some(n.trim().parse::<usize>().unwrap_or(0)),
            (None, Ok(n)) if (1..=buttons).contains(&n) => Some(n),
            _ => None,
        };
        if let Some(n) = press {
            match &last_buttons {
                Some((message, buttons)) if (1..=buttons.len()).contains(&n) => {
                    tg.press(&me, message, &buttons[n - 1].1);
                }
                _ => writeln!(out, "Нет кнопки с номером {n} под последним сообщением.")?,
            }
            // Give the bot a moment, so its answer shows before the next line.
            tokio::time::sleep(Duration::from_millis(400)).await;
            continue;
        }
        let text = line.strip_prefix(":say ").unwrap_or(line);
        if chat == CREDIT_CHAT {
            // The bot stays silent in a group: people talk there among themselves.
            tg.send_in_group(&me, chat, text);
        } else {
            tg.send_text(&me, text);
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    // The output that is still arriving.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (items, _) = tg.outgoing_since(cursor);
    for item in &items {
        print(&mut out, item, chat, &files)?;
    }
    writeln!(out, "До свидания.")?;
    out.flush()?;
    let _ = stop.send(());
    bot.await??;
    store.close().await;
    tg.shutdown();
    Ok(())
}
