//! End to end through the fake Bot API (SPEC §11), run on demand:
//!
//! ```sh
//! cargo bench --bench e2e                                   # SQLite
//! PD_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench e2e
//! BENCH_USERS=20 BENCH_ROUNDS=50 BENCH_PROSPECTS=1000000 cargo bench --bench e2e
//! ```
//!
//! Three loads in the same run, on a base of `BENCH_PROSPECTS` companies, `BENCH_USERS` people
//! at once, each `BENCH_ROUNDS` rounds of the search + open-card mix (`/find` with the end of a
//! company's name, then a press on the first result, which opens the card):
//!
//! (a) a bare teloxide echo bot answering the same number of messages (send, wait for the
//!     answer, send again);
//! (b) the store floor: the same mix calling the application layer directly, no Telegram —
//!     the caller's whitelist entry, the search (its words remembered for the pages, audited),
//!     the card (audited) and its division, as the handlers call them;
//! (c) the real bot.
//!
//! Before (c)'s load, one person sends each kind of update ten times, one at a time, with the
//! statement counter on (`prospect_diary::statements`): the SQL statements and transactions
//! one update of each kind costs. Last, the real binary starts on the (now existing) database:
//! the time until it answers a first message, and its memory after three idle seconds.
//!
//! The fake Telegram's flood limits are off. SPEC §11 asks (c) ≥ 0.8 × min(a, b) and p99 ≤
//! 50 ms; run once per backend for PostgreSQL against SQLite (≥ 0.7).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{inn_for, percentile};
use prospect_diary::clock::SystemClock;
use prospect_diary::config::Config;
use prospect_diary::domain::access::{NewUser, Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::directory;
use prospect_diary::domain::ids::{FullName, RegionCode, TelegramId};
use prospect_diary::domain::prospects::{self, Query, Remember};
use prospect_diary::domain::requisites::normalize_name;
use prospect_diary::domain::session::{self, Admission};
use prospect_diary::statements::{Counter, Counts};
use prospect_diary::store::{self, Store};
use prospect_diary::telegram_fake::{FakeTelegram, TOKEN, TgUser};
use sqlx::{Connection, QueryBuilder};
use teloxide::prelude::*;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const WORDS: &[&str] = &[
    "Север",
    "Восток",
    "Волга",
    "Урал",
    "Байкал",
    "Алтай",
    "Кедр",
    "Гранит",
    "Сокол",
    "Витязь",
    "Меридиан",
    "Парус",
    "Заря",
    "Рассвет",
    "Импульс",
    "Вектор",
    "Орион",
    "Прогресс",
    "Альянс",
    "Ресурс",
];

/// The words person `person` searches for in round `round`: the end of a company's name, as
/// staff look for a specific one.
fn words(person: i64, round: u64, rows: u64) -> String {
    let i = (person as u64 * 7919 + round * 104_729) % rows;
    let w = WORDS.len() as u64;
    format!("{} {i}", WORDS[(i / w % w) as usize])
}

/// One region, `users` specialists, `rows` companies named from `WORDS`.
async fn seed(url: &str, store: &dyn Store, users: u64, rows: u64) -> anyhow::Result<()> {
    let now = Utc::now();
    let note = AuditRecord::new(now, None, AuditAction::RegionAdded);
    let region = Region::parse("MSK", "Москва", "Europe/Moscow")?;
    store.add_region(&region, now, &note).await?;
    for u in 0..users {
        let user = NewUser::new(
            TelegramId::new(10_000 + u as i64)?,
            FullName::parse(&format!("Специалист {u}"))?,
            Role::Specialist,
            Some(RegionCode::parse("MSK")?),
            None,
        )?;
        store.add_user(&user, now, &note).await?;
    }
    let columns = "INSERT INTO prospects (name, name_norm, inn, products, status, owner_id, region_code, \
                   created_by, created_at, updated_by, updated_at) ";
    macro_rules! insert_all {
        ($conn:expr) => {{
            let mut n = 0u64;
            while n < rows {
                let end = (n + 1000).min(rows);
                let mut tx = $conn.begin().await?;
                let mut query = QueryBuilder::new(columns);
                query.push_values(n..end, |mut b, i| {
                    let w = WORDS.len() as u64;
                    let name =
                        format!("ООО «{} {} {i}»", WORDS[(i % w) as usize], WORDS[(i / w % w) as usize]);
                    let owner = 10_000 + (i % users) as i64;
                    b.push_bind(name.clone())
                        .push_bind(normalize_name(&name))
                        .push_bind(inn_for(300_000_000 + i))
                        .push_bind("credit")
                        .push_bind("new")
                        .push_bind(owner)
                        .push_bind("MSK")
                        .push_bind(owner)
                        .push_bind(now.timestamp())
                        .push_bind(owner)
                        .push_bind(now.timestamp());
                });
                query.build().execute(&mut *tx).await?;
                tx.commit().await?;
                n = end;
            }
        }};
    }
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        insert_all!(conn);
        sqlx::query("ANALYZE").execute(&mut conn).await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        insert_all!(conn);
        sqlx::query("ANALYZE prospects").execute(&mut conn).await?;
    }
    Ok(())
}

