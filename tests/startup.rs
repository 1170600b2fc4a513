//! Starting and stopping while Telegram is away: a start during an outage waits it out and
//! serves once Telegram is back, only a wrong token stops it, and a stop is bounded by
//! `SHUTDOWN_GRACE_SECS` whatever Telegram does, with nothing queued lost.

mod support;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prospect_diary::clock::ManualClock;
use prospect_diary::config::Config;
use prospect_diary::domain::access::{Audience, Region, Role};
use prospect_diary::domain::directory;
use prospect_diary::domain::ids::RegionCode;
use prospect_diary::store::{self, DeliveryStore, NewOutgoing, SqlStore, Store};
use prospect_diary::telegram_fake::{Failure, FakeTelegram, Outage, TOKEN, TgUser};
use support::{Backend, TestDb, start_time};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The grace the stop tests give; a stop that ignores it hangs for minutes instead.
const GRACE_SECS: u64 = 2;

fn config(db: &TestDb, tg: &FakeTelegram, token: &str) -> Config {
    Config::from_lookup(|key| match key {
        "TELOXIDE_TOKEN" => Some(token.to_owned()),
        "TELOXIDE_API_URL" => Some(tg.url().to_owned()),
        "DATABASE_URL" => Some(db.url.clone()),
        "POLL_TIMEOUT_SECS" => Some("5".to_owned()),
        "JOBS_INTERVAL_SECS" => Some("1".to_owned()),
        "SHUTDOWN_GRACE_SECS" => Some(GRACE_SECS.to_string()),
        "HTTP_ADDR" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    })
    .expect("test config")
}

/// A division with `count` specialists who opened the bot; returns them.
async fn staff(store: &SqlStore, tg: &FakeTelegram, count: i64) -> Vec<TgUser> {
    let region = Region::parse("MSK", "Москва", "Europe/Moscow").unwrap();
    directory::add_region(store, &region, None, start_time()).await.unwrap();
    let mut people = vec![];
    for id in 1001..1001 + count {
        let name = format!("Сотрудник Номер{id}");
        support::whitelist(store, id, &name, Role::Specialist, Some("MSK"), start_time()).await;
        let person = tg.user(id, "Сотрудник");
        tg.open_chat(&person);
        people.push(person);
    }
    people
}

/// Queues `per_person` notices to each person, as the jobs and the flows do; returns their texts.
async fn queue_notices(store: &SqlStore, people: &[TgUser], per_person: usize) -> Vec<String> {
    let mut texts = vec![];
    let mut items = vec![];
    for n in 0..per_person {
        for person in people {
            let text = format!("Уведомление {n} для {}", person.id);
            items.push(NewOutgoing {
                kind: "notice",
                chat_id: person.id,
                ref_id: None,
                text: Some(text.clone()),
                markup: None,
                dedupe_key: format!("test:{n}:{}", person.id),
                audience: Audience::Region(RegionCode::parse("MSK").unwrap()),
                notice: None,
            });
            texts.push(text);
        }
    }
    store.enqueue(&items, start_time()).await.unwrap();
    texts
}

/// How many times the fake delivered each text.
fn delivered(tg: &FakeTelegram, texts: &[String]) -> Vec<usize> {
    let (sent, _) = tg.outgoing_since(0);
    texts.iter().map(|t| sent.iter().filter(|o| o.visible == *t).count()).collect()
}

async fn unsent(store: &SqlStore) -> i64 {
    let counts = store.outbox_counts().await.unwrap();
    counts.iter().filter(|(state, _)| state == "pending" || state == "sending").map(|(_, n)| n).sum()
}

type Running = (oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>);

fn serve(config: &Config, store: &Arc<SqlStore>, clock: &Arc<ManualClock>) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let store: Arc<dyn Store> = store.clone();
    let app = prospect_diary::app::serve(config.clone(), store, clock.clone(), async {
        let _ = stopped.await;
    });
    (stop, tokio::spawn(app))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_stops_start_up_at_once_says_so_and_sends_nothing() {
    let Some(mut db) = TestDb::create(Backend::Sqlite).await else { return };
    let tg = FakeTelegram::start().await.unwrap();
    let store = Arc::new(store::connect(&db.url).await.unwrap());
    let clock = Arc::new(ManualClock::new(start_time()));
    let people = staff(&store, &tg, 2).await;
    queue_notices(&store, &people, 1).await;

    let (_stop, app) = serve(&config(&db, &tg, "123456:WRONG-TOKEN"), &store, &clock);
    let stopped = tokio::time::timeout(Duration::from_secs(30), app).await;
    let err = stopped.expect("no retrying a refused token").unwrap().expect_err("start-up stops");

    assert!(format!("{err:#}").contains("Telegram did not accept the bot token"), "{err:#}");
    // Nothing was tried with that token: the notices wait for the right one.
    assert_eq!(store.outbox_counts().await.unwrap(), vec![("pending".to_owned(), 2)]);
    store.close().await;
    tg.shutdown();
    db.drop_database().await;
}

