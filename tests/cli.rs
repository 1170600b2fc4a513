//! The operator's command line run as the README writes it: the built binary, on a real
//! database, with Telegram's `getChat` answered by the fake Telegram.

mod support;

use std::process::Output;

use prospect_diary::store::{self, HandoffStore};
use prospect_diary::telegram_fake::{FakeTelegram, TOKEN};
use support::{Backend, TestDb};

/// Runs `prospect-diary ARGS` against `db` and the fake Telegram, in an empty folder (no `.env`).
async fn prospect_diary(db: &TestDb, tg: &FakeTelegram, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_prospect-diary"))
        .args(args)
        .current_dir(dir.path())
        .env("DATABASE_URL", &db.url)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", tg.url())
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

async fn a_route_is_set_to_a_group_as_the_readme_writes_it(backend: Backend) {
    let Some(mut db) = TestDb::create(backend).await else { return };
    let tg = FakeTelegram::start().await.unwrap();
    tg.add_group(-1001234567890, "Кредитный отдел · Москва", true);

    let added =
        prospect_diary(&db, &tg, &["region", "add", "77", "--name", "Москва", "--tz", "Europe/Moscow"]).await;
    assert_eq!(stdout(&added), "region 77 added, working hours 09:00-18:00");
    // Group ids are negative: the README's form must not read the id as an option.
    let set = prospect_diary(&db, &tg, &["route", "set", "77", "credit", "-1001234567890"]).await;
    assert_eq!(stdout(&set), "route 77 credit -> -1001234567890 (Кредитный отдел · Москва)");
    assert_eq!(tg.calls_of("getChat").len(), 1, "the chat is checked with Telegram");
    let listed = prospect_diary(&db, &tg, &["route", "list"]).await;
    assert_eq!(stdout(&listed), "77\tcredit\t-1001234567890");

    let store = store::connect(&db.url).await.unwrap();
    let routes = store.routes().await.unwrap();
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].chat_id, -1001234567890);
    store.close().await;
    tg.shutdown();
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_is_set_to_a_group_as_the_readme_writes_it_sqlite() {
    a_route_is_set_to_a_group_as_the_readme_writes_it(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_is_set_to_a_group_as_the_readme_writes_it_postgres() {
    a_route_is_set_to_a_group_as_the_readme_writes_it(Backend::Postgres).await;
}