/// Round-trip times of everyone's conversation, and the wall time it all took.
struct Load {
    times: Vec<Duration>,
    wall: Duration,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.times.len() as f64 / self.wall.as_secs_f64()
    }

    fn print(&mut self, what: &str) {
        let per_second = self.per_second();
        println!(
            "{what:<34} {:>6} round trips  {:>8.1} /s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
            self.times.len(),
            per_second,
            percentile(&mut self.times, 0.5).as_secs_f64() * 1e3,
            percentile(&mut self.times, 0.99).as_secs_f64() * 1e3,
            self.times.iter().max().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
    }
}

/// Each person runs `steps` in turn `rounds` times, waiting for each answer; all at once.
async fn drive<F, Fut>(tg: &FakeTelegram, people: &[TgUser], rounds: u64, step: F) -> Load
where
    F: Fn(FakeTelegram, TgUser, u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Vec<Duration>> + Send,
{
    let started = Instant::now();
    let mut tasks = vec![];
    for person in people {
        let (tg, person, step) = (tg.clone(), person.clone(), step.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = vec![];
            for round in 0..rounds {
                times.extend(step(tg.clone(), person.clone(), round).await);
            }
            times
        }));
    }
    let mut times = vec![];
    for task in tasks {
        times.extend(task.await.expect("a person's conversation"));
    }
    Load { times, wall: started.elapsed() }
}

/// Sends `text` and waits for the answer: the time, and the answer.
async fn round_trip(
    tg: &FakeTelegram,
    person: &TgUser,
    act: impl FnOnce(),
) -> (Duration, prospect_diary::telegram_fake::Outgoing) {
    let started = Instant::now();
    act();
    let answer = tg.next(person.id).await;
    (started.elapsed(), answer)
}