async fn a_stop_under_load_as_telegram_goes_away_ends_within_the_grace(backend: Backend) {
    let Some(mut db) = TestDb::create(backend).await else { return };
    let tg = FakeTelegram::start().await.unwrap();
    let store = Arc::new(store::connect(&db.url).await.unwrap());
    let clock = Arc::new(ManualClock::new(start_time()));
    let people = staff(&store, &tg, 12).await;
    let config = config(&db, &tg, TOKEN);
    let (stop, app) = serve(&config, &store, &clock);
    tg.send_text(&people[0], "/start");
    tg.next(people[0].id).await;

    // Busy: notices going out at one a second per person, people writing to the bot.
    let texts = queue_notices(&store, &people[1..], 5).await;
    tg.eventually("the first notices", |tg| delivered(tg, &texts).iter().any(|n| *n > 0).then_some(())).await;
    for person in &people[..4] {
        tg.send_text(person, "/help");
    }
    // Telegram goes away at the moment the stop comes.
    tg.set_outage(Some(Outage::Unreachable));
    let _ = stop.send(());
    let stopped = tokio::time::timeout(Duration::from_secs(GRACE_SECS + 10), app).await;
    stopped.expect("the app stops soon after the grace").unwrap().expect("the stop is not an error");

    // Nothing queued is lost: what was not delivered is still in the outbox…
    let before_restart = delivered(&tg, &texts);
    let undelivered = before_restart.iter().filter(|n| **n == 0).count() as i64;
    assert!(undelivered > 0, "the stop came while notices were still going out");
    assert_eq!(unsent(&store).await, undelivered);
    // …and goes out once, after the next start (when the stopped instance's claims expire).
    tg.set_outage(None);
    clock.advance(chrono::Duration::minutes(10));
    let (stop, app) = serve(&config, &store, &clock);
    for _ in 0..600 {
        if delivered(&tg, &texts).iter().all(|n| *n > 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop.send(());
    app.await.unwrap().unwrap();
    assert!(delivered(&tg, &texts).iter().all(|n| *n == 1), "each notice is delivered once");
    assert_eq!(unsent(&store).await, 0);
    store.close().await;
    tg.shutdown();
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_under_load_as_telegram_goes_away_ends_within_the_grace_sqlite() {
    a_stop_under_load_as_telegram_goes_away_ends_within_the_grace(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_under_load_as_telegram_goes_away_ends_within_the_grace_postgres() {
    a_stop_under_load_as_telegram_goes_away_ends_within_the_grace(Backend::Postgres).await;
}

/// The binary's log, line by line, as it is written.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }

    async fn wait_for(&self, text: &str) {
        for _ in 0..600 {
            if self.text().contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no log line with {text:?} in 60 s; the log:\n{}", self.text());
    }
}

/// The README's way to run the bot, started while Telegram answers 502 for 15 s; then, busy,
/// it gets SIGTERM just as Telegram becomes unreachable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_waits_out_an_outage_at_start_and_a_sigterm_during_another_ends_it_within_the_grace() {
    let Some(mut db) = TestDb::create(Backend::Sqlite).await else { return };
    let tg = FakeTelegram::start().await.unwrap();
    let store = store::connect(&db.url).await.unwrap();
    let people = staff(&store, &tg, 6).await;
    tg.set_outage(Some(Outage::Failing(Failure::Status(502))));
    let outage_began = tokio::time::Instant::now();

    let dir = tempfile::tempdir().unwrap();
    let mut bot = tokio::process::Command::new(env!("CARGO_BIN_EXE_prospect-diary"))
        .current_dir(dir.path())
        .env("DATABASE_URL", &db.url)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", tg.url())
        .env("POLL_TIMEOUT_SECS", "5")
        .env("SHUTDOWN_GRACE_SECS", GRACE_SECS.to_string())
        .env("RUST_LOG", "info,sqlx=warn")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts");
    let log = Log::default();
    let mut lines = BufReader::new(bot.stderr.take().unwrap()).lines();
    let sink = log.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            sink.0.lock().unwrap().push(line);
        }
    });

    log.wait_for("Telegram is unreachable, retrying").await;
    tokio::time::sleep_until(outage_began + Duration::from_secs(15)).await;
    assert!(bot.try_wait().unwrap().is_none(), "the bot gave up during the outage:\n{}", log.text());
    assert!(tg.calls_of("getMe").len() >= 2, "getMe is tried again");
    tg.set_outage(None);
    tg.send_text(&people[0], "/start");
    let greeting = tg.next_within(people[0].id, Duration::from_secs(60)).await;
    assert!(greeting.is_some_and(|g| g.visible.contains("Здравствуйте")), "the bot serves:\n{}", log.text());

    let texts = queue_notices(&store, &people[1..], 4).await;
    tg.eventually("the first notices", |tg| delivered(tg, &texts).iter().any(|n| *n > 0).then_some(())).await;
    for person in &people[..3] {
        tg.send_text(person, "/help");
    }
    tg.set_outage(Some(Outage::Unreachable));
    let pid = bot.id().unwrap().to_string();
    let killed = tokio::process::Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
    assert!(killed.success());
    let exit = tokio::time::timeout(Duration::from_secs(GRACE_SECS + 10), bot.wait()).await;
    let status = exit.unwrap_or_else(|_| panic!("still running after the grace:\n{}", log.text())).unwrap();
    assert!(status.success(), "{status:?}:\n{}", log.text());

    let log = log.text();
    assert!(log.contains("the shutdown grace is over"), "{log}");
    assert!(!log.contains(TOKEN.split(':').nth(1).unwrap()), "the token is never logged:\n{log}");
    let undelivered = delivered(&tg, &texts).iter().filter(|n| **n == 0).count() as i64;
    assert_eq!(unsent(&store).await, undelivered, "what was not sent stays in the outbox");
    tg.set_outage(None);
    store.close().await;
    tg.shutdown();
    db.drop_database().await;
}