async fn echo_bot(tg: &FakeTelegram, people: &[TgUser], rounds: u64) -> anyhow::Result<Load> {
    let bot = Bot::new(TOKEN).set_api_url(url::Url::parse(tg.url())?);
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, msg.text().unwrap_or("?")).await?;
        respond(())
    });
    let listener = teloxide::update_listeners::Polling::builder(bot.clone())
        .timeout(Duration::from_secs(10))
        .delete_webhook()
        .await
        .build();
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let token = dispatcher.shutdown_token();
    let serving = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(listener, teloxide::error_handlers::LoggingErrorHandler::new())
            .await;
    });
    // Warm up: the first answer means the bot is polling.
    round_trip(tg, &people[0], || {
        tg.send_text(&people[0], "warm-up");
    })
    .await;
    let load = drive(tg, people, rounds * 2, |tg, person, round| async move {
        let (time, _) = round_trip(&tg, &person, || {
            tg.send_text(&person, &format!("ping {round}"));
        })
        .await;
        vec![time]
    })
    .await;
    loop {
        match token.shutdown() {
            Ok(done) => {
                done.await;
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    serving.await?;
    Ok(load)
}

async fn diary_bot(
    tg: &FakeTelegram,
    people: &[TgUser],
    rounds: u64,
    url: &str,
    rows: u64,
    counter: &Counter,
) -> anyhow::Result<Load> {
    let api = tg.url().to_owned();
    let db = url.to_owned();
    let config = Config::from_lookup(|key| match key {
        "TELOXIDE_TOKEN" => Some(TOKEN.to_owned()),
        "TELOXIDE_API_URL" => Some(api.clone()),
        "DATABASE_URL" => Some(db.clone()),
        "HTTP_ADDR" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    })?;
    let store: Arc<dyn Store> = Arc::new(store::connect(url).await?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = tokio::spawn(prospect_diary::app::serve(config, store, Arc::new(SystemClock), async {
        let _ = stopped.await;
    }));
    round_trip(tg, &people[0], || {
        tg.send_text(&people[0], "/start");
    })
    .await;
    count_statements(tg, &people[0], rows, counter).await?;
    let load = drive(tg, people, rounds, move |tg, person, round| async move {
        let word = words(person.id, round, rows);
        let (find, results) = round_trip(&tg, &person, || {
            tg.send_text(&person, &format!("/find {word}"));
        })
        .await;
        let card_button = format!("{}:c:o:", prospect_diary::bot::BUTTON_VERSION);
        let Some((_, open)) = results.buttons().into_iter().find(|(_, data)| data.starts_with(&card_button))
        else {
            panic!("no results for {word}: {}", results.visible);
        };
        let (card, shown) = round_trip(&tg, &person, || {
            tg.press(&person, &results, &open);
        })
        .await;
        assert!(shown.visible.contains("Заполненность карточки"), "a card: {}", shown.visible);
        vec![find, card]
    })
    .await;
    let _ = stop.send(());
    app.await??;
    Ok(load)
}

/// Waits until `n` updates' handling ended since the counter's last `take`.
async fn settled(counter: &Counter, n: u64) {
    let give_up = Instant::now() + Duration::from_secs(10);
    while counter.updates() < n && Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// One person sends each kind of update `TIMES` times, one at a time, with the counter on;
/// prints the statements and transactions one update of each kind costs.
async fn count_statements(
    tg: &FakeTelegram,
    person: &TgUser,
    rows: u64,
    counter: &Counter,
) -> anyhow::Result<()> {
    const TIMES: u64 = 10;
    const KINDS: [&str; 5] = [
        "search: /find with words",
        "open card: a press on a result",
        "a press: the card's history",
        "a command starting a flow: /find alone",
        "text in a flow: the words after /find",
    ];
    let mut totals = [Counts::default(); KINDS.len()];
    let detail = std::env::var_os("BENCH_SQL_DETAIL").is_some();
    counter.set_detail(detail);
    let mut details: Vec<std::collections::BTreeMap<String, u64>> = vec![Default::default(); KINDS.len()];
    let version = prospect_diary::bot::BUTTON_VERSION;
    let mut add = |kind: usize| {
        let c = counter.take();
        let total = &mut totals[kind];
        total.updates += c.updates;
        total.statements += c.statements;
        total.transactions += c.transactions;
        total.outside += c.outside;
        for (sql, n) in counter.take_detail() {
            *details[kind].entry(sql).or_default() += n;
        }
    };
    counter.take();
    counter.set_on(true);
    for round in 0..TIMES {
        let word = words(person.id, 1_000 + round, rows);
        let (_, results) = round_trip(tg, person, || {
            tg.send_text(person, &format!("/find {word}"));
        })
        .await;
        settled(counter, 1).await;
        add(0);
        let button = |message: &prospect_diary::telegram_fake::Outgoing, prefix: &str| {
            let prefix = format!("{version}:{prefix}");
            message.buttons().into_iter().map(|(_, data)| data).find(|d| d.starts_with(&prefix))
        };
        let open = button(&results, "c:o:").ok_or_else(|| anyhow::anyhow!("no results for {word}"))?;
        let (_, card) = round_trip(tg, person, || {
            tg.press(person, &results, &open);
        })
        .await;
        settled(counter, 1).await;
        add(1);
        let history = button(&card, "c:h:").ok_or_else(|| anyhow::anyhow!("no history button"))?;
        round_trip(tg, person, || {
            tg.press(person, &card, &history);
        })
        .await;
        settled(counter, 1).await;
        add(2);
        round_trip(tg, person, || {
            tg.send_text(person, "/find");
        })
        .await;
        settled(counter, 1).await;
        add(3);
        round_trip(tg, person, || {
            tg.send_text(person, &word);
        })
        .await;
        settled(counter, 1).await;
        add(4);
    }
    counter.set_on(false);
    println!("SQL per update ({TIMES} of each, one person, one at a time):");
    for (n, (kind, total)) in KINDS.iter().zip(totals).enumerate() {
        let per = |n: u64| n as f64 / total.updates.max(1) as f64;
        println!(
            "  {kind:<42} {:>5.1} statements  {:>4.1} transactions  ({} updates; {} statements outside updates meanwhile)",
            per(total.statements),
            per(total.transactions),
            total.updates,
            total.outside,
        );
        for (sql, times) in &details[n] {
            println!("      {:>4.1} × {sql}", *times as f64 / total.updates.max(1) as f64);
        }
    }
    Ok(())
}

/// (b) The store floor: the mix as the handlers call the application layer, without Telegram
/// and without the bot's bookkeeping (update claims, the person's turn, the flow state).
async fn store_floor(
    store: Arc<dyn Store>,
    people: &[TgUser],
    rounds: u64,
    rows: u64,
) -> anyhow::Result<Load> {
    let started = Instant::now();
    let mut tasks = vec![];
    for person in people {
        let (store, id) = (store.clone(), person.id);
        tasks.push(tokio::spawn(async move {
            let mut times = vec![];
            for round in 0..rounds {
                let who = TelegramId::new(id).expect("an id");
                let started = Instant::now();
                let Admission::Admitted(session) = session::admit(store.as_ref(), who).await? else {
                    anyhow::bail!("not admitted");
                };
                let word = words(id, round, rows);
                let now = Utc::now();
                let query = Query::read(&word).expect("a query");
                let remember = Some(Remember { chat: id, words: &word });
                let (found, _) =
                    prospects::find(store.as_ref(), &session.user, &query, 0, 10, now, remember).await?;
                let first = found.first().ok_or_else(|| anyhow::anyhow!("no results for {word}"))?;
                times.push(started.elapsed());
                let started = Instant::now();
                let Admission::Admitted(session) = session::admit(store.as_ref(), who).await? else {
                    anyhow::bail!("not admitted");
                };
                let card =
                    prospects::open_card(store.as_ref(), &session.user, first.id, Utc::now(), 14).await?;
                directory::region(store.as_ref(), &card.prospect.region).await?;
                times.push(started.elapsed());
            }
            Ok(times)
        }));
    }
    let mut times = vec![];
    for task in tasks {
        times.extend(task.await??);
    }
    Ok(Load { times, wall: started.elapsed() })
}

/// The real binary on the existing database: the time until it answers a first message, and
/// its memory when idle.
async fn binary(tg: &FakeTelegram, person: &TgUser, url: &str) -> anyhow::Result<(Duration, u64, u64)> {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_prospect-diary"))
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", tg.url())
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()?;
    tg.send_text(person, "/help");
    loop {
        let answer = tg.next_within(person.id, Duration::from_secs(30)).await;
        anyhow::ensure!(answer.is_some(), "the binary did not answer within 30 s");
        if answer.is_some_and(|a| a.visible.starts_with("Доступные команды:")) {
            break;
        }
    }
    let to_first_answer = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = child.id().expect("a running child");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = |key: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let (rss, peak) = (kib("VmRSS:"), kib("VmHWM:"));
    child.kill().await?;
    Ok((to_first_answer, rss, peak))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let counter = Counter::new();
    tracing_subscriber::registry().with(counter.clone()).init();
    let users = common::env("BENCH_USERS", 20);
    let rounds = common::env("BENCH_ROUNDS", 50);
    let rows = common::env("BENCH_PROSPECTS", 1_000_000);
    let dir = tempfile::tempdir()?;
    let (url, cleanup) = common::database(dir.path()).await?;
    let backend = if cleanup.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("end-to-end benchmark: {backend}, {rows} companies, {users} people, {rounds} rounds each");
    {
        let store = store::connect(&url).await?;
        let seeding = Instant::now();
        seed(&url, &store, users, rows).await?;
        store.close().await;
        eprintln!("seeded in {:.1?}", seeding.elapsed());
    }

    let tg = FakeTelegram::start().await?;
    tg.set_rate_limits(false);
    let people: Vec<TgUser> = (0..users).map(|u| tg.user(10_000 + u as i64, "Специалист")).collect();
    for p in &people {
        tg.open_chat(p);
    }
    let mut echo = echo_bot(&tg, &people, rounds).await?;
    echo.print("(a) teloxide echo bot");
    let mut floor = {
        let store: Arc<dyn Store> = Arc::new(store::connect(&url).await?);
        // Warm up as the bot's `/start` does, then the same mix.
        store_floor(store.clone(), &people[..1], 1, rows).await?;
        store_floor(store, &people, rounds, rows).await?
    };
    floor.print("(b) store floor: search + card");
    let mut diary = diary_bot(&tg, &people, rounds, &url, rows, &counter).await?;
    // Each person's steps alternate: the search, then the card.
    let (mut finds, mut cards) = (vec![], vec![]);
    for (n, time) in diary.times.iter().enumerate() {
        if n % 2 == 0 { finds.push(*time) } else { cards.push(*time) }
    }
    diary.print("(c) prospect-diary: /find + card");
    for (what, mut times) in [("  of which /find", finds), ("  of which open card", cards)] {
        println!(
            "{what:<34} p50 {:>6.2} ms  p99 {:>6.2} ms",
            percentile(&mut times, 0.5).as_secs_f64() * 1e3,
            percentile(&mut times, 0.99).as_secs_f64() * 1e3
        );
    }
    let lower = echo.per_second().min(floor.per_second());
    println!(
        "ratio (c)/min(a, b): {:.2} (target ≥ 0.80; (c)/(a) {:.2}, (c)/(b) {:.2}); (c) p99 {:.2} ms (target ≤ 50 ms)",
        diary.per_second() / lower,
        diary.per_second() / echo.per_second(),
        diary.per_second() / floor.per_second(),
        percentile(&mut diary.times, 0.99).as_secs_f64() * 1e3
    );
    println!("for PostgreSQL against SQLite, compare (c) of two runs (target ≥ 0.70)");

    let (start_up, rss, peak) = binary(&tg, &people[0], &url).await?;
    println!(
        "binary on the existing database: answered a first message {:.0} ms after its start (target ≤ 1 s); \
         idle memory {:.1} MB resident, {:.1} MB peak (target ≤ 30 MB)",
        start_up.as_secs_f64() * 1e3,
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    tg.shutdown();
    common::drop_database(cleanup).await?;
    Ok(())
}
